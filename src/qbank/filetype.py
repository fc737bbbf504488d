"""What a file is by its first bytes: the image types qbank knows, told from their signatures.

Bottom layer: validate (through :mod:`qbank.markup.images`), the renderers that convert images
for Word and every exporter ask this one function, so they never disagree about a file.
"""

from __future__ import annotations

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
