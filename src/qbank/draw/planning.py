"""Planning a draw: which sections to fill, from a quiz, a blueprint or the ad-hoc selection.

Every draw becomes a list of :class:`SectionSpec` (filters, a count, and where an error
should point) before any question is picked, so the three ways of asking for questions share
one draw algorithm, and a typo in a topic, tag or id is reported before drawing, with a
did-you-mean hint and the quiz or manifest line that holds it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, get_args

from qbank.diagnostics import Location
from qbank.draw.filters import Filters
from qbank.draw.result import Selection, SelectionError
from qbank.model import (
    QUESTION_TYPES,
    AnyQuestion,
    Difficulty,
    Quiz,
    Section,
    Status,
    topic_matches,
)

if TYPE_CHECKING:
    from qbank.load import Bank


@dataclass(frozen=True)
class SectionSpec:
    """One section to fill: its filters and count, and where its errors point."""

    label: str
    filters: Filters
    count: int | None
    location: Location | None = None
    title: str | None = None
    #: where a "not enough questions" error points (the section's `count:`)
    count_location: Location | None = None
    #: where an "unknown topic/tag/id" error points, per filter field
    field_locations: tuple[tuple[str, Location], ...] = ()
    #: the quiz and section index a quiz section came from (to point at one list entry);
    #: None for a section the command line asked for (its errors are usage errors)
    quiz: Quiz | None = field(default=None, compare=False, repr=False)
    index: int = 0

    def where(self, name: str, item: int | None = None) -> Location | None:
        """Where the filter field ``name`` (its ``item``-th entry, for a list) is written."""
        if self.quiz is not None and item is not None:
            field = getattr(self.quiz.sections[self.index], name, None)
            if isinstance(field, list) and item < len(field):
                return self.quiz.loc("sections", self.index, name, item)
        return dict(self.field_locations).get(name, self.location)


def plan_sections(bank: Bank, sel: Selection) -> tuple[Quiz | None, list[SectionSpec]]:
    """The quiz (if any) and the sections a selection asks for; refuses clashing options."""
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
                usage=True,
            )
        quiz = find_quiz(bank, sel.quiz)
        return quiz, quiz_specs(quiz)
    if sel.blueprint is not None:
        if sel.count is not None:
            raise SelectionError(
                "--blueprint and --count cannot be combined: --blueprint N draws N questions",
                usage=True,
            )
        if sel.filters.topics:
            raise SelectionError(
                "--blueprint cannot be combined with --topic: it splits by the blueprint's topics",
                hint="narrow a blueprint draw with --tag, --type, --status or --difficulty",
                usage=True,
            )
        return None, blueprint_specs(bank, sel.blueprint, sel.filters)
    return None, [SectionSpec("the selection", sel.filters, sel.count)]


def _quiz_spec(quiz: Quiz, i: int, s: Section) -> SectionSpec:
    fields: list[tuple[str, Location]] = []
    if s.topic is not None:
        fields.append(("topic", quiz.loc("sections", i, "topic")))
    for name in ("tags", "ids", "type", "status", "difficulty"):
        if getattr(s, name):
            fields.append((name, quiz.loc("sections", i, name)))
    return SectionSpec(
        label=f"section {i + 1}" + (f" “{s.title}”" if s.title else ""),
        filters=Filters.from_section(s),
        count=s.count,
        location=quiz.loc("sections", i),
        title=s.title,
        count_location=quiz.loc("sections", i, "count") if s.count is not None else None,
        field_locations=tuple(fields),
        quiz=quiz,
        index=i,
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


def blueprint_specs(bank: Bank, total: int, base: Filters) -> list[SectionSpec]:
    """One section per blueprint topic with its share of ``total`` (sub-topics included)."""
    weights = bank.manifest.blueprint if bank.manifest else {}
    if not weights:
        raise SelectionError(
            "the manifest has no `blueprint:` weights to draw by",
            hint='add e.g. `blueprint: {"1": 20%, "2": 80%}` to qbank.yaml',
            usage=True,
        )
    manifest_src = bank.files.get("qbank.yaml")
    specs: list[SectionSpec] = []
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
            SectionSpec(
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
        usage=True,
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


# -- reference checks ------------------------------------------------------------------------


def _did_you_mean(word: str, choices: Sequence[str]) -> str | None:
    from rapidfuzz import fuzz, process

    found = process.extractOne(word, sorted(choices), scorer=fuzz.ratio, score_cutoff=60)
    return f"did you mean `{found[0]}`?" if found else None


def check_references(
    bank: Bank, questions: Sequence[AnyQuestion], specs: list[SectionSpec]
) -> None:
    """Raise the first of :func:`reference_errors` (what ``draw`` refuses)."""
    for error in reference_errors(bank, questions, specs):
        raise error


def quiz_specs(quiz: Quiz) -> list[SectionSpec]:
    """The sections of a quiz as a draw plans them."""
    return [_quiz_spec(quiz, i, s) for i, s in enumerate(quiz.sections)]


def reference_errors(
    bank: Bank, questions: Sequence[AnyQuestion], specs: list[SectionSpec]
) -> Iterator[SelectionError]:
    """Every unknown topic, tag, id or value of the sections, with a did-you-mean hint.

    The one reference check: ``draw`` raises the first, ``validate`` reports all of them
    (QB603 topics and tags, QB604 ids) at the quiz line that holds each one.
    """
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
                yield SelectionError(
                    f"{prefix}unknown topic `{t}`: no question has it or a sub-topic of it",
                    spec.where("topic"),
                    hint=_did_you_mean(t, sorted({*manifest_topics, *q_topics}))
                    or "`qbank stats` lists the topics",
                    rule="QB603",
                    key=f"topic:{t}",
                    usage=spec.quiz is None,
                )
        for j, t in enumerate(f.tags):
            if t not in tag_set:
                yield SelectionError(
                    f"{prefix}unknown tag `{t}`: no question has it",
                    spec.where("tags", j),
                    hint=_did_you_mean(t, tags) or f"tags in the bank: {', '.join(tags[:20])}",
                    rule="QB603",
                    key=f"tag:{t}",
                    usage=spec.quiz is None,
                )
        for name, values in (
            ("type", f.types),
            ("status", f.statuses),
            ("difficulty", f.difficulties),
        ):
            for j, v in enumerate(values):
                if v not in allowed[name]:
                    yield SelectionError(
                        f"{prefix}unknown {name} `{v}` (one of: {', '.join(allowed[name])})",
                        spec.where(name, j),
                        hint=_did_you_mean(v, allowed[name]),
                        rule="QB603",
                        key=f"{name}:{v}",
                        usage=spec.quiz is None,
                    )
        broken = [i for i in f.ids if i in invalid and i not in ids]
        if broken:
            yield SelectionError(
                f"{prefix}question(s) {', '.join(f'`{i}`' for i in broken)} have errors "
                "and cannot be drawn",
                spec.where("ids"),
                hint="run `qbank validate` and fix them",
                key="broken:" + ",".join(broken),
            )
        for j, qid in enumerate(f.ids):
            if qid not in ids and qid not in invalid:
                yield SelectionError(
                    f"{prefix}unknown question id `{qid}`",
                    spec.where("ids", j),
                    hint=_did_you_mean(qid, sorted(ids)),
                    rule="QB604",
                    key=f"id:{qid}",
                    usage=spec.quiz is None,
                )
