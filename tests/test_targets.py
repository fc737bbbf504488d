"""``qbank validate --target`` and the manifest's ``targets:`` (rules QB7xx).

The rules' own failing/passing examples run in test_rules_examples.py; here: the CLI
option, the manifest list, which one wins, and that every finding is located at a field of
the all-types fixture bank and agrees with what the exports actually warn about.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from qbank.cli import main
from qbank.load import load_bank
from qbank.validate import validate
from qbank.validate.engine import Options

LMS_BANK = ROOT / "tests" / "fixtures" / "lms"


def qb7(bank: Path, targets: set[str] | None = None) -> set[tuple[str, str | None]]:
    report = validate(load_bank(bank), Options(targets=targets, skip={"QB3"}))
    return {(p.rule, p.question_id) for p in report.problems if p.rule.startswith("QB7")}


def test_no_targets_no_findings() -> None:
    assert qb7(LMS_BANK) == set()


def test_each_target_names_what_it_cannot_carry() -> None:
    assert qb7(LMS_BANK, {"moodle"}) == {
        ("QB702", "multi-strict"),
        ("QB708", "cloze-two"),
    }
    assert qb7(LMS_BANK, {"gift"}) == {
        ("QB701", "cloze-two"),
        ("QB701", "order-steps"),
        ("QB703", "short-case"),
        ("QB703", "cloze-specials"),
        ("QB704", "numeric-percent"),
        ("QB705", "cloze-two"),
        ("QB705", "essay-rubric"),
        ("QB706", "essay-rubric"),
    }
    assert qb7(LMS_BANK, {"qti3"}) == {("QB706", "essay-rubric")}


def test_gift_findings_match_the_export_warnings(tmp_path: Path) -> None:
    """What validate predicts for GIFT is what `qbank export gift` then warns about."""
    result = CliRunner().invoke(
        main, ["export", "gift", str(LMS_BANK), "-o", str(tmp_path / "b.gift")]
    )
    assert result.exit_code == 0, result.output
    warned = {line.split(": ")[3] for line in result.output.splitlines() if "warning:" in line}
    assert warned == {qid for _, qid in qb7(LMS_BANK, {"gift"})}


def test_cli_option_and_manifest_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bank = tmp_path / "bank"
    bank.mkdir()
    for f in LMS_BANK.rglob("*"):
        if f.is_file():
            (bank / f.relative_to(LMS_BANK)).parent.mkdir(parents=True, exist_ok=True)
            (bank / f.relative_to(LMS_BANK)).write_bytes(f.read_bytes())
    manifest = bank / "qbank.yaml"
    monkeypatch.chdir(tmp_path)  # paths are shown from the current folder
    manifest.write_text(manifest.read_text(encoding="utf-8") + "targets: [moodle]\n", "utf-8")
    run = CliRunner().invoke
    out = run(main, ["validate", str(bank), "-f", "concise"]).output
    assert "QB702" in out and "QB705" not in out  # the manifest's moodle
    out = run(main, ["validate", str(bank), "-f", "concise", "--target", "gift"]).output
    assert "QB705" in out and "QB702" not in out  # the option wins
    lines = [line for line in out.splitlines() if "QB703" in line]
    assert lines and all(line.startswith("bank/questions.yaml:") for line in lines)
    bad = run(main, ["validate", str(bank), "--target", "moodle,blackboard"])
    assert bad.exit_code == 2 and "unknown target `blackboard`" in bad.output
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("[moodle]", "[canvas]"))
    out = run(main, ["validate", str(bank), "-f", "concise"]).output
    assert "targets" in out and "QB1" in out  # a schema error in the manifest
