"""``qbank validate``: check a bank and report in the format CI or a person needs.

Exit codes follow ruff: 0 clean (warnings allowed), 1 errors found (or warnings with
``--strict``), 2 usage, configuration or internal error; ``--exit-zero`` for advisory runs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from qbank.cli import main
from qbank.cli.common import CommandError, bank_argument, guarded, load
from qbank.validate.reporters import FORMATS


def default_format() -> str:
    """``github`` under GitHub Actions (annotations), else ``full``."""
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "full"


@main.command()
@bank_argument
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
    help="Pull-request mode: compare only questions changed since git REV for duplicates.",
)
@click.option(
    "--similarity-threshold",
    type=click.IntRange(1, 100),
    help="Near-duplicate threshold (default: the manifest's dedup.threshold, else 85).",
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="LIST",
    help="Export targets to check (comma-separated: moodle, gift, qti, qti3): rules QB7xx "
    "report, per question, what a target cannot carry. Default: the manifest's `targets:`.",
)
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
@click.option("--exit-zero", is_flag=True, help="Always exit 0 (advisory runs).")
@guarded
def validate(
    bank: Path,
    fmt: str | None,
    fmt_alias: str | None,
    output: Path | None,
    changed_since: str | None,
    similarity_threshold: int | None,
    targets: tuple[str, ...],
    strict: bool,
    exit_zero: bool,
) -> None:
    """Check BANK: YAML, schema, answer keys, item-writing lint, duplicates, media, taxonomy.

    Configure rules in qbank.yaml (lint: select / ignore / severity) and per question with a
    comment `# qbank: disable=QB402`. `qbank rules` lists the rules.
    """
    from qbank.validate.engine import ConfigError, Options
    from qbank.validate.engine import validate as run
    from qbank.validate.reporters import ReportContext, get

    if output is not None and output.is_dir():
        raise CommandError(f"--output {output} is a folder; give a file name")
    chosen: set[str] | None = None
    if targets:
        from qbank.validate.rules.targets import parse_targets

        try:
            chosen = parse_targets(targets)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--target") from None
    loaded = load(bank)
    options = Options(
        similarity_threshold=similarity_threshold, progress=sys.stderr.isatty(), targets=chosen
    )
    if changed_since:
        try:
            from qbank.validate.changes import ChangesError, changed_question_ids
        except ImportError as exc:  # pragma: no cover - shipped with the dedup engine
            raise CommandError("--changed-since is not available in this build") from exc
        try:
            options.changed_ids = changed_question_ids(loaded, changed_since)
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
    name = fmt or fmt_alias or default_format()
    ctx = ReportContext(report.problems, loaded, checked=len(loaded.questions))
    text = get(name)(ctx)
    if name == "github":
        from qbank.validate.reporters.github_format import write_step_summary

        write_step_summary(ctx)
    if output is not None:
        from qbank.fsutil import atomic_write_text

        atomic_write_text(output, text)
        click.echo(f"{ctx.summary()} Report written to {output}.", err=True)
    else:
        click.echo(text, nl=False)
    sys.exit(report.exit_code(strict=strict, exit_zero=exit_zero))


def _shown(root: Path, exc: object) -> str:
    """``bank/qbank.yaml:12:5: message`` with the path as the user typed the bank."""
    from qbank.validate.engine import ConfigError

    assert isinstance(exc, ConfigError) and exc.location is not None
    loc = exc.location
    return f"{(root / loc.file).as_posix()}:{loc.line}:{loc.col}: {exc.message}"
