"""What ``ascready import`` reads from a register: rows of converted values, and the problems
found in them, each with its sheet, row and cell."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ascready.authoring.register.mapping import SheetMap
from ascready.findings import Severity
from ascready.io.tables import Table


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
    #: The id of the check behind it, when ``ascready validate`` would report it too.
    check: str = ""

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


@dataclass
class Row:
    """One row of a sheet, converted."""

    where: str
    row: int
    values: dict[str, Any]  # field -> converted value (only cells that had something)
    cells: dict[str, str]  # field -> cell reference, for messages
    headers: dict[str, str]  # field -> column header
    #: The fields whose cells had something (or were filled down from a group's value): the
    #: others in ``values`` come from the mapping's defaults.
    typed: frozenset[str] = frozenset()


@dataclass
class SheetRows:
    """The rows of one sheet that converted, and how many were empty."""

    smap: SheetMap
    table: Table
    rows: list[Row]
    empty: int
