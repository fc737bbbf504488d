"""The near-duplicate engine behind QB301–QB303: normalise, group, find candidates, verify,
classify. Usable without the CLI::

    from qbank.validate.dedup import find_duplicates
    findings = find_duplicates(bank.questions, threshold=85)        # full scan
    findings = find_duplicates(bank.questions, changed_ids={"q-17"})  # pull-request mode

Why it is built this way (measurements in ``notes/dedup.md`` and ``bench/dedup.py``):

* **One normalisation per question.** The stem's plain text (:func:`qbank.markup.to_text`,
  skipped when the text has no markup that could change its words) is lower-cased,
  punctuation becomes spaces and the words are sorted. ``fuzz.ratio`` on these strings is
  exactly ``token_sort_ratio`` and 6–7× faster, because nothing is re-sorted per comparison.
  A cloze is compared with its blanks filled with their first answer (an empty answer
  becomes ``___``): a cloze and a choice question about the same sentence then compare as
  the same sentence, which is what an author needs to hear (or to allow).
* **Identical keys are grouped first** (a dict, O(N)); scoring runs on distinct keys only.
* **Pull-request mode** (``changed_ids``) compares the changed questions with the whole
  bank, exactly: an exact character-count bound (:func:`char_histograms`) rules out most
  pairs with numpy, the rest are scored (≈ 2 s for 100 questions against 100,000).
* **Full scans** are exhaustive (``cdist`` in row blocks, uint8 scores with ``score_cutoff``,
  the diagonal block passed as the *same* list object so rapidfuzz computes one triangle) up
  to :data:`EXHAUSTIVE_MAX` distinct stems. Above that, MinHash-LSH on word sets (numpy,
  fixed seed) proposes candidates, the exact length and character-count bounds drop most of
  them, and ``cpdist`` verifies the rest with the same scorer: precision equals the
  exhaustive scan, and 99.8–99.9 % of its pairs are found (20,000: 3 s instead of 50 s;
  100,000: 21 s instead of ≈ 20 min).
* **Guards downgrade, never hide**: a different number or negation/qualifier word, or clearly
  different options, make a pair a QB303 warning; the same stem with a contradictory key (one
  question's correct option offered, unmarked, among the other's options) is QB302.
* **Deterministic**: questions are sorted by id, no salted ``hash()``, no set iteration order,
  findings sorted; results do not depend on ``workers`` or on file order.
"""

from __future__ import annotations

import gc
import hashlib
import re
import zlib
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein
from rapidfuzz.utils import default_process

from qbank.markup import replace_blanks, to_text

if TYPE_CHECKING:
    from qbank.diagnostics import Location, Problem
    from qbank.model import AnyQuestion

__all__ = [
    "DEFAULT_THRESHOLD",
    "AnswerOptions",
    "Finding",
    "answer_options",
    "char_histograms",
    "exhaustive_pairs",
    "find_duplicates",
    "lsh_candidates",
    "lsh_pairs",
    "minhash_signatures",
    "normalise",
    "numbers",
    "plain_text",
    "prepare",
    "qualifiers",
    "query_pairs",
    "similar_pairs",
    "sort_key",
    "stem_text",
    "verify_pairs",
    "word_changes",
]

Method = Literal["auto", "exhaustive", "lsh"]
#: a progress wrapper: (items, total) -> the same items
Tracker = Callable[[Iterable[Any], int], Iterable[Any]]

DEFAULT_THRESHOLD = 85
#: full scans compare every pair up to this many distinct stems (≈ 1 s on 2 cores)
EXHAUSTIVE_MAX = 3000
#: options whose token-set similarity is below this are "clearly different" (QB303)
OPTIONS_ALIKE = 80
#: bytes of uint8 scores per cdist call (one row block); 64 MB keeps 100k-question scans small
BLOCK_BYTES = 64_000_000
#: candidate pairs verified per cpdist call
VERIFY_CHUNK = 1_000_000
#: PR mode is exact up to this many pairs (changed × bank: 3,000 changed questions in a bank
#: of 100,000, ≈ 20 s); beyond it the full-scan method runs (faster, ≥ 98 % recall) and only
#: pairs that involve a changed question are kept
PR_MAX_COMPARISONS = 300_000_000

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

NEGATIONS = frozenset(
    {"not", "except", "never", "no", "none", "cannot", "false", "incorrect", "least"}
)
QUALIFIERS = frozenset({"most", "least", "best", "worst", "first", "last", "always", "never"})

