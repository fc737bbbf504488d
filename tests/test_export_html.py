"""``qbank export html``: the offline quiz page, played in headless Chromium.

Python playwright drives Debian's ``/usr/bin/chromium`` (never a downloaded browser). Every
page is opened from ``file://`` behind a guard that aborts and records any request that is
not a local file or ``data:`` URI, records dialogs (an ``alert`` from author text would show
up there), console errors (a Content-Security-Policy violation is one) and page errors; each
test ends by asserting that all of these stayed empty.

The page's scores are compared with qbank's own grader (:mod:`qbank.grade`), which the
player's JavaScript mirrors. Screenshots go to ``test-artifacts/`` for a human look.

Skips locally without chromium; fails in CI (``QBANK_REQUIRE_TOOLS=1``).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import require_tool
from qbank.cli import main
from qbank.draw import Selection, draw
from qbank.export.web import html as html_export
from qbank.export.web import quiz_json
from qbank.grade import blank_answers, grade, key_response
from qbank.load import load_bank
from qbank.model import AnyQuestion, Cloze, Match, Multi, Numeric, Order, Short, Single, TrueFalse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
EVIL = "<script>alert(1)</script>"
#: one question of each type from the sample bank (and a two-blank cloze)
ALL_TYPES = ",".join(
    [
        "sagemaker-interface-endpoint",  # single, with an image, 2 points
        "missing-values-strategies",  # multi, partial
        "security-group-rules-allow-only",  # truefalse
        "glue-crawler-data-catalog",  # cloze, two blanks
        "cloudtrail-invokeendpoint-exception",  # short, max_words
        "kinesis-shard-count",  # numeric with unit
        "training-job-status-order",  # order
        "s3-sse-key-management",  # match
        "churn-framing-essay",  # essay
    ]
)


# -- the browser and the guard -----------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = require_tool("chromium", CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Guard:
    """Everything a page did that a safe offline quiz must not do."""

    blocked: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def check(self) -> None:
        assert self.dialogs == [], f"author text ran as script: {self.dialogs}"
        assert self.blocked == [], f"requests left the page: {self.blocked}"
        assert all(u.startswith(("file:", "data:")) for u in self.requests), self.requests
        assert self.errors == [], self.errors
        assert self.console == [], self.console


Opener = Callable[..., tuple[Any, Guard]]


@pytest.fixture
def open_page(browser: Any) -> Iterator[Opener]:
    contexts: list[Any] = []
    guards: list[Guard] = []

    def opener(path: Path, *, width: int = 375, height: int = 800) -> tuple[Any, Guard]:
        context = browser.new_context(
            viewport={"width": width, "height": height}, device_scale_factor=2
        )
        contexts.append(context)
        guard = Guard()
        guards.append(guard)

        def route(r: Any) -> None:
            url = r.request.url
            if url.startswith(("file:", "data:")):
                r.continue_()
            else:
                guard.blocked.append(url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("request", lambda req: guard.requests.append(req.url))
        page.on(
            "console",
            lambda m: (
                guard.console.append(f"{m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        page.on("pageerror", lambda e: guard.errors.append(str(e)))
        page.on("dialog", lambda d: (guard.dialogs.append(d.message), d.dismiss()))
        page.goto(path.as_uri())
        page.wait_for_selector("body[data-ready='1']")
        return page, guard

    yield opener
    for context in contexts:
        context.close()
    for guard in guards:  # every page of every test: nothing ran, nothing left
        guard.check()


def export_html(bank: Path, out: Path, *args: str) -> str:
    result = CliRunner().invoke(
        main, ["export", "html", str(bank), "-o", str(out), *args], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    return result.stderr


def quiz_doc(bank_dir: Path, **selection: Any) -> tuple[dict[str, Any], dict[str, AnyQuestion]]:
    """The quiz document the page embeds (same draw), and the bank's questions by id."""
    bank = load_bank(bank_dir)
    return quiz_json.build(draw(bank, Selection(**selection)), bank), bank.by_id()


# -- responses: grade.py form (original indices) → what the page works with (ids) -------------


