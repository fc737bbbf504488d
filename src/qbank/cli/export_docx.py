"""``qbank export docx``: printable Word worksheets and answer keys.

The selection options, ``--output``, ``--title`` and ``--skip-invalid`` come from
:func:`qbank.cli.export_cmd.export_command`; this module adds the worksheet options and
calls :func:`qbank.export.docx.export`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from qbank.cli.common import CommandError
from qbank.cli.export_cmd import export_command
from qbank.fsutil import is_stream

HELP = """Export a draw from BANK as printable Word worksheets with an answer key.

One form writes OUTPUT and OUTPUT-key.docx; with --forms N each form gets its own file
(OUTPUT-A.docx, OUTPUT-B.docx, …) and the key covers every form. Paper defaults to Letter
where the locale uses it (en_US, en_CA, es_MX, …) and to A4 elsewhere. Layout settings
(fonts, sizes, spacing, margins) are in exporters/docx/style.yaml.
"""


@click.option(
    "--style",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A layout file overriding exporters/docx/style.yaml (keys left out keep their value).",
)
@click.option(
    "--columns",
    type=click.Choice(["1", "2"]),
    default="1",
    show_default=True,
    help="Set the questions in two columns (suits short options; not with --large-print).",
)
@click.option(
    "--large-print",
    is_flag=True,
    help="About 17 pt sans-serif, more space, one column, no italics.",
)
@click.option(
    "--paper",
    type=click.Choice(["a4", "letter"]),
    default=None,
    help="Paper size (default: from the locale: Letter for en_US, en_CA, es_MX…, else A4).",
)
@click.option(
    "--key",
    type=click.Choice(["separate", "append", "none"]),
    default="separate",
    show_default=True,
    help="Answer key: a separate OUTPUT-key.docx, appended after each worksheet, or none.",
)
@export_command("docx", default_suffix=".docx", help=HELP)
def docx(
    drawn: Any,
    target: Path,
    *,
    bank: Any,
    key: str = "separate",
    paper: str | None = None,
    large_print: bool = False,
    columns: str = "1",
    style: Path | None = None,
    **_: Any,
) -> list[Path]:
    from qbank.export.docx import DocxExportError, default_paper, export

    if is_stream(target) and (key == "separate" or len(drawn.forms) > 1):
        raise CommandError(
            "a stream output takes one file: use --key append or --key none and one form"
        )
    try:
        result = export(
            drawn,
            target,
            bank=bank,
            key=key,
            paper=paper or default_paper(),
            large_print=large_print,
            columns=int(columns),
            style=style,
        )
    except DocxExportError as exc:
        raise CommandError(str(exc)) from None
    for warning in result.warnings:
        click.echo(f"qbank: warning: {warning}", err=True)
    return result.files
