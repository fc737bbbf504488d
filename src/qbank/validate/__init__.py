"""`qbank validate`: the engine, rules (one module per family), the dedup engine, reporters.

``validate``, ``Options`` and ``Report`` are resolved lazily from :mod:`~qbank.validate.engine`
so that importing a part (``qbank.validate.dedup``) does not load the engine. The library
entry point is :func:`qbank.validate_bank`.
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
