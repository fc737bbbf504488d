"""Benchmark of the near-duplicate check (QB301–QB303, issue 4).

Runs the dedup stage exactly as ``qbank validate`` does (the QB3 family's ``check`` over a
bank of in-memory questions from ``bench/dedup_synth.py``, with planted duplicates and hard
negatives) and measures:

* pull-request mode: 100 changed questions against the whole bank (100,000; ``--quick``
  20,000), against the in-run baseline of one plain ``cdist(changed, bank)`` call;
* full scans: 20,000 (MinHash-LSH, the default above 3,000 distinct stems) against an
  exhaustive ``cdist`` scan run in the same process; 100,000 in a child process (peak memory
  from ``ru_maxrss``) with recall and exhaustive time estimated from a row sample;
* recall of the candidates against the exhaustive pairs, planted duplicates found, and hard
  negatives (number changed, "NOT" inserted) reported as errors;
* (full run only) LSH band/row settings and datasketch's MinHash-LSH for comparison.

``python bench/dedup.py [--quick]``; the last line is ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from rapidfuzz import fuzz, process  # noqa: E402

import dedup_synth  # noqa: E402
from qbank.diagnostics import Problem  # noqa: E402
from qbank.load import Bank  # noqa: E402
from qbank.validate import dedup  # noqa: E402
from qbank.validate.context import Context, Options  # noqa: E402
from qbank.validate.rules import duplicates  # noqa: E402

THRESHOLD = 85
SEED = 0


# -- helpers ----------------------------------------------------------------------------------


def rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f}/{five:.1f}"


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[Any, list[float]]:
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, times


def stage(
    questions: list[Any], changed: set[str] | None = None, workers: int = -1
) -> list[Problem]:
    """The QB3 family's check over an in-memory bank: what ``qbank validate`` runs."""
    bank = Bank(Path("."), None, questions, {}, {}, [])
    options = Options(changed_ids=changed, workers=workers)
    return list(duplicates.check(Context(bank, options)))


def distinct_keys(questions: list[Any]) -> tuple[list[str], dict[str, int]]:
    """Distinct normalised keys (what the engine scores) and each question id's key index."""
    items = dedup.prepare(questions)
    index: dict[str, int] = {}
    keys: list[str] = []
    of_id: dict[str, int] = {}
    for item in items:
        k = index.setdefault(item.key, len(keys))
        if k == len(keys):
            keys.append(item.key)
        of_id[item.question.id] = k
    return keys, of_id


def pair_set(pairs: np.ndarray) -> set[tuple[int, int]]:
    return {(int(a), int(b)) for a, b in pairs.tolist()}


