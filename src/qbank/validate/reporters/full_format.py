"""``full`` (default): each problem with a code frame, a caret under the spot and the hint."""

from __future__ import annotations

from qbank.diagnostics import Problem
from qbank.validate.reporters import ReportContext

_CONTEXT_LINES = 1


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
    out = [f"{' ' * width} |"]
    for n in range(first, loc.line + 1):
        out.append(f"{n:>{width}} | {lines[n - 1].expandtabs(1)}")
    span = 1
    if loc.end_line == loc.line and loc.end_col and loc.end_col > loc.col:
        span = loc.end_col - loc.col
    else:
        rest = lines[loc.line - 1][loc.col - 1 :]
        span = max(1, len(rest.rstrip()))
    out.append(f"{' ' * width} | {' ' * (loc.col - 1)}{'^' * min(span, 80)}")
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
    blocks.append(ctx.summary())
    return "\n\n".join(blocks) + "\n"
