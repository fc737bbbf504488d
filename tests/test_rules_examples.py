"""Every registered rule's documented examples behave as documented.

For each rule with a failing and a passing example, the example is written into a real bank
(at the rule's ``example_path``, with its ``example_files`` and a default manifest unless the
rule brings its own) and validated end to end. The failing example must report the rule with
its default severity at a line and column inside the example file; the passing one must not
report it. This keeps ``qbank rules QB201`` honest: the docs are tested code.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DEFAULT_MANIFEST, write_bank
from qbank.diagnostics import RULES, Problem, Rule
from qbank.load import load_bank
from qbank.validate import validate
from qbank.validate.rules import families

families()
WITH_EXAMPLES = sorted(r.id for r in RULES.values() if r.failing and r.passing)
#: rules that cannot have a file example (an unreadable file, a huge file, no manifest,
#: a FIFO or a symlink leaving the bank)
WITHOUT_EXAMPLES = {"QB005", "QB007", "QB009", "QB011"}


def _run(tmp_path: Path, rule: Rule, text: str) -> tuple[list[Problem], str]:
    files = dict(rule.example_files)
    files[rule.example_path] = text
    manifest = None if "qbank.yaml" in files else DEFAULT_MANIFEST
    root = write_bank(tmp_path, {}, manifest=manifest)
    for rel, content in files.items():  # written as is: examples are exact file contents
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return validate(load_bank(root)).problems, rule.example_path


def test_every_rule_has_examples() -> None:
    missing = sorted(set(RULES) - set(WITH_EXAMPLES) - WITHOUT_EXAMPLES)
    assert not missing, f"rules without a failing and a passing example: {missing}"
    for family in ("QB2", "QB4", "QB5"):
        assert any(r.startswith(family) for r in WITH_EXAMPLES), family


@pytest.mark.parametrize("rule_id", WITH_EXAMPLES)
def test_failing_example_reports_rule(tmp_path: Path, rule_id: str) -> None:
    rule = RULES[rule_id]
    problems, rel = _run(tmp_path, rule, rule.failing)
    hits = [p for p in problems if p.rule == rule_id]
    assert hits, f"{rule_id} not reported; got {[(p.rule, p.message) for p in problems]}"
    lines = rule.failing.splitlines()
    for p in hits:
        assert p.severity is rule.severity
        assert p.location.file == rel
        assert 1 <= p.location.line <= max(1, len(lines)), p.location
        text = lines[p.location.line - 1] if lines else ""
        assert 1 <= p.location.col <= len(text) + 1, (p.location, text)


@pytest.mark.parametrize("rule_id", WITH_EXAMPLES)
def test_passing_example_is_clean(tmp_path: Path, rule_id: str) -> None:
    rule = RULES[rule_id]
    problems, _ = _run(tmp_path, rule, rule.passing)
    hits = [(str(p.location), p.message) for p in problems if p.rule == rule_id]
    assert not hits


def test_answer_and_style_examples_have_no_errors_when_passing(tmp_path: Path) -> None:
    """The passing examples of the answer, style and media rules are good questions: no
    error of any rule (so the docs never show a broken question as the right way)."""
    for rule_id in WITH_EXAMPLES:
        if not rule_id.startswith(("QB2", "QB4", "QB5")):
            continue
        rule = RULES[rule_id]
        problems, _ = _run(tmp_path / rule_id, rule, rule.passing)
        errors = [(p.rule, str(p.location), p.message) for p in problems if p.severity == "error"]
        assert not errors, (rule_id, errors)
