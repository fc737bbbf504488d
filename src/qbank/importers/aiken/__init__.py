"""Aiken (``A) choice`` … ``ANSWER: B``) → qbank single-choice questions.

As Moodle reads it (``question/format/aiken/format.php``): a choice is a line starting with a
capital letter and ``)`` or ``.`` and a blank; ``ANSWER: X`` ends the question; any other
line is question text. Moodle keeps only the last text line; qbank joins them (a stem that
wraps over several lines stays whole). The text is plain: markdown characters are escaped.
"""

from __future__ import annotations

import re

from qbank.importers import IdAllocator, Imported, ImportResult, SourceFormatError
from qbank.markup.from_html import escape_markdown

_CHOICE = re.compile(r"^([A-Z])[).][ \t]+(.*)$")
_ANSWER = re.compile(r"^ANSWER:\s*(\S?)", re.IGNORECASE)


def import_aiken(
    data: bytes, file: str, *, prefix: str = "", ids: IdAllocator | None = None
) -> ImportResult:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceFormatError(
            file, f"not UTF-8 text (byte {exc.start}); Aiken files are UTF-8"
        ) from None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not any(_ANSWER.match(line.strip()) for line in lines):
        raise SourceFormatError(file, "no `ANSWER: X` line: not an Aiken file", 1)
    ids = ids or IdAllocator(prefix)
    result = ImportResult()
    stem: list[str] = []
    choices: list[tuple[str, str]] = []
    start = 0

    def reset() -> None:
        nonlocal stem, choices, start
        stem, choices, start = [], [], 0

    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if len(line) < 2:
            continue
        m = _CHOICE.match(line)
        a = _ANSWER.match(line)
        if m and stem:
            choices.append((m.group(1), m.group(2).strip()))
        elif a:
            where = str(start or n)
            result.total += 1
            letter = a.group(1).upper()
            letters = [c for c, _ in choices]
            if not stem:
                result.lose(file, where, "question", "an ANSWER line without question text")
            elif len(choices) < 2:
                result.lose(file, where, "question", f"{len(choices)} choice(s); qbank needs two")
            elif letter not in letters:
                result.lose(
                    file,
                    where,
                    "question",
                    f"ANSWER {letter or '(empty)'} is not one of its choices {', '.join(letters)}",
                )
            else:
                question = " ".join(stem)
                options: list[dict[str, object]] = []
                for c, t in choices:
                    opt: dict[str, object] = {"text": escape_markdown(t) or c}
                    if c == letter:
                        opt["correct"] = True
                    options.append(opt)
                qid, _ = ids.take(None, question)
                notes = (
                    ["the question text was on several lines (Moodle keeps only the last)"]
                    if len(stem) > 1
                    else []
                )
                result.questions.append(
                    Imported(
                        {
                            "id": qid,
                            "type": "single",
                            "text": escape_markdown(question),
                            "options": options,
                        },
                        file,
                        where,
                        notes=notes,
                    )
                )
            reset()
        else:
            if choices:  # text after choices without an ANSWER: a new question began
                result.total += 1
                result.lose(
                    file, str(start), "question", "no `ANSWER:` line before the next question"
                )
                reset()
            if not stem:
                start = n
            stem.append(line)
    if stem:
        result.total += 1
        result.lose(file, str(start), "question", "no `ANSWER:` line (end of file)")
    return result
