"""QB6xx — the bank as a whole: unique ids, the taxonomy, and what quizzes refer to."""

from __future__ import annotations

import re
from collections.abc import Iterator
from operator import attrgetter
from typing import TYPE_CHECKING

from qbank.diagnostics import Problem, Related, Rule, Severity, problem, register

if TYPE_CHECKING:
    from qbank.validate.context import Context

FAMILY = "QB6"
_NUMBERS = re.compile(r"\d+")
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

_TWO_QUESTIONS = (
    "questions:\n"
    '  - id: q1\n    type: truefalse\n    topic: "4.3"\n    text: IAM is global.\n'
    "    answer: true\n"
    '  - id: q2\n    type: truefalse\n    topic: "4.3"\n    text: S3 bucket names are global.\n'
    "    answer: true\n"
)
register(
    Rule(
        "QB606",
        "quiz-section-too-few",
        E,
        "A quiz section asks for more questions than its filters match (after earlier "
        "sections took theirs).",
        rationale="`qbank draw` and every export of the quiz would refuse it; validate says so "
        "on the pull request that breaks it (a question removed, a topic renamed, a count "
        "raised), at the section's `count:` line.",
        example_path="quizzes/practice.yaml",
        failing='title: Practice\nsections:\n  - topic: "4.3"\n    count: 3\n',
        passing='title: Practice\nsections:\n  - topic: "4.3"\n    count: 2\n',
        example_files=(("qbank.yaml", _MANIFEST), ("q.yaml", _TWO_QUESTIONS)),
    )
)
register(
    Rule(
        "QB607",
        "quiz-forms-cannot-vary",
        Severity.WARNING,
        "A quiz asks for several forms with `vary_questions: true`, but a section matches too "
        "few questions for the forms to differ.",
        rationale="With `vary_questions` each form should get different questions. When a "
        "section's pool is smaller than forms × count, later forms repeat questions of earlier "
        "ones (students comparing forms see the same items). Add questions, lower the count or "
        "the number of forms.",
        example_path="quizzes/practice.yaml",
        failing='title: Practice\nforms: 2\nvary_questions: true\nsections:\n  - topic: "4.3"\n'
        "    count: 2\n",
        passing='title: Practice\nforms: 2\nvary_questions: true\nsections:\n  - topic: "4.3"\n'
        "    count: 1\n",
        example_files=(("qbank.yaml", _MANIFEST), ("q.yaml", _TWO_QUESTIONS)),
    )
)
register(
    Rule(
        "QB608",
        "blueprint-weights-sum",
        E,
        "The manifest's blueprint weights do not add up to 100 %.",
        rationale="A blueprint says what share of an exam each topic gets. Weights adding up to "
        "90 % or 110 % are a typo or a forgotten topic; draws would silently rescale them.",
        example_path="qbank.yaml",
        failing=_MANIFEST + 'blueprint:\n  "4": 80%\n  "4.3": 30%\n',
        passing=_MANIFEST + 'blueprint:\n  "4": 70%\n  "4.3": 30%\n',
    )
)


def check(ctx: Context) -> Iterator[Problem]:
    bank = ctx.bank
    yield from _duplicate_ids(ctx)
    taxonomy = bank.manifest.topics if bank.manifest else {}
    if taxonomy:
        for q in ctx.questions:  # in pull-request mode: the changed ones
            if q.topic is not None and q.topic not in taxonomy:
                yield problem(
                    "QB602",
                    f"topic `{q.topic}` is not in the taxonomy of qbank.yaml",
                    q.loc("topic"),
                    hint=_nearest_topic(q.topic, taxonomy),
                    question_id=q.id,
                )
    yield from _quiz_references(ctx)
    yield from _quiz_feasibility(ctx)
    yield from _manifest_references(ctx)
    yield from _blueprint_sum(ctx)


