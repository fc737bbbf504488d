"""The batch paths of the near-duplicate engine's preparation against the code they replace:
:func:`~qbank.validate.dedup.text.stem_texts` (one scan of the joined bank) against
:func:`~qbank.validate.dedup.text.stem_text` per question and against the per-stem checks it
replaced, the list-line search of :func:`~qbank.validate.dedup.text.plain_text` against the
multi-line ``^`` search, and the MinHash word sets of sorted keys (words repeated next to
each other) against an oracle. Equal plain texts and word sets mean equal keys, signatures
and findings."""

from __future__ import annotations

import random
import re
import sys
import zlib
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qbank.load import load_bank
from qbank.markup import replace_blanks, to_text
from qbank.validate.dedup import lsh, prepare, scan, stem_key, stem_text
from qbank.validate.dedup import text as text_module
from qbank.validate.dedup.text import stem_texts, strip_exhibits
from test_dedup_lsh import random_keys, reference_signatures

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "dedup-real-style"

#: the checks :func:`plain_text` made before (a multi-line ``^`` search for list lines)
_OLD_MARKUP_FREE = re.compile(r"[^\[&<\\*_`~|]*")
_OLD_LIST_NUMBER_RE = re.compile(r"^[ \t>*+-]*\d{1,9}[.)](?:[ \t]|$)", re.MULTILINE)


def old_plain_text(markdown: str) -> str:
    """``plain_text`` as it was before the batch path (the reference)."""
    if (
        _OLD_MARKUP_FREE.fullmatch(markdown) is not None
        and not _OLD_LIST_NUMBER_RE.match(markdown)
        and not ("\n" in markdown and _OLD_LIST_NUMBER_RE.search(markdown))
    ):
        return markdown.strip()
    return to_text(markdown)


def old_stem_text(question: Any) -> str:
    """``stem_text`` as it was before the batch path (the reference)."""
    text = strip_exhibits(question.text)
    if question.type == "cloze":
        text = replace_blanks(text, lambda b: b.answers[0] if b.answers[0] else "___")
    return old_plain_text(text)


def bench_banks(tmp_path: Path) -> list[Path]:
    bench = ROOT / "bench"
    sys.path.insert(0, str(bench))
    try:
        import dedup_synth
        import realtext_synth
    finally:
        sys.path.remove(str(bench))
    return [
        ROOT / "bank",
        FIXTURE,
        realtext_synth.write_bank(tmp_path / "real", 400, 8, seed=3),
        dedup_synth.write_bank(tmp_path / "synth", dedup_synth.generate(800, seed=3), 4),
    ]


def test_stem_texts_and_keys_equal_the_reference_on_the_bench_banks(tmp_path: Path) -> None:
    for root in bench_banks(tmp_path):
        questions = sorted(load_bank(root).questions, key=lambda q: q.id)
        assert len(questions) > 5, root
        want = [old_stem_text(q) for q in questions]
        assert stem_texts(questions) == [stem_text(q) for q in questions] == want, root
        items = prepare(questions)
        assert [i.plain for i in items] == want
        assert [i.key for i in items] == [stem_key(p) for p in want]


#: pieces of stems: markup of every kind (links, images, HTML, entities, escapes, emphasis,
#: code, tables), numbered-list lines in every form, cloze blanks, odd whitespace and line
#: ends, non-ASCII letters and spaces, characters above Latin-1
PIECES = [
    "Which",
    " option ",
    "word",
    "2.5",
    "1.",
    "12)",
    "3. item",
    " 4) item",
    "> 5. quoted",
    "- 6. bullet",
    "*",
    "_",
    "`code`",
    "~~x~~",
    "|a|b|",
    "[link](u)",
    "![Exhibit 1](a.png)",
    "<img src='a.png'>",
    "<IMG SRC=x>",
    "<b>",
    "&amp;",
    "\\",
    "!",
    "[",
    "{{Paris|paris}}",
    "{{}}",
    "\n",
    "\n\n",
    "\r\n",
    "\t",
    " ",
    "\u3000",
    "\xa0",
    "\x85",
    "\u2028",
    "é",
    "ß",
    "中文",
    "😀",
    "İ",
    "NOT",
    "n't",
    "’",
]

