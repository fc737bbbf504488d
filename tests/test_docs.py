"""Generated docs stay in step with the code: `make docs` regenerates them."""

from __future__ import annotations

from pathlib import Path

import click
from click.testing import CliRunner

from qbank.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_rules_reference_is_up_to_date() -> None:
    result = CliRunner().invoke(main, ["rules", "--format", "markdown"])
    assert result.exit_code == 0
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == result.stdout, "docs/rules.md is stale: run `make docs`"


def test_every_rule_is_documented_with_examples() -> None:
    from qbank.diagnostics import RULES
    from qbank.validate.rules import families

    families()
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule_id, rule in RULES.items():
        assert f"## {rule_id} {rule.name}" in text
        assert rule.summary and rule.name


def test_readme_names_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in main.list_commands(click.Context(main)):  # every command, lazy ones too
        assert f"qbank {command}" in readme, command
    assert "make demo" in readme and "make test" in readme


def test_published_question_schema_is_up_to_date() -> None:
    result = CliRunner().invoke(main, ["schema"])
    committed = (ROOT / "docs" / "question-file.schema.json").read_text(encoding="utf-8")
    assert committed == result.stdout, "docs/question-file.schema.json is stale: run `make docs`"
