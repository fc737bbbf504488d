"""The near-duplicate engine's fast paths (issue 12, speed) give what the plain computations
they replace gave: each test keeps the replaced code as its reference and compares on
generated input (the bench banks are compared byte for byte in docs/performance.md)."""

from __future__ import annotations

import importlib
import re
from typing import Any

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from qbank.load import load_text
from qbank.validate.dedup import scan, text
from qbank.validate.dedup.classify import Item, Keys, _unmarked, answer_options
from qbank.validate.dedup.text import (
    NEGATIONS,
    QUALIFIERS,
    WordCodes,
    ask,
    change_spans,
    code_spans,
    normalise,
    numbers,
    qualifier_words,
    qualifiers,
    split_words,
    term_words,
)
from test_dedup import _spans_by_counting

#: the module (the package's ``classify`` is the function)
classify_module = importlib.import_module("qbank.validate.dedup.classify")

# -- references: the code before the fast paths ----------------------------------------------

_WORD_RE = re.compile(r"[^\W_]+(?:[.,'’][^\W_]+)*")
_NUMBER_RE = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_CONTRACTION_RE = re.compile(r"n['’]t\b", re.IGNORECASE)


def _spans_of_lists(before: Any, after: Any) -> list[tuple[list[str], list[str]]]:
    """change_spans as it was: opcodes over the lower-cased word lists (at most 1,000 words
    each), Counter for moves — test_dedup's reference on the truncated lists."""
    a, al = before
    b, bl = after
    if al == bl:
        return []
    return _spans_by_counting((a[:1000], al[:1000]), (b[:1000], bl[:1000]))


def _qualifiers_as_was(plain: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    words = normalise(plain).split()
    neg = [w for w in words if w in NEGATIONS]
    neg += ["not"] * len(_CONTRACTION_RE.findall(plain))
    qual = sorted({w for w in words if w in QUALIFIERS})
    return tuple(sorted(neg)), tuple(qual)


def _ask_as_was(plain: str) -> tuple[str, str] | None:
    found = text._SOLUTION_RE.search(plain)
    if found is not None:
        return "series", found.group("ask")
    stripped = plain.strip()
    parts = text._PARAGRAPH_RE.split(stripped)
    if len(parts) < 2:
        if stripped.count(" ") < text.LONG_STEM_WORDS:
            return None
        parts = text._SENTENCE_END_RE.split(stripped)
        if len(parts) < 2:
            return None
    last = parts[-1]
    context_words = sum(p.count(" ") + 1 for p in parts[:-1])
    if context_words < text.CASE_WORDS or context_words < 2 * (last.count(" ") + 1):
        return None
    return "case", last


def _term_words_as_was(plain: str) -> frozenset[str]:
    out = set()
    for m in _WORD_RE.finditer(plain):
        w = m.group()
        if len(w) < 2 or w.islower() or w.isdigit():
            continue
        inner = any(c.isupper() for c in w[1:]) or (
            any(c.isdigit() for c in w) and any(c.isalpha() for c in w)
        )
        if not inner:
            before = plain[: m.start()].rstrip(" \t\"'“‘(*_")
            if not before or before[-1] in ".?!:\n":
                continue
        out.add(w.lower())
    return frozenset(out)


# -- generated text --------------------------------------------------------------------------

_WORDS = ["Port", "port", "PORT", "24", "25", "1,000", "3.5", "NOT", "not", "the", "S3", "a"]
_WORDS += ["can't", "Don’t", "Solution", "solution:", "least", "LEAST", "first", "Straße"]
_WORDS += ["ﬁle", "İstanbul", "naïve", "x_y", "٣", "ſolution:", "K", "a.b", "e.g.", "—", "_"]
_WORDS += ["Oracle", "MySQL", "(Premium", "“Azure”", "*AKS*", "P1", "EKS", "\tBig"]
_SEPARATORS = [" ", " ", " ", "\n", "\n\n", ". ", ", ", ": ", "? "]
_TEXT = st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(_SEPARATORS))).map(
    lambda parts: "".join(w + s for w, s in parts)
)
_ASCII = st.text(st.characters(min_codepoint=0, max_codepoint=127), max_size=80)


