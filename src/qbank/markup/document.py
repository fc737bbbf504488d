"""One parsed text (:class:`Markup`) and its renderers and queries; :func:`parse` (cached),
:func:`to_html` and :func:`to_text`.
"""

from __future__ import annotations

import functools
import html
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from qbank.markup.html import HTML_RENDERER, attr
from qbank.markup.links import image_src_allowed, media_ref
from qbank.markup.maths import MATH_CLOSE, MATH_OPEN, find_math_close
from qbank.markup.parser import MD, MD_HTML
from qbank.markup.plain import (
    Paragraph,
    is_plain,
    paragraph_tokens,
    plain_html,
    plain_to_text,
    simple_paragraphs,
)
from qbank.markup.text import alt_text, plain_text
from qbank.markup.types import Block, MediaRef

_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_UNCLOSED_HTML = (("<!--", "-->"), ("<?", "?>"), ("<![CDATA[", "]]>"), ("<!", ">"))
_TAG_RE = re.compile(r"<!--.*?-->|<[A-Za-z/!?][^>]*>", re.DOTALL)

#: image sources that markdown-it's normalizeLinkText returns unchanged (``media/a-1.png``)
_SAFE_SRC = re.compile(r"(?!//)[A-Za-z0-9._/\-]*")

_Image = tuple[Token, str, str, int]  # token, src as written, alt, line


