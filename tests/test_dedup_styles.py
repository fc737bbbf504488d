"""Duplicate classification on the styles real certification banks use (issue 12): each test
writes a small YAML bank in one style and asserts the exact QB3xx rule ids `qbank validate`
reports — series items, case studies, swapped names, different keys, exhibits, conflicts,
re-posted duplicates — and the labelled bank of ``bench/real_style.py`` meets its targets."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from qbank.load import load_bank
from qbank.validate import Options, validate
from test_dedup import single as question

MakeBank = Callable[..., Path]
ROOT = Path(__file__).resolve().parents[1]

SERIES_INTRO = (
    "Note: This question is part of a series of questions that present the same scenario. "
    "Each question in the series contains a unique solution that might meet the stated "
    "goals. Some question sets might have more than one correct solution, while others "
    "might not have a correct solution."
)
SCENARIO = (
    "You have an Azure subscription that contains a virtual network named VNet1. VNet1 "
    "contains two subnets named Subnet1 and Subnet2. You need to ensure that VM2 cannot "
    "receive traffic from the internet on port 3389."
)
CASE = (
    "Case study: Contoso\n\n"
    "Overview. Contoso, Ltd. is a manufacturing company that has a main office in Montreal "
    "and branch offices in Seattle and New York. The company has 2,500 employees who use "
    "laptops that run Windows 10.\n\n"
    "Existing environment. Contoso has an Active Directory forest that is synchronized to "
    "an Azure Active Directory tenant. A line-of-business application named App1 runs on "
    "two on-premises servers and uses a Microsoft SQL Server 2016 database.\n\n"
    "Requirements. App1 must remain available if an Azure region fails, administrative "
    "effort must be minimized and all resources must be tagged with a cost center."
)


def series(qid: str, solution: str, meets: bool) -> str:
    text = f"{SERIES_INTRO}\n\n{SCENARIO}\n\nSolution: {solution}\n\nDoes this meet the goal?"
    return question(qid, text, [("Yes", meets), ("No", not meets)])


def findings(make_bank: MakeBank, *questions: str) -> list[tuple[str, str, str]]:
    """(rule, question id, other id) of every QB3xx finding, sorted."""
    root = make_bank({"questions.yaml": "questions:\n" + "".join(questions)})
    report = validate(load_bank(root), Options())
    return sorted(
        (p.rule, p.question_id or "", str((p.data or {})["other_id"]))
        for p in report.problems
        if p.rule.startswith("QB3")
    )


def messages(make_bank: MakeBank, *questions: str) -> list[str]:
    root = make_bank({"questions.yaml": "questions:\n" + "".join(questions)})
    report = validate(load_bank(root), Options())
    return [p.message for p in report.problems if p.rule.startswith("QB3")]


# -- series items -----------------------------------------------------------------------------


def test_series_items_with_different_solutions_are_not_duplicates(make_bank: MakeBank) -> None:
    got = findings(
        make_bank,
        series(
            "s1", "You associate a network security group that denies port 3389 to Subnet2.", True
        ),
        series("s2", "You add a user-defined route to Subnet2 that sends traffic to VM1.", False),
        series("s3", "You enable Azure DDoS Protection Standard on VNet1.", False),
        series("s4", "You remove the public IP address from VM2.", True),
    )
    assert got == []


def test_series_item_reposted_with_typos_is_qb301(make_bank: MakeBank) -> None:
    got = findings(
        make_bank,
        series(
            "s1", "You associate a network security group that denies port 3389 to Subnet2.", True
        ),
        series(
            "s1-again",
            "You asscoiate a network secutiry group that denies port 3389 to Subnet2.",
            True,
        ),
        series("s2", "You remove the public IP address from VM2.", True),
    )
    assert got == [("QB301", "s1-again", "s1")]


def test_series_item_reposted_with_the_other_answer_is_qb302(make_bank: MakeBank) -> None:
    got = findings(
        make_bank,
        series("s1", "You remove the public IP address from VM2.", True),
        series("s1-wrong", "You remove the public IP address from VM2.", False),
        series("s2", "You enable Azure DDoS Protection Standard on VNet1.", False),
    )
    assert got == [("QB302", "s1-wrong", "s1")]


# -- case studies -----------------------------------------------------------------------------


def test_case_study_asks_that_differ_are_not_duplicates(make_bank: MakeBank) -> None:
    got = findings(
        make_bank,
        question(
            "c1",
            f"{CASE}\n\nYou need to recommend a database service for App1. What should you recommend?",
            [
                ("Azure SQL Managed Instance", True),
                ("Azure Cosmos DB", False),
                ("Azure Table Storage", False),
            ],
        ),
        question(
            "c2",
            f"{CASE}\n\nYou need to ensure that all resources are tagged with a cost center. What should you use?",
            [("Azure Policy", True), ("Resource locks", False), ("Azure Advisor", False)],
        ),
    )
    assert got == []


def test_case_study_ask_posted_twice_is_qb301(make_bank: MakeBank) -> None:
    options = [("Azure Policy", True), ("Resource locks", False), ("Azure Advisor", False)]
    got = findings(
        make_bank,
        question(
            "c2",
            f"{CASE}\n\nYou need to ensure that all resources are tagged. What should you use?",
            options,
        ),
        question(
            "c2-again",
            f"{CASE}\n\nYou need to ensure that all resources are taged. What should you use?",
            list(reversed(options)),
        ),
    )
    assert got == [("QB301", "c2-again", "c2")]


# -- swapped names ----------------------------------------------------------------------------

MIGRATE = (
    "You plan to migrate an on-premises {} database to Azure with minimal downtime. Which "
    "service should you use to perform the migration?"
)
MIGRATE_OPTIONS = [
    ("Azure Database Migration Service", True),
    ("Azure Site Recovery", False),
    ("Azure Data Box", False),
    ("AzCopy", False),
]


def test_swapped_product_name_is_at_most_qb303(make_bank: MakeBank) -> None:
    got = findings(
        make_bank,
        question("oracle", MIGRATE.format("Oracle"), MIGRATE_OPTIONS),
        question("mysql", MIGRATE.format("MySQL"), MIGRATE_OPTIONS),
    )
    assert got == [("QB303", "mysql", "oracle")]


def test_swapped_tier_with_contradicting_key_is_qb303_not_qb302(make_bank: MakeBank) -> None:
    text = (
        "Your company uses the {} tier of Azure Cache for Redis. You need data persistence to "
        "survive a cache restart. What should you do?"
    )
    options = ["Enable RDB persistence", "Upgrade to the Premium tier", "Add a second replica"]
    got = findings(
        make_bank,
        question("premium", text.format("Premium"), [(o, i == 0) for i, o in enumerate(options)]),
        question("standard", text.format("Standard"), [(o, i == 1) for i, o in enumerate(options)]),
    )
    assert got == [("QB303", "standard", "premium")]


def test_typo_in_a_name_is_still_a_duplicate(make_bank: MakeBank) -> None:
    got = findings(
        make_bank,
        question("oracle", MIGRATE.format("Oracle"), MIGRATE_OPTIONS),
        question("oracle-typo", MIGRATE.format("Oracel"), MIGRATE_OPTIONS),
    )
    assert got == [("QB301", "oracle-typo", "oracle")]


# -- different keys ---------------------------------------------------------------------------

LOGS = "You need to recommend a solution to store application logs for analysis. What should you recommend?"


def test_different_keys_neither_offered_in_the_other_are_not_duplicates(
    make_bank: MakeBank,
) -> None:
    wrong = [("Azure Table Storage", False), ("Azure Files", False), ("Azure Queue Storage", False)]
    got = findings(
        make_bank,
        question("logs-a", LOGS, [("Azure Monitor Logs", True), *wrong]),
        question("logs-b", LOGS, [*wrong, ("Azure Data Explorer", True)]),
    )
    assert got == [("QB303", "logs-b", "logs-a")]


def test_key_offered_unmarked_in_the_other_is_qb302(make_bank: MakeBank) -> None:
    options = ["Azure Databricks", "Azure Functions", "Azure Logic Apps", "Azure Bastion"]
    text = "Which Azure service provides a managed Apache Spark environment for data engineering?"
    got = findings(
        make_bank,
        question("spark", text, [(o, i == 0) for i, o in enumerate(options)]),
        question("spark-2", text, [(o, i == 1) for i, o in enumerate(options)]),
    )
    assert got == [("QB302", "spark-2", "spark")]


# -- exhibits ---------------------------------------------------------------------------------

EXHIBIT = (
    "You have the network topology shown in the exhibit. Which virtual machines can "
    "communicate with VM1 over the peering?\n\n![Question {}]({})"
)
EXHIBIT_OPTIONS = [("VM2 and VM3 only", True), ("VM2 only", False), ("VM3 only", False)]


def test_exhibit_reposted_under_another_name_is_qb301(make_bank: MakeBank) -> None:
    got = findings(
        make_bank,
        question("q119", EXHIBIT.format(119, "images/question-119.png"), EXHIBIT_OPTIONS),
        question("q123", EXHIBIT.format(123, "images/q123_exhibit.jpg"), EXHIBIT_OPTIONS),
    )
    assert got == [("QB301", "q123", "q119")]
    text = " ".join(
        messages(
            make_bank,
            question("a", EXHIBIT.format(119, "x/119.png"), EXHIBIT_OPTIONS),
            question("b", EXHIBIT.format(123, "x/123.png"), EXHIBIT_OPTIONS),
        )
    )
    assert "119" not in text.split("similarity")[-1] and "123" not in text.split("similarity")[-1]


def test_generic_ask_about_different_exhibits_with_other_options_is_qb303(
    make_bank: MakeBank,
) -> None:
    generic = "Refer to the exhibit. Which statement is true?\n\n![Question {0}](images/q{0}.png)"
    got = findings(
        make_bank,
        question(
            "e1",
            generic.format(300),
            [("VM1 can reach VM2", True), ("VM1 has no public IP", False)],
        ),
        question(
            "e2",
            generic.format(311),
            [("The pipeline has two stages", True), ("The build uses Windows agents", False)],
        ),
    )
    assert got == [("QB303", "e2", "e1")]


# -- true duplicates and messages -------------------------------------------------------------


def test_reordered_options_and_punctuation_are_qb301(make_bank: MakeBank) -> None:
    text = (
        "A data analyst needs to run ad hoc SQL queries directly against CSV files in an S3 "
        "bucket without loading them into a database. Which service should be used?"
    )
    options = [("Amazon Athena", True), ("Amazon Redshift", False), ("Amazon RDS", False)]
    got = findings(
        make_bank,
        question("athena", text, options),
        question("athena-2", text.replace(", ", " ; ").replace("?", " ?").lower(), options[::-1]),
    )
    assert got == [("QB301", "athena-2", "athena")]


def test_a_number_repeated_is_named_once(make_bank: MakeBank) -> None:
    text = (
        "A table has {0} read units. With {0} read units and 4 KB items, how many reads per second?"
    )
    got = messages(
        make_bank,
        question("r13", text.format(13), [("13", True), ("26", False)]),
        question("r66", text.format(66), [("66", True), ("132", False)]),
    )
    assert len(got) == 1 and got[0].count("13 → 66") == 1


# -- the labelled bank ------------------------------------------------------------------------


def test_labelled_real_style_bank_meets_its_targets() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import dedup_styles
    finally:
        sys.path.remove(str(ROOT / "bench"))
    result = dedup_styles.measure(verbose=False)
    assert result["questions"] >= 300
    assert result["precision"] >= 0.9
    assert result["recall"] >= 0.95


# -- scan size and pull-request locations -----------------------------------------------------


def test_scan_method_follows_total_text_not_question_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from qbank.validate import dedup

    calls: list[str] = []
    monkeypatch.setattr(
        dedup,
        "exhaustive_pairs",
        lambda *a, **k: calls.append("exhaustive") or dedup.np.empty((0, 2), dtype=dedup.np.int64),
    )
    monkeypatch.setattr(
        dedup,
        "lsh_pairs",
        lambda *a, **k: calls.append("lsh") or dedup.np.empty((0, 2), dtype=dedup.np.int64),
    )
    few_long = ["word " * 400 + str(i) for i in range(200)]  # 200 stems, 400,000 characters
    many_short = [f"stem number {i}" for i in range(5000)]  # 5,000 stems, 80,000 characters
    dedup.similar_pairs(few_long, 85)
    dedup.similar_pairs(many_short, 85)
    assert calls == ["lsh", "exhaustive"]


def test_long_case_texts_found_on_their_bounded_representation(make_bank: MakeBank) -> None:
    """Long stems go through MinHash-LSH sketches and word-code scoring: a re-posted long case
    ask is still QB301 and its sibling ask is still not reported."""
    from qbank.validate import dedup

    case = "\n\n".join([CASE] * 6)  # ≈ 600 words
    options = [("Azure Policy", True), ("Resource locks", False), ("Azure Advisor", False)]
    root = make_bank(
        {
            "questions.yaml": "questions:\n"
            + question("c1", f"{case}\n\nWhat should you use to tag resources?", options)
            + question("c1-again", f"{case}\n\nWhat should you use to tag resoruces?", options)
            + question("c2", f"{case}\n\nWhich database should App1 use?", options)
        }
    )
    bank = load_bank(root)
    for method in ("exhaustive", "lsh"):
        found = dedup.find_duplicates(bank.questions, method=method)  # type: ignore[arg-type]
        assert [(f.rule, f.question.id, f.other.id) for f in found] == [("QB301", "c1-again", "c1")]
