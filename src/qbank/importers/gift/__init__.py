"""GIFT (Moodle's text format) → qbank questions.

Follows Moodle's importer (``question/format/gift/format.php``) and the gift-pegjs grammar
where they agree: questions are separated by blank lines; ``//`` comments (``// [id:x]`` and
``// [tag:y]`` give the id and tags); ``$CATEGORY: path``; ``::title::`` (the id when there
is no ``[id:]``); ``[html]``/``[markdown]``/``[plain]``/``[moodle]`` text formats; escapes
``\\~ \\= \\# \\{ \\} \\: \\\\`` and ``\\n``; ``%50%`` weights; ``#feedback`` per answer;
``####`` general feedback (→ explanation).

Kinds: ``{}`` essay; ``{T}``/``{FALSE#fb#fb}`` true/false; ``{=a ~b}`` single choice (no
``=`` → multiple answers with weights); ``{=a =b}`` short answer; ``{#…}`` numerical (value,
``value:tolerance``, ``low..high``, several answers); ``{=a -> b}`` matching. An answer
block followed by more text is a "missing word": a short answer becomes a cloze blank, the
other kinds show ``_____`` in the stem as Moodle does. A block without answers is a
description and is reported, not imported.
"""

from __future__ import annotations

import contextvars
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from qbank.importers import (
    IdAllocator,
    Imported,
    ImportResult,
    SourceFormatError,
    apply_tags,
    unique_answers,
)
from qbank.markup.from_html import escape_markdown, html_to_markdown

# escaped characters become private-use placeholders while the structure is parsed
_ESCAPES = {
    "\\\\": "\ue010",
    "\\~": "\ue011",
    "\\=": "\ue012",
    "\\#": "\ue013",
    "\\{": "\ue014",
    "\\}": "\ue015",
    "\\:": "\ue016",
    "\\n": "\ue017",
}
_RESTORE = {
    "\ue010": "\\",
    "\ue011": "~",
    "\ue012": "=",
    "\ue013": "#",
    "\ue014": "{",
    "\ue015": "}",
    "\ue016": ":",
}
_ESC_RE = re.compile(r"\\[\\~=#{}:n]")
_FORMAT = re.compile(r"^\s*\[(html|markdown|plain|moodle)\]", re.IGNORECASE)
_TF = re.compile(r"^(TRUE|FALSE|T|F)(?=\s*(#|$))")
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_MISSING = "\\_\\_\\_\\_\\_"


def import_gift(
    data: bytes, file: str, *, prefix: str = "", ids: IdAllocator | None = None
) -> ImportResult:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceFormatError(
            file, f"not UTF-8 text (byte {exc.start}); GIFT files are UTF-8"
        ) from None
    head = text.lstrip()[:200].lower()
    if head.startswith(("<?xml", "<quiz")):
        raise SourceFormatError(file, "this is XML, not GIFT (try `qbank import moodle`)", 1)
    if "\x00" in text:
        raise SourceFormatError(file, "binary data, not GIFT text")
    return _Reader(file, ids or IdAllocator(prefix)).read(text)


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Questions: runs of non-blank lines, with the 1-based line each starts on."""
    out: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for n, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if line.strip():
            if not current:
                start = n
            current.append(line)
        elif current:
            out.append((start, current))
            current = []
    if current:
        out.append((start, current))
    return out


def _protect(text: str) -> str:
    return _ESC_RE.sub(lambda m: _ESCAPES[m.group(0)], text)


def _strip_comment(line: str) -> str:
    """Drop a ``//`` comment: a whole comment line, or `` // …`` after text."""
    m = re.search(r"(^|\s)//", line)
    return line if m is None else line[: m.start()].rstrip()


