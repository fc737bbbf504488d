"""Bank health in numbers (``qbank stats``): coverage against the blueprint and the mix.

What an exam lead asks before a release: does the bank cover each domain in proportion to
its weight, are types and difficulties balanced, which questions still lack an explanation,
how many are approved. Computed from the valid questions only (questions with errors are
counted separately) and rendered as text, Markdown (for a pull-request comment) or JSON.
Numbers are rounded to one decimal; every order is fixed (manifest order, then sorted), so
the output is byte-identical for the same bank.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from qbank.model import QUESTION_TYPES, topic_matches

if TYPE_CHECKING:
    from qbank.load import Bank

NOT_SET = "(not set)"
NO_TOPIC = "(no topic)"
DIFFICULTIES = ("easy", "medium", "hard")
STATUSES = ("draft", "review", "approved")


@dataclass
class BlueprintRow:
    """One blueprint topic: questions under it against its weight (percent of the bank)."""

    topic: str
    title: str
    questions: int
    share: float
    target: float
    difference: float


@dataclass
class TopicRow:
    """One topic: questions with exactly this topic, and with it or any sub-topic."""

    topic: str
    title: str
    questions: int
    with_subtopics: int


@dataclass
class CountRow:
    name: str
    questions: int
    share: float


@dataclass
class Stats:
    bank_id: str
    title: str
    questions: int
    invalid: int
    points: int
    blueprint: list[BlueprintRow] = field(default_factory=list)
    #: questions under blueprint topics (the base of ``share``) and outside them
    blueprint_covered: int = 0
    blueprint_outside: int = 0
    #: the weights as written do not add up to 100 (targets are then normalised)
    blueprint_weight_total: float = 0.0
    topics: list[TopicRow] = field(default_factory=list)
    types: list[CountRow] = field(default_factory=list)
    difficulty: list[CountRow] = field(default_factory=list)
    status: list[CountRow] = field(default_factory=list)
    missing_explanations: list[str] = field(default_factory=list)


def _pct(part: float, whole: float) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _counts(values: list[str], order: tuple[str, ...], total: int) -> list[CountRow]:
    counter = Counter(values)
    names = [n for n in order if counter[n]] + sorted(n for n in counter if n not in order)
    return [CountRow(n, counter[n], _pct(counter[n], total)) for n in names]


def _blueprint_topic(topic: str | None, blueprint: list[str]) -> str | None:
    """The most specific blueprint topic a question's topic falls under (``4.3`` before ``4``)."""
    matches = [t for t in blueprint if topic_matches(topic, t)]
    return max(matches, key=len) if matches else None


def compute(bank: Bank) -> Stats:
    questions = bank.questions
    total = len(questions)
    manifest = bank.manifest
    taxonomy = dict(manifest.topics) if manifest else {}
    weights = dict(manifest.blueprint) if manifest else {}
    stats = Stats(
        bank_id=bank.id,
        title=bank.title,
        questions=total,
        invalid=len(set(bank.invalid_ids)),
        points=sum(q.points for q in questions),
    )
    if weights:
        order = list(weights)
        assigned = Counter(_blueprint_topic(q.topic, order) for q in questions)
        covered = total - assigned[None]
        weight_total = sum(weights.values())
        stats.blueprint_covered = covered
        stats.blueprint_outside = assigned[None]
        stats.blueprint_weight_total = round(weight_total, 1)
        for topic in order:
            share = _pct(assigned[topic], covered)
            target = _pct(weights[topic], weight_total)
            stats.blueprint.append(
                BlueprintRow(
                    topic=topic,
                    title=taxonomy.get(topic, ""),
                    questions=assigned[topic],
                    share=share,
                    target=target,
                    difference=round(share - target, 1),
                )
            )
    exact = Counter(q.topic for q in questions)
    used = sorted(t for t in exact if t is not None and t not in taxonomy)
    for topic in [*taxonomy, *used]:
        under = sum(n for t, n in exact.items() if topic_matches(t, topic))
        stats.topics.append(TopicRow(topic, taxonomy.get(topic, ""), exact[topic], under))
    if exact[None]:
        stats.topics.append(TopicRow(NO_TOPIC, "", exact[None], exact[None]))
    stats.types = _counts([q.type for q in questions], QUESTION_TYPES, total)
    stats.difficulty = _counts(
        [q.difficulty or NOT_SET for q in questions], (*DIFFICULTIES, NOT_SET), total
    )
    stats.status = _counts([q.status or NOT_SET for q in questions], (*STATUSES, NOT_SET), total)
    stats.missing_explanations = [q.id for q in questions if not (q.explanation or "").strip()]
    return stats


