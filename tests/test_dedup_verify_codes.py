"""Scoring candidate pairs (``qbank.validate.dedup.scan``): the word coding done in one pass
and the scores of long pairs remembered for :func:`pair_score` give the same scores and
pairs as before."""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from qbank.validate.dedup import scan


def _word_codes_as_was(texts: Sequence[str]) -> list[str]:
    """word_codes before it coded in one pass: codes from U+10000, distinct words first."""
    split = [text.split() for text in texts]
    seen: dict[str, None] = {}
    for words in split:
        seen.update(dict.fromkeys(words))
    codes = {w: chr(0x10000 + i) for i, w in enumerate(seen)}
    return ["".join(codes[w] for w in words) for words in split]


def _pair_score_as_was(a: str, b: str) -> float:
    if a == b:
        return 100.0
    if len(a) > scan.LONG_KEY and len(b) > scan.LONG_KEY:
        a, b = _word_codes_as_was((a, b))
    return float(fuzz.ratio(a, b))


_WORDS = st.sampled_from(["a", "the", "vnet", "subnet", "x", "ß", "日本", "24", "25", "ǅ"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_WORDS, max_size=30), min_size=1, max_size=6))
def test_word_codes_score_as_before(texts: list[list[str]]) -> None:
    """Every pair of texts scores the same on the new codes as on the old ones, and equal
    codes mean equal words."""
    keys = [" ".join(sorted(words)) for words in texts]
    new, old = scan.word_codes(keys), _word_codes_as_was(keys)
    for text, code in zip(texts, new, strict=True):
        assert len(code) == len(text)
    for i in range(len(keys)):
        for j in range(len(keys)):
            assert fuzz.ratio(new[i], new[j]) == fuzz.ratio(old[i], old[j])
    flat_words = [w for text in keys for w in text.split()]
    flat_codes = "".join(new)
    assert len(set(flat_words)) == len(set(flat_codes))
    assert len(set(zip(flat_words, flat_codes, strict=True))) == len(set(flat_words))


def test_word_codes_skip_the_surrogates() -> None:
    """Past 55,296 distinct words the codes jump over U+D800-U+DFFF, so the word-count bound
    can encode them (UTF-32) and every word keeps its own code."""
    words = [f"w{i}" for i in range(0xD800 + 3000)]
    codes = scan.word_codes([" ".join(words[:40_000]), " ".join(words[40_000:])])
    joined = "".join(codes)
    assert len(set(joined)) == len(words)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in joined)
    keep = scan.word_bound(codes, np.array([[0, 1]], dtype=np.int64), 85)
    assert not keep[0]  # no word in common: ruled out, and encoded without an error


def _long_keys(seed: int) -> list[str]:
    rng = random.Random(seed)
    vocab = [f"word{i}" for i in range(300)] + ["the", "a", "of"] * 20
    keys = []
    for _ in range(10):
        base = rng.choices(vocab, k=rng.choice([120, 230, 400]))
        for _ in range(5):
            edited = list(base)
            for _ in range(rng.choice([1, 6, 30])):
                edited[rng.randrange(len(edited))] = rng.choice(vocab)
            keys.append(" ".join(sorted(edited)))
    keys += [" ".join(sorted(rng.choices(vocab, k=40))) for _ in range(10)]  # short ones
    return list(dict.fromkeys(keys))


def test_pair_score_reads_the_scores_the_scan_kept() -> None:
    """After verify_pairs (and after query_pairs) pair_score gives, for every pair, the score
    that coding the two keys alone gives; the long pairs kept are read from the memo."""
    keys = _long_keys(3)
    assert sum(len(k) > scan.LONG_KEY for k in keys) >= 30
    pairs = np.array([(i, j) for i in range(len(keys)) for j in range(i + 1, len(keys))])
    kept = scan.verify_pairs(keys, pairs, 85, workers=1)
    long_kept = [
        (i, j) for i, j in kept.tolist() if min(len(keys[i]), len(keys[j])) > scan.LONG_KEY
    ]
    assert len(long_kept) > 20
    assert {(keys[i], keys[j]) for i, j in long_kept} == set(scan._LONG_SCORES)
    for i, j in pairs.tolist():
        expected = _pair_score_as_was(keys[i], keys[j])
        assert scan.pair_score(keys[i], keys[j]) == expected
        assert scan.pair_score(keys[j], keys[i]) == expected
    assert kept.tolist() == [
        [i, j] for i, j in pairs.tolist() if _pair_score_as_was(keys[i], keys[j]) >= 85
    ]
    found = scan.query_pairs(keys, [0, 5, 17], 85, workers=2)
    assert len(scan._LONG_SCORES) > 0
    for i, j in found.tolist():
        assert scan.pair_score(keys[i], keys[j]) == _pair_score_as_was(keys[i], keys[j]) >= 85
    scan.verify_pairs(keys, pairs[:0], 85)
    assert not scan._LONG_SCORES  # a new call forgets the last one's pairs


def _word_bound_as_was(codes: list[str], pairs: np.ndarray, threshold: float) -> np.ndarray:
    """word_bound before its counts were int16: int64 counts, one step."""
    lengths = scan.key_lengths(codes)
    words = np.frombuffer("".join(codes).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    docs = np.repeat(np.arange(len(codes), dtype=np.int64), lengths)
    counts = np.bincount(
        docs * scan.WORD_BUCKETS + words % scan.WORD_BUCKETS,
        minlength=len(codes) * scan.WORD_BUCKETS,
    ).reshape(len(codes), scan.WORD_BUCKETS)
    l1 = np.abs(counts[pairs[:, 0]] - counts[pairs[:, 1]]).sum(axis=1)
    slack = (100.0 - threshold) / 100.0
    return l1 <= slack * (lengths[pairs[:, 0]] + lengths[pairs[:, 1]]) + 1e-6


def test_word_bound_as_before() -> None:
    """The int16 counts keep the same pairs as int64 ones, and counts past 32,767 (one word
    repeated in a huge key) take the int64 path with the same result."""
    rng = random.Random(4)
    vocab = [f"w{i}" for i in range(700)]
    keys = [" ".join(sorted(rng.choices(vocab, k=rng.randint(150, 400)))) for _ in range(60)]
    keys += [" ".join(["the"] * 40_000 + ["w1"]), " ".join(["the"] * 39_000 + ["w2"])]
    codes = scan.word_codes(keys)
    pairs = np.array([(i, j) for i in range(len(keys)) for j in range(i + 1, len(keys))])
    for threshold in (50, 85, 97):
        expected = _word_bound_as_was(codes, pairs, threshold)
        assert np.array_equal(scan.word_bound(codes, pairs, threshold), expected)
        small = pairs[:, 1] < 60  # without the huge keys: the int16 path
        kept = scan.word_bound(codes[:60], pairs[small], threshold)
        assert np.array_equal(kept, expected[small])
    assert expected[-1]  # the two huge keys: kept, via the int64 counts
