"""Shared fixtures: temporary banks written from strings, the shipped sample bank, and
`require_tool` (skip locally, fail in CI where QBANK_REQUIRE_TOOLS=1) for external programs."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_BANK = ROOT / "bank"
ARTIFACTS = ROOT / "test-artifacts"

DEFAULT_MANIFEST = """\
id: test-bank
title: Test bank
topics:
  "1": Data Engineering
  "1.1": Data repositories
  "4": Operations
  "4.3": Security
"""


def require_tool(name: str, path: str | None = None) -> str:
    """Path of an external program; skips the test when absent (fails in CI)."""
    found = path if path and Path(path).exists() else shutil.which(name)
    if found:
        return found
    message = f"{name} is not installed (make system-deps installs it)"
    if os.environ.get("QBANK_REQUIRE_TOOLS") == "1":
        pytest.fail(message)
    pytest.skip(message)


def docx_to_pdf(docx: Path, outdir: Path) -> Path:
    """LibreOffice's PDF of a Word file, written to ``outdir`` (a LibreOffice profile of its
    own there, so tests can run side by side)."""
    soffice = require_tool("soffice")
    subprocess.run(
        [soffice, f"-env:UserInstallation={(outdir / 'lo').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(outdir), str(docx)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return outdir / f"{docx.stem}.pdf"


def write_bank(
    root: Path, files: dict[str, str], *, manifest: str | None = DEFAULT_MANIFEST
) -> Path:
    """Write a bank: ``files`` maps bank-relative paths to (dedented) YAML text."""
    root.mkdir(parents=True, exist_ok=True)
    if manifest is not None and "qbank.yaml" not in files:
        (root / "qbank.yaml").write_text(manifest, encoding="utf-8")
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def picture_bank(
    root: Path,
    pictures: Path,
    names: Sequence[str],
    ask: Callable[[str], str],
    *,
    manifest: str,
    extra: str = "",
) -> Path:
    """A bank of one true/false question per picture: each of ``names`` is copied from the
    folder ``pictures`` into ``media/`` and shown below ``ask(name)``; ``extra`` (YAML of
    one more list item) ends the list."""
    (root / "media").mkdir(parents=True)
    for name in names:
        (root / "media" / name).write_bytes((pictures / name).read_bytes())
    questions = [
        f"- id: q-{name.replace('_', '-').replace('.', '-')}\n  type: truefalse\n  answer: true\n"
        f"  text: |-\n    {ask(name)}\n\n    ![the {name} picture](media/{name})\n"
        for name in names
    ]
    if extra:
        questions.append(extra)
    return write_bank(root, {"q.yaml": "questions:\n" + "\n".join(questions)}, manifest=manifest)


@pytest.fixture
def make_bank(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(1_000_000))

    def factory(files: dict[str, str], *, manifest: str | None = DEFAULT_MANIFEST) -> Path:
        return write_bank(tmp_path / f"bank{next(counter)}", files, manifest=manifest)

    return factory


@pytest.fixture
def sample_bank() -> Path:
    return SAMPLE_BANK


@pytest.fixture
def artifacts() -> Path:
    """A folder kept after the run (page images, screenshots) for a human look."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
