"""The fast paths of ``qbank validate`` (issue 12) give what the plain definitions give.

Each fast path is compared with the definition it replaces, written out here as the
reference: on generated texts with the characters that decide the outcome (every kind of
whitespace, sentence marks, the words the patterns look for), and on every text of the
real-length benchmark bank (``bench/realtext_synth.py``).
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest

from qbank.validate.rules import style

ROOT = Path(__file__).resolve().parents[1]

#: the pieces generated texts are made of: words, the words the rules look for in any case,
#: sentence marks, and whitespace of every kind (`\s` of `re` and `str.isspace` agree)
PIECES = [
    "a",
    "Which",
    "option",
    "not",
    "NOT",
    "nOt",
    "except",
    "**not**",
    "_except_",
    "notable",
    "cannot",
    "above",
    "e.g.",
    "3.5",
    ".",
    "?",
    "!",
    "?!",
    "...",
    "?.",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\t",
    "\x0b",
    "\x1c",
    "\x85",
    "\xa0",
    "\u2028",
    "\u3000",
    "é",
    "K",  # KELVIN SIGN: matches k under IGNORECASE
]


def question_sentence_reference(text: str) -> tuple[int, str]:
    """The definition: split into sentences, take the last one ending in `?`, else the last."""
    starts = [0] + [m.end() for m in style._SENTENCE_END.finditer(text)]
    sentences = [
        (s, text[s:e].strip()) for s, e in zip(starts, [*starts[1:], len(text)], strict=True)
    ]
    asking = [s for s in sentences if s[1].endswith("?")]
    return (asking or sentences)[-1]


def generated_texts(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    texts = ["", " ", "?", " ?", "? ", "a? b", "a ?b", "a. b? c", "\n a. b ", "a.\u2028b?"]
    for _ in range(n):
        texts.append("".join(rng.choice(PIECES) for _ in range(rng.randint(1, 24))))
    return texts


@pytest.fixture(scope="module")
def bench_texts(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Every question text of a 300-question real-length bank (seed 0), and every option."""
    sys.path.insert(0, str(ROOT / "bench"))
    import realtext_synth
    from qbank.load import load_bank

    root = tmp_path_factory.mktemp("real")
    bank = load_bank(realtext_synth.write_bank(root, 300, 6, seed=0))
    texts = [q.text for q in bank.questions]
    texts += [o.text for q in bank.questions for o in getattr(q, "options", [])]
    assert len(bank.questions) == 300
    return texts


def test_whitespace_of_re_is_str_isspace() -> None:
    """The reversed-text patterns use `\\s`/`\\S`; the sentence code uses `str.isspace` and
    `strip`: the same characters, over all of Unicode."""
    space = re.compile(r"\s")
    odd = [c for c in range(sys.maxunicode + 1) if bool(space.match(chr(c))) != chr(c).isspace()]
    assert odd == []


def test_question_sentence_on_generated_texts() -> None:
    for text in generated_texts(20_000):
        assert style._question_sentence(text) == question_sentence_reference(text), repr(text)


def test_question_sentence_and_word_gate_on_bench_texts(bench_texts: list[str]) -> None:
    for text in bench_texts:
        assert style._question_sentence(text) == question_sentence_reference(text)
        for k in (1, 5, style.STEM_MAX_WORDS):
            assert len(text.split(None, k)) == min(len(text.split()), k + 1)


def test_question_sentence_is_linear_on_marks_without_breaks() -> None:
    """Hostile text: 200,000 sentence marks and no break: one search each way, not one per
    mark."""
    import time

    text = "a." * 200_000 + "b"
    start = time.perf_counter()
    assert style._question_sentence(text) == (0, text)
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("k", [0, 1, 2, 3, 100])
def test_split_with_maxsplit_counts_words_up_to_the_limit(k: int) -> None:
    """``len(text.split(None, k)) == min(words, k + 1)``: QB407's gate."""
    for text in generated_texts(3_000, seed=k):
        assert len(text.split(None, k)) == min(len(text.split()), k + 1), repr(text)


def _negative_reference(text: str) -> tuple[int, str] | None:
    """QB404's definition: the whole text holds a NOT/EXCEPT, then the first lower-case one
    of the asking sentence (offset in the text, word)."""
    if not style._NEGATIVE.search(text):
        return None
    offset, sentence = question_sentence_reference(text)
    for m in style._NEGATIVE.finditer(sentence):
        word = m.group(0)
        before = sentence[m.start() - 1 : m.start()]
        after = sentence[m.end() : m.end() + 1]
        if word.isupper() or (before in "*_" and before and after == before):
            continue
        return offset + m.start(), word
    return None


def test_negative_stem_searches_only_the_asking_sentence() -> None:
    from qbank.load import load_text

    texts = [t for t in generated_texts(3_000, seed=7) if t.strip()]
    for text in texts[:600]:
        yaml_text = (
            "id: q\ntype: single\ntext: " + _yaml_quote(text) + "\noptions:\n"
            "  - text: a\n    correct: true\n  - b\n"
        )
        (q,), _ = load_text(yaml_text)
        assert q.text == text
        found = style._negative_stem(q)
        expected = _negative_reference(text)
        assert (found is None) == (expected is None), repr(text)
        if found is not None and expected is not None:
            assert f"`{expected[1]}`" in found.message


def _yaml_quote(text: str) -> str:
    import json

    return json.dumps(text)


# -- the JSON report's bytes -------------------------------------------------------------------


