"""Synthetic banks for benchmarks: realistic question files in the DESIGN format.

Every question type appears (weighted like a certification bank: mostly single choice);
stems are built from a vocabulary so they differ, with the YAML shapes authors use (block
scalars, plain-string wrong options, feedback, file-level defaults). Deterministic for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

TYPES_WEIGHTED = (
    ["single"] * 40
    + ["multi"] * 15
    + ["truefalse"] * 10
    + ["cloze"] * 10
    + ["short"] * 6
    + ["numeric"] * 6
    + ["order"] * 5
    + ["match"] * 5
    + ["essay"] * 3
)

SERVICES = (
    "Amazon S3",
    "AWS Glue",
    "Amazon Kinesis",
    "Amazon SageMaker",
    "AWS Lambda",
    "Amazon EMR",
    "Amazon Athena",
    "AWS IAM",
    "Amazon VPC",
    "AWS KMS",
    "Amazon CloudWatch",
    "AWS CloudTrail",
    "Amazon Redshift",
    "Amazon DynamoDB",
    "Amazon Comprehend",
    "Amazon Rekognition",
    "Amazon Textract",
    "Amazon Polly",
    "Amazon Transcribe",
    "Amazon Forecast",
)
VERBS = (
    "store",
    "stream",
    "transform",
    "encrypt",
    "monitor",
    "audit",
    "query",
    "label",
    "train",
    "deploy",
    "tune",
    "scale",
    "secure",
    "catalogue",
    "visualise",
    "analyse",
)
OBJECTS = (
    "training data",
    "model artifacts",
    "clickstream events",
    "inference requests",
    "feature vectors",
    "log files",
    "customer records",
    "image datasets",
    "time series",
    "text documents",
    "hyperparameters",
    "evaluation metrics",
    "audit trails",
    "labels",
)
CONTEXTS = (
    "A data scientist",
    "A machine learning engineer",
    "A retail company",
    "A bank",
    "A hospital",
    "A start-up",
    "An analytics team",
    "A media company",
    "A research lab",
)
CONSTRAINTS = (
    "with the least operational overhead",
    "at the lowest cost",
    "in near real time",
    "without exposing data to the internet",
    "with encryption at rest",
    "across accounts",
    "within one hour",
    "for millions of records a day",
    "using managed services only",
)


def _stem(rng: random.Random, n: int) -> str:
    return (
        f"{rng.choice(CONTEXTS)} needs to {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
        f"{rng.choice(CONSTRAINTS)} (scenario {n}). Which approach should it use to "
        f"{rng.choice(VERBS)} the {rng.choice(OBJECTS)}?"
    )


def _q(s: str) -> str:
    """A double-quoted YAML scalar."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def question_yaml(rng: random.Random, n: int, qtype: str) -> str:
    qid = f"q{n:06d}"
    stem = _stem(rng, n)
    lines = [f"  - id: {qid}", f"    type: {qtype}"]
    if qtype in ("single", "multi"):
        lines += ["    text: >-", f"      {stem}", "    options:"]
        services = rng.sample(SERVICES, 4)
        correct = {0} if qtype == "single" else {0, 2}
        order = list(range(4))
        rng.shuffle(order)
        for i in order:
            verb = rng.choice(VERBS)
            text = f"Use {services[i]} to {verb} the data"
            if i in correct:
                lines += [f"      - text: {text}", "        correct: true"]
                lines += [f"        feedback: {services[i]} fits this scenario."]
            else:
                lines += [f"      - {text}"]
    elif qtype == "truefalse":
        lines += [
            f"    text: {_q(f'{rng.choice(SERVICES)} can {rng.choice(VERBS)} {rng.choice(OBJECTS)}.')}"
        ]
        lines += [f"    answer: {rng.choice(['true', 'false'])}"]
    elif qtype == "cloze":
        svc = rng.choice(SERVICES)
        short = svc.split()[-1]
        lines += [
            "    text: >-",
            f"      {rng.choice(CONTEXTS)} uses {{{{{svc}|{short}}}}} to {rng.choice(VERBS)} "
            f"{rng.choice(OBJECTS)} (scenario {n}).",
            "    max_words: 3",
        ]
    elif qtype == "short":
        svc = rng.choice(SERVICES)
        lines += [
            f"    text: {_q(f'Which service is used to {rng.choice(VERBS)} {rng.choice(OBJECTS)} in scenario {n}?')}"
        ]
        lines += [f"    answers: [{_q(svc)}, {_q(svc.split()[-1])}]", "    max_words: 3"]
    elif qtype == "numeric":
        lines += [f"    text: {_q(f'How many shards are needed for scenario {n}?')}"]
        lines += [f"    answer: {rng.randint(1, 500)}", '    tolerance: "1"', "    unit: shards"]
    elif qtype == "order":
        lines += [f"    text: {_q(f'Put the steps of pipeline {n} in order.')}", "    items:"]
        lines += [
            f"      - {v.capitalize()} the {rng.choice(OBJECTS)}" for v in rng.sample(VERBS, 4)
        ]
    elif qtype == "match":
        lines += [f"    text: {_q(f'Match each service to its use (set {n}).')}", "    pairs:"]
        for svc, verb in zip(rng.sample(SERVICES, 3), rng.sample(VERBS, 3), strict=True):
            lines += [f"      - [{_q(svc)}, {_q(verb + ' ' + rng.choice(OBJECTS))}]"]
    else:  # essay
        lines += ["    text: >-", f"      {stem} Explain your reasoning.", "    lines: 8"]
        lines += ["    rubric: Names a service, justifies it against the constraint."]
    lines += [f"    explanation: {_q(f'Explanation for scenario {n}.')}"]
    if rng.random() < 0.3:
        lines += [f"    difficulty: {rng.choice(['easy', 'medium', 'hard'])}"]
    return "\n".join(lines)


def write_bank(
    root: Path,
    n_questions: int,
    n_files: int,
    *,
    seed: int = 0,
    types: Sequence[str] | None = None,
) -> Path:
    """Write a bank of ``n_questions`` spread over ``n_files`` files under ``root``."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    topics = {f"{d}": f"Domain {d}" for d in range(1, 5)}
    topics.update({f"{d}.{s}": f"Sub-domain {d}.{s}" for d in range(1, 5) for s in range(1, 5)})
    manifest = ["id: synthetic", "title: Synthetic benchmark bank", "topics:"]
    manifest += [f'  "{k}": {v}' for k, v in topics.items()]
    manifest += ["blueprint:", '  "1": 20%', '  "2": 24%', '  "3": 36%', '  "4": 20%']
    (root / "qbank.yaml").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    pool = list(types) if types else TYPES_WEIGHTED
    per_file = -(-n_questions // n_files)
    n = 0
    for f in range(n_files):
        domain, sub = 1 + f % 4, 1 + (f // 4) % 4
        folder = root / f"domain-{domain}"
        folder.mkdir(exist_ok=True)
        body = [
            "# synthetic questions (bench/synth.py)",
            f'topic: "{domain}.{sub}"',
            "tags: [synthetic, aws]",
            "questions:",
        ]
        for _ in range(per_file):
            if n >= n_questions:
                break
            body.append(question_yaml(rng, n, rng.choice(pool)))
            n += 1
        (folder / f"file-{f:04d}.yaml").write_text("\n".join(body) + "\n", encoding="utf-8")
    return root


if __name__ == "__main__":  # pragma: no cover - manual use
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    write_bank(args.root, args.questions, args.files, seed=args.seed)
    print(f"wrote {args.questions} questions in {args.files} files to {args.root}")
