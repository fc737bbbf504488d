"""`qbank import moodle`: real files written by Moodle (amc2moodle's bundled bank and test
inputs) and a file covering every construct of the mapping; hostile and foreign input."""

from __future__ import annotations

import base64
import hashlib
import html as htmllib
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from qbank.cli import main
from qbank.importers.moodle import import_moodle
from qbank.load import load_bank
from qbank.markup import to_text

REAL = Path(__file__).parent / "fixtures" / "real" / "amc2moodle"
AMC_FILES = sorted(REAL.glob("*.xml"))


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def _questions_in(path: Path) -> list[etree._Element]:
    root = etree.parse(str(path)).getroot()
    return [q for q in root.iter("question") if q.get("type") != "category"]


@pytest.mark.parametrize("path", AMC_FILES, ids=lambda p: p.name)
def test_real_moodle_files_account_for_every_question(path: Path, tmp_path: Path) -> None:
    result = import_moodle(path.read_bytes(), path.name)
    source = _questions_in(path)
    assert result.total == len(source)
    assert len(result.questions) + result.not_imported == len(source)
    # every question not imported is named with its line, and is of a kind qbank lacks
    lost_lines = {int(loss.where.split(" ")[0]) for loss in result.losses if loss.question}
    kinds = {q.sourceline: q.get("type") for q in source}
    assert {kinds[line] for line in lost_lines} <= {"description", "calculatedmulti"}
    code, out = run("import", "moodle", str(path), "--into", str(tmp_path / "bank"))
    assert code == 0, out
    assert f"imported {len(result.questions)} of {len(source)}" in out
    bank = load_bank(tmp_path / "bank")
    assert [p for p in bank.problems if p.severity == "error"] == []
    assert len(bank.questions) == len(result.questions)


def test_moodle_bank_exemple_mapping(tmp_path: Path) -> None:
    path = REAL / "moodle-bank-exemple.xml"
    code, out = run("import", "moodle", str(path), "--into", str(tmp_path / "b"))
    assert code == 0, out
    assert "imported 10 of 13; 3 not imported (see above)" in out
    assert "moodle-bank-exemple.xml:259 (ProblemDescription): not imported: description" in out
    assert "(Calculée): not imported: calculatedmulti question" in out
    bank = load_bank(tmp_path / "b")
    qs = bank.by_id()
    # categories → topics and the manifest taxonomy
    assert qs["num-int"].topic == "moodle2amc/num"
    assert bank.manifest is not None
    assert bank.manifest.topics["moodle2amc/num"] == "num"
    # numerical: exact answer, tolerance kept as typed decimal text
    assert (qs["num-int"].answer, qs["num-int"].tolerance) == ("150", None)
    assert (qs["num-float"].answer, qs["num-float"].tolerance) == ("3.141592653589793", "0.001")
    # essay lines; single choice with formatting → markdown
    assert qs["essai"].type == "essay" and qs["essai"].lines == 3
    html = qs["html-layout"]
    assert html.type == "single"
    assert [o.text for o in html.options][1:3] == [
        "This is one *italic* wrong answer.",
        "This a wrong **bold** answer.",
    ]
    assert html.options[0].correct
    assert "\\( \\int_{2\\pi} x^2 \\mathrm{d} x \\)" in html.text  # maths kept as written
    # embedded files → media/ named by content hash, referenced from the text
    xml = etree.parse(str(path)).getroot()
    png = next(f for f in xml.iter("file") if f.get("name") == "4.png")
    digest = hashlib.sha256(base64.b64decode(png.text or "")).hexdigest()[:16]
    assert f"![](media/{digest}.png)" in html.text
    assert (tmp_path / "b" / "media" / f"{digest}.png").read_bytes() == base64.b64decode(
        png.text or ""
    )
    # code: inline code span and a fenced block
    assert "`x = sqrt(3)`" in qs["code"].text and "```\na = 2\nb = a + 3.14\n```" in qs["code"].text
    # general feedback → explanation; per-answer feedback kept
    assert qs["code"].explanation == "global feedback"
    assert qs["code"].options[0].feedback == "this the feedback of question 1"
    # a table stays raw HTML with the QB505 warning (and a note in the YAML)
    assert "<table>" in qs["table"].text
    assert "raw-HTML warning" in out and "3 raw-HTML warning(s)" in out
    assert "a table is kept as raw HTML" in (tmp_path / "b" / "moodle2amc.yaml").read_text()


