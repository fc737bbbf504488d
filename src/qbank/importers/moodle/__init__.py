"""Moodle XML (``<quiz><question type=…>``) → qbank questions.

Read with lxml under defusedxml-style settings: no DTD, no entity expansion, no network,
no XInclude, bounded text nodes — a question bank from the internet is hostile input.

Mapping (docs/importing.md has the full table): multichoice → single/multi, truefalse,
shortanswer → short, numerical → numeric (tolerance, unit), matching → match, essay,
ordering → order, cloze/multianswer → cloze; categories → topics; tags; idnumber, else
name → id; generalfeedback → explanation; per-answer feedback; embedded files → media/.
Everything else (description, random, calculated…, drag and drop) is reported as a loss.
"""

from __future__ import annotations

import base64
import binascii
import html as _html
import re
import urllib.parse
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from qbank.gcpause import paused
from qbank.importers import (
    IdAllocator,
    Imported,
    ImportResult,
    SourceFormatError,
    apply_tags,
    unique_answers,
)
from qbank.markup.from_html import Converted, clean_markdown, escape_markdown, html_to_markdown

_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
    "strip_cdata": True,
}

_UNSUPPORTED = {
    "description": "a description (text shown between questions) is not a question",
    "random": "a random question is a rule for drawing from a category, not a question "
    "(use a quiz section in quizzes/ instead)",
    "randomsamatch": "random short-answer matching draws its pairs at quiz time",
    "calculated": "qbank has no calculated (formula with datasets) question type",
    "calculatedsimple": "qbank has no calculated (formula with datasets) question type",
    "calculatedmulti": "qbank has no calculated (formula with datasets) question type",
    "ddimageortext": "qbank has no drag-and-drop onto image question type",
    "ddmarker": "qbank has no drag-and-drop markers question type",
    "ddwtos": "qbank has no drag-and-drop into text question type",
    "gapselect": "qbank has no select-missing-words question type",
}

_DEFAULT_COMBINED = {
    "",
    "your answer is correct.",
    "your answer is partially correct.",
    "your answer is incorrect.",
    "votre réponse est correcte.",
    "votre réponse est partiellement correcte.",
    "votre réponse est incorrecte.",
}

#: a question's combined feedback elements, in the order their notes are written
_COMBINED_KEYS = ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback")

#: an HTML tag, removed to see whether a combined feedback is Moodle's default one
_TAG = re.compile(r"<[^>]+>")

_CLOZE = re.compile(
    r"\{(?P<mark>\d*):(?P<kind>[A-Z_]+):(?P<body>(?:\\.|[^}\\])*)\}",
)
#: a blank marked in a cloze text before conversion (private-use characters)
_MARKED = re.compile("\ue000(\\d+)\ue001")
#: a cloze body's answers (``~``) and an answer's feedback (``#``), unless escaped
_TILDE = re.compile(r"(?<!\\)~")
_HASH = re.compile(r"(?<!\\)#")
_PERCENT = re.compile(r"%(-?\d+(?:\.\d+)?)%")
_NUM_TOLERANCE = re.compile(r"[-+0-9.eE]+:[0-9.eE]+")
_CLOZE_KINDS = {
    "SHORTANSWER": "sa",
    "SA": "sa",
    "MW": "sa",
    "SHORTANSWER_C": "sac",
    "SAC": "sac",
    "MWC": "sac",
    "NUMERICAL": "nm",
    "NM": "nm",
    "MULTICHOICE": "mc",
    "MC": "mc",
    "MCV": "mc",
    "MCH": "mc",
    "MULTICHOICE_S": "mc",
    "MCS": "mc",
    "MCVS": "mc",
    "MCHS": "mc",
    "MULTICHOICE_V": "mc",
    "MULTICHOICE_H": "mc",
    "MULTICHOICE_VS": "mc",
    "MULTICHOICE_HS": "mc",
    "MULTIRESPONSE": "mr",
    "MR": "mr",
    "MRH": "mr",
    "MRS": "mr",
    "MRHS": "mr",
    "MULTIRESPONSE_H": "mr",
    "MULTIRESPONSE_S": "mr",
    "MULTIRESPONSE_HS": "mr",
}


