"""Near-duplicate detection (QB301–QB303): each planted duplicate kind and each hard negative
on real YAML banks, determinism across workers, methods and file order, the allow-list and
threshold options, conflicting keys, pull-request mode, and the engine's exactness claims
(the plain-text fast path, the character-count bound, PR mode against exhaustive)."""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from qbank.diagnostics import RULES, Problem, Severity
from qbank.load import load_bank, load_text
from qbank.markup import to_text
from qbank.validate import Options, dedup, validate
from qbank.validate.dedup import (
    char_histograms,
    exhaustive_pairs,
    find_duplicates,
    lsh_pairs,
    normalise,
    numbers,
    plain_text,
    query_pairs,
    similar_pairs,
    sort_key,
    word_changes,
)
from qbank.validate.rules import duplicates  # noqa: F401  (registers QB3xx)
from qbank.validate.rules.duplicates import to_problem
from test_dedup_lsh import reference_signatures

MakeBank = Callable[..., Path]

STEM = (
    "A retail company stores 24 TB of customer data and must keep it for seven years at "
    "the lowest cost. Which storage class should the architect choose?"
)
OPTIONS = [
    ("S3 Glacier Deep Archive", True),
    ("S3 Standard", False),
    ("S3 Intelligent-Tiering", False),
    ("EBS gp3 volumes", False),
]
NURSE = (
    "A nurse is caring for a client with heart failure who reports shortness of breath. "
    "Which action should the nurse take first?"
)
NURSE_OPTIONS = [
    ("Raise the head of the bed", True),
    ("Give the prescribed bronchodilator", False),
    ("Encourage oral fluids", False),
    ("Document the finding", False),
]


def single(qid: str, text: str, options: list[tuple[str, bool]] = OPTIONS) -> str:
    """A single-choice question in YAML (block scalar text, so any stem fits)."""
    lines = [f"  - id: {qid}", "    type: single", "    text: |-"]
    lines += [f"      {line}" if line else "" for line in text.split("\n")]
    lines.append("    options:")
    for option, correct in options:
        lines.append(f'      - text: "{option}"')
        if correct:
            lines.append("        correct: true")
    return "\n".join(lines) + "\n"


def bank_of(make_bank: MakeBank, *questions: str, manifest: str | None = None) -> Path:
    files = {"questions.yaml": "questions:\n" + "".join(questions)}
    if manifest is None:
        return make_bank(files)
    return make_bank(files, manifest=manifest)


def qb3(root: Path, options: Options | None = None) -> list[Problem]:
    bank = load_bank(root)
    assert bank.problems == [], bank.problems
    return [p for p in validate(bank, options).problems if p.rule.startswith("QB3")]


