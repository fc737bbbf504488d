"""``qbank export json`` (quiz format v1) against its published JSON Schema, and qbank's grader.

Every export of the sample bank is validated with ``jsonschema`` against
``exporters/web/quiz.schema.v1.json``; the tests then check what the schema cannot say:
ids are stable and consistent, keys are right, a student copy leaks no key, images are
bundled from inside the bank only, output is deterministic and written atomically, and
author text that looks like HTML stays text.
"""

from __future__ import annotations

import base64
import json
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from qbank.cli import main
from qbank.draw import Selection, draw
from qbank.export.web import quiz_json
from qbank.grade import blank_answers, grade, key_response, normalise_text, text_matches
from qbank.load import load_bank
from qbank.markup import to_text
from qbank.model import Cloze, Match, Multi, Numeric, Order, Short, Single, TrueFalse

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = ROOT / "exporters" / "web" / "quiz.schema.v1.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["export", *args], catch_exceptions=False)
    return result.exit_code, result.stderr


def export_json(bank: Path, out: Path, *args: str) -> dict[str, Any]:
    code, err = run("json", str(bank), "-o", str(out), *args)
    assert code == 0, err
    return json.loads(out.read_text(encoding="utf-8"))


def assert_valid(validator: jsonschema.Draft202012Validator, doc: dict[str, Any]) -> None:
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message[:300]}" for e in errors)


def questions(doc: dict[str, Any], form: int = 0) -> list[dict[str, Any]]:
    return doc["forms"][form]["questions"]


# -- every export of the sample bank validates -----------------------------------------------

EXPORTS = {
    "whole-bank": (),
    "quiz-4.3": ("--quiz", "4.3-practice"),
    "answers-omitted": ("--answers", "omit"),
    "quiz-4.3-omitted": ("--quiz", "4.3-practice", "--answers", "omit"),
    "media-embed": ("--media", "embed"),
    "media-copy": ("--media", "copy"),
    "two-forms": ("--quiz", "4.3-practice", "--forms", "2"),
    "filtered": ("--type", "numeric", "--type", "cloze", "--type", "order"),
}


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_sample_exports_validate_against_schema(
    name: str, sample_bank: Path, tmp_path: Path, validator: jsonschema.Draft202012Validator
) -> None:
    doc = export_json(sample_bank, tmp_path / f"{name}.json", *EXPORTS[name])
    assert_valid(validator, doc)
    assert doc["format"] == "qbank-quiz" and doc["version"] == 1
    assert doc["$schema"] == json.loads(SCHEMA_PATH.read_text())["$id"]
    assert doc["bank"] == {"id": "aws-mls", "title": "AWS Certified Machine Learning – Specialty"}
    assert all(questions(doc, i) for i in range(len(doc["forms"])))


def test_whole_bank_has_every_question_and_type(
    sample_bank: Path, tmp_path: Path, validator: jsonschema.Draft202012Validator
) -> None:
    doc = export_json(sample_bank, tmp_path / "bank.json")
    bank = load_bank(sample_bank)
    qs = questions(doc)
    assert [q["id"] for q in qs] == [q.id for q in bank.questions]
    assert {q["type"] for q in qs} == {
        "single", "multi", "truefalse", "cloze", "short", "numeric", "order", "match", "essay"
    }  # fmt: skip
    assert doc["answers"] == "included" and doc["quiz"] is None and doc["seed"] == "0"
    assert doc["forms"][0]["points"] == sum(q.points for q in bank.questions)
    assert set(doc["topics"]) == {q.topic for q in bank.questions if q.topic}


def test_quiz_metadata(sample_bank: Path, tmp_path: Path) -> None:
    doc = export_json(sample_bank, tmp_path / "q.json", "--quiz", "4.3-practice")
    assert doc["title"] == "4.3 AWS security for machine learning"
    assert doc["seed"] == "2026"
    assert doc["quiz"] == "quizzes/4.3-practice.yaml"
    assert doc["shuffle_questions"] is True and doc["shuffle_options"] is True
    assert doc["instructions"]["text"].startswith("Answer all five questions.")
    qs = questions(doc)
    assert [q["number"] for q in qs] == [1, 2, 3, 4, 5]
    assert {q["topic"] for q in qs} == {"4.3"}
    assert doc["topics"] == {
        "4.3": "Apply basic AWS security practices to machine learning solutions"
    }
    # the same draw as `qbank draw`: the export follows the shared selection code
    bank = load_bank(sample_bank)
    drawn = draw(bank, Selection(quiz="4.3-practice"))
    assert [q["id"] for q in qs] == [d.id for d in drawn.forms[0].questions]


