"""Filters, seeded draws, option shuffling and form manifests — one way for every exporter.

Reproducibility is the contract: the same bank, selection and seed give the same questions in
the same order with the same option order on every machine and Python version. So nothing
here uses ``hash()``, set order or :mod:`random`: every "random" choice is a sort by a SHA-256
key of (seed, form, question id, …). Keying by question id (not by position) also keeps a
draw stable when unrelated questions are added to the bank.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qbank.diagnostics import Location
from qbank.model import AnyQuestion, Match, Option, Order, Quiz, Section

if TYPE_CHECKING:
    from qbank.load import Bank

#: options mentioning these stay in the last position when options are shuffled
_PINNED_LAST = re.compile(r"\b(all|none|both|neither) of the (above|options)\b", re.IGNORECASE)
MANIFEST_VERSION = 1


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


def _key(*parts: object) -> bytes:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()


def seeded_order(items: Sequence[str], *parts: object) -> list[int]:
    """Indices of ``items`` in a seeded order: sorted by SHA-256 of (parts, item)."""
    return sorted(range(len(items)), key=lambda i: (_key(*parts, items[i], i), i))


def form_name(index: int) -> str:
    """0 → "A", 1 → "B", … 25 → "Z"."""
    return chr(ord("A") + index)


# -- filters -------------------------------------------------------------------------------


def topic_matches(topic: str | None, wanted: str) -> bool:
    """``4.3`` matches topic ``4.3`` and its sub-topics (``4.3.1``, ``4.3/iam``)."""
    if topic is None:
        return False
    return topic == wanted or topic.startswith((wanted + ".", wanted + "/"))


@dataclass(frozen=True)
class Filters:
    """Which questions qualify. Within a field any value matches; fields combine with AND."""

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

    def describe(self) -> str:
        parts = []
        for name, values in (
            ("topic", self.topics),
            ("tag", self.tags),
            ("type", self.types),
            ("status", self.statuses),
            ("difficulty", self.difficulties),
            ("ids", self.ids),
        ):
            if values:
                parts.append(f"{name} {', '.join(values)}")
        return "; ".join(parts) or "all questions"


def filter_questions(questions: Iterable[AnyQuestion], filters: Filters) -> list[AnyQuestion]:
    return [q for q in questions if filters.matches(q)]


# -- what to draw --------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """Everything the CLI's selection options say. ``quiz`` wins over the ad-hoc fields."""

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


@dataclass(frozen=True)
class DrawnQuestion:
    """A question as it appears on one form: its number and the order of its parts.

    ``order`` permutes ``options`` (choice types), ``items`` (order) or the right-hand
    column (match); it is ``()`` for other types.
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
        opts = getattr(self.question, "options", None)
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


def letter(index: int) -> str:
    """0 → A … 25 → Z, 26 → AA."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


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
    filters: list[str] = field(default_factory=list)

    @property
    def questions(self) -> list[AnyQuestion]:
        """Distinct questions over all forms, in first-seen order."""
        seen: dict[str, AnyQuestion] = {}
        for form in self.forms:
            for d in form.questions:
                seen.setdefault(d.id, d.question)
        return list(seen.values())

    def manifest(self) -> dict[str, Any]:
        """JSON-able record linking a worksheet, its key and a web quiz to this draw."""
        return {
            "qbank_draw": MANIFEST_VERSION,
            "bank": self.bank_id,
            "title": self.title,
            "quiz": self.quiz,
            "seed": self.seed,
            "shuffle_questions": self.shuffle_questions,
            "shuffle_options": self.shuffle_options,
            "selection": self.filters,
            "forms": [
                {
                    "form": f.name,
                    "questions": [
                        {
                            "number": d.number,
                            "id": d.id,
                            "type": d.question.type,
                            "order": list(d.order),
                            **({"key": d.correct_letters} if d.question.is_choice else {}),
                        }
                        for d in f.questions
                    ],
                }
                for f in self.forms
            ],
        }


# -- drawing -------------------------------------------------------------------------------


def _part_order(q: AnyQuestion, seed: str, form: int, shuffle_options: bool) -> tuple[int, ...]:
    options = getattr(q, "options", None)
    if options is not None:
        n = len(options)
        if not shuffle_options or not q.shuffle:
            return tuple(range(n))
        pinned = [i for i, o in enumerate(options) if _PINNED_LAST.search(o.text)]
        free = [i for i in range(n) if i not in pinned]
        texts = [options[i].text for i in free]
        shuffled = [free[j] for j in seeded_order(texts, seed, form, q.id, "options")]
        return tuple(shuffled + pinned)
    if isinstance(q, Order):
        # items are always shown shuffled: in order they would give the answer away
        order = seeded_order(q.items, seed, form, q.id, "items")
        if len(order) > 1 and order == sorted(order):
            order = order[1:] + order[:1]
        return tuple(order)
    if isinstance(q, Match):
        rights = [p[1] for p in q.pairs]
        order = seeded_order(rights, seed, form, q.id, "match")
        if len(order) > 1 and order == sorted(order):
            order = order[1:] + order[:1]
        return tuple(order)
    return ()


def _pick(pool: list[AnyQuestion], count: int, seed: str, salt: object) -> list[AnyQuestion]:
    ids = [q.id for q in pool]
    return [pool[i] for i in seeded_order(ids, seed, salt, "pick")[:count]]


SectionSpec = tuple[Filters, int | None, Location | None]


