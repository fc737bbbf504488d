"""``qbank init`` and ``qbank new``: start a bank; add a template question with a fresh id."""

from __future__ import annotations

from pathlib import Path

import click

from qbank.cli import main
from qbank.cli.common import CommandError, default_bank, find_bank, guarded
from qbank.model import QUESTION_TYPES


@main.command()
@click.argument(
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    required=False,
    metavar="[DIR]",
)
@click.option("--title", help="The bank's title (default: from the folder name).")
@click.option("--id", "bank_id", metavar="ID", help="The bank id (default: from the folder name).")
@click.option(
    "--schemas-only",
    is_flag=True,
    help="Only (re)write the JSON Schemas in DIR/.qbank/schemas/ (after upgrading qbank).",
)
@guarded
def init(directory: Path, title: str | None, bank_id: str | None, schemas_only: bool) -> None:
    """Start a bank in DIR (default: the current folder; created if missing).

    Writes qbank.yaml (with a small taxonomy), questions/examples.yaml (one commented example
    of each question type), quizzes/practice.yaml, the JSON Schemas for editors
    (.qbank/schemas/, .vscode/settings.json), .pre-commit-config.yaml, a GitHub workflow and
    a README. Never overwrites a file: an existing one is an error (exit 2).
    """
    from qbank.scaffold import ScaffoldError, init_bank, write_schemas

    if schemas_only:
        if not (directory / "qbank.yaml").is_file():
            raise CommandError(f"{directory} holds no qbank.yaml; run `qbank init` first")
        for path in write_schemas(directory):
            click.echo(f"wrote {path}")
        return
    try:
        written = init_bank(directory, title=title, bank_id=bank_id)
    except ScaffoldError as exc:
        raise CommandError(str(exc)) from None
    except OSError as exc:  # a file where the folder should be, no permission, …
        raise CommandError(
            f"cannot create the bank in {directory}: {exc.strerror or exc}"
        ) from None
    for path in written:
        click.echo(f"created {path}")
    repo = next((d for d in directory.resolve().parents if (d / ".git").exists()), None)
    if repo is not None:
        click.echo(
            f"\nnote: {directory} is inside the git repository {repo}: pre-commit and GitHub "
            "read .pre-commit-config.yaml and .github/ at the repository root only; move them "
            "there (and set `bank:` in the workflow and `files:` in the hook to this folder)."
        )
    where = "" if directory.resolve() == Path.cwd().resolve() else f"cd {directory} && "
    click.echo(
        f"\nNext: {where}qbank validate, then `qbank new single --topic 1.1` "
        "or `qbank preview --quiz practice`."
    )


@main.command()
@click.argument("qtype", type=click.Choice(QUESTION_TYPES), metavar="TYPE")
@click.option("--topic", metavar="T", help="The question's topic (one of the manifest's topics).")
@click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append to this question file (default: BANK/questions/new.yaml).",
)
@click.option(
    "--bank",
    type=click.Path(file_okay=False, path_type=Path),
    help="The bank (default: the nearest folder upward holding qbank.yaml).",
)
@guarded
def new(qtype: str, topic: str | None, file: Path | None, bank: Path | None) -> None:
    """Append a commented TYPE template question with a fresh id to a question file.

    TYPE is one of single, multi, truefalse, cloze, short, numeric, order, match, essay.
    Prints the file and line of the new question.
    """
    from qbank.scaffold import ScaffoldError, new_question

    if bank is not None:
        root: Path | None = bank
    elif file is not None:
        root = find_bank(file.parent)
    else:
        root = default_bank()
    if root is None or not (root / "qbank.yaml").is_file():
        raise CommandError(
            "no bank found: run inside a bank (a folder holding qbank.yaml) or give --bank; "
            "`qbank init` starts one"
        )
    if topic is not None:
        from qbank.load import load_manifest

        manifest, _, _ = load_manifest(root)
        if manifest is not None and manifest.topics and topic not in manifest.topics:
            known = ", ".join(sorted(manifest.topics))
            raise CommandError(f"unknown topic `{topic}` (the manifest's topics: {known})")
    target = file if file is not None else root / "questions" / "new.yaml"
    try:
        made = new_question(root, qtype, file=target, topic=topic)
    except ScaffoldError as exc:
        raise CommandError(str(exc)) from None
    click.echo(f"{made.path}:{made.line}: added {qtype} question `{made.id}`")
