"""The ``qbank`` command: a thin layer over the library (see :mod:`qbank`).

Each command lives in its own module and registers itself on :data:`main`.
"""

from __future__ import annotations

import click

from qbank.version import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="qbank")
def main() -> None:
    """Exam question banks in YAML: validate, export (Anki, Word, web, Moodle, GIFT, QTI,
    spreadsheets), import existing banks (Moodle XML, GIFT, Aiken, spreadsheets), draw quizzes.

    BANK defaults to the nearest folder upward holding qbank.yaml (like git finds its root),
    else ./bank; `qbank init` starts one. Exit codes: 0 success; 1 problems found or export
    refused; 2 usage (unknown option, quiz, topic or id), configuration or internal error.
    """


def _register() -> None:
    import importlib

    for name in (
        "validate_cmd",
        "info_cmd",
        "draw_cmd",
        "stats_cmd",
        "export_cmd",
        "init_cmd",
        "fix_cmd",
        "preview_cmd",
        "import_cmd",
    ):
        try:
            importlib.import_module(f"qbank.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"qbank.cli.{name}":
                raise


_register()
