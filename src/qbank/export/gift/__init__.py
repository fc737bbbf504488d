"""``qbank export gift``: GIFT text for Moodle's GIFT import.

Checked with gift-pegjs 1.0.2 (research note ``notes/lms-formats.md`` §2). Each question::

    // [id:nat-gateway-purpose]
    // [tag:aws]
    ::nat-gateway-purpose::[html]<p>Stem</p> {
    =right#feedback
    ~%-100%wrong
    ####explanation
    }

Texts are qbank markup rendered to safe HTML (``[html]``), then GIFT-escaped: ``~ = # { }
:`` and ``\\`` get a backslash; new lines become ``&#10;`` (a blank line would end the
question). Short answers, numbers and the right column of a matching are plain text (Moodle
stores them as such), GIFT-escaped only. A ``$CATEGORY:`` line precedes each run of
questions of one topic.

What GIFT cannot carry is named per question in a warning (``Report.warnings``); the
question is then approximated (default) or left out (``unsupported="skip"``):

* cloze with several blanks → a matching "blank 1 → answer" under the text with numbered
  gaps (the answers become a menu, as in Moodle's "select missing words"); one blank → a
  missing-word short answer (no approximation);
* order → a matching "position → item";
* images → their alt text; the unit of a numeric → written after the stem (``(unit: m)``);
* lost without changing the grading (warning only): short-answer case rule, essay rubric
  and word limit, ``shuffle: false``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from qbank.export import (
    Files,
    absolute_tolerance,
    cloze_html,
    decimal_text,
    html,
    share,
    topic_path,
    xml_clean,
)
from qbank.fsutil import atomic_write_bytes
from qbank.grade import blank_answers
from qbank.markup import MediaRef, to_text
from qbank.model import (
    AnyQuestion,
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
from qbank.progress import track

if TYPE_CHECKING:
    from qbank.draw import Draw
    from qbank.load import Bank

__all__ = ["Unsupported", "build", "escape", "export"]

Unsupported = Literal["skip", "approximate"]

_SPECIAL = re.compile(r"([~=#{}:\\])")


def escape(text: str) -> str:
    """GIFT-escape ``~ = # { } :`` and ``\\``; new lines first become ``&#10;`` (the same
    in HTML, and a blank line would end the question)."""
    one_line = xml_clean(text).replace("\r\n", "\n").replace("\n", "&#10;")
    return _SPECIAL.sub(r"\\\1", one_line)


def escape_plain(text: str) -> str:
    """GIFT-escape a plain-text field (short answer, matching right column): one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(xml_clean(text).split()))


def _comment(text: str) -> str:
    return " ".join(text.replace("]", ")").split())


class _NoImages(Files):
    """GIFT has no embedded files: every image is its alt text, with a warning."""

    def url(self, ref: MediaRef) -> str:
        self.warn(f"image `{ref.src}`: GIFT cannot carry images; shown as its alt text")
        return ""


def _answer_html(text: str, files: Files) -> str:
    out = html(text, files, inline=True)
    # `%50%` at the start of an answer is a weight in GIFT
    return "&#37;" + out[1:] if out.startswith("%") else out


def _feedback(text: str | None, files: Files) -> str:
    return "#" + escape(html(text, files)) if text else ""


def _general(q: AnyQuestion, files: Files) -> str:
    return f"####{escape(html(q.explanation, files))}\n" if q.explanation else ""


def _choice(q: Single | Multi, files: Files) -> str:
    lines: list[str] = []
    if isinstance(q, Single):
        for opt in q.options:
            mark = "=" if opt.correct else "~"
            lines.append(
                f"{mark}{escape(_answer_html(opt.text, files))}{_feedback(opt.feedback, files)}"
            )
    else:
        k = len(q.correct_indices)
        right = share(k)
        wrong = "-" + share(k) if q.partial else "-100"
        for opt in q.options:
            w = right if opt.correct else wrong
            lines.append(
                f"~%{w}%{escape(_answer_html(opt.text, files))}{_feedback(opt.feedback, files)}"
            )
    return "\n".join(lines) + "\n"


def _matching(pairs: list[tuple[str, str]], files: Files) -> str:
    return "".join(
        f"={escape(html(left, files, inline=True))} -> {escape_plain(right)}\n"
        for left, right in pairs
    )


