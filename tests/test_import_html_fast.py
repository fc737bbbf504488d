"""The import's fast paths give exactly what the general HTML → markdown converter gives.

``html_to_markdown`` takes shortcuts for the shapes Moodle writes most (no markup; one
paragraph of text; paragraphs with bold, italic and code). Each shortcut must be invisible:
here every one is compared with :class:`qbank.markup.from_html._Converter` (the general
converter, no shortcut) on random fragments built from the tokens the shortcuts handle plus
their near misses, on every text of the import benchmark's file and on every text of the
real Moodle XML files in tests/fixtures.

The first shortcut, ``_clean_blocks`` (paragraphs and lists of text that needs no
escaping, with bold, italic, code, maths and line breaks), is compared with ``_general`` —
everything ``html_to_markdown`` did before it, the older shortcuts included — on random
and hypothesis-generated fragments with every markdown special, entity and kind of space,
on the benchmark's texts and on every text the importers convert from the real Moodle XML
and GIFT files in tests/fixtures.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import random
import re
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from qbank.markup.from_html import (
    _OTHER_SPACE,
    _PLAIN_PARAGRAPH,
    Converted,
    _clean_blocks,
    _converted_text,
    _Converter,
    _general,
    _inline_paragraphs,
    clean_markdown,
    html_to_markdown,
)

ROOT = Path(__file__).resolve().parent.parent
REAL = sorted((ROOT / "tests" / "fixtures" / "real" / "amc2moodle").glob("*.xml"))
GIFT = sorted((ROOT / "tests" / "fixtures" / "real").glob("*/*.gift"))

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
    source = "<p>" + "word " * 40_000 + "<u>x</u></p>"
    start = time.process_time()
    assert _inline_paragraphs(source) is None
    assert time.process_time() - start < 0.5


# -- the clean-shape path (`_clean_blocks`) ----------------------------------------------------
#
# ``html_to_markdown`` tries ``_clean_blocks`` before everything else it did before
# (``_general``: the one-paragraph shortcut, ``_inline_paragraphs``, the converter), so it
# is compared with ``_general`` itself, shortcuts included: the import's output is what
# ``_general`` gave for every text.

#: pieces of the clean shape (each alone or together is taken by the path)
CLEAN = [
    "a", "word", "Option 3", "Ωmega é", " ", "x.", "3", "(y)", "'q'", '"q"', "?", ":", ",",
    "%", "/", "x-y", "a+b", "a=b", "#1", "x#", "12", "1,5", "\\( x^2 + y \\)", "\\[a_b\\]",
    "\\( $$ * \\)", "\\( a \\\\) b", "\\( \\( \\)", "\\( [ \\] \\)", "&nbsp;", "\u200b", "中文",
]  # fmt: skip
CLEAN_TAGS = [
    "<p>", "</p>", "<b>", "</b>", "<strong>", "</strong>", "<i>", "</i>", "<em>", "</em>",
    '<p dir="ltr" style="text-align: left;">', "<p class='a b'>", "<p\tid=x>",
    "<code>f(1)</code>", "<code>a * b_c</code>", "<code> x </code>", "<code>\\</code>",
    "<ul>", "</ul>", "<ol>", "</ol>", "<li>", "</li>", "<br>", "<br/>", "<br />", "\n", "  ",
    "\t",
]  # fmt: skip
#: near misses: each must be left to ``_general`` or give exactly what it gives
CLEAN_NEAR = [
    *TEXT, *TAGS, *NEAR, "&nbsp", "&nbsp;&nbsp;", "&amp;nbsp;", "\x1c", "\x85", "\u2028",
    "\\(", "\\( x", "$", "$$", "1.", "1)", "- ", "+ ", "> ", "#", "=", "==", "-",
    "<li >", "<lis>", "<ulx>", "<OL>", "<p title='x>", '<p title="<">', "<code>a`b</code>",
    "</br>", "<br  />", "<BR>", "<br/ >",
]  # fmt: skip


def _clean_check(source: str, breaks: bool) -> bool:
    """``_clean_blocks`` is None or gives what ``_general`` gives; True if it was taken."""
    fast = _clean_blocks(source, breaks)
    if fast is None:
        return False
    expected = _general(source, None, breaks)
    assert (fast, (), False) == (expected.text, expected.dropped, expected.raw_html), (
        source,
        breaks,
    )
    assert html_to_markdown(source, breaks=breaks) == expected
    return True


def _clean_fragment(rng: random.Random, near: bool) -> str:
    pools = [CLEAN, CLEAN, CLEAN_TAGS] + ([CLEAN_NEAR] if near else [])
    return "".join(rng.choice(rng.choice(pools)) for _ in range(rng.randint(0, 24)))


@pytest.mark.parametrize("near", [False, True])
def test_clean_path_on_random_fragments(near: bool) -> None:
    rng = random.Random(150 + near)
    n = int(os.environ.get("QBANK_PROPERTY_EXAMPLES", "4000")) * 5
    taken = sum(_clean_check(_clean_fragment(rng, near), rng.random() < 0.3) for _ in range(n))
    assert taken > n // (10 if near else 4)  # the path is really taken


@settings(max_examples=1500, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(CLEAN + CLEAN_TAGS + CLEAN_NEAR), max_size=30),
    breaks=st.booleans(),
)
def test_clean_path_property(pieces: list[str], breaks: bool) -> None:
    _clean_check("".join(pieces), breaks)


@settings(max_examples=1500, deadline=None)
@given(
    text=st.text(st.sampled_from("ab *_`[]#+-.!<>&\\|$(){}~=1 \n\t\u00a0é/;\"'"), max_size=12),
    tags=st.lists(st.sampled_from(CLEAN_TAGS), max_size=6),
    breaks=st.booleans(),
)
def test_clean_path_with_any_characters(text: str, tags: list[str], breaks: bool) -> None:
    """Every markdown special and HTML character in text between the shape's tags."""
    source = "".join(tag + text[i::3] for i, tag in enumerate(tags)) + text
    _clean_check(source, breaks)


