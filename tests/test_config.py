"""Configuration (manifest ``lint``), ``# qbank: disable=`` comments, QB010, exit codes and
``qbank rules``."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DEFAULT_MANIFEST
from qbank.cli import main
from qbank.diagnostics import Problem, Severity
from qbank.load import load_bank
from qbank.validate.engine import ConfigError, Options, validate

NO_EXPLANATION = """\
questions:
  - id: a
    type: truefalse
    text: IAM is a global service.
    answer: true
  - id: b
    type: truefalse
    text: S3 bucket names are global.
    answer: true
"""
BROKEN_KEY = """\
id: k
type: single
text: Which stores objects?
explanation: S3.
options: [S3, EBS, EFS]
"""


def run(root: Path, options: Options | None = None) -> list[Problem]:
    return validate(load_bank(root), options).problems


def summary(problems: list[Problem]) -> list[tuple[str, str, str | None]]:
    return [(p.rule, str(p.severity), p.question_id) for p in problems]


def manifest(lint: str) -> str:
    return DEFAULT_MANIFEST + "lint:\n" + lint


# -- lint.select / ignore / severity -------------------------------------------------------


def test_defaults(make_bank: Callable[..., Path]) -> None:
    root = make_bank({"q.yaml": NO_EXPLANATION, "k.yaml": BROKEN_KEY})
    assert summary(run(root)) == [
        ("QB201", "error", "k"),
        ("QB401", "warning", "a"),
        ("QB401", "warning", "b"),
    ]


@pytest.mark.parametrize(
    ("lint", "expected"),
    [
        ("  ignore: [QB401]\n", [("QB201", "error", "k")]),
        ("  ignore: [qb4]\n", [("QB201", "error", "k")]),
        ("  select: [QB4]\n", [("QB401", "warning", "a"), ("QB401", "warning", "b")]),
        (
            "  severity: {QB401: error, QB201: warning}\n",
            [("QB401", "error", "a"), ("QB401", "error", "b"), ("QB201", "warning", "k")],
        ),
        ("  severity: {QB4: error, QB401: 'off'}\n", [("QB201", "error", "k")]),
        ("  severity: {QB4: 'off'}\n  select: [QB2]\n", [("QB201", "error", "k")]),
    ],
)
def test_lint_config(
    make_bank: Callable[..., Path], lint: str, expected: list[tuple[str, str, str | None]]
) -> None:
    root = make_bank({"q.yaml": NO_EXPLANATION, "k.yaml": BROKEN_KEY}, manifest=manifest(lint))
    assert summary(run(root)) == expected


def test_select_never_hides_loader_errors(make_bank: Callable[..., Path]) -> None:
    files = {"bad.yaml": "id: x\ntype: truefalse\ntext: [unclosed\n", "q.yaml": NO_EXPLANATION}
    root = make_bank(files, manifest=manifest("  select: [QB4]\n"))
    rules = [p.rule for p in run(root)]
    assert rules[0] == "QB001" and rules.count("QB401") == 2


@pytest.mark.parametrize(
    ("lint", "message", "line"),
    [
        ("  ignore: [QB401, QB999]\n", "unknown rule `QB999`", 9),
        ("  select: [QB2O1]\n", "did you mean QB2", 9),
        ("  severity: {QB4O1: error}\n", "unknown rule `QB4O1`", 9),
        ("  ignore: [QB001]\n", "QB001 cannot be configured", 9),
        ("  severity:\n    QB1: warning\n", "QB1 cannot be configured", 10),
    ],
)
def test_config_errors_name_the_line(
    make_bank: Callable[..., Path], lint: str, message: str, line: int
) -> None:
    root = make_bank({"q.yaml": NO_EXPLANATION}, manifest=manifest(lint))
    with pytest.raises(ConfigError) as info:
        run(root)
    assert message in str(info.value)
    assert info.value.location is not None and info.value.location.line == line
    result = CliRunner().invoke(main, ["validate", str(root)])
    assert result.exit_code == 2
    assert f"qbank.yaml:{line}:" in result.output and message in result.output
    assert "Traceback" not in result.output


# -- suppression comments ------------------------------------------------------------------


def test_comment_above_or_inside_a_question(make_bank: Callable[..., Path]) -> None:
    text = NO_EXPLANATION.replace("  - id: a\n", "  # qbank: disable=QB401\n  - id: a\n").replace(
        "names are global.", "names are global.  # qbank: disable=QB4"
    )
    root = make_bank({"q.yaml": text})
    assert run(root) == []


def test_comment_only_covers_its_question(make_bank: Callable[..., Path]) -> None:
    text = NO_EXPLANATION.replace(
        "    answer: true\n  - id: b", "    answer: true  # qbank: disable=QB401\n  - id: b", 1
    )
    root = make_bank({"q.yaml": text})
    assert summary(run(root)) == [("QB401", "warning", "b")]


def test_disable_file(make_bank: Callable[..., Path]) -> None:
    root = make_bank({"q.yaml": "# qbank: disable-file=QB401\n" + NO_EXPLANATION})
    assert run(root) == []


def test_suppressing_a_loader_warning_by_position(make_bank: Callable[..., Path]) -> None:
    text = (
        "id: c\ntype: short\ntext: Norway's code?\n"
        "answers: [no]  # qbank: disable=QB003\nexplanation: ISO.\n"
    )
    assert run(make_bank({"q.yaml": text})) == []
    assert [
        p.rule for p in run(make_bank({"q.yaml": text.replace("  # qbank: disable=QB003", "")}))
    ] == ["QB003"]


def test_unused_suppression_is_reported_at_the_rule_id(make_bank: Callable[..., Path]) -> None:
    text = "id: t\ntype: truefalse\ntext: IAM is global.  # qbank: disable=QB402, QB401\n"
    text += "answer: true\n"
    (p,) = run(make_bank({"q.yaml": text}))
    assert (p.rule, p.severity, p.location.line, p.location.col) == (
        "QB010",
        Severity.WARNING,
        3,
        40,
    )
    assert "QB402" in p.message and "suppresses nothing" in p.message
    assert (p.location.end_line, p.location.end_col) == (3, 45)


def test_unknown_rule_in_comment(make_bank: Callable[..., Path]) -> None:
    text = "# qbank: disable=QB4O1\nid: t\ntype: truefalse\ntext: IAM is global.\nanswer: true\n"
    text += "explanation: x.\n"
    (p,) = run(make_bank({"q.yaml": text}))
    assert p.rule == "QB010" and "names no known rule" in p.message
    assert "QB401" in (p.hint or "")


def test_detached_comment(make_bank: Callable[..., Path]) -> None:
    text = "# qbank: disable=QB401\ntopic: '4.3'\n\nquestions:\n" + NO_EXPLANATION.split("\n", 1)[1]
    problems = run(make_bank({"q.yaml": text}))
    assert ("QB010", 1) in [(p.rule, p.location.line) for p in problems]
    assert "not attached to a question" in next(p.message for p in problems if p.rule == "QB010")


def test_no_qb010_when_the_rule_did_not_run(make_bank: Callable[..., Path]) -> None:
    text = "id: t\ntype: truefalse\ntext: IAM is global.  # qbank: disable=QB402,QB301\n"
    text += "answer: true\nexplanation: x.\n"
    files = {"q.yaml": text}
    # QB402 ignored by configuration: nothing to report about its comment
    root = make_bank(files, manifest=manifest("  ignore: [QB402, QB3]\n"))
    assert run(root) == []
    # QB301 in pull-request mode: duplicates were checked for changed questions only
    root = make_bank(files, manifest=manifest("  ignore: [QB402]\n"))
    assert run(root, Options(changed_ids=set())) == []
    # a full run checked both, so both comments are stale
    assert sorted(p.message.split("`")[1] for p in run(make_bank(files))) == [
        "# qbank: disable=QB301",
        "# qbank: disable=QB402",
    ]


def test_no_qb010_in_a_question_that_failed_to_load(make_bank: Callable[..., Path]) -> None:
    text = "id: t  # qbank: disable=QB401\ntype: truefalse\ntext: IAM.\nanswer: maybe\n"
    assert [p.rule for p in run(make_bank({"q.yaml": text}))] == ["QB103"]


def test_qb010_can_be_ignored(make_bank: Callable[..., Path]) -> None:
    text = "id: t\ntype: truefalse\ntext: IAM.  # qbank: disable=QB402\nanswer: true\n"
    text += "explanation: x.\n"
    assert run(make_bank({"q.yaml": text}, manifest=manifest("  ignore: [QB010]\n"))) == []


def test_repeated_runs_agree(make_bank: Callable[..., Path]) -> None:
    text = "id: t\ntype: truefalse\ntext: IAM.  # qbank: disable=QB401\nanswer: true\n"
    bank = load_bank(make_bank({"q.yaml": text}))
    first = validate(bank).problems
    assert first == validate(bank).problems == []
    (s,) = bank.files["q.yaml"].suppressions
    assert s.used == {"QB401"}


# -- exit codes and the CLI ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "flags", "code"),
    [
        ({"q.yaml": NO_EXPLANATION}, [], 0),
        ({"q.yaml": NO_EXPLANATION}, ["--strict"], 1),
        ({"k.yaml": BROKEN_KEY}, [], 1),
        ({"k.yaml": BROKEN_KEY}, ["--exit-zero"], 0),
        ({"k.yaml": BROKEN_KEY}, ["--strict", "--exit-zero"], 0),
    ],
)
def test_exit_codes(
    make_bank: Callable[..., Path], files: dict[str, str], flags: list[str], code: int
) -> None:
    result = CliRunner().invoke(main, ["validate", str(make_bank(files)), "-f", "concise", *flags])
    assert result.exit_code == code, result.output


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "bank folder not found" in result.output
    result = CliRunner().invoke(main, ["validate", "bank", "--format", "xml"])
    assert result.exit_code == 2


def test_the_real_command_line(sample_bank: Path) -> None:
    """The installed console script, as pre-commit and the action call it."""
    qbank = Path(sys.executable).with_name("qbank")
    done = subprocess.run(
        [str(qbank), "validate", str(sample_bank), "--format", "concise", "--strict"],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All checks passed. Checked 61 questions." in done.stdout


def test_rules_command() -> None:
    runner = CliRunner()
    listing = runner.invoke(main, ["rules"])
    assert listing.exit_code == 0
    for rule in ("QB010", "QB201", "QB214", "QB401", "QB407", "QB501", "QB505"):
        assert rule in listing.output
    one = runner.invoke(main, ["rules", "qb201"])
    assert one.exit_code == 0
    assert "single-correct-count" in one.output and "Failing example" in one.output
    family = runner.invoke(main, ["rules", "QB5"])
    assert family.exit_code == 0 and family.output.count("\n") == 7  # QB501–QB507
    missing = runner.invoke(main, ["rules", "QB999"])
    assert missing.exit_code == 2 and "no rule QB999" in missing.output


# -- integration files: .pre-commit-hooks.yaml and action.yml --------------------------------

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def _broken_copy(sample_bank: Path, target: Path) -> Path:
    import shutil

    bank = shutil.copytree(sample_bank, target)
    path = bank / "aws-mls" / "4.3-security.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "      - text: IAM roles\n", "      - text: IAM roles\n        correct: true\n", 1
        ).replace(
            "type: multi\n    text: What are the security",
            "type: single\n    text: What are the security",
            1,
        ),
        encoding="utf-8",
    )
    return bank


def test_pre_commit_hook_definition(sample_bank: Path, tmp_path: Path) -> None:
    import shlex

    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"qbank-validate", "qbank-validate-files"}
    hook = hooks["qbank-validate"]
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False and hook["require_serial"] is True
    assert set(hook["types_or"]) == {"yaml", "image"}
    # run it the way pre-commit does: entry split with shlex, then the args, no file names
    command = shlex.split(hook["entry"])
    env = {"PATH": f"{VENV_BIN}:/usr/bin:/bin", "PRE_COMMIT": "1"}
    ok = subprocess.run([*command, str(sample_bank)], env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bank = _broken_copy(sample_bank, tmp_path / "bank")
    bad = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert bad.returncode == 1
    assert "bank/aws-mls/4.3-security.yaml:" in bad.stdout and "QB201" in bad.stdout
    assert bank.is_dir()
    # the files hook: pre-commit appends the staged file names; only their findings show
    files_hook = hooks["qbank-validate-files"]
    assert files_hook.get("pass_filenames", True) and files_hook["require_serial"] is True
    assert files_hook["entry"] == "qbank validate"
    this_checkout = [sys.executable, "-m", "qbank", "validate"]  # the entry, from this source
    env_src = {**env, "PYTHONPATH": str(ROOT / "src")}
    staged = ["bank/aws-mls/4.3-security.yaml", "bank/aws-mls/2-eda.yaml"]
    files = subprocess.run(
        [*this_checkout, *staged], cwd=tmp_path, env=env_src, capture_output=True, text=True
    )
    assert files.returncode == 1, files.stdout + files.stderr
    assert "QB201" in files.stdout and "(2 files checked with the whole bank)" in files.stdout
    clean = subprocess.run(
        [*this_checkout, staged[1]], cwd=tmp_path, env=env_src, capture_output=True, text=True
    )
    assert clean.returncode == 0, clean.stdout + clean.stderr


def _action_script(step_id: str) -> tuple[str, dict[str, str]]:
    import yaml

    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], "inputs must reach scripts through env"
    (step,) = [s for s in action["runs"]["steps"] if s.get("id") == step_id]
    return step["run"], step["env"]


def test_action_validate_step(sample_bank: Path, tmp_path: Path) -> None:
    """Run the action's validate script as GitHub would (bash -eo pipefail, env inputs)."""
    script, env_spec = _action_script("validate")
    assert env_spec["QBANK_BANK"] == "${{ inputs.bank }}"
    bank = _broken_copy(sample_bank, tmp_path / "bank")
    out_file, summary = tmp_path / "output.txt", tmp_path / "summary.md"
    env = {
        "PATH": f"{VENV_BIN}:/usr/bin:/bin",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_OUTPUT": str(out_file),
        "GITHUB_STEP_SUMMARY": str(summary),
        "QBANK_BANK": "bank",
        "QBANK_CHANGED_SINCE": "",
        "QBANK_STRICT": "false",
        "QBANK_SARIF": "qbank.sarif",
        "QBANK_ARGS": "--similarity-threshold 90",
    }
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.startswith("::error file=bank/aws-mls/4.3-security.yaml,line=")
    assert "title=QB201 single-correct-count" in done.stdout
    assert "QB201" in summary.read_text()
    sarif = json.loads((tmp_path / "qbank.sarif").read_text())
    assert sarif["runs"][0]["results"][0]["ruleId"] == "QB201"
    assert out_file.read_text() == "sarif-file=qbank.sarif\n"
    # the clean sample bank passes, also with strict
    env.update(QBANK_STRICT="true", QBANK_SARIF="", QBANK_ARGS="")
    env["QBANK_BANK"] = str(sample_bank)
    clean = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert bank.is_dir()


def test_loader_errors_cannot_be_suppressed(make_bank: Callable[..., Path]) -> None:
    text = "# qbank: disable-file=QB001,QB1\nid: t\ntype: truefalse\ntext: [unclosed\n"
    problems = run(make_bank({"q.yaml": text}))
    assert [(p.rule, p.location.line) for p in problems] == [
        ("QB001", 5),
        ("QB010", 1),
        ("QB010", 1),
    ]
    assert "has no effect" in problems[1].message
