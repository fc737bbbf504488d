"""The classification fast paths (issue 12, speed) give what the code they replaced gave.

Each test keeps the replaced code as its reference: the guards of :func:`classify` in their
old order (every question's numbers and qualifiers computed, every change compared letter by
letter first), :func:`to_problem` through :func:`~qbank.diagnostics.problem`, and the
grouping of identical keys by a loop. They are compared on generated stems and on banks of
both bench styles (the full bench banks are compared byte for byte in
``docs/performance.md``).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

import qbank.validate.dedup as dedup
from qbank.diagnostics import Problem, Related, problem
from qbank.load import load_bank, load_text
from qbank.model import AnyQuestion
from qbank.validate.dedup.classify import Item
from qbank.validate.dedup.finding import Finding, describe, exact_score
from qbank.validate.dedup.text import (
    MAX_WORDS,
    NEGATIONS,
    QUALIFIERS,
    WordCodes,
    is_slip,
    render_changes,
    stem_key,
)
from qbank.validate.rules.duplicates import to_problem

#: the module (the package's ``classify`` is the function)
classify_module = importlib.import_module("qbank.validate.dedup.classify")

# -- references: the code before the fast paths ----------------------------------------------


def _qualifier_changed_as_was(spans: list[tuple[list[str], list[str]]]) -> bool:
    for removed, added in spans:
        if is_slip(removed, added):
            continue
        for w in (*removed, *added):
            low = w.lower()
            if low in NEGATIONS or low in QUALIFIERS or low.endswith(("n't", "n’t")):
                return True
    return False


def _swap_as_was(spans: list[tuple[list[str], list[str]]], a: Item, b: Item) -> str | None:
    for removed, added in spans:
        if not (removed and added) or is_slip(removed, added):
            continue
        if any(w.lower() in a.terms for w in removed) or any(w.lower() in b.terms for w in added):
            return f"{' '.join(removed)} → {' '.join(added)}"
    return None


def _classify_as_was(
    a: Item,
    b: Item,
    score: float,
    threshold: float = 85,
    *,
    quick_other: bool = False,
    asks_checked: bool = False,
) -> Finding | None:
    m = classify_module
    if not asks_checked and m.different_asks(a, b, threshold):
        return None
    spans = m._spans(a, b)
    changes = tuple(render_changes(spans))
    rule, reason, detail = "QB301", "", ""
    similarity: float | None = None
    qualifier = a.qualifiers != b.qualifiers and _qualifier_changed_as_was(spans)
    swapped = None if a.numbers != b.numbers or qualifier else _swap_as_was(spans, a, b)
    if a.numbers != b.numbers:
        rule, reason, detail = "QB303", "number", f"a number differs: {describe(changes)}"
    elif qualifier:
        rule, reason = "QB303", "qualifier"
        detail = f"a negation or qualifier differs: {describe(changes)}"
    elif swapped is not None:
        rule, reason, detail = "QB303", "term", f"a name differs: {swapped}"
    else:
        conflict = m._conflict(a, b)
        if conflict is not None:
            rule, detail = "QB302", conflict
            reason = "answer" if a.question.type == "numeric" else "key"
        elif m._comparable(a.options) and m._comparable(b.options):
            similarity = fuzz.token_set_ratio(a.options_text, b.options_text)
            if similarity < m.OPTIONS_ALIKE:
                rule, reason = "QB303", "options"
                detail = f"the options differ (option similarity {similarity:.0f})"
            else:
                keys = m._other_keys(a, b)
                if keys is not None:
                    rule, reason, detail = "QB303", "keys", keys
    return Finding(
        rule,
        b.question,
        a.question,
        score,
        changes,
        reason,
        detail,
        similarity,
        b.location,
        a.id_location() if quick_other else a.location,
    )


def _to_problem_as_was(finding: Finding) -> Problem:
    here = finding.location or finding.question.loc("text")
    there = finding.other_location or finding.other.loc("text")
    data: dict[str, object] = {
        "other_id": finding.other.id,
        "other_location": str(there),
        "score": exact_score(finding.score),
        "differences": list(finding.differences),
    }
    if finding.reason:
        data["reason"] = finding.reason
    if finding.option_similarity is not None:
        data["option_similarity"] = round(finding.option_similarity, 2)
    return problem(
        finding.rule,
        finding.message,
        here,
        hint=finding.hint,
        question_id=finding.question.id,
        related=(Related(there, f"similar question `{finding.other.id}`"),),
        fingerprint=finding.fingerprint,
        data=data,
    )


def _groups_as_was(items: list[Item]) -> tuple[list[str], list[list[int]]]:
    groups: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        if item.key:
            groups.setdefault(item.key, []).append(i)
    return list(groups), list(groups.values())


def _same(found: Finding | None, expected: Finding | None) -> None:
    """Equal findings, with the fields equality leaves out (locations, notes)."""
    assert found == expected
    if found is not None and expected is not None:
        assert (found.location, found.other_location, found.notes) == (
            expected.location,
            expected.other_location,
            expected.notes,
        )
        assert (found.message, found.hint, found.fingerprint) == (
            expected.message,
            expected.hint,
            expected.fingerprint,
        )


# -- generated stems -------------------------------------------------------------------------

_QUESTIONS, _ = load_text(
    "questions:\n"
    "  - id: older\n    type: single\n    text: Which port?\n"
    "    options:\n      - text: '24'\n        correct: true\n      - '25'\n      - '26'\n"
    "  - id: newer\n    type: single\n    text: Which port?\n"
    "    options:\n      - '24'\n      - text: '25'\n        correct: true\n      - '27'\n"
)

_WORDS = ["port", "Port", "24", "25", "1,000", "1,0000", "3.5", "v1.2.3", "a,1", "x_9", "٣"]
_WORDS += ["NOT", "not", "can't", "Don’t", "least", "first", "cnanot", "cannot"]
_WORDS += ["Oracle", "oracle", "MySQL", "S3", "s3", "AKS", "EKS", "P1", "Premium", "K1"]
_WORDS += ["the", "a", "host", "open", "İstanbul", "Straße", "e.g.", "—", "Solution:"]
_SEPARATORS = [" ", " ", " ", "\n", ". ", ", ", "? ", "\n\n"]
_PARTS = st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(_SEPARATORS)), max_size=30)


def _text(parts: list[tuple[str, str]]) -> str:
    return "".join(w + s for w, s in parts)


@st.composite
def _stem_pairs(draw: st.DrawFn) -> tuple[str, str]:
    """A stem and an edited copy (words replaced, inserted, removed or moved)."""
    parts = draw(_PARTS)
    edited = list(parts)
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.sampled_from(["replace", "insert", "delete", "move"]))
        word = (draw(st.sampled_from(_WORDS)), draw(st.sampled_from(_SEPARATORS)))
        at = draw(st.integers(0, len(edited)))
        if op == "insert" or not edited:
            edited.insert(at, word)
        elif op == "replace":
            edited[min(at, len(edited) - 1)] = word
        elif op == "delete":
            del edited[min(at, len(edited) - 1)]
        else:
            edited.insert(at, edited.pop(draw(st.integers(0, len(edited) - 1))))
    return _text(parts), _text(edited)


def _items(
    first: str, second: str, vocab: WordCodes | None, questions: tuple[AnyQuestion, ...]
) -> tuple[Item, Item]:
    qa, qb = questions
    return Item(qa, first, stem_key(first), vocab), Item(qb, second, stem_key(second), vocab)


def _both_ways(first: str, second: str, questions: tuple[AnyQuestion, ...]) -> None:
    """classify against the reference, with and without a shared vocabulary, both ways."""
    for vocab in (WordCodes(), None):
        for x, y in ((first, second), (second, first)):
            a, b = _items(x, y, vocab, questions)
            ref_a, ref_b = _items(x, y, vocab if vocab is None else WordCodes(), questions)
            _same(
                classify_module.classify(a, b, 90.0, asks_checked=True),
                _classify_as_was(ref_a, ref_b, 90.0, asks_checked=True),
            )
            a, b = _items(x, y, vocab, questions)  # nothing computed yet
            spans = classify_module._spans(a, b)
            assert classify_module._numbers_differ(a, b, spans) == (ref_a.numbers != ref_b.numbers)


@settings(max_examples=1500, deadline=None)
@given(_stem_pairs())
def test_classify_as_before_on_generated_stems(pair: tuple[str, str]) -> None:
    """Short stems (their own numbers) and, with the cut lowered, the numbers of the changed
    words: the same finding as the guards in their old order."""
    questions = (_QUESTIONS[0], _QUESTIONS[1])
    _both_ways(*pair, questions)
    saved = classify_module.NUMBERS_FROM_CHANGES
    classify_module.NUMBERS_FROM_CHANGES = 0
    try:
        _both_ways(*pair, questions)
    finally:
        classify_module.NUMBERS_FROM_CHANGES = saved


def test_numbers_of_stems_longer_than_the_aligned_words() -> None:
    """Past MAX_WORDS words the changed words are not all known: each stem's numbers are
    compared (a number changed only after the aligned words still counts)."""
    base = [f"w{i % 300}" for i in range(MAX_WORDS + 50)]
    late = [*base[:-1], "7"]
    a, b = _items(" ".join(base), " ".join(late), WordCodes(), (_QUESTIONS[0], _QUESTIONS[1]))
    assert len(a.plain) + len(b.plain) >= classify_module.NUMBERS_FROM_CHANGES
    assert classify_module._spans(a, b) == []
    assert classify_module._numbers_differ(a, b, []) is True
    finding = classify_module.classify(a, b, 99.0, asks_checked=True)
    assert finding is not None and finding.reason == "number"


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from([*_WORDS, "", ""]), max_size=12))
def test_groups_as_before(keys: list[str]) -> None:
    items = [Item(_QUESTIONS[0], key, key) for key in keys]
    assert dedup._groups(items) == _groups_as_was(items)


# -- the bench banks --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bench_banks(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The real-style fixture and small banks of both bench generators."""
    bench = Path(__file__).resolve().parents[1] / "bench"
    sys.path.insert(0, str(bench))
    try:
        import dedup_synth
        import realtext_synth
    finally:
        sys.path.remove(str(bench))
    tmp = tmp_path_factory.mktemp("banks")
    return [
        Path(__file__).resolve().parent / "fixtures" / "dedup-real-style",
        realtext_synth.write_bank(tmp / "real", 600, 6, seed=3),
        dedup_synth.write_bank(tmp / "synth", dedup_synth.generate(1500, seed=2), 3),
    ]


