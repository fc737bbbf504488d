"""Filters, seeded draws, blueprint quotas, option shuffling and form manifests.

One module selects questions for every exporter, so a worksheet, its answer key, a web quiz
and an Anki deck made from the same selection and seed hold the same questions in the same
order with the same option order (DESIGN §4).

Reproducibility is the contract: same bank, selection and seed → same draw on every machine
and Python version. So nothing here uses ``hash()``, set iteration order or :mod:`random`
(whose algorithms Python does not promise to keep). Every "random" choice is a sort by a rank::

    rank(parts) = SHA-256(UTF-8("\\x1f".join(str(part) for part in parts)))

compared as bytes, ties broken by position. The parts are:

================================  =====================================================
which questions a section picks   ``seed, "pick", section index, question id``
question order on form ``f``      ``seed, f, "questions", question id`` (+ retry ``r``)
option order                      ``seed, f, question id, "options", option index``
order items / match right column  ``seed, f, question id, "items" | "match", index``
================================  =====================================================

``f`` is the form's 0-based index. A section takes the ``count`` best-ranked questions not
already on the form (kept in bank order when questions are not shuffled). Questions are
shuffled within each quiz section (sections keep their order) and across topics in a
blueprint draw. Options that say "None/All of the above" are left out of the option sort
and follow in their written order. Ranking picks by question id (not by position) keeps a
draw stable when unrelated questions are added: a new question enters a section's pick only
if its own rank beats one already picked. tests/golden/ pins all of this byte for byte, and
tests/test_select.py re-implements it with :mod:`hashlib` alone, so another implementation
(a JavaScript player) can follow it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from qbank.diagnostics import Location
from qbank.model import (
    QUESTION_TYPES,
    AnyQuestion,
    Cloze,
    Difficulty,
    Essay,
    Match,
    Numeric,
    Option,
    Order,
    Quiz,
    Section,
    Short,
    Status,
    TrueFalse,
)

if TYPE_CHECKING:
    from qbank.load import Bank

MANIFEST_VERSION = 1

#: options mentioning these stay last when options are shuffled ("None of the above")
_PINNED_LAST = re.compile(
    r"\b(?:all|none|both|neither) of the (?:above|options|others|preceding|these)\b", re.IGNORECASE
)
#: an option that names other options by letter ("Both A and C") pins the whole question:
#: shuffling would make the letters point at the wrong options
_LETTER_REF = re.compile(
    r"\b(?i:both|either|neither|only)\s+\(?[A-H]\)?(?:\s*,\s*\(?[A-H]\)?)*,?\s+"
    r"(?i:and|or|nor)\s+\(?[A-H]\)?(?!\w)"
)
_MARKUP_CHARS = re.compile(r"[*_`\\]")
_QUESTION_ORDER_RETRIES = 8


class SelectionError(ValueError):
    """A selection that cannot be satisfied (exit code 1): names what and where."""

    def __init__(self, message: str, location: Location | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.message}"

    def describe(self) -> str:
        """The message with its location and, on a second line, the hint."""
        return str(self) + (f"\n  help: {self.hint}" if self.hint else "")


# -- ranks -----------------------------------------------------------------------------------


def rank(*parts: object) -> bytes:
    """The SHA-256 rank of ``parts`` (see the module docstring); parts are str or int."""
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()


def seeded_order(keys: Sequence[object], *parts: object) -> list[int]:
    """Indices of ``keys`` sorted by ``rank(*parts, key)``, ties by index."""
    # same bytes as rank(*parts, key): hash the shared prefix once, then copy the state
    prefix = hashlib.sha256(("\x1f".join(str(p) for p in parts) + "\x1f" * bool(parts)).encode())

    def sort_key(i: int) -> tuple[bytes, int]:
        h = prefix.copy()
        h.update(str(keys[i]).encode("utf-8"))
        return h.digest(), i

    return sorted(range(len(keys)), key=sort_key)


def letter(index: int) -> str:
    """0 → A … 25 → Z, 26 → AA (option letters and form names)."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def form_name(index: int) -> str:
    """0 → "A", 1 → "B", … (26 → "AA")."""
    return letter(index)


# -- filters -------------------------------------------------------------------------------


def topic_matches(topic: str | None, wanted: str) -> bool:
    """``4.3`` matches topic ``4.3`` and its sub-topics (``4.3.1``, ``4.3/iam``), not ``4.30``."""
    if topic is None:
        return False
    return topic == wanted or topic.startswith((wanted + ".", wanted + "/"))


