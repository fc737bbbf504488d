"""What students and teachers read, in the class's language (gettext catalogs via Babel).

Every string an export prints around the author's text ("Name:", "Choose all that apply.",
"Page 2 of 5", "3 words left", "Your score is") is an English msgid looked up in
``locales/<lang>/LC_MESSAGES/qbank.mo``; an unknown language falls back to English. The
language is the manifest's ``language`` or ``--language`` (``de``, ``de-AT``, ``pt_BR``…:
the most specific shipped catalog wins). Shipped: :data:`SHIPPED`.

Also here, because they depend on the language and nothing else: the writing direction
(right-to-left for ar, he, fa, ur — from CLDR via Babel) and whether a decimal comma is
the norm (for numeric answers typed by learners).

Catalog workflow (docs/i18n.md): ``make i18n`` extracts the msgids from the exporters and
the player (``pybabel extract``), updates every ``.po`` and compiles the ``.mo`` files,
which are committed; ``tests/test_i18n.py`` fails when a catalog is incomplete or stale.
"""

from __future__ import annotations

import functools
import gettext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "DOMAIN",
    "LOCALES",
    "N_",
    "SHIPPED",
    "Translator",
    "direction",
    "js_catalog",
    "language_code",
    "translator",
    "uses_decimal_comma",
]

DOMAIN = "qbank"
LOCALES = Path(__file__).resolve().parent / "locales"
SHIPPED = ("en", "de", "fr", "es", "it", "nl", "pt", "pl", "ar", "he")
_RTL_FALLBACK = frozenset({"ar", "he", "iw", "fa", "ur", "yi", "ps", "dv", "ku", "sd", "ug"})


def N_(message: str) -> str:
    """Marks a message for the catalogs (``pybabel extract``) where it is looked up later."""
    return message


def language_code(language: str | None) -> str:
    """``"de-AT"`` → ``"de_AT"``; ``None``/empty → ``"en"``."""
    if not language or not language.strip():
        return "en"
    parts = language.strip().replace("-", "_").split("_")
    head = parts[0].lower()
    return "_".join([head, *(p.upper() if len(p) == 2 else p for p in parts[1:])])


def _candidates(language: str | None) -> list[str]:
    code = language_code(language)
    base = code.split("_")[0]
    return [code] if code == base else [code, base]


@dataclass(frozen=True)
class Translator:
    """Lookups for one language; ``language`` is the BCP 47 tag to put in documents."""

    language: str
    _tr: gettext.NullTranslations

    def gettext(self, message: str) -> str:
        return self._tr.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._tr.ngettext(singular, plural, n)

    @property
    def direction(self) -> str:
        return direction(self.language)

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"

    @property
    def decimal_comma(self) -> bool:
        return uses_decimal_comma(self.language)


@functools.lru_cache(maxsize=64)
def translator(language: str | None) -> Translator:
    """The translator for ``language`` (English msgids when no catalog matches)."""
    tr = gettext.translation(
        DOMAIN, localedir=str(LOCALES), languages=_candidates(language), fallback=True
    )
    tag = language_code(language).replace("_", "-")
    return Translator(tag, tr)


@functools.lru_cache(maxsize=64)
def direction(language: str | None) -> str:
    """``"rtl"`` for right-to-left scripts (Arabic, Hebrew, …), else ``"ltr"``."""
    code = language_code(language)
    try:
        from babel import Locale

        order = Locale.parse(code).character_order
        return "rtl" if order == "right-to-left" else "ltr"
    except Exception:  # unknown or malformed tags: Babel raises several types
        return "rtl" if code.split("_")[0] in _RTL_FALLBACK else "ltr"


@functools.lru_cache(maxsize=64)
def uses_decimal_comma(language: str | None) -> bool:
    """Whether numbers in ``language`` are written with a decimal comma (de: ``9,81``)."""
    try:
        from babel.numbers import get_decimal_symbol

        return get_decimal_symbol(language_code(language)) == ","
    except Exception:  # unknown locale: the English convention
        return False


def js_catalog(language: str | None, messages: list[Any]) -> dict[str, Any]:
    """Translations for a script in the page: ``{msgid: text}``, and for a plural pair
    ``(singular, plural)`` ``{singular: {CLDR category: text}}`` — the script picks the
    category with ``Intl.PluralRules``, so it needs no plural formula."""
    tr = translator(language)
    out: dict[str, Any] = {}
    categories = _plural_samples(tr.language)
    for message in messages:
        if isinstance(message, tuple):
            singular, plural = message
            out[singular] = {cat: tr.ngettext(singular, plural, n) for cat, n in categories.items()}
        else:
            out[message] = tr.gettext(message)
    return out


@functools.lru_cache(maxsize=64)
def _plural_samples(language: str) -> dict[str, int]:
    """One sample number per CLDR plural category of ``language`` (``{"one": 1, …}``)."""
    try:
        from babel import Locale

        rule = Locale.parse(language_code(language)).plural_form
    except Exception:
        return {"one": 1, "other": 2}
    samples: dict[str, int] = {}
    for n in [*range(0, 200), 1_000_000]:
        samples.setdefault(rule(n), n)
    return samples
