"""Text side of the near-duplicate engine: what a stem's words are, how they are normalised
for scoring, the numbers and negation/qualifier words the guards compare, and the
word-by-word differences a finding shows (``24 → 25``, ``"NOT" inserted``).

Kept apart from the scoring code because these functions define *what* is compared; the
property tests in ``tests/test_dedup.py`` hold them to :func:`qbank.markup.to_text`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from itertools import accumulate
from operator import attrgetter
from typing import TYPE_CHECKING, cast

from rapidfuzz.distance import OSA, Levenshtein
from rapidfuzz.utils import default_process

from qbank.markup import replace_blanks, to_text

if TYPE_CHECKING:
    from qbank.markup.types import Blank
    from qbank.model import AnyQuestion

#: words whose presence flips a stem's meaning ("Which is NOT …"): a difference is QB303
NEGATIONS = frozenset(
    {"not", "except", "never", "no", "none", "cannot", "false", "incorrect", "least"}
)
QUALIFIERS = frozenset({"most", "least", "best", "worst", "first", "last", "always", "never"})

_NUMBER_RE = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_CONTRACTION_RE = re.compile(r"n['’]t\b", re.IGNORECASE)
_WORD_RE = re.compile(r"[^\W_]+(?:[.,'’][^\W_]+)*")
#: ASCII twins of ``_WORD_RE`` and ``_NUMBER_RE`` for ASCII texts (≈ 25 % faster, no Unicode
#: class lookups). Same matches: on an ASCII text ``[^\W_]`` is exactly ``[A-Za-z0-9]`` (the
#: only other ASCII word character is ``_``), ``\d`` is exactly ``[0-9]``, and ``’`` never
#: occurs
_WORD_ASCII_RE = re.compile(r"[A-Za-z0-9]+(?:[.,'][A-Za-z0-9]+)*")
_NUMBER_ASCII_RE = re.compile(r"[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?")
#: negation and qualifier words together: a stem without any (most stems) skips the filters
_GUARD_WORDS = NEGATIONS | QUALIFIERS
#: a text without these characters and without a numbered-list line needs no markdown parse:
#: its plain text has the same words. Links, images, entities, escapes and autolinks
#: (``[ & < \``) change words; emphasis, code spans and strike-through (``* _ ` ~``) can
#: join letters ("un*real*" is "unreal"); tables (``|``) drop surplus cells; list numbers
#: disappear.
_MARKUP_FREE = re.compile(r"[^\[&<\\*_`~|]*")
_LIST_NUMBER_RE = re.compile(r"^[ \t>*+-]*\d{1,9}[.)](?:[ \t]|$)", re.MULTILINE)
#: :data:`_LIST_NUMBER_RE` at the start of a line, found by the line break in front of it
_LIST_ITEM_LINE_RE = re.compile("\n" + _LIST_NUMBER_RE.pattern.removeprefix("^"), re.MULTILINE)

#: (words as written, lower-cased words) of a plain text
Words = tuple[list[str], list[str]]


def plain_text(markdown: str) -> str:
    """The plain text of an author's markdown, as :func:`qbank.markup.to_text` gives it.

    Most stems contain no markup that changes their words, so they skip the parse (24 µs a
    stem, the bulk of a pull-request run at 100,000 questions); the property test in
    ``tests/test_dedup.py`` checks that both paths give the same normalised words. A line
    after the first is searched as :data:`_LIST_ITEM_LINE_RE` (the pattern after a line
    break: where ``^`` matches in a multi-line search but the first line), 7× faster
    than a multi-line ``^`` search, which tries the pattern at every position.
    """
    if (
        _MARKUP_FREE.fullmatch(markdown) is not None
        and not _LIST_NUMBER_RE.match(markdown)
        and not ("\n" in markdown and _LIST_ITEM_LINE_RE.search(markdown))
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
        text = replace_blanks(text, _first_answer)
    return plain_text(text)


def _first_answer(blank: Blank) -> str:
    """What a cloze blank reads as: its first answer (``___`` when that is empty)."""
    return blank.answers[0] if blank.answers[0] else "___"


def stem_texts(questions: Sequence[AnyQuestion]) -> list[str]:
    """``[stem_text(q) for q in questions]``, for a whole bank at once.

    Most stems have no exhibit and no markup that changes their words: their plain text is
    the stem stripped. Instead of asking each stem (five calls and three scans of its text,
    3–5 µs a stem), the stems are joined by line breaks and scanned for markup characters
    (``str.find``, memchr, per character) and once for numbered-list lines (one regex
    search, :func:`_marked`); only the stems found, and cloze stems, take the per-stem
    path.

    Why it equals :func:`stem_text` for every other stem: a stem without any of
    :data:`_MARKUP_CHARS` holds neither ``![`` nor ``<``, so :func:`strip_exhibits` returns
    it unchanged; it is a :data:`_MARKUP_FREE` match, and without a numbered-list line
    :func:`plain_text` is the text stripped. ``tests/test_dedup_keys.py`` compares both on
    the bench banks and on generated text.
    """
    texts = list(map(_TEXT, questions))
    out = [t.strip() for t in texts]
    redo = set(_marked(texts))
    types = list(map(_TYPE, questions))
    if "cloze" in types:
        redo.update(i for i, kind in enumerate(types) if kind == "cloze")
    for i in redo:
        out[i] = stem_text(questions[i])
    return out


_TEXT = attrgetter("text")
_TYPE = attrgetter("type")
#: the characters :data:`_MARKUP_FREE` excludes, all ASCII
_MARKUP_CHARS = "[&<\\*_`~|"


def _marked(texts: list[str]) -> list[int]:
    """Indices, ascending, of the texts holding one of :data:`_MARKUP_CHARS` or a line that
    :data:`_LIST_NUMBER_RE` matches: those whose :func:`plain_text` may not be the text
    stripped.

    The texts are joined, each after a line break. Each markup character is searched in the
    joined text with ``str.find`` (memchr for a one-character needle); from a hit, the search
    goes on at the next text's start: one search per text holding that character, and one
    to the end. Nine memchr scans cost less than encoding the joined text to one byte per
    character and mapping it through a byte table (real-style 2,000 stems: 2.1 against
    3.1 ms for this function); a text with markup takes at most nine searches here, against
    ≈ 24 µs for its markdown parse afterwards. A line of a text starts right after a line
    break of the joined text, where :data:`_LIST_ITEM_LINE_RE` matches if the line is a
    numbered-list item; no match spans two texts (the pattern holds no other line
    break)."""
    joined = "\n".join(["", *texts])  # one copy, not two as ``"\n" + "\n".join(texts)``
    found: list[int] = []
    starts: list[int] = []  # where each text starts in ``joined``, then its length + 1
    for char in _MARKUP_CHARS:
        at = joined.find(char)
        if at >= 0 and not starts:
            starts = _starts(texts)
        while at >= 0:
            i = bisect_right(starts, at) - 1
            found.append(i)
            at = joined.find(char, starts[i + 1])
    match = _LIST_ITEM_LINE_RE.search(joined)
    if match is None:
        return sorted(set(found))
    if not starts:
        starts = _starts(texts)
    while match is not None:
        # the text whose line starts right after the matched line break
        i = bisect_right(starts, match.start() + 1) - 1
        found.append(i)
        match = _LIST_ITEM_LINE_RE.search(joined, starts[i + 1] - 1)
    return sorted(set(found))


def _starts(texts: list[str]) -> list[int]:
    """Where each text starts in ``"\\n" + "\\n".join(texts)``, then that text's end + 1."""
    return list(accumulate(map((1).__add__, map(len, texts)), initial=1))


# -- what a stem asks ----------------------------------------------------------------------

_SOLUTION_RE = re.compile(
    r"\bsolution\s*:\s*(?P<ask>.+?)\s*(?:does\s+(?:this|the\s+solution)\s+meet\s+the\s+goals?\b.*)?\Z",
    re.IGNORECASE | re.DOTALL,
)
#: :data:`_SOLUTION_RE` up to where its ask starts (:func:`_series_ask`)
_SOLUTION_HEAD_RE = re.compile(r"\bsolution\s*:\s*", re.IGNORECASE)
#: the closing question of a series item in lower case, as :data:`_SOLUTION_RE` ends
_DOES_RE = re.compile(r"does\s+(?:this|the\s+solution)\s+meet\s+the\s+goals?\b")
_PARAGRAPH_RE = re.compile(r"\n[ \t]*\n")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=\S)")
#: a stem has a case text in front of its ask when the rest holds at least this many words
CASE_WORDS = 40
#: a stem this long with no paragraphs: its last sentence is the ask
LONG_STEM_WORDS = 80


