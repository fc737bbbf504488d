"""Anki export: decks a learner can re-import forever without losing a review.

A learner imports the deck, studies it for months, then the author fixes a typo and
publishes again. Anki matches an incoming note to the learner's note by GUID and updates it
only when the incoming note's modification time is *newer* (``notes/anki.md`` §2). So:

* **Identity never depends on content.** Note GUID = ``genanki.guid_for("qbank", bank id,
  question id)``; note-type ids and deck ids are hashes of stable, versioned names
  (:func:`stable_id`). Four own note types (choice, cloze, typed answer, basic) whose field
  lists and template names are frozen: a schema change ships as a new model (``…/v2``),
  because Anki treats a changed schema under the same id as a *different* note type.
* **Each note carries the time its own content last changed** — not the export time (that
  would overwrite every learner edit on every import) and not one fixed time (that would
  skip every author edit). The times live in a small JSON *state file*, by default
  ``<bank>/.qbank/anki-state.json``, committed with the bank: question id → [content
  digest, epoch seconds]. When a note's digest (of its rendered fields and tags) changes,
  it gets the time ``max(now, previous + 1)``, where *now* is ``SOURCE_DATE_EPOCH`` when
  set, else the clock; an unchanged note keeps its time. The note types get the same
  treatment keyed by a digest of the template and CSS files, so a restyle propagates; the
  package timestamp is the newest of all these times. Same input (bank + state) → same
  times → a byte-identical package. Without a state file every note carries *now*.
  (Each note type's own ``mod`` is the template time, not the package time, so a
  learner's own restyle survives until the author restyles.)
* **Content** is the markup layer's safe HTML (author strings escaped, raw HTML shown as
  text), maths passed to Anki's MathJax as ``\\( \\)`` / ``\\[ \\]``, code styled by the
  shipped CSS, images bundled under content-hashed names ``qbank-<sha256[:16]>.<ext>``
  (only files inside the bank root).
* **Options are shown in a stable per-question order** (``option_order="stable"``): a
  shuffle keyed by the question id only, so the correct answer is not always "A" yet the
  card never changes between exports (learners see it on every review; a draw- or
  seed-dependent order would rewrite the note, and discard the learner's edits, for
  nothing). ``shuffle: false`` and "all/none of the above" stay where the author put them.
  ``"bank"`` keeps the bank's order, ``"draw"`` the draw's.

The package: genanki writes the collection's schema, note types and decks into an
in-memory SQLite database; notes and cards are inserted in bulk in genanki's row layout,
each with its own mtime; the database is zipped with fixed entry dates and written through
:func:`qbank.fsutil.atomic_path`, so an interrupted export leaves neither a partial file
nor a temporary one. ``exporters/anki/README.md`` tells users how to restyle the cards and
why field lists never change.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import itertools
import json
import os
import re
import sqlite3
import time
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import genanki
from markdown_it.common.utils import escapeHtml

from qbank import markup
from qbank.assets import read_asset
from qbank.fsutil import atomic_path, atomic_write_text
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
from qbank.select import letter, part_order

if TYPE_CHECKING:
    from qbank.load import Bank
    from qbank.select import Draw, DrawnQuestion

__all__ = [
    "MODELS",
    "AnkiExport",
    "AnkiStateError",
    "AnkiTemplateError",
    "ModelSpec",
    "State",
    "default_state_path",
    "export",
    "note_guid",
    "stable_id",
    "topic_tag",
]

OptionOrder = Literal["stable", "bank", "draw"]

STATE_FORMAT = "qbank-anki-state/1"
#: where the CLI keeps the state file unless told otherwise (commit it with the bank)
STATE_RELPATH = Path(".qbank") / "anki-state.json"
#: a fixed date for every zip entry (the zip format cannot express 1970)
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


# --------------------------------------------------------------------------------------
# Identity
# --------------------------------------------------------------------------------------


def stable_id(namespace: str) -> int:
    """A model or deck id from a stable name, in genanki's recommended range [2^30, 2^31)."""
    digest = hashlib.sha256(namespace.encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


_BASE91 = "".join(genanki.util.BASE91_TABLE)


def note_guid(bank_id: str, question_id: str) -> str:
    """The note GUID: the same question of the same bank is the same Anki note, forever.

    Exactly ``genanki.guid_for("qbank", bank_id, question_id)`` (a test holds them equal),
    computed without genanki's byte-by-byte Python loop: it was the costliest call per
    note on large banks.
    """
    key = f"qbank__{bank_id}__{question_id}".encode()
    n = int.from_bytes(hashlib.sha256(key).digest()[:8], "big")
    out: list[str] = []
    while n:
        n, rest = divmod(n, 91)
        out.append(_BASE91[rest])
    return "".join(reversed(out))


@functools.cache
def _model_id(key: str, version: int) -> int:
    return stable_id(f"qbank/model/{key}/v{version}")


@dataclass(frozen=True)
class ModelSpec:
    """A frozen note type. Never change ``fields`` or ``template`` of a released version:
    bump ``version`` instead (Anki would otherwise add a copy and refuse the updates)."""

    key: str
    name: str
    version: int
    fields: tuple[str, ...]
    template: str
    cloze: bool = False

    @property
    def model_id(self) -> int:
        return _model_id(self.key, self.version)

    @property
    def files(self) -> tuple[str, str]:
        return f"{self.key}.front.html", f"{self.key}.back.html"


_TAIL = ("Explanation", "Source", "Extra1", "Extra2", "QID")
MODELS: dict[str, ModelSpec] = {
    "choice": ModelSpec(
        "choice",
        "qbank Multiple Choice",
        1,
        ("Question", "Instruction", "Options", "OptionsAnswer", "Answer", *_TAIL),
        "Choice",
    ),
    "cloze": ModelSpec("cloze", "qbank Cloze", 1, ("Text", "Back Extra", *_TAIL), "Cloze", True),
    "typed": ModelSpec(
        "typed",
        "qbank Typed Answer",
        1,
        ("Question", "Instruction", "Answer", "Accepted", *_TAIL),
        "Typed answer",
    ),
    "basic": ModelSpec(
        "basic",
        "qbank Basic",
        1,
        ("Question", "Instruction", "Items", "Answer", *_TAIL),
        "Card",
    ),
}
TYPE_MODEL = {
    "single": "choice",
    "multi": "choice",
    "truefalse": "choice",
    "cloze": "cloze",
    "short": "typed",
    "numeric": "typed",
    "order": "basic",
    "match": "basic",
    "essay": "basic",
}
CSS_FILE = "style.css"


def _asset(name: str, override: Path | None) -> str:
    if override is not None and (override / name).is_file():
        return (override / name).read_text(encoding="utf-8")
    return read_asset("anki", name)


@dataclass(frozen=True)
class _Templates:
    css: str
    pages: dict[str, tuple[str, str]]  # model key → (front, back)

    @classmethod
    def load(cls, override: Path | None) -> _Templates:
        pages = {
            k: (_asset(s.files[0], override), _asset(s.files[1], override))
            for k, s in MODELS.items()
        }
        for key, spec in MODELS.items():
            for name, text in zip(spec.files, pages[key], strict=True):
                _check_template(name, text, spec)
        return cls(_asset(CSS_FILE, override), pages)

    def digest(self) -> str:
        """What a note type is made of: schema, templates and CSS (a change must propagate)."""
        parts: list[str] = [self.css]
        for key, spec in MODELS.items():
            parts += [str(spec.model_id), spec.name, *spec.fields, spec.template, *self.pages[key]]
        return _digest(parts)


class AnkiTemplateError(ValueError):
    """A (restyled) template refers to a field its note type does not have."""


_TEMPLATE_TAG = re.compile(r"\{\{([^{}]*)\}\}")
#: what Anki fills in besides the note's fields
_SPECIAL_FIELDS = {"FrontSide", "Tags", "Type", "Deck", "Subdeck", "Card", "CardFlag", "CardID"}


def _check_template(name: str, text: str, spec: ModelSpec) -> None:
    """Refuse a template that uses an unknown field: Anki would show an error on every card
    of every learner. Fields are frozen (README.md), so a restyle can only use these."""
    for match in _TEMPLATE_TAG.finditer(text):
        ref = match.group(1).strip().lstrip("#^/").strip()
        field_name = ref.rsplit(":", 1)[-1].strip()  # cloze:Text, type:Answer, hint:…
        if field_name and field_name not in spec.fields and field_name not in _SPECIAL_FIELDS:
            line = text.count("\n", 0, match.start()) + 1
            known = ", ".join(spec.fields)
            raise AnkiTemplateError(
                f"{name}:{line}: unknown field {{{{{match.group(1)}}}}} in a {spec.name} "
                f"template; its fields are: {known} (field lists never change)"
            )


class _Model(genanki.Model):
    """A note type stamped with the time its templates last changed (not the export time),
    so a learner's own restyle survives until the author restyles."""

    def __init__(self, spec: ModelSpec, templates: _Templates, mod: int) -> None:
        front, back = templates.pages[spec.key]
        super().__init__(
            spec.model_id,
            spec.name,
            fields=[{"name": f} for f in spec.fields],
            templates=[{"name": spec.template, "qfmt": front, "afmt": back}],
            css=templates.css,
            model_type=genanki.Model.CLOZE if spec.cloze else genanki.Model.FRONT_BACK,
            sort_field_index=0,
        )
        self.mod = mod

    def to_json(self, timestamp: float, deck_id: int) -> dict[str, Any]:
        return dict(super().to_json(self.mod, deck_id))


# --------------------------------------------------------------------------------------
# The state file: content digest → the time it last changed
# --------------------------------------------------------------------------------------


class AnkiStateError(ValueError):
    """The state file cannot be read (e.g. merge-conflict markers): fix it or delete it."""


def _digest(parts: Iterable[str]) -> str:
    """First 128 bits of SHA-256, hex: plenty to tell two versions of one note apart."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def default_state_path(bank: Bank) -> Path:
    """``<bank>/.qbank/anki-state.json``: commit it with the bank."""
    return bank.root / STATE_RELPATH


def current_time() -> int:
    """``SOURCE_DATE_EPOCH`` when set (reproducible builds), else the clock."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        try:
            return int(raw)
        except ValueError:
            raise AnkiStateError(f"SOURCE_DATE_EPOCH must be whole seconds, got {raw!r}") from None
    return int(time.time())


@dataclass
class State:
    """When each note's content (and the note types) last changed. See the module doc."""

    notes: dict[str, tuple[str, int]] = field(default_factory=dict)
    templates: tuple[str, int] | None = None
    changed: bool = False

    @classmethod
    def read(cls, path: Path) -> State:
        if not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise AnkiStateError(f"{path}: cannot read the Anki state file: {exc}") from None
        except json.JSONDecodeError as exc:
            raise AnkiStateError(
                f"{path}:{exc.lineno}:{exc.colno}: the Anki state file is not valid JSON "
                f"({exc.msg}); resolve the merge conflict or restore it from git "
                "(deleting it makes every note look changed)"
            ) from None
        try:
            if data.get("format") != STATE_FORMAT:
                raise ValueError(f"unknown format {data.get('format')!r}")
            notes = {
                str(k): (str(v[0]), int(v[1])) for k, v in dict(data.get("notes") or {}).items()
            }
            tmpl = data.get("templates")
            templates = (str(tmpl[0]), int(tmpl[1])) if tmpl else None
        except (AttributeError, TypeError, ValueError, IndexError, KeyError) as exc:
            raise AnkiStateError(
                f"{path}: not a qbank Anki state file ({exc}); restore it from git or delete it"
            ) from None
        return cls(notes, templates)

    @staticmethod
    def _next(prev: tuple[str, int] | None, digest: str, now: int) -> tuple[str, int]:
        if prev is not None and prev[0] == digest:
            return prev
        return digest, now if prev is None else max(now, prev[1] + 1)

    def stamp(self, question_id: str, digest: str, now: int) -> int:
        """The note's mtime: unchanged content keeps its time, changed content moves on."""
        prev = self.notes.get(question_id)
        entry = self._next(prev, digest, now)
        if entry is not prev:
            self.notes[question_id] = entry
            self.changed = True
        return entry[1]

    def stamp_templates(self, digest: str, now: int) -> int:
        entry = self._next(self.templates, digest, now)
        if entry is not self.templates:
            self.templates = entry
            self.changed = True
        return entry[1]

    def dumps(self) -> str:
        """One line per question, sorted: small diffs, and concurrent edits of different
        questions merge cleanly in git."""
        lines = [
            "{",
            f'  "format": "{STATE_FORMAT}",',
            '  "about": "qbank export anki: when each note last changed. Commit this file.",',
        ]
        if self.templates is not None:
            lines.append(f'  "templates": {json.dumps(list(self.templates))},')
        body = [
            f"    {json.dumps(k)}: {json.dumps(list(v))}" for k, v in sorted(self.notes.items())
        ]
        lines.append('  "notes": {' + ("\n" + ",\n".join(body) + "\n  }" if body else "}"))
        lines.append("}")
        return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------
# Rendering fields
# --------------------------------------------------------------------------------------

#: text that markdown renders as itself (escaped): a common case worth not parsing
_PLAIN = re.compile(r"[\w ,.;:?!'\"()/%$@=+\-–—‘’“”…]+")
_LIST_START = re.compile(r"\d+[.)]")
_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


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


def _words(n: int) -> str:
    return f"{n} word" if n == 1 else f"{n} words"


def _count(n: int) -> str:
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def topic_tag(topic: str) -> str:
    """``4.3`` → ``topic::4::4.3``; ``aws/security/iam`` → ``topic::aws::security::iam``."""
    head, *rest = topic.split("/")
    bits = head.split(".")
    parts = [".".join(bits[: i + 1]) for i in range(len(bits))] + rest
    return "::".join(["topic", *(_tag(p) for p in parts if p.strip())])


def _tag(text: str) -> str:
    return re.sub(r"\s+", "_", text.strip())


_CLOZE_NUMBER = re.compile(r"\{\{c(\d+)::")


def _cloze_ords(text: str) -> tuple[int, ...]:
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


class _Renderer:
    """Turns questions into note fields; collects the media the fields reference."""

    def __init__(self, root: Path, option_order: OptionOrder, drawn: dict[str, DrawnQuestion]):
        self.root = root.resolve()
        self.option_order = option_order
        self.drawn = drawn
        self.media: dict[str, Path] = {}  # bundled name → file
        self._names: dict[Path, str] = {}

    # -- markup ----------------------------------------------------------------------

    def html(self, text: str | None, *, inline: bool = False) -> str:
        if not text:
            return ""
        if _plain(text):  # only `"` of the characters HTML escapes can occur
            safe = text.replace('"', "&quot;")
            return safe if inline else f"<p>{safe}</p>"
        if "![" in text:
            return markup.to_html(text, media=self._media_src, inline=inline, root=self.root)
        return markup.to_html(text, inline=inline)

    def _media_src(self, ref: markup.MediaRef) -> str:
        if ref.path is None:
            scheme = ref.src.split(":", 1)[0].lower() if ":" in ref.src else ""
            return ref.src if scheme in ("http", "https", "data") else ""
        name = self._names.get(ref.path)
        if name is None:
            try:
                data = ref.path.read_bytes()
            except OSError:
                return ""  # a missing image shows its alt text (validate reports it)
            name = f"qbank-{hashlib.sha256(data).hexdigest()[:16]}{ref.path.suffix.lower()}"
            self._names[ref.path] = name
            self.media[name] = ref.path
        return name

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
        tail = [self.html(q.explanation), escapeHtml(q.source or ""), "", "", escapeHtml(q.id)]
        return spec, [*body, *tail]

    def _choice(self, q: Single | Multi | TrueFalse) -> list[str]:
        if isinstance(q, TrueFalse):
            opts: list[tuple[str, bool, str | None]] = [
                ("True", q.answer, None),
                ("False", not q.answer, None),
            ]
            shown = opts
            instruction = "True or false?"
        else:
            opts = [(o.text, o.correct, o.feedback) for o in q.options]
            shown = [opts[i] for i in self.order(q, len(opts))]
            n = sum(1 for o in opts if o[1])
            instruction = "Choose one." if isinstance(q, Single) else f"Choose {_count(n)}."
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
        marks = [f"qbankcloze{b.index}x" for b in blanks]
        pieces: list[str] = []
        pos = 0
        for b, mark in zip(blanks, marks, strict=True):
            pieces += [q.text[pos : b.start], mark]
            pos = b.end
        text = self.html("".join(pieces) + q.text[pos:])
        hint = f"::{_words(q.max_words)}" if q.max_words else ""
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
            extra = f'<div class="alternatives">Also accepted: {joined}</div>'
        elif alts:
            items = "".join(
                f"<li>for <b>{main}</b>: {', '.join(self.html(a, inline=True) for a in rest)}</li>"
                for main, rest in alts
            )
            extra = f'<div class="alternatives">Also accepted:<ul>{items}</ul></div>'
        if q.case_sensitive:
            extra += '<div class="case">Answers are case-sensitive.</div>'
        return [text, extra]

    def _typed(self, q: Short | Numeric) -> list[str]:
        if isinstance(q, Short):
            accepted = ", ".join(f"<b>{escapeHtml(a)}</b>" for a in q.answers)
            accepted = f"Accepted: {accepted}"
            if q.case_sensitive:
                accepted += " (case-sensitive)"
            instruction = "Type your answer"
            instruction += f" (at most {_words(q.max_words)})." if q.max_words else "."
            return [self.html(q.text), escapeHtml(instruction), escapeHtml(q.answers[0]), accepted]
        unit = f" {escapeHtml(q.unit)}" if q.unit else ""
        accepted = f"Answer: <b>{escapeHtml(q.answer)}</b>{unit}"
        bounds = q.tolerance_bounds() if q.tolerance else None
        if bounds is not None:
            lo, hi = bounds
            accepted += f" (accepted from {escapeHtml(str(lo))} to {escapeHtml(str(hi))}{unit})"
        instruction = f"Type a number (in {q.unit})." if q.unit else "Type a number."
        return [self.html(q.text), escapeHtml(instruction), escapeHtml(q.answer), accepted]

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
                "Put these in the correct order.",
                f'<ol type="A" class="items">{items}</ol>',
                f'<ol class="order">{answer}</ol><div class="key">Order: <b>{key}</b></div>',
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
                "Match each item on the left with one on the right.",
                f'<div class="columns"><ol class="left">{left}</ol>'
                f'<ol type="A" class="right">{right}</ol></div>',
                f'<table class="pairs">{rows}</table><div class="key">Key: <b>{key}</b></div>',
            ]
        assert isinstance(q, Essay)
        instruction = "Write your answer"
        instruction += f" (at most {_words(q.max_words)})" if q.max_words else ""
        instruction += ", then compare it with the rubric." if q.rubric else "."
        return [self.html(q.text), escapeHtml(instruction), "", self.html(q.rubric)]


