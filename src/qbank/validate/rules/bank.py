"""QB6xx — the bank as a whole: unique ids, the taxonomy, and what quizzes refer to."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from qbank.diagnostics import Problem, Related, Rule, Severity, problem, register
from qbank.model import topic_matches

if TYPE_CHECKING:
    from qbank.validate.context import Context

FAMILY = "QB6"
E = Severity.ERROR

_MANIFEST = 'id: demo\ntitle: Demo bank\ntopics:\n  "4": Operations\n  "4.3": Security\n'

register(
    Rule(
        "QB601",
        "duplicate-id",
        E,
        "Two questions share an id.",
        rationale="Every export derives its stable identifier from the id (Anki GUID, JSON id). "
        "Two questions with one id would overwrite each other in a learner's deck.",
        failing="questions:\n  - id: q1\n    type: truefalse\n    text: IAM is global.\n"
        "    answer: true\n  - id: q1\n    type: truefalse\n    text: S3 is global.\n"
        "    answer: false\n",
        passing="questions:\n  - id: q1\n    type: truefalse\n    text: IAM is global.\n"
        "    answer: true\n  - id: q2\n    type: truefalse\n    text: S3 is global.\n"
        "    answer: false\n",
    )
)
register(
    Rule(
        "QB602",
        "unknown-topic",
        E,
        "A question's topic is not in the manifest's `topics` taxonomy.",
        rationale="Draws, blueprints and stats group by topic; a typo (`4.30`) would silently "
        "drop the question from every topic filter.",
        failing='id: q1\ntype: truefalse\ntopic: "4.9"\ntext: IAM is global.\nanswer: true\n',
        passing='id: q1\ntype: truefalse\ntopic: "4.3"\ntext: IAM is global.\nanswer: true\n',
        example_files=(("qbank.yaml", _MANIFEST),),
    )
)
register(
    Rule(
        "QB603",
        "quiz-unknown-filter",
        E,
        "A quiz section filters on a topic or tag that no question has.",
        example_path="quizzes/practice.yaml",
        failing='title: Practice\nsections:\n  - topic: "4.9"\n    count: 1\n',
        passing='title: Practice\nsections:\n  - topic: "4.3"\n    count: 1\n',
        example_files=(
            ("qbank.yaml", _MANIFEST),
            (
                "q.yaml",
                'id: q1\ntype: truefalse\ntopic: "4.3"\ntext: IAM is global.\nanswer: true\n',
            ),
        ),
    )
)
register(
    Rule(
        "QB604",
        "quiz-unknown-id",
        E,
        "A quiz section names a question id that is not in the bank.",
        example_path="quizzes/practice.yaml",
        failing="title: Practice\nsections:\n  - ids: [q1, q9]\n",
        passing="title: Practice\nsections:\n  - ids: [q1]\n",
        example_files=(
            ("qbank.yaml", _MANIFEST),
            (
                "q.yaml",
                'id: q1\ntype: truefalse\ntopic: "4.3"\ntext: IAM is global.\nanswer: true\n',
            ),
        ),
    )
)
register(
    Rule(
        "QB605",
        "manifest-unknown-reference",
        E,
        "The manifest's blueprint names a topic outside the taxonomy, or `dedup.allow` names an "
        "unknown question id.",
        example_path="qbank.yaml",
        failing=_MANIFEST + 'blueprint:\n  "5": 20%\n',
        passing=_MANIFEST + 'blueprint:\n  "4": 20%\n',
    )
)


def check(ctx: Context) -> Iterator[Problem]:
    bank = ctx.bank
    yield from _duplicate_ids(ctx)
    taxonomy = bank.manifest.topics if bank.manifest else {}
    if taxonomy:
        for q in bank.questions:
            if q.topic is not None and q.topic not in taxonomy:
                yield problem(
                    "QB602",
                    f"topic `{q.topic}` is not in the taxonomy of qbank.yaml",
                    q.loc("topic"),
                    hint=_nearest_topic(q.topic, taxonomy),
                    question_id=q.id,
                )
    yield from _quiz_references(ctx)
    yield from _manifest_references(ctx)


def _nearest_topic(topic: str, taxonomy: dict[str, str]) -> str:
    import difflib

    near = difflib.get_close_matches(topic, list(taxonomy), n=1, cutoff=0.6)
    if near:
        return f"did you mean `{near[0]}` ({taxonomy[near[0]]})? Or add the topic to qbank.yaml"
    return "add the topic to `topics:` in qbank.yaml, or fix the question's topic"


def _duplicate_ids(ctx: Context) -> Iterator[Problem]:
    first: dict[str, object] = {}
    for q in ctx.bank.questions:
        prev = first.get(q.id)
        if prev is None:
            first[q.id] = q
            continue
        yield problem(
            "QB601",
            f"duplicate id `{q.id}` (also at {prev.location})",  # type: ignore[attr-defined]
            q.loc("id"),
            hint="give one of them a new id; never reuse the id of a published question",
            related=(Related(prev.loc("id"), "first definition"),),  # type: ignore[attr-defined]
            fingerprint=f"QB601:{q.id}",
        )


def _quiz_references(ctx: Context) -> Iterator[Problem]:
    bank = ctx.bank
    topics = set(bank.manifest.topics) if bank.manifest else set()
    used_topics = {q.topic for q in bank.questions if q.topic}
    tags = {t for q in bank.questions for t in q.tags}
    ids = set(bank.by_id())
    ids.update(bank.invalid_ids)
    for rel, quiz in sorted(bank.quizzes.items()):
        for i, section in enumerate(quiz.sections):
            if section.topic is not None:
                known = section.topic in topics or any(
                    topic_matches(t, section.topic) for t in used_topics
                )
                if not known:
                    yield problem(
                        "QB603",
                        f"section {i + 1}: no question has topic `{section.topic}`",
                        quiz.loc("sections", i, "topic"),
                        hint=_nearest_topic(
                            section.topic, {t: t for t in sorted(topics | used_topics)}
                        ),
                        fingerprint=f"QB603:{rel}:{i}:{section.topic}",
                    )
            for j, tag in enumerate(section.tags):
                if tag not in tags:
                    yield problem(
                        "QB603",
                        f"section {i + 1}: no question has tag `{tag}`",
                        quiz.loc("sections", i, "tags", j),
                        fingerprint=f"QB603:{rel}:{i}:tag:{tag}",
                    )
            for j, qid in enumerate(section.ids):
                if qid not in ids:
                    yield problem(
                        "QB604",
                        f"section {i + 1}: no question has id `{qid}`",
                        quiz.loc("sections", i, "ids", j),
                        fingerprint=f"QB604:{rel}:{qid}",
                    )


def _manifest_references(ctx: Context) -> Iterator[Problem]:
    bank = ctx.bank
    manifest = bank.manifest
    src = bank.files.get("qbank.yaml")
    if manifest is None or src is None:
        return
    topics = set(manifest.topics)
    if topics:
        for topic in manifest.blueprint:
            if topic not in topics:
                yield problem(
                    "QB605",
                    f"blueprint topic `{topic}` is not in `topics`",
                    src.location(("blueprint", topic), key=True),
                )
    ids = set(bank.by_id()) | set(bank.invalid_ids)
    for i, pair in enumerate(manifest.dedup.allow):
        for j, qid in enumerate(pair):
            if qid not in ids:
                yield problem(
                    "QB605",
                    f"`dedup.allow` names unknown question id `{qid}`",
                    src.location(("dedup", "allow", i, j)),
                )
