"""QB2xx answer-key rules: what they catch, what they leave alone, and where they point."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from qbank.diagnostics import Problem, Severity
from qbank.load import load_bank, load_text
from qbank.validate import validate
from qbank.validate.rules.answers import check_question, normalise, word_count


def found(yaml_text: str) -> list[Problem]:
    """QB2 problems of the single question in ``yaml_text`` (which must load cleanly)."""
    questions, problems = load_text(textwrap.dedent(yaml_text))
    assert not [p for p in problems if p.severity is Severity.ERROR], problems
    assert len(questions) == 1
    return list(check_question(questions[0]))


def where(p: Problem) -> tuple[str, int, int]:
    return p.rule, p.location.line, p.location.col


def line_of(text: str, needle: str, nth: int = 0) -> int:
    lines = textwrap.dedent(text).splitlines()
    hits = [i + 1 for i, ln in enumerate(lines) if needle in ln]
    return hits[nth]


# -- single / multi -----------------------------------------------------------------------------

SINGLE = """\
id: q
type: single
text: Which service stores objects?
explanation: S3.
options:
  - text: S3
    correct: {a}
  - text: EBS
    correct: {b}
  - text: EFS
    correct: {c}
"""


def test_single_without_correct_points_at_options_key() -> None:
    text = SINGLE.format(a="false", b="false", c="false")
    (p,) = found(text)
    assert where(p) == ("QB201", 5, 1)
    assert p.severity is Severity.ERROR and p.question_id == "q"
    assert "correct: true" in (p.hint or "")


def test_single_with_three_correct_reports_each_extra_key() -> None:
    text = SINGLE.format(a="true", b="true", c="true")
    problems = found(text)
    assert [where(p) for p in problems] == [("QB201", 9, 14), ("QB201", 11, 14)]
    # each points back at the first correct option
    assert all(p.related[0].location.line == 7 for p in problems)
    assert problems[0].fingerprint != problems[1].fingerprint
    assert "3 options are marked correct (1, 2, 3)" in problems[0].message


def test_single_with_one_correct_is_clean() -> None:
    assert found(SINGLE.format(a="false", b="true", c="false")) == []


MULTI = """\
id: m
type: multi
text: Which are VPC security features?
explanation: NACLs and security groups.
{extra}options:
  - text: Security groups
    correct: true
  - text: Network ACLs
    correct: {b}
"""


def test_multi_all_correct_needs_opt_in() -> None:
    (p,) = found(MULTI.format(extra="", b="true"))
    assert where(p) == ("QB203", 5, 1)
    assert found(MULTI.format(extra="allow_all_correct: true\n", b="true")) == []
    assert found(MULTI.format(extra="", b="false")) == []


def test_multi_without_correct() -> None:
    text = MULTI.format(extra="", b="false").replace("    correct: true\n", "")
    (p,) = found(text)
    assert where(p) == ("QB202", 5, 1)


def test_duplicate_options_ignore_case_and_spacing() -> None:
    text = """\
    id: d
    type: single
    text: Pick the block store.
    explanation: EBS.
    options:
      - text: Amazon EBS
        correct: true
      - Amazon S3
      - "amazon   s3 "
      - Amazon EFS
    """
    (p,) = found(text)
    assert where(p) == ("QB204", 9, 5)
    assert p.related[0].location.line == 8
    assert "option 3 repeats option 2" in p.message


def test_duplicate_order_items() -> None:
    text = """\
    id: o
    type: order
    text: Order the steps.
    explanation: Create, then deploy.
    items:
      - Create model
      - Deploy
      - create  MODEL
    """
    (p,) = found(text)
    assert where(p) == ("QB204", 8, 5)
    assert "item 3 repeats item 1" in p.message


# -- cloze and short -----------------------------------------------------------------------------

CLOZE = """\
id: c
type: cloze
text: >-
  A {{NAT gateway|NAT}} lets private instances
  reach the internet; an {{BLANK}} lets
  public ones do it.
