"""Reporters: every format on a real broken bank, schemas, fingerprints, GitHub limits."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from conftest import DEFAULT_MANIFEST
from qbank.cli import main
from qbank.diagnostics import Location, Problem, Related, Severity
from qbank.load import load_bank
from qbank.validate import validate
from qbank.validate.reporters import FORMATS, ReportContext, get
from qbank.validate.reporters import github_format as gh
from qbank.validate.reporters.json_format import SCHEMA_PATH, fingerprint, jsonable

HERE = Path(__file__).parent
SARIF_SCHEMA = json.loads((HERE / "schemas" / "sarif-schema-2.1.0.json").read_text())
REPORT_SCHEMA = json.loads(SCHEMA_PATH.read_text())
BROKEN_FILE = "aws-mls/1-data-engineering.yaml"


def validate_json(doc: object) -> None:
    jsonschema.Draft202012Validator.check_schema(REPORT_SCHEMA)
    validator = jsonschema.Draft202012Validator(
        REPORT_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    validator.validate(doc)


def validate_sarif(doc: object) -> None:
    validator = jsonschema.Draft4Validator(
        SARIF_SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


@pytest.fixture
def broken(
    sample_bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, int, int]:
    """A copy of the sample bank whose `s3-ml-data-lake` has a second correct option.

    Returns (bank, line, column) of the `true` that breaks the key; the cwd is tmp_path.
    """
    bank = shutil.copytree(sample_bank, tmp_path / "bank")
    path = bank / BROKEN_FILE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, ln in enumerate(lines) if ln.strip() == "- text: Amazon EBS")
    lines.insert(at + 1, "        correct: true\n")
    path.write_text("".join(lines), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return bank, at + 2, len("        correct: ") + 1


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env or {"GITHUB_ACTIONS": "false"})
    return result.exit_code, result.output


# -- the acceptance check: a broken key on the right line in every format ------------------


def test_sample_bank_is_clean_in_every_format(sample_bank: Path) -> None:
    for fmt in FORMATS:
        code, out = invoke("validate", str(sample_bank), "--format", fmt, "--strict")
        assert code == 0, (fmt, out)
    code, out = invoke("validate", str(sample_bank), "--format", "json")
    doc = json.loads(out)
    validate_json(doc)
    assert doc["summary"] == {
        "errors": 0,
        "warnings": 0,
        "problems": 0,
        "by_rule": {},
        "text": "All checks passed. Checked 61 questions.",
    }
    assert doc["bank"]["questions"] == 61


@pytest.mark.parametrize("fmt", FORMATS)
def test_broken_key_on_the_right_line(broken: tuple[Path, int, int], fmt: str) -> None:
    _, line, col = broken
    code, out = invoke("validate", "bank", "--format", fmt)
    assert code == 1, out
    shown = f"bank/{BROKEN_FILE}"
    if fmt in ("full", "concise"):
        assert out.startswith(f"{shown}:{line}:{col}: QB201 [error] ")
        assert out.rstrip().endswith("Found 1 error and 0 warnings. Checked 61 questions.")
    if fmt == "full":
        frame = out.splitlines()
        assert frame[3] == f"{line} |         correct: true"
        assert frame[4] == f"{' ' * len(str(line))} | {' ' * (col - 1)}^^^^"
    elif fmt == "github":
        first = out.splitlines()[0]
        assert first.startswith(
            f"::error file={shown},line={line},col={col},endLine={line},endColumn={col + 4},"
            "title=QB201 single-correct-count::2 options are marked correct"
        )
    elif fmt == "json":
        doc = json.loads(out)
        validate_json(doc)
        (p,) = doc["problems"]
        assert (p["rule"], p["file"], p["path"], p["line"], p["column"]) == (
            "QB201",
            shown,
            BROKEN_FILE,
            line,
            col,
        )
        assert p["question_id"] == "s3-ml-data-lake"
        assert p["related"][0]["line"] == line - 2
    elif fmt == "sarif":
        doc = json.loads(out)
        validate_sarif(doc)
        (result,) = doc["runs"][0]["results"]
        loc = result["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == shown
        assert (loc["region"]["startLine"], loc["region"]["startColumn"]) == (line, col)
        assert result["ruleId"] == "QB201" and result["level"] == "error"
        rule = doc["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"]]
        assert rule["id"] == "QB201"
        assert rule["defaultConfiguration"]["level"] == "error"
        assert rule["helpUri"].endswith("#qb201")
        related = result["relatedLocations"][0]["physicalLocation"]["region"]
        assert related["startLine"] == line - 2


def test_output_file_is_written_atomically(broken: tuple[Path, int, int], tmp_path: Path) -> None:
    target = tmp_path / "reports" / "qbank.sarif"
    target.parent.mkdir()
    target.write_text("old")
    result = CliRunner().invoke(
        main, ["validate", "bank", "-f", "sarif", "-o", str(target)], env={"GITHUB_ACTIONS": ""}
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Report written to" in result.stderr
    validate_sarif(json.loads(target.read_text()))
    assert sorted(p.name for p in target.parent.iterdir()) == ["qbank.sarif"]
    code, out = invoke("validate", "bank", "-o", str(tmp_path))
    assert code == 2 and "is a directory" in out


def test_github_format_is_automatic_under_actions(broken: tuple[Path, int, int]) -> None:
    code, out = invoke("validate", "bank", env={"GITHUB_ACTIONS": "true"})
    assert code == 1 and out.startswith("::error file=bank/")


# -- output is deterministic and fingerprints are stable --------------------------------------


def test_outputs_are_byte_identical_across_runs(broken: tuple[Path, int, int]) -> None:
    for fmt in FORMATS:
        assert invoke("validate", "bank", "-f", fmt) == invoke("validate", "bank", "-f", fmt)


def test_fingerprints_survive_moving_the_question(broken: tuple[Path, int, int]) -> None:
    bank, line, _ = broken
    before = json.loads(invoke("validate", "bank", "-f", "sarif")[1])
    path = bank / BROKEN_FILE
    path.write_text("# a new comment\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    after = json.loads(invoke("validate", "bank", "-f", "sarif")[1])
    (r1,) = before["runs"][0]["results"]
    (r2,) = after["runs"][0]["results"]
    assert r2["locations"][0]["physicalLocation"]["region"]["startLine"] == line + 2
    assert r1["partialFingerprints"] == r2["partialFingerprints"]
    assert re.fullmatch(r"[0-9a-f]{40}", r1["partialFingerprints"]["qbank/v1"])


def test_sarif_paths_are_relative_to_the_repository(
    broken: tuple[Path, int, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    monkeypatch.chdir(tmp_path / "bank" / "aws-mls")  # run from deep inside the repository
    doc = json.loads(invoke("validate", "..", "-f", "sarif")[1])
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri == {"uri": f"bank/{BROKEN_FILE}"}


# -- problems from every family, including duplicates with related locations and data ---------

DUPLICATES = """\
questions:
  - id: nat-a
    type: single
    text: What does a NAT gateway let instances in a private subnet do?
    explanation: Outbound only.
    options:
      - text: Connect out to the internet
        correct: true
      - Accept inbound connections
      - Resolve DNS names
  - id: nat-b
    type: single
    text: What does a NAT gateway let instances in a private subnet do?
    options:
      - text: Connect out to the internet
        correct: true
      - Accept inbound connections
      - Resolve DNS names
  - id: nat-a
    type: truefalse
    text: "Look: ![x](media/none.png) <br> \\\\( x"
    answer: true
