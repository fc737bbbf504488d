"""Cloze blanks ``{{answer|alternative}}`` in the markdown source (DESIGN §2.2): found and
replaced before the markup is parsed; ``\\|`` and ``\\}`` escape.
"""

from __future__ import annotations

from collections.abc import Callable

from qbank.markup.types import Blank


def _find_unescaped(text: str, needle: str, pos: int) -> int:
    i = pos
    n = len(text)
    while i < n:
        if text[i] == "\\":
            i += 2
        elif text.startswith(needle, i):
            return i
        else:
            i += 1
    return -1


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts: list[str] = []
    start = 0
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == sep:
            parts.append(text[start:i])
            start = i = i + 1
        else:
            i += 1
    parts.append(text[start:])
    return parts


def find_blanks(text: str) -> list[Blank]:
    """The cloze blanks ``{{answer|alternative|…}}`` in a markdown source, in order.

    Rules, chosen so that exporters and the validator agree on what a blank is:

    * A blank runs from ``{{`` to the *first* following ``}}``. A ``{{`` inside it is part
      of the answer, not a nested blank (``{{a {{b}} c}}`` is one blank with the answer
      ``"a {{b"`` followed by the text ``" c}}"``); the validator flags answers containing
      ``{{``, since Anki mishandles nested clozes.
    * Backslash escapes are honoured as in markdown: ``\\{{`` is not a blank, ``\\|`` does
      not split alternatives, and LaTeX's ``\\{ \\}`` never open or close one. Blanks are
      otherwise found anywhere, also in code spans and maths, so ``x^{{2}}`` in maths *is*
      a blank: write ``x^{ {2} }``.
    * Alternatives are split on ``|`` and trimmed; empty ones are kept as ``""``.
      Answers are markdown fragments: use :func:`to_text` to compare them with input.
    * A ``{{`` without a following ``}}`` is not a blank.
    """
    blanks: list[Blank] = []
    i = 0
    n = len(text)
    while i < n:
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith("{{", i):
            j = _find_unescaped(text, "}}", i + 2)
            if j < 0:
                break
            answers = tuple(a.strip() for a in _split_unescaped(text[i + 2 : j], "|"))
            blanks.append(Blank(index=len(blanks), answers=answers, start=i, end=j + 2))
            i = j + 2
            continue
        i += 1
    return blanks


def replace_blanks(text: str, fn: Callable[[Blank], str]) -> str:
    """Replace each blank with ``fn(blank)``.

    The replacement goes into the *markdown source*, which is parsed afterwards, so
    exporters pass markdown-safe placeholders (e.g. ``"\\\\_\\\\_\\\\_"`` or an Anki
    ``{{c1::…}}`` built from escaped answers).
    """
    out: list[str] = []
    pos = 0
    for blank in find_blanks(text):
        out.append(text[pos : blank.start])
        out.append(fn(blank))
        pos = blank.end
    out.append(text[pos:])
    return "".join(out)
