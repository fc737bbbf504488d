"""Write imported questions into a bank: one file per category, media by content hash.

The YAML is in qbank's own style: a ``questions:`` list indented as in the sample bank,
keys in a fixed order, long text as block scalars (``|`` keeps line breaks, ``>-`` folds a
long line), quoted wherever a YAML 1.1 tool would read something else than the text
(``"no"``, ``"0.10"``, ``"010"``, ``"12:30"``), and ``#`` comments for what the source had
that qbank keeps only as a note. PyYAML's emitter picks a safe style for any string, so the
output always reads back as exactly the data given. Question items are written by a faster
emitter of our own that reproduces PyYAML's (libyaml's) output byte for byte for the values
imports produce, and hands anything else to PyYAML (see "the fast emitter" below).

Nothing is overwritten unless asked: an imported id that the bank already has, or a target
file that already exists, is a :class:`Clash` naming both sides. With ``update=True`` a
question whose id matches is replaced where it stands (its lines in its file), and new
questions are appended to the category file. Everything is checked before anything is
written; each file is written atomically.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from qbank.fsutil import atomic_write_bytes, atomic_write_text, sweep_once
from qbank.gcpause import paused
from qbank.importers import Imported, ImportResult, category_titles, clean_id, topic_key

MANIFEST = "qbank.yaml"


#: a one-line text longer than this is folded (``>-``)
FOLD_AT = 72
WIDTH = 92

KEY_ORDER = (
    "id",
    "type",
    "topic",
    "tags",
    "text",
    "options",
    "answer",
    "answers",
    "tolerance",
    "unit",
    "items",
    "pairs",
    "partial",
    "allow_all_correct",
    "case_sensitive",
    "max_words",
    "lines",
    "rubric",
    "explanation",
    "points",
    "difficulty",
    "source",
    "status",
    "shuffle",
)
_RANK = {k: i for i, k in enumerate(KEY_ORDER)}
OPTION_KEYS = ("text", "correct", "feedback")


_FAST = hasattr(yaml, "CSafeDumper")


class _Dumper(yaml.CSafeDumper if _FAST else yaml.SafeDumper):  # type: ignore[misc]
    """libyaml's emitter (4x faster than PyYAML's) where available; its lists inside
    mappings come out unindented and :func:`_indent_lists` indents them as in the bank."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # only used by PyYAML's own emitter


_KEY_LINE = re.compile(r"((?:- )*)[A-Za-z_][A-Za-z0-9_]*:\n?$")


def _indent_lists(text: str) -> str:
    """``options:`` / ``- a`` → ``options:`` / ``  - a`` for every list under a key.

    A list under a key at column *k* starts on the next line at column *k* with ``- ``; it
    holds every following line indented deeper than *k* or starting with ``- `` at *k*
    (block scalar text is always deeper than its key, so it moves with its item).
    """
    if not _FAST:
        return text
    out: list[str] = []
    open_lists: list[int] = []
    pending: int | None = None
    block: int | None = None  # inside a block scalar whose key sits at this column
    for line in text.splitlines(keepends=True):
        body = line.lstrip(" ")
        if not body.strip():
            out.append(line)
            continue
        col = len(line) - len(body)
        if block is not None and col > block:  # block scalar text: moves with its item
            out.append(" " * (2 * len(open_lists)) + line)
            continue
        block = None
        is_item = body.startswith("- ") or body.rstrip("\n") == "-"
        if pending is not None and col == pending and is_item:
            open_lists.append(pending)
        pending = None
        while open_lists and not (col > open_lists[-1] or (col == open_lists[-1] and is_item)):
            open_lists.pop()
        out.append(" " * (2 * len(open_lists)) + line)
        m = _KEY_LINE.match(body)
        if m:
            pending = col + len(m.group(1))
        elif _BLOCK_START.search(body):
            prefix = len(_ITEMS.match(body).group(0))  # type: ignore[union-attr]
            starts_block = body[prefix : prefix + 1] in ("|", ">")
            block = col + prefix - (2 if starts_block else 0)
    return "".join(out)