def _solution(plain: str) -> str | None:
    """The ask of ``_SOLUTION_RE.search(plain)``, or None.

    In an ASCII text the pattern can only start where "solution" is written in some case (no
    other character folds to those letters) with only whitespace between it and a colon. So
    each colon, in order, is looked back from: past the whitespace in front of it, the eight
    characters there lower-cased must be "solution", and the pattern's head
    (:data:`_SOLUTION_HEAD_RE`) is tried there with ``match``, which still sees the character
    before, for ``\\b``. A place where the head matches has exactly one such colon, and a
    later place a later colon ("solution" cannot overlap itself), so the first match is the
    one ``search`` finds. The case-insensitive search gets no literal prefix to skip ahead
    with and cost ≈ 35 µs per 1,000-character stem, lower-casing a case text and finding
    "solution" in it ≈ 2 µs; the result is the same (tests/test_dedup_keys.py,
    tests/test_dedup_classify_asks.py).
    """
    if not plain.isascii():
        found = _SOLUTION_RE.search(plain)
        return None if found is None else found.group("ask")
    colon = plain.find(":")
    while colon >= 0:
        at = colon
        while at and plain[at - 1].isspace():
            at -= 1
        at -= 8
        if at >= 0 and plain[at : at + 8].lower() == "solution":
            head = _SOLUTION_HEAD_RE.match(plain, at)
            if head is not None:
                if head.end() < len(plain):
                    return _series_ask(plain, plain.lower(), head.end())
                # nothing after the head: the pattern backtracks into its whitespace, or fails
                found = _SOLUTION_RE.match(plain, at)
                if found is not None:
                    return found.group("ask")
        colon = plain.find(":", colon + 1)
    return None


