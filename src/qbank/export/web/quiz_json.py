"""``qbank export json``: qbank's own quiz format, version 1 (DESIGN §7).

Why a format of our own: no common "web quiz JSON" exists (notes/webquiz.md §1), and every
other target loses something. This one keeps everything a web quiz needs — ids, topics,
tags, points, plain text *and* safe HTML, stable option ids, answer keys for every type
(cloze alternatives, case rule, word limit, numeric tolerance), feedback, explanations and
images — and is described by a published, versioned JSON Schema
(``exporters/web/quiz.schema.v1.json``). The SurveyJS and HTML exports are projections of
the document built here, so all three agree on ids, texts and keys.

Decisions (also in the schema and ``exporters/web/README.md``):

* One file per export; several forms go in its ``forms`` array (always an array, even for
  one form), each with its questions in the order shown and options in the order shown.
* Ids are derived from the question id and the *original* position, never the shown one:
  ``<question>:o<i>`` options, ``:i<i>`` order items, ``:l<i>``/``:r<i>`` match columns,
  ``:b<i>`` cloze blanks. A server can grade a response from any form with the same key.
* ``--answers omit`` drops ``answer``, option ``feedback`` and ``explanation`` (a student
  copy for server-graded quizzes); grading rules a learner may know (``partial``,
  ``case_sensitive``, ``max_words``, ``unit``) stay.
* Images come from inside the bank root only: embedded (default) or copied into
  ``<output stem>-media/`` beside the file. Embedded, each distinct file is stored once in
  the top-level ``files`` (base64) and the HTML refers to it as ``#qbank-file:<id>`` — a
  2,000-question bank sharing 400 images would otherwise carry every image once per use
  (``bench/web_media.py``). A consumer replaces ``#qbank-file:<id>`` with
  ``data:<type>;base64,<data>``. Images that cannot be bundled are shown as their alt text
  and reported as warnings.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import urllib.parse
from dataclasses import dataclass, field
from decimal import Decimal
from json.encoder import encode_basestring
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from qbank.fsutil import atomic_path, atomic_write_bytes, read_bounded
from qbank.grade import blank_answers
from qbank.markup import (
    MediaRef,
    find_blanks,
    replace_blanks,
    resolution_cache,
    to_html,
    to_text,
)
from qbank.markup.images import HEAD_BYTES, MIME, image_kind, sniff
from qbank.markup.plain import is_plain, plain_html, plain_to_text
from qbank.model import (
    MAX_IMAGE_BYTES,
    AnyQuestion,
    Cloze,
    Essay,
    Match,
    Multi,
    Numeric,
    Order,
    Short,
    Single,
    TrueFalse,
    image_limit,
)
from qbank.progress import track

if TYPE_CHECKING:
    from qbank.draw import Draw, DrawnQuestion
    from qbank.load import Bank

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "SCHEMA_ID",
    "Base64Text",
    "Media",
    "blank_id",
    "build",
    "dumps",
    "export",
    "item_id",
    "left_id",
    "option_id",
    "right_id",
]

FORMAT = "qbank-quiz"
FORMAT_VERSION = 1
SCHEMA_ID = "https://qbank.dev/schema/quiz.schema.v1.json"
SCHEMA_FILE = "quiz.schema.v1.json"
#: what a cloze blank looks like in the plain ``text`` of a question
BLANK_TEXT = "_____"
#: how a cloze blank appears in ``html``: players replace the element with an input
BLANK_HTML = '<span class="qbank-blank" data-blank="{index}">_____</span>'

MediaMode = Literal["embed", "copy"]
#: how shared embedded images are referenced from ``html`` and ``media[].url``
FILE_REF = "#qbank-file:"


def option_id(qid: str, index: int) -> str:
    return f"{qid}:o{index}"


def item_id(qid: str, index: int) -> str:
    return f"{qid}:i{index}"


def left_id(qid: str, index: int) -> str:
    return f"{qid}:l{index}"


def right_id(qid: str, index: int) -> str:
    return f"{qid}:r{index}"


def blank_id(qid: str, index: int) -> str:
    return f"{qid}:b{index}"


# -- media ---------------------------------------------------------------------------------


class Base64Text(str):
    """A base64 text (only ``A-Z a-z 0-9 + / =``): JSON escapes none of these characters,
    so :func:`dumps` writes it between quotes as it is, skipping the escaper's scan and copy
    of every embedded image (``encode_basestring(t) == '"' + t + '"'``: a property test
    checks it). Anything else treats it as the ``str`` it is."""

    __slots__ = ()


@dataclass
class Media:
    """Turns image references into URLs the export can use, and remembers what it did.

    ``embed`` gives ``data:`` URIs; ``copy`` gives paths under ``folder`` (relative to the
    output file) and records the files to copy. ``allow_remote`` keeps http(s) images (a
    web page may load them); the offline HTML export turns it off.
    """

    root: Path
    mode: MediaMode = "embed"
    folder: str = "media"
    allow_remote: bool = True
    #: embed each distinct file once in :attr:`shared` and reference it as ``#qbank-file:<id>``
    share: bool = False
    #: shared embed mode: file id → ``{"src", "type", "data"}`` (base64), in first-use order
    shared: dict[str, dict[str, str]] = field(default_factory=dict)
    #: per-image size limit (the manifest's ``media.max_image_bytes``); never read past it
    limit: int = MAX_IMAGE_BYTES
    warnings: list[str] = field(default_factory=list)
    #: copy mode: URL (relative to the output) → source file, in first-use order
    files: dict[str, Path] = field(default_factory=dict)
    _files: dict[Path, tuple[str, str, str] | str] = field(default_factory=dict)
    _root: Path | None = None
    _used: list[dict[str, Any]] | None = None
    _where: str = ""

    def begin(self, where: str) -> list[dict[str, Any]]:
        """Start collecting the images of one question (named ``where`` in warnings)."""
        self._used = []
        self._where = where
        return self._used

    def url(self, ref: MediaRef) -> str:
        """The ``src`` to emit for ``ref``; ``""`` makes the renderer show the alt text."""
        src = ref.src
        if ref.path is None:
            if re.match(r"(?i)^https?://", src) and self.allow_remote:
                return src
            why = "is not a file inside the bank"
            if re.match(r"(?i)^https?://", src):
                why = "is on the web, and this export must work offline"
            self._warn(f"image `{src}` {why}; shown as its alt text")
            return ""
        found = self._files.get(ref.path)
        if found is None:
            found = self._files[ref.path] = self._file(ref.path)
        if isinstance(found, str):
            self._warn(f"image `{src}` {found}; shown as its alt text")
            return ""
        rel, mime, url = found
        if self._used is not None and not any(m["src"] == rel for m in self._used):
            self._used.append({"src": rel, "alt": ref.alt, "type": mime, "url": url})
        return url

    def _file(self, path: Path) -> tuple[str, str, str] | str:
        """(path relative to the root, type, URL) of an image file, or why it cannot be
        bundled. Once per file: a bank shows the same images many times.

        Embedded, the file is read once: its type comes from the first bytes of what is
        embedded (what :func:`image_kind` reads, ``HEAD_BYTES`` of the same file). When
        it cannot be read, the steps below give the same reason as always.
        """
        if self.mode == "embed":
            try:
                data = read_bounded(path, limit=self.limit, root=self.root)
            except OSError:
                pass  # the steps below say why
            else:
                mime = MIME.get(sniff(data[:HEAD_BYTES]) or "")
                if mime is None:
                    return "has an unsupported type"
                return self._embed(path, mime, data)
        kind = image_kind(path)  # the type the bytes say, whatever the name (QB503)
        mime = MIME.get(kind) if kind else None
        if mime is None:
            return "has an unsupported type"
        if not path.is_file():
            return "not found"
        if self.mode == "copy":
            if self._root is None:
                self._root = self.root.resolve()
            rel = path.relative_to(self._root).as_posix()
            url = urllib.parse.quote(f"{self.folder}/{rel}")
            self.files.setdefault(url, path)
            return rel, mime, url
        try:
            data = read_bounded(path, limit=self.limit, root=self.root)
        except OSError as exc:
            return f"not read ({exc})"
        return self._embed(path, mime, data)

    def _embed(self, path: Path, mime: str, data: bytes) -> tuple[str, str, str]:
        if self._root is None:
            self._root = self.root.resolve()
        rel = path.relative_to(self._root).as_posix()
        if self.share:  # one copy per distinct content, however often it is used
            file_id = "f" + hashlib.sha256(data).hexdigest()[:16]
            if file_id not in self.shared:
                encoded = Base64Text(base64.b64encode(data).decode("ascii"))
                self.shared[file_id] = {"src": rel, "type": mime, "data": encoded}
            return rel, mime, FILE_REF + file_id
        payload = base64.b64encode(data).decode("ascii")
        return rel, mime, f"data:{mime};base64,{payload}"

    def _warn(self, message: str) -> None:
        text = f"{self._where}: {message}" if self._where else message
        if text not in self.warnings:
            self.warnings.append(text)


# -- building the document -------------------------------------------------------------------


def _mathml(html: str) -> str:
    """Maths placeholders → MathML (:func:`qbank.render.maths.html_with_mathml`). The
    converter (lxml, latex2mathml) is imported only when there is maths: most banks have
    none, and the import is a tenth of a second of every export."""
    if 'class="math"' not in html:
        return html
    from qbank.render.maths import html_with_mathml

    return html_with_mathml(html)


def _rich(text: str, media: Media) -> dict[str, str]:
    """A markup string as plain text and safe HTML (maths as MathML).

    A plain text (:func:`is_plain`: one line of literal text, most options and
    explanations) takes the branch :func:`to_text` and :func:`to_html` would take for it,
    directly; its HTML is escaped text, so it holds no maths."""
    if is_plain(text):
        return {"text": plain_to_text(text), "html": plain_html(text)}
    return {
        "text": to_text(text),
        "html": _mathml(to_html(text, media=media.url, root=media.root)),
    }


def _inline(text: str, media: Media) -> dict[str, str]:
    """A short field (option, item, pair side) as inline text: plain text and HTML without a
    ``<p>``; block markers such as ``4.`` or ``- x`` stay the text typed. Plain texts as
    in :func:`_rich`."""
    if is_plain(text):
        return {"text": plain_to_text(text), "html": plain_html(text, inline=True)}
    return {
        "text": to_text(text, inline=True),
        "html": _mathml(to_html(text, media=media.url, root=media.root, inline=True)),
    }


_TOKEN = "\ue000{}\ue001"
_TOKEN_RE = re.compile("\ue000(\\d+)\ue001")
_TAG_SPLIT = re.compile(r"(<[^>]*>)")


def _cloze_text(text: str, media: Media) -> dict[str, str]:
    """Cloze text with each blank as ``_____`` (text) or a ``qbank-blank`` span (HTML).

    The blanks are swapped for private-use tokens *before* the markdown is parsed, so the
    answers never reach the output; afterwards the tokens become placeholders — outside
    tags only, so a blank in an image's alt text cannot break the markup.
    """
    source = replace_blanks(text, lambda b: _TOKEN.format(b.index))
    plain = _TOKEN_RE.sub(BLANK_TEXT, to_text(source))
    html = to_html(source, media=media.url, root=media.root)
    pieces = _TAG_SPLIT.split(html)
    for i, piece in enumerate(pieces):
        if i % 2:
            pieces[i] = _TOKEN_RE.sub(BLANK_TEXT, piece)
        else:
            pieces[i] = _TOKEN_RE.sub(lambda m: BLANK_HTML.format(index=m.group(1)), piece)
    return {"text": plain, "html": _mathml("".join(pieces))}


def _decimal_text(value: Decimal) -> str:
    """Plain decimal notation (``0.735``, never ``7.35E-1``)."""
    return format(value, "f")


def _question(d: DrawnQuestion, media: Media, *, answers: bool) -> dict[str, Any]:
    q: AnyQuestion = d.question
    qid = q.id
    used = media.begin(f"{q.file}: {qid}")
    out: dict[str, Any] = {
        "id": qid,
        "number": d.number,
        "type": q.type,
        "topic": q.topic,
        "tags": list(q.tags),
        "difficulty": q.difficulty,
        "points": q.points,
        "graded": not isinstance(q, Essay),
    }
    out.update(_cloze_text(q.text, media) if isinstance(q, Cloze) else _rich(q.text, media))
    key: dict[str, Any] = {}
    if isinstance(q, Single | Multi):
        shown = list(d.order) if d.order else list(range(len(q.options)))
        options = []
        for i in shown:
            opt = q.options[i]
            entry: dict[str, Any] = {"id": option_id(qid, i), **_inline(opt.text, media)}
            if answers:
                entry["feedback"] = _rich(opt.feedback, media) if opt.feedback else None
            options.append(entry)
        out["options"] = options
        if isinstance(q, Multi):
            out["partial"] = q.partial
        key = {"options": [option_id(qid, i) for i in q.correct_indices]}
    elif isinstance(q, TrueFalse):
        key = {"value": q.answer}
    elif isinstance(q, Cloze):
        alternatives = blank_answers(q)
        out["blanks"] = [{"id": blank_id(qid, b.index)} for b in find_blanks(q.text)]
        out["case_sensitive"] = q.case_sensitive
        out["max_words"] = q.max_words
        key = {
            "blanks": [
                {"id": blank_id(qid, i), "answers": alts} for i, alts in enumerate(alternatives)
            ]
        }
    elif isinstance(q, Short):
        out["case_sensitive"] = q.case_sensitive
        out["max_words"] = q.max_words
        key = {"answers": [a.strip() for a in q.answers]}
    elif isinstance(q, Numeric):
        out["unit"] = q.unit
        bounds = q.tolerance_bounds()
        key = {
            "value": q.answer.strip(),
            "tolerance": q.tolerance.strip() if q.tolerance else None,
            "min": _decimal_text(bounds[0]) if bounds else None,
            "max": _decimal_text(bounds[1]) if bounds else None,
        }
    elif isinstance(q, Order):
        shown = list(d.order) if d.order else list(range(len(q.items)))
        out["items"] = [{"id": item_id(qid, i), **_inline(q.items[i], media)} for i in shown]
        key = {"order": [item_id(qid, i) for i in range(len(q.items))]}
    elif isinstance(q, Match):
        shown = list(d.order) if d.order else list(range(len(q.pairs)))
        out["left"] = [
            {"id": left_id(qid, i), **_inline(p[0], media)} for i, p in enumerate(q.pairs)
        ]
        out["right"] = [{"id": right_id(qid, i), **_inline(q.pairs[i][1], media)} for i in shown]
        key = {
            "pairs": [
                {"left": left_id(qid, i), "right": right_id(qid, i)} for i in range(len(q.pairs))
            ]
        }
    elif isinstance(q, Essay):
        out["lines"] = q.lines
        out["max_words"] = q.max_words
        key = {"rubric": _rich(q.rubric, media) if q.rubric else None}
    if answers:
        out["answer"] = key
        out["explanation"] = _rich(q.explanation, media) if q.explanation else None
    out["media"] = used
    return out


def build(
    drawn: Draw,
    bank: Bank,
    *,
    answers: bool = True,
    media: Media | None = None,
) -> dict[str, Any]:
    """The quiz document (a JSON-able dict) for a draw. Warnings collect in ``media``."""
    media = media or Media(bank.root, limit=image_limit(bank.manifest))
    media.begin("quiz instructions")
    instructions = _rich(drawn.instructions, media) if drawn.instructions else None
    topics = bank.manifest.topics if bank.manifest else {}
    used_topics = sorted({q.topic for q in drawn.questions if q.topic and q.topic in topics})
    total = sum(len(f.questions) for f in drawn.forms)
    questions = track(
        ((f, d) for f in drawn.forms for d in f.questions), total=total, label="Exporting"
    )
    by_form: dict[str, list[dict[str, Any]]] = {f.name: [] for f in drawn.forms}
    with resolution_cache():  # shared images: resolve each source once
        for form, d in questions:
            by_form[form.name].append(_question(d, media, answers=answers))
    return {
        "$schema": SCHEMA_ID,
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "title": drawn.title,
        "instructions": instructions,
        "bank": {"id": bank.id, "title": bank.title},
        "quiz": drawn.quiz,
        "seed": drawn.seed,
        "shuffle_questions": drawn.shuffle_questions,
        "shuffle_options": drawn.shuffle_options,
        "answers": "included" if answers else "omitted",
        "topics": {t: topics[t] for t in used_topics},
        "forms": [
            {"form": f.name, "points": f.total_points, "questions": by_form[f.name]}
            for f in drawn.forms
        ],
        **({"files": media.shared} if media.share else {}),
    }


def dumps(doc: dict[str, Any]) -> str:
    """Deterministic JSON text: key order as built, UTF-8, two-space indent, final newline.

    The same bytes as ``json.dumps(doc, ensure_ascii=False, indent=2)``, in half the time:
    with an indent the standard library uses its pure-Python encoder (generators per
    level), a tenth of a second for a 2,000-question quiz. Strings still go through its C
    escaper; anything but str keys, str, int, float, bool and None takes the standard path.
    """
    try:
        return _indented(doc) + "\n"
    except _Unsupported:
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


class _Unsupported(Exception):
    pass


def _indented(doc: Any) -> str:
    out: list[str] = []
    append = out.append
    string = encode_basestring  # the C escaper where available
    scalars = {None: "null", True: "true", False: "false"}
    #: ``"key": `` of each key met: a document repeats a few dozen keys thousands of times
    heads: dict[str, str] = {}

    def value(o: Any, indent: str) -> None:
        # strings (most values) are written inline by the loops below; the rest come here
        if type(o) is Base64Text:  # nothing to escape (see its docstring)
            append('"')
            append(o)
            append('"')
        elif isinstance(o, str):
            append(string(o))
        elif o is None or o is True or o is False:
            append(scalars[o])
        elif isinstance(o, dict):
            if not o:
                append("{}")
                return
            inner = indent + "  "
            sep, after = "{\n" + inner, ",\n" + inner
            for k, v in o.items():
                head = heads.get(k)
                if head is None:
                    if type(k) is not str:
                        raise _Unsupported
                    head = heads[k] = string(k) + ": "
                append(sep)
                append(head)
                if type(v) is str:
                    append(string(v))
                else:
                    value(v, inner)
                sep = after
            append("\n" + indent + "}")
        elif isinstance(o, list | tuple):
            if not o:
                append("[]")
                return
            inner = indent + "  "
            sep, after = "[\n" + inner, ",\n" + inner
            for v in o:
                append(sep)
                if type(v) is str:
                    append(string(v))
                else:
                    value(v, inner)
                sep = after
            append("\n" + indent + "]")
        elif type(o) is int:
            append(int.__repr__(o))
        elif type(o) is float and math.isfinite(o):
            append(float.__repr__(o))
        else:
            raise _Unsupported

    value(doc, "")
    return "".join(out)


def media_folder(target: Path) -> str:
    """Where ``--media copy`` puts images: ``<output stem>-media`` beside the output."""
    return f"{target.stem}-media"


def export(
    drawn: Draw,
    target: Path,
    *,
    bank: Bank,
    answers: Literal["include", "omit"] = "include",
    media: MediaMode = "embed",
) -> list[str]:
    """Write the quiz JSON (and, with ``media="copy"``, its images). Returns warnings.

    Images are copied first and the JSON written last, each file atomically, so an
    interrupted export never leaves a JSON file pointing at missing or partial images.
    """
    helper = Media(
        bank.root,
        mode=media,
        folder=media_folder(target),
        share=media == "embed",
        limit=image_limit(bank.manifest),
    )
    doc = build(drawn, bank, answers=answers == "include", media=helper)
    for url, source in helper.files.items():
        dest = target.parent / urllib.parse.unquote(url)
        atomic_write_bytes(dest, read_bounded(source, limit=helper.limit, root=bank.root))
    with atomic_path(target) as tmp:
        tmp.write_text(dumps(doc), encoding="utf-8")
    return helper.warnings
