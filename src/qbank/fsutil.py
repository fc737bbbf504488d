"""Output targets: atomic replace for files, streaming for devices, never the bank's own files.

Every output qbank writes goes through :func:`atomic_path` (DESIGN §5):

- a **regular file** (or a new name) is written to a temporary file beside it and renamed
  over it, so a failed or interrupted export never leaves a partial file. An existing file
  keeps its permission bits (a key set to 0600 stays 0600); a new file gets ``0666 & ~umask``
  like any file a shell creates.
- a **symlink** is resolved and its final target replaced (the link stays a link).
- a **character device** (``/dev/null``, a terminal), a **FIFO** and ``-`` (standard output)
  are *streamed to*, never replaced: the bytes are written to a temporary file in the system
  temp folder first and copied to the stream only once the export succeeded.
- a **folder**, a socket or a block device is refused (:class:`OutputError`).
- with :func:`protect` active (the CLI activates it with the bank's folder), a target that
  is one of the bank's own files — a YAML file, an image, anything in a hidden folder such as
  ``.qbank/`` — is refused unless ``force``: an export must not overwrite a question file, the
  manifest or the Anki state file by a typo. Other files inside the bank folder (``out/``
  when the bank is the repository) are fine.

Temporary files are named ``.qbank-tmp-<pid>-<random>-<name>``. A run killed by SIGKILL or
SIGTERM cannot clean up; the next run writing to the same folder removes the temporary files
whose process is gone (:func:`remove_stale`). Inside :func:`sweep_once` (a command writing
many files, such as an import with thousands of images) each folder is swept once, not once
per file: the sweep reads the whole folder, so per file it would make writing N files into
one folder cost N² directory entries.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import fcntl
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

TEMP_PREFIX = ".qbank-tmp-"
#: folders already swept for stale temporary files inside :func:`sweep_once`; None outside
_SWEPT: contextvars.ContextVar[set[Path] | None] = contextvars.ContextVar("_SWEPT", default=None)
STDOUT = "-"


class OutputError(OSError):
    """An output target qbank will not write to (a folder, a file inside the bank, …)."""


class WriteError(OSError):
    """The output file cannot be written (its folder cannot be made, no permission, …)."""

    def __init__(self, target: Path, exc: OSError):
        where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(target) else ""
        self.message = f"cannot write {display(target)}: {exc.strerror or exc}{where}"
        super().__init__(exc.errno or errno.EIO, self.message)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class _Guard:
    roots: tuple[Path, ...]
    force: bool


_GUARD: contextvars.ContextVar[_Guard | None] = contextvars.ContextVar("qbank_guard", default=None)


@contextlib.contextmanager
def protect(*roots: Path, force: bool = False) -> Iterator[None]:
    """Refuse outputs inside ``roots`` (unless ``force``) while the block runs."""
    resolved = tuple(Path(os.path.realpath(r)) for r in roots)
    token = _GUARD.set(_Guard(resolved, force))
    try:
        yield
    finally:
        _GUARD.reset(token)


def display(path: str | Path) -> str:
    """A path for messages: undecodable bytes of a file name shown as ``\\xNN``."""
    raw = os.fsencode(path)
    return raw.decode("utf-8", errors="backslashreplace")


def printable(text: str) -> str:
    """Text that encodes as UTF-8: the undecodable bytes of a file name (kept by Python as
    lone surrogates) shown as ``\\xNN``, like :func:`display`."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def is_stream(target: str | Path) -> bool:
    """``-``, a character device or a FIFO: written to, never replaced."""
    if str(target) == STDOUT:
        return True
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def _inside(path: Path, root: Path) -> bool:
    # ``root in path.parents`` compares root with every ancestor through a Sequence
    # iterator (a tenth of a second for a bank's 400 images); only the ancestor with as many
    # parts as ``root`` can equal it, so compare that one (same Path equality)
    depth = len(path.parts) - len(root.parts)
    return path == root or (depth > 0 and path.parents[depth - 1] == root)


