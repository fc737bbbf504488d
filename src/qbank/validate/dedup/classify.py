"""Which rule a verified pair breaks: QB301 (near-duplicate), QB302 (the same stem with a
contradictory key) or QB303 (similar stem, but a guard says it may be intended).

Guards downgrade, never hide: a different number or negation/qualifier word, or clearly
different options, make a pair a QB303 warning. The per-question data they need
(:class:`Item`) is computed lazily, because only questions that are in some pair need it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz
from rapidfuzz.distance import Postfix, Prefix
from rapidfuzz.utils import default_process

from qbank.diagnostics import Location
from qbank.validate.dedup.finding import Finding, describe
from qbank.validate.dedup.text import (
    MAX_WORDS,
    NEGATIONS,
    QUALIFIERS,
    WordCodes,
    Words,
    ask,
    change_spans,
    code_spans,
    is_slip,
    normalise,
    numbers,
    plain_text,
    qualifier_words,
    render_changes,
    term_words,
    written_words,
)

if TYPE_CHECKING:
    from qbank.model import AnyQuestion

#: options whose token-set similarity is below this are "clearly different" (QB303)
OPTIONS_ALIKE = 80
#: two stems with at least this many characters in all compare the numbers of their changed
#: words (:func:`_numbers_differ`), shorter ones their own numbers, computed once per
#: question: a short stem's numbers cost about as much as one pair's changed words, and a
#: question is in more than one pair (measured on the real-style and synthetic benches:
#: 1,500-character case texts ≈ 12 µs a stem against ≈ 2 µs a pair)
NUMBERS_FROM_CHANGES = 1000


@dataclass(frozen=True)
class AnswerOptions:
    """A question's answer options, normalised, with the key when the type has one.

    ``correct`` is None for options without a key (order items, match pairs)."""

    texts: tuple[str, ...]
    correct: tuple[bool, ...] | None


def answer_options(question: AnyQuestion) -> AnswerOptions | None:
    """Options compared by the "options differ" guard and the conflicting-key rule."""
    t = question.type
    if t in ("single", "multi"):
        opts = question.options  # type: ignore[union-attr]
        return AnswerOptions(
            tuple(normalise(plain_text(o.text)) for o in opts), tuple(o.correct for o in opts)
        )
    if t == "truefalse":
        answer = bool(question.answer)  # type: ignore[union-attr]
        return AnswerOptions(("true", "false"), (answer, not answer))
    if t == "order":
        items = question.items  # type: ignore[union-attr]
        return AnswerOptions(tuple(normalise(plain_text(i)) for i in items), None)
    if t == "match":
        pairs = question.pairs  # type: ignore[union-attr]
        return AnswerOptions(tuple(normalise(plain_text(f"{a} {b}")) for a, b in pairs), None)
    return None


@dataclass(frozen=True, slots=True)
class Keys:
    """An item's keyed options, computed once for all its pairs.

    ``right``: each correct option's normalised text (options without words left out) with
    its display text, in option order, the first display text when a text repeats;
    ``right_texts`` its texts; ``unmarked``: :func:`_unmarked` of the options (empty for
    options without a key). The rules compare only texts with words: an empty text is never
    in ``unmarked``, so leaving empty correct texts out of ``right`` changes no result.
    """

    right: dict[str, str]
    right_texts: frozenset[str]
    unmarked: frozenset[str]


@dataclass(slots=True)
class Item:
    """Per-question data, computed once (options and guards only for questions in a pair).

    ``vocab`` is the :class:`~qbank.validate.dedup.text.WordCodes` shared by the items of one
    run (:func:`qbank.validate.dedup.prepare`): each item's words are coded once and every
    pair it is in aligns the codes (:func:`~qbank.validate.dedup.text.code_spans`). Items
    without one (or from another run) align their words per pair, with the same result.
    """

    question: AnyQuestion
    plain: str
    key: str
    vocab: WordCodes | None = None
    _written: list[str] | None = None
    _codes: str | None = None
    _numbers: tuple[str, ...] | None = None
    _qualifiers: tuple[tuple[str, ...], tuple[str, ...]] | None = None
    _options: AnswerOptions | None = None
    _options_done: bool = False
    _location: Location | None = None
    _words: Words | None = None
    _terms: frozenset[str] | None = None
    _cased: frozenset[str] | None = None
    _ask: tuple[str, str] | None = None
    _ask_done: bool = False
    _shown: Sequence[str] | None = None
    _keys: Keys | None = None
    _options_text: str | None = None
    _ask_written: list[str] | None = None
    _ask_codes: str | None = None
    _ask_key: str | None = None
    _ask_size: tuple[int, int] | None = None

    @property
    def shown_options(self) -> Sequence[str]:
        """The options' plain text as a message quotes them (``true``/``false`` for a
        true/false question); read only for keyed types."""
        if self._shown is None:
            q = self.question
            if q.type == "truefalse":
                self._shown = ("true", "false")
            else:
                self._shown = [plain_text(o.text) for o in q.options]  # type: ignore[union-attr]
        return self._shown

    @property
    def terms(self) -> frozenset[str]:
        if self._terms is None:
            self._terms = term_words(self.plain)
        return self._terms

    @property
    def cased(self) -> frozenset[str]:
        """A superset of :attr:`terms`, cheaper to compute: the lower-cased words of the stem
        that :func:`~qbank.validate.dedup.text.term_words` looks at further (two characters
        or more, not all lower case, not all digits; ``term_words`` reads the same words, by
        the same pattern, and keeps a subset of these)."""
        if self._cased is None:
            written = self.written
            self._cased = frozenset(
                [w.lower() for w in written if not w.islower() and len(w) > 1 and not w.isdigit()]
            )
        return self._cased

    @property
    def ask(self) -> tuple[str, str] | None:
        if not self._ask_done:
            self._ask = ask(self.plain)
            self._ask_done = True
        return self._ask

    @property
    def ask_written(self) -> list[str]:
        """The words of :attr:`ask`'s text as written (a stem with an ask only)."""
        if self._ask_written is None:
            self._ask_written = written_words(self.ask[1])  # type: ignore[index]
        return self._ask_written

    @property
    def ask_codes(self) -> str | None:
        """:attr:`ask_written` coded by :attr:`vocab` (as :attr:`codes`), or None."""
        if self._ask_codes is None:
            self._ask_codes = self._encoded(self.ask_written)
        return self._ask_codes

    @property
    def ask_key(self) -> str:
        """The sort key of :attr:`ask`'s text (a stem with an ask only)."""
        if self._ask_key is None:
            self._ask_key = " ".join(sorted(normalise(self.ask[1]).split()))  # type: ignore[index]
        return self._ask_key

    @property
    def ask_size(self) -> tuple[int, int]:
        """The number of aligned words of :attr:`ask_written` (the first :data:`MAX_WORDS`)
        and their characters lower-cased (what :func:`_sizes_differ` compares)."""
        if self._ask_size is None:
            words = self.ask_written[:MAX_WORDS]
            self._ask_size = len(words), len("".join(words).lower())
        return self._ask_size

    @property
    def written(self) -> list[str]:
        """The stem's words as written (the first half of :attr:`words`)."""
        if self._written is None:
            self._written = written_words(self.plain)
        return self._written

    @property
    def words(self) -> Words:
        if self._words is None:
            written = self.written
            self._words = written, [w.lower() for w in written]
        return self._words

    @property
    def codes(self) -> str | None:
        """The first :data:`MAX_WORDS` words coded by :attr:`vocab`, or None without one."""
        if self._codes is None:
            self._codes = self._encoded(self.written)
        return self._codes

    def _encoded(self, written: list[str]) -> str | None:
        """The first :data:`MAX_WORDS` of ``written`` coded by :attr:`vocab`; None without
        one, or when it has run out of codes (over a million distinct words: such pairs are
        aligned per pair instead)."""
        if self.vocab is None:
            return None
        try:
            return self.vocab.encode(written[:MAX_WORDS])
        except ValueError:
            return None

    @property
    def numbers(self) -> tuple[str, ...]:
        if self._numbers is None:
            self._numbers = numbers(self.plain)
        return self._numbers

    @property
    def qualifiers(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if self._qualifiers is None:
            # normalise(plain).split() without the join and the second split
            self._qualifiers = qualifier_words(self.plain, default_process(self.plain).split())
        return self._qualifiers

    @property
    def options(self) -> AnswerOptions | None:
        """:func:`answer_options`; for choice questions built from :attr:`shown_options`
        (the options' plain text, which ``answer_options`` normalises): one markdown pass
        per option instead of two."""
        if not self._options_done:
            q = self.question
            if q.type in ("single", "multi"):
                self._options = AnswerOptions(
                    tuple(map(normalise, self.shown_options)),
                    tuple(o.correct for o in q.options),
                )
            else:
                self._options = answer_options(q)
            self._options_done = True
        return self._options

    @property
    def options_text(self) -> str:
        """The sorted option texts as :func:`options_similarity` joins them (options
        required)."""
        if self._options_text is None:
            self._options_text = " | ".join(sorted(self.options.texts))  # type: ignore[union-attr]
        return self._options_text

    @property
    def keys(self) -> Keys:
        """The keyed options as the key rules read them (:class:`Keys`)."""
        if self._keys is None:
            right: dict[str, str] = {}
            unmarked: set[str] = set()
            opts = self.options
            if opts is not None and opts.correct is not None:
                for text, correct, raw in zip(
                    opts.texts, opts.correct, self.shown_options, strict=True
                ):
                    if correct:
                        if text:
                            right.setdefault(text, raw)
                    elif text:
                        unmarked.add(text)
                unmarked.difference_update(right)
            self._keys = Keys(right, frozenset(right), frozenset(unmarked))
        return self._keys

    @property
    def location(self) -> Location:
        if self._location is None:
            self._location = self.question.loc("text")
        return self._location

    def id_location(self) -> Location:
        """Where the question's ``id`` line is, found in the file's text without composing
        the file's YAML again (pull-request mode names untouched questions this way: a
        100,000-question bank would otherwise be composed again just to print line numbers);
        the ``text`` location when the id line is not found exactly once."""
        if self._location is not None:
            return self._location
        src = self.question.source_file
        if src is not None and src.text:
            text, qid = src.text, self.question.id
            pattern = re.compile(
                rf"[ \t]*(?:-[ \t]+)?id:[ \t]*(?:{re.escape(qid)}|\"{re.escape(qid)}\"|"
                rf"'{re.escape(qid)}')[ \t]*(?:#.*)?"
            )
            found: list[int] = []
            at = text.find(qid)
            while at >= 0:  # only lines holding the id are looked at
                start = text.rfind("\n", 0, at) + 1
                stop = text.find("\n", at)
                stop = len(text) if stop < 0 else stop
                if pattern.fullmatch(text, start, stop) and (not found or found[-1] != start):
                    found.append(start)
                at = text.find(qid, stop)
            if len(found) == 1:
                start = found[0]
                stop = text.find("\n", start)
                first = text[start : len(text) if stop < 0 else stop]
                line = text.count("\n", 0, start) + 1
                col = len(first) - len(first.lstrip(" \t-"))
                return Location(src.rel, line, col + 1)
        return self.location


def classify(
    a: Item,
    b: Item,
    score: float,
    threshold: float = 85,
    *,
    quick_other: bool = False,
    asks_checked: bool = False,
) -> Finding | None:
    """The finding for a verified pair, reported on ``b`` (the newer question), or None when
    the two are different questions that only share their scenario: series items proposing
    different solutions, or case-study asks that differ.

    Judged as an exam author would: a stem that differs in a number, a negation/qualifier or
    a name (product, service, proper noun) is a sibling (QB303, at most); two questions whose
    keys differ without contradicting each other are siblings (QB303); QB302 only when the
    stems ask the same thing and one's key is offered, unmarked, in the other; QB301 when the
    stems ask the same thing and the options and keys agree.

    ``asks_checked`` says the caller has already found :func:`different_asks` false for
    this pair (the engine asks before it reads any location), so it is not asked twice.
    """
    if not asks_checked and different_asks(a, b, threshold):
        return None
    spans = _spans(a, b)
    changes = tuple(render_changes(spans))
    rule, reason, detail = "QB301", "", ""
    similarity: float | None = None
    # the guards in order, each computed only when the ones before it did not decide (the
    # qualifier test reads the changed words first: most pairs change no guard word, and
    # then neither stem's qualifiers are needed)
    swapped = None
    if _numbers_differ(a, b, spans):
        rule, reason, detail = "QB303", "number", f"a number differs: {describe(changes)}"
    elif _qualifier_changed(spans) and a.qualifiers != b.qualifiers:
        rule, reason = "QB303", "qualifier"
        detail = f"a negation or qualifier differs: {describe(changes)}"
    elif (swapped := _swap(spans, a, b)) is not None:
        rule, reason, detail = "QB303", "term", f"a name differs: {swapped}"
    else:
        conflict = _conflict(a, b)
        if conflict is not None:
            rule, detail = "QB302", conflict
            reason = "answer" if a.question.type == "numeric" else "key"
        elif _comparable(a.options) and _comparable(b.options):
            # options_similarity of the two, with each item's joined texts computed once
            similarity = fuzz.token_set_ratio(a.options_text, b.options_text)
            if similarity < OPTIONS_ALIKE:
                rule, reason = "QB303", "options"
                detail = f"the options differ (option similarity {similarity:.0f})"
            else:
                keys = _other_keys(a, b)
                if keys is not None:
                    rule, reason, detail = "QB303", "keys", keys
    return Finding(
        rule,
        b.question,
        a.question,
        score,
        changes,
        reason,
        detail,
        similarity,
        b.location,
        a.id_location() if quick_other else a.location,
    )


def _spans(a: Item, b: Item) -> list[tuple[list[str], list[str]]]:
    """:func:`change_spans` of two items' words: their codes when they share a vocabulary."""
    if a.vocab is not None and a.vocab is b.vocab:
        if a._written is None and b._written is None:
            _share_words(a, b)
        ca, cb = a.codes, b.codes
        if ca is not None and cb is not None:
            return code_spans(a.written, ca, b.written, cb)
    return change_spans(a.words, b.words)


def _share_words(a: Item, b: Item) -> None:
    """Set :attr:`Item.written` and :attr:`Item.codes` of two items whose words are not read
    yet, reading the text the two stems share at their start and at their end once.

    The stems of a finding are near-duplicates: on the real-style bench 99 % of their
    characters are a common start and end. Each text is cut at two spaces: the last one in
    the common start, and the first one in the common end (when it lies after the first
    cut in both texts; else only the first cut is made). A word never holds a space, and the
    word pattern has no look-around, so a text's words are the words of its pieces one
    after the other; the first and last pieces are the same in both texts, and are read
    once. The ASCII pattern is what the Unicode one finds in an ASCII piece
    (:func:`~qbank.validate.dedup.text.written_words`). The codes are the pieces' codes
    joined (:meth:`WordCodes.encode` codes word by word), when both texts have at most
    :data:`MAX_WORDS` words (else :attr:`Item.codes` codes the first ones as before); the
    vocabulary may give other code points than coding each text whole would (words are
    seen in another order), but equal words still get equal codes, which is all the
    alignment compares (:func:`~qbank.validate.dedup.text.code_spans`).
    ``tests/test_dedup_classify_asks.py`` compares the words with the whole texts' words."""
    x, y = a.plain, b.plain
    cut = max(x.rfind(" ", 0, Prefix.similarity(x, y)), 0)
    end_x, end_y = len(x), len(y)
    tail = Postfix.similarity(x, y)
    if tail:
        at = x.find(" ", end_x - tail)
        if at >= cut and at - end_x + end_y >= cut:
            end_x, end_y = at, at - end_x + end_y
    head, last = written_words(x[:cut]), written_words(x[end_x:])
    middle_x, middle_y = written_words(x[cut:end_x]), written_words(y[cut:end_y])
    a._written = [*head, *middle_x, *last]
    b._written = [*head, *middle_y, *last]
    vocab = a.vocab
    if vocab is None or len(a._written) > MAX_WORDS or len(b._written) > MAX_WORDS:
        return
    try:
        codes_head, codes_last = vocab.encode(head), vocab.encode(last)
        a._codes = codes_head + vocab.encode(middle_x) + codes_last
        b._codes = codes_head + vocab.encode(middle_y) + codes_last
    except ValueError:  # out of code points: Item.codes says so (None) when asked
        return


def _ask_spans(a: Item, b: Item) -> list[tuple[list[str], list[str]]]:
    """:func:`change_spans` of two items' ask texts (as :func:`_spans` for the stems)."""
    if a.vocab is not None and a.vocab is b.vocab:
        ca, cb = a.ask_codes, b.ask_codes
        if ca is not None and cb is not None:
            return code_spans(a.ask_written, ca, b.ask_written, cb)
    written_a, written_b = a.ask_written, b.ask_written
    return change_spans(
        (written_a, [w.lower() for w in written_a]), (written_b, [w.lower() for w in written_b])
    )


def different_asks(a: Item, b: Item, threshold: float) -> bool:
    """Whether two stems share a scenario but ask different things: series items whose
    proposed solutions differ in more than slips, or case texts followed by different asks."""
    ask_a, ask_b = a.ask, b.ask
    if ask_a is None or ask_b is None or ask_a[0] != ask_b[0]:
        return False
    # each item's ask words, codes and key are computed once for all its pairs
    if ask_a[0] == "series":
        if _sizes_differ(a.ask_size, b.ask_size):
            return True  # some change is no slip, whatever the alignment
        spans = _ask_spans(a, b)
        return any(not is_slip(removed, added) for removed, added in spans)
    return fuzz.ratio(a.ask_key, b.ask_key) < threshold


def _sizes_differ(size_a: tuple[int, int], size_b: tuple[int, int]) -> bool:
    """Whether two series asks, of ``(words, characters)`` each (:attr:`Item.ask_size`),
    differ in too many characters for every change between them to be a typing slip: then
    :func:`different_asks` is true without aligning their words (on the real-style bench
    45 % of the series pairs, different solutions of one scenario).

    Why: say every change is a slip (:func:`~qbank.validate.dedup.text.is_slip`). A slip
    removes and inserts words (an empty side is no slip), so there are at most ``n = min(words
    of a, words of b)`` changes, and the letters of each differ in length by at most their
    edit distance, at most ``max(1, m // 4) ≤ 1 + m / 4`` (``m`` the shorter side's length).
    All removed words together are ``a``'s words minus ``b``'s (a multiset: the words the
    alignment matches, and those that only moved, are on both sides), the inserted ones
    ``b``'s minus ``a``'s; so their lengths differ by exactly the asks' difference ``d``
    (lower-casing is done character by character: lengths add up), and the shorter sides
    hold at most ``min(characters)`` in all. Hence ``d ≤ n + min(characters) / 4``; when
    ``4 d`` is larger than ``4 n + min(characters)``, some change is no slip.
    ``tests/test_dedup_classify_asks.py`` compares the decision with the alignment's."""
    (words_a, chars_a), (words_b, chars_b) = size_a, size_b
    return 4 * abs(chars_a - chars_b) > 4 * min(words_a, words_b) + min(chars_a, chars_b)


def _qualifier_changed(spans: list[tuple[list[str], list[str]]]) -> bool:
    """Whether a negation or qualifier word is removed or inserted by a change that is not a
    typing slip ("cannot" typed "cnanot" is still the same question). A change's words are
    read before it is asked whether it is a slip (the same answer: both must hold), so most
    changes, which hold no such word, are never compared letter by letter."""
    for removed, added in spans:
        for w in (*removed, *added):
            low = w.lower()
            if low in NEGATIONS or low in QUALIFIERS or low.endswith(("n't", "n’t")):
                if not is_slip(removed, added):
                    return True
                break
    return False


def _swap(spans: list[tuple[list[str], list[str]]], a: Item, b: Item) -> str | None:
    """The first change that swaps a name ("Oracle → MySQL", "Premium → Standard"), or None.

    A change swaps a name when a word written as a name (:func:`term_words`) is removed or
    inserted and the change is not a slip of the keyboard (asked first: it is cheaper than
    a stem's :attr:`Item.cased` words, measured on both benches)."""
    for removed, added in spans:
        if (
            removed
            and added
            and not is_slip(removed, added)
            and (_names(removed, a) or _names(added, b))
        ):
            return f"{' '.join(removed)} → {' '.join(added)}"
    return None


def _names(words: list[str], item: Item) -> bool:
    """Whether one of ``words`` (words of ``item``'s stem) is one of its :attr:`Item.terms`.

    :attr:`Item.cased` (a superset of the terms) is asked first: a changed word that is
    written in lower case everywhere in the stem (most are) is no name, and the stem's terms
    are then never computed."""
    cased = item.cased
    return any((low := w.lower()) in cased and low in item.terms for w in words)


def _numbers_differ(a: Item, b: Item, spans: list[tuple[list[str], list[str]]]) -> bool:
    """``a.numbers != b.numbers``, read from the changed words when all words were aligned.

    Why it is the same: every number of a stem lies inside one of its words (a number's
    digits, and the ``,``/``.`` between its digits, are word characters or join words), so a
    stem's numbers are the union of its words' numbers; and a word's numbers do not depend
    on its case. When every word of both stems is aligned (at most
    :data:`~qbank.validate.dedup.text.MAX_WORDS` each), the words of ``a`` minus the words
    of ``b`` (as multisets, case ignored) are the removed minus the inserted words of the
    spans (a moved word is on both sides, and is left out of both). So the stems' numbers
    are equal exactly when the removed and the inserted words have the same numbers. Longer
    stems, and short ones (:data:`NUMBERS_FROM_CHANGES`), compare their per-question numbers.
    ``tests/test_dedup_classify.py`` compares both on generated stems and on the bench banks.
    """
    if (
        (a._numbers is not None and b._numbers is not None)
        or len(a.plain) + len(b.plain) < NUMBERS_FROM_CHANGES
        or len(a.written) > MAX_WORDS
        or len(b.written) > MAX_WORDS
    ):
        return a.numbers != b.numbers
    if not spans:
        return False
    removed = " ".join([w for words, _ in spans for w in words])
    added = " ".join([w for _, words in spans for w in words])
    return numbers(removed) != numbers(added)


def _other_keys(a: Item, b: Item) -> str | None:
    """Why two keys differ without contradicting each other, or None when they agree.

    Called after the conflict check: the keys differ and neither question offers the other's
    correct option unmarked, so each is right for its own options (an author's variant).
    A text is quoted as ``a`` shows it when ``a`` marks it correct, else as ``b`` does."""
    keys_a, keys_b = a.keys, b.keys
    right_a, right_b = keys_a.right_texts, keys_b.right_texts
    if not right_a or not right_b or _same_texts(right_a, right_b):
        return None
    shown = {**keys_b.right, **keys_a.right}
    here = ", ".join(_quote(shown[t]) for t in sorted(right_b - right_a) or sorted(right_b))
    there = ", ".join(_quote(shown[t]) for t in sorted(right_a - right_b) or sorted(right_a))
    return f"the correct answers differ ({here} here, {there} there)"


def _same_texts(x: AbstractSet[str], y: AbstractSet[str]) -> bool:
    """Whether two sets of normalised option texts are the same up to typing slips."""
    if x == y:
        return True
    if len(x) != len(y):
        return False
    left = sorted(x - y)
    right = sorted(y - x)
    return all(any(fuzz.ratio(t, u) >= 90 for u in right) for t in left) and all(
        any(fuzz.ratio(t, u) >= 90 for u in left) for t in right
    )


def options_similarity(a: AnswerOptions, b: AnswerOptions) -> float:
    """Token-set similarity of the sorted option texts (order and repeats do not matter)."""
    return fuzz.token_set_ratio(" | ".join(sorted(a.texts)), " | ".join(sorted(b.texts)))


def _conflict(a: Item, b: Item) -> str | None:
    """Why ``b``'s key contradicts ``a``'s, or None (the tight rule of notes/dedup.md §9)."""
    qa, qb = a.question, b.question
    if qa.type == "numeric" and qb.type == "numeric":
        ra, rb = qa.tolerance_bounds(), qb.tolerance_bounds()
        unit_a = (qa.unit or "").strip().lower()
        unit_b = (qb.unit or "").strip().lower()
        if ra and rb and unit_a == unit_b and (ra[1] < rb[0] or rb[1] < ra[0]):
            return f"the answer here is {qb.answer}, there {qa.answer}"
        return None
    oa, ob = a.options, b.options
    if oa is None or ob is None or oa.correct is None or ob.correct is None:
        return None
    # an option listed twice, once marked and once not, is QB2's business, not a conflict
    # (Keys.unmarked is _unmarked of the options; Keys.right keeps the first display text of
    # each correct text, which is the option the loop over all options would stop at)
    keys_a, keys_b = a.keys, b.keys
    wrong_a = keys_a.unmarked
    wrong_b = keys_b.unmarked
    for text, raw in keys_b.right.items():
        if text in wrong_a:
            return f"the correct option here, {_quote(raw)}, is a wrong option there"
    for text, raw in keys_a.right.items():
        if text in wrong_b:
            return f"its correct option {_quote(raw)} is a wrong option here"
    return None


def _unmarked(options: AnswerOptions) -> set[str]:
    """Texts offered only as wrong options (an option without words, such as an image without
    alt text, cannot be compared and never counts)."""
    keys = options.correct or ()
    right = {t for t, c in zip(options.texts, keys, strict=True) if c}
    return {t for t, c in zip(options.texts, keys, strict=True) if t and not c} - right


def _comparable(options: AnswerOptions | None) -> bool:
    """Options with some words in them (image-only options cannot be compared by text)."""
    return options is not None and any(options.texts)


def _quote(text: str, limit: int = 60) -> str:
    return "“" + (text if len(text) <= limit else text[: limit - 1] + "…") + "”"
