"""qbank.load.data's walk from node tree to data: it tracks the collections it has walked (to
refuse one reached twice, through an alias) only when the text holds a ``&``, since an alias
needs an anchor. Whatever the text, the walk gives the same data, problems and retyped
scalars as a walk that always tracks them: checked on every YAML file of the repository's
fixtures and sample bank, on the bench's real-style bank and on generated YAML (with the
anchors and aliases ``yaml.safe_dump`` writes for shared values). Also the reader's regex test
for suppression comments against the substring test it replaced."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qbank.load.data import _Abort, _Walker, to_data
from qbank.load.reading import _SUPPRESSION_HINT, decode_and_compose, read_source
from qbank.source import SourceFile, compose

ROOT = Path(__file__).resolve().parents[1]


def tracking_to_data(src: SourceFile) -> tuple[Any, list[Any], list[Any]]:
    """``to_data`` with the walked collections always tracked (the walk before the change)."""
    walker = _Walker(src)
    walker.seen = set()
    assert src.node is not None
    try:
        data = walker.walk(src.node)
    except _Abort as abort:
        return None, [*walker.problems, abort.problem], walker.retyped
    return data, walker.problems, walker.retyped


def same(src: SourceFile) -> None:
    got, expected = to_data(src), tracking_to_data(src)
    assert repr(got[0]) == repr(expected[0])
    assert repr(got[1]) == repr(expected[1])
    assert [(k, id(n)) for k, n in got[2]] == [(k, id(n)) for k, n in expected[2]]


def of_text(text: str) -> SourceFile:
    src = SourceFile(path=Path("q.yaml"), rel="q.yaml", text=text)
    src.node = compose(text)
    return src


def test_repository_files_walk_the_same() -> None:
    files = sorted((ROOT / "tests").rglob("*.y*ml")) + sorted((ROOT / "bank").rglob("*.y*ml"))
    walked = 0
    for path in files:
        src, _ = read_source(path, path.name)
        if src.node is not None:
            same(src)
            walked += 1
    assert walked > 60


def test_real_style_bank_walks_the_same(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from realtext_synth import write_bank
    finally:
        sys.path.remove(str(ROOT / "bench"))
    root = write_bank(tmp_path / "bank", 300, 6, seed=3)
    files = sorted(root.rglob("*.yaml"))
    assert len(files) >= 6
    for path in files:
        src, problems = read_source(path, path.name)
        assert src.node is not None, problems
        same(src)


def test_an_alias_is_still_refused_by_the_walk() -> None:
    # the reader refuses these texts first (QB004 from its event scan); the walk's own check
    # is the second line: it must still see the shared node
    for text in ("a: &x [1, 2]\nb: *x\n", "a: &x {k: v}\nb: [*x]\n", "- &x [1]\n- *x\n"):
        src = of_text(text)
        data, problems, _ = to_data(src)
        assert data is None
        assert [p.rule for p in problems] == ["QB004"]
        same(src)
    # an anchor without an alias, and `&` in plain text: tracked, nothing refused
    for text in ("a: &x [1]\nb: [2]\n", "text: Q&A [x]\nopts: [a & b, {k: v}]\n"):
        src = of_text(text)
        assert to_data(src)[0] is not None
        same(src)


def test_without_tracking_an_alias_would_pass() -> None:
    """Why the walk tracks where a `&` is: an untracked walk reads an alias as a copy."""
    src = of_text("a: &x [1, 2]\nb: *x\n")
    walker = _Walker(src)
    walker.seen = None
    assert src.node is not None
    assert walker.walk(src.node) == {"a": ["1", "2"], "b": ["1", "2"]}  # the alias passes


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=20),
    st.sampled_from(["no", "&x", "*x", "a & b", "{{x}}", "<<", "~", "010", "Q&A"]),
)
shared = st.lists(scalars, max_size=3)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.text(max_size=8), children, max_size=5),
        ),
        max_leaves=25,
    ),
    shared,
    st.booleans(),
)
def test_generated_yaml_walks_the_same(doc: Any, common: list[Any], share: bool) -> None:
    # the same list object twice: safe_dump writes it once with an anchor, then an alias
    text = yaml.safe_dump(
        {"doc": doc, "one": common, "two": common if share else list(common)},
        allow_unicode=True,
    )
    src = SourceFile(path=Path("q.yaml"), rel="q.yaml")
    decode_and_compose(src, text.encode("utf-8"))
    if src.node is not None:
        same(src)
    alias = of_text(text)
    same(alias)
    if share and "*" in text:
        assert [p.rule for p in to_data(alias)[1]] == ["QB004"]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=6),
            st.sampled_from(["qbank:", "qbank", "bank:", "q", ":", "qbank :", "QBANK:", "# "]),
        ),
        max_size=8,
    )
)
def test_suppression_hint_is_the_substring_test(parts: list[str]) -> None:
    """The reader looks for suppression comments when the regex ``qbank:`` matches: exactly
    when ``"qbank:" in text`` (the test it replaced)."""
    text = "".join(parts)
    assert bool(_SUPPRESSION_HINT.search(text)) == ("qbank:" in text)
