"""``full`` (default): each problem with a code frame, a caret under the spot and the hint,
then a tally by rule (like ``ruff --statistics``) and the summary.

Code frames show at most :data:`FRAME_WIDTH` characters of a line: a long line (a pasted
4,000-character case study) is clipped to a window around the column, with ``…`` where text
was cut, so the caret still points at the spot.
"""

from __future__ import annotations

from qbank.diagnostics import Problem
from qbank.validate.reporters import ReportContext, render_tally

_CONTEXT_LINES = 1
#: characters of a source line a code frame shows
FRAME_WIDTH = 120
#: characters kept before the column when a line is clipped
_LEAD = 40
_ELLIPSIS = "…"


def clip(text: str, start: int, width: int = FRAME_WIDTH) -> tuple[str, int]:
    """``text[start:start + width]`` with ``…`` where it was cut; (shown, chars added in front).

    The second value is how far the caret moves: 1 when a leading ``…`` was added.
    """
    if start == 0 and len(text) <= width:
        return text, 0
    shown = text[start : start + width]
    lead = 0
    if start > 0:
        shown = _ELLIPSIS + shown
        lead = 1
    if start + width < len(text.rstrip()):
        shown += _ELLIPSIS
    return shown, lead


def window(line: str, col: int, width: int = FRAME_WIDTH) -> int:
    """Where a clipped view of ``line`` starts so that (1-based) ``col`` is well inside."""
    if len(line) <= width:
        return 0
    start = max(0, col - 1 - _LEAD)
    return min(start, max(0, len(line) - width))


def frame(ctx: ReportContext, p: Problem) -> list[str]:
    src = ctx.bank.files.get(p.location.file)
    if src is None or not src.text:
        return []
    lines = src.lines
    loc = p.location
    if not 1 <= loc.line <= len(lines):
        return []
    first = max(1, loc.line - _CONTEXT_LINES)
    width = len(str(loc.line))
    target = lines[loc.line - 1].expandtabs(1)
    start = window(target, loc.col)
    out = [f"{' ' * width} |"]
    lead = 0
    for n in range(first, loc.line + 1):
        text = lines[n - 1].expandtabs(1)
        shown, moved = clip(text, start if len(text) > start else 0)
        if n == loc.line:
            lead = moved
        out.append(f"{n:>{width}} | {shown}".rstrip())
    if loc.end_line == loc.line and loc.end_col and loc.end_col > loc.col:
        span = loc.end_col - loc.col
    else:
        rest = target[loc.col - 1 :]
        span = max(1, len(rest.rstrip()))
    offset = loc.col - 1 - start
    room = max(1, FRAME_WIDTH - offset)
    out.append(f"{' ' * width} | {' ' * (offset + lead)}{'^' * min(span, room, 80)}")
    return out


def render(ctx: ReportContext) -> str:
    blocks: list[str] = []
    for p in ctx.problems:
        loc = p.location
        lines = [f"{ctx.path(loc.file)}:{loc.line}:{loc.col}: {p.rule} [{p.severity}] {p.message}"]
        lines.extend(frame(ctx, p))
        for rel in p.related:
            lines.append(
                f"  = note: {rel.message} at {ctx.path(rel.location.file)}:"
                f"{rel.location.line}:{rel.location.col}"
            )
        if p.hint:
            lines.append(f"  = help: {p.hint}")
        blocks.append("\n".join(lines))
    if ctx.problems:
        blocks.append("Findings by rule:\n" + render_tally(ctx.tally()))
    blocks.append(ctx.summary())
    return "\n\n".join(blocks) + "\n"


def render_statistics(ctx: ReportContext) -> str:
    """``--statistics``: only the tally by rule and the summary."""
    if not ctx.problems:
        return ctx.summary() + "\n"
    return render_tally(ctx.tally()) + "\n\n" + ctx.summary() + "\n"
