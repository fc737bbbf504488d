"""The numpy fast paths of :mod:`qbank.validate.dedup.lsh` against their references: word
sets (numpy vs one word at a time in Python), MinHash signatures (running minimum vs a
per-document minimum over the reference word sets) and LSH buckets (one sort of packed
keys vs a stable argsort). Equal word hashes per document and equal buckets mean equal
candidates, so ``qbank validate`` findings do not depend on which path ran."""

from __future__ import annotations

import random
import sys
import zlib
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from qbank.validate.dedup import lsh

FIXTURE = Path(__file__).parent / "fixtures" / "dedup-real-style"

#: letters of several scripts and byte widths (1–4 bytes in UTF-8), a combining accent and
#: characters that are not whitespace although they look or act like it
LETTERS = "abcxyzABZ019-'.,é ßøñαβγжд中文字😀\u0301\u200b\u00ad\x00\x7f"
SPACES = (
    " \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2005\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _word(rng: random.Random) -> str:
    size = rng.choice([1, 2, 3, 5, 7, 8, 9, 12, 16, 17, 24, 25, 40])
    return "".join(rng.choice(LETTERS) for _ in range(size)).replace(" ", "")


def random_keys(seed: int, n: int = 400) -> list[str]:
    """Keys of random words (a shared vocabulary, so documents overlap) joined by runs of
    every kind of whitespace, including empty and whitespace-only keys and keys of more than
    :data:`lsh.SKETCH` distinct words."""
    rng = random.Random(seed)
    vocab = [_word(rng) for _ in range(600)]
    keys = []
    for _ in range(n):
        count = rng.choice([0, 1, 3, 10, 40, 63, 64, 65, 90, 200])
        words = [rng.choice(vocab) for _ in range(count)]
        gaps = [
            "".join(rng.choice(SPACES) for _ in range(rng.choice([1, 1, 1, 2, 3]))) for _ in words
        ]
        edge = rng.choice(["", " ", "\u3000\t"])
        keys.append(edge + "".join(w + g for w, g in zip(words, gaps, strict=True)).rstrip() + edge)
    keys += ["", "   ", "\x85", "plain"]
    return keys


def fixture_keys() -> list[str]:
    """Lines of the real-style fixture bank: real question text of every length."""
    return [
        line
        for path in sorted(FIXTURE.rglob("*.yaml"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def hash_sets(found: tuple[np.ndarray, np.ndarray, np.ndarray]) -> list[list[int]]:
    """Each document's word hashes, sorted."""
    hashes, ids, offsets = found
    return [sorted(hashes[ids[a:b]].tolist()) for a, b in pairwise(offsets.tolist())]


def expected_sets(keys: list[str]) -> list[list[int]]:
    """Independent oracle: crc32 of each distinct word, bottom :data:`lsh.SKETCH`."""
    return [
        sorted({zlib.crc32(w.encode("utf-8")) for w in key.split()})[: lsh.SKETCH] for key in keys
    ]


def reference_signatures(keys: list[str], num_perm: int = lsh.BANDS * lsh.ROWS) -> np.ndarray:
    """MinHash signatures from the Python word sets, one document at a time."""
    rng = np.random.Generator(np.random.PCG64(lsh.SEED))
    a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    hashes, ids, offsets = lsh._word_sets_python(keys)
    with np.errstate(over="ignore"):
        table = ((hashes[:, None] * a[None, :] + b[None, :]) >> np.uint64(32)).astype(np.uint32)
    sig = np.full((len(keys), num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    for doc in range(len(keys)):
        found = ids[offsets[doc] : offsets[doc + 1]]
        if len(found):
            sig[doc] = table[found].min(axis=0)
    return sig


def reference_candidates(
    signatures: np.ndarray, bands: int, rows: int, max_bucket: int
) -> Iterator[np.ndarray]:
    """:func:`lsh.lsh_candidates` as it was before the packed sort: per band a stable
    argsort of the band key (computed per band)."""
    n = signatures.shape[0]
    rng = np.random.Generator(np.random.PCG64(lsh.SEED + 1))
    mix = rng.integers(1, 2**63, size=rows, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    empty = np.all(signatures == np.iinfo(np.uint32).max, axis=1)
    n_empty = int(empty.sum())

    def band_key(band: int) -> np.ndarray:
        block = signatures[:, band * rows : (band + 1) * rows].astype(np.uint64)
        with np.errstate(over="ignore"):
            key = (block * mix[None, :]).sum(axis=1, dtype=np.uint64)
        return key ^ (key >> np.uint64(29))

    for band in range(bands):
        key = band_key(band)
        if n_empty:
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
        pairs = {
            (int(i), int(j))
            for s, size in zip(starts, sizes, strict=True)
            for x, i in enumerate(order[s : s + size])
            for j in order[s + x + 1 : s + size]
        }
        yield np.array(sorted(min(p) * n + max(p) for p in pairs), dtype=np.int64)


def test_space_characters_are_those_str_split_uses() -> None:
    spaces = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}
    assert {chr(c) for c in np.flatnonzero(lsh._ASCII_SPACE)} == {c for c in spaces if c < "\x80"}
    assert set(lsh.NON_ASCII_SPACE) == {c for c in spaces if c >= "\x80"}
    assert all(f"a{c}b".split() == ["a", "b"] for c in spaces)


@pytest.mark.parametrize("seed", range(6))
def test_numpy_word_sets_equal_the_reference_on_random_texts(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = random_keys(seed)
    if seed % 2:  # many runs of keys: words shared across runs get one id
        monkeypatch.setattr(lsh, "_CHUNK_CHARS", 500)
    fast = lsh._word_sets_numpy(keys)
    assert fast is not None
    assert hash_sets(fast) == hash_sets(lsh._word_sets_python(keys)) == expected_sets(keys)
    hashes, ids, _ = fast
    assert len(np.unique(hashes)) == len(hashes)  # one id per word
    assert set(ids.tolist()) <= set(range(len(hashes)))


def test_numpy_word_sets_equal_the_reference_on_the_real_style_fixture() -> None:
    keys = fixture_keys()
    assert len(keys) > 1000
    fast = lsh._word_sets_numpy(keys)
    assert fast is not None
    assert hash_sets(fast) == hash_sets(lsh._word_sets_python(keys)) == expected_sets(keys)


def test_a_crc32_collision_falls_back_to_the_python_word_sets() -> None:
    assert zlib.crc32(b"plumless") == zlib.crc32(b"buckeroo")
    keys = ["plumless buckeroo one", "buckeroo two", "plumless"]
    assert lsh._word_sets_numpy(keys) is None
    found = lsh._token_hashes(keys)
    assert all(
        np.array_equal(x, y) for x, y in zip(found, lsh._word_sets_python(keys), strict=True)
    )
    assert np.array_equal(lsh.minhash_signatures(keys), reference_signatures(keys))


def test_no_keys_and_no_words() -> None:
    assert lsh.minhash_signatures([]).shape == (0, lsh.BANDS * lsh.ROWS)
    sig = lsh.minhash_signatures(["", " \u3000 "])
    assert (sig == np.iinfo(np.uint32).max).all()


@pytest.mark.parametrize("seed", range(3))
def test_signatures_equal_the_reference(seed: int) -> None:
    keys = random_keys(100 + seed, 700)
    assert np.array_equal(lsh.minhash_signatures(keys), reference_signatures(keys))


def test_signatures_equal_the_reference_on_the_real_style_fixture() -> None:
    keys = fixture_keys()
    assert np.array_equal(lsh.minhash_signatures(keys), reference_signatures(keys))


@pytest.mark.parametrize(("values", "max_bucket"), [(2, 3), (3, 20), (6, 500)])
def test_candidates_equal_the_reference(values: int, max_bucket: int) -> None:
    """Signatures from a few values make buckets of every size, big ones to split."""
    rng = np.random.default_rng(values)
    sig = rng.integers(0, values, size=(1500, 32), dtype=np.uint32)
    sig[rng.choice(1500, 40, replace=False)] = np.iinfo(np.uint32).max  # documents without words
    got = list(lsh.lsh_candidates(sig, 8, 4, max_bucket=max_bucket))
    want = list(reference_candidates(sig, 8, 4, max_bucket))
    assert len(got) == len(want) == 8
    assert sum(len(c) for c in got) > 0
    for a, b in zip(got, want, strict=True):
        assert np.array_equal(a, b)
    # lsh_pairs takes the bands unsorted: the same distinct pairs, i < j
    raw = list(lsh._band_pairs(sig, 8, 4, max_bucket))
    for a, b in zip(raw, want, strict=True):
        assert len(np.unique(a)) == len(a) and np.array_equal(np.sort(a), b)
        assert (a // 1500 < a % 1500).all()


@pytest.mark.parametrize(("cells", "batch"), [(3000, 100), (1500, 10**9), (10**6, 0)])
def test_candidates_equal_the_reference_band_by_band(
    cells: int, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bands sorted in groups of 2 or 1 (:data:`lsh._SORT_CELLS`), and pairs listed band by
    band when a group has more than :data:`lsh._JOINT_PAIRS`: the same arrays."""
    rng = np.random.default_rng(7)
    sig = rng.integers(0, 3, size=(1500, 32), dtype=np.uint32)
    sig[rng.choice(1500, 40, replace=False)] = np.iinfo(np.uint32).max
    want = list(reference_candidates(sig, 8, 4, 20))
    whole = list(lsh._band_pairs(sig, 8, 4, 20))
    monkeypatch.setattr(lsh, "_SORT_CELLS", cells)
    monkeypatch.setattr(lsh, "_JOINT_PAIRS", batch)
    got = list(lsh._band_pairs(sig, 8, 4, 20))
    assert len(got) == len(want) == 8
    for a, b, c in zip(got, want, whole, strict=True):
        assert np.array_equal(a, c)  # the same order too
        assert np.array_equal(np.sort(a), b)


def test_sorted_bands_equal_stable_groups_row_by_row() -> None:
    """Rows whose keys share their high bits (the packed sort cannot tell them apart) take
    the argsort fallback; the others the packed sort."""
    key = np.array(
        [[5, 1, 5, 2, 1, 7 << 40], [9 << 40, 3 << 40, 9 << 40, 3 << 40, 1, 1 << 63]],
        dtype=np.uint64,
    )
    order, new = lsh._sorted_bands(key)
    for row in range(2):
        want_order, want_new = lsh._stable_groups(key[row])
        assert order[row].tolist() == want_order.tolist()
        assert new[row].tolist() == want_new.tolist()
    assert order[0].tolist() == [1, 4, 3, 0, 2, 5]


def test_stable_groups_fall_back_when_keys_share_their_high_bits() -> None:
    # 6 keys: positions take 3 low bits, so keys differing only there collide in the sort
    key = np.array([5, 1, 5, 2, 1, 7 << 40], dtype=np.uint64)
    order, new = lsh._stable_groups(key)
    assert order.tolist() == np.argsort(key, kind="stable").tolist() == [1, 4, 3, 0, 2, 5]
    assert new.tolist() == [True, False, True, True, False, True]
    key = np.array([9 << 40, 3 << 40, 9 << 40, 3 << 40], dtype=np.uint64)  # the fast path
    order, new = lsh._stable_groups(key)
    assert order.tolist() == [1, 3, 0, 2]
    assert new.tolist() == [True, False, True, False]


def test_words_that_differ_only_by_trailing_nul_bytes_stay_apart() -> None:
    keys = [
        "1 1\x00",
        "1\x00\x00 abcdefgh",
        "abcdefgh\x00 1",
        "abcdefgh\x00\x00\x00\x00\x00\x00\x00\x00",
    ]
    fast = lsh._word_sets_numpy(keys)
    assert fast is not None
    assert len(fast[0]) == 6
    assert hash_sets(fast) == expected_sets(keys)
