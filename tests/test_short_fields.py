"""No silent content loss (issue 12, point 3): short fields are inline text.

Options, order items, match pairs, accepted answers and cloze answers render as typed in
every export — `4.`, `1)`, `- x`, `# x`, `> x`, `+ x`, `1. Stop the instance. 2. …` are not
CommonMark blocks there — while stems, explanations and feedback keep CommonMark. Each
export is read back the way its consumer reads it (the JSON and SurveyJS documents, the
HTML page's embedded data, the Anki collection's note fields, the Word document's
paragraphs, qbank's own grader).
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner

from qbank.cli import main
from qbank.grade import grade
from qbank.load import load_bank
from qbank.markup import to_html, to_text

MakeBank = Callable[..., Path]

#: every block marker a short field may start with, as typed by authors of real banks
MARKERS = [
    "4.",
    "35.",
    "1)",
    "- x",
    "# x",
    "> x",
    "+ x",
    "* x",
    "---",
    "1. Stop the instance. 2. Start it again.",
    "2) Detach the volume",
    "## Heading-like option",
]


def q(value: str) -> str:
    """A YAML scalar for ``value`` (JSON strings are YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _bank_files() -> dict[str, str]:
    opts = "\n".join(
        f"      - text: {q(m)}" + ("\n        correct: true" if i == 0 else "")
        for i, m in enumerate(MARKERS)
    )
    items = "\n".join(f"      - {q(m)}" for m in MARKERS)
    pairs = "\n".join(f"      - [{q(m)}, {q('right ' + m)}]" for m in MARKERS)
    answers = "\n".join(f"      - {q(m)}" for m in MARKERS)
    blanks = " and ".join("{{" + m + "}}" for m in MARKERS[:6])
    text = f"""\
questions:
  - id: pick
    type: single
    shuffle: false
    text: Which step comes first?
    explanation: "1. Stop the instance.\\n2. Start it again."
    options:
{opts}
  - id: order
    type: order
    text: Put the steps in order.
    items:
{items}
  - id: match
    type: match
    text: Match the steps.
    pairs:
{pairs}
  - id: short
    type: short
    text: Type the first step.
    answers:
{answers}
  - id: cloze
    type: cloze
    text: {q("Steps: " + blanks + ".")}
"""
    return {"q.yaml": text}


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("short") / "bank"
    root.mkdir()
    (root / "qbank.yaml").write_text("id: short-fields\ntitle: Short fields\n", encoding="utf-8")
    for rel, text in _bank_files().items():
        (root / rel).write_text(text, encoding="utf-8")
    return root


def export(bank: Path, target: str, out: Path, *args: str) -> Path:
    result = CliRunner().invoke(main, ["export", target, str(bank), "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    return out


def _by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {x["id"]: x for x in doc["forms"][0]["questions"]}


# -- the markup layer ---------------------------------------------------------------------


@pytest.mark.parametrize("marker", MARKERS)
def test_inline_markup_keeps_block_markers(marker: str) -> None:
    assert to_text(marker, inline=True) == marker
    assert to_html(marker, inline=True) == html.escape(marker, quote=False)


def test_inline_markup_keeps_inline_formatting() -> None:
    assert to_html("**4.** is `x`", inline=True) == "<strong>4.</strong> is <code>x</code>"
    assert to_text("**4.** is `x`", inline=True) == "4. is x"


def test_long_fields_keep_commonmark() -> None:
    assert to_html("1. Stop\n2. Start") == "<ol>\n<li>Stop</li>\n<li>Start</li>\n</ol>"
    assert to_text("# Case study\n\nContoso runs …") == "Case study\n\nContoso runs …"


def test_plain_text_of_an_ordered_list_keeps_its_numbers() -> None:
    assert to_text("1. Stop the instance.\n2. Start it.") == "1. Stop the instance.\n2. Start it."
    assert to_text("4. Only\n5. these") == "4. Only\n5. these"


# -- every export -------------------------------------------------------------------------


def test_json_export(bank: Path, tmp_path: Path) -> None:
    doc = json.loads(export(bank, "json", tmp_path / "q.json").read_text(encoding="utf-8"))
    qs = _by_id(doc)
    opts = qs["pick"]["options"]
    assert [o["text"] for o in opts] == MARKERS
    assert [o["html"] for o in opts] == [html.escape(m, quote=False) for m in MARKERS]
    assert sorted(i["text"] for i in qs["order"]["items"]) == sorted(MARKERS)  # shuffled
    lefts = [p["text"] for p in qs["match"]["left"]] if "left" in qs["match"] else None
    flat = json.dumps(qs["match"], ensure_ascii=False)
    for m in MARKERS:
        assert json.dumps(m, ensure_ascii=False) in flat
        assert json.dumps("right " + m, ensure_ascii=False) in flat
    assert lefts is None or lefts == MARKERS
    flat_short = json.dumps(qs["short"], ensure_ascii=False)
    assert all(json.dumps(m, ensure_ascii=False) in flat_short for m in MARKERS)
    flat_cloze = json.dumps(qs["cloze"], ensure_ascii=False)
    assert all(json.dumps(m, ensure_ascii=False) in flat_cloze for m in MARKERS[:6])
    # the long field keeps CommonMark: the explanation is a list
    assert "<ol>" in qs["pick"]["explanation"]["html"]


def test_html_export(bank: Path, tmp_path: Path) -> None:
    page = export(bank, "html", tmp_path / "q.html").read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json"[^>]*>(.*?)</script>', page, re.DOTALL)
    assert m
    raw = m.group(1).replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&")
    data = json.loads(raw)
    qs = _by_id(data["quiz"])
    assert [o["html"] for o in qs["pick"]["options"]] == [
        html.escape(x, quote=False) for x in MARKERS
    ]


def test_surveyjs_export(bank: Path, tmp_path: Path) -> None:
    doc = json.loads(export(bank, "surveyjs", tmp_path / "s.json").read_text(encoding="utf-8"))
    elements = {e["name"]: e for page in doc["pages"] for e in page["elements"]}
    pick = [html.unescape(c["text"]) for c in elements["pick"]["choices"]]
    assert pick == MARKERS
    order = [html.unescape(r["text"]) for r in elements["order"]["rows"]]
    assert sorted(order) == sorted(MARKERS)
    rows = [html.unescape(r["text"]) for r in elements["match"]["rows"]]
    assert rows == MARKERS
    flat = json.dumps(doc, ensure_ascii=False)
    assert "<li></li>" not in flat and "<h1>" not in flat and "<hr" not in flat


def test_anki_export(bank: Path, tmp_path: Path) -> None:
    apkg = export(bank, "anki", tmp_path / "d.apkg")
    db = tmp_path / "collection.anki2"
    with zipfile.ZipFile(apkg) as z:
        db.write_bytes(z.read("collection.anki2"))
    fields = "\x1f".join(row[0] for row in sqlite3.connect(db).execute("select flds from notes"))
    for m in MARKERS:
        assert html.escape(m, quote=False) in fields, m
    assert "<li></li>" not in fields and "<h1>" not in fields and "<hr" not in fields


def test_docx_export(bank: Path, tmp_path: Path) -> None:
    out = export(bank, "docx", tmp_path / "w.docx", "--key", "append")
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    for m in MARKERS:
        assert m in text, m


def test_grader_accepts_the_typed_answer(bank: Path) -> None:
    loaded = load_bank(bank)
    short = loaded.by_id()["short"]
    for m in MARKERS:
        assert grade(short, m).correct, m


# -- QB506: text no rendering shows -----------------------------------------------------


def test_qb506_unused_reference_definition_through_the_cli(make_bank: MakeBank) -> None:
    """A pasted case study whose exhibit line is a link reference definition: an error
    at the line, naming the text and how to show it."""
    bank = make_bank(
        {
            "case.yaml": """\
            id: case-1
            type: truefalse
            text: |-
              Contoso has 300 VMs in West Europe. Review the exhibit.

              [Exhibit 1]: https://example.com/exhibit-1.png
            answer: true
            explanation: The exhibit shows it.
            """
        }
    )
    result = CliRunner().invoke(
        main, ["validate", str(bank), "--format", "json"], env={"GITHUB_ACTIONS": "false"}
    )
    assert result.exit_code == 1
    (p,) = [p for p in json.loads(result.output)["problems"] if p["rule"] == "QB506"]
    assert (p["path"], p["line"], p["column"], p["severity"]) == ("case.yaml", 6, 3, "error")
    assert p["message"] == (
        "`[Exhibit 1]: https://example.com/exhibit-1.png` is shown in no export: markdown "
        "reads the line as a link reference definition, which is never shown"
    )
    assert p["hint"] == "write a backslash before the colon (`[1]\\:`) to show it as text"


def test_block_markers_in_short_fields_are_not_reported(bank: Path) -> None:
    result = CliRunner().invoke(
        main, ["validate", str(bank), "--format", "json"], env={"GITHUB_ACTIONS": "false"}
    )
    rules = {p["rule"] for p in json.loads(result.output)["problems"]}
    assert not rules & {"QB506", "QB1", "QB201"}, rules
    assert result.exit_code == 0


def test_moodle_export(bank: Path, tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    out = export(bank, "moodle", tmp_path / "m.xml")
    root = ET.parse(out).getroot()
    by_name = {
        q.findtext("name/text"): q for q in root.iter("question") if q.get("type") != "category"
    }
    pick = by_name["pick"]
    answers = [html.unescape(a.findtext("text") or "") for a in pick.iter("answer")]
    assert answers == MARKERS
    short = [a.findtext("text") or "" for a in by_name["short"].iter("answer")]
    assert [a.replace("\\*", "*") for a in short] == MARKERS  # `*` is Moodle's wildcard
    right = {s.findtext("answer/text") for s in by_name["match"].iter("subquestion")}
    assert right == {f"right {m}" for m in MARKERS}


def test_gift_export(bank: Path, tmp_path: Path) -> None:
    text = export(bank, "gift", tmp_path / "g.txt").read_text(encoding="utf-8")
    block = text.split("// [id:pick]", 1)[1].split("}", 1)[0]
    lines = [ln[1:] for ln in block.splitlines() if ln[:1] in ("=", "~")]
    # GIFT escapes its own specials (`#`, `=` …) and the options are HTML
    shown = [html.unescape(re.sub(r"\\(.)", r"\1", ln)) for ln in lines]
    assert shown == MARKERS