# --------------------------------------------------------------------------------------
# Decks and tags
# --------------------------------------------------------------------------------------


def _tags(q: AnyQuestion) -> list[str]:
    tags = [topic_tag(q.topic)] if q.topic else []
    tags += [_tag(t) for t in q.tags]
    tags.append(f"qbank::type::{q.type}")
    if q.difficulty:
        tags.append(f"qbank::difficulty::{q.difficulty}")
    return list(dict.fromkeys(t for t in tags if t))


def _subdeck(base: str, topic: str | None, titles: dict[str, str]) -> str:
    """``Title::04 Machine Learning …``: numbers zero-padded so Anki sorts them right."""
    if not topic:
        return base
    key = topic.split("/", 1)[0].split(".", 1)[0]
    label = key.zfill(2) if key.isdigit() else key
    title = titles.get(key, "").replace("::", ":").strip()
    return f"{base}::{label} {title}".rstrip()


# --------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------


@dataclass
class AnkiExport:
    """What an export wrote (for the CLI summary and the tests)."""

    path: Path
    notes: int
    cards: int
    decks: list[str]
    media: list[str]
    timestamp: int
    changed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    state: Path | None = None
    state_written: bool = False


@dataclass
class _Built:
    spec: ModelSpec
    question: AnyQuestion
    fields: list[str]
    tags: list[str]
    deck: str
    digest: str
    cards: tuple[int, ...]  # template ords: (0,) or one per cloze number


