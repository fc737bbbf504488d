"""The state file: when each note's content (and the note types) last changed.

Question id → [content digest, epoch seconds], one line per question, committed with the
bank (see :mod:`qbank.export.anki`). Same bank + state → same times → the same package.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qbank.load import Bank

STATE_FORMAT = "qbank-anki-state/1"
#: where the CLI keeps the state file unless told otherwise (commit it with the bank)
STATE_RELPATH = Path(".qbank") / "anki-state.json"


class AnkiStateError(ValueError):
    """The state file cannot be read (e.g. merge-conflict markers): fix it or delete it."""


def digest(parts: Iterable[str]) -> str:
    """First 128 bits of SHA-256, hex: plenty to tell two versions of one note apart."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def default_state_path(bank: Bank) -> Path:
    """``<bank>/.qbank/anki-state.json``: commit it with the bank."""
    return bank.root / STATE_RELPATH


def current_time() -> int:
    """``SOURCE_DATE_EPOCH`` when set (reproducible builds), else the clock."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        try:
            return int(raw)
        except ValueError:
            raise AnkiStateError(f"SOURCE_DATE_EPOCH must be whole seconds, got {raw!r}") from None
    return int(time.time())


@dataclass
class State:
    """When each note's content (and the note types) last changed. See the module doc."""

    notes: dict[str, tuple[str, int]] = field(default_factory=dict)
    templates: tuple[str, int] | None = None
    changed: bool = False

    @classmethod
    def read(cls, path: Path) -> State:
        if not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise AnkiStateError(f"{path}: cannot read the Anki state file: {exc}") from None
        except json.JSONDecodeError as exc:
            raise AnkiStateError(
                f"{path}:{exc.lineno}:{exc.colno}: the Anki state file is not valid JSON "
                f"({exc.msg}); resolve the merge conflict or restore it from git "
                "(deleting it makes every note look changed)"
            ) from None
        try:
            if data.get("format") != STATE_FORMAT:
                raise ValueError(f"unknown format {data.get('format')!r}")
            notes = {
                str(k): (str(v[0]), int(v[1])) for k, v in dict(data.get("notes") or {}).items()
            }
            tmpl = data.get("templates")
            templates = (str(tmpl[0]), int(tmpl[1])) if tmpl else None
        except (AttributeError, TypeError, ValueError, IndexError, KeyError) as exc:
            raise AnkiStateError(
                f"{path}: not a qbank Anki state file ({exc}); restore it from git or delete it"
            ) from None
        return cls(notes, templates)

    @staticmethod
    def _next(prev: tuple[str, int] | None, digest: str, now: int) -> tuple[str, int]:
        if prev is not None and prev[0] == digest:
            return prev
        return digest, now if prev is None else max(now, prev[1] + 1)

    def stamp(self, question_id: str, digest: str, now: int) -> int:
        """The note's mtime: unchanged content keeps its time, changed content moves on."""
        prev = self.notes.get(question_id)
        entry = self._next(prev, digest, now)
        if entry is not prev:
            self.notes[question_id] = entry
            self.changed = True
        return entry[1]

    def stamp_templates(self, digest: str, now: int) -> int:
        entry = self._next(self.templates, digest, now)
        if entry is not self.templates:
            self.templates = entry
            self.changed = True
        return entry[1]

    def dumps(self) -> str:
        """One line per question, sorted: small diffs, and concurrent edits of different
        questions merge cleanly in git."""
        lines = [
            "{",
            f'  "format": "{STATE_FORMAT}",',
            '  "about": "qbank export anki: when each note last changed. Commit this file.",',
        ]
        if self.templates is not None:
            lines.append(f'  "templates": {json.dumps(list(self.templates))},')
        body = [
            f"    {json.dumps(k)}: {json.dumps(list(v))}" for k, v in sorted(self.notes.items())
        ]
        lines.append('  "notes": {' + ("\n" + ",\n".join(body) + "\n  }" if body else "}"))
        lines.append("}")
        return "\n".join(lines) + "\n"
