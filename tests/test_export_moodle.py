"""``qbank export moodle`` read back by a third-party Moodle XML consumer.

The consumer is ``moodle2amc`` (PyPI ``amc2moodle`` 2.12.1, needs Debian's
``libmagickwand-6.q16-6``): it converts Moodle XML to AMC LaTeX. It reads ``multichoice``,
``numerical`` and ``essay`` (and skips the other types, naming each in its log). For the
types it reads, the tests check that the questions, option texts and right/wrong flags
(``fraction > 0``) it found are the bank's. Fractions themselves (moodle2amc only reads
their sign) are checked against Moodle's grade list from our own parse of the XML, and the
element order of each question is compared with the XML Moodle itself wrote
(``moodle-bank-exemple.xml``, shipped with amc2moodle).

What this cannot prove: that Moodle imports the file. No Moodle (or PHP) runs here; the
types moodle2amc skips (truefalse, shortanswer, cloze, matching, ordering) are checked
against Moodle's documented format only (``notes/lms-formats.md`` §1).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, require_tool
from qbank.cli import main
from qbank.export.moodle import cloze_answer
from qbank.load import load_bank
from qbank.markup import to_text
from qbank.model import Essay, Multi, Numeric, Single

LMS_BANK = ROOT / "tests" / "fixtures" / "lms"
SAMPLE = ROOT / "bank"
#: Moodle's grade options (question_bank::fraction_options_full), as fractions of 1
MOODLE_GRADES = [
    1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3,
    0.25, 0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0,
]  # fmt: skip
READ_BY_MOODLE2AMC = {"multichoice", "numerical", "essay"}


def export(bank: Path, out: Path, *args: str) -> Path:
    result = CliRunner().invoke(main, ["export", "moodle", str(bank), "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    return out


def moodle2amc() -> str:
    tool = require_tool("moodle2amc", str(Path(sys.executable).parent / "moodle2amc"))
    try:
        import wand.image  # noqa: F401  (needs libmagickwand)
    except ImportError as exc:  # pragma: no cover - depends on the machine
        require_tool(f"libmagickwand ({exc})", "/nonexistent")
    return tool


def run_moodle2amc(xml: Path) -> tuple[str, str]:
    """Convert with moodle2amc in a scratch folder; returns (tex, log)."""
    tool = moodle2amc()
    work = xml.parent / f"{xml.stem}-amc"
    work.mkdir()
    shutil.copy(xml, work / "in.xml")
    proc = subprocess.run(
        [tool, "in.xml", "-o", "out.tex"], cwd=work, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return (work / "out.tex").read_text(encoding="utf-8"), proc.stdout + proc.stderr


def amc_questions(tex: str) -> dict[str, dict[str, Any]]:
    """``{label: {"env", "choices": [(correct, text)], "numeric", "open"}}`` from AMC LaTeX."""
    out: dict[str, dict[str, Any]] = {}
    pattern = re.compile(
        r"\\begin\{(questionmultx|questionmult|question)\}\{([^}]*)\}(.*?)\\end\{\1\}", re.S
    )
    for env, label, body in pattern.findall(tex):
        choices = [
            (kind == "correct", text.strip())
            for kind, text in re.findall(r"\\(correct|wrong)choice\{(.*?)\}\n", body)
        ]
        numeric = re.search(r"\\AMCnumericChoices\{([^}]*)\}", body)
        out[label] = {
            "env": env,
            "choices": choices,
            "numeric": numeric.group(1) if numeric else None,
            "open": "\\AMCOpen" in body,
        }
    return out


def amc_label(qid: str) -> str:
    from amc2moodle.utils.text import clean_q_name

    return str(clean_q_name(qid))


@pytest.mark.slow
@pytest.mark.parametrize("bank", [SAMPLE, LMS_BANK], ids=["sample", "all-types"])
def test_moodle2amc_reads_the_export(bank: Path, tmp_path: Path) -> None:
    xml = export(bank, tmp_path / "bank.xml")
    tex, log = run_moodle2amc(xml)
    found = amc_questions(tex)
    loaded = load_bank(bank)
    root = ET.parse(xml).getroot()
    types = {q.findtext("idnumber"): q.get("type") for q in root if q.get("type") != "category"}
    assert set(types) == {q.id for q in loaded.questions}
    for q in loaded.questions:
        label = amc_label(q.id)
        if types[q.id] not in READ_BY_MOODLE2AMC:
            # skipped, and said so: nothing is dropped silently
            assert f"Question '{q.id}' of type '{types[q.id]}' is not supported" in log
            assert label not in found
            continue
        got = found[label]
        if isinstance(q, Single | Multi):
            assert got["env"] == ("question" if isinstance(q, Single) else "questionmult")
            assert [c for c, _ in got["choices"]] == [o.correct for o in q.options], q.id
            for (_, text), opt in zip(got["choices"], q.options, strict=True):
                plain = to_text(opt.text)
                # options without markup or LaTeX-special characters come out verbatim
                if opt.text == plain and re.fullmatch(r"[A-Za-z0-9 ,.()'-]+", plain):
                    assert text == plain, q.id
        elif isinstance(q, Numeric):
            assert got["numeric"] is not None and float(got["numeric"]) == float(q.answer)
        elif isinstance(q, Essay):
            assert got["open"], q.id
    # the embedded image of the sample bank's single-choice question came through
    if bank == SAMPLE:
        assert (tmp_path / "bank-amc" / "Figures" / "nat-gateway.png").stat().st_size > 0


@pytest.mark.parametrize("bank", [SAMPLE, LMS_BANK], ids=["sample", "all-types"])
def test_fractions_are_moodle_grades_and_sum_right(bank: Path, tmp_path: Path) -> None:
    root = ET.parse(export(bank, tmp_path / "bank.xml")).getroot()
    loaded = load_bank(bank)
    for el in root.iter("question"):
        if el.get("type") != "multichoice":
            continue
        q = loaded.by_id()[el.findtext("idnumber") or ""]
        assert isinstance(q, Single | Multi)
        fractions = [float(a.get("fraction", "x")) / 100 for a in el.findall("answer")]
        for f in fractions:  # Moodle's import accepts a grade only within 1e-5 of the list
            assert min(abs(abs(f) - g) for g in MOODLE_GRADES) < 1e-5, (q.id, f)
        positive = [f for f in fractions if f > 0]
        assert round(sum(positive), 2) == 1.0, q.id
        assert [f > 0 for f in fractions] == [o.correct for o in q.options]
        if isinstance(q, Single):
            assert el.findtext("single") == "true" and max(fractions) == 1.0
        else:
            assert el.findtext("single") == "false"
            wrong = [f for f in fractions if f <= 0]
            expected = -1 / len(positive) if q.partial else -1.0
            assert all(abs(f - expected) < 1e-5 for f in wrong), q.id


def test_every_type_as_moodle_writes_it(tmp_path: Path) -> None:
    root = ET.parse(export(LMS_BANK, tmp_path / "b.xml")).getroot()
    by_id = {q.findtext("idnumber"): q for q in root if q.get("type") != "category"}
    assert {k: v.get("type") for k, v in by_id.items()} == {
        "single-specials": "multichoice",
        "multi-thirds": "multichoice",
        "multi-strict": "multichoice",
        "tf-false": "truefalse",
        "short-case": "shortanswer",
        "numeric-percent": "numerical",
        "numeric-abs": "numerical",
        "cloze-two": "cloze",
        "cloze-specials": "cloze",
        "cloze-one": "cloze",
        "match-specials": "matching",
        "order-steps": "ordering",
        "essay-rubric": "essay",
    }
    single = by_id["single-specials"]
    assert single.findtext("defaultgrade") == "2"
    assert [t.findtext("text") for t in single.iter("tag")] == ["maths", "a:b", "difficulty:easy"]
    text = single.findtext("questiontext/text") or ""
    assert "&lt;script&gt;" in text and "<script>" not in text  # shown, never run
    assert "]]>" not in text and "]]&gt;" in text
    assert r"\(x^{2}\)" in text  # maths kept for Moodle's MathJax filter
    assert single.findtext("answer/feedback/text") == "<p>Right: #1 &lt;b&gt;bold&lt;/b&gt;</p>"
    assert "{1/2}" in (single.findtext("generalfeedback/text") or "")
    tf = by_id["tf-false"]
    assert [(a.findtext("text"), a.get("fraction")) for a in tf.findall("answer")] == [
        ("true", "0"),
        ("false", "100"),
    ]
    short = by_id["short-case"]
    assert short.findtext("usecase") == "1"
    assert [a.findtext("text") for a in short.findall("answer")] == ["Python", r"CPython 3\*"]
    num = by_id["numeric-percent"]
    assert num.findtext("answer/text") == "9.81"
    assert num.findtext("answer/tolerance") == "0.1962"  # 2 % of 9.81, made absolute
    assert num.findtext("units/unit/unit_name") == "m/s^2"
    assert num.findtext("units/unit/multiplier") == "1"
    assert by_id["numeric-abs"].findtext("answer/tolerance") == "0.1"
    cloze = by_id["cloze-two"]
    qtext = cloze.findtext("questiontext/text") or ""
    assert "{1:SHORTANSWER:=cat~=kitty}" in qtext and "{1:SHORTANSWER:=mat}" in qtext
    assert "&#123;not blank}" in qtext  # the author's brace cannot start an embedded answer
    assert cloze.find("defaultgrade") is None  # Moodle sums the blanks' marks
    (file,) = cloze.findall("questiontext/file")
    assert file.get("name") == "diagram.png" and file.get("encoding") == "base64"
    assert 'src="@@PLUGINFILE@@/diagram.png"' in qtext
    specials = by_id["cloze-specials"].findtext("questiontext/text") or ""
    assert r"{1:SHORTANSWER_C:=a&#126;b\#c\}d\*e~=x&#38;y&lt;z&gt;}" in specials
    match = by_id["match-specials"]
    pairs = [(s.findtext("text"), s.findtext("answer/text")) for s in match.findall("subquestion")]
    assert pairs == [("~", "tilde"), ("=", "equals -> sign"), ("#", "hash")]
    order = by_id["order-steps"]
    assert [a.findtext("text") for a in order.findall("answer")] == [
        "Load",
        "Validate",
        "Export &lt;all&gt;",
    ]
    assert [a.get("fraction") for a in order.findall("answer")] == [
        "1.0000000",
        "2.0000000",
        "3.0000000",
    ]
    assert order.findtext("gradingtype") == "ALL_OR_NOTHING"
    essay = by_id["essay-rubric"]
    assert essay.findtext("graderinfo/text") == "<p>Full marks: <strong>two</strong> reasons.</p>"
    assert essay.findtext("responsefieldlines") == "8"
    assert essay.findtext("maxwordlimit") == "200"
    assert essay.find("questiontext/file") is not None
    cats = [c.findtext("category/text") for c in root if c.get("type") == "category"]
    assert (
        cats[0] == "$course$/top/LMS: types & <specials>/1 Maths: {basics}/1.1 Fractions // ratios"
    )


# Moodle's multianswer regexes (question/type/multianswer/questiontype.php), ported to
# Python: PHP's `(?<!\\\\|&|&amp;)` becomes three fixed-width lookbehinds.
_ALT = (
    r"(=|%(-?[0-9]+(?:[.,][0-9]*)?)%)?"
    r"(.+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$))"
    r"(#(.*?(?<!\\)(?=[~}]|$)))?"
)
_ANSWER = r"\{([0-9]*):(SHORTANSWER_C|SAC|MWC|SHORTANSWER|SA|MW):(" + _ALT + "(~" + _ALT + r")*)\}"


def moodle_cloze(text: str) -> list[list[str]]:
    """The answers of each embedded sub-question, read the way Moodle's
    ``qtype_multianswer_extract_question`` reads them (entities decoded, then ``\\}``
    and ``\\#`` unescaped)."""
    import html

    out: list[list[str]] = []
    while m := re.search(_ANSWER, text, re.S):
        remaining = m.group(3)
        answers = []
        while alt := re.match("~?" + _ALT, remaining, re.S):
            answer = html.unescape(alt.group(3)).replace("\\}", "}").replace("\\#", "#")
            answers.append(answer)
            remaining = remaining.split(alt.group(0), 1)[1]
        out.append(answers)
        text = text.replace(m.group(0), f"{{#{len(out)}}}", 1)
    return out


