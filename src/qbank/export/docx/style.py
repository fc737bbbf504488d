"""Layout settings: ``exporters/docx/style.yaml`` overlaid by a user's ``--style`` file.

Kept apart from the layout code because it is user input: every unknown key or bad value
must come back as a :class:`StyleError` naming file:line:col, never as a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from qbank.export.docx.files import DocxExportError


class StyleError(DocxExportError):
    """A layout file (``style.yaml``) with an unknown key or a bad value; names file:line:col."""


@dataclass(frozen=True)
class Margins:
    top: float = 2.0
    bottom: float = 2.0
    left: float = 2.0
    right: float = 2.0


@dataclass(frozen=True)
class Layout:
    """One set of layout settings (``regular`` or ``large_print`` in ``style.yaml``)."""

    font: str = "Arial"
    mono_font: str = "Courier New"
    symbol_font: str = "Segoe UI Symbol"
    size: float = 11
    title_size: float = 16
    small_size: float = 9
    code_size: float = 10
    line_spacing: float = 1.1
    question_gap: float = 10
    option_gap: float = 1
    answer_line_pitch: float = 26
    number_indent: float = 0.8
    option_label_width: float = 1.2
    pair_short_options: int = 18
    image_max_width: float = 9
    italic: bool = True
    column_gap: float = 1.0
    margins: Margins = Margins()


_STR_KEYS = {"font", "mono_font", "symbol_font"}
#: what a Word file cannot hold (control characters, non-characters, lone surrogates)
_FONT_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_BOOL_KEYS = {"italic"}
_INT_KEYS = {"pair_short_options"}
VARIANTS = ("regular", "large_print")


def _style_file() -> Path:
    from qbank.assets import asset_path

    return asset_path("docx", "style.yaml")


def load_style(path: Path | None = None) -> dict[str, Layout]:
    """Layouts by variant: the shipped ``exporters/docx/style.yaml``, overlaid by ``path``.

    A user's copy may leave keys out (they keep the shipped values); unknown keys and bad
    values raise :class:`StyleError` with the file, line and column.
    """
    merged: dict[str, dict[str, Any]] = {v: {} for v in VARIANTS}
    for source in [_style_file(), *([path] if path is not None else [])]:
        for variant, values in _read_style(source).items():
            margins = {**merged[variant].get("margins", {}), **values.pop("margins", {})}
            merged[variant].update(values)
            if margins:
                merged[variant]["margins"] = margins
    out: dict[str, Layout] = {}
    for variant, values in merged.items():
        page_margins = Margins(**values.pop("margins", {}))
        out[variant] = Layout(**values, margins=page_margins)
    return out


def _read_style(path: Path) -> dict[str, dict[str, Any]]:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except OSError as exc:
        raise StyleError(f"{path}: cannot read the layout file: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise StyleError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if root is None:
        return {}

    def fail(node: Any, message: str) -> StyleError:
        m = node.start_mark
        return StyleError(f"{path}:{m.line + 1}:{m.column + 1}: {message}")

    if not isinstance(root, yaml.MappingNode):
        raise fail(root, "expected a mapping with `regular:` and `large_print:`")
    known = {f.name for f in fields(Layout)}
    result: dict[str, dict[str, Any]] = {}
    for key_node, value_node in root.value:
        variant = key_node.value
        if variant not in VARIANTS:
            raise fail(key_node, f"unknown section `{variant}` (expected regular, large_print)")
        if not isinstance(value_node, yaml.MappingNode):
            raise fail(value_node, f"`{variant}` must be a mapping of settings")
        values: dict[str, Any] = {}
        for k_node, v_node in value_node.value:
            name = k_node.value
            if name not in known:
                raise fail(k_node, f"unknown setting `{name}` (known: {', '.join(sorted(known))})")
            if name == "margins":
                if not isinstance(v_node, yaml.MappingNode):
                    raise fail(v_node, "`margins` must map top/bottom/left/right to cm")
                margins: dict[str, float] = {}
                for mk_node, mv_node in v_node.value:
                    if mk_node.value not in ("top", "bottom", "left", "right"):
                        raise fail(mk_node, f"unknown margin `{mk_node.value}`")
                    margins[mk_node.value] = _style_number(mv_node, fail, "margins")
                values["margins"] = margins
            elif not isinstance(v_node, yaml.ScalarNode):
                raise fail(v_node, f"`{name}` must be a single value")
            elif name in _STR_KEYS:
                if not v_node.value.strip():
                    raise fail(v_node, f"`{name}` must name a font")
                bad = _FONT_UNSAFE.search(v_node.value)
                if bad:
                    raise fail(
                        v_node,
                        f"`{name}` holds the control character U+{ord(bad.group()):04X} at "
                        f"character {bad.start() + 1}; a font name is plain text",
                    )
                if len(v_node.value.strip()) > 100:
                    raise fail(
                        v_node, f"`{name}` is {len(v_node.value)} characters; not a font name"
                    )
                values[name] = v_node.value.strip()
            elif name in _BOOL_KEYS:
                low = v_node.value.strip().lower()
                if low not in ("true", "false"):
                    raise fail(v_node, f"`{name}` must be true or false")
                values[name] = low == "true"
            elif name in _INT_KEYS:
                if not re.fullmatch(r"\d+", v_node.value.strip()):
                    raise fail(v_node, f"`{name}` must be a whole number ≥ 0")
                values[name] = int(v_node.value)
            else:
                values[name] = _style_number(v_node, fail, name)
        result[variant] = values
    return result


def _style_number(node: Any, fail: Any, name: str) -> float:
    try:
        value = float(node.value)
    except (TypeError, ValueError):
        raise fail(node, f"`{name}` must be a number, got `{node.value}`") from None
    if not (0 <= value < 1000):
        raise fail(node, f"`{name}` must be between 0 and 1000, got `{node.value}`")
    return value
