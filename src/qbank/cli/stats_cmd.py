"""``qbank stats``: blueprint coverage, type, difficulty and status mix of a bank."""

from __future__ import annotations

from pathlib import Path

import click

from qbank.cli import main
from qbank.cli.common import CommandError, bank_argument, guarded, load


@main.command()
@bank_argument
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    help="text (terminal), markdown (a pull-request comment) or json.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE (atomically) instead of standard output.",
)
@guarded
def stats(bank: Path, fmt: str, output: Path | None) -> None:
    """Questions per topic against the blueprint weights, type/difficulty/status mix and
    questions missing an explanation."""
    from qbank import stats as bank_stats

    if output is not None and output.is_dir():
        raise CommandError(f"--output {output} is a folder; give a file name")
    result = bank_stats.compute(load(bank))
    if fmt == "json":
        text = bank_stats.to_json(result)
    else:
        text = bank_stats.render(result, markdown=fmt == "markdown")
    if output is not None:
        from qbank.fsutil import atomic_write_text, display, protect

        with protect(bank):
            atomic_write_text(output, text)
        click.echo(f"wrote {display(output)}", err=True)
    else:
        click.echo(text, nl=False)
