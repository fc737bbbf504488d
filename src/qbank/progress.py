"""Progress bars for long work: shown on a terminal, silent in CI and pipes (DESIGN §5).

rich draws the bar (it handles terminal width, refresh rate and non-TTY fallbacks better
than hand-written carriage returns).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

#: below this many items a bar is noise
MIN_ITEMS = 500


def enabled(total: int | None = None) -> bool:
    """True on an interactive stderr outside CI, for enough items."""
    if os.environ.get("CI") or os.environ.get("QBANK_NO_PROGRESS"):
        return False
    if total is not None and total < MIN_ITEMS:
        return False
    return sys.stderr.isatty()


def track(items: Iterable[T], *, total: int | None = None, label: str = "Working") -> Iterator[T]:
    """Iterate ``items``, drawing a bar on stderr when :func:`enabled`."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    if not enabled(total):
        yield from items
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        for item in items:
            yield item
            bar.advance(task)