def test_schema_rejects_what_it_should(
    sample_bank: Path, tmp_path: Path, validator: jsonschema.Draft202012Validator
) -> None:
    """The schema is not vacuous: keys in a student copy, unknown fields, bad ids fail."""
    full = export_json(sample_bank, tmp_path / "full.json")
    student = export_json(sample_bank, tmp_path / "student.json", "--answers", "omit")
    leaked = json.loads(json.dumps(student))
    leaked["forms"][0]["questions"][0]["answer"] = full["forms"][0]["questions"][0]["answer"]
    assert not validator.is_valid(leaked)
    keyless = json.loads(json.dumps(full))
    del keyless["forms"][0]["questions"][0]["answer"]
    assert not validator.is_valid(keyless)
    extra = json.loads(json.dumps(full))
    extra["forms"][0]["questions"][3]["surprise"] = 1
    assert not validator.is_valid(extra)
    bad_id = json.loads(json.dumps(full))
    first_choice = next(q for q in questions(bad_id) if q["type"] == "single")
    first_choice["options"][0]["id"] = "Not An Id"
    assert not validator.is_valid(bad_id)
    wrong_version = json.loads(json.dumps(full))
    wrong_version["version"] = 2
    assert not validator.is_valid(wrong_version)


# -- ids and keys ------------------------------------------------------------------------------


def test_option_ids_follow_the_bank_not_the_form(sample_bank: Path, tmp_path: Path) -> None:
    doc = export_json(sample_bank, tmp_path / "f.json", "--quiz", "4.3-practice", "--forms", "3")
    bank = load_bank(sample_bank).by_id()
    reordered = 0
    for form in range(3):
        for q in questions(doc, form):
            model = bank[q["id"]]
            for opt in q.get("options", []):
                index = int(opt["id"].rsplit(":o", 1)[1])
                assert opt["id"] == f"{q['id']}:o{index}"
                assert opt["text"] == to_text(model.options[index].text)  # type: ignore[union-attr]
            if "options" in q:
                shown = [int(o["id"].rsplit(":o", 1)[1]) for o in q["options"]]
                reordered += shown != sorted(shown)
    assert reordered, "the quiz shuffles options, so some form must show them out of order"


def test_answer_keys_for_every_type(sample_bank: Path, tmp_path: Path) -> None:
    doc = export_json(sample_bank, tmp_path / "bank.json")
    bank = load_bank(sample_bank).by_id()
    for q in questions(doc):
        model = bank[q["id"]]
        key = q["answer"]
        if isinstance(model, Single | Multi):
            assert key["options"] == [f"{model.id}:o{i}" for i in model.correct_indices]
            assert {o["id"] for o in q["options"]} >= set(key["options"])
        elif isinstance(model, TrueFalse):
            assert key == {"value": model.answer}
        elif isinstance(model, Cloze):
            assert [b["answers"] for b in key["blanks"]] == blank_answers(model)
            assert [b["id"] for b in key["blanks"]] == [b["id"] for b in q["blanks"]]
            assert q["html"].count('class="qbank-blank"') == len(q["blanks"])
            assert q["text"].count("_____") == len(q["blanks"])
            assert q["case_sensitive"] == model.case_sensitive
            assert q["max_words"] == model.max_words
        elif isinstance(model, Short):
            assert key["answers"] == model.answers
        elif isinstance(model, Numeric):
            low, high = model.tolerance_bounds()  # type: ignore[misc]
            assert Decimal(key["min"]) == low and Decimal(key["max"]) == high
            assert q["unit"] == model.unit
        elif isinstance(model, Order):
            texts = {i["id"]: i["text"] for i in q["items"]}
            assert [texts[i] for i in key["order"]] == [to_text(i) for i in model.items]
        elif isinstance(model, Match):
            lefts = {i["id"]: i["text"] for i in q["left"]}
            rights = {i["id"]: i["text"] for i in q["right"]}
            assert [(lefts[p["left"]], rights[p["right"]]) for p in key["pairs"]] == [
                (to_text(a), to_text(b)) for a, b in model.pairs
            ]
        else:
            assert q["graded"] is False and key["rubric"]