def resolve_target(target: str | Path, *, in_bank_ok: bool = False) -> Path:
    """The file that will be replaced for ``target`` (symlinks followed), after the checks.

    Raises :class:`OutputError` for a folder, a socket, a block device, a dangling symlink
    loop, or — under :func:`protect` — one of the bank's own files (:func:`_bank_owned`).
    """
    target = Path(target)
    real = Path(os.path.realpath(target))
    try:
        st = os.stat(real)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(exc.errno, f"cannot write {display(target)}: {exc.strerror}") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise OutputError(
                errno.EISDIR, f"output {display(target)} is a folder; give a file name"
            )
        if not (stat.S_ISREG(st.st_mode) or stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
            raise OutputError(
                errno.EINVAL,
                f"output {display(target)} is not a regular file, a character device or a FIFO",
            )
    guard = _GUARD.get()
    if guard is not None and not guard.force and not in_bank_ok:
        for root in guard.roots:
            if _inside(real, root) and _bank_owned(real, root):
                raise OutputError(
                    errno.EEXIST,
                    f"output {display(target)} is one of the bank's own files "
                    f"({display(real.relative_to(root))} in {display(root)}); write it "
                    "elsewhere, or pass --force to overwrite bank files",
                )
    return real


#: files in a bank that qbank reads: question, quiz and manifest files, and images
BANK_SUFFIXES = (".yaml", ".yml", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp")


def _bank_owned(real: Path, root: Path) -> bool:
    """Whether writing ``real`` (inside the bank ``root``) would overwrite or add one of the
    bank's own files: a YAML file (it would be loaded as questions), an image, or anything
    in a hidden folder such as ``.qbank/`` (the Anki state). Other outputs — a report under
    ``out/`` when the bank is the repository — are fine."""
    rel = real.relative_to(root)
    if any(part.startswith(".") for part in rel.parts[:-1]):
        return True
    return real.name.lower().endswith(BANK_SUFFIXES)


def current_umask() -> int:
    """The process umask (read without changing it for longer than a moment)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def sweep_once() -> Iterator[None]:
    """Within this block, :func:`atomic_path` sweeps each folder for stale temporary files
    (:func:`remove_stale`) the first time it writes there, not on every file."""
    token = _SWEPT.set(set())
    try:
        yield
    finally:
        _SWEPT.reset(token)


def _sweep(folder: Path) -> None:
    swept = _SWEPT.get()
    if swept is None:
        remove_stale(folder)
    elif folder not in swept:
        remove_stale(folder)
        swept.add(folder)


def remove_stale(folder: Path) -> list[Path]:
    """Remove qbank temporary files in ``folder`` left by processes that no longer run."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(TEMP_PREFIX):
            continue
        pid_text = entry.name[len(TEMP_PREFIX) :].split("-", 1)[0]
        if not pid_text.isdigit():
            continue
        pid = int(pid_text)
        if pid == os.getpid() or _alive(pid):
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _mkstemp(folder: Path, name: str) -> Path:
    # keep the name short: a long output name must not push the temp name past NAME_MAX
    short = os.fsencode(name)[:80].decode("utf-8", errors="ignore") or "out"
    fd, tmp = tempfile.mkstemp(
        prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=f"-{short}", dir=folder
    )
    os.close(fd)
    return Path(tmp)


@contextlib.contextmanager
def atomic_path(
    target: str | Path, mode: int | None = None, *, in_bank_ok: bool = False
) -> Iterator[Path]:
    """Yield a temporary path for ``target``; on success it replaces (or streams to) it.

    See the module docstring for what each kind of target gets: an existing file keeps its
    mode, a new one follows the umask, unless ``mode`` is given. ``in_bank_ok`` lets the
    Anki state file (which lives in the bank by design) and ``qbank fix`` past
    :func:`protect`.
    """
    if is_stream(target):
        yield from _streamed(target)
        return
    real = resolve_target(target, in_bank_ok=in_bank_ok)
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
        _sweep(real.parent)
        tmp_path = _mkstemp(real.parent, real.name)
    except OSError as exc:
        raise WriteError(Path(target), exc) from None
    try:
        yield tmp_path
        try:
            existing = os.stat(real)
        except FileNotFoundError:
            os.chmod(tmp_path, mode if mode is not None else 0o666 & ~current_umask())
        else:
            os.chmod(tmp_path, mode if mode is not None else stat.S_IMODE(existing.st_mode))
            if os.geteuid() == 0:
                with contextlib.suppress(OSError):
                    os.chown(tmp_path, existing.st_uid, existing.st_gid)
        try:
            os.replace(tmp_path, real)
        except OSError as exc:  # a folder in the way of the file, …
            raise WriteError(Path(target), exc) from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


def _streamed(target: str | Path) -> Iterator[Path]:
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-")
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb") as src:
            if str(target) == STDOUT:
                sys.stdout.flush()
                out = sys.stdout.buffer
                shutil.copyfileobj(src, out)
                out.flush()
            else:
                # O_WRONLY without O_CREAT/O_TRUNC: a device or FIFO is written to as it is
                fd_out = os.open(target, os.O_WRONLY | os.O_NOCTTY)
                with os.fdopen(fd_out, "wb") as out_file:
                    shutil.copyfileobj(src, out_file)
    finally:
        with contextlib.suppress(OSError):
            tmp_path.unlink()


def atomic_write_bytes(target: str | Path, data: bytes, *, in_bank_ok: bool = False) -> None:
    with atomic_path(target, in_bank_ok=in_bank_ok) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(target: str | Path, text: str, *, in_bank_ok: bool = False) -> None:
    """UTF-8; a file name that is not UTF-8 (a lone surrogate from the file system) is
    written as ``\\xNN`` (:func:`printable`) rather than failing the whole write."""
    data = printable(text).encode("utf-8")
    atomic_write_bytes(target, data, in_bank_ok=in_bank_ok)


def rewrite_text(path: str | Path, text: str) -> None:
    """Atomically replace the text of an author's file, in place: through a symlink (the
    link stays a link, its target changes) and keeping the file's permissions."""
    atomic_write_text(path, text, in_bank_ok=True)


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive ``fcntl`` lock on ``path``'s folder while the block runs.

    Used for the Anki state file: parallel exports of one bank (``make -j``) take turns
    reading, merging and writing it. Locking the folder (opened read-only) needs no extra
    lock file and works when the folder is read-only.
    """
    folder = Path(path).parent
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


# -- reading untrusted files -------------------------------------------------------------


class UnsafeInput(OSError):
    """A file qbank will not read: not a regular file, outside the bank, or too large.

    ``kind`` is ``"outside"``, ``"special"`` or ``"too-large"``; the message names the file.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(errno.EPERM, message)
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return self.message


_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def kind_of(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def inside(path: str | Path, root: str | Path) -> bool:
    """Whether ``path``'s real location (symlinks resolved) is ``root`` or below it.

    Compared as text: ``os.path.realpath`` gives an absolute path without ``.``, ``..``,
    repeated or trailing separators, so ``real`` is ``top`` or below it exactly when it is
    ``top`` or starts with ``top`` and a separator (``/bank2`` is not below ``/bank``) —
    what :func:`_inside` decides on the ``Path`` parts, without building two ``Path``
    objects and a parent (half of this function's time; it runs for every file the loader
    and the exporters read). ``tests/test_fsutil_read.py`` compares the two.
    """
    return within(os.path.realpath(path), os.path.realpath(root))


def within(real: str, top: str) -> bool:
    """Whether the real path ``real`` is ``top`` or below it, both as ``os.path.realpath``
    gives them (absolute, no ``.``, ``..``, repeated or trailing separator but the root's):
    ``top`` itself, or ``top`` and a separator at its start (``/bank2`` is not below
    ``/bank``)."""
    return real == top or real.startswith(top if top.endswith(os.sep) else top + os.sep)


def read_bounded(path: str | Path, *, limit: int, root: str | Path | None = None) -> bytes:
    """The bytes of a regular file, at most ``limit`` of them, whatever ``stat`` says.

    Raises :class:`UnsafeInput` when the file (after symlinks) is outside ``root``, is not a
    regular file (FIFO, device, socket, folder — opened non-blocking, so a FIFO never hangs)
    or holds more than ``limit`` bytes (``/proc`` files report size 0; only ``limit + 1``
    bytes are ever read). Other failures raise :class:`OSError` as usual.
    """
    path = Path(path)
    if root is not None and not inside(path, root):
        where = "a symlink" if path.is_symlink() else "a path"
        raise UnsafeInput(
            "outside",
            f"{where} to a file outside the bank: qbank reads only files inside the bank",
        )
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafeInput(
                "special", f"{kind_of(st.st_mode)}, not a regular file: qbank reads only files"
            )
        if st.st_size > limit:
            raise UnsafeInput("too-large", f"file is {st.st_size:,} bytes; the limit is {limit:,}")
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise UnsafeInput("too-large", f"file is over the limit of {limit:,} bytes")
        return data
    finally:
        os.close(fd)
