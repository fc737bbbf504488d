"""``qbank export qti``: QTI 3.0 scored by a real player, QTI 1.2 compared with text2qti.

* QTI 3.0: every item of the sample bank and of the all-types bank is loaded into
  @citolab/qti-components 7.27.4 (npm, pinned in tests/node) in Debian's Chromium; answering
  with the key scores SCORE = 1, an all-wrong answer scores 0. This proves that the player
  parses the items and runs their response processing as we wrote it. It cannot prove that
  an LMS (or the 1EdTech schema, which we did not read) accepts the package.
* QTI 1.2 (Canvas): the same questions written by text2qti 0.8.0 (PyPI) and by qbank have
  the same package layout, manifest resource types, item metadata fields, question types,
  presentation and response-processing element structure, and the scoring conditions point
  at the same (correct) choices. This proves we write what text2qti writes, which Canvas
  imports; it cannot prove Canvas imports the types text2qti does not write (cloze as
  fill_in_multiple_blanks, matching), whose shape follows Canvas's own exports from memory.
* Both: every XML file is well-formed, in the namespace it declares, and the zip is the
  same bytes for the same input.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import ROOT, require_tool
from qbank.cli import main
from qbank.export import absolute_tolerance
from qbank.export.qti import ident
from qbank.grade import blank_answers
from qbank.load import load_bank
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

LMS_BANK = ROOT / "tests" / "fixtures" / "lms"
SAMPLE = ROOT / "bank"
CITOLAB = ROOT / "tests" / "node" / "node_modules" / "@citolab" / "qti-components"
CHROMIUM = "/usr/bin/chromium"
QTI3_NS = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
QTI12_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"


def export(bank: Path, out: Path, *args: str) -> tuple[Path, str]:
    result = CliRunner().invoke(main, ["export", "qti", str(bank), "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    return out, result.output


def unzip(path: Path, dest: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        zf.extractall(dest)
        return zf.namelist()


def well_formed(folder: Path) -> None:
    """Every XML file parses and every element is in its root's declared namespace."""
    for f in folder.rglob("*.xml"):
        root = ET.parse(f).getroot()
        ns = root.tag[1:].split("}")[0]
        for el in root.iter():
            assert el.tag.startswith("{"), (f, el.tag)
            el_ns = el.tag[1:].split("}")[0]
            assert el_ns == ns or el_ns.startswith("http://www.imsglobal.org/xsd/imsmd"), (
                f,
                el.tag,
            )


@pytest.mark.parametrize("version", ["1.2", "3.0"])
def test_package_is_deterministic_well_formed_and_complete(version: str, tmp_path: Path) -> None:
    a, _ = export(LMS_BANK, tmp_path / "a.zip", "--qti-version", version)
    b, _ = export(LMS_BANK, tmp_path / "b.zip", "--qti-version", version)
    assert a.read_bytes() == b.read_bytes()
    names = unzip(a, tmp_path / "x")
    well_formed(tmp_path / "x")
    with zipfile.ZipFile(a) as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    manifest = ET.parse(tmp_path / "x" / "imsmanifest.xml").getroot()
    hrefs = {f.get("href") for f in manifest.iter() if f.tag.endswith("}file")}
    assert hrefs <= set(names) and hrefs  # every file the manifest lists is in the zip
    media = "images/diagram.png" if version == "1.2" else "media/diagram.png"
    assert media in names and media in hrefs
    xml = [tmp_path / "x" / n for n in names if n.endswith(".xml")]
    if version == "1.2":  # HTML inside <mattext>: the decoded text is HTML with the tag escaped
        text = "\n".join("".join(ET.parse(f).getroot().itertext()) for f in xml)
    else:  # XHTML markup in the item body: the file has the tag escaped
        text = "\n".join(f.read_text("utf-8") for f in xml)
    assert "<script>" not in text and "&lt;script&gt;" in text  # shown as text, never run


