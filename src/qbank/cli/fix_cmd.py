"""``qbank fix``: apply the safe mechanical fixes (see :mod:`qbank.validate.fix`)."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click

from qbank.cli import main
from qbank.cli.common import CommandError, default_bank, find_bank, guarded, load

if TYPE_CHECKING:
    from qbank.validate.fix import FileFix  # imported when used: `qbank export` need not pay


def _targets(paths: tuple[Path, ...]) -> list[tuple[Path, str]]:
    """(file, shown name) for every YAML file named or inside a named folder."""
    from qbank.load import iter_yaml_files

    out: list[tuple[Path, str]] = []
    for given in paths or (default_bank(),):
        if given.is_dir():
            out.extend((f, f.as_posix()) for f in iter_yaml_files(given))
        elif given.is_file():
            if not given.name.endswith((".yaml", ".yml")):
                raise CommandError(f"{given}: qbank fix edits YAML files (.yaml, .yml) only")
            out.append((given, given.as_posix()))
        else:
            raise CommandError(f"no such file or folder: {given}")
    seen: set[Path] = set()
    unique = []
    for path, shown in out:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append((path, shown))
    return unique


@main.command()
@click.argument(
    "paths",
    nargs=-1,
    type=click.Path(path_type=Path),
    metavar="[BANK|FILE]...",
)
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff; change nothing.")
@click.option(
    "--select",
    multiple=True,
    metavar="CODE",
    help="Only these fixes (repeatable, comma-separated): QB001 (tabs), QB003 (quote "
    "retyped values), QB008 (quote a leading {{), whitespace (line endings, trailing "
    "whitespace, final newline). Default: all.",
)
@click.option(
    "--add-disable",
    "add_disable",
    multiple=True,
    metavar="RULE",
    help="Also write `# qbank: disable=RULE` above each question RULE reports (e.g. a "
    "near-duplicate pair you reviewed and keep); narrow it with --ids.",
)
@click.option(
    "--ids", multiple=True, metavar="A,B", help="With --add-disable: only these questions."
)
@guarded
def fix(
    paths: tuple[Path, ...],
    show_diff: bool,
    select: tuple[str, ...],
    add_disable: tuple[str, ...],
    ids: tuple[str, ...],
) -> None:
    """Fix what can be fixed mechanically, in place, keeping comments, order and quoting.

    Quotes values YAML 1.1 tools would retype (QB003) and values starting with {{ (QB008),
    turns tab indentation into spaces (QB001), normalises line endings and removes trailing
    whitespace. Running it twice changes nothing the second time. Exit codes: 0 done (or,
    with --diff, nothing to fix); 1 with --diff when there is something to fix; 2 usage error.
    """
    from qbank.validate.fix import FIX_CODES, diff, fix_file

    codes = [c.strip() for v in select for c in v.split(",") if c.strip()]
    for code in codes:
        if code.upper() not in FIX_CODES and code.lower() != "whitespace":
            raise CommandError(f"--select {code}: not a fix; choose from {', '.join(FIX_CODES)}")
    chosen = [c.upper() if c.lower() != "whitespace" else "whitespace" for c in codes] or list(
        FIX_CODES
    )
    if ids and not add_disable:
        raise CommandError("--ids narrows --add-disable; give --add-disable RULE too")
    if add_disable:  # on request only, and on its own: it needs the whole bank validated
        results = _suppress(paths, add_disable, ids)
    else:
        results = [fix_file(path, shown, chosen) for path, shown in _targets(paths)]
    changed = [r for r in results if r.changed]
    total: Counter[str] = Counter()
    for r in changed:
        total.update(r.fixed)
    what = ", ".join(f"{code} ×{n}" for code, n in sorted(total.items()))
    if show_diff:
        for r in changed:
            click.echo(diff(r), nl=False)
        if changed:
            click.echo(
                f"Would fix {sum(total.values())} in {len(changed)} file(s): {what}. "
                "Run without --diff to apply.",
                err=True,
            )
        else:
            click.echo("Nothing to fix.", err=True)
        sys.exit(1 if changed else 0)
    from qbank.fsutil import rewrite_text

    for r in changed:
        rewrite_text(r.path, r.after)
        click.echo(
            f"fixed {r.shown}: " + ", ".join(f"{c} ×{n}" for c, n in sorted(r.fixed.items()))
        )
    if changed:
        click.echo(f"Fixed {sum(total.values())} in {len(changed)} file(s).", err=True)
    else:
        click.echo("Nothing to fix.", err=True)


def _suppress(
    paths: tuple[Path, ...], rules: tuple[str, ...], ids: tuple[str, ...]
) -> list[FileFix]:
    """Validate the bank of ``paths`` and add suppression comments for the chosen findings."""
    from qbank.diagnostics import RULES
    from qbank.validate.engine import Options
    from qbank.validate.engine import validate as run
    from qbank.validate.fix import FileFix, add_suppressions
    from qbank.validate.rules import families

    families()
    for rule in rules:
        if not any(r.startswith(rule.upper()) for r in RULES):
            raise CommandError(f"--add-disable {rule}: no such rule; `qbank rules` lists them")
    first = paths[0] if paths else default_bank()
    root = first if first.is_dir() else find_bank(first.parent)
    if root is None:
        raise CommandError(f"{first} is not inside a bank (no qbank.yaml above it)")
    bank = load(root)
    wanted_ids = {i.strip() for v in ids for i in v.split(",") if i.strip()}
    report = run(bank, Options())
    chosen = [
        p
        for p in report.problems
        if not wanted_ids or {p.question_id, p.data.get("other_id")} & wanted_ids
    ]
    if wanted_ids:
        unknown = sorted(wanted_ids - set(bank.by_id()))
        if unknown:
            raise CommandError(f"--ids: unknown question id(s) {', '.join(unknown)}")
    new_texts = add_suppressions(bank, chosen, rules)
    out: list[FileFix] = []
    for rel, text in sorted(new_texts.items()):
        src = bank.files[rel]
        shown = (root / rel).as_posix()
        added = text.count("# qbank: disable=") - src.text.count("# qbank: disable=")
        out.append(FileFix(root / rel, shown, src.text, text, Counter({"disable": max(added, 1)})))
    return out
