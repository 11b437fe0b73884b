"""What the parts of the gaps engine share: which statuses count as done, the self-assessment
criteria, and month arithmetic.
"""

from __future__ import annotations

import calendar
import datetime as dt

from ascready.analysis.gaps.report import InformationReturn, ReturnRow
from ascready.repository import models
from ascready.repository.framework import Framework, Term
from ascready.repository.project import Project

DONE_RETURN = (models.ReturnStatus.READY, models.ReturnStatus.UPLOADED)
#: Information-return statuses that need no more work before the return is due, and before
#: the site visit (by then it must be uploaded).
SETTLED_FOR_RETURN = frozenset(s.value for s in (*DONE_RETURN, models.ReturnStatus.NOT_APPLICABLE))
SETTLED_FOR_VISIT = frozenset(
    s.value for s in (models.ReturnStatus.UPLOADED, models.ReturnStatus.NOT_APPLICABLE)
)


CLOSED_ACTION = (models.ActionStatus.DONE, models.ActionStatus.CANCELLED)


SELF_ASSESSMENT_CRITERIA = (
    "self-score",
    "narrative",
    "a strength",
    "an area for improvement",
    "every statement backed by current evidence",
    "every area for improvement has an action",
)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day if it is shorter (the last day
    there is, past year 9999)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    if year > dt.MAXYEAR:
        return dt.date.max
    if year < dt.MINYEAR:
        return dt.date.min
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def resolved(framework: Framework, refs: list[str], term: Term) -> set[str]:
    return {r for r in (framework.resolve(term, ref) for ref in refs) if r}


def return_rows_for(
    info_return: InformationReturn, project: Project, fw: Framework, in_scope: set[str] | None
) -> list[ReturnRow]:
    """The information-return rows of a theme: those whose items name one of its quality
    statements, and those that name none (an item with no file names none). Until an item says
    which quality statements it is about it could be about any, so it counts against every
    theme, as it counts against the overall figure."""
    if in_scope is None:
        return list(info_return.rows)
    qs_of = return_item_quality_statements(project, fw)
    return [r for r in info_return.rows if not qs_of.get(r.number) or qs_of[r.number] & in_scope]


def return_item_quality_statements(project: Project, fw: Framework) -> dict[int, set[str]]:
    """The quality statements each information-return item names, by item number (the first
    file of a number counts, as in the report's rows)."""
    qs_of: dict[int, set[str]] = {}
    for doc in project.return_items:
        qs_of.setdefault(
            doc.model.number,
            {q for q in map(fw.resolve_quality_statement, doc.model.quality_statements) if q},
        )
    return qs_of
