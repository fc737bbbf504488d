"""The text markup of question texts, options, feedback and explanations (DESIGN §3).

Every author-written string is CommonMark, parsed once by markdown-it-py with raw HTML
disabled, and rendered by several renderers from the same tokens:

* :meth:`Markup.to_html` for Anki and the web (safe HTML: every author string is escaped,
  links are restricted to http/https/mailto, anything that looks like HTML shows as text);
* :meth:`Markup.to_text` for dedup and the JSON ``text`` field (no markup characters);
* :meth:`Markup.blocks` for Word worksheets (paragraphs made of formatted runs).

Maths is written ``\\( … \\)`` (inline) and ``\\[ … \\]`` (display), the delimiters MathJax
and Anki read. CommonMark would treat ``\\(`` as an escaped parenthesis and drop the
backslash, so a small plugin captures maths *before* the escape rule runs; the content is
kept verbatim (and HTML-escaped in HTML). A delimiter without its partner is kept as
literal text and reported by :meth:`Markup.unbalanced_math` rather than silently eaten.
Because ``\\[ … \\]`` is maths, an author cannot use ``\\[`` to escape a link bracket.

Cloze blanks (``{{answer|alternative}}``, DESIGN §2.2) live in the markdown source and are
handled by :func:`find_blanks` / :func:`replace_blanks` before the markup is parsed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode
from markdown_it.utils import EnvType, OptionsDict

__all__ = [
    "Blank",
    "Block",
    "CodeBlock",
    "Image",
    "ListItem",
    "Markup",
    "MediaOutsideBank",
    "MediaRef",
    "Paragraph",
    "Run",
    "find_blanks",
    "parse",
    "replace_blanks",
    "resolve_media",
    "to_html",
    "to_text",
]

# --------------------------------------------------------------------------------------
# Public data types
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MediaRef:
    """An image the text references (``![alt](media/x.png)``).

    Exporters need both the written form (to report it) and the file (to bundle or embed
    it); the validator needs the line to point at.
    """

    src: str
    """The source as written, percent-escapes decoded, e.g. ``"media/x.png"``."""
    alt: str
    """The alt text as plain text."""
    path: Path | None
    """Resolved absolute path inside the bank root; ``None`` for URLs, for paths that
    escape the root (``..``, absolute, symlinks pointing outside) or when no root was given."""
    line_offset: int
    """0-based line within the text where the image appears (for diagnostics; best effort
    for images after a code span that spans lines)."""


class MediaOutsideBank(ValueError):
    """An image source that is not a file inside the bank root (a URL, an absolute path,
    ``..`` or a symlink leading out). Raised by :func:`resolve_media`."""


@dataclass(frozen=True)
class Run:
    """A stretch of inline text with one formatting, for the Word exporter.

    ``text`` is the visible text. Special runs: ``math`` runs hold the maths verbatim *with*
    its delimiters (``\\(a<b\\)``); a run whose ``text`` is ``"\\n"`` (and nothing else set)
    is a hard line break; a run with ``image`` set is an inline picture whose ``text`` is
    the alt text. ``url`` is the target of a link (only http/https/mailto survive).
    """

    text: str
    bold: bool = False
    italic: bool = False
    strike: bool = False
    code: bool = False
    math: bool = False
    url: str | None = None
    image: MediaRef | None = None


@dataclass(frozen=True)
class Paragraph:
    """A paragraph, heading (``heading`` 1-6) or quoted paragraph. Display maths
    (``\\[ … \\]`` on its own lines) is a paragraph with a single ``math`` run; a table row
    is a paragraph whose cells are separated by tab characters."""

    runs: tuple[Run, ...]
    heading: int = 0
    quote: bool = False


@dataclass(frozen=True)
class ListItem:
    """One bullet or numbered item. ``depth`` is 0 for a top-level list; ``number`` is the
    item's number in an ordered list. Several paragraphs in one item are joined by a
    line-break run; nested lists follow as items with ``depth + 1``."""

    runs: tuple[Run, ...]
    ordered: bool
    number: int | None
    depth: int = 0


@dataclass(frozen=True)
class CodeBlock:
    """A fenced or indented code block: its text without the final newline, and the
    language from the fence's info string (``""`` when none)."""

    text: str
    language: str = ""