_BLOCK_START = re.compile(r"(?:^|: |- )[|>][-+0-9]*\n?$")
_ITEMS = re.compile(r"(?:- )*")


def _str(dumper: Any, value: str) -> Any:
    style: str | None = None
    if "\n" in value:
        style = "|"
    elif len(value) > FOLD_AT and " " in value:
        style = ">"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


#: a question's keys (as the importer wrote them) → their positions in qbank's order
_ORDERS: dict[tuple[Any, ...], list[int]] = {}


def _key_order(question: dict[str, Any]) -> list[Any]:
    """``sorted(question, key=(rank, key))``, the permutation cached per key tuple (applied
    to this question's own key objects: keys that compare equal sort the same)."""
    keys = tuple(question)
    positions = _ORDERS.get(keys)
    if positions is None:
        positions = sorted(
            range(len(keys)), key=lambda i: (_RANK.get(keys[i], len(_RANK)), keys[i])
        )
        if len(_ORDERS) < 1024:  # imports write a few dozen shapes of question
            _ORDERS[keys] = positions
    return [keys[i] for i in positions]


def ordered(question: dict[str, Any]) -> dict[str, Any]:
    """The question's keys in qbank's order; options as ``{text, correct, feedback}``."""
    out: dict[str, Any] = {}
    for key in _key_order(question):
        value = question[key]
        if key == "options":
            value = [_option(o) for o in value]
        elif key == "pairs":
            value = [list(p) for p in value]
        out[key] = value
    return out


def _option(option: Any) -> Any:
    if isinstance(option, str):
        return option
    opt = {k: option[k] for k in OPTION_KEYS if k in option and option[k] not in (None, False)}
    if list(opt) == ["text"]:
        return opt["text"]  # a plain string is a wrong option
    return opt


def dump_value(value: Any) -> str:
    """One YAML document holding ``value`` (used for manifests and tests)."""
    text: str = yaml.dump(value, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=WIDTH)
    text = _indent_lists(text)
    return text


def _comment(lines: list[str], indent: str) -> str:
    out = []
    for note in lines:
        for line in note.splitlines() or [""]:
            out.append(f"{indent}# {line}".rstrip() + "\n")
    return "".join(out)


def question_file(
    questions: list[Imported],
    *,
    header: list[str],
    defaults: dict[str, Any] | None = None,
) -> str:
    """A whole question file: header comments, file-level defaults, then the questions."""
    parts = [_comment(header, "")]
    if defaults:
        parts.append(dump_value(defaults))
    parts.append("questions:\n")
    parts.append(question_items(questions))
    return "".join(parts)


def question_items(questions: list[Imported], indent: str = "  ") -> str:
    """The ``- id: …`` items of a ``questions:`` list, each under its notes.

    Each question is written by :func:`_fast_item` when its data is within what that
    emitter reproduces byte for byte, else by PyYAML's emitter (:func:`_pyyaml_items`);
    the whole list goes to PyYAML when one question's output depends on the others
    (a container shared between questions becomes an anchor, a block scalar that keeps its
    trailing newlines makes the stream end with ``...``).
    """
    if not questions:
        return ""
    data = [ordered(q.data) for q in questions]
    # the lists and mappings met so far: one met twice is written by PyYAML as an anchor
    # and an alias. None once a question went to PyYAML and the whole list was found
    # free of shared containers.
    seen: set[int] | None = set()
    items: list[list[str]] = []
    for value in data:
        try:
            lines = _fast_item(value, indent, seen)
        except _Slow as why:
            if why.whole_list or (seen is not None and _shares_containers(data)):
                return _pyyaml_items(questions, data, indent)
            seen = None
            alone = _pyyaml_items_lines([value], indent)
            if len(alone) != 1 or alone[0][-1].strip() == "...":
                return _pyyaml_items(questions, data, indent)  # `...` ends the stream
            lines = alone[0]
        items.append(lines)
    parts: list[str] = []
    for i, (q, lines) in enumerate(zip(questions, items, strict=True)):
        if i:
            parts.append("\n")
        if q.notes:
            parts.append(_comment(q.notes, indent))
        parts.append("".join(lines))
    return "".join(parts)


