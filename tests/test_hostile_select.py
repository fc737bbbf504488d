"""Skipping and selecting (issue 17): what --skip-invalid leaves out and says, which errors
block which selection, drafts, and option shuffling in every export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from qbank.cli import main


def run(*args: str | Path) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def tf(qid: str, text: str = "", **extra: str) -> str:
    more = "".join(f"    {k}: {v}\n" for k, v in extra.items())
    return (
        f'  - id: {qid}\n    topic: "1"\n    type: truefalse\n'
        f"    text: {text or f'Statement {qid} holds?'}\n    answer: true\n{more}"
    )


def single(qid: str, text: str, *, shuffle: bool = True) -> str:
    return (
        f'  - id: {qid}\n    topic: "1"\n    type: single\n    text: {text}\n'
        + ("" if shuffle else "    shuffle: false\n")
        + "    options:\n      - text: alpha\n        correct: true\n"
        "      - bravo\n      - charlie\n      - delta\n      - echo\n"
    )


def test_duplicate_key_question_is_skipped_and_listed(make_bank: Any, tmp_path: Path) -> None:
    bad = '  - id: dup\n    topic: "1"\n    type: truefalse\n    text: One?\n    text: Two?\n    answer: true\n'
    root = make_bank({"q.yaml": "questions:\n" + tf("ok") + bad})
    manifest = tmp_path / "m.json"
    code, _, err = run(
        "export", "json", root, "-o", tmp_path / "q.json", "--skip-invalid", "--manifest", manifest
    )
    assert code == 0, err
    assert "skipped 1 invalid question(s) of the selection: dup" in err
    doc = json.loads((tmp_path / "q.json").read_text())
    ids = [q["id"] for f in doc["forms"] for q in f["questions"]]
    assert ids == ["ok"]
    assert json.loads(manifest.read_text())["skipped"] == [
        {"id": "dup", "file": "q.yaml", "line": 11, "rules": ["QB002"]}
    ]


def test_unparsable_file_is_named(make_bank: Any, tmp_path: Path) -> None:
    root = make_bank(
        {"q.yaml": "questions:\n" + tf("ok"), "broken.yaml": "questions: [\n  - id: x\n"}
    )
    code, _, err = run("export", "json", root, "-o", tmp_path / "q.json")
    assert code == 1 and "export refused" in err
    manifest = tmp_path / "m.json"
    code, _, err = run(
        "export", "json", root, "-o", tmp_path / "q.json", "--skip-invalid", "--manifest", manifest
    )
    assert code == 0, err
    assert "skipped file broken.yaml: could not be read or parsed (QB001)" in err
    assert {"id": None, "file": "broken.yaml", "line": 1, "rules": ["QB001"]} in json.loads(
        manifest.read_text()
    )["skipped"]


def test_every_skipped_id_is_named_counted_or_listed(make_bank: Any, tmp_path: Path) -> None:
    bad = "".join(tf(f"bad{i:02d}").replace("answer: true", "answer: maybe") for i in range(25))
    root = make_bank({"q.yaml": "questions:\n" + tf("ok") + bad})
    manifest = tmp_path / "m.json"
    out = tmp_path / "q.json"
    code, _, err = run("export", "json", root, "-o", out, "--skip-invalid", "--manifest", manifest)
    assert code == 0, err
    assert "skipped 25 invalid question(s) of the selection: bad00, bad01," in err
    assert "bad19 … and 5 more (--verbose names them all; --manifest FILE lists them)" in err
    skipped = json.loads(manifest.read_text())["skipped"]
    assert [s["id"] for s in skipped] == [f"bad{i:02d}" for i in range(25)]
    assert all(s["file"] == "q.yaml" and s["rules"] and s["line"] > 1 for s in skipped)
    code, _, err = run("export", "json", root, "-o", out, "--skip-invalid", "--verbose")
    assert code == 0 and "bad24" in err and "more" not in err


def test_only_the_selection_blocks(make_bank: Any, tmp_path: Path) -> None:
    broken = tf("broken").replace("answer: true", "answer: maybe")
    root = make_bank({"q.yaml": "questions:\n" + tf("good") + broken})
    out = tmp_path / "q.json"
    code, _, err = run("export", "json", root, "-o", out, "--ids", "good")
    assert code == 0, err
    assert "skipped" not in err and "refused" not in err
    code, _, err = run("export", "json", root, "-o", out, "--ids", "broken")
    assert code == 1 and "1 error(s) concern this selection" in err and "QB103" in err
    code, _, err = run("export", "json", root, "-o", out, "--ids", "good,broken", "--skip-invalid")
    assert code == 0 and "skipped 1 invalid question(s) of the selection: broken" in err


def test_bank_level_errors_refuse_even_with_skip_invalid(make_bank: Any, tmp_path: Path) -> None:
    root = make_bank(
        {"q.yaml": "questions:\n" + tf("good")}, manifest="id: t\ntitle: T\nunknown_key: 1\n"
    )
    code, _, err = run("export", "json", root, "-o", tmp_path / "q.json", "--skip-invalid")
    assert code == 1
    assert (
        "error(s) in the bank itself (the manifest or the quiz), which --skip-invalid cannot" in err
    )


def test_duplicates_and_lint_do_not_block(make_bank: Any, tmp_path: Path) -> None:
    text = "Which storage class should hold archive data kept for seven years?"
    root = make_bank({"q.yaml": "questions:\n" + tf("a", text) + tf("b", text)})
    code, out, _ = run("validate", root, "-f", "concise")
    assert code == 1 and "QB301" in out
    code, _, err = run("export", "json", root, "-o", tmp_path / "q.json")
    assert code == 0, err


def test_drafts_are_left_out_unless_asked(make_bank: Any, tmp_path: Path) -> None:
    root = make_bank({"q.yaml": "questions:\n" + tf("final") + tf("wip", status="draft")})
    for target, suffix in (("json", ".json"), ("html", ".html"), ("docx", ".docx")):
        out = tmp_path / f"q{suffix}"
        code, _, err = run("export", target, root, "-o", out)
        assert code == 0, err
        assert "1 draft question (status: draft) left out; --include-drafts adds them" in err
    doc = json.loads((tmp_path / "q.json").read_text())
    assert [q["id"] for q in doc["forms"][0]["questions"]] == ["final"]
    code, out, _ = run("draw", root, "--format", "json")
    manifest = json.loads(out)
    assert [q["id"] for q in manifest["forms"][0]["questions"]] == ["final"]
    assert (
        "1 draft question (status: draft) left out; --include-drafts adds them" in manifest["notes"]
    )
    code, _, err = run("export", "json", root, "-o", tmp_path / "all.json", "--include-drafts")
    assert code == 0 and "left out" not in err
    doc = json.loads((tmp_path / "all.json").read_text())
    assert [q["id"] for q in doc["forms"][0]["questions"]] == ["final", "wip"]


def test_options_shuffle_in_every_export_unless_pinned(make_bank: Any, tmp_path: Path) -> None:
    questions = [single(f"s{i}", f"Pick the first letter number {i}?") for i in range(6)]
    questions.append(single("pinned", "Pick the first letter again?", shuffle=False))
    root = make_bank({"q.yaml": "questions:\n" + "".join(questions)})

    def orders(*extra: str) -> dict[str, list[int]]:
        m = tmp_path / "m.json"
        code, _, err = run(
            "export", "json", root, "-o", tmp_path / "q.json", "--manifest", m, *extra
        )
        assert code == 0, err
        return {q["id"]: q["order"] for q in json.loads(m.read_text())["forms"][0]["questions"]}

    default = orders()
    assert default["pinned"] == [0, 1, 2, 3, 4]
    assert any(default[f"s{i}"] != [0, 1, 2, 3, 4] for i in range(6))
    assert orders("--forms", "2")["pinned"] == [0, 1, 2, 3, 4]
    assert all(order == [0, 1, 2, 3, 4] for order in orders("--no-shuffle").values())
    assert all(order == [0, 1, 2, 3, 4] for order in orders("--no-shuffle-options").values())