@dataclass(frozen=True)
class Image:
    """An image that is alone in its paragraph (a figure). Images inside running text are
    :class:`Run` objects with ``image`` set instead."""

    ref: MediaRef


Block = Paragraph | ListItem | CodeBlock | Image
"""What :meth:`Markup.blocks` yields: the small structured view the Word exporter needs."""


@dataclass(frozen=True)
class Blank:
    """A cloze blank ``{{answer|alternative|…}}`` in a question's markdown source.

    ``index`` is 0-based in order of appearance (Anki's ``c1`` is ``index + 1``);
    ``start``/``end`` are character offsets of ``{{`` and just after ``}}`` in the source.
    Answers are markdown fragments, trimmed; an empty alternative is kept as ``""`` so a
    validator can flag it.
    """

    index: int
    answers: tuple[str, ...]
    start: int
    end: int


# --------------------------------------------------------------------------------------
# The maths plugin
# --------------------------------------------------------------------------------------

_MATH_CLOSE = {"(": ")", "[": "]"}
_MATH_OPEN = {")": "(", "]": "["}


def _find_math_close(src: str, pos: int, stop: int, close: str) -> int:
    """Index of the ``\\`` of the first closing delimiter ``\\<close>`` in src[pos:stop].

    Backslash pairs are skipped as units, so LaTeX's ``\\\\`` (a line break, as in
    ``a \\\\) b``) never reads as a delimiter.
    """
    i = pos
    while i < stop - 1:
        if src[i] == "\\":
            if src[i + 1] == close:
                return i
            i += 2
        else:
            i += 1
    return -1


def _math_inline_rule(state: StateInline, silent: bool) -> bool:
    """Capture ``\\(…\\)`` / ``\\[…\\]`` before CommonMark's escape rule turns ``\\(``
    into ``(``. A delimiter without a partner becomes a ``math_stray`` token that renders as
    the literal delimiter (so the author sees it) and feeds :meth:`Markup.unbalanced_math`."""
    pos = state.pos
    src = state.src
    if src[pos] != "\\" or pos + 1 >= state.posMax:
        return False
    ch = src[pos + 1]
    if ch in _MATH_CLOSE:
        end = _find_math_close(src, pos + 2, state.posMax, _MATH_CLOSE[ch])
        if end >= 0:
            if not silent:
                token = state.push("math_inline", "span", 0)
                token.content = src[pos + 2 : end]
                token.markup = "\\" + ch
            state.pos = end + 2
            return True
    elif ch not in _MATH_OPEN:
        return False
    if not silent:
        token = state.push("math_stray", "", 0)
        token.content = "\\" + ch
        token.markup = "\\" + ch
    state.pos = pos + 2
    return True


