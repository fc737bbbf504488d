"""Fuzz: hostile banks built from the ingredients of issue 17 never crash, stall or bloat qbank.

Hypothesis assembles a bank from the issue's hostile ingredients — runs of every markup,
cloze and maths delimiter, text Anki would interpret, control characters, huge numbers,
HTML in tags and topic titles, blanks inside URLs, near-identical copies with a low dedup
threshold, and file-system traps (a symlink to /dev/zero, /proc/self/fd/0 or a secret
outside the bank, a FIFO question file or image, a folder symlink) — then runs ``validate``
and an export on it in a subprocess limited to 1 GiB of address space.

Every run must exit 0, 1 or 2 with no traceback and no "internal error" (those are for
bugs), within 10 seconds. ``QBANK_FUZZ_EXAMPLES`` raises the number of banks tried
(default 12; the examples are derandomised so CI runs the same banks every time).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import ROOT

TIME_LIMIT = 10.0
MEMORY_LIMIT = 1 << 30
EXAMPLES = int(os.environ.get("QBANK_FUZZ_EXAMPLES", "12"))

DELIMITERS = [
    "\\(", "\\)", "\\[", "\\]", "\\[\n", "$", "$$", "{{", "}}", "{{a|", "|", "\\{{", "*", "_",
    "`", "```\n", "[", "](", "![", "![](", "<", "<!--", "<?", "<![CDATA[", "&", "\\", "~~",
    "#", "\n", "\n\n", "\n> ", "\n- ", "{{c1::", "[sound:", "::",
]  # fmt: skip
ANKI_TEXT = [
    "{{c1::x}}", "\\{{c2::x}}", "qbankcloze0x", "[sound:x.mp3]", "[latex]x[/latex]",
    "[$]x[/$]", "[$$]x[/$$]", "{{Front}}", "{{Tags}}",
]  # fmt: skip
CONTROL = ["\x00", "\x01", "\x07", "\x0b", "\x1f", "\x7f", "\x85", "\ufffe", "\uffff"]
NUMBERS = [
    "1e99999999", "1e999999", "-1e-99999999", "1" + "0" * 5000, "0." + "0" * 5000 + "1",
    "NaN", "Infinity", "-0", "12", "3.5", "1e300",
]  # fmt: skip
HTML = ["<b>x</b>", "<script>alert(1)</script>", "a&amp;b", "\"'><img src=x onerror=1>"]

delimiter_runs = st.builds(
    lambda d, n: d * n,
    st.sampled_from(DELIMITERS),
    st.sampled_from([1, 10, 1000, 20_000, 100_000]),
)
words = st.text(alphabet="abcdefghij klmnop", min_size=1, max_size=60)
hostile_text = st.one_of(
    words,
    delimiter_runs,
    st.sampled_from(ANKI_TEXT),
    st.builds(lambda w, c: w + c + w, words, st.sampled_from(CONTROL)),
    st.builds(lambda s: "x " * s, st.sampled_from([10, 200_000])),  # a long stem
    st.sampled_from(HTML),
)


@dataclass
class Recipe:
    texts: list[str]
    cloze: list[str]
    numbers: list[tuple[str, str]]
    tags: list[str]
    topic_title: str
    copies: int
    threshold: int
    traps: list[str]
    command: str
    skip_invalid: bool
    extra: dict[str, object] = field(default_factory=dict)


recipes = st.builds(
    Recipe,
    texts=st.lists(hostile_text, min_size=1, max_size=4),
    cloze=st.lists(
        st.sampled_from(
            [
                "Go to [the docs](https://x.example/{{path}}) now {{a}}.",
                "An image ![{{alt}}](media/i.png) and {{b}}.",
                "Plain {{one}} and {{two|2}}.",
                "<a href='{{x}}'>link</a> {{y}}",
                "Maths \\( x^{{2}} \\) {{z}}",
            ]
        ),
        max_size=2,
    ),
    numbers=st.lists(st.tuples(st.sampled_from(NUMBERS), st.sampled_from(NUMBERS)), max_size=2),
    tags=st.lists(st.sampled_from([*HTML, "ok-tag", "a::b"]), max_size=3),
    topic_title=st.one_of(st.sampled_from(HTML), words),
    copies=st.sampled_from([0, 2, 300]),
    threshold=st.sampled_from([1, 50, 85]),
    traps=st.lists(
        st.sampled_from(
            ["dev-zero", "proc-stdin", "fifo-yaml", "outside", "folder-link", "fifo-image"]
        ),
        unique=True,
        max_size=3,
    ),
    command=st.sampled_from(["json", "html", "anki", "docx", "surveyjs"]),
    skip_invalid=st.booleans(),
)


def q(qid: str, **fields: object) -> dict[str, object]:
    return {"id": qid, "topic": "1", **fields}


def build_bank(root: Path, r: Recipe, outside: Path) -> None:
    root.mkdir(parents=True)
    manifest = {
        "id": "fuzz",
        "title": "Fuzz",
        "topics": {"1": r.topic_title},
        "dedup": {"threshold": r.threshold},
    }
    (root / "qbank.yaml").write_text(json.dumps(manifest))
    questions: list[dict[str, object]] = []
    for i, text in enumerate(r.texts):
        questions.append(
            q(
                f"t{i}",
                type="single",
                text=text,
                tags=r.tags,
                options=[{"text": text[:50] or "a", "correct": True}, "other", "third"],
            )
        )
        questions.append(q(f"tf{i}", type="truefalse", text=text, answer=True))
    for i, text in enumerate(r.cloze):
        questions.append(q(f"c{i}", type="cloze", text=text))
    for i, (answer, tol) in enumerate(r.numbers):
        questions.append(q(f"n{i}", type="numeric", text="How many?", answer=answer, tolerance=tol))
    for i in range(r.copies):
        questions.append(
            q(
                f"copy{i}",
                type="truefalse",
                text=f"Is bucket {i} of the lake encrypted?",
                answer=True,
            )
        )
    (root / "q.yaml").write_text(json.dumps({"questions": questions}))
    media = root / "media"
    media.mkdir()
    for trap in r.traps:
        if trap == "dev-zero":
            (root / "zero.yaml").symlink_to("/dev/zero")
        elif trap == "proc-stdin":
            (root / "stdin.yaml").symlink_to("/proc/self/fd/0")
        elif trap == "fifo-yaml":
            os.mkfifo(root / "fifo.yaml")
        elif trap == "outside":
            (root / "secret.yaml").symlink_to(outside)
        elif trap == "folder-link":
            (root / "linked").symlink_to(root.parent / "elsewhere", target_is_directory=True)
        elif trap == "fifo-image":
            os.mkfifo(media / "p.png")
            (root / "img.yaml").write_text(
                json.dumps(q("img", type="truefalse", text="![p](media/p.png)", answer=True))
            )


SUFFIX = {"json": ".json", "html": ".html", "anki": ".apkg", "docx": ".docx", "surveyjs": ".json"}


def run(args: list[str], cwd: Path) -> tuple[int, str, float, int]:
    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "SOURCE_DATE_EPOCH": "1700000000"}
    env.pop("QBANK_DEBUG", None)
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "qbank", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=TIME_LIMIT * 3,
            preexec_fn=limits,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"qbank {' '.join(args)} ran over {TIME_LIMIT * 3} s")
    elapsed = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return proc.returncode, proc.stderr.decode("utf-8", "replace"), elapsed, rss


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[
        Phase.explicit,
        Phase.reuse,
        Phase.generate,
    ],  # no shrinking: a failure is reported as found
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(recipe=recipes)
def test_hostile_bank_never_crashes_stalls_or_bloats(
    tmp_path_factory: pytest.TempPathFactory, recipe: Recipe
) -> None:
    base = tmp_path_factory.mktemp("fuzz")
    outside = base / "outside-secret.txt"
    outside.write_text("AWS_SECRET_ACCESS_KEY=do-not-print-me\n")
    (base / "elsewhere").mkdir()
    (base / "elsewhere" / "more.yaml").write_text(
        '{"id": "far", "type": "truefalse", "text": "x", "answer": true}'
    )
    root = base / "bank"
    build_bank(root, recipe, outside)
    out = base / f"out{SUFFIX[recipe.command]}"
    export = ["export", recipe.command, str(root), "-o", str(out)]
    if recipe.skip_invalid:
        export.append("--skip-invalid")
    for args in (["validate", str(root), "-f", "concise"], export):
        code, stderr, elapsed, _ = run(args, base)
        assert code in (0, 1, 2), (args, code, stderr[-2000:])
        assert "Traceback" not in stderr, stderr[-2000:]
        assert "internal error" not in stderr, stderr[-2000:]
        assert "do-not-print-me" not in stderr
        assert elapsed < TIME_LIMIT, (args, elapsed)
    _, _, _, rss = run(["validate", str(root), "-f", "json"], base)
    assert rss < MEMORY_LIMIT
    if out.exists():
        assert b"do-not-print-me" not in out.read_bytes()
