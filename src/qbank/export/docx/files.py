"""Where the files go: paper sizes, output file names and the all-or-nothing write.

Kept apart from the layout so the rules a user sees on the command line (which paper, which
file names, nothing half-written) are in one short place.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Sequence
from pathlib import Path

from docx.shared import Length, Mm

from qbank.fsutil import atomic_path

KEY_MODES = ("separate", "append", "none")
PAPERS: dict[str, tuple[Length, Length]] = {
    "a4": (Mm(210), Mm(297)),
    "letter": (Mm(215.9), Mm(279.4)),
}
#: territories whose LC_PAPER is US Letter (glibc locales): the US, Canada, Mexico, the
#: Philippines and most of Central and South America's letter-using countries
LETTER_TERRITORIES = frozenset(
    {"US", "CA", "MX", "PR", "PH", "CL", "CO", "VE", "CR", "GT", "PA", "DO", "SV", "NI"}
)


class DocxExportError(Exception):
    """An export that cannot be written as asked (e.g. an output name is a folder)."""


def default_paper(environ: dict[str, str] | None = None) -> str:
    """``"letter"`` where the locale's paper is US Letter (LC_ALL, then LC_PAPER, then LANG,
    as POSIX resolves them: en_US, en_CA, es_MX, …), else ``"a4"``."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_PAPER", "LANG"):
        value = env.get(var, "")
        if value:
            m = re.match(r"^[a-zA-Z]{2,3}_([A-Za-z]{2})", value)
            return "letter" if m and m.group(1).upper() in LETTER_TERRITORIES else "a4"
    return "a4"


def output_files(out: Path, forms: Sequence[str], key: str) -> tuple[list[Path], Path | None]:
    """Student files and the separate key's file for ``out`` (see the module docstring)."""
    stem, suffix = out.stem, out.suffix
    if len(forms) == 1:
        students = [out]
    else:
        students = [out.with_name(f"{stem}-{name}{suffix}") for name in forms]
    key_file = out.with_name(f"{stem}-key{suffix}") if key == "separate" else None
    return students, key_file


def write_all(outputs: dict[Path, bytes]) -> None:
    """Write every file to a temporary file first; rename them only when all are written,
    so a failure or an interrupt leaves no partial set behind."""
    with contextlib.ExitStack() as stack:
        temps = [(stack.enter_context(atomic_path(path)), data) for path, data in outputs.items()]
        for tmp, data in temps:
            tmp.write_bytes(data)
