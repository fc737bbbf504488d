"""Package writing: the SQLite collection and the ``.apkg`` zip, reproducible.

genanki writes the collection's schema, note types and decks into an in-memory SQLite
database; notes and cards are inserted in bulk in genanki's row layout, each with its own
mtime; the database is zipped with fixed entry dates and modes.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import genanki

from qbank.export.anki.models import ModelSpec, NoteType, note_guid, stable_id
from qbank.model import AnyQuestion

#: a fixed date for every zip entry (the zip format cannot express 1970)
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass
class BuiltNote:
    spec: ModelSpec
    question: AnyQuestion
    fields: list[str]
    tags: list[str]
    deck: str
    digest: str
    cards: tuple[int, ...]  # template ords: (0,) or one per cloze number


def collection(
    bank_id: str,
    models: list[NoteType],
    decks: dict[str, list[tuple[BuiltNote, int]]],
    timestamp: int,
) -> bytes:
    """The package's SQLite collection, built in memory (``Package.write_to_file`` leaves a
    temporary database behind in /tmp and stamps everything with one time).

    genanki writes the schema, the collection row, the decks and the note types; the notes
    and cards are then inserted in bulk, in genanki's row layout but each with its own
    mtime (per-object ``genanki.Note`` writing was half the export time of a large bank).
    """
    conn = sqlite3.connect(":memory:")
    try:
        cursor = conn.cursor()
        ids = itertools.count(timestamp * 1000)
        shells = []
        for name in decks:
            deck = genanki.Deck(stable_id(f"qbank/deck/{bank_id}/{name}"), name)
            for model in models:
                deck.add_model(model)
            shells.append(deck)
        genanki.Package(shells).write_to_db(cursor, timestamp, ids)
        notes: list[tuple[Any, ...]] = []
        cards: list[tuple[Any, ...]] = []
        for deck, items in zip(shells, decks.values(), strict=True):
            for b, mtime in items:
                note_id = next(ids)
                notes.append(_note_row(b, note_guid(bank_id, b.question.id), mtime, note_id))
                for ord_ in b.cards:
                    cards.append((next(ids), note_id, deck.deck_id, ord_, mtime, *_CARD_TAIL))
        cursor.executemany("INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?)", notes)
        cursor.executemany("INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", cards)
        conn.commit()
        return conn.serialize()
    finally:
        conn.close()


#: usn, type, queue, due, ivl, factor, reps, lapses, left, odue, odid, flags, data: a new card
_CARD_TAIL = (-1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "")


def _note_row(b: BuiltNote, guid: str, mtime: int, note_id: int) -> tuple[Any, ...]:
    """A ``notes`` row as genanki writes it: id, guid, mid, mod, usn, tags, flds, sfld,
    csum, flags, data (Anki recomputes the sort field and checksum on import)."""
    tags = " " + " ".join(b.tags) + " "
    return (
        note_id,
        guid,
        b.spec.model_id,
        mtime,
        -1,
        tags,
        "\x1f".join(b.fields),
        b.fields[0],
        0,
        0,
        "",
    )


def write_apkg(
    path: Path,
    database: bytes,
    media: Sequence[str],
    *,
    read: Callable[[str], bytes],
    compress: bool,
) -> None:
    """genanki's package layout (``collection.anki2``, ``media``, ``0``, ``1`` …), made
    reproducible: every zip entry gets a fixed date and mode. ``read`` gives the bytes of
    a media name (bounded: see :meth:`qbank.export.anki.fields.Renderer.media_bytes`)."""
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w") as archive:
        _add(archive, "collection.anki2", database, method)
        names = {str(i): name for i, name in enumerate(media)}
        _add(archive, "media", json.dumps(names).encode("utf-8"), method)
        for i, name in enumerate(media):
            _add(archive, str(i), read(name), zipfile.ZIP_STORED)


def _add(archive: zipfile.ZipFile, name: str, data: bytes, method: int) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = method
    info.external_attr = 0o644 << 16
    info.create_system = 3  # unix, whatever the host
    archive.writestr(info, data, compresslevel=1 if method == zipfile.ZIP_DEFLATED else None)
