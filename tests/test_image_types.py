"""QB503 is a warning and exporters use the type the bytes say (issue 12, point 5): an SVG
saved as `.png` and a PNG saved as `.jpg` still show in the web quiz and in Anki."""

from __future__ import annotations

import base64
import json
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank.cli import main
from qbank.markup.images import image_kind, sniff
from test_media import SVG, png_bytes

MakeBank = Callable[..., Path]


def _bank(make_bank: MakeBank) -> Path:
    text = (
        "id: q\ntype: truefalse\ntext: |-\n  Two diagrams.\n\n"
        "  ![svg](media/diagram.png) ![png](media/photo.jpg)\n"
        "answer: true\nexplanation: Because.\n"
    )
    root = make_bank({"q.yaml": text})
    (root / "media").mkdir()
    (root / "media" / "diagram.png").write_bytes(SVG)
    (root / "media" / "photo.jpg").write_bytes(png_bytes())
    return root


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env={"GITHUB_ACTIONS": "false"})
    return result.exit_code, result.output


def test_mismatch_is_a_warning_at_the_image(
    make_bank: MakeBank, monkeypatch: pytest.MonkeyPatch
) -> None:
    bank = _bank(make_bank)
    monkeypatch.chdir(bank.parent)  # paths are shown from the current folder
    code, out = run("validate", str(bank), "--format", "concise")
    assert code == 0, out  # warnings only
    shown = bank.name
    line = "  ![svg](media/diagram.png) ![png](media/photo.jpg)"
    first, second = line.index("media/") + 1, line.rindex("media/") + 1
    assert out.splitlines()[:2] == [
        f"{shown}/q.yaml:6:{first}: QB503 [warning] image `media/diagram.png` is named .png but "
        "its content is an SVG image; exports use SVG",
        f"{shown}/q.yaml:6:{second}: QB503 [warning] image `media/photo.jpg` is named .jpg but its "
        "content is a PNG image; exports use PNG",
    ]
    code, _ = run("validate", str(bank), "--strict")
    assert code == 1


def test_web_json_declares_the_type_of_the_bytes(make_bank: MakeBank, tmp_path: Path) -> None:
    bank = _bank(make_bank)
    out = tmp_path / "q.json"
    code, text = run("export", "json", str(bank), "-o", str(out))
    assert code == 0, text
    doc = json.loads(out.read_text("utf-8"))
    # each file once, under `files`, with the MIME type of its bytes
    types = {f["src"]: f["type"] for f in doc["files"].values()}
    assert types == {"media/diagram.png": "image/svg+xml", "media/photo.jpg": "image/png"}
    data = {f["src"]: base64.b64decode(f["data"]) for f in doc["files"].values()}
    assert data == {"media/diagram.png": SVG, "media/photo.jpg": png_bytes()}


def test_anki_names_media_by_the_type_of_the_bytes(make_bank: MakeBank, tmp_path: Path) -> None:
    bank = _bank(make_bank)
    apkg = tmp_path / "d.apkg"
    code, text = run("export", "anki", str(bank), "-o", str(apkg))
    assert code == 0, text
    with zipfile.ZipFile(apkg) as z:
        names = json.loads(z.read("media"))
        db = tmp_path / "c.anki2"
        db.write_bytes(z.read("collection.anki2"))
    suffixes = sorted(Path(n).suffix for n in names.values())
    assert suffixes == [".png", ".svg"]
    fields = " ".join(r[0] for r in sqlite3.connect(db).execute("select flds from notes"))
    for name in names.values():
        assert f'src="{name}"' in fields


def test_sniff_and_kind(tmp_path: Path) -> None:
    assert sniff(png_bytes()) == "png" and sniff(SVG) == "svg" and sniff(b"II*\x00") is None
    missing = tmp_path / "gone.gif"
    assert image_kind(missing) == "gif"  # unreadable: the name is all there is


def test_moodle_files_carry_the_type_of_the_bytes(make_bank: MakeBank, tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    bank = _bank(make_bank)
    out = tmp_path / "m.xml"
    code, text = run("export", "moodle", str(bank), "-o", str(out))
    assert code == 0, text
    files = {f.get("name"): f for f in ET.parse(out).getroot().iter("file")}
    assert sorted(files) == ["diagram.svg", "photo.png"]
    assert base64.b64decode(files["photo.png"].text or "") == png_bytes()
    body = out.read_text(encoding="utf-8")
    assert "@@PLUGINFILE@@/diagram.svg" in body and "@@PLUGINFILE@@/photo.png" in body
