"""Which documents a tool may touch: only those registered in the library.

A model's ``document`` argument is untrusted text (it may even come from an injected
instruction inside a document), so it is resolved against the library's registry,
never opened as a path. A bare name matches a document id, title or file name; a
path is accepted only if, with ``..`` forbidden and symlinks resolved, it *is* one of
the library's registered files. Tools then read the text the indexer stored in SQLite,
so a file swapped on disk after indexing is never read through a tool either.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePath

from assistant.index.library import Library
from assistant.index.registry import DocumentRecord, Status
from assistant.tools.registry import ToolError

_SEPARATORS = re.compile(r"[\\/]")
_SPACES = re.compile(r"[\s_\-]+")


class SandboxError(ToolError):
    """A document reference that points outside the library, worded for the user."""


def _key(text: str) -> str:
    """A forgiving comparison key: case, extension, dashes and underscores ignored."""
    name = PurePath(text.strip()).name.lower()
    for suffix in (".pdf", ".docx", ".txt", ".md", ".html", ".htm"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return _SPACES.sub(" ", name).strip()


def _within(title: str, text: str) -> bool:
    """True when the whole title appears in ``text`` as words (not inside another word)."""
    return len(title) >= 3 and re.search(rf"\b{re.escape(title)}\b", text) is not None


def _names(library: Library, limit: int = 12) -> str:
    titles = sorted({d.title for d in library.documents()})
    shown = ", ".join(titles[:limit]) + (", ..." if len(titles) > limit else "")
    return shown or "(the library is empty)"


def _by_path(library: Library, reference: str) -> DocumentRecord:
    parts = PurePath(reference.replace("\\", "/")).parts
    if ".." in parts:
        raise SandboxError(f"{reference!r} is refused: document references may not contain '..'")
    path = Path(reference).expanduser()
    if path.is_absolute():
        try:
            resolved = path.resolve(strict=False)
        except (OSError, RuntimeError) as exc:
            raise SandboxError(f"{reference!r} cannot be resolved: {exc}") from exc
        doc = library.registry.document_by_path(str(resolved))
        if doc is None:
            raise SandboxError(
                f"{reference!r} is not a document in your library: tools can only read indexed "
                "documents (add it with `quire add` first)"
            )
        return doc
    tail = tuple(p.lower() for p in PurePath(reference.replace("\\", "/")).parts)
    matches = [
        d for d in library.documents() if tuple(p.lower() for p in Path(d.path).parts[-len(tail) :]) == tail
    ]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise SandboxError(f"{reference!r} matches {len(matches)} documents: give more of the path")
    raise SandboxError(f"no document in your library is at {reference!r}; documents: {_names(library)}")


def resolve_document(library: Library, reference: str) -> DocumentRecord:
    """The library document ``reference`` names (id, title, file name or registered path).

    Raises ``SandboxError`` (a ``ToolError``) for anything outside the library, for a
    name that matches several documents, and for a document not yet indexed.
    """
    reference = reference.strip()
    if not reference:
        raise SandboxError("no document was named")
    if "\x00" in reference or len(reference) > 1000:
        raise SandboxError("that document reference is not valid")
    doc = library.registry.document(reference)
    if doc is None:
        if _SEPARATORS.search(reference) or reference.startswith("~") or reference in (".", ".."):
            doc = _by_path(library, reference)
        else:
            wanted = _key(reference)
            documents = library.documents()
            exact = [d for d in documents if wanted in (_key(d.title), _key(d.path))]
            # "the lease agreement" for "lease": a model rarely copies a title exactly.
            partial = exact or [
                d for d in documents if wanted and (wanted in _key(d.title) or _within(_key(d.title), wanted))
            ]
            if len(partial) > 1:
                titles = ", ".join(sorted(d.title for d in partial)[:8])
                raise SandboxError(f"{reference!r} matches several documents ({titles}): name one exactly")
            if not partial:
                raise SandboxError(
                    f"no document called {reference!r} in your library; documents: {_names(library)}"
                )
            doc = partial[0]
    if doc.status != Status.INDEXED:
        raise SandboxError(f"{doc.title} is not indexed yet (status: {doc.status})")
    return doc
