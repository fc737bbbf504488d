"""``qbank export TARGET``: the group and the steps every target shares.

Each target module (``export_anki``, ``export_docx``, ``export_web``) adds its command
with :func:`export_command`, which supplies BANK, ``-o``, the selection options and
``--skip-invalid``, and runs: load → check → draw → write (atomically).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from qbank.cli import main
from qbank.cli.common import (
    CommandError,
    Refused,
    bank_argument,
    build_selection,
    guarded,
    load,
    selection_failed,
    selection_options,
)


@main.group()
def export() -> None:
    """Export BANK (or a selection of it) to Anki, Word, web quiz or LMS formats."""


def export_command(
    name: str, *, default_suffix: str, help: str
) -> Callable[[Callable[..., Any]], Any]:
    """Register ``qbank export NAME``. The wrapped function receives
    ``(draw, output, **target_options)`` and writes ``output``; it may return the list of
    paths it wrote instead (those are then reported instead of ``output``).
    """

    def decorate(fn: Callable[..., Any]) -> Any:
        @export.command(name, help=help)
        @bank_argument
        @click.option(
            "--output",
            "-o",
            type=click.Path(dir_okay=False, path_type=Path),
            help=f"Output file (default: <bank id>{default_suffix}).",
        )
        @selection_options
        @click.option("--title", help="Title (default: the quiz's title, else the bank's).")
        @click.option(
            "--skip-invalid",
            is_flag=True,
            help="Export the valid questions and name the ones left out.",
        )
        @click.option(
            "--language",
            metavar="LANG",
            help="Language of everything students and teachers read around the questions "
            "(instructions, buttons, headers), e.g. de, fr, pt-BR; right-to-left for ar, he "
            "(default: the manifest's `language`, else English).",
        )
        @click.option(
            "--manifest",
            "manifest_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Also write the draw's manifest (seed, forms, question ids, option order) "
            "as JSON, linking this export to its key and other exports of the same draw.",
        )
        @functools.wraps(fn)
        @guarded
        def command(**options: Any) -> None:
            from qbank.markup import resolution_cache

            with resolution_cache():  # the check and the export resolve each image once
                run(**options)

        def run(
            bank: Path,
            output: Path | None,
            title: str | None,
            skip_invalid: bool,
            language: str | None,
            manifest_path: Path | None,
            **kwargs: Any,
        ) -> None:
            from qbank.draw import SelectionError, draw
            from qbank.export import ExportRefused, check_for_export

            selection = build_selection(kwargs, title=title)
            loaded = load(bank)
            from qbank.validate.engine import ConfigError

            try:
                checked = check_for_export(loaded, skip_invalid=skip_invalid)
            except ConfigError as exc:
                raise CommandError(str(exc)) from None
            except ExportRefused as refused:
                report_problems(loaded, refused.problems)
                raise Refused(
                    f"export refused: {len(refused.problems)} error(s) in the bank "
                    "(fix them, or use --skip-invalid to export the valid questions)"
                ) from None
            if checked.skipped:
                click.echo(
                    f"qbank: skipped {len(checked.skipped)} invalid question(s): "
                    + ", ".join(checked.skipped[:20])
                    + (" …" if len(checked.skipped) > 20 else ""),
                    err=True,
                )
            if language:
                set_language(checked.bank, language)
            try:
                drawn = draw(checked.bank, selection)
            except SelectionError as exc:
                raise selection_failed(exc) from None
            target = output or Path(f"{loaded.id}{default_suffix}")
            if target.exists() and target.is_dir():
                raise CommandError(f"output {target} is a folder; give a file name")
            written = fn(drawn, target, bank=checked.bank, **kwargs)
            # a target may write other files than `target` (e.g. one file per form)
            paths = list(written) if isinstance(written, list) and written else [target]
            if manifest_path is not None:
                from qbank.draw import write_manifest

                paths.append(write_manifest(drawn, manifest_path))
            for path in paths:
                click.echo(f"wrote {path}", err=True)

        return command

    return decorate


def set_language(bank: Any, language: str) -> None:
    """``--language``: the exports read the language from the bank's manifest."""
    from qbank.model import Manifest

    if bank.manifest is not None:
        bank.manifest = bank.manifest.model_copy(update={"language": language})
    else:
        bank.manifest = Manifest.model_construct(id=bank.id, title=bank.title, language=language)


def report_problems(bank: Any, problems: list[Any]) -> None:
    from qbank.validate.reporters import ReportContext, get

    ctx = ReportContext(problems, bank, checked=len(bank.questions))
    click.echo(get("concise")(ctx), err=True, nl=False)


for _name in ("export_anki", "export_docx", "export_web", "export_lms", "export_sheet"):
    try:
        importlib.import_module(f"qbank.cli.{_name}")
    except ModuleNotFoundError as _exc:
        if _exc.name != f"qbank.cli.{_name}":
            raise
