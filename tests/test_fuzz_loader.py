"""Fuzzing the loader: whatever the bytes, it returns problems — it never raises or hangs."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qbank.load import load_bank, load_bytes, load_text
from qbank.model import QUESTION_TYPES

GOOD = sorted((Path(__file__).parent / "fixtures" / "good").glob("*.yaml"))
RULE = re.compile(r"^QB\d{3}$")
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(problems: list) -> None:
    for p in problems:
        assert RULE.match(p.rule), p
        assert p.location.line >= 1 and p.location.col >= 1, p
        assert p.message


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    _, problems = load_bytes(data)
    _check(problems)


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.sampled_from(["no", "on", "0.10", "010", "12:30", "2024-01-01", "{{x}}", "<script>"]),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.text(max_size=12), children, max_size=6),
    ),
    max_leaves=30,
)


@FUZZ
@given(documents)
def test_random_yaml_documents(doc: object) -> None:
    text = yaml.safe_dump(doc, allow_unicode=True)
    _, problems = load_text(text)
    _check(problems)


field_names = st.sampled_from(
    [
        "id",
        "type",
        "text",
        "options",
        "answer",
        "answers",
        "items",
        "pairs",
        "topic",
        "tags",
        "points",
        "max_words",
        "tolerance",
        "correct",
        "feedback",
        "shuffle",
        "lines",
        "explanation",
        "questions",
        "partial",
        "unit",
        "case_sensitive",
        "difficulty",
        "status",
        "source",
        "bogus",
    ]
)
question_like = st.dictionaries(
    field_names,
    st.one_of(scalars, st.sampled_from(QUESTION_TYPES), documents),
    min_size=1,
    max_size=10,
)


@FUZZ
@given(question_like, st.booleans())
def test_question_shaped_documents(doc: dict, wrap: bool) -> None:
    text = yaml.safe_dump({"questions": [doc]} if wrap else doc, allow_unicode=True)
    questions, problems = load_text(text)
    _check(problems)
    for q in questions:
        assert q.type in QUESTION_TYPES


@FUZZ
@given(st.sampled_from(GOOD), st.data())
def test_mutated_good_fixtures(path: Path, data: st.DataObject) -> None:
    raw = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(raw)))
        action = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        byte = data.draw(st.sampled_from(list(b"\t\n :-[]{}&*!|>'\"#%@`\x00\xff\xc3{")))
        if action == "insert":
            raw.insert(pos, byte)
        elif raw and pos < len(raw):
            if action == "delete":
                del raw[pos]
            else:
                raw[pos] = byte
    _, problems = load_bytes(bytes(raw))
    _check(problems)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=500), st.binary(max_size=500))
def test_whole_bank_with_random_files(tmp_path_factory, manifest: bytes, body: bytes) -> None:
    root = tmp_path_factory.mktemp("fuzzbank")
    (root / "qbank.yaml").write_bytes(manifest)
    (root / "q.yaml").write_bytes(body)
    (root / "quizzes").mkdir()
    (root / "quizzes" / "x.yaml").write_bytes(body)
    bank = load_bank(root)
    _check(bank.problems)
    from qbank.validate.engine import validate

    _check(validate(bank).problems)


def test_deep_nesting_is_a_problem_not_a_crash() -> None:
    _, problems = load_text("[" * 5000 + "]" * 5000)
    assert problems and problems[0].rule == "QB001"
    deep = "".join(f"{' ' * i}a{i}:\n" for i in range(2000)) + " " * 2000 + "x: 1\n"
    _, problems = load_text(deep)
    _check(problems)


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghij"):
        prev = "abcdefghij"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    _, problems = load_text("\n".join(lines) + "\n")
    assert {p.rule for p in problems} == {"QB004"}
