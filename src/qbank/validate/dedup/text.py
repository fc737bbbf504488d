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

from rapidfuzz.distance import OSA, Levenshtein
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


#: an exhibit: a markdown image (inline or reference) or an HTML ``<img>`` tag
_EXHIBIT_RE = re.compile(
    r"!\[(?:[^\]\\]|\\.)*\](?:\((?:[^()\s]|\([^()]*\))*(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)"
    r"|\[[^\]]*\])?"
    r"|<img\b[^>]*>",
    re.IGNORECASE,
)


def strip_exhibits(markdown: str) -> str:
    """The markdown without its images: an exhibit's alt text ("Question 119"), title and path
    name a picture, they are not words of the question (a re-posted exhibit is renamed)."""
    if "![" not in markdown and ("<" not in markdown or "<img" not in markdown.lower()):
        return markdown
    return _EXHIBIT_RE.sub(" ", markdown)


def stem_text(question: AnyQuestion) -> str:
    """The plain text dedup compares: the stem without exhibits, cloze blanks filled with their
    first answer."""
    text = strip_exhibits(question.text)
    if question.type == "cloze":
        text = replace_blanks(text, lambda b: b.answers[0] if b.answers[0] else "___")
    return plain_text(text)


# -- what a stem asks ----------------------------------------------------------------------

_SOLUTION_RE = re.compile(
    r"\bsolution\s*:\s*(?P<ask>.+?)\s*(?:does\s+(?:this|the\s+solution)\s+meet\s+the\s+goals?\b.*)?\Z",
    re.IGNORECASE | re.DOTALL,
)
_PARAGRAPH_RE = re.compile(r"\n[ \t]*\n")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=\S)")
#: a stem has a case text in front of its ask when the rest holds at least this many words
CASE_WORDS = 40
#: a stem this long with no paragraphs: its last sentence is the ask
LONG_STEM_WORDS = 80


def ask(plain: str) -> tuple[str, str] | None:
    """What a long stem asks, apart from the scenario in front of it: ``("series", the
    proposed solution)`` for a series item ("Solution: …. Does this meet the goal?"),
    ``("case", the last paragraph)`` for a case text followed by a short ask, or None when the
    stem is the ask (short stems, one paragraph)."""
    found = _SOLUTION_RE.search(plain)
    if found is not None:
        return "series", found.group("ask")
    text = plain.strip()
    parts = _PARAGRAPH_RE.split(text)
    if len(parts) < 2:
        if text.count(" ") < LONG_STEM_WORDS:
            return None
        parts = _SENTENCE_END_RE.split(text)
        if len(parts) < 2:
            return None
    last = parts[-1]
    context_words = sum(p.count(" ") + 1 for p in parts[:-1])
    if context_words < CASE_WORDS or context_words < 2 * (last.count(" ") + 1):
        return None
    return "case", last


def term_words(plain: str) -> frozenset[str]:
    """Lower-cased words written as names: capitalised away from the start of a sentence
    ("Oracle", "Premium"), with capitals inside ("MySQL", "AKS") or letters and digits mixed
    ("S3", "P1"). A swap of such a word is a swap of a product, service or proper name."""
    out = set()
    for m in _WORD_RE.finditer(plain):
        w = m.group()
        if len(w) < 2 or w.islower() or w.isdigit():
            continue
        inner = any(c.isupper() for c in w[1:]) or (
            any(c.isdigit() for c in w) and any(c.isalpha() for c in w)
        )
        if not inner:
            before = plain[: m.start()].rstrip(" \t\"'“‘(*_")
            if not before or before[-1] in ".?!:\n":
                continue  # capitalised only because a sentence starts here
        out.add(w.lower())
    return frozenset(out)


#: compared length of a stem key: a 1-million-character stem took 12.5 s to compare (the
#: edit distance is quadratic in the length); hand-written stems are far shorter (issue 17)
MAX_KEY_CHARS = 5000
#: words of a stem aligned when describing what changed between two near-duplicates
MAX_WORDS = 1000


