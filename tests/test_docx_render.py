"""Worksheets rendered by LibreOffice and read back from the PDF (notes/worksheets.md §4).

Pagination exists only after rendering, so these tests convert every variant to PDF in one
``soffice`` call (a private profile under the test's temporary folder) and check with
poppler: page size (``pdfinfo``), every drawn question once per form and on one page with
all its options and answer lines (``pdftotext -layout``), "Page X of Y" on every page, the
key's letters for each form, and a page image of each variant (``pdftoppm -r 60``) in
test-artifacts/ for a human look.
"""

from __future__ import annotations

import bisect
import re
import shutil
import subprocess
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import SAMPLE_BANK, require_tool
from qbank import markup as mk
from qbank.draw import Draw, DrawnQuestion, Form, Selection, draw, letter
from qbank.export import check_for_export
from qbank.export.docx import export
from qbank.load import load_bank
from qbank.model import (
    QUESTION_TYPES,
    Essay,
    Match,
    Multi,
    Numeric,
    Order,
    Short,
    Single,
    TrueFalse,
)

BOX = "\u2610"
#: page sizes in points as pdfinfo prints them
PAPER_POINTS = {"a4": (595.3, 841.9), "letter": (612.0, 792.0)}


# -- building and rendering ----------------------------------------------------------------


@dataclass
class Doc:
    """One rendered file: what it was made from and what the PDF says."""

    name: str
    docx: Path
    draw: Draw
    form: Form | None  # None for a separate key
    paper: str = "a4"
    columns: int = 1
    appended_key: bool = False
    pdf: Path = Path()
    pages: list[str] = field(default_factory=list)  # pdftotext -layout, one per page
    columns_text: list[str] = field(default_factory=list)  # per page, column by column
    size: tuple[float, float] = (0.0, 0.0)


def synthetic_questions(n: int) -> str:
    """``n`` questions of every type, with long and short stems, options and essays."""
    filler = "The team reviews the design, the data flow and the cost before deciding. "
    out = ['topic: "4.3"', "questions:"]
    for i in range(n):
        kind = QUESTION_TYPES[i % len(QUESTION_TYPES)]
        stem = f"Synthetic question {i:02d} asks about case {i}. " + filler * (i % 4)
        q = [f"  - id: syn-{i:02d}", f"    type: {kind}"]
        if kind == "cloze":
            q.append(
                f'    text: "Synthetic question {i:02d} asks about {{{{blank answer {i}|alt {i}}}}} in case {i}. {filler * (i % 3)}"'
            )
        else:
            q.append(f'    text: "{stem.strip()}"')
        if kind in ("single", "multi"):
            q.append("    options:")
            for j in range(4 + i % 3):
                long = " which is a much longer option text that wraps onto a second line" * (i % 2)
                q.append(f'      - text: "Option {j} of {i}{long}"')
                if j == 0 or (kind == "multi" and j == 2):
                    q.append("        correct: true")
        elif kind == "truefalse":
            q.append(f"    answer: {'true' if i % 2 else 'false'}")
        elif kind == "short":
            q += [f'    answers: ["answer {i}"]', f"    max_words: {3 if i % 2 else 15}"]
        elif kind == "numeric":
            q += [f'    answer: "{i}.5"', '    tolerance: "0.5"', "    unit: ms"]
        elif kind == "order":
            q.append("    items:")
            q += [f'      - "Step {k} of the {i} pipeline"' for k in range(3 + i % 3)]
        elif kind == "match":
            q.append("    pairs:")
            q += [f'      - ["Left {k} of {i}", "Right {k} of set {i}"]' for k in range(3 + i % 2)]
        elif kind == "essay":
            q.append(f"    lines: {4 + i % 9}")
        q.append(f'    explanation: "Explanation for synthetic question {i}."')
        out += q
    return "\n".join(out) + "\n"