def one(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [(p.rule, p.message) for p in problems]
    return problems[0]


# -- planted duplicates: QB301 ----------------------------------------------------------------

DUPLICATES = {
    "typo": STEM.replace("company", "compnay"),
    "reorder": (
        "Which storage class should the architect choose? A retail company stores 24 TB of "
        "customer data and must keep it for seven years at the lowest cost."
    ),
    "reword": STEM.replace("must keep", "has to keep")
    .replace("Which", "What")
    .replace("choose", "pick"),
    "format": (
        "A **retail company** stores 24 TB of customer data, and must keep it for SEVEN years "
        "at the lowest cost.\n\nWhich storage class should the architect *choose* ?"
    ),
}


@pytest.mark.parametrize("kind", sorted(DUPLICATES))
def test_planted_duplicate_is_qb301(make_bank: MakeBank, kind: str) -> None:
    root = bank_of(make_bank, single("orig", STEM), single("copy", DUPLICATES[kind]))
    p = one(qb3(root))
    assert p.rule == "QB301" and p.severity is Severity.ERROR
    assert p.question_id == "copy"  # the later question
    assert p.location.file == "questions.yaml"
    assert p.related[0].location.line < p.location.line
    assert "`orig` (questions.yaml:" in p.message
    assert p.data["other_id"] == "orig"
    expected = fuzz.ratio(sort_key(normalise(STEM)), sort_key(normalise(to_text(DUPLICATES[kind]))))
    assert p.data["score"] == round(expected, 2)
    assert p.data["score"] >= 85


def test_typo_message_names_the_word(make_bank: MakeBank) -> None:
    root = bank_of(make_bank, single("orig", STEM), single("copy", DUPLICATES["typo"]))
    p = one(qb3(root))
    assert p.data["differences"] == ["company → compnay"]
    assert "company → compnay" in p.message
    assert re.search(r"similarity 99\.3\b", p.message)


def test_reword_differences_are_grouped(make_bank: MakeBank) -> None:
    root = bank_of(make_bank, single("orig", STEM), single("copy", DUPLICATES["reword"]))
    p = one(qb3(root))
    assert p.data["differences"] == ["must → has to", "Which → What", "choose → pick"]


def test_shuffled_options_same_stem_is_qb301_score_100(make_bank: MakeBank) -> None:
    shuffled = [OPTIONS[2], OPTIONS[0], OPTIONS[3], OPTIONS[1]]
    root = bank_of(make_bank, single("orig", STEM), single("copy", STEM, shuffled))
    p = one(qb3(root))
    assert p.rule == "QB301"
    assert p.data["score"] == 100.0
    assert p.data["differences"] == []
    assert "same words" in p.message


def test_format_only_differences_are_described(make_bank: MakeBank) -> None:
    root = bank_of(make_bank, single("orig", STEM), single("copy", DUPLICATES["format"]))
    p = one(qb3(root))
    assert p.rule == "QB301" and p.data["score"] == 100.0
    assert "case, punctuation, formatting or order" in p.message


# -- hard negatives: QB303 warnings, QB302 -------------------------------------------------------


def test_number_changed_is_qb303_warning(make_bank: MakeBank) -> None:
    root = bank_of(make_bank, single("orig", STEM), single("bigger", STEM.replace("24", "25")))
    p = one(qb3(root))
    assert p.rule == "QB303" and p.severity is Severity.WARNING
    assert p.data["reason"] == "number"
    assert p.data["differences"] == ["24 → 25"]
    assert "a number differs: 24 → 25" in p.message


def test_not_inserted_with_new_key_is_qb303_warning(make_bank: MakeBank) -> None:
    negated = STEM.replace("should the architect choose", "should the architect NOT choose")
    new_key = [(text, text == "EBS gp3 volumes") for text, _ in OPTIONS]
    root = bank_of(make_bank, single("orig", STEM), single("negated", negated, new_key))
    p = one(qb3(root))
    assert p.rule == "QB303" and p.severity is Severity.WARNING
    assert p.data["reason"] == "qualifier"
    assert p.data["differences"] == ['"NOT" inserted']
    assert '"NOT" inserted' in p.message


@pytest.mark.parametrize(
    ("old", "new"),
    [("first", "last"), ("most", "least"), ("always", "never"), ("take", "not take")],
)
def test_qualifier_changes_downgrade(make_bank: MakeBank, old: str, new: str) -> None:
    text = STEM.replace("choose?", f"{old} choose?")
    root = bank_of(make_bank, single("a", text), single("b", text.replace(old, new)))
    assert one(qb3(root)).rule == "QB303"


def test_contraction_counts_as_negation(make_bank: MakeBank) -> None:
    a = "Which statement about the retention policy of the archive bucket is correct?"
    b = "Which statement about the retention policy of the archive bucket isn't correct?"
    root = bank_of(make_bank, single("a", a), single("b", b))
    assert one(qb3(root)).data["reason"] == "qualifier"


def test_key_term_swapped_with_contradictory_key_is_qb302(make_bank: MakeBank) -> None:
    asthma = NURSE.replace("heart failure", "asthma")
    swapped = [(text, text == "Give the prescribed bronchodilator") for text, _ in NURSE_OPTIONS]
    root = bank_of(make_bank, single("hf", NURSE, NURSE_OPTIONS), single("asthma", asthma, swapped))
    p = one(qb3(root))
    assert p.rule == "QB302" and p.severity is Severity.ERROR
    assert p.data["differences"] == ["heart failure → asthma"]
    assert "“Give the prescribed bronchodilator”, is a wrong option there" in p.message
    assert "heart failure → asthma" in p.message


def test_key_term_swapped_with_other_options_is_qb303(make_bank: MakeBank) -> None:
    asthma = NURSE.replace("heart failure", "asthma")
    other = [
        ("Give the prescribed inhaled bronchodilator", True),
        ("Start a peak flow diary", False),
        ("Remove allergens from the room", False),
    ]
    root = bank_of(make_bank, single("hf", NURSE, NURSE_OPTIONS), single("asthma", asthma, other))
    p = one(qb3(root))
    assert p.rule == "QB303" and p.data["reason"] == "options"
    assert p.data["option_similarity"] < 80


# -- QB302 conflicting key -------------------------------------------------------------------------


def test_same_stem_contradictory_key_is_qb302(make_bank: MakeBank) -> None:
    rekeyed = [(text, text == "S3 Standard") for text, _ in OPTIONS]
    root = bank_of(make_bank, single("orig", STEM), single("rekeyed", STEM, rekeyed))
    p = one(qb3(root))
    assert p.rule == "QB302"
    assert "the correct option here, “S3 Standard”, is a wrong option there" in p.message


def test_same_stem_other_option_list_is_a_sibling_not_a_conflict(make_bank: MakeBank) -> None:
    other = [
        ("Amazon S3 Glacier Flexible Retrieval", True),
        ("Amazon EFS", False),
        ("Amazon FSx", False),
    ]
    root = bank_of(make_bank, single("orig", STEM), single("sibling", STEM, other))
    p = one(qb3(root))
    assert p.rule == "QB303" and p.data["reason"] == "options"


def test_multi_key_contradiction(make_bank: MakeBank) -> None:
    a = (
        "  - id: a\n    type: multi\n    text: Which services are serverless?\n    options:\n"
        "      - text: AWS Lambda\n        correct: true\n"
        "      - text: AWS Fargate\n        correct: true\n      - Amazon EC2\n"
    )
    b = (
        "  - id: b\n    type: multi\n    text: Which services are serverless?\n    options:\n"
        "      - text: AWS Lambda\n        correct: true\n"
        "      - AWS Fargate\n      - text: Amazon EC2\n        correct: true\n"
    )
    p = one(qb3(bank_of(make_bank, a, b)))
    assert p.rule == "QB302"


def test_truefalse_same_statement_other_answer_is_qb302(make_bank: MakeBank) -> None:
    a = "  - id: a\n    type: truefalse\n    text: IAM is a global service.\n    answer: true\n"
    b = "  - id: b\n    type: truefalse\n    text: IAM is a global service!\n    answer: false\n"
    c = "  - id: c\n    type: truefalse\n    text: IAM is not a global service.\n    answer: false\n"
    problems = qb3(bank_of(make_bank, a, b, c))
    by_pair = {(p.question_id, p.data["other_id"]): p.rule for p in problems}
    assert by_pair == {("b", "a"): "QB302", ("c", "a"): "QB303", ("c", "b"): "QB303"}


def test_numeric_disjoint_answers_conflict(make_bank: MakeBank) -> None:
    a = "  - id: a\n    type: numeric\n    text: How many availability zones does the region have?\n    answer: 3\n"
    b = "  - id: b\n    type: numeric\n    text: How many availability zones does the region have ?\n    answer: 6\n"
    p = one(qb3(bank_of(make_bank, a, b)))
    assert p.rule == "QB302" and "6" in p.message and "3" in p.message


def test_cloze_compared_with_blanks_filled(make_bank: MakeBank) -> None:
    cloze = (
        "  - id: nat-cloze\n    type: cloze\n    text: >-\n      A {{NAT gateway|NAT}} lets "
        "instances in a private subnet reach the internet while blocking inbound connections.\n"
    )
    short = (
        "  - id: nat-short\n    type: short\n    text: >-\n      A NAT gateway lets instances in "
        "a private subnet reach the internet while blocking inbound connections.\n"
        "    answers: [NAT gateway]\n"
    )
    p = one(qb3(bank_of(make_bank, cloze, short)))
    assert p.rule == "QB301" and p.data["score"] == 100.0


def test_different_questions_are_not_reported(make_bank: MakeBank) -> None:
    root = bank_of(make_bank, single("storage", STEM), single("nurse", NURSE, NURSE_OPTIONS))
    assert qb3(root) == []


def test_stems_without_words_are_not_compared(make_bank: MakeBank) -> None:
    a = "  - id: a\n    type: truefalse\n    text: '![](media/a.png)'\n    answer: true\n"
    b = "  - id: b\n    type: truefalse\n    text: '![](media/b.png)'\n    answer: false\n"
    bank = load_bank(bank_of(make_bank, a, b))
    assert find_duplicates(bank.questions) == []


# -- configuration ----------------------------------------------------------------------------


def test_allow_list_silences_a_pair(make_bank: MakeBank) -> None:
    manifest = "id: t\ntitle: T\ndedup:\n  allow:\n    - [copy, orig]\n"
    root = bank_of(
        make_bank,
        single("orig", STEM),
        single("copy", DUPLICATES["typo"]),
        single("third", DUPLICATES["reorder"]),
        manifest=manifest,
    )
    pairs = {(p.question_id, p.data["other_id"]) for p in qb3(root)}
    assert pairs == {("third", "orig"), ("third", "copy")}


def test_threshold_option_and_manifest(make_bank: MakeBank) -> None:
    questions = (single("orig", STEM), single("reword", DUPLICATES["reword"]))  # score 90.0
    root = bank_of(make_bank, *questions)
    assert one(qb3(root)).rule == "QB301"
    assert qb3(root, Options(similarity_threshold=95)) == []
    strict = bank_of(make_bank, *questions, manifest="id: t\ntitle: T\ndedup:\n  threshold: 95\n")
    assert qb3(strict) == []
    # the option wins over the manifest
    assert one(qb3(strict, Options(similarity_threshold=85))).rule == "QB301"


def test_suppression_comment_on_the_reported_question(make_bank: MakeBank) -> None:
    copy = single("copy", DUPLICATES["typo"]).replace(
        "  - id: copy", "  # qbank: disable=QB301\n  - id: copy"
    )
    root = bank_of(make_bank, single("orig", STEM), copy)
    assert qb3(root) == []


def test_skip_family(make_bank: MakeBank) -> None:
    root = bank_of(make_bank, single("orig", STEM), single("copy", DUPLICATES["typo"]))
    assert qb3(root, Options(skip={"QB3"})) == []


def test_bad_threshold_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="between 1 and 100"):
        find_duplicates([], threshold=0)


