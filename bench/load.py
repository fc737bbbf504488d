"""Loader benchmark: load + schema-check a synthetic bank vs a plain libyaml parse.

Target (issue: Foundation): loading and schema-checking 20,000 questions in 400 files takes at
most 2.0x the time of ``yaml.load(..., Loader=yaml.CSafeLoader)`` of the same files, measured
in the same run (yamllint takes about 30x). Also times each malformed fixture through the
real CLI (target: under 2 s each, process start included).

    python bench/load.py [--quick] [--questions N] [--files N] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qbank.load import iter_yaml_files, load_bank
from synth import write_bank


def baseline(files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return time.perf_counter() - start


def qbank_load(root: Path) -> tuple[float, int]:
    start = time.perf_counter()
    bank = load_bank(root)
    elapsed = time.perf_counter() - start
    assert not bank.problems, bank.problems[:3]
    return elapsed, len(bank.questions)


def fixture_times() -> list[tuple[str, float]]:
    fixtures = sorted(
        (Path(__file__).resolve().parents[1] / "tests/fixtures/malformed").glob("*.yaml")
    )
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for fx in fixtures:
            bank = Path(tmp) / fx.stem
            bank.mkdir()
            (bank / "qbank.yaml").write_text("id: b\ntitle: B\n", encoding="utf-8")
            (bank / "q.yaml").write_bytes(fx.read_bytes())
            start = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "qbank", "validate", str(bank), "-f", "concise"],
                capture_output=True,
                timeout=60,
            )
            out.append((fx.stem, time.perf_counter() - start))
            assert proc.returncode == 1, (fx.name, proc.stdout)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 questions, 3 repeats")
    parser.add_argument("--questions", type=int, default=20_000)
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.quick:
        args.questions, args.files, args.repeat = 5_000, 100, 3
    with tempfile.TemporaryDirectory() as tmp:
        root = write_bank(Path(tmp) / "bank", args.questions, args.files, seed=1)
        files = list(iter_yaml_files(root))
        baseline(files)  # warm the page cache and imports
        qbank_load(root)
        base_times, load_times = [], []
        for _ in range(args.repeat):  # interleaved, so machine noise hits both alike
            base_times.append(baseline(files))
            elapsed, n = qbank_load(root)
            load_times.append(elapsed)
    base, ours = statistics.median(base_times), statistics.median(load_times)
    ratios = [b / a for a, b in zip(base_times, load_times, strict=True)]
    print(f"bank: {n:,} questions in {len(files)} files")
    print(f"{'':32}{'median s':>10}{'min s':>10}{'max s':>10}")
    print(
        f"{'yaml.load CSafeLoader (floor)':32}{base:10.3f}{min(base_times):10.3f}{max(base_times):10.3f}"
    )
    print(f"{'qbank load + schema':32}{ours:10.3f}{min(load_times):10.3f}{max(load_times):10.3f}")
    print(f"ratio (median of per-run ratios): {statistics.median(ratios):.2f}  (target <= 2.0)")
    fx = fixture_times()
    worst = max(fx, key=lambda t: t[1])
    print(
        f"malformed fixtures via CLI: {len(fx)}, median {statistics.median(t for _, t in fx):.2f} s, "
        f"max {worst[1]:.2f} s ({worst[0]})  (target < 2 s each)"
    )
    result = {
        "questions": n,
        "files": len(files),
        "baseline_median_s": round(base, 4),
        "load_median_s": round(ours, 4),
        "ratio": round(statistics.median(ratios), 3),
        "fixture_max_s": round(worst[1], 3),
        "fixture_median_s": round(statistics.median(t for _, t in fx), 3),
    }
    print("RESULT " + json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
