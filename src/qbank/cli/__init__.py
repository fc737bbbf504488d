"""The ``qbank`` command: a thin layer over the library (see :mod:`qbank`).

Each command lives in its own module and registers itself on :data:`main`. The modules are
imported when their command is used (or listed, for ``--help``): ``qbank export json`` does
not pay for importing every other command and what it needs.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Iterable
from typing import Any

import click

from qbank.version import __version__


class LazyGroup(click.Group):
    """A group whose subcommands are registered by modules imported on first use.

    ``lazy`` maps each subcommand name to the module whose import registers it on this group
    (with ``@group.command``); ``--help`` lists them all (importing each for its help line).

    ``batch`` names subcommands that run once over a loaded bank and end (``export``,
    ``import``, ``validate``): the cyclic garbage collector is paused from their import to
    the end of the command (see :func:`pause_gc`).
    """

    def __init__(
        self,
        *args: Any,
        lazy: dict[str, str] | None = None,
        batch: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})
        self.batch = frozenset(batch)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] in self.batch:
            pause_gc(ctx)
        return super().resolve_command(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *(n for n in self.lazy if self._load(n))})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._load(cmd_name)
        return self.commands.get(cmd_name)

    def _load(self, name: str) -> bool:
        """Import the module of ``name`` if it is not registered yet; whether it now is."""
        if name not in self.commands and name in self.lazy:
            module = self.lazy[name]
            try:
                importlib.import_module(module)
            except ModuleNotFoundError as exc:
                if exc.name != module:
                    raise
        return name in self.commands


def pause_gc(ctx: click.Context) -> None:
    """Pause the cyclic garbage collector until ``ctx`` closes (the command has ended).

    An export imports the models, loads the bank and builds its output: hundreds of
    thousands of long-lived, acyclic objects (models, texts, the document), so the collector
    runs again and again over a growing heap and frees almost nothing (26 objects for the
    2,000-question bench bank of ``bench/web_media.py``, where the collections cost about an
    eighth of the run: ``docs/performance.md``). An import builds as many (the imported data,
    its YAML, the bank loaded back). A validate run makes no cyclic garbage (``gc.collect()``
    after a run with the collector off finds nothing on the 2,000 real-length and the 20,000
    synthetic benchmark banks), while each collection scanned what it made since the bank was
    loaded and frozen: node trees composed again to locate findings, the duplicate finder's
    data, the findings and the report (0.3–0.8 s of a 20,000-question run). Reference
    counting still frees everything else; the loader and the Anki export also pause it for
    their own loops (:func:`qbank.gcpause.paused`), for library callers.
    """
    if gc.isenabled():
        gc.disable()
        ctx.call_on_close(gc.enable)


@click.group(
    cls=LazyGroup,
    batch=("export", "import", "validate"),
    lazy={
        "validate": "qbank.cli.validate_cmd",
        "rules": "qbank.cli.info_cmd",
        "schema": "qbank.cli.info_cmd",
        "draw": "qbank.cli.draw_cmd",
        "stats": "qbank.cli.stats_cmd",
        "export": "qbank.cli.export_cmd",
        "init": "qbank.cli.init_cmd",
        "new": "qbank.cli.init_cmd",
        "fix": "qbank.cli.fix_cmd",
        "preview": "qbank.cli.preview_cmd",
        "import": "qbank.cli.import_cmd",
    },
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="qbank")
def main() -> None:
    """Exam question banks in YAML: validate, export (Anki, Word, web, Moodle, GIFT, QTI,
    spreadsheets), import existing banks (Moodle XML, GIFT, Aiken, spreadsheets), draw quizzes.

    BANK defaults to the nearest folder upward holding qbank.yaml (like git finds its root),
    else ./bank; `qbank init` starts one. Exit codes: 0 success; 1 problems found or export
    refused; 2 usage (unknown option, quiz, topic or id), configuration or internal error.
    """