@pytest.mark.parametrize("data", [{}, {"score": 91, "words": ["a", "b"]}, {"nan": float("nan")}])
def test_render_bytes_is_what_the_text_writes(data: dict[str, object]) -> None:
    """``render_bytes`` gives what ``atomic_write_text(render(ctx))`` wrote: orjson's bytes,
    the standard library's fallback (a NaN), and a file name with an undecodable byte."""
    from qbank.diagnostics import Location, Problem, Severity
    from qbank.fsutil import printable
    from qbank.load import Bank
    from qbank.validate.reporters import ReportContext
    from qbank.validate.reporters.json_format import render, render_bytes

    bank = Bank(root=Path("bank"), manifest=None, questions=[], quizzes={}, files={}, problems=[])
    problems = [
        Problem("QB401", Severity.WARNING, "no explanation", Location("a.yaml", 2, 3), data=data),
        Problem("QB005", Severity.ERROR, "odd", Location("b\udcff.yaml"), fingerprint="QB005:b"),
    ]
    for chosen in (problems[:1], problems):
        ctx = ReportContext(chosen, bank, checked=0)
        assert render_bytes(ctx) == printable(render(ctx)).encode("utf-8")


def test_report_order_is_rank_then_sort_key() -> None:
    from qbank.diagnostics import Location, Problem, Related, Severity
    from qbank.validate.engine import report_order

    problems = [
        Problem(rule, severity, message, Location(file, line, col))
        for rule in ("QB201", "QB401")
        for severity in Severity
        for message in ("a", "b")
        for file, line, col in (("a.yaml", 1, 1), ("a.yaml", 10, 2), ("b.yaml", 2, 1))
    ]
    problems.append(
        Problem(
            "QB301", Severity.ERROR, "x", Location("a.yaml"), related=(Related(Location("c"), "y"),)
        )
    )
    for p in problems:
        assert report_order(p) == (p.severity.rank, *p.sort_key)


@pytest.mark.parametrize("enabled", [True, False])
def test_validate_leaves_the_collector_as_it_found_it(enabled: bool, tmp_path: Path) -> None:
    """``qbank validate`` runs with the cyclic collector off and restores it afterwards."""
    import contextlib
    import gc

    from qbank.cli import main

    seen: list[bool] = []
    try:
        if not enabled:
            gc.disable()
        with contextlib.suppress(SystemExit):
            main.main(
                args=["validate", str(ROOT / "bank"), "-f", "json", "-o", str(tmp_path / "r")],
                standalone_mode=False,
            )
        seen.append(gc.isenabled())
    finally:
        gc.enable()
    assert seen == [enabled]
    assert b'"format_version": 1' in (tmp_path / "r").read_bytes()


def test_jsonable_fast_paths_agree_with_the_general_cases() -> None:
    from decimal import Decimal

    from qbank.diagnostics import Location
    from qbank.validate.reporters.json_format import _AS_IS, jsonable

    for value in ["a", 1, True, None]:
        assert type(value) in _AS_IS and jsonable(value) is value
    for value in [0.5, -0.0, float("nan"), float("inf"), float("-inf"), 1e308]:
        expected = value if value == value and abs(value) != float("inf") else None
        assert jsonable(value) == expected or (expected is None and jsonable(value) is None)
    nested = {
        "s": "x",
        1: 2,
        "f": 0.25,
        "n": None,
        "b": False,
        "l": [1, "a", (2, 3)],
        "d": {"x": {1, 2}},
        "dec": Decimal("1.5"),
        "loc": Location("a.yaml", 3, 4),
    }
    assert jsonable(nested) == {
        "s": "x",
        "1": 2,
        "f": 0.25,
        "n": None,
        "b": False,
        "l": [1, "a", [2, 3]],
        "d": {"x": [1, 2]},
        "dec": "1.5",
        "loc": {"path": "a.yaml", "line": 3, "column": 4},
    }


def test_nearest_file_with_the_run_s_listings_is_the_same(tmp_path: Path) -> None:
    """QB501's "did you mean" with the folder listings kept for the run, as without."""
    from qbank.validate.rules.media import _nearest_file

    (tmp_path / "media").mkdir()
    for name in ("diagram.png", "nat-gateway.svg", "other.txt"):
        (tmp_path / "media" / name).write_bytes(b"x")
    (tmp_path / "media" / "folder.png").mkdir()
    asked = [
        "media/diagram.jpg",
        "media/nat-gateway.png",
        "media/zzz.png",
        "media/folder.pn",
        "missing/diagram.png",
        "diagram.png",
    ]
    listings: dict[Path, tuple[list[str], Path] | None] = {}
    for _ in range(2):
        for rel in asked:
            path = tmp_path.resolve() / rel
            assert _nearest_file(path, tmp_path, listings) == _nearest_file(path, tmp_path)
    assert _nearest_file(tmp_path.resolve() / "media/diagram.jpg", tmp_path) == "media/diagram.png"


def test_plain_choice_is_every_field_plain() -> None:
    """QB5 skips a choice question when ``_plain_choice``: exactly when every field of
    ``markup_fields`` is ``_plain`` (which the per-field loop skips anyway)."""
    import itertools
    import json

    from qbank.load import load_text
    from qbank.validate.rules.media import _plain, _plain_choice, markup_fields

    samples = ["plain", "a [b]", "x & y", "\\(x\\)", "<b>", "1. one", "a\n2) two", "![i](m.png)"]
    for text, option, feedback, explanation in itertools.product(samples, repeat=4):
        yaml_text = (
            f"id: q\ntype: single\ntext: {json.dumps(text)}\n"
            f"explanation: {json.dumps(explanation)}\noptions:\n"
            f"  - text: {json.dumps(option)}\n    correct: true\n"
            f"    feedback: {json.dumps(feedback)}\n  - other\n"
        )
        (q,), _ = load_text(yaml_text)
        expected = all(_plain(t, inline) for _, t, inline in markup_fields(q))
        assert _plain_choice(q) == expected, (text, option, feedback, explanation)
