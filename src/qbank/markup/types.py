"""The data types of the markup layer: media references, Word blocks and runs, cloze
blanks. Plain frozen dataclasses, no parsing here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class MediaRef:
    """An image the text references (``![alt](media/x.png)``).

    Exporters need both the written form (to report it) and the file (to bundle or embed
    it); the validator needs the line to point at.
    """

    src: str
    """The source as written, percent-escapes decoded, e.g. ``"media/x.png"``."""
    alt: str
    """The alt text as plain text."""
    path: Path | None
    """Resolved absolute path inside the bank root; ``None`` for URLs, for paths that
    escape the root (``..``, absolute, symlinks pointing outside) or when no root was given."""
    line_offset: int
    """0-based line within the text where the image appears (for diagnostics; best effort
    for images after a code span that spans lines)."""


class MediaOutsideBank(ValueError):
    """An image source that is not a file inside the bank root (a URL, an absolute path,
    ``..`` or a symlink leading out). Raised by :func:`resolve_media`."""


@dataclass(frozen=True)
class Run:
    """A stretch of inline text with one formatting, for the Word exporter.

    ``text`` is the visible text. Special runs: ``math`` runs hold the maths verbatim *with*
    its delimiters (``\\(a<b\\)``); a run whose ``text`` is ``"\\n"`` (and nothing else set)
    is a hard line break; a run with ``image`` set is an inline picture whose ``text`` is
    the alt text. ``url`` is the target of a link (only http/https/mailto survive).
    """

    text: str
    bold: bool = False
    italic: bool = False
    strike: bool = False
    code: bool = False
    math: bool = False
    url: str | None = None
    image: MediaRef | None = None


@dataclass(frozen=True)
class Paragraph:
    """A paragraph, heading (``heading`` 1-6) or quoted paragraph. Display maths
    (``\\[ … \\]`` on its own lines) is a paragraph with a single ``math`` run; a table row
    is a paragraph whose cells are separated by tab characters."""

    runs: tuple[Run, ...]
    heading: int = 0
    quote: bool = False


@dataclass(frozen=True)
class ListItem:
    """One bullet or numbered item. ``depth`` is 0 for a top-level list; ``number`` is the
    item's number in an ordered list. Several paragraphs in one item are joined by a
    line-break run; nested lists follow as items with ``depth + 1``."""

    runs: tuple[Run, ...]
    ordered: bool
    number: int | None
    depth: int = 0


@dataclass(frozen=True)
class CodeBlock:
    """A fenced or indented code block: its text without the final newline, and the
    language from the fence's info string (``""`` when none)."""

    text: str
    language: str = ""


@dataclass(frozen=True)
class Image:
    """An image that is alone in its paragraph (a figure). Images inside running text are
    :class:`Run` objects with ``image`` set instead."""

    ref: MediaRef


Block = Paragraph | ListItem | CodeBlock | Image
"""What :meth:`Markup.blocks` yields: the small structured view the Word exporter needs."""


@dataclass(frozen=True)
class Blank:
    """A cloze blank ``{{answer|alternative|…}}`` in a question's markdown source.

    ``index`` is 0-based in order of appearance (Anki's ``c1`` is ``index + 1``);
    ``start``/``end`` are character offsets of ``{{`` and just after ``}}`` in the source.
    Answers are markdown fragments, trimmed; an empty alternative is kept as ``""`` so a
    validator can flag it.
    """

    index: int
    answers: tuple[str, ...]
    start: int
    end: int
