"""Text somebody else wrote (issue 12, point 3): the markdown-it-py 4.0.0 change log and README
(tests/fixtures/real/markdown-it-py, MIT) — emoji, badges with reference links, inline code,
bullet lists and headings — as question stems and, line by line, as options.

As stems they are CommonMark and nothing they contain is lost (QB506 stays quiet: every
reference definition is used by a badge); with the badges deleted, the now unused
definitions are exactly what QB506 reports. As options, every line shows as typed: `* ⬆️ …`,
`## 4.0.0 - 2024-08-10` or `- …` never become lists or headings in any export.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from qbank.cli import main
from qbank.markup import parse, to_html

MakeBank = Callable[..., Path]
REAL = Path(__file__).parent / "fixtures" / "real" / "markdown-it-py"
CHANGELOG = (REAL / "CHANGELOG.md").read_text(encoding="utf-8")
README = (REAL / "README.md").read_text(encoding="utf-8")
BLOCK_TAGS = re.compile(r"<(ul|ol|li|h[1-6]|blockquote|hr|pre|p)\b")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env={"GITHUB_ACTIONS": "false"})
    return result.exit_code, result.output


def _lines(text: str) -> list[str]:
    return list(dict.fromkeys(ln.strip() for ln in text.splitlines() if ln.strip()))


def _stem_file(qid: str, text: str) -> str:
    return json.dumps(
        {"id": qid, "type": "truefalse", "text": text, "answer": "true", "explanation": "Yes."},
        ensure_ascii=False,
    )


def test_real_markdown_as_stems_loses_nothing(make_bank: MakeBank) -> None:
    assert parse(CHANGELOG).dropped() == [] and parse(README).dropped() == []
    bank = make_bank({"changelog.yaml": _stem_file("changelog", CHANGELOG),
                      "readme.yaml": _stem_file("readme", README)})  # fmt: skip
    _, out = run("validate", str(bank), "--format", "json")
    rules = {p["rule"] for p in json.loads(out)["problems"]}
    assert "QB506" not in rules and not any(r.startswith(("QB0", "QB1")) for r in rules), rules


def test_unused_reference_definitions_are_reported(make_bank: MakeBank) -> None:
    """Delete the badge line that uses `[conda-badge]` and `[conda-link]`: their definitions
    show in no rendering, and QB506 says so at the first of them."""
    lines = README.splitlines()
    cut = [ln for ln in lines if not ln.startswith("[![Conda]")]
    text = "\n".join(cut) + "\n"
    bank = make_bank({"readme.yaml": "id: readme\ntype: truefalse\ntext: |\n"
                      + "".join(f"  {ln}\n" if ln else "\n" for ln in text.splitlines())
                      + "answer: true\nexplanation: Yes.\n"})  # fmt: skip
    code, out = run("validate", str(bank), "--format", "json")
    found = [p for p in json.loads(out)["problems"] if p["rule"] == "QB506"]
    assert code == 1 and len(found) == 1, found
    (p,) = found
    written = (bank / "readme.yaml").read_text(encoding="utf-8").splitlines()
    line = next(i for i, ln in enumerate(written, 1) if ln.startswith("  [conda-badge]:"))
    assert (p["line"], p["column"]) == (line, 3), (p, written[p["line"] - 1])
    assert p["message"].startswith("`[conda-badge]: https://")
    assert p["message"].endswith("markdown reads the line as a link reference definition, "
                                 "which is never shown")  # fmt: skip


def test_real_lines_as_options_show_as_typed(make_bank: MakeBank, tmp_path: Path) -> None:
    lines = [ln for ln in _lines(CHANGELOG + README) if len(ln) <= 300]
    questions: list[dict[str, Any]] = []
    for n in range(0, len(lines) - 1, 6):
        chunk = lines[n : n + 6]
        if len(chunk) < 2:
            break
        options = [
            {"text": t, **({"correct": True} if i == 0 else {})} for i, t in enumerate(chunk)
        ]
        questions.append({"id": f"q{n}", "type": "single", "shuffle": False,
                          "text": f"Which line {n}?", "explanation": "The first.",
                          "options": options})  # fmt: skip
    bank = make_bank({"q.yaml": json.dumps({"questions": questions}, ensure_ascii=False)})
    code, out = run("validate", str(bank), "--format", "json")
    doc = json.loads(out)
    assert doc["bank"]["questions"] == len(questions)
    # `<div>` typed in an option shows as text: a QB505 warning, never an error
    assert not [p for p in doc["problems"] if p["severity"] == "error"]
    target = tmp_path / "q.json"
    code, text = run("export", "json", str(bank), "-o", str(target))
    assert code == 0, text
    exported = json.loads(target.read_text(encoding="utf-8"))["forms"][0]["questions"]
    shown = [o for q in exported for o in q["options"]]
    typed = [o["text"] for q in questions for o in q["options"]]
    assert len(shown) == len(typed)
    for option, source in zip(shown, typed, strict=True):
        assert option["text"].strip(), source
        assert not BLOCK_TAGS.search(option["html"]), (source, option["html"])
        assert option["html"] == to_html(source, inline=True)
        assert parse(source, inline=True).dropped() == [], source
