"""From converted rows to documents: a row is an evidence item, an information-return item, an
action or a measure; ratings gather their quality statement's strengths and areas for
improvement from another sheet (:mod:`.statements`), and actions their progress updates.

A row that is already in the repository (the same id, or where the sheet has none, the same
title) changes its file only where it says something else (:mod:`.update`): by default only
what the file does not have yet is added; ``--update`` changes what differs, and
``--remove-missing`` takes out what the sheet no longer lists.

Each document remembers the rows it comes from, so that a problem found when it is checked is
reported at the row (and cell) that caused it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from ascready.authoring.files import claimed, claimed_id, fresh_ids, used_ids
from ascready.authoring.register.layout import default_path
from ascready.authoring.register.mapping import SHEET_KINDS
from ascready.authoring.register.rows import Draft, Row, RowProblem, SheetRows
from ascready.authoring.register.statements import Statements
from ascready.authoring.register.update import (
    Change,
    FieldEdit,
    Missing,
    field_edit,
    normal_text,
    same,
    short,
)
from ascready.authoring.roundtrip import Edit, Keep, ListEntry
from ascready.authoring.scaffold import unfilled
from ascready.findings import Severity
from ascready.repository import models
from ascready.repository.kinds import BY_NAME
from ascready.repository.project import Document, Project


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


#: The check of a row refused because it changes what a file holds (without --update).
NEEDS_UPDATE = "needs-update"


class Builder:
    """The documents the rows make, in ``drafts``; rows that make none go to ``problems``.

    ``update`` allows a row to change what a file holds, and ``remove_missing`` removes what
    the sheet of its kind no longer lists; ``changes`` and ``missing`` say what was found."""

    def __init__(
        self,
        project: Project,
        problems: list[RowProblem],
        *,
        update: bool = False,
        remove_missing: bool = False,
    ) -> None:
        self.project = project
        self.fw = project.framework
        self.problems = problems
        self.update, self.remove_missing = update, remove_missing
        self.drafts: list[Draft] = []
        self.changes: list[Change] = []
        self.missing: list[Missing] = []
        #: path -> the draft changing a file that is there
        self.changing: dict[str, Draft] = {}

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

    # --- what a row changes in a file that is there ---------------------------------------

    def allowed(self, edit: FieldEdit, row: Row, file: str, what: str) -> FieldEdit | None:
        """``edit`` as it may be made: all of it with --update; without, only its additions,
        and None (the row refused, with the reason) if it changes anything."""
        if not edit.changes_something:
            return edit
        changes = edit.changes(row, file, what)
        if self.update:
            self.changes.extend(changes)
            return edit
        self.refuse_changes(row, changes)
        return None

    def refuse_changes(self, row: Row, changes: list[Change]) -> None:
        first = changes[0]
        described = [
            f"{c.what} (from {short(c.before)} to "
            + (f"{short(c.after)})" if c.after is not None else "nothing: the cell is empty)")
            for c in changes[:2]
        ]
        more = f", and {len(changes) - 2} more" if len(changes) > 2 else ""
        self.problems.append(
            RowProblem(
                row.where,
                row.row,
                f"this row changes what {first.file} holds: {'; '.join(described)}{more}",
                "ascready import changes what the repository holds only when asked: run it "
                "with --update --dry-run to see every change, then with --update to make them",
                row.headers.get(first.field, ""),
                row.cells.get(first.field, ""),
                check=NEEDS_UPDATE,
            )
        )

    def changing_draft(self, doc: Document, kind: str, row: Row | None) -> Draft:
        """The draft changing ``doc`` (one per file, whatever its rows change)."""
        draft = self.changing.get(doc.path)
        if draft is None:
            draft = Draft(kind, {}, doc.path, [], existing=doc, edit=Edit())
            self.changing[doc.path] = draft
            self.drafts.append(draft)
        if row is not None and row not in draft.rows:
            draft.rows.append(row)
        return draft

    def change_fields(self, kind: str, doc: Document, row: Row, values: dict[str, Any]) -> None:
        """A row matched to ``doc``: the fields it changes in it."""
        model = BY_NAME[kind].model
        if doc.model is None or not isinstance(doc.data, dict):
            self.problem(
                row,
                f"{doc.path} has errors, so this row cannot be compared with it",
                f"Run ascready validate, correct {doc.path}, then import again",
            )
            return
        key = {"return": "number", "rating": "quality_statement"}.get(kind, "id")
        ident = str(claimed(doc, key))
        what = f"item {ident}" if kind == "return" else ident
        skip: tuple[str, ...] = (key,)
        if kind == "rating":  # its statements are matched one by one (.statements)
            skip += ("strengths", "areas_for_improvement")
        found = field_edit(
            model, doc.data, values, row, skip=skip, unfilled=unfilled(kind, doc.data)
        )
        edit = self.allowed(found, row, doc.path, what)
        if edit is None or not (edit.add or (edit.changes_something and self.update)):
            return
        draft = self.changing_draft(doc, kind, row)
        draft.origin[()] = row
        draft.edit = _merged(draft.edit, edit, list(model.model_fields))

    def empty_sheets(self, sheets: list[SheetRows]) -> None:
        """A sheet with no rows at all says nothing about what is missing: more likely the
        wrong sheet, or one not filled in yet, than everything deleted."""
        if self.remove_missing:
            self.problems.append(
                RowProblem(
                    sheets[0].where,
                    0,
                    "the sheet has no rows, so nothing of its kind is taken out (--remove-missing)",
                    "If everything it listed is to go, take the files out by hand",
                    severity=Severity.WARNING,
                )
            )

    def missing_document(self, kind: str, doc: Document) -> None:
        ident = claimed_id(doc) if kind != "return" else str(claimed(doc, "number"))
        title = claimed(doc, "title")
        self.missing.append(Missing(kind, str(ident), doc.path, str(title or "")))
        if self.remove_missing:
            self.drafts.append(Draft(kind, {}, doc.path, [], existing=doc, remove=True))

    # --- one row, one document -------------------------------------------------------------

    def _used_ids(self, kind: str) -> set[str]:
        """Ids the repository's files have or claim, their names, and the drafts' ids."""
        used = set(used_ids(self.project, kind, history=True))
        return used | {str(d.data.get("id")) for d in self.drafts if d.kind == kind}

    def simple(self, sheets: list[SheetRows]) -> None:
        """Evidence, information-return items, actions and measures (the sheets of one
        kind): a row is a document, new or one the repository has (by id or number; where
        the sheet has no IDs, by title)."""
        if not sheets:
            return
        kind = sheets[0].smap.kind
        key = "number" if kind == "return" else "id"
        held = _Held(self.project, kind, key)
        matched: dict[str, Row] = {}
        for sheet in sheets:
            self._simple_rows(sheet, held, matched)
        if not any(sheet.rows for sheet in sheets):
            self.empty_sheets(sheets)
            return
        for doc in held.documents:
            if doc.path not in matched and doc.model is not None:
                self.missing_document(kind, doc)

    def _simple_rows(self, sheet: SheetRows, held: _Held, matched: dict[str, Row]) -> None:
        kind = sheet.smap.kind
        key = "number" if kind == "return" else "id"
        has_id_column = kind == "return" or (
            "id" in sheet.smap.fields and sheet.smap.fields["id"].column is not None
        )
        fresh: Iterator[str] | None = None
        for row in sheet.rows:
            values = dict(row.values)
            path = values.pop("file", None)
            doc: Document | None = None
            if key in values:
                doc = held.by_key.get(str(values[key]))
            elif not has_id_column:
                doc = held.by_title(values.get("title"))
                if doc is None:
                    if fresh is None:
                        fresh = fresh_ids(self._used_ids(kind), BY_NAME[kind].first_id or "")
                    values["id"] = next(fresh)
            if key not in values and doc is None:
                self.problem(
                    row,
                    f"no {'number' if kind == 'return' else 'ID'} in this row",
                    f"Every row of {SHEET_KINDS[kind]} needs one",
                    key,
                )
                continue
            if doc is None:
                self.add(Draft(kind, ordered(kind, values), path or "", [row]))
            elif doc.path in matched:
                self.problem(
                    row,
                    f"this row is {doc.path} too, like row {matched[doc.path].row}",
                    "Keep one row for each; or, if this is another one, give it its own "
                    + ("number" if kind == "return" else "ID"),
                    key,
                )
            else:
                matched[doc.path] = row
                self.change_fields(kind, doc, row, ordered(kind, values))

    # --- ratings ---------------------------------------------------------------------------

    def ratings(self, rating_sheets: list[SheetRows], statement_sheets: list[SheetRows]) -> None:
        """A rating file per quality statement: its self-score and narrative, and its
        strengths and areas for improvement in the order they are listed."""
        by_qs = self._ratings(rating_sheets)
        statements = Statements(self, by_qs)
        for sheet in statement_sheets:
            for row in sheet.rows:
                statements.add(row)
        if any(sheet.rows for sheet in statement_sheets):
            statements.finish()
        elif statement_sheets:
            self.empty_sheets(statement_sheets)
        for draft in by_qs.values():
            if draft.existing is not None:
                continue  # a change to a file that is there: in self.changing
            draft.data = {n: draft.data[n] for n in models.Rating.model_fields if n in draft.data}
            if draft.rows:
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

    def _ratings(self, sheets: list[SheetRows]) -> dict[str, Draft]:
        """The new rating files the rows of the ratings sheets make (a rating file that is
        there is changed instead), by quality statement."""
        by_qs: dict[str, Draft] = {}
        seen: dict[str, Row] = {}
        for sheet in sheets:
            for row in sheet.rows:
                values = dict(row.values)
                path = values.pop("file", None)
                qs = values.get("quality_statement")
                if qs is None:
                    self.no_quality_statement(row, "self-score and narrative")
                    continue
                if qs in seen:
                    self.problem(
                        row,
                        f"{qs} is rated twice: also in row {seen[qs].row}",
                        "Keep one row per quality statement",
                        "quality_statement",
                    )
                    continue
                seen[qs] = row
                existing = self.existing_rating(qs)
                if existing is None:
                    by_qs[qs] = Draft("rating", ordered("rating", values), path or "", [row])
                    continue
                self.change_fields("rating", existing, row, ordered("rating", values))
        return by_qs

    # --- progress updates ------------------------------------------------------------------

    def progress(self, sheets: list[SheetRows]) -> None:
        """Each progress update, added to the action it belongs to (one the repository has
        keeps its updates; those the sheet no longer lists are missing)."""
        if not sheets:
            return
        actions = {str(d.data.get("id")): d for d in self.drafts if d.kind == "action"}
        existing = {d.model.id: d for d in self.project.actions}
        listed: dict[str, list[tuple[Row, str, str]]] = defaultdict(list)
        for sheet in sheets:
            for row in sheet.rows:
                ident = row.values.get("action")
                if ident is None or "date" not in row.values or "note" not in row.values:
                    self.problem(row, "a progress update needs its action's ID, a date and a note")
                    continue
                draft = actions.get(str(ident))
                if draft is not None and draft.existing is None:
                    updates = draft.data.setdefault("progress", [])
                    draft.origin[("progress", len(updates))] = row
                    updates.append({"date": row.values["date"], "note": row.values["note"]})
                    draft.rows.append(row)
                    draft.data = ordered("action", draft.data)
                elif str(ident) in existing:
                    listed[str(ident)].append((row, row.values["date"], row.values["note"]))
                else:
                    self.problem(
                        row,
                        f"the action '{ident}' is not in the repository or among the actions "
                        "imported",
                        "Check the ID against the actions sheet",
                        "action",
                    )
        for ident, entry in existing.items():
            self._progress_of(entry.document, listed.get(ident, []))

    def _progress_of(self, doc: Document, rows: list[tuple[Row, str, str]]) -> None:
        """An action the repository has: its updates kept, those the sheet adds after them,
        and those it no longer lists missing (taken out with --remove-missing)."""
        held = doc.data.get("progress") if isinstance(doc.data, dict) else None
        held = held if isinstance(held, list) else []
        unmatched = list(range(len(held)))
        new: list[tuple[Row, dict[str, Any]]] = []
        for row, date, note in rows:
            found = next(
                (
                    i
                    for i in unmatched
                    if same(held[i].get("date"), date) and same(held[i].get("note"), note)
                ),
                None,
            )
            if found is None:
                new.append((row, {"date": date, "note": note}))
            else:
                unmatched.remove(found)
        ident = str(claimed(doc, "id"))
        for i in unmatched:
            self.missing.append(
                Missing("progress", f"{ident} {held[i].get('date')}", doc.path,
                        str(held[i].get("note", "")))
            )  # fmt: skip
        removed = set(unmatched) if self.remove_missing else set()
        if not new and not removed:
            return
        draft = self.changing_draft(doc, "action", None)
        kept: list[ListEntry] = [Keep(i) for i in range(len(held)) if i not in removed]
        for row, update in new:
            draft.origin[("progress", len(kept))] = row
            draft.rows.append(row)
            kept.append(update)
        draft.edit = _merged(draft.edit, None, list(models.Action.model_fields), progress=kept)

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


def _merged(
    edit: Edit | None, fields: FieldEdit | None, order: list[str], **lists: list[ListEntry]
) -> Edit:
    """``edit`` with the fields of ``fields`` set or cleared, and ``lists`` rebuilt."""
    edit = edit or Edit()
    sets = dict(edit.set)
    deletes = list(edit.delete)
    if fields is not None:
        sets.update(fields.add)
        sets.update(fields.change)
        deletes += fields.clear
    return Edit(
        set=sets,
        delete=tuple(dict.fromkeys(deletes)),
        lists={**edit.lists, **lists},
        order=order,
        entry_order=edit.entry_order or list(models.AreaForImprovement.model_fields),
    )


class _Held:
    """The repository's documents of one kind, by id (or number) and by title."""

    def __init__(self, project: Project, kind: str, key: str) -> None:
        self.documents = [d for d in project.documents if d.kind == kind]
        self.by_key: dict[str, Document] = {}
        self._titles: dict[str, list[Document]] = defaultdict(list)
        for doc in self.documents:
            ident = claimed(doc, key)
            if isinstance(ident, int | str) and not isinstance(ident, bool):
                self.by_key.setdefault(str(ident), doc)
            title = claimed(doc, "title")
            if isinstance(title, str) and title.strip():
                self._titles[normal_text(title)].append(doc)

    def by_title(self, title: Any) -> Document | None:
        """The first document with this title not matched yet (each is matched once)."""
        if not isinstance(title, str):
            return None
        found = self._titles.get(normal_text(title))
        return found.pop(0) if found else None