def _series_ask(plain: str, lower: str, start: int) -> str:
    """The ``ask`` group of ``_SOLUTION_RE.match(plain, at)`` in an ASCII text whose head
    (``\\bsolution\\s*:\\s*``, :data:`_SOLUTION_HEAD_RE`) matched at ``at`` up to ``start``,
    with a character after it (``start < len(plain)``); ``lower`` is ``plain.lower()``.

    The pattern's lazy ``.+?`` tries its tail at every character of the ask (≈ 5 µs for a
    90-character solution); this finds the same end without trying it everywhere. Why it is
    the same: with a character after the head the match cannot fail (``.+?`` may take
    everything, DOTALL, then ``\\s*\\Z``), so the head's greedy ``\\s*`` keeps all its
    whitespace and the ask starts at ``start``. It ends at the first ``e > start`` where the
    tail ``\\s*(?:does … goals?\\b.*)?\\Z`` matches: where only whitespace lies between
    ``e`` and either the text's end or a place ``p`` where :data:`_DOES_RE` matches (``.*``
    then takes the rest). For the first such ``p`` after ``start`` the smallest ``e`` is the
    start of the whitespace in front of ``p``, at least ``start + 1``; a later ``p``, or the
    text's end, gives a larger one (the non-whitespace at ``p`` lies between). In ASCII,
    "does" in any case is "does" in ``lower`` (same positions), and ``\\s`` is what
    ``str.isspace`` and ``str.rstrip`` take."""
    p = lower.find("does", start + 1)
    while p >= 0:
        if _DOES_RE.match(lower, p) is not None:
            end = p
            while end > start + 1 and plain[end - 1].isspace():
                end -= 1
            return plain[start:end]
        p = lower.find("does", p + 1)
    return plain[start : max(len(plain.rstrip()), start + 1)]


def ask(plain: str) -> tuple[str, str] | None:
    """What a long stem asks, apart from the scenario in front of it: ``("series", the
    proposed solution)`` for a series item ("Solution: …. Does this meet the goal?"),
    ``("case", the last paragraph)`` for a case text followed by a short ask, or None when the
    stem is the ask (short stems, one paragraph)."""
    # the searches are skipped when they cannot match (most stems): the solution pattern needs
    # a colon and, in an ASCII text, the letters of "solution" in some case; a paragraph
    # break needs a line break
    if ":" in plain:
        found = _solution(plain)
        if found is not None:
            return "series", found
    text = plain.strip()
    parts = _PARAGRAPH_RE.split(text) if "\n" in text else [text]
    if len(parts) < 2:
        if text.count(" ") < LONG_STEM_WORDS:
            return None
        parts = _SENTENCE_END_RE.split(text)
        if len(parts) < 2:
            return None
    last = parts[-1]
    # the scenario needs ``need`` words (space-separated, as counted here) or more: its parts
    # are counted only until that many are found (the sums only grow: the same answer), not
    # all spaces of a 3,000-character case text (≈ 3 µs)
    need = max(CASE_WORDS, 2 * (last.count(" ") + 1))
    context_words = 0
    for i in range(len(parts) - 1):
        context_words += parts[i].count(" ") + 1
        if context_words >= need:
            return "case", last
    return None