def _math_block_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Capture display maths that starts a line with ``\\[`` and ends a line with ``\\]``.

    Without this block rule, maths lines that look like markdown (``- x``, ``1. y``, a
    blank line, four-space indentation) would be parsed as lists or code blocks.
    ``\\[x\\] more text`` on one line is left to the inline rule.
    """
    if state.is_code_block(start_line):
        return False
    src = state.src
    begin = state.bMarks[start_line] + state.tShift[start_line]
    if not src.startswith("\\[", begin) or begin + 2 > state.eMarks[start_line]:
        return False
    line = start_line
    pos = begin + 2
    close_line = -1
    while line < end_line:
        if line > start_line:
            if not state.isEmpty(line) and state.sCount[line] < state.blkIndent:
                return False  # the enclosing list item or quote ended
            pos = state.bMarks[line] + state.tShift[line]
        stop = state.eMarks[line]
        idx = _find_math_close(src, pos, stop, "]")
        if idx >= 0:
            if src[idx + 2 : stop].strip():
                return False  # text after `\]`: an inline display formula in a paragraph
            close_line = line
            break
        line += 1
    if close_line < 0:
        return False
    if silent:
        return True
    text = state.getLines(start_line, close_line + 1, state.blkIndent, False).strip()
    token = state.push("math_block", "div", 0)
    token.content = text[2:-2]
    token.markup = "\\["
    token.map = [start_line, close_line + 1]
    token.block = True
    state.line = close_line + 1
    return True


def _math_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("escape", "math_inline", _math_inline_rule)
    md.block.ruler.before(
        "fence",
        "math_block",
        _math_block_rule,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )


def _math_source(token: Token | SyntaxTreeNode) -> str:
    """Maths verbatim with its delimiters."""
    opener = token.markup or "\\("
    return opener + token.content + "\\" + _MATH_CLOSE[opener[1]]


# --------------------------------------------------------------------------------------
# URLs
# --------------------------------------------------------------------------------------

_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_IMAGE_DATA_RE = re.compile(r"^data:image/(?:png|gif|jpeg|webp|svg\+xml)[;,]", re.IGNORECASE)


def _scheme(url: str) -> str | None:
    m = _SCHEME_RE.match(url)
    return m.group(1).lower() if m else None


def _link_allowed(href: str) -> bool:
    """Links may only go to http, https and mailto. Relative links point nowhere in an
    Anki card or an exported quiz, and every other scheme is a script vector or useless."""
    return _scheme(href) in _LINK_SCHEMES


def _image_src_allowed(src: str) -> bool:
    """Image sources: bank files (relative), http(s) and data URIs of image types."""
    scheme = _scheme(src)
    if scheme is None:
        return bool(src)
    if scheme in ("http", "https"):
        return True
    return scheme == "data" and bool(_IMAGE_DATA_RE.match(src))


def resolve_media(src: str, root: Path) -> Path:
    """Resolve an image source (as written, see :attr:`MediaRef.src`) to a file in the bank.

    Raises :class:`MediaOutsideBank` for URLs, absolute paths, empty sources and anything
    that resolves outside ``root`` (``..``, symlinks pointing out): exporters bundle media,
    and must never copy ``/etc/passwd`` into a deck.
    """
    if not src:
        raise MediaOutsideBank("empty image source")
    if _scheme(src) is not None or src.startswith("//"):
        raise MediaOutsideBank(f"{src!r} is a URL, not a file in the bank")
    if src.startswith(("/", "\\")) or Path(src).is_absolute():
        raise MediaOutsideBank(f"{src!r} is an absolute path; write it relative to the bank")
    base = root.resolve()
    path = (base / src).resolve()
    if not path.is_relative_to(base):
        raise MediaOutsideBank(f"{src!r} resolves outside the bank ({path})")
    return path


def _media_ref(src: str, alt: str, line: int, root: Path | None) -> MediaRef:
    path: Path | None = None
    if root is not None:
        try:
            path = resolve_media(src, root)
        except MediaOutsideBank:
            path = None
    return MediaRef(src=src, alt=alt, path=path, line_offset=line)


# --------------------------------------------------------------------------------------
# Parsers and the HTML renderer
# --------------------------------------------------------------------------------------


def _accept_any_link(url: str) -> bool:
    """Accept every destination at parse time so an unsafe link still becomes a link
    token; the renderers then drop the target and keep the label, in one place
    (:func:`_link_allowed`, :func:`_image_src_allowed`)."""
    return True


def _new_parser(*, html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": html})
    md.validateLink = _accept_any_link  # type: ignore[method-assign]
    md.enable(["table", "strikethrough"])
    md.use(_math_plugin)
    return md


def _attr(token: Token, name: str) -> str:
    value = token.attrGet(name)
    return "" if value is None else str(value)


def _render_math_inline(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return '<span class="math">' + escapeHtml(_math_source(tokens[idx])) + "</span>"


def _render_math_block(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return '<div class="math">' + escapeHtml(_math_source(tokens[idx])) + "</div>\n"


def _render_math_stray(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return escapeHtml(tokens[idx].content)


def _render_link_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    href = _attr(token, "href")
    allowed = _link_allowed(href)
    env.setdefault("_qbank_links", []).append(allowed)
    if not allowed:
        return ""  # keep the label as text, drop the target
    title = _attr(token, "title")
    title_attr = f' title="{escapeHtml(title)}"' if title else ""
    return f'<a href="{escapeHtml(href)}"{title_attr} rel="noopener noreferrer">'


def _render_link_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    stack = env.get("_qbank_links") or [True]
    return "</a>" if stack.pop() else ""


def _render_image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    refs: dict[int, MediaRef] = env["_qbank_refs"]
    ref = refs[id(token)]
    media: Callable[[MediaRef], str] | None = env.get("_qbank_media")
    src = media(ref) if media is not None else _attr(token, "src")
    if not _image_src_allowed(src):
        return escapeHtml(ref.alt)
    title = _attr(token, "title")
    title_attr = f' title="{escapeHtml(title)}"' if title else ""
    return f'<img src="{escapeHtml(src)}" alt="{escapeHtml(ref.alt)}"{title_attr} />'


_MD = _new_parser(html=False)
_RENDERER = _MD.renderer
if not isinstance(_RENDERER, RendererHTML):  # pragma: no cover - markdown-it's default
    raise TypeError("qbank.markup needs markdown-it's HTML renderer")
_HTML: RendererHTML = _RENDERER
for _name, _fn in {
    "math_inline": _render_math_inline,
    "math_block": _render_math_block,
    "math_stray": _render_math_stray,
    "link_open": _render_link_open,
    "link_close": _render_link_close,
    "image": _render_image,
}.items():
    _MD.add_render_rule(_name, _fn)

# Only used by Markup.raw_html: with HTML enabled, markdown-it itself says what is a tag
# (and skips code spans, code blocks, autolinks and maths).
_MD_HTML = _new_parser(html=True)

_TAG_RE = re.compile(r"<!--.*?-->|<[A-Za-z/!?][^>]*>", re.DOTALL)
_WS_RE = re.compile(r"[ \t\n\r\f\v]+")


# --------------------------------------------------------------------------------------
# Plain text of inline content
# --------------------------------------------------------------------------------------


def _inline_pieces(tokens: Sequence[Token]) -> Iterator[tuple[str, bool]]:
    """(text, collapsible) pieces of flat inline tokens; maths and code are not collapsible.

    Works on the flat token list (not a syntax tree): plain text is on the hot path of
    dedup over whole banks, and building trees would double its cost.
    """
    for tok in tokens:
        t = tok.type
        if t in ("text", "text_special", "math_stray", "html_inline"):
            yield tok.content, True
        elif t == "softbreak":
            yield " ", True
        elif t == "hardbreak":
            yield "\n", False
        elif t == "code_inline":
            yield tok.content, False
        elif t == "math_inline":
            yield _math_source(tok), False
        elif t == "image" and tok.children:
            yield from _inline_pieces(tok.children)
        # em/strong/s/link open and close tokens carry no text


def _inline_text(tokens: Sequence[Token]) -> str:
    """Plain text of inline content, whitespace collapsed outside code and maths."""
    out: list[str] = []
    pending: list[str] = []
    for text, collapsible in _inline_pieces(tokens):
        if collapsible:
            pending.append(text)
            continue
        if pending:
            out.append(_WS_RE.sub(" ", "".join(pending)))
            pending = []
        out.append(text)
    if pending:
        out.append(_WS_RE.sub(" ", "".join(pending)))
    return "".join(out).strip(" ")


def _alt_text(token: Token) -> str:
    return _inline_text(token.children or [])


def _plain_text(tokens: Sequence[Token]) -> str:
    """The plain text of a whole token stream (see :meth:`Markup.to_text`).

    Each block becomes one entry; entries of the same top-level list are joined by a
    newline (one item per line), all others by a blank line.
    """
    entries: list[tuple[str, int]] = []  # (text, id of the top-level list or -1)
    list_depth = 0
    list_id = -1
    rows: list[str] | None = None  # table rows being collected
    cells: list[str] = []
    for tok in tokens:
        t = tok.type
        if t in ("bullet_list_open", "ordered_list_open"):
            if list_depth == 0:
                list_id += 1
            list_depth += 1
        elif t in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif t == "table_open":
            rows = []
        elif t == "tr_close" and rows is not None:
            rows.append("\t".join(cells))
            cells = []
        elif t == "table_close" and rows is not None:
            entries.append(("\n".join(rows), list_id if list_depth else -1))
            rows = None
        elif t == "inline":
            text = _inline_text(tok.children or [])
            if rows is not None:
                cells.append(text)
            elif text:
                entries.append((text, list_id if list_depth else -1))
        elif t in ("fence", "code_block", "math_block"):
            text = _math_source(tok) if t == "math_block" else tok.content.rstrip("\n")
            if text:
                entries.append((text, list_id if list_depth else -1))
    parts: list[str] = []
    previous = -1
    for i, (text, group) in enumerate(entries):
        if i:
            parts.append("\n" if group >= 0 and group == previous else "\n\n")
        parts.append(text)
        previous = group
    return "".join(parts).strip()


# --------------------------------------------------------------------------------------
# Markup
# --------------------------------------------------------------------------------------

_Image = tuple[Token, str, str, int]  # token, src as written, alt, line


class Markup:
    """One parse of an author's markdown text; render it as often as needed.

    Obtain instances with :func:`parse` (cached). Instances are shared between callers, so
    treat :attr:`tokens` as read-only.
    """

    __slots__ = ("_html", "_images", "_raw_html", "_text", "_tree", "source", "tokens")

    source: str
    tokens: list[Token]

    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = _MD.parse(source)
        self._tree: SyntaxTreeNode | None = None
        self._images: list[_Image] | None = None
        self._text: str | None = None
        self._html: dict[bool, str] = {}
        self._raw_html: list[str] | None = None

    def __repr__(self) -> str:
        return f"Markup({self.source!r})"

    # ---- helpers ------------------------------------------------------------------

    def _root_node(self) -> SyntaxTreeNode:
        if self._tree is None:
            self._tree = SyntaxTreeNode(self.tokens)
        return self._tree

    def _image_tokens(self) -> list[_Image]:
        """All images in document order with the line each appears on."""
        if self._images is None:
            found: list[_Image] = []
            last_line = 0
            for block in self.tokens:
                if block.map:
                    last_line = block.map[0]
                if block.type != "inline" or not block.children:
                    continue
                line = last_line
                for tok in block.children:
                    if tok.type in ("softbreak", "hardbreak"):
                        line += 1
                    elif tok.type == "math_inline":
                        line += tok.content.count("\n")
                    elif tok.type == "image":
                        src = _MD.normalizeLinkText(_attr(tok, "src"))
                        found.append((tok, src, _alt_text(tok), line))
            self._images = found
        return self._images

    def _refs(self, root: Path | None) -> dict[int, MediaRef]:
        return {
            id(tok): _media_ref(src, alt, line, root)
            for tok, src, alt, line in self._image_tokens()
        }

    # ---- renderers ----------------------------------------------------------------

    def to_html(
        self,
        *,
        media: Callable[[MediaRef], str] | None = None,
        inline: bool = False,
        root: Path | None = None,
    ) -> str:
        """Safe HTML for Anki fields and web quizzes.

        Every author string is escaped, raw HTML shows as text, links keep only
        http/https/mailto targets (others keep their label) and get
        ``rel="noopener noreferrer"``. ``media(ref)`` returns the ``src`` to emit for an
        image (exporters rename files or embed data URIs); by default the source is kept
        as written. Pass ``root`` so that ``ref.path`` is resolved for the callback.
        ``inline=True`` drops the wrapping ``<p>`` of a one-paragraph text (options).
        """
        cacheable = media is None and root is None
        if cacheable and inline in self._html:
            return self._html[inline]
        env: dict[str, Any] = {"_qbank_refs": self._refs(root), "_qbank_media": media}
        tokens = self.tokens
        if (
            inline
            and len(tokens) == 3
            and tokens[0].type == "paragraph_open"
            and tokens[1].type == "inline"
        ):
            html = _HTML.renderInline(tokens[1].children or [], _MD.options, env)
        else:
            html = _HTML.render(tokens, _MD.options, env)
        html = html.rstrip("\n")
        if cacheable:
            self._html[inline] = html
        return html

    def to_text(self) -> str:
        """Plain text for dedup and the JSON ``text`` field.

        No markup characters; images as their alt text; links as their label; code as its
        content; maths verbatim with delimiters; list items and table rows on their own
        lines (no bullets; table cells separated by tabs); whitespace collapsed within
        paragraphs; blocks separated by a blank line.
        """
        if self._text is None:
            self._text = _plain_text(self.tokens)
        return self._text

    def blocks(self, root: Path | None = None) -> list[Block]:
        """A small structured view for the Word exporter (see :data:`Block`).

        ``root`` resolves the images' paths (see :meth:`media`). Horizontal rules are
        dropped; block quotes become paragraphs with ``quote=True``.
        """
        builder = _BlockBuilder(self._refs(root))
        builder.walk(self._root_node().children, depth=0, quote=False)
        return builder.out

    # ---- queries ------------------------------------------------------------------

    def media(self, root: Path) -> list[MediaRef]:
        """Every image reference in document order, resolved against the bank root.

        ``path`` is ``None`` for URLs and for sources that escape ``root``; the validator
        reports those, exporters skip them.
        """
        return [_media_ref(src, alt, line, root) for _, src, alt, line in self._image_tokens()]

    def has_math(self) -> bool:
        """Whether the text contains maths (exporters add MathJax only when needed)."""
        return any(t.type in ("math_inline", "math_block") for t in _walk(self.tokens))

    def unbalanced_math(self) -> list[str]:
        """Problems with maths delimiters, for the "unbalanced maths delimiters" rule.

        E.g. ``["\\\\( without \\\\)"]``. Delimiters inside code are not maths. An opener
        inside maths of the same kind (``\\( a \\( b \\)``) is reported too.
        """
        problems: list[str] = []
        for tok in _walk(self.tokens):
            if tok.type == "math_stray":
                ch = tok.content[1]
                if ch in _MATH_CLOSE:
                    problems.append(f"\\{ch} without \\{_MATH_CLOSE[ch]}")
                else:
                    problems.append(f"\\{ch} without \\{_MATH_OPEN[ch]}")
            elif tok.type in ("math_inline", "math_block"):
                opener = tok.markup
                if _find_math_close(tok.content, 0, len(tok.content), opener[1]) >= 0:
                    close = "\\" + _MATH_CLOSE[opener[1]]
                    problems.append(f"{opener} inside {opener} … {close}")
        return problems

    def raw_html(self) -> list[str]:
        """Fragments that look like HTML the author typed (outside code and maths).

        For the "raw HTML in text" lint: the renderers already show them as text, but the
        author probably meant something else (``List<int>`` belongs in a code span).
        """
        if self._raw_html is None:
            found: list[str] = []
            if "<" in self.source:
                for tok in _walk(_MD_HTML.parse(self.source)):
                    if tok.type == "html_inline":
                        found.append(tok.content)
                    elif tok.type == "html_block":
                        found.extend(_TAG_RE.findall(tok.content) or [tok.content.strip()])
            self._raw_html = found
        return list(self._raw_html)


def _walk(tokens: Sequence[Token]) -> Iterator[Token]:
    for tok in tokens:
        yield tok
        if tok.children:
            yield from _walk(tok.children)


class _BlockBuilder:
    """Turns the syntax tree into :data:`Block` objects (see :meth:`Markup.blocks`)."""

    def __init__(self, refs: dict[int, MediaRef]) -> None:
        self.refs = refs
        self.out: list[Block] = []

    def runs(self, nodes: Sequence[SyntaxTreeNode], fmt: dict[str, Any]) -> list[Run]:
        runs: list[Run] = []
        for node in nodes:
            t = node.type
            if t in ("text", "text_special", "math_stray", "html_inline"):
                if node.content:  # emphasis processing leaves empty text tokens
                    runs.append(Run(node.content, **fmt))
            elif t == "softbreak":
                runs.append(Run(" ", **fmt))
            elif t == "hardbreak":
                runs.append(Run("\n"))
            elif t == "code_inline":
                runs.append(Run(node.content, **{**fmt, "code": True}))
            elif t == "math_inline":
                runs.append(Run(_math_source(node), **{**fmt, "math": True}))
            elif t == "image" and node.token is not None:
                ref = self.refs[id(node.token)]
                runs.append(Run(ref.alt, **fmt, image=ref))
            elif t == "em":
                runs.extend(self.runs(node.children, {**fmt, "italic": True}))
            elif t == "strong":
                runs.extend(self.runs(node.children, {**fmt, "bold": True}))
            elif t == "s":
                runs.extend(self.runs(node.children, {**fmt, "strike": True}))
            elif t == "link":
                href = str(node.attrs.get("href", ""))
                url = href if _link_allowed(href) else None
                runs.extend(self.runs(node.children, {**fmt, "url": url}))
            else:
                runs.extend(self.runs(node.children, fmt))
        return _merge(runs)

    def inline(self, node: SyntaxTreeNode) -> list[Run]:
        return self.runs(node.children[0].children, {}) if node.children else []

    def walk(self, nodes: Sequence[SyntaxTreeNode], *, depth: int, quote: bool) -> None:
        for node in nodes:
            t = node.type
            if t in ("paragraph", "heading"):
                runs = self.inline(node)
                if len(runs) == 1 and runs[0].image is not None and t == "paragraph":
                    self.out.append(Image(runs[0].image))
                    continue
                level = int(node.tag[1]) if t == "heading" else 0
                self.out.append(Paragraph(tuple(runs), heading=level, quote=quote))
            elif t in ("fence", "code_block"):
                lang = node.info.strip().split()[0] if node.info.strip() else ""
                self.out.append(CodeBlock(node.content.rstrip("\n"), lang))
            elif t == "math_block":
                run = Run(_math_source(node), math=True)
                self.out.append(Paragraph((run,), quote=quote))
            elif t in ("bullet_list", "ordered_list"):
                self.items(node, depth=depth, quote=quote)
            elif t == "blockquote":
                self.walk(node.children, depth=depth, quote=True)
            elif t == "table":
                for section in node.children:
                    for tr in section.children:
                        runs = []
                        for i, cell in enumerate(tr.children):
                            if i:
                                runs.append(Run("\t"))
                            runs.extend(self.inline(cell))
                        self.out.append(Paragraph(tuple(_merge(runs)), quote=quote))

    def items(self, node: SyntaxTreeNode, *, depth: int, quote: bool) -> None:
        ordered = node.type == "ordered_list"
        number = int(str(node.attrs.get("start", 1))) if ordered else None
        for item in node.children:
            runs: list[Run] = []
            rest: list[SyntaxTreeNode] = []
            for child in item.children:
                if child.type == "paragraph" and not rest:
                    if runs:
                        runs.append(Run("\n"))
                    runs.extend(self.inline(child))
                else:
                    rest.append(child)
            self.out.append(ListItem(tuple(_merge(runs)), ordered, number, depth))
            self.walk(rest, depth=depth + 1, quote=quote)
            if number is not None:
                number += 1


def _merge(runs: list[Run]) -> list[Run]:
    """Join neighbouring runs with the same formatting (fewer Word runs)."""
    merged: list[Run] = []
    for run in runs:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and run.image is None
            and prev.image is None
            and not run.math
            and not prev.math
            and run.text != "\n"
            and prev.text != "\n"
            and (prev.bold, prev.italic, prev.strike, prev.code, prev.url)
            == (run.bold, run.italic, run.strike, run.code, run.url)
        ):
            merged[-1] = Run(
                prev.text + run.text,
                prev.bold,
                prev.italic,
                prev.strike,
                prev.code,
                False,
                prev.url,
            )
        else:
            merged.append(run)
    return merged


@functools.lru_cache(maxsize=16384)
def parse(text: str) -> Markup:
    """Parse ``text`` once; cached because the same strings (options like "True",
    "None of the above", shared explanations) are rendered many times across a bank."""
    return Markup(text)


def to_html(
    text: str,
    *,
    media: Callable[[MediaRef], str] | None = None,
    inline: bool = False,
    root: Path | None = None,
) -> str:
    """Shortcut for ``parse(text).to_html(...)``."""
    return parse(text).to_html(media=media, inline=inline, root=root)


def to_text(text: str) -> str:
    """Shortcut for ``parse(text).to_text()``."""
    return parse(text).to_text()


# --------------------------------------------------------------------------------------
# Cloze blanks
# --------------------------------------------------------------------------------------


def _find_unescaped(text: str, needle: str, pos: int) -> int:
    i = pos
    n = len(text)
    while i < n:
        if text[i] == "\\":
            i += 2
        elif text.startswith(needle, i):
            return i
        else:
            i += 1
    return -1


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts: list[str] = []
    start = 0
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == sep:
            parts.append(text[start:i])
            start = i = i + 1
        else:
            i += 1
    parts.append(text[start:])
    return parts


def find_blanks(text: str) -> list[Blank]:
    """The cloze blanks ``{{answer|alternative|…}}`` in a markdown source, in order.

    Rules, chosen so that exporters and the validator agree on what a blank is:

    * A blank runs from ``{{`` to the *first* following ``}}``. A ``{{`` inside it is part
      of the answer, not a nested blank (``{{a {{b}} c}}`` is one blank with the answer
      ``"a {{b"`` followed by the text ``" c}}"``); the validator flags answers containing
      ``{{``, since Anki mishandles nested clozes.
    * Backslash escapes are honoured as in markdown: ``\\{{`` is not a blank, ``\\|`` does
      not split alternatives, and LaTeX's ``\\{ \\}`` never open or close one. Blanks are
      otherwise found anywhere, also in code spans and maths, so ``x^{{2}}`` in maths *is*
      a blank: write ``x^{ {2} }``.
    * Alternatives are split on ``|`` and trimmed; empty ones are kept as ``""``.
      Answers are markdown fragments: use :func:`to_text` to compare them with input.
    * A ``{{`` without a following ``}}`` is not a blank.
    """
    blanks: list[Blank] = []
    i = 0
    n = len(text)
    while i < n:
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith("{{", i):
            j = _find_unescaped(text, "}}", i + 2)
            if j < 0:
                break
            answers = tuple(a.strip() for a in _split_unescaped(text[i + 2 : j], "|"))
            blanks.append(Blank(index=len(blanks), answers=answers, start=i, end=j + 2))
            i = j + 2
            continue
        i += 1
    return blanks


def replace_blanks(text: str, fn: Callable[[Blank], str]) -> str:
    """Replace each blank with ``fn(blank)``.

    The replacement goes into the *markdown source*, which is parsed afterwards, so
    exporters pass markdown-safe placeholders (e.g. ``"\\\\_\\\\_\\\\_"`` or an Anki
    ``{{c1::…}}`` built from escaped answers).
    """
    out: list[str] = []
    pos = 0
    for blank in find_blanks(text):
        out.append(text[pos : blank.start])
        out.append(fn(blank))
        pos = blank.end
    out.append(text[pos:])
    return "".join(out)
