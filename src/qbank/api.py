"""The public library API: load, validate, draw and export a bank in a few calls.

Every function is re-exported from :mod:`qbank` (``qbank.load_bank``, ``qbank.validate_bank``,
``qbank.draw_quiz``, ``qbank.export_anki`` …), so a script needs one import. They do what the
CLI does, without printing: a ``bank`` argument is a loaded :class:`~qbank.load.Bank` or the
path of a bank folder; a ``selection`` is a :class:`~qbank.draw.Selection`, the name of a quiz
of the bank (``"4.3-practice"``), or ``None`` for every question.

An export checks the bank first, like ``qbank export``: errors raise
:class:`~qbank.export.ExportRefused` (with the problems) unless ``skip_invalid=True``, which
exports the valid questions only. Outputs are deterministic (same bank, selection and seed →
same bytes) and written atomically.

The examples below run as doctests against the sample bank (``bank/`` of the repository).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from qbank.draw import Draw, Selection
    from qbank.export.anki import AnkiExport, OptionOrder
    from qbank.export.docx import ExportResult as DocxExport
    from qbank.importers import ImportResult
    from qbank.load import Bank
    from qbank.model import AnyQuestion
    from qbank.validate.engine import Options, Report

__all__ = [
    "draw_quiz",
    "export_anki",
    "export_csv",
    "export_docx",
    "export_gift",
    "export_html",
    "export_json",
    "export_moodle",
    "export_qti",
    "export_surveyjs",
    "export_xlsx",
    "import_bank",
    "load_bank",
    "validate_bank",
]


def load_bank(path: str | Path) -> Bank:
    """Load the bank in folder ``path``. Never raises for bad content: the loader's problems
    (YAML, fields) are in ``bank.problems``; a missing folder raises ``FileNotFoundError``.

    >>> import qbank
    >>> bank = qbank.load_bank("bank")
    >>> bank.id, len(bank.questions), bank.errors
    ('aws-mls', 61, [])
    >>> bank.title
    'AWS Certified Machine Learning – Specialty'
    """
    from qbank.load import load_bank as _load

    return _load(path)


def _bank(bank: Bank | str | Path) -> Bank:
    if isinstance(bank, (str, Path)):
        return load_bank(bank)
    return bank


def _selection(selection: Selection | str | None) -> Selection:
    from qbank.draw import Selection

    if selection is None:
        return Selection()
    if isinstance(selection, str):
        return Selection(quiz=selection)
    return selection


def validate_bank(bank: Bank | str | Path, options: Options | None = None) -> Report:
    """Every problem of ``bank`` (the loader's and all rules'), sorted, as ``qbank validate``
    finds them. ``options`` (:class:`~qbank.validate.engine.Options`) skips rule families,
    sets the similarity threshold or limits the scan to changed questions.

    >>> import os, tempfile, qbank
    >>> qbank.validate_bank("bank").problems  # the sample bank is clean
    []
    >>> folder = tempfile.mkdtemp()
    >>> with open(os.path.join(folder, "qbank.yaml"), "w") as f:
    ...     _ = f.write("id: demo\\ntitle: Demo\\n")
    >>> with open(os.path.join(folder, "q.yaml"), "w") as f:
    ...     _ = f.write("id: q1\\ntype: single\\ntext: Which one?\\noptions: [A, B]\\n")
    >>> report = qbank.validate_bank(folder)
    >>> for problem in report.problems:
    ...     print(problem.location, problem.rule, problem.severity.value, problem.message)
    q.yaml:4:1 QB201 error no option is marked `correct: true`; a single-choice question needs exactly one
    q.yaml:1:5 QB401 warning no explanation
    >>> report.exit_code()
    1
    """
    from qbank.validate.engine import validate

    return validate(_bank(bank), options)


def draw_quiz(bank: Bank | str | Path, selection: Selection | str | None = None) -> Draw:
    """Draw ``selection`` from ``bank``: the forms, their questions and option order, the
    same for every exporter and on every machine (the seed decides). Raises
    :class:`~qbank.draw.SelectionError` when the selection cannot be met.

    >>> import qbank
    >>> d = qbank.draw_quiz("bank", "4.3-practice")
    >>> d.seed, [form.name for form in d.forms], len(d.forms[0].questions)
    ('2026', ['A'], 5)
    >>> from qbank.draw import Filters, Selection
    >>> d = qbank.draw_quiz("bank", Selection(filters=Filters(topics=("4.3",)), count=3, seed="x"))
    >>> len(d.questions)
    3
    """
    from qbank.draw import draw

    return draw(_bank(bank), _selection(selection))


def _prepare(
    bank: Bank | str | Path, selection: Selection | str | None, skip_invalid: bool
) -> tuple[Bank, Draw]:
    """The CLI's order of work: check the bank (refuse or drop invalid questions), draw."""
    from qbank.draw import draw
    from qbank.export import check_for_export

    checked = check_for_export(_bank(bank), skip_invalid=skip_invalid)
    return checked.bank, draw(checked.bank, _selection(selection))


