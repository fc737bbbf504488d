"""``qbank fix``: the safe mechanical fixes the rules describe, applied at exact spans.

Every fix edits the file's text in place (never a load-and-dump round trip), so comments,
key order, quoting style and blank lines stay exactly as written:

- ``QB003``  quote a plain value YAML 1.1 tools would retype (``no`` → ``"no"``);
- ``QB008``  quote a value that starts with ``{{`` (or make a multi-line one a ``>-`` block);
- ``QB001``  tabs in the indentation → spaces (the first tab width that makes the file parse);
- ``whitespace``  CRLF/CR line endings → LF, a byte-order mark dropped, trailing whitespace
  removed, one final newline.

Each fix is checked: whitespace fixes must leave the file's data unchanged (read with every
value as text), quoting fixes must make their finding disappear without a new YAML error;
a fix that fails its check is not applied. Fixing twice changes nothing the second time.

``add_suppressions`` writes ``# qbank: disable=RULE`` above the questions of reviewed
findings (a near-duplicate pair an author decided to keep), on request only.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from qbank.diagnostics import Problem
from qbank.source import line_starts

try:  # the parser qbank's loader uses (libyaml): it reads what validate reads
    from yaml import CBaseLoader as _TextLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import BaseLoader as _TextLoader  # type: ignore[assignment]

__all__ = [
    "FIX_CODES",
    "FileFix",
    "add_suppressions",
    "diff",
    "fix_text",
]

#: what ``--select`` accepts: the fixable rule ids and ``whitespace``
FIX_CODES = ("QB001", "QB003", "QB008", "whitespace")
_TAB_WIDTHS = (2, 4, 8)
_MAX_ROUNDS = 200
_MAX_PASSES = 5


@dataclass
class FileFix:
    """The result for one file: its text before and after and what was fixed."""

    path: Path
    shown: str
    before: str
    after: str
    fixed: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return self.before != self.after


# -- reading without judging ----------------------------------------------------------------


def _problems(text: str, name: str) -> list[Problem]:
    from qbank.load import load_bytes

    return load_bytes(text.encode("utf-8", "surrogatepass"), name)[1]


def _data(text: str) -> Any:
    """The file's data with every value as text (no typing), or a marker when it fails.

    Read with libyaml like ``qbank validate``: the pure-Python parser refuses a tab after a
    plain value (``off<TAB>``) that qbank accepts, which would block every other fix."""
    try:
        return ("ok", yaml.load(text, Loader=_TextLoader))
    except yaml.YAMLError:
        return ("error", None)


# -- whitespace and line endings ------------------------------------------------------------


def _line_endings(text: str, fixed: Counter[str]) -> str:
    out = text.removeprefix("\ufeff")
    if "\r" in out:
        out = out.replace("\r\n", "\n").replace("\r", "\n")
    if out != text:
        fixed["whitespace"] += 1
    return out


def _trailing(text: str, fixed: Counter[str]) -> str:
    """Trailing spaces and tabs removed where they are not content, one final newline."""
    lines = text.split("\n")
    stripped = [ln.rstrip(" \t") for ln in lines]
    base = _data(text)
    if stripped != lines and base[0] == "ok":
        if _data("\n".join(stripped)) == base:
            fixed["whitespace"] += sum(a != b for a, b in zip(lines, stripped, strict=True))
            lines = stripped
        else:  # trailing spaces inside a block scalar are content: strip line by line
            for i, (a, b) in enumerate(zip(lines, stripped, strict=True)):
                if a != b:
                    trial = [*lines[:i], b, *lines[i + 1 :]]
                    if _data("\n".join(trial)) == base:
                        lines = trial
                        fixed["whitespace"] += 1
    out = "\n".join(lines)
    if out.strip():
        ended = out.rstrip("\n") + "\n"
        if ended != out:
            fixed["whitespace"] += 1
            out = ended
    return out


# -- tabs -----------------------------------------------------------------------------------

_LEADING = re.compile(r"^[ \t]*", re.M)


def _expand(m: re.Match[str], *, width: int) -> str:
    return m.group(0).expandtabs(width)


def _tabs(text: str, fixed: Counter[str], name: str) -> str:
    if "\t" not in text or not any(
        p.rule == "QB001" and p.message.startswith("tab character") for p in _problems(text, name)
    ):
        return text
    for width in _TAB_WIDTHS:
        candidate = _LEADING.sub(functools.partial(_expand, width=width), text)
        if not any(p.rule == "QB001" for p in _problems(candidate, name)):
            fixed["QB001"] += sum("\t" in m.group(0) for m in _LEADING.finditer(text) if m.group(0))
            return candidate
    return text


# -- quoting --------------------------------------------------------------------------------


def _double_or_single(value: str) -> str:
    if '"' not in value and "\\" not in value and value.isprintable():
        return f'"{value}"'
    return "'" + value.replace("'", "''") + "'"


def _plain_scalars(text: str) -> dict[tuple[int, int], yaml.ScalarNode]:
    """Plain scalars by 1-based (line, column) of their start."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    found: dict[tuple[int, int], yaml.ScalarNode] = {}
    stack: list[yaml.Node] = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            if node.style is None:
                m = node.start_mark
                found[(m.line + 1, m.column + 1)] = node
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack.extend((k, v))
    return found


