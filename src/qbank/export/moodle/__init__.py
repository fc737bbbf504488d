"""``qbank export moodle``: Moodle XML (``<quiz>``) for all nine question types.

Written the way Moodle's own ``qformat_xml`` writes it (research note
``notes/lms-formats.md`` §1; ``moodle-bank-exemple.xml`` shipped with amc2moodle is the
reference shape). Mapping:

==========  ==================================================================================
qbank       Moodle
==========  ==================================================================================
single      ``multichoice`` ``<single>true``: the right option 100 %, the others 0
multi       ``multichoice`` ``<single>false``: each right option ``100/k`` (``33.33333``…),
            each wrong one ``-100/k`` with ``partial: true`` (qbank's rule: right − wrong
            picks, floored at 0) or ``-100`` without (any wrong pick scores 0; Moodle still
            gives credit for a subset of the right ones — QB702 says so)
truefalse   ``truefalse`` with answers ``true`` / ``false``
short       ``shortanswer``; ``usecase`` from ``case_sensitive``; ``*`` escaped (a wildcard)
numeric     ``numerical``; tolerance made absolute (``2%`` of 50 → ``1``); the unit as a
            unit with multiplier 1, optional when answering
cloze       ``cloze`` (multianswer): each blank ``{1:SHORTANSWER:=a~=b}`` (``_C`` when case
            sensitive), ``} # ~`` escaped (``\\}`` ``\\#`` ``&#126;``)
match       ``matching``: left column HTML, right column plain text (Moodle shows a menu)
order       ``ordering`` (core since 4.4, a plugin before): all-or-nothing, items in order
essay       ``essay``: HTML editor, ``lines`` rows, ``max_words`` limit, rubric as grader info
==========  ==================================================================================

Every question: ``<name>`` and ``<idnumber>`` = the question id, ``<tags>`` = its tags
plus ``difficulty:…``, ``<generalfeedback>`` = the explanation, ``<defaultgrade>`` = points.
A category question (``$course$/top/<bank title>/<topic path>``, its ``<idnumber>`` the
topic key) precedes each run of questions of one topic. Images are embedded as base64 ``<file>`` elements of the field that
uses them and referenced as ``@@PLUGINFILE@@/name``.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import TYPE_CHECKING

from qbank.export import (
    Files,
    absolute_tolerance,
    cdata,
    cloze_html,
    decimal_text,
    html,
    share,
    topic_path,
    xml_clean,
    xml_escape,
)
from qbank.fsutil import atomic_write_bytes
from qbank.grade import blank_answers
from qbank.markup import to_text
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
)
from qbank.progress import track

if TYPE_CHECKING:
    from qbank.draw import Draw
    from qbank.load import Bank

__all__ = ["build", "category", "cloze_answer", "export"]

PLUGINFILE = "@@PLUGINFILE@@/"
#: a dash followed by a dash: an XML comment must not hold ``--`` (``a---b`` → ``a- - -b``)
_COMMENT_DASHES = re.compile("-(?=-)")


def _text(content: str, files: Files | None = None) -> str:
    """``<text>`` with the content in CDATA, then the field's embedded files."""
    out = f"<text>{cdata(content)}</text>" if content else "<text></text>"
    if files is not None:
        for f in files.take():
            payload = base64.b64encode(f.data).decode("ascii")
            out += f'\n      <file name="{xml_escape(f.name, quote=True)}" path="/" encoding="base64">{payload}</file>'
    return out


def _field(tag: str, source: str | None, files: Files, *, inline: bool = False) -> str:
    content = html(source, files, inline=inline) if source else ""
    return f'    <{tag} format="html">\n      {_text(content, files)}\n    </{tag}>\n'


def _plain(tag: str, value: str) -> str:
    return f"    <{tag}>{xml_escape(value)}</{tag}>\n"


