"""Read a bank from disk: YAML → plain text data → pydantic models, with exact source spans.

Why not ``yaml.safe_load``: YAML 1.1 typing turns ``no`` into ``False`` and ``0.10`` into
``0.1``, silently keeps the last of two duplicate keys, and loses every position. Instead we
compose the node tree with libyaml (C), walk it once into plain ``str``/``list``/``dict`` data
(every scalar as the text the author typed), and keep the node tree so any later rule can ask
for the line and column of any field. Nothing a file contains raises: every failure becomes a
:class:`~qbank.diagnostics.Problem` with file, line, column and rule id.
"""

from __future__ import annotations

import bisect
import difflib
import gc
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from qbank.diagnostics import Location, Problem, Related, problem
from qbank.model import (
    FILE_DEFAULT_KEYS,
    QUESTION_ADAPTER,
    QUESTION_CLASSES,
    QUESTION_TYPES,
    AnyQuestion,
    Manifest,
    Option,
    QuestionFile,
    Quiz,
)
from qbank.validate.rules import files as _files_rules  # noqa: F401  (registers QB0xx)
from qbank.validate.rules import schema as _schema_rules  # noqa: F401  (registers QB1xx)

try:  # libyaml is the point: ~10x faster composing than the pure-Python parser
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _Loader(_BaseLoader):
    """Composes without YAML 1.1 implicit typing: every scalar is tagged as a string.

    PyYAML's resolver runs a regex cascade on every scalar (about half of the compose time)
    only to decide types we do not want. The walker classifies the few plain scalars where
    it matters (null values, and the retyping hint of QB003) itself.
    """

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _STR_TAG
        return _SEQ_TAG if kind is yaml.SequenceNode else _MAP_TAG


_YAML11 = yaml.resolver.Resolver()


def yaml11_tag(value: str) -> str:
    """What a YAML 1.1 tool (PyYAML's safe_load) would make of a plain scalar."""
    return _YAML11.resolve(yaml.ScalarNode, value, (True, False))


MANIFEST_NAME = "qbank.yaml"
QUIZ_DIR = "quizzes"
YAML_SUFFIXES = (".yaml", ".yml")
#: a question file larger than this is refused (QB007): it is almost certainly not hand-written
MAX_FILE_BYTES = 8 * 1024 * 1024

_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
#: first characters of plain scalars YAML 1.1 may read as something other than text
_RETYPE_STARTS = frozenset("0123456789+-.yYnNoOtTfF")
_ANCHOR_HINT = re.compile(r"(?:^|[\s,\[{:?-])[&*][^\s,\[\]{}]")
_SUPPRESS = re.compile(r"#\s*qbank:\s*disable(?P<file>-file)?\s*=\s*(?P<rules>[A-Za-z0-9_, ]+)")
#: keys whose values are text for every consumer: a YAML 1.1 retyping there is worth a hint
_TEXT_KEYS = frozenset(
    {
        "text",
        "answers",
        "items",
        "pairs",
        "options",
        "tags",
        "feedback",
        "explanation",
        "topic",
        "unit",
        "source",
        "title",
        "rubric",
        "id",
    }
)


class _Abort(Exception):
    """Raised inside the walk when the file cannot be turned into data at all."""

    def __init__(self, found: Problem) -> None:
        super().__init__(found.message)
        self.problem = found


@dataclass
class Suppression:
    """A ``# qbank: disable=QB402`` comment; ``used`` is set by the validator."""

    line: int
    rules: tuple[str, ...]
    whole_file: bool = False
    #: rules this comment actually silenced in the last validation run
    used: set[str] = field(default_factory=set)