def _pyyaml_items_lines(data: list[dict[str, Any]], indent: str) -> list[list[str]]:
    """PyYAML's (libyaml's) items of a list, split at the ``- `` lines, with ``indent``."""
    dumped = _indent_lists(
        yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=WIDTH)
    )
    items: list[list[str]] = []
    for line in dumped.splitlines(keepends=True):
        if line.startswith("- "):
            items.append([])
        items[-1].append(indent + line if line.strip() else line)
    return items


def _pyyaml_items(questions: list[Imported], data: list[dict[str, Any]], indent: str) -> str:
    """:func:`question_items` written by PyYAML's emitter alone (the reference output)."""
    items = _pyyaml_items_lines(data, indent)
    parts: list[str] = []
    for i, (q, lines) in enumerate(zip(questions, items, strict=True)):
        if i:
            parts.append("\n")
        parts.append(_comment(q.notes, indent))
        parts.append("".join(lines))
    return "".join(parts)


# -- the fast emitter ------------------------------------------------------------------------
#
# libyaml (emitter.c) decides a scalar's style from an analysis of its characters and wraps
# plain, quoted and folded text at ``WIDTH`` columns; :func:`_indent_lists` then indents
# the lists. :func:`_fast_item` does both in one pass for the values imports produce (str,
# bool, int, lists and mappings of them), following emitter.c's rules for them: the
# plain / single-quoted choice, where a line may break, block scalar headers. Anything else
# raises :class:`_Slow` and goes to PyYAML: double-quoted text (control characters, tabs,
# characters outside the BMP, text ending in a space …), floats, None, a mapping under a
# key, keys other than plain names. tests/test_import_emit.py compares both on random data.


class _Slow(Exception):
    """This value is left to PyYAML's emitter (``whole_list``: the whole list is)."""

    def __init__(self, whole_list: bool = False) -> None:
        super().__init__()
        self.whole_list = whole_list


#: a character outside libyaml's printable set (or a line break other than LF): such text
#: is double-quoted (or, for U+2028/U+2029, breaks lines): left to PyYAML
#: (spelt as the characters outside ``[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe
#: \uff00-\ufffd]``: the negated class takes 5 ms to compile, this one 0.4 ms)
_NOT_SIMPLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff\U00010000-\U0010ffff]"
)
_NOT_SIMPLE_MULTILINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff\U00010000-\U0010ffff]"
)
#: emitter.c's block indicators for a one-line printable scalar: plain style not allowed
_NOT_PLAIN = re.compile(r"^(?:---|\.\.\.|[#,\[\]{}&*!|>'\"%@`]|[?:-](?: |$)| )|: |:$| #| $")
_KEY = re.compile(r"[a-z_][a-z0-9_]*")
_STR_TAG = "tag:yaml.org,2002:str"


def _plain_implicit(value: str) -> bool:
    """Whether ``value`` written plain reads back as a string (PyYAML's resolver)."""
    resolvers = _Dumper.yaml_implicit_resolvers.get(value[:1])
    if resolvers:
        for tag, regexp in resolvers:
            if regexp.match(value):
                return bool(tag == _STR_TAG)
    return True


