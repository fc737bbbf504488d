"""QB012 — control characters in any value (a QB0 rule: about the file's text, checked after
loading because YAML escapes such as ``"\\x1f"`` only show up in the parsed values)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from qbank.diagnostics import Location, Problem, Rule, Severity, problem, register

if TYPE_CHECKING:
    from qbank.validate.context import Context

E = Severity.ERROR

register(
    Rule(
        "QB012",
        "control-character",
        E,
        "Text holds a control character (other than tab and line break), a non-character such "
        "as U+FFFE, or a lone surrogate.",
        rationale='YAML escapes (`"\\x1f"`, `"\\u0001"`) let such characters into a '
        "value although no editor shows them. They break targets silently: U+001F is Anki's "
        "field separator (one makes the whole package unimportable) and Word files cannot hold "
        "`\\x01`, `\\x0b`, `\\0` or U+FFFE. The message gives the character and its position "
        "in the value; delete it.",
        failing='id: bell\ntype: truefalse\ntext: "Ring the bell\\x07 now."\nanswer: true\n',
        passing="id: bell\ntype: truefalse\ntext: Ring the bell now.\nanswer: true\n",
    )
)

#: C0 controls except tab and line feed, DEL, C1 controls, non-characters, lone surrogates
CONTROL_RE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff"
    "\U0001fffe\U0001ffff\U0010fffe\U0010ffff]"
)

FAMILY = "QB0"

#: printable ASCII, tab and line feed: an ASCII text of only these holds no QB012 character
_ASCII_ALLOWED = bytes(range(0x20, 0x7F)) + b"\t\n"
#: the escapes of a double-quoted YAML scalar that can make a QB012 character (``\t``,
#: ``\n``, ``\\``, ``\"``, ``\_``, ``\L``, ``\P`` and the others cannot)
_CONTROL_ESCAPE = re.compile(r"\\[0abvfreNxuU]")


def clean_source(text: str) -> bool:
    """True when no value read from the YAML ``text`` can hold a QB012 character, so the
    questions of the file need no check of their values.

    Every character of a value composed from YAML text is one of the text's own characters,
    a line feed or space made from its line breaks, or the result of an escape in a
    double-quoted scalar. A text holding a control character of its own (CR and NEL are
    ones) is not clean. The escapes that can make one are ``\\0 \\a \\b \\v \\f \\r \\e
    \\N \\x \\u \\U``, each a backslash followed by that letter, so a text without such a
    pair gives none (an escaped backslash before such a letter errs on the safe side). The
    models add no text of their own (field names, type names and defaults are plain ASCII
    words). ``tests/test_characters.py`` checks this against the full check.
    """
    if "\\" in text and _CONTROL_ESCAPE.search(text):
        return False
    if text.isascii():  # the common case, about 15x faster than the regular expression
        return not text.encode("ascii").translate(None, _ASCII_ALLOWED)
    return CONTROL_RE.search(text) is None


def _strings(
    value: Any, path: tuple[int | str, ...]
) -> Iterator[tuple[tuple[int | str, ...], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str) and CONTROL_RE.search(k):
                yield path, k
            yield from _strings(v, (*path, k))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _strings(v, (*path, i))


def _texts(value: Any, out: list[str]) -> list[str]:
    """Every string of ``value`` (keys included), without their paths."""
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str):
                out.append(k)
            _texts(v, out)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _texts(v, out)
    return out


def control_characters(owner: Any, data: Any, question_id: str | None) -> Iterator[Problem]:
    """QB012 for every string in ``data`` (a model dump) holding a forbidden character."""
    # one search over all the texts (joined by a line feed, which is allowed) decides for
    # nearly every question; the paths are walked only when there is something to report
    if not CONTROL_RE.search("\n".join(_texts(data, []))):
        return
    for path, text in _strings(data, ()):
        m = CONTROL_RE.search(text)
        if m is None:
            continue
        where = ".".join(map(str, path)) or "value"
        count = len(CONTROL_RE.findall(text))
        more = f" (and {count - 1} more)" if count > 1 else ""
        yield problem(
            "QB012",
            f"control character U+{ord(m.group()):04X} at character {m.start() + 1} of "
            f"`{where}`{more}",
            owner.loc(*path),
            hint="delete it (it is invisible in most editors; look for a \\x.. or \\u.. "
            "escape in a double-quoted value)",
            question_id=question_id,
            fingerprint=f"QB012:{question_id or ''}:{where}",
        )


def check(ctx: Context) -> Iterator[Problem]:
    """QB012 over the questions whose findings are reported (``ctx.questions``), every quiz
    and the manifest (the loader reports the others). Questions of a file whose text cannot
    give a control character (:func:`clean_source`) are not dumped and searched."""
    clean: dict[str, bool] = {}
    # a file's questions come one after another: the last file's answer is at hand
    last: object = None
    last_known = False
    for q in ctx.questions:
        src = q.source_file
        if src is not None and src.text:
            if src is last:
                known = last_known
            else:
                cached = clean.get(src.rel)
                if cached is None:
                    cached = clean[src.rel] = clean_source(src.text)
                known = last_known = cached
                last = src
            if known:
                continue
        yield from control_characters(q, q.model_dump(mode="python", exclude_none=True), q.id)
    for quiz in ctx.bank.quizzes.values():
        yield from control_characters(quiz, quiz.model_dump(mode="python", exclude_none=True), None)
    manifest = ctx.bank.manifest
    if manifest is not None:
        yield from control_characters(
            _ManifestOwner(ctx), manifest.model_dump(mode="python", exclude_none=True), None
        )


class _ManifestOwner:
    def __init__(self, ctx: Context) -> None:
        self.src = ctx.bank.files.get("qbank.yaml")

    def loc(self, *path: int | str) -> Location:
        if self.src is None:
            return Location("qbank.yaml")
        return self.src.location(path)
