"""rapidocr reads its YAML configs and its bundled ONNX models from files inside the package.

Quire points rapidocr at those bundled models by path (``rapidocr/models``), so they
must be collected with the package; any other model choice would make rapidocr download.
"""

from PyInstaller.utils.hooks import collect_data_files, collect_submodules

datas = collect_data_files("rapidocr", excludes=["**/*.pyc", "**/__pycache__/**"])
# rapidocr picks its inference engine by name at run time; Quire uses onnxruntime only.
hiddenimports = collect_submodules(
    "rapidocr",
    filter=lambda name: not any(x in name for x in ("openvino", "paddle", "torch", "mnn", "tensorrt")),
)