# -- reporting details -------------------------------------------------------------------------


def test_fingerprint_is_rule_and_sha1_of_sorted_ids(make_bank: MakeBank) -> None:
    root = bank_of(make_bank, single("zeta", STEM), single("alpha", DUPLICATES["typo"]))
    p = one(qb3(root))
    digest = hashlib.sha1(b"alpha\nzeta").hexdigest()
    assert p.fingerprint == f"QB301:{digest}"


def test_reported_on_later_file_and_line(make_bank: MakeBank) -> None:
    root = make_bank(
        {
            "b.yaml": "questions:\n" + single("in-b", STEM),
            "a.yaml": "questions:\n" + single("in-a", DUPLICATES["typo"]),
        }
    )
    p = one(qb3(root))
    assert (p.location.file, p.question_id) == ("b.yaml", "in-b")
    assert p.related[0].location.file == "a.yaml"
    assert p.data["other_location"].startswith("a.yaml:")


def test_pull_request_mode_reports_on_the_changed_question(make_bank: MakeBank) -> None:
    root = bank_of(
        make_bank,
        single("old-1", STEM),
        single("old-2", DUPLICATES["typo"]),  # an existing pair: not this PR's business
        single("nurse", NURSE, NURSE_OPTIONS),
        single("nurse-copy", NURSE.replace("first", "first?"), NURSE_OPTIONS),
    )
    full = {(p.question_id, p.data["other_id"]) for p in qb3(root)}
    assert full == {("old-2", "old-1"), ("nurse-copy", "nurse")}
    pr = qb3(root, Options(changed_ids={"nurse"}))
    # the changed question is the earlier one here, and still the one reported
    assert [(p.question_id, p.data["other_id"]) for p in pr] == [("nurse", "nurse-copy")]
    assert qb3(root, Options(changed_ids=set())) == []


