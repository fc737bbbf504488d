"""Reporters: one module per output format, each exposing ``render(ctx) -> str``.

A reporter only formats; it never decides what is a problem. ``ReportContext`` carries
everything a format may need (the bank root to turn bank-relative paths into paths a CI
system or editor can open, the source files for code frames, what was checked).

Every format ends with the same summary sentence (:meth:`ReportContext.summary`): how many
errors and warnings, and what was checked — "Checked 2,084 of 2,110 questions (26 failed the
schema); 1 file could not be parsed" — so a reader never mistakes a bank that did not load
for a clean one. :func:`tally` is the table by rule that ``--format full`` ends with and
``--statistics`` prints alone.
"""

from __future__ import annotations

import importlib
import itertools
import operator
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from qbank.diagnostics import RULES, Problem, Severity, fixable_findings

if TYPE_CHECKING:
    from qbank.load import Bank

FORMATS = ("full", "concise", "github", "json", "sarif")


def plural(n: int, word: str, words: str | None = None) -> str:
    """``1 question``, ``2,110 questions`` (thousands separated, like the rest of the report)."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


@dataclass(frozen=True)
class Coverage:
    """What a run could check: questions loaded, questions that failed, files not read."""

    #: questions that loaded and were checked by every rule
    checked: int = 0
    #: question entries that failed the schema (reported, not checked further)
    failed: int = 0
    #: YAML files that could not be parsed at all (their questions are unknown)
    unparsed: tuple[str, ...] = ()
    #: file → last line read, for files whose questions after a YAML error were not read
    partial: tuple[tuple[str, int], ...] = ()

    @property
    def total(self) -> int:
        return self.checked + self.failed

    @classmethod
    def of(cls, bank: Bank, problems: list[Problem] | None = None) -> Coverage:
        """The coverage of a loaded bank (``problems``: the loader's, default the bank's)."""
        failed = getattr(bank, "failed_count", None)
        if failed is None:
            failed = len(bank.invalid_ids)
        broken = {
            p.location.file
            for p in (bank.problems if problems is None else problems)
            if p.rule.startswith("QB0") and p.severity is Severity.ERROR
        }
        unparsed = tuple(
            sorted(rel for rel, src in bank.files.items() if rel in broken and not src.composed)
        )
        partial = getattr(bank, "partial", None) or {}
        return cls(
            checked=len(bank.questions),
            failed=int(failed),
            unparsed=unparsed,
            partial=tuple(sorted(partial.items())),
        )

    def sentence(self, path: Callable[[str], str] = str) -> str:
        """``Checked 2,084 of 2,110 questions (26 failed the schema); 1 file could not be
        parsed; questions after line 40 of x.yaml were not checked.``"""
        if self.failed:
            head = (
                f"Checked {self.checked:,} of {plural(self.total, 'question')} "
                f"({self.failed:,} failed the schema)"
            )
        elif self.checked:
            head = f"Checked {plural(self.checked, 'question')}"
        elif self.unparsed or self.partial:
            head = "No questions were checked"
        else:
            head = "The bank has no questions"
        parts = [head]
        if self.unparsed:
            n = len(self.unparsed)
            if n == 1:
                parts.append(f"{path(self.unparsed[0])} could not be parsed")
            else:
                parts.append(f"{plural(n, 'file')} could not be parsed")
        for rel, line in self.partial:
            parts.append(f"questions after line {line:,} of {path(rel)} were not checked")
        return "; ".join(parts) + "."


@dataclass
class ReportContext:
    problems: list[Problem]
    bank: Bank
    #: questions checked (kept for callers that build a context by hand)
    checked: int = 0
    #: findings `qbank fix` would fix, for the summary line
    fixable: int = 0
    #: a note the summary line ends with (e.g. what pull-request mode compared)
    scope: str = ""
    coverage: Coverage | None = None
    _tally: list[TallyRow] | None = field(default=None, repr=False)
    _paths: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    _per_file: dict[tuple[str, str], str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.coverage is None:
            self.coverage = Coverage.of(self.bank)
            if self.checked and self.checked != self.coverage.checked:
                self.coverage = replace(self.coverage, checked=self.checked)
        self.checked = self.coverage.checked

    def path(self, rel: str) -> str:
        """A bank-relative path as a path from the current directory (forward slashes)."""
        shown = self._paths.get(rel)
        if shown is None:  # a report of 100,000 findings names a few hundred files
            shown = self._paths[rel] = self._path(rel)
        return shown

    def per_file(self, kind: str, rel: str, compute: Callable[[str], str]) -> str:
        """``compute(rel)``, worked out once per file and report: a reporter's path of a file
        (findings name a few hundred files between them, 100,000 times)."""
        key = (kind, rel)
        shown = self._per_file.get(key)
        if shown is None:
            shown = self._per_file[key] = compute(rel)
        return shown

    def _path(self, rel: str) -> str:
        full = self.bank.root / rel
        try:
            shown = os.path.relpath(full)
        except ValueError:  # pragma: no cover - other drive on Windows
            shown = str(full)
        if shown.startswith(".." + os.sep + ".." + os.sep):
            shown = str(full.resolve())
        return Path(shown).as_posix()

    @property
    def errors(self) -> int:
        """How many findings are errors: ``sum(1 for p in problems if p.severity is
        Severity.ERROR)``, counted in C (``map``), as :attr:`warnings` is: the summary
        sentence asks for both, twice per run."""
        return _count_severity(self.problems, Severity.ERROR)

    @property
    def warnings(self) -> int:
        return _count_severity(self.problems, Severity.WARNING)

    def summary(self) -> str:
        """One sentence: what was found and what was checked (and what `qbank fix` fixes)."""
        assert self.coverage is not None
        checked = self.coverage.sentence(self.path)
        if self.scope:
            checked = f"{checked[:-1]} ({self.scope})."
        if not self.problems:
            return f"All checks passed. {checked}"
        fix = f" {self.fixable:,} fixable with `qbank fix`." if self.fixable else ""
        return (
            f"Found {plural(self.errors, 'error')} and {plural(self.warnings, 'warning')}. "
            f"{checked}{fix}"
        )

    def tally(self) -> list[TallyRow]:
        if self._tally is None:
            self._tally = tally(self.problems)
        return self._tally


_SEVERITY = operator.attrgetter("severity")
_RULE = operator.attrgetter("rule")


def _count_severity(problems: list[Problem], severity: Severity) -> int:
    """How many of ``problems`` have exactly ``severity`` (``is``, as the loops had it)."""
    return sum(map(operator.is_, map(_SEVERITY, problems), itertools.repeat(severity)))


def rule_counts(problems: list[Problem]) -> Counter[str]:
    """``Counter(p.rule for p in problems)``, counted in C."""
    return Counter(map(_RULE, problems))


@dataclass(frozen=True)
class TallyRow:
    """One line of the tally by rule."""

    rule: str
    name: str
    count: int
    severity: str
    #: how many of the findings ``qbank fix`` can fix
    fixable: int

    @property
    def fix_note(self) -> str:
        if not self.fixable:
            return "not fixable"
        return "fixable" if self.fixable == self.count else f"{self.fixable:,} fixable"


def tally(problems: list[Problem]) -> list[TallyRow]:
    """Findings counted by rule: most frequent first, then by rule id (like ruff)."""
    counts = rule_counts(problems)
    fixes = rule_counts(fixable_findings(problems))
    levels: dict[str, set[str]] = {}
    # the distinct (rule, severity text) pairs, read in C, rather than a set per finding
    pairs = zip(map(_RULE, problems), map(str, map(_SEVERITY, problems)), strict=True)
    for rule, level in set(pairs):
        levels.setdefault(rule, set()).add(level)
    rows = []
    for rule_id, n in counts.items():
        rule = RULES.get(rule_id)
        seen = levels[rule_id]
        rows.append(
            TallyRow(
                rule=rule_id,
                name=rule.name if rule else "",
                count=n,
                severity="/".join(sorted(seen)) if len(seen) > 1 else next(iter(seen)),
                fixable=fixes[rule_id],
            )
        )
    rows.sort(key=lambda r: (-r.count, r.rule))
    return rows


def render_tally(rows: list[TallyRow]) -> str:
    """The tally as aligned text: count, rule id, name, severity, fixable or not."""
    if not rows:
        return "No findings."
    width = max(len(f"{r.count:,}") for r in rows)
    name_width = max(len(r.name) for r in rows)
    level_width = max(len(r.severity) for r in rows)
    lines = []
    for r in rows:
        lines.append(
            f"{r.count:>{width},}  {r.rule}  {r.name:<{name_width}}  "
            f"{r.severity:<{level_width}}  {r.fix_note}".rstrip()
        )
    total = sum(r.count for r in rows)
    lines.append(f"{total:>{width},}  in total, {plural(len(rows), 'rule')}")
    return "\n".join(lines)


def get(name: str) -> Callable[[ReportContext], str]:
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}")
    module = importlib.import_module(f"qbank.validate.reporters.{name}_format")
    render: Callable[[ReportContext], str] = module.render
    return render
