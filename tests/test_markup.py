"""Tests for qbank.markup: one parse, safe HTML, plain text, Word blocks, media, cloze."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qbank.markup import (
    Blank,
    CodeBlock,
    Image,
    ListItem,
    MediaOutsideBank,
    MediaRef,
    Paragraph,
    Run,
    find_blanks,
    parse,
    replace_blanks,
    resolve_media,
    to_html,
    to_text,
)

# --------------------------------------------------------------------------------------
# Escaping: author text never becomes markup
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        ("<b>bold?</b>", "<p>&lt;b&gt;bold?&lt;/b&gt;</p>"),
        ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>"),
        ("a & b", "<p>a &amp; b</p>"),
        ("&lt;script&gt;", "<p>&lt;script&gt;</p>"),
        ('say "hi"', "<p>say &quot;hi&quot;</p>"),
        ("<!-- hidden -->", "<p>&lt;!-- hidden --&gt;</p>"),
    ],
)
def test_html_in_source_is_shown_as_text(source: str, expected: str) -> None:
    out = to_html(source)
    assert out == expected
    assert "<script" not in out
    assert "<img" not in out


def test_html_block_is_escaped_line_by_line() -> None:
    out = to_html("<div>\n<script>alert(1)</script>\n</div>")
    assert "<div" not in out
    assert "<script" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out


@pytest.mark.parametrize(
    "source",
    [
        "[click](javascript:alert(1))",
        "[click](JavaScript:alert(1))",
        "[click](<javascript:alert(1)>)",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html,<script>alert(1)</script>)",
        "[click](file:///etc/passwd)",
        "[click](relative/page.html)",
        "[click][ref]\n\n[ref]: javascript:alert(1)",
    ],
)
def test_unsafe_or_relative_links_keep_only_their_label(source: str) -> None:
    out = to_html(source)
    assert "<a" not in out
    assert "href" not in out
    assert "click" in out
    assert to_text(source) == "click"


def test_javascript_autolink_is_plain_text() -> None:
    out = to_html("<javascript:alert(1)>")
    assert "<a" not in out
    assert out == "<p>javascript:alert(1)</p>"


@pytest.mark.parametrize(
    ("source", "href"),
    [
        ("[docs](https://docs.aws.amazon.com/vpc/)", "https://docs.aws.amazon.com/vpc/"),
        ("[site](http://example.com)", "http://example.com"),
        ("[mail](mailto:exam@example.com)", "mailto:exam@example.com"),
        ("<https://example.com/a?b=1&c=2>", "https://example.com/a?b=1&amp;c=2"),
    ],
)
def test_allowed_links_get_rel_noopener(source: str, href: str) -> None:
    out = to_html(source)
    assert f'<a href="{href}"' in out
    assert 'rel="noopener noreferrer"' in out
    assert out.count("<a ") == out.count("</a>") == 1


def test_link_title_is_escaped() -> None:
    out = to_html('[x](https://e.com "a \\" onclick=\\"b")')
    assert 'title="a &quot; onclick=&quot;b"' in out
    assert " onclick=" not in out.replace("&quot; onclick=&quot;", "")


def test_image_alt_and_title_are_escaped() -> None:
    out = to_html('![x" onerror="alert(1)](a.png "t\\" onload=\\"y")')
    assert out == (
        '<p><img src="a.png" alt="x&quot; onerror=&quot;alert(1)" '
        'title="t&quot; onload=&quot;y" /></p>'
    )


@pytest.mark.parametrize(
    "source",
    ["![pic](javascript:alert(1))", "![pic](data:text/html,x)", "![pic](vbscript:x)"],
)
def test_unsafe_image_source_renders_alt_text(source: str) -> None:
    out = to_html(source)
    assert "<img" not in out
    assert out == "<p>pic</p>"


def test_data_uri_image_is_allowed() -> None:
    out = to_html("![dot](data:image/png;base64,iVBORw0KGgo=)")
    assert out.startswith('<p><img src="data:image/png;base64,iVBORw0KGgo="')


# --------------------------------------------------------------------------------------
# Code: List<int> must survive (Anki would otherwise eat <int> as a tag)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "html", "text"),
    [
        (
            "Use `List<int>` here",
            "<p>Use <code>List&lt;int&gt;</code> here</p>",
            "Use List<int> here",
        ),
        ("Use List<int> here", "<p>Use List&lt;int&gt; here</p>", "Use List<int> here"),
        (
            "```java\nList<int> xs = new ArrayList<>();\n```",
            '<pre><code class="language-java">List&lt;int&gt; xs = new ArrayList&lt;&gt;();\n'
            "</code></pre>",
            "List<int> xs = new ArrayList<>();",
        ),
        ("    a < b && c", "<pre><code>a &lt; b &amp;&amp; c\n</code></pre>", "a < b && c"),
    ],
)
def test_code_and_generics_survive_as_text(source: str, html: str, text: str) -> None:
    assert to_html(source) == html
    assert to_text(source) == text


def test_code_fence_language_is_escaped() -> None:
    out = to_html('```"><script>\nx\n```')
    assert "<script" not in out


# --------------------------------------------------------------------------------------
# Maths
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("\\(a < b\\)", '<span class="math">\\(a &lt; b\\)</span>'),
        ("\\(a > b & c\\)", '<span class="math">\\(a &gt; b &amp; c\\)</span>'),
        ("\\(x_1 * y_2 * z\\)", '<span class="math">\\(x_1 * y_2 * z\\)</span>'),
        ("\\(\\{x\\}\\)", '<span class="math">\\(\\{x\\}\\)</span>'),
        ("\\(a \\\\ b\\)", '<span class="math">\\(a \\\\ b\\)</span>'),
        ("\\([a](b)\\)", '<span class="math">\\([a](b)\\)</span>'),
        ("\\[x^2\\] inline", '<span class="math">\\[x^2\\]</span> inline'),
        ("\\(`x`\\)", '<span class="math">\\(`x`\\)</span>'),
    ],
)
def test_inline_maths_passes_through_escaped(source: str, html: str) -> None:
    assert to_html(source, inline=True) == html
    # plain text keeps the maths verbatim, delimiters included
    assert to_text(source).startswith(source.split(" inline")[0])


def test_maths_delimiters_are_not_eaten_by_backslash_escapes() -> None:
    source = "If \\(x = 2\\) then \\(x^2 = 4\\)."
    html = to_html(source)
    assert "\\(x = 2\\)" in html
    assert "\\(x^2 = 4\\)" in html
    assert to_text(source) == source


def test_display_maths_block_is_not_parsed_as_markdown() -> None:
    source = "\\[\n- a\n\n1. b\n    c < d\n\\]\n\nafter"
    out = to_html(source)
    assert out == '<div class="math">\\[\n- a\n\n1. b\n    c &lt; d\n\\]</div>\n<p>after</p>'
    assert "<ul>" not in out
    assert "<ol>" not in out
    assert to_text(source) == "\\[\n- a\n\n1. b\n    c < d\n\\]\n\nafter"


def test_display_maths_in_blockquote_and_list() -> None:
    assert to_html("> \\[\n> a\n> \\]") == (
        '<blockquote>\n<div class="math">\\[\na\n\\]</div>\n</blockquote>'
    )
    out = to_html("- item\n\n  \\[\n  a<b\n  \\]")
    assert '<div class="math">\\[\na&lt;b\n\\]</div>' in out


def test_escaped_backslash_is_not_maths() -> None:
    m = parse("a \\\\(b) c")
    assert not m.has_math()
    assert m.to_html() == "<p>a \\(b) c</p>"


def test_ordinary_escapes_still_work() -> None:
    assert to_text("\\*not emphasis\\* \\# \\_") == "*not emphasis* # _"


@pytest.mark.parametrize(
    ("source", "has_math", "problems"),
    [
        ("no maths here", False, []),
        ("\\(x\\)", True, []),
        ("\\[x\\]", True, []),
        ("\\[\nx\n\\]", True, []),
        ("lone \\( opener", False, ["\\( without \\)"]),
        ("lone \\) closer", False, ["\\) without \\("]),
        ("lone \\[ opener", False, ["\\[ without \\]"]),
        ("lone \\] closer", False, ["\\] without \\["]),
        ("mixed \\( a \\]", False, ["\\( without \\)", "\\] without \\["]),
        ("\\(x\\) and \\(y", True, ["\\( without \\)"]),
        ("\\( a \\( b \\)", True, ["\\( inside \\( … \\)"]),
        ("`\\(` is code", False, []),
        ("```\n\\(\n```", False, []),
    ],
)
def test_has_math_and_unbalanced_math(source: str, has_math: bool, problems: list[str]) -> None:
    m = parse(source)
    assert m.has_math() is has_math
    assert m.unbalanced_math() == problems


def test_stray_delimiter_is_kept_visible() -> None:
    assert to_html("a \\( b") == "<p>a \\( b</p>"
    assert to_text("a \\( b") == "a \\( b"


# --------------------------------------------------------------------------------------
# Plain text
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("Which *one*   is **right**?", "Which one is right?"),
        ("line one\nline two", "line one line two"),
        ("hard  \nbreak", "hard\nbreak"),
        ("para one\n\npara two", "para one\n\npara two"),
        ("- alpha\n- beta\n  - nested", "alpha\nbeta\nnested"),
        ("1. first\n2. second", "1. first\n2. second"),  # the numbers are content
        ("3) third\n4)", "3) third\n4)"),
        ("Intro:\n\n- a\n- b\n\nOutro", "Intro:\n\na\nb\n\nOutro"),
        ("Run `aws s3 ls`", "Run aws s3 ls"),
        ("![A NAT *gateway*](media/nat.png)", "A NAT gateway"),
        ("See ![diagram](d.png) below", "See diagram below"),
        ("[the docs](https://example.com)", "the docs"),
        ("# Heading\n\ntext", "Heading\n\ntext"),
        ("> quoted\n> text", "quoted text"),
        ("~~wrong~~ right", "wrong right"),
        ("a\n\n---\n\nb", "a\n\nb"),
        ("| h1 | h2 |\n|---|---|\n| a | b |", "h1\th2\na\tb"),
        ("&amp; &copy;", "& ©"),
        ("  padded  ", "padded"),
        ("", ""),
    ],
)
def test_to_text(source: str, text: str) -> None:
    assert to_text(source) == text


def test_to_text_keeps_maths_whitespace_verbatim() -> None:
    assert to_text("x \\(a  +\n b\\) y") == "x \\(a  +\n b\\) y"


# --------------------------------------------------------------------------------------
# HTML shape
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "inline_html"),
    [
        ("Security groups", "Security groups"),
        ("*NAT* gateway", "<em>NAT</em> gateway"),
        # a short field is inline text: no paragraphs or lists, every character kept
        ("a\n\nb", "a\n\nb"),
        ("- a\n- b", "- a\n- b"),
        ("4.", "4."),
        ("", ""),
    ],
)
def test_inline_is_inline_text(source: str, inline_html: str) -> None:
    assert to_html(source, inline=True) == inline_html


@pytest.mark.parametrize(
    ("source", "inline_html"),
    [
        ("Security groups", "Security groups"),
        ("a\n\nb", "<p>a</p>\n<p>b</p>"),
        ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
    ],
)
def test_block_parse_rendered_inline_strips_single_paragraph_only(
    source: str, inline_html: str
) -> None:
    assert parse(source).to_html(inline=True) == inline_html


def test_block_html() -> None:
    assert to_html("Hello *world*") == "<p>Hello <em>world</em></p>"
    assert to_html("~~x~~") == "<p><s>x</s></p>"


def test_media_callback_rewrites_src(tmp_path: Path) -> None:
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "x.png").write_bytes(b"png")
    seen: list[MediaRef] = []

    def rename(ref: MediaRef) -> str:
        seen.append(ref)
        return "qbank-0123.png"

    out = to_html("![X](media/x.png)", media=rename, root=tmp_path)
    assert out == '<p><img src="qbank-0123.png" alt="X" /></p>'
    assert seen == [MediaRef("media/x.png", "X", (tmp_path / "media/x.png").resolve(), 0)]
    # the cached default rendering is unaffected
    assert to_html("![X](media/x.png)") == '<p><img src="media/x.png" alt="X" /></p>'


def test_media_callback_output_is_escaped_and_checked() -> None:
    assert to_html("![X](a.png)", media=lambda r: 'a"b.png') == (
        '<p><img src="a&quot;b.png" alt="X" /></p>'
    )
    assert to_html("![X](a.png)", media=lambda r: "javascript:alert(1)") == "<p>X</p>"


# --------------------------------------------------------------------------------------
# Media
# --------------------------------------------------------------------------------------


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    root = tmp_path / "bank"
    (root / "media").mkdir(parents=True)
    (root / "media" / "nat.png").write_bytes(b"png")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(b"secret")
    (tmp_path / "x.png").write_bytes(b"x")
    (root / "media" / "escape.png").symlink_to(outside / "secret.png")
    (root / "media" / "alias.png").symlink_to(root / "media" / "nat.png")
    (root / "linkdir").symlink_to(outside, target_is_directory=True)
    return root


@pytest.mark.parametrize(
    ("src", "inside"),
    [
        ("media/nat.png", "media/nat.png"),
        ("./media/nat.png", "media/nat.png"),
        ("media/../media/nat.png", "media/nat.png"),
        ("media/alias.png", "media/nat.png"),
        ("media/missing.png", "media/missing.png"),
        ("../x.png", None),
        ("media/../../x.png", None),
        ("/etc/passwd", None),
        ("media/escape.png", None),
        ("linkdir/secret.png", None),
        ("https://example.com/x.png", None),
        ("http://example.com/x.png", None),
        ("//example.com/x.png", None),
        ("data:image/png;base64,AAAA", None),
        ("file:///etc/passwd", None),
    ],
)
def test_media_resolution(bank: Path, src: str, inside: str | None) -> None:
    [ref] = parse(f"![pic]({src})").media(bank)
    assert ref.src == src
    assert ref.alt == "pic"
    if inside is None:
        assert ref.path is None
        with pytest.raises(MediaOutsideBank):
            resolve_media(src, bank)
    else:
        expected = (bank / inside).resolve()
        assert ref.path == expected
        assert ref.path.is_relative_to(bank.resolve())
        assert resolve_media(src, bank) == expected


def test_media_src_is_decoded_and_lines_are_counted(bank: Path) -> None:
    text = "line0\n![a](media/my%20pic.png)\nline2 ![b](<media/b c.png>)\n\n![c](media/nat.png)"
    refs = parse(text).media(bank)
    assert [(r.src, r.alt, r.line_offset) for r in refs] == [
        ("media/my pic.png", "a", 1),
        ("media/b c.png", "b", 2),
        ("media/nat.png", "c", 4),
    ]
    assert refs[0].path == (bank / "media" / "my pic.png").resolve()
    assert refs[2].path == (bank / "media" / "nat.png").resolve()
    assert '<img src="media/my%20pic.png"' in to_html(text)


def test_media_in_lists_and_without_images(bank: Path) -> None:
    refs = parse("- one\n- ![two](media/nat.png)").media(bank)
    assert [(r.alt, r.line_offset) for r in refs] == [("two", 1)]
    assert parse("no images").media(bank) == []


def test_empty_image_source_is_rejected(bank: Path) -> None:
    with pytest.raises(MediaOutsideBank):
        resolve_media("", bank)


# --------------------------------------------------------------------------------------
# Raw HTML lint
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("plain", []),
        ("a < b and c > d", []),
        ("Use <b>bold</b>", ["<b>", "</b>"]),
        ("List<int>", ["<int>"]),
        ("`List<int>`", []),
        ("```\n<div>\n```", []),
        ("    <div>", []),
        ("\\(a<b>c\\)", []),
        ("<https://example.com>", []),
        ("<me@example.com>", []),
        ("<!-- note -->", ["<!-- note -->"]),
        ("<div>\nfoo\n</div>", ["<div>", "</div>"]),
        ('<img src="x" onerror="y">', ['<img src="x" onerror="y">']),
        ("&lt;b&gt;", []),
    ],
)
def test_raw_html(source: str, found: list[str]) -> None:
    m = parse(source)
    assert m.raw_html() == found
    assert "<b>" not in m.to_html() or not found  # shown as text, never as a tag


# --------------------------------------------------------------------------------------
# Word blocks
# --------------------------------------------------------------------------------------


def test_blocks_structure(bank: Path) -> None:
    source = (
        "# Title\n\n"
        "Some **bold** *it* `code` \\(x<1\\) [link](https://e.com) and [bad](javascript:x).\n\n"
        "- one\n- *two*\n  - nested\n\n"
        "3. three\n4. four\n\n"
        "```py\nprint(1)\n```\n\n"
        "![fig](media/nat.png)\n\n"
        "icon ![i](media/nat.png) inline\n\n"
        "\\[\ny\n\\]\n\n"
        "> quoted\n\n"
        "hard  \nbreak"
    )
    nat = (bank / "media" / "nat.png").resolve()
    blocks = parse(source).blocks(bank)
    assert blocks == [
        Paragraph((Run("Title"),), heading=1),
        Paragraph(
            (
                Run("Some "),
                Run("bold", bold=True),
                Run(" "),
                Run("it", italic=True),
                Run(" "),
                Run("code", code=True),
                Run(" "),
                Run("\\(x<1\\)", math=True),
                Run(" "),
                Run("link", url="https://e.com"),
                Run(" and bad."),
            )
        ),
        ListItem((Run("one"),), ordered=False, number=None, depth=0),
        ListItem((Run("two", italic=True),), ordered=False, number=None, depth=0),
        ListItem((Run("nested"),), ordered=False, number=None, depth=1),
        ListItem((Run("three"),), ordered=True, number=3, depth=0),
        ListItem((Run("four"),), ordered=True, number=4, depth=0),
        CodeBlock("print(1)", "py"),
        Image(MediaRef("media/nat.png", "fig", nat, 15)),
        Paragraph(
            (
                Run("icon "),
                Run("i", image=MediaRef("media/nat.png", "i", nat, 17)),
                Run(" inline"),
            )
        ),
        Paragraph((Run("\\[\ny\n\\]", math=True),)),
        Paragraph((Run("quoted"),), quote=True),
        Paragraph((Run("hard"), Run("\n"), Run("break"))),
    ]


def test_blocks_without_root_and_nested_formatting() -> None:
    blocks = parse("***both*** ~~gone~~\n\n![x](a.png)").blocks()
    assert blocks == [
        Paragraph(
            (
                Run("both", bold=True, italic=True),
                Run(" "),
                Run("gone", strike=True),
            )
        ),
        Image(MediaRef("a.png", "x", None, 2)),
    ]


def test_blocks_loose_list_item_with_two_paragraphs() -> None:
    blocks = parse("1. first\n\n   more\n2. second").blocks()
    assert blocks == [
        ListItem((Run("first"), Run("\n"), Run("more")), ordered=True, number=1),
        ListItem((Run("second"),), ordered=True, number=2),
    ]


# --------------------------------------------------------------------------------------
# Cloze blanks
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "A {{NAT Gateway|NAT}} improves security.",
            [Blank(0, ("NAT Gateway", "NAT"), 2, 21)],
        ),
        (
            "{{ a }} and {{b | c |d}}",
            [Blank(0, ("a",), 0, 7), Blank(1, ("b", "c", "d"), 12, 24)],
        ),
        ("{{a||b}}", [Blank(0, ("a", "", "b"), 0, 8)]),
        ("{{}}", [Blank(0, ("",), 0, 4)]),
        ("{{a|}}", [Blank(0, ("a", ""), 0, 6)]),
        ("no blanks", []),
        ("{{unclosed", []),
        ("single {braces}", []),
        ("\\{{not a blank}}", []),
        ("\\(\\{\\{x\\}\\}\\)", []),
        ("{{a \\| b|c}}", [Blank(0, ("a \\| b", "c"), 0, 12)]),
        ("{{outer {{inner}} rest}}", [Blank(0, ("outer {{inner",), 0, 17)]),
        ("{{a}}}", [Blank(0, ("a",), 0, 5)]),
        ("x {{multi\nline}}", [Blank(0, ("multi\nline",), 2, 16)]),
        ("`{{in code}}`", [Blank(0, ("in code",), 1, 12)]),
    ],
)
def test_find_blanks(text: str, expected: list[Blank]) -> None:
    blanks = find_blanks(text)
    assert blanks == expected
    for blank in blanks:
        assert text[blank.start : blank.start + 2] == "{{"
        assert text[blank.end - 2 : blank.end] == "}}"


def test_replace_blanks() -> None:
    text = "A {{NAT Gateway|NAT}} lets {{private}} subnets out."
    assert replace_blanks(text, lambda b: "\\_\\_\\_") == "A \\_\\_\\_ lets \\_\\_\\_ subnets out."
    anki = replace_blanks(text, lambda b: f"{{{{c{b.index + 1}::{b.answers[0]}}}}}")
    assert anki == "A {{c1::NAT Gateway}} lets {{c2::private}} subnets out."
    assert replace_blanks("none", lambda b: "X") == "none"
    assert to_text(replace_blanks(text, lambda b: "\\_\\_\\_")) == "A ___ lets ___ subnets out."


def test_replace_blanks_identity_roundtrip() -> None:
    text = "x {{a|b}} y {{c}} z"
    assert replace_blanks(text, lambda b: text[b.start : b.end]) == text


# --------------------------------------------------------------------------------------
# Determinism and caching
# --------------------------------------------------------------------------------------


def test_parse_is_cached_and_deterministic() -> None:
    source = "Pick *one*: `x<y` \\(a<b\\) ![i](media/i.png)\n\n- a\n- b"
    assert parse(source) is parse(source)
    first = (to_html(source), to_text(source), parse(source).blocks())
    second = (to_html(source), to_text(source), parse(source).blocks())
    assert first == second
    assert to_html(source, inline=True) == to_html(source, inline=True)


def test_rendering_does_not_mutate_tokens() -> None:
    source = "![a *b*](x.png) [l](javascript:x)"
    m = parse(source)
    before = [t.as_dict() for t in m.tokens]
    m.to_html(media=lambda r: "y.png")
    m.to_text()
    m.blocks()
    assert [t.as_dict() for t in m.tokens] == before


# --------------------------------------------------------------------------------------
# Property: whatever the author types, the HTML holds only allow-listed markup
# --------------------------------------------------------------------------------------

_ALLOWED_TAGS = {
    "p",
    "em",
    "strong",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "br",
    "span",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "hr",
    "s",
    "del",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
_ALLOWED_ATTRS = {
    "a": {"href", "title", "rel"},
    "img": {"src", "alt", "title"},
    "span": {"class"},
    "div": {"class"},
    "code": {"class"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
_TAG_NAMES = "|".join(sorted(_ALLOWED_TAGS, key=len, reverse=True))
_TAG_START = re.compile(rf"</?({_TAG_NAMES})[\s/>]")


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS:
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            if name not in _ALLOWED_ATTRS.get(tag, set()):
                self.problems.append(f"attr {tag}.{name}")
            value = (value or "").strip().lower()
            if name == "href" and not value.startswith(("http:", "https:", "mailto:")):
                self.problems.append(f"href {value}")
            if (
                name == "src"
                and re.match(r"^[a-z][a-z0-9+.-]*:", value)
                and not value.startswith(("http:", "https:", "data:image/"))
            ):
                self.problems.append(f"src {value}")
            if name == "style" and value not in (
                "text-align:left",
                "text-align:right",
                "text-align:center",
            ):
                self.problems.append(f"style {value}")

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment")

    def handle_decl(self, decl: str) -> None:
        self.problems.append("decl")

    def handle_pi(self, data: str) -> None:
        self.problems.append("pi")


_SNIPPETS = [
    "<script>",
    "</script>",
    "<img src=x onerror=alert(1)>",
    "onerror=",
    "javascript:",
    "<javascript:alert(1)>",
    "[a](javascript:alert(1))",
    "![a](javascript:alert(1))",
    "[a](<java\tscript:x>)",
    '![x" onerror="y](p.png)',
    '[l](https://e.com "t")',
    "<https://e.com>",
    "<a href=x>",
    "</a>",
    "<!--",
    "-->",
    "<![CDATA[",
    "<?php",
    "&lt;",
    "&#60;",
    "&#x3C;script",
    "\\(",
    "\\)",
    "\\[",
    "\\]",
    "\\",
    "`",
    "```",
    "~~~",
    "\n",
    "\n\n",
    "    ",
    "*",
    "**",
    "_",
    "~~",
    "- ",
    "1. ",
    "> ",
    "# ",
    "|",
    "---",
    "| a |",
    "[",
    "]",
    "(",
    ")",
    "!",
    "<",
    ">",
    "&",
    '"',
    "'",
    "{{",
    "}}",
    "data:text/html,",
    "mailto:",
    "http://",
    "<style>",
    "<svg onload=alert(1)>",
    "<iframe",
    "x<int>",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(_SNIPPETS),
            st.text(alphabet="ab <>&\"'\\`*_[]()!:/\n|-#>~{}=", max_size=8),
        ),
        max_size=25,
    ).map("".join)
)
def test_html_output_only_contains_allowed_markup(source: str) -> None:
    m = parse(source)
    for out in (m.to_html(), m.to_html(inline=True)):
        low = out.lower()
        assert "<script" not in low
        assert "<iframe" not in low
        assert "<svg" not in low
        for match in re.finditer("<", out):
            assert _TAG_START.match(out, match.start()), (source, out[match.start() :][:40])
        checker = _Checker()
        checker.feed(out)
        checker.close()
        assert checker.problems == [], (source, out)
    # the other renderers never fail on the same input
    assert isinstance(m.to_text(), str)
    m.blocks()
    m.unbalanced_math()
    m.raw_html()


# -- the parser-free paths (qbank.markup.plain) ----------------------------------------

_PIECE_CHARS = list("aZ09 .,:?'\"()/-_é≈\t`*[]<>&!#|\\")
_piece = st.one_of(
    st.text(alphabet=st.sampled_from(list("aZ09 .,:?'\"()/-é≈+=@$%")), min_size=0, max_size=10),
    st.text(alphabet=st.sampled_from(_PIECE_CHARS), min_size=0, max_size=10),
)
_src = st.text(alphabet=st.sampled_from(list("aZ09._/- ()%:<>é")), min_size=0, max_size=10)
_paragraph = st.one_of(
    _piece,
    st.builds(lambda alt, src: f"![{alt}]({src})", _piece, _src),
    st.builds(lambda alt, src: f'![{alt}]({src} "t")', _piece, _src),
)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(_paragraph, min_size=1, max_size=4),
    st.sampled_from(["\n\n", "\n", "\n\n\n", "\n \n"]),
    st.sampled_from(["", "\n", "\n\n"]),
)
def test_simple_tokens_are_the_parsers_tokens(paras: list[str], sep: str, end: str) -> None:
    """A stem and its exhibit skip markdown-it: the tokens must be exactly its tokens."""
    from qbank.markup.parser import MD
    from qbank.markup.plain import simple_tokens

    source = sep.join(paras) + end
    fast = simple_tokens(source)
    if fast is not None:
        assert [t.as_dict() for t in fast] == [t.as_dict() for t in MD.parse(source)], source


@pytest.mark.parametrize(
    "source",
    [
        "Which service does the exhibit show?\n\n![Exhibit 3](media/exhibit-003.jpg)",
        "Which service?\n\n![Exhibit](media/a.png)\n\nPick one.\n",
        "Plain text only",
        "![Alt text 2](img/x_y.svg)",
    ],
)
def test_simple_tokens_examples(source: str) -> None:
    from qbank.markup import Markup
    from qbank.markup.parser import MD
    from qbank.markup.plain import simple_tokens
    from qbank.markup.text import plain_text

    fast = simple_tokens(source)
    assert fast is not None  # these take the fast path …
    assert [t.as_dict() for t in fast] == [t.as_dict() for t in MD.parse(source)]
    # … and the document built on them reads like the parsed text
    assert Markup(source).to_text() == plain_text(MD.parse(source))
    for text in ("See ![x](a.png) here", "![x](a b.png)", "![](a.png)", "![*x*](a.png)"):
        assert simple_tokens(text) is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZ09._/-:%é ")), max_size=14))
def test_safe_image_sources_need_no_normalizing(src: str) -> None:
    """Markup skips markdown-it's normalizeLinkText for sources it would not change."""
    from qbank.markup.document import _SAFE_SRC
    from qbank.markup.parser import MD

    if _SAFE_SRC.fullmatch(src):
        assert MD.normalizeLinkText(src) == src


