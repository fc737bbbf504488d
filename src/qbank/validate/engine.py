"""Run the rule families over a loaded bank and apply configuration and suppressions.

Configuration lives in the manifest (``qbank.yaml``), like ruff's ``select``/``ignore``::

    lint:
      select: [QB2, QB4]        # only these rules or prefixes (default: every rule)
      ignore: [QB405]           # never these
      severity: {QB401: error, QB407: off}

Errors of the loader (QB0xx and QB1xx errors: a file or question that could not be read)
are always reported as errors; ``select`` does not hide them and ``ignore`` or ``severity``
naming only them is a configuration error; a ``disable=`` comment naming them has no effect
(and is reported as QB010).

Per question, a YAML comment inside the question or on the line above it silences rules
for that question: ``# qbank: disable=QB402`` (several: ``disable=QB402,QB403``; a prefix
such as ``QB4`` silences the family; ``# qbank: disable-file=QB401`` the whole file). A
comment that silences nothing is reported as QB010 — unless its rule did not run at all
(ignored by configuration, or a duplicate check limited to changed questions), so turning a
rule off never floods a bank with warnings.
"""

from __future__ import annotations

import difflib
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import yaml

from qbank.diagnostics import RULES, Location, Problem, Severity, problem
from qbank.validate.context import Context, Options, scoped
from qbank.validate.rules import families

if TYPE_CHECKING:
    from qbank.load import Bank
    from qbank.model import AnyQuestion
    from qbank.source import SourceFile, Suppression

#: families reported by the loader: they always run
LOADER_FAMILIES = ("QB0", "QB1")


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
        """0 clean, 1 errors (or warnings with ``strict``); always 0 with ``exit_zero``."""
        if exit_zero:
            return 0
        # ``self.errors or (strict and self.warnings)`` without building the lists: the
        # report is sorted errors first, so the first finding usually answers
        error = Severity.ERROR
        if any(p.severity is error for p in self.problems):
            return 1
        if strict and any(p.severity is Severity.WARNING for p in self.problems):
            return 1
        return 0


class ConfigError(ValueError):
    """The manifest's ``lint`` section names something that does not exist (exit code 2)."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.message}"


Check = Callable[[Context], Iterable[Problem]]


def checks() -> list[tuple[str, Check]]:
    """(family id, check function) for every family that checks something after loading."""
    found = []
    for module in families():
        fn = getattr(module, "check", None)
        if fn is not None:
            found.append((getattr(module, "FAMILY", module.__name__), fn))
    return found


# -- configuration -------------------------------------------------------------------------


@dataclass
class Config:
    """The effective rule configuration of one run."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    skip: tuple[str, ...] = ()

    def level(self, rule_id: str) -> Severity | None:
        """The severity ``rule_id`` runs at, or None when it is turned off.

        ``select`` and ``ignore`` match rule ids by prefix (``QB4`` is the family); a severity
        override for a longer prefix wins over a shorter one (``QB4: error``, ``QB407: off``).
        """
        rule = RULES.get(rule_id)
        severity = rule.severity if rule else Severity.ERROR
        if locked(rule_id):
            return Severity.ERROR
        if any(rule_id.startswith(s) for s in self.skip):
            return None
        if self.select and not any(rule_id.startswith(s) for s in self.select):
            return None
        if any(rule_id.startswith(s) for s in self.ignore):
            return None
        matches = [k for k in self.severity if rule_id.startswith(k)]
        if matches:
            override = self.severity[max(matches, key=len)]
            if override == "off":
                return None
            severity = Severity(override)
        return severity

    def runs(self, token: str) -> bool:
        """Whether any registered rule matching ``token`` (an id or a prefix) is turned on."""
        return any(self.level(r) is not None for r in RULES if r.startswith(token))


def _known(token: str) -> bool:
    return any(r.startswith(token) for r in RULES)


def locked(rule_id: str) -> bool:
    """Loader errors (a file or question that could not be read) cannot be configured away:
    what does not load is never checked and never exported, so passing it would lie."""
    rule = RULES.get(rule_id)
    return rule is not None and rule.family in LOADER_FAMILIES and rule.severity is Severity.ERROR


