"""The import's YAML writer builds PyYAML's nodes itself: the same text as ``yaml.dump``."""

from __future__ import annotations

import os
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from qbank.importers.bank import WIDTH, _dump, _Dumper

WORDS = st.sampled_from(
    [
        "", " ", "yes", "No", "on", "null", "~", "true", "1", "1.0", "0x1F", "1e3", ".inf",
        "2024-01-01", "a: b", "- x", "# c", "'q'", '"q"', "@x", "`x`", "{x}", "[x]", "a\nb",
        "trailing ", "\ttab", "é ü", "x" * 80, "word " * 20, "line\n\nline\n", "\\( x \\)",
    ]
)  # fmt: skip
SCALARS = st.one_of(
    WORDS, st.text(max_size=120), st.booleans(), st.integers(-(10**12), 10**12), st.none()
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.one_of(WORDS, st.text()), inner, max_size=4)
    ),
    max_leaves=25,
)


def _reference(value: Any) -> str:
    text: str = yaml.dump(value, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=WIDTH)
    return text


@settings(max_examples=int(os.environ.get("QBANK_PROPERTY_EXAMPLES", "300")), deadline=None)
@given(VALUES)
def test_same_text_as_yaml_dump(value: Any) -> None:
    assert _dump(value) == _reference(value)


def test_shared_and_unknown_values_go_through_yaml_dump() -> None:
    shared = ["a", "b"]
    for value in ({"x": shared, "y": shared}, {"f": 1.5}, [("t", 1)], {"s": {1, 2}}):
        assert _dump(value) == _reference(value)
    assert "&id001" in _dump({"x": shared, "y": shared})  # PyYAML's anchor, as before
