"""``sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run; ``tool.driver.rules`` holds every registered rule (id, name, descriptions, help,
``helpUri``, ``defaultConfiguration.level``) so a viewer can explain a finding without qbank.
Result paths are relative to the repository root (the folder holding ``.git`` above the
bank), which is what code scanning expects; outside a repository, relative to the current
folder. Columns are Unicode code points (``columnKind``). ``partialFingerprints`` carry
the same stable identity as the JSON report, so editing a question's wording or moving it
does not reopen an alert.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from qbank.diagnostics import RULES, Location, Problem, Rule
from qbank.gcpause import paused
from qbank.validate.docs import rule_doc
from qbank.validate.reporters import ReportContext
from qbank.validate.reporters.json_format import dumps, fingerprint, jsonable
from qbank.version import __version__

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/qbank/qbank"
FINGERPRINT_KEY = "qbank/v1"
_FAMILY_TAGS = {
    "QB0": "yaml",
    "QB1": "schema",
    "QB2": "answer-key",
    "QB3": "duplicates",
    "QB4": "item-writing",
    "QB5": "media-markup",
    "QB6": "bank",
}


def repo_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds ``.git`` (a folder or a file)."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return None


class PathMapper:
    """Bank-relative paths → repository-relative URIs (cached per run)."""

    def __init__(self, ctx: ReportContext) -> None:
        self.root = ctx.bank.root.resolve()
        self._uris: dict[str, str] = {}
        self.base = repo_root(self.root)
        if self.base is None:
            cwd = Path.cwd().resolve()
            self.base = cwd if self.root.is_relative_to(cwd) else None

    def uri(self, rel: str) -> str:
        shown = self._uris.get(rel)
        if shown is None:
            shown = self._uris[rel] = self._uri(rel)
        return shown

    def _uri(self, rel: str) -> str:
        full = self.root / rel
        if self.base is not None:
            return Path(os.path.relpath(full, self.base)).as_posix()
        return full.as_uri()


def _region(loc: Location) -> dict[str, int]:
    region = {"startLine": loc.line, "startColumn": loc.col}
    end = (loc.end_line, loc.end_col)
    if end[0] is not None and end[1] is not None and (end[0], end[1]) > (loc.line, loc.col):
        region["endLine"] = end[0]
        region["endColumn"] = end[1]
    return region


def _physical(paths: PathMapper, loc: Location) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": paths.uri(loc.file)},
            "region": _region(loc),
        }
    }


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.rationale or rule.summary},
        "help": {"text": rule_doc(rule), "markdown": rule_doc(rule, markdown=True)},
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": str(rule.severity)},
        "properties": {"tags": ["qbank", _FAMILY_TAGS.get(rule.family, rule.family)]},
    }


def _result(paths: PathMapper, index: dict[str, int], p: Problem) -> dict[str, Any]:
    text = p.message + (f"\nHelp: {p.hint}" if p.hint else "")
    result: dict[str, Any] = {"ruleId": p.rule}
    if p.rule in index:
        result["ruleIndex"] = index[p.rule]
    result["level"] = str(p.severity)
    result["message"] = {"text": text}
    result["locations"] = [_physical(paths, p.location)]
    if p.related:
        result["relatedLocations"] = [
            {"id": i, **_physical(paths, r.location), "message": {"text": r.message}}
            for i, r in enumerate(p.related, 1)
        ]
    result["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint(p)}
    props: dict[str, Any] = {}
    if p.question_id:
        props["questionId"] = p.question_id
    if p.data:
        props["data"] = jsonable(p.data)
    if props:
        result["properties"] = props
    return result


def sarif_log(ctx: ReportContext) -> dict[str, Any]:
    rules = sorted(RULES.values(), key=lambda r: r.id)
    index = {r.id: i for i, r in enumerate(rules)}
    paths = PathMapper(ctx)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "qbank",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [rule_descriptor(r) for r in rules],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(paths, index, p) for p in ctx.problems],
            }
        ],
    }


def render(ctx: ReportContext) -> str:
    """The log as ``json.dumps(log, indent=2, ensure_ascii=False)`` and a newline, written by
    orjson like the JSON report (:func:`~qbank.validate.reporters.json_format.dumps`): the
    standard library's indenting encoder took 2.8 s for 37,000 findings."""
    # many small dicts, no cycles: as in the JSON report
    with paused():
        return dumps(sarif_log(ctx))
