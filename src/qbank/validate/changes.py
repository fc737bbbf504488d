"""Which questions a pull request added or changed: ``qbank validate --changed-since REV``.

Pull-request mode compares only these questions with the whole bank for duplicates, which
is exact and takes seconds even at 100,000 questions (``notes/dedup.md``). A question counts
as changed when its id is new since REV or its content differs: both versions are loaded
with the same loader and compared as canonical JSON of the model, so re-indenting a file,
moving a question to another file or editing a comment changes nothing, while a changed
file-level default (``topic:``) changes every question that inherits it.

git runs as a subprocess (no shell) in the bank folder: ``git diff`` lists the YAML files
that differ from REV (committed, staged or not), ``git ls-files --others`` the new untracked
ones, and ``git show REV:path`` gives each file's old version. A missing git, a bank outside
a repository or an unknown REV raise :class:`ChangesError`, a ``ValueError`` whose message
says what to do (the CLI turns it into a usage error, exit 2).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from qbank.load import MANIFEST_NAME, QUIZ_DIR, YAML_SUFFIXES, load_bytes

if TYPE_CHECKING:
    from qbank.load import Bank
    from qbank.model import AnyQuestion

__all__ = ["ChangesError", "changed_files", "changed_question_ids", "changes"]


class ChangesError(ValueError):
    """``--changed-since`` cannot be answered: no git, no repository, or an unknown REV."""


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    try:
        proc = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=root,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError as exc:
        raise ChangesError("git is not installed; --changed-since needs it") from exc
    if check and proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ChangesError(f"git {args[0]} failed: {detail[-1] if detail else proc.returncode}")
    return proc


def _is_question_file(rel: str) -> bool:
    return (
        rel.endswith(YAML_SUFFIXES)
        and rel != MANIFEST_NAME
        and not rel.startswith(QUIZ_DIR + "/")
        and not any(part.startswith(".") for part in rel.split("/"))
    )


def _check_repository(root: Path, rev: str) -> None:
    inside = _git(root, "rev-parse", "--is-inside-work-tree", check=False)
    if inside.returncode != 0 or inside.stdout.strip() != b"true":
        raise ChangesError(
            f"{root} is not inside a git repository: --changed-since REV compares with a git "
            "revision (run without it for a full scan)"
        )
    if rev.startswith("-"):
        raise ChangesError(f"`{rev}` is not a git revision")
    found = _git(
        root,
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        f"{rev}^{{commit}}",
        check=False,
    )
    if found.returncode != 0:
        raise ChangesError(
            f"unknown git revision `{rev}`: use a branch, tag or commit that exists here "
            "(in CI, fetch it first, e.g. `git fetch origin main` and `origin/main`)"
        )


def changed_files(root: Path, rev: str) -> tuple[list[str], list[str]]:
    """Question files (bank-relative, ``/``-separated) that differ from ``rev``:
    (now present: modified, added or untracked; present at ``rev`` but changed or deleted)."""
    root = Path(root)
    _check_repository(root, rev)
    diff = _git(
        root,
        "diff",
        "--name-status",
        "-z",
        "--no-renames",
        "--relative",
        "--end-of-options",
        rev,
        "--",
        ".",
    ).stdout.decode("utf-8", "surrogateescape")
    fields = [f for f in diff.split("\0") if f]
    now: set[str] = set()
    before: set[str] = set()
    for status, path in zip(fields[::2], fields[1::2], strict=False):
        if not _is_question_file(path):
            continue
        if status[:1] != "D":
            now.add(path)
        if status[:1] != "A":
            before.add(path)
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z", "--", ".").stdout
    for path in untracked.decode("utf-8", "surrogateescape").split("\0"):
        if path and _is_question_file(path):
            now.add(path)
    return sorted(now), sorted(before)


def canonical(question: AnyQuestion) -> str:
    """The question's content as canonical JSON: equal exactly when nothing an export or a
    check sees has changed."""
    return json.dumps(question.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)


def changed_question_ids(bank: Bank, rev: str) -> set[str]:
    """Ids of the bank's questions that are new or changed since git revision ``rev``."""
    return changes(bank, rev)[0]


def changes(bank: Bank, rev: str) -> tuple[set[str], set[str]]:
    """(ids of the questions that are new or changed since ``rev``, the question files that
    differ from ``rev``).

    Only files git reports as different are read, so the cost follows the size of the pull
    request, not of the bank. Both versions of each such file are read as plain data with
    libyaml and compared question by question (with the file's defaults, which every
    question inherits); a file that does not read as plain data falls back to comparing the
    loaded models as canonical JSON.
    """
    root = Path(bank.root)
    now, before = changed_files(root, rev)
    current = set(now)
    old_raw: dict[str, bytes] = {}
    for rel in before:
        shown = _git(root, "show", f"{rev}:./{rel}", check=False)
        if shown.returncode == 0:  # else not a file at rev (e.g. a folder replaced by a file)
            old_raw[rel] = shown.stdout
    fast = _changed_plain(root, now, old_raw)
    if fast is not None:
        ids = {q.id for q in bank.questions if q.id in fast and q.file in current}
        return ids, current
    old: dict[str, set[str]] = {}
    for rel, data in old_raw.items():
        questions, _ = load_bytes(data, rel)
        for q in questions:
            old.setdefault(q.id, set()).add(canonical(q))
    ids = {
        q.id
        for q in bank.questions
        if q.file in current and canonical(q) not in old.get(q.id, set())
    }
    return ids, current


def _records(data: bytes) -> dict[str, set[str]] | None:
    """Each question of a file's bytes as canonical JSON of (file defaults, question), by
    id; None when the file is not a question file libyaml reads as plain data."""
    import yaml

    try:
        doc = yaml.load(data.decode("utf-8-sig"), Loader=yaml.CSafeLoader)
    except (yaml.YAMLError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(doc, dict):
        return None
    if "questions" in doc:
        questions = doc["questions"]
        defaults = {k: v for k, v in doc.items() if k != "questions"}
    else:
        questions, defaults = [doc], {}
    if not isinstance(questions, list):
        return None
    out: dict[str, set[str]] = {}
    for q in questions:
        if not isinstance(q, dict) or not isinstance(q.get("id"), str):
            return None
        record = json.dumps([defaults, q], sort_keys=True, ensure_ascii=False, default=str)
        out.setdefault(q["id"], set()).add(record)
    return out


def _changed_plain(root: Path, now: list[str], old_raw: dict[str, bytes]) -> set[str] | None:
    """Ids whose plain-data record in the files ``now`` is not among the old records."""
    old: dict[str, set[str]] = {}
    for data in old_raw.values():
        records = _records(data)
        if records is None:
            return None
        for qid, found in records.items():
            old.setdefault(qid, set()).update(found)
    changed: set[str] = set()
    for rel in now:
        try:
            data = (root / rel).read_bytes()
        except OSError:
            return None
        records = _records(data)
        if records is None:
            return None
        for qid, found in records.items():
            if not found <= old.get(qid, set()):
                changed.add(qid)
    return changed
