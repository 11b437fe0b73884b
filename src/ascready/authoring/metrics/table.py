"""Reading a published ASCOF table: finding its header row, and keeping, in one pass over the
rows, the Outcome figures of the three areas an import needs (the council, England and the
council's region).

NHS England publishes one long table: a row per area, measure, disaggregation (Total, 18-64,
...) and measure type (Outcome, Numerator, ...), with the figure in ``Measure Value``. Some
copies are "wide": an ``Outcome`` column instead of the measure type and value. Both are read,
from CSV or from the first sheet of a workbook that has the headers, a row at a time
(:func:`ascready.io.tables.stream_tables`), since the table holds every council's rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ascready.authoring.files import line
from ascready.authoring.metrics.cells import at_row, cell_text, header_key, place, text_key
from ascready.authoring.metrics.periods import period_of
from ascready.errors import ImportRefused, TableError
from ascready.io.tables import first_rows, stream_tables
from ascready.output.xlsx import CONTROL_OR_NOT_XML
from ascready.repository import models

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

#: Called while rows are read: (rows read so far, rows in the file if known).
Progress = Callable[[int, int | None], None]


#: Field -> (the header as published, the headers accepted, compared by header_key).
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


@dataclass(frozen=True)
class Cell:
    """One Outcome figure for one of the three areas wanted."""

    row: int
    raw: object
    ascof_code: str
    period: str | None


@dataclass
class Measure:
    code: str
    first_row: int
    description: str = ""
    council_rows: int = 0  # the council's rows of any measure type
    #: (area, disaggregation key) -> the Outcome figures found there
    cells: dict[tuple[str, str], list[Cell]] = field(default_factory=dict)
    #: disaggregation key -> as written, in the order met in the council's Outcome rows
    disaggregations: dict[str, str] = field(default_factory=dict)


@dataclass
class AscofTable:
    label: str  # "ascof.csv" or "ascof.xlsx, sheet 'Data'"
    columns: dict[str, int]
    header_row: int
    measures: dict[str, Measure] = field(default_factory=dict)
    council_rows: int = 0
    england_rows: int = 0
    region_rows: int = 0
    regions_seen: dict[str, None] = field(default_factory=dict)
    periods: dict[str, int] = field(default_factory=dict)  # period -> first row
    bad_period: tuple[int, str] | None = None

    def at(self, row: int) -> str:
        return at_row(self.label, row)

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
        name = _BY_HEADER.get(header_key(cell))
        if name is not None and name not in found:
            found[name] = i
    return found


def _needed_text(wide: bool) -> str:
    names = [*_NEEDED, *(("outcome",) if wide else _LONG)]
    return ", ".join(COLUMNS[n][0] for n in names)


def _shown(cells: Sequence[object], limit: int = 14) -> str:
    texts = [f"'{cell_text(c)}'" for c in cells if cell_text(c)]
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
    return line(
        at_row(label, row),
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
    first = next((c for c in first_rows if any(cell_text(x) for x in c)), ())
    return _Header(
        None,
        {},
        line(
            label,
            f"no row among the first {HEADER_SEARCH_ROWS} is the header of an ASCOF table (the "
            f"first row holds {_shown(first)}). Needed: {_needed_text(False)}, or an Outcome "
            "column instead of Measure Type and Measure Value",
            "Use the ASCOF data file NHS England publishes (the CSV, or the workbook's data "
            "sheet) as it was downloaded.",
        ),
    )


class _Collector:
    """One pass over the rows, keeping only the Outcome figures of the three areas wanted."""

    def __init__(self, table: AscofTable, ons_code: str, region: models.Region | None) -> None:
        self.table = table
        self.ons = ons_code.upper()
        names: set[str] = set()
        if region is not None:
            names.add(place(region.value))
            names.update(_REGION_ALIASES.get(place(region.value), ()))
        self.region_names = names
        self.region_code = REGION_ONS_CODES[region] if region is not None else None

    def add(self, number: int, cells: Sequence[object]) -> None:
        t = self.table
        cols = t.columns

        def cell(name: str) -> object:
            i = cols.get(name)
            return cells[i] if i is not None and i < len(cells) else None

        code = "".join(cell_text(cell("group")).split()).upper()
        if not code:  # a blank row, or a note under the table
            return
        measure = t.measures.get(code)
        if measure is None:
            measure = t.measures[code] = Measure(code, number)
        if not measure.description:
            described = CONTROL_OR_NOT_XML.sub("", cell_text(cell("description")))
            measure.description = " ".join(described.split())
        area = self._area(measure, cell)
        if area is None:
            return
        if t.wide:
            raw = cell("outcome")
        elif text_key(cell_text(cell("measure_type"))) == "outcome":
            raw = cell("measure_value")
        else:
            return
        if area == "england":
            t.england_rows += 1
        elif area == "region":
            t.region_rows += 1
        written = cell_text(cell("disaggregation"))
        key = text_key(written)
        if area == "council":
            measure.disaggregations.setdefault(key, written)
        found = Cell(number, raw, cell_text(cell("ascof_code")), self._period(number, cell))
        measure.cells.setdefault((area, key), []).append(found)

    def _area(self, measure: Measure, cell: Callable[[str], object]) -> str | None:
        """Whose row it is: the council's, England's, the region's, or another area's (None)."""
        ons = cell_text(cell("ons_code")).upper()
        level = text_key(cell_text(cell("geo_level")))
        if ons == self.ons:
            self.table.council_rows += 1
            measure.council_rows += 1
            return "council"
        if level == "england" or ons == ENGLAND_ONS_CODE:
            return "england"
        if level != "region":
            return None
        written = cell_text(cell("geo_description"))
        self.table.regions_seen.setdefault(written, None)
        if place(written) in self.region_names or (ons and ons == self.region_code):
            return "region"
        return None

    def _period(self, number: int, cell: Callable[[str], object]) -> str | None:
        """The row's period, if the table has a year column; the first unreadable one is
        kept to be reported."""
        t = self.table
        if not cell_text(cell("period")):
            return None
        period = period_of(cell("period"), year_is_financial=True)
        if period is None and t.bad_period is None:
            t.bad_period = (number, cell_text(cell("period")))
        elif period is not None:
            t.periods.setdefault(period, number)
        return period


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


def read_table(
    path: Path, name: str, ons_code: str, region: models.Region | None, progress: Progress | None
) -> AscofTable:
    """The figures of ``path`` for the council with ``ons_code``, England and ``region``: from
    a CSV file, or from the first sheet of a workbook with an ASCOF table's headers."""
    not_found: list[_Header] = []
    titles: list[str] = []
    try:
        with stream_tables(path, name) as streams:
            for stream in streams:
                titles.append(f"'{stream.sheet}'")
                top, rows = first_rows(stream, HEADER_SEARCH_ROWS)
                header = _find_header(stream.label, [cells for _, cells in top])
                if header.row is None and (stream.sheet is None or header.definite):
                    raise ImportRefused(header.problem)
                if header.row is None:
                    not_found.append(header)
                    continue
                table = AscofTable(stream.label, header.columns, header.row)
                collect = _Collector(table, ons_code, region)
                below = ((n, cells) for n, cells in rows if n > table.header_row)
                total = stream.total - header.row if stream.total else None
                for number, cells in _counted(below, progress, total):
                    collect.add(number, cells)
                return table
    except TableError as exc:
        raise ImportRefused(exc.message) from None
    if not not_found:
        raise ImportRefused(line(name, "the workbook has no worksheets"))
    best = max(not_found, key=lambda h: len(h.columns))
    raise ImportRefused(
        f"{name}: no sheet ({', '.join(titles)}) has the headers of an ASCOF table in its first "
        f"{HEADER_SEARCH_ROWS} rows.\n  {best.problem}"
    )
