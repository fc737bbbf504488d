"""``qbank import FORMAT FILE… --into BANK``: existing banks in, nothing lost silently."""

from __future__ import annotations

import re
from pathlib import Path

import click

from qbank.cli import main
from qbank.cli.common import EXIT_PROBLEMS, CommandError, guarded

FORMATS = ("moodle", "gift", "aiken", "csv", "xlsx")


@main.command("import")
@click.argument("fmt", metavar="moodle|gift|aiken|csv|xlsx", type=click.Choice(FORMATS))
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--into",
    "into",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The bank folder (created, with a manifest, if it does not exist).",
)
@click.option("--topic", metavar="T", help="Put every imported question under topic T.")
@click.option(
    "--prefix", metavar="P", default="", help="Prefix for every imported id (e.g. moodle-)."
)
@click.option(
    "--update",
    is_flag=True,
    help="Replace questions whose id the bank already has, and add to existing files.",
)
@guarded
def import_(
    fmt: str, files: tuple[Path, ...], into: Path, topic: str | None, prefix: str, update: bool
) -> None:
    """Import questions from Moodle XML, GIFT, Aiken, CSV or XLSX files into BANK.

    Writes one YAML file per category (or per --topic), media/ files named by content, and
    qbank.yaml if the bank is new. Never overwrites a file or a question id unless --update.
    Every question or detail not imported is listed with its file and line or name.
    Exit 1 when a file is not the claimed format or the import would overwrite something.
    """
    from qbank.importers import SourceFormatError, import_files
    from qbank.importers.bank import Clash, plan, write

    if prefix:
        cleaned = re.sub(r"[^a-z0-9._-]+", "-", prefix.lower()).lstrip("-._")
        if not cleaned:
            raise CommandError(f"--prefix {prefix!r} has no letters or digits")
        prefix = cleaned if cleaned[-1] in "-._" else cleaned + "-"
    for f in files:
        if not f.is_file():
            if f.exists():  # a device, FIFO or socket (click refuses folders): never opened
                raise CommandError(
                    f"{f}: not a regular file (devices, FIFOs and sockets are not read)"
                )
            raise CommandError(f"{f}: file not found")
    if into.exists() and not into.is_dir():
        raise CommandError(f"--into {into} is not a folder")
    try:
        result = import_files(fmt, files, prefix=prefix)
    except SourceFormatError as exc:
        click.echo(f"qbank: error: {exc} (is it {fmt}?)", err=True)
        raise SystemExit(EXIT_PROBLEMS) from None
    for loss in result.losses:
        click.echo(f"{loss}", err=True)
    source_name = ", ".join(f.name for f in files)
    try:
        planned = plan(result, into, source_name=source_name, fmt=fmt, topic=topic, update=update)
    except Clash as exc:
        click.echo(f"qbank: error: {exc}", err=True)
        raise SystemExit(EXIT_PROBLEMS) from None
    written = write(planned)
    for rel in written:
        if not rel.startswith("media/"):
            click.echo(f"wrote {into / rel}", err=True)
    media = sum(1 for rel in written if rel.startswith("media/"))
    if media:
        click.echo(f"wrote {media} media file(s) to {into / 'media'}", err=True)
    if planned.missing_topics:
        click.echo(
            "note: add these topics to `topics:` in qbank.yaml (the taxonomy lacks them):",
            err=True,
        )
        for key, title in planned.missing_topics.items():
            click.echo(f'  "{key}": {title}', err=True)
    imported = len(result.questions)
    lost = result.not_imported
    partial = len(result.losses) - lost
    summary = f"imported {imported} of {result.total}"
    summary += f"; {lost} not imported (see above)" if lost else ""
    if partial:
        summary += f"; {partial} detail(s) not carried over (see above; kept as notes)"
    if planned.replaced:
        summary += f"; {len(planned.replaced)} replaced (--update)"
    click.echo(summary, err=True)
    _check(into, {q.data["id"] for q in result.questions})


def _check(root: Path, ids: set[str]) -> None:
    """Load the bank back and say what `qbank validate` will find in the imported questions
    (the collector is paused for the whole command: ``batch`` in :mod:`qbank.cli`)."""
    from qbank.load import load_bank
    from qbank.validate.engine import Options, checks, validate
    from qbank.validate.rules.media import raw_html_problems

    bank = load_bank(root)
    schema = [p for p in bank.problems if p.severity == "error"]
    if schema:
        for p in schema[:20]:
            click.echo(f"{p.location}: {p.rule} {p.message}", err=True)
        click.echo(
            f"qbank: internal error: {len(schema)} schema problem(s) in the imported files",
            err=True,
        )
        raise SystemExit(2)
    # only the families the summary counts run (the others' findings are not reported here,
    # and the media family alone took half of a 20,000-question import); the near-duplicate
    # scan of a very large import takes minutes: leave it to validate
    check_dups = len(ids) <= DEDUP_LIMIT
    wanted = {"QB2", "QB3"} if check_dups else {"QB2"}
    skip = {family for family, _ in checks() if family not in wanted}
    report = validate(bank, Options(changed_ids=ids, skip=skip))
    mine = [p for p in report.problems if getattr(p, "question_id", None) in ids]
    answers = sum(1 for p in mine if p.rule.startswith("QB2"))
    dups = sum(1 for p in report.problems if p.rule.startswith("QB3"))
    html = sum(1 for q in bank.questions if q.id in ids for _ in raw_html_problems(q))
    dup_text = (
        f"{dups} duplicate finding(s)"
        if check_dups
        else f"duplicates not checked ({len(ids)} questions, more than {DEDUP_LIMIT})"
    )
    click.echo(
        f"validate: schema ok; {answers} answer-rule finding(s), {dup_text}, "
        f"{html} raw-HTML warning(s) (run `qbank validate {root}` for details)",
        err=True,
    )


#: above this many imported questions the summary leaves the near-duplicate scan to
#: `qbank validate` (it takes minutes on tens of thousands of questions)
DEDUP_LIMIT = 2000
