"""SurveyJS exports rendered by SurveyJS itself (survey-core + survey-js-ui 2.5.38, pinned in
tests/node) in headless Chromium: typeset maths in the stems, the German labels and
SurveyJS's own German buttons. Screenshots go to test-artifacts/ for a human look.

The page is built here from the exported JSON (a file:// page cannot fetch it) and loads
the library files from tests/node/node_modules; every other request is aborted and fails
the test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import ROOT, require_tool
from qbank.cli import main
from test_maths import maths_bank

NODE_MODULES = ROOT / "tests/node/node_modules"
GERMAN_BANK = ROOT / "tests/fixtures/banks/physik-de"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = require_tool("chromium", "/usr/bin/chromium")
    if not (NODE_MODULES / "survey-js-ui/survey-js-ui.min.js").is_file():
        pytest.skip("survey-js-ui is not installed in tests/node (run `make node-deps`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


def survey_page(survey_json: Path, folder: Path, *, i18n: bool = False) -> Path:
    lib = NODE_MODULES.as_uri()
    scripts = ["survey-core/survey.core.min.js"]
    if i18n:
        scripts.append("survey-core/survey.i18n.min.js")
    scripts.append("survey-js-ui/survey-js-ui.min.js")
    data = survey_json.read_text("utf-8").replace("</", "<\\/")
    page = folder / "survey.html"
    page.write_text(
        "<!doctype html><html><head><meta charset=utf-8>"
        f'<link rel="stylesheet" href="{lib}/survey-core/survey-core.fontless.min.css">'
        + "".join(f'<script src="{lib}/{s}"></script>' for s in scripts)
        + "<style>math{font-family:'DejaVu Math TeX Gyre',math}</style></head><body>"
        '<div id="survey"></div><script>'
        f"window.survey = new Survey.Model({data});"
        "window.survey.render(document.getElementById('survey'));"
        "</script></body></html>",
        encoding="utf-8",
    )
    return page


def open_page(browser: Any, page_file: Path) -> tuple[Any, list[str]]:
    context = browser.new_context(viewport={"width": 900, "height": 800})
    outside: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.goto(page_file.as_uri())
    page.wait_for_selector(".sd-question, .sd-html")
    return page, outside


def export(bank: Path, out: Path) -> None:
    res = CliRunner().invoke(
        main, ["export", "surveyjs", str(bank), "-o", str(out), "--no-shuffle"]
    )
    assert res.exit_code == 0, res.output


def test_surveyjs_shows_typeset_maths(tmp_path: Path, browser: Any, artifacts: Path) -> None:
    bank = maths_bank(tmp_path / "bank")
    out = tmp_path / "maths.survey.json"
    export(bank, out)
    page, outside = open_page(browser, survey_page(out, tmp_path))
    for n in (3, 9, 22):  # a fraction with a root, a matrix, cases
        page.evaluate(f"survey.currentPageNo = {n - 1}")
        maths = page.locator(".sd-html math")
        maths.first.wait_for()
        box = maths.first.bounding_box()
        assert box and box["width"] > 40 and box["height"] > 20, (n, box)
        assert "\\" not in page.inner_text(".sd-html")
        if n == 3:
            page.screenshot(path=str(artifacts / "maths-surveyjs.png"))
    assert outside == []


def test_surveyjs_in_german(tmp_path: Path, browser: Any, artifacts: Path) -> None:
    out = tmp_path / "physik.survey.json"
    export(GERMAN_BANK, out)
    assert json.loads(out.read_text("utf-8"))["locale"] == "de"
    page, outside = open_page(browser, survey_page(out, tmp_path, i18n=True))
    page.evaluate("survey.currentPageNo = 1")  # the multi-select question
    page.get_by_text("Wähle alle zutreffenden Antworten.").wait_for()
    assert page.get_by_role("button", name="Weiter").count() == 1  # SurveyJS's German
    page.screenshot(path=str(artifacts / "i18n-de-surveyjs.png"))
    assert outside == []