def _parsed(source: str):  # type: ignore[no-untyped-def]
    """``Markup(source)`` forced through markdown-it (no simple-text path)."""
    from qbank.markup import Markup
    from qbank.markup.parser import MD

    doc = Markup(source)
    doc._simple = None
    doc._tokens = MD.parse(source)
    return doc


@settings(max_examples=400, deadline=None)
@given(
    st.lists(_paragraph, min_size=1, max_size=4),
    st.sampled_from(["\n\n", "\n"]),
    st.sampled_from(["", "\n"]),
)
def test_simple_texts_render_like_parsed_ones(paras: list[str], sep: str, end: str) -> None:
    """Simple texts are rendered without tokens: the same HTML (with and without a media
    callback, inline or not), plain text, media, maths and Word blocks as parsed ones."""
    from qbank.markup.plain import simple_paragraphs

    source = sep.join(paras) + end
    if simple_paragraphs(source) is not None:
        _assert_renders_like_parsed(source)


@pytest.mark.parametrize(
    "source",
    [
        "Which flower is it?\n\n![A  flower](images/flower.jpg)",
        "![Flower](images/flower.jpg)\n\n![Again](images/flower.jpg)\n",
        "![Outside](images/../../x.png)",
    ],
)
def test_simple_texts_with_images_render_like_parsed_ones(source: str) -> None:
    from qbank.markup.plain import simple_paragraphs

    assert simple_paragraphs(source) is not None
    _assert_renders_like_parsed(source)