class Markup:
    """One parse of an author's markdown text; render it as often as needed.

    Obtain instances with :func:`parse` (cached). Instances are shared between callers, so
    treat :attr:`tokens` as read-only.
    """

    __slots__ = (
        "_html",
        "_images",
        "_raw_html",
        "_simple",
        "_text",
        "_tokens",
        "_tree",
        "inline",
        "source",
    )

    source: str
    #: parsed as inline text (a short field: option, item, pair, accepted answer)
    inline: bool

    def __init__(self, source: str, *, inline: bool = False) -> None:
        self.source = source
        self.inline = inline
        # A stem and its exhibit need no parser: plain paragraphs and lone images are
        # rendered from the paragraphs, and their tokens are built only if asked for (the
        # same as markdown-it's, and the same renderings: checked by property tests).
        self._simple = None if inline else simple_paragraphs(source)
        self._tokens: list[Token] | None = None
        if inline:
            self._tokens = _inline_tokens(source)
        elif self._simple is None:
            self._tokens = MD.parse(source)
        self._tree: SyntaxTreeNode | None = None
        self._images: list[_Image] | None = None
        self._text: str | None = None
        self._html: dict[bool, str] = {}
        self._raw_html: list[str] | None = None

    def __repr__(self) -> str:
        return f"Markup({self.source!r}{', inline=True' if self.inline else ''})"

    @property
    def paragraphs(self) -> list[Paragraph] | None:
        """The paragraphs of a text made of plain paragraphs and lone images
        (:func:`~qbank.markup.plain.simple_paragraphs`), or ``None`` when the text needed
        the parser (or is inline). Shared between callers: do not modify."""
        return self._simple

    @property
    def tokens(self) -> list[Token]:
        """markdown-it's tokens of the text."""
        if self._tokens is None:
            self._tokens = paragraph_tokens(self._simple or [])
        return self._tokens

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
                        src = attr(tok, "src")
                        if not _SAFE_SRC.fullmatch(src):  # what normalizing leaves as it is
                            src = MD.normalizeLinkText(src)
                        found.append((tok, src, alt_text(tok), line))
            self._images = found
        return self._images

    def _refs(self, root: Path | None) -> dict[int, MediaRef]:
        return {
            id(tok): media_ref(src, alt, line, root) for tok, src, alt, line in self._image_tokens()
        }

    def _simple_html(
        self,
        paragraphs: list[Paragraph],
        media: Callable[[MediaRef], str] | None,
        inline: bool,
        root: Path | None,
    ) -> str:
        """What the HTML renderer makes of the tokens of ``paragraphs``, without them."""
        out: list[str] = []
        for i, (text, src) in enumerate(paragraphs):
            if src is None:
                html = escapeHtml(text)
            else:
                ref = media_ref(src, plain_to_text(text), 2 * i, root)
                shown = media(ref) if media is not None else src
                alt = escapeHtml(ref.alt)
                if image_src_allowed(shown):
                    html = f'<img src="{escapeHtml(shown)}" alt="{alt}" />'
                else:
                    html = alt
            out.append(html if inline and len(paragraphs) == 1 else f"<p>{html}</p>\n")
        return "".join(out).rstrip("\n")

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
        ``inline=True`` drops the wrapping ``<p>`` of a one-paragraph text (a short field
        parsed with ``parse(text, inline=True)`` is always one paragraph).
        """
        cacheable = media is None and root is None
        if cacheable and inline in self._html:
            return self._html[inline]
        if self._simple is not None:
            html = self._simple_html(self._simple, media, inline, root)
            if cacheable:
                self._html[inline] = html
            return html
        env: dict[str, Any] = {"_qbank_refs": self._refs(root), "_qbank_media": media}
        tokens = self.tokens
        if (
            inline
            and len(tokens) == 3
            and tokens[0].type == "paragraph_open"
            and tokens[1].type == "inline"
        ):
            html = HTML_RENDERER.renderInline(tokens[1].children or [], MD.options, env)
        else:
            html = HTML_RENDERER.render(tokens, MD.options, env)
        html = html.rstrip("\n")
        if cacheable:
            self._html[inline] = html
        return html

    def to_text(self) -> str:
        """Plain text for dedup and the JSON ``text`` field.

        No markup characters; images as their alt text; links as their label; code as its
        content; maths verbatim with delimiters; list items and table rows on their own
        lines (no bullets, but an ordered item keeps its number: ``4. Stop``; table cells
        separated by tabs); whitespace collapsed within paragraphs; blocks separated by a
        blank line.
        """
        if self._text is None and self._simple is not None:
            self._text = "\n\n".join(plain_to_text(text) for text, _ in self._simple)
        if self._text is None:
            self._text = plain_text(self.tokens)
        return self._text

    def blocks(self, root: Path | None = None) -> list[Block]:
        """A small structured view for the Word exporter (see :data:`Block`).

        ``root`` resolves the images' paths (see :meth:`media`). Horizontal rules are
        dropped; block quotes become paragraphs with ``quote=True``.
        """
        from qbank.markup.blocks import BlockBuilder  # Word only: not on the web's path

        builder = BlockBuilder(self._refs(root))
        builder.walk(self._root_node().children, depth=0, quote=False)
        return builder.out

    # ---- queries ------------------------------------------------------------------

    def media(self, root: Path | None) -> list[MediaRef]:
        """Every image reference in document order, resolved against the bank root.

        ``path`` is ``None`` for URLs and for sources that escape ``root``; the validator
        reports those, exporters skip them. ``root=None`` resolves nothing (``path`` is
        ``None``): the references as written.
        """
        if self._simple is not None:  # no tokens needed
            return [
                media_ref(src, plain_to_text(alt), 2 * i, root)
                for i, (alt, src) in enumerate(self._simple)
                if src is not None
            ]
        return [media_ref(src, alt, line, root) for _, src, alt, line in self._image_tokens()]

    def has_math(self) -> bool:
        """Whether the text contains maths (exporters add MathJax only when needed)."""
        if self._simple is not None:
            return False  # no backslash in a simple text
        return any(t.type in ("math_inline", "math_block") for t in walk_tokens(self.tokens))

    def unbalanced_math(self) -> list[str]:
        """Problems with maths delimiters, for the "unbalanced maths delimiters" rule.

        E.g. ``["\\\\( without \\\\)"]``. Delimiters inside code are not maths. An opener
        inside maths of the same kind (``\\( a \\( b \\)``) is reported too.
        """
        problems: list[str] = []
        for tok in walk_tokens(self.tokens):
            if tok.type == "math_stray":
                ch = tok.content[1]
                if ch in MATH_CLOSE:
                    problems.append(f"\\{ch} without \\{MATH_CLOSE[ch]}")
                else:
                    problems.append(f"\\{ch} without \\{MATH_OPEN[ch]}")
            elif tok.type in ("math_inline", "math_block"):
                opener = tok.markup
                if find_math_close(tok.content, 0, len(tok.content), opener[1]) >= 0:
                    close = "\\" + MATH_CLOSE[opener[1]]
                    problems.append(f"{opener} inside {opener} … {close}")
        return problems

    def dropped(self) -> list[int]:
        """Offsets in :attr:`source` of the letters and digits no rendering shows.

        What CommonMark syntax consumes is not counted: a link's or image's target (it
        becomes the ``href``/``src``), a code fence's language, character references
        (``&amp;`` shows as ``&``), a used reference definition's label. What is left is
        text the author typed and a reader never sees — an unused reference definition
        (``[1]: http://example.com/exhibit``), or a renderer bug. Empty when nothing is lost.
        """
        src = self.source
        if self._simple is not None:
            return []  # plain paragraphs and lone images: every letter shows (or is a src)
        if not any(c.isalnum() for c in src):
            return []
        env: dict[str, Any] = {}
        tokens = _inline_tokens(src, env) if self.inline else MD.parse(src, env)
        shown = [plain_text(tokens)]
        links: Counter[str] = Counter()
        for tok in walk_tokens(tokens):
            if tok.type in ("link_open", "image"):
                target = str(tok.attrGet("href") or tok.attrGet("src") or "")
                shown += [target, str(tok.attrGet("title") or "")]
                links[target] += 1
            elif tok.type == "fence":
                shown.append(tok.info)
        references: dict[str, Any] = env.get("references", {})
        unused: set[int] = set()  # offsets of the lines defining a reference nothing uses
        for label, ref in references.items():
            if links[str(ref.get("href"))]:
                # the definition's label, and the label of each `[text][label]` using it
                shown.append(label * (1 + links[str(ref.get("href"))]))
                shown.append(str(ref.get("title") or ""))
                continue
            words = r"\s+".join(re.escape(w) for w in label.split())
            pattern = re.compile(rf"^[ ]{{0,3}}\[{words}\]:.*$", re.IGNORECASE | re.MULTILINE)
            found = pattern.search(src)
            if found is not None:
                unused.update(range(found.start(), found.end()))
        have = Counter(c for c in html.unescape("".join(shown)).casefold() if c.isalnum())
        skip = {i for m in _ENTITY_RE.finditer(src) for i in range(m.start(), m.end())}
        lost: list[int] = []
        for i, c in enumerate(src):
            if i in skip or not c.isalnum():
                continue
            if i in unused:
                lost.append(i)
                continue
            key = c.casefold()
            if have[key] > 0:
                have[key] -= 1
            else:
                lost.append(i)
        return lost

    def raw_html(self) -> list[str]:
        """Fragments that look like HTML the author typed (outside code and maths).

        For the "raw HTML in text" lint: the renderers already show them as text, but the
        author probably meant something else (``List<int>`` belongs in a code span).
        """
        if self._raw_html is None:
            found: list[str] = []
            if "<" in self.source:
                source = self.source
                for opener, closer in _UNCLOSED_HTML:
                    if opener in source and closer not in source:
                        # markdown-it looks for the end of each `<!--` (`<?`, `<![CDATA[`)
                        # from every opener: quadratic when none closes (issue 17). Without
                        # a closer none of them can be HTML, so take them out of the running.
                        source = source.replace(opener, "&lt;" + opener[1:])
                for tok in walk_tokens(MD_HTML.parse(source)):
                    if tok.type == "html_inline":
                        found.append(tok.content)
                    elif tok.type == "html_block":
                        found.extend(_TAG_RE.findall(tok.content) or [tok.content.strip()])
            self._raw_html = found
        return list(self._raw_html)


def walk_tokens(tokens: Sequence[Token]) -> Iterator[Token]:
    for tok in tokens:
        yield tok
        if tok.children:
            yield from walk_tokens(tok.children)


def _inline_tokens(source: str, env: dict[str, Any] | None = None) -> list[Token]:
    """``source`` as one paragraph of inline content: no block syntax (lists, headings,
    quotes, rules, code blocks), so ``4.``, ``- x`` or ``# x`` stay the text typed."""
    inline = MD.parseInline(source, env)
    open_, close = Token("paragraph_open", "p", 1), Token("paragraph_close", "p", -1)
    open_.block = close.block = True
    return [open_, *inline, close]


@functools.lru_cache(maxsize=16384)
def parse(text: str, *, inline: bool = False) -> Markup:
    """Parse ``text`` once; cached because the same strings (options like "True",
    "None of the above", shared explanations) are rendered many times across a bank.

    ``inline=True`` for short fields — options, order items, match pairs, accepted and
    cloze answers: inline markup (emphasis, code, links, images, maths) only, so a block
    marker such as ``4.``, ``1)``, ``- x``, ``# x``, ``> x`` or ``+ x`` renders as typed.
    Stems, explanations, feedback and rubrics are full CommonMark.
    """
    return Markup(text, inline=inline)


def to_html(
    text: str,
    *,
    media: Callable[[MediaRef], str] | None = None,
    inline: bool = False,
    root: Path | None = None,
) -> str:
    """Shortcut for ``parse(text, inline=inline).to_html(...)``.

    ``inline=True`` is for short fields: parsed as inline text and rendered without a
    wrapping ``<p>``. Plain texts (:func:`is_plain`) skip the parser: the same HTML.
    """
    if is_plain(text):
        return plain_html(text, inline=inline)
    return parse(text, inline=inline).to_html(media=media, inline=inline, root=root)


def to_text(text: str, *, inline: bool = False) -> str:
    """Shortcut for ``parse(text, inline=inline).to_text()``; plain texts skip the parser."""
    if is_plain(text):
        return plain_to_text(text)
    return parse(text, inline=inline).to_text()
