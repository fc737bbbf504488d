"""The loaded bank (:class:`Bank`) and the entry points: :func:`load_bank` for a folder,
:func:`load_text` / :func:`load_bytes` for one file without a bank around it."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from pathlib import Path

from qbank.diagnostics import Problem
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
from qbank.source import SourceFile


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
