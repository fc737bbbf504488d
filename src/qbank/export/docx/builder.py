"""The document builder shared by worksheets and keys: page set-up, styles, rich text.

One place defines the named paragraph styles and turns markup runs, lists, code and pictures
into Word paragraphs, so the worksheet and the key look alike and teachers can restyle both
in Word.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx.api import Document
from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.shared import Cm, Emu, Pt
from docx.styles.style import CharacterStyle, ParagraphStyle

from qbank import markup as mk
from qbank.export.docx import xml as X
from qbank.export.docx.files import PAPERS
from qbank.export.docx.math import math_text
from qbank.export.docx.style import Layout
from qbank.i18n import translator
from qbank.render.images import ImageError, for_word
from qbank.render.maths import split_delimiters, to_omml

BOX = "\u2610"  # ☐
NBSP = "\u00a0"
#: fixed document date when SOURCE_DATE_EPOCH is not set (2020-01-01T00:00:00Z)
DEFAULT_EPOCH = 1577836800
#: tab alignments and leader as the raw values :class:`qbank.export.docx.xml.Para` writes
TAB_L, TAB_R = 0, 2
LINES = "underscore"  # the "lines" tab leader


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
class BuiltQuestion:
    """A question's paragraphs grouped by vertical position (a table row is one group)."""

    groups: list[list[X.Para]] = field(default_factory=list)
    #: EMU the text-length estimate does not see: pictures, ruled lines, code lines
    extra_height: int = 0

    def add(self, *paragraphs: X.Para) -> None:
        self.groups.append(list(paragraphs))


