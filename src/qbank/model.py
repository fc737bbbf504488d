"""Pydantic models of a bank: the manifest, quiz files and the nine question types.

The loader hands these models plain data in which every scalar is the *text* the author
typed (see :mod:`qbank.load`). Fields convert that text with their own type, so ``no`` in a
short answer stays the string ``"no"`` while ``correct: yes`` is an error with a hint —
never a silent boolean. Unknown fields are errors everywhere (``extra="forbid"``).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    PrivateAttr,
    StringConstraints,
    TypeAdapter,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from qbank.diagnostics import Location

if TYPE_CHECKING:
    from qbank.source import SourceFile

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
QUESTION_TYPES = (
    "single",
    "multi",
    "truefalse",
    "cloze",
    "short",
    "numeric",
    "order",
    "match",
    "essay",
)
DECIMAL_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")

_TRUE = {"true"}
_FALSE = {"false"}
_YAML11_BOOLS = {"yes", "no", "on", "off", "y", "n"}


def _bool(value: Any) -> Any:
    """Accept true/false in any case; explain yes/no/on/off instead of guessing."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        if low in _YAML11_BOOLS:
            raise PydanticCustomError(
                "qb_yaml11_bool",
                "`{value}` is not a boolean here: write true or false "
                "(YAML 1.1 tools read `{value}` as a boolean, YAML 1.2 tools as text)",
                {"value": value},
            )
    raise PydanticCustomError("qb_bool", "expected true or false, got `{value}`", {"value": value})


def _int(value: Any) -> Any:
    """Whole numbers written in decimal; `010` is ten, never octal eight."""
    if isinstance(value, bool):
        raise PydanticCustomError(
            "qb_int", "expected a whole number, got `{value}`", {"value": value}
        )
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
        return int(value.strip())
    raise PydanticCustomError("qb_int", "expected a whole number, got `{value}`", {"value": value})


def _text(value: Any) -> Any:
    """Plain text; numbers that arrive from Python callers become their text."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    return value


def _percent(value: Any) -> Any:
    """A blueprint weight: ``20%``, ``20`` or ``0.2`` are all twenty percent... only if marked.

    Plain numbers are percentages (``20`` means 20 %); the ``%`` sign is optional.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        raw = value.strip().removesuffix("%").strip()
        try:
            number = Decimal(raw)
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite() and number >= 0:
            return float(number)
    raise PydanticCustomError(
        "qb_percent", "expected a weight such as `20%`, got `{value}`", {"value": value}
    )


YBool = Annotated[bool, BeforeValidator(_bool)]
YInt = Annotated[int, BeforeValidator(_int)]
# In the JSON Schema (what editors check with yaml-language-server, which reads YAML 1.2)
# a text field also accepts a number: qbank keeps `answer: 0.75` as the text typed.
_TEXT_SCHEMA = WithJsonSchema({"type": ["string", "number"]})
Text = Annotated[str, BeforeValidator(_text), _TEXT_SCHEMA]


def _not_blank(value: str) -> str:
    """Text that shows nothing (only spaces) is empty: it would export as an empty option."""
    if value and not value.strip():
        raise PydanticCustomError("qb_blank", "has only spaces")
    return value


NonEmptyText = Annotated[
    str,
    BeforeValidator(_text),
    StringConstraints(min_length=1),
    AfterValidator(_not_blank),
    WithJsonSchema({"type": ["string", "number"], "minLength": 1}),
]
QuestionId = Annotated[str, BeforeValidator(_text), StringConstraints(pattern=ID_PATTERN)]
Percent = Annotated[
    float,
    BeforeValidator(_percent),
    # a number or "20%" (what the loader accepts), so editors do not flag the usual form
    WithJsonSchema({"type": ["number", "string"], "pattern": r"^\s*[0-9]+(\.[0-9]+)?\s*%?\s*$"}),
]
Difficulty = Literal["easy", "medium", "hard"]
Status = Literal["draft", "review", "approved"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, populate_by_name=True)


