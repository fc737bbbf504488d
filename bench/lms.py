"""LMS export benchmark: `qbank export moodle` vs moodle-tools, `qbank export qti` vs text2qti.

One run, side by side, each tool as the command a user types (a fresh process, wall time):

* Moodle XML: ``qbank export moodle BANK`` (load, check, draw, write) against
  ``make-questions -s`` of moodle-tools 1.1.0 (PyPI) on the same 20,000 synthetic questions,
  converted to moodle-tools' YAML beforehand (not timed; ``-s`` skips its strict validation,
  which only makes it faster). Target: qbank ≥ 3× faster.
* QTI 1.2: ``qbank export qti BANK`` against ``text2qti`` 0.8.0 on the same 20,000 questions
  of the types text2qti writes (single, multi, true/false, short, numeric, essay), converted
  to text2qti's quiz markdown beforehand (not timed). Target: qbank ≥ 3× faster.

    python bench/lms.py [--quick] [--questions N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qbank.load import load_bank
from qbank.markup import to_text
from qbank.model import Cloze, Essay, Match, Multi, Numeric, Order, Short, Single, TrueFalse
from synth import write_bank

SRC = Path(__file__).resolve().parents[1] / "src"
BIN = Path(sys.executable).parent
TEXT2QTI_TYPES = ["single"] * 40 + ["multi"] * 15 + ["truefalse"] * 10
TEXT2QTI_TYPES += ["short"] * 6 + ["numeric"] * 6 + ["essay"] * 3


def moodle_tools_docs(bank: Path) -> list[dict[str, Any]]:
    """The bank's questions in moodle-tools' YAML (one document per question)."""
    docs: list[dict[str, Any]] = []
    for q in load_bank(bank).questions:
        d: dict[str, Any] = {
            "title": q.id,
            "question": q.text,
            "general_feedback": q.explanation or "",
            "category": f"$course$/top/{q.topic}",
            "grade": q.points,
        }
        if isinstance(q, Single | Multi):
            k = len(q.correct_indices)
            right = 100 if isinstance(q, Single) else round(100 / k, 5)
            wrong = 0 if isinstance(q, Single) else -100
            d |= {
                "type": "multiple_choice",
                "answers": [
                    {
                        "answer": o.text,
                        "points": right if o.correct else wrong,
                        "feedback": o.feedback or "",
                    }
                    for o in q.options
                ],
            }
        elif isinstance(q, TrueFalse):
            d |= {"type": "true_false", "correct_answer": q.answer}
        elif isinstance(q, Short):
            d |= {
                "type": "shortanswer",
                "answers": [to_text(a) for a in q.answers],
                "answer_case_sensitive": q.case_sensitive,
            }
        elif isinstance(q, Numeric):
            d |= {
                "type": "numerical",
                "answers": [{"answer": float(q.answer), "tolerance": 1, "points": 100}],
            }
        elif isinstance(q, Cloze):
            from qbank.grade import blank_answers
            from qbank.markup import replace_blanks

            blanks = blank_answers(q)
            d |= {
                "type": "cloze",
                "question": replace_blanks(q.text, lambda b: f'[["{b.index + 1}"]]'),
                "subquestions": {
                    str(i + 1): {
                        "type": "shortanswer",
                        "answers": [{"answer": a, "points": 100, "feedback": ""} for a in alts],
                    }
                    for i, alts in enumerate(blanks)
                },
            }
        elif isinstance(q, Match):
            d |= {
                "type": "matching",
                "options": [{"question": a, "answer": b} for a, b in q.pairs],
            }
        elif isinstance(q, Order):
            d |= {"type": "ordering", "answers": list(q.items)}
        else:
            assert isinstance(q, Essay)
            d |= {"type": "essay", "response_format": "editor", "grader_info": q.rubric or ""}
        docs.append(d)
    return docs


def text2qti_markdown(bank: Path) -> str:
    """The bank's questions as one text2qti quiz (the types text2qti writes)."""
    out = ["Quiz title: Synthetic benchmark bank", "Quiz description: 20,000 questions", ""]
    for n, q in enumerate(load_bank(bank).questions, start=1):
        text = " ".join(to_text(q.text).split())
        out.append(f"{n}.  {text} [{q.id}]")  # text2qti refuses duplicate question texts
        if q.explanation:
            out.append(f"... {' '.join(q.explanation.split())}")
        if isinstance(q, Single):
            for i, o in enumerate(q.options):
                mark = "*" if o.correct else ""
                out.append(f"{mark}{chr(97 + i)}) {o.text}")
        elif isinstance(q, Multi):
            out.extend(f"[{'*' if o.correct else ' '}] {o.text}" for o in q.options)
        elif isinstance(q, TrueFalse):
            out += [f"{'*' if q.answer else ''}a) True", f"{'' if q.answer else '*'}b) False"]
        elif isinstance(q, Short):
            out.extend(f"*   {to_text(a)}" for a in q.answers)
        elif isinstance(q, Numeric):
            lo = q.tolerance_bounds()
            # text2qti refuses a range that reaches 0: those few become exact answers
            tol = q.tolerance if lo and lo[0] > 0 else "0"
            out.append(f"=   {q.answer} +- {tol or 0}")
        else:
            out.append("____")
        out.append("")
    return "\n".join(out)


