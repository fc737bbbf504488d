"""QTI 1.2 in the Canvas flavour, shaped like text2qti 0.8.0's packages.

Layout (the same entries text2qti writes)::

    imsmanifest.xml                      IMS CC 1.1 manifest: the assessment resource
                                         (imsqti_xmlv1p2) + its meta dependency + images
    non_cc_assessments/                  empty folder entry
    <aid>/<aid>.xml                      questestinterop > assessment > section > items
    <aid>/assessment_meta.xml            Canvas quiz settings (cccv1p0)
    images/<name>                        images, referenced as %24IMS-CC-FILEBASE%24/images/…

Items carry text2qti's metadata (``question_type``, ``points_possible``,
``original_answer_ids``, ``assessment_question_identifierref``) and its response
processing: ``respcondition continue="No"`` setting ``SCORE`` to 100 on the key, feedback
through ``itemfeedback`` + ``displayfeedback``. Item idents are question ids
(:func:`qbank.export.qti.ident`); choices ``<id>-o<i>`` (bank position).

Types text2qti does not write follow Canvas's own QTI export: cloze →
``fill_in_multiple_blanks_question`` (one ``response_lid`` per ``[blank]``), match →
``matching_question``; order has no Canvas type and becomes a matching "position → item"
(warning). Canvas grades multiple answers with partial credit and short answers without
case, whatever the bank says (QB7xx warns at validate time).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from qbank.export import (
    Files,
    absolute_tolerance,
    cloze_html,
    decimal_text,
    html,
    share,
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

NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
FILEBASE = "%24IMS-CC-FILEBASE%24/images/"


def _mat(content_html: str, indent: str) -> str:
    return (
        f"{indent}<material>\n"
        f'{indent}  <mattext texttype="text/html">{xml_escape(content_html)}</mattext>\n'
        f"{indent}</material>\n"
    )


def _meta(qtype: str, points: int, answer_ids: list[str], item: str) -> str:
    fields = [
        ("question_type", qtype),
        ("points_possible", str(points)),
        ("original_answer_ids", ",".join(answer_ids)),
        ("assessment_question_identifierref", f"{item}_ref"),
    ]
    inner = "".join(
        "            <qtimetadatafield>\n"
        f"              <fieldlabel>{label}</fieldlabel>\n"
        f"              <fieldentry>{xml_escape(value)}</fieldentry>\n"
        "            </qtimetadatafield>\n"
        for label, value in fields
    )
    return f"        <itemmetadata>\n          <qtimetadata>\n{inner}          </qtimetadata>\n        </itemmetadata>\n"


def _choices(resp: str, card: str, labels: list[tuple[str, str]]) -> str:
    inner = "".join(
        f'              <response_label ident="{xml_escape(lid, quote=True)}">\n'
        + _mat(text, "                ")
        + "              </response_label>\n"
        for lid, text in labels
    )
    return (
        f'          <response_lid ident="{resp}" rcardinality="{card}">\n'
        f"            <render_choice>\n{inner}            </render_choice>\n"
        "          </response_lid>\n"
    )


def _cond(
    inner: str,
    *,
    score: str | None = None,
    feedback: str | None = None,
    cont: str = "No",
    add: bool = False,
) -> str:
    out = f'          <respcondition continue="{cont}">\n            <conditionvar>\n{inner}            </conditionvar>\n'
    if score is not None:
        action = "Add" if add else "Set"
        out += f'            <setvar action="{action}" varname="SCORE">{score}</setvar>\n'
    if feedback is not None:
        out += f'            <displayfeedback feedbacktype="Response" linkrefid="{xml_escape(feedback, quote=True)}"/>\n'
    return out + "          </respcondition>\n"


def _eq(resp: str, value: str) -> str:
    return f'              <varequal respident="{resp}">{xml_escape(value)}</varequal>\n'


def _feedbacks(fbs: list[tuple[str, str]]) -> str:
    return "".join(
        f'        <itemfeedback ident="{xml_escape(fid, quote=True)}">\n          <flow_mat>\n'
        + _mat(text, "            ")
        + "          </flow_mat>\n        </itemfeedback>\n"
        for fid, text in fbs
    )


def _matching(
    item: str, lefts: list[str], rights: list[str], key: list[int]
) -> tuple[str, str, list[str]]:
    """Presentation and processing of a Canvas matching: left i's answer is rights[key[i]]."""
    right_ids = [f"{item}-r{j}" for j in range(len(rights))]
    pres = ""
    proc = ""
    each = share(len(lefts))
    for i, left in enumerate(lefts):
        resp = f"response_{item}-l{i}"
        pres += (
            f'          <response_lid ident="{xml_escape(resp, quote=True)}">\n'
            + _mat(left, "            ")
            + "            <render_choice>\n"
            + "".join(
                f'              <response_label ident="{xml_escape(rid, quote=True)}">\n'
                + _mat(rights[j], "                ")
                + "              </response_label>\n"
                for j, rid in enumerate(right_ids)
            )
            + "            </render_choice>\n          </response_lid>\n"
        )
        proc += _cond(
            _eq(xml_escape(resp, quote=True), right_ids[key[i]]), score=each, add=True, cont="No"
        )
    return pres, proc, right_ids