@dataclass
class SourceFile:
    """One YAML file of the bank: its text, node tree and suppression comments.

    Kept after loading so rules and reporters can point at any field (``location``) and
    show code frames (``lines``).
    """

    path: Path
    rel: str
    text: str = ""
    suppressions: list[Suppression] = field(default_factory=list)
    #: True once the text composed without a YAML error
    composed: bool = False
    _node: yaml.Node | None = None
    _line_starts: list[int] | None = None

    @property
    def node(self) -> yaml.Node | None:
        """The composed node tree, or None when the file could not be composed.

        The loader drops the tree after reading the file and this property composes it again
        on demand: trees are only needed to locate problems, and keeping one for every file
        of a large bank costs memory and makes every later garbage collection slow.
        """
        if self._node is None and self.composed:
            self._node = _compose(self.text)
        return self._node

    @node.setter
    def node(self, value: yaml.Node | None) -> None:
        self._node = value
        self.composed = value is not None

    def release(self) -> None:
        """Drop the node tree (it is composed again if a location is asked for)."""
        self._node = None

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    # -- spans ----------------------------------------------------------------------------
    def node_at(self, path: Iterable[int | str]) -> tuple[yaml.Node | None, yaml.Node | None]:
        """The value node at ``path`` (and its key node), or the nearest ancestor.

        Path elements that do not exist (pydantic adds union member names) are skipped.
        """
        node = self.node
        key_node: yaml.Node | None = None
        for part in path:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and k.value == part:
                        node, key_node = v, k
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(part, int)
                and 0 <= part < len(node.value)
            ):
                node, key_node = node.value[part], None
        return node, key_node

    def location(self, path: Iterable[int | str], *, key: bool = False) -> Location:
        node, key_node = self.node_at(path)
        target = key_node if key and key_node is not None else node
        if target is None:
            return Location(self.rel, 1, 1)
        start, end = target.start_mark, target.end_mark
        return Location(self.rel, start.line + 1, start.column + 1, end.line + 1, end.column + 1)

    def offset_to_location(self, offset: int) -> Location:
        """1-based line/column of a character offset into ``text``."""
        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return Location(self.rel, line + 1, offset - self._line_starts[line] + 1)


@dataclass
class Bank:
    """A loaded bank: valid questions, quizzes, the manifest, and what went wrong loading."""

    root: Path
    manifest: Manifest | None
    questions: list[AnyQuestion]
    quizzes: dict[str, Quiz]
    files: dict[str, SourceFile]
    problems: list[Problem]
    #: ids of questions that failed the schema (so exports can name what they skipped)
    invalid_ids: list[str] = field(default_factory=list)
    #: a question id → the files it was defined in (more than one is QB601)
    _by_id: dict[str, AnyQuestion] | None = None

    @property
    def id(self) -> str:
        return self.manifest.id if self.manifest else self.root.name

    @property
    def title(self) -> str:
        return self.manifest.title if self.manifest else self.root.name

    def by_id(self) -> dict[str, AnyQuestion]:
        """Questions by id (the first definition wins when an id is duplicated)."""
        if self._by_id is None:
            index: dict[str, AnyQuestion] = {}
            for q in self.questions:
                index.setdefault(q.id, q)
            self._by_id = index
        return self._by_id

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


# -- reading one file -----------------------------------------------------------------------


def read_source(
    path: Path, rel: str, *, max_bytes: int = MAX_FILE_BYTES
) -> tuple[SourceFile, list[Problem]]:
    """Read, decode and compose one YAML file. Returns the file and the problems found.

    ``SourceFile.node`` is None when the file could not be composed.
    """
    src = SourceFile(path=path, rel=rel)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return src, [
                problem(
                    "QB007",
                    f"file is {size:,} bytes; the limit is {max_bytes:,}",
                    Location(rel),
                    hint="split it into several files (any folder depth works)",
                )
            ]
        data = path.read_bytes()
    except OSError as exc:
        return src, [problem("QB005", f"cannot read file: {exc.strerror or exc}", Location(rel))]
    return src, _decode_and_compose(src, data)


