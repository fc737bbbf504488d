"""Image files: what they really are, and a copy a target that cannot show them can use.

Browsers show PNG, JPEG (any colour model or first segment), GIF, WebP, SVG and BMP. Word's
library (python-docx) reads only PNG, GIF, BMP, TIFF and JPEGs whose first segment is JFIF
or Exif — so an ordinary Adobe JPEG (``FF D8 FF EE``, APP14 first), a CMYK JPEG, WebP and
SVG must be re-encoded for it. Its header parser also fails on some real JFIF/Exif JPEGs
that browsers and Pillow read (a segment it reads past the end of, an EXIF resolution
stored as text: Pillow's ``exif_gps.jpg``, ``broken_exif_dpi.jpg``…), so a file is passed
through only when that parser reads it too. :func:`for_word` returns the bytes to embed:
the original when Word reads it, else a Pillow re-encode (photos stay JPEG, the rest PNG;
SVG is rasterised with resvg at print resolution). Conversions are cached per file content.

Browsers draw a JPEG or PNG (``eXIf`` chunk) the way its EXIF ``Orientation`` tag says (a
phone's portrait photo is stored landscape with Orientation 6); Word's library and
LibreOffice ignore the tag. So such a file whose Orientation is 2–8 is turned upright with
``PIL.ImageOps.exif_transpose`` and re-encoded (a JPEG stays JPEG at quality 95 with its ICC
profile and resolution, a PNG stays PNG), and Word sizes it from the upright size.
Orientation 1 or no tag: nothing changes (the same bytes as before). Chromium does not turn
WebP by its EXIF, so neither does this (a WebP is re-encoded as it is stored).
"""

from __future__ import annotations

import functools
import hashlib
import io
import struct
from dataclasses import dataclass
from pathlib import Path

from qbank.filetype import HEAD_BYTES
from qbank.filetype import sniff as sniff_head

__all__ = [
    "BROWSER_KINDS",
    "ConvertedImage",
    "ImageError",
    "for_word",
    "mime_type",
    "sniff",
]

BROWSER_KINDS = frozenset({"png", "jpeg", "gif", "webp", "svg", "bmp"})
"""What every current browser (and so the HTML player, SurveyJS and Anki's web view) shows."""

_MIME = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "svg": "image/svg+xml",
    "bmp": "image/bmp",
    "tiff": "image/tiff",
}
#: SVGs are drawn at this many pixels per CSS pixel (3 × 96 = 288 dpi at their own size)
SVG_SCALE = 3
#: …but never wider than this (a huge viewBox must not make a huge PNG)
SVG_MAX_PIXELS = 3000


class ImageError(ValueError):
    """The file is not an image any target can show (the message says why)."""


def sniff(data: bytes) -> str | None:
    """The image type by content: png, jpeg, gif, webp, svg, bmp, tiff or ``None``
    (:func:`qbank.filetype.sniff`, plus TIFF, which Word reads and browsers do not)."""
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    return sniff_head(data[:HEAD_BYTES])


def mime_type(kind: str) -> str:
    return _MIME[kind]


@dataclass(frozen=True)
class ConvertedImage:
    """Bytes a target can embed, with their type (``png``/``jpeg``/…) and what was done."""

    data: bytes
    kind: str
    converted_from: str | None = None  # e.g. "svg" when the data is a rasterised copy

    @property
    def extension(self) -> str:
        return ".jpg" if self.kind == "jpeg" else f".{self.kind}"


def _word_reads(data: bytes, kind: str) -> bool:
    """What python-docx's header check accepts (``docx.image.SIGNATURES``)."""
    if kind in ("png", "gif", "bmp", "tiff"):
        return True
    if kind == "jpeg":
        return data[6:10] in (b"JFIF", b"Exif") and not _is_cmyk(data)
    return False