_NUMBER_RE = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_CONTRACTION_RE = re.compile(r"n['’]t\b", re.IGNORECASE)
_WORD_RE = re.compile(r"[^\W_]+(?:[.,'’][^\W_]+)*")
#: a text without these characters and without a numbered-list line needs no markdown parse:
#: its plain text has the same words. Links, images, entities, escapes and autolinks
#: (``[ & < \``) change words; emphasis, code spans and strike-through (``* _ ` ~``) can
#: join letters ("un*real*" is "unreal"); tables (``|``) drop surplus cells; list numbers
#: disappear.
_MARKUP_FREE = re.compile(r"[^\[&<\\*_`~|]*")
_LIST_NUMBER_RE = re.compile(r"^[ \t>*+-]*\d{1,9}[.)](?:[ \t]|$)", re.MULTILINE)


# -- normalisation ---------------------------------------------------------------------------


def plain_text(markdown: str) -> str:
    """The plain text of an author's markdown, as :func:`qbank.markup.to_text` gives it.

    Most stems contain no markup that changes their words, so they skip the parse (24 µs a
    stem, the bulk of a pull-request run at 100,000 questions); the property test in
    ``tests/test_dedup.py`` checks that both paths give the same normalised words.
    """
    if (
        _MARKUP_FREE.fullmatch(markdown) is not None
        and not _LIST_NUMBER_RE.match(markdown)
        and not ("\n" in markdown and _LIST_NUMBER_RE.search(markdown))
    ):
        return markdown.strip()
    return to_text(markdown)


def normalise(text: str) -> str:
    """Lower case, punctuation to spaces, whitespace collapsed (rapidfuzz's default_process)."""
    return " ".join(default_process(text).split())


def stem_text(question: AnyQuestion) -> str:
    """The plain text dedup compares: the stem, cloze blanks filled with their first answer."""
    text = question.text
    if question.type == "cloze":
        text = replace_blanks(text, lambda b: b.answers[0] if b.answers[0] else "___")
    return plain_text(text)


def sort_key(normalised: str) -> str:
    """Tokens sorted: ``fuzz.ratio`` on these is ``token_sort_ratio``."""
    return " ".join(sorted(normalised.split()))


@dataclass(frozen=True)
class AnswerOptions:
    """A question's answer options, normalised, with the key when the type has one.

    ``correct`` is None for options without a key (order items, match pairs)."""

    texts: tuple[str, ...]
    correct: tuple[bool, ...] | None


def answer_options(question: AnyQuestion) -> AnswerOptions | None:
    """Options compared by the "options differ" guard and the conflicting-key rule."""
    t = question.type
    if t in ("single", "multi"):
        opts = question.options  # type: ignore[union-attr]
        return AnswerOptions(
            tuple(normalise(plain_text(o.text)) for o in opts), tuple(o.correct for o in opts)
        )
    if t == "truefalse":
        answer = bool(question.answer)  # type: ignore[union-attr]
        return AnswerOptions(("true", "false"), (answer, not answer))
    if t == "order":
        items = question.items  # type: ignore[union-attr]
        return AnswerOptions(tuple(normalise(plain_text(i)) for i in items), None)
    if t == "match":
        pairs = question.pairs  # type: ignore[union-attr]
        return AnswerOptions(tuple(normalise(plain_text(f"{a} {b}")) for a, b in pairs), None)
    return None


# -- candidates and verification -----------------------------------------------------------


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

    Row blocks of :data:`BLOCK_BYTES`: the diagonal block is one ``cdist(B, B)`` call with the
    same list object (rapidfuzz then computes one triangle), the rest ``cdist(B, keys[end:])``.
    """
    keys = list(keys)
    n = len(keys)
    found: list[np.ndarray] = []
    blocks = list(_blocks(n, n))
    for start, end in track(blocks, len(blocks)) if track else blocks:
        block = keys[start:end]
        scores = process.cdist(
            block,
            block,
            scorer=fuzz.ratio,
            score_cutoff=float(threshold),
            dtype=np.uint8,
            workers=workers,
        )
        i, j = np.nonzero(np.triu(scores, k=1))
        found.append(np.stack([i + start, j + start], axis=1))
        del scores
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
    return _sorted_pairs(found)


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
    (:func:`char_histograms`, exact, ≈ 3 ms per query at 100,000 keys), which rules out
    about nine pairs in ten; the rest are scored with ``fuzz.ratio``.
    """
    keys = list(keys)
    qs = sorted(set(queries))
    if not qs or len(keys) < 2:
        return np.empty((0, 2), dtype=np.int64)
    hist = char_histograms(keys)
    lengths = _lengths(keys)
    slack = (100.0 - threshold) / 100.0
    found: list[np.ndarray] = []
    for q in track(qs, len(qs)) if track else qs:
        l1 = np.abs(hist - hist[q]).sum(axis=1, dtype=np.int32)
        cols = np.flatnonzero(l1 <= slack * (lengths + lengths[q]) + 1e-9)
        cols = cols[cols != q]
        left = np.full(len(cols), q, dtype=np.int64)
        found.append(np.stack([np.minimum(left, cols), np.maximum(left, cols)], axis=1))
    pairs = _sorted_pairs(found)
    return verify_pairs(keys, pairs, threshold, workers=workers)


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


