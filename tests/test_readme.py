"""README.md is tested: every shell and Python code block runs, in a fresh folder holding a
copy of the sample bank (as in a checkout), with `qbank` on PATH. A block that cannot run
(it installs, or is YAML for another tool) carries an HTML comment right above it,
``<!-- not-run: reason -->``, and the reason must be given. The generated key tables of
the manifest and quiz files must be current (`make docs`)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE_BANK

README = ROOT / "README.md"
RUNNABLE = {
    "sh": "shell",
    "bash": "shell",
    "shell": "shell",
    "console": "shell",
    "python": "python",
}
_FENCE = re.compile(r"^```(?P<lang>[\w-]*)\n(?P<body>.*?)^```$", re.M | re.S)
_NOT_RUN = re.compile(r"<!-- not-run:(?P<reason>.*?)-->\s*\Z", re.S)


@dataclass(frozen=True)
class Block:
    line: int
    lang: str
    body: str
    not_run: str | None

    def __str__(self) -> str:
        return f"README.md:{self.line} ({self.lang})"


def blocks() -> list[Block]:
    text = README.read_text(encoding="utf-8")
    out = []
    for m in _FENCE.finditer(text):
        before = text[: m.start()]
        marker = _NOT_RUN.search(before)
        out.append(
            Block(
                line=before.count("\n") + 1,
                lang=m.group("lang"),
                body=m.group("body"),
                not_run=marker.group("reason").strip() if marker else None,
            )
        )
    return out


def _runnable() -> list[Block]:
    return [b for b in blocks() if b.lang in RUNNABLE and b.not_run is None]


def test_every_code_block_runs_or_says_why_not() -> None:
    found = blocks()
    assert len(found) >= 10
    for b in found:
        if b.not_run is not None:
            assert b.not_run, f"{b}: a not-run marker needs a reason"
        elif b.lang not in RUNNABLE:
            assert b.lang == "", f"{b}: a {b.lang} block must be marked not-run with a reason"
    assert len(_runnable()) >= 5


@pytest.fixture
def folder(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    work = tmp_path / "work"
    work.mkdir()
    shutil.copytree(SAMPLE_BANK, work / "bank")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "qbank"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m qbank "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("GITHUB_ACTIONS", None)
    return work, env


@pytest.mark.parametrize("block", _runnable(), ids=str)
def test_block_runs(block: Block, folder: tuple[Path, dict[str, str]]) -> None:
    work, env = folder
    if RUNNABLE[block.lang] == "shell":
        command = ["bash", "-euo", "pipefail", "-c", block.body]
    else:
        command = [sys.executable, "-c", block.body]
    done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{block} failed:\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr


def test_generated_key_tables_are_current() -> None:
    from qbank.validate.docs import splice_formats

    text = README.read_text(encoding="utf-8")
    assert text.count("<!-- end generated -->") == 2
    assert splice_formats(text) == text, "README key tables are stale: run `make docs`"


def test_the_tables_name_every_key() -> None:
    from qbank.model import DedupConfig, LintConfig, Manifest, Quiz, Section

    text = README.read_text(encoding="utf-8")
    for model in (Manifest, DedupConfig, LintConfig, Quiz, Section):
        for name, field in model.model_fields.items():
            assert f"| `{name}` |" in text, (model.__name__, name)
            assert field.description, f"{model.__name__}.{name} has no description"


def test_make_demo_installs_only_the_runtime(tmp_path: Path) -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    venv = tmp_path / "venv"

    def plan(target: str) -> str:
        done = subprocess.run(
            [make, "-n", target, f"VENV={venv}", "PYTHON=python3"],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout

    demo = plan("demo")
    assert re.search(r"pip install --quiet -e \.$", demo, re.M), demo
    assert "[test]" not in demo and "system-deps" not in demo and "node-deps" not in demo
    test = plan("test")
    assert "pip install --quiet -e '.[test]'" in test
    assert "install-system-deps.sh" in test and "install-node-deps.sh" in test
