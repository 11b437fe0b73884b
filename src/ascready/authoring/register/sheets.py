"""Reading a register's sheets by the mapping: which table is which sheet, where its headers
are, and each row's cells converted to field values.

Registers are made by people: a title row and merged group headers above the real headers,
banner rows between sections, cells merged down a column, formulas. Each is handled here, and
what ascready made of it is reported as a warning with its row.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ascready.authoring.register.convert import CellError, Converter
from ascready.authoring.register.layout import SHEETS
from ascready.authoring.register.mapping import SHEET_KINDS, FieldMap, Mapping, SheetMap, norm
from ascready.authoring.register.rows import CellRefs, Row, RowProblem, SheetRows
from ascready.errors import ImportRefused, TableError
from ascready.findings import Severity
from ascready.io.tables import Merge, Progress, Table, column_letter, read_tables

#: How far down a sheet its header row is looked for.
HEADER_SEARCH_ROWS = 20


# --- which table is which sheet -----------------------------------------------------------------


def select_sheets(
    mapping: Mapping, path: Path, progress: Progress | None
) -> list[tuple[SheetMap, Table]]:
    """The tables of ``path`` the mapping names, each with its sheet's mapping."""
    # Only the sheets the mapping names are read, unless one is unnamed (the only sheet).
    names = [s.sheet for s in mapping.sheets if s.sheet is not None]
    unnamed = len(names) < len(mapping.sheets)
    try:
        tables, all_names = read_tables(path, None if unnamed else names, progress)
    except TableError as exc:
        raise ImportRefused(exc.message) from None
    if not all_names:  # a CSV file
        return [(_csv_sheet(mapping, path, tables[0]), tables[0])]
    by_name = {t.sheet: t for t in tables}
    pairs: list[tuple[SheetMap, Table]] = []
    for smap in mapping.sheets:
        if smap.sheet is None:
            if len(all_names) != 1:
                raise ImportRefused(
                    f"the mapping ({mapping.file}, line {smap.line}) does not say which sheet "
                    f"holds {SHEET_KINDS[smap.kind]}, and {path.name} has "
                    f"{len(all_names)} sheets: {', '.join(repr(n) for n in all_names)}; add "
                    "'sheet: <name>'"
                )
            pairs.append((smap, tables[0]))
            continue
        named = by_name.get(smap.sheet)
        if named is None:
            if smap.optional:
                continue
            guess = difflib.get_close_matches(smap.sheet, all_names, 1, cutoff=0.4)
            hint = f"Did you mean '{guess[0]}'? " if guess else ""
            raise ImportRefused(
                f"{path.name} has no sheet named '{smap.sheet}' (the mapping, line "
                f"{smap.line}). {hint}Its sheets are: {', '.join(repr(n) for n in all_names)}"
            )
        pairs.append((smap, named))
    if not pairs:
        raise ImportRefused(
            f"{path.name} has none of the sheets of ascready's register "
            f"({', '.join(s.name for s in SHEETS)}); its sheets are "
            f"{', '.join(repr(n) for n in all_names)}. Write a mapping file that says which "
            "sheet and columns hold what (see the README), and pass it with --mapping"
        )
    return pairs


def _csv_sheet(mapping: Mapping, path: Path, table: Table) -> SheetMap:
    """A CSV file is one table: the sheet whose headers it shares most of."""
    candidates = list(mapping.sheets)
    if len(candidates) == 1:
        return candidates[0]
    scored = sorted(
        ((_match_count(table, smap), i) for i, smap in enumerate(candidates)), reverse=True
    )
    if not scored[0][0] or scored[0][0] == scored[1][0]:
        names_text = ", ".join(repr(s.sheet or s.kind) for s in candidates)
        raise ImportRefused(
            f"{path.name} is a CSV file, which holds one table, and its headers "
            + ("match none" if not scored[0][0] else "match more than one")
            + f" of the mapping's sheets ({names_text}); use a mapping with one sheet"
        )
    return candidates[scored[0][1]]


