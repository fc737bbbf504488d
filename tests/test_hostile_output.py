"""Output targets (issue 17, "Output targets"): what each kind of ``-o`` target gets.

Run as root where it matters (CI runs as root): device nodes are made with ``mknod`` in a
temporary folder, never the real /dev. Each test runs the real CLI in a subprocess, so
standard output, umask and signals are the process's own.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import ROOT
from qbank.fsutil import TEMP_PREFIX, atomic_path, atomic_write_text, locked, protect

QUESTIONS = """\
questions:
  - id: q1
    topic: "1.1"
    type: single
    text: Which service stores objects durably?
    options:
      - text: Amazon S3
        correct: true
      - Amazon EBS
      - Amazon ElastiCache
  - id: q2
    topic: "4.3"
    type: truefalse
    text: IAM roles give temporary credentials.
    answer: true
"""

root_only = pytest.mark.skipif(os.geteuid() != 0, reason="mknod needs root (CI runs as root)")


def qbank(
    *args: str | Path,
    umask: int | None = None,
    env_extra: dict[str, str] | None = None,
    **kw: object,
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), **(env_extra or {})}

    def pre() -> None:
        if umask is not None:
            os.umask(umask)

    return subprocess.run(
        [sys.executable, "-m", "qbank", *map(str, args)],
        capture_output=True,
        env=env,
        timeout=120,
        preexec_fn=pre,
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
def bank(make_bank) -> Path:
    return make_bank({"questions.yaml": QUESTIONS})


def _no_traceback(r: subprocess.CompletedProcess[bytes]) -> None:
    assert b"Traceback" not in r.stderr
    assert b"internal error" not in r.stderr


@root_only
def test_character_device_is_written_to_not_replaced(bank: Path, tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    dev = tmp_path / "null"
    os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # the null device's numbers
    r = qbank("export", "json", bank, "-o", dev)
    assert r.returncode == 0, r.stderr
    st = os.lstat(dev)
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 3)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_fifo_reader_gets_the_whole_export(bank: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    r = qbank("export", "json", bank, "-o", fifo)
    reader.join(timeout=60)
    assert r.returncode == 0, r.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    doc = json.loads(got[0])
    assert doc["format"] == "qbank-quiz"


def test_dash_is_standard_output(bank: Path, tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    r = qbank("export", "json", bank, "-o", "-", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["format"] == "qbank-quiz"
    assert not (tmp_path / "-").exists()
    # a multi-file export cannot go to one stream: a usage error, not a file named "-"
    r = qbank("export", "docx", bank, "-o", "-", cwd=tmp_path)
    assert r.returncode == 2 and b"--key append" in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_symlink_target_is_replaced_and_link_kept(bank: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    r = qbank("export", "json", bank, "-o", link)
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert json.loads(real.read_text())["format"] == "qbank-quiz"


@pytest.mark.parametrize(
    "args",
    [
        ("export", "json", "{bank}", "-o", "{tmp}/out.json", "--manifest", "{bank}/qbank.yaml"),
        ("export", "json", "{bank}", "-o", "{tmp}/out.json", "--manifest", "{bank}/questions.yaml"),
        ("export", "json", "{bank}", "-o", "{bank}/.qbank/anki-state.json"),
        ("export", "anki", "{bank}", "-o", "{bank}/.qbank/anki-state.json"),
        ("export", "json", "{bank}", "-o", "{tmp}/out.json", "--manifest", "{bank}/media/pic.png"),
        ("validate", "{bank}", "-f", "json", "-o", "{bank}/new-questions.yaml"),
        ("stats", "{bank}", "-f", "json", "-o", "{bank}/.qbank/stats.json"),
    ],
)
def test_the_banks_own_files_are_refused(bank: Path, tmp_path: Path, args: tuple[str, ...]) -> None:
    before = {p: p.read_bytes() for p in bank.rglob("*") if p.is_file()}
    argv = [a.format(bank=bank, tmp=tmp_path) for a in args]
    r = qbank(*argv)
    assert r.returncode == 2, r.stderr
    _no_traceback(r)
    assert {p: p.read_bytes() for p in bank.rglob("*") if p.is_file()} == before
    assert not (tmp_path / "out.json").exists()


def test_other_outputs_inside_the_bank_folder_are_fine(bank: Path) -> None:
    """When the bank is the repository, `out/` inside it is the usual place for outputs."""
    r = qbank("export", "json", bank, "-o", bank / "out" / "quiz.json")
    assert r.returncode == 0, r.stderr
    r = qbank("validate", bank, "-f", "json", "-o", bank / "out" / "report.json")
    assert r.returncode == 0, r.stderr


def test_the_banks_own_files_with_force(bank: Path, tmp_path: Path) -> None:
    r = qbank(
        "export", "json", bank, "-o", tmp_path / "q.json", "--manifest", bank / "m.yaml", "--force"
    )
    assert r.returncode == 0, r.stderr
    assert (bank / "m.yaml").is_file()


def test_a_symlink_into_the_bank_is_refused(bank: Path, tmp_path: Path) -> None:
    link = tmp_path / "innocent.json"
    link.symlink_to(bank / "questions.yaml")
    r = qbank("export", "json", bank, "-o", link)
    assert r.returncode == 2 and b"is one of the bank's own files" in r.stderr
    assert (bank / "questions.yaml").read_text().startswith("questions:")


def test_folder_is_refused(bank: Path, tmp_path: Path) -> None:
    (tmp_path / "d.json").mkdir()
    r = qbank("export", "json", bank, "-o", tmp_path / "d.json")
    assert r.returncode == 2 and b"is a directory" in r.stderr


def test_new_files_follow_the_umask_and_existing_keep_their_mode(
    bank: Path, tmp_path: Path
) -> None:
    out = tmp_path / "key.json"
    assert qbank("export", "json", bank, "-o", out, umask=0o077).returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    other = tmp_path / "open.json"
    assert qbank("export", "json", bank, "-o", other, umask=0o022).returncode == 0
    assert stat.S_IMODE(other.stat().st_mode) == 0o644
    out.chmod(0o640)
    assert qbank("export", "json", bank, "-o", out, umask=0o022).returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_unwritable_places_are_clean_errors(bank: Path, tmp_path: Path) -> None:
    r = qbank("export", "json", bank, "-o", "/proc/x.json")
    assert r.returncode == 2 and b"cannot write /proc/x.json" in r.stderr
    _no_traceback(r)


def test_wrong_suffix_and_inapplicable_options_are_usage_errors(bank: Path, tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    r = qbank("export", "docx", bank, "-o", tmp_path / "w.pdf")
    assert r.returncode == 2 and b"writes .docx files" in r.stderr
    r = qbank("export", "anki", bank, "-o", tmp_path / "d.apkg", "--forms", "2")
    assert r.returncode == 2 and b"--forms does not apply to export anki" in r.stderr
    r = qbank("export", "html", bank, "-o", tmp_path / "q.json")
    assert r.returncode == 2
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("target", "suffix", "args", "flag"),
    [
        (t, sfx, args, flag)
        for t, sfx, skip in [
            ("moodle", ".xml", ()),
            ("gift", ".gift", ()),
            ("qti", ".zip", ("--title", "--shuffle-options")),
            ("csv", ".csv", ()),
            ("xlsx", ".xlsx", ()),
        ]
        for args, flag in [
            (("--forms", "2"), "--forms"),
            (("--vary-questions",), "--vary-questions/--same-questions"),
            (("--shuffle-options",), "--shuffle-options/--no-shuffle-options"),
            (("--title", "T"), "--title"),
            (("--language", "de"), "--language"),
        ]
        if args[0] not in skip
    ],
)
def test_bank_targets_refuse_options_they_would_ignore(
    bank: Path, tmp_path: Path, target: str, suffix: str, args: tuple[str, ...], flag: str
) -> None:
    """An LMS import or a spreadsheet holds each question once, options in the bank's order:
    forms, option shuffles (and a title or language they never show) would be dropped."""
    out = tmp_path / f"x{suffix}"
    r = qbank("export", target, bank, "-o", out, *args)
    assert r.returncode == 2, r.stderr
    assert f"{flag} does not apply to export {target}".encode() in r.stderr
    assert not out.exists()
    _no_traceback(r)


def test_qti_keeps_its_title_and_option_shuffle(bank: Path, tmp_path: Path) -> None:
    r = qbank(
        "export", "qti", bank, "-o", tmp_path / "x.zip", "--title", "Week 3", "--no-shuffle-options"
    )
    assert r.returncode == 0, r.stderr


def test_non_utf8_output_name_is_reported_not_an_internal_error(bank: Path, tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9.json")
    r = qbank("export", "json", bank, "-o", tmp_path / name)
    assert r.returncode == 0, r.stderr
    assert b"caf\\xe9.json" in r.stderr
    assert (tmp_path / name).is_file()


KILLED = """
import os, signal, sys
from qbank.fsutil import atomic_path
with atomic_path(sys.argv[1]) as tmp:
    tmp.write_bytes(b"partial")
    os.kill(os.getpid(), signal.SIG{sig})