def _lengths(keys: Sequence[str]) -> np.ndarray:
    return np.fromiter((len(k) for k in keys), np.int64, len(keys))


def char_histograms(keys: Sequence[str]) -> np.ndarray:
    """Character counts of each key (``len(keys)`` × :data:`HIST_BUCKETS`).

    Why: every insertion or deletion changes one count by one, so the L1 distance of two
    histograms is a lower bound of their Indel distance, and ``fuzz.ratio`` ≥ t needs
    ``L1 ≤ (1 - t/100)·(len_a + len_b)``. Merging characters into a bucket only lowers the
    L1, so the bound stays exact. It is cheap (numpy, ≈ 0.1 s for 100,000 stems) and rules
    out most unrelated pairs before the real scorer runs.
    """
    n = len(keys)
    lengths = _lengths(keys)
    hist = np.zeros(
        (n, HIST_BUCKETS), dtype=np.int16 if lengths.max(initial=0) < 2**15 else np.int32
    )
    table = _HIST_TABLE.astype(np.int32)
    ends = np.cumsum(lengths)
    doc = 0
    while doc < n:  # chunks of ≈ 2 M characters: small temporaries, no page-fault storms
        done = int(ends[doc - 1]) if doc else 0
        stop = min(n, max(doc + 1, int(np.searchsorted(ends, done + 2_000_000))))
        # one byte per character: Latin-1, anything else becomes "?" (its own bucket)
        text = "".join(keys[doc:stop]).encode("latin-1", "replace")
        cell = table[np.frombuffer(text, dtype=np.uint8)]
        width = (stop - doc) * HIST_BUCKETS
        cell += np.repeat(np.arange(0, width, HIST_BUCKETS, dtype=np.int32), lengths[doc:stop])
        hist[doc:stop] = np.bincount(cell, minlength=width).reshape(stop - doc, HIST_BUCKETS)
        doc = stop
    return hist


def _histogram_filter(
    pairs: np.ndarray, hist: np.ndarray, lengths: np.ndarray, threshold: float
) -> np.ndarray:
    """Drop pairs the character-count bound rules out (exact; see :func:`char_histograms`)."""
    slack = (100.0 - threshold) / 100.0
    kept = []
    step = 500_000
    for start in range(0, len(pairs), step):
        chunk = pairs[start : start + step]
        i, j = chunk[:, 0], chunk[:, 1]
        l1 = np.abs(hist[i] - hist[j]).sum(axis=1, dtype=np.int32)
        kept.append(chunk[l1 <= slack * (lengths[i] + lengths[j]) + 1e-9])
    return np.concatenate(kept) if kept else pairs


def _unique(codes: np.ndarray) -> np.ndarray:
    """Sorted distinct values (a sort and a mask: faster than ``np.unique``'s hashing here)."""
    if len(codes) < 2:
        return codes
    codes = np.sort(codes)
    return codes[np.r_[True, codes[1:] != codes[:-1]]]


