"""Note fields: questions rendered as Anki HTML (markup → safe HTML, cloze deletions,
option lists, typed answers), with the media they reference, and the tags and sub-decks of
a note.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from markdown_it.common.utils import escapeHtml

from qbank import markup
from qbank.draw import letter, part_order
from qbank.export.anki.models import MODELS, TYPE_MODEL, ModelSpec
from qbank.fsutil import read_bounded
from qbank.i18n import Translator, translator
from qbank.markup.images import EXTENSION, HEAD_BYTES, sniff
from qbank.model import (
    MAX_IMAGE_BYTES,
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

if TYPE_CHECKING:
    from qbank.draw import DrawnQuestion

OptionOrder = Literal["stable", "bank", "draw"]


#: text that markdown renders as itself (escaped): a common case worth not parsing
_PLAIN = re.compile(r"[\w ,.;:?!'\"()/%$@=+\-–—‘’“”…]+")
_LIST_START = re.compile(r"\d+[.)]")


def _plain(text: str) -> bool:
    """True for one-line text without markdown syntax (no ``*_`[]<>&\\|~#{}``, no list
    number at the start), whose HTML is the escaped text itself; checked against the
    markup renderer by a property test."""
    return (
        _PLAIN.fullmatch(text) is not None
        and "_" not in text
        and text[0].isalnum()
        and text[-1] != " "
        and not (text[0].isdigit() and _LIST_START.match(text))
    )


def _localised_number(text: str, tr: Translator) -> str:
    """``9.81`` → ``9,81`` where the language writes a decimal comma."""
    if tr.decimal_comma and re.fullmatch(r"[+-]?\d*\.\d+", text):
        return text.replace(".", ",")
    return text


def _words(tr: Translator, n: int) -> str:
    return tr.ngettext("{n} word", "{n} words", n).format(n=n)


def topic_tag(topic: str) -> str:
    """``4.3`` → ``topic::4::4.3``; ``aws/security/iam`` → ``topic::aws::security::iam``."""
    head, *rest = topic.split("/")
    bits = head.split(".")
    parts = [".".join(bits[: i + 1]) for i in range(len(bits))] + rest
    return "::".join(["topic", *(_tag(p) for p in parts if p.strip())])


def _tag(text: str) -> str:
    """A tag as Anki keeps it: no spaces, and no character a template's ``{{Tags}}`` would
    turn into markup (``<>&"'`` and backticks become ``_``)."""
    return _TAG_UNSAFE.sub("_", re.sub(r"\s+", "_", text.strip()))


_TAG_UNSAFE = re.compile(r"[<>&\"'`]")
_DECK_SAFE = str.maketrans({"<": "‹", ">": "›", '"': "”", "'": "’", "`": "‘"})


def deck_name(text: str) -> str:
    """A deck or sub-deck name safe where a template shows ``{{Deck}}``/``{{Subdeck}}``
    (inserted there as raw HTML): ``<>"'`` become look-alike characters, control characters
    spaces."""
    return re.sub(r"[\x00-\x1f\x7f]", " ", text).translate(_DECK_SAFE)


#: what Anki interprets in field text: cloze deletions, sound tags, LaTeX and MathJax tags
_ANKI_SYNTAX = re.compile(
    r"\{\{|\[(?=sound:|latex\]|\$\]|\$\$\]|/latex\]|/\$\]|/\$\$\])", re.IGNORECASE
)


def anki_inert(html: str) -> str:
    """Author HTML with Anki's own syntax neutralised: ``{{`` becomes ``&#123;{`` (no
    ``{{c2::`` cloze), ``[sound:``, ``[latex]``, ``[$]``, ``[$$]`` start with ``&#91;`` (no
    sound played, no LaTeX run). The browser shows the same characters."""
    return _ANKI_SYNTAX.sub(lambda m: "&#123;{" if m.group() == "{{" else "&#91;", html)


def _esc(text: str) -> str:
    return anki_inert(escapeHtml(text))


_CLOZE_NUMBER = re.compile(r"\{\{c(\d+)::")


def cloze_ords(text: str) -> tuple[int, ...]:
    """Card ords of a cloze note: one per distinct ``{{cN::`` (N ≥ 1), as Anki counts them."""
    return tuple(sorted({int(n) - 1 for n in _CLOZE_NUMBER.findall(text) if int(n) > 0}))


_BRACE_PAIR = re.compile(r"\}(?=\})")
_COLON_PAIR = re.compile(r":(?=:)")


