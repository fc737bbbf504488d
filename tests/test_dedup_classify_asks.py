"""Fast paths of the near-duplicate guards against the code they replace, kept here as the
reference: what a stem asks (:func:`qbank.validate.dedup.text.ask`: the series ask found
without the lazy pattern's scan, the head looked for back from each colon, a case text's
context counted only until enough) on generated text built from the pieces the patterns
look at and on the bench banks; :func:`~qbank.validate.dedup.text.is_slip` (the letters
compared before the words, the edit distance with a cutoff) and the words that only moved
(:func:`~qbank.validate.dedup.text._not_moved`) on generated changes; the words and codes
of a finding's two stems read together
(:func:`~qbank.validate.dedup.classify._share_words`) against each text's own words; and
series asks decided by their sizes (:func:`~qbank.validate.dedup.classify._sizes_differ`)
against the alignment of every change."""

from __future__ import annotations

import importlib
import random
import re
import sys
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from qbank.load import load_bank
from qbank.validate.dedup import text
from qbank.validate.dedup.classify import Item
from qbank.validate.dedup.text import WordCodes, stem_text

ROOT = Path(__file__).resolve().parents[1]
#: the module (the package's ``classify`` is the function)
classify_module = importlib.import_module("qbank.validate.dedup.classify")

#: the series pattern as it was used before (a case-insensitive search, its ask lazy)
_SOLUTION_RE = re.compile(
    r"\bsolution\s*:\s*(?P<ask>.+?)\s*(?:does\s+(?:this|the\s+solution)\s+meet\s+the\s+goals?\b.*)?\Z",
    re.IGNORECASE | re.DOTALL,
)


def ask_as_was(plain: str) -> tuple[str, str] | None:
    """:func:`text.ask` with the regular expressions searched as they were (the reference)."""
    found = _SOLUTION_RE.search(plain)
    if found is not None:
        return "series", found.group("ask")
    stripped = plain.strip()
    parts = re.split(r"\n[ \t]*\n", stripped)
    if len(parts) < 2:
        if stripped.count(" ") < text.LONG_STEM_WORDS:
            return None
        parts = re.split(r"(?<=[.!?])\s+(?=\S)", stripped)
        if len(parts) < 2:
            return None
    last = parts[-1]
    context_words = sum(p.count(" ") + 1 for p in parts[:-1])
    if context_words < text.CASE_WORDS or context_words < 2 * (last.count(" ") + 1):
        return None
    return "case", last


#: what the series pattern reads: "solution" and its colon, the closing question in several
#: cases and spacings (and "does" inside another word, which the pattern also takes), the
#: whitespace ``\s`` matches (including the ASCII separators U+001C–U+001F), sentence ends
SERIES_PIECES = [
    "Solution",
    "solution",
    "SOLUTION",
    "resolution",
    ":",
    " : ",
    ": ",
    "\n",
    "\n\n",
    " ",
    "\t",
    "\x1c",
    "\x0b",
    "You deploy a VM.",
    "Does this meet the goal?",
    "does the solution meet the goals",
    "DOES  THIS\nMEET the goal",
    "does this meet the goalsx",
    "does this meet the goal_",
    "undoes",
    "does",
    "does this",
    "x",
    "goals",
    ".",
    "? ",
]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(SERIES_PIECES), max_size=18).map("".join))
def test_series_ask_equals_the_lazy_pattern(plain: str) -> None:
    assert text._solution(plain) == _search(plain)
    assert text.ask(plain) == ask_as_was(plain)


def test_series_ask_equals_the_lazy_pattern_on_many_random_texts() -> None:
    rng = random.Random(12)
    found = 0
    for _ in range(60_000):
        plain = "".join(rng.choice(SERIES_PIECES) for _ in range(rng.randint(0, 16)))
        want = _search(plain)
        found += want is not None
        assert text._solution(plain) == want, plain
    assert found > 2_000


#: words and what may follow them in generated case texts: paragraph breaks (with blanks),
#: sentence ends, spaces doubled, colons (with and without "solution" before them)
CASE_WORDS = ["You", "deploy", "a", "VM", "solution", "Solution", "resolution", "x1", "the"]
CASE_SEPARATORS = [" ", " ", " ", " ", "  ", ". ", "? ", "! ", ".\t", "\n", "\n\n", "\n \n"]
CASE_SEPARATORS += ["\n\t\n", ": ", " : ", ":", "\x1c"]


