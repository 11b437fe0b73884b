"""The periods figures are for, as published tables and file names write them: a financial
year 2024-25, written 2024-25, 2024/25, 202425, FY2024-25 or NHS England's eng-2425."""

from __future__ import annotations

import re

from ascready.authoring.metrics.cells import cell_text


def period_of(cell: object, *, year_is_financial: bool) -> str | None:
    """A financial year written 2024-25, from 2024-25, 2024/25, 202425 or 2024-2025 (or from
    2024, the year it starts, when ``year_is_financial``); None if it is not one."""
    if isinstance(cell, bool):
        return None
    text = re.sub(r"^(?:fy|financial year|fiscal year)\s*", "", cell_text(cell), flags=re.I)
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
        found = period_of(f"{match[1]}-{match[2]}", year_is_financial=False)
        if found:
            return found
    for match in re.finditer(r"(?<!\d)(\d{2})(\d{2})(?!\d)", name):
        start, end = int(match[1]), int(match[2])
        if end == (start + 1) % 100 and match[0] != "2021":
            return f"20{start:02d}-{end:02d}"
    return None


def start_year(period: str) -> int | None:
    match = re.match(r"(\d{4})", period)
    return int(match[1]) if match else None
