"""The importers' own YAML emitter writes exactly what PyYAML's (libyaml's) emitter writes.

`qbank import` writes question files with a fast emitter (importers/bank.py, `_fast_item`)
that follows libyaml's rules for the values imports produce and leaves everything else to
PyYAML. These tests compare the two byte for byte: on random questions built from the
characters and shapes where YAML's style rules change (indicators, quotes, line breaks,
control and astral characters, text around the fold and wrap widths, shared lists), and on
the real files in tests/fixtures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qbank.importers import Imported, import_files
from qbank.importers.bank import (
    _NOT_SIMPLE,
    _NOT_SIMPLE_MULTILINE,
    _RANK,
    FOLD_AT,
    KEY_ORDER,
    _fast_item,
    _pyyaml_items,
    _Slow,
    ordered,
    question_items,
)

FIXTURES = Path(__file__).parent / "fixtures"

# pieces where libyaml's analysis or the resolver changes its mind
PIECES = [
    " ", "  ", "a", "word", "é", "ü", "ß", "中", ":", ": ", "x:", "#", " #", "-", "- ", "--",
    "---", "...", "'", '"', "\\", "\n", "\n\n", " \n", "\n ", "\t", "\r", "\r\n", "\xa0",
    "\u2000", "\u3000", "\u2028", "\u2029", "\x85", "\x07", "\x7f", "\ufeff", "\ufffe",
    "\U0001f600", "|", ">", "|-", "- >", ": |", "?", "? ", "[", "]", "{", "}", "!", "&", "*",
    "%", "@", "`", ",", "0", "1", "12", "1.5", "0.10", "010", "12:30", "1e3", ".inf", "0x1F",
    "yes", "No", "on", "OFF", "y", "n", "true", "False", "null", "~", "=", "<<", "key:",
    "text:", "a" * 30, "b" * 70,
]  # fmt: skip
#: the pieces of text the fast emitter writes itself (the others make PyYAML write it)
PRINTABLE = [
    p for p in PIECES if not set(p) & set("\t\r\u2028\u2029\x85\x07\x7f\ufeff\ufffe\U0001f600")
]
WORDS = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)
PRINTABLE_WORDS = st.lists(st.sampled_from(PRINTABLE), max_size=12).map("".join)
# long text with spaces: folded (>-) and wrapped lines around the 72/92 columns
PROSE = st.lists(
    st.one_of(st.text("abcdefghij", min_size=1, max_size=14), st.sampled_from(PRINTABLE)),
    min_size=8,
    max_size=40,
).map(" ".join)
TEXT = st.one_of(WORDS, PRINTABLE_WORDS, PRINTABLE_WORDS, PROSE, PROSE, st.text(max_size=30))
SCALAR = st.one_of(
    TEXT, TEXT, TEXT, st.booleans(), st.integers(-1000, 10**20), st.none(), st.floats()
)
KEYS = st.one_of(
    st.sampled_from(KEY_ORDER), st.sampled_from(["x_y", "yes", "On", "a b", "n", "Key", ""])
)


def _value(depth: int) -> st.SearchStrategy[Any]:
    if depth <= 0:
        return SCALAR
    inner = _value(depth - 1)
    return st.one_of(
        SCALAR,
        SCALAR,
        st.lists(inner, max_size=4),
        st.dictionaries(KEYS, inner, max_size=3),
    )


def _question(text: st.SearchStrategy[str], extra: bool) -> st.SearchStrategy[Any]:
    return st.fixed_dictionaries(
        {"id": text, "type": st.sampled_from(["single", "multi", "short", "match", "cloze"])},
        optional={
            "text": text,
            "tags": st.lists(text, max_size=3),
            "answers": st.lists(text, max_size=3),
            "options": st.lists(
                st.one_of(
                    text,
                    st.fixed_dictionaries(
                        {"text": text}, optional={"correct": st.booleans(), "feedback": text}
                    ),
                ),
                max_size=4,
            ),
            "pairs": st.lists(st.lists(text, min_size=2, max_size=2), max_size=3),
            "explanation": text,
            "points": st.integers(0, 10),
            **({"extra": _value(2)} if extra else {}),
        },
    )


#: anything (mostly left to PyYAML), and printable text only (mostly the fast emitter)
QUESTION = st.one_of(
    _question(TEXT, extra=True), _question(st.one_of(PRINTABLE_WORDS, PROSE), extra=False)
)


def _imported(data: dict[str, Any], notes: list[str] | None = None) -> Imported:
    return Imported(data=data, file="f", where="1", notes=notes or [])


def _reference(questions: list[Imported], indent: str) -> str:
    return _pyyaml_items(questions, [ordered(q.data) for q in questions], indent)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(QUESTION, min_size=1, max_size=4),
    st.sampled_from(["  ", "    ", ""]),
    st.booleans(),
)
def test_fast_emitter_writes_what_pyyaml_writes(
    data: list[dict[str, Any]], indent: str, share: bool
) -> None:
    if share and len(data) > 1:  # one list object in two questions: PyYAML anchors it
        data[1]["tags"] = data[0].setdefault("tags", ["x"])
    questions = [_imported(d, ["a note"] if i % 2 else []) for i, d in enumerate(data)]
    try:
        expected = _reference(questions, indent)
    except Exception as exc:  # what PyYAML refuses, the fast path refuses the same way
        with pytest.raises(type(exc)):
            question_items(questions, indent)
        return
    assert question_items(questions, indent) == expected


@pytest.mark.parametrize(
    "text",
    [
        # around the fold (72) and wrap (92) columns, in every position a value can take
        "x" * FOLD_AT,
        " ".join(["abcdefg"] * 11),
        " ".join(["abcdefg"] * 10) + "  double  spaces " + "z" * 80,
        "word " * 30 + "end",
        "'quoted' " * 12,
        "a - b " * 20 + "- >",
        "line one\nline two\n\nline four",
        "\nleading break\n",
        "  indented\nlines",
        "ends with two breaks\n\n",
        "tab\there",
        "emoji \U0001f600 " * 10,
        "",
        "yes",
        "12:30",
        "#hash",
        "a: b",
    ],
)
def test_edge_texts(text: str) -> None:
    data = {
        "id": "q",
        "type": "single",
        "text": text,
        "tags": [text],
        "options": [text, {"text": text, "correct": True, "feedback": text}],
        "pairs": [[text, text]],
        "explanation": text,
    }
    questions = [_imported(dict(data)), _imported(dict(data), ["note"])]
    for indent in ("  ", "      "):
        assert question_items(questions, indent) == _reference(questions, indent)


def _fixture_results() -> list[tuple[str, list[Imported]]]:
    found = []
    for fmt, pattern in (("moodle", "*.xml"), ("gift", "*.gift")):
        for path in sorted(FIXTURES.rglob(pattern)):
            if "node_modules" in path.parts:
                continue
            questions = import_files(fmt, [path]).questions
            if questions:
                found.append((path.name, questions))
    return found


def test_real_files_take_the_fast_path_and_match() -> None:
    fast = slow = 0
    for name, questions in _fixture_results():
        assert question_items(questions) == _reference(questions, "  "), name
        for q in questions:
            try:
                _fast_item(ordered(q.data), "  ")
                fast += 1
            except _Slow:
                slow += 1
    # the point of the fast emitter: nearly every real question goes through it
    assert fast > 20 * slow, (fast, slow)


def _libyaml_printable(ch: str) -> bool:
    """emitter.c's IS_PRINTABLE, on the character's UTF-8 bytes as libyaml reads them."""
    b = ch.encode("utf-8", "surrogatepass")
    first, second = b[0], b[1] if len(b) > 1 else 0
    third = b[2] if len(b) > 2 else 0
    return (
        first == 0x0A
        or 0x20 <= first <= 0x7E
        or (first == 0xC2 and second >= 0xA0)
        or 0xC2 < first < 0xED
        or (first == 0xED and second < 0xA0)
        or first == 0xEE
        or (
            first == 0xEF
            and not (second == 0xBB and third == 0xBF)
            and not (second == 0xBF and third in (0xBE, 0xBF))
        )
    )


def test_character_classes_are_libyamls() -> None:
    """The fast emitter's "simple" characters are exactly libyaml's printable characters
    that are not line breaks (IS_BREAK: CR, LF, NEL, LS, PS), LF allowed in block text."""
    breaks = "\r\n\x85\u2028\u2029"
    for cp in range(0x110000):
        ch = chr(cp)
        simple = _libyaml_printable(ch) and ch not in breaks
        assert (_NOT_SIMPLE.search(ch) is None) == simple, hex(cp)
        assert (_NOT_SIMPLE_MULTILINE.search(ch) is None) == (simple or ch == "\n"), hex(cp)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.dictionaries(st.one_of(KEYS, st.text(max_size=3)), st.lists(st.text()), max_size=8))
)
def test_key_order_cache_sorts_as_sorted(questions: list[dict[str, list[str]]]) -> None:
    """ordered() caches the key permutation per key tuple: same order as sorting each."""
    for question in questions * 2:  # the second round comes from the cache
        expected = sorted(question, key=lambda k: (_RANK.get(k, len(_RANK)), k))
        assert list(ordered(question)) == expected
