"""Reading spreadsheets as people really make them: .xlsx workbooks and CSV files.

A :class:`Table` is one sheet's cells as plain values, with what a reader must know to explain
a problem: the sheet's name, 1-based row numbers, cells that are merged, and formulas. Nothing
here prints or raises anything but :class:`TableError`, whose message names the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ascready.errors import TableError

#: progress(step, done, total): what is being done, for a progress bar; total 0 while the size
#: of the step is not known yet.
Progress = Callable[[str, int, int], None]
XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv",)


@dataclass(frozen=True)
class Merge:
    """A merged range: its first cell's value stands for every cell it covers."""

    ref: str  # e.g. B5:B9
    min_row: int
    min_col: int
    max_row: int
    max_col: int
    value: Any


@dataclass
class Table:
    """One sheet. ``rows[i]`` is spreadsheet row ``i + 1``; columns are 0-based in the lists."""

    file: str
    sheet: str | None  # None for a CSV file
    rows: list[list[Any]]
    merges: list[Merge] = field(default_factory=list)
    #: (row, column) 1-based -> the formula text, for cells that hold a formula
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    _index: dict[tuple[int, int], Merge] | None = field(default=None, repr=False, compare=False)

    @property
    def where(self) -> str:
        return f"{self.file}, sheet '{self.sheet}'" if self.sheet is not None else self.file

    def merge_at(self, row: int, col: int) -> Merge | None:
        if not self.merges:
            return None
        if self._index is None:
            self._index = {}
            for merge in self.merges:
                for r in range(merge.min_row, min(merge.max_row, len(self.rows)) + 1):
                    for c in range(merge.min_col, merge.max_col + 1):
                        self._index.setdefault((r, c), merge)
        return self._index.get((row, col))


def column_letter(col: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_tables(
    path: Path, sheets: list[str] | None = None, progress: Progress | None = None
) -> tuple[list[Table], list[str]]:
    """The sheets of a workbook (only those named, if ``sheets`` is given; missing names are
    left for the caller to report) and the names of all its sheets; or the one table of a CSV
    file (and no names)."""
    if not path.is_file():
        raise TableError(f"{path} does not exist" if not path.exists() else f"{path} is not a file")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return [read_csv(path)], []
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(path, sheets, progress)
    if suffix == ".xls":
        raise TableError(
            f"{path.name} is an old Excel 97-2003 workbook (.xls), which ascready cannot read. "
            "Open it in Excel or LibreOffice and save it as .xlsx, then run this again."
        )
    if suffix == ".ods":
        raise TableError(
            f"{path.name} is an OpenDocument spreadsheet; save it as .xlsx (File > Save As) "
            "and run this again."
        )
    raise TableError(f"{path.name} is not an .xlsx workbook or a .csv file")


def read_csv(path: Path) -> Table:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TableError(f"cannot read {path}: {exc.strerror or exc}") from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise TableError(
            f"{path.name} is neither UTF-8 nor Windows-1252 text; save it from Excel as "
            "'CSV UTF-8 (Comma delimited)'"
        )
    if "\x00" in text:
        raise TableError(f"{path.name} is not a text CSV file (it holds binary data)")
    try:
        sample = text[:4096]
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample else csv.excel
    except csv.Error:
        dialect = csv.excel
    rows: list[list[Any]] = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    return Table(path.name, None, [[c if c != "" else None for c in r] for r in rows])


def read_xlsx(
    path: Path, sheets: list[str] | None, progress: Progress | None
) -> tuple[list[Table], list[str]]:
    from openpyxl import load_workbook

    try:
        if not zipfile.is_zipfile(path):
            raise TableError(
                f"{path.name} is not an .xlsx workbook (it may be an older .xls file renamed, "
                "or a CSV file): open it in Excel and save it as .xlsx"
            )
        if progress is not None:
            progress("Opening the workbook", 0, 0)
        workbook = load_workbook(path, data_only=False)
    except TableError:
        raise
    except OSError as exc:
        raise TableError(f"cannot read {path}: {exc.strerror or exc}") from None
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TableError(
            f"{path.name} could not be opened as a workbook ({type(exc).__name__}: {exc}); "
            "open it in Excel, check it is not password-protected, and save it again as .xlsx"
        ) from None
    names = [n for n in workbook.sheetnames if sheets is None or n in sheets]
    total = sum(workbook[n].max_row for n in names)
    done = 0
    tables = []
    cached: Any = None
    for name in names:
        ws = workbook[name]
        rows: list[list[Any]] = []
        formulas: dict[tuple[int, int], str] = {}
        for r, row in enumerate(ws.iter_rows(values_only=False), start=1):
            values = []
            for c, cell in enumerate(row, start=1):
                value = cell.value
                if cell.data_type == "f":
                    formulas[(r, c)] = str(value)
                    value = None  # filled in below from the saved result, if there is one
                if isinstance(value, dt.datetime) and value.time() == dt.time(0):
                    value = value.date()
                values.append(value)
            rows.append(values)
            done += 1
            if progress is not None and done % 500 == 0:
                progress("Reading rows", done, total)
        if formulas:
            if cached is None:
                cached = load_workbook(path, data_only=True)
            saved = cached[name]
            for r, c in formulas:
                value = saved.cell(row=r, column=c).value
                if isinstance(value, dt.datetime) and value.time() == dt.time(0):
                    value = value.date()
                rows[r - 1][c - 1] = value
        merges = []
        for rng in sorted(ws.merged_cells.ranges, key=lambda m: (m.min_row, m.min_col)):
            first = rows[rng.min_row - 1][rng.min_col - 1] if rng.min_row <= len(rows) else None
            merges.append(
                Merge(str(rng.coord), rng.min_row, rng.min_col, rng.max_row, rng.max_col, first)
            )
        tables.append(Table(path.name, name, rows, merges, formulas))
    if progress is not None:
        progress("Reading rows", total, total)
    return tables, list(workbook.sheetnames)
