"""The band bound of ``qbank.validate.dedup.scan`` (:func:`band_bound`) drops only pairs that
score below the threshold, so :func:`verify_pairs` keeps the same pairs with it as without."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from qbank.validate.dedup import scan

_WORDS = ["a", "an", "the", "of", "vnet", "subnet", "policy", "gateway", "port", "24", "25"]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=60),
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=60),
    st.booleans(),
    st.integers(50, 100),
)
def test_band_bound_never_drops_a_match(
    a: list[str], b: list[str], sort: bool, threshold: int
) -> None:
    """Every pair scoring ≥ the threshold is kept (sorted keys and unsorted text alike: the
    bound holds for any two strings), here on short keys too."""
    ka, kb = (" ".join(sorted(w) if sort else w) for w in (a, b))
    keys = [ka, kb]
    pairs = np.array([[0, 1]], dtype=np.int64)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(scan, "BAND_MIN_KEY", 1)
        keep = scan.band_bound(keys, pairs, threshold, 1)
        if fuzz.ratio(ka, kb) >= threshold:
            assert keep[0]
        swapped = scan.band_bound(keys[::-1], pairs, threshold, 1)
        if fuzz.ratio(ka, kb) >= threshold:
            assert swapped[0]
        if len(ka) != len(kb):  # the shorter key plays the first part either way; of two
            assert swapped[0] == keep[0]  # keys of one length, the first (both are bounds)


def _real_style_keys() -> list[str]:
    """Keys like those of 2,000 real-style questions: long paragraphs, near-copies of them
    (a word or a sentence changed), and texts of the same topic."""
    rng = random.Random(11)
    letters = "eeeeeeetttttaaaaooooiiiinnnnsssshhhrrrdddllcumwfgypbvkjxqz"
    vocab = ["".join(rng.choices(letters, k=rng.randint(2, 10))) for _ in range(600)]
    vocab += ["the", "a", "of", "to", "and"] * 30
    keys = []
    for _ in range(40):
        base = rng.choices(vocab, k=rng.randint(60, 180))
        for _ in range(4):
            words = list(base)
            for _ in range(rng.choice([0, 2, 8, 20, 40])):
                words[rng.randrange(len(words))] = rng.choice(vocab)
            keys.append(" ".join(sorted(words)))
    return list(dict.fromkeys(keys))


def _bounded(keys: list[str], pairs: np.ndarray, threshold: int) -> np.ndarray:
    """The pairs the length and character-count bounds leave: what verify_pairs gets from
    the scans."""
    lengths = scan.key_lengths(keys)
    return scan.histogram_filter(
        scan.length_filter(pairs, lengths, threshold),
        scan.char_histograms(keys),
        lengths,
        threshold,
    )


@pytest.mark.parametrize("threshold", [75, 85, 92])
def test_verify_pairs_keeps_the_same_pairs_with_the_band_bound(threshold: int) -> None:
    """All pairs of 150 keys of 300-1,300 characters: verify_pairs with the band bound keeps
    exactly the pairs that scoring every pair keeps, and the bound does rule pairs out."""
    keys = _real_style_keys()
    lengths = scan.key_lengths(keys)
    assert (lengths >= scan.BAND_MIN_KEY).mean() > 0.8
    pairs = np.array([(i, j) for i in range(len(keys)) for j in range(i + 1, len(keys))])
    expected = [[i, j] for i, j in pairs.tolist() if scan.pair_score(keys[i], keys[j]) >= threshold]
    assert len(expected) > 30
    assert scan.verify_pairs(keys, pairs, threshold, workers=2).tolist() == expected
    # the pairs the length and character-count bounds leave (what verify_pairs gets from
    # the scans): the band bound rules out most of those that score below the threshold
    candidates = _bounded(keys, pairs, threshold)
    keep = scan.band_bound(keys, candidates, threshold, 1)
    scores = np.array([fuzz.ratio(keys[i], keys[j]) for i, j in candidates.tolist()])
    assert keep[scores >= threshold].all()
    assert keep.sum() - (scores >= threshold).sum() < 0.5 * (scores < threshold).sum()


def _band_bound_as_was(keys: list[str], pairs: np.ndarray, threshold: float) -> np.ndarray:
    """band_bound before its pieces were one length per key: each pair's piece sized to a
    cutoff rounded to 16, one ``cpdist`` call per cutoff (the same proof, other pieces)."""
    from rapidfuzz import process
    from rapidfuzz.distance import LCSseq

    keep = np.ones(len(pairs), dtype=bool)
    lengths = scan.key_lengths(keys)
    for row, (i, j) in enumerate(pairs.tolist()):
        a, b = (keys[i], keys[j]) if lengths[i] <= lengths[j] else (keys[j], keys[i])
        la, lb = len(a), len(b)
        if min(la, lb) < scan.BAND_MIN_KEY:
            continue
        need = int(np.floor(threshold / 200.0 * (la + lb) - 1e-6))
        ea, eb = la - need, lb - need
        cut1 = (int(np.floor(0.4 * la)) - ea) // 16 * 16
        if cut1 < ea or cut1 < 1 or ea < 0 or eb < 0:
            continue
        k1 = cut1 + ea
        s1 = int(process.cpdist([a[:k1]], [b[: k1 + eb]], scorer=LCSseq.similarity)[0])
        if s1 < cut1:
            keep[row] = False
            continue
        rest = ea - (k1 - s1)
        cut2 = (int(np.floor(0.4 * la)) - rest) // 16 * 16
        if cut2 >= 1 and k1 + cut2 + rest <= la:
            k2 = cut2 + rest
            s2 = LCSseq.similarity(a[-k2:], b[max(0, la - k2 - ea) :])
            keep[row] = s2 >= cut2
    return keep


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(_WORDS), min_size=3, max_size=40), min_size=2, max_size=9),
    st.integers(60, 98),
    st.sampled_from([1, 3, 10_000]),
)
def test_band_bound_runs_never_drop_a_match(
    texts: list[list[str]], threshold: int, short_run: int
) -> None:
    """All pairs of a few keys (so a key is the shorter one of a run of pairs): every pair
    scoring ≥ the threshold is kept, and the mask is the same whether runs are ``cdist``
    calls or the pairs one ``cpdist`` call (``SHORT_RUN``), on one thread or two."""
    keys = list(dict.fromkeys(" ".join(sorted(words)) for words in texts))
    pairs = np.array(
        [(i, j) for i in range(len(keys)) for j in range(i + 1, len(keys))], dtype=np.int64
    ).reshape(-1, 2)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(scan, "BAND_MIN_KEY", 1)
        reference = scan.band_bound(keys, pairs, threshold, 1)
        for i, j in pairs[~reference].tolist():
            assert fuzz.ratio(keys[i], keys[j]) < threshold
        mp.setattr(scan, "SHORT_RUN", short_run)
        assert np.array_equal(scan.band_bound(keys, pairs, threshold, 1), reference)
        assert np.array_equal(scan.band_bound(keys, pairs, threshold, 2), reference)


@pytest.mark.parametrize("threshold", [75, 85, 92])
def test_band_bound_rules_out_what_it_did(threshold: int) -> None:
    """On 150 real-style keys, the pieces of one length per key rule out at least the pairs
    that the pieces sized per pair did, less a few (the pieces differ by < 16 characters),
    and keep every pair that scores ≥ the threshold."""
    keys = _real_style_keys()
    pairs = np.array([(i, j) for i in range(len(keys)) for j in range(i + 1, len(keys))])
    candidates = _bounded(keys, pairs, threshold)
    keep = scan.band_bound(keys, candidates, threshold, 1)
    assert np.array_equal(scan.band_bound(keys, candidates, threshold, 2), keep)  # threads
    was = _band_bound_as_was(keys, candidates, threshold)
    scores = np.array([fuzz.ratio(keys[i], keys[j]) for i, j in candidates.tolist()])
    assert keep[scores >= threshold].all() and was[scores >= threshold].all()
    assert keep.sum() <= was.sum() + 0.02 * len(candidates)
