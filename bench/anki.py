"""Anki export benchmark: `qbank export anki` end to end vs. a floor measured in the same run.

Ours (in-process, through the library): load_bank + check_for_export + draw + export to
``.apkg`` (with the state file that a real bank keeps, already present: a re-export).
Floor: a plain ``yaml.load(..., Loader=yaml.CSafeLoader)`` of the same files plus a bare
genanki loop writing the same number of notes (stem and explanation, GUID from the id).
Target (issue 6): ours / floor <= 2.0. Runs are interleaved so that machine noise hits both
alike; the ratio reported is the median of the per-run ratios. The CLI is also timed once
(process start and imports included), for information.

    python bench/anki.py [--quick] [--questions N] [--files N] [--repeat N]
"""

from __future__ import annotations

import argparse
import gc
import html
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import genanki
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qbank.assets import read_asset
from qbank.draw import draw
from qbank.export import check_for_export
from qbank.export.anki import MODELS, export
from qbank.load import iter_yaml_files, load_bank
from synth import write_bank

NOW = 1_767_225_600  # a fixed "now": the benchmark measures time, it must not depend on it


def clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def since(start: tuple[float, float]) -> tuple[float, float]:
    """(wall, CPU) seconds since ``start``; CPU time is robust to other jobs on the machine."""
    wall, cpu = clock()
    return wall - start[0], cpu - start[1]


def parse(files: list[Path]) -> list[dict[str, object]]:
    """The libyaml half of the floor: parse every question file."""
    questions: list[dict[str, object]] = []
    for path in files:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        if isinstance(data, dict):
            questions.extend(data.get("questions") or [])
    return questions


def floor_minimal(files: list[Path], out: Path) -> tuple[tuple[float, float], int]:
    """libyaml parse + a bare genanki loop writing one two-field note per question."""
    start = clock()
    questions = parse(files)
    model = genanki.Model(
        1_607_392_319,
        "Floor",
        fields=[{"name": "Question"}, {"name": "Explanation"}],
        templates=[{"name": "Card", "qfmt": "{{Question}}", "afmt": "{{Explanation}}"}],
    )
    deck = genanki.Deck(2_059_400_110, "Floor")
    for q in questions:
        fields = [html.escape(str(q["text"])), html.escape(str(q.get("explanation") or ""))]
        deck.add_note(genanki.Note(model=model, fields=fields, guid=genanki.guid_for("b", q["id"])))
    genanki.Package(deck).write_to_file(str(out), timestamp=NOW)
    return since(start), len(questions)


def same_notes(apkg: Path) -> list[tuple[int, list[str], list[str], str]]:
    """The notes qbank wrote (model id, fields, tags, GUID), read back from its package."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "c.anki2"
        with zipfile.ZipFile(apkg) as z:
            db.write_bytes(z.read("collection.anki2"))
        conn = sqlite3.connect(db)
        rows = conn.execute("select mid, flds, tags, guid from notes order by id").fetchall()
        conn.close()
    return [(mid, flds.split("\x1f"), tags.split(), guid) for mid, flds, tags, guid in rows]


def floor_same(
    files: list[Path], out: Path, notes: list[tuple[int, list[str], list[str], str]]
) -> tuple[tuple[float, float], int]:
    """libyaml parse + a bare genanki loop writing the very notes qbank writes (same fields,
    tags and GUIDs, with genanki models of the same fields and templates)."""
    start = clock()
    parse(files)
    models = {}
    for spec in MODELS.values():
        front, back = (read_asset("anki", name) for name in spec.files)
        models[spec.model_id] = genanki.Model(
            spec.model_id,
            spec.name,
            fields=[{"name": f} for f in spec.fields],
            templates=[{"name": spec.template, "qfmt": front, "afmt": back}],
            css=read_asset("anki", "style.css"),
            model_type=genanki.Model.CLOZE if spec.cloze else genanki.Model.FRONT_BACK,
        )
    deck = genanki.Deck(2_059_400_110, "Floor")
    for mid, fields, tags, guid in notes:
        deck.add_note(genanki.Note(model=models[mid], fields=fields, tags=tags, guid=guid))
    genanki.Package(deck).write_to_file(str(out), timestamp=NOW)
    return since(start), len(notes)


STAGES: dict[str, list[float]] = {"load": [], "check": [], "draw": [], "export": []}


def ours(root: Path, out: Path, state: Path) -> tuple[tuple[float, float], int]:
    """The real pipeline, as the CLI runs it; also records each stage's wall time."""
    start = clock()
    marks = [start[0]]
    bank = load_bank(root)
    gc.freeze()  # as the CLI does after loading (qbank.cli.common.load)
    marks.append(time.perf_counter())
    checked = check_for_export(bank)
    marks.append(time.perf_counter())
    drawn = draw(checked.bank)
    marks.append(time.perf_counter())
    result = export(drawn, out, bank=checked.bank, state=state, now=NOW)
    marks.append(time.perf_counter())
    del bank, checked, drawn
    gc.unfreeze()  # the next run starts as a fresh process would
    for name, a, b in zip(STAGES, marks, marks[1:], strict=False):
        STAGES[name].append(b - a)
    return since(start), result.notes