"""


@pytest.mark.parametrize("sig", ["KILL", "TERM"])
def test_temp_files_of_killed_runs_are_removed_by_the_next(tmp_path: Path, sig: str) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    r = subprocess.run([sys.executable, "-c", KILLED.format(sig=sig), str(target)], env=env)
    assert r.returncode == -getattr(signal, f"SIG{sig}")
    stale = [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]
    assert len(stale) == 1 and stale[0].read_bytes() == b"partial"
    assert target.read_text() == "old"
    atomic_write_text(target, "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]
    assert target.read_text() == "new"


def test_live_temp_files_are_not_removed(tmp_path: Path) -> None:
    mine = tmp_path / f"{TEMP_PREFIX}1-abc-x.json"  # pid 1 always runs
    mine.write_text("busy")
    atomic_write_text(tmp_path / "x.json", "{}")
    assert mine.exists()


def test_failure_leaves_target_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "t.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.json"]


def test_protect_allows_the_state_file_only_when_asked(tmp_path: Path) -> None:
    bank = tmp_path / "bank"
    bank.mkdir()
    with protect(bank):
        with pytest.raises(OSError, match="one of the bank's own files"):
            atomic_write_text(bank / ".qbank" / "x.json", "{}")
        with pytest.raises(OSError, match="one of the bank's own files"):
            atomic_write_text(bank / "q.yaml", "{}")
        atomic_write_text(bank / "out" / "report.json", "{}")
        atomic_write_text(bank / ".qbank" / "state.json", "{}", in_bank_ok=True)
    assert (bank / ".qbank" / "state.json").read_text() == "{}"


def test_lock_serialises_read_modify_write(tmp_path: Path) -> None:
    """Three processes each add 1,000 keys to one JSON file under :func:`locked`."""
    state = tmp_path / "s" / "state.json"
    state.parent.mkdir()
    state.write_text("{}")
    code = """
