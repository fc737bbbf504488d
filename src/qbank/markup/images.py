"""What an image file is, by its bytes: the type exporters declare and name it by.

A JPEG saved as ``diagram.png`` is common in banks assembled from many sources. Browsers,
Anki and Word trust the declared type (a ``data:`` URI's MIME type, a file name's
extension), so every exporter asks :func:`image_kind` and uses the type the bytes say;
validate warns about the mismatch (QB503) and refuses only files that are no supported
image at all (QB507).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

#: image types every exporter can show (Anki, Word, browsers), by file extension
IMAGE_TYPES = {
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".gif": "gif",
    ".svg": "svg",
    ".webp": "webp",
    ".bmp": "bmp",
}
MIME = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "svg": "image/svg+xml",
    "webp": "image/webp",
    "bmp": "image/bmp",
}
EXTENSION = {
    "png": ".png",
    "jpeg": ".jpg",
    "gif": ".gif",
    "svg": ".svg",
    "webp": ".webp",
    "bmp": ".bmp",
}
#: bytes read to tell the type (an SVG may start with a long XML prologue or comment)
HEAD_BYTES = 2048


def sniff(head: bytes) -> str | None:
    """``png``, ``jpeg``, ``gif``, ``webp``, ``bmp`` or ``svg`` from a file's first bytes, else None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"BM"):
        return "bmp"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<svg", b"<?xml", b"<!--", b"<!doctype svg")) and b"<svg" in head.lower():
        return "svg"
    return None


def image_kind(path: Path) -> str | None:
    """The type of the image at ``path`` by its bytes; by its extension when it cannot be
    read; None when it is no supported image."""
    try:
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError:
        return IMAGE_TYPES.get(PurePosixPath(path.name).suffix.lower())
    return sniff(head)
