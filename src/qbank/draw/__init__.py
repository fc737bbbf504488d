"""Draws: which questions a selection picks, in which order, on which form — reproducibly.

One package selects questions for every exporter, so a worksheet, its answer key, a web quiz
and an Anki deck made from the same selection and seed hold the same questions in the same
order with the same option order (DESIGN §4). The algorithm and its reproducibility contract
are described in :mod:`qbank.draw.select`.

* :mod:`~qbank.draw.select` — :func:`draw`, the algorithm;
* :mod:`~qbank.draw.result` — :class:`Selection` (what to draw), :class:`Draw` → :class:`Form`
  → :class:`DrawnQuestion` (what was drawn), :class:`SelectionError`;
* :mod:`~qbank.draw.filters` — :class:`Filters` (topics match with
  :func:`qbank.model.topic_matches`);
* :mod:`~qbank.draw.planning` — quiz, blueprint and ad-hoc sections, reference checks;
* :mod:`~qbank.draw.seeding` — ranks, option and item order, form letters;
* :mod:`~qbank.draw.manifest` — the JSON manifest tying exports to a draw.

Everything public is importable from here::

    from qbank.draw import Selection, draw
    d = draw(bank, Selection(quiz="4.3-practice", forms=2))
"""

from __future__ import annotations

from qbank.draw.filters import Filters, filter_questions
from qbank.draw.manifest import MANIFEST_VERSION, draw_manifest, manifest_json, write_manifest
from qbank.draw.planning import blueprint_counts, blueprint_sections, blueprint_specs, find_quiz
from qbank.draw.result import Draw, DrawnQuestion, DrawSection, Form, Selection, SelectionError
from qbank.draw.seeding import form_name, letter, part_order, rank, seeded_order
from qbank.draw.select import draw, selection_pool
from qbank.model import topic_matches  # the topic rule draws use, shared with validate/stats

__all__ = [
    "MANIFEST_VERSION",
    "Draw",
    "DrawSection",
    "DrawnQuestion",
    "Filters",
    "Form",
    "Selection",
    "SelectionError",
    "blueprint_counts",
    "blueprint_sections",
    "blueprint_specs",
    "draw",
    "draw_manifest",
    "filter_questions",
    "find_quiz",
    "form_name",
    "letter",
    "manifest_json",
    "part_order",
    "rank",
    "seeded_order",
    "selection_pool",
    "topic_matches",
    "write_manifest",
]
