"""The per-question rules' fast paths (issue 12) give what the definitions they replace give.

Each shortcut is compared with the plain computation, written out here as the reference, on
generated texts built from the characters that decide the outcome (every kind of white
space, the words the patterns look for in any case, markup characters) and on every
question of a real-length benchmark bank (``bench/realtext_synth.py``).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
import sys
from pathlib import Path

import pytest

from qbank.diagnostics import Location, Problem, Related, Severity, problem
from qbank.load import load_text
from qbank.markup import to_text
from qbank.model import AnyQuestion, Multi, Single
from qbank.validate.rules import answers, media, style

ROOT = Path(__file__).resolve().parents[1]

#: white space of every kind (`str.split` splits at each), markup, the words QB402/QB404 want
PIECES = [
    "a",
    "word",
    "Which",
    "not",
    "NOT",
    "except",
    "above",
    "ABOVE",
    "below",
    "all of the",
    "None of the",
    "both",
    "12",
    "3.",
    ".",
    "?",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\t",
    "\x0b",
    "\x1c",
    "\x85",
    "\xa0",
    "\u2028",
    "\u3000",
    "é",
    "İ",  # lowers to two characters
    "Σ",  # lowers by context (final sigma)
    "K",  # KELVIN SIGN: matches k under IGNORECASE
    "*",
    "[x]",
    "<b>",
    "&amp;",
    "\\(",
    "![i](m.png)",
]


def generated_texts(n: int, seed: int, longest: int = 30) -> list[str]:
    rng = random.Random(seed)
    texts = ["", " ", "a", "a b", " a", "a ", "a  b"]
    for _ in range(n):
        texts.append("".join(rng.choice(PIECES) for _ in range(rng.randint(1, longest))))
    return texts


def _question(text: str, options: list[str], key: int = 0, qtype: str = "single") -> AnyQuestion:
    """A question loaded from YAML (the texts as given; options start with a letter, so
    that none is blank)."""
    opts = "".join(
        f"  - text: {json.dumps(o)}\n" + ("    correct: true\n" if i == key else "")
        for i, o in enumerate(options)
    )
    loaded, problems = load_text(
        f"id: q\ntype: {qtype}\ntext: {json.dumps(text)}\noptions:\n{opts}"
    )
    assert len(loaded) == 1, (text, options, problems)
    (q,) = loaded
    assert q.text == text and [o.text for o in q.options] == options, problems
    return q


@pytest.fixture(scope="module")
def bench_questions(tmp_path_factory: pytest.TempPathFactory) -> list[AnyQuestion]:
    """Every question of a 300-question real-length bank (seed 0)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import realtext_synth
    from qbank.load import load_bank

    root = tmp_path_factory.mktemp("real")
    bank = load_bank(realtext_synth.write_bank(root, 300, 6, seed=0))
    assert len(bank.questions) == 300
    return list(bank.questions)


# -- diagnostics: building problems and locations -------------------------------------------


def _reference(cls: type, *args: object, **kwargs: object) -> object:
    """An instance made the way the dataclass-generated ``__init__`` makes it: each field
    set in order with ``object.__setattr__``, defaults (and default factories) filled in."""
    fields = dataclasses.fields(cls)
    values = dict(zip([f.name for f in fields], args, strict=False)) | kwargs
    obj = object.__new__(cls)
    for f in fields:
        if f.name in values:
            value = values[f.name]
        elif f.default is not dataclasses.MISSING:
            value = f.default
        else:
            assert f.default_factory is not dataclasses.MISSING
            value = f.default_factory()
        object.__setattr__(obj, f.name, value)
    return obj


def _order(a: object, b: object) -> str:
    try:
        return f"{a < b} {a <= b}"  # type: ignore[operator]
    except TypeError as exc:  # None against a number: the same for both
        return str(exc)


