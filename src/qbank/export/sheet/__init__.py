"""``qbank export csv|xlsx``: one row a question in the template ``qbank import csv|xlsx``
reads (:mod:`qbank.importers.sheet.template`, docs/importing.md), so a spreadsheet
round-trips. Questions in bank order with their own option order (never a form's shuffle).

CSV: UTF-8 with a BOM (so Excel reads the accents), comma-separated. A cell a spreadsheet
would evaluate (starting with ``= + - @``, a tab or a carriage return) is written with a
leading apostrophe, the spreadsheet convention for "text", and so is a cell that itself
starts with an apostrophe; the importer removes exactly one, so the round trip is exact.
XLSX: every cell is a text cell (never a formula), written as is.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

from qbank.fsutil import atomic_path, atomic_write_bytes
from qbank.sheet import question_to_row, sheet_columns


def question_data(q: Any) -> dict[str, Any]:
    """A loaded question model → the plain mapping a question file holds."""
    data: dict[str, Any] = q.model_dump(mode="python", exclude_defaults=True)
    data["id"] = q.id
    data["type"] = q.type
    data["text"] = q.text
    return data


def rows(questions: list[Any]) -> tuple[list[str], list[list[str]]]:
    datas = [question_data(q) for q in questions]
    header = sheet_columns(datas)
    body = []
    for d in datas:
        cells = question_to_row(d)
        body.append([cells.get(h, "") for h in header])
    return header, body


#: first characters that make a spreadsheet read a CSV cell as a formula (or hide one)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def guard(cell: str) -> str:
    """``=1+1`` → ``'=1+1`` (formula injection); undone by the CSV importer."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def csv_bytes(questions: list[Any]) -> bytes:
    header, body = rows(questions)
    body = [[guard(cell) for cell in row] for row in body]
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(body)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def export_csv(questions: list[Any], target: Path) -> None:
    atomic_write_bytes(target, csv_bytes(questions))


def export_xlsx(questions: list[Any], target: Path) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font

    header, body = rows(questions)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "questions"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, values in enumerate(body, 2):
        for c, value in enumerate(values, 1):
            if value == "":
                continue
            cell = sheet.cell(row=r, column=c)
            cell.value = value
            cell.data_type = "s"  # text, even when it starts with "=" (never a formula)
            if "\n" in value or len(value) > 60:
                cell.alignment = wrap
    sheet.freeze_panes = "A2"
    with atomic_path(target) as tmp:
        book.save(tmp)
        _fix_zip_times(tmp)


def _fix_zip_times(path: Path) -> None:
    """Same questions → byte-identical file: fixed zip timestamps and document dates."""
    import re

    with zipfile.ZipFile(path) as src:
        entries = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(
                    rb"<dcterms:(created|modified)([^>]*)>[^<]*</dcterms:\1>",
                    rb"<dcterms:\1\2>2000-01-01T00:00:00Z</dcterms:\1>",
                    data,
                )
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, data)
    path.write_bytes(out.getvalue())