def _sorted_pairs(found: list[np.ndarray]) -> np.ndarray:
    """Distinct ``(i, j)`` rows, sorted, as int64 (``found`` holds (k, 2) arrays)."""
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.concatenate(found).astype(np.int64)
    if not len(pairs):
        return pairs.reshape(0, 2)
    width = int(pairs.max()) + 1
    codes = _unique(pairs[:, 0] * width + pairs[:, 1])
    return np.stack([codes // width, codes % width], axis=1)


def _token_hashes(keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Word sets of the keys as (32-bit hash per vocabulary word, word ids, doc offsets).

    crc32 is stable across runs and machines (Python's ``hash()`` is salted)."""
    vocab: dict[str, int] = {}
    ids: list[int] = []
    offsets = [0]
    for key in keys:
        prev = None
        for tok in key.split():  # sorted already: skip repeats to get the set
            if tok != prev:
                tid = vocab.get(tok)
                if tid is None:
                    tid = vocab[tok] = len(vocab)
                ids.append(tid)
                prev = tok
        offsets.append(len(ids))
    hashes = np.fromiter((zlib.crc32(t.encode("utf-8")) for t in vocab), np.uint64, len(vocab))
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
    n = len(keys)
    sig = np.full((n, num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    lengths = np.diff(offsets)
    chunk = max(1, 40_000_000 // (4 * num_perm))  # ≈ 40 MB of gathered rows per step
    doc = 0
    while doc < n:
        stop = int(np.searchsorted(offsets, offsets[doc] + chunk, side="right")) - 1
        stop = min(n, max(stop, doc + 1))
        lo, hi = int(offsets[doc]), int(offsets[stop])
        if hi > lo:
            rows = table[ids[lo:hi]]
            starts = offsets[doc:stop] - lo
            nonempty = lengths[doc:stop] > 0
            mins = np.minimum.reduceat(rows, starts[nonempty], axis=0)
            sig[doc:stop][nonempty] = mins
        doc = stop
    return sig


def lsh_candidates(
    signatures: np.ndarray, bands: int = BANDS, rows: int = ROWS
) -> Iterator[np.ndarray]:
    """Per band, the distinct pairs whose band of the signature is identical, as sorted
    codes ``i * n + j`` (``i < j``).

    Each band's ``rows`` values are mixed into one 64-bit bucket key (a collision only adds
    candidates, which verification removes); documents are grouped by a stable sort and
    every pair inside a bucket is produced with numpy (no Python loop over buckets).

    A bucket of more than :data:`MAX_BUCKET` stems is split by the next band's rows, and so
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
            big = sizes > MAX_BUCKET
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
        yield _unique(order[left] * n + order[right])


def _length_filter(pairs: np.ndarray, lengths: np.ndarray, threshold: float) -> np.ndarray:
    """Drop pairs whose lengths alone rule out ``ratio ≥ threshold`` (exact: the ratio is at
    most ``200·min(la, lb) / (la + lb)``)."""
    la, lb = lengths[pairs[:, 0]], lengths[pairs[:, 1]]
    return pairs[200 * np.minimum(la, lb) >= threshold * (la + lb)]


def verify_pairs(
    keys: Sequence[str],
    pairs: np.ndarray,
    threshold: float,
    *,
    workers: int = -1,
) -> np.ndarray:
    """The candidate ``pairs`` whose keys score ``fuzz.ratio`` ≥ ``threshold`` (cpdist)."""
    kept: list[np.ndarray] = []
    for start in range(0, len(pairs), VERIFY_CHUNK):
        chunk = pairs[start : start + VERIFY_CHUNK]
        scores = process.cpdist(
            [keys[i] for i in chunk[:, 0].tolist()],
            [keys[j] for j in chunk[:, 1].tolist()],
            scorer=fuzz.ratio,
            score_cutoff=float(threshold),
            dtype=np.uint8,
            workers=workers,
        )
        kept.append(chunk[scores > 0])
    return _sorted_pairs(kept)


def lsh_pairs(
    keys: Sequence[str],
    threshold: float,
    *,
    workers: int = -1,
    bands: int = BANDS,
    rows: int = ROWS,
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
    lengths = _lengths(keys)
    kept: list[np.ndarray] = []
    candidates = lsh_candidates(sig, bands, rows)
    for codes in track(candidates, bands) if track else candidates:
        pairs = np.stack([codes // n, codes % n], axis=1)
        pairs = _length_filter(pairs, lengths, threshold)
        pairs = _histogram_filter(pairs, hist, lengths, threshold)
        kept.append(pairs[:, 0] * n + pairs[:, 1])
    del sig, hist
    codes = _unique(np.concatenate(kept)) if kept else np.empty(0, dtype=np.int64)
    del kept
    pairs = np.stack([codes // n, codes % n], axis=1)
    return verify_pairs(keys, pairs, threshold, workers=workers)


def similar_pairs(
    keys: Sequence[str],
    threshold: float = DEFAULT_THRESHOLD,
    *,
    queries: Collection[int] | None = None,
    workers: int = -1,
    method: Method = "auto",
    progress: bool = False,
) -> np.ndarray:
    """Index pairs ``(i, j)``, ``i < j``, of ``keys`` with ``fuzz.ratio`` ≥ ``threshold``,
    sorted. ``queries`` restricts to pairs involving those indices (pull-request mode)."""
    n = len(keys)
    track = _tracker(progress)
    if queries is not None:
        qs = sorted(set(queries))
        if method == "auto":
            if n <= EXHAUSTIVE_MAX and 2 * len(qs) >= n:
                method = "exhaustive"  # most of a small bank changed: one triangle is cheaper
            elif n <= EXHAUSTIVE_MAX or len(qs) * n <= PR_MAX_COMPARISONS:
                return query_pairs(keys, qs, threshold, workers=workers, track=track)
            else:
                method = "lsh"  # thousands of changes in a large bank: a full scan is faster
        pairs = similar_pairs(keys, threshold, workers=workers, method=method, progress=progress)
        mask = np.zeros(n, dtype=bool)
        mask[qs] = True
        return pairs[mask[pairs[:, 0]] | mask[pairs[:, 1]]] if len(pairs) else pairs
    if method == "auto":
        method = "exhaustive" if n <= EXHAUSTIVE_MAX else "lsh"
    if method == "exhaustive":
        return exhaustive_pairs(keys, threshold, workers=workers, track=track)
    return lsh_pairs(keys, threshold, workers=workers, track=track)


def _tracker(progress: bool) -> Tracker | None:
    if not progress:
        return None
    from qbank.progress import track

    def run(items: Iterable[Any], total: int) -> Iterable[Any]:
        return track(items, total=total, label="Comparing questions")

    return run


# -- classification ------------------------------------------------------------------------


def numbers(text: str) -> tuple[str, ...]:
    """The numbers of a text as a sorted multiset (thousands separators dropped)."""
    return tuple(sorted(m.group().replace(",", "") for m in _NUMBER_RE.finditer(text)))


def qualifiers(text: str, normalised: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(negation words as a sorted multiset, qualifier words as a sorted set)."""
    words = normalised.split()
    neg = [w for w in words if w in NEGATIONS]
    neg += ["not"] * len(_CONTRACTION_RE.findall(text))
    qual = sorted({w for w in words if w in QUALIFIERS})
    return tuple(sorted(neg)), tuple(qual)


def word_changes(before: str, after: str, limit: int = 20) -> list[str]:
    """What changed from ``before`` to ``after``, word by word: ``24 → 25``,
    ``"NOT" inserted``, ``"first" removed``. Words only moved are not listed; case is
    ignored. An empty list means the words are the same (maybe in another order)."""
    return _changes(_words(before), _words(after), limit)


def _words(text: str) -> tuple[list[str], list[str]]:
    """(words as written, lower-cased words) of a plain text."""
    words = _WORD_RE.findall(text)
    return words, [w.lower() for w in words]


def _changes(
    before: tuple[list[str], list[str]], after: tuple[list[str], list[str]], limit: int = 20
) -> list[str]:
    """:func:`word_changes` on pre-split words. The alignment is rapidfuzz's Levenshtein
    opcodes over word lists (≈ 2 µs, ten times faster than difflib: a 100,000-question scan
    describes tens of thousands of pairs)."""
    a, al = before
    b, bl = after
    if al == bl:
        return []
    # neighbouring edits form one change: "heart failure → asthma", not two
    blocks: list[tuple[range, range]] = []
    joined = False
    for op in Levenshtein.opcodes(al, bl):
        if op.tag == "equal":
            joined = False
        elif joined:
            src, dest = blocks[-1]
            blocks[-1] = (range(src.start, op.src_end), range(dest.start, op.dest_end))
        else:
            blocks.append((range(op.src_start, op.src_end), range(op.dest_start, op.dest_end)))
            joined = True
    # a word removed in one place and inserted in another only moved: not a change
    out_words = Counter(al[i] for r, _ in blocks for i in r)
    in_words = Counter(bl[j] for _, ins in blocks for j in ins)
    moved = out_words & in_words
    out_moved, in_moved = Counter(moved), moved
    changes: list[str] = []
    for removed_at, added_at in blocks:
        removed = [a[i] for i in removed_at if not (moved and _take(out_moved, al[i]))]
        added = [b[j] for j in added_at if not (moved and _take(in_moved, bl[j]))]
        if removed and added:
            changes.append(f"{' '.join(removed)} → {' '.join(added)}")
        elif removed:
            changes.append(f'"{" ".join(removed)}" removed')
        elif added:
            changes.append(f'"{" ".join(added)}" inserted')
        if len(changes) >= limit:
            break
    return changes


def _take(counter: Counter[str], word: str) -> bool:
    """Use up one occurrence of ``word`` in ``counter`` if there is one."""
    if counter[word] > 0:
        counter[word] -= 1
        return True
    return False


@dataclass(slots=True)
class _Item:
    """Per-question data, computed once (options and guards only for questions in a pair)."""

    question: AnyQuestion
    plain: str
    key: str
    _numbers: tuple[str, ...] | None = None
    _qualifiers: tuple[tuple[str, ...], tuple[str, ...]] | None = None
    _options: AnswerOptions | None = None
    _options_done: bool = False
    _location: Location | None = None
    _words: tuple[list[str], list[str]] | None = None

    @property
    def words(self) -> tuple[list[str], list[str]]:
        if self._words is None:
            self._words = _words(self.plain)
        return self._words

    @property
    def numbers(self) -> tuple[str, ...]:
        if self._numbers is None:
            self._numbers = numbers(self.plain)
        return self._numbers

    @property
    def qualifiers(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if self._qualifiers is None:
            self._qualifiers = qualifiers(self.plain, normalise(self.plain))
        return self._qualifiers

    @property
    def options(self) -> AnswerOptions | None:
        if not self._options_done:
            self._options = answer_options(self.question)
            self._options_done = True
        return self._options

    @property
    def location(self) -> Location:
        if self._location is None:
            self._location = self.question.loc("text")
        return self._location


@dataclass(frozen=True)
class Finding:
    """One duplicate pair, reported on ``question`` (the newer one) about ``other``.

    ``reason`` says why a QB303 is only a warning (``number``, ``qualifier``, ``options``)
    or what QB302 found (``key``, ``answer``); it is ``""`` for QB301.
    """

    rule: str
    question: AnyQuestion
    other: AnyQuestion
    score: float
    differences: tuple[str, ...]
    reason: str = ""
    detail: str = ""
    option_similarity: float | None = None
    location: Location | None = field(default=None, compare=False)
    other_location: Location | None = field(default=None, compare=False)

    @property
    def fingerprint(self) -> str:
        pair = "\n".join(sorted((self.question.id, self.other.id)))
        return f"{self.rule}:{hashlib.sha1(pair.encode('utf-8')).hexdigest()}"

    @property
    def message(self) -> str:
        where = self.other_location or self.other.loc("text")
        who = f"`{self.other.id}` ({where.file}:{where.line})"
        score = f"similarity {_shown(self.score)}"
        words = _describe(self.differences)
        if self.rule == "QB301":
            return f"near-duplicate of {who}, {score}: {words}"
        if self.rule == "QB302":
            tail = f"; {words}" if self.differences else ""
            return f"conflicting answer with {who}, {score}: {self.detail}{tail}"
        return f"similar stem to {who}, {score}, but {self.detail}"

    @property
    def hint(self) -> str:
        allow = f"list [{self.other.id}, {self.question.id}] under `dedup.allow` in qbank.yaml"
        if self.rule == "QB301":
            return f"merge the two or delete one; if both are intended, {allow}"
        if self.rule == "QB302":
            return f"the bank contradicts itself: fix one answer key, or reword one stem; {allow}"
        return f"check that both questions are intended; to silence this, {allow}"

    def to_problem(self) -> Problem:
        """The finding as a :class:`~qbank.diagnostics.Problem` (rule docs: QB301–QB303)."""
        from qbank.diagnostics import Related, problem
        from qbank.validate.rules import duplicates  # noqa: F401  (registers QB3xx)

        here = self.location or self.question.loc("text")
        there = self.other_location or self.other.loc("text")
        data: dict[str, object] = {
            "other_id": self.other.id,
            "other_location": str(there),
            "score": _exact(self.score),
            "differences": list(self.differences),
        }
        if self.reason:
            data["reason"] = self.reason
        if self.option_similarity is not None:
            data["option_similarity"] = round(self.option_similarity, 2)
        return problem(
            self.rule,
            self.message,
            here,
            hint=self.hint,
            question_id=self.question.id,
            related=(Related(there, f"similar question `{self.other.id}`"),),
            fingerprint=self.fingerprint,
            data=data,
        )


def _shown(score: float) -> str:
    """A score for people: one decimal, and only identical keys ever read 100 (a 99.97
    between two long case studies that differ in one word must not look identical)."""
    return "100" if score >= 100 else f"{min(round(score, 1), 99.9):.1f}"


def _exact(score: float) -> float:
    """A score for machines: two decimals, and below 100 unless the keys are identical."""
    return 100.0 if score >= 100 else min(round(score, 2), 99.99)


def _describe(changes: Sequence[str], shown: int = 6) -> str:
    if not changes:
        return "same words (differences only in case, punctuation, formatting or order)"
    text = ", ".join(changes[:shown])
    if len(changes) > shown:
        text += f", … ({len(changes) - shown} more)"
    return text


def _quote(text: str, limit: int = 60) -> str:
    return "“" + (text if len(text) <= limit else text[: limit - 1] + "…") + "”"


def _conflict(a: _Item, b: _Item) -> str | None:
    """Why ``b``'s key contradicts ``a``'s, or None (the tight rule of notes/dedup.md §9)."""
    qa, qb = a.question, b.question
    if qa.type == "numeric" and qb.type == "numeric":
        ra, rb = qa.tolerance_bounds(), qb.tolerance_bounds()
        unit_a = (qa.unit or "").strip().lower()
        unit_b = (qb.unit or "").strip().lower()
        if ra and rb and unit_a == unit_b and (ra[1] < rb[0] or rb[1] < ra[0]):
            return f"the answer here is {qb.answer}, there {qa.answer}"
        return None
    oa, ob = a.options, b.options
    if oa is None or ob is None or oa.correct is None or ob.correct is None:
        return None
    # an option listed twice, once marked and once not, is QB2's business, not a conflict
    wrong_a = _unmarked(oa)
    wrong_b = _unmarked(ob)
    for text, correct, raw in _keyed(b):
        if correct and text in wrong_a:
            return f"the correct option here, {_quote(raw)}, is a wrong option there"
    for text, correct, raw in _keyed(a):
        if correct and text in wrong_b:
            return f"its correct option {_quote(raw)} is a wrong option here"
    return None


def _unmarked(options: AnswerOptions) -> set[str]:
    """Texts offered only as wrong options (an option without words, such as an image without
    alt text, cannot be compared and never counts)."""
    keys = options.correct or ()
    right = {t for t, c in zip(options.texts, keys, strict=True) if c}
    return {t for t, c in zip(options.texts, keys, strict=True) if t and not c} - right


def _keyed(item: _Item) -> Iterator[tuple[str, bool, str]]:
    """(normalised text, correct, display text) of an item's options."""
    opts = item.options
    if opts is None or opts.correct is None:
        return
    q = item.question
    if q.type == "truefalse":
        raw: Sequence[str] = ("true", "false")
    else:
        raw = [plain_text(o.text) for o in q.options]  # type: ignore[union-attr]
    yield from zip(opts.texts, opts.correct, raw, strict=True)


def _comparable(options: AnswerOptions | None) -> bool:
    """Options with some words in them (image-only options cannot be compared by text)."""
    return options is not None and any(options.texts)


def options_similarity(a: AnswerOptions, b: AnswerOptions) -> float:
    """Token-set similarity of the sorted option texts (order and repeats do not matter)."""
    return fuzz.token_set_ratio(" | ".join(sorted(a.texts)), " | ".join(sorted(b.texts)))


def classify(a: _Item, b: _Item, score: float) -> Finding:
    """The finding for a verified pair, reported on ``b`` (the newer question)."""
    changes = tuple(_changes(a.words, b.words))
    rule, reason, detail = "QB301", "", ""
    similarity: float | None = None
    if a.numbers != b.numbers:
        rule, reason, detail = "QB303", "number", f"a number differs: {_describe(changes)}"
    elif a.qualifiers != b.qualifiers:
        rule, reason = "QB303", "qualifier"
        detail = f"a negation or qualifier differs: {_describe(changes)}"
    else:
        conflict = _conflict(a, b)
        if conflict is not None:
            rule, detail = "QB302", conflict
            reason = "answer" if a.question.type == "numeric" else "key"
        elif _comparable(a.options) and _comparable(b.options):
            similarity = options_similarity(a.options, b.options)  # type: ignore[arg-type]
            if similarity < OPTIONS_ALIKE:
                rule, reason = "QB303", "options"
                detail = f"the options differ (option similarity {similarity:.0f})"
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
        a.location,
    )


# -- the whole run -------------------------------------------------------------------------


def prepare(questions: Iterable[AnyQuestion]) -> list[_Item]:
    """Normalise every question once, sorted by id (then file and position) so that results
    never depend on the order files were read in."""
    qs = sorted(questions, key=attrgetter("id"))
    if len({q.id for q in qs}) < len(qs):  # duplicate ids (QB601): order them by place too
        qs.sort(key=lambda q: (q.id, q.location.file, q.location.line, q.location.col))
    items = []
    with _gc_paused():
        for q in qs:
            plain = stem_text(q)
            items.append(_Item(q, plain, " ".join(sorted(default_process(plain).split()))))
    return items


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects: with a large
    bank in memory every collection walks all of it (≈ 0.3 s of a 2 s PR run at 100,000
    questions). Nothing built here forms cycles, so nothing is left for later."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _newer(a: _Item, b: _Item, changed: Collection[str] | None) -> tuple[_Item, _Item]:
    """(older, newer): the changed question in PR mode, else the later (file, line)."""
    if changed is not None:
        ca, cb = a.question.id in changed, b.question.id in changed
        if ca != cb:
            return (b, a) if ca else (a, b)
    la, lb = a.location, b.location
    ka = (la.file, la.line, la.col, a.question.id)
    kb = (lb.file, lb.line, lb.col, b.question.id)
    return (a, b) if ka <= kb else (b, a)


def find_duplicates(
    questions: Iterable[AnyQuestion],
    threshold: float = DEFAULT_THRESHOLD,
    changed_ids: Collection[str] | None = None,
    workers: int = -1,
    method: Method = "auto",
    *,
    allow: Iterable[Sequence[str]] = (),
    progress: bool = False,
) -> list[Finding]:
    """Near-duplicate findings among ``questions`` (QB301, QB302, QB303), each pair once.

    ``changed_ids`` selects pull-request mode: only pairs with at least one changed question,
    found exactly. ``allow`` lists id pairs that are intended near-twins (``dedup.allow``).
    ``method`` forces the full-scan strategy (``exhaustive`` or ``lsh``); results never
    depend on ``workers``.
    """
    if not 1 <= threshold <= 100:
        raise ValueError(f"similarity threshold must be between 1 and 100, got {threshold}")
    with _gc_paused():
        return _find(list(questions), threshold, changed_ids, workers, method, allow, progress)


def _find(
    questions: list[AnyQuestion],
    threshold: float,
    changed_ids: Collection[str] | None,
    workers: int,
    method: Method,
    allow: Iterable[Sequence[str]],
    progress: bool,
) -> list[Finding]:
    items = prepare(questions)
    groups: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        if item.key:  # a stem without words (only an image or punctuation) matches nothing
            groups.setdefault(item.key, []).append(i)
    keys = list(groups)
    members = list(groups.values())
    changed = set(changed_ids) if changed_ids is not None else None
    queries = None
    if changed is not None:
        queries = [
            u for u, m in enumerate(members) if any(items[i].question.id in changed for i in m)
        ]
    query_set = set(queries or ())
    pairs: list[tuple[int, int]] = []
    # stage 0: identical keys (in PR mode only groups with a changed question)
    for u, m in enumerate(members):
        if len(m) > 1 and (queries is None or u in query_set):
            pairs.extend((m[x], m[y]) for x in range(len(m)) for y in range(x + 1, len(m)))
    # stages 1-2: candidates among distinct keys, verified
    if queries is None or queries:
        found = similar_pairs(
            keys, threshold, queries=queries, workers=workers, method=method, progress=progress
        )
        for u, v in found.tolist():
            pairs.extend((i, j) for i in members[u] for j in members[v])
    allowed = {tuple(sorted(p)) for p in allow if len(p) == 2}
    findings: list[Finding] = []
    for i, j in pairs:
        a, b = items[i], items[j]
        qa, qb = a.question, b.question
        if qa.id == qb.id:  # QB601 reports duplicate ids
            continue
        if changed is not None and qa.id not in changed and qb.id not in changed:
            continue
        if tuple(sorted((qa.id, qb.id))) in allowed:
            continue
        older, newer = _newer(a, b, changed)
        score = 100.0 if a.key == b.key else fuzz.ratio(a.key, b.key)
        findings.append(classify(older, newer, score))
    findings.sort(key=_finding_order)
    return findings


def _finding_order(f: Finding) -> tuple[str, int, int, str, str, str]:
    here = f.location or f.question.loc("text")
    there = f.other_location or f.other.loc("text")
    return (here.file, here.line, here.col, f.question.id, there.file, f.other.id)
