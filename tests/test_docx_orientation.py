"""Phone photos stored turned, with an EXIF Orientation tag, print upright in Word.

Browsers (the HTML player, SurveyJS, Anki's Chromium card view) draw a JPEG or PNG the way
its EXIF Orientation says; python-docx embeds the stored pixels and Word/LibreOffice
ignore the tag, so a portrait phone photo (stored landscape, Orientation 6) printed
sideways. :func:`qbank.render.images.for_word` now turns such files upright.

Fixtures: ``tests/fixtures/images/orientation/marker_<o>.jpg`` (o = 1…8) and
``marker_6.png`` — one 90×60 picture (green, blue block top-left, red block top-right)
stored so that tag ``o`` shows it upright (written by ``make.py`` there) — and Pillow's own
``hopper_orientation_<o>.jpg`` (2…8), ``orientation_rectangle.jpg`` (2×1, tag 8) and
``hopper_orientation_6.webp`` (``tests/fixtures/images/pillow/``).

Checked from pixels with the real consumers: LibreOffice's rendering of the Word export and
Chromium's rendering of the HTML player both show every marker upright.
"""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image, ImageChops, ImageOps, ImageStat

from conftest import ROOT, docx_to_pdf, picture_bank, require_tool
from qbank.cli import main
from qbank.render.images import _docx_header_reads, _orientation, for_word
from test_images import browser, each_card, open_player  # noqa: F401  (browser: the Chromium fixture)

MARKERS = ROOT / "tests/fixtures/images/orientation"
PILLOW = ROOT / "tests/fixtures/images/pillow"
MARKER_FILES = [f"marker_{tag}.jpg" for tag in range(1, 9)] + ["marker_6.png"]
UPRIGHT_SIZE = (90, 60)


def is_upright_marker(im: Image.Image) -> bool:
    """Wider than tall, blue top-left, red top-right, green below (any scale)."""
    rgb = im.convert("RGB")
    w, h = rgb.size

    def colour(x: float, y: float) -> str:
        r, g, b = rgb.getpixel((int(x * w), int(y * h)))  # type: ignore[misc]
        return max((r, "red"), (g, "green"), (b, "blue"))[1]

    return (
        w > 1.2 * h
        and colour(0.12, 0.12) == "blue"
        and colour(0.88, 0.12) == "red"
        and colour(0.5, 0.8) == "green"
    )


def test_the_markers_are_what_they_claim() -> None:
    for name in MARKER_FILES:
        tag = int(name[7])
        data = (MARKERS / name).read_bytes()
        with Image.open(io.BytesIO(data)) as im:
            assert im.getexif().get(0x0112) == tag, name
            assert im.size == (UPRIGHT_SIZE if tag < 5 else UPRIGHT_SIZE[::-1]), name
            assert is_upright_marker(ImageOps.exif_transpose(im)), name
            assert is_upright_marker(im) == (tag == 1), name  # as stored: wrong
        assert _orientation(data, name[-3:].replace("jpg", "jpeg")) == tag, name


def test_word_gets_upright_pixels_and_size() -> None:
    from docx.image.image import Image as DocxImage

    for name in MARKER_FILES:
        tag = int(name[7])
        original = (MARKERS / name).read_bytes()
        converted = for_word(MARKERS / name)
        if tag == 1:  # nothing to turn: the bytes go in as they are
            assert converted.data == original and converted.converted_from is None
            continue
        kind = "png" if name.endswith(".png") else "jpeg"
        assert converted.kind == converted.converted_from == kind, name
        picture = DocxImage.from_blob(converted.data)  # what sizes the picture in Word
        assert (picture.px_width, picture.px_height) == UPRIGHT_SIZE, name
        with Image.open(io.BytesIO(converted.data)) as out:
            assert 0x0112 not in out.getexif(), name  # no tag left for a viewer to apply again
            assert is_upright_marker(out), name


def test_pillows_orientation_files_come_out_as_hopper() -> None:
    """Pillow's hopper photo stored under each tag: Word's copy is the upright photo."""
    with Image.open(PILLOW / "hopper.jpg") as upright:
        reference = upright.convert("RGB")
    for tag in range(2, 9):
        path = PILLOW / f"hopper_orientation_{tag}.jpg"
        with Image.open(io.BytesIO(for_word(path).data)) as out:
            near = ImageStat.Stat(ImageChops.difference(out.convert("RGB"), reference)).mean
        with Image.open(path) as stored:
            far = ImageStat.Stat(ImageChops.difference(stored.convert("RGB"), reference)).mean
        assert max(near) < 6 < min(far), (tag, near, far)
    # a 2×1 picture under tag 8 (turn 90° anticlockwise): 1×2 in Word
    with Image.open(io.BytesIO(for_word(PILLOW / "orientation_rectangle.jpg").data)) as out:
        assert out.size == (1, 2)
    # Chromium ignores a WebP's EXIF Orientation (test_html_player_agrees): so does Word's copy
    webp = PILLOW / "hopper_orientation_6.webp"
    assert _orientation(webp.read_bytes(), "webp") == 1
    with Image.open(io.BytesIO(for_word(webp).data)) as out, Image.open(webp) as stored:
        assert out.format == "PNG" and out.tobytes() == stored.convert("RGB").tobytes()