def _docx_header_reads(data: bytes) -> bool:
    """Whether python-docx's own header parser (``docx.image.image.Image.from_blob``, which
    the Word export's picture embedding calls) reads ``data`` and gets a drawable size.

    The parser walks untrusted bytes in memory and reports a broken header in many ways:
    its own ``UnrecognizedImageError``/``UnexpectedEndOfFileError``/
    ``InvalidImageStreamError``; ``KeyError`` (no start-of-frame marker);
    ``struct.error``/``IndexError`` (a field cut short); ``TypeError`` (an EXIF resolution
    that is not a number, as in Pillow's ``broken_exif_dpi.jpg``); ``ZeroDivisionError``
    (a zero EXIF denominator, or a 0 dpi the size is divided by); ``ValueError``/
    ``OverflowError`` (a nonsense number); and a bare ``Exception("unexpected end of
    file")`` from its JPEG marker scan. Exactly those mean "cannot read"; anything else
    (a bug of ours, ``MemoryError``, ``RecursionError``) propagates.
    """
    from docx.image.exceptions import (
        InvalidImageStreamError,
        UnexpectedEndOfFileError,
        UnrecognizedImageError,
    )
    from docx.image.image import Image

    try:
        picture = Image.from_blob(data)
        width, height = picture.width, picture.height  # px / dpi
    except (
        UnrecognizedImageError,
        UnexpectedEndOfFileError,
        InvalidImageStreamError,
        KeyError,
        IndexError,
        struct.error,
        TypeError,
        ZeroDivisionError,
        ValueError,
        OverflowError,
    ):
        return False
    except Exception as exc:
        if type(exc) is not Exception:  # only the marker scan's bare Exception
            raise
        return False
    return width > 0 and height > 0


def _is_cmyk(data: bytes) -> bool:
    """A JPEG with four components (CMYK/YCCK): Word shows it, LibreOffice often inverts it."""
    i = 2
    while i + 9 < len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):  # start of frame: components at offset 9
            return data[i + 9] == 4
        i += 2 + length
    return False