def row_sample_exhaustive(
    keys: list[str], rows: Sequence[int]
) -> tuple[set[tuple[int, int]], float]:
    """Exhaustive pairs of the sampled rows against every key, and the cdist time."""
    start = time.perf_counter()
    found: set[tuple[int, int]] = set()
    step = max(1, dedup.BLOCK_BYTES // max(1, len(keys)))
    for lo in range(0, len(rows), step):
        block = list(rows[lo : lo + step])
        scores = process.cdist(
            [keys[r] for r in block],
            keys,
            scorer=fuzz.ratio,
            score_cutoff=THRESHOLD,
            dtype=np.uint8,
            workers=-1,
        )
        for i, j in zip(*np.nonzero(scores), strict=True):
            r = block[int(i)]
            if r != int(j):
                found.add((min(r, int(j)), max(r, int(j))))
    return found, time.perf_counter() - start


def planted_table(problems: list[Problem], planted: list[dedup_synth.Planted]) -> dict[str, Any]:
    """Per planted kind: how many, found (any QB3 rule), and as which rule."""
    rule_of: dict[tuple[str, str], str] = {}
    for p in problems:
        other = str(p.data.get("other_id"))
        rule_of[(min(p.question_id or "", other), max(p.question_id or "", other))] = p.rule
    rows: dict[str, Counter[str]] = {}
    for pl in planted:
        rule = rule_of.get((min(pl.a, pl.b), max(pl.a, pl.b)), "missed")
        rows.setdefault(pl.kind, Counter())[rule] += 1
    return rows


def print_planted(rows: dict[str, Counter[str]]) -> dict[str, float]:
    print(f"{'planted kind':<14}{'pairs':>7}{'found':>8}{'QB301':>8}{'QB302':>8}{'QB303':>8}")
    for kind in (*dedup_synth.DUPLICATE_KINDS, *dedup_synth.NEGATIVE_KINDS):
        c = rows.get(kind, Counter())
        total = sum(c.values()) or 1
        found = total - c["missed"]
        print(
            f"{kind:<14}{total:>7}{found / total:>8.1%}{c['QB301'] / total:>8.1%}"
            f"{c['QB302'] / total:>8.1%}{c['QB303'] / total:>8.1%}"
        )
    dup = Counter[str]()
    for kind in dedup_synth.DUPLICATE_KINDS:
        dup.update(rows.get(kind, Counter()))
    neg = Counter[str]()
    for kind in ("number", "negation"):
        neg.update(rows.get(kind, Counter()))
    dup_total = sum(dup.values()) or 1
    neg_total = sum(neg.values()) or 1
    summary = {
        "planted_dup_found": round(1 - dup["missed"] / dup_total, 4),
        "planted_dup_as_qb301": round(dup["QB301"] / dup_total, 4),
        "planted_numneg_as_error": round((neg["QB301"] + neg["QB302"]) / neg_total, 4),
    }
    print(
        f"planted duplicates found {summary['planted_dup_found']:.1%} "
        f"(as QB301 {summary['planted_dup_as_qb301']:.1%}); number/negation variants "
        f"reported as errors {summary['planted_numneg_as_error']:.1%}"
    )
    return summary


# -- sections --------------------------------------------------------------------------------


def pr_mode(questions: list[Any], repeat: int) -> dict[str, Any]:
    """100 changed questions against the whole bank, and the plain-cdist baseline."""
    n = len(questions)
    ids = sorted(q.id for q in questions)
    changed = set(random.Random(1).sample(ids, 100))
    problems, times = timed(lambda: stage(questions, changed), repeat)
    keys, of_id = distinct_keys(questions)
    queries = sorted({of_id[i] for i in changed})
    ours = pair_set(dedup.similar_pairs(keys, THRESHOLD, queries=queries))

    def baseline() -> set[tuple[int, int]]:
        scores = process.cdist(
            [keys[q] for q in queries],
            keys,
            scorer=fuzz.ratio,
            score_cutoff=THRESHOLD,
            dtype=np.uint8,
            workers=-1,
        )
        return {
            (min(queries[i], j), max(queries[i], j))
            for i, j in zip(*np.nonzero(scores), strict=True)
            if queries[i] != j
        }

    expected, base_times = timed(baseline, repeat)
    median, base = statistics.median(times), statistics.median(base_times)
    print(
        f"\nPR mode: 100 changed vs {n:,} questions: dedup stage median {median:.2f} s "
        f"(runs {', '.join(f'{t:.2f}' for t in times)}); plain cdist(changed, bank) "
        f"{base:.2f} s; ratio {median / base:.2f}; {len(problems)} findings; "
        f"exact (same pairs as cdist): {ours == expected}"
    )
    return {
        "pr_n": n,
        "pr_median_s": round(median, 3),
        "pr_baseline_cdist_s": round(base, 3),
        "pr_ratio": round(median / base, 3),
        "pr_exact": ours == expected,
        "pr_findings": len(problems),
    }


def full_scan(
    questions: list[Any],
    planted: list[dedup_synth.Planted],
    repeat: int,
    *,
    exhaustive_rows: int | None,
) -> tuple[dict[str, Any], list[str], set[tuple[int, int]]]:
    """Default full scan timed, recall against exhaustive (all rows, or a row sample).
    Returns the figures, the distinct keys and the exhaustive pairs."""
    n = len(questions)
    problems, times = timed(lambda: stage(questions), repeat)
    median = statistics.median(times)
    keys, _ = distinct_keys(questions)
    (lsh, lsh_times) = timed(lambda: dedup.similar_pairs(keys, THRESHOLD, method="auto"))
    found = pair_set(lsh)
    if exhaustive_rows is None:
        exh_pairs, exh_times = timed(lambda: dedup.exhaustive_pairs(keys, THRESHOLD))
        exhaustive = pair_set(exh_pairs)
        exh_time = exh_times[0]
        recall = len(found & exhaustive) / max(1, len(exhaustive))
        how = "exhaustive cdist (measured)"
    else:
        rows = sorted(random.Random(2).sample(range(len(keys)), min(exhaustive_rows, len(keys))))
        exhaustive, sample_time = row_sample_exhaustive(keys, rows)
        sampled = set(rows)
        mine = {p for p in found if p[0] in sampled or p[1] in sampled}
        recall = len(mine & exhaustive) / max(1, len(exhaustive))
        exh_time = sample_time * len(keys) / (2 * len(rows))
        how = f"exhaustive cdist extrapolated from {len(rows):,} rows ({sample_time:.1f} s)"
    counts = Counter(p.rule for p in problems)
    print(
        f"\nfull scan of {n:,} questions ({len(keys):,} distinct stems): dedup stage median "
        f"{median:.2f} s (runs {', '.join(f'{t:.2f}' for t in times)}); candidates + "
        f"verify {lsh_times[0]:.2f} s; {how} {exh_time:.1f} s; ratio {median / exh_time:.3f}; "
        f"recall {recall:.2%} ({len(exhaustive):,} exhaustive pairs); findings "
        + ", ".join(f"{r} {c}" for r, c in sorted(counts.items()))
    )
    summary = print_planted(planted_table(problems, planted))
    figures = {
        "n": n,
        "median_s": round(median, 3),
        "candidates_verify_s": round(lsh_times[0], 3),
        "exhaustive_s": round(exh_time, 2),
        "exhaustive_measured": exhaustive_rows is None,
        "ratio": round(median / exh_time, 4),
        "recall": round(recall, 4),
        "exhaustive_pairs": len(exhaustive),
        "findings": dict(sorted(counts.items())),
        **summary,
    }
    return figures, keys, exhaustive


def lsh_settings(keys: list[str], exhaustive: set[tuple[int, int]]) -> list[dict[str, Any]]:
    """Time and recall of band/row settings (why the defaults are what they are)."""
    print(f"\nLSH settings at {len(keys):,} distinct stems (candidates + verify):")
    print(f"{'bands x rows':<14}{'perms':>6}{'time s':>8}{'recall':>9}")
    out = []
    for bands, rows in ((25, 5), (20, 5), (16, 4), (20, 4), (32, 4), (12, 3)):
        pairs, times = timed(
            lambda b=bands, r=rows: dedup.lsh_pairs(keys, THRESHOLD, bands=b, rows=r)
        )
        recall = len(pair_set(pairs) & exhaustive) / max(1, len(exhaustive))
        print(f"{bands:>3} x {rows:<8}{bands * rows:>6}{times[0]:>8.2f}{recall:>9.2%}")
        out.append(
            {"bands": bands, "rows": rows, "s": round(times[0], 3), "recall": round(recall, 4)}
        )
    return out


def datasketch_candidates(keys: list[str]) -> dict[str, Any]:
    """datasketch MinHash + MinHashLSH (same 25 × 5 bands) vs the numpy implementation."""
    from datasketch import MinHash, MinHashLSH

    def with_datasketch() -> int:
        sets = [sorted(set(k.split())) for k in keys]
        encoded = [[t.encode("utf-8") for t in s] for s in sets]
        sigs = MinHash.bulk(encoded, num_perm=125, seed=1)
        lsh = MinHashLSH(num_perm=125, params=(25, 5))
        for i, m in enumerate(sigs):
            lsh.insert(i, m)
        total = 0
        for i, m in enumerate(sigs):
            total += sum(1 for j in lsh.query(m) if j > i)
        return total

    def with_numpy() -> int:
        sig = dedup.minhash_signatures(keys)
        codes = dedup._unique(np.concatenate(list(dedup.lsh_candidates(sig))))
        return len(codes)

    ds_count, ds_times = timed(with_datasketch)
    np_count, np_times = timed(with_numpy)
    print(
        f"\ncandidate generation at {len(keys):,}: datasketch {ds_times[0]:.2f} s "
        f"({ds_count:,} pairs); numpy {np_times[0]:.2f} s ({np_count:,} pairs)"
    )
    return {"datasketch_s": round(ds_times[0], 2), "numpy_s": round(np_times[0], 2)}


def child_scan(n: int) -> None:
    """Run in a fresh process: generate, run the stage three times, report the median time
    and the peak memory, then estimate recall and exhaustive time from a row sample."""
    synth = dedup_synth.generate(n, seed=SEED)
    questions = synth.questions()
    before = rss_mb()
    problems, times = timed(lambda: stage(questions))
    peak = rss_mb()  # one run, as `qbank validate` does it
    del problems
    problems, more = timed(lambda: stage(questions), 2)
    times += more
    peak_all = rss_mb()
    keys, _ = distinct_keys(questions)
    found = pair_set(dedup.similar_pairs(keys, THRESHOLD))
    rows = sorted(random.Random(2).sample(range(len(keys)), min(2000, len(keys))))
    exhaustive, sample_time = row_sample_exhaustive(keys, rows)
    sampled = set(rows)
    mine = {p for p in found if p[0] in sampled or p[1] in sampled}
    rows_table = planted_table(problems, synth.planted)
    out = {
        "n": n,
        "distinct": len(keys),
        "stage_s": statistics.median(times),
        "stage_runs": times,
        "rss_before_mb": before,
        "rss_peak_mb": peak,
        "rss_peak_all_mb": peak_all,
        "recall": len(mine & exhaustive) / max(1, len(exhaustive)),
        "sample_rows": len(rows),
        "sample_pairs": len(exhaustive),
        "sample_s": sample_time,
        "exhaustive_est_s": sample_time * len(keys) / (2 * len(rows)),
        "findings": dict(Counter(p.rule for p in problems)),
        "planted": {k: dict(v) for k, v in rows_table.items()},
    }
    print("CHILD " + json.dumps(out))


def scan_100k(n: int) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(n)], capture_output=True, text=True, check=True
    )
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("CHILD "))
    r = json.loads(line[len("CHILD ") :])
    print(
        f"\nfull scan of {n:,} questions ({r['distinct']:,} distinct), own process: dedup "
        f"stage median {r['stage_s']:.1f} s (runs "
        f"{', '.join(f'{t:.1f}' for t in r['stage_runs'])}); peak RSS {r['rss_peak_mb']:.0f} MB "
        f"after one run ({r['rss_peak_all_mb']:.0f} MB after three; questions alone "
        f"{r['rss_before_mb']:.0f} MB); exhaustive cdist estimated {r['exhaustive_est_s']:.0f} s "
        f"from {r['sample_rows']:,} rows ({r['sample_s']:.1f} s); ratio "
        f"{r['stage_s'] / r['exhaustive_est_s']:.3f}; recall on the row sample "
        f"{r['recall']:.2%} ({r['sample_pairs']:,} pairs); findings {r['findings']}"
    )
    summary = print_planted({k: Counter(v) for k, v in r["planted"].items()})
    return {
        "n": n,
        "s": round(r["stage_s"], 2),
        "peak_rss_mb": round(r["rss_peak_mb"]),
        "peak_rss_3_runs_mb": round(r["rss_peak_all_mb"]),
        "questions_rss_mb": round(r["rss_before_mb"]),
        "exhaustive_est_s": round(r["exhaustive_est_s"], 1),
        "ratio": round(r["stage_s"] / r["exhaustive_est_s"], 4),
        "recall_est": round(r["recall"], 4),
        **summary,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 and 20,000 only (< 1 min)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_scan(args.child)
        return
    print(
        f"dedup benchmark{' (quick)' if args.quick else ''}: {os.cpu_count()} cores, load {load()}"
    )
    result: dict[str, Any] = {"quick": args.quick, "threshold": THRESHOLD}
    repeat = 3
    if args.quick:
        small = dedup_synth.generate(5_000, seed=SEED)
        result["scan_5k"] = full_scan(
            small.questions(), small.planted, repeat, exhaustive_rows=None
        )[0]
        synth = dedup_synth.generate(20_000, seed=SEED)
        questions = synth.questions()
        result["scan_20k"] = full_scan(questions, synth.planted, repeat, exhaustive_rows=1000)[0]
        result["pr"] = pr_mode(questions, repeat)
    else:
        synth = dedup_synth.generate(20_000, seed=SEED)
        questions = synth.questions()
        result["scan_20k"], keys, exhaustive = full_scan(
            questions, synth.planted, repeat, exhaustive_rows=None
        )
        result["lsh_settings_20k"] = lsh_settings(keys, exhaustive)
        result["candidates_20k"] = datasketch_candidates(keys)
        del synth, questions
        result["scan_100k"] = scan_100k(100_000)
        big = dedup_synth.generate(100_000, seed=SEED)
        result["pr"] = pr_mode(big.questions(), repeat)
    result["load_end"] = load()
    targets = {"pr_s": 3.0, "scan_20k_s": 8.0, "recall_20k": 0.98}
    if not args.quick:
        targets.update({"scan_100k_s": 90.0, "recall_100k": 0.95, "peak_rss_100k_mb": 2048})
    result["targets"] = targets
    print(f"\nload average at the end {result['load_end']}")
    print("RESULT " + json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