def sort_key(normalised: str) -> str:
    """Tokens sorted: ``fuzz.ratio`` on these is ``token_sort_ratio``. Bounded to
    :data:`MAX_KEY_CHARS` (cut at a word boundary) so a huge stem costs no more than a long one."""
    key = " ".join(sorted(normalised.split()))
    if len(key) > MAX_KEY_CHARS:
        cut = key.rfind(" ", 0, MAX_KEY_CHARS)
        key = key[: cut if cut > 0 else MAX_KEY_CHARS]
    return key


def stem_key(plain: str) -> str:
    """``sort_key(normalise(plain))`` with one split and one join instead of two each (the
    words of the collapsed text are the words of the text); the key of every question in a
    bank is built this way."""
    words = default_process(plain).split()
    words.sort()
    key = " ".join(words)
    return key if len(key) <= MAX_KEY_CHARS else sort_key(key)


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
    """:func:`word_changes` on pre-split words, each distinct change once ("13 → 66" is
    said once however often the stems repeat it)."""
    return render_changes(change_spans(before, after), limit)


def render_changes(spans: list[tuple[list[str], list[str]]], limit: int = 20) -> list[str]:
    """The changes of :func:`change_spans` as words for a message, each distinct one once."""
    changes: list[str] = []
    seen: set[str] = set()
    for removed, added in spans:
        if removed and added:
            text = f"{' '.join(removed)} → {' '.join(added)}"
        elif removed:
            text = f'"{" ".join(removed)}" removed'
        else:
            text = f'"{" ".join(added)}" inserted'
        low = text.lower()
        if low not in seen:
            seen.add(low)
            changes.append(text)
        if len(changes) >= limit:
            break
    return changes


def change_spans(before: Words, after: Words) -> list[tuple[list[str], list[str]]]:
    """(words removed, words inserted), as written, of each change from ``before`` to
    ``after``. The alignment is rapidfuzz's Levenshtein opcodes over word lists (≈ 2 µs, ten
    times faster than difflib: a 100,000-question scan describes tens of thousands of
    pairs); neighbouring edits form one change, and words only moved are not changes."""
    a, al = before
    b, bl = after
    if al == bl:
        return []
    # the alignment is quadratic in the number of words: describe huge stems by their start
    a, al, b, bl = a[:MAX_WORDS], al[:MAX_WORDS], b[:MAX_WORDS], bl[:MAX_WORDS]
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
    # a word removed in one place and inserted in another only moved: not a change. Most
    # pairs (a number or a name swapped) have no word on both sides: the counting is skipped
    # then, which gives the same spans (nothing is ever taken from an empty counter)
    out_list = [al[i] for r, _ in blocks for i in r]
    in_list = [bl[j] for _, ins in blocks for j in ins]
    if not out_list or not in_list or set(out_list).isdisjoint(in_list):
        # a block always removes or inserts a word: each is one span
        return [(a[r.start : r.stop], b[i.start : i.stop]) for r, i in blocks]
    moved = Counter(out_list) & Counter(in_list)
    out_moved, in_moved = Counter(moved), moved
    spans: list[tuple[list[str], list[str]]] = []
    for removed_at, added_at in blocks:
        removed = [a[i] for i in removed_at if not (moved and _take(out_moved, al[i]))]
        added = [b[j] for j in added_at if not (moved and _take(in_moved, bl[j]))]
        if removed or added:
            spans.append((removed, added))
    return spans


def is_slip(removed: list[str], added: list[str]) -> bool:
    """Whether a change is a typing slip or a split/joined word ("autmate" for "automate",
    "Hyper V" for "Hyper-V"), not another word: the letters are nearly the same. Short
    all-capital names (AKS/EKS) are never slips."""
    old, new = "".join(removed).lower(), "".join(added).lower()
    if old == new:
        return True
    if not old or not new:
        return False
    if any(len(w) <= 4 and w.isupper() for w in (*removed, *added)):
        return False
    return OSA.distance(old, new) <= max(1, min(len(old), len(new)) // 4)


def _take(counter: Counter[str], word: str) -> bool:
    """Use up one occurrence of ``word`` in ``counter`` if there is one."""
    if counter[word] > 0:
        counter[word] -= 1
        return True
    return False