def item_xml(q: AnyQuestion, files: Files, warnings: list[str]) -> str:
    item = ident(q.id)
    files.where = f"{q.file}: {q.id}"
    where = files.where
    stem = html(q.text, files)
    pres = ""
    proc = ""
    fbs: list[tuple[str, str]] = []
    answer_ids: list[str] = []
    if q.explanation:
        fbs.append(("general_fb", html(q.explanation, files)))
        proc += _cond("              <other/>\n", feedback="general_fb", cont="Yes")
    if isinstance(q, Single | Multi | TrueFalse):
        if isinstance(q, TrueFalse):
            qtype = "true_false_question"
            labels = [(f"{item}-true", "True"), (f"{item}-false", "False")]
            right = [labels[0][0] if q.answer else labels[1][0]]
            wrong = [labels[1][0] if q.answer else labels[0][0]]
            card = "Single"
        else:
            qtype = (
                "multiple_choice_question" if isinstance(q, Single) else "multiple_answers_question"
            )
            card = "Single" if isinstance(q, Single) else "Multiple"
            labels = [
                (f"{item}-o{i}", html(o.text, files, inline=True)) for i, o in enumerate(q.options)
            ]
            right = [labels[i][0] for i in q.correct_indices]
            wrong = [lid for lid, _ in labels if lid not in right]
            for i, o in enumerate(q.options):
                if o.feedback:
                    fid = f"{labels[i][0]}_fb"
                    fbs.append((fid, html(o.feedback, files)))
                    proc += _cond(_eq("response1", labels[i][0]), feedback=fid, cont="Yes")
            if isinstance(q, Multi) and not q.partial:
                warnings.append(
                    f"{where}: Canvas gives partial credit on multiple answers (the bank says all-or-nothing)"
                )
        answer_ids = [lid for lid, _ in labels]
        pres = _choices("response1", card, labels)
        if card == "Single":
            proc += _cond(_eq("response1", right[0]), score="100")
        else:
            inner = "              <and>\n"
            inner += "".join("  " + _eq("response1", r) for r in right)
            inner += "".join(
                f"                <not>\n  {_eq('response1', w)}                </not>\n"
                for w in wrong
            )
            inner += "              </and>\n"
            proc += _cond(inner, score="100")
    elif isinstance(q, Short):
        qtype = "short_answer_question"
        answers = list(dict.fromkeys(to_text(a.strip(), inline=True) for a in q.answers))
        answer_ids = [f"{item}-a{i}" for i in range(len(answers))]
        pres = (
            '          <response_str ident="response1" rcardinality="Single">\n'
            '            <render_fib>\n              <response_label ident="answer1" rshuffle="No"/>\n'
            "            </render_fib>\n          </response_str>\n"
        )
        proc += _cond("".join(_eq("response1", a) for a in answers), score="100")
        if q.case_sensitive:
            warnings.append(
                f"{where}: Canvas short answers ignore case (the bank says case-sensitive)"
            )
    elif isinstance(q, Numeric):
        qtype = "numerical_question"
        answer_ids = [f"{item}-n0"]
        value = q.answer_decimal
        tol = absolute_tolerance(q)
        if value is not None:
            lo, hi = decimal_text(value - tol), decimal_text(value + tol)
            exact = decimal_text(value)
        else:
            lo = hi = exact = q.answer.strip()
        pres = (
            '          <response_str ident="response1" rcardinality="Single">\n'
            '            <render_fib fibtype="Decimal">\n              <response_label ident="answer1"/>\n'
            "            </render_fib>\n          </response_str>\n"
        )
        inner = (
            "              <or>\n"
            f"  {_eq('response1', exact)}"
            "                <and>\n"
            f'                  <vargte respident="response1">{xml_escape(lo)}</vargte>\n'
            f'                  <varlte respident="response1">{xml_escape(hi)}</varlte>\n'
            "                </and>\n              </or>\n"
        )
        proc += _cond(inner, score="100")
        if q.unit and q.unit.strip():
            stem += f"<p>({xml_escape(q.unit.strip())})</p>"
            warnings.append(
                f"{where}: Canvas numerical questions have no unit; `{q.unit.strip()}` is written after the text"
            )
    elif isinstance(q, Cloze):
        qtype = "fill_in_multiple_blanks_question"
        alternatives = blank_answers(q)
        stem = cloze_html(q.text, files, {i: f"[b{i + 1}]" for i in range(len(alternatives))})
        each = share(len(alternatives))
        for i, alts in enumerate(alternatives):
            resp = f"response_b{i + 1}"
            labels = [(f"{item}-b{i + 1}-a{j}", a) for j, a in enumerate(dict.fromkeys(alts))]
            answer_ids.extend(lid for lid, _ in labels)
            pres += (
                f'          <response_lid ident="{resp}">\n'
                + _mat(f"b{i + 1}", "            ")
                + "            <render_choice>\n"
                + "".join(
                    f'              <response_label ident="{xml_escape(lid, quote=True)}">\n'
                    + _mat(xml_escape(a), "                ")
                    + "              </response_label>\n"
                    for lid, a in labels
                )
                + "            </render_choice>\n          </response_lid>\n"
            )
            proc += _cond(
                "".join(_eq(resp, lid) for lid, _ in labels), score=each, add=True, cont="No"
            )
    elif isinstance(q, Match):
        qtype = "matching_question"
        lefts = [html(p[0], files, inline=True) for p in q.pairs]
        rights = [xml_escape(to_text(p[1], inline=True)) for p in q.pairs]
        pres, more, answer_ids = _matching(item, lefts, rights, list(range(len(q.pairs))))
        proc += more
    elif isinstance(q, Order):
        qtype = "matching_question"
        warnings.append(
            f"{where}: Canvas has no ordering question; written as a matching (position → item)"
        )
        lefts = [str(i + 1) for i in range(len(q.items))]
        rights = [html(it, files, inline=True) for it in q.items]
        pres, more, answer_ids = _matching(item, lefts, rights, list(range(len(q.items))))
        proc += more
    else:
        assert isinstance(q, Essay)
        qtype = "essay_question"
        pres = (
            '          <response_str ident="response1" rcardinality="Single">\n'
            '            <render_fib>\n              <response_label ident="answer1" rshuffle="No"/>\n'
            "            </render_fib>\n          </response_str>\n"
        )
        proc += _cond("              <other/>\n")
        if q.rubric:
            warnings.append(
                f"{where}: Canvas QTI has no grader information; the rubric is left out"
            )
    return (
        f'      <item ident="{xml_escape(item, quote=True)}" title="{xml_escape(q.id, quote=True)}">\n'
        + _meta(qtype, q.points, answer_ids, item)
        + "        <presentation>\n"
        + _mat(stem, "          ")
        + pres
        + "        </presentation>\n"
        + "        <resprocessing>\n          <outcomes>\n"
        + '            <decvar maxvalue="100" minvalue="0" varname="SCORE" vartype="Decimal"/>\n'
        + "          </outcomes>\n"
        + proc
        + "        </resprocessing>\n"
        + _feedbacks(fbs)
        + "      </item>\n"
    )


