"""Links and media: which link targets and image sources are allowed (http/https/mailto,
data: images) and resolving an image source inside the bank root.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from qbank.markup.types import MediaOutsideBank, MediaRef

_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_IMAGE_DATA_RE = re.compile(r"^data:image/(?:png|gif|jpeg|webp|svg\+xml)[;,]", re.IGNORECASE)


def _scheme(url: str) -> str | None:
    m = _SCHEME_RE.match(url)
    return m.group(1).lower() if m else None


def link_allowed(href: str) -> bool:
    """Links may only go to http, https and mailto. Relative links point nowhere in an
    Anki card or an exported quiz, and every other scheme is a script vector or useless."""
    return _scheme(href) in _LINK_SCHEMES


def image_src_allowed(src: str) -> bool:
    """Image sources: bank files (relative), http(s) and data URIs of image types."""
    scheme = _scheme(src)
    if scheme is None:
        return bool(src)
    if scheme in ("http", "https"):
        return True
    return scheme == "data" and bool(_IMAGE_DATA_RE.match(src))


#: (source, root) → its resolution; (None, root) → the root resolved
_Resolved = dict[tuple[str | None, Path], "Path | MediaOutsideBank"]
_CACHE: ContextVar[_Resolved | None] = ContextVar("qbank_media_resolution", default=None)


@contextmanager
def resolution_cache() -> Iterator[None]:
    """Within the block, :func:`resolve_media` resolves each (source, root) once.

    A bank shows the same images many times (400 exhibits in 2,000 questions), and the
    check and the export each resolve every reference: symlinks make that a system call
    per path component. One export run sees one file system, so the answer is kept for the
    run (nested blocks share the outermost cache); outside a block nothing is kept.
    """
    if _CACHE.get() is not None:
        yield
        return
    token = _CACHE.set({})
    try:
        yield
    finally:
        _CACHE.reset(token)


def resolve_media(src: str, root: Path) -> Path:
    """Resolve an image source (as written, see :attr:`MediaRef.src`) to a file in the bank.

    Raises :class:`MediaOutsideBank` for URLs, absolute paths, empty sources and anything
    that resolves outside ``root`` (``..``, symlinks pointing out): exporters bundle media,
    and must never copy ``/etc/passwd`` into a deck. Cached inside :func:`resolution_cache`.
    """
    cache = _CACHE.get()
    if cache is None:
        return _resolve(src, root)
    found = cache.get((src, root))
    if found is None:
        base = cache.get((None, root))  # the root itself is resolved once too
        if not isinstance(base, Path):
            base = cache[(None, root)] = root.resolve()
        try:
            found = _resolve(src, root, base)
        except MediaOutsideBank as exc:
            found = exc
        cache[(src, root)] = found
    if isinstance(found, MediaOutsideBank):
        raise MediaOutsideBank(*found.args)
    return found


def _resolve(src: str, root: Path, base: Path | None = None) -> Path:
    if not src:
        raise MediaOutsideBank("empty image source")
    if _scheme(src) is not None or src.startswith("//"):
        raise MediaOutsideBank(f"{src!r} is a URL, not a file in the bank")
    if src.startswith(("/", "\\")) or Path(src).is_absolute():
        raise MediaOutsideBank(f"{src!r} is an absolute path; write it relative to the bank")
    if base is None:
        base = root.resolve()
    path = (base / src).resolve()
    if not path.is_relative_to(base):
        raise MediaOutsideBank(f"{src!r} resolves outside the bank ({path})")
    return path


def media_ref(src: str, alt: str, line: int, root: Path | None) -> MediaRef:
    path: Path | None = None
    if root is not None:
        try:
            path = resolve_media(src, root)
        except MediaOutsideBank:
            path = None
    return MediaRef(src=src, alt=alt, path=path, line_offset=line)
