"""Exporters, one package per target. Shared here: the pre-export check, and what the LMS
exports (Moodle XML, GIFT, QTI) share (see "LMS exports" below).

Which findings block an export (the policy the README states):

* **blocking** — every *error* of the rules an export runs: files and YAML (QB0), schema
  (QB1), answer keys (QB2), media and markup (QB5), ids, taxonomy and quiz references (QB6);
* **not blocking** — near-duplicates (QB3, ``validate``'s job: the bank-wide scan would
  dominate a large export's time) and item-writing lint (QB4), and every warning.

Only what concerns the selection blocks it: errors located in a question the selection
could draw (any question matching its filters, or its quiz's sections), errors in the quiz
file it uses, files that could not be read or parsed (they might hold selected questions),
and bank-level errors (the manifest). An error in a question the selection cannot draw is
not its business. ``skip_invalid`` leaves out every question with an error located inside
it and every file that could not be parsed, and says which (:attr:`Checked.skipped`,
:attr:`Checked.skipped_files`); bank-level errors still refuse.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from qbank.diagnostics import Problem, Severity
from qbank.markup import MediaRef, replace_blanks, to_html
from qbank.markup.images import EXTENSION, IMAGE_TYPES, image_kind
from qbank.markup.images import MIME as KIND_MIME
from qbank.model import Numeric

if TYPE_CHECKING:
    from qbank.draw import Selection
    from qbank.load import Bank


class ExportRefused(Exception):
    """Errors concern the selection and ``skip_invalid`` was not given (or cannot help)."""

    def __init__(self, problems: list[Problem], *, bank_level: bool = False):
        super().__init__(f"{len(problems)} error(s) in the bank")
        self.problems = problems
        #: the errors are the bank's own (the manifest): ``--skip-invalid`` cannot skip them
        self.bank_level = bank_level


@dataclass(frozen=True)
class Skipped:
    """A question left out by ``skip_invalid``: its id, where it is, and the rules it broke."""

    id: str
    file: str
    line: int
    rules: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "file": self.file, "line": self.line, "rules": list(self.rules)}


@dataclass
class Checked:
    """The bank to export (invalid questions removed) and what was left out."""

    bank: Bank
    #: ids of the questions of the selection left out, sorted (details in ``skipped_details``)
    skipped: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped_details: list[Skipped] = field(default_factory=list)
    #: files that could not be read or parsed: (bank-relative path, rules)
    skipped_files: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)


def _spans(bank: Bank) -> dict[str, list[tuple[int, int, str]]]:
    """file → (first line, last line, question id) of every loaded question."""
    out: dict[str, list[tuple[int, int, str]]] = {}
    for q in bank.questions:
        src = q.source_file
        if src is None:
            continue
        node, _ = src.node_at(q._path)
        if node is None:
            continue
        out.setdefault(src.rel, []).append((node.start_mark.line + 1, node.end_mark.line + 1, q.id))
    return out


def _owner(p: Problem, spans: dict[str, list[tuple[int, int, str]]]) -> str | None:
    if p.question_id:
        return p.question_id
    for first, last, qid in spans.get(p.location.file, ()):
        if first <= p.location.line <= last:
            return qid
    return None


def _is_quiz(rel: str) -> bool:
    return rel.startswith("quizzes/")


def check_for_export(
    bank: Bank, *, skip_invalid: bool = False, selection: Selection | None = None
) -> Checked:
    """Errors that block an export of ``selection`` (default: the whole bank); raises
    :class:`ExportRefused` unless ``skip_invalid`` can leave them out. See the module doc."""
    from qbank.draw import SelectionError, selection_pool
    from qbank.validate.engine import Options, validate

    report = validate(bank, Options(skip={"QB3", "QB4"}))
    errors = [p for p in report.problems if p.severity is Severity.ERROR]
    if not errors:
        return Checked(bank)
    try:
        pool: set[str] | None = selection_pool(bank, selection)
    except SelectionError:
        pool = None  # the draw reports it
    quiz_file = _quiz_file(bank, selection)
    spans = _spans(bank)
    by_question: dict[str, list[Problem]] = {}
    by_file: dict[str, list[Problem]] = {}
    bank_level: list[Problem] = []
    for p in errors:
        owner = _owner(p, spans)
        rel = p.location.file
        if owner is not None:
            by_question.setdefault(owner, []).append(p)
        elif _is_quiz(rel):
            if quiz_file is not None and rel == quiz_file:
                bank_level.append(p)
        elif rel in ("qbank.yaml", "<memory>"):
            bank_level.append(p)
        else:
            by_file.setdefault(rel, []).append(p)
    for qid in bank.invalid_ids:
        by_question.setdefault(qid, [])
    invalid = set(bank.invalid_ids)
    named = (
        set(selection.filters.ids) if selection is not None and selection.quiz is None else set()
    )

    def concerns(qid: str) -> bool:
        if pool is None or qid in pool:
            return True
        # a question that could not be loaded (schema error) has no reliable topic or tags:
        # it may belong to any selection except one that names its ids
        return qid in invalid and not (named and qid not in named)

    relevant_ids = [q for q in by_question if concerns(q)]
    relevant = [
        *bank_level,
        *(p for ps in by_file.values() for p in ps),
        *(p for q in relevant_ids for p in by_question[q]),
    ]
    relevant.sort(key=lambda p: (p.severity.rank, *p.sort_key))
    if not relevant:
        return Checked(bank, problems=errors)
    if not skip_invalid or bank_level:
        raise ExportRefused(relevant, bank_level=bool(bank_level) and skip_invalid)
    bad = set(by_question)
    kept = [q for q in bank.questions if q.id not in bad]
    view = dataclasses.replace(bank, questions=kept, _by_id=None)
    details = sorted(
        (_skipped(qid, by_question[qid], bank) for qid in relevant_ids),
        key=lambda s: (s.file, s.line, s.id),
    )
    files = [(rel, tuple(sorted({p.rule for p in ps}))) for rel, ps in sorted(by_file.items())]
    return Checked(view, sorted(s.id for s in details), relevant, details, files)


def _skipped(qid: str, problems: list[Problem], bank: Bank) -> Skipped:
    rules = tuple(sorted({p.rule for p in problems}))
    if problems:
        first = min(problems, key=lambda p: p.sort_key)
        return Skipped(qid, first.location.file, first.location.line, rules)
    q = bank.by_id().get(qid)
    loc = q.location if q is not None else None
    return Skipped(qid, loc.file if loc else "", loc.line if loc else 0, rules)


def _quiz_file(bank: Bank, selection: Selection | None) -> str | None:
    if selection is None or selection.quiz is None:
        return None
    from qbank.draw import SelectionError, find_quiz

    try:
        return find_quiz(bank, selection.quiz).file
    except SelectionError:
        return None


def skipped_entries(checked: Checked) -> list[dict[str, Any]]:
    """The manifest's ``skipped`` list: every question (and file) left out, with why."""
    out: list[dict[str, Any]] = [s.to_dict() for s in checked.skipped_details]
    out += [
        {"id": None, "file": rel, "line": 1, "rules": list(rules)}
        for rel, rules in checked.skipped_files
    ]
    return out