stems = st.lists(st.sampled_from(PIECES), max_size=14).map("".join) | st.text(max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(stems, st.sampled_from(["single", "cloze", "short"])), max_size=8))
def test_stem_texts_equal_the_reference_on_generated_text(batch: list[tuple[str, str]]) -> None:
    questions = [SimpleNamespace(text=text, type=kind) for text, kind in batch]
    want = [old_stem_text(q) for q in questions]
    assert stem_texts(questions) == want  # type: ignore[arg-type]
    assert [stem_text(q) for q in questions] == want  # type: ignore[arg-type]


@settings(max_examples=500, deadline=None)
@given(stems)
def test_plain_text_equals_the_reference(text: str) -> None:
    assert text_module.plain_text(text) == old_plain_text(text)


def test_marked_finds_every_kind_of_stem() -> None:
    texts = [
        "plain",
        "a [link](u)",
        "",
        "line\n2. item",
        "1) first line",
        "x\n",
        "a\\b",
        "ends with 3.",
        "\n4.",
        "Ǝ中 *",
        "plain again",
        "7.5 is a number",
        "2.",
    ]
    assert text_module._marked(texts) == [1, 3, 4, 6, 8, 9, 12]
    assert text_module._marked([]) == []
    assert text_module._marked(["", ""]) == []


# -- MinHash word sets: repeated words dropped before hashing --------------------------------


def word_set_hashes(found: tuple[np.ndarray, np.ndarray, np.ndarray]) -> list[list[int]]:
    hashes, ids, offsets = found
    return [sorted(hashes[ids[a:b]].tolist()) for a, b in pairwise(offsets.tolist())]


def oracle(keys: list[str]) -> list[list[int]]:
    return [
        sorted({zlib.crc32(w.encode("utf-8")) for w in key.split()})[: lsh.SKETCH] for key in keys
    ]


def sorted_keys(seed: int, n: int = 300) -> list[str]:
    """Keys as the engine makes them (words sorted, so repeats follow each other), with words
    that share their first 8 or 16 bytes, NUL bytes, non-ASCII words, empty keys and a word
    that ends one key and starts the next."""
    rng = random.Random(seed)
    stems = ["abcdefgh", "abcdefghijklmnop", "x", "é中", "a\x00"]
    vocab = [s + t for s in stems for t in ["", "1", "2", "\x00", "ij", "ijklmnopq", "😀"]]
    vocab += [f"w{i}" for i in range(80)]
    keys = []
    for _ in range(n):
        count = rng.choice([0, 1, 2, 5, 30, 70, 200])
        keys.append(" ".join(sorted(rng.choice(vocab) for _ in range(count))))
    keys += ["zz", "zz", "zz zz", "", "zz"]
    return keys


