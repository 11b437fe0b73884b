"""Pydantic's validation errors in plain English: the findings of the ``schema`` stage.

Each error type gets a message that says what is wrong in the words a council officer uses,
and a hint that says what to do, with a "did you mean" where a key or value is misspelt.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from ascready.checks.reading import BY_ID
from ascready.findings import Finding, Loc, article


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """Field names of the (sub)model at ``loc``, for 'did you mean' suggestions."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or not (
            isinstance(current, type) and issubclass(current, BaseModel)
        ):
            continue
        info = current.model_fields.get(part)
        if info is None:
            return []
        current = _inner_model(info.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _inner_model(annotation: Any) -> Any:
    """The BaseModel inside list[X], X | None and the like, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _suggest(word: str, options: Iterable[str]) -> str:
    matches = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return matches[0] if matches else ""


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, dict):
        return "a mapping (keys and values)"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    return f"'{text[:60]}…'" if len(text) > 60 else f"'{text}'"


def schema_findings(
    exc: ValidationError, model: type[BaseModel], file: str, kind_label: str
) -> list[Finding]:
    """Turn a Pydantic ValidationError into findings a non-programmer can act on."""
    out: list[Finding] = []
    for err in exc.errors(include_url=False):
        loc: Loc = tuple(err["loc"])
        etype = err["type"]
        value = err.get("input")
        where = ".".join(str(p) for p in loc) or "the file"
        key = str(loc[-1]) if loc else ""
        if etype == "extra_forbidden":
            guess = _suggest(key, _fields_at(model, loc[:-1]))
            hint = (
                f"Did you mean '{guess}'?"
                if guess
                else ("Remove it, or check the spelling against the README's list of keys.")
            )
            out.append(
                BY_ID["unknown-key"].finding(
                    f"'{where}' is not a key {article(kind_label)} {kind_label} can have",
                    hint,
                    file,
                    loc=loc,
                )
            )
        elif etype == "missing":
            out.append(
                BY_ID["missing-key"].finding(
                    f"'{where}' is required but missing", f"Add a line '{key}: ...'.", file, loc=loc
                )
            )
        elif etype in ("enum", "literal_error"):
            expected = err.get("ctx", {}).get("expected", "")
            options = [o.strip(" '") for o in str(expected).replace(" or ", ",").split(",")]
            guess = _suggest(str(value), options)
            hint = f"Did you mean '{guess}'? " if guess else ""
            out.append(
                BY_ID["bad-value"].finding(
                    f"'{where}' is {_describe(value)}, which is not one of the allowed values",
                    f"{hint}Allowed: {expected}.",
                    file,
                    loc=loc,
                )
            )
        elif etype == "value_error" and "date" in err["msg"]:
            out.append(
                BY_ID["bad-date"].finding(
                    f"'{where}': {err['msg'].removeprefix('Value error, ')}",
                    "Write dates as YYYY-MM-DD, for example 2025-03-31.",
                    file,
                    loc=loc,
                )
            )
        elif etype in (
            "string_type",
            "int_type",
            "int_parsing",
            "float_parsing",
            "float_type",
            "bool_type",
            "date_type",
            "dict_type",
            "list_type",
            "model_type",
            "model_attributes_type",
            "int_from_float",
        ):
            out.append(_wrong_type(err, loc, where, value, file, kind_label))
        elif etype == "finite_number":
            out.append(
                BY_ID["bad-value"].finding(
                    f"'{where}' is {_describe(value)}, which is not a figure",
                    "Write the figure as a number, e.g. 81.2; leave a comparator out if there "
                    "is none.",
                    file,
                    loc=loc,
                )
            )
        elif etype == "string_pattern_mismatch":
            out.append(
                BY_ID["bad-value"].finding(
                    f"'{where}' is {_describe(value)}, which is not in the expected form",
                    _pattern_hint(key),
                    file,
                    loc=loc,
                )
            )
        elif etype in ("too_short", "string_too_short"):
            what = "text" if etype == "string_too_short" else "list"
            out.append(
                BY_ID["missing-key"].finding(
                    f"'{where}' is empty", f"Give at least one entry in this {what}.", file, loc=loc
                )
            )
        elif etype in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
            ctx = err.get("ctx", {})
            bound = " and ".join(
                f"{'at least' if k.startswith('g') else 'at most'} {v}" for k, v in ctx.items()
            )
            out.append(
                BY_ID["bad-value"].finding(
                    f"'{where}' is {_describe(value)}, but it must be {bound}",
                    "Correct the number.",
                    file,
                    loc=loc,
                )
            )
        else:
            message, _, hint = err["msg"].removeprefix("Value error, ").partition("|")
            out.append(
                BY_ID["bad-value"].finding(
                    f"'{where}': {message}" if loc else message,
                    hint or "Correct the value; see the README for what this kind of file holds.",
                    file,
                    loc=loc,
                )
            )
    return out


def _pattern_hint(key: str) -> str:
    if key == "ons_code":
        return (
            "Use the council's ONS code: E06 (unitary), E08 (metropolitan), E09 (London) "
            "or E10 (county) and six digits, e.g. E06000022."
        )
    if key == "period":
        return (
            "Write the period as a year (2025), a financial year (2025-26), a quarter "
            "(2025-26-Q2) or a date (2026-03-31)."
        )
    return (
        "Ids use letters, digits, '.', '_' and '-' only, and start with a letter or digit, "
        "for example EV-001."
    )


def _wrong_type(err: Any, loc: Loc, where: str, value: Any, file: str, kind_label: str) -> Finding:
    etype = err["type"]
    wanted = {
        "string_type": "text",
        "int_type": "a whole number",
        "int_parsing": "a whole number",
        "int_from_float": "a whole number",
        "float_parsing": "a number",
        "float_type": "a number",
        "bool_type": "true or false",
        "date_type": "a date",
        "dict_type": "a mapping of keys and values",
        "list_type": "a list",
        "model_type": "a mapping of keys and values",
        "model_attributes_type": "a mapping of keys and values",
    }[etype]
    if not loc:
        return BY_ID["wrong-type"].finding(
            f"the file holds {_describe(value)}, but a {kind_label} is a mapping of keys and "
            "values",
            "Write it as 'key: value' lines, one item per file.",
            file,
            line=1,
            column=1,
        )
    hint = "Correct the value."
    if etype == "string_type" and isinstance(value, (bool, int, float)):
        shown = str(value).lower() if isinstance(value, bool) else value
        hint = (
            "YAML read this as a number or a yes/no value; put the text in quotes, "
            f'for example {loc[-1]}: "{shown}".'
        )
    elif etype == "string_type" and value is None:
        hint = "Write the text after the colon, or remove the key."
    elif etype == "list_type":
        hint = f"Write it as a list, for example {loc[-1]}: [{_describe(value)}] or '- ' lines."
    return BY_ID["wrong-type"].finding(
        f"'{where}' is {_describe(value)}, but it should be {wanted}", hint, file, loc=loc
    )
