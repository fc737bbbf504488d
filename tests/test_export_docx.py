"""`qbank export docx`, checked at the .docx level (fast): files, layout properties, the
answer key against the bank, determinism, atomic writes, styles and the command line.

Pagination can only be checked by rendering: that is tests/test_docx_render.py.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx.api import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_TAB_LEADER
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from qbank import markup as mk
from qbank.cli import main
from qbank.draw import Draw, Selection, draw
from qbank.export import check_for_export
from qbank.export.docx import (
    DocxExportError,
    StyleError,
    default_paper,
    export,
    load_style,
    math_text,
    output_files,
    write_all,
)
from qbank.load import Bank, load_bank
from qbank.model import (
    QUESTION_TYPES,
    Cloze,
    Essay,
    Match,
    Multi,
    Numeric,
    Order,
    Short,
    Single,
    TrueFalse,
)

ROOT = Path(__file__).resolve().parents[1]
BOX = "\u2610"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# -- helpers -------------------------------------------------------------------------------


def build(
    bank_path: Path, out: Path, selection: Selection | None = None, **kwargs: Any
) -> tuple[Bank, Draw, list[Path], list[str]]:
    bank = check_for_export(load_bank(bank_path)).bank
    d = draw(bank, selection)
    result = export(d, out, bank=bank, **kwargs)
    return bank, d, result.files, result.warnings


def body_paragraphs(document: Any) -> list[Any]:
    """Body paragraphs in document order, including those inside table cells."""
    from docx.text.paragraph import Paragraph

    return [Paragraph(p, document._body) for p in document.element.body.iter(f"{W}p")]


def question_blocks(document: Any) -> dict[int, list[Any]]:
    """Paragraphs per printed question number (from its "N.\\t" stem to the next stem)."""
    out: dict[int, list[Any]] = {}
    current: int | None = None
    for p in body_paragraphs(document):
        style = p._p.pPr.pStyle.val if p._p.pPr is not None and p._p.pPr.pStyle is not None else ""
        m = re.match(r"(\d+)\.\t", p.text)
        if style == "Question" and m:
            current = int(m.group(1))
            out[current] = []
        elif style in ("WorksheetEnd", "WorksheetPart"):
            current = None
        if current is not None:
            out[current].append(p)
    return out


def printed_options(paragraphs: list[Any]) -> dict[str, str]:
    """Label → text of "☐ A.\\tText" options as printed (two may share a paragraph)."""
    found: dict[str, str] = {}
    for p in paragraphs:
        for m in re.finditer(rf"{BOX}\xa0([A-Z]+)\.\t(.*?)(?=\t{BOX}|$)", p.text):
            found[m.group(1)] = m.group(2).strip()
    return found


def key_rows(key_doc: Any) -> list[dict[int, list[str]]]:
    """Per key table (one per form): question number → the answer cell's lines."""
    tables = []
    for table in key_doc.tables:
        rows: dict[int, list[str]] = {}
        for row in table.rows[1:]:
            cells = row.cells
            rows[int(cells[0].text)] = [p.text for p in cells[1].paragraphs]
        tables.append(rows)
    return tables


def mm(*lengths: Any) -> tuple[float, ...]:
    """Lengths in millimetres to 0.1 mm (Word stores twips, so EMU do not round-trip)."""
    return tuple(round(x / 36000, 1) for x in lengths)


def plain(text: str) -> str:
    return re.sub(r"\s+", " ", mk.to_text(text)).strip()


@pytest.fixture(scope="module")
def sample_quiz(tmp_path_factory: pytest.TempPathFactory) -> tuple[Bank, Draw, list[Path]]:
    out = tmp_path_factory.mktemp("quiz") / "quiz.docx"
    bank, d, files, _ = build(ROOT / "bank", out, Selection(quiz="4.3-practice", forms=2))
    return bank, d, files


@pytest.fixture(scope="module")
def whole_bank(tmp_path_factory: pytest.TempPathFactory) -> tuple[Bank, Draw, list[Path]]:
    """Every question of the sample bank, two forms with shuffled options: all nine types."""
    out = tmp_path_factory.mktemp("all") / "all.docx"
    sel = Selection(forms=2, shuffle_options=True, shuffle_questions=True, seed="7")
    bank, d, files, warnings = build(ROOT / "bank", out, sel)
    assert warnings == []
    return bank, d, files


# -- files and page set-up -----------------------------------------------------------------


def test_output_file_layout() -> None:
    out = Path("out/quiz.docx")
    assert output_files(out, ["A"], "separate") == (
        [Path("out/quiz.docx")],
        Path("out/quiz-key.docx"),
    )
    assert output_files(out, ["A", "B"], "separate") == (
        [Path("out/quiz-A.docx"), Path("out/quiz-B.docx")],
        Path("out/quiz-key.docx"),
    )
    assert output_files(out, ["A", "B"], "append")[1] is None
    assert output_files(out, ["A"], "none") == ([out], None)