def _cloze_safe(fragment: str) -> str:
    """Inside ``{{c1::…}}``: ``}}`` would end the cloze and ``::`` start the hint, so they
    become ``} }`` and ``:<!-- -->:`` (Anki manual, "Cloze Conflicts"); a final ``}`` is
    kept off the closing braces."""
    out = _COLON_PAIR.sub(":<!-- -->", _BRACE_PAIR.sub("} ", fragment))
    return out + " " if out.endswith("}") else out


class AnkiMediaError(ValueError):
    """An image changed, grew past the limit or went away between rendering and packaging."""


class Renderer:
    """Turns questions into note fields; collects the media the fields reference."""

    def __init__(
        self,
        root: Path,
        option_order: OptionOrder,
        drawn: dict[str, DrawnQuestion],
        tr: Translator | None = None,
    ):
        self.tr = tr or translator(None)
        self.root = root.resolve()
        self.option_order = option_order
        self.drawn = drawn
        self.media: dict[str, Path] = {}  # bundled name → file
        self._digests: dict[str, str] = {}  # bundled name → sha256 of the bytes read
        #: per-image size limit (``media.max_image_bytes``): never read past it
        self.image_limit = MAX_IMAGE_BYTES
        self._names: dict[Path, str] = {}

    # -- markup ----------------------------------------------------------------------

    def html(self, text: str | None, *, inline: bool = False) -> str:
        if not text:
            return ""
        if _plain(text):  # only `"` of the characters HTML escapes can occur
            safe = text.replace('"', "&quot;")
            return safe if inline else f"<p>{safe}</p>"
        if "![" in text:
            out = markup.to_html(text, media=self._media_src, inline=inline, root=self.root)
        else:
            out = markup.to_html(text, inline=inline)
        return anki_inert(out)

    def _media_src(self, ref: markup.MediaRef) -> str:
        if ref.path is None:
            scheme = ref.src.split(":", 1)[0].lower() if ":" in ref.src else ""
            return ref.src if scheme in ("http", "https", "data") else ""
        name = self._names.get(ref.path)
        if name is None:
            try:
                data = read_bounded(ref.path, limit=self.image_limit, root=self.root)
            except OSError:
                return ""  # a missing or unreadable image shows its alt text (QB501)
            # named by the type the bytes say: Anki serves media by extension (QB503)
            kind = sniff(data[:HEAD_BYTES])
            suffix = EXTENSION[kind] if kind else ref.path.suffix.lower()
            name = f"qbank-{hashlib.sha256(data).hexdigest()[:16]}{suffix}"
            self._names[ref.path] = name
            self.media[name] = ref.path
            self._digests[name] = hashlib.sha256(data).hexdigest()
        return name

    def media_bytes(self, name: str) -> bytes:
        """The bytes of bundled media ``name``, read again at packaging time with the same
        size bound and bank check, and refused if they are not the bytes the fields were
        rendered from (the file changed or grew during the export)."""
        path = self.media[name]
        try:
            data = read_bounded(path, limit=self.image_limit, root=self.root)
        except OSError as exc:
            raise AnkiMediaError(f"{path}: cannot be packaged: {exc}") from None
        if hashlib.sha256(data).hexdigest() != self._digests[name]:
            raise AnkiMediaError(f"{path}: changed during the export; export again")
        return data

    # -- orders ----------------------------------------------------------------------

    def order(self, q: AnyQuestion, n: int) -> list[int]:
        """Display order of options (choice), items (order) or right column (match)."""
        if self.option_order == "draw" and q.id in self.drawn:
            return list(self.drawn[q.id].order) or list(range(n))
        if self.option_order == "bank" and q.is_choice:
            return list(range(n))
        return list(part_order(q, "qbank-anki", 0, True)) or list(range(n))

    # -- note types ------------------------------------------------------------------

    def fields(self, q: AnyQuestion) -> tuple[ModelSpec, list[str]]:
        spec = MODELS[TYPE_MODEL[q.type]]
        if isinstance(q, (Single, Multi, TrueFalse)):
            body = self._choice(q)
        elif isinstance(q, Cloze):
            body = self._cloze(q)
        elif isinstance(q, (Short, Numeric)):
            body = self._typed(q)
        else:
            body = self._basic(q)
        tail = [self.html(q.explanation), _esc(q.source or ""), "", "", escapeHtml(q.id)]
        return spec, [*body, *tail]

    def _choice(self, q: Single | Multi | TrueFalse) -> list[str]:
        if isinstance(q, TrueFalse):
            opts: list[tuple[str, bool, str | None]] = [
                (self.tr.gettext("True"), q.answer, None),
                (self.tr.gettext("False"), not q.answer, None),
            ]
            shown = opts
            instruction = self.tr.gettext("True or false?")
        else:
            opts = [(o.text, o.correct, o.feedback) for o in q.options]
            shown = [opts[i] for i in self.order(q, len(opts))]
            # the same words as every other target (docx, html, surveyjs)
            if isinstance(q, Single):
                instruction = self.tr.gettext("Choose one answer.")
            else:
                instruction = self.tr.gettext("Choose all that apply.")
        front: list[str] = []
        back: list[str] = []
        for text, correct, feedback in shown:
            body = self.html(text, inline=True)
            front.append(f"<li>{body}</li>")
            mark = ' <span class="mark">✓</span>' if correct else ""
            note = f'<div class="feedback">{self.html(feedback)}</div>' if feedback else ""
            back.append(f'<li class="{"correct" if correct else "wrong"}">{body}{mark}{note}</li>')
        letters = ", ".join(letter(i) for i, o in enumerate(shown) if o[1])
        return [
            self.html(q.text),
            escapeHtml(instruction),
            '<ol type="A" class="options">' + "".join(front) + "</ol>",
            '<ol type="A" class="options">' + "".join(back) + "</ol>",
            letters,
        ]

    def _cloze(self, q: Cloze) -> list[str]:
        blanks = markup.find_blanks(q.text)
        # placeholders made of letters keep plain text on the fast path and are left alone
        # by markdown wherever a blank may stand (emphasis, code, maths, lists)
        # ... and never occur in the author's own text (a literal `qbankcloze0x` there would
        # otherwise be taken for the placeholder)
        nonce = 0
        while f"qbankcloze{nonce}" in q.text:
            nonce += 1
        marks = [f"qbankcloze{nonce}n{b.index}x" for b in blanks]
        pieces: list[str] = []
        pos = 0
        for b, mark in zip(blanks, marks, strict=True):
            pieces += [q.text[pos : b.start], mark]
            pos = b.end
        text = self.html("".join(pieces) + q.text[pos:])
        tr = self.tr
        hint = f"::{_words(tr, q.max_words)}" if q.max_words else ""
        for b, mark in zip(blanks, marks, strict=True):
            answer = _cloze_safe(self.html(b.answers[0], inline=True))
            text = text.replace(mark, f"{{{{c{b.index + 1}::{answer}{hint}}}}}", 1)
        alts = [
            (self.html(b.answers[0], inline=True), [a for a in b.answers[1:] if a]) for b in blanks
        ]
        alts = [(main, rest) for main, rest in alts if rest]
        extra = ""
        if len(blanks) == 1 and alts:
            joined = ", ".join(self.html(a, inline=True) for a in alts[0][1])
            also = escapeHtml(self.tr.gettext("Also accepted:"))
            extra = f'<div class="alternatives">{also} {joined}</div>'
        elif alts:
            also = escapeHtml(self.tr.gettext("Also accepted:"))
            label = self.tr.gettext("for {answer}:")
            items = "".join(
                "<li>"
                + escapeHtml(label).replace("{answer}", f"<b>{main}</b>")
                + f" {', '.join(self.html(a, inline=True) for a in rest)}</li>"
                for main, rest in alts
            )
            extra = f'<div class="alternatives">{also}<ul>{items}</ul></div>'
        if q.case_sensitive:
            case = escapeHtml(self.tr.gettext("Answers are case-sensitive."))
            extra += f'<div class="case">{case}</div>'
        return [text, extra]

    def _typed(self, q: Short | Numeric) -> list[str]:
        if isinstance(q, Short):
            tr = self.tr
            accepted = ", ".join(f"<b>{_esc(a)}</b>" for a in q.answers)
            accepted = escapeHtml(tr.gettext("Accepted:")) + f" {accepted}"
            if q.case_sensitive:
                accepted += " (" + escapeHtml(tr.gettext("case-sensitive")) + ")"
            if q.max_words:
                instruction = tr.ngettext(
                    "Type your answer (at most {n} word).",
                    "Type your answer (at most {n} words).",
                    q.max_words,
                ).format(n=q.max_words)
            else:
                instruction = tr.gettext("Type your answer.")
            return [self.html(q.text), _esc(instruction), _esc(q.answers[0]), accepted]
        tr = self.tr
        unit = f" {_esc(q.unit)}" if q.unit else ""
        # Anki compares typed text exactly: show (and expect) the number as the class writes
        # it, with a decimal comma where the language uses one; the bank keeps its point
        typed = _localised_number(q.answer.strip(), tr)
        label = escapeHtml(tr.gettext("Answer:"))
        accepted = f"{label} <b>{_esc(typed)}</b>{unit}"
        bounds = q.tolerance_bounds() if q.tolerance else None
        if bounds is not None:
            lo, hi = (_localised_number(str(b), tr) for b in bounds)
            accepted += (
                " ("
                + escapeHtml(tr.gettext("accepted from {low} to {high}").format(low=lo, high=hi))
                + f"{unit})"
            )
        if q.unit:
            instruction = tr.gettext("Type a number (in {unit}).").format(unit=q.unit)
        else:
            instruction = tr.gettext("Type a number.")
        return [self.html(q.text), _esc(instruction), _esc(typed), accepted]

    def _basic(self, q: AnyQuestion) -> list[str]:
        if isinstance(q, Order):
            shown = self.order(q, len(q.items))
            pos = {item: i for i, item in enumerate(shown)}
            items = "".join(f"<li>{self.html(q.items[i], inline=True)}</li>" for i in shown)
            answer = "".join(
                f"<li>{self.html(t, inline=True)} ({letter(pos[i])})</li>"
                for i, t in enumerate(q.items)
            )
            key = ", ".join(letter(pos[i]) for i in range(len(q.items)))
            return [
                self.html(q.text),
                escapeHtml(self.tr.gettext("Put these in the correct order.")),
                f'<ol type="A" class="items">{items}</ol>',
                f'<ol class="order">{answer}</ol><div class="key">'
                + escapeHtml(self.tr.gettext("Order:"))
                + f" <b>{key}</b></div>",
            ]
        if isinstance(q, Match):
            shown = self.order(q, len(q.pairs))
            pos = {item: i for i, item in enumerate(shown)}
            left = "".join(f"<li>{self.html(p[0], inline=True)}</li>" for p in q.pairs)
            right = "".join(f"<li>{self.html(q.pairs[i][1], inline=True)}</li>" for i in shown)
            rows = "".join(
                f"<tr><td>{n + 1}. {self.html(p[0], inline=True)}</td>"
                f"<td>{letter(pos[n])}. {self.html(p[1], inline=True)}</td></tr>"
                for n, p in enumerate(q.pairs)
            )
            key = ", ".join(f"{n + 1}–{letter(pos[n])}" for n in range(len(q.pairs)))
            return [
                self.html(q.text),
                escapeHtml(self.tr.gettext("Match each item on the left with one on the right.")),
                f'<div class="columns"><ol class="left">{left}</ol>'
                f'<ol type="A" class="right">{right}</ol></div>',
                f'<table class="pairs">{rows}</table><div class="key">'
                + escapeHtml(self.tr.gettext("Key:"))
                + f" <b>{key}</b></div>",
            ]
        assert isinstance(q, Essay)
        tr = self.tr
        if q.max_words and q.rubric:
            instruction = tr.ngettext(
                "Write your answer (at most {n} word), then compare it with the rubric.",
                "Write your answer (at most {n} words), then compare it with the rubric.",
                q.max_words,
            ).format(n=q.max_words)
        elif q.max_words:
            instruction = tr.ngettext(
                "Write your answer (at most {n} word).",
                "Write your answer (at most {n} words).",
                q.max_words,
            ).format(n=q.max_words)
        elif q.rubric:
            instruction = tr.gettext("Write your answer, then compare it with the rubric.")
        else:
            instruction = tr.gettext("Write your answer.")
        return [self.html(q.text), escapeHtml(instruction), "", self.html(q.rubric)]


def note_tags(q: AnyQuestion) -> list[str]:
    tags = [topic_tag(q.topic)] if q.topic else []
    tags += [_tag(t) for t in q.tags]
    tags.append(f"qbank::type::{q.type}")
    if q.difficulty:
        tags.append(f"qbank::difficulty::{q.difficulty}")
    return list(dict.fromkeys(t for t in tags if t))


def subdeck(base: str, topic: str | None, titles: dict[str, str]) -> str:
    """``Title::04 Machine Learning …``: numbers zero-padded so Anki sorts them right."""
    if not topic:
        return base
    key = topic.split("/", 1)[0].split(".", 1)[0]
    label = key.zfill(2) if key.isdigit() else key
    title = titles.get(key, "").replace("::", ":").strip()
    return deck_name(f"{base}::{label} {title}".rstrip())
