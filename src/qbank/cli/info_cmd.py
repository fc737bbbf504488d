"""``qbank rules`` and ``qbank schema``: documentation generated from the code."""

from __future__ import annotations

import json

import click

from qbank.cli import main
from qbank.cli.common import CommandError, guarded


@main.command()
@click.argument("rule_id", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text")
@guarded
def rules(rule_id: str | None, fmt: str) -> None:
    """List the rules, or print one rule's documentation (e.g. qbank rules QB201).

    A family prefix lists that family (qbank rules QB4)."""
    from qbank.validate.docs import rule_doc, rules_markdown, rules_table
    from qbank.validate.rules import families

    families()
    from qbank.diagnostics import RULES

    if rule_id and rule_id.upper() not in RULES:
        family = sorted(r for r in RULES if r.startswith(rule_id.upper()))
        if not family:
            raise CommandError(f"no rule {rule_id}; `qbank rules` lists them")
        if fmt == "json":
            click.echo(json.dumps([_rule_json(RULES[r]) for r in family], indent=2))
        else:
            rows = [RULES[r] for r in family]
            width = max(len(r.name) for r in rows)
            for r in rows:
                click.echo(f"{r.id}  {r.name:<{width}}  {r.severity:<7}  {r.summary}")
        return
    if rule_id:
        rule = RULES[rule_id.upper()]
        if fmt == "json":
            click.echo(json.dumps(_rule_json(rule), indent=2))
        else:
            click.echo(rule_doc(rule, markdown=fmt == "markdown"))
        return
    if fmt == "json":
        click.echo(json.dumps([_rule_json(r) for _, r in sorted(RULES.items())], indent=2))
    else:
        # markdown: the whole reference page (`qbank rules --format markdown > docs/rules.md`)
        click.echo(rules_markdown() if fmt == "markdown" else rules_table())


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
@guarded
def schema(kind: str) -> None:
    """Print the JSON Schema of question files (for editor completion and checks)."""
    from qbank.model import manifest_schema, question_file_schema, quiz_schema

    build = {"question": question_file_schema, "manifest": manifest_schema, "quiz": quiz_schema}
    click.echo(json.dumps(build[kind](), indent=2, sort_keys=True))
