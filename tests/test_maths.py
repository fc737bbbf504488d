"""Maths in every target, on the 40 formulas of ``tests/fixtures/maths/formulas.txt``.

* web (json, html, surveyjs): MathML made at export time, checked in headless Chromium
  (``<math>`` in the DOM, no LaTeX left, a screenshot in test-artifacts/ for a human look);
* Word: native equations (OMML) rendered by LibreOffice, read back with ``pdftotext``, with
  readable text (never LaTeX commands) for the constructs refused (``OMML_UNSUPPORTED``).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import ROOT, docx_to_pdf, require_tool
from qbank.cli import main
from qbank.render.maths import MATHML_NS, omml_supported, to_mathml, to_omml
from qbank.render.text import math_text

FORMULAS = [
    (tex, mode == "display")
    for mode, tex in (
        line.split("\t", 1)
        for line in (ROOT / "tests/fixtures/maths/formulas.txt").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    )
]
CHROMIUM = "/usr/bin/chromium"


def maths_bank(root: Path) -> Path:
    """One true/false question per formula, inline ``\\( \\)`` or display ``\\[ \\]``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "qbank.yaml").write_text("id: maths\ntitle: Maths\n", encoding="utf-8")
    lines = ["questions:"]
    for i, (tex, display) in enumerate(FORMULAS, 1):
        src = f"\n\n\\[ {tex} \\]\n" if display else f"\\( {tex} \\)"
        lines += [
            f"- id: f{i}",
            "  type: truefalse",
            "  answer: true",
            f"  text: {json.dumps(f'Formula {i}: {src}')}",
        ]
    (root / "maths.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def test_forty_formulas() -> None:
    assert len(FORMULAS) == 40


@pytest.mark.parametrize(("tex", "display"), FORMULAS)
def test_every_formula_becomes_allow_listed_mathml(tex: str, display: bool) -> None:
    from lxml import etree

    mathml = to_mathml(tex, display)
    assert mathml is not None
    root = etree.fromstring(mathml)
    assert root.tag == f"{{{MATHML_NS}}}math"
    assert root.get("display") == ("block" if display else "inline")
    text = "".join(root.itertext())
    assert "\\" not in text and "&" not in text
    assert to_mathml(tex, display) == mathml  # deterministic


def test_author_markup_inside_text_never_reaches_the_page() -> None:
    assert to_mathml(r"\text{<script>alert(1)</script>}") is None
    assert to_mathml(r"\text{<b>x</b>}") is None
    href = to_mathml(r"\href{javascript:alert(1)}{y}")
    assert href is None or "javascript" not in href
    style = to_mathml(r"\style{color:red}{y}")
    assert style is None or "style" not in style
    assert to_mathml(r"\frac{1}{") is None or "\\" not in (to_mathml(r"\frac{1}{") or "")


@pytest.mark.parametrize(("tex", "display"), FORMULAS)
def test_word_gets_an_equation_or_readable_text(tex: str, display: bool) -> None:
    eq = to_omml(tex, display)
    refused = not omml_supported(tex)
    assert (eq is None) == refused
    if eq is None:
        text = math_text(f"\\({tex}\\)")
        assert "\\" not in text, text


# -- Chromium -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = require_tool("chromium", CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


def _guarded_page(browser: Any) -> tuple[Any, list[str]]:
    context = browser.new_context(viewport={"width": 900, "height": 900})
    outside: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    return context.new_page(), outside


def test_web_maths_in_chromium(tmp_path: Path, browser: Any, artifacts: Path) -> None:
    bank = maths_bank(tmp_path / "bank")
    out = tmp_path / "maths.json"
    res = CliRunner().invoke(main, ["export", "json", str(bank), "-o", str(out), "--no-shuffle"])
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text("utf-8"))
    stems = [q["html"] for q in doc["forms"][0]["questions"]]
    css = (ROOT / "exporters/web/player.css").read_text("utf-8")
    page_html = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<style>{css}</style></head><body><main class=qb-quiz>"
        + "".join(f'<div class="qb-stem">{s}</div>' for s in stems)
        + "</main></body></html>"
    )
    path = tmp_path / "maths.html"
    path.write_text(page_html, "utf-8")
    page, outside = _guarded_page(browser)
    page.goto(path.as_uri())
    assert page.locator("math").count() == 40
    body = page.inner_text("body")
    assert "\\(" not in body and "\\[" not in body and "\\frac" not in body
    # every formula has a real size: the browser laid it out as maths
    sizes = page.eval_on_selector_all(
        "math",
        "els => els.map(e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height])",
    )
    assert all(w > 5 and h > 5 for w, h in sizes), sizes
    page.screenshot(path=str(artifacts / "maths-web-json.png"), full_page=True)
    assert outside == []


