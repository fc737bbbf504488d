"""Question banks with the length distribution of a real crowd-sourced certification bank.

``bench/synth.py`` writes short stems of one template; real banks are not like that (issue
12): most stems are one or two sentences (median ≈ 60 words), a tail of case studies repeats
a 300–700-word case text before a short ask, Microsoft-style series repeat a scenario with
"Solution: …. Does this meet the goal?" and Yes/No options, many questions show an exhibit
image, and a few percent are re-posted duplicates. This module writes such a bank, with words
drawn from the vocabulary of ``bench/real_style.py``'s hand-written questions so that unrelated stems share words at
the rate real text does. Deterministic for a seed.

    python bench/realtext_synth.py OUT --questions 2000
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

#: chance (percent) that the next item written is a case study (3-6 asks, ≈ 7 % of the
#: questions), a series (3-5 items, ≈ 12 %), a re-post of an earlier question (≈ 3 %); the
#: rest are standalone single/multi choice, IMAGE_SHARE % of them with an exhibit
CASE_SHARE = 1.6
SERIES_SHARE = 3.2
DUPLICATE_SHARE = 3.5
IMAGE_SHARE = 15

_SERIES_INTRO = (
    "Note: This question is part of a series of questions that present the same scenario. "
    "Each question in the series contains a unique solution that might meet the stated "
    "goals. Some question sets might have more than one correct solution, while others might "
    "not have a correct solution."
)


def vocabulary() -> list[str]:
    """Distinct words of the hand-written questions and case texts of ``bench/real_style.py``
    (≈ 1,500), sorted: a fixed source, so the bank does not change when the docs do."""
    import real_style

    parts: list[str] = []
    for stem, key, wrongs in real_style.BASES:
        parts += [stem, key, *wrongs]
    for template, keys, wrongs, terms in real_style.SWAPS:
        parts += [template, *keys, *wrongs, *terms]
    for scenario, solutions in real_style.SERIES:
        parts += [scenario, *(s for s, _ in solutions)]
    for name, paragraphs, asks in real_style.CASES:
        parts += [name, *paragraphs]
        for ask, key, wrongs in asks:
            parts += [ask, key, *wrongs]
    return sorted({w for w in re.findall(r"[A-Za-z][a-z]{2,}", " ".join(parts))})


class Writer:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words = vocabulary()
        # a Zipf-like weighting: a few words are common, most are rare (like real text)
        self.weights = [1.0 / (1 + i % 400) for i in range(len(self.words))]
        self.rng.shuffle(self.weights)

    def sentence(self, n: int) -> str:
        words = self.rng.choices(self.words, self.weights, k=n)
        if self.rng.random() < 0.3:
            words[self.rng.randrange(n)] = str(self.rng.randint(2, 5000))
        return words[0].capitalize() + " " + " ".join(w.lower() for w in words[1:]) + "."

    def paragraph(self, words: int) -> str:
        out, left = [], words
        while left > 0:
            n = min(left, self.rng.randint(8, 24))
            out.append(self.sentence(n))
            left -= n
        return " ".join(out)

    def stem_words(self) -> int:
        """Words of a standalone stem: log-normal around 55, clipped to 8–250."""
        return max(8, min(250, round(self.rng.lognormvariate(4.0, 0.55))))

    def ask(self) -> str:
        return self.sentence(self.rng.randint(6, 16))[:-1] + "?"

    def options(self, k: int = 4) -> list[str]:
        return [self.sentence(self.rng.randint(2, 12))[:-1] for _ in range(k)]


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _question(qid: str, text: str, options: list[str], keys: set[int]) -> list[str]:
    qtype = "multi" if len(keys) > 1 else "single"
    lines = [f"  - id: {qid}", f"    type: {qtype}", "    text: |-"]
    lines += [f"      {line}" if line else "" for line in text.split("\n")]
    lines.append("    options:")
    for i, o in enumerate(options):
        if i in keys:
            lines += [f"      - text: {_q(o)}", "        correct: true"]
        else:
            lines.append(f"      - {_q(o)}")
    return lines


def write_bank(root: Path, n_questions: int, n_files: int = 40, *, seed: int = 0) -> Path:
    """Write ``n_questions`` real-length questions in ``n_files`` files under ``root``."""
    w = Writer(seed)
    rng = w.rng
    root.mkdir(parents=True, exist_ok=True)
    (root / "qbank.yaml").write_text(
        "id: realtext\ntitle: Real-length synthetic bank (bench/realtext_synth.py)\n",
        encoding="utf-8",
    )
    items: list[tuple[str, list[str], set[int]]] = []
    while len(items) < n_questions:
        roll = rng.random() * 100
        if roll < CASE_SHARE:
            case = "\n\n".join(w.paragraph(rng.randint(60, 160)) for _ in range(rng.randint(3, 5)))
            case = f"Case study: {rng.choice(w.words)}\n\n{case}"
            for _ in range(rng.randint(3, 6)):
                items.append((f"{case}\n\n{w.ask()}", w.options(), {rng.randrange(4)}))
        elif roll < CASE_SHARE + SERIES_SHARE:
            scenario = w.paragraph(rng.randint(40, 110))
            for _ in range(rng.randint(3, 5)):
                solution = w.sentence(rng.randint(6, 18))
                text = (
                    f"{_SERIES_INTRO}\n\n{scenario}\n\nSolution: {solution}\n\n"
                    "Does this meet the goal?"
                )
                items.append((text, ["Yes", "No"], {rng.randrange(2)}))
        elif roll < CASE_SHARE + SERIES_SHARE + DUPLICATE_SHARE and items:
            text, options, keys = items[rng.randrange(len(items))]
            words = text.split(" ")
            spots = [i for i, word in enumerate(words) if len(word) > 4 and word.isalpha()]
            if spots:  # a slip: two letters swapped
                i = rng.choice(spots)
                words[i] = words[i][0] + words[i][2] + words[i][1] + words[i][3:]
            order = list(range(len(options)))
            rng.shuffle(order)
            items.append(
                (" ".join(words), [options[j] for j in order], {order.index(k) for k in keys})
            )
        else:
            text = w.paragraph(w.stem_words() - 10) + " " + w.ask()
            if rng.randrange(100) < IMAGE_SHARE:
                n = rng.randint(1, 999)
                text += f"\n\n![Question {n}](images/question-{n}.png)"
            k = rng.choice((4, 4, 4, 5, 6))
            keys = {rng.randrange(k)} if rng.random() < 0.85 else set(rng.sample(range(k), 2))
            items.append((text, w.options(k), keys))
    items = items[:n_questions]
    per_file = -(-len(items) // n_files)
    for f in range(n_files):
        chunk = items[f * per_file : (f + 1) * per_file]
        if not chunk:
            break
        lines = ["# real-length synthetic questions (bench/realtext_synth.py)", "questions:"]
        for i, (text, options, keys) in enumerate(chunk):
            lines += _question(f"r{f:03d}-{i:04d}", text, options, keys)
        (root / f"questions-{f:03d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def stem_lengths(root: Path) -> list[int]:
    """Words per stem of a written bank (for the benchmark's description)."""
    import yaml

    out = []
    for path in sorted(root.glob("questions-*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        out += [len(q["text"].split()) for q in data["questions"]]
    return out


if __name__ == "__main__":  # pragma: no cover - manual use
    import argparse
    import statistics

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    write_bank(args.root, args.questions, args.files, seed=args.seed)
    lengths = stem_lengths(args.root)
    print(
        f"wrote {len(lengths)} questions to {args.root}: median {statistics.median(lengths)} "
        f"words, max {max(lengths)}, ≥ 300 words: {sum(n >= 300 for n in lengths)}"
    )
