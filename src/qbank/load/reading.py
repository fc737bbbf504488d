"""Reading one file of the bank: size limit, bytes → UTF-8 text → composed node tree
(QB001, QB004–QB007), and discovering the YAML files of a bank in a stable order."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import yaml

from qbank.diagnostics import Location, Problem, problem
from qbank.fsutil import UnsafeInput, read_bounded
from qbank.source import NULLS, SourceFile, StrictLoader, find_suppressions

MANIFEST_NAME = "qbank.yaml"
QUIZ_DIR = "quizzes"
YAML_SUFFIXES = (".yaml", ".yml")
#: a question file larger than this is refused (QB007): it is almost certainly not hand-written
MAX_FILE_BYTES = 8 * 1024 * 1024
_ANCHOR_HINT = re.compile(r"(?:^|[\s,\[{:?-])[&*][^\s,\[\]{}]")
#: ``"qbank:" in text`` as a regex: the same test (a literal without special characters),
#: but the regex engine scans for the first letter in a tight loop where ``str``'s search
#: steps through English text a character at a time (0.6 vs 1.3 ms on 2 MB of questions)
_SUPPRESSION_HINT = re.compile("qbank:")


def read_source(
    path: Path, rel: str, *, max_bytes: int = MAX_FILE_BYTES, root: Path | None = None
) -> tuple[SourceFile, list[Problem]]:
    """Read, decode and compose one YAML file. Returns the file and the problems found.

    ``SourceFile.node`` is None when the file could not be composed. Only a regular file is
    read, and never more than ``max_bytes`` of it whatever ``stat`` says (``/proc`` files
    say 0); with ``root``, its real path must be inside ``root`` (QB011 otherwise: a symlink
    to ``/dev/zero``, a FIFO or a secret outside the bank is never read).
    """
    src = SourceFile(path=path, rel=rel)
    try:
        data = read_bounded(path, limit=max_bytes, root=root)
    except UnsafeInput as exc:
        if exc.kind == "too-large":
            return src, [
                problem(
                    "QB007",
                    exc.message,
                    Location(rel),
                    hint="split it into several files (any folder depth works)",
                )
            ]
        return src, [
            problem(
                "QB011",
                f"not read: {exc.message}",
                Location(rel),
                hint="move the file into the bank as a regular file (a symlink to a file "
                "inside the bank is fine)",
            )
        ]
    except OSError as exc:
        return src, [problem("QB005", f"cannot read file: {exc.strerror or exc}", Location(rel))]
    return src, decode_and_compose(src, data)


def decode_and_compose(src: SourceFile, data: bytes) -> list[Problem]:
    rel = src.rel
    nul = data.find(b"\x00")
    if nul != -1:
        line = data.count(b"\n", 0, nul) + 1
        col = nul - (data.rfind(b"\n", 0, nul) + 1) + 1
        return [
            problem(
                "QB005",
                "file contains NUL bytes: it looks binary, not UTF-8 text",
                Location(rel, line, col),
                hint="save question files as UTF-8 text",
            )
        ]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        col = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
        return [
            problem(
                "QB005",
                f"not valid UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded",
                Location(rel, line, col),
                hint="re-save the file as UTF-8 (most editors: 'Save with encoding')",
            )
        ]
    text = text.removeprefix("\ufeff")
    src.text = text
    if _SUPPRESSION_HINT.search(text):
        src.suppressions = find_suppressions(text)
    node, failure = _compose(src)
    # Anchors and aliases are refused (QB004) before the file is read any further. The event
    # scan that finds them is slow, so it runs only where one can be: a text that composed
    # holds an anchor or alias only if it holds `&` (an alias needs its anchor, or composing
    # fails), and then the same hint decides as for a text that did not compose.
    if failure is not None or "&" in text:
        if ("&" in text or "*" in text) and _ANCHOR_HINT.search(text):
            anchors = _anchor_problems(src)
            if anchors:
                return anchors
        if failure is not None:
            return [failure]
    if node is None or (
        isinstance(node, yaml.ScalarNode) and not node.style and node.value in NULLS
    ):
        return [
            problem(
                "QB006",
                "file is empty",
                Location(rel),
                hint="add a question (a mapping with id, type and text) or delete the file",
            )
        ]
    src.node = node
    return []


def _compose(src: SourceFile) -> tuple[yaml.Node | None, Problem | None]:
    """The file's node tree, or the problem that stopped composing it."""
    try:
        loader = StrictLoader(src.text)
        try:
            return loader.get_single_node(), None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        return None, _yaml_error(src, exc)
    except yaml.YAMLError as exc:  # pragma: no cover - every libyaml error carries a mark
        return None, problem("QB001", f"YAML error: {exc}", Location(src.rel))
    except RecursionError:
        return None, problem("QB001", "YAML nesting is too deep", Location(src.rel))


