"""The Moodle importer's shortcuts (issue 15) give what the plain lxml calls they replace
give: a question's children read once and filtered in Python instead of tag-filtered
iterators, fractions and default grades parsed once per spelling, a cloze question's
marked text converted without a stand-in element. Compared on every question of the
import benchmark's file, of the real Moodle XML files in tests/fixtures and on hostile
shapes (namespaces, entities, repeated and missing children)."""

from __future__ import annotations

import base64
import hashlib
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from qbank.importers import IdAllocator
from qbank.importers.moodle import (
    _CLOZE_ANSWERS,
    _cloze_answers,
    _dec_text,
    _grade,
    _num,
    _Reader,
    _tag_texts,
    import_moodle,
    parse_bytes,
)

ROOT = Path(__file__).resolve().parent.parent
REAL = sorted((ROOT / "tests" / "fixtures" / "real" / "amc2moodle").glob("*.xml"))

HOSTILE = b"""<?xml version="1.0"?>
<quiz xmlns:n="urn:x">
  <question type="multichoice">
    <n:answer fraction="100"><text>namespaced</text></n:answer>
    <answer><text>no fraction</text><n:feedback/><feedback><text>fb</text></feedback></answer>
    <answer fraction="1e2"/>
    <answer xmlns="urn:y" fraction="100"><text>default namespace</text></answer>
    <hint><text>h1</text></hint><hint/>
    <units><unit><unit_name>m</unit_name></unit><n:unit/><unit/></units><units/>
    <subquestion><text>s</text></subquestion>
    <tags><tag><text> a </text><text>b</text></tag><n:tag><text>c</text></n:tag>
      <tag/><tag><text>  </text></tag><tag><n:text>d</n:text><text>e<x/>f</text></tag></tags>
  </question>
</quiz>
"""


def _bench_file(n: int) -> bytes:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from import_moodle import moodle_xml  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    return bytes(moodle_xml(n))


def _files() -> list[tuple[str, bytes]]:
    return [
        ("bench", _bench_file(400)),
        ("hostile", HOSTILE),
        *((p.name, p.read_bytes()) for p in REAL),
    ]


def _at(reader: _Reader, q: etree._Element) -> None:
    """Put ``reader`` on question ``q`` as its main loop does."""
    reader.children = q[:]
    reader.first = {child.tag: child for child in reversed(reader.children)}


@pytest.mark.parametrize("name,data", _files(), ids=lambda x: x if isinstance(x, str) else "")
def test_children_filters_are_the_tag_filtered_iterators(name: str, data: bytes) -> None:
    root = parse_bytes(data, name)
    reader = _Reader(name, IdAllocator())
    questions = tags_seen = 0
    for q in root.iter("question"):
        questions += 1
        _at(reader, q)
        for tag in ("answer", "hint", "subquestion", "units", "tags", "text", "nothing"):
            assert reader.all(tag) == list(q.iterchildren(tag))
        assert reader.all("units", "unit") == [
            u for units in q.iterchildren("units") for u in units.iterchildren("unit")
        ]
        for tags in q.iterchildren("tags"):
            want = [
                t.strip()
                for t in (
                    x.text or ""
                    for tag in tags.iterchildren("tag")
                    for x in tag.iterchildren("text")
                )
                if t.strip()
            ]
            assert _tag_texts(tags) == want
            tags_seen += 1
    assert questions
    assert tags_seen or name in {p.name for p in REAL}


def _grade_plain(raw: str | None) -> tuple[int | None, str | None]:
    """finish()'s default-grade rule as written before the cache."""
    grade = _num(raw or None)
    if grade is not None and grade != 1:
        if grade == grade.to_integral_value() and grade > 0:
            return int(grade), None
        return None, f"default grade {_dec_text(grade)} is not a whole number of points"
    return None, None


SPELLINGS = [
    None, "", " ", "1", "1.0000000", " 1 ", "2", "2.0000000", "+3", "0", "-0", "0.0",
    "-1", "0.5", "2.5", "1e1", "1E+1", "10", "abc", "NaN", "-Infinity", "inf", "100",
    "33.33333", "-100", "1_000", "\u0661", "1.",
]  # fmt: skip


def test_grades_and_fractions_parsed_once_are_the_plain_parse() -> None:
    for _ in range(2):  # the second round reads the caches
        for raw in SPELLINGS:
            assert _grade(raw) == _grade_plain(raw), raw
    answers = "".join(
        f'<answer fraction="{raw}"><text>{i}</text></answer>' if raw is not None else "<answer/>"
        for i, raw in enumerate(SPELLINGS)
        if raw is None or "<" not in raw
    )
    root = parse_bytes(
        f'<quiz><question type="multichoice">{answers}</question></quiz>'.encode(), "f"
    )
    reader = _Reader("f", IdAllocator())
    q = root[0]
    for _ in range(2):
        _at(reader, q)
        got = reader.answers(q)
        assert [a for _, a in got] == list(q.iterchildren("answer"))
        for frac, a in got:
            want = _num(a.get("fraction")) or Decimal(0)
            assert frac == want and str(frac) == str(want)


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478"
    "9c6360f8cfc0f01f0005000201e2b6b3c80000000049454e44ae426082"
)