def cli(root: Path, out: Path, state: Path) -> float:
    start = time.perf_counter()
    cmd = [sys.executable, "-m", "qbank", "export", "anki", str(root), "-o", str(out)]
    proc = subprocess.run(
        [*cmd, "--state", str(state)],
        capture_output=True,
        text=True,
        env={"SOURCE_DATE_EPOCH": str(NOW), "PATH": "/usr/bin:/bin", "QBANK_NO_PROGRESS": "1"},
        timeout=600,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"qbank export anki failed:\n{proc.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 questions, 3 repeats")
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=0, help="default: one per 50 questions")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.quick:
        args.questions, args.repeat = 2_000, 3
    args.repeat = max(3, args.repeat)
    n_files = args.files or max(1, args.questions // 50)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        tempfile.tempdir = str(tmp)  # genanki leaves its temporary database behind
        root = write_bank(tmp / "bank", args.questions, n_files, seed=1)
        files = list(iter_yaml_files(root))
        state = tmp / "anki-state.json"
        ours(root, tmp / "ours.apkg", state)  # creates the state file (first export)
        notes = same_notes(tmp / "ours.apkg")
        floor_minimal(files, tmp / "floor.apkg")  # warm the page cache and imports
        floor_same(files, tmp / "floor.apkg", notes)
        times: dict[str, list[tuple[float, float]]] = {"minimal": [], "same": [], "ours": []}
        for _ in range(args.repeat):  # interleaved, so machine noise hits all alike
            elapsed, n_min = floor_minimal(files, tmp / "floor.apkg")
            times["minimal"].append(elapsed)
            elapsed, n_same = floor_same(files, tmp / "floor.apkg", notes)
            times["same"].append(elapsed)
            elapsed, n_notes = ours(root, tmp / "ours.apkg", state)
            times["ours"].append(elapsed)
        assert n_min == n_same == n_notes == args.questions, (n_min, n_same, n_notes)
        cli_time = cli(root, tmp / "cli.apkg", state)
        identical = (tmp / "cli.apkg").read_bytes() == (tmp / "ours.apkg").read_bytes()
        size = (tmp / "ours.apkg").stat().st_size

    def col(key: str, kind: int) -> list[float]:
        return [t[kind] for t in times[key]]

    def ratio(floor: str, kind: int) -> float:
        pairs = zip(col(floor, kind), col("ours", kind), strict=True)
        return statistics.median(o / f for f, o in pairs)

    print(f"bank: {args.questions:,} questions in {n_files} files; package {size / 1e6:.1f} MB")
    print(f"{'':48}{'wall median':>12}{'min':>8}{'max':>8}{'CPU median':>12}")
    rows = [
        ("floor: libyaml + genanki loop, same notes", "same"),
        ("floor: libyaml + genanki loop, 2-field notes", "minimal"),
        ("qbank load + check + draw + export anki", "ours"),
    ]
    for label, key in rows:
        wall, cpu = col(key, 0), col(key, 1)
        print(
            f"{label:48}{statistics.median(wall):12.3f}{min(wall):8.3f}{max(wall):8.3f}"
            f"{statistics.median(cpu):12.3f}"
        )
    for name, values in STAGES.items():
        last = values[-args.repeat :]
        label = f"  of which {name}"
        print(f"{label:48}{statistics.median(last):12.3f}{min(last):8.3f}{max(last):8.3f}")
    print(f"{'qbank export anki via the CLI (once, wall)':48}{cli_time:12.3f}")
    print(f"ratios, median of {args.repeat} interleaved runs (target <= 2.0):")
    print(f"  to the same-notes floor:  wall {ratio('same', 0):.2f}   CPU {ratio('same', 1):.2f}")
    print(
        f"  to the 2-field floor:     wall {ratio('minimal', 0):.2f}   CPU {ratio('minimal', 1):.2f}"
    )
    print(f"CLI output identical to the library's: {identical}")
    result = {
        "questions": args.questions,
        "files": n_files,
        "repeat": args.repeat,
        "floor_same_median_s": round(statistics.median(col("same", 0)), 4),
        "floor_minimal_median_s": round(statistics.median(col("minimal", 0)), 4),
        "export_median_s": round(statistics.median(col("ours", 0)), 4),
        "stage_median_s": {
            k: round(statistics.median(v[-args.repeat :]), 4) for k, v in STAGES.items()
        },
        "ratio": round(ratio("same", 0), 3),
        "ratio_cpu": round(ratio("same", 1), 3),
        "ratio_minimal_floor": round(ratio("minimal", 0), 3),
        "ratio_minimal_floor_cpu": round(ratio("minimal", 1), 3),
        "target": 2.0,
        "cli_s": round(cli_time, 3),
        "cli_identical": identical,
        "apkg_bytes": size,
    }
    print("RESULT " + json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
