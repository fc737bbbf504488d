"""pydantic validation errors → problems (QB1xx) at the exact field, with "did you mean"
hints for misspelt field names and allowed values."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from pydantic import ValidationError

from qbank.diagnostics import Problem, problem
from qbank.model import QUESTION_CLASSES, QUESTION_TYPES, Option
from qbank.source import SourceFile


def _did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.7)
    return f"did you mean `{match[0]}`?" if match else None


def _allowed_fields(model_name: str | None) -> list[str]:
    if model_name in QUESTION_CLASSES:
        return list(QUESTION_CLASSES[model_name].model_fields)
    return []


def schema_problems(
    exc: ValidationError,
    src: SourceFile,
    base: tuple[int | str, ...],
    *,
    fields_of: dict[str, list[str]] | None = None,
    question_id: str | None = None,
) -> list[Problem]:
    """Translate pydantic errors into QB1xx problems located at the offending node."""
    out: list[Problem] = []
    seen: set[tuple[str, int, int]] = set()
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        path = (*base, *loc)
        field_name = next((p for p in reversed(loc) if isinstance(p, str)), "")
        ctx = err.get("ctx") or {}
        hint: str | None = None
        if kind == "extra_forbidden":
            rule = "QB101"
            location = src.location(path, key=True)
            owner = loc[0] if loc and loc[0] in QUESTION_CLASSES else None
            allowed = _allowed_fields(owner if isinstance(owner, str) else None)
            if fields_of and not allowed:
                allowed = fields_of.get("", [])
            message = f"unknown field `{field_name}`"
            if owner:
                message += f" for a `{owner}` question"
            hint = _did_you_mean(field_name, allowed) or _did_you_mean(
                field_name, _all_field_names()
            )
            if hint is None:
                hint = "remove it, or check the field list in the README"
        elif kind == "missing":
            rule = "QB102"
            location = src.location(path[:-1])
            message = f"missing required field `{field_name}`"
            owner = loc[0] if loc and loc[0] in QUESTION_CLASSES else None
            if owner:
                message += f" for a `{owner}` question"
        elif kind == "union_tag_not_found":
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
            shown = ".".join(
                str(p) for p in loc if not (isinstance(p, str) and p in QUESTION_CLASSES)
            )
            if err.get("input", "") is None:
                message = f"`{shown or field_name}` is empty"
                hint = "give it a value, or remove the entry"
            else:
                message = f"`{shown or field_name}`: {_clean_msg(err['msg'])}"
        key = (rule, location.line, location.col)
        if key in seen:
            continue
        seen.add(key)
        out.append(problem(rule, message, location, hint=hint, question_id=question_id))
    return out


def _clean_msg(msg: str) -> str:
    msg = msg.replace("Value error, ", "")
    return msg[:1].lower() + msg[1:]


_FIELD_NAMES: list[str] | None = None


def _all_field_names() -> list[str]:
    global _FIELD_NAMES
    if _FIELD_NAMES is None:
        names: set[str] = {"questions", *Option.model_fields}
        for cls in QUESTION_CLASSES.values():
            names.update(cls.model_fields)
        _FIELD_NAMES = sorted(names)
    return _FIELD_NAMES
