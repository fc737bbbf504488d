"""``qbank init`` and ``qbank new``: start a bank, add a question from a template.

The templates are package data under ``qbank/scaffold/templates/``: ``bank/`` is copied by
:func:`init_bank` (a ``dot-`` prefix becomes ``.``, so no packaging tool drops hidden files),
``new/<type>.yaml`` is one commented question per type for :func:`new_question`.
Placeholders are ``{{NAME}}`` in capitals; anything else (GitHub's ``${{ github.… }}``,
cloze blanks) is left as written.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from qbank.fsutil import atomic_write_text, rewrite_text
from qbank.version import __version__

__all__ = [
    "SCHEMA_FILES",
    "ScaffoldError",
    "init_bank",
    "new_question",
    "slug",
    "write_schemas",
]

_PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")
#: the schemas written for editors, relative to the bank root (see dot-vscode/settings.json)
SCHEMA_FILES = {
    "question": ".qbank/schemas/question.json",
    "manifest": ".qbank/schemas/manifest.json",
    "quiz": ".qbank/schemas/quiz.json",
}
_PLAIN_TITLE = re.compile(r"[A-Za-z][A-Za-z0-9 ,.()/'–-]*")


class ScaffoldError(ValueError):
    """A scaffold request that cannot be carried out (a usage error: exit 2)."""


def _templates() -> Traversable:
    return resources.files("qbank.scaffold") / "templates"


def _fill(text: str, values: dict[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        return values.get(m.group(1), m.group(0))

    return _PLACEHOLDER.sub(sub, text)


def slug(name: str) -> str:
    """A valid bank or question id from a folder name (``My Course`` → ``my-course``)."""
    out = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-._")
    return out or "bank"


def _yaml_text(value: str) -> str:
    """``value`` as a YAML scalar: plain when that is unambiguous, else double-quoted."""
    return value if _PLAIN_TITLE.fullmatch(value) else json.dumps(value, ensure_ascii=False)


def _walk(node: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    out: list[tuple[str, Traversable]] = []
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        name = child.name
        if name == "__pycache__":
            continue
        shown = "." + name[len("dot-") :] if name.startswith("dot-") else name
        rel = f"{prefix}{shown}"
        if child.is_dir():
            out.extend(_walk(child, rel + "/"))
        else:
            out.append((rel, child))
    return out


def write_schemas(root: Path) -> list[Path]:
    """Write (or refresh) the JSON Schemas editors read; returns the paths written."""
    from qbank.model import manifest_schema, question_file_schema, quiz_schema

    build = {"question": question_file_schema, "manifest": manifest_schema, "quiz": quiz_schema}
    written = []
    for kind, rel in SCHEMA_FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(build[kind](), indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written


def init_bank(target: Path, *, title: str | None = None, bank_id: str | None = None) -> list[Path]:
    """Create a new bank in ``target`` (created if missing). Never overwrites a file.

    Raises :class:`ScaffoldError` listing the files that already exist.
    """
    target = Path(target)
    name = target.resolve().name
    title = title or name.replace("-", " ").replace("_", " ").strip().capitalize() or "My bank"
    bank_id = bank_id or slug(name)
    if slug(bank_id) != bank_id:
        raise ScaffoldError(
            f"bank id {bank_id!r} is not valid: use lower-case letters, digits, '.', '_' or '-'"
        )
    values = {
        "BANK_ID": bank_id,
        "TITLE": title,
        "TITLE_YAML": _yaml_text(title),
        "DESCRIPTION": _yaml_text(f"Questions for {title}."),
        "VERSION": __version__,
    }
    files = _walk(_templates() / "bank")
    planned = [rel for rel, _ in files] + list(SCHEMA_FILES.values())
    existing = [rel for rel in planned if (target / rel).exists()]
    if existing:
        raise ScaffoldError(
            f"{target} already has {', '.join(existing)}; qbank init never overwrites files "
            "(choose an empty folder)"
        )
    written = []
    for rel, source in files:
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, _fill(source.read_text(encoding="utf-8"), values))
        written.append(path)
    written.extend(write_schemas(target))
    return written


# -- qbank new ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewQuestion:
    path: Path
    id: str
    line: int


def template(qtype: str) -> str:
    node = _templates() / "new" / f"{qtype}.yaml"
    if not node.is_file():
        raise ScaffoldError(f"no template for question type {qtype!r}")
    return node.read_text(encoding="utf-8")


_ID_LINE = re.compile(r"^\s*(?:-\s+)?id:\s*['\"]?([A-Za-z0-9._-]+)", re.M)


def fresh_id(qtype: str, taken: set[str]) -> str:
    """``TYPE-N`` with the smallest N not in ``taken``."""
    n = 1
    while f"{qtype}-{n}" in taken:
        n += 1
    return f"{qtype}-{n}"


def ids_in_bank(root: Path) -> set[str]:
    """Every id written in the bank's files, valid questions or not (a cheap text scan)."""
    from qbank.load import iter_yaml_files

    taken: set[str] = set()
    for path in iter_yaml_files(root):
        try:
            taken.update(_ID_LINE.findall(path.read_text(encoding="utf-8", errors="replace")))
        except OSError:
            continue
    return taken


