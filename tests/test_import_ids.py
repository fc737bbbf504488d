"""Ids from sources: :func:`qbank.importers.clean_id` skips Unicode normalisation for ASCII
ids (the common case, ``ID-17``); it must give what the general path gives for any text."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from qbank.importers import ID_RE, IdAllocator, clean_id


def _general(raw: str) -> str | None:
    """clean_id as it was written before the ASCII shortcut (always normalising)."""
    if ID_RE.match(raw.strip()) and len(raw.strip()) <= 80:
        return raw.strip()
    ascii_text = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9._-]+", "-", ascii_text.strip().lower())
    text = re.sub(r"-{2,}", "-", text).strip("-._")
    if not text or not ID_RE.match(text):
        return None
    return text[:80].rstrip("-._")


def test_no_ascii_character_changes_under_nfkd() -> None:
    # why the shortcut is exact: NFKD (and the ASCII encoding after it) keep ASCII as is
    for code in range(128):
        c = chr(code)
        assert unicodedata.normalize("NFKD", c) == c


@settings(max_examples=3000, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(
            st.sampled_from("aZ09-_. --\t\n/#éÉß\u00a0\u2003ﬁ①ΩıAQX"),
            st.characters(),
        ),
        max_size=100,
    )
)
def test_clean_id_is_the_general_mapping(raw: str) -> None:
    assert clean_id(raw) == _general(raw)


def test_clean_id_examples() -> None:
    cases = {
        "Q-17": "q-17",
        "ID-0": "id-0",
        " q-1 ": "q-1",
        "Kanji Origins": "kanji-origins",
        "Calculée": "calculee",
        "a -- b": "a-b",
        "--": None,
        "x" * 90: "x" * 80,
        "X" * 90: "x" * 80,
        "ﬁle ①": "file-1",
        # the lower-casing shortcut for ASCII ids and its edges
        "ID-17": "id-17",
        "A.B_C-9": "a.b_c-9",
        "A-": "a",
        "A--B": "a-b",
        "Q_1.": "q_1",
        "-ID": "id",
        "\u00a0ID-1\u2003": "id-1",
        "ID 1": "id-1",
        "X" * 80: "x" * 80,
        "X" * 81: "x" * 80,
        "ID-1\n": "id-1",
    }
    for raw, want in cases.items():
        assert clean_id(raw) == want == _general(raw), raw
    ids = IdAllocator("m-")
    assert ids.take("ID-3", "stem") == ("m-id-3", True)
    assert ids.take("id-3", "stem") == ("m-id-3-2", True)