def term_words(plain: str) -> frozenset[str]:
    """Lower-cased words written as names: capitalised away from the start of a sentence
    ("Oracle", "Premium"), with capitals inside ("MySQL", "AKS") or letters and digits mixed
    ("S3", "P1"). A swap of such a word is a swap of a product, service or proper name."""
    out = set()
    for m in (_WORD_ASCII_RE if plain.isascii() else _WORD_RE).finditer(plain):
        w = m.group()
        if len(w) < 2 or w.islower() or w.isdigit():
            continue
        inner = any(c.isupper() for c in w[1:]) or (
            any(c.isdigit() for c in w) and any(c.isalpha() for c in w)
        )
        if not inner:
            # the last character before the word that is not a space, quote, bracket or
            # emphasis mark: what ``plain[:start].rstrip(_LEAD)[-1]`` is, without copying
            # the text in front of every capitalised word
            at = m.start() - 1
            while at >= 0 and plain[at] in _LEAD:
                at -= 1
            if at < 0 or plain[at] in ".?!:\n":
                continue  # capitalised only because a sentence starts here
        out.add(w.lower())
    return frozenset(out)


#: what may stand between a sentence's end and its first word (:func:`term_words`)
_LEAD = frozenset(" \t\"'“‘(*_")


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


#: a line of a stem this long is looked up among the lines :func:`stem_keys` has already
#: split and sorted (a shared scenario or case text); shorter lines are split afresh
REPEAT_CHARS = 200


def stem_keys(plains: Sequence[str]) -> list[str]:
    """``[stem_key(p) for p in plains]``, reusing the sorted words of long lines that repeat.

    Real banks repeat long paragraphs: the items of a series share their scenario and differ
    in the "Solution: …" line, the questions of a case study share the case text (in the
    real-style bench a third of all words). A stem of ``2 * REPEAT_CHARS`` characters or
    more with line breaks is split into lines; each line of :data:`REPEAT_CHARS` characters
    or more that occurs more than once among these stems is split and sorted once, and its
    sorted words kept (in a dict local to the call, keyed by the line's text) until its
    last use; a stem's words are these sorted runs plus the words of its other lines, sorted
    once more: ``list.sort`` (Timsort) finds the already-sorted runs and merges them,
    instead of sorting every word again. Lines that occur once are not kept (a bank of long
    distinct stems would otherwise hold every word of them at once). Every other stem takes
    :func:`stem_key`.

    Why the keys are the same: ``default_process`` maps each character to one character on
    its own (lower case, anything not alphanumeric to a space) and trims the ends, so the
    words of a text are the words of its lines, one after another, whatever the characters
    at a line's ends (checked for every code point, e.g. "İ", whose Python lower case is two
    characters: ``default_process`` makes it one; ``tests/test_dedup_keys.py``). So the
    lists sorted here hold the same words as ``default_process(plain).split()``, as often;
    and sorting a list of strings (a total order: code points) gives the one sorted sequence
    of its words, whatever order they came in: equal words are equal strings, so neither
    Timsort's runs nor its stability change the joined key. The cut at
    :data:`MAX_KEY_CHARS` is :func:`stem_key`'s, on the same joined key.
    """
    keys: list[str] = []
    add = keys.append
    least = 2 * REPEAT_CHARS
    later: list[tuple[int, list[str]]] = []  # (index, lines) of the stems done below
    for plain in plains:
        if len(plain) < least or "\n" not in plain:
            add(stem_key(plain))
        else:
            later.append((len(keys), plain.split("\n")))
            add("")
    if not later:
        return keys
    # how often each long line is still to be used: kept while it is more than once
    left = Counter([line for _, lines in later for line in lines if len(line) >= REPEAT_CHARS])
    seen: dict[str, list[str]] = {}
    for i, lines in later:
        words: list[str] = []
        short: list[str] = []
        for line in lines:
            if len(line) < REPEAT_CHARS:
                short.append(line)
                continue
            uses = left[line]
            left[line] = uses - 1
            known = seen.pop(line, None) if uses == 1 else seen.get(line)
            if known is None:
                known = default_process(line).split()
                known.sort()
                if uses > 1:
                    seen[line] = known
            words += known
        if short:
            words += default_process("\n".join(short)).split()
        words.sort()
        key = " ".join(words)
        keys[i] = key if len(key) <= MAX_KEY_CHARS else sort_key(key)
    return keys


