"""pydantic validation errors → problems (QB1xx) at the exact field, in our own words, with
"did you mean" hints for misspelt field names and allowed values.

* Every message is written here from the error's type and context ("`forms` must be at most
  26, not `30`"), never pydantic's wording ("Input should be less than or equal to 26",
  "valid dictionary", "after validation").
* A misspelt key is one finding: ``txet:`` is QB101 "unknown field `txet`; did you mean
  `text`?", and the QB102 "missing `text`" it causes is dropped. ``typ:`` (the question type,
  which pydantic needs before it can check anything else) is reported the same way.
* Did-you-mean works at any depth of a question, a quiz or the manifest (``cuont`` in a quiz
  section, ``treshold`` under ``dedup``): the allowed names come from the model at that path.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from qbank.diagnostics import Problem, problem
from qbank.model import QUESTION_CLASSES, QUESTION_TYPES, Option
from qbank.source import SourceFile


def _did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.7)
    return f"did you mean `{match[0]}`?" if match else None


def _nearest(word: str, choices: Iterable[str], cutoff: float = 0.7) -> str | None:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return match[0] if match else None


def _allowed_fields(model_name: str | None) -> list[str]:
    if model_name in QUESTION_CLASSES:
        return list(QUESTION_CLASSES[model_name].model_fields)
    return []


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation holds (``list[Section]``, ``Option | str`` …)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(annotation)[0])
    if origin is not None or isinstance(annotation, types.UnionType):
        for arg in typing.get_args(annotation):
            found.extend(_models_in(arg))
    return found


def fields_at(model: type[BaseModel] | None, loc: Sequence[int | str]) -> list[str]:
    """The field names of the model that holds the value at ``loc`` (a pydantic error
    location below ``model``); [] when unknown. A question type in ``loc`` (pydantic's
    union member) selects that question's model."""
    current: list[type[BaseModel]] = [model] if model is not None else []
    for part in loc:
        if isinstance(part, int):
            continue
        if part in QUESTION_CLASSES and not any(part in m.model_fields for m in current):
            current = [QUESTION_CLASSES[part]]
            continue
        nxt: list[type[BaseModel]] = []
        for m in current:
            info = m.model_fields.get(part)
            if info is not None:
                nxt.extend(_models_in(info.annotation))
        current = nxt
        if not current:
            return []
    names: list[str] = []
    for m in current:
        names.extend(n for n in m.model_fields if n not in names)
    return names


