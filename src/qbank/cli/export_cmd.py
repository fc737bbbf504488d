"""``qbank export TARGET``: the group and the steps every target shares.

Each target module (``export_anki``, ``export_docx``, ``export_web``) adds its command
with :func:`export_command`, which supplies BANK, ``-o``, the selection options and
``--skip-invalid``, and runs: load → check → draw → write (atomically).
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from qbank.cli import LazyGroup, main
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
from qbank.fsutil import STDOUT, display


@main.group(
    cls=LazyGroup,
    lazy={
        "anki": "qbank.cli.export_anki",
        "docx": "qbank.cli.export_docx",
        "json": "qbank.cli.export_web",
        "surveyjs": "qbank.cli.export_web",
        "html": "qbank.cli.export_web",
        "moodle": "qbank.cli.export_lms",
        "gift": "qbank.cli.export_lms",
        "qti": "qbank.cli.export_lms",
        "csv": "qbank.cli.export_sheet",
        "xlsx": "qbank.cli.export_sheet",
    },
)
def export() -> None:
    """Export BANK (or a selection of it) to Anki, Word, web quiz or LMS formats."""


def export_command(
    name: str,
    *,
    default_suffix: str,
    help: str,
    suffixes: tuple[str, ...] = (),
    not_for: tuple[str, ...] = (),
    default_for: Callable[[dict[str, Any]], str] | None = None,
    default_help: str | None = None,
) -> Callable[[Callable[..., Any]], Any]:
    """Register ``qbank export NAME``. The wrapped function receives
    ``(draw, output, **target_options)`` and writes ``output``; it may return the list of
    paths it wrote instead (those are then reported instead of ``output``).

    ``suffixes``: the file name endings this target writes (another one, e.g.
    ``export docx -o w.pdf``, is a usage error; ``-``, devices and FIFOs are exempt).
    ``not_for``: options that do not apply to this target (keys of :data:`_OPTION_NAMES`;
    giving one is a usage error rather than being silently ignored).
    """
    allowed = suffixes or (default_suffix,)

    def decorate(fn: Callable[..., Any]) -> Any:
        @export.command(name, help=help)
        @bank_argument
        @click.option(
            "--output",
            "-o",
            type=click.Path(dir_okay=False, path_type=Path),
            help=f"Output file (default: {default_help or f'<bank id>{default_suffix}'}).",
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
        @click.option(
            "--verbose",
            "-v",
            is_flag=True,
            help="Name every question --skip-invalid leaves out (else the first 20 and a count).",
        )
        @click.option(
            "--force",
            is_flag=True,
            help="Allow overwriting the bank's own files (YAML, images, .qbank/): refused by "
            "default, so a typo in -o cannot replace a question file or the manifest.",
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
            force: bool,
            verbose: bool,
            **kwargs: Any,
        ) -> None:
            from qbank.draw import SelectionError, draw
            from qbank.export import ExportRefused, check_for_export, skipped_entries

            _check_usage(
                name, output, allowed, not_for, {**kwargs, "title": title, "language": language}
            )
            selection = build_selection(kwargs, title=title)
            loaded = load(bank)
            from qbank.validate.engine import ConfigError

            try:
                checked = check_for_export(loaded, skip_invalid=skip_invalid, selection=selection)
            except ConfigError as exc:
                raise CommandError(str(exc)) from None
            except ExportRefused as refused:
                report_problems(loaded, refused.problems)
                if refused.bank_level:
                    raise Refused(
                        f"export refused: {len(refused.problems)} error(s) in the bank itself "
                        "(the manifest or the quiz), which --skip-invalid cannot leave out"
                    ) from None
                raise Refused(
                    f"export refused: {len(refused.problems)} error(s) concern this selection "
                    "(fix them, or use --skip-invalid to export the valid questions)"
                ) from None
            report_skipped(checked, verbose=verbose)
            if checked.skipped and selection.filters.ids:
                # --ids naming a skipped question: draw the others rather than refuse
                left_out = set(checked.skipped)
                ids = tuple(i for i in selection.filters.ids if i not in left_out)
                selection = dataclasses.replace(
                    selection, filters=dataclasses.replace(selection.filters, ids=ids)
                )
            if language:
                set_language(checked.bank, language)
            try:
                drawn = draw(checked.bank, selection)
            except SelectionError as exc:
                raise selection_failed(exc) from None
            drawn.skipped = skipped_entries(checked)
            for note in drawn.notes:
                if "draft" in note:
                    click.echo(f"qbank: note: {note}", err=True)
            suffix = default_for(kwargs) if default_for else default_suffix
            target = output or Path(f"{loaded.id}{suffix}")
            if str(target) == STDOUT and manifest_path is not None and str(manifest_path) == STDOUT:
                raise CommandError("-o - and --manifest - both write to standard output; give one")
            from qbank.fsutil import OutputError, protect, resolve_target

            with protect(loaded.root, force=force):
                try:
                    if str(target) != STDOUT:
                        resolve_target(target)
                    if manifest_path is not None and str(manifest_path) != STDOUT:
                        resolve_target(manifest_path)
                except OutputError as exc:
                    raise CommandError(exc.strerror or str(exc)) from None
                written = fn(drawn, target, bank=checked.bank, **kwargs)
                # a target may write other files than `target` (e.g. one file per form)
                paths = list(written) if isinstance(written, list) and written else [target]
                if manifest_path is not None:
                    from qbank.draw import write_manifest

                    paths.append(write_manifest(drawn, manifest_path))
            for path in paths:
                click.echo(f"wrote {display(path)}", err=True)

        return command

    return decorate


def set_language(bank: Any, language: str) -> None:
    """``--language``: the exports read the language from the bank's manifest."""
    from qbank.model import Manifest

    if bank.manifest is not None:
        bank.manifest = bank.manifest.model_copy(update={"language": language})
    else:
        bank.manifest = Manifest.model_construct(id=bank.id, title=bank.title, language=language)


