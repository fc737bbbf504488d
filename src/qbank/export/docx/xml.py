"""Raw WordprocessingML where python-docx 1.2 has no API: fields, bookmarks, fonts for every
script, columns, table row flags, alt text, borders, and a byte-reproducible package.

Kept apart from the layout modules of :mod:`qbank.export.docx` so the layout code reads as
layout. Element order follows the OOXML schema (Word is strict where LibreOffice is
lenient): every insertion goes through ``insert_element_before`` with the schema's list of
successors.
"""

from __future__ import annotations

import copy
import functools
import io
import zipfile
from datetime import datetime
from typing import Any

from docx.document import Document as DocumentObject
from docx.enum.section import WD_SECTION
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import Section
from docx.text.paragraph import Paragraph
from lxml import etree

#: schema order of the children of ``w:rPr`` (CT_RPr), used to insert ``w:rFonts`` and
#: ``w:lang`` at the right place
_RPR_ORDER = (
    "w:rStyle",
    "w:rFonts",
    "w:b",
    "w:bCs",
    "w:i",
    "w:iCs",
    "w:caps",
    "w:smallCaps",
    "w:strike",
    "w:dstrike",
    "w:outline",
    "w:shadow",
    "w:emboss",
    "w:imprint",
    "w:noProof",
    "w:snapToGrid",
    "w:vanish",
    "w:webHidden",
    "w:color",
    "w:spacing",
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)

#: successors of ``w:cols`` in ``w:sectPr``
_COLS_SUCCESSORS = (
    "w:formProt",
    "w:vAlign",
    "w:noEndnote",
    "w:titlePg",
    "w:textDirection",
    "w:bidi",
    "w:rtlGutter",
    "w:docGrid",
    "w:printerSettings",
    "w:sectPrChange",
)


def _insert(parent: BaseOxmlElement, child: BaseOxmlElement, successors: tuple[str, ...]) -> None:
    for old in parent.findall(child.tag):
        parent.remove(old)
    parent.insert_element_before(child, *successors)


def _successors(tag: str) -> tuple[str, ...]:
    return _RPR_ORDER[_RPR_ORDER.index(tag) + 1 :]


# -- fonts ----------------------------------------------------------------------------------


def set_fonts(rpr: BaseOxmlElement, font: str) -> None:
    """Name ``font`` for all four scripts (ASCII, high ANSI, East Asian, complex).

    python-docx's ``font.name`` writes only ``ascii``/``hAnsi``; a CJK or Arabic word in a
    question would then switch to the theme font. Theme attributes are dropped because
    they override the explicit names.
    """
    rfonts = OxmlElement("w:rFonts")
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), font)
    _insert(rpr, rfonts, _successors("w:rFonts"))


def set_lang(rpr: BaseOxmlElement, lang: str) -> None:
    """The proofing/hyphenation language of the text (e.g. ``en-GB``)."""
    el = OxmlElement("w:lang")
    el.set(qn("w:val"), lang)
    _insert(rpr, el, _successors("w:lang"))


def document_defaults(doc: DocumentObject, font: str, lang: str | None) -> None:
    """Fonts (and language) in ``w:docDefaults``, which the template fills with theme fonts."""
    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
    if rpr is None:  # pragma: no cover - python-docx's template always has one
        return
    set_fonts(rpr, font)
    if lang:
        set_lang(rpr, lang)


#: successors of ``w:bidi`` in ``w:pPr`` (ECMA-376 §17.3.1.26 sequence)
_BIDI_SUCCESSORS = tuple(
    "w:" + t
    for t in [
        "adjustRightInd",
        "snapToGrid",
        "spacing",
        "ind",
        "contextualSpacing",
        "mirrorIndents",
        "suppressOverlap",
        "jc",
        "textDirection",
        "textAlignment",
        "textboxTightWrap",
        "outlineLvl",
        "divId",
        "cnfStyle",
        "rPr",
        "sectPr",
        "pPrChange",
    ]
)


