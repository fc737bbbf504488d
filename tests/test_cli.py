"""The command line: exit codes, formats, atomic --output, schema, rules, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from qbank.cli import main

BROKEN = "id: q1\ntype: truefalse\ntext: IAM is global.\nanswer: maybe\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_sample_bank_validates_clean(sample_bank: Path) -> None:
    code, out, _ = run("validate", str(sample_bank))
    assert code == 0, out
    assert "All checks passed" in out


def test_problems_exit_1_with_location(make_bank) -> None:
    bank = make_bank({"q.yaml": BROKEN})
    code, out, _ = run("validate", str(bank), "--format", "full")
    assert code == 1
    assert "q.yaml:4:9: QB103 [error]" in out
    assert "4 | answer: maybe" in out and "^^^^^" in out


def test_exit_zero_and_output_file(make_bank, tmp_path: Path) -> None:
    bank = make_bank({"q.yaml": BROKEN})
    target = tmp_path / "report.txt"
    code, out, _ = run(
        "validate", str(bank), "-f", "concise", "--output", str(target), "--exit-zero"
    )
    assert code == 0 and out == ""
    assert "QB103" in target.read_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []


def test_missing_bank_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("validate", str(tmp_path / "nope"))
    assert code == 2
    assert "bank folder not found" in err


def test_unknown_option_is_a_usage_error() -> None:
    code, _, _ = run("validate", "--no-such-option")
    assert code == 2


def test_schema_is_a_valid_json_schema() -> None:
    for kind in ("question", "manifest", "quiz"):
        code, out, _ = run("schema", "--kind", kind)
        assert code == 0
        schema = json.loads(out)
        jsonschema.Draft202012Validator.check_schema(schema)


def test_rules_lists_and_documents() -> None:
    code, out, _ = run("rules")
    assert code == 0 and "QB001" in out and "QB601" in out
    code, out, _ = run("rules", "qb002")
    assert code == 0 and "duplicate-key" in out and "Failing example" in out
    code, _, err = run("rules", "QB999")
    assert code == 2 and "no rule QB999" in err


def test_exports_write_the_same_manifest_as_draw(sample_bank: Path, tmp_path: Path) -> None:
    """A worksheet, its key and a web quiz of one draw are linked by one manifest."""
    selection = ["--quiz", "4.3-practice", "--forms", "2"]
    code, drawn, _ = run("draw", str(sample_bank), *selection, "--format", "json")
    assert code == 0
    manifests = []
    for target, suffix in (("docx", ".docx"), ("json", ".json"), ("html", ".html")):
        out = tmp_path / f"quiz{suffix}"
        manifest = tmp_path / f"{target}.manifest.json"
        code, _, err = run(
            "export",
            target,
            str(sample_bank),
            *selection,
            "-o",
            str(out),
            "--manifest",
            str(manifest),
        )
        assert code == 0, err
        assert f"wrote {manifest}" in err
        manifests.append(manifest.read_text(encoding="utf-8"))
    assert manifests == [drawn] * 3
    data = json.loads(drawn)
    assert [f["form"] for f in data["forms"]] == ["A", "B"]
    assert all(len(f["questions"]) == 5 for f in data["forms"])


def test_an_output_that_cannot_be_written_is_a_plain_error(make_bank, tmp_path: Path) -> None:
    """`-o` under a file (or on a read-only place) is the user's path, not a qbank bug."""
    bank = make_bank({"q.yaml": "id: q1\ntype: truefalse\ntext: IAM is global.\nanswer: true\n"})
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for args, name in (  # each with a suffix its target accepts (another is a usage error)
        (["export", "moodle", str(bank)], "out.xml"),
        (["export", "qti", str(bank)], "out.zip"),
        (["draw", str(bank)], "out.x"),
        (["rules"], "out.x"),
    ):
        target = blocker / name
        code, out, err = run(*args, "-o", str(target))
        assert code == 2, (args, out, err)
        assert "internal error" not in err and "report this" not in err, err
        assert f"qbank: error: cannot write {target}:" in err, err
        assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())
    code, out, err = run("init", str(blocker / "bank"))
    assert code == 2 and f"qbank: error: cannot create the bank in {blocker / 'bank'}" in err, err


def test_commands_load_on_first_use_and_help_lists_them_all(sample_bank: Path, tmp_path) -> None:
    """`export json` imports only its own command modules (start-up cost, issue 13); `--help`
    of `qbank` and of `qbank export` still list every command."""
    import os
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from qbank.cli import main\n"
        "try:\n"
        f"    main(['export', 'json', {str(sample_bank)!r}, '-o', {str(tmp_path / 'q.json')!r}])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('qbank.cli.'))))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout.split()
    assert out == ["qbank.cli.common", "qbank.cli.export_cmd", "qbank.cli.export_web"]
    assert json.loads((tmp_path / "q.json").read_text(encoding="utf-8"))["forms"]

    code, top, _ = run("--help")
    assert code == 0
    for name in ("validate", "rules", "schema", "draw", "stats", "export", "init", "new"):
        assert f"\n  {name} " in top, name
    for name in ("fix", "preview", "import"):
        assert f"\n  {name} " in top, name
    code, targets, _ = run("export", "--help")
    assert code == 0
    for name in ("anki", "docx", "json", "surveyjs", "html", "moodle", "gift", "qti", "csv"):
        assert f"\n  {name} " in targets, name
    assert "\n  xlsx " in targets


def test_cli_load_freezes_the_bank_without_collecting_in_between() -> None:
    """The collector stays off from load_bank's loop until the bank is frozen: turned on in
    between, the first allocation started a full collection over the whole new heap."""
    import gc

    from qbank.cli.common import load

    started: list[int] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(info["generation"])

    assert gc.isenabled()
    gc.callbacks.append(record)
    try:
        bank = load(Path(__file__).resolve().parent.parent / "bank")
    finally:
        gc.callbacks.remove(record)
        gc.unfreeze()
    assert bank.questions
    assert started == []  # no collection at all while loading
    assert gc.isenabled()


def test_cli_load_freezes_what_it_loaded() -> None:
    import gc

    from qbank.cli.common import load

    gc.unfreeze()
    try:
        load(Path(__file__).resolve().parent.parent / "bank")
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