class Option(_Strict):
    """A choice. In YAML a plain string is shorthand for a wrong option."""

    text: NonEmptyText
    correct: YBool = False
    feedback: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"text": data}
        return data

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        obj = handler(schema)
        return {"anyOf": [{"type": "string", "minLength": 1, "title": "Wrong option"}, obj]}


class QuestionBase(_Strict):
    """Fields every question has. Spans and suppressions live in private attributes."""

    id: QuestionId
    text: NonEmptyText
    topic: Text | None = None
    tags: list[Text] = Field(default_factory=list)
    explanation: Text | None = None
    points: YInt = 1
    difficulty: Difficulty | None = None
    source: Text | None = None
    status: Status | None = None
    shuffle: YBool = True

    _source: SourceFile | None = PrivateAttr(default=None)
    _path: tuple[int | str, ...] = PrivateAttr(default=())

    # -- locations -----------------------------------------------------------------------
    # Private attributes are read from ``__pydantic_private__`` directly: ``self._source``
    # goes through pydantic's ``__getattr__`` (about 10 µs), and rules ask every question
    # for its file and locations thousands of times per run.
    @property
    def file(self) -> str:
        source: SourceFile | None = self.__pydantic_private__["_source"]  # type: ignore[index]
        return source.rel if source is not None else "<memory>"

    @property
    def location(self) -> Location:
        """Where the question starts (its ``id`` key, or the list item)."""
        return self.loc()

    def loc(self, *path: int | str, key: bool = False) -> Location:
        """Location of a field inside this question, e.g. ``q.loc("options", 2, "text")``.

        Falls back to the nearest enclosing node when the path does not exist.
        """
        private = self.__pydantic_private__
        source: SourceFile | None = private["_source"]  # type: ignore[index]
        if source is None:
            return Location("<memory>")
        return source.location((*private["_path"], *path), key=key)  # type: ignore[index]

    @property
    def source_file(self) -> SourceFile | None:
        return self.__pydantic_private__["_source"]  # type: ignore[index]

    @property
    def is_choice(self) -> bool:
        return False


class _ChoiceMixin(QuestionBase):
    options: list[Option] = Field(min_length=2)

    @property
    def is_choice(self) -> bool:
        return True

    @property
    def correct_indices(self) -> list[int]:
        return [i for i, o in enumerate(self.options) if o.correct]


class Single(_ChoiceMixin):
    """One correct option."""

    type: Literal["single"]


class Multi(_ChoiceMixin):
    """One or more correct options; all-or-nothing unless ``partial``."""

    type: Literal["multi"]
    partial: YBool = False
    allow_all_correct: YBool = False


class TrueFalse(QuestionBase):
    type: Literal["truefalse"]
    answer: YBool


class Cloze(QuestionBase):
    """Blanks inline in ``text`` as ``{{answer|alternative}}``."""

    type: Literal["cloze"]
    case_sensitive: YBool = False
    max_words: YInt | None = None


class Short(QuestionBase):
    type: Literal["short"]
    answers: list[Text] = Field(min_length=1)
    case_sensitive: YBool = False
    max_words: YInt | None = None


class Numeric(QuestionBase):
    """Answer and tolerance are decimal *text*; never floats (``0.10`` stays ``0.10``)."""

    type: Literal["numeric"]
    answer: Text
    tolerance: Text | None = None
    unit: Text | None = None

    @property
    def answer_decimal(self) -> Decimal | None:
        return parse_decimal(self.answer)

    def tolerance_bounds(self) -> tuple[Decimal, Decimal] | None:
        """The accepted closed interval, or None when the answer is not a decimal."""
        value = self.answer_decimal
        if value is None:
            return None
        tol = Decimal(0)
        if self.tolerance:
            raw = self.tolerance.strip()
            if raw.endswith("%"):
                pct = parse_decimal(raw[:-1])
                tol = abs(value) * pct / 100 if pct is not None else Decimal(0)
            else:
                tol = parse_decimal(raw) or Decimal(0)
        return value - abs(tol), value + abs(tol)


