"""Whatever a file holds, an importer either imports it (reporting losses) or raises
SourceFormatError — never another exception (the CLI would show an internal error)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qbank.importers import IdAllocator, SourceFormatError
from qbank.importers.aiken import import_aiken
from qbank.importers.bank import plan, write
from qbank.importers.gift import import_gift
from qbank.importers.moodle import import_moodle
from qbank.importers.sheet import import_csv, import_xlsx
from qbank.load import load_bank
from qbank.model import QUESTION_ADAPTER

READERS = {
    "moodle": import_moodle,
    "gift": import_gift,
    "aiken": import_aiken,
    "csv": import_csv,
    "xlsx": import_xlsx,
}
# fragments of every format, so random mixes reach deep into the parsers
_PIECES = st.sampled_from(
    [
        "{",
        "}",
        "=",
        "~",
        "#",
        "::",
        "->",
        "%50%",
        "$CATEGORY: a/b",
        "// [id:x]",
        "{T}",
        "{#",
        "1..5",
        ":",
        "\\",
        "\n\n",
        "\n",
        "[html]",
        "<p>",
        "</p>",
        "<b>",
        "&amp;",
        "<img src=x>",
        "<table>",
        "A) x",
        "ANSWER: A",
        "B. y",
        ",",
        '"',
        "text,A,B,correct",
        "single",
        "\r\n",
        '<quiz><question type="multichoice"><questiontext><text>',
        "</text></questiontext>",
        '<answer fraction="100"><text>',
        "</text></answer>",
        "</question></quiz>",
        '<question type="cloze"><questiontext><text>{1:SA:=a~%50%b}',
        "{1:MC:x~=y}",
        "ü",
        "\x00",
    ]
)
_TEXTS = st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=40).map("".join)


@pytest.mark.parametrize("fmt", sorted(READERS))
@settings(
    max_examples=int(os.environ.get("QBANK_PROPERTY_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    data=st.one_of(
        _TEXTS.map(lambda s: s.encode("utf-8", "surrogatepass")), st.binary(max_size=200)
    )
)
def test_importers_never_crash(fmt: str, data: bytes) -> None:
    try:
        result = READERS[fmt](data, f"fuzz.{fmt}", ids=IdAllocator())
    except SourceFormatError:
        return
    assert result.total >= len(result.questions)
    for q in result.questions:
        QUESTION_ADAPTER.validate_python(q.data)  # passes qbank's schema
    if result.questions:
        # and the YAML written for them reads back as exactly that data
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "bank"
            write(plan(result, root, source_name="fuzz", fmt=fmt))
            bank = load_bank(root)
            assert [p for p in bank.problems if p.severity == "error"] == []
            got = {q.id: q.model_dump() for q in bank.questions}
        want = {
            q.data["id"]: QUESTION_ADAPTER.validate_python(q.data).model_dump()
            for q in result.questions
        }
        for qid in want:
            want[qid]["topic"] = got[qid]["topic"]  # the file's topic, from the category
        assert got == want
