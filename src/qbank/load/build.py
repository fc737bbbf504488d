"""Plain data → models: the questions of a question file (file-level defaults applied), the
bank manifest and quizzes, each model linked to its :class:`~qbank.source.SourceFile`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from qbank.diagnostics import Location, Problem, problem
from qbank.load.data import to_data
from qbank.load.fastpath import validate_question
from qbank.load.reading import MANIFEST_NAME, read_source
from qbank.load.schema_errors import schema_problems
from qbank.model import (
    FILE_DEFAULT_KEYS,
    AnyQuestion,
    Manifest,
    QuestionFile,
    Quiz,
)
from qbank.source import SourceFile


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
            problems.extend(schema_problems(exc, src, (), model=QuestionFile))
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
        try:
            # the model, with what ``q._source = src; q._path = path`` would set (without
            # pydantic's __setattr__; model.py reads them from ``__pydantic_private__``)
            q = validate_question(raw, {"_source": src, "_path": path})
        except ValidationError as exc:
            qid = item.get("id") if isinstance(item.get("id"), str) else None
            problems.extend(schema_problems(exc, src, path, question_id=qid))
            if qid:
                invalid.append(qid)
            continue
        questions.append(q)
    return questions, problems, invalid


def load_manifest(root: Path) -> tuple[Manifest | None, SourceFile | None, list[Problem]]:
    path = root / MANIFEST_NAME
    if not os.path.lexists(path) or path.is_dir():
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
    src, problems = read_source(path, MANIFEST_NAME, root=root)
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
        problems.extend(schema_problems(exc, src, (), model=Manifest))
        return None, src, problems
    return manifest, src, problems


def load_quiz(src: SourceFile, data: Any) -> tuple[Quiz | None, list[Problem]]:
    if not isinstance(data, dict):
        return None, [problem("QB103", "a quiz file must be a mapping", src.location(()))]
    try:
        quiz = Quiz.model_validate(data)
    except ValidationError as exc:
        return None, schema_problems(exc, src, (), model=Quiz)
    quiz._source = src
    return quiz, []
