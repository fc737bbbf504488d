"""`qbank export anki`, checked by importing every deck into the real Anki engine.

The engine is the `anki` package (test extra only, AGPL): a fresh collection per test, the
import options a learner uses by default ("update notes if newer"), then assertions on
what Anki itself reports and renders (notes/anki.md §12).
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import genanki
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from qbank import markup
from qbank.assets import AssetNotFound, asset_path
from qbank.draw import Selection, draw
from qbank.export import anki as anki_export
from qbank.export import check_for_export
from qbank.export.anki import (
    MODELS,
    TYPE_MODEL,
    AnkiStateError,
    State,
    export,
    note_guid,
    stable_id,
    topic_tag,
)
from qbank.export.anki import fields as anki_fields
from qbank.export.anki import package as anki_package
from qbank.load import load_bank

anki = pytest.importorskip("anki")
from anki.collection import (  # noqa: E402
    Collection,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition as UC  # noqa: E402

T0 = 1_700_000_000  # a fixed "now" for the first export of a test
LOG_KINDS = (
    "new",
    "updated",
    "duplicate",
    "conflicting",
    "first_field_match",
    "missing_notetype",
    "missing_deck",
    "empty_first_field",
)


# -- helpers -----------------------------------------------------------------------------


def build(
    bank_path: Path,
    out: Path,
    selection: Selection | None = None,
    **kwargs: Any,
) -> anki_export.AnkiExport:
    """load → check → draw → export, with genanki's warnings turned into errors."""
    bank = load_bank(bank_path)
    checked = check_for_export(bank)
    drawn = draw(checked.bank, selection)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return export(drawn, out, bank=checked.bank, **kwargs)


def import_apkg(col: Collection, apkg: Path) -> dict[str, int]:
    request = ImportAnkiPackageRequest(
        package_path=str(apkg),
        options=ImportAnkiPackageOptions(
            merge_notetypes=False,
            update_notes=UC.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
            update_notetypes=UC.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
            with_scheduling=False,
            with_deck_configs=False,
        ),
    )
    log = col.import_anki_package(request).log
    col.models._clear_cache()  # the Python note-type cache misses backend imports
    return {kind: len(getattr(log, kind)) for kind in LOG_KINDS}


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Collection]:
    collection = Collection(str(tmp_path / "collection.anki2"))
    yield collection
    collection.close()


def notes_by_qid(col: Collection) -> dict[str, Any]:
    return {col.get_note(nid)["QID"]: col.get_note(nid) for nid in col.find_notes("")}


def rendered(col: Collection, note: Any) -> list[tuple[str, str]]:
    out = []
    for cid in col.card_ids_of_note(note.id):
        r = col.get_card(cid).render_output(reload=True)
        out.append((r.question_text, r.answer_text))
    return out


def visible(html_text: str) -> str:
    text = re.sub(r"<!--.*?-->", "", html_text, flags=re.S)
    text = re.sub(r"<style.*?</style>|<script.*?</script>", "", text, flags=re.S | re.I)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()


def assert_genanki_html_clean(apkg: Path, tmp_path: Path) -> None:
    """genanki's own "invalid HTML" heuristic (a warning when genanki writes a note) finds
    nothing in any field: the notes are written in bulk, so check what genanki would say."""
    db = apkg_db(apkg, tmp_path)
    rows = db.execute("select flds from notes").fetchall()
    db.close()
    assert rows
    for (flds,) in rows:
        for value in flds.split("\x1f"):
            assert genanki.Note._find_invalid_html_tags_in_field(value) == [], value


def apkg_db(apkg: Path, tmp_path: Path) -> sqlite3.Connection:
    db = tmp_path / f"{apkg.stem}-collection.anki2"
    with zipfile.ZipFile(apkg) as z:
        db.write_bytes(z.read("collection.anki2"))
    return sqlite3.connect(db)


# -- the sample bank in a fresh collection -----------------------------------------------


