"""Property (issue 12, point 3): for every bank `validate` accepts, the JSON export
validates against its own published schema (exporters/web/quiz.schema.v1.json).

Banks are generated with the text real banks hold: options and answers written as bare
numbers (`4.`), step lists (`1. Stop the instance. 2. …`), block markers (`- x`, `# x`,
`> x`, `+ x`), markdown, HTML-looking text, maths, entities, non-ASCII and odd whitespace.
Whatever validate lets through must export to a document the schema accepts — and a short
field must never export as empty text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from qbank.draw import Selection, draw
from qbank.export.web.quiz_json import build
from qbank.load import load_bank
from qbank.validate import validate
from test_short_fields import MARKERS

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "exporters" / "web" / "quiz.schema.v1.json").read_text("utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())

#: short texts as real banks write them (block markers, numbers, markup, odd characters)
TRICKY = [
    *MARKERS,
    "===",
    "**bold**",
    "`code`",
    "\\( x^2 \\)",
    "A & B",
    "&amp;",
    "<b>x</b>",
    "[link](https://example.com)",
    "[1]: https://example.com",
    "Ünïcödé — 日本語 🚀",
    "  padded  ",
    "tab\there",
    "line\nbreak",
    "\\*",
    "0.10",
    "no",
    "~~gone~~",
    "|a|b|",
]
WORDS = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="{}"),
    min_size=1,
    max_size=12,
)
SHORT = st.one_of(st.sampled_from(TRICKY), WORDS)
STEM = st.one_of(
    st.sampled_from(
        [
            "Which one?",
            "1. Stop the instance.\n2. Start it.\n\nWhat comes first?",
            "# Case study\n\nContoso runs VMs.\n\n> Note: read it.",
            "Read [the docs][1].\n\n[1]: https://example.com/docs",
        ]
    ),
    WORDS,
)


def _options(draw_: Any, qtype: str) -> list[dict[str, Any]]:
    texts = draw_(st.lists(SHORT, min_size=2, max_size=5, unique_by=str.strip))
    correct = {0} if qtype == "single" else set(range(draw_(st.integers(1, len(texts)))))
    return [{"text": t, **({"correct": True} if i in correct else {})} for i, t in enumerate(texts)]


@st.composite
def question(draw_: Any, index: int) -> dict[str, Any]:
    qtype = draw_(st.sampled_from(["single", "multi", "order", "match", "short", "cloze"]))
    data: dict[str, Any] = {"id": f"q{index}", "type": qtype, "text": draw_(STEM)}
    if qtype in ("single", "multi"):
        data["options"] = _options(draw_, qtype)
    elif qtype == "order":
        data["items"] = draw_(st.lists(SHORT, min_size=2, max_size=5, unique_by=str.strip))
    elif qtype == "match":
        lefts = draw_(st.lists(SHORT, min_size=2, max_size=4, unique_by=str.strip))
        data["pairs"] = [[left, f"right {i}"] for i, left in enumerate(lefts)]
    elif qtype == "short":
        data["answers"] = draw_(st.lists(SHORT, min_size=1, max_size=3, unique_by=str.strip))
    else:
        answer = draw_(SHORT).replace("|", " ")
        data["text"] = f"Fill in: {{{{{answer}}}}}."
    if draw_(st.booleans()):
        data["explanation"] = draw_(STEM)
    return data


@st.composite
def bank_questions(draw_: Any) -> list[dict[str, Any]]:
    n = draw_(st.integers(1, 4))
    return [draw_(question(i)) for i in range(n)]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(questions=bank_questions())
def test_every_accepted_bank_exports_schema_valid_json(
    tmp_path_factory: Any, questions: list[dict[str, Any]]
) -> None:
    root = tmp_path_factory.mktemp("prop")
    (root / "qbank.yaml").write_text("id: prop\ntitle: Property bank\n", encoding="utf-8")
    # JSON is YAML: every string arrives exactly as generated
    text = json.dumps({"questions": questions}, ensure_ascii=False, indent=1)
    (root / "q.yaml").write_text(text, encoding="utf-8")
    bank = load_bank(root)
    report = validate(bank)
    event("accepted" if not report.errors else "refused")
    if report.errors:
        return  # validate refuses it: nothing to export
    doc = build(draw(bank, Selection()), bank)
    errors = sorted(VALIDATOR.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors[:5]]
    for q in doc["forms"][0]["questions"]:
        for key in ("options", "items", "left", "right"):
            for entry in q.get(key, []):
                assert entry["text"].strip(), (q["id"], key, entry)
