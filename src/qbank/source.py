"""One YAML source file: composition without YAML 1.1 typing, and location tracking.

Why not ``yaml.safe_load``: YAML 1.1 typing turns ``no`` into ``False`` and ``0.10`` into
``0.1``, silently keeps the last of two duplicate keys, and loses every position. Instead
the loader (:mod:`qbank.load`) composes the node tree with libyaml (C) through
:class:`StrictLoader`, which tags every scalar as a string, and keeps each file as a
:class:`SourceFile` so any later rule can ask for the line and column of any field
(:meth:`SourceFile.location`). The node tree is dropped after loading and composed again on
demand. A bottom-layer module: the models (:mod:`qbank.model`) point at their file through
it without importing the loader.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from qbank.diagnostics import Location
from qbank.gcpause import paused

try:  # libyaml is the point: ~10x faster composing than the pure-Python parser
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class StrictLoader(_BaseLoader):
    """Composes without YAML 1.1 implicit typing: every scalar is tagged as a string.

    PyYAML's resolver runs a regex cascade on every scalar (about half of the compose time)
    only to decide types we do not want. The walker classifies the few plain scalars where
    it matters (null values, and the retyping hint of QB003) itself.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        # libyaml's composer calls these two hooks of PyYAML's path resolvers (which qbank
        # does not use) for every collection and scalar: a C callable that ignores its
        # arguments in place of the no-op methods saves a Python call each (~10 % of the
        # compose time). ``{}.get(parent, index)`` returns ``index``; ``tuple()`` is ``()``.
        self.descend_resolver = {}.get  # type: ignore[method-assign,assignment]
        self.ascend_resolver = tuple  # type: ignore[method-assign,assignment]

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return STR_TAG
        return SEQ_TAG if kind is yaml.SequenceNode else MAP_TAG


STR_TAG = "tag:yaml.org,2002:str"
NULL_TAG = "tag:yaml.org,2002:null"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"
NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_SUPPRESS = re.compile(r"#\s*qbank:\s*disable(?P<file>-file)?\s*=\s*(?P<rules>[A-Za-z0-9_, ]+)")


@dataclass
class Suppression:
    """A ``# qbank: disable=QB402`` comment; ``used`` is set by the validator."""

    line: int
    rules: tuple[str, ...]
    whole_file: bool = False
    #: rules this comment actually silenced in the last validation run
    used: set[str] = field(default_factory=set)


@dataclass
class SourceFile:
    """One YAML file of the bank: its text, node tree and suppression comments.

    Kept after loading so rules and reporters can point at any field (``location``) and
    show code frames (``lines``).
    """

    path: Path
    rel: str
    text: str = ""
    suppressions: list[Suppression] = field(default_factory=list)
    #: True once the text composed without a YAML error
    composed: bool = False
    #: when only the start of the file composed (a YAML error later on): where it ends
    composed_prefix: int | None = None
    _node: yaml.Node | None = None
    #: what :meth:`offset_to_location` has worked out about ``text``
    _known_offsets: LineIndex | None = field(default=None, repr=False, compare=False)
    _lines: tuple[str, list[str]] | None = field(default=None, repr=False, compare=False)

    @property
    def node(self) -> yaml.Node | None:
        """The composed node tree, or None when the file could not be composed.

        The loader drops the tree after reading the file and this property composes it again
        on demand: trees are only needed to locate problems, and keeping one for every file
        of a large bank costs memory and makes every later garbage collection slow (the
        loader keeps the trees of a small bank: see ``qbank.load.bank.KEEP_NODES_BYTES``).
        """
        if self._node is None and self.composed:
            text = self.text if self.composed_prefix is None else self.text[: self.composed_prefix]
            # A tree is many small objects without cycles: the cyclic collector would scan the
            # growing tree again and again (composing with it running takes about 3x longer).
            with paused():
                self._node = compose(text)
        return self._node

    @node.setter
    def node(self, value: yaml.Node | None) -> None:
        self._node = value
        self.composed = value is not None

    def release(self) -> None:
        """Drop the node tree (it is composed again if a location is asked for)."""
        self._node = None

    @property
    def lines(self) -> list[str]:
        """``text.splitlines()``, split once per text (shared: do not modify the list).

        Reporters ask for a file's lines once per finding: splitting a 9 MB bank's file
        again for each of 37,000 findings took 20 s of ``--format full``.
        """
        cached = self._lines
        if cached is None or cached[0] is not self.text:
            cached = self._lines = (self.text, self.text.splitlines())
        return cached[1]

    # -- spans ----------------------------------------------------------------------------
    def node_at(self, path: Iterable[int | str]) -> tuple[yaml.Node | None, yaml.Node | None]:
        """The value node at ``path`` (and its key node), or the nearest ancestor.

        Path elements that do not exist (pydantic adds union member names) are skipped.
        """
        node = self._node if self._node is not None else self.node
        key_node: yaml.Node | None = None
        for part in path:
            if isinstance(node, _MAPPING) and isinstance(part, str):
                for k, v in node.value:
                    # the text first: a collection key's value is a list, never equal to it
                    if k.value == part and isinstance(k, _SCALAR):
                        node, key_node = v, k
                        break
            elif (
                isinstance(node, _SEQUENCE)
                and isinstance(part, int)
                and 0 <= part < len(node.value)
            ):
                node, key_node = node.value[part], None
        return node, key_node

    def location(self, path: Iterable[int | str], *, key: bool = False) -> Location:
        """Where the node at ``path`` (its key node with ``key``) starts and ends; the nearest
        ancestor when the path does not exist, ``1:1`` when the file did not compose."""
        node, key_node = self.node_at(path)
        target = key_node if key and key_node is not None else node
        if target is None:
            return Location(self.rel, 1, 1)
        start, end = target.start_mark, target.end_mark
        return Location(self.rel, start.line + 1, start.column + 1, end.line + 1, end.column + 1)

    def offset_to_location(self, offset: int) -> Location:
        """1-based line/column of a character offset into ``text`` (:class:`LineIndex`)."""
        index = self._known_offsets
        if index is None or index.text is not self.text:
            index = self._known_offsets = LineIndex(self.text)
        line, start = index.line_of(offset)
        return Location(self.rel, line + 1, offset - start + 1)


