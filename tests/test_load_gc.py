"""load_bank and the cyclic garbage collector: the collector is left as the caller had it,
and a caller with the collector on does not pay a scan of the whole new bank afterwards."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from qbank.load import load_bank

BANK = Path(__file__).resolve().parents[1] / "bank"


@pytest.fixture
def collector() -> Iterator[None]:
    """The collector's state, restored afterwards; nothing frozen to start with (CLI tests
    that ran in this process leave their banks frozen, as the CLI does before it exits)."""
    enabled = gc.isenabled()
    gc.unfreeze()
    yield
    gc.unfreeze()
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_collector_on_stays_on_and_the_bank_is_settled(collector: None) -> None:
    gc.enable()
    gc.collect()
    bank = load_bank(BANK)
    assert gc.isenabled()
    # the bank's objects were moved to the oldest generation: nothing waits in the
    # youngest one for the next collection to scan
    assert gc.get_count()[0] < 100
    assert any(gc.is_tracked(q) for q in bank.questions)
    assert gc.get_freeze_count() == 0


def test_collector_off_stays_off_and_nothing_is_moved(collector: None) -> None:
    gc.disable()
    gc.collect()
    before = gc.get_count()[0]
    load_bank(BANK)
    assert not gc.isenabled()
    assert gc.get_count()[0] > before + 300  # left where they were: the caller decides
    assert gc.get_freeze_count() == 0


def test_a_callers_frozen_objects_stay_frozen(collector: None) -> None:
    gc.enable()
    gc.freeze()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    load_bank(BANK)
    assert gc.get_freeze_count() == frozen
    assert gc.isenabled()
