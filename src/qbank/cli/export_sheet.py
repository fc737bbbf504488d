"""``qbank export csv | xlsx``: the spreadsheet template that ``qbank import`` reads back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qbank.cli.export_cmd import BANK_TARGET, export_command


def _questions(drawn: Any) -> list[Any]:
    seen: set[str] = set()
    out = []
    for form in drawn.forms[:1]:
        for dq in form.questions:
            if dq.id not in seen:
                seen.add(dq.id)
                out.append(dq.question)
    return out


@export_command(
    "csv",
    default_suffix=".csv",
    not_for=(*BANK_TARGET, "title", "language"),
    help="Spreadsheet template as CSV (UTF-8): one row a question; `qbank import csv` reads it back.",
)
def export_csv(drawn: Any, target: Path, *, bank: Any) -> None:
    from qbank.export.sheet import export_csv as write

    write(_questions(drawn), target)


@export_command(
    "xlsx",
    default_suffix=".xlsx",
    not_for=(*BANK_TARGET, "title", "language"),
    help="Spreadsheet template as .xlsx: one row a question; `qbank import xlsx` reads it back.",
)
def export_xlsx(drawn: Any, target: Path, *, bank: Any) -> None:
    from qbank.export.sheet import export_xlsx as write

    write(_questions(drawn), target)
