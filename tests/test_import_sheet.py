"""Spreadsheets: `qbank export csv|xlsx` and `qbank import csv|xlsx` round-trip the template;
an .xlsx written by LibreOffice imports exactly; for random banks export → import gives back
the same questions (property test)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SAMPLE_BANK, require_tool
from qbank.cli import main
from qbank.export.sheet import csv_bytes, export_xlsx
from qbank.importers import IdAllocator
from qbank.importers.bank import plan, write
from qbank.importers.sheet import import_csv, import_xlsx
from qbank.load import load_bank
from qbank.model import QUESTION_ADAPTER


def dumps(questions: list[Any]) -> list[dict[str, Any]]:
    return [q.model_dump() for q in questions]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_sample_bank_round_trips(fmt: str, tmp_path: Path) -> None:
    sheet = tmp_path / f"bank.{fmt}"
    runner = CliRunner()
    out = runner.invoke(main, ["export", fmt, str(SAMPLE_BANK), "-o", str(sheet), "--no-shuffle"])
    assert out.exit_code == 0, out.output
    again = tmp_path / f"again.{fmt}"
    runner.invoke(main, ["export", fmt, str(SAMPLE_BANK), "-o", str(again), "--no-shuffle"])
    assert sheet.read_bytes() == again.read_bytes()  # deterministic
    out = runner.invoke(main, ["import", fmt, str(sheet), "--into", str(tmp_path / "b")])
    assert out.exit_code == 0, out.output
    original = load_bank(SAMPLE_BANK)
    imported = load_bank(tmp_path / "b")
    assert f"imported {len(original.questions)} of {len(original.questions)}" in out.output
    assert sorted(dumps(imported.questions), key=lambda d: d["id"]) == sorted(
        dumps(original.questions), key=lambda d: d["id"]
    )


LIBREOFFICE_CSV = """\
id,type,topic,tags,text,A,B,C,D,correct,tolerance,unit,explanation
café-1,single,Économie,"prix, marché","Quel est le prix d'un ""café"", en euros?","1,50 €",2 €,"Ça dépend
du café",,A,,,"Un ""express"" coûte 1,50 €."
formula,numeric,maths,,Six times seven?,,,,,=6*7,0.5,m/s²,
tf-ü,truefalse,,,Über ist ein deutsches Wort — «vrai»?,,,,,TRUE,,,
short-1,short,,,"Name two
primes",,,,,"2
3",,,
order-1,order,,,"Order: ""first"", then…",α,β,γ,,,,,
"""


def test_xlsx_written_by_libreoffice_imports_exactly(tmp_path: Path) -> None:
    soffice = require_tool("soffice")
    if not Path("/usr/lib/libreoffice/program/libsclo.so").exists():
        require_tool("libreoffice-calc", "/usr/lib/libreoffice/program/libsclo.so")
    src = tmp_path / "questions.csv"
    src.write_text(LIBREOFFICE_CSV, encoding="utf-8")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
            "--headless",
            "--infilter=Text - txt - csv (StarCalc):44,34,76,1",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    xlsx = tmp_path / "questions.xlsx"
    assert xlsx.exists(), "LibreOffice wrote no .xlsx"
    # LibreOffice really wrote a formula (with its computed value), a number and a boolean
    cells = {
        c.coordinate: c for row in openpyxl.load_workbook(xlsx).active.iter_rows() for c in row
    }
    assert cells["J3"].value == "=6*7" and isinstance(cells["K3"].value, float)
    assert cells["J4"].value is True
    result = import_xlsx(xlsx.read_bytes(), xlsx.name, ids=IdAllocator())
    assert result.losses == [] and result.total == 5
    assert [q.data for q in result.questions] == [
        {
            "id": "cafe-1",
            "type": "single",
            "text": 'Quel est le prix d\'un "café", en euros?',
            "options": [
                {"text": "1,50 €", "correct": True},
                {"text": "2 €"},
                {"text": "Ça dépend\ndu café"},
            ],
            "topic": "Économie",
            "tags": ["prix", "marché"],
            "explanation": 'Un "express" coûte 1,50 €.',
        },
        {
            "id": "formula",
            "type": "numeric",
            "text": "Six times seven?",
            "answer": "42",
            "tolerance": "0.5",
            "unit": "m/s²",
            "topic": "maths",
        },
        {
            "id": "tf-u",
            "type": "truefalse",
            "text": "Über ist ein deutsches Wort — «vrai»?",
            "answer": True,
        },
        {"id": "short-1", "type": "short", "text": "Name two\nprimes", "answers": ["2", "3"]},
        {
            "id": "order-1",
            "type": "order",
            "text": 'Order: "first", then…',
            "items": ["α", "β", "γ"],
        },
    ]
    assert result.questions[0].notes == ["id `café-1` made valid as `cafe-1`"]
    # and the CLI writes a bank that loads
    out = CliRunner().invoke(main, ["import", "xlsx", str(xlsx), "--into", str(tmp_path / "b")])
    assert out.exit_code == 0, out.output
    assert "imported 5 of 5" in out.output
    assert len(load_bank(tmp_path / "b").questions) == 5


def test_xlsx_export_never_writes_formulas(tmp_path: Path) -> None:
    q = QUESTION_ADAPTER.validate_python(
        {
            "id": "eq",
            "type": "single",
            "text": "=1+1",
            "options": [{"text": "=2", "correct": True}, "@x"],
        }
    )
    target = tmp_path / "q.xlsx"
    export_xlsx([q], target)
    sheet = openpyxl.load_workbook(target).active
    assert sheet["E2"].value == "=1+1" and sheet["E2"].data_type == "s"
    result = import_xlsx(target.read_bytes(), "q.xlsx")
    assert result.questions[0].data["text"] == "=1+1"


@pytest.mark.parametrize(
    ("fmt", "data", "message"),
    [
        ("csv", b"just,some,columns\n1,2,3\n", "no `text` column in the header row"),
        ("csv", b"\xff\xfe\x00x", "not UTF-8"),
        ("xlsx", b"id,text\n", "not an .xlsx file"),
    ],
)
def test_not_a_sheet_is_a_clear_error(tmp_path: Path, fmt: str, data: bytes, message: str) -> None:
    src = tmp_path / f"in.{fmt}"
    src.write_bytes(data)
    out = CliRunner().invoke(main, ["import", fmt, str(src), "--into", str(tmp_path / "b")])
    assert out.exit_code == 1
    assert message in out.output and f"in.{fmt}" in out.output


def test_bad_rows_are_reported_with_their_line(tmp_path: Path) -> None:
    src = tmp_path / "q.csv"
    src.write_text(
        "text,A,B,correct,colour\nWhich?,x,y,C,red\nOK?,x,y,B,\n,,,,\nHow many?,,,abc,\n",
        encoding="utf-8",
    )
    out = CliRunner().invoke(main, ["import", "csv", str(src), "--into", str(tmp_path / "b")])
    assert out.exit_code == 0, out.output
    assert "q.csv:2: not imported: row: `correct` names C but that option is empty" in out.output
    assert "q.csv:1: partly imported: column `colour`" in out.output
    assert "imported 2 of 3; 1 not imported (see above)" in out.output
    qs = load_bank(tmp_path / "b").questions
    assert [(q.type, q.text) for q in qs] == [("single", "OK?"), ("short", "How many?")]


# -- property: random banks survive export → import --------------------------------------

_TRICKY = st.sampled_from(
    [
        "no",
        "yes",
        "0.10",
        "010",
        "12:30",
        "2024-01-01",
        "null",
        "~",
        "true",
        "- x",
        "# y",
        "a: b",
        "'q'",
        '"d"',
        "x #y",
        "* star",
        "Ünïcödé ✓",
        "tab\there",
        "line\nbreak",
        "  lead",
    ]
)
_WORD = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="{}|\\"
    ),
    min_size=1,
    max_size=12,
)
_TEXT = st.one_of(_TRICKY, _WORD, st.lists(_WORD, min_size=2, max_size=5).map(" ".join)).filter(
    lambda s: bool(s.strip())
)
_CLEAN = _TEXT.map(lambda s: " ".join(s.replace("->", "").replace(",", " ").split())).filter(bool)
_ID = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,15}", fullmatch=True)
_DECIMAL = st.sampled_from(["0.10", "010", "42", "-3.5", "1e3", "2.50"])


def _options(multi: bool) -> st.SearchStrategy[list[dict[str, Any]]]:
    def build(texts: list[str], correct: list[bool], fbs: list[str | None]) -> list[dict[str, Any]]:
        if not any(correct):
            correct = [True, *correct[1:]]
        if not multi:
            first = correct.index(True)
            correct = [i == first for i in range(len(correct))]
        return [
            {"text": t, "correct": c, **({"feedback": f} if f else {})}
            for t, c, f in zip(texts, correct, fbs, strict=False)
        ]

    return st.integers(2, 8).flatmap(
        lambda n: st.builds(
            build,
            st.lists(
                _TEXT.filter(lambda s: s.strip() == s and s), min_size=n, max_size=n, unique=True
            ),
            st.lists(st.booleans(), min_size=n, max_size=n),
            st.lists(st.one_of(st.none(), _TEXT), min_size=n, max_size=n),
        )
    )


_STEM = _TEXT.filter(lambda s: s.strip() == s and bool(s))


def _question(qid: str, kind: str, draw: Any) -> dict[str, Any]:
    q: dict[str, Any] = {"id": qid, "type": kind, "text": draw(_STEM)}
    if kind in ("single", "multi"):
        q["options"] = draw(_options(kind == "multi"))
        if kind == "multi" and draw(st.booleans()):
            q["partial"] = True
    elif kind == "truefalse":
        q["answer"] = draw(st.booleans())
    elif kind == "cloze":
        q["text"] = draw(_STEM) + " {{" + draw(_CLEAN) + "}} " + draw(_STEM)
        if draw(st.booleans()):
            q["case_sensitive"] = True
    elif kind == "short":
        q["answers"] = draw(st.lists(_CLEAN, min_size=1, max_size=3))
    elif kind == "numeric":
        q["answer"] = draw(_DECIMAL)
        if draw(st.booleans()):
            q["tolerance"] = draw(st.sampled_from(["0.5", "2%", "0.10"]))
        if draw(st.booleans()):
            q["unit"] = draw(_CLEAN)
    elif kind == "order":
        q["items"] = draw(st.lists(_STEM, min_size=1, max_size=7))
    elif kind == "match":
        q["pairs"] = draw(st.lists(st.tuples(_CLEAN, _CLEAN), min_size=1, max_size=7))
    elif kind == "essay":
        if draw(st.booleans()):
            q["rubric"] = draw(_TEXT)
        if draw(st.booleans()):
            q["lines"] = draw(st.integers(1, 30))
    if draw(st.booleans()):
        q["explanation"] = draw(_TEXT)
    if draw(st.booleans()):
        q["topic"] = draw(_CLEAN)
    if draw(st.booleans()):
        q["tags"] = draw(st.lists(_CLEAN, max_size=3))
    if draw(st.booleans()):
        q["points"] = draw(st.integers(0, 5))
    if draw(st.booleans()):
        q["difficulty"] = draw(st.sampled_from(["easy", "medium", "hard"]))
    if draw(st.booleans()):
        q["shuffle"] = False
    return q


@st.composite
def banks(draw: Any) -> list[Any]:
    ids = draw(st.lists(_ID, min_size=1, max_size=8, unique=True))
    kinds = ("single", "multi", "truefalse", "cloze", "short", "numeric", "order", "match", "essay")
    return [
        QUESTION_ADAPTER.validate_python(_question(i, draw(st.sampled_from(kinds)), draw))
        for i in ids
    ]


@settings(
    max_examples=int(os.environ.get("QBANK_PROPERTY_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(banks())
def test_random_banks_round_trip_through_csv(questions: list[Any]) -> None:
    """Documented normalisation: tags are split at commas and trimmed, short answers are
    one per line and trimmed, match pairs are split at the first `->` and trimmed (the
    strategies respect that); everything else comes back exactly — through the YAML the
    importer writes, read by qbank's loader."""
    result = import_csv(csv_bytes(questions), "bank.csv")
    assert result.losses == []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "bank"
        write(plan(result, root, source_name="bank.csv", fmt="csv"))
        bank = load_bank(root)
        assert [p for p in bank.problems if p.severity == "error"] == []
        got = {q.id: q.model_dump() for q in bank.questions}
    assert got == {q.id: q.model_dump() for q in questions}
