"""Run the rule families over a loaded bank and apply configuration and suppressions."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qbank.diagnostics import RULES, Problem, Severity
from qbank.validate.rules import families

if TYPE_CHECKING:
    from qbank.load import Bank
    from qbank.model import AnyQuestion


@dataclass
class Options:
    """What a validation run checks and how strictly."""

    #: question ids added or changed (pull-request mode); None means the whole bank
    changed_ids: set[str] | None = None
    #: overrides the manifest's dedup threshold
    similarity_threshold: int | None = None
    #: rule families or ids to skip entirely (e.g. {"QB3"} to skip dedup)
    skip: set[str] = field(default_factory=set)
    workers: int = -1
    progress: bool = False


@dataclass
class Context:
    """What a rule family's ``check`` receives."""

    bank: Bank
    options: Options


@dataclass
class Report:
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    def exit_code(self, *, strict: bool = False, exit_zero: bool = False) -> int:
        if exit_zero:
            return 0
        if self.errors or (strict and self.warnings):
            return 1
        return 0


Check = Callable[[Context], Iterable[Problem]]


def checks() -> list[tuple[str, Check]]:
    """(family id, check function) for every family that checks something after loading."""
    found = []
    for module in families():
        fn = getattr(module, "check", None)
        if fn is not None:
            found.append((getattr(module, "FAMILY", module.__name__), fn))
    return found


def _selected(rule_id: str, bank: Bank, options: Options) -> Severity | None:
    """The severity a rule runs at after configuration, or None when it is turned off."""
    rule = RULES.get(rule_id)
    severity = rule.severity if rule else Severity.ERROR
    if any(rule_id.startswith(s) for s in options.skip):
        return None
    lint = bank.manifest.lint if bank.manifest else None
    if lint is not None:
        if lint.select and not any(rule_id.startswith(s) for s in lint.select):
            return None
        if any(rule_id.startswith(s) for s in lint.ignore):
            return None
        override = lint.severity.get(rule_id)
        if override == "off":
            return None
        if override:
            severity = Severity(override)
    return severity


def apply_config(problems: Iterable[Problem], bank: Bank, options: Options) -> list[Problem]:
    """Drop ignored rules, apply severity overrides and ``# qbank: disable=`` comments."""
    by_id = bank.by_id()
    out: list[Problem] = []
    for p in problems:
        severity = _selected(p.rule, bank, options)
        if severity is None:
            continue
        if p.question_id is not None:
            q = by_id.get(p.question_id)
            if q is not None and p.rule in q.suppressed:
                _mark_used(q, p.rule)
                continue
        out.append(p if severity is p.severity else p.with_severity(severity))
    return out


def _mark_used(question: AnyQuestion, rule_id: str) -> None:
    src = question.source_file
    line = question.suppressed.get(rule_id)
    if src is None or line is None:
        return
    for s in src.suppressions:
        if s.line == line:
            s.used.add(rule_id)


def validate(bank: Bank, options: Options | None = None) -> Report:
    """All problems of a loaded bank: the loader's plus every rule family's, sorted."""
    options = options or Options()
    found: list[Problem] = list(bank.problems)
    for family, check in checks():
        if family in options.skip:
            continue
        found.extend(check(Context(bank, options)))
    problems = apply_config(found, bank, options)
    problems.sort(key=lambda p: (p.severity.rank, *p.sort_key))
    return Report(problems)