def _scalar(value: Any) -> str:
    """A boolean or an integer as libyaml writes it (plain)."""
    kind = type(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        text = str(value)
        if _plain_implicit(text):  # pragma: no cover - an int always reads back as one
            raise _Slow
        return text
    raise _Slow


def _inline(value: str, col: int, indent: int) -> list[str]:
    """A one-line string written plain or single-quoted, starting at column ``col``
    (libyaml's columns): its lines, wrapped as emitter.c wraps them at a space past
    ``WIDTH``; continuation lines start with ``indent`` spaces."""
    if _NOT_SIMPLE.search(value):
        raise _Slow
    if (
        value
        and not _NOT_PLAIN.search(value)
        and (value[0] not in _Dumper.yaml_implicit_resolvers or _plain_implicit(value))
    ):
        text, quoted = value, False
    else:
        text, quoted = "'" + value.replace("'", "''") + "'", True
    if col + len(text) - 1 <= WIDTH or " " not in value:
        return [text]  # no space lies past the width: nothing to wrap
    return _wrapped(value, col, indent, quoted)


def _wrapped(value: str, col: int, indent: int, quoted: bool) -> list[str]:
    """emitter.c's write_plain_scalar / write_single_quoted_scalar, character by character:
    a single space (not the first or last character of a quoted one) with the column past
    ``WIDTH`` becomes a line break."""
    lines: list[str] = []
    out: list[str] = []
    if quoted:
        out.append("'")
        col += 1
    spaces = False
    last = len(value) - 1
    for i, ch in enumerate(value):
        if ch == " ":
            if (
                not spaces
                and col > WIDTH
                and (i == last or value[i + 1] != " ")
                and (not quoted or 0 < i < last)
            ):
                lines.append("".join(out))
                out = [" " * indent]
                col = indent
            else:
                out.append(ch)
                col += 1
            spaces = True
        else:
            if ch == "'" and quoted:
                out.append("'")
                col += 1
            out.append(ch)
            col += 1
            spaces = False
    if quoted:
        out.append("'")
    lines.append("".join(out))
    for line in lines[1:]:
        body = line.lstrip(" ")
        # what _indent_lists would read as a key, an item or a block scalar header
        if _KEY_LINE.match(body) or body.startswith("-") or _BLOCK_START.search(body):
            raise _Slow
    return lines


def _folded(value: str, indent: int) -> list[str]:
    """A long one-line string with spaces as ``>-``: emitter.c's write_folded_scalar breaks
    at a single space once the column is past ``WIDTH`` (lines start at ``indent``)."""
    if _NOT_SIMPLE.search(value) or value[0] == " " or value[-1] == " ":
        raise _Slow  # double-quoted (trailing space) or an indentation hint (leading space)
    pad = " " * indent
    lines = [">-"]
    start = 0
    find = value.find
    at = find(" ")
    while at != -1:
        if indent + at - start > WIDTH and value[at + 1] != " ":
            lines.append(pad + value[start:at])
            start = at + 1
        at = find(" ", at + 1)
    lines.append(pad + value[start:])
    return lines


def _literal(value: str, indent: int) -> list[str]:
    """A multi-line string as ``|`` / ``|-`` (emitter.c's write_literal_scalar)."""
    if _NOT_SIMPLE_MULTILINE.search(value) or value[-1] == " " or " \n" in value:
        raise _Slow  # double-quoted: a special character, or a space before a line break
    if value[-1] == "\n":
        if len(value) == 1 or value[-2] == "\n":
            raise _Slow(whole_list=True)  # `|+`: the stream would end with `...`
        chomp = ""
        value = value[:-1]
    else:
        chomp = "-"
    hint = "2" if value[:1] in (" ", "\n") else ""
    pad = " " * indent
    return ["|" + hint + chomp] + [pad + line if line else "" for line in value.split("\n")]


def _emit(lines: list[str], lead: str, out: list[str]) -> None:
    """Append a scalar's lines after the first: ``lead`` before each, except lines of
    white space only (which _indent_lists and question_items leave as they are)."""
    for line in lines:
        out.append((lead + line if line.strip() else line) + "\n")


def _fast_item(question: dict[str, Any], indent: str, seen: set[int] | None = None) -> list[str]:
    """One question as an item of the ``questions:`` list: the lines libyaml writes for
    it, indented by _indent_lists and ``indent``. Raises :class:`_Slow` for data outside
    what this emitter reproduces, ``_Slow(whole_list=True)`` for a list or mapping already
    in ``seen`` (the ids of those met before; this question's are added)."""
    out: list[str] = []
    _mapping(question, "- ", 2, indent, out, seen)
    return out


def _track(value: Any, seen: set[int] | None) -> None:
    if seen is not None:
        key = id(value)
        if key in seen:
            raise _Slow(whole_list=True)
        seen.add(key)


def _shares_containers(data: list[Any]) -> bool:
    """Whether a list or mapping occurs twice in ``data`` (PyYAML's representer then writes
    an anchor and an alias; strings, numbers and booleans are never aliased)."""
    seen: set[int] = set()
    stack: list[Any] = list(data)
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is dict or kind is list:
            key = id(value)
            if key in seen:
                return True
            seen.add(key)
            stack.extend(value.values() if kind is dict else value)
        elif isinstance(value, (dict, list)):
            return True  # a subclass: left to PyYAML whatever it does with it
    return False


#: key → whether it is written plain as it is (a short name that reads back as a string)
_PLAIN_KEYS: dict[str, bool] = {}


def _plain_key(key: str) -> bool:
    ok = _PLAIN_KEYS.get(key)
    if ok is None:
        ok = len(key) <= 64 and bool(_KEY.fullmatch(key)) and _plain_implicit(key)
        if len(_PLAIN_KEYS) < 1024:
            _PLAIN_KEYS[key] = ok
    return ok


def _mapping(
    value: dict[str, Any], first: str, ind: int, lead: str, out: list[str], seen: set[int] | None
) -> None:
    """A block mapping whose keys sit at column ``ind``; its first line starts with
    ``first`` (``- `` of the item holding it), the others with ``ind`` spaces."""
    _track(value, seen)
    prefix = first
    for key, item in value.items():
        if type(key) is not str or not _plain_key(key):
            raise _Slow
        head = lead + prefix + key + ":"
        prefix = " " * ind
        _value(item, head, ind + len(key) + 1, ind, lead, out, seen, in_mapping=True)


def _value(
    item: Any,
    head: str,
    col: int,
    ind: int,
    lead: str,
    out: list[str],
    seen: set[int] | None,
    *,
    in_mapping: bool,
) -> None:
    """``item`` after ``head`` (``key:`` or ``- ``; ``col`` its width in libyaml's columns),
    in a mapping at ``ind`` or a sequence item at ``ind`` (libyaml's indentation)."""
    kind = type(item)
    if kind is str:
        if "\n" in item:
            lines = _literal(item, ind + 2)
        elif len(item) > FOLD_AT and " " in item:
            lines = _folded(item, ind + 2)
        else:
            lines = _inline(item, col + 1, ind + 2)
        out.append(head + " " + lines[0] + "\n")
        if len(lines) > 1:
            _emit(lines[1:], lead, out)
        return
    if kind is list:
        _track(item, seen)
        if not item:
            out.append(head + " []\n")
            return
        if in_mapping:  # an indentless list under the key; _indent_lists indents it
            out.append(head + "\n")
            sub_lead = lead + "  "
            for element in item:
                _value(
                    element,
                    sub_lead + " " * ind + "-",
                    ind + 1,
                    ind,
                    sub_lead,
                    out,
                    seen,
                    in_mapping=False,
                )
        else:  # a list in a list: its first item on the same line
            first = True
            for element in item:
                start = head + " -" if first else lead + " " * (ind + 2) + "-"
                first = False
                _value(element, start, ind + 3, ind + 2, lead, out, seen, in_mapping=False)
        return
    if kind is dict:
        if not item:
            _track(item, seen)
            out.append(head + " {}\n")
            return
        if in_mapping:
            raise _Slow  # a mapping under a key: not written by imports
        _mapping(item, head[len(lead) :] + " ", ind + 2, lead, out, seen)
        return
    out.append(head + " " + _scalar(item) + "\n")


class Clash(Exception):
    """The import would overwrite a file or a question id."""


@dataclass
class WritePlan:
    root: Path
    #: bank-relative path → full new text
    files: dict[str, str] = field(default_factory=dict)
    media: dict[str, bytes] = field(default_factory=dict)
    created_manifest: bool = False
    replaced: list[str] = field(default_factory=list)
    #: topics (key → title) that the bank's taxonomy lacks
    missing_topics: dict[str, str] = field(default_factory=dict)
    #: topic key → title, for every imported category
    topics: dict[str, str] = field(default_factory=dict)


def plan(
    result: ImportResult,
    root: Path,
    *,
    source_name: str,
    fmt: str,
    topic: str | None = None,
    update: bool = False,
    title: str | None = None,
) -> WritePlan:
    """Decide every file to write; raise :class:`Clash` before anything is written."""
    # the YAML of tens of thousands of questions is hundreds of thousands of small acyclic
    # objects: the cyclic collector would scan them (and the import result) for nothing
    with paused():
        return _plan(
            result, root, source_name=source_name, fmt=fmt, topic=topic, update=update, title=title
        )


def _plan(
    result: ImportResult,
    root: Path,
    *,
    source_name: str,
    fmt: str,
    topic: str | None,
    update: bool,
    title: str | None,
) -> WritePlan:
    out = WritePlan(root=root)
    existing_ids, existing_files, taxonomy, has_manifest = _existing(root)

    groups: dict[str, list[Imported]] = {}
    file_topic: dict[str, str | None] = {}
    categories: dict[tuple[tuple[str, ...], str | None], tuple[str, str]] = {}
    for q in result.questions:
        if topic is not None:
            key: str | None = topic
            rel = (topic_key(tuple(topic.split("/"))) or "imported") + ".yaml"
        elif q.category:
            # questions come in runs of one category: work out its topic and file once
            seen = categories.get((q.category, q.category_key))
            if seen is None:
                seen = categories[q.category, q.category_key] = _category(q, out.topics)
            key, rel = seen
        elif q.data.get("topic"):
            key = None  # the question carries its own topic (a spreadsheet's column)
            own = str(q.data["topic"])
            rel = (topic_key(tuple(own.split("/"))) or "imported") + ".yaml"
            out.topics.setdefault(own, own)
        else:
            key = None
            rel = (clean_id(Path(q.file).stem) or "imported") + ".yaml"
        groups.setdefault(rel, []).append(q)
        file_topic[rel] = key
    if topic is not None:
        out.topics.setdefault(topic, topic)

    # ids: a clash with the bank is an error, or (update) a replacement in place
    replacements: dict[str, dict[int, tuple[int, Imported]]] = {}
    for q in result.questions:
        qid = q.data["id"]
        if qid in existing_ids:
            file, line, end = existing_ids[qid]
            if not update:
                raise Clash(
                    f"id `{qid}` ({q.file}:{q.where}) is already in the bank at {file}:{line}; "
                    "use --update to replace it, or --prefix P to import under other ids"
                )
            replacements.setdefault(file, {})[line] = (end, q)
            out.replaced.append(qid)
    replaced_ids = set(out.replaced)

    for rel, questions in groups.items():
        new = [q for q in questions if q.data["id"] not in replaced_ids]
        if not new:
            continue
        sources = ", ".join(dict.fromkeys(q.file for q in new))
        header = [f"Imported by `qbank import {fmt}` from {sources}."]
        cats = {"/".join(q.category) for q in new if q.category}
        if cats and topic is None:
            header.append(f"Category: {sorted(cats)[0]}")
        defaults = {"topic": file_topic[rel]} if file_topic[rel] else None
        if rel in existing_files or (root / rel).exists():
            if not update:
                raise Clash(
                    f"{rel} already exists in the bank and would receive "
                    f"{len(new)} question(s) from {new[0].file}; use --update to add them "
                    "to it, or --topic T to import into another file"
                )
            text = (root / rel).read_text(encoding="utf-8")
            if not text.endswith("\n"):
                text += "\n"
            out.files[rel] = text + "\n" + question_items(new)
        else:
            out.files[rel] = question_file(new, header=header, defaults=defaults)

    for file, by_line in replacements.items():
        base = out.files.get(file)
        text = base if base is not None else (root / file).read_text(encoding="utf-8")
        out.files[file] = _splice(text, by_line)

    for path, data in result.media.items():
        target = root / path
        if target.exists() and target.read_bytes() != data:  # pragma: no cover - sha clash
            raise Clash(f"{path} exists with other content")
        if not target.exists():
            out.media[path] = data

    if not has_manifest:
        out.created_manifest = True
        bank_id = clean_id(root.resolve().name) or "imported"
        manifest: dict[str, Any] = {"id": bank_id, "title": title or root.resolve().name}
        if out.topics:
            manifest["topics"] = dict(sorted(out.topics.items()))
        intro = (
            f"# qbank bank manifest, created by `qbank import {fmt}` from {source_name}.\n"
            "# `id` is stable forever: exports derive their identifiers from it.\n"
        )
        out.files[MANIFEST] = intro + dump_value(manifest)
    elif taxonomy:
        out.missing_topics = {k: v for k, v in out.topics.items() if k not in taxonomy}
    return out


def _category(q: Imported, topics: dict[str, str]) -> tuple[str, str]:
    """(topic key, file) of a question's category; its taxonomy titles go into ``topics``."""
    if q.category_key:
        key = q.category_key
        for k, title in category_titles(q.category, key).items():
            topics.setdefault(k, title)
        return key, topic_key(tuple(key.split("/"))) + ".yaml"
    key = topic_key(q.category)
    acc: list[str] = []
    for part in q.category:
        acc.append(part)
        topics.setdefault(topic_key(tuple(acc)), part)
    return key, key + ".yaml"


def _splice(text: str, by_line: dict[int, tuple[int, Imported]]) -> str:
    """Replace the questions starting at the given lines (1-based, ``(end, question)``)."""
    lines = text.splitlines(keepends=True)
    for start in sorted(by_line, reverse=True):
        end, q = by_line[start]
        first = lines[start - 1]
        indent = first[: len(first) - len(first.lstrip(" "))]
        block = question_items([q], indent=indent)
        if not first.lstrip(" ").startswith("- "):  # a one-question file
            block = "".join(
                line[len(indent) + 2 :] if i == 0 or line.startswith(indent + "  ") else line
                for i, line in enumerate(block.splitlines(keepends=True))
            )
        lines[start - 1 : end] = [block]
    return "".join(lines)


def _existing(root: Path) -> tuple[dict[str, tuple[str, int, int]], set[str], dict[str, str], bool]:
    """(id → (file, first line, last line), files, taxonomy, manifest exists)."""
    if not (root / MANIFEST).is_file():
        files = (
            {p.relative_to(root).as_posix() for p in root.rglob("*.y*ml")}
            if root.is_dir()
            else set()
        )
        return {}, files, {}, False
    from qbank.load import load_bank

    bank = load_bank(root)
    ids: dict[str, tuple[str, int, int]] = {}
    by_file: dict[str, list[Any]] = {}
    for q in bank.questions:
        by_file.setdefault(q.file, []).append(q)
    for file, qs in by_file.items():
        src = bank.files.get(file)
        total = len(src.lines) if src is not None else 0
        starts = sorted(q.location.line for q in qs)
        for q in qs:
            start = q.location.line
            # a list item starts at its `- ` line; the question runs to the next one
            later = [s for s in starts if s > start]
            end = (later[0] - 1) if later else total
            if src is not None:
                while end > start and not src.lines[end - 1].strip():
                    end -= 1
                if later:
                    # keep comments that belong to the next question with it
                    while end > start and src.lines[end - 1].lstrip().startswith("#"):
                        end -= 1
            ids[q.id] = (file, start, end)  # in a list, the `- ` line is the first key's
    taxonomy = dict(bank.manifest.topics) if bank.manifest else {}
    return ids, set(bank.files), taxonomy, True


def write(plan_: WritePlan) -> list[str]:
    """Write the planned files (atomically); returns the bank-relative paths written. Each
    folder is swept for stale temporary files once (:func:`qbank.fsutil.sweep_once`)."""
    written: list[str] = []
    with sweep_once():
        for rel, data in sorted(plan_.media.items()):
            atomic_write_bytes(plan_.root / rel, data)
            written.append(rel)
        for rel, text in plan_.files.items():
            atomic_write_text(plan_.root / rel, text)
            written.append(rel)
    return written
