"""QB5xx — media and markup: images that exist inside the bank, maths that closes, no HTML.

Every author string is CommonMark (:mod:`qbank.markup`). Exporters bundle the images a
question references, so an image must be a readable file of a type every target shows,
inside the bank folder. Checks run only on strings that can contain the construct (``![``,
a backslash, ``<``), so a 100,000-question bank costs little beyond the parse of the few
strings that need one.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, cast

from qbank.diagnostics import Location, Problem, Rule, Severity, problem, register
from qbank.filetype import jpeg_header_opens
from qbank.markup import MediaOutsideBank, find_blanks, parse, resolution_cache, resolve_media
from qbank.markup.images import IMAGE_TYPES, sniff
from qbank.model import (
    CHOICE_CLASSES,
    MAX_IMAGE_BYTES,
    Cloze,
    Essay,
    Match,
    Multi,
    Order,
    Quiz,
    Short,
    Single,
    image_limit,
)
from qbank.validate.rules.answers import locate_in_value

if TYPE_CHECKING:
    from qbank.model import AnyQuestion
    from qbank.validate.context import Context

FAMILY = "QB5"
E, W = Severity.ERROR, Severity.WARNING


_Q = "id: nat-diagram\ntype: truefalse\ntext: |-\n  The diagram shows a NAT gateway.\n\n  {img}\n"
_Q += "answer: true\nexplanation: The gateway sits in the public subnet.\n"
_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20"/></svg>\n'
_SVG_FILES = (("media/nat.svg", _SVG),)

register(
    Rule(
        "QB501",
        "image-missing",
        E,
        "An image the text references does not exist, cannot be read or cannot be decoded.",
        rationale="Exports bundle every image; a missing or corrupt one shows as a broken "
        "picture in Anki and the web quiz and leaves a hole in a printed worksheet. Paths are "
        "relative to the bank root (`media/x.png`), not to the question file. Every file a "
        "browser shows passes (Adobe and CMYK JPEGs, WebP, SVG included): the Word export "
        "converts what Word cannot read, and turns a photo stored turned with an EXIF "
        "Orientation tag (a phone's portrait photo) upright, as browsers show it.",
        failing=_Q.format(img="![NAT gateway](media/nat-gateway.png)"),
        passing=_Q.format(img="![NAT gateway](media/nat.svg)"),
        example_files=_SVG_FILES,
    )
)
register(
    Rule(
        "QB502",
        "image-outside-bank",
        E,
        "An image source is a URL, an absolute path or a path leading out of the bank folder.",
        rationale="A bank must be self-contained: decks and worksheets are used offline, and an "
        "exporter must never copy a file from outside the repository (`../../etc/passwd`). "
        "Download the image into the bank (e.g. `media/`) and reference it from there.",
        failing=_Q.format(img="![NAT gateway](../nat.png)"),
        passing=_Q.format(img="![NAT gateway](media/nat.svg)"),
        example_files=_SVG_FILES,
    )
)
register(
    Rule(
        "QB503",
        "image-type-mismatch",
        W,
        "An image's content is another type than its file name says (a JPEG saved as `.png`).",
        rationale="Exports use the type the bytes say (the MIME type of a web quiz's image, the "
        "file name inside an Anki deck), so the image still shows; but other tools that trust "
        "the name (an editor's preview, a file browser, a learning platform's upload) may "
        "refuse it. Rename the file or re-save it in the format its name says.",
        failing=_Q.format(img="![NAT gateway](media/nat.png)"),
        passing=_Q.format(img="![NAT gateway](media/nat.svg)"),
        example_files=(*_SVG_FILES, ("media/nat.png", _SVG)),
    )
)
register(
    Rule(
        "QB504",
        "math-unbalanced",
        E,
        "A maths delimiter `\\(` or `\\[` has no partner (or a formula opens inside another).",
        rationale="Maths is written `\\( … \\)` inline and `\\[ … \\]` on its own lines. A lone "
        "delimiter is shown as text and the formula after it as raw LaTeX in every export.",
        failing="id: z-score\ntype: numeric\ntext: 'Standardize \\( x = 130 with \\mu = 100.'\n"
        "answer: 2\nexplanation: z = (130 - 100) / 15.\n",
        passing="id: z-score\ntype: numeric\ntext: 'Standardize \\( x = 130 \\) with "
        "\\( \\mu = 100 \\).'\nanswer: 2\nexplanation: z = (130 - 100) / 15.\n",
    )
)
register(
    Rule(
        "QB505",
        "raw-html",
        W,
        "Text contains something that looks like an HTML tag.",
        rationale="Raw HTML is never rendered (it would let a question run scripts in Anki or "
        "the web quiz), so `<b>` shows as the characters `<b>`. Use markdown (`**bold**`), "
        "and put code such as `List<int>` in backticks.",
        failing="id: generic-list\ntype: truefalse\ntext: A <b>List<int></b> holds integers.\n"
        "answer: true\nexplanation: It is a generic list of int.\n",
        passing="id: generic-list\ntype: truefalse\ntext: A **`List<int>`** holds integers.\n"
        "answer: true\nexplanation: It is a generic list of int.\n",
    )
)
register(
    Rule(
        "QB506",
        "text-not-shown",
        E,
        "Part of a text is consumed by markdown syntax and shown in no export.",
        rationale="Stems, explanations and feedback are CommonMark; a line such as "
        "`[1]: https://example.com/exhibit` is a link reference definition, which no "
        "rendering shows, so students would never see it. (Options, order items, match pairs "
        "and answers are inline text: `4.` or `- x` there shows as typed.) Put a backslash before "
        "the colon (`[1]\\:`) to show the text, or use the reference in a link.",
        failing="id: q1\ntype: truefalse\ntext: |-\n  Read the exhibit before answering.\n\n"
        "  [1]: https://example.com/exhibit-1\nanswer: true\nexplanation: The exhibit says so.\n",
        passing="id: q1\ntype: truefalse\ntext: |-\n  Read the exhibit before answering.\n\n"
        "  [1]\\: https://example.com/exhibit-1\nanswer: true\nexplanation: The exhibit says so.\n",
    )
)
register(
    Rule(
        "QB507",
        "image-unsupported",
        E,
        "An image is not a PNG, JPEG, GIF, SVG, WebP or BMP file (by its content, whatever its name).",
        rationale="These types display in Anki, browsers and Word. Other formats (TIFF, HEIC, "
        "PDF) show as broken images in some targets, and a file that is no image at all "
        "(an HTML error page saved by a browser) shows nowhere.",
        failing=_Q.format(img="![NAT gateway](media/nat.tiff)"),
        passing=_Q.format(img="![NAT gateway](media/nat.svg)"),
        example_files=(*_SVG_FILES, ("media/nat.tiff", "II*")),
    )
)


def markup_fields(q: AnyQuestion) -> Iterator[tuple[tuple[int | str, ...], str, bool]]:
    """(path, text, inline) of every markdown string of a question: what exporters render.

    ``inline`` is True for short fields (options, order items, match pairs, accepted
    answers), which exporters render as inline text (``parse(text, inline=True)``).
    """
    yield ("text",), q.text, False
    if q.explanation:
        yield ("explanation",), q.explanation, False
    if isinstance(q, CHOICE_CLASSES):
        for i, o in enumerate(q.options):
            yield ("options", i, "text"), o.text, True
            if o.feedback:
                yield ("options", i, "feedback"), o.feedback, False
    elif isinstance(q, Order):
        for i, item in enumerate(q.items):
            yield ("items", i), item, True
    elif isinstance(q, Match):
        for i, (left, right) in enumerate(q.pairs):
            yield ("pairs", i, 0), left, True
            yield ("pairs", i, 1), right, True
    elif isinstance(q, Short):
        for i, answer in enumerate(q.answers):
            yield ("answers", i), answer, True
    elif isinstance(q, Essay) and q.rubric:
        yield ("rubric",), q.rubric, False


@dataclass(frozen=True)
class _FileState:
    """What one image file on disk turned out to be (cached: many questions share images)."""

    error: str | None = None  # QB501 message
    kind: str | None = None  # sniffed type: png, jpeg, gif, svg, webp, bmp or None
    broken: str | None = None  # why a file of that type cannot be decoded (QB501)


def _inspect(path: Path, limit: int) -> _FileState:
    import os
    import stat

    from qbank.fsutil import kind_of

    try:
        if path.is_dir():
            return _FileState(error="is a folder, not an image file")
        if not path.exists():
            return _FileState(error="does not exist")
        # non-blocking: a FIFO named media/x.png must not hang validate
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return _FileState(error=f"is {kind_of(st.st_mode)}, not an image file")
            if st.st_size > limit:
                return _FileState(
                    error=f"is {st.st_size:,} bytes; the limit per image is {limit:,} "
                    "(media.max_image_bytes in qbank.yaml)"
                )
            head = os.read(fd, 2048)
            kind = sniff(head) if head else None
            certain = False  # the cheap header walk vouches for the file (Pillow not asked)
            if kind == "jpeg":
                certain = jpeg_header_opens(head) is True
                if not certain and st.st_size > len(head):  # a header longer than 2 KB
                    certain = jpeg_header_opens(head + os.read(fd, st.st_size)) is True
            if kind == "svg":
                rest = head + os.read(fd, limit)
                active = _SVG_ACTIVE.search(rest)
                if active:
                    found = active.group().decode("utf-8", "replace").strip()
                    return _FileState(
                        error=f"is an SVG with active content (`{found[:30]}`): a script or "
                        "event handler runs when the image is opened on its own",
                        kind=kind,
                    )
        finally:
            os.close(fd)
    except OSError as exc:
        return _FileState(error=f"cannot be read ({exc.strerror or exc})")
    if not head:
        return _FileState(error="is an empty file")
    raster = kind in ("png", "jpeg", "gif", "webp", "bmp")
    broken = _undecodable(path) if raster and not certain else None
    return _FileState(kind=kind, broken=broken)


def _undecodable(path: Path) -> str | None:
    """Why no target could show this raster file (Pillow's structural check, no full
    decode), or ``None``. Adobe/CMYK JPEGs and WebP pass: the exporters convert them.

    Pillow is imported only here: a JPEG whose header :func:`qbank.filetype.jpeg_header_opens`
    vouches for (what cameras, editors and Pillow itself write) never gets this far. Any
    exception of Pillow's is the file's fault (a decompression bomb's size, an APNG whose
    frame table is empty raises ``IndexError``): it is the reason, never a traceback.
    """
    import warnings

    from PIL import Image

    # Pillow warns on stderr before some failures ("Invalid APNG, …"): the warning is part
    # of the reason, never a stray line in the report
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        try:
            with Image.open(path) as im:
                im.verify()
        except Exception as exc:  # whatever Pillow raises, the file is unreadable
            reasons = dict.fromkeys([*(str(w.message) for w in said), str(exc)])
            return "; ".join(r for r in reasons if r) or type(exc).__name__
    return None


#: what makes an SVG more than a picture: scripts, event handlers, javascript: links,
#: embedded HTML (foreignObject), external entities
_SVG_ACTIVE = re.compile(
    rb"<\s*script|\son[a-z]+\s*=|javascript\s*:|<\s*foreignObject|<!ENTITY",
    re.IGNORECASE,
)


class _MediaChecker:
    def __init__(self, root: Path, limit: int = MAX_IMAGE_BYTES) -> None:
        self.root = root
        self.limit = limit
        self.cache: dict[Path, _FileState] = {}
        self.resolved: dict[str, Path | MediaOutsideBank] = {}
        #: sources already found to be good images (shared images are checked once)
        self.good: set[str] = set()
        #: folder → its file names and the resolved root (see :func:`_nearest_file`)
        self.listings: dict[Path, tuple[list[str], Path] | None] = {}

    def resolve(self, src: str) -> Path:
        """:func:`resolve_media`, once per source (banks share images between questions)."""
        found = self.resolved.get(src)
        if found is None:
            try:
                found = resolve_media(src, self.root)
            except MediaOutsideBank as exc:
                found = exc
            self.resolved[src] = found
        if isinstance(found, MediaOutsideBank):
            raise found
        return found

    def state(self, path: Path) -> _FileState:
        if path not in self.cache:
            self.cache[path] = _inspect(path, self.limit)
        return self.cache[path]

    @staticmethod
    def locate(q: AnyQuestion, path: tuple[int | str, ...], src: str) -> Location:
        return locate_in_value(q, path, src) if src else q.loc(*path)

    def images(
        self, q: AnyQuestion, path: tuple[int | str, ...], text: str, inline: bool = False
    ) -> Iterator[Problem]:
        for ref in parse(text, inline=inline).media(None):
            if ref.src in self.good:
                continue
            try:
                resolved = self.resolve(ref.src)
            except MediaOutsideBank as exc:
                loc = self.locate(q, path, ref.src)
                key = f"{q.id}:{ref.src}"
                yield problem(
                    "QB502",
                    f"image `{ref.src}` is not a file inside the bank: {_reason(exc, ref.src)}",
                    loc,
                    hint="save the image under the bank folder (e.g. media/) and write its path "
                    "relative to the bank root",
                    question_id=q.id,
                    fingerprint=f"QB502:{key}",
                )
                continue
            state = self.state(resolved)
            suffix = PurePosixPath(ref.src).suffix.lower()
            wanted = IMAGE_TYPES.get(suffix)
            if (
                not (state.error or state.broken)
                and state.kind is not None
                and state.kind == wanted
            ):
                self.good.add(ref.src)
                continue  # the common case: locating the source in the YAML costs a parse
            loc = self.locate(q, path, ref.src)
            key = f"{q.id}:{ref.src}"
            if state.error:
                hint = "paths are relative to the bank root, e.g. media/diagram.png"
                near = _nearest_file(resolved, self.root, self.listings)
                if near:
                    hint = f"did you mean `{near}`? " + hint
                yield problem(
                    "QB501",
                    f"image `{ref.src}` {state.error}",
                    loc,
                    hint=hint,
                    question_id=q.id,
                    fingerprint=f"QB501:{key}",
                )
                continue
            if state.kind is None:
                message = (
                    f"image `{ref.src}`: `{suffix or 'no extension'}` is not a supported image type"
                    if wanted is None
                    else f"image `{ref.src}` is named {suffix} but its content is not an image"
                )
                yield problem(
                    "QB507",
                    message,
                    loc,
                    hint="convert it to PNG, JPEG, GIF, SVG, WebP or BMP",
                    question_id=q.id,
                    fingerprint=f"QB507:{key}",
                )
            elif state.broken:
                yield problem(
                    "QB501",
                    f"image `{ref.src}` is a {state.kind.upper()} file that cannot be decoded "
                    f"({state.broken})",
                    loc,
                    hint="re-export the image from the program that made it; no browser, "
                    "Word or Anki can show this file",
                    question_id=q.id,
                    fingerprint=f"QB501:{key}",
                )
            elif state.kind != wanted:
                named = f"named {suffix}" if suffix else "named without an extension"
                yield problem(
                    "QB503",
                    f"image `{ref.src}` is {named} but its content is {_article(state.kind)} "
                    f"image; exports use {state.kind.upper()}",
                    loc,
                    hint="rename the file to match its content (or re-save it in the format its "
                    "name says)",
                    question_id=q.id,
                    fingerprint=f"QB503:{key}",
                )


def _article(kind: str) -> str:
    return ("an " if kind == "svg" else "a ") + kind.upper()


def _reason(exc: MediaOutsideBank, src: str) -> str:
    if src.startswith("data:"):
        return "an embedded data URI"
    text = str(exc)
    if "URL" in text:
        return "it is a URL"
    if "absolute" in text:
        return "it is an absolute path"
    return "it leads outside the bank folder"


def _nearest_file(
    path: Path, root: Path, listings: dict[Path, tuple[list[str], Path] | None] | None = None
) -> str | None:
    """A file in the same folder whose name is close (a typo or a different extension).

    ``listings`` keeps each folder's file names (and the resolved root) for the run, like
    the checker's other caches: a bank whose exhibits are missing asks once per image, and
    most of them sit in one folder (or in one folder that does not exist).
    """
    import difflib

    folder = path.parent
    if listings is not None and folder in listings:
        listed = listings[folder]
    else:
        try:
            listed = sorted(p.name for p in folder.iterdir() if p.is_file()), root.resolve()
        except OSError:
            listed = None
        if listings is not None:
            listings[folder] = listed
    if listed is None:
        return None
    names, base = listed
    near = difflib.get_close_matches(path.name, names, n=1, cutoff=0.6)
    if not near or not folder.is_relative_to(base):
        return None
    return (folder / near[0]).relative_to(base).as_posix()


def _math(
    q: AnyQuestion, path: tuple[int | str, ...], text: str, inline: bool = False
) -> Iterator[Problem]:
    for issue in parse(text, inline=inline).unbalanced_math():
        needle = issue[:2]
        yield problem(
            "QB504",
            f"unbalanced maths: {issue}",
            locate_in_value(q, path, needle),
            hint="close inline maths with `\\)` and display maths with `\\]`; to show a "
            "literal backslash write `\\\\`",
            question_id=q.id,
            fingerprint=f"QB504:{q.id}:{'.'.join(map(str, path))}:{issue}",
        )


def _html(q: AnyQuestion, path: tuple[int | str, ...], text: str) -> Iterator[Problem]:
    fragments = parse(text).raw_html()
    if not fragments:
        return
    first = fragments[0].strip()
    shown = first if len(first) <= 40 else first[:39] + "…"
    more = f" (and {len(fragments) - 1} more)" if len(fragments) > 1 else ""
    yield problem(
        "QB505",
        f"`{shown}` looks like HTML; it is shown as text, not rendered{more}",
        locate_in_value(q, path, first),
        hint="use markdown (**bold**, *italic*) and put code in backticks (`List<int>`)",
        question_id=q.id,
        fingerprint=f"QB505:{q.id}:{'.'.join(map(str, path))}",
    )


def raw_html_problems(q: AnyQuestion) -> Iterator[Problem]:
    """QB505 alone, for one question (what ``qbank import`` counts after writing: cheaper
    than the whole family, which parses every text with maths for QB504)."""
    for path, text, _inline in markup_fields(q):
        if "<" in text:
            yield from _html(q, path, text)


def check(ctx: Context) -> Iterator[Problem]:
    """The family's findings. It runs inside one :func:`resolution_cache` block, so the bank
    root is resolved once rather than once per image source (symlinks make that a system
    call per path component); the findings are gathered before the block ends."""
    with resolution_cache():
        found = list(_check(ctx))
    yield from found


def _check(ctx: Context) -> Iterator[Problem]:
    checker = _MediaChecker(ctx.bank.root, image_limit(ctx.bank.manifest))
    for q in ctx.questions:  # in pull-request mode: the changed ones
        # most questions: no generator for them (what :func:`check_question` does first)
        if not (isinstance(q, CHOICE_CLASSES) and _plain_choice(q)):
            yield from _check_fields(q, checker)
    for rel, quiz in sorted(ctx.bank.quizzes.items()):
        if quiz.instructions:
            yield from check_quiz_instructions(rel, quiz, checker)


@dataclass(frozen=True)
class _QuizText:
    """A quiz seen through the few attributes the checks use to locate text in a file."""

    id: str
    source_file: Any
    _quiz: Quiz

    @property
    def _path(self) -> tuple[int | str, ...]:
        return ()

    def loc(self, *path: int | str, key: bool = False) -> Location:
        return self._quiz.loc(*path, key=key)


def check_quiz_instructions(rel: str, quiz: Quiz, checker: _MediaChecker) -> Iterator[Problem]:
    """The QB5 checks (images, maths, raw HTML) on a quiz's ``instructions``: they are shown
    to every student like question text, so a remote tracking image must not pass."""
    owner = cast(Any, _QuizText(f"quiz {rel}", quiz._source, quiz))
    text = quiz.instructions or ""
    found: list[Problem] = []
    if "![" in text:
        found.extend(checker.images(owner, ("instructions",), text))
    if "\\" in text:
        found.extend(_math(owner, ("instructions",), text))
    if "<" in text:
        found.extend(_html(owner, ("instructions",), text))
    for p in found:
        yield dataclasses.replace(p, question_id=None)


def check_question(q: AnyQuestion, checker: _MediaChecker) -> Iterator[Problem]:
    if isinstance(q, CHOICE_CLASSES) and _plain_choice(q):
        return  # the loop below would skip every field
    yield from _check_fields(q, checker)


def _check_fields(q: AnyQuestion, checker: _MediaChecker) -> Iterator[Problem]:
    for path, text, inline in markup_fields(q):
        if _plain(text, inline):
            continue  # none of the checks below applies
        if "![" in text:
            yield from checker.images(q, path, text, inline)
        if "\\" in text:
            yield from _math(q, path, text, inline)
        if "<" in text:
            yield from _html(q, path, text)
        if _may_drop(text, inline):
            yield from _dropped(q, path, text, inline)
    if isinstance(q, Cloze) and _may_drop(q.text, True):
        yield from _cloze_answers(q)


def _plain(text: str, inline: bool) -> bool:
    """Whether :func:`check_question` skips a field: no image (`![`), maths, HTML, reference
    (`[`) or character reference (`&`), and for a block text no list number either."""
    if "[" in text or "\\" in text or "<" in text or "&" in text:
        return False
    return inline or not _may_drop(text, inline)


def _plain_choice(q: Single | Multi) -> bool:
    """Whether every field :func:`markup_fields` gives for a choice question is
    :func:`_plain` (the options' texts inline, the rest block), without building the
    fields' paths: most questions of a bank."""
    options = q.options
    # an option text (inline) is plain when it holds no `[`, backslash, `<` or `&`: all of
    # them are when their concatenation holds none (each is one character)
    texts = "".join([o.text for o in options])
    if "[" in texts or "\\" in texts or "<" in texts or "&" in texts:
        return False
    for o in options:
        if o.feedback and not _plain(o.feedback, False):
            return False
    return _plain(q.text, False) and (not q.explanation or _plain(q.explanation, False))


#: a line starting with an ordered-list number (the number is consumed into the list)
_LIST_LINE = re.compile(r"\n[ ]{0,3}[0-9]{1,9}[.)]")


def _may_drop(text: str, inline: bool) -> bool:
    """Whether ``text`` may hold syntax that consumes letters or digits (reference
    definitions, list numbers, character references); other texts render every letter and
    digit, so the (cheap) test keeps QB506 off the hot path of large banks."""
    if "[" in text or "&" in text:
        return True
    if inline:
        return False  # inline text has no lists
    return text.lstrip(" ")[:1].isdigit() or ("\n" in text and _LIST_LINE.search(text) is not None)


def _dropped(
    q: AnyQuestion, path: tuple[int | str, ...], text: str, inline: bool
) -> Iterator[Problem]:
    lost = parse(text, inline=inline).dropped()
    if not lost:
        return
    first = lost[0]
    line_start = text.rfind("\n", 0, first) + 1
    line_end = text.find("\n", first)
    line = text[line_start : line_end if line_end >= 0 else len(text)].strip()
    shown = line if len(line) <= 60 else line[:59] + "…"
    if _REFERENCE_DEF.match(line):
        why = "markdown reads the line as a link reference definition, which is never shown"
        hint = "write a backslash before the colon (`[1]\\:`) to show it as text"
    else:
        why = "markdown syntax consumes it"
        hint = "escape the markdown character with a backslash, or rephrase the text"
    yield problem(
        "QB506",
        f"`{shown}` is shown in no export: {why}",
        locate_in_value(q, path, line.split()[0] if line else text[first]),
        hint=hint,
        question_id=q.id,
        fingerprint=f"QB506:{q.id}:{'.'.join(map(str, path))}",
    )


_REFERENCE_DEF = re.compile(r"\[[^\]]+\]:")


def _cloze_answers(q: Cloze) -> Iterator[Problem]:
    """Cloze answers are short fields too; their syntax is checked with the blanks (QB2xx)."""
    for blank in find_blanks(q.text):
        for answer in blank.answers:
            if answer and _may_drop(answer, True) and parse(answer, inline=True).dropped():
                yield problem(
                    "QB506",
                    f"cloze answer `{answer}` is shown in no export: markdown syntax consumes it",
                    locate_in_value(q, ("text",), answer),
                    hint="escape the markdown character with a backslash",
                    question_id=q.id,
                    fingerprint=f"QB506:{q.id}:cloze:{answer}",
                )