def _decode_and_compose(src: SourceFile, data: bytes) -> list[Problem]:
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
    if "qbank:" in text:
        src.suppressions = _find_suppressions(text)
    problems: list[Problem] = []
    if ("&" in text or "*" in text) and _ANCHOR_HINT.search(text):
        problems.extend(_anchor_problems(src))
        if problems:
            return problems
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        return [_yaml_error(src, exc)]
    except yaml.YAMLError as exc:  # pragma: no cover - every libyaml error carries a mark
        return [problem("QB001", f"YAML error: {exc}", Location(rel))]
    except RecursionError:
        return [problem("QB001", "YAML nesting is too deep", Location(rel))]
    if node is None or (
        isinstance(node, yaml.ScalarNode) and not node.style and node.value in _NULLS
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
    return problems


def _compose(text: str) -> yaml.Node | None:
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _find_suppressions(text: str) -> list[Suppression]:
    found = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if "qbank:" not in line:
            continue
        m = _SUPPRESS.search(line)
        if m:
            rules = tuple(r.strip().upper() for r in m.group("rules").split(",") if r.strip())
            found.append(Suppression(lineno, rules, whole_file=bool(m.group("file"))))
    return found


def _anchor_problems(src: SourceFile) -> list[Problem]:
    """Find anchors and aliases by scanning events (only run when the text hints at them)."""
    found: list[Problem] = []
    loader = _Loader(src.text)
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


# -- node tree → plain data ----------------------------------------------------------------


class _Walker:
    """Turns a composed node tree into str/list/dict data, reporting what YAML hides."""

    __slots__ = ("problems", "retyped", "seen", "src")

    def __init__(self, src: SourceFile) -> None:
        self.src = src
        self.problems: list[Problem] = []
        self.retyped: list[tuple[str, yaml.ScalarNode]] = []
        self.seen: set[int] = set()

    def _loc(self, node: yaml.Node) -> Location:
        m = node.start_mark
        return Location(self.src.rel, m.line + 1, m.column + 1)

    def walk(self, node: yaml.Node, parent_key: str = "") -> Any:
        if isinstance(node, yaml.ScalarNode):
            if not node.style:
                value = node.value
                if value in _NULLS:
                    return None
                if parent_key in _TEXT_KEYS and value[:1] in _RETYPE_STARTS:
                    self.retyped.append((parent_key, node))
            return node.value
        ident = id(node)
        if ident in self.seen:  # only reachable through an alias
            raise _Abort(problem("QB004", "YAML alias is not allowed in a bank", self._loc(node)))
        self.seen.add(ident)
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, parent_key) for item in node.value]
        if isinstance(node, yaml.MappingNode):
            text = self.src.text
            if node.flow_style and text.startswith("{{", node.start_mark.index):
                self.problems.append(
                    problem(
                        "QB008",
                        "text starting with `{{` is read by YAML as a mapping, not as text",
                        self._loc(node),
                        hint="quote the whole value or use a block scalar (text: >-)",
                    )
                )
                # keep checking the rest of the question with the text as typed on the line
                end = text.find("\n", node.start_mark.index)
                return text[node.start_mark.index : end if end != -1 else len(text)].strip()
            out: dict[str, Any] = {}
            first_seen: dict[str, yaml.Node] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise _Abort(
                        problem("QB001", "a mapping key must be plain text", self._loc(key_node))
                    )
                key = key_node.value
                if key == "<<" and not key_node.style:
                    raise _Abort(
                        problem(
                            "QB004",
                            "YAML merge keys (`<<`) are not allowed in a bank",
                            self._loc(key_node),
                        )
                    )
                if key in first_seen:
                    prev = first_seen[key]
                    self.problems.append(
                        problem(
                            "QB002",
                            f"duplicate key `{key}` (first defined on line "
                            f"{prev.start_mark.line + 1}); YAML tools silently keep only one",
                            self._loc(key_node),
                            hint="delete or rename one of the two",
                            related=(Related(self._loc(prev), f"first `{key}`"),),
                        )
                    )
                    continue
                first_seen[key] = key_node
                out[key] = self.walk(value_node, key)
            return out
        raise _Abort(problem("QB001", "unsupported YAML node", self._loc(node)))  # pragma: no cover


def to_data(src: SourceFile) -> tuple[Any, list[Problem], list[tuple[str, yaml.ScalarNode]]]:
    """Plain data of a composed file; on an aborting problem the data is None."""
    walker = _Walker(src)
    assert src.node is not None
    try:
        data = walker.walk(src.node)
    except _Abort as abort:
        return None, [*walker.problems, abort.problem], walker.retyped
    except RecursionError:
        return None, [problem("QB001", "YAML nesting is too deep", Location(src.rel))], []
    return data, walker.problems, walker.retyped


# -- schema errors → problems --------------------------------------------------------------


