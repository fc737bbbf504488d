"""QB012's fast path (:func:`qbank.validate.rules.characters.clean_source`): a file whose text
cannot give a control character is not searched value by value. These tests hold it to the
full check: never clean when a value of the file holds one."""

from __future__ import annotations

from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from qbank.load import load_bank, load_text
from qbank.validate.context import Context, Options
from qbank.validate.rules.characters import CONTROL_RE, check, clean_source, control_characters

#: every escape of a double-quoted YAML scalar, and raw characters around the control set
_ESCAPES = [
    "\\0", "\\a", "\\b", "\\t", "\\\t", "\\n", "\\v", "\\f", "\\r", "\\e", "\\ ", '\\"', "\\/",
    "\\\\", "\\N", "\\_", "\\L", "\\P", "\\x07", "\\x41", "\\x85", "\\u0001", "\\u00e9",
    "\\ufffe", "\\ufdd0", "\\U0001fffe", "\\U0001F600", "\\\\x07", "\\\\f",
]  # fmt: skip
_RAW = ["a", " ", "é", "\t", "\r", "\r\n", "\x85", "\u2028", "\ufdd0", "\ufeff", "\x7f", "\x01"]


def _full_check(questions: list) -> list[str]:
    return [
        p.message
        for q in questions
        for p in control_characters(q, q.model_dump(mode="python", exclude_none=True), q.id)
    ]


@settings(max_examples=400, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(_ESCAPES + _RAW), max_size=6),
    raw=st.lists(st.sampled_from(_RAW), max_size=3),
    style=st.sampled_from(["double", "single", "plain", "literal"]),
)
def test_clean_source_never_hides_a_control_character(
    pieces: list[str], raw: list[str], style: str
) -> None:
    body = "".join(pieces)
    if style == "double":
        text_field = f'text: "Stem {body}"'
    elif style == "single":
        text_field = "text: 'Stem " + body.replace("'", "''") + "'"
    elif style == "plain":
        text_field = f"text: Stem {body}"
    else:
        text_field = "text: |\n  Stem " + body.replace("\n", "\n  ")
    doc = (
        f"id: q1\ntype: truefalse\n{text_field}\nanswer: true\nexplanation: 'why {''.join(raw)}'\n"
    )
    questions, _ = load_text(doc)
    found = _full_check(questions)
    if clean_source(doc.removeprefix("\ufeff")):
        assert found == [], (doc, found)


@example("a\x7fb")
@example("line\r\n")
@example("\x01")
@example("caf\u00e9 \x85")
@given(
    st.one_of(
        st.text(alphabet=st.characters(max_codepoint=0x7F, exclude_characters="\\")),
        st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\\"), max_size=40),
    )
)
def test_without_escapes_clean_means_no_control_character(text: str) -> None:
    """Without a backslash, ``clean_source`` is exactly "no character of the control set",
    on the ASCII shortcut and on the regular expression alike."""
    assert clean_source(text) == (CONTROL_RE.search(text) is None)


def test_a_control_escape_is_still_found_through_the_fast_path(tmp_path: Path) -> None:
    (tmp_path / "qbank.yaml").write_text("id: b\ntitle: B\n", encoding="utf-8")
    (tmp_path / "clean.yaml").write_text(
        "id: clean\ntype: truefalse\ntext: Ring the bell now.\nanswer: true\n", encoding="utf-8"
    )
    (tmp_path / "bell.yaml").write_text(
        'id: bell\ntype: truefalse\ntext: "Ring the bell\\x07 now."\nanswer: true\n',
        encoding="utf-8",
    )
    bank = load_bank(tmp_path)
    found = list(check(Context(bank, Options())))
    assert [(p.rule, p.question_id, p.location.file) for p in found] == [
        ("QB012", "bell", "bell.yaml")
    ]
    assert "U+0007 at character 14 of `text`" in found[0].message


def test_fast_path_equals_full_check_on_the_bench_banks(tmp_path: Path) -> None:
    """Exhaustive on generated banks in both bench styles: the same findings (as JSON)."""
    import sys

    bench = Path(__file__).resolve().parents[1] / "bench"
    sys.path.insert(0, str(bench))
    try:
        import dedup_synth
        import realtext_synth
    finally:
        sys.path.remove(str(bench))
    roots = [
        realtext_synth.write_bank(tmp_path / "real", 300, 6, seed=1),
        dedup_synth.write_bank(tmp_path / "synth", dedup_synth.generate(600, seed=1), 3),
    ]
    # a file with an escape in each bank, so both paths have something to find
    for root in roots:
        (root / "zz-escape.yaml").write_text(
            'id: zz-escape\ntype: truefalse\ntext: "a\\u0001b"\nanswer: true\n', encoding="utf-8"
        )
    for root in roots:
        bank = load_bank(root)
        fast = [repr(p) for p in check(Context(bank, Options()))]
        full = [
            repr(p)
            for q in bank.questions
            for p in control_characters(q, q.model_dump(mode="python", exclude_none=True), q.id)
        ]
        assert [f for f in fast if "question_id=None" not in f] == full
        assert any("zz-escape" in f for f in full)
