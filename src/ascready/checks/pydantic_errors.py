"""Pydantic's validation errors in plain English: the findings of the ``schema`` stage.

Each error type gets a message that says what is wrong in the words a council officer uses,
and a hint that says what to do, with a "did you mean" where a key or value is misspelt.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from ascready.checks.reading import BY_ID
from ascready.findings import Finding, Loc, article, describe_location


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


@dataclass(frozen=True)
class _Error:
    """One Pydantic error, with what every wording needs."""

    err: Any
    model: type[BaseModel]
    kind_label: str

    @property
    def loc(self) -> Loc:
        return tuple(self.err["loc"])

    @property
    def where(self) -> str:
        """Where the error is, in words: "'title'", "the first strength's 'evidence'"."""
        return describe_location(self.loc)

    @property
    def key(self) -> str:
        return str(self.loc[-1]) if self.loc else ""

    @property
    def value(self) -> Any:
        return self.err.get("input")

    @property
    def shown(self) -> str:
        return _describe(self.value)

    @property
    def msg(self) -> str:
        return str(self.err["msg"]).removeprefix("Value error, ")


#: A wording: the check it belongs to, the message and the hint.
_Wording = tuple[str, str, str]


def _unknown_key(e: _Error) -> _Wording:
    guess = _suggest(e.key, _fields_at(e.model, e.loc[:-1]))
    hint = (
        f"Did you mean '{guess}'?"
        if guess
        else "Remove it, or check the spelling against the README's list of keys."
    )
    label = e.kind_label
    owner = describe_location(e.loc[:-1]) if len(e.loc) > 1 else f"{article(label)} {label}"
    return "unknown-key", f"'{e.key}' is not a key {owner} can have", hint


def _missing(e: _Error) -> _Wording:
    return "missing-key", f"{e.where} is required but missing", f"Add a line '{e.key}: ...'."


def _not_allowed(e: _Error) -> _Wording:
    expected = e.err.get("ctx", {}).get("expected", "")
    options = [o.strip(" '") for o in str(expected).replace(" or ", ",").split(",")]
    guess = _suggest(str(e.value), options)
    hint = f"Did you mean '{guess}'? " if guess else ""
    return (
        "bad-value",
        f"{e.where} is {e.shown}, which is not one of the allowed values",
        f"{hint}Allowed: {expected}.",
    )


def _not_finite(e: _Error) -> _Wording:
    return (
        "bad-value",
        f"{e.where} is {e.shown}, which is not a figure",
        "Write the figure as a number, e.g. 81.2; leave a comparator out if there is none.",
    )


def _pattern(e: _Error) -> _Wording:
    message = f"{e.where} is {e.shown}, which is not in the expected form"
    return "bad-value", message, _pattern_hint(e.key)


def _empty(e: _Error) -> _Wording:
    if e.err["type"] == "string_too_short":
        return "missing-key", f"{e.where} is empty", "Write the text after the colon."
    return "missing-key", f"{e.where} is empty", "Give at least one entry in this list."


def _out_of_range(e: _Error) -> _Wording:
    ctx = e.err.get("ctx", {})
    bound = " and ".join(
        f"{'at least' if k.startswith('g') else 'at most'} {v}" for k, v in ctx.items()
    )
    return "bad-value", f"{e.where} is {e.shown}, but it must be {bound}", "Correct the number."


def _other(e: _Error) -> _Wording:
    if e.err["type"] == "value_error" and "date" in e.err["msg"]:
        return (
            "bad-date",
            f"{e.where}: {e.msg}",
            "Write dates as YYYY-MM-DD, for example 2025-03-31.",
        )
    message, _, hint = e.msg.partition("|")
    return (
        "bad-value",
        f"{e.where}: {message}" if e.loc else message,
        hint or "Correct the value; see the README for what this kind of file holds.",
    )


#: What a value should have been, for each Pydantic type error.
_WANTED = {
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
}


def _flow_item(text: str) -> str:
    """One item of a ``[a, b]`` list as YAML reads it back as the same text."""
    plain = text[:1].isalnum() and not any(c in text for c in ":#[]{}\"'&*!|>%@`")
    return text if plain else json.dumps(text, ensure_ascii=False)


def _wrong_type(e: _Error) -> _Wording:
    etype = e.err["type"]
    if not e.loc:
        return (
            "wrong-type",
            f"the file holds {e.shown}, but {article(e.kind_label)} {e.kind_label} is a mapping of "
            "keys and values",
            "Write it as 'key: value' lines, one item per file.",
        )
    hint = "Correct the value."
    value = e.value
    if etype == "string_type" and isinstance(value, (bool, int, float)):
        shown = str(value).lower() if isinstance(value, bool) else value
        # In a list, the example is the entry itself; under a key, the key and its value.
        example = f'{e.key}: "{shown}"' if isinstance(e.loc[-1], str) else f'"{shown}"'
        hint = (
            "YAML read this as a number or a yes/no value; put the text in quotes, "
            f"for example {example}."
        )
    elif etype == "string_type" and value is None:
        hint = "Write the text after the colon, or remove the key."
    elif etype == "list_type" and isinstance(value, str) and "," in value:
        # `evidence: EV-003, EV-04` is one text; the list meant has an item at each comma.
        items = ", ".join(_flow_item(part.strip()) for part in value.split(",") if part.strip())
        hint = f"Write it as a list, for example {e.key}: [{items}] or '- ' lines."
    elif etype == "list_type":
        hint = f"Write it as a list, for example {e.key}: [{e.shown}] or '- ' lines."
    return "wrong-type", f"{e.where} is {e.shown}, but it should be {_WANTED[etype]}", hint


#: Pydantic error type -> its wording; anything else is worded by :func:`_other`.
_WORDINGS: dict[str, Callable[[_Error], _Wording]] = {
    "extra_forbidden": _unknown_key,
    "missing": _missing,
    "enum": _not_allowed,
    "literal_error": _not_allowed,
    "finite_number": _not_finite,
    "string_pattern_mismatch": _pattern,
    "too_short": _empty,
    "string_too_short": _empty,
    "less_than_equal": _out_of_range,
    "greater_than_equal": _out_of_range,
    "less_than": _out_of_range,
    "greater_than": _out_of_range,
    **dict.fromkeys(_WANTED, _wrong_type),
}


def schema_findings(
    exc: ValidationError, model: type[BaseModel], file: str, kind_label: str
) -> list[Finding]:
    """Turn a Pydantic ValidationError into findings a non-programmer can act on."""
    out: list[Finding] = []
    for err in exc.errors(include_url=False):
        error = _Error(err, model, kind_label)
        check, message, hint = _WORDINGS.get(err["type"], _other)(error)
        if check == "wrong-type" and not error.loc:
            out.append(BY_ID[check].finding(message, hint, file, line=1, column=1))
        else:
            out.append(BY_ID[check].finding(message, hint, file, loc=error.loc))
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