def _item_indent(text: str) -> str | None:
    """Indentation of the ``- `` items under a top-level ``questions:`` key, or None."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"questions\s*:\s*(#.*)?$", line):
            for nxt in lines[i + 1 :]:
                m = re.match(r"(\s*)-(\s|$)", nxt)
                if m:
                    return m.group(1)
                if nxt.strip() and not nxt.lstrip().startswith("#"):
                    return None
            return "  "
        if re.match(r"questions\s*:\s*\[\s*\]\s*$", line):
            return None
    return None


def new_question(root: Path, qtype: str, *, file: Path, topic: str | None = None) -> NewQuestion:
    """Append a commented template question of ``qtype`` with a fresh id to ``file``.

    ``file`` is created (with ``questions:``) when missing; an existing file must hold its
    questions under a top-level ``questions:`` list.
    """
    from qbank.load import load_bytes

    qid = fresh_id(qtype, ids_in_bank(root))
    body = template(qtype)
    topic_line = f"  topic: {json.dumps(topic, ensure_ascii=False)}\n" if topic else ""
    body = _fill(body, {"ID": qid, "TOPIC": topic_line})
    newline = "\n"
    if file.exists():
        # bytes, not read_text: universal newlines would turn a CRLF file into LF
        old = file.read_bytes().decode("utf-8")
        if "\r\n" in old:
            newline = "\r\n"  # keep the author's line endings
            old = old.replace("\r\n", "\n")
        indent = _item_indent(old)
        if indent is None:
            if re.search(r"^questions\s*:\s*[\[{]", old, re.MULTILINE):
                raise ScaffoldError(
                    f"{file} writes its questions in flow style (`questions: [...]`); "
                    "qbank new appends to a block list (`questions:` then `- ` items): "
                    "rewrite it in block style or give another file with --file"
                )
            raise ScaffoldError(
                f"{file} does not list its questions under a top-level `questions:` key; "
                "give another file with --file"
            )
        prefix = old if old.endswith("\n") or not old else old + "\n"
        if prefix.strip():
            prefix += "\n"
    else:
        indent = "  "
        prefix = "questions:\n"
        schema = root / SCHEMA_FILES["question"]
        if schema.is_file():
            rel = Path(os.path.relpath(schema, file.parent)).as_posix()
            prefix = f"# yaml-language-server: $schema={rel}\n" + prefix
    block = "".join(indent + line if line.strip() else line for line in body.splitlines(True))
    new_text = prefix + block
    _, problems = load_bytes(new_text.encode("utf-8"), file.name)
    broken = [p for p in problems if p.rule in ("QB001", "QB002", "QB008")]
    if broken:
        p = broken[0]
        raise ScaffoldError(
            f"appending to {file} would break it ({p.rule} at line {p.location.line}: "
            f"{p.message}); fix the file first or give another one with --file"
        )
    file.parent.mkdir(parents=True, exist_ok=True)
    rewrite_text(file, new_text.replace("\n", newline))
    line = new_text.count("\n", 0, new_text.index(f"id: {qid}")) + 1
    return NewQuestion(path=file, id=qid, line=line)
