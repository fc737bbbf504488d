"""Everything students and teachers read, in the class's language (issue 13 §4).

* every shipped catalog is complete, current with the code (a fresh ``pybabel extract``)
  and compiled (the ``.mo`` says what the ``.po`` says), with the placeholders intact;
* per target (docx, html, surveyjs, anki), a German export of a German bank contains no
  English UI string — checked in what the real consumer shows (LibreOffice's PDF text, the
  page in Chromium, survey-core's model, Anki's rendered cards);
* decimal commas: ``5,05`` is a number where the language writes it so;
* right-to-left languages lay out right to left (html and docx).
"""

from __future__ import annotations

import gettext
import json
import re
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner

from conftest import ROOT, docx_to_pdf, require_tool
from qbank.cli import main
from qbank.grade import grade, parse_numeric_response
from qbank.i18n import LOCALES, SHIPPED, direction, js_catalog, translator, uses_decimal_comma
from qbank.load import load_bank

GERMAN_BANK = ROOT / "tests/fixtures/banks/physik-de"
PLACEHOLDER = re.compile(r"\{\w+\}")


def catalog(lang: str) -> Any:
    with (LOCALES / lang / "LC_MESSAGES/qbank.po").open("rb") as f:
        return read_po(f, locale=lang)


# -- catalogs -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> set[Any]:
    """The msgids the code uses now (what ``make i18n`` extracts)."""
    pot = tmp_path_factory.mktemp("pot") / "qbank.pot"
    subprocess.run(
        [str(Path(__import__("sys").executable).parent / "pybabel"), "extract",
         "-F", str(ROOT / "babel.cfg"), "-o", str(pot), str(ROOT)],
        check=True, cwd=ROOT, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as f:
        return {m.id for m in read_po(f) if m.id}


def test_shipped_languages() -> None:
    assert set(SHIPPED) >= {"en", "de", "fr", "es", "it", "nl", "pt", "pl", "ar", "he"}
    for lang in SHIPPED:
        assert (LOCALES / lang / "LC_MESSAGES/qbank.mo").is_file(), lang


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_catalog_is_complete_current_and_compiled(lang: str, extracted: set[Any]) -> None:
    cat = catalog(lang)
    ids = {m.id for m in cat if m.id}
    assert ids == extracted, (
        f"{lang}: run `make i18n` (missing {extracted - ids}, stale {ids - extracted})"
    )
    mo = gettext.GNUTranslations((LOCALES / lang / "LC_MESSAGES/qbank.mo").open("rb"))
    for m in cat:
        if not m.id:
            continue
        assert not m.fuzzy, (lang, m.id)
        if isinstance(m.id, tuple):
            forms = list(m.string)
            assert len(forms) == cat.num_plurals and all(forms), (lang, m.id)
            wanted = set(PLACEHOLDER.findall(m.id[1]))
            assert all(set(PLACEHOLDER.findall(f)) == wanted for f in forms), (lang, m.id)
            index = gettext.c2py(cat.plural_expr)  # ar: 0 → zero, 1 → one, 2 → two …
            for n in (0, 1, 2, 3, 11, 100, 1_000_000):
                assert mo.ngettext(m.id[0], m.id[1], n) == forms[index(n)], (lang, m.id, n)
        else:
            assert m.string, (lang, m.id)
            assert set(PLACEHOLDER.findall(m.string)) == set(PLACEHOLDER.findall(m.id)), (
                lang,
                m.id,
            )
            assert mo.gettext(m.id) == m.string, f"{lang}: the .mo is stale: run `make i18n`"


def test_plural_forms_follow_the_language() -> None:
    pl = translator("pl")
    got = [pl.ngettext("{n} point", "{n} points", n).format(n=n) for n in (1, 2, 5, 22, 25)]
    assert got == ["1 punkt", "2 punkty", "5 punktów", "22 punkty", "25 punktów"]
    assert translator("fr").ngettext("{n} point", "{n} points", 0).format(n=0) == "0 point"
    assert translator("de-AT").gettext("Next") == "Weiter"  # the base language's catalog
    assert translator("xx").gettext("Next") == "Next"  # unknown: English
    page = js_catalog("pl", [("{n} word left", "{n} words left")])["{n} word left"]
    assert page == {
        "one": "zostało {n} słowo",
        "few": "zostały {n} słowa",
        "many": "zostało {n} słów",
    }
    ar = translator("ar")
    got = [ar.ngettext("{n} point", "{n} points", n).format(n=n) for n in (2, 3, 11, 100)]
    assert got == ["2 درجتان", "3 درجات", "11 درجة", "100 درجة"]
    he = translator("he")
    got = [he.ngettext("{n} question", "{n} questions", n).format(n=n) for n in (1, 2, 0)]
    assert got == ["1 שאלה", "2 שאלות", "0 שאלות"]
    # the player picks a CLDR category with Intl.PluralRules: every category has its form
    words = ("{n} word left", "{n} words left")
    assert js_catalog("ar", [words])["{n} word left"] == {
        "zero": "المتبقي: {n} كلمة",
        "one": "المتبقي: {n} كلمة",
        "two": "المتبقي: {n} كلمتان",
        "few": "المتبقي: {n} كلمات",
        "many": "المتبقي: {n} كلمة",
        "other": "المتبقي: {n} كلمة",
    }
    assert js_catalog("he", [words])["{n} word left"] == {
        "one": "נותרה {n} מילה",
        "two": "נותרו {n} מילים",
        "other": "נותרו {n} מילים",
    }


# -- German exports: no English UI string ---------------------------------------------------------


def english_ui_strings(lang: str = "de") -> list[str]:
    """Fragments of the English messages whose translation differs (placeholders cut out)."""
    out: set[str] = set()
    for m in catalog(lang):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if set(ids) & set(strings):
            continue  # the same words in both languages
        for text in ids:
            for piece in PLACEHOLDER.split(text):
                piece = piece.strip(" .·—–()“”‘’,;%")
                if len(re.sub(r"\W", "", piece)) >= 3:
                    out.add(piece)
    return sorted(out)


def assert_no_english(text: str, where: str) -> None:
    found = [s for s in english_ui_strings() if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", text)]
    assert not found, f"{where}: English UI text in a German export: {found}"


def export(target: str, out: Path, *args: str, bank: Path = GERMAN_BANK) -> None:
    res = CliRunner().invoke(main, ["export", target, str(bank), "-o", str(out), *args])
    assert res.exit_code == 0, res.output


def test_english_fragments_are_found() -> None:
    words = english_ui_strings()
    assert {"Choose all that apply", "Next", "TEACHER COPY", "word left", "Page"} <= set(words)
    with pytest.raises(AssertionError):
        assert_no_english("Seite 1 · Next", "self-test")


def test_german_docx_in_libreoffice(tmp_path: Path, artifacts: Path) -> None:
    from docx.api import Document

    out = tmp_path / "physik.docx"
    export("docx", out, "--key", "append", "--no-shuffle")
    document = Document(str(out))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    text = "\n".join(parts)
    assert "Wähle alle zutreffenden Antworten." in text and "LEHRKRAFT-EXEMPLAR" in text
    assert_no_english(text, "docx")
    docx_to_pdf(out, tmp_path)
    pdf_text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "physik.pdf"), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert re.search(r"Version A · Seite 1 von \d", pdf_text)
    assert_no_english(pdf_text, "docx as rendered by LibreOffice")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = require_tool("chromium", "/usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


SCREEN_TEXT = """() => [document.body.innerText,
  ...[...document.querySelectorAll('[aria-label]')].map(e => e.getAttribute('aria-label')),
  ...[...document.querySelectorAll('legend, option')].map(e => e.textContent)].join('\\n')"""


def test_german_html_player_in_chromium(tmp_path: Path, browser: Any, artifacts: Path) -> None:
    out = tmp_path / "physik.html"
    export("html", out, "--no-shuffle")
    page = browser.new_page(viewport={"width": 900, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(out.as_uri())
    page.wait_for_selector("body[data-ready='1']")
    assert page.evaluate("document.documentElement.lang") == "de"
    seen = []
    for i in range(9):
        card = page.locator(".qb-card")
        if card.get_attribute("data-type") == "numeric":
            page.locator(".qb-text-input").fill("9,81")  # a German decimal comma
        if card.get_attribute("data-type") == "short":
            page.locator(".qb-text-input").fill("Joule")
        seen.append(page.evaluate(SCREEN_TEXT))
        page.get_by_role("button", name="Prüfen").click()
        seen.append(page.evaluate(SCREEN_TEXT))
        if i == 4:
            assert "Richtig!" in page.inner_text(".qb-feedback")  # 9,81 is 9.81
            page.screenshot(path=str(artifacts / "i18n-de-player.png"))
        page.get_by_role("button", name="Abschließen" if i == 8 else "Weiter").click()
    seen.append(page.evaluate(SCREEN_TEXT))
    page.screenshot(path=str(artifacts / "i18n-de-player-results.png"), full_page=True)
    text = "\n".join(seen)
    assert "Dein Ergebnis:" in text and "Wähle alle zutreffenden Antworten." in text
    assert_no_english(text, "html player")
    result = page.evaluate("window.qbankResult")
    numeric = next(q for q in result["questions"] if q["type"] == "numeric")
    assert numeric["correct"] is True
    assert errors == []


def test_german_surveyjs(tmp_path: Path) -> None:
    out = tmp_path / "physik.survey.json"
    export("surveyjs", out, "--no-shuffle")
    survey = json.loads(out.read_text("utf-8"))
    assert survey["locale"] == "de"  # SurveyJS's own buttons, from its German localisation
    shown: list[str] = [survey["completeText"], survey["completedHtml"]]
    for page in survey["pages"]:
        for el in page["elements"]:
            for key in ("title", "description", "labelTrue", "labelFalse"):
                if key in el:
                    shown.append(el[key])
            shown += [c["title"] for c in el.get("columns", [])]
            shown += [i["title"] for i in el.get("items", [])]
    text = "\n".join(shown)
    assert "Wähle alle zutreffenden Antworten." in text and "Wahr" in text
    assert_no_english(text, "surveyjs")


def test_german_anki_cards(tmp_path: Path) -> None:
    pytest.importorskip("anki")
    from anki.collection import Collection, ImportAnkiPackageRequest

    out = tmp_path / "physik.apkg"
    export("anki", out, "--no-state")  # leave the fixture bank untouched
    col = Collection(str(tmp_path / "c.anki2"))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(out)))
        sides = []
        for cid in col.find_cards(""):
            r = col.get_card(cid).render_output(reload=True)
            sides += [r.question_text, r.answer_text]
    finally:
        col.close()
    # `[[type:Answer]]` is where Anki's reviewer puts the typing box, not text
    text = "\n".join(re.sub(r"<[^>]+>|\[\[type:\w+\]\]", " ", s) for s in sides)
    assert "Wähle alle zutreffenden Antworten." in text and "Antwort:" in text
    assert "9,81" in text  # the typed answer as the class writes it
    assert_no_english(text, "anki")


# -- numbers and direction ------------------------------------------------------------------------


def test_decimal_comma_where_the_language_uses_it() -> None:
    assert uses_decimal_comma("de") and uses_decimal_comma("fr") and uses_decimal_comma("pl")
    assert not uses_decimal_comma("en") and not uses_decimal_comma(None)
    q = load_bank(GERMAN_BANK).by_id()["erdbeschleunigung"]
    assert grade(q, "9,81", decimal_comma=True).correct
    assert grade(q, "9,81 m/s²", decimal_comma=True).correct
    assert grade(q, "9.81", decimal_comma=True).correct  # a point is always a point
    assert not grade(q, "9,81").correct  # English page: 9,81 is not a number
    assert parse_numeric_response("1.000,5", decimal_comma=True) is None  # grouping: refused
    assert parse_numeric_response("1,000.5", decimal_comma=True) is None
    assert str(parse_numeric_response("-0,5", decimal_comma=True)) == "-0.5"


def test_right_to_left_html_and_docx(tmp_path: Path, browser: Any, artifacts: Path) -> None:
    from docx.api import Document
    from docx.oxml.ns import qn

    assert direction("ar") == direction("he") == "rtl" and direction("de") == "ltr"
    out = tmp_path / "q.html"
    export("html", out, "--language", "he", "--no-shuffle")
    page = browser.new_page(viewport={"width": 900, "height": 700})
    page.goto(out.as_uri())
    page.wait_for_selector("body[data-ready='1']")
    assert page.evaluate("getComputedStyle(document.querySelector('.qb-card')).direction") == "rtl"
    page.screenshot(path=str(artifacts / "i18n-he-player.png"))
    docx = tmp_path / "q.docx"
    export("docx", docx, "--language", "ar", "--key", "none")
    document = Document(str(docx))
    styles = document.styles.element
    question = styles.xpath("//w:style[@w:styleId='Question']")[0]
    assert question.find(qn("w:pPr")).find(qn("w:bidi")) is not None
    assert document.sections[0]._sectPr.find(qn("w:bidi")) is not None
    with zipfile.ZipFile(docx) as z:
        assert b"<w:bidi/>" in z.read("word/styles.xml")


def test_arabic_docx_and_html_are_in_arabic_and_right_to_left(
    tmp_path: Path, browser: Any, artifacts: Path
) -> None:
    """An Arabic class gets Arabic text around the questions, laid out right to left."""
    from docx.api import Document
    from docx.oxml.ns import qn

    docx = tmp_path / "q.docx"
    export("docx", docx, "--language", "ar", "--key", "none", "--no-shuffle")
    document = Document(str(docx))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    text = "\n".join(parts)
    assert "الاسم:" in text  # Name:
    assert "اختر كل الإجابات الصحيحة." in text  # Choose all that apply.
    assert "Name:" not in text and "Choose all that apply." not in text
    assert document.sections[0]._sectPr.find(qn("w:bidi")) is not None
    question = document.styles.element.xpath("//w:style[@w:styleId='Question']")[0]
    assert question.find(qn("w:pPr")).find(qn("w:bidi")) is not None

    out = tmp_path / "q.html"
    export("html", out, "--language", "ar", "--no-shuffle")
    page = browser.new_page(viewport={"width": 900, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(out.as_uri())
    page.wait_for_selector("body[data-ready='1']")
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
        "ar",
        "rtl",
    ]
    seen = []
    cards = page.locator(".qb-card")
    for _ in range(20):
        seen.append(page.evaluate(SCREEN_TEXT))
        if "اختر كل الإجابات الصحيحة." in seen[-1]:
            break
        page.get_by_role("button", name="تحقّق").click()  # Check
        page.get_by_role("button", name="التالي").click()  # Next
    assert "اختر كل الإجابات الصحيحة." in seen[-1], "no multi-select card shown in Arabic"
    assert "Choose all that apply" not in "\n".join(seen)
    assert cards.evaluate("e => getComputedStyle(e).direction") == "rtl"
    page.screenshot(path=str(artifacts / "i18n-ar-player.png"))
    assert errors == []