def _match_count(table: Table, smap: SheetMap) -> int:
    """How many of the mapping's headers the table has in one of its first rows."""
    wanted = {h for m in smap.fields.values() for h in _headers_of(m)}
    best = 0
    for row in table.rows[:HEADER_SEARCH_ROWS]:
        best = max(best, len(wanted & {norm(v) for v in row if v is not None}))
    return best


# --- where the headers are ----------------------------------------------------------------------


def _headers_of(fmap: FieldMap) -> tuple[str, ...]:
    """The headers a field's column may have, normalised, the mapping's own first."""
    if fmap.column is None:
        return ()
    return tuple(dict.fromkeys(norm(h) for h in (fmap.column, *fmap.aliases)))


def _header_text(table: Table, row: int, col: int) -> Any:
    value = table.rows[row - 1][col - 1] if col <= len(table.rows[row - 1]) else None
    if value is None:
        merge = table.merge_at(row, col)
        if merge is not None:
            value = merge.value
    return value


@dataclass
class _Headers:
    """What is looked for: each mapped field's header, and the fields that must be there."""

    wanted: dict[str, tuple[str, ...]]  # field -> the headers it may have, normalised
    needed: set[str]
    #: The best row so far: (row, (needed found, all found), field -> column), 1-based.
    best: tuple[int, tuple[int, int], dict[str, int]] | None = field(default=None)

    @classmethod
    def of(cls, smap: SheetMap) -> _Headers:
        wanted = {f: _headers_of(m) for f, m in smap.fields.items() if m.column is not None}
        # A mapping file's columns must all be there; in ascready's own layout, only the
        # required ones (a colleague may have deleted a column nobody fills in).
        needed = (
            {c.field for c in smap.layout.columns if c.required} & set(wanted)
            if smap.optional
            else set(wanted)
        )
        return cls(wanted, needed)

    def look_in(self, table: Table, r: int) -> bool:
        """Match row ``r``'s headers; True when it has every wanted one."""
        headers: dict[str, int] = {}
        for c in range(1, len(table.rows[r - 1]) + 1):
            text = _header_text(table, r, c)
            if text is not None and norm(text) not in headers:
                headers[norm(text)] = c
        found = {
            f: next(headers[h] for h in hs if h in headers)
            for f, hs in self.wanted.items()
            if any(h in headers for h in hs)
        }
        score = (len(self.needed & set(found)), len(found))
        if self.best is None or score > self.best[1]:
            self.best = (r, score, found)
        return len(found) == len(self.wanted)


def find_headers(
    table: Table, smap: SheetMap, problems: list[RowProblem]
) -> tuple[int, dict[str, int]] | None:
    """The header row and each mapped field's column (1-based), or None (reported)."""
    look = _Headers.of(smap)
    candidates = (
        [smap.header_row]
        if smap.header_row
        else range(1, min(HEADER_SEARCH_ROWS, len(table.rows)) + 1)
    )
    for r in candidates:
        if r > len(table.rows) or look.look_in(table, r):
            break
    if look.best is None or look.best[1][0] < len(look.needed):
        problems.append(_headers_missing(table, smap, look))
        return None
    row, _, found = look.best
    problems.extend(_header_caveats(table, smap, row, found))
    return row, found


def _headers_missing(table: Table, smap: SheetMap, look: _Headers) -> RowProblem:
    r, _, found = look.best or (smap.header_row or 1, (0, 0), {})
    missing = [smap.fields[f].column for f in look.wanted if f in look.needed and f not in found]
    seen = [
        str(v) for v in (table.rows[r - 1] if 0 < r <= len(table.rows) else []) if v is not None
    ]
    hint = (
        f"Row {r} has: {', '.join(repr(s) for s in seen[:20])}"
        if seen
        else ("The sheet is empty there")
    )
    named = "named in the mapping " if not smap.optional else "ascready's register needs "
    several = len(missing) > 1
    return RowProblem(
        table.where,
        0,
        ("the columns " if several else "the column ")
        + ", ".join(f"'{m}'" for m in missing)
        + f" {named}"
        + ("are" if several else "is")
        + " not in the first "
        + (f"row {smap.header_row}" if smap.header_row else f"{HEADER_SEARCH_ROWS} rows"),
        f"{hint}. Correct the header in the mapping (spacing and capitals do not matter)"
        if not smap.optional
        else f"{hint}. Put the column back, or import with a mapping file (--mapping)",
    )


