"""The ``qbank`` command: a thin layer over the library (see :mod:`qbank`).

Each command lives in its own module and registers itself on :data:`main`. The modules are
imported when their command is used (or listed, for ``--help``): ``qbank export json`` does
not pay for importing every other command and what it needs.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from qbank.version import __version__


class LazyGroup(click.Group):
    """A group whose subcommands are registered by modules imported on first use.

    ``lazy`` maps each subcommand name to the module whose import registers it on this group
    (with ``@group.command``); ``--help`` lists them all (importing each for its help line).
    """

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

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


@click.group(
    cls=LazyGroup,
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
