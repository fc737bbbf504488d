"""Refresh the generated key references (manifest, quiz files) in README.md (`make docs`)."""

from __future__ import annotations

from pathlib import Path

from qbank.validate.docs import splice_formats

readme = Path(__file__).resolve().parents[1] / "README.md"
text = readme.read_text(encoding="utf-8")
new = splice_formats(text)
if new != text:
    readme.write_text(new, encoding="utf-8")
    print(f"updated {readme}")
