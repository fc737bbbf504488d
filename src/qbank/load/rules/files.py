"""QB0xx — YAML and files. Reported by :mod:`qbank.load` while reading; documented here.

QB012 (control characters in values) is checked here, after loading."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from qbank.diagnostics import Location, Problem, Rule, Severity, problem, register

if TYPE_CHECKING:
    from qbank.validate.engine import Context

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


register(
    Rule(
        "QB012",
        "control-character",
        E,
        "Text holds a control character (other than tab and line break), a non-character such "
        "as U+FFFE, or a lone surrogate.",
        rationale='YAML escapes (`"\\x1f"`, `"\\u0001"`) let such characters into a '
        "value although no editor shows them. They break targets silently: U+001F is Anki's "
        "field separator (one makes the whole package unimportable) and Word files cannot hold "
        "`\\x01`, `\\x0b`, `\\0` or U+FFFE. The message gives the character and its position "
        "in the value; delete it.",
        failing='id: bell\ntype: truefalse\ntext: "Ring the bell\\x07 now."\nanswer: true\n',
        passing="id: bell\ntype: truefalse\ntext: Ring the bell now.\nanswer: true\n",
    )
)

#: C0 controls except tab and line feed, DEL, C1 controls, non-characters, lone surrogates
CONTROL_RE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff"
    "\U0001fffe\U0001ffff\U0010fffe\U0010ffff]"
)

FAMILY = "QB0"


def _strings(
    value: Any, path: tuple[int | str, ...]
) -> Iterator[tuple[tuple[int | str, ...], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str) and CONTROL_RE.search(k):
                yield path, k
            yield from _strings(v, (*path, k))
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from _strings(v, (*path, i))


def control_characters(owner: Any, data: Any, question_id: str | None) -> Iterator[Problem]:
    """QB012 for every string in ``data`` (a model dump) holding a forbidden character."""
    for path, text in _strings(data, ()):
        m = CONTROL_RE.search(text)
        if m is None:
            continue
        where = ".".join(map(str, path)) or "value"
        count = len(CONTROL_RE.findall(text))
        more = f" (and {count - 1} more)" if count > 1 else ""
        yield problem(
            "QB012",
            f"control character U+{ord(m.group()):04X} at character {m.start() + 1} of "
            f"`{where}`{more}",
            owner.loc(*path),
            hint="delete it (it is invisible in most editors; look for a \\x.. or \\u.. "
            "escape in a double-quoted value)",
            question_id=question_id,
            fingerprint=f"QB012:{question_id or ''}:{where}",
        )


def check(ctx: Context) -> Iterator[Problem]:
    """QB012 over every question, quiz and the manifest (the loader reports the others)."""
    for q in ctx.bank.questions:
        yield from control_characters(q, q.model_dump(mode="python", exclude_none=True), q.id)
    for quiz in ctx.bank.quizzes.values():
        yield from control_characters(quiz, quiz.model_dump(mode="python", exclude_none=True), None)
    manifest = ctx.bank.manifest
    if manifest is not None:
        yield from control_characters(
            _ManifestOwner(ctx), manifest.model_dump(mode="python", exclude_none=True), None
        )


class _ManifestOwner:
    def __init__(self, ctx: Context) -> None:
        self.src = ctx.bank.files.get("qbank.yaml")

    def loc(self, *path: int | str) -> Location:
        if self.src is None:
            return Location("qbank.yaml")
        return self.src.location(path)
