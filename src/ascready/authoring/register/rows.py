"""What ``ascready import`` reads from a register: rows of converted values, and the problems
found in them, each with its sheet, row and cell; and the documents (drafts) they become."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ascready.authoring.register.mapping import SheetMap
from ascready.findings import Severity

if TYPE_CHECKING:
    from ascready.authoring.roundtrip import Edit
    from ascready.repository.project import Document


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


class CellRefs(Mapping[str, str]):
    """Each field's cell in one row ("F7"), worked out from the sheet's column letters, which
    every row shares: a 200,000-row sheet would otherwise hold two million small strings."""

    __slots__ = ("_letters", "_row")

    def __init__(self, letters: Mapping[str, str], row: int) -> None:
        self._letters, self._row = letters, row

    def __getitem__(self, fname: str) -> str:
        return f"{self._letters[fname]}{self._row}"

    def __iter__(self) -> Iterator[str]:
        return iter(self._letters)

    def __len__(self) -> int:
        return len(self._letters)


@dataclass(slots=True)
class Row:
    """One row of a sheet, converted."""

    where: str
    row: int
    values: dict[str, Any]  # field -> converted value (only cells that had something)
    cells: Mapping[str, str]  # field -> cell reference, for messages
    headers: dict[str, str]  # field -> column header
    #: The fields whose cells had something (or were filled down from a group's value): the
    #: others in ``values`` come from the mapping's defaults.
    typed: frozenset[str] = frozenset()


@dataclass
class SheetRows:
    """The rows of one sheet that converted, and how many were empty."""

    smap: SheetMap
    where: str  # the table's place: the table itself is not kept once its rows are read
    rows: list[Row]
    empty: int


@dataclass(slots=True)
class Draft:
    """A document to be: its kind, data and path, and the rows it comes from."""

    kind: str
    data: dict[str, Any]
    path: str
    rows: list[Row]
    #: loc prefix -> the row it came from (e.g. ("strengths", 0) -> that statement's row)
    origin: dict[tuple[Any, ...], Row] = field(default_factory=dict)
    #: The repository's file this changes, or None for a new file. Then ``edit`` says what
    #: changes in it (``data`` is not used), or ``remove`` that it is taken out.
    existing: Document | None = None
    edit: Edit | None = None
    remove: bool = False
