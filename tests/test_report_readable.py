"""A report people read (issue 12, point 5): the tally by rule, ``--statistics``, clipped
code frames and a summary that says what was checked — through the real CLI."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank.cli import main
from qbank.validate.reporters import Coverage
from qbank.validate.reporters.full_format import FRAME_WIDTH, clip

MakeBank = Callable[..., Path]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env={"GITHUB_ACTIONS": "false"})
    return result.exit_code, result.output


TF = """\
  - id: {id}
    type: truefalse
    text: {text}
    answer: true
"""


def _stem(i: int) -> str:
    """A stem no other stem of the bank resembles (so no duplicate findings)."""
    digest = hashlib.sha256(str(i).encode()).hexdigest()
    return " ".join(digest[j : j + 6] for j in range(0, 48, 6)).capitalize() + "?"


def _questions(n: int, *, explained: int = 0) -> str:
    out = ["questions:"]
    for i in range(n):
        out.append(TF.format(id=f"q{i}", text=_stem(i)).rstrip())
        if i < explained:
            out.append("    explanation: Because.")
    return "\n".join(out) + "\n"


def test_full_ends_with_a_tally_by_rule(make_bank: MakeBank) -> None:
    bank = make_bank(
        {
            "a.yaml": _questions(3)
            + "  - id: q9\n    type: single\n    text: Pick.\n    options: [A, B]\n"
        }
    )
    code, out = run("validate", str(bank))
    assert code == 1
    tail = out.split("Findings by rule:\n", 1)[1].splitlines()
    assert tail[0] == "4  QB401  missing-explanation   warning  not fixable"
    assert tail[1] == "1  QB201  single-correct-count  error    not fixable"
    assert tail[2] == "5  in total, 2 rules"
    assert tail[-1] == "Found 1 error and 4 warnings. Checked 4 questions."


def test_statistics_prints_only_the_tally(make_bank: MakeBank) -> None:
    bank = make_bank({"a.yaml": _questions(1200)})
    code, out = run("validate", str(bank), "--statistics")
    assert code == 0  # warnings only
    assert out == (
        "1,200  QB401  missing-explanation  warning  not fixable\n"
        "1,200  in total, 1 rule\n"
        "\n"
        "Found 0 errors and 1,200 warnings. Checked 1,200 questions.\n"
    )


def test_statistics_refuses_machine_formats(make_bank: MakeBank) -> None:
    bank = make_bank({"a.yaml": _questions(1)})
    code, out = run("validate", str(bank), "--statistics", "--format", "json")
    assert code == 2
    assert "--statistics prints a text table" in out


def test_singular_and_clean_summary(make_bank: MakeBank) -> None:
    bank = make_bank({"a.yaml": _questions(1, explained=1)})
    code, out = run("validate", str(bank))
    assert (code, out) == (0, "All checks passed. Checked 1 question.\n")
    bank = make_bank({"a.yaml": _questions(1)})
    code, out = run("validate", str(bank), "--format", "concise")
    assert out.splitlines()[-1] == "Found 0 errors and 1 warning. Checked 1 question."


def test_summary_says_what_was_not_checked(
    make_bank: MakeBank, monkeypatch: pytest.MonkeyPatch
) -> None:
    bank = make_bank(
        {
            "good.yaml": _questions(2, explained=2),
            "schema.yaml": "questions:\n"
            "  - id: ok\n    type: truefalse\n    text: Fine.\n    answer: true\n"
            "    explanation: Yes.\n"
            "  - id: broken\n    type: truefalse\n    text: No answer.\n",
            "syntax.yaml": "questions:\n  - id: x\n    text: [unclosed\n",
        }
    )
    monkeypatch.chdir(bank.parent)  # paths are shown from the current folder
    code, out = run("validate", str(bank), "--format", "concise")
    assert code == 1
    assert out.splitlines()[-1] == (
        f"Found 2 errors and 0 warnings. Checked 3 of 4 questions (1 failed the schema); "
        f"{bank.name}/syntax.yaml could not be parsed."
    )
    code, out = run("validate", str(bank), "--format", "json")
    doc = json.loads(out)
    assert doc["bank"]["questions"] == 3
    assert doc["bank"]["failed"] == 1
    assert doc["bank"]["unparsed_files"] == ["syntax.yaml"]
    assert doc["summary"]["text"].startswith("Found 2 errors and 0 warnings. Checked 3 of 4")


def test_nothing_checked_is_never_in_0_questions(
    make_bank: MakeBank, monkeypatch: pytest.MonkeyPatch
) -> None:
    bank = make_bank({"only.yaml": "questions:\n  - id: x\n    text: [unclosed\n"})
    monkeypatch.chdir(bank.parent)  # paths are shown from the current folder
    code, out = run("validate", str(bank), "--format", "concise")
    assert code == 1
    last = out.splitlines()[-1]
    assert "0 questions" not in last
    assert last == (
        f"Found 1 error and 0 warnings. No questions were checked; "
        f"{bank.name}/only.yaml could not be parsed."
    )


@pytest.mark.parametrize(
    ("coverage", "sentence"),
    [
        (
            Coverage(checked=2084, failed=26, unparsed=("x.yaml",)),
            "Checked 2,084 of 2,110 questions (26 failed the schema); x.yaml could not be parsed.",
        ),
        (
            Coverage(checked=5, unparsed=("a.yaml", "b.yaml"), partial=(("x.yaml", 40),)),
            "Checked 5 questions; 2 files could not be parsed; questions after line 40 of x.yaml "
            "were not checked.",
        ),
        (Coverage(), "The bank has no questions."),
        (Coverage(checked=0, failed=1), "Checked 0 of 1 question (1 failed the schema)."),
    ],
)
def test_coverage_sentence(coverage: Coverage, sentence: str) -> None:
    assert coverage.sentence() == sentence


def test_long_lines_are_clipped_around_the_column(make_bank: MakeBank) -> None:
    """A pasted 4,000-character case study: the frame shows ~120 characters around the
    spot, with … where it was cut, and the caret under the spot."""
    case = ("Contoso runs a fleet of virtual machines in three regions. " * 70).strip()
    text = case + " The team writes <b>bold</b> and asks what to do next. " + case
    bank = make_bank(
        {
            "case.yaml": TF.format(id="case", text=text).replace("  - ", "questions:\n  - ", 1)
            + "    explanation: Because.\n"
        }
    )
    code, out = run("validate", str(bank), "--format", "full")
    assert code == 0
    block = next(b for b in out.split("\n\n") if "QB505" in b).splitlines()
    col = int(block[0].split(":")[2])
    assert 4000 < col < 5000
    source, caret = block[3], block[4]
    assert source.startswith("4 | …") and source.endswith("…")
    shown = source[len("4 | ") :]
    assert len(shown) == FRAME_WIDTH + 2  # the window and the two ellipses
    at = caret.index("^")
    assert caret[at:] == "^^^"
    assert source[at : at + 3] == "<b>"
    assert max(len(line) for line in out.splitlines() if "|" in line) < 130


def test_clip_keeps_short_lines() -> None:
    assert clip("short", 0) == ("short", 0)
    shown, lead = clip("x" * 300, 100)
    assert (shown[0], shown[-1], lead, len(shown)) == ("…", "…", 1, FRAME_WIDTH + 2)


def test_odd_characters_in_a_clipped_frame(make_bank: MakeBank) -> None:
    """Non-ASCII text (accents, CJK, emoji) from a real paste is clipped by characters,
    never split into invalid text."""
    text = "Ünïcödé — 日本語のテキスト 🚀 " * 20 + "<i>x</i>"
    bank = make_bank(
        {"u.yaml": "questions:\n" + TF.format(id="u", text=f'"{text}"') + "    explanation: ok\n"}
    )
    code, out = run("validate", str(bank))
    assert code == 0
    frame = next(b for b in out.split("\n\n") if "QB505" in b).splitlines()
    assert frame[3].startswith("4 | …") and "<i>x</i>" in frame[3]


def test_tally_says_which_rules_qbank_fix_fixes(make_bank: MakeBank) -> None:
    bank = make_bank(
        {
            "a.yaml": "questions:\n  - id: q1\n    type: short\n    text: Which ratio?\n"
            "    answers: [0.10]\n    explanation: One in ten.\n"
        }
    )
    code, out = run("validate", str(bank), "--statistics")
    assert code == 0
    assert out.splitlines()[0] == "1  QB003  implicit-type  warning  fixable"
    assert out.rstrip().endswith("1 fixable with `qbank fix`.")
