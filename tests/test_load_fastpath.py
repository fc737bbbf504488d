"""The loader's lean question validator (qbank.load.fastpath) against the full one
(qbank.model.QUESTION_ADAPTER): whatever the lean one accepts, the full one accepts and
builds the same objects; ``validate_question`` gives the full validator's result or errors.

Checked on every question of every YAML file under tests/fixtures and bank/ (as the loader
reads them) and on generated questions mixing valid values with the ones each replaced
step exists for (numbers as text, blank text of every kind of white space, ``True``,
``yes``, ``010`` …).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from pydantic_core import SchemaValidator

from qbank.load import load_bank, load_text
from qbank.load.data import to_data
from qbank.load.fastpath import NOT_BLANK, WHITESPACE_CLASS, lean_validator, validate_question
from qbank.load.reading import read_source
from qbank.model import QUESTION_ADAPTER, QUESTION_TYPES

ROOT = Path(__file__).resolve().parents[1]
SOURCE = object()  # stands for the SourceFile in private attributes


def state(value: Any) -> Any:
    """Everything that makes two validated values the same: classes, field values, the
    fields set, extras and private attributes, recursively."""
    if isinstance(value, BaseModel):
        return (
            type(value),
            {k: state(v) for k, v in value.__dict__.items()},
            frozenset(value.__pydantic_fields_set__),
            value.__pydantic_extra__,
            value.__pydantic_private__,
        )
    if isinstance(value, list | tuple):
        return (type(value), [state(v) for v in value])
    return (type(value), value)


def full(raw: Any) -> tuple[Any, Any]:
    """(state, errors) of the full validator, private attributes set as the loader did."""
    try:
        q = QUESTION_ADAPTER.validate_python(raw)
    except ValidationError as exc:
        return None, exc.errors(include_url=False)
    private = q.__pydantic_private__
    private["_source"] = SOURCE
    private["_path"] = ("questions", 3)
    return state(q), None


def fast(raw: Any) -> tuple[Any, Any]:
    try:
        q = validate_question(raw, {"_source": SOURCE, "_path": ("questions", 3)})
    except ValidationError as exc:
        return None, exc.errors(include_url=False)
    return state(q), None


def check_same(raw: Any) -> bool:
    """Assert the fast path equals the full validator on ``raw``; True when the lean
    validator alone accepted it."""
    assert fast(raw) == full(raw), raw
    try:
        lean = lean_validator().validate_python(raw)
    except ValidationError:
        return False
    lean.__pydantic_private__ = {"_source": SOURCE, "_path": ("questions", 3)}
    assert state(lean) == full(raw)[0], raw
    return True


def _fixture_questions() -> list[Any]:
    found: list[Any] = []
    files = sorted((ROOT / "tests" / "fixtures").rglob("*.y*ml")) + sorted(
        (ROOT / "bank").rglob("*.y*ml")
    )
    for path in files:
        src, _ = read_source(path, path.name)
        if src.node is None:
            continue
        data, _, _ = to_data(src)
        if isinstance(data, dict) and isinstance(data.get("questions"), list):
            found.extend(data["questions"])
        elif isinstance(data, dict):
            found.append(data)
    return found


def test_every_fixture_question_is_validated_the_same() -> None:
    questions = _fixture_questions()
    assert len(questions) > 400
    lean_accepted = sum(check_same(raw) for raw in questions)
    # the fast path is taken: every valid fixture question but the few that use what the
    # lean validator leaves to the full one
    valid = sum(full(raw)[1] is None for raw in questions)
    assert lean_accepted >= 0.9 * valid


def test_the_lean_validator_is_lean() -> None:
    """pydantic-core reuses a model's own validator unless told otherwise: the lean one
    must really drop ``_text`` (a number is text only through the full validator)."""
    raw = {"id": "a", "type": "essay", "text": 5}
    with pytest.raises(ValidationError):
        lean_validator().validate_python(raw)
    question = validate_question(raw, {"_source": None, "_path": ()})
    assert question.text == "5"
    assert question.__pydantic_private__ == {"_source": None, "_path": ()}


def test_white_space_class_is_what_str_strip_removes() -> None:
    everything = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    in_class = set(re.findall(f"[{WHITESPACE_CLASS}]", everything))
    assert in_class == {c for c in everything if c.isspace()}
    # the same class in pydantic-core's regex engine: all white space is blank, any other
    # character is not
    check = SchemaValidator({"type": "str", "pattern": NOT_BLANK})
    with pytest.raises(ValidationError):
        check.validate_python("".join(sorted(in_class)))
    for c in everything[::97]:
        if not c.isspace():
            check.validate_python(c)


def test_loaded_questions_carry_their_file_and_path() -> None:
    bank = load_bank(ROOT / "bank")
    assert bank.questions
    for q in bank.questions:
        private = q.__pydantic_private__
        assert list(private) == ["_source", "_path"]
        assert private["_source"] is bank.files[q.file]
        assert q.loc().line >= 1


def test_fallback_keeps_yaml_spellings_and_messages() -> None:
    text = (
        "questions:\n"
        "  - {id: a, type: truefalse, text: Sky is blue, answer: True}\n"
        "  - {id: b, type: truefalse, text: Sky is red, answer: 'no'}\n"
        "  - {id: c, type: single, text: '   ', options: [x, {text: y, correct: true}]}\n"
        "  - {id: d, type: essay, text: Write, points: '010', lines: 3}\n"
    )
    questions, problems = load_text(text)
    assert [(q.id, getattr(q, "answer", None), q.points) for q in questions] == [
        ("a", True, 1),
        ("d", None, 10),
    ]
    assert [(p.rule, p.location.line) for p in problems] == [("QB103", 3), ("QB103", 4)]
    assert "`answer`" in problems[0].message and "`text` is empty" in problems[1].message


# -- generated questions ---------------------------------------------------------------------

WHITE = [c for c in map(chr, range(0x3001)) if c.isspace()]
texts = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=st.sampled_from(WHITE), max_size=4),
    st.sampled_from(["x", "", " ", "\x1c", "\u3000a", "true", "false", "True", " true", "yes"]),
    st.sampled_from(["no", "on", "off", "y", "0", "1", "010", "+3", "-0", "1.5", "٣", "१२"]),
)
values = st.one_of(
    texts,
    st.none(),
    st.booleans(),
    st.integers(-5, 300),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(texts, max_size=3),
    st.dictionaries(texts, texts, max_size=2),
)
options = st.lists(
    st.one_of(
        texts,
        st.fixed_dictionaries(
            {"text": values},
            optional={"correct": values, "feedback": values, "extra": values},
        ),
        values,
    ),
    max_size=5,
)
questions = st.fixed_dictionaries(
    {
        "id": st.one_of(st.sampled_from(["q1", "a.b-c_d", "Bad", "", "9x"]), values),
        "type": st.one_of(st.sampled_from(QUESTION_TYPES), values),
        "text": values,
    },
    optional={
        "options": st.one_of(options, values),
        "answer": values,
        "answers": st.one_of(st.lists(values, max_size=3), values),
        "items": st.one_of(st.lists(values, max_size=3), values),
        "pairs": st.one_of(st.lists(st.lists(values, max_size=3), max_size=3), values),
        "tags": st.one_of(st.lists(values, max_size=3), values),
        "topic": values,
        "explanation": values,
        "points": values,
        "difficulty": st.one_of(st.sampled_from(["easy", "hard", "Hard"]), values),
        "status": values,
        "shuffle": values,
        "partial": values,
        "allow_all_correct": values,
        "case_sensitive": values,
        "max_words": values,
        "tolerance": values,
        "unit": values,
        "lines": values,
        "rubric": values,
        "source": values,
        "tpye": values,
    },
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(questions)
def test_generated_questions_are_validated_the_same(raw: dict[str, Any]) -> None:
    check_same(raw)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(QUESTION_TYPES),
    st.lists(texts, min_size=2, max_size=4),
    texts,
    st.sampled_from(["true", "false", "True", "yes", "no", None]),
)
def test_generated_near_valid_questions(
    qtype: str, opts: list[str], text: str, flag: str | None
) -> None:
    """Mostly valid questions, so the lean validator's acceptances are exercised too."""
    raw: dict[str, Any] = {"id": "q1", "type": qtype, "text": text or "Stem"}
    if qtype in ("single", "multi"):
        raw["options"] = [*opts[:-1], {"text": opts[-1] or "y", "correct": flag}]
    elif qtype == "truefalse":
        raw["answer"] = flag
    elif qtype == "short":
        raw["answers"] = opts
    elif qtype == "numeric":
        raw["answer"] = opts[0]
    elif qtype == "order":
        raw["items"] = opts
    elif qtype == "match":
        raw["pairs"] = [[a, a] for a in opts]
    check_same(raw)