@dataclass
class _Rendered:
    notes: list[_Built]
    skipped: list[tuple[str, str]]
    media: dict[str, Path]  # bundled name → file


def export(
    draw: Draw,
    out: Path,
    *,
    bank: Bank,
    deck: str | None = None,
    subdecks: bool = False,
    state: Path | None = None,
    option_order: OptionOrder = "stable",
    templates: Path | None = None,
    now: int | None = None,
    compress: bool = True,
) -> AnkiExport:
    """Write the draw's questions as an Anki package ``out`` (``.apkg``).

    ``deck`` names the deck (default: the bank title); ``subdecks`` adds one sub-deck per
    top-level topic. ``state`` is the state file that remembers when each note last
    changed (read, then updated after a successful write); ``None`` keeps no state, so
    every note carries ``now`` (default ``SOURCE_DATE_EPOCH`` or the clock). ``templates``
    is a folder whose files override the shipped ``exporters/anki`` templates and CSS.
    """
    out = Path(out)
    when = current_time() if now is None else int(now)
    memory = State.read(state) if state is not None else State()
    assets = _Templates.load(templates)
    # The loop allocates many short-lived, acyclic objects; the cyclic GC would rescan the
    # whole loaded bank again and again without freeing anything (as in qbank.load).
    gc_enabled = gc.isenabled()
    gc.disable()
    try:
        built = _build(draw, bank, deck or bank.title, subdecks, option_order)
        return _write(built, out, bank, memory, assets, when, state, compress)
    finally:
        if gc_enabled:
            gc.enable()