@dataclass(frozen=True)
class Filters:
    """Which questions qualify. Within a field any value matches; fields combine with AND.

    ``ids`` also sets the order of an unshuffled draw: questions come in the order listed.
    """

    topics: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    difficulties: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()

    def matches(self, q: AnyQuestion) -> bool:
        if self.topics and not any(topic_matches(q.topic, t) for t in self.topics):
            return False
        if self.tags and not any(t in q.tags for t in self.tags):
            return False
        if self.types and q.type not in self.types:
            return False
        if self.statuses and (q.status or "") not in self.statuses:
            return False
        if self.difficulties and (q.difficulty or "") not in self.difficulties:
            return False
        return not (self.ids and q.id not in self.ids)

    @property
    def empty(self) -> bool:
        return not (
            self.topics or self.tags or self.types or self.statuses or self.difficulties or self.ids
        )

    @classmethod
    def from_section(cls, s: Section) -> Filters:
        return cls(
            topics=(s.topic,) if s.topic else (),
            tags=tuple(s.tags),
            types=tuple(s.type),
            statuses=tuple(s.status),
            difficulties=tuple(s.difficulty),
            ids=tuple(s.ids),
        )

    def _fields(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        return (
            ("topic", self.topics),
            ("tag", self.tags),
            ("type", self.types),
            ("status", self.statuses),
            ("difficulty", self.difficulties),
            ("ids", self.ids),
        )

    def to_dict(self) -> dict[str, list[str]]:
        """The non-empty fields, for manifests."""
        return {name: list(values) for name, values in self._fields() if values}

    def describe(self) -> str:
        parts = [f"{name} {', '.join(values)}" for name, values in self._fields() if values]
        return "; ".join(parts) or "all questions"


class _Matcher:
    """:meth:`Filters.matches` with sets built once: fast over 100,000 questions."""

    def __init__(self, f: Filters) -> None:
        self.topics = frozenset(f.topics)
        self.prefixes = tuple(p for t in f.topics for p in (t + ".", t + "/"))
        self.tags = frozenset(f.tags)
        self.types = frozenset(f.types)
        self.statuses = frozenset(f.statuses)
        self.difficulties = frozenset(f.difficulties)
        self.ids = frozenset(f.ids)

    def __call__(self, q: AnyQuestion) -> bool:
        if self.topics and not (
            q.topic is not None and (q.topic in self.topics or q.topic.startswith(self.prefixes))
        ):
            return False
        if self.tags and self.tags.isdisjoint(q.tags):
            return False
        if self.types and q.type not in self.types:
            return False
        if self.statuses and (q.status or "") not in self.statuses:
            return False
        if self.difficulties and (q.difficulty or "") not in self.difficulties:
            return False
        return not (self.ids and q.id not in self.ids)


def filter_questions(questions: Iterable[AnyQuestion], filters: Filters) -> list[AnyQuestion]:
    """The questions that match, in the order given."""
    match = _Matcher(filters)
    return [q for q in questions if match(q)]


# -- what to draw --------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """Everything the CLI's selection options say.

    ``quiz`` brings its own sections, so it cannot be combined with filters, ``count`` or
    ``blueprint``; ``seed``, ``forms``, the shuffles, ``vary_questions`` and ``title``
    override the quiz's values. Unset shuffles default to: shuffle questions when drawing a
    subset (``count``/``blueprint``) or several forms; shuffle options with several forms.
    """

    filters: Filters = Filters()
    count: int | None = None
    seed: str | None = None
    quiz: str | None = None
    forms: int | None = None
    shuffle_questions: bool | None = None
    shuffle_options: bool | None = None
    title: str | None = None
    #: draw this many questions split across topics by the manifest's blueprint weights
    blueprint: int | None = None
    #: with several forms, give each form different questions where the pool allows it
    vary_questions: bool | None = None


@dataclass(frozen=True)
class DrawSection:
    """One slice of a draw: a quiz section, a blueprint topic, or the ad-hoc selection."""

    index: int
    #: how messages name it: "section 2", "blueprint topic 4 (20%)", "the selection"
    label: str
    filters: Filters
    #: questions per form; None takes every match
    count: int | None
    #: how many questions match the filters
    available: int
    title: str | None = None
    location: Location | None = None

    def describe(self) -> str:
        """E.g. ``topic 4.3 × 5 (10 match)``."""
        count = f" × {self.count}" if self.count is not None else ""
        return f"{self.filters.describe()}{count} ({self.available} match)"


@dataclass(frozen=True)
class DrawnQuestion:
    """A question as it appears on one form: its number and the order of its parts.

    ``order`` permutes ``options`` (choice types), ``items`` (order) or the right-hand
    column (match): shown part ``j`` is the bank's part ``order[j]``. It is ``()`` for
    other types.
    """

    question: AnyQuestion
    number: int
    order: tuple[int, ...] = ()
    section: int = 0

    @property
    def id(self) -> str:
        return self.question.id

    @property
    def options(self) -> list[Option]:
        """Options in the order shown on this form (choice types only)."""
        opts: list[Option] | None = getattr(self.question, "options", None)
        if opts is None:
            return []
        return [opts[i] for i in self.order] if self.order else list(opts)

    @property
    def correct_letters(self) -> list[str]:
        return [letter(i) for i, o in enumerate(self.options) if o.correct]

    @property
    def items(self) -> list[str]:
        """Order questions: items as shown (shuffled); the key is ``question.items``."""
        q = self.question
        if isinstance(q, Order):
            return [q.items[i] for i in self.order] if self.order else list(q.items)
        return []

    @property
    def right_column(self) -> list[str]:
        """Match questions: the right-hand column as shown (shuffled)."""
        q = self.question
        if isinstance(q, Match):
            rights = [p[1] for p in q.pairs]
            return [rights[i] for i in self.order] if self.order else rights
        return []

    @property
    def key_text(self) -> str:
        """The answer in a few plain words, for previews and short keys.

        Choice: ``A, C``; order: the shown letters in the correct sequence (``C, A, B``);
        match: ``1-B, 2-A`` (left item number → shown right letter); cloze: the first
        answer of each blank; essay: ``(essay)``.
        """
        q = self.question
        if q.is_choice:
            return ", ".join(self.correct_letters)
        if isinstance(q, TrueFalse):
            return "true" if q.answer else "false"
        if isinstance(q, Cloze):
            from qbank.markup import find_blanks, to_text

            return "; ".join(
                to_text(b.answers[0]) if b.answers else "" for b in find_blanks(q.text)
            )
        if isinstance(q, Short):
            return q.answers[0]
        if isinstance(q, Numeric):
            tol = f" ± {q.tolerance}" if q.tolerance else ""
            unit = f" {q.unit}" if q.unit else ""
            return f"{q.answer}{tol}{unit}"
        if isinstance(q, Order | Match):
            shown = self.order or tuple(range(len(q.items if isinstance(q, Order) else q.pairs)))
            where = {bank_index: pos for pos, bank_index in enumerate(shown)}
            if isinstance(q, Order):
                return ", ".join(letter(where[k]) for k in range(len(q.items)))
            return ", ".join(f"{k + 1}-{letter(where[k])}" for k in range(len(q.pairs)))
        if isinstance(q, Essay):
            return "(essay)"
        return ""  # pragma: no cover - every type is handled above


@dataclass(frozen=True)
class Form:
    name: str
    index: int
    questions: list[DrawnQuestion]

    @property
    def total_points(self) -> int:
        return sum(d.question.points for d in self.questions)


@dataclass
class Draw:
    """The result of a selection: one or more forms, plus what produced them."""

    bank_id: str
    title: str
    seed: str
    forms: list[Form]
    instructions: str | None = None
    quiz: str | None = None
    shuffle_questions: bool = False
    shuffle_options: bool = False
    #: one description per section, e.g. "topic 4.3 × 5"
    filters: list[str] = field(default_factory=list)
    sections: list[DrawSection] = field(default_factory=list)
    vary_questions: bool = False
    #: blueprint total when drawn with ``--blueprint N``
    blueprint: int | None = None
    time_limit_minutes: int | None = None
    #: things an author should know that are not errors (forms sharing questions, …)
    notes: list[str] = field(default_factory=list)

    @property
    def questions(self) -> list[AnyQuestion]:
        """Distinct questions over all forms, in first-seen order."""
        seen: dict[str, AnyQuestion] = {}
        for form in self.forms:
            for d in form.questions:
                seen.setdefault(d.id, d.question)
        return list(seen.values())

    def manifest(self) -> dict[str, Any]:
        """JSON-able record linking a worksheet, its key and a web quiz to this draw.

        ``order`` lists bank indices in shown order (options, order items or the match
        right column); ``key`` the correct letters of choice questions as shown.
        """
        return {
            "qbank_draw": MANIFEST_VERSION,
            "bank": self.bank_id,
            "title": self.title,
            "quiz": self.quiz,
            "seed": self.seed,
            "shuffle_questions": self.shuffle_questions,
            "shuffle_options": self.shuffle_options,
            "vary_questions": self.vary_questions,
            "blueprint": self.blueprint,
            "selection": self.filters,
            "sections": [
                {
                    "section": s.index,
                    "label": s.label,
                    "title": s.title,
                    "filters": s.filters.to_dict(),
                    "count": s.count,
                    "available": s.available,
                }
                for s in self.sections
            ],
            "notes": self.notes,
            "forms": [
                {
                    "form": f.name,
                    "points": f.total_points,
                    "questions": [
                        {
                            "number": d.number,
                            "id": d.id,
                            "type": d.question.type,
                            "section": d.section,
                            "order": list(d.order),
                            **({"key": d.correct_letters} if d.question.is_choice else {}),
                        }
                        for d in f.questions
                    ],
                }
                for f in self.forms
            ],
        }


def manifest_json(d: Draw) -> str:
    """The manifest as canonical JSON: sorted keys, two-space indent, UTF-8, final newline."""
    return json.dumps(d.manifest(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_manifest(d: Draw, path: str | Path) -> Path:
    """Write :func:`manifest_json` atomically; returns the path."""
    from qbank.fsutil import atomic_write_text

    target = Path(path)
    atomic_write_text(target, manifest_json(d))
    return target


# -- planning: which sections ----------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    label: str
    filters: Filters
    count: int | None
    location: Location | None = None
    title: str | None = None
    #: where a "not enough questions" error points (the section's `count:`)
    count_location: Location | None = None
    #: where an "unknown topic/tag/id" error points, per filter field
    field_locations: tuple[tuple[str, Location], ...] = ()

    def where(self, name: str) -> Location | None:
        return dict(self.field_locations).get(name, self.location)


def _plan(bank: Bank, sel: Selection) -> tuple[Quiz | None, list[_Spec]]:
    if sel.quiz is not None:
        clashes = [
            flag
            for flag, given in (
                ("--topic", sel.filters.topics),
                ("--tag", sel.filters.tags),
                ("--type", sel.filters.types),
                ("--status", sel.filters.statuses),
                ("--difficulty", sel.filters.difficulties),
                ("--ids", sel.filters.ids),
                ("--count", sel.count is not None),
                ("--blueprint", sel.blueprint is not None),
            )
            if given
        ]
        if clashes:
            raise SelectionError(
                f"--quiz cannot be combined with {', '.join(clashes)}: "
                "the quiz's sections say what to draw",
                hint="put the filters and counts in the quiz's sections, or drop --quiz",
            )
        quiz = find_quiz(bank, sel.quiz)
        return quiz, [_quiz_spec(quiz, i, s) for i, s in enumerate(quiz.sections)]
    if sel.blueprint is not None:
        if sel.count is not None:
            raise SelectionError(
                "--blueprint and --count cannot be combined: --blueprint N draws N questions",
            )
        if sel.filters.topics:
            raise SelectionError(
                "--blueprint cannot be combined with --topic: it splits by the blueprint's topics",
                hint="narrow a blueprint draw with --tag, --type, --status or --difficulty",
            )
        return None, blueprint_specs(bank, sel.blueprint, sel.filters)
    return None, [_Spec("the selection", sel.filters, sel.count)]


def _quiz_spec(quiz: Quiz, i: int, s: Section) -> _Spec:
    fields: list[tuple[str, Location]] = []
    if s.topic is not None:
        fields.append(("topic", quiz.loc("sections", i, "topic")))
    for name in ("tags", "ids", "type", "status", "difficulty"):
        if getattr(s, name):
            fields.append((name, quiz.loc("sections", i, name)))
    return _Spec(
        label=f"section {i + 1}" + (f" “{s.title}”" if s.title else ""),
        filters=Filters.from_section(s),
        count=s.count,
        location=quiz.loc("sections", i),
        title=s.title,
        count_location=quiz.loc("sections", i, "count") if s.count is not None else None,
        field_locations=tuple(fields),
    )


def blueprint_counts(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Split ``total`` by ``weights`` with largest-remainder rounding.

    Every count is within one of its exact share and they add up to ``total``. Exact
    fractions (not floats) decide the remainders; ties go to the topic listed first.
    """
    if total < 0:
        raise ValueError("total must be >= 0")
    exact_weights = {t: Fraction(str(w)) for t, w in weights.items()}
    if any(w < 0 for w in exact_weights.values()):
        raise SelectionError("blueprint weights must not be negative")
    wsum = sum(exact_weights.values(), Fraction(0))
    if wsum == 0:
        raise SelectionError(
            "the blueprint's weights add up to 0%",
            hint="give topics weights such as `20%` under `blueprint:` in qbank.yaml",
        )
    topics = list(exact_weights)
    shares = [total * exact_weights[t] / wsum for t in topics]
    counts = [int(s) for s in shares]  # floor: shares are >= 0
    left = total - sum(counts)
    by_remainder = sorted(range(len(topics)), key=lambda i: (-(shares[i] - counts[i]), i))
    for i in by_remainder[:left]:
        counts[i] += 1
    return dict(zip(topics, counts, strict=True))


def blueprint_specs(bank: Bank, total: int, base: Filters) -> list[_Spec]:
    """One section per blueprint topic with its share of ``total`` (sub-topics included)."""
    weights = bank.manifest.blueprint if bank.manifest else {}
    if not weights:
        raise SelectionError(
            "the manifest has no `blueprint:` weights to draw by",
            hint='add e.g. `blueprint: {"1": 20%, "2": 80%}` to qbank.yaml',
        )
    manifest_src = bank.files.get("qbank.yaml")
    specs: list[_Spec] = []
    for topic, n in blueprint_counts(total, weights).items():
        if not n:
            continue
        loc = manifest_src.location(("blueprint", topic)) if manifest_src else None
        filters = Filters(
            topics=(topic,),
            tags=base.tags,
            types=base.types,
            statuses=base.statuses,
            difficulties=base.difficulties,
            ids=base.ids,
        )
        specs.append(
            _Spec(
                f"blueprint topic {topic} ({weights[topic]:g}%)",
                filters,
                n,
                location=loc,
                count_location=loc,
            )
        )
    return specs


def blueprint_sections(bank: Bank, total: int, base: Filters) -> list[tuple[Filters, int]]:
    """(filters, count) per blueprint topic: the split a ``--blueprint`` draw uses."""
    return [(s.filters, s.count or 0) for s in blueprint_specs(bank, total, base)]


# -- quizzes ---------------------------------------------------------------------------------


def find_quiz(bank: Bank, name: str) -> Quiz:
    """A quiz by path in the bank (``quizzes/x.yaml``), file name or stem, or a file on disk."""
    if name in bank.quizzes:
        return bank.quizzes[name]
    wanted = name.replace("\\", "/").removeprefix("./")
    path = Path(name)
    if path.is_file():
        try:
            rel = path.resolve().relative_to(bank.root.resolve()).as_posix()
        except ValueError:
            return _load_quiz_file(path)
        if rel in bank.quizzes:
            return bank.quizzes[rel]
        wanted = rel
    candidates = [*bank.quizzes, *(r for r in bank.files if r.startswith("quizzes/"))]
    for rel in sorted(dict.fromkeys(candidates)):
        base = rel.rsplit("/", 1)[-1]
        if wanted in (rel, base, base.rsplit(".", 1)[0]) or rel.endswith("/" + wanted):
            if rel in bank.quizzes:
                return bank.quizzes[rel]
            errors = [p for p in bank.problems if p.location.file == rel]
            first = errors[0] if errors else None
            raise SelectionError(
                f"quiz {rel} has {len(errors)} error(s)"
                + (f"; the first: {first.message}" if first else ""),
                first.location if first else Location(rel),
                hint="run `qbank validate` to see them all",
            )
    stems = sorted(r.rsplit("/", 1)[-1].rsplit(".", 1)[0] for r in bank.quizzes)
    known = ", ".join(sorted(bank.quizzes)) or "none"
    raise SelectionError(
        f"no quiz `{name}` in the bank (quizzes: {known})",
        hint=_did_you_mean(wanted, stems) or "quiz files live in the bank's quizzes/ folder",
    )


def _load_quiz_file(path: Path) -> Quiz:
    """A quiz file outside the bank, loaded with the bank's own loader and checks."""
    from qbank.load import load_quiz, read_source, to_data

    src, problems = read_source(path, path.as_posix())
    data = None
    if src.node is not None:
        data, walk_problems, _ = to_data(src)
        problems.extend(walk_problems)
    quiz = None
    if data is not None and not problems:
        quiz, quiz_problems = load_quiz(src, data)
        problems.extend(quiz_problems)
    if quiz is None or problems:
        first = problems[0] if problems else None
        raise SelectionError(
            f"quiz {path} cannot be used: "
            + (f"[{first.rule}] {first.message}" if first else "it is empty"),
            first.location if first else None,
            hint=first.hint if first else None,
        )
    return quiz


# -- reference checks -------------------------------------------------------------------------


def _did_you_mean(word: str, choices: Sequence[str]) -> str | None:
    from rapidfuzz import fuzz, process

    found = process.extractOne(word, sorted(choices), scorer=fuzz.ratio, score_cutoff=60)
    return f"did you mean `{found[0]}`?" if found else None


def _check_references(bank: Bank, questions: Sequence[AnyQuestion], specs: list[_Spec]) -> None:
    """Unknown topics, tags, ids and values are errors with a did-you-mean hint."""
    manifest_topics = list(bank.manifest.topics) if bank.manifest else []
    q_topics = sorted({q.topic for q in questions if q.topic is not None})
    tags = sorted({t for q in questions for t in q.tags})
    tag_set = frozenset(tags)
    ids = frozenset(q.id for q in questions)
    invalid = frozenset(bank.invalid_ids)
    allowed = {
        "type": list(QUESTION_TYPES),
        "status": list(get_args(Status)),
        "difficulty": list(get_args(Difficulty)),
    }
    for spec in specs:
        f = spec.filters
        prefix = "" if spec.label == "the selection" else f"{spec.label}: "
        for t in f.topics:
            known = t in manifest_topics or any(topic_matches(qt, t) for qt in q_topics)
            if not known and not spec.label.startswith("blueprint"):
                raise SelectionError(
                    f"{prefix}unknown topic `{t}`: no question has it or a sub-topic of it",
                    spec.where("topic"),
                    hint=_did_you_mean(t, sorted({*manifest_topics, *q_topics}))
                    or "`qbank stats` lists the topics",
                )
        for t in f.tags:
            if t not in tag_set:
                raise SelectionError(
                    f"{prefix}unknown tag `{t}`: no question has it",
                    spec.where("tags"),
                    hint=_did_you_mean(t, tags) or f"tags in the bank: {', '.join(tags[:20])}",
                )
        for name, values in (
            ("type", f.types),
            ("status", f.statuses),
            ("difficulty", f.difficulties),
        ):
            for v in values:
                if v not in allowed[name]:
                    raise SelectionError(
                        f"{prefix}unknown {name} `{v}` (one of: {', '.join(allowed[name])})",
                        spec.where(name),
                        hint=_did_you_mean(v, allowed[name]),
                    )
        broken = [i for i in f.ids if i in invalid and i not in ids]
        if broken:
            raise SelectionError(
                f"{prefix}question(s) {', '.join(f'`{i}`' for i in broken)} have errors "
                "and cannot be drawn",
                spec.where("ids"),
                hint="run `qbank validate` and fix them",
            )
        unknown = [i for i in f.ids if i not in ids]
        if unknown:
            shown = ", ".join(f"`{i}`" for i in unknown[:5]) + (" …" if len(unknown) > 5 else "")
            raise SelectionError(
                f"{prefix}unknown question id(s) {shown}",
                spec.where("ids"),
                hint=_did_you_mean(unknown[0], sorted(ids)),
            )


# -- drawing ---------------------------------------------------------------------------------


def _option_text(o: Option) -> str:
    return _MARKUP_CHARS.sub("", o.text)


def _never_identity(order: list[int]) -> tuple[int, ...]:
    """Items shown in their correct order would give the answer away: rotate by one."""
    if len(order) > 1 and order == sorted(order):
        order = order[1:] + order[:1]
    return tuple(order)


def part_order(q: AnyQuestion, seed: str, form: int, shuffle_options: bool) -> tuple[int, ...]:
    """How the parts of ``q`` are shown on ``form`` (see :attr:`DrawnQuestion.order`).

    Options keep their order when ``shuffle_options`` is off, when the question says
    ``shuffle: false``, or when an option names others by letter ("Both A and C"). An option
    such as "None of the above" stays last. Order items and the match column are always
    shuffled (never into the correct order), since showing them in order is the answer.
    """
    options: list[Option] | None = getattr(q, "options", None)
    if options is not None:
        n = len(options)
        if not shuffle_options or not q.shuffle:
            return tuple(range(n))
        texts = [_option_text(o) for o in options]
        if any(_LETTER_REF.search(t) for t in texts):
            return tuple(range(n))
        pinned = [i for i, t in enumerate(texts) if _PINNED_LAST.search(t)]
        free = [i for i in range(n) if i not in pinned]
        shuffled = [free[j] for j in seeded_order(free, seed, form, q.id, "options")]
        return tuple(shuffled + pinned)
    if isinstance(q, Order):
        return _never_identity(seeded_order(range(len(q.items)), seed, form, q.id, "items"))
    if isinstance(q, Match):
        return _never_identity(seeded_order(range(len(q.pairs)), seed, form, q.id, "match"))
    return ()


def _unique(questions: Iterable[AnyQuestion]) -> list[AnyQuestion]:
    """First definition of each id (a duplicated id is QB601; never draw it twice)."""
    seen: dict[str, AnyQuestion] = {}
    for q in questions:
        seen.setdefault(q.id, q)
    return list(seen.values())


def _pool(questions: Sequence[AnyQuestion], filters: Filters) -> list[AnyQuestion]:
    matched = filter_questions(questions, filters)
    if filters.ids:
        position: dict[str, int] = {}
        for i, qid in enumerate(filters.ids):
            position.setdefault(qid, i)
        matched.sort(key=lambda q: position[q.id])
    return matched


def _section_error(spec: _Spec, pool_size: int) -> SelectionError:
    desc = spec.filters.describe()
    if spec.label.startswith("blueprint"):
        topic = spec.filters.topics[0]
        what = f"no question has topic {topic} or a sub-topic" if not pool_size else None
        return SelectionError(
            f"{spec.label} needs {spec.count} question(s) but "
            + (what or f"only {pool_size} match ({desc})"),
            spec.count_location,
            hint="add questions to the topic, lower its weight under `blueprint:` "
            "in qbank.yaml, or draw fewer questions",
        )
    where = "the selection" if spec.label == "the selection" else spec.label
    if spec.count is not None and pool_size:
        return SelectionError(
            f"{where} ({desc}) asks for {spec.count} questions but only {pool_size} match",
            spec.count_location or spec.location,
            hint="lower the count, widen the filters, or add questions",
        )
    return SelectionError(
        f"{where} ({desc}): no question matches",
        spec.location,
        hint="widen the filters; `qbank draw` with fewer options shows what matches",
    )


def _form_sequence(
    picked: dict[int, list[AnyQuestion]],
    n_sections: int,
    seed: str,
    form: int,
    shuffle: bool,
    mix_sections: bool,
    previous: set[tuple[str, ...]],
) -> list[tuple[int, AnyQuestion]]:
    """(section, question) in the order shown on ``form``.

    Sections stay in their order (a quiz's "Part 1", "Part 2") and are shuffled inside;
    blueprint topics are mixed, like a real exam. A later form whose order repeats an
    earlier form's tries again with a retry number in the rank, up to a few times.
    """
    groups = [list(range(n_sections))] if mix_sections else [[i] for i in range(n_sections)]
    sequence: list[tuple[int, AnyQuestion]] = []
    for retry in range(_QUESTION_ORDER_RETRIES if shuffle else 1):
        parts: tuple[object, ...] = (seed, form, "questions") + ((retry,) if retry else ())
        sequence = []
        for group in groups:
            block = [(i, q) for i in group for q in picked[i]]
            if shuffle:
                block = [block[j] for j in seeded_order([q.id for _, q in block], *parts)]
            sequence.extend(block)
        if tuple(q.id for _, q in sequence) not in previous:
            break
    return sequence


def draw(bank: Bank, sel: Selection | None = None) -> Draw:
    """Draw the questions of a selection, one list per form. Raises :class:`SelectionError`.

    Sections without a count take every match and are filled first; counted sections then
    pick from what is left, the one with the fewest matches first, so nested sections
    (topic 4.3 and topic 4) both get their counts. A question appears at most once per form.
    With ``vary_questions`` each form prefers the questions earlier forms used least; when
    the pool is too small for entirely different forms they share some, and ``notes`` says so.
    """
    sel = sel or Selection()
    quiz, specs = _plan(bank, sel)
    questions = _unique(bank.questions)
    _check_references(bank, questions, specs)

    seed = str(sel.seed if sel.seed is not None else (quiz.seed if quiz else "0"))
    n_forms = sel.forms or (quiz.forms if quiz else 1)
    if n_forms < 1:
        raise SelectionError("forms must be at least 1")
    shuffle_q = sel.shuffle_questions
    if shuffle_q is None:
        shuffle_q = (
            quiz.shuffle_questions
            if quiz
            else bool(sel.count is not None or sel.blueprint is not None or n_forms > 1)
        )
    shuffle_o = sel.shuffle_options
    if shuffle_o is None:
        shuffle_o = quiz.shuffle_options if quiz else n_forms > 1
    vary = (
        sel.vary_questions if sel.vary_questions is not None else bool(quiz and quiz.vary_questions)
    )
    mix_sections = sel.blueprint is not None and quiz is None

    pools = [_pool(questions, s.filters) for s in specs]
    for spec, pool in zip(specs, pools, strict=True):
        if not pool or (spec.count is not None and spec.count > len(pool)):
            raise _section_error(spec, len(pool))
    ranked = [
        [pool[j] for j in seeded_order([q.id for q in pool], seed, "pick", i)]
        if specs[i].count is not None
        else pool
        for i, pool in enumerate(pools)
    ]
    uncounted = [i for i, s in enumerate(specs) if s.count is None]
    counted = sorted(
        (i for i, s in enumerate(specs) if s.count is not None), key=lambda i: (len(pools[i]), i)
    )

    uses: dict[str, int] = {}
    reused_sections: dict[int, int] = {}
    previous_orders: set[tuple[str, ...]] = set()
    forms: list[Form] = []
    for f in range(n_forms):
        taken: set[str] = set()
        picked: dict[int, list[AnyQuestion]] = {}
        for i in uncounted + counted:
            spec, pool = specs[i], pools[i]
            if spec.count is None:
                chosen = [q for q in pool if q.id not in taken]
                if not chosen:
                    raise SelectionError(
                        f"{spec.label} ({spec.filters.describe()}): all of its {len(pool)} "
                        "questions are already in earlier sections",
                        spec.location,
                        hint="make the sections' filters disjoint, or remove this section",
                    )
            else:
                if vary:
                    candidates = [q for q in ranked[i] if q.id not in taken]
                    # stable sort: the least-used first, rank order among equals
                    candidates.sort(key=lambda q: uses.get(q.id, 0))
                else:  # the first `count` untaken in rank order: no need to scan the rest
                    candidates = list(
                        itertools.islice((q for q in ranked[i] if q.id not in taken), spec.count)
                    )
                if len(candidates) < spec.count:
                    left = sum(q.id not in taken for q in pool)
                    on_form = f" on form {form_name(f)}" if n_forms > 1 else ""
                    raise SelectionError(
                        f"{spec.label} ({spec.filters.describe()}) asks for {spec.count} "
                        f"questions but only {left} remain{on_form}: "
                        f"{len(pool) - left} of its {len(pool)} matches are "
                        "already in other sections",
                        spec.count_location or spec.location,
                        hint="lower the count, make the sections' filters disjoint, "
                        "or add questions",
                    )
                chosen = candidates[: spec.count]
                if f and vary and any(uses.get(q.id, 0) for q in chosen):
                    reused_sections[i] = reused_sections.get(i, 0) + 1
                if not shuffle_q:
                    chosen_ids = frozenset(q.id for q in chosen)
                    chosen = [q for q in pool if q.id in chosen_ids]
            taken.update(q.id for q in chosen)
            picked[i] = chosen
        for qs in picked.values():
            for q in qs:
                uses[q.id] = uses.get(q.id, 0) + 1

        sequence = _form_sequence(
            picked, len(specs), seed, f, shuffle_q, mix_sections, previous_orders
        )
        previous_orders.add(tuple(q.id for _, q in sequence))
        drawn = [
            DrawnQuestion(q, n + 1, part_order(q, seed, f, shuffle_o), section=s)
            for n, (s, q) in enumerate(sequence)
        ]
        forms.append(Form(form_name(f), f, drawn))

    sections = [
        DrawSection(
            index=i,
            label=s.label,
            filters=s.filters,
            count=s.count,
            available=len(pools[i]),
            title=s.title,
            location=s.location,
        )
        for i, s in enumerate(specs)
    ]
    notes = [
        f"{sections[i].label}: {sections[i].available} questions match "
        f"({sections[i].filters.describe()}), too few for {n_forms} forms of "
        f"{sections[i].count} with none in common; {reused} form(s) repeat questions "
        "used on earlier forms"
        for i, reused in sorted(reused_sections.items())
    ]
    return Draw(
        bank_id=bank.id,
        title=sel.title or (quiz.title if quiz else bank.title),
        seed=seed,
        forms=forms,
        instructions=quiz.instructions if quiz else None,
        quiz=quiz.file if quiz else None,
        shuffle_questions=shuffle_q,
        shuffle_options=shuffle_o,
        filters=[
            s.filters.describe() + (f" × {s.count}" if s.count is not None else "") for s in specs
        ],
        sections=sections,
        vary_questions=vary,
        blueprint=sel.blueprint if quiz is None else None,
        time_limit_minutes=quiz.time_limit_minutes if quiz else None,
        notes=notes,
    )
