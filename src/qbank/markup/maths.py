"""The maths plugin: ``\\( … \\)`` (inline) and ``\\[ … \\]`` (display), captured before
CommonMark's escape rule would drop the backslash; the content is kept verbatim. A delimiter
without its partner becomes a ``math_stray`` token (kept as text, reported by
:meth:`~qbank.markup.Markup.unbalanced_math`).
"""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

MATH_CLOSE = {"(": ")", "[": "]"}
MATH_OPEN = {")": "(", "]": "["}


def find_math_close(
    src: str, pos: int, stop: int, close: str, dead: bytearray | None = None
) -> int:
    """Index of the ``\\`` of the first closing delimiter ``\\<close>`` in src[pos:stop].

    Backslash pairs are skipped as units, so LaTeX's ``\\\\`` (a line break, as in
    ``a \\\\) b``) never reads as a delimiter.

    ``dead`` (one byte per character of ``src``) remembers the positions a failed scan with
    the same ``stop`` stepped on: a later scan reaching one of them fails too, so 100,000
    stray ``\\(`` cost one pass instead of 100,000 (the scan was quadratic, issue 17).
    """
    i = pos
    seen: list[int] = []
    while i < stop - 1:
        if dead is not None:
            if dead[i]:
                break
            seen.append(i)
        if src[i] == "\\":
            if src[i + 1] == close:
                return i
            i += 2
        else:
            i += 1
    if dead is not None:
        for j in seen:
            dead[j] = 1
    return -1


def _dead_marks(env: Any, kind: str, src: str, *key: int) -> bytearray:
    """The failed-scan memory for ``src`` (kept in the parser's ``env`` for one parse)."""
    memo = env.setdefault("qbank_math_memo", {})
    entry = memo.get((kind, *key))
    if entry is None or entry[0] is not src:
        entry = (src, bytearray(len(src) + 1))
        memo[(kind, *key)] = entry
    return entry[1]


def _math_inline_rule(state: StateInline, silent: bool) -> bool:
    """Capture ``\\(…\\)`` / ``\\[…\\]`` before CommonMark's escape rule turns ``\\(``
    into ``(``. A delimiter without a partner becomes a ``math_stray`` token that renders as
    the literal delimiter (so the author sees it) and feeds :meth:`Markup.unbalanced_math`."""
    pos = state.pos
    src = state.src
    if src[pos] != "\\" or pos + 1 >= state.posMax:
        return False
    ch = src[pos + 1]
    if ch in MATH_CLOSE:
        close = MATH_CLOSE[ch]
        dead = _dead_marks(state.env, close, src, state.posMax)
        end = find_math_close(src, pos + 2, state.posMax, close, dead)
        if end >= 0:
            if not silent:
                token = state.push("math_inline", "span", 0)
                token.content = src[pos + 2 : end]
                token.markup = "\\" + ch
            state.pos = end + 2
            return True
    elif ch not in MATH_OPEN:
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
    # A scan that failed from an earlier line failed on every line it passed: a later
    # start on one of those lines fails the same way (each line is scanned from its start,
    # and `\[` at a line start is skipped as a pair either way). Remembering them keeps
    # 100,000 lines of `\[` linear.
    failed = _dead_marks(state.env, "block", src, end_line, state.blkIndent)
    if failed[start_line]:
        return False
    line = start_line
    pos = begin + 2
    close_line = -1
    while line < end_line:
        if line > start_line:
            if not state.isEmpty(line) and state.sCount[line] < state.blkIndent:
                failed[start_line:line] = b"\x01" * (line - start_line)
                return False  # the enclosing list item or quote ended
            pos = state.bMarks[line] + state.tShift[line]
        stop = state.eMarks[line]
        idx = find_math_close(src, pos, stop, "]")
        if idx >= 0:
            if src[idx + 2 : stop].strip():
                failed[start_line : line + 1] = b"\x01" * (line + 1 - start_line)
                return False  # text after `\]`: an inline display formula in a paragraph
            close_line = line
            break
        line += 1
    if close_line < 0:
        failed[start_line:end_line] = b"\x01" * (end_line - start_line)
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


def math_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("escape", "math_inline", _math_inline_rule)
    md.block.ruler.before(
        "fence",
        "math_block",
        _math_block_rule,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )


def math_source(token: Token | SyntaxTreeNode) -> str:
    """Maths verbatim with its delimiters."""
    opener = token.markup or "\\("
    return opener + token.content + "\\" + MATH_CLOSE[opener[1]]
