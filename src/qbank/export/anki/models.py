"""Note types and identity: frozen field lists, templates and CSS, stable ids and GUIDs.

A note type's fields and template names never change; a schema change ships as a new
version (``…/v2``). The shipped templates live in ``exporters/anki`` and can be overridden
by a folder of the same file names (checked: a template may only use known fields).
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import genanki
from markdown_it.common.utils import escapeHtml

from qbank.assets import read_asset
from qbank.export.anki.state import digest
from qbank.i18n import N_, Translator, translator


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
#: a label in a template, translated when the note type is built: ``[% Answer: %]``
_LABEL = re.compile(r"\[%\s*(.+?)\s*%\]")
#: the labels the shipped templates use (listed for the message catalogs)
TEMPLATE_LABELS = (N_("Answer:"),)


def _asset(name: str, override: Path | None) -> str:
    if override is not None and (override / name).is_file():
        return (override / name).read_text(encoding="utf-8")
    return read_asset("anki", name)


@dataclass(frozen=True)
class Templates:
    css: str
    pages: dict[str, tuple[str, str]]  # model key → (front, back)

    @classmethod
    def load(cls, override: Path | None, tr: Translator | None = None) -> Templates:
        translate = tr or translator(None)

        def page(name: str) -> str:  # `[% Answer: %]` labels in the class's language
            text = _asset(name, override)
            return _LABEL.sub(lambda m: escapeHtml(translate.gettext(m.group(1))), text)

        pages = {k: (page(s.files[0]), page(s.files[1])) for k, s in MODELS.items()}
        for key, spec in MODELS.items():
            for name, text in zip(spec.files, pages[key], strict=True):
                _check_template(name, text, spec)
        return cls(_asset(CSS_FILE, override), pages)

    def digest(self) -> str:
        """What a note type is made of: schema, templates and CSS (a change must propagate)."""
        parts: list[str] = [self.css]
        for key, spec in MODELS.items():
            parts += [str(spec.model_id), spec.name, *spec.fields, spec.template, *self.pages[key]]
        return digest(parts)


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


class NoteType(genanki.Model):
    """A note type stamped with the time its templates last changed (not the export time),
    so a learner's own restyle survives until the author restyles."""

    def __init__(self, spec: ModelSpec, templates: Templates, mod: int) -> None:
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
