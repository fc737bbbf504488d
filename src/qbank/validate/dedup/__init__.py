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
  bank, exactly: per query, a length test picks one slice of the length-sorted keys, the
  exact character-count bound (:func:`char_histograms`) rules out most of it with numpy,
  and one single-threaded ``cdist`` scores the rest; queries run on ``workers`` threads
  (rapidfuzz and numpy release the GIL). ≈ 3.2 s of CPU for 100 questions against 100,000:
  ≈ 1.1 s building the 100,000 keys, ≈ 1.8 s bounds and scoring.
* **Full scans** are exhaustive (``cdist`` in row blocks, uint8 scores with ``score_cutoff``,
  the diagonal block passed as the *same* list object so rapidfuzz computes one triangle) up
  while the distinct stems hold at most :data:`EXHAUSTIVE_CHARS` characters (the cost grows
  with the square of the total text, not of the count). Above that, MinHash-LSH on word sets
  (numpy, fixed seed) proposes candidates, the exact length and character-count bounds drop
  most of them (and, for two long keys scored on word codes, the word-count bound
  :func:`~qbank.validate.dedup.scan.word_bound`), and ``cpdist`` verifies the rest with the
  same scorer: precision equals the exhaustive scan, and 99.8–99.9 % of its pairs are found
  (20,000: 3 s instead of 50 s; 100,000: 21 s instead of ≈ 20 min).
* **Per pair, only what differs**: each question's words, numbers, qualifiers, ask and
  quoted options are computed once (lazily, on :class:`Item`) and reused by every pair it
  is in; the word alignment of a pair skips counting moved words when no word is both
  removed and inserted (most template siblings: a number or a name swapped). On the
  20,000-question bank (16,800 findings) classification is ≈ 1 s; scoring ≈ 1.5 s.
* **Guards downgrade, never hide**: a different number or negation/qualifier word, or clearly
  different options, make a pair a QB303 warning; the same stem with a contradictory key (one
  question's correct option offered, unmarked, among the other's options) is QB302.
* **Deterministic**: questions are sorted by id, no salted ``hash()``, no set iteration order,
  findings sorted; results do not depend on ``workers`` or on file order.

This module runs the stages and is the public entry point: the names the engine has always
exported are importable from here. The parts live in focused modules:

* :mod:`~qbank.validate.dedup.text` — plain text, normalisation, numbers, qualifiers, word
  changes;
* :mod:`~qbank.validate.dedup.scan` — exact scoring (exhaustive, per query, verification)
  and the length and character-count bounds;
* :mod:`~qbank.validate.dedup.lsh` — MinHash-LSH candidates for large full scans;
* :mod:`~qbank.validate.dedup.classify` — guards and rules (QB301/QB302/QB303);
* :mod:`~qbank.validate.dedup.finding` — :class:`Finding` and its wording.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Iterator, Sequence
from itertools import repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from qbank.gcpause import paused
from qbank.validate.dedup import lsh
from qbank.validate.dedup.classify import OPTIONS_ALIKE as OPTIONS_ALIKE
from qbank.validate.dedup.classify import (
    AnswerOptions,
    Item,
    answer_options,
    classify,
    different_asks,
)
from qbank.validate.dedup.classify import options_similarity as options_similarity
from qbank.validate.dedup.finding import Finding
from qbank.validate.dedup.lsh import BANDS, ROWS, minhash_signatures
from qbank.validate.dedup.lsh import SEED as SEED
from qbank.validate.dedup.scan import BLOCK_BYTES as BLOCK_BYTES
from qbank.validate.dedup.scan import HIST_BUCKETS as HIST_BUCKETS
from qbank.validate.dedup.scan import VERIFY_CHUNK as VERIFY_CHUNK
from qbank.validate.dedup.scan import (
    Tracker,
    char_histograms,
    exhaustive_pairs,
    pair_score,
    query_pairs,
    verify_pairs,
)
from qbank.validate.dedup.scan import unique as _unique  # noqa: F401  (used by bench/dedup.py)
from qbank.validate.dedup.text import NEGATIONS as NEGATIONS
from qbank.validate.dedup.text import QUALIFIERS as QUALIFIERS
from qbank.validate.dedup.text import (
    WordCodes,
    normalise,
    numbers,
    plain_text,
    qualifiers,
    sort_key,
    stem_keys,
    stem_text,
    stem_texts,
    word_changes,
)
from qbank.validate.dedup.text import stem_key as stem_key

