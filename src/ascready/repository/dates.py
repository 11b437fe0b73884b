"""Dates as people type them: on the command line (``--as-of``, ``--due``) and in the cells of a
register. One reader for both, so every command accepts and refuses the same spellings.

English councils write the day before the month, always: ``31/03/2025``, ``31.3.25``,
``31 March 2025``, and ``2025-03-31`` as the files hold it. The YAML files themselves stay
``YYYY-MM-DD`` (validate's rule); this module is for what a person types.
"""

from __future__ import annotations

import datetime as dt
import re

from ascready.errors import AscreadyError
from ascready.repository import models

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
_MONTH_DAY_YEAR = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_MONTHS = {
    name: i
    for i in range(1, 13)
    for name in (
        dt.date(2000, i, 1).strftime("%B").casefold(),
        dt.date(2000, i, 1).strftime("%b").casefold(),
    )
} | {"sept": 9}

#: How to write a date, for the hint of a message that refuses one.
HOW_TO_WRITE = "Type it as a date, e.g. 31/03/2025 or 2025-03-31 (day before month)"


class DateError(ValueError):
    """Text that is not a date: ``reason`` follows the quoted text (``'…' is not …``)."""

    def __init__(self, reason: str, hint: str) -> None:
        super().__init__(reason)
        self.reason, self.hint = reason, hint


def parse_date(text: str) -> dt.date:
    """A date typed as English councils type it (2025-03-31, 31/03/2025, 31.3.25,
    31 March 2025). Day before month, always. Raises :class:`DateError`."""
    text = text.strip()
    try:
        if m := _ISO.match(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY.match(text):
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            return dt.date(year, int(m[2]), int(m[1]))
        if (m := _DAY_MONTH_YEAR.match(text)) and m[2].casefold() in _MONTHS:
            return dt.date(int(m[3]), _MONTHS[m[2].casefold()], int(m[1]))
        if (m := _MONTH_DAY_YEAR.match(text)) and m[1].casefold() in _MONTHS:
            return dt.date(int(m[3]), _MONTHS[m[1].casefold()], int(m[2]))
    except ValueError:
        raise DateError("is not a real calendar date", "Check the day and the month") from None
    raise DateError("is not a date ascready can read", HOW_TO_WRITE)


#: The words --as-of takes for the key dates in ascready.yaml.
DATE_WORDS = {"site-visit": "site_visit", "return-due": "information_return_due"}


def resolve_as_of(
    spec: str | None, profile: models.CouncilProfile | None, today: dt.date
) -> dt.date:
    """--as-of: a date, 'today', or a key date from ascready.yaml ('site-visit', 'return-due')."""
    if spec is None or spec.strip() == "today":
        return today
    if spec.strip() in DATE_WORDS:
        key = DATE_WORDS[spec.strip()]
        day: dt.date | None = getattr(profile.dates, key) if profile else None
        if day is None:
            raise AscreadyError(
                f"--as-of {spec.strip()} needs dates.{key} in ascready.yaml, and it is not "
                "set (or ascready.yaml has errors: run ascready validate)"
            )
        return day
    try:
        return parse_date(spec)
    except DateError as e:
        raise AscreadyError(
            f"--as-of '{spec}' {e.reason}: use a date such as 31/03/2025 or 2025-03-31 (day "
            "before month), today, site-visit or return-due"
        ) from None