def set_right_to_left(doc: DocumentObject) -> None:
    """Right-to-left documents (Arabic, Hebrew): ``w:bidi`` on the default paragraph
    properties and every paragraph style (python-docx has no API for it), and on the
    section so that columns and the page run right to left."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    targets = []
    if defaults is not None:
        ppr_default = defaults.find(qn("w:pPrDefault"))
        if ppr_default is None:
            ppr_default = OxmlElement("w:pPrDefault")
            defaults.append(ppr_default)
        ppr = ppr_default.find(qn("w:pPr"))
        if ppr is None:
            ppr = OxmlElement("w:pPr")
            ppr_default.append(ppr)
        targets.append(ppr)
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:type")) == "paragraph":
            targets.append(style.get_or_add_pPr())
    for ppr in targets:
        if ppr.find(qn("w:bidi")) is None:
            bidi = OxmlElement("w:bidi")
            successor = next((c for c in ppr if c.tag in {qn(t) for t in _BIDI_SUCCESSORS}), None)
            if successor is not None:
                successor.addprevious(bidi)
            else:
                ppr.append(bidi)
    for sect in doc.element.body.iter(qn("w:sectPr")):
        if sect.find(qn("w:bidi")) is None:
            bidi = OxmlElement("w:bidi")
            index = _COLS_SUCCESSORS.index("w:bidi")
            after = {qn(t) for t in _COLS_SUCCESSORS[index + 1 :]}
            successor = next((c for c in sect if c.tag in after), None)
            if successor is not None:
                successor.addprevious(bidi)
            else:
                sect.append(bidi)


# -- fields and bookmarks ------------------------------------------------------------------


def _field_char(kind: str, rpr: BaseOxmlElement | None) -> BaseOxmlElement:
    run = OxmlElement("w:r")
    if rpr is not None:
        run.append(_copy(rpr))
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run.append(char)
    return run


def _copy(el: BaseOxmlElement) -> BaseOxmlElement:
    from copy import deepcopy

    return deepcopy(el)


def add_field(
    paragraph: Paragraph, instruction: str, cached: str, rpr: BaseOxmlElement | None = None
) -> None:
    """Append a complex field (``PAGE``, ``NUMPAGES``, ``PAGEREF bm``) to ``paragraph``.

    Five runs: begin, instruction, separate, the cached result, end. python-docx has no
    field API, and the snippet usually copied (a ``w:t`` inside ``w:fldChar``) is invalid.
    Word and LibreOffice recompute page fields in headers and footers when they paginate;
    ``cached`` is what a viewer that does not shows.
    """
    p = paragraph._p
    p.append(_field_char("begin", rpr))
    run = OxmlElement("w:r")
    if rpr is not None:
        run.append(_copy(rpr))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run.append(instr)
    p.append(run)
    p.append(_field_char("separate", rpr))
    run = OxmlElement("w:r")
    if rpr is not None:
        run.append(_copy(rpr))
    text = OxmlElement("w:t")
    text.text = cached
    run.append(text)
    p.append(run)
    p.append(_field_char("end", rpr))


def add_bookmark(p: BaseOxmlElement, name: str, bookmark_id: int) -> None:
    """An empty bookmark at the end of paragraph ``p`` (target of a ``PAGEREF`` field)."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bookmark_id))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bookmark_id))
    p.append(start)
    p.append(end)


# -- paragraphs, sections, tables ----------------------------------------------------------


def set_columns(section: Section, count: int, space_twips: int) -> None:
    """Newspaper columns for a section (``w:cols``); python-docx has no API for them."""
    sect_pr = section._sectPr
    cols = OxmlElement("w:cols")
    cols.set(qn("w:num"), str(count))
    cols.set(qn("w:space"), str(space_twips))
    _insert(sect_pr, cols, _COLS_SUCCESSORS)


def drop_thumbnail(doc: DocumentObject) -> None:
    """Remove the template's stale ``docProps/thumbnail.jpeg`` (a picture of an empty page
    that file browsers would show as the worksheet's preview)."""
    package = doc.part.package
    for r_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[r_id]