def test_findings_and_problems_as_before_on_the_bench_banks(
    bench_banks: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole engine with the old guards and the old problem building against the new:
    the same findings, locations, notes and problems, on banks of both bench styles."""
    reasons: set[str] = set()
    for root in bench_banks:
        questions = load_bank(root).questions
        found = dedup.find_duplicates(questions, cap=20, workers=1)
        with monkeypatch.context() as patch:
            patch.setattr(dedup, "classify", _classify_as_was)
            expected = dedup.find_duplicates(questions, cap=20, workers=1)
        assert len(found) == len(expected) > 0
        for f, e in zip(found, expected, strict=True):
            _same(f, e)
            new, old = to_problem(f), _to_problem_as_was(e)
            assert new == old and new.data == old.data
        reasons.update(f.reason for f in found)
    # every guard has decided some pair
    assert reasons >= {"", "number", "qualifier", "term", "key", "options"}, reasons


def test_numbers_from_changed_words_on_the_bench_banks(bench_banks: list[Path]) -> None:
    """Every similar pair of the bench banks: the numbers of the changed words say what the
    stems' numbers say (whatever the stems' length)."""
    for root in bench_banks:
        items = dedup.prepare(load_bank(root).questions)
        keys, members = dedup._groups(items)
        pairs = [
            (i, j)
            for u, v in dedup.similar_pairs(keys, 85, workers=1).tolist()
            for i in members[u]
            for j in members[v]
        ]
        assert pairs
        for i, j in pairs:
            a, b = items[i], items[j]
            fresh_a, fresh_b = (Item(x.question, x.plain, x.key) for x in (a, b))
            spans = classify_module._spans(a, b)
            saved = classify_module.NUMBERS_FROM_CHANGES
            classify_module.NUMBERS_FROM_CHANGES = 0
            try:
                assert classify_module._numbers_differ(a, b, spans) == (
                    fresh_a.numbers != fresh_b.numbers
                )
            finally:
                classify_module.NUMBERS_FROM_CHANGES = saved
