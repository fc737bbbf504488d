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
    reader.q = q
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