def test_location_init_is_the_dataclass_one() -> None:
    cases: list[tuple[tuple[object, ...], dict[str, object]]] = [
        (("a.yaml",), {}),
        (("a.yaml", 3), {}),
        (("a.yaml", 3, 4), {}),
        (("a.yaml", 3, 4, 5, 6), {}),
        (("a.yaml",), {"line": 2, "end_col": 9}),
        ((), {"file": "b.yaml", "col": 7, "end_line": 8}),
    ]
    made = []
    for args, kwargs in cases:
        loc = Location(*args, **kwargs)  # type: ignore[arg-type]
        ref = _reference(Location, *args, **kwargs)
        assert vars(loc) == vars(ref) and list(vars(loc)) == list(vars(ref))
        assert loc == ref and hash(loc) == hash(ref) and repr(loc) == repr(ref)
        assert str(loc) == str(ref) and dataclasses.astuple(loc) == dataclasses.astuple(ref)
        made.append((loc, ref))
    for (a, ref_a), (b, ref_b) in itertools.product(made, repeat=2):
        assert _order(a, b) == _order(ref_a, ref_b)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made[0][0].line = 9  # type: ignore[misc]


def test_problem_builds_what_the_dataclass_builds() -> None:
    loc = Location("a.yaml", 2, 3, 2, 9)
    related = (Related(Location("b.yaml", 1), "first"),)
    for hint, qid, rel, fp, sev, data in itertools.product(
        (None, "do this"),
        (None, "q1"),
        ((), related),
        (None, "QB204:q1:x"),
        (None, Severity.ERROR),
        (None, {}, {"score": 91}),
    ):
        p = problem(
            "QB401",
            "no explanation",
            loc,
            hint=hint,
            question_id=qid,
            related=rel,
            fingerprint=fp,
            severity=sev,
            data=data,
        )
        ref = _reference(
            Problem,
            rule="QB401",
            severity=sev or Severity.WARNING,
            message="no explanation",
            location=loc,
            hint=hint,
            question_id=qid,
            related=rel,
            fingerprint=fp,
            data=data or {},
        )
        assert vars(p) == vars(ref) and list(vars(p)) == list(vars(ref))
        assert p == ref and hash(p) == hash(ref) and repr(p) == repr(ref)
        assert p.data is not ref.data or data  # a fresh dict for each finding
        for severity in Severity:
            again = p.with_severity(severity)
            assert again == dataclasses.replace(ref, severity=severity)
            assert vars(again) == vars(dataclasses.replace(ref, severity=severity))
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.message = "x"  # type: ignore[misc]
    with pytest.raises(KeyError):
        problem("QB999", "unknown rule", loc)


def test_problem_init_defaults_are_the_dataclass_ones() -> None:
    """``Problem(...)`` called directly (as the duplicate family does) with its defaults: the
    generated ``__init__``'s fields, and a fresh ``data`` dict per problem."""
    loc = Location("a.yaml", 4)
    a = Problem("QB301", Severity.ERROR, "near-duplicate", loc)
    b = Problem("QB301", Severity.ERROR, "near-duplicate", loc)
    ref = _reference(Problem, "QB301", Severity.ERROR, "near-duplicate", loc)
    assert vars(a) == vars(ref) and list(vars(a)) == list(vars(ref))
    assert a == ref and hash(a) == hash(ref) and repr(a) == repr(ref)
    assert a.data == {} and a.data is not b.data


# -- QB402, QB403, QB404, QB407 --------------------------------------------------------------


def _above_reference(q: Single | Multi) -> list[tuple[int, str]]:
    """QB402's definition: every option the pattern matches (when shuffled)."""
    if not q.shuffle:
        return []
    found = []
    for i, o in enumerate(q.options):
        m = style._ABOVE.search(o.text)
        if m:
            found.append((i, m.group(0)))
    return found


def _longest_reference(q: Single) -> tuple[int, int] | None:
    """QB403's definition: (key length, longest wrong length) when the key is clearly longest."""
    correct = [i for i, o in enumerate(q.options) if o.correct]
    if len(correct) != 1:
        return None
    key = correct[0]
    lengths = [len(" ".join(o.text.split())) for o in q.options]
    longest_wrong = max(lengths[:key] + lengths[key + 1 :])
    if lengths[key] >= style.LONGEST_RATIO * longest_wrong and (
        lengths[key] - longest_wrong >= style.LONGEST_MIN_EXTRA
    ):
        return lengths[key], longest_wrong
    return None


