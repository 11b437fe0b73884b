"""Strengths and areas for improvement from a sheet, each in its quality statement's rating
file, matched to those the repository holds.

A row is the statement of the repository with its id; where it has none, the one with its
quality statement, type and text, or else the only one with its type and text (a statement
moved to another quality statement). Each statement keeps its id for ever: a new row gets the
next after the highest its quality statement has had (the ids in the file and those it lists
as ``retired_ids``), never one given before. A statement stays where it is in its file; a new
one goes after the statement above it in the sheet, so that the file follows the council's
order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Protocol

from ascready.authoring.register.rows import Draft, Row, RowProblem
from ascready.authoring.register.update import (
    Candidate,
    Change,
    Missing,
    field_edit,
    near_match,
    normal_text,
)
from ascready.authoring.roundtrip import Edit, Keep, ListEntry, apply
from ascready.findings import Severity
from ascready.repository import models
from ascready.repository.project import Document, Project

LISTS = ("strengths", "areas_for_improvement")
_LABEL = {"strengths": "strength", "areas_for_improvement": "area for improvement"}


@dataclass
class _Held:
    """A statement the repository holds."""

    qs: str
    listname: str
    index: int
    ident: str
    data: dict[str, Any]
    file: str


@dataclass
class _Row:
    """A statement row of the sheet: where it goes, and what it is."""

    row: Row
    qs: str
    listname: str
    values: dict[str, Any]
    held: _Held | None
    given_id: bool
    #: What it does to the statement held: the entry's new keys and values, and keys taken
    #: away (None: the row was refused).
    sets: dict[str, Any] = field(default_factory=dict)
    deletes: list[str] = field(default_factory=list)
    refused: bool = False


def _model(listname: str) -> type[models.Statement]:
    return models.Statement if listname == "strengths" else models.AreaForImprovement


class Builder(Protocol):
    """What :class:`Statements` needs of :class:`~.build.Builder`."""

    project: Project
    problems: list[RowProblem]
    update: bool
    remove_missing: bool
    changes: list[Change]
    missing: list[Missing]

    def problem(self, row: Row, message: str, hint: str = "", fname: str = "") -> None: ...
    def no_quality_statement(self, row: Row, what: str) -> None: ...
    def refuse_changes(self, row: Row, changes: list[Change]) -> None: ...
    def existing_rating(self, qs: str) -> Document | None: ...
    def changing_draft(self, doc: Document, kind: str, row: Row | None) -> Draft: ...


class Statements:
    """Strengths and areas for improvement, each added to (or changed in) its quality
    statement's rating; ``by_qs`` holds the new rating files the rows of the ratings sheets
    made."""

    def __init__(self, builder: Builder, by_qs: dict[str, Draft]) -> None:
        self.builder, self.by_qs = builder, by_qs
        self.rows: list[_Row] = []
        self.held: list[_Held] = []
        self.counters: dict[str, int] = defaultdict(int)
        self.used: set[str] = set()
        #: (theme, list) -> the rows of a sheet without an order column, in the sheet's order.
        self.unordered: dict[tuple[str, str], list[_Row]] = defaultdict(list)
        for entry in builder.project.ratings:
            rating = entry.model
            data = entry.document.data if isinstance(entry.document.data, dict) else {}
            for listname in LISTS:
                raw = data.get(listname) or []
                for i, s in enumerate(getattr(rating, listname)):
                    held = raw[i] if i < len(raw) and isinstance(raw[i], dict) else {}
                    self.held.append(
                        _Held(rating.quality_statement, listname, i, s.id, held, entry.path)
                    )
            self._count(rating.retired_ids)
        self._count(h.ident for h in self.held)
        self.by_id = {h.ident: h for h in self.held}
        self.by_key: dict[tuple[str, ...], list[_Held]] = defaultdict(list)
        for h in self.held:
            self.by_key[(h.qs, h.listname, normal_text(h.data.get("text", "")))].append(h)
            self.by_key[(h.listname, normal_text(h.data.get("text", "")))].append(h)
        self.matched: dict[str, Row] = {}

    def _count(self, ids: Any) -> None:
        """New ids count on from the highest given, never filling a gap: an id taken away
        from one statement is not given to another."""
        for ident in ids:
            self.used.add(ident)
            prefix, _, number = ident.rpartition("-")
            if number.isdigit():
                key = f"{prefix}-"
                self.counters[key] = max(self.counters[key], int(number))

    def _next_id(self, prefix: str) -> str:
        """S-QS1-01, AFI-QS1-01...: the next not used, counting on from the last given."""
        n = self.counters[prefix]
        while True:
            n += 1
            candidate = f"{prefix}{n:02d}"
            if candidate not in self.used:
                self.counters[prefix] = n
                self.used.add(candidate)
                return candidate

    # --- reading the rows -------------------------------------------------------------------

    def add(self, row: Row) -> None:
        builder = self.builder
        values = dict(row.values)
        qs = values.pop("quality_statement", None)
        kind = values.pop("type", None)
        if qs is None:
            builder.no_quality_statement(row, "strength or area for improvement")
            return
        if kind is None or "text" not in values:
            missing = ["type"] if kind is None else []
            missing += [] if "text" in values else ["text"]
            builder.problem(
                row,
                f"no {' or '.join(missing)} in this row",
                "Each strength or area for improvement needs its quality statement, its type "
                "(strength or area for improvement) and its text",
            )
            return
        strength = kind == "strength"
        if strength and values.get("actions"):
            builder.problem(
                row,
                "a strength cannot list actions; only areas for improvement do",
                "Move the actions to the area for improvement they answer",
                "actions",
            )
            return
        if strength:
            values.pop("actions", None)
        listname = "strengths" if strength else "areas_for_improvement"
        held = self._match(row, qs, listname, values)
        if held is False:
            return
        given = "id" in values
        if held is None and not given:
            values["id"] = self._next_id(f"{'S' if strength else 'AFI'}-{qs}-")
        elif held is None:
            self.used.add(values["id"])
        self.rows.append(_Row(row, qs, listname, values, held or None, given))
        if "order" not in row.cells:
            self.unordered[(self._theme(qs, values), listname)].append(self.rows[-1])

    def _sheet_order(self) -> None:
        """Where a sheet without an order column lists a theme's statements in an order of its
        own, not quality statement by quality statement, each gets its place in its theme's
        list (``order``), so that render --layout by-theme keeps it. A sheet in quality
        statement order says nothing more than the files do: nothing is added."""
        fw = self.builder.project.framework
        own = any(
            [fw.quality_statement_order(r.qs) for r in rows]
            != sorted(fw.quality_statement_order(r.qs) for r in rows)
            for rows in self.unordered.values()
        )
        if not own:
            return
        for rows in self.unordered.values():
            for place, r in enumerate(rows, 1):
                r.values["order"] = place

    def _theme(self, qs: str, values: dict[str, Any]) -> str:
        """The theme a statement is presented under: its own choice, or its quality
        statement's."""
        fw = self.builder.project.framework
        chosen = values.get("presented_under")
        theme = fw.resolve_theme(str(chosen)) if chosen else None
        if theme:
            return theme
        statement = fw.quality_statement_by_id.get(qs)
        return statement.theme if statement else ""

    def _match(self, row: Row, qs: str, listname: str, values: dict[str, Any]) -> Any:
        """The statement held that the row is (None: a new one; False: refused)."""
        if "id" in values:
            held = self.by_id.get(values["id"])
            if held is None:
                return None
            if held.ident in self.matched:
                other = self.matched[held.ident]
                self.builder.problem(
                    row,
                    f"{held.ident} is in this sheet twice: also in row {other.row}",
                    "Give each strength or area for improvement its own ID, or empty the ID "
                    "cell of a new one",
                    "id",
                )
                return False
            self.matched[held.ident] = row
            return held
        text = normal_text(values["text"])
        for key in ((qs, listname, text), (listname, text)):
            candidates = [h for h in self.by_key.get(key, []) if h.ident not in self.matched]
            if len(key) == 2 and len(candidates) > 1:
                continue  # the same text under several quality statements: not a move
            if candidates:
                self.matched[candidates[0].ident] = row
                return candidates[0]
        return None

    # --- what they do to the rating files ---------------------------------------------------

    def finish(self) -> None:
        """Work out each rating file's lists, and what is missing."""
        builder = self.builder
        self._sheet_order()
        missing = [h for h in self.held if h.ident not in self.matched]
        self._near(missing)
        for h in missing:
            builder.missing.append(
                Missing(_LABEL[h.listname], h.ident, h.file, str(h.data.get("text", "")))
            )
        for r in self.rows:
            if r.held is not None:
                self._changes(r)
        removed = {h.ident for h in missing} if builder.remove_missing else set()
        moved_away = {
            r.held.ident
            for r in self.rows
            if r.held is not None and not r.refused and (r.qs, r.listname) != _place(r.held)
        }
        targets = sorted({r.qs for r in self.rows} | {h.qs for h in self.held if h.ident in
                          removed | moved_away})  # fmt: skip
        for qs in targets:
            self._rating(qs, removed, moved_away)

    def _near(self, missing: list[_Held]) -> None:
        """A new row like a statement no longer in the sheet: said, never assumed."""
        new = [r for r in self.rows if r.held is None]
        candidates = [
            Candidate(h.ident, h.file, h.listname, str(h.data.get("text", ""))) for h in missing
        ]
        found = near_match([(r.row, r.listname, r.values["text"]) for r in new], candidates)
        for i, (candidate, _) in sorted(found.items()):
            r = new[i]
            self.builder.problems.append(
                _warning(
                    r.row,
                    f"this row is like {candidate.ident} ({candidate.file}), which is no longer "
                    f"in the sheet: it is imported as a new {_LABEL[r.listname]}, "
                    f"{r.values['id']}",
                    f"If it is {candidate.ident} reworded, write {candidate.ident} in an ID "
                    "column on this row (or use the workbook ascready export writes, which has "
                    "the IDs) and import again, so that it keeps its ID",
                    r.row.headers.get("text", ""),
                    r.row.cells.get("text", ""),
                )
            )

    def _changes(self, r: _Row) -> None:
        """A row matched to a statement held: what it changes, if it may."""
        held = r.held
        assert held is not None
        edit = field_edit(_model(r.listname), held.data, r.values, r.row, skip=("id",))
        if r.listname == "strengths" and held.listname != "strengths":
            edit.clear += [k for k in ("actions",) if k in held.data]
        changes = edit.changes(r.row, held.file, held.ident)
        if held.qs != r.qs:
            changes.insert(
                0,
                Change(
                    r.row,
                    held.file,
                    f"{held.ident}'s quality statement",
                    "quality_statement",
                    held.qs,
                    r.qs,
                ),
            )
        if held.listname != r.listname:
            changes.insert(
                0,
                Change(
                    r.row,
                    held.file,
                    f"{held.ident}'s type",
                    "type",
                    _LABEL[held.listname],
                    _LABEL[r.listname],
                ),
            )
        if changes and not self.builder.update:
            self.builder.refuse_changes(r.row, changes)
            r.refused = True
            return
        self.builder.changes.extend(changes)
        r.sets = {**edit.add, **edit.change}
        r.deletes = list(edit.clear)

    def _rating(self, qs: str, removed: set[str], moved_away: set[str]) -> None:
        """The lists of ``qs``'s rating file: those held, in their places, changed as the rows
        say; new ones after the statement above them in the sheet."""
        builder = self.builder
        existing = builder.existing_rating(qs)
        held_data = (
            existing.data if existing is not None and isinstance(existing.data, dict) else {}
        )
        lists: dict[str, list[ListEntry]] = {}
        origin: dict[tuple[Any, ...], Row] = {}
        rows_used: list[Row] = []
        changed = False
        for listname in LISTS:
            here = [h for h in self.held if h.qs == qs and h.listname == listname]
            entries: list[ListEntry] = []
            position: dict[str, int] = {}
            for h in here:
                if h.ident in removed or h.ident in moved_away:
                    changed = True
                    continue
                r = next((x for x in self.rows if x.held is h), None)
                position[h.ident] = len(entries)
                if r is not None and (r.sets or r.deletes):
                    entries.append(Keep(h.index, r.sets, tuple(r.deletes)))
                    changed = True
                else:
                    entries.append(Keep(h.index))
            rows = [r for r in self.rows if r.qs == qs and r.listname == listname]
            kept_rows = [r for r in rows if r.held is not None and r.held.ident in position]
            first = kept_rows[0].held if kept_rows else None
            cursor = position[first.ident] if first is not None else len(entries)
            for r in rows:
                if r.held is not None and r.held.ident in position:
                    cursor = position[r.held.ident] + 1
                    origin[(listname, position[r.held.ident])] = r.row
                    rows_used.append(r.row)
                    continue
                if r.refused:
                    continue
                entry = self._entry(r)
                entries.insert(cursor, entry)
                for ident, p in position.items():
                    if p >= cursor:
                        position[ident] = p + 1
                _shift(origin, listname, cursor)
                origin[(listname, cursor)] = r.row
                rows_used.append(r.row)
                cursor += 1
                changed = True
            lists[listname] = entries
        retired = sorted(
            {h.ident for h in self.held if h.qs == qs and h.ident in removed}, key=_natural
        )
        if existing is None:
            draft = self.by_qs.get(qs)
            if draft is None:
                draft = self.by_qs[qs] = Draft("rating", {"quality_statement": qs}, "", [])
            for listname in LISTS:
                draft.data[listname] = [e for e in lists[listname] if not isinstance(e, Keep)]
                for key, row in origin.items():
                    if key[0] == listname:
                        draft.origin[key] = row
            draft.rows.extend(r for r in rows_used if r not in draft.rows)
            return
        if not changed:
            return
        draft = builder.changing_draft(existing, "rating", None)
        draft.rows.extend(r for r in rows_used if r not in draft.rows)
        draft.origin.update(origin)
        sets = dict(draft.edit.set) if draft.edit else {}
        if retired:
            before = held_data.get("retired_ids") or []
            sets["retired_ids"] = [*before, *[i for i in retired if i not in before]]
        old = draft.edit or Edit()
        draft.edit = Edit(
            set=sets,
            delete=old.delete,
            lists={**old.lists, **{k: v for k, v in lists.items() if _differs(v, held_data, k)}},
            order=list(models.Rating.model_fields),
            entry_order=list(models.AreaForImprovement.model_fields),
        )

    def _entry(self, r: _Row) -> dict[str, Any]:
        """A new entry, or one moved here from another quality statement or list."""
        model = _model(r.listname)
        if r.held is None:
            return {n: r.values[n] for n in model.model_fields if n in r.values}
        moved = apply(r.held.data, Edit(set=r.sets, delete=tuple(r.deletes)))
        return {n: moved[n] for n in model.model_fields if n in moved}


def _place(h: _Held) -> tuple[str, str]:
    return (h.qs, h.listname)


def _differs(entries: list[ListEntry], data: dict[str, Any], key: str) -> bool:
    held = data.get(key)
    count = len(held) if isinstance(held, list) else 0
    return not (
        len(entries) == count
        and all(isinstance(e, Keep) and e.index == i and e.unchanged for i, e in enumerate(entries))
    )


def _shift(origin: dict[tuple[Any, ...], Row], listname: str, at: int) -> None:
    moved = {k: v for k, v in origin.items() if k[0] == listname and k[1] >= at}
    for k in moved:
        del origin[k]
    for k, v in moved.items():
        origin[(listname, k[1] + 1, *k[2:])] = v


def _natural(ident: str) -> tuple[str, int]:
    prefix, _, number = ident.rpartition("-")
    return (prefix, int(number)) if number.isdigit() else (ident, 0)


def _warning(row: Row, message: str, hint: str, column: str, cell: str) -> RowProblem:
    return RowProblem(row.where, row.row, message, hint, column, cell, Severity.WARNING)