class Builder:
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
        #: what students and teachers read around the questions, in the bank's language
        self.tr = translator(language)
        X.document_defaults(self.doc, layout.font, language)
        self.styles = self._make_styles()
        if self.tr.rtl:  # Arabic, Hebrew …: paragraphs and the page run right to left
            X.set_right_to_left(self.doc)
        #: paragraphs go before the body's final ``w:sectPr``
        self.end = self.doc.element.body.get_or_add_sectPr()
        self._bookmarks = 0
        #: pictures embedded so far (see :meth:`_image`) and the drawing id counter
        self._images_by_path: dict[Path, tuple[str, Any]] = {}
        self._images_by_sha1: dict[str, tuple[str, Any]] = {}
        self._next_rid = 1
        self._last_shape_id: int | None = None
        self._outside_tree = False

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
        # "Page {page} of {pages}" with the two numbers as fields, in the language's order
        text = self.tr.gettext("Page {page} of {pages}")
        p.add_run(f"{label} · ")
        for i, piece in enumerate(re.split(r"(\{page\}|\{pages\})", text)):
            if i % 2 == 0:
                if piece:
                    p.add_run(piece)
            else:
                X.add_field(p, "PAGE" if piece == "{page}" else total, "1")

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

    def runs(self, p: X.Para, runs: Sequence[mk.Run], q: BuiltQuestion | None = None) -> None:
        """Formatted runs from :meth:`qbank.markup.Markup.blocks` into ``p``."""
        italic_ok = self.layout.italic
        code = self.styles.code_char
        for r in runs:
            if r.image is not None:
                self.picture(p, r.image, q, max_width=int(Cm(3)))
                continue
            if r.math:
                tex, display = split_delimiters(r.text)
                equation = to_omml(tex, display)
                if equation is not None:  # a native Word equation
                    p.p.append(equation)
                    p.length += len(tex) // 2
                    continue
            text = math_text(r.text) if r.math else r.text  # readable text, never LaTeX
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

    def picture(self, p: X.Para, ref: mk.MediaRef, q: BuiltQuestion | None, max_width: int) -> None:
        """An inline picture with alt text; its alt text in brackets when the file is not a
        readable image inside the bank (never a file from outside it)."""
        from docx.image.exceptions import UnrecognizedImageError

        path = ref.path
        fallback = "[" + self.tr.gettext("Image: {alt}").format(alt=ref.alt or ref.src) + "]"
        if path is None or not path.is_file():
            why = "is not a file inside the bank" if path is None else "is missing"
            self.warnings.append(f"image {ref.src!r} {why}; printed its alt text instead")
            p.run(fallback, italic=self.layout.italic)
            return
        try:
            rid, image = self._image(path)
            width = min(int(image.width), max_width)
            cx, cy = image.scaled_dimensions(Emu(width), None)
        except (ImageError, UnrecognizedImageError, OSError, ValueError) as exc:
            why = str(exc) or type(exc).__name__
            self.warnings.append(f"image {ref.src!r} {why}; printed its alt text")
            p.run(fallback, italic=self.layout.italic)
            return
        inline = X.new_pic_inline(self._shape_id(p), rid, image.filename, cx, cy)
        inline.docPr.set("descr", ref.alt or ref.src)
        inline.docPr.set("title", ref.alt or ref.src)
        p.drawing(inline)
        if q is not None:
            q.extra_height += int(inline.extent.cy)

    def _image(self, path: Path) -> tuple[str, Any]:
        """``(rId, python-docx Image)`` of the picture file ``path``, its bytes converted
        (:func:`for_word`: Adobe/CMYK JPEG, WebP and SVG are re-encoded, SVG drawn at print
        resolution, a JPEG/PNG with an EXIF Orientation turned upright — so its size here is
        the upright one), embedded and related once per distinct file and per distinct content.

        Equal to python-docx's ``part.get_or_add_image(BytesIO(data))`` per use, which
        re-reads the bytes, hashes every image part of the package to find a match and
        scans every relationship: one image part per distinct SHA-1 of the bytes, named
        ``/word/media/image<n>.<ext>`` with ``n`` the lowest free number (here always the
        next one: parts are only added, all through this method, starting from none), the
        ``Image`` parsed from an anonymous stream (file name ``image.<ext>``), and one
        relationship per part with the lowest free ``rId<n>`` (relationships are only
        added, so the search can resume where it stopped). When the package already holds
        image parts this method did not add, it takes python-docx's own way.
        """
        hit = self._images_by_path.get(path)
        if hit is not None:
            return hit
        data = for_word(path).data
        sha1 = hashlib.sha1(data).hexdigest()
        hit = self._images_by_sha1.get(sha1)
        if hit is None:
            hit = self._add_image(data)
            self._images_by_sha1[sha1] = hit
        self._images_by_path[path] = hit
        return hit

    def _add_image(self, data: bytes) -> tuple[str, Any]:
        from docx.image.image import Image
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.packuri import PackURI
        from docx.parts.image import ImagePart

        part = self.doc.part
        parts = part.package.image_parts
        if len(parts) != len(self._images_by_sha1):  # pragma: no cover - not our parts alone
            rid, image = part.get_or_add_image(io.BytesIO(data))
            return rid, image
        image = Image.from_file(io.BytesIO(data))
        partname = PackURI(f"/word/media/image{len(parts) + 1}.{image.ext}")
        image_part = ImagePart.from_image(image, partname)
        parts.append(image_part)
        rels = part.rels
        while f"rId{self._next_rid}" in rels:
            self._next_rid += 1
        rid = f"rId{self._next_rid}"
        rels.add_relationship(RT.IMAGE, image_part, rid)
        return rid, image

    def _shape_id(self, p: X.Para) -> int:
        """The drawing id python-docx's ``part.next_id`` gives: one more than the largest
        numeric un-namespaced ``id`` attribute in the document's XML tree.

        ``next_id`` searches the whole tree per picture. Here it is searched once; after
        that only pictures add such attributes (their ``wp:docPr``; their ``pic:cNvPr`` is
        0), each placed in ``p`` right away, so while ``p`` is in the tree the next id is
        the previous one plus one. A picture in a paragraph outside the tree (its ids are
        not counted) returns to searching the tree from then on.
        """
        in_tree = p.p.getroottree().getroot() is self.doc.element
        if in_tree and self._last_shape_id is not None:
            self._last_shape_id += 1
            return self._last_shape_id
        shape_id = int(self.doc.part.next_id)
        self._outside_tree = self._outside_tree or not in_tree
        self._last_shape_id = None if self._outside_tree else shape_id
        return shape_id

    def blocks(
        self, blocks: Sequence[mk.Block], q: BuiltQuestion, *, first: X.Para | None = None
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
                self.runs(p, [bolded(r) for r in block.runs] if block.heading else block.runs, q)
                if not (block.runs and block.runs[-1].image is not None):
                    last_text = p
            elif isinstance(block, mk.ListItem):
                p = self.para(style)
                step = int(Cm(0.6))
                at = self.indent + step * (block.depth + 1)
                p.tabs([(at, TAB_L, None)])
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


def bolded(run: mk.Run) -> mk.Run:
    """``run`` in bold (headings, key answers), everything else kept."""
    return mk.Run(run.text, True, run.italic, run.strike, run.code, run.math, run.url, run.image)


def _source_date_epoch() -> int:
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(raw) if raw.isdigit() else DEFAULT_EPOCH


@functools.lru_cache(maxsize=8192)
def inline_runs(text: str, root: Path | None = None) -> tuple[mk.Run, ...]:
    """A short markup text (option, item, answer) as one list of runs: paragraphs joined
    by line breaks, code blocks as code runs, figures as their picture run (``root``
    resolves pictures in the bank). Parsed as inline text: a block marker such as ``4.`` or
    ``- x`` prints as typed.

    A plain text (:func:`qbank.markup.is_plain`: one line of literal text, most options)
    is one run of itself, as the parser gives (checked on the option texts of ``bank/`` and
    a fixture bank and by a property test: tests/test_docx_pictures_fast.py), without
    running the parser."""
    if mk.is_plain(text):
        return (mk.Run(text),)
    return parsed_inline_runs(text, root)


def parsed_inline_runs(text: str, root: Path | None = None) -> tuple[mk.Run, ...]:
    """:func:`inline_runs` through the parser, for every text."""
    out: list[mk.Run] = []
    for block in mk.parse(text, inline=True).blocks(root):
        if out:
            out.append(mk.Run("\n"))
        if isinstance(block, mk.Paragraph | mk.ListItem):
            out.extend(block.runs)
        elif isinstance(block, mk.CodeBlock):
            out.append(mk.Run(block.text, code=True))
        else:
            out.append(mk.Run(block.ref.alt, image=block.ref))
    return tuple(out)
