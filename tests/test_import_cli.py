"""`qbank import` into banks: never overwrite (clashes name both sides), --update replaces in
place, --prefix/--topic, deterministic output, the YAML style."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank.cli import main
from qbank.load import load_bank

GIFT = """\
$CATEGORY: $course$/top/Geography/Capitals

::fr-capital::What is the capital of France? {=Paris ~Lyon ~Nice}

::tf-1::The Seine flows through Paris. {T}

Two plus two equals {=four =4}.
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _gift(tmp_path: Path, text: str = GIFT, name: str = "q.gift") -> Path:
    src = tmp_path / name
    src.write_text(text, encoding="utf-8")
    return src


def test_new_bank_layout_and_style(tmp_path: Path) -> None:
    src = _gift(tmp_path)
    bank = tmp_path / "my-bank"
    code, out = run("import", "gift", str(src), "--into", str(bank))
    assert code == 0, out
    assert "imported 3 of 3" in out
    manifest = (bank / "qbank.yaml").read_text()
    assert "id: my-bank" in manifest
    assert "geography/capitals: Capitals" in manifest and "geography: Geography" in manifest
    text = (bank / "geography" / "capitals.yaml").read_text()
    assert text == (
        "# Imported by `qbank import gift` from q.gift.\n"
        "# Category: Geography/Capitals\n"
        "topic: geography/capitals\n"
        "questions:\n"
        "  - id: fr-capital\n"
        "    type: single\n"
        "    text: What is the capital of France?\n"
        "    options:\n"
        "      - text: Paris\n"
        "        correct: true\n"
        "      - Lyon\n"
        "      - Nice\n"
        "\n"
        "  - id: tf-1\n"
        "    type: truefalse\n"
        "    text: The Seine flows through Paris.\n"
        "    answer: true\n"
        "\n"
        "  - id: two-plus-two-equals-four-4-ca6deb\n"
        "    type: cloze\n"
        "    text: Two plus two equals {{four|4}}.\n"
    )
    # deterministic: the same input gives the same bytes (and the same ids)
    again = tmp_path / "again" / "my-bank"
    assert run("import", "gift", str(src), "--into", str(again))[0] == 0
    assert (again / "geography" / "capitals.yaml").read_bytes() == text.encode()


def test_clashes_are_errors_naming_both(tmp_path: Path) -> None:
    src = _gift(tmp_path)
    bank = tmp_path / "b"
    assert run("import", "gift", str(src), "--into", str(bank))[0] == 0
    before = (bank / "geography" / "capitals.yaml").read_text()
    code, out = run("import", "gift", str(src), "--into", str(bank))
    assert code == 1
    assert "id `fr-capital` (q.gift:3 (fr-capital)) is already in the bank at " in out
    assert "geography/capitals.yaml:5" in out and "--update" in out
    assert (bank / "geography" / "capitals.yaml").read_text() == before
    # new ids into an existing file: a file clash
    other = _gift(
        tmp_path,
        GIFT.replace("fr-capital", "it-capital")
        .replace("tf-1", "tf-2")
        .replace("Two plus two", "Three plus one"),
        "r.gift",
    )
    code, out = run("import", "gift", str(other), "--into", str(bank))
    assert code == 1
    assert (
        "geography/capitals.yaml already exists in the bank and would receive 3 question(s) from r.gift"
        in out
    )
    # --prefix imports the same questions under other ids, --topic into another file
    code, out = run(
        "import", "gift", str(src), "--into", str(bank), "--prefix", "v2", "--topic", "geography/v2"
    )
    assert code == 0, out
    ids = {q.id for q in load_bank(bank).questions}
    assert {"fr-capital", "v2-fr-capital", "v2-tf-1"} <= ids
    assert (bank / "geography" / "v2.yaml").exists()
    assert "note: add these topics" in out and '"geography/v2": geography/v2' in out


def test_update_replaces_in_place_and_appends(tmp_path: Path) -> None:
    src = _gift(tmp_path)
    bank = tmp_path / "b"
    assert run("import", "gift", str(src), "--into", str(bank))[0] == 0
    path = bank / "geography" / "capitals.yaml"
    # the author adds a comment and a question of their own
    path.write_text(
        path.read_text().replace("questions:\n", "questions:\n  # my own comment\n")
        + "\n  - id: mine\n    type: essay\n    text: My own question.\n",
        encoding="utf-8",
    )
    changed = (
        GIFT.replace("{=Paris ~Lyon ~Nice}", "{=Paris ~Lyon ~Marseille}")
        + "\n::new-one::New? {T}\n"
    )
    src.write_text(changed, encoding="utf-8")
    code, out = run("import", "gift", str(src), "--into", str(bank), "--update")
    assert code == 0, out
    assert "3 replaced (--update)" in out
    text = path.read_text()
    assert "# my own comment" in text and "id: mine" in text
    qs = load_bank(bank).by_id()
    assert [o.text for o in qs["fr-capital"].options] == ["Paris", "Lyon", "Marseille"]
    assert qs["new-one"].answer is True
    assert list(qs) == [
        "fr-capital",
        "tf-1",
        "two-plus-two-equals-four-4-ca6deb",
        "mine",
        "new-one",
    ]


def test_into_existing_bank_with_taxonomy(tmp_path: Path, make_bank: Callable[..., Path]) -> None:
    bank = make_bank(
        {"q.yaml": "id: q1\ntype: truefalse\ntopic: '4.3'\ntext: IAM is global.\nanswer: true\n"}
    )
    src = _gift(tmp_path)
    code, out = run("import", "gift", str(src), "--into", str(bank), "--topic", "4.3")
    assert code == 0, out
    assert "note: add these topics" not in out
    assert {q.topic for q in load_bank(bank).questions} == {"4.3"}


def test_usage_errors(tmp_path: Path) -> None:
    code, out = run("import", "gift", str(tmp_path / "missing.gift"), "--into", str(tmp_path / "b"))
    assert code == 2 and "missing.gift: file not found" in out
    code, out = run("import", "docx", "x", "--into", "b")
    assert code == 2


@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_special_files_are_refused_unread(tmp_path: Path, special: str) -> None:
    path = Path(special)
    if special == "fifo":
        path = tmp_path / "fifo.gift"
        os.mkfifo(path)  # opening it would block until a writer came
    code, out = run("import", "gift", str(path), "--into", str(tmp_path / "b"))
    assert code == 2 and f"{path}: not a regular file" in out
    assert not (tmp_path / "b").exists()


def test_update_replaces_a_one_question_file(
    tmp_path: Path, make_bank: Callable[..., Path]
) -> None:
    bank = make_bank(
        {"q1.yaml": "# my notes\nid: fr-capital\ntype: truefalse\ntext: Old.\nanswer: true\n"}
    )
    src = _gift(tmp_path, "::fr-capital::What is the capital of France? {=Paris ~Lyon}\n")
    code, out = run("import", "gift", str(src), "--into", str(bank))
    assert code == 1 and "is already in the bank at q1.yaml:2" in out
    code, out = run("import", "gift", str(src), "--into", str(bank), "--update")
    assert code == 0, out
    text = (bank / "q1.yaml").read_text()
    assert text.startswith("# my notes\nid: fr-capital\ntype: single\n")
    q = load_bank(bank).by_id()["fr-capital"]
    assert [o.text for o in q.options] == ["Paris", "Lyon"] and q.options[0].correct