def _quote_retyped(text: str, problems: list[Problem], fixed: Counter[str]) -> str:
    """QB003: quote every flagged plain scalar (edits from the end so offsets stay valid)."""
    targets = [p for p in problems if p.rule == "QB003"]
    if not targets:
        return text
    scalars = _plain_scalars(text)
    edits: list[tuple[int, int, str]] = []
    for p in targets:
        node = scalars.get((p.location.line, p.location.col))
        if node is None:
            continue
        start, end = node.start_mark.index, node.end_mark.index
        if text[start:end] != node.value:  # a multi-line plain scalar: leave it to a person
            continue
        edits.append((start, end, _double_or_single(node.value)))
    for start, end, new in sorted(set(edits), reverse=True):
        text = text[:start] + new + text[end:]
        fixed["QB003"] += 1
    return text


def _quote_cloze(text: str, p: Problem) -> str | None:
    """QB008: the value starting at the problem's ``{{`` as a quoted or block scalar."""
    starts = line_starts(text)
    lines = text.split("\n")
    row = p.location.line - 1
    if not 0 <= row < len(lines):
        return None
    line = lines[row]
    cr = "\r" if line.endswith("\r") else ""  # keep the file's line endings as they are
    line = line.removesuffix("\r")
    col = p.location.col - 1
    if not line.startswith("{{", col):
        return None
    prefix, rest = line[:col], line[col:]
    comment = ""
    m = re.search(r"\s+#", rest)
    if m:
        rest, comment = rest[: m.start()], rest[m.start() :]
    value = rest.rstrip()
    head = prefix.rstrip()
    if head.endswith(":"):  # a mapping value: continuation lines sit deeper than the key
        indent = len(prefix) - len(prefix.lstrip(" -"))
    elif head.endswith("-"):  # a sequence item: deeper than the dash
        indent = len(head) - 1
    else:
        return None
    following: list[str] = []
    for nxt in lines[row + 1 :]:
        if not nxt.strip() or len(nxt) - len(nxt.lstrip(" ")) <= indent:
            break
        if nxt.lstrip().startswith("#"):
            break
        following.append(nxt.removesuffix("\r"))
    end_row = row + len(following)
    if not following:
        new_lines = [prefix + "'" + value.replace("'", "''") + "'" + comment]
    else:
        if any(re.search(r"\s#", ln) for ln in following):
            return None  # a comment inside the value: too clever to fold safely
        inner = min(len(ln) - len(ln.lstrip(" ")) for ln in following)
        pad = " " * inner
        new_lines = [head + " >-" + comment, pad + value] + [pad + ln.strip() for ln in following]
    start = starts[row]
    end = starts[end_row + 1] - 1 - len(cr) if end_row + 1 < len(starts) else len(text)
    return text[:start] + (cr + "\n").join(new_lines) + text[end:]


def _count(problems: Iterable[Problem], rule: str) -> int:
    return sum(p.rule == rule for p in problems)


def _near(after: list[Problem], before: str, candidate: str) -> list[Problem]:
    """The findings of ``candidate`` an edit of ``before`` may have caused: those up to a
    line past the edited lines. The parser stopped at the edited value before, so a finding
    further down (a tab two questions below a ``{{`` value) was there all along, unseen."""
    old, new = before.split("\n"), candidate.split("\n")
    same = 0
    while same < min(len(old), len(new)) and old[-1 - same] == new[-1 - same]:
        same += 1
    last_edited = len(new) - same  # 1-based line number of the last edited line
    return [p for p in after if p.location.line <= last_edited + 1]


