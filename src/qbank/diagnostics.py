"""Problems, locations and the rule registry shared by the loader, the rules and the reporters.

Every finding qbank reports is a :class:`Problem`: a stable rule id, a severity, a message,
where it is (file, line, column — 1-based, like editors show them) and what to do about it.
Rules register their documentation here so ``qbank rules`` and the SARIF reporter read one
source of truth.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def rank(self) -> int:
        """Sort key: errors before warnings."""
        return 0 if self is Severity.ERROR else 1


@dataclass(frozen=True, order=True)
class Location:
    """A place in a bank file. ``file`` is relative to the bank root, with forward slashes."""

    file: str
    line: int = 1
    col: int = 1
    end_line: int | None = None
    end_col: int | None = None

    def __init__(
        self,
        file: str,
        line: int = 1,
        col: int = 1,
        end_line: int | None = None,
        end_col: int | None = None,
    ) -> None:
        """The dataclass's ``__init__`` (which ``@dataclass`` keeps when a class has its
        own), without its five ``object.__setattr__`` calls, a frozen dataclass's way round
        its own ``__setattr__``: the same fields in the same order in ``__dict__``, so the
        instance compares, hashes, sorts and prints the same (``tests/test_rules_fast_paths.py``
        compares it with the generated one). Rules locate thousands of findings per run.
        One store per field rather than ``__dict__.update(file=file, …)``, whose keyword
        dict cost a quarter of the call."""
        fields = self.__dict__
        fields["file"] = file
        fields["line"] = line
        fields["col"] = col
        fields["end_line"] = end_line
        fields["end_col"] = end_col

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Related:
    """A second location a finding points at (the other question of a duplicate pair)."""

    location: Location
    message: str


@dataclass(frozen=True)
class Problem:
    """One finding. ``hint`` says what to do; ``question_id`` ties it to a question."""

    rule: str
    severity: Severity
    message: str
    location: Location
    hint: str | None = None
    question_id: str | None = None
    related: tuple[Related, ...] = ()
    #: stable identity across runs (SARIF partialFingerprints); defaults to rule + question id
    fingerprint: str | None = None
    #: extra machine-readable details (scores, differing words) for json/sarif
    data: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    def __init__(
        self,
        rule: str,
        severity: Severity,
        message: str,
        location: Location,
        hint: str | None = None,
        question_id: str | None = None,
        related: tuple[Related, ...] = (),
        fingerprint: str | None = None,
        data: dict[str, object] | None = None,
    ) -> None:
        """The dataclass's ``__init__`` without its nine ``object.__setattr__`` calls (≈ 3 µs
        of ≈ 4 per finding; a large bank has tens of thousands), as :class:`Location`'s: the
        same fields in the same order in ``__dict__`` (``data`` a fresh dict when not
        given), so the instance compares, hashes and prints the same
        (``tests/test_rules_fast_paths.py`` compares it with the generated one). One store
        per field, as :class:`Location`'s."""
        fields = self.__dict__
        fields["rule"] = rule
        fields["severity"] = severity
        fields["message"] = message
        fields["location"] = location
        fields["hint"] = hint
        fields["question_id"] = question_id
        fields["related"] = related
        fields["fingerprint"] = fingerprint
        fields["data"] = {} if data is None else data

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.file, loc.line, loc.col, self.rule, self.message)

    def with_severity(self, severity: Severity) -> Problem:
        return Problem(
            self.rule,
            severity,
            self.message,
            self.location,
            self.hint,
            self.question_id,
            self.related,
            self.fingerprint,
            self.data,
        )


@dataclass(frozen=True)
class Rule:
    """A rule's documentation: what ``qbank rules QB201`` prints.

    ``failing`` and ``passing`` are complete question files (YAML); the test-suite checks
    that the first triggers the rule and the second does not.
    """

    id: str
    name: str
    severity: Severity
    summary: str
    rationale: str = ""
    failing: str = ""
    passing: str = ""
    #: file name the examples are written to (a manifest or quiz rule needs its own path)
    example_path: str = "questions.yaml"
    #: extra files (path → text) the examples need, e.g. a manifest with a taxonomy
    example_files: tuple[tuple[str, str], ...] = ()
    #: what ``qbank fix`` does about it; empty when the rule has no safe mechanical fix
    fix: str = ""
    #: when only some findings are fixable: the message prefix of those (QB001: tabs)
    fix_when: str = ""

    @property
    def fixable(self) -> bool:
        """True when ``qbank fix`` can fix (some of) this rule's findings."""
        return bool(self.fix)

    @property
    def family(self) -> str:
        return self.id[:3]

    @property
    def help_uri(self) -> str:
        return f"https://github.com/qbank/qbank/blob/main/docs/rules.md#{self.id.lower()}"


RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    """Add a rule to the registry; ids are unique and never reused."""
    if rule.id in RULES and RULES[rule.id] != rule:
        raise ValueError(f"rule id {rule.id} registered twice")
    RULES[rule.id] = rule
    return rule


def problem(
    rule_id: str,
    message: str,
    location: Location,
    *,
    hint: str | None = None,
    question_id: str | None = None,
    related: tuple[Related, ...] = (),
    fingerprint: str | None = None,
    severity: Severity | None = None,
    data: dict[str, object] | None = None,
) -> Problem:
    """Build a Problem with the rule's default severity."""
    rule = RULES[rule_id]
    return Problem(
        rule_id,
        severity or rule.severity,
        message,
        location,
        hint,
        question_id,
        related,
        fingerprint,
        data or {},
    )


def fixable(p: Problem) -> bool:
    """True when ``qbank fix`` fixes this finding."""
    rule = RULES.get(p.rule)
    return rule is not None and rule.fixable and p.message.startswith(rule.fix_when)


def fixable_findings(problems: Iterable[Problem]) -> list[Problem]:
    """The findings ``qbank fix`` fixes (:func:`fixable`), in order. :func:`fixable` is
    asked only of findings of a rule that has a fix: a report has thousands of findings,
    most of rules without one."""
    with_fix = {rule_id for rule_id, rule in RULES.items() if rule.fixable}
    return [p for p in problems if p.rule in with_fix and fixable(p)]
