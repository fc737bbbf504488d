"""The loader: one good fixture per question type, YAML 1.1 surprises kept as typed text
(the Norway list), spans, file-level defaults, and the JSON Schema of question files."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

from qbank.load import load_bank, load_text
from qbank.model import QUESTION_TYPES, question_file_schema

GOOD = Path(__file__).parent / "fixtures" / "good"


def _load(text: str):
    questions, problems = load_text(text)
    return questions, problems


@pytest.mark.parametrize("qtype", QUESTION_TYPES)
def test_good_fixture_per_type_loads_clean(qtype: str) -> None:
    questions, problems = _load((GOOD / f"{qtype}.yaml").read_text(encoding="utf-8"))
    assert problems == []
    assert len(questions) == 1
    assert questions[0].type == qtype


def test_good_fixture_values() -> None:
    by_type = {
        t: _load((GOOD / f"{t}.yaml").read_text(encoding="utf-8"))[0][0] for t in QUESTION_TYPES
    }
    single = by_type["single"]
    assert [o.text for o in single.options] == [
        "Allow traffic",
        "Deny traffic",
        "Allow and deny traffic",
    ]
    assert [o.correct for o in single.options] == [True, False, False]
    assert single.options[0].feedback == "Rules are allow-only."
    assert by_type["multi"].correct_indices == [0, 1] and by_type["multi"].partial is True
    assert by_type["truefalse"].answer is False  # FALSE in any case
    assert by_type["cloze"].max_words == 4
    assert by_type["short"].answers == ["AWS CloudTrail", "CloudTrail"]
    numeric = by_type["numeric"]
    assert numeric.answer == "1.0" and numeric.unit == "MB/s"
    assert numeric.tolerance_bounds() == (Decimal("1.0"), Decimal("1.0"))
    assert by_type["order"].items[0] == "Develop a policy"
    assert by_type["match"].pairs[2] == ("SSE-C", "The customer")
    assert by_type["essay"].lines == 8


NORWAY = ["no", "on", "0.10", "010", "12:30", "2024-01-01"]


@pytest.mark.parametrize("quote", ["", '"', "'"])
def test_norway_list_round_trips_byte_for_byte(quote: str) -> None:
    items = ", ".join(f"{quote}{v}{quote}" for v in NORWAY)
    text = (
        "id: norway\ntype: short\ntext: Type one of them.\n"
        f"answers: [{items}]\nexplanation: Any of them.\n"
        "topic: 4.10\n"
    )
    questions, problems = _load(text)
    assert [p.rule for p in problems if p.severity == "error"] == []
    q = questions[0]
    assert q.answers == NORWAY
    assert q.topic == "4.10"
    dumped = q.model_dump(mode="json", exclude_none=True)
    assert dumped["answers"] == NORWAY
    jsonschema.validate(dumped, question_file_schema())
    # the same text through a JSON round trip: still byte for byte
    import json

    assert json.loads(json.dumps(dumped))["answers"] == NORWAY


def test_plain_norway_values_get_an_implicit_type_hint() -> None:
    _, problems = _load(
        "id: norway\ntype: short\ntext: Pick.\nexplanation: x\n"
        "answers: [no, on, 0.10, 010, 12:30, 2024-01-01, 42, 4.5, plain]\n"
    )
    hinted = sorted(p.location.col for p in problems if p.rule == "QB003")
    # no, on, 0.10, 010, 12:30, 2024-01-01 — but not 42, 4.5 (same text) or plain
    assert len(hinted) == 6
    assert all(p.severity == "warning" for p in problems if p.rule == "QB003")


def test_numeric_answers_stay_decimal_text() -> None:
    questions, problems = _load(
        "id: n\ntype: numeric\ntext: Pi?\nanswer: 3.140\ntolerance: 1%\nexplanation: x\n"
    )
    assert not problems
    q = questions[0]
    assert q.answer == "3.140"
    low, high = q.tolerance_bounds()
    assert low == Decimal("3.140") - Decimal("0.03140")
    assert high == Decimal("3.140") + Decimal("0.03140")


def test_spans_point_at_fields() -> None:
    text = (GOOD / "multi.yaml").read_text(encoding="utf-8")
    q = _load(text)[0][0]
    loc = q.loc("options", 1, "correct")
    assert (loc.line, loc.col) == (9, 14)
    assert (q.loc("options", 2).line, q.loc("options", 2).col) == (10, 5)
    assert q.loc("text").line == 3
    # a path that does not exist falls back to the nearest node
    assert q.loc("options", 99).line == 6


def test_file_level_defaults_apply(tmp_path: Path) -> None:
    bank = tmp_path / "b"
    bank.mkdir()
    (bank / "qbank.yaml").write_text("id: b\ntitle: B\n", encoding="utf-8")
    (bank / "q.yaml").write_text(
        'topic: "4.3"\ntags: [aws]\nsource: Guide\ndifficulty: easy\nquestions:\n'
        "  - id: a\n    type: truefalse\n    text: A.\n    answer: true\n    tags: [iam]\n"
        '  - id: b\n    type: truefalse\n    text: B.\n    answer: true\n    topic: "4.1"\n'
        "    difficulty: hard\n",
        encoding="utf-8",
    )
    loaded = load_bank(bank)
    assert loaded.problems == []
    a, b = loaded.questions
    assert (a.topic, a.tags, a.source, a.difficulty) == ("4.3", ["aws", "iam"], "Guide", "easy")
    assert (b.topic, b.tags, b.difficulty) == ("4.1", ["aws"], "hard")
    assert a.location.file == "q.yaml" and a.location.line == 6


def test_unknown_field_suggests_the_nearest() -> None:
    _, problems = _load("id: q\ntype: truefalse\ntext: T.\nanswer: true\nexplantion: x\n")
    (p,) = problems
    assert p.rule == "QB101" and p.hint == "did you mean `explanation`?"
    assert (p.location.line, p.location.col) == (5, 1)


def test_yes_no_booleans_are_refused_with_a_hint() -> None:
    _, problems = _load("id: q\ntype: truefalse\ntext: T.\nanswer: no\n")
    (p,) = problems
    assert p.rule == "QB103" and "true or false" in p.message


def test_sample_bank_loads_clean(sample_bank: Path) -> None:
    loaded = load_bank(sample_bank)
    assert loaded.problems == []
    assert {q.type for q in loaded.questions} == set(QUESTION_TYPES)
    assert len(loaded.questions) >= 40
    assert sum(1 for q in loaded.questions if q.topic == "4.3") == 10
    assert "quizzes/4.3-practice.yaml" in loaded.quizzes


def test_every_sample_question_is_schema_valid(sample_bank: Path) -> None:
    schema = question_file_schema()
    validator = jsonschema.Draft202012Validator(schema)
    for q in load_bank(sample_bank).questions:
        errors = list(validator.iter_errors(q.model_dump(mode="json", exclude_none=True)))
        assert errors == [], (q.id, errors[:1])


def test_sample_files_are_schema_valid_as_written(sample_bank: Path) -> None:
    """What an editor with yaml-language-server checks: the raw files against `qbank schema`."""
    import yaml

    validator = jsonschema.Draft202012Validator(question_file_schema())
    for path in sorted(sample_bank.glob("aws-mls/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], (path.name, errors[:2])


# -- the three loader rules that cannot have a YAML text example ---------------------------


def _bank_problems(root: Path, **kw) -> list:
    from qbank.validate.engine import validate

    return validate(load_bank(root, **kw)).problems


@pytest.mark.parametrize(
    ("data", "line", "col"),
    [(b"id: q1\ntext: caf\xe9\n", 2, 10), (b"id: q1\n\x00\n", 2, 1), (b"\xff\xfe\x00i", 1, 3)],
)
def test_qb005_encoding_failing_and_passing(
    tmp_path: Path, data: bytes, line: int, col: int
) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "qbank.yaml").write_text("id: b\ntitle: B\n", encoding="utf-8")
    (bad / "q.yaml").write_bytes(data)
    (p,) = [p for p in _bank_problems(bad) if p.rule == "QB005"]
    assert (p.severity, p.location.file, p.location.line, p.location.col) == (
        "error",
        "q.yaml",
        line,
        col,
    )
    good = tmp_path / "good"
    good.mkdir()
    (good / "qbank.yaml").write_text("id: b\ntitle: B\n", encoding="utf-8")
    (good / "q.yaml").write_bytes((GOOD / "short.yaml").read_bytes())
    assert [p for p in _bank_problems(good) if p.rule == "QB005"] == []


def test_qb007_file_too_large_failing_and_passing(tmp_path: Path) -> None:
    root = tmp_path / "b"
    root.mkdir()
    (root / "qbank.yaml").write_text("id: b\ntitle: B\n", encoding="utf-8")
    text = (GOOD / "essay.yaml").read_text(encoding="utf-8")
    (root / "q.yaml").write_text(text, encoding="utf-8")
    limit = len(text.encode()) - 1
    (p,) = [p for p in _bank_problems(root, max_file_bytes=limit) if p.rule == "QB007"]
    assert (p.severity, p.location.file, p.location.line, p.location.col) == (
        "error",
        "q.yaml",
        1,
        1,
    )
    assert [p for p in _bank_problems(root, max_file_bytes=limit + 1) if p.rule == "QB007"] == []


def test_qb009_missing_manifest_failing_and_passing(tmp_path: Path) -> None:
    root = tmp_path / "b"
    root.mkdir()
    (root / "q.yaml").write_bytes((GOOD / "single.yaml").read_bytes())
    (p,) = [p for p in _bank_problems(root) if p.rule == "QB009"]
    assert (p.severity, p.location.file, p.location.line, p.location.col) == (
        "error",
        "qbank.yaml",
        1,
        1,
    )
    (root / "qbank.yaml").write_text("id: b\ntitle: B\n", encoding="utf-8")
    assert [p for p in _bank_problems(root) if p.rule == "QB009"] == []
