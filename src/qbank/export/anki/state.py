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

from qbank.fsutil import UnsafeInput, display, read_bounded

if TYPE_CHECKING:
    from qbank.load import Bank

STATE_FORMAT = "qbank-anki-state/1"
#: where the CLI keeps the state file unless told otherwise (commit it with the bank)
STATE_RELPATH = Path(".qbank") / "anki-state.json"


class AnkiStateError(ValueError):
    """The state file cannot be read (e.g. merge-conflict markers): fix it or delete it."""


#: a state file holds one short line per question: 64 MiB is millions of questions
MAX_STATE_BYTES = 64 * 1024 * 1024
#: note times are epoch seconds: anything past the year 5138 is not a time
MAX_TIME = 10**11


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a time")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 12:
        raise ValueError(f"the number {text[:20]}… is not a time")
    return int(text)


def _time(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{value!r} is not a time in whole seconds")
    if not 0 <= value < MAX_TIME:
        raise ValueError(f"{value} is out of range for a time")
    return value


def _digest_text(value: object) -> str:
    if not isinstance(value, str) or len(value) > 64:
        raise ValueError(f"{str(value)[:40]!r} is not a content digest")
    return value


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
        if not os.path.lexists(path):
            return cls()
        try:
            raw = read_bounded(path, limit=MAX_STATE_BYTES)
            text = raw.decode("utf-8")
        except UnsafeInput as exc:
            raise AnkiStateError(
                f"{display(path)}: not read as the Anki state file: {exc}"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise AnkiStateError(
                f"{display(path)}: cannot read the Anki state file: {exc}"
            ) from None
        try:
            data = json.loads(text, parse_constant=_no_constant, parse_int=_bounded_int)
        except json.JSONDecodeError as exc:
            raise AnkiStateError(
                f"{display(path)}:{exc.lineno}:{exc.colno}: the Anki state file is not valid "
                f"JSON ({exc.msg}); resolve the merge conflict or restore it from git "
                "(deleting it makes every note look changed)"
            ) from None
        except RecursionError:
            raise AnkiStateError(
                f"{display(path)}: not a qbank Anki state file (nested too deeply); restore it "
                "from git or delete it"
            ) from None
        except ValueError as exc:
            raise AnkiStateError(
                f"{display(path)}: not a qbank Anki state file ({exc}); restore it from git or "
                "delete it"
            ) from None
        try:
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            if data.get("format") != STATE_FORMAT:
                raise ValueError(f"unknown format {data.get('format')!r}")
            notes = {
                str(k): (_digest_text(v[0]), _time(v[1]))
                for k, v in dict(data.get("notes") or {}).items()
            }
            tmpl = data.get("templates")
            templates = (_digest_text(tmpl[0]), _time(tmpl[1])) if tmpl else None
        except (AttributeError, TypeError, ValueError, IndexError, KeyError) as exc:
            raise AnkiStateError(
                f"{display(path)}: not a qbank Anki state file ({exc}); restore it from git or "
                "delete it"
            ) from None
        return cls(notes, templates)

    def merge(self, other: State) -> None:
        """Keep ``other``'s entries for questions this state does not know (another export
        of a different selection wrote them): the state file is merged, never replaced."""
        for qid, entry in other.notes.items():
            self.notes.setdefault(qid, entry)

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
