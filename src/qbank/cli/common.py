"""Shared pieces of the command layer: the BANK argument, selection options, error exits.

Exit codes (DESIGN §5): 0 success; 1 problems found or a refused export; 2 usage,
configuration or internal error. No command prints a traceback for bad input; set
``QBANK_DEBUG=1`` to see one for an internal error.
"""

from __future__ import annotations

import functools
import gc
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from qbank.fsutil import WriteError
from qbank.gcpause import paused
from qbank.model import QUESTION_TYPES

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class CommandError(click.ClickException):
    """A usage or configuration error: message on stderr, exit code 2."""

    exit_code = EXIT_USAGE

    def show(self, file: Any = None) -> None:
        click.echo(f"qbank: error: {self.format_message()}", err=True)


class Refused(click.ClickException):
    """An export or draw refused because of the bank or the selection: exit code 1."""

    exit_code = EXIT_PROBLEMS

    def show(self, file: Any = None) -> None:
        click.echo(f"qbank: {self.format_message()}", err=True)


MANIFEST = "qbank.yaml"


def find_bank(start: Path | None = None) -> Path | None:
    """The nearest folder from ``start`` (default: the current one) upward holding qbank.yaml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MANIFEST).is_file():
            return folder
    return None


def default_bank() -> Path:
    """BANK when none is given: the nearest folder upward with qbank.yaml (like git finds its
    root), else ``./bank``. A found folder is shown relative to the current one."""
    found = find_bank()
    if found is None:
        return Path("bank")
    try:
        return Path(os.path.relpath(found))
    except ValueError:  # pragma: no cover - another drive on Windows
        return found


def _resolve_bank(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    return value if value is not None else default_bank()


def bank_argument(f: F) -> F:
    return click.argument(
        "bank",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        required=False,
        metavar="[BANK]",
        callback=_resolve_bank,
    )(f)


def output_option(f: F) -> F:
    """``-o/--output FILE``: write atomically instead of printing."""
    return click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write to FILE (atomically) instead of standard output.",
    )(f)


def emit(text: str, output: Path | None, *, note: str | None = None) -> None:
    """Print ``text``, or write it atomically to ``output`` and say so on stderr."""
    if output is None:
        click.echo(text, nl=False)
        return
    if output.is_dir():
        raise CommandError(f"--output {output} is a folder; give a file name")
    from qbank.fsutil import atomic_write_text, display

    atomic_write_text(output, text)
    click.echo(note or f"wrote {display(output)}", err=True)


def selection_failed(exc: Any) -> click.ClickException:
    """The exit for a :class:`SelectionError`: a selection named on the command line that
    cannot be met (unknown quiz, topic or id, too few matches) is a usage error (exit 2);
    a quiz file in the bank that cannot be met is a problem in the bank (exit 1)."""
    text = exc.describe() if hasattr(exc, "describe") else str(exc)
    # the draw layer says which: see qbank.draw.SelectionError.usage
    return CommandError(text) if getattr(exc, "usage", False) else Refused(text)


def load(bank_path: Path) -> Any:
    """Load a bank; a missing folder is a usage error (exit 2)."""
    from qbank.load import load_bank

    if not bank_path.is_dir():
        raise CommandError(
            f"bank folder not found: {bank_path} (BANK defaults to the nearest folder upward "
            "holding qbank.yaml, else ./bank; `qbank init` starts one)"
        )
    # A command keeps the bank until it exits. Moving it out of the collector's sight saves
    # every later collection from re-scanning hundreds of thousands of long-lived objects
    # (0.1–0.5 s on a 10,000-question bank). A library caller decides this for itself.
    # The collector stays paused until then: load_bank pauses it for its loop, and turning
    # it on again before the freeze let the first allocation after the loop start a full
    # collection of the whole new heap (0.5 s of a 20,000-question validate).
    with paused():
        bank = load_bank(bank_path)
        gc.freeze()
    return bank


def guarded(f: F) -> F:
    """Turn unexpected exceptions into a one-line internal error with exit code 2."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("qbank: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            sys.exit(0)
        except WriteError as exc:  # the user's output path, not a qbank bug
            click.echo(f"qbank: error: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        except OSError as exc:
            # the machine said no (permissions, a full disk, /proc, a read-only folder):
            # not a bug in qbank, so no "please report"
            from qbank.fsutil import display

            where = f"{display(exc.filename)}: " if exc.filename else ""
            click.echo(f"qbank: error: {where}{exc.strerror or exc}", err=True)
            sys.exit(EXIT_USAGE)
        except Exception as exc:
            if os.environ.get("QBANK_DEBUG"):
                traceback.print_exc()
            click.echo(
                f"qbank: internal error: {type(exc).__name__}: {exc}\n"
                "Please report this with the command you ran (QBANK_DEBUG=1 shows details).",
                err=True,
            )
            sys.exit(EXIT_USAGE)

    return wrapper  # type: ignore[return-value]


def _split(values: tuple[str, ...], flag: str) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    if values and not out:  # `--ids ,,,` (an empty shell variable) must not mean "everything"
        raise CommandError(f"{flag} {','.join(values)!r}: no value given")
    return tuple(out)


def selection_options(f: F) -> F:
    """The selection options every exporter and ``draw`` share (DESIGN §4)."""
    options = [
        click.option(
            "--quiz",
            metavar="FILE",
            help="Quiz file (path in the bank, file name or stem), e.g. 4.3-practice.",
        ),
        click.option(
            "--topic", multiple=True, metavar="T", help="A topic and its sub-topics (repeatable)."
        ),
        click.option(
            "--tag", multiple=True, metavar="TAG", help="Questions with this tag (repeatable)."
        ),
        click.option(
            "--type",
            "types",
            multiple=True,
            type=click.Choice(QUESTION_TYPES),
            help="Question type (repeatable).",
        ),
        click.option(
            "--status",
            multiple=True,
            type=click.Choice(["draft", "review", "approved"]),
            help="Review status (repeatable).",
        ),
        click.option(
            "--difficulty",
            multiple=True,
            type=click.Choice(["easy", "medium", "hard"]),
            help="Difficulty (repeatable).",
        ),
        click.option("--ids", multiple=True, metavar="A,B", help="Question ids, comma-separated."),
        click.option("--count", type=click.IntRange(min=1), help="Draw this many questions."),
        click.option(
            "--blueprint",
            type=click.IntRange(min=1),
            metavar="N",
            help="Draw N questions split by the manifest's blueprint weights.",
        ),
        click.option(
            "--seed",
            metavar="S",
            help="Seed for the draw and shuffles (default: the quiz's, else 0).",
        ),
        click.option("--forms", type=click.IntRange(1, 26), help="Number of forms (A, B, …)."),
        click.option(
            "--shuffle/--no-shuffle",
            "shuffle_questions",
            default=None,
            help="Shuffle question order (default: when drawing a subset or several forms). "
            "--no-shuffle keeps options in their written order too.",
        ),
        click.option(
            "--shuffle-options/--no-shuffle-options",
            default=None,
            help="Shuffle option order (default: yes, except questions with `shuffle: false`).",
        ),
        click.option(
            "--include-drafts",
            is_flag=True,
            default=None,
            help="Also draw `status: draft` questions (left out by default, with a note).",
        ),
        click.option(
            "--vary-questions/--same-questions",
            default=None,
            help="With --forms: different questions on each form where the pool allows it "
            "(else forms share the least-used ones, with a note).",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def build_selection(kwargs: dict[str, Any], *, title: str | None = None) -> Any:
    """A :class:`qbank.draw.Selection` from the options of :func:`selection_options`."""
    from qbank.draw import Filters, Selection

    filters = Filters(
        topics=tuple(kwargs.pop("topic", ()) or ()),
        tags=_split(kwargs.pop("tag", ()) or (), "--tag"),
        types=tuple(kwargs.pop("types", ()) or ()),
        statuses=tuple(kwargs.pop("status", ()) or ()),
        difficulties=tuple(kwargs.pop("difficulty", ()) or ()),
        ids=_split(kwargs.pop("ids", ()) or (), "--ids"),
    )
    return Selection(
        filters=filters,
        count=kwargs.pop("count", None),
        seed=kwargs.pop("seed", None),
        quiz=kwargs.pop("quiz", None),
        forms=kwargs.pop("forms", None),
        shuffle_questions=kwargs.pop("shuffle_questions", None),
        shuffle_options=kwargs.pop("shuffle_options", None),
        blueprint=kwargs.pop("blueprint", None),
        vary_questions=kwargs.pop("vary_questions", None),
        include_drafts=bool(kwargs.pop("include_drafts", None)),
        title=title,
    )
