"""``qbank preview`` in Chromium: the real command serves a fresh ``qbank init`` bank; editing
a file shows the new text within 2 s, a broken question shows its problem above the quiz,
and Ctrl-C (SIGINT) stops the server cleanly with exit code 0.

Python playwright drives Debian's ``/usr/bin/chromium`` (never a downloaded browser).
Skips locally without chromium; fails in CI (``QBANK_REQUIRE_TOOLS=1``).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, require_tool

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

pytestmark = pytest.mark.slow


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "qbank", "init", "course"],
        cwd=tmp_path,
        env=_env(),
        check=True,
        capture_output=True,
    )
    return tmp_path / "course"


class Server:
    def __init__(self, bank: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "qbank", "preview", "--port", "0", *args],
            cwd=bank,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert m, (line, self.proc.stderr.read() if self.proc.stderr else "")
        self.url = m.group(0)

    def stop(self) -> tuple[int, str, str]:
        self.proc.send_signal(signal.SIGINT)
        out, err = self.proc.communicate(timeout=10)
        return self.proc.returncode, out, err


@pytest.fixture
def browser() -> Iterator[Any]:
    path = require_tool("chromium", CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=ARGS)
        yield b
        b.close()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_preview_reloads_on_save_and_shows_problems(bank: Path, browser: Any) -> None:
    from playwright.sync_api import expect

    server = Server(bank, "--ids", "example-single")
    try:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "console", lambda m: errors.append(m.text) if m.type == "error" else None
        )  # a CSP violation is reported here
        page.goto(server.url)
        page.wait_for_selector("body[data-ready='1']")
        assert page.locator("#qb-preview").inner_text().startswith("qbank preview: 1 question")
        assert "Which file holds a bank's id" in page.locator("#qb-app").inner_text()
        page.wait_for_timeout(300)  # the event stream is connected

        examples = bank / "questions/examples.yaml"
        started = time.monotonic()
        _edit(examples, "Which file holds a bank's id", "Which single file holds a bank's id")
        expect(page.locator("#qb-app")).to_contain_text("Which single file holds", timeout=2000)
        assert time.monotonic() - started < 2.0

        # a problem in the shown question appears above it (the question still plays)
        _edit(
            examples,
            "    explanation: The manifest `qbank.yaml` marks the bank's root folder.\n",
            "",
        )
        expect(page.locator("#qb-preview")).to_contain_text("QB401", timeout=2000)
        panel = page.locator("#qb-preview").inner_text()
        assert "questions/examples.yaml:" in panel and "no explanation" in panel
        # a broken file: the YAML error is shown, and the page recovers when it is fixed
        original = examples.read_text(encoding="utf-8")
        examples.write_text(original.replace("    type: single\n", "    type: single\n\tx: 1\n"))
        expect(page.locator("#qb-preview")).to_contain_text("QB001", timeout=2000)
        examples.write_text(original, encoding="utf-8")
        expect(page.locator("#qb-app")).to_contain_text("Which single file holds", timeout=2000)
        assert errors == []
    finally:
        code, out, err = server.stop()
    assert code == 0, (code, out, err)
    assert "stopped" in out and "Traceback" not in err


def test_preview_plays_a_whole_quiz(bank: Path, browser: Any) -> None:
    server = Server(bank, "--quiz", "practice")
    try:
        page = browser.new_page()
        page.goto(server.url)
        page.wait_for_selector("body[data-ready='1']")
        assert page.title() == "Practice quiz"
        assert "7 questions, no problems" in page.locator("#qb-preview").inner_text()
        assert re.search(r"1\s*/\s*7", page.locator("body").inner_text())
    finally:
        code, _, err = server.stop()
    assert code == 0, err


def test_preview_usage_errors_exit_2(bank: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "qbank", "preview", "--quiz", "final", "--port", "0"],
        cwd=bank,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "no quiz `final`" in done.stderr


def test_preview_shows_drafts_that_exports_leave_out(bank: Path) -> None:
    """A question being written is a draft: the preview shows it, `export html` does not."""
    questions = bank / "questions" / "examples.yaml"
    _edit(questions, "status: approved ", "status: draft    ")
    out = bank.parent / "quiz.html"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "qbank",
            "export",
            "html",
            "--ids",
            "example-single",
            "-o",
            str(out),
        ],
        cwd=bank,
        env=_env(),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2, done.stdout + done.stderr  # the selection matches only a draft
    server = Server(bank, "--ids", "example-single")
    try:
        with urllib.request.urlopen(server.url, timeout=10) as page:
            html = page.read().decode("utf-8")
    finally:
        code, _out, _err = server.stop()
    assert "holds a bank" in html
    assert code == 0
