"""QB7xx — export targets: what a chosen LMS format cannot carry, per question.

Runs only when targets are chosen: ``qbank validate --target moodle,gift,qti`` or a
``targets:`` list in ``qbank.yaml`` (the option wins). Targets:

* ``moodle`` — Moodle XML (:mod:`qbank.export.moodle`);
* ``gift`` — GIFT (:mod:`qbank.export.gift`);
* ``qti`` — QTI 1.2 as Canvas imports it (:mod:`qbank.export.qti.qti12`);
* ``qti3`` — QTI 3.0 (:mod:`qbank.export.qti.qti3`).

Every finding is a warning located at the field that cannot travel, saying what the export
does instead, so an author learns it in the pull request rather than at export time. The
mapping is the table in ``notes/lms-formats.md`` ("Target × type mapping").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from qbank.diagnostics import Problem, Rule, Severity, problem, register
from qbank.markup import find_blanks
from qbank.model import Cloze, Essay, Multi, Numeric, Order, Short
from qbank.validate.rules.media import markup_fields

if TYPE_CHECKING:
    from qbank.model import AnyQuestion
    from qbank.validate.context import Context

FAMILY = "QB7"
W = Severity.WARNING

#: every target a bank can name, with how messages call it
TARGETS = {"moodle": "Moodle", "gift": "GIFT", "qti": "Canvas QTI 1.2", "qti3": "QTI 3.0"}


def _manifest(*targets: str) -> tuple[tuple[str, str], ...]:
    return (("qbank.yaml", f"id: example\ntitle: Example\ntargets: [{', '.join(targets)}]\n"),)


register(
    Rule(
        "QB701",
        "target-type",
        W,
        "A chosen target has no question type for this one; the export approximates it.",
        rationale="GIFT has no ordering and only one-gap cloze; Canvas classic quizzes have no "
        "ordering. `qbank export gift` writes an ordering as a matching (position → item) and a "
        "cloze with several blanks as a matching (blank → answer); `qbank export qti` writes an "
        "ordering as a matching. Students see a different task; use `--unsupported skip` "
        "(GIFT) to leave such questions out, or keep them for targets that carry them.",
        failing="id: steps\ntype: order\ntext: Put the steps in order.\n"
        "items: [Load, Validate, Export]\nexplanation: Load first.\n",
        passing="id: steps\ntype: single\ntext: Which step comes first?\n"
        "options:\n  - text: Load\n    correct: true\n  - Export\nexplanation: Load first.\n",
        example_files=_manifest("gift"),
    )
)
register(
    Rule(
        "QB702",
        "target-partial-credit",
        W,
        "An all-or-nothing multi-select gets partial credit in the target.",
        rationale="Moodle's multiple-choice question and Canvas's multiple-answers question "
        "give credit for choosing some of the right options. The export gives each wrong "
        "option −100 % in Moodle, so one wrong pick still scores 0, but a subset of the right "
        "options scores a share. Write `partial: true` if that is acceptable (the exports then "
        "match qbank's own grading), or use a single-choice question.",
        failing="id: vpc\ntype: multi\ntext: Which are VPC features?\noptions:\n"
        "  - text: Security groups\n    correct: true\n  - text: Network ACLs\n    correct: true\n"
        "  - IAM roles\nexplanation: Both filter traffic.\n",
        passing="id: vpc\ntype: multi\npartial: true\ntext: Which are VPC features?\noptions:\n"
        "  - text: Security groups\n    correct: true\n  - text: Network ACLs\n    correct: true\n"
        "  - IAM roles\nexplanation: Both filter traffic.\n",
        example_files=_manifest("moodle"),
    )
)
register(
    Rule(
        "QB703",
        "target-case-rule",
        W,
        "A case-sensitive answer goes to a target that ignores case.",
        rationale="GIFT short answers and Canvas short answers / fill-in-the-blanks compare "
        "without case, so `pH` and `PH` both score. Moodle XML and QTI 3.0 keep the rule.",
        failing="id: ph\ntype: short\ncase_sensitive: true\ntext: Symbol of acidity?\n"
        "answers: [pH]\nexplanation: pH.\n",
        passing="id: ph\ntype: short\ntext: Symbol of acidity?\nanswers: [pH]\nexplanation: pH.\n",
        example_files=_manifest("gift"),
    )
)
register(
    Rule(
        "QB704",
        "target-unit",
        W,
        "A numeric unit goes to a target without units; it is written after the text.",
        rationale="GIFT and Canvas numerical questions have no unit field: the export writes "
        "`(unit: m/s)` after the question text and students type the number only. Moodle XML "
        "carries the unit (optional when answering), QTI 3.0 shows it after the input.",
        failing="id: speed\ntype: numeric\ntext: Speed of sound in air?\nanswer: 343\n"
        "tolerance: '2%'\nunit: m/s\nexplanation: About 343 m/s at 20 °C.\n",
        passing="id: speed\ntype: numeric\ntext: Speed of sound in air, in m/s?\nanswer: 343\n"
        "tolerance: '2%'\nexplanation: About 343 m/s at 20 °C.\n",
        example_files=_manifest("gift"),
    )
)
register(
    Rule(
        "QB705",
        "target-images",
        W,
        "An image goes to a target that cannot embed files; its alt text is shown instead.",
        rationale="GIFT is plain text: images cannot travel with it. Moodle XML embeds them "
        "(`@@PLUGINFILE@@`), QTI packages carry them as files. Describe the image in its alt "
        "text, or export to Moodle XML or QTI.",
        failing="id: nat\ntype: truefalse\ntext: |-\n  The diagram shows a NAT gateway.\n\n"
        "  ![NAT gateway](media/nat.svg)\nanswer: true\nexplanation: It is in the public subnet.\n",
        passing="id: nat\ntype: truefalse\ntext: A NAT gateway sits in a public subnet.\n"
        "answer: true\nexplanation: It needs a route to the internet gateway.\n",
        example_files=(
            *_manifest("gift"),
            (
                "media/nat.svg",
                '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="2"></svg>\n',
            ),
        ),
    )
)
register(
    Rule(
        "QB706",
        "target-grader-info",
        W,
        "An essay's rubric or word limit goes to a target that drops it.",
        rationale="GIFT essays have no grader information or word limit; Canvas QTI 1.2 has no "
        "grader information; neither carries the word limit, nor does qbank's QTI 3.0 export. "
        "Moodle XML keeps the rubric as grader information and the limit as `maxwordlimit`; "
        "QTI 3.0 keeps the rubric as a scorer rubric block.",
        failing="id: churn\ntype: essay\ntext: Frame churn prediction as an ML problem.\n"
        "rubric: Names the label and the features.\nexplanation: A binary classification.\n",
        passing="id: churn\ntype: essay\ntext: Frame churn prediction as an ML problem.\n"
        "explanation: A binary classification.\n",
        example_files=_manifest("gift"),
    )
)
register(
    Rule(
        "QB707",
        "target-percent-of-zero",
        W,
        "A percent tolerance of an answer of 0 becomes an exact answer in every LMS target.",
        rationale="No LMS format has relative tolerances: the exports convert `2%` to an "
        "absolute tolerance (2 % of the answer). 2 % of 0 is 0, so only exactly 0 scores. "
        "Give an absolute tolerance instead (`tolerance: 0.01`).",
        failing="id: mean\ntype: numeric\ntext: Mean of a standardized feature?\nanswer: 0\n"
        "tolerance: '5%'\nexplanation: Standardizing centres the feature on 0.\n",
        passing="id: mean\ntype: numeric\ntext: Mean of a standardized feature?\nanswer: 0\n"
        "tolerance: '0.01'\nexplanation: Standardizing centres the feature on 0.\n",
        example_files=_manifest("moodle"),
    )
)
register(
    Rule(
        "QB708",
        "target-cloze-partial",
        W,
        "A cloze with several blanks gets credit per blank in Moodle.",
        rationale="Moodle's embedded-answers (cloze) question scores each blank on its own, "
        "so half the blanks right earns half the marks; qbank (and the web quiz) gives marks "
        "only when every blank is right. Split the question if every blank must be right.",
        failing="id: glue\ntype: cloze\ntext: An AWS Glue {{crawler}} writes to the Glue "
        "{{Data Catalog}}.\nexplanation: Crawlers infer schemas.\n",
        passing="id: glue\ntype: cloze\ntext: An AWS Glue {{crawler}} writes tables to the "
        "Glue Data Catalog.\nexplanation: Crawlers infer schemas.\n",
        example_files=_manifest("moodle"),
    )
)
register(
    Rule(
        "QB709",
        "target-grade-steps",
        W,
        "A multi-select has more right options than Moodle's grade steps can split.",
        rationale="Moodle accepts answer grades only from its list (100 %, 50 %, 33.33333 %, "
        "… down to 10 % and 5 %): with more than 10 right options the share (e.g. 9.09091 % "
        "for 11) is not on the list and Moodle's import rounds it or refuses the question.",
        failing="id: digits\ntype: multi\npartial: true\ntext: Pick the digits.\noptions:\n"
        + "".join(f"  - text: '{i}'\n    correct: true\n" for i in range(11))
        + "  - x\nexplanation: 0 to 10.\n",
        passing="id: digits\ntype: multi\npartial: true\ntext: Pick the even digits.\noptions:\n"
        + "".join(f"  - text: '{i}'\n    correct: true\n" for i in range(0, 10, 2))
        + "  - '1'\nexplanation: 0, 2, 4, 6, 8.\n",
        example_files=_manifest("moodle"),
    )
)


def parse_targets(values: Iterable[str]) -> set[str]:
    """``["moodle,gift", "qti"]`` → ``{"moodle", "gift", "qti"}``; raises ValueError."""
    out: set[str] = set()
    for value in values:
        for name in value.split(","):
            name = name.strip().lower()
            if not name:
                continue
            if name not in TARGETS:
                raise ValueError(f"unknown target `{name}` (choose from {', '.join(TARGETS)})")
            out.add(name)
    return out


def chosen(ctx: Context) -> set[str]:
    if ctx.options.targets is not None:
        return set(ctx.options.targets)
    manifest = ctx.bank.manifest
    return set(manifest.targets) if manifest is not None else set()


def _names(targets: Iterable[str]) -> str:
    return ", ".join(TARGETS[t] for t in sorted(targets, key=list(TARGETS).index))


def check(ctx: Context) -> Iterator[Problem]:
    targets = chosen(ctx)
    if not targets:
        return
    for q in ctx.questions:  # in pull-request mode: the changed ones
        yield from _question(q, targets)


def _question(q: AnyQuestion, targets: set[str]) -> Iterator[Problem]:
    def hit(
        rule: str, within: set[str], message: str, *path: int | str, key: bool = False
    ) -> Iterator[Problem]:
        lost = targets & within
        if lost:
            yield problem(
                rule,
                f"{_names(lost)}: {message}",
                q.loc(*path, key=key),
                question_id=q.id,
                data={"targets": sorted(lost)},
            )

    if isinstance(q, Order):
        yield from hit(
            "QB701",
            {"gift", "qti"},
            "no ordering question; exported as a matching (position → item)",
            "type",
        )
    if isinstance(q, Cloze):
        blanks = len(find_blanks(q.text))
        if blanks > 1:
            yield from hit(
                "QB701",
                {"gift"},
                f"only one-gap cloze; this one has {blanks} blanks (exported as a matching: blank → answer)",
                "type",
            )
            yield from hit(
                "QB708",
                {"moodle"},
                f"each of the {blanks} blanks is scored on its own (partial credit)",
                "text",
            )
    if isinstance(q, Multi) and not q.partial:
        yield from hit(
            "QB702",
            {"moodle", "qti"},
            "a subset of the right options gets partial credit (the bank says all-or-nothing)",
            "type",
        )
    if isinstance(q, Multi) and len(q.correct_indices) > 10:
        yield from hit(
            "QB709",
            {"moodle", "gift"},
            f"{len(q.correct_indices)} right options: 100/{len(q.correct_indices)} % is not one of Moodle's grades",
            "options",
        )
    if isinstance(q, Short | Cloze) and q.case_sensitive:
        yield from hit(
            "QB703",
            {"gift", "qti"},
            "answers are compared without case",
            "case_sensitive",
            key=True,
        )
    if isinstance(q, Numeric):
        if q.unit and q.unit.strip():
            yield from hit(
                "QB704",
                {"gift", "qti"},
                f"no unit field; `{q.unit.strip()}` is written after the text",
                "unit",
            )
        tol = (q.tolerance or "").strip()
        value = q.answer_decimal
        if tol.endswith("%") and value is not None and value == Decimal(0):
            yield from hit(
                "QB707", set(TARGETS), f"{tol} of 0 is 0: only exactly 0 scores", "tolerance"
            )
    if isinstance(q, Essay):
        if q.rubric:
            yield from hit(
                "QB706", {"gift", "qti"}, "the rubric (grader information) is dropped", "rubric"
            )
        if q.max_words:
            yield from hit(
                "QB706",
                {"gift", "qti", "qti3"},
                f"the word limit ({q.max_words}) is dropped",
                "max_words",
            )
    if "gift" in targets:
        for path, text, _inline in markup_fields(q):
            if "![" in text:
                yield from hit(
                    "QB705", {"gift"}, "images cannot travel; the alt text is shown", *path
                )
                break