# -- QTI 3.0 in a real player ---------------------------------------------------------------

PAGE = """<!doctype html><html><head><meta charset="utf-8"></head><body><div id="host"></div>
<script type="module">
import { qtiTransformItem, qtiTransformTest } from '/qti/index.js';
window.testItems = async (href) => {
  const xml = await (await fetch(href)).text();
  return qtiTransformTest().parse(xml).items().map((i) => [i.identifier, i.href]);
};
window.scoreItem = async (href, responses) => {
  const xml = await (await fetch(href)).text();
  const host = document.getElementById('host');
  const folder = href.slice(0, href.lastIndexOf('/') + 1);
  host.innerHTML = qtiTransformItem().parse(xml).path(folder).html();
  const item = host.querySelector('qti-assessment-item');
  await customElements.whenDefined('qti-assessment-item');
  if (item.updateComplete) await item.updateComplete;
  await new Promise((r) => setTimeout(r, 20));
  const interactions = host.querySelectorAll('[response-identifier]').length;
  const images = await Promise.all([...host.querySelectorAll('img')].map(
    (img) => img.decode().then(() => img.naturalWidth, () => 0)));
  for (const [id, v] of Object.entries(responses)) item.updateResponseVariable(id, v);
  item.processResponse();
  const o = item.getOutcome('SCORE');
  return { score: o ? Number(o.value) : null, interactions, images };
};
document.body.dataset.ready = '1';
</script></body></html>"""


@pytest.fixture
def player(tmp_path: Path) -> Iterator[Any]:
    path = require_tool("chromium", CHROMIUM)
    if not (CITOLAB / "cdn" / "index.js").exists():
        require_tool("@citolab/qti-components (make node-deps)", "/nonexistent")
    version = json.loads((CITOLAB / "package.json").read_text("utf-8"))["version"]
    assert version == "7.27.4"
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, headless=True, args=["--no-sandbox"])
        page = browser.new_page()
        served: dict[str, Path] = {}

        def route(r: Any) -> None:
            url = r.request.url
            rel = url.split("://qti.test", 1)[-1]
            if rel == "/":
                r.fulfill(body=PAGE, content_type="text/html")
            elif rel.startswith("/qti/"):
                r.fulfill(path=str(CITOLAB / "cdn" / rel[5:]))
            elif rel.startswith("/pkg/") and "root" in served:
                r.fulfill(path=str(served["root"] / rel[5:]))
            else:
                errors.append(f"blocked {url}")
                r.abort()

        page.route("**/*", route)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto("http://qti.test/")
        page.wait_for_selector("body[data-ready='1']", state="attached")

        def score(root: Path, href: str, responses: dict[str, Any]) -> dict[str, Any]:
            served["root"] = root
            result: dict[str, Any] = page.evaluate("([h, r]) => scoreItem(h, r)", [href, responses])
            return result

        def test_items(root: Path, href: str) -> list[list[str]]:
            served["root"] = root
            items: list[list[str]] = page.evaluate("(h) => testItems(h)", href)
            return items

        score.test_items = test_items  # type: ignore[attr-defined]
        yield score
        browser.close()
    assert not errors, errors