def test_two_forms_write_one_file_per_form_and_one_key(sample_quiz: Any) -> None:
    _bank, d, files = sample_quiz
    assert [f.name for f in files] == ["quiz-A.docx", "quiz-B.docx", "quiz-key.docx"]
    assert all(f.is_file() for f in files)
    leftovers = [p.name for p in files[0].parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    for form, path in zip(d.forms, files[:2], strict=True):
        document = Document(str(path))
        section = document.sections[0]
        assert mm(section.page_width, section.page_height) == (210, 297)
        assert mm(section.left_margin, section.right_margin) == (20, 20)
        assert mm(section.top_margin, section.bottom_margin) == (20, 20)
        header = section.header.paragraphs[0].text
        assert header == f"{d.title}\tForm {form.name}"
        footer = section.footer.paragraphs[0]
        assert footer.text.startswith(f"Form {form.name} · Page ")
        instr = [t.text.strip() for t in footer._p.iter(f"{W}instrText")]
        assert instr == ["PAGE", "NUMPAGES"]
        kinds = [c.get(qn("w:fldCharType")) for c in footer._p.iter(f"{W}fldChar")]
        assert kinds == ["begin", "separate", "end"] * 2


def test_header_block_has_title_write_on_lines_instructions_and_points(sample_quiz: Any) -> None:
    _bank, d, files = sample_quiz
    document = Document(str(files[0]))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == d.title
    assert texts[1].startswith("Form A · 5 questions · ")
    fields = document.paragraphs[2]
    assert fields.text == "Name: \t\u2003Class: \t\u2003Date: \t"
    stops = fields.style.paragraph_format.tab_stops
    assert [t.leader for t in stops] == [WD_TAB_LEADER.LINES] * 3
    assert [round(t.position / stops[-1].position, 2) for t in stops] == [0.55, 0.78, 1.0]
    assert d.instructions and d.instructions in texts
    total = d.forms[0].total_points
    assert any(t.startswith(f"Total: {total} points") and t.endswith(f" / {total}") for t in texts)


def test_fonts_name_every_script_and_the_box_glyph_font(sample_quiz: Any) -> None:
    _bank, _d, files = sample_quiz
    document = Document(str(files[0]))
    styles = document.styles.element
    defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts")
    normal = document.styles["Normal"].element.rPr.find(f"{W}rFonts")
    layout = load_style()["regular"]
    for rfonts in (defaults, normal):
        assert {k.split("}")[1]: v for k, v in rfonts.attrib.items()} == {
            "ascii": layout.font,
            "hAnsi": layout.font,
            "eastAsia": layout.font,
            "cs": layout.font,
        }
    box = document.styles["Answer Box"].element.rPr.find(f"{W}rFonts")
    assert box.get(qn("w:eastAsia")) == box.get(qn("w:cs")) == layout.symbol_font
    boxes = [r for p in document.paragraphs for r in p.runs if r.text == BOX]
    assert boxes and all(r.style.name == "Answer Box" for r in boxes)


# -- questions -----------------------------------------------------------------------------


def test_every_question_is_printed_with_number_points_and_its_parts(whole_bank: Any) -> None:
    _bank, d, files = whole_bank
    for form, path in zip(d.forms, files[:2], strict=True):
        blocks = question_blocks(Document(str(path)))
        assert sorted(blocks) == [dq.number for dq in form.questions]
        for dq in form.questions:
            q = dq.question
            paras = blocks[dq.number]
            stem = paras[0].text
            pts = f"({q.points}\xa0{'pt' if q.points == 1 else 'pts'})"
            assert stem.startswith(f"{dq.number}.\t") and stem.endswith("\t" + pts), stem
            text = "\n".join(p.text for p in paras)
            if isinstance(q, Single | Multi):
                shown = printed_options(paras)
                assert list(shown) == [chr(65 + i) for i in range(len(q.options))]
                assert list(shown.values()) == [plain(o.text) for o in dq.options]
                assert ("Choose all that apply." in text) == isinstance(q, Multi)
            elif isinstance(q, TrueFalse):
                assert f"{BOX}\xa0True" in text and f"{BOX}\xa0False" in text
            elif isinstance(q, Order):
                assert list(printed_options(paras).values()) == [plain(i) for i in dq.items]
                assert f"Number the boxes 1–{len(q.items)}" in text
            elif isinstance(q, Match):
                left = [p.text for p in paras if re.match(r"\d+\.\t", p.text)][1:]
                right = [p.text for p in paras if re.match(r"[A-Z]\.\t", p.text)]
                assert left == [f"{i + 1}.\t{plain(a)}" for i, (a, _) in enumerate(q.pairs)]
                blanks = [p for p in paras if p.text == "\t\u200b"]
                assert len(blanks) == len(q.pairs)
                assert right == [
                    f"{chr(65 + j)}.\t{plain(r)}" for j, r in enumerate(dq.right_column)
                ]
            elif isinstance(q, Cloze):
                # the printed stem is the text with each blank replaced by underscores only
                blanks = mk.find_blanks(q.text)
                cuts = [0, *[x for b in blanks for x in (b.start, b.end)], len(q.text)]
                pieces = [plain(q.text[cuts[i] : cuts[i + 1]]) for i in range(0, len(cuts), 2)]
                tag = r"\(\d\)\xa0" if len(blanks) > 1 else ""
                pattern = (r"\s*" + tag + r"_{10,30}\s*").join(re.escape(x) for x in pieces)
                assert re.search(pattern, re.sub(r"[ \t\n]+", " ", stem)), (pattern, stem)
            elif isinstance(q, Short | Essay):
                lines = [p for p in paras if p.text == "\t"]
                expected = (
                    q.lines if isinstance(q, Essay) else (1 if (q.max_words or 99) <= 10 else 2)
                )
                assert len(lines) == expected
                assert all(p.style.name == "Answer Line" for p in lines)
            elif isinstance(q, Numeric):
                assert paras[-1].text == "Answer: \t" + (f" {q.unit}" if q.unit else "")


def test_a_question_is_chained_to_its_options_and_not_to_the_next(whole_bank: Any) -> None:
    """keep-together on every paragraph of a question, keep-with-next on all but its last
    row (chaining the last would glue the whole test into one block)."""
    _bank, _d, files = whole_bank
    document = Document(str(files[0]))
    for number, paras in question_blocks(document).items():
        assert all(p.paragraph_format.keep_together for p in paras), number
        assert all(p.paragraph_format.keep_with_next for p in paras[:-1] if not _in_last_row(p))
        assert not paras[-1].paragraph_format.keep_with_next, number


def _in_last_row(p: Any) -> bool:
    tr = next((a for a in p._p.iterancestors(f"{W}tr")), None)
    return tr is not None and tr.getnext() is None


def test_match_rows_never_split(whole_bank: Any) -> None:
    _bank, _d, files = whole_bank
    document = Document(str(files[0]))
    match_tables = [t for t in document.tables]
    assert match_tables
    for table in match_tables:
        for row in table.rows:
            assert row._tr.trPr.find(qn("w:cantSplit")) is not None
        widths = [c.width for c in table.columns]
        assert all(w > 0 for w in widths)


def test_cloze_blank_is_sized_to_the_answer(make_bank: Any, tmp_path: Path) -> None:
    bank = make_bank(
        {
            "q.yaml": """
            topic: "4.3"
            questions:
              - id: short-blank
                type: cloze
                text: "Use {{KMS}} keys."
              - id: long-blank
                type: cloze
                text: "The {{Amazon SageMaker Model Monitor service}} watches endpoints."
                max_words: 5
              - id: two-blanks
                type: cloze
                text: "{{S3}} stores, {{Athena|Presto}} queries."
            """
        }
    )
    _b, _d, files, _ = build(bank, tmp_path / "c.docx", key="none")
    document = Document(str(files[0]))
    stems = {n: ps[0].text for n, ps in question_blocks(document).items()}
    runs = {n: [len(m) for m in re.findall(r"_+", s)] for n, s in stems.items()}
    assert runs[1] == [10]  # "KMS": at least 10
    assert runs[2] == [30]  # 1.4 × 43 characters, capped at 30
    assert runs[3] == [10, 10] and "(1)\xa0__" in stems[3] and "(2)\xa0__" in stems[3]
    assert "(at most 5 words)" in stems[2]
    assert "per blank" not in stems[2]


def test_rich_text_code_maths_and_images(make_bank: Any, tmp_path: Path) -> None:
    (tmp_path / "outside.png").write_bytes((ROOT / "bank/media/nat-gateway.png").read_bytes())
    bank = make_bank(
        {
            "q.yaml": r"""
            topic: "4.3"
            questions:
              - id: rich
                type: single
                text: |-
                  Which **bold** and *italic* text calls `boto3.client("s3")` when
                  \( \sigma^2 = \frac{a}{b} \)?

                  ![the network diagram](media/net.png)

                  ```python
                  for x in range(3):
                      print(x)
                  ```
                options:
                  - text: "`put_object`"
                    correct: true
                  - "**get**"
                  - "![a bar chart](media/net.png)"
              - id: outside
                type: truefalse
                text: "See ![escape](../outside.png) here."
                answer: true
            """
        }
    )
    (bank / "media").mkdir()
    (bank / "media/net.png").write_bytes((ROOT / "bank/media/nat-gateway.png").read_bytes())
    loaded = load_bank(bank)
    d = draw(loaded, Selection())
    result = export(d, tmp_path / "r.docx", bank=loaded, key="none")
    document = Document(str(result.files[0]))
    paras = question_blocks(document)[1]
    runs = [r for p in paras for r in p.runs]
    assert any(r.bold and r.text == "bold" for r in runs)
    assert any(r.italic and r.text == "italic" for r in runs)
    code = [r for r in runs if r.style is not None and r.style.name == "Inline Code"]
    assert [r.text for r in code] == ['boto3.client("s3")', "put_object"]
    # the maths is a native Word equation: σ², then a fraction a over b
    omml = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
    (equation,) = paras[0]._p.iter(f"{omml}oMath")
    assert equation.find(f".//{omml}sSup") is not None and equation.find(f".//{omml}f") is not None
    assert "".join(equation.itertext()) == "σ2=ab"
    block = [p for p in paras if p.style.name == "Code Block"]
    assert block and block[0].text == "for x in range(3):\n    print(x)"
    mono = document.styles["Code Block"].element.rPr.find(f"{W}rFonts").get(qn("w:ascii"))
    assert mono == load_style()["regular"].mono_font
    pictures = document.inline_shapes
    # the two inside the bank (stem and option); never the file outside it
    assert [p._inline.docPr.get("descr") for p in pictures] == [
        "the network diagram",
        "a bar chart",
    ]
    assert pictures[0].width <= Mm(90)
    assert pictures[1].width <= Mm(30)
    media = [n for n in zipfile.ZipFile(result.files[0]).namelist() if n.startswith("word/media/")]
    assert media == ["word/media/image1.png"]
    outside = question_blocks(document)[2][0].text
    assert "[Image: escape]" in outside
    assert any("../outside.png" in w and "not a file inside the bank" in w for w in result.warnings)


def test_quiz_sections_head_their_questions_and_language_is_set(
    make_bank: Any, tmp_path: Path
) -> None:
    manifest = "id: t\ntitle: T\nlanguage: en-GB\ntopics: {'1': One, '2': Two}\n"
    bank = make_bank(
        {
            "q.yaml": """
            questions:
              - {id: a1, type: truefalse, topic: "1", text: First part question, answer: true}
              - {id: b1, type: truefalse, topic: "2", text: Second part question, answer: false}
            """,
            "quizzes/parts.yaml": """
            title: Two parts
            time_limit_minutes: 20
            shuffle_questions: false
            sections:
              - {title: "Part 1: basics", topic: "1"}
              - {title: "Part 2: more", topic: "2"}
            """,
        },
        manifest=manifest,
    )
    _b, _d, files, _ = build(bank, tmp_path / "p.docx", Selection(quiz="parts"), key="none")
    document = Document(str(files[0]))
    texts = [p.text for p in document.paragraphs]
    assert "Form A · 2 questions · 2 points · Time allowed: 20 minutes" in texts
    parts = [p for p in document.paragraphs if p.style.name == "Worksheet Part"]
    assert [p.text for p in parts] == ["Part 1: basics", "Part 2: more"]
    assert all(p.paragraph_format.keep_with_next for p in parts)
    assert texts.index("Part 2: more") == texts.index("1.\tFirst part question\t(1\xa0pt)") + 2
    lang = document.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert lang.get(qn("w:val")) == "en-GB"


def test_maths_as_readable_text() -> None:
    assert math_text(r"\( \sigma = \sqrt{225} = 15 \)") == "σ = √225 = 15"
    assert math_text(r"\( z = (x - \mu) / \sigma \)") == "z = (x - μ) / σ"
    assert math_text(r"\[ x^{2} + y_1 \le \frac{a+b}{2} \]") == "x² + y₁ ≤ (a+b)/2"
    assert math_text(r"\( e^{i\pi} \)") == "e^(iπ)"
    assert math_text(r"\( \unknowncommand{x} + 1 \)") == "unknowncommand{x} + 1"
    assert math_text(r"\( \text{cost} \times 2 \)") == "cost × 2"


def test_tall_question_warns(make_bank: Any, tmp_path: Path) -> None:
    bank = make_bank(
        {
            "q.yaml": """
            topic: "4.3"
            questions:
              - id: long-essay
                type: essay
                text: Write at length.
                lines: 40
            """
        }
    )
    _b, _d, _files, warnings = build(bank, tmp_path / "e.docx", key="none")
    assert warnings == [
        "form A, question 1 (long-essay) is taller than a page and will be split across pages"
    ]


# -- the answer key ------------------------------------------------------------------------


def test_key_matches_the_bank_for_each_forms_printed_letters(whole_bank: Any) -> None:
    """The printed worksheet gives the letters; the bank says which are right; the key must
    agree, for every question of every form."""
    _bank, d, files = whole_bank
    key = Document(str(files[-1]))
    tables = key_rows(key)
    assert len(tables) == len(d.forms)
    seen_types = set()
    for form, path, rows in zip(d.forms, files[:2], tables, strict=True):
        blocks = question_blocks(Document(str(path)))
        assert sorted(rows) == [dq.number for dq in form.questions]
        for dq in form.questions:
            q = dq.question
            seen_types.add(q.type)
            answer = rows[dq.number]
            paras = blocks[dq.number]
            if isinstance(q, Single | Multi):
                shown = printed_options(paras)
                correct = {plain(o.text) for o in q.options if o.correct}
                letters = [label for label, text in shown.items() if text in correct]
                assert answer[0] == ", ".join(letters), (q.id, answer)
                assert answer[1:] == [f"{label}. {shown[label]}" for label in letters]
            elif isinstance(q, TrueFalse):
                assert answer == ["True" if q.answer else "False"]
            elif isinstance(q, Order):
                shown = {text: label for label, text in printed_options(paras).items()}
                assert answer[0] == " → ".join(shown[plain(i)] for i in q.items)
                assert answer[1] == "Boxes: " + ", ".join(
                    f"{label} = {q.items.index(next(i for i in q.items if plain(i) == text)) + 1}"
                    for text, label in shown.items()
                )
            elif isinstance(q, Match):
                right = {
                    m.group(2): m.group(1)
                    for p in paras
                    if (m := re.match(r"([A-Z])\.\t(.*)", p.text))
                }
                expected = [f"{i + 1} → {right[plain(r)]}" for i, (_l, r) in enumerate(q.pairs)]
                assert [a.split("  ")[0] for a in answer] == expected
            elif isinstance(q, Cloze):
                blanks = mk.find_blanks(q.text)
                for line, blank in zip(answer, blanks, strict=False):
                    assert plain(blank.answers[0]) in line
                    for alt in blank.answers[1:]:
                        assert plain(alt) in line
            elif isinstance(q, Short):
                assert answer[0].startswith(plain(q.answers[0]))
                assert all(plain(a) in answer[0] for a in q.answers[1:])
            elif isinstance(q, Numeric):
                assert answer[0] == q.answer + (f" {q.unit}" if q.unit else "")
                bounds = q.tolerance_bounds()
                assert bounds is not None
                if bounds[0] != bounds[1]:
                    lo, hi = (format(x.normalize(), "f") for x in bounds)
                    assert answer[1].startswith(f"accept {lo} to {hi}")
                else:
                    assert answer[1] == "exact value"
    assert seen_types == set(QUESTION_TYPES)


def test_key_lists_points_explanations_rubrics_and_the_seed(whole_bank: Any) -> None:
    _bank, d, files = whole_bank
    key = Document(str(files[-1]))
    texts = [p.text for p in key.paragraphs]
    assert texts[0] == f"Answer key: {d.title}"
    assert f"seed {d.seed}" in texts[1] and "Forms A, B" in texts[1]
    assert key.sections[0].header.paragraphs[0].text.startswith("TEACHER COPY")
    headings = [p for p in key.paragraphs if p.style.name == "Key Heading"]
    assert [h.text.split(" — ")[0] for h in headings] == ["Form A", "Form B"]
    assert headings[1].paragraph_format.page_break_before
    for form, table in zip(d.forms, key.tables, strict=True):
        assert [c.text for c in table.rows[0].cells] == ["#", "Answer", "Pts", "Explanation"]
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        for dq, row in zip(form.questions, table.rows[1:], strict=True):
            cells = row.cells
            assert cells[2].text.split()[0] == str(dq.question.points)
            expl = cells[3].text
            if dq.question.explanation:
                head = plain(dq.question.explanation.split("\\(")[0])[:40]
                assert head in re.sub(r"\s+", " ", expl)
            if isinstance(dq.question, Essay) and dq.question.rubric:
                assert expl.startswith("Rubric:")


def test_student_copy_holds_no_key(whole_bank: Any) -> None:
    bank, _d, files = whole_bank
    for path in files[:2]:
        body = "\n".join(p.text for p in body_paragraphs(Document(str(path))))
        assert "TEACHER COPY" not in body
        for q in bank.questions:
            if q.explanation:
                assert plain(q.explanation)[:50] not in body


def test_key_append_adds_a_section_and_counts_worksheet_pages_only(
    sample_bank: Path, tmp_path: Path
) -> None:
    _b, d, files, _ = build(
        sample_bank, tmp_path / "a.docx", Selection(quiz="4.3-practice"), key="append"
    )
    assert [f.name for f in files] == ["a.docx"]
    document = Document(str(files[0]))
    assert len(document.sections) == 2
    worksheet, key = document.sections
    assert key.start_type == WD_SECTION.NEW_PAGE
    assert key.header.paragraphs[0].text.startswith("TEACHER COPY")
    footer = worksheet.footer.paragraphs[0]
    instr = [t.text.strip() for t in footer._p.iter(f"{W}instrText")]
    assert instr == ["PAGE", "PAGEREF _qbank_worksheet_end"]
    names = [b.get(qn("w:name")) for b in document.element.body.iter(f"{W}bookmarkStart")]
    assert names == ["_qbank_worksheet_end"]
    assert len(key_rows(document)) == 1  # this form's key only
    assert d.forms[0].questions[0].number in key_rows(document)[0]


def test_key_none_writes_only_the_worksheet(sample_bank: Path, tmp_path: Path) -> None:
    _b, _d, files, _ = build(
        sample_bank, tmp_path / "n.docx", Selection(quiz="4.3-practice"), key="none"
    )
    assert files == [tmp_path / "n.docx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.docx"]


# -- variants ------------------------------------------------------------------------------


def test_letter_paper(sample_bank: Path, tmp_path: Path) -> None:
    _b, _d, files, _ = build(
        sample_bank, tmp_path / "l.docx", Selection(quiz="4.3-practice"), paper="letter"
    )
    for path in files:
        section = Document(str(path)).sections[0]
        assert mm(section.page_width, section.page_height) == (215.9, 279.4)
        stops = Document(str(path)).styles["Header"].paragraph_format.tab_stops
        assert [mm(t.position) for t in stops] == [(175.9,)]


def test_large_print_is_big_sans_serif_one_column_without_italics(
    sample_bank: Path, tmp_path: Path
) -> None:
    _b, _d, files, warnings = build(
        sample_bank, tmp_path / "lp.docx", Selection(), large_print=True, columns=2
    )
    assert warnings == ["large print is always one column; --columns 2 ignored"]
    document = Document(str(files[0]))
    layout = load_style()["large_print"]
    assert 16 <= layout.size <= 18 and layout.font == "Arial"
    assert document.styles["Normal"].font.size == Pt(layout.size)
    assert document.styles["Answer Line"].paragraph_format.line_spacing == Pt(
        layout.answer_line_pitch
    )
    assert layout.answer_line_pitch > load_style()["regular"].answer_line_pitch
    assert len(document.sections) == 1
    assert document.element.body.find(f".//{W}cols[@{W}num='2']") is None
    assert not [r for p in body_paragraphs(document) for r in p.runs if r.italic]
    assert any("Choose all that apply." in p.text for p in body_paragraphs(document))
    fields = [p.text for p in document.paragraphs[2:5]]
    assert fields == ["Name: \t", "Class: \t", "Date: \t"]  # one write-on field per line


def test_two_columns_after_the_header_block(sample_bank: Path, tmp_path: Path) -> None:
    _b, _d, files, _ = build(sample_bank, tmp_path / "c.docx", Selection(), columns=2)
    document = Document(str(files[0]))
    header_block, questions = document.sections
    assert questions.start_type == WD_SECTION.CONTINUOUS
    cols = questions._sectPr.find(qn("w:cols"))
    assert cols.get(qn("w:num")) == "2"
    assert header_block._sectPr.find(qn("w:cols")).get(qn("w:num")) in (None, "1")
    # two options per line is only for one-column pages
    assert not [p for p in document.paragraphs if p.text.count(BOX) == 2 and "True" not in p.text]


def test_short_options_go_two_per_line_in_one_column(whole_bank: Any) -> None:
    _bank, d, files = whole_bank
    document = Document(str(files[0]))
    blocks = question_blocks(document)
    limit = load_style()["regular"].pair_short_options
    for dq in d.forms[0].questions:
        if isinstance(dq.question, Single | Multi):
            short = all(len(mk.to_text(o.text)) <= limit for o in dq.options)
            option_paras = [p for p in blocks[dq.number] if p.text.startswith(BOX)]
            assert len(option_paras) == (
                (len(dq.options) + 1) // 2 if short else len(dq.options)
            ), dq.id


# -- determinism and atomic writes ---------------------------------------------------------


def test_two_exports_are_byte_identical(sample_bank: Path, tmp_path: Path) -> None:
    sel = Selection(quiz="4.3-practice", forms=2)
    _b, _d, first, _ = build(sample_bank, tmp_path / "one/q.docx", sel)
    _b, _d, second, _ = build(sample_bank, tmp_path / "two/q.docx", sel)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_separate_processes_write_the_same_bytes(sample_bank: Path, tmp_path: Path) -> None:
    """Across processes with different hash seeds, and equal to the library's output."""
    _b, _d, library, _ = build(
        sample_bank, tmp_path / "lib" / "q.docx", Selection(quiz="4.3-practice", forms=2)
    )
    outputs = []
    for seed in ("1", "2"):
        folder = tmp_path / f"cli{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "QBANK_NO_PROGRESS": "1"}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "qbank",
                "export",
                "docx",
                str(sample_bank),
                "--quiz",
                "4.3-practice",
                "--forms",
                "2",
                "--paper",
                "a4",
                "-o",
                str(folder / "q.docx"),
            ],
            check=True,
            capture_output=True,
            env=env,
        )
        outputs.append([(folder / p.name).read_bytes() for p in library])
    assert outputs[0] == outputs[1] == [p.read_bytes() for p in library]