def test_rule_docs_examples(make_bank: MakeBank) -> None:
    for rule_id in ("QB301", "QB302", "QB303"):
        rule = RULES[rule_id]
        failing = make_bank({rule.example_path: rule.failing})
        passing = make_bank({rule.example_path: rule.passing})
        assert rule_id in {p.rule for p in qb3(failing)}, rule_id
        assert rule_id not in {p.rule for p in qb3(passing)}, rule_id


def test_sample_bank_has_no_duplicate_errors(sample_bank: Path) -> None:
    problems = qb3(sample_bank)
    assert [p for p in problems if p.rule in ("QB301", "QB302")] == []


# -- determinism ------------------------------------------------------------------------------


def _variants(n: int, seed: int) -> str:
    """A bank of templated stems with typos, number changes and negations in between."""
    rng = random.Random(seed)
    subjects = ["retail company", "hospital", "bank", "university", "game studio", "airline"]
    things = ["customer data", "log files", "images", "backups", "invoices", "sensor readings"]
    out = []
    for i in range(n):
        text = (
            f"A {rng.choice(subjects)} stores {rng.randint(1, 40)} TB of {rng.choice(things)} "
            f"and must keep it for {rng.randint(1, 9)} years at the lowest cost. Which storage "
            "class should the architect choose?"
        )
        if rng.random() < 0.2:
            text = text.replace("choose", "NOT choose")
        if rng.random() < 0.3:
            text = text.replace("storage", "storgae")
        opts = OPTIONS if rng.random() < 0.7 else [(t, t == "S3 Standard") for t, _ in OPTIONS]
        out.append(single(f"q{i:03d}", text, opts))
    return "".join(out)


