"""What a finding costs after a rule reports it — locating it in its YAML, the engine's sort,
the JSON report's dicts, the summary's counts — gives what the plain definitions give.

Each fast path is compared with the definition it replaces, written out here (or kept in
the module) as the reference: on every node and on made-up paths of the real-length
benchmark bank (``bench/realtext_synth.py``), the labelled real-style fixture and the
sample bank, on every finding they have, and on hand-made edge cases.
"""

from __future__ import annotations

import bisect
import json
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qbank.diagnostics import Location, Problem, Related, Severity
from qbank.load import Bank, load_bank
from qbank.source import SourceFile, line_starts
from qbank.validate import engine
from qbank.validate.reporters import ReportContext, rule_counts

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def banks(tmp_path_factory: pytest.TempPathFactory) -> list[Bank]:
    """A 300-question real-length bank (seed 0), the labelled real-style fixture, the sample
    bank, and a small bank of odd YAML (flow style, non-ASCII text, a comment that
    suppresses, a question that fails the schema)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import realtext_synth

    real = realtext_synth.write_bank(tmp_path_factory.mktemp("real"), 300, 6, seed=0)
    odd = tmp_path_factory.mktemp("odd")
    (odd / "qbank.yaml").write_text("id: odd\ntitle: Odd\n", encoding="utf-8")
    (odd / "q.yaml").write_text(
        "questions:\n"
        "  - {id: f1, type: single, text: 'Wh\u00e9re?', options: [a, {text: b, correct: true}]}\n"
        "  # qbank: disable=QB401\n"
        "  - id: f2\n"
        "    type: single\n"
        "    text: |\n"
        "      \u00e9\u00e9 line one\n"
        "      line two \u2028 with a separator above ![x](missing.png)\n"
        "    options:\n"
        "      - a\n"
        "      - text: b\n"
        "        correct: true\n"
        "  - id: f3\n"
        "    type: single\n"
        "    text: no options\n",
        encoding="utf-8",
    )
    return [
        load_bank(real),
        load_bank(ROOT / "tests" / "fixtures" / "dedup-real-style"),
        load_bank(ROOT / "bank"),
        load_bank(odd),
    ]


def _report(bank: Bank) -> list[Problem]:
    return engine.validate(bank, engine.Options(workers=1)).problems


# -- SourceFile.offset_to_location: counted newlines against the line table ---------------------


def _offset_reference(text: str, rel: str, offset: int) -> Location:
    """The line table and its bisection, as ``offset_to_location`` had them."""
    starts = line_starts(text)
    line = bisect.bisect_right(starts, offset) - 1
    return Location(rel, line + 1, offset - starts[line] + 1)


@pytest.mark.parametrize("text", ["", "\n", "a", "a\n", "a\nb", "\n\nx\r\ny\n", "é\n\u2028z\n"])
def test_line_starts(text: str) -> None:
    assert line_starts(text) == [0] + [m.end() for m in re.finditer("\n", text)]


def _orders(n: int, rng: random.Random) -> Iterator[list[int]]:
    """Offsets 0..n (and past the end, and before the start) in increasing, decreasing and
    random order, and random pairs close together (a word's start and end)."""
    every = list(range(-2, n + 3))
    yield every
    yield every[::-1]
    shuffled = every[:]
    rng.shuffle(shuffled)
    yield shuffled
    pairs = []
    for _ in range(50):
        a = rng.randint(0, max(n, 0))
        pairs += [a, min(a + rng.randint(0, 9), n)]
    yield pairs


@pytest.mark.parametrize(
    "text", ["", "\n", "a", "a\n", "a\nb", "\n\nx\r\ny\n", "é\n\u2028z\n", "ab\n\n\ncd\nef"]
)
def test_offset_to_location_is_the_table_s(text: str) -> None:
    rng = random.Random(3)
    for order in _orders(len(text), rng):
        src = SourceFile(path=Path("x.yaml"), rel="x.yaml", text=text)
        for offset in order:
            assert src.offset_to_location(offset) == _offset_reference(text, "x.yaml", offset)


def test_offset_to_location_counts_a_file_about_once_per_pass() -> None:
    """Increasing passes (one per rule family) count about the text once each, using the
    offsets worked out before; an order that would count much more (from the end down)
    switches to the line table, and every answer stays the table's."""
    rng = random.Random(9)
    text = "".join(f"line {i}: " + "x" * rng.randint(0, 120) + "\n" for i in range(3000))
    offsets = sorted(rng.sample(range(len(text) + 1), 2000))
    src = SourceFile(path=Path("x.yaml"), rel="x.yaml", text=text)
    for _ in range(3):  # three families, each in file order, each asking a part
        part = sorted(rng.sample(offsets, 700))
        for offset in part:
            assert src.offset_to_location(offset) == _offset_reference(text, "x.yaml", offset)
    index = src._known_offsets
    assert index is not None and index.starts is None and index.counted <= 3 * len(text)
    for offset in offsets[::-1]:  # the offsets worked out are close: counted from them
        assert src.offset_to_location(offset) == _offset_reference(text, "x.yaml", offset)
    assert index.starts is None and index.counted <= 4 * len(text)
    fresh = SourceFile(path=Path("x.yaml"), rel="x.yaml", text=text)
    for offset in offsets[::-1]:  # from the end down, nothing known below: the table
        assert fresh.offset_to_location(offset) == _offset_reference(text, "x.yaml", offset)
    assert fresh._known_offsets is not None
    assert fresh._known_offsets.starts == line_starts(text)


def test_offset_to_location_follows_a_new_text() -> None:
    src = SourceFile(path=Path("x.yaml"), rel="x.yaml", text="a\nb\nc\n")
    assert src.offset_to_location(4) == Location("x.yaml", 3, 1)
    src.text = "abcdef\n"
    assert src.offset_to_location(4) == Location("x.yaml", 1, 5)


def test_offset_to_location_on_bench_files(banks: list[Bank]) -> None:
    rng = random.Random(5)
    checked = 0
    for bank in banks:
        for src in bank.files.values():
            text = src.text
            fresh = SourceFile(path=src.path, rel=src.rel, text=text)
            offsets = sorted(rng.sample(range(len(text) + 1), min(200, len(text) + 1)))
            # two passes from the start, as two rule families ask, then any order
            for offset in [*offsets, *offsets, *rng.sample(offsets, len(offsets))]:
                got = fresh.offset_to_location(offset)
                assert got == _offset_reference(text, src.rel, offset)
                checked += 1
    assert checked > 20_000


# -- SourceFile.location ---------------------------------------------------------------------


def test_location_of_a_file_that_did_not_compose() -> None:
    src = SourceFile(path=Path("x.yaml"), rel="x.yaml", text="a: [")
    assert src.location(("a",), key=True) == Location("x.yaml", 1, 1)
    assert src.location(()) == Location("x.yaml", 1, 1)


# -- the engine: sort and suppressions ---------------------------------------------------------


def _hand_made() -> list[Problem]:
    problems = [
        Problem(rule, severity, message, Location(file, line, col), question_id=qid)
        for rule in ("QB401", "QB201", "QB999")
        for severity in (Severity.WARNING, Severity.ERROR)
        for message in ("b", "a 12", "a 13")
        for file, line, col in (("b.yaml", 2, 1), ("a.yaml", 10, 2), ("a.yaml", 1, 1))
        for qid in (None, "q1")
    ]
    problems.append(
        Problem(
            "QB301",
            Severity.ERROR,
            "near-duplicate",
            Location("a.yaml", 3, 1, 4, 2),
            related=(Related(Location("c.yaml", 7, 3), "other"),),
            fingerprint="QB301:q1:q2",
            data={"score": 91.5, "words": ("a", "b"), "ids": {"z", "y"}},
        )
    )
    return problems


def test_sort_report_is_report_order(banks: list[Bank]) -> None:
    rng = random.Random(11)
    lists = [_hand_made(), [], [p for p in _hand_made() if p.severity is Severity.WARNING]]
    lists.append([p for p in _hand_made() if p.severity is Severity.ERROR])
    lists += [_report(bank) for bank in banks]
    for problems in lists:
        for _ in range(3):
            shuffled = problems[:]
            rng.shuffle(shuffled)
            expected = sorted(shuffled, key=engine.report_order)
            got = engine.sort_report(shuffled[:])
            # the same objects in the same order: ties keep the order they came in
            assert [id(p) for p in got] == [id(p) for p in expected]


def test_a_bank_without_comments_builds_no_question_spans(banks: list[Bank]) -> None:
    """Without a ``disable`` comment the suppressor skips its loop over the questions: what
    the loop finds is never read then (``apply_config`` asks nothing)."""
    real = banks[0]
    assert not any(src.suppressions for src in real.files.values())
    suppressor = engine._Suppressor(real)
    assert not suppressor.has_comments and not suppressor.spans
    config = engine.load_config(real, engine.Options())
    problems = _report(real)
    assert engine.apply_config(problems, config, suppressor) == problems
    assert engine.unused_suppressions(real, config, suppressor, engine.Options()) == []
    odd = banks[3]
    assert engine._Suppressor(odd).spans  # the odd bank has a comment: spans are built
    assert not any(p.rule == "QB401" and p.question_id == "f2" for p in _report(odd))


# -- the report: counts and the JSON dicts -------------------------------------------------------


def test_counts_are_the_loops(banks: list[Bank]) -> None:
    from collections import Counter

    plain = _hand_made()
    # a severity given as text is equal to the member, never the member itself: not counted
    plain.append(Problem("QB401", "warning", "x", Location("a.yaml")))  # type: ignore[arg-type]
    for problems in [plain, []] + [_report(bank) for bank in banks]:
        ctx = ReportContext(problems, banks[2], checked=0)
        assert ctx.errors == sum(1 for p in problems if p.severity is Severity.ERROR)
        assert ctx.warnings == sum(1 for p in problems if p.severity is Severity.WARNING)
        assert list(rule_counts(problems).items()) == list(
            Counter(p.rule for p in problems).items()
        )


def _where(ctx: ReportContext, loc: Location) -> dict[str, Any]:
    return {
        "file": ctx.path(loc.file),
        "path": loc.file,
        "line": loc.line,
        "column": loc.col,
        "end_line": loc.end_line,
        "end_column": loc.end_col,
    }


def problem_dict(ctx: ReportContext, p: Problem) -> dict[str, Any]:
    """A finding as the JSON report has it, written plainly (the reference)."""
    from qbank.validate.reporters.json_format import _rule_fields, fingerprint, jsonable

    name, url = _rule_fields(p.rule)
    return {
        "rule": p.rule,
        "name": name,
        "severity": str(p.severity),
        "message": p.message,
        "hint": p.hint,
        **_where(ctx, p.location),
        "question_id": p.question_id,
        "fingerprint": fingerprint(p),
        "url": url,
        "related": [{**_where(ctx, r.location), "message": r.message} for r in p.related],
        "data": jsonable(p.data),
    }


def test_problem_dicts_are_problem_dict_s(banks: list[Bank]) -> None:
    from qbank.validate.reporters.json_format import problem_dicts

    checked = 0
    for bank in banks:
        for problems in (_report(bank), _hand_made()):
            ctx = ReportContext(problems, bank, checked=0)
            got = problem_dicts(ctx, problems)
            assert got == [problem_dict(ctx, p) for p in problems]
            # the same keys in the same order, at every level: the JSON is written in dict order
            assert json.dumps(got) == json.dumps([problem_dict(ctx, p) for p in problems])
            checked += len(problems)
    assert checked > 1_000


def _tally_reference(problems: list[Problem]) -> list[tuple[str, str, int, str, int]]:
    """The tally as its loops had it: a set of severities per finding, ``fixable`` asked of
    every finding."""
    from collections import Counter

    from qbank.diagnostics import RULES, fixable

    counts = Counter(p.rule for p in problems)
    fixes = Counter(p.rule for p in problems if fixable(p))
    levels: dict[str, set[str]] = {}
    for p in problems:
        levels.setdefault(p.rule, set()).add(str(p.severity))
    rows = []
    for rule_id, n in counts.items():
        rule = RULES.get(rule_id)
        seen = levels[rule_id]
        level = "/".join(sorted(seen)) if len(seen) > 1 else next(iter(seen))
        rows.append((rule_id, rule.name if rule else "", n, level, fixes[rule_id]))
    rows.sort(key=lambda r: (-r[2], r[0]))
    return rows


def test_tally_is_the_loops(banks: list[Bank]) -> None:
    from qbank.validate.reporters import tally

    tabs = [
        Problem("QB001", Severity.ERROR, message, Location("a.yaml", line))
        for line, message in enumerate(["tab character in indentation", "other", "tab character"])
    ]
    plain = [*_hand_made(), *tabs]
    for problems in [plain, tabs, []] + [_report(bank) for bank in banks]:
        rows = [(r.rule, r.name, r.count, r.severity, r.fixable) for r in tally(problems)]
        assert rows == _tally_reference(problems)
    assert [(r.count, r.fixable) for r in tally(tabs)] == [(3, 2)]  # two of them "tab character…"


def test_exit_code_is_the_lists(banks: list[Bank]) -> None:
    made = _hand_made()
    lists = [made, [], [p for p in made if p.severity is Severity.WARNING]]
    lists += [[p for p in made if p.severity is Severity.ERROR]] + [_report(b) for b in banks]
    for problems in lists:
        report = engine.Report(problems)
        for strict in (False, True):
            for exit_zero in (False, True):
                expected = (
                    0 if exit_zero else int(bool(report.errors or (strict and report.warnings)))
                )
                assert report.exit_code(strict=strict, exit_zero=exit_zero) == expected


# -- the full format's code frames ---------------------------------------------------------------


def _frame_reference(ctx: ReportContext, p: Problem) -> list[str]:
    """The code frame as it was written: ``window`` and ``clip`` called for every line."""
    from qbank.validate.reporters.full_format import FRAME_WIDTH, clip, window

    src = ctx.bank.files.get(p.location.file)
    if src is None or not src.text:
        return []
    lines = src.lines
    loc = p.location
    if not 1 <= loc.line <= len(lines):
        return []
    first = max(1, loc.line - 1)
    width = len(str(loc.line))
    target = lines[loc.line - 1].expandtabs(1)
    start = window(target, loc.col)
    out = [f"{' ' * width} |"]
    lead = 0
    for n in range(first, loc.line + 1):
        text = lines[n - 1].expandtabs(1)
        shown, moved = clip(text, start if len(text) > start else 0)
        if n == loc.line:
            lead = moved
        out.append(f"{n:>{width}} | {shown}".rstrip())
    if loc.end_line == loc.line and loc.end_col and loc.end_col > loc.col:
        span = loc.end_col - loc.col
    else:
        rest = target[loc.col - 1 :]
        span = max(1, len(rest.rstrip()))
    offset = loc.col - 1 - start
    room = max(1, FRAME_WIDTH - offset)
    out.append(f"{' ' * width} | {' ' * (offset + lead)}{'^' * min(span, room, 80)}")
    return out


def test_frames_are_the_plain_ones(banks: list[Bank]) -> None:
    from qbank.validate.reporters.full_format import frame

    rng = random.Random(13)
    pieces = ["a", "word ", "\t", "  ", "é", "\u3000", "x" * 60, "y" * 130]
    text = "\n".join(
        "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))) for _ in range(60)
    )
    # lines about the frame's width (120), with and without a tab, at lines 61-70
    text += "".join(f"\n{'z' * n}" for n in (119, 120, 121, 122, 160))
    text += "".join(f"\n\t{'z' * n}" for n in (118, 119, 120, 121, 160))
    made = SourceFile(path=Path("m.yaml"), rel="m.yaml", text=text)
    empty = SourceFile(path=Path("e.yaml"), rel="e.yaml", text="")
    odd = Bank(
        root=Path("bank"),
        manifest=None,
        questions=[],
        quizzes={},
        files={"m.yaml": made, "e.yaml": empty},
        problems=[],
    )
    places = [
        Location(rel, line, col, end_line, end_col)
        for rel in ("m.yaml", "e.yaml", "gone.yaml")
        for line in (1, 2, 7, 30, 60, *range(61, 72), 0)
        for col in (1, 2, 39, 41, 100, 131, 250, 400)
        for end_line, end_col in ((None, None), (line, col + 3), (line, col), (line + 1, 2))
    ]
    cases = [(odd, [Problem("QB401", Severity.WARNING, "m", where) for where in places])]
    cases += [(bank, _report(bank)) for bank in banks]
    checked = 0
    for bank, problems in cases:
        ctx = ReportContext(problems, bank, checked=0)
        for p in problems:
            assert frame(ctx, p) == _frame_reference(ctx, p), p.location
            checked += 1
    assert checked > 1_500
