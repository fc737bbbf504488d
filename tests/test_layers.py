"""The layers of docs/architecture.md, enforced: `lint-imports` (import-linter) with the
contracts in pyproject.toml must pass, and must fail when a lower layer imports upward."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

CONTRACTS = (
    "Layers: cli/api",
    "Exporters are independent",
    "Importers are independent",
    "Inside validate",
    "No import cycles between sibling modules",
)


def _lint_imports(src: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("lint-imports")
    if not exe.exists():  # pragma: no cover - the test extra installs it
        pytest.fail("lint-imports is not installed (pip install -e '.[test]')")
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [str(exe), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_every_contract_is_kept() -> None:
    proc = _lint_imports(ROOT / "src", ROOT)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    for name in CONTRACTS:
        line = next((ln for ln in out.splitlines() if ln.startswith(name)), None)
        assert line is not None, f"contract {name!r} missing from pyproject.toml:\n{out}"
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in out, out


def test_an_upward_import_breaks_the_layers(tmp_path: Path) -> None:
    """The contracts bite: the model importing an exporter is reported, with the line."""
    shutil.copytree(ROOT / "src" / "qbank", tmp_path / "src" / "qbank")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    model = tmp_path / "src" / "qbank" / "model.py"
    model.write_text(model.read_text(encoding="utf-8") + "\nimport qbank.export.anki\n")
    proc = _lint_imports(tmp_path / "src", tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "qbank.model is not allowed to import qbank.export" in out, out
    assert "qbank.model -> qbank.export.anki" in out, out


def test_architecture_doc_names_every_package_and_layer() -> None:
    """docs/architecture.md keeps one line per top-level package/module and the layer names."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    package = ROOT / "src" / "qbank"
    names = {p.stem for p in package.glob("*.py")} | {
        p.name for p in package.iterdir() if (p / "__init__.py").exists()
    }
    names -= {"__init__", "__main__"}
    for name in sorted(names):
        assert f"| `qbank.{name}`" in doc, f"docs/architecture.md has no line for qbank.{name}"
    for contract in ("layers", "acyclic_siblings", "lint-imports"):
        assert contract in doc
