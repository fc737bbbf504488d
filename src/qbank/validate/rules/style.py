"""QB4xx — item-writing lint: warnings about questions that test-wise learners can game.

Based on the item-writing guidelines of Haladyna, Downing & Rodriguez (2002, "A review of
multiple-choice item-writing guidelines") and the NBME item-writing guide. These are
warnings, not errors: each has a rationale in its rule doc, and a project that disagrees
turns one off with ``lint: {ignore: [QB403]}`` or a question with ``# qbank: disable=QB403``.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from qbank.diagnostics import Problem, Related, Rule, Severity, problem, register
from qbank.markup import is_plain, parse, to_text
from qbank.model import CHOICE_CLASSES, Essay, Multi, Single
from qbank.validate.rules.answers import locate_in_value, locate_word, normalise

if TYPE_CHECKING:
    from qbank.model import AnyQuestion
    from qbank.validate.context import Context

FAMILY = "QB4"
W = Severity.WARNING

#: QB403: the key is "clearly longest" when it is this many times as long as the longest
#: distractor *and* at least LONGEST_MIN_EXTRA characters longer (so 3 vs 5 chars is fine)
LONGEST_RATIO = 1.5
LONGEST_MIN_EXTRA = 10
#: QB405: pinned single-choice questions needed before position bias is judged, and the
#: z-score (observed vs expected count of keys at one position) that counts as biased
BIAS_MIN_QUESTIONS = 6
BIAS_MIN_Z = 3.0
BIAS_MIN_RATIO = 1.5
#: QB406: questions of one type in one topic needed before option counts are compared
OPTION_COUNT_MIN_GROUP = 3
#: QB407: words of visible stem text (images count by their alt text)
STEM_MAX_WORDS = 100

_ABOVE = re.compile(
    r"\b(?:all|none|both|neither)\s+(?:of\s+)?(?:the\s+)?(?:above|below)\b", re.IGNORECASE
)
_NEGATIVE = re.compile(r"\b(not|except)\b", re.IGNORECASE)


def _holds(text: str, word: str, other: str) -> bool:
    """Whether ``text`` holds one of the lower-case words in any case: a cheap test that
    ``_ABOVE`` (``above``, ``below``) or ``_NEGATIVE`` (``not``, ``except``) can match,
    before running it (a case-insensitive pattern scans the whole text slowly).

    Exact as a pre-test: every character Python's ``re.IGNORECASE`` matches with one of the
    letters of these words lowers (``str.lower``) to that letter (``tests/test_style.py``
    checks all of Unicode), so a text a pattern matches holds the word after ``lower()``.
    """
    low = text.lower()
    return word in low or other in low  # two words: no generator for ``any``


#: where a sentence ends: after ``.``, ``!`` or ``?`` and whitespace, before more text (the
#: definition; :func:`_question_sentence` finds the same breaks with the reversed patterns)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")
#: a break mark and the whitespace after it, in the reversed text
_BREAK_REV = re.compile(r"\s[.!?]")
_QUESTION_BREAK_REV = re.compile(r"\s\?")
_NON_SPACE = re.compile(r"\S")

_KINESIS = """\
id: kinesis-retention
type: single
text: What is the default retention period of a Kinesis data stream?
explanation: 24 hours by default; up to 365 days at extra cost.
options:
  - text: 24 hours
    correct: true
  - 7 days
  - 365 days
