"""The author's workflow through the real ``qbank`` command, each test in a fresh folder:
``qbank init`` (validated with --strict, pre-commit in a fresh git repository, the editor
schemas checked with jsonschema), ``qbank new``, ``qbank fix`` (its diff applied with
``git apply`` must give the same bytes), the one CLI grammar (-f/-o, bank discovery,
validating files, exit codes)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, require_tool

SRC = ROOT / "src"
TYPES = ["single", "multi", "truefalse", "cloze", "short", "numeric", "order", "match", "essay"]


def _env(extra_path: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("GITHUB_ACTIONS", None)
    env["NO_COLOR"] = "1"
    if extra_path is not None:
        env["PATH"] = str(extra_path) + os.pathsep + env["PATH"]
    return env


def qbank(*args: str, cwd: Path, check: int | None = 0) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "qbank", *args],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check is not None:
        assert done.returncode == check, (args, done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _shim(tmp: Path) -> Path:
    """A folder with a `qbank` executable running this checkout (what pip install gives)."""
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "qbank"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m qbank "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    return bin_dir


@pytest.fixture
def new_bank(tmp_path: Path) -> Path:
    qbank("init", "course", "--title", "Networks 101", cwd=tmp_path)
    return tmp_path / "course"


# -- qbank init ----------------------------------------------------------------------------


def test_init_writes_a_bank_that_validates_strict(new_bank: Path, tmp_path: Path) -> None:
    names = sorted(p.relative_to(new_bank).as_posix() for p in new_bank.rglob("*") if p.is_file())
    assert names == [
        ".github/workflows/qbank.yml",
        ".pre-commit-config.yaml",
        ".qbank/schemas/manifest.json",
        ".qbank/schemas/question.json",
        ".qbank/schemas/quiz.json",
        ".vscode/settings.json",
        "README.md",
        "qbank.yaml",
        "questions/examples.yaml",
        "quizzes/practice.yaml",
    ]
    done = qbank("validate", "--strict", cwd=new_bank)
    assert done.stdout.strip() == "All checks passed. Checked 9 questions."
    examples = yaml.safe_load((new_bank / "questions/examples.yaml").read_text(encoding="utf-8"))
    assert sorted(q["type"] for q in examples["questions"]) == sorted(TYPES)
    manifest = yaml.safe_load((new_bank / "qbank.yaml").read_text(encoding="utf-8"))
    assert manifest["id"] == "course" and manifest["title"] == "Networks 101"
    assert len(manifest["topics"]) >= 3
    # the quiz draws, and every exporter's selection path works on it
    drawn = json.loads(qbank("draw", "--quiz", "practice", "-f", "json", cwd=new_bank).stdout)
    assert len(drawn["forms"][0]["questions"]) == 7
    # comments explain the fields (kept in the file, one per type at least)
    text = (new_bank / "questions/examples.yaml").read_text(encoding="utf-8")
    for qtype in TYPES:
        assert re.search(rf"^  # {qtype}: ", text, re.M), qtype
    # refuses to overwrite: exit 2, names the files, changes nothing
    before = {p: p.read_bytes() for p in new_bank.rglob("*") if p.is_file()}
    again = qbank("init", "course", cwd=tmp_path, check=2)
    assert "never overwrites" in again.stderr and "qbank.yaml" in again.stderr
    assert {p: p.read_bytes() for p in new_bank.rglob("*") if p.is_file()} == before


def test_init_schemas_are_wired_for_editors(new_bank: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    settings = json.loads((new_bank / ".vscode/settings.json").read_text(encoding="utf-8"))
    mapping = settings["yaml.schemas"]
    assert set(mapping) == {
        "./.qbank/schemas/manifest.json",
        "./.qbank/schemas/quiz.json",
        "./.qbank/schemas/question.json",
    }
    checked = 0
    for path in [new_bank / "qbank.yaml", *sorted(new_bank.glob("*/*.yaml"))]:
        text = path.read_text(encoding="utf-8")
        m = re.match(r"# yaml-language-server: \$schema=(\S+)\n", text)
        assert m, f"{path} has no modeline"
        schema_path = (path.parent / m.group(1)).resolve()
        assert schema_path.is_file(), schema_path
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
        # what the editor does: validate the file's data against the schema
        jsonschema.validate(yaml.safe_load(text), schema)
        checked += 1
    assert checked == 3
    # a wrong key is caught by the same schema
    bad = yaml.safe_load((new_bank / "questions/examples.yaml").read_text(encoding="utf-8"))
    bad["questions"][0]["optoins"] = []
    schema = json.loads((new_bank / ".qbank/schemas/question.json").read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_init_workflow_uses_this_repository_action(new_bank: Path) -> None:
    workflow = yaml.safe_load(
        (new_bank / ".github/workflows/qbank.yml").read_text(encoding="utf-8")
    )
    steps = workflow["jobs"]["validate"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("qbank/qbank@v") for u in uses)
    action = next(s for s in steps if s.get("uses", "").startswith("qbank/qbank@"))
    assert action["with"]["bank"] == "."
    inputs = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))["inputs"]
    assert set(action["with"]) <= set(inputs)


def test_init_passes_pre_commit_in_a_fresh_git_repository(new_bank: Path, tmp_path: Path) -> None:
    pytest.importorskip("pre_commit")
    git = require_tool("git")
    env = _env(_shim(tmp_path))
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-cache")
    env.update(
        GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
        GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org",
    )  # fmt: skip

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args, cwd=new_bank, env=env, capture_output=True, text=True, timeout=300
        )

    assert run(git, "init", "-q").returncode == 0
    assert run(git, "add", "-A").returncode == 0
    for what, path in (
        ("validate-config", new_bank / ".pre-commit-config.yaml"),
        ("validate-manifest", ROOT / ".pre-commit-hooks.yaml"),  # this repository's hooks
    ):
        checked = run(sys.executable, "-m", "pre_commit", what, str(path))
        assert checked.returncode == 0, checked.stdout + checked.stderr
    precommit = [sys.executable, "-m", "pre_commit", "run", "--all-files"]
    ok = run(*precommit)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert re.search(r"qbank validate\.+Passed", ok.stdout), ok.stdout
    # a broken question file fails the hook with the finding's location
    broken = new_bank / "questions/broken.yaml"
    broken.write_text("id: broken\ntype: cloze\ntext: {{NAT}} is a gateway.\n", encoding="utf-8")
    assert run(git, "add", "-A").returncode == 0
    bad = run(*precommit)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "questions/broken.yaml:3:7: QB008" in bad.stdout


# -- qbank new ------------------------------------------------------------------------------


def test_new_appends_every_type_with_fresh_ids(new_bank: Path) -> None:
    sub = new_bank / "questions"
    made = []
    for qtype in TYPES:
        done = qbank("new", qtype, "--topic", "1.2", cwd=sub)  # the bank is found upward
        m = re.fullmatch(r"(\S+):(\d+): added \w+ question `(\S+)`\n", done.stdout)
        assert m, done.stdout
        made.append(m.group(3))
        path = sub / m.group(1) if not Path(m.group(1)).is_absolute() else Path(m.group(1))
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[int(m.group(2)) - 1].strip() == f"- id: {m.group(3)}"
    assert made == [f"{t}-1" for t in TYPES]
    again = qbank("new", "single", cwd=new_bank).stdout
    assert "`single-2`" in again
    text = (new_bank / "questions/new.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../.qbank/schemas/question.json\n")
    assert text.count("# single: exactly one option") == 2  # the comments come along
    # an unedited template is a near-duplicate of the first one: the author must write it
    done = qbank("validate", "-f", "concise", cwd=new_bank, check=1)
    findings = done.stdout.splitlines()[:-1]
    assert len(findings) == 1 and "QB301" in findings[0] and "`single-1`" in findings[0]
    assert "Checked 19 questions." in done.stdout
    # appending to an existing file keeps every byte already there
    examples = new_bank / "questions/examples.yaml"
    before = examples.read_text(encoding="utf-8")
    qbank("new", "essay", "--file", str(examples), cwd=new_bank)
    assert examples.read_text(encoding="utf-8").startswith(before)
    # usage errors: unknown topic, unknown type, a one-question file
    assert (
        "unknown topic `9.9`"
        in qbank("new", "single", "--topic", "9.9", cwd=new_bank, check=2).stderr
    )
    qbank("new", "slider", cwd=new_bank, check=2)
    single = new_bank / "questions/one.yaml"
    single.write_text("id: one\ntype: truefalse\ntext: One.\nanswer: true\n", encoding="utf-8")
    assert (
        "questions:" in qbank("new", "single", "--file", str(single), cwd=new_bank, check=2).stderr
    )


def test_new_keeps_crlf_and_names_flow_style(new_bank: Path) -> None:
    """A Windows author's CRLF file stays CRLF (only the new question is added); a
    `questions: [...]` file is refused for what it is, flow style."""
    crlf = new_bank / "questions/windows.yaml"
    before = (
        b'topic: "1.2"\r\nquestions:\r\n  - id: win-one\r\n    type: truefalse\r\n'
        b"    text: Windows files end lines with CR LF.\r\n    answer: true\r\n"
    )
    crlf.write_bytes(before)
    done = qbank("new", "essay", "--file", str(crlf), cwd=new_bank)
    after = crlf.read_bytes()
    assert after.startswith(before) and len(after) > len(before)
    assert after.count(b"\n") == after.count(b"\r\n")  # no bare LF anywhere
    line = int(done.stdout.split(":")[1])
    assert after.split(b"\r\n")[line - 1].strip().startswith(b"- id: essay-")
    qbank("validate", "questions/windows.yaml", cwd=new_bank, check=None)
    flow = new_bank / "questions/flow.yaml"
    flow.write_text(
        "questions: [{id: flow-one, type: truefalse, text: Flow., answer: true}]\n",
        encoding="utf-8",
    )
    err = qbank("new", "single", "--file", str(flow), cwd=new_bank, check=2).stderr
    assert "flow style" in err and "does not list" not in err


# -- qbank fix ------------------------------------------------------------------------------

MESSY = (
    "# Network basics: comments, order and quoting must survive the fixes.\r\n"
    'topic: "1.1"   \r\n'
    "questions:\r\n"
    "  - id: norway\r\n"
    "    type: short\r\n"
    "    text: Name a word YAML 1.1 reads as false.   # the Norway problem\r\n"
    "    answers: [no, 'false', off]\r\n"
    "    explanation: YAML 1.1 has many booleans.\r\n"
    "\r\n"
    "  - id: nat-one-line\r\n"
    "    type: cloze\r\n"
    "    text: {{NAT Gateway|NAT}} lets private instances reach the internet.  # keep\r\n"
    "    explanation: Outbound only.\r\n"
    "\r\n"
    "  - id: nat-multi-line\r\n"
    "    type: cloze\r\n"
    "    text: {{Security groups}} filter traffic at the instance level,\r\n"
    "      network ACLs at the subnet level.\r\n"
    "    explanation: Two layers.\r\n"
    "  - id: literal\r\n"
    "    type: essay\r\n"
    "    text: Describe a VPC.\r\n"
    "    rubric: |\r\n"
    "      a line with a hard break  \r\n"
    "      the next line\r\n"
    "    explanation: Any clear answer.\r\n"
)
TABBED = "questions:\n\t- id: tabbed\n\t  type: truefalse\n\t  text: Tabs indent this.\n\t  answer: true\n\t  explanation: Spaces now.\n"


def _messy_bank(new_bank: Path, *, crlf: bool = True) -> Path:
    messy = MESSY if crlf else MESSY.replace("\r\n", "\n")
    (new_bank / "questions/messy.yaml").write_bytes(messy.encode("utf-8"))
    (new_bank / "questions/tabbed.yaml").write_text(TABBED, encoding="utf-8")
    return new_bank


def test_fix_diff_changes_nothing_and_applies_with_git(new_bank: Path, tmp_path: Path) -> None:
    bank = _messy_bank(new_bank, crlf=False)  # git apply and CR in context lines do not mix
    before = {p: p.read_bytes() for p in bank.rglob("*.yaml")}
    summary = qbank("validate", cwd=bank, check=1).stdout.strip().splitlines()[-1]
    assert summary.endswith("fixable with `qbank fix`."), summary
    diff = qbank("fix", "--diff", cwd=bank, check=1)
    assert {p: p.read_bytes() for p in bank.rglob("*.yaml")} == before  # nothing written
    assert "--- a/questions/messy.yaml\n+++ b/questions/messy.yaml\n" in diff.stdout
    # the diff is a real patch: git applies it to a copy, giving what `qbank fix` writes
    git = require_tool("git")
    copy = tmp_path / "copy"
    shutil.copytree(bank, copy)
    patch = tmp_path / "fix.patch"
    patch.write_text(diff.stdout, encoding="utf-8")
    applied = subprocess.run(
        [git, "apply", "--unsafe-paths", "-p1", str(patch)],
        cwd=copy,
        capture_output=True,
        text=True,
    )
    assert applied.returncode == 0, applied.stderr
    qbank("fix", cwd=bank)
    for rel in ("questions/messy.yaml", "questions/tabbed.yaml"):
        assert (copy / rel).read_bytes() == (bank / rel).read_bytes(), rel


def test_fix_is_safe_and_idempotent(new_bank: Path) -> None:
    bank = _messy_bank(new_bank)
    done = qbank("fix", cwd=bank)
    assert "fixed questions/messy.yaml: QB003 ×2, QB008 ×2, whitespace ×" in done.stdout
    assert "fixed questions/tabbed.yaml: QB001 ×5" in done.stdout
    fixed = (bank / "questions/messy.yaml").read_text(encoding="utf-8")
    assert "\r" not in fixed
    assert fixed.splitlines() == [
        "# Network basics: comments, order and quoting must survive the fixes.",
        'topic: "1.1"',
        "questions:",
        "  - id: norway",
        "    type: short",
        "    text: Name a word YAML 1.1 reads as false.   # the Norway problem",
        """    answers: ["no", 'false', "off"]""",
        "    explanation: YAML 1.1 has many booleans.",
        "",
        "  - id: nat-one-line",
        "    type: cloze",
        "    text: '{{NAT Gateway|NAT}} lets private instances reach the internet.'  # keep",
        "    explanation: Outbound only.",
        "",
        "  - id: nat-multi-line",
        "    type: cloze",
        "    text: >-",
        "      {{Security groups}} filter traffic at the instance level,",
        "      network ACLs at the subnet level.",
        "    explanation: Two layers.",
        "  - id: literal",
        "    type: essay",
        "    text: Describe a VPC.",
        "    rubric: |",
        "      a line with a hard break  ",  # content of a literal block: kept
        "      the next line",
        "    explanation: Any clear answer.",
    ]
    # the texts read exactly as the author meant them
    data = yaml.safe_load(fixed)["questions"]
    assert data[0]["answers"] == ["no", "false", "off"]
    assert data[1]["text"].startswith("{{NAT Gateway|NAT}} lets")
    assert data[2]["text"] == (
        "{{Security groups}} filter traffic at the instance level, network ACLs at the subnet level."
    )
    assert (
        (bank / "questions/tabbed.yaml")
        .read_text(encoding="utf-8")
        .startswith("questions:\n  - id: tabbed\n    type: truefalse\n")
    )
    out = qbank("validate", "--strict", cwd=bank, check=None)
    assert out.returncode == 0, out.stdout
    # a second run changes nothing
    snapshot = {p: p.read_bytes() for p in bank.rglob("*.yaml")}
    again = qbank("fix", cwd=bank)
    assert again.stdout == "" and "Nothing to fix." in again.stderr
    assert qbank("fix", "--diff", cwd=bank).stdout == ""
    assert {p: p.read_bytes() for p in bank.rglob("*.yaml")} == snapshot


def test_fix_select_and_files(new_bank: Path) -> None:
    bank = _messy_bank(new_bank)
    qbank("fix", "questions/messy.yaml", "--select", "QB008", cwd=bank)
    text = (bank / "questions/messy.yaml").read_bytes().decode()
    assert "text: '{{NAT Gateway|NAT}} lets" in text and "text: >-\r\n" in text
    assert "answers: [no, 'false', off]" in text  # only QB008 was applied
    assert 'topic: "1.1"   \r\n' in text
    assert "\t" in (bank / "questions/tabbed.yaml").read_text(encoding="utf-8")  # not named
    assert "not a fix" in qbank("fix", "--select", "QB999", cwd=bank, check=2).stderr
    assert "YAML files" in qbank("fix", "README.md", cwd=bank, check=2).stderr
    assert "no such file" in qbank("fix", "nope.yaml", cwd=bank, check=2).stderr


def test_fix_and_new_edit_the_file_in_place(new_bank: Path, tmp_path: Path) -> None:
    """An author's file keeps its permissions, and a symlinked question file is edited
    through the link (the shared file changes, the link stays a link)."""
    messy = 'topic: "1.1"\nquestions:\n  - id: pm\n    type: truefalse\n'
    messy += "    text: Mode test.   \n    answer: true\n    explanation: Because.\n"
    private = new_bank / "questions" / "private.yaml"
    private.write_text(messy, encoding="utf-8")
    private.chmod(0o600)
    shared = tmp_path / "shared.yaml"
    shared.write_text(messy.replace("pm", "sl"), encoding="utf-8")
    link = new_bank / "questions" / "link.yaml"
    link.symlink_to(shared)
    qbank("fix", cwd=new_bank)
    assert (private.stat().st_mode & 0o777) == 0o600
    assert "Mode test.\n" in private.read_text(encoding="utf-8")
    assert link.is_symlink() and "Mode test.\n" in shared.read_text(encoding="utf-8")
    qbank("new", "essay", "--file", "questions/private.yaml", cwd=new_bank)
    assert (private.stat().st_mode & 0o777) == 0o600


def test_fix_adds_a_suppression_for_a_reviewed_pair(new_bank: Path) -> None:
    twin = (
        "  - id: {id}\n    type: truefalse\n    text: A NAT gateway lets instances in a private "
        "subnet start connections to the internet{end}\n    answer: true\n"
        "    explanation: Outbound only.\n"
    )
    (new_bank / "questions/twins.yaml").write_text(
        'topic: "1.1"\nquestions:\n'
        + twin.format(id="nat-a", end=".")
        + "\n"
        + twin.format(id="nat-b", end="!"),
        encoding="utf-8",
    )
    found = qbank("validate", "-f", "concise", cwd=new_bank, check=1).stdout
    assert "QB301" in found
    qbank("fix", "--add-disable", "QB301", "--ids", "nat-a,nat-b", cwd=new_bank)
    text = (new_bank / "questions/twins.yaml").read_text(encoding="utf-8")
    assert text.count("# qbank: disable=QB301") == 1
    assert qbank("validate", "--strict", cwd=new_bank, check=None).returncode == 0
    # idempotent too: the comment is not repeated
    qbank("fix", "--add-disable", "QB301", cwd=new_bank)
    assert (new_bank / "questions/twins.yaml").read_text(encoding="utf-8") == text


def test_rules_say_which_are_fixable(tmp_path: Path) -> None:
    listing = qbank("rules", "--fixable", cwd=tmp_path).stdout
    assert [ln.split()[0] for ln in listing.splitlines()] == ["QB001", "QB003", "QB008"]
    assert "Fixable: `qbank fix` quotes the value" in qbank("rules", "QB003", cwd=tmp_path).stdout
    rows = json.loads(qbank("rules", "-f", "json", cwd=tmp_path).stdout)
    assert {r["id"] for r in rows if r["fix"]} == {"QB001", "QB003", "QB008"}
    docs = (ROOT / "docs/rules.md").read_text(encoding="utf-8")
    assert "| [QB003](#qb003) | implicit-type | warning | yes |" in docs


# -- one grammar ------------------------------------------------------------------------------


def test_every_printing_command_takes_format_and_output(new_bank: Path) -> None:
    cases = {
        "validate": ["validate", "-f", "json"],
        "draw": ["draw", "--quiz", "practice", "-f", "json"],
        "stats": ["stats", "-f", "json"],
        "rules": ["rules", "-f", "json"],
        "schema": ["schema", "--kind", "quiz"],
    }
    for name, args in cases.items():
        printed = qbank(*args, cwd=new_bank).stdout
        target = new_bank / "out" / f"{name}.json"
        written = qbank(*args, "-o", str(target), cwd=new_bank)
        assert written.stdout == "", name
        assert target.read_text(encoding="utf-8") == printed, name
        json.loads(printed)


def test_bank_is_found_upward_like_git(new_bank: Path, tmp_path: Path) -> None:
    deep = new_bank / "questions" / "deeper"
    deep.mkdir()
    assert "9 questions" in qbank("validate", cwd=deep).stdout
    assert "Practice quiz" in qbank("draw", "--quiz", "practice", cwd=deep).stdout
    # outside any bank: ./bank, and a clear usage error when it is missing
    lost = qbank("validate", cwd=tmp_path, check=2)
    assert "bank folder not found: bank" in lost.stderr and "qbank init" in lost.stderr


def test_validate_files_in_their_bank_context(new_bank: Path) -> None:
    (new_bank / "questions/bad.yaml").write_text(
        "id: bad\ntype: short\ntext: Norway's code?\nanswers: [no]\nexplanation: ISO.\n",
        encoding="utf-8",
    )
    dup = (new_bank / "questions/examples.yaml").read_text(encoding="utf-8")
    (new_bank / "questions/copy.yaml").write_text(
        dup.replace("id: example-", "id: copy-"), encoding="utf-8"
    )
    only_good = qbank("validate", "qbank.yaml", "quizzes/practice.yaml", cwd=new_bank, check=None)
    assert (
        "QB003" not in only_good.stdout
        and "(2 files checked with the whole bank)" in only_good.stdout
    )
    bad = qbank("validate", "questions/bad.yaml", "-f", "concise", cwd=new_bank, check=None)
    lines = bad.stdout.splitlines()
    assert lines[0].startswith("questions/bad.yaml:4:11: QB003")
    assert all(ln.startswith("questions/bad.yaml") for ln in lines[:-1])
    # near-duplicates of the named file are found against the whole bank
    copies = qbank("validate", "questions/copy.yaml", "-f", "concise", cwd=new_bank, check=1)
    assert "QB301" in copies.stdout
    # files of a bank, named from elsewhere
    outside = qbank("validate", "course/questions/bad.yaml", cwd=new_bank.parent, check=None)
    assert "course/questions/bad.yaml:4:11: QB003" in outside.stdout
    # a file that is not YAML is a usage error, not "0 questions, all passed"
    (new_bank / "README.md").write_text("# My bank\n", encoding="utf-8")
    readme = qbank("validate", "README.md", cwd=new_bank, check=2)
    assert "README.md: qbank validate checks a bank folder or its YAML files" in readme.stderr
    assert readme.stdout == ""


def test_usage_errors_exit_2_and_content_errors_exit_1(new_bank: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "x.html")
    for command in (["draw"], ["export", "html", "-o", out]):
        for args in (
            ["--quiz", "final"],
            ["--topic", "7"],
            ["--ids", "no-such-question"],
            ["--tag", "nope"],
            ["--ids", ",,,"],  # no id at all: not "the whole bank"
            ["--tag", ","],
            ["--no-such-option"],
        ):
            done = qbank(*command, *args, cwd=new_bank, check=2)
            assert done.stderr.startswith(("qbank: error:", "Usage:")), done.stderr
    # a quiz file in the bank that asks for too many questions is a content error: exit 1
    (new_bank / "quizzes/big.yaml").write_text(
        'title: Big\nsections:\n  - topic: "1.2"\n    count: 50\n', encoding="utf-8"
    )
    big = qbank("draw", "--quiz", "big", cwd=new_bank, check=1)
    assert big.stderr.startswith("qbank: quizzes/big.yaml:4:12:")
    assert not Path(out).exists()


def test_pull_request_mode_says_so_in_its_summary(new_bank: Path) -> None:
    git = require_tool("git")
    env = _env()
    env.update(
        GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
        GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org",
    )  # fmt: skip
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "bank"]):
        subprocess.run([git, *args], cwd=new_bank, env=env, check=True, capture_output=True)
    (new_bank / "questions/extra.yaml").write_text(
        "id: extra\ntype: truefalse\ntext: A new question about subnets.\nanswer: true\n"
        "explanation: Added in this pull request.\n",
        encoding="utf-8",
    )
    done = qbank("validate", "--changed-since", "HEAD", cwd=new_bank)
    assert done.stdout.strip() == (
        "All checks passed. Checked 10 questions (pull-request mode: compared 1 changed "
        "question with 10; findings of the other 9 not shown: --all-findings shows them)."
    )
