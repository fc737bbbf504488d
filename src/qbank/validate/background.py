"""One expensive computation in a forked child process while this process does other work —
the second core for ``qbank validate`` (the engine runs the near-duplicate family QB3 this
way, alongside QB2/QB4/QB5/QB6). Threads cannot do it: the rule families are pure Python and
hold the GIL (docs/performance.md).

:func:`start` forks; the child runs the function, pickles its result into a pipe and leaves
with ``os._exit`` (no ``atexit`` handlers, no buffered output flushed twice, no files
written); :meth:`Job.result` reads it back. The result is always the function's own value:
whenever the child cannot deliver it — it raised, died, was killed, hung (asleep without a
CPU tick for :data:`STALL_SECONDS`: then it is killed), sent a short or undecodable answer,
or sent something ``accept`` refuses — the parent calls the function itself, so a caller
gets the same value as a sequential run whatever happens (only later). :meth:`Job.close`
(also on leaving a ``with`` block, so on Ctrl-C or an exception) kills and reaps a child
that has not finished: no orphan, no zombie.

Only where it is safe and can pay off (:func:`available`): Linux (``os.fork``; macOS forks
badly with system frameworks loaded, Windows has no fork), at least two cores, one of them
idle by the load average, no second Python thread (a thread holding a lock at the fork
would leave the child's copy locked forever), and not turned off with ``QBANK_NO_FORK=1``.
Whether the work is large enough is the caller's decision
(:func:`qbank.validate.rules.duplicates.worth_background`).

Memory: the child shares the parent's pages copy-on-write. It turns the cyclic garbage
collector off for its short life (a collection would write to every tracked object's header
and so copy the whole heap); what it copies is what its work touches — about the loaded
bank's size while it runs (reference counts live in the objects), freed when it exits. A
child whose parent dies is killed by the kernel (``PR_SET_PDEATHSIG``), so even a parent
killed with SIGKILL leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import select
import signal
import struct
import sys
import threading
import time
import warnings
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

#: environment variable that turns the fork off (debugging, or a machine whose cores are
#: better left to others)
DISABLE_ENV = "QBANK_NO_FORK"
#: the answer's frame: its length (8 bytes, little-endian) then the pickle
_HEADER = struct.Struct("<Q")
#: pipe buffer asked for (Linux ``F_SETPIPE_SZ``), so a child with a large answer can finish
#: writing and exit while the parent still works
_PIPE_BYTES = 1 << 20
_PR_SET_PDEATHSIG = 1
#: a child that sleeps without using any CPU for this long is stuck (a lock copied held at
#: the fork: a native library's thread held it) and is killed; the parent computes instead
STALL_SECONDS = 5.0
_POLL_MS = 250


class _Idle:
    """Watches a child's CPU time (``/proc/PID/stat``) while the parent waits for it."""

    def __init__(self) -> None:
        self.ticks: int | None = None
        self.since = time.monotonic()

    def hung(self, pid: int) -> bool:
        """True once the child has been asleep, without a CPU tick, for STALL_SECONDS."""
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            return False  # gone: end-of-file follows
        state, ticks = fields[0], int(fields[11]) + int(fields[12])  # utime + stime
        now = time.monotonic()
        if state != b"S" or ticks != self.ticks:
            self.ticks, self.since = ticks, now
            return False
        return now - self.since >= STALL_SECONDS


