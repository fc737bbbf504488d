"""Pausing Python's cyclic garbage collector around work that builds many small objects
without cycles (YAML node trees, question data, findings, report dicts).

With a large bank in memory every automatic collection walks all of it again and frees
nothing, because none of these objects form cycles: 0.1–0.8 s of a 20,000-question run,
measured per stage in ``docs/performance.md``. :func:`paused` turns the collector off for a
block (or, as ``@paused()``, a function) and back on afterwards only if it was on, so
nested pauses and a caller's own choice are kept; :func:`settle` ages what a pause left
behind without a scan.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The cyclic garbage collector off inside the block, as it was afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def settle() -> None:
    """Move every object the collector tracks into its oldest generation, unscanned.

    With the collector paused, everything loading made waits in the youngest generation, and
    the first allocation after it is turned on again scans all of it (≈ 30 ms of CPU after a
    2,000-question bank; the bank is long-lived and cycle-free, so nothing is freed). ``freeze``
    then ``unfreeze`` moves the objects to the oldest generation without a scan and resets the
    count. Does nothing while objects are kept frozen (``unfreeze`` would release them too).
    :func:`qbank.load.load_bank` calls it after a pause when its caller had the collector on
    (the CLI pauses it for the whole command and freezes the bank after loading).
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
