"""How a published table's cells and places are read and compared, and how a row is named
in a message."""

from __future__ import annotations

import re


def at_row(label: str, row: int) -> str:
    """Where a row is, as a spreadsheet shows it: "a.csv row 12", "a.xlsx, sheet 'Data', row
    12"."""
    return f"{label}{',' if ', sheet ' in label else ''} row {row}"


def header_key(cell: object) -> str:
    """A header as compared: no case, spaces, underscores or hyphens."""
    return re.sub(r"[\s_\-\ufeff]+", "", str(cell or "")).casefold()


def cell_text(cell: object) -> str:
    """A cell as text: whole numbers without '.0', nothing for an empty cell."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def text_key(text: str) -> str:
    """Text as compared: no case, one space between words, plain hyphens."""
    return " ".join(text.replace("–", "-").split()).casefold()


def place(text: str) -> str:
    """A place name as compared: 'Yorkshire & the Humber' matches 'Yorkshire and The Humber'."""
    words = re.sub(r"[^a-z0-9]+", " ", text.casefold().replace("&", " and ")).split()
    return " ".join(w for w in words if w != "the")
