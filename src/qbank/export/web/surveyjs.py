"""``qbank export surveyjs``: a SurveyJS form that loads and grades as is (DESIGN §7).

Built from the qbank quiz document (:mod:`qbank.export.web.quiz_json`), so question names are
qbank ids and choice values are qbank option ids: a response collected by SurveyJS can be
graded again by qbank. The target is survey-core 2.5.38 (pinned in ``tests/node``); the file
uses only properties that version knows, so ``survey.jsonErrors`` stays empty.

SurveyJS grades every question all-or-nothing, compares text trimmed and case-insensitively,
and counts each question as one point (notes/webquiz.md §2). Where that differs from qbank's
grader (:mod:`qbank.grade`) the question is approximated or left ungraded, and a warning
names it:

* several accepted answers (cloze alternatives, short answers): only the first is accepted;
* ``case_sensitive``: SurveyJS ignores case;
* numeric ``tolerance``: only the exact value is accepted;
* multi with ``partial``: all-or-nothing;
* ``points`` other than 1: every question counts one;

Order and match questions are graded exactly, all-or-nothing as in qbank: each is a
``matrixdropdown`` with one dropdown column — items × "Position" (1…n) for an order
question, left items × "Match" (the right-hand options) for a match question. (A
``ranking`` is not used: survey-core 2.5.38's quiz count scores any complete ranking as
correct, whatever its order.)

SurveyJS renders titles and choice texts as text, so the plain ``text`` of each string is
used (maths as readable Unicode) and author text never becomes markup; a stem with maths is
also shown typeset, as the quiz document's sanitised HTML with MathML in an ``html``
element before the question (whose own title is then hidden); the one HTML property, ``completedHtml``, only
contains escaped text. Braces are neutralised (:func:`literal`) so that SurveyJS's
``{placeholder}`` processing leaves author text alone.
"""

from __future__ import annotations

import html
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qbank.export.web import quiz_json
from qbank.fsutil import atomic_path
from qbank.i18n import Translator, translator
from qbank.model import image_limit
from qbank.render.text import math_text

if TYPE_CHECKING:
    from qbank.draw import Draw
    from qbank.load import Bank

__all__ = ["SURVEYJS_VERSION", "build", "export", "form_path"]

#: the survey-core version these files are written for and tested with
SURVEYJS_VERSION = "2.5.38"


def _number(text: str) -> int | float | None:
    """A JSON number for SurveyJS's ``correctAnswer`` (SurveyJS compares numbers)."""
    try:
        value = Decimal(text)
    except ArithmeticError:
        return None
    if value == value.to_integral_value() and abs(value) < 2**53:
        return int(value)
    return float(value)


class _Notes:
    """Warnings grouped by what was lost, each naming the questions concerned."""

    def __init__(self) -> None:
        self.by_reason: dict[str, list[str]] = {}
        self.info: dict[str, list[str]] = {}

    def add(self, reason: str, qid: str, *, grading: bool = True) -> None:
        """Record a loss; grading losses are listed before merely cosmetic ones."""
        ids = (self.by_reason if grading else self.info).setdefault(reason, [])
        if qid not in ids:
            ids.append(qid)

    def lines(self) -> list[str]:
        out = []
        for reason, ids in [*self.by_reason.items(), *self.info.items()]:
            shown = ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
            out.append(f"surveyjs: {reason}: {shown}")
        return out


_PLACEHOLDER = re.compile(r"\{(?=[^{}]*\})")


def literal(text: str) -> str:
    """Author text that SurveyJS will show as typed.

    SurveyJS replaces ``{name}`` in titles and texts with answers and variables (so an
    author's ``{correctAnswers}`` would print a score, ``{q1}`` a learner's answer). A zero
    width space after the brace makes the name unknown to it, and it then keeps the text.
    """
    return _PLACEHOLDER.sub("{\u200b", text)


_IMG = re.compile(r"<img\b[^>]*>")
_MATH = re.compile(r"\\\((.*?)\\\)|\\\[(.*?)\\\]", re.DOTALL)


def readable(text: str) -> str:
    """Plain text with its maths as readable Unicode (SurveyJS shows titles and choices as
    text, so no LaTeX is left for the learner to decode)."""
    return literal(_MATH.sub(lambda m: math_text(m.group(0)), text))