import json, sys
from pathlib import Path
from qbank.fsutil import atomic_write_text, locked
p = Path(sys.argv[1]); n = sys.argv[2]
with locked(p):
    data = json.loads(p.read_text())
    data.update({f"{n}-{i}": i for i in range(1000)})
    atomic_write_text(p, json.dumps(data))
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(state), str(n)], env=env)
        for n in range(3)
    ]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0]
    assert len(json.loads(state.read_text())) == 3000
    with locked(state):
        pass


def test_style_font_with_a_control_character_is_a_style_error(bank: Path, tmp_path: Path) -> None:
    style = tmp_path / "style.yaml"
    style.write_text('regular:\n  font: "Arial\\x01"\n')
    r = qbank("export", "docx", bank, "-o", tmp_path / "w.docx", "--style", style)
    assert r.returncode == 2
    assert b"`font` holds the control character U+0001 at character 6" in r.stderr
    _no_traceback(r)


def test_non_utf8_bank_file_name_in_reports(bank: Path, tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9.yaml")
    (bank / name).write_text('id: x1\ntopic: "1.1"\ntype: truefalse\ntext: Fine?\nanswer: maybe\n')
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    for fmt in ("github", "sarif", "json", "concise"):
        out = tmp_path / f"report.{fmt}"
        r = qbank("validate", bank, "-f", fmt, "-o", out, env_extra=env)
        assert r.returncode == 1, r.stderr
        _no_traceback(r)
        assert "caf" in out.read_text(encoding="utf-8")
    assert "caf\\xe9.yaml" in summary.read_text(encoding="utf-8")


def test_sweep_once_sweeps_each_folder_once_and_still_removes_stale_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qbank import fsutil

    dead = tmp_path / "a" / f"{TEMP_PREFIX}999999999-abc-x.json"  # no such pid
    dead.parent.mkdir()
    dead.write_text("partial")
    swept: list[Path] = []
    real = fsutil.remove_stale
    monkeypatch.setattr(fsutil, "remove_stale", lambda folder: swept.append(folder) or real(folder))
    with fsutil.sweep_once():
        for i in range(5):
            atomic_write_text(tmp_path / "a" / f"{i}.txt", "x")
            atomic_write_text(tmp_path / "b" / f"{i}.txt", "y")
    assert swept == [tmp_path / "a", tmp_path / "b"]
    assert not dead.exists()
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == [f"{i}.txt" for i in range(5)]
    atomic_write_text(tmp_path / "a" / "after.txt", "z")  # outside the block: every write
    assert swept[-1] == tmp_path / "a" and len(swept) == 3
