"""Printable Word worksheets and answer keys (DESIGN §7; notes/worksheets.md).

What a teacher gets from ``export(draw, Path("quiz.docx"), bank=bank)``:

* **One form** → ``quiz.docx`` (the student copy) and ``quiz-key.docx``.
* **Several forms** → one student file per form, ``quiz-A.docx``, ``quiz-B.docx``, …, and one
  ``quiz-key.docx`` with a section per form (each starting on a new page). Separate student
  files are what gets printed ("25 copies of A, 25 of B"), and they keep "Page X of Y"
  right: Word's NUMPAGES counts the whole file, and LibreOffice does not compute
  SECTIONPAGES, so forms sharing a file could not number their pages on their own.
* ``key="append"`` puts each form's key after its worksheet in the same file (a new
  section headed "TEACHER COPY"); the worksheet's footer then counts only the worksheet's
  pages (``PAGEREF`` to a bookmark at its end instead of NUMPAGES). ``key="none"`` writes
  no key.

Layout: explicit paper and margins; a header block with title, Name/Class/Date write-on
lines (tab leaders), instructions and total points; running header "title · Form A" and
footer "Form A · Page X of Y" (PAGE/NUMPAGES fields); numbered questions with points;
lettered options with ☐ boxes; blanks sized to the answer; ruled lines for written
answers; every paragraph of a question but the last has *keep with next* and all have
*keep together*, so a question never splits from its options. Literal numbers ("1.")
rather than Word list numbering: identical in every renderer and visible to pdftotext.

Maths is typeset as native Word equations (OMML, :func:`qbank.render.maths.to_omml`),
which Word and LibreOffice render and print. A formula that cannot be converted faithfully
(``docs/maths.md`` lists them) is printed as readable text instead (``\\sigma^2`` → ``σ²``,
``\\sqrt{225}`` → ``√225``), never as LaTeX commands.

Files are byte-reproducible (fixed core properties, no template thumbnail, fixed zip
dates) and written atomically: all files of one export go to temporary files first and
are renamed only when every one was written.

This module is the entry point and the order of work; the parts live beside it:
``style`` (layout settings), ``files`` (paper, file names, writing), ``math`` (maths as
text), ``builder`` (styles and rich text), ``worksheet`` (the student copy), ``key`` (the
answer key) and ``xml`` (raw XML where python-docx has no API).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docx.enum.section import WD_SECTION
from docx.shared import Cm

from qbank.export.docx import xml as X
from qbank.export.docx.builder import BOX as BOX
from qbank.export.docx.builder import DEFAULT_EPOCH as DEFAULT_EPOCH
from qbank.export.docx.builder import NBSP as NBSP
from qbank.export.docx.builder import Builder
from qbank.export.docx.files import KEY_MODES, PAPERS, DocxExportError, default_paper, output_files
from qbank.export.docx.files import LETTER_TERRITORIES as LETTER_TERRITORIES
from qbank.export.docx.files import write_all as write_all
from qbank.export.docx.key import KeyWriter, key_intro
from qbank.export.docx.key import key_answer as key_answer
from qbank.export.docx.math import math_text
from qbank.export.docx.style import VARIANTS as VARIANTS
from qbank.export.docx.style import Layout, StyleError, load_style
from qbank.export.docx.style import Margins as Margins
from qbank.export.docx.worksheet import Worksheet, estimate_height
from qbank.progress import track

if TYPE_CHECKING:
    from qbank.draw import Draw
    from qbank.load import Bank

__all__ = [
    "KEY_MODES",
    "PAPERS",
    "DocxExportError",
    "ExportResult",
    "Layout",
    "StyleError",
    "default_paper",
    "export",
    "load_style",
    "math_text",
    "output_files",
]

#: the bookmark at the end of a worksheet whose page the footer's "of Y" refers to
END_BOOKMARK = "_qbank_worksheet_end"


@dataclass
class ExportResult:
    """The files written (student copies first, then the key) and layout warnings."""

    files: list[Path]
    warnings: list[str] = field(default_factory=list)


def export(
    draw: Draw,
    out: Path,
    *,
    bank: Bank,
    key: str = "separate",
    paper: str = "a4",
    large_print: bool = False,
    columns: int = 1,
    style: Path | None = None,
) -> ExportResult:
    """Write the worksheet(s) and key for ``draw``; see the module docstring for the files.

    ``columns=2`` sets the questions in two newspaper columns (ignored in large print,
    which is always one column). ``style`` overlays a user's layout file on the shipped
    ``exporters/docx/style.yaml``. Raises :class:`DocxExportError` before writing anything
    when the files cannot be written as asked.
    """
    if key not in KEY_MODES:
        raise DocxExportError(f"key must be one of {', '.join(KEY_MODES)}, not {key!r}")
    if paper not in PAPERS:
        raise DocxExportError(f"paper must be one of {', '.join(PAPERS)}, not {paper!r}")
    if columns not in (1, 2):
        raise DocxExportError(f"columns must be 1 or 2, not {columns!r}")
    warnings: list[str] = []
    if large_print and columns == 2:
        warnings.append("large print is always one column; --columns 2 ignored")
        columns = 1
    layout = load_style(style)["large_print" if large_print else "regular"]
    students, key_file = output_files(out, [f.name for f in draw.forms], key)
    for path in [*students, *([key_file] if key_file else [])]:
        if path.is_dir():
            raise DocxExportError(f"output {path} is a folder; give a file name")
    language = bank.manifest.language if bank.manifest else None
    time_limit = draw.time_limit_minutes
    kwargs: dict[str, Any] = {
        "layout": layout,
        "paper": paper,
        "root": bank.root,
        "language": language,
        "warnings": warnings,
    }
    outputs: dict[Path, bytes] = {}
    # quiz section titles head their questions when the sections stay in order
    part_titles: dict[int, str] = {}
    if not draw.shuffle_questions:
        part_titles = {s.index: s.title for s in draw.sections if s.title}
    for form, path in zip(draw.forms, students, strict=True):
        ws = Worksheet(columns=columns, **kwargs)
        section = ws.doc.sections[0]
        form_label = ws.tr.gettext("Form {form}").format(form=form.name)
        ws.running_header(section, draw.title, form_label)
        ws.footer(
            section,
            form_label,
            f"PAGEREF {END_BOOKMARK}" if key == "append" else "NUMPAGES",
        )
        ws.header_block(draw, form, time_limit)
        number_width = int(Cm(0.3)) + ws.indent if len(form.questions) >= 100 else 0
        part = -1
        for dq in track(form.questions, label=f"Form {form.name}"):
            if dq.section != part and dq.section in part_titles:
                ws.para(ws.styles.part, part_titles[dq.section]).keep(with_next=True)
            part = dq.section
            built = ws.question(dq, number_width)
            if estimate_height(ws, built) > ws.text_height:
                warnings.append(
                    f"form {form.name}, question {dq.number} ({dq.id}) is taller than a page "
                    "and will be split across pages"
                )
        end = ws.end_paragraph(form)
        if key == "append":
            ws.bookmark(end, END_BOOKMARK)
            sec = X.section_break_after(ws.doc, end.p, WD_SECTION.NEW_PAGE)
            if columns == 2:
                X.set_columns(sec, 1, 720)
            sec.header.is_linked_to_previous = False
            sec.footer.is_linked_to_previous = False
            ws.running_header(sec, ws.tr.gettext("TEACHER COPY — answer key"), form_label)
            ws.footer(sec, ws.tr.gettext("TEACHER COPY"), "NUMPAGES")
            key_intro(ws, draw, bank, [form])
            KeyWriter(ws).form(draw, form, new_page=False)
        outputs[path] = ws.save(
            title=f"{draw.title} — Form {form.name}",
            subject=bank.title,
            comments=f"qbank worksheet · bank {bank.id} · seed {draw.seed} · form {form.name}"
            + (" · with answer key" if key == "append" else ""),
            category="worksheet",
        )
    if key_file is not None:
        kb = Builder(columns=1, **kwargs)
        section = kb.doc.sections[0]
        kb.running_header(section, kb.tr.gettext("TEACHER COPY — answer key"), draw.title)
        kb.footer(section, kb.tr.gettext("Answer key"), "NUMPAGES")
        key_intro(kb, draw, bank, draw.forms)
        for i, form in enumerate(draw.forms):
            KeyWriter(kb).form(draw, form, new_page=i > 0)
        outputs[key_file] = kb.save(
            title=f"{draw.title} — answer key",
            subject=bank.title,
            comments=f"qbank answer key · bank {bank.id} · seed {draw.seed} · forms "
            + ", ".join(f.name for f in draw.forms),
            category="answer key",
        )
    write_all(outputs)
    # an image problem repeats on every form: report it once
    return ExportResult(list(outputs), list(dict.fromkeys(warnings)))
