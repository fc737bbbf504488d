"""``qbank draw``: what a selection would contain, for authors to check before exporting.

Text lists each form's questions (number, id, type, topic, the start of the stem, the key);
JSON prints the draw manifest exactly as exporters write it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from qbank.cli import main
from qbank.cli.common import (
    bank_argument,
    build_selection,
    emit,
    guarded,
    load,
    output_option,
    selection_failed,
    selection_options,
)

#: how much of the stem the text listing shows
STEM_WIDTH = 70


@main.command("draw")
@bank_argument
@selection_options
@click.option("--title", help="Title (default: the quiz's title, else the bank's).")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: a listing per form; json: the draw manifest.",
)
@output_option
@guarded
def draw_command(
    bank: Path, title: str | None, fmt: str, output: Path | None, **kwargs: Any
) -> None:
    """Show what a selection of BANK would contain (same draw as the exporters)."""
    from qbank.draw import SelectionError, draw, manifest_json

    selection = build_selection(kwargs, title=title)
    loaded = load(bank)
    if loaded.invalid_ids:
        shown = ", ".join(loaded.invalid_ids[:10]) + (" …" if len(loaded.invalid_ids) > 10 else "")
        click.echo(
            f"qbank: note: {len(loaded.invalid_ids)} question(s) with errors are left out: "
            f"{shown} (run `qbank validate`)",
            err=True,
        )
    try:
        drawn = draw(loaded, selection)
    except SelectionError as exc:
        raise selection_failed(exc) from None
    emit(manifest_json(drawn) if fmt == "json" else render_text(drawn), output)


def stem_preview(text: str, width: int = STEM_WIDTH) -> str:
    """The stem as one line of plain text, cloze blanks shown as ``___``, cut to ``width``."""
    from qbank.markup import replace_blanks, to_text

    plain = " ".join(to_text(replace_blanks(text, lambda _b: r"\_\_\_")).split())
    return plain if len(plain) <= width else plain[: width - 1].rstrip() + "…"


def render_text(drawn: Any) -> str:
    """The listing ``qbank draw`` prints: a header, then one table per form."""
    lines = [drawn.title]
    facts = [f"bank {drawn.bank_id}"]
    if drawn.quiz:
        facts.append(f"quiz {drawn.quiz}")
    if drawn.blueprint is not None:
        facts.append(f"blueprint {drawn.blueprint}")
    facts.append(f"seed {drawn.seed}")
    facts.append("questions " + ("shuffled" if drawn.shuffle_questions else "in bank order"))
    facts.append("options " + ("shuffled" if drawn.shuffle_options else "as written"))
    if len(drawn.forms) > 1:
        facts.append("different questions per form" if drawn.vary_questions else "same questions")
    lines.append(" · ".join(facts))
    for s in drawn.sections:
        lines.append(f"{s.label}: {s.describe()}")
    for form in drawn.forms:
        rows = [
            (
                str(d.number),
                d.id,
                d.question.type,
                d.question.topic or "-",
                stem_preview(d.question.text),
                d.key_text,
            )
            for d in form.questions
        ]
        header = ("#", "id", "type", "topic", "stem", "key")
        widths = [max(len(r[c]) for r in [header, *rows]) for c in range(5)]
        n = len(form.questions)
        lines.append("")
        lines.append(
            f"Form {form.name} · {n} question{'s' if n != 1 else ''} · "
            f"{form.total_points} point{'s' if form.total_points != 1 else ''}"
        )
        for r in [header, *rows]:
            cells = [r[0].rjust(widths[0])] + [r[c].ljust(widths[c]) for c in range(1, 5)]
            lines.append(("  ".join([*cells, r[5]])).rstrip())
    for note in drawn.notes:
        lines.append("")
        lines.append(f"note: {note}")
    return "\n".join(lines) + "\n"