def _signature(findings: list[dedup.Finding]) -> list[tuple[object, ...]]:
    return [(f.rule, f.question.id, f.other.id, f.score, f.differences, f.reason) for f in findings]


@pytest.mark.parametrize("method", ["exhaustive", "lsh"])
def test_same_findings_for_any_workers_and_order(method: str) -> None:
    questions, problems = load_text("questions:\n" + _variants(150, seed=3))
    assert problems == []
    reference = _signature(find_duplicates(questions, workers=1, method=method))
    assert len(reference) > 50
    assert {r[0] for r in reference} == {"QB301", "QB302", "QB303"}
    for workers in (2, -1):
        shuffled = list(questions)
        random.Random(workers).shuffle(shuffled)
        assert _signature(find_duplicates(shuffled, workers=workers, method=method)) == reference


def test_same_problems_for_any_file_order(make_bank: MakeBank) -> None:
    """Two banks with the same questions spread over files in another order."""
    body = _variants(60, seed=5).split("  - id: ")[1:]
    chunks = ["  - id: " + c for c in body]
    first = make_bank({f"f{i}.yaml": "questions:\n" + "".join(chunks[i::3]) for i in range(3)})
    second = make_bank({f"f{2 - i}.yaml": "questions:\n" + "".join(chunks[i::3]) for i in range(3)})

    def pairs(root: Path) -> set[tuple[object, ...]]:
        found = set()
        for p in qb3(root):
            ids = tuple(sorted((p.question_id or "", str(p.data["other_id"]))))
            found.add((p.rule, ids, p.data["score"], p.fingerprint))
        return found

    a, b = pairs(first), pairs(second)
    assert a and a == b


def test_lsh_finds_what_exhaustive_finds_on_clear_duplicates() -> None:
    questions, _ = load_text("questions:\n" + _variants(300, seed=7))
    keys = list(dict.fromkeys(i.key for i in dedup.prepare(questions)))
    exact = {tuple(p) for p in exhaustive_pairs(keys, 85).tolist()}
    found = {tuple(p) for p in lsh_pairs(keys, 85).tolist()}
    assert found <= exact  # verified with the same scorer: never a false pair
    assert len(found) >= 0.98 * len(exact)


# -- exactness of the engine's shortcuts ------------------------------------------------------------

_PIECES = [*"ab cXY12.)(-*_`#>|~=:!'\n\t0,$é"]
_PIECES += ["\n1. ", "\n- ", "  \n", " 3) ", "\n    ", "\n\n", "\n===\n", "\n---\n", "|---|"]
_PIECES += ["1.5", "2,000", "\\(", "\n```\n", "<", "&"]
_MARKDOWNISH = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@settings(max_examples=1500, deadline=None)
@given(_MARKDOWNISH)
def test_plain_text_fast_path_keeps_the_words(text: str) -> None:
    fast, parsed = plain_text(text), to_text(text)
    assert normalise(fast) == normalise(parsed)
    assert numbers(fast) == numbers(parsed)


@pytest.mark.parametrize(
    "text",
    ["See [the docs](https://x.example/a1) now", "Fish &amp; chips", "a \\* b 1\\.5", "<b>x</b>"],
)
def test_markup_that_changes_words_is_parsed(text: str) -> None:
    assert plain_text(text) == to_text(text)


_WORDS = st.lists(st.sampled_from(["data", "store", "24", "25", "not", "the", "bucket", "é"]))


