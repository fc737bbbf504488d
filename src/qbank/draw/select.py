"""Filters, seeded draws, blueprint quotas, option shuffling and form manifests.

One module selects questions for every exporter, so a worksheet, its answer key, a web quiz
and an Anki deck made from the same selection and seed hold the same questions in the same
order with the same option order (DESIGN §4).

Reproducibility is the contract: same bank, selection and seed → same draw on every machine
and Python version. So nothing here uses ``hash()``, set iteration order or :mod:`random`
(whose algorithms Python does not promise to keep). Every "random" choice is a sort by a rank::

    rank(parts) = SHA-256(UTF-8("\\x1f".join(str(part) for part in parts)))

compared as bytes, ties broken by position. The parts are:

================================  =====================================================
which questions a section picks   ``seed, "pick", section index, question id``
question order on form ``f``      ``seed, f, "questions", question id`` (+ retry ``r``)
option order                      ``seed, f, question id, "options", option index``
order items / match right column  ``seed, f, question id, "items" | "match", index``
================================  =====================================================

``f`` is the form's 0-based index. A section takes the ``count`` best-ranked questions not
already on the form (kept in bank order when questions are not shuffled). Questions are
shuffled within each quiz section (sections keep their order) and across topics in a
blueprint draw. Options that say "None/All of the above" are left out of the option sort
and follow in their written order. Ranking picks by question id (not by position) keeps a
draw stable when unrelated questions are added: a new question enters a section's pick only
if its own rank beats one already picked. tests/golden/ pins all of this byte for byte, and
tests/test_select.py re-implements it with :mod:`hashlib` alone, so another implementation
(a JavaScript player) can follow it.

The draw algorithm itself is below; the parts live beside it in :mod:`qbank.draw`
(see the package docstring).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from qbank.draw.filters import Filters, filter_questions
from qbank.draw.planning import SectionSpec, check_references, plan_sections
from qbank.draw.result import Draw, DrawnQuestion, DrawSection, Form, Selection, SelectionError
from qbank.draw.seeding import form_name, part_order, seeded_order
from qbank.model import AnyQuestion

if TYPE_CHECKING:
    from qbank.load import Bank

_QUESTION_ORDER_RETRIES = 8


def unique_questions(questions: Iterable[AnyQuestion]) -> list[AnyQuestion]:
    """First definition of each id (a duplicated id is QB601; never draw it twice)."""
    seen: dict[str, AnyQuestion] = {}
    for q in questions:
        seen.setdefault(q.id, q)
    return list(seen.values())


def _pool(questions: Sequence[AnyQuestion], filters: Filters) -> list[AnyQuestion]:
    matched = filter_questions(questions, filters)
    if filters.ids:
        position: dict[str, int] = {}
        for i, qid in enumerate(filters.ids):
            position.setdefault(qid, i)
        matched.sort(key=lambda q: position[q.id])
    return matched


def _section_error(spec: SectionSpec, pool_size: int) -> SelectionError:
    desc = spec.filters.describe()
    if spec.label.startswith("blueprint"):
        topic = spec.filters.topics[0]
        what = f"no question has topic {topic} or a sub-topic" if not pool_size else None
        return SelectionError(
            f"{spec.label} needs {spec.count} question(s) but "
            + (what or f"only {pool_size} match ({desc})"),
            spec.count_location,
            hint="add questions to the topic, lower its weight under `blueprint:` "
            "in qbank.yaml, or draw fewer questions",
            # --blueprint N asked for more than the bank holds (a usage error); a blueprint
            # topic no question has is the manifest's problem, whatever N
            usage=bool(pool_size),
        )
    where = "the selection" if spec.label == "the selection" else spec.label
    if spec.count is not None and pool_size:
        return SelectionError(
            f"{where} ({desc}) asks for {spec.count} questions but only {pool_size} match",
            spec.count_location or spec.location,
            hint="lower the count, widen the filters, or add questions",
            usage=spec.quiz is None,
        )
    return SelectionError(
        f"{where} ({desc}): no question matches",
        spec.location,
        hint="widen the filters; `qbank draw` with fewer options shows what matches",
        usage=spec.quiz is None,
    )


def _form_sequence(
    picked: dict[int, list[AnyQuestion]],
    n_sections: int,
    seed: str,
    form: int,
    shuffle: bool,
    mix_sections: bool,
    previous: set[tuple[str, ...]],
) -> list[tuple[int, AnyQuestion]]:
    """(section, question) in the order shown on ``form``.

    Sections stay in their order (a quiz's "Part 1", "Part 2") and are shuffled inside;
    blueprint topics are mixed, like a real exam. A later form whose order repeats an
    earlier form's tries again with a retry number in the rank, up to a few times.
    """
    groups = [list(range(n_sections))] if mix_sections else [[i] for i in range(n_sections)]
    sequence: list[tuple[int, AnyQuestion]] = []
    for retry in range(_QUESTION_ORDER_RETRIES if shuffle else 1):
        parts: tuple[object, ...] = (seed, form, "questions") + ((retry,) if retry else ())
        sequence = []
        for group in groups:
            block = [(i, q) for i in group for q in picked[i]]
            if shuffle:
                block = [block[j] for j in seeded_order([q.id for _, q in block], *parts)]
            sequence.extend(block)
        if tuple(q.id for _, q in sequence) not in previous:
            break
    return sequence


def selection_pool(bank: Bank, sel: Selection | None = None) -> set[str]:
    """Ids of every question the selection could draw (any section's filters match),
    drafts included: what decides whether an error in the bank concerns this selection.
    Raises :class:`SelectionError` like :func:`draw` for a selection that cannot be planned."""
    _, specs = plan_sections(bank, sel or Selection())
    questions = unique_questions(bank.questions)
    return {q.id for spec in specs for q in _pool(questions, spec.filters)}


def draw(bank: Bank, sel: Selection | None = None) -> Draw:
    """Draw the questions of a selection, one list per form. Raises :class:`SelectionError`.

    Sections without a count take every match and are filled first; counted sections then
    pick from what is left, the one with the fewest matches first, so nested sections
    (topic 4.3 and topic 4) both get their counts. A question appears at most once per form.
    With ``vary_questions`` each form prefers the questions earlier forms used least; when
    the pool is too small for entirely different forms they share some, and ``notes`` says so.
    """
    sel = sel or Selection()
    quiz, specs = plan_sections(bank, sel)
    questions = unique_questions(bank.questions)
    check_references(bank, questions, specs)
    drafts = 0
    if not sel.include_drafts and not any("draft" in s.filters.statuses for s in specs):
        kept = [q for q in questions if q.status != "draft"]
        drafts = len(questions) - len(kept)
        questions = kept

    seed = str(sel.seed if sel.seed is not None else (quiz.seed if quiz else "0"))
    n_forms = sel.forms or (quiz.forms if quiz else 1)
    if n_forms < 1:
        raise SelectionError("forms must be at least 1", usage=sel.forms is not None)
    shuffle_q = sel.shuffle_questions
    if shuffle_q is None:
        shuffle_q = (
            quiz.shuffle_questions
            if quiz
            else bool(sel.count is not None or sel.blueprint is not None or n_forms > 1)
        )
    shuffle_o = sel.shuffle_options
    if shuffle_o is None:
        shuffle_o = quiz.shuffle_options if quiz else sel.shuffle_questions is not False
    vary = (
        sel.vary_questions if sel.vary_questions is not None else bool(quiz and quiz.vary_questions)
    )
    mix_sections = sel.blueprint is not None and quiz is None

    pools = [_pool(questions, s.filters) for s in specs]
    for spec, pool in zip(specs, pools, strict=True):
        if not pool or (spec.count is not None and spec.count > len(pool)):
            raise _section_error(spec, len(pool))
    ranked = [
        [pool[j] for j in seeded_order([q.id for q in pool], seed, "pick", i)]
        if specs[i].count is not None
        else pool
        for i, pool in enumerate(pools)
    ]
    uncounted = [i for i, s in enumerate(specs) if s.count is None]
    counted = sorted(
        (i for i, s in enumerate(specs) if s.count is not None), key=lambda i: (len(pools[i]), i)
    )

    uses: dict[str, int] = {}
    reused_sections: dict[int, int] = {}
    previous_orders: set[tuple[str, ...]] = set()
    forms: list[Form] = []
    for f in range(n_forms):
        taken: set[str] = set()
        picked: dict[int, list[AnyQuestion]] = {}
        for i in uncounted + counted:
            spec, pool = specs[i], pools[i]
            if spec.count is None:
                chosen = [q for q in pool if q.id not in taken]
                if not chosen:
                    raise SelectionError(
                        f"{spec.label} ({spec.filters.describe()}): all of its {len(pool)} "
                        "questions are already in earlier sections",
                        spec.location,
                        hint="make the sections' filters disjoint, or remove this section",
                        usage=spec.quiz is None,
                    )
            else:
                if vary:
                    candidates = [q for q in ranked[i] if q.id not in taken]
                    # stable sort: the least-used first, rank order among equals
                    candidates.sort(key=lambda q: uses.get(q.id, 0))
                else:  # the first `count` untaken in rank order: no need to scan the rest
                    candidates = list(
                        itertools.islice((q for q in ranked[i] if q.id not in taken), spec.count)
                    )
                if len(candidates) < spec.count:
                    left = sum(q.id not in taken for q in pool)
                    on_form = f" on form {form_name(f)}" if n_forms > 1 else ""
                    raise SelectionError(
                        f"{spec.label} ({spec.filters.describe()}) asks for {spec.count} "
                        f"questions but only {left} remain{on_form}: "
                        f"{len(pool) - left} of its {len(pool)} matches are "
                        "already in other sections",
                        spec.count_location or spec.location,
                        hint="lower the count, make the sections' filters disjoint, "
                        "or add questions",
                        usage=spec.quiz is None,
                    )
                chosen = candidates[: spec.count]
                if f and vary and any(uses.get(q.id, 0) for q in chosen):
                    reused_sections[i] = reused_sections.get(i, 0) + 1
                if not shuffle_q:
                    chosen_ids = frozenset(q.id for q in chosen)
                    chosen = [q for q in pool if q.id in chosen_ids]
            taken.update(q.id for q in chosen)
            picked[i] = chosen
        for qs in picked.values():
            for q in qs:
                uses[q.id] = uses.get(q.id, 0) + 1

        sequence = _form_sequence(
            picked, len(specs), seed, f, shuffle_q, mix_sections, previous_orders
        )
        previous_orders.add(tuple(q.id for _, q in sequence))
        drawn = [
            DrawnQuestion(q, n + 1, part_order(q, seed, f, shuffle_o), section=s)
            for n, (s, q) in enumerate(sequence)
        ]
        forms.append(Form(form_name(f), f, drawn))

    sections = [
        DrawSection(
            index=i,
            label=s.label,
            filters=s.filters,
            count=s.count,
            available=len(pools[i]),
            title=s.title,
            location=s.location,
        )
        for i, s in enumerate(specs)
    ]
    notes = [
        f"{sections[i].label}: {sections[i].available} questions match "
        f"({sections[i].filters.describe()}), too few for {n_forms} forms of "
        f"{sections[i].count} with none in common; {reused} form(s) repeat questions "
        "used on earlier forms"
        for i, reused in sorted(reused_sections.items())
    ]
    if drafts:
        notes.append(
            f"{drafts} draft question{'s' if drafts != 1 else ''} (status: draft) left out; "
            "--include-drafts adds them"
        )
    return Draw(
        bank_id=bank.id,
        title=sel.title or (quiz.title if quiz else bank.title),
        seed=seed,
        forms=forms,
        instructions=quiz.instructions if quiz else None,
        quiz=quiz.file if quiz else None,
        shuffle_questions=shuffle_q,
        shuffle_options=shuffle_o,
        filters=[
            s.filters.describe() + (f" × {s.count}" if s.count is not None else "") for s in specs
        ],
        sections=sections,
        vary_questions=vary,
        blueprint=sel.blueprint if quiz is None else None,
        time_limit_minutes=quiz.time_limit_minutes if quiz else None,
        notes=notes,
    )