def key_and_wrong(q: AnyQuestion) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The key response and an all-wrong one, in the item's identifiers (None: not graded)."""
    if isinstance(q, Single):
        wrong = next(i for i, o in enumerate(q.options) if not o.correct)
        return {"RESPONSE": f"o{q.correct_indices[0]}"}, {"RESPONSE": f"o{wrong}"}
    if isinstance(q, Multi):
        right = [f"o{i}" for i in q.correct_indices]
        wrong = [f"o{i}" for i, o in enumerate(q.options) if not o.correct]
        return {"RESPONSE": right}, {"RESPONSE": wrong}
    if isinstance(q, TrueFalse):
        return {"RESPONSE": str(q.answer).lower()}, {"RESPONSE": str(not q.answer).lower()}
    if isinstance(q, Short):
        return {"RESPONSE": to_text(q.answers[0].strip())}, {"RESPONSE": "zzz-wrong"}
    if isinstance(q, Numeric):
        value = q.answer_decimal
        assert value is not None
        tol = absolute_tolerance(q)
        far = value + tol + abs(value) + 1
        return {"RESPONSE": format(value + tol, "f")}, {"RESPONSE": format(far, "f")}
    if isinstance(q, Cloze):
        blanks = blank_answers(q)
        key = {f"RESPONSE_{i + 1}": alts[0] for i, alts in enumerate(blanks)}
        return key, {f"RESPONSE_{i + 1}": "zzz-wrong" for i in range(len(blanks))}
    if isinstance(q, Order):
        n = len(q.items)
        return {"RESPONSE": [f"i{i}" for i in range(n)]}, {
            "RESPONSE": [f"i{i}" for i in reversed(range(n))]
        }
    if isinstance(q, Match):
        n = len(q.pairs)
        return {"RESPONSE": [f"l{i} r{i}" for i in range(n)]}, {
            "RESPONSE": [f"l{i} r{(i + 1) % n}" for i in range(n)]
        }
    assert isinstance(q, Essay)
    return None


@pytest.mark.slow  # a browser
@pytest.mark.parametrize("bank", [SAMPLE, LMS_BANK], ids=["sample", "all-types"])
def test_qti3_player_scores_key_full_and_wrong_zero(
    bank: Path, player: Any, tmp_path: Path
) -> None:
    path, _ = export(bank, tmp_path / "b.zip", "--qti-version", "3.0")
    root = tmp_path / "pkg"
    names = unzip(path, root)
    loaded = load_bank(bank)
    test = ET.parse(root / "test.xml").getroot()
    refs = [r.get("href") for r in test.iter(f"{{{QTI3_NS}}}qti-assessment-item-ref")]
    assert refs == [f"items/{ident(q.id)}.xml" for q in loaded.questions]
    assert set(refs) <= set(names)
    # the player reads the test: every item, identifier = question id, in bank order
    assert player.test_items(root, "/pkg/test.xml") == [
        [ident(q.id), f"items/{ident(q.id)}.xml"] for q in loaded.questions
    ]
    graded = 0
    for q in loaded.questions:
        href = f"/pkg/items/{ident(q.id)}.xml"
        responses = key_and_wrong(q)
        if responses is None:
            shown = player(root, href, {})
            assert shown["interactions"] == 1 and shown["score"] == 0, q.id  # rendered, not scored
            continue
        key, wrong = responses
        right = player(root, href, key)
        assert right["interactions"] >= 1, q.id
        assert all(w > 0 for w in right["images"]), q.id  # images load from the package
        assert right["score"] == 1, (q.id, key, right)
        if isinstance(q, Multi | Order | Match) and not wrong["RESPONSE"][1:]:
            continue  # nothing wrong to pick (e.g. all options right)
        assert player(root, href, wrong)["score"] == 0, (q.id, wrong)
        graded += 1
    assert graded >= 8