def _header_caveats(
    table: Table, smap: SheetMap, row: int, found: dict[str, int]
) -> list[RowProblem]:
    """Warnings about a header row that was found: columns not there, merged headers."""
    caveats = []
    absent = [m.column for f, m in smap.fields.items() if m.column is not None and f not in found]
    if absent:
        caveats.append(
            RowProblem(
                table.where,
                row,
                "no column "
                + ", ".join(f"'{a}'" for a in absent)
                + ": those fields are left empty in every row",
                severity=Severity.WARNING,
            )
        )
    for fname, col in found.items():
        merge = table.merge_at(row, col)
        if merge is not None and merge.max_col > merge.min_col:
            caveats.append(
                RowProblem(
                    table.where,
                    row,
                    f"the header '{smap.fields[fname].column}' is merged across {merge.ref}; "
                    f"ascready reads column {column_letter(col)} for it",
                    "Unmerge the header cells if another column holds that field",
                    severity=Severity.WARNING,
                )
            )
    return caveats


# --- the rows -----------------------------------------------------------------------------------


@dataclass
class _Cells:
    """The mapped cells of one row, before conversion."""

    raw: dict[str, Any]  # field -> the cell's value (only cells that hold something)
    refs: CellRefs  # field -> cell reference
    from_merge: list[Merge]  # merges down a column this row's values came from
    unsaved: bool  # a formula with no saved result