class Order(QuestionBase):
    type: Literal["order"]
    items: list[NonEmptyText] = Field(min_length=1)


class Match(QuestionBase):
    type: Literal["match"]
    pairs: list[tuple[NonEmptyText, NonEmptyText]] = Field(min_length=1)


class Essay(QuestionBase):
    type: Literal["essay"]
    lines: YInt = 6
    rubric: Text | None = None
    max_words: YInt | None = None


Question = Annotated[
    Single | Multi | TrueFalse | Cloze | Short | Numeric | Order | Match | Essay,
    Field(discriminator="type"),
]
QUESTION_ADAPTER: TypeAdapter[Any] = TypeAdapter(Question)
AnyQuestion = Single | Multi | TrueFalse | Cloze | Short | Numeric | Order | Match | Essay
QUESTION_CLASSES: dict[str, type[QuestionBase]] = {
    "single": Single,
    "multi": Multi,
    "truefalse": TrueFalse,
    "cloze": Cloze,
    "short": Short,
    "numeric": Numeric,
    "order": Order,
    "match": Match,
    "essay": Essay,
}
#: the choice question classes, for ``isinstance(q, CHOICE_CLASSES)`` in per-question hot
#: paths (``Single | Multi`` written in the call builds a union object each time, ≈ 0.3 µs)
CHOICE_CLASSES = (Single, Multi)

#: keys a question file may carry besides ``questions``; they are defaults for its questions
FILE_DEFAULT_KEYS = ("topic", "tags", "source", "difficulty")


class QuestionFile(_Strict):
    """A file of several questions; its other keys are defaults for them."""

    topic: Text | None = None
    tags: list[Text] = Field(default_factory=list)
    source: Text | None = None
    difficulty: Difficulty | None = None
    questions: list[Question]


# -- manifest ------------------------------------------------------------------------------


#: below this, "near-duplicate" means "shares a few words": 1,000 questions would give
#: half a million findings (issue 17)
MIN_DEDUP_THRESHOLD = 50


class DedupConfig(_Strict):
    """``dedup:`` in qbank.yaml: near-duplicate detection (QB301–QB303)."""

    threshold: YInt = Field(
        default=85,
        ge=MIN_DEDUP_THRESHOLD,
        le=100,
        description="Similarity (50–100) from which two questions are reported as "
        "near-duplicates; below 50 every pair sharing a few words would be one.",
    )
    allow: list[tuple[QuestionId, QuestionId]] = Field(
        default_factory=list,
        description="Pairs of question ids that are intended near-twins, e.g. `[[a, b]]`.",
    )


#: default per-image size limit (``media.max_image_bytes``): a 300 MB image made a web
#: export use 3.3 GB (issue 17)
MAX_IMAGE_BYTES = 10 * 1024 * 1024


class MediaConfig(_Strict):
    """``media:`` in qbank.yaml: limits on the images questions reference."""

    max_image_bytes: YInt = Field(
        default=MAX_IMAGE_BYTES,
        ge=1,
        le=1024 * 1024 * 1024,
        description="Largest image file accepted, in bytes (larger ones are QB501); never "
        "read past it.",
    )


class LintConfig(_Strict):
    """``lint:`` in qbank.yaml: which rules run and how severe they are."""

    select: list[Text] = Field(
        default_factory=list,
        description="Only these rule ids or prefixes run (e.g. `[QB0, QB1, QB2]`); empty: all.",
    )
    ignore: list[Text] = Field(
        default_factory=list,
        description="Rule ids or prefixes that never run (e.g. `[QB405]` or `[QB4]`).",
    )
    #: per-rule severity override: ``QB402: error`` or ``QB402: off``
    severity: dict[str, Literal["error", "warning", "off"]] = Field(
        default_factory=dict,
        description="Per-rule severity: `{QB401: error, QB405: off}`.",
    )