def export_anki(
    bank: Bank | str | Path,
    out: str | Path,
    selection: Selection | str | None = None,
    *,
    skip_invalid: bool = False,
    deck: str | None = None,
    subdecks: bool = False,
    state: str | Path | None = None,
    option_order: OptionOrder = "stable",
    templates: str | Path | None = None,
) -> AnkiExport:
    """Write an Anki package (``.apkg``) that learners can re-import without losing reviews.

    ``state`` is the state file remembering when each note last changed (the CLI's default
    is ``BANK/.qbank/anki-state.json``); ``None`` keeps no state and stamps every note with
    ``SOURCE_DATE_EPOCH`` or the clock.

    >>> import os, tempfile, qbank
    >>> os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    >>> out = os.path.join(tempfile.mkdtemp(), "deck.apkg")
    >>> result = qbank.export_anki("bank", out)
    >>> result.notes, result.cards, result.decks
    (61, 62, ['AWS Certified Machine Learning – Specialty'])
    """
    from qbank.export.anki import export

    checked, drawn = _prepare(bank, selection, skip_invalid)
    return export(
        drawn,
        Path(out),
        bank=checked,
        deck=deck,
        subdecks=subdecks,
        state=Path(state) if state is not None else None,
        option_order=option_order,
        templates=Path(templates) if templates is not None else None,
    )


def export_docx(
    bank: Bank | str | Path,
    out: str | Path,
    selection: Selection | str | None = None,
    *,
    skip_invalid: bool = False,
    key: Literal["separate", "append", "none"] = "separate",
    paper: str | None = None,
    large_print: bool = False,
    columns: int = 1,
    style: str | Path | None = None,
) -> DocxExport:
    """Write printable Word worksheets and answer keys: one file per form and a key
    (``key="append"`` puts each key after its worksheet; ``"none"`` writes no key).
    ``paper`` is ``"a4"`` or ``"letter"`` (default: from the locale).

    >>> import os, tempfile, qbank
    >>> from qbank.draw import Selection
    >>> folder = tempfile.mkdtemp()
    >>> result = qbank.export_docx(
    ...     "bank", os.path.join(folder, "quiz.docx"), Selection(quiz="4.3-practice", forms=2)
    ... )
    >>> [path.name for path in result.files]
    ['quiz-A.docx', 'quiz-B.docx', 'quiz-key.docx']
    """
    from qbank.export.docx import default_paper, export

    checked, drawn = _prepare(bank, selection, skip_invalid)
    return export(
        drawn,
        Path(out),
        bank=checked,
        key=key,
        paper=paper or default_paper(),
        large_print=large_print,
        columns=columns,
        style=Path(style) if style is not None else None,
    )


def export_json(
    bank: Bank | str | Path,
    out: str | Path,
    selection: Selection | str | None = None,
    *,
    skip_invalid: bool = False,
    answers: Literal["include", "omit"] = "include",
    media: Literal["embed", "copy"] = "embed",
) -> list[str]:
    """Write the qbank quiz JSON (schema ``exporters/web/quiz.schema.v1.json``); returns the
    warnings (what the format could not carry). ``answers="omit"`` writes a student copy.

    >>> import json, os, tempfile, qbank
    >>> out = os.path.join(tempfile.mkdtemp(), "quiz.json")
    >>> qbank.export_json("bank", out, "4.3-practice")
    []
    >>> with open(out, encoding="utf-8") as f:
    ...     doc = json.load(f)
    >>> len(doc["forms"][0]["questions"])
    5
    """
    from qbank.export.web import quiz_json

    checked, drawn = _prepare(bank, selection, skip_invalid)
    return quiz_json.export(drawn, Path(out), bank=checked, answers=answers, media=media)


