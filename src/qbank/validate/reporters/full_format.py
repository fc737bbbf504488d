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
    """The code frame of a finding: the line before (:data:`_CONTEXT_LINES`), its line,
    both clipped to a window around the column (:func:`window`, :func:`clip`), and a caret
    line under the spot. Each line's tabs are expanded once."""
    loc = p.location
    src = ctx.bank.files.get(loc.file)
    if src is None or not src.text:
        return []
    lines = src.lines
    line, col = loc.line, loc.col
    if not 1 <= line <= len(lines):
        return []
    width = len(str(line))
    target = lines[line - 1].expandtabs(1)
    start = window(target, col)
    out = [f"{' ' * width} |"]
    for n in range(max(1, line - _CONTEXT_LINES), line):
        text = lines[n - 1].expandtabs(1)
        shown = clip(text, start if len(text) > start else 0)[0]
        out.append(f"{n:>{width}} | {shown}".rstrip())
    # the target line: ``start < len(target)`` whenever it is not 0 (see window)
    shown, lead = clip(target, start)
    out.append(f"{line:>{width}} | {shown}".rstrip())
    end_col = loc.end_col
    if loc.end_line == line and end_col and end_col > col:
        span = end_col - col
    else:
        span = max(1, len(target[col - 1 :].rstrip()))
    offset = col - 1 - start
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
