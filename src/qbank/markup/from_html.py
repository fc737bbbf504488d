"""Text from other tools → qbank markdown: HTML where it is plain formatting, maths kept.

``html_to_markdown`` converts the HTML LMS editors write (Moodle's Atto/TinyMCE): paragraphs,
line breaks, bold, italic, code, preformatted blocks, lists, links and images. Tables have
no faithful markdown equivalent in qbank (cells hold lists, breaks and maths), so a table is
kept as raw HTML and reported: qbank shows raw HTML as text and ``qbank validate`` warns
about it (QB505). Presentation-only markup (spans, fonts, colours, alignment, underline) is
dropped and reported once per text. Maths (``\\( … \\)``, ``\\[ … \\]``, ``$$ … $$``) is kept
character for character.

``escape_markdown`` makes plain text safe to put into markdown: the text shows exactly as
written (``2 * 3 * 4``, ``snake_case``, ``<b>``, ``{{x}}``), never as formatting.

The tokenizer is a single regular expression rather than an HTML parser: an import of tens
of thousands of questions converts hundreds of thousands of short fragments, and parsing
each with lxml costs more than the whole XML file.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from dataclasses import dataclass

_TOKEN = re.compile(
    r"<!--.*?-->"
    r"|<(?P<close>/?)(?P<tag>[A-Za-z][A-Za-z0-9]*)(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"
    r"|(?P<text>[^<]+)"
    r"|(?P<lt><)",
    re.DOTALL,
)
_ATTR = re.compile(r"([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)")
_WS = re.compile(r"[ \t\n\r\f\v\u00a0]+")
_MATH = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]|\$\$.*?\$\$", re.DOTALL)
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "section",
        "article",
        "header",
        "footer",
        "center",
        "address",
        "figure",
        "figcaption",
        "dl",
        "dt",
        "dd",
    }
)
_STRONG = frozenset({"b", "strong"})
_EM = frozenset({"i", "em", "cite", "var", "dfn"})
_CODE = frozenset({"code", "kbd", "samp", "tt"})
_DROP_CONTENT = frozenset({"script", "style", "head", "title"})
#: presentation-only tags dropped silently (their text is kept)
_QUIET = frozenset({"span", "font", "html", "body", "abbr", "small", "big", "label", "nobr"})
_NOTED = {
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "sub": "subscript",
    "sup": "superscript",
    "mark": "highlight",
}
_LINE_START = re.compile(r"^( *)(#{1,6}(?=\s|$)|>|[-+](?=\s|$)|\d{1,9}(?=[.)](?:\s|$))|[-=]+\s*$)")


@dataclass(frozen=True)
class Converted:
    """A converted text and what did not carry over (for notes and loss reports)."""

    text: str
    #: kinds of formatting dropped (``underline``, ``superscript`` …), sorted
    dropped: tuple[str, ...] = ()
    #: the text keeps an HTML table as raw HTML (QB505 will warn)
    raw_html: bool = False


_new = object.__new__
_set = object.__setattr__


def _converted_text(text: str) -> Converted:
    """``Converted(text)`` in a third of the time: the frozen dataclass's ``__init__`` sets
    all three fields with ``object.__setattr__``; here only ``text`` is set, and
    ``dropped`` and ``raw_html`` are read from their defaults on the class (the same
    values, equal and hashed the same; ``tests/test_import_html_fast.py`` checks)."""
    converted: Converted = _new(Converted)
    _set(converted, "text", text)
    return converted


def escape_markdown(text: str) -> str:
    """Plain text → markdown that renders as exactly this text (maths is left alone)."""
    if not text:
        return text
    if "\\" not in text and "$$" not in text:  # no maths: the common case
        escaped = _escape_plain(text)
        if "\n" in escaped or escaped[:1] in "#>-+=0123456789 ":
            escaped = "\n".join(_escape_line_start(line) for line in escaped.split("\n"))
        return escaped
    out: list[str] = []
    pos = 0
    for m in _MATH.finditer(text):
        out.append(_escape_plain(text[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_escape_plain(text[pos:]))
    escaped = "".join(out)
    if "\n" in escaped or escaped[:1] in "#>-+=0123456789 ":
        escaped = "\n".join(_escape_line_start(line) for line in escaped.split("\n"))
    return escaped


_PLAIN_SPECIAL = re.compile(r"[\\*`_<&{~\]!|]")


def _escape_plain(text: str) -> str:
    if not _PLAIN_SPECIAL.search(text):
        return text
    text = text.replace("\\", "\\\\").replace("*", "\\*").replace("`", "\\`")
    text = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)
    text = re.sub(r"<(?=[A-Za-z/!?])", r"\\<", text)
    text = re.sub(r"&(?=#?[A-Za-z0-9]+;)", r"\\&", text)
    text = re.sub(r"\{(?=\{)", r"\\{", text)
    text = text.replace("~~", "\\~\\~").replace("](", "]&#40;")
    text = re.sub(r"!(?=\[)", r"\\!", text)
    return text


def _escape_line_start(line: str) -> str:
    m = _LINE_START.match(line)
    if not m:
        return line
    indent, marker = m.group(1), m.group(2)
    if len(indent) >= 4 or not marker:
        return line
    rest = line[m.end(2) :]
    if marker[0].isdigit():
        return f"{indent}{marker}\\{rest}"
    return f"{indent}\\{marker}{rest}"


_SIMPLE = re.compile(r"\s*(?:<p>)?([^<&]*?)(?:<br\s*/?>)?(?:</p>)?\s*", re.IGNORECASE)


def html_to_markdown(
    source: str,
    *,
    image: Callable[[str], str | None] | None = None,
    breaks: bool = False,
) -> Converted:
    """Convert an HTML fragment. ``image(src)`` maps an image source to a bank path (or
    None to drop the image); ``breaks`` treats newlines in text as line breaks (Moodle's
    auto-format)."""
    if "<" not in source and "&" not in source and not (breaks and "\n" in source.strip()):
        # no markup at all (a short answer, a name, most feedback): no tokenizer, no regex
        # match; the same result as the one-paragraph path below
        return Converted(escape_markdown(_WS.sub(" ", source).strip()))
    fast = _clean_blocks(source, breaks)
    if fast is not None:
        return _converted_text(fast)
    return _general(source, image, breaks)


def _general(source: str, image: Callable[[str], str | None] | None, breaks: bool) -> Converted:
    """:func:`html_to_markdown` for a source with markup that :func:`_clean_blocks` does
    not take: the one-paragraph shortcut, :func:`_inline_paragraphs`, then the converter.
    (This is ``html_to_markdown`` as it was before ``_clean_blocks``; the tests compare
    ``_clean_blocks`` with it.)"""
    simple = _SIMPLE.fullmatch(source)
    if simple is not None and not (breaks and "\n" in simple.group(1)):
        # the common case: one paragraph of text (an answer, a feedback)
        return Converted(escape_markdown(_WS.sub(" ", simple.group(1)).strip()))
    if not (breaks and ("\n" in source or "&" in source)):
        fast = _inline_paragraphs(source)
        if fast is not None:
            return fast
    if image is None or "<img" not in source.lower():
        return _cached(source, breaks)
    return _Converter(source, image, breaks).run()


#: the ``isspace()`` characters but the space (``tests/test_import_html_fast.py`` checks the
#: list): a text with any of them left after ``_WS`` is left to the converter
#: (``str.strip`` would remove those of them ``_WS`` keeps at a block's ends)
_OTHER_SPACE = "\t\n\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
#: after a tag, a text must not start with what ``_LINE_START`` might escape (a superset
#: of its markers, after at most one space)
_NO_LINE_START = r"(?! ?(?:[-#>=+]|\d+[.)]))"
_CLEAN_INLINE = (
    # text: no character ``_escape_plain`` escapes, no ``<``, ``>``, ``&``, ``$``
    rf"[^{_OTHER_SPACE}<>&\\$*`_{{~\]!|]++"
    # maths: ``\( … \)`` / ``\[ … \]`` ending at the first closer, as ``_MATH`` finds it
    rf"|\\\((?:[^{_OTHER_SPACE}<>&\\]++|\\(?!\)))*+\\\)"
    rf"|\\\[(?:[^{_OTHER_SPACE}<>&\\]++|\\(?!\]))*+\\\]"
    # emphasis: an opening tag followed by text (not a space, not a closing tag), a
    # closing tag not after a space, so that no marker has whitespace to move or vanishes
    rf"|<(?:b|strong|i|em)>(?! |</){_NO_LINE_START}"
    rf"|(?<! )</(?:b|strong|i|em)>{_NO_LINE_START}"
    # code with something in it and no backtick: its span is `inner`
    rf"|<code>(?: ?[^{_OTHER_SPACE} <>&`]++)++ ?</code>{_NO_LINE_START}"
    # a line break: the next text starts a line
    rf"|<br ?/?>{_NO_LINE_START}"
)
_CLEAN_P = r"<p(?:\s(?:[^<>\"']|\"[^\"<>]*\"|'[^'<>]*')*+)?>"
#: one paragraph (the most common shape), its content in group 1
_CLEAN_PARAGRAPH = re.compile(rf" ?{_CLEAN_P}{_NO_LINE_START}((?:{_CLEAN_INLINE})*+)</p> ?")
#: paragraphs and lists (or inline content alone)
_CLEAN_BLOCKS = re.compile(
    rf"{_NO_LINE_START}(?:{_CLEAN_INLINE}|(?:{_CLEAN_P}|</p>|</?(?:ul|ol|li)>){_NO_LINE_START})*+"
)
_CLEAN_SPLIT = re.compile(r"(<p(?:\s[^>]*)?>|</p>|</?(?:ul|ol|li)>)")
#: the commonest shape of all, ``<p>Option 1</p>``: one bare paragraph of text alone (no
#: tag, entity or escapable character in it; the text in group 1). For such a source with
#: no run of two spaces, :func:`_clean_blocks` gives group 1 stripped of spaces: the
#: ``_CLEAN_PARAGRAPH`` match with a single text token, then ``_clean_line``'s strip
_PLAIN_PARAGRAPH = re.compile(rf"<p>{_NO_LINE_START}([^{_OTHER_SPACE}<>&\\$*`_{{~\]!|]*+)</p>")


def _clean_blocks(source: str, breaks: bool) -> str | None:
    """The text of a source made only of paragraphs and lists of plain text with bold,
    italic, code, maths and line breaks, when nothing in it needs escaping or moving; None
    for anything else (then :func:`_general` converts it).

    The shape (``_CLEAN_PARAGRAPH``, ``_CLEAN_BLOCKS``; checked after collapsing
    whitespace with ``_WS``, as the converter does in every text and code token; newlines
    under Moodle's auto-format are left out) keeps out everything the converter would
    change in a text: no character ``_escape_plain`` escapes (``\\`` only to open maths
    that closes in the same text), no entity but ``&nbsp;`` (a space once collapsed), no
    ``<`` or ``>`` in text, no whitespace but the space, no text token starting with a
    line-start marker, no space just inside an emphasis tag, no empty emphasis pair and no
    blank code (so markers never move or vanish). Then each text token escapes to itself,
    each tag becomes its marker in place (``<br>`` its hard break), and what is left is
    the converter's ``flush``: strip spaces, drop breaks at a block's ends and empty
    blocks, list markers and indentation, blank lines between blocks except between list
    items. ``tests/test_import_html_fast.py`` compares it with :func:`_general` on random
    fragments of this shape and its near misses, the bench's texts and the real Moodle
    and GIFT files in tests/fixtures.
    """
    # (the bare paragraph has exactly two "<": counting them is cheaper than a failed match)
    plain = _PLAIN_PARAGRAPH.fullmatch(source) if source.count("<") == 2 else None
    if plain is not None and "  " not in source:
        # no tag inside, no character _WS would change: the one-token case below, direct
        return plain.group(1).strip(" ")
    if breaks and "\n" in source:
        return None
    text = source
    if "&" in text:
        # no-break spaces, which the editors write everywhere: a text token turns them
        # into U+00A0 and ``_WS`` into a space; any other entity is left to the converter
        text = text.replace("&nbsp;", " ")
        if "&" in text:
            return None
    if not text.isprintable() or "  " in text:
        text = _WS.sub(" ", text)
    if "<li" not in text:
        m = _CLEAN_PARAGRAPH.fullmatch(text)
        if m is not None:
            return _clean_line(m.group(1))
    if _CLEAN_BLOCKS.fullmatch(text) is None:
        return None
    blocks: list[str] = []
    in_list: list[bool] = []
    lists: list[list[object]] = []
    for i, part in enumerate(_CLEAN_SPLIT.split(text)):
        if not i & 1:  # the text between two block tags: :meth:`_Converter.flush`
            line = _clean_line(part) if part and part != " " else ""
            if line:
                if lists:
                    kind, counter = lists[-1]
                    marker = "-" if kind == "ul" else f"{counter}."
                    pad = "".join("  " if k == "ul" else "   " for k, _ in lists[:-1])
                    line = f"{pad}{marker} {line}"
                    if "\n" in line:
                        line = line.replace("\n", "\n" + pad + " " * (len(marker) + 1))
                blocks.append(line)
                in_list.append(bool(lists))
        elif part in ("<ul>", "<ol>"):
            lists.append([part[1:3], 0])
        elif part in ("</ul>", "</ol>"):
            if lists:
                lists.pop()
        elif part == "<li>" and lists:
            lists[-1][1] = int(lists[-1][1]) + 1  # type: ignore[call-overload]
    out = blocks[:1]
    for i in range(1, len(blocks)):
        out.append("\n" if in_list[i] and in_list[i - 1] else "\n\n")
        out.append(blocks[i])
    return "".join(out)


#: :func:`_clean_blocks` for callers that keep their own cache of conversions (the Moodle
#: importer): for a source containing ``<``, a ``str`` result is
#: ``html_to_markdown(source, breaks=breaks).text`` and that conversion drops nothing and
#: keeps no raw HTML; None means "call :func:`html_to_markdown`"
clean_markdown = _clean_blocks


def _clean_line(part: str) -> str:
    """One block of the clean shape: each tag to its marker, then :meth:`_Converter.flush`
    (outside lists). In this shape every ``<`` starts one of the tags, so plain replacing
    is exact."""
    if "<" not in part:
        return part.strip(" ")
    part = (
        part.replace("</", "<")
        .replace("<strong>", "**")
        .replace("<b>", "**")
        .replace("<em>", "*")
        .replace("<i>", "*")
        .replace("<code>", "`")
    )
    if "<br" not in part:
        return part.strip(" ")
    part = part.replace("<br />", "\\\n").replace("<br/>", "\\\n").replace("<br>", "\\\n")
    return _block_lines(part)


def _block_lines(text: str) -> str:
    """A block's text from its lines: each line without its outer spaces, hard breaks at the
    start or end of the block dropped (``<p>text<br></p>``), the whole stripped."""
    lines = [ln.strip(" ") for ln in text.split("\n")]
    while lines and lines[-1] in ("", "\\"):
        lines.pop()
    while lines and lines[0] in ("", "\\"):
        lines.pop(0)
    if lines and lines[-1].endswith("\\") and not lines[-1].endswith("\\\\"):
        lines[-1] = lines[-1][:-1].rstrip()
    return "\n".join(lines).strip()


#: what :func:`_inline_paragraphs` handles: text, ``<p>`` (attributes without ``<``/``>``
#: inside quotes), ``</p>``, ``<b> <strong> <i> <em>`` and their ends (no attributes), and
#: ``<code>text</code>`` with no tag inside
_FAST_TOKEN = re.compile(
    r"(?P<text>[^<]+)"
    r"|<(?P<close>/?)(?P<tag>p|b|i|em|strong)>"
    r"|(?P<popen><p\s(?:[^<>\"']|\"[^\"<>]*\"|'[^'<>]*')*>)"
    r"|<code>(?P<code>[^<]*)</code>"
)
_FAST_SHAPE = re.compile(
    r"(?:[^<]++|</?(?:p|b|i|em|strong)>|<p\s(?:[^<>\"']|\"[^\"<>]*\"|'[^'<>]*')*>"
    r"|<code>[^<]*</code>)*"
)
_MARK = {"b": "**", "strong": "**", "i": "*", "em": "*"}


def _inline_paragraphs(source: str) -> Converted | None:
    """The shapes Moodle's editors write most — paragraphs of text with bold, italic and
    code — converted without the general converter; None for anything else.

    This is :class:`_Converter` with everything these tokens cannot reach taken out: the
    same steps in the same order (``text``, ``marker``, ``code``, ``flush`` for one line,
    since no token here makes a line break), so the result is the same by construction;
    ``tests/test_import_html_fast.py`` checks it against the converter on random fragments
    of this shape, the benchmark's file and the real Moodle files in tests/fixtures. The
    caller leaves out sources where Moodle's auto-format would turn newlines into breaks.
    """
    if _FAST_SHAPE.fullmatch(source) is None:
        return None
    blocks: list[str] = []
    inline: list[str] = []
    openers: set[int] = set()
    # findall: one tuple of groups a token (text, close, tag, <p attrs>, code); exactly one
    # of text, tag and <p attrs> is non-empty, or none for code (which may be empty)
    for raw, close, tag, popen, inner in _FAST_TOKEN.findall(source):
        if raw:
            value = html.unescape(raw) if "&" in raw else raw
            if "  " in value or not value.isprintable():
                # else _WS has nothing to change: no tab, newline, no-break space (none
                # of them printable) and no run of spaces
                value = _WS.sub(" ", value)
            if not inline or inline[-1].endswith((" ", "\n")):
                value = value.lstrip(" ")
            elif (len(inline) - 1) in openers and value.startswith(" "):
                value = value.lstrip(" ")
                if len(inline) > 1 and not inline[-2].endswith((" ", "\n")):
                    inline.insert(len(inline) - 1, " ")
                openers = {i + 1 if i >= len(inline) - 2 else i for i in openers}
            inline.append(escape_markdown(value))
        elif tag and tag != "p":  # bold / italic
            mark = _MARK[tag]
            if not close:
                inline.append(mark)
                openers.add(len(inline) - 1)
                continue
            last = len(inline) - 1
            if last in openers and inline[last] == mark:
                inline.pop()
                openers.discard(last)
                continue
            trailing = ""
            if inline and inline[-1].endswith(" "):
                inline[-1] = inline[-1].rstrip(" ")
                trailing = " "
            inline.append(mark + trailing)
        elif not (tag or popen):  # <code>…</code>
            if "&" in inner:
                inner = html.unescape(inner)
            if "  " in inner or not inner.isprintable():
                inner = _WS.sub(" ", inner)
            if inner.strip():
                inline.append(code_text(inner))
        elif inline:  # <p>, </p>: the end of a block
            _flush_line(inline, blocks)
            inline = []
            openers = set()
    if inline:
        _flush_line(inline, blocks)
    return Converted("\n\n".join(blocks))


def _flush_line(inline: list[str], blocks: list[str]) -> None:
    """:meth:`_Converter.flush` outside lists for a block of one line (no ``\\n`` in it)."""
    line = "".join(inline).strip(" ")
    if line in ("", "\\"):
        return
    if line.endswith("\\") and not line.endswith("\\\\"):
        line = line[:-1].rstrip()
    body = line.strip()
    if body:
        blocks.append(body)


@functools.lru_cache(maxsize=4096)
def _cached(source: str, breaks: bool) -> Converted:
    """Banks repeat fragments (``Your answer is correct.``, shared feedback): convert once."""
    return _Converter(source, None, breaks).run()


class _Converter:
    def __init__(self, source: str, image: Callable[[str], str | None] | None, breaks: bool):
        self.source = source
        self.image = image
        self.breaks = breaks
        self.blocks: list[str] = []
        self.inline: list[str] = []
        self.dropped: set[str] = set()
        self.raw_html = False
        #: stack of ("ul"|"ol", counter)
        self.lists: list[list[object]] = []
        self.link_href: list[str | None] = []
        self.openers: set[int] = set()
        self.list_blocks: set[int] = set()

    # -- output helpers -------------------------------------------------------------------
    def flush(self) -> None:
        if not self.inline:
            return
        text = "".join(self.inline)
        self.inline = []
        self.openers = set()
        body = _block_lines(text)
        if not body:
            return
        if self.lists:
            kind, counter = self.lists[-1]
            marker = "-" if kind == "ul" else f"{counter}."
            pad = "".join("  " if k == "ul" else "   " for k, _ in self.lists[:-1])
            sub = " " * (len(marker) + 1)
            body = body.replace("\n", "\n" + pad + sub)
            self.blocks.append(f"{pad}{marker} {body}")
            self.list_blocks.add(len(self.blocks) - 1)
            return
        self.blocks.append(body)

    def text(self, raw: str, *, pre: bool = False) -> None:
        value = html.unescape(raw) if "&" in raw else raw
        if pre:
            self.inline.append(value)
            return
        if self.breaks:
            parts = [_WS.sub(" ", part) for part in value.split("\n")]
            value = "\\\n".join(parts)
        else:
            value = _WS.sub(" ", value)
        if not self.inline or self.inline[-1].endswith((" ", "\n")):
            value = value.lstrip(" ")
        elif (len(self.inline) - 1) in self.openers and value.startswith(" "):
            value = value.lstrip(" ")
            if len(self.inline) > 1 and not self.inline[-2].endswith((" ", "\n")):
                self.inline.insert(len(self.inline) - 1, " ")
            self.openers = {i + 1 if i >= len(self.inline) - 2 else i for i in self.openers}
        self.inline.append(
            escape_markdown(value)
            if "\\\n" not in value
            else "\\\n".join(escape_markdown(p) for p in value.split("\\\n"))
        )

    # -- main loop --------------------------------------------------------------------------
    def run(self) -> Converted:
        src = self.source
        pos = 0
        n = len(src)
        while pos < n:
            m = _TOKEN.match(src, pos)
            if m is None:  # pragma: no cover - the pattern matches any character
                break
            pos = m.end()
            kind = m.lastgroup
            if kind == "text":
                self.text(m.group("text"))
                continue
            if kind == "lt":
                self.text("<")
                continue
            if kind is None:  # a comment
                continue
            tag = m.group("tag").lower()
            closing = bool(m.group("close"))
            attrs = m.group("attrs") or ""
            if tag in _DROP_CONTENT and not closing:
                end = _end_tag(tag).search(src, pos)
                pos = end.end() if end else n
                continue
            if tag == "table" and not closing:
                pos = self.table(m.start(), pos)
                continue
            if tag == "pre" and not closing:
                pos = self.pre(pos)
                continue
            if tag in _CODE and not closing:
                pos = self.code(tag, pos)
                continue
            self.tag(tag, closing, attrs)
        self.flush()
        parts: list[str] = []
        for i, block in enumerate(self.blocks):
            if i:
                tight = i in self.list_blocks and (i - 1) in self.list_blocks
                parts.append("\n" if tight else "\n\n")
            parts.append(block)
        return Converted("".join(parts), tuple(sorted(self.dropped)), self.raw_html)

    def tag(self, tag: str, closing: bool, attrs: str) -> None:
        if tag == "br":
            self.inline.append("\\\n")
        elif tag in _BLOCK_TAGS or tag == "hr":
            self.flush()
        elif tag in ("ul", "ol"):
            self.flush()
            if closing:
                if self.lists:
                    self.lists.pop()
            else:
                self.lists.append([tag, 0])
        elif tag == "li":
            self.flush()
            if not closing and self.lists:
                counter = self.lists[-1]
                counter[1] = int(counter[1]) + 1  # type: ignore[call-overload]
        elif tag in _STRONG:
            self.marker("**", closing)
        elif tag in _EM:
            self.marker("*", closing)
        elif tag == "a":
            if closing:
                href = self.link_href.pop() if self.link_href else None
                if href:
                    trailing = ""
                    if self.inline and self.inline[-1].endswith(" "):
                        self.inline[-1] = self.inline[-1].rstrip(" ")
                        trailing = " "
                    self.inline.append(f"]({_url(href)}){trailing}")
            else:
                href = _attrs(attrs).get("href")
                self.link_href.append(href)
                if href:
                    self.inline.append("[")
        elif tag == "img" and not closing:
            self.img(attrs)
        elif tag in _NOTED:
            self.dropped.add(_NOTED[tag])
        elif tag in _QUIET or closing:
            pass
        else:
            self.dropped.add(f"<{tag}>")

    def code(self, tag: str, pos: int) -> int:
        end = _end_tag(tag).search(self.source, pos)
        stop = end.start() if end else len(self.source)
        inner = self.source[pos:stop]
        if "<" in inner:
            inner = _ANY_TAG.sub("", inner)
        if "&" in inner:
            inner = html.unescape(inner)
        inner = _WS.sub(" ", inner)
        if inner.strip():
            self.inline.append(code_text(inner))
        return end.end() if end else len(self.source)

    def marker(self, mark: str, closing: bool) -> None:
        """Emphasis markers hug their text: whitespace moves outside, empty pairs vanish."""
        if not closing:
            self.inline.append(mark)
            self.openers.add(len(self.inline) - 1)
            return
        last = len(self.inline) - 1
        if last in self.openers and self.inline[last] == mark:
            self.inline.pop()
            self.openers.discard(last)
            return
        trailing = ""
        if self.inline and self.inline[-1].endswith(" "):
            self.inline[-1] = self.inline[-1].rstrip(" ")
            trailing = " "
        self.inline.append(mark + trailing)

    def img(self, attrs: str) -> None:
        a = _attrs(attrs)
        src = html.unescape(a.get("src", ""))
        alt = html.unescape(a.get("alt", "")).replace("]", "").replace("[", "")
        target = self.image(src) if self.image else src
        if not target:
            self.dropped.add("image")
            return
        self.inline.append(f"![{escape_markdown(alt)}]({_url(target)})")

    def table(self, start: int, pos: int) -> int:
        depth = 1
        scan = re.compile(r"<(/?)table\b[^>]*>", re.IGNORECASE)
        end = len(self.source)
        for m in scan.finditer(self.source, pos):
            depth += -1 if m.group(1) else 1
            if depth == 0:
                end = m.end()
                break
        self.flush()
        raw = self.source[start:end].strip()
        # one HTML block: no blank lines inside (they would end it in CommonMark)
        raw = "\n".join(line for line in raw.splitlines() if line.strip())
        self.blocks.append(raw)
        self.raw_html = True
        return end

    def pre(self, pos: int) -> int:
        end = _end_tag("pre").search(self.source, pos)
        stop = end.start() if end else len(self.source)
        inner = self.source[pos:stop]
        inner = re.sub(r"<br\s*/?>", "\n", inner, flags=re.IGNORECASE)
        inner = re.sub(r"<[^>]*>", "", inner)
        code = html.unescape(inner).strip("\n")
        self.flush()
        fence = "```"
        while fence in code:
            fence += "`"
        self.blocks.append(f"{fence}\n{code}\n{fence}")
        return end.end() if end else len(self.source)


_ANY_TAG = re.compile(r"<[^>]*>")


@functools.lru_cache(maxsize=64)
def _end_tag(tag: str) -> re.Pattern[str]:
    """``</tag>`` (any case, spaces before ``>``), compiled once per tag name."""
    return re.compile(rf"</{tag}\s*>", re.IGNORECASE)


def _attrs(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in _ATTR.findall(raw):
        if value[:1] in "\"'":
            value = value[1:-1]
        out[name.lower()] = value
    return out


def _url(url: str) -> str:
    url = url.strip()
    if any(c in url for c in " ()<>"):
        return "<" + url.replace("<", "%3C").replace(">", "%3E") + ">"
    return url


def code_text(text: str) -> str:
    """A markdown code span holding ``text`` exactly."""
    ticks = (max(len(m) for m in re.findall(r"`+", text)) + 1) if "`" in text else 1
    fence = "`" * ticks
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