max_words: 2
explanation: NAT is outbound only.
"""


def cloze(blank: str) -> str:
    return CLOZE.replace("BLANK", blank)


def test_second_blank_on_a_folded_line_is_located_exactly() -> None:
    problems = found(cloze("internet gateway|"))
    (p,) = problems
    assert where(p) == ("QB205", 5, 26)
    assert (p.location.end_line, p.location.end_col) == (5, 47)
    assert p.message.startswith("blank 2:")


@pytest.mark.parametrize(
    ("blank", "rule"),
    [
        ("", "QB205"),
        (" | ", "QB205"),
        ("IGW|igw", "QB206"),
        ("internet   gateway|Internet Gateway", "QB206"),
        ("an internet gateway", "QB207"),
        ("x {{y", "QB209"),
    ],
)
def test_blank_problems(blank: str, rule: str) -> None:
    problems = found(cloze(blank))
    assert [p.rule for p in problems] == [rule]
    assert problems[0].location.line == 5


def test_case_sensitive_blanks_keep_case_variants() -> None:
    text = cloze("IGW|igw").replace("max_words: 2", "max_words: 2\ncase_sensitive: true")
    assert found(text) == []


def test_words_are_runs_of_non_space() -> None:
    assert word_count("NAT-gateway") == 1
    assert word_count("  a\tb\n c ") == 3
    assert normalise("  Amazon\n S3 ") == "amazon s3"
    assert normalise("Amazon S3", case_sensitive=True) == "Amazon S3"
    ok = cloze("internet-gateway/IGW")
    assert found(ok) == []


def test_cloze_without_blank_and_bad_max_words() -> None:
    text = "id: c\ntype: cloze\ntext: No blank here.\nexplanation: x.\n"
    assert [where(p) for p in found(text)] == [("QB208", 3, 7)]
    text = "id: c\ntype: cloze\ntext: A {{b}}.\nmax_words: 0\nexplanation: x.\n"
    assert [where(p) for p in found(text)] == [("QB207", 4, 12)]


def test_column_counts_characters_not_bytes() -> None:
    text = "id: c\ntype: cloze\ntext: Ünïcödé café {{ }} naïve\nexplanation: x.\n"
    (p,) = found(text)
    assert where(p) == ("QB205", 3, 20)


def test_short_answers() -> None:
    text = """\
    id: s
    type: short
    text: Name the audit service.
    answers: [CloudTrail, "", AWS CloudTrail, cloudtrail, AWS Cloud Trail service]
    max_words: 2
    explanation: CloudTrail.
    """
    problems = found(text)
    assert [(p.rule, p.location.line, p.location.col) for p in problems] == [
        ("QB205", 4, 23),
        ("QB206", 4, 43),
        ("QB207", 4, 55),
    ]


# -- numeric -----------------------------------------------------------------------------------

NUMERIC = 'id: n\ntype: numeric\ntext: How many?\nanswer: {a}\ntolerance: "{t}"\nexplanation: x.\n'


@pytest.mark.parametrize("answer", ["6", "0.10", "-3", ".5", "1e3", '"+2.50"'])
@pytest.mark.parametrize("tolerance", ["0", "0.01", "2%", "2.5 %", "0%"])
def test_numeric_accepts_decimals(answer: str, tolerance: str) -> None:
    assert found(NUMERIC.format(a=answer, t=tolerance)) == []


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (
            "1,000",
            "write `1000` if the comma groups thousands, or `1.000` if it is a decimal comma",
        ),
        ("9,81", "write the decimal comma as a point: `9.81`"),
        ("-0,5", "`-0.5`"),
        ("1,000,000", "write `1000000` if the comma groups thousands;"),
        ("6 shards", "unit"),
        ("six", "plain decimal"),
    ],
)
def test_numeric_answer_not_decimal(answer: str, hint: str) -> None:
    (p,) = found(NUMERIC.format(a=answer, t="0"))
    assert where(p) == ("QB210", 4, 9)
    assert hint in (p.hint or "")


@pytest.mark.parametrize(
    ("tolerance", "message"),
    [("-1", "negative"), ("-2%", "negative"), ("abc", "not a decimal"), ("%", "not a decimal")],
)
def test_numeric_bad_tolerance(tolerance: str, message: str) -> None:
    (p,) = found(NUMERIC.format(a="6", t=tolerance))
    assert where(p) == ("QB211", 5, 12)
    assert message in p.message


# -- order, match, points -------------------------------------------------------------------------


def test_order_needs_two_items() -> None:
    (p,) = found("id: o\ntype: order\ntext: Order.\nexplanation: x.\nitems: [Only]\n")
    assert where(p) == ("QB212", 5, 8)


def test_match_pairs() -> None:
    text = """\
    id: m
    type: match
    text: Match them.
    explanation: x.
    pairs:
      - [SSE-S3, S3 keys]
      - [SSE-KMS, KMS keys]
      - [sse-s3, Customer keys]
      - [SSE-C, kms  KEYS]
    """
    problems = found(text)
    assert [where(p) for p in problems] == [("QB213", 8, 6), ("QB213", 9, 13)]
    assert "left-hand" in problems[0].message and "right-hand" in problems[1].message
    (one,) = found("id: m\ntype: match\ntext: M.\nexplanation: x.\npairs: [[a, b]]\n")
    assert one.rule == "QB212"


@pytest.mark.parametrize("points", ["0", "-2"])
def test_points_must_be_positive(points: str) -> None:
    text = f"id: t\ntype: truefalse\ntext: IAM is global.\nanswer: true\npoints: {points}\n"
    (p,) = found(text + "explanation: x.\n")
    assert where(p) == ("QB214", 5, 9)


# -- whole banks -------------------------------------------------------------------------------


def test_rules_run_through_validate_with_question_ids(make_bank: Callable[..., Path]) -> None:
    root = make_bank({"q.yaml": SINGLE.format(a="false", b="false", c="false")})
    report = validate(load_bank(root))
    assert [(p.rule, p.location.file, p.question_id) for p in report.errors] == [
        ("QB201", "q.yaml", "q")
    ]
    assert report.exit_code() == 1


def test_sample_bank_has_no_answer_problems(sample_bank: Path) -> None:
    report = validate(load_bank(sample_bank))
    assert report.errors == []
    assert [p for p in report.problems if p.rule.startswith("QB2")] == []
