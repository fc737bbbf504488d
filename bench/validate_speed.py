"""Whole ``qbank validate`` runs against a bare ``yaml.load(CSafeLoader)`` of the same files
(issue 12), measured side by side in one process, interleaved, medians:

* **real-length**: 2,000 questions from ``bench/realtext_synth.py`` (median ≈ 60 words, a
  tail of 300–700-word case studies, exhibits, Yes/No series) — target ≤ 3×;
* **synthetic 20k**: a full validate of 20,000 questions from ``bench/dedup_synth.py`` (the
  planted-duplicate bank) — target ≤ 4×;
* **pull request**: ``--changed-since`` with 100 changed questions in 100,000 synthetic ones
  (a git repository; the baseline loads the same files) — target ≤ 2×; ``--quick`` uses
  20,000. ``--only real,synthetic,pr`` runs a part.

Each qbank run is the CLI (``qbank validate BANK -f json -o FILE``) called in-process, so
imports are warm as they are for the baseline. Medians of wall time and of CPU time (this
process's user + system time: steadier on a shared machine) are printed, then per-stage
times of one extra run (load, each rule family, the JSON and full reports).
``python bench/validate_speed.py [--quick] [--repeat N]``;
the last line is ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from qbank.load import Bank

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import dedup_synth  # noqa: E402
import realtext_synth  # noqa: E402
from qbank.load import iter_yaml_files  # noqa: E402


def cpu() -> float:
    """CPU seconds of this process (user + system): steadier than wall time on a shared
    machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def baseline(files: list[Path]) -> tuple[float, float]:
    """(wall, CPU) seconds of a bare CSafeLoader load of ``files``."""
    start, start_cpu = time.perf_counter(), cpu()
    for path in files:
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return time.perf_counter() - start, cpu() - start_cpu


