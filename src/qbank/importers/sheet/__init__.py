"""Spreadsheets (CSV and XLSX) in qbank's template → qbank questions.

The template (one row a question) is documented in :mod:`qbank.importers.sheet.template`
and in docs/importing.md; ``qbank export csv|xlsx`` writes the same template. CSV is read
with the csv module (UTF-8, with or without BOM; comma, semicolon or tab separated, detected
from the header line); a leading apostrophe before ``= + - @`` (the guard against formula
injection) is removed. XLSX is read with openpyxl: the first sheet, cell values as shown
(a formula gives the value the spreadsheet computed; whole numbers without ``.0``).
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import zipfile
from typing import Any

from qbank.importers import IdAllocator, Imported, ImportResult, SourceFormatError
from qbank.sheet import AFTER_OPTIONS, BASE_COLUMNS, Row, RowError, canonical, row_to_question

__all__ = ["import_csv", "import_rows", "import_xlsx"]


def import_csv(
    data: bytes, file: str, *, prefix: str = "", ids: IdAllocator | None = None
) -> ImportResult:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceFormatError(
            file, f"not UTF-8 text (byte {exc.start}); save the CSV as UTF-8"
        ) from None
    if "\x00" in text or text.lstrip().startswith(("<?xml", "<quiz")):
        raise SourceFormatError(file, "not a CSV file")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    try:
        for record in reader:
            rows.append((reader.line_num, record))
    except csv.Error as exc:
        raise SourceFormatError(file, f"CSV error: {exc}", reader.line_num) from None
    rows = [(n, [_unguard(c) for c in record]) for n, record in rows]
    return import_rows(rows, file, ids or IdAllocator(prefix))


def _unguard(cell: str) -> str:
    """``'=1+1`` → ``=1+1``: the apostrophe ``qbank export csv`` (and spreadsheets) put in
    front of a cell that would otherwise be a formula."""
    if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@", "\t", "\r", "'"):
        return cell[1:]
    return cell


def import_xlsx(
    data: bytes, file: str, *, prefix: str = "", ids: IdAllocator | None = None
) -> ImportResult:
    import openpyxl

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise SourceFormatError(file, "not an .xlsx file (an .xlsx is a zip archive)")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        formulas = _has_formulas(book)
        if formulas:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken or foreign file
        raise SourceFormatError(
            file, f"cannot read as .xlsx: {type(exc).__name__}: {exc}"
        ) from None
    sheet = book.worksheets[0]
    rows: list[tuple[int, list[str]]] = []
    for n, values in enumerate(sheet.iter_rows(values_only=True), 1):
        rows.append((n, [_cell_text(v) for v in values]))
    book.close()
    return import_rows(rows, file, ids or IdAllocator(prefix))


def _has_formulas(book: Any) -> bool:
    for row in book.worksheets[0].iter_rows(values_only=True):
        if any(isinstance(v, str) and v.startswith("=") for v in row):
            return True
    return False


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    if isinstance(value, _dt.date | _dt.time):
        return value.isoformat()
    return str(value).replace("\r\n", "\n")


def import_rows(rows: list[tuple[int, list[str]]], file: str, ids: IdAllocator) -> ImportResult:
    result = ImportResult()
    header_at = next((i for i, (_, r) in enumerate(rows) if any(c.strip() for c in r)), None)
    if header_at is None:
        raise SourceFormatError(file, "empty: no header row")
    header = [canonical(h) for h in rows[header_at][1]]
    if "text" not in header:
        raise SourceFormatError(
            file,
            "no `text` column in the header row: not qbank's spreadsheet template "
            "(columns id, type, topic, tags, text, A–F, correct, …; see docs/importing.md)",
            rows[header_at][0],
        )
    unknown = [
        rows[header_at][1][i]
        for i, h in enumerate(header)
        if h and h not in _KNOWN and not _letter_col(h)
    ]
    for name in unknown:
        result.lose(
            file,
            f"{rows[header_at][0]}",
            f"column `{name}`",
            "not a template column; its cells are not imported",
            question=False,
        )
    for line, record in rows[header_at + 1 :]:
        if not any(c.strip() for c in record):
            continue
        cells = {
            h: (record[i] if i < len(record) else "").replace("\r\n", "\n")
            for i, h in enumerate(header)
            if h
        }
        result.total += 1
        where = f"{line}"
        try:
            data, notes = row_to_question(Row(cells, line))
        except RowError as exc:
            result.lose(file, where, "row", str(exc))
            continue
        qid, from_source = ids.take(data.pop("id", None), data["text"])
        if from_source and qid != cells.get("id", "").strip():
            notes.append(f"id `{cells.get('id', '').strip()}` made valid as `{qid}`")
        result.questions.append(
            Imported({"id": qid, **data}, file, where, notes=notes, id_from_source=from_source)
        )
    return result


def _letter_col(h: str) -> bool:
    return (len(h) == 1 and h.isupper()) or (h.startswith("feedback ") and len(h) == 10)


#: the template's named columns (option letters and "feedback X" are recognised apart)
_KNOWN = frozenset((*BASE_COLUMNS, *AFTER_OPTIONS))
