"""``ascready import-metrics``: performance measures from a published ASCOF data file.

NHS England publishes the measures of the Adult Social Care Outcomes Framework (ASCOF) as one
long table: a row per area (England, a region, a council), measure, disaggregation (Total,
18-64, Male, ...) and measure type (Outcome, Numerator, Denominator, ...), with the figure in
``Measure Value``. Some copies are "wide": an ``Outcome`` column instead of the measure type
and value. Both are read here, from CSV or from the first sheet of a workbook that has the
headers.

:func:`plan_import` reads the file and the repository and returns an :class:`ImportPlan`: the
files to create and to update, the measures skipped and why, and warnings. Nothing is printed
and nothing is written; every planned file has been checked as ``ascready validate`` would. A
file that cannot be imported at all raises :class:`ImportRefused` (exit 1), and flags that
cannot be used raise :class:`~ascready.errors.AscreadyError` (exit 2), each with a message
that names the file and the row. :func:`apply_plan` writes a plan: all of it, or nothing.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import itertools
import math
import os
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from xml.etree.ElementTree import ParseError

from pydantic import ValidationError

from ascready.authoring.new import NewFile, _source_in_repository, emit, write_new
from ascready.checks.document import introduced_findings
from ascready.checks.load import load_project
from ascready.checks.personal_data import allowed_for, scan_document
from ascready.checks.pydantic_errors import schema_findings
from ascready.checks.registry import REGISTRY
from ascready.checks.sources import classify_source
from ascready.errors import AscreadyError, ExitCode
from ascready.findings import Finding, Severity
from ascready.io.writing import write_atomically
from ascready.output.xlsx import CONTROL_OR_NOT_XML
from ascready.repository import models, yamlsafe
from ascready.repository.kinds import LABELS
from ascready.repository.loader import find_repository
from ascready.repository.project import Document, Project

FOLDER = "metrics"
ID_PREFIX = "ASCOF-"
HEADER_SEARCH_ROWS = 20
ENGLAND_ONS_CODE = "E92000001"
#: The ONS codes of the nine English regions, to find a region's row however it is spelt.
REGION_ONS_CODES: dict[models.Region, str] = {
    models.Region.NORTH_EAST: "E12000001",
    models.Region.NORTH_WEST: "E12000002",
    models.Region.YORKSHIRE: "E12000003",
    models.Region.EAST_MIDLANDS: "E12000004",
    models.Region.WEST_MIDLANDS: "E12000005",
    models.Region.EAST: "E12000006",
    models.Region.LONDON: "E12000007",
    models.Region.SOUTH_EAST: "E12000008",
    models.Region.SOUTH_WEST: "E12000009",
}
_REGION_ALIASES = {"east of england": ("eastern", "east")}
#: What stands in a published table for a figure that is not given.
SUPPRESSED = frozenset(
    {"[c]", "[x]", "[z]", "[u]", "[low]", "c", "x", "z", ":", "..", "*", "-", "–", "n/a", "na"}
)
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_PERIOD = re.compile(r"^\d{4}(-\d{2}|-\d{4})?(-Q[1-4])?$|^\d{4}-\d{2}-\d{2}$")
_ONS_CODE = re.compile(r"^E\d{8}$")

#: Called while rows are read: (rows read so far, rows in the file if known).
Progress = Callable[[int, int | None], None]


class ImportRefused(AscreadyError):
    """The file cannot be imported, or the files would not pass validate; nothing is written."""

    exit_code = ExitCode.FINDINGS


def _line(where: str, message: str, hint: str = "") -> str:
    message = message.rstrip()
    end = "" if message.endswith((".", "?", "!")) else "."
    return f"{where}: {message}{end} fix: {hint}" if hint else f"{where}: {message}{end}"


# --- the plan -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureFile:
    """One file to create or rewrite under metrics/."""

    measure: str  # the published code, e.g. "2A"
    ident: str  # the file's id, e.g. "ASCOF-2A"
    path: str  # relative to the repository, with forward slashes
    text: str
    value: float
    unit: str
    comparators: dict[str, float]
    disaggregation: str
    catalogued: bool  # in ascready's catalogue of ASCOF measures
    previous: tuple[float, str] | None = None  # (value, period) that an update replaces
    original: bytes | None = None  # the bytes an update replaces, to notice edits meanwhile


SkipKind = Literal["exists", "unchanged", "problem"]


@dataclass(frozen=True)
class Skipped:
    """A measure left out, and why."""

    measure: str
    kind: SkipKind
    reason: str
    hint: str = ""

    def describe(self) -> str:
        return _line(self.measure, self.reason, self.hint)


@dataclass(frozen=True)
class ImportPlan:
    root: Path
    file: str  # the data file, as the user named it
    period: str
    region: str | None
    source: str | None
    creates: tuple[MeasureFile, ...] = ()
    updates: tuple[MeasureFile, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    warnings: tuple[str, ...] = ()
    next_steps: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        """1 when every measure had a problem, so that nothing is imported, else 0."""
        if self.creates or self.updates or not self.skipped:
            return 0
        return 1 if all(s.kind == "problem" for s in self.skipped) else 0


# --- the catalogue of known ASCOF measures --------------------------------------------------


@dataclass(frozen=True)
class KnownMeasure:
    code: str
    title: str
    unit: models.Unit
    polarity: models.Polarity
    quality_statements: tuple[str, ...]


@cache
def catalogue() -> dict[str, KnownMeasure]:
    """The ASCOF measures shipped in ``ascready/measures/ascof.yaml``, by code."""
    raw = (resources.files("ascready.authoring.metrics") / "measures" / "ascof.yaml").read_bytes()
    data, problems = yamlsafe.parse_bytes(raw)
    if problems or not isinstance(data, dict):  # a packaging bug, never the user's input
        raise RuntimeError(f"the built-in ASCOF catalogue is broken: {problems}")
    return {
        str(code): KnownMeasure(
            str(code),
            str(entry["title"]),
            models.Unit(entry["unit"]),
            models.Polarity(entry["polarity"]),
            tuple(entry.get("quality_statements", ())),
        )
        for code, entry in data["measures"].items()
    }


def infer_unit(description: str) -> models.Unit:
    """The unit a measure's published description implies."""
    text = description.casefold()
    if re.search(r"per\s*100[,\s]?000|per\s*100k", text):
        return models.Unit.PER_100K
    if "%" in text or "proportion" in text or "percentage" in text:
        return models.Unit.PERCENT
    if "score" in text:
        return models.Unit.SCORE
    return models.Unit.NUMBER