def numbers(text: str) -> tuple[str, ...]:
    """The numbers of a text as a sorted multiset (thousands separators dropped)."""
    found = (_NUMBER_ASCII_RE if text.isascii() else _NUMBER_RE).findall(text)
    return tuple(sorted([n.replace(",", "") for n in found])) if found else ()


def qualifiers(text: str, normalised: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(negation words as a sorted multiset, qualifier words as a sorted set)."""
    return qualifier_words(text, normalised.split())


def qualifier_words(text: str, words: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """:func:`qualifiers` from the normalised text's words (``normalise(text).split()``,
    which is ``default_process(text).split()``: the engine skips the join and the second
    split). Words are filtered only when one of them is a guard word, and contractions are
    searched only when the text has an apostrophe (the pattern needs one): same result."""
    if _GUARD_WORDS.isdisjoint(words):
        neg: list[str] = []
        qual: tuple[str, ...] = ()
    else:
        neg = [w for w in words if w in NEGATIONS]
        qual = tuple(sorted({w for w in words if w in QUALIFIERS}))
    if "'" in text or "’" in text:
        neg += ["not"] * len(_CONTRACTION_RE.findall(text))
    return tuple(sorted(neg)), qual


def word_changes(before: str, after: str, limit: int = 20) -> list[str]:
    """What changed from ``before`` to ``after``, word by word: ``24 → 25``,
    ``"NOT" inserted``, ``"first" removed``. Words only moved are not listed; case is
    ignored. An empty list means the words are the same (maybe in another order)."""
    return changes_between(split_words(before), split_words(after), limit)


def split_words(text: str) -> Words:
    """(words as written, lower-cased words) of a plain text."""
    words = written_words(text)
    return words, [w.lower() for w in words]


def written_words(text: str) -> list[str]:
    """The words of a plain text as written (the first half of :func:`split_words`)."""
    return (_WORD_ASCII_RE if text.isascii() else _WORD_RE).findall(text)


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
    ``after``. The alignment is rapidfuzz's Levenshtein opcodes over the lower-cased words
    (≈ 2 µs, ten times faster than difflib: a 100,000-question scan describes tens of
    thousands of pairs); neighbouring edits form one change, and words only moved are not
    changes. The words are aligned as :func:`word_codes` strings (:func:`code_spans`)."""
    al, bl = before[1][:MAX_WORDS], after[1][:MAX_WORDS]
    # codes of this pair alone: one character per distinct lower-cased word
    index = {w: chr(i) for i, w in enumerate(dict.fromkeys([*al, *bl]))}
    code = index.__getitem__
    return code_spans(before[0], "".join(map(code, al)), after[0], "".join(map(code, bl)))


class WordCodes(dict[str, str]):
    """One character per distinct lower-cased word, shared by the texts compared with each
    other: a written word maps to the code of its lower-cased form (a dict lookup in C per
    word once the word has been seen). Equal codes mean equal lower-cased words."""

    __slots__ = ("lowered",)

    def __init__(self) -> None:
        super().__init__()
        self.lowered: dict[str, str] = {}

    def __missing__(self, word: str) -> str:
        low = word.lower()
        code = self.lowered.get(low)
        if code is None:
            # chr() ends at 0x10FFFF: past 1,114,112 distinct words this raises ValueError
            # (:meth:`Item.codes <qbank.validate.dedup.classify.Item.codes>` then falls back
            # to codes per pair; one pair has at most 2 × MAX_WORDS words)
            code = self.lowered[low] = chr(len(self.lowered))
        self[word] = code
        return code

    def encode(self, words: list[str]) -> str:
        """The words (as written) as one code string: one character per word."""
        return "".join(map(self.__getitem__, words))


