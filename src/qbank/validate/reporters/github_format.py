"""``github``: GitHub Actions workflow commands, plus the full list in the job summary.

GitHub shows at most 10 error and 10 warning annotations per step and silently drops the
rest, so this format annotates the first ten of each (errors first, in file order), lists
the others as plain lines in a collapsed group, and says how many were left out.
:func:`write_step_summary` appends a Markdown table of *every* finding to
``$GITHUB_STEP_SUMMARY``, truncated with a note so the file stays under GitHub's 1 MiB.

Escaping follows the workflow-command rules: in the message ``%``, CR and LF become
``%25``, ``%0D`` and ``%0A``; in property values ``:`` and ``,`` also become ``%3A`` and
``%2C``. Plain lines never start with ``::`` (each starts with a path and has its line
breaks removed), so author text cannot smuggle in a command.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from qbank.diagnostics import RULES, Problem, Severity
from qbank.fsutil import printable
from qbank.validate.engine import report_order
from qbank.validate.reporters import ReportContext
from qbank.validate.reporters.sarif_format import repo_root

#: annotations GitHub shows per step and level
MAX_ANNOTATIONS = 10
#: GitHub's limit for one step's summary file
SUMMARY_LIMIT = 1024 * 1024
#: bytes kept free below the limit (other tools in the step may append a line or two)
SUMMARY_MARGIN = 4 * 1024


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def workspace_path(ctx: ReportContext, rel: str) -> str:
    """A bank file's path as GitHub resolves annotation paths: relative to the workspace
    (``$GITHUB_WORKSPACE``, else the repository root, else the current folder); worked out
    once per file of a report."""
    return ctx.per_file("github", rel, lambda rel: _workspace_path(ctx, rel))


def _workspace_path(ctx: ReportContext, rel: str) -> str:
    full = (ctx.bank.root / rel).resolve()
    for base in (os.environ.get("GITHUB_WORKSPACE"), repo_root(ctx.bank.root)):
        if base and full.is_relative_to(Path(base).resolve()):
            return full.relative_to(Path(base).resolve()).as_posix()
    return ctx.path(rel)


def _title(p: Problem) -> str:
    rule = RULES.get(p.rule)
    return f"{p.rule} {rule.name}" if rule else p.rule


def annotation(ctx: ReportContext, p: Problem) -> str:
    """One ``::error``/``::warning`` command for a problem."""
    loc = p.location
    props = [("file", workspace_path(ctx, loc.file)), ("line", str(loc.line))]
    props.append(("col", str(loc.col)))
    if loc.end_line is not None and loc.end_line >= loc.line:
        props.append(("endLine", str(loc.end_line)))
        if loc.end_line == loc.line and loc.end_col is not None and loc.end_col > loc.col:
            props.append(("endColumn", str(loc.end_col)))
    props.append(("title", _title(p)))
    message = p.message
    for rel in p.related:
        message += (
            f"\n{rel.message}: {workspace_path(ctx, rel.location.file)}:"
            f"{rel.location.line}:{rel.location.col}"
        )
    if p.hint:
        message += f"\nhelp: {p.hint}"
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{p.severity} {head}::{escape_data(message)}"


def plain_line(ctx: ReportContext, p: Problem) -> str:
    loc = p.location
    return _one_line(
        f"{workspace_path(ctx, loc.file)}:{loc.line}:{loc.col}: {p.rule} [{p.severity}] {p.message}"
    )


def split_annotated(problems: list[Problem]) -> tuple[list[Problem], list[Problem]]:
    """(annotated, left out): the first ten errors and the first ten warnings."""
    annotated: list[Problem] = []
    rest: list[Problem] = []
    count = {Severity.ERROR: 0, Severity.WARNING: 0}
    for p in sorted(problems, key=report_order):
        if count[p.severity] < MAX_ANNOTATIONS:
            count[p.severity] += 1
            annotated.append(p)
        else:
            rest.append(p)
    return annotated, rest


def render(ctx: ReportContext) -> str:
    annotated, rest = split_annotated(ctx.problems)
    lines = [annotation(ctx, p) for p in annotated]
    if rest:
        errors = sum(1 for p in rest if p.severity is Severity.ERROR)
        warnings = len(rest) - errors
        lines.append(f"::group::{len(rest)} more problems (not annotated)")
        lines.extend(plain_line(ctx, p) for p in rest)
        lines.append("::endgroup::")
        lines.append(
            f"qbank: {errors} more error{'s' if errors != 1 else ''} and {warnings} more "
            f"warning{'s' if warnings != 1 else ''} were not annotated (GitHub shows at most "
            f"{MAX_ANNOTATIONS} of each per step); all are listed above and in the job summary."
        )
    lines.append(ctx.summary())
    return "\n".join(lines) + "\n"


# -- job summary ---------------------------------------------------------------------------


def _cell(text: str) -> str:
    """Table-cell safe Markdown: HTML escaped, pipes escaped, line breaks as <br>."""
    text = printable(text)  # undecodable file names
    escaped = html.escape(text, quote=False).replace("|", "\\|")
    return "<br>".join(part.strip() for part in escaped.splitlines()) or " "


def _code(text: str) -> str:
    """Inline code for a table cell that author text cannot break out of: a ``<code>``
    element (HTML escaped, backticks as ``&#96;``) rather than a backtick span."""
    inner = _cell(text).replace("`", "&#96;")
    return f"<code>{inner}</code>"


def _blob_url(path: str, line: int) -> str | None:
    server = os.environ.get("GITHUB_SERVER_URL")
    repo = os.environ.get("GITHUB_REPOSITORY")
    sha = os.environ.get("GITHUB_SHA")
    if not (server and repo and sha):
        return None
    return f"{server}/{repo}/blob/{sha}/{path}#L{line}"


def summary_row(ctx: ReportContext, p: Problem) -> str:
    rule = RULES.get(p.rule)
    icon = "❌ error" if p.severity is Severity.ERROR else "⚠️ warning"
    rule_cell = f"[{p.rule}]({rule.help_uri}) {rule.name}" if rule else p.rule
    path = workspace_path(ctx, p.location.file)
    where = f"{path}:{p.location.line}:{p.location.col}"
    url = _blob_url(path, p.location.line)
    where_cell = f"[{_code(where)}]({url})" if url else _code(where)
    if p.question_id:
        where_cell += f"<br>{_code(p.question_id)}"
    message = p.message + (f"\nhelp: {p.hint}" if p.hint else "")
    return f"| {icon} | {rule_cell} | {where_cell} | {_cell(message)} |\n"


def step_summary(ctx: ReportContext, budget: int = SUMMARY_LIMIT - SUMMARY_MARGIN) -> str:
    """The Markdown summary of every finding, cut (with a note) to ``budget`` UTF-8 bytes."""
    head = f"## qbank validate: {ctx.bank.title}\n\n{ctx.summary()}\n\n"
    if not ctx.problems:
        return head
    head += "| level | rule | location | message |\n|---|---|---|---|\n"
    note_room = 400
    parts = [head]
    used = len(head.encode("utf-8"))
    shown = 0
    for p in ctx.problems:
        row = summary_row(ctx, p)
        size = len(row.encode("utf-8"))
        if used + size + note_room > budget:
            break
        parts.append(row)
        used += size
        shown += 1
    left = len(ctx.problems) - shown
    if left:
        parts.append(
            f"\n_… and {left} more finding{'s' if left != 1 else ''} not shown: a job summary "
            "is limited to 1 MiB. Run `qbank validate --format concise` for the full list._\n"
        )
    return "".join(parts)


def write_step_summary(ctx: ReportContext, path: str | Path | None = None) -> Path | None:
    """Append :func:`step_summary` to ``$GITHUB_STEP_SUMMARY`` (or ``path``); None if unset.

    Appending is what GitHub expects (several steps' tools share the file); the budget is
    what is left of 1 MiB after what the step already wrote.
    """
    target = path or os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    target = Path(target)
    try:
        existing = target.stat().st_size
    except OSError:
        existing = 0
    budget = SUMMARY_LIMIT - SUMMARY_MARGIN - existing
    if budget < 1024:
        return target  # no room left: GitHub would reject the whole summary
    text = step_summary(ctx, budget - 1)
    if existing:
        text = "\n" + text  # a blank line after what earlier tools wrote
    with target.open("a", encoding="utf-8") as fh:
        fh.write(text)
    return target