if TYPE_CHECKING:
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

DEFAULT_THRESHOLD = 85
#: full scans compare every pair while the distinct stems hold at most this many characters
#: in all (≈ 1,500 stems of 200 characters). The cost of comparing every pair grows with the
#: square of the total text, not of the count: 2,000 real questions with case studies hold
#: 1.4 M characters and take 11 s exhaustively, 0.3 s with MinHash-LSH. Measured crossover
#: (CPU seconds, exhaustive vs LSH, prefixes of the synthetic and real-style benches):
#: 100 k characters 0.08 vs 0.03, 200 k 0.29 vs 0.04, 300 k 0.62 vs 0.06 — LSH is cheaper
#: from 100 k on, but it is not exact (one of 40 samples of 300 k characters lost one of 650
#: pairs), so small banks keep the exact scan while it costs under a second
EXHAUSTIVE_CHARS = 300_000
#: kept for callers that still pass a stem count: the same budget in 200-character stems
EXHAUSTIVE_MAX = EXHAUSTIVE_CHARS // 200
#: PR mode is exact up to this many pairs (changed × bank: 3,000 changed questions in a bank
#: of 100,000, ≈ 20 s); beyond it the full-scan method runs (faster, ≥ 98 % recall) and only
#: pairs that involve a changed question are kept
PR_MAX_COMPARISONS = 300_000_000
#: the LSH bucket limit (:data:`qbank.validate.lsh.MAX_BUCKET`), read from here on
#: every call so that a test can lower it on this module
MAX_BUCKET = lsh.MAX_BUCKET


# -- candidates ------------------------------------------------------------------------------


def lsh_candidates(
    signatures: np.ndarray, bands: int = BANDS, rows: int = ROWS
) -> Iterator[np.ndarray]:
    """:func:`qbank.validate.lsh.lsh_candidates` with this module's :data:`MAX_BUCKET`."""
    return lsh.lsh_candidates(signatures, bands, rows, max_bucket=MAX_BUCKET)


def lsh_pairs(
    keys: Sequence[str],
    threshold: float,
    *,
    workers: int = -1,
    bands: int = BANDS,
    rows: int = ROWS,
    track: Tracker | None = None,
) -> np.ndarray:
    """:func:`qbank.validate.lsh.lsh_pairs` with this module's :data:`MAX_BUCKET`:
    pairs with ``fuzz.ratio`` ≥ ``threshold`` among MinHash-LSH candidates (verified)."""
    return lsh.lsh_pairs(
        keys, threshold, workers=workers, bands=bands, rows=rows, max_bucket=MAX_BUCKET, track=track
    )


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
    small = total_chars(keys) <= EXHAUSTIVE_CHARS
    if queries is not None:
        qs = sorted(set(queries))
        if method == "auto":
            if small and 2 * len(qs) >= n:
                method = "exhaustive"  # most of a small bank changed: one triangle is cheaper
            elif small or len(qs) * n <= PR_MAX_COMPARISONS:
                return query_pairs(keys, qs, threshold, workers=workers, track=track)
            else:
                method = "lsh"  # thousands of changes in a large bank: a full scan is faster
        pairs = similar_pairs(keys, threshold, workers=workers, method=method, progress=progress)
        mask = np.zeros(n, dtype=bool)
        mask[qs] = True
        return pairs[mask[pairs[:, 0]] | mask[pairs[:, 1]]] if len(pairs) else pairs
    if method == "auto":
        method = "exhaustive" if small else "lsh"
    if method == "exhaustive":
        return exhaustive_pairs(keys, threshold, workers=workers, track=track)
    return lsh_pairs(keys, threshold, workers=workers, track=track)


