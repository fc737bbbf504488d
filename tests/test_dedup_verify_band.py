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
    candidates = scan.histogram_filter(
        scan.length_filter(pairs, lengths, threshold),
        scan.char_histograms(keys),
        lengths,
        threshold,
    )
    keep = scan.band_bound(keys, candidates, threshold, 1)
    scores = np.array([fuzz.ratio(keys[i], keys[j]) for i, j in candidates.tolist()])
    assert keep[scores >= threshold].all()
    assert keep.sum() - (scores >= threshold).sum() < 0.5 * (scores < threshold).sum()