def _build(
    draw: Draw, bank: Bank, base: str, subdecks: bool, option_order: OptionOrder
) -> _Rendered:
    """Render every question of the draw into note fields, tags and a deck."""
    drawn: dict[str, DrawnQuestion] = {}
    for form in draw.forms:
        for d in form.questions:
            drawn.setdefault(d.id, d)
    renderer = _Renderer(bank.root, option_order, drawn)
    titles = dict(bank.manifest.topics) if bank.manifest else {}
    tag_cache: dict[tuple[Any, ...], list[str]] = {}
    built: list[_Built] = []
    skipped: list[tuple[str, str]] = []
    questions = draw.questions
    for q in track(questions, total=len(questions), label="Anki notes"):
        spec, fields = renderer.fields(q)
        cards = _cloze_ords(fields[0]) if spec.cloze else (0,)
        if not cards:
            skipped.append((q.id, "a cloze question without a blank"))
            continue
        key = (q.topic, tuple(q.tags), q.type, q.difficulty)
        tags = tag_cache.get(key)
        if tags is None:
            tags = tag_cache[key] = _tags(q)
        digest = _digest([str(spec.model_id), *fields, " ".join(tags)])
        where = _subdeck(base, q.topic, titles) if subdecks else base
        built.append(_Built(spec, q, fields, tags, where, digest, cards))
    return _Rendered(built, skipped, renderer.media)


