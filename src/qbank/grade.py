"""qbank's own grader: score one question against one learner response.

Why here and not in an exporter: every web target grades (the HTML player in JavaScript,
SurveyJS with its own rules), and the tests need one reference to say what "correct" means
so they can check that the others agree. ``exporters/web/player.js`` mirrors these rules
line for line; change both together.

Responses refer to the bank's *original* positions, so they do not depend on how a form
shuffled the options:

==========  ===========================================================================
type        response
==========  ===========================================================================
single      ``int`` (index of the chosen option in the question's ``options``) or None
multi       a sequence of option indices (order is irrelevant)
truefalse   ``bool`` or None
cloze       a sequence of strings, one per blank
short       ``str``
numeric     ``str`` (decimal text, optionally followed by the question's unit)
order       a sequence of item indices in the order the learner put them
match       a mapping from left index to the chosen right index (``pairs[i][1]``)
essay       anything: never auto-graded
==========  ===========================================================================

Rules:

* text answers (cloze blanks, short) are compared after Unicode NFC, trimming and collapsing
  runs of white space to one space; case is ignored unless the question is
  ``case_sensitive``. Any accepted alternative matches. Each cloze blank is checked
  against its own alternatives; the question is right only when every blank is.
* numeric answers are exact decimals (never floats): the response must lie in the closed
  interval ``answer ± tolerance`` (absolute, or ``"2%"`` of the answer). Where the quiz's
  language writes a decimal comma, ``5,05`` is read as 5.05 (``decimal_comma=True``); the
  key and tolerance in the bank are always written with a point.
* multi is all-or-nothing unless ``partial: true``; then the score is
  ``points × max(0, right picks − wrong picks) / number of correct options``.
* order and match are all-or-nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from qbank.markup import find_blanks, to_text
from qbank.model import (
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
    parse_decimal,
)

__all__ = [
    "Grade",
    "blank_answers",
    "grade",
    "key_response",
    "normalise_text",
    "numeric_matches",
    "parse_numeric_response",
    "text_matches",
]

#: white space as both Python's and JavaScript's regex engines agree on it (their ``\s``
#: differ at the edges), so the player and this module normalise identically
WHITESPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_WS_RUN = re.compile(f"[{WHITESPACE}]+")
#: a typed number: ASCII digits only (Python's ``\d`` would also take other scripts' digits,
#: JavaScript's does not) and an exponent of at most four digits, which keeps the player's
#: exact BigInt comparison cheap
NUMBER_RE = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,4})?$")


@dataclass(frozen=True)
class Grade:
    """The outcome for one question.

    ``earned`` is exact (a fraction of ``possible``); ``parts`` gives per-blank, per-pair
    or per-item results where the type has parts (cloze, order, match).
    """

    question_id: str
    graded: bool
    correct: bool
    earned: Fraction
    possible: int
    parts: tuple[bool, ...] = ()

    @property
    def ratio(self) -> float:
        return float(self.earned / self.possible) if self.possible else 0.0


def normalise_text(value: str, *, case_sensitive: bool = False) -> str:
    """The form in which typed answers are compared (see the module rules)."""
    text = _WS_RUN.sub(" ", unicodedata.normalize("NFC", value)).strip(" ")
    return text if case_sensitive else text.lower()


def text_matches(response: str | None, accepted: Sequence[str], *, case_sensitive: bool) -> bool:
    """Whether a typed answer equals any accepted alternative. Empty never matches."""
    if response is None:
        return False
    got = normalise_text(response, case_sensitive=case_sensitive)
    if not got:
        return False
    return any(got == normalise_text(a, case_sensitive=case_sensitive) for a in accepted)


def blank_answers(question: Cloze) -> list[list[str]]:
    """Accepted answers per blank, as plain text (blank answers are markdown fragments)."""
    return [
        [to_text(a, inline=True) for a in blank.answers if a]
        for blank in find_blanks(question.text)
    ]


_DECIMAL_COMMA = re.compile(r"^[+-]?[0-9]*,[0-9]+(?=\s|$)")


def parse_numeric_response(
    response: str | None, unit: str | None = None, *, decimal_comma: bool = False
) -> Decimal | None:
    """A typed number as an exact decimal; a trailing unit (the question's) is allowed.

    ``decimal_comma``: the class writes ``5,05`` for 5.05 (de, fr, pl …; see
    :func:`qbank.i18n.uses_decimal_comma`). One comma and no point is then a decimal comma;
    anything with grouping (``1.000,5``, ``1,000.5``) is still refused as ambiguous."""
    if response is None:
        return None
    text = normalise_text(response, case_sensitive=True)
    if decimal_comma and "." not in text and _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".", 1)
    if unit:
        u = normalise_text(unit, case_sensitive=True)
        if u and text.lower().endswith(u.lower()):
            text = text[: -len(u)].rstrip(" ")
    if not NUMBER_RE.match(text):
        return None
    return parse_decimal(text)


def numeric_matches(
    question: Numeric, response: str | None, *, decimal_comma: bool = False
) -> bool:
    bounds = question.tolerance_bounds()
    value = parse_numeric_response(response, question.unit, decimal_comma=decimal_comma)
    if bounds is None or value is None:
        return False
    low, high = bounds
    return low <= value <= high


def _is_index(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _all_or_nothing(q: AnyQuestion, ok: bool, parts: tuple[bool, ...] = ()) -> Grade:
    return Grade(q.id, True, ok, Fraction(q.points if ok else 0), q.points, parts)


def grade(question: AnyQuestion, response: Any, *, decimal_comma: bool = False) -> Grade:
    """Score ``response`` (shape per question type, see the module doc) for ``question``.

    ``decimal_comma``: numeric answers may be typed with a decimal comma (``5,05``), as in
    the quiz's language."""
    q = question
    if isinstance(q, Essay):
        return Grade(q.id, False, False, Fraction(0), q.points)
    if isinstance(q, Single):
        ok = _is_index(response) and response in q.correct_indices
        return _all_or_nothing(q, ok)
    if isinstance(q, Multi):
        chosen = sorted({i for i in (response or ()) if _is_index(i)})
        right = set(q.correct_indices)
        ok = set(chosen) == right
        if not q.partial or ok:
            return _all_or_nothing(q, ok)
        hits = sum(1 for i in chosen if i in right)
        misses = len(chosen) - hits
        earned = Fraction(q.points * max(0, hits - misses), max(1, len(right)))
        return Grade(q.id, True, False, earned, q.points)
    if isinstance(q, TrueFalse):
        return _all_or_nothing(q, isinstance(response, bool) and response is q.answer)
    if isinstance(q, Cloze):
        keys = blank_answers(q)
        given = list(response or ())
        parts = tuple(
            text_matches(
                given[i] if i < len(given) else None, alts, case_sensitive=q.case_sensitive
            )
            for i, alts in enumerate(keys)
        )
        return _all_or_nothing(q, bool(parts) and all(parts), parts)
    if isinstance(q, Short):
        text = response if isinstance(response, str) else None
        return _all_or_nothing(q, text_matches(text, q.answers, case_sensitive=q.case_sensitive))
    if isinstance(q, Numeric):
        return _all_or_nothing(
            q,
            numeric_matches(
                q, response if isinstance(response, str) else None, decimal_comma=decimal_comma
            ),
        )
    if isinstance(q, Order):
        given = list(response or ())
        parts = tuple(i < len(given) and given[i] == i for i in range(len(q.items)))
        return _all_or_nothing(q, len(given) == len(q.items) and all(parts), parts)
    if isinstance(q, Match):
        pairs: Mapping[int, int] = response or {}
        parts = tuple(pairs.get(i) == i for i in range(len(q.pairs)))
        return _all_or_nothing(q, all(parts), parts)
    raise TypeError(f"cannot grade question type {type(q).__name__}")  # pragma: no cover


def key_response(question: AnyQuestion) -> Any:
    """The bank's own answer key as a response (first alternative for text answers).

    Grading it must give full marks; tests use it to answer every export "with the keys".
    """
    q = question
    if isinstance(q, Single):
        return q.correct_indices[0]
    if isinstance(q, Multi):
        return list(q.correct_indices)
    if isinstance(q, TrueFalse):
        return q.answer
    if isinstance(q, Cloze):
        return [alts[0] if alts else "" for alts in blank_answers(q)]
    if isinstance(q, Short):
        return q.answers[0]
    if isinstance(q, Numeric):
        return q.answer.strip()
    if isinstance(q, Order):
        return list(range(len(q.items)))
    if isinstance(q, Match):
        return {i: i for i in range(len(q.pairs))}
    return ""
