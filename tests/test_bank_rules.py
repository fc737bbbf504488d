"""QB6xx: ids unique across files, topics in the taxonomy, quiz and manifest references."""

from __future__ import annotations

from qbank.load import load_bank
from qbank.validate.engine import validate

Q = 'id: {id}\ntype: truefalse\ntopic: "{topic}"\ntext: {text}\nanswer: true\nexplanation: x\n'


def _problems(bank_path, rule: str):
    return [p for p in validate(load_bank(bank_path)).problems if p.rule == rule]


def test_duplicate_id_across_files_names_both(make_bank) -> None:
    bank = make_bank(
        {
            "a.yaml": Q.format(id="q1", topic="4.3", text="IAM is global."),
            "sub/b.yaml": Q.format(id="q1", topic="4.3", text="S3 is regional."),
        }
    )
    (p,) = _problems(bank, "QB601")
    assert (p.location.file, p.location.line, p.location.col) == ("sub/b.yaml", 1, 5)
    assert p.related[0].location.file == "a.yaml"
    assert "a.yaml:1:1" in p.message
    assert p.severity == "error"


def test_unknown_topic_suggests_the_nearest(make_bank) -> None:
    bank = make_bank({"a.yaml": Q.format(id="q1", topic="4.33", text="IAM is global.")})
    (p,) = _problems(bank, "QB602")
    assert (p.location.line, p.location.col) == (3, 8)
    assert "4.3" in (p.hint or "")


def test_no_taxonomy_means_any_topic(make_bank) -> None:
    bank = make_bank(
        {"a.yaml": Q.format(id="q1", topic="anything", text="IAM is global.")},
        manifest="id: b\ntitle: B\n",
    )
    assert _problems(bank, "QB602") == []


def test_quiz_references(make_bank) -> None:
    bank = make_bank(
        {
            "a.yaml": Q.format(id="q1", topic="4.3", text="IAM is global."),
            "quizzes/p.yaml": (
                'title: P\nsections:\n  - topic: "4.9"\n    count: 1\n'
                "  - tags: [nope]\n  - ids: [q1, q404]\n"
            ),
        }
    )
    report = validate(load_bank(bank))
    found = sorted(
        (p.rule, p.location.file, p.location.line, p.location.col)
        for p in report.problems
        if p.rule.startswith("QB60")
    )
    assert found == [
        ("QB603", "quizzes/p.yaml", 3, 12),
        ("QB603", "quizzes/p.yaml", 5, 12),
        ("QB604", "quizzes/p.yaml", 6, 15),
    ]


def test_manifest_references(make_bank) -> None:
    manifest = (
        'id: b\ntitle: B\ntopics:\n  "4": Ops\nblueprint:\n  "5": 10%\n'
        "dedup:\n  allow: [[q1, ghost]]\n"
    )
    bank = make_bank(
        {"a.yaml": Q.format(id="q1", topic="4", text="IAM is global.")}, manifest=manifest
    )
    found = sorted((p.location.line, p.message) for p in _problems(bank, "QB605"))
    assert [line for line, _ in found] == [6, 8]
    assert "ghost" in found[1][1]


def test_missing_manifest_is_reported(make_bank) -> None:
    bank = make_bank(
        {"a.yaml": Q.format(id="q1", topic="4.3", text="IAM is global.")}, manifest=None
    )
    (p,) = _problems(bank, "QB009")
    assert p.location.file == "qbank.yaml"
