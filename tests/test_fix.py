"""``qbank.validate.fix`` invariants over real and generated files: fixing is idempotent, a
file that parsed reads exactly the same afterwards (every value as text), and the findings
the fixes target are gone."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from qbank.load import load_bytes
from qbank.validate.fix import fix_text

FILES = sorted(
    p for base in (ROOT / "bank", ROOT / "tests" / "fixtures") for p in base.rglob("*.y*ml")
)


def _as_text(text: str) -> object:
    return yaml.load(text, Loader=yaml.BaseLoader)  # every value as text, like qbank


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_fix_is_idempotent_and_keeps_what_parsed(path: Path) -> None:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        pytest.skip("not UTF-8: fix leaves it alone")
    fixed, _ = fix_text(text, path.name)
    assert fix_text(fixed, path.name)[0] == fixed
    try:
        before = _as_text(text)
    except yaml.YAMLError:
        return
    assert _as_text(fixed) == before


LOOKALIKES = ["no", "No", "NO", "yes", "on", "off", "0.10", "010", "12:30", "2024-01-01", "1e3",
              "~", "0x1F", "+1", ".5", "true", "False"]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(LOOKALIKES), min_size=1, max_size=4),
    st.sampled_from(["{{NAT}} gateway", "A {{NAT}} gateway", "plain text"]),
    st.booleans(),
    st.booleans(),
)
def test_generated_files(values: list[str], text: str, flow: bool, crlf: bool) -> None:
    answers = (
        f"    answers: [{', '.join(values)}]\n"
        if flow
        else "    answers:\n" + "".join(f"      - {v}\n" for v in values)
    )
    src = (
        f"questions:\n  - id: q\n    type: short\n    text: {text}  # note\n{answers}"
        "    explanation: Why.   \n"
    )
    if crlf:
        src = src.replace("\n", "\r\n")
    fixed, _ = fix_text(src, "q.yaml")
    assert fix_text(fixed, "q.yaml")[0] == fixed
    _, problems = load_bytes(fixed.encode(), "q.yaml")
    assert not [p for p in problems if p.rule in ("QB001", "QB003", "QB008")], problems
    data = _as_text(fixed)["questions"][0]
    assert data["answers"] == values
    assert data["text"] == text
    assert "\r" not in fixed and "# note" in fixed and fixed.endswith("Why.\n")


def _rules(text: str) -> list[str]:
    return [p.rule for p in load_bytes(text.encode(), "q.yaml")[1]]


def test_a_trailing_tab_does_not_block_the_other_fixes() -> None:
    """qbank reads ``off<TAB>`` (libyaml does); the fixes must read it the same way, or the
    whole file is left with its QB003 findings while `qbank fix` says "Nothing to fix"."""
    src = (
        "questions:\n  - id: q\n    type: single\n    text: Which value is on?\n"
        "    explanation: Because.\n    options:\n      - text: on\n        correct: true\n"
        "      - text: off\t\n      - text: no   \n"
    )
    assert "QB003" in _rules(src)
    fixed, counts = fix_text(src, "q.yaml")
    assert "QB003" not in _rules(fixed), fixed
    assert not any(line != line.rstrip() for line in fixed.split("\n")), fixed
    assert counts["QB003"] == 3 and counts["whitespace"] >= 2
    assert fix_text(fixed, "q.yaml")[0] == fixed


def test_a_cloze_and_a_tab_further_down_are_both_fixed_in_one_run() -> None:
    """The YAML parser stops at the first error: the tab below the ``{{`` value only shows
    once that value is quoted. One run of `qbank fix` must fix both (not neither)."""
    src = (
        "questions:\n  - id: cl\n    type: cloze\n    text: {{alpha}} is the first letter.\n"
        "    explanation: Greek.\n  - id: tabbed\n    type: truefalse\n"
        "\ttext: Tabs are here.\n    answer: true\n    explanation: Because.\n"
    )
    assert _rules(src) == ["QB008"]
    fixed, counts = fix_text(src, "q.yaml")
    assert _rules(fixed) == [], fixed
    assert counts["QB008"] == 1 and counts["QB001"] == 1
    assert "    text: '{{alpha}} is the first letter.'\n" in fixed
    assert "\n    text: Tabs are here.\n" in fixed
    assert fix_text(fixed, "q.yaml")[0] == fixed
