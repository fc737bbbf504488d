"""Read a bank from disk: YAML → plain text data → pydantic models, with exact source spans.

Nothing a file contains raises: every failure becomes a :class:`~qbank.diagnostics.Problem`
with file, line, column and rule id (QB0xx for files and YAML, QB1xx for fields).

* :mod:`qbank.source` (a layer below) — composing without YAML 1.1 typing, ``SourceFile``
  and its spans;
* :mod:`~qbank.load.reading` — one file: size, bytes → text → node tree; discovering files;
* :mod:`~qbank.load.data` — node tree → plain data (aliases, duplicate keys, retyping);
* :mod:`~qbank.load.schema_errors` — pydantic errors → QB1xx problems;
* :mod:`~qbank.load.fastpath` — the lean question validator (the full one decides what it rejects);
* :mod:`~qbank.load.build` — plain data → questions, the manifest and quizzes;
* :mod:`~qbank.load.bank` — :class:`Bank`, :func:`load_bank`, :func:`load_text`,
  :func:`load_bytes`.
"""

from __future__ import annotations

from qbank.load.bank import Bank, load_bank, load_bytes, load_text
from qbank.load.build import load_manifest, load_question_file, load_quiz
from qbank.load.data import to_data, yaml11_tag
from qbank.load.reading import (
    MANIFEST_NAME,
    MAX_FILE_BYTES,
    QUIZ_DIR,
    YAML_SUFFIXES,
    iter_yaml_files,
    read_source,
)
from qbank.load.rules import files as _files_rules  # noqa: F401  (registers QB0xx)
from qbank.load.rules import schema as _schema_rules  # noqa: F401  (registers QB1xx)
from qbank.source import SourceFile, Suppression

__all__ = [
    "MANIFEST_NAME",
    "MAX_FILE_BYTES",
    "QUIZ_DIR",
    "YAML_SUFFIXES",
    "Bank",
    "SourceFile",
    "Suppression",
    "iter_yaml_files",
    "load_bank",
    "load_bytes",
    "load_manifest",
    "load_question_file",
    "load_quiz",
    "load_text",
    "read_source",
    "to_data",
    "yaml11_tag",
]
