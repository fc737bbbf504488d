"""The Anki export against hostile banks and state files (issue 17), checked with real Anki.

Author text that Anki would interpret (cloze markers, sound and LaTeX tags), tags and deck
names a template shows as raw HTML, broken state files, parallel exports sharing one state
file, and a state file that cannot be written.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import ROOT
from qbank.cli import main
from qbank.draw import draw
from qbank.export import check_for_export
from qbank.export.anki import AnkiStateError, export
from qbank.load import load_bank

anki = pytest.importorskip("anki")
from anki.collection import (  # noqa: E402
    Collection,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)

T0 = 1_700_000_000


def run(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return r.exit_code, r.output


def import_notes(apkg: Path, tmp_path: Path) -> tuple[Collection, list[Any]]:
    col = Collection(str(tmp_path / "c.anki2"))
    col.import_anki_package(
        ImportAnkiPackageRequest(package_path=str(apkg), options=ImportAnkiPackageOptions())
    )
    return col, [col.get_note(n) for n in col.find_notes("")]


ANKI_SYNTAX = (
    "Real {{here}}; fake \\\\{{c2::fake}}, a literal qbankcloze0x, [sound:boom.mp3], "
    "[latex]\\\\LaTeX[/latex] and [$]y[/$]."
)


def test_text_anki_would_interpret_is_inert(make_bank: Any, tmp_path: Path) -> None:
    root = make_bank(
        {
            "q.yaml": f"""
            questions:
              - id: cl
                topic: "1"
                type: cloze
                text: "{ANKI_SYNTAX}"
              - id: tf
                topic: "1"
                type: truefalse
                text: "Does [sound:boom.mp3] play? {{{{c1::no}}}}"
                answer: false
            """
        }
    )
    out = tmp_path / "d.apkg"
    code, output = run("export", "anki", str(root), "-o", str(out), "--no-state")
    assert code == 0, output
    col, notes = import_notes(out, tmp_path)
    by_id = {n["QID"]: n for n in notes}
    cloze = by_id["cl"]
    assert len(col.card_ids_of_note(cloze.id)) == 1  # no card for the author's `{{c2::`
    for note in notes:
        for cid in col.card_ids_of_note(note.id):
            r = col.get_card(cid).render_output(reload=True)
            assert list(r.question_av_tags) == [] and list(r.answer_av_tags) == []
            assert "latex-" not in r.question_text + r.answer_text  # no LaTeX image
    q = col.get_card(col.card_ids_of_note(cloze.id)[0]).render_output(reload=True)
    assert "qbankcloze0x" in q.question_text  # the author's literal, not a blank
    assert "{{c2::fake}}" in q.question_text.replace("&#123;", "{")
    assert "[sound:boom.mp3]" in q.question_text.replace("&#91;", "[")
    col.close()


def test_tags_and_deck_names_cannot_become_markup(make_bank: Any, tmp_path: Path) -> None:
    root = make_bank(
        {
            "q.yaml": """
            questions:
              - id: t1
                topic: "1"
                type: truefalse
                text: Is this fine?
                answer: true
                tags: ["<img src=x onerror=alert(1)>", "a\\"b"]
            """
        },
        manifest='id: t\ntitle: "<b>Deck</b> \\"x\\""\ntopics:\n  "1": "<script>alert(2)</script>"\n',
    )
    out = tmp_path / "d.apkg"
    code, output = run("export", "anki", str(root), "-o", str(out), "--no-state", "--subdecks")
    assert code == 0, output
    col, (note,) = import_notes(out, tmp_path)
    for tag in note.tags:
        assert not set(tag) & set("<>\"'&`"), tag
    names = [d["name"] for d in col.decks.all()]
    assert any("Deck" in n for n in names)
    for name in names:
        assert not set(name) & set("<>\"'"), name
    col.close()


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ('{"format": "qbank-anki-state/1", "notes": {"t1": ["ab", Infinity]}}', "Infinity"),
        ('{"format": "qbank-anki-state/1", "notes": {"t1": ["ab", 1e300]}}', "whole seconds"),
        (
            '{"format": "qbank-anki-state/1", "notes": {"t1": ["ab", 12345678901234567890123]}}',
            "not a time",
        ),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"format": "qbank-anki-state/1", "notes": {"t1": ["ab", -5]}}', "out of range"),
        ("[1, 2]", "not a JSON object"),
    ],
)
def test_broken_state_files_are_clean_errors(
    make_bank: Any, tmp_path: Path, content: str, why: str
) -> None:
    root = make_bank({"q.yaml": 'id: t1\ntopic: "1"\ntype: truefalse\ntext: Fine?\nanswer: true\n'})
    state = root / ".qbank" / "anki-state.json"
    state.parent.mkdir()
    state.write_text(content)
    code, output = run("export", "anki", str(root), "-o", str(tmp_path / "d.apkg"))
    assert code == 2, output
    assert "not a qbank Anki state file" in output and why in output
    assert "internal error" not in output
    assert not (tmp_path / "d.apkg").exists()


def test_state_that_cannot_be_written_leaves_the_old_deck(
    make_bank: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_bank({"q.yaml": 'id: t1\ntopic: "1"\ntype: truefalse\ntext: Fine?\nanswer: true\n'})
    out = tmp_path / "d.apkg"
    out.write_bytes(b"the old deck")
    bank = load_bank(root)
    drawn = draw(check_for_export(bank).bank, None)
    from qbank.export import anki as anki_pkg

    def refuse(*_: Any, **__: Any) -> None:
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr(anki_pkg, "atomic_write_text", refuse)
    with pytest.raises(
        AnkiStateError, match=r"cannot write the Anki state file .*package was not written"
    ):
        export(drawn, out, bank=bank, state=root / ".qbank" / "anki-state.json", now=T0)
    assert out.read_bytes() == b"the old deck"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".qbank-tmp")) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_state_folder_as_a_user(make_bank: Any, tmp_path: Path) -> None:
    root = make_bank({"q.yaml": 'id: t1\ntopic: "1"\ntype: truefalse\ntext: Fine?\nanswer: true\n'})
    (root / ".qbank").mkdir()
    (root / ".qbank").chmod(0o555)
    out = tmp_path / "d.apkg"
    code, output = run("export", "anki", str(root), "-o", str(out))
    assert code == 2 and "package was not written" in output
    assert not out.exists()


def test_parallel_exports_merge_the_state(make_bank: Any, tmp_path: Path) -> None:
    """Three exports of different parts of one bank at once (make -j): all entries kept."""
    files = {}
    for part in range(3):
        lines = ["questions:"]
        for i in range(150):
            lines += [
                f"  - id: p{part}-q{i:03d}",
                f'    topic: "{part + 1}"',
                "    type: truefalse",
                f"    text: Statement number {i} of part {part} is {'x' * (i % 7)} true?",
                "    answer: true",
            ]
        files[f"part{part}.yaml"] = "\n".join(lines) + "\n"
    manifest = 'id: t\ntitle: T\ntopics:\n  "1": One\n  "2": Two\n  "3": Three\n'
    root = make_bank(files, manifest=manifest)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "SOURCE_DATE_EPOCH": str(T0)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "qbank",
                "export",
                "anki",
                str(root),
                "--topic",
                str(part + 1),
                "-o",
                str(tmp_path / f"d{part}.apkg"),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for part in range(3)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    state = json.loads((root / ".qbank" / "anki-state.json").read_text())
    assert len(state["notes"]) == 450
    for part in range(3):
        with zipfile.ZipFile(tmp_path / f"d{part}.apkg") as z:
            assert "collection.anki2" in z.namelist() or "collection.anki21" in z.namelist()
