"""Property tests (hypothesis) for draws over generated banks and selections.

For any bank and selection: a form never repeats a question, every question matches its
filters, counts are met exactly (or the draw is refused with the right numbers), the same
seed gives the same draw, the order of the bank's files does not matter, option orders are
permutations that keep "None of the above" last and honour ``shuffle: false``, and
blueprint splits stay within one question of the weights.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qbank.draw import (
    Filters,
    Selection,
    SelectionError,
    blueprint_counts,
    draw,
    letter,
    manifest_json,
    topic_matches,
)
from qbank.load import Bank
from qbank.model import QUESTION_ADAPTER, Manifest, Quiz

TOPICS = ("1", "1.1", "1.2", "2", "2.1", "4", "4.3", "4.3.1")
TAGS = ("aws", "iam", "vpc", "s3")
TYPES = ("single", "multi", "truefalse", "order", "match", "short", "essay")
STATUSES = ("draft", "review", "approved")
DIFFICULTIES = ("easy", "medium", "hard")

PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def question(draw_: Any, index: int) -> dict[str, Any]:
    qtype = draw_(st.sampled_from(TYPES))
    data: dict[str, Any] = {
        "id": f"q{index:03d}",
        "type": qtype,
        "text": f"Question {index}?",
        "topic": draw_(st.sampled_from(TOPICS)),
        "tags": draw_(st.lists(st.sampled_from(TAGS), unique=True, max_size=3)),
        "points": draw_(st.integers(1, 3)),
    }
    if draw_(st.booleans()):
        data["status"] = draw_(st.sampled_from(STATUSES))
    if draw_(st.booleans()):
        data["difficulty"] = draw_(st.sampled_from(DIFFICULTIES))
    if qtype in ("single", "multi"):
        n = draw_(st.integers(2, 6))
        correct = (
            {draw_(st.integers(0, n - 1))}
            if qtype == "single"
            else set(draw_(st.lists(st.integers(0, n - 1), min_size=1, unique=True)))
        )
        options: list[Any] = [
            {"text": f"option {index}-{i}", "correct": i in correct} for i in range(n)
        ]
        if draw_(st.booleans()):
            options.append("None of the above")
        data["options"] = options
        data["shuffle"] = draw_(st.sampled_from([True, True, True, False]))
    elif qtype == "truefalse":
        data["answer"] = draw_(st.booleans())
    elif qtype == "order":
        data["items"] = [f"step {i}" for i in range(draw_(st.integers(1, 5)))]
    elif qtype == "match":
        data["pairs"] = [[f"l{i}", f"r{i}"] for i in range(draw_(st.integers(1, 5)))]
    elif qtype == "short":
        data["answers"] = ["x"]
    return data


@st.composite
def banks(draw_: Any, min_size: int = 1, max_size: int = 30) -> Bank:
    n = draw_(st.integers(min_size, max_size))
    qs = [QUESTION_ADAPTER.validate_python(draw_(question(i))) for i in range(n)]
    order = draw_(st.permutations(range(n)))  # file order is arbitrary
    weights = draw_(
        st.dictionaries(
            st.sampled_from(("1", "2", "4", "4.3")), st.integers(1, 60), min_size=1, max_size=4
        )
    )
    manifest = Manifest(
        id="prop",
        title="Property bank",
        topics={t: t for t in TOPICS},
        blueprint={k: float(v) for k, v in weights.items()},
    )
    return Bank(
        root=Path("."),
        manifest=manifest,
        questions=[qs[i] for i in order],
        quizzes={},
        files={},
        problems=[],
    )


def _filters(draw_: Any, bank: Bank) -> Filters:
    """Filters built from values the bank really has (unknown values are refused)."""
    topics = sorted({q.topic for q in bank.questions if q.topic})
    tags = sorted({t for q in bank.questions for t in q.tags})
    ids = [q.id for q in bank.questions]

    def pick(values: list[str]) -> tuple[str, ...]:
        if not values or draw_(st.integers(0, 3)) != 0:
            return ()
        return tuple(draw_(st.lists(st.sampled_from(values), unique=True, max_size=2)))

    return Filters(
        topics=pick(topics),
        tags=pick(tags),
        types=pick(list(TYPES)),
        statuses=pick(list(STATUSES)),
        difficulties=pick(list(DIFFICULTIES)),
        ids=tuple(draw_(st.lists(st.sampled_from(ids), unique=True, max_size=6)))
        if draw_(st.integers(0, 4)) == 0
        else (),
    )


@st.composite
def scenarios(draw_: Any) -> tuple[Bank, Selection]:
    bank = draw_(banks())
    filters = _filters(draw_, bank)
    selection = Selection(
        filters=filters,
        count=draw_(st.one_of(st.none(), st.integers(1, 12))),
        seed=draw_(st.text(max_size=8)),
        forms=draw_(st.integers(1, 4)),
        shuffle_questions=draw_(st.one_of(st.none(), st.booleans())),
        shuffle_options=draw_(st.one_of(st.none(), st.booleans())),
        vary_questions=draw_(st.one_of(st.none(), st.booleans())),
        include_drafts=True,  # drafts are left out by default; these check the filters
    )
    return bank, selection


def _check_form_invariants(d: Any) -> None:
    for form in d.forms:
        ids = [x.id for x in form.questions]
        assert len(ids) == len(set(ids)), "a question repeats within a form"
        assert [x.number for x in form.questions] == list(range(1, len(ids) + 1))
        for x in form.questions:
            q = x.question
            options = getattr(q, "options", None)
            if options is not None:
                assert sorted(x.order) == list(range(len(options)))
                if not q.shuffle or not d.shuffle_options:
                    assert x.order == tuple(range(len(options)))
                if options[-1].text == "None of the above":
                    assert x.order[-1] == len(options) - 1, "None of the above stays last"
                shown = x.options
                assert [shown[ord(k) - 65].correct for k in x.correct_letters] == [True] * len(
                    x.correct_letters
                )
                assert len(x.correct_letters) == sum(o.correct for o in options)
            elif q.type in ("order", "match"):
                n = len(q.items) if q.type == "order" else len(q.pairs)  # type: ignore[union-attr]
                assert sorted(x.order) == list(range(n))
                if n > 1:
                    assert list(x.order) != list(range(n)), "never shown in the answer's order"


@PROPS
@given(scenarios())
def test_draws_respect_filters_counts_and_never_repeat(case: tuple[Bank, Selection]) -> None:
    bank, sel = case
    pool = [q for q in bank.questions if sel.filters.matches(q)]
    try:
        d = draw(bank, sel)
    except SelectionError as exc:
        # refused only when the pool really cannot satisfy the selection
        assert not pool or (sel.count is not None and sel.count > len(pool)), exc.message
        if pool:
            assert f"asks for {sel.count} questions but only {len(pool)} match" in exc.message
        return
    assert pool
    expected = sel.count if sel.count is not None else len(pool)
    pool_ids = {q.id for q in pool}
    for form in d.forms:
        assert len(form.questions) == expected
        assert {x.id for x in form.questions} <= pool_ids
        for x in form.questions:
            assert sel.filters.matches(x.question)
    assert len(d.forms) == (sel.forms or 1)
    _check_form_invariants(d)
    if sel.count is None:
        assert all({x.id for x in f.questions} == pool_ids for f in d.forms)
    if not d.shuffle_questions:
        # unshuffled: bank order (or the order --ids lists)
        position = {q.id: i for i, q in enumerate(bank.questions)}
        if sel.filters.ids:
            position = {qid: i for i, qid in enumerate(sel.filters.ids)}
        for form in d.forms:
            keys = [position[x.id] for x in form.questions]
            assert keys == sorted(keys)


@PROPS
@given(scenarios(), st.randoms(use_true_random=False))
def test_same_seed_same_draw_whatever_the_file_order(
    case: tuple[Bank, Selection], rnd: Any
) -> None:
    bank, sel = case
    try:
        first = manifest_json(draw(bank, sel))
    except SelectionError as exc:
        try:
            draw(bank, sel)
        except SelectionError as again:
            assert again.message == exc.message
        return
    assert manifest_json(draw(bank, sel)) == first
    shuffled = list(bank.questions)
    rnd.shuffle(shuffled)
    other = Bank(
        root=bank.root,
        manifest=bank.manifest,
        questions=shuffled,
        quizzes={},
        files={},
        problems=[],
    )
    d1, d2 = draw(bank, sel), draw(other, sel)
    for f1, f2 in zip(d1.forms, d2.forms, strict=True):
        assert {x.id for x in f1.questions} == {x.id for x in f2.questions}
        if d1.shuffle_questions:
            # the shown order depends on ids and the seed only, never on file order
            assert [(x.id, x.order) for x in f1.questions] == [
                (x.id, x.order) for x in f2.questions
            ]


@PROPS
@given(banks(min_size=6), st.text(max_size=6), st.integers(2, 4))
def test_vary_questions_prefers_unused_questions(bank: Bank, seed: str, forms: int) -> None:
    n = len(bank.questions)
    count = max(1, n // forms)
    d = draw(
        bank,
        Selection(count=count, forms=forms, vary_questions=True, seed=seed, include_drafts=True),
    )
    _check_form_invariants(d)
    seen: set[str] = set()
    for form in d.forms:
        ids = {x.id for x in form.questions}
        assert len(ids) == count
        assert not (ids & seen), "the pool has room for disjoint forms"
        seen |= ids
    assert d.notes == []


@PROPS
@given(banks(min_size=4), st.text(max_size=6))
def test_shuffled_forms_have_different_question_orders(bank: Bank, seed: str) -> None:
    d = draw(bank, Selection(forms=2, seed=seed, shuffle_questions=True, include_drafts=True))
    a, b = ([x.id for x in f.questions] for f in d.forms)
    assert sorted(a) == sorted(b) and a != b


@PROPS
@given(banks(), st.integers(1, 25), st.text(max_size=6))
def test_blueprint_draw_within_one_question_per_topic(bank: Bank, total: int, seed: str) -> None:
    weights = bank.manifest.blueprint  # type: ignore[union-attr]
    wsum = sum(Fraction(str(w)) for w in weights.values())
    try:
        d = draw(bank, Selection(blueprint=total, seed=seed, include_drafts=True))
    except SelectionError as exc:
        assert exc.message.startswith("blueprint topic") or "remain" in exc.message
        return
    _check_form_invariants(d)
    form = d.forms[0]
    assert len(form.questions) == total
    by_section = {i: 0 for i in range(len(d.sections))}
    for x in form.questions:
        by_section[x.section] += 1
        section = d.sections[x.section]
        assert topic_matches(x.question.topic, section.filters.topics[0])
    for s in d.sections:
        topic = s.filters.topics[0]
        exact = total * Fraction(str(weights[topic])) / wsum
        assert abs(by_section[s.index] - exact) < 1


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 500),
    st.dictionaries(
        st.text(min_size=1, max_size=4),
        st.one_of(st.integers(0, 100), st.floats(0, 100, allow_nan=False)),
        min_size=1,
        max_size=8,
    ),
)
def test_largest_remainder_split(total: int, weights: dict[str, float]) -> None:
    wsum = sum(Fraction(str(float(w))) for w in weights.values())
    try:
        counts = blueprint_counts(total, weights)
    except SelectionError:
        assert wsum == 0
        return
    assert sum(counts.values()) == total
    assert list(counts) == list(weights)
    for topic, n in counts.items():
        exact = total * Fraction(str(float(weights[topic]))) / wsum
        assert abs(n - exact) < 1 and n >= 0


@PROPS
@given(banks(min_size=3), st.data())
def test_quiz_sections_get_their_counts(bank: Bank, data: st.DataObject) -> None:
    """Sections with overlapping filters: each gets exactly its count, or a clear refusal."""
    topics = sorted({q.topic for q in bank.questions if q.topic})
    sections = []
    for _ in range(data.draw(st.integers(1, 3))):
        section: dict[str, Any] = {"count": data.draw(st.integers(1, 6))}
        if data.draw(st.booleans()):
            section["topic"] = data.draw(st.sampled_from(topics))
        if data.draw(st.booleans()):
            section["type"] = data.draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=3))
        sections.append(section)
    quiz = Quiz.model_validate(
        {
            "title": "P",
            "seed": data.draw(st.text(max_size=5)),
            "sections": sections,
            "forms": data.draw(st.integers(1, 3)),
            "vary_questions": data.draw(st.booleans()),
        }
    )
    bank.quizzes["quizzes/p.yaml"] = quiz
    try:
        d = draw(bank, Selection(quiz="quizzes/p.yaml", include_drafts=True))
    except SelectionError as exc:
        # the refusal names a section whose numbers really do not add up
        pools = [
            [q for q in bank.questions if Filters.from_section(s).matches(q)] for s in quiz.sections
        ]
        number = int(exc.message.split()[1]) - 1
        asked, pool = quiz.sections[number].count, pools[number]
        if "no question matches" in exc.message:
            assert not pool
        elif "remain" in exc.message:
            others = {q.id for j, p in enumerate(pools) if j != number for q in p}
            assert len(pool) >= (asked or 0) and others & {q.id for q in pool}
        else:
            assert f"asks for {asked} questions but only {len(pool)} match" in exc.message
            assert asked is not None and asked > len(pool)
        return
    _check_form_invariants(d)
    for form in d.forms:
        for i, s in enumerate(quiz.sections):
            got = [x for x in form.questions if x.section == i]
            assert len(got) == s.count
            assert all(Filters.from_section(s).matches(x.question) for x in got)
        sections_seen = [x.section for x in form.questions]
        assert sections_seen == sorted(sections_seen)


def test_letters_are_bijective() -> None:
    names = [letter(i) for i in range(2000)]
    assert len(set(names)) == 2000
    assert names[:3] == ["A", "B", "C"]