def _did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.7)
    return f"did you mean `{match[0]}`?" if match else None


def _allowed_fields(model_name: str | None) -> list[str]:
    if model_name in QUESTION_CLASSES:
        return list(QUESTION_CLASSES[model_name].model_fields)
    return []


def schema_problems(
    exc: ValidationError,
    src: SourceFile,
    base: tuple[int | str, ...],
    *,
    fields_of: dict[str, list[str]] | None = None,
    question_id: str | None = None,
) -> list[Problem]:
    """Translate pydantic errors into QB1xx problems located at the offending node."""
    out: list[Problem] = []
    seen: set[tuple[str, int, int]] = set()
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        path = (*base, *loc)
        field_name = next((p for p in reversed(loc) if isinstance(p, str)), "")
        ctx = err.get("ctx") or {}
        hint: str | None = None
        if kind == "extra_forbidden":
            rule = "QB101"
            location = src.location(path, key=True)
            owner = loc[0] if loc and loc[0] in QUESTION_CLASSES else None
            allowed = _allowed_fields(owner if isinstance(owner, str) else None)
            if fields_of and not allowed:
                allowed = fields_of.get("", [])
            message = f"unknown field `{field_name}`"
            if owner:
                message += f" for a `{owner}` question"
            hint = _did_you_mean(field_name, allowed) or _did_you_mean(
                field_name, _all_field_names()
            )
            if hint is None:
                hint = "remove it, or check the field list in the README"
        elif kind == "missing":
            rule = "QB102"
            location = src.location(path[:-1])
            message = f"missing required field `{field_name}`"
            owner = loc[0] if loc and loc[0] in QUESTION_CLASSES else None
            if owner:
                message += f" for a `{owner}` question"
        elif kind == "union_tag_not_found":
            rule = "QB102"
            location = src.location(path)
            message = "missing required field `type`"
            hint = "one of: " + ", ".join(QUESTION_TYPES)
        elif kind == "union_tag_invalid":
            rule = "QB104"
            location = src.location((*path, "type"))
            tag = str(ctx.get("tag", ""))
            message = f"unknown question type `{tag}`"
            hint = _did_you_mean(tag, QUESTION_TYPES) or ("one of: " + ", ".join(QUESTION_TYPES))
        elif (kind == "string_pattern_mismatch" and field_name == "id") or (
            kind == "string_pattern_mismatch" and isinstance(loc[-1], int)
        ):
            rule = "QB105"
            location = src.location(path)
            message = f"invalid id `{err.get('input')}`"
            hint = "ids use lower-case letters, digits, `.`, `_` and `-`, starting with a letter or digit"
        else:
            rule = "QB103"
            location = src.location(path)
            shown = ".".join(
                str(p) for p in loc if not (isinstance(p, str) and p in QUESTION_CLASSES)
            )
            if err.get("input", "") is None:
                message = f"`{shown or field_name}` is empty"
                hint = "give it a value, or remove the entry"
            else:
                message = f"`{shown or field_name}`: {_clean_msg(err['msg'])}"
        key = (rule, location.line, location.col)
        if key in seen:
            continue
        seen.add(key)
        out.append(problem(rule, message, location, hint=hint, question_id=question_id))
    return out


def _clean_msg(msg: str) -> str:
    msg = msg.replace("Value error, ", "")
    return msg[:1].lower() + msg[1:]


_FIELD_NAMES: list[str] | None = None


def _all_field_names() -> list[str]:
    global _FIELD_NAMES
    if _FIELD_NAMES is None:
        names: set[str] = {"questions", *Option.model_fields}
        for cls in QUESTION_CLASSES.values():
            names.update(cls.model_fields)
        _FIELD_NAMES = sorted(names)
    return _FIELD_NAMES


# -- files of the bank ---------------------------------------------------------------------