def parser() -> etree.XMLParser:
    """The hardened lxml parser the importer (and its benchmark) use."""
    return etree.XMLParser(**_PARSER_OPTIONS)


def parse_bytes(data: bytes, file: str) -> etree._Element:
    """Parse a Moodle XML file; anything that is not one is a :class:`SourceFormatError`."""
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:65536]:
        raise SourceFormatError(file, "DOCTYPE/ENTITY declarations are not allowed in Moodle XML")
    try:
        root = etree.fromstring(data, parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise SourceFormatError(file, f"not well-formed XML: {exc.msg}", line) from None
    if root is None or root.tag != "quiz":
        tag = root.tag if root is not None else "nothing"
        raise SourceFormatError(
            file, f"not Moodle XML: the root element is <{tag}>, expected <quiz>", 1
        )
    return root


def import_moodle(
    data: bytes, file: str, *, prefix: str = "", ids: IdAllocator | None = None
) -> ImportResult:
    root = parse_bytes(data, file)
    return _Reader(file, ids or IdAllocator(prefix)).read(root)


def _text(el: etree._Element | None) -> str:
    """A text field's text: that of ``el``'s first ``<text>`` child ("" if none or empty)."""
    if el is None:
        return ""
    try:
        found = el[0]
    except IndexError:
        return ""
    if found.tag != "text":
        found = _child(el, "text")
        if found is None:
            return ""
    text = found.text
    return "" if text is None else text


def _value(el: etree._Element | None) -> str:
    """A plain element's own text (``<hidden>1</hidden>`` → ``1``; "" if none or empty)."""
    if el is None:
        return ""
    text = el.text
    return "" if text is None else text


def _sub(el: etree._Element, tag: str) -> str:
    """The own text of ``el``'s first ``tag`` child ("" if none or empty)."""
    return _value(_child(el, tag))


def _num(raw: str | None) -> Decimal | None:
    if raw is None:
        return None
    value = _NUMBERS.get(raw)
    if value is None:
        try:
            value = Decimal(raw.strip())
        except (InvalidOperation, AttributeError):
            return None
        if len(_NUMBERS) < 4096:
            _NUMBERS[raw] = value  # a Decimal is immutable: one per distinct spelling
    return value if value.is_finite() else None


#: an answer's ``fraction`` attribute (None when absent) → its grade (0 when absent or
#: not a finite number): what :meth:`_Reader.answers` gives, parsed once per spelling
_FRACTIONS: dict[str | None, Decimal] = {}

#: fractions, grades and tolerances repeat (``100``, ``0``, ``1.0000000``): parsed once each
_NUMBERS: dict[str, Decimal] = {}


def _child(el: etree._Element, tag: str) -> etree._Element | None:
    """``el.find(tag)`` for a plain tag name, without ElementPath (a few children each)."""
    for child in el:
        if child.tag == tag:
            return child
    return None


def _tag_texts(tags: etree._Element) -> list[str]:
    """The non-blank texts of ``<tags><tag><text>…``, stripped: what
    ``tags.iterchildren("tag")`` → ``tag.iterchildren("text")`` → ``.text`` gives, without
    setting up a tag-filtered iterator for each (they cost more than the children skipped)."""
    found = []
    for tag in tags:
        if tag.tag == "tag":
            for x in tag:
                if x.tag == "text":
                    t = x.text
                    if t is not None:
                        t = t.strip()
                        if t:
                            found.append(t)
    return found


def _grade(raw: str | None) -> tuple[int | None, str | None]:
    """A ``<defaultgrade>``'s text → (points for the question, or a note), both None for
    the default (1, or not a number). The same few spellings repeat: parsed once each."""
    found = _GRADES.get(raw)
    if found is None:
        found = (None, None)
        grade = _num(raw or None)
        if grade is not None and grade != 1:
            if grade == grade.to_integral_value() and grade > 0:
                found = (int(grade), None)
            else:
                found = (None, f"default grade {_dec_text(grade)} is not a whole number of points")
        if len(_GRADES) < 4096:
            _GRADES[raw] = found
    return found


_GRADES: dict[str | None, tuple[int | None, str | None]] = {}


def _dec_text(value: Decimal) -> str:
    """``0.0010000`` → ``0.001``; ``150`` → ``150``; never exponent notation."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


class _Reader:
    def __init__(self, file: str, ids: IdAllocator) -> None:
        self.file = file
        self.ids = ids
        self.result = ImportResult()
        self.category: tuple[str, ...] = ()
        self.category_key: str | None = None
        #: the current question's first child element of each tag
        self.first: dict[str, etree._Element] = {}
        #: the current question's child nodes, in order (``q[:]``)
        self.children: list[etree._Element] = []
        #: (text, format) → its conversion (HTML fields without images): banks repeat
        #: feedback and answer texts; the conversion is a pure function of the two. Held
        #: as the markdown ``str`` when nothing was dropped and no raw HTML kept (no notes
        #: to write), else as the :class:`Converted`
        self.conversions: dict[tuple[str, str], str | Converted] = {}

    # -- helpers ------------------------------------------------------------------------------
    def all(self, tag: str, sub: str | None = None) -> list[etree._Element]:
        """The current question's child elements named ``tag`` (or their ``sub`` children)."""
        # what q.iterchildren(tag) gives (elements of exactly that tag, no namespace), from
        # the children read once per question: a tag filter costs more to set up than this
        start = self.first.get(tag)
        if start is None:
            return []
        # none before the first of them (``first`` holds it): skip reading those tags
        children = self.children
        found = [el for el in children[children.index(start) :] if el.tag == tag]
        if sub is None:
            return found
        return [x for el in found for x in el if x.tag == sub]

    def convert(self, el: etree._Element | None, notes: list[str], what: str) -> str:
        """A Moodle text field (``<x format=…><text/><file/></x>``) → markdown."""
        if el is None:
            return ""
        raw = _text(el)
        if not raw:
            return ""  # what convert_text gives for "" (never cached), without reading format
        return self.convert_text(raw, el.get("format", "html"), el, notes, what)

    def convert_text(
        self, raw: str, fmt: str, el: etree._Element | None, notes: list[str], what: str
    ) -> str:
        """:meth:`convert` of the text ``raw`` in format ``fmt``; images come from ``el``'s
        ``<file>`` elements (none if ``el`` is None)."""
        conv = self.conversions.get((raw, fmt))
        if conv is None:
            return self._convert_new(raw, fmt, el, notes, what)
        if isinstance(conv, str):
            return conv
        self._conversion_notes(conv, notes, what)
        return conv.text

    def _convert_new(
        self, raw: str, fmt: str, el: etree._Element | None, notes: list[str], what: str
    ) -> str:
        """:meth:`convert_text` of a text not converted before (not in the cache)."""
        if not raw or raw.isspace():  # ``not raw.strip()`` without copying the text
            return ""
        if fmt == "markdown":
            return raw.strip()
        if fmt in ("plain_text", "wiki_like"):
            if fmt == "wiki_like":
                notes.append(f"{what}: written in Moodle's old wiki-like format, imported as text")
            return escape_markdown(raw.strip())
        breaks = fmt == "moodle_auto_format"
        if "<" in raw:
            # "<img" in raw.lower() needs a "<" followed by an "i" or "I": look for that first
            if ("<i" in raw or "<I" in raw) and "<img" in raw.lower():
                return self.convert_with_images(el, raw, breaks, notes, what)
            # the clean shapes (most fields): html_to_markdown's own first try, without
            # building a Converted (for a source with "<" html_to_markdown returns exactly
            # this text, with nothing dropped)
            clean = clean_markdown(raw, breaks)
            if clean is not None:
                self.conversions[raw, fmt] = clean
                return clean
        # no images, so no closure over this field's files
        conv = html_to_markdown(raw, breaks=breaks)
        if conv.dropped or conv.raw_html:
            self.conversions[raw, fmt] = conv
            self._conversion_notes(conv, notes, what)
        else:
            self.conversions[raw, fmt] = conv.text
        return conv.text

    def convert_with_images(
        self, el: etree._Element | None, raw: str, breaks: bool, notes: list[str], what: str
    ) -> str:
        """:meth:`convert` for a field with images: they come from its ``<file>`` elements."""
        files = None

        def image(src: str) -> str | None:
            nonlocal files
            if src.startswith("@@PLUGINFILE@@/"):
                name = urllib.parse.unquote(src[len("@@PLUGINFILE@@/") :]).split("?")[0]
                if files is None:
                    files = (
                        {f.get("name", ""): f for f in el.iterfind("file")}
                        if el is not None
                        else {}
                    )
                f = files.get(name)
                if f is None:
                    f = files.get(name.rsplit("/", 1)[-1])
                if f is None or not f.text:
                    notes.append(f"{what}: image {name} is not in the file, left out")
                    return None
                try:
                    data = base64.b64decode(f.text, validate=False)
                except (binascii.Error, ValueError):
                    notes.append(f"{what}: image {name} is not valid base64, left out")
                    return None
                return self.result.add_media(name, data)
            if src.startswith("data:"):
                return src
            notes.append(f"{what}: image {src} is outside the bank (a URL), left out")
            return None

        conv = html_to_markdown(raw, image=image, breaks=breaks)
        self._conversion_notes(conv, notes, what)
        return conv.text

    def _conversion_notes(self, conv: Converted, notes: list[str], what: str) -> None:
        if conv.dropped:
            notes.append(f"{what}: formatting not kept: {', '.join(conv.dropped)}")
        if conv.raw_html:
            notes.append(
                f"{what}: a table is kept as raw HTML (shown as text; qbank validate warns QB505)"
            )

    def lose(
        self, q: etree._Element, name: str, what: str, why: str, *, question: bool = True
    ) -> None:
        where = f"{q.sourceline}" + (f" ({name})" if name else "")
        self.result.lose(self.file, where, what, why, question=question)

    # -- main loop ----------------------------------------------------------------------------
    def read(self, root: etree._Element) -> ImportResult:
        # tens of thousands of questions build hundreds of thousands of small acyclic
        # objects: the cyclic collector would scan them over and over for nothing
        with paused():
            return self._read(root)

    def _read(self, root: etree._Element) -> ImportResult:
        from qbank.importers import category_parts, source_topic_key

        methods = {
            "multichoice": self.q_multichoice,
            "truefalse": self.q_truefalse,
            "shortanswer": self.q_shortanswer,
            "numerical": self.q_numerical,
            "matching": self.q_matching,
            "match": self.q_matching,
            "essay": self.q_essay,
            "ordering": self.q_ordering,
            "cloze": self.q_cloze,
            "multianswer": self.q_cloze,
        }
        result = self.result
        finish = self.finish
        for q in root.iterchildren("question"):
            kind = q.get("type", "")
            if kind == "category":
                self.category = category_parts(_text(q.find("category")))
                self.category_key = source_topic_key(_value(q.find("idnumber")))
                continue
            result.total += 1
            children = self.children = q[:]
            # reversed: the first child of a tag is the one that stays
            first = self.first = {child.tag: child for child in reversed(children)}
            el = first.get("name")
            name = _text(el).strip() if el is not None else ""
            method = methods.get(kind)
            if method is None:
                why = _UNSUPPORTED.get(kind, f"qbank has no `{kind}` question type")
                self.lose(q, name, f"{kind or 'untyped'} question", why)
                continue
            notes: list[str] = []
            data = method(q, name, notes)
            if data is not None:
                finish(q, name, data, notes)
        return result

    def finish(self, q: etree._Element, name: str, data: dict[str, Any], notes: list[str]) -> None:
        first = self.first
        el = first.get("idnumber")
        idnumber = el.text if el is not None else None  # _value(el), inlined
        idnumber = idnumber.strip() if idnumber else ""
        qid, from_source = self.ids.take(idnumber or name, data["text"])
        out: dict[str, Any] = {"id": qid}
        out.update(data)
        el = first.get("generalfeedback")
        if el is not None:
            explanation = self.convert(el, notes, "general feedback")
            if explanation:
                out["explanation"] = explanation
        tag_el = first.get("tags")
        if tag_el is not None:
            tags = _tag_texts(tag_el)
            if tags:
                apply_tags(out, tags)
        el = first.get("defaultgrade")
        if el is not None:
            points, note = _grade(el.text)
            if points is not None:
                out["points"] = points
            elif note is not None:
                notes.append(note)
        el = first.get("hidden")
        hidden = el.text if el is not None else None
        if hidden and hidden.strip() == "1":
            out["status"] = "draft"
            notes.append("hidden in Moodle: imported as status draft")
        if not first.keys().isdisjoint(_COMBINED_KEYS):
            for key in _COMBINED_KEYS:
                el = first.get(key)
                if el is None:
                    continue
                raw = _text(el).strip()
                if raw and _TAG.sub("", raw).strip().lower() not in _DEFAULT_COMBINED:
                    text = self.convert(el, notes, key)
                    notes.append(f"{key}: {text}")
        if "hint" in first:
            for hint in self.all("hint"):
                text = self.convert(hint, notes, "hint")
                if text:
                    notes.append(f"hint: {text}")
        if name and (idnumber or not from_source):
            notes.insert(0, f"Moodle name: {name}")
        # positional, in Imported's field order: data, file, where, category, notes,
        # id_from_source, category_key
        self.result.questions.append(
            Imported(
                out,
                self.file,
                f"{q.sourceline} ({name})" if name else f"{q.sourceline}",
                self.category,
                notes,
                from_source,
                self.category_key,
            )
        )

    def stem(self, q: etree._Element, name: str, notes: list[str]) -> str | None:
        text = self.convert(self.first.get("questiontext"), notes, "question text")
        if not text.strip():
            self.lose(q, name, f"{q.get('type')} question", "it has no question text")
            return None
        return text

    def answers(self, q: etree._Element) -> list[tuple[Decimal, etree._Element]]:
        """The question's ``<answer>`` elements with their fractions (0 if none or bad)."""
        fractions = _FRACTIONS
        out = []
        for a in self.all("answer"):
            raw = a.get("fraction")
            frac = fractions.get(raw)
            if frac is None:
                frac = _num(raw) or Decimal(0)
                if len(fractions) < 4096:
                    fractions[raw] = frac
            out.append((frac, a))
        return out

    def answer_text(self, a: etree._Element, notes: list[str], what: str) -> str:
        return self.convert(a, notes, what)

    def feedback(self, a: etree._Element, notes: list[str], what: str) -> str:
        return self.convert(_child(a, "feedback"), notes, what)

    # -- question types -----------------------------------------------------------------------
    def q_multichoice(
        self, q: etree._Element, name: str, notes: list[str]
    ) -> dict[str, Any] | None:
        text = self.stem(q, name, notes)
        if text is None:
            return None
        single = _value(self.first.get("single")).strip().lower() in ("true", "1")
        options: list[dict[str, Any]] = []
        fracs: list[Decimal] = []
        convert = self.convert
        for i, (frac, a) in enumerate(self.answers(q)):
            label, fb_label = (
                _ANSWER_LABELS[i] if i < 16 else (f"answer {i + 1}", f"answer {i + 1} feedback")
            )
            otext = convert(a, notes, label)
            if not otext.strip():
                notes.append(f"{label}: empty, left out")
                continue
            opt: dict[str, Any] = {"text": otext}
            fb = convert(_child(a, "feedback"), notes, fb_label)
            if fb:
                opt["feedback"] = fb
            options.append(opt)
            fracs.append(frac)
        if len(options) < 2:
            self.lose(
                q,
                name,
                "multichoice question",
                f"it has {len(options)} usable answer(s); qbank needs two",
            )
            return None
        data: dict[str, Any] = {"type": "single" if single else "multi", "text": text}
        if single:
            best = max(fracs)
            if best <= 0:
                self.lose(q, name, "multichoice question", "no answer has a positive grade")
                return None
            for opt, frac in zip(options, fracs, strict=True):
                if frac == best:
                    opt["correct"] = True
                    break
            partial = [
                (o, f)
                for o, f in zip(options, fracs, strict=True)
                if 0 < f < best or (f == best and not o.get("correct"))
            ]
            if best != 100:
                notes.append(
                    f"the best answer is worth {_dec_text(best)}%: imported as the correct one"
                )
            for o, f in partial:
                notes.append(
                    f"partial credit {_dec_text(f)}% for `{_short(o['text'])}` not kept (single choice)"
                )
            if partial:
                self.lose(
                    q,
                    name,
                    "partial credit",
                    "a single-choice question in qbank has one correct option; the others are wrong",
                    question=False,
                )
        else:
            for opt, frac in zip(options, fracs, strict=True):
                if frac > 0:
                    opt["correct"] = True
            if not any(f > 0 for f in fracs):
                self.lose(q, name, "multichoice question", "no answer has a positive grade")
                return None
            data["partial"] = True
            uneven = {f for f in fracs if f > 0}
            if len(uneven) > 1:
                notes.append(
                    "Moodle grades: "
                    + ", ".join(f"{_dec_text(f)}%" for f in fracs)
                    + " (qbank gives each correct option equal weight)"
                )
        if _value(self.first.get("shuffleanswers")).strip().lower() in ("false", "0"):
            data["shuffle"] = False
        data["options"] = options
        return data

    def q_truefalse(self, q: etree._Element, name: str, notes: list[str]) -> dict[str, Any] | None:
        text = self.stem(q, name, notes)
        if text is None:
            return None
        answers = self.answers(q)
        value: bool | None = None
        for i, (frac, a) in enumerate(answers):
            label = _text(a).strip().lower()
            is_true = label == "true" if label in ("true", "false") else i == 0
            if label not in ("true", "false"):
                notes.append(
                    f"answer `{label}` is not true/false: read in Moodle's order (true, false)"
                )
            if frac >= 100 or (frac > 0 and value is None):
                value = is_true
            fb = self.feedback(a, notes, "feedback")
            if fb:
                notes.append(f"feedback for `{'true' if is_true else 'false'}`: {fb}")
        if value is None:
            self.lose(q, name, "truefalse question", "neither true nor false is marked correct")
            return None
        return {"type": "truefalse", "text": text, "answer": value}

    def q_shortanswer(
        self, q: etree._Element, name: str, notes: list[str]
    ) -> dict[str, Any] | None:
        text = self.stem(q, name, notes)
        if text is None:
            return None
        accepted: list[str] = []
        for frac, a in self.answers(q):
            ans = _text(a).strip()
            fb = self.feedback(a, notes, "feedback")
            if frac >= 100 and ans and ans != "*":
                accepted.append(ans)
                if fb:
                    notes.append(f"feedback for `{ans}`: {fb}")
            elif ans:
                note = f"answer `{ans}` worth {_dec_text(frac)}%" + (
                    f" (feedback: {fb})" if fb else ""
                )
                notes.append(note + " not kept")
                if frac > 0:
                    self.lose(
                        q,
                        name,
                        f"partial-credit answer `{ans}`",
                        "qbank short answers are right or wrong",
                        question=False,
                    )
        if not accepted:
            self.lose(q, name, "shortanswer question", "no answer has full marks")
            return None
        sensitive = _value(self.first.get("usecase")).strip() == "1"
        accepted = unique_answers(accepted, case_sensitive=sensitive)
        data: dict[str, Any] = {"type": "short", "text": text, "answers": accepted}
        if sensitive:
            data["case_sensitive"] = True
        if any("*" in a for a in accepted):
            notes.append("`*` is a wildcard in Moodle; qbank compares answers literally")
        return data

    def q_numerical(self, q: etree._Element, name: str, notes: list[str]) -> dict[str, Any] | None:
        text = self.stem(q, name, notes)
        if text is None:
            return None
        chosen: tuple[str, Decimal | None] | None = None
        for frac, a in self.answers(q):
            ans = _text(a).strip()
            tol = _num(_sub(a, "tolerance") or None)
            fb = self.feedback(a, notes, "feedback")
            if chosen is None and frac >= 100 and ans != "*":
                chosen = (ans, tol)
                if fb:
                    notes.append(f"feedback for {ans}: {fb}")
                continue
            desc = (
                f"answer {ans}"
                + (f" ± {_dec_text(tol)}" if tol else "")
                + f" worth {_dec_text(frac)}%"
            )
            notes.append(desc + (f" (feedback: {fb})" if fb else "") + " not kept")
            if frac > 0:
                self.lose(
                    q,
                    name,
                    f"numerical {desc}",
                    "qbank numeric questions have one answer and tolerance",
                    question=False,
                )
        if chosen is None:
            self.lose(q, name, "numerical question", "no answer has full marks")
            return None
        data: dict[str, Any] = {"type": "numeric", "text": text, "answer": chosen[0]}
        if chosen[1]:
            data["tolerance"] = _dec_text(abs(chosen[1]))
        units = [
            (_sub(u, "unit_name").strip(), _num(_sub(u, "multiplier") or "1"))
            for u in self.all("units", "unit")
        ]
        base = [u for u, m in units if m == 1 and u]
        if base:
            data["unit"] = base[0]
        others = [
            f"{u} (×{_dec_text(m if m is not None else Decimal(1))})"
            for u, m in units
            if u and (not base or u != base[0])
        ]
        if others:
            notes.append("other units accepted in Moodle: " + ", ".join(others))
            self.lose(
                q,
                name,
                "alternative units " + ", ".join(others),
                "qbank numeric questions have one unit",
                question=False,
            )
        return data

    def q_matching(self, q: etree._Element, name: str, notes: list[str]) -> dict[str, Any] | None:
        text = self.stem(q, name, notes)
        if text is None:
            return None
        pairs: list[list[str]] = []
        for i, sub in enumerate(self.all("subquestion")):
            left = self.convert(sub, notes, f"subquestion {i + 1}")
            right = escape_markdown(_text(_child(sub, "answer")).strip())
            if not left.strip():
                if right:
                    notes.append(f"extra answer (distractor) `{right}` not kept")
                    self.lose(
                        q,
                        name,
                        f"distractor `{right}`",
                        "qbank matching has no extra answers",
                        question=False,
                    )
                continue
            if not right:
                notes.append(f"subquestion {i + 1} has no answer, left out")
                continue
            pairs.append([left, right])
        if not pairs:
            self.lose(q, name, "matching question", "it has no complete pair")
            return None
        data: dict[str, Any] = {"type": "match", "text": text, "pairs": pairs}
        return data

    def q_essay(self, q: etree._Element, name: str, notes: list[str]) -> dict[str, Any] | None:
        text = self.stem(q, name, notes)
        if text is None:
            return None
        data: dict[str, Any] = {"type": "essay", "text": text}
        lines = _value(self.first.get("responsefieldlines")).strip()
        if lines.isdigit() and int(lines) > 0:
            data["lines"] = int(lines)
        rubric = self.convert(self.first.get("graderinfo"), notes, "grader information")
        if rubric:
            data["rubric"] = rubric
        template = self.convert(self.first.get("responsetemplate"), notes, "response template")
        if template:
            notes.append(f"response template: {template}")
        attach = _value(self.first.get("attachments")).strip()
        if attach not in ("", "0"):
            notes.append(f"Moodle allowed {attach} attachment(s) (qbank essays are text)")
        return data

    def q_ordering(self, q: etree._Element, name: str, notes: list[str]) -> dict[str, Any] | None:
        text = self.stem(q, name, notes)
        if text is None:
            return None
        items = []
        for i, (frac, a) in enumerate(self.answers(q)):
            item = self.answer_text(a, notes, f"item {i + 1}")
            if item.strip():
                items.append((frac, i, item))
        if not items:
            self.lose(q, name, "ordering question", "it has no items")
            return None
        items.sort()
        select = _value(self.first.get("selecttype")).strip().upper()
        if select not in ("", "ALL", "0"):
            notes.append(
                f"Moodle showed a subset of the items (selecttype {select}); qbank shows all"
            )
        return {"type": "order", "text": text, "items": [t for _, _, t in items]}

    def q_cloze(self, q: etree._Element, name: str, notes: list[str]) -> dict[str, Any] | None:
        el = self.first.get("questiontext")
        raw = _text(el)
        subs: list[list[str]] = []
        sensitive: set[bool] = set()

        def blank(m: re.Match[str]) -> str:
            kind = _CLOZE_KINDS.get(m.group("kind"))
            index = len(subs)
            accepted, described = _cloze_answers(m.group("body"))
            label = f"blank {index + 1}"
            if kind is None:
                notes.append(f"{label}: unknown Moodle cloze type {m.group('kind')}")
            elif kind in ("mc", "mr"):
                notes.append(
                    f"{label}: choices in Moodle ({described}); qbank asks for the answer typed"
                )
                self.lose(
                    q,
                    name,
                    f"{label} choices",
                    "qbank cloze blanks are typed answers",
                    question=False,
                )
            elif kind == "nm" and ":" in m.group("body"):
                notes.append(
                    f"{label}: numeric answers with tolerance ({described}); qbank compares the text"
                )
                self.lose(
                    q, name, f"{label} tolerance", "qbank cloze blanks compare text", question=False
                )
            if kind in ("sa", "sac"):
                sensitive.add(kind == "sac")
            partial = [d for d in described.split("; ") if "%" in d and not d.startswith("100%")]
            if partial and kind not in ("mc", "mr"):
                notes.append(f"{label}: partial-credit answers not kept ({described})")
            subs.append(accepted)
            return f"\ue000{index}\ue001"

        marked = _CLOZE.sub(blank, raw)
        if not subs:
            self.lose(q, name, "cloze question", "no {1:TYPE:…} blank found in its text")
            return None
        if any(not s for s in subs):
            self.lose(q, name, "cloze question", "a blank has no answer with full marks")
            return None
        fmt = el.get("format", "html") if el is not None else "html"
        # the text with its blanks marked, converted as the field itself (its files, format)
        text = self.convert_text(marked, fmt, el, notes, "question text")

        all_sensitive = sensitive == {True}

        def fill(m: re.Match[str]) -> str:
            answers = unique_answers(subs[int(m.group(1))], case_sensitive=all_sensitive)
            return "{{" + "|".join(_blank_escape(a) for a in answers) + "}}"

        text = _MARKED.sub(fill, text)
        data: dict[str, Any] = {"type": "cloze", "text": text}
        if sensitive == {True}:
            data["case_sensitive"] = True
        elif len(sensitive) > 1:
            notes.append(
                "some blanks were case-sensitive in Moodle; qbank applies one rule to all (not case-sensitive)"
            )
        return data


#: ``answer 1`` … ``answer 16`` and their feedback: a multichoice question's answers' labels
#: in notes
_ANSWER_LABELS = tuple((f"answer {i}", f"answer {i} feedback") for i in range(1, 17))


def _blank_escape(answer: str) -> str:
    return answer.replace("\\", "\\\\").replace("|", "\\|").replace("}", "\\}").replace("{", "\\{")


_ZERO = Decimal(0)
_HUNDRED = Decimal(100)

#: cloze bodies repeat (``=Paris~=paris``): :func:`_cloze_answers_of` once per body
_CLOZE_ANSWERS: dict[str, tuple[tuple[str, ...], str]] = {}


def _cloze_answers(body: str) -> tuple[list[str], str]:
    """Accepted (100%) answers of a cloze sub-question and a description of all answers."""
    found = _CLOZE_ANSWERS.get(body)
    if found is None:
        accepted, described = _cloze_answers_of(body)
        found = (tuple(accepted), described)
        if len(_CLOZE_ANSWERS) < 4096:
            _CLOZE_ANSWERS[body] = found
    return list(found[0]), found[1]


def _cloze_answers_of(body: str) -> tuple[list[str], str]:
    """:func:`_cloze_answers`, computed. Each regex and unescape runs only when its
    character is in the text (without it, each would return the text unchanged)."""
    accepted: list[str] = []
    described: list[str] = []
    for part in _TILDE.split(body) if "~" in body else (body,):
        if not part:
            continue
        answer = _HASH.split(part, maxsplit=1)[0] if "#" in part else part
        frac = _ZERO
        if answer.startswith("="):
            frac, answer = _HUNDRED, answer[1:]
        else:
            m = _PERCENT.match(answer)
            if m:
                frac, answer = Decimal(m.group(1)), answer[m.end() :]
        if "\\" in answer:
            answer = answer.replace("\\}", "}").replace("\\#", "#").replace("\\~", "~")
        if "&" in answer:
            answer = _html.unescape(answer)
        answer = answer.strip()
        if "<" in answer:
            answer = _TAG.sub("", answer)
        if frac >= 100 and answer:
            accepted.append(answer.split(":", 1)[0] if _NUM_TOLERANCE.fullmatch(answer) else answer)
        grade = "100" if frac is _HUNDRED else "0" if frac is _ZERO else _dec_text(frac)
        described.append(f"{grade}% {answer}")
    return accepted, "; ".join(described)


def _short(text: str, n: int = 40) -> str:
    one = " ".join(text.split())
    return one if len(one) <= n else one[: n - 1] + "…"
