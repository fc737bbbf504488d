"""The answer key: its intro, one table per form, and each question's answer text.

The key shows letters and positions *as printed on each form*, so it is built from the drawn
question (shuffles applied), not from the bank's question.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from docx.shared import Cm

from qbank import markup as mk
from qbank.draw import DrawnQuestion, Form, letter
from qbank.export.docx import xml as X
from qbank.export.docx.builder import Builder, bolded, inline_runs
from qbank.i18n import Translator, translator
from qbank.model import Cloze, Essay, Match, Multi, Numeric, Order, Short, Single, TrueFalse
from qbank.progress import track

if TYPE_CHECKING:
    from qbank.draw import Draw
    from qbank.load import Bank


class KeyWriter:
    """Writes the answer-key part (one form's heading and table) into a builder."""

    def __init__(self, b: Builder):
        self.b = b

    def form(self, draw: Draw, form: Form, *, new_page: bool) -> None:
        b = self.b
        s = b.styles
        h = b.para(s.key_heading)
        n = len(form.questions)
        tr = b.tr
        h.run(tr.gettext("Form {form}").format(form=form.name), bold=True)
        questions = tr.ngettext("{n} question", "{n} questions", n).format(n=n)
        points = tr.ngettext("{n} point", "{n} points", form.total_points).format(
            n=form.total_points
        )
        seed = tr.gettext("seed {seed}").format(seed=draw.seed)
        h.run(f" — {questions}, {points} · {seed}")
        h.keep(with_next=True)
        if new_page:
            h.page_break_before()
        widths = [int(Cm(1.0)), 0, int(Cm(1.3)), 0]
        rest = b.full_width - widths[0] - widths[2]
        widths[1] = int(rest * 0.45)
        widths[3] = rest - widths[1]
        tbl = X.new_table(b.end, widths, borders=True)
        for cell, text in zip(
            X.add_row(tbl, widths, header=True, fill="D9D9D9"),
            ("#", tr.gettext("Answer"), tr.gettext("Pts"), tr.gettext("Explanation")),
            strict=True,
        ):
            b.para(s.key_cell, parent=cell).run(text, bold=True)
        for dq in track(form.questions, label=f"Key, form {form.name}"):
            q = dq.question
            cells = X.add_row(tbl, widths)
            b.para(s.key_cell, parent=cells[0]).run(str(dq.number), bold=True)
            for line in key_answer(dq, tr):
                b.runs(b.para(s.key_cell, parent=cells[1]), line)
            pts = str(q.points) + (
                " (" + tr.gettext("partial credit") + ")"
                if isinstance(q, Multi) and q.partial
                else ""
            )
            b.para(s.key_cell, parent=cells[2], text=pts)
            explanation: list[mk.Block] = []
            if isinstance(q, Essay) and q.rubric:
                explanation.append(mk.Paragraph((mk.Run(tr.gettext("Rubric:"), bold=True),)))
                explanation += mk.parse(q.rubric).blocks()
            if q.explanation:
                explanation += mk.parse(q.explanation).blocks()
            self.cell_blocks(cells[3], explanation)
        b.para(s.key_cell)  # a table must not end the document

    def cell_blocks(self, cell: Any, blocks: Sequence[mk.Block]) -> None:
        b = self.b
        if not blocks:
            b.para(b.styles.key_cell, parent=cell)  # every cell needs a paragraph
        for block in blocks:
            p = b.para(b.styles.key_cell, parent=cell)
            if isinstance(block, mk.Paragraph):
                b.runs(p, block.runs)
            elif isinstance(block, mk.ListItem):
                p.indent(int(Cm(0.5 * (block.depth + 1))), -int(Cm(0.5)))
                p.run(f"{block.number}. " if block.ordered else "• ")
                b.runs(p, block.runs)
            elif isinstance(block, mk.CodeBlock):
                p.run(block.text, style=b.styles.code_char)
            else:
                p.run("[" + b.tr.gettext("Image: {alt}").format(alt=block.ref.alt) + "]")


def key_answer(dq: DrawnQuestion, tr: Translator | None = None) -> list[list[mk.Run]]:
    """The key's answer cell for a drawn question: one list of runs per line, using the
    letters and positions *as shown on this form*."""
    tr = tr or translator(None)
    q = dq.question
    B = _bold_run
    if isinstance(q, Single | Multi):
        letters = dq.correct_letters
        lines = [[B(", ".join(letters))]]
        for i, o in enumerate(dq.options):
            if o.correct:
                lines.append([B(f"{letter(i)}. "), *_key_runs(o.text, tr)])
        return lines
    if isinstance(q, TrueFalse):
        return [[B(tr.gettext("True") if q.answer else tr.gettext("False"))]]
    if isinstance(q, Cloze):
        blanks = mk.find_blanks(q.text)
        lines = []
        for blank in blanks:
            tag = f"({blank.index + 1}) " if len(blanks) > 1 else ""
            answers = [a for a in blank.answers if a]
            line = [mk.Run(tag), *_bold_all(_key_runs(answers[0], tr) if answers else [])]
            if len(answers) > 1:
                also = "; ".join(mk.to_text(a, inline=True) for a in answers[1:])
                line.append(mk.Run(" — " + tr.gettext("also: {answers}").format(answers=also)))
            lines.append(line)
        if q.case_sensitive:
            lines.append([mk.Run("(" + tr.gettext("case-sensitive") + ")")])
        return lines
    if isinstance(q, Short):
        line = [*_bold_all(_key_runs(q.answers[0], tr))]
        if len(q.answers) > 1:
            also = "; ".join(mk.to_text(a, inline=True) for a in q.answers[1:])
            line.append(mk.Run(" — " + tr.gettext("also: {answers}").format(answers=also)))
        lines = [line]
        if q.case_sensitive:
            lines.append([mk.Run("(" + tr.gettext("case-sensitive") + ")")])
        return lines
    if isinstance(q, Numeric):
        unit = f" {q.unit}" if q.unit else ""
        lines = [[B(f"{q.answer}{unit}")]]
        bounds = q.tolerance_bounds()
        if q.tolerance and bounds is not None and bounds[0] != bounds[1]:
            lo, hi = (_decimal(x) for x in bounds)
            accept = tr.gettext("accept {low} to {high}").format(low=lo, high=hi + unit)
            lines.append([mk.Run(f"{accept} (± {q.tolerance.strip()})")])
        else:
            lines.append([mk.Run(tr.gettext("exact value"))])
        return lines
    if isinstance(q, Order):
        shown = list(dq.order) if dq.order else list(range(len(q.items)))
        sequence = [letter(shown.index(i)) for i in range(len(q.items))]
        boxes = ", ".join(f"{letter(j)} = {shown[j] + 1}" for j in range(len(shown)))
        return [
            [B(" → ".join(sequence))],
            [mk.Run(tr.gettext("Boxes: {boxes}").format(boxes=boxes))],
        ]
    if isinstance(q, Match):
        shown = list(dq.order) if dq.order else list(range(len(q.pairs)))
        return [
            [
                B(f"{i + 1} → {letter(shown.index(i))}"),
                mk.Run(f"  {mk.to_text(left, inline=True)} — {mk.to_text(right, inline=True)}"),
            ]
            for i, (left, right) in enumerate(q.pairs)
        ]
    if isinstance(q, Essay):
        note = (
            tr.gettext("Marked by the teacher (see the rubric).")
            if q.rubric
            else tr.gettext("Marked by the teacher.")
        )
        return [[mk.Run(note)]]
    return [[mk.Run("")]]  # pragma: no cover - every type is handled above


def _key_runs(text: str, tr: Translator) -> list[mk.Run]:
    """A short text for the key: pictures as their alt text (the key is for marking)."""
    label = tr.gettext("Image: {alt}")
    return [mk.Run(f"[{label.format(alt=r.text)}]") if r.image else r for r in inline_runs(text)]


def _bold_run(text: str) -> mk.Run:
    return mk.Run(text, bold=True)


def _bold_all(runs: Sequence[mk.Run]) -> list[mk.Run]:
    return [bolded(r) for r in runs]


def _decimal(d: Decimal) -> str:
    return format(d.normalize(), "f")


def key_intro(b: Builder, draw: Draw, bank: Bank, forms: Sequence[Form]) -> None:
    s = b.styles
    tr = b.tr
    b.para(s.title, tr.gettext("Answer key: {title}").format(title=draw.title))
    names = ", ".join(f.name for f in forms)
    info = [
        tr.ngettext("Form {forms}", "Forms {forms}", len(forms)).format(forms=names),
        tr.gettext("seed {seed}").format(seed=draw.seed),
    ]
    if draw.quiz:
        info.append(tr.gettext("quiz {quiz}").format(quiz=draw.quiz))
    info.append(tr.gettext("bank {bank}").format(bank=bank.id))
    b.para(s.info, " · ".join(info))
    p = b.para(s.note)
    p.run(tr.gettext("TEACHER COPY — do not hand out.") + " ", bold=True)
    p.run(
        tr.gettext(
            "Letters and positions are those printed on each form; the seed reproduces the draw."
        )
    )
