"""``qbank draw`` through click's CliRunner: the listing, the JSON manifest and the error exits."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from qbank.cli import main
from qbank.draw import Selection, draw, draw_manifest, manifest_json
from qbank.load import load_bank

GOLDEN = Path(__file__).parent / "golden"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["draw", *args], catch_exceptions=False)


def _assert_clean_refusal(result: Result, code: int = 1) -> str:
    """Exit 1 (a bank file cannot be met) or 2 (a command-line selection cannot be met:
    a usage error), one readable message on stderr, no traceback, nothing on stdout."""
    assert result.exit_code == code, (result.exit_code, result.output, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("qbank: ")
    return result.stderr


def test_text_listing_of_the_sample_quiz(sample_bank: Path) -> None:
    result = run(str(sample_bank), "--quiz", "4.3-practice")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "4.3 AWS security for machine learning"
    assert "quiz quizzes/4.3-practice.yaml" in lines[1] and "seed 2026" in lines[1]
    assert lines[2] == "section 1: topic 4.3 × 5 (10 match)"
    assert "Form A · 5 questions · 5 points" in lines
    header = lines.index("Form A · 5 questions · 5 points") + 1
    assert re.split(r"\s+", lines[header]) == ["#", "id", "type", "topic", "stem", "key"]
    rows = lines[header + 1 : header + 6]
    d = draw(load_bank(sample_bank), Selection(quiz="4.3-practice"))
    stem_col = lines[header].index("stem")
    key_col = lines[header].index("key")
    for row, x in zip(rows, d.forms[0].questions, strict=True):
        cells = row.split()
        assert cells[:4] == [str(x.number), x.id, x.question.type, "4.3"]
        stem = row[stem_col:key_col].rstrip()
        assert 0 < len(stem) <= 70
        assert row[key_col:] == x.key_text
        if x.question.is_choice:
            assert row[key_col:] == ", ".join(x.correct_letters)
    # the stem is plain text: cloze blanks are hidden, no markup or answers leak
    cloze_rows = [
        r for r, x in zip(rows, d.forms[0].questions, strict=True) if x.question.type == "cloze"
    ]
    assert cloze_rows and all("{{" not in r[:key_col] for r in cloze_rows)
    assert all("___" in r[:key_col] or "…" in r for r in cloze_rows)


def test_json_is_the_manifest_and_matches_the_golden(sample_bank: Path) -> None:
    result = run(str(sample_bank), "--quiz", "4.3-practice", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (GOLDEN / "sample-4.3-practice.json").read_text(encoding="utf-8")
    m = json.loads(result.stdout)
    assert m == draw_manifest(draw(load_bank(sample_bank), Selection(quiz="4.3-practice")))
    golden = run(str(GOLDEN / "bank"), "--quiz", "mock", "--include-drafts", "--format", "json")
    assert golden.stdout == (GOLDEN / "golden-mock-quiz.json").read_text(encoding="utf-8")


def test_ad_hoc_selection_options(sample_bank: Path) -> None:
    args = [str(sample_bank), "--topic", "4", "--type", "single", "--type", "multi"]
    args += ["--count", "4", "--seed", "7", "--forms", "2", "--format", "json"]
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    m = json.loads(result.stdout)
    assert m["seed"] == "7" and [f["form"] for f in m["forms"]] == ["A", "B"]
    bank = load_bank(sample_bank).by_id()
    for form in m["forms"]:
        assert len(form["questions"]) == 4
        for q in form["questions"]:
            assert bank[q["id"]].type in ("single", "multi")
            assert bank[q["id"]].topic.startswith("4.")
    # the same command prints the same bytes again
    assert run(*args).stdout == result.stdout


def test_tags_and_ids_are_comma_separated(sample_bank: Path) -> None:
    result = run(
        str(sample_bank), "--ids", "vpc-security-features,nat-gateway-purpose", "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    ids = [q["id"] for q in json.loads(result.stdout)["forms"][0]["questions"]]
    assert ids == ["vpc-security-features", "nat-gateway-purpose"]
    tagged = run(str(sample_bank), "--tag", "security,nonsense-never", "--format", "json")
    assert "unknown tag `nonsense-never`" in _assert_clean_refusal(tagged, 2)


def test_forms_and_vary_questions_in_text(sample_bank: Path) -> None:
    result = run(str(sample_bank), "--quiz", "4.3-practice", "--forms", "3", "--vary-questions")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Form A · 5 questions" in out and "Form B · 5 questions" in out and "Form C" in out
    assert "different questions per form" in out
    assert "note: section 1: 10 questions match (topic 4.3), too few for 3 forms of 5" in out


def test_blueprint_in_text(sample_bank: Path) -> None:
    result = run(str(sample_bank), "--blueprint", "10", "--seed", "b")
    assert result.exit_code == 0, result.stderr
    assert "blueprint 10" in result.stdout.splitlines()[1]
    assert "blueprint topic 3 (36%): topic 3 × 4 (17 match)" in result.stdout
    assert "Form A · 10 questions" in result.stdout


def test_section_asking_for_too_many(make_bank: Callable[..., Path]) -> None:
    bank = make_bank(
        {
            "q.yaml": "questions:\n"
            + "".join(
                f'  - {{id: q{i}, type: truefalse, text: Q{i}., answer: true, topic: "4.3"}}\n'
                for i in range(4)
            ),
            "quizzes/week1.yaml": 'title: Week 1\nsections:\n  - topic: "4.3"\n    count: 9\n',
        }
    )
    err = _assert_clean_refusal(run(str(bank), "--quiz", "week1"))
    assert err.startswith("qbank: quizzes/week1.yaml:4:12: section 1 (topic 4.3) asks for 9")
    assert "but only 4 match" in err
    assert "help: lower the count" in err
    err = _assert_clean_refusal(run(str(bank), "--topic", "4.3", "--count", "5"), 2)
    assert "the selection (topic 4.3) asks for 5 questions but only 4 match" in err


def test_unknown_topic_tag_id_and_quiz(sample_bank: Path) -> None:
    err = _assert_clean_refusal(run(str(sample_bank), "--topic", "4.33"), 2)
    assert "unknown topic `4.33`" in err and "did you mean `4.3`?" in err
    err = _assert_clean_refusal(run(str(sample_bank), "--tag", "secutiry"), 2)
    assert "unknown tag `secutiry`" in err and "did you mean `security`?" in err
    err = _assert_clean_refusal(run(str(sample_bank), "--ids", "vpc-security-feature"), 2)
    assert "unknown question id `vpc-security-feature`" in err
    assert "did you mean `vpc-security-features`?" in err
    err = _assert_clean_refusal(run(str(sample_bank), "--quiz", "final-exam"), 2)
    assert "no quiz `final-exam` in the bank (quizzes: quizzes/4.3-practice.yaml)" in err
    err = _assert_clean_refusal(run(str(sample_bank), "--quiz", "4.3-practice", "--topic", "4"), 2)
    assert "--quiz cannot be combined with --topic" in err
    err = _assert_clean_refusal(run(str(sample_bank), "--blueprint", "61"), 2)
    assert "qbank.yaml:31:8: blueprint topic 1 (20%) needs 12 question(s) but only 11" in err
    # the same for every way of asking too much on the command line
    assert "asks for 1000" in _assert_clean_refusal(run(str(sample_bank), "--count", "1000"), 2)
    err = _assert_clean_refusal(run(str(sample_bank), "--blueprint", "1000"), 2)
    assert "needs" in err and "but only" in err


def test_usage_errors_exit_2(sample_bank: Path, tmp_path: Path) -> None:
    missing = run(str(tmp_path / "nope"))
    assert missing.exit_code == 2 and "bank folder not found" in missing.stderr
    bad_type = run(str(sample_bank), "--type", "multiple")
    assert bad_type.exit_code == 2 and "Traceback" not in bad_type.output
    assert run(str(sample_bank), "--forms", "0").exit_code == 2


def test_invalid_questions_are_named_and_left_out(make_bank: Callable[..., Path]) -> None:
    bank = make_bank(
        {
            "q.yaml": "questions:\n"
            "  - {id: good, type: truefalse, text: Good., answer: true}\n"
            "  - {id: bad, type: truefalse, text: Bad., answer: maybe}\n"
        }
    )
    result = run(str(bank), "--format", "json")
    assert result.exit_code == 0
    assert "1 question(s) with errors are left out: bad" in result.stderr
    assert [q["id"] for q in json.loads(result.stdout)["forms"][0]["questions"]] == ["good"]
    err = _assert_clean_refusal(run(str(bank), "--ids", "bad"))
    assert "`bad` have errors and cannot be drawn" in err


def test_draw_matches_library(sample_bank: Path) -> None:
    result = run(str(sample_bank), "--blueprint", "12", "--forms", "2", "--format", "json")
    expected = manifest_json(draw(load_bank(sample_bank), Selection(blueprint=12, forms=2)))
    assert result.stdout == expected