def code_spans(a: list[str], ca: str, b: list[str], cb: str) -> list[tuple[list[str], list[str]]]:
    """:func:`change_spans` of the words ``a`` and ``b`` (as written) given their codes from
    one :class:`WordCodes` (the codes of all the words, or of the first :data:`MAX_WORDS`:
    only those are aligned, and when they are equal the result is empty either way).

    Why it gives the same spans as aligning the lower-cased word lists: the codes are a
    one-to-one image of the lower-cased words (one character each, the same character for
    the same word), and the alignment, the joining of neighbouring edits and the counting of
    moved words only ever compare words for equality. Aligning a string is ≈ 2.5× faster in
    rapidfuzz than a list of strings (no hashing of each word per call), and the opcodes are
    read as plain tuples. ``tests/test_dedup.py`` compares it with the list version.
    """
    if ca == cb:
        return []
    # the alignment is quadratic in the number of words: describe huge stems by their start
    if len(ca) > MAX_WORDS or len(cb) > MAX_WORDS:
        ca, cb = ca[:MAX_WORDS], cb[:MAX_WORDS]
    # neighbouring edits form one change: "heart failure → asthma", not two
    blocks: list[list[int]] = []
    joined = False
    ops = cast("list[tuple[str, int, int, int, int]]", Levenshtein.opcodes(ca, cb).as_list())
    for tag, src_start, src_end, dest_start, dest_end in ops:
        if tag == "equal":
            joined = False
        elif joined:
            block = blocks[-1]
            block[1], block[3] = src_end, dest_end
        else:
            blocks.append([src_start, src_end, dest_start, dest_end])
            joined = True
    # a word removed in one place and inserted in another only moved: not a change. Most
    # pairs (a number or a name swapped) have no word on both sides: the counting is skipped
    # then, which gives the same spans (nothing is ever taken from an empty count)
    if len(blocks) == 1:
        s0, s1, d0, d1 = blocks[0]
        out_codes, in_codes = ca[s0:s1], cb[d0:d1]
    else:
        out_codes = "".join([ca[s0:s1] for s0, s1, _, _ in blocks])
        in_codes = "".join([cb[d0:d1] for _, _, d0, d1 in blocks])
    common = set(out_codes).intersection(in_codes) if out_codes and in_codes else None
    if not common:
        # a block always removes or inserts a word: each is one span
        return [(a[s0:s1], b[d0:d1]) for s0, s1, d0, d1 in blocks]
    # the moved words: each word on both sides, as often as it is on the side where it is
    # rarer (``Counter(removed) & Counter(inserted)``); each side uses its count up in order
    out_left = {c: min(out_codes.count(c), in_codes.count(c)) for c in common}
    in_left = dict(out_left)
    spans: list[tuple[list[str], list[str]]] = []
    for s0, s1, d0, d1 in blocks:
        removed = _not_moved(a, ca, s0, s1, out_left)
        added = _not_moved(b, cb, d0, d1, in_left)
        if removed or added:
            spans.append((removed, added))
    return spans


def _not_moved(
    words: list[str], codes: str, start: int, end: int, left: dict[str, int]
) -> list[str]:
    """The words of ``words[start:end]`` that did not move: a word whose code still has a
    count in ``left`` (moved words still to use up on this side) uses one up instead.

    Each code's count is used up by its first occurrences in the span, whatever the other
    codes do; so the occurrences to leave out are found per code with ``str.find`` (a few
    moved words, found in C) instead of looking at every word of the span in Python, and
    the words between them are kept: the same words (tests/test_dedup_classify_asks.py)."""
    drop: list[int] = []
    for code, count in left.items():
        if count:
            at = codes.find(code, start, end)
            while at >= 0:
                drop.append(at)
                count -= 1
                if not count:
                    break
                at = codes.find(code, at + 1, end)
            left[code] = count
    if not drop:
        return words[start:end]
    drop.sort()
    kept: list[str] = []
    for at in drop:
        kept += words[start:at]
        start = at + 1
    kept += words[start:end]
    return kept


def is_slip(removed: list[str], added: list[str]) -> bool:
    """Whether a change is a typing slip or a split/joined word ("autmate" for "automate",
    "Hyper V" for "Hyper-V"), not another word: the letters are nearly the same. Short
    all-capital names (AKS/EKS) are never slips."""
    old, new = "".join(removed).lower(), "".join(added).lower()
    if old == new:
        return True
    if not old or not new:
        return False
    # the letters first (C, and most changes that are not slips fail it): the edit distance
    # is at least the difference in length; then the words (the same answer: both must hold)
    bound = max(1, min(len(old), len(new)) // 4)
    if abs(len(old) - len(new)) > bound or OSA.distance(old, new, score_cutoff=bound) > bound:
        return False
    return not any(len(w) <= 4 and w.isupper() for w in (*removed, *added))