def _write(
    rendered: _Rendered,
    out: Path,
    bank: Bank,
    memory: State,
    assets: _Templates,
    when: int,
    state: Path | None,
    compress: bool,
) -> AnkiExport:
    """Stamp the notes, write the package atomically, then record the new state."""
    built = rendered.notes
    changed = [
        b.question.id for b in built if memory.notes.get(b.question.id, ("",))[0] != b.digest
    ]
    model_time = memory.stamp_templates(assets.digest(), when)
    models = {k: _Model(s, assets, model_time) for k, s in MODELS.items()}
    decks: dict[str, list[tuple[_Built, int]]] = {}
    times = [model_time]
    for b in built:
        mtime = memory.stamp(b.question.id, b.digest, when)
        times.append(mtime)
        decks.setdefault(b.deck, []).append((b, mtime))
    timestamp = max(times)
    used = {b.spec.key: models[b.spec.key] for b in built}
    media = sorted(rendered.media.items())
    with atomic_path(out) as tmp:
        database = _collection(bank.id, [used[k] for k in sorted(used)], decks, timestamp)
        _write_apkg(tmp, database, media, compress=compress)
    written = state is not None and memory.changed
    if state is not None and written:
        atomic_write_text(state, memory.dumps())
    return AnkiExport(
        path=out,
        notes=len(built),
        cards=sum(len(b.cards) for b in built),
        decks=list(decks),
        media=[name for name, _ in media],
        timestamp=timestamp,
        changed=changed,
        skipped=rendered.skipped,
        state=state,
        state_written=written,
    )


