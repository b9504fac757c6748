"""chromadb picks its components from dotted names in ``chromadb.config`` at run time.

``chromadb.config.System`` imports classes such as ``chromadb.api.rust.RustBindingsAPI``
and ``chromadb.telemetry.product.posthog.Posthog`` with importlib, which PyInstaller
cannot follow, so the local (embedded) side of chromadb is collected whole. Left out:
the tests, the HTTP server and CLI, and the distributed-deployment modules (gRPC log
service, Kubernetes member lists), which a PersistentClient never loads.
"""

from PyInstaller.utils.hooks import collect_data_files, collect_submodules, copy_metadata

_SKIP = (
    "chromadb.test",
    "chromadb.server",
    "chromadb.cli",
    "chromadb.app",
    "chromadb.segment.impl.distributed",
    "chromadb.db.impl.grpc",
    "chromadb.execution.executor.distributed",
    "chromadb.logservice",
)


def _wanted(name: str) -> bool:
    return not any(name == skip or name.startswith(skip + ".") for skip in _SKIP)


hiddenimports = [*collect_submodules("chromadb", filter=_wanted), "chromadb_rust_bindings"]
datas = [
    *collect_data_files("chromadb", excludes=["test/**", "**/__pycache__/**"]),
    *copy_metadata("chromadb"),
]
excludedimports = ["kubernetes", *_SKIP]