class _Reader:
    def __init__(self, file: str, ids: IdAllocator) -> None:
        self.file = file
        self.ids = ids
        self.result = ImportResult()
        self.category: tuple[str, ...] = ()
        self.answers_seen = False
        #: a block started with a GIFT title `::…::` or a format `[html]` …
        self.marked = False

    def read(self, text: str) -> ImportResult:
        blocks = _blocks(text)
        meta_id: str | None = None
        tags: list[str] = []
        for line, lines in blocks:
            body: list[str] = []
            for raw in lines:
                stripped = raw.strip()
                if stripped.startswith("//"):
                    for kind, value in re.findall(r"\[(id|tag):([^\]]*)\]", stripped):
                        if kind == "id":
                            meta_id = value.strip()
                        elif value.strip():
                            tags.append(value.strip())
                    continue
                body.append(_strip_comment(_protect(raw)))
            joined = "\n".join(b for b in body if b.strip() or b == "")
            if not joined.strip():
                continue
            if joined.lstrip().startswith("$CATEGORY:"):
                from qbank.importers import category_parts

                cat = joined.strip()[len("$CATEGORY:") :].split("\n", 1)[0].strip()
                self.category = category_parts(_restore(cat))
                rest = joined.strip().split("\n", 1)
                if len(rest) == 1 or not rest[1].strip():
                    continue  # `// [id:…]` above a category belongs to the next question
                joined = rest[1]
            self.question(line, joined, meta_id, tags)
            meta_id, tags = None, []
        if not (self.answers_seen or self.category or self.marked) and blocks:
            raise SourceFormatError(
                self.file,
                "no GIFT question found (a question ends with an answer block {…})",
                blocks[0][0],
            )
        return self.result

    # -- one question ---------------------------------------------------------------------
    def question(self, line: int, text: str, meta_id: str | None, tags: list[str]) -> bool:
        where = str(line)
        title = ""
        body = text.strip()
        if body.startswith("::") or _FORMAT.match(body):
            self.marked = True
        if body.startswith("::"):
            end = body.find("::", 2)
            if end < 0:
                self.result.total += 1
                self.result.lose(self.file, where, "question", "its title `::…` is not closed")
                return False
            title = _restore(body[2:end]).strip()
            body = body[end + 2 :]
        label = f"{where} ({title})" if title else where
        start = body.find("{")
        if start < 0:
            self.result.total += 1
            self.result.lose(
                self.file,
                label,
                "description",
                "a text without an answer block {…} is not a question",
            )
            return True
        end = body.find("}", start)
        if end < 0:
            self.result.total += 1
            self.result.lose(
                self.file, label, "question", "its answer block `{` is not closed with `}`"
            )
            return False
        self.result.total += 1
        self.answers_seen = True
        fmt = "moodle"
        before = body[:start]
        m = _FORMAT.match(before)
        if m:
            fmt = m.group(1).lower()
            before = before[m.end() :]
        after = body[end + 1 :]
        answer = body[start + 1 : end].strip()
        if after.strip() and "{" in after:
            self.result.lose(
                self.file,
                label,
                "question",
                "more than one answer block (GIFT has one per question)",
            )
            return True
        dropped: list[str] = []
        token = _DROPPED.set(dropped)
        try:
            return self._question(label, answer, fmt, before, after, meta_id, tags, title)
        finally:
            _DROPPED.reset(token)
            for src in dropped:
                self.result.lose(
                    self.file,
                    label,
                    f"image {src}",
                    "GIFT files carry no images (only a reference); left out",
                    question=False,
                )

    def _question(
        self,
        label: str,
        answer: str,
        fmt: str,
        before: str,
        after: str,
        meta_id: str | None,
        tags: list[str],
        title: str,
    ) -> bool:
        notes: list[str] = []
        dropped = _DROPPED.get()
        general = ""
        if "####" in answer:
            answer, general = answer.split("####", 1)
            answer = answer.strip()
        data = self.kind(label, answer, fmt, before, after, notes)
        if data is None:
            return True
        if not data["text"].strip():
            self.result.lose(self.file, label, "question", "it has no question text")
            return True
        if general.strip():
            data["explanation"] = _piece(general, fmt)
        qid, from_source = self.ids.take(meta_id or title or None, data["text"])
        out: dict[str, Any] = {"id": qid, **data}
        apply_tags(out, tags)
        if (title and not from_source) or (title and meta_id):
            notes.insert(0, f"GIFT title: {title}")
        notes.extend(f"image {src} left out (GIFT carries no images)" for src in dropped)
        self.result.questions.append(
            Imported(out, self.file, label, self.category, notes, from_source)
        )
        return True

    def stem(self, before: str, after: str, fmt: str, *, blank: str | None = None) -> str:
        if not after.strip():
            return _convert(before, fmt)
        marker = "\ue020"
        text = _convert(before + marker + after, fmt)
        return text.replace(marker, blank if blank is not None else _MISSING)

    def kind(
        self, label: str, answer: str, fmt: str, before: str, after: str, notes: list[str]
    ) -> dict[str, Any] | None:
        if not answer:
            return {"type": "essay", "text": self.stem(before, after, fmt)}
        tf = _TF.match(answer)
        if tf:
            value = tf.group(1).upper().startswith("T")
            feedbacks = [f.strip() for f in answer[tf.end() :].split("#")[1:]]
            if feedbacks and feedbacks[0]:
                notes.append(f"feedback for a wrong answer: {_piece(feedbacks[0], fmt)}")
            if len(feedbacks) > 1 and feedbacks[1]:
                notes.append(f"feedback for the right answer: {_piece(feedbacks[1], fmt)}")
            return {"type": "truefalse", "text": self.stem(before, after, fmt), "answer": value}
        if answer.startswith("#"):
            return self.numerical(label, answer[1:], fmt, before, after, notes)
        parts = _answers(answer)
        if not parts:
            self.result.lose(
                self.file, label, "question", f"cannot read the answers `{_restore(answer)[:40]}`"
            )
            return None
        if any("->" in text for mark, _, text, _ in parts if mark == "="):
            return self.matching(label, parts, fmt, before, after, notes)
        if any(mark == "~" for mark, _, _, _ in parts):
            return self.choice(label, parts, fmt, before, after, notes)
        return self.short(label, parts, fmt, before, after, notes)

    def choice(
        self,
        label: str,
        parts: list[tuple[str, Decimal | None, str, str]],
        fmt: str,
        before: str,
        after: str,
        notes: list[str],
    ) -> dict[str, Any] | None:
        single = any(mark == "=" for mark, _, _, _ in parts)
        options: list[dict[str, Any]] = []
        weights: list[Decimal] = []
        for mark, weight, text, fb in parts:
            opt: dict[str, Any] = {"text": _piece(text, fmt)}
            if not opt["text"].strip():
                notes.append("an empty answer was left out")
                continue
            w = Decimal(100) if mark == "=" and weight is None else (weight or Decimal(0))
            if fb.strip():
                opt["feedback"] = _piece(fb, fmt)
            options.append(opt)
            weights.append(w)
        if len(options) < 2:
            self.result.lose(
                self.file, label, "multiple-choice question", "it has fewer than two answers"
            )
            return None
        text = self.stem(before, after, fmt)
        data: dict[str, Any] = {"type": "single" if single else "multi", "text": text}
        if single:
            best = max(weights)
            marked = False
            for opt, w in zip(options, weights, strict=True):
                if w == best and not marked:
                    opt["correct"] = marked = True
                elif w > 0:
                    notes.append(
                        f"answer `{opt['text']}` worth {_num_text(w)}% not kept (single choice)"
                    )
                    what = "another right answer" if w == best else "partial credit for"
                    self.result.lose(
                        self.file,
                        label,
                        f"{what} `{opt['text']}`",
                        "a single-choice question in qbank has one correct option",
                        question=False,
                    )
        else:
            if not any(w > 0 for w in weights):
                self.result.lose(
                    self.file, label, "multiple-answer question", "no answer has a positive weight"
                )
                return None
            for opt, w in zip(options, weights, strict=True):
                if w > 0:
                    opt["correct"] = True
            data["partial"] = True
            if len({w for w in weights if w > 0}) > 1:
                notes.append("GIFT weights: " + ", ".join(f"{_num_text(w)}%" for w in weights))
        data["options"] = options
        return data

    def short(
        self,
        label: str,
        parts: list[tuple[str, Decimal | None, str, str]],
        fmt: str,
        before: str,
        after: str,
        notes: list[str],
    ) -> dict[str, Any] | None:
        accepted: list[str] = []
        for _, weight, text, fb in parts:
            value = _restore(_format_of(text, fmt)[1]).strip()
            fbtext = _piece(fb, fmt) if fb.strip() else ""
            if weight is None or weight >= 100:
                accepted.append(value)
                if fbtext:
                    notes.append(f"feedback for `{value}`: {fbtext}")
            else:
                notes.append(
                    f"answer `{value}` worth {_num_text(weight)}%"
                    + (f" (feedback: {fbtext})" if fbtext else "")
                    + " not kept"
                )
                if weight > 0:
                    self.result.lose(
                        self.file,
                        label,
                        f"partial-credit answer `{value}`",
                        "qbank short answers are right or wrong",
                        question=False,
                    )
        accepted = unique_answers([a for a in accepted if a])
        if not accepted:
            self.result.lose(self.file, label, "short-answer question", "no answer has full marks")
            return None
        if after.strip():
            blank = (
                "{{"
                + "|".join(
                    a.replace("\\", "\\\\")
                    .replace("|", "\\|")
                    .replace("}", "\\}")
                    .replace("{", "\\{")
                    for a in accepted
                )
                + "}}"
            )
            return {"type": "cloze", "text": self.stem(before, after, fmt, blank=blank)}
        return {"type": "short", "text": self.stem(before, after, fmt), "answers": accepted}

    def matching(
        self,
        label: str,
        parts: list[tuple[str, Decimal | None, str, str]],
        fmt: str,
        before: str,
        after: str,
        notes: list[str],
    ) -> dict[str, Any] | None:
        pairs: list[list[str]] = []
        for mark, _, text, _ in parts:
            if mark != "=" or "->" not in text:
                notes.append(f"`{_restore(text)}` is not a pair, left out")
                continue
            left, right = text.split("->", 1)
            ltext = _piece(left, fmt)
            rtext = escape_markdown(_restore(right).strip())
            if not ltext.strip():
                notes.append(f"extra answer (distractor) `{rtext}` not kept")
                self.result.lose(
                    self.file,
                    label,
                    f"distractor `{rtext}`",
                    "qbank matching has no extra answers",
                    question=False,
                )
                continue
            pairs.append([ltext, rtext])
        if not pairs:
            self.result.lose(self.file, label, "matching question", "it has no pair")
            return None
        return {"type": "match", "text": self.stem(before, after, fmt), "pairs": pairs}

    def numerical(
        self, label: str, body: str, fmt: str, before: str, after: str, notes: list[str]
    ) -> dict[str, Any] | None:
        body = body.strip()
        items: list[tuple[str, Decimal | None, str, str]]
        if body[:1] in ("=", "~"):
            items = _answers(body)
        else:
            value, _, fb = body.partition("#")
            items = [("=", None, value, fb)]
        chosen: tuple[str, str | None] | None = None
        for mark, weight, value, fb in items:
            value = _restore(value).strip()
            fbtext = _piece(fb, fmt) if fb.strip() else ""
            parsed = _numeric(value)
            full = mark == "=" and (weight is None or weight >= 100)
            if chosen is None and full and parsed is not None:
                chosen = parsed
                if fbtext:
                    notes.append(f"feedback for {value}: {fbtext}")
                continue
            desc = f"answer `{value}`" + (
                f" worth {_num_text(weight)}%" if weight is not None else ""
            )
            notes.append(desc + (f" (feedback: {fbtext})" if fbtext else "") + " not kept")
            if (weight or Decimal(0)) > 0 or (full and parsed is not None):
                self.result.lose(
                    self.file,
                    label,
                    f"numerical {desc}",
                    "qbank numeric questions have one answer and tolerance",
                    question=False,
                )
        if chosen is None:
            self.result.lose(
                self.file, label, "numerical question", "no readable answer with full marks"
            )
            return None
        data: dict[str, Any] = {
            "type": "numeric",
            "text": self.stem(before, after, fmt),
            "answer": chosen[0],
        }
        if chosen[1] is not None:
            data["tolerance"] = chosen[1]
        return data


