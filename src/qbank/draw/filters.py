"""Which questions qualify for a draw: topic, tag, type, status, difficulty and id filters.

Kept apart from the draw itself because the CLI builds :class:`Filters` from its options,
quiz sections and blueprint topics build them too, and manifests record them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from qbank.model import AnyQuestion, Section, topic_matches


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
