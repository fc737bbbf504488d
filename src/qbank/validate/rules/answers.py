"""QB2xx — answer keys: every question must be gradable, and graded the way its author meant.

A wrong key is the worst bug a question bank can ship: learners are marked wrong for a right
answer. These rules are errors. Each problem points at the exact node to fix (the second
``correct: true``, the empty blank, the tolerance) and carries ``question_id`` so a
``# qbank: disable=`` comment on the question can silence it.

The helpers at the top (:func:`value_span`, :func:`locate_in_value`) turn a character
offset *inside a YAML value* into a file position; the style and media families use them too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import yaml

from qbank.diagnostics import Location, Problem, Related, Rule, Severity, problem, register
from qbank.markup import find_blanks, replace_blanks, to_html
from qbank.model import (
    CHOICE_CLASSES,
    Cloze,
    Match,
    Multi,
    Numeric,
    Order,
    Short,
    Single,
    decimal_bounds_problem,
    parse_decimal,
)

if TYPE_CHECKING:
    from qbank.model import AnyQuestion
    from qbank.source import SourceFile
    from qbank.validate.context import Context

FAMILY = "QB2"
E = Severity.ERROR

# -- locating text inside a value --------------------------------------------------------------


def value_span(q: AnyQuestion, *path: int | str) -> tuple[SourceFile, int, int] | None:
    """The source file and the character range of the scalar at ``path`` in ``q``.

    Marks from libyaml count characters, so ``src.text[start:end]`` is the value as typed
    (with quotes or the ``>-`` indicator for quoted and block scalars).
    """
    src = q.source_file
    if src is None:
        return None
    # a question's path from its private attributes, as ``QuestionBase.loc`` reads it:
    # ``q._path`` goes through pydantic's ``__getattr__`` (several µs); a quiz's stand-in
    # in the media rules has a plain ``_path``
    private = getattr(q, "__pydantic_private__", None)
    own = private["_path"] if private is not None else q._path
    node, _ = src.node_at((*own, *path))
    if not isinstance(node, yaml.ScalarNode):
        return None
    return src, node.start_mark.index, node.end_mark.index


def _span_location(src: SourceFile, start: int, end: int) -> Location:
    a = src.offset_to_location(start)
    b = src.offset_to_location(end)
    return Location(src.rel, a.line, a.col, b.line, b.col)


def locate_in_value(
    q: AnyQuestion,
    path: Sequence[int | str],
    needle: str,
    occurrence: int = 0,
) -> Location:
    """Where the ``occurrence``-th copy of ``needle`` sits in the file, for a value at ``path``.

    Folding (``>-``) and line wrapping change where a word sits, never the order of words,
    so searching the raw source span finds the same occurrence the value has. Falls back to
    the value's start when the text cannot be found (escapes in quoted scalars).
    """
    span = value_span(q, *path)
    if span is None or not needle:
        return q.loc(*path)
    src, start, end = span
    pos = start - 1
    for _ in range(occurrence + 1):
        pos = src.text.find(needle, pos + 1, end)
        if pos < 0:
            return q.loc(*path)
    return _span_location(src, pos, pos + len(needle))


def locate_word(q: AnyQuestion, path: Sequence[int | str], value: str, offset: int) -> Location:
    """Location of the word starting at ``offset`` in ``value`` (a field's text)."""
    m = re.match(r"\S+", value[offset:])
    word = m.group(0) if m else value[offset : offset + 1]
    before = len(re.findall(re.escape(word), value[:offset]))
    return locate_in_value(q, path, word, before)


def _blanks_in_attributes(text: str, blanks: list[Any]) -> dict[int, str]:
    """Blanks (by index) that end up inside an HTML attribute — a link or image address, an
    image's alt text — or vanish when the text is rendered: what the exporters would lose."""
    if "](" not in text and "<" not in text and "[" not in text:
        return {}
    nonce = 0
    while f"qbankblank{nonce}n" in text:
        nonce += 1
    marks = {b.index: f"qbankblank{nonce}n{b.index}z" for b in blanks}
    rendered = to_html(replace_blanks(text, lambda b: marks[b.index]))
    out: dict[int, str] = {}
    for index, mark in marks.items():
        pos = rendered.find(mark)
        if pos < 0:
            out[index] = "markup that is not shown"
            continue
        opened, closed = rendered.rfind("<", 0, pos), rendered.rfind(">", 0, pos)
        if opened > closed:  # inside a tag: an attribute
            tag = rendered[opened : rendered.find(">", pos) + 1]
            if tag.startswith("<img"):
                out[index] = (
                    "an image's alt text"
                    if 'alt="' in tag[: pos - opened]
                    and (tag.rfind('alt="', 0, pos - opened) > tag.rfind('src="', 0, pos - opened))
                    else "an image's address"
                )
            elif tag.startswith("<a"):
                out[index] = "a link's address"
            else:
                out[index] = "an HTML attribute"
    return out


def _blank_location(q: AnyQuestion, index: int) -> Location:
    """The ``{{…}}`` of the blank number ``index`` (0-based) in a cloze text."""
    span = value_span(q, "text")
    if span is None:
        return q.loc("text")
    src, start, end = span
    raw = src.text[start:end]
    blanks = find_blanks(raw)
    if index < len(blanks):
        b = blanks[index]
        return _span_location(src, start + b.start, start + b.end)
    return q.loc("text")


# -- normalising answers ---------------------------------------------------------------------


def normalise(text: str, *, case_sensitive: bool = False) -> str:
    """Case- and space-insensitive form used to compare options and accepted answers."""
    collapsed = " ".join(text.split())
    return collapsed if case_sensitive else collapsed.casefold()


def word_count(text: str) -> int:
    """Words as a learner types them: runs of non-space characters."""
    return len(text.split())


# -- rule documentation ------------------------------------------------------------------------

_SINGLE_OK = """\
id: sg-stateful
type: single
text: Which VPC feature filters traffic at the instance level?
explanation: Security groups are attached to instances; network ACLs to subnets.
options:
  - text: Security groups
    correct: true
  - Network ACLs
  - Route tables
"""

register(
    Rule(
        "QB201",
        "single-correct-count",
        E,
        "A `single` question does not have exactly one option marked `correct: true`.",
        rationale="With no correct option nobody can score; with two, exporters disagree on "
        "which one counts (Anki shows one, a worksheet key lists both). Mark one option, or make "
        "the question `type: multi`.",
        failing=_SINGLE_OK.replace("  - Network ACLs", "  - text: Network ACLs\n    correct: true"),
        passing=_SINGLE_OK,
    )
)
register(
    Rule(
        "QB202",
        "multi-no-correct",
        E,
        "A `multi` question has no option marked `correct: true`.",
        rationale="A multiple-select question whose key is empty rewards leaving every box "
        "unticked. Mark the right options.",
        failing="id: vpc-features\ntype: multi\ntext: What are the security features of a VPC?\n"
        "explanation: NACLs and security groups.\noptions:\n  - Security groups\n"
        "  - Network ACLs\n  - IAM roles\n",
        passing="id: vpc-features\ntype: multi\ntext: What are the security features of a VPC?\n"
        "explanation: NACLs and security groups.\noptions:\n  - text: Security groups\n"
        "    correct: true\n  - text: Network ACLs\n    correct: true\n  - IAM roles\n",
    )
)
register(
    Rule(
        "QB203",
        "multi-all-correct",
        E,
        "Every option of a `multi` question is correct (set `allow_all_correct: true` if meant).",
        rationale="When all options are right, ticking everything always scores, so the "
        "question measures nothing. It is usually a missing wrong option or a forgotten "
        "`correct: false`. Set `allow_all_correct: true` when it is intended.",
        failing="id: iam-parts\ntype: multi\ntext: Which are IAM features?\n"
        "explanation: Users, groups and roles are all IAM.\noptions:\n"
        "  - text: Users\n    correct: true\n  - text: Groups\n    correct: true\n"
        "  - text: Roles\n    correct: true\n",
        passing="id: iam-parts\ntype: multi\ntext: Which are IAM features?\n"
        "explanation: Users, groups and roles are IAM; security groups belong to a VPC.\n"
        "options:\n  - text: Users\n    correct: true\n  - text: Groups\n    correct: true\n"
        "  - text: Roles\n    correct: true\n  - Security groups\n",
    )
)
register(
    Rule(
        "QB204",
        "duplicate-option",
        E,
        "Two options (or two `order` items) are the same after ignoring case and spacing.",
        rationale="A repeated option is a copy-paste slip: one copy is usually meant to be a "
        "different distractor, and if one copy is marked correct and the other not, the key "
        "contradicts itself.",
        failing=_SINGLE_OK.replace("  - Route tables", "  - network  ACLs"),
        passing=_SINGLE_OK,
    )
)

_CLOZE_OK = """\
id: nat-gateway
type: cloze
text: A {{NAT gateway|NAT}} lets private instances reach the internet.
max_words: 2
explanation: Outbound only; hosts on the internet cannot connect in.
"""

register(
    Rule(
        "QB205",
        "empty-answer",
        E,
        "A cloze blank, one of its alternatives, or a `short` accepted answer is empty.",
        rationale="An empty alternative (`{{NAT||gateway}}`, a trailing `|`) accepts an empty "
        "response, so a learner who types nothing is marked right.",
        failing=_CLOZE_OK.replace("{{NAT gateway|NAT}}", "{{NAT gateway|}}"),
        passing=_CLOZE_OK,
    )
)
register(
    Rule(
        "QB206",
        "duplicate-answer",
        E,
        "Two accepted answers of one blank (or one `short` question) are the same after "
        "ignoring spacing, and case unless `case_sensitive: true`.",
        rationale="A repeated alternative is a slip that usually hides the variant the author "
        "meant to accept (`NAT|nat` where `NAT gateway` was meant).",
        failing=_CLOZE_OK.replace("{{NAT gateway|NAT}}", "{{NAT gateway|nat  Gateway}}"),
        passing=_CLOZE_OK,
    )
)
register(
    Rule(
        "QB207",
        "answer-too-long",
        E,
        "An accepted answer has more words than `max_words` allows (words are runs of "
        "non-space characters).",
        rationale='The quiz shows "4 words left" and stops input at `max_words`: an accepted '
        "answer longer than that can never be typed, so the learner cannot give it.",
        failing=_CLOZE_OK.replace("{{NAT gateway|NAT}}", "{{network address translation gateway}}"),
        passing=_CLOZE_OK,
    )
)
register(
    Rule(
        "QB208",
        "cloze-no-blank",
        E,
        "A `cloze` question has no blank `{{answer}}` in its text.",
        rationale="Without a blank there is nothing to fill in, and exporters cannot build a "
        "cloze card. Mark the answer in the text with `{{…}}`.",
        failing=_CLOZE_OK.replace("{{NAT gateway|NAT}}", "NAT gateway"),
        passing=_CLOZE_OK,
    )
)
register(
    Rule(
        "QB209",
        "cloze-nested-blank",
        E,
        "A blank's answer contains `{{` (blanks cannot be nested).",
        rationale="A blank runs from `{{` to the first `}}`, so `{{a {{b}} c}}` is the answer "
        "`a {{b` followed by stray text. Anki mishandles nested clozes. Close the first blank "
        "before opening the next.",
        failing=_CLOZE_OK.replace("{{NAT gateway|NAT}}", "{{NAT {{gateway}}"),
        passing=_CLOZE_OK,
    )
)

_NUMERIC_OK = """\
id: shard-count
type: numeric
text: 3,000 records/s of 2 KB each; a shard takes 1 MB/s. How many shards are needed?
answer: 6
tolerance: "0"
unit: shards
explanation: 3,000 × 2 KB = 6 MB/s, so 6 shards.
"""

register(
    Rule(
        "QB210",
        "numeric-answer",
        E,
        "A `numeric` answer is not a decimal number (`6`, `0.75`, `-3e2`), or has more than "
        "30 digits or an exponent beyond ±100.",
        rationale="Answers are compared as exact decimals written with a decimal point. A comma "
        "(`9,81`, `1,000`), units or words (`6 shards`, `six`) cannot be compared: `9,81` "
        "may be a decimal comma or two numbers, `1,000` one thousand or one. Put the unit in "
        "`unit:`. Learners may type a decimal comma when the quiz's language uses one "
        "(`language: de`); the key stays `9.81`. `1e99999999` would make every exporter "
        "expand a number of a hundred million digits.",
        failing=_NUMERIC_OK.replace("answer: 6", "answer: 6 shards"),
        passing=_NUMERIC_OK,
    )
)
register(
    Rule(
        "QB211",
        "numeric-tolerance",
        E,
        "A `numeric` tolerance is not a non-negative decimal (absolute, `0.01`) or percentage "
        "(`2%`).",
        rationale="A negative or unreadable tolerance would make every answer wrong or be "
        "ignored differently by each exporter.",
        failing=_NUMERIC_OK.replace('tolerance: "0"', 'tolerance: "-1"'),
        passing=_NUMERIC_OK,
    )
)
register(
    Rule(
        "QB212",
        "too-few-items",
        E,
        "An `order` question has fewer than two items, or a `match` question fewer than two pairs.",
        rationale="With one item there is nothing to order or match: the question always scores.",
        failing="id: deploy-order\ntype: order\ntext: Order the calls to deploy a model.\n"
        "explanation: Create the model first.\nitems:\n  - CreateModel\n",
        passing="id: deploy-order\ntype: order\ntext: Order the calls to deploy a model.\n"
        "explanation: The model comes before its endpoint.\nitems:\n  - CreateModel\n"
        "  - CreateEndpoint\n",
    )
)
register(
    Rule(
        "QB213",
        "match-duplicate-side",
        E,
        "Two `match` pairs share a left-hand or a right-hand value.",
        rationale="A repeated left or right value makes two pairings equally right, so the key "
        "is ambiguous and exporters that grade by position disagree.",
        failing="id: sse-keys\ntype: match\ntext: Match each encryption option to its keys.\n"
        "explanation: Who manages the key.\npairs:\n  - [SSE-S3, S3 manages the keys]\n"
        "  - [SSE-KMS, S3 manages the keys]\n",
        passing="id: sse-keys\ntype: match\ntext: Match each encryption option to its keys.\n"
        "explanation: Who manages the key.\npairs:\n  - [SSE-S3, S3 manages the keys]\n"
        "  - [SSE-KMS, AWS KMS holds the keys]\n",
    )
)
register(
    Rule(
        "QB214",
        "points-not-positive",
        E,
        "`points` is zero or negative.",
        rationale="A question worth nothing silently drops out of every score; a negative one "
        "punishes the right answer. Remove the question from the quiz instead.",
        failing="id: iam-global\ntype: truefalse\ntext: IAM is a global service.\nanswer: true\n"
        "points: 0\nexplanation: IAM is not tied to a region.\n",
        passing="id: iam-global\ntype: truefalse\ntext: IAM is a global service.\nanswer: true\n"
        "points: 1\nexplanation: IAM is not tied to a region.\n",
    )
)


register(
    Rule(
        "QB215",
        "blank-in-link",
        E,
        "A cloze blank sits inside a link's address, an image's address or an image's alt "
        "text, where no target can show an input.",
        rationale="The web player cannot put an input into an attribute, so the blank is lost "
        "and the remaining blanks are graded by position (a right answer scored 0 %); in Anki "
        "the cloze breaks the attribute and shows markup on the card. Put the blank in the "
        "link's text instead.",
        failing='id: docs-url\ntype: cloze\ntext: "Read [the guide](https://docs.aws.amazon.com/'
        '{{iam}}/) first."\n',
        passing='id: docs-url\ntype: cloze\ntext: "Read the [{{IAM}} guide](https://docs.aws.'
        'amazon.com/iam/) first."\n',
    )
)


# -- checks ----------------------------------------------------------------------------------


def check(ctx: Context) -> Iterator[Problem]:
    for q in ctx.questions:  # in pull-request mode: the changed ones
        # most questions: no generators for a choice question with nothing to report
        if isinstance(q, CHOICE_CLASSES) and q.points > 0 and _choice_passes(q):
            continue
        yield from check_question(q)


def _choice_passes(q: Single | Multi) -> bool:
    """Whether :func:`check_question` finds nothing in a choice question worth points,
    tested in one pass over the options: a single-choice question with exactly one correct
    option, a multi one with at least one and (unless ``allow_all_correct``) not all
    (:func:`_single`, :func:`_multi`), and no two options alike (:func:`_duplicate_options`'
    keys, all different). ``tests/test_rules_fast_paths.py`` compares it with
    ``check_question`` on generated questions and the benchmark bank.
    """
    options = q.options
    correct = 0
    keys = []
    for o in options:
        if o.correct:
            correct += 1
        keys.append(normalise(o.text))
    if isinstance(q, Single):
        if correct != 1:
            return False
    elif not correct or (correct == len(options) and not q.allow_all_correct):
        return False
    return len(set(keys)) == len(keys)


def check_question(q: AnyQuestion) -> Iterator[Problem]:
    """Every answer-key problem of one question."""
    if q.points <= 0:
        yield problem(
            "QB214",
            f"points is {q.points}; a question must be worth at least 1 point",
            q.loc("points"),
            hint="set `points: 1` or more, or leave the question out of the quiz",
            question_id=q.id,
        )
    if isinstance(q, Single):
        yield from _single(q)
        yield from _duplicate_options(q, [o.text for o in q.options], "options", "text")
    elif isinstance(q, Multi):
        yield from _multi(q)
        yield from _duplicate_options(q, [o.text for o in q.options], "options", "text")
    elif isinstance(q, Cloze):
        yield from _cloze(q)
    elif isinstance(q, Short):
        yield from _short(q)
    elif isinstance(q, Numeric):
        yield from _numeric(q)
    elif isinstance(q, Order):
        if len(q.items) < 2:
            yield problem(
                "QB212",
                f"an order question needs at least 2 items, it has {len(q.items)}",
                q.loc("items"),
                hint="list the items in their correct order",
                question_id=q.id,
            )
        yield from _duplicate_options(q, list(q.items), "items", None)
    elif isinstance(q, Match):
        yield from _match(q)


def _single(q: Single) -> Iterator[Problem]:
    correct = q.correct_indices
    if not correct:
        yield problem(
            "QB201",
            "no option is marked `correct: true`; a single-choice question needs exactly one",
            q.loc("options", key=True),
            hint="add `correct: true` to the right option",
            question_id=q.id,
        )
    elif len(correct) > 1:
        shown = ", ".join(str(i + 1) for i in correct)
        first = correct[0]
        for i in correct[1:]:
            yield problem(
                "QB201",
                f"{len(correct)} options are marked correct ({shown}); a single-choice question "
                "has exactly one",
                q.loc("options", i, "correct"),
                hint="keep one `correct: true`, or change the question to `type: multi`",
                question_id=q.id,
                related=(Related(q.loc("options", first, "correct"), "first correct option"),),
                fingerprint=f"QB201:{q.id}:{i}",
            )


def _multi(q: Multi) -> Iterator[Problem]:
    correct = q.correct_indices
    if not correct:
        yield problem(
            "QB202",
            "no option is marked `correct: true`",
            q.loc("options", key=True),
            hint="add `correct: true` to each right option",
            question_id=q.id,
        )
    elif len(correct) == len(q.options) and not q.allow_all_correct:
        yield problem(
            "QB203",
            f"all {len(q.options)} options are correct, so ticking every box always scores",
            q.loc("options", key=True),
            hint="add a wrong option, or set `allow_all_correct: true` if this is intended",
            question_id=q.id,
        )


def _duplicate_options(
    q: AnyQuestion, texts: list[str], field: str, sub: str | None
) -> Iterator[Problem]:
    keys = list(map(normalise, texts))
    # most questions repeat nothing
    if len(set(keys)) == len(keys):
        return
    seen: dict[str, int] = {}
    kind = "option" if field == "options" else "item"
    for i, text in enumerate(texts):
        key = keys[i]
        if key in seen:
            j = seen[key]
            path: tuple[int | str, ...] = (field, i, sub) if sub else (field, i)
            first: tuple[int | str, ...] = (field, j, sub) if sub else (field, j)
            yield problem(
                "QB204",
                f"{kind} {i + 1} repeats {kind} {j + 1} (`{_short_text(text)}`)",
                q.loc(*path),
                hint=f"reword or remove one of the two {kind}s",
                question_id=q.id,
                related=(Related(q.loc(*first), f"{kind} {j + 1}"),),
                fingerprint=f"QB204:{q.id}:{key}",
            )
        else:
            seen[key] = i


def _short_text(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _answers(
    q: AnyQuestion,
    answers: Sequence[str],
    where: Callable[[int], Location],
    *,
    label: str,
    case_sensitive: bool,
    max_words: int | None,
    key: str,
) -> Iterator[Problem]:
    """Empty, duplicate and too-long checks shared by a cloze blank and a short question.

    ``where(i)`` locates answer ``i``; it is only called for a problem (locating a blank
    inside folded text costs more than checking it).
    """
    seen: dict[str, int] = {}
    for i, answer in enumerate(answers):
        if not answer.strip():
            yield problem(
                "QB205",
                f"{label}: accepted answer {i + 1} is empty, so an empty response is marked right",
                where(i),
                hint="remove the empty alternative (look for `||` or a trailing `|`)",
                question_id=q.id,
                fingerprint=f"QB205:{q.id}:{key}:{i}",
            )
            continue
        norm = normalise(answer, case_sensitive=case_sensitive)
        if norm in seen:
            yield problem(
                "QB206",
                f"{label}: accepted answer `{_short_text(answer)}` repeats answer {seen[norm] + 1}"
                + ("" if case_sensitive else " (case is ignored)"),
                where(i),
                hint="remove the repeat, or write the variant you meant to accept",
                question_id=q.id,
                fingerprint=f"QB206:{q.id}:{key}:{norm}",
            )
        else:
            seen[norm] = i
        if max_words is not None and max_words >= 1 and word_count(answer) > max_words:
            yield problem(
                "QB207",
                f"{label}: accepted answer `{_short_text(answer)}` has {word_count(answer)} words "
                f"but max_words is {max_words}, so it can never be typed",
                where(i),
                hint=f"raise `max_words` to {word_count(answer)} or shorten the answer",
                question_id=q.id,
                fingerprint=f"QB207:{q.id}:{key}:{normalise(answer)}",
            )


def _max_words_ok(q: Cloze | Short) -> Iterator[Problem]:
    if q.max_words is not None and q.max_words < 1:
        yield problem(
            "QB207",
            f"max_words is {q.max_words}; no answer fits",
            q.loc("max_words"),
            hint="set max_words to 1 or more, or remove it",
            question_id=q.id,
        )


def _cloze(q: Cloze) -> Iterator[Problem]:
    blanks = find_blanks(q.text)
    if not blanks:
        yield problem(
            "QB208",
            "the text has no blank; mark the answer with `{{…}}`",
            q.loc("text"),
            hint="e.g. `A {{NAT gateway|NAT}} lets …`; or use `type: short` for a typed answer",
            question_id=q.id,
        )
        return
    yield from _max_words_ok(q)
    hidden = _blanks_in_attributes(q.text, blanks)
    for blank in blanks:
        if blank.index in hidden:
            yield problem(
                "QB215",
                f"blank {blank.index + 1} is inside {hidden[blank.index]}: no quiz can show an "
                "input there",
                _blank_location(q, blank.index),
                hint="put the blank in the visible text, e.g. the link's text: "
                "`[the {{IAM}} guide](https://…)`",
                question_id=q.id,
            )

        def loc(_: int = 0, index: int = blank.index) -> Location:
            return _blank_location(q, index)

        label = f"blank {blank.index + 1}" if len(blanks) > 1 else "the blank"
        if any("{{" in a for a in blank.answers):
            yield problem(
                "QB209",
                f"{label} contains `{{{{`: blanks cannot be nested",
                loc(),
                hint="close the blank with `}}` before opening the next one",
                question_id=q.id,
                fingerprint=f"QB209:{q.id}:{blank.index}",
            )
            continue
        if all(not a.strip() for a in blank.answers):
            yield problem(
                "QB205",
                f"{label} is empty, so an empty response is marked right",
                loc(),
                hint="write the answer inside the braces: `{{answer}}`",
                question_id=q.id,
                fingerprint=f"QB205:{q.id}:{blank.index}",
            )
            continue
        yield from _answers(
            q,
            blank.answers,
            loc,
            label=label,
            case_sensitive=q.case_sensitive,
            max_words=q.max_words,
            key=str(blank.index),
        )


def _short(q: Short) -> Iterator[Problem]:
    yield from _max_words_ok(q)
    yield from _answers(
        q,
        q.answers,
        lambda i: q.loc("answers", i),
        label="answers",
        case_sensitive=q.case_sensitive,
        max_words=q.max_words,
        key="answers",
    )


_PERCENT = re.compile(r"^(?P<num>.*?)\s*%$")


def _clip(text: str, limit: int = 40) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _numeric(q: Numeric) -> Iterator[Problem]:
    bounds = decimal_bounds_problem(q.answer)
    if bounds is not None:
        yield problem(
            "QB210",
            f"answer `{_clip(q.answer)}` {bounds}",
            q.loc("answer"),
            hint="write the value with a sensible precision, e.g. `6.02e23`",
            question_id=q.id,
        )
    elif parse_decimal(q.answer) is None:
        hint = "write a plain decimal such as `6` or `0.75`"
        raw = q.answer.strip()
        if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+", raw):  # 1,000 or 1,500: which comma?
            point = raw.replace(",", ".") if raw.count(",") == 1 else None
            hint = (
                f"write `{raw.replace(',', '')}` if the comma groups thousands"
                + (f", or `{point}` if it is a decimal comma" if point else "")
                + "; keys use a decimal point (learners may still type a decimal comma "
                "when the quiz's language uses one)"
            )
        elif re.fullmatch(r"[+-]?\d*,\d+", raw):  # 9,81: a decimal comma
            hint = (
                f"write the decimal comma as a point: `{raw.replace(',', '.')}` — keys use a "
                "decimal point; learners may still type `"
                + raw
                + "` when the quiz's language uses a decimal comma"
            )
        elif re.search(r"\d,\d", raw):
            hint = "write the number with a decimal point and no grouping, e.g. `1234.5`"
        elif re.match(r"^\s*[+-]?[\d.]+\s*\D", q.answer):
            hint = "put the unit in `unit:` and only the number in `answer:`"
        yield problem(
            "QB210",
            f"answer `{q.answer}` is not a decimal number",
            q.loc("answer"),
            hint=hint,
            question_id=q.id,
        )
    if q.tolerance is None:
        return
    raw = q.tolerance.strip()
    m = _PERCENT.match(raw)
    value = parse_decimal(m.group("num") if m else raw)
    kind = "percentage" if m else "tolerance"
    bounds = decimal_bounds_problem(m.group("num") if m else raw)
    if bounds is not None:
        yield problem(
            "QB211",
            f"{kind} `{_clip(q.tolerance)}` {bounds}",
            q.loc("tolerance"),
            hint='write a tolerance such as "0.01" or "2%"',
            question_id=q.id,
        )
    elif value is None:
        yield problem(
            "QB211",
            f"tolerance `{q.tolerance}` is not a decimal or a percentage",
            q.loc("tolerance"),
            hint='write an absolute tolerance such as "0.01" or a relative one such as "2%"',
            question_id=q.id,
        )
    elif value < 0:
        yield problem(
            "QB211",
            f"{kind} `{q.tolerance}` is negative",
            q.loc("tolerance"),
            hint="a tolerance is a distance: write it without the minus sign",
            question_id=q.id,
        )


def _match(q: Match) -> Iterator[Problem]:
    if len(q.pairs) < 2:
        yield problem(
            "QB212",
            f"a match question needs at least 2 pairs, it has {len(q.pairs)}",
            q.loc("pairs"),
            hint="add pairs, or ask the question as `single` or `short`",
            question_id=q.id,
        )
    for side, name in ((0, "left"), (1, "right")):
        seen: dict[str, int] = {}
        for i, pair in enumerate(q.pairs):
            key = normalise(pair[side])
            if key in seen:
                j = seen[key]
                yield problem(
                    "QB213",
                    f"pair {i + 1} repeats the {name}-hand value of pair {j + 1} "
                    f"(`{_short_text(pair[side])}`)",
                    q.loc("pairs", i, side),
                    hint="every left value and every right value must be unique",
                    question_id=q.id,
                    related=(Related(q.loc("pairs", j, side), f"pair {j + 1}"),),
                    fingerprint=f"QB213:{q.id}:{side}:{key}",
                )
            else:
                seen[key] = i