# --- reading the table ----------------------------------------------------------------------

#: Field -> (the header as published, the headers accepted, compared by _header_key).
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "geo_code": ("Geographical Code", ("geographicalcode",)),
    "geo_description": ("Geographical Description", ("geographicaldescription",)),
    "geo_level": ("Geographical Level", ("geographicallevel",)),
    "ons_code": ("ONS Code", ("onscode", "onsareacode")),
    "ascof_code": ("ASCOF Measure Code", ("ascofmeasurecode",)),
    "disaggregation": ("Disaggregation Level", ("disaggregationlevel", "disaggregation")),
    "group": ("Measure Group", ("measuregroup",)),
    "description": ("Measure Group Description", ("measuregroupdescription",)),
    "measure_type": ("Measure Type", ("measuretype",)),
    "measure_value": ("Measure Value", ("measurevalue",)),
    "outcome": ("Outcome", ("outcome",)),
    "period": (
        "Year",
        ("year", "fiscalyear", "financialyear", "period", "reportingperiod", "reportingyear"),
    ),
}
_BY_HEADER = {key: name for name, (_, keys) in COLUMNS.items() for key in keys}
_NEEDED = ("geo_description", "geo_level", "ons_code", "disaggregation", "group")
_LONG = ("measure_type", "measure_value")


def _at(label: str, row: int) -> str:
    """Where a row is, as a spreadsheet shows it: "a.csv row 12", "a.xlsx, sheet 'Data', row
    12"."""
    return f"{label}{',' if ', sheet ' in label else ''} row {row}"


def _header_key(cell: object) -> str:
    """A header as compared: no case, spaces, underscores or hyphens."""
    return re.sub(r"[\s_\-\ufeff]+", "", str(cell or "")).casefold()