def total_chars(keys: Sequence[str]) -> int:
    """Characters of all keys: what the cost of an exhaustive scan grows with (squared)."""
    return sum(map(len, keys))


def _tracker(progress: bool) -> Tracker | None:
    if not progress:
        return None
    from qbank.progress import track

    def run(items: Iterable[Any], total: int) -> Iterable[Any]:
        return track(items, total=total, label="Comparing questions")

    return run


# -- the whole run -------------------------------------------------------------------------


def prepare(questions: Iterable[AnyQuestion]) -> list[Item]:
    """Normalise every question once, sorted by id (then file and position) so that results
    never depend on the order files were read in."""
    qs = sorted(questions, key=attrgetter("id"))
    if len(set(map(attrgetter("id"), qs))) < len(qs):  # duplicate ids (QB601): by place too
        qs.sort(key=lambda q: (q.id, q.location.file, q.location.line, q.location.col))
    vocab = WordCodes()  # one word coding for the run: see Item
    with paused():  # many small objects, no cycles (qbank.gcpause)
        plains = stem_texts(qs)
        return list(map(Item, qs, plains, stem_keys(plains), repeat(vocab)))


def _groups(items: list[Item]) -> tuple[list[str], list[list[int]]]:
    """The distinct non-empty keys, in the order they first occur, and the indices of the
    items holding each (a stem without words, only an image or punctuation, matches
    nothing). Most banks repeat no key: then one ``dict.fromkeys`` gives the keys, and each
    group is its one item (the loop gives the same lists)."""
    all_keys = [item.key for item in items]
    distinct = dict.fromkeys(all_keys)
    distinct.pop("", None)
    empty = all_keys.count("")
    if len(distinct) + empty == len(all_keys):
        return list(distinct), [[i] for i, key in enumerate(all_keys) if key]
    groups: dict[str, list[int]] = {}
    for i, key in enumerate(all_keys):
        if key:
            groups.setdefault(key, []).append(i)
    return list(groups), list(groups.values())


def _newer(a: Item, b: Item, changed: Collection[str] | None) -> tuple[Item, Item]:
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
    cap: int | None = None,
) -> list[Finding]:
    """Near-duplicate findings among ``questions`` (QB301, QB302, QB303), each pair once.

    ``changed_ids`` selects pull-request mode: only pairs with at least one changed question,
    found exactly. ``allow`` lists id pairs that are intended near-twins (``dedup.allow``).
    ``method`` forces the full-scan strategy (``exhaustive`` or ``lsh``); results never
    depend on ``workers``.

    ``cap`` bounds the findings per question (:func:`_capped`): pairs are taken in order of
    their ids, and a pair one of whose questions already has ``cap`` findings is not
    classified at all, only counted in a note on that question's last finding. A template
    copied 2,000 times gives two million similar pairs; classifying them all took 45 s and
    listed 20 per question anyway.
    """
    if not 1 <= threshold <= 100:
        raise ValueError(f"similarity threshold must be between 1 and 100, got {threshold}")
    # with a large bank in memory every collection walks all of it (≈ 0.3 s of a 2 s PR run
    # at 100,000 questions); nothing built here forms cycles, so nothing is left for later
    with paused():
        return _find(list(questions), threshold, changed_ids, workers, method, allow, progress, cap)