def available(workers: int = -1) -> bool:
    """Whether :func:`start` may fork here and a second core is free to run the child:
    Linux, ≥ 2 cores this process may run on, ``workers`` not 1, only one Python thread,
    ``QBANK_NO_FORK`` unset (or ``0``), and a load average below ``cores - 0.5`` (like
    ``make -l``; this process counts 1): on a busy machine the child only adds its
    copy-on-write faults to the run (docs/performance.md)."""
    if os.environ.get(DISABLE_ENV, "0") not in ("", "0"):
        return False
    if workers == 1 or sys.platform != "linux" or not hasattr(os, "fork"):
        return False
    cores = usable_cores()
    if cores < 2 or threading.active_count() != 1:
        return False
    return os.getloadavg()[0] < cores - 0.5


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity, e.g. ``taskset``), else all."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Job(Generic[T]):
    """``fn()`` running in a forked child; :meth:`result` returns its value (computing it
    here if the child could not). Use as a context manager so the child never outlives the
    block."""

    def __init__(self, fn: Callable[[], T], accept: Callable[[object], bool]) -> None:
        self.fn = fn
        self.accept = accept
        self.pid: int | None = None
        self._fd: int | None = None
        #: why the result was computed in this process (None: it came from the child)
        self.fallback: str | None = None

    def __enter__(self) -> Job[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the parent's side -----------------------------------------------------------------

    def result(self) -> T:
        """The child's answer, or ``fn()`` computed here when there is none (see the module
        docstring). Waits for the child."""
        if self.pid is None:
            self.fallback = self.fallback or "not started"
            return self.fn()
        try:
            data = self._read()
        except BaseException:  # Ctrl-C while waiting: do not wait for the child as well
            self.close()
            raise
        status = self._reap()
        value, why = self._decode(data, status) if data is not None else (None, "the child hung")
        if why is None:
            return value  # type: ignore[return-value]  # accept() vouched for it
        self.fallback = why
        return self.fn()

    def close(self) -> None:
        """Kill the child if it still runs and reap it (idempotent)."""
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self._reap()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _read(self) -> bytes | None:
        """Everything the child writes, up to end-of-file; None when the child hangs
        (:class:`_Idle`): it is killed then."""
        assert self._fd is not None
        chunks = []
        poller = select.poll()
        poller.register(self._fd, select.POLLIN | select.POLLHUP)
        idle = _Idle()
        try:
            while True:
                if not poller.poll(_POLL_MS):
                    if self.pid is not None and idle.hung(self.pid):
                        os.kill(self.pid, signal.SIGKILL)
                        return None
                    continue
                chunk = os.read(self._fd, _PIPE_BYTES)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            os.close(self._fd)
            self._fd = None
        return b"".join(chunks)

    def _reap(self) -> int | None:
        pid, self.pid = self.pid, None
        if pid is None:
            return None
        try:
            return os.waitpid(pid, 0)[1]
        except ChildProcessError:  # reaped by someone else (a SIGCHLD handler)
            return None

    def _decode(self, data: bytes, status: int | None) -> tuple[object, str | None]:
        # status None: reaped elsewhere (SIGCHLD ignored); the frame and pickle still tell
        if status is not None and (not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0):
            return None, f"the child failed (wait status {status})"
        if len(data) < _HEADER.size or _HEADER.unpack_from(data)[0] != len(data) - _HEADER.size:
            return None, f"the child's answer is incomplete ({len(data)} bytes)"
        try:
            value = pickle.loads(memoryview(data)[_HEADER.size :])
        except Exception as exc:  # any undecodable answer: compute it here
            return None, f"the child's answer does not decode ({type(exc).__name__})"
        if not self.accept(value):
            return None, "the child's answer has the wrong shape"
        return value, None

    # -- the child's side ------------------------------------------------------------------

    def _run_child(self, fd: int, parent: int, die_with: Callable[[], None]) -> None:
        """In the child: compute, send, leave. Never returns."""
        code = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it quietly
            gc.disable()  # a collection would copy every page of the inherited heap
            die_with()
            if os.getppid() != parent:
                return  # the parent died before the kernel was asked to watch it
            payload = pickle.dumps(self.fn(), protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(_HEADER.pack(len(payload)) + payload)
            while view:
                view = view[os.write(fd, view) :]
            code = 0
        except BaseException:  # the parent computes it instead
            code = 1
        finally:
            os._exit(code)


def start(fn: Callable[[], T], accept: Callable[[object], bool]) -> Job[T]:
    """Fork a child computing ``fn()``; the returned job's :meth:`Job.result` is ``fn()``.

    ``accept`` checks the decoded answer's shape (a child that sent something else is
    ignored). When forking is not possible, the job computes ``fn()`` in :meth:`Job.result`.
    Call :func:`available` first to decide whether running in the background is wanted.
    """
    job = Job(fn, accept)
    for stream in (sys.stdout, sys.stderr):  # else the child could write their buffers again
        with contextlib.suppress(Exception):
            stream.flush()
    read_fd, write_fd = os.pipe()
    with contextlib.suppress(OSError, AttributeError):
        import fcntl

        fcntl.fcntl(write_fd, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
    parent, die_with = os.getpid(), _die_with_parent()
    try:
        with warnings.catch_warnings():
            # Python ≥ 3.12 warns when native threads exist (numpy's idle OpenBLAS pool);
            # the child runs no BLAS and no second Python thread exists (available())
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError as exc:  # out of processes or memory: compute here instead
        os.close(read_fd)
        os.close(write_fd)
        job.fallback = f"fork failed ({exc.strerror})"
        return job
    if pid == 0:
        os.close(read_fd)
        job._run_child(write_fd, parent, die_with)
    os.close(write_fd)
    job.pid, job._fd = pid, read_fd
    return job


def _die_with_parent() -> Callable[[], None]:
    """A function the child calls first: ask the kernel to kill the child when its parent
    dies (Linux ``prctl(PR_SET_PDEATHSIG)``). Looked up in the parent, so the child's work
    starts without importing ctypes."""
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (ImportError, OSError, AttributeError):
        return lambda: None

    def die_with() -> None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)

    return die_with