def _question(
    q: AnyQuestion, files: Files, bank: Bank, unsupported: Unsupported
) -> tuple[str | None, list[str]]:
    """The GIFT text of one question (None when left out) and what it could not carry."""
    lost: list[str] = []
    approximated = False
    stem = html(q.text, files)
    suffix = ""
    body = ""
    if isinstance(q, Single | Multi):
        body = _choice(q, files)
    elif isinstance(q, TrueFalse):
        body = "TRUE\n" if q.answer else "FALSE\n"
    elif isinstance(q, Short):
        if q.case_sensitive:
            lost.append("the case rule (GIFT short answers ignore case)")
        answers = dict.fromkeys(
            to_text(a.strip(), inline=True).replace("*", "\\*") for a in q.answers
        )
        body = "".join(f"={escape_plain(a)}\n" for a in answers)
    elif isinstance(q, Numeric):
        value = q.answer_decimal
        number = decimal_text(value) if value is not None else q.answer.strip()
        tol = decimal_text(absolute_tolerance(q))
        body = f"#{escape_plain(number)}:{tol}\n" if tol != "0" else f"#{escape_plain(number)}\n"
        if q.unit and q.unit.strip():
            lost.append(f"the unit `{q.unit.strip()}` (written after the text instead)")
            suffix = " " + escape("(unit: " + html(q.unit.strip(), files, inline=True) + ")")
            approximated = True
    elif isinstance(q, Cloze):
        alternatives = blank_answers(q)
        if len(alternatives) == 1:
            answers = dict.fromkeys(a.replace("*", "\\*") for a in alternatives[0])
            inner = " ".join(f"={escape_plain(a)}" for a in answers)
            if q.case_sensitive:
                lost.append("the case rule (GIFT short answers ignore case)")
            token = "\ue010"
            text = cloze_html(q.text, files, {0: token})
            before, _, after = text.partition(token)
            head = _head(q, files)
            gen = _general(q, files).rstrip("\n")
            gen = f" {gen}" if gen else ""
            return (
                f"{head}[html]{escape(before)}{{{inner}{gen}}}{escape(after)}\n",
                lost,
            )
        lost.append(f"{len(alternatives)} blanks (written as a matching: blank → answer)")
        approximated = True
        stem = cloze_html(q.text, files, {i: f"[{i + 1}] _____" for i in range(len(alternatives))})
        body = _matching(
            [(f"[{i + 1}]", alts[0] if alts else "") for i, alts in enumerate(alternatives)],
            files,
        )
    elif isinstance(q, Match):
        body = _matching([(left, to_text(right, inline=True)) for left, right in q.pairs], files)
    elif isinstance(q, Order):
        lost.append("ordering (written as a matching: position → item)")
        approximated = True
        body = _matching(
            [(str(i + 1), to_text(item, inline=True)) for i, item in enumerate(q.items)], files
        )
    elif isinstance(q, Essay):
        if q.rubric:
            lost.append("the rubric (GIFT essays have no grader information)")
        if q.max_words:
            lost.append("the word limit")
    if not q.shuffle and (q.is_choice or isinstance(q, Match)):
        lost.append("shuffle: false (Moodle's quiz setting decides)")
    if approximated and unsupported == "skip":
        return None, lost
    head = _head(q, files)
    return f"{head}[html]{escape(stem)}{suffix} {{\n{body}{_general(q, files)}}}\n", lost


def _head(q: AnyQuestion, files: Files) -> str:
    lines = [f"// [id:{_comment(q.id)}]"]
    tags = [*q.tags, *([f"difficulty:{q.difficulty}"] if q.difficulty else [])]
    lines.extend(f"// [tag:{_comment(t)}]" for t in dict.fromkeys(tags))
    return "\n".join(lines) + f"\n::{escape_plain(q.id)}::"


def build(
    drawn: Draw, bank: Bank, *, unsupported: Unsupported = "approximate"
) -> tuple[str, list[str]]:
    """The GIFT text and the warnings (one per question that lost something)."""
    files = _NoImages(bank.root, "")
    parts: list[str] = []
    warnings: list[str] = files.warnings
    current: list[str] | None = None
    questions = drawn.questions
    for q in track(questions, total=len(questions), label="Exporting"):
        files.where = f"{q.file}: {q.id}"
        text, lost = _question(q, files, bank, unsupported)
        if lost:
            action = "left out" if text is None else "exported as documented in --help"
            warnings.append(f"{q.file}: {q.id}: GIFT cannot carry {'; '.join(lost)} — {action}")
        if text is None:
            continue
        path = topic_path(bank, q.topic)
        if path != current:
            cat = "/".join(s.replace("/", "//") for s in ["$course$", "top", bank.title, *path])
            parts.append(f"$CATEGORY: {' '.join(cat.split())}\n")
            current = path
        parts.append(text)
    return "\n".join(parts), warnings


def export(
    drawn: Draw, target: Path, *, bank: Bank, unsupported: Unsupported = "approximate"
) -> list[str]:
    """Write the GIFT file (UTF-8) atomically; returns warnings."""
    text, warnings = build(drawn, bank, unsupported=unsupported)
    atomic_write_bytes(target, text.encode("utf-8"))
    return warnings