def category(path: list[str], bank_title: str, topic: str | None = None) -> str:
    """A category pseudo-question. ``/`` inside a name is written ``//`` (Moodle's rule).

    The category's ``<idnumber>`` is the topic key: ``qbank import moodle`` reads it back
    as the topic (and the ``KEY Title`` names of the path as the taxonomy titles)."""
    segs = ["$course$", "top", bank_title, *path]
    joined = "/".join(s.replace("/", "//") for s in segs)
    return (
        '  <question type="category">\n'
        f"    <category>\n      <text>{xml_escape(joined)}</text>\n    </category>\n"
        '    <info format="html">\n      <text></text>\n    </info>\n'
        f"    <idnumber>{xml_escape(topic or '')}</idnumber>\n"
        "  </question>\n"
    )


def _shortanswer_text(answer: str) -> str:
    """Moodle short answers treat ``*`` as a wildcard; ``\\*`` is a literal star."""
    return answer.replace("*", "\\*")


_CLOZE_ESCAPES = {
    "&": "&#38;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "~": "&#126;",
    "\\": "&#92;",
    "}": "\\}",
    "#": "\\#",
    "*": "\\*",
}
_CLOZE_RE = re.compile('[&<>"~\\\\}#*]')


def cloze_answer(answer: str) -> str:
    """One alternative inside ``{1:SHORTANSWER:…}``, HTML-escaped and Moodle-escaped.

    Moodle's multianswer parser (``ANSWER_ALTERNATIVE_ANSWER_REGEX``) ends an answer at
    ``~ # }`` unless preceded by ``\\``, ``&`` or ``&amp;``; it decodes HTML entities, then
    unescapes ``\\}`` and ``\\#``. So ``~``, ``\\`` and ``&`` are written as numeric
    entities (``&#126;`` ``&#92;`` ``&#38;``: an answer ending in ``&amp;`` would swallow
    the closing brace), ``}`` and ``#`` with a backslash, and ``*`` (a short-answer
    wildcard) as ``\\*``.
    """
    return _CLOZE_RE.sub(lambda m: _CLOZE_ESCAPES[m.group(0)], xml_clean(answer))


def _head(q: AnyQuestion, qtype: str, files: Files, *, text_html: str | None = None) -> str:
    qtext = text_html if text_html is not None else html(q.text, files)
    out = (
        f'  <question type="{qtype}">\n'
        f"    <name>\n      <text>{xml_escape(q.id)}</text>\n    </name>\n"
        f'    <questiontext format="html">\n      {_text(qtext, files)}\n    </questiontext>\n'
    )
    out += _field("generalfeedback", q.explanation, files)
    if qtype != "cloze":
        out += f"    <defaultgrade>{q.points}</defaultgrade>\n"
    penalty = "1.0000000" if qtype == "truefalse" else "0.3333333"
    out += f"    <penalty>{penalty}</penalty>\n    <hidden>0</hidden>\n"
    out += f"    <idnumber>{xml_escape(q.id)}</idnumber>\n"
    return out


def _tags(q: AnyQuestion) -> str:
    tags = list(dict.fromkeys([*q.tags, *([f"difficulty:{q.difficulty}"] if q.difficulty else [])]))
    if not tags:
        return ""
    inner = "".join(f"      <tag><text>{xml_escape(t)}</text></tag>\n" for t in tags)
    return f"    <tags>\n{inner}    </tags>\n"


def _combined_feedback() -> str:
    return (
        '    <correctfeedback format="html">\n      <text></text>\n    </correctfeedback>\n'
        '    <partiallycorrectfeedback format="html">\n      <text></text>\n'
        "    </partiallycorrectfeedback>\n"
        '    <incorrectfeedback format="html">\n      <text></text>\n    </incorrectfeedback>\n'
        "    <shownumcorrect/>\n"
    )