@settings(max_examples=300, deadline=None)
@given(_WORDS, _WORDS, st.integers(50, 100))
def test_character_bound_never_drops_a_match(a: list[str], b: list[str], t: int) -> None:
    ka, kb = " ".join(sorted(a)), " ".join(sorted(b))
    hist = char_histograms([ka, kb]).astype(np.int64)
    l1 = int(np.abs(hist[0] - hist[1]).sum())
    if fuzz.ratio(ka, kb) >= t:
        assert l1 <= (100 - t) / 100 * (len(ka) + len(kb)) + 1e-9


def test_pull_request_pairs_equal_exhaustive_pairs() -> None:
    questions, _ = load_text("questions:\n" + _variants(200, seed=11))
    keys = list(dict.fromkeys(i.key for i in dedup.prepare(questions)))
    everything = exhaustive_pairs(keys, 85)
    queries = sorted(random.Random(1).sample(range(len(keys)), 15))
    expected = {tuple(p) for p in everything.tolist() if p[0] in queries or p[1] in queries}
    assert {tuple(p) for p in query_pairs(keys, queries, 85).tolist()} == expected
    assert {tuple(p) for p in similar_pairs(keys, 85, queries=queries).tolist()} == expected


def test_word_changes() -> None:
    assert word_changes("port 24 open", "port 25 open") == ["24 → 25"]
    assert word_changes("Which is true?", "Which is NOT true?") == ['"NOT" inserted']
    assert word_changes("b a c", "a b c") == []
    assert word_changes("keep first", "keep") == ['"first" removed']


def test_long_stems_one_word_apart_never_read_100() -> None:
    text = " ".join(["the case study describes a large migration project"] * 60)
    questions, _ = load_text(
        "questions:\n"
        + single("long-a", text)
        + single("long-b", text.replace("migration", "migratoin", 1))
    )
    (finding,) = find_duplicates(questions)
    # long stems are scored on word codes (one of 480 words differs): 1 - 2/960
    assert 99.7 < finding.score < 100
    problem = to_problem(finding)
    assert "similarity 99.8:" in problem.message  # rounded to an integer, it would read 100
    assert problem.data["score"] == 99.79


def test_image_only_options_are_not_compared_by_text(make_bank: MakeBank) -> None:
    images_a = [("![](media/a.png)", True), ("![](media/b.png)", False)]
    images_b = [("![](media/c.png)", False), ("![](media/d.png)", True)]
    root = bank_of(make_bank, single("a", STEM, images_a), single("b", STEM, images_b))
    p = one(qb3(root))
    assert p.rule == "QB301"  # no false conflict from two empty option texts
    assert "option_similarity" not in p.data


def test_cli_similarity_threshold(make_bank: MakeBank) -> None:
    from click.testing import CliRunner

    from qbank.cli import main

    root = bank_of(make_bank, single("orig", STEM), single("reword", DUPLICATES["reword"]))
    runner = CliRunner()
    found = runner.invoke(main, ["validate", str(root), "-f", "concise"])
    assert found.exit_code == 1 and "QB301" in found.output
    assert "must → has to" in found.output
    strict = runner.invoke(main, ["validate", str(root), "--similarity-threshold", "95"])
    assert "QB301" not in strict.output


def test_tight_cluster_is_found_whole() -> None:
    """300 stems that differ in one word: every pair is a near-duplicate and LSH finds them."""
    base = "which storage class should the architect choose for archive data kept seven years"
    rng = random.Random(4)
    cluster = [sort_key(f"{base} tag{rng.randint(0, 10**6)}") for _ in range(300)]
    other = [sort_key(f"unrelated question number {i} about networking") for i in range(100)]
    keys = list(dict.fromkeys(cluster + other))
    exact = {tuple(p) for p in exhaustive_pairs(keys, 85).tolist()}
    found = {tuple(p) for p in lsh_pairs(keys, 85).tolist()}
    assert len(exact) > 40_000
    assert found <= exact and len(found) >= 0.99 * len(exact)


