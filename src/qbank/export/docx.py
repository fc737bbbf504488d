"""Printable Word worksheets and answer keys (DESIGN §7; notes/worksheets.md).

What a teacher gets from ``export(draw, Path("quiz.docx"), bank=bank)``:

* **One form** → ``quiz.docx`` (the student copy) and ``quiz-key.docx``.
* **Several forms** → one student file per form, ``quiz-A.docx``, ``quiz-B.docx``, …, and one
  ``quiz-key.docx`` with a section per form (each starting on a new page). Separate student
  files are what gets printed ("25 copies of A, 25 of B"), and they keep "Page X of Y"
  right: Word's NUMPAGES counts the whole file, and LibreOffice does not compute
  SECTIONPAGES, so forms sharing a file could not number their pages on their own.
* ``key="append"`` puts each form's key after its worksheet in the same file (a new
  section headed "TEACHER COPY"); the worksheet's footer then counts only the worksheet's
  pages (``PAGEREF`` to a bookmark at its end instead of NUMPAGES). ``key="none"`` writes
  no key.

Layout: explicit paper and margins; a header block with title, Name/Class/Date write-on
lines (tab leaders), instructions and total points; running header "title · Form A" and
footer "Form A · Page X of Y" (PAGE/NUMPAGES fields); numbered questions with points;
lettered options with ☐ boxes; blanks sized to the answer; ruled lines for written
answers; every paragraph of a question but the last has *keep with next* and all have
*keep together*, so a question never splits from its options. Literal numbers ("1.")
rather than Word list numbering: identical in every renderer and visible to pdftotext.

Maths is printed as text: the LaTeX source with its delimiters removed and common commands
turned into Unicode (``\\sigma^2`` → ``σ²``, ``\\sqrt{225}`` → ``√225``); anything else stays
as written. Readable on paper, not typeset.

Files are byte-reproducible (fixed core properties, no template thumbnail, fixed zip
dates) and written atomically: all files of one export go to temporary files first and
are renamed only when every one was written.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docx.api import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.shared import Cm, Emu, Length, Mm, Pt
from docx.styles.style import CharacterStyle, ParagraphStyle

from qbank import markup as mk
from qbank.export import docx_xml as X
from qbank.fsutil import atomic_path
from qbank.model import (
    Cloze,
    Essay,
    Match,
    Multi,
    Numeric,
    Order,
    Short,
    Single,
    TrueFalse,
)
from qbank.progress import track
from qbank.select import DrawnQuestion, Form, letter

if TYPE_CHECKING:
    from qbank.load import Bank
    from qbank.select import Draw

__all__ = [
    "KEY_MODES",
    "PAPERS",
    "DocxExportError",
    "ExportResult",
    "Layout",
    "StyleError",
    "default_paper",
    "export",
    "load_style",
    "math_text",
    "output_files",
]

KEY_MODES = ("separate", "append", "none")
PAPERS: dict[str, tuple[Length, Length]] = {
    "a4": (Mm(210), Mm(297)),
    "letter": (Mm(215.9), Mm(279.4)),
}
#: territories whose LC_PAPER is US Letter (glibc locales): the US, Canada, Mexico, the
#: Philippines and most of Central and South America's letter-using countries
LETTER_TERRITORIES = frozenset(
    {"US", "CA", "MX", "PR", "PH", "CL", "CO", "VE", "CR", "GT", "PA", "DO", "SV", "NI"}
)
BOX = "\u2610"  # ☐
NBSP = "\u00a0"
#: fixed document date when SOURCE_DATE_EPOCH is not set (2020-01-01T00:00:00Z)
DEFAULT_EPOCH = 1577836800
#: the bookmark at the end of a worksheet whose page the footer's "of Y" refers to
END_BOOKMARK = "_qbank_worksheet_end"


class DocxExportError(Exception):
    """An export that cannot be written as asked (e.g. an output name is a folder)."""


class StyleError(DocxExportError):
    """A layout file (``style.yaml``) with an unknown key or a bad value; names file:line:col."""


@dataclass
class ExportResult:
    """The files written (student copies first, then the key) and layout warnings."""

    files: list[Path]
    warnings: list[str] = field(default_factory=list)


# -- layout settings -----------------------------------------------------------------------


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


# -- paper, file names ---------------------------------------------------------------------


def default_paper(environ: dict[str, str] | None = None) -> str:
    """``"letter"`` where the locale's paper is US Letter (LC_ALL, then LC_PAPER, then LANG,
    as POSIX resolves them: en_US, en_CA, es_MX, …), else ``"a4"``."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_PAPER", "LANG"):
        value = env.get(var, "")
        if value:
            m = re.match(r"^[a-zA-Z]{2,3}_([A-Za-z]{2})", value)
            return "letter" if m and m.group(1).upper() in LETTER_TERRITORIES else "a4"
    return "a4"


def output_files(out: Path, forms: Sequence[str], key: str) -> tuple[list[Path], Path | None]:
    """Student files and the separate key's file for ``out`` (see the module docstring)."""
    stem, suffix = out.stem, out.suffix
    if len(forms) == 1:
        students = [out]
    else:
        students = [out.with_name(f"{stem}-{name}{suffix}") for name in forms]
    key_file = out.with_name(f"{stem}-key{suffix}") if key == "separate" else None
    return students, key_file


# -- maths as text -------------------------------------------------------------------------