def qbank_validate(args: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one ``qbank validate`` run in this process (exit code
    ignored: banks have findings)."""
    from qbank.cli import main

    start, start_cpu = time.perf_counter(), cpu()
    with contextlib.suppress(SystemExit):
        main.main(args=["validate", *args], standalone_mode=False)
    return time.perf_counter() - start, cpu() - start_cpu


def stages(root: Path, changed_since: str | None) -> dict[str, float]:
    """Per-stage seconds of one run: load, changed ids, each rule family, reports. Like the
    CLI (``qbank.cli.common.load`` and the command group's pause), the collector is paused
    for the run and the loaded bank is frozen out of its sight: timed with the collector on,
    the load stage also held the collection of everything loading made (≈ 30 ms on the
    2,000 real-style questions), which the CLI never runs."""
    import gc

    from qbank.gcpause import paused
    from qbank.load import load_bank

    out: dict[str, float] = {}
    with paused():
        t = time.perf_counter()
        bank = load_bank(root)
        gc.freeze()
        out["load"] = time.perf_counter() - t
        try:
            return _stages(bank, changed_since, out)
        finally:
            gc.unfreeze()


def _stages(bank: Bank, changed_since: str | None, out: dict[str, float]) -> dict[str, float]:
    from qbank.validate import engine
    from qbank.validate.reporters import ReportContext, get

    options = engine.Options()
    if changed_since:
        from qbank.validate.changes import changed_question_ids

        t = time.perf_counter()
        options.changed_ids = changed_question_ids(bank, changed_since)
        out["changed ids"] = time.perf_counter() - t
    original = engine.checks

    def timed_checks() -> list[tuple[str, engine.Check]]:
        wrapped = []
        for family, fn in original():

            def run(ctx: engine.Context, fn: engine.Check = fn, family: str = family) -> list:
                t0 = time.perf_counter()
                found = list(fn(ctx))
                out[f"rules {family}"] = time.perf_counter() - t0
                return found

            wrapped.append((family, run))
        return wrapped

    engine.checks = timed_checks  # type: ignore[assignment]
    try:
        t = time.perf_counter()
        report = engine.validate(bank, options)
        out["validate (all rules, config)"] = time.perf_counter() - t
    finally:
        engine.checks = original  # type: ignore[assignment]
    t = time.perf_counter()
    get("json")(ReportContext(report.problems, bank, checked=len(bank.questions)))
    out["json report"] = time.perf_counter() - t
    t = time.perf_counter()
    get("full")(ReportContext(report.problems, bank, checked=len(bank.questions)))
    out["full report (the default format)"] = time.perf_counter() - t
    return out


def compare(
    name: str, root: Path, args: list[str], repeat: int, target: float
) -> dict[str, object]:
    files = list(iter_yaml_files(root))
    run: Callable[[], tuple[float, float]] = lambda: qbank_validate([str(root), *args])  # noqa: E731
    baseline(files)
    run()  # warm caches and imports
    base_runs, our_runs = [], []
    for _ in range(repeat):
        base_runs.append(baseline(files))
        our_runs.append(run())
    base_times, ours = [b[0] for b in base_runs], [o[0] for o in our_runs]
    ratios = [o / b for b, o in zip(base_times, ours, strict=True)]
    ratio = statistics.median(ours) / statistics.median(base_times)
    base_cpu = statistics.median(b[1] for b in base_runs)
    our_cpu = statistics.median(o[1] for o in our_runs)
    print(
        f"{name}: CSafeLoader median {statistics.median(base_times):.3f} s, qbank validate "
        f"median {statistics.median(ours):.3f} s → ratio {ratio:.2f} (per-run median "
        f"{statistics.median(ratios):.2f}; target ≤ {target:g}); CPU {base_cpu:.3f} s vs "
        f"{our_cpu:.3f} s → ratio {our_cpu / base_cpu:.2f}"
    )
    since = args[args.index("--changed-since") + 1] if "--changed-since" in args else None
    for stage, seconds in stages(root, since).items():
        print(f"    {stage:34}{seconds:8.3f} s")
    return {
        "baseline_s": round(statistics.median(base_times), 4),
        "validate_s": round(statistics.median(ours), 4),
        "ratio": round(ratio, 3),
        "baseline_cpu_s": round(base_cpu, 4),
        "validate_cpu_s": round(our_cpu, 4),
        "cpu_ratio": round(our_cpu / base_cpu, 3),
        "target": target,
    }


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def pr_bank(root: Path, n: int, changed: int) -> Path:
    """A bank of ``n`` synthetic questions in files of 200 committed to git, then ``changed``
    of them edited in the working tree (the pull request: ten edits in each of a few files)."""
    dedup_synth.write_bank(root, dedup_synth.generate(n, seed=3), n_files=max(20, n // 200))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    files = sorted(root.glob("questions-*.yaml"))
    edited = 0
    for path in files:
        if edited >= changed:
            break
        lines = path.read_text(encoding="utf-8").split("\n")
        for i, line in enumerate(lines):
            if line.startswith("    text: ") and edited < changed:
                lines[i] = line[:-1] + ' (revised)"'
                edited += 1
                if edited % 10 == 0:
                    break  # ten edits per file, in several files
        path.write_text("\n".join(lines), encoding="utf-8")
    return root


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="PR mode on 20,000; 3 repeats")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--only", default="real,synthetic,pr", help="comma-separated: real, synthetic, pr"
    )
    args = parser.parse_args()
    only = set(args.only.split(","))
    repeat = 3 if args.quick else args.repeat
    one, five, _ = os.getloadavg()
    print(f"validate speed: {os.cpu_count()} cores, load {one:.1f}/{five:.1f}")
    print(
        "qbank runs in this process after a warm-up run: its modules are imported and compiled "
        "once, before timing (PYTHONDONTWRITEBYTECODE does not count), like the baseline's yaml"
    )
    result: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        out = ["-f", "json", "-o", str(base / "report.json")]
        if "real" in only:
            real = realtext_synth.write_bank(base / "real", 2000, 40, seed=0)
            lengths = realtext_synth.stem_lengths(real)
            print(
                f"real-length bank: {len(lengths)} questions, median "
                f"{statistics.median(lengths):.0f} words, {sum(n >= 300 for n in lengths)} of "
                f"300+ words, max {max(lengths)}"
            )
            result["real_2000"] = compare("real-length 2,000", real, out, repeat, 3.0)
        if "synthetic" in only:
            synth = dedup_synth.write_bank(base / "synth", dedup_synth.generate(20_000, seed=0), 20)
            result["synthetic_20k"] = compare("synthetic 20,000 full", synth, out, repeat, 4.0)
        if "pr" in only:
            n = 20_000 if args.quick else 100_000
            pr = pr_bank(base / "pr", n, 100)
            result[f"pr_100_of_{n // 1000}k"] = compare(
                f"pull request, 100 changed of {n:,}",
                pr,
                [*out, "--changed-since", "HEAD"],
                max(3, repeat - 2),
                2.0,
            )
    print("RESULT " + json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