def test_sample_bank_specific_keys(sample_bank: Path, tmp_path: Path) -> None:
    qs = {q["id"]: q for q in questions(export_json(sample_bank, tmp_path / "b.json"))}
    glue = qs["glue-crawler-data-catalog"]
    assert glue["answer"]["blanks"] == [
        {"id": "glue-crawler-data-catalog:b0", "answers": ["crawler", "crawlers"]},
        {"id": "glue-crawler-data-catalog:b1", "answers": ["Data Catalog", "catalog"]},
    ]
    assert glue["max_words"] == 2 and glue["case_sensitive"] is False
    assert "crawler" not in glue["text"].split("AWS Glue ", 1)[1][:8]
    recall = qs["recall-from-confusion-matrix"]["answer"]
    assert recall == {"value": "0.75", "tolerance": "2%", "min": "0.735", "max": "0.765"}
    shards = qs["kinesis-shard-count"]
    assert shards["answer"]["min"] == shards["answer"]["max"] == "6"
    assert shards["unit"] == "shards" and shards["points"] == 2
    nat = qs["nat-gateway-purpose"]
    assert nat["answer"]["blanks"][0]["answers"] == ["NAT Gateway", "NAT"]
    assert nat["max_words"] == 4
    assert nat["explanation"]["text"].startswith("A NAT (Network Address Translation) gateway")


def test_student_copy_has_no_keys(sample_bank: Path, tmp_path: Path) -> None:
    full = export_json(sample_bank, tmp_path / "full.json")
    student = export_json(sample_bank, tmp_path / "student.json", "--answers", "omit")
    assert student["answers"] == "omitted"
    for q_full, q in zip(questions(full), questions(student), strict=True):
        assert "answer" not in q and "explanation" not in q
        assert all("feedback" not in o for o in q.get("options", []))
        # everything a learner needs to answer is still there
        same = {k: v for k, v in q_full.items() if k not in ("answer", "explanation", "options")}
        assert {k: v for k, v in q.items() if k != "options"} == same
    # no key leaks through the text of cloze questions: the blank is a placeholder
    nat = next(q for q in questions(student) if q["id"] == "nat-gateway-purpose")
    assert nat["text"].startswith("A _____ improves security")
    assert "NAT Gateway" not in nat["html"] and "NAT Gateway" not in json.dumps(nat)


# -- media -------------------------------------------------------------------------------------


def test_media_embedded_once_per_file(sample_bank: Path, tmp_path: Path) -> None:
    doc = export_json(sample_bank, tmp_path / "bank.json", "--media", "embed")
    q = next(q for q in questions(doc) if q["id"] == "sagemaker-interface-endpoint")
    (media,) = q["media"]
    assert media["src"] == "media/nat-gateway.png" and media["type"] == "image/png"
    assert media["alt"] == "NAT gateway in a public subnet"
    assert media["url"].startswith("#qbank-file:")
    file = doc["files"][media["url"].removeprefix("#qbank-file:")]
    png = (sample_bank / "media" / "nat-gateway.png").read_bytes()
    assert file == {
        "src": "media/nat-gateway.png",
        "type": "image/png",
        "data": base64.b64encode(png).decode(),
    }
    assert f'src="{media["url"]}"' in q["html"]
    assert not list(tmp_path.glob("*-media"))


def test_a_shared_image_is_embedded_once(make_bank: Any, tmp_path: Path) -> None:
    png = (ROOT / "bank/media/nat-gateway.png").read_bytes()
    uses = "\n".join(
        f"- id: q{i}\n  type: truefalse\n  answer: true\n  text: 'See ![net](media/{'ab'[i % 2]}.png) {i}'"
        for i in range(30)
    )
    bank = make_bank({"q.yaml": "questions:\n" + uses + "\n"})
    (bank / "media").mkdir()
    (bank / "media/a.png").write_bytes(png)
    (bank / "media/b.png").write_bytes(png)  # same content, another name: still one copy
    out = tmp_path / "q.json"
    doc = export_json(bank, out, "--media", "embed")
    assert len(doc["files"]) == 1
    text = out.read_text("utf-8")
    assert text.count(base64.b64encode(png).decode()) == 1
    assert len(text) < len(png) * 1.4 + 30_000


