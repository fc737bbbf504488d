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
from itertools import pairwise, repeat

import numpy as np

from qbank.validate.dedup.scan import (
    LONG_KEY,
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
#: documents per step of :func:`minhash_signatures` (measured: 512 × 128 permutations beat
#: 128 and 2,048 on the 2,000 real-style and 20,000 synthetic banks)
_MIN_ROWS = 512

#: the bytes ``str.split()`` splits on in ASCII: ``\t\n\v\f\r``, the separators
#: ``\x1c``–``\x1f`` and the space
_ASCII_SPACE = np.zeros(256, dtype=bool)
_ASCII_SPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
#: the characters above ASCII that ``str.split()`` splits on (``str.isspace``; a test checks
#: this list against all of Unicode)
NON_ASCII_SPACE = (
    "\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
#: _MASKS[k] keeps the low k bytes of a little-endian uint64
_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)
_U64 = np.uint64


def _token_hashes(
    keys: Sequence[str], codes: dict[int, str] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Word sets of the keys as (32-bit hash per vocabulary word, word ids, doc offsets);
    sets larger than :data:`SKETCH` words are cut to their bottom-k sample.

    The hash of a word is ``zlib.crc32`` of its UTF-8 bytes (stable across runs and
    machines; Python's ``hash()`` is salted). :func:`_word_sets_numpy` computes the sets
    with numpy; when it cannot prove its result exact (two different words with one crc32,
    or two words it cannot tell apart) :func:`_word_sets_python` does, the reference. Both
    give every document the same set of word hashes, hence the same MinHash signatures.

    ``codes``, if given, receives the word codes of the long keys when the numpy path
    succeeds (see :func:`_word_sets_numpy`), else nothing."""
    found = _word_sets_numpy(keys, codes)
    return found if found is not None else _word_sets_python(keys)


def _word_sets_python(keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_token_hashes` in Python, one key and word at a time (the reference; word ids
    in order of first appearance, crc32 ties in a sample broken by word id)."""
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


def _space_bytes(data: np.ndarray) -> np.ndarray:
    """Which bytes of UTF-8 ``data`` belong to a character ``str.split()`` splits on."""
    space = data == 32
    control = np.flatnonzero(data < 32)
    if len(control):
        space[control] = _ASCII_SPACE[data[control]]
    lead = np.flatnonzero(data >= 0xC2)  # lead bytes of the multi-byte spaces: C2, E1–E3
    if len(lead):
        for char in NON_ASCII_SPACE:
            seq = char.encode("utf-8")
            at = lead[data[lead] == seq[0]]
            at = at[at + len(seq) <= len(data)]
            for k in range(1, len(seq)):
                at = at[data[at + k] == seq[k]]
            for k in range(len(seq)):
                space[at + k] = True
    return space


def _word_sets_numpy(
    keys: Sequence[str], codes: dict[int, str] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """:func:`_token_hashes` with numpy, or None when the result is not proven exact (then
    the caller uses :func:`_word_sets_python`).

    Keys are taken in runs of about :data:`_CHUNK_CHARS` characters (measured: the arrays
    of a run stay in cache; one run of 100,000 keys was 2× slower than runs of 2,000). Each
    run's distinct words come from :func:`_chunk_words`; a dictionary of their bytes gives
    global word ids (zlib.crc32 runs once per new word). Finally, if two distinct words
    share a crc32, None: the reference breaks such a tie by first use, this code by crc32
    order only. Word ids differ from the reference's, but each document gets the same set
    of crc32 values (tests compare the two on random and non-ASCII texts).

    ``codes``, if given, receives on success, for each key longer than
    :data:`~qbank.validate.dedup.scan.LONG_KEY` characters, its index → its word codes: the
    key with every word replaced by one character, ``chr`` of the word's global id (ids
    from U+D800 on move up by 0x800, past the surrogates). The ids are one per distinct
    word (the words are told apart byte for byte, and across runs by the dictionary of
    their bytes), so these codes are one-to-one with the words, as
    :func:`~qbank.validate.dedup.scan.word_codes`' are: a score on codes depends only on
    which words are equal, so :func:`~qbank.validate.dedup.scan.verify_pairs` scores the
    same with either (``tests/test_dedup_shared_codes.py``). This saves splitting and
    looking up the long keys' words a second time (≈ 8 ms on the 2,000 real-style bank)."""
    vocab: dict[bytes, int] = {}
    hashes: list[int] = []
    ids: list[np.ndarray] = []
    sizes: list[np.ndarray] = []
    long_codes: dict[int, str] = {}
    long_at = (
        np.flatnonzero(key_lengths(keys) > LONG_KEY) if codes is not None else np.empty(0, int)
    )
    for lo, hi in _runs(keys):
        long_keys = long_at[np.searchsorted(long_at, lo) : np.searchsorted(long_at, hi)].tolist()
        seen: list[np.ndarray] | None = [] if long_keys else None
        part = _chunk_words(keys[lo:hi], seen)
        if part is None:
            return None
        words, crcs, local, counts = part
        gid = np.fromiter(map(vocab.get, words, repeat(-1)), np.int64, len(words))
        fresh = np.flatnonzero(gid < 0)  # words not seen in earlier runs (distinct here)
        if len(fresh):
            gid[fresh] = np.arange(len(vocab), len(vocab) + len(fresh))
            vocab.update(
                zip(map(words.__getitem__, fresh.tolist()), gid[fresh].tolist(), strict=True)
            )
            hashes.extend(crcs[fresh].tolist())
        ids.append(gid[local])
        sizes.append(counts)
        if seen and len(vocab) + 0x800 <= 0x110000:  # every id has a code point
            # the run's words as code points, decoded at once; each long key is a slice
            occurrence, begin = seen
            points = gid[occurrence]
            points[points >= 0xD800] += 0x800
            coded = points.astype("<u4").tobytes().decode("utf-32-le")
            at, ends = begin.tolist(), [*begin[1:].tolist(), len(occurrence)]
            for k in long_keys:
                long_codes[k] = coded[at[k - lo] : ends[k - lo]]
    crc = np.asarray(hashes, dtype=np.uint64)
    if len(np.unique(crc)) < len(crc):
        return None  # two words, one crc32: the reference breaks the tie by first use
    if codes is not None:
        codes.update(long_codes)  # a key it lacks is coded by verify_pairs itself
    offsets = np.zeros(len(keys) + 1, np.int64)
    if sizes:
        np.cumsum(np.concatenate(sizes), out=offsets[1:])
    ids_all = np.concatenate(ids) if ids else np.empty(0, np.int64)
    return crc, ids_all, offsets


#: characters of keys per run of :func:`_word_sets_numpy` (measured on the 2,000 real-style,
#: 20,000 and 100,000 synthetic banks: 200–600 k alike, 50 k and all-in-one slower)
_CHUNK_CHARS = 300_000


def _runs(keys: Sequence[str]) -> list[tuple[int, int]]:
    """Consecutive runs ``[lo, hi)`` of the keys, about :data:`_CHUNK_CHARS` characters each."""
    if not keys:
        return []
    total = np.cumsum(np.fromiter(map(len, keys), np.int64, len(keys)) + 1)
    cuts = np.searchsorted(total, np.arange(_CHUNK_CHARS, int(total[-1]), _CHUNK_CHARS))
    inner = np.unique(cuts[(cuts > 0) & (cuts < len(keys))]).tolist()
    return list(pairwise([0, *inner, len(keys)]))


#: repeats of a word in its key are dropped before hashing when at least this share of the
#: words are such repeats (measured, CPU of _token_hashes: real-style keys, a third repeats,
#: 19.0 → 17.5 ms with the drop; synthetic 20,000, 14 %, 63.2 → 66.1 ms: taking three arrays
#: apart costs more than hashing and sorting the few repeats)
REPEATS_WORTH = 0.25


def _word_bounds(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each word of UTF-8 ``data`` starts and its length in bytes (the words of
    ``str.split()``).

    When no two space bytes follow each other and none is first or last (words joined by
    single spaces, as the engine's keys are: then every space character is one byte), the
    words lie between the space bytes; else the edges of the runs of non-space bytes are
    taken. Both give the same words."""
    space = _space_bytes(data)
    at = np.flatnonzero(space)
    if len(at) and at[0] > 0 and at[-1] < len(data) - 1 and (np.diff(at) > 1).all():
        starts = np.empty(len(at) + 1, np.int64)
        starts[0] = 0
        np.add(at, 1, out=starts[1:])
        ends = np.append(at, len(data))
        return starts, ends - starts
    edge = np.diff((~space).view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(edge == 1)
    return starts, np.flatnonzero(edge == -1) - starts


#: :func:`_chunk_words` sorts its (key, word) codes as uint32 while they stay below this
_CODES_32 = 2**32


def _chunk_words(
    keys: Sequence[str],
    occurrences: list[np.ndarray] | None = None,
) -> tuple[list[bytes], np.ndarray, np.ndarray, np.ndarray] | None:
    """The distinct words (UTF-8) of the keys with their crc32, each key's word set as
    indices into them (in crc32 order, cut to the bottom :data:`SKETCH`) and the set sizes;
    None when the words cannot be told apart exactly.

    The keys are joined by spaces and encoded once; word boundaries come from
    :func:`_word_bounds`. Each word is read 8 bytes at a time (an unaligned uint64 view).
    A word equal, byte for byte, to the word before it in the same key is dropped when
    such repeats are at least :data:`REPEATS_WORTH` of the words: the engine's keys are
    sorted, so a key's repeats follow each other, and on the 2,000 real-style bench a third
    of the words go (198,000 → 132,000) before the hashing and both sorts; dropping a
    repeat never changes a key's set of words. The rest are hashed and
    grouped by one sort of (hash, position). Every word is then compared byte for byte
    (length and each 8-byte chunk) with its group's first word: if any differs, None. A
    key's distinct words come from one sort of (key, crc32 rank), which also removes the
    repeats that do not follow each other (keys not sorted): in crc32 order, so its first
    :data:`SKETCH` are the bottom-k sample.

    ``occurrences``, if given, receives two arrays on success: every word of the keys in
    order (dropped repeats included) as its index into the returned words, and the index
    of each key's first word there (:func:`_word_sets_numpy` makes word codes of them). A
    dropped repeat equals, byte for byte, the kept word before it in its key, so it gets
    that word's index."""
    n = len(keys)
    text = " ".join(keys)
    raw = text.encode("utf-8")
    if text.isascii():
        nbytes = np.fromiter(map(len, keys), np.int64, n)
    else:
        nbytes = np.fromiter(map(len, map(str.encode, keys)), np.int64, n)
    doc_at = np.zeros(n, np.int64)  # byte offset of each key in raw
    np.cumsum(nbytes[:-1] + 1, out=doc_at[1:])
    data = np.frombuffer(raw, dtype=np.uint8)
    starts, lens = _word_bounds(data)
    if len(starts) == 0:
        empty = np.empty(0, np.int64)
        if occurrences is not None:
            occurrences += [empty, np.zeros(n, np.int64)]
        return [], np.empty(0, np.uint64), empty, np.zeros(n, np.int64)
    padded = raw + bytes(8)
    view = np.ndarray((len(padded) - 7,), dtype="<u8", buffer=padded, strides=(1,))

    def chunk(words: np.ndarray, j: int) -> np.ndarray:
        """Bytes 8j … 8j+7 of the words (each longer than 8j bytes), zero-padded."""
        return view[starts[words] + 8 * j] & _MASKS[np.minimum(lens[words] - 8 * j, 8)]

    first = view[starts] & _MASKS[np.minimum(lens, 8)]
    # a word equal to the word before it in the same key is dropped (a key's repeats follow
    # each other when its words are sorted, as the engine's keys are): equal length and
    # first 8 bytes, and every further 8 bytes compared
    begin = np.searchsorted(starts, doc_at)  # each key's first word
    same = np.r_[False, (first[1:] == first[:-1]) & (lens[1:] == lens[:-1])]
    same[begin[begin < len(same)]] = False
    repeat_at = np.flatnonzero(same & (lens > 8))
    j = 1
    while len(repeat_at):
        equal = chunk(repeat_at, j) == chunk(repeat_at - 1, j)
        same[repeat_at[~equal]] = False
        j += 1
        repeat_at = repeat_at[equal & (lens[repeat_at] > 8 * j)]
    dropped = np.count_nonzero(same) >= REPEATS_WORTH * len(same)
    if dropped:
        keep = np.flatnonzero(~same)
        counts = np.diff(np.searchsorted(keep, begin), append=len(keep))  # words kept per key
        starts, lens, first = starts[keep], lens[keep], first[keep]
    else:
        counts = np.diff(begin, append=len(starts))  # words per key
    t = len(starts)
    longer = np.flatnonzero(lens > 8)
    with np.errstate(over="ignore"):
        # the length counts too: a NUL byte reads like the zero padding
        h = first * _U64(0x9E3779B97F4A7C15) + lens.astype(np.uint64) * _U64(0xD6E8FEB86659FD93)
        if len(longer):
            x = h[longer] ^ (lens[longer].astype(np.uint64) << _U64(40))
            active, j = longer, 1
            while len(active):
                x = (x ^ chunk(active, j)) * _U64(0xBF58476D1CE4E5B9)
                x ^= x >> _U64(31)
                h[active] = x
                j += 1
                more = lens[active] > 8 * j
                active, x = active[more], x[more]
    # one sort of (high bits of the hash | word position) groups the words
    low = _U64((1 << max(1, (t - 1).bit_length())) - 1)
    packed = np.sort((h & ~low) | np.arange(t, dtype=np.uint64))
    word = (packed & low).astype(np.int64)
    new = np.r_[True, (packed[1:] ^ packed[:-1]) > low]
    reps = word[new]
    group = np.empty(t, np.int64)
    group[word] = np.cumsum(new) - 1
    # exact: every word equals its group's first word, byte for byte
    other = reps[group]
    if not (np.array_equal(first, first[other]) and np.array_equal(lens, lens[other])):
        return None
    active, j = longer, 1
    while len(active):
        if not np.array_equal(chunk(active, j), chunk(other[active], j)):
            return None
        j += 1
        active = active[lens[active] > 8 * j]
    if occurrences is not None:
        # every word's group: a dropped repeat takes the group of the last kept word before
        # it (a key's first word is never dropped, so that word is in the same key)
        occurrences += [group[np.cumsum(~same) - 1] if dropped else group, begin]
    cut = map(slice, starts[reps].tolist(), (starts[reps] + lens[reps]).tolist())
    words = list(map(raw.__getitem__, cut))
    crc = np.fromiter(map(zlib.crc32, words), np.uint64, len(words))
    order = np.argsort(crc, kind="stable")
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    bits = max(1, (len(order) - 1).bit_length())
    # by key, then crc32; in uint32 when the codes fit (a run of 300 k characters holds a
    # few hundred keys and a few thousand distinct words): numpy sorts 32-bit values ≈ 2×
    # faster than 64-bit ones (synthetic 20,000: _token_hashes 64.5 → 61.4 ms)
    kind = np.dtype(np.uint32 if n << bits <= _CODES_32 else np.int64)
    docs: np.ndarray = np.repeat(np.arange(n, dtype=kind), counts)
    codes = np.sort((docs << bits) | rank[group].astype(docs.dtype))
    codes = codes[np.r_[True, codes[1:] != codes[:-1]]]
    docs = codes >> bits
    local = order[codes & ((1 << bits) - 1)]
    sizes = np.bincount(docs, minlength=n)
    if sizes.max() > SKETCH:
        place = np.arange(len(codes)) - (np.cumsum(sizes) - sizes)[docs]
        local = local[place < SKETCH]
        sizes = np.minimum(sizes, SKETCH)
    return words, crc, local, sizes


def minhash_signatures(
    keys: Sequence[str], num_perm: int = BANDS * ROWS, *, codes: dict[int, str] | None = None
) -> np.ndarray:
    """MinHash signatures (``len(keys)`` × ``num_perm``, uint32) of the keys' word sets.

    Permutations are multiply-add-shift hashes ``(a·x + b) mod 2⁶⁴ >> 32`` of the token's
    crc32 with ``a``, ``b`` from a fixed seed: universal, and all numpy. Computed on the
    vocabulary once and gathered per document, in chunks to bound memory.
    A document without words gets all-ones (it never shares a band with a real one).
    ``codes``, if given, receives the long keys' word codes (:func:`_word_sets_numpy`).
    """
    rng = np.random.Generator(np.random.PCG64(SEED))
    a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    hashes, ids, offsets = _token_hashes(keys, codes)
    # one extra row of all-ones pads the word lists of a chunk to one width (at most SKETCH
    # words); the minimum over a document's ids and pads is the minimum over its ids
    pad = len(hashes)
    table = np.empty((pad + 1, num_perm), np.uint32)
    table[pad] = np.iinfo(np.uint32).max
    with np.errstate(over="ignore"):
        mixed = hashes[:, None] * a[None, :]  # in place from here: no 64-bit temporaries
        mixed += b
        mixed >>= np.uint64(32)
    table[:pad] = mixed  # each value < 2**32 after the shift: exact
    n = len(keys)
    sig = np.full((n, num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    lengths = np.diff(offsets)
    # documents in order of length, in chunks of _MIN_ROWS each padded to its own longest
    # list: the gathers touch about the words there are. Word k of every document of a
    # chunk is gathered at once and folded into a running minimum: the chunk's rows
    # (512 × 128 × 4 bytes) stay in cache, where one gather of chunk × width × 128 did not
    order = np.argsort(lengths, kind="stable")
    order = order[lengths[order] > 0]
    buf = np.empty((_MIN_ROWS, num_perm), np.uint32)
    for at in range(0, len(order), _MIN_ROWS):
        docs = order[at : at + _MIN_ROWS]
        width = int(lengths[docs[-1]])  # the chunk's longest list (at most SKETCH)
        counts = lengths[docs]
        padded = np.full((width, len(docs)), pad, dtype=np.int64)
        where = np.repeat(np.arange(len(docs)), counts)
        step = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(
            np.cumsum(counts) - counts, counts
        )
        padded[step, where] = ids[np.repeat(offsets[docs], counts) + step]
        # every index is a row of the table (a word id or the pad row): "clip" changes no
        # row and skips the per-index bounds check of the default "raise" (≈ 2× faster)
        low = np.take(table, padded[0], axis=0, mode="clip")
        word = buf[: len(docs)]
        for k in range(1, width):
            np.take(table, padded[k], axis=0, out=word, mode="clip")
            np.minimum(low, word, out=low)
        sig[docs] = low
    return sig


def _stable_groups(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.argsort(key, kind="stable")`` (uint64 keys) and a mask of where each run of
    equal keys starts in that order.

    One sort of (high bits of the key | position) orders by key, then position — the
    stable order — unless two different keys share their high bits (then the runs of equal
    high bits and of equal keys differ, and the stable argsort runs instead). The sort of
    plain uint64 values is several times faster than an argsort."""
    n = len(key)
    low = np.uint64((1 << max(1, (n - 1).bit_length())) - 1)
    packed = np.sort((key & ~low) | np.arange(n, dtype=np.uint64))
    order = (packed & low).astype(np.int64)
    sk = key[order]
    new = np.r_[True, sk[1:] != sk[:-1]]
    if not np.array_equal(new, np.r_[True, (packed[1:] ^ packed[:-1]) > low]):
        order = np.argsort(key, kind="stable")
        sk = key[order]
        new = np.r_[True, sk[1:] != sk[:-1]]
    return order, new


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
    candidates, which verification removes; all bands' keys are computed at once);
    documents are grouped by a stable sort (:func:`_stable_groups`) and every pair inside a
    bucket is produced with numpy (no Python loop over buckets).

    A bucket of more than ``max_bucket`` stems is split by the next band's rows, and so
    on: such buckets come from minima that all fell on words most stems share ("the",
    "which", …) and would put millions of unrelated pairs in the candidates (measured: one
    band, 10 M pairs at 100,000 stems), while real near-duplicates also agree on the next
    rows and stay together.
    """
    for codes in _band_pairs(signatures, bands, rows, max_bucket):
        yield unique(codes)


#: band keys sorted by one call of :func:`_sorted_bands` (bands × documents at most): 16
#: bands at 2,000 stems, one at a time (:func:`_stable_groups`) from 16,384 on (measured at
#: 20,000: groups of 3 bands were 7 % slower than one at a time)
_SORT_CELLS = 1 << 15
#: a group's pairs are listed in one pass up to this many, else band by band (measured at
#: 20,000 stems: one pass over 2.3 M pairs of 32 bands was 37 % slower than band by band)
_JOINT_PAIRS = 1 << 16


def _band_pairs(
    signatures: np.ndarray, bands: int, rows: int, max_bucket: int
) -> Iterator[np.ndarray]:
    """:func:`lsh_candidates` before each band's codes are sorted: distinct, ``i < j``
    (the order inside a bucket is by position), in bucket order.

    Bands are grouped (:data:`_SORT_CELLS`): one sort orders every band of a group
    (:func:`_sorted_bands`), and while a group's pairs are at most :data:`_JOINT_PAIRS`
    one pass lists them all (:func:`_bucket_pairs` on the bands one after another: a
    bucket never spans two bands) and cuts them per band. A band with a bucket larger
    than ``max_bucket`` is grouped again by :func:`_split_band`. Each band's array is the
    one a band at a time gives (``tests/test_dedup_lsh.py`` compares with the reference);
    at 2,000 stems this saves ≈ 25 numpy calls per band."""
    n = signatures.shape[0]
    rng = np.random.Generator(np.random.PCG64(SEED + 1))
    mix = rng.integers(1, 2**63, size=rows, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    empty = np.all(signatures == np.iinfo(np.uint32).max, axis=1)
    # documents without words share no bucket: each gets a key of its own
    alone = np.arange(int(empty.sum()), dtype=np.uint64) + np.uint64(2**63 + 12345)
    # every band's key at once (bands × n): a big bucket is split by the next bands' keys
    with np.errstate(over="ignore"):
        block = signatures[:, : bands * rows].reshape(n, bands, rows)
        keys = np.zeros((bands, n), dtype=np.uint64)
        for r in range(rows):
            keys += block[:, :, r].T.astype(np.uint64) * mix[r]
        keys ^= keys >> np.uint64(29)
    step = max(1, _SORT_CELLS // max(n, 1))
    for lo in range(0, bands, step):
        hi = min(bands, lo + step)
        key = keys[lo:hi].copy()
        if len(alone):
            key[:, empty] = alone
        if hi - lo > 1:
            order, new = _sorted_bands(key)
        else:
            order, new = (found[None] for found in _stable_groups(key[0]))
        starts = np.flatnonzero(new)
        sizes = np.diff(np.r_[starts, new.size])
        big = sizes > max_bucket
        if big.any():
            for row in np.unique(starts[big] // n).tolist():
                order[row], new[row] = _split_band(
                    key[row], keys, lo + row, mix[0], max_bucket, (order[row], new[row])
                )
            starts = np.flatnonzero(new)
            sizes = np.diff(np.r_[starts, new.size])
        if hi - lo == 1:
            yield _bucket_pairs(order[0], starts, sizes, n)[0]
            continue
        if int((sizes * (sizes - 1) // 2).sum()) <= _JOINT_PAIRS:
            codes, counts = _bucket_pairs(order.ravel(), starts, sizes, n)
            cuts = np.cumsum(counts.reshape(hi - lo, n).sum(axis=1))[:-1]
            yield from np.split(codes, cuts)
            continue
        for row in range(hi - lo):
            at = np.flatnonzero(new[row])
            yield _bucket_pairs(order[row], at, np.diff(np.r_[at, n]), n)[0]


def _sorted_bands(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_stable_groups` of each row of ``key`` (bands × documents): the stable order
    of each row and where its runs of equal keys start. One ``np.sort`` of the packed keys
    along the rows; a row whose keys share their high bits takes :func:`_stable_groups`
    (its argsort fallback)."""
    n = key.shape[1]
    low = np.uint64((1 << max(1, (n - 1).bit_length())) - 1)
    packed = key & ~low
    packed |= np.arange(n, dtype=np.uint64)
    packed.sort(axis=1)
    order = (packed & low).astype(np.int64)
    sk = np.take_along_axis(key, order, axis=1)
    new = np.ones(key.shape, dtype=bool)
    np.not_equal(sk[:, 1:], sk[:, :-1], out=new[:, 1:])
    high = (packed[:, 1:] ^ packed[:, :-1]) > low
    for row in np.flatnonzero((new[:, 1:] != high).any(axis=1)).tolist():
        order[row], new[row] = _stable_groups(key[row])
    return order, new


def _split_band(
    key: np.ndarray,
    keys: np.ndarray,
    band: int,
    mix: np.uint64,
    max_bucket: int,
    groups: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """(order, bucket starts) of one band whose buckets hold more than ``max_bucket``
    stems: the members of such a bucket take the next band's rows into their key, and so
    on (see :func:`lsh_candidates`). ``key`` is the band's key (documents without words
    already on keys of their own), ``keys`` every band's, ``groups`` the band's
    :func:`_stable_groups`."""
    key = key.copy()
    bands, n = keys.shape
    order, new = groups
    for extra in range(1, bands + 1):
        starts = np.flatnonzero(new)
        sizes = np.diff(np.r_[starts, n])
        big = sizes > max_bucket
        if not big.any() or extra == bands:
            break
        docs = order[np.repeat(big, sizes)]
        with np.errstate(over="ignore"):
            key[docs] = key[docs] * mix + keys[(band + extra) % bands][docs]
        order, new = _stable_groups(key)
    return order, new


def _bucket_pairs(
    order: np.ndarray, starts: np.ndarray, sizes: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Every pair inside each bucket as codes ``order[p] * n + order[q]``, ``p < q``, and
    the pairs each position starts. ``order`` lists the documents bucket by bucket;
    ``starts`` and ``sizes`` are the buckets' places in it."""
    positions = np.arange(len(order), dtype=np.int64)
    # each sorted position pairs with the later members of its bucket: pair number k of
    # position p (list index first[p] + k) has the partner at position p + 1 + k
    counts = np.repeat(starts + sizes, sizes) - positions - 1
    first = np.cumsum(counts) - counts
    right = np.arange(int(counts.sum()), dtype=np.int64)
    right += np.repeat(positions + 1 - first, counts)
    return np.repeat(order * n, counts) + order[right], counts


#: candidate codes gathered from consecutive bands before their distinct pairs are filtered
#: (≤ 32 MB): the same pair from several bands is bounded once, and memory stays bounded
FILTER_BATCH = 4_000_000
#: pairs per call of the length and character-count bounds: the two histogram rows of
#: 16 k pairs stay in cache (measured at 20,000: 0.18 s in steps of 8–32 k, 0.27 s per band)
FILTER_STEP = 16_384


def _bounded(
    batch: list[np.ndarray], lengths: np.ndarray, hist: np.ndarray, threshold: float
) -> list[np.ndarray]:
    """The distinct candidate codes of ``batch`` that pass the length and character-count
    bounds, in steps of :data:`FILTER_STEP` pairs."""
    n = len(lengths)
    codes = unique(np.concatenate(batch))
    kept = []
    for at in range(0, len(codes), FILTER_STEP):
        step = codes[at : at + FILTER_STEP]
        pairs = np.stack([step // n, step % n], axis=1)
        pairs = length_filter(pairs, lengths, threshold)
        pairs = histogram_filter(pairs, hist, lengths, threshold)
        kept.append(pairs[:, 0] * n + pairs[:, 1])
    return kept


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

    Candidates of consecutive bands (up to :data:`FILTER_BATCH` codes) are made distinct
    and go through the exact length and character-count bounds in steps of
    :data:`FILTER_STEP` pairs, so memory holds only a batch and the survivors (about a
    third); the distinct survivors are then scored with ``cpdist``. Both bounds are exact
    and per pair, so how the candidates are batched changes no result.
    """
    keys = list(keys)
    n = len(keys)
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    long_codes: dict[int, str] = {}  # the long keys' word codes, made with their word sets
    sig = minhash_signatures(keys, bands * rows, codes=long_codes)
    hist = char_histograms(keys)
    lengths = key_lengths(keys)
    kept: list[np.ndarray] = []
    batch: list[np.ndarray] = []
    held = 0
    candidates = _band_pairs(sig, bands, rows, max_bucket)
    for codes in track(candidates, bands) if track else candidates:
        batch.append(codes)
        held += len(codes)
        if held >= FILTER_BATCH:
            kept += _bounded(batch, lengths, hist, threshold)
            batch, held = [], 0
    if batch:
        kept += _bounded(batch, lengths, hist, threshold)
    del sig, hist, batch
    codes = unique(np.concatenate(kept)) if kept else np.empty(0, dtype=np.int64)
    del kept
    pairs = np.stack([codes // n, codes % n], axis=1)
    return verify_pairs(keys, pairs, threshold, workers=workers, codes=long_codes)