ALL_KINDS = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/Physics/Units</text></category></question>
  <question type="truefalse">
    <name><text>tf</text></name>
    <questiontext format="html"><text><![CDATA[<p>Light is a wave.</p>]]></text></questiontext>
    <generalfeedback format="html"><text>It is also a particle.</text></generalfeedback>
    <answer fraction="0" format="moodle_auto_format"><text>true</text><feedback><text>No</text></feedback></answer>
    <answer fraction="100" format="moodle_auto_format"><text>false</text><feedback><text/></feedback></answer>
  </question>
  <question type="shortanswer">
    <name><text>capital</text></name>
    <questiontext format="plain_text"><text>Capital of *France*?</text></questiontext>
    <usecase>1</usecase>
    <answer fraction="100"><text>Paris</text></answer>
    <answer fraction="50"><text>paris</text></answer>
    <idnumber>GEO-1</idnumber>
    <tags><tag><text>geo</text></tag><tag><text>europe</text></tag></tags>
  </question>
  <question type="numerical">
    <name><text>g</text></name>
    <questiontext format="html"><text>g?</text></questiontext>
    <answer fraction="100"><text>9.81</text><tolerance>0.05</tolerance></answer>
    <units><unit><multiplier>1</multiplier><unit_name>m/s^2</unit_name></unit>
           <unit><multiplier>100</multiplier><unit_name>cm/s^2</unit_name></unit></units>
    <defaultgrade>2.0000000</defaultgrade>
  </question>
  <question type="matching">
    <name><text>sounds</text></name>
    <questiontext format="html"><text>Match</text></questiontext>
    <subquestion format="html"><text><![CDATA[<p>cat</p>]]></text><answer><text>meow</text></answer></subquestion>
    <subquestion format="html"><text>dog</text><answer><text>woof</text></answer></subquestion>
    <subquestion format="html"><text></text><answer><text>moo</text></answer></subquestion>
  </question>
  <question type="multichoice">
    <name><text>primes</text></name>
    <questiontext format="html"><text><![CDATA[<p>Which are <strong>prime</strong>?</p><ul><li>think</li></ul>]]></text></questiontext>
    <single>false</single><shuffleanswers>0</shuffleanswers>
    <answer fraction="50"><text>2</text><feedback><text>yes</text></feedback></answer>
    <answer fraction="50"><text>3</text></answer>
    <answer fraction="-100"><text>4</text></answer>
    <hidden>1</hidden>
  </question>
  <question type="essay">
    <name><text>essay</text></name>
    <questiontext format="html"><text>Explain.</text></questiontext>
    <responsefieldlines>10</responsefieldlines>
    <graderinfo format="html"><text><![CDATA[<p>Mention <em>both</em>.</p>]]></text></graderinfo>
  </question>
  <question type="ordering">
    <name><text>order</text></name>
    <questiontext format="html"><text>Order them</text></questiontext>
    <answer fraction="2.0000000"><text>second</text></answer>
    <answer fraction="1.0000000"><text>first</text></answer>
    <answer fraction="3.0000000"><text>third</text></answer>
  </question>
  <question type="cloze">
    <name><text>cloze</text></name>
    <questiontext format="html"><text><![CDATA[<p>{1:SHORTANSWER:=Paris~=paris#ok~%50%Lutetia} is the capital; g = {2:NUMERICAL:=9.81:0.05}; pick {1:MC:red~=blue}.</p>]]></text></questiontext>
  </question>
  <question type="random"><name><text>rnd</text></name><questiontext><text>0</text></questiontext></question>
  <question type="ddimageortext"><name><text>drag</text></name><questiontext><text>x</text></questiontext></question>
</quiz>
"""


def test_every_construct(tmp_path: Path) -> None:
    src = tmp_path / "all.xml"
    src.write_text(ALL_KINDS, encoding="utf-8")
    code, out = run("import", "moodle", str(src), "--into", str(tmp_path / "b"))
    assert code == 0, out
    assert "imported 8 of 10; 2 not imported (see above)" in out
    assert "all.xml:" in out and "(rnd): not imported: random question" in out
    assert "(drag): not imported: ddimageortext question" in out
    qs = load_bank(tmp_path / "b").by_id()
    tf = qs["tf"]
    assert tf.type == "truefalse" and tf.answer is False and tf.topic == "physics/units"
    assert tf.explanation == "It is also a particle."
    short = qs["geo-1"]  # idnumber wins over the name
    assert short.type == "short" and short.answers == ["Paris"] and short.case_sensitive
    assert short.text == "Capital of \\*France\\*?"  # plain text stays plain
    assert short.tags == ["geo", "europe"]
    g = qs["g"]
    assert (g.answer, g.tolerance, g.unit, g.points) == ("9.81", "0.05", "m/s^2", 2)
    m = qs["sounds"]
    assert m.pairs == [("cat", "meow"), ("dog", "woof")]
    assert "distractor `moo`" in out
    primes = qs["primes"]
    assert primes.type == "multi" and primes.partial and not primes.shuffle
    assert [o.correct for o in primes.options] == [True, True, False]
    assert primes.options[0].feedback == "yes"
    assert primes.status == "draft"
    assert primes.text == "Which are **prime**?\n\n- think"
    essay = qs["essay"]
    assert essay.lines == 10 and essay.rubric == "Mention *both*."
    assert qs["order"].items == ["first", "second", "third"]
    cloze = qs["cloze"]
    # `paris` repeats `Paris` in a blank that ignores case (QB206): kept once
    assert cloze.text == "{{Paris}} is the capital; g = {{9.81}}; pick {{blue}}."
    text = next((tmp_path / "b").rglob("units.yaml")).read_text()
    assert "# blank 3: choices in Moodle" in text
    assert "# Moodle name: capital" in text


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<quiz><question type="essay"><name><text>&lol2;</text></name></question></quiz>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<quiz><question type="essay"><questiontext><text>&xxe;</text></questiontext></question></quiz>"""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (BILLION_LAUGHS, "DOCTYPE/ENTITY declarations are not allowed"),
        (EXTERNAL, "DOCTYPE/ENTITY declarations are not allowed"),
        (b"<html><body>hi</body></html>", "the root element is <html>, expected <quiz>"),
        (b"<quiz><question>", "not well-formed XML"),
        (b"Who? {=a ~b}\n", "not well-formed XML"),
    ],
)
def test_not_moodle_xml_is_a_clear_error(tmp_path: Path, data: bytes, message: str) -> None:
    src = tmp_path / "in.xml"
    src.write_bytes(data)
    code, out = run("import", "moodle", str(src), "--into", str(tmp_path / "b"))
    assert code == 1
    assert message in out and "in.xml" in out
    assert "Traceback" not in out
    assert not (tmp_path / "b").exists()


def test_round_trip_through_moodle_export(tmp_path: Path) -> None:
    """import → `qbank export moodle` keeps the questions, answers and fractions.

    The Moodle exporter is built on another branch; this runs once it is on main.
    """
    code, out = run("export", "moodle", "--help")
    if code != 0:
        pytest.skip("qbank export moodle is not available yet")
    path = REAL / "moodle-bank-exemple.xml"
    assert run("import", "moodle", str(path), "--into", str(tmp_path / "b"))[0] == 0
    target = tmp_path / "out.xml"
    code, out = run("export", "moodle", str(tmp_path / "b"), "-o", str(target), "--no-shuffle")
    assert code == 0, out

    def norm(html_text: str) -> str:
        # tags out, entities decoded, tags out again (raw HTML that qbank shows as text
        # comes back escaped), whitespace collapsed
        text = htmllib.unescape(re.sub(r"<[^>]+>", " ", html_text or ""))
        return " ".join(re.sub(r"<[^>]+>", " ", text).split())

    def key(xml: Path, *, original: bool = False) -> list[tuple[str, list[tuple[str, float]]]]:
        """Per question: its type and (answer text, fraction) pairs. For the original, what
        the import reports as not carried over is left out: numerical and short answers
        below 100% (kept only as notes)."""
        out = []
        for q in _questions_in(xml):
            kind = q.get("type", "")
            if kind in ("description", "calculatedmulti"):
                continue
            answers = sorted(
                (
                    norm(
                        to_text(a.findtext("text") or "")
                        if a.get("format") == "markdown"
                        else a.findtext("text") or ""
                    ),
                    float(a.get("fraction", "0")),
                )
                for a in q.iter("answer")
                if not (original and kind in ("numerical", "shortanswer"))
                or float(a.get("fraction", "0")) >= 100
            )
            out.append((kind, answers))
        return out

    # the bank keeps questions by category file, so the order may differ from the source
    assert sorted(key(target)) == sorted(key(path, original=True))


def test_sample_bank_through_moodle_export_and_back(tmp_path: Path, sample_bank: Path) -> None:
    """`qbank export moodle` → `qbank import moodle`: every question comes back with its
    type, text, options and key. What Moodle XML has no place for is documented
    (docs/importing.md): status, source, max_words; a zero tolerance is no tolerance; Moodle
    grades multiple answers partially. Topics come back with their keys (the category's
    idnumber) and the manifest taxonomy with their titles (the category names)."""
    xml = tmp_path / "bank.xml"
    code, out = run("export", "moodle", str(sample_bank), "-o", str(xml), "--no-shuffle")
    assert code == 0, out
    code, out = run("import", "moodle", str(xml), "--into", str(tmp_path / "b"))
    assert code == 0, out
    original = {q.id: q for q in load_bank(sample_bank).questions}
    back = {q.id: q for q in load_bank(tmp_path / "b").questions}
    assert set(back) == set(original)
    same = (
        "type",
        "topic",
        "tags",
        "difficulty",
        "options",
        "answer",
        "answers",
        "items",
        "pairs",
        "case_sensitive",
        "unit",
        "explanation",
        "points",
        "lines",
        "shuffle",
    )
    for qid, q in original.items():
        a, b = q.model_dump(), back[qid].model_dump()
        for field in same:
            assert a.get(field) == b.get(field), (qid, field, a.get(field), b.get(field))
        if "media/" not in a["text"]:  # images come back under their content hash
            assert a["text"] == b["text"], qid
    # the taxonomy: every topic used, and its ancestors, with the manifest's titles
    taxonomy = load_bank(sample_bank).manifest.topics  # type: ignore[union-attr]
    imported = load_bank(tmp_path / "b").manifest.topics  # type: ignore[union-attr]
    used = {str(q.topic) for q in original.values() if q.topic}
    assert used and used <= set(imported)
    for key, title in imported.items():
        assert taxonomy[key] == title, (key, title)
    assert all(
        k in imported for k in taxonomy if any(u == k or u.startswith(k + ".") for u in used)
    )


def test_category_idnumber_is_the_topic_key(tmp_path: Path) -> None:
    """A category's idnumber (what `qbank export moodle` writes, and what Moodle keeps for a
    category) is the topic key; `KEY Title` names give the taxonomy titles, and a key no
    name carries takes the category's own name."""
    src = tmp_path / "cats.xml"
    src.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'
        '<question type="category"><category><text>$course$/top/Course/2 Statistics/'
        "2.3 Sampling</text></category><idnumber>2.3</idnumber></question>\n"
        '<question type="truefalse"><name><text>s</text></name><questiontext format="html">'
        "<text>A sample is a subset.</text></questiontext>"
        '<answer fraction="100"><text>true</text></answer>'
        '<answer fraction="0"><text>false</text></answer></question>\n'
        '<question type="category"><category><text>$course$/top/Physics/Units</text>'
        "</category><idnumber>CAT-7</idnumber></question>\n"
        '<question type="truefalse"><name><text>u</text></name><questiontext format="html">'
        "<text>The metre is a unit.</text></questiontext>"
        '<answer fraction="100"><text>true</text></answer>'
        '<answer fraction="0"><text>false</text></answer></question>\n'
        '<question type="category"><category><text>$course$/top/Plain</text></category>'
        "<idnumber></idnumber></question>\n"
        '<question type="truefalse"><name><text>p</text></name><questiontext format="html">'
        "<text>Plain is plain.</text></questiontext>"
        '<answer fraction="100"><text>true</text></answer>'
        '<answer fraction="0"><text>false</text></answer></question>\n'
        "</quiz>\n",
        encoding="utf-8",
    )
    code, out = run("import", "moodle", str(src), "--into", str(tmp_path / "b"))
    assert code == 0, out
    bank = load_bank(tmp_path / "b")
    qs = bank.by_id()
    assert (qs["s"].topic, qs["u"].topic, qs["p"].topic) == ("2.3", "CAT-7", "plain")
    assert bank.manifest is not None
    assert dict(bank.manifest.topics) == {
        "2": "Statistics",
        "2.3": "Sampling",
        "CAT-7": "Units",
        "plain": "Plain",
    }
    assert (tmp_path / "b" / "2.3.yaml").is_file() and (tmp_path / "b" / "cat-7.yaml").is_file()