def _rasterise_svg(data: bytes) -> bytes:
    import resvg_py

    try:
        svg = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImageError("is an SVG that is not UTF-8 text") from exc
    try:
        png = bytes(resvg_py.svg_to_bytes(svg_string=svg))
    except Exception as exc:  # resvg reports parse errors as generic exceptions
        raise ImageError(f"is an SVG that cannot be drawn ({exc})") from exc
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        width = im.size[0]
    scale = max(1, min(SVG_SCALE, SVG_MAX_PIXELS // max(width, 1)))
    if scale > 1:
        png = bytes(resvg_py.svg_to_bytes(svg_string=svg, zoom=scale))
    # record the resolution, so that the picture keeps the SVG's own size on paper
    with Image.open(io.BytesIO(png)) as im:
        buf = io.BytesIO()
        im.save(buf, "PNG", dpi=(96 * scale, 96 * scale))
    return buf.getvalue()


def _reencode(data: bytes, kind: str) -> ConvertedImage:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            if kind == "jpeg":  # a photo stays a photo: RGB JPEG with a JFIF header
                rgb = im.convert("RGB")
                buf = io.BytesIO()
                rgb.save(buf, "JPEG", quality=92, optimize=True)
                return ConvertedImage(buf.getvalue(), "jpeg", kind)
            if getattr(im, "n_frames", 1) > 1:
                im.seek(0)
            frame = im if im.mode in ("RGB", "RGBA", "L", "LA", "P") else im.convert("RGBA")
            buf = io.BytesIO()
            frame.save(buf, "PNG", optimize=False)
            return ConvertedImage(buf.getvalue(), "png", kind)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ImageError(f"is a {kind.upper()} file that cannot be decoded ({exc})") from exc


#: what an EXIF block holding the tag starts with (JPEG APP1) / is stored in (PNG chunk)
_EXIF_SIGNATURE = {"jpeg": b"Exif\x00\x00", "png": b"eXIf"}
#: EXIF tag 0x0112: 1 = upright; 2–8 = mirrored and/or turned (5–8 swap width and height)
_ORIENTATION = 0x0112


def _orientation(data: bytes, kind: str) -> int:
    """The EXIF Orientation (1–8) of a JPEG or PNG, which browsers turn upright; 1 when
    there is none, for other kinds (Chromium ignores a WebP's EXIF; TIFF is no browser
    image), for a tag out of range and for a header Pillow cannot read (the file then goes
    on as before).

    Read from the header (JPEG's APP1, PNG's ``eXIf`` chunk); a file is only opened when
    the EXIF block's signature (``Exif\0\0`` / the chunk type) occurs in it, and a PNG is
    decoded only when its ``eXIf`` chunk comes after the image data (Pillow reads such a
    chunk only while decoding). ImageMagick's "Raw profile type exif" text chunk and an XMP
    ``tiff:Orientation``, which Pillow also reads but browsers do not, do not count.
    """
    from PIL import Image, UnidentifiedImageError

    signature = _EXIF_SIGNATURE.get(kind)
    if signature is None or signature not in data:
        return 1
    try:
        with Image.open(io.BytesIO(data)) as im:
            if kind == "png" and "exif" not in im.info:
                im.load()  # an eXIf chunk after the image data
            raw = im.info.get("exif")
            if not isinstance(raw, bytes):
                return 1
            exif = Image.Exif()
            exif.load(raw)  # the EXIF block only: not ``getexif()``, which falls back to XMP
            value = exif.get(_ORIENTATION, 1)
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        ValueError,
        SyntaxError,
        struct.error,
    ):
        return 1
    return value if isinstance(value, int) and 2 <= value <= 8 else 1


def _upright(data: bytes, kind: str) -> ConvertedImage:
    """The image turned as its EXIF Orientation says (what a browser shows), re-encoded
    without the tag: a JPEG as a JPEG (quality 95, its ICC profile and resolution kept, the
    resolution's axes swapped with the pixels'), anything else as a PNG."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            if getattr(im, "n_frames", 1) > 1:
                im.seek(0)
            swap = im.getexif().get(_ORIENTATION) in (5, 6, 7, 8)
            icc = im.info.get("icc_profile")
            dpi = im.info.get("dpi")
            upright = ImageOps.exif_transpose(im)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageError(f"is a {kind.upper()} file that cannot be decoded ({exc})") from exc
    options: dict[str, object] = {}
    if dpi and min(dpi) >= 1:  # python-docx divides by it: a 0 dpi would fail
        options["dpi"] = (dpi[1], dpi[0]) if swap else (dpi[0], dpi[1])
    buf = io.BytesIO()
    if kind == "jpeg":
        if upright.mode in ("RGB", "L"):
            if icc:
                options["icc_profile"] = icc
        else:  # CMYK/YCCK: an ICC profile for another colour model would be wrong
            upright = upright.convert("RGB")
        upright.save(buf, "JPEG", quality=95, optimize=True, **options)
        return ConvertedImage(buf.getvalue(), "jpeg", kind)
    if upright.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        upright = upright.convert("RGBA")
    elif icc:
        options["icc_profile"] = icc
    upright.save(buf, "PNG", optimize=False, **options)
    return ConvertedImage(buf.getvalue(), "png", kind)


def _verify(data: bytes, kind: str) -> None:
    """A cheap structural check (no full decode) of a file passed through unchanged."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            im.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageError(f"is a {kind.upper()} file that cannot be decoded ({exc})") from exc


@functools.lru_cache(maxsize=512)
def _for_word_cached(digest: str, data: bytes) -> ConvertedImage:
    kind = sniff(data)
    if kind is None:
        raise ImageError("is not an image (PNG, JPEG, GIF, WebP, SVG or BMP)")
    if _orientation(data, kind) != 1:  # stored turned: Word would show it sideways
        return _upright(data, kind)
    if _word_reads(data, kind):
        _verify(data, kind)
        if _docx_header_reads(data):
            return ConvertedImage(data, kind)
        return _reencode(data, kind)  # a header Word's parser trips on: Pillow's copy
    if kind == "svg":
        return ConvertedImage(_rasterise_svg(data), "png", "svg")
    return _reencode(data, kind)


def for_word(path: Path) -> ConvertedImage:
    """The image at ``path`` as bytes python-docx (and so Word and LibreOffice) can embed.

    Raises :class:`ImageError` when the file is not an image any target can show, and
    ``OSError`` when it cannot be read.
    """
    data = path.read_bytes()
    return _for_word_cached(hashlib.sha256(data).hexdigest(), data)
