"""Atomic output: write to a temporary file in the target folder, then rename.

A failed or interrupted export never leaves a partial file behind (DESIGN §5).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "WriteError",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "rewrite_text",
]


class WriteError(OSError):
    """The output file cannot be written (its folder cannot be made, no permission, …)."""

    def __init__(self, target: Path, exc: OSError):
        where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(target) else ""
        super().__init__(f"cannot write {target}: {exc.strerror or exc}{where}")


@contextlib.contextmanager
def atomic_path(target: str | Path, mode: int = 0o644) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; on success it replaces ``target``."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise WriteError(target, exc) from exc
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, mode)
        try:
            os.replace(tmp_path, target)
        except OSError as exc:  # a folder in the way of the file, …
            raise WriteError(target, exc) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


def atomic_write_bytes(target: str | Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(target: str | Path, text: str) -> None:
    atomic_write_bytes(target, text.encode("utf-8"))


def rewrite_text(path: str | Path, text: str) -> None:
    """Atomically replace the text of an author's file, in place: through a symlink (the
    link stays a link, its target changes) and keeping the file's permissions."""
    target = Path(path).resolve()
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o644
    with atomic_path(target, mode) as tmp:
        tmp.write_bytes(text.encode("utf-8"))
