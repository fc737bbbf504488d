"""`qbank validate`: rules (one module per family), the dedup engine and reporters.

Imported lazily so that :mod:`qbank.load` can register the loader's rule docs
(QB0xx, QB1xx) without importing the validation engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qbank.validate.engine import Options, Report, validate

__all__ = ["Options", "Report", "validate"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from qbank.validate import engine

        return getattr(engine, name)
    raise AttributeError(name)
