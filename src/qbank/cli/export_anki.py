"""``qbank export anki``: an Anki package learners can re-import without losing reviews.

The selection options, ``--output`` and ``--skip-invalid`` come from
:func:`qbank.cli.export_cmd.export_command`; this module adds the Anki options and calls
:func:`qbank.export.anki.export`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from qbank.cli.common import CommandError, Refused
from qbank.cli.export_cmd import export_command

HELP = """Export BANK (or a selection) as an Anki package (.apkg).

Re-importing a newer export updates the questions that changed and keeps everything else
the learner did (reviews, own edits, tags). Each note carries the time its content last
changed, remembered in a state file (default BANK/.qbank/anki-state.json): commit it with
the bank. Set SOURCE_DATE_EPOCH for reproducible times in CI.
"""


@click.option(
    "--templates",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder of note templates/CSS overriding the shipped exporters/anki files.",
)
@click.option(
    "--option-order",
    type=click.Choice(["stable", "bank", "draw"]),
    default="stable",
    show_default=True,
    help="Order of choices: a fixed per-question shuffle, the bank's order, or the draw's.",
)
@click.option(
    "--no-state",
    is_flag=True,
    help="Keep no state: every note is stamped with now (or SOURCE_DATE_EPOCH).",
)
@click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="State file recording when each note last changed (default: BANK/.qbank/anki-state.json).",
)
@click.option(
    "--subdecks", is_flag=True, help="One sub-deck per top-level topic (e.g. Title::04 Operations)."
)
@click.option("--deck", metavar="NAME", help="Deck name (default: the bank title).")
@export_command("anki", default_suffix=".apkg", help=HELP, not_for=("forms", "vary_questions"))
def anki(
    drawn: Any,
    target: Path,
    *,
    bank: Any,
    deck: str | None = None,
    subdecks: bool = False,
    state_path: Path | None = None,
    no_state: bool = False,
    option_order: str = "stable",
    templates: Path | None = None,
    **_: Any,
) -> list[Path]:
    from qbank.export.anki import (
        AnkiMediaError,
        AnkiStateError,
        AnkiTemplateError,
        default_state_path,
        export,
        summary,
    )

    if no_state and state_path is not None:
        raise CommandError("--state and --no-state contradict each other; give one")
    state = None if no_state else (state_path or default_state_path(bank))
    try:
        result = export(
            drawn,
            target,
            bank=bank,
            deck=deck,
            subdecks=subdecks,
            state=state,
            option_order=option_order,  # type: ignore[arg-type]
            templates=templates,
        )
    except (AnkiStateError, AnkiTemplateError) as exc:
        raise CommandError(str(exc)) from None
    except AnkiMediaError as exc:  # an image changed or grew while the export ran
        raise Refused(f"export refused: {exc}") from None
    for qid, reason in result.skipped:
        click.echo(f"qbank: warning: skipped {qid}: {reason}", err=True)
    click.echo(f"qbank: {summary(result)}", err=True)
    return [target, *([result.state] if result.state and result.state_written else [])]