def _find(
    questions: list[AnyQuestion],
    threshold: float,
    changed_ids: Collection[str] | None,
    workers: int,
    method: Method,
    allow: Iterable[Sequence[str]],
    progress: bool,
    cap: int | None = None,
) -> list[Finding]:
    items = prepare(questions)
    keys, members = _groups(items)
    changed = set(changed_ids) if changed_ids is not None else None
    queries = None
    if changed is not None:  # the groups holding a changed question, in group order
        group_of = {key: u for u, key in enumerate(keys)}
        queries = sorted(
            {group_of[item.key] for item in items if item.key and item.question.id in changed}
        )
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
        if len(members) == len(items):  # one question per key: a group's index is its item's
            pairs.extend(map(tuple, found.tolist()))
        else:
            for u, v in found.tolist():
                pairs.extend((i, j) for i in members[u] for j in members[v])
    allowed = {tuple(sorted(p)) for p in allow if len(p) == 2}
    findings: list[Finding] = []
    counts = _Counts(cap) if cap is not None else None
    for i, j in _in_id_order(pairs) if counts is not None else pairs:
        a, b = items[i], items[j]
        qa, qb = a.question, b.question
        if qa.id == qb.id:  # QB601 reports duplicate ids
            continue
        if changed is not None and qa.id not in changed and qb.id not in changed:
            continue
        if allowed and tuple(sorted((qa.id, qb.id))) in allowed:
            continue
        if counts is not None and counts.full(qa.id, qb.id):
            continue  # not classified: counted in a note on the full question's last finding
        if different_asks(a, b, threshold):
            continue  # series items or case-study asks: siblings, before any location is read
        older, newer = _newer(a, b, changed)
        score = pair_score(a.key, b.key)
        # in pull-request mode an untouched question is named by its id line (no compose)
        quick = changed is not None and older.question.id not in changed
        # different_asks aligns words in one direction: asked again only when reversed
        finding = classify(
            older, newer, score, threshold, quick_other=quick, asks_checked=older is a
        )
        if finding is not None:
            if counts is not None:
                counts.shown(qa.id, qb.id, len(findings))
            findings.append(finding)
    if counts is not None:
        findings = counts.noted(findings)
    findings.sort(key=_finding_order)
    return findings


def _in_id_order(pairs: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """The pairs as ``(i, j)``, ``i < j``, sorted: items are in id order, so this is the order
    of the questions' ids, independent of how the candidates were found."""
    if not pairs:
        return iter(())
    arr = np.sort(np.asarray(pairs, dtype=np.int64), axis=1)
    arr = arr[np.lexsort((arr[:, 1], arr[:, 0]))]
    return iter(arr.tolist())


class _Counts:
    """Findings per question under a cap, and the pairs not classified because one of their
    questions was already full (:func:`find_duplicates`' ``cap``)."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.count: dict[str, int] = {}
        self.hidden: dict[str, int] = {}
        self.last: dict[str, int] = {}

    def full(self, a: str, b: str) -> bool:
        count, cap = self.count, self.cap
        if count.get(a, 0) < cap and count.get(b, 0) < cap:
            return False  # the common case, without building the list below
        full = [qid for qid in (a, b) if count.get(qid, 0) >= cap]
        for qid in full:
            self.hidden[qid] = self.hidden.get(qid, 0) + 1
        return bool(full)

    def shown(self, a: str, b: str, at: int) -> None:
        for qid in (a, b):
            self.count[qid] = self.count.get(qid, 0) + 1
            self.last[qid] = at

    def noted(self, findings: list[Finding]) -> list[Finding]:
        notes: dict[int, list[str]] = {}
        for qid, n in sorted(self.hidden.items()):
            notes.setdefault(self.last[qid], []).append(
                f"`{qid}` is similar to {n} more question{'s' if n != 1 else ''}, not listed "
                f"(at most {self.cap} findings per question): rewrite the copies or raise "
                "dedup.threshold"
            )
        return [
            dataclasses.replace(f, notes=tuple(notes[k])) if k in notes else f
            for k, f in enumerate(findings)
        ]


def _finding_order(f: Finding) -> tuple[str, int, int, str, str, str]:
    here = f.location or f.question.loc("text")
    there = f.other_location or f.other.loc("text")
    return (here.file, here.line, here.col, f.question.id, there.file, f.other.id)
