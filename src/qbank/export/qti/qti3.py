"""1EdTech QTI 3.0: one item per question, a test, an IMS content package manifest.

Element names follow what @citolab/qti-components 7.27.4 reads (research note §3b; the
1EdTech specification itself was not read). Every item declares ``SCORE`` (0 to 1: the
fraction of the question's marks) and ``MAXSCORE`` = 1, and writes its response processing
out in full (no external templates, so a player needs no network):

==========  ===================================================================================
single      ``qti-choice-interaction`` max 1, identifier; SCORE = 1 on the correct response
multi       the same, ``cardinality="multiple"``; all-or-nothing → match; ``partial`` →
            ``qti-map-response`` (right +1/k, wrong −1/k, bounded to 0..1)
truefalse   a choice of ``true`` / ``false``
short       ``qti-text-entry-interaction``, string; any accepted answer (``qti-string-match``
            with the bank's case rule)
numeric     text entry, float; SCORE = 1 when lower ≤ response ≤ upper (``qti-gte``/``qti-lte``,
            the tolerance made absolute)
cloze       one text entry per blank (``RESPONSE_1``…); SCORE = 1 when every blank matches
order       ``qti-order-interaction``, ordered identifiers; match
match       ``qti-match-interaction``, directed pairs; match
essay       ``qti-extended-text-interaction``; no automatic score
==========  ===================================================================================

The test weights each item by its points (``qti-weight``). Images go to ``media/`` and are
listed as dependencies of the items that use them.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import TYPE_CHECKING

from qbank.export import (
    Files,
    absolute_tolerance,
    cloze_html,
    decimal_text,
    html,
    xml_escape,
)
from qbank.export.qti import ident
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

NS = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
SCHEMA = "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd"
CP_NS = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"


def _a(value: str) -> str:
    return xml_escape(value, quote=True)


def _float(value: str) -> str:
    return f'<qti-base-value base-type="float">{value}</qti-base-value>'


def _set(value: str) -> str:
    return f'<qti-set-outcome-value identifier="SCORE">{value}</qti-set-outcome-value>'


def _if_else(condition: str, then: str = "1", otherwise: str = "0") -> str:
    return (
        "  <qti-response-processing>\n    <qti-response-condition>\n"
        f"      <qti-response-if>\n        {condition}\n        {_set(_float(then))}\n"
        "      </qti-response-if>\n"
        f"      <qti-response-else>\n        {_set(_float(otherwise))}\n      </qti-response-else>\n"
        "    </qti-response-condition>\n  </qti-response-processing>\n"
    )


_MATCH_CORRECT = _if_else(
    '<qti-match><qti-variable identifier="RESPONSE"/><qti-correct identifier="RESPONSE"/></qti-match>'
)

_MAP_RESPONSE = (
    "  <qti-response-processing>\n    <qti-response-condition>\n"
    '      <qti-response-if>\n        <qti-is-null><qti-variable identifier="RESPONSE"/></qti-is-null>\n'
    f"        {_set(_float('0'))}\n      </qti-response-if>\n"
    "      <qti-response-else>\n"
    "        " + _set('<qti-map-response identifier="RESPONSE"/>') + "\n"
    "      </qti-response-else>\n    </qti-response-condition>\n  </qti-response-processing>\n"
)


def _decl(ident_: str, card: str, base: str, correct: list[str], mapping: str = "") -> str:
    values = "".join(f"<qti-value>{xml_escape(v)}</qti-value>" for v in correct)
    body = f"\n    <qti-correct-response>{values}</qti-correct-response>" if correct else ""
    if mapping:
        body += f"\n    {mapping}"
    return (
        f'  <qti-response-declaration identifier="{ident_}" cardinality="{card}" base-type="{base}">'
        f"{body}\n  </qti-response-declaration>\n"
    )


def _any_string(resp: str, answers: list[str], case_sensitive: bool) -> str:
    cs = "true" if case_sensitive else "false"
    matches = "".join(
        f'<qti-string-match case-sensitive="{cs}"><qti-variable identifier="{resp}"/>'
        f'<qti-base-value base-type="string">{xml_escape(a)}</qti-base-value></qti-string-match>'
        for a in answers
    )
    return f"<qti-or>{matches}</qti-or>"


def item_xml(q: AnyQuestion, files: Files, warnings: list[str]) -> str:
    """One ``qti-assessment-item`` document."""
    item = ident(q.id)
    files.where = f"{q.file}: {q.id}"
    stem = html(q.text, files)
    decls = ""
    body = ""
    rp = ""
    if isinstance(q, Single | Multi | TrueFalse):
        if isinstance(q, TrueFalse):
            choices = [("true", "True"), ("false", "False")]
            correct = ["true" if q.answer else "false"]
            multiple = False
            shuffle = False
        else:
            choices = [(f"o{i}", html(o.text, files, inline=True)) for i, o in enumerate(q.options)]
            correct = [f"o{i}" for i in q.correct_indices]
            multiple = isinstance(q, Multi)
            shuffle = q.shuffle
        card = "multiple" if multiple else "single"
        mapping = ""
        if isinstance(q, Multi) and q.partial:
            part = decimal_text(round(Decimal(1) / len(correct), 6))
            entries = "".join(
                f'<qti-map-entry map-key="{cid}" mapped-value="{"" if cid in correct else "-"}{part}"/>'
                for cid, _ in choices
            )
            mapping = f'<qti-mapping lower-bound="0" upper-bound="1" default-value="0">{entries}</qti-mapping>'
        decls = _decl("RESPONSE", card, "identifier", correct, mapping)
        body = (
            f'    <qti-choice-interaction response-identifier="RESPONSE" shuffle="{str(shuffle).lower()}" '
            f'max-choices="{0 if multiple else 1}">\n'
            + "".join(
                f'      <qti-simple-choice identifier="{cid}">{text}</qti-simple-choice>\n'
                for cid, text in choices
            )
            + "    </qti-choice-interaction>\n"
        )
        rp = _MAP_RESPONSE if mapping else _MATCH_CORRECT
    elif isinstance(q, Short):
        answers = list(dict.fromkeys(to_text(a.strip(), inline=True) for a in q.answers))
        decls = _decl("RESPONSE", "single", "string", answers[:1])
        body = '    <p><qti-text-entry-interaction response-identifier="RESPONSE"></qti-text-entry-interaction></p>\n'
        rp = _if_else(_any_string("RESPONSE", answers, q.case_sensitive))
    elif isinstance(q, Numeric):
        value = q.answer_decimal
        tol = absolute_tolerance(q)
        exact = decimal_text(value) if value is not None else q.answer.strip()
        decls = _decl("RESPONSE", "single", "float", [exact])
        unit = f" {xml_escape(q.unit.strip())}" if q.unit and q.unit.strip() else ""
        body = f'    <p><qti-text-entry-interaction response-identifier="RESPONSE"></qti-text-entry-interaction>{unit}</p>\n'
        if value is not None:
            lo, hi = decimal_text(value - tol), decimal_text(value + tol)
            cond = (
                '<qti-and><qti-gte><qti-variable identifier="RESPONSE"/>'
                f"{_float(lo)}</qti-gte>"
                f'<qti-lte><qti-variable identifier="RESPONSE"/>{_float(hi)}</qti-lte></qti-and>'
            )
            rp = _if_else(cond)
        else:  # pragma: no cover - validation refuses a non-decimal answer first
            rp = _MATCH_CORRECT
    elif isinstance(q, Cloze):
        alternatives = blank_answers(q)
        conds = []
        for i, alts in enumerate(alternatives, start=1):
            unique = list(dict.fromkeys(alts))
            decls += _decl(f"RESPONSE_{i}", "single", "string", unique[:1])
            conds.append(_any_string(f"RESPONSE_{i}", unique, q.case_sensitive))
        stem = cloze_html(
            q.text,
            files,
            {
                i: f'<qti-text-entry-interaction response-identifier="RESPONSE_{i + 1}"></qti-text-entry-interaction>'
                for i in range(len(alternatives))
            },
        )
        rp = _if_else(f"<qti-and>{''.join(conds)}</qti-and>")
    elif isinstance(q, Order):
        correct = [f"i{i}" for i in range(len(q.items))]
        decls = _decl("RESPONSE", "ordered", "identifier", correct)
        body = (
            '    <qti-order-interaction response-identifier="RESPONSE" shuffle="true">\n'
            + "".join(
                f'      <qti-simple-choice identifier="i{i}">{html(it, files, inline=True)}</qti-simple-choice>\n'
                for i, it in enumerate(q.items)
            )
            + "    </qti-order-interaction>\n"
        )
        rp = _MATCH_CORRECT
    elif isinstance(q, Match):
        n = len(q.pairs)
        decls = _decl("RESPONSE", "multiple", "directedPair", [f"l{i} r{i}" for i in range(n)])
        lefts = "".join(
            f'        <qti-simple-associable-choice identifier="l{i}" match-max="1">{html(p[0], files, inline=True)}</qti-simple-associable-choice>\n'
            for i, p in enumerate(q.pairs)
        )
        rights = "".join(
            f'        <qti-simple-associable-choice identifier="r{i}" match-max="{n}">{html(p[1], files, inline=True)}</qti-simple-associable-choice>\n'
            for i, p in enumerate(q.pairs)
        )
        body = (
            f'    <qti-match-interaction response-identifier="RESPONSE" shuffle="{str(q.shuffle).lower()}" max-associations="{n}">\n'
            f"      <qti-simple-match-set>\n{lefts}      </qti-simple-match-set>\n"
            f"      <qti-simple-match-set>\n{rights}      </qti-simple-match-set>\n"
            "    </qti-match-interaction>\n"
        )
        rp = _MATCH_CORRECT
    else:
        assert isinstance(q, Essay)
        decls = _decl("RESPONSE", "single", "string", [])
        body = f'    <qti-extended-text-interaction response-identifier="RESPONSE" expected-lines="{q.lines}"></qti-extended-text-interaction>\n'
        rp = ""
        if q.rubric:
            body += (
                '    <qti-rubric-block use="scoring" view="scorer">\n'
                f"      <qti-content-body>{html(q.rubric, files)}</qti-content-body>\n"
                "    </qti-rubric-block>\n"
            )
    feedback = ""
    if q.explanation:
        feedback = (
            '  <qti-modal-feedback outcome-identifier="FEEDBACK" identifier="explanation" show-hide="show">\n'
            f"    <qti-content-body>{html(q.explanation, files)}</qti-content-body>\n"
            "  </qti-modal-feedback>\n"
        )
    outcomes = (
        '  <qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float">'
        "<qti-default-value><qti-value>0</qti-value></qti-default-value></qti-outcome-declaration>\n"
        '  <qti-outcome-declaration identifier="MAXSCORE" cardinality="single" base-type="float">'
        "<qti-default-value><qti-value>1</qti-value></qti-default-value></qti-outcome-declaration>\n"
    )
    if feedback:
        outcomes += (
            '  <qti-outcome-declaration identifier="FEEDBACK" cardinality="single" base-type="identifier">'
            "<qti-default-value><qti-value>explanation</qti-value></qti-default-value></qti-outcome-declaration>\n"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<qti-assessment-item xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{NS} {SCHEMA}" identifier="{_a(item)}" title="{_a(q.id)}" '
        'adaptive="false" time-dependent="false">\n'
        + decls
        + outcomes
        + f"  <qti-item-body>\n    <div>{stem}</div>\n{body}  </qti-item-body>\n"
        + rp
        + feedback
        + "</qti-assessment-item>\n"
    )


def _test_xml(test_id: str, drawn: Draw, refs: list[tuple[str, str, int]]) -> str:
    items = "".join(
        f'      <qti-assessment-item-ref identifier="{_a(i)}" href="{_a(href)}">'
        f'<qti-weight identifier="W" value="{points}"/></qti-assessment-item-ref>\n'
        for i, href, points in refs
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<qti-assessment-test xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{NS} {SCHEMA}" identifier="{test_id}" title="{_a(drawn.title)}">\n'
        '  <qti-test-part identifier="part1" navigation-mode="nonlinear" submission-mode="simultaneous">\n'
        f'    <qti-assessment-section identifier="section1" title="{_a(drawn.title)}" visible="true">\n'
        f"{items}    </qti-assessment-section>\n  </qti-test-part>\n"
        "</qti-assessment-test>\n"
    )


def _manifest(
    test_id: str, refs: list[tuple[str, str, int]], deps: dict[str, list[str]], media: list[str]
) -> str:
    res = (
        f'    <resource identifier="{test_id}" type="imsqti_test_xmlv3p0" href="test.xml">\n'
        '      <file href="test.xml"/>\n'
        + "".join(f'      <dependency identifierref="{_a(i)}"/>\n' for i, _, _ in refs)
        + "    </resource>\n"
    )
    for i, href, _ in refs:
        res += f'    <resource identifier="{_a(i)}" type="imsqti_item_xmlv3p0" href="{_a(href)}">\n'
        res += f'      <file href="{_a(href)}"/>\n'
        res += "".join(
            f'      <dependency identifierref="media_{_a(_mid(m))}"/>\n' for m in deps.get(i, [])
        )
        res += "    </resource>\n"
    for m in media:
        res += (
            f'    <resource identifier="media_{_a(_mid(m))}" type="webcontent" href="media/{_a(m)}">\n'
            f'      <file href="media/{_a(m)}"/>\n    </resource>\n'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<manifest xmlns="{CP_NS}" identifier="{test_id}_manifest">\n'
        "  <metadata>\n    <schema>QTI Package</schema>\n    <schemaversion>3.0.0</schemaversion>\n  </metadata>\n"
        "  <organizations/>\n"
        f"  <resources>\n{res}  </resources>\n</manifest>\n"
    )


def _mid(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]


def entries(drawn: Draw, bank: Bank) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The package entries (name, bytes) in order, and the warnings."""
    files = Files(bank.root, "../media/")
    warnings: list[str] = []
    questions = drawn.questions
    out: list[tuple[str, bytes]] = []
    refs: list[tuple[str, str, int]] = []
    deps: dict[str, list[str]] = {}
    for q in track(questions, total=len(questions), label="Exporting"):
        files.take()
        doc = item_xml(q, files, warnings)
        i = ident(q.id)
        href = f"items/{i}.xml"
        refs.append((i, href, q.points))
        deps[i] = [f.name for f in files.take()]
        out.append((href, doc.encode("utf-8")))
    digest = hashlib.sha256(
        "\n".join([drawn.title, *(q.id for q in questions)]).encode("utf-8")
    ).hexdigest()[:32]
    test_id = f"qbank_test_{digest}"
    media = list(files.files)
    head = [
        ("imsmanifest.xml", _manifest(test_id, refs, deps, media).encode("utf-8")),
        ("test.xml", _test_xml(test_id, drawn, refs).encode("utf-8")),
    ]
    tail = [(f"media/{n}", f.data) for n, f in files.files.items()]
    return head + out + tail, files.warnings + warnings