def fix_text(text: str, name: str, select: Iterable[str] = FIX_CODES) -> tuple[str, Counter[str]]:
    """Apply the selected fixes to one file's text: (new text, fixes by code)."""
    chosen = set(select)
    fixed: Counter[str] = Counter()
    for _ in range(_MAX_PASSES):  # a fix can reveal what the parser did not reach before
        again = _fix_pass(text, name, chosen, fixed)
        if again == text:
            break
        text = again
    return text, fixed


def _fix_pass(text: str, name: str, chosen: set[str], fixed: Counter[str]) -> str:
    """One pass of every chosen fix, in the order that lets each see the file parse."""
    if "whitespace" in chosen:
        text = _line_endings(text, fixed)
    if "QB001" in chosen:
        text = _tabs(text, fixed, name)
    if "QB008" in chosen:
        tried: set[tuple[int, int]] = set()
        for _ in range(_MAX_ROUNDS):
            problems = _problems(text, name)
            todo = [
                p
                for p in problems
                if p.rule == "QB008" and (p.location.line, p.location.col) not in tried
            ]
            if not todo:
                break
            p = todo[0]
            tried.add((p.location.line, p.location.col))
            candidate = _quote_cloze(text, p)
            if candidate is None:
                continue
            after = _problems(candidate, name)
            key = (p.location.line, p.location.col)
            still = any(
                q.rule == "QB008" and (q.location.line, q.location.col) == key for q in after
            )
            if not still and _count(_near(after, text, candidate), "QB001") <= _count(
                problems, "QB001"
            ):
                text = candidate
                fixed["QB008"] += 1
                tried.clear()
    if "whitespace" in chosen:
        text = _trailing(text, fixed)
    if "QB003" in chosen:
        text = _quote_retyped(text, _problems(text, name), fixed)
    return text


def fix_file(path: Path, shown: str, select: Iterable[str] = FIX_CODES) -> FileFix:
    raw = path.read_bytes()
    try:
        before = raw.decode("utf-8")
    except UnicodeDecodeError:  # QB005: re-encoding is a person's decision
        return FileFix(path, shown, "", "")
    after, fixed = fix_text(before, path.name, select)
    return FileFix(path, shown, before, after, fixed)


def diff(result: FileFix) -> str:
    """A unified diff (``a/FILE``, ``b/FILE``) of one file's fixes."""
    before = result.before.splitlines(keepends=True)
    after = result.after.splitlines(keepends=True)
    out = difflib.unified_diff(before, after, f"a/{result.shown}", f"b/{result.shown}")
    lines = []
    for ln in out:
        lines.append(ln if ln.endswith("\n") else ln + "\n\\ No newline at end of file\n")
    return "".join(lines)


# -- suppressions on request ----------------------------------------------------------------

_DISABLE = re.compile(r"^(?P<indent>\s*)#\s*qbank:\s*disable\s*=\s*(?P<rules>[A-Za-z0-9_, ]+)$")


def add_suppressions(
    bank: Any, problems: Iterable[Problem], rules: Iterable[str]
) -> dict[str, str]:
    """New texts (bank-relative path → text) with ``# qbank: disable=RULE`` written above
    the question each matching finding belongs to. Existing comments directly above the
    question are extended rather than repeated."""
    wanted = tuple(r.upper() for r in rules)
    by_id = bank.by_id()
    per_file: dict[str, dict[int, tuple[str, set[str]]]] = {}
    for p in problems:
        if not p.rule.startswith(wanted) or not p.question_id:
            continue
        q = by_id.get(p.question_id)
        src = q.source_file if q is not None else None
        if q is None or src is None:
            continue
        node, _ = src.node_at(q._path)
        if node is None:
            continue
        single = not q._path
        row = 0 if single else node.start_mark.line
        line = src.lines[row] if row < len(src.lines) else ""
        indent = "" if single else line[: len(line) - len(line.lstrip(" "))]
        slot = per_file.setdefault(src.rel, {}).setdefault(row, (indent, set()))
        slot[1].add(p.rule)
    out: dict[str, str] = {}
    for rel, rows in per_file.items():
        lines = bank.files[rel].text.split("\n")
        for row in sorted(rows, reverse=True):
            indent, new_rules = rows[row]
            above = lines[row - 1] if row > 0 else ""
            m = _DISABLE.match(above)
            if m:
                have = [r.strip() for r in m.group("rules").split(",") if r.strip()]
                merged = have + sorted(set(new_rules) - set(have))
                if merged != have:
                    lines[row - 1] = f"{m.group('indent')}# qbank: disable={','.join(merged)}"
                continue
            lines.insert(row, f"{indent}# qbank: disable={','.join(sorted(new_rules))}")
        out[rel] = "\n".join(lines)
    return out