@settings(max_examples=1500, deadline=None)
@given(_ASCII)
def test_ascii_patterns_find_what_the_unicode_ones_find(plain: str) -> None:
    assert text._WORD_ASCII_RE.findall(plain) == _WORD_RE.findall(plain)
    assert text._NUMBER_ASCII_RE.findall(plain) == _NUMBER_RE.findall(plain)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(_TEXT, _ASCII, st.text(max_size=60)))
def test_words_numbers_qualifiers_and_asks_as_before(plain: str) -> None:
    words = _WORD_RE.findall(plain)
    assert split_words(plain) == (words, [w.lower() for w in words])
    assert numbers(plain) == tuple(
        sorted(m.group().replace(",", "") for m in _NUMBER_RE.finditer(plain))
    )
    assert qualifiers(plain, normalise(plain)) == _qualifiers_as_was(plain)
    assert qualifier_words(plain, default_process(plain).split()) == _qualifiers_as_was(plain)
    assert ask(plain) == _ask_as_was(plain)
    assert term_words(plain) == _term_words_as_was(plain)
    assert ask(plain * 30) == _ask_as_was(plain * 30)  # long one-paragraph stems too


_SPAN_WORDS = st.lists(
    st.sampled_from(["Port", "port", "24", "25", "NOT", "the", "S3", "a", "Straße", "STRASSE"])
)


@settings(max_examples=2000, deadline=None)
@given(_SPAN_WORDS, _SPAN_WORDS, _SPAN_WORDS)
def test_code_spans_with_a_shared_vocabulary_as_list_alignment(
    a: list[str], b: list[str], other: list[str]
) -> None:
    """Codes from one vocabulary shared with other texts (coded first, so the codes are not
    0, 1, 2 …) align as the word lists did; change_spans (its own vocabulary) as well."""
    before, after = split_words(" ".join(a)), split_words(" ".join(b))
    expected = _spans_of_lists(before, after)
    vocab = WordCodes()
    vocab.encode(other)
    assert code_spans(before[0], vocab.encode(before[0]), after[0], vocab.encode(after[0])) == (
        expected
    )
    assert change_spans(before, after) == expected


def test_code_spans_align_only_the_first_max_words() -> None:
    base = [f"w{i % 300}" for i in range(1500)]
    edited = list(base)
    edited[5], edited[1200] = "changed", "late"
    before, after = split_words(" ".join(base)), split_words(" ".join(edited))
    vocab = WordCodes()
    codes = vocab.encode(before[0]), vocab.encode(after[0])
    cut = vocab.encode(before[0][: text.MAX_WORDS]), vocab.encode(after[0][: text.MAX_WORDS])
    expected = _spans_of_lists(before, after)
    assert expected == [(["w5"], ["changed"])]
    assert code_spans(before[0], codes[0], after[0], codes[1]) == expected
    assert code_spans(before[0], cut[0], after[0], cut[1]) == expected
    tail = split_words(" ".join([*base[:1000], "x"])), split_words(" ".join([*base[:1000], "y"]))
    assert change_spans(*tail) == _spans_of_lists(*tail) == []


