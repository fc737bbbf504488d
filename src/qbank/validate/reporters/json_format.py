"""``json``: one document with every problem, for scripts, bots and dashboards.

The shape is stable and versioned (``format_version``); its JSON Schema ships next to this
module as ``report.schema.json``. Paths appear twice: ``file`` as the other formats print it
(relative to the current folder, for editors) and ``path`` relative to the bank root (stable
wherever the command runs). ``fingerprint`` is a stable identity of the finding across runs
(the same one SARIF puts in ``partialFingerprints``), so a bot can tell new findings from
old ones.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from qbank.diagnostics import RULES, Location, Problem, Related
from qbank.fsutil import printable
from qbank.gcpause import paused
from qbank.validate.reporters import ReportContext, rule_counts
from qbank.version import __version__

FORMAT_VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("report.schema.json")
_NUMBERS = re.compile(r"\d+")


def fingerprint_key(p: Problem) -> str:
    """The text a finding's identity is derived from.

    A rule-supplied ``fingerprint`` wins (duplicate pairs use the sorted question ids). Else
    the rule, the question (or file) and the message with numbers blanked, so that moving a
    question to another line does not make its findings look new.
    """
    if p.fingerprint:
        return p.fingerprint
    owner = p.question_id or p.location.file
    return f"{p.rule}:{owner}:{_blank_numbers(p.message)}"


@functools.lru_cache(maxsize=4096)
def _blank_numbers(message: str) -> str:
    """``message`` with every run of digits made ``#``: once per message text (the
    findings of one rule often share their message, e.g. QB401's "no explanation")."""
    return _NUMBERS.sub("#", message)


def fingerprint(p: Problem) -> str:
    """SHA-1 (hex) of :func:`fingerprint_key`: opaque, stable, the same on every machine."""
    return hashlib.sha1(fingerprint_key(p).encode("utf-8")).hexdigest()


#: exact types :func:`jsonable` returns unchanged
_AS_IS = frozenset({str, int, bool, type(None)})


