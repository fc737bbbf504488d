"""Pull-request mode: which questions changed since a git revision, found with real git in a
temporary repository, and what ``validate --changed-since`` then reports."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank.cli import main
from qbank.load import load_bank
from qbank.validate import Options, validate
from qbank.validate.changes import ChangesError, changed_files, changed_question_ids

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

MANIFEST = "id: pr-bank\ntitle: PR bank\n"


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        [
            "git",
            "-c",
            "user.name=qbank tests",
            "-c",
            "user.email=tests@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
            *args,
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip()


def q(qid: str, text: str, answer: str = "true") -> str:
    return f"  - id: {qid}\n    type: truefalse\n    text: {text}\n    answer: {answer}\n"


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, Path, str]:
    """A repository with the bank in a sub-folder and one commit; (repo, bank, commit)."""
    repo = tmp_path / "repo"
    bank = repo / "bank"
    write(repo, "README.md", "# exams\n")
    write(bank, "qbank.yaml", MANIFEST)
    write(
        bank,
        "iam.yaml",
        "topic: iam\nquestions:\n"
        + q("iam-global", "IAM is a global service.")
        + q("iam-root", "The root user should have MFA enabled.")
        + q("iam-keys", "Access keys can be rotated."),
    )
    write(
        bank,
        "s3/storage.yaml",
        "questions:\n"
        + q("s3-durable", "S3 Standard is designed for eleven nines of durability.")
        + q("s3-global", "S3 bucket names are global.", "true"),
    )
    write(bank, "quizzes/practice.yaml", "title: Practice\nsections:\n  - count: 2\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "bank")
    return repo, bank, git(repo, "rev-parse", "HEAD")


def test_no_changes(repo: tuple[Path, Path, str]) -> None:
    _, bank, head = repo
    assert changed_question_ids(load_bank(bank), head) == set()
    assert changed_question_ids(load_bank(bank), "HEAD") == set()


def test_edits_additions_moves_and_formatting(repo: tuple[Path, Path, str]) -> None:
    repo_root, bank, head = repo
    # edited text, and a new question in the same file
    iam = (bank / "iam.yaml").read_text(encoding="utf-8")
    iam = iam.replace("Access keys can be rotated.", "Access keys can be rotated every day.")
    iam += q("iam-policy", "An IAM policy can deny an action.")
    write(bank, "iam.yaml", iam)
    # a file re-indented and commented without a content change; one question moved away
    write(
        bank,
        "s3/storage.yaml",
        "# storage questions\nquestions:\n"
        "- id: s3-durable\n  type: truefalse\n"
        "  text: S3 Standard is designed for eleven nines of durability.\n  answer: true\n",
    )
    write(bank, "s3/names.yaml", "questions:\n" + q("s3-global", "S3 bucket names are global."))
    # a new untracked file and a new staged file
    write(
        bank,
        "vpc.yaml",
        "questions:\n" + q("vpc-nat", "A NAT gateway allows inbound traffic.", "false"),
    )
    write(bank, "kms.yaml", "questions:\n" + q("kms-rotate", "KMS keys can rotate yearly."))
    git(repo_root, "add", "bank/kms.yaml")
    # outside the bank, the manifest and quizzes: not questions
    write(repo_root, "README.md", "# exams, edited\n")
    write(bank, "quizzes/practice.yaml", "title: Practice\nsections:\n  - count: 3\n")
    loaded = load_bank(bank)
    assert loaded.problems == []
    assert changed_question_ids(loaded, head) == {"iam-keys", "iam-policy", "vpc-nat", "kms-rotate"}
    now, before = changed_files(bank, head)
    assert now == ["iam.yaml", "kms.yaml", "s3/names.yaml", "s3/storage.yaml", "vpc.yaml"]
    assert before == ["iam.yaml", "s3/storage.yaml"]


def test_committed_changes_count_too(repo: tuple[Path, Path, str]) -> None:
    repo_root, bank, head = repo
    write(bank, "extra.yaml", "questions:\n" + q("extra", "CloudTrail records API calls."))
    git(repo_root, "add", "-A")
    git(repo_root, "commit", "-q", "-m", "more")
    assert changed_question_ids(load_bank(bank), head) == {"extra"}
    assert changed_question_ids(load_bank(bank), "HEAD") == set()


def test_changed_file_default_changes_its_questions(repo: tuple[Path, Path, str]) -> None:
    _, bank, head = repo
    iam = (bank / "iam.yaml").read_text(encoding="utf-8").replace("topic: iam", "topic: security")
    write(bank, "iam.yaml", iam)
    assert changed_question_ids(load_bank(bank), head) == {"iam-global", "iam-root", "iam-keys"}


def test_deleted_file_and_renamed_id(repo: tuple[Path, Path, str]) -> None:
    _, bank, head = repo
    (bank / "s3" / "storage.yaml").unlink()
    iam = (
        (bank / "iam.yaml").read_text(encoding="utf-8").replace("id: iam-root", "id: iam-root-mfa")
    )
    write(bank, "iam.yaml", iam)
    assert changed_question_ids(load_bank(bank), head) == {"iam-root-mfa"}


def test_unknown_revision_is_a_clear_error(repo: tuple[Path, Path, str]) -> None:
    _, bank, _ = repo
    for rev in ("no-such-branch", "--output=/tmp/x", "HEAD~5"):
        with pytest.raises(ChangesError, match="git revision") as info:
            changed_question_ids(load_bank(bank), rev)
        assert isinstance(info.value, ValueError)
        assert rev in str(info.value)


def test_not_a_repository(tmp_path: Path) -> None:
    bank = tmp_path / "plain"
    write(bank, "qbank.yaml", MANIFEST)
    write(bank, "a.yaml", "questions:\n" + q("a", "IAM is global."))
    with pytest.raises(ChangesError, match="not inside a git repository"):
        changed_question_ids(load_bank(bank), "HEAD")


def test_pull_request_mode_checks_only_the_changes(repo: tuple[Path, Path, str]) -> None:
    """An old duplicate pair stays quiet; the new copy of an old question is reported."""
    repo_root, bank, head = repo
    write(
        bank,
        "old-dupes.yaml",
        "questions:\n"
        + q("old-a", "Amazon S3 stores objects in buckets across many devices.")
        + q("old-b", "Amazon S3 stores objects in buckets across many devices!"),
    )
    git(repo_root, "add", "-A")
    git(repo_root, "commit", "-q", "-m", "old pair")
    base = git(repo_root, "rev-parse", "HEAD")
    write(bank, "new.yaml", "questions:\n" + q("iam-global-copy", "IAM is a global service!"))
    loaded = load_bank(bank)
    changed = changed_question_ids(loaded, base)
    assert changed == {"iam-global-copy"}
    pr = [
        p
        for p in validate(loaded, Options(changed_ids=changed)).problems
        if p.rule.startswith("QB3")
    ]
    assert [(p.rule, p.question_id, p.data["other_id"]) for p in pr] == [
        ("QB301", "iam-global-copy", "iam-global")
    ]
    full = [p for p in validate(loaded).problems if p.rule.startswith("QB3")]
    assert {p.question_id for p in full} == {"iam-global-copy", "old-b"}
    assert head != base


def test_cli_changed_since(repo: tuple[Path, Path, str], monkeypatch: pytest.MonkeyPatch) -> None:
    _, bank, head = repo
    write(bank, "new.yaml", "questions:\n" + q("iam-global-copy", "IAM is a global service!"))
    monkeypatch.chdir(bank.parent)
    runner = CliRunner()
    result = runner.invoke(main, ["validate", "bank", "--changed-since", head, "-f", "concise"])
    assert result.exit_code == 1, result.output
    assert "QB301" in result.output and "iam-global-copy" not in result.output.split("QB301")[0]
    bad = runner.invoke(main, ["validate", "bank", "--changed-since", "no-such-rev"])
    assert bad.exit_code == 2
    assert "unknown git revision `no-such-rev`" in bad.output


def test_bank_at_repository_root_and_unusual_file_names(tmp_path: Path) -> None:
    bank = tmp_path / "root-bank"
    write(bank, "qbank.yaml", MANIFEST)
    write(
        bank,
        "Sécurité 4.3/réseau et VPC.yaml",
        "questions:\n" + q("vpc-a", "A VPC spans a region."),
    )
    git(bank, "init", "-q")
    git(bank, "add", "-A")
    git(bank, "commit", "-q", "-m", "bank")
    path = "Sécurité 4.3/réseau et VPC.yaml"
    text = (bank / path).read_text(encoding="utf-8") + q("vpc-b", "A subnet lives in one zone.")
    write(bank, path, text)
    assert changed_question_ids(load_bank(bank), "HEAD") == {"vpc-b"}


def test_pull_request_reports_only_what_it_changed(
    repo: tuple[Path, Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every question of the bank lacks an explanation (QB401), but a pull request that edits
    one question hears only about that one; --all-findings shows the whole bank again, and
    the summary says what was compared."""
    _, bank, head = repo
    text = (bank / "iam.yaml").read_text(encoding="utf-8")
    write(
        bank,
        "iam.yaml",
        text.replace("Access keys can be rotated.", "Access keys can be rotated often."),
    )
    monkeypatch.chdir(bank.parent)
    runner = CliRunner()
    pr = runner.invoke(main, ["validate", "bank", "--changed-since", head, "-f", "json"])
    import json

    report = json.loads(pr.output)
    assert {p["question_id"] for p in report["problems"]} == {"iam-keys"}
    assert {p["rule"] for p in report["problems"]} == {"QB401"}
    concise = runner.invoke(main, ["validate", "bank", "--changed-since", head, "-f", "concise"])
    assert (
        "pull-request mode: compared 1 changed question with 5; findings of the other 4"
        in concise.output
    )
    everything = runner.invoke(
        main, ["validate", "bank", "--changed-since", head, "--all-findings", "-f", "json"]
    )
    ids = {p["question_id"] for p in json.loads(everything.output)["problems"]}
    assert ids == {"iam-global", "iam-root", "iam-keys", "s3-durable", "s3-global"}
    lone = runner.invoke(main, ["validate", "bank", "--all-findings"])
    assert lone.exit_code == 2 and "--all-findings goes with --changed-since" in lone.output


def test_pull_request_keeps_file_level_findings_of_changed_files(
    repo: tuple[Path, Path, str],
) -> None:
    _, bank, head = repo
    write(bank, "broken.yaml", "questions:\n  - id: [unclosed\n")
    loaded = load_bank(bank)
    from qbank.validate.changes import changes

    ids, files = changes(loaded, head)
    assert "broken.yaml" in files
    report = validate(loaded, Options(changed_ids=ids, changed_files=files))
    assert any(p.location.file == "broken.yaml" for p in report.errors)
    assert not any(p.question_id in {"iam-global", "s3-global"} for p in report.problems)
