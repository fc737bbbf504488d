"""One reported duplicate pair (:class:`Finding`) and how it reads: message, hint and score
formats.

Kept apart from the classification so that the wording people see lives in one place. The
rule family :mod:`qbank.validate.rules.duplicates` turns a finding into a
:class:`~qbank.diagnostics.Problem` (with the machine-readable ``data`` of the JSON/SARIF
reports); the engine itself knows nothing of rules.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qbank.diagnostics import Location
    from qbank.model import AnyQuestion


@dataclass(frozen=True)
class Finding:
    """One duplicate pair, reported on ``question`` (the newer one) about ``other``.

    ``reason`` says why a QB303 is only a warning (``number``, ``qualifier``, ``options``)
    or what QB302 found (``key``, ``answer``); it is ``""`` for QB301.
    """

    rule: str
    question: AnyQuestion
    other: AnyQuestion
    score: float
    differences: tuple[str, ...]
    reason: str = ""
    detail: str = ""
    option_similarity: float | None = None
    location: Location | None = field(default=None, compare=False)
    other_location: Location | None = field(default=None, compare=False)
    #: lines added to the hint (the per-question cap: how many similar pairs were not listed)
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def fingerprint(self) -> str:
        here, there = self.question.id, self.other.id
        pair = f"{here}\n{there}" if here <= there else f"{there}\n{here}"  # the ids sorted
        return f"{self.rule}:{hashlib.sha1(pair.encode('utf-8')).hexdigest()}"

    @property
    def message(self) -> str:
        where = self.other_location or self.other.loc("text")
        who = f"`{self.other.id}` ({where.file}:{where.line})"
        score = f"similarity {_shown(self.score)}"
        rule = self.rule
        if rule == "QB301":
            return f"near-duplicate of {who}, {score}: {describe(self.differences)}"
        if rule == "QB302":
            tail = f"; {describe(self.differences)}" if self.differences else ""
            return f"conflicting answer with {who}, {score}: {self.detail}{tail}"
        return f"similar stem to {who}, {score}, but {self.detail}"

    @property
    def exact_score(self) -> float:
        """:func:`exact_score` of the score (the reports' ``score``)."""
        return exact_score(self.score)

    @property
    def hint(self) -> str:
        return "\n".join((self._hint, *self.notes)) if self.notes else self._hint

    @property
    def _hint(self) -> str:
        allow = f"list [{self.other.id}, {self.question.id}] under `dedup.allow` in qbank.yaml"
        if self.rule == "QB301":
            return f"merge the two or delete one; if both are intended, {allow}"
        if self.rule == "QB302":
            return f"the bank contradicts itself: fix one answer key, or reword one stem; {allow}"
        return f"check that both questions are intended; to silence this, {allow}"


def _shown(score: float) -> str:
    """A score for people: one decimal, and only identical keys ever read 100 (a 99.97
    between two long case studies that differ in one word must not look identical)."""
    return "100" if score >= 100 else f"{min(round(score, 1), 99.9):.1f}"


def exact_score(score: float) -> float:
    """A score for machines: two decimals, and below 100 unless the keys are identical."""
    return 100.0 if score >= 100 else min(round(score, 2), 99.99)


def describe(changes: Sequence[str], shown: int = 6) -> str:
    """The word changes of a pair for a message: the first ``shown``, then a count."""
    if not changes:
        return "same words (differences only in case, punctuation, formatting or order)"
    text = ", ".join(changes[:shown])
    if len(changes) > shown:
        text += f", … ({len(changes) - shown} more)"
    return text