"""


def test_json_and_sarif_carry_related_locations_and_data(
    make_bank: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_bank({"q.yaml": DUPLICATES, "bad.yaml": "id: x\ntype: single\n\ttext: tab\n"})
    monkeypatch.chdir(root)
    code, out = invoke("validate", ".", "-f", "json")
    assert code == 1
    doc = json.loads(out)
    validate_json(doc)
    rules = {p["rule"] for p in doc["problems"]}
    assert {"QB001", "QB401", "QB501", "QB504", "QB505", "QB601"} <= rules
    dup = [p for p in doc["problems"] if p["rule"].startswith("QB3")]
    assert dup, "the duplicate pair is reported"
    assert dup[0]["related"] and dup[0]["data"]["score"] == 100.0
    code, out = invoke("validate", ".", "-f", "sarif")
    sarif = json.loads(out)
    validate_sarif(sarif)
    results = sarif["runs"][0]["results"]
    assert len(results) == len(doc["problems"])
    prints = [r["partialFingerprints"]["qbank/v1"] for r in results]
    assert len(set(prints)) == len(prints)
    with_related = [r for r in results if r["ruleId"].startswith("QB3")]
    assert with_related[0]["relatedLocations"][0]["id"] == 1
    assert with_related[0]["properties"]["data"]["score"] == 100.0


def _ctx(problems: list[Problem], sample_bank: Path) -> ReportContext:
    return ReportContext(problems, load_bank(sample_bank), checked=61)


def test_reporters_handle_odd_data(sample_bank: Path) -> None:
    here = Location("aws-mls/4.3-security.yaml", 12, 5, 12, 9)
    there = Location("aws-mls/1-data-engineering.yaml", 40, 11)
    p = Problem(
        rule="QB301",
        severity=Severity.ERROR,
        message="near-duplicate of `x`, 100% | <b>bold</b>\nsecond line",
        location=here,
        hint="merge them",
        question_id="nat-gateway-purpose",
        related=(Related(there, "similar question `x`"),),
        fingerprint="QB301:pair",
        data={
            "score": 97.5,
            "nan": math.nan,
            "words": ("NOT", "24"),
            "ids": {"b", "a"},
            "exact": Decimal("0.10"),
            "where": there,
        },
    )
    ctx = _ctx([p], sample_bank)
    assert jsonable(p.data) == {
        "score": 97.5,
        "nan": None,
        "words": ["NOT", "24"],
        "ids": ["a", "b"],
        "exact": "0.10",
        "where": {"path": there.file, "line": 40, "column": 11},
    }
    doc = json.loads(get("json")(ctx))
    validate_json(doc)
    validate_sarif(json.loads(get("sarif")(ctx)))
    assert doc["problems"][0]["fingerprint"] == fingerprint(p)
    full = get("full")(ctx)
    assert "= note: similar question `x` at bank/aws-mls/1-data-engineering.yaml:40:11" in full
    summary = gh.step_summary(ctx)
    assert "&lt;b&gt;bold&lt;/b&gt;" in summary and "\\|" in summary
    assert "100% \\| &lt;b&gt;bold&lt;/b&gt;<br>second line" in summary


def test_default_fingerprint_ignores_numbers_but_not_questions() -> None:
    loc = Location("q.yaml", 3, 1)
    a = Problem("QB002", Severity.ERROR, "duplicate key `x` (first defined on line 3)", loc)
    b = Problem("QB002", Severity.ERROR, "duplicate key `x` (first defined on line 9)", loc)
    c = Problem("QB401", Severity.WARNING, "no explanation", loc, question_id="q1")
    d = Problem("QB401", Severity.WARNING, "no explanation", loc, question_id="q2")
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(c) != fingerprint(d)


# -- GitHub workflow commands ---------------------------------------------------------------


def test_workflow_command_escaping() -> None:
    assert gh.escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert gh.escape_property("a:b,c%d\n") == "a%3Ab%2Cc%25d%0A"


def test_annotation_escapes_paths_and_messages(make_bank: Callable[..., Path]) -> None:
    root = make_bank({"odd,name:1.yaml": "id: q\ntype: truefalse\ntext: 50% sure\nanswer: true\n"})
    bank = load_bank(root)
    report = validate(bank)
    ctx = ReportContext(report.problems, bank, checked=1)
    (line,) = [ln for ln in get("github")(ctx).splitlines() if ln.startswith("::")]
    assert "file=" in line and "odd%2Cname%3A1.yaml" in line
    assert line.startswith("::warning ")
    assert ",title=QB401 missing-explanation::no explanation%0Ahelp: add `explanation:`" in line


def _many_problems_bank(root: Path, errors: int, warnings: int) -> Path:
    root.mkdir()
    (root / "qbank.yaml").write_text(DEFAULT_MANIFEST + "lint:\n  ignore: [QB3]\n")
    out = ["questions:"]
    for i in range(errors):
        out += [
            f"  - id: q{i:04d}",
            "    type: single",
            f"    text: Question {i} with | pipes, `code` and 100% signs?",
            "    explanation: Because.",
            f"    options: [a{i}, b{i}, c{i}]",
        ]
    for i in range(warnings):
        out += [
            f"  - id: w{i:04d}",
            "    type: truefalse",
            f"    text: Claim {i}.",
            "    answer: true",
        ]
    (root / "many.yaml").write_text("\n".join(out) + "\n")
    return root


def test_thousand_problems_ten_annotations_and_a_complete_summary(tmp_path: Path) -> None:
    root = _many_problems_bank(tmp_path / "bank", errors=975, warnings=25)  # 1,000 problems
    summary = tmp_path / "summary.md"
    summary.write_text("## an earlier step\n")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    code, out = invoke("validate", str(root), env=env)
    assert code == 1
    lines = out.splitlines()
    assert sum(ln.startswith("::error ") for ln in lines) == 10
    assert sum(ln.startswith("::warning ") for ln in lines) == 10
    first_warning = next(i for i, ln in enumerate(lines) if ln.startswith("::warning "))
    assert all(ln.startswith("::error ") for ln in lines[:first_warning])  # most severe first
    assert "qbank: 965 more errors and 15 more warnings were not annotated" in out
    assert out.rstrip().endswith("Found 975 errors and 25 warnings. Checked 1,000 questions.")
    assert not any(ln.startswith("::") for ln in lines if "QB201 [error]" in ln)
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## an earlier step\n")
    assert len(text.encode("utf-8")) < 1024 * 1024
    assert text.count("| ❌ error |") == 975 and text.count("| ⚠️ warning |") == 25
    assert text.count("<code>q0974</code>") == 1
    assert "not shown" not in text


def test_summary_is_truncated_below_the_limit(tmp_path: Path) -> None:
    root = _many_problems_bank(tmp_path / "bank", errors=300, warnings=0)
    bank = load_bank(root)
    ctx = ReportContext(validate(bank).problems, bank, checked=300)
    small = gh.step_summary(ctx, budget=20_000)
    assert len(small.encode("utf-8")) <= 20_000
    shown = small.count("| ❌ error |")
    assert 0 < shown < 300
    assert f"… and {300 - shown} more findings not shown" in small
    # a summary file that is already nearly full is left alone rather than overflowed
    full = tmp_path / "full.md"
    full.write_bytes(b"x" * (1024 * 1024 - 2000))
    gh.write_step_summary(ctx, full)
    assert full.stat().st_size == 1024 * 1024 - 2000
    # with room left, the append stays under the limit
    half = tmp_path / "half.md"
    half.write_bytes(b"x" * (1024 * 1024 - 30_000))
    gh.write_step_summary(ctx, half)
    assert 1024 * 1024 - 30_000 < half.stat().st_size < 1024 * 1024


def test_summary_links_to_the_commit(broken: tuple[Path, int, int], tmp_path: Path) -> None:
    _, line, _ = broken
    summary = tmp_path / "s.md"
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/exams",
        "GITHUB_SHA": "0123abc",
        "GITHUB_WORKSPACE": str(tmp_path),
    }
    code, out = invoke("validate", "bank", env=env)
    assert code == 1
    assert out.startswith(f"::error file=bank/{BROKEN_FILE},line={line},")
    url = f"https://github.com/acme/exams/blob/0123abc/bank/{BROKEN_FILE}#L{line}"
    assert f"]({url})" in summary.read_text()


def test_full_format_splits_each_file_once(tmp_path: Path) -> None:
    """Code frames read a file's lines once, not once per finding (37,000 findings in a
    9 MB bank took 20 s of splitting); the lines follow the text if it is replaced."""
    (tmp_path / "qbank.yaml").write_text(DEFAULT_MANIFEST, encoding="utf-8")
    items = "".join(
        f"  - id: q{i}\n    type: truefalse\n    text: Statement number {i} holds.\n"
        "    answer: true\n"
        for i in range(300)
    )
    (tmp_path / "many.yaml").write_text("questions:\n" + items, encoding="utf-8")
    bank = load_bank(tmp_path)
    src = bank.files["many.yaml"]
    assert src.lines is src.lines
    report = validate(bank)
    text = get("full")(ReportContext(report.problems, bank, checked=len(bank.questions)))
    assert text.count("QB401") >= 300
    assert " | " + src.lines[2].rstrip() in text
    src.text = "id: other\n"
    assert src.lines == ["id: other"]
