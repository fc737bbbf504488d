"""LaTeX maths → MathML (web pages) and Word equations (OMML), in pure Python, at export time.

Why MathML made here and no renderer in the page: Chromium, Firefox and Safari render MathML
Core natively, so the exported page needs no script, no network and no font files, and no
code of ours ever evaluates author text in the learner's browser. The measurement behind the
choice (40 formulas, page weight, what is visibly wrong) is in ``docs/maths.md``.

``latex2mathml`` does the parsing; this module repairs what it gets wrong for the browsers
(``aligned`` environments, upright single letters, limits under ``\\lim`` in display maths,
fences that do not stretch, the bar of ``\\overline``), and — because ``latex2mathml``
copies ``\\text{…}`` verbatim into the markup — parses its output as XML and keeps only an
allow-list of MathML elements and attributes. A formula that fails any of that is reported
as not convertible (``None``) and the caller shows readable text instead.

Word: the MathML is converted to OMML with ``mathml-to-omml`` (``math_ml2omml``), then the
empty radical degree and empty boxes that LibreOffice shows as "¿" are repaired. Constructs
that LibreOffice renders wrongly (see :data:`OMML_UNSUPPORTED`) are refused so that the
caller prints readable text.
"""

from __future__ import annotations

import contextlib
import functools
import io
import re

from lxml import etree

__all__ = [
    "MATHML_NS",
    "OMML_NS",
    "OMML_UNSUPPORTED",
    "html_with_mathml",
    "omml_supported",
    "split_delimiters",
    "to_mathml",
    "to_omml",
]

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
OMML_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"
_M = f"{{{MATHML_NS}}}"
_O = f"{{{OMML_NS}}}"

# MathML Core presentation elements latex2mathml emits; anything else (e.g. markup copied from
# `\text{<b>}`) makes the formula unconvertible.
_ELEMENTS = frozenset(
    [
        "math",
        "mrow",
        "mi",
        "mn",
        "mo",
        "mtext",
        "mspace",
        "ms",
        "msup",
        "msub",
        "msubsup",
        "mfrac",
        "msqrt",
        "mroot",
        "munder",
        "mover",
        "munderover",
        "mtable",
        "mtr",
        "mtd",
        "mstyle",
        "mpadded",
        "mphantom",
        "menclose",
        "merror",
    ]
)
_ATTRIBUTES = frozenset(
    [
        "display",
        "mathvariant",
        "stretchy",
        "fence",
        "form",
        "separator",
        "movablelimits",
        "accent",
        "accentunder",
        "linethickness",
        "minsize",
        "maxsize",
        "width",
        "height",
        "depth",
        "columnalign",
        "rowalign",
        "displaystyle",
        "scriptlevel",
        "lspace",
        "rspace",
        "symmetric",
        "largeop",
        "columnspacing",
        "rowspacing",
        "notation",
        "columnlines",
        "rowlines",
        "frame",
    ]
)
_LIMIT_OPERATORS = frozenset(
    [
        "lim",
        "max",
        "min",
        "sup",
        "inf",
        "det",
        "gcd",
        "Pr",
        "liminf",
        "limsup",
        "lim",
        "inf",
        "lim",
        "sup",
        "arg",
        "max",
        "arg",
        "min",
    ]
)
_FENCES = frozenset("(){}[]|‖⟨⟩⌊⌋⌈⌉")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)

# Rewrites of the source before latex2mathml sees it.
_ALIGNED = re.compile(r"\\begin\{(aligned|align\*?|split|alignedat|gathered)\}(?:\{\d+\})?")
_ALIGNED_END = re.compile(r"\\end\{(aligned|align\*?|split|alignedat|gathered)\}")
_MATHRM_LETTER = re.compile(r"\\mathrm\s*\{\s*([A-Za-z])\s*\}")
_DEGREE = re.compile(r"\\degree(?![A-Za-z])")

