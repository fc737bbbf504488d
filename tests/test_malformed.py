"""Every malformed fixture gets exit code 1, a file:line:col message with a QB rule id, and
no traceback — run through the real command line, one process per fixture.

A fixture's first line says what it expects: ``# expect: QB002 6:1``. Files named
``manifest-*.yaml`` are installed as the bank's ``qbank.yaml``; ``quiz-*.yaml`` as a quiz.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DEFAULT_MANIFEST

FIXTURES = Path(__file__).parent / "fixtures" / "malformed"
EXPECT = re.compile(rb"# expect: (QB\d{3}) (\d+):(\d+)")


def _cases() -> list[Path]:
    return sorted(FIXTURES.glob("*.yaml"))


def test_there_are_at_least_thirty_fixtures() -> None:
    assert len(_cases()) >= 30


def _install(fixture: Path, bank: Path) -> str:
    bank.mkdir()
    data = fixture.read_bytes()
    if fixture.name.startswith("manifest-"):
        (bank / "qbank.yaml").write_bytes(data)
        return "qbank.yaml"
    (bank / "qbank.yaml").write_text(DEFAULT_MANIFEST, encoding="utf-8")
    if fixture.name.startswith("quiz-"):
        (bank / "quizzes").mkdir()
        (bank / "quizzes" / "q.yaml").write_bytes(data)
        return "quizzes/q.yaml"
    (bank / "q.yaml").write_bytes(data)
    return "q.yaml"


@pytest.mark.parametrize("fixture", _cases(), ids=lambda p: p.stem)
def test_malformed_fixture(fixture: Path, tmp_path: Path) -> None:
    m = EXPECT.match(fixture.read_bytes())
    assert m, f"{fixture.name} has no '# expect: QBxxx line:col' header"
    rule, line, col = m.group(1).decode(), int(m.group(2)), int(m.group(3))
    bank = tmp_path / "bank"
    rel = _install(fixture, bank)
    proc = subprocess.run(
        [sys.executable, "-m", "qbank", "validate", str(bank), "--format", "concise"],
        capture_output=True,
        text=True,
        timeout=60,  # a hang is a failure; the 2 s target is measured by bench/load.py
        cwd=tmp_path,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "Traceback" not in out
    expected = f"bank/{rel}:{line}:{col}: {rule} "
    assert expected in proc.stdout, f"expected {expected!r} in:\n{out}"


def test_zero_byte_file_is_reported(tmp_path: Path) -> None:
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "qbank.yaml").write_text(DEFAULT_MANIFEST, encoding="utf-8")
    (bank / "empty.yaml").write_bytes(b"")
    proc = subprocess.run(
        [sys.executable, "-m", "qbank", "validate", str(bank), "-f", "concise"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert proc.returncode == 1
    assert "bank/empty.yaml:1:1: QB006 " in proc.stdout


def test_oversized_file_is_reported_without_reading_it(tmp_path: Path) -> None:
    from qbank.load import load_bank

    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "qbank.yaml").write_text(DEFAULT_MANIFEST, encoding="utf-8")
    (bank / "big.yaml").write_bytes(b"# x\n" * 1000)
    loaded = load_bank(bank, max_file_bytes=1000)
    found = [(p.rule, p.location.file) for p in loaded.problems]
    assert ("QB007", "big.yaml") in found