def assessment_id(drawn: Draw) -> str:
    digest = hashlib.sha256(
        "\n".join([drawn.title, *(q.id for q in drawn.questions)]).encode("utf-8")
    ).hexdigest()[:32]
    return f"qbank_assessment_{digest}"


def _manifest(aid: str, title: str, images: list[str]) -> str:
    res = "".join(
        f'    <resource identifier="qbank_image_{hashlib.sha256(n.encode()).hexdigest()[:16]}" type="webcontent" href="images/{xml_escape(n, quote=True)}">\n'
        f'      <file href="images/{xml_escape(n, quote=True)}"/>\n    </resource>\n'
        for n in images
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<manifest identifier="{aid}_manifest" xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1" '
        'xmlns:lom="http://ltsc.ieee.org/xsd/imsccv1p1/LOM/resource" '
        'xmlns:imsmd="http://www.imsglobal.org/xsd/imsmd_v1p2" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1 http://www.imsglobal.org/xsd/imscp_v1p1.xsd '
        "http://ltsc.ieee.org/xsd/imsccv1p1/LOM/resource http://www.imsglobal.org/profile/cc/ccv1p1/LOM/ccv1p1_lomresource_v1p0.xsd "
        'http://www.imsglobal.org/xsd/imsmd_v1p2 http://www.imsglobal.org/xsd/imsmd_v1p2p2.xsd">\n'
        "  <metadata>\n    <schema>IMS Content</schema>\n    <schemaversion>1.1.3</schemaversion>\n"
        "    <imsmd:lom>\n      <imsmd:general>\n        <imsmd:title>\n"
        f"          <imsmd:string>{xml_escape(title)}</imsmd:string>\n"
        "        </imsmd:title>\n      </imsmd:general>\n    </imsmd:lom>\n  </metadata>\n"
        "  <organizations/>\n  <resources>\n"
        f'    <resource identifier="{aid}" type="imsqti_xmlv1p2">\n'
        f'      <file href="{aid}/{aid}.xml"/>\n'
        f'      <dependency identifierref="{aid}_dependency"/>\n    </resource>\n'
        f'    <resource identifier="{aid}_dependency" type="associatedcontent/imscc_xmlv1p1/learning-application-resource" href="{aid}/assessment_meta.xml">\n'
        f'      <file href="{aid}/assessment_meta.xml"/>\n    </resource>\n'
        f"{res}  </resources>\n</manifest>\n"
    )