def timed(cmd: list[str], cwd: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(SRC), QBANK_PROGRESS="0")
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2,000 questions")
    parser.add_argument("--questions", type=int, default=20_000)
    args = parser.parse_args()
    n = 2_000 if args.quick else args.questions
    for tool in ("make-questions", "text2qti"):
        if not (BIN / tool).exists() and shutil.which(tool) is None:
            raise SystemExit(f"{tool} not installed (pip install -e '.[test]')")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        full = write_bank(work / "full", n, max(1, n // 100), seed=1)
        subset = write_bank(work / "subset", n, max(1, n // 100), seed=2, types=TEXT2QTI_TYPES)
        mt = work / "moodle-tools"
        mt.mkdir()
        docs = moodle_tools_docs(full)
        for i in range(0, len(docs), 100):  # one YAML file per 100 questions, like the bank
            (mt / f"q{i:06d}.yaml").write_text(
                yaml.safe_dump_all(docs[i : i + 100], allow_unicode=True, sort_keys=False),
                encoding="utf-8",
            )
        md = work / "quiz.md"
        md.write_text(text2qti_markdown(subset), encoding="utf-8")
        py = sys.executable
        results: dict[str, float] = {}
        # one run, side by side: ours then theirs for each format
        results["qbank_moodle_s"] = timed(
            [py, "-m", "qbank", "export", "moodle", str(full), "-o", str(work / "q.xml")], work
        )
        mq = str(BIN / "make-questions") if (BIN / "make-questions").exists() else "make-questions"
        results["moodle_tools_s"] = timed(
            [mq, "-i", str(mt), "-o", str(work / "mt.xml"), "-s", "--log-level", "ERROR"], work
        )
        results["qbank_qti_s"] = timed(
            [py, "-m", "qbank", "export", "qti", str(subset), "-o", str(work / "q.zip")], work
        )
        t2q = str(BIN / "text2qti") if (BIN / "text2qti").exists() else "text2qti"
        results["text2qti_s"] = timed([t2q, str(md)], work)
        count_ours, count_mt = (
            text.count("<question type=") - text.count('<question type="category"')
            for text in ((work / f).read_text("utf-8") for f in ("q.xml", "mt.xml"))
        )
        results["moodle_speedup"] = results["moodle_tools_s"] / results["qbank_moodle_s"]
        results["qti_speedup"] = results["text2qti_s"] / results["qbank_qti_s"]
    print(f"questions: {n} (Moodle XML: qbank wrote {count_ours}, moodle-tools {count_mt})")
    print(
        f"moodle: qbank {results['qbank_moodle_s']:.2f} s, moodle-tools "
        f"{results['moodle_tools_s']:.2f} s → {results['moodle_speedup']:.1f}× (target ≥ 3×)"
    )
    print(
        f"qti:    qbank {results['qbank_qti_s']:.2f} s, text2qti "
        f"{results['text2qti_s']:.2f} s → {results['qti_speedup']:.1f}× (target ≥ 3×)"
    )
    print("RESULT " + json.dumps({k: round(v, 3) for k, v in results.items()} | {"questions": n}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