def _anchor_problems(src: SourceFile) -> list[Problem]:
    """Find anchors and aliases by scanning events (only run when the text hints at them)."""
    found: list[Problem] = []
    loader = StrictLoader(src.text)
    try:
        while loader.check_event():
            event = loader.get_event()
            anchor = getattr(event, "anchor", None)
            if event is None or anchor is None:
                continue
            kind = "alias" if isinstance(event, yaml.AliasEvent) else "anchor"
            mark = event.start_mark
            if mark is None:  # pragma: no cover - libyaml events always carry marks
                continue
            found.append(
                problem(
                    "QB004",
                    f"YAML {kind} `{'*' if kind == 'alias' else '&'}{anchor}` is not allowed "
                    "in a bank",
                    Location(src.rel, mark.line + 1, mark.column + 1),
                    hint="write the value out in full; anchors hide content from reviewers "
                    "and can expand without bound",
                )
            )
            if len(found) >= 20:
                break
    except yaml.YAMLError:
        pass  # the compose step reports syntax errors with their position
    finally:
        loader.dispose()
    return found


_TAB_MSG = "found character '\\t' that cannot start any token"


def _yaml_error(src: SourceFile, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    if exc.context_mark is not None and "end of stream" in (exc.problem or ""):
        mark = exc.context_mark  # an unclosed quote or bracket: point at where it opened
    line = mark.line + 1 if mark else 1
    col = mark.column + 1 if mark else 1
    lines = src.text.splitlines()
    detail = exc.problem or "invalid YAML"
    context = f" {exc.context}" if exc.context else ""
    # A value starting with {{ is a flow mapping to YAML: the cloze hint.
    candidates = [line]
    if exc.context_mark is not None:
        candidates.append(exc.context_mark.line + 1)
    for cand in candidates:
        if 1 <= cand <= len(lines):
            m = re.search(r"(?::|^\s*-)\s+(\{\{)", lines[cand - 1])
            if m:
                return problem(
                    "QB008",
                    "text starting with `{{` is read by YAML as a mapping, not as text",
                    Location(src.rel, cand, m.start(1) + 1),
                    hint="quote the whole value ('{{NAT Gateway}} improves …') or use a "
                    "block scalar (text: >-) on the next line",
                )
    if _TAB_MSG in detail or "\t" in (lines[line - 1] if 1 <= line <= len(lines) else ""):
        tab_line = line
        if 1 <= line <= len(lines) and "\t" in lines[line - 1]:
            col = lines[line - 1].index("\t") + 1
        return problem(
            "QB001",
            "tab character: YAML does not allow tabs for indentation",
            Location(src.rel, tab_line, col),
            hint="indent with spaces (most editors: 'convert indentation to spaces')",
        )
    if "expected a single document" in (exc.context or ""):
        return problem(
            "QB001",
            "more than one YAML document (`---`) in one file",
            Location(src.rel, line, col),
            hint="keep one document per file, or list several questions under `questions:`",
        )
    return problem(
        "QB001",
        f"YAML syntax error:{context} {detail}".replace("  ", " "),
        Location(src.rel, line, col),
        hint="check indentation and quoting on this line and the one above",
    )


def iter_yaml_files(root: Path, linked: list[str] | None = None) -> Iterator[Path]:
    """All YAML files under ``root`` in a stable order, skipping hidden folders.

    Folder symlinks are not followed (they could loop or leave the bank); with ``linked``,
    their bank-relative paths are appended to it so the loader can say so (QB011).
    """
    for dirpath, dirnames, filenames in os.walk(root):
        kept = []
        for d in sorted(dirnames):
            if d.startswith(".") or d == "node_modules":
                continue
            if os.path.islink(os.path.join(dirpath, d)):
                if linked is not None:
                    linked.append((Path(dirpath) / d).relative_to(root).as_posix())
                continue
            kept.append(d)
        dirnames[:] = kept
        for name in sorted(filenames):
            if name.endswith(YAML_SUFFIXES) and not name.startswith("."):
                yield Path(dirpath) / name