def test_sample_bank_imports_with_notes_cards_tags_and_media(
    sample_bank: Path, col: Collection, tmp_path: Path
) -> None:
    out = tmp_path / "deck.apkg"
    result = build(sample_bank, out, state=tmp_path / "state.json", now=T0)
    bank = load_bank(sample_bank)
    questions = {q.id: q for q in bank.questions}

    assert_genanki_html_clean(out, tmp_path)
    log = import_apkg(col, out)
    assert log["new"] == len(questions) == result.notes == 61
    assert sum(log.values()) == log["new"]

    notes = notes_by_qid(col)
    assert set(notes) == set(questions)
    per_model = Counter(n.note_type()["name"] for n in notes.values())
    expected = Counter(MODELS[TYPE_MODEL[q.type]].name for q in questions.values())
    assert per_model == expected
    assert set(per_model) == {m.name for m in MODELS.values()}  # all four note types used

    total_cards = 0
    for qid, note in notes.items():
        q = questions[qid]
        spec = MODELS[TYPE_MODEL[q.type]]
        assert note.guid == note_guid("aws-mls", qid)
        assert note.note_type()["id"] == spec.model_id
        assert [name for name, _ in note.items()] == list(spec.fields)
        cards = [col.get_card(c) for c in col.card_ids_of_note(note.id)]
        total_cards += len(cards)
        if q.type == "cloze":
            numbers = sorted(n - 1 for n in note.cloze_numbers_in_fields())
            assert sorted(c.ord for c in cards) == numbers
            assert len(cards) == len(markup.find_blanks(q.text)) >= 1
        else:
            assert [c.ord for c in cards] == [0]
        # tags: the topic hierarchy, the question's tags, the type
        assert topic_tag(q.topic) in note.tags
        assert {*q.tags, f"qbank::type::{q.type}"} <= set(note.tags)
        # every card renders, with the stem's words on both sides
        stem = markup.replace_blanks(q.text, lambda b: " ")  # cloze answers are hidden
        stem_word = max(re.findall(r"[A-Za-z]{5,}", markup.to_text(stem)), key=len)
        for question, answer in rendered(col, note):
            assert stem_word in visible(question), (qid, question)
            assert stem_word in visible(answer)
            assert len(visible(answer)) > len(visible(question)) or q.type == "cloze"
    assert total_cards == result.cards == col.card_count()
    assert "topic::4::4.3" in col.tags.all()

    deck_names = {d.name for d in col.decks.all_names_and_ids()}
    assert "AWS Certified Machine Learning – Specialty" in deck_names

    # the diagram is bundled under a content-hashed name and the field refers to it
    png = (sample_bank / "media" / "nat-gateway.png").read_bytes()
    [name] = result.media
    assert re.fullmatch(r"qbank-[0-9a-f]{16}\.png", name)
    assert (Path(col.media.dir()) / name).read_bytes() == png
    assert f'<img src="{name}"' in notes["sagemaker-interface-endpoint"]["Question"]


def test_rendered_content_of_each_note_type(
    sample_bank: Path, col: Collection, tmp_path: Path
) -> None:
    out = tmp_path / "deck.apkg"
    build(sample_bank, out, now=T0)
    import_apkg(col, out)
    notes = notes_by_qid(col)

    # cloze: the study guide's "4 words" hint on the front, alternatives on the back
    [(front, back)] = rendered(col, notes["nat-gateway-purpose"])
    assert "[4 words]" in visible(front) and "NAT Gateway" not in visible(front)
    assert "NAT Gateway" in visible(back) and "Also accepted: NAT" in visible(back)

    # multi: lettered options; back marks the correct letters, per-option feedback
    note = notes["vpc-security-features"]
    [(front, back)] = rendered(col, note)
    assert "Choose all that apply." in visible(front) and "✓" not in front
    assert back.count('class="correct"') == 2 and back.count("✓") == 2
    letters = note["Answer"].split(", ")
    options = re.findall(r"<li[^>]*>(.*?)</li>", note["Options"])
    shown = [visible(o) for o in options]
    assert sorted(shown[ord(x) - 65] for x in letters) == ["Network ACLs", "Security groups"]
    assert "Security groups filter traffic at the instance level." in visible(back)

    # truefalse
    [(front, back)] = rendered(col, notes["security-group-rules-allow-only"])
    assert "True or false?" in visible(front)
    assert re.search(r'class="correct">False', back)

    # typed answer (short): Anki's type-in box, accepted answers on the back
    [(front, back)] = rendered(col, notes["cloudtrail-invokeendpoint-exception"])
    assert "[[type:Answer]]" in front
    assert "sagemaker:InvokeEndpoint" in visible(back)
    assert notes["cloudtrail-invokeendpoint-exception"]["Answer"] == "InvokeEndpoint"

    # match: both columns on the front, the key on the back
    [(front, back)] = rendered(col, notes["s3-sse-key-management"])
    assert "SSE-KMS" in visible(front) and "Key:" in visible(back)


