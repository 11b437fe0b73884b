"""From converted rows to documents: a row is an evidence item, an information-return item, an
action or a measure; ratings gather their quality statement's strengths and areas for
improvement from another sheet, and actions their progress updates.

Each document remembers the rows it comes from, so that a problem found when it is checked is
reported at the row (and cell) that caused it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from ascready.authoring.files import as_read, claimed, fresh_ids, used_ids
from ascready.authoring.register.layout import default_path
from ascready.authoring.register.mapping import SHEET_KINDS
from ascready.authoring.register.rows import Row, RowProblem, SheetRows
from ascready.repository import models
from ascready.repository.kinds import BY_NAME
from ascready.repository.project import Document, Project


@dataclass
class Draft:
    """A document to be: its kind, data and path, and the rows it comes from."""

    kind: str
    data: dict[str, Any]
    path: str
    rows: list[Row]
    #: loc prefix -> the row it came from (e.g. ("strengths", 0) -> that statement's row)
    origin: dict[tuple[Any, ...], Row] = field(default_factory=dict)
    #: The repository's file this adds to (a rating file that exists), or None for a new file:
    #: then ``data`` holds only what is added (new strengths and areas for improvement, and
    #: the fields the file does not have yet).
    existing: Document | None = None


def ordered(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """The document's data with keys in the model's order, nested fields nested."""
    data: dict[str, Any] = {}
    dotted = [k for k in values if "." in k]
    for name in BY_NAME[kind].model.model_fields:
        if name in values:
            data[name] = values[name]
        nested = {k.split(".", 1)[1]: values[k] for k in dotted if k.startswith(f"{name}.")}
        if nested:
            data[name] = nested
    return data


def _path_problem(kind: str, path: str) -> str | None:
    folder = BY_NAME[kind].folder
    parts = PurePosixPath(path).parts
    if (
        path.startswith("/")
        or "\\" in path
        or ".." in parts
        or len(parts) < 2
        or parts[0] != folder
        or not path.endswith((".yaml", ".yml"))
        or any(p.startswith(".") for p in parts)
    ):
        return (
            f"'{path}' is not a place for {SHEET_KINDS[kind]}: it must be a .yaml file under "
            f"{folder}/"
        )
    return None


class Builder:
    """The documents the rows make, in ``drafts``; rows that make none go to ``problems``."""

    def __init__(self, project: Project, problems: list[RowProblem]) -> None:
        self.project = project
        self.fw = project.framework
        self.problems = problems
        self.drafts: list[Draft] = []

    def problem(self, row: Row, message: str, hint: str = "", fname: str = "") -> None:
        self.problems.append(
            RowProblem(
                row.where,
                row.row,
                message,
                hint,
                row.headers.get(fname, "") if fname else "",
                row.cells.get(fname, "") if fname else "",
            )
        )

    def no_quality_statement(self, row: Row, what: str) -> None:
        """A row with no quality statement: which column, what it accepts, or a default."""
        ids = [q.id for q in self.fw.quality_statements]
        accepted = (
            f"{ids[0]} to {ids[-1]}, its number (4 or (4)) or its title "
            f"('{self.fw.quality_statements[0].title}')"
            if ids
            else "a quality statement of the framework"
        )
        header = row.headers.get("quality_statement", "")
        if header and not header.startswith("(default"):
            self.problem(
                row,
                f"no quality statement in this row: the column '{header}' is empty",
                f"Write the quality statement this {what} belongs to in the column "
                f"'{header}': {accepted}. If the rows of a group share the one typed above "
                "them, add 'fill_down: [quality_statement]' to this sheet in the mapping; or "
                "give one for every empty cell with 'defaults: {quality_statement: QS1}'",
                "quality_statement",
            )
            return
        self.problem(
            row,
            "no quality statement in this row: the sheet has no column for it",
            "Name the column that holds it in the mapping ('columns: {quality_statement: "
            f"<its header>}}'), holding {accepted}; or give one for every row with "
            "'defaults: {quality_statement: QS1}'",
        )

    def _used_ids(self, kind: str) -> set[str]:
        """Ids the repository's files have or claim, their names, and the drafts' ids."""
        used = set(used_ids(self.project, kind))
        return used | {str(d.data.get("id")) for d in self.drafts if d.kind == kind}

    def simple(self, sheet: SheetRows) -> None:
        """Evidence, information-return items, actions and measures: a row is a document."""
        kind = sheet.smap.kind
        has_id_column = kind == "return" or (
            "id" in sheet.smap.fields and sheet.smap.fields["id"].column is not None
        )
        fresh: Iterator[str] = iter(())
        if not has_id_column:
            fresh = fresh_ids(self._used_ids(kind), BY_NAME[kind].first_id or "")
        key = "number" if kind == "return" else "id"
        for row in sheet.rows:
            values = dict(row.values)
            path = values.pop("file", None)
            if not has_id_column and "id" not in values:
                values["id"] = next(fresh)
            if key not in values:
                self.problem(
                    row,
                    f"no {'number' if kind == 'return' else 'ID'} in this row",
                    f"Every row of {SHEET_KINDS[kind]} needs one",
                    key,
                )
                continue
            self.add(Draft(kind, ordered(kind, values), path or "", [row]))

    def ratings(self, rating_sheets: list[SheetRows], statement_sheets: list[SheetRows]) -> None:
        """A rating file per quality statement: its self-score and narrative, and its
        strengths and areas for improvement in the order they are listed."""
        by_qs = self._ratings(rating_sheets)
        statements = _Statements(self, by_qs)
        for sheet in statement_sheets:
            for row in sheet.rows:
                statements.add(row)
        for draft in by_qs.values():
            draft.data = {n: draft.data[n] for n in models.Rating.model_fields if n in draft.data}
            if draft.existing is not None:
                draft.path = draft.existing.path
                self.drafts.append(draft)
            else:
                self.add(draft)

    def existing_rating(self, qs: str) -> Document | None:
        """The repository's rating file for ``qs``, even one with errors (by the quality
        statement it claims, or else by its default name)."""
        found = self.project.ratings_by_qs.get(qs)
        if found is not None:
            return found.document
        resolve = self.fw.resolve_quality_statement
        named = f"{BY_NAME['rating'].folder}/{qs}.yaml".casefold()
        for doc in self.project.documents:
            if doc.kind != "rating":
                continue
            ref = claimed(doc, "quality_statement")
            if (isinstance(ref, str) and resolve(ref) == qs) or doc.path.casefold() == named:
                return doc
        return None

    def _conflicts(self, row: Row, existing: Document, values: dict[str, Any]) -> bool:
        """Drop from ``values`` what the file already says; report (and return True) what
        it says differently: an import adds to a rating file, it never changes it."""
        data = existing.data if isinstance(existing.data, dict) else {}
        for name in [n for n in values if n not in ("quality_statement", "strengths")]:
            held = data.get(name)
            if held in (None, "", {}, []):
                continue  # the file has none: the sheet's is added
            given = as_read(values[name])
            if given == held or (isinstance(held, str) and str(given).strip() == held.strip()):
                del values[name]
                continue
            label = name.replace("_", " ")
            self.problem(
                row,
                f"{existing.path} already has a {label} ({_short(held)}), and this row gives "
                f"another ({_short(given)})",
                "An import adds to a rating file but never changes what it holds: make the "
                f"cell match the file, or change the {label} in the file by hand",
                name,
            )
            return True
        return False

    def _ratings(self, sheets: list[SheetRows]) -> dict[str, Draft]:
        by_qs: dict[str, Draft] = {}
        for sheet in sheets:
            for row in sheet.rows:
                values = dict(row.values)
                path = values.pop("file", None)
                qs = values.get("quality_statement")
                if qs is None:
                    self.no_quality_statement(row, "self-score and narrative")
                    continue
                if qs in by_qs:
                    first = by_qs[qs].rows[0]
                    self.problem(
                        row,
                        f"{qs} is rated twice: also in row {first.row}",
                        "Keep one row per quality statement",
                        "quality_statement",
                    )
                    continue
                existing = self.existing_rating(qs)
                if existing is not None and self._conflicts(row, existing, values):
                    continue
                draft = Draft("rating", ordered("rating", values), path or "", [row])
                draft.existing = existing
                by_qs[qs] = draft
        return by_qs

    def progress(self, sheets: list[SheetRows]) -> None:
        """Each progress update, added to the action it belongs to."""
        actions = {str(d.data.get("id")): d for d in self.drafts if d.kind == "action"}
        existing = {d.model.id for d in self.project.actions}
        for sheet in sheets:
            for row in sheet.rows:
                ident = row.values.get("action")
                if ident is None or "date" not in row.values or "note" not in row.values:
                    self.problem(row, "a progress update needs its action's ID, a date and a note")
                    continue
                draft = actions.get(str(ident))
                if draft is None:
                    hint = (
                        f"{ident} is already in the repository: add the update to its file"
                        if ident in existing
                        else "Check the ID against the actions sheet"
                    )
                    self.problem(
                        row,
                        f"the action '{ident}' is not among the actions imported",
                        hint,
                        "action",
                    )
                    continue
                updates = draft.data.setdefault("progress", [])
                draft.origin[("progress", len(updates))] = row
                updates.append({"date": row.values["date"], "note": row.values["note"]})
                draft.rows.append(row)
                draft.data = ordered("action", draft.data)

    def add(self, draft: Draft) -> None:
        if not draft.path:
            try:
                draft.path = default_path(draft.kind, draft.data, self.fw)
            except (KeyError, ValueError):
                draft.path = f"{BY_NAME[draft.kind].folder}/unnamed.yaml"
        else:
            problem = _path_problem(draft.kind, draft.path)
            if problem:
                self.problem(
                    draft.rows[0], problem, "Correct the File cell, or leave it empty", "file"
                )
                return
        self.drafts.append(draft)


class _Statements:
    """Strengths and areas for improvement, each added to its quality statement's rating."""

    def __init__(self, builder: Builder, by_qs: dict[str, Draft]) -> None:
        self.builder, self.by_qs = builder, by_qs
        self.counters: dict[str, int] = defaultdict(int)
        #: id -> the file that has it
        self.in_files = {
            s.id: d.path
            for d in builder.project.ratings
            for s in (*d.model.strengths, *d.model.areas_for_improvement)
        }
        self.used = set(self.in_files)
        # New ids count on from the highest in the files, never filling a gap: an id taken
        # away from one statement is not given to another.
        for ident in self.in_files:
            prefix, _, number = ident.rpartition("-")
            if number.isdigit():
                key = f"{prefix}-"
                self.counters[key] = max(self.counters[key], int(number))

    def add(self, row: Row) -> None:
        values = dict(row.values)
        qs = values.pop("quality_statement", None)
        kind = values.pop("type", None)
        if qs is None:
            self.builder.no_quality_statement(row, "strength or area for improvement")
            return
        if kind is None or "text" not in values:
            missing = ["type"] if kind is None else []
            missing += [] if "text" in values else ["text"]
            self.builder.problem(
                row,
                f"no {' or '.join(missing)} in this row",
                "Each strength or area for improvement needs its quality statement, its type "
                "(strength or area for improvement) and its text",
            )
            return
        strength = kind == "strength"
        if strength and values.get("actions"):
            self.builder.problem(
                row,
                "a strength cannot list actions; only areas for improvement do",
                "Move the actions to the area for improvement they answer",
                "actions",
            )
            return
        if strength:
            values.pop("actions", None)
        if "id" not in values:
            values["id"] = self._next_id(f"{'S' if strength else 'AFI'}-{qs}-")
        elif values["id"] in self.in_files:
            self.builder.problem(
                row,
                f"{values['id']} is already in {self.in_files[values['id']]}",
                "An import adds new strengths and areas for improvement and never changes one "
                "that is there: leave this row out, or empty its ID cell to add it as a new one",
                "id",
            )
            return
        self.used.add(values["id"])
        found = self.by_qs.get(qs)
        if found is None:
            found = self.by_qs[qs] = Draft("rating", {"quality_statement": qs}, "", [])
            found.existing = self.builder.existing_rating(qs)
        model = models.Statement if strength else models.AreaForImprovement
        listname = "strengths" if strength else "areas_for_improvement"
        entries = found.data.setdefault(listname, [])
        # Where it will be in the file: after the entries already there.
        held = found.existing.data if found.existing is not None else None
        before = held.get(listname) if isinstance(held, dict) else None
        offset = len(before) if isinstance(before, list) else 0
        found.origin[(listname, offset + len(entries))] = row
        entries.append({n: values[n] for n in model.model_fields if n in values})
        found.rows.append(row)

    def _next_id(self, prefix: str) -> str:
        """S-QS1-01, AFI-QS1-01...: the next not used, counting on from the last given."""
        n = self.counters[prefix]
        while True:
            n += 1
            candidate = f"{prefix}{n:02d}"
            if candidate not in self.used:
                self.counters[prefix] = n
                return candidate


def _short(value: Any) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= 40 else text[:37] + "..."
