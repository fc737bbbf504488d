"""Maths as readable text for paper: see :mod:`qbank.render.text` (shared with SurveyJS,
whose titles and choices are plain text)."""

from __future__ import annotations

from qbank.render.text import math_text

__all__ = ["math_text"]
