"""``qbank stats``: blueprint coverage and mixes, in text, Markdown and JSON."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from qbank import stats
from qbank.cli import main
from qbank.load import load_bank


def test_sample_bank_numbers(sample_bank: Path) -> None:
    bank = load_bank(sample_bank)
    s = stats.compute(bank)
    assert s.questions == len(bank.questions) == 61
    assert s.points == sum(q.points for q in bank.questions)
    by_domain = Counter(q.topic.split(".")[0] for q in bank.questions if q.topic)
    assert [(r.topic, r.questions) for r in s.blueprint] == sorted(by_domain.items())
    assert [r.target for r in s.blueprint] == [20.0, 24.0, 36.0, 20.0]
    for r in s.blueprint:
        assert r.share == round(100 * r.questions / 61, 1)
        assert r.difference == round(r.share - r.target, 1)
    assert s.blueprint_covered == 61 and s.blueprint_outside == 0
    types = Counter(q.type for q in bank.questions)
    assert {c.name: c.questions for c in s.types} == dict(types)
    assert len(types) == 9  # the sample bank shows every type
    assert sum(c.questions for c in s.difficulty) == 61
    assert {c.name for c in s.status} <= {"draft", "review", "approved", "(not set)"}
    assert s.missing_explanations == []
    row = next(t for t in s.topics if t.topic == "4.3")
    assert (row.questions, row.with_subtopics) == (10, 10)
    domain = next(t for t in s.topics if t.topic == "4")
    assert domain.questions == 0 and domain.with_subtopics == by_domain["4"]


BANK_MANIFEST = """\
id: mini
title: Mini bank
topics:
  "1": Data
  "1.1": Storage
  "2": Models
blueprint:
  "1": 30
  "1.1": 10
  "2": 40
"""


def _q(qid: str, topic: str | None, qtype: str = "truefalse", extra: str = "") -> str:
    t = f'    topic: "{topic}"\n' if topic else ""
    body = "    answer: true\n" if qtype == "truefalse" else "    answers: [x]\n"
    return f"  - id: {qid}\n    type: {qtype}\n{t}    text: Claim {qid}.\n{body}{extra}"


def test_blueprint_uses_the_most_specific_topic_and_normalises_weights(
    make_bank: Callable[..., Path],
) -> None:
    text = "questions:\n" + "".join(
        [
            _q("a", "1", extra="    explanation: x.\n    difficulty: easy\n    status: approved\n"),
            _q("b", "1.1", extra="    explanation: x.\n    difficulty: hard\n"),
            _q("c", "1.1/s3", "short", "    explanation: x.\n"),
            _q("d", "2", extra="    status: draft\n"),
            _q("e", None),
        ]
    )
    bad = "id: broken\ntype: truefalse\ntext: X.\nanswer: maybe\n"
    root = make_bank({"q.yaml": text, "bad.yaml": bad}, manifest=BANK_MANIFEST)
    s = stats.compute(load_bank(root))
    assert s.questions == 5 and s.invalid == 1
    assert s.blueprint_covered == 4 and s.blueprint_outside == 1
    assert s.blueprint_weight_total == 80.0
    rows = {r.topic: (r.questions, r.share, r.target, r.difference) for r in s.blueprint}
    assert rows == {
        "1": (1, 25.0, 37.5, -12.5),
        "1.1": (2, 50.0, 12.5, 37.5),
        "2": (1, 25.0, 50.0, -25.0),
    }
    assert [(t.topic, t.questions, t.with_subtopics) for t in s.topics] == [
        ("1", 1, 3),
        ("1.1", 1, 2),
        ("2", 1, 1),
        ("1.1/s3", 1, 1),
        ("(no topic)", 1, 1),
    ]
    assert [(c.name, c.questions) for c in s.difficulty] == [
        ("easy", 1),
        ("hard", 1),
        ("(not set)", 3),
    ]
    assert [(c.name, c.questions) for c in s.status] == [
        ("draft", 1),
        ("approved", 1),
        ("(not set)", 3),
    ]
    assert s.missing_explanations == ["d", "e"]
    text_out = stats.render(s)
    assert "weights add up to 80, targets normalised" in text_out
    assert "1 outside them are not counted" in text_out
    assert "1 more with errors not counted" in text_out
    assert "2 questions: d, e" in text_out
    md = stats.render(s, markdown=True)
    assert "| 1.1 | Storage | 2 | 50.0% | 12.5% | +37.5 |" in md
    assert "`d`, `e`" in md


def test_bank_without_manifest_blueprint(make_bank: Callable[..., Path]) -> None:
    root = make_bank({"q.yaml": "questions:\n" + _q("a", None)}, manifest="id: x\ntitle: X\n")
    s = stats.compute(load_bank(root))
    assert s.blueprint == [] and "Blueprint" not in stats.render(s)
    assert [(t.topic, t.questions) for t in s.topics] == [("(no topic)", 1)]


def test_cli_formats(sample_bank: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    text = runner.invoke(main, ["stats", str(sample_bank)])
    assert text.exit_code == 0
    assert "AWS Certified Machine Learning" in text.output and "difference" in text.output
    md = runner.invoke(main, ["stats", str(sample_bank), "--format", "markdown"])
    assert md.exit_code == 0 and "### Blueprint" in md.output
    assert "|---|---|---:|---:|---:|---:|" in md.output
    js = runner.invoke(main, ["stats", str(sample_bank), "-f", "json"])
    doc = json.loads(js.output)
    assert doc["format_version"] == 1 and doc["questions"] == 61
    assert [r["topic"] for r in doc["blueprint"]] == ["1", "2", "3", "4"]
    again = runner.invoke(main, ["stats", str(sample_bank), "-f", "json"])
    assert again.output == js.output  # deterministic
    out = tmp_path / "stats.md"
    written = runner.invoke(main, ["stats", str(sample_bank), "-f", "markdown", "-o", str(out)])
    assert written.exit_code == 0 and out.read_text() == md.output
    missing = runner.invoke(main, ["stats", str(tmp_path / "nope")])
    assert missing.exit_code == 2