@pytest.mark.parametrize(("worth", "codes_32"), [(0.0, 2**32), (0.25, 2**32), (2.0, 0)])
@pytest.mark.parametrize("seed", range(4))
def test_word_sets_of_sorted_keys_equal_the_oracle(
    seed: int, worth: float, codes_32: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Repeats dropped before hashing (always, when worth it, never) and the (key, word)
    codes sorted as uint32 or int64: the same sets."""
    monkeypatch.setattr(lsh, "REPEATS_WORTH", worth)
    monkeypatch.setattr(lsh, "_CODES_32", codes_32)
    keys = sorted_keys(seed)
    found = lsh._word_sets_numpy(keys)
    assert found is not None
    assert word_set_hashes(found) == oracle(keys) == word_set_hashes(lsh._word_sets_python(keys))
    assert np.array_equal(lsh.minhash_signatures(keys), reference_signatures(keys))


@pytest.mark.parametrize("seed", range(4))
def test_word_sets_of_keys_joined_by_single_spaces_equal_the_oracle(seed: int) -> None:
    """Without empty keys the joined text has no two spaces in a row: the word bounds come
    from the space bytes alone (:func:`lsh._word_bounds`' fast path)."""
    keys = [key for key in sorted_keys(seed) if key]
    data = np.frombuffer(" ".join(keys).encode("utf-8"), np.uint8)
    space = np.flatnonzero(lsh._space_bytes(data))
    assert (np.diff(space) > 1).all()
    found = lsh._word_sets_numpy(keys)
    assert found is not None
    assert word_set_hashes(found) == oracle(keys) == word_set_hashes(lsh._word_sets_python(keys))
    assert np.array_equal(lsh.minhash_signatures(keys), reference_signatures(keys))


@pytest.mark.parametrize("seed", range(6))
def test_word_bounds_are_the_words_of_str_split(seed: int) -> None:
    keys = random_keys(seed, 200) if seed % 2 else sorted_keys(seed, 200)
    for text in (" ".join(keys), " ".join(k for k in keys if k), "one", " a", "a ", "a  b"):
        raw = text.encode("utf-8")
        starts, lens = lsh._word_bounds(np.frombuffer(raw, np.uint8))
        got = [raw[s : s + n] for s, n in zip(starts.tolist(), lens.tolist(), strict=True)]
        assert got == [w.encode("utf-8") for w in text.split()]


def reference_histograms(keys: list[str]) -> np.ndarray:
    """Character counts per bucket, one character at a time."""
    hist = np.zeros((len(keys), scan.HIST_BUCKETS), np.int64)
    for row, key in enumerate(keys):
        for char in key:
            byte = ord(char) if ord(char) < 256 else ord("?")
            hist[row, scan._HIST_TABLE[byte]] += 1
    return hist


@pytest.mark.parametrize("seed", range(3))
def test_char_histograms_equal_the_reference(seed: int) -> None:
    keys = random_keys(seed, 300) + sorted_keys(seed, 100) + ["?", "\xff\u0100", ""]
    hist = scan.char_histograms(keys)
    assert hist.dtype == np.int16
    assert np.array_equal(hist, reference_histograms(keys))
    assert scan.char_histograms([]).shape == (0, scan.HIST_BUCKETS)


def test_signatures_of_the_bench_keys_equal_the_reference(tmp_path: Path) -> None:
    """On the keys of the generated bench banks: word sets equal to the oracle, and
    signatures and character histograms equal to the Python references."""
    for root in bench_banks(tmp_path)[2:]:
        items = prepare(load_bank(root).questions)
        keys = list(dict.fromkeys(i.key for i in items if i.key))
        fast = lsh._word_sets_numpy(keys)
        assert fast is not None
        assert word_set_hashes(fast) == oracle(keys)
        assert np.array_equal(lsh.minhash_signatures(keys), reference_signatures(keys))
        assert np.array_equal(scan.char_histograms(keys), reference_histograms(keys))


#: pieces of series stems: "solution" in every case, with and without a word boundary and
#: the colon, the closing question, and characters that fold to ASCII letters
SERIES_PIECES = [
    "Solution",
    "solution",
    "SOLUTION",
    "SoLuTiOn",
    "resolution",
    "solutions",
    "_solution",
    "2solution",
    ":",
    " : ",
    ": ",
    "\n",
    " ",
    "You deploy a VM.",
    "Does this meet the goal?",
    "does the solution meet the goals",
    "x",
    "ſolution",  # U+017F folds to "s" in a case-insensitive search
    "\u212a",  # the Kelvin sign folds to "k"
]


def _search_ask(plain: str) -> str | None:
    found = text_module._SOLUTION_RE.search(plain)
    return None if found is None else found.group("ask")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(SERIES_PIECES), max_size=16).map("".join) | st.text(max_size=60))
def test_solution_equals_the_search(plain: str) -> None:
    """The series ask found at the places "solution" is written equals the regex search."""
    assert text_module._solution(plain) == _search_ask(plain)


def test_solution_equals_the_search_on_the_bench_banks(tmp_path: Path) -> None:
    seen = 0
    for root in bench_banks(tmp_path):
        for q in load_bank(root).questions:
            plain = stem_text(q)
            want = _search_ask(plain)
            seen += want is not None
            assert text_module._solution(plain) == want
    assert seen > 20  # the banks hold series items