OMML_UNSUPPORTED: dict[str, str] = {
    "lim": r"\\lim(?![A-Za-z])",
    "aligned": r"\\begin\{(aligned|align\*?|split|alignedat|gathered)\}",
    "vmatrix": r"\\begin\{[vV]matrix\}",
}
"""Constructs refused for Word, as patterns (LibreOffice drew them wrongly when converted;
see ``docs/maths.md``): the caller prints readable text for these formulas."""
_OMML_UNSUPPORTED = re.compile("|".join(OMML_UNSUPPORTED.values()))


def omml_supported(tex: str) -> bool:
    """Whether :func:`to_omml` will try ``tex`` (False for the refused constructs)."""
    return _OMML_UNSUPPORTED.search(tex) is None


def _prepare(tex: str) -> str:
    """Rewrite what latex2mathml gets wrong into what it gets right."""

    def aligned(m: re.Match[str]) -> str:
        cols = "c" if m.group(1) == "gathered" else "rl" * 4
        return r"\begin{array}{" + cols + "}"

    tex = _ALIGNED.sub(aligned, tex)
    tex = _ALIGNED_END.sub(r"\\end{array}", tex)
    # `a &= b`: the relation after `&` starts a cell; `{}` before it keeps it a relation
    tex = re.sub(r"&\s*(?=[=<>≤≥≈]|\\(?:le|ge|leq|geq|approx|ne|neq|equiv|to)\b)", "&{}", tex)
    tex = _MATHRM_LETTER.sub(r"\\text{\1}", tex)
    return _DEGREE.sub(r"^\\circ", tex)


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _clean(root: etree._Element) -> bool:
    """Keep only allow-listed elements and attributes; False when a foreign element is found."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            return False  # comments, processing instructions
        if etree.QName(el).namespace != MATHML_NS or _local(el) not in _ELEMENTS:
            return False
        for name in list(el.attrib):
            if name not in _ATTRIBUTES:
                del el.attrib[name]
    return True


def _fix_limits(root: etree._Element) -> None:
    """``\\lim_{x\\to0}`` in display maths: the limit goes under, as in TeX."""
    for tag, new in (("msub", "munder"), ("msubsup", "munderover")):
        for el in root.iter(_M + tag):
            base = el[0] if len(el) else None
            if base is not None and _local(base) == "mo" and (base.text or "") in _LIMIT_OPERATORS:
                el.tag = _M + new


def _fix_fences(root: etree._Element) -> None:
    """Fences beside a table (matrices) stretch, grouped with it in their own row."""
    for table in list(root.iter(_M + "mtable")):
        parent = table.getparent()
        if parent is None:
            continue
        i = parent.index(table)
        before = parent[i - 1] if i > 0 else None
        after = parent[i + 1] if i + 1 < len(parent) else None
        fences = [
            f
            for f in (before, after)
            if f is not None and _local(f) == "mo" and (f.text or "").strip() in _FENCES
        ]
        if not fences:
            continue
        for f in fences:
            f.set("stretchy", "true")
            f.set("symmetric", "true")
            f.set("fence", "true")
        if len(parent) > len(fences) + 1 or _local(parent) != "mrow":
            group = etree.Element(_M + "mrow")
            first = before if before in fences else table
            parent.insert(parent.index(first), group)
            for el in [x for x in (before, table, after) if x is table or x in fences]:
                group.append(el)


def _fix_bars(root: etree._Element) -> None:
    """``\\overline``: latex2mathml uses a horizontal bar character that does not stretch.

    U+0332 is the one bar Chromium stretched with DejaVu Math TeX Gyre (the macron, U+203E
    and U+2015 stay a short dash): exact over one or two letters, size variants beyond (see
    docs/maths.md). The Word converter turns it into ``m:bar`` like the others."""
    for mo in root.iter(_M + "mo"):
        if mo.text == "\u2015":
            mo.text = "\u0332"
            mo.set("stretchy", "true")
        elif mo.text in ("\u23de", "\u23df"):  # \overbrace, \underbrace
            mo.set("stretchy", "true")


def _fix_primes(root: etree._Element) -> None:
    """``f'``: the prime glyph is already raised; as a superscript it floats far too high."""
    for sup in list(root.iter(_M + "msup")):
        parent = sup.getparent()
        if (
            len(sup) == 2
            and (sup[1].text or "") in ("\u2032", "\u2033", "\u2034")
            and parent is not None
        ):
            prime = etree.Element(_M + "mo", lspace="0", rspace="0")
            prime.text = sup[1].text
            i = parent.index(sup)
            parent.remove(sup)
            parent.insert(i, sup[0])
            parent.insert(i + 1, prime)


