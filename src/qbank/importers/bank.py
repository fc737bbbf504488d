"""Write imported questions into a bank: one file per category, media by content hash.

The YAML is in qbank's own style: a ``questions:`` list indented as in the sample bank,
keys in a fixed order, long text as block scalars (``|`` keeps line breaks, ``>-`` folds a
long line), quoted wherever a YAML 1.1 tool would read something else than the text
(``"no"``, ``"0.10"``, ``"010"``, ``"12:30"``), and ``#`` comments for what the source had
that qbank keeps only as a note. PyYAML's emitter picks a safe style for any string, so the
output always reads back as exactly the data given.

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

from qbank.fsutil import atomic_write_bytes, atomic_write_text
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


def ordered(question: dict[str, Any]) -> dict[str, Any]:
    """The question's keys in qbank's order; options as ``{text, correct, feedback}``."""
    out: dict[str, Any] = {}
    for key in sorted(question, key=lambda k: (_RANK.get(k, len(_RANK)), k)):
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
    """The ``- id: …`` items of a ``questions:`` list, each under its notes."""
    if not questions:
        return ""
    dumped = _indent_lists(
        yaml.dump(
            [ordered(q.data) for q in questions],
            Dumper=_Dumper,
            allow_unicode=True,
            sort_keys=False,
            width=WIDTH,
        )
    )
    items: list[list[str]] = []
    for line in dumped.splitlines(keepends=True):
        if line.startswith("- "):
            items.append([])
        items[-1].append(line)
    parts: list[str] = []
    for i, (q, lines) in enumerate(zip(questions, items, strict=True)):
        if i:
            parts.append("\n")
        parts.append(_comment(q.notes, indent))
        parts.append("".join(indent + line if line.strip() else line for line in lines))
    return "".join(parts)


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
    """Write the planned files (atomically); returns the bank-relative paths written."""
    written: list[str] = []
    for rel, data in sorted(plan_.media.items()):
        atomic_write_bytes(plan_.root / rel, data)
        written.append(rel)
    for rel, text in plan_.files.items():
        atomic_write_text(plan_.root / rel, text)
        written.append(rel)
    return written