def test_package_has_fixed_properties_dates_and_no_thumbnail(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    sel = Selection(quiz="4.3-practice", forms=2)
    _b, _d, files, _ = build(ROOT / "bank", tmp_path / "fixed" / "q.docx", sel)
    for path in files:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            assert "docProps/thumbnail.jpeg" not in names
            assert "thumbnail" not in z.read("_rels/.rels").decode()
            assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
            assert "python-docx" not in z.read("docProps/core.xml").decode()
        props = Document(str(path)).core_properties
        assert props.author == props.last_modified_by == "qbank"
        assert props.revision == 1
        assert props.created == props.modified
        assert props.created.isoformat().startswith("2020-01-01T00:00:00")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    _b, _d, files2, _ = build(ROOT / "bank", tmp_path / "q.docx", Selection(quiz="4.3-practice"))
    created = Document(str(files2[0])).core_properties.created
    assert created.isoformat().startswith("2023-11-14T22:13:20")


def test_output_that_is_a_folder_fails_before_writing_anything(
    sample_bank: Path, tmp_path: Path
) -> None:
    (tmp_path / "q-key.docx").mkdir()
    (tmp_path / "q.docx").write_bytes(b"previous worksheet")
    with pytest.raises(DocxExportError, match=r"q-key\.docx is a folder"):
        build(sample_bank, tmp_path / "q.docx", Selection(quiz="4.3-practice"))
    assert (tmp_path / "q.docx").read_bytes() == b"previous worksheet"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q-key.docx", "q.docx"]


def test_write_all_renames_nothing_when_one_file_fails(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file where a folder is needed")
    good = tmp_path / "ok.docx"
    with pytest.raises(OSError):
        write_all({good: b"first", tmp_path / "blocker" / "key.docx": b"second"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]


def test_interrupted_export_leaves_no_partial_files(tmp_path: Path) -> None:
    """SIGINT in the middle of a long export (6,000 questions on four forms, several
    seconds of work): exit 130, no new file, no temporary file, the old file untouched."""
    sys.path.append(str(ROOT / "bench"))
    try:
        from synth import write_bank
    finally:
        sys.path.remove(str(ROOT / "bench"))
    bank = write_bank(tmp_path / "big", 6000, 12, seed=3)
    out = tmp_path / "out"
    out.mkdir()
    (out / "w-A.docx").write_bytes(b"last week's worksheet")
    env = {**os.environ, "QBANK_NO_PROGRESS": "1"}
    command = [sys.executable, "-m", "qbank", "export", "docx", str(bank), "--forms", "4"]
    proc = subprocess.Popen(
        [*command, "-o", str(out / "w.docx")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    time.sleep(2.0)  # loading takes about a second; the export then runs for several
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err.decode()
    assert b"interrupted" in err and b"Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == ["w-A.docx"]
    assert (out / "w-A.docx").read_bytes() == b"last week's worksheet"


# -- layout settings -----------------------------------------------------------------------


def test_shipped_style_file_loads_both_variants() -> None:
    styles = load_style()
    assert set(styles) == {"regular", "large_print"}
    assert styles["regular"].size < styles["large_print"].size
    assert styles["large_print"].italic is False


def test_user_style_overrides_some_keys(tmp_path: Path, sample_bank: Path) -> None:
    custom = tmp_path / "style.yaml"
    custom.write_text("regular:\n  size: 12\n  margins: {left: 2.5}\n", encoding="utf-8")
    styles = load_style(custom)
    assert styles["regular"].size == 12
    assert styles["regular"].margins.left == 2.5
    assert styles["regular"].margins.right == 2.0  # kept from the shipped file
    _b, _d, files, _ = build(
        sample_bank, tmp_path / "s.docx", Selection(quiz="4.3-practice"), style=custom, key="none"
    )
    document = Document(str(files[0]))
    assert document.styles["Normal"].font.size == Pt(12)
    assert mm(document.sections[0].left_margin) == (25,)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("regular:\n  colour: red\n", r"style.yaml:2:3: unknown setting `colour`"),
        ("regular:\n  size: big\n", r"style.yaml:2:9: `size` must be a number, got `big`"),
        ("regular:\n  italic: yes\n", r"style.yaml:2:11: `italic` must be true or false"),
        ("huge:\n  size: 30\n", r"style.yaml:1:1: unknown section `huge`"),
        ("regular: [1, 2\n", r"style.yaml:2:1: not valid YAML"),
    ],
)
def test_bad_style_file_names_file_line_and_column(tmp_path: Path, text: str, message: str) -> None:
    custom = tmp_path / "style.yaml"
    custom.write_text(text, encoding="utf-8")
    with pytest.raises(StyleError, match=message):
        load_style(custom)


# -- paper from the locale -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "paper"),
    [
        ({"LANG": "en_US.UTF-8"}, "letter"),
        ({"LANG": "en_CA.UTF-8"}, "letter"),
        ({"LANG": "es_MX.UTF-8"}, "letter"),
        ({"LANG": "fr_CA"}, "letter"),
        ({"LANG": "en_GB.UTF-8"}, "a4"),
        ({"LANG": "de_DE.UTF-8"}, "a4"),
        ({"LANG": "C.UTF-8"}, "a4"),
        ({}, "a4"),
        ({"LANG": "en_US.UTF-8", "LC_PAPER": "de_DE.UTF-8"}, "a4"),
        ({"LANG": "de_DE.UTF-8", "LC_PAPER": "en_US.UTF-8"}, "letter"),
        ({"LC_ALL": "en_GB.UTF-8", "LC_PAPER": "en_US.UTF-8"}, "a4"),
    ],
)
def test_default_paper_follows_the_locale(env: dict[str, str], paper: str) -> None:
    assert default_paper(env) == paper


# -- command line --------------------------------------------------------------------------


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(main, ["export", "docx", *args], env=env, catch_exceptions=False)


def test_cli_writes_forms_and_key_and_reports_them(sample_bank: Path, tmp_path: Path) -> None:
    out = tmp_path / "ws.docx"
    result = run(
        str(sample_bank),
        "--quiz",
        "4.3-practice",
        "--forms",
        "2",
        "-o",
        str(out),
        env={"LANG": "en_US.UTF-8", "LC_ALL": "", "LC_PAPER": ""},
    )
    assert result.exit_code == 0, result.stderr
    names = ["ws-A.docx", "ws-B.docx", "ws-key.docx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == names
    assert result.stderr.splitlines() == [f"wrote {tmp_path / n}" for n in names]
    section = Document(str(tmp_path / "ws-A.docx")).sections[0]
    assert mm(section.page_width) == (215.9,)  # Letter from the locale


def test_cli_options(sample_bank: Path, tmp_path: Path) -> None:
    out = tmp_path / "lp.docx"
    result = run(
        str(sample_bank),
        "--quiz",
        "4.3-practice",
        "-o",
        str(out),
        "--paper",
        "a4",
        "--large-print",
        "--key",
        "append",
        "--title",
        "Friday quiz",
    )
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lp.docx"]
    document = Document(str(out))
    assert document.paragraphs[0].text == "Friday quiz"
    assert mm(document.sections[0].page_width) == (210,)
    result = run(
        str(sample_bank),
        "--quiz",
        "4.3-practice",
        "-o",
        str(tmp_path / "c.docx"),
        "--columns",
        "2",
        "--key",
        "none",
    )
    assert result.exit_code == 0, result.stderr
    assert not (tmp_path / "c-key.docx").exists()
    result = run(str(sample_bank), "--columns", "3")
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_cli_bad_style_is_a_clean_usage_error(sample_bank: Path, tmp_path: Path) -> None:
    custom = tmp_path / "bad.yaml"
    custom.write_text("regular:\n  size: big\n", encoding="utf-8")
    result = run(str(sample_bank), "-o", str(tmp_path / "x.docx"), "--style", str(custom))
    assert result.exit_code == 2
    assert result.stderr.startswith("qbank: error: ")
    assert "bad.yaml:2:9: `size` must be a number" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.docx").exists()


def test_cli_refuses_a_bank_with_errors(make_bank: Any, tmp_path: Path) -> None:
    bank = make_bank({"q.yaml": "id: broken\ntype: single\ntext: Hi\noptions: [a, b]\n"})
    result = run(str(bank), "-o", str(tmp_path / "x.docx"))
    assert result.exit_code == 1
    assert not (tmp_path / "x.docx").exists()