def _text(cell: object) -> str:
    """A cell as text: whole numbers without '.0', nothing for an empty cell."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _key(text: str) -> str:
    """Text as compared: no case, one space between words, plain hyphens."""
    return " ".join(text.replace("–", "-").split()).casefold()


def _place(text: str) -> str:
    """A place name as compared: 'Yorkshire & the Humber' matches 'Yorkshire and The Humber'."""
    words = re.sub(r"[^a-z0-9]+", " ", text.casefold().replace("&", " and ")).split()
    return " ".join(w for w in words if w != "the")


@dataclass(frozen=True)
class _Cell:
    """One Outcome figure for one of the three areas wanted."""

    row: int
    raw: object
    ascof_code: str
    period: str | None


@dataclass
class _Measure:
    code: str
    first_row: int
    description: str = ""
    council_rows: int = 0  # the council's rows of any measure type
    #: (area, disaggregation key) -> the Outcome figures found there
    cells: dict[tuple[str, str], list[_Cell]] = field(default_factory=dict)
    #: disaggregation key -> as written, in the order met in the council's Outcome rows
    disaggregations: dict[str, str] = field(default_factory=dict)


@dataclass
class _Table:
    label: str  # "ascof.csv" or "ascof.xlsx, sheet 'Data'"
    columns: dict[str, int]
    header_row: int
    measures: dict[str, _Measure] = field(default_factory=dict)
    council_rows: int = 0
    england_rows: int = 0
    region_rows: int = 0
    regions_seen: dict[str, None] = field(default_factory=dict)
    periods: dict[str, int] = field(default_factory=dict)  # period -> first row
    bad_period: tuple[int, str] | None = None

    def at(self, row: int) -> str:
        return _at(self.label, row)

    @property
    def wide(self) -> bool:
        return not all(c in self.columns for c in _LONG)


@dataclass(frozen=True)
class _Header:
    row: int | None  # 1-based; None when not found
    columns: dict[str, int]
    problem: str = ""
    definite: bool = False  # a header row was found, but it lacks needed columns


def _columns(cells: Sequence[object]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = _BY_HEADER.get(_header_key(cell))
        if name is not None and name not in found:
            found[name] = i
    return found


def _needed_text(wide: bool) -> str:
    names = [*_NEEDED, *(("outcome",) if wide else _LONG)]
    return ", ".join(COLUMNS[n][0] for n in names)


def _shown(cells: Sequence[object], limit: int = 14) -> str:
    texts = [f"'{_text(c)}'" for c in cells if _text(c)]
    return (", ".join(texts[:limit]) + (", …" if len(texts) > limit else "")) or "nothing"


def _missing_columns(label: str, row: int, cells: Sequence[object], found: dict[str, int]) -> str:
    wide = "outcome" in found and not all(c in found for c in _LONG)
    wanted = [*_NEEDED, *(("outcome",) if wide else _LONG)]
    missing = [COLUMNS[n][0] for n in wanted if n not in found]
    what = (
        f"the table has no column '{missing[0]}'"
        if len(missing) == 1
        else f"the table lacks the columns {', '.join(repr(m) for m in missing)}"
    )
    return _line(
        _at(label, row),
        f"{what}. Columns found: {_shown(cells)}. Needed: {_needed_text(wide)} (an Outcome "
        "column may stand in for Measure Type and Measure Value)",
        "Use the ASCOF data file NHS England publishes (the CSV, or the workbook's data "
        "sheet) as it was downloaded, or name the columns as it does.",
    )


def _find_header(label: str, first_rows: Sequence[Sequence[object]]) -> _Header:
    """The header row among the first rows, or why none is there."""
    best: tuple[int, int, Sequence[object], dict[str, int]] | None = None
    for number, cells in enumerate(first_rows, start=1):
        found = _columns(cells)
        if "group" in found and (all(c in found for c in _LONG) or "outcome" in found):
            if all(c in found for c in _NEEDED):
                return _Header(number, found)
            return _Header(None, found, _missing_columns(label, number, cells, found), True)
        if found and (best is None or len(found) > best[0]):
            best = (len(found), number, cells, found)
    if best is not None and best[0] >= 2:
        _, number, cells, found = best
        return _Header(None, found, _missing_columns(label, number, cells, found))
    first = next((c for c in first_rows if any(_text(x) for x in c)), ())
    return _Header(
        None,
        {},
        _line(
            label,
            f"no row among the first {HEADER_SEARCH_ROWS} is the header of an ASCOF table (the "
            f"first row holds {_shown(first)}). Needed: {_needed_text(False)}, or an Outcome "
            "column instead of Measure Type and Measure Value",
            "Use the ASCOF data file NHS England publishes (the CSV, or the workbook's data "
            "sheet) as it was downloaded.",
        ),
    )


def _period_of(cell: object, *, year_is_financial: bool) -> str | None:
    """A financial year written 2024-25, from 2024-25, 2024/25, 202425 or 2024-2025 (or from
    2024, the year it starts, when ``year_is_financial``); None if it is not one."""
    if isinstance(cell, bool):
        return None
    text = re.sub(r"^(?:fy|financial year|fiscal year)\s*", "", _text(cell), flags=re.I)
    match = re.fullmatch(r"(\d{4})\s*[-/_]?\s*(\d{4}|\d{2})", text)
    if match:
        start, end = int(match[1]), int(match[2])
        if end in ((start + 1) % 100, start + 1):
            return f"{start}-{(start + 1) % 100:02d}"
        return None
    if year_is_financial and re.fullmatch(r"\d{4}", text):
        start = int(text)
        return f"{start}-{(start + 1) % 100:02d}"
    return None


def period_from_name(name: str) -> str | None:
    """The financial year in a file's name: ...2024-25..., ...202425..., or NHS England's own
    ...eng-2425... (but not 2021, which may as well be a calendar year)."""
    for match in re.finditer(r"(?<!\d)(\d{4})[-_ ]?(\d{4}|\d{2})(?!\d)", name):
        found = _period_of(f"{match[1]}-{match[2]}", year_is_financial=False)
        if found:
            return found
    for match in re.finditer(r"(?<!\d)(\d{2})(\d{2})(?!\d)", name):
        start, end = int(match[1]), int(match[2])
        if end == (start + 1) % 100 and match[0] != "2021":
            return f"20{start:02d}-{end:02d}"
    return None


def _start_year(period: str) -> int | None:
    match = re.match(r"(\d{4})", period)
    return int(match[1]) if match else None


class _Collector:
    """One pass over the rows, keeping only the Outcome figures of the three areas wanted."""

    def __init__(self, table: _Table, ons_code: str, region: models.Region | None) -> None:
        self.table = table
        self.ons = ons_code.upper()
        names: set[str] = set()
        if region is not None:
            names.add(_place(region.value))
            names.update(_REGION_ALIASES.get(_place(region.value), ()))
        self.region_names = names
        self.region_code = REGION_ONS_CODES[region] if region is not None else None

    def add(self, number: int, cells: Sequence[object]) -> None:
        t = self.table
        cols = t.columns

        def cell(name: str) -> object:
            i = cols.get(name)
            return cells[i] if i is not None and i < len(cells) else None

        code = "".join(_text(cell("group")).split()).upper()
        if not code:  # a blank row, or a note under the table
            return
        measure = t.measures.get(code)
        if measure is None:
            measure = t.measures[code] = _Measure(code, number)
        if not measure.description:
            described = CONTROL_OR_NOT_XML.sub("", _text(cell("description")))
            measure.description = " ".join(described.split())
        ons = _text(cell("ons_code")).upper()
        level = _key(_text(cell("geo_level")))
        area: str | None = None
        if ons == self.ons:
            area = "council"
            t.council_rows += 1
            measure.council_rows += 1
        elif level == "england" or ons == ENGLAND_ONS_CODE:
            area = "england"
        elif level == "region":
            place = _text(cell("geo_description"))
            t.regions_seen.setdefault(place, None)
            if _place(place) in self.region_names or (ons and ons == self.region_code):
                area = "region"
        if area is None:
            return
        if t.wide:
            raw = cell("outcome")
        elif _key(_text(cell("measure_type"))) == "outcome":
            raw = cell("measure_value")
        else:
            return
        if area == "england":
            t.england_rows += 1
        elif area == "region":
            t.region_rows += 1
        period: str | None = None
        if _text(cell("period")):
            period = _period_of(cell("period"), year_is_financial=True)
            if period is None and t.bad_period is None:
                t.bad_period = (number, _text(cell("period")))
            elif period is not None:
                t.periods.setdefault(period, number)
        written = _text(cell("disaggregation"))
        key = _key(written)
        if area == "council":
            measure.disaggregations.setdefault(key, written)
        found = _Cell(number, raw, _text(cell("ascof_code")), period)
        measure.cells.setdefault((area, key), []).append(found)


def _counted(
    rows: Iterable[tuple[int, Sequence[object]]], progress: Progress | None, total: int | None
) -> Iterator[tuple[int, Sequence[object]]]:
    """The rows, telling ``progress`` how far the reading has got."""
    if progress is None:
        yield from rows
        return
    done = 0
    for done, row in enumerate(rows, start=1):
        if done % 1000 == 0:
            progress(done, total)
        yield row
    progress(done, total)


def _read_csv(
    path: Path, name: str, ons_code: str, region: models.Region | None, progress: Progress | None
) -> _Table:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportRefused(f"{name} cannot be read ({exc.strerror or exc})") from None
    if raw.startswith(b"PK\x03\x04"):
        raise ImportRefused(
            _line(
                name,
                "this is an Excel workbook with a .csv name",
                "Rename it to end .xlsx and import it again.",
            )
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRefused(
            _line(
                name,
                "the file is neither UTF-8 nor Windows-1252 (Excel's) text, so its characters "
                "cannot be read",
                "Use the CSV file as downloaded, or open it in Excel and save it as 'CSV UTF-8 "
                "(Comma delimited)'.",
            )
        )
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    numbered = enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1)
    number = 0
    try:
        first = list(itertools.islice(numbered, HEADER_SEARCH_ROWS))
        header = _find_header(name, [cells for _, cells in first])
        if header.row is None:
            raise ImportRefused(header.problem)
        table = _Table(name, header.columns, header.row)
        collect = _Collector(table, ons_code, region)
        rest = itertools.chain(first[header.row :], numbered)
        total = text.count("\n") - header.row or None
        for number, cells in _counted(rest, progress, total):
            collect.add(number, cells)
    except csv.Error as exc:
        raise ImportRefused(
            _line(
                f"{name} row {number + 1}",
                f"this is not CSV text ascready can read ({exc})",
                "Use the CSV file as downloaded, or save it again from Excel as 'CSV UTF-8 "
                "(Comma delimited)'.",
            )
        ) from None
    return table


_DAMAGED = (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, ParseError, TypeError)


def _damaged(name: str) -> ImportRefused:
    return ImportRefused(
        _line(
            name,
            "this is not an Excel workbook ascready can read: it is damaged, protected by a "
            "password, or not really .xlsx",
            "Open it in Excel and save it as an Excel Workbook (.xlsx) without a password, or "
            "as CSV.",
        )
    )


def _rows_of(rows: Iterator[Sequence[object]], name: str) -> Iterator[Sequence[object]]:
    """The rows of a sheet; a workbook that turns out to be damaged is refused plainly."""
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except _DAMAGED:
            raise _damaged(name) from None
        yield row


def _read_xlsx(
    path: Path, name: str, ons_code: str, region: models.Region | None, progress: Progress | None
) -> _Table:
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's remarks on styles and extensions
        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except _DAMAGED:
            raise _damaged(name) from None
        except Exception as exc:  # openpyxl's own InvalidFileException, among others
            if type(exc).__module__.startswith(("openpyxl", "zipfile", "xml")):
                raise _damaged(name) from None
            raise
        titles = [f"'{sheet.title}'" for sheet in book.worksheets]
        try:
            not_found: list[_Header] = []
            for sheet in book.worksheets:
                label = f"{name}, sheet '{sheet.title}'"
                top = sheet.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS, values_only=True)
                header = _find_header(label, [tuple(r) for r in _rows_of(top, name)])
                if header.definite:
                    raise ImportRefused(header.problem)
                if header.row is None:
                    not_found.append(header)
                    continue
                table = _Table(label, header.columns, header.row)
                collect = _Collector(table, ons_code, region)
                start = header.row + 1
                rows = _rows_of(sheet.iter_rows(min_row=start, values_only=True), name)
                size = sheet.max_row if isinstance(sheet.max_row, int) else None
                total = size - header.row if size else None
                for number, cells in _counted(enumerate(rows, start), progress, total):
                    collect.add(number, cells)
                return table
        finally:
            book.close()
    if not not_found:
        raise ImportRefused(_line(name, "the workbook has no worksheets"))
    best = max(not_found, key=lambda h: len(h.columns))
    raise ImportRefused(
        f"{name}: no sheet ({', '.join(titles)}) has the headers of an ASCOF table in its first "
        f"{HEADER_SEARCH_ROWS} rows.\n  {best.problem}"
    )


def _read(
    path: Path, name: str, ons_code: str, region: models.Region | None, progress: Progress | None
) -> _Table:
    suffix = path.suffix.lower()
    if not path.exists():
        raise ImportRefused(_line(name, "there is no such file", "Check the name and folder."))
    if path.is_dir():
        raise ImportRefused(
            _line(name, "this is a folder, not a file", "Name the .csv or .xlsx file itself.")
        )
    if suffix in (".csv", ".txt"):
        return _read_csv(path, name, ons_code, region, progress)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, name, ons_code, region, progress)
    if suffix in (".xls", ".ods", ".xlsb"):
        raise ImportRefused(
            _line(
                name,
                f"ascready reads .csv and .xlsx files, not {suffix}",
                "Open it in Excel and save it as an Excel Workbook (.xlsx) or as CSV.",
            )
        )
    raise ImportRefused(
        _line(
            name,
            f"this is not a CSV or Excel .xlsx file (its name ends '{suffix or 'with nothing'}')",
            "Import the ASCOF data file NHS England publishes, as .csv or .xlsx.",
        )
    )


# --- figures --------------------------------------------------------------------------------


def figure(raw: object) -> tuple[float | None, str]:
    """The number in a cell, rounded to 2 decimal places at most as published, or why there
    is none."""
    if isinstance(raw, (bool, dt.date, dt.time, dt.timedelta)):
        return None, f"'{raw}', which is not a number"
    if isinstance(raw, (int, float)):
        value = float(raw)
        return (round(value, 2), "") if math.isfinite(value) else (None, "not a number")
    text = _text(raw)
    if not text:
        return None, "empty (suppressed, or not submitted)"
    if text.casefold() in SUPPRESSED:
        return None, f"'{text}' (suppressed, or not available)"
    cleaned = text.removesuffix("%").strip()
    if _THOUSANDS.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    if not _NUMBER.fullmatch(cleaned) or not math.isfinite(float(cleaned)):
        return None, f"'{text}', which is not a number"
    return round(float(cleaned), 2), ""


def _rows_text(cells: Sequence[_Cell]) -> str:
    numbers = [str(c.row) for c in cells]
    return f"rows {', '.join(numbers[:-1])} and {numbers[-1]}"


def _duplicates(table: _Table, what: str, cells: Sequence[_Cell]) -> Skipped:
    codes = list(dict.fromkeys(c.ascof_code for c in cells if c.ascof_code))
    several = (
        f" (ASCOF Measure Codes {', '.join(codes)}: the file holds several measures under one "
        "Measure Group)"
        if len(codes) > 1
        else ""
    )
    return Skipped(
        "",
        "problem",
        f"{table.label} {_rows_text(cells)}: {len(cells)} rows give {what}{several}, so it is "
        "not clear which to import",
        "Keep one row per area, measure and disaggregation (use the file as published), or "
        "leave this measure out with --measure.",
    )


@dataclass(frozen=True)
class _Figures:
    value: float
    comparators: dict[str, float]
    disaggregation: str
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class _Context:
    table: _Table
    ons_code: str
    region: str | None
    period_filter: str | None
    disaggregation: str | None
    warn_england: bool
    warn_region: bool

    def pick(self, cells: Iterable[_Cell]) -> list[_Cell]:
        return [c for c in cells if self.period_filter is None or c.period == self.period_filter]


def _figures(ctx: _Context, measure: _Measure) -> _Figures | Skipped:
    """The council's figure and its comparators for one measure, or why it is skipped."""
    table, code = ctx.table, measure.code
    if measure.council_rows == 0:
        return Skipped(
            code,
            "problem",
            f"{table.label}: no row for ONS code {ctx.ons_code} for measure {code} (other areas "
            f"have rows for it, from row {measure.first_row})",
            "The council may have no figure for it this year; check the published table.",
        )
    available = {
        key: written
        for key, written in measure.disaggregations.items()
        if ctx.pick(measure.cells.get(("council", key), []))
    }
    if not available:
        return Skipped(
            code,
            "problem",
            f"{table.label}: the council's rows for {code} give no Outcome figure"
            + (f" for {ctx.period_filter}" if ctx.period_filter else ""),
            "Check the published table; only the Outcome figure is imported.",
        )
    listed = ", ".join(f"'{w}'" for w in available.values())
    if ctx.disaggregation is not None:
        key = _key(ctx.disaggregation)
        if key not in available:
            return Skipped(
                code,
                "problem",
                f"{table.label}: {code} has no '{ctx.disaggregation}' figure for the council; it "
                f"has {listed}",
                "Choose one of those with --disaggregation, or leave this measure out with "
                "--measure.",
            )
    elif "total" in available:
        key = "total"
    elif len(available) == 1:
        key = next(iter(available))
    else:
        return Skipped(
            code,
            "problem",
            f"{table.label}: {code} has several disaggregations ({listed}) and none is 'Total'",
            f"Name the one to import, e.g. --measure {code} --disaggregation "
            f"'{next(iter(available.values()))}'.",
        )
    shown = available[key] or "(blank)"
    council = ctx.pick(measure.cells[("council", key)])
    if len(council) > 1:
        return replace(
            _duplicates(table, f"the council's {code} figure for '{shown}'", council), measure=code
        )
    value, why = figure(council[0].raw)
    if value is None:
        return Skipped(
            code,
            "problem",
            f"{table.at(council[0].row)}: the council's {code} figure ('{shown}') is {why}, so "
            "there is no figure to import",
            "Nothing to do if it is suppressed as published; otherwise check the file.",
        )
    comparators: dict[str, float] = {}
    notes: list[str] = []
    for area, label, warn in (
        ("england", "England", ctx.warn_england),
        ("region", f"{ctx.region} region", ctx.warn_region),
    ):
        if area == "region" and ctx.region is None:
            continue
        cells = ctx.pick(measure.cells.get((area, key), []))
        if len(cells) > 1:
            return replace(
                _duplicates(table, f"the {label} {code} figure for '{shown}'", cells), measure=code
            )
        if not cells:
            if warn:
                notes.append(
                    f"{table.label}: no {label} row for {code} ('{shown}'): the {area} "
                    "comparator is left out"
                )
            continue
        number, why = figure(cells[0].raw)
        if number is None:
            notes.append(
                f"{table.at(cells[0].row)}: the {label} {code} figure ('{shown}') is {why}: "
                f"the {area} comparator is left out"
            )
            continue
        comparators[area] = number
    return _Figures(value, comparators, available[key], tuple(notes))


