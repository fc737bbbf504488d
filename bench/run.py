"""Run every benchmark (``make bench``) and print their key figures side by side.

Each ``bench/*.py`` script (except this one and helpers) is run as a subprocess; its last
``RESULT {json}`` line is collected. ``--quick`` is passed through for a short run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SKIP = {
    "run.py",
    "synth.py",
    "dedup_synth.py",
    "realtext_synth.py",  # generator for validate_speed.py
    "real_style.py",  # writes the labelled fixture of dedup_styles.py
    "__init__.py",
}


def main() -> int:
    quick = "--quick" in sys.argv[1:]
    scripts = sorted(p for p in HERE.glob("*.py") if p.name not in SKIP)
    results: dict[str, object] = {}
    failed = []
    for script in scripts:
        print(f"\n=== {script.name} {'(quick)' if quick else ''}", flush=True)
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, str(script), *(["--quick"] if quick else [])],
            capture_output=True,
            text=True,
        )
        sys.stdout.write(proc.stdout)
        if proc.returncode != 0:
            sys.stdout.write(proc.stderr[-4000:])
            failed.append(script.name)
            continue
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
        if lines:
            results[script.stem] = json.loads(lines[-1][len("RESULT ") :])
        print(f"({time.perf_counter() - start:.0f} s)")
    print("\n=== summary")
    print(json.dumps(results, indent=2, sort_keys=True))
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
