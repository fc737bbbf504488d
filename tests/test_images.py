"""Every image a browser shows appears in every target (issue 13 §2).

The images are real encodings: a camera photo (``tests/fixtures/images/flower.jpg``, from
scikit-learn's wheel) and copies of it that Pillow writes as CMYK JPEG, progressive JPEG,
WebP, animated GIF, BMP and PNG, the photo re-headed with the Adobe APP14 segment Photoshop
writes first (``FF D8 FF EE`` — the files Word used to drop), and an SVG diagram.

Checked with the real consumers: python-docx and LibreOffice (pictures in the PDF, a page
image in test-artifacts/), the Anki engine plus Chromium (Anki's card view is a Chromium web
view) and the offline HTML player in Chromium (every ``<img>`` decoded).
"""

from __future__ import annotations

import io
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from PIL import Image

from conftest import ROOT, docx_to_pdf, require_tool, write_bank
from qbank.cli import main
from qbank.render.images import ImageError, for_word, sniff

PHOTO = ROOT / "tests/fixtures/images/flower.jpg"
SVG = """<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">
  <rect x="5" y="5" width="190" height="90" rx="10" fill="#dbeafe" stroke="#1d4ed8" stroke-width="4"/>
  <circle cx="50" cy="50" r="30" fill="#ef4444"/>
  <path d="M100 80 L140 20 L180 80 Z" fill="#22c55e"/>
</svg>
"""


def adobe_jpeg(jfif: bytes) -> bytes:
    """The photo with its JFIF APP0 segment replaced by Photoshop's APP14 "Adobe" segment."""
    assert jfif[2:4] == b"\xff\xe0"
    app0_end = 4 + int.from_bytes(jfif[4:6], "big")
    app14 = b"\xff\xee\x00\x0eAdobe\x00\x64\x00\x00\x00\x00\x01"  # transform 1: YCbCr
    return jfif[:2] + app14 + jfif[app0_end:]


def make_images(folder: Path) -> dict[str, str]:
    """Write one file per encoding; returns file name → expected sniffed kind."""
    folder.mkdir(parents=True, exist_ok=True)
    data = PHOTO.read_bytes()
    (folder / "photo.jpg").write_bytes(data)
    (folder / "adobe.jpg").write_bytes(adobe_jpeg(data))
    with Image.open(PHOTO) as photo:
        small = photo.convert("RGB").resize((320, 213))
        small.convert("CMYK").save(folder / "cmyk.jpg", "JPEG", quality=85)
        small.save(folder / "progressive.jpg", "JPEG", quality=85, progressive=True)
        small.save(folder / "photo.webp", "WEBP", quality=80)
        small.save(folder / "plain.png", "PNG")
        small.save(folder / "bitmap.bmp", "BMP")
        frames = [small.quantize(64), small.rotate(180).quantize(64)]
        frames[0].save(folder / "anim.gif", save_all=True, append_images=frames[1:], duration=200)
    (folder / "diagram.svg").write_text(SVG, encoding="utf-8")
    return {
        "photo.jpg": "jpeg",
        "adobe.jpg": "jpeg",
        "cmyk.jpg": "jpeg",
        "progressive.jpg": "jpeg",
        "photo.webp": "webp",
        "plain.png": "png",
        "bitmap.bmp": "bmp",
        "anim.gif": "gif",
        "diagram.svg": "svg",
    }


