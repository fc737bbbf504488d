"""SHA-256 keyed ordering: every "random" choice a draw makes.

Python promises neither :mod:`random`'s algorithms nor ``hash()`` across versions, and a
JavaScript player must be able to repeat a draw, so every shuffle here is a sort by::

    rank(parts) = SHA-256(UTF-8("\\x1f".join(str(part) for part in parts)))

compared as bytes, ties broken by position (the parts are listed in :mod:`qbank.draw.select`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from qbank.model import AnyQuestion, Match, Option, Order

#: options mentioning these stay last when options are shuffled ("None of the above")
_PINNED_LAST = re.compile(
    r"\b(?:all|none|both|neither) of the (?:above|options|others|preceding|these)\b", re.IGNORECASE
)
#: an option that names other options by letter ("Both A and C") pins the whole question:
#: shuffling would make the letters point at the wrong options
_LETTER_REF = re.compile(
    r"\b(?i:both|either|neither|only)\s+\(?[A-H]\)?(?:\s*,\s*\(?[A-H]\)?)*,?\s+"
    r"(?i:and|or|nor)\s+\(?[A-H]\)?(?!\w)"
)
_MARKUP_CHARS = re.compile(r"[*_`\\]")


def rank(*parts: object) -> bytes:
    """The SHA-256 rank of ``parts`` (see the module docstring); parts are str or int."""
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()


def seeded_order(keys: Sequence[object], *parts: object) -> list[int]:
    """Indices of ``keys`` sorted by ``rank(*parts, key)``, ties by index."""
    # same bytes as rank(*parts, key): hash the shared prefix once, then copy the state
    prefix = hashlib.sha256(("\x1f".join(str(p) for p in parts) + "\x1f" * bool(parts)).encode())

    def sort_key(i: int) -> tuple[bytes, int]:
        h = prefix.copy()
        h.update(str(keys[i]).encode("utf-8"))
        return h.digest(), i

    return sorted(range(len(keys)), key=sort_key)


def letter(index: int) -> str:
    """0 → A … 25 → Z, 26 → AA (option letters and form names)."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def form_name(index: int) -> str:
    """0 → "A", 1 → "B", … (26 → "AA")."""
    return letter(index)


# -- how a question's parts are shown ------------------------------------------------------


def _option_text(o: Option) -> str:
    return _MARKUP_CHARS.sub("", o.text)


def _never_identity(order: list[int]) -> tuple[int, ...]:
    """Items shown in their correct order would give the answer away: rotate by one."""
    if len(order) > 1 and order == sorted(order):
        order = order[1:] + order[:1]
    return tuple(order)


def part_order(q: AnyQuestion, seed: str, form: int, shuffle_options: bool) -> tuple[int, ...]:
    """How the parts of ``q`` are shown on ``form`` (see :attr:`DrawnQuestion.order`).

    Options keep their order when ``shuffle_options`` is off, when the question says
    ``shuffle: false``, or when an option names others by letter ("Both A and C"). An option
    such as "None of the above" stays last. Order items and the match column are always
    shuffled (never into the correct order), since showing them in order is the answer.
    """
    options: list[Option] | None = getattr(q, "options", None)
    if options is not None:
        n = len(options)
        if not shuffle_options or not q.shuffle:
            return tuple(range(n))
        texts = [_option_text(o) for o in options]
        if any(_LETTER_REF.search(t) for t in texts):
            return tuple(range(n))
        pinned = [i for i, t in enumerate(texts) if _PINNED_LAST.search(t)]
        free = [i for i in range(n) if i not in pinned]
        shuffled = [free[j] for j in seeded_order(free, seed, form, q.id, "options")]
        return tuple(shuffled + pinned)
    if isinstance(q, Order):
        return _never_identity(seeded_order(range(len(q.items)), seed, form, q.id, "items"))
    if isinstance(q, Match):
        return _never_identity(seeded_order(range(len(q.pairs)), seed, form, q.id, "match"))
    return ()
