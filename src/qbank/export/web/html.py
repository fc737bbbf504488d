"""``qbank export html``: one self-contained, offline page that plays the quiz (DESIGN §7).

The page is ``exporters/web/player.html`` with the player's CSS and JavaScript and the quiz
document (:mod:`qbank.export.web.quiz_json`, answers included, each distinct image once,
as base64 in its ``files``; the player turns ``#qbank-file:<id>`` into a ``data:`` URI)
inlined.
It plays like the study guide's quiz: "1 / 5", one question per screen, the blank inline,
"N words left", immediate or end-of-quiz feedback, explanations, "Your score is …",
restart.

Why a strict Content-Security-Policy in a ``<meta>`` tag: the file is meant to be opened
from disk or put on any web server, and must never reach the network. The policy allows
only the exact inline script and style (by SHA-256 hash) and ``data:`` images; everything
else — fetches, fonts, frames, other scripts — is refused by the browser. Author text is
already safe HTML or plain text in the document; the quiz data sits in a
``<script type="application/json">`` element with ``<``, ``>`` and ``&`` escaped, so no
author string can close the element.

Users restyle the player by editing the files in ``exporters/web/`` or by passing a folder
of their own (``--player DIR``): files missing there fall back to the built-in ones.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from qbank.assets import asset_path
from qbank.export.web import quiz_json
from qbank.fsutil import atomic_path
from qbank.i18n import js_catalog, translator
from qbank.model import image_limit

if TYPE_CHECKING:
    from qbank.draw import Draw
    from qbank.load import Bank

__all__ = ["PLAYER_FILES", "PlayerError", "build", "csp", "export"]

Feedback = Literal["immediate", "end"]
PLAYER_FILES = ("player.html", "player.js", "player.css")
_PLACEHOLDER = re.compile(r"\{\{([A-Z]+)\}\}")
_CLOSERS = {"player.js": re.compile(r"</script", re.I), "player.css": re.compile(r"</style", re.I)}


class PlayerError(ValueError):
    """A customised player file cannot be used (e.g. a script that closes its element)."""


def _read(name: str, folder: Path | None) -> str:
    path = folder / name if folder is not None and (folder / name).is_file() else None
    text = (path or asset_path("web", name)).read_text(encoding="utf-8")
    closer = _CLOSERS.get(name)
    if closer is not None and closer.search(text):
        raise PlayerError(
            f"{path or name}: must not contain `{closer.pattern}` (it would end the inline element)"
        )
    return text


def _sha256(text: str) -> str:
    return (
        "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"
    )


def csp(script: str, style: str) -> str:
    """The page's policy: only this script and style, ``data:`` images, no network at all."""
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {_sha256(script)}",
            f"style-src {_sha256(style)}",
            "img-src data:",
            "connect-src 'none'",
            "font-src 'none'",
            "media-src 'none'",
            "object-src 'none'",
            "frame-src 'none'",
            "worker-src 'none'",
            "manifest-src 'none'",
            "form-action 'none'",
            "base-uri 'none'",
        ]
    )


def _script_json(value: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&``."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_GETTEXT = re.compile(r'\bgettext\(\s*"((?:[^"\\]|\\.)*)"')
_NGETTEXT = re.compile(r'\bngettext\(\s*"((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)"')


def messages(script: str) -> list[str | tuple[str, str]]:
    """The messages a player script looks up: ``gettext("…")`` and ``ngettext("…", "…", n)``
    calls (string literals as JSON decodes them), in order, each once."""
    found: dict[str | tuple[str, str], None] = {}
    for m in _NGETTEXT.finditer(script):
        found[(json.loads(f'"{m.group(1)}"'), json.loads(f'"{m.group(2)}"'))] = None
    for m in _GETTEXT.finditer(script):
        found[json.loads(f'"{m.group(1)}"')] = None
    return list(found)


def build(
    drawn: Draw,
    bank: Bank,
    *,
    feedback: Feedback = "immediate",
    player: Path | None = None,
    language: str | None = None,
) -> tuple[str, list[str]]:
    """The page's HTML text and the warnings (images that could not be embedded)."""
    media = quiz_json.Media(
        bank.root,
        mode="embed",
        allow_remote=False,
        share=True,
        limit=image_limit(bank.manifest),
    )
    doc = quiz_json.build(drawn, bank, answers=True, media=media)
    template = _read("player.html", player)
    script = _read("player.js", player)
    style = _read("player.css", player)
    instructions = doc["instructions"]
    tr = translator(language or (bank.manifest.language if bank.manifest else None))
    settings = {"feedback": feedback, "decimalComma": tr.decimal_comma}
    values = {
        "LANG": html.escape(tr.language),
        "DIR": tr.direction,
        "NOSCRIPT": html.escape(tr.gettext("This quiz needs JavaScript.")),
        "CSP": html.escape(csp(script, style)),
        "TITLE": html.escape(doc["title"]),
        "INSTRUCTIONS": (
            f'<div class="qb-instructions">{instructions["html"]}</div>' if instructions else ""
        ),
        "CSS": style,
        "JS": script,
        "DATA": _script_json(
            {"settings": settings, "i18n": js_catalog(tr.language, messages(script)), "quiz": doc}
        ),
    }

    def fill(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in values:
            raise PlayerError(f"player.html: unknown placeholder {{{{{name}}}}}")
        return values[name]

    # one pass over the template only: placeholders inside the inserted texts stay as they are
    page = _PLACEHOLDER.sub(fill, template)
    return page, media.warnings


def export(
    drawn: Draw,
    target: Path,
    *,
    bank: Bank,
    feedback: Feedback = "immediate",
    player: Path | None = None,
    language: str | None = None,
) -> list[str]:
    """Write the page atomically; returns the warnings."""
    page, warnings = build(drawn, bank, feedback=feedback, player=player, language=language)
    with atomic_path(target) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return warnings