@pytest.mark.slow
def test_qti3_grading_rules_in_the_player(player: Any, tmp_path: Path) -> None:
    """Case rule, tolerance bounds and partial credit, as the bank defines them."""
    path, _ = export(LMS_BANK, tmp_path / "b.zip", "--qti-version", "3.0")
    root = tmp_path / "pkg"
    unzip(path, root)

    def score(qid: str, responses: dict[str, Any]) -> float:
        return float(player(root, f"/pkg/items/{qid}.xml", responses)["score"])

    assert score("short-case", {"RESPONSE": "Python"}) == 1
    assert score("short-case", {"RESPONSE": "python"}) == 0  # case_sensitive: true
    assert score("cloze-one", {"RESPONSE_1": "ONE HUNDRED"}) == 1  # case ignored
    assert score("numeric-percent", {"RESPONSE": "9.6138"}) == 1  # 9.81 − 2 %
    assert score("numeric-percent", {"RESPONSE": "9.6137"}) == 0
    assert score("numeric-abs", {"RESPONSE": "3.6"}) == 1
    assert score("numeric-abs", {"RESPONSE": "3.61"}) == 0
    thirds = score("multi-thirds", {"RESPONSE": ["o0", "o1"]})
    assert abs(thirds - 2 / 3) < 1e-3  # partial: 2 right of 3 (the player rounds to 0.667)
    assert score("multi-thirds", {"RESPONSE": ["o0", "o3"]}) == 0  # one right, one wrong
    assert score("multi-strict", {"RESPONSE": ["o0"]}) == 0  # all-or-nothing
    assert score("cloze-specials", {"RESPONSE_1": "a~b#c}d*e"}) == 1
    assert score("cloze-specials", {"RESPONSE_1": "x&y<z>"}) == 1


# -- QTI 1.2 against text2qti ----------------------------------------------------------------

T2Q_BANK = {
    "qbank.yaml": "id: cmp\ntitle: Compare\n",
    "q.yaml": """\
    questions:
      - id: add
        type: single
        text: What is 2 plus 3?
        explanation: General feedback.
        options:
          - text: "5"
            correct: true
            feedback: Right.
          - text: "4"
            feedback: Off by one.
      - id: primes
        type: multi
        text: Which are prime?
        options:
          - text: "2"
            correct: true
          - text: "3"
            correct: true
          - "4"
      - id: sky
        type: truefalse
        text: The sky is blue.
        answer: true
      - id: capital
        type: short
        text: Capital of France?
        answers: [Paris, Lutetia]
      - id: pi
        type: numeric
        text: What is pi?
        answer: "3.14"
        tolerance: "0.01"
      - id: essay
        type: essay
        text: Write an essay.
    """,
}
T2Q_MD = """\
Quiz title: Compare
Quiz description: Compare

1.  What is 2 plus 3?
... General feedback.
*a) 5
... Right.
b) 4
... Off by one.

2.  Which are prime?
[*] 2
[*] 3
[ ] 4

3.  The sky is blue.
*a) True
b) False

4.  Capital of France?
*   Paris
*   Lutetia

5.  What is pi?
=   3.14 +- 0.01

6.  Write an essay.
____
"""


def _shape(el: ET.Element) -> Any:
    """An element's structure: tag, the attributes that carry meaning, children."""
    keep = {"rcardinality", "fibtype", "continue", "action", "varname", "feedbacktype", "texttype"}
    attrs = {k: v for k, v in sorted(el.attrib.items()) if k in keep}
    return (el.tag.split("}")[-1], attrs, [_shape(c) for c in el])


def _items(folder: Path) -> list[ET.Element]:
    (assessment,) = [
        f for f in folder.rglob("*.xml") if f.name not in ("imsmanifest.xml", "assessment_meta.xml")
    ]
    return list(ET.parse(assessment).getroot().iter(f"{{{QTI12_NS}}}item"))


def _meta(item: ET.Element) -> dict[str, str]:
    q = f"{{{QTI12_NS}}}"
    return {
        f.findtext(f"{q}fieldlabel") or "": f.findtext(f"{q}fieldentry") or ""
        for f in item.iter(f"{q}qtimetadatafield")
    }


def _choice_order(item: ET.Element) -> list[str]:
    return [lab.get("ident") or "" for lab in item.iter(f"{{{QTI12_NS}}}response_label")]


def _scoring(item: ET.Element) -> ET.Element:
    q = f"{{{QTI12_NS}}}"
    (cond,) = [c for c in item.iter(f"{q}respcondition") if c.get("continue") == "No"]
    return cond


