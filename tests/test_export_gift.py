"""``qbank export gift`` parsed by gift-pegjs 1.0.2 (npm, pinned in tests/node).

Every question the export writes is parsed by a real GIFT parser, and what it read —
type, title, id and tags, stem, choices with correct flags and weights, per-option and
general feedback, numeric value and tolerance, matching pairs — is compared with the bank.
The texts are full of GIFT's special characters (``~ = # { } :`` and ``\\``), ``<script>``
and maths, so a missing escape shows up as a parse error or a changed text.

What this cannot prove: Moodle's own GIFT importer is PHP and does not run here. gift-pegjs
follows the same grammar (the research note lists where it is more lenient); Moodle-only
semantics (category creation, ``// [id:]`` → idnumber) are not exercised.

Skips locally without node or ``tests/node/node_modules`` (``make node-deps``); fails in CI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import ROOT
from qbank.cli import main
from qbank.export import Files, absolute_tolerance, html, share, topic_path
from qbank.grade import blank_answers
from qbank.load import load_bank
from qbank.markup import MediaRef, to_text
from qbank.model import Cloze, Essay, Match, Multi, Numeric, Order, Short, Single, TrueFalse

NODE_DIR = ROOT / "tests" / "node"
GIFT_PEGJS = NODE_DIR / "node_modules" / "gift-pegjs" / "package.json"
LMS_BANK = ROOT / "tests" / "fixtures" / "lms"
SAMPLE = ROOT / "bank"


def _need_node() -> str:
    node = shutil.which("node")
    message = ""
    if node is None:
        message = "node is not installed"
    elif not GIFT_PEGJS.exists():
        message = "gift-pegjs is not installed (make node-deps)"
    if message:
        if os.environ.get("QBANK_REQUIRE_TOOLS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    assert node is not None
    version = json.loads(GIFT_PEGJS.read_text(encoding="utf-8"))["version"]
    assert version == "1.0.2", version
    return node


def export(bank: Path, out: Path, *args: str) -> tuple[Path, str]:
    result = CliRunner().invoke(main, ["export", "gift", str(bank), "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    return out, result.output


def parse(path: Path) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [_need_node(), str(NODE_DIR / "gift_parse.mjs"), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    parsed: list[dict[str, Any]] = json.loads(proc.stdout)
    return parsed


class _Alt(Files):
    def url(self, ref: MediaRef) -> str:
        return ""


def expected_html(bank: Path, text: str, *, inline: bool = False) -> str:
    """The HTML GIFT should carry for ``text`` (images as alt text, new lines as &#10;)."""
    return html(text, _Alt(bank, ""), inline=inline).replace("\n", "&#10;")


def _choice_text(bank: Path, text: str) -> str:
    out = expected_html(bank, text, inline=True)
    return "&#37;" + out[1:] if out.startswith("%") else out


def _fb(bank: Path, text: str | None) -> dict[str, str] | None:
    return {"format": "html", "text": expected_html(bank, text)} if text else None


@pytest.mark.parametrize("bank", [SAMPLE, LMS_BANK], ids=["sample", "all-types"])
def test_gift_pegjs_reads_what_the_bank_says(bank: Path, tmp_path: Path) -> None:
    path, _ = export(bank, tmp_path / "bank.gift")
    parsed = parse(path)
    loaded = load_bank(bank)
    questions = [p for p in parsed if p["type"] != "Category"]
    assert [p["id"] for p in questions] == [q.id for q in loaded.questions]
    categories = [p["title"] for p in parsed if p["type"] == "Category"]
    assert categories[0].startswith("$course$/top/")
    by_id = {p["id"]: p for p in questions}
    for q in loaded.questions:
        got = by_id[q.id]
        assert got["title"] == q.id
        assert (got["tags"] or []) == [
            *q.tags,
            *([f"difficulty:{q.difficulty}"] if q.difficulty else []),
        ]
        assert got["globalFeedback"] == _fb(bank, q.explanation), q.id
        if not (isinstance(q, Cloze) and len(blank_answers(q)) == 1):
            stem = expected_html(bank, q.text) if not isinstance(q, Cloze) else None
            if isinstance(q, Numeric) and q.unit:
                stem = f"{stem} (unit: {expected_html(bank, q.unit.strip(), inline=True)})"
            if stem is not None:
                assert got["stem"] == {"format": "html", "text": stem}, q.id
        if isinstance(q, Single):
            assert got["type"] == "MC"
            assert [(c["isCorrect"], c["text"]["text"], c["feedback"]) for c in got["choices"]] == [
                (o.correct, _choice_text(bank, o.text), _fb(bank, o.feedback)) for o in q.options
            ]
        elif isinstance(q, Multi):
            assert got["type"] == "MC"
            k = len(q.correct_indices)
            wrong = -float(share(k)) if q.partial else -100.0
            assert [(c["weight"], c["text"]["text"]) for c in got["choices"]] == [
                (float(share(k)) if o.correct else wrong, _choice_text(bank, o.text))
                for o in q.options
            ], q.id
            assert round(sum(c["weight"] for c in got["choices"] if c["weight"] > 0)) == 100
        elif isinstance(q, TrueFalse):
            assert got["type"] == "TF" and got["isTrue"] is q.answer
        elif isinstance(q, Short):
            assert got["type"] == "Short"
            answers = list(dict.fromkeys(to_text(a.strip()).replace("*", "\\*") for a in q.answers))
            assert [c["text"]["text"] for c in got["choices"]] == answers
            assert all(c["isCorrect"] for c in got["choices"])
        elif isinstance(q, Numeric):
            assert got["type"] == "Numerical"
            choice = got["choices"]
            assert float(choice["number"]) == float(q.answer)
            tol = float(absolute_tolerance(q))
            assert (choice["type"], float(choice.get("range", 0))) == (
                "range" if tol else "simple",
                tol,
            ), q.id
        elif isinstance(q, Cloze):
            blanks = blank_answers(q)
            if len(blanks) == 1:
                assert got["type"] == "Short" and got["hasEmbeddedAnswers"] is True
                assert "_____" in got["stem"]["text"]
                assert [c["text"]["text"] for c in got["choices"]] == list(
                    dict.fromkeys(a.replace("*", "\\*") for a in blanks[0])
                )
            else:  # approximated: blank number → answer
                assert got["type"] == "Matching"
                assert [(p["subquestion"]["text"], p["subanswer"]) for p in got["matchPairs"]] == [
                    (f"[{i + 1}]", alts[0]) for i, alts in enumerate(blanks)
                ]
        elif isinstance(q, Match):
            assert got["type"] == "Matching"
            assert [(p["subquestion"]["text"], p["subanswer"]) for p in got["matchPairs"]] == [
                (expected_html(bank, left, inline=True), " ".join(to_text(right).split()))
                for left, right in q.pairs
            ]
        elif isinstance(q, Order):  # approximated: position → item
            assert got["type"] == "Matching"
            assert [p["subanswer"] for p in got["matchPairs"]] == [to_text(i) for i in q.items]
        else:
            assert isinstance(q, Essay)
            assert got["type"] == "Essay"


def test_specials_script_and_maths_come_back_verbatim(tmp_path: Path) -> None:
    path, _ = export(LMS_BANK, tmp_path / "b.gift")
    got = {p.get("id"): p for p in parse(path)}
    stem = got["single-specials"]["stem"]["text"]
    assert "a ~ b = c # d \\ e" in stem and "{one}" in stem
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in stem and "<script>" not in stem
    assert "\\(x^{2}\\)" in stem  # Moodle's MathJax filter reads \( \)
    choices = got["single-specials"]["choices"]
    assert choices[0]["text"]["text"] == "1/2 = 0.5 ~ {half}"
    assert choices[2]["text"]["text"] == "2:1"
    assert got["single-specials"]["globalFeedback"]["text"] == (
        "<p>Half is {1/2}; see http://example.org/a#b</p>"
    )
    assert got["match-specials"]["matchPairs"][1]["subanswer"] == "equals -> sign"
    assert got["short-case"]["choices"][1]["text"]["text"] == "CPython 3\\*"
    assert got["single-specials"]["tags"] == ["maths", "a:b", "difficulty:easy"]
    numeric = got["numeric-percent"]["choices"]
    assert (numeric["number"], numeric["range"]) == (9.81, 0.1962)  # 2 % made absolute


def test_what_gift_cannot_carry_is_named_per_question(tmp_path: Path) -> None:
    _, output = export(LMS_BANK, tmp_path / "a.gift")
    for qid, what in [
        ("short-case", "the case rule"),
        ("numeric-percent", "the unit `m/s^2`"),
        ("cloze-two", "2 blanks"),
        ("order-steps", "ordering"),
        ("essay-rubric", "the rubric"),
        ("essay-rubric", "image `media/diagram.png`"),
    ]:
        assert any(qid in line and what in line for line in output.splitlines()), (qid, what)
    path, output = export(LMS_BANK, tmp_path / "b.gift", "--unsupported", "skip")
    ids = [p.get("id") for p in parse(path) if p["type"] != "Category"]
    assert "order-steps" not in ids and "cloze-two" not in ids and "numeric-percent" not in ids
    assert "cloze-one" in ids and "short-case" in ids  # carried (the case rule is lost)
    assert "order-steps: GIFT cannot carry ordering" in output and "left out" in output


def test_deterministic_and_categories_from_topics(tmp_path: Path) -> None:
    a, _ = export(SAMPLE, tmp_path / "a.gift")
    b, _ = export(SAMPLE, tmp_path / "b.gift")
    assert a.read_bytes() == b.read_bytes()
    loaded = load_bank(SAMPLE)
    cats = [p["title"] for p in parse(a) if p["type"] == "Category"]
    expected = []
    for q in loaded.questions:
        path = "/".join(["$course$", "top", loaded.title, *topic_path(loaded, q.topic)])
        if not expected or expected[-1] != path:
            expected.append(path)
    assert cats == expected