def _answer(
    fraction: str, text_html: str, files: Files, feedback: str | None = None, *, plain: bool = False
) -> str:
    fmt = "plain_text" if plain else "html"
    body = (
        f"      {_text(text_html, files)}\n"
        if not plain
        else f"      <text>{xml_escape(text_html)}</text>\n"
    )
    fb = html(feedback, files) if feedback else ""
    return (
        f'    <answer fraction="{fraction}" format="{fmt}">\n{body}'
        f'      <feedback format="html">\n        {_text(fb, files)}\n      </feedback>\n'
        "    </answer>\n"
    )


def _choice(q: Single | Multi, files: Files) -> str:
    out = _head(q, "multichoice", files)
    single = isinstance(q, Single)
    out += f"    <single>{'true' if single else 'false'}</single>\n"
    out += f"    <shuffleanswers>{'true' if q.shuffle else 'false'}</shuffleanswers>\n"
    out += "    <answernumbering>abc</answernumbering>\n"
    out += "    <showstandardinstruction>0</showstandardinstruction>\n"
    out += _combined_feedback()
    k = len(q.correct_indices)
    if single:
        right, wrong = "100", "0"
    else:
        right = share(k)
        wrong = "-" + share(k) if isinstance(q, Multi) and q.partial else "-100"
        if wrong == "-0":
            wrong = "0"
    for opt in q.options:
        frac = right if opt.correct else wrong
        out += _answer(frac, html(opt.text, files, inline=True), files, opt.feedback)
    return out


def _truefalse(q: TrueFalse, files: Files) -> str:
    out = _head(q, "truefalse", files)
    for value in (True, False):
        frac = "100" if q.answer is value else "0"
        out += (
            f'    <answer fraction="{frac}" format="moodle_auto_format">\n'
            f"      <text>{'true' if value else 'false'}</text>\n"
            '      <feedback format="html">\n        <text></text>\n      </feedback>\n'
            "    </answer>\n"
        )
    return out


def _short(q: Short, files: Files) -> str:
    out = _head(q, "shortanswer", files)
    out += f"    <usecase>{1 if q.case_sensitive else 0}</usecase>\n"
    seen: set[str] = set()
    for raw in q.answers:
        answer = _shortanswer_text(to_text(raw.strip(), inline=True))
        if answer in seen:
            continue
        seen.add(answer)
        out += _answer("100", answer, files, plain=True)
    return out


def _numeric(q: Numeric, files: Files) -> str:
    out = _head(q, "numerical", files)
    value = q.answer_decimal
    answer = decimal_text(value) if value is not None else q.answer.strip()
    out += (
        '    <answer fraction="100" format="moodle_auto_format">\n'
        f"      <text>{xml_escape(answer)}</text>\n"
        '      <feedback format="html">\n        <text></text>\n      </feedback>\n'
        f"      <tolerance>{decimal_text(absolute_tolerance(q))}</tolerance>\n"
        "    </answer>\n"
    )
    if q.unit and q.unit.strip():
        out += (
            "    <units>\n      <unit>\n        <multiplier>1</multiplier>\n"
            f"        <unit_name>{xml_escape(q.unit.strip())}</unit_name>\n"
            "      </unit>\n    </units>\n"
            "    <unitgradingtype>0</unitgradingtype>\n    <unitpenalty>0.1000000</unitpenalty>\n"
            "    <showunits>0</showunits>\n    <unitsleft>0</unitsleft>\n"
        )
    else:
        out += (
            "    <unitgradingtype>0</unitgradingtype>\n    <unitpenalty>0.1000000</unitpenalty>\n"
            "    <showunits>3</showunits>\n    <unitsleft>0</unitsleft>\n"
        )
    return out


def _cloze(q: Cloze, files: Files) -> str:
    kind = "SHORTANSWER_C" if q.case_sensitive else "SHORTANSWER"
    embeds: dict[int, str] = {}
    for i, alts in enumerate(blank_answers(q)):
        unique = list(dict.fromkeys(alts))
        embeds[i] = "{1:" + kind + ":" + "~".join("=" + cloze_answer(a) for a in unique) + "}"
    # `{` in the author's text could start an embedded answer: write it as an entity
    text = cloze_html(q.text, files, embeds, text_fn=lambda t: t.replace("{", "&#123;"))
    return _head(q, "cloze", files, text_html=text)