@pytest.mark.parametrize("seed", range(20))
def test_marked_equals_a_search_per_text(seed: int) -> None:
    rng = random.Random(seed)
    texts = ["".join(rng.choices(PIECES, k=rng.randint(0, 6))) for _ in range(rng.randint(0, 60))]
    texts = [t for t in texts if rng.random() < 0.5 or not any(c in t for c in "[&<\\*_`~|")]
    want = [
        i
        for i, t in enumerate(texts)
        if any(c in t for c in text_module._MARKUP_CHARS) or _OLD_LIST_NUMBER_RE.search(t)
    ]
    assert text_module._marked(texts) == want


# -- keys from the sorted words of repeated lines (stem_keys) ---------------------------------


def test_words_of_a_text_are_the_words_of_its_lines_for_every_code_point() -> None:
    """What :func:`~qbank.validate.dedup.text.stem_keys` rests on: ``default_process`` maps
    each character on its own, so splitting a text at its line breaks first gives the same
    words, whatever character stands at a line's end or start (every code point)."""
    dp = text_module.default_process
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        assert len(dp(f"x{c}x")) == 3, hex(cp)
        whole = dp(f"ab{c}\n{c}cd\n{c}").split()
        assert whole == dp(f"ab{c}").split() + dp(f"{c}cd").split() + dp(c).split(), hex(cp)


#: lines of stems: long paragraphs that recur (a shared scenario), short ones, Unicode at
#: the ends of lines, empty lines, characters whose Python lower case is longer ("İ")
LINES = st.lists(st.sampled_from(PIECES), max_size=10).map("".join) | st.text(max_size=30)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(LINES, min_size=1, max_size=6),
    st.lists(st.lists(st.integers(0, 9), max_size=8), max_size=10),
    st.sampled_from([0, 1, 5, 30, 200]),
    st.sampled_from([5000, 40, 3]),
)
def test_stem_keys_equal_stem_key_on_stems_with_repeated_lines(
    pool: list[str], stems_as_indices: list[list[int]], repeat_chars: int, max_key: int
) -> None:
    # each stem joins lines of a shared pool (index 9: a fresh line of its own)
    plains = [
        "\n".join(pool[i % len(pool)] if i < 9 else f"own {n} line" for n, i in enumerate(s))
        for s in stems_as_indices
    ]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(text_module, "REPEAT_CHARS", repeat_chars)
        mp.setattr(text_module, "MAX_KEY_CHARS", max_key)
        assert text_module.stem_keys(plains) == [stem_key(p) for p in plains]
        assert text_module.stem_keys(plains) == [
            text_module.sort_key(text_module.normalise(p)) for p in plains
        ]


def test_stem_keys_with_long_repeated_paragraphs_and_the_key_cut() -> None:
    rng = random.Random(5)
    vocab = ["Zeta", "alpha", "Äpfel", "İstanbul", "node", "3.5", "x", "ß", "中文", "rest"]
    paragraphs = [" ".join(rng.choices(vocab, k=rng.randint(40, 900))) for _ in range(6)]
    plains = []
    for n in range(60):
        lines = rng.sample(paragraphs, rng.randint(1, 4))
        # a line that starts like a repeated paragraph and ends otherwise
        lines.append(f"{rng.choice(paragraphs)} but {rng.choice(vocab)}")
        lines.insert(rng.randint(0, len(lines)), f"Solution: step {n} ({rng.choice(vocab)}).")
        plains.append(rng.choice(["\n", "\n\n", "\n \n"]).join(lines))
    keys = text_module.stem_keys(plains)
    assert keys == [stem_key(p) for p in plains]
    uncut = [" ".join(sorted(text_module.default_process(p).split())) for p in plains]
    assert sum(len(k) > text_module.MAX_KEY_CHARS for k in uncut) > 10  # some keys are cut


def test_stem_keys_equal_stem_key_on_the_real_style_bench(tmp_path: Path) -> None:
    real = bench_banks(tmp_path)[2]
    plains = stem_texts(sorted(load_bank(real).questions, key=lambda q: q.id))
    long_lines = [
        line for p in plains for line in p.split("\n") if len(line) >= text_module.REPEAT_CHARS
    ]
    assert len(set(long_lines)) < len(long_lines) / 1.2  # the cache is used: lines repeat
    assert text_module.stem_keys(plains) == [stem_key(p) for p in plains]