def _choices(parts: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"value": p["id"], "text": readable(p["text"])} for p in parts]


#: column names of the order and match matrices. Not every name works: survey-core 2.5.38
#: leaves a matrix whose column is named ``pos`` out of the quiz count (0/0), so these two
#: are checked by tests/test_export_surveyjs.py.
ORDER_COLUMN = "position"
MATCH_COLUMN = "match"


def _column(name: str, title: str, choices: list[dict[str, str]]) -> dict[str, Any]:
    return {"name": name, "title": title, "cellType": "dropdown", "choices": choices}


def _element(q: dict[str, Any], notes: _Notes, tr: Translator) -> dict[str, Any]:
    """One SurveyJS question for one qbank question (the document must include answers)."""
    qid = q["id"]
    kind = q["type"]
    key = q.get("answer") or {}
    el: dict[str, Any] = {"name": qid, "title": readable(q["text"])}
    if "<math" in q["html"]:  # the stem is shown typeset by an html element before it
        el["titleLocation"] = "hidden"
    if q["points"] != 1 and q["graded"]:
        notes.add("points other than 1 count as one question", qid)
    if kind in ("single", "multi"):
        el = {"type": "radiogroup" if kind == "single" else "checkbox", **el}
        el["choices"] = _choices(q["options"])
        if kind == "multi":  # the same words as every other target
            el["description"] = literal(tr.gettext("Choose all that apply."))
        if kind == "single":
            el["correctAnswer"] = key["options"][0]
        else:
            el["correctAnswer"] = list(key["options"])
            if q.get("partial"):
                notes.add("partial credit not supported, graded all-or-nothing", qid)
    elif kind == "truefalse":
        labels = {"labelTrue": tr.gettext("True"), "labelFalse": tr.gettext("False")}
        el = {"type": "boolean", **el, **labels, "correctAnswer": key["value"]}
    elif kind in ("cloze", "short"):
        accepted = [b["answers"] for b in key["blanks"]] if kind == "cloze" else [key["answers"]]
        if any(len(alts) > 1 for alts in accepted):
            notes.add("alternative answers dropped, only the first is accepted", qid)
        if q.get("case_sensitive"):
            notes.add("case-sensitive answers graded ignoring case", qid)
        first = [alts[0] if alts else "" for alts in accepted]  # "" leaves it ungraded
        if len(accepted) == 1:
            el = {"type": "text", **el, "correctAnswer": first[0]}
        else:
            el = {"type": "multipletext", **el}
            el["items"] = [
                {"name": f"blank{i + 1}", "title": tr.gettext("Blank {i}").format(i=i + 1)}
                for i in range(len(accepted))
            ]
            el["correctAnswer"] = {f"blank{i + 1}": a for i, a in enumerate(first)}
    elif kind == "numeric":
        el = {"type": "text", **el, "inputType": "number"}
        if q.get("unit"):
            el["description"] = literal(tr.gettext("Unit: {unit}").format(unit=q["unit"]))
        value = _number(key["value"])
        if value is not None:
            el["correctAnswer"] = value
        if key.get("min") != key.get("max") or value is None:
            notes.add("numeric tolerance dropped, only the exact value is accepted", qid)
        elif Decimal(repr(value)) != Decimal(key["value"]):
            notes.add("numeric answer rounded to a double", qid)
    elif kind == "order":
        # a dropdown matrix, items × "Position": graded all-or-nothing like qbank (a ranking
        # is scored correct whatever its order by survey-core 2.5.38's quiz count)
        n = len(q["items"])
        positions = [{"value": str(k + 1), "text": str(k + 1)} for k in range(n)]
        el = {"type": "matrixdropdown", **el, "rows": _choices(q["items"])}
        el["columns"] = [_column(ORDER_COLUMN, tr.gettext("Position"), positions)]
        el["correctAnswer"] = {
            item: {ORDER_COLUMN: str(k + 1)} for k, item in enumerate(key["order"])
        }
    elif kind == "match":
        # a dropdown matrix, left items × one "Match" column: all-or-nothing like qbank
        el = {"type": "matrixdropdown", **el, "rows": _choices(q["left"])}
        el["columns"] = [_column(MATCH_COLUMN, tr.gettext("Match"), _choices(q["right"]))]
        el["correctAnswer"] = {p["left"]: {MATCH_COLUMN: p["right"]} for p in key["pairs"]}
    else:  # essay: never auto-graded, in qbank either
        el = {"type": "comment", **el}
        el["rows"] = max(3, min(int(q.get("lines") or 6), 20))
    if q.get("explanation") or any(o.get("feedback") for o in q.get("options", ())):
        notes.add(
            "feedback and explanations not exported (SurveyJS has no place for them)",
            qid,
            grading=False,
        )
    return el


