"""QB4xx item-writing lint: thresholds, exemptions and positions."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from qbank.diagnostics import Problem, Severity
from qbank.load import load_bank, load_text
from qbank.validate import validate
from qbank.validate.rules import style
from qbank.validate.rules.style import check_question


def lint(yaml_text: str) -> list[Problem]:
    questions, problems = load_text(textwrap.dedent(yaml_text))
    assert not [p for p in problems if p.severity is Severity.ERROR], problems
    (q,) = questions
    return list(check_question(q))


def rules(yaml_text: str) -> list[str]:
    return [p.rule for p in lint(yaml_text)]


def choice(
    stem: str, options: list[str], *, key: int = 0, qtype: str = "single", extra: str = ""
) -> str:
    lines = [f"id: q\ntype: {qtype}\ntext: {stem}\nexplanation: Because.\n{extra}options:"]
    for i, o in enumerate(options):
        lines.append(f'  - text: "{o}"' + ("\n    correct: true" if i == key else ""))
    return "\n".join(lines) + "\n"


def test_all_warnings_are_warnings() -> None:
    from qbank.diagnostics import RULES

    assert {r.severity for r in RULES.values() if r.family == "QB4"} == {Severity.WARNING}


# -- QB401 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("explanation", [None, '""', '"   "'])
def test_missing_or_blank_explanation(explanation: str | None) -> None:
    text = "id: t\ntype: truefalse\ntext: IAM is global.\nanswer: true\n"
    if explanation is not None:
        text += f"explanation: {explanation}\n"
    (p,) = lint(text)
    assert (p.rule, p.location.line, p.location.col, p.question_id) == ("QB401", 1, 5, "t")


# -- QB402 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "flagged"),
    [
        ("All of the above", True),
        ("none of the above", True),
        ("Both of the above", True),
        ("All the above", True),
        ("None of these", False),  # position-independent
        ("Above all, S3", False),
    ],
)
def test_above_options_when_shuffled(option: str, flagged: bool) -> None:
    text = choice("Which stores objects?", ["S3", "EBS", option])
    found = [p for p in lint(text) if p.rule == "QB402"]
    assert bool(found) is flagged
    if flagged:
        assert (found[0].location.line, found[0].location.col) == (9, 12)


def test_above_option_with_pinned_order_is_fine() -> None:
    text = choice(
        "Which stores objects?", ["S3", "EBS", "None of the above"], extra="shuffle: false\n"
    )
    assert "QB402" not in rules(text)


# -- QB403 ---------------------------------------------------------------------------------


def test_longest_correct_threshold() -> None:
    wrong = "x" * 20
    clear = "k" * 30  # 1.5x and 10 longer: flagged
    assert "QB403" in rules(choice("Pick?", [clear, wrong, "y" * 5]))
    assert "QB403" not in rules(choice("Pick?", ["k" * 29, wrong, "y" * 5]))
    # ratio met but fewer than 10 extra characters: short keys are fine
    assert "QB403" not in rules(choice("Pick?", ["k" * 15, "x" * 6, "y" * 5]))
    # two options, or multi, are not judged
    assert "QB403" not in rules(choice("Pick?", [clear, wrong]))
    assert "QB403" not in rules(choice("Pick?", [clear, wrong, "y"], qtype="multi"))
    (p,) = [p for p in lint(choice("Pick?", [wrong, "y", clear], key=2)) if p.rule == "QB403"]
    assert (p.location.line, p.location.col) == (8, 11)
    assert "30 characters" in p.message and "has 20" in p.message


# -- QB404 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stem", "flagged"),
    [
        ("Which of these is not a VPC feature?", True),
        ("All are VPC features except which one?", True),
        ("Which of these is NOT a VPC feature?", False),
        ("Which of these is **not** a VPC feature?", False),
        ("Which of these is _not_ a VPC feature?", False),
        ("Which are VPC features, EXCEPT one?", False),
        ("The notebook cannot reach S3. Which feature should be added?", False),
        ("The data does not fit in memory. Which service helps?", False),
        ("Which service is nothing like S3?", False),
    ],
)
def test_negative_stem(stem: str, flagged: bool) -> None:
    found = [p for p in lint(choice(stem, ["IAM", "NACL", "SG"])) if p.rule == "QB404"]
    assert bool(found) is flagged


def test_negative_stem_points_at_the_word() -> None:
    text = choice("The data does not fit. Which of these is not needed?", ["a", "b", "c"])
    (p,) = [p for p in lint(text) if p.rule == "QB404"]
    # the second `not` (in the question sentence), not the one in the scenario
    assert (p.location.line, p.location.col, p.location.end_col) == (3, 48, 51)


def test_truefalse_statements_may_be_negative() -> None:
    text = "id: t\ntype: truefalse\ntext: S3 is not a block store.\nanswer: true\nexplanation: x.\n"
    assert lint(text) == []


# -- QB407 ---------------------------------------------------------------------------------


def test_stem_word_limit_counts_visible_words() -> None:
    words = " ".join(["word"] * style.STEM_MAX_WORDS)
    at_limit = f"id: s\ntype: short\ntext: {words}\nanswers: [x]\nexplanation: x.\n"
    assert lint(at_limit) == []
    over = at_limit.replace("text: ", "text: one more ")
    (p,) = lint(over)
    assert p.rule == "QB407" and f"{style.STEM_MAX_WORDS + 2} words" in p.message
    # markup is not counted: 100 bullets are 200 raw tokens but 100 visible words
    bullets = "".join(f"\n  - w{i}" for i in range(style.STEM_MAX_WORDS))
    listed = at_limit.replace(f"text: {words}", "text: |-" + bullets)
    assert lint(listed) == []
    essay = over.replace("type: short", "type: essay").replace("answers: [x]\n", "")
    assert lint(essay) == []


def test_stem_word_limit_counts_words_rendering_adds() -> None:
    # 62 raw words, 124 visible ones: a non-breaking space between two words splits them
    spaced = " ".join(["one&nbsp;two"] * 62)
    (p,) = lint(f"id: s\ntype: short\ntext: '{spaced}'\nanswers: [x]\nexplanation: x.\n")
    assert p.rule == "QB407" and "124 words" in p.message
    # a table row: one raw word per row, a word per cell
    row = "|" + "|".join(f"c{i}" for i in range(60)) + "|"
    table = f"{row}\n{'|---' * 60}|\n{row}"
    text = "".join(f"\n  {line}" for line in table.splitlines())
    (p,) = lint(f"id: s\ntype: short\ntext: |-{text}\nanswers: [x]\nexplanation: x.\n")
    assert p.rule == "QB407" and "120 words" in p.message


# -- bank-wide rules --------------------------------------------------------------------------


def _pinned_bank(keys: list[int], n_options: int = 4, shuffle: str = "false") -> str:
    out = ["questions:"]
    for i, key in enumerate(keys):
        out += [
            f"  - id: q{i}",
            "    type: single",
            f"    text: Question number {i} about topic {i * 7}?",
            f"    shuffle: {shuffle}",
            "    explanation: Because.",
            "    options:",
        ]
        for j in range(n_options):
            out.append(f'      - text: "answer {i}-{j}"')
            if j == key:
                out.append("        correct: true")
    return "\n".join(out) + "\n"


def _bank_rules(make_bank: Callable[..., Path], files: dict[str, str], rule: str) -> list[Problem]:
    report = validate(load_bank(make_bank(files)))
    return [p for p in report.problems if p.rule == rule]


def test_position_bias_detected(make_bank: Callable[..., Path]) -> None:
    keys = [1] * 8 + [0, 2, 3, 1]
    (p,) = _bank_rules(make_bank, {"q.yaml": _pinned_bank(keys)}, "QB405")
    assert p.severity is Severity.WARNING
    assert p.data["position"] == "B" and p.data["observed"] == 9 and p.data["expected"] == 3.0
    assert len(p.related) == 8  # the other eight questions with the key in B
    assert p.location.line == 10  # q0's `correct: true`
    assert p.question_id is None and p.fingerprint == "QB405:B"


@pytest.mark.parametrize(
    ("keys", "shuffle"),
    [
        ([0, 1, 2, 3] * 3, "false"),  # balanced
        ([1] * 5, "false"),  # too few pinned questions to judge
        ([1] * 12, "true"),  # shuffled questions are immune
    ],
)
def test_position_bias_quiet(make_bank: Callable[..., Path], keys: list[int], shuffle: str) -> None:
    assert _bank_rules(make_bank, {"q.yaml": _pinned_bank(keys, shuffle=shuffle)}, "QB405") == []


def _topic_file(topic: str, counts: list[int], qtype: str = "single") -> str:
    out = [f'topic: "{topic}"', "questions:"]
    for i, n in enumerate(counts):
        out += [
            f"  - id: t{topic.replace('.', '-')}-{qtype}-{i}",
            f"    type: {qtype}",
            f"    text: Distinct question {i} for {topic} {qtype} number {i * 13}?",
            "    explanation: Because.",
            "    options:",
        ]
        for j in range(n):
            out.append(f'      - text: "choice {i}.{j}"')
            if j == 0:
                out.append("        correct: true")
    return "\n".join(out) + "\n"


def test_inconsistent_option_counts(make_bank: Callable[..., Path]) -> None:
    files = {"a.yaml": _topic_file("1.1", [4, 4, 4, 3])}
    (p,) = _bank_rules(make_bank, files, "QB406")
    assert p.question_id == "t1-1-single-3"
    assert "3 of the 4 `single` questions in topic 1.1 have 4" in p.message
    assert (p.location.line, p.location.col) == (37, 5)  # its `options:` key


@pytest.mark.parametrize(
    "files",
    [
        {"a.yaml": _topic_file("1.1", [4, 3])},  # too few to compare
        {"a.yaml": _topic_file("1.1", [4, 4, 3, 3])},  # no strict majority
        {"a.yaml": _topic_file("1.1", [4, 4]), "b.yaml": _topic_file("4.3", [3])},  # topics
        {"a.yaml": _topic_file("1.1", [4, 4]), "b.yaml": _topic_file("1.1", [5], "multi")},
    ],
)
def test_option_counts_quiet(make_bank: Callable[..., Path], files: dict[str, str]) -> None:
    assert _bank_rules(make_bank, files, "QB406") == []


def test_sample_bank_warnings_are_few_and_genuine(sample_bank: Path) -> None:
    report = validate(load_bank(sample_bank))
    style_warnings = [(p.rule, p.question_id) for p in report.problems if p.rule.startswith("QB4")]
    assert style_warnings == []


def test_case_insensitive_pretest_is_exact() -> None:
    """``style._holds`` may skip ``_ABOVE``/``_NEGATIVE`` only because every character that
    ``re.IGNORECASE`` matches with a letter of their words lowers to that letter: checked
    over all of Unicode, and on texts the patterns match."""
    import re
    import sys

    from qbank.validate.rules import style

    letters = sorted(set("aboveblownotexcept"))
    any_letter = re.compile(f"[{''.join(letters)}]", re.IGNORECASE)
    candidates = [chr(c) for c in range(sys.maxunicode + 1) if any_letter.fullmatch(chr(c))]
    for letter in letters:
        pattern = re.compile(letter, re.IGNORECASE)
        odd = [hex(ord(c)) for c in candidates if pattern.fullmatch(c) and c.lower() != letter]
        assert odd == [], letter
    for text in ["NOT", "Which is nOt right?", "all of the ABOVE", "None Of The Below", "EXCEPT"]:
        if style._NEGATIVE.search(text):
            assert style._holds(text, "not", "except")
        if style._ABOVE.search(text):
            assert style._holds(text, "above", "below")
    assert not style._holds("Which one is right?", "not", "except")