def test_media_copied_beside_the_file(sample_bank: Path, tmp_path: Path) -> None:
    out = tmp_path / "site" / "quiz.json"
    doc = export_json(sample_bank, out, "--media", "copy")
    q = next(q for q in questions(doc) if q["id"] == "sagemaker-interface-endpoint")
    (media,) = q["media"]
    assert media["url"] == "quiz-media/media/nat-gateway.png"
    copied = out.parent / media["url"]
    assert copied.read_bytes() == (sample_bank / "media" / "nat-gateway.png").read_bytes()
    assert f'src="{media["url"]}"' in q["html"]
    assert "data:" not in out.read_text(encoding="utf-8")


def test_media_only_from_inside_the_bank(make_bank, tmp_path: Path) -> None:
    """A reference leading out of the bank is never read, embedded or copied."""
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG top secret")
    bank_dir = make_bank(
        {
            "q.yaml": """\
            id: outside
            type: truefalse
            text: "Look: ![the secret](../secret.png) and ![web](https://example.com/x.png)"
            answer: true
            """
        }
    )
    bank = load_bank(bank_dir)
    drawn = draw(bank, Selection())
    for mode in ("embed", "copy"):
        out = tmp_path / mode / "q.json"
        warnings = quiz_json.export(drawn, out, bank=bank, media=mode)  # type: ignore[arg-type]
        text = out.read_text(encoding="utf-8")
        assert (
            "top secret" not in text
            and base64.b64encode(b"\x89PNG top secret").decode() not in text
        )
        assert not (out.parent / "q-media").exists()
        q = json.loads(text)["forms"][0]["questions"][0]
        assert q["media"] == []
        assert "the secret" in q["html"] and "<img" in q["html"]  # the web image is kept
        assert 'src="https://example.com/x.png"' in q["html"]
        assert any("../secret.png" in w and "not a file inside the bank" in w for w in warnings)


# -- determinism, atomicity, CLI ---------------------------------------------------------------


def test_same_input_byte_identical(sample_bank: Path, tmp_path: Path) -> None:
    for args in ((), ("--quiz", "4.3-practice", "--forms", "2", "--answers", "omit")):
        a, b = tmp_path / "a" / "q.json", tmp_path / "b" / "q.json"
        export_json(sample_bank, a, *args, "--media", "copy")
        export_json(sample_bank, b, *args, "--media", "copy")
        assert a.read_bytes() == b.read_bytes()
        for f in (a.parent / "q-media").rglob("*"):
            if f.is_file():
                assert (
                    f.read_bytes()
                    == (b.parent / "q-media" / f.relative_to(a.parent / "q-media")).read_bytes()
                )


