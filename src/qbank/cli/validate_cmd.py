"""``qbank validate``: check a bank and report in the format CI or a person needs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from qbank.cli import main
from qbank.cli.common import CommandError, bank_argument, guarded, load
from qbank.validate.reporters import FORMATS


def default_format() -> str:
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
    help="Write the report to FILE instead of standard output.",
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
    strict: bool,
    exit_zero: bool,
) -> None:
    """Check BANK: YAML, schema, answer keys, item-writing lint, duplicates, taxonomy."""
    from qbank.validate.engine import Options
    from qbank.validate.engine import validate as run
    from qbank.validate.reporters import ReportContext, get

    loaded = load(bank)
    options = Options(similarity_threshold=similarity_threshold, progress=sys.stderr.isatty())
    if changed_since:
        try:
            from qbank.validate.changes import changed_question_ids
        except ImportError as exc:  # pragma: no cover - shipped with the dedup engine
            raise CommandError("--changed-since is not available in this build") from exc
        options.changed_ids = changed_question_ids(loaded, changed_since)
    report = run(loaded, options)
    ctx = ReportContext(report.problems, loaded, checked=len(loaded.questions))
    text = get(fmt or fmt_alias or default_format())(ctx)
    if output is not None:
        from qbank.fsutil import atomic_write_text

        atomic_write_text(output, text)
    else:
        click.echo(text, nl=False)
    sys.exit(report.exit_code(strict=strict, exit_zero=exit_zero))