def _answers(block: str) -> list[tuple[str, Decimal | None, str, str]]:
    """``=a#fb ~%50%b`` → [(mark, weight, text, feedback)]."""
    out: list[tuple[str, Decimal | None, str, str]] = []
    for m in re.finditer(r"([=~])([^=~]*)", block):
        mark, rest = m.group(1), m.group(2)
        weight: Decimal | None = None
        stripped = rest.lstrip()
        w = _WEIGHT.match(stripped)
        if w:
            weight = Decimal(w.group(1))
            stripped = stripped[w.end() :]
        text, _, fb = stripped.partition("#")
        out.append((mark, weight, text.strip(), fb.strip()))
    if block.strip() and block.strip()[0] not in "=~":
        return []
    return out


def _numeric(value: str) -> tuple[str, str | None] | None:
    """``3.14:0.01`` → (3.14, 0.01); ``1..5`` → (3, 2); ``1822`` → (1822, None)."""
    try:
        if ".." in value:
            lo_s, hi_s = value.split("..", 1)
            lo, hi = Decimal(lo_s.strip()), Decimal(hi_s.strip())
            mid = (lo + hi) / 2
            return _num_text(mid), _num_text(abs(hi - lo) / 2)
        if ":" in value:
            v, t = value.split(":", 1)
            Decimal(v.strip())
            tol = Decimal(t.strip())
            return v.strip(), (None if tol == 0 else _num_text(abs(tol)))
        Decimal(value)
        return value, None
    except (InvalidOperation, ValueError):
        return None


