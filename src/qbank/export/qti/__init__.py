"""``qbank export qti``: a QTI content package (zip), version 1.2 (Canvas) or 3.0.

* :mod:`qbank.export.qti.qti12` — the Canvas flavour of QTI 1.2, laid out like text2qti's
  packages (``imsmanifest.xml``, ``<assessment>/<assessment>.xml`` with the items,
  ``<assessment>/assessment_meta.xml``, ``non_cc_assessments/``, ``images/``).
* :mod:`qbank.export.qti.qti3` — 1EdTech QTI 3.0: one ``qti-assessment-item`` per question
  under ``items/``, a ``qti-assessment-test`` in ``test.xml``, images under ``media/``.

Identifiers come from question ids (:func:`ident`). The zip is deterministic: entries in a
fixed order with a fixed timestamp, so the same draw gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from qbank.fsutil import atomic_write_bytes

if TYPE_CHECKING:
    from qbank.draw import Draw
    from qbank.load import Bank

__all__ = ["Version", "build", "export", "ident", "zip_bytes"]

Version = Literal["1.2", "3.0"]

#: the timestamp of every zip entry (the earliest a zip can hold)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def ident(qid: str) -> str:
    """A QTI identifier (an XML name) from a question id: the id itself when it starts
    with a letter, else ``_`` + the id (``2024-q1`` → ``_2024-q1``). No question id starts
    with ``_`` (QB105), so two ids never share an identifier (``q2024-q1`` stays itself)."""
    return qid if qid[:1].isalpha() else f"_{qid}"


def zip_bytes(entries: list[tuple[str, bytes]]) -> bytes:
    """A zip of ``(name, data)`` in the given order; names ending in ``/`` are folders."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.create_system = 3
            if name.endswith("/"):
                info.external_attr = (0o40755 << 16) | 0x10
                info.compress_type = zipfile.ZIP_STORED
            else:
                info.external_attr = 0o100644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buffer.getvalue()


def build(drawn: Draw, bank: Bank, *, version: Version = "1.2") -> tuple[bytes, list[str]]:
    """The package's bytes and the warnings (what the version cannot carry)."""
    if version == "1.2":
        from qbank.export.qti import qti12

        entries, warnings = qti12.entries(drawn, bank)
    else:
        from qbank.export.qti import qti3

        entries, warnings = qti3.entries(drawn, bank)
    return zip_bytes(entries), warnings


def export(drawn: Draw, target: Path, *, bank: Bank, version: Version = "1.2") -> list[str]:
    """Write the package atomically; returns warnings."""
    data, warnings = build(drawn, bank, version=version)
    atomic_write_bytes(target, data)
    return warnings
