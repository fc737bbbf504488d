"""MinHash-LSH candidates for full scans of large banks (numpy, fixed seeds).

Above a few thousand distinct stems the exhaustive scan grows with the square of the bank;
MinHash signatures of the word sets, cut into bands, propose the pairs that share a band.
The candidates then go through the exact bounds and the exact scorer of
:mod:`qbank.validate.dedup.scan`, so precision equals the exhaustive scan and only recall
(99.8–99.9 %, ``bench/dedup.py``) depends on the banding.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence

import numpy as np

from qbank.validate.dedup.scan import (
    Tracker,
    char_histograms,
    histogram_filter,
    key_lengths,
    length_filter,
    unique,
    verify_pairs,
)

#: MinHash-LSH: BANDS × ROWS permutations of word sets; a pair with Jaccard similarity s is a
#: candidate with probability 1 - (1 - s^ROWS)^BANDS (≈ 0.5 at s = 0.39, 0.98 at s = 0.6).
#: 32 × 4 kept 99.9 % of the exhaustive pairs at 20,000 and 99.8 % at 100,000 (25 × 5: 98.0
#: and 97.2 %; 25 × 4: 99.5 and 98.9 %) for ≈ 1.5× the time of 25 × 5 (bench/dedup.py)
BANDS = 32
ROWS = 4
#: a bucket larger than this is split by the next band's rows (see :func:`lsh_candidates`):
#: it bounds the candidates when many stems share only common words; the price is that a
#: cluster of more than this many near-identical stems is reported partly, not pair by pair
MAX_BUCKET = 500
SEED = 20260101


#: a word set larger than this is represented by its SKETCH words of smallest hash (a
#: bottom-k sample, the same rule for every stem): near-identical long case texts keep
#: near-identical samples, and a 700-word case study costs no more than a 60-word stem
SKETCH = 64


def _token_hashes(keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Word sets of the keys as (32-bit hash per vocabulary word, word ids, doc offsets);
    sets larger than :data:`SKETCH` words are cut to their bottom-k sample.

    crc32 is stable across runs and machines (Python's ``hash()`` is salted)."""
    vocab: dict[str, int] = {}
    sets: list[list[int]] = []
    for key in keys:
        # dict.fromkeys, not set(): word ids must not depend on the salted string hash
        sets.append([vocab.setdefault(t, len(vocab)) for t in dict.fromkeys(key.split())])
    hashes = np.fromiter((zlib.crc32(t.encode("utf-8")) for t in vocab), np.uint64, len(vocab))
    ids: list[int] = []
    offsets = [0]
    for found in sets:
        if len(found) > SKETCH:
            arr = np.asarray(found, dtype=np.int64)
            # crc32 ties (rare) are broken by word id, the same way for every stem
            order = np.lexsort((arr, hashes[arr]))[:SKETCH]
            found = arr[order].tolist()
        ids.extend(found)
        offsets.append(len(ids))
    return hashes, np.asarray(ids, dtype=np.int64), np.asarray(offsets, dtype=np.int64)