def jsonable(value: Any) -> Any:
    """Rule ``data`` as JSON: tuples and sets become (sorted) lists, anything else text.

    Exact types first (the text, numbers, lists and dicts of a duplicate finding's data, a
    few hundred thousand values in a large report), then the general cases below, which
    give the same result for them.
    """
    kind = type(value)
    if kind is str or kind is int or kind is bool:
        return value
    if kind is dict:
        # a value of an exact type ``jsonable`` returns as it is, without the call
        return {
            k if type(k) is str else str(k): v if type(v) in _AS_IS else jsonable(v)
            for k, v in value.items()
        }
    if kind is list or kind is tuple:
        return [v if type(v) is str else jsonable(v) for v in value]
    if kind is float:  # the general case below, for exact floats
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((jsonable(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, Location):
        return {"path": value.file, "line": value.line, "column": value.col}
    return str(value)


def _rule_fields(rule_id: str) -> tuple[str | None, str | None]:
    """(name, help URL) of a rule: worked out once per registered rule (a rule id is never
    reused), not once per finding."""
    known = _RULE_FIELDS.get(rule_id)
    if known is None:
        rule = RULES.get(rule_id)
        if rule is None:
            return None, None
        known = _RULE_FIELDS[rule_id] = (rule.name, rule.help_uri)
    return known


_RULE_FIELDS: dict[str, tuple[str | None, str | None]] = {}


def problem_dicts(ctx: ReportContext, problems: list[Problem]) -> list[dict[str, Any]]:
    """Each finding as the report's dict, in one loop: the rule's name and URL, the shown path
    and the fingerprint read from caches held in local names, the fingerprint's text built in
    place (:func:`fingerprint_key`). A report has thousands of findings, and a function call
    per finding was about a tenth of its time (``tests/test_report_fast_paths.py`` compares
    the result as JSON text with a plain per-finding definition on four banks and on
    hand-made findings)."""
    out: list[dict[str, Any]] = []
    append = out.append
    rule_fields = _RULE_FIELDS
    shown_paths = ctx._paths
    sha1 = hashlib.sha1
    blank = _blank_numbers
    for p in problems:
        rule = p.rule
        known = rule_fields.get(rule)
        name, url = known if known is not None else _rule_fields(rule)
        loc = p.location
        rel = loc.file
        shown = shown_paths.get(rel)
        if shown is None:
            shown = ctx.path(rel)
        question_id = p.question_id
        key = p.fingerprint or f"{rule}:{question_id or rel}:{blank(p.message)}"
        related = p.related
        data = p.data
        append(
            {
                "rule": rule,
                "name": name,
                "severity": str(p.severity),
                "message": p.message,
                "hint": p.hint,
                "file": shown,
                "path": rel,
                "line": loc.line,
                "column": loc.col,
                "end_line": loc.end_line,
                "end_column": loc.end_col,
                "question_id": question_id,
                "fingerprint": sha1(key.encode("utf-8")).hexdigest(),
                "url": url,
                "related": _related_dicts(ctx, related) if related else [],
                "data": {} if type(data) is dict and not data else jsonable(data),
            }
        )
    return out


def _related_dicts(ctx: ReportContext, related: tuple[Related, ...]) -> list[dict[str, Any]]:
    """The related locations, one dict each with ``file``, ``path``, ``line``, ``column``,
    ``end_line``, ``end_column`` and ``message`` in this order (a duplicate finding points at
    its other question; a large bank has tens of thousands)."""
    out = []
    for r in related:
        loc = r.location
        out.append(
            {
                "file": ctx.path(loc.file),
                "path": loc.file,
                "line": loc.line,
                "column": loc.col,
                "end_line": loc.end_line,
                "end_column": loc.end_col,
                "message": r.message,
            }
        )
    return out


def report_dict(ctx: ReportContext) -> dict[str, Any]:
    by_rule = rule_counts(ctx.problems)
    cov = ctx.coverage
    assert cov is not None
    return {
        "format_version": FORMAT_VERSION,
        "tool": {"name": "qbank", "version": __version__},
        "bank": {
            "id": ctx.bank.id,
            "title": ctx.bank.title,
            "root": ctx.path("."),
            "questions": ctx.checked,
            "failed": cov.failed,
            "unparsed_files": list(cov.unparsed),
            "partial_files": [{"path": rel, "line": line} for rel, line in cov.partial],
        },
        "summary": {
            "errors": ctx.errors,
            "warnings": ctx.warnings,
            "problems": len(ctx.problems),
            "by_rule": dict(sorted(by_rule.items())),
            "text": ctx.summary(),
        },
        "problems": problem_dicts(ctx, ctx.problems),
    }


def render(ctx: ReportContext) -> str:
    # A dict or two per finding, tens of thousands of them, none in a cycle: the cyclic
    # collector would only scan them again and again (a quarter of the time).
    with paused():
        return dumps(report_dict(ctx))


def render_bytes(ctx: ReportContext) -> bytes:
    """The bytes ``atomic_write_text(path, render(ctx))`` writes, for ``--output``: orjson's
    UTF-8 as it comes, rather than decoded to text and encoded again (35 MB for 38,000
    findings). orjson writes only valid UTF-8, which decodes and encodes back to itself; the
    standard library's fallback goes the way of :func:`qbank.fsutil.atomic_write_text`."""
    import orjson

    with paused():
        report = report_dict(ctx)
        try:
            return orjson.dumps(report, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
        except (TypeError, orjson.JSONEncodeError):
            text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
            return printable(text).encode("utf-8")


def dumps(report: dict[str, Any]) -> str:
    """``json.dumps(report, indent=2, ensure_ascii=False)`` and a newline, byte for byte,
    written by orjson: the standard library's indenting encoder is pure Python and took 21 s
    for a pull request's 112,000 findings (orjson: ≈ 6× faster). Anything orjson refuses
    (a NaN, a very large integer) goes through the standard library."""
    import orjson

    try:
        return orjson.dumps(report, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode()
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