def build(
    doc: dict[str, Any],
    form: int = 0,
    notes: _Notes | None = None,
    *,
    language: str | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The SurveyJS JSON for one form of a quiz document, and the warnings.

    Pass the same ``notes`` for several forms to get each warning once. ``language`` sets
    qbank's texts (labels, the score page) and SurveyJS's own ``locale`` (whose button
    texts come from survey-core's localisation files, loaded by the page).
    """
    tr = translator(language)
    if doc.get("answers") != "included":
        raise ValueError("a SurveyJS quiz needs the answer keys: build the document with them")
    notes = notes if notes is not None else _Notes()
    pages = []
    for q in doc["forms"][form]["questions"]:
        elements: list[dict[str, Any]] = []
        for n, m in enumerate(q["media"]):
            elements.append(
                {
                    "type": "image",
                    "name": f"{q['id']}-image{n + 1}",
                    "imageLink": m["url"],
                    "altText": literal(m["alt"]),
                    "imageFit": "contain",
                    "imageHeight": "auto",
                    "imageWidth": "100%",
                }
            )
        if "<math" in q["html"]:
            # the images are image elements already: the typeset stem leaves them out
            stem = _IMG.sub("", q["html"])
            elements.append({"type": "html", "name": f"{q['id']}-stem", "html": literal(stem)})
        elements.append(_element(q, notes, tr))
        pages.append({"name": f"page{q['number']}", "elements": elements})
    title = literal(doc["title"])
    survey: dict[str, Any] = {"title": title}
    if tr.language != "en":
        survey["locale"] = tr.language.split("-")[0]
    if doc.get("instructions"):
        survey["description"] = literal(doc["instructions"]["text"])
    survey.update(
        {
            "showProgressBar": True,
            "progressBarType": "pages",
            "progressBarShowPageTitles": False,
            "showQuestionNumbers": "on",
            "showPrevButton": True,
            "completeText": literal(tr.gettext("Finish")),
            "completedHtml": (
                f"<h3>{html.escape(title)}</h3><p>"
                + html.escape(tr.gettext("Your score is {score}.")).replace(
                    "{score}", "<strong>{correctAnswers} / {questionCount}</strong>"
                )
                + "</p>"
            ),
            "pages": pages,
        }
    )
    return survey, notes.lines()


def form_path(target: Path, form: str) -> Path:
    """``quiz.survey.json`` → ``quiz.survey-B.json``: one SurveyJS file per form."""
    return target.with_name(f"{target.stem}-{form}{target.suffix}")


def export(drawn: Draw, target: Path, *, bank: Bank) -> tuple[list[Path], list[str]]:
    """Write one SurveyJS file (several forms: one file per form, ``-A``, ``-B`` …).

    Returns the files written and the warnings. Each file is written atomically.
    """
    media = quiz_json.Media(bank.root, allow_remote=True, limit=image_limit(bank.manifest))
    doc = quiz_json.build(drawn, bank, answers=True, media=media)
    notes = _Notes()
    written: list[Path] = []
    several = len(doc["forms"]) > 1
    for i, form in enumerate(doc["forms"]):
        language = bank.manifest.language if bank.manifest else None
        survey, _ = build(doc, i, notes, language=language)
        path = form_path(target, form["form"]) if several else target
        with atomic_path(path) as tmp:
            tmp.write_text(
                json.dumps(survey, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
        written.append(path)
    return written, [*media.warnings, *notes.lines()]
