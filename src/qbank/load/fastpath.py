"""A lean validator for the loader's questions: the same models as
:data:`qbank.model.QUESTION_ADAPTER`, without the Python callbacks that text read from YAML
never needs.

The models convert what Python callers may hand them (``_text`` turns numbers into text,
``_bool`` reads ``True`` in any case) and carry pydantic's own helpers (a ``min_length``
check and a pattern check that pydantic runs as Python functions when they follow a
``BeforeValidator``, the post-init that fills the private attributes). That is ≈ 11 Python
calls per question from pydantic-core: half of the schema check of a bank. The loader's data
is only ``str``, ``None``, ``list`` and ``dict``, so :func:`validate_question` first tries a
validator built from the same core schema with those steps replaced by pydantic-core's
own (Rust) checks, and falls back to the full validator whenever the lean one says no:

* ``BeforeValidator(_text)`` on text is dropped: it returns its input unchanged unless the
  input is a number, which the text schema then rejects (the full validator decides);
* pydantic's ``min_length`` function becomes the text schema's own ``min_length``, and its
  wrapper around a pattern check (it only rewords an error) is dropped;
* ``_not_blank`` becomes a ``pattern`` requiring one character outside a set that holds
  every character ``str.strip`` removes (:data:`NOT_BLANK`), so it accepts only texts
  ``_not_blank`` accepts;
* ``_bool`` becomes exactly ``true`` or ``false`` (strict text), then pydantic's bool: the
  values ``_bool`` reads the same way; ``True``, ``yes`` … go to the full validator;
* the questions' post-init (it fills ``__pydantic_private__`` with the defaults ``_source``
  None and ``_path`` ()) is dropped: :func:`validate_question` sets the same dict, with the
  file and path the loader would set next.

So the lean validator accepts only what the full one accepts, and builds the same objects
(same classes, field values, ``model_fields_set``, private attributes); every rejection,
and so every error message, comes from the full validator. ``tests/test_load_fastpath.py``
checks both on every fixture and on generated questions. ``_int`` (points, lines) and
``Option``'s string shorthand stay as they are: they run only where a file uses them.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import SchemaValidator

from qbank.model import QUESTION_ADAPTER, QUESTION_CLASSES, AnyQuestion, Option, QuestionBase

#: every character ``str.isspace`` (so ``str.strip``) counts as white space, as a regex class
#: body: \t–\r, the four information separators \x1c–\x1f, space, NEL, NBSP, and Unicode's
#: spaces and line/paragraph separators (the test checks all 1,114,112 code points)
WHITESPACE_CLASS = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
#: a text with at least one character that is not white space
NOT_BLANK = f"[^{WHITESPACE_CLASS}]"
_TRUE_OR_FALSE = "^(?:true|false)$"

_STR = {"type": "str"}


def _function_name(schema: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    fn = schema.get("function", {}).get("function")
    if isinstance(fn, functools.partial):
        return getattr(fn.func, "__name__", None), dict(fn.keywords)
    return getattr(fn, "__name__", None), {}


def lean_schema(schema: Any) -> Any:
    """A copy of a core schema with the replacements listed in the module docstring."""
    if isinstance(schema, list):
        return [lean_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    kind = schema.get("type")
    if kind in ("function-before", "function-after", "function-wrap"):
        name, keywords = _function_name(schema)
        inner = lean_schema(schema["schema"])
        if kind == "function-before" and name == "_text" and inner == _STR:
            return inner
        if kind == "function-wrap" and name == "_apply_constraint_with_incompatibility_info":
            return inner
        if kind == "function-after" and name == "min_length_validator" and inner == _STR:
            return {"type": "str", "min_length": keywords["min_length"]}
        if (
            kind == "function-after"
            and name == "_not_blank"
            and inner.get("type") == "str"
            and set(inner) <= {"type", "min_length"}
            and inner.get("min_length", 0) >= 1
        ):
            return {**inner, "pattern": NOT_BLANK}
        if kind == "function-before" and name == "_bool" and inner == {"type": "bool"}:
            return {
                "type": "chain",
                "steps": [{"type": "str", "strict": True, "pattern": _TRUE_OR_FALSE}, inner],
            }
        return {**schema, "schema": inner}
    lean = {
        key: value
        if key in ("cls", "metadata", "function", "default", "default_factory")
        else lean_schema(value)
        for key, value in schema.items()
    }
    cls = lean.get("cls")
    post_init = lean.get("post_init") == "model_post_init"
    if kind == "model" and isinstance(cls, type) and issubclass(cls, QuestionBase) and post_init:
        del lean["post_init"]
    return lean


_LOCK = threading.Lock()
_UNSET = object()
_LEAN: list[SchemaValidator] = []


def lean_validator() -> SchemaValidator:
    """The lean question validator, built on first use (a few milliseconds).

    pydantic-core reuses a complete model's own validator for a ``model`` schema naming its
    class, whatever the schema says; the classes are marked incomplete while the lean
    validator is built so that it is built from the lean schema. Should a pydantic release
    ignore that, the validator is the full one: slower, still right (the private attributes
    are set the same way either way).
    """
    with _LOCK:
        if not _LEAN:
            schema = lean_schema(QUESTION_ADAPTER.core_schema)
            classes: list[type[BaseModel]] = [*QUESTION_CLASSES.values(), Option]
            saved = [cls.__dict__.get("__pydantic_complete__", _UNSET) for cls in classes]
            try:
                for cls in classes:
                    cls.__pydantic_complete__ = False
                _LEAN.append(SchemaValidator(schema))
            finally:
                for cls, flag in zip(classes, saved, strict=True):
                    if flag is _UNSET:
                        del cls.__pydantic_complete__
                    else:
                        cls.__pydantic_complete__ = flag
        return _LEAN[0]


def validate_question(raw: Any, private: dict[str, Any]) -> AnyQuestion:
    """The question model of ``raw`` (a question's data as the loader reads it), with
    ``private`` as its private attributes (``{"_source": …, "_path": …}``, in that order).

    Raises the full validator's ``ValidationError`` when ``raw`` is not a valid question.
    """
    try:
        question: AnyQuestion = (_LEAN[0] if _LEAN else lean_validator()).validate_python(raw)
    except ValidationError:
        question = QUESTION_ADAPTER.validate_python(raw)
    object.__setattr__(question, "__pydantic_private__", private)
    return question
