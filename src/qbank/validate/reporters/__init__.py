"""Reporters: one module per output format, each exposing ``render(ctx) -> str``.

A reporter only formats; it never decides what is a problem. ``ReportContext`` carries
everything a format may need (the bank root to turn bank-relative paths into paths a CI
system or editor can open, the source files for code frames, the counts).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qbank.diagnostics import Problem, Severity

if TYPE_CHECKING:
    from qbank.load import Bank

FORMATS = ("full", "concise", "github", "json", "sarif")


@dataclass
class ReportContext:
    problems: list[Problem]
    bank: Bank
    #: question count, for the summary line
    checked: int = 0
    #: findings `qbank fix` would fix, for the summary line
    fixable: int = 0
    #: a note the summary line ends with (e.g. what pull-request mode compared)
    scope: str = ""

    def path(self, rel: str) -> str:
        """A bank-relative path as a path from the current directory (forward slashes)."""
        full = self.bank.root / rel
        try:
            shown = os.path.relpath(full)
        except ValueError:  # pragma: no cover - other drive on Windows
            shown = str(full)
        if shown.startswith(".." + os.sep + ".." + os.sep):
            shown = str(full.resolve())
        return Path(shown).as_posix()

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity is Severity.WARNING)

    def summary(self) -> str:
        scope = f" ({self.scope})" if self.scope else ""
        if not self.problems:
            return f"All checks passed: {self.checked} questions, no problems{scope}."
        fix = f" {self.fixable} fixable with `qbank fix`." if self.fixable else ""
        return (
            f"Found {self.errors} error{'s' if self.errors != 1 else ''} and "
            f"{self.warnings} warning{'s' if self.warnings != 1 else ''} "
            f"in {self.checked} questions{scope}.{fix}"
        )


def get(name: str) -> Callable[[ReportContext], str]:
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}")
    module = importlib.import_module(f"qbank.validate.reporters.{name}_format")
    render: Callable[[ReportContext], str] = module.render
    return render
