"""The read path of qbank.fsutil: ``inside`` (is a file's real location in the bank?) decides
as the ``Path``-based comparison it replaced, on real trees with symlinks and on generated
paths; ``read_bounded`` still refuses what lies outside the bank, special files and files
over the limit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qbank.fsutil import UnsafeInput, _inside, inside, read_bounded


def reference(path: str | Path, root: str | Path) -> bool:
    """``inside`` as it was written before: ``Path`` objects of both real paths."""
    return _inside(Path(os.path.realpath(path)), Path(os.path.realpath(root)))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A bank, a sibling whose name starts with the bank's, and links between them."""
    bank = tmp_path / "bank"
    (bank / "sub" / "deep").mkdir(parents=True)
    (bank / "q.yaml").write_text("id: a\n", encoding="utf-8")
    (bank / "sub" / "deep" / "r.yaml").write_text("id: b\n", encoding="utf-8")
    sibling = tmp_path / "bank2"
    sibling.mkdir()
    (sibling / "secret.yaml").write_text("id: s\n", encoding="utf-8")
    (tmp_path / "outside.yaml").write_text("id: o\n", encoding="utf-8")
    (bank / "in-link.yaml").symlink_to(bank / "sub" / "deep" / "r.yaml")
    (bank / "out-link.yaml").symlink_to(sibling / "secret.yaml")
    (bank / "up-link.yaml").symlink_to("../outside.yaml")
    (bank / "dir-link").symlink_to(sibling)
    (bank / "loop.yaml").symlink_to("loop.yaml")
    (tmp_path / "bank-link").symlink_to(bank)
    return tmp_path


def test_inside_decides_as_the_path_comparison_on_a_real_tree(tree: Path) -> None:
    bank = tree / "bank"
    paths = [
        bank,
        bank / "q.yaml",
        bank / "sub",
        bank / "sub" / "deep" / "r.yaml",
        bank / "sub" / ".." / "q.yaml",
        bank / ".." / "bank2" / "secret.yaml",
        bank / "in-link.yaml",
        bank / "out-link.yaml",
        bank / "up-link.yaml",
        bank / "dir-link" / "secret.yaml",
        bank / "loop.yaml",
        bank / "missing.yaml",
        tree / "bank2",
        tree / "bank2" / "secret.yaml",
        tree / "outside.yaml",
        tree / "bank-link" / "q.yaml",
        tree,
        Path("/"),
        Path("/etc/passwd"),
    ]
    roots = [bank, tree / "bank-link", tree / "bank2", tree, Path("/"), bank / "sub"]
    seen = set()
    for root in roots:
        for path in paths:
            for p, r in ((path, root), (str(path), str(root)), (str(path), str(root) + "/")):
                assert inside(p, r) == reference(p, r), (p, r)
            seen.add(inside(path, root))
    assert seen == {True, False}
    assert inside(bank / "in-link.yaml", bank)
    assert not inside(bank / "out-link.yaml", bank)
    assert not inside(tree / "bank2" / "secret.yaml", bank)  # a prefix of the name only
    assert inside(bank / "q.yaml", tree / "bank-link")


_PART = st.sampled_from(["a", "b", "ab", "a.b", ".", "..", "", "x y", "é", "a\udcff"])


@settings(max_examples=600, deadline=None)
@given(
    st.lists(_PART, max_size=5),
    st.lists(_PART, max_size=4),
    st.booleans(),
    st.booleans(),
)
def test_inside_decides_as_the_path_comparison_on_generated_paths(
    path_parts: list[str], root_parts: list[str], path_abs: bool, root_abs: bool
) -> None:
    # names that do not exist: realpath resolves them lexically (with the working folder)
    path = ("/" if path_abs else "") + "/".join(["qbank-no-such-dir", *path_parts])
    root = ("/" if root_abs else "") + "/".join(["qbank-no-such-dir", *root_parts])
    assert inside(path, root) == reference(path, root)
    assert inside(root, root)


def test_read_bounded_refuses_outside_special_and_large(tree: Path) -> None:
    bank = tree / "bank"
    assert read_bounded(bank / "in-link.yaml", limit=100, root=bank) == b"id: b\n"
    assert read_bounded(tree / "bank-link" / "q.yaml", limit=100, root=bank) == b"id: a\n"
    for outside in ("out-link.yaml", "up-link.yaml", "dir-link/secret.yaml"):
        with pytest.raises(UnsafeInput) as exc:
            read_bounded(bank / outside, limit=100, root=bank)
        assert exc.value.kind == "outside"
    with pytest.raises(UnsafeInput) as exc:
        read_bounded(tree / "bank2" / "secret.yaml", limit=100, root=bank)
    assert exc.value.kind == "outside"
    os.mkfifo(bank / "fifo.yaml")
    (bank / "zero.yaml").symlink_to("/dev/zero")
    with pytest.raises(UnsafeInput) as exc:
        read_bounded(bank / "fifo.yaml", limit=100, root=bank)
    assert exc.value.kind == "special"
    with pytest.raises(UnsafeInput) as exc:
        read_bounded(bank / "zero.yaml", limit=100, root=bank)
    assert exc.value.kind == "outside"
    with pytest.raises(UnsafeInput) as exc:
        read_bounded("/dev/zero", limit=100)  # no root: the kind of file still decides
    assert exc.value.kind == "special"
    with pytest.raises(UnsafeInput) as exc:
        read_bounded(bank / "q.yaml", limit=5, root=bank)
    assert exc.value.kind == "too-large"
    assert read_bounded(bank / "q.yaml", limit=6, root=bank) == b"id: a\n"