def test_failed_export_leaves_no_partial_file(
    sample_bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bank = load_bank(sample_bank)
    drawn = draw(bank, Selection())
    out = tmp_path / "quiz.json"

    def dies_half_way(self: Path, data: str, *args: Any, **kwargs: Any) -> int:
        with open(self, "w", encoding="utf-8") as fh:
            fh.write(data[: len(data) // 2])
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "write_text", dies_half_way)
    with pytest.raises(KeyboardInterrupt):
        quiz_json.export(drawn, out, bank=bank)
    assert list(tmp_path.iterdir()) == []
    # an earlier complete export survives an interrupted one untouched
    monkeypatch.undo()
    quiz_json.export(drawn, out, bank=bank)
    before = out.read_bytes()
    monkeypatch.setattr(Path, "write_text", dies_half_way)
    with pytest.raises(KeyboardInterrupt):
        quiz_json.export(drawn, out, bank=bank)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["quiz.json"]


def test_refused_export_writes_nothing(make_bank, tmp_path: Path) -> None:
    bank = make_bank({"q.yaml": "id: q1\ntype: truefalse\ntext: IAM is global.\nanswer: maybe\n"})
    out = tmp_path / "q.json"
    code, err = run("json", str(bank), "-o", str(out))
    assert code == 1 and "QB103" in err and "export refused" in err
    assert not out.exists()


def test_default_output_name(
    sample_bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, err = run("json", str(sample_bank), "--quiz", "4.3-practice")
    assert code == 0, err
    assert (tmp_path / "aws-mls.quiz.json").is_file() and "wrote aws-mls.quiz.json" in err


# -- author text that looks like HTML ----------------------------------------------------------

EVIL = "<script>alert(1)</script>"


def evil_bank(make_bank) -> Path:
    return make_bank(
        {
            "q.yaml": f"""\
            questions:
              - id: evil-single
                type: single
                text: "Before {EVIL} after"
                options:
                  - text: "{EVIL}"
                    correct: true
                    feedback: "Feedback {EVIL}"
                  - text: "<img src=x onerror=alert(2)>"
                explanation: "Explanation {EVIL}"
              - id: evil-cloze
                type: cloze
                text: "Type {{{{{EVIL}|x}}}} here"
              - id: evil-order
                type: order
                text: Order them
                items: ["{EVIL}", "</script><script>alert(3)</script>"]
            """
        }
    )


def test_author_html_stays_text(make_bank, tmp_path: Path, validator) -> None:
    doc = export_json(evil_bank(make_bank), tmp_path / "evil.json")
    assert_valid(validator, doc)
    qs = {q["id"]: q for q in questions(doc)}
    single = qs["evil-single"]
    assert single["text"] == f"Before {EVIL} after"
    assert single["html"] == "<p>Before &lt;script&gt;alert(1)&lt;/script&gt; after</p>"
    evil = next(o for o in single["options"] if o["text"] == EVIL)  # options are shuffled
    assert evil["feedback"]["text"] == f"Feedback {EVIL}"
    assert single["explanation"]["text"] == f"Explanation {EVIL}"
    assert qs["evil-cloze"]["answer"]["blanks"][0]["answers"] == [EVIL, "x"]
    assert qs["evil-order"]["items"][0]["html"].startswith("&lt;")
    # no HTML field anywhere contains a live tag the author typed
    for html in re.findall(r'"html": "((?:[^"\\]|\\.)*)"', (tmp_path / "evil.json").read_text()):
        assert (
            "<script" not in html
            and "<img src=x" not in html
            and "onerror=alert" not in html.replace("&lt;img src=x onerror=alert", "")
        )


# -- qbank's grader ----------------------------------------------------------------------------


def test_key_response_gets_full_marks_for_every_sample_question(sample_bank: Path) -> None:
    for q in load_bank(sample_bank).questions:
        result = grade(q, key_response(q))
        if q.type == "essay":
            assert not result.graded and result.earned == 0
        else:
            assert result.correct and result.earned == q.points == result.possible, q.id


def test_text_rules() -> None:
    assert normalise_text("  NAT\u00a0\tGateway \n") == "nat gateway"
    assert normalise_text("Cafe\u0301", case_sensitive=True) == "Café"  # NFC
    assert text_matches(" nat  gateway ", ["NAT Gateway", "NAT"], case_sensitive=False)
    assert text_matches("NAT", ["NAT Gateway", "NAT"], case_sensitive=False)
    assert not text_matches("nat", ["NAT"], case_sensitive=True)
    assert not text_matches("", [""], case_sensitive=False)
    assert not text_matches(None, ["x"], case_sensitive=False)


def _load_one(make_bank, yaml_text: str):
    bank = load_bank(make_bank({"q.yaml": yaml_text}))
    assert not bank.problems, bank.problems
    (q,) = bank.questions
    return q


def test_cloze_grades_each_blank(make_bank) -> None:
    q = _load_one(
        make_bank,
        "id: c\ntype: cloze\ntext: 'A {{crawler|crawlers}} fills the {{Data Catalog|catalog}}.'\n",
    )
    assert grade(q, ["Crawlers", "data  catalog"]).correct
    result = grade(q, ["crawler", "index"])
    assert not result.correct and result.parts == (True, False) and result.earned == 0
    assert grade(q, ["crawler"]).parts == (True, False)
    case = _load_one(
        make_bank, "id: c\ntype: cloze\ntext: 'Call {{InvokeEndpoint}}.'\ncase_sensitive: true\n"
    )
    assert grade(case, ["InvokeEndpoint"]).correct and not grade(case, ["invokeendpoint"]).correct
    markup = _load_one(make_bank, "id: c\ntype: cloze\ntext: 'Use {{`boto3`|*Boto3*}} here.'\n")
    assert blank_answers(markup) == [["boto3", "Boto3"]]
    assert grade(markup, ["boto3"]).correct


def test_numeric_is_exact_decimal(make_bank) -> None:
    pct = _load_one(make_bank, "id: n\ntype: numeric\ntext: Recall?\nanswer: 0.75\ntolerance: 2%\n")
    for good in ("0.75", "0.735", "0.7650", "+.765", "7.5e-1", " 0.74 "):
        assert grade(pct, good).correct, good
    for bad in ("0.7349999", "0.76500001", "0,75", "75%", "", "abc", "0.75.1", "1e99999"):
        assert not grade(pct, bad).correct, bad
    absolute = _load_one(
        make_bank, "id: n\ntype: numeric\ntext: x?\nanswer: '0.3'\ntolerance: '0.1'\n"
    )
    assert grade(absolute, "0.4").correct and grade(absolute, "0.2").correct  # no float drift
    assert not grade(absolute, "0.40000000000000001").correct
    unit = _load_one(make_bank, "id: n\ntype: numeric\ntext: Shards?\nanswer: 6\nunit: shards\n")
    assert grade(unit, "6 Shards").correct and grade(unit, "6.0").correct
    assert not grade(unit, "6 shard").correct and not grade(unit, "7").correct


def test_choice_order_match_essay(make_bank) -> None:
    multi = _load_one(
        make_bank,
        "id: m\ntype: multi\ntext: Pick\npartial: true\noptions:\n"
        "  - {text: a, correct: true}\n  - {text: b, correct: true}\n  - c\n  - d\n",
    )
    assert grade(multi, [1, 0]).correct and grade(multi, [0, 1]).earned == 1
    assert grade(multi, [0]).earned == Fraction(1, 2)
    assert grade(multi, [0, 2]).earned == 0 and grade(multi, [0, 1, 2]).earned == Fraction(1, 2)
    assert grade(multi, [2, 3]).earned == 0 and grade(multi, []).earned == 0
    strict = multi.model_copy(update={"partial": False})
    assert grade(strict, [0]).earned == 0
    single = _load_one(
        make_bank,
        "id: s\ntype: single\ntext: Pick\noptions:\n  - a\n  - {text: b, correct: true}\n",
    )
    assert (
        grade(single, 1).correct
        and not grade(single, True).correct
        and not grade(single, 0).correct
    )
    tf = _load_one(make_bank, "id: t\ntype: truefalse\ntext: T?\nanswer: false\n")
    assert grade(tf, False).correct and not grade(tf, 0).correct and not grade(tf, None).correct
    order = _load_one(make_bank, "id: o\ntype: order\ntext: Order\nitems: [a, b, c]\n")
    assert grade(order, [0, 1, 2]).correct
    assert grade(order, [1, 0, 2]).parts == (False, False, True)
    assert not grade(order, [0, 1]).correct
    match = _load_one(make_bank, "id: m\ntype: match\ntext: Match\npairs: [[a, x], [b, y]]\n")
    assert grade(match, {0: 0, 1: 1}).correct and not grade(match, {0: 0}).correct
    assert grade(match, {0: 1, 1: 1}).parts == (False, True)
    short = _load_one(
        make_bank, "id: s\ntype: short\ntext: Name it\nanswers: [InvokeEndpoint, Invoke Endpoint]\n"
    )
    assert grade(short, "invoke   endpoint").correct and not grade(short, "Invoke").correct
    essay = _load_one(make_bank, "id: e\ntype: essay\ntext: Discuss.\npoints: 4\n")
    assert not grade(essay, "anything").graded and grade(essay, "x").possible == 4


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=400), other=st.text(max_size=40))
def test_base64_payloads_are_written_as_the_escaper_would(data: bytes, other: str) -> None:
    """``Base64Text`` skips the JSON escaper: for every payload it would return the text
    between quotes, so the document's bytes are those of ``json.dumps``."""
    from json.encoder import encode_basestring

    text = quiz_json.Base64Text(base64.b64encode(data).decode("ascii"))
    assert encode_basestring(text) == f'"{text}"'
    doc = {"files": {"f1": {"src": other, "data": text}}, "list": [text, other], "t": text}
    assert quiz_json.dumps(doc) == json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def test_export_pauses_the_cyclic_gc_and_restores_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``qbank export`` runs with the collector paused (qbank.cli.pause_gc) and turns it
    back on when the command ends, whether it succeeded or failed."""
    import gc

    seen: list[bool] = []
    build = quiz_json.build

    def spy(*args: Any, **kwargs: Any) -> dict[str, Any]:
        seen.append(gc.isenabled())
        return build(*args, **kwargs)

    monkeypatch.setattr(quiz_json, "build", spy)
    assert gc.isenabled()
    out = tmp_path / "q.json"
    result = CliRunner().invoke(main, ["export", "json", str(ROOT / "bank"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert seen == [False] and gc.isenabled()
    result = CliRunner().invoke(main, ["export", "json", str(tmp_path / "missing")])
    assert result.exit_code != 0 and gc.isenabled()
    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 0 and gc.isenabled()