def to_ids(q: AnyQuestion, response: Any) -> Any:
    qid = q.id
    if isinstance(q, Single):
        return None if response is None else quiz_json.option_id(qid, response)
    if isinstance(q, Multi):
        return [quiz_json.option_id(qid, i) for i in response]
    if isinstance(q, Order):
        return [quiz_json.item_id(qid, i) for i in response]
    if isinstance(q, Match):
        return {quiz_json.left_id(qid, k): quiz_json.right_id(qid, v) for k, v in response.items()}
    return response


def answer(page: Any, q: dict[str, Any], response: Any) -> None:
    """Answer the question on screen through the page's controls, like a learner."""
    card = page.locator(f'.qb-card[data-name="{q["id"]}"]')
    kind = q["type"]
    if kind == "single" and response is not None:
        card.locator(f'[data-option="{response}"]').click()
    elif kind == "multi":
        for option in response:
            card.locator(f'[data-option="{option}"]').click()
    elif kind == "truefalse":
        card.locator(f'[data-option="{"true" if response else "false"}"]').click()
    elif kind == "cloze":
        for i, text in enumerate(response):
            card.locator(".qb-blank-input").nth(i).fill(text)
    elif kind in ("short", "numeric"):
        card.locator(".qb-text-input").fill(response)
    elif kind == "order":
        for target, item in enumerate(response):
            shown = card.locator(".qb-order-item").evaluate_all(
                "els => els.map(e => e.dataset.item)"
            )
            for _ in range(shown.index(item) - target):
                card.locator(f'[data-item="{item}"] [data-dir="up"]').click()
    elif kind == "match":
        for left, right in response.items():
            card.locator(f'select[data-left="{left}"]').select_option(right)
    elif kind == "essay":
        card.locator("textarea").fill(response)


def next_button(page: Any, last: bool) -> Any:
    return page.get_by_role("button", name="Finish" if last else "Next", exact=True)


def play(page: Any, doc: dict[str, Any], responses: dict[str, Any], form: int = 0) -> None:
    from playwright.sync_api import expect

    qs = doc["forms"][form]["questions"]
    for n, q in enumerate(qs):
        expect(page.locator(".qb-counter")).to_have_text(f"Question {n + 1} / {len(qs)}")
        answer(page, q, responses[q["id"]])
        next_button(page, n == len(qs) - 1).click()
    expect(page.locator(".qb-score")).to_be_visible()


def expected_score(models: dict[str, AnyQuestion], responses: dict[str, Any]) -> dict[str, Any]:
    grades = [grade(models[qid], r) for qid, r in responses.items()]
    earned = sum((g.earned for g in grades if g.graded), Fraction(0))
    possible = sum(g.possible for g in grades if g.graded)
    return {"earned": earned, "possible": possible, "percent": round(100 * earned / possible)}


# -- the study guide's quiz --------------------------------------------------------------------


