"""Exact scoring of sort keys with ``fuzz.ratio``: the exhaustive scan (full scans of small
banks), the per-query scan (pull-request mode), the verification of candidate pairs, and the
exact length, character-count and (for long keys scored on word codes) word-count bounds
that rule pairs out before any scoring.

Everything here is exact: a pair is dropped only when it provably scores below the
threshold, so these functions are the reference the MinHash-LSH candidates are measured by.
Pairs are ``(k, 2)`` int64 arrays of indices into the keys, ``i < j``, sorted.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq

#: a progress wrapper: (items, total) -> the same items
Tracker = Callable[[Iterable[Any], int], Iterable[Any]]

#: bytes of uint8 scores per cdist call (one row block); 64 MB keeps 100k-question scans small
BLOCK_BYTES = 64_000_000
#: candidate pairs verified per cpdist call
VERIFY_CHUNK = 1_000_000


def _blocks(n_rows: int, n_cols: int) -> Iterator[tuple[int, int]]:
    rows = max(1, BLOCK_BYTES // max(1, n_cols))
    for start in range(0, n_rows, rows):
        yield start, min(n_rows, start + rows)


def exhaustive_pairs(
    keys: Sequence[str],
    threshold: float,
    *,
    workers: int = -1,
    track: Tracker | None = None,
) -> np.ndarray:
    """Every pair ``(i, j)``, ``i < j``, of ``keys`` with ``fuzz.ratio`` ≥ ``threshold``.

    Row blocks of :data:`BLOCK_BYTES`: the diagonal block is scored as a triangle without its
    diagonal (:func:`_triangle`: no key is ever scored against itself), the rest as
    ``cdist(B, keys[end:])``.
    """
    keys = list(keys)
    n = len(keys)
    found: list[np.ndarray] = []
    blocks = list(_blocks(n, n))
    for start, end in track(blocks, len(blocks)) if track else blocks:
        block = keys[start:end]
        found.extend(_triangle(keys, start, end, float(threshold), workers))
        if end < n:
            scores = process.cdist(
                block,
                keys[end:],
                scorer=fuzz.ratio,
                score_cutoff=float(threshold),
                dtype=np.uint8,
                workers=workers,
            )
            i, j = np.nonzero(scores)
            found.append(np.stack([i + start, j + end], axis=1))
            del scores
    return sorted_pairs(found)


#: a triangle this small is scored pair by pair (one ``cpdist`` call), not split further
TRIANGLE_LEAF = 64


def _triangle(
    keys: Sequence[str], lo: int, hi: int, threshold: float, workers: int
) -> Iterator[np.ndarray]:
    """The pairs ``lo ≤ i < j < hi`` scoring ≥ ``threshold``, never ``i == j``.

    ``cdist(B, B)`` on one list computes the diagonal too (each key against itself), so the
    triangle is halved instead: the rectangle between the halves is one ``cdist`` (no
    diagonal in it), each half recurses, and a small triangle is one ``cpdist`` over its
    ``i < j`` pairs. Exactly ``m·(m-1)/2`` scores for ``m`` keys, as before without the ``m``.
    """
    m = hi - lo
    if m < 2:
        return
    if m <= TRIANGLE_LEAF:
        i, j = np.triu_indices(m, k=1)
        block = keys[lo:hi]
        scores = process.cpdist(
            [block[a] for a in i.tolist()],
            [block[b] for b in j.tolist()],
            scorer=fuzz.ratio,
            score_cutoff=threshold,
            dtype=np.uint8,
            workers=workers,
        )
        hit = scores > 0
        yield np.stack([i[hit] + lo, j[hit] + lo], axis=1)
        return
    mid = lo + m // 2
    scores = process.cdist(
        keys[lo:mid],
        keys[mid:hi],
        scorer=fuzz.ratio,
        score_cutoff=threshold,
        dtype=np.uint8,
        workers=workers,
    )
    i, j = np.nonzero(scores)
    del scores
    yield np.stack([i + lo, j + mid], axis=1)
    yield from _triangle(keys, lo, mid, threshold, workers)
    yield from _triangle(keys, mid, hi, threshold, workers)


def query_pairs(
    keys: Sequence[str],
    queries: Sequence[int],
    threshold: float,
    *,
    workers: int = -1,
    track: Tracker | None = None,
) -> np.ndarray:
    """Pairs between the ``queries`` (indices into ``keys``) and every key: exact PR mode.

    Each query is first checked against every key with the character-count bound
    (:func:`char_histograms`, exact), which rules out about nine pairs in ten; the rest are
    scored with ``fuzz.ratio``, one single-threaded ``cdist`` call per query (the query's
    bit pattern is built once, not once per pair as ``cpdist`` does: ≈ 1.5× less CPU), the
    queries spread over ``workers`` threads.

    The same pairs as checking every key's histogram and then :func:`verify_pairs`:

    * the length test that runs first keeps every key the histogram test keeps (the L1 of
      two histograms is at least the difference of their lengths, and both tests compare
      with the same float expression), so it only saves work; the keys are visited in
      order of length, which changes only the order in which the pairs are found;
    * ``fuzz.ratio`` is symmetric, and the word codes of two long keys give the same score
      whichever other keys are coded with them (the score depends only on which words are
      equal) — :func:`pair_score` codes the two keys alone too.
    """
    keys = list(keys)
    qs = sorted(set(queries))
    _LONG_SCORES.clear()  # only the latest call's pairs are held
    if not qs or len(keys) < 2:
        return np.empty((0, 2), dtype=np.int64)
    hist = char_histograms(keys)
    lengths = key_lengths(keys)
    slack = (100.0 - threshold) / 100.0
    # keys in order of length: the keys that pass a query's length test are one run of
    # this order (the test is monotone on either side of the query's length), so their
    # histograms are one slice, read in place instead of gathered row by row
    order = np.argsort(lengths, kind="stable")
    by_length = lengths[order]
    hist_by_length = hist[order]

    def pairs_of(q: int) -> np.ndarray:
        bound = slack * (by_length + lengths[q]) + 1e-9
        near = np.abs(by_length - lengths[q]) <= bound
        run = np.flatnonzero(near)
        if not len(run):
            return np.empty((0, 2), dtype=np.int64)
        lo, hi = int(run[0]), int(run[-1]) + 1
        l1 = np.abs(hist_by_length[lo:hi] - hist[q]).sum(axis=1, dtype=np.int32)
        cols = order[lo:hi][near[lo:hi] & (l1 <= bound[lo:hi])]
        cols = cols[cols != q]
        hits = []
        if lengths[q] > LONG_KEY:
            long_cols = lengths[cols] > LONG_KEY
            if long_cols.any():
                coded = word_codes([keys[q], *(keys[c] for c in cols[long_cols].tolist())])
                scores = _query_scores(coded[0], coded[1:], threshold)
                hit = scores > 0
                _remember(
                    [keys[q]] * int(hit.sum()),
                    [keys[c] for c in cols[long_cols][hit].tolist()],
                    scores[hit],
                )
                hits.append(cols[long_cols][hit])
                cols = cols[~long_cols]
        scores = _query_scores(keys[q], [keys[c] for c in cols.tolist()], threshold)
        hits.append(cols[scores > 0])
        cols = np.concatenate(hits)
        left = np.full(len(cols), q, dtype=np.int64)
        return np.stack([np.minimum(left, cols), np.maximum(left, cols)], axis=1)

    # rapidfuzz and numpy release the GIL: queries run on ``workers`` threads, and the
    # pairs are the same whatever the number (each query is scored on its own)
    threads = (os.cpu_count() or 1) if workers < 1 else workers
    with ThreadPoolExecutor(max(1, min(threads, len(qs)))) as pool:
        results = pool.map(pairs_of, qs)
        found = list(track(results, len(qs)) if track else results)
    return sorted_pairs(found)


def _query_scores(query: str, choices: list[str], threshold: float) -> np.ndarray:
    """``fuzz.ratio`` of ``query`` against each of the ``choices`` where it is ≥ ``threshold``,
    else 0 (float64, the scorer's own values: see :func:`_verify`; one thread:
    :func:`query_pairs` runs queries side by side)."""
    if not choices:
        return np.zeros(0, dtype=np.float64)
    scores = process.cdist(
        [query],
        choices,
        scorer=fuzz.ratio,
        score_cutoff=float(threshold),
        dtype=np.float64,
        workers=1,
    )
    return scores[0]


#: keys longer than this (characters; ≈ 160 words) are compared as word codes when both keys
#: of a pair are this long: each distinct word becomes one character, so a 700-word case
#: study is a 700-character string, not a 4,500-character one (≈ 40× cheaper to score), and
#: the score is the same Indel similarity over words instead of letters (one typo in a long
#: text moves either by less than one point). Lowering it was measured (docs/performance.md,
#: "Scoring candidate pairs"): at 600, 400 or 300 the same pairs are found on the four
#: reference banks, but the reported similarity of every finding between the two lengths
#: changes (15-41 of the 62 real-style findings, 6 of the 129 in the styles fixture), and at
#: 200 a quarter of the 20,000 synthetic findings go; :func:`band_bound` gained more CPU on
#: the real-style bank with the scores unchanged, so it stays at 1000
LONG_KEY = 1000


class _WordCoder(dict[str, str]):
    """One character per distinct word, given in order of first sight: a word already seen
    is a dict lookup in C (no Python step), only a new word runs :meth:`__missing__`."""

    __slots__ = ()

    def __missing__(self, word: str) -> str:
        n = len(self)
        # U+D800-U+DFFF (surrogates) are skipped: word_bound encodes the codes as UTF-32.
        # Past 1,112,064 distinct words chr() raises ValueError (before: past 1,048,576)
        code = self[word] = chr(n if n < 0xD800 else n + 0x800)
        return code


def word_codes(texts: Sequence[str]) -> list[str]:
    """Each text (a sorted key) with every distinct word replaced by one character, the same
    character for the same word in all ``texts``.

    Each text is split once and each word looked up once (:class:`_WordCoder`); the codes
    start at U+0000, so a few thousand words make compact 1- or 2-byte strings. A score on
    codes depends only on which words are equal (the Indel distance compares characters for
    equality, and the coding is one-to-one), so it is the same whichever characters are
    used and whichever other texts are coded with them; the codes from U+10000 that this
    used to give (a first pass collecting the distinct words, then a second lookup) scored
    the same — ``tests/test_dedup_verify_codes.py`` compares both.
    """
    get = _WordCoder().__getitem__
    return ["".join(map(get, text.split())) for text in texts]


#: scores of the pairs of long keys that :func:`verify_pairs` and :func:`query_pairs` kept
#: in their latest call, ``(key_a, key_b) -> pair_score(key_a, key_b)``: the run that found
#: a pair scores it again (:func:`pair_score`) to report it, and coding two 2,000-character
#: keys again cost ≈ 130 µs a pair (55 ms of 416 long pairs on 2,000 real-style questions)
_LONG_SCORES: dict[tuple[str, str], float] = {}


def _remember(a: list[str], b: list[str], scores: np.ndarray) -> None:
    """Note :func:`pair_score` of each pair of long keys ``(a[k], b[k])``: ``scores[k]``, the
    ``fuzz.ratio`` of their word codes (coded together: the same score as coding the two
    alone, see :func:`word_codes`) that the scan computed when it kept the pair. The scan's
    ``cdist``/``cpdist`` run the scorer that :func:`pair_score` calls, and return its float
    value as it is (dtype float64; with the cutoff, only scores below it become 0), so no
    pair is scored twice."""
    _LONG_SCORES.update(zip(zip(a, b, strict=True), scores.tolist(), strict=True))


def pair_score(a: str, b: str) -> float:
    """The score of two keys as the scans compute it (word codes when both are long).

    Two long keys that the latest :func:`verify_pairs` or :func:`query_pairs` kept are read
    from :data:`_LONG_SCORES` (the same value: a cache of this function, filled by the same
    expression; ``fuzz.ratio`` is symmetric, so either order is looked up).
    """
    if a == b:
        return 100.0
    if len(a) > LONG_KEY and len(b) > LONG_KEY:
        known = _LONG_SCORES.get((a, b))
        if known is None:
            known = _LONG_SCORES.get((b, a))
        if known is not None:
            return known
        a, b = word_codes((a, b))
    return float(fuzz.ratio(a, b))


def verify_pairs(
    keys: Sequence[str],
    pairs: np.ndarray,
    threshold: float,
    *,
    workers: int = -1,
    codes: Mapping[int, str] | None = None,
) -> np.ndarray:
    """The candidate ``pairs`` whose keys score ≥ ``threshold`` (:func:`pair_score`).

    Pairs of two long keys are scored on word codes after the word-count bound
    (:func:`word_bound`); the others go through the band bound (:func:`band_bound`, keys of
    :data:`BAND_MIN_KEY` characters or more) and are then scored with ``cdist``
    (:func:`_verify`). Both bounds are exact: they drop only pairs that score below
    ``threshold``, so the pairs are those that scoring every candidate gives.

    ``codes`` may give word codes of long keys by index, made by
    :func:`~qbank.validate.dedup.lsh.minhash_signatures` with the keys' word sets (one
    character per distinct word, the same for the same word in all of them): used when it
    holds every long key of the pairs, else :func:`word_codes` codes them. Any one-to-one
    coding gives the same scores; :func:`word_bound` may then keep other pairs below the
    threshold (its buckets differ), which the scoring drops, so the pairs are the same.
    """
    kept: list[np.ndarray] = []
    lengths = key_lengths(keys) if len(pairs) else np.zeros(0, dtype=np.int64)
    long_pairs = (
        (lengths[pairs[:, 0]] > LONG_KEY) & (lengths[pairs[:, 1]] > LONG_KEY)
        if len(pairs)
        else np.zeros(0, dtype=bool)
    )
    _LONG_SCORES.clear()  # only the latest call's pairs are held
    if long_pairs.any():
        involved = unique(pairs[long_pairs].ravel())
        wanted = involved.tolist()
        coded = (
            [codes[i] for i in wanted]
            if codes is not None and all(i in codes for i in wanted)
            else word_codes([keys[i] for i in wanted])
        )
        at = np.searchsorted(involved, pairs[long_pairs])  # the pairs as rows of ``coded``
        at = at[word_bound(coded, at, threshold)]
        at, scores = _verify(coded, at, threshold, workers)
        found = involved[at]
        _remember(
            [keys[i] for i in found[:, 0].tolist()], [keys[j] for j in found[:, 1].tolist()], scores
        )
        kept.append(found)
        pairs = pairs[~long_pairs]
    pairs = pairs[band_bound(keys, pairs, threshold, workers, lengths)]
    kept.append(_verify(keys, pairs, threshold, workers)[0])
    return sorted_pairs(kept)


#: pairs whose keys both have at least this many characters (and are not both long, see
#: :data:`LONG_KEY`) go through :func:`band_bound` before they are scored. On 2,000
#: real-style questions the 8,435 such candidate pairs (mean length 817) took 78 ms of CPU
#: to score; the bound and the scoring of the 551 pairs it keeps take 42 ms. Keys of ≈ 200
#: characters (the synthetic banks) are cheap to score: cutting pieces costs more there
BAND_MIN_KEY = 300
#: the share of the shorter key that each of the two pieces of :func:`band_bound` takes
#: (measured on the real-style bank, bound + scoring: 0.3 → 45 ms, 1,221 pairs kept;
#: 0.35 → 42.5 ms, 559; 0.4 → 42 ms, 551; 0.5 → 45 ms, 551); at most 0.5, so that the two
#: pieces do not overlap
BAND_PIECE = 0.4


def band_bound(
    keys: Sequence[str],
    pairs: np.ndarray,
    threshold: float,
    workers: int,
    lengths: np.ndarray | None = None,
) -> np.ndarray:
    """Which ``pairs`` can score ≥ ``threshold`` (a mask, False only for pairs that provably
    score below it), from the longest common subsequence (LCS) of the two ends of the keys.

    Why it is exact. ``fuzz.ratio(a, b) = 100·2ℓ/(la + lb)`` with ℓ the LCS of ``a`` (the
    shorter key of the pair) and ``b``, so a pair that reaches the threshold has
    ℓ ≥ ``need`` (below, computed with a margin that only lowers it). Take an alignment of
    ℓ matched characters: before the r-th match at ``a[i]``, ``b[j]`` lie ``i - r``
    unmatched characters of ``a`` (at most ``Ea = la - need`` in all) and ``j - r`` of ``b``
    (at most ``Eb = lb - need``), so every match has ``i - Ea ≤ j ≤ i + Eb``. With
    ``k = ⌊BAND_PIECE·la⌋`` (``2k ≤ la``: the pieces are disjoint):

    * the first ``k`` characters of ``a`` match only inside ``b[:k + Eb]``, and at most
      ``Ea`` of them are unmatched, so ``s1 = LCS(a[:k], b[:k + Eb]) ≥ k - Ea``;
    * at least ``k - s1`` of those are unmatched, so at most ``rest = Ea - (k - s1)`` of the
      last ``k`` are, and those match only inside ``b[la - k - Ea:]``:
      ``s2 = LCS(a[-k:], b[la - k - Ea:]) ≥ k - rest``.

    A pair failing either test scores below the threshold. The keys are sorted words, so
    the ends of two keys hold the words from the same ends of the alphabet, and two
    different texts show the deficit of their LCS in their ends already: of the 8,435
    candidate pairs below :data:`LONG_KEY` of 2,000 real-style questions it keeps 551 (316
    of them shorter than :data:`BAND_MIN_KEY`, not tested), and 246 score ≥ 85.

    How. ``k`` depends only on ``a``, so a key's piece is the same in all the pairs where it
    is the shorter key: the pairs are taken in order of that key, and each run of
    :data:`SHORT_RUN` pairs or more is one ``cdist`` call (its piece against the pieces of
    the other keys: the piece's bit pattern is built once), the pairs of shorter runs one
    ``cpdist`` call, without a cutoff (the exact LCS; a cutoff, one per call, saved nothing
    once the pieces no longer had to be sized to it). On the real-style bank this took
    25.7 ms of CPU instead of 33.1 (pieces sized per pair to one of a few cutoffs, a
    ``cpdist`` call per cutoff). Pairs whose first piece cannot show a deficit of ``Ea``
    (``k - Ea < Ea``: short keys or low thresholds; there the pieces rule out little and
    cost more than scoring) are kept, to be scored; so are pairs of keys shorter than
    :data:`BAND_MIN_KEY`, and the last piece is tested only where it can fail
    (``k - rest ≥ 1``). ``lengths`` are the keys' lengths (:func:`key_lengths`) if the
    caller has them.
    """
    keep = np.ones(len(pairs), dtype=bool)
    if not len(pairs):
        return keep
    lengths = key_lengths(keys) if lengths is None else lengths
    big = lengths >= BAND_MIN_KEY
    tried = np.flatnonzero(big[pairs[:, 0]] & big[pairs[:, 1]]) if big.any() else big[:0]
    if not len(tried):
        return keep
    # ``a`` is the shorter key of each pair (ℓ is symmetric): the smaller slack of the two
    shorter = lengths[pairs[tried, 0]] <= lengths[pairs[tried, 1]]
    first = np.where(shorter, pairs[tried, 0], pairs[tried, 1])
    second = np.where(shorter, pairs[tried, 1], pairs[tried, 0])
    la, lb = lengths[first], lengths[second]
    need = np.floor(float(threshold) / 200.0 * (la + lb) - 1e-6).astype(np.int64)
    slack_a, slack_b = la - need, lb - need
    piece = np.floor(BAND_PIECE * la).astype(np.int64)
    cut1 = piece - slack_a
    # a pair with a negative slack cannot reach the threshold (ℓ ≤ min(la, lb)): it is left
    # to the scorer. So are pairs whose first piece would need less than the deficit it may
    # have (``k - Ea < Ea``, at low thresholds): such pieces rule out little and cost more
    # than scoring (without this test, threshold 70 on the real-style bank took 1.6× the
    # CPU of scoring every pair)
    rows = np.flatnonzero(
        (cut1 >= slack_a) & (cut1 >= 1) & (slack_a >= 0) & (slack_b >= 0) & (2 * piece <= la)
    )
    if not len(rows):
        return keep
    rows = rows[np.lexsort((second[rows], first[rows]))]  # runs of one shorter key
    a, b = first[rows], second[rows]
    la, slack_a, slack_b, cut1, piece = (
        la[rows],
        slack_a[rows],
        slack_b[rows],
        cut1[rows],
        piece[rows],
    )
    zero = np.zeros(len(rows), dtype=np.int64)
    s1 = _piece_lcs(keys, a, b, (zero, piece), (zero, piece + slack_b), workers)
    alive = s1 >= cut1
    # the last pieces, for the pairs the first ones kept: ``rest`` is the deficit still
    # allowed, ``cut2`` what the last piece must reach
    rest = slack_a - (piece - s1)
    cut2 = piece - rest
    at = np.flatnonzero(alive & (cut2 >= 1))
    if len(at):
        la, piece = la[at], piece[at]
        s2 = _piece_lcs(
            keys,
            a[at],
            b[at],
            (la - piece, la),
            (np.maximum(0, la - piece - slack_a[at]), lengths[b[at]]),
            workers,
        )
        alive[at] = s2 >= cut2[at]
    keep[tried[rows]] = alive
    return keep


def _piece_lcs(
    keys: Sequence[str],
    a: np.ndarray,
    b: np.ndarray,
    a_span: tuple[np.ndarray, np.ndarray],
    b_span: tuple[np.ndarray, np.ndarray],
    workers: int,
) -> np.ndarray:
    """``LCSseq.similarity(keys[a[r]][a_span[r]], keys[b[r]][b_span[r]])`` for each row ``r``
    (spans as ``(starts, ends)``), the rows in runs of one ``a`` with one ``a`` span.

    A run of :data:`SHORT_RUN` rows or more is one ``cdist`` call (the ``a`` piece is the
    query, its bit pattern built once); the rows of shorter runs are one ``cpdist`` call.
    Both give the exact LCS (no cutoff). The pieces are cut run by run, just before they
    are scored (cutting all of them first was slower: ≈ 7 MB of pieces left the cache).
    """
    out = np.zeros(len(a), dtype=np.int64)
    if not len(a):
        return out
    starts = np.flatnonzero(np.r_[True, a[1:] != a[:-1]])
    sizes = np.diff(np.r_[starts, len(a)])
    short = sizes < SHORT_RUN
    ids_a, ids_b = a.tolist(), b.tolist()
    a_from, a_to = a_span[0].tolist(), a_span[1].tolist()
    b_from, b_to = b_span[0].tolist(), b_span[1].tolist()
    alone = np.flatnonzero(np.repeat(short, sizes))
    if len(alone):
        rows = alone.tolist()
        out[alone] = process.cpdist(
            [keys[ids_a[r]][a_from[r] : a_to[r]] for r in rows],
            [keys[ids_b[r]][b_from[r] : b_to[r]] for r in rows],
            scorer=LCSseq.similarity,
            dtype=np.int64,
            workers=workers,
        )
    run_starts, run_ends = starts[~short].tolist(), (starts + sizes)[~short].tolist()

    def score(first_run: int, last_run: int) -> None:
        for lo, hi in zip(
            run_starts[first_run:last_run], run_ends[first_run:last_run], strict=True
        ):
            out[lo:hi] = process.cdist(
                [keys[ids_a[lo]][a_from[lo] : a_to[lo]]],
                [
                    keys[j][x:y]
                    for j, x, y in zip(ids_b[lo:hi], b_from[lo:hi], b_to[lo:hi], strict=True)
                ],
                scorer=LCSseq.similarity,
                dtype=np.int64,
                workers=1,
            )[0]

    _spread_runs(score, len(run_starts), workers, min_runs=64)
    return out


def _spread_runs(
    score: Callable[[int, int], None], n_runs: int, workers: int, *, min_runs: int
) -> None:
    """Call ``score(lo, hi)`` over runs ``0 … n_runs``: in one call, or — with more than one
    worker thread and at least ``min_runs`` runs — in ``4 × threads`` slices on a pool (each
    slice writes its own rows of the result; rapidfuzz releases the GIL while it scores)."""
    threads = (os.cpu_count() or 1) if workers < 1 else workers
    parts = min(4 * threads, n_runs) if threads > 1 and n_runs >= min_runs else 1
    if parts == 1:
        score(0, n_runs)
        return
    cuts = [n_runs * k // parts for k in range(parts + 1)]
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(score, cuts[:-1], cuts[1:]))


#: word buckets of :func:`word_bound` (merging words into buckets keeps the bound exact)
WORD_BUCKETS = 256


def word_bound(codes: Sequence[str], pairs: np.ndarray, threshold: float) -> np.ndarray:
    """Which ``pairs`` of word-coded keys (:func:`word_codes`) the word-count bound keeps: a
    mask, True for every pair that can score ≥ ``threshold``.

    Why it is exact: on word codes each inserted or deleted word changes one word's count by
    one, so the L1 distance of two keys' word counts is at most their Indel distance, and
    ``fuzz.ratio`` ≥ t needs ``Indel ≤ (1 - t/100)·(words_a + words_b)``; counting words in
    :data:`WORD_BUCKETS` buckets only lowers the L1. It is the word-level twin of the
    character-count bound (which does not bound a score on words). On 2,000 real-style
    questions it keeps 416 of 2,803 candidate pairs of long keys — exactly the ones that
    score ≥ 85 — so most long pairs are never scored.
    """
    lengths = key_lengths(codes)
    text = "".join(codes).encode("utf-32-le")
    words = np.frombuffer(text, dtype=np.uint32).astype(np.int64) % WORD_BUCKETS
    docs = np.repeat(np.arange(len(codes), dtype=np.int64), lengths)
    counts = np.bincount(docs * WORD_BUCKETS + words, minlength=len(codes) * WORD_BUCKETS).reshape(
        len(codes), WORD_BUCKETS
    )
    # int16 counts when they fit (the difference of two counts in 0..32767 fits too): the
    # gathered rows are a quarter of int64's, and the L1 6× faster (3.4 → 0.5 ms for the
    # 2,803 long pairs of 2,000 real-style questions); the sums are the same integers
    if counts.max(initial=0) < 2**15:
        counts = counts.astype(np.int16)
    slack = (100.0 - threshold) / 100.0
    keep = np.zeros(len(pairs), dtype=bool)
    step = max(1, 8_000_000 // WORD_BUCKETS)  # ≤ 64 MB of gathered counts per step
    for start in range(0, len(pairs), step):
        i, j = pairs[start : start + step, 0], pairs[start : start + step, 1]
        l1 = np.abs(counts[i] - counts[j]).sum(axis=1, dtype=np.int64)
        keep[start : start + step] = l1 <= slack * (lengths[i] + lengths[j]) + 1e-6
    return keep


#: runs of fewer pairs than this (pairs of :func:`_verify` with the same first key) are
#: scored together in one ``cpdist`` call rather than one ``cdist`` call each
SHORT_RUN = 8


def _verify(
    keys: Sequence[str], pairs: np.ndarray, threshold: float, workers: int
) -> tuple[np.ndarray, np.ndarray]:
    """The ``pairs`` (in their order) whose keys score ≥ ``threshold``, and their scores
    (``fuzz.ratio``, float64).

    Each run of :data:`SHORT_RUN` pairs or more with the same first key is one single-query
    ``cdist`` call: the first key's bit pattern is built once per run, not once per pair as
    ``cpdist`` builds it (≈ 17 % less CPU on the 20,000-question bench, where a key has ≈ 36
    candidates). The pairs of shorter runs are one ``cpdist`` call: on 2,000 real-style
    questions the 551 character pairs are 283 runs (the 416 long ones, 182), and a call per
    run of one or two pairs cost more than the pattern it saves (3.6 → 2.3 ms and 2.3 →
    1.8 ms of CPU). The scores are the same either way: ``cdist`` and ``cpdist`` run the
    same scorer with the same cutoff (see :func:`query_pairs`) and, with a float64 result,
    return its value as it is (0 below the cutoff). Runs are spread over ``workers`` threads
    (rapidfuzz releases the GIL while it scores), and the result does not depend on their
    number.
    """
    kept: list[np.ndarray] = []
    kept_scores: list[np.ndarray] = []
    cutoff = float(threshold)
    for start in range(0, len(pairs), VERIFY_CHUNK):
        chunk = pairs[start : start + VERIFY_CHUNK]
        if not len(chunk):
            continue
        first = chunk[:, 0]
        runs = np.flatnonzero(np.r_[True, first[1:] != first[:-1]])
        sizes = np.diff(np.r_[runs, len(chunk)])
        short = sizes < SHORT_RUN
        scores = np.zeros(len(chunk), dtype=np.float64)
        alone = np.flatnonzero(np.repeat(short, sizes))  # the pairs of short runs
        if len(alone):
            scores[alone] = process.cpdist(
                [keys[i] for i in first[alone].tolist()],
                [keys[j] for j in chunk[alone, 1].tolist()],
                scorer=fuzz.ratio,
                score_cutoff=cutoff,
                dtype=np.float64,
                # rapidfuzz's threads only for a large call, as the runs below get threads
                workers=workers if len(alone) >= 256 * SHORT_RUN else 1,
            )
        starts = runs[~short]
        if len(starts):
            queries = [keys[i] for i in first[starts].tolist()]
            choices = [keys[j] for j in chunk[:, 1].tolist()]
            score = partial(
                _score_runs,
                queries,
                choices,
                starts.tolist(),
                (starts + sizes[~short]).tolist(),
                cutoff,
                scores,
            )
            _spread_runs(score, len(queries), workers, min_runs=256)
        hit = scores > 0
        kept.append(chunk[hit])
        kept_scores.append(scores[hit])
    if not kept:
        return np.empty((0, 2), dtype=np.int64), np.empty(0, dtype=np.float64)
    return np.concatenate(kept), np.concatenate(kept_scores)


def _score_runs(
    queries: list[str],
    choices: list[str],
    starts: list[int],
    ends: list[int],
    cutoff: float,
    scores: np.ndarray,
    lo: int,
    hi: int,
) -> None:
    """Score the runs ``lo`` to ``hi`` of :func:`_verify` into ``scores`` (run ``r`` is query
    ``r`` against ``choices[starts[r]:ends[r]]``; each thread writes its own runs)."""
    for r in range(lo, hi):
        at, end = starts[r], ends[r]
        scores[at:end] = _query_scores(queries[r], choices[at:end], cutoff)


# -- exact bounds ------------------------------------------------------------------------------

#: character-count buckets: a-z, 0-9 and space each get their own; other Latin-1 characters
#: share 11 buckets and everything beyond Latin-1 one more
_HIST_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789 "
HIST_BUCKETS = len(_HIST_ALPHABET) + 12
_HIST_TABLE = np.array(
    [
        _HIST_ALPHABET.index(chr(c)) if chr(c) in _HIST_ALPHABET else len(_HIST_ALPHABET) + c % 11
        for c in range(256)
    ],
    dtype=np.int64,
)
_HIST_TABLE[ord("?")] = HIST_BUCKETS - 1  # what Latin-1 encoding makes of anything else
#: :data:`_HIST_TABLE` as a ``bytes.translate`` table: byte c becomes the byte of its bucket
_HIST_BYTES = bytes(_HIST_TABLE.tolist())


def key_lengths(keys: Sequence[str]) -> np.ndarray:
    """The keys' lengths in characters (int64), the scale of both bounds."""
    return np.fromiter(map(len, keys), np.int64, len(keys))


#: characters per chunk of :func:`char_histograms` (a key longer than this is a chunk of its
#: own). The chunk's cell indices (8 bytes a character) then stay in the cache: measured
#: (CPU medians, 13:41, load 3.7) 2 M characters 5.2 ms, 500 k 3.8, 250 k 3.6, 120 k 3.4,
#: 60 k 3.3 on the 2,000 real-style keys; 27.3 / 16.0 / 12.7 / 12.4 / 11.9 ms on the 20,000
#: synthetic ones. Chunking changes no count
_HIST_CHUNK = 128_000


def char_histograms(keys: Sequence[str]) -> np.ndarray:
    """Character counts of each key (``len(keys)`` × :data:`HIST_BUCKETS`).

    Why: every insertion or deletion changes one count by one, so the L1 distance of two
    histograms is a lower bound of their Indel distance, and ``fuzz.ratio`` ≥ t needs
    ``L1 ≤ (1 - t/100)·(len_a + len_b)``. Merging characters into a bucket only lowers the
    L1, so the bound stays exact. It is cheap (numpy, ≈ 0.1 s for 100,000 stems) and rules
    out most unrelated pairs before the real scorer runs.

    Each character's bucket comes from ``bytes.translate`` with :data:`_HIST_BYTES` (the
    same table as bytes: C, one pass), not a numpy gather through :data:`_HIST_TABLE` (an
    index cast and a gather per character, ≈ 2× the time of the whole translate and add).
    """
    n = len(keys)
    lengths = key_lengths(keys)
    hist = np.zeros(
        (n, HIST_BUCKETS), dtype=np.int16 if lengths.max(initial=0) < 2**15 else np.int32
    )
    ends = np.cumsum(lengths)
    doc = 0
    while doc < n:  # chunks of ≈ _HIST_CHUNK characters: the temporaries stay in cache
        done = int(ends[doc - 1]) if doc else 0
        stop = min(n, max(doc + 1, int(np.searchsorted(ends, done + _HIST_CHUNK))))
        # one byte per character: Latin-1, anything else becomes "?" (its own bucket)
        text = "".join(keys[doc:stop]).encode("latin-1", "replace").translate(_HIST_BYTES)
        width = (stop - doc) * HIST_BUCKETS
        cell = np.repeat(np.arange(0, width, HIST_BUCKETS, dtype=np.intp), lengths[doc:stop])
        cell += np.frombuffer(text, dtype=np.uint8)
        hist[doc:stop] = np.bincount(cell, minlength=width).reshape(stop - doc, HIST_BUCKETS)
        doc = stop
    return hist


def histogram_filter(
    pairs: np.ndarray, hist: np.ndarray, lengths: np.ndarray, threshold: float
) -> np.ndarray:
    """Drop pairs the character-count bound rules out (exact; see :func:`char_histograms`)."""
    slack = (100.0 - threshold) / 100.0
    kept = []
    # steps of 8,192 pairs: the gathered histograms (≈ 0.8 MB) stay in the CPU cache; steps
    # of 500,000 (≈ 50 MB) took ≈ 25 % longer on the 20,000-question bench (same pairs)
    step = 8192
    for start in range(0, len(pairs), step):
        chunk = pairs[start : start + step]
        i, j = chunk[:, 0], chunk[:, 1]
        # rows by np.take: the pairs index rows 0 … n-1, so "clip" changes no row and skips
        # the bounds check of plain indexing (≈ 1.5× faster gathers)
        rows_i = np.take(hist, i, axis=0, mode="clip")
        l1 = np.abs(rows_i - np.take(hist, j, axis=0, mode="clip")).sum(axis=1, dtype=np.int32)
        kept.append(chunk[l1 <= slack * (lengths[i] + lengths[j]) + 1e-9])
    return np.concatenate(kept) if kept else pairs


def length_filter(pairs: np.ndarray, lengths: np.ndarray, threshold: float) -> np.ndarray:
    """Drop pairs whose lengths alone rule out ``ratio ≥ threshold`` (exact: the ratio is at
    most ``200·min(la, lb) / (la + lb)``)."""
    la, lb = lengths[pairs[:, 0]], lengths[pairs[:, 1]]
    return pairs[200 * np.minimum(la, lb) >= threshold * (la + lb)]


# -- pair arrays -------------------------------------------------------------------------------


def unique(codes: np.ndarray) -> np.ndarray:
    """Sorted distinct values (a sort and a mask: faster than ``np.unique``'s hashing here)."""
    if len(codes) < 2:
        return codes
    codes = np.sort(codes)
    return codes[np.r_[True, codes[1:] != codes[:-1]]]


def sorted_pairs(found: list[np.ndarray]) -> np.ndarray:
    """Distinct ``(i, j)`` rows, sorted, as int64 (``found`` holds (k, 2) arrays)."""
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.concatenate(found).astype(np.int64)
    if not len(pairs):
        return pairs.reshape(0, 2)
    width = int(pairs.max()) + 1
    codes = unique(pairs[:, 0] * width + pairs[:, 1])
    return np.stack([codes // width, codes % width], axis=1)
