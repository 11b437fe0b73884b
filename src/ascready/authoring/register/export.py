"""``ascready export``: the evidence register as an Excel workbook.

:func:`register_workbook` returns the bytes of a workbook laid out as :data:`register.SHEETS`
says: an "About" sheet first, then one sheet per kind of document, then a hidden "Lists" sheet
holding the closed lists the drop-downs offer. It prints nothing and writes nothing. Colleagues
who never open git keep the register up to date in it, and ``ascready import`` reads it back.

Nothing is changed on the way into the workbook. Text stays text (``=SUM(A1)`` in a title is a
title, never a formula), dates are real dates, numbers are numbers. What a workbook cannot hold
exactly (text longer than a cell takes, characters XML forbids, dates before 1900, numbers that
are not finite) stops the export with an :class:`~ascready.errors.AscreadyError` naming the
sheet, the row and the column, rather than being cut or replaced without a word.

The same rows always give the same bytes: the document properties and every zip entry carry
the as-of date, never the clock. openpyxl is imported only inside :func:`register_workbook`, so
that the command line starts quickly.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass
from typing import Any

from ascready.authoring.register.layout import (
    LIST_SEPARATOR,
    Column,
    RegisterRows,
    Sheet,
    closed_lists,
    register_rows,
)
from ascready.errors import AscreadyError, RegisterError
from ascready.output.words import status_word
from ascready.output.xlsx import (
    BOLD,
    DATE_FORMAT,
    HEADER_FILL,
    MAX_COLUMN_WIDTH,
    UnfitCell,
    fit_width,
    fit_widths,
    header_width,
    put_text,
    save,
    set_printing,
    set_row_height,
    shown_width,
    solid_fill,
    wrapped_lines,
)
from ascready.repository.framework import Framework
from ascready.repository.project import Project

ABOUT = "About"
#: What an undated register's document properties and zip entries carry (zip's earliest day).
UNDATED = dt.date(1980, 1, 1)
LISTS = "Lists"
#: Drop-downs reach this far below the data at least, so that new rows get them too.
SPARE_ROWS, MIN_VALIDATED_ROWS = 200, 1000
#: Text columns at least this wide wrap their text; narrower ones stay on one line.
WRAP_WIDTH = 30
#: The types of column holding several values in a cell.
LISTED = ("list", "numbers", "scores")
#: The narrowest such a column gets when a wide sheet is narrowed to print.
PROSE_WIDTH = 24
# Excel's limits on a data validation's messages.
MAX_TITLE, MAX_PROMPT, MAX_ERROR = 32, 255, 225
# Text a spreadsheet would turn into a number, a date or a yes/no when the cell is edited.
_LOOKS_TYPED = re.compile(
    r"""\s*(
        [+-]? (\d[\d,]*\.?\d* | \.\d+) ([eE][+-]?\d+)? %?   # 12, 1,200, 3.5, 1e3, 45%
      | \d{1,4} [-/] \d{1,2} ([-/] \d{1,4})?                # 2024-03-31, 31/03/2024, 2024-25
      | true | false
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
LIST_TITLES = {
    "qs": "Quality statements",
    "category": "Evidence categories",
    "duty": "Care Act duties",
    "theme": "Themes",
    "expected": "Expected evidence",
}


class _Cells:
    """Puts values in cells, and dresses the cells with styles made once and shared.

    Setting a style through openpyxl looks it up in the workbook's list of styles every time,
    which is most of the time a large register takes; so the first cell of each kind is dressed
    that way, and the others get a copy of its style array, as openpyxl copies styles itself.
    """

    def __init__(self) -> None:
        from openpyxl.styles import Alignment, Font

        self.bold = Font(bold=True)
        self.title = Font(bold=True, size=14)
        self.header_fill = solid_fill(HEADER_FILL)
        self.top = Alignment(vertical="top")
        self.wrap = Alignment(vertical="top", wrap_text=True)
        self._made: dict[tuple[bool, bool, bool], Any] = {}

    def put(self, cell: Any, value: Any, *, wrap: bool = False) -> None:
        """The value as what it is: text (never a formula), a number or a date.

        Raises :class:`UnfitCell` for what the workbook could not hold exactly: the register
        is read back by import, so nothing may be cut or replaced.
        """
        date = quoted = False
        if isinstance(value, str):
            # Excel keeps text that looks like a formula, an error, a number or a date as text
            # when the cell is edited only if it is marked so (shown with a leading ').
            quoted = put_text(cell, value, exact=True)
            quoted = quoted or _LOOKS_TYPED.match(value) is not None
        elif isinstance(value, dt.date):
            if value.year < 1900:
                raise UnfitCell(
                    f"the date {value.isoformat()} is before 1900, which a workbook cannot hold "
                    "as a date. Check the date in the repository file, then export again."
                )
            cell.value = value
            date = True
        elif isinstance(value, int | float):
            if isinstance(value, float) and not math.isfinite(value):
                raise UnfitCell(
                    f"the number {value} is not a finite number, which a workbook cannot hold. "
                    "Correct it in the repository file, then export again."
                )
            cell.value = value
        else:
            raise TypeError(f"cannot write a {type(value).__name__} to the register")
        key = (wrap, date, quoted)
        made = self._made.get(key)
        if made is not None:
            cell._style = copy(made)
            return
        cell.alignment = self.wrap if wrap else self.top
        if date:
            cell.number_format = DATE_FORMAT
        if quoted:
            cell.quotePrefix = True
        self._made[key] = copy(cell._style)


def _where(sheet: Sheet, row: Sequence[Any], number: int, column: Column) -> str:
    """Names the cell in a message: sheet, the row's id (its first cell) and the column."""
    first = row[0] if row else None
    ident = f"'{first}'" if first not in (None, "") else "with no id"
    file = next((v for c, v in zip(sheet.columns, row, strict=False) if c.field == "file"), None)
    place = f" ({file})" if file else ""
    return (
        f"sheet '{sheet.name}', row {number} ({sheet.columns[0].header} {ident}){place}, "
        f"column '{column.header}'"
    )


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


# --- the closed lists --------------------------------------------------------------------------


@dataclass(frozen=True)
class _List:
    title: str
    values: tuple[str | int, ...]


def _lists(
    sheets: Sequence[Sheet], framework: Framework
) -> tuple[list[_List], dict[tuple[str, str], int]]:
    """The lists of the Lists sheet, and which list each (sheet, field) column uses.

    A list used by several columns (the classifications, the quality statements) is written
    once. The lists of a self-score's choices are whole numbers, as the cells are.
    """
    several = closed_lists(framework)
    out: list[_List] = []
    index: dict[tuple[str | int, ...], int] = {}
    used: dict[tuple[str, str], int] = {}
    for sheet in sheets:
        for col in sheet.columns:
            if col.choices:
                values: tuple[str | int, ...] = tuple(
                    int(c) if col.type == "int" else _word(col, c) for c in col.choices
                )
                title = f"{sheet.name}: {col.header}"
            elif col.several:
                values = several.get(col.several, ())
                title = LIST_TITLES.get(col.several, col.several)
            else:
                continue
            if not values:
                continue  # a framework without Care Act duties, say: nothing to offer
            key = (col.several or "choices", *values)
            if key not in index:
                index[key] = len(out)
                out.append(_List(title, values))
            used[(sheet.name, col.field)] = index[key]
    return out, used


def _list_range(number: int, values: int) -> str:
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(number + 1)
    return f"{LISTS}!${letter}$2:${letter}${values + 1}"


def _validation(col: Column, items: _List, ref: str) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    shown = ", ".join(str(v) for v in items.values)
    if col.choices:
        style, title = "stop", f"Not a {col.header.lower()}"
        error = f"{col.header} must be one of: {shown}."
        prompt = col.help or "Choose a value from the list."
    else:
        style, title = "information", f"Check the {col.header.lower()}"
        example = LIST_SEPARATOR.join(str(v) for v in items.values[:2])
        if col.type == "list":
            prompt = (
                f"Choose one from the list, or type several separated by '{LIST_SEPARATOR}', "
                f"for example '{example}'."
            )
            error = (
                f"Not one value from the list. That is fine for several values separated by "
                f"'{LIST_SEPARATOR}' (e.g. '{example}'), or a title ascready knows; "
                "otherwise check the spelling. The values: "
            )
        else:
            prompt = "Choose one from the list; a title ascready knows is accepted too."
            error = "Not a value from the list; check the spelling. The values: "
        error += shown
    dv = DataValidation(
        type="list",
        formula1=ref,
        allow_blank=True,
        errorStyle=style,
        errorTitle=_fit(title, MAX_TITLE),
        error=_fit(error, MAX_ERROR),
        promptTitle=_fit(col.header, MAX_TITLE),
        prompt=_fit(prompt, MAX_PROMPT),
    )
    dv.showErrorMessage = True
    dv.showInputMessage = True
    return dv


def _write_lists(ws: Any, lists: list[_List], cells: _Cells) -> None:
    from openpyxl.utils import get_column_letter

    for c, items in enumerate(lists, start=1):
        _heading(ws.cell(row=1, column=c), items.title, cells.bold)
        for r, value in enumerate(items.values, start=2):
            try:
                cells.put(ws.cell(row=r, column=c), value)
            except UnfitCell as e:
                raise AscreadyError(f"sheet '{LISTS}', list '{items.title}': {e}") from None
        longest = max((_longest(v) for v in items.values), default=0)
        width = max(fit_width(longest, ""), len(items.title) + 3)
        ws.column_dimensions[get_column_letter(c)].width = width
    # Hidden, and not for reading: no print area, which would have LibreOffice print it.
    ws.sheet_state = "hidden"


# --- the sheets --------------------------------------------------------------------------------


def _header_comment(col: Column) -> str:
    parts = ["Required." if col.required else "", col.help]
    if col.type in ("list", "numbers"):
        parts.append(f"Several values go in one cell, separated by '{LIST_SEPARATOR}'.")
    return " ".join(p for p in parts if p)


def _heading(cell: Any, text: str, font: Any) -> None:
    """A title or header cell: text under the one cell policy, like every other cell."""
    if put_text(cell, text, exact=True):
        cell.quotePrefix = True
    cell.font = font


def _write_header(
    ws: Any, r: int, headers: Sequence[str], cells: _Cells, widths: Sequence[float]
) -> None:
    lines = 1
    for c, header in enumerate(headers, start=1):
        cell = ws.cell(row=r, column=c)
        _heading(cell, header, cells.bold)
        cell.fill = cells.header_fill
        cell.alignment = cells.wrap
        lines = max(lines, wrapped_lines(header, widths[c - 1] * BOLD))
    set_row_height(ws, r, lines)


def _word(col: Column, value: Any) -> Any:
    """A value as its cell shows it: a worded choice in words, anything else as it is."""
    return status_word(value) if col.worded and isinstance(value, str) else value


def _longest(value: Any) -> int:
    """The width a value needs to show on one line, roughly as the spreadsheet shows it."""
    if isinstance(value, str):
        return shown_width(value)
    if isinstance(value, dt.date):
        return len("yyyy-mm-dd")
    return len(str(value))


def _widths(columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> list[int]:
    """Each column as wide as its longest value (a drop-down's longest choice too), up to its
    layout's width or :data:`MAX_COLUMN_WIDTH`, whichever is wider (longer text wraps); then the
    widest narrowed until the sheet prints one page wide at a size that reads."""
    longest = [max((len(_word(col, c)) for c in col.choices), default=0) for col in columns]
    for values in rows:
        for c, value in enumerate(values):
            if value is not None:
                size = _longest(value)
                if size > longest[c]:
                    longest[c] = size
    caps = [max(col.width, MAX_COLUMN_WIDTH) for col in columns]
    wanted = [
        fit_width(n, col.header, cap) for n, col, cap in zip(longest, columns, caps, strict=True)
    ]
    floors = [max(header_width(col.header), PROSE_WIDTH if _prose(col) else 0) for col in columns]
    # Sentences, and text longer than a column grows, wrap anyway: they narrow first; then
    # lists and paths, which wrap between their parts; names and the like last.
    order = [
        0 if _prose(col) or n + 2 > cap else 1 if col.type in LISTED or col.field == "file" else 2
        for n, col, cap in zip(longest, columns, caps, strict=True)
    ]
    return fit_widths(wanted, floors, order)


def _prose(col: Column) -> bool:
    """Whether a column holds sentences (a title, a summary, a narrative), which wrap."""
    return col.type == "text" and col.width >= WRAP_WIDTH


def _write_sheet(
    ws: Any,
    sheet: Sheet,
    rows: Sequence[Sequence[Any]],
    cells: _Cells,
    lists: list[_List],
    used: dict[tuple[str, str], int],
    heading: str,
) -> None:
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter

    columns = sheet.columns
    widths = _widths(columns, rows)
    _write_header(ws, 1, [col.header for col in columns], cells, widths)
    for c, col in enumerate(columns, start=1):
        note = _header_comment(col)
        if note:
            comment = Comment(note, "ascready")
            comment.width = 300
            comment.height = 60 + 20 * (len(note) // 45)
            ws.cell(row=1, column=c).comment = comment
        ws.column_dimensions[get_column_letter(c)].width = widths[c - 1]

    # Prose wraps; so does any other text too long for its column, so that nothing is cut.
    prose = [_prose(col) for col in columns]
    worded = [col.worded for col in columns]
    room = [w - 2 for w in widths]
    for r, values in enumerate(rows, start=2):
        if len(values) != len(columns):
            raise ValueError(
                f"{sheet.name}: row {r} has {len(values)} values for {len(columns)} columns"
            )
        lines = 1
        for c, value in enumerate(values):
            if value is None:
                continue
            wrap = prose[c]
            if isinstance(value, str):
                if worded[c]:
                    value = status_word(value)
                if len(value) > room[c] or "\n" in value:
                    wrap = True
                    lines = max(lines, wrapped_lines(value, widths[c]))
            try:
                cells.put(ws.cell(row=r, column=c + 1), value, wrap=wrap)
            except UnfitCell as e:
                raise AscreadyError(f"{_where(sheet, values, r, columns[c])}: {e}") from None
        set_row_height(ws, r, lines)

    last = get_column_letter(len(columns))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    set_printing(
        ws,
        columns=len(columns),
        rows=len(rows) + 1,
        widths=[float(w) for w in widths],
        heading=heading,
    )
    bottom = max(len(rows) + 1 + SPARE_ROWS, MIN_VALIDATED_ROWS)
    for c, col in enumerate(columns, start=1):
        number = used.get((sheet.name, col.field))
        if number is None:
            continue
        items = lists[number]
        dv = _validation(col, items, _list_range(number, len(items.values)))
        letter = get_column_letter(c)
        dv.add(f"{letter}2:{letter}{bottom}")
        ws.add_data_validation(dv)


AUDIENCE_TEXT = {"internal": "internal", "public": "public: only what may be published"}
AUDIENCE_NOTE = {
    "internal": "Holds official and official-sensitive evidence: do not publish it or share it "
    "outside the council.",
    "public": "Evidence and measures not classified public, owners, internal notes and action "
    "progress are left out.",
}
#: What the top of each printed page says of the register's audience.
AUDIENCE_HEADING = {"internal": "Internal: do not publish.", "public": "Public version."}
#: The widest the About sheet's notes grow; longer notes wrap.
ABOUT_NOTE_WIDTH = 90
GUIDANCE = (
    "Each sheet holds one kind of document, one row each. Hover over a header for what its "
    "column holds; 'Required.' marks the columns that must not be left empty.",
    f"A list in one cell (quality statements, categories, evidence ids) is separated by "
    f"'{LIST_SEPARATOR}', for example 'QS1{LIST_SEPARATOR}QS2'.",
    "Drop-downs offer the allowed values. Dates are real dates, shown yyyy-mm-dd.",
    "The File column says where each row's file lives in the evidence repository: leave it as "
    "it is, and leave it empty on new rows (ascready names the new file from its id).",
    "Keep the sheet names and the header rows as they are, and add new rows at the bottom.",
    "Changes come back into the repository with 'ascready import', which checks every row; "
    "the changes are then reviewed like any other. Import ignores this sheet.",
)


def _write_about(
    ws: Any,
    rows: RegisterRows,
    framework: Framework,
    cells: _Cells,
    as_of: dt.date | None,
    version: str,
    heading: str,
) -> None:
    from openpyxl.utils import get_column_letter

    def put(r: int, *values: Any) -> None:
        lines = 1
        for c, value in enumerate(values, start=1):
            if value is None:
                continue
            wrap = isinstance(value, str) and len(value) > widths[c - 1] - 2
            if wrap:
                lines = max(lines, wrapped_lines(value, widths[c - 1]))
            try:
                cells.put(ws.cell(row=r, column=c), value, wrap=wrap)
            except UnfitCell as e:
                raise AscreadyError(f"sheet '{ABOUT}', row {r}: {e}") from None
        set_row_height(ws, r, lines)

    facts: list[tuple[Any, ...]] = [
        ("Council", rows.council, None),
        (
            "Audience",
            AUDIENCE_TEXT.get(rows.audience, rows.audience),
            AUDIENCE_NOTE.get(rows.audience),
        ),
        (
            ("As of", as_of, "The date the register was exported for.")
            if as_of
            else ("As of", "not dated", "Export with --as-of to date the register.")
        ),
        ("ascready version", version, None),
        ("Framework", framework.id, f"{framework.title}, version {framework.version}"),
    ]
    held = [(sheet.name, len(sheet_rows), sheet.help or None) for sheet, sheet_rows in rows.sheets]
    longest = [0, 0, 0]
    for values in (*facts, *held):
        for c, value in enumerate(values):
            if value is not None:
                longest[c] = max(longest[c], _longest(value))
    widths = [
        fit_width(longest[0], "Item"),
        fit_width(longest[1], "Value"),
        fit_width(longest[2], "What it holds", ABOUT_NOTE_WIDTH),
    ]
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width

    _heading(ws.cell(row=1, column=1), "ascready evidence register", cells.title)
    r = 3
    _write_header(ws, r, ("Item", "Value", "Note"), cells, widths)
    for fact in facts:
        r += 1
        put(r, *fact)

    r += 2
    _write_header(ws, r, ("Sheet", "Rows", "What it holds"), cells, widths)
    for row in held:
        r += 1
        put(r, *row)

    r += 2
    _heading(ws.cell(row=r, column=1), "How to use this workbook", cells.bold)
    for line in GUIDANCE:
        # Each line across the three columns, wrapped, so that it prints whole.
        r += 1
        try:
            cells.put(ws.cell(row=r, column=1), line, wrap=True)
        except UnfitCell as e:  # pragma: no cover - the guidance is ascready's own text
            raise AscreadyError(f"sheet '{ABOUT}', row {r}: {e}") from None
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
        set_row_height(ws, r, wrapped_lines(line, sum(widths)))
    set_printing(ws, columns=3, rows=r, widths=[float(w) for w in widths], heading=heading)


def register_workbook(
    rows: RegisterRows, framework: Framework, *, as_of: dt.date | None, version: str
) -> bytes:
    """The register as the bytes of an .xlsx workbook; the same rows, the same bytes.

    ``as_of`` dates the workbook (the About sheet, the document properties, the zip entries);
    ``None`` leaves it undated: the About sheet says so, and the properties and zip entries
    carry :data:`UNDATED`, so the same repository always gives the same file.

    Raises :class:`~ascready.errors.AscreadyError`, naming the sheet, row and column, when a
    value could not be held exactly (text over Excel's 32,767 characters, control characters).
    """
    from openpyxl import Workbook

    cells = _Cells()
    lists, used = _lists([sheet for sheet, _ in rows.sheets], framework)
    wb = Workbook()
    wb.remove(wb.active)
    heading = f"Evidence register: {rows.council}. {AUDIENCE_HEADING.get(rows.audience, '')}"
    _write_about(wb.create_sheet(ABOUT), rows, framework, cells, as_of, version, heading)
    for sheet, sheet_rows in rows.sheets:
        _write_sheet(wb.create_sheet(sheet.name), sheet, sheet_rows, cells, lists, used, heading)
    _write_lists(wb.create_sheet(LISTS), lists, cells)
    wb.active = 0

    wb.properties.lastModifiedBy = "ascready"
    wb.properties.title = f"ascready evidence register: {rows.council}"
    return save(wb, as_of or UNDATED)


def export_register(
    project: Project, audience: str, *, as_of: dt.date | None, version: str
) -> tuple[RegisterRows, bytes]:
    """The register of a whole repository, as rows and as workbook bytes.

    Refuses (:class:`~ascready.errors.RegisterError`) a repository where any file does not
    validate: the register would silently leave those files out, and an import of it would
    then lose them.
    """
    broken = sorted({d.path for d in project.documents if d.model is None})
    if broken:
        shown = "\n".join(f"  {p}" for p in broken[:20])
        more = f"\n  … and {len(broken) - 20} more" if len(broken) > 20 else ""
        raise RegisterError(
            f"{len(broken)} file(s) do not validate, so the register would leave them out:\n"
            f"{shown}{more}\nRun ascready validate, fix them, and export again. Nothing "
            "was written."
        )
    rows = register_rows(project, audience)
    return rows, register_workbook(rows, project.framework, as_of=as_of, version=version)