def _nearest_topic(topic: str, taxonomy: dict[str, str]) -> str:
    import difflib

    near = difflib.get_close_matches(topic, list(taxonomy), n=1, cutoff=0.6)
    if near:
        return f"did you mean `{near[0]}` ({taxonomy[near[0]]})? Or add the topic to qbank.yaml"
    return "add the topic to `topics:` in qbank.yaml, or fix the question's topic"


_ID = attrgetter("id")


def _duplicate_ids(ctx: Context) -> Iterator[Problem]:
    questions = ctx.bank.questions
    if len(set(map(_ID, questions))) == len(questions):
        return  # every id differs (one pass in C; the loop below finds each repeat)
    first: dict[str, object] = {}
    for q in questions:
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
    """QB603/QB604 from the draw's own reference check (:func:`reference_errors`): validate
    and ``qbank draw`` report an unknown topic, tag or id with the same words."""
    from qbank.draw.planning import quiz_specs, reference_errors
    from qbank.draw.select import unique_questions

    bank = ctx.bank
    if not bank.quizzes:
        return
    questions = unique_questions(bank.questions)
    for rel, quiz in sorted(bank.quizzes.items()):
        for error in reference_errors(bank, questions, quiz_specs(quiz)):
            if error.rule is None:
                continue  # caused by a question's own errors, reported there
            yield problem(
                error.rule,
                error.message,
                error.location or quiz.loc("sections"),
                hint=error.hint,
                fingerprint=f"{error.rule}:{rel}:{error.key}",
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
    allow = manifest.dedup.allow
    ids = set(bank.by_id()) | set(bank.invalid_ids) if allow else set()
    for i, pair in enumerate(allow):
        for j, qid in enumerate(pair):
            if qid not in ids:
                yield problem(
                    "QB605",
                    f"`dedup.allow` names unknown question id `{qid}`",
                    src.location(("dedup", "allow", i, j)),
                )


def _quiz_feasibility(ctx: Context) -> Iterator[Problem]:
    """QB606/QB607: draw each quiz the way `qbank draw` and the exports do, and report what
    they would refuse (or repeat), at the quiz line that causes it."""
    from qbank.draw import Selection, SelectionError, draw
    from qbank.draw.planning import quiz_specs, reference_errors
    from qbank.draw.select import unique_questions

    bank = ctx.bank
    if not bank.quizzes:
        return
    questions = unique_questions(bank.questions)
    for rel, quiz in sorted(bank.quizzes.items()):
        if next(reference_errors(bank, questions, quiz_specs(quiz)), None) is not None:
            continue  # an unknown topic, tag or id is reported already (QB603/QB604)
        try:
            result = draw(bank, Selection(quiz=rel))
        except SelectionError as exc:
            yield problem(
                "QB606",
                exc.message,
                exc.location or quiz.loc("sections", key=True),
                hint=exc.hint,
                fingerprint=f"QB606:{rel}:{_NUMBERS.sub('#', exc.message)}",
            )
            continue
        if result.vary_questions and len(result.forms) > 1:
            for note in result.notes:
                yield problem(
                    "QB607",
                    note,
                    quiz.loc("vary_questions"),
                    hint="add questions to the section, lower its count or the number of forms "
                    "(or drop `vary_questions` if shared questions are fine)",
                    fingerprint=f"QB607:{rel}:{_NUMBERS.sub('#', note)}",
                )


def _blueprint_sum(ctx: Context) -> Iterator[Problem]:
    from decimal import Decimal

    manifest = ctx.bank.manifest
    src = ctx.bank.files.get("qbank.yaml")
    if manifest is None or src is None or not manifest.blueprint:
        return
    total = sum((Decimal(str(w)) for w in manifest.blueprint.values()), Decimal(0))
    if total == 100:
        return
    shown = f"{total.normalize():f}"
    yield problem(
        "QB608",
        f"the blueprint weights add up to {shown}%, not 100%",
        src.location(("blueprint",), key=True),
        hint="adjust the weights so they add up to 100% (a topic may be missing)",
        fingerprint="QB608",
    )