def test_numeric_order_essay_and_maths(make_bank: Any, col: Collection, tmp_path: Path) -> None:
    root = make_bank(
        {
            "q.yaml": r"""
            topic: "1.1"
            questions:
              - id: shards
                type: numeric
                text: How many shards for \(a < b\)?
                answer: "0.10"
                tolerance: "0.05"
                unit: MB/s
              - id: steps
                type: order
                text: Put the steps in order.
                items: [Collect, Clean, Train, Deploy]
              - id: essay
                type: essay
                text: |-
                  Explain the code:

                  ```python
                  if a < b and c > d:
                      print("x")
                  ```
                rubric: Mentions **both** comparisons.
                max_words: 50
            """
        }
    )
    out = tmp_path / "d.apkg"
    build(root, out, now=T0)
    assert import_apkg(col, out)["new"] == 3
    notes = notes_by_qid(col)

    [(front, back)] = rendered(col, notes["shards"])
    assert r"\(a &lt; b\)" in front  # maths passed to Anki's MathJax, escaped
    assert notes["shards"]["Answer"] == "0.10"  # decimal text, never a float
    assert "0.05 to 0.15" in visible(back) and "MB/s" in visible(back)

    note = notes["steps"]
    [(front, back)] = rendered(col, note)
    shown = [visible(x) for x in re.findall(r"<li>(.*?)</li>", note["Items"])]
    assert sorted(shown) == sorted(["Collect", "Clean", "Train", "Deploy"])
    assert shown != ["Collect", "Clean", "Train", "Deploy"]  # never shown in the answer order
    key = re.search(r"Order: <b>(.*?)</b>", back)
    assert key is not None
    assert [shown[ord(x) - 65] for x in key.group(1).split(", ")] == [
        "Collect",
        "Clean",
        "Train",
        "Deploy",
    ]

    [(front, back)] = rendered(col, notes["essay"])
    assert '<pre><code class="language-python">' in front
    assert "if a &lt; b and c &gt; d:" in front
    assert "<strong>both</strong>" in back and "at most 50 words" in visible(front)


SCRIPT = "<script>alert(1)</script>"


def test_author_html_never_survives_as_markup(
    make_bank: Any, col: Collection, tmp_path: Path
) -> None:
    s = SCRIPT
    root = make_bank(
        {
            "evil.yaml": f"""
            topic: "1"
            tags: ["{s}"]
            source: "{s}"
            questions:
              - id: evil-single
                type: single
                text: "{s} Which one? <img src=x onerror=alert(2)> [link](javascript:alert(3))"
                options:
                  - text: "{s}"
                    correct: true
                    feedback: "{s}"
                  - "<b onclick=alert(4)>bold</b>"
                explanation: "{s}"
              - id: evil-cloze
                type: cloze
                text: "A {{{{{s}|<i>x</i>}}}} here {s}"
              - id: evil-short
                type: short
                text: "{s} name it"
                answers: ["{s}", "<u>u</u>"]
              - id: evil-match
                type: match
                text: "{s} match"
                pairs: [["{s}", "<em>r</em>"], ["a", "b"]]
            """
        }
    )
    out = tmp_path / "evil.apkg"
    build(root, out, now=T0)
    assert_genanki_html_clean(out, tmp_path)
    assert import_apkg(col, out)["new"] == 4
    shown = 0
    for note in notes_by_qid(col).values():
        fields = "".join(value for _, value in note.items())
        assert "<script" not in fields.lower()
        assert "onerror=" not in fields.replace("onerror=alert", "") or "&lt;img" in fields
        for question, answer in rendered(col, note):
            for side in (question, answer):
                assert "<script" not in side.lower()
                assert "<img src=x" not in side and "<b onclick" not in side
                assert "javascript:" not in side.replace("(javascript:alert(3))", "")
                shown += "&lt;script&gt;alert(1)&lt;/script&gt;" in side
    assert shown >= 8  # shown as text on both sides of every card