def _collection(
    bank_id: str,
    models: list[_Model],
    decks: dict[str, list[tuple[_Built, int]]],
    timestamp: int,
) -> bytes:
    """The package's SQLite collection, built in memory (``Package.write_to_file`` leaves a
    temporary database behind in /tmp and stamps everything with one time).

    genanki writes the schema, the collection row, the decks and the note types; the notes
    and cards are then inserted in bulk, in genanki's row layout but each with its own
    mtime (per-object ``genanki.Note`` writing was half the export time of a large bank).
    """
    conn = sqlite3.connect(":memory:")
    try:
        cursor = conn.cursor()
        ids = itertools.count(timestamp * 1000)
        shells = []
        for name in decks:
            deck = genanki.Deck(stable_id(f"qbank/deck/{bank_id}/{name}"), name)
            for model in models:
                deck.add_model(model)
            shells.append(deck)
        genanki.Package(shells).write_to_db(cursor, timestamp, ids)
        notes: list[tuple[Any, ...]] = []
        cards: list[tuple[Any, ...]] = []
        for deck, items in zip(shells, decks.values(), strict=True):
            for b, mtime in items:
                note_id = next(ids)
                notes.append(_note_row(b, note_guid(bank_id, b.question.id), mtime, note_id))
                for ord_ in b.cards:
                    cards.append((next(ids), note_id, deck.deck_id, ord_, mtime, *_CARD_TAIL))
        cursor.executemany("INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?)", notes)
        cursor.executemany("INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", cards)
        conn.commit()
        return conn.serialize()
    finally:
        conn.close()


