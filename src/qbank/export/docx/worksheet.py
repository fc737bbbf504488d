"""The student copy: header block, numbered questions and the answer space of each type.

Every question type's printed form (boxes, blanks, ruled lines, match columns) lives here, so
changing how a type looks on paper touches this module only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from docx.enum.section import WD_SECTION
from docx.shared import Cm, Pt

from qbank import markup as mk
from qbank.draw import DrawnQuestion, Form, letter
from qbank.export.docx import xml as X
from qbank.export.docx.builder import (
    BOX,
    LINES,
    NBSP,
    TAB_L,
    TAB_R,
    Builder,
    BuiltQuestion,
    inline_runs,
)
from qbank.i18n import Translator
from qbank.model import Cloze, Essay, Match, Multi, Numeric, Order, Short, Single, TrueFalse

if TYPE_CHECKING:
    from qbank.draw import Draw


def _plain_len(text: str) -> int:
    return len(mk.to_text(text, inline=True))  # plain texts skip the parser


def _points(tr: Translator, n: int) -> str:
    return "(" + tr.ngettext("{n} pt", "{n} pts", n).format(n=n).replace(" ", NBSP) + ")"


def _blank_width(blank: mk.Blank, max_words: int | None) -> int:
    """Underscores for a cloze blank: 1.4 × the longest accepted answer, at least 10, room
    for ``max_words`` words, capped at 30 (a run of ``_`` cannot wrap)."""
    longest = max((len(mk.to_text(a, inline=True)) for a in blank.answers if a), default=8)
    return min(30, max(10, math.ceil(1.4 * longest), 4 * (max_words or 0)))


def _words_note(tr: Translator, max_words: int | None, per_blank: bool = False) -> str:
    if not max_words:
        return ""
    if per_blank:
        text = tr.ngettext("at most {n} word per blank", "at most {n} words per blank", max_words)
    else:
        text = tr.ngettext("at most {n} word", "at most {n} words", max_words)
    return " (" + text.format(n=max_words) + ")"


class Worksheet(Builder):
    """A student copy of one form (and, with ``key="append"``, its key)."""

    def header_block(self, draw: Draw, form: Form, time_limit: int | None) -> None:
        s = self.styles
        self.para(s.title, draw.title)
        qs = form.questions
        tr = self.tr
        info = [
            tr.gettext("Form {form}").format(form=form.name),
            tr.ngettext("{n} question", "{n} questions", len(qs)).format(n=len(qs)),
            tr.ngettext("{n} point", "{n} points", form.total_points).format(n=form.total_points),
        ]
        if time_limit:
            info.append(
                tr.ngettext(
                    "Time allowed: {n} minute", "Time allowed: {n} minutes", time_limit
                ).format(n=time_limit)
            )
        self.para(s.info, " · ".join(info))
        labels = (tr.gettext("Name:"), tr.gettext("Class:"), tr.gettext("Date:"))
        if self.large:
            for label in labels:
                self.para(s.fields, f"{label} \t")
        else:
            self.para(s.fields, " \t\u2003".join(labels) + " \t")
        if draw.instructions:
            for block in mk.parse(draw.instructions).blocks(self.root):
                if isinstance(block, mk.Paragraph | mk.ListItem):
                    self.runs(self.para(s.note), block.runs)
        self.para(s.note, _how_to_answer(tr, qs, bool(draw.instructions)))
        p = self.para(s.fields)
        p.tabs([(self.full_width // 2 + int(Cm(4)), TAB_L, LINES)])
        p.space(after_pt=6)
        p.bottom_border()
        total = form.total_points
        p.run(
            tr.ngettext("Total: {n} point", "Total: {n} points", total).format(n=total), bold=True
        )
        p.run("\u2003\u2003" + tr.gettext("Score:") + f" \t / {total}")
        if self.columns == 2:
            section = X.section_break_after(self.doc, p.p, WD_SECTION.CONTINUOUS)
            X.set_columns(section, 2, int(Cm(self.layout.column_gap)) // 635)

    def question(self, dq: DrawnQuestion, number_width: int) -> BuiltQuestion:
        q = dq.question
        s = self.styles
        out = BuiltQuestion()
        text = q.text
        if isinstance(q, Cloze):
            blanks = mk.find_blanks(text)
            many = len(blanks) > 1

            def placeholder(b: mk.Blank) -> str:
                tag = f"({b.index + 1}){NBSP}" if many else ""
                return tag + "\\_" * _blank_width(b, q.max_words)

            text = mk.replace_blanks(text, placeholder)
        first = self.para(s.question)
        if number_width:
            first.tabs([(number_width, TAB_L, None), (self.width, TAB_R, None)])
            first.indent(number_width, -number_width)
        first.run(f"{dq.number}.", bold=True)
        first.run("\t")
        stem, last_text = self.blocks(mk.parse(text).blocks(self.root), out, first=first)
        note = _question_note(self.tr, dq)
        if note:
            if last_text is None:  # the stem ends with a picture or code: note on its own line
                last_text = self.para(s.text)
                stem.append(last_text)
                note = note.lstrip()
            italic = self.layout.italic
            last_text.run(note, italic=italic, bold=not italic)
        first.run("\t" + _points(self.tr, q.points))
        for p in stem:
            out.add(p)
        self.answer_space(dq, out)
        _chain(out)
        return out

    def option(self, p: X.Para, label: str, runs: Sequence[mk.Run], q: BuiltQuestion) -> None:
        p.run(BOX, style=self.styles.box_char)
        p.run(f"{NBSP}{label}\t")
        self.runs(p, runs, q)

    def answer_space(self, dq: DrawnQuestion, out: BuiltQuestion) -> None:
        q = dq.question
        s = self.styles
        pitch = int(Pt(self.layout.answer_line_pitch))
        if isinstance(q, Single | Multi):
            options = [(letter(i) + ".", o.text) for i, o in enumerate(dq.options)]
            short = self.layout.pair_short_options
            pair = short > 0 and self.columns == 1
            per_line = 2 if pair and all(_plain_len(t) <= short for _, t in options) else 1
            for i in range(0, len(options), per_line):
                p = self.para(s.option)
                for j, (label, t) in enumerate(options[i : i + per_line]):
                    if j:
                        p.run("\t")
                    self.option(p, label, inline_runs(t, self.root), out)
                out.add(p)
        elif isinstance(q, TrueFalse):
            p = self.para(s.option)
            p.run(BOX, style=s.box_char)
            p.run(f"{NBSP}{self.tr.gettext('True')}\t\t")
            p.run(BOX, style=s.box_char)
            p.run(f"{NBSP}{self.tr.gettext('False')}")
            out.add(p)
        elif isinstance(q, Order):
            box = round(self.layout.size * 1.35)
            for i, item in enumerate(dq.items):
                p = self.para(s.option)
                p.run(BOX, style=s.box_char, size=box)
                p.run(f"{NBSP}{letter(i)}.\t")
                self.runs(p, inline_runs(item, self.root), out)
                out.add(p)
        elif isinstance(q, Match):
            self.match_table(dq, out)
        elif isinstance(q, Numeric):
            label = self.tr.gettext("Answer:")
            p = self.para(s.answer, f"{label} \t" + (f" {q.unit}" if q.unit else ""))
            p.length = 0  # its height is the line pitch, counted here:
            out.extra_height += pitch
            out.add(p)
        elif isinstance(q, Short | Essay):
            n = max(1, q.lines) if isinstance(q, Essay) else (1 if (q.max_words or 99) <= 10 else 2)
            for _ in range(n):
                p = self.para(s.line, "\t")
                p.length = 0  # its height is the line pitch, counted here:
                out.add(p)
            out.extra_height += n * pitch

    def match_table(self, dq: DrawnQuestion, out: BuiltQuestion) -> None:
        """Borderless columns: a write-on blank, the numbered left items and the lettered
        right column in the draw's order. The blank comes first so it keeps its width
        however long the items are. In a narrow column (two-column pages) the right column
        follows below the left one instead of beside it."""
        q = dq.question
        assert isinstance(q, Match)
        lefts = [p[0] for p in q.pairs]
        rights = dq.right_column
        avail = self.width - self.indent
        blank = int(Cm(0.13 * self.layout.size))
        stacked = avail < int(Cm(11))
        left = avail - blank if stacked else int((avail - blank) * 0.4)
        widths = [blank, left] if stacked else [blank, left, avail - blank - left]
        tbl = X.new_table(self.end, widths, indent=self.indent)
        margins = int(Cm(0.19)) * 2
        label = int(Cm(0.35 + 0.03 * self.layout.size))
        s = self.styles
        for i in range(len(lefts) if stacked else max(len(lefts), len(rights))):
            cells = X.add_row(tbl, widths)
            group = []
            for c, cell in enumerate(cells):
                p = self.para(s.match, parent=cell)
                if c == 0:
                    p.tabs([(widths[0] - margins, TAB_R, LINES)])
                    # LibreOffice draws a leader at the end of a cell only if something
                    # follows the tab: a zero-width space
                    p.run("\t\u200b")
                elif i < (len(lefts) if c == 1 else len(rights)):
                    p.tabs([(label, TAB_L, None)])
                    p.indent(label, -label)
                    p.run(f"{i + 1}.\t" if c == 1 else f"{letter(i)}.\t")
                    self.runs(p, inline_runs(lefts[i] if c == 1 else rights[i], self.root), out)
                group.append(p)
            out.add(*group)
        if stacked:
            for j, text in enumerate(rights):
                p = self.para(s.match)
                p.tabs([(self.indent + label, TAB_L, None)])
                p.indent(self.indent + label, -label)
                p.run(f"{letter(j)}.\t")
                self.runs(p, inline_runs(text, self.root), out)
                out.add(p)

    def end_paragraph(self, form: Form) -> X.Para:
        end = self.tr.gettext("End of Form {form}").format(form=form.name)
        p = self.para(self.styles.end, f"— {end} —")
        p.center()
        return p


def _chain(q: BuiltQuestion) -> None:
    """Keep a question on one page: *keep together* on every paragraph, *keep with next*
    on every group but the last (chaining the last too would glue the whole test)."""
    last = len(q.groups) - 1
    for i, group in enumerate(q.groups):
        for p in group:
            p.keep(with_next=i < last, together=True)


def _question_note(tr: Translator, dq: DrawnQuestion) -> str:
    q = dq.question
    if isinstance(q, Multi):
        return " " + tr.gettext("Choose all that apply.")
    if isinstance(q, Cloze):
        return _words_note(tr, q.max_words, per_blank=len(mk.find_blanks(q.text)) > 1)
    if isinstance(q, Short | Essay):
        return _words_note(tr, q.max_words)
    if isinstance(q, Order):
        n = len(q.items)
        return " " + tr.gettext("Number the boxes 1–{n} in the correct order.").format(n=n)
    if isinstance(q, Match):
        return " " + tr.gettext("Write the letter of the matching item on each line.")
    return ""


def _how_to_answer(
    tr: Translator, questions: Sequence[DrawnQuestion], own_instructions: bool
) -> str:
    types = {d.question.type for d in questions}
    parts = [
        tr.gettext("The points for each question are shown on its right.")
        if own_instructions
        else tr.gettext("Answer every question; the points for each are shown on its right.")
    ]
    if types & {"single", "multi", "truefalse"}:
        parts.append(
            tr.gettext("Tick one box ({box}) unless the question says “{choose_all}”.").format(
                box=BOX, choose_all=tr.gettext("Choose all that apply.").rstrip(".")
            )
            if types & {"single", "multi"}
            else tr.gettext("Tick one box ({box}).").format(box=BOX)
        )
    if types & {"cloze", "short", "numeric", "essay"}:
        parts.append(tr.gettext("Write your answers in the blanks or on the lines."))
    return " ".join(parts)


def estimate_height(b: Builder, q: BuiltQuestion) -> int:
    """Rough height of a question in EMU, to warn when it cannot fit on one page."""
    lay = b.layout
    chars_per_line = max(20.0, (b.width - b.indent) / 12700 / (lay.size * 0.5))
    line_h = lay.size * lay.line_spacing * 1.2
    total = lay.question_gap
    for group in q.groups:
        tallest = max(math.ceil(p.length / chars_per_line) * line_h + 2 for p in group)
        total += tallest
    return int(Pt(total)) + q.extra_height
