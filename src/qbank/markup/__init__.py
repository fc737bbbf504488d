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

The parts: :mod:`~qbank.markup.parser` (markdown-it setup) with
:mod:`~qbank.markup.maths` (the maths plugin); one renderer per target —
:mod:`~qbank.markup.html`, :mod:`~qbank.markup.text`, :mod:`~qbank.markup.blocks` (Word);
:mod:`~qbank.markup.links` (allowed links, media resolution); :mod:`~qbank.markup.plain`
(texts that need no parser); :mod:`~qbank.markup.document`
(:class:`Markup`, :func:`parse`); :mod:`~qbank.markup.cloze` (blanks);
:mod:`~qbank.markup.types` (the data types).
"""

from __future__ import annotations

from qbank.markup.cloze import find_blanks, replace_blanks
from qbank.markup.document import Markup, parse, to_html, to_text
from qbank.markup.links import resolution_cache, resolve_media
from qbank.markup.plain import is_plain
from qbank.markup.types import (
    Blank,
    Block,
    CodeBlock,
    Image,
    ListItem,
    MediaOutsideBank,
    MediaRef,
    Paragraph,
    Run,
)

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
    "is_plain",
    "parse",
    "replace_blanks",
    "resolution_cache",
    "resolve_media",
    "to_html",
    "to_text",
]
