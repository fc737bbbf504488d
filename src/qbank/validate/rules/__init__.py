"""Rule families, one module each. A family registers its rules' documentation
(:class:`qbank.diagnostics.Rule`) at import and may expose ``check(ctx)`` yielding problems.

| family | module | what |
|---|---|---|
| QB0xx | qbank.load.rules.files | YAML and files (reported by the loader) |
| QB1xx | qbank.load.rules.schema | fields and types (reported by the loader) |
| QB012 | characters | control characters in any value (after loading) |
| QB2xx | answers | answer keys |
| QB3xx | duplicates | near-duplicate questions |
| QB4xx | style | item-writing lint |
| QB5xx | media | images and markup |
| QB6xx | bank | ids, taxonomy and quiz references across files |
| QB7xx | targets | what a chosen export target (Moodle, GIFT, QTI) cannot carry |
"""

from __future__ import annotations

import importlib
from types import ModuleType

#: the loader's families live with the loader (it reports them while reading)
FAMILY_MODULES = (
    "qbank.load.rules.files",
    "qbank.load.rules.schema",
    "qbank.validate.rules.characters",
    "qbank.validate.rules.answers",
    "qbank.validate.rules.duplicates",
    "qbank.validate.rules.style",
    "qbank.validate.rules.media",
    "qbank.validate.rules.bank",
    "qbank.validate.rules.targets",
)


def families() -> list[ModuleType]:
    """Import every family that exists (in id order) and return the modules."""
    found = []
    for name in FAMILY_MODULES:
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return found
