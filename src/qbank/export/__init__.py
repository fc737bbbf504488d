"""Exporters, one module per target. Shared here: the pre-export check.

An export over a bank with errors refuses and lists them the way ``validate`` does;
with ``skip_invalid`` it exports every valid question and names the ones it left out
(DESIGN §5). The check runs the per-question rules (files, schema, answers, media, bank),
not the bank-wide near-duplicate scan, which is ``validate``'s job and would dominate the
time of a large export.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qbank.diagnostics import Problem, Severity

if TYPE_CHECKING:
    from qbank.load import Bank


class ExportRefused(Exception):
    """The bank has errors and ``skip_invalid`` was not given."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} error(s) in the bank")
        self.problems = problems


@dataclass
class Checked:
    """The bank to export (invalid questions removed) and what was left out."""

    bank: Bank
    skipped: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def check_for_export(bank: Bank, *, skip_invalid: bool = False) -> Checked:
    """Errors that block an export; raises :class:`ExportRefused` unless ``skip_invalid``."""
    from qbank.validate.engine import Options, validate

    report = validate(bank, Options(skip={"QB3", "QB4"}))
    errors = [p for p in report.problems if p.severity is Severity.ERROR]
    if not errors:
        return Checked(bank)
    if not skip_invalid:
        raise ExportRefused(errors)
    bad = {p.question_id for p in errors if p.question_id}
    bad.update(bank.invalid_ids)
    kept = [q for q in bank.questions if q.id not in bad]
    view = dataclasses.replace(bank, questions=kept, _by_id=None)
    return Checked(view, sorted(bad), errors)