def test_case_asks_as_before_on_generated_case_texts() -> None:
    """Long texts of a few paragraphs or sentences: the context words counted until enough
    (and the colons looked back from) give the asks of the full count and search."""
    rng = random.Random(7)
    kinds = {"series": 0, "case": 0, None: 0}
    for _ in range(20_000):
        parts = []
        for _ in range(rng.choice([1, 2, 3, 5])):
            size = rng.choice([0, 1, 3, 10, 19, 20, 21, 39, 40, 41, 60, 90])
            parts.append(
                "".join(
                    rng.choice(CASE_WORDS) + rng.choice(CASE_SEPARATORS[:5]) for _ in range(size)
                )
            )
            parts.append(rng.choice(CASE_SEPARATORS))
        plain = "".join(parts)
        want = ask_as_was(plain)
        kinds[None if want is None else want[0]] += 1
        assert text.ask(plain) == want, plain
    assert min(kinds.values()) > 1_000, kinds


def _search(plain: str) -> str | None:
    found = _SOLUTION_RE.search(plain)
    return None if found is None else found.group("ask")


@pytest.fixture(scope="module")
def bench_stems(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The stems of the real-style fixture and of banks of both bench generators."""
    bench = ROOT / "bench"
    sys.path.insert(0, str(bench))
    try:
        import dedup_synth
        import realtext_synth
    finally:
        sys.path.remove(str(bench))
    tmp = tmp_path_factory.mktemp("banks")
    roots = [
        ROOT / "bank",
        ROOT / "tests" / "fixtures" / "dedup-real-style",
        realtext_synth.write_bank(tmp / "real", 800, 8, seed=5),
        dedup_synth.write_bank(tmp / "synth", dedup_synth.generate(800, seed=5), 4),
    ]
    return [stem_text(q) for root in roots for q in load_bank(root).questions]


def test_asks_as_before_on_the_bench_banks(bench_stems: list[str]) -> None:
    kinds = {"series": 0, "case": 0}
    for plain in bench_stems:
        want = ask_as_was(plain)
        if want is not None:
            kinds[want[0]] += 1
        assert text.ask(plain) == want
    assert kinds["series"] > 50 and kinds["case"] > 50


# -- typing slips ------------------------------------------------------------------------------


def is_slip_as_was(removed: list[str], added: list[str]) -> bool:
    """:func:`text.is_slip` as it was: the words first, then the full edit distance."""
    old, new = "".join(removed).lower(), "".join(added).lower()
    if old == new:
        return True
    if not old or not new:
        return False
    if any(len(w) <= 4 and w.isupper() for w in (*removed, *added)):
        return False
    return OSA.distance(old, new) <= max(1, min(len(old), len(new)) // 4)


_SLIP_VOCABULARY = ["automate", "autmate", "atuomate", "Hyper", "V", "HyperV", "AKS", "EKS"]
_SLIP_VOCABULARY += ["aks", "Aks", "x", "ab", "ba", "abc", "NOT", "not", "1,000", "1000", ""]
_SLIP_WORDS = st.lists(st.sampled_from([*_SLIP_VOCABULARY, "Straße", "STRASSE"]), max_size=4)


@settings(max_examples=3000, deadline=None)
@given(_SLIP_WORDS, _SLIP_WORDS)
def test_is_slip_as_before(removed: list[str], added: list[str]) -> None:
    assert text.is_slip(removed, added) == is_slip_as_was(removed, added)


def test_is_slip_as_before_on_random_letters() -> None:
    """Words of a few letters (some all capitals), edited a little or a lot: every bound."""
    rng = random.Random(5)
    slips = 0
    for _ in range(40_000):
        removed = [
            "".join(rng.choice("abcAB") for _ in range(rng.randint(1, 9)))
            for _ in range(rng.randint(1, 3))
        ]
        added = [list(w) for w in removed]
        for _ in range(rng.randint(0, 4)):
            word = rng.choice(added)
            at = rng.randint(0, len(word))
            op = rng.randint(0, 2)
            if op == 0:
                word.insert(at, rng.choice("abcAB"))
            elif op == 1 and at < len(word):
                del word[at]
            elif at < len(word):
                word[at] = rng.choice("abcAB")
        joined = ["".join(w) for w in added]
        slips += is_slip_as_was(removed, joined)
        assert text.is_slip(removed, joined) == is_slip_as_was(removed, joined)
    assert 5_000 < slips < 35_000


# -- the words of a finding's two stems, read together ---------------------------------------

_PAIR_PIECES = ["port", "Port", "24", "1,000", "e.g.", "don't", "it’s", "naïve", "Straße", "x_y"]
_PAIR_PIECES += ["(S3)", "AKS.", "a", "the", "—", "٣", "İstanbul"]
_PAIR_GAPS = [" ", " ", " ", "  ", "\n", "\n\n", ", ", ". ", ".", ",", "'", "-", ""]


def _pair_text(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(_PAIR_PIECES) + rng.choice(_PAIR_GAPS) for _ in range(size))


def _check_shared_words(x: str, y: str, vocab: WordCodes) -> None:
    a = Item(SimpleNamespace(), x, "", vocab)  # type: ignore[arg-type]
    b = Item(SimpleNamespace(), y, "", vocab)  # type: ignore[arg-type]
    classify_module._share_words(a, b)
    assert a._written == text.written_words(x)
    assert b._written == text.written_words(y)
    if a._codes is None or b._codes is None:
        assert max(len(a._written), len(b._written)) > text.MAX_WORDS
        return
    # one code per word, equal codes exactly for equal lower-cased words
    assert len(a._codes) == len(a._written) and len(b._codes) == len(b._written)
    seen: dict[str, str] = {}
    for code, word in zip(a._codes + b._codes, a._written + b._written, strict=True):
        assert seen.setdefault(code, word.lower()) == word.lower()
    assert len(set(seen.values())) == len(seen)
    spans = text.change_spans(text.split_words(x), text.split_words(y))
    assert text.code_spans(a._written, a._codes, b._written, b._codes) == spans


def test_shared_words_are_each_texts_words() -> None:
    """Texts that share a start and an end (cut anywhere, also inside a word, a number, a
    joined "e.g." or next to the change), edited in the middle, at either end, or one the
    other's start repeated (the common start and end overlap)."""
    rng = random.Random(11)
    vocab = WordCodes()
    for _ in range(6_000):
        head, tail = _pair_text(rng, rng.randint(0, 12)), _pair_text(rng, rng.randint(0, 12))
        x = head + _pair_text(rng, rng.randint(0, 3)) + tail
        y = head + _pair_text(rng, rng.randint(0, 3)) + tail
        if rng.random() < 0.2:  # cut the shared parts at any character
            x, y = x[rng.randint(0, len(x)) :], y[: rng.randint(0, len(y))]
        _check_shared_words(x, y, vocab)
        _check_shared_words(y, x, vocab)
        _check_shared_words(x, x + " " + x, vocab)
    long = " ".join(f"w{i}" for i in range(text.MAX_WORDS + 5))
    _check_shared_words(long, long.replace("w7 ", "w8 "), vocab)


def test_shared_words_on_the_bench_banks(bench_stems: list[str]) -> None:
    """Stems of one bank next to each other (sorted: near-duplicates meet)."""
    vocab = WordCodes()
    ordered = sorted(bench_stems)
    for x, y in pairwise(ordered):
        _check_shared_words(x, y, vocab)


# -- words that only moved ---------------------------------------------------------------------


def not_moved_as_was(
    words: list[str], codes: str, start: int, end: int, left: dict[str, int]
) -> list[str]:
    """:func:`text._not_moved` as it was: every word of the span looked at in order."""
    kept = []
    for i in range(start, end):
        count = left.get(codes[i], 0)
        if count:
            left[codes[i]] = count - 1
        else:
            kept.append(words[i])
    return kept


def test_not_moved_as_before() -> None:
    """Spans of a coded text with moved-word counts (some larger than the occurrences,
    some zero), used up over consecutive spans as code_spans does."""
    rng = random.Random(3)
    for _ in range(20_000):
        codes = "".join(rng.choice("abcdeĀā") for _ in range(rng.randint(0, 14)))
        words = [f"{c}{i}" for i, c in enumerate(codes)]
        left = {c: rng.randint(0, 3) for c in rng.sample("abcĀ", rng.randint(0, 4))}
        mine, theirs = dict(left), dict(left)
        cuts = sorted(rng.sample(range(len(codes) + 1), min(3, len(codes) + 1)))
        for start, end in pairwise(cuts):
            assert text._not_moved(words, codes, start, end, mine) == not_moved_as_was(
                words, codes, start, end, theirs
            )
            assert mine == theirs


# -- series asks decided by their sizes --------------------------------------------------------


def different_series_asks_as_was(a: Item, b: Item) -> bool:
    """:func:`different_asks` of two series items as it was: every change aligned."""
    spans = text.change_spans(text.split_words(a.ask[1]), text.split_words(b.ask[1]))
    return any(not text.is_slip(removed, added) for removed, added in spans)


_ASK_WORDS = ["You", "deploy", "a", "VM", "AKS", "policy", "to", "the", "Azure", "Straße"]
_ASK_WORDS += ["automate", "HyperV", "İstanbul", "ΣΑΣ", "x", "gateway", "1,000", "don't"]


def _edited(rng: random.Random, words: list[str]) -> list[str]:
    """Words with a few slips (a letter in, out or swapped, a word split or joined) and,
    sometimes, other words (replaced, inserted, removed, moved)."""
    out = list(words)
    for _ in range(rng.randint(0, 3)):
        if not out:
            break
        at = rng.randrange(len(out))
        word = out[at]
        edit = rng.randint(0, 8)
        if edit <= 2 and len(word) > 1:  # a slip inside the word
            k = rng.randrange(len(word))
            out[at] = word[:k] + word[k + 1 :] if edit == 0 else word[:k] + "e" + word[k:]
        elif edit == 3 and len(word) > 3:
            out[at : at + 1] = [word[:2], word[2:]]
        elif edit == 4 and at + 1 < len(out):
            out[at : at + 2] = [out[at] + out[at + 1]]
        elif edit == 5:
            out[at] = rng.choice(_ASK_WORDS)
        elif edit == 6:
            out.insert(at, rng.choice(_ASK_WORDS))
        elif edit == 7:
            del out[at]
        else:
            out.append(out.pop(at))
    return out


def _series(ask_words: list[str]) -> str:
    return "A scenario.\n\nSolution: " + " ".join(ask_words) + ".\n\nDoes this meet the goal?"


def test_series_asks_decided_by_their_sizes_as_by_the_alignment() -> None:
    rng = random.Random(8)
    vocab = WordCodes()
    by_sizes = same = 0
    for _ in range(20_000):
        words = [rng.choice(_ASK_WORDS) for _ in range(rng.randint(1, 12))]
        a = Item(SimpleNamespace(), _series(words), "", vocab)  # type: ignore[arg-type]
        b = Item(SimpleNamespace(), _series(_edited(rng, words)), "", vocab)  # type: ignore[arg-type]
        assert a.ask is not None and a.ask[0] == "series"
        want = different_series_asks_as_was(a, b)
        by_sizes += classify_module._sizes_differ(a.ask_size, b.ask_size)
        same += not want
        assert classify_module.different_asks(a, b, 85) == want
    assert by_sizes > 1_000 and same > 2_000


def test_series_asks_as_by_the_alignment_on_the_bench_banks(bench_stems: list[str]) -> None:
    """Every pair of series stems that share their scenario (the text before the ask)."""
    vocab = WordCodes()
    series: dict[str, list[Item]] = {}
    for plain in bench_stems:
        item = Item(SimpleNamespace(), plain, "", vocab)  # type: ignore[arg-type]
        if item.ask is not None and item.ask[0] == "series":
            series.setdefault(plain[: plain.find(item.ask[1])], []).append(item)
    pairs = by_sizes = 0
    for items in series.values():
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                pairs += 1
                by_sizes += classify_module._sizes_differ(a.ask_size, b.ask_size)
                assert classify_module.different_asks(a, b, 85) == different_series_asks_as_was(
                    a, b
                )
    assert pairs > 100 and by_sizes > 20, (pairs, by_sizes)


def test_ask_size_counts_the_lower_cased_characters_of_the_aligned_words() -> None:
    """``İ`` lower-cases to two characters, as ``is_slip`` compares it."""
    item = Item(SimpleNamespace(), _series(["İstanbul", "x"]), "", WordCodes())  # type: ignore[arg-type]
    assert item.ask_size == (2, len("i̇stanbulx"))
    many = Item(SimpleNamespace(), _series(["w"] * (text.MAX_WORDS + 3)), "", None)  # type: ignore[arg-type]
    assert many.ask_size == (text.MAX_WORDS, text.MAX_WORDS)
