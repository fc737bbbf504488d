"""Word worksheet benchmark: a 200-question worksheet plus its answer key, end to end.

Ours (in-process, through the library): load_bank + check_for_export + draw (200 questions)
+ export docx (worksheet and separate key, styles, fields, keep-chains, reproducible
zip, atomic writes). Floor: a bare python-docx loop that writes the same paragraph texts
(read back from our two files, table cells included) into two plain documents and saves
them. Runs are interleaved so machine noise hits both alike; the ratio is the median of
per-run ratios. Target: ratio <= 3.0.

``--shared-images``: the bank of ``bench/web_media.py`` (2,000 questions whose stems show
400 exhibit photos, each used five times) exported by ``python -m qbank export docx`` and,
for scale, ``export json``, a fresh process per run as a teacher runs it (each qbank
version from a bytecode-compiled copy of its sources). ``--before REF`` also runs the
sources of a git commit, interleaved, and checks both write the same bytes. Times are
medians, wall clock and the CPU time of the process.

    python bench/worksheet.py [--quick] [--questions N] [--repeat N]
    python bench/worksheet.py --shared-images [--before REF] [--repeat N] [--quick]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# keep the bench folder off the path so `import docx` can never find a script of ours
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

from docx.api import Document  # noqa: E402

from qbank.draw import Selection, draw  # noqa: E402
from qbank.export import check_for_export  # noqa: E402
from qbank.export.docx import export  # noqa: E402
from qbank.load import load_bank  # noqa: E402
from qbank.markup import parse  # noqa: E402


def _bench_module(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


synth = _bench_module("synth")
write_bank = synth.write_bank

W_P = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"
STAGES: dict[str, list[float]] = {"load + check": [], "draw": [], "export docx": []}


def paragraphs(path: Path) -> list[str]:
    """Every paragraph's text in a .docx, table cells included, in document order."""
    from docx.text.paragraph import Paragraph

    document = Document(str(path))
    return [Paragraph(p, document._body).text for p in document.element.body.iter(W_P)]


def floor(texts: list[list[str]], out: Path) -> float:
    start = time.perf_counter()
    for i, doc_texts in enumerate(texts):
        document = Document()
        for text in doc_texts:
            document.add_paragraph(text)
        document.save(str(out / f"floor-{i}.docx"))
    return time.perf_counter() - start


def ours(root: Path, out: Path, count: int) -> tuple[float, list[Path]]:
    parse.cache_clear()  # as in a fresh `qbank` process: no text parsed yet
    start = time.perf_counter()
    bank = check_for_export(load_bank(root)).bank
    t1 = time.perf_counter()
    drawn = draw(bank, Selection(count=count, seed="bench"))
    t2 = time.perf_counter()
    result = export(drawn, out / "worksheet.docx", bank=bank)
    t3 = time.perf_counter()
    STAGES["load + check"].append(t1 - start)
    STAGES["draw"].append(t2 - t1)
    STAGES["export docx"].append(t3 - t2)
    assert len(drawn.forms[0].questions) == count
    return t3 - start, result.files


