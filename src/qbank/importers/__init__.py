"""Bring existing banks in: Moodle XML, GIFT, Aiken and spreadsheets (CSV/XLSX).

Other tools' question formats → qbank question data, one package per format (``moodle``,
``gift``, ``aiken``, ``sheet``). Each has one entry point ``import_<format>(data, file,
ids=…)`` returning an :class:`ImportResult`: the questions as plain qbank data (the mapping
a question file holds), every :class:`Loss` with the source file and line or question name,
and the media files the questions use. An importer never writes anything and never raises
for the *content* of a file it can read; a file that is not the claimed format raises
:class:`SourceFormatError`. :mod:`qbank.importers.bank` writes a result into a bank.

What the formats share lives here (the format packages are independent of each other, see
docs/architecture.md): the result types, ids (:class:`IdAllocator`) and category paths.
"""

from __future__ import annotations

import hashlib
import importlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class SourceFormatError(Exception):
    """The file is not the format it was claimed to be (or cannot be read)."""

    def __init__(self, file: str, message: str, line: int | None = None) -> None:
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")
        self.file = file
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Loss:
    """Something in the source that was not imported, or imported only in part.

    ``question`` is False for a partial loss (the question was imported; a detail of it
    was not, and a note says so in the YAML).
    """

    file: str
    where: str
    what: str
    why: str
    question: bool = True

    def __str__(self) -> str:
        kind = "not imported" if self.question else "partly imported"
        return f"{self.file}:{self.where}: {kind}: {self.what}: {self.why}"


@dataclass
class Imported:
    """One question in qbank's own format (the mapping a question file holds)."""

    data: dict[str, Any]
    #: source file and where in it (line number or question name), for messages
    file: str
    where: str
    #: a category path from the source (``Algebra/Linear``), one file per category
    category: tuple[str, ...] = ()
    #: notes written as YAML comments above the question (what the source had that qbank
    #: keeps only as a note)
    notes: list[str] = field(default_factory=list)
    #: the id came from the source (idnumber, GIFT title or [id:]) rather than a slug
    id_from_source: bool = False
    #: the topic key the source gives its category (a Moodle category's idnumber, which
    #: `qbank export moodle` writes), used instead of a slug of the category path
    category_key: str | None = None


@dataclass
class ImportResult:
    """Questions read from one or more sources, what was lost, and the media they use."""

    questions: list[Imported] = field(default_factory=list)
    losses: list[Loss] = field(default_factory=list)
    #: bank-relative path (``media/<sha256-12>.png``) → bytes
    media: dict[str, bytes] = field(default_factory=dict)
    #: questions found in the sources (imported or not); categories are not questions
    total: int = 0

    @property
    def not_imported(self) -> int:
        return sum(1 for loss in self.losses if loss.question)

    def extend(self, other: ImportResult) -> None:
        self.questions.extend(other.questions)
        self.losses.extend(other.losses)
        self.media.update(other.media)
        self.total += other.total

    def lose(self, file: str, where: str, what: str, why: str, *, question: bool = True) -> None:
        self.losses.append(Loss(file, where, what, why, question))

    def add_media(self, name: str, data: bytes) -> str:
        """Store a file by content hash; returns its bank-relative path."""
        digest = hashlib.sha256(data).hexdigest()[:16]
        suffix = ""
        if "." in name.rsplit("/", 1)[-1]:
            suffix = "." + name.rsplit(".", 1)[-1].lower()
            if not suffix[1:].isalnum() or len(suffix) > 6:
                suffix = ""
        path = f"media/{digest}{suffix}"
        self.media[path] = data
        return path


ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_NON_ID = re.compile(r"[^a-z0-9._-]+")
_DASHES = re.compile(r"-{2,}")
_SLUG_WORDS = 6


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def clean_id(raw: str) -> str | None:
    """A source id (Moodle idnumber, GIFT title, a sheet cell) made valid, or None.

    ``Q-17`` → ``q-17``; ``Kanji Origins`` → ``kanji-origins``; ``Calculée`` → ``calculee``.
    """
    stripped = raw.strip()
    if ID_RE.match(stripped) and len(stripped) <= 80:
        return stripped
    if raw.isascii():
        # ``ID-17``: an ASCII id that is valid once lower-cased, with nothing the steps
        # below would change (no run of dashes, no separator at its end): what they give
        lowered = stripped.lower()
        if (
            len(lowered) <= 80
            and ID_RE.match(lowered)
            and "--" not in lowered
            and lowered[-1] not in "-._"
        ):
            return lowered
    # NFKD leaves ASCII text as it is (no ASCII character decomposes): skip it for ids
    # like ``ID-17``, the common case
    text = _NON_ID.sub("-", (raw if raw.isascii() else _ascii(raw)).strip().lower())
    if "--" in text:
        text = _DASHES.sub("-", text)
    text = text.strip("-._")
    if not text or not ID_RE.match(text):
        return None
    return text[:80].rstrip("-._")


def slug_id(stem: str, *, prefix: str = "") -> str:
    """``Who's buried in Grant's tomb?`` → ``whos-buried-in-grants-tomb-3f2a1c``."""
    words = re.findall(r"[a-z0-9]+", _ascii(stem).lower().replace("'", "").replace("’", ""))
    base = "-".join(words[:_SLUG_WORDS]) or "q"
    digest = hashlib.sha256(stem.encode("utf-8")).hexdigest()[:6]
    return f"{prefix}{base}-{digest}"


