"""The public API (qbank.api, re-exported from qbank): every function documented with an
example, the examples run as doctests against the sample bank, and no subpackage shadows a
public name."""

from __future__ import annotations

import doctest
import importlib
import tempfile
import types
from pathlib import Path

import pytest

import qbank
import qbank.api
from conftest import ROOT

PUBLIC = (
    "load_bank",
    "validate_bank",
    "draw_quiz",
    "export_anki",
    "export_docx",
    "export_json",
    "export_surveyjs",
    "export_html",
    "export_moodle",
    "export_gift",
    "export_qti",
    "export_csv",
    "export_xlsx",
    "import_bank",
)


def test_the_top_level_names_are_the_api_functions() -> None:
    assert set(PUBLIC) <= set(qbank.__all__)
    assert set(qbank.api.__all__) == set(PUBLIC)
    for name in PUBLIC:
        assert getattr(qbank, name) is getattr(qbank.api, name)
    # the subpackages keep their names; the functions are not shadowed by them
    for package in ("qbank.draw", "qbank.validate"):
        importlib.import_module(package)
    assert isinstance(qbank.validate, types.ModuleType) and isinstance(qbank.draw, types.ModuleType)
    assert callable(qbank.validate_bank) and callable(qbank.draw_quiz)
    with pytest.raises(AttributeError):
        qbank.no_such_name  # noqa: B018


def test_every_public_function_has_an_example() -> None:
    for name in PUBLIC:
        doc = getattr(qbank.api, name).__doc__ or ""
        assert ">>> " in doc, f"qbank.api.{name} has no docstring example"


def test_docstring_examples_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(ROOT)  # the examples use the sample bank, "bank"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # outputs land in tmp_path
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tested = set()
    for test in finder.find(qbank.api):
        if test.examples:
            tested.add(test.name.rsplit(".", 1)[-1])
            runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed (output above)"
    assert tested >= set(PUBLIC)
    assert result.attempted >= 30


def test_readme_library_example_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The README's library section, run as written (from a folder holding the sample bank)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Library", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    (tmp_path / "bank").symlink_to(ROOT / "bank", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    exec(compile(code, "README.md", "exec"), {"__name__": "readme_example"})
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["4.3-practice-key.docx", "4.3-practice.docx", "aws-mls.apkg"]
