"""Rendering to plain text (dedup, the JSON ``text`` field): no markup characters, images as
alt text, links as their label, maths verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from markdown_it.token import Token

from qbank.markup.maths import math_source

_WS_RE = re.compile(r"[ \t\n\r\f\v]+")


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
            yield math_source(tok), False
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


def alt_text(token: Token) -> str:
    return _inline_text(token.children or [])


def plain_text(tokens: Sequence[Token]) -> str:
    """The plain text of a whole token stream (see :meth:`Markup.to_text`).

    Each block becomes one entry; entries of the same top-level list are joined by a
    newline (one item per line), all others by a blank line. An ordered list item keeps its
    number (``4. Stop the instance``): the number is content a reader needs, and an item
    that is only a number (``4.``) would otherwise vanish.
    """
    entries: list[tuple[str, int]] = []  # (text, id of the top-level list or -1)
    list_depth = 0
    list_id = -1
    rows: list[str] | None = None  # table rows being collected
    cells: list[str] = []
    numbers: list[int | None] = []  # per open list: the next item's number (None: bullets)
    delims: list[str] = []
    pending: str | None = None  # an ordered item's number, not yet written
    for tok in tokens:
        t = tok.type
        if t in ("bullet_list_open", "ordered_list_open"):
            if list_depth == 0:
                list_id += 1
            list_depth += 1
            if t == "ordered_list_open":
                start = tok.attrGet("start")
                numbers.append(int(str(start)) if start is not None else 1)
            else:
                numbers.append(None)
            delims.append(tok.markup or ".")
        elif t in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
            numbers.pop()
            delims.pop()
        elif t == "list_item_open" and numbers and numbers[-1] is not None:
            n = numbers[-1]
            pending = f"{n}{delims[-1]}"
            numbers[-1] = n + 1
        elif t == "list_item_close" and pending is not None:
            entries.append((pending, list_id))  # an item with no text: just its number
            pending = None
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
            elif text or pending is not None:
                if pending is not None:
                    text = f"{pending} {text}".rstrip()
                    pending = None
                entries.append((text, list_id if list_depth else -1))
        elif t in ("fence", "code_block", "math_block"):
            text = math_source(tok) if t == "math_block" else tok.content.rstrip("\n")
            if pending is not None:
                text = f"{pending} {text}".rstrip()
                pending = None
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