def _gift_texts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the GIFT importer hands to ``html_to_markdown`` for the real GIFT files."""
    import qbank.importers.gift as gift

    seen: list[str] = []

    def record(source: str, **kw: object) -> object:
        seen.append(source)
        return html_to_markdown(source, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(gift, "html_to_markdown", record)
    for path in GIFT:
        gift.import_gift(path.read_bytes(), path.name)
    return seen


def test_clean_path_on_real_and_bench_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _texts(_bench_file())
    for path in REAL:
        texts += _texts(path.read_bytes())
    gift_texts = _gift_texts(monkeypatch)
    assert len(GIFT) == 33 and sum("<" in t for t in gift_texts) >= 5
    texts += [(t, False) for t in gift_texts]
    taken = 0
    for source, auto in texts:
        for breaks in {auto, False}:
            taken += _clean_check(source, breaks)
    assert taken > len(texts) // 2  # most of the bench's texts


def test_other_spaces_are_every_space_but_the_space() -> None:
    listed = set(re.findall(f"[{_OTHER_SPACE}]", "".join(map(chr, range(0x110000)))))
    assert listed == {chr(c) for c in range(0x110000) if chr(c).isspace()} - {" "}


def test_converted_text_is_converted() -> None:
    fast, slow = _converted_text("a *b*"), Converted("a *b*")
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    assert (fast.text, fast.dropped, fast.raw_html) == ("a *b*", (), False)
    assert dataclasses.asdict(fast) == dataclasses.asdict(slow)
    assert dataclasses.replace(fast, raw_html=True) == Converted("a *b*", (), True)
    assert pickle.loads(pickle.dumps(fast)) == slow
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.text = "x"  # type: ignore[misc]


def test_clean_shape_check_is_linear() -> None:
    for source in (
        "<p>" + "word " * 40_000 + "<u>x</u></p>",
        "<p>" + "\\( x " * 20_000 + "</p>",
        "<p>" + "<code> x" * 20_000 + "</p>",
    ):
        start = time.process_time()
        assert _clean_blocks(source, False) is None
        assert time.process_time() - start < 0.5


#: characters for bare paragraphs: every markdown special, kind of space and line-start
#: marker, so that ``_PLAIN_PARAGRAPH`` is tried on near misses as often as on hits
PLAIN_CHARS = "ab Z9 1.)#+->=*_`[]!|~{}\\$&<;\t\n\u00a0\u2003\u200bé"


def _plain_check(source: str, breaks: bool) -> bool:
    """The bare-paragraph shortcut in ``_clean_blocks`` gives what ``_general`` gives (and
    ``clean_markdown`` what ``html_to_markdown`` gives); True if the shortcut was taken."""
    taken = _PLAIN_PARAGRAPH.fullmatch(source) is not None and "  " not in source
    _clean_check(source, breaks)
    if taken:
        assert _clean_blocks(source, breaks) is not None, source
    return taken


def test_plain_paragraph_shortcut_on_random_paragraphs() -> None:
    rng = random.Random(1515)
    n = int(os.environ.get("QBANK_PROPERTY_EXAMPLES", "4000")) * 5
    taken = 0
    for _ in range(n):
        inner = "".join(rng.choice(PLAIN_CHARS) for _ in range(rng.randint(0, 12)))
        source = rng.choice(["<p>{}</p>", "<p>{}</p>", " <p>{}</p> ", "<p>{}<br></p>"])
        taken += _plain_check(source.format(inner), rng.random() < 0.3)
    assert taken > n // 20  # the shortcut is really taken


@settings(max_examples=1500, deadline=None)
@given(text=st.text(max_size=20), breaks=st.booleans())
def test_plain_paragraph_shortcut_with_any_characters(text: str, breaks: bool) -> None:
    _plain_check(f"<p>{text}</p>", breaks)


def test_clean_markdown_is_html_to_markdown_text() -> None:
    """What the Moodle importer relies on: for a source with ``<``, a ``str`` from
    ``clean_markdown`` is the ``text`` of ``html_to_markdown``, which drops nothing."""
    rng = random.Random(1516)
    n = int(os.environ.get("QBANK_PROPERTY_EXAMPLES", "4000"))
    taken = 0
    for _ in range(n):
        source = "<p>" + _clean_fragment(rng, rng.random() < 0.5)
        breaks = rng.random() < 0.3
        fast = clean_markdown(source, breaks)
        if fast is not None:
            taken += 1
            assert html_to_markdown(source, breaks=breaks) == Converted(fast), source
    assert taken > n // 10