def test_cloze_answers_survive_moodles_parser(tmp_path: Path) -> None:
    for answer in ["a~b", "c#d", "e}f", "g\\h", "g\\}", "x&y<z>", "tail&", "50%", "star*"]:
        embedded = "<p>x {1:SHORTANSWER:=" + cloze_answer(answer) + "~=other} y</p>"
        got = moodle_cloze(embedded)
        # `*` stays escaped: shortanswer's own wildcard rule reads `\*` as a literal star
        assert got == [[answer.replace("*", "\\*"), "other"]], (answer, got)
    root = ET.parse(export(LMS_BANK, tmp_path / "b.xml")).getroot()
    texts = {
        q.findtext("idnumber"): q.findtext("questiontext/text") or ""
        for q in root
        if q.get("type") == "cloze"
    }
    assert moodle_cloze(texts["cloze-two"]) == [["cat", "kitty"], ["mat"]]
    assert moodle_cloze(texts["cloze-specials"]) == [["a~b#c}d\\*e", "x&y<z>"]]
    assert moodle_cloze(texts["cloze-one"]) == [["100", "one hundred"]]


def test_same_input_same_bytes_and_moodle_reference_order(tmp_path: Path) -> None:
    a = export(LMS_BANK, tmp_path / "a.xml").read_bytes()
    b = export(LMS_BANK, tmp_path / "b.xml").read_bytes()
    assert a == b
    # element order per type, compared with what Moodle wrote (amc2moodle's bundled bank)
    import amc2moodle

    reference = (
        Path(amc2moodle.__file__).parent
        / "tests"
        / "payload_test_moodle2amc"
        / "moodle-bank-exemple.xml"
    )
    if not reference.exists():  # pragma: no cover
        pytest.skip("amc2moodle's example bank is not installed")
    moodle_order: dict[str, list[str]] = {}
    for q in ET.parse(reference).getroot():
        moodle_order.setdefault(q.get("type") or "", list(dict.fromkeys(c.tag for c in q)))
    ours = ET.fromstring(a)
    checked = set()
    for q in ours:
        qtype = q.get("type") or ""
        if qtype not in moodle_order:
            continue
        checked.add(qtype)
        tags = list(dict.fromkeys(c.tag for c in q))
        common = [t for t in tags if t in moodle_order[qtype]]
        assert common == [t for t in moodle_order[qtype] if t in tags], qtype
        # the header Moodle writes for every question, in Moodle's order
        assert tags[:6] == moodle_order["essay"][:6] or qtype == "category"
    assert {"multichoice", "numerical", "essay", "category"} <= checked


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("aZ09 .,;:?'\"()/%$@=+-é≈\u00a0\t\n`*_[]<>&!#{}~|^\\")),
        max_size=12,
    )
)
def test_plain_fast_path_renders_like_markdown(text: str) -> None:
    """Plain texts skip the markdown parser (qbank.markup.to_html / to_text, and so every
    export): same HTML and plain text as the parsed document."""
    from qbank.export import Files, html
    from qbank.markup import Markup, is_plain, to_html, to_text

    files = Files(LMS_BANK, "")
    if is_plain(text):
        parsed = Markup(text)  # not parse(): no cache, always the parser
        assert html(text, files) == to_html(text) == parsed.to_html(), text
        assert to_html(text, inline=True) == parsed.to_html(inline=True), text
        assert html(text, files, inline=True) == parsed.to_html(inline=True), text
        assert to_text(text) == parsed.to_text(), text


