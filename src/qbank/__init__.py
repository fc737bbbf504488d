"""qbank: exam question banks in YAML — validate, export and draw reproducible quizzes.

Library first (the CLI is a thin layer)::

    import qbank
    bank = qbank.load_bank("bank")
    report = qbank.validate(bank)
    for problem in report.problems:
        print(problem.location, problem.rule, problem.message)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from qbank.load import Bank, load_bank
    from qbank.validate.engine import validate

__all__ = ["Bank", "__version__", "load_bank", "validate"]


def __getattr__(name: str) -> Any:
    if name in ("Bank", "load_bank"):
        from qbank import load

        return getattr(load, name)
    if name == "validate":
        from qbank.validate.engine import validate

        return validate
    raise AttributeError(name)
