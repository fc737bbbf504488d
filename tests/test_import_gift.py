"""`qbank import gift`, checked against gift-pegjs 1.0.2 (the GIFT parser most tools use) on
real GIFT files: Moodle's documented examples and gift-pegjs's own test inputs.

Needs node and tests/node/node_modules (``npm ci`` in tests/node); skips locally without
them and fails in CI (QBANK_REQUIRE_TOOLS=1).
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import require_tool
from qbank.cli import main
from qbank.importers import clean_id
from qbank.importers.gift import import_gift
from qbank.load import load_bank
from qbank.markup import to_text

REAL = Path(__file__).parent / "fixtures" / "real"
GIFT_FILES = [*sorted((REAL / "gift-pegjs").glob("*.gift")), REAL / "moodle-docs" / "examples.gift"]
NODE_DIR = Path(__file__).parent / "node"
TYPES = {
    "MC": {"single", "multi"},
    "TF": {"truefalse"},
    "Short": {"short", "cloze"},
    "Numerical": {"numeric"},
    "Matching": {"match"},
    "Essay": {"essay"},
}


def pegjs(*files: Path) -> dict[str, Any]:
    node = require_tool("node")
    if not (NODE_DIR / "node_modules" / "gift-pegjs" / "package.json").exists():
        require_tool("gift-pegjs", str(NODE_DIR / "node_modules" / "gift-pegjs" / "package.json"))
    out = subprocess.run(
        [node, str(NODE_DIR / "gift_parse_files.mjs"), *map(str, files)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    parsed: dict[str, Any] = json.loads(out.stdout)
    return {Path(k).name: v for k, v in parsed.items()}


def theirs(text: dict[str, str] | None) -> str:
    if not text:
        return ""
    value = text["text"]
    if text.get("format") == "markdown":
        return " ".join(to_text(value).split())
    value = re.sub(r"<[^>]+>", " ", re.sub(r"<!--.*?-->", "", value, flags=re.DOTALL))
    return _spaces(html.unescape(value))


def mine(markdown: str) -> str:
    return _spaces(to_text(markdown))


def _spaces(text: str) -> str:
    """Whitespace collapsed; none before punctuation (gift-pegjs writes `_____ .` for a
    missing word, Moodle `_____.`)."""
    return re.sub(r"\s+([.,;:!?])", r"\1", " ".join(text.split()))


@pytest.mark.parametrize("path", GIFT_FILES, ids=lambda p: p.name)
def test_import_agrees_with_gift_pegjs(path: Path) -> None:
    if path.name == "comments.gift":
        pytest.skip(
            "inline `//` comments: gift-pegjs 1.0.2 keeps them as text (this input comes from "
            "a later gift-pegjs, which drops them, as qbank does); checked in test_comments"
        )
    parsed = pegjs(path)[path.name]
    assert parsed["ok"], parsed.get("error")
    questions = [q for q in parsed["questions"] if q["type"] != "Category"]
    result = import_gift(path.read_bytes(), path.name)
    assert result.total == len(questions)
    descriptions = [q for q in questions if q["type"] == "Description"]
    assert result.not_imported == len(descriptions)
    real = [q for q in questions if q["type"] != "Description"]
    assert len(result.questions) == len(real)
    for ref, got in zip(real, result.questions, strict=True):
        q = got.data
        assert q["type"] in TYPES[ref["type"]], (ref, q)
        if ref.get("id"):
            assert q["id"] == ref["id"]
        elif ref.get("title"):
            assert q["id"].startswith(clean_id(ref["title"]) or "")
        assert q.get("tags", []) == (ref.get("tags") or [])
        stem = theirs(ref["stem"])
        if q["type"] == "cloze":
            stem = stem.replace(
                "_____",
                "{{" + "|".join(q["text"].split("{{", 1)[1].split("}}")[0].split("|")) + "}}",
            )
            assert _spaces(q["text"]).replace("\\", "") == _spaces(stem).replace("\\", "")
        else:
            assert mine(q["text"]) == stem
        if ref["type"] == "TF":
            assert q["answer"] is ref["isTrue"]
        elif ref["type"] == "MC":
            right = {
                theirs(c["text"])
                for c in ref["choices"]
                if c["isCorrect"] or (c["weight"] or 0) > 0
            }
            got_right = {mine(o["text"]) for o in q["options"] if o.get("correct")}
            assert [mine(o["text"]) for o in q["options"]] == [
                theirs(c["text"]) for c in ref["choices"]
            ]
            assert got_right <= right if q["type"] == "single" else got_right == right
            for o, c in zip(q["options"], ref["choices"], strict=True):
                assert mine(o.get("feedback", "")) == theirs(c["feedback"])
        elif ref["type"] == "Short":
            accepted = [
                theirs(c["text"])
                for c in ref["choices"]
                if c["isCorrect"] and (c["weight"] is None or c["weight"] >= 100)
            ]
            answers = q.get("answers") or [
                a for a in q["text"].split("{{", 1)[1].split("}}")[0].split("|")
            ]
            assert answers == accepted
        elif ref["type"] == "Numerical":
            choices = ref["choices"] if isinstance(ref["choices"], list) else [ref["choices"]]
            first = choices[0] if "text" not in choices[0] else choices[0]["text"]
            if first["type"] == "simple":
                assert float(q["answer"]) == first["number"]
            elif first["type"] == "range":
                assert float(q["answer"]) == first["number"]
                assert float(q.get("tolerance", 0)) == first["range"]
            elif first["type"] == "high-low":
                assert float(q["answer"]) == pytest.approx(
                    (first["numberHigh"] + first["numberLow"]) / 2
                )
        elif ref["type"] == "Matching":
            pairs = [
                (theirs(p["subquestion"]), p["subanswer"].strip())
                for p in ref["matchPairs"]
                if theirs(p["subquestion"])
            ]
            assert [(mine(a), mine(b)) for a, b in q["pairs"]] == pairs
        if ref.get("globalFeedback"):
            assert mine(q["explanation"]) == theirs(ref["globalFeedback"])


def test_escapes_and_formats(tmp_path: Path) -> None:
    src = tmp_path / "esc.gift"
    src.write_text(
        "// [id:Q-42]\n// [tag:algebra]\n$CATEGORY: $course$/top/Maths/Algebra\n\n"
        "::Title\\: one::[html]Stem with <b>bold</b> \\\\( x^2 \\\\) and a\\nbreak {\n"
        "=right\\#1#fb\\: note\n~%-100%wrong \\{x\\}#why\n####general **not** bold\n}\n\n"
        "[markdown]Keep **this** and `code` {TRUE}\n\n"
        "[plain]2 * 3 < 7 {=yes =no}\n",
        encoding="utf-8",
    )
    code = CliRunner().invoke(main, ["import", "gift", str(src), "--into", str(tmp_path / "b")])
    assert code.exit_code == 0, code.output
    qs = load_bank(tmp_path / "b").by_id()
    q = qs["q-42"]
    assert q.topic == "maths/algebra" and q.tags == ["algebra"]
    assert q.text == "Stem with **bold** \\( x^2 \\) and a\\\nbreak"
    assert [(o.text, o.correct, o.feedback) for o in q.options] == [
        ("right#1", True, "fb: note"),
        ("wrong {x}", False, "why"),
    ]
    assert q.explanation == "general \\*\\*not\\*\\* bold"
    md = next(x for x in qs.values() if x.type == "truefalse")
    assert md.text == "Keep **this** and `code`" and md.answer is True
    plain = next(x for x in qs.values() if x.type == "short")
    assert plain.text == "2 \\* 3 < 7" and plain.answers == ["yes", "no"]
    text = (tmp_path / "b" / "maths" / "algebra.yaml").read_text()
    assert "# GIFT title: Title: one" in text
    # the YAML keeps `yes`/`no` as quoted text, so YAML 1.1 tools read the same answers
    assert "- 'yes'" in text and "- 'no'" in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'<?xml version="1.0"?><quiz/>', "this is XML, not GIFT"),
        (b"\xff\xfe\x00a", "not UTF-8 text"),
        (b"Just some notes\nwithout any question\n", "no GIFT question found"),
    ],
)
def test_not_gift_is_a_clear_error(tmp_path: Path, data: bytes, message: str) -> None:
    src = tmp_path / "in.gift"
    src.write_bytes(data)
    result = CliRunner().invoke(main, ["import", "gift", str(src), "--into", str(tmp_path / "b")])
    assert result.exit_code == 1
    assert message in result.output and "in.gift" in result.output
    assert "Traceback" not in result.output


def test_round_trip_through_gift_export(tmp_path: Path) -> None:
    """import → `qbank export gift` → gift-pegjs: the same questions, answers and weights as
    gift-pegjs reads from the original (for what qbank imported). The GIFT exporter is built
    on another branch; this runs once it is on main."""
    if CliRunner().invoke(main, ["export", "gift", "--help"]).exit_code != 0:
        pytest.skip("qbank export gift is not available yet")
    for path in GIFT_FILES:
        result = import_gift(path.read_bytes(), path.name)
        if not result.questions or path.name == "comments.gift":  # see the skip above
            continue
        bank = tmp_path / path.stem
        assert (
            CliRunner().invoke(main, ["import", "gift", str(path), "--into", str(bank)]).exit_code
            == 0
        )
        target = tmp_path / f"{path.stem}.out.gift"
        out = CliRunner().invoke(
            main, ["export", "gift", str(bank), "-o", str(target), "--no-shuffle"]
        )
        assert out.exit_code == 0, out.output
        parsed = pegjs(path, target)
        original = [
            q
            for q in parsed[path.name]["questions"]
            if q["type"] not in ("Category", "Description")
        ]
        exported = [
            q
            for q in parsed[target.name]["questions"]
            if q["type"] not in ("Category", "Description")
        ]
        assert [q["type"] for q in exported] == [q["type"] for q in original], path.name
        exact = not result.losses
        for a, b in zip(original, exported, strict=True):
            if a["type"] == "MC" and exact:
                assert [theirs(c["text"]) for c in a["choices"]] == [
                    theirs(c["text"]) for c in b["choices"]
                ]
                assert [c["isCorrect"] or (c["weight"] or 0) > 0 for c in a["choices"]] == [
                    c["isCorrect"] or (c["weight"] or 0) > 0 for c in b["choices"]
                ]
            if a["type"] == "TF":
                assert a["isTrue"] == b["isTrue"]


def test_comments() -> None:
    """gift-pegjs's comments test input: every `//` comment is dropped, `[tag:]` kept."""
    path = REAL / "gift-pegjs" / "comments.gift"
    result = import_gift(path.read_bytes(), path.name)
    assert [q.data for q in result.questions] == [
        {
            "id": "question-title",
            "type": "truefalse",
            "text": "This statement is false.",
            "answer": False,
            "tags": ["tag1", "tag2"],
        }
    ]


def test_images_gift_cannot_carry_are_reported() -> None:
    """A Moodle GIFT export refers to files it does not include (`@@PLUGINFILE@@/3.png`)."""
    path = REAL / "gift-pegjs" / "multiLineFeedback1.gift"
    result = import_gift(path.read_bytes(), path.name)
    lost = [str(loss) for loss in result.losses]
    assert lost == [
        "multiLineFeedback1.gift:11 (06- création d'instance): partly imported: "
        "image @@PLUGINFILE@@/3.png: GIFT files carry no images (only a reference); left out"
    ]
    assert "@@PLUGINFILE@@" not in json.dumps([q.data for q in result.questions])
