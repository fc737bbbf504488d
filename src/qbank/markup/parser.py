"""The CommonMark parsers: markdown-it-py with raw HTML off (and one with HTML on, used only
to find what looks like HTML), tables, strikethrough and the maths plugin.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

from qbank.markup.maths import math_plugin


def _accept_any_link(url: str) -> bool:
    """Accept every destination at parse time so an unsafe link still becomes a link
    token; the renderers then drop the target and keep the label, in one place
    (:func:`link_allowed`, :func:`image_src_allowed`)."""
    return True


def new_parser(*, html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": html})
    md.validateLink = _accept_any_link  # type: ignore[method-assign]
    md.enable(["table", "strikethrough"])
    md.use(math_plugin)
    return md


MD = new_parser(html=False)

# Only used by Markup.raw_html: with HTML enabled, markdown-it itself says what is a tag
# (and skips code spans, code blocks, autolinks and maths).
MD_HTML = new_parser(html=True)
