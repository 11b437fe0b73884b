"""The figures of one measure: the council's, for the disaggregation asked for (Total unless
told otherwise), and England's and the region's to compare it with; or why there is none.

A published figure may be suppressed (``[c]``, ``..``, ``*``), a number with a thousands
separator or a per cent sign, or something that is not a number at all: each is said plainly.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ascready.authoring.metrics.cells import cell_text, text_key
from ascready.authoring.metrics.results import Skipped
from ascready.authoring.metrics.table import AscofTable, Cell, Measure

#: What stands in a published table for a figure that is not given.
SUPPRESSED = frozenset(
    {"[c]", "[x]", "[z]", "[u]", "[low]", "c", "x", "z", ":", "..", "*", "-", "–", "n/a", "na"}
)
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def figure(raw: object) -> tuple[float | None, str]:
    """The number in a cell, rounded to 2 decimal places at most as published, or why there
    is none."""
    if isinstance(raw, (bool, dt.date, dt.time, dt.timedelta)):
        return None, f"'{raw}', which is not a number"
    if isinstance(raw, (int, float)):
        value = float(raw)
        return (round(value, 2), "") if math.isfinite(value) else (None, "not a number")
    text = cell_text(raw)
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


def _rows_text(cells: Sequence[Cell]) -> str:
    numbers = [str(c.row) for c in cells]
    return f"rows {', '.join(numbers[:-1])} and {numbers[-1]}"


def _duplicates(table: AscofTable, code: str, what: str, cells: Sequence[Cell]) -> Skipped:
    codes = list(dict.fromkeys(c.ascof_code for c in cells if c.ascof_code))
    several = (
        f" (ASCOF Measure Codes {', '.join(codes)}: the file holds several measures under one "
        "Measure Group)"
        if len(codes) > 1
        else ""
    )
    return Skipped(
        code,
        "problem",
        f"{table.label} {_rows_text(cells)}: {len(cells)} rows give {what}{several}, so it is "
        "not clear which to import",
        "Keep one row per area, measure and disaggregation (use the file as published), or "
        "leave this measure out with --measure.",
    )


@dataclass(frozen=True)
class Context:
    """What every measure's figures are read with."""

    table: AscofTable
    ons_code: str
    region: str | None
    period_filter: str | None
    disaggregation: str | None
    warn_england: bool
    warn_region: bool

    def pick(self, cells: Iterable[Cell]) -> list[Cell]:
        return [c for c in cells if self.period_filter is None or c.period == self.period_filter]


@dataclass(frozen=True)
class Figures:
    """One measure's figures: the council's, England's and the region's (those published), the
    disaggregation they are for as written, and what to warn about."""

    value: float
    comparators: dict[str, float]
    disaggregation: str
    warnings: tuple[str, ...]


def figures(ctx: Context, measure: Measure) -> Figures | Skipped:
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
    key = _disaggregation(ctx, code, available)
    if isinstance(key, Skipped):
        return key
    shown = available[key] or "(blank)"
    council = ctx.pick(measure.cells[("council", key)])
    if len(council) > 1:
        return _duplicates(table, code, f"the council's {code} figure for '{shown}'", council)
    value, why = figure(council[0].raw)
    if value is None:
        return Skipped(
            code,
            "problem",
            f"{table.at(council[0].row)}: the council's {code} figure ('{shown}') is {why}, so "
            "there is no figure to import",
            "Nothing to do if it is suppressed as published; otherwise check the file.",
        )
    found = _comparators(ctx, measure, key, shown)
    if isinstance(found, Skipped):
        return found
    comparators, notes = found
    return Figures(value, comparators, available[key], tuple(notes))


def _disaggregation(ctx: Context, code: str, available: dict[str, str]) -> str | Skipped:
    """Which of the council's disaggregations to import: the one asked for, Total, or the
    only one there is."""
    listed = ", ".join(f"'{w}'" for w in available.values())
    if ctx.disaggregation is not None:
        wanted = text_key(ctx.disaggregation)
        if wanted in available:
            return wanted
        return Skipped(
            code,
            "problem",
            f"{ctx.table.label}: {code} has no '{ctx.disaggregation}' figure for the council; "
            f"it has {listed}",
            "Choose one of those with --disaggregation, or leave this measure out with --measure.",
        )
    if "total" in available:
        return "total"
    if len(available) == 1:
        return next(iter(available))
    return Skipped(
        code,
        "problem",
        f"{ctx.table.label}: {code} has several disaggregations ({listed}) and none is 'Total'",
        f"Name the one to import, e.g. --measure {code} --disaggregation "
        f"'{next(iter(available.values()))}'.",
    )


def _comparators(
    ctx: Context, measure: Measure, key: str, shown: str
) -> tuple[dict[str, float], list[str]] | Skipped:
    """England's and the region's figures for the same disaggregation, and notes on any
    that are missing."""
    table, code = ctx.table, measure.code
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
            return _duplicates(table, code, f"the {label} {code} figure for '{shown}'", cells)
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
    return comparators, notes