# -- re-import: updates only what changed, keeps the learner's work ---------------------


def test_reimport_updates_edited_note_keeps_history_and_learner_edits(
    sample_bank: Path, col: Collection, tmp_path: Path
) -> None:
    root = tmp_path / "bank"
    shutil.copytree(sample_bank, root)
    state = tmp_path / "anki-state.json"
    first, second = tmp_path / "v1.apkg", tmp_path / "v2.apkg"
    build(root, first, state=state, now=T0)
    assert import_apkg(col, first)["new"] == 61

    notes = notes_by_qid(col)
    edited, learner = (
        notes["security-group-rules-allow-only"],
        notes["notebook-root-access-default"],
    )
    # the learner studies the card that the author will edit …
    card = col.get_card(col.card_ids_of_note(edited.id)[0])
    card.start_timer()
    col.sched.answerCard(card, 3)
    card.load()
    reviews = col.db.list("select id from revlog where cid = ?", card.id)
    assert len(reviews) == 1 and card.reps == 1
    # … and edits another note and tags it
    learner["Explanation"] = learner["Explanation"] + "<p>My own mnemonic.</p>"
    learner.tags.append("marked")
    col.update_note(learner)

    # the author fixes a typo in one question and publishes again, a minute later
    path = root / "aws-mls" / "4.3-security.yaml"
    text = path.read_text(encoding="utf-8")
    assert "anything not allowed is denied" in text
    path.write_text(text.replace("anything not allowed", "anything not explicitly allowed"))
    result = build(root, second, state=state, now=T0 + 60)
    assert result.changed == ["security-group-rules-allow-only"]

    log = import_apkg(col, second)
    assert log == {**dict.fromkeys(LOG_KINDS, 0), "updated": 1, "duplicate": 60}
    after = notes_by_qid(col)
    assert len(after) == 61 and col.note_count() == 61  # no duplicate
    assert after["security-group-rules-allow-only"].id == edited.id  # same note …
    assert "explicitly allowed" in after["security-group-rules-allow-only"]["Explanation"]
    card.load()
    assert card.reps == 1 and card.nid == edited.id  # … same card, same scheduling
    assert col.db.list("select id from revlog where cid = ?", card.id) == reviews
    kept = after["notebook-root-access-default"]
    assert "My own mnemonic." in kept["Explanation"] and "marked" in kept.tags

    # a third export of the same input changes nothing at all
    third = tmp_path / "v3.apkg"
    assert build(root, third, state=state, now=T0 + 120).changed == []
    assert third.read_bytes() == second.read_bytes()
    assert import_apkg(col, third)["updated"] == 0


