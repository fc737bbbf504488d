"""A composed node tree → plain ``str``/``list``/``dict`` data, every scalar as the text the
author typed, reporting what YAML would hide: aliases and merge keys (QB004), duplicate keys
(QB002), ``{{`` read as a mapping (QB008) and values YAML 1.1 tools would retype (QB003)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from qbank.diagnostics import Location, Problem, Related, problem
from qbank.source import NULLS, STR_TAG, SourceFile

_YAML11 = yaml.resolver.Resolver()
_SCALAR = yaml.ScalarNode


def yaml11_tag(value: str) -> str:
    """What a YAML 1.1 tool (PyYAML's safe_load) would make of a plain scalar."""
    return _YAML11.resolve(yaml.ScalarNode, value, (True, False))


#: first characters of plain scalars YAML 1.1 may read as something other than text
_RETYPE_STARTS = frozenset("0123456789+-.yYnNoOtTfF")
#: keys whose values are text for every consumer: a YAML 1.1 retyping there is worth a hint
_TEXT_KEYS = frozenset(
    {
        "text",
        "answers",
        "items",
        "pairs",
        "options",
        "tags",
        "feedback",
        "explanation",
        "topic",
        "unit",
        "source",
        "title",
        "rubric",
        "id",
    }
)


class _Abort(Exception):
    """Raised inside the walk when the file cannot be turned into data at all."""

    def __init__(self, found: Problem) -> None:
        super().__init__(found.message)
        self.problem = found


class _Walker:
    """Turns a composed node tree into str/list/dict data, reporting what YAML hides."""

    __slots__ = ("problems", "retyped", "seen", "src")

    def __init__(self, src: SourceFile) -> None:
        self.src = src
        self.problems: list[Problem] = []
        self.retyped: list[tuple[str, yaml.ScalarNode]] = []
        # The ids of the collections walked, to find one reached a second time: only an
        # alias shares a node, and an alias needs its anchor (composing fails on an
        # undefined alias), which needs a `&` in the text. Without one, nothing to track.
        self.seen: set[int] | None = set() if "&" in src.text else None

    def _loc(self, node: yaml.Node) -> Location:
        m = node.start_mark
        return Location(self.src.rel, m.line + 1, m.column + 1)

    def scalar(self, node: yaml.ScalarNode, parent_key: str) -> str | None:
        """A scalar's text as typed (None for a plain null), noting plain scalars that a
        YAML 1.1 tool would read as something else under a text key (QB003)."""
        value: str = node.value
        if not node.style:
            if value in NULLS:
                return None
            if parent_key in _TEXT_KEYS and value[:1] in _RETYPE_STARTS:
                self.retyped.append((parent_key, node))
        return value

    def walk(self, node: yaml.Node, parent_key: str = "") -> Any:
        # Scalars, most of the nodes, are read in the loops of their collection (the code of
        # ``scalar`` inlined there) rather than by a call of ``walk`` each: a third faster.
        if type(node) is _SCALAR:
            return self.scalar(node, parent_key)
        seen = self.seen
        if seen is not None:
            ident = id(node)
            if ident in seen:  # only reachable through an alias
                raise _Abort(
                    problem("QB004", "YAML alias is not allowed in a bank", self._loc(node))
                )
            seen.add(ident)
        if isinstance(node, yaml.SequenceNode):
            items: list[Any] = []
            for item in node.value:
                if type(item) is _SCALAR:  # ``self.scalar(item, parent_key)``, inlined
                    value = item.value
                    if not item.style:
                        if value in NULLS:
                            value = None
                        elif parent_key in _TEXT_KEYS and value[:1] in _RETYPE_STARTS:
                            self.retyped.append((parent_key, item))
                    items.append(value)
                else:
                    items.append(self.walk(item, parent_key))
            return items
        if isinstance(node, yaml.MappingNode):
            text = self.src.text
            if node.flow_style and text.startswith("{{", node.start_mark.index):
                self.problems.append(
                    problem(
                        "QB008",
                        "text starting with `{{` is read by YAML as a mapping, not as text",
                        self._loc(node),
                        hint="quote the whole value or use a block scalar (text: >-)",
                    )
                )
                # keep checking the rest of the question with the text as typed on the line
                end = text.find("\n", node.start_mark.index)
                return text[node.start_mark.index : end if end != -1 else len(text)].strip()
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if type(key_node) is not _SCALAR:
                    raise _Abort(
                        problem("QB001", "a mapping key must be plain text", self._loc(key_node))
                    )
                key = key_node.value
                if key == "<<" and not key_node.style:
                    raise _Abort(
                        problem(
                            "QB004",
                            "YAML merge keys (`<<`) are not allowed in a bank",
                            self._loc(key_node),
                        )
                    )
                if key in out:  # a key is in ``out`` once read: the first one wins
                    prev = next(k for k, _ in node.value if k.value == key)
                    self.problems.append(
                        problem(
                            "QB002",
                            f"duplicate key `{key}` (first defined on line "
                            f"{prev.start_mark.line + 1}); YAML tools silently keep only one",
                            self._loc(key_node),
                            hint="delete or rename one of the two",
                            related=(Related(self._loc(prev), f"first `{key}`"),),
                        )
                    )
                    continue
                if type(value_node) is _SCALAR:  # ``self.scalar(value_node, key)``, inlined
                    value = value_node.value
                    if not value_node.style:
                        if value in NULLS:
                            value = None
                        elif key in _TEXT_KEYS and value[:1] in _RETYPE_STARTS:
                            self.retyped.append((key, value_node))
                    out[key] = value
                else:
                    out[key] = self.walk(value_node, key)
            return out
        raise _Abort(problem("QB001", "unsupported YAML node", self._loc(node)))  # pragma: no cover


def to_data(src: SourceFile) -> tuple[Any, list[Problem], list[tuple[str, yaml.ScalarNode]]]:
    """Plain data of a composed file; on an aborting problem the data is None.

    ``src.node`` must be the tree composed from ``src.text`` (or from the start of it): the
    walk looks for aliases only where the text holds a ``&`` (see ``_Walker.seen``).
    """
    walker = _Walker(src)
    assert src.node is not None
    try:
        data = walker.walk(src.node)
    except _Abort as abort:
        return None, [*walker.problems, abort.problem], walker.retyped
    except RecursionError:
        return None, [problem("QB001", "YAML nesting is too deep", Location(src.rel))], []
    return data, walker.problems, walker.retyped


def retyped_problems(src: SourceFile, retyped: list[tuple[str, yaml.ScalarNode]]) -> list[Problem]:
    out = []
    for key, node in retyped:
        tag = yaml11_tag(node.value)
        if tag == STR_TAG:
            continue
        kind = tag.rsplit(":", 1)[-1]
        if kind in ("int", "float") and _yaml11_same(node.value, kind):
            continue
        m = node.start_mark
        out.append(
            problem(
                "QB003",
                f"`{node.value}` in `{key}` is kept as text by qbank, but YAML 1.1 tools read it "
                f"as {_KIND_NAMES.get(kind, kind)}",
                Location(src.rel, m.line + 1, m.column + 1),
                hint=f'quote it ("{node.value}") so every tool reads the same text',
            )
        )
    return out


_KIND_NAMES = {
    "bool": "a boolean",
    "int": "a number",
    "float": "a number",
    "timestamp": "a date",
    "null": "null",
}


def _yaml11_same(value: str, kind: str) -> bool:
    """True when a YAML 1.1 number prints back as the same text (``42``, ``4.3``)."""
    if kind == "int":
        return bool(re.fullmatch(r"-?(0|[1-9][0-9]*)", value))
    try:
        return repr(float(value)) == value
    except ValueError:
        return False
