"""QB3xx — near-duplicate questions (the engine is :mod:`qbank.validate.dedup`).

Stems are compared after normalisation (plain text, lower case, punctuation to spaces,
words sorted) with ``fuzz.ratio`` ≥ the threshold: ``Options.similarity_threshold``
(``--similarity-threshold``), else the manifest's ``dedup.threshold``, else 85. Pairs listed
in the manifest's ``dedup.allow`` are intended near-twins and never reported. With
``Options.changed_ids`` (``--changed-since REV``) only pairs involving a changed question are
checked — exactly, against the whole bank.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from qbank.diagnostics import RULES, Problem, Related, Rule, Severity, register

if TYPE_CHECKING:
    from qbank.validate.context import Context
    from qbank.validate.dedup.finding import Finding

FAMILY = "QB3"
E, W = Severity.ERROR, Severity.WARNING

_STEM = (
    "A company needs to store 500 GB of training data durably at the lowest cost. "
    "Which service should it use?"
)
_OPTIONS = (
    "    options:\n"
    "      - text: Amazon S3\n        correct: true\n"
    "      - Amazon EBS\n      - Amazon EFS\n"
)


def _single(qid: str, text: str, options: str = _OPTIONS) -> str:
    return f"  - id: {qid}\n    type: single\n    text: {text}\n{options}"


register(
    Rule(
        "QB301",
        "near-duplicate",
        E,
        "Two questions ask the same thing: their stems are near-identical and their options "
        "and keys agree.",
        rationale="Duplicates inflate a bank, let a learner meet the same item twice in one "
        "quiz, and drift apart when only one copy is corrected. Stems are compared "
        "word-order-insensitively (typos, reordered clauses and rewording still match); the "
        "finding names both questions, the similarity score and the words that differ. "
        "A cloze is compared with each blank filled with its first answer. If both are "
        "intended (say a cloze and a single-choice version), list the pair under "
        "`dedup.allow` in qbank.yaml.",
        failing="questions:\n"
        + _single("s3-storage", _STEM)
        + _single(
            "s3-storage-copy",
            "Which service should a company use to store 500 GB of training data durably "
            "at the lowest cost?",
        ),
        passing="questions:\n"
        + _single("s3-storage", _STEM)
        + _single(
            "s3-encryption",
            "Which option encrypts objects at rest with keys the company manages itself?",
            "    options:\n"
            "      - text: SSE-KMS with a customer managed key\n        correct: true\n"
            "      - SSE-S3\n      - Client-side TLS\n",
        ),
    )
)
register(
    Rule(
        "QB302",
        "conflicting-answer",
        E,
        "The same stem is keyed differently: the stems ask the same thing (no number, "
        "qualifier, name or ask differs) and one question's correct option is offered, "
        "unmarked, among the other question's options.",
        rationale="The bank contradicts itself: at most one of the two keys is right, and a "
        "learner who meets both is taught both answers. Only a contradiction counts — the "
        "same stem with a different option list (both keys right) is a sibling, reported "
        "at most as QB303. True/false questions count as options `true`/`false`.",
        failing="questions:\n"
        + _single("s3-storage", _STEM)
        + _single(
            "s3-storage-v2",
            _STEM,
            "    options:\n"
            "      - Amazon S3\n"
            "      - text: Amazon EBS\n        correct: true\n"
            "      - Amazon EFS\n",
        ),
        passing="questions:\n"
        + _single("s3-storage", _STEM)
        + _single(
            "s3-storage-v2",
            _STEM,
            "    options:\n"
            "      - text: Amazon S3 Glacier Deep Archive\n        correct: true\n"
            "      - Amazon DynamoDB\n      - Amazon RDS\n",
        ),
    )
)
register(
    Rule(
        "QB303",
        "similar-stem",
        W,
        "Two stems are near-identical but differ in a number, a negation/qualifier word "
        "(NOT, EXCEPT, LEAST, FIRST …) or a name (Oracle/MySQL, Premium/Standard), or their "
        "options clearly differ, or their keys differ without either being offered in the "
        "other.",
        rationale="Such pairs are usually different questions written from one template "
        "(`port 143` vs `port 389`, `Which is NOT …`, the same task for another product), "
        "so they are warnings, not errors; the message shows the words that differ so a "
        "real duplicate with a slip is still easy to spot. Exhibits (image alt text, titles "
        "and paths) are not compared as words. Series items (a shared scenario, then "
        '"Solution: …. Does this meet the goal?") that propose different solutions, and '
        "case-study questions whose short asks after a shared case text differ, are "
        "different questions and are not reported at all. Silence an intended pair with "
        "`dedup.allow`.",
        failing="questions:\n"
        + _single("s3-storage", _STEM)
        + _single(
            "s3-storage-not",
            "A company needs to store 500 GB of training data durably at the lowest cost. "
            "Which service should it NOT use?",
            "    options:\n"
            "      - Amazon S3\n"
            "      - text: Amazon EBS\n        correct: true\n"
            "      - Amazon S3 Glacier\n",
        ),
        passing="questions:\n"
        + _single("s3-storage", _STEM)
        + _single(
            "ebs-volume",
            "An EC2 instance needs a block device of 500 GB for a database. Which volume "
            "type gives consistent IOPS?",
            "    options:\n      - text: io2\n        correct: true\n      - sc1\n      - st1\n",
        ),
    )
)


#: findings listed per question; a question that matches hundreds of others (a template
#: copied many times) says so once instead of flooding the report
MAX_FINDINGS_PER_QUESTION = 20


def threshold(ctx: Context) -> int:
    """``--similarity-threshold``, else the manifest's ``dedup.threshold``, else 85."""
    from qbank.validate.dedup import DEFAULT_THRESHOLD  # numpy and rapidfuzz: only when used

    if ctx.options.similarity_threshold is not None:
        return ctx.options.similarity_threshold
    manifest = ctx.bank.manifest
    if manifest is not None:
        return manifest.dedup.threshold
    return DEFAULT_THRESHOLD


def check(ctx: Context) -> Iterator[Problem]:
    """Run the dedup engine over the bank's valid questions."""
    from qbank.validate.dedup import find_duplicates

    manifest = ctx.bank.manifest
    findings = find_duplicates(
        ctx.bank.questions,
        threshold=threshold(ctx),
        changed_ids=ctx.options.changed_ids,
        workers=ctx.options.workers,
        allow=manifest.dedup.allow if manifest is not None else (),
        progress=ctx.options.progress,
        cap=MAX_FINDINGS_PER_QUESTION,
    )
    yield from map(to_problem, findings)


def to_problem(finding: Finding) -> Problem:
    """The finding as a :class:`~qbank.diagnostics.Problem` (rule docs: QB301–QB303).

    Built as :func:`~qbank.diagnostics.problem` builds it (the rule's severity), without the
    keyword call: a 20,000-question bank turns 16,800 findings into problems."""
    here = finding.location or finding.question.loc("text")
    there = finding.other_location or finding.other.loc("text")
    other_id = finding.other.id
    data: dict[str, object] = {
        "other_id": other_id,
        "other_location": str(there),
        "score": finding.exact_score,
        "differences": list(finding.differences),
    }
    if finding.reason:
        data["reason"] = finding.reason
    if finding.option_similarity is not None:
        data["option_similarity"] = round(finding.option_similarity, 2)
    rule = finding.rule
    return Problem(
        rule,
        RULES[rule].severity,
        finding.message,
        here,
        finding.hint,
        finding.question.id,
        (Related(there, f"similar question `{other_id}`"),),
        finding.fingerprint,
        data,
    )
