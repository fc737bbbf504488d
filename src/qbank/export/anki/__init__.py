"""Anki export: decks a learner can re-import forever without losing a review.

A learner imports the deck, studies it for months, then the author fixes a typo and
publishes again. Anki matches an incoming note to the learner's note by GUID and updates it
only when the incoming note's modification time is *newer* (``notes/anki.md`` §2). So:

* **Identity never depends on content.** Note GUID = ``genanki.guid_for("qbank", bank id,
  question id)``; note-type ids and deck ids are hashes of stable, versioned names
  (:func:`~qbank.export.anki.models.stable_id`). Four own note types (choice, cloze, typed answer, basic) whose field
  lists and template names are frozen: a schema change ships as a new model (``…/v2``),
  because Anki treats a changed schema under the same id as a *different* note type.
* **Each note carries the time its own content last changed** — not the export time (that
  would overwrite every learner edit on every import) and not one fixed time (that would
  skip every author edit). The times live in a small JSON *state file*, by default
  ``<bank>/.qbank/anki-state.json``, committed with the bank: question id → [content
  digest, epoch seconds]. When a note's digest (of its rendered fields and tags) changes,
  it gets the time ``max(now, previous + 1)``, where *now* is ``SOURCE_DATE_EPOCH`` when
  set, else the clock; an unchanged note keeps its time. The note types get the same
  treatment keyed by a digest of the template and CSS files, so a restyle propagates; the
  package timestamp is the newest of all these times. Same input (bank + state) → same
  times → a byte-identical package. Without a state file every note carries *now*.
  (Each note type's own ``mod`` is the template time, not the package time, so a
  learner's own restyle survives until the author restyles.)
* **Content** is the markup layer's safe HTML (author strings escaped, raw HTML shown as
  text), maths passed to Anki's MathJax as ``\\( \\)`` / ``\\[ \\]``, code styled by the
  shipped CSS, images bundled under content-hashed names ``qbank-<sha256[:16]>.<ext>``
  (only files inside the bank root).
* **Options are shown in a stable per-question order** (``option_order="stable"``): a
  shuffle keyed by the question id only, so the correct answer is not always "A" yet the
  card never changes between exports (learners see it on every review; a draw- or
  seed-dependent order would rewrite the note, and discard the learner's edits, for
  nothing). ``shuffle: false`` and "all/none of the above" stay where the author put them.
  ``"bank"`` keeps the bank's order, ``"draw"`` the draw's.

The package: genanki writes the collection's schema, note types and decks into an
in-memory SQLite database; notes and cards are inserted in bulk in genanki's row layout,
each with its own mtime; the database is zipped with fixed entry dates and written through
:func:`qbank.fsutil.atomic_path`, so an interrupted export leaves neither a partial file
nor a temporary one. ``exporters/anki/README.md`` tells users how to restyle the cards and
why field lists never change.

The parts: :mod:`~qbank.export.anki.models` (note types, ids, templates),
:mod:`~qbank.export.anki.fields` (rendering fields, tags, sub-decks),
:mod:`~qbank.export.anki.state` (the state file) and :mod:`~qbank.export.anki.package`
(the collection and the zip). This module is the entry point and the order of work.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qbank.export.anki.fields import (
    AnkiMediaError,
    OptionOrder,
    Renderer,
    cloze_ords,
    deck_name,
    note_tags,
    subdeck,
    topic_tag,
)
from qbank.export.anki.models import (
    MODELS,
    TYPE_MODEL,
    AnkiTemplateError,
    ModelSpec,
    NoteType,
    Templates,
    note_guid,
    stable_id,
)
from qbank.export.anki.package import BuiltNote, collection, write_apkg
from qbank.export.anki.state import (
    STATE_FORMAT,
    STATE_RELPATH,
    AnkiStateError,
    State,
    current_time,
    default_state_path,
    digest,
)
from qbank.fsutil import atomic_path, atomic_write_text, display, locked
from qbank.gcpause import paused
from qbank.i18n import translator
from qbank.model import image_limit
from qbank.progress import track

if TYPE_CHECKING:
    from qbank.draw import Draw, DrawnQuestion
    from qbank.load import Bank

__all__ = [
    "MODELS",
    "STATE_FORMAT",
    "STATE_RELPATH",
    "TYPE_MODEL",
    "AnkiExport",
    "AnkiMediaError",
    "AnkiStateError",
    "AnkiTemplateError",
    "ModelSpec",
    "OptionOrder",
    "State",
    "current_time",
    "default_state_path",
    "export",
    "note_guid",
    "stable_id",
    "summary",
    "topic_tag",
]


@dataclass
class AnkiExport:
    """What an export wrote (for the CLI summary and the tests)."""

    path: Path
    notes: int
    cards: int
    decks: list[str]
    media: list[str]
    timestamp: int
    changed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    state: Path | None = None
    state_written: bool = False


@dataclass
class _Rendered:
    notes: list[BuiltNote]
    skipped: list[tuple[str, str]]
    media: dict[str, Path]  # bundled name → file
    #: the bytes of a bundled name, read with the size bound and checked against the render
    read_media: Callable[[str], bytes]


def export(
    draw: Draw,
    out: Path,
    *,
    bank: Bank,
    deck: str | None = None,
    subdecks: bool = False,
    state: Path | None = None,
    option_order: OptionOrder = "stable",
    templates: Path | None = None,
    now: int | None = None,
    compress: bool = True,
) -> AnkiExport:
    """Write the draw's questions as an Anki package ``out`` (``.apkg``).

    ``deck`` names the deck (default: the bank title); ``subdecks`` adds one sub-deck per
    top-level topic. ``state`` is the state file that remembers when each note last
    changed (read, then updated after a successful write); ``None`` keeps no state, so
    every note carries ``now`` (default ``SOURCE_DATE_EPOCH`` or the clock). ``templates``
    is a folder whose files override the shipped ``exporters/anki`` templates and CSS.
    """
    out = Path(out)
    when = current_time() if now is None else int(now)
    language = bank.manifest.language if bank.manifest else None
    assets = Templates.load(templates, translator(language))
    with contextlib.ExitStack() as stack:
        if state is not None:
            # parallel exports of one bank (make -j) take turns: read, stamp, write
            try:
                stack.enter_context(locked(state))
            except OSError as exc:
                raise AnkiStateError(
                    f"{display(state)}: cannot lock the Anki state file's folder "
                    f"({exc.strerror or exc}); give --state FILE elsewhere or --no-state"
                ) from None
        memory = State.read(state) if state is not None else State()
        # The loop allocates many short-lived, acyclic objects; the cyclic GC would rescan
        # the whole loaded bank again and again without freeing anything (as in qbank.load).
        with paused():
            built = _build(draw, bank, deck_name(deck or bank.title), subdecks, option_order)
            return _write(built, out, bank, memory, assets, when, state, compress)
    raise AssertionError("unreachable")  # pragma: no cover


def _build(
    draw: Draw, bank: Bank, base: str, subdecks: bool, option_order: OptionOrder
) -> _Rendered:
    """Render every question of the draw into note fields, tags and a deck."""
    drawn: dict[str, DrawnQuestion] = {}
    for form in draw.forms:
        for d in form.questions:
            drawn.setdefault(d.id, d)
    language = bank.manifest.language if bank.manifest else None
    renderer = Renderer(bank.root, option_order, drawn, translator(language))
    renderer.image_limit = image_limit(bank.manifest)
    titles = dict(bank.manifest.topics) if bank.manifest else {}
    tag_cache: dict[tuple[Any, ...], list[str]] = {}
    built: list[BuiltNote] = []
    skipped: list[tuple[str, str]] = []
    questions = draw.questions
    for q in track(questions, total=len(questions), label="Anki notes"):
        spec, fields = renderer.fields(q)
        cards = cloze_ords(fields[0]) if spec.cloze else (0,)
        if not cards:
            skipped.append((q.id, "a cloze question without a blank"))
            continue
        key = (q.topic, tuple(q.tags), q.type, q.difficulty)
        tags = tag_cache.get(key)
        if tags is None:
            tags = tag_cache[key] = note_tags(q)
        note_digest = digest([str(spec.model_id), *fields, " ".join(tags)])
        where = subdeck(base, q.topic, titles) if subdecks else base
        built.append(BuiltNote(spec, q, fields, tags, where, note_digest, cards))
    return _Rendered(built, skipped, renderer.media, renderer.media_bytes)


def _write(
    rendered: _Rendered,
    out: Path,
    bank: Bank,
    memory: State,
    assets: Templates,
    when: int,
    state: Path | None,
    compress: bool,
) -> AnkiExport:
    """Stamp the notes and write the package; the state file is written (merged with what
    is on disk) *before* the package is renamed into place, so a state that cannot be written
    leaves the old package untouched."""
    built = rendered.notes
    changed = [
        b.question.id for b in built if memory.notes.get(b.question.id, ("",))[0] != b.digest
    ]
    model_time = memory.stamp_templates(assets.digest(), when)
    models = {k: NoteType(s, assets, model_time) for k, s in MODELS.items()}
    decks: dict[str, list[tuple[BuiltNote, int]]] = {}
    times = [model_time]
    for b in built:
        mtime = memory.stamp(b.question.id, b.digest, when)
        times.append(mtime)
        decks.setdefault(b.deck, []).append((b, mtime))
    timestamp = max(times)
    used = {b.spec.key: models[b.spec.key] for b in built}
    media = sorted(rendered.media)
    written = state is not None and memory.changed
    with atomic_path(out) as tmp:
        database = collection(bank.id, [used[k] for k in sorted(used)], decks, timestamp)
        write_apkg(tmp, database, media, read=rendered.read_media, compress=compress)
        if state is not None and written:
            memory.merge(State.read(state))
            try:
                atomic_write_text(state, memory.dumps(), in_bank_ok=True)
            except OSError as exc:
                raise AnkiStateError(
                    f"{display(state)}: cannot write the Anki state file "
                    f"({exc.strerror or exc}); the package was not written. Make the folder "
                    "writable, give --state FILE elsewhere, or use --no-state"
                ) from None
    return AnkiExport(
        path=out,
        notes=len(built),
        cards=sum(len(b.cards) for b in built),
        decks=list(decks),
        media=media,
        timestamp=timestamp,
        changed=changed,
        skipped=rendered.skipped,
        state=state,
        state_written=written,
    )


def summary(result: AnkiExport) -> str:
    """One line for the CLI."""
    parts = [
        f"{result.notes} notes",
        f"{result.cards} cards",
        f"{len(result.decks)} deck{'s' if len(result.decks) != 1 else ''}",
    ]
    if result.media:
        parts.append(f"{len(result.media)} media file(s)")
    if result.state is not None:
        parts.append(f"{len(result.changed)} new or changed since the last export")
    return ", ".join(parts)