class _SheetReader:
    """One sheet's rows, converted by its mapping; problems go to ``problems``."""

    def __init__(
        self,
        table: Table,
        smap: SheetMap,
        columns: dict[str, int],
        conv: Converter,
        problems: list[RowProblem],
    ) -> None:
        self.table, self.smap, self.columns = table, smap, columns
        self.conv, self.problems = conv, problems
        self.where = table.where
        self.used_cols = sorted(set(columns.values()))
        self.letters = {fname: column_letter(c) for fname, c in columns.items()}
        #: The sets of fields typed, one copy of each (rows mostly type the same fields).
        self.typed_sets: dict[frozenset[str], frozenset[str]] = {}
        self.merged_noted: set[str] = set()

    def problem(
        self, r: int, message: str, hint: str = "", fname: str = "", cell: str = ""
    ) -> None:
        column = (self.smap.fields[fname].column or "") if fname else ""
        self.problems.append(RowProblem(self.where, r, message, hint, column, cell))

    def warn(self, r: int, message: str, hint: str = "") -> None:
        self.problems.append(RowProblem(self.where, r, message, hint, severity=Severity.WARNING))

    def cells(self, r: int) -> _Cells:
        table, raw_row = self.table, self.table.rows[r - 1]
        found = _Cells({}, CellRefs(self.letters, r), [], False)
        for fname, c in self.columns.items():
            value = raw_row[c - 1] if c <= len(raw_row) else None
            if value is None:
                merge = table.merge_at(r, c)
                # Cells merged down a column share the first one's value; cells merged across
                # columns are one value, in the first column.
                if merge is not None and merge.min_col == c and merge.min_row != r:
                    value = merge.value
                    if value is not None:
                        found.from_merge.append(merge)
                elif (r, c) in table.formulas:
                    found.unsaved = True
                    self.problem(
                        r,
                        f"the cell holds a formula ({table.formulas[(r, c)]}) with no saved result",
                        "Open the workbook in Excel or LibreOffice and save it (that stores "
                        "the results), or paste the values over the formulas",
                        fname,
                        found.refs[fname],
                    )
            if isinstance(value, str) and not value.strip():
                value = None
            if value is not None:
                found.raw[fname] = value
        return found

    def banner(self, r: int) -> Merge | None:
        """A heading row ("Theme 1: Working with people") merged across the table."""
        cols = self.used_cols
        merge = self.table.merge_at(r, cols[0]) if len(cols) > 1 else None
        if merge is None or merge.min_row != r:
            return None
        return merge if merge.min_col <= cols[0] and merge.max_col >= cols[-1] else None

    def note_merges(self, merges: list[Merge]) -> None:
        for merge in merges:
            if merge.ref not in self.merged_noted:
                self.merged_noted.add(merge.ref)
                self.warn(
                    merge.min_row,
                    f"cells {merge.ref} are merged; ascready used '{merge.value}' for each of "
                    f"rows {merge.min_row} to {merge.max_row}",
                    "Check that is what the merged cells meant",
                )

    def _several_rated(self, r: int, fname: str, value: Any, cells: _Cells) -> list[str]:
        """A strength's or area's cell naming several quality statements: the first is its
        quality statement, the others related ones (with a warning); [] if not that."""
        if self.smap.kind != "statement" or fname != "quality_statement":
            return []
        text = str(value)
        found = self.conv.several("qs", str(self.conv.mapped(self.smap.fields[fname], text)))
        if not found:
            return []
        column = self.smap.fields[fname].column or ""
        self.problems.append(
            RowProblem(
                self.where,
                r,
                f"'{text.strip()}' names {len(found)} quality statements: the statement is "
                f"filed under {found[0]}, the first, and related to " + ", ".join(found[1:]),
                "If it belongs under another, write that one first; or write one quality "
                "statement in this column and the others in a 'Related quality statements' "
                "column",
                column,
                cells.refs[fname],
                Severity.WARNING,
            )
        )
        return found

    def convert(self, r: int, cells: _Cells) -> dict[str, Any] | None:
        """The row's field values, with the mapping's defaults; None if a cell would not
        convert (reported)."""
        layout, values = self.smap.layout, {}
        ok = not cells.unsaved
        related: list[str] = []
        for fname, value in cells.raw.items():
            try:
                values[fname] = self.conv.convert(
                    layout.column(fname), self.smap.fields[fname], value
                )
            except CellError as exc:
                several = self._several_rated(r, fname, value, cells)
                if several:
                    values[fname], related = several[0], several[1:]
                    continue
                ok = False
                self.problem(r, exc.message, exc.hint, fname, cells.refs[fname])
        if related:
            also = [*related, *values.get("related_quality_statements", [])]
            qs = values["quality_statement"]
            values["related_quality_statements"] = [q for q in dict.fromkeys(also) if q != qs]
        if not ok:
            return None
        for fname, fmap in self.smap.fields.items():
            if fname not in values and fmap.default is not None:
                try:
                    values[fname] = self.conv.convert(layout.column(fname), fmap, fmap.default)
                except CellError as exc:
                    self.problem(r, f"the default for {fname}: {exc.message}", exc.hint)
                    ok = False
        return values if ok else None


def read_sheet(
    table: Table,
    smap: SheetMap,
    conv: Converter,
    problems: list[RowProblem],
    progress: Progress | None = None,
) -> SheetRows | None:
    """The rows of one table below its headers, converted; None when the headers are not
    there (reported)."""
    located = find_headers(table, smap, problems)
    if located is None:
        return None
    header_row, columns = located
    reader = _SheetReader(table, smap, columns, conv, problems)
    headers = {f: m.column or f"(default for {f})" for f, m in smap.fields.items()}
    rows: list[Row] = []
    empty = 0
    last = len(table.rows)
    groups = _Groups(smap)
    where = table.where  # one string for all the rows, not one each
    for r in range(header_row + 1, last + 1):
        if progress is not None and r % 500 == 0:
            progress(f"Converting rows of {table.where}", r, last)
        cells = reader.cells(r)
        if not cells.raw:  # blank, or text only in columns the mapping does not read
            empty += 1
            continue
        banner = reader.banner(r)
        if banner is not None:
            reader.warn(
                r, f"a heading row ('{banner.value}', merged across {banner.ref}) was skipped"
            )
            continue
        groups.fill(r, cells.raw)
        reader.note_merges(cells.from_merge)
        values = reader.convert(r, cells)
        if values is not None:
            typed = frozenset(cells.raw)
            typed = reader.typed_sets.setdefault(typed, typed)
            rows.append(Row(where, r, values, cells.refs, headers, typed))
    problems.extend(groups.warnings(table.where))
    return SheetRows(smap, where, rows, empty)