class Manifest(_Strict):
    """``qbank.yaml``: the bank's identity, taxonomy and tool settings."""

    id: QuestionId = Field(
        description="The bank id, stable forever: it namespaces Anki GUIDs and exported ids."
    )
    title: NonEmptyText = Field(description="The bank's title (deck names, page titles).")
    description: Text | None = Field(default=None, description="A longer description.")
    language: Text | None = Field(
        default=None,
        description="Language of the questions as a BCP 47 tag (`en`, `de-CH`): the HTML "
        "page's `lang`, Word proofing.",
    )
    topics: dict[str, Text] = Field(
        default_factory=dict,
        description='The taxonomy, topic id → title (`"4.3": Security`); a dotted id is a '
        "sub-topic. When present, every question's topic must be one of them.",
    )
    blueprint: dict[str, Percent] = Field(
        default_factory=dict,
        description='Target share of each topic (`"4": 20%`), for `qbank stats` and '
        "`--blueprint N` draws.",
    )
    dedup: DedupConfig = Field(
        default_factory=DedupConfig, description="Near-duplicate detection (below)."
    )
    lint: LintConfig = Field(
        default_factory=LintConfig, description="Which rules run, and their severity (below)."
    )
    #: export targets `qbank validate` checks what they cannot carry (rules QB7xx)
    targets: list[Literal["moodle", "gift", "qti", "qti3"]] = Field(
        default_factory=list,
        description="LMS export targets `qbank validate` checks each question against "
        "(rules QB7xx): `moodle`, `gift`, `qti`, `qti3`.",
    )
    media: MediaConfig = Field(default_factory=MediaConfig, description="Limits on images (below).")


def image_limit(manifest: Manifest | None) -> int:
    """The per-image size limit: the manifest's ``media.max_image_bytes``, else 10 MiB."""
    return manifest.media.max_image_bytes if manifest is not None else MAX_IMAGE_BYTES


# -- quizzes ------------------------------------------------------------------------------


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


TextList = Annotated[list[Text], BeforeValidator(_one_or_many)]


class Section(_Strict):
    """A slice of a quiz: filters, then ``count`` questions drawn from what matches."""

    title: Text | None = Field(default=None, description='Heading of the section ("Part 1").')
    topic: Text | None = Field(default=None, description="Questions of this topic or a sub-topic.")
    tags: TextList = Field(
        default_factory=list, description="Questions carrying at least one of these tags."
    )
    type: Annotated[
        list[Literal[QUESTION_TYPES]],  # type: ignore[valid-type]
        BeforeValidator(_one_or_many),
    ] = Field(default_factory=list, description="Questions of these types.")
    status: Annotated[list[Status], BeforeValidator(_one_or_many)] = Field(
        default_factory=list, description="Questions with one of these review statuses."
    )
    difficulty: Annotated[list[Difficulty], BeforeValidator(_one_or_many)] = Field(
        default_factory=list, description="Questions with one of these difficulties."
    )
    ids: TextList = Field(default_factory=list, description="These questions, by id.")
    count: YInt | None = Field(
        default=None,
        ge=1,
        description="Draw this many of the matches (seeded); without it, every match.",
    )


class Quiz(_Strict):
    """``quizzes/*.yaml``: a reproducible draw (a form, or several)."""

    title: NonEmptyText = Field(description="The quiz title (worksheets, web pages).")
    instructions: Text | None = Field(
        default=None, description="Shown above the questions (Markdown)."
    )
    seed: Text = Field(
        default="0",
        description="Seed of the draw and the shuffles: the same seed gives the same quiz.",
    )
    sections: list[Section] = Field(
        min_length=1,
        description="What to draw, in order: each section filters the bank, then draws.",
    )
    shuffle_questions: YBool = Field(
        default=True, description="Shuffle the question order (within each section)."
    )
    shuffle_options: YBool = Field(
        default=True, description="Shuffle the options of questions that allow it."
    )
    forms: YInt = Field(
        default=1, ge=1, le=26, description="Number of forms (A, B, …), each shuffled apart."
    )
    #: with several forms, draw different questions per form where the pool allows it
    vary_questions: YBool = Field(
        default=False,
        description="With several forms: different questions on each form where the pool "
        "allows it.",
    )
    time_limit_minutes: YInt | None = Field(
        default=None, description="Time limit shown to the student (web exports)."
    )

    _source: SourceFile | None = PrivateAttr(default=None)

    @property
    def file(self) -> str:
        return self._source.rel if self._source is not None else "<memory>"

    def loc(self, *path: int | str, key: bool = False) -> Location:
        if self._source is None:
            return Location("<memory>")
        return self._source.location(path, key=key)


