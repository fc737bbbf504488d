"""QB0xx — YAML and files. Reported by :mod:`qbank.load` while reading; documented here.

QB012 (control characters in values) is checked after loading: validate/rules/characters."""

from __future__ import annotations

from qbank.diagnostics import Rule, Severity, register

E, W = Severity.ERROR, Severity.WARNING

_OK = """\
id: sg-allow-only
type: truefalse
text: Security group rules can only allow traffic.
answer: true
"""

register(
    Rule(
        "QB001",
        "yaml-syntax",
        E,
        "The file is not valid YAML (including tabs used for indentation).",
        rationale="A file that does not parse cannot be checked or exported; the position "
        "given is where the parser gave up, the mistake is often on the line above.",
        failing="id: sg-allow-only\ntype: truefalse\n\ttext: Security group rules can only allow.\n",
        passing=_OK,
        fix="replaces tabs in the indentation with spaces (other syntax errors need a person)",
        fix_when="tab character",
    )
)
register(
    Rule(
        "QB002",
        "duplicate-key",
        E,
        "A key appears twice in one mapping.",
        rationale="YAML parsers silently keep one of the two values (PyYAML the last), so an "
        "author's correction can vanish. Both lines are reported.",
        failing=_OK + "answer: false\n",
        passing=_OK,
    )
)
register(
    Rule(
        "QB003",
        "implicit-type",
        W,
        "A plain value that qbank keeps as text is retyped by YAML 1.1 tools (`no`, `0.10`, dates).",
        rationale="qbank reads every value as the text typed, so `no` stays `no`. Other YAML "
        "tools (PyYAML, many editors) read `no` as false, `0.10` as 0.1 and `010` as 8. Quoting "
        "makes the file mean the same everywhere.",
        failing="id: country-code\ntype: short\ntext: What is Norway's country code?\n"
        "answers: [no]\nexplanation: ISO 3166 code.\n",
        passing="id: country-code\ntype: short\ntext: What is Norway's country code?\n"
        'answers: ["no"]\nexplanation: ISO 3166 code.\n',
        fix="quotes the value (in double quotes; in single quotes when it holds a backslash "
        "or a double quote)",
    )
)
register(
    Rule(
        "QB004",
        "yaml-alias",
        E,
        "Anchors (`&a`), aliases (`*a`) and merge keys (`<<`) are not allowed.",
        rationale="Aliases hide content from reviewers and let a small file expand without "
        "bound (the 'billion laughs' attack on any tool that reads the bank).",
        failing="id: a\ntype: short\ntext: &t What is IAM?\nanswers: [*t]\n",
        passing="id: a\ntype: short\ntext: What does IAM stand for?\n"
        "answers: [Identity and Access Management]\n",
    )
)
register(
    Rule(
        "QB005",
        "encoding",
        E,
        "The file is not UTF-8 text (undecodable bytes, or binary content).",
        rationale="Question text must be the same for every reader; guessing an encoding "
        "corrupts accents and symbols. Re-save the file as UTF-8.",
    )
)
register(
    Rule(
        "QB006",
        "empty-file",
        E,
        "A YAML file in the bank holds no question.",
        rationale="An empty file is usually a mistake (a failed save or a forgotten draft).",
        failing="# nothing here yet\n",
        passing=_OK,
    )
)
register(
    Rule(
        "QB007",
        "file-too-large",
        E,
        "A file is larger than the loader accepts (8 MiB).",
        rationale="Bounded input keeps validation fast and safe in CI; split big files.",
    )
)
register(
    Rule(
        "QB008",
        "unquoted-cloze",
        E,
        "A value starting with `{{` was read by YAML as a mapping instead of text.",
        rationale="`text: {{NAT}} gateway` is YAML flow-mapping syntax. Quote the value or use "
        "a block scalar (`text: >-`).",
        failing="id: nat\ntype: cloze\ntext: {{NAT Gateway}} improves security.\n",
        passing='id: nat\ntype: cloze\ntext: "{{NAT Gateway}} improves security."\n',
        fix="quotes a one-line value in single quotes and turns a value that continues on "
        "the next lines into a folded block scalar (`>-`)",
    )
)
register(
    Rule(
        "QB009",
        "missing-manifest",
        E,
        "The bank folder has no `qbank.yaml` manifest.",
        rationale="The manifest holds the bank id every export derives stable identifiers from.",
    )
)

register(
    Rule(
        "QB011",
        "unsafe-file",
        E,
        "A bank entry is not a regular file inside the bank: a symlink leaving the bank, a "
        "FIFO, a device, a socket, or a folder symlink.",
        rationale="A pull request can add a link to `/dev/zero`, a FIFO or a secret outside "
        "the bank; reading it would exhaust memory, hang CI for ever or print the secret in a "
        "code frame and export it. qbank reads only regular files whose real path is inside "
        "the bank (a symlink to such a file is fine), never more than the size limit, and "
        "does not follow folder symlinks (they could loop or leave the bank): move the files "
        "into the bank instead.",
    )
)

_SUPPRESSED = """\
# qbank: disable=QB401
id: sg-allow-only
type: truefalse
text: Security group rules can only allow traffic.
answer: true
"""

register(
    Rule(
        "QB010",
        "unused-suppression",
        W,
        "A `# qbank: disable=…` comment silences nothing (or names no known rule).",
        rationale="A stale suppression hides the next real problem of that kind on the "
        "question. Remove it once the question is fixed. Not reported when the rule did not run "
        "(turned off in `lint`, or duplicates checked for changed questions only).",
        failing=_SUPPRESSED + "explanation: Anything not allowed is denied.\n",
        passing=_SUPPRESSED,
    )
)
