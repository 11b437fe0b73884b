"""A register imported again: its rows matched to what the repository holds, and only what
changed is changed.

A row is the document (or the strength or area for improvement) of the repository that has its
id; where the sheet has no ids, the one with its title (a statement: its quality statement,
type and text, and then its type and text alone, for a statement moved to another quality
statement). Nothing is matched by likeness: a row that is only *like* one that is no longer in
the sheet is reported (:func:`near_match`), and imported as a new one.

What a matched row changes is worked out field by field (:func:`field_edit`): a field only the
sheet has is *added* (what an import does by default), a field it gives differently, or a cell
emptied where the file has a value, is a *change*, made only with ``--update``. What the
repository holds and the sheet no longer lists is *missing*, and removed only with
``--remove-missing``. Nothing here reads or writes files.
"""

from __future__ import annotations

import difflib
import enum
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from ascready.authoring.files import as_read
from ascready.authoring.register.rows import Row

#: Below this likeness (difflib's ratio, 0 to 1) two texts are not reported as alike.
NEAR = 0.75
#: Comparing every new row with every missing one costs their product: past this, none is.
NEAR_LIMIT = 250_000


@dataclass(frozen=True)
class Change:
    """One value a row gives differently from the file (``after`` None: the cell is empty)."""

    row: Row
    file: str
    what: str  # "EV-003's title", "S-QS4-03's owner", "the self-score of QS4"
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Missing:
    """Something the repository holds that the sheet read for its kind does not list."""

    kind: str  # a document kind, "strength", "area for improvement" or "progress"
    ident: str  # its id (a progress update: its action's id and date)
    file: str
    title: str


@dataclass
class FieldEdit:
    """What a row does to one file's (or one entry's) fields."""

    add: dict[str, Any] = field(default_factory=dict)  # the file has none: allowed by default
    change: dict[str, Any] = field(default_factory=dict)  # given differently: --update
    clear: list[str] = field(default_factory=list)  # emptied in the sheet: --update
    before: dict[str, Any] = field(default_factory=dict)

    @property
    def changes_something(self) -> bool:
        return bool(self.change or self.clear)

    def changes(self, row: Row, file: str, what: str) -> list[Change]:
        out = [
            Change(row, file, f"{what}'s {_label(n)}", n, self.before.get(n), v)
            for n, v in self.change.items()
        ]
        out += [Change(row, file, f"{what}'s {_label(n)}", n, self.before.get(n), None)
                for n in self.clear]  # fmt: skip
        return out


def _label(name: str) -> str:
    return {"presented_under": "theme", "self_score": "self-score"}.get(
        name, name.replace("_", " ")
    )


def empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _norm(value: Any) -> Any:
    value = as_read(value)
    if isinstance(value, enum.Enum):
        return _norm(value.value)
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items() if not empty(v)}
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def same(a: Any, b: Any) -> bool:
    """Whether a cell's value and a file's say the same (spaces around text, 3 and 3.0,
    a date and its ISO text, are the same)."""
    return bool(_norm(a) == _norm(b))


@functools.cache
def _default(model: type[BaseModel], name: str) -> Any:
    """A field's default (worked out once: pydantic inspects the factory on every call)."""
    info = model.model_fields.get(name)
    if info is None or info.is_required():
        return None
    return info.get_default(call_default_factory=True)


def field_edit(
    model: type[BaseModel],
    held: Mapping[str, Any],
    values: Mapping[str, Any],
    row: Row,
    *,
    skip: Iterable[str] = (),
    unfilled: Iterable[str] = (),
) -> FieldEdit:
    """What ``row`` (its converted ``values``) does to ``held``, a file's or an entry's data,
    field by field of ``model``: a value typed in a cell is compared; a mapping's default
    only fills a field the file does not have; an emptied cell of a column the sheet has
    clears the file's value. The fields ``unfilled`` names still hold what ``init`` wrote for
    the council to replace: they are filled as empty ones are."""
    out = FieldEdit()
    typed = set(row.typed) | {k.split(".", 1)[0] for k in row.typed if "." in k}
    columns = set(row.cells) | {k.split(".", 1)[0] for k in row.cells if "." in k}
    if "related_quality_statements" in values and "quality_statement" in typed:
        typed.add("related_quality_statements")  # "QS1/QS6": its related ones too
    skipped = {"id", "file", *skip}
    placeholders = set(unfilled)
    for name in model.model_fields:
        if name in skipped:
            continue
        before = None if name in placeholders else held.get(name)
        effective = _default(model, name) if name not in held else before
        if name in values and (name in typed or empty(before)):
            value = values[name]
            if isinstance(value, dict) and isinstance(before, dict):
                value = {**before, **value}  # the columns the sheet has, the rest as it was
            if same(value, effective) or (empty(value) and empty(effective)):
                continue
            out.before[name] = held.get(name)
            if empty(before):
                out.add[name] = value
            else:
                out.change[name] = value
        elif name in columns and name not in values and not empty(_norm(before)):
            out.before[name] = before
            out.clear.append(name)
    return out


def normal_text(text: Any) -> str:
    """Text as matched: its words, any case, any spacing."""
    return " ".join(str(text).split()).casefold()


@dataclass(frozen=True)
class Candidate:
    """A statement or document that is no longer in the sheet, for :func:`near_match`."""

    ident: str
    file: str
    group: str  # only candidates of the same group are compared (kind, or list)
    text: str


def near_match(
    rows: list[tuple[Row, str, str]], missing: list[Candidate]
) -> dict[int, tuple[Candidate, float]]:
    """For each new row (row, group, text), the missing one whose text is most alike, if any
    is alike enough; keyed by the row's index in ``rows``."""
    found: dict[int, tuple[Candidate, float]] = {}
    if not rows or not missing or len(rows) * len(missing) > NEAR_LIMIT:
        return found
    for i, (_, group, text) in enumerate(rows):
        matcher = difflib.SequenceMatcher(None, "", normal_text(text), autojunk=False)
        best: tuple[Candidate, float] | None = None
        for candidate in missing:
            if candidate.group != group:
                continue
            matcher.set_seq1(normal_text(candidate.text))
            if matcher.real_quick_ratio() < NEAR or matcher.quick_ratio() < NEAR:
                continue
            ratio = matcher.ratio()
            if ratio >= NEAR and (best is None or ratio > best[1]):
                best = (candidate, ratio)
        if best is not None:
            found[i] = best
    return found


def short(value: Any) -> str:
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    text = " ".join(str(as_read(value)).split())
    return f"'{text}'" if len(text) <= 50 else f"'{text[:47]}...'"