def topic_matches(topic: str | None, wanted: str) -> bool:
    """``4.3`` matches topic ``4.3`` and its sub-topics (``4.3.1``, ``4.3/iam``), not ``4.30``.

    The one meaning of "a topic and its sub-topics" for draws, quiz checks and stats.
    """
    if topic is None:
        return False
    return topic == wanted or topic.startswith((wanted + ".", wanted + "/"))


#: bounds on numeric answers and tolerances (QB210/QB211): more digits or a larger exponent
#: is not a measurement, and ``1e99999999`` overflowed every exporter (issue 17)
MAX_DECIMAL_DIGITS = 30
MAX_DECIMAL_EXPONENT = 100
_MAX_DECIMAL_CHARS = 64


def decimal_bounds_problem(text: str | None) -> str | None:
    """Why a decimal-looking ``text`` is out of bounds (too many digits or too large an
    exponent), or None when it is within them (or is not a decimal at all)."""
    if text is None:
        return None
    raw = text.strip()
    if len(raw) > _MAX_DECIMAL_CHARS:
        digits = sum(c.isdigit() for c in raw)
        if DECIMAL_RE.match(raw):
            return f"has {digits:,} digits; at most {MAX_DECIMAL_DIGITS} are accepted"
        return None
    if not DECIMAL_RE.match(raw):
        return None
    value = Decimal(raw)
    sign, digits_t, exponent = value.as_tuple()
    if len(digits_t) > MAX_DECIMAL_DIGITS:
        return f"has {len(digits_t)} digits; at most {MAX_DECIMAL_DIGITS} are accepted"
    if value and not -MAX_DECIMAL_EXPONENT <= value.adjusted() <= MAX_DECIMAL_EXPONENT:
        return (
            f"is of the order of 10^{value.adjusted()}; exponents from "
            f"-{MAX_DECIMAL_EXPONENT} to {MAX_DECIMAL_EXPONENT} are accepted"
        )
    del sign, exponent
    return None


def parse_decimal(text: str | None) -> Decimal | None:
    """Decimal from text such as ``0.10`` or ``-3e2``; None when it is not one or is out of
    bounds (see :func:`decimal_bounds_problem`)."""
    if text is None:
        return None
    raw = text.strip()
    if len(raw) > _MAX_DECIMAL_CHARS or not DECIMAL_RE.match(raw):
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:  # pragma: no cover - regex guards this
        return None
    if len(value.as_tuple().digits) > MAX_DECIMAL_DIGITS:
        return None
    if value and not -MAX_DECIMAL_EXPONENT <= value.adjusted() <= MAX_DECIMAL_EXPONENT:
        return None
    return value


def question_file_schema() -> dict[str, Any]:
    """JSON Schema of a question file (one question, or ``questions:`` with defaults)."""
    adapter: TypeAdapter[Any] = TypeAdapter(QuestionFile | Question)
    schema = adapter.json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://qbank.dev/schema/question-file.json"
    schema["title"] = "qbank question file"
    schema["description"] = (
        "One question (a mapping with id and type) or several under `questions:`; "
        "file-level topic, tags, source and difficulty are defaults for its questions."
    )
    return schema


def manifest_schema() -> dict[str, Any]:
    schema = Manifest.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "qbank bank manifest (qbank.yaml)"
    return schema


def quiz_schema() -> dict[str, Any]:
    schema = Quiz.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "qbank quiz file"
    return schema