def export_surveyjs(
    bank: Bank | str | Path,
    out: str | Path,
    selection: Selection | str | None = None,
    *,
    skip_invalid: bool = False,
) -> tuple[list[Path], list[str]]:
    """Write SurveyJS survey JSON (one file per form); returns the files and the warnings.

    >>> import os, tempfile, qbank
    >>> out = os.path.join(tempfile.mkdtemp(), "quiz.survey.json")
    >>> files, warnings = qbank.export_surveyjs("bank", out, "4.3-practice")
    >>> [path.name for path in files], len(warnings)
    (['quiz.survey.json'], 2)
    """
    from qbank.export.web import surveyjs

    checked, drawn = _prepare(bank, selection, skip_invalid)
    return surveyjs.export(drawn, Path(out), bank=checked)


def export_html(
    bank: Bank | str | Path,
    out: str | Path,
    selection: Selection | str | None = None,
    *,
    skip_invalid: bool = False,
    feedback: Literal["immediate", "end"] = "immediate",
    player: str | Path | None = None,
) -> list[str]:
    """Write one self-contained, offline HTML page that plays and grades the quiz; returns
    the warnings. ``player`` is a folder overriding the shipped player files.

    >>> import os, tempfile, qbank
    >>> out = os.path.join(tempfile.mkdtemp(), "quiz.html")
    >>> qbank.export_html("bank", out, "4.3-practice", feedback="end")
    []
    >>> with open(out, encoding="utf-8") as f:
    ...     f.read(15)
    '<!DOCTYPE html>'
    """
    from qbank.export.web import html

    checked, drawn = _prepare(bank, selection, skip_invalid)
    return html.export(
        drawn,
        Path(out),
        bank=checked,
        feedback=feedback,
        player=Path(player) if player is not None else None,
    )


def export_moodle(
    bank: Bank | str | Path,
    out: str | Path,
    selection: Selection | str | None = None,
    *,
    skip_invalid: bool = False,
) -> list[str]:
    """Write Moodle XML for Moodle's question bank import (all nine types, categories from
    topics, images embedded); returns the warnings.

    >>> import os, tempfile, qbank
    >>> out = os.path.join(tempfile.mkdtemp(), "bank.xml")
    >>> qbank.export_moodle("bank", out, "4.3-practice")
    []
    >>> with open(out, encoding="utf-8") as f:
    ...     f.read().count('<question type="multichoice">') > 0
    True
    """
    from qbank.export import moodle

    checked, drawn = _prepare(bank, selection, skip_invalid)
    return moodle.export(drawn, Path(out), bank=checked)


def export_gift(
    bank: Bank | str | Path,
    out: str | Path,
    selection: Selection | str | None = None,
    *,
    skip_invalid: bool = False,
    unsupported: Literal["skip", "approximate"] = "approximate",
) -> list[str]:
    """Write GIFT text for Moodle's GIFT import; returns the warnings, one per question that
    GIFT cannot carry exactly (approximated, or left out with ``unsupported="skip"``).

    >>> import os, tempfile, qbank
    >>> out = os.path.join(tempfile.mkdtemp(), "bank.gift.txt")
    >>> qbank.export_gift("bank", out, "4.3-practice")
    []
    >>> with open(out, encoding="utf-8") as f:
    ...     f.readline().startswith("$CATEGORY: $course$/top/")
    True
    """
    from qbank.export import gift

    checked, drawn = _prepare(bank, selection, skip_invalid)
    return gift.export(drawn, Path(out), bank=checked, unsupported=unsupported)


