"""``concise``: one line per problem, ``path:line:col: QB201 [error] message``."""

from __future__ import annotations

from qbank.diagnostics import Problem
from qbank.validate.reporters import ReportContext


def line(ctx: ReportContext, p: Problem) -> str:
    loc = p.location
    return f"{ctx.path(loc.file)}:{loc.line}:{loc.col}: {p.rule} [{p.severity}] {p.message}"


def render(ctx: ReportContext) -> str:
    lines = [line(ctx, p) for p in ctx.problems]
    lines.append(ctx.summary())
    return "\n".join(lines) + "\n"