#: the options a target can declare in ``not_for``, with the flags that set them
_OPTION_NAMES = {
    "forms": "--forms",
    "vary_questions": "--vary-questions/--same-questions",
    "shuffle_questions": "--shuffle/--no-shuffle",
    "shuffle_options": "--shuffle-options/--no-shuffle-options",
    "title": "--title",
    "language": "--language",
}

#: what the question-bank targets (an LMS import, a spreadsheet) cannot use: they write each
#: distinct question once (no forms), options in the bank's order (``--shuffle`` still orders
#: the questions of a drawn subset in the file)
BANK_TARGET = ("forms", "vary_questions", "shuffle_options")


def _check_usage(
    name: str,
    output: Path | None,
    allowed: tuple[str, ...],
    not_for: tuple[str, ...],
    kwargs: dict[str, Any],
) -> None:
    """Usage errors found before any work: a wrong file suffix, an option that does not apply."""
    from qbank.fsutil import is_stream

    if output is not None and not is_stream(output):
        lower = os.fsdecode(output.name).lower()
        if not any(lower.endswith(s) for s in allowed):
            raise CommandError(
                f"export {name} writes {' or '.join(allowed)} files; "
                f"-o {display(output)} has another suffix"
            )
    for key in not_for:
        if key not in _OPTION_NAMES:  # a programming error in a target module
            raise ValueError(f"not_for: unknown option {key!r}")
        if kwargs.get(key) is not None:
            raise CommandError(f"{_OPTION_NAMES[key]} does not apply to export {name}")


#: skipped ids named on stderr without --verbose (all are in the --manifest file)
SHOWN_SKIPPED = 20


def report_skipped(checked: Any, *, verbose: bool) -> None:
    """Name the files and questions ``--skip-invalid`` left out (all of them with --verbose)."""
    for rel, rules in checked.skipped_files:
        click.echo(
            f"qbank: skipped file {display(rel)}: could not be read or parsed ({', '.join(rules)})",
            err=True,
        )
    ids = checked.skipped
    if not ids:
        return
    shown = ids if verbose else ids[:SHOWN_SKIPPED]
    more = len(ids) - len(shown)
    tail = (
        f" … and {more} more (--verbose names them all; --manifest FILE lists them)" if more else ""
    )
    click.echo(
        f"qbank: skipped {len(ids)} invalid question(s) of the selection: "
        + ", ".join(shown)
        + tail,
        err=True,
    )


def report_problems(bank: Any, problems: list[Any]) -> None:
    from qbank.validate.reporters import ReportContext, get

    ctx = ReportContext(problems, bank, checked=len(bank.questions))
    click.echo(get("concise")(ctx), err=True, nl=False)
