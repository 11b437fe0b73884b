"""The mapping of ``ascready import``: which sheet holds which kind of document, which column
holds which field, and what the words people typed mean.

Without a mapping file the register's own layout (:data:`~.layout.SHEETS`, what ``ascready
export`` writes) is the mapping, so an exported workbook imports back unchanged. A mapping file
is read with every problem in it reported at once, each with its line.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ascready.authoring.register.layout import SHEETS, Sheet
from ascready.errors import ImportRefused
from ascready.repository import yamlsafe

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
_SHEET_KEYS = ("sheet", "kind", "header_row", "columns", "defaults", "values", "fill_down")


@dataclass(frozen=True)
class FieldMap:
    name: str
    column: str | None = None  # the header of the column that holds it
    #: Other headers the column may have (the built-in mapping: "Lead officer" for Owner).
    aliases: tuple[str, ...] = ()
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
    #: Fields whose blank cells take the value of the cell above (a group's value typed once).
    fill_down: tuple[str, ...] = ()

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
                {c.field: FieldMap(c.field, c.header, c.aliases) for c in s.columns},
                optional=True,
            )
            for s in SHEETS
        )
    )


def norm(text: Any) -> str:
    """How headers and typed values are compared: case, spacing and punctuation aside."""
    return re.sub(r"[\s_\-.:/()]+", " ", str(text)).strip().casefold()


# --- reading a mapping file ---------------------------------------------------------------------

Loc = tuple[Any, ...]
#: Adds a problem at a place in the mapping file.
Report = Callable[[Loc, str], None]


def load_mapping(path: Path) -> Mapping:
    """Read a mapping file; every problem in it is reported at once, with its line."""
    text, data = _read(path)
    errors: list[str] = []

    def err(loc: Loc, message: str) -> None:
        line, _ = yamlsafe.locate(text, loc)
        errors.append(f"  {path.name}:{line}: {message}")

    if not isinstance(data, dict) or not isinstance(data.get("sheets"), list):
        err((), "a mapping has a list 'sheets:', one entry per sheet (see the README)")
        data = {"sheets": []}
    for key in data:
        if key != "sheets":
            err((key,), f"'{key}' is not a key a mapping can have; only 'sheets'")
    sheets: list[SheetMap] = []
    for i, entry in enumerate(data["sheets"]):
        found = _sheet_map(entry, ("sheets", i), err)
        if found is not None:
            line, _ = yamlsafe.locate(text, ("sheets", i))
            sheets.append(
                SheetMap(
                    found.sheet,
                    found.kind,
                    found.fields,
                    found.header_row,
                    line,
                    fill_down=found.fill_down,
                )
            )
    if not data["sheets"]:
        err(("sheets",), "the mapping names no sheets")
    if errors:
        raise ImportRefused("the mapping file has problems:\n" + "\n".join(errors))
    return Mapping(tuple(sheets), str(path))


def _read(path: Path) -> tuple[str, Any]:
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
    return text, data


def _sheet_map(entry: Any, loc: Loc, err: Report) -> SheetMap | None:
    """One entry of ``sheets:`` (its line is filled in by the caller), or None if it names no
    kind of sheet ascready knows."""
    if not isinstance(entry, dict):
        err(loc, "each sheet is a mapping with 'kind:' and 'columns:'")
        return None
    for key in entry:
        if key not in _SHEET_KEYS:
            guess = difflib.get_close_matches(str(key), _SHEET_KEYS, 1)
            hint = f" Did you mean '{guess[0]}'?" if guess else ""
            err((*loc, key), f"'{key}' is not a key of a sheet.{hint}")
    kind = entry.get("kind")
    if not isinstance(kind, str) or kind not in SHEET_KINDS:
        known = ", ".join(f"{k} ({v})" for k, v in SHEET_KINDS.items())
        err((*loc, "kind"), f"kind is {kind!r}; it must be one of: {known}")
        return None
    fields = _field_maps(entry, kind, loc, err)
    if fields is None:
        return None
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
    fill_down = _fill_down(entry, kind, fields, loc, err)
    return SheetMap(
        None if sheet is None else str(sheet), kind, fields, header_row, fill_down=fill_down
    )


def _fill_down(
    entry: dict[str, Any], kind: str, fields: dict[str, FieldMap], loc: Loc, err: Report
) -> tuple[str, ...]:
    """The fields of ``fill_down:``, each a field with a column in this sheet."""
    given = entry.get("fill_down")
    if given is None:
        return ()
    if isinstance(given, str):
        given = [given]
    if not isinstance(given, list):
        err(
            (*loc, "fill_down"),
            "fill_down is a list of fields, e.g. 'fill_down: [presented_under]'",
        )
        return ()
    known = [c.field for c in next(s for s in SHEETS if s.kind == kind).columns]
    out: list[str] = []
    for i, fname in enumerate(given):
        if fname not in known:
            guess = difflib.get_close_matches(str(fname), known, 1)
            hint = f"Did you mean '{guess[0]}'? " if guess else ""
            err(
                (*loc, "fill_down", i),
                f"fill_down names '{fname}', which is not a field of {SHEET_KINDS[kind]}. "
                f"{hint}Fields: {', '.join(known)}",
            )
        elif fname not in fields or fields[fname].column is None:
            err(
                (*loc, "fill_down", i),
                f"fill_down names '{fname}', but 'columns:' gives no column for it; "
                f"add it there (e.g. '{fname}: Theme'), or take it out of fill_down",
            )
        else:
            out.append(str(fname))
    return tuple(dict.fromkeys(out))


def _field_maps(
    entry: dict[str, Any], kind: str, loc: Loc, err: Report
) -> dict[str, FieldMap] | None:
    """The fields a sheet's ``columns:``, ``defaults:`` and ``values:`` fill; None when they
    are not mappings at all (reported)."""
    layout = next(s for s in SHEETS if s.kind == kind)
    known = [c.field for c in layout.columns]
    columns = entry.get("columns") or {}
    defaults = entry.get("defaults") or {}
    values = entry.get("values") or {}
    for name, part in (("columns", columns), ("defaults", defaults), ("values", values)):
        if not isinstance(part, dict):
            err((*loc, name), f"'{name}' must be a mapping of field names")
            continue
        for fname in part:
            if fname not in known:
                guess = difflib.get_close_matches(str(fname), known, 1)
                hint = f"Did you mean '{guess[0]}'? " if guess else ""
                err(
                    (*loc, name, fname),
                    f"'{fname}' is not a field of {SHEET_KINDS[kind]}. {hint}"
                    f"Fields: {', '.join(known)}",
                )
    if not isinstance(columns, dict) or not isinstance(defaults, dict):
        return None
    fields: dict[str, FieldMap] = {}
    for fname in known:
        header = columns.get(fname)
        if header is not None and not isinstance(header, (str, int)):
            err((*loc, "columns", fname), "a column is given by its header text")
            continue
        typed = values.get(fname) if isinstance(values, dict) else None
        if typed is not None and not isinstance(typed, dict):
            err((*loc, "values", fname), "values are a mapping: what is typed: what it means")
            typed = None
        if header is None and fname not in defaults:
            continue
        fields[fname] = FieldMap(
            fname,
            None if header is None else str(header),
            default=defaults.get(fname),
            values={norm(k): v for k, v in (typed or {}).items()},
        )
    return fields
