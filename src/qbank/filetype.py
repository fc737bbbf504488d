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


#: Pillow's default ``Image.MAX_IMAGE_PIXELS``: above it Pillow warns (twice it: refuses)
PILLOW_MAX_PIXELS = 1024 * 1024 * 1024 // 4 // 3

#: start-of-frame markers (Pillow reads them all with one handler)
_SOF = frozenset(
    {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF, 0xDE}
)
#: segments Pillow skips by their length (DHT, DAC, DNL, DRI, EXP) or keeps as they are (COM)
_SKIPPED = frozenset({0xC4, 0xCC, 0xDC, 0xDD, 0xDF, 0xFE})
#: APPn payloads Pillow parses beyond storing them, and the shortest it parses without error;
#: ``None``: leave the file to Pillow (EXIF, MPO and Photoshop blocks have deeper parsers)
_APP_PARSED: tuple[tuple[int, bytes, int | None], ...] = (
    (0xE0, b"JFIF", 7),
    (0xE1, b"Exif\0\0", None),
    (0xE2, b"ICC_PROFILE\0", 14),
    (0xE2, b"MPF\0", None),
    (0xED, b"Photoshop 3.0\0", None),
    (0xEE, b"Adobe", 7),
)


def jpeg_header_opens(data: bytes) -> bool | None:
    """``True`` when Pillow's JPEG reader certainly opens (and ``verify()`` passes) the JPEG
    whose first bytes are ``data``; ``None`` when this walk cannot tell (ask Pillow).

    The walk follows ``PIL.JpegImagePlugin.JpegImageFile._open`` (Pillow 13) over the
    common shape of a JPEG: start-of-image, then back-to-back segments (APPn, COM, DQT,
    DHT, DRI, SOFn) up to start-of-scan, each complete in ``data``. It says ``True`` only
    where every step of Pillow's reader succeeds: a known segment with its full length,
    quantisation tables of the lengths Pillow requires, an 8-bit frame of 1, 3 or 4
    components with whole component entries, a non-empty size under Pillow's pixel limit,
    ICC chunks long enough for its fix-up. Anything else — padding bytes, markers without a
    length, EXIF (whose DPI Pillow parses), MPO or Photoshop blocks, a truncated header —
    is ``None``, never ``False``: Pillow stays the judge of every file this walk does not
    certify, so validate's findings are the same as with Pillow alone (Pillow's verify of
    a JPEG reads only this header). ``tests/test_media_jpeg_walk.py`` compares the two on
    real files, on Pillow's own test images and on every truncation and many corruptions
    of real headers.
    """
    if not data.startswith(b"\xff\xd8\xff"):
        return None
    end = len(data)
    pos = 2
    size: tuple[int, int] | None = None
    while pos + 4 <= end:
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        length = (data[pos + 2] << 8) | data[pos + 3]
        if length < 2 or pos + 2 + length > end:
            return None
        payload = data[pos + 4 : pos + 2 + length]
        pos += 2 + length
        if 0xE0 <= marker <= 0xEF:
            for app, prefix, shortest in _APP_PARSED:
                if marker == app and payload.startswith(prefix):
                    if shortest is None:
                        return None
                    if len(payload) < shortest:
                        return None
                    break
        elif marker in _SKIPPED:
            pass
        elif marker == 0xDB:  # DQT: tables of 65 or 129 bytes, as Pillow checks them
            rest = payload
            while rest:
                table = 65 if rest[0] < 16 else 129
                if len(rest) < table:
                    return None
                rest = rest[table:]
        elif marker in _SOF:
            if len(payload) < 6 or (len(payload) - 6) % 3:
                return None
            bits, layers = payload[0], payload[5]
            if bits != 8 or layers not in (1, 3, 4):
                return None
            size = ((payload[3] << 8) | payload[4], (payload[1] << 8) | payload[2])
        elif marker == 0xDA:  # start of scan: Pillow stops reading the header here
            if size is None or min(size) <= 0 or size[0] * size[1] > PILLOW_MAX_PIXELS:
                return None
            return True
        else:
            return None
    return None