_OPTION_TEXTS = st.sampled_from(["S3", "s3", "**S3**", "EBS", "EFS", "", "![x](a.png)", "S3 "])


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.tuples(_OPTION_TEXTS, st.booleans()), min_size=2, max_size=5),
    st.lists(st.tuples(_OPTION_TEXTS, st.booleans()), min_size=2, max_size=5),
)
def test_keys_and_option_texts_as_before(
    first: list[tuple[str, bool]], second: list[tuple[str, bool]]
) -> None:
    """Item.options, Item.keys and the rules reading them give what reading the options
    pair by pair gave (answer_options, _unmarked, the first display text per correct text)."""
    items = []
    for n, options in enumerate((first, second)):
        lines = "".join(
            f"      - text: {text_!r}\n        correct: {str(correct).lower()}\n"
            for text_, correct in options
        )
        questions, _ = load_text(
            f"questions:\n  - id: q{n}\n    type: multi\n    text: Which one?\n"
            f"    options:\n{lines}"
        )
        assume(questions)  # option lists a multi question may not have (no key) are skipped
        q = questions[0]
        items.append(Item(q, "Which one?", "one which"))
    for item in items:
        opts = answer_options(item.question)
        assert item.options == opts
        assert opts is not None and opts.correct is not None
        shown = [classify_module.plain_text(o.text) for o in item.question.options]  # type: ignore[union-attr]
        assert list(item.shown_options) == shown
        right: dict[str, str] = {}
        for t, c, raw in zip(opts.texts, opts.correct, shown, strict=True):
            if c and t:
                right.setdefault(t, raw)
        assert item.keys == Keys(right, frozenset(right), frozenset(_unmarked(opts)))
        assert item.options_text == " | ".join(sorted(opts.texts))
    a, b = items
    if classify_module._comparable(a.options) and classify_module._comparable(b.options):
        assert fuzz.token_set_ratio(a.options_text, b.options_text) == (
            classify_module.options_similarity(a.options, b.options)  # type: ignore[arg-type]
        )


def test_histogram_filter_steps_keep_the_same_pairs() -> None:
    rng = np.random.default_rng(1)
    words = ["alpha", "beta", "gamma", "delta", "port", "24", "25", "s3"]
    keys = [" ".join(sorted(rng.choice(words, size=rng.integers(3, 12)))) for _ in range(300)]
    hist, lengths = scan.char_histograms(keys), scan.key_lengths(keys)
    pairs = np.array([(i, j) for i in range(300) for j in range(i + 1, 300)], dtype=np.int64)
    slack = 0.15
    l1 = np.abs(hist[pairs[:, 0]] - hist[pairs[:, 1]]).sum(axis=1)
    expected = pairs[l1 <= slack * (lengths[pairs[:, 0]] + lengths[pairs[:, 1]]) + 1e-9]
    assert 0 < len(expected) < len(pairs)
    assert np.array_equal(scan.histogram_filter(pairs, hist, lengths, 85), expected)


class _FullVocabulary(WordCodes):
    """A vocabulary that has run out of codes (past 1,114,112 distinct words)."""

    def __missing__(self, word: str) -> str:
        raise ValueError("chr() arg not in range(0x110000)")


def test_items_align_per_pair_without_a_shared_vocabulary() -> None:
    """Items of different runs, or whose run ran out of codes, align their words per pair:
    the same spans as items sharing a vocabulary."""
    questions, _ = load_text(
        "questions:\n"
        "  - id: a\n    type: truefalse\n    text: Port 24 is NOT open on the S3 host\n"
        "    answer: true\n"
        "  - id: b\n    type: truefalse\n    text: port 25 is open on the S3 host now\n"
        "    answer: true\n"
    )
    qa, qb = questions
    shared = WordCodes()
    expected = _spans_of_lists(split_words(qa.text), split_words(qb.text))
    assert expected
    pairs = [
        (Item(qa, qa.text, "", shared), Item(qb, qb.text, "", shared)),
        (Item(qa, qa.text, "", WordCodes()), Item(qb, qb.text, "", WordCodes())),
        (Item(qa, qa.text, ""), Item(qb, qb.text, "")),
        (Item(qa, qa.text, "", _FullVocabulary()), Item(qb, qb.text, "", _FullVocabulary())),
    ]
    full = _FullVocabulary()
    pairs.append((Item(qa, qa.text, "", full), Item(qb, qb.text, "", full)))
    for a, b in pairs:
        assert classify_module._spans(a, b) == expected
    a, b = pairs[-1]
    assert a.codes is None and b.codes is None