@functools.lru_cache(maxsize=8192)
def _tree_bytes(tex: str, display: bool) -> bytes | None:
    import latex2mathml.converter

    try:
        raw = latex2mathml.converter.convert(
            _prepare(tex), display="block" if display else "inline"
        )
        root = etree.fromstring(raw.encode("utf-8"), _PARSER)
    except Exception:  # latex2mathml raises many types for bad input; all mean "cannot"
        return None
    if not _clean(root):
        return None
    if display:
        _fix_limits(root)
    _fix_fences(root)
    _fix_bars(root)
    _fix_primes(root)
    return etree.tostring(root, encoding="utf-8")


def _tree(tex: str, display: bool) -> etree._Element | None:
    data = _tree_bytes(tex.strip(), display)
    return None if data is None else etree.fromstring(data, _PARSER)


def split_delimiters(source: str) -> tuple[str, bool]:
    """``\\( … \\)`` / ``\\[ … \\]`` (as markup keeps maths) → (LaTeX, display?)."""
    s = source.strip()
    if s[:2] in ("\\(", "\\[") and s[-2:] in ("\\)", "\\]"):
        return s[2:-2].strip(), s[:2] == "\\["
    return s, False


def to_mathml(tex: str, display: bool = False) -> str | None:
    """MathML for a formula (no delimiters), safe to put in HTML; ``None`` if not convertible.

    Deterministic: the same formula gives the same bytes.
    """
    root = _tree(tex, display)
    if root is None:
        return None
    text = etree.tostring(root, encoding="unicode")
    # HTML pages: the default namespace is implied for <math>; keep it for XHTML users
    return text


_SPAN = re.compile(r'<(span|div) class="math">(.*?)</\1>', re.DOTALL)


def html_with_mathml(html: str) -> str:
    """Replace the maths placeholders of :meth:`qbank.markup.Markup.to_html`
    (``<span class="math">\\(…\\)</span>``) by MathML. Formulas that cannot be converted
    keep their placeholder (the LaTeX source, escaped) so nothing the author wrote is lost."""
    if 'class="math"' not in html:
        return html
    import html as _html

    def repl(m: re.Match[str]) -> str:
        tex, display = split_delimiters(_html.unescape(m.group(2)))
        mathml = to_mathml(tex, display or m.group(1) == "div")
        if mathml is None:
            return m.group(0)
        if m.group(1) == "div":
            return f'<div class="math">{mathml}</div>'
        return mathml

    return _SPAN.sub(repl, html)


_ACCENTS = {
    "^": "\u0302",
    "ˆ": "\u0302",
    "~": "\u0303",
    "˜": "\u0303",
    "˙": "\u0307",
    ".": "\u0307",
    "¨": "\u0308",
    "ˇ": "\u030c",
    "´": "\u0301",
    "`": "\u0300",
    "→": "\u20d7",
}