@pytest.mark.parametrize(
    "text",
    ["2", "10 items", "a  b", "é", '"quoted" it\'s', "a - b", "x = y + 1", "http://x.org/a",
     "50% off", "A: b; c?", "Use S3 (not EBS)", "≈ 9.81 m/s", "1.5 m", "1 / 2", "1. one",
     "3) three", "- a", "+ a", "a\nb", " a", "a ", "a  ", "x\u00a0y", "mail@example.org"],
)  # fmt: skip
def test_plain_fast_path_examples(text: str) -> None:
    from qbank.export import Files, html
    from qbank.markup import Markup, is_plain, to_text

    if is_plain(text):
        parsed = Markup(text)
        assert html(text, Files(LMS_BANK, "")) == parsed.to_html()
        assert html(text, Files(LMS_BANK, ""), inline=True) == parsed.to_html(inline=True)
        assert to_text(text) == parsed.to_text()
    else:
        assert text in (
            '"quoted" it\'s',
            "1. one",
            "3) three",
            "- a",
            "+ a",
            "a\nb",
            " a",
            "a ",
            "a  ",
        )


def test_ids_with_runs_of_dashes_keep_the_xml_well_formed(tmp_path: Path) -> None:
    """The ``<!-- question: id -->`` comment must not hold ``--`` (XML 1.0 §2.5)."""
    bank = tmp_path / "bank"
    (bank / "questions").mkdir(parents=True)
    (bank / "qbank.yaml").write_text('id: d\ntitle: D\ntopics:\n  "1": One\n')
    (bank / "questions" / "a.yaml").write_text(
        'topic: "1"\nquestions:\n'
        + "".join(
            f"  - id: {qid}\n    type: truefalse\n    text: Statement {n} is here.\n"
            f"    answer: true\n    explanation: Because {n}.\n"
            for n, qid in enumerate(["a--b", "a---b", "c----", "d-"])
        )
    )
    root = ET.parse(export(bank, tmp_path / "d.xml")).getroot()
    names = [q.findtext("idnumber") for q in root if q.get("type") != "category"]
    assert names == ["a--b", "a---b", "c----", "d-"]