def _describe(value: Any) -> str:
    """How a message names a wrong value: `30`, a list, a mapping, nothing."""
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    text = str(value)
    if len(text) > 40:
        text = text[:39] + "…"
    return f"`{text}`"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def message_for(kind: str, name: str, err: Mapping[str, Any]) -> str:
    """Our words for one pydantic error on the field shown as ``name``."""
    ctx = err.get("ctx") or {}
    value = err.get("input")
    got = _describe(value)
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace("'", "`")
        return f"`{name}` must be one of {expected}, not {got}"
    if kind == "list_type":
        return f"`{name}` must be a list (`[a, b]`, or one `- item` per line), not {got}"
    if kind in ("dict_type", "model_type", "model_attributes_type", "mapping_type"):
        return f"`{name}` must be a mapping (`key: value` lines), not {got}"
    if kind == "string_type":
        return f"`{name}` must be text, not {got}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"`{name}` must be a whole number, not {got}"
    if kind in ("float_type", "float_parsing", "decimal_type", "decimal_parsing"):
        return f"`{name}` must be a number, not {got}"
    if kind in ("bool_type", "bool_parsing"):
        return f"`{name}` must be `true` or `false`, not {got}"
    if kind in ("too_short", "string_too_short"):
        if isinstance(value, str) or kind == "string_too_short":
            return f"`{name}` is empty"
        need, has = ctx.get("min_length", 1), ctx.get("actual_length", 0)
        return f"`{name}` needs at least {_plural(int(need), 'entry')}, it has {has}".replace(
            "entrys", "entries"
        )
    if kind in ("too_long", "string_too_long"):
        most = int(ctx.get("max_length", 0))
        unit = "character" if kind == "string_too_long" else "entry"
        return f"`{name}` has more than {_plural(most, unit)}".replace("entrys", "entries")
    bounds = {
        "less_than_equal": ("at most", "le"),
        "less_than": ("less than", "lt"),
        "greater_than_equal": ("at least", "ge"),
        "greater_than": ("more than", "gt"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return f"`{name}` must be {words} {ctx.get(key)}, not {got}"
    if kind == "string_pattern_mismatch":
        return f"`{name}` has characters that are not allowed: {got}"
    if kind == "missing":
        return f"`{name}` is missing"
    if kind == "qb_blank":
        return f"`{name}` is empty (only spaces)"
    if kind == "value_error" or kind.startswith("qb_"):
        # our own validators' messages (model.py); pydantic only prefixes them
        return f"`{name}`: {_lower_first(str(err['msg']).removeprefix('Value error, '))}"
    return f"`{name}`: {_own_words(str(err['msg']))}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _own_words(msg: str) -> str:
    """A last resort for an error type without its own sentence: pydantic's wording with
    its jargon replaced."""
    for old, new in (
        ("Value error, ", ""),
        (" after validation", ""),
        ("a valid dictionary", "a mapping"),
        ("a valid list", "a list"),
        ("a valid string", "text"),
        ("Input should be", "must be"),
        ("Value should", "must"),
        ("Extra inputs are not permitted", "not allowed here"),
        ("Field required", "missing"),
    ):
        msg = msg.replace(old, new)
    return _lower_first(msg)


def schema_problems(
    exc: ValidationError,
    src: SourceFile,
    base: tuple[int | str, ...],
    *,
    fields_of: dict[str, list[str]] | None = None,
    question_id: str | None = None,
    model: type[BaseModel] | None = None,
) -> list[Problem]:
    """Translate pydantic errors into QB1xx problems located at the offending node.

    ``model`` is the model validated (a quiz, the manifest, a question file), for
    did-you-mean hints at any depth; questions are found by their type.
    """
    errors = exc.errors(include_url=False)
    # a misspelt key and the required field it was meant to be: one finding (QB101)
    extras: dict[tuple[Any, ...], list[str]] = {}
    for err in errors:
        loc = tuple(err["loc"])
        if err["type"] == "extra_forbidden" and loc and isinstance(loc[-1], str):
            extras.setdefault(loc[:-1], []).append(loc[-1])
    meant: dict[tuple[Any, ...], str] = {}  # extra key path → the missing field it means
    covered: set[tuple[Any, ...]] = set()  # missing-field paths explained by a typo
    for err in errors:
        loc = tuple(err["loc"])
        if err["type"] == "missing" and loc and isinstance(loc[-1], str):
            typo = _nearest(loc[-1], extras.get(loc[:-1], []), cutoff=0.6)
            if typo is not None:
                meant[(*loc[:-1], typo)] = loc[-1]
                covered.add(loc)

    out: list[Problem] = []
    seen: set[tuple[str, int, int]] = set()
    for err in errors:
        loc = tuple(err["loc"])
        if loc in covered:
            continue
        kind = err["type"]
        path = (*base, *loc)
        field_name = next((p for p in reversed(loc) if isinstance(p, str)), "")
        ctx = err.get("ctx") or {}
        hint: str | None = None
        owner = loc[0] if loc and loc[0] in QUESTION_CLASSES else None
        shown = ".".join(str(p) for p in loc if not (isinstance(p, str) and p in QUESTION_CLASSES))
        if kind == "extra_forbidden":
            rule = "QB101"
            location = src.location(path, key=True)
            allowed = fields_at(model, loc[:-1]) if model is not None else []
            if not allowed:
                allowed = _allowed_fields(owner if isinstance(owner, str) else None)
            if fields_of and not allowed:
                allowed = fields_of.get("", [])
            message = f"unknown field `{field_name}`"
            if owner and len(loc) == 2:
                message += f" for a `{owner}` question"
            if loc in meant:
                hint = f"did you mean `{meant[loc]}`?"
            else:
                hint = _did_you_mean(field_name, allowed)
                if hint is None and (owner or model is None):
                    hint = _did_you_mean(field_name, _all_field_names())
            if hint is None:
                hint = "remove it" + (
                    f"; allowed here: {', '.join(f'`{a}`' for a in allowed)}"
                    if allowed and len(allowed) <= 12
                    else ", or check the field list in the README"
                )
        elif kind == "missing" and loc and isinstance(loc[-1], int):
            rule = "QB103"
            location = src.location(path[:-1])
            parent = ".".join(
                str(p) for p in loc[:-1] if not (isinstance(p, str) and p in QUESTION_CLASSES)
            )
            if "pairs" in loc[-3:-1]:
                message = f"`{parent}` must be a pair: `[left, right]`"
            else:
                message = f"`{parent}` needs more entries"
        elif kind == "missing":
            rule = "QB102"
            location = src.location(path[:-1])
            message = f"missing required field `{field_name}`"
            if owner and len(loc) == 2:
                message += f" for a `{owner}` question"
        elif kind == "union_tag_not_found":
            value = err.get("input")
            keys = [k for k in value if isinstance(k, str)] if isinstance(value, dict) else []
            typo = _nearest("type", [k for k in keys if k not in _all_field_names()], 0.6)
            if typo is not None:
                rule = "QB101"
                location = src.location((*path, typo), key=True)
                message = f"unknown field `{typo}`"
                hint = "did you mean `type`?"
            else:
                rule = "QB102"
                location = src.location(path)
                message = "missing required field `type`"
                hint = "one of: " + ", ".join(QUESTION_TYPES)
        elif kind == "union_tag_invalid":
            rule = "QB104"
            location = src.location((*path, "type"))
            tag = str(ctx.get("tag", ""))
            message = f"unknown question type `{tag}`"
            hint = _did_you_mean(tag, QUESTION_TYPES) or ("one of: " + ", ".join(QUESTION_TYPES))
        elif (kind == "string_pattern_mismatch" and field_name == "id") or (
            kind == "string_pattern_mismatch" and isinstance(loc[-1], int)
        ):
            rule = "QB105"
            location = src.location(path)
            message = f"invalid id `{err.get('input')}`"
            hint = "ids use lower-case letters, digits, `.`, `_` and `-`, starting with a letter or digit"
        else:
            rule = "QB103"
            location = src.location(path)
            name = shown or field_name
            if err.get("input", "") is None:
                message = f"`{name}` is empty"
                hint = "give it a value, or remove the entry"
            else:
                message = message_for(kind, name, err)
                if kind in ("literal_error", "enum"):
                    choices = [c.strip(" '") for c in str(ctx.get("expected", "")).split(",")]
                    choices = [p.strip(" '") for c in choices for p in c.split(" or ")]
                    value = err.get("input")
                    if isinstance(value, str):
                        hint = _did_you_mean(value, choices)
        key = (rule, location.line, location.col)
        if key in seen:
            continue
        seen.add(key)
        out.append(problem(rule, message, location, hint=hint, question_id=question_id))
    return out


_FIELD_NAMES: list[str] | None = None


def _all_field_names() -> list[str]:
    global _FIELD_NAMES
    if _FIELD_NAMES is None:
        names: set[str] = {"questions", *Option.model_fields}
        for cls in QUESTION_CLASSES.values():
            names.update(cls.model_fields)
        _FIELD_NAMES = sorted(names)
    return _FIELD_NAMES