class LineIndex:
    """The line of any offset into one text, for :meth:`SourceFile.offset_to_location`.

    The line is the number of newlines before the offset, counted (``str.count``, C) from
    the nearest offset worked out before at or below it: the highest offsets asked so far
    (kept in increasing order, appended to) and the last one asked. Rules ask for the
    offsets of a file in increasing order within a rule family, so a file is counted about
    once per family, only up to its last finding, instead of being split into a table of
    every line's start (3× the time of a count, for a few findings per file). An order
    that makes it count more than a few times the text (offsets asked from the end down,
    say) builds that table after all and bisects it from then on, so no order costs more
    than the table did. Every answer is the table's bisection
    (``tests/test_report_fast_paths.py``: every offset of edge texts in increasing,
    decreasing and random order, past both ends, and offsets of every file of four banks).
    """

    __slots__ = ("counted", "last", "lines", "offsets", "starts", "text")

    #: characters counted, beyond four times the text, after which the table is built
    SLACK = 65_536

    def __init__(self, text: str) -> None:
        self.text = text
        #: offsets worked out, increasing, and the (line, line start) of each
        self.offsets = [0]
        self.lines = [(0, 0)]
        #: the last offset asked and its (line, line start)
        self.last = (0, 0, 0)
        self.counted = 0
        #: :func:`line_starts` of the text, once counting has cost more than building it
        self.starts: list[int] | None = None

    def line_of(self, offset: int) -> tuple[int, int]:
        """(0-based line, offset where that line starts) of ``offset``, as the bisection of
        :func:`line_starts` gives them (for a negative offset: line -1 and the last line's
        start)."""
        starts = self.starts
        if starts is not None or offset < 0:
            if starts is None:
                starts = line_starts(self.text)
            line = bisect.bisect_right(starts, offset) - 1
            return line, starts[line]
        offsets, lines = self.offsets, self.lines
        top = offsets[-1]
        if offset >= top:
            base, (line, start) = top, lines[-1]
        else:
            i = bisect.bisect_right(offsets, offset) - 1
            base, (line, start) = offsets[i], lines[i]
            last, last_line, last_start = self.last
            if base < last <= offset:
                base, line, start = last, last_line, last_start
        if offset != base:
            text = self.text
            self.counted += offset - base
            if self.counted > 4 * len(text) + self.SLACK:
                self.starts = line_starts(text)
                return self.line_of(offset)
            newlines = text.count("\n", base, offset)
            if newlines:
                line += newlines
                start = text.rfind("\n", base, offset) + 1
            if offset > top:
                offsets.append(offset)
                lines.append((line, start))
        self.last = (offset, line, start)
        return line, start


def line_starts(text: str) -> list[int]:
    """Offsets where the lines of ``text`` start: 0, then one past each newline."""
    lengths = map(operator.add, map(len, text.split("\n")), itertools.repeat(1))
    return list(itertools.accumulate(lengths, initial=0))[:-1]


_MAPPING = yaml.MappingNode
_SEQUENCE = yaml.SequenceNode
_SCALAR = yaml.ScalarNode


def compose(text: str) -> yaml.Node | None:
    loader = StrictLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def find_suppressions(text: str) -> list[Suppression]:
    found = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if "qbank:" not in line:
            continue
        m = _SUPPRESS.search(line)
        if m:
            rules = tuple(r.strip().upper() for r in m.group("rules").split(",") if r.strip())
            found.append(Suppression(lineno, rules, whole_file=bool(m.group("file"))))
    return found
