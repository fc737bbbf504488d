"""Texts that need no parser: one line of literal text renders as itself (escaped).

Most option texts, explanations and many stems are like this, and parsing them is most of
the cost of an export of a large bank. :func:`to_html` and :func:`to_text` of
:mod:`qbank.markup` take this path; the property tests check it against the parser.

:func:`simple_tokens` goes one step further for texts made of such lines and lone images
(``![alt](media/x.png)``), separated by blank lines — a stem and its exhibit: it builds the
tokens markdown-it would, without running its rules (also checked against the parser);
:class:`~qbank.markup.Markup` renders such texts from their paragraphs and builds the
tokens only when asked for them.
"""

from __future__ import annotations

import functools
import re

from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

#: characters that can start or be markdown (or maths, entities, tables, strikethrough)
_MARKUP_CHAR = re.compile(r"[\\`*_\[\]<>&!#{}~|^\x00-\x1f\x7f]")
_LIST_START = re.compile(r"\d+[.)](\s|$)")
_SPACES = re.compile(r" {2,}")


@functools.lru_cache(maxsize=65536)  # asked for each text by to_text and to_html
def is_plain(text: str) -> bool:
    """True when markdown would render ``text`` as one paragraph of literal text.

    One line, no leading or trailing white space, no character markdown (with qbank's
    tables, strikethrough and maths) gives a meaning to, starting with a letter or digit
    that does not begin an ordered list.
    """
    if not text or text[0].isspace() or text[-1].isspace() or _MARKUP_CHAR.search(text):
        return False
    first = text[0]
    if first.isdigit():
        return _LIST_START.match(text) is None
    return first.isalpha() or (ord(first) > 127 and not first.isspace())


def plain_html(text: str, *, inline: bool = False) -> str:
    """The HTML of a plain text (:func:`is_plain`): the escaped text, in ``<p>`` unless
    ``inline``."""
    escaped = escapeHtml(text)
    return escaped if inline else f"<p>{escaped}</p>"


def plain_to_text(text: str) -> str:
    """The plain text of a plain text (:func:`is_plain`): runs of spaces collapsed."""
    return _SPACES.sub(" ", text) if "  " in text else text


#: a paragraph that is one image with a plain alt text and a plain relative source
_LONE_IMAGE = re.compile(r"!\[([^\]\n]+)\]\(([A-Za-z0-9][A-Za-z0-9._/\-]*)\)")


def _inline(children: list[Token], content: str, line: int) -> list[Token]:
    return [
        Token("paragraph_open", "p", 1, map=[line, line + 1], block=True),
        Token("inline", "", 0, map=[line, line + 1], level=1, content=content,
              children=children, block=True),
        Token("paragraph_close", "p", -1, block=True),
    ]  # fmt: skip


#: one paragraph of a simple text: ``(text, None)`` or, for a lone image, ``(alt, src)``
Paragraph = tuple[str, str | None]


def simple_paragraphs(source: str) -> list[Paragraph] | None:
    """The paragraphs of a text of one-line paragraphs separated by one blank line, each a
    plain text (:func:`is_plain`) or a lone image with a plain alt text and a source of
    letters, digits and ``._/-``; ``None`` for any other text (parse it). Paragraph ``i``
    is on line ``2 * i``."""
    if "\n\n\n" in source or "\r" in source:
        return None
    body = source[:-1] if source.endswith("\n") else source
    paragraphs: list[Paragraph] = []
    for para in body.split("\n\n"):
        if is_plain(para):
            paragraphs.append((para, None))
            continue
        m = _LONE_IMAGE.fullmatch(para)
        if m is None or not is_plain(m.group(1)):
            return None
        paragraphs.append((m.group(1), m.group(2)))
    return paragraphs


def paragraph_tokens(paragraphs: list[Paragraph]) -> list[Token]:
    """markdown-it's tokens for :func:`simple_paragraphs` (a property test compares)."""
    tokens: list[Token] = []
    for i, (text, src) in enumerate(paragraphs):
        if src is None:
            children = [Token("text", "", 0, content=text)]
            content = text
        else:
            image = Token("image", "img", 0, attrs={"src": src, "alt": ""},
                          children=[Token("text", "", 0, content=text)], content=text)  # fmt: skip
            children = [image]
            content = f"![{text}]({src})"
        tokens += _inline(children, content, 2 * i)
    return tokens


def simple_tokens(source: str) -> list[Token] | None:
    """markdown-it's tokens for a text :func:`simple_paragraphs` accepts, else ``None``."""
    paragraphs = simple_paragraphs(source)
    return None if paragraphs is None else paragraph_tokens(paragraphs)