def _bar_coverage(png: bytes) -> float:
    """How much of a picture's width its top-most row of ink covers (0 to 1)."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        gray = im.convert("L")
        width, height = gray.size
        pixels = gray.load()
        for y in range(height):
            ink = [x for x in range(width) if pixels[x, y] < 128]
            if ink:
                return (max(ink) - min(ink) + 1) / width
    return 0.0


def test_overline_spans_its_argument_in_chromium(browser: Any, artifacts: Path) -> None:
    """``\\overline``: Chromium stretches the bar only with a glyph the maths font can
    stretch horizontally (U+0332 in DejaVu Math TeX Gyre); the macron stayed a short dash."""
    css = (ROOT / "exporters/web/player.css").read_text("utf-8")
    formulas = [r"\overline{AB}", r"\overline{x}", r"\overline{PQ} = \overline{RS}"]
    html = "".join(f"<p>{to_mathml(tex)}</p>" for tex in formulas)
    page, outside = _guarded_page(browser)
    page.set_content(
        f"<!doctype html><html><head><meta charset=utf-8><style>{css}</style></head>"
        f'<body><main class="qb-quiz" style="font-size:40px">{html}</main></body></html>'
    )
    bars = page.locator("mover")
    assert bars.count() == 4
    coverage = [_bar_coverage(bars.nth(i).screenshot()) for i in range(4)]
    page.screenshot(path=str(artifacts / "maths-web-overline.png"), full_page=True)
    assert all(c >= 0.85 for c in coverage), coverage
    assert outside == []


def test_html_player_shows_mathml(tmp_path: Path, browser: Any, artifacts: Path) -> None:
    bank = maths_bank(tmp_path / "bank")
    out = tmp_path / "quiz.html"
    res = CliRunner().invoke(
        main, ["export", "html", str(bank), "-o", str(out), "--no-shuffle", "--ids", "f3,f9,f22"]
    )
    assert res.exit_code == 0, res.output
    page, outside = _guarded_page(browser)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(out.as_uri())
    page.wait_for_selector("body[data-ready='1']")
    stem = page.locator(".qb-stem").first
    assert stem.locator("math").count() == 1
    assert "\\" not in stem.inner_text()
    page.screenshot(path=str(artifacts / "maths-web-player.png"), full_page=True)
    assert outside == [] and errors == []


def test_surveyjs_stems_carry_mathml(tmp_path: Path) -> None:
    bank = maths_bank(tmp_path / "bank")
    out = tmp_path / "maths.survey.json"
    res = CliRunner().invoke(
        main, ["export", "surveyjs", str(bank), "-o", str(out), "--no-shuffle"]
    )
    assert res.exit_code == 0, res.output
    text = out.read_text("utf-8")
    survey = json.loads(text)
    elements = [e for p in survey["pages"] for e in p["elements"]]
    stems = [e for e in elements if e["type"] == "html"]
    assert len(stems) == 40 and all("<math" in e["html"] for e in stems)
    assert "\\\\(" not in text and "\\\\frac" not in text


# -- LibreOffice --------------------------------------------------------------------------------


def test_word_equations_in_libreoffice(tmp_path: Path, artifacts: Path) -> None:
    require_tool("soffice")  # skip before building anything
    require_tool("pdftotext")
    bank = maths_bank(tmp_path / "bank")
    out = tmp_path / "maths.docx"
    res = CliRunner().invoke(
        main, ["export", "docx", str(bank), "-o", str(out), "--no-shuffle", "--key", "none"]
    )
    assert res.exit_code == 0, res.output
    docx_to_pdf(out, tmp_path)
    pdf = tmp_path / "maths.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "\\" not in text  # no LaTeX on paper
    flat = re.sub(r"\s+", "", text)
    for i in range(1, 41):
        assert f"Formula{i}:" in flat
    # what each kind of formula leaves in the text layer (equations and fallbacks)
    for piece in ["Δv", "√", "∑", "ℝ", "ℕ⊂ℤ⊂ℚ", "lcm", "det|ab;cd|=ad-bc", "a=b+c;=d",
                  "P(A∣B)", "sin", "log", "∂f", "α+β=γ", "≤", "90"]:  # fmt: skip
        assert piece in flat, piece
    assert "f(x)={" in flat  # cases: the left brace (m:d, begChr "{", no closing one)
    subprocess.run(
        ["pdftoppm", "-r", "70", "-png", str(pdf), str(artifacts / "maths-docx")], check=True
    )
    # the thin stretched brace of `cases` (formula 22, page 2) is only legible at print
    # resolution: at 70 dpi it looks like a bare line
    subprocess.run(
        ["pdftoppm", "-r", "300", "-f", "2", "-l", "2", "-png", str(pdf),
         str(artifacts / "maths-docx-300dpi")],
        check=True,
    )  # fmt: skip


def test_cases_is_a_left_brace_delimiter_in_word() -> None:
    from lxml import etree

    tex = next(t for t, _ in FORMULAS if "cases" in t)
    omml = to_omml(tex, True)
    assert omml is not None
    m = f"{{{etree.QName(omml).namespace}}}"
    (d,) = [d for d in omml.iter(m + "d") if d.find(f".//{m}m") is not None]
    assert d.find(f"{m}dPr/{m}begChr").get(m + "val") == "{"
    assert d.find(f"{m}dPr/{m}endChr").get(m + "val") == ""
