"""The loaded bank (:class:`Bank`) and the entry points: :func:`load_bank` for a folder,
:func:`load_text` / :func:`load_bytes` for one file without a bank around it."""

from __future__ import annotations

import gc
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from qbank.diagnostics import Location, Problem, problem
from qbank.gcpause import paused, settle
from qbank.load.build import load_manifest, load_question_file, load_quiz
from qbank.load.data import retyped_problems, to_data
from qbank.load.reading import (
    MANIFEST_NAME,
    MAX_FILE_BYTES,
    QUIZ_DIR,
    decode_and_compose,
    iter_yaml_files,
    read_source,
)
from qbank.model import AnyQuestion, Manifest, Quiz
from qbank.source import SourceFile, compose


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
    #: question entries that failed the schema, with or without an id (for the summary)
    failed_count: int = 0
    #: file → the last line read, for question files whose rest has a YAML error: the
    #: questions before the error are loaded and checked, the ones after it are not
    partial: dict[str, int] = field(default_factory=dict)
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


#: Banks with at most this many characters of YAML keep their node trees after loading:
#: locating a finding then needs no second compose of the file, and dropping the trees costs
#: time too. Keeping them does not raise the peak memory of loading (every tree is alive at
#: its end) and the CLI freezes the loaded bank out of the garbage collector's sight; a
#: 20,000-question bank (9 MB) saves ≈ 0.7 s of CPU in a full validate, where findings in
#: every file would compose each file again. Larger banks drop them (memory for the stages
#: after loading, e.g. duplicate detection) and compose a file again only when one of its
#: fields is located: a pull request's few files.
KEEP_NODES_BYTES = 16_000_000


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
    tally = _Tally()
    # The node trees we keep for spans are many small objects that never form cycles; the
    # cyclic GC would otherwise re-scan them again and again while loading a large bank.
    collecting = gc.isenabled()
    with paused():
        linked: list[str] = []
        for path in iter_yaml_files(root, linked):
            _load_one(
                root, path, files, problems, questions, quizzes, invalid, max_file_bytes, tally
            )
        problems.extend(
            problem(
                "QB011",
                f"`{rel}` is a folder symlink: not followed, the files behind it are not loaded",
                Location(rel),
                hint="move the folder into the bank (a link could loop or leave the bank)",
            )
            for rel in linked
        )
        if sum(len(src.text) for src in files.values()) > KEEP_NODES_BYTES:
            for src in files.values():
                src.release()
        if collecting:
            settle()
    return Bank(
        root=root,
        manifest=manifest,
        questions=questions,
        quizzes=quizzes,
        files=files,
        problems=problems,
        invalid_ids=invalid,
        failed_count=tally.failed,
        partial=tally.partial,
    )


@dataclass
class _Tally:
    """What :func:`load_bank` counts besides questions: failures and partly read files."""

    failed: int = 0
    partial: dict[str, int] = field(default_factory=dict)


#: a question item of a `questions:` list, at the start of a line
_ITEM_RE = re.compile(r"^([ ]*)- ", re.MULTILINE)


def _recover_prefix(src: SourceFile, error_line: int) -> int | None:
    """Compose the questions before a YAML error at ``error_line`` (1-based).

    A pasted 4,000-character case study with a stray colon should not hide the 40 good
    questions above it: the text is cut before the item holding the error and composed
    again. Returns the last line read, or None when nothing before the error composes (the
    error is in the file's header or its first question).
    """
    text = src.text
    top = re.search(r"^questions:[ \t]*(#.*)?$", text, re.MULTILINE)
    if top is None:
        return None
    starts = list(_ITEM_RE.finditer(text, top.end()))
    if not starts:
        return None
    items = [m.start() for m in starts if m.group(1) == starts[0].group(1)]
    before: list[int] = []
    line, pos = 1, 0
    for at in items:
        line, pos = line + text.count("\n", pos, at), at
        if line > error_line:
            break
        before.append(at)
    # the error may be reported a line or two after the item that causes it: step back
    for cut in reversed(before[1:][-3:]):
        try:
            node = compose(text[:cut])
        except (yaml.YAMLError, RecursionError):
            continue
        if node is not None:
            break
    else:
        return None  # the error is in the first question (or before it)
    src.node = node
    src.composed_prefix = cut
    return text.count("\n", 0, cut)


def _load_one(
    root: Path,
    path: Path,
    files: dict[str, SourceFile],
    problems: list[Problem],
    questions: list[AnyQuestion],
    quizzes: dict[str, Quiz],
    invalid: list[str],
    max_file_bytes: int,
    tally: _Tally | None = None,
) -> None:
    """Load one file of the bank into the accumulators."""
    tally = tally if tally is not None else _Tally()
    rel = _rel(path, root)
    if rel == MANIFEST_NAME:
        return
    src, file_problems = read_source(path, rel, max_bytes=max_file_bytes, root=root)
    files[rel] = src
    problems.extend(file_problems)
    if src.node is None:
        syntax = [p for p in file_problems if p.rule == "QB001"]
        if not syntax or rel.startswith(QUIZ_DIR + "/") or src.composed:
            return
        last = _recover_prefix(src, syntax[0].location.line)
        if last is None:
            return
        tally.partial[rel] = last
    data, walk_problems, retyped = to_data(src)
    problems.extend(walk_problems)
    if retyped:
        problems.extend(retyped_problems(src, retyped))
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
    if isinstance(data, dict):
        items = data.get("questions") if "questions" in data else [data]
        if isinstance(items, list):
            tally.failed += max(0, len(items) - len(qs))


def load_text(text: str, rel: str = "questions.yaml") -> tuple[list[AnyQuestion], list[Problem]]:
    """Load questions from a YAML string (tests, editors, fuzzing). Never raises."""
    return load_bytes(text.encode("utf-8", "surrogatepass"), rel)


def load_bytes(data: bytes, rel: str = "questions.yaml") -> tuple[list[AnyQuestion], list[Problem]]:
    """Load the questions of one file's raw bytes without a bank around it. Never raises."""
    src = SourceFile(path=Path(rel), rel=rel)
    problems = decode_and_compose(src, data)
    if src.node is None:
        return [], problems
    parsed, walk_problems, retyped = to_data(src)
    problems.extend(walk_problems)
    problems.extend(retyped_problems(src, retyped))
    if parsed is None:
        return [], problems
    qs, q_problems, _ = load_question_file(src, parsed)
    return qs, problems + q_problems