def test_restyled_templates_propagate_without_touching_notes(
    sample_bank: Path, col: Collection, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    v1, v2 = tmp_path / "v1.apkg", tmp_path / "v2.apkg"
    build(sample_bank, v1, state=state, now=T0)
    import_apkg(col, v1)
    styles = tmp_path / "my-style"
    styles.mkdir()
    css = asset_path("anki", "style.css").read_text(encoding="utf-8")
    (styles / "style.css").write_text(css + "\n.qbank { color: rebeccapurple; }\n")
    result = build(sample_bank, v2, state=state, now=T0 + 60, templates=styles)
    assert result.changed == [] and result.timestamp == T0 + 60

    log = import_apkg(col, v2)
    assert log["updated"] == 0 and log["duplicate"] == 61  # notes untouched …
    for spec in MODELS.values():  # … but every note type has the new CSS
        assert "rebeccapurple" in col.models.get(spec.model_id)["css"]
    note = notes_by_qid(col)["nat-gateway-purpose"]
    assert (
        "rebeccapurple"
        in col.get_card(col.card_ids_of_note(note.id)[0]).render_output(reload=True).css
    )


def test_template_with_unknown_field_is_refused(sample_bank: Path, tmp_path: Path) -> None:
    from qbank.cli import main

    styles = tmp_path / "style"
    styles.mkdir()
    (styles / "cloze.back.html").write_text("{{cloze:Text}}\n<hr>\n{{Extra}}\n")
    out = tmp_path / "x.apkg"
    cmd = ["export", "anki", str(sample_bank), "--no-state", "--templates", str(styles)]
    res = CliRunner().invoke(main, [*cmd, "-o", str(out)])
    assert res.exit_code == 2, res.output
    assert "cloze.back.html:3: unknown field {{Extra}} in a qbank Cloze template" in res.output
    assert not out.exists()
    (styles / "cloze.back.html").write_text(
        "{{cloze:Text}}{{#Back Extra}}{{Back Extra}}{{/Back Extra}}"
    )
    res = CliRunner().invoke(main, [*cmd, "-o", str(out)])
    assert res.exit_code == 0, res.output


def test_timestamps_in_the_package(sample_bank: Path, tmp_path: Path) -> None:
    """Notes carry their own change time, note types the template time; not the clock."""
    root = tmp_path / "bank"
    shutil.copytree(sample_bank, root)
    state = tmp_path / "state.json"
    build(root, tmp_path / "a.apkg", state=state, now=T0)
    path = root / "aws-mls" / "4.3-security.yaml"
    path.write_text(path.read_text().replace("Enforcing KMS", "Enforcing AWS KMS"))
    out = tmp_path / "b.apkg"
    result = build(root, out, state=state, now=T0 + 5)
    assert result.changed == ["s3-kms-enforced-on-upload"] and result.timestamp == T0 + 5
    db = apkg_db(out, tmp_path)
    mods = Counter(m for (m,) in db.execute("select mod from notes"))
    assert mods == Counter({T0: 60, T0 + 5: 1})
    models = json.loads(db.execute("select models from col").fetchone()[0])
    assert {m["mod"] for m in models.values()} == {T0}
    db.close()


# -- determinism and atomicity -----------------------------------------------------------


def test_two_exports_are_byte_identical(
    sample_bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state.json"
    a, b = tmp_path / "a.apkg", tmp_path / "b.apkg"
    build(sample_bank, a, state=state)  # first run: stamps the state with the clock
    saved = state.read_bytes()
    build(sample_bank, b, state=state)  # second run: same bank + state, later clock
    assert a.read_bytes() == b.read_bytes()
    assert state.read_bytes() == saved

    # without a state file, SOURCE_DATE_EPOCH pins the time; the bank's location is irrelevant
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T0))
    copy = tmp_path / "elsewhere" / "bank"
    shutil.copytree(sample_bank, copy)
    c, d = tmp_path / "c.apkg", tmp_path / "d.apkg"
    build(sample_bank, c)
    build(copy, d)
    assert c.read_bytes() == d.read_bytes()
    with zipfile.ZipFile(c) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert z.namelist()[:2] == ["collection.anki2", "media"]