def _omml_input(root: etree._Element) -> None:
    """MathML rewrites for the OMML converter: upright words as text runs, and a bracket
    pair whose closer carries a script (``(x-1)^2``) grouped as one base."""
    for el in list(root.iter(_M + "mi", _M + "mo")):
        text = el.text or ""
        if (_local(el) == "mi" and el.get("mathvariant") == "normal") or (
            _local(el) == "mo" and len(text) > 1 and text.isalpha()
        ):
            el.tag = _M + "mtext"
            el.attrib.clear()
    for sup in list(root.iter(_M + "msup", _M + "msub", _M + "msubsup")):
        parent = sup.getparent()
        base = sup[0] if len(sup) else None
        if parent is None or base is None or _local(base) != "mo" or base.text not in (")", "]"):
            continue
        opener = "(" if base.text == ")" else "["
        depth, i = 0, parent.index(sup) - 1
        while i >= 0:
            t = parent[i].text if _local(parent[i]) == "mo" else None
            if t == base.text:
                depth += 1
            elif t == opener:
                if depth == 0:
                    break
                depth -= 1
            i -= 1
        if i < 0:
            continue
        group = etree.Element(_M + "mrow")
        for el in list(parent)[i : parent.index(sup)]:
            group.append(el)
        group.append(base)
        sup.insert(0, group)


def _omml_fix(root: etree._Element) -> None:
    """Repairs of mathml-to-omml's output that LibreOffice and Word need."""
    for upp in list(root.iter(_O + "limUpp")):  # \hat: an accent, not a limit
        lim = upp.find(_O + "lim")
        mark = "".join(lim.itertext()) if lim is not None else ""
        if mark in _ACCENTS and lim is not None:
            upp.tag = _O + "acc"
            upp.remove(lim)
            pr = etree.Element(_O + "accPr")
            etree.SubElement(pr, _O + "chr").set(_O + "val", _ACCENTS[mark])
            upp.insert(0, pr)
    for group in list(root.iter(_O + "groupChr")):  # \overline, \vec over a group
        chr_el = group.find(f"{_O}groupChrPr/{_O}chr")
        pos = group.find(f"{_O}groupChrPr/{_O}pos")
        if chr_el is None or pos is None or pos.get(_O + "val") != "top":
            continue
        mark = chr_el.get(_O + "val")
        pr = group.find(_O + "groupChrPr")
        if mark in ("¯", "‾", "―", "\u0332"):
            group.tag = _O + "bar"
            pr.tag = _O + "barPr"
            pr.remove(chr_el)
        elif mark in _ACCENTS:
            group.tag = _O + "acc"
            pr.tag = _O + "accPr"
            pr.remove(pos)
            chr_el.set(_O + "val", _ACCENTS[mark])
    for rad in root.iter(_O + "rad"):
        if rad.find(_O + "deg") is None:
            pr = rad.find(_O + "radPr")
            if pr is None:
                pr = etree.Element(_O + "radPr")
                rad.insert(0, pr)
            hide = etree.SubElement(pr, _O + "degHide")
            hide.set(_O + "val", "1")
            rad.insert(rad.index(pr) + 1, etree.Element(_O + "deg"))
    changed = True
    while changed:  # empty boxes render as a red placeholder
        changed = False
        for box in list(root.iter(_O + "box")):
            if not "".join(box.itertext()).strip() and box.getparent() is not None:
                box.getparent().remove(box)
                changed = True


def to_omml(tex: str, display: bool = False) -> etree._Element | None:
    """A Word equation (``m:oMath``; in ``m:oMathPara`` for display maths), or ``None`` when
    the formula cannot be converted faithfully (the caller prints readable text)."""
    if not omml_supported(tex):
        return None
    root = _tree(tex, display)
    if root is None:
        return None
    import math_ml2omml

    _omml_input(root)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            omml = math_ml2omml.convert(etree.tostring(root, encoding="unicode"))
        wrapper = etree.fromstring(f'<r xmlns:m="{OMML_NS}">{omml}</r>'.encode(), _PARSER)
    except Exception:  # the converter raises NotImplementedError, ValueError, SAX errors
        return None
    math = wrapper.find(_O + "oMath")
    if math is None:
        return None
    _omml_fix(math)
    if not display:
        return math
    para = etree.Element(_O + "oMathPara", nsmap={"m": OMML_NS})
    para.append(math)
    return para