_GREEK = zip(
    [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "epsilon",
        "zeta",
        "eta",
        "theta",
        "iota",
        "kappa",
        "lambda",
        "mu",
        "nu",
        "xi",
        "omicron",
        "pi",
        "rho",
        "sigma",
        "tau",
        "upsilon",
        "phi",
        "chi",
        "psi",
        "omega",
    ],
    "αβγδεζηθικλμνξοπρστυφχψω",
    strict=True,
)
_SYMBOLS: dict[str, str] = {
    **dict(_GREEK),
    **{
        "Gamma": "Γ",
        "Delta": "Δ",
        "Theta": "Θ",
        "Lambda": "Λ",
        "Xi": "Ξ",
        "Pi": "Π",
        "Sigma": "Σ",
        "Phi": "Φ",
        "Psi": "Ψ",
        "Omega": "Ω",
        "varepsilon": "ε",
        "varphi": "φ",
        "times": "×",
        "cdot": "·",
        "div": "÷",
        "pm": "±",
        "mp": "∓",
        "le": "≤",
        "leq": "≤",
        "ge": "≥",
        "geq": "≥",
        "neq": "≠",
        "ne": "≠",
        "approx": "≈",
        "sim": "∼",
        "equiv": "≡",
        "propto": "∝",
        "infty": "∞",
        "sum": "Σ",
        "prod": "Π",
        "int": "∫",
        "partial": "∂",
        "nabla": "∇",
        "to": "→",
        "rightarrow": "→",
        "leftarrow": "←",
        "Rightarrow": "⇒",
        "in": "∈",
        "notin": "∉",
        "subset": "⊂",
        "cup": "∪",
        "cap": "∩",
        "forall": "∀",
        "exists": "∃",
        "ldots": "…",
        "cdots": "⋯",
        "dots": "…",
        "log": "log",
        "ln": "ln",
        "exp": "exp",
        "sin": "sin",
        "cos": "cos",
        "tan": "tan",
        "max": "max",
        "min": "min",
        "lim": "lim",
        "%": "%",
        "{": "{",
        "}": "}",
        "_": "_",
        "&": "&",
        "$": "$",
        "#": "#",
    },
}
_SPACES = {",": "\u2009", ";": " ", ":": " ", "!": "", "quad": "  ", "qquad": "    ", " ": " "}
_SUP = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUB = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
_GROUP = r"\{([^{}]*)\}"


