"""`qbank import aiken`: the plain A–D format as Moodle reads it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from qbank.cli import main
from qbank.load import load_bank

AIKEN = """\
What is the correct answer to this question?
A. Is it this one?
B. Maybe this answer?
C. Possibly this one?
D. Must be this one!
ANSWER: D

Which LMS has the most Aiken-format options?
A) Moodle
B) ATutor
C) Claroline
D) Blackboard
E) WebCT
F) Ilias
ANSWER: A

Is 2 * 3 < 7 and a_b a <b>tag</b>?
A) yes
B) no
ANSWER: A

Broken: the answer is not a choice
A) one
B) two
ANSWER: C

No answer line
A) one
B) two
"""


def test_aiken(tmp_path: Path) -> None:
    src = tmp_path / "quiz.txt"
    src.write_text(AIKEN, encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "aiken", str(src), "--into", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert (
        "quiz.txt:22: not imported: question: ANSWER C is not one of its choices A, B"
        in result.output
    )
    assert "quiz.txt:27: not imported: question: no `ANSWER:` line (end of file)" in result.output
    assert "imported 3 of 5; 2 not imported (see above)" in result.output
    questions = load_bank(tmp_path / "b").questions
    assert [q.type for q in questions] == ["single"] * 3
    assert [o.text for o in questions[0].options] == [
        "Is it this one?",
        "Maybe this answer?",
        "Possibly this one?",
        "Must be this one!",
    ]
    assert [o.correct for o in questions[1].options] == [True] + [False] * 5
    # plain text: markdown and HTML characters are escaped, so it shows as typed
    assert questions[2].text == "Is 2 \\* 3 < 7 and a_b a \\<b>tag\\</b>?"
    assert questions[2].options[0].text == "yes"
    text = (tmp_path / "b" / "quiz.yaml").read_text()
    assert "- text: 'yes'" in text  # quoted: YAML 1.1 tools would read a boolean


def test_not_aiken(tmp_path: Path) -> None:
    src = tmp_path / "notes.txt"
    src.write_text("Some notes\nA) not really\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "aiken", str(src), "--into", str(tmp_path / "b")])
    assert result.exit_code == 1
    assert "notes.txt:1: no `ANSWER: X` line: not an Aiken file" in result.output