def _assert_renders_like_parsed(source: str) -> None:
    from qbank.markup import Markup

    root = Path(__file__).parent / "fixtures"
    assert (root / "images/flower.jpg").is_file()
    fast, slow = Markup(source), _parsed(source)
    assert fast.to_text() == slow.to_text()
    for inline in (False, True):
        assert fast.to_html(inline=inline) == slow.to_html(inline=inline)
        for shown in ("x/", "", "javascript:x"):
            htmls, seen = [], []
            for doc in (fast, slow):
                refs: list[MediaRef] = []

                def media(ref: MediaRef, refs: list[MediaRef] = refs, shown: str = shown) -> str:
                    refs.append(ref)
                    return shown + ref.src if shown == "x/" else shown

                htmls.append(doc.to_html(media=media, inline=inline, root=root))
                seen.append(refs)
            assert htmls[0] == htmls[1]
            assert seen[0] == seen[1]
    assert fast.media(root) == slow.media(root)
    assert fast.media(None) == slow.media(None)
    assert fast.has_math() == slow.has_math()
    assert fast.unbalanced_math() == slow.unbalanced_math()
    assert fast.blocks(root) == slow.blocks(root)
    assert fast.dropped() == slow.dropped() == []
    assert [t.as_dict() for t in fast.tokens] == [t.as_dict() for t in slow.tokens]