def load_config(bank: Bank, options: Options) -> Config:
    """The manifest's ``lint`` section, checked: an unknown rule code is a ConfigError."""
    lint = bank.manifest.lint if bank.manifest else None
    config = Config(skip=tuple(sorted(options.skip)))
    if lint is None:
        return config
    src = bank.files.get("qbank.yaml")
    for key, codes in (("select", lint.select), ("ignore", lint.ignore)):
        for i, code in enumerate(codes):
            _check_code(code.strip().upper(), src, ("lint", key, i), key=False)
    for code in lint.severity:
        _check_code(code.strip().upper(), src, ("lint", "severity", code), key=True)
    return Config(
        select=tuple(c.strip().upper() for c in lint.select),
        ignore=tuple(c.strip().upper() for c in lint.ignore),
        severity={k.strip().upper(): v for k, v in lint.severity.items()},
        skip=config.skip,
    )


def _check_code(
    code: str, src: SourceFile | None, path: tuple[int | str, ...], *, key: bool
) -> None:
    where = src.location(path, key=key) if src is not None else None
    if not _known(code):
        near = difflib.get_close_matches(code, sorted(RULES), n=1, cutoff=0.6)
        hint = f"; did you mean {near[0]}?" if near else "; `qbank rules` lists them"
        raise ConfigError(f"lint.{path[1]}: unknown rule `{code}`{hint}", where)
    if path[1] != "select" and all(locked(r) for r in RULES if r.startswith(code)):
        raise ConfigError(
            f"lint.{path[1]}: {code} cannot be configured: a file or question that does not "
            "load is never checked or exported, so it is always an error",
            where,
        )


# -- suppressions ---------------------------------------------------------------------------


def _content_end(node: yaml.Node) -> int:
    """1-based last line holding ``node``'s content.

    A block node's end mark sits where the *next* token starts (the next list item, or
    column 0 after a block scalar), so descend to the last leaf and step back from column 0.
    """
    while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    mark = node.end_mark
    return mark.line + 1 if mark.column > 0 else max(mark.line, 1)


def _scope(lines: list[str], node: yaml.Node, single: bool) -> tuple[int, int]:
    """Lines a question's comments may sit on: its own lines plus the comment-only lines
    directly above it. A file holding one question: the whole file."""
    if single:
        return 1, max(len(lines), 1)
    first = node.start_mark.line + 1
    while 1 < first <= len(lines) + 1 and lines[first - 2].lstrip().startswith("#"):
        first -= 1
    return first, _content_end(node)


def _is_single(src: SourceFile) -> bool:
    node = src.node
    return isinstance(node, yaml.MappingNode) and not any(
        isinstance(k, yaml.ScalarNode) and k.value == "questions" for k, _ in node.value
    )


class _Suppressor:
    """Matches problems with ``# qbank: disable=`` comments and records which were used.

    A comment applies to a question when it is inside the question's lines or in the block of
    comment-only lines just above it (a trailing comment on the previous question's last
    line does not leak into the next question), and to the whole file with ``disable-file``.
    """

    def __init__(self, bank: Bank) -> None:
        self.bank = bank
        self.by_id = bank.by_id()
        self.used: set[tuple[str, int, str]] = set()
        #: question (by identity) → (file, line, rule) of the comments that apply to it
        self.applies: dict[int, list[tuple[str, int, str]]] = {}
        self.spans: dict[str, list[tuple[int, int, AnyQuestion]]] = {}
        #: (file, line) of every comment that belongs to a valid question
        self.attached: set[tuple[str, int]] = set()
        #: whether any file of the bank has a ``# qbank: disable`` comment at all
        self.has_comments = any(src.suppressions for src in bank.files.values())
        if not self.has_comments:
            # what the loop below finds is read only for a file with a comment (by
            # ``suppressed``, which apply_config asks only when there are comments, and by
            # ``owner`` and ``attached`` in unused_suppressions, per commented file)
            return
        lines: dict[str, list[str]] = {}
        for q in bank.questions:
            src = q.source_file
            if src is None or not src.suppressions:
                continue  # no comment in the file: nothing there can be suppressed
            node, _ = src.node_at(q._path)
            if node is None:
                continue
            if src.rel not in lines:
                lines[src.rel] = src.lines
            first, last = _scope(lines[src.rel], node, _is_single(src))
            self.spans.setdefault(src.rel, []).append((first, last, q))
            found = []
            for sup in src.suppressions:
                if not sup.whole_file and first <= sup.line <= last:
                    found += [(src.rel, sup.line, rule) for rule in sup.rules]
                    self.attached.add((src.rel, sup.line))
            self.applies[id(q)] = found

    def _question_at(self, loc: Location) -> AnyQuestion | None:
        for first, last, q in self.spans.get(loc.file, ()):
            if first <= loc.line <= last:
                return q
        return None

    def suppressed(self, p: Problem) -> bool:
        q = self.by_id.get(p.question_id) if p.question_id else None
        if q is None and p.question_id is None:
            q = self._question_at(p.location)
        candidates = list(self.applies.get(id(q), ())) if q is not None else []
        files = {p.location.file}
        if q is not None and q.source_file is not None:
            files.add(q.source_file.rel)
        for rel in sorted(files):
            src = self.bank.files.get(rel)
            for sup in src.suppressions if src is not None else ():
                if sup.whole_file:
                    candidates += [(rel, sup.line, rule) for rule in sup.rules]
        for rel, line, token in candidates:
            if p.rule.startswith(token):
                self.used.add((rel, line, token))
                return True
        return False

    def owner(self, rel: str, line: int) -> str:
        """The id of the question a comment belongs to, for a stable fingerprint."""
        for first, last, q in self.spans.get(rel, ()):
            if first <= line <= last:
                return q.id
        return "file"