# -- rendering ---------------------------------------------------------------------------------


def to_json(stats: Stats) -> str:
    data: dict[str, Any] = {"format_version": 1, **asdict(stats)}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _signed(x: float) -> str:
    return f"{x:+.1f}" if x else "0.0"


def _table(headers: list[str], rows: list[list[str]], right: set[int], markdown: bool) -> list[str]:
    if markdown:
        out = ["| " + " | ".join(headers) + " |"]
        out.append(
            "|" + "|".join("---:" if i in right else "---" for i in range(len(headers))) + "|"
        )
        out += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
        return out
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def fmt(cells: list[str]) -> str:
        parts = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return [fmt(headers), fmt(["-" * w for w in widths]), *(fmt(r) for r in rows)]


def _clip(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render(stats: Stats, *, markdown: bool = False) -> str:
    h2 = "## " if markdown else ""
    h3 = "### " if markdown else ""
    lines = [f"{h2}{stats.title} ({stats.bank_id})", ""]
    summary = f"{stats.questions} questions, {stats.points} points"
    if stats.invalid:
        summary += f"; {stats.invalid} more with errors not counted (run `qbank validate`)"
    lines += [summary + ".", ""]
    if stats.blueprint:
        lines.append(f"{h3}Blueprint")
        lines.append("")
        base = (
            f"Share of the {stats.blueprint_covered} questions under blueprint topics against "
            "the blueprint weight (difference in percentage points)"
        )
        if stats.blueprint_outside:
            base += f" ({stats.blueprint_outside} outside them are not counted)"
        if stats.blueprint_weight_total != 100:
            base += f"; weights add up to {stats.blueprint_weight_total:g}, targets normalised"
        lines += [base + ".", ""]
        rows = [
            [
                r.topic,
                r.title if markdown else _clip(r.title),
                str(r.questions),
                f"{r.share:.1f}%",
                f"{r.target:.1f}%",
                _signed(r.difference),
            ]
            for r in stats.blueprint
        ]
        lines += _table(
            ["topic", "title", "questions", "share", "target", "difference"],
            rows,
            {2, 3, 4, 5},
            markdown,
        )
        lines.append("")
    if stats.topics:
        lines += [f"{h3}Topics", ""]
        rows = [
            [
                t.topic,
                t.title if markdown else _clip(t.title),
                str(t.questions),
                str(t.with_subtopics),
            ]
            for t in stats.topics
        ]
        lines += _table(["topic", "title", "questions", "with sub-topics"], rows, {2, 3}, markdown)
        lines.append("")
    for title, column, counts in (
        ("Types", "type", stats.types),
        ("Difficulty", "difficulty", stats.difficulty),
        ("Status", "status", stats.status),
    ):
        if not counts:
            continue
        lines += [f"{h3}{title}", ""]
        rows = [[c.name, str(c.questions), f"{c.share:.1f}%"] for c in counts]
        lines += _table([column, "questions", "share"], rows, {1, 2}, markdown)
        lines.append("")
    missing = stats.missing_explanations
    lines += [f"{h3}Missing explanations", ""]
    if not missing:
        lines.append("Every question has an explanation.")
    else:
        shown = ", ".join(f"`{m}`" if markdown else m for m in missing[:50])
        more = f" … and {len(missing) - 50} more" if len(missing) > 50 else ""
        lines.append(f"{len(missing)} question{'s' if len(missing) != 1 else ''}: {shown}{more}")
    return "\n".join(lines).rstrip("\n") + "\n"