APP_XML = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties"><Application>qbank</Application><DocSecurity>0</DocSecurity>'
    b"</Properties>"
)

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def reproducible_zip(data: bytes) -> bytes:
    """Re-zip a saved package with fixed member dates and attributes.

    python-docx stamps every member with the current time; members, order and contents are
    otherwise stable. ``docProps/app.xml`` (the template's "Microsoft Macintosh Word", page
    and word counts of an empty page) is replaced by a minimal one.
    """
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            body = APP_XML if info.filename == "docProps/app.xml" else src.read(info.filename)
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.create_system = 0
            member.external_attr = 0
            dst.writestr(member, body, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return out.getvalue()


class _ZipPartWriter:
    """Stands in for python-docx's ``PhysPkgWriter``: fixed dates and attributes per member."""

    def __init__(self, zf: zipfile.ZipFile):
        self.zf = zf

    def write(self, pack_uri: Any, blob: bytes) -> None:
        name = pack_uri.membername
        member = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
        member.compress_type = zipfile.ZIP_DEFLATED
        member.create_system = 0
        member.external_attr = 0
        body = APP_XML if name == "docProps/app.xml" else blob
        self.zf.writestr(member, body, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)


def save_reproducible(doc: DocumentObject) -> bytes:
    """The package's bytes, written once with fixed member dates (see
    :func:`reproducible_zip`), through the steps of python-docx's ``OpcPackage.save``.

    Saving normally and re-zipping compresses everything twice; this writes each part once.
    Falls back to that when python-docx's package writer changes shape.
    """
    from docx.opc.pkgwriter import PackageWriter

    package = doc.part.package
    out = io.BytesIO()
    try:
        parts = list(package.parts)
        for part in parts:
            part.before_marshal()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            writer: Any = _ZipPartWriter(zf)  # duck-types PhysPkgWriter
            PackageWriter._write_content_types_stream(writer, parts)
            PackageWriter._write_pkg_rels(writer, package.rels)
            PackageWriter._write_parts(writer, parts)
    except AttributeError:  # pragma: no cover - a python-docx without these internals
        buf = io.BytesIO()
        doc.save(buf)
        return reproducible_zip(buf.getvalue())
    return out.getvalue()


def fixed_datetime(epoch: int) -> datetime:
    """A naive UTC datetime for core properties (python-docx writes it with a ``Z``)."""
    from datetime import UTC

    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)


def section_break_after(doc: DocumentObject, p: BaseOxmlElement, start: WD_SECTION) -> Section:
    """End the current section at ``paragraph`` and start a new one after it.

    python-docx's ``add_section`` puts the break in a new empty paragraph (a stray blank
    line); here the ``w:sectPr`` goes into paragraph ``p``, which must be the last one. The new
    section inherits headers and footers and copies page size, margins and columns.
    """
    sentinel = doc.element.body.get_or_add_sectPr()
    p.set_sectPr(sentinel.clone())
    for ref in sentinel.xpath("w:headerReference|w:footerReference"):
        sentinel.remove(ref)
    sentinel.start_type = start
    return Section(sentinel, doc.part)


# -- fast paragraph and table building -----------------------------------------------------
#
# python-docx's proxies cost about ten lxml operations per property (each insertion searches
# the schema's successor list). A worksheet has thousands of paragraphs, so the hot path
# builds them with lxml's SubElement directly (which still yields python-docx's element
# classes), in schema order by construction.

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


_SUB = etree.SubElement
_P, _PPR, _PSTYLE, _R, _RPR, _RSTYLE, _T, _TAB, _BR, _SZ = (
    _w(t) for t in ("p", "pPr", "pStyle", "r", "rPr", "rStyle", "t", "tab", "br", "sz")
)
_B, _I, _STRIKE, _KEEP_NEXT, _KEEP_LINES = (
    _w(t) for t in ("b", "i", "strike", "keepNext", "keepLines")
)
_VAL, _POS, _LEADER, _LEFT, _HANGING, _FIRST = (
    _w(t) for t in ("val", "pos", "leader", "left", "hanging", "firstLine")
)
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
#: the children of ``w:pPr`` this module writes, in schema order
_PPR_ORDER = (
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "pBdr",
    "tabs",
    "spacing",
    "ind",
    "jc",
)
_PPR_RANK = {_w(t): i for i, t in enumerate(_PPR_ORDER)}
_TAB_ALIGN = {0: "left", 1: "center", 2: "right"}


