"""Pausing Python's cyclic garbage collector around work that builds many small objects
without cycles (YAML node trees, question data, findings, report dicts).

With a large bank in memory every automatic collection walks all of it again and frees
nothing, because none of these objects form cycles: 0.1–0.8 s of a 20,000-question run,
measured per stage in ``docs/performance.md``. :func:`paused` turns the collector off for a
block (or, as ``@paused()``, a function) and back on afterwards only if it was on, so
nested pauses and a caller's own choice are kept.
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
