"""Duplicate classification on real question styles (issue 12): precision and recall against a
reviewer's labels.

Runs ``qbank validate``'s rules over ``tests/fixtures/dedup-real-style/bank`` (written by
``bench/real_style.py``: series items, case studies, swapped key terms, different keys,
exhibits, re-posted duplicates, conflicts) and compares the QB3xx findings with
``labels.yaml``:

* **precision** of the errors: QB301 findings on pairs labelled ``duplicate`` plus QB302
  findings on pairs labelled ``conflict``, over all QB301 + QB302 findings (target ≥ 0.9);
* **recall** of true duplicates as QB301: ``duplicate`` pairs reported as QB301, over all
  ``duplicate`` pairs (target ≥ 0.95);
* conflicts found as QB302, and how each labelled kind was reported.

``python bench/dedup_styles.py``; the last line is ``RESULT {json}``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "dedup-real-style"


def labels(path: Path = FIXTURE / "labels.yaml") -> dict[frozenset[str], tuple[str, str]]:
    """pair → (label, the reason written beside it)."""
    out: dict[frozenset[str], tuple[str, str]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line.startswith("- ["):
            continue
        pair, _, why = line.partition("#")
        a, b, label = yaml.safe_load(pair.strip()[2:])
        out[frozenset((a, b))] = (label, why.strip())
    return out


def findings(bank_dir: Path = FIXTURE / "bank") -> list[tuple[str, str, str, str]]:
    """(rule, question id, other id, message) of every QB3xx finding ``qbank validate`` reports."""
    from qbank.load import load_bank
    from qbank.validate.engine import Options, validate

    bank = load_bank(bank_dir)
    report = validate(bank, Options())
    out = []
    for p in report.problems:
        if p.rule.startswith("QB3"):
            other = str((p.data or {}).get("other_id", ""))
            out.append((p.rule, p.question_id or "", other, p.message))
    return out


def measure(verbose: bool = True) -> dict[str, object]:
    truth = labels()
    found = findings()
    by_pair: dict[frozenset[str], str] = {}
    for rule, a, b, _ in found:
        by_pair[frozenset((a, b))] = rule
    errors = [(r, a, b, m) for r, a, b, m in found if r in ("QB301", "QB302")]
    right = 0
    wrong: list[str] = []
    for rule, a, b, msg in errors:
        label = truth.get(frozenset((a, b)), ("unrelated", ""))[0]
        ok = (rule == "QB301" and label == "duplicate") or (rule == "QB302" and label == "conflict")
        right += ok
        if not ok:
            wrong.append(f"{rule} on {label} pair {a} / {b}: {msg[:160]}")
    duplicates = [p for p, (lab, _) in truth.items() if lab == "duplicate"]
    conflicts = [p for p, (lab, _) in truth.items() if lab == "conflict"]
    missed = [
        f"{' / '.join(sorted(p))} ({truth[p][1]}): {by_pair.get(p, 'not reported')}"
        for p in duplicates
        if by_pair.get(p) != "QB301"
    ]
    table: Counter[tuple[str, str]] = Counter()
    for pair, (label, _) in truth.items():
        table[(label, by_pair.get(pair, "-"))] += 1
    unlabelled = Counter(r for r, a, b, _ in found if frozenset((a, b)) not in truth)
    precision = right / len(errors) if errors else 1.0
    recall = sum(by_pair.get(p) == "QB301" for p in duplicates) / len(duplicates)
    conflict_recall = sum(by_pair.get(p) == "QB302" for p in conflicts) / max(1, len(conflicts))
    n_questions = sum(
        len((yaml.safe_load(f.read_text(encoding="utf-8")) or {}).get("questions", []))
        for f in (FIXTURE / "bank").glob("*.yaml")
        if f.name != "qbank.yaml"
    )
    if verbose:
        print(f"bank: {n_questions} questions, {len(truth)} labelled pairs")
        print(f"{'label':12}{'reported as':>14}{'pairs':>8}")
        for (label, rule), count in sorted(table.items()):
            print(f"{label:12}{rule:>14}{count:>8}")
        print(f"unlabelled pairs reported: {dict(sorted(unlabelled.items())) or 'none'}")
        print(
            f"errors (QB301+QB302): {len(errors)}, right {right} → precision {precision:.3f}"
            "  (target ≥ 0.9)"
        )
        print(f"true duplicates as QB301: recall {recall:.3f}  (target ≥ 0.95)")
        print(f"conflicts as QB302: {conflict_recall:.3f}")
        for line in wrong:
            print("  wrong: " + line)
        for line in missed:
            print("  missed: " + line)
    return {
        "questions": n_questions,
        "labelled_pairs": len(truth),
        "errors": len(errors),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "conflict_recall": round(conflict_recall, 4),
        "warnings": sum(1 for r, *_ in found if r == "QB303"),
    }


def main() -> int:
    result = measure()
    print("RESULT " + json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
