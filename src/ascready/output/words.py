"""The words every report and document uses alike: statuses, comparisons, the estimate, plurals.

One place for them, so that ``gaps``, ``diff``, ``render`` and the pack say the same thing the
same way.
"""

from __future__ import annotations

import datetime as dt

#: How a return item's or an action's status reads in a document.
STATUS_WORDS = {
    "not-started": "Not started",
    "in-progress": "In progress",
    "ready": "Ready",
    "uploaded": "Uploaded",
    "not-applicable": "Not applicable",
    "done": "Done",
    "blocked": "Blocked",
    "cancelled": "Cancelled",
}

#: The words a measure's comparison with an average takes in the document; none when it is not
#: compared. "{}" is where the average's name goes.
COMPARISON_WORDS = {"better": "better than {}", "worse": "worse than {}", "same": "same as {}"}

#: What a predicted rating is, said wherever one is shown.
ESTIMATE = "the council's own estimate from its self-scores, not CQC's"
#: The same, as a sentence.
ESTIMATE_SENTENCE = ESTIMATE[0].upper() + ESTIMATE[1:]
#: The same, short enough for a spreadsheet cell.
ESTIMATE_NOTE = "Council's own estimate, not CQC's"


def status_word(status: str) -> str:
    """A status as a reader sees it: 'not-started' -> 'Not started', 'current' -> 'Current'."""
    return STATUS_WORDS.get(status) or key_title(status)


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 file', '2 files'; ``many`` for a plural that is not ``word`` + 's'."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def key_title(key: str) -> str:
    """A data key as a label: 'information_return' -> 'Information return'."""
    return key.replace("_", " ").replace("-", " ").capitalize()


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

#: The key dates of ``ascready.yaml``, as a document names them.
DATE_TITLES = {
    "notified": "CQC notified us of the assessment",
    "information_return_due": "Information return and self-assessment due",
    "site_visit": "CQC's on-site activity begins",
}


def long_date(day: dt.date) -> str:
    """A date as documents in England write it: 9 November 2026 (no locale involved)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


#: What each version of the self-assessment says it is, under its title.
PUBLIC_LINE = "Public version"
INTERNAL_LINE = (
    "Internal version: contains material not for publication; each evidence item is marked "
    "with its classification"
)