def shared_images(args: argparse.Namespace) -> None:
    """``export docx`` (and ``export json``) of the shared-exhibits bank, fresh processes."""
    wm = _bench_module("web_media")  # its bank, source copies and timed runs
    questions = args.questions or (200 if args.quick else 2000)
    images = 40 if args.quick else 400
    repeat = args.repeat or (1 if args.quick else 3)
    with tempfile.TemporaryDirectory() as tmp_name:
        work = Path(tmp_name)
        bank, _ = wm.write_banks(work, questions, images)
        versions = {"after": str(wm.compiled(wm.ROOT / "src", work / "after" / "src"))}
        if args.before:
            before = wm.compiled(
                wm.sources_of(args.before, work / "before"), work / "before-c" / "src"
            )
            versions = {"before": str(before), **versions}
        load_start = " ".join(f"{x:.2f}" for x in os.getloadavg())
        walls: dict[str, list[float]] = {}
        cpus: dict[str, list[float]] = {}
        outputs: dict[str, list[bytes]] = {}
        for _ in range(repeat):
            for version, src in versions.items():
                env = {**os.environ, "PYTHONPATH": src, "SOURCE_DATE_EPOCH": "1700000000"}
                for target in ("docx", "json"):
                    out = work / version / f"exhibits.{target}"
                    cmd = [sys.executable, "-m", "qbank", "export", target, str(bank)]
                    wall, cpu = wm.timed([*cmd, "-o", str(out), "--no-shuffle"], env, work)
                    name = f"{version} {target}"
                    walls.setdefault(name, []).append(wall)
                    cpus.setdefault(name, []).append(cpu)
                    files = [out, out.with_name("exhibits-key.docx")] if target == "docx" else [out]
                    outputs[name] = [f.read_bytes() for f in files]
        load_end = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"{questions} questions, {images} shared exhibit images, median of {repeat}; "
        f"load average at the start {load_start}, at the end {load_end}"
    )
    result: dict[str, object] = {"questions": questions, "images": images, "repeat": repeat}
    result["load_average"] = {"start": load_start, "end": load_end}
    for name in walls:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        size = sum(len(b) for b in outputs[name])
        print(f"  {name:<12} {wall:7.2f} s  (CPU {cpu:6.2f} s)  {size / 1e6:7.1f} MB")
        result[name] = {"seconds": round(wall, 2), "cpu": round(cpu, 2), "bytes": size}
    if args.before:
        same = outputs["before docx"] == outputs["after docx"]
        print(f"  before and after write the same docx bytes: {'yes' if same else 'NO'}")
        result["same_docx_bytes"] = same
    print("RESULT " + json.dumps(result, sort_keys=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 runs instead of 7")
    parser.add_argument("--questions", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument(
        "--shared-images",
        action="store_true",
        help="the 2,000-question bank with 400 shared exhibits, as `qbank export docx`",
    )
    parser.add_argument("--before", help="with --shared-images: also run this git commit")
    args = parser.parse_args()
    if args.shared_images:
        shared_images(args)
        return
    args.questions = args.questions or 200
    repeat = args.repeat or (3 if args.quick else 7)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        root = write_bank(tmp / "bank", args.questions + 40, 8, seed=11)
        out = tmp / "out"
        out.mkdir()
        _, files = ours(root, out, args.questions)  # warm-up: imports, template, caches
        for values in STAGES.values():
            values.clear()
        texts = [paragraphs(f) for f in files]
        floor(texts, out)
        t_ours: list[float] = []
        t_floor: list[float] = []
        for _ in range(repeat):
            t_floor.append(floor(texts, out))
            elapsed, files = ours(root, out, args.questions)
            t_ours.append(elapsed)
        sizes = [f.stat().st_size for f in files]
    ratios = [o / f for o, f in zip(t_ours, t_floor, strict=True)]
    export_ratios = [e / f for e, f in zip(STAGES["export docx"], t_floor, strict=True)]
    n_paras = sum(len(t) for t in texts)
    print(
        f"{args.questions} questions (synthetic bank of {args.questions + 40}); "
        f"{n_paras} paragraphs in worksheet + key; files {sizes[0]:,} + {sizes[1]:,} bytes"
    )
    print(f"{'':52}{'median s':>10}{'min':>8}{'max':>8}")
    for label, values in [
        ("floor: bare python-docx loop, same paragraphs", t_floor),
        ("qbank load + check + draw + export docx", t_ours),
        *[(f"  of which {k}", v) for k, v in STAGES.items()],
    ]:
        print(f"{label:52}{statistics.median(values):10.3f}{min(values):8.3f}{max(values):8.3f}")
    ratio = statistics.median(ratios)
    print(f"ratio end to end, median of {repeat} interleaved runs: {ratio:.2f} (target <= 3.0)")
    print(f"ratio of the export step alone: {statistics.median(export_ratios):.2f}")
    result = {
        "questions": args.questions,
        "paragraphs": n_paras,
        "repeat": repeat,
        "floor_median_s": round(statistics.median(t_floor), 4),
        "ours_median_s": round(statistics.median(t_ours), 4),
        "stage_median_s": {k: round(statistics.median(v), 4) for k, v in STAGES.items()},
        "ratio": round(ratio, 3),
        "ratio_export_only": round(statistics.median(export_ratios), 3),
        "target": 3.0,
        "worksheet_bytes": sizes[0],
        "key_bytes": sizes[1],
    }
    print("RESULT " + json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