def build(out: Path, bank_path: Path, sel: Selection, name: str, **kwargs: object) -> list[Doc]:
    bank = check_for_export(load_bank(bank_path)).bank
    d = draw(bank, sel)
    result = export(d, out / f"{name}.docx", bank=bank, **kwargs)  # type: ignore[arg-type]
    assert result.warnings == [], result.warnings
    docs = []
    key = kwargs.get("key", "separate")
    for path in result.files:
        is_key = path.stem.endswith("-key")
        form = (
            None
            if is_key
            else d.forms[[f.name for f in d.forms].index(path.stem[-1])]
            if len(d.forms) > 1
            else d.forms[0]
        )
        docs.append(
            Doc(
                name=path.stem,
                docx=path,
                draw=d,
                form=form,
                paper=str(kwargs.get("paper", "a4")),
                columns=int(kwargs.get("columns", 1)),  # type: ignore[call-overload]
                appended_key=key == "append",
            )
        )
    return docs


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Doc]:
    soffice = require_tool("soffice")
    pdftotext = require_tool("pdftotext")
    pdfinfo = require_tool("pdfinfo")
    root = tmp_path_factory.mktemp("render")
    out = root / "out"
    out.mkdir()
    big = root / "bank60"
    shutil.copytree(SAMPLE_BANK, big)
    (big / "synthetic").mkdir()
    (big / "synthetic" / "extra.yaml").write_text(synthetic_questions(40), encoding="utf-8")
    docs: list[Doc] = []
    quiz = Selection(quiz="4.3-practice", forms=2)
    docs += build(out, SAMPLE_BANK, quiz, "quiz")
    docs += build(out, SAMPLE_BANK, Selection(), "bank")
    docs += build(out, SAMPLE_BANK, Selection(), "letter", paper="letter", key="none")
    docs += build(out, SAMPLE_BANK, Selection(), "large", large_print=True, key="none")
    docs += build(out, SAMPLE_BANK, Selection(), "twocol", columns=2, key="none")
    sixty = Selection(count=60, forms=2, seed="sixty", shuffle_questions=True, shuffle_options=True)
    docs += build(out, big, sixty, "sixty")
    docs += build(out, SAMPLE_BANK, Selection(quiz="4.3-practice"), "append", key="append")
    profile = root / "lo-profile"
    proc = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *[str(d.docx) for d in docs],
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    for d in docs:
        d.pdf = d.docx.with_suffix(".pdf")
        # soffice may exit 0 without writing a PDF: check the file, not the exit code
        assert d.pdf.is_file(), f"{d.name}: no PDF\n{proc.stdout}\n{proc.stderr}"
        info = subprocess.run([pdfinfo, str(d.pdf)], capture_output=True, text=True, check=True)
        m = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout)
        assert m, info.stdout
        d.size = (float(m.group(1)), float(m.group(2)))
        text = subprocess.run(
            [pdftotext, "-layout", "-enc", "UTF-8", str(d.pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        d.pages = text.split("\f")[:-1]
        n_pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]
        assert len(d.pages) == n_pages
        if d.columns == 2:
            d.columns_text = [column_text(pdftotext, d, p) for p in range(1, n_pages + 1)]
        else:
            d.columns_text = list(d.pages)
    return {d.name: d for d in docs}


def column_text(pdftotext: str, d: Doc, page: int) -> str:
    """A two-column page read column by column (``-layout`` would interleave their lines)."""
    w, h = d.size
    parts = []
    for x0, x1 in ((0, w / 2), (w / 2, w)):
        parts.append(
            subprocess.run(
                [
                    pdftotext,
                    "-layout",
                    "-enc",
                    "UTF-8",
                    "-f",
                    str(page),
                    "-l",
                    str(page),
                    "-x",
                    str(int(x0)),
                    "-y",
                    "0",
                    "-W",
                    str(int(x1 - x0)),
                    "-H",
                    str(int(h)),
                    str(d.pdf),
                    "-",
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.replace("\f", "")
        )
    return "\n".join(parts)


# -- reading the PDF text ------------------------------------------------------------------


class Flat:
    """The pages of a form as one whitespace-collapsed string, with a position → page map."""

    def __init__(self, pages: list[str]):
        chunks, starts, pos = [], [], 0
        for page in pages:
            # LibreOffice breaks lines after a hyphen ("right-" / "skewed"): join them
            page = re.sub(r"(?<=\w-)\n\s*(?=\w)", "", page)
            flat = re.sub(r"\s+", " ", page).strip() + " "
            starts.append(pos)
            chunks.append(flat)
            pos += len(flat)
        self.text = "".join(chunks)
        self.starts = starts

    def page(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos) - 1

    def page_end(self, pos: int) -> int:
        p = self.page(pos)
        return self.starts[p + 1] if p + 1 < len(self.starts) else len(self.text)

    def find(self, needle: str, start: int) -> int:
        return self.text.find(re.sub(r"\s+", " ", needle), start)


_CUT = re.compile(
    r"\{\{.*?\}\}|\\\(.*?\\\)|\\\[.*?\\\]|!\[[^\]]*\]\([^)]*\)|\n\s*\n|```.*?```", re.DOTALL
)


def segments(source: str) -> list[str]:
    """Plain-text stretches of a stem between blanks, maths, pictures and paragraphs."""
    out = []
    for piece in _CUT.split(source):
        text = re.sub(r"\s+", " ", mk.to_text(piece)).strip()
        if len(text) >= 12:
            out.append(text)
    return out


def first_word(text: str) -> str:
    return re.sub(r"\s+", " ", mk.to_text(text)).strip().split(" ")[0]


RESTART = "\x00"  # in markers(): search the next ones from the stem again


def markers(dq: DrawnQuestion) -> list[str]:
    """What must appear, in this order and on one page, for a drawn question."""
    q = dq.question
    parts = segments(q.text)
    found = [parts[0][:40], parts[-1][-20:]] if parts else []
    if isinstance(q, Single | Multi):
        found += [f"{letter(i)}. {first_word(o.text)}" for i, o in enumerate(dq.options)]
    elif isinstance(q, TrueFalse):
        found += [f"{BOX} True", f"{BOX} False"]
    elif isinstance(q, Order):
        found += [f"{BOX} {letter(i)}. {first_word(t)}" for i, t in enumerate(dq.items)]
    elif isinstance(q, Match):
        # beside each other, or the right column below the left one in a narrow column
        found += [f"{i + 1}. {first_word(left)}" for i, (left, _r) in enumerate(q.pairs)]
        found.append(RESTART)
        found += [f"{letter(j)}. {first_word(r)}" for j, r in enumerate(dq.right_column)]
    elif isinstance(q, Numeric):
        found += ["Answer:"] + ([q.unit] if q.unit else [])
    return found


def ruled_lines(dq: DrawnQuestion) -> int:
    q = dq.question
    if isinstance(q, Essay):
        return q.lines
    if isinstance(q, Short):
        return 1
    return 0


def worksheets(rendered: dict[str, Doc]) -> list[Doc]:
    return [d for d in rendered.values() if d.form is not None]


def worksheet_pages(d: Doc) -> list[str]:
    """The student pages (an appended key's pages left out)."""
    if not d.appended_key:
        return d.columns_text
    end = next(i for i, p in enumerate(d.pages) if f"End of Form {d.form.name}" in p)  # type: ignore[union-attr]
    return d.columns_text[: end + 1]


# -- tests ---------------------------------------------------------------------------------


def test_every_worksheet_and_key_converts_on_the_requested_paper(rendered: dict[str, Doc]) -> None:
    assert sorted(rendered) == sorted(
        [
            "quiz-A",
            "quiz-B",
            "quiz-key",
            "bank",
            "bank-key",
            "letter",
            "large",
            "twocol",
            "sixty-A",
            "sixty-B",
            "sixty-key",
            "append",
        ]
    )
    for d in rendered.values():
        want = PAPER_POINTS[d.paper]
        assert abs(d.size[0] - want[0]) < 1 and abs(d.size[1] - want[1]) < 1, (d.name, d.size)
        assert d.pages and all(p.strip() for p in d.pages), d.name
    assert len(rendered["sixty-A"].form.questions) == 60  # type: ignore[union-attr]
    # large print takes more pages than the same questions in regular print
    assert len(rendered["large"].pages) > 1.5 * len(rendered["bank"].pages)
    assert len(rendered["twocol"].pages) < len(rendered["bank"].pages)


def test_each_question_once_per_form_and_on_one_page_with_its_options(
    rendered: dict[str, Doc],
) -> None:
    checked = 0
    for d in worksheets(rendered):
        assert d.form is not None
        flat = Flat(worksheet_pages(d))
        heads = [markers(dq)[0] for dq in d.form.questions if segments(dq.question.text)]
        pos = 0
        for dq in d.form.questions:
            found = markers(dq)
            assert found, dq.id
            head = flat.find(found[0], pos)
            assert head >= 0, f"{d.name}: question {dq.number} ({dq.id}) not found after {pos}"
            # printed once: as often as the drawn stems contain this probe (normally 1)
            expected = sum(1 for h in heads if found[0] in h or h == found[0])
            assert flat.text.count(found[0]) == expected, (d.name, dq.id)
            number = flat.text.rfind(f"{dq.number}. ", max(0, head - 120), head + 1)
            assert number >= 0 and flat.page(number) == flat.page(head), (d.name, dq.number)
            page = flat.page(head)
            at = stem_end = head
            for i, marker in enumerate(found[1:]):
                if marker == RESTART:
                    at = stem_end
                    continue
                at = flat.find(marker, at)
                if i == 0:
                    stem_end = at
                assert at >= 0, f"{d.name}: {marker!r} of question {dq.number} ({dq.id}) missing"
                assert flat.page(at) == page, (
                    f"{d.name}: question {dq.number} ({dq.id}) split: {marker!r} is on page "
                    f"{flat.page(at) + 1}, its stem on page {page + 1}"
                )
            lines = ruled_lines(dq)
            if lines:
                nxt = d.form.questions[dq.number] if dq.number < len(d.form.questions) else None
                stop = flat.page_end(at)
                if nxt is not None and segments(nxt.question.text):
                    n_head = flat.find(markers(nxt)[0], at)
                    if 0 <= n_head < stop:
                        stop = n_head
                rules = re.findall(r"_{8,}", flat.text[at:stop])
                assert len(rules) >= lines, (
                    f"{d.name}: question {dq.number} ({dq.id}) has {len(rules)} of its {lines} "
                    f"answer lines on page {page + 1}"
                )
            pos = head + 1
            checked += 1
    # 2 × 5 (quiz) + 4 × 61 (bank, Letter, large print, two columns) + 2 × 60 + 5 (append)
    assert checked == 379


def test_every_page_says_page_x_of_y(rendered: dict[str, Doc]) -> None:
    for d in rendered.values():
        student = len(worksheet_pages(d)) if d.form is not None else len(d.pages)
        for i, page in enumerate(d.pages, start=1):
            footer = page.strip().splitlines()[-1].strip()
            if i <= student:
                label = f"Form {d.form.name}" if d.form is not None else "Answer key"
                assert footer == f"{label} · Page {i} of {student}", (d.name, i, footer)
            else:  # an appended key counts the whole file
                assert footer == f"TEACHER COPY · Page {i} of {len(d.pages)}", (d.name, i)


def test_key_pdf_gives_each_forms_printed_letters(rendered: dict[str, Doc]) -> None:
    for name in ("quiz-key", "sixty-key", "bank-key"):
        d = rendered[name]
        text = "\n".join(d.pages)
        starts = [text.index(f"Form {f.name} — ") for f in d.draw.forms]
        assert starts == sorted(starts)
        for f, start, end in zip(d.draw.forms, starts, [*starts[1:], len(text)], strict=True):
            section = text[start:end]
            for dq in f.questions:
                q = dq.question
                if isinstance(q, Single | Multi):
                    want = re.escape(", ".join(dq.correct_letters))
                elif isinstance(q, TrueFalse):
                    want = "True" if q.answer else "False"
                else:
                    continue
                assert re.search(rf"(?m)^\s*{dq.number}\s+{want}(\s|$)", section), (
                    f"{name}: form {f.name} question {dq.number} ({q.id}) should read {want}"
                )
    # the forms really differ in their letters, so the check above tells them apart
    quiz = rendered["sixty-key"].draw
    a, b = ([dq.correct_letters for dq in f.questions if dq.question.is_choice] for f in quiz.forms)
    assert a != b


def test_student_copies_hold_no_key_and_an_appended_key_comes_after(
    rendered: dict[str, Doc],
) -> None:
    for d in worksheets(rendered):
        student = "\n".join(worksheet_pages(d))
        assert "TEACHER COPY" not in student and "Answer key" not in student, d.name
    d = rendered["append"]
    n = len(worksheet_pages(d))
    assert n < len(d.pages)
    assert d.pages[n].lstrip().startswith("TEACHER COPY — answer key")
    assert "Answer key: " in d.pages[n]


def test_maths_and_code_print_readably(rendered: dict[str, Doc]) -> None:
    text = re.sub(r"\s+", " ", "\n".join(rendered["bank"].pages))
    assert "variance σ 2=225." in text  # a Word equation: the exponent is its own glyph
    assert "CROSS JOIN UNNEST(tags)" in text
    assert "\\(" not in text


def test_page_images_for_a_human_look(rendered: dict[str, Doc], artifacts: Path) -> None:
    pdftoppm = require_tool("pdftoppm")
    wanted = {
        "quiz-A": (1, "docx-a4-quiz-form-A"),
        "quiz-key": (1, "docx-a4-quiz-key"),
        "letter": (2, "docx-letter-bank"),
        "large": (1, "docx-large-print"),
        "twocol": (2, "docx-two-columns"),
        "append": (2, "docx-appended-key"),
    }
    for name, (page, stem) in wanted.items():
        d = rendered[name]
        target = artifacts / stem
        subprocess.run(
            [
                pdftoppm,
                "-png",
                "-r",
                "60",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(d.pdf),
                str(target),
            ],
            check=True,
        )
        png = target.with_suffix(".png")
        header = png.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
        w_pt, h_pt = PAPER_POINTS[d.paper]
        assert (abs(width - w_pt * 60 / 72) <= 2, abs(height - h_pt * 60 / 72) <= 2) == (True, True)


def test_synthetic_questions_are_valid_yaml() -> None:
    """The 60-question bank's extra file: every type, parsed and valid."""
    from qbank.load import load_text

    questions, problems = load_text(textwrap.dedent(synthetic_questions(18)))
    assert {q.type for q in questions} == {
        "single",
        "multi",
        "truefalse",
        "cloze",
        "short",
        "numeric",
        "order",
        "match",
        "essay",
    }
    assert len(questions) == 18
    assert not [p for p in problems if p.severity == "error"]