# -- LMS exports -------------------------------------------------------------------------------
# What the LMS exports (Moodle XML, GIFT, QTI) share: files, fractions, tolerances, topics.
#
# An LMS imports a *question bank*, not a printed form: these exports write every distinct
# question of a draw once (``Draw.questions``, first-seen order), options in the bank's
# order, and leave shuffling to the LMS (``shuffle`` of the question). Texts are rendered by
# :mod:`qbank.markup` (safe HTML, maths kept as ``\( … \)``), so the three targets agree.

MIME = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}

# Characters XML 1.0 forbids; the loader reads YAML, which allows some of them escaped.
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_clean(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (control characters)."""
    return _XML_BAD.sub("", text)


def xml_escape(text: str, *, quote: bool = False) -> str:
    """Escape text for XML character data (and attributes with ``quote``)."""
    out = xml_clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if quote:
        out = out.replace('"', "&quot;")
    return out


def cdata(text: str) -> str:
    """``<![CDATA[…]]>`` with ``]]>`` split the way Moodle writes it."""
    return "<![CDATA[" + xml_clean(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


@dataclass
class File:
    """An image bundled with the export: its name in the package and its bytes."""

    name: str
    data: bytes
    mime: str


@dataclass
class Files:
    """Image references → names in the export, with the bytes to embed or package.

    ``prefix`` is what the ``src`` starts with (``@@PLUGINFILE@@/`` for Moodle,
    ``media/`` for QTI). Names are the file's base name; two different files with the same
    base name get a short content hash. Images that cannot be bundled (outside the bank,
    missing, an unknown type, on the web) show as their alt text and give a warning.
    """

    root: Path
    prefix: str
    warnings: list[str] = field(default_factory=list)
    #: every file, by name, in first-use order
    files: dict[str, File] = field(default_factory=dict)
    _names: dict[Path, str] = field(default_factory=dict)
    #: names used since the last :meth:`take`
    _used: list[str] = field(default_factory=list)
    where: str = ""

    def url(self, ref: MediaRef) -> str:
        path = ref.path
        # the type the bytes say, whatever the name (a PNG saved as .jpg: QB503)
        kind = image_kind(path) if path is not None and path.is_file() else None
        if path is None or not path.is_file() or kind is None:
            why = "is not a file inside the bank"
            if path is not None and not path.is_file():
                why = "was not found"
            elif path is not None:
                why = "has an unsupported type"
            elif re.match(r"(?i)^https?://", ref.src):
                why = "is on the web; LMS exports bundle only files from the bank"
            self.warn(f"image `{ref.src}` {why}; shown as its alt text")
            return ""
        name = self._names.get(path)
        if name is None:
            data = path.read_bytes()
            name = _safe_name(path.name)
            if IMAGE_TYPES.get(PurePosixPath(name).suffix.lower()) != kind:
                name = PurePosixPath(name).stem + EXTENSION[kind]  # LMSs serve files by name
            if name in self.files and self.files[name].data != data:
                digest = hashlib.sha256(data).hexdigest()[:8]
                stem = PurePosixPath(name)
                name = f"{stem.stem}-{digest}{stem.suffix}"
            self.files.setdefault(name, File(name, data, KIND_MIME[kind]))
            self._names[path] = name
        if name not in self._used:
            self._used.append(name)
        return self.prefix + name

    def take(self) -> list[File]:
        """The files referenced since the last call (for Moodle's per-field ``<file>``)."""
        used = [self.files[n] for n in self._used]
        self._used = []
        return used

    def warn(self, message: str) -> None:
        text = f"{self.where}: {message}" if self.where else message
        if text not in self.warnings:
            self.warnings.append(text)


def _safe_name(name: str) -> str:
    """A file name safe in a URL and a zip: letters, digits, ``._-``."""
    clean = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "image"
    return clean


def html(text: str, files: Files, *, inline: bool = False) -> str:
    """Safe HTML of an author string, images pointing into the export's files.

    Plain one-line texts (:func:`qbank.markup.is_plain`) skip the markdown parser (in
    :func:`qbank.markup.to_html`): the same escaped text at a fraction of the cost.
    """
    return to_html(text, media=files.url, root=files.root, inline=inline)


_TOKEN = "\ue000{}\ue001"
_TOKEN_RE = re.compile("\ue000(\\d+)\ue001")
_TAG_SPLIT = re.compile(r"(<[^>]*>)")


def cloze_html(
    text: str,
    files: Files,
    blank: dict[int, str],
    *,
    in_tag: str = "_____",
    text_fn: Callable[[str], str] | None = None,
) -> str:
    """Cloze text as HTML with blank ``i`` replaced by ``blank[i]`` (already HTML-safe).

    Blanks become private-use tokens before the markdown is parsed, so answers never reach
    the renderer; a token that lands inside a tag (an image's alt text) becomes ``in_tag``.
    ``text_fn`` rewrites the author's text between tags (before the blanks go in).
    """
    source = replace_blanks(text, lambda b: _TOKEN.format(b.index))
    rendered = html(source, files)
    pieces = _TAG_SPLIT.split(rendered)
    for i, piece in enumerate(pieces):
        if i % 2:
            pieces[i] = _TOKEN_RE.sub(in_tag, piece)
        else:
            if text_fn is not None:
                piece = text_fn(piece)
            pieces[i] = _TOKEN_RE.sub(lambda m: blank[int(m.group(1))], piece)
    return "".join(pieces)


def percent(value: Decimal | float) -> str:
    """A Moodle fraction as a percentage with at most 7 decimals: ``33.33333``, ``100``."""
    text = f"{float(value):.7f}".rstrip("0").rstrip(".")
    text = re.sub(r"^(-?\d+\.\d{5})\d*$", lambda m: m.group(1), text)
    return "0" if text in ("-0", "") else text


def share(count: int) -> str:
    """100 / count as Moodle writes it (``33.33333``, ``66.66667`` for 2/3, ``25``)."""
    return percent(round(Decimal(100) / count, 5)) if count else "0"


def decimal_text(value: Decimal) -> str:
    """Plain decimal notation, no exponent, no trailing zeros beyond the value."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def absolute_tolerance(q: Numeric) -> Decimal:
    """The tolerance as an absolute number (``2%`` of the answer becomes a number)."""
    bounds = q.tolerance_bounds()
    if bounds is None:
        return Decimal(0)
    return (bounds[1] - bounds[0]) / 2


def topic_path(bank: Bank, topic: str | None) -> list[str]:
    """The topic and its ancestors as titled segments: ``["4 Operations", "4.3 Security"]``.

    Ancestors are the dotted (or ``/``) prefixes the manifest declares; a topic the
    manifest does not name keeps its id.
    """
    if not topic:
        return []
    titles = bank.manifest.topics if bank.manifest else {}
    parts = re.split(r"([./])", topic)
    segments: list[str] = []
    for end in range(1, len(parts) + 1, 2):
        prefix = "".join(parts[:end])
        if prefix in titles or prefix == topic:
            title = titles.get(prefix)
            segments.append(f"{prefix} {title}".strip() if title else prefix)
    return segments
