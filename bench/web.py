"""Web export benchmark: `qbank export json | surveyjs | html` vs. a floor in the same run.

Ours (in-process, through the library): load_bank + check_for_export + draw + export, once
per target. Floor: a plain ``yaml.load(..., Loader=yaml.CSafeLoader)`` of the same files,
each text rendered once by bare markdown-it, and ``json.dumps(indent=2)`` of the result —
the least any exporter of safe HTML to JSON must do. Runs are interleaved so machine noise
hits all alike; ratios are medians of per-run ratios. No target was set for these exports:
the figures are for tracking.

    python bench/web.py [--quick] [--questions N] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qbank.draw import draw
from qbank.export import check_for_export
from qbank.export.web import html, quiz_json, surveyjs
from qbank.load import iter_yaml_files, load_bank
from qbank.markup import parse
from synth import write_bank


def floor(files: list[Path], out: Path) -> int:
    md = MarkdownIt("commonmark", {"html": False})
    questions: list[dict[str, Any]] = []
    for path in files:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        if isinstance(data, dict):
            questions.extend(data.get("questions") or [])
    doc = []
    for q in questions:
        item = {"id": q["id"], "html": md.render(str(q["text"]))}
        options = q.get("options") or []
        item["options"] = [
            md.renderInline(str(o["text"] if isinstance(o, dict) else o)) for o in options
        ]
        if q.get("explanation"):
            item["explanation"] = md.render(str(q["explanation"]))
        doc.append(item)
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return len(doc)


def ours(target: str, root: Path, out: Path) -> int:
    parse.cache_clear()  # as in a fresh `qbank` process: no text parsed yet
    bank = load_bank(root)
    checked = check_for_export(bank)
    drawn = draw(checked.bank)
    if target == "json":
        quiz_json.export(drawn, out, bank=checked.bank)
    elif target == "surveyjs":
        surveyjs.export(drawn, out, bank=checked.bank)
    else:
        html.export(drawn, out, bank=checked.bank)
    return len(drawn.forms[0].questions)


def timed(fn: Callable[[], int]) -> tuple[float, int]:
    start = time.perf_counter()
    n = fn()
    return time.perf_counter() - start, n


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 questions, 3 repeats")
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.quick:
        args.questions, args.repeat = 1_000, 3
    targets = ("json", "surveyjs", "html")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        root = write_bank(tmp / "bank", args.questions, max(1, args.questions // 50), seed=1)
        files = list(iter_yaml_files(root))
        floor(files, tmp / "floor.json")  # warm caches and imports
        times: dict[str, list[float]] = {"floor": [], **{t: [] for t in targets}}
        sizes: dict[str, int] = {}
        for _ in range(args.repeat):
            elapsed, n = timed(lambda: floor(files, tmp / "floor.json"))
            times["floor"].append(elapsed)
            assert n == args.questions, n
            for t in targets:
                out = tmp / f"out.{t}"
                elapsed, n = timed(lambda t=t, out=out: ours(t, root, out))  # type: ignore[misc]
                times[t].append(elapsed)
                assert n == args.questions, (t, n)
                sizes[t] = out.stat().st_size

    def ratio(t: str) -> float:
        return statistics.median(o / f for f, o in zip(times["floor"], times[t], strict=True))

    print(f"bank: {args.questions:,} questions; {args.repeat} interleaved runs")
    print(f"{'':52}{'median s':>10}{'min':>8}{'max':>8}{'vs floor':>10}{'MB':>7}")
    print(
        f"{'floor: libyaml + markdown-it + json.dumps':52}"
        f"{statistics.median(times['floor']):>10.2f}{min(times['floor']):>8.2f}"
        f"{max(times['floor']):>8.2f}{1.0:>10.2f}{'':>7}"
    )
    for t in targets:
        print(
            f"{'qbank load + check + draw + export ' + t:52}"
            f"{statistics.median(times[t]):>10.2f}{min(times[t]):>8.2f}{max(times[t]):>8.2f}"
            f"{ratio(t):>10.2f}{sizes[t] / 1e6:>7.1f}"
        )
    result = {
        "questions": args.questions,
        "floor_median_s": round(statistics.median(times["floor"]), 3),
        **{f"{t}_median_s": round(statistics.median(times[t]), 3) for t in targets},
        **{f"{t}_ratio_to_floor": round(ratio(t), 2) for t in targets},
        **{f"{t}_mb": round(sizes[t] / 1e6, 2) for t in targets},
    }
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
