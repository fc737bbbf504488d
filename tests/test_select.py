"""Draws: filters, quizzes, blueprints, forms, option order, manifests and golden files.

The golden manifests under tests/golden/ were written by this code and committed; a change
in any byte means a draw changed for everyone who relies on a seed (a printed Form A, its
key, a web quiz). Regenerate only on purpose: ``QBANK_UPDATE_GOLDEN=1 pytest tests/test_select.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import textwrap
from collections import Counter
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest

from qbank.draw import (
    Draw,
    Filters,
    Selection,
    SelectionError,
    blueprint_counts,
    draw,
    draw_manifest,
    find_quiz,
    letter,
    manifest_json,
    part_order,
    rank,
    seeded_order,
    topic_matches,
    write_manifest,
)
from qbank.load import Bank, load_bank

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_BANK = GOLDEN / "bank"
SAMPLE = Path(__file__).resolve().parents[1] / "bank"

GOLDEN_CASES: dict[str, tuple[Path, Selection]] = {
    # The golden draws pin the algorithm over the whole golden bank, its one draft included
    # (drafts are left out by default since issue 17; test_hostile_select covers that).
    # three sections (nested counts, a type filter, an uncounted ids section), 2 varied forms
    "golden-mock-quiz": (GOLDEN_BANK, Selection(quiz="mock", include_drafts=True)),
    # ad-hoc: a seeded subset kept in bank order, options shuffled
    "golden-adhoc-subset": (
        GOLDEN_BANK,
        Selection(
            filters=Filters(topics=("1",)),
            count=4,
            seed="subset",
            shuffle_questions=False,
            shuffle_options=True,
            include_drafts=True,
        ),
    ),
    # blueprint 50/30/20 of 8 questions (4/2.4/1.6 → 4/2/2), three forms
    "golden-blueprint": (
        GOLDEN_BANK,
        Selection(blueprint=8, forms=3, seed="42", include_drafts=True),
    ),
    # the shipped study-guide quiz: five of the ten questions of topic 4.3
    "sample-4.3-practice": (SAMPLE, Selection(quiz="4.3-practice")),
}


def _bank(path: Path) -> Bank:
    bank = load_bank(path)
    assert not bank.errors, [str(p.location) + " " + p.message for p in bank.errors]
    return bank


# -- golden ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden_manifest_is_byte_identical(name: str) -> None:
    bank_path, selection = GOLDEN_CASES[name]
    produced = manifest_json(draw(_bank(bank_path), selection))
    golden = GOLDEN / f"{name}.json"
    if os.environ.get("QBANK_UPDATE_GOLDEN") == "1":
        golden.write_text(produced, encoding="utf-8", newline="\n")
    expected = golden.read_bytes()
    assert produced.encode("utf-8") == expected, (
        f"the draw for {name} changed; if that is intended, regenerate with "
        "QBANK_UPDATE_GOLDEN=1 and say so in the change log"
    )
    # canonical form: parsing and re-dumping with sorted keys gives the same bytes
    again = json.dumps(json.loads(expected), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert again.encode("utf-8") == expected


def test_golden_mock_quiz_content() -> None:
    """What the golden mock manifest must say, independent of the exact shuffle."""
    m = json.loads((GOLDEN / "golden-mock-quiz.json").read_text(encoding="utf-8"))
    assert m["seed"] == "golden-7" and m["quiz"] == "quizzes/mock.yaml"
    assert [f["form"] for f in m["forms"]] == ["A", "B"]
    bank = _bank(GOLDEN_BANK)
    by_id = bank.by_id()
    for form in m["forms"]:
        ids = [q["id"] for q in form["questions"]]
        assert len(ids) == 6 == len(set(ids))
        sections = [q["section"] for q in form["questions"]]
        assert sections == sorted(sections), "sections stay in their order"
        assert Counter(sections) == {0: 3, 1: 2, 2: 1}
        assert ids[-1] == "incident-essay"
        for q in form["questions"]:
            question = by_id[q["id"]]
            if q["section"] == 0:
                assert topic_matches(question.topic, "1")
            if q["section"] == 1:
                assert topic_matches(question.topic, "2")
                assert question.type in ("single", "multi", "truefalse")
    # topic 2 has exactly 3 single/multi/truefalse questions: 2 per form cannot be disjoint
    assert len(m["notes"]) == 1 and "section 2" in m["notes"][0]


def test_reference_algorithm_reproduces_the_draw() -> None:
    """The documented ranking, re-implemented with hashlib alone, gives the same draw.

    This is the contract another implementation (a JavaScript player, a future Python) must
    follow to reproduce a form from its seed.
    """

    def rank(*parts: object) -> bytes:
        return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()

    bank = _bank(GOLDEN_BANK)
    seed = "subset"
    d = draw(bank, GOLDEN_CASES["golden-adhoc-subset"][1])
    pool = [q for q in bank.questions if topic_matches(q.topic, "1")]
    best = sorted(pool, key=lambda q: rank(seed, "pick", 0, q.id))[:4]
    expected_ids = [q.id for q in pool if q in best]  # --no-shuffle: bank order
    assert [x.id for x in d.forms[0].questions] == expected_ids
    for x in d.forms[0].questions:
        options = getattr(x.question, "options", None)
        if options is None or not x.question.shuffle:
            continue
        pinned = [i for i, o in enumerate(options) if "of the above" in o.text.lower()]
        free = sorted(
            (i for i in range(len(options)) if i not in pinned),
            key=lambda i: rank(seed, 0, x.id, "options", i),
        )
        assert list(x.order) == free + pinned


def test_sample_quiz_draws_five_distinct_of_the_ten_of_topic_4_3() -> None:
    bank = _bank(SAMPLE)
    pool = [q for q in bank.questions if topic_matches(q.topic, "4.3")]
    assert len(pool) == 10
    d = draw(bank, Selection(quiz="quizzes/4.3-practice.yaml"))
    assert len(d.forms) == 1
    ids = [x.id for x in d.forms[0].questions]
    assert len(ids) == 5 == len(set(ids))
    assert set(ids) <= {q.id for q in pool}
    assert [x.number for x in d.forms[0].questions] == [1, 2, 3, 4, 5]
    assert d.seed == "2026" and d.title == "4.3 AWS security for machine learning"
    assert d.instructions and "five" in d.instructions
    # every name a user might type finds the same quiz
    for name in ("4.3-practice", "4.3-practice.yaml", "quizzes/4.3-practice.yaml"):
        assert manifest_json(draw(bank, Selection(quiz=name))) == manifest_json(d)
    # a different seed is a different draw of the same shape
    other = draw(bank, Selection(quiz="4.3-practice", seed="2027"))
    assert [x.id for x in other.forms[0].questions] != ids


def test_different_seeds_usually_differ() -> None:
    bank = _bank(SAMPLE)
    draws = {
        tuple(x.id for x in draw(bank, Selection(quiz="4.3-practice", seed=str(s))).questions)
        for s in range(60)
    }
    sets = {frozenset(ids) for ids in draws}
    # 252 five-question subsets of ten: 60 seeds collide only rarely
    assert len(sets) >= 50, len(sets)
    assert len(draws) >= 55


# -- filters ---------------------------------------------------------------------------------

FILTER_BANK = {
    "qbank.yaml": """\
        id: filters
        title: Filters
        topics:
          "4": Ops
          "4.3": Security
          "4.3.1": IAM
          "40": Not a sub-topic of 4
        """,
    "q.yaml": """\
        questions:
          - {id: a, type: truefalse, text: A., answer: true, topic: "4",
             tags: [x], status: approved, difficulty: easy}
          - {id: b, type: truefalse, text: B., answer: true, topic: "4.3",
             tags: [y], status: draft, difficulty: hard}
          - {id: c, type: short, text: C., answers: [c], topic: "4.3.1",
             tags: [x, y], status: review, difficulty: medium}
          - {id: d, type: truefalse, text: D., answer: false, topic: "40", tags: [z]}
          - {id: e, type: essay, text: E., topic: "4.3/iam"}
        """,
}


@pytest.fixture
def filter_bank(make_bank: Callable[..., Path]) -> Bank:
    files = dict(FILTER_BANK)
    manifest = files.pop("qbank.yaml")
    return _bank(make_bank(files, manifest=textwrap.dedent(manifest)))


def _ids(bank: Bank, **filters: tuple[str, ...]) -> list[str]:
    selection = Selection(filters=Filters(**filters), include_drafts=True)
    return [x.id for x in draw(bank, selection).forms[0].questions]


def test_topic_includes_sub_topics_but_not_prefixes(filter_bank: Bank) -> None:
    assert _ids(filter_bank, topics=("4",)) == ["a", "b", "c", "e"]
    assert _ids(filter_bank, topics=("4.3",)) == ["b", "c", "e"]
    assert _ids(filter_bank, topics=("4.3.1",)) == ["c"]
    assert _ids(filter_bank, topics=("40",)) == ["d"]
    assert _ids(filter_bank, topics=("4.3.1", "40")) == ["c", "d"]


def test_tag_type_status_difficulty_ids(filter_bank: Bank) -> None:
    assert _ids(filter_bank, tags=("x",)) == ["a", "c"]
    assert _ids(filter_bank, tags=("x", "z")) == ["a", "c", "d"]
    assert _ids(filter_bank, types=("truefalse",)) == ["a", "b", "d"]
    assert _ids(filter_bank, types=("short", "essay")) == ["c", "e"]
    assert _ids(filter_bank, statuses=("draft", "review")) == ["b", "c"]
    assert _ids(filter_bank, difficulties=("easy",)) == ["a"]
    assert _ids(filter_bank, tags=("y",), statuses=("review",)) == ["c"]  # fields AND
    # --ids keeps the order the author listed (when not shuffled)
    assert _ids(filter_bank, ids=("e", "a", "c")) == ["e", "a", "c"]


@pytest.mark.parametrize(
    ("filters", "message", "hint"),
    [
        (Filters(topics=("4.4",)), "unknown topic `4.4`", "did you mean"),
        (Filters(tags=("xx",)), "unknown tag `xx`", "did you mean `x`"),
        (Filters(ids=("a", "bb")), "unknown question id `bb`", "did you mean `b`"),
        (Filters(types=("singel",)), "unknown type `singel`", "did you mean `single`"),
    ],
)
def test_unknown_references_are_errors_with_a_hint(
    filter_bank: Bank, filters: Filters, message: str, hint: str
) -> None:
    with pytest.raises(SelectionError) as err:
        draw(filter_bank, Selection(filters=filters))
    assert message in err.value.message
    assert err.value.hint and hint in err.value.hint


def test_known_topic_without_questions_says_no_question_matches(make_bank: Callable) -> None:
    bank = _bank(
        make_bank({"q.yaml": "{id: a, type: truefalse, text: A., answer: true, topic: '4'}\n"})
    )
    with pytest.raises(SelectionError, match=r"topic 1\.1\): no question matches"):
        draw(bank, Selection(filters=Filters(topics=("1.1",))))
    with pytest.raises(SelectionError, match="asks for 2 questions but only 1 match"):
        draw(bank, Selection(count=2))


# -- options ---------------------------------------------------------------------------------


def _one(make_bank: Callable, yaml: str) -> Bank:
    return _bank(make_bank({"q.yaml": yaml}))


def test_none_of_the_above_stays_last_and_shuffle_false_pins(make_bank: Callable) -> None:
    bank = _one(
        make_bank,
        """\
        questions:
          - id: pinned-last
            type: single
            text: Pick one.
            options: [{text: w, correct: true}, x, y, z, "*None* of the above"]
          - id: no-shuffle
            type: single
            shuffle: false
            text: Pick one.
            options: [{text: w, correct: true}, x, y, z]
          - id: letter-ref
            type: single
            text: Pick one.
            options: [{text: w, correct: true}, x, y, "Both A and C"]
        """,
    )
    q_last, q_pinned, q_letters = bank.questions
    seen_first: set[int] = set()
    for seed in range(40):
        for form in range(3):
            order = part_order(q_last, str(seed), form, True)
            assert order[-1] == 4 and sorted(order) == [0, 1, 2, 3, 4]
            seen_first.add(order[0])
            assert part_order(q_pinned, str(seed), form, True) == (0, 1, 2, 3)
            assert part_order(q_letters, str(seed), form, True) == (0, 1, 2, 3)
            assert part_order(q_last, str(seed), form, False) == (0, 1, 2, 3, 4)
    assert seen_first == {0, 1, 2, 3}, "the free options are really shuffled"


def test_correct_letters_follow_the_shuffle(make_bank: Callable) -> None:
    bank = _one(
        make_bank,
        """\
        id: m
        type: multi
        text: Which?
        options: [{text: right-1, correct: true}, wrong-1, {text: right-2, correct: true}, wrong-2]
        """,
    )
    d = draw(bank, Selection(forms=4, shuffle_options=True, seed="k"))
    orders = {x.order for f in d.forms for x in f.questions}
    assert len(orders) > 1, "forms show different option orders"
    for f in d.forms:
        (x,) = f.questions
        shown = {letter(i): o.text for i, o in enumerate(x.options)}
        assert sorted(shown[k] for k in x.correct_letters) == ["right-1", "right-2"]


def test_order_and_match_parts_never_show_the_answer(make_bank: Callable) -> None:
    bank = _one(
        make_bank,
        """\
        questions:
          - {id: o, type: order, text: Order., items: [one, two, three]}
          - {id: m, type: match, text: Match., pairs: [[a, "1"], [b, "2"]]}
        """,
    )
    for seed in range(30):
        d = draw(bank, Selection(seed=str(seed), shuffle_options=False))
        o, m = d.forms[0].questions
        assert o.items != ["one", "two", "three"] and sorted(o.items) == ["one", "three", "two"]
        assert m.right_column == ["2", "1"]
        # the key letters point at the shown items in the right sequence
        assert [o.items[ord(k) - 65] for k in o.key_text.split(", ")] == ["one", "two", "three"]
        assert m.key_text == "1-B, 2-A"


# -- count, shuffle, forms ------------------------------------------------------------------


def _numbered_bank(make_bank: Callable, n: int, topic: str = "4.3") -> Bank:
    lines = ["questions:"]
    for i in range(n):
        lines.append(f"  - {{id: q{i:02d}, type: truefalse, text: Q{i}., answer: true,")
        lines.append(f'     topic: "{topic}"}}')
    return _bank(make_bank({"q.yaml": "\n".join(lines) + "\n"}))


def test_count_without_shuffle_picks_a_seeded_subset_in_bank_order(make_bank: Callable) -> None:
    bank = _numbered_bank(make_bank, 12)
    subsets = set()
    for seed in ("1", "2", "3", "4"):
        d = draw(bank, Selection(count=5, seed=seed, shuffle_questions=False))
        ids = [x.id for x in d.forms[0].questions]
        assert ids == sorted(ids), "bank order kept"
        assert len(ids) == 5
        subsets.add(tuple(ids))
    assert len(subsets) > 1, "the subset depends on the seed"
    assert tuple(
        x.id for x in draw(bank, Selection(count=12, shuffle_questions=False)).questions
    ) == (tuple(q.id for q in bank.questions))
    # --count alone shuffles, and an unseeded draw is seed "0", the same every run
    d1, d2 = draw(bank, Selection(count=5)), draw(bank, Selection(count=5))
    assert d1.seed == "0" and d1.shuffle_questions
    assert manifest_json(d1) == manifest_json(d2)


def test_whole_bank_without_options_is_the_bank_in_order(sample_bank: Path) -> None:
    bank = _bank(sample_bank)
    d = draw(bank)
    assert [x.id for x in d.forms[0].questions] == [q.id for q in bank.questions]
    # options shuffle by default, one form or several (issue 17); --no-shuffle pins them
    assert not d.shuffle_questions and d.shuffle_options
    assert any(
        x.order != tuple(range(len(x.question.options)))  # type: ignore[union-attr]
        for x in d.forms[0].questions
        if x.question.is_choice
    )
    pinned = draw(bank, Selection(shuffle_questions=False))
    assert not pinned.shuffle_questions and not pinned.shuffle_options
    assert all(
        x.order == tuple(range(len(x.question.options)))  # type: ignore[union-attr]
        for x in pinned.forms[0].questions
        if x.question.is_choice
    )


def test_forms_differ_in_question_and_option_order(sample_bank: Path) -> None:
    bank = _bank(sample_bank)
    d = draw(bank, Selection(quiz="4.3-practice", forms=4))
    assert [f.name for f in d.forms] == ["A", "B", "C", "D"]
    sets = {frozenset(x.id for x in f.questions) for f in d.forms}
    assert len(sets) == 1, "without vary_questions every form has the same questions"
    orders = {tuple(x.id for x in f.questions) for f in d.forms}
    assert len(orders) == 4, "every form has its own question order"
    choice_orders = {x.order for f in d.forms for x in f.questions if x.question.is_choice}
    assert len(choice_orders) > 1
    # form A of a multi-form draw is not a different draw from the one-form quiz
    single = draw(bank, Selection(quiz="4.3-practice"))
    assert {x.id for x in single.forms[0].questions} == sets.pop()


def test_two_questions_two_forms_still_differ(make_bank: Callable) -> None:
    bank = _numbered_bank(make_bank, 2)
    for seed in range(20):
        d = draw(bank, Selection(forms=2, seed=str(seed)))
        a, b = ([x.id for x in f.questions] for f in d.forms)
        assert a != b and sorted(a) == sorted(b)


def test_vary_questions_gives_disjoint_forms_when_the_pool_allows(make_bank: Callable) -> None:
    bank = _numbered_bank(make_bank, 15)
    d = draw(bank, Selection(count=5, forms=3, vary_questions=True, seed="v"))
    sets = [{x.id for x in f.questions} for f in d.forms]
    assert all(len(s) == 5 for s in sets)
    assert not (sets[0] & sets[1]) and not (sets[0] & sets[2]) and not (sets[1] & sets[2])
    assert d.notes == []
    # form A is the same draw as without vary_questions
    plain = draw(bank, Selection(count=5, forms=3, seed="v"))
    assert [x.id for x in plain.forms[0].questions] == [x.id for x in d.forms[0].questions]


def test_vary_questions_reuses_with_a_note_when_the_pool_is_small(make_bank: Callable) -> None:
    bank = _numbered_bank(make_bank, 7)
    d = draw(bank, Selection(count=5, forms=2, vary_questions=True, seed="v"))
    a, b = ({x.id for x in f.questions} for f in d.forms)
    assert len(a) == len(b) == 5
    assert a | b == {q.id for q in bank.questions}, "B uses every question A left out"
    assert len(a & b) == 3
    assert len(d.notes) == 1
    assert "7 questions match" in d.notes[0] and "2 forms of 5" in d.notes[0]
    assert draw_manifest(d)["notes"] == d.notes


def test_adding_unrelated_questions_keeps_the_draw(make_bank: Callable) -> None:
    small = _numbered_bank(make_bank, 10)
    lines = (small.root / "q.yaml").read_text(encoding="utf-8")
    extra = "".join(
        f'  - {{id: other{i}, type: truefalse, text: O{i}., answer: true, topic: "1"}}\n'
        for i in range(20)
    )
    big = _bank(make_bank({"q.yaml": extra.replace("  - ", "questions:\n  - ", 1) + lines[11:]}))
    assert len(big.questions) == 30
    sel = Selection(filters=Filters(topics=("4.3",)), count=4, forms=2, seed="s")
    assert manifest_json(draw(small, sel)) == manifest_json(draw(big, sel))


# -- quizzes and sections ------------------------------------------------------------------


def test_section_asking_for_too_many_names_section_asked_and_available(
    make_bank: Callable,
) -> None:
    bank = _bank(
        make_bank(
            {
                "q.yaml": "".join(
                    ["questions:\n"]
                    + [
                        f'  - {{id: q{i}, type: truefalse, text: Q{i}., answer: true, topic: "1"}}\n'
                        for i in range(3)
                    ]
                ),
                "quizzes/big.yaml": """\
                title: Too big
                sections:
                  - topic: "1"
                    count: 2
                  - title: Security
                    topic: "1"
                    count: 7
                """,
            }
        )
    )
    with pytest.raises(SelectionError) as err:
        draw(bank, Selection(quiz="big"))
    e = err.value
    assert "section 2 “Security”" in e.message
    assert "asks for 7 questions but only 3 match" in e.message
    assert e.location is not None and e.location.file == "quizzes/big.yaml"
    assert (e.location.line, e.location.col) == (7, 12)  # the `count: 7` value


def test_nested_sections_are_filled_narrowest_first(sample_bank: Path, tmp_path: Path) -> None:
    quiz = tmp_path / "nested.yaml"
    quiz.write_text(
        'title: Nested\nseed: "1"\nsections:\n'
        '  - {topic: "4", count: 18}\n'
        '  - {topic: "4.3", count: 3}\n',
        encoding="utf-8",
    )
    bank = _bank(sample_bank)
    assert sum(topic_matches(q.topic, "4") for q in bank.questions) == 21
    d = draw(bank, Selection(quiz=str(quiz)))  # a quiz file outside the bank
    ids = [x.id for x in d.forms[0].questions]
    assert len(ids) == 21 == len(set(ids))
    by_id = bank.by_id()
    assert all(topic_matches(by_id[i].topic, "4.3") for i in ids[18:])
    assert d.quiz == quiz.as_posix()


def test_overlap_that_cannot_be_satisfied_explains_itself(sample_bank: Path, tmp_path) -> None:
    quiz = tmp_path / "overlap.yaml"
    quiz.write_text(
        'title: Overlap\nsections:\n  - {topic: "4.3"}\n  - {topic: "4", count: 12}\n',
        encoding="utf-8",
    )
    with pytest.raises(SelectionError) as err:
        draw(_bank(sample_bank), Selection(quiz=str(quiz)))
    assert "asks for 12 questions but only 11 remain" in err.value.message
    assert "10 of its 21 matches are already in other sections" in err.value.message


def test_unknown_quiz_lists_the_quizzes(sample_bank: Path) -> None:
    with pytest.raises(SelectionError) as err:
        draw(_bank(sample_bank), Selection(quiz="4.3-practise"))
    assert "no quiz `4.3-practise`" in err.value.message
    assert "quizzes/4.3-practice.yaml" in err.value.message
    assert err.value.hint == "did you mean `4.3-practice`?"


def test_quiz_with_errors_is_named_not_missing(make_bank: Callable) -> None:
    bank = load_bank(
        make_bank(
            {
                "q.yaml": "{id: a, type: truefalse, text: A., answer: true}\n",
                "quizzes/broken.yaml": "title: Broken\nsections:\n  - {count: 1, colour: red}\n",
            }
        )
    )
    with pytest.raises(SelectionError) as err:
        find_quiz(bank, "broken")
    assert "quiz quizzes/broken.yaml has 1 error(s)" in err.value.message
    assert err.value.location is not None and err.value.location.file == "quizzes/broken.yaml"


def test_quiz_section_unknown_topic_points_at_the_section(make_bank: Callable) -> None:
    bank = _bank(
        make_bank(
            {
                "q.yaml": "{id: a, type: truefalse, text: A., answer: true, topic: '4.3'}\n",
                "quizzes/q.yaml": "title: Q\nsections:\n  - topic: '4.4'\n    count: 1\n",
            }
        )
    )
    with pytest.raises(SelectionError) as err:
        draw(bank, Selection(quiz="q"))
    assert err.value.message.startswith("section 1: unknown topic `4.4`")
    assert str(err.value.location) == "quizzes/q.yaml:3:12"
    assert err.value.hint == "did you mean `4.3`?"


def test_quiz_cannot_be_mixed_with_ad_hoc_filters(sample_bank: Path) -> None:
    with pytest.raises(SelectionError, match="--quiz cannot be combined with --topic, --count"):
        draw(
            _bank(sample_bank),
            Selection(quiz="4.3-practice", filters=Filters(topics=("4",)), count=2),
        )


def test_selection_overrides_quiz_settings(sample_bank: Path) -> None:
    d = draw(
        _bank(sample_bank),
        Selection(quiz="4.3-practice", seed="x", forms=2, shuffle_options=False, title="T"),
    )
    assert d.seed == "x" and len(d.forms) == 2 and d.title == "T" and not d.shuffle_options
    assert all(
        x.order == tuple(range(len(x.options)))
        for f in d.forms
        for x in f.questions
        if x.question.is_choice
    )


# -- blueprint -------------------------------------------------------------------------------


def test_blueprint_split_matches_the_weights(sample_bank: Path) -> None:
    bank = _bank(sample_bank)
    weights = bank.manifest.blueprint  # 20 / 24 / 36 / 20
    for total in (1, 5, 10, 20, 25, 37, 45):
        d = draw(bank, Selection(blueprint=total, seed=str(total)))
        form = d.forms[0]
        assert len(form.questions) == total == len({x.id for x in form.questions})
        per_topic = Counter(x.question.topic.split(".")[0] for x in form.questions)
        for topic, weight in weights.items():
            exact = Fraction(total) * Fraction(str(weight)) / 100
            assert abs(per_topic[topic] - exact) < 1, (total, topic, per_topic)
    counts = Counter(q.topic.split(".")[0] for q in draw(bank, Selection(blueprint=20)).questions)
    assert counts == {"1": 4, "2": 5, "3": 7, "4": 4}  # 4, 4.8, 7.2, 4 → largest remainder


def test_blueprint_mixes_topics_and_keeps_sub_topics(sample_bank: Path) -> None:
    d = draw(_bank(sample_bank), Selection(blueprint=20, seed="mix"))
    sections = [x.section for x in d.forms[0].questions]
    assert sections != sorted(sections), "a mock exam mixes its topics"
    topics = {x.question.topic for x in d.forms[0].questions}
    assert all("." in t for t in topics if t), "the sample's questions sit in sub-topics"


def test_blueprint_errors(sample_bank: Path, make_bank: Callable) -> None:
    bank = _bank(sample_bank)
    with pytest.raises(SelectionError) as err:
        draw(bank, Selection(blueprint=61))
    assert err.value.message == (
        "blueprint topic 1 (20%) needs 12 question(s) but only 11 match (topic 1)"
    )
    assert err.value.location is not None and err.value.location.file == "qbank.yaml"
    with pytest.raises(SelectionError, match="cannot be combined with --topic"):
        draw(bank, Selection(blueprint=5, filters=Filters(topics=("4",))))
    lacking = _bank(
        make_bank(
            {"q.yaml": "{id: a, type: truefalse, text: A., answer: true, topic: '1.1'}\n"},
            manifest='id: t\ntitle: T\ntopics: {"1": A, "1.1": B, "4": C}\n'
            'blueprint: {"1": 50%, "4": 50%}\n',
        )
    )
    with pytest.raises(SelectionError) as err:
        draw(lacking, Selection(blueprint=2))
    assert err.value.message == (
        "blueprint topic 4 (50%) needs 1 question(s) but no question has topic 4 or a sub-topic"
    )
    no_blueprint = _bank(
        make_bank({"q.yaml": "{id: a, type: truefalse, text: A., answer: true}\n"})
    )
    with pytest.raises(SelectionError, match="no `blueprint:` weights"):
        draw(no_blueprint, Selection(blueprint=1))


def test_blueprint_counts_largest_remainder() -> None:
    assert blueprint_counts(20, {"1": 20, "2": 24, "3": 36, "4": 20}) == {
        "1": 4,
        "2": 5,
        "3": 7,
        "4": 4,
    }
    # ties go to the topic listed first; weights need not add up to 100
    assert blueprint_counts(1, {"b": 1, "a": 1}) == {"b": 1, "a": 0}
    assert blueprint_counts(3, {"x": 0.1, "y": 0.2}) == {"x": 1, "y": 2}
    with pytest.raises(SelectionError, match="add up to 0%"):
        blueprint_counts(3, {"x": 0})


# -- manifest ------------------------------------------------------------------------------


def test_manifest_records_seed_forms_ids_and_option_order(sample_bank: Path) -> None:
    bank = _bank(sample_bank)
    d = draw(bank, Selection(quiz="4.3-practice", forms=2))
    m = draw_manifest(d)
    assert m["qbank_draw"] == 1 and m["bank"] == "aws-mls" and m["seed"] == "2026"
    assert m["sections"][0]["filters"] == {"topic": ["4.3"]}
    assert m["sections"][0]["available"] == 10
    for form, fm in zip(d.forms, m["forms"], strict=True):
        assert fm["form"] == form.name and fm["points"] == form.total_points
        for x, q in zip(form.questions, fm["questions"], strict=True):
            assert (q["number"], q["id"], q["order"]) == (x.number, x.id, list(x.order))
            if x.question.is_choice:
                assert q["key"] == x.correct_letters
                # the recorded order re-creates the options as shown
                opts = x.question.options  # type: ignore[union-attr]
                assert [opts[i].text for i in q["order"]] == [o.text for o in x.options]


def test_write_manifest_is_atomic_and_canonical(sample_bank: Path, tmp_path: Path) -> None:
    d = draw(_bank(sample_bank), Selection(quiz="4.3-practice"))
    target = tmp_path / "out" / "draw.manifest.json"
    assert write_manifest(d, target) == target
    assert target.read_text(encoding="utf-8") == manifest_json(d)
    assert sorted(p.name for p in target.parent.iterdir()) == ["draw.manifest.json"]
    write_manifest(d, target)  # replaces, leaves no temporary file
    assert sorted(p.name for p in target.parent.iterdir()) == ["draw.manifest.json"]


def test_draw_questions_are_distinct_over_forms(sample_bank: Path) -> None:
    d: Draw = draw(_bank(sample_bank), Selection(quiz="4.3-practice", forms=2, vary_questions=True))
    assert len(d.questions) == 10 and len({q.id for q in d.questions}) == 10


def test_letter() -> None:
    assert [letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip


def test_seeded_order_is_the_documented_rank_sort() -> None:
    keys: list[object] = ["b", "a", "c", 3, "é", "a"]
    for parts in [(), ("s",), ("seed", 0, "q1", "options")]:
        expected = sorted(
            range(len(keys)),
            key=lambda i: (
                hashlib.sha256("\x1f".join(str(p) for p in (*parts, keys[i])).encode()).digest(),
                i,
            ),
        )
        assert seeded_order(keys, *parts) == expected
        assert (
            rank(*parts, keys[0])
            == hashlib.sha256("\x1f".join(str(p) for p in (*parts, keys[0])).encode()).digest()
        )


def test_key_text_for_every_type(sample_bank: Path) -> None:
    bank = _bank(sample_bank)
    by_type = {}
    for q in bank.questions:
        by_type.setdefault(q.type, q.id)
    d = draw(bank, Selection(filters=Filters(ids=tuple(by_type.values()))))
    keys = {x.question.type: x.key_text for x in d.forms[0].questions}
    assert set(keys) == set(by_type) and len(keys) == 9
    assert keys["essay"] == "(essay)"
    assert keys["truefalse"] in ("true", "false")
    assert re.fullmatch(r"[A-Z](, [A-Z])*", keys["single"]) and "," not in keys["single"]
    assert re.fullmatch(r"[A-Z](, [A-Z])*", keys["multi"])
    assert re.fullmatch(r"[A-Z](, [A-Z])+", keys["order"])
    assert re.fullmatch(r"1-[A-Z](, \d+-[A-Z])*", keys["match"])
    assert keys["cloze"] and "{{" not in keys["cloze"]
