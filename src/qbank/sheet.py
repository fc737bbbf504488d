"""The spreadsheet template: one row a question. Shared by the importer and by
``qbank export csv|xlsx`` so a spreadsheet round-trips.

Columns (header names are case-insensitive; order does not matter on import):

==================  ==========================================================================
``id``              question id (empty: a slug of the text plus a short hash)
``type``            single, multi, truefalse, cloze, short, numeric, order, match, essay
                    (empty: inferred — options → single/multi, true/false → truefalse,
                    else short)
``topic``           topic key (``4.3``)
``tags``            comma-separated
``text``            the question (markdown; cloze blanks ``{{answer|alt}}`` inline)
``A`` … ``F``       options (single, multi), items in the right order (order), pairs as
                    ``left -> right`` (match); more columns ``G``, ``H`` … when needed
``correct``         letters of the correct options (``B`` or ``A, C``); ``true``/``false``;
                    the numeric answer; accepted short answers, one per line
``tolerance``       numeric: absolute (``0.5``) or percent (``2%``)
``unit``            numeric unit
``explanation``     shown after answering
``points`` ``difficulty`` ``status`` ``source``     as in question files
``partial`` ``case_sensitive`` ``shuffle``          true/false (empty: the default)
``max_words`` ``lines`` ``rubric``                  short/cloze/essay settings
``feedback A`` …    feedback for option A …
==================  ==========================================================================

Normalisation (what a round trip does not keep): Windows line ends in cells become ``\\n``;
options given as plain strings and as ``{text: …}`` are the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MIN_LETTERS = 6
BASE_COLUMNS = ("id", "type", "topic", "tags", "text")
AFTER_OPTIONS = (
    "correct",
    "tolerance",
    "unit",
    "explanation",
    "points",
    "difficulty",
    "status",
    "source",
    "partial",
    "case_sensitive",
    "shuffle",
    "max_words",
    "lines",
    "rubric",
)
TYPES = ("single", "multi", "truefalse", "cloze", "short", "numeric", "order", "match", "essay")
_ALIASES = {
    "question": "text",
    "question text": "text",
    "stem": "text",
    "answer": "correct",
    "answers": "correct",
    "correct answer": "correct",
    "category": "topic",
    "general feedback": "explanation",
}
_BOOL_FIELDS = ("partial", "case_sensitive", "shuffle")
_INT_FIELDS = ("points", "max_words", "lines")
ARROW = " -> "


class RowError(ValueError):
    """A row that cannot be a question (the message says why)."""


def columns(letters: int = MIN_LETTERS) -> list[str]:
    opts = list(LETTERS[: max(letters, MIN_LETTERS)])
    return [*BASE_COLUMNS, *opts, *AFTER_OPTIONS, *(f"feedback {c}" for c in opts)]


def canonical(header: str) -> str:
    """``Option B`` / ``option_b`` / ``b`` → ``B``; ``Feedback_A`` → ``feedback A``."""
    h = re.sub(r"[\s_]+", " ", header.strip()).lower()
    m = re.fullmatch(r"(?:option |choice )?([a-z])", h)
    if m:
        return m.group(1).upper()
    m = re.fullmatch(r"feedback ?([a-z])", h)
    if m:
        return f"feedback {m.group(1).upper()}"
    h = _ALIASES.get(h, h)
    return h.replace(" ", "_") if h in ("case sensitive", "max words") else h


@dataclass
class Row:
    """One row as ``{canonical column: cell text}``, with where it came from."""

    cells: dict[str, str]
    line: int


def _letters_in(cells: dict[str, str]) -> list[str]:
    return [c for c in LETTERS if cells.get(c, "").strip()]


def _split_list(text: str, *, commas: bool) -> list[str]:
    parts = re.split(r"[\n,]" if commas else r"\n", text)
    return [p.strip() for p in parts if p.strip()]


def row_to_question(row: Row) -> tuple[dict[str, Any], list[str]]:
    """A question mapping (without ``id`` when the row has none) and notes."""
    c = {k: v for k, v in row.cells.items() if v is not None}
    notes: list[str] = []
    text = c.get("text", "")
    if not text.strip():
        raise RowError("no question text")
    letters = _letters_in(c)
    options = [c[x] for x in letters]
    correct = c.get("correct", "").strip()
    qtype = c.get("type", "").strip().lower()
    if not qtype:
        if options:
            qtype = "multi" if len(_letters(correct)) > 1 else "single"
        elif correct.lower() in ("true", "false"):
            qtype = "truefalse"
        elif "{{" in text:
            qtype = "cloze"
        elif not correct:
            qtype = "essay"
        else:
            qtype = "short"
    if qtype not in TYPES:
        raise RowError(f"unknown type `{qtype}` (one of {', '.join(TYPES)})")
    q: dict[str, Any] = {}
    if c.get("id", "").strip():
        q["id"] = c["id"].strip()
    q["type"] = qtype
    q["text"] = text
    if qtype in ("single", "multi"):
        keys = _letters(correct)
        if not keys:
            raise RowError("`correct` names no option letter (e.g. B, or A, C)")
        missing = [k for k in keys if k not in letters]
        if missing:
            raise RowError(f"`correct` names {', '.join(missing)} but that option is empty")
        opts = []
        for x in letters:
            opt: dict[str, Any] = {"text": c[x]}
            if x in keys:
                opt["correct"] = True
            fb = c.get(f"feedback {x}", "")
            if fb.strip():
                opt["feedback"] = fb
            opts.append(opt)
        q["options"] = opts
    elif qtype == "truefalse":
        if correct.lower() not in ("true", "false"):
            raise RowError(f"`correct` must be true or false, not `{correct}`")
        q["answer"] = correct.lower() == "true"
    elif qtype == "short":
        answers = _split_list(c.get("correct", ""), commas=False)
        if not answers:
            raise RowError("`correct` holds no accepted answer")
        q["answers"] = answers
    elif qtype == "numeric":
        if not correct:
            raise RowError("`correct` holds no numeric answer")
        q["answer"] = correct
        for key in ("tolerance", "unit"):
            if c.get(key, "").strip():
                q[key] = c[key].strip()
    elif qtype == "order":
        if not options:
            raise RowError("no items in the option columns (A, B, …)")
        q["items"] = options
    elif qtype == "match":
        pairs = []
        for x in letters:
            if "->" not in c[x]:
                raise RowError(f"option {x} is not a pair `left -> right`")
            left, right = c[x].split("->", 1)
            pairs.append([left.strip(), right.strip()])
        if not pairs:
            raise RowError("no pairs in the option columns (A, B, …)")
        q["pairs"] = pairs
    elif qtype == "essay" and correct:
        notes.append(f"`correct` of an essay kept as its rubric: {correct}")
        q["rubric"] = correct
    if c.get("topic", "").strip():
        q["topic"] = c["topic"].strip()
    tags = _split_list(c.get("tags", ""), commas=True)
    if tags:
        q["tags"] = tags
    for key in ("explanation", "source", "rubric"):
        if c.get(key, "").strip():
            q[key] = c[key]
    for key in ("difficulty", "status"):
        if c.get(key, "").strip():
            q[key] = c[key].strip().lower()
    for key in _BOOL_FIELDS:
        value = c.get(key, "").strip().lower()
        if value in ("true", "false"):
            q[key] = value == "true"
        elif value:
            raise RowError(f"`{key}` must be true or false, not `{value}`")
    for key in _INT_FIELDS:
        value = c.get(key, "").strip()
        if value:
            if not re.fullmatch(r"\d+", value):
                raise RowError(f"`{key}` must be a whole number, not `{value}`")
            q[key] = int(value)
    return q, notes


def _letters(text: str) -> list[str]:
    parts = [p.strip().upper() for p in re.split(r"[,;\s]+", text) if p.strip()]
    if all(len(p) == 1 and p in LETTERS for p in parts):
        return parts
    return []


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def question_to_row(q: dict[str, Any]) -> dict[str, str]:
    """A question mapping (as in a question file) → template cells."""
    row: dict[str, str] = {k: "" for k in columns(_width(q))}
    qtype = q["type"]
    row["id"] = q["id"]
    row["type"] = qtype
    row["topic"] = _cell(q.get("topic"))
    row["tags"] = ", ".join(q.get("tags") or [])
    row["text"] = q["text"]
    if qtype in ("single", "multi"):
        keys = []
        for i, opt in enumerate(q["options"]):
            if isinstance(opt, str):
                opt = {"text": opt}
            row[LETTERS[i]] = opt["text"]
            if opt.get("correct"):
                keys.append(LETTERS[i])
            if opt.get("feedback"):
                row[f"feedback {LETTERS[i]}"] = opt["feedback"]
        row["correct"] = ", ".join(keys)
    elif qtype == "truefalse":
        row["correct"] = _cell(bool(q["answer"]))
    elif qtype == "short":
        row["correct"] = "\n".join(q["answers"])
    elif qtype == "numeric":
        row["correct"] = _cell(q["answer"])
        row["tolerance"] = _cell(q.get("tolerance"))
        row["unit"] = _cell(q.get("unit"))
    elif qtype == "order":
        for i, item in enumerate(q["items"]):
            row[LETTERS[i]] = item
    elif qtype == "match":
        for i, (left, right) in enumerate(q["pairs"]):
            row[LETTERS[i]] = f"{left}{ARROW}{right}"
    for key in ("explanation", "source", "rubric", "difficulty", "status"):
        row[key] = _cell(q.get(key))
    for key in _BOOL_FIELDS:
        if key in q:
            row[key] = _cell(q[key])
    for key in _INT_FIELDS:
        if key in q and q[key] is not None:
            row[key] = _cell(q[key])
    return row


def _width(q: dict[str, Any]) -> int:
    parts = q.get("options") or q.get("items") or q.get("pairs") or []
    return max(len(parts), MIN_LETTERS)


def sheet_columns(questions: list[dict[str, Any]]) -> list[str]:
    """The header for a set of questions: A–F, or more letters when one needs them."""
    return columns(max((_width(q) for q in questions), default=MIN_LETTERS))