#: usn, type, queue, due, ivl, factor, reps, lapses, left, odue, odid, flags, data: a new card
_CARD_TAIL = (-1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "")


def _note_row(b: _Built, guid: str, mtime: int, note_id: int) -> tuple[Any, ...]:
    """A ``notes`` row as genanki writes it: id, guid, mid, mod, usn, tags, flds, sfld,
    csum, flags, data (Anki recomputes the sort field and checksum on import)."""
    tags = " " + " ".join(b.tags) + " "
    return (
        note_id,
        guid,
        b.spec.model_id,
        mtime,
        -1,
        tags,
        "\x1f".join(b.fields),
        b.fields[0],
        0,
        0,
        "",
    )


def _write_apkg(
    path: Path, database: bytes, media: Sequence[tuple[str, Path]], *, compress: bool
) -> None:
    """genanki's package layout (``collection.anki2``, ``media``, ``0``, ``1`` …), made
    reproducible: every zip entry gets a fixed date and mode."""
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w") as archive:
        _add(archive, "collection.anki2", database, method)
        names = {str(i): name for i, (name, _) in enumerate(media)}
        _add(archive, "media", json.dumps(names).encode("utf-8"), method)
        for i, (_, file) in enumerate(media):
            _add(archive, str(i), file.read_bytes(), zipfile.ZIP_STORED)


def _add(archive: zipfile.ZipFile, name: str, data: bytes, method: int) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = method
    info.external_attr = 0o644 << 16
    info.create_system = 3  # unix, whatever the host
    archive.writestr(info, data, compresslevel=1 if method == zipfile.ZIP_DEFLATED else None)


def summary(result: AnkiExport) -> str:
    """One line for the CLI."""
    parts = [
        f"{result.notes} notes",
        f"{result.cards} cards",
        f"{len(result.decks)} deck{'s' if len(result.decks) != 1 else ''}",
    ]
    if result.media:
        parts.append(f"{len(result.media)} media file(s)")
    if result.state is not None:
        parts.append(f"{len(result.changed)} new or changed since the last export")
    return ", ".join(parts)