class _Groups:
    """Cells left blank under a group's value: filled from above for the fields of the
    mapping's ``fill_down``; for the other columns that take a closed list of values, a blank
    that looks like a group is remembered and warned about.

    A column looks grouped when its first row has a value, values are followed by blanks in
    rows that are otherwise filled, and a value typed after blanks is never the one above them
    (a new group); a column of values some rows have and others do not is not warned about.
    """

    def __init__(self, smap: SheetMap) -> None:
        self.smap = smap
        self.above: dict[str, Any] = {}  # fill_down field -> the last value in its column
        self.watched = [
            f
            for f, m in smap.fields.items()
            if m.column is not None
            and f not in smap.fill_down
            and (smap.layout.column(f).several or smap.layout.column(f).type == "choice")
        ]
        self.previous: dict[str, Any] | None = None  # the last data row's cells, as typed
        self.under_value: dict[str, bool] = {}  # field -> the cell above is a value or a gap
        self.gaps: dict[str, list[int]] = {}  # field -> rows left blank under a value
        self.last: dict[str, Any] = {}  # field -> the last value typed in its column
        self.not_grouped: set[str] = set()
        self.after_gap: dict[str, bool] = {}  # field -> blanks since its last value

    def fill(self, r: int, raw: dict[str, Any]) -> None:
        """Note the row's blanks, then fill its fill_down fields from above."""
        typed = dict(raw)
        for fname in self.watched:
            if self.previous is None and fname not in typed:
                self.not_grouped.add(fname)  # a group starts at the top
            if fname in typed:
                if self.after_gap.pop(fname, False) and self.last.get(fname) == typed[fname]:
                    self.not_grouped.add(fname)  # the same value again after blanks
                self.last[fname] = typed[fname]
                self.under_value[fname] = True
            elif self.under_value.get(fname) and self._otherwise_filled(fname, typed):
                self.gaps.setdefault(fname, []).append(r)
                self.after_gap[fname] = True
            else:
                self.under_value[fname] = False
        self.previous = typed
        for fname in self.smap.fill_down:
            if fname in raw:
                self.above[fname] = raw[fname]
            elif fname in self.above:
                raw[fname] = self.above[fname]

    def _otherwise_filled(self, fname: str, typed: dict[str, Any]) -> bool:
        """The row has most of the other values the row above has."""
        others = [f for f in (self.previous or {}) if f != fname]
        return bool(others) and 2 * sum(f in typed for f in others) >= len(others)

    def warnings(self, where: str) -> list[RowProblem]:
        out = []
        for fname, gap_rows in self.gaps.items():
            if fname in self.not_grouped:
                continue
            header = self.smap.fields[fname].column or fname
            how = (
                "add 'fill_down: [" + fname + "]' to this sheet in the mapping file"
                if not self.smap.optional
                else "import with a mapping file whose sheet has 'fill_down: [" + fname + "]'"
            )
            out.append(
                RowProblem(
                    where,
                    gap_rows[0],
                    f"the column '{header}' is blank in {_rows_text(gap_rows)}, under a "
                    "value in the row above, as when a group's value is typed once; those rows "
                    f"were read with no {fname.replace('_', ' ')}",
                    f"If a blank there means the value above, {how} (see the README); if it "
                    "means none, this warning can be ignored",
                    header,
                    severity=Severity.WARNING,
                )
            )
        return out


def _rows_text(rows: list[int]) -> str:
    """Row numbers as ranges: 'rows 6-8, 11 and 14'."""
    spans: list[list[int]] = []
    for r in rows:
        if spans and r == spans[-1][1] + 1:
            spans[-1][1] = r
        else:
            spans.append([r, r])
    parts = [f"{a}" if a == b else f"{a}-{b}" for a, b in spans]
    if len(parts) == 1:
        return ("row " if spans[0][0] == spans[0][1] else "rows ") + parts[0]
    return "rows " + ", ".join(parts[:-1]) + " and " + parts[-1]