def _negative_reference(text: str) -> tuple[int, str] | None:
    """QB404's definition: the first lower-case NOT/EXCEPT of the asking sentence, searched
    without the whole-text pre-test."""
    offset, sentence = style._question_sentence(text)
    for m in style._NEGATIVE.finditer(sentence):
        word = m.group(0)
        before = sentence[m.start() - 1 : m.start()]
        after = sentence[m.end() : m.end() + 1]
        if word.isupper() or (before in "*_" and before and after == before):
            continue
        return offset + m.start(), word
    return None


def _words_reference(text: str) -> int | None:
    """QB407's definition: the visible words of a text, when more than the limit."""
    words = len(to_text(text).split())
    return words if words > style.STEM_MAX_WORDS else None


def _assert_style_agrees(q: AnyQuestion) -> None:
    if isinstance(q, Single | Multi):
        found = [p for p in style.check_question(q) if p.rule == "QB402"]
        assert [p.message for p in found] == [
            f"option {i + 1} says `{said}` but the options are shuffled"
            for i, said in _above_reference(q)
        ]
        negative = style._negative_stem(q)
        expected = _negative_reference(q.text)
        assert (negative is None) == (expected is None), repr(q.text)
        if negative is not None and expected is not None:
            assert negative.message == f"negative stem: `{expected[1]}` is easy to miss"
            assert negative.location == answers.locate_word(q, ("text",), q.text, expected[0])
    if isinstance(q, Single) and len(q.options) >= 3:
        longest = style._longest_correct(q)
        lengths = _longest_reference(q)
        assert (longest is None) == (lengths is None), [o.text for o in q.options]
        if longest is not None and lengths is not None:
            assert f"({lengths[0]} characters; the longest wrong option has {lengths[1]})" in (
                longest.message
            )
    long = style._long_stem(q)
    words = _words_reference(q.text)
    assert (long is None) == (words is None), repr(q.text)
    if long is not None:
        assert long.message.startswith(f"the question text has {words} words")


def test_style_shortcuts_on_generated_questions() -> None:
    rng = random.Random(4)
    texts = generated_texts(400, seed=1, longest=12)
    for text in generated_texts(300, seed=2, longest=90):
        if text.strip():
            options = ["x" + rng.choice(texts) for _ in range(rng.randint(2, 5))]
            q = _question(text, options)
            _assert_style_agrees(q)