# --- the plan -------------------------------------------------------------------------------


def _id_for(code: str) -> str:
    return ID_PREFIX + re.sub(r"[^A-Za-z0-9._-]+", "-", code).strip("-._")


def _header_comment(ident: str, code: str, period: str) -> str:
    return (
        f"# Performance measure {ident} (ASCOF {code}), {period} figures, imported with "
        "ascready import-metrics.\n"
    )


def _with(existing: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``existing`` with ``changes`` (None removes a key), keys in their order; a new key goes
    where the model puts it."""
    order = list(models.Metric.model_fields)
    out: dict[str, Any] = {}
    for key, value in existing.items():
        if key not in changes:
            out[key] = value
        elif changes[key] is not None:
            out[key] = changes[key]
    for key, value in changes.items():
        if key in existing or value is None:
            continue
        items = list(out.items())
        after = [
            i for i, (k, _) in enumerate(items) if k in order and order.index(k) > order.index(key)
        ]
        items.insert(after[0] if after else len(items), (key, value))
        out = dict(items)
    return out


def _metric_docs(project: Project) -> dict[str, Document]:
    """Every performance measure file by its id (or, for a file without one, its name)."""
    found: dict[str, Document] = {}
    for doc in project.documents:
        if doc.kind != "metric":
            continue
        ident: object = None
        if doc.model is not None:
            ident = doc.model.id
        elif isinstance(doc.data, dict):
            ident = doc.data.get("id")
        if isinstance(ident, str):
            found.setdefault(ident, doc)
    return found


def _flags(
    project: Project,
    *,
    ons_code: str | None,
    period: str | None,
    source: str | None,
    measures: Sequence[str],
) -> tuple[str, str | None, str | None, list[str]]:
    """The ONS code, period, source and measure codes the flags ask for; every problem with
    them at once (exit 2)."""
    problems: list[str] = []
    profile = project.profile
    code = ""
    if ons_code is not None:
        code = ons_code.strip().upper()
        if not _ONS_CODE.match(code):
            problems.append(
                _line(
                    "--ons-code",
                    f"'{ons_code}' is not an ONS code",
                    "Give the council's code: E and eight digits, e.g. E06000022.",
                )
            )
    elif profile is not None:
        code = profile.ons_code
    else:
        problems.append(
            _line(
                "ascready.yaml",
                "it has errors, so the council's ONS code is not known",
                "Run ascready validate and correct ascready.yaml, or give --ons-code.",
            )
        )
    chosen: str | None = None
    if period is not None:
        chosen = _period_of(period, year_is_financial=False) or period.strip()
        if not _PERIOD.match(chosen):
            problems.append(
                _line(
                    "--period",
                    f"'{period}' is not a period ascready can read",
                    "Write the financial year as 2024-25.",
                )
            )
    found_source: str | None = None
    if source is not None:
        kind = classify_source(source)
        if kind == "url":
            found_source = source
        elif kind == "path":
            found_source = _source_in_repository(project.root, source)
            real = os.path.realpath(os.path.join(project.root, found_source))
            root = os.path.realpath(project.root)
            if os.path.isabs(found_source) or not real.startswith(root + os.sep):
                problems.append(
                    _line(
                        "--source",
                        f"'{source}' is outside the repository",
                        "Give the https:// link of the published table, or copy the file into "
                        "the repository (e.g. under files/) and give that path.",
                    )
                )
            elif not os.path.exists(real):
                problems.append(
                    _line("--source", f"'{source}' does not exist", "Check the path or the link.")
                )
        else:
            problems.append(
                _line(
                    "--source",
                    f"'{source}' is neither a path in the repository nor a web link",
                    "Give the https:// link of the published table.",
                )
            )
    codes = list(dict.fromkeys("".join(m.split()).upper() for m in measures))
    if "" in codes:
        problems.append(_line("--measure", "a measure code is empty", "Name one, e.g. 2A."))
    if len(problems) == 1:
        raise AscreadyError(f"{problems[0]} Nothing was written.")
    if problems:
        raise AscreadyError(
            f"{len(problems)} problems with the flags; nothing was written.\n  "
            + "\n  ".join(problems)
        )
    return code, chosen, found_source, codes


def _default_source(root: Path, file: Path) -> str | None:
    """The data file's path in the repository, if it is in the repository."""
    real = os.path.realpath(file)
    top = os.path.realpath(root)
    if not real.startswith(top + os.sep):
        return None
    return Path(os.path.relpath(real, top)).as_posix()


def _period(table: _Table, name: str, flag: str | None) -> tuple[str, str | None, list[str]]:
    """The period recorded, the period whose rows are read (when the file has several), and
    warnings."""
    periods = table.periods
    if flag is not None:
        if len(periods) > 1:
            if flag not in periods:
                raise ImportRefused(
                    _line(
                        name,
                        f"the file holds figures for {', '.join(periods)}, and none for "
                        f"--period {flag}",
                        "Choose one of those with --period.",
                    )
                )
            return flag, flag, []
        if len(periods) == 1 and flag not in periods:
            (written,) = periods
            return (
                flag,
                None,
                [
                    f"{name}: the file's year column says {written}, but --period {flag} was "
                    f"given: the figures are recorded as {flag}"
                ],
            )
        return flag, None, []
    if table.bad_period is not None:
        row, text = table.bad_period
        raise ImportRefused(
            _line(
                table.at(row),
                f"the year column holds '{text}', which is not a year ascready can read",
                "Give the period the figures are for with --period, e.g. --period 2024-25.",
            )
        )
    if len(periods) > 1:
        raise ImportRefused(
            _line(
                name,
                f"the file holds figures for several years ({', '.join(periods)})",
                f"Choose the one to import with --period, e.g. --period {max(periods)}.",
            )
        )
    if periods:
        return next(iter(periods)), None, []
    from_name = period_from_name(Path(name).name)
    if from_name is None:
        raise ImportRefused(
            _line(
                name,
                "neither the file nor its name says which year the figures are for",
                "Give it with --period, e.g. --period 2024-25.",
            )
        )
    return from_name, None, []


def plan_import(
    repo: Path,
    file: Path,
    *,
    measures: Sequence[str] = (),
    ons_code: str | None = None,
    disaggregation: str | None = None,
    period: str | None = None,
    source: str | None = None,
    update: bool = False,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> ImportPlan:
    """What importing ``file`` into the repository at or above ``repo`` would do."""
    root = find_repository(repo)
    project, _ = load_project(root)
    profile = project.profile
    code, flag_period, flag_source, wanted = _flags(
        project, ons_code=ons_code, period=period, source=source, measures=measures
    )
    if disaggregation is not None and not disaggregation.strip():
        raise AscreadyError(
            _line("--disaggregation", "it is empty", "Name one, e.g. 'Total' or '65 and over'.")
        )
    name = str(file)
    region = profile.region if profile is not None else None
    table = _read(file, name, code, region, progress)
    if table.council_rows == 0:
        raise ImportRefused(
            _line(
                name,
                f"no row for ONS code {code} in the file: is it the right year's table, or "
                "use --ons-code",
                "Check that this is the national ASCOF table with every council's rows, and "
                "that ons_code in ascready.yaml is the council's.",
            )
        )
    recorded, period_filter, warnings_ = _period(table, name, flag_period)
    if wanted:
        unknown = [m for m in wanted if m not in table.measures]
        if unknown:
            raise ImportRefused(
                _line(
                    name,
                    f"the file has no measure {', '.join(unknown)}",
                    f"The measures in it are: {', '.join(table.measures)}.",
                )
            )
    codes = wanted or list(table.measures)
    source_text = flag_source if flag_source is not None else _default_source(root, file)
    if table.england_rows == 0:
        warnings_.append(
            f"{name}: no England rows (Geographical Level 'England'): the England comparator "
            "is left out of every measure"
        )
    region_name = region.value if region is not None else None
    if region is None:
        warnings_.append(
            "ascready.yaml has errors, so the council's region is not known: the region "
            "comparator is left out of every measure"
        )
    elif table.region_rows == 0:
        seen = ", ".join(table.regions_seen) or "none"
        warnings_.append(
            f"{name}: no row for the {region_name} region (regions in the file: {seen}): the "
            "region comparator is left out of every measure"
        )
    ctx = _Context(
        table,
        code,
        region_name,
        period_filter,
        disaggregation.strip() if disaggregation is not None else None,
        warn_england=table.england_rows > 0,
        warn_region=table.region_rows > 0,
    )
    existing = _metric_docs(project)
    creates: list[MeasureFile] = []
    updates: list[MeasureFile] = []
    skipped: list[Skipped] = []
    next_steps: list[str] = []
    planned: set[str] = set()
    for measure_code in codes:
        measure = table.measures[measure_code]
        found = _figures(ctx, measure)
        if isinstance(found, Skipped):
            skipped.append(found)
            continue
        warnings_.extend(found.warnings)
        ident = _id_for(measure_code)
        if ident == ID_PREFIX or ident.casefold() in planned:
            skipped.append(
                Skipped(
                    measure_code,
                    "problem",
                    f"'{measure_code}' cannot be made into a file id of its own",
                    "Import it on its own with --measure, or add it by hand.",
                )
            )
            continue
        planned.add(ident.casefold())
        doc = existing.get(ident)
        if doc is not None:
            outcome = _update(
                root, doc, ident, measure_code, recorded, found, source_text, update, warnings_
            )
            if isinstance(outcome, Skipped):
                skipped.append(outcome)
            else:
                updates.append(outcome)
            continue
        path = f"{FOLDER}/{ident}.yaml"
        if (root / path).exists():
            skipped.append(
                Skipped(
                    measure_code,
                    "problem",
                    f"{path} already exists but does not hold the measure {ident} (its id is "
                    "different, or it cannot be read)",
                    "Give that file the id it should have, or rename it, and import again.",
                )
            )
            continue
        created, step = _new_file(measure, ident, path, recorded, found, source_text, name)
        creates.append(created)
        if step:
            next_steps.append(step)
    if source_text is None and creates:
        warnings_.insert(
            0,
            f"{name} is outside the repository, so the new measures have no source: give the "
            "link of the published table with --source https://...",
        )
    warnings_.extend(_check(project, [*creates, *updates], today or dt.date.today()))
    if creates or updates:
        cited = ", ".join(f.ident for f in (*creates, *updates))
        next_steps.append(
            f"Next: cite the measures in the strengths and areas for improvement they support "
            f"(metrics: [{cited}] under ratings/)."
        )
    return ImportPlan(
        root,
        name,
        recorded,
        region_name,
        source_text,
        tuple(creates),
        tuple(updates),
        tuple(skipped),
        tuple(dict.fromkeys(warnings_)),
        tuple(next_steps),
    )


def _new_file(
    measure: _Measure,
    ident: str,
    path: str,
    period: str,
    found: _Figures,
    source: str | None,
    name: str,
) -> tuple[MeasureFile, str]:
    """A new measure's file, and what the user should do next to it (or nothing)."""
    code = measure.code
    entry = catalogue().get(code)
    step = ""
    if entry is not None:
        title, unit = entry.title, entry.unit.value
        polarity, qs = entry.polarity.value, list(entry.quality_statements)
    else:
        title = measure.description or f"ASCOF measure {code}"
        unit = infer_unit(measure.description).value
        polarity, qs = models.Polarity.NEUTRAL.value, []
        step = (
            f"{path}: {code} is not in ascready's catalogue of ASCOF measures, so its polarity "
            "is neutral and it informs no quality statement: set polarity (higher-is-better "
            f"or lower-is-better) and quality_statements in that file (unit {unit} was taken "
            "from its description: check it)."
        )
    notes = []
    if _key(found.disaggregation) != "total":
        notes.append(
            f"The figures are for '{found.disaggregation or '(blank)'}' (the published "
            "table's Disaggregation Level)."
        )
    if source is None:
        notes.append(
            f"Imported with ascready import-metrics from the file {Path(name).name}; add the "
            "link of the published table as source."
        )
    data: dict[str, Any] = {
        "id": ident,
        "title": title,
        "measure": code,
        "value": found.value,
        "unit": unit,
        "period": period,
        "polarity": polarity,
    }
    if found.comparators:
        data["comparators"] = dict(found.comparators)
    if qs:
        data["quality_statements"] = qs
    if source is not None:
        data["source"] = source
    data["classification"] = models.Classification.PUBLIC.value
    if notes:
        data["notes"] = " ".join(notes)
    text = emit(data, _header_comment(ident, code, period))
    made = MeasureFile(
        code,
        ident,
        path,
        text,
        found.value,
        unit,
        found.comparators,
        found.disaggregation,
        entry is not None,
    )
    return made, step


def _update(
    root: Path,
    doc: Document,
    ident: str,
    code: str,
    period: str,
    found: _Figures,
    source: str | None,
    update: bool,
    warnings_: list[str],
) -> MeasureFile | Skipped:
    """The rewritten file of a measure the repository has, or why it is left as it is."""
    if not update:
        return Skipped(
            code, "exists", f"already in {doc.path}; use --update to replace its figures"
        )
    if doc.model is None or not isinstance(doc.data, dict):
        return Skipped(
            code,
            "problem",
            f"{doc.path} has errors, so its figures were not replaced",
            "Run ascready validate, correct the file, and import again.",
        )
    current: models.Metric = doc.model
    then, now = _start_year(current.period), _start_year(period)
    if then is not None and now is not None and then > now:
        return Skipped(
            code,
            "problem",
            f"{doc.path} holds figures for {current.period}, newer than the {period} figures "
            "in this file, so they were not replaced",
            "Import the latest year's table, or edit the file by hand.",
        )
    changes: dict[str, Any] = {
        "value": found.value,
        "period": period,
        "comparators": dict(found.comparators) or None,
    }
    if source is not None:
        changes["source"] = source
    elif current.source and current.period != period:
        warnings_.append(
            f"{doc.path}: source is still '{current.source}': check that it gives the "
            f"{period} figures, or import again with --source"
        )
    data = _with(doc.data, changes)
    if data == doc.data:
        return Skipped(code, "unchanged", f"{doc.path} already has these figures")
    try:
        original = (root / doc.path).read_bytes()
    except OSError as exc:
        return Skipped(code, "problem", f"{doc.path} cannot be read ({exc.strerror or exc})", "")
    return MeasureFile(
        code,
        ident,
        doc.path,
        emit(data, _header_comment(ident, code, period)),
        found.value,
        current.unit.value,
        found.comparators,
        found.disaggregation,
        code in catalogue(),
        previous=(current.value, current.period),
        original=original,
    )


def _check(project: Project, files: Sequence[MeasureFile], today: dt.date) -> list[str]:
    """Check the files as ascready validate would once they are written; any error refuses
    them all. Returns the warnings."""
    if not files:
        return []
    registry = REGISTRY
    allowed = allowed_for(project.profile)
    label = LABELS["metric"]
    findings: list[Finding] = []
    docs: list[Document] = []
    for f in files:
        parsed, problems = yamlsafe.parse_text(f.text)
        findings.extend(
            registry[p.check].finding(p.message, p.hint, f.path, line=p.line, column=p.column)
            for p in problems
        )
        findings.extend(replace(x, file=f.path) for x in scan_document(parsed, "metric", allowed))
        try:
            model = models.Metric.model_validate(parsed)
        except ValidationError as exc:
            findings.extend(schema_findings(exc, models.Metric, f.path, label))
            continue
        docs.append(Document(f.path, "metric", parsed, model))

    findings.extend(introduced_findings(project, docs, today))
    errors = [x for x in findings if x.severity is Severity.ERROR]
    if errors:
        lines = "\n  ".join(_line(x.file, x.message, x.hint) for x in errors)
        raise ImportRefused(
            f"{len(errors)} problem(s) would make the imported files fail ascready validate, "
            f"so nothing was written:\n  {lines}"
        )
    return [_line(x.file, x.message, x.hint) for x in findings if x.severity is Severity.WARNING]


# --- writing --------------------------------------------------------------------------------


def apply_plan(plan: ImportPlan) -> list[str]:
    """Create and rewrite the plan's files: all of them, or none.

    New files are created with :func:`~ascready.authoring.new.write_new`, never over an existing
    file; updates are written atomically. If one fails, the files this run created are
    removed and the ones it rewrote are put back. A file to update that was changed since it
    was read stops everything before anything is written.
    """
    for f in plan.updates:
        try:
            unchanged = (plan.root / f.path).read_bytes() == f.original
        except OSError:
            unchanged = False
        if not unchanged:
            raise ImportRefused(
                f"{f.path} changed while the import was being prepared; nothing was written. "
                "Run the import again."
            )
    folder = plan.root / FOLDER
    had_folder = folder.is_dir()
    created: list[Path] = []
    rewritten: list[tuple[Path, bytes]] = []
    current = ""
    try:
        for f in plan.creates:
            current = f.path
            write_new(NewFile(plan.root, f.path, f.ident, f.text))
            created.append(plan.root / f.path)
        for f in plan.updates:
            current = f.path
            target = plan.root / f.path
            write_atomically(target, f.text)
            rewritten.append((target, f.original or b""))
    except (OSError, AscreadyError) as exc:
        undone = _undo(created, rewritten, folder if not had_folder else None)
        reason = exc.message if isinstance(exc, AscreadyError) else (exc.strerror or str(exc))
        raise ImportRefused(f"{current} could not be written ({reason}). {undone}") from None
    return [f.path for f in (*plan.creates, *plan.updates)]


def _undo(created: list[Path], rewritten: list[tuple[Path, bytes]], folder: Path | None) -> str:
    left: list[str] = []
    for path in created:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            left.append(str(path))
    for path, original in rewritten:
        try:
            write_atomically(path, original)
        except OSError:
            left.append(str(path))
    if folder is not None:
        with contextlib.suppress(OSError):
            folder.rmdir()  # only if this run made it and it is empty again
    if left:
        return f"These files could not be put back as they were: {', '.join(left)}."
    return "Nothing was changed: the files this run had written were removed or put back."
