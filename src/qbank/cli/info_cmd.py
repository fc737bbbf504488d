"""``qbank rules`` and ``qbank schema``: documentation generated from the code."""

from __future__ import annotations

import json
from pathlib import Path

import click

from qbank.cli import main
from qbank.cli.common import CommandError, emit, guarded, output_option


@main.command()
@click.argument("rule_id", required=False)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    help="text (terminal), markdown (docs/rules.md) or json.",
)
@click.option("--fixable", is_flag=True, help="Only the rules `qbank fix` can fix.")
@output_option
@guarded
def rules(rule_id: str | None, fmt: str, fixable: bool, output: Path | None) -> None:
    """List the rules, or print one rule's documentation (e.g. qbank rules QB201).

    A family prefix lists that family (qbank rules QB4). The `fix` column marks the rules
    `qbank fix` can fix."""
    emit(_rules_text(rule_id, fmt, fixable), output)


def _rules_text(rule_id: str | None, fmt: str, fixable: bool) -> str:
    from qbank.validate.docs import rule_doc, rules_markdown, rules_table
    from qbank.validate.rules import families

    families()
    from qbank.diagnostics import RULES as ALL_RULES

    RULES = {k: r for k, r in ALL_RULES.items() if r.fixable or not fixable}

    if rule_id and rule_id.upper() not in RULES:
        family = sorted(r for r in RULES if r.startswith(rule_id.upper()))
        if not family:
            raise CommandError(f"no rule {rule_id}; `qbank rules` lists them")
        if fmt == "json":
            return json.dumps([_rule_json(RULES[r]) for r in family], indent=2) + "\n"
        return rules_table(ids=family) + "\n"
    if rule_id:
        rule = RULES[rule_id.upper()]
        if fmt == "json":
            return json.dumps(_rule_json(rule), indent=2) + "\n"
        return rule_doc(rule, markdown=fmt == "markdown") + "\n"
    if fmt == "json":
        return json.dumps([_rule_json(r) for _, r in sorted(RULES.items())], indent=2) + "\n"
    if fmt == "markdown" and not fixable:
        # the whole reference page (`qbank rules --format markdown > docs/rules.md`)
        return rules_markdown() + "\n"
    return rules_table(ids=sorted(RULES), markdown=fmt == "markdown") + "\n"


def _rule_json(rule: object) -> dict[str, object]:
    from dataclasses import asdict

    data = asdict(rule)  # type: ignore[call-overload]
    data["severity"] = str(data["severity"])
    data.pop("example_files", None)
    data["help_uri"] = rule.help_uri  # type: ignore[attr-defined]
    return data


@main.command()
@click.option(
    "--kind",
    type=click.Choice(["question", "manifest", "quiz"]),
    default="question",
    help="Which file's schema (default: question files).",
)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["json", "markdown"]),
    default="json",
    help="json: the JSON Schema; markdown: a table of the keys (manifest and quiz files).",
)
@output_option
@guarded
def schema(kind: str, fmt: str, output: Path | None) -> None:
    """Print the JSON Schema of question files (for editor completion and checks), or of
    the manifest or quiz files; `-f markdown` prints their key reference."""
    from qbank.model import manifest_schema, question_file_schema, quiz_schema

    if fmt == "markdown":
        if kind == "question":
            raise CommandError(
                "-f markdown covers --kind manifest and --kind quiz; question files are "
                "described in the README and by the JSON Schema"
            )
        from qbank.validate.docs import formats_markdown

        emit(formats_markdown(kind), output)
        return
    build = {"question": question_file_schema, "manifest": manifest_schema, "quiz": quiz_schema}
    emit(json.dumps(build[kind](), indent=2, sort_keys=True) + "\n", output)