def test_buckets_of_common_words_are_split(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stems that share only frequent words land in one bucket whenever a band's minima all
    fall on those words; such buckets are split so candidates stay bounded."""
    rng = random.Random(5)
    common = "which of the following is true"
    keys = [
        sort_key(f"{common} w{rng.randint(0, 10**6)} x{rng.randint(0, 10**6)}") for _ in range(1000)
    ]
    sig = dedup.minhash_signatures(keys)
    unbounded = sum(len(c) for c in dedup.lsh_candidates(sig))
    monkeypatch.setattr(dedup, "MAX_BUCKET", 50)
    bounded = sum(len(c) for c in dedup.lsh_candidates(sig))
    assert bounded < unbounded / 4
    exact = {tuple(p) for p in exhaustive_pairs(keys, 85).tolist()}
    assert {tuple(p) for p in lsh_pairs(keys, 85).tolist()} <= exact


def test_no_key_is_scored_against_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 17: the full scans never compare a question with itself (the exhaustive triangle
    had its diagonal computed; LSH candidates and PR queries skip it), and the pairs found
    are those of the plain n×n matrix."""
    from rapidfuzz import process

    from qbank.validate.dedup import scan

    questions, _ = load_text("questions:\n" + _variants(200, seed=5))
    keys = list(dict.fromkeys(i.key for i in dedup.prepare(questions)))
    assert len(keys) > 128  # several levels of the triangle split
    full = process.cdist(keys, list(keys), scorer=fuzz.ratio, score_cutoff=85)
    reference = {(i, j) for i, j in zip(*full.nonzero(), strict=True) if i < j}
    scored: list[tuple[str, str]] = []
    cdist, cpdist = process.cdist, process.cpdist

    def spy_cdist(queries: list[str], choices: list[str], **kw: Any) -> Any:
        assert queries is not choices  # one list: rapidfuzz scores the diagonal too
        scored.extend((a, b) for a in queries for b in choices)
        return cdist(queries, choices, **kw)

    def spy_cpdist(queries: list[str], choices: list[str], **kw: Any) -> Any:
        scored.extend(zip(queries, choices, strict=True))
        return cpdist(queries, choices, **kw)

    monkeypatch.setattr(scan.process, "cdist", spy_cdist)
    monkeypatch.setattr(scan.process, "cpdist", spy_cpdist)
    for method in ("exhaustive", "lsh"):
        scored.clear()
        pairs = {tuple(p) for p in similar_pairs(keys, 85, method=method).tolist()}
        assert scored and all(a != b for a, b in scored), method  # keys are distinct
        if method == "exhaustive":
            assert pairs == reference
            assert len(scored) == len(keys) * (len(keys) - 1) // 2  # each pair once
    scored.clear()
    similar_pairs(keys, 85, queries=[0, 5], method="exhaustive")
    assert all(a != b for a, b in scored)


# -- fast paths equal the plain computation they replace (issue 12, speed) ----------------------


def _spans_by_counting(before: Any, after: Any) -> list[tuple[list[str], list[str]]]:
    """:func:`change_spans` as it was written before its fast path: every pair counts the
    words removed and inserted to find the ones that only moved."""
    from collections import Counter

    from rapidfuzz.distance import Levenshtein

    a, al = before
    b, bl = after
    if al == bl:
        return []
    blocks: list[tuple[range, range]] = []
    joined = False
    for op in Levenshtein.opcodes(al, bl):
        if op.tag == "equal":
            joined = False
        elif joined:
            src, dest = blocks[-1]
            blocks[-1] = (range(src.start, op.src_end), range(dest.start, op.dest_end))
        else:
            blocks.append((range(op.src_start, op.src_end), range(op.dest_start, op.dest_end)))
            joined = True
    moved = Counter(al[i] for r, _ in blocks for i in r) & Counter(
        bl[j] for _, ins in blocks for j in ins
    )
    out_moved, in_moved = Counter(moved), Counter(moved)

    def take(counter: Counter[str], word: str) -> bool:
        if counter[word] > 0:
            counter[word] -= 1
            return True
        return False

    spans = []
    for removed_at, added_at in blocks:
        removed = [a[i] for i in removed_at if not take(out_moved, al[i])]
        added = [b[j] for j in added_at if not take(in_moved, bl[j])]
        if removed or added:
            spans.append((removed, added))
    return spans


_STEM_WORDS = st.lists(st.sampled_from(["Port", "port", "24", "25", "NOT", "the", "S3", "a"]))


@settings(max_examples=1500, deadline=None)
@given(_STEM_WORDS, _STEM_WORDS)
def test_change_spans_fast_path_equals_counting(a: list[str], b: list[str]) -> None:
    from qbank.validate.dedup.text import change_spans, split_words

    before, after = split_words(" ".join(a)), split_words(" ".join(b))
    assert change_spans(before, after) == _spans_by_counting(before, after)


@settings(max_examples=500, deadline=None)
@given(_MARKDOWNISH)
def test_stem_key_is_sort_key_of_normalised_text(text: str) -> None:
    from qbank.validate.dedup.text import stem_key

    for plain in (text, text * 300):  # the second is cut at MAX_KEY_CHARS
        assert stem_key(plain) == sort_key(normalise(plain))


def test_minhash_chunks_by_length_give_the_same_signatures() -> None:
    rng = random.Random(3)
    vocab = [f"w{i}" for i in range(400)]
    keys = [
        " ".join(sorted(rng.choices(vocab, k=rng.choice([1, 3, 20, 70, 300])))) for _ in range(3000)
    ]
    keys += ["", "w1"]
    # test_dedup_lsh's reference: one document at a time, no chunks
    assert np.array_equal(dedup.minhash_signatures(keys), reference_signatures(keys))


def test_pull_request_pairs_equal_verified_histogram_pairs_with_long_keys() -> None:
    """Per-query scoring (length test first, ``cdist``, word codes for two long keys) keeps
    exactly the pairs that the character-count bound and :func:`verify_pairs` keep."""
    from qbank.validate.dedup import scan

    rng = random.Random(5)
    vocab = [f"term{i}" for i in range(60)] + ["a", "the", "24", "25"]
    base = [rng.choices(vocab, k=rng.choice([15, 30, 250, 260])) for _ in range(40)]
    texts = []
    for words in base:
        for _ in range(4):
            edited = list(words)
            for _ in range(rng.randint(0, max(1, len(words) // 6))):
                edited[rng.randrange(len(edited))] = rng.choice(vocab)
            texts.append(" ".join(sorted(edited)))
    keys = list(dict.fromkeys(texts))
    assert sum(len(k) > scan.LONG_KEY for k in keys) > 20
    queries = sorted(rng.sample(range(len(keys)), 30))
    hist, lengths = char_histograms(keys), scan.key_lengths(keys)
    candidates = []
    for q in queries:
        l1 = np.abs(hist - hist[q]).sum(axis=1)
        for c in np.flatnonzero(l1 <= 0.15 * (lengths + lengths[q]) + 1e-9).tolist():
            if c != q:
                candidates.append((min(q, c), max(q, c)))
    expected = scan.verify_pairs(keys, np.array(sorted(set(candidates)), dtype=np.int64), 85)
    found = query_pairs(keys, queries, 85)
    assert len(expected) > 50
    assert np.array_equal(found, expected)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["case", "study", "vnet", "subnet", "policy", "the", "a"]), min_size=1
    ),
    st.lists(
        st.sampled_from(["case", "study", "vnet", "gateway", "policy", "the", "b"]), min_size=1
    ),
    st.integers(50, 100),
)
def test_word_bound_never_drops_a_match(a: list[str], b: list[str], t: int) -> None:
    from qbank.validate.dedup import scan

    codes = scan.word_codes([" ".join(sorted(a)), " ".join(sorted(b))])
    keep = scan.word_bound(codes, np.array([[0, 1]], dtype=np.int64), t)
    if fuzz.ratio(codes[0], codes[1]) >= t:
        assert keep[0]


def test_long_pairs_scored_after_the_word_bound_as_before() -> None:
    """verify_pairs with the word-count bound keeps the pairs that scoring every candidate
    pair of long keys on word codes keeps (the bound only saves scoring)."""
    from qbank.validate.dedup import scan

    rng = random.Random(9)
    vocab = [f"word{i}" for i in range(300)]
    base = [rng.choices(vocab, k=220) for _ in range(12)]
    keys = []
    for words in base:
        for _ in range(6):
            edited = list(words)
            for _ in range(rng.choice([1, 10, 40])):
                edited[rng.randrange(len(edited))] = rng.choice(vocab)
            keys.append(" ".join(sorted(edited)))
    keys = list(dict.fromkeys(keys))
    assert all(len(k) > scan.LONG_KEY for k in keys)
    pairs = np.array([(i, j) for i in range(len(keys)) for j in range(i + 1, len(keys))])
    codes = scan.word_codes(keys)
    scores = [fuzz.ratio(codes[i], codes[j]) for i, j in pairs.tolist()]
    expected = pairs[np.array(scores) >= 85]
    assert 0 < len(expected) < len(pairs)
    assert np.array_equal(scan.verify_pairs(keys, pairs, 85), expected)
    assert scan.word_bound(codes, pairs, 85).sum() < len(pairs)  # it does rule pairs out