@pytest.fixture(scope="module")
def image_bank(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("images") / "bank"
    kinds = make_images(root / "media")
    questions = "\n".join(
        f"- id: img-{name.replace('.', '-')}\n  type: truefalse\n  answer: true\n"
        f"  explanation: It is {name}.\n"
        f"  text: |-\n    Is this {name}?\n\n    ![the {name} picture](media/{name})\n"
        for name in kinds
    )
    write_bank(
        root,
        {"images.yaml": "questions:\n" + questions},
        manifest="id: images\ntitle: Images\n",
    )
    return root, kinds


def test_fixture_encodings_are_what_they_claim(image_bank: tuple[Path, dict[str, str]]) -> None:
    root, kinds = image_bank
    media = root / "media"
    assert (media / "adobe.jpg").read_bytes()[:4] == b"\xff\xd8\xff\xee"
    assert (media / "cmyk.jpg").read_bytes()[:4] == b"\xff\xd8\xff\xee"  # Pillow: APP14 too
    with Image.open(media / "cmyk.jpg") as im:
        assert im.mode == "CMYK"
    with Image.open(media / "progressive.jpg") as im:
        assert im.info.get("progressive") or im.info.get("progression")
    with Image.open(media / "anim.gif") as im:
        assert im.n_frames == 2
    with Image.open(media / "adobe.jpg") as im:
        assert im.mode == "RGB" and im.size == (640, 427) and "adobe" in im.info
    for name, kind in kinds.items():
        assert sniff((media / name).read_bytes()) == kind, name


def test_word_gets_bytes_it_reads(image_bank: tuple[Path, dict[str, str]]) -> None:
    from docx.image.image import Image as DocxImage

    root, kinds = image_bank
    for name in kinds:
        converted = for_word(root / "media" / name)
        picture = DocxImage.from_blob(converted.data)  # raises for what Word cannot read
        assert picture.px_width > 0, name
        if name in ("photo.jpg", "plain.png", "anim.gif", "bitmap.bmp", "progressive.jpg"):
            assert converted.converted_from is None, name  # passed through untouched
    adobe = for_word(root / "media/adobe.jpg")
    assert adobe.kind == "jpeg" and adobe.data[6:10] == b"JFIF"  # a photo stays a JPEG
    with Image.open(io.BytesIO(for_word(root / "media/cmyk.jpg").data)) as im:
        assert im.mode == "RGB"
        r, g, b = im.convert("RGB").resize((1, 1)).getpixel((0, 0))  # type: ignore[misc]
    with Image.open(root / "media/progressive.jpg") as ref:
        r0, g0, b0 = ref.convert("RGB").resize((1, 1)).getpixel((0, 0))  # type: ignore[misc]
    assert abs(r - r0) + abs(g - g0) + abs(b - b0) < 40  # colours kept (not inverted)
    svg = for_word(root / "media/diagram.svg")
    with Image.open(io.BytesIO(svg.data)) as im:
        assert svg.converted_from == "svg" and im.size == (600, 300)  # 3x: print resolution
        assert round(im.info["dpi"][0]) == 288  # …shown at the SVG's own size
        assert im.getpixel((150, 150))[:3] == (239, 68, 68)  # the red circle is drawn


def test_what_no_target_can_show_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "x.png"
    bad.write_bytes(b"not an image at all")
    with pytest.raises(ImageError, match="not an image"):
        for_word(bad)
    broken = tmp_path / "y.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    with pytest.raises(ImageError):
        for_word(broken)


def test_validate_accepts_every_browser_image(image_bank: tuple[Path, dict[str, str]]) -> None:
    root, _ = image_bank
    res = CliRunner().invoke(main, ["validate", str(root), "--format", "json"])
    report = json.loads(res.output)
    rules = [p.get("rule") or p.get("code") for p in report.get("problems", [])]
    assert not [r for r in rules if r and r.startswith("QB5")], report


def test_word_and_libreoffice_show_every_image(
    image_bank: tuple[Path, dict[str, str]], tmp_path: Path, artifacts: Path
) -> None:
    from docx.api import Document

    root, kinds = image_bank
    out = tmp_path / "images.docx"
    res = CliRunner().invoke(
        main, ["export", "docx", str(root), "-o", str(out), "--no-shuffle", "--key", "none"]
    )
    assert res.exit_code == 0, res.output
    assert "image" not in res.output.lower() or "alt text" not in res.output, res.output
    document = Document(str(out))
    described = [s._inline.docPr.get("descr") for s in document.inline_shapes]
    assert sorted(described) == sorted(f"the {name} picture" for name in kinds)
    docx_to_pdf(out, tmp_path)
    pdf = tmp_path / "images.pdf"
    listing = subprocess.run(
        [require_tool("pdfimages"), "-list", str(pdf)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    assert len([row for row in listing if " image " in row]) >= len(kinds)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "[Image:" not in text
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", str(pdf), str(artifacts / "images-docx")], check=True
    )


# -- browsers: the HTML player and Anki's card view ----------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = require_tool("chromium", "/usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


def open_player(browser: Any, bank: Path, out: Path, errors: list[str] | None = None) -> Any:
    """Export ``bank`` as the HTML player (questions in order, feedback at the end) to
    ``out`` and open it in Chromium; console errors go to ``errors`` when given."""
    res = CliRunner().invoke(
        main, ["export", "html", str(bank), "-o", str(out), "--no-shuffle", "--feedback", "end"]
    )
    assert res.exit_code == 0, res.output
    page = browser.new_page(viewport={"width": 900, "height": 900})
    if errors is not None:
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(out.as_uri())
    page.wait_for_selector("body[data-ready='1']")
    return page


def each_card(page: Any, count: int) -> Iterator[int]:
    """Step through ``count`` question cards, each once its images have loaded."""
    for i in range(count):
        page.wait_for_function("[...document.images].every(i => i.complete)")
        yield i
        if i < count - 1:
            page.get_by_role("button", name="Next").click()


DECODED = "els => els.map(e => [e.getAttribute('alt'), e.complete && e.naturalWidth > 0])"


def test_html_player_shows_every_image(
    image_bank: tuple[Path, dict[str, str]], tmp_path: Path, browser: Any, artifacts: Path
) -> None:
    root, kinds = image_bank
    out = tmp_path / "images.html"
    errors: list[str] = []
    page = open_player(browser, root, out, errors)
    page_text = out.read_text("utf-8")
    assert page_text.count((root / "media/photo.jpg").read_bytes()[:600].hex()) == 0  # base64
    seen: dict[str, bool] = {}
    for i in each_card(page, len(kinds)):
        seen.update(dict(page.eval_on_selector_all(".qb-stem img", DECODED)))
        if i == 1:
            page.screenshot(path=str(artifacts / "images-player.png"))
    assert seen == {f"the {name} picture": True for name in kinds}
    assert errors == []


def test_anki_card_view_shows_every_image(
    image_bank: tuple[Path, dict[str, str]], tmp_path: Path, browser: Any, artifacts: Path
) -> None:
    pytest.importorskip("anki")
    from anki.collection import Collection, ImportAnkiPackageRequest

    root, kinds = image_bank
    apkg = tmp_path / "images.apkg"
    res = CliRunner().invoke(main, ["export", "anki", str(root), "-o", str(apkg)])
    assert res.exit_code == 0, res.output
    col = Collection(str(tmp_path / "c.anki2"))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(apkg)))
        fronts = [
            col.get_card(cid).render_output(reload=True).question_text for cid in col.find_cards("")
        ]
        media_dir = Path(col.media.dir())
    finally:
        col.close()
    assert len(fronts) == len(kinds)
    card_page = media_dir / "cards.html"  # served from the media folder, as Anki does
    card_page.write_text(
        "<!doctype html><meta charset=utf-8><body>" + "<hr>".join(fronts), encoding="utf-8"
    )
    page = browser.new_page(viewport={"width": 900, "height": 900})
    page.goto(card_page.as_uri())
    page.wait_for_function("[...document.images].every(i => i.complete)")
    seen = dict(page.eval_on_selector_all("img", DECODED))
    assert seen == {f"the {name} picture": True for name in kinds}
    page.screenshot(path=str(artifacts / "images-anki.png"), full_page=True)
