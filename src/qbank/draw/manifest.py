"""Form manifests: the JSON record that ties a worksheet, its key and a web quiz to a draw.

A manifest is compared byte for byte (tests/golden/), so its shape lives in one place and
is written as canonical JSON: sorted keys, two-space indent, UTF-8, final newline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qbank.fsutil import atomic_write_text

if TYPE_CHECKING:
    from qbank.draw.result import Draw

MANIFEST_VERSION = 1


def draw_manifest(draw: Draw) -> dict[str, Any]:
    """JSON-able record linking a worksheet, its key and a web quiz to ``draw``.

    ``order`` lists bank indices in shown order (options, order items or the match right
    column); ``key`` the correct letters of choice questions as shown.
    """
    return {
        "qbank_draw": MANIFEST_VERSION,
        "bank": draw.bank_id,
        "title": draw.title,
        "quiz": draw.quiz,
        "seed": draw.seed,
        "shuffle_questions": draw.shuffle_questions,
        "shuffle_options": draw.shuffle_options,
        "vary_questions": draw.vary_questions,
        "blueprint": draw.blueprint,
        "selection": draw.filters,
        "sections": [
            {
                "section": s.index,
                "label": s.label,
                "title": s.title,
                "filters": s.filters.to_dict(),
                "count": s.count,
                "available": s.available,
            }
            for s in draw.sections
        ],
        "notes": draw.notes,
        "skipped": draw.skipped,
        "forms": [
            {
                "form": f.name,
                "points": f.total_points,
                "questions": [
                    {
                        "number": d.number,
                        "id": d.id,
                        "type": d.question.type,
                        "section": d.section,
                        "order": list(d.order),
                        **({"key": d.correct_letters} if d.question.is_choice else {}),
                    }
                    for d in f.questions
                ],
            }
            for f in draw.forms
        ],
    }


def manifest_json(d: Draw) -> str:
    """The manifest as canonical JSON: sorted keys, two-space indent, UTF-8, final newline."""
    return json.dumps(draw_manifest(d), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_manifest(d: Draw, path: str | Path) -> Path:
    """Write :func:`manifest_json` atomically; returns the path."""
    target = Path(path)
    atomic_write_text(target, manifest_json(d))
    return target