def iter_yaml_files(root: Path) -> Iterator[Path]:
    """All YAML files under ``root`` in a stable order, skipping hidden folders."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "node_modules")
        for name in sorted(filenames):
            if name.endswith(YAML_SUFFIXES) and not name.startswith("."):
                yield Path(dirpath) / name


def _retyped_problems(src: SourceFile, retyped: list[tuple[str, yaml.ScalarNode]]) -> list[Problem]:
    out = []
    for key, node in retyped:
        tag = yaml11_tag(node.value)
        if tag == _STR_TAG:
            continue
        kind = tag.rsplit(":", 1)[-1]
        if kind in ("int", "float") and _yaml11_same(node.value, kind):
            continue
        m = node.start_mark
        out.append(
            problem(
                "QB003",
                f"`{node.value}` in `{key}` is kept as text by qbank, but YAML 1.1 tools read it "
                f"as {_KIND_NAMES.get(kind, kind)}",
                Location(src.rel, m.line + 1, m.column + 1),
                hint=f'quote it ("{node.value}") so every tool reads the same text',
            )
        )
    return out


_KIND_NAMES = {
    "bool": "a boolean",
    "int": "a number",
    "float": "a number",
    "timestamp": "a date",
    "null": "null",
}


def _yaml11_same(value: str, kind: str) -> bool:
    """True when a YAML 1.1 number prints back as the same text (``42``, ``4.3``)."""
    if kind == "int":
        return bool(re.fullmatch(r"-?(0|[1-9][0-9]*)", value))
    try:
        return repr(float(value)) == value
    except ValueError:
        return False


def load_question_file(
    src: SourceFile, data: Any
) -> tuple[list[AnyQuestion], list[Problem], list[str]]:
    """Questions of one composed file: (valid questions, problems, ids that failed)."""
    problems: list[Problem] = []
    invalid: list[str] = []
    questions: list[AnyQuestion] = []
    if isinstance(data, dict) and "questions" in data:
        defaults = {k: data[k] for k in FILE_DEFAULT_KEYS if k in data}
        header = {k: v for k, v in data.items() if k != "questions"}
        try:
            QuestionFile.model_validate({**header, "questions": []})
        except ValidationError as exc:
            problems.extend(
                schema_problems(exc, src, (), fields_of={"": list(QuestionFile.model_fields)})
            )
            defaults = {}
        items = data["questions"]
        if not isinstance(items, list):
            problems.append(
                problem(
                    "QB103",
                    "`questions` must be a list of questions",
                    src.location(("questions",)),
                    hint="start each question with `- id: …`",
                )
            )
            return questions, problems, invalid
        entries: list[tuple[tuple[int | str, ...], Any]] = [
            (("questions", i), item) for i, item in enumerate(items)
        ]
    elif isinstance(data, dict):
        defaults = {}
        entries = [((), data)]
    else:
        kind = "a list" if isinstance(data, list) else "plain text"
        problems.append(
            problem(
                "QB103",
                f"a question file must be a mapping, not {kind}",
                src.location(()),
                hint="write one question (id, type, text …) or `questions:` with a list",
            )
        )
        return questions, problems, invalid
    for path, item in entries:
        if not isinstance(item, dict):
            problems.append(
                problem(
                    "QB103",
                    "each question must be a mapping (id, type, text …)",
                    src.location(path),
                )
            )
            continue
        raw = item
        if defaults:
            raw = dict(item)
            for key, value in defaults.items():
                if key == "tags":
                    own = raw.get("tags") or []
                    if isinstance(own, list) and isinstance(value, list):
                        raw["tags"] = list(dict.fromkeys([*value, *own]))
                elif raw.get(key) is None:
                    raw[key] = value
        qid = item.get("id") if isinstance(item.get("id"), str) else None
        try:
            q = QUESTION_ADAPTER.validate_python(raw)
        except ValidationError as exc:
            problems.extend(schema_problems(exc, src, path, question_id=qid))
            if qid:
                invalid.append(qid)
            continue
        q._source = src
        q._path = path
        questions.append(q)
    return questions, problems, invalid


def load_manifest(root: Path) -> tuple[Manifest | None, SourceFile | None, list[Problem]]:
    path = root / MANIFEST_NAME
    if not path.is_file():
        return (
            None,
            None,
            [
                problem(
                    "QB009",
                    f"no bank manifest `{MANIFEST_NAME}` in {root}",
                    Location(MANIFEST_NAME),
                    hint="create qbank.yaml with at least `id:` and `title:` (see README)",
                )
            ],
        )
    src, problems = read_source(path, MANIFEST_NAME)
    if src.node is None:
        return None, src, problems
    data, walk_problems, _ = to_data(src)
    problems.extend(walk_problems)
    if data is None:
        return None, src, problems
    if not isinstance(data, dict):
        problems.append(problem("QB103", "the manifest must be a mapping", src.location(())))
        return None, src, problems
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as exc:
        problems.extend(schema_problems(exc, src, (), fields_of={"": list(Manifest.model_fields)}))
        return None, src, problems
    return manifest, src, problems


def load_quiz(src: SourceFile, data: Any) -> tuple[Quiz | None, list[Problem]]:
    if not isinstance(data, dict):
        return None, [problem("QB103", "a quiz file must be a mapping", src.location(()))]
    try:
        quiz = Quiz.model_validate(data)
    except ValidationError as exc:
        return None, schema_problems(exc, src, (), fields_of={"": list(Quiz.model_fields)})
    quiz._source = src
    return quiz, []


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def load_bank(root: str | Path, *, max_file_bytes: int = MAX_FILE_BYTES) -> Bank:
    """Load every file of a bank. Never raises for bad content: see ``Bank.problems``.

    Raises ``FileNotFoundError`` only when ``root`` is not a folder (a usage error).
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"bank folder not found: {root}")
    manifest, manifest_src, problems = load_manifest(root)
    files: dict[str, SourceFile] = {}
    if manifest_src is not None:
        files[manifest_src.rel] = manifest_src
    questions: list[AnyQuestion] = []
    quizzes: dict[str, Quiz] = {}
    invalid: list[str] = []
    # The node trees we keep for spans are many small objects that never form cycles; the
    # cyclic GC would otherwise re-scan them again and again while loading a large bank.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for path in iter_yaml_files(root):
            _load_one(root, path, files, problems, questions, quizzes, invalid, max_file_bytes)
        for src in files.values():
            src.release()
    finally:
        if gc_was_enabled:
            gc.enable()
    return Bank(
        root=root,
        manifest=manifest,
        questions=questions,
        quizzes=quizzes,
        files=files,
        problems=problems,
        invalid_ids=invalid,
    )