def _item_spans(src: SourceFile) -> list[tuple[int, int]]:
    """Line ranges of every question item of a file, valid or not."""
    node = src.node
    if not isinstance(node, yaml.MappingNode):
        return []
    lines = src.lines
    if _is_single(src):
        return [_scope(lines, node, True)]
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == "questions":
            items = v.value if isinstance(v, yaml.SequenceNode) else []
            return [_scope(lines, item, False) for item in items]
    return []


def unused_suppressions(
    bank: Bank, config: Config, suppressor: _Suppressor, options: Options
) -> list[Problem]:
    """QB010 for every ``disable=`` rule that silenced nothing although its rule ran."""
    out: list[Problem] = []
    used = suppressor.used
    for rel in sorted(bank.files):
        src = bank.files[rel]
        if not src.suppressions:
            continue
        items = _item_spans(src) if src.node is not None else []
        for s in src.suppressions:
            for token in s.rules:
                if (rel, s.line, token) in used:
                    continue
                loc = _token_location(src, s, token)
                if not _known(token):
                    near = difflib.get_close_matches(token, sorted(RULES), n=1, cutoff=0.6)
                    out.append(
                        problem(
                            "QB010",
                            f"`# qbank: disable={token}` names no known rule",
                            loc,
                            hint=f"did you mean {near[0]}?"
                            if near
                            else "`qbank rules` lists the rule ids",
                            fingerprint=f"QB010:{rel}:{token}:unknown",
                        )
                    )
                    continue
                if all(locked(r) for r in RULES if r.startswith(token)):
                    out.append(
                        problem(
                            "QB010",
                            f"`# qbank: disable={token}` has no effect: {token} reports a file "
                            "or question that does not load, which is always an error",
                            loc,
                            hint="fix the file instead, and remove the comment",
                            fingerprint=f"QB010:{rel}:{token}:locked",
                        )
                    )
                    continue
                if not config.runs(token) or src.node is None:
                    continue  # turned off, or the file did not parse: nothing could run
                if src.composed_prefix is not None and s.line > src.text.count(
                    "\n", 0, src.composed_prefix
                ):
                    continue  # after a YAML error: the questions there were not read
                if token.startswith("QB3") and options.changed_ids is not None:
                    continue  # duplicates were checked for changed questions only
                if scoped(options) and (
                    s.whole_file or suppressor.owner(rel, s.line) not in (options.changed_ids or ())
                ):
                    continue  # pull-request mode checked only the changed questions
                if not s.whole_file and (rel, s.line) not in suppressor.attached:
                    if any(a <= s.line <= b for a, b in items):
                        continue  # the question failed to load: its rules did not run
                    out.append(
                        problem(
                            "QB010",
                            f"`# qbank: disable={token}` is not attached to a question",
                            loc,
                            hint="put the comment inside the question or on the line just "
                            "above it (or use `disable-file=`)",
                            fingerprint=f"QB010:{rel}:{token}:detached",
                        )
                    )
                    continue
                out.append(
                    problem(
                        "QB010",
                        f"`# qbank: disable={token}` suppresses nothing: {token} reports no "
                        "problem here",
                        loc,
                        hint="remove the comment (or this rule id from it)",
                        fingerprint=f"QB010:{rel}:{token}:{suppressor.owner(rel, s.line)}",
                    )
                )
    return out


