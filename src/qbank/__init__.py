"""qbank: exam question banks in YAML — validate, export and draw reproducible quizzes.

Library first (the CLI is a thin layer); the public API is :mod:`qbank.api`, re-exported
here::

    import qbank
    bank = qbank.load_bank("bank")
    report = qbank.validate_bank(bank)
    for problem in report.problems:
        print(problem.location, problem.rule, problem.message)
    quiz = qbank.draw_quiz(bank, "4.3-practice")
    qbank.export_docx(bank, "out/4.3-practice.docx", "4.3-practice")

The names are resolved lazily (``import qbank`` stays cheap) and are functions, never
subpackages: ``qbank.validate`` and ``qbank.draw`` are the packages behind
``validate_bank`` and ``draw_quiz``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qbank.version import __version__

if TYPE_CHECKING:
    from qbank.api import (
        draw_quiz,
        export_anki,
        export_csv,
        export_docx,
        export_gift,
        export_html,
        export_json,
        export_moodle,
        export_qti,
        export_surveyjs,
        export_xlsx,
        import_bank,
        load_bank,
        validate_bank,
    )
    from qbank.load import Bank

__all__ = [
    "Bank",
    "__version__",
    "draw_quiz",
    "export_anki",
    "export_csv",
    "export_docx",
    "export_gift",
    "export_html",
    "export_json",
    "export_moodle",
    "export_qti",
    "export_surveyjs",
    "export_xlsx",
    "import_bank",
    "load_bank",
    "validate_bank",
]

_API = frozenset(__all__) - {"Bank", "__version__"}


def __getattr__(name: str) -> Any:
    # Looked up in the module's globals first: a name bound there (a submodule imported as
    # ``qbank.draw``) is never shadowed by this function, and the API names are not
    # submodules, so they always resolve here.
    if name in _API:
        from qbank import api

        return getattr(api, name)
    if name == "Bank":
        from qbank.load import Bank

        return Bank
    raise AttributeError(f"module 'qbank' has no attribute {name!r}")