"""

register(
    Rule(
        "QB401",
        "missing-explanation",
        W,
        "The question has no `explanation`.",
        rationale="Explanations turn a wrong answer into learning: Anki shows them on the back "
        "of the card, the web quiz after each answer and the answer key next to the letter. "
        "Reviewers also check the key against them.",
        failing=_KINESIS.replace(
            "explanation: 24 hours by default; up to 365 days at extra cost.\n", ""
        ),
        passing=_KINESIS,
    )
)
register(
    Rule(
        "QB402",
        "above-option-shuffled",
        W,
        'An option says "all/none of the above" while the options are shuffled.',
        rationale='"Above" depends on the order, and `shuffle: true` (the default) lets any tool '
        "that shuffles (an LMS, an Anki add-on, a web player) move the option. qbank's own draws "
        'keep such an option last, but "all of the above" is a flaw anyway: a learner who '
        "spots two right options picks it without knowing the third. Rewrite the option, or "
        "pin the order with `shuffle: false`.",
        failing=_KINESIS.replace("  - 365 days\n", "  - None of the above\n"),
        passing=_KINESIS,
    )
)
register(
    Rule(
        "QB403",
        "correct-option-longest",
        W,
        f"The correct option of a `single` question is clearly the longest (at least "
        f"{LONGEST_RATIO}× the longest wrong option and {LONGEST_MIN_EXTRA}+ characters longer).",
        rationale="Authors qualify the right answer until it is unarguable, so the longest "
        "option is right more often than chance, and test-wise learners know it. Length is "
        "measured in characters of the option as written, spaces collapsed; questions with "
        f"fewer than 3 options are not checked. The margin ({LONGEST_RATIO}× and "
        f"{LONGEST_MIN_EXTRA} characters) keeps short keys such as `24 hours` vs `7 days` quiet.",
        failing=_KINESIS.replace(
            "  - text: 24 hours\n",
            "  - text: 24 hours, extendable to 365 days at extra cost\n",
        ),
        passing=_KINESIS,
    )
)
register(
    Rule(
        "QB404",
        "negative-stem",
        W,
        "The question sentence of a choice question uses NOT or EXCEPT without emphasis.",
        rationale="Learners skim past a lower-case negation and answer the opposite question. "
        "Prefer a positive stem; when a negative is needed, write it in capitals (`NOT`) or "
        "bold (`**not**`). Only the sentence that asks the question is checked (the one ending "
        "in `?`, else the last), so a negation in the scenario is fine.",
        failing="id: vpc-feature\ntype: single\ntext: Which of these is not a security feature "
        "of a VPC?\nexplanation: IAM is account-wide.\noptions:\n  - text: IAM roles\n"
        "    correct: true\n  - Security groups\n  - Network ACLs\n",
        passing="id: vpc-feature\ntype: single\ntext: Which of these is NOT a security feature "
        "of a VPC?\nexplanation: IAM is account-wide.\noptions:\n  - text: IAM roles\n"
        "    correct: true\n  - Security groups\n  - Network ACLs\n",
    )
)


def _pinned(i: int, key: int) -> str:
    stems = [
        "Which port does HTTPS listen on by default?",
        "SSH servers accept connections on which TCP port unless configured otherwise?",
        "A plain HTTP web server without TLS normally uses which port?",
        "DNS resolvers answer queries on which well-known port?",
        "Mail transfer agents relay email over SMTP on which port?",
        "Windows Remote Desktop Protocol listens on which port by default?",
    ]
    answers = [("443", "8443", "4443"), ("22", "2222", "21"), ("80", "8080", "8000")]
    answers += [("53", "67", "123"), ("25", "110", "143"), ("3389", "5900", "5901")]
    opts = list(answers[i])
    right = opts.pop(0)
    opts.insert(key, right)
    lines = [f"  - id: port-{i}", "    type: single", f"    text: {stems[i]}", "    shuffle: false"]
    lines += [f"    explanation: Port {right}.", "    options:"]
    for j, o in enumerate(opts):
        lines += (
            [f'      - text: "{o}"', "        correct: true"] if j == key else [f'      - "{o}"']
        )
    return "\n".join(lines) + "\n"


register(
    Rule(
        "QB405",
        "answer-position-bias",
        W,
        "Across questions with pinned options (`shuffle: false`), one position holds the key "
        "far more often than chance.",
        rationale="Authors favour the middle positions for the key (B and C), and learners who "
        "know it guess there. Shuffled questions are immune; pinned ones are compared with what "
        f"chance gives (1/k for k options). Judged once at least {BIAS_MIN_QUESTIONS} pinned "
        f"single-choice questions exist: a position is biased when its key count is at least "
        f"{BIAS_MIN_RATIO}× the expected count and {BIAS_MIN_Z:g} standard deviations above it.",
        failing="questions:\n" + "".join(_pinned(i, 1) for i in range(6)),
        passing="questions:\n" + "".join(_pinned(i, i % 3) for i in range(6)),
    )
)


def _topic_item(i: int, n: int) -> str:
    names = ["S3", "EBS", "EFS", "FSx", "Glacier"]
    stems = [
        "Which service stores objects?",
        "Which service gives block volumes?",
        "Which service gives a shared NFS file system?",
    ]
    lines = [f"  - id: storage-{i}", "    type: single", f"    text: {stems[i]}"]
    lines += [f"    explanation: {names[i]}.", "    options:"]
    lines += [f"      - text: {names[i]}", "        correct: true"]
    lines += [f"      - {x}" for x in [x for x in names if x != names[i]][: n - 1]]
    return "\n".join(lines) + "\n"


register(
    Rule(
        "QB406",
        "inconsistent-option-count",
        W,
        "A choice question has a different number of options from most questions of its type "
        "in the same topic.",
        rationale="Guessing odds change with the option count (1 in 3 vs 1 in 5), so scores in "
        "one topic stop being comparable, and an odd one out often lost a distractor by mistake. "
        f"Compared per topic and type (`single`, `multi`) once {OPTION_COUNT_MIN_GROUP} or more "
        "such questions exist and a strict majority share one count.",
        failing='topic: "1.1"\nquestions:\n'
        + _topic_item(0, 4)
        + _topic_item(1, 4)
        + _topic_item(2, 3),
        passing='topic: "1.1"\nquestions:\n'
        + _topic_item(0, 4)
        + _topic_item(1, 4)
        + _topic_item(2, 4),
    )
)

_LONG_STEM = " ".join(
    ["A team stores raw data in Amazon S3 and trains models on it every night."] * 8
    + ["Which storage class fits?"]
)
register(
    Rule(
        "QB407",
        "stem-too-long",
        W,
        f"The question text has more than {STEM_MAX_WORDS} words (essays are not checked).",
        rationale="Long stems test reading speed rather than knowledge and are hard to show on "
        "a card or a phone. Move background into a shorter scenario, or split the question. "
        "Words are counted in the visible text (markup removed, images by their alt text).",
        failing=f"id: storage-class\ntype: short\ntext: >-\n  {_LONG_STEM}\n"
        "answers: [S3 Standard]\nexplanation: Data read every night stays in S3 Standard.\n",
        passing="id: storage-class\ntype: short\ntext: Data in S3 is read every night. Which "
        "storage class fits?\nanswers: [S3 Standard]\n"
        "explanation: Data read every night stays in S3 Standard.\n",
    )
)


# -- checks ----------------------------------------------------------------------------------


def check(ctx: Context) -> Iterator[Problem]:
    questions = ctx.bank.questions
    for q in ctx.questions:  # in pull-request mode: the changed ones
        yield from check_question(q)
    yield from _position_bias(questions)
    yield from _option_counts(questions)


def check_question(q: AnyQuestion) -> Iterator[Problem]:
    """The per-question warnings (QB401-QB404, QB407)."""
    if not (q.explanation or "").strip():
        yield problem(
            "QB401",
            "no explanation",
            q.loc("id"),
            hint="add `explanation:` saying why the answer is right",
            question_id=q.id,
        )
    if isinstance(q, CHOICE_CLASSES):
        options = q.options
        texts = [o.text for o in options]
        # one pre-test for all the options: any option a pattern matches holds its word
        if q.shuffle and _holds("\n".join(texts), "above", "below"):
            for i, o in enumerate(options):
                # the slow pattern only on the options that hold the word themselves
                m = _ABOVE.search(o.text) if _holds(o.text, "above", "below") else None
                if m:
                    yield problem(
                        "QB402",
                        f"option {i + 1} says `{m.group(0)}` but the options are shuffled",
                        locate_in_value(q, ("options", i, "text"), m.group(0)),
                        hint="name the options it refers to, or set `shuffle: false`",
                        question_id=q.id,
                        fingerprint=f"QB402:{q.id}:{normalise(o.text)}",
                    )
        if isinstance(q, Single) and len(options) >= 3:
            found = _longest_correct(q, texts)
            if found is not None:
                yield found
        found = _negative_stem(q)
        if found is not None:
            yield found
    if not isinstance(q, Essay):
        found = _long_stem(q)
        if found is not None:
            yield found


def _longest_correct(q: Single, texts: list[str] | None = None) -> Problem | None:
    """QB403 (questions of 3 or more options; ``texts``: their texts, when at hand).

    Lengths are of the texts with white space collapsed (``" ".join(text.split())``), which
    is never longer than the text. So the key's raw length bounds its length from above and
    any one wrong option's length bounds the longest wrong one from below: when the key's
    raw length is not "clearly longest" against one wrong option (the longest as typed), the
    key is not either, and the other options are never collapsed. Both conditions only get
    harder as the key shrinks or the longest wrong option grows, so the shortcut gives the
    answer of the full computation (``tests/test_rules_fast_paths.py`` compares them). A key
    of fewer than LONGEST_MIN_EXTRA characters is never that much longer than anything.
    """
    options = q.options
    correct = [i for i, o in enumerate(options) if o.correct]  # ``q.correct_indices``
    if len(correct) != 1:
        return None
    key = correct[0]
    if texts is None:
        texts = [o.text for o in options]
    key_raw = len(texts[key])  # >= the key's collapsed length
    if key_raw < LONGEST_MIN_EXTRA:
        return None
    wrong = texts[:key] + texts[key + 1 :]
    some_wrong = len(" ".join(max(wrong, key=len).split()))  # <= the longest wrong one's
    if key_raw < LONGEST_RATIO * some_wrong or key_raw - some_wrong < LONGEST_MIN_EXTRA:
        return None
    lengths = [len(" ".join(o.text.split())) for o in options]
    longest_wrong = max(lengths[:key] + lengths[key + 1 :])  # every option but the key
    if lengths[key] >= LONGEST_RATIO * longest_wrong and (
        lengths[key] - longest_wrong >= LONGEST_MIN_EXTRA
    ):
        return problem(
            "QB403",
            f"the correct option is the longest by far ({lengths[key]} characters; the longest "
            f"wrong option has {longest_wrong})",
            q.loc("options", key, "text"),
            hint="shorten the key or make the distractors as specific as the key",
            question_id=q.id,
        )
    return None


def _question_sentence(text: str) -> tuple[int, str]:
    """(offset, sentence) of the sentence that asks: the last one ending in `?`, else the last.

    Sentences end at ``.``, ``!`` or ``?`` followed by whitespace and more text (a break: the
    next sentence starts at that text). The asking sentence is the last one, or the one
    before the last break after a ``?``, so it is found from the end of the text without
    splitting a 700-word case study into sentences: a break is a ``?``/``.``/``!`` whose next
    character is whitespace with text after it, searched in the reversed text (linear, one
    regex search each). ``tests/test_style.py`` compares it with the splitting definition
    (``_SENTENCE_END``) on generated texts and every text of the benchmark banks.
    """
    n = len(text)
    end = n  # the text ends at ``end`` once trailing whitespace is left out
    while end and text[end - 1].isspace():
        end -= 1
    if not end:
        return 0, ""
    backwards = text[::-1]  # text[i] is backwards[n - 1 - i]
    # a break mark at i has text after its whitespace: i <= end - 2, from n - end backwards
    last_break = _break_before(backwards, n, n - end)
    if text[end - 1] == "?":  # the last sentence asks
        start = _sentence_start(text, last_break)
        return start, text[start:].strip()
    m = _QUESTION_BREAK_REV.search(backwards, n - end)
    if m is None:  # no sentence asks: the last one
        start = _sentence_start(text, last_break)
        return start, text[start:].strip()
    mark = n - m.end()  # the `?` that ends the asking sentence
    start = _sentence_start(text, _break_before(backwards, n, n - mark))
    return start, text[start : _sentence_start(text, mark)].strip()


def _break_before(backwards: str, n: int, from_rev: int) -> int:
    """Index (in the text) of the last break mark found searching ``backwards`` (the reversed
    text) from ``from_rev`` on, or -1."""
    m = _BREAK_REV.search(backwards, from_rev)
    return -1 if m is None else n - m.end()


def _sentence_start(text: str, mark: int) -> int:
    """Where the sentence after the break at ``mark`` starts (0 for no break, ``mark=-1``)."""
    if mark < 0:
        return 0
    m = _NON_SPACE.search(text, mark + 1)
    assert m is not None  # a break has text after its whitespace
    return m.start()


def _negative_stem(q: Single | Multi) -> Problem | None:
    """QB404 for the first lower-case NOT/EXCEPT in the asking sentence.

    Only that sentence is searched (and only when it holds the word in some case, see
    :func:`_holds`): a match there is a match in the whole text at the same place (the
    sentence is bounded by whitespace or the text's ends, so the ``\b`` of the pattern
    agree), so the result is the one of searching the whole text first. The sentence is
    looked for only when the whole text holds the word: ``lower()`` maps character by
    character (but for the final sigma, in none of these words), so the lowered sentence
    is a part of the lowered text wherever it holds one.
    """
    if not _holds(q.text, "not", "except"):
        return None  # nor does the asking sentence, a part of the text (most stems)
    offset, sentence = _question_sentence(q.text)
    if not _holds(sentence, "not", "except"):
        return None
    for m in _NEGATIVE.finditer(sentence):
        word = m.group(0)
        before = sentence[m.start() - 1 : m.start()]
        after = sentence[m.end() : m.end() + 1]
        if word.isupper() or (before in "*_" and before and after == before):
            continue
        return problem(
            "QB404",
            f"negative stem: `{word}` is easy to miss",
            locate_word(q, ("text",), q.text, offset + m.start()),
            hint=f"write `{word.upper()}` or `**{word}**`, or ask the question positively",
            question_id=q.id,
        )
    return None


def _long_stem(q: AnyQuestion) -> Problem | None:
    """QB407. More than N words take at least 2N + 1 characters: shorter texts never reach
    the markup parser. A text that is not plain is counted as rendered, never by its raw
    words: rendering can add words (``a&nbsp;b`` is two words, so is a table row ``|a|b|``),
    so a raw count below N proves nothing in general.

    Most stems are counted without splitting them: an ASCII text that is plain
    (:func:`~qbank.markup.is_plain`) or made of plain paragraphs and lone images
    (:attr:`~qbank.markup.Markup.paragraphs`: a stem, its case study, its exhibit). Each
    such paragraph (an image's alt text) is one line with no control character and no white
    space at either end, so in ASCII the space is its only white space and its visible words
    are at most its spaces + 1, exactly that many without a double space; the text is its
    paragraphs joined by blank lines (an optional final newline), and an image paragraph's
    spaces are all in its alt text (its source has none), so the text's spaces are the
    paragraphs' spaces. Hence the text has at most ``text.count(" ") + paragraphs`` words,
    exactly that many without a double space: a text within N by that bound is let go before
    looking for a double space, one without a double space is counted by it, and one with a
    double space is split. ``tests/test_rules_fast_paths.py`` compares the bound and the
    count with the split of the visible text on generated texts and the bench banks.
    """
    text = q.text
    if len(text) <= 2 * STEM_MAX_WORDS:
        return None
    words = 0
    if text.isascii():
        if is_plain(text):
            parts = 1
        else:
            # a text that is not plain is parsed by ``to_text`` anyway (cached)
            paragraphs = parse(text).paragraphs
            parts = 0 if paragraphs is None else len(paragraphs)
        if parts:
            most = text.count(" ") + parts  # at most this many words, see above
            if most <= STEM_MAX_WORDS:
                return None
            if "  " not in text:
                words = most
    if not words:
        words = len(to_text(text).split())
    if words > STEM_MAX_WORDS:
        return problem(
            "QB407",
            f"the question text has {words} words (more than {STEM_MAX_WORDS})",
            q.loc("text"),
            hint="shorten the scenario, or split it into several questions",
            question_id=q.id,
        )
    return None


def _position_bias(questions: list[AnyQuestion]) -> Iterator[Problem]:
    """Compare key positions of pinned single-choice questions with chance (1/k each)."""
    pinned = [
        q
        for q in questions
        if isinstance(q, Single) and not q.shuffle and len(q.correct_indices) == 1
    ]
    if len(pinned) < BIAS_MIN_QUESTIONS:
        return
    width = max(len(q.options) for q in pinned)
    observed = [0] * width
    expected = [0.0] * width
    variance = [0.0] * width
    at: dict[int, list[Single]] = defaultdict(list)
    for q in pinned:
        k = len(q.options)
        key = q.correct_indices[0]
        observed[key] += 1
        at[key].append(q)
        for pos in range(k):
            expected[pos] += 1 / k
            variance[pos] += (1 / k) * (1 - 1 / k)
    for pos in range(width):
        if variance[pos] <= 0:
            continue
        z = (observed[pos] - expected[pos]) / math.sqrt(variance[pos])
        if z >= BIAS_MIN_Z and observed[pos] >= BIAS_MIN_RATIO * expected[pos]:
            letter = chr(ord("A") + pos)
            first, *rest = at[pos]
            yield problem(
                "QB405",
                f"{observed[pos]} of {len(pinned)} questions with pinned options have the key "
                f"in position {letter}; chance would give about {expected[pos]:.1f}",
                first.loc("options", first.correct_indices[0], "correct"),
                hint="move some keys to other positions, or let the options shuffle "
                "(remove `shuffle: false`)",
                related=tuple(
                    Related(q.loc("options", q.correct_indices[0], "correct"), f"key in {letter}")
                    for q in rest[:20]
                ),
                fingerprint=f"QB405:{letter}",
                data={
                    "position": letter,
                    "observed": observed[pos],
                    "expected": round(expected[pos], 2),
                    "z": round(z, 2),
                    "questions": len(pinned),
                },
            )


def _option_counts(questions: list[AnyQuestion]) -> Iterator[Problem]:
    groups: dict[tuple[str, str], list[Single | Multi]] = defaultdict(list)
    for q in questions:
        if isinstance(q, CHOICE_CLASSES) and q.topic is not None:
            groups[(q.topic, q.type)].append(q)
    for (topic, qtype), group in sorted(groups.items()):
        if len(group) < OPTION_COUNT_MIN_GROUP:
            continue
        counts: dict[int, int] = defaultdict(int)
        for q in group:
            counts[len(q.options)] += 1
        usual, n = max(sorted(counts.items()), key=lambda kv: kv[1])
        if n * 2 <= len(group) or len(counts) == 1:
            continue
        for q in group:
            if len(q.options) != usual:
                yield problem(
                    "QB406",
                    f"{len(q.options)} options, but {n} of the {len(group)} `{qtype}` questions "
                    f"in topic {topic} have {usual}",
                    q.loc("options", key=True),
                    hint=f"use {usual} options, or accept the difference with "
                    "`# qbank: disable=QB406`",
                    question_id=q.id,
                )