_VALID = [raw for raw in _fixture_questions() if full(raw)[1] is None]
_KEYS = sorted({key for raw in _VALID for key in raw} | {"tpye", "correct"})


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_VALID), st.sampled_from(_KEYS), values, st.integers(0, 5), values)
def test_valid_questions_with_one_value_changed(
    raw: dict[str, Any], key: str, value: Any, index: int, option_value: Any
) -> None:
    """A valid fixture question with one field, or one field of one option, changed."""
    changed = {**raw, key: value}
    check_same(changed)
    opts = raw.get("options")
    if isinstance(opts, list) and opts:
        i = index % len(opts)
        option = opts[i] if isinstance(opts[i], dict) else {"text": opts[i]}
        new_opts = [*opts[:i], {**option, key: option_value}, *opts[i + 1 :]]
        check_same({**raw, "options": new_opts})


def test_building_the_lean_validator_leaves_the_models_complete() -> None:
    from qbank.load import fastpath
    from qbank.model import QUESTION_CLASSES, Option

    fastpath._LEAN.clear()
    fastpath.lean_validator()
    for cls in [*QUESTION_CLASSES.values(), Option]:
        assert cls.__dict__["__pydantic_complete__"] is True
    assert fastpath.lean_validator() is fastpath.lean_validator()
