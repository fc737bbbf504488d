"""Every parser in markup, cloze and maths handling is linear (issue 17).

Each delimiter is repeated 100,000 times and fed to every text function the validator and
the exporters use (markdown to HTML, plain text and Word blocks, the maths and raw-HTML
checks, cloze blanks, the Word maths-to-text conversion). The time must stay within a fixed
ratio of a plain-text baseline of the same length: prose, one line per sentence (with one
emphasised word, so that the baseline goes through the parser too). Markup
tokens cost more than words, so a linear parser on delimiters measures up to about 10× the
baseline; a quadratic one at 100,000 repetitions is hundreds of times over it (before the
fix, 20,000 stray ``\\(`` took 21 s and 50,000 over 120 s). The bound is 25×.
"""

from __future__ import annotations

import functools
import gc
import time

import pytest

from qbank import markup as mk
from qbank.export.docx.math import math_text

REPEAT = 100_000
RATIO = 25.0
#: below this the timings are noise (process scheduling on a shared CI machine)
FLOOR = 1.0

DELIMITERS = [
    "\\(", "\\)", "\\[", "\\]", "\\[\n", "\\(a", "\\(\n\n", "$", "$$", "{{", "}}", "{{a|", "|",
    "\\{{", "{{c1::", "::", "*", "_", "`", "```\n", "~~", "[", "](", "![", "![](", "[sound:",
    "<", "<!--", "<?", "<![CDATA[", "<!A", "<a ", "&", "\\", "\n", "\n> ", "\n- ", "#",
    "\\frac{", "\\sqrt{", "^{", "_{", "\\text{", "\\foo",
]  # fmt: skip


def pipeline(text: str) -> None:
    """What validate and the exporters run on one author string."""
    m = mk.parse(text)
    m.to_html()
    m.to_text()
    m.blocks()
    m.unbalanced_math()
    m.raw_html()
    mk.find_blanks(text)
    mk.replace_blanks(text, lambda b: "\\_\\_\\_")
    math_text("\\(" + text + "\\)")


def timed(text: str) -> float:
    """With the cyclic GC paused: what is measured is the parsers' work, not collections
    over the heap of a long test session (which made a linear run of 20,000 ``\\(`` take
    2 s inside the full suite and 0.1 s alone)."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        pipeline(text)
        return time.perf_counter() - start
    finally:
        gc.enable()


# emphasis in each sentence: the baseline goes through the parser (plain text skips it)
PROSE = "The quick *brown* fox jumps over the lazy dog, then rests.\n"


@functools.cache
def baseline(length: int) -> float:
    return timed((PROSE * (length // len(PROSE) + 1))[:length])


@pytest.mark.slow
@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_delimiter_runs_are_linear(delimiter: str) -> None:
    text = delimiter * REPEAT
    took = timed(text)
    bound = max(RATIO * baseline(len(text)), FLOOR)
    assert took < bound, f"{REPEAT:,} × {delimiter!r}: {took:.2f} s, bound {bound:.2f} s"


def test_stray_math_openers_regression() -> None:
    """The issue's measurement, kept fast: 20,000 stray ``\\(`` took 21 s."""
    text = "\\(" * 20_000
    took = timed(text)
    assert took < max(RATIO * baseline(len(text)), FLOOR)
    assert mk.parse(text).unbalanced_math()[:1] == ["\\( without \\)"]
