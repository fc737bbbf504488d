"""What to draw and what was drawn: the data every exporter reads.

:class:`Selection` is what the CLI asks for; :class:`Draw` → :class:`Form` →
:class:`DrawnQuestion` is the result, with options, order items and the match column in the
order shown on each form, so exporters never re-derive an order themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qbank.diagnostics import Location
from qbank.draw.filters import Filters
from qbank.draw.seeding import letter
from qbank.model import (
    AnyQuestion,
    Cloze,
    Essay,
    Match,
    Numeric,
    Option,
    Order,
    Short,
    TrueFalse,
)

#: the default filters (one shared frozen instance, as a dataclass default is)
_ALL_QUESTIONS = Filters()


class SelectionError(ValueError):
    """A selection that cannot be satisfied: names what and where.

    ``usage`` is true when the command line (or a library caller's :class:`Selection`)
    asked for what cannot be met — an unknown quiz, topic or id, more questions than match,
    clashing options: the CLI exits 2. It is false when a file in the bank cannot be met (a
    quiz's section, the manifest's blueprint weights, questions with errors): exit 1.
    """

    def __init__(
        self,
        message: str,
        location: Location | None = None,
        hint: str | None = None,
        *,
        rule: str | None = None,
        key: str = "",
        usage: bool = False,
    ):
        super().__init__(message)
        self.usage = usage
        self.message = message
        self.location = location
        self.hint = hint
        #: the validate rule reporting the same problem (QB603 unknown topic or tag, QB604
        #: unknown id, QB606 too few questions); None when another finding is the cause
        self.rule = rule
        #: what the finding is about (stable across runs: a fingerprint part)
        self.key = key

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.message}"

    def describe(self) -> str:
        """The message with its location and, on a second line, the hint."""
        return str(self) + (f"\n  help: {self.hint}" if self.hint else "")


@dataclass(frozen=True)
class Selection:
    """Everything the CLI's selection options say.

    ``quiz`` brings its own sections, so it cannot be combined with filters, ``count`` or
    ``blueprint``; ``seed``, ``forms``, the shuffles, ``vary_questions`` and ``title``
    override the quiz's values. Unset shuffles default to: shuffle questions when drawing a
    subset (``count``/``blueprint``) or several forms; shuffle options always (one form or
    several) unless ``shuffle_questions`` is ``False`` (``--no-shuffle``: nothing moves) —
    a question with ``shuffle: false`` keeps its order either way. ``status: draft``
    questions are left out unless ``include_drafts`` (or a filter asks for drafts).
    """

    filters: Filters = _ALL_QUESTIONS
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
    #: draw ``status: draft`` questions too (left out by default, with a note)
    include_drafts: bool = False


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
                to_text(b.answers[0], inline=True) if b.answers else "" for b in find_blanks(q.text)
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
    #: questions an export left out with ``--skip-invalid``: ``{id, file, line, rules}``
    skipped: list[dict[str, object]] = field(default_factory=list)

    @property
    def questions(self) -> list[AnyQuestion]:
        """Distinct questions over all forms, in first-seen order."""
        seen: dict[str, AnyQuestion] = {}
        for form in self.forms:
            for d in form.questions:
                seen.setdefault(d.id, d.question)
        return list(seen.values())