def export_qti(
    bank: Bank | str | Path,
    out: str | Path,
    selection: Selection | str | None = None,
    *,
    skip_invalid: bool = False,
    version: Literal["1.2", "3.0"] = "1.2",
) -> list[str]:
    """Write a QTI content package (zip): ``1.2`` in the Canvas flavour, or ``3.0``;
    returns the warnings (what the version cannot carry).

    >>> import os, tempfile, zipfile, qbank
    >>> out = os.path.join(tempfile.mkdtemp(), "bank.qti.zip")
    >>> qbank.export_qti("bank", out, "4.3-practice", version="3.0")
    []
    >>> sorted(zipfile.ZipFile(out).namelist())[:2]
    ['imsmanifest.xml', 'items/cloudtrail-invokeendpoint-exception.xml']
    """
    from qbank.export import qti

    checked, drawn = _prepare(bank, selection, skip_invalid)
    return qti.export(drawn, Path(out), bank=checked, version=version)


def _sheet_questions(drawn: Draw) -> list[AnyQuestion]:
    """The drawn questions once each, in draw order, with the bank's own option order."""
    seen: set[str] = set()
    out: list[AnyQuestion] = []
    for form in drawn.forms[:1]:
        for dq in form.questions:
            if dq.id not in seen:
                seen.add(dq.id)
                out.append(dq.question)
    return out


def export_csv(
    bank: Bank | str | Path,
    out: str | Path,
    selection: Selection | str | None = None,
    *,
    skip_invalid: bool = False,
) -> int:
    """Write the spreadsheet template as CSV (one row a question, the format
    :func:`import_bank` reads back); returns the number of questions written.

    >>> import os, tempfile, qbank
    >>> out = os.path.join(tempfile.mkdtemp(), "bank.csv")
    >>> qbank.export_csv("bank", out)
    61
    >>> open(out, encoding="utf-8-sig").readline().split(",")[:6]
    ['id', 'type', 'topic', 'tags', 'text', 'A']
    """
    from qbank.export.sheet import export_csv as write

    _, drawn = _prepare(bank, selection, skip_invalid)
    questions = _sheet_questions(drawn)
    write(questions, Path(out))
    return len(questions)


def export_xlsx(
    bank: Bank | str | Path,
    out: str | Path,
    selection: Selection | str | None = None,
    *,
    skip_invalid: bool = False,
) -> int:
    """Write the spreadsheet template as .xlsx (every cell text, never a formula); returns
    the number of questions written.

    >>> import os, tempfile, qbank
    >>> out = os.path.join(tempfile.mkdtemp(), "bank.xlsx")
    >>> qbank.export_xlsx("bank", out, "4.3-practice")
    5
    """
    from qbank.export.sheet import export_xlsx as write

    _, drawn = _prepare(bank, selection, skip_invalid)
    questions = _sheet_questions(drawn)
    write(questions, Path(out))
    return len(questions)


def import_bank(
    fmt: Literal["moodle", "gift", "aiken", "csv", "xlsx"],
    files: list[str | Path],
    into: str | Path,
    *,
    topic: str | None = None,
    prefix: str = "",
    update: bool = False,
) -> ImportResult:
    """Import Moodle XML, GIFT, Aiken, CSV or XLSX files into the bank ``into`` (created
    with a manifest if new), as ``qbank import`` does; returns what was imported and what
    was not (``result.losses``, each with file and line or name). Raises
    :class:`~qbank.importers.SourceFormatError` for a file that is not the format, and
    :class:`~qbank.importers.bank.Clash` instead of overwriting a file or an id (unless
    ``update``).

    >>> import os, tempfile, qbank
    >>> src = os.path.join(tempfile.mkdtemp(), "quiz.gift")
    >>> with open(src, "w", encoding="utf-8") as f:
    ...     _ = f.write("::q1::Who is buried in Grant's tomb? {=Grant ~no one}\\n")
    >>> result = qbank.import_bank("gift", [src], os.path.join(tempfile.mkdtemp(), "bank"))
    >>> [q.data["id"] for q in result.questions], result.total, result.losses
    (['q1'], 1, [])
    """
    from qbank.importers import import_files
    from qbank.importers.bank import plan, write

    paths = [Path(f) for f in files]
    result = import_files(fmt, paths, prefix=prefix)
    planned = plan(
        result,
        Path(into),
        source_name=", ".join(p.name for p in paths),
        fmt=fmt,
        topic=topic,
        update=update,
    )
    write(planned)
    return result