def math_text(source: str) -> str:
    """Maths (``\\( … \\)`` or ``\\[ … \\]`` with its delimiters) as readable plain text.

    Not typesetting: fractions become ``(a)/(b)``, roots ``√x``, scripts Unicode super- and
    subscripts where they exist (else ``^(…)``), common commands their symbols. Unknown
    commands are kept as written, so nothing the author typed is lost.
    """
    s = source
    if s[:2] in ("\\(", "\\[") and s[-2:] in ("\\)", "\\]"):
        s = s[2:-2]
    s = s.strip()
    for cmd in ("text", "mathrm", "mathbf", "mathit", "operatorname", "textrm", "mbox"):
        s = re.sub(r"\\" + cmd + r"\s*" + _GROUP, r"\1", s)
    s = re.sub(r"\\(left|right|big|Big|bigg|Bigg)(?![A-Za-z])", "", s)
    for _ in range(4):  # nested fractions and roots, innermost first
        s = re.sub(r"\\[dt]?frac\s*" + _GROUP + r"\s*" + _GROUP, _frac, s)
        s = re.sub(r"\\sqrt\s*" + _GROUP, _sqrt, s)

    def command(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in _SPACES:
            return _SPACES[name]
        if name in _SYMBOLS:
            return _SYMBOLS[name]
        return m.group(0)

    # an unknown command keeps its argument's braces: `\foo{x}`, not `\foox`
    s = re.sub(r"\\([A-Za-z]+)\s*" + _GROUP, _keep_unknown, s)
    s = re.sub(r"\\([A-Za-z]+|.)", command, s)
    s = re.sub(r"\^" + _GROUP + r"|\^(\w)", lambda m: _script(m, _SUP, "^"), s)
    s = re.sub(r"_" + _GROUP + r"|_(\w)", lambda m: _script(m, _SUB, "_"), s)
    s = re.sub(r"(?<!\\)[{}]", "", s).replace("\x01", "{").replace("\x02", "}")
    return re.sub(r"[ \t\n]+", " ", s).strip()


def _keep_unknown(m: re.Match[str]) -> str:
    if m.group(1) in _SYMBOLS or m.group(1) in _SPACES:
        return m.group(0)
    return f"\\{m.group(1)}\x01{m.group(2)}\x02"


def _frac(m: re.Match[str]) -> str:
    a, b = m.group(1).strip(), m.group(2).strip()
    wrap = [x if re.fullmatch(r"[\w.]+", x) else f"({x})" for x in (a, b)]
    return f"{wrap[0]}/{wrap[1]}"


def _sqrt(m: re.Match[str]) -> str:
    x = m.group(1).strip()
    return "√" + (x if re.fullmatch(r"[\w.]+", x) else f"({x})")


def _script(m: re.Match[str], table: dict[int, int], mark: str) -> str:
    body = (m.group(1) if m.group(1) is not None else m.group(2)).strip()
    mapped = body.translate(table)
    if all(ord(c) in table.values() or c == " " for c in mapped) and mapped:
        return mapped
    return f"{mark}({body})" if len(body) > 1 else f"{mark}{body}"


# -- the document builder ------------------------------------------------------------------

_TAB_L, _TAB_R = 0, 2
_LINES = "underscore"  # the "lines" tab leader


@dataclass(frozen=True)
class _Styles:
    """Style ids of the styles a builder defines (users may restyle them in Word)."""

    title: str
    info: str
    fields: str
    note: str
    question: str
    text: str
    option: str
    line: str
    answer: str
    code: str
    match: str
    end: str
    part: str
    key_heading: str
    key_cell: str
    code_char: str
    box_char: str


@dataclass
class _Question:
    """A question's paragraphs grouped by vertical position (a table row is one group)."""

    groups: list[list[X.Para]] = field(default_factory=list)
    #: EMU the text-length estimate does not see: pictures, ruled lines, code lines
    extra_height: int = 0

    def add(self, *paragraphs: X.Para) -> None:
        self.groups.append(list(paragraphs))


class _Builder:
    """One .docx being written: page set-up, styles and the block/run renderers."""

    def __init__(
        self,
        *,
        layout: Layout,
        paper: str,
        columns: int,
        root: Path,
        language: str | None,
        warnings: list[str],
    ) -> None:
        self.layout = layout
        self.columns = columns
        self.root = root
        self.warnings = warnings
        self.doc: DocumentObject = Document()
        X.drop_thumbnail(self.doc)
        width, height = PAPERS[paper]
        section = self.doc.sections[0]
        section.page_width, section.page_height = width, height
        m = layout.margins
        section.top_margin, section.bottom_margin = Cm(m.top), Cm(m.bottom)
        section.left_margin, section.right_margin = Cm(m.left), Cm(m.right)
        section.header_distance = section.footer_distance = Cm(min(m.top, m.bottom) / 2)
        self.text_height = int(height - Cm(m.top) - Cm(m.bottom))
        self.full_width = int(width - Cm(m.left) - Cm(m.right))
        gap = int(Cm(layout.column_gap))
        self.width = (self.full_width - gap) // 2 if columns == 2 else self.full_width
        self.indent = int(Cm(layout.number_indent))
        self.label = int(Cm(layout.option_label_width))
        X.document_defaults(self.doc, layout.font, language)
        self.styles = self._make_styles()
        #: paragraphs go before the body's final ``w:sectPr``
        self.end = self.doc.element.body.get_or_add_sectPr()
        self._bookmarks = 0

    # ---- styles ----------------------------------------------------------------------

    def _pstyle(
        self,
        name: str,
        *,
        size: float | None = None,
        bold: bool = False,
        left: int = 0,
        first: int = 0,
        before: float = 0,
        after: float = 0,
        exact: float | None = None,
        keep_together: bool = False,
        tabs: Iterable[tuple[int, WD_TAB_ALIGNMENT, WD_TAB_LEADER]] = (),
        font: str | None = None,
    ) -> str:
        # python-docx's add_style first scans every style's name: ids are ours, skip it
        style = ParagraphStyle(
            self.doc.styles.element.add_style_of_type(name, WD_STYLE_TYPE.PARAGRAPH, False)
        )
        style.element.basedOn_val = "Normal"
        style.quick_style = True
        if size is not None:
            style.font.size = Pt(size)
        if bold:
            style.font.bold = True
        if font is not None:
            X.set_fonts(style.element.get_or_add_rPr(), font)
        pf = style.paragraph_format
        if left:
            pf.left_indent = Emu(left)
        if first:
            pf.first_line_indent = Emu(first)
        pf.space_before = Pt(before)
        pf.space_after = Pt(after)
        if exact is not None:
            pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            pf.line_spacing = Pt(exact)
        if keep_together:
            pf.keep_together = True
        for pos, align, leader in tabs:
            pf.tab_stops.add_tab_stop(Emu(pos), align, leader)
        return str(style.style_id)

    def _cstyle(self, name: str, font: str, size: float | None = None) -> str:
        style = CharacterStyle(
            self.doc.styles.element.add_style_of_type(name, WD_STYLE_TYPE.CHARACTER, False)
        )
        X.set_fonts(style.element.get_or_add_rPr(), font)
        if size is not None:
            style.font.size = Pt(size)
        return str(style.style_id)

    def _make_styles(self) -> _Styles:
        lay = self.layout
        doc = self.doc
        normal = doc.styles["Normal"]
        assert isinstance(normal, ParagraphStyle)
        normal.font.size = Pt(lay.size)
        X.set_fonts(normal.element.get_or_add_rPr(), lay.font)
        normal.paragraph_format.space_after = Pt(0)
        normal.paragraph_format.line_spacing = lay.line_spacing
        normal.paragraph_format.widow_control = True
        L, R = WD_TAB_ALIGNMENT.LEFT, WD_TAB_ALIGNMENT.RIGHT
        NONE, LINES = WD_TAB_LEADER.SPACES, WD_TAB_LEADER.LINES
        full, width, ind, label = self.full_width, self.width, self.indent, self.label
        for name in ("Header", "Footer"):
            # the template's stops are for Letter with 1" margins: on A4 "Form A" would land
            # mid-page; the header needs only a right stop, the footer is centred
            hf = doc.styles[name]
            assert isinstance(hf, ParagraphStyle)
            hf.font.size = Pt(lay.small_size)
            hf.paragraph_format.tab_stops.clear_all()
            if name == "Header":
                hf.paragraph_format.tab_stops.add_tab_stop(Emu(full), R)
        pitch = lay.answer_line_pitch
        half = ind + (width - ind) // 2
        if lay.pair_short_options == 0 or self.columns == 2:
            option_tabs = [(ind + label, L, NONE)]
        else:
            option_tabs = [(ind + label, L, NONE), (half, L, NONE), (half + label, L, NONE)]
        if self.large:  # one write-on field per line
            field_tabs = [(full, L, LINES)]
        else:
            field_tabs = [(int(full * 0.55), L, LINES), (int(full * 0.78), L, LINES)]
            field_tabs.append((full, L, LINES))
        answer_stop = min(ind + int(Cm(9 if self.large else 7)), width - int(Cm(2.5)))
        return _Styles(
            title=self._pstyle("Worksheet Title", size=lay.title_size, bold=True, after=4),
            info=self._pstyle("Worksheet Info", after=6),
            fields=self._pstyle("Worksheet Fields", exact=pitch, after=4, tabs=field_tabs),
            note=self._pstyle("Worksheet Note", after=4),
            question=self._pstyle(
                "Question",
                left=ind,
                first=-ind,
                before=lay.question_gap,
                keep_together=True,
                tabs=[(ind, L, NONE), (width, R, NONE)],
            ),
            text=self._pstyle("Question Text", left=ind, before=3, keep_together=True),
            option=self._pstyle(
                "Option",
                left=ind + label,
                first=-label,
                before=lay.option_gap,
                keep_together=True,
                tabs=option_tabs,
            ),
            line=self._pstyle(
                "Answer Line", left=ind, exact=pitch, keep_together=True, tabs=[(width, R, LINES)]
            ),
            answer=self._pstyle(
                "Answer Field",
                left=ind,
                exact=pitch,
                keep_together=True,
                tabs=[(answer_stop, L, LINES)],
            ),
            code=self._pstyle(
                "Code Block",
                size=lay.code_size,
                left=ind + int(Cm(0.4)),
                before=3,
                after=3,
                keep_together=True,
                font=lay.mono_font,
            ),
            match=self._pstyle("Match Item", before=2, keep_together=True),
            end=self._pstyle("Worksheet End", before=18),
            part=self._pstyle("Worksheet Part", size=lay.size + 1, bold=True, before=14),
            key_heading=self._pstyle("Key Heading", size=lay.size + 2, before=6, after=6),
            key_cell=self._pstyle(
                "Key Cell", size=max(lay.size - 1, lay.small_size), before=1, after=1
            ),
            code_char=self._cstyle("Inline Code", lay.mono_font, lay.code_size),
            box_char=self._cstyle("Answer Box", lay.symbol_font),
        )

    @property
    def large(self) -> bool:
        return self.layout.size >= 15

    # ---- page furniture ----------------------------------------------------------------

    def running_header(self, section: Any, left: str, right: str) -> None:
        p = section.header.paragraphs[0]
        p.text = ""
        p.add_run(left)
        p.add_run("\t" + right).bold = True

    def footer(self, section: Any, label: str, total: str) -> None:
        """``label · Page X of Y``; ``total`` is ``NUMPAGES`` or a ``PAGEREF`` bookmark."""
        p = section.footer.paragraphs[0]
        p.text = ""
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(f"{label} · Page ")
        X.add_field(p, "PAGE", "1")
        p.add_run(" of ")
        X.add_field(p, total, "1")

    def bookmark(self, paragraph: X.Para, name: str) -> None:
        self._bookmarks += 1
        X.add_bookmark(paragraph.p, name, self._bookmarks)

    def para(self, style: str, text: str = "", parent: Any = None) -> X.Para:
        """A new paragraph at the end of the body (or of a table cell ``parent``)."""
        p = X.Para(parent, style, before=self.end if parent is None else None)
        if text:
            p.run(text)
        return p

    # ---- rich text ---------------------------------------------------------------------

    def runs(self, p: X.Para, runs: Sequence[mk.Run], q: _Question | None = None) -> None:
        """Formatted runs from :meth:`qbank.markup.Markup.blocks` into ``p``."""
        italic_ok = self.layout.italic
        code = self.styles.code_char
        for r in runs:
            if r.image is not None:
                self.picture(p, r.image, q, max_width=int(Cm(3)))
                continue
            text = math_text(r.text) if r.math else r.text
            if r.url:
                shown = r.url.removeprefix("mailto:")
                if shown not in text:
                    text += f" ({shown})"
            p.run(
                text,
                style=code if r.code else None,
                bold=r.bold or (r.italic and not italic_ok),
                italic=r.italic and italic_ok,
                strike=r.strike,
            )

    def picture(self, p: X.Para, ref: mk.MediaRef, q: _Question | None, max_width: int) -> None:
        """An inline picture with alt text; its alt text in brackets when the file is not a
        readable image inside the bank (never a file from outside it)."""
        from docx.image.exceptions import UnrecognizedImageError
        from docx.image.image import Image

        path = ref.path
        fallback = f"[Image: {ref.alt or ref.src}]"
        if path is None or not path.is_file():
            why = "is not a file inside the bank" if path is None else "is missing"
            self.warnings.append(f"image {ref.src!r} {why}; printed its alt text instead")
            p.run(fallback, italic=self.layout.italic)
            return
        try:
            image = Image.from_file(str(path))
            width = min(int(image.width), max_width)
            inline = self.doc.part.new_pic_inline(str(path), Emu(width), None)
        except (UnrecognizedImageError, OSError, ValueError) as exc:
            self.warnings.append(f"image {ref.src!r} cannot be read ({exc}); printed its alt text")
            p.run(fallback, italic=self.layout.italic)
            return
        inline.docPr.set("descr", ref.alt or ref.src)
        inline.docPr.set("title", ref.alt or ref.src)
        p.drawing(inline)
        if q is not None:
            q.extra_height += int(inline.extent.cy)

    def blocks(
        self, blocks: Sequence[mk.Block], q: _Question, *, first: X.Para | None = None
    ) -> tuple[list[X.Para], X.Para | None]:
        """Render markup blocks as paragraphs; a leading text paragraph goes into ``first``
        (the question's numbered paragraph). Also returns the last paragraph when it is
        text (where a note such as "Choose all that apply." can follow), else ``None``."""
        style = self.styles.text
        out: list[X.Para] = [] if first is None else [first]
        last_text: X.Para | None = None
        for i, block in enumerate(blocks):
            last_text = None
            if isinstance(block, mk.Paragraph):
                p = first if (i == 0 and first is not None) else self.para(style)
                if block.quote:
                    p.indent(self.indent + int(Cm(0.6)))
                self.runs(p, [_bolded(r) for r in block.runs] if block.heading else block.runs, q)
                if not (block.runs and block.runs[-1].image is not None):
                    last_text = p
            elif isinstance(block, mk.ListItem):
                p = self.para(style)
                step = int(Cm(0.6))
                at = self.indent + step * (block.depth + 1)
                p.tabs([(at, _TAB_L, None)])
                p.indent(at, -step)
                p.run(f"{block.number}.\t" if block.ordered else "•\t")
                self.runs(p, block.runs, q)
                last_text = p
            elif isinstance(block, mk.CodeBlock):
                p = self.para(self.styles.code)
                p.run(block.text)
                q.extra_height += int(Pt(self.layout.code_size * 1.2 * block.text.count("\n")))
            else:  # Image
                p = self.para(style)
                limit = min(int(Cm(self.layout.image_max_width)), self.width - self.indent)
                self.picture(p, block.ref, q, max_width=limit)
            if p is not first:
                out.append(p)
        return out, last_text

    # ---- finishing ---------------------------------------------------------------------

    def save(self, *, title: str, subject: str, comments: str, category: str) -> bytes:
        props = self.doc.core_properties
        when = X.fixed_datetime(_source_date_epoch())
        props.title = title
        props.subject = subject
        props.author = "qbank"
        props.last_modified_by = "qbank"
        props.comments = comments
        props.category = category
        props.keywords = ""
        props.revision = 1
        props.created = props.modified = props.last_printed = when
        return X.save_reproducible(self.doc)


def _bolded(run: mk.Run) -> mk.Run:
    return mk.Run(run.text, True, run.italic, run.strike, run.code, run.math, run.url, run.image)


def _source_date_epoch() -> int:
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(raw) if raw.isdigit() else DEFAULT_EPOCH


@functools.lru_cache(maxsize=8192)
def _inline(text: str, root: Path | None = None) -> tuple[mk.Run, ...]:
    """A short markup text (option, item, answer) as one list of runs: paragraphs joined
    by line breaks, code blocks as code runs, figures as their picture run (``root``
    resolves pictures in the bank)."""
    out: list[mk.Run] = []
    for block in mk.parse(text).blocks(root):
        if out:
            out.append(mk.Run("\n"))
        if isinstance(block, mk.Paragraph | mk.ListItem):
            out.extend(block.runs)
        elif isinstance(block, mk.CodeBlock):
            out.append(mk.Run(block.text, code=True))
        else:
            out.append(mk.Run(block.ref.alt, image=block.ref))
    return tuple(out)


def _plain_len(text: str) -> int:
    return len(mk.parse(text).to_text())


def _points(n: int) -> str:
    return f"({n}{NBSP}{'pt' if n == 1 else 'pts'})"


def _blank_width(blank: mk.Blank, max_words: int | None) -> int:
    """Underscores for a cloze blank: 1.4 × the longest accepted answer, at least 10, room
    for ``max_words`` words, capped at 30 (a run of ``_`` cannot wrap)."""
    longest = max((len(mk.to_text(a)) for a in blank.answers if a), default=8)
    return min(30, max(10, math.ceil(1.4 * longest), 4 * (max_words or 0)))


def _words_note(max_words: int | None, per_blank: bool = False) -> str:
    if not max_words:
        return ""
    words = "word" if max_words == 1 else "words"
    return f" (at most {max_words} {words}{' per blank' if per_blank else ''})"


# -- the worksheet -------------------------------------------------------------------------


class _Worksheet(_Builder):
    """A student copy of one form (and, with ``key="append"``, its key)."""

    def header_block(self, draw: Draw, form: Form, time_limit: int | None) -> None:
        s = self.styles
        self.para(s.title, draw.title)
        qs = form.questions
        info = [f"Form {form.name}", f"{len(qs)} question{'s' * (len(qs) != 1)}"]
        info.append(f"{form.total_points} point{'s' * (form.total_points != 1)}")
        if time_limit:
            info.append(f"Time allowed: {time_limit} minutes")
        self.para(s.info, " · ".join(info))
        if self.large:
            for label in ("Name:", "Class:", "Date:"):
                self.para(s.fields, f"{label} \t")
        else:
            self.para(s.fields, "Name: \t\u2003Class: \t\u2003Date: \t")
        if draw.instructions:
            for block in mk.parse(draw.instructions).blocks(self.root):
                if isinstance(block, mk.Paragraph | mk.ListItem):
                    self.runs(self.para(s.note), block.runs)
        self.para(s.note, _how_to_answer(qs, bool(draw.instructions)))
        p = self.para(s.fields)
        p.tabs([(self.full_width // 2 + int(Cm(4)), _TAB_L, _LINES)])
        p.space(after_pt=6)
        p.bottom_border()
        p.run(f"Total: {form.total_points} points", bold=True)
        p.run(f"\u2003\u2003Score: \t / {form.total_points}")
        if self.columns == 2:
            section = X.section_break_after(self.doc, p.p, WD_SECTION.CONTINUOUS)
            X.set_columns(section, 2, int(Cm(self.layout.column_gap)) // 635)

    def question(self, dq: DrawnQuestion, number_width: int) -> _Question:
        q = dq.question
        s = self.styles
        out = _Question()
        text = q.text
        if isinstance(q, Cloze):
            blanks = mk.find_blanks(text)
            many = len(blanks) > 1

            def placeholder(b: mk.Blank) -> str:
                tag = f"({b.index + 1}){NBSP}" if many else ""
                return tag + "\\_" * _blank_width(b, q.max_words)

            text = mk.replace_blanks(text, placeholder)
        first = self.para(s.question)
        if number_width:
            first.tabs([(number_width, _TAB_L, None), (self.width, _TAB_R, None)])
            first.indent(number_width, -number_width)
        first.run(f"{dq.number}.", bold=True)
        first.run("\t")
        stem, last_text = self.blocks(mk.parse(text).blocks(self.root), out, first=first)
        note = _question_note(dq)
        if note:
            if last_text is None:  # the stem ends with a picture or code: note on its own line
                last_text = self.para(s.text)
                stem.append(last_text)
                note = note.lstrip()
            italic = self.layout.italic
            last_text.run(note, italic=italic, bold=not italic)
        first.run("\t" + _points(q.points))
        for p in stem:
            out.add(p)
        self.answer_space(dq, out)
        _chain(out)
        return out

    def option(self, p: X.Para, label: str, runs: Sequence[mk.Run], q: _Question) -> None:
        p.run(BOX, style=self.styles.box_char)
        p.run(f"{NBSP}{label}\t")
        self.runs(p, runs, q)

    def answer_space(self, dq: DrawnQuestion, out: _Question) -> None:
        q = dq.question
        s = self.styles
        pitch = int(Pt(self.layout.answer_line_pitch))
        if isinstance(q, Single | Multi):
            options = [(letter(i) + ".", o.text) for i, o in enumerate(dq.options)]
            short = self.layout.pair_short_options
            pair = short > 0 and self.columns == 1
            per_line = 2 if pair and all(_plain_len(t) <= short for _, t in options) else 1
            for i in range(0, len(options), per_line):
                p = self.para(s.option)
                for j, (label, t) in enumerate(options[i : i + per_line]):
                    if j:
                        p.run("\t")
                    self.option(p, label, _inline(t, self.root), out)
                out.add(p)
        elif isinstance(q, TrueFalse):
            p = self.para(s.option)
            p.run(BOX, style=s.box_char)
            p.run(f"{NBSP}True\t\t")
            p.run(BOX, style=s.box_char)
            p.run(f"{NBSP}False")
            out.add(p)
        elif isinstance(q, Order):
            box = round(self.layout.size * 1.35)
            for i, item in enumerate(dq.items):
                p = self.para(s.option)
                p.run(BOX, style=s.box_char, size=box)
                p.run(f"{NBSP}{letter(i)}.\t")
                self.runs(p, _inline(item, self.root), out)
                out.add(p)
        elif isinstance(q, Match):
            self.match_table(dq, out)
        elif isinstance(q, Numeric):
            p = self.para(s.answer, "Answer: \t" + (f" {q.unit}" if q.unit else ""))
            p.length = 0  # its height is the line pitch, counted here:
            out.extra_height += pitch
            out.add(p)
        elif isinstance(q, Short | Essay):
            n = max(1, q.lines) if isinstance(q, Essay) else (1 if (q.max_words or 99) <= 10 else 2)
            for _ in range(n):
                p = self.para(s.line, "\t")
                p.length = 0  # its height is the line pitch, counted here:
                out.add(p)
            out.extra_height += n * pitch

    def match_table(self, dq: DrawnQuestion, out: _Question) -> None:
        """Borderless columns: a write-on blank, the numbered left items and the lettered
        right column in the draw's order. The blank comes first so it keeps its width
        however long the items are. In a narrow column (two-column pages) the right column
        follows below the left one instead of beside it."""
        q = dq.question
        assert isinstance(q, Match)
        lefts = [p[0] for p in q.pairs]
        rights = dq.right_column
        avail = self.width - self.indent
        blank = int(Cm(0.13 * self.layout.size))
        stacked = avail < int(Cm(11))
        left = avail - blank if stacked else int((avail - blank) * 0.4)
        widths = [blank, left] if stacked else [blank, left, avail - blank - left]
        tbl = X.new_table(self.end, widths, indent=self.indent)
        margins = int(Cm(0.19)) * 2
        label = int(Cm(0.35 + 0.03 * self.layout.size))
        s = self.styles
        for i in range(len(lefts) if stacked else max(len(lefts), len(rights))):
            cells = X.add_row(tbl, widths)
            group = []
            for c, cell in enumerate(cells):
                p = self.para(s.match, parent=cell)
                if c == 0:
                    p.tabs([(widths[0] - margins, _TAB_R, _LINES)])
                    # LibreOffice draws a leader at the end of a cell only if something
                    # follows the tab: a zero-width space
                    p.run("\t\u200b")
                elif i < (len(lefts) if c == 1 else len(rights)):
                    p.tabs([(label, _TAB_L, None)])
                    p.indent(label, -label)
                    p.run(f"{i + 1}.\t" if c == 1 else f"{letter(i)}.\t")
                    self.runs(p, _inline(lefts[i] if c == 1 else rights[i], self.root), out)
                group.append(p)
            out.add(*group)
        if stacked:
            for j, text in enumerate(rights):
                p = self.para(s.match)
                p.tabs([(self.indent + label, _TAB_L, None)])
                p.indent(self.indent + label, -label)
                p.run(f"{letter(j)}.\t")
                self.runs(p, _inline(text, self.root), out)
                out.add(p)

    def end_paragraph(self, form: Form) -> X.Para:
        p = self.para(self.styles.end, f"— End of Form {form.name} —")
        p.center()
        return p


def _chain(q: _Question) -> None:
    """Keep a question on one page: *keep together* on every paragraph, *keep with next*
    on every group but the last (chaining the last too would glue the whole test)."""
    last = len(q.groups) - 1
    for i, group in enumerate(q.groups):
        for p in group:
            p.keep(with_next=i < last, together=True)


def _question_note(dq: DrawnQuestion) -> str:
    q = dq.question
    if isinstance(q, Multi):
        return " Choose all that apply."
    if isinstance(q, Cloze):
        return _words_note(q.max_words, per_blank=len(mk.find_blanks(q.text)) > 1)
    if isinstance(q, Short | Essay):
        return _words_note(q.max_words)
    if isinstance(q, Order):
        return f" Number the boxes 1–{len(q.items)} in the correct order."
    if isinstance(q, Match):
        return " Write the letter of the matching item on each line."
    return ""


def _how_to_answer(questions: Sequence[DrawnQuestion], own_instructions: bool) -> str:
    types = {d.question.type for d in questions}
    parts = [
        "The points for each question are shown on its right."
        if own_instructions
        else "Answer every question; the points for each are shown on its right."
    ]
    if types & {"single", "multi", "truefalse"}:
        parts.append(
            f"Tick one box ({BOX}) unless the question says “Choose all that apply”."
            if types & {"single", "multi"}
            else f"Tick one box ({BOX})."
        )
    if types & {"cloze", "short", "numeric", "essay"}:
        parts.append("Write your answers in the blanks or on the lines.")
    return " ".join(parts)


def _estimate_height(b: _Builder, q: _Question) -> int:
    """Rough height of a question in EMU, to warn when it cannot fit on one page."""
    lay = b.layout
    chars_per_line = max(20.0, (b.width - b.indent) / 12700 / (lay.size * 0.5))
    line_h = lay.size * lay.line_spacing * 1.2
    total = lay.question_gap
    for group in q.groups:
        tallest = max(math.ceil(p.length / chars_per_line) * line_h + 2 for p in group)
        total += tallest
    return int(Pt(total)) + q.extra_height


# -- the key -------------------------------------------------------------------------------


class _KeyWriter:
    """Writes the answer-key part (one form's heading and table) into a builder."""

    def __init__(self, b: _Builder):
        self.b = b

    def form(self, draw: Draw, form: Form, *, new_page: bool) -> None:
        b = self.b
        s = b.styles
        h = b.para(s.key_heading)
        n = len(form.questions)
        h.run(f"Form {form.name}", bold=True)
        h.run(f" — {n} question{'s' * (n != 1)}, {form.total_points} points · seed {draw.seed}")
        h.keep(with_next=True)
        if new_page:
            h.page_break_before()
        widths = [int(Cm(1.0)), 0, int(Cm(1.3)), 0]
        rest = b.full_width - widths[0] - widths[2]
        widths[1] = int(rest * 0.45)
        widths[3] = rest - widths[1]
        tbl = X.new_table(b.end, widths, borders=True)
        for cell, text in zip(
            X.add_row(tbl, widths, header=True, fill="D9D9D9"),
            ("#", "Answer", "Pts", "Explanation"),
            strict=True,
        ):
            b.para(s.key_cell, parent=cell).run(text, bold=True)
        for dq in track(form.questions, label=f"Key, form {form.name}"):
            q = dq.question
            cells = X.add_row(tbl, widths)
            b.para(s.key_cell, parent=cells[0]).run(str(dq.number), bold=True)
            for line in key_answer(dq):
                b.runs(b.para(s.key_cell, parent=cells[1]), line)
            pts = str(q.points) + (
                " (partial credit)" if isinstance(q, Multi) and q.partial else ""
            )
            b.para(s.key_cell, parent=cells[2], text=pts)
            explanation: list[mk.Block] = []
            if isinstance(q, Essay) and q.rubric:
                explanation.append(mk.Paragraph((mk.Run("Rubric:", bold=True),)))
                explanation += mk.parse(q.rubric).blocks()
            if q.explanation:
                explanation += mk.parse(q.explanation).blocks()
            self.cell_blocks(cells[3], explanation)
        b.para(s.key_cell)  # a table must not end the document

    def cell_blocks(self, cell: Any, blocks: Sequence[mk.Block]) -> None:
        b = self.b
        if not blocks:
            b.para(b.styles.key_cell, parent=cell)  # every cell needs a paragraph
        for block in blocks:
            p = b.para(b.styles.key_cell, parent=cell)
            if isinstance(block, mk.Paragraph):
                b.runs(p, block.runs)
            elif isinstance(block, mk.ListItem):
                p.indent(int(Cm(0.5 * (block.depth + 1))), -int(Cm(0.5)))
                p.run(f"{block.number}. " if block.ordered else "• ")
                b.runs(p, block.runs)
            elif isinstance(block, mk.CodeBlock):
                p.run(block.text, style=b.styles.code_char)
            else:
                p.run(f"[Image: {block.ref.alt}]")


def key_answer(dq: DrawnQuestion) -> list[list[mk.Run]]:
    """The key's answer cell for a drawn question: one list of runs per line, using the
    letters and positions *as shown on this form*."""
    q = dq.question
    B = _bold_run
    if isinstance(q, Single | Multi):
        letters = dq.correct_letters
        lines = [[B(", ".join(letters))]]
        for i, o in enumerate(dq.options):
            if o.correct:
                lines.append([B(f"{letter(i)}. "), *_key_runs(o.text)])
        return lines
    if isinstance(q, TrueFalse):
        return [[B("True" if q.answer else "False")]]
    if isinstance(q, Cloze):
        blanks = mk.find_blanks(q.text)
        lines = []
        for blank in blanks:
            tag = f"({blank.index + 1}) " if len(blanks) > 1 else ""
            answers = [a for a in blank.answers if a]
            line = [mk.Run(tag), *_bold_all(_key_runs(answers[0]) if answers else [])]
            if len(answers) > 1:
                line.append(mk.Run(" — also: " + "; ".join(mk.to_text(a) for a in answers[1:])))
            lines.append(line)
        if q.case_sensitive:
            lines.append([mk.Run("(case-sensitive)")])
        return lines
    if isinstance(q, Short):
        line = [*_bold_all(_key_runs(q.answers[0]))]
        if len(q.answers) > 1:
            line.append(mk.Run(" — also: " + "; ".join(mk.to_text(a) for a in q.answers[1:])))
        lines = [line]
        if q.case_sensitive:
            lines.append([mk.Run("(case-sensitive)")])
        return lines
    if isinstance(q, Numeric):
        unit = f" {q.unit}" if q.unit else ""
        lines = [[B(f"{q.answer}{unit}")]]
        bounds = q.tolerance_bounds()
        if q.tolerance and bounds is not None and bounds[0] != bounds[1]:
            lo, hi = (_decimal(x) for x in bounds)
            lines.append([mk.Run(f"accept {lo} to {hi}{unit} (± {q.tolerance.strip()})")])
        else:
            lines.append([mk.Run("exact value")])
        return lines
    if isinstance(q, Order):
        shown = list(dq.order) if dq.order else list(range(len(q.items)))
        sequence = [letter(shown.index(i)) for i in range(len(q.items))]
        boxes = ", ".join(f"{letter(j)} = {shown[j] + 1}" for j in range(len(shown)))
        return [[B(" → ".join(sequence))], [mk.Run(f"Boxes: {boxes}")]]
    if isinstance(q, Match):
        shown = list(dq.order) if dq.order else list(range(len(q.pairs)))
        return [
            [
                B(f"{i + 1} → {letter(shown.index(i))}"),
                mk.Run(f"  {mk.to_text(left)} — {mk.to_text(right)}"),
            ]
            for i, (left, right) in enumerate(q.pairs)
        ]
    if isinstance(q, Essay):
        note = "Marked by the teacher (see the rubric)." if q.rubric else "Marked by the teacher."
        return [[mk.Run(note)]]
    return [[mk.Run("")]]  # pragma: no cover - every type is handled above


def _key_runs(text: str) -> list[mk.Run]:
    """A short text for the key: pictures as their alt text (the key is for marking)."""
    return [mk.Run(f"[Image: {r.text}]") if r.image else r for r in _inline(text)]


def _bold_run(text: str) -> mk.Run:
    return mk.Run(text, bold=True)


def _bold_all(runs: Sequence[mk.Run]) -> list[mk.Run]:
    return [_bolded(r) for r in runs]


def _decimal(d: Decimal) -> str:
    return format(d.normalize(), "f")


def _key_intro(b: _Builder, draw: Draw, bank: Bank, forms: Sequence[Form]) -> None:
    s = b.styles
    b.para(s.title, f"Answer key: {draw.title}")
    names = ", ".join(f.name for f in forms)
    info = [f"Form{'s' * (len(forms) > 1)} {names}", f"seed {draw.seed}"]
    if draw.quiz:
        info.append(f"quiz {draw.quiz}")
    info.append(f"bank {bank.id}")
    b.para(s.info, " · ".join(info))
    p = b.para(s.note)
    p.run("TEACHER COPY — do not hand out. ", bold=True)
    p.run("Letters and positions are those printed on each form; the seed reproduces the draw.")


# -- export --------------------------------------------------------------------------------


def export(
    draw: Draw,
    out: Path,
    *,
    bank: Bank,
    key: str = "separate",
    paper: str = "a4",
    large_print: bool = False,
    columns: int = 1,
    style: Path | None = None,
) -> ExportResult:
    """Write the worksheet(s) and key for ``draw``; see the module docstring for the files.

    ``columns=2`` sets the questions in two newspaper columns (ignored in large print,
    which is always one column). ``style`` overlays a user's layout file on the shipped
    ``exporters/docx/style.yaml``. Raises :class:`DocxExportError` before writing anything
    when the files cannot be written as asked.
    """
    if key not in KEY_MODES:
        raise DocxExportError(f"key must be one of {', '.join(KEY_MODES)}, not {key!r}")
    if paper not in PAPERS:
        raise DocxExportError(f"paper must be one of {', '.join(PAPERS)}, not {paper!r}")
    if columns not in (1, 2):
        raise DocxExportError(f"columns must be 1 or 2, not {columns!r}")
    warnings: list[str] = []
    if large_print and columns == 2:
        warnings.append("large print is always one column; --columns 2 ignored")
        columns = 1
    layout = load_style(style)["large_print" if large_print else "regular"]
    students, key_file = output_files(out, [f.name for f in draw.forms], key)
    for path in [*students, *([key_file] if key_file else [])]:
        if path.is_dir():
            raise DocxExportError(f"output {path} is a folder; give a file name")
    language = bank.manifest.language if bank.manifest else None
    time_limit = draw.time_limit_minutes
    kwargs: dict[str, Any] = {
        "layout": layout,
        "paper": paper,
        "root": bank.root,
        "language": language,
        "warnings": warnings,
    }
    outputs: dict[Path, bytes] = {}
    # quiz section titles head their questions when the sections stay in order
    part_titles: dict[int, str] = {}
    if not draw.shuffle_questions:
        part_titles = {s.index: s.title for s in draw.sections if s.title}
    for form, path in zip(draw.forms, students, strict=True):
        ws = _Worksheet(columns=columns, **kwargs)
        section = ws.doc.sections[0]
        ws.running_header(section, draw.title, f"Form {form.name}")
        ws.footer(
            section,
            f"Form {form.name}",
            f"PAGEREF {END_BOOKMARK}" if key == "append" else "NUMPAGES",
        )
        ws.header_block(draw, form, time_limit)
        number_width = int(Cm(0.3)) + ws.indent if len(form.questions) >= 100 else 0
        part = -1
        for dq in track(form.questions, label=f"Form {form.name}"):
            if dq.section != part and dq.section in part_titles:
                ws.para(ws.styles.part, part_titles[dq.section]).keep(with_next=True)
            part = dq.section
            built = ws.question(dq, number_width)
            if _estimate_height(ws, built) > ws.text_height:
                warnings.append(
                    f"form {form.name}, question {dq.number} ({dq.id}) is taller than a page "
                    "and will be split across pages"
                )
        end = ws.end_paragraph(form)
        if key == "append":
            ws.bookmark(end, END_BOOKMARK)
            sec = X.section_break_after(ws.doc, end.p, WD_SECTION.NEW_PAGE)
            if columns == 2:
                X.set_columns(sec, 1, 720)
            sec.header.is_linked_to_previous = False
            sec.footer.is_linked_to_previous = False
            ws.running_header(sec, "TEACHER COPY — answer key", f"Form {form.name}")
            ws.footer(sec, "TEACHER COPY", "NUMPAGES")
            _key_intro(ws, draw, bank, [form])
            _KeyWriter(ws).form(draw, form, new_page=False)
        outputs[path] = ws.save(
            title=f"{draw.title} — Form {form.name}",
            subject=bank.title,
            comments=f"qbank worksheet · bank {bank.id} · seed {draw.seed} · form {form.name}"
            + (" · with answer key" if key == "append" else ""),
            category="worksheet",
        )
    if key_file is not None:
        kb = _Builder(columns=1, **kwargs)
        section = kb.doc.sections[0]
        kb.running_header(section, "TEACHER COPY — answer key", draw.title)
        kb.footer(section, "Answer key", "NUMPAGES")
        _key_intro(kb, draw, bank, draw.forms)
        for i, form in enumerate(draw.forms):
            _KeyWriter(kb).form(draw, form, new_page=i > 0)
        outputs[key_file] = kb.save(
            title=f"{draw.title} — answer key",
            subject=bank.title,
            comments=f"qbank answer key · bank {bank.id} · seed {draw.seed} · forms "
            + ", ".join(f.name for f in draw.forms),
            category="answer key",
        )
    write_all(outputs)
    # an image problem repeats on every form: report it once
    return ExportResult(list(outputs), list(dict.fromkeys(warnings)))


def write_all(outputs: dict[Path, bytes]) -> None:
    """Write every file to a temporary file first; rename them only when all are written,
    so a failure or an interrupt leaves no partial set behind."""
    with contextlib.ExitStack() as stack:
        temps = [(stack.enter_context(atomic_path(path)), data) for path, data in outputs.items()]
        for tmp, data in temps:
            tmp.write_bytes(data)