def test_resolution_and_colour_profile_follow(tmp_path: Path) -> None:
    """The ICC profile stays; the JFIF resolution turns with the pixels (Word's size)."""
    with Image.open(ROOT / "tests/fixtures/images/flower.jpg") as photo:
        icc = photo.info["icc_profile"]
        exif = Image.Exif()
        exif[0x0112] = 6
        photo.save(tmp_path / "phone.jpg", dpi=(300, 150), icc_profile=icc, exif=exif.tobytes())
        size = photo.size
    converted = for_word(tmp_path / "phone.jpg")
    with Image.open(io.BytesIO(converted.data)) as out:
        assert out.size == size[::-1]
        assert out.info["icc_profile"] == icc
        assert out.info["dpi"] == (150, 300)


def test_a_zero_resolution_is_dropped(tmp_path: Path) -> None:
    """A PNG whose pHYs gives 0 dpi (python-docx would divide by it): no resolution kept."""
    with Image.open(MARKERS / "marker_6.png") as im:
        im.save(tmp_path / "zero.png", dpi=(0.03, 0.03), exif=im.getexif().tobytes())
    converted = for_word(tmp_path / "zero.png")
    assert converted.converted_from == "png" and _docx_header_reads(converted.data)
    with Image.open(io.BytesIO(converted.data)) as out:
        assert "dpi" not in out.info and is_upright_marker(out)


def test_the_cache_is_per_content(tmp_path: Path) -> None:
    for name in ("a.jpg", "b.jpg"):
        (tmp_path / name).write_bytes((MARKERS / "marker_6.jpg").read_bytes())
    assert for_word(tmp_path / "a.jpg") is for_word(tmp_path / "b.jpg")


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return picture_bank(
        tmp_path_factory.mktemp("orientation") / "bank",
        MARKERS,
        MARKER_FILES,
        lambda name: f"Is {name} upright?",
        manifest="id: o\ntitle: O\n",
    )


def pictures_on(page: Image.Image) -> list[Image.Image]:
    """The coloured pictures of a page image, top to bottom (the text is black on white:
    a pixel is a picture's when its channels differ a lot; each picture has its own rows)."""
    pixels = np.asarray(page.convert("RGB")).astype(int)
    coloured = (pixels.max(axis=2) - pixels.min(axis=2)) > 100
    rows = np.flatnonzero(coloured.any(axis=1))
    found = []
    if rows.size == 0:
        return found
    breaks = np.flatnonzero(np.diff(rows) > 1)
    for top, bottom in zip([rows[0], *rows[breaks + 1]], [*rows[breaks], rows[-1]], strict=True):
        cols = np.flatnonzero(coloured[top : bottom + 1].any(axis=0))
        found.append(page.crop((int(cols[0]), int(top), int(cols[-1]) + 1, int(bottom) + 1)))
    return found


def test_libreoffice_prints_them_upright(bank: Path, tmp_path: Path, artifacts: Path) -> None:
    out = tmp_path / "o.docx"
    res = CliRunner().invoke(
        main, ["export", "docx", str(bank), "-o", str(out), "--no-shuffle", "--key", "none"]
    )
    assert res.exit_code == 0, res.output
    assert "alt text" not in res.output, res.output
    with zipfile.ZipFile(out) as z:
        document = z.read("word/document.xml").decode()
    extents = [
        (int(cx), int(cy)) for cx, cy in re.findall(r'<wp:extent cx="(\d+)" cy="(\d+)"', document)
    ]
    assert len(extents) == len(MARKER_FILES)
    assert all(cx * 2 == cy * 3 for cx, cy in extents), extents  # 90×60 on paper, each one
    docx_to_pdf(out, tmp_path)
    subprocess.run(
        [require_tool("pdftoppm"), "-r", "100", "-png", str(tmp_path / "o.pdf"),
         str(tmp_path / "page")],
        check=True,
    )  # fmt: skip
    pictures: list[Image.Image] = []
    for page_png in sorted(tmp_path.glob("page*.png")):
        with Image.open(page_png) as page:
            pictures += pictures_on(page)
            page.save(artifacts / f"orientation-docx-{page_png.stem}.png")
    assert len(pictures) == len(MARKER_FILES)
    assert [is_upright_marker(p) for p in pictures] == [True] * len(MARKER_FILES)


def test_html_player_agrees(bank: Path, tmp_path: Path, browser: Any) -> None:  # noqa: F811
    """No change there: Chromium applies the tag to the original bytes the player embeds."""
    page = open_player(browser, bank, tmp_path / "o.html")
    seen: dict[str, bool] = {}
    for _ in each_card(page, len(MARKER_FILES)):
        img = page.locator(".qb-stem img").first
        shot = Image.open(io.BytesIO(img.screenshot()))
        seen[str(img.get_attribute("alt"))] = is_upright_marker(shot)
    assert seen == {f"the {name} picture": True for name in MARKER_FILES}
    # and a WebP's tag is not applied by Chromium (so Word's copy does not turn it either)
    webp = tmp_path / "w.html"
    webp.write_text(f'<img src="{(PILLOW / "hopper_orientation_6.webp").as_uri()}">')
    page.goto(webp.as_uri())
    page.wait_for_function("[...document.images].every(i => i.complete)")
    assert page.eval_on_selector("img", "e => [e.naturalWidth, e.naturalHeight]") == [128, 128]
    with Image.open(PILLOW / "hopper_orientation_6.webp") as stored:
        shot = Image.open(io.BytesIO(page.locator("img").screenshot())).convert("RGB")
        diff = ImageStat.Stat(ImageChops.difference(shot, stored.convert("RGB"))).mean
    assert max(diff) < 6, diff