def _meta_xml(aid: str, drawn: Draw, points: int, files: Files) -> str:
    desc = html(drawn.instructions, files) if drawn.instructions else ""
    limit = (
        f"  <time_limit>{drawn.time_limit_minutes}</time_limit>\n"
        if drawn.time_limit_minutes
        else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<quiz identifier="{aid}" xmlns="http://canvas.instructure.com/xsd/cccv1p0" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://canvas.instructure.com/xsd/cccv1p0 https://canvas.instructure.com/xsd/cccv1p0.xsd">\n'
        f"  <title>{xml_escape(drawn.title)}</title>\n"
        f"  <description>{xml_escape(desc)}</description>\n"
        f"{limit}"
        f"  <shuffle_answers>{'true' if drawn.shuffle_options else 'false'}</shuffle_answers>\n"
        "  <scoring_policy>keep_highest</scoring_policy>\n"
        "  <quiz_type>assignment</quiz_type>\n"
        f"  <points_possible>{points}.0</points_possible>\n"
        "  <show_correct_answers>true</show_correct_answers>\n"
        "  <allowed_attempts>1</allowed_attempts>\n"
        "  <one_question_at_a_time>false</one_question_at_a_time>\n"
        "  <cant_go_back>false</cant_go_back>\n"
        "  <available>false</available>\n"
        "</quiz>\n"
    )


def entries(drawn: Draw, bank: Bank) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The package entries (name, bytes) in order, and the warnings."""
    files = Files(bank.root, FILEBASE)
    warnings: list[str] = []
    aid = assessment_id(drawn)
    questions = drawn.questions
    items = [
        item_xml(q, files, warnings)
        for q in track(questions, total=len(questions), label="Exporting")
    ]
    files.where = "quiz instructions"
    meta = _meta_xml(aid, drawn, sum(q.points for q in questions), files)
    warnings[:0] = files.warnings
    assessment = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<questestinterop xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{NS} http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd">\n'
        f'  <assessment ident="{aid}" title="{xml_escape(drawn.title, quote=True)}">\n'
        "    <qtimetadata>\n      <qtimetadatafield>\n        <fieldlabel>cc_maxattempts</fieldlabel>\n"
        "        <fieldentry>1</fieldentry>\n      </qtimetadatafield>\n    </qtimetadata>\n"
        '    <section ident="root_section">\n'
        + "".join(items)
        + "    </section>\n  </assessment>\n</questestinterop>\n"
    )
    names = list(files.files)
    out: list[tuple[str, bytes]] = [
        ("imsmanifest.xml", _manifest(aid, drawn.title, names).encode("utf-8")),
        ("non_cc_assessments/", b""),
        (f"{aid}/{aid}.xml", assessment.encode("utf-8")),
        (f"{aid}/assessment_meta.xml", meta.encode("utf-8")),
    ]
    out.extend((f"images/{n}", f.data) for n, f in files.files.items())
    return out, warnings
