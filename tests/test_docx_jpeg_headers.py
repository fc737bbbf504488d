"""Real JPEGs whose header python-docx cannot parse still appear in Word (issue 13 §2).

Pillow's own test JPEGs (``tests/fixtures/images/pillow/``) that browsers and Pillow read
but python-docx's header parser (``docx.image.image.Image.from_blob``) does not:
``exif_gps.jpg``, ``jfif_unit_cm.jpg`` and ``multiple_exif.jpg`` (an EXIF/APPn segment it
reads past the end of: ``UnexpectedEndOfFileError``) and ``broken_exif_dpi.jpg`` (an EXIF
resolution stored as text: ``TypeError``). Each made ``qbank export docx`` end with an
internal error; now :func:`qbank.render.images.for_word` re-encodes them with Pillow, as it
does Adobe/CMYK JPEGs. ``truncated_jpeg.jpg`` (scan data cut short) has a header python-docx
reads, so it goes in untouched, as before.

Checked with the real consumers: python-docx reads the document back (one media part per
file, one drawing per use), LibreOffice converts it to PDF with every picture in it, the
Anki package carries the files' bytes unchanged and Chromium decodes every picture of the
HTML player.
"""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from PIL import Image

from conftest import ROOT, docx_to_pdf, picture_bank, require_tool
from qbank.cli import main
from qbank.render.images import ImageError, _docx_header_reads, for_word
from test_images import DECODED, browser, each_card, open_player  # noqa: F401  (browser: the Chromium fixture)

