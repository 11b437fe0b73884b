"""``ascready import``: a council's existing register (.xlsx or .csv) into repository files.

A *mapping* says which sheet holds which kind of document, which column holds which field, and
how the words people typed map to ascready's values ("Assessing Needs" or "QS 1" to ``QS1``).
Without a mapping file the register's own layout
(:data:`ascready.authoring.register.layout.SHEETS`, what
``ascready export`` writes) is the mapping, so an exported workbook imports back unchanged.

:func:`plan_import` reads and converts everything and returns an :class:`ImportPlan`: the files
it would write, and every row it cannot convert with its sheet, row number and reason. Nothing
is written unless :func:`write_plan` is called, and then every file or none (files are created,
never replaced). Nothing here prints.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ValidationError

from ascready.authoring.register.layout import SHEETS, Column, Sheet, closed_lists, default_path
from ascready.checks.document import introduced_findings
from ascready.checks.personal_data import allowed_for, scan_document
from ascready.checks.pydantic_errors import schema_findings
from ascready.errors import AscreadyError, ImportRefused, TableError
from ascready.findings import Finding, Severity
from ascready.io.tables import Progress, Table, column_letter, read_tables
from ascready.repository import models, yamlsafe
from ascready.repository.framework import Framework
from ascready.repository.kinds import BY_NAME, LABELS
from ascready.repository.project import Document, Project

#: Where each kind of document lives, and its model.
FOLDER = {name: kind.folder for name, kind in BY_NAME.items()}
MODEL = {name: kind.model for name, kind in BY_NAME.items()}
#: The sheet kinds a mapping may name, and what each holds.
SHEET_KINDS = {
    "evidence": "evidence items",
    "return": "information-return items",
    "rating": "quality-statement self-scores and narratives",
    "statement": "strengths and areas for improvement",
    "action": "improvement actions",
    "progress": "progress updates of improvement actions",
    "metric": "performance measures",
}
#: The first id of each kind when a register has no id column at all.
FIRST_ID = {"evidence": "EV-001", "action": "ACT-01", "metric": "M-01"}
HEADER_SEARCH_ROWS = 20


# --- the mapping -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldMap:
    name: str
    column: str | None = None  # the header of the column that holds it
    default: Any = None  # the value when the cell is empty or there is no column
    values: dict[str, Any] = field(default_factory=dict)  # normalised typed text -> value


@dataclass(frozen=True)
class SheetMap:
    sheet: str | None  # None: a CSV file, or the workbook's only sheet
    kind: str
    fields: dict[str, FieldMap]
    header_row: int | None = None
    line: int = 0  # where it is in the mapping file, for messages
    optional: bool = False  # the built-in mapping: a missing sheet is simply not there

    @property
    def layout(self) -> Sheet:
        return next(s for s in SHEETS if s.kind == self.kind)


@dataclass(frozen=True)
class Mapping:
    sheets: tuple[SheetMap, ...]
    file: str | None = None  # None: the built-in mapping of ascready's own register


def builtin_mapping() -> Mapping:
    """The layout ``ascready export`` writes, as a mapping."""
    return Mapping(
        tuple(
            SheetMap(
                s.name,
                s.kind,
                {c.field: FieldMap(c.field, c.header) for c in s.columns},
                optional=True,
            )
            for s in SHEETS
        )
    )


def _norm(text: Any) -> str:
    """How headers and typed values are compared: case, spacing and punctuation aside."""
    return re.sub(r"[\s_\-.:/()]+", " ", str(text)).strip().casefold()


def load_mapping(path: Path) -> Mapping:
    """Read a mapping file; every problem in it is reported at once, with its line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ImportRefused(f"the mapping file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportRefused(f"cannot read the mapping file {path}: {exc}") from None
    data, problems = yamlsafe.parse_text(text)
    if problems:
        raise ImportRefused(
            "the mapping file is not valid YAML:\n"
            + "\n".join(f"  {path.name}:{p.line}: {p.message}" for p in problems)
        )
    errors: list[str] = []

    def err(loc: tuple[Any, ...], message: str) -> None:
        line, _ = yamlsafe.locate(text, loc)
        errors.append(f"  {path.name}:{line}: {message}")

    sheets: list[SheetMap] = []
    if not isinstance(data, dict) or not isinstance(data.get("sheets"), list):
        err((), "a mapping has a list 'sheets:', one entry per sheet (see the README)")
        data = {"sheets": []}
    for key in data:
        if key != "sheets":
            err((key,), f"'{key}' is not a key a mapping can have; only 'sheets'")
    for i, entry in enumerate(data["sheets"]):
        loc: tuple[Any, ...] = ("sheets", i)
        if not isinstance(entry, dict):
            err(loc, "each sheet is a mapping with 'kind:' and 'columns:'")
            continue
        for key in entry:
            if key not in ("sheet", "kind", "header_row", "columns", "defaults", "values"):
                guess = difflib.get_close_matches(
                    str(key), ["sheet", "kind", "header_row", "columns", "defaults", "values"], 1
                )
                hint = f" Did you mean '{guess[0]}'?" if guess else ""
                err((*loc, key), f"'{key}' is not a key of a sheet.{hint}")
        kind = entry.get("kind")
        if kind not in SHEET_KINDS:
            known = ", ".join(f"{k} ({v})" for k, v in SHEET_KINDS.items())
            err((*loc, "kind"), f"kind is {kind!r}; it must be one of: {known}")
            continue
        layout = next(s for s in SHEETS if s.kind == kind)
        fields_known = [c.field for c in layout.columns]
        fields: dict[str, FieldMap] = {}
        columns = entry.get("columns") or {}
        defaults = entry.get("defaults") or {}
        values = entry.get("values") or {}
        for name, part in (("columns", columns), ("defaults", defaults), ("values", values)):
            if not isinstance(part, dict):
                err((*loc, name), f"'{name}' must be a mapping of field names")
                continue
            for fname in part:
                if fname not in fields_known:
                    guess = difflib.get_close_matches(str(fname), fields_known, 1)
                    hint = f"Did you mean '{guess[0]}'? " if guess else ""
                    err(
                        (*loc, name, fname),
                        f"'{fname}' is not a field of {SHEET_KINDS[kind]}. {hint}"
                        f"Fields: {', '.join(fields_known)}",
                    )
        if not isinstance(columns, dict) or not isinstance(defaults, dict):
            continue
        for fname in fields_known:
            header = columns.get(fname)
            if header is not None and not isinstance(header, (str, int)):
                err((*loc, "columns", fname), "a column is given by its header text")
                continue
            raw_values = values.get(fname) if isinstance(values, dict) else None
            if raw_values is not None and not isinstance(raw_values, dict):
                err((*loc, "values", fname), "values are a mapping: what is typed: what it means")
                raw_values = None
            if header is None and fname not in defaults:
                continue
            fields[fname] = FieldMap(
                fname,
                None if header is None else str(header),
                defaults.get(fname),
                {_norm(k): v for k, v in (raw_values or {}).items()},
            )
        header_row = entry.get("header_row")
        if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
            err((*loc, "header_row"), "header_row is the number of the row holding the headers")
            header_row = None
        sheet = entry.get("sheet")
        if sheet is not None and not isinstance(sheet, (str, int)):
            err((*loc, "sheet"), "sheet is the name of a sheet, as on its tab")
            sheet = None
        if not fields:
            err(loc, "this sheet maps no columns; add 'columns:' (field: column header)")
        line, _ = yamlsafe.locate(text, loc)
        sheets.append(
            SheetMap(None if sheet is None else str(sheet), kind, fields, header_row, line)
        )
    if not data["sheets"]:
        err(("sheets",), "the mapping names no sheets")
    if errors:
        raise ImportRefused("the mapping file has problems:\n" + "\n".join(errors))
    return Mapping(tuple(sheets), str(path))


# --- what the import finds and plans -----------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """A row that cannot be converted (an error) or that was converted with a caveat."""

    where: str  # "register.xlsx, sheet 'Evidence'"
    row: int  # 0: about the sheet as a whole
    message: str
    hint: str = ""
    column: str = ""  # the column's header
    cell: str = ""  # e.g. F7
    severity: Severity = Severity.ERROR

    def text(self) -> str:
        place = self.where
        if self.row:
            place += f", row {self.row}"
        if self.cell:
            place += f" (cell {self.cell}"
            place += f", column '{self.column}')" if self.column else ")"
        elif self.column:
            place += f" (column '{self.column}')"
        return f"{place}: {self.message}" + (f". {self.hint}" if self.hint else "")


@dataclass(frozen=True)
class PlannedFile:
    path: str  # relative to the repository
    kind: str
    text: str
    rows: tuple[tuple[str, int], ...]  # (where, row) of the rows it comes from


@dataclass(frozen=True)
class ImportPlan:
    root: Path
    source: str
    files: tuple[PlannedFile, ...]
    problems: tuple[RowProblem, ...]
    rows_read: int
    empty_rows: int

    @property
    def errors(self) -> tuple[RowProblem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[RowProblem, ...]:
        return tuple(p for p in self.problems if p.severity is not Severity.ERROR)

    def by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for f in self.files:
            counts[f.kind] += 1
        return dict(counts)


class _CellError(Exception):
    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


# --- converting one cell -----------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_MONTHS = {
    name: i
    for i in range(1, 13)
    for name in (
        dt.date(2000, i, 1).strftime("%B").casefold(),
        dt.date(2000, i, 1).strftime("%b").casefold(),
    )
} | {"sept": 9}
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
_MONTH_DAY_YEAR = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value: Any) -> dt.date:
    """A date from a cell: a real date, an Excel serial number, or text as English councils
    type it (2025-03-31, 31/03/2025, 31.3.25, 31 March 2025). Day before month, always."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466 and float(value).is_integer():
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise _CellError(f"{value} is not a date")
    text = str(value).strip()
    try:
        if m := _ISO.match(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY.match(text):
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            return dt.date(year, int(m[2]), int(m[1]))
        if (m := _DAY_MONTH_YEAR.match(text)) and m[2].casefold() in _MONTHS:
            return dt.date(int(m[3]), _MONTHS[m[2].casefold()], int(m[1]))
        if (m := _MONTH_DAY_YEAR.match(text)) and m[1].casefold() in _MONTHS:
            return dt.date(int(m[3]), _MONTHS[m[1].casefold()], int(m[2]))
    except ValueError:
        raise _CellError(
            f"'{text}' is not a real calendar date", "Check the day and the month"
        ) from None
    raise _CellError(
        f"'{text}' is not a date ascready can read",
        "Type it as a date, e.g. 31/03/2025 or 2025-03-31 (day before month)",
    )


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise _CellError(f"{value} is not a number")
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().replace(",", "").removesuffix("%").strip()
    try:
        return float(text)
    except ValueError:
        raise _CellError(f"'{value}' is not a number") from None


def _integer(value: Any) -> int:
    number = _number(value)
    if not number.is_integer():
        raise _CellError(f"'{value}' is not a whole number")
    return int(number)


def _text(value: Any) -> str:
    """A cell as text. Windows line ends become plain ones; a one-line text loses the spaces
    typed around it (text on several lines is kept exactly, as a narrative's last line ends)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text if "\n" in text else text.strip()


_ID_SPLIT = re.compile(r"[;,\s]+")
_LIST_SPLIT = re.compile(r"\s*(?:;|\n|\r|•)\s*")


class _Converter:
    """Typed text to ascready values, for one repository's framework and one mapping."""

    def __init__(self, framework: Framework) -> None:
        self.fw = framework
        self.lists = closed_lists(framework)

    def term(self, several: str, text: str) -> str | None:
        """A framework term's canonical id, or None when the framework does not know it."""
        fw = self.fw
        if several == "qs":
            plain = re.sub(r"^\s*(?:qs|quality statement)\s*(\d+)\s*$", r"QS\1", text, flags=re.I)
            plain = re.sub(r"^\s*\((\d+)\)\s*$", r"QS\1", plain)
            return fw.resolve_quality_statement(plain)
        if several == "category":
            return fw.resolve_category(text)
        if several == "duty":
            return fw.resolve_duty(text)
        if several == "theme":
            plain = re.sub(r"^\s*theme\s*(\d+)\s*$", r"\1", text, flags=re.I)
            return fw.resolve_theme(plain)
        if several == "expected":
            return text if text in fw.expected_ids else None
        return text

    def mapped(self, fmap: FieldMap, text: str) -> Any:
        return fmap.values.get(_norm(text), text)

    def convert(self, col: Column, fmap: FieldMap, value: Any) -> Any:
        """The field's value from one non-empty cell, or :class:`_CellError`."""
        if isinstance(value, str) and col.type not in ("text",):
            value = value.strip()
        if col.type == "text":
            value = self.mapped(fmap, _text(value))
            if col.several and isinstance(value, str):
                resolved = self.term(col.several, value)
                if resolved is None:
                    raise self._unknown(col, value)
                return resolved
            return value
        if col.type == "id":
            return str(self.mapped(fmap, _text(value))).strip()
        if col.type == "date":
            mapped = self.mapped(fmap, _text(value)) if isinstance(value, str) else value
            return parse_date(mapped)
        if col.type == "int":
            return _integer(self.mapped(fmap, _text(value)))
        if col.type == "float":
            return _number(self.mapped(fmap, value) if isinstance(value, str) else value)
        if col.type == "choice":
            return self.choice(col, fmap, value)
        if col.type == "numbers":
            out = []
            for part in _ID_SPLIT.split(_text(value)):
                if part:
                    out.append(_integer(self.mapped(fmap, part)))
            return out
        if col.type == "scores":
            return self.scores(fmap, _text(value))
        if col.type == "list":
            return self.list(col, fmap, _text(value))
        raise AssertionError(col.type)  # pragma: no cover

    def choice(self, col: Column, fmap: FieldMap, value: Any) -> str:
        text = self.mapped(fmap, _text(value))
        if str(text) in col.choices:
            return str(text)
        wanted = _norm(text)
        for choice in col.choices:
            if _norm(choice) == wanted:
                return choice
        # Plurals and obvious short forms people type in trackers.
        aliases = {"areas for improvement": "area for improvement", "afi": "area for improvement"}
        aliases |= {"strengths": "strength", "improvement": "area for improvement"}
        aliases |= {
            "complete": "done",
            "completed": "done",
            "closed": "done",
            "open": "in-progress",
        }
        aliases |= {
            "n a": "not-applicable",
            "na": "not-applicable",
            "sensitive": "official-sensitive",
        }
        aliases |= {"official sensitive": "official-sensitive"}
        if aliases.get(wanted) in col.choices:
            return aliases[wanted]
        guess = difflib.get_close_matches(str(text), col.choices, 1)
        hint = f"Did you mean '{guess[0]}'? " if guess else ""
        raise _CellError(
            f"'{text}' is not one of the allowed values",
            f"{hint}Allowed: {', '.join(col.choices)}; or map it under 'values:' in the mapping",
        )

    def list(self, col: Column, fmap: FieldMap, text: str) -> list[Any]:
        if not col.several:  # ids: evidence, actions, measures, expected evidence
            parts = [self.mapped(fmap, p) for p in _ID_SPLIT.split(text) if p]
            return list(dict.fromkeys(str(p) for p in parts))
        out: list[str] = []
        for part in (p for p in _LIST_SPLIT.split(text) if p):
            mapped = self.mapped(fmap, part)
            items = mapped if isinstance(mapped, list) else [mapped]
            for item in items:
                resolved = self.term(col.several, str(item))
                if resolved is None and "," in str(item):
                    # "QS1, QS2" - but titles hold commas too, so split only if every piece is
                    # a term.
                    pieces = [self.term(col.several, p.strip()) for p in str(item).split(",")]
                    if all(pieces):
                        out.extend(p for p in pieces if p)
                        continue
                if resolved is None:
                    raise self._unknown(col, str(item))
                out.append(resolved)
        return list(dict.fromkeys(out))

    def scores(self, fmap: FieldMap, text: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for part in (p for p in _LIST_SPLIT.split(text) if p):
            name, sep, score = part.rpartition(":")
            if not sep:
                raise _CellError(
                    f"'{part}' is not 'category: score'", "Write e.g. 'processes: 3; partners: 2'"
                )
            category = self.term("category", name.strip())
            if category is None:
                raise self._unknown(Column("", "", "text", several="category"), name.strip())
            out[category] = _integer(score)
        return out

    def _unknown(self, col: Column, text: str) -> _CellError:
        what = {
            "qs": "quality statement",
            "category": "evidence category",
            "duty": "Care Act duty",
            "theme": "theme",
            "expected": "kind of expected evidence",
        }[col.several]
        options = list(self.lists[col.several])
        if col.several == "qs":
            options += [q.title for q in self.fw.quality_statements]
        guess = difflib.get_close_matches(text, options, 1, cutoff=0.5)
        hint = f"Did you mean '{guess[0]}'? " if guess else ""
        known = self.lists[col.several]
        listed = ", ".join(known[:12]) + (", …" if len(known) > 12 else "")
        return _CellError(
            f"'{text}' is not a {what} ascready knows",
            f"{hint}Use one of {listed}, or map it under 'values:' in the mapping",
        )


# --- reading a sheet by its mapping -------------------------------------------------------------


@dataclass
class _Row:
    where: str
    row: int
    values: dict[str, Any]  # field -> converted value (only cells that had something)
    cells: dict[str, str]  # field -> cell reference, for messages
    headers: dict[str, str]  # field -> column header


@dataclass
class _SheetRows:
    smap: SheetMap
    table: Table
    rows: list[_Row]
    empty: int


def _header_text(table: Table, row: int, col: int) -> Any:
    value = table.rows[row - 1][col - 1] if col <= len(table.rows[row - 1]) else None
    if value is None:
        merge = table.merge_at(row, col)
        if merge is not None:
            value = merge.value
    return value


def _find_headers(
    table: Table, smap: SheetMap, problems: list[RowProblem]
) -> tuple[int, dict[str, int]] | None:
    """The header row and each mapped field's column (1-based), or None (reported)."""
    wanted = {f: _norm(m.column) for f, m in smap.fields.items() if m.column is not None}
    # A mapping file's columns must all be there; in ascready's own layout, only the required
    # ones (a colleague may have deleted a column nobody fills in).
    needed = (
        {c.field for c in smap.layout.columns if c.required} & set(wanted)
        if smap.optional
        else set(wanted)
    )
    candidates = (
        [smap.header_row]
        if smap.header_row
        else range(1, min(HEADER_SEARCH_ROWS, len(table.rows)) + 1)
    )
    best: tuple[int, tuple[int, int], dict[str, int]] | None = None
    for r in candidates:
        if r > len(table.rows):
            break
        found: dict[str, int] = {}
        width = len(table.rows[r - 1])
        headers = {}
        for c in range(1, width + 1):
            text = _header_text(table, r, c)
            if text is not None and _norm(text) not in headers:
                headers[_norm(text)] = c
        for fname, header in wanted.items():
            if header in headers:
                found[fname] = headers[header]
        score = (len(needed & set(found)), len(found))
        if best is None or score > best[1]:
            best = (r, score, found)
        if len(found) == len(wanted):
            break
    if best is None or best[1][0] < len(needed):
        r, _, found = best or (smap.header_row or 1, (0, 0), {})
        missing = [smap.fields[f].column for f in wanted if f in needed and f not in found]
        seen = [
            str(v) for v in (table.rows[r - 1] if 0 < r <= len(table.rows) else []) if v is not None
        ]
        hint = (
            f"Row {r} has: {', '.join(repr(s) for s in seen[:20])}"
            if seen
            else "The sheet is empty there"
        )
        named = "named in the mapping " if not smap.optional else "ascready's register needs "
        problems.append(
            RowProblem(
                table.where,
                0,
                "the column"
                + ("s " if len(missing) > 1 else " ")
                + ", ".join(f"'{m}'" for m in missing)
                + f" {named}"
                + ("are" if len(missing) > 1 else "is")
                + " not in the first "
                + (f"row {smap.header_row}" if smap.header_row else f"{HEADER_SEARCH_ROWS} rows"),
                f"{hint}. Correct the header in the mapping (spacing and capitals do not matter)"
                if not smap.optional
                else f"{hint}. Put the column back, or import with a mapping file (--mapping)",
            )
        )
        return None
    absent = [smap.fields[f].column for f in wanted if f not in best[2]]
    if absent:
        problems.append(
            RowProblem(
                table.where,
                best[0],
                "no column "
                + ", ".join(f"'{a}'" for a in absent)
                + ": those fields are left empty in every row",
                severity=Severity.WARNING,
            )
        )
    row, _, found = best
    for fname, col in found.items():
        merge = table.merge_at(row, col)
        if merge is not None and merge.max_col > merge.min_col:
            problems.append(
                RowProblem(
                    table.where,
                    row,
                    f"the header '{smap.fields[fname].column}' is merged across {merge.ref}; "
                    f"ascready reads column {column_letter(col)} for it",
                    "Unmerge the header cells if another column holds that field",
                    severity=Severity.WARNING,
                )
            )
    return row, found


def _match_count(table: Table, smap: SheetMap) -> int:
    """How many of the mapping's headers the table has in one of its first rows."""
    wanted = {_norm(m.column) for m in smap.fields.values() if m.column is not None}
    best = 0
    for row in table.rows[:HEADER_SEARCH_ROWS]:
        best = max(best, len(wanted & {_norm(v) for v in row if v is not None}))
    return best


def _read_sheet(
    table: Table,
    smap: SheetMap,
    conv: _Converter,
    problems: list[RowProblem],
    progress: Progress | None = None,
) -> _SheetRows | None:
    located = _find_headers(table, smap, problems)
    if located is None:
        return None
    header_row, columns = located
    layout = smap.layout
    where = table.where
    rows: list[_Row] = []
    empty = 0
    merged_noted: set[str] = set()
    used_cols = sorted(set(columns.values()))
    last = len(table.rows)
    for r in range(header_row + 1, last + 1):
        if progress is not None and r % 500 == 0:
            progress(f"Converting rows of {table.where}", r, last)
        raw_row = table.rows[r - 1]
        raw: dict[str, Any] = {}
        cells: dict[str, str] = {}
        from_merge: list[Any] = []
        unsaved = False
        for fname, c in columns.items():
            value = raw_row[c - 1] if c <= len(raw_row) else None
            cells[fname] = f"{column_letter(c)}{r}"
            if value is None:
                merge = table.merge_at(r, c)
                # Cells merged down a column share the first one's value; cells merged across
                # columns are one value, in the first column.
                if merge is not None and merge.min_col == c and merge.min_row != r:
                    value = merge.value
                    if value is not None:
                        from_merge.append(merge)
                elif (r, c) in table.formulas:
                    unsaved = True
                    problems.append(
                        RowProblem(
                            where,
                            r,
                            f"the cell holds a formula ({table.formulas[(r, c)]}) with no "
                            "saved result",
                            "Open the workbook in Excel or LibreOffice and save it (that stores "
                            "the results), or paste the values over the formulas",
                            smap.fields[fname].column or "",
                            cells[fname],
                        )
                    )
            if isinstance(value, str) and not value.strip():
                value = None
            if value is not None:
                raw[fname] = value
        if not raw:  # blank, or text only in columns the mapping does not read
            empty += 1
            continue
        # A banner row ("Theme 1: Working with people") merged across the table is a heading.
        banner = table.merge_at(r, used_cols[0]) if used_cols else None
        if (
            banner is not None
            and banner.min_row == r
            and banner.min_col <= used_cols[0]
            and banner.max_col >= used_cols[-1]
            and len(used_cols) > 1
        ):
            problems.append(
                RowProblem(
                    where,
                    r,
                    f"a heading row ('{banner.value}', merged across {banner.ref}) was skipped",
                    severity=Severity.WARNING,
                )
            )
            continue
        for merge in from_merge:
            if merge.ref not in merged_noted:
                merged_noted.add(merge.ref)
                problems.append(
                    RowProblem(
                        where,
                        merge.min_row,
                        f"cells {merge.ref} are merged; ascready used '{merge.value}' for each "
                        f"of rows {merge.min_row} to {merge.max_row}",
                        "Check that is what the merged cells meant",
                        severity=Severity.WARNING,
                    )
                )
        values: dict[str, Any] = {}
        ok = not unsaved
        for fname, value in raw.items():
            col = layout.column(fname)
            try:
                values[fname] = conv.convert(col, smap.fields[fname], value)
            except _CellError as exc:
                ok = False
                problems.append(
                    RowProblem(
                        where,
                        r,
                        exc.message,
                        exc.hint,
                        smap.fields[fname].column or "",
                        cells[fname],
                    )
                )
        if not ok:
            continue
        for fname, fmap in smap.fields.items():
            if fname not in values and fmap.default is not None:
                col = layout.column(fname)
                try:
                    values[fname] = conv.convert(col, fmap, fmap.default)
                except _CellError as exc:
                    problems.append(
                        RowProblem(where, r, f"the default for {fname}: {exc.message}", exc.hint)
                    )
                    ok = False
        if ok:
            headers = {f: m.column or f"(default for {f})" for f, m in smap.fields.items()}
            rows.append(_Row(where, r, values, cells, headers))
    return _SheetRows(smap, table, rows, empty)


# --- building documents ------------------------------------------------------------------------


@dataclass
class _Draft:
    kind: str
    data: dict[str, Any]
    path: str
    rows: list[_Row]
    #: loc prefix -> the row it came from (e.g. ("strengths", 0) -> that statement's row)
    origin: dict[tuple[Any, ...], _Row] = field(default_factory=dict)


def _ordered(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """The document's data with keys in the model's order, nested fields nested."""
    data: dict[str, Any] = {}
    dotted = [k for k in values if "." in k]
    for name in MODEL[kind].model_fields:
        if name in values:
            data[name] = values[name]
        nested = {k.split(".", 1)[1]: values[k] for k in dotted if k.startswith(f"{name}.")}
        if nested:
            data[name] = nested
    return data


def _path_problem(kind: str, path: str) -> str | None:
    folder = FOLDER[kind]
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


def _ids_after(
    used: set[str], next_id: Callable[[set[str], str], str], first: str
) -> Iterator[str]:
    """New ids in the repository's pattern, one after another (``next_id`` once, then
    counting on, so that thousands of rows without ids cost no more than one)."""
    start = next_id(used, first)
    match = re.match(r"^(.*?)(\d+)$", start)
    assert match is not None  # next_id always ends with a number
    prefix, number, width = match[1], int(match[2]), len(match[2])
    taken = {u.casefold() for u in used}
    while True:
        candidate = f"{prefix}{number:0{width}d}"
        number += 1
        if candidate.casefold() not in taken:
            yield candidate


class _Builder:
    def __init__(self, project: Project, problems: list[RowProblem]) -> None:
        self.project = project
        self.fw = project.framework
        self.problems = problems
        self.drafts: list[_Draft] = []

    def problem(self, row: _Row, message: str, hint: str = "", fname: str = "") -> None:
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

    def _used_ids(self, kind: str) -> set[str]:
        used = {
            str(d.model.id)
            for d in self.project.documents
            if d.kind == kind and d.model is not None
        }
        used |= {PurePosixPath(d.path).stem for d in self.project.documents if d.kind == kind}
        used |= {str(d.data.get("id")) for d in self.drafts if d.kind == kind}
        return used

    def simple(self, sheet: _SheetRows) -> None:
        """Evidence, information-return items, actions and measures: a row is a document."""
        from ascready.authoring.new import next_id

        kind = sheet.smap.kind
        has_id_column = kind == "return" or (
            "id" in sheet.smap.fields and sheet.smap.fields["id"].column is not None
        )
        fresh: Iterator[str] = iter(())
        if not has_id_column:
            fresh = _ids_after(self._used_ids(kind), next_id, FIRST_ID[kind])
        for row in sheet.rows:
            values = dict(row.values)
            path = values.pop("file", None)
            if not has_id_column and "id" not in values:
                values["id"] = next(fresh)
            key = "number" if kind == "return" else "id"
            if key not in values:
                self.problem(
                    row,
                    f"no {'number' if kind == 'return' else 'ID'} in this row",
                    f"Every row of {SHEET_KINDS[kind]} needs one",
                    key,
                )
                continue
            data = _ordered(kind, values)
            self.add(_Draft(kind, data, path or "", [row]))

    def ratings(self, rating_sheets: list[_SheetRows], statement_sheets: list[_SheetRows]) -> None:
        by_qs: dict[str, _Draft] = {}
        for sheet in rating_sheets:
            for row in sheet.rows:
                values = dict(row.values)
                path = values.pop("file", None)
                qs = values.get("quality_statement")
                if qs is None:
                    self.problem(row, "no quality statement in this row", "", "quality_statement")
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
                draft = _Draft("rating", _ordered("rating", values), path or "", [row])
                by_qs[qs] = draft
        counters: dict[tuple[str, str], int] = defaultdict(int)
        used = {
            s.id
            for d in self.project.of_kind("rating")
            for s in (*d.model.strengths, *d.model.areas_for_improvement)
        }
        for sheet in statement_sheets:
            for row in sheet.rows:
                values = dict(row.values)
                qs = values.pop("quality_statement", None)
                kind = values.pop("type", None)
                if qs is None or kind is None or "text" not in values:
                    missing = [
                        n for n, v in (("quality statement", qs), ("type", kind)) if v is None
                    ]
                    missing += [] if "text" in values else ["text"]
                    self.problem(
                        row,
                        f"no {' or '.join(missing)} in this row",
                        "Each strength or area for improvement needs its quality statement, its "
                        "type (strength or area for improvement) and its text",
                    )
                    continue
                listname = "strengths" if kind == "strength" else "areas_for_improvement"
                if kind == "strength" and values.get("actions"):
                    self.problem(
                        row,
                        "a strength cannot list actions; only areas for improvement do",
                        "Move the actions to the area for improvement they answer",
                        "actions",
                    )
                    continue
                if kind == "strength":
                    values.pop("actions", None)
                if "id" not in values:
                    prefix = f"{'S' if kind == 'strength' else 'AFI'}-{qs}-"
                    n = counters[(prefix, qs)]
                    while True:
                        n += 1
                        candidate = f"{prefix}{n:02d}"
                        if candidate not in used:
                            break
                    counters[(prefix, qs)] = n
                    values["id"] = candidate
                used.add(values["id"])
                found = by_qs.get(qs)
                if found is None:
                    found = by_qs[qs] = _Draft("rating", {"quality_statement": qs}, "", [])
                model = models.Statement if kind == "strength" else models.AreaForImprovement
                entry = {n: values[n] for n in model.model_fields if n in values}
                entries = found.data.setdefault(listname, [])
                found.origin[(listname, len(entries))] = row
                entries.append(entry)
                found.rows.append(row)
        for draft in by_qs.values():
            draft.data = {n: draft.data[n] for n in models.Rating.model_fields if n in draft.data}
            self.add(draft)

    def progress(self, sheets: list[_SheetRows]) -> None:
        actions = {str(d.data.get("id")): d for d in self.drafts if d.kind == "action"}
        existing = {d.model.id for d in self.project.of_kind("action")}
        for sheet in sheets:
            for row in sheet.rows:
                ident = row.values.get("action")
                if ident is None or "date" not in row.values or "note" not in row.values:
                    self.problem(
                        row,
                        "a progress update needs its action's ID, a date and a note",
                    )
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
                draft.data = _ordered("action", draft.data)

    def add(self, draft: _Draft) -> None:
        if not draft.path:
            try:
                draft.path = default_path(draft.kind, draft.data, self.fw)
            except (KeyError, ValueError):
                draft.path = f"{FOLDER[draft.kind]}/unnamed.yaml"
        else:
            problem = _path_problem(draft.kind, draft.path)
            if problem:
                self.problem(
                    draft.rows[0], problem, "Correct the File cell, or leave it empty", "file"
                )
                return
        self.drafts.append(draft)


# --- the whole import ---------------------------------------------------------------------------


def _select_sheets(
    mapping: Mapping, path: Path, progress: Progress | None, problems: list[RowProblem]
) -> list[tuple[SheetMap, Table]]:
    # Only the sheets the mapping names are read, unless one is unnamed (the only sheet).
    names = [s.sheet for s in mapping.sheets if s.sheet is not None]
    unnamed = len(names) < len(mapping.sheets)
    try:
        tables, all_names = read_tables(path, None if unnamed else names, progress)
    except TableError as exc:
        raise ImportRefused(str(exc)) from None
    is_csv = not all_names
    pairs: list[tuple[SheetMap, Table]] = []
    if is_csv:
        table = tables[0]
        candidates = list(mapping.sheets)
        if len(candidates) > 1:
            # A CSV file is one table: the sheet whose columns it has.
            # A CSV file is one table: the sheet whose headers it shares most of.
            scored = sorted(
                ((_match_count(table, smap), i) for i, smap in enumerate(candidates)),
                reverse=True,
            )
            if not scored[0][0] or scored[0][0] == scored[1][0]:
                names_text = ", ".join(repr(s.sheet or s.kind) for s in candidates)
                raise ImportRefused(
                    f"{path.name} is a CSV file, which holds one table, and its headers "
                    + ("match none" if not scored[0][0] else "match more than one")
                    + f" of the mapping's sheets ({names_text}); use a mapping with one sheet"
                )
            candidates = [candidates[scored[0][1]]]
        return [(candidates[0], table)]
    by_name = {t.sheet: t for t in tables}
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


def plan_import(
    project: Project,
    path: Path,
    mapping: Mapping | None = None,
    *,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> ImportPlan:
    """Read ``path`` with ``mapping`` and plan the files it becomes in ``project``'s
    repository, checking each as ``validate`` would. Raises :class:`ImportRefused` only when
    nothing can be read at all; problems with rows are in the plan."""
    mapping = mapping or builtin_mapping()
    today = today or dt.date.today()
    problems: list[RowProblem] = []
    conv = _Converter(project.framework)
    sheets: list[_SheetRows] = []
    for smap, table in _select_sheets(mapping, path, progress, problems):
        read = _read_sheet(table, smap, conv, problems, progress)
        if read is not None:
            sheets.append(read)
    builder = _Builder(project, problems)
    for sheet in sheets:
        if sheet.smap.kind in ("evidence", "return", "action", "metric"):
            builder.simple(sheet)
    builder.ratings(
        [s for s in sheets if s.smap.kind == "rating"],
        [s for s in sheets if s.smap.kind == "statement"],
    )
    builder.progress([s for s in sheets if s.smap.kind == "progress"])
    files = _check(project, builder.drafts, problems, today, path.name, progress)
    rows_read = sum(len(s.rows) for s in sheets)
    empty = sum(s.empty for s in sheets)
    problems.sort(key=lambda p: (p.where, p.row, p.severity is not Severity.ERROR))
    return ImportPlan(project.root, path.name, tuple(files), tuple(problems), rows_read, empty)


def _loc_row(draft: _Draft, loc: tuple[Any, ...] | None) -> tuple[_Row, str]:
    """The row and field a finding's location comes from."""
    loc = tuple(loc or ())
    if len(loc) >= 2 and (loc[0], loc[1]) in draft.origin:
        row = draft.origin[(loc[0], loc[1])]
        return row, str(loc[2]) if len(loc) > 2 else ""
    name = str(loc[0]) if loc else ""
    if len(loc) > 1 and loc[0] == "comparators":
        name = f"comparators.{loc[1]}"
    return draft.rows[0], name


def _check(
    project: Project,
    drafts: list[_Draft],
    problems: list[RowProblem],
    today: dt.date,
    source: str,
    progress: Progress | None = None,
) -> list[PlannedFile]:
    """Each draft as YAML, read back and checked as validate would; problems go to rows."""
    from ascready.authoring.new import as_read, emit

    allowed = allowed_for(project.profile)
    existing = {d.path.casefold(): d.path for d in project.documents}
    taken: dict[str, _Draft] = {}
    good: list[tuple[_Draft, str, Document]] = []

    def report(draft: _Draft, f: Finding) -> None:
        row, fname = _loc_row(draft, f.loc)
        problems.append(
            RowProblem(
                row.where,
                row.row,
                f.message,
                f.hint,
                row.headers.get(fname, ""),
                row.cells.get(fname, ""),
                f.severity,
            )
        )

    for done, draft in enumerate(drafts):
        if progress is not None and done % 200 == 0:
            progress("Checking the new files", done, len(drafts))
        key = draft.path.casefold()
        first = draft.rows[0] if draft.rows else None
        if first is None:  # a rating made only of statements whose rows all failed
            continue
        if key in existing or (project.root / draft.path).exists():
            builder_hint = (
                "ascready never replaces a file: leave this row out, or move the existing file "
                "away first"
            )
            problems.append(
                RowProblem(
                    first.where,
                    first.row,
                    f"{draft.path} already exists in the repository",
                    builder_hint,
                )
            )
            continue
        if key in taken:
            other = taken[key].rows[0]
            problems.append(
                RowProblem(
                    first.where,
                    first.row,
                    f"this row would also be written to {draft.path}, like "
                    f"{other.where}, row {other.row}",
                    "Give each row its own ID (or number)",
                )
            )
            continue
        taken[key] = draft
        header = f"# Imported by ascready from {source}.\n"
        try:
            text = emit(draft.data, header)
        except AscreadyError as exc:
            problems.append(RowProblem(first.where, first.row, str(exc)))
            continue
        parsed = as_read(draft.data)  # what emit() checked the text reads back as
        kind = draft.kind
        try:
            model = MODEL[kind].model_validate(parsed)
        except ValidationError as exc:
            for f in schema_findings(exc, MODEL[kind], draft.path, LABELS[kind]):
                report(draft, f)
            continue
        personal = scan_document(parsed, kind, allowed)
        for f in personal:
            report(draft, replace(f, file=draft.path))
        if any(f.severity is Severity.ERROR for f in personal):
            continue
        good.append((draft, text, Document(draft.path, kind, parsed, model)))

    # The repository's own checks, on the repository with the new files in it: what they find in
    # a new file, or newly in an old one because of a new file.
    if progress is not None:
        progress("Checking the repository with them", 0, 0)
    by_path = {draft.path: draft for draft, _, _ in good}
    blocked: set[str] = set()
    for f in introduced_findings(project, [doc for _, _, doc in good], today, always=by_path):
        if f.file in by_path:
            report(by_path[f.file], f)
            if f.severity is Severity.ERROR:
                blocked.add(f.file)
        elif f.severity is Severity.ERROR:
            problems.append(
                RowProblem(f.file, 0, f"{f.message} (because of the rows imported)", f.hint)
            )
    return [
        PlannedFile(draft.path, draft.kind, text, tuple((r.where, r.row) for r in draft.rows))
        for draft, text, _ in good
        if draft.path not in blocked
    ]


def write_plan(plan: ImportPlan, progress: Progress | None = None) -> list[Path]:
    """Create every planned file, or none: if one cannot be created, the ones created before it
    are removed. Never replaces an existing file."""
    from ascready.authoring.new import NewFile, write_new

    written: list[Path] = []
    try:
        for done, f in enumerate(plan.files):
            if progress is not None and done % 200 == 0:
                progress("Writing the files", done, len(plan.files))
            written.append(write_new(NewFile(plan.root, f.path, "", f.text, (), "")))
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written
