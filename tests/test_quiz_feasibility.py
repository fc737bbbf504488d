"""Quiz feasibility in validate (issue 12, point 4): what `qbank draw` and the exports would
refuse is an error at the quiz or manifest line — and validate and draw say the same thing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from conftest import DEFAULT_MANIFEST
from qbank.cli import main

MakeBank = Callable[..., Path]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env={"GITHUB_ACTIONS": "false"})
    return result.exit_code, result.output


def _bank_questions(topics: dict[str, int]) -> str:
    """`questions:` with n distinct questions per topic (explained, no lint warnings)."""
    words = [
        "alpha",
        "bravo",
        "charlie",
        "delta",
        "echo",
        "foxtrot",
        "golf",
        "hotel",
        "india",
        "juliet",
        "kilo",
        "lima",
    ]
    out = ["questions:"]
    n = 0
    for topic, count in topics.items():
        for _ in range(count):
            a, b, c = words[n % 12], words[(n * 5 + 1) % 12], words[(n * 7 + 3) % 12]
            out += [
                f"  - id: t{topic.replace('.', '-')}-{n}",
                "    type: truefalse",
                f'    topic: "{topic}"',
                f"    text: Statement {n}, {a} {b} {c}, is {'true' if n % 2 else 'false'}.",
                "    answer: true",
                "    explanation: It is.",
            ]
            n += 1
    return "\n".join(out) + "\n"


def findings(bank: Path, *rules: str) -> tuple[int, list[dict[str, object]]]:
    code, out = run("validate", str(bank), "--format", "json")
    doc = json.loads(out)
    return code, [p for p in doc["problems"] if p["rule"] in rules]


def test_section_asking_for_more_than_match(make_bank: MakeBank) -> None:
    bank = make_bank(
        {
            "q.yaml": _bank_questions({"4.3": 3, "1.1": 2}),
            "quizzes/practice.yaml": 'title: Practice\nsections:\n  - topic: "4.3"\n    count: 5\n',
        }
    )
    code, found = findings(bank, "QB606")
    assert code == 1
    (p,) = found
    assert (p["path"], p["line"], p["column"]) == ("quizzes/practice.yaml", 4, 12)
    message = "section 1 (topic 4.3) asks for 5 questions but only 3 match"
    assert p["message"] == message
    assert p["severity"] == "error"
    # draw refuses the same quiz with the same words at the same place
    code, out = run("draw", str(bank), "--quiz", "practice")
    assert code == 1
    assert f"quizzes/practice.yaml:4:12: {message}" in out


def test_overlapping_sections_are_counted_like_the_draw(make_bank: MakeBank) -> None:
    """Topic 4 (4 questions, 3 of them 4.3) then 4.3: the draw fills the narrower section
    first, so "3 of 4.3 and 3 of 4" needs 6 distinct questions and only 4 exist."""
    bank = make_bank(
        {
            "q.yaml": _bank_questions({"4.3": 3, "4": 1}),
            "quizzes/exam.yaml": "title: Exam\nsections:\n"
            '  - topic: "4"\n    count: 3\n'
            '  - title: Security\n    topic: "4.3"\n    count: 3\n',
        }
    )
    code, found = findings(bank, "QB606")
    assert code == 1
    (p,) = found
    assert (p["line"], p["column"]) == (4, 12)
    assert p["message"] == (
        "section 1 (topic 4) asks for 3 questions but only 1 remain: "
        "3 of its 4 matches are already in other sections"
    )


def test_section_matching_nothing_is_reported_at_the_section(make_bank: MakeBank) -> None:
    bank = make_bank(
        {
            "q.yaml": _bank_questions({"4.3": 2}),
            "quizzes/x.yaml": 'title: X\nsections:\n  - topic: "4.3"\n    type: single\n',
        }
    )
    code, found = findings(bank, "QB606")
    assert code == 1
    (p,) = found
    assert p["message"] == "section 1 (topic 4.3; type single): no question matches"
    assert (p["line"], p["column"]) == (3, 5)


def test_forms_that_cannot_vary(make_bank: MakeBank) -> None:
    bank = make_bank(
        {
            "q.yaml": _bank_questions({"4.3": 3}),
            "quizzes/forms.yaml": "title: Forms\nforms: 3\nvary_questions: true\nsections:\n"
            '  - topic: "4.3"\n    count: 2\n',
        }
    )
    code, found = findings(bank, "QB607")
    assert code == 0  # a warning: the draw works, forms share questions
    (p,) = found
    assert (p["line"], p["column"], p["severity"]) == (3, 17, "warning")
    assert p["message"] == (
        "section 1: 3 questions match (topic 4.3), too few for 3 forms of 2 with none in "
        "common; 2 form(s) repeat questions used on earlier forms"
    )
    code, _ = run("validate", str(bank), "--strict")
    assert code == 1


def test_forms_that_can_vary_pass(make_bank: MakeBank) -> None:
    bank = make_bank(
        {
            "q.yaml": _bank_questions({"4.3": 6}),
            "quizzes/forms.yaml": "title: Forms\nforms: 3\nvary_questions: true\nsections:\n"
            '  - topic: "4.3"\n    count: 2\n',
        }
    )
    code, out = run("validate", str(bank))
    assert (code, out.splitlines()[-1]) == (0, "All checks passed. Checked 6 questions.")


def test_blueprint_weights_not_100(make_bank: MakeBank) -> None:
    manifest = DEFAULT_MANIFEST + 'blueprint:\n  "1": 20%\n  "4": 75.5%\n'
    bank = make_bank({"q.yaml": _bank_questions({"4.3": 1, "1.1": 1})}, manifest=manifest)
    code, found = findings(bank, "QB608")
    assert code == 1
    (p,) = found
    assert (p["path"], p["line"], p["column"]) == ("qbank.yaml", 8, 1)
    assert p["message"] == "the blueprint weights add up to 95.5%, not 100%"
    ok = DEFAULT_MANIFEST + 'blueprint:\n  "1": 24.5%\n  "4": 75.5%\n'
    bank = make_bank({"q.yaml": _bank_questions({"4.3": 1, "1.1": 1})}, manifest=ok)
    assert findings(bank, "QB608") == (0, [])


def test_unknown_topic_is_one_finding_not_also_infeasible(make_bank: MakeBank) -> None:
    bank = make_bank(
        {
            "q.yaml": _bank_questions({"4.3": 2}),
            "quizzes/x.yaml": 'title: X\nsections:\n  - topic: "4.4"\n    count: 1\n',
        }
    )
    code, found = findings(bank, "QB603", "QB606")
    assert code == 1
    assert [p["rule"] for p in found] == ["QB603"]