def _sections(bank: Bank, sel: Selection) -> tuple[Quiz | None, list[SectionSpec]]:
    if sel.quiz is not None:
        quiz = bank.quizzes.get(sel.quiz)
        if quiz is None:
            quiz = _find_quiz(bank, sel.quiz)
        out: list[SectionSpec] = [
            (Filters.from_section(s), s.count, quiz.loc("sections", i))
            for i, s in enumerate(quiz.sections)
        ]
        return quiz, out
    if sel.blueprint is not None:
        return None, blueprint_sections(bank, sel.blueprint, sel.filters)
    return None, [(sel.filters, sel.count, None)]


def _find_quiz(bank: Bank, name: str) -> Quiz:
    """A quiz by path relative to the bank (``quizzes/x.yaml``), by file name or stem."""
    for rel, quiz in sorted(bank.quizzes.items()):
        stem = rel.rsplit("/", 1)[-1]
        if name in (rel, stem, stem.rsplit(".", 1)[0]) or rel.endswith("/" + name):
            return quiz
    known = ", ".join(sorted(bank.quizzes)) or "none"
    raise SelectionError(f"no quiz `{name}` in the bank (quizzes: {known})")


def blueprint_sections(bank: Bank, total: int, base: Filters) -> list[SectionSpec]:
    """Split ``total`` questions across the manifest's blueprint topics (largest remainder)."""
    weights = bank.manifest.blueprint if bank.manifest else {}
    if not weights:
        raise SelectionError(
            "the manifest has no `blueprint:` weights to draw by",
            hint='add e.g. `blueprint: {"1": 20%, "2": 80%}` to qbank.yaml',
        )
    topics = sorted(weights)
    wsum = sum(weights.values())
    exact = [total * weights[t] / wsum for t in topics]
    counts = [int(x) for x in exact]
    left = total - sum(counts)
    by_remainder = sorted(range(len(topics)), key=lambda i: (-(exact[i] - counts[i]), topics[i]))
    for i in by_remainder[:left]:
        counts[i] += 1
    sections: list[SectionSpec] = []
    for topic, n in zip(topics, counts, strict=True):
        if n:
            filters = Filters(
                topics=(topic,),
                tags=base.tags,
                types=base.types,
                statuses=base.statuses,
                difficulties=base.difficulties,
                ids=base.ids,
            )
            sections.append((filters, n, None))
    return sections


def draw(bank: Bank, sel: Selection | None = None) -> Draw:
    """Draw the questions of a selection, one list per form. Raises :class:`SelectionError`."""
    sel = sel or Selection()
    quiz, sections = _sections(bank, sel)
    seed = sel.seed if sel.seed is not None else (quiz.seed if quiz else "0")
    n_forms = sel.forms or (quiz.forms if quiz else 1)
    shuffle_q = sel.shuffle_questions
    if shuffle_q is None:
        shuffle_q = quiz.shuffle_questions if quiz else bool(sel.count or sel.blueprint)
    shuffle_o = sel.shuffle_options
    if shuffle_o is None:
        shuffle_o = quiz.shuffle_options if quiz else n_forms > 1
    vary = bool(quiz and quiz.vary_questions)
    questions = sorted(bank.questions, key=lambda q: q.id) if shuffle_q else list(bank.questions)
    seen_ids: set[str] = set()
    pools: list[tuple[list[AnyQuestion], int | None, Location | None, Filters]] = []
    for i, (filters, count, loc) in enumerate(sections):
        pool = [q for q in filter_questions(questions, filters) if q.id not in seen_ids]
        name = f"section {i + 1} ({filters.describe()})"
        if count is not None and count > len(pool):
            raise SelectionError(
                f"{name} asks for {count} questions but only {len(pool)} match",
                loc,
                hint="lower `count`, widen the filters, or add questions",
            )
        if not pool:
            raise SelectionError(f"{name}: no question matches", loc)
        pools.append((pool, count, loc, filters))
        if count is None:
            seen_ids.update(q.id for q in pool)
    forms: list[Form] = []
    for f in range(n_forms):
        chosen: list[tuple[int, AnyQuestion]] = []
        taken: set[str] = set()
        for s_index, (pool, count, _loc, _filters) in enumerate(pools):
            available = [q for q in pool if q.id not in taken]
            salt: object = f"{s_index}" if not vary else f"{s_index}|{f}"
            picked = _pick(available, count, seed, salt) if count is not None else available
            if count is not None and not shuffle_q:
                picked_ids = {q.id for q in picked}
                picked = [q for q in available if q.id in picked_ids]
            taken.update(q.id for q in picked)
            chosen.extend((s_index, q) for q in picked)
        if shuffle_q:
            ids = [q.id for _, q in chosen]
            chosen = [chosen[i] for i in seeded_order(ids, seed, f, "questions")]
        drawn = [
            DrawnQuestion(q, n + 1, _part_order(q, seed, f, shuffle_o), section=s)
            for n, (s, q) in enumerate(chosen)
        ]
        forms.append(Form(form_name(f), f, drawn))
    return Draw(
        bank_id=bank.id,
        title=sel.title or (quiz.title if quiz else bank.title),
        seed=str(seed),
        forms=forms,
        instructions=quiz.instructions if quiz else None,
        quiz=quiz.file if quiz else None,
        shuffle_questions=shuffle_q,
        shuffle_options=shuffle_o,
        filters=[p[3].describe() + (f" × {p[1]}" if p[1] else "") for p in pools],
    )
