"""Text side of the near-duplicate engine: what a stem's words are, how they are normalised
for scoring, the numbers and negation/qualifier words the guards compare, and the
word-by-word differences a finding shows (``24 → 25``, ``"NOT" inserted``).

Kept apart from the scoring code because these functions define *what* is compared; the
property tests in ``tests/test_dedup.py`` hold them to :func:`qbank.markup.to_text`.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from rapidfuzz.distance import Levenshtein
from rapidfuzz.utils import default_process

from qbank.markup import replace_blanks, to_text

if TYPE_CHECKING:
    from qbank.model import AnyQuestion

#: words whose presence flips a stem's meaning ("Which is NOT …"): a difference is QB303
NEGATIONS = frozenset(
    {"not", "except", "never", "no", "none", "cannot", "false", "incorrect", "least"}
)
QUALIFIERS = frozenset({"most", "least", "best", "worst", "first", "last", "always", "never"})

_NUMBER_RE = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_CONTRACTION_RE = re.compile(r"n['’]t\b", re.IGNORECASE)
_WORD_RE = re.compile(r"[^\W_]+(?:[.,'’][^\W_]+)*")
#: a text without these characters and without a numbered-list line needs no markdown parse:
#: its plain text has the same words. Links, images, entities, escapes and autolinks
#: (``[ & < \``) change words; emphasis, code spans and strike-through (``* _ ` ~``) can
#: join letters ("un*real*" is "unreal"); tables (``|``) drop surplus cells; list numbers
#: disappear.
_MARKUP_FREE = re.compile(r"[^\[&<\\*_`~|]*")
_LIST_NUMBER_RE = re.compile(r"^[ \t>*+-]*\d{1,9}[.)](?:[ \t]|$)", re.MULTILINE)

#: (words as written, lower-cased words) of a plain text
Words = tuple[list[str], list[str]]


def plain_text(markdown: str) -> str:
    """The plain text of an author's markdown, as :func:`qbank.markup.to_text` gives it.

    Most stems contain no markup that changes their words, so they skip the parse (24 µs a
    stem, the bulk of a pull-request run at 100,000 questions); the property test in
    ``tests/test_dedup.py`` checks that both paths give the same normalised words.
    """
    if (
        _MARKUP_FREE.fullmatch(markdown) is not None
        and not _LIST_NUMBER_RE.match(markdown)
        and not ("\n" in markdown and _LIST_NUMBER_RE.search(markdown))
    ):
        return markdown.strip()
    return to_text(markdown)


def normalise(text: str) -> str:
    """Lower case, punctuation to spaces, whitespace collapsed (rapidfuzz's default_process)."""
    return " ".join(default_process(text).split())


def stem_text(question: AnyQuestion) -> str:
    """The plain text dedup compares: the stem, cloze blanks filled with their first answer."""
    text = question.text
    if question.type == "cloze":
        text = replace_blanks(text, lambda b: b.answers[0] if b.answers[0] else "___")
    return plain_text(text)


def sort_key(normalised: str) -> str:
    """Tokens sorted: ``fuzz.ratio`` on these is ``token_sort_ratio``."""
    return " ".join(sorted(normalised.split()))


def numbers(text: str) -> tuple[str, ...]:
    """The numbers of a text as a sorted multiset (thousands separators dropped)."""
    return tuple(sorted(m.group().replace(",", "") for m in _NUMBER_RE.finditer(text)))


def qualifiers(text: str, normalised: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(negation words as a sorted multiset, qualifier words as a sorted set)."""
    words = normalised.split()
    neg = [w for w in words if w in NEGATIONS]
    neg += ["not"] * len(_CONTRACTION_RE.findall(text))
    qual = sorted({w for w in words if w in QUALIFIERS})
    return tuple(sorted(neg)), tuple(qual)


def word_changes(before: str, after: str, limit: int = 20) -> list[str]:
    """What changed from ``before`` to ``after``, word by word: ``24 → 25``,
    ``"NOT" inserted``, ``"first" removed``. Words only moved are not listed; case is
    ignored. An empty list means the words are the same (maybe in another order)."""
    return changes_between(split_words(before), split_words(after), limit)


def split_words(text: str) -> Words:
    """(words as written, lower-cased words) of a plain text."""
    words = _WORD_RE.findall(text)
    return words, [w.lower() for w in words]


def changes_between(before: Words, after: Words, limit: int = 20) -> list[str]:
    """:func:`word_changes` on pre-split words. The alignment is rapidfuzz's Levenshtein
    opcodes over word lists (≈ 2 µs, ten times faster than difflib: a 100,000-question scan
    describes tens of thousands of pairs)."""
    a, al = before
    b, bl = after
    if al == bl:
        return []
    # neighbouring edits form one change: "heart failure → asthma", not two
    blocks: list[tuple[range, range]] = []
    joined = False
    for op in Levenshtein.opcodes(al, bl):
        if op.tag == "equal":
            joined = False
        elif joined:
            src, dest = blocks[-1]
            blocks[-1] = (range(src.start, op.src_end), range(dest.start, op.dest_end))
        else:
            blocks.append((range(op.src_start, op.src_end), range(op.dest_start, op.dest_end)))
            joined = True
    # a word removed in one place and inserted in another only moved: not a change
    out_words = Counter(al[i] for r, _ in blocks for i in r)
    in_words = Counter(bl[j] for _, ins in blocks for j in ins)
    moved = out_words & in_words
    out_moved, in_moved = Counter(moved), moved
    changes: list[str] = []
    for removed_at, added_at in blocks:
        removed = [a[i] for i in removed_at if not (moved and _take(out_moved, al[i]))]
        added = [b[j] for j in added_at if not (moved and _take(in_moved, bl[j]))]
        if removed and added:
            changes.append(f"{' '.join(removed)} → {' '.join(added)}")
        elif removed:
            changes.append(f'"{" ".join(removed)}" removed')
        elif added:
            changes.append(f'"{" ".join(added)}" inserted')
        if len(changes) >= limit:
            break
    return changes


def _take(counter: Counter[str], word: str) -> bool:
    """Use up one occurrence of ``word`` in ``counter`` if there is one."""
    if counter[word] > 0:
        counter[word] -= 1
        return True
    return False
