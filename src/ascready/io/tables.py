"""Reading spreadsheets as people really make them: .xlsx workbooks and CSV files.

Two ways to read, one set of rules and one set of messages:

* :func:`read_tables` reads whole sheets into :class:`Table` values, with what a reader must
  know to explain a problem: the sheet's name, 1-based row numbers, cells that are merged,
  and formulas (``ascready import`` reads registers this way);
* :func:`stream_tables` reads a table one row at a time, holding only the row it is on
  (``ascready import-metrics`` reads published tables of every council this way).

Both accept .xlsx and .xlsm workbooks, and CSV (.csv, or .txt) in UTF-8 or Excel's
Windows-1252, separated by commas, semicolons or tabs. Everything else is refused with a
:class:`~ascready.errors.TableError` whose message names the file, says what it is, and what
to do. Nothing here prints.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree.ElementTree import ParseError

from ascready.errors import TableError
from ascready.io.ooxml import DAMAGED, package_problem

#: progress(step, done, total): what is being done, for a progress bar; total 0 while the size
#: of the step is not known yet.
Progress = Callable[[str, int, int], None]
XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and password-protected workbooks
_CSV_HELP = "save it from Excel as 'CSV UTF-8 (Comma delimited)'"
_SAVE_AS = "Open it in Excel or LibreOffice and save it as an Excel Workbook (.xlsx), or as CSV."


def _refusal(name: str, what: str, fix: str) -> TableError:
    """The one form of every message here: ``name: what. fix: what to do``."""
    return TableError(f"{name}: {what}. fix: {fix}", what, fix)


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


# --- what kind of file it is --------------------------------------------------------------------


def _kind_of(path: Path, name: str) -> str:
    """Whether the file is read as CSV or as a workbook; or why it cannot be read at all."""
    if not path.exists():
        raise _refusal(name, "there is no such file", "Check the name and folder.")
    if path.is_dir():
        raise _refusal(name, "this is a folder, not a file", "Name the .xlsx or .csv file itself.")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in XLSX_SUFFIXES:
        return "xlsx"
    if suffix == ".xls":
        raise _refusal(
            name,
            "this is an old Excel 97-2003 workbook (.xls), which ascready cannot read",
            _SAVE_AS,
        )
    if suffix == ".ods":
        raise _refusal(
            name, "this is an OpenDocument spreadsheet (.ods), which ascready cannot read", _SAVE_AS
        )
    if suffix == ".xlsb":
        raise _refusal(
            name, "this is an Excel binary workbook (.xlsb), which ascready cannot read", _SAVE_AS
        )
    raise _refusal(
        name,
        f"this is not a CSV or Excel .xlsx file (its name ends '{suffix or 'with nothing'}')",
        "Use the spreadsheet as an .xlsx workbook or a .csv file.",
    )


def _unreadable(name: str, exc: OSError) -> TableError:
    return _refusal(
        name,
        f"the file cannot be read ({exc.strerror or exc})",
        "Check that you may read it, and close it in any program that has it open.",
    )


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _unreadable(name, exc) from None


def _not_a_workbook(name: str, start: bytes) -> TableError:
    """Why a file named .xlsx is not one, from its first bytes."""
    if start.startswith(_OLE2_MAGIC):
        return _refusal(
            name,
            "this is not an .xlsx workbook: it is an old Excel 97-2003 workbook (.xls) renamed, "
            "or a workbook protected by a password",
            "Open it in Excel, remove any password, and save it as an Excel Workbook (.xlsx), "
            "or as CSV.",
        )
    if start and b"\x00" not in start:
        return _refusal(
            name,
            "this is not an Excel workbook: it holds text (a CSV file with an .xlsx name?)",
            "If it is CSV, rename it to end .csv; otherwise open it in Excel and save it as an "
            "Excel Workbook (.xlsx).",
        )
    return _damaged(name)


def _damaged(name: str) -> TableError:
    return _refusal(
        name,
        "this is not an Excel workbook ascready can read: it is damaged, or not really .xlsx",
        "Open it in Excel and save it as an Excel Workbook (.xlsx), or as CSV.",
    )


#: What openpyxl and the zip and XML readers under it raise for a damaged workbook.
_DAMAGED = (
    zipfile.BadZipFile,
    KeyError,
    ValueError,
    OSError,
    EOFError,
    ParseError,
    TypeError,
    IndexError,
)


def _is_damage(exc: Exception) -> bool:
    if isinstance(exc, _DAMAGED):
        return True
    # openpyxl's own InvalidFileException, among others
    return type(exc).__module__.startswith(("openpyxl", "zipfile", "xml", "lxml"))


# --- CSV -----------------------------------------------------------------------------------------


def _csv_text(path: Path, name: str) -> str:
    """The text of a CSV file, in UTF-8 (with or without Excel's mark) or Windows-1252."""
    raw = _read_bytes(path, name)
    if raw.startswith(_ZIP_MAGIC):
        raise _refusal(
            name,
            "this is an Excel workbook with a .csv name",
            "Rename it to end .xlsx and run this again.",
        )
    if raw.startswith(_OLE2_MAGIC):
        raise _refusal(name, "this is an old Excel 97-2003 workbook (.xls), not CSV text", _SAVE_AS)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _refusal(
            name,
            "the file is neither UTF-8 nor Windows-1252 (Excel's) text, so its characters "
            "cannot be read",
            f"Use the file as downloaded, or open it in Excel and {_CSV_HELP}.",
        )
    if "\x00" in text:
        raise _refusal(
            name,
            "this is not a text CSV file (it holds binary data)",
            f"Open it in the program that made it and {_CSV_HELP}, or as .xlsx.",
        )
    return text


def guess_delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever the first line that has any has most of, outside
    quotes (Excel writes every row to the table's width, a title row too); on a tie, the one
    text holds least. Comma when no line has any."""
    for line in text.split("\n", 20)[:20]:
        bare = re.sub(r'"[^"]*"', "", line)
        if any(d in bare for d in ",;\t"):
            return max(("\t", ";", ","), key=bare.count)
    return ","


def _csv_rows(text: str, name: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of CSV text; text that is not CSV is refused at its row."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=guess_delimiter(text))
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except csv.Error as exc:
        raise _refusal(
            f"{name} row {number + 1}",
            f"this is not CSV text ascready can read ({exc})",
            f"Use the file as downloaded, or {_CSV_HELP}.",
        ) from None


# --- reading whole tables ---------------------------------------------------------------------


def read_tables(
    path: Path, sheets: list[str] | None = None, progress: Progress | None = None
) -> tuple[list[Table], list[str]]:
    """The sheets of a workbook (only those named, if ``sheets`` is given; missing names are
    left for the caller to report) and the names of all its sheets; or the one table of a CSV
    file (and no names)."""
    if _kind_of(path, path.name) == "csv":
        return [read_csv(path)], []
    return read_xlsx(path, sheets, progress)


class _OneCopy:
    """One copy of each short text a sheet repeats ("public", "Head of Commissioning", "QS1"):
    Excel keeps such text once in a workbook's shared strings, but a CSV file or a workbook
    with text in its cells would otherwise give each cell its own copy (at 200,000 rows, 50 MB
    more). Bounded, for a sheet of nothing but different short text."""

    SHORT, KEPT = 64, 20_000

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        if len(text) > self.SHORT:
            return text
        kept = self.seen.get(text)
        if kept is not None:
            return kept
        if len(self.seen) < self.KEPT:
            self.seen[text] = text
        return text


def read_csv(path: Path) -> Table:
    text = _csv_text(path, path.name)
    one = _OneCopy()
    rows = [[one(c) if c != "" else None for c in cells] for _, cells in _csv_rows(text, path.name)]
    return Table(path.name, None, rows)


def _open_workbook(handle: BinaryIO, name: str, *, read_only: bool, data_only: bool) -> Any:
    """The workbook in ``handle``, an open file (which the caller closes: openpyxl would leave
    a damaged file open)."""
    from openpyxl import load_workbook

    start = handle.read(4096)
    handle.seek(0)
    if not start.startswith(_ZIP_MAGIC):
        raise _not_a_workbook(name, start)
    problem = package_problem(handle)  # a zip bomb or an XML bomb is not opened
    if problem == DAMAGED:
        raise _damaged(name)
    if problem is not None:
        raise _refusal(name, *problem)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's remarks on styles and extensions
        try:
            return load_workbook(handle, read_only=read_only, data_only=data_only)
        except Exception as exc:
            if _is_damage(exc):
                raise _damaged(name) from None
            raise


@contextmanager
def _opened(path: Path, name: str) -> Iterator[BinaryIO]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise _unreadable(name, exc) from None
    with handle:
        yield handle


def _date_or_value(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def read_xlsx(
    path: Path, sheets: list[str] | None, progress: Progress | None
) -> tuple[list[Table], list[str]]:
    """The sheets of a workbook, read as streams (see :class:`_SheetReader`): only the cells
    that hold something are kept, so memory follows what the sheet says, not how far its
    formatting reaches."""
    if progress is not None:
        progress("Opening the workbook", 0, 0)
    with _opened(path, path.name) as handle:
        book = _open_workbook(handle, path.name, read_only=True, data_only=False)
        try:
            names = [n for n in book.sheetnames if sheets is None or n in sheets]
            total = sum(min(book[n].max_row or 0, MAX_ROWS) for n in names)
            done = 0
            tables = []
            for name in names:
                reader = _SheetReader(book[name], path.name, formulas=True)
                rows: list[list[Any]] = []
                for _, cells in reader.rows():
                    rows.append(list(cells))
                    done += 1
                    if progress is not None and done % 500 == 0:
                        progress("Reading rows", done, max(total, done))
                table = Table(path.name, name, rows, [], reader.formulas)
                table.merges = _merges(reader.merged, rows)
                tables.append(table)
        finally:
            book.close()
    if progress is not None:
        progress("Reading rows", done, max(total, done))
    return tables, list(book.sheetnames)


def _merges(refs: list[str], rows: list[list[Any]]) -> list[Merge]:
    """The merged ranges, each cut to the part of the sheet that holds anything (a merge may
    reach column XFD and row 1,048,576)."""
    from openpyxl.utils.cell import range_boundaries

    width = max((len(row) for row in rows), default=0)
    merges = []
    for ref in refs:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            continue  # not a range: nothing is merged
        if min_row > len(rows) or min_col > width:
            continue
        max_row, max_col = min(max_row or min_row, len(rows)), min(max_col or min_col, width)
        row = rows[min_row - 1]
        first = row[min_col - 1] if min_col <= len(row) else None
        shown = f"{column_letter(min_col)}{min_row}:{column_letter(max_col)}{max_row}"
        merges.append(Merge(shown, min_row, min_col, max_row, max_col, first))
    return sorted(merges, key=lambda m: (m.min_row, m.min_col))


# --- the limits, and reading one sheet as a stream ---------------------------------------------

#: The rows and columns a sheet's values may reach. A value further out (often one key pressed
#: after Ctrl+End, at XFD1048576) is refused, naming its cell; empty formatted cells anywhere
#: are ignored.
MAX_ROWS = 500_000
MAX_COLUMNS = 1_000


def _beyond(name: str, sheet: str, row: int, col: int) -> TableError:
    return _refusal(
        f"{name}, sheet '{sheet}'",
        f"cell {column_letter(col)}{row} holds a value, beyond the {MAX_COLUMNS:,} columns "
        f"(to column {column_letter(MAX_COLUMNS)}) and {MAX_ROWS:,} rows ascready reads",
        f"Usually a key pressed far from the table: go to {column_letter(col)}{row} (Ctrl+End "
        "shows the last cell used), delete it, save, and run this again. A table really that "
        "large: split it into several sheets or files.",
    )


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE, _FORMULA = f"{_MAIN}row", f"{_MAIN}c", f"{_MAIN}v", f"{_MAIN}f"
_INLINE, _TEXT, _RUN, _MERGES = f"{_MAIN}is", f"{_MAIN}t", f"{_MAIN}r", f"{_MAIN}mergeCells"
_COORDINATE = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})")


class _SheetReader:
    """One sheet of a workbook opened read-only, parsed as it is read (lxml's ``iterparse``,
    with entities never resolved): a row at a time, each row's values only as far as its last
    value, with empty rows in between given as empty (so that row numbers stay right).
    Formulas (``formulas=True``) are kept as their text, with the value Excel saved for them in
    the cell; merged ranges are collected as their references, for after the rows. Nothing of
    the sheet is held but the row being read."""

    def __init__(self, ws: Any, name: str, *, formulas: bool, bounded: bool = True) -> None:
        self.ws, self.name, self.keep_formulas, self.bounded = ws, name, formulas, bounded
        self.formulas: dict[tuple[int, int], str] = {}
        self.merged: list[str] = []
        book = ws.parent
        self.shared: Sequence[Any] = ws._shared_strings
        self.one_copy = _OneCopy()
        self.epoch = book.epoch
        self.dates: set[int] = set(book._date_formats)
        self.durations: set[int] = set(book._timedelta_formats)
        self._formula_parser: Any = None

    def rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        try:
            yield from self._rows()
        except TableError:
            raise
        except Exception as exc:
            if _is_damage(exc) or type(exc).__module__.startswith("lxml"):
                raise _damaged(self.name) from None
            raise

    def _rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        from lxml import etree

        last = number = 0
        with self.ws.parent._archive.open(self.ws._worksheet_path) as source:
            parsed = etree.iterparse(
                source,
                events=("end",),
                tag=(_ROW, _MERGES),
                resolve_entities=False,
                no_network=True,
                load_dtd=False,
            )
            for _, element in parsed:
                if element.tag == _MERGES:
                    self.merged = [str(m.get("ref")) for m in element if m.get("ref")]
                    element.clear()
                    continue
                number = _row_number(element.get("r"), number)
                cells = self._cells(number, element)
                element.clear()  # the row, and the rows read before it: nothing is kept
                while element.getprevious() is not None:
                    del element.getparent()[0]
                if cells:
                    for gap in range(last + 1, number):
                        yield gap, ()
                    last = number
                    yield number, cells

    def _cells(self, number: int, row: Any) -> tuple[Any, ...]:
        found: list[tuple[int, Any]] = []
        col = 0
        for element in row:
            if element.tag != _CELL:
                continue
            ref = element.get("r")
            if ref is None:
                col += 1
            else:
                match = _COORDINATE.fullmatch(ref)
                if match is None:
                    raise ValueError(f"{ref} is not a cell reference")
                col = _column_number(match.group(1))
            formula = None
            if self.keep_formulas and element.find(_FORMULA) is not None:
                formula = self._formula(element)
            value = self._value(element)
            if value is None and formula is None:
                continue
            if self.bounded and (number > MAX_ROWS or col > MAX_COLUMNS):
                if formula is None and isinstance(value, str) and not value.strip():
                    continue  # a space typed far away: nothing
                raise _beyond(self.name, str(self.ws.title), number, col)
            if formula is not None:
                self.formulas[(number, col)] = formula
            found.append((col, _date_or_value(value)))
        if not found:
            return ()
        out: list[Any] = [None] * max(c for c, _ in found)
        for c, value in found:
            out[c - 1] = value
        return tuple(out)

    def _value(self, cell: Any) -> Any:
        """The cell's value as Excel saved it (for a formula, its last result)."""
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = _inline_text(cell)
            return None if inline is None else self.one_copy(inline)
        text = cell.findtext(_VALUE)
        if not text:
            return None
        if kind == "s":
            return self.shared[int(text)]
        if kind == "n":
            number: float = float(text) if any(c in text for c in ".eE") else int(text)
            style = cell.get("s")
            if style and int(style) in self.dates:
                return self._date(number, int(style))
            return number
        if kind == "b":
            return text.strip() not in ("0", "false")
        if kind == "d":
            from openpyxl.utils.datetime import from_ISO8601

            return from_ISO8601(text)
        return self.one_copy(text)  # "str" (a formula's text result), "e" (an error: #N/A)

    def _date(self, number: float, style: int) -> Any:
        from openpyxl.utils.datetime import from_excel

        try:
            return from_excel(number, self.epoch, timedelta=style in self.durations)
        except (OverflowError, ValueError):
            return "#VALUE!"  # as Excel shows a date it cannot show

    def _formula(self, cell: Any) -> str:
        """The formula's text, a shared formula worked out for this cell (openpyxl's own)."""
        if self._formula_parser is None:
            from openpyxl.worksheet._reader import WorkSheetParser

            self._formula_parser = WorkSheetParser(None, self.shared)
        return str(self._formula_parser.parse_formula(cell))


def _inline_text(cell: Any) -> str | None:
    """A cell's own text (``t="inlineStr"``), its runs joined; phonetic guides left out."""
    node = cell.find(_INLINE)
    if node is None:
        return None
    parts: list[str] = []
    for child in node:
        if child.tag == _TEXT:
            parts.append(child.text or "")
        elif child.tag == _RUN:
            parts.extend(t.text or "" for t in child.iter(_TEXT))
    return "".join(parts)


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _row_number(given: str | None, previous: int) -> int:
    if given is None:
        return previous + 1
    number = float(given)  # ValueError for a damaged sheet
    if not number.is_integer() or number < 1:
        raise ValueError(f"{given} is not a row number")
    return int(number)


# --- reading row by row -------------------------------------------------------------------------


@dataclass
class RowStream:
    """One table read a row at a time: ``rows`` gives (row number, cells), 1-based."""

    label: str  # how messages name it: "ascof.csv", or "ascof.xlsx, sheet 'Data'"
    sheet: str | None  # None for a CSV file
    rows: Iterator[tuple[int, Sequence[Any]]]
    total: int | None  # how many rows there are, when the file says


@contextmanager
def stream_tables(path: Path, name: str | None = None) -> Iterator[Iterator[RowStream]]:
    """The tables of ``path`` one after another, each read a row at a time: a workbook's
    sheets in order, or a CSV file's one table. ``name`` is how messages name the file
    (its name, unless given). The workbook is closed when the ``with`` block ends."""
    label = name if name is not None else path.name
    if _kind_of(path, label) == "csv":
        text = _csv_text(path, label)
        yield iter([RowStream(label, None, _csv_rows(text, label), text.count("\n") or None)])
        return
    with _opened(path, label) as handle:
        book = _open_workbook(handle, label, read_only=True, data_only=True)
        try:
            yield (_sheet_stream(sheet, label) for sheet in book.worksheets)
        finally:
            book.close()


def _sheet_stream(sheet: Any, name: str) -> RowStream:
    total = min(sheet.max_row, MAX_ROWS) if isinstance(sheet.max_row, int) else None
    rows = _SheetReader(sheet, name, formulas=False).rows()
    return RowStream(f"{name}, sheet '{sheet.title}'", str(sheet.title), rows, total)


def first_rows(
    stream: RowStream, count: int
) -> tuple[list[tuple[int, Sequence[Any]]], Iterator[tuple[int, Sequence[Any]]]]:
    """The first ``count`` rows of a stream (to find its headers), and the stream again from
    its first row."""
    top = list(itertools.islice(stream.rows, count))
    return top, itertools.chain(top, stream.rows)


# --- every cell's value, for a scan of its text ---------------------------------------------


class WorkbookCells:
    """The value of every cell of a workbook that holds one, sheet by sheet and row by row, as
    (sheet, row, column, value), 1-based: for a scan of the text, not for reading a table. The
    saved results of formulas are given, not the formulas. What each sheet says of its own size
    is ignored, and no more than ``max_cells`` cells are visited (empty ones between them
    count too, and each row counts as one at least), so a sheet that claims a million rows or
    that spreads its cells out costs no more than that; ``cut`` is then True. A damaged
    workbook is refused with a :class:`~ascready.errors.TableError`, as it is read.
    """

    def __init__(self, handle: BinaryIO, name: str, max_cells: int) -> None:
        self.handle, self.name, self.max_cells = handle, name, max_cells
        self.cut = False

    def __iter__(self) -> Iterator[tuple[str, int, int, Any]]:
        book = _open_workbook(self.handle, self.name, read_only=True, data_only=True)
        visited = 0
        try:
            for sheet in book.worksheets:
                title = str(sheet.title)
                reader = _SheetReader(sheet, self.name, formulas=False, bounded=False)
                for row, cells in reader.rows():
                    visited += max(1, len(cells))
                    if visited > self.max_cells:
                        self.cut = True
                        return
                    # compress() skips the empty cells at C speed
                    for column in itertools.compress(range(1, len(cells) + 1), cells):
                        yield title, row, column, cells[column - 1]
        finally:
            book.close()
