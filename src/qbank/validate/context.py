"""What a validation run is given: :class:`Options` (what to check, how strictly) and the
:class:`Context` every rule family's ``check(ctx)`` receives.

Below both the engine and the rule families, so a rule never imports the engine that runs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qbank.load import Bank
    from qbank.model import AnyQuestion


@dataclass
class Options:
    """What a validation run checks and how strictly."""

    #: question ids added or changed (pull-request mode); None means the whole bank
    changed_ids: set[str] | None = None
    #: bank-relative question files the pull request added or changed (pull-request mode)
    changed_files: set[str] | None = None
    #: pull-request mode reports per-question findings of the whole bank, not only of the
    #: changed questions (``--all-findings``)
    all_findings: bool = False
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

    @cached_property
    def questions(self) -> list[AnyQuestion]:
        """The questions whose own findings are reported: in pull-request mode the changed
        ones (unless ``all_findings``), else every question. Per-question checks iterate
        these; checks that compare a question with the bank still read ``bank.questions``.
        Worked out once per run (the engine gives every family the same context)."""
        if not scoped(self.options):
            return self.bank.questions
        changed = self.options.changed_ids or set()
        return [q for q in self.bank.questions if q.id in changed]


def scoped(options: Options) -> bool:
    """Whether per-question findings are limited to the changed questions (pull-request
    mode without ``all_findings``)."""
    return options.changed_ids is not None and not options.all_findings