def _token_location(src: SourceFile, s: Suppression, token: str) -> Location:
    lines = src.lines
    text = lines[s.line - 1] if 1 <= s.line <= len(lines) else ""
    hash_at = text.find("#")
    at = text.upper().find(token, max(hash_at, 0))
    if at < 0:
        at = max(hash_at, 0)
        return Location(src.rel, s.line, at + 1)
    return Location(src.rel, s.line, at + 1, s.line, at + 1 + len(token))


# -- running -----------------------------------------------------------------------------------


def apply_config(
    problems: Iterable[Problem], config: Config, suppressor: _Suppressor
) -> list[Problem]:
    """Drop rules turned off, apply severity overrides and ``# qbank: disable=`` comments.

    A rule's level and lock are worked out once per rule id (a report has tens of thousands
    of findings of a few dozen rules), and a bank without a ``disable`` comment asks the
    suppressor nothing.
    """
    out: list[Problem] = []
    rules: dict[str, tuple[Severity | None, bool]] = {}
    comments = suppressor.has_comments
    for p in problems:
        known = rules.get(p.rule)
        if known is None:
            known = rules[p.rule] = (config.level(p.rule), locked(p.rule))
        severity, is_locked = known
        if severity is None:
            continue
        if comments and not is_locked and suppressor.suppressed(p):
            continue
        out.append(p if severity is p.severity else p.with_severity(severity))
    return out


def in_scope(p: Problem, options: Options) -> bool:
    """Whether a pull-request-mode run reports ``p``: findings on a changed question;
    findings on no question (file- or bank-level) in a changed file, the manifest or a quiz;
    and errors about what could not be loaded (never hidden)."""
    if not scoped(options):
        return True
    if p.question_id is not None:
        return p.question_id in (options.changed_ids or ())
    if locked(p.rule):
        return True
    rel = p.location.file
    if rel == "qbank.yaml" or rel.startswith("quizzes/"):
        return True
    files = options.changed_files
    return files is None or rel in files


def validate(bank: Bank, options: Options | None = None) -> Report:
    """All problems of a loaded bank: the loader's plus every rule family's, sorted.

    Raises :class:`ConfigError` when the manifest's ``lint`` section names unknown rules.
    """
    options = options or Options()
    family_checks = checks()  # imports every family, so RULES is complete
    config = load_config(bank, options)
    found: list[Problem] = list(bank.problems)
    ctx = Context(bank, options)
    for family, check in family_checks:
        if family in options.skip or not any(
            config.level(r) is not None for r in RULES if r.startswith(family)
        ):
            continue
        found.extend(check(ctx))
    if scoped(options):
        found = [p for p in found if in_scope(p, options)]
    suppressor = _Suppressor(bank)
    problems = apply_config(found, config, suppressor)
    for p in unused_suppressions(bank, config, suppressor, options):
        severity = config.level(p.rule)
        if severity is not None:
            problems.append(p if severity is p.severity else p.with_severity(severity))
    for src in bank.files.values():  # keep the loader's record in step for callers
        for s in src.suppressions:
            s.used = {t for (rel, line, t) in suppressor.used if rel == src.rel and line == s.line}
    return Report(sort_report(problems))


_PLACE_ORDER = operator.attrgetter(
    "location.file", "location.line", "location.col", "rule", "message"
)


def sort_report(problems: list[Problem]) -> list[Problem]:
    """``sorted(problems, key=report_order)``, without a Python call per finding: the
    errors, then the rest (``report_order``'s first element, 0 or 1), each group sorted
    stably by ``p.sort_key`` read in C (``operator.attrgetter``). Within a group the rank is
    the same, so the two sorts compare the same tuples in the same stable order
    (``tests/test_report_fast_paths.py`` compares them)."""
    error = Severity.ERROR
    errors = [p for p in problems if p.severity is error]
    if len(errors) == len(problems):
        errors.sort(key=_PLACE_ORDER)
        return errors
    rest = [p for p in problems if p.severity is not error]
    errors.sort(key=_PLACE_ORDER)
    rest.sort(key=_PLACE_ORDER)
    errors += rest
    return errors


def report_order(p: Problem) -> tuple[int, str, int, int, str, str]:
    """``(p.severity.rank, *p.sort_key)`` (errors first, then file, line, column, rule and
    message), built in one step: a report sorts tens of thousands of findings."""
    loc = p.location
    return (
        0 if p.severity is Severity.ERROR else 1,
        loc.file,
        loc.line,
        loc.col,
        p.rule,
        p.message,
    )