def test_failed_export_leaves_no_file(
    sample_bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    state = tmp_path / "state.json"
    calls = []
    real_add = anki_package._add

    def failing_add(*args: Any, **kwargs: Any) -> None:
        calls.append(args[1])
        if len(calls) == 2:  # the collection is in the zip, the media list is not
            raise OSError("disk full")
        real_add(*args, **kwargs)

    monkeypatch.setattr(anki_package, "_add", failing_add)
    with pytest.raises(OSError, match="disk full"):
        build(sample_bank, out_dir / "deck.apkg", state=state, now=T0)
    assert calls == ["collection.anki2", "media"]
    assert list(out_dir.iterdir()) == []  # no output, no temporary file
    assert not state.exists()  # nothing recorded for a package that was never written

    # an interrupt (Ctrl-C) half-way through writing notes: the old deck stays intact
    monkeypatch.setattr(anki_package, "_add", real_add)
    build(sample_bank, out_dir / "deck.apkg", now=T0)
    before = (out_dir / "deck.apkg").read_bytes()
    rows = []
    real_row = anki_package._note_row

    def interrupted(*args: Any) -> Any:
        rows.append(1)
        if len(rows) == 30:
            raise KeyboardInterrupt
        return real_row(*args)

    monkeypatch.setattr(anki_package, "_note_row", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(sample_bank, out_dir / "deck.apkg", now=T0 + 1)
    assert [p.name for p in out_dir.iterdir()] == ["deck.apkg"]
    assert (out_dir / "deck.apkg").read_bytes() == before


# -- decks, selection, options -----------------------------------------------------------


def test_subdecks_by_top_level_topic(sample_bank: Path, col: Collection, tmp_path: Path) -> None:
    out = tmp_path / "d.apkg"
    result = build(sample_bank, out, subdecks=True, deck="AWS MLS", now=T0)
    import_apkg(col, out)
    names = {d.name for d in col.decks.all_names_and_ids()}
    assert {
        "AWS MLS::01 Data Engineering",
        "AWS MLS::02 Exploratory Data Analysis",
        "AWS MLS::03 Modeling",
        "AWS MLS::04 Machine Learning Implementation and Operations",
    } <= names
    assert sorted(result.decks) == result.decks  # zero-padded: sorts like the exam outline
    deck_of = {d.id: d.name for d in col.decks.all_names_and_ids()}
    note = notes_by_qid(col)["nat-gateway-purpose"]
    card = col.get_card(col.card_ids_of_note(note.id)[0])
    assert deck_of[card.did] == "AWS MLS::04 Machine Learning Implementation and Operations"


def test_selection_and_option_orders(sample_bank: Path, tmp_path: Path) -> None:
    bank = load_bank(sample_bank)
    quiz = Selection(quiz="4.3-practice")
    result = build(sample_bank, tmp_path / "quiz.apkg", quiz, now=T0)
    assert result.notes == 5

    def options(out: Path, qid: str) -> list[str]:
        db = apkg_db(out, tmp_path)
        rows = db.execute("select flds from notes").fetchall()
        db.close()
        for (flds,) in rows:
            fields = flds.split("\x1f")
            if fields[-1] == qid:
                return [visible(x) for x in re.findall(r"<li>(.*?)</li>", fields[2])]
        raise AssertionError(qid)

    q = bank.by_id()["sagemaker-interface-endpoint"]
    in_bank = [o.text for o in q.options]
    # stable: the same order whatever the draw's seed, and not the bank's (correct first)
    seeds = [build(sample_bank, tmp_path / f"s{s}.apkg", Selection(seed=s)) for s in "12"]
    stable = [options(r.path, q.id) for r in seeds]
    assert stable[0] == stable[1] and sorted(stable[0]) == sorted(in_bank)
    assert stable[0] != in_bank
    bank_order = build(sample_bank, tmp_path / "b.apkg", option_order="bank", now=T0)
    assert options(bank_order.path, q.id) == in_bank
    sel = Selection(seed="7", shuffle_options=True)
    drawn = draw(bank, sel)
    [dq] = [d for d in drawn.forms[0].questions if d.id == q.id]
    by_draw = build(sample_bank, tmp_path / "d.apkg", sel, option_order="draw", now=T0)
    assert options(by_draw.path, q.id) == [o.text for o in dq.options]

    # sample bank: with the stable shuffle the key is not always "A"
    db = apkg_db(seeds[0].path, tmp_path)
    keys = {
        f.split("\x1f")[4]
        for (f,) in db.execute("select flds from notes")
        if "Choose one answer." in f.split("\x1f")[1]
    }
    db.close()
    assert len(keys) >= 3


def test_cloze_conflicts_are_escaped(make_bank: Any, col: Collection, tmp_path: Path) -> None:
    root = make_bank(
        {
            "c.yaml": r"""
            questions:
              - id: two-blanks
                type: cloze
                text: >-
                  The {{sagemaker::InvokeEndpoint}} call and the set {{ {a} }}, with
                  \(x^2\) and `code`.
                case_sensitive: true
              - id: alternatives
                type: cloze
                text: "{{A|a1}} and {{B|b1|b2}}"
                max_words: 1
            """
        }
    )
    out = tmp_path / "c.apkg"
    build(root, out, now=T0)
    import_apkg(col, out)
    notes = notes_by_qid(col)
    note = notes["two-blanks"]
    assert sorted(note.cloze_numbers_in_fields()) == [1, 2]
    cards = rendered(col, note)
    assert len(cards) == 2
    assert "sagemaker::InvokeEndpoint" in visible(cards[0][1])
    assert "{a}" in visible(cards[1][1])
    assert r"\(x^2\)" in cards[0][0] and "case-sensitive" in visible(cards[0][1])
    assert "[...]" in visible(cards[0][0])
    alt = rendered(col, notes["alternatives"])
    assert len(alt) == 2 and "[1 word]" in visible(alt[0][0])
    assert "<li>for <b>A</b>: a1</li><li>for <b>B</b>: b1, b2</li>" in alt[0][1]


def test_media_only_from_inside_the_bank(make_bank: Any, tmp_path: Path) -> None:
    outside = tmp_path / "secret.png"
    outside.write_bytes(b"\x89PNG secret")
    root = make_bank(
        {
            "q.yaml": """
            id: pic
            type: truefalse
            text: "![outside](../secret.png) ![missing](media/none.png) ![ok](media/ok.png)"
            answer: true
            """
        }
    )
    (root / "media").mkdir()
    (root / "media" / "ok.png").write_bytes(b"\x89PNG ok")
    # the exporter itself refuses what validate would flag: render from the raw bank
    bank = load_bank(root)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = export(draw(bank), tmp_path / "p.apkg", bank=bank, now=T0)
    with zipfile.ZipFile(result.path) as z:
        assert json.loads(z.read("media")) == {"0": result.media[0]}
        assert z.read("0") == b"\x89PNG ok"
    db = apkg_db(result.path, tmp_path)
    (flds,) = db.execute("select flds from notes").fetchone()
    db.close()
    assert "secret" not in flds and "none.png" not in flds  # alt text instead
    assert f'<p>outside missing <img src="{result.media[0]}" alt="ok" /></p>' in flds


# -- the state file ---------------------------------------------------------------------


def test_state_mechanics(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = State()
    assert state.stamp("q", "h1", 100) == 100
    assert state.stamp("q", "h1", 500) == 100  # unchanged content keeps its time
    assert state.stamp("q", "h2", 50) == 101  # changed: strictly newer, even if the clock lags
    assert state.stamp("q", "h3", 900) == 900
    path = tmp_path / "s.json"
    path.write_text(state.dumps())
    again = State.read(path)
    assert again.notes == {"q": ("h3", 900)} and not again.changed

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1234")
    assert anki_export.current_time() == 1234
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(AnkiStateError, match="SOURCE_DATE_EPOCH"):
        anki_export.current_time()

    conflict = tmp_path / "conflict.json"
    conflict.write_text('{\n<<<<<<< HEAD\n  "notes": {}\n}\n')
    with pytest.raises(AnkiStateError, match=r"conflict\.json:2:1: .*merge conflict"):
        State.read(conflict)
    other = tmp_path / "other.json"
    other.write_text('{"format": "something-else"}')
    with pytest.raises(AnkiStateError, match="not a qbank Anki state file"):
        State.read(other)


def test_partial_export_keeps_state_of_other_questions(sample_bank: Path, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    build(sample_bank, tmp_path / "all.apkg", state=state, now=T0)
    build(sample_bank, tmp_path / "quiz.apkg", Selection(quiz="4.3-practice"), state=state)
    data = json.loads(state.read_text())
    assert len(data["notes"]) == 61
    assert {t for _, t in data["notes"].values()} == {T0}
    lines = state.read_text().splitlines()
    assert sum(1 for line in lines if line.startswith('    "')) == 61  # one line per question


# -- pieces ------------------------------------------------------------------------------


def test_cloze_safe() -> None:
    safe = anki_fields._cloze_safe
    assert safe("a::b") == "a:<!-- -->:b"
    assert safe("a:::b") == "a:<!-- -->:<!-- -->:b"
    assert safe("x}}}y") == "x} } }y"
    assert safe("set {a}") == "set {a} "
    for text in ("a::b", "a:::b", "x}}}y", "{a}", "}}"):
        out = safe(text)  # nothing that ends the cloze or starts a hint early
        assert "::" not in out and "}}" not in out and not out.endswith("}")


def test_identity_helpers() -> None:
    assert stable_id("qbank/model/choice/v1") == MODELS["choice"].model_id
    assert 1 << 30 <= stable_id("x") < 1 << 31
    assert len({s.model_id for s in MODELS.values()}) == 4
    assert note_guid("b", "q") == note_guid("b", "q") != note_guid("b2", "q")
    assert topic_tag("4.3") == "topic::4::4.3"
    assert topic_tag("aws/security/iam") == "topic::aws::security::iam"
    assert topic_tag("4.3/big data") == "topic::4::4.3::big_data"


def test_assets_found_in_checkout() -> None:
    for spec in MODELS.values():
        for name in spec.files:
            assert "{{" in asset_path("anki", name).read_text(encoding="utf-8")
    with pytest.raises(AssetNotFound, match=r"nope\.css"):
        asset_path("anki", "nope.css")


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=40))
def test_note_guid_is_genankis_guid_for(bank_id: str, question_id: str) -> None:
    assert note_guid(bank_id, question_id) == genanki.guid_for("qbank", bank_id, question_id)


PLAIN_ALPHABET = st.sampled_from([*"aZé9 ,.;:?!'\"()/%$@=+-–—‘’“”…1", "ab", "7."])


@settings(max_examples=300, deadline=None)
@given(st.lists(PLAIN_ALPHABET, min_size=1, max_size=12).map("".join), st.booleans())
def test_plain_text_fast_path_matches_markup(text: str, inline: bool) -> None:
    renderer = anki_fields.Renderer(Path("."), "stable", {})
    assert renderer.html(text, inline=inline) == markup.to_html(text, inline=inline)


# -- the command line --------------------------------------------------------------------


def test_cli_export_with_quiz_and_state(sample_bank: Path, tmp_path: Path) -> None:
    from qbank.cli import main

    root = tmp_path / "bank"
    shutil.copytree(sample_bank, root)
    shutil.rmtree(root / ".qbank")  # start without the sample bank's committed state
    out = tmp_path / "quiz.apkg"
    runner = CliRunner()
    res = runner.invoke(
        main, ["export", "anki", str(root), "--quiz", "4.3-practice", "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "5 notes" in res.output and out.exists()
    state = root / ".qbank" / "anki-state.json"
    assert f"wrote {state}" in res.output and state.exists()
    res = runner.invoke(
        main, ["export", "anki", str(root), "--quiz", "4.3-practice", "-o", str(out)]
    )
    assert res.exit_code == 0 and "wrote" in res.output and f"wrote {state}" not in res.output

    res = runner.invoke(main, ["export", "anki", str(root), "--no-state", "--state", "x.json"])
    assert res.exit_code == 2 and "contradict" in res.output
    (root / ".qbank" / "anki-state.json").write_text("{ broken")
    res = runner.invoke(main, ["export", "anki", str(root), "-o", str(out)])
    assert res.exit_code == 2 and "anki-state.json:1:3" in res.output
    assert "Traceback" not in res.output


def test_cli_subprocess_no_state_is_reproducible(sample_bank: Path, tmp_path: Path) -> None:
    """Two processes with different hash seeds write the same bytes (no set/hash order)."""
    before = {p: p.stat().st_mtime_ns for p in sample_bank.rglob("*")}
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"deck{seed}.apkg"
        env = {"SOURCE_DATE_EPOCH": str(T0), "PATH": "/usr/bin:/bin", "PYTHONHASHSEED": seed}
        cmd = [sys.executable, "-m", "qbank", "export", "anki", str(sample_bank), "-o", str(out)]
        proc = subprocess.run(
            [*cmd, "--no-state", "--subdecks"], capture_output=True, text=True, env=env
        )
        assert proc.returncode == 0, proc.stderr
        assert "61 notes, 62 cards, 4 decks, 1 media file(s)" in proc.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    after = {p: p.stat().st_mtime_ns for p in sample_bank.rglob("*")}
    assert after == before  # --no-state writes nothing into the bank


def test_export_refuses_invalid_bank(make_bank: Any, tmp_path: Path) -> None:
    from qbank.cli import main

    root = make_bank({"q.yaml": "id: x\ntype: single\ntext: Hi\noptions: [a, b]\n"})
    res = CliRunner().invoke(main, ["export", "anki", str(root), "-o", str(tmp_path / "x.apkg")])
    assert res.exit_code == 1 and not (tmp_path / "x.apkg").exists()