def minhash_signatures(keys: Sequence[str], num_perm: int = BANDS * ROWS) -> np.ndarray:
    """MinHash signatures (``len(keys)`` × ``num_perm``, uint32) of the keys' word sets.

    Permutations are multiply-add-shift hashes ``(a·x + b) mod 2⁶⁴ >> 32`` of the token's
    crc32 with ``a``, ``b`` from a fixed seed: universal, and all numpy. Computed on the
    vocabulary once and gathered per document, in chunks to bound memory.
    A document without words gets all-ones (it never shares a band with a real one).
    """
    rng = np.random.Generator(np.random.PCG64(SEED))
    a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    hashes, ids, offsets = _token_hashes(keys)
    with np.errstate(over="ignore"):
        table = ((hashes[:, None] * a[None, :] + b[None, :]) >> np.uint64(32)).astype(np.uint32)
    # one extra row of all-ones pads the word lists of a chunk to one width (at most SKETCH
    # words): a gather and a min over a fixed axis, much faster than a ragged reduceat
    table = np.vstack([table, np.full((1, num_perm), np.iinfo(np.uint32).max, np.uint32)])
    pad = len(table) - 1
    n = len(keys)
    sig = np.full((n, num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    lengths = np.diff(offsets)
    # documents in order of length, in chunks each padded to its own longest list: the
    # gather touches about the words there are, not n × the longest list (a bank of short
    # stems with a few long ones pads far less). The minimum over a document's ids and
    # pads is the minimum over its ids (a pad is all-ones): the same signatures.
    order = np.argsort(lengths, kind="stable")
    order = order[lengths[order] > 0]
    rows = max(1, 40_000_000 // (4 * num_perm * SKETCH))  # ≤ 40 MB gathered per step
    for at in range(0, len(order), rows):
        docs = order[at : at + rows]
        width = int(lengths[docs[-1]])  # the chunk's longest list (at most SKETCH)
        counts = lengths[docs]
        padded = np.full((len(docs), width), pad, dtype=np.int64)
        where = np.repeat(np.arange(len(docs)), counts)
        step = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(
            np.cumsum(counts) - counts, counts
        )
        padded[where, step] = ids[np.repeat(offsets[docs], counts) + step]
        sig[docs] = table[padded].min(axis=1)
    return sig


def lsh_candidates(
    signatures: np.ndarray,
    bands: int = BANDS,
    rows: int = ROWS,
    *,
    max_bucket: int = MAX_BUCKET,
) -> Iterator[np.ndarray]:
    """Per band, the distinct pairs whose band of the signature is identical, as sorted
    codes ``i * n + j`` (``i < j``).

    Each band's ``rows`` values are mixed into one 64-bit bucket key (a collision only adds
    candidates, which verification removes); documents are grouped by a stable sort and
    every pair inside a bucket is produced with numpy (no Python loop over buckets).

    A bucket of more than ``max_bucket`` stems is split by the next band's rows, and so
    on: such buckets come from minima that all fell on words most stems share ("the",
    "which", …) and would put millions of unrelated pairs in the candidates (measured: one
    band, 10 M pairs at 100,000 stems), while real near-duplicates also agree on the next
    rows and stay together.
    """
    n = signatures.shape[0]
    rng = np.random.Generator(np.random.PCG64(SEED + 1))
    mix = rng.integers(1, 2**63, size=rows, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    empty = np.all(signatures == np.iinfo(np.uint32).max, axis=1)
    n_empty = int(empty.sum())
    positions = np.arange(n, dtype=np.int64)

    def band_key(band: int) -> np.ndarray:
        block = signatures[:, band * rows : (band + 1) * rows].astype(np.uint64)
        with np.errstate(over="ignore"):
            key = (block * mix[None, :]).sum(axis=1, dtype=np.uint64)
        return key ^ (key >> np.uint64(29))

    for band in range(bands):
        key = band_key(band)
        if n_empty:  # documents without words share no bucket
            key[empty] = np.arange(n_empty, dtype=np.uint64) + np.uint64(2**63 + 12345)
        for extra in range(1, bands + 1):
            order = np.argsort(key, kind="stable")
            sk = key[order]
            starts = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1]])
            sizes = np.diff(np.r_[starts, n])
            big = sizes > max_bucket
            if not big.any() or extra == bands:
                break
            docs = order[np.repeat(big, sizes)]
            with np.errstate(over="ignore"):
                key[docs] = key[docs] * mix[0] + band_key((band + extra) % bands)[docs]
        if not np.any(sizes > 1):
            yield np.empty(0, dtype=np.int64)
            continue
        ends = np.repeat(starts + sizes, sizes)
        counts = ends - positions - 1
        total = int(counts.sum())
        left = np.repeat(positions, counts)
        step = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
        right = left + 1 + step
        yield unique(order[left] * n + order[right])


def lsh_pairs(
    keys: Sequence[str],
    threshold: float,
    *,
    workers: int = -1,
    bands: int = BANDS,
    rows: int = ROWS,
    max_bucket: int = MAX_BUCKET,
    track: Tracker | None = None,
) -> np.ndarray:
    """Pairs with ``fuzz.ratio`` ≥ ``threshold`` among MinHash-LSH candidates (verified).

    Each band's candidates go through the exact length and character-count bounds at once,
    so memory holds only the survivors (about a third); the distinct survivors are then
    scored with ``cpdist``.
    """
    keys = list(keys)
    n = len(keys)
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    sig = minhash_signatures(keys, bands * rows)
    hist = char_histograms(keys)
    lengths = key_lengths(keys)
    kept: list[np.ndarray] = []
    candidates = lsh_candidates(sig, bands, rows, max_bucket=max_bucket)
    for codes in track(candidates, bands) if track else candidates:
        pairs = np.stack([codes // n, codes % n], axis=1)
        pairs = length_filter(pairs, lengths, threshold)
        pairs = histogram_filter(pairs, hist, lengths, threshold)
        kept.append(pairs[:, 0] * n + pairs[:, 1])
    del sig, hist
    codes = unique(np.concatenate(kept)) if kept else np.empty(0, dtype=np.int64)
    del kept
    pairs = np.stack([codes // n, codes % n], axis=1)
    return verify_pairs(keys, pairs, threshold, workers=workers)