class IdAllocator:
    """Hands out unique ids in input order; a repeat gets ``-2``, ``-3``…"""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self.used: set[str] = set()

    def take(self, wanted: str | None, stem: str) -> tuple[str, bool]:
        """(id, from_source). ``wanted`` is the source's own id (uncleaned) or None."""
        base: str | None = None
        from_source = False
        if wanted:
            cleaned = clean_id(wanted)
            if cleaned:
                base, from_source = self.prefix + cleaned, True
        if base is None:
            base = slug_id(stem, prefix=self.prefix)
        candidate, n = base, 2
        while candidate in self.used:
            candidate = f"{base}-{n}"
            n += 1
        self.used.add(candidate)
        return candidate, from_source


# -- answers ------------------------------------------------------------------------------


def unique_answers(answers: list[str], *, case_sensitive: bool = False) -> list[str]:
    """Accepted answers without repeats (``Paris``, ``paris`` is one answer when case is
    ignored, as qbank's QB206 would say); the first spelling is kept."""
    seen: set[str] = set()
    out: list[str] = []
    for answer in answers:
        key = answer if case_sensitive else answer.casefold()
        if key not in seen:
            seen.add(key)
            out.append(answer)
    return out


# -- tags ---------------------------------------------------------------------------------

_DIFFICULTY_TAG = re.compile(r"^difficulty:(easy|medium|hard)$", re.IGNORECASE)


def apply_tags(question: dict[str, Any], tags: list[str]) -> None:
    """Set ``tags``; a ``difficulty:easy`` tag (what qbank's Moodle and GIFT exports write
    for the difficulty) becomes the ``difficulty`` field again."""
    kept: list[str] = []
    for tag in tags:
        m = _DIFFICULTY_TAG.match(tag) if ":" in tag else None  # (the pattern has a ":")
        if m and "difficulty" not in question:
            question["difficulty"] = m.group(1).lower()
        else:
            kept.append(tag)
    if kept:
        question["tags"] = kept


# -- categories ---------------------------------------------------------------------------

#: Moodle's context prefixes (``$course$``, ``$system$`` …)
_CONTEXTS = re.compile(r"^\$(course|system|module|cat\d*|coursecat)\$$")


def category_parts(path: str) -> tuple[str, ...]:
    """``$course$/top/Algebra/Linear`` → ``("Algebra", "Linear")`` (``//`` is a literal ``/``)."""
    parts = [p.strip() for p in re.split(r"(?<!/)/(?!/)", path) if p.strip()]
    if parts and _CONTEXTS.match(parts[0]):
        parts = parts[1:]
    if parts and parts[0].lower() == "top":
        parts = parts[1:]
    return tuple(p.replace("//", "/") for p in parts)


def topic_key(parts: tuple[str, ...]) -> str:
    """``("Physics", "Units")`` → ``physics/units``."""
    return "/".join(clean_id(p) or "topic" for p in parts)


def source_topic_key(raw: str) -> str | None:
    """A category's own key (Moodle category idnumber) usable as a topic, or None."""
    key = raw.strip()
    if not key or len(key) > 100 or any(c in key for c in "\n\r\t#") or "//" in key:
        return None
    if key.startswith("/") or key.endswith("/"):
        return None
    return key


def category_titles(parts: tuple[str, ...], key: str) -> dict[str, str]:
    """Taxonomy titles for a category whose source gives the topic ``key``.

    ``qbank export moodle`` names categories ``KEY Title`` (``1 Data Engineering`` /
    ``1.1 Create data repositories``): each segment whose leading word is ``key`` or one of
    its ancestors (``1`` of ``1.1``, ``a`` of ``a/b``) gives that topic's title. A key no
    segment names gets the last segment as its title (a Moodle category idnumber).
    """
    titles: dict[str, str] = {}
    for seg in parts:
        head, _, rest = seg.partition(" ")
        if head == key or key.startswith((head + ".", head + "/")):
            titles[head] = rest.strip() or head
    if key not in titles:
        titles[key] = parts[-1] if parts else key
    return titles


FORMATS = ("moodle", "gift", "aiken", "csv", "xlsx")
_MODULES = {
    "moodle": ("qbank.importers.moodle", "import_moodle"),
    "gift": ("qbank.importers.gift", "import_gift"),
    "aiken": ("qbank.importers.aiken", "import_aiken"),
    "csv": ("qbank.importers.sheet", "import_csv"),
    "xlsx": ("qbank.importers.sheet", "import_xlsx"),
}

__all__ = [
    "FORMATS",
    "IdAllocator",
    "ImportResult",
    "Imported",
    "Loss",
    "SourceFormatError",
    "apply_tags",
    "category_parts",
    "category_titles",
    "clean_id",
    "import_files",
    "slug_id",
    "source_topic_key",
    "topic_key",
    "unique_answers",
]


def import_files(fmt: str, paths: Iterable[Path], *, prefix: str = "") -> ImportResult:
    """Read every file as ``fmt``; ids are unique across all of them."""
    if fmt not in _MODULES:
        raise ValueError(f"unknown import format {fmt!r} (one of {', '.join(FORMATS)})")
    module, name = _MODULES[fmt]
    reader = getattr(importlib.import_module(module), name)
    ids = IdAllocator(prefix)
    result = ImportResult()
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SourceFormatError(str(path), f"cannot read: {exc.strerror or exc}") from None
        result.extend(reader(data, path.name, ids=ids))
    return result
