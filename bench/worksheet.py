"""Word worksheet benchmark: a 200-question worksheet plus its answer key, end to end.

Ours (in-process, through the library): load_bank + check_for_export + draw (200 questions)
+ export docx (worksheet and separate key, styles, fields, keep-chains, reproducible
zip, atomic writes). Floor: a bare python-docx loop that writes the same paragraph texts
(read back from our two files, table cells included) into two plain documents and saves
them. Runs are interleaved so machine noise hits both alike; the ratio is the median of
per-run ratios. Target: ratio <= 3.0.

    python bench/worksheet.py [--quick] [--questions N] [--repeat N]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

# keep the bench folder off the path so `import docx` can never find a script of ours
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

from docx.api import Document  # noqa: E402

from qbank.draw import Selection, draw  # noqa: E402
from qbank.export import check_for_export  # noqa: E402
from qbank.export.docx import export  # noqa: E402
from qbank.load import load_bank  # noqa: E402
from qbank.markup import parse  # noqa: E402

_spec = importlib.util.spec_from_file_location("synth", HERE / "synth.py")
assert _spec is not None and _spec.loader is not None
synth = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(synth)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 runs instead of 7")
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=None)
    args = parser.parse_args()
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