def _load_one(
    root: Path,
    path: Path,
    files: dict[str, SourceFile],
    problems: list[Problem],
    questions: list[AnyQuestion],
    quizzes: dict[str, Quiz],
    invalid: list[str],
    max_file_bytes: int,
) -> None:
    """Load one file of the bank into the accumulators."""
    rel = _rel(path, root)
    if rel == MANIFEST_NAME:
        return
    src, file_problems = read_source(path, rel, max_bytes=max_file_bytes)
    files[rel] = src
    problems.extend(file_problems)
    if src.node is None:
        return
    data, walk_problems, retyped = to_data(src)
    problems.extend(walk_problems)
    if retyped:
        problems.extend(_retyped_problems(src, retyped))
    if data is None:
        return
    if rel.startswith(QUIZ_DIR + "/"):
        quiz, quiz_problems = load_quiz(src, data)
        problems.extend(quiz_problems)
        if quiz is not None:
            quizzes[rel] = quiz
        return
    qs, q_problems, bad = load_question_file(src, data)
    questions.extend(qs)
    problems.extend(q_problems)
    invalid.extend(bad)


def load_text(text: str, rel: str = "questions.yaml") -> tuple[list[AnyQuestion], list[Problem]]:
    """Load questions from a YAML string (tests, editors, fuzzing). Never raises."""
    return load_bytes(text.encode("utf-8", "surrogatepass"), rel)


def load_bytes(data: bytes, rel: str = "questions.yaml") -> tuple[list[AnyQuestion], list[Problem]]:
    """Load the questions of one file's raw bytes without a bank around it. Never raises."""
    src = SourceFile(path=Path(rel), rel=rel)
    problems = _decode_and_compose(src, data)
    if src.node is None:
        return [], problems
    parsed, walk_problems, retyped = to_data(src)
    problems.extend(walk_problems)
    problems.extend(_retyped_problems(src, retyped))
    if parsed is None:
        return [], problems
    qs, q_problems, _ = load_question_file(src, parsed)
    return qs, problems + q_problems
