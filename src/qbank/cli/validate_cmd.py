"""``qbank validate``: check a bank and report in the format CI or a person needs.

Exit codes follow ruff: 0 clean (warnings allowed), 1 errors found (or warnings with
``--strict``), 2 usage, configuration or internal error; ``--exit-zero`` for advisory runs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from qbank.cli import main
from qbank.cli.common import CommandError, default_bank, find_bank, guarded, load
from qbank.validate.reporters import FORMATS

if TYPE_CHECKING:
    from qbank.diagnostics import Problem
    from qbank.load import Bank


def default_format() -> str:
    """``github`` under GitHub Actions (annotations), else ``full``."""
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "full"


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[BANK | FILE...]")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Output format (default: github under GitHub Actions, else full).",
)
@click.option("--output-format", "fmt_alias", type=click.Choice(FORMATS), default=None, hidden=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE (atomically) instead of standard output.",
)
@click.option(
    "--changed-since",
    metavar="REV",
    help="Pull-request mode: report only what the questions added or changed since git REV "
    "break (duplicates: those questions against the whole bank).",
)
@click.option(
    "--all-findings",
    is_flag=True,
    help="With --changed-since: report the findings of every question, not only the changed.",
)
@click.option(
    "--similarity-threshold",
    type=click.IntRange(50, 100),
    help="Near-duplicate threshold, 50-100 (default: the manifest's dedup.threshold, else 85).",
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="LIST",
    help="Export targets to check (comma-separated: moodle, gift, qti, qti3): rules QB7xx "
    "report, per question, what a target cannot carry. Default: the manifest's `targets:`.",
)
@click.option(
    "--statistics",
    is_flag=True,
    help="Print only the number of findings per rule (count, id, name, level, fixable) and "
    "the summary, like `ruff --statistics`.",
)
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
@click.option("--exit-zero", is_flag=True, help="Always exit 0 (advisory runs).")
@guarded
def validate(
    paths: tuple[Path, ...],
    fmt: str | None,
    fmt_alias: str | None,
    output: Path | None,
    changed_since: str | None,
    all_findings: bool,
    similarity_threshold: int | None,
    targets: tuple[str, ...],
    statistics: bool,
    strict: bool,
    exit_zero: bool,
) -> None:
    """Check BANK: YAML, schema, answer keys, item-writing lint, duplicates, media, taxonomy.

    Given files instead of a folder (what pre-commit passes), checks those files in the
    context of their bank (the nearest folder upward holding qbank.yaml): the whole bank is
    loaded, near-duplicates are looked for between the files' questions and the bank, and
    only the files' findings are reported. Configure rules in qbank.yaml (lint: select /
    ignore / severity) and per question with a comment `# qbank: disable=QB402`.
    `qbank rules` lists the rules.
    """
    from qbank.validate.engine import ConfigError, Options
    from qbank.validate.engine import validate as run
    from qbank.validate.reporters import Coverage, ReportContext, get

    if output is not None and output.is_dir():
        raise CommandError(f"--output {output} is a folder; give a file name")
    chosen: set[str] | None = None
    if targets:
        from qbank.validate.rules.targets import parse_targets

        try:
            chosen = parse_targets(targets)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--target") from None
    bank, files = _bank_and_files(paths)
    loaded = load(bank)
    options = Options(
        similarity_threshold=similarity_threshold,
        progress=sys.stderr.isatty(),
        targets=chosen,
        all_findings=all_findings,
    )
    if all_findings and not changed_since:
        raise CommandError("--all-findings goes with --changed-since REV")
    scope = ""
    wanted: set[str] | None = None
    if files is not None:
        wanted = {_rel_in(f, bank) for f in files}
        if not changed_since:
            options.changed_ids = {q.id for q in loaded.questions if q.file in wanted}
            options.changed_files = wanted
        scope = f"{len(wanted)} file{'s' if len(wanted) != 1 else ''} checked with the whole bank"
    if changed_since:
        from qbank.validate.changes import ChangesError, changes

        try:
            options.changed_ids, options.changed_files = changes(loaded, changed_since)
        except ChangesError as exc:
            raise CommandError(str(exc)) from None
    try:
        report = run(loaded, options)
    except ConfigError as exc:
        raise CommandError(
            f"configuration error in {loaded.root / 'qbank.yaml'}: {exc}"
            if exc.location is None
            else f"configuration error: {_shown(loaded.root, exc)}"
        ) from None
    if options.changed_ids is not None and changed_since:
        scope = _scope(len(options.changed_ids), len(loaded.questions), all_findings)
    problems = report.problems
    checked = len(loaded.questions)
    if wanted is not None:
        problems = [p for p in problems if _concerns(p, wanted)]
        checked = sum(q.file in wanted for q in loaded.questions)
    name = fmt or fmt_alias or default_format()
    if statistics and (fmt or fmt_alias) not in (None, "full", "concise"):
        raise CommandError(
            "--statistics prints a text table; use it without --format json/sarif/github"
        )
    coverage = None
    if wanted is not None:
        full = Coverage.of(loaded)
        coverage = Coverage(
            checked=checked,
            unparsed=tuple(rel for rel in full.unparsed if rel in wanted),
            partial=tuple((rel, line) for rel, line in full.partial if rel in wanted),
        )
    ctx = ReportContext(
        problems,
        loaded,
        checked=checked,
        fixable=_fixable(loaded, problems),
        scope=scope,
        coverage=coverage,
    )
    data: bytes | None = None
    if statistics:
        from qbank.validate.reporters.full_format import render_statistics

        text = render_statistics(ctx)
        name = "full"
    elif name == "json" and output is not None:
        from qbank.validate.reporters.json_format import render_bytes

        # what atomic_write_text would write, without decoding and encoding 35 MB again
        text, data = "", render_bytes(ctx)
    else:
        text = get(name)(ctx)
    if name == "github":
        from qbank.validate.reporters.github_format import write_step_summary

        write_step_summary(ctx)
    if output is not None:
        from qbank.fsutil import atomic_write_bytes, atomic_write_text, display, protect

        with protect(loaded.root):
            if data is not None:
                atomic_write_bytes(output, data)
            else:
                atomic_write_text(output, text)
        click.echo(f"{ctx.summary()} Report written to {display(output)}.", err=True)
    else:
        click.echo(text, nl=False)
    if wanted is not None:
        report.problems = problems
    sys.exit(report.exit_code(strict=strict, exit_zero=exit_zero))


def _bank_and_files(paths: tuple[Path, ...]) -> tuple[Path, list[Path] | None]:
    """The bank folder and, when files were given, those files (all in that bank)."""
    if not paths:
        return default_bank(), None
    folders = [p for p in paths if p.is_dir()]
    if folders:
        if len(paths) > 1:
            raise CommandError("give one bank folder, or files of one bank")
        return folders[0], None
    missing = [p for p in paths if not p.exists()]
    if missing:
        if len(paths) == 1:
            raise CommandError(
                f"bank folder not found: {missing[0]} (BANK defaults to the nearest folder "
                "upward holding qbank.yaml, else ./bank; `qbank init` starts one)"
            )
        raise CommandError(f"no such file: {missing[0]}")
    other = [p for p in paths if not p.name.endswith((".yaml", ".yml"))]
    if other:  # else a README.md would be "0 questions, all passed"
        raise CommandError(
            f"{other[0]}: qbank validate checks a bank folder or its YAML files (.yaml, .yml)"
        )
    roots = {find_bank(p.parent) for p in paths}
    if None in roots:
        outside = next(p for p in paths if find_bank(p.parent) is None)
        raise CommandError(f"{outside} is not inside a bank (no qbank.yaml in a folder above it)")
    if len(roots) > 1:
        raise CommandError("the files belong to different banks; validate each bank separately")
    root = roots.pop()
    assert root is not None
    try:
        shown = Path(os.path.relpath(root))
    except ValueError:  # pragma: no cover - another drive on Windows
        shown = root
    return shown, list(paths)


def _rel_in(path: Path, bank: Path) -> str:
    return path.resolve().relative_to(bank.resolve()).as_posix()


def _concerns(p: Problem, files: set[str]) -> bool:
    return p.location.file in files or any(r.location.file in files for r in p.related)


def _fixable(bank: Bank, problems: list[Problem]) -> int:
    """How many findings `qbank fix` fixes (tried in memory on the files concerned)."""
    from qbank.diagnostics import fixable_findings

    candidates = fixable_findings(problems)
    if not candidates:
        return 0
    from qbank.validate.fix import fix_text

    count = 0
    for rel in sorted({p.location.file for p in candidates}):
        src = bank.files.get(rel)
        if src is None:
            continue
        text = src.text
        if not text:  # the loader keeps no text for files it could not decode
            continue
        _, fixed = fix_text(text, Path(rel).name, ("QB001", "QB003", "QB008"))
        count += sum(1 for p in candidates if p.location.file == rel and fixed[p.rule])
    return count


def _shown(root: Path, exc: object) -> str:
    """``bank/qbank.yaml:12:5: message`` with the path as the user typed the bank."""
    from qbank.validate.engine import ConfigError

    assert isinstance(exc, ConfigError) and exc.location is not None
    loc = exc.location
    return f"{(root / loc.file).as_posix()}:{loc.line}:{loc.col}: {exc.message}"


def _scope(changed: int, total: int, all_findings: bool) -> str:
    """The summary's account of a pull-request run."""
    what = f"{changed:,} changed question{'s' if changed != 1 else ''}"
    text = f"pull-request mode: compared {what} with {total:,}"
    if all_findings:
        return text + "; findings of every question shown"
    others = total - changed
    if others <= 0:
        return text
    return text + f"; findings of the other {others:,} not shown: --all-findings shows them"
