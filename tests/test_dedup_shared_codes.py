"""The long keys' word codes made with the MinHash word sets (``minhash_signatures(...,
codes=...)``, ``lsh._word_sets_numpy``) against :func:`~qbank.validate.dedup.scan.word_codes`,
the code they replace in :func:`~qbank.validate.dedup.scan.verify_pairs`: the two codings
must be one-to-one with each other (then every score on codes is the same), and the verified
pairs and the long pairs' remembered scores must be those of the ``word_codes`` path. Also
:func:`~qbank.validate.dedup.scan.char_histograms` in chunks of any size."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qbank.load import load_bank
from qbank.validate.dedup import lsh, prepare, scan
from test_dedup_keys import bench_banks
from test_dedup_lsh import random_keys
from test_dedup_verify_codes import _long_keys


def _shared_codes(keys: list[str]) -> dict[int, str]:
    codes: dict[int, str] = {}
    lsh.minhash_signatures(keys, codes=codes)
    return codes


def _assert_same_coding(keys: list[str], codes: dict[int, str]) -> None:
    """``codes`` holds every key longer than LONG_KEY, and its characters correspond one to
    one with those of ``word_codes`` of the same keys (coded together)."""
    wanted = [k for k, key in enumerate(keys) if len(key) > lsh.LONG_KEY]
    assert sorted(codes) == wanted
    reference = scan.word_codes([keys[k] for k in wanted])
    forward: dict[str, str] = {}
    backward: dict[str, str] = {}
    for k, ref in zip(wanted, reference, strict=True):
        mine = codes[k]
        assert len(mine) == len(ref) == len(keys[k].split())
        for x, y in zip(mine, ref, strict=True):
            assert forward.setdefault(x, y) == y
            assert backward.setdefault(y, x) == x
        assert not any(0xD800 <= ord(c) <= 0xDFFF for c in mine)


def _bank_keys(root: Path) -> list[str]:
    items = prepare(load_bank(root).questions)
    return list(dict.fromkeys(i.key for i in items if i.key))


def test_codes_match_word_codes_on_the_bench_banks(tmp_path: Path) -> None:
    for root in bench_banks(tmp_path):
        keys = _bank_keys(root)
        _assert_same_coding(keys, _shared_codes(keys))


def test_verify_pairs_same_with_shared_codes(tmp_path: Path) -> None:
    """All pairs of the long test keys and of the real-style bench bank (400 questions): the
    verified pairs and ``_LONG_SCORES`` with the shared codes equal those without."""
    banks = bench_banks(tmp_path)
    for keys in (_long_keys(3), _long_keys(7), _bank_keys(banks[1]), _bank_keys(banks[2])):
        codes = _shared_codes(keys)
        assert codes, "no long keys: the test would prove nothing"
        n = len(keys)
        pairs = np.array([(i, j) for i in range(n) for j in range(i + 1, n)], dtype=np.int64)
        for threshold in (75, 85, 92):
            want = scan.verify_pairs(keys, pairs, threshold, workers=1)
            want_scores = dict(scan._LONG_SCORES)
            got = scan.verify_pairs(keys, pairs, threshold, workers=1, codes=codes)
            assert got.tolist() == want.tolist()
            assert want_scores == scan._LONG_SCORES
        # a mapping that lacks a long key of the pairs is not used
        partial = dict(list(codes.items())[1:])
        got = scan.verify_pairs(keys, pairs, 85, workers=1, codes=partial)
        assert got.tolist() == scan.verify_pairs(keys, pairs, 85, workers=1).tolist()


def test_lsh_pairs_same_as_without_shared_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole LSH path with the shared codes against the same path with verify_pairs
    coding the long keys itself."""
    keys = _bank_keys(bench_banks(tmp_path)[2]) + _long_keys(5)
    got = lsh.lsh_pairs(keys, 85, workers=1)
    got_scores = dict(scan._LONG_SCORES)
    assert got_scores
    plain = scan.verify_pairs

    def without(*args: object, codes: object = None, **kwargs: object) -> np.ndarray:
        assert codes, "lsh_pairs passes the codes"
        return plain(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(lsh, "verify_pairs", without)
    want = lsh.lsh_pairs(keys, 85, workers=1)
    assert got.tolist() == want.tolist()
    assert got_scores == scan._LONG_SCORES


_WORDS = st.sampled_from(
    ["a", "b", "é", "日本", "longword1", "longword2", "longwordXYZ12345", "\x00x", "x\x00"]
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(_WORDS, min_size=0, max_size=40), min_size=1, max_size=30),
    st.integers(0, 30),
    st.booleans(),
)
def test_codes_match_word_codes_on_generated_keys(
    texts: list[list[str]], long_key: int, sort: bool
) -> None:
    """Any keys (sorted or not, repeats side by side or not, words sharing their first 8
    bytes, NUL bytes, non-ASCII), any LONG_KEY: the codes correspond one to one."""
    keys = [" ".join(sorted(words) if sort else words) for words in texts]
    old = lsh.LONG_KEY
    lsh.LONG_KEY = long_key
    try:
        codes: dict[int, str] = {}
        if lsh._word_sets_numpy(keys, codes) is None:
            assert not codes
            return
        _assert_same_coding(keys, codes)
    finally:
        lsh.LONG_KEY = old


def test_codes_match_on_random_whitespace_and_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys with every kind of whitespace (the edge path of the word bounds), and several
    runs of :data:`lsh._CHUNK_CHARS` (ids across runs)."""
    monkeypatch.setattr(lsh, "LONG_KEY", 100)
    monkeypatch.setattr(lsh, "_CHUNK_CHARS", 5_000)
    keys = random_keys(11)
    codes: dict[int, str] = {}
    assert lsh._word_sets_numpy(keys, codes) is not None
    assert len(lsh._runs(keys)) > 5
    _assert_same_coding(keys, codes)


def test_codes_skip_the_surrogates(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past 55,296 distinct words the codes jump over U+D800-U+DFFF (verify_pairs' word
    bound encodes them as UTF-32), and every word keeps its own code."""
    monkeypatch.setattr(lsh, "_CHUNK_CHARS", 100_000)
    rng = random.Random(2)
    words = [f"w{i}" for i in range(0xD800 + 3000)]
    shuffled = rng.sample(words, len(words))
    keys = [" ".join(sorted(shuffled[at : at + 2_000])) for at in range(0, len(words), 2_000)]
    keys += [" ".join(sorted(rng.sample(words, 2_000))) for _ in range(5)]  # shared words
    codes: dict[int, str] = {}
    assert lsh._word_sets_numpy(keys, codes) is not None
    _assert_same_coding(keys, codes)
    highest = max(map(ord, "".join(codes.values())))
    assert highest > 0xDFFF, highest


@pytest.mark.parametrize("chunk", [1, 7, 300, 5_000, 10**9])
def test_char_histograms_any_chunk(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """``char_histograms`` in chunks of any size (keys longer than a chunk, a chunk of one
    key, one chunk for all) counts as the character-by-character reference."""
    from test_dedup_keys import reference_histograms, sorted_keys

    monkeypatch.setattr(scan, "_HIST_CHUNK", chunk)
    keys = random_keys(4, 200) + sorted_keys(4, 60) + ["?", "\xff\u0100", "", "x" * 9_000]
    assert np.array_equal(scan.char_histograms(keys), reference_histograms(keys))
