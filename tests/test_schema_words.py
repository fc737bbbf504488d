"""Schema errors in our own words (issue 12, point 5), through the real CLI: one finding per
misspelt key with did-you-mean (questions, quizzes, the manifest), a bad file-level default
reported once at its own line, no pydantic jargon, and questions before a YAML error still
checked."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import DEFAULT_MANIFEST
from qbank.cli import main

MakeBank = Callable[..., Path]
JARGON = (
    "Input should",
    "after validation",
    "valid dictionary",
    "valid list",
    "valid string",
    "Field required",
    "Extra inputs",
    "Value error",
)


def problems(bank: Path) -> tuple[int, list[dict[str, Any]], dict[str, Any]]:
    result = CliRunner().invoke(
        main, ["validate", str(bank), "--format", "json"], env={"GITHUB_ACTIONS": "false"}
    )
    doc = json.loads(result.output)
    return result.exit_code, doc["problems"], doc


def where(p: dict[str, Any]) -> tuple[str, int, int, str]:
    return (p["path"], p["line"], p["column"], p["rule"])


GOOD = "    text: Fine.\n    answer: true\n    explanation: Yes.\n"


def test_misspelt_type_is_one_unknown_field(make_bank: MakeBank) -> None:
    bank = make_bank({"q.yaml": "questions:\n  - id: a\n    typ: truefalse\n" + GOOD})
    code, found, _ = problems(bank)
    assert code == 1
    (p,) = found
    assert where(p) == ("q.yaml", 3, 5, "QB101")
    assert (p["message"], p["hint"]) == ("unknown field `typ`", "did you mean `type`?")


def test_misspelt_required_field_is_one_finding(make_bank: MakeBank) -> None:
    bank = make_bank(
        {
            "q.yaml": "questions:\n  - id: b\n    type: single\n    txet: Pick.\n"
            "    explanation: B.\n    options:\n      - txt: A\n      - text: B\n"
            "        correct: true\n"
        }
    )
    code, found, _ = problems(bank)
    assert code == 1
    assert [(where(p), p["message"], p["hint"]) for p in found] == [
        (
            ("q.yaml", 4, 5, "QB101"),
            "unknown field `txet` for a `single` question",
            "did you mean `text`?",
        ),
        (("q.yaml", 7, 9, "QB101"), "unknown field `txt`", "did you mean `text`?"),
    ]


def test_did_you_mean_in_quiz_and_manifest_keys(make_bank: MakeBank) -> None:
    manifest = DEFAULT_MANIFEST + "dedup:\n  treshold: 80\nlnit:\n  ignore: []\n"
    bank = make_bank(
        {
            "q.yaml": "id: a\ntype: truefalse\ntopic: '4.3'\n" + GOOD.replace("    ", ""),
            "quizzes/x.yaml": "title: X\nsections:\n  - topic: '4.3'\n    cuont: 1\n"
            "shufle_questions: false\n",
        },
        manifest=manifest,
    )
    code, found, _ = problems(bank)
    assert code == 1
    got = {(p["path"], p["line"], p["column"], p["message"], p["hint"]) for p in found}
    assert got == {
        ("qbank.yaml", 9, 3, "unknown field `treshold`", "did you mean `threshold`?"),
        ("qbank.yaml", 10, 1, "unknown field `lnit`", "did you mean `lint`?"),
        ("quizzes/x.yaml", 4, 5, "unknown field `cuont`", "did you mean `count`?"),
        (
            "quizzes/x.yaml",
            5,
            1,
            "unknown field `shufle_questions`",
            "did you mean `shuffle_questions`?",
        ),
    }


@pytest.mark.parametrize(
    ("header", "line", "col", "message"),
    [
        (
            "difficulty: extreme\n",
            1,
            13,
            "`difficulty` must be one of `easy`, `medium` or `hard`, not `extreme`",
        ),
        (
            "tags: aws\n",
            1,
            7,
            "`tags` must be a list (`[a, b]`, or one `- item` per line), not `aws`",
        ),
        ("topic: [a, b]\n", 1, 8, "`topic` must be text, not a list"),
    ],
)
def test_bad_file_default_is_reported_once(
    make_bank: MakeBank, header: str, line: int, col: int, message: str
) -> None:
    items = "".join(
        f"  - id: q{i}\n    type: truefalse\n" + GOOD.replace("Fine", f"Fine {i}") for i in range(3)
    )
    bank = make_bank({"q.yaml": header + "questions:\n" + items})
    code, found, _ = problems(bank)
    assert code == 1
    errors = [p for p in found if p["severity"] == "error"]
    assert [(where(p), p["message"]) for p in errors] == [(("q.yaml", line, col, "QB103"), message)]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "    type: truefalse\n    text: X\n    answer: true\n    difficulty: [easy]\n",
            "`difficulty` must be one of `easy`, `medium` or `hard`, not a list",
        ),
        (
            "    type: single\n    text: Pick.\n    options: A\n",
            "`options` must be a list (`[a, b]`, or one `- item` per line), not `A`",
        ),
        ("    type: single\n    text: ''\n    options: [A, B]\n", "`text` is empty"),
        (
            "    type: single\n    text: Pick.\n    options: [{text: '4.', correct: true}, ' ']\n",
            "`options.1.text` is empty (only spaces)",
        ),
        (
            "    type: match\n    text: M\n    pairs: [[a, b], [c]]\n",
            "`pairs.1` must be a pair: `[left, right]`",
        ),
        (
            "    type: truefalse\n    text: X\n    answer: true\n    tags: {a: b}\n",
            "`tags` must be a list (`[a, b]`, or one `- item` per line), not a mapping",
        ),
        (
            "    type: single\n    text: X\n    options: [{text: A, correct: true}, {text: [B]}]\n",
            "`options.1.text` must be text, not a list",
        ),
    ],
)
def test_schema_messages_in_our_words(make_bank: MakeBank, body: str, message: str) -> None:
    bank = make_bank({"q.yaml": "questions:\n  - id: a\n" + body})
    code, found, _ = problems(bank)
    assert code == 1
    messages = [p["message"] for p in found if p["rule"].startswith("QB1")]
    assert messages == [message]


def test_no_pydantic_jargon_anywhere(make_bank: MakeBank) -> None:
    bank = make_bank(
        {
            "q.yaml": "questions:\n"
            "  - id: a\n    type: essay\n    text: X\n    lines: many\n"
            "  - id: b\n    type: numeric\n    text: X\n    answer: 1\n    points: 0\n"
            "  - id: c\n    type: order\n    text: X\n    items: x\n"
            "  - id: d\n    type: short\n    text: X\n    answers: []\n"
            "  - id: e\n    type: truefalse\n    text: X\n    answer: true\n    shuffle: maybe\n",
            "quizzes/x.yaml": "title: X\nforms: 30\nsections: {topic: '4.3'}\n",
        },
        manifest="id: x\ntitle: ''\ntopics: [a]\n",
    )
    code, found, _ = problems(bank)
    assert code == 1 and len(found) >= 7
    for p in found:
        assert not any(j in p["message"] for j in JARGON), p["message"]
    assert any(p["message"] == "`forms` must be at most 26, not `30`" for p in found)


def test_questions_before_a_yaml_error_are_checked(
    make_bank: MakeBank, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = [
        f"  - id: q{i}\n    type: truefalse\n    text: Claim {c} holds.\n    answer: true\n"
        "    explanation: Yes.\n"
        for i, c in enumerate(["alpha beta", "gamma delta", "epsilon zeta"])
    ]
    broken = "  - id: bad\n    type: truefalse\n    text: Case: the VM: a [list\n    answer: true\n"
    text = "questions:\n" + items[0] + items[1] + broken + items[2]
    bank = make_bank({"x.yaml": text})
    monkeypatch.chdir(bank.parent)  # paths are shown from the current folder
    code, found, doc = problems(bank)
    assert code == 1
    assert [where(p) for p in found] == [("x.yaml", 14, 15, "QB001")]
    assert doc["bank"]["questions"] == 2
    assert doc["bank"]["partial_files"] == [{"path": "x.yaml", "line": 11}]
    assert doc["summary"]["text"] == (
        "Found 1 error and 0 warnings. Checked 2 questions; questions after line 11 of "
        f"{bank.name}/x.yaml were not checked."
    )


def test_failed_count_includes_questions_without_id(make_bank: MakeBank) -> None:
    bank = make_bank(
        {
            "q.yaml": "questions:\n  - id: ok\n    type: truefalse\n"
            + GOOD
            + "  - type: truefalse\n"
            + GOOD
            + "  - just text\n"
        }
    )
    _, _, doc = problems(bank)
    assert (doc["bank"]["questions"], doc["bank"]["failed"]) == (1, 2)
    assert "Checked 1 of 3 questions (2 failed the schema)." in doc["summary"]["text"]