def _positions(cond: ET.Element, order: list[str]) -> list[Any]:
    """The values the scoring condition compares, as choice positions where they are ids."""
    out: list[Any] = []
    for el in cond.iter():
        if el.tag.split("}")[-1] in ("varequal", "vargte", "varlte"):
            text = (el.text or "").strip()
            out.append(
                order.index(text)
                if text in order
                else Decimal(text)
                if re.fullmatch(r"-?[\d.]+", text)
                else text
            )
    return out


def _feedback_ids(item: ET.Element) -> list[str]:
    ids = [f.get("ident") or "" for f in item.iter(f"{{{QTI12_NS}}}itemfeedback")]
    return sorted("choice_fb" if i.endswith("_fb") and i != "general_fb" else i for i in ids)


def test_qti12_matches_what_text2qti_writes(make_bank: Any, tmp_path: Path) -> None:
    text2qti = require_tool("text2qti", str(Path(sys.executable).parent / "text2qti"))
    bank = make_bank(T2Q_BANK, manifest=None)
    ours, _ = export(bank, tmp_path / "ours.zip", "--qti-version", "1.2")
    md = tmp_path / "theirs.md"
    md.write_text(T2Q_MD, encoding="utf-8")
    proc = subprocess.run([text2qti, str(md)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    theirs = tmp_path / "theirs.zip"

    def layout(names: list[str]) -> list[str]:
        return sorted(re.sub(r"(text2qti|qbank)_assessment_[0-9a-f]+", "A", n) for n in names)

    our_names = unzip(ours, tmp_path / "o")
    their_names = unzip(theirs, tmp_path / "t")
    assert layout(our_names) == layout(their_names)
    well_formed(tmp_path / "o")
    well_formed(tmp_path / "t")

    def resources(folder: Path) -> list[tuple[str | None, str | None]]:
        root = ET.parse(folder / "imsmanifest.xml").getroot()
        assert root.tag == "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}manifest"
        return [
            (
                r.get("type"),
                re.sub(r"(text2qti|qbank)_assessment_[0-9a-f]+", "A", r.get("href") or ""),
            )
            for r in root.iter()
            if r.tag.endswith("}resource")
        ]

    assert resources(tmp_path / "o") == resources(tmp_path / "t")
    ours_items, their_items = _items(tmp_path / "o"), _items(tmp_path / "t")
    assert len(ours_items) == len(their_items) == 6
    for mine, ref in zip(ours_items, their_items, strict=True):
        m, r = _meta(mine), _meta(ref)
        assert list(m) == list(r)  # the same metadata fields, in text2qti's order
        assert m["question_type"] == r["question_type"]
        assert m["points_possible"] == r["points_possible"]
        assert len(m["original_answer_ids"].split(",")) == len(r["original_answer_ids"].split(","))
        q = f"{{{QTI12_NS}}}"
        pres_m = [c for c in _shape(mine.find(f"{q}presentation"))[2]]  # type: ignore[arg-type]
        pres_r = [c for c in _shape(ref.find(f"{q}presentation"))[2]]  # type: ignore[arg-type]
        assert [p[0:2] for p in pres_m] == [p[0:2] for p in pres_r], m["question_type"]
        assert _shape(_scoring(mine)) == _shape(_scoring(ref)), m["question_type"]
        assert _positions(_scoring(mine), _choice_order(mine)) == _positions(
            _scoring(ref), _choice_order(ref)
        ), m["question_type"]

        assert _feedback_ids(mine) == _feedback_ids(ref), m["question_type"]
    assert [i.get("ident") for i in ours_items] == [
        "add",
        "primes",
        "sky",
        "capital",
        "pi",
        "essay",
    ]


def test_qti12_types_text2qti_does_not_write(tmp_path: Path) -> None:
    """Cloze, matching and ordering: Canvas's own shapes (fill_in_multiple_blanks_question,
    matching_question); the key is where the scoring points."""
    path, output = export(LMS_BANK, tmp_path / "b.zip", "--qti-version", "1.2")
    unzip(path, tmp_path / "x")
    items = {i.get("ident"): i for i in _items(tmp_path / "x")}
    q = f"{{{QTI12_NS}}}"
    cloze = items["cloze-two"]
    assert _meta(cloze)["question_type"] == "fill_in_multiple_blanks_question"
    stem = cloze.find(f"{q}presentation/{q}material/{q}mattext")
    assert stem is not None and "[b1]" in (stem.text or "") and "[b2]" in (stem.text or "")
    lids = cloze.findall(f"{q}presentation/{q}response_lid")
    assert [lid.get("ident") for lid in lids] == ["response_b1", "response_b2"]
    labels = [
        [m.text for m in lid.iter(f"{q}mattext")][1:] for lid in lids
    ]  # first mattext: the blank's name
    assert labels == [["cat", "kitty"], ["mat"]]
    match = items["match-specials"]
    assert _meta(match)["question_type"] == "matching_question"
    for cond in match.iter(f"{q}respcondition"):
        eq = cond.find(f"{q}conditionvar/{q}varequal")
        if eq is not None:  # left i → right i
            assert (eq.get("respident") or "").endswith(f"-l{(eq.text or '')[-1]}")
    assert "order-steps: Canvas has no ordering question" in output
    numeric = items["numeric-percent"]
    bounds = [
        Decimal(e.text or "") for e in numeric.iter() if e.tag in (f"{q}vargte", f"{q}varlte")
    ]
    assert bounds == [Decimal("9.6138"), Decimal("10.0062")]  # 2 % made absolute, like text2qti


@pytest.mark.parametrize("version", ["1.2", "3.0"])
def test_ids_starting_with_digits_never_share_an_identifier(version: str, tmp_path: Path) -> None:
    """``1a`` needs a prefix to be an XML name; it must not become ``q1a``, another id."""
    bank = tmp_path / "bank"
    (bank / "questions").mkdir(parents=True)
    (bank / "qbank.yaml").write_text('id: c\ntitle: C\ntopics:\n  "1": One\n')
    (bank / "questions" / "a.yaml").write_text(
        'topic: "1"\nquestions:\n'
        + "".join(
            f"  - id: {qid}\n    type: truefalse\n    text: Statement {n} is here.\n"
            f"    answer: true\n    explanation: Because {n}.\n"
            for n, qid in enumerate(["1a", "q1a", "2024.1", "q2024.1"])
        )
    )
    path, _ = export(bank, tmp_path / "c.zip", "--qti-version", version)
    names = unzip(path, tmp_path / "pkg")
    assert len(names) == len(set(names)), names
    items = [
        el.get("ident") or el.get("identifier")
        for f in (tmp_path / "pkg").rglob("*.xml")
        for el in ET.parse(f).getroot().iter()
        if el.tag.rsplit("}", 1)[-1] in ("item", "qti-assessment-item")
    ]
    assert len(items) == 4 and len(set(items)) == 4, items
    assert all(re.fullmatch(r"[A-Za-z_][\w.-]*", i) for i in items), items


def test_the_two_versions_have_their_own_default_file(tmp_path: Path, monkeypatch: Any) -> None:
    """Without -o, 1.2 writes <id>.qti.zip and 3.0 <id>.qti3.zip: neither overwrites the other."""
    monkeypatch.chdir(tmp_path)
    bank_id = load_bank(LMS_BANK).id
    for args in ([], ["--qti-version", "3.0"]):
        result = CliRunner().invoke(main, ["export", "qti", str(LMS_BANK), *args])
        assert result.exit_code == 0, result.output
    v12, v3 = tmp_path / f"{bank_id}.qti.zip", tmp_path / f"{bank_id}.qti3.zip"
    assert "imsmanifest.xml" in zipfile.ZipFile(v12).namelist()
    assert "test.xml" in zipfile.ZipFile(v3).namelist()
    help_text = CliRunner().invoke(main, ["export", "qti", "--help"]).output
    assert ".qti3.zip" in " ".join(help_text.split())