def test_longest_correct_on_generated_options() -> None:
    """Options of every length and spacing around the 1.5x / 10-character margins."""
    rng = random.Random(5)
    bits = ["a", "bb", "word", " ", "  ", "\t", "\n", "\xa0", "é"]
    for _ in range(1500):
        n = rng.randint(3, 5)
        options = []
        for _ in range(n):
            text = "".join(rng.choice(bits) for _ in range(rng.randint(1, 30))).strip() or "x"
            options.append(text)
        q = _question("Which one?", options, key=rng.randrange(n))
        assert isinstance(q, Single)
        longest = style._longest_correct(q)
        assert (longest is None) == (_longest_reference(q) is None), options
    # around the 10-character margin: short keys against shorter wrong options
    for key_len, wrong_len, spaced in itertools.product(range(6, 16), range(1, 8), (0, 1)):
        key = "k" * key_len if not spaced else "k " * (key_len // 2) + "k"
        options = ["w" * wrong_len, key, "w"]
        q = _question("Which one?", options, key=1)
        assert isinstance(q, Single)
        expected = _longest_reference(q)
        assert (style._longest_correct(q, options) is None) == (expected is None), options
        found = [p for p in style.check_question(q) if p.rule == "QB403"]
        assert len(found) == (expected is not None), options


def test_long_stem_word_count_of_plain_texts() -> None:
    """A plain ASCII text without a double space: spaces + 1 words, its own plain text."""
    rng = random.Random(6)
    words = ["a", "word", "longer", "3.5", "x?", "e.g."]
    for n in (99, 100, 101, 102, 150, 400):
        for sep, extra in itertools.product((" ", "  ", "\t", "\n", " \xa0"), ("", "é", "*")):
            text = sep.join(rng.choice(words) for _ in range(n)) + extra
            q = _question(text, ["a", "b"])
            found = style._long_stem(q)
            expected = _words_reference(text)
            assert (found is None) == (expected is None), (n, sep)
            if found is not None:
                assert f"has {expected} words" in found.message
    # some double spaces: about N spaces, fewer or more words (counted by splitting)
    for n in range(40, 104):
        for doubles in (0, 1, 2, n // 3, n - 2):
            gaps = [" "] * (n - 1)
            for i in rng.sample(range(n - 1), min(doubles, n - 1)):
                gaps[i] = "  "
            text = "".join(rng.choice(words) + gap for gap in gaps) + "end"
            found = style._long_stem(_question(text, ["a", "b"]))
            expected = _words_reference(text)
            assert (found is None) == (expected is None), (n, doubles)
            if found is not None:
                assert f"has {expected} words" in found.message


def _counted(text: str) -> int | None:
    """QB407's count without splitting, where ``_long_stem`` uses it: an ASCII text without
    a double space, plain or made of plain paragraphs and lone images."""
    if "  " in text:
        return None
    return _most_words(text)


def _most_words(text: str) -> int | None:
    """``_long_stem``'s bound on the words of an ASCII text that is plain or made of plain
    paragraphs and lone images: the text's spaces + its paragraphs (``None`` for others)."""
    from qbank.markup import is_plain, parse

    if not text.isascii():
        return None
    if is_plain(text):
        return text.count(" ") + 1
    paragraphs = parse(text).paragraphs
    if paragraphs is None:
        return None
    # the text's spaces are its paragraphs' (an image's are in its alt text)
    assert text.count(" ") == sum(p.count(" ") for p, _ in paragraphs), repr(text)
    return text.count(" ") + len(paragraphs)


def test_counted_words_is_the_split_of_the_plain_text() -> None:
    """Paragraphs of plain text and lone images, in every spacing: where QB407 counts the
    words without splitting, the count is the visible text's and the typed text's (the
    gate's); with double spaces the count is a bound on the visible words."""
    rng = random.Random(10)
    clean = (["a", "word", "3.5", "x?", "e.g."], [" "], ["\n\n"])
    wild = (
        ["a", "word", "é", "*b*", "1.", "12)", "[x]", ""],
        [" ", "  ", "   ", "\t", "\xa0", "\n"],
        ["\n\n", "\n", "\n\n\n", "\n \n"],
    )
    spaced = (clean[0], [" ", " ", "  ", "   "], clean[2])
    answered = bounded = 0
    for _ in range(3000):
        pick = rng.random()
        words, spaces, breaks = clean if pick < 0.5 else spaced if pick < 0.7 else wild
        paragraphs = []
        for _ in range(rng.randint(1, 4)):
            line = "".join(
                rng.choice(words) + rng.choice(spaces) for _ in range(rng.randint(1, 12))
            ).strip(rng.choice(["", " "]))
            if rng.random() < 0.3:
                line = f"![{line}](media/{rng.choice(['a.png', 'b c.png', 'x'])})"
            paragraphs.append(line)
        text = rng.choice(breaks).join(paragraphs) + rng.choice(["", "\n"])
        found = _counted(text)
        if found is not None:
            answered += 1
            assert found == len(to_text(text).split()) == len(text.split()), repr(text)
        most = _most_words(text)
        if most is not None:
            bounded += "  " in text
            assert len(to_text(text).split()) <= most, repr(text)
    assert answered > 250 and bounded > 80


def test_style_shortcuts_on_bench_questions(bench_questions: list[AnyQuestion]) -> None:
    simple = 0
    for q in bench_questions:
        _assert_style_agrees(q)
        found = _counted(q.text)
        if found is not None:
            simple += 1
            assert found == len(to_text(q.text).split()) == len(q.text.split())
    assert simple > 250  # most stems of the bench: plain, case studies and exhibits


# -- QB5: plain choice questions, QB2: repeated options ---------------------------------------


def test_plain_choice_on_generated_options() -> None:
    rng = random.Random(7)
    samples = ["plain", "a [b]", "x & y", "\\(x\\)", "<b>", "1. one", "a\n2) two", "![i](m.png)"]
    for _ in range(400):
        options = [rng.choice(samples) for _ in range(rng.randint(2, 4))]
        q = _question(rng.choice(samples), options)
        expected = all(media._plain(t, inline) for _, t, inline in media.markup_fields(q))
        assert media._plain_choice(q) == expected, options


def _duplicates_reference(q: AnyQuestion, texts: list[str]) -> list[tuple[int, int, str]]:
    seen: dict[str, int] = {}
    out = []
    for i, text in enumerate(texts):
        key = answers.normalise(text)
        if key in seen:
            out.append((i, seen[key], key))
        else:
            seen[key] = i
    return out


def test_duplicate_options_on_generated_options() -> None:
    rng = random.Random(8)
    samples = ["Yes", "yes", " yes", "YES ", "y es", "Stra\u00dfe", "STRASSE", "a  b", "a\tb", "c"]
    for _ in range(600):
        options = [rng.choice(samples) for _ in range(rng.randint(2, 5))]
        q = _question("Which?", options, qtype=rng.choice(["single", "multi"]))
        found = list(answers._duplicate_options(q, options, "options", "text"))
        expected = _duplicates_reference(q, options)
        assert [p.fingerprint for p in found] == [f"QB204:q:{k}" for _, _, k in expected]
        assert [p.message.split(" (")[0] for p in found] == [
            f"option {i + 1} repeats option {j + 1}" for i, j, _ in expected
        ]


def test_duplicate_options_on_bench_questions(bench_questions: list[AnyQuestion]) -> None:
    for q in bench_questions:
        if isinstance(q, Single | Multi):
            texts = [o.text for o in q.options]
            found = list(answers._duplicate_options(q, texts, "options", "text"))
            assert len(found) == len(_duplicates_reference(q, texts))


# -- the JSON report's fingerprints ------------------------------------------------------------


def test_blanked_numbers_are_the_pattern_s() -> None:
    from qbank.validate.reporters.json_format import _NUMBERS, _blank_numbers, fingerprint_key

    for text in [*generated_texts(500, seed=9), "QB 12 of 345", "٣ digits", "x1y22z333"]:
        assert _blank_numbers(text) == _NUMBERS.sub("#", text)
        p = problem("QB401", text, Location("a.yaml"), question_id="q")
        assert fingerprint_key(p) == f"QB401:q:{_NUMBERS.sub('#', text)}"


# -- locating a value ------------------------------------------------------------------------


def test_value_span_reads_the_question_s_path_as_pydantic_does(
    bench_questions: list[AnyQuestion],
) -> None:
    """``value_span`` takes a question's path from ``__pydantic_private__``: the path that
    ``q._path`` gives, for every field the rules locate."""
    for q in bench_questions[:60]:
        src = q.source_file
        assert src is not None
        fields: list[tuple[int | str, ...]] = [("text",), ("id",)]
        fields += [("options", i, "text") for i in range(len(getattr(q, "options", [])))]
        for path in fields:
            node, _ = src.node_at((*q._path, *path))
            assert answers.value_span(q, *path) == (
                src,
                node.start_mark.index,
                node.end_mark.index,
            )


def test_value_span_of_a_quiz_s_instructions(tmp_path: Path) -> None:
    """QB5's stand-in for a quiz has no pydantic attributes: its own ``_path`` is used."""
    from qbank.load import load_bank
    from qbank.validate import validate

    (tmp_path / "qbank.yaml").write_text("id: b\ntitle: B\n")
    (tmp_path / "questions.yaml").write_text(
        'id: q1\ntype: single\ntopic: "1"\ntext: Which?\nexplanation: x\n'
        "options:\n  - text: a\n    correct: true\n  - b\n"
    )
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "quizzes" / "final.yaml").write_text(
        "title: Final\ninstructions: |-\n  Read the map first.\n\n  ![Map](media/map.png)\n"
        'sections:\n  - topic: "1"\n    count: 1\n'
    )
    report = validate(load_bank(tmp_path))
    found = [p for p in report.problems if p.rule == "QB501"]
    assert [(p.location.file, p.location.line, p.location.col) for p in found] == [
        ("quizzes/final.yaml", 5, 10)
    ]


# -- QB5: image sources resolved with their folder resolved once --------------------------------


def _tree(root: Path) -> list[str]:
    """A bank folder with every kind of path trouble, and sources into it."""
    bank = root / "bank"
    (bank / "media" / "sub").mkdir(parents=True)
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(b"x")
    (bank / "media" / "a.png").write_bytes(b"x")
    (bank / "media" / "sub" / "b.png").write_bytes(b"x")
    (bank / "file.png").write_bytes(b"x")
    links = {
        "media/alias.png": bank / "media" / "a.png",  # a file link inside
        "media/escape.png": outside / "secret.png",  # a file link out
        "media/dangling.png": bank / "media" / "gone.png",
        "media/loop.png": bank / "media" / "loop.png",  # a link to itself
        "media/ping.png": bank / "media" / "pong.png",  # two links to each other
        "media/pong.png": bank / "media" / "ping.png",
        "media/up": bank,  # a folder link back up
        "linkdir": outside,  # a folder link out
        "media/loopdir": bank / "media" / "loopdir",  # a folder link to itself
        "media/rel.png": Path("sub/b.png"),  # relative targets
        "media/relout": Path("../../outside"),
    }
    for name, target in links.items():
        (bank / name).symlink_to(target)
    folders = [
        "",
        "media",
        "media/sub",
        "media/up/media",
        "linkdir",
        "media/loopdir",
        "media/loopdir/x",
        "missing",
        "missing/deeper",
        "file.png",
        "media/a.png",
        "media/relout",
        "media/../media",
        "media/sub/..",
        "media/./sub",
        "media//sub",
        "media/loop.png",
        "media/dangling.png",
        "media/alias.png",
    ]
    names = [
        "a.png",
        "b.png",
        "alias.png",
        "escape.png",
        "dangling.png",
        "loop.png",
        "ping.png",
        "rel.png",
        "secret.png",
        "gone.png",
        "..",
        ".",
        "sub",
        "up",
        "linkdir",
        "loopdir",
        "file.png",
        "x",
        "a.png/",
    ]
    return [f"{f}/{n}" if f else n for f in folders for n in names]


def _resolved(path: Path, fast: bool, folders: dict) -> object:
    from qbank.markup import links

    try:
        return links._resolve_in(path, folders) if fast else path.resolve()
    except Exception as exc:  # the same exception (a symlink loop's RuntimeError)
        return type(exc), str(exc)


def test_resolve_in_is_path_resolve(tmp_path: Path) -> None:
    """``_resolve_in`` (the folder resolved once) gives ``Path.resolve``'s answer for every
    source of a tree of symlinks (in, out, dangling, loops, folder links), missing folders,
    files used as folders, ``.``, ``..`` and doubled slashes; asked twice, so the second
    answer comes from the folder cache."""
    sources = _tree(tmp_path)
    base = (tmp_path / "bank").resolve()
    folders: dict = {}
    for _ in range(2):
        for src in sources:
            path = base / src
            assert _resolved(path, True, folders) == _resolved(path, False, {}), src
    assert any(state is None for state in folders.values())  # slow folders were met
    assert any(state and state[1] for state in folders.values())  # and fast ones
    assert any(state and not state[1] for state in folders.values())


def _resolve_reference(src: str, root: Path) -> Path:
    """``resolve_media`` as it was written before the fast paths: ``Path.is_absolute``,
    ``Path.resolve`` and ``Path.is_relative_to`` (the definition)."""
    from qbank.markup import MediaOutsideBank
    from qbank.markup.links import _scheme

    if not src:
        raise MediaOutsideBank("empty image source")
    if _scheme(src) is not None or src.startswith("//"):
        raise MediaOutsideBank(f"{src!r} is a URL, not a file in the bank")
    if src.startswith(("/", "\\")) or Path(src).is_absolute():
        raise MediaOutsideBank(f"{src!r} is an absolute path; write it relative to the bank")
    base = root.resolve()
    path = (base / src).resolve()
    if not path.is_relative_to(base):
        raise MediaOutsideBank(f"{src!r} resolves outside the bank ({path})")
    return path


def test_resolve_media_is_the_reference(tmp_path: Path) -> None:
    """:func:`resolve_media`, outside and inside a :func:`resolution_cache` block (the
    folder cache), gives what the plain ``pathlib`` definition gives, ``MediaOutsideBank``
    included: for the tree's sources, absolute ones and URLs, from a bank root given as is,
    through a symlink, and at a root whose name another folder's name extends
    (``bank`` and ``bank2``: the inside test compares whole parts)."""
    from qbank.markup import MediaOutsideBank, resolution_cache, resolve_media

    sources = _tree(tmp_path)
    sources += ["/etc/passwd", "\\x", "http://x/y.png", "//x/y.png", "", "../bank2/a.png"]
    sources += ["../bank/media/a.png", "media/../../bank2/a.png", "media/up/../bank2/a.png"]
    (tmp_path / "bank2").mkdir()
    (tmp_path / "bank2" / "a.png").write_bytes(b"x")
    (tmp_path / "banklink").symlink_to(tmp_path / "bank")

    def answer(fn: object, src: str, root: Path) -> object:
        try:
            return fn(src, root)  # type: ignore[operator]
        except (MediaOutsideBank, RuntimeError) as exc:
            return type(exc), str(exc)

    for root in (tmp_path / "bank", tmp_path / "banklink", tmp_path / "bank" / "media" / ".."):
        expected = [answer(_resolve_reference, src, root) for src in sources]
        assert [answer(resolve_media, src, root) for src in sources] == expected
        with resolution_cache():
            assert [answer(resolve_media, src, root) for src in sources] == expected
            assert [answer(resolve_media, s, root) for s in reversed(sources)] == expected[::-1]
        assert sum(isinstance(e, Path) for e in expected) > 50
        assert sum(not isinstance(e, Path) for e in expected) > 50


# -- QB2: choice questions with nothing to report ---------------------------------------------


def _choice(options: list[str], correct: list[int], qtype: str, extra: str) -> AnyQuestion:
    opts = "".join(
        f"  - text: {json.dumps(o)}\n" + ("    correct: true\n" if i in correct else "")
        for i, o in enumerate(options)
    )
    loaded, problems = load_text(f"id: q\ntype: {qtype}\ntext: Which?\n{extra}options:\n{opts}")
    assert len(loaded) == 1, (options, problems)
    return loaded[0]


def test_choice_passes_is_check_question_finding_nothing(
    bench_questions: list[AnyQuestion],
) -> None:
    """``answers._choice_passes`` (what ``check`` skips) is ``check_question`` finding
    nothing, for choice questions worth points: every count of correct options, with and
    without ``allow_all_correct``, options alike in case and spacing, and the bench bank."""
    rng = random.Random(13)
    samples = ["Yes", "yes", " yes", "YES ", "y es", "Stra\u00dfe", "STRASSE", "a  b", "a\tb", "c"]
    extras = ["", "allow_all_correct: true\n", "points: 2\n", "shuffle: false\n"]
    questions = list(bench_questions)
    seen = {True: 0, False: 0}
    for _ in range(800):
        options = [rng.choice(samples) for _ in range(rng.randint(2, 5))]
        correct = rng.sample(range(len(options)), rng.randint(0, len(options)))
        qtype = rng.choice(["single", "multi"])
        extra = rng.choice(extras if qtype == "multi" else extras[2:])  # multi's own field
        questions.append(_choice(options, correct, qtype, extra))
    for q in questions:
        if isinstance(q, Single | Multi) and q.points > 0:
            passes = answers._choice_passes(q)
            assert passes == (not list(answers.check_question(q))), q
            seen[passes] += 1
    assert seen[True] > 300 and seen[False] > 300