def test_cloze_with_an_image_keeps_it() -> None:
    # the marked text is converted with the question text's own files (it used to go
    # through a stand-in <questiontext> element the files were moved into)
    data = f"""<quiz><question type="cloze"><name><text>c</text></name>
      <questiontext format="html"><text><![CDATA[<p>See <img src="@@PLUGINFILE@@/a%20b.png">:
      {{1:SHORTANSWER:=Paris~%50%paris}} and <img src="@@PLUGINFILE@@/gone.png"></p>]]></text>
      <file name="a b.png" path="/" encoding="base64">{base64.b64encode(PNG).decode()}</file>
      </questiontext></question></quiz>""".encode()
    result = import_moodle(data, "c.xml")
    (q,) = result.questions
    digest = hashlib.sha256(PNG).hexdigest()[:16]
    assert result.media == {f"media/{digest}.png": PNG}
    assert q.data["text"] == f"See ![](media/{digest}.png): {{{{Paris}}}} and"
    assert "question text: image gone.png is not in the file, left out" in q.notes
    assert any("partial-credit answers not kept" in n for n in q.notes)


def test_importing_twice_gives_the_same_result() -> None:
    # the module-level caches (fractions, grades) hold pure functions of the text
    data = _bench_file(400) + b""
    first = import_moodle(data, "bench.xml")
    again = import_moodle(data, "bench.xml")
    assert repr(first) == repr(again)
    assert len(first.questions) == 400


def _cloze_answers_plain(body: str) -> tuple[list[str], str]:
    """_cloze_answers as written before the per-body cache and the character checks."""
    import html
    import re

    accepted: list[str] = []
    described: list[str] = []
    for part in re.split(r"(?<!\\)~", body):
        if not part:
            continue
        answer = re.split(r"(?<!\\)#", part, maxsplit=1)[0]
        frac = Decimal(0)
        if answer.startswith("="):
            frac, answer = Decimal(100), answer[1:]
        else:
            m = re.match(r"%(-?\d+(?:\.\d+)?)%", answer)
            if m:
                frac, answer = Decimal(m.group(1)), answer[m.end() :]
        answer = html.unescape(
            answer.replace("\\}", "}").replace("\\#", "#").replace("\\~", "~")
        ).strip()
        answer = re.sub(r"<[^>]+>", "", answer)
        if frac >= 100 and answer:
            tolerance = re.fullmatch(r"[-+0-9.eE]+:[0-9.eE]+", answer)
            accepted.append(answer.split(":", 1)[0] if tolerance else answer)
        described.append(f"{_dec_text(frac)}% {answer}")
    return accepted, "; ".join(described)


CLOZE_PIECES = [
    "=", "~", "#", "%", "%50%", "%-33.3%", "%100%", "%1e2%", "\\~", "\\#", "\\}", "\\",
    "Paris", "paris", " ", "1.5:0.1", "2", ":", "&amp;", "&lt;b&gt;", "<b>", "</b>", "<",
    "é", "fb", "==", "~=", "#x",
]  # fmt: skip


def test_cloze_answers_cached_are_the_plain_parse() -> None:
    import random

    rng = random.Random(77)
    bodies = ["=Paris~=paris", "=12", "=1.5:0.1#ok~%50%2", "", "~", "#"] + [
        "".join(rng.choice(CLOZE_PIECES) for _ in range(rng.randint(0, 10))) for _ in range(4000)
    ]
    for _ in range(2):  # the second round reads the cache
        for body in bodies:
            got = _cloze_answers(body)
            assert got == _cloze_answers_plain(body), body
            got[0].append("changed")  # a caller's list is its own: the cache is untouched
    assert _CLOZE_ANSWERS


def test_a_converted_field_gives_its_notes_every_time() -> None:
    # the per-import cache holds clean conversions as text and the others (dropped
    # formatting, tables) as Converted: a repeated field repeats its notes
    underline = "<![CDATA[<p>a <u>b</u></p>]]>"
    plain = "<![CDATA[<p>Option</p>]]>"
    answer = (
        '<answer fraction="{f}" format="html"><text>{t}</text>'
        '<feedback format="html"><text>{t}</text></feedback></answer>'
    )
    question = (
        '<question type="multichoice"><questiontext format="html"><text>{t}</text>'
        "</questiontext><single>false</single>{a}</question>"
    )
    body = "".join(
        question.format(t=t, a=answer.format(f=100, t=t) + answer.format(f=0, t=plain))
        for t in (underline, plain, underline)
    )
    result = import_moodle(f"<quiz>{body}</quiz>".encode(), "n.xml")
    assert [q.data["text"] for q in result.questions] == ["a b", "Option", "a b"]
    for q in (result.questions[0], result.questions[2]):
        assert q.notes.count("question text: formatting not kept: underline") == 1
        assert q.notes.count("answer 1: formatting not kept: underline") == 1
        assert q.notes.count("answer 1 feedback: formatting not kept: underline") == 1
    assert not any("formatting" in n for n in result.questions[1].notes)
