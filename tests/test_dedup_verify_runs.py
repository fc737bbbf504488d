"""Scoring the candidate pairs that the bounds leave (``qbank.validate.dedup.scan._verify``):
runs of pairs with one first key scored with ``cdist``, the pairs of short runs together
with ``cpdist``, keep the pairs and give the scores that ``fuzz.ratio`` gives each pair."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from qbank.validate.dedup import scan

_WORDS = st.sampled_from(["a", "an", "the", "vnet", "subnet", "port", "24", "25", "ß", "日本"])


def _expected(keys: list[str], pairs: np.ndarray, threshold: float) -> tuple[list, list]:
    """The pairs that ``fuzz.ratio`` with the cutoff keeps (as the scans always decided: at
    the cutoff itself rapidfuzz may round either way, e.g. 68.0 without the cutoff and 0
    with ``score_cutoff=68``), and their scores without the cutoff (what ``pair_score``
    gives)."""
    kept = [
        (i, j) for i, j in pairs.tolist() if fuzz.ratio(keys[i], keys[j], score_cutoff=threshold)
    ]
    return [[i, j] for i, j in kept], [float(fuzz.ratio(keys[i], keys[j])) for i, j in kept]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(_WORDS, min_size=1, max_size=25), min_size=2, max_size=12),
    st.integers(40, 100),
    st.randoms(use_true_random=False),
)
def test_verify_keeps_the_pairs_and_scores_of_fuzz_ratio(
    texts: list[list[str]], threshold: int, rng: random.Random
) -> None:
    """Any candidate pairs (runs of every length, short and long): the kept pairs are those
    scoring ≥ the threshold, in their order, with ``fuzz.ratio``'s own float scores."""
    keys = [" ".join(sorted(words)) for words in texts]
    n = len(keys)
    all_pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    pairs = np.array(sorted(rng.sample(all_pairs, rng.randint(1, len(all_pairs)))), np.int64)
    want_pairs, want_scores = _expected(keys, pairs, threshold)
    for workers in (1, 2):
        got, scores = scan._verify(keys, pairs, threshold, workers)
        assert got.tolist() == want_pairs
        assert scores.dtype == np.float64
        assert scores.tolist() == want_scores


@pytest.mark.parametrize("short_run", [1, 8, 10_000])
def test_verify_runs_threads_and_short_runs_agree(
    monkeypatch: pytest.MonkeyPatch, short_run: int
) -> None:
    """Runs of 1 to 40 pairs, enough of them (≥ 256) for the threaded path: the same pairs
    and scores whether every run is one ``cdist`` call, the short ones share a ``cpdist``
    call, or all pairs are one ``cpdist`` call, on one thread or two."""
    rng = random.Random(5)
    vocab = [f"w{i}" for i in range(40)] + ["the", "a"] * 5
    base = [rng.choices(vocab, k=30) for _ in range(30)]
    keys = []
    for words in base:
        for _ in range(12):
            edited = list(words)
            for _ in range(rng.choice([0, 1, 3, 8])):
                edited[rng.randrange(len(edited))] = rng.choice(vocab)
            keys.append(" ".join(sorted(edited)))
    keys = list(dict.fromkeys(keys))
    n = len(keys)
    rows = []
    for i in range(n - 1):
        size = rng.choice([1, 1, 2, 3, 7, 8, 9, 40])
        rows += [(i, j) for j in sorted(rng.sample(range(i + 1, n), min(size, n - i - 1)))]
    pairs = np.array(rows, dtype=np.int64)
    first = pairs[:, 0]
    assert len(np.unique(first)) >= 256
    want_pairs, want_scores = _expected(keys, pairs, 85)
    assert 50 < len(want_pairs) < len(pairs)
    monkeypatch.setattr(scan, "SHORT_RUN", short_run)
    for workers in (1, 2):
        got, scores = scan._verify(keys, pairs, 85, workers)
        assert got.tolist() == want_pairs
        assert scores.tolist() == want_scores