def _num_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _restore(text: str) -> str:
    for k, v in _RESTORE.items():
        text = text.replace(k, v)
    return text.replace("\ue017", "\n")


def _format_of(text: str, default: str) -> tuple[str, str]:
    m = _FORMAT.match(text)
    if m:
        return m.group(1).lower(), text[m.end() :]
    return default, text


def _piece(text: str, default: str) -> str:
    fmt, raw = _format_of(text, default)
    return _convert(raw, fmt)


#: images a question's HTML referred to that GIFT cannot carry (collected per question)
_DROPPED: contextvars.ContextVar[list[str]] = contextvars.ContextVar("gift_dropped_images")


def _image(src: str) -> str | None:
    """GIFT has no embedded files: ``@@PLUGINFILE@@/x.png`` (a Moodle export's reference to
    a file it did not include) and URLs are left out and reported; data: URIs are kept."""
    if src.startswith("data:"):
        return src
    dropped = _DROPPED.get(None)
    if dropped is not None:
        dropped.append(src)
    return None


def _convert(raw: str, fmt: str) -> str:
    """A GIFT text piece (still with placeholders) in its format → markdown."""
    if fmt == "markdown":
        return _restore(raw).strip()
    if fmt == "plain":
        return escape_markdown(_restore(raw).strip())
    text = _restore(raw.replace("\ue017", "<br>"))
    return html_to_markdown(text.strip(), image=_image).text