PILLOW = ROOT / "tests/fixtures/images/pillow"
DOCX_CANNOT_PARSE = ["broken_exif_dpi.jpg", "exif_gps.jpg", "jfif_unit_cm.jpg", "multiple_exif.jpg"]
FILES = [*DOCX_CANNOT_PARSE, "truncated_jpeg.jpg"]


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One question per file, and a last question that uses every file again."""
    again = "".join(f"\n\n    ![again {name}](media/{name})" for name in FILES)
    return picture_bank(
        tmp_path_factory.mktemp("jpeg-headers") / "bank",
        PILLOW,
        FILES,
        lambda name: f"Is this {name}?",
        manifest="id: j\ntitle: J\n",
        extra=f"- id: q-again\n  type: truefalse\n  answer: false\n  text: |-\n    All?{again}\n",
    )


def test_python_docx_really_cannot_parse_them() -> None:
    from docx.image.image import Image as DocxImage

    for name in DOCX_CANNOT_PARSE:
        data = (PILLOW / name).read_bytes()
        assert data[6:10] in (b"JFIF", b"Exif"), name  # the signature python-docx accepts
        with pytest.raises(Exception):  # noqa: B017 - several kinds, see _docx_header_reads
            DocxImage.from_blob(data)
        assert not _docx_header_reads(data), name
        with Image.open(io.BytesIO(data)) as im:
            im.load()  # …and Pillow (like every browser) reads them
    assert _docx_header_reads((PILLOW / "truncated_jpeg.jpg").read_bytes())


def test_word_gets_a_pillow_copy() -> None:
    from docx.image.image import Image as DocxImage

    for name in FILES:
        original = (PILLOW / name).read_bytes()
        converted = for_word(PILLOW / name)
        picture = DocxImage.from_blob(converted.data)  # raises for what Word cannot read
        assert converted.kind == "jpeg" and picture.ext == "jpg", name
        with Image.open(PILLOW / name) as src, Image.open(io.BytesIO(converted.data)) as out:
            assert out.size == src.size == (picture.px_width, picture.px_height), name
        if name in DOCX_CANNOT_PARSE:
            assert converted.converted_from == "jpeg" and converted.data != original, name
        else:  # python-docx reads it: passed through untouched, as before
            assert converted.converted_from is None and converted.data == original, name


def test_a_zero_dpi_header_is_re_encoded(tmp_path: Path) -> None:
    """A PNG whose pHYs gives python-docx 0 dpi: the size would divide by zero."""
    path = tmp_path / "zero-dpi.png"
    Image.new("RGB", (40, 20), (200, 30, 30)).save(path, dpi=(0.03, 0.03))  # 1 px per metre
    assert not _docx_header_reads(path.read_bytes())
    converted = for_word(path)
    assert converted.kind == "png" and converted.converted_from == "png"
    assert _docx_header_reads(converted.data)


def test_what_neither_reads_stays_an_image_error(tmp_path: Path) -> None:
    """A JFIF header with nothing after it: python-docx raises a bare ``Exception``, Pillow
    cannot open it either — an :class:`ImageError` (the warning and alt text), not a crash."""
    data = (PILLOW / "hopper.jpg").read_bytes()[:30]
    assert not _docx_header_reads(data)
    path = tmp_path / "cut.jpg"
    path.write_bytes(data)
    with pytest.raises(ImageError, match="cannot be decoded"):
        for_word(path)
    # a field cut short inside an EXIF block, for every cut of a real header
    exif = (PILLOW / "exif_gps.jpg").read_bytes()
    for cut in range(2, 400, 7):
        _docx_header_reads(exif[:cut])  # never raises


def test_validate_accepts_them(bank: Path) -> None:
    res = CliRunner().invoke(main, ["validate", str(bank)])
    assert res.exit_code == 0, res.output
    assert "QB5" not in res.output, res.output


def test_word_and_libreoffice_show_them(bank: Path, tmp_path: Path, artifacts: Path) -> None:
    from docx.api import Document

    out = tmp_path / "jpegs.docx"
    res = CliRunner().invoke(
        main, ["export", "docx", str(bank), "-o", str(out), "--no-shuffle", "--key", "none"]
    )
    assert res.exit_code == 0, res.output
    assert "alt text" not in res.output and "internal error" not in res.output, res.output
    with zipfile.ZipFile(out) as z:
        media = sorted(n for n in z.namelist() if n.startswith("word/media/"))
    # one part per distinct picture, however often it is used (jfif_unit_cm.jpg and
    # multiple_exif.jpg are the same grey pixel under different headers: one copy)
    distinct = {for_word(PILLOW / name).data for name in FILES}
    assert len(media) == len(distinct) == len(FILES) - 1
    document = Document(str(out))
    described = sorted(s._inline.docPr.get("descr") for s in document.inline_shapes)
    assert described == sorted(
        [f"the {name} picture" for name in FILES] + [f"again {name}" for name in FILES]
    )
    docx_to_pdf(out, tmp_path)
    pdf = tmp_path / "jpegs.pdf"
    listing = subprocess.run(
        [require_tool("pdfimages"), "-list", str(pdf)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    assert len([row for row in listing if " image " in row]) >= 2 * len(FILES)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "[Image:" not in text and "Is this exif_gps.jpg?" in text
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf),
         str(artifacts / "jpeg-headers-docx")],
        check=True,
    )  # fmt: skip


def test_anki_carries_the_bytes_unchanged(bank: Path, tmp_path: Path) -> None:
    apkg = tmp_path / "j.apkg"
    res = CliRunner().invoke(main, ["export", "anki", str(bank), "-o", str(apkg)])
    assert res.exit_code == 0, res.output
    with zipfile.ZipFile(apkg) as z:
        names = json.loads(z.read("media"))
        carried = sorted(z.read(number) for number in names)
    assert carried == sorted((PILLOW / name).read_bytes() for name in FILES)


def test_html_player_shows_them(bank: Path, tmp_path: Path, browser: Any) -> None:  # noqa: F811
    page = open_player(browser, bank, tmp_path / "j.html")
    seen: dict[str, bool] = {}
    for _ in each_card(page, len(FILES)):
        seen.update(dict(page.eval_on_selector_all(".qb-stem img", DECODED)))
    assert seen == {f"the {name} picture": True for name in FILES}
