"""Links and media: which link targets and image sources are allowed (http/https/mailto,
data: images) and resolving an image source inside the bank root.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from qbank.fsutil import within
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
#: a folder as written (``str(bank_root / dirs)``) → (its real path, whether it is a
#: directory), or ``None`` when its sources take the slow path (see :func:`_resolve_in`)
_Folders = dict[str, "tuple[str, bool] | None"]
_CACHE: ContextVar[tuple[_Resolved, _Folders] | None] = ContextVar(
    "qbank_media_resolution", default=None
)


@contextmanager
def resolution_cache() -> Iterator[None]:
    """Within the block, :func:`resolve_media` resolves each (source, root) once, and each
    folder the sources name once (:func:`_resolve_in`).

    A bank shows the same images many times (400 exhibits in 2,000 questions), and the
    check and the export each resolve every reference: symlinks make that a system call
    per path component. One export run sees one file system, so the answer is kept for the
    run (nested blocks share the outermost cache); outside a block nothing is kept.
    """
    if _CACHE.get() is not None:
        yield
        return
    token = _CACHE.set(({}, {}))
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
    caches = _CACHE.get()
    if caches is None:
        return _resolve(src, root)
    cache, folders = caches
    found = cache.get((src, root))
    if found is None:
        base = cache.get((None, root))  # the root itself is resolved once too
        if not isinstance(base, Path):
            base = cache[(None, root)] = root.resolve()
        try:
            found = _resolve(src, root, base, folders)
        except MediaOutsideBank as exc:
            found = exc
        cache[(src, root)] = found
    if isinstance(found, MediaOutsideBank):
        raise MediaOutsideBank(*found.args)
    return found


def _resolve(
    src: str, root: Path, base: Path | None = None, folders: _Folders | None = None
) -> Path:
    if not src:
        raise MediaOutsideBank("empty image source")
    if _scheme(src) is not None or src.startswith("//"):
        raise MediaOutsideBank(f"{src!r} is a URL, not a file in the bank")
    # a POSIX path is absolute exactly when it starts with "/" (Windows has drives too)
    if src.startswith(("/", "\\")) or (not _POSIX and Path(src).is_absolute()):
        raise MediaOutsideBank(f"{src!r} is an absolute path; write it relative to the bank")
    if base is None:
        base = root.resolve()
    path = base / src
    path = path.resolve() if folders is None else _resolve_in(path, folders)
    if not _inside(path, base):
        raise MediaOutsideBank(f"{src!r} resolves outside the bank ({path})")
    return path


_POSIX = os.name == "posix"


def _inside(path: Path, base: Path) -> bool:
    """``path.is_relative_to(base)``: on POSIX, for the resolved absolute paths here
    (``realpath``'s), the string test of :func:`qbank.fsutil.within`."""
    if not _POSIX:
        return path.is_relative_to(base)
    return within(str(path), str(base))


def _resolve_in(path: Path, folders: _Folders) -> Path:
    """``path.resolve()``, with the folder part resolved once per folder (``folders``).

    ``Path.resolve`` is ``os.path.realpath`` (then a ``stat`` that raises on a symlink
    loop). realpath walks the path one component at a time, ``lstat``-ing each: a
    component it cannot ``lstat`` is kept as written, a symlink is followed (a loop ends
    the walk, the rest appended as written). Walking ``folder/name`` it so reaches
    ``R = realpath(folder)`` (or gives ``R/name``, the walk cut short), then takes ``name``:

    * ``R`` a directory (``lstat``): the result is ``R/name``, unless ``name`` is a
      symlink (one ``lstat``), which takes the slow path; the final ``stat`` meets no
      symlink, so it cannot find a loop;
    * ``R`` missing (``ENOENT``) or below a file (``ENOTDIR``): ``R/name`` fails the same
      way, so it is ``R/name`` with no system call, and the final ``stat`` finds no loop;
    * anything else (``R`` a symlink or a file, another error), ``..`` and a name holding a
      NUL (``lstat`` raises ``ValueError``) take the slow path.

    So the result is ``path.resolve()``'s (``tests/test_rules_fast_paths.py`` compares them
    on a tree of symlinks, loops, missing folders, files used as folders and ``..``).
    """
    import stat

    name = path.name
    if not name or name == ".." or "\0" in name:
        return path.resolve()
    folder = str(path.parent)
    if folder in folders:
        state = folders[folder]
    else:
        state = None
        try:
            real = os.path.realpath(folder)
        except (OSError, ValueError):
            pass  # the slow path gives the answer (or raises what it raises)
        else:
            try:
                mode = os.lstat(real).st_mode
            except (FileNotFoundError, NotADirectoryError):
                state = (real, False)
            except OSError:
                pass
            else:
                if stat.S_ISDIR(mode):
                    state = (real, True)
        folders[folder] = state
    if state is None:
        return path.resolve()
    real, is_dir = state
    full = os.path.join(real, name)
    if is_dir:
        try:
            mode = os.lstat(full).st_mode
        except OSError:
            pass  # realpath keeps a name it cannot lstat as written
        else:
            if stat.S_ISLNK(mode):
                return path.resolve()
    return Path(full)


def media_ref(src: str, alt: str, line: int, root: Path | None) -> MediaRef:
    path: Path | None = None
    if root is not None:
        try:
            path = resolve_media(src, root)
        except MediaOutsideBank:
            path = None
    return MediaRef(src=src, alt=alt, path=path, line_offset=line)
