"""What an image file is, by its bytes: the type exporters declare and name it by.

A JPEG saved as ``diagram.png`` is common in banks assembled from many sources. Browsers,
Anki and Word trust the declared type (a ``data:`` URI's MIME type, a file name's
extension), so every exporter asks :func:`image_kind` and uses the type the bytes say;
validate warns about the mismatch (QB503) and refuses only files that are no supported
image at all (QB507).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from qbank.filetype import HEAD_BYTES, sniff

__all__ = ["EXTENSION", "HEAD_BYTES", "IMAGE_TYPES", "MIME", "image_kind", "sniff"]

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


def image_kind(path: Path) -> str | None:
    """The type of the image at ``path`` by its bytes; by its extension when it cannot be
    read; None when it is no supported image."""
    try:
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError:
        return IMAGE_TYPES.get(PurePosixPath(path.name).suffix.lower())
    return sniff(head)