def _put(ppr: Any, tag: str) -> Any:
    """Add (or replace) child ``tag`` of ``w:pPr`` at its schema position."""
    rank = _PPR_RANK[tag]
    el = ppr.makeelement(tag)
    for i, child in enumerate(ppr):
        other = _PPR_RANK.get(child.tag, 99)
        if other == rank:
            ppr.replace(child, el)
            return el
        if other > rank:
            ppr.insert(i, el)
            return el
    ppr.append(el)
    return el


class Para:
    """A paragraph under construction (``w:p``), with a style and runs; appended to
    ``parent`` or, with ``before``, inserted before that element (the body's sectPr).

    ``length`` counts the visible characters written, for the layout estimate.
    """

    __slots__ = ("length", "p", "ppr")

    def __init__(self, parent: Any, style_id: str, *, before: Any = None):
        if before is not None:
            p = _SUB(before.getparent(), _P)
            before.addprevious(p)
        else:
            p = _SUB(parent, _P)
        self.p = p
        self.ppr = ppr = _SUB(p, _PPR)
        _SUB(ppr, _PSTYLE).set(_VAL, style_id)
        self.length = 0

    def run(
        self,
        text: str,
        *,
        style: str | None = None,
        bold: bool = False,
        italic: bool = False,
        strike: bool = False,
        size: float | None = None,
    ) -> Any:
        """Append a run; ``\\t`` becomes ``w:tab`` and ``\\n`` a line break (``w:br``)."""
        r = _SUB(self.p, _R)
        if style or bold or italic or strike or size:
            rpr = _SUB(r, _RPR)
            if style:
                _SUB(rpr, _RSTYLE).set(_VAL, style)
            if bold:
                _SUB(rpr, _B)
            if italic:
                _SUB(rpr, _I)
            if strike:
                _SUB(rpr, _STRIKE)
            if size:
                _SUB(rpr, _SZ).set(_VAL, str(round(size * 2)))
        if "\t" not in text and "\n" not in text:
            if text:
                t = _SUB(r, _T)
                if text[0] == " " or text[-1] == " ":
                    t.set(_XML_SPACE, "preserve")
                t.text = text
        else:
            for i, line in enumerate(text.split("\n")):
                if i:
                    _SUB(r, _BR)
                for j, chunk in enumerate(line.split("\t")):
                    if j:
                        _SUB(r, _TAB)
                    if chunk:
                        t = _SUB(r, _T)
                        if chunk[0] == " " or chunk[-1] == " ":
                            t.set(_XML_SPACE, "preserve")
                        t.text = chunk
        self.length += len(text)
        return r

    def keep(self, *, with_next: bool = False, together: bool = False) -> None:
        """Keep with next / keep lines together; they follow ``w:pStyle`` directly."""
        ppr = self.ppr
        at = 1
        if with_next:
            ppr.insert(at, ppr.makeelement(_KEEP_NEXT))
            at += 1
        if together:
            ppr.insert(at, ppr.makeelement(_KEEP_LINES))

    def page_break_before(self) -> None:
        _put(self.ppr, _w("pageBreakBefore"))

    def tabs(self, stops: list[tuple[int, int, str | None]]) -> None:
        """Tab stops as (position in EMU, 0 left / 1 centre / 2 right, leader or None)."""
        tabs = _put(self.ppr, _w("tabs"))
        for pos, align, leader in stops:
            tab = _SUB(tabs, _TAB)
            tab.set(_VAL, _TAB_ALIGN[align])
            if leader:
                tab.set(_LEADER, leader)
            tab.set(_POS, str(pos // 635))

    def indent(self, left: int, first: int = 0) -> None:
        """Left indent and first-line indent (negative: hanging), in EMU."""
        ind = _put(self.ppr, _w("ind"))
        ind.set(_LEFT, str(left // 635))
        if first < 0:
            ind.set(_HANGING, str(-first // 635))
        elif first > 0:
            ind.set(_FIRST, str(first // 635))

    def space(self, before_pt: float | None = None, after_pt: float | None = None) -> None:
        spacing = _put(self.ppr, _w("spacing"))
        if before_pt is not None:
            spacing.set(_w("before"), str(round(before_pt * 20)))
        if after_pt is not None:
            spacing.set(_w("after"), str(round(after_pt * 20)))

    def bottom_border(self) -> None:
        """A rule under the paragraph (ends the header block)."""
        bottom = _SUB(_put(self.ppr, _w("pBdr")), _w("bottom"))
        for attr, value in (("val", "single"), ("sz", "8"), ("space", "4"), ("color", "auto")):
            bottom.set(_w(attr), value)

    def center(self) -> None:
        _put(self.ppr, _w("jc")).set(_VAL, "center")

    def drawing(self, inline: Any) -> None:
        _SUB(_SUB(self.p, _R), _w("drawing")).append(inline)


def new_table(before: Any, widths: list[int], *, indent: int = 0, borders: bool = False) -> Any:
    """An empty fixed-layout table (``w:tbl``) inserted before ``before``.

    LibreOffice reads column widths from ``w:gridCol`` and Word from each ``w:tcW``: both
    are written (see :func:`add_row`).
    """
    tbl = _SUB(before.getparent(), _w("tbl"))
    before.addprevious(tbl)
    pr = _SUB(tbl, _w("tblPr"))
    tbl_w = _SUB(pr, _w("tblW"))
    tbl_w.set(_w("w"), str(sum(widths) // 635))
    tbl_w.set(_w("type"), "dxa")
    if indent:
        ind = _SUB(pr, _w("tblInd"))
        ind.set(_w("w"), str(indent // 635))
        ind.set(_w("type"), "dxa")
    if borders:
        box = _SUB(pr, _w("tblBorders"))
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            el = _SUB(box, _w(side))
            for attr, value in (
                ("val", "single"),
                ("sz", "4"),
                ("space", "0"),
                ("color", "808080"),
            ):
                el.set(_w(attr), value)
    _SUB(pr, _w("tblLayout")).set(_w("type"), "fixed")
    _SUB(pr, _w("tblLook")).set(_VAL, "04A0")
    grid = _SUB(tbl, _w("tblGrid"))
    for width in widths:
        _SUB(grid, _w("gridCol")).set(_w("w"), str(width // 635))
    return tbl


def add_row(
    tbl: Any, widths: list[int], *, header: bool = False, fill: str | None = None
) -> list[Any]:
    """Append a row that never splits across pages (``w:cantSplit``; ``w:tblHeader`` repeats
    a header row on every page); returns its cells (``w:tc``), each without paragraphs."""
    tr = _SUB(tbl, _w("tr"))
    tr_pr = _SUB(tr, _w("trPr"))
    _SUB(tr_pr, _w("cantSplit"))
    if header:
        _SUB(tr_pr, _w("tblHeader"))
    cells = []
    for width in widths:
        tc = _SUB(tr, _w("tc"))
        tc_pr = _SUB(tc, _w("tcPr"))
        tc_w = _SUB(tc_pr, _w("tcW"))
        tc_w.set(_w("w"), str(width // 635))
        tc_w.set(_w("type"), "dxa")
        if fill:
            shd = _SUB(tc_pr, _w("shd"))
            shd.set(_VAL, "clear")
            shd.set(_w("color"), "auto")
            shd.set(_w("fill"), fill)
        cells.append(tc)
    return cells


def new_pic_inline(shape_id: int, rid: str, filename: str, cx: int, cy: int) -> Any:
    """A ``wp:inline`` picture element, as python-docx's ``CT_Inline.new_pic_inline``
    builds it (from an XML text each time), here copied from one built per picture and
    size with only what depends on the drawing id set (``wp:docPr``'s ``id`` and ``name``,
    as ``CT_Inline.new`` sets them): the same element."""
    inline = copy.deepcopy(_pic_inline(rid, filename, cx, cy))
    doc_pr = inline.docPr
    doc_pr.set("id", str(shape_id))
    doc_pr.set("name", f"Picture {shape_id}")
    return inline


@functools.lru_cache(maxsize=1024)
def _pic_inline(rid: str, filename: str, cx: int, cy: int) -> Any:
    from docx.oxml.shape import CT_Inline
    from docx.shared import Emu

    return CT_Inline.new_pic_inline(0, rid, filename, Emu(cx), Emu(cy))
