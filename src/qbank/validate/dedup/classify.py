"""Which rule a verified pair breaks: QB301 (near-duplicate), QB302 (the same stem with a
contradictory key) or QB303 (similar stem, but a guard says it may be intended).

Guards downgrade, never hide: a different number or negation/qualifier word, or clearly
different options, make a pair a QB303 warning. The per-question data they need
(:class:`Item`) is computed lazily, because only questions that are in some pair need it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from qbank.validate.dedup.finding import Finding, describe
from qbank.validate.dedup.text import (
    Words,
    changes_between,
    normalise,
    numbers,
    plain_text,
    qualifiers,
    split_words,
)

if TYPE_CHECKING:
    from qbank.diagnostics import Location
    from qbank.model import AnyQuestion

#: options whose token-set similarity is below this are "clearly different" (QB303)
OPTIONS_ALIKE = 80


@dataclass(frozen=True)
class AnswerOptions:
    """A question's answer options, normalised, with the key when the type has one.

    ``correct`` is None for options without a key (order items, match pairs)."""

    texts: tuple[str, ...]
    correct: tuple[bool, ...] | None


def answer_options(question: AnyQuestion) -> AnswerOptions | None:
    """Options compared by the "options differ" guard and the conflicting-key rule."""
    t = question.type
    if t in ("single", "multi"):
        opts = question.options  # type: ignore[union-attr]
        return AnswerOptions(
            tuple(normalise(plain_text(o.text)) for o in opts), tuple(o.correct for o in opts)
        )
    if t == "truefalse":
        answer = bool(question.answer)  # type: ignore[union-attr]
        return AnswerOptions(("true", "false"), (answer, not answer))
    if t == "order":
        items = question.items  # type: ignore[union-attr]
        return AnswerOptions(tuple(normalise(plain_text(i)) for i in items), None)
    if t == "match":
        pairs = question.pairs  # type: ignore[union-attr]
        return AnswerOptions(tuple(normalise(plain_text(f"{a} {b}")) for a, b in pairs), None)
    return None


@dataclass(slots=True)
class Item:
    """Per-question data, computed once (options and guards only for questions in a pair)."""

    question: AnyQuestion
    plain: str
    key: str
    _numbers: tuple[str, ...] | None = None
    _qualifiers: tuple[tuple[str, ...], tuple[str, ...]] | None = None
    _options: AnswerOptions | None = None
    _options_done: bool = False
    _location: Location | None = None
    _words: Words | None = None

    @property
    def words(self) -> Words:
        if self._words is None:
            self._words = split_words(self.plain)
        return self._words

    @property
    def numbers(self) -> tuple[str, ...]:
        if self._numbers is None:
            self._numbers = numbers(self.plain)
        return self._numbers

    @property
    def qualifiers(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if self._qualifiers is None:
            self._qualifiers = qualifiers(self.plain, normalise(self.plain))
        return self._qualifiers

    @property
    def options(self) -> AnswerOptions | None:
        if not self._options_done:
            self._options = answer_options(self.question)
            self._options_done = True
        return self._options

    @property
    def location(self) -> Location:
        if self._location is None:
            self._location = self.question.loc("text")
        return self._location


def classify(a: Item, b: Item, score: float) -> Finding:
    """The finding for a verified pair, reported on ``b`` (the newer question)."""
    changes = tuple(changes_between(a.words, b.words))
    rule, reason, detail = "QB301", "", ""
    similarity: float | None = None
    if a.numbers != b.numbers:
        rule, reason, detail = "QB303", "number", f"a number differs: {describe(changes)}"
    elif a.qualifiers != b.qualifiers:
        rule, reason = "QB303", "qualifier"
        detail = f"a negation or qualifier differs: {describe(changes)}"
    else:
        conflict = _conflict(a, b)
        if conflict is not None:
            rule, detail = "QB302", conflict
            reason = "answer" if a.question.type == "numeric" else "key"
        elif _comparable(a.options) and _comparable(b.options):
            similarity = options_similarity(a.options, b.options)  # type: ignore[arg-type]
            if similarity < OPTIONS_ALIKE:
                rule, reason = "QB303", "options"
                detail = f"the options differ (option similarity {similarity:.0f})"
    return Finding(
        rule,
        b.question,
        a.question,
        score,
        changes,
        reason,
        detail,
        similarity,
        b.location,
        a.location,
    )


def options_similarity(a: AnswerOptions, b: AnswerOptions) -> float:
    """Token-set similarity of the sorted option texts (order and repeats do not matter)."""
    return fuzz.token_set_ratio(" | ".join(sorted(a.texts)), " | ".join(sorted(b.texts)))


def _conflict(a: Item, b: Item) -> str | None:
    """Why ``b``'s key contradicts ``a``'s, or None (the tight rule of notes/dedup.md §9)."""
    qa, qb = a.question, b.question
    if qa.type == "numeric" and qb.type == "numeric":
        ra, rb = qa.tolerance_bounds(), qb.tolerance_bounds()
        unit_a = (qa.unit or "").strip().lower()
        unit_b = (qb.unit or "").strip().lower()
        if ra and rb and unit_a == unit_b and (ra[1] < rb[0] or rb[1] < ra[0]):
            return f"the answer here is {qb.answer}, there {qa.answer}"
        return None
    oa, ob = a.options, b.options
    if oa is None or ob is None or oa.correct is None or ob.correct is None:
        return None
    # an option listed twice, once marked and once not, is QB2's business, not a conflict
    wrong_a = _unmarked(oa)
    wrong_b = _unmarked(ob)
    for text, correct, raw in _keyed(b):
        if correct and text in wrong_a:
            return f"the correct option here, {_quote(raw)}, is a wrong option there"
    for text, correct, raw in _keyed(a):
        if correct and text in wrong_b:
            return f"its correct option {_quote(raw)} is a wrong option here"
    return None


def _unmarked(options: AnswerOptions) -> set[str]:
    """Texts offered only as wrong options (an option without words, such as an image without
    alt text, cannot be compared and never counts)."""
    keys = options.correct or ()
    right = {t for t, c in zip(options.texts, keys, strict=True) if c}
    return {t for t, c in zip(options.texts, keys, strict=True) if t and not c} - right


def _keyed(item: Item) -> Iterator[tuple[str, bool, str]]:
    """(normalised text, correct, display text) of an item's options."""
    opts = item.options
    if opts is None or opts.correct is None:
        return
    q = item.question
    if q.type == "truefalse":
        raw: Sequence[str] = ("true", "false")
    else:
        raw = [plain_text(o.text) for o in q.options]  # type: ignore[union-attr]
    yield from zip(opts.texts, opts.correct, raw, strict=True)


def _comparable(options: AnswerOptions | None) -> bool:
    """Options with some words in them (image-only options cannot be compared by text)."""
    return options is not None and any(options.texts)


def _quote(text: str, limit: int = 60) -> str:
    return "“" + (text if len(text) <= limit else text[: limit - 1] + "…") + "”"
