"""``qbank export json | surveyjs | html``: the web quiz targets (DESIGN §7).

Thin wrappers: the library functions in :mod:`qbank.export.web.quiz_json`,
:mod:`qbank.export.web.surveyjs` and :mod:`qbank.export.web.html` do the work and return warnings
(what a target could not carry); this layer prints them on stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from qbank.cli.common import CommandError
from qbank.cli.export_cmd import export_command
from qbank.fsutil import is_stream


def _warn(warnings: list[str]) -> None:
    for line in warnings:
        click.echo(f"qbank: warning: {line}", err=True)


@click.option(
    "--media",
    type=click.Choice(["embed", "copy"]),
    default="embed",
    show_default=True,
    help="Images as data: URIs in the file, or copied into <output stem>-media/ beside it.",
)
@click.option(
    "--answers",
    type=click.Choice(["include", "omit"]),
    default="include",
    show_default=True,
    help="omit: a student copy without keys, feedback or explanations.",
)
@export_command(
    "json",
    default_suffix=".quiz.json",
    suffixes=(".json",),
    help="qbank quiz JSON, format v1 (JSON Schema: exporters/web/quiz.schema.v1.json).",
)
def export_json(drawn: Any, target: Path, *, bank: Any, answers: str, media: str) -> None:
    from qbank.export.web import quiz_json

    if is_stream(target) and media == "copy":
        raise CommandError("--media copy writes image files beside the output; not with -o -")
    _warn(quiz_json.export(drawn, target, bank=bank, answers=answers, media=media))  # type: ignore[arg-type]


@export_command(
    "surveyjs",
    default_suffix=".survey.json",
    suffixes=(".json",),
    help="SurveyJS JSON that SurveyJS loads and grades as is (one file per form).",
)
def export_surveyjs(drawn: Any, target: Path, *, bank: Any) -> list[Path]:
    from qbank.export.web import surveyjs

    if is_stream(target) and len(drawn.forms) > 1:
        raise CommandError("several forms write one file each; give -o FILE, not a stream")
    written, warnings = surveyjs.export(drawn, target, bank=bank)
    _warn(warnings)
    return written


@click.option(
    "--player",
    "player",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder with your own player.html / player.js / player.css (missing ones: built-in).",
)
@click.option(
    "--feedback",
    type=click.Choice(["immediate", "end"]),
    default="immediate",
    show_default=True,
    help="Show right/wrong and explanations after each question, or only at the end.",
)
@export_command(
    "html",
    default_suffix=".quiz.html",
    suffixes=(".html", ".htm"),
    help="One self-contained offline HTML page that plays the quiz.",
)
def export_html(drawn: Any, target: Path, *, bank: Any, feedback: str, player: Path | None) -> None:
    from qbank.export.web import html

    try:
        warnings = html.export(drawn, target, bank=bank, feedback=feedback, player=player)  # type: ignore[arg-type]
    except html.PlayerError as exc:
        raise CommandError(str(exc)) from None
    _warn(warnings)
