"""``qbank export moodle | gift | qti``: the learning-management-system targets.

Thin wrappers over :mod:`qbank.export.moodle`, :mod:`qbank.export.gift` and
:mod:`qbank.export.qti`; they print the library's warnings (what a target could not carry)
on stderr. An LMS imports a question bank: every distinct question of the selection is
written once, options in the bank's order (the LMS shuffles them when ``shuffle`` is true).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from qbank.cli.export_cmd import BANK_TARGET, export_command


def _warn(warnings: list[str]) -> None:
    for line in warnings:
        click.echo(f"qbank: warning: {line}", err=True)


@export_command(
    "moodle",
    default_suffix=".moodle.xml",
    suffixes=(".xml",),
    not_for=(*BANK_TARGET, "title", "language"),
    help="Moodle XML for Moodle's question bank import (all nine types; categories from "
    "topics, idnumber = question id, tags, feedback, images embedded).",
)
def export_moodle(drawn: Any, target: Path, *, bank: Any) -> None:
    from qbank.export import moodle

    _warn(moodle.export(drawn, target, bank=bank))


@click.option(
    "--unsupported",
    type=click.Choice(["skip", "approximate"]),
    default="approximate",
    show_default=True,
    help="Questions GIFT cannot carry exactly (several blanks, ordering, images): write the "
    "documented approximation, or leave them out. Either way each one is named in a warning.",
)
@export_command(
    "gift",
    default_suffix=".gift.txt",
    suffixes=(".gift", ".txt"),
    not_for=(*BANK_TARGET, "title", "language"),
    help="GIFT text for Moodle's GIFT import ($CATEGORY from topics, // [id:…] and "
    "[tag:…] comments, weights, numeric tolerances, matching, essay).",
)
def export_gift(drawn: Any, target: Path, *, bank: Any, unsupported: str) -> None:
    from qbank.export import gift

    _warn(gift.export(drawn, target, bank=bank, unsupported=unsupported))  # type: ignore[arg-type]


@click.option(
    "--qti-version",
    type=click.Choice(["1.2", "3.0"]),
    default="1.2",
    show_default=True,
    help="1.2: the Canvas flavour (imsmanifest.xml, assessment, item bank), as text2qti "
    "writes it; 3.0: 1EdTech QTI 3 items and a test in an IMS content package.",
)
@export_command(
    "qti",
    default_suffix=".qti.zip",
    default_for=lambda options: ".qti3.zip" if options.get("qti_version") == "3.0" else ".qti.zip",
    default_help="<bank id>.qti.zip, with --qti-version 3.0 <bank id>.qti3.zip",
    suffixes=(".zip",),
    # QTI 1.2 carries --shuffle-options as the assessment's shuffle_answers setting
    not_for=("forms", "vary_questions", "language"),
    help="A QTI content package (zip) for Canvas and other LMSs; --qti-version 1.2 or 3.0 "
    "(default output <bank id>.qti.zip or <bank id>.qti3.zip: one does not overwrite the other).",
)
def export_qti(drawn: Any, target: Path, *, bank: Any, qti_version: str) -> None:
    from qbank.export import qti

    _warn(qti.export(drawn, target, bank=bank, version=qti_version))  # type: ignore[arg-type]