@pytest.mark.slow  # a browser
def test_quiz_43_full_score(
    open_page: Opener, sample_bank: Path, tmp_path: Path, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    out = tmp_path / "4.3-practice.html"
    export_html(sample_bank, out, "--quiz", "4.3-practice")
    doc, models = quiz_doc(sample_bank, quiz="4.3-practice")
    qs = doc["forms"][0]["questions"]
    assert len(qs) == 5
    page, guard = open_page(out)
    expect(page).to_have_title("4.3 AWS security for machine learning")
    expect(page.locator(".qb-counter")).to_have_text("Question 1 / 5")
    expect(page.locator(".qb-counter")).to_contain_text("1 / 5")
    assert page.locator(".qb-progress").first.evaluate("p => [p.value, p.max]") == [1, 5]
    page.screenshot(path=str(artifacts / "html-4.3-question-1.png"), full_page=True)

    counters_seen = 0
    for n, q in enumerate(qs):
        model = models[q["id"]]
        expect(page.locator(".qb-counter")).to_contain_text(f"{n + 1} / 5")
        response = to_ids(model, key_response(model))
        answer(page, q, response)
        if q.get("max_words"):  # typed answers show "N words left"
            texts = response if isinstance(response, list) else [response]
            left = q["max_words"] - len(" ".join(texts).split())
            expect(page.locator(".qb-words").first).to_have_text(
                f"{left} word left" if left == 1 else f"{left} words left"
            )
            counters_seen += 1
        if n == 2:
            page.screenshot(path=str(artifacts / "html-4.3-question-3.png"), full_page=True)
        next_button(page, n == 4).click()
    assert counters_seen >= 1, "the 4.3 quiz has typed answers with a word limit"

    expect(page.locator(".qb-score")).to_have_text("Your score is 100%")
    result = page.evaluate("window.qbankResult")
    total = sum(models[q["id"]].points for q in qs)
    assert result["percent"] == 100 and result["earned"] == result["possible"] == total
    assert [r["id"] for r in result["questions"]] == [q["id"] for q in qs]
    assert all(r["correct"] for r in result["questions"])
    expect(page.locator(".qb-score-detail")).to_have_text(
        f"{total} of {total} points · 5 of 5 questions right"
    )
    assert page.evaluate("document.activeElement.id") == "qb-score"  # focus moved to the score
    page.screenshot(path=str(artifacts / "html-4.3-results.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    guard.check()


@pytest.mark.slow  # a browser
def test_words_left_counter_like_the_study_guide(
    open_page: Opener, sample_bank: Path, tmp_path: Path, artifacts: Path
) -> None:
    """AYS behaviour: words are runs of non-space; past the limit the text is cut back to N
    words; the counter never goes below 0 and turns into an error style at 0."""
    from playwright.sync_api import expect

    out = tmp_path / "nat.html"
    export_html(sample_bank, out, "--ids", "nat-gateway-purpose", "--no-shuffle")
    page, guard = open_page(out)
    expect(page.locator(".qb-counter")).to_contain_text("1 / 1")
    stem = page.locator(".qb-stem")
    expect(stem).to_contain_text("A  improves security")  # the blank is an input in the text
    box = page.get_by_role("textbox", name="Answer for the blank")
    assert box.evaluate("b => b.closest('.qb-stem') !== null")
    counter = page.locator(".qb-words")
    expect(counter).to_have_text("4 words left")
    box.press_sequentially("NAT")
    expect(counter).to_have_text("3 words left")
    box.press_sequentially(" Gateway  x")
    expect(counter).to_have_text("1 word left")
    expect(counter).not_to_have_class(re.compile("qb-words-none"))
    box.press_sequentially(" y")
    expect(counter).to_have_text("0 words left")
    expect(counter).to_have_class(re.compile("qb-words-none"))
    box.press_sequentially(" z and more")
    expect(box).to_have_value("NAT Gateway  x y ")  # what was typed at the limit is gone
    expect(counter).to_have_text("0 words left")
    page.screenshot(path=str(artifacts / "html-words-left.png"), full_page=True)
    box.fill("")
    expect(counter).to_have_text("4 words left")
    expect(counter).not_to_have_class(re.compile("qb-words-none"))
    box.fill("one two three four five six")  # a paste is cut too
    expect(box).to_have_value("one two three four ")
    assert box.get_attribute("aria-describedby") == counter.get_attribute("id")
    guard.check()


# -- every question type, end-of-quiz feedback, restart ----------------------------------------


@pytest.mark.slow  # a browser
def test_every_type_through_the_page(
    open_page: Opener, sample_bank: Path, tmp_path: Path, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    out = tmp_path / "types.html"
    export_html(sample_bank, out, "--ids", ALL_TYPES, "--feedback", "end", "--seed", "7")
    doc, models = quiz_doc(sample_bank, filters=_filters(ALL_TYPES), seed="7")
    qs = doc["forms"][0]["questions"]
    assert {q["type"] for q in qs} == {
        "single", "multi", "truefalse", "cloze", "short", "numeric", "order", "match", "essay"
    }  # fmt: skip
    page, guard = open_page(out)
    assert page.get_by_role("button", name="Check", exact=True).count() == 0  # end mode
    keys = {q["id"]: to_ids(models[q["id"]], key_response(models[q["id"]])) for q in qs}
    keys["churn-framing-essay"] = "Binary classification of churn within 30 days."
    for n, q in enumerate(qs):
        expect(page.locator(".qb-counter")).to_contain_text(f"{n + 1} / {len(qs)}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, q["type"]
        assert page.evaluate("document.activeElement.classList.contains('qb-heading')")
        if q["type"] == "order":
            page.screenshot(path=str(artifacts / "html-order.png"), full_page=True)
        if q["type"] == "match":
            page.screenshot(path=str(artifacts / "html-match.png"), full_page=True)
        answer(page, q, keys[q["id"]])
        next_button(page, n == len(qs) - 1).click()
    expect(page.locator(".qb-score")).to_have_text("Your score is 100%")
    expect(page.locator(".qb-results")).to_contain_text("1 answer is not scored automatically.")
    result = page.evaluate("window.qbankResult")
    assert result["graded"] == len(qs) - 1 and result["correct"] == len(qs) - 1
    page.screenshot(path=str(artifacts / "html-all-types-results.png"), full_page=True)

    # restart: back to question 1 with empty answers, then a mixed run scored like qbank
    page.get_by_role("button", name="Restart").click()
    expect(page.locator(".qb-counter")).to_contain_text(f"1 / {len(qs)}")
    assert page.evaluate("window.qbankResult") is None
    assert page.locator(".qb-card input:checked").count() == 0
    mixed_models = {}
    mixed = {}
    for n, q in enumerate(qs):
        model = models[q["id"]]
        if isinstance(model, Multi):
            response = model.correct_indices[:1]  # partial credit
        elif n % 2:
            response = key_response(model)
        else:
            response = _wrong(model)
        mixed_models[q["id"]] = response
        mixed[q["id"]] = to_ids(model, response) if q["type"] != "essay" else "Words."
    play(page, doc, mixed)
    want = expected_score(models, mixed_models)
    result = page.evaluate("window.qbankResult")
    assert Fraction(result["earned"]).limit_denominator(1000) == want["earned"]
    assert result["possible"] == want["possible"] and result["percent"] == want["percent"]
    expect(page.locator(".qb-score")).to_have_text(f"Your score is {want['percent']}%")
    for r in result["questions"]:
        g = grade(models[r["id"]], mixed_models[r["id"]])
        assert r["correct"] == g.correct and r["graded"] == g.graded, r["id"]
    guard.check()


def _filters(ids: str) -> Any:
    from qbank.draw import Filters

    return Filters(ids=tuple(ids.split(",")))


def _wrong(q: AnyQuestion) -> Any:
    if isinstance(q, Single):
        return next(i for i, o in enumerate(q.options) if not o.correct)
    if isinstance(q, Multi):
        return [i for i, o in enumerate(q.options) if not o.correct]
    if isinstance(q, TrueFalse):
        return not q.answer
    if isinstance(q, Cloze):
        return ["nope"] * len(blank_answers(q))
    if isinstance(q, Short):
        return "nope"
    if isinstance(q, Numeric):
        return "-1"
    if isinstance(q, Order):
        return list(reversed(range(len(q.items))))
    if isinstance(q, Match):
        return {i: (i + 1) % len(q.pairs) for i in range(len(q.pairs))}
    return "essay"


# -- immediate feedback, keyboard and screen readers -------------------------------------------


@pytest.mark.slow  # a browser
def test_immediate_feedback_and_keyboard(
    open_page: Opener, sample_bank: Path, tmp_path: Path, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    out = tmp_path / "tf.html"
    ids = "security-group-rules-allow-only,vpc-security-features"
    export_html(sample_bank, out, "--ids", ids, "--no-shuffle", "--no-shuffle-options")
    page, guard = open_page(out)
    # keyboard only: the heading has focus; Tab reaches the first answer, Space picks it
    assert page.evaluate("document.activeElement.textContent") == "Question 1"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "radio"
    page.keyboard.press("Space")  # "True": the wrong answer
    expect(page.get_by_role("radio", name="True")).to_be_checked()
    group = page.get_by_role("group", name="True or false?")
    expect(group).to_be_visible()  # a fieldset with a legend
    assert group.get_attribute("aria-describedby") == page.locator(".qb-stem").get_attribute("id")
    page.get_by_role("button", name="Check", exact=True).click()
    feedback = page.get_by_role("status")
    assert feedback.get_attribute("aria-live") == "polite"
    expect(feedback).to_contain_text("Not quite.")
    expect(feedback).to_contain_text("Answer: False")
    expect(feedback).to_contain_text("Explanation")
    expect(feedback).to_contain_text("Security Group rules can only allow traffic")
    expect(page.get_by_role("radio", name="True")).to_be_disabled()
    expect(page.locator('[data-option="false"]')).to_have_class(re.compile("qb-option-key"))
    expect(page.locator('[data-option="true"]')).to_have_class(re.compile("qb-option-miss"))
    assert page.evaluate("document.activeElement.textContent") == "Next"
    page.screenshot(path=str(artifacts / "html-immediate-feedback.png"), full_page=True)
    page.keyboard.press("Enter")
    expect(page.locator(".qb-counter")).to_contain_text("2 / 2")
    assert page.evaluate("document.activeElement.textContent") == "Question 2"
    expect(page.get_by_role("group", name="Choose all that apply.")).to_be_visible()
    page.get_by_role("checkbox", name="Security groups").check()
    page.get_by_role("checkbox", name="Network ACLs").check()
    page.get_by_role("button", name="Check", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Correct!")
    expect(page.get_by_role("status")).to_contain_text("filter traffic at the instance level")
    page.get_by_role("button", name="Back").click()  # the checked answer is kept and locked
    expect(page.get_by_role("radio", name="True")).to_be_checked()
    expect(page.get_by_role("radio", name="True")).to_be_disabled()
    expect(page.get_by_role("status")).to_contain_text("Not quite.")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Finish").click()
    expect(page.locator(".qb-score")).to_have_text("Your score is 50%")
    expect(page.locator(".qb-review")).to_contain_text("Your answer: True")
    guard.check()


@pytest.mark.slow  # a browser
def test_several_forms_offer_a_choice(open_page: Opener, sample_bank: Path, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    out = tmp_path / "forms.html"
    export_html(sample_bank, out, "--quiz", "4.3-practice", "--forms", "2")
    doc, models = quiz_doc(sample_bank, quiz="4.3-practice", forms=2)
    page, guard = open_page(out)
    page.get_by_role("button", name="Form B").click()
    expect(page.locator(".qb-counter")).to_contain_text("1 / 5")
    form_b = doc["forms"][1]["questions"]
    expect(page.locator(".qb-card")).to_have_attribute("data-name", form_b[0]["id"])
    keys = {q["id"]: to_ids(models[q["id"]], key_response(models[q["id"]])) for q in form_b}
    play(page, doc, keys, form=1)
    assert page.evaluate("window.qbankResult.form") == "B"
    expect(page.locator(".qb-score")).to_have_text("Your score is 100%")
    page.get_by_role("button", name="Restart").click()
    expect(page.get_by_role("button", name="Form A")).to_be_visible()
    guard.check()


# -- the player's grader mirrors qbank's -------------------------------------------------------

MIRROR_BANK = {
    "q.yaml": """\
    questions:
      - id: case-cloze
        type: cloze
        text: "Call {{InvokeEndpoint|Invoke-Endpoint}} and {{Café}}."
        case_sensitive: true
      - id: case-short
        type: short
        text: Name it
        answers: [ÉTÉ, summer]
        case_sensitive: true
      - id: abs-numeric
        type: numeric
        text: Roughly?
        answer: "0.3"
        tolerance: "0.1"
        unit: m/s
      - id: big-numeric
        type: numeric
        text: Exactly?
        answer: "12345678901234567890.5"
      - id: partial-multi
        type: multi
        partial: true
        points: 3
        text: Pick
        options:
          - {text: a, correct: true}
          - {text: b, correct: true}
          - {text: c, correct: true}
          - d
          - e
    """
}


def _variants(q: AnyQuestion) -> list[Any]:
    """Many responses per question: keys, alternatives, near misses, odd input."""
    out: list[Any] = [key_response(q), _wrong(q), None]
    if isinstance(q, Single):
        out += list(range(len(q.options)))
    elif isinstance(q, Multi):
        n = len(q.options)
        out += [list(c) for k in range(n + 1) for c in itertools.combinations(range(n), k)][:40]
    elif isinstance(q, TrueFalse):
        out += [True, False]
    elif isinstance(q, Cloze):
        alts = blank_answers(q)
        out += [list(t) for t in itertools.product(*alts)]
        out += [
            [f" {a.upper()}\u00a0" for a in key_response(q)],
            [a.lower() for a in key_response(q)],
        ]
        out += [[a.replace("e\u0301", "é").replace("é", "e\u0301") for a in key_response(q)]]
        out += [key_response(q)[:1], [""] * len(alts)]
    elif isinstance(q, Short):
        out += [*q.answers, *(a.lower() for a in q.answers), *(f"  {a}\t" for a in q.answers), ""]
    elif isinstance(q, Numeric):
        low, high = q.tolerance_bounds()  # type: ignore[misc]
        step = Decimal("1e-9")
        out += [format(v, "f") for v in (low, high, low - step, high + step)]
        out += [f"{q.answer} {q.unit or ''}", f"{q.answer}{q.unit or 'x'}", f"{q.answer}e0"]
        out += ["", "abc", "1e99999", "٣", "+" + q.answer, "0" + q.answer, "-" + q.answer]
    elif isinstance(q, Order):
        out += [list(p) for p in itertools.islice(itertools.permutations(range(len(q.items))), 12)]
        out += [list(range(len(q.items)))[:-1]]
    elif isinstance(q, Match):
        n = len(q.pairs)
        out += [{0: 0}, {i: i for i in range(n)}, {i: 0 for i in range(n)}, {}]
    return out


@pytest.mark.slow  # a browser
def test_player_grader_mirrors_qbank(
    open_page: Opener, sample_bank: Path, make_bank: Any, tmp_path: Path
) -> None:
    cases: list[dict[str, Any]] = []
    expected: list[tuple[bool, bool, Fraction]] = []
    for bank_dir in (sample_bank, make_bank(MIRROR_BANK)):
        bank = load_bank(bank_dir)
        doc = quiz_json.build(draw(bank, Selection()), bank)
        models = bank.by_id()
        for qj in doc["forms"][0]["questions"]:
            model = models[qj["id"]]
            for response in _variants(model):
                if isinstance(model, Multi | Order | Match) and response is None:
                    continue
                g = grade(model, response)
                cases.append(
                    {"q": qj, "r": to_ids(model, response) if response is not None else None}
                )
                expected.append((g.graded, g.correct, g.earned))
    out = tmp_path / "mirror.html"
    export_html(sample_bank, out, "--ids", "nat-gateway-purpose")
    page, guard = open_page(out)
    got = page.evaluate(
        "cases => cases.map(c => { const g = qbankGrade(c.q, c.r); "
        "return [g.graded, g.correct, g.earned]; })",
        cases,
    )
    assert len(got) == len(cases) > 500
    mismatches = [
        (c["q"]["id"], c["r"], want, have)
        for c, want, have in zip(cases, expected, got, strict=True)
        if (have[0], have[1]) != want[:2] or abs(have[2] - float(want[2])) > 1e-9
    ]
    assert mismatches == []
    guard.check()


# -- author text never runs --------------------------------------------------------------------


def evil_bank(make_bank: Any) -> Path:
    return make_bank(
        {
            "qbank.yaml": f'id: evil\ntitle: "Bank {EVIL}"\n',
            "quizzes/q.yaml": f"""\
            title: "Quiz {EVIL}"
            instructions: "Read <img src=x onerror=alert('instructions')> first"
            seed: 1
            shuffle_questions: false
            shuffle_options: false
            sections:
              - count: 4
            """,
            "q.yaml": f"""\
            questions:
              - id: evil-single
                type: single
                text: "Before {EVIL} after"
                options:
                  - text: "{EVIL}"
                    correct: true
                    feedback: "Feedback {EVIL}"
                  - text: "<img src=x onerror=alert(2)>"
                    feedback: "<b onmouseover=alert(3)>bold</b>"
                explanation: "Explanation {EVIL} [link](javascript:alert(4))"
              - id: evil-cloze
                type: cloze
                text: "Type {{{{{EVIL}|x}}}} here <iframe src=javascript:alert(5)></iframe>"
                explanation: "Cloze explanation {EVIL}"
              - id: evil-order
                type: order
                text: "Order <svg onload=alert(6)>"
                items: ["{EVIL}", "</script><script>alert(7)</script>"]
                explanation: "{{{{TITLE}}}} {{{{JS}}}}"
              - id: evil-match
                type: match
                text: "Match <style>body{{display:none}}</style>"
                pairs:
                  - ["{EVIL}", "<img src=x onerror=alert(8)>"]
                  - ["b", "</textarea><script>alert(9)</script>"]
            """,
        },
        manifest=None,
    )


@pytest.mark.slow  # a browser
def test_author_html_shows_as_text_and_never_runs(
    open_page: Opener, make_bank: Any, tmp_path: Path, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    out = tmp_path / "evil.html"
    export_html(evil_bank(make_bank), out, "--quiz", "q")
    page, guard = open_page(out)
    expect(page).to_have_title(f"Quiz {EVIL}")
    expect(page.locator(".qb-title")).to_have_text(f"Quiz {EVIL}")
    expect(page.locator(".qb-instructions")).to_contain_text(
        "<img src=x onerror=alert('instructions')>"
    )
    # question 1: text, options, feedback, explanation
    expect(page.locator(".qb-stem")).to_have_text(f"Before {EVIL} after")
    expect(page.locator(".qb-option").first).to_have_text(EVIL)
    expect(page.locator(".qb-option").nth(1)).to_have_text("<img src=x onerror=alert(2)>")
    page.locator(".qb-option").first.click()
    page.get_by_role("button", name="Check", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(f"Feedback {EVIL}")
    expect(page.get_by_role("status")).to_contain_text(f"Explanation {EVIL} link")
    assert page.locator(".qb-explanation a").count() == 0  # javascript: link dropped
    page.screenshot(path=str(artifacts / "html-author-text-is-text.png"), full_page=True)
    page.get_by_role("button", name="Next").click()
    expect(page.locator(".qb-stem")).to_contain_text(
        "here <iframe src=javascript:alert(5)></iframe>"
    )
    page.locator(".qb-blank-input").fill(EVIL)
    page.get_by_role("button", name="Check", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Correct!")
    page.get_by_role("button", name="Next").click()
    expect(page.locator(".qb-order-list")).to_contain_text(EVIL)
    expect(page.locator(".qb-order-list")).to_contain_text("</script><script>alert(7)</script>")
    page.get_by_role("button", name="Check", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("{{TITLE}} {{JS}}")
    page.get_by_role("button", name="Next").click()
    expect(page.locator(".qb-stem")).to_contain_text("<style>body{display:none}</style>")
    expect(page.locator("select").first.locator("option").nth(1)).to_have_text(
        re.compile(re.escape("<img src=x onerror=alert(8)>") + "|" + re.escape("</textarea>"))
    )
    page.get_by_role("button", name="Finish").click()
    expect(page.locator(".qb-review")).to_contain_text(f"Before {EVIL} after")
    # nothing the author wrote became an element
    counts = page.evaluate(
        """() => ({
          scripts: document.scripts.length,
          handlers: document.querySelectorAll('[onerror],[onload],[onmouseover]').length,
          frames: document.querySelectorAll('iframe, svg, style, img, textarea').length,
          styles: document.querySelectorAll('style').length,
        })"""
    )
    assert counts == {"scripts": 2, "handlers": 0, "frames": 1, "styles": 1}
    assert page.is_visible("body")
    guard.check()


# -- the file itself (no browser) --------------------------------------------------------------


def test_page_is_self_contained_with_a_strict_csp(sample_bank: Path, tmp_path: Path) -> None:
    out = tmp_path / "bank.html"
    err = export_html(sample_bank, out)
    page = out.read_text(encoding="utf-8")
    assert "warning" not in err
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert csp is not None
    policy = csp.group(1).replace("&#x27;", "'")
    script = re.search(r"<script>(.*)</script>\s*</body>", page, re.S).group(1)  # type: ignore[union-attr]
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)  # type: ignore[union-attr]

    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    assert f"script-src 'sha256-{digest(script)}'" in policy
    assert f"style-src 'sha256-{digest(style)}'" in policy
    for directive in (
        "default-src 'none'",
        "connect-src 'none'",
        "img-src data:",
        "base-uri 'none'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    # no external resources in the markup or the styles
    assert not re.search(r"<(link|iframe|object|embed)\b", page)
    assert not re.search(r"""src=["']?(https?:)?//""", page)
    assert not re.search(r"url\((?!data:)", style) and "@import" not in style
    assert script == (Path(__file__).resolve().parents[1] / "exporters/web/player.js").read_text()
    data = re.search(r'<script type="application/json" id="qbank-data">(.*?)</script>', page, re.S)
    embedded = json.loads(data.group(1))  # type: ignore[union-attr]
    assert embedded["settings"] == {"feedback": "immediate", "decimalComma": False}
    assert embedded["i18n"]["Choose all that apply."] == "Choose all that apply."
    assert embedded["i18n"]["{n} word left"] == {"one": "{n} word left", "other": "{n} words left"}
    assert embedded["quiz"]["answers"] == "included"
    img = next(
        q
        for q in embedded["quiz"]["forms"][0]["questions"]
        if q["id"] == "sagemaker-interface-endpoint"
    )
    ref = img["media"][0]["url"]
    assert ref.startswith("#qbank-file:")  # each image once, in quiz.files
    assert embedded["quiz"]["files"][ref.removeprefix("#qbank-file:")]["type"] == "image/png"


def test_same_input_byte_identical_and_atomic(
    sample_bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    export_html(sample_bank, a, "--quiz", "4.3-practice", "--forms", "2")
    export_html(sample_bank, b, "--quiz", "4.3-practice", "--forms", "2")
    assert a.read_bytes() == b.read_bytes()

    bank = load_bank(sample_bank)
    drawn = draw(bank, Selection())
    target = tmp_path / "out" / "quiz.html"

    def dies_half_way(self: Path, data: str, *args: Any, **kwargs: Any) -> int:
        with open(self, "w", encoding="utf-8") as fh:
            fh.write(data[:1000])
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "write_text", dies_half_way)
    with pytest.raises(KeyboardInterrupt):
        html_export.export(drawn, target, bank=bank)
    assert list(target.parent.iterdir()) == []


def test_custom_player_folder(sample_bank: Path, tmp_path: Path) -> None:
    mine = tmp_path / "player"
    mine.mkdir()
    (mine / "player.css").write_text("body { background: rebeccapurple; }\n", encoding="utf-8")
    out = tmp_path / "styled.html"
    export_html(sample_bank, out, "--ids", "nat-gateway-purpose", "--player", str(mine))
    page = out.read_text(encoding="utf-8")
    assert "<style>body { background: rebeccapurple; }\n</style>" in page
    digest = base64.b64encode(hashlib.sha256(b"body { background: rebeccapurple; }\n").digest())
    assert f"style-src &#x27;sha256-{digest.decode()}&#x27;" in page
    assert "qbankGrade" in page  # the built-in player.js filled in
    (mine / "player.js").write_text("console.log('</script>')", encoding="utf-8")
    bad = tmp_path / "bad.html"
    result = CliRunner().invoke(
        main,
        ["export", "html", str(sample_bank), "-o", str(bad), "--player", str(mine)],
        catch_exceptions=False,
    )
    assert result.exit_code == 2 and "must not contain `</script`" in result.stderr
    assert not bad.exists()