def _match(q: Match, files: Files) -> str:
    out = _head(q, "matching", files)
    out += f"    <shuffleanswers>{'true' if q.shuffle else 'false'}</shuffleanswers>\n"
    out += _combined_feedback()
    for left, right in q.pairs:
        out += (
            '    <subquestion format="html">\n'
            f"      {_text(html(left, files, inline=True), files)}\n"
            f"      <answer>\n        <text>{xml_escape(to_text(right, inline=True))}</text>\n      </answer>\n"
            "    </subquestion>\n"
        )
    return out


def _order(q: Order, files: Files) -> str:
    out = _head(q, "ordering", files)
    out += (
        "    <layouttype>VERTICAL</layouttype>\n    <selecttype>ALL</selecttype>\n"
        f"    <selectcount>{len(q.items)}</selectcount>\n"
        "    <gradingtype>ALL_OR_NOTHING</gradingtype>\n    <showgrading>SHOW</showgrading>\n"
        "    <numberingstyle>none</numberingstyle>\n"
    )
    out += _combined_feedback()
    for pos, item in enumerate(q.items, start=1):
        out += (
            f'    <answer fraction="{pos}.0000000" format="html">\n'
            f"      {_text(html(item, files, inline=True), files)}\n"
            "    </answer>\n"
        )
    return out


def _essay(q: Essay, files: Files) -> str:
    out = _head(q, "essay", files)
    out += (
        "    <responseformat>editor</responseformat>\n"
        "    <responserequired>1</responserequired>\n"
        f"    <responsefieldlines>{max(q.lines, 5)}</responsefieldlines>\n"
    )
    if q.max_words:
        out += f"    <maxwordlimit>{q.max_words}</maxwordlimit>\n"
    out += "    <attachments>0</attachments>\n    <attachmentsrequired>0</attachmentsrequired>\n"
    out += _field("graderinfo", q.rubric, files)
    out += '    <responsetemplate format="html">\n      <text></text>\n    </responsetemplate>\n'
    return out


def question_xml(q: AnyQuestion, files: Files) -> str:
    """One ``<question>`` element (without the category)."""
    files.where = f"{q.file}: {q.id}"
    files.take()
    if isinstance(q, Single | Multi):
        body = _choice(q, files)
    elif isinstance(q, TrueFalse):
        body = _truefalse(q, files)
    elif isinstance(q, Short):
        body = _short(q, files)
    elif isinstance(q, Numeric):
        body = _numeric(q, files)
    elif isinstance(q, Cloze):
        body = _cloze(q, files)
    elif isinstance(q, Match):
        body = _match(q, files)
    elif isinstance(q, Order):
        body = _order(q, files)
    else:
        body = _essay(q, files)
    return body + _tags(q) + "  </question>\n"


def build(drawn: Draw, bank: Bank) -> tuple[str, list[str]]:
    """The Moodle XML document and the warnings (images left out)."""
    files = Files(bank.root, PLUGINFILE)
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n']
    current: list[str] | None = None
    questions = drawn.questions
    for q in track(questions, total=len(questions), label="Exporting"):
        path = topic_path(bank, q.topic)
        if path != current:
            parts.append(category(path, bank.title, q.topic))
            current = path
        parts.append(f"<!-- question: {_COMMENT_DASHES.sub('- ', xml_escape(q.id))} -->\n")
        parts.append(question_xml(q, files))
    parts.append("</quiz>\n")
    return "".join(parts), files.warnings


def export(drawn: Draw, target: Path, *, bank: Bank) -> list[str]:
    """Write the Moodle XML file atomically; returns warnings."""
    text, warnings = build(drawn, bank)
    atomic_write_bytes(target, text.encode("utf-8"))
    return warnings
