"""What a validation run is given: :class:`Options` (what to check, how strictly) and the
:class:`Context` every rule family's ``check(ctx)`` receives.

Below both the engine and the rule families, so a rule never imports the engine that runs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qbank.load import Bank


@dataclass
class Options:
    """What a validation run checks and how strictly."""

    #: question ids added or changed (pull-request mode); None means the whole bank
    changed_ids: set[str] | None = None
    #: overrides the manifest's dedup threshold
    similarity_threshold: int | None = None
    #: rule families or ids to skip entirely (e.g. {"QB3"} to skip dedup)
    skip: set[str] = field(default_factory=set)
    workers: int = -1
    progress: bool = False
    #: export targets to check (QB7xx: moodle, gift, qti, qti3); None takes the manifest's
    targets: set[str] | None = None


@dataclass
class Context:
    """What a rule family's ``check`` receives."""

    bank: Bank
    options: Options
