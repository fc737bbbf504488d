"""The near-duplicate family in a forked child (qbank.validate.background): the same report as
the sequential run, and the same report again when the child fails, dies or sends garbage;
no child outlives a run; small banks do not fork."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from qbank.load import Bank, load_bank
from qbank.validate import background, engine
from qbank.validate.context import Options
from qbank.validate.reporters import ReportContext, get
from qbank.validate.rules import duplicates

FIXTURE = Path(__file__).parent / "fixtures" / "dedup-real-style"

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or background.usable_cores() < 2,
    reason="forking needs Linux and two cores",
)


@pytest.fixture(autouse=True)
def idle_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """The load average of a quiet machine (the tests run on busy ones too)."""
    monkeypatch.setattr(os, "getloadavg", lambda: (0.5, 0.5, 0.5))


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the children forked from now on (os.fork spied on)."""
    pids: list[int] = []
    real = os.fork

    def spy() -> int:
        pid = real()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", spy)
    return pids


@pytest.fixture
def always(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every bank is large enough for the background run."""
    monkeypatch.setattr(duplicates, "BACKGROUND_MIN_CHARS", 0)
    monkeypatch.setattr(duplicates, "BACKGROUND_MIN_QUESTIONS", 0)


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank(FIXTURE)


def report(bank: Bank, options: Options) -> tuple[str, str]:
    """The json and full reports of a validate run (every field, every byte)."""
    problems = engine.validate(bank, options).problems
    ctx = ReportContext(problems, bank, checked=len(bank.questions))
    return get("json")(ctx), get("full")(ctx)


def gone(pid: int) -> bool:
    """True when ``pid`` no longer runs (reaped, or a zombie nobody waits for)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def wait_gone(pid: int, seconds: float = 10) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if gone(pid):
            return True
        time.sleep(0.02)
    return False


# -- the engine --------------------------------------------------------------------------


@pytest.mark.usefixtures("always")
def test_background_report_equals_sequential(bank: Bank, forks: list[int]) -> None:
    sequential = report(bank, Options(background=False))
    assert forks == []
    assert report(bank, Options()) == sequential
    assert len(forks) == 1
    assert '"rule": "QB301"' in sequential[0] and '"rule": "QB303"' in sequential[0]


@pytest.mark.usefixtures("always")
def test_dedup_engine_imported_before_the_fork(
    bank: Bank, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child inherits numpy and rapidfuzz instead of importing them every run."""
    calls: list[int] = []
    real = duplicates.before_fork
    monkeypatch.setattr(duplicates, "before_fork", lambda: calls.append(len(forks)) or real())
    engine.validate(bank, Options(background=False))
    assert calls == []
    engine.validate(bank, Options())
    assert calls == [0] and len(forks) == 1  # called once, before the fork
    assert "qbank.validate.dedup" in sys.modules


@pytest.mark.usefixtures("always")
def test_pull_request_mode_equals_sequential(bank: Bank, forks: list[int]) -> None:
    changed = {q.id for q in bank.questions[::7]}
    files = {q.file for q in bank.questions[::7]}

    def options(**kw: bool) -> Options:
        return Options(changed_ids=set(changed), changed_files=set(files), **kw)

    assert report(bank, options()) == report(bank, options(background=False))
    assert forks == []  # the other families check only the changed questions: no fork
    assert report(bank, options(all_findings=True)) == report(
        bank, options(all_findings=True, background=False)
    )
    assert len(forks) == 1


@pytest.mark.usefixtures("always")
@pytest.mark.parametrize("failure", ["raises", "garbage", "silent", "killed"])
def test_failed_child_gives_the_same_report(
    bank: Bank, forks: list[int], monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    """Whatever goes wrong in the child, the parent checks duplicates itself."""
    sequential = report(bank, Options(background=False))
    parent = os.getpid()
    real_check = duplicates.check

    def check(ctx: engine.Context) -> Iterator[engine.Problem]:
        if os.getpid() != parent:  # in the child
            if failure == "raises":
                raise RuntimeError("injected")
            if failure == "silent":
                os._exit(0)  # no answer at all
            if failure == "killed":
                os.kill(os.getpid(), signal.SIGKILL)
        return real_check(ctx)

    monkeypatch.setattr(engine, "checks", _replaced("QB3", check))
    if failure == "garbage":
        monkeypatch.setattr(background.pickle, "dumps", lambda *a, **k: b"\x80\x05garbage")
    jobs = _jobs(monkeypatch)
    assert report(bank, Options()) == sequential
    assert len(forks) == 1 and gone(forks[0])
    assert jobs[0].fallback is not None


@pytest.mark.usefixtures("always")
def test_interrupt_leaves_no_child(
    bank: Bank, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the other families run: the child is killed and reaped."""
    parent = os.getpid()

    def slow_check(ctx: engine.Context) -> Iterator[engine.Problem]:
        if os.getpid() != parent:
            time.sleep(60)
        return iter(())

    def interrupted(ctx: engine.Context) -> Iterator[engine.Problem]:
        raise KeyboardInterrupt

    checks = _replaced("QB3", slow_check)
    monkeypatch.setattr(engine, "checks", lambda: _replaced("QB4", interrupted, checks)())
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        engine.validate(bank, Options())
    assert time.monotonic() - start < 30
    assert len(forks) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(forks[0], os.WNOHANG)  # already reaped
    assert gone(forks[0])


def test_small_banks_do_not_fork(bank: Bank, forks: list[int]) -> None:
    engine.validate(bank, Options())
    engine.validate(load_bank(Path(__file__).parents[1] / "bank"), Options())
    assert forks == []


@pytest.mark.usefixtures("always")
@pytest.mark.parametrize(
    "case", ["workers=1", "background=False", "only QB3", "QBANK_NO_FORK", "too large"]
)
def test_runs_that_stay_in_process(
    bank: Bank, forks: list[int], monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    options = {
        "workers=1": Options(workers=1),
        "background=False": Options(background=False),
        # nothing to overlap with
        "only QB3": Options(skip={f for f, _ in engine.checks() if f != "QB3"}),
    }.get(case, Options())
    if case == "QBANK_NO_FORK":
        monkeypatch.setenv(background.DISABLE_ENV, "1")
    if case == "too large":  # the child's copy of the heap would cost too much memory
        monkeypatch.setattr(duplicates, "BACKGROUND_MAX_QUESTIONS", len(bank.questions) - 1)
    engine.validate(bank, options)
    assert forks == []


# -- the job ----------------------------------------------------------------------------


def test_value_comes_from_the_child(forks: list[int]) -> None:
    with background.start(os.getpid, lambda v: isinstance(v, int)) as job:
        value = job.result()
    assert value == forks[0] != os.getpid()
    assert job.fallback is None


def test_refused_answer_is_computed_here(forks: list[int]) -> None:
    with background.start(os.getpid, lambda v: False) as job:
        assert job.result() == os.getpid()
    assert job.fallback == "the child's answer has the wrong shape"


def test_killed_child_is_computed_here(forks: list[int]) -> None:
    parent = os.getpid()

    def work() -> str:
        if os.getpid() != parent:
            time.sleep(60)
        return "here"

    with background.start(work, lambda v: True) as job:
        os.kill(forks[0], signal.SIGKILL)
        assert job.result() == "here"
    assert job.fallback is not None and "failed" in job.fallback


def test_hung_child_is_killed_and_computed_here(
    forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lock held at the fork (by a thread that does not exist in the child) stays held
    there for ever: the child sleeps without CPU, the parent gives up on it."""
    monkeypatch.setattr(background, "STALL_SECONDS", 0.5)
    lock = threading.Lock()

    def work() -> int:
        with lock:
            return os.getpid()

    lock.acquire()
    start = time.monotonic()
    with background.start(work, lambda v: True) as job:
        lock.release()  # in this process; the child's copy stays held
        assert job.result() == os.getpid()
    assert job.fallback == "the child hung"
    assert 0.5 <= time.monotonic() - start < 30
    assert gone(forks[0])


def test_busy_child_is_not_hung(forks: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(background, "STALL_SECONDS", 0.3)

    def spin() -> int:
        end = time.monotonic() + 1.5
        while time.monotonic() < end:
            pass
        return os.getpid()

    parent = os.getpid()
    with background.start(lambda: spin() if os.getpid() != parent else -1, lambda v: True) as job:
        assert job.result() == forks[0]
    assert job.fallback is None


def test_close_kills_a_running_child(forks: list[int]) -> None:
    start = time.monotonic()
    with background.start(lambda: time.sleep(60), lambda v: True):
        pass
    assert time.monotonic() - start < 30
    assert gone(forks[0])


def test_interrupt_while_waiting_kills_the_child(forks: list[int]) -> None:
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    start = time.monotonic()
    try:
        with background.start(lambda: time.sleep(60), lambda v: True) as job:
            signal.setitimer(signal.ITIMER_REAL, 0.3)
            with pytest.raises(KeyboardInterrupt):
                job.result()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - start < 30
    with pytest.raises(ChildProcessError):
        os.waitpid(forks[0], os.WNOHANG)
    assert gone(forks[0])


def test_answer_kept_when_children_are_reaped_elsewhere(forks: list[int]) -> None:
    """With SIGCHLD ignored the kernel reaps the child: its complete answer still counts."""
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        with background.start(os.getpid, lambda v: isinstance(v, int)) as job:
            assert job.result() == forks[0]
    finally:
        signal.signal(signal.SIGCHLD, previous)
    assert job.fallback is None


def test_child_dies_with_its_parent(tmp_path: Path) -> None:
    """A parent killed with SIGKILL (no cleanup at all) takes its child along."""
    script = textwrap.dedent(
        """
        import os, signal, sys, time
        from qbank.validate import background
        job = background.start(lambda: time.sleep(60), lambda v: True)
        print(job.pid, flush=True)
        time.sleep(0.3)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env
    )
    assert out.returncode == -signal.SIGKILL
    assert wait_gone(int(out.stdout.strip()))


def test_available(monkeypatch: pytest.MonkeyPatch) -> None:
    assert background.available()
    assert not background.available(workers=1)
    with monkeypatch.context() as m:
        m.setenv(background.DISABLE_ENV, "1")
        assert not background.available()
        m.setenv(background.DISABLE_ENV, "0")
        assert background.available()
    with monkeypatch.context() as m:
        m.setattr(os, "sched_getaffinity", lambda pid: {0})
        assert not background.available()  # one core for this process (taskset)
    with monkeypatch.context() as m:
        m.setattr(os, "getloadavg", lambda: (float(background.usable_cores()), 0.0, 0.0))
        assert not background.available()  # every core busy
    with monkeypatch.context() as m:
        m.setattr(sys, "platform", "darwin")
        assert not background.available()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not background.available()  # a second Python thread: never fork
    finally:
        stop.set()
        thread.join()
    assert background.available()


# -- helpers -----------------------------------------------------------------------------


def _replaced(
    family: str,
    fn: engine.Check,
    checks: Callable[[], list[tuple[str, engine.Check]]] = engine.checks,
) -> Callable[[], list[tuple[str, engine.Check]]]:
    return lambda: [(f, fn if f == family else c) for f, c in checks()]


def _jobs(monkeypatch: pytest.MonkeyPatch) -> list[background.Job[object]]:
    """The jobs the engine starts from now on."""
    jobs: list[background.Job[object]] = []
    real = background.start

    def start(fn: Callable[[], object], accept: Callable[[object], bool]) -> background.Job[object]:
        job = real(fn, accept)
        jobs.append(job)
        return job

    monkeypatch.setattr(background, "start", start)
    return jobs
