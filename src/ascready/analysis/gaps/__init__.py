"""``ascready gaps``: what is missing, thin, stale or unowned, as data.

:func:`build_gaps` turns a loaded :class:`~ascready.repository.loader.Project` into a
:class:`GapsReport`.
It works on whatever validated: files with errors are left out, and the report says how many
errors ``validate`` found. Nothing here prints; ``output.gaps_format`` turns the report into
text. The parts: :mod:`.report` (the data), :mod:`.build`, :mod:`.readiness` (score and
predicted rating), :mod:`.metrics`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ascready.analysis.gaps.build import build_gaps
from ascready.analysis.gaps.common import add_months
from ascready.analysis.gaps.readiness import READINESS_WEIGHTS, quality_statement_score
from ascready.analysis.gaps.report import (
    Deadline,
    EvidenceState,
    GapsReport,
    MetricState,
    PredictedRating,
)
from ascready.repository import models

__all__ = [
    "DATE_WORDS",
    "READINESS_WEIGHTS",
    "Deadline",
    "EvidenceState",
    "GapsReport",
    "MetricState",
    "PredictedRating",
    "add_months",
    "build_gaps",
    "quality_statement_score",
    "resolve_as_of",
    "run_gaps",
]

DATE_WORDS = {"site-visit": "site_visit", "return-due": "information_return_due"}


def resolve_as_of(
    spec: str | None, profile: models.CouncilProfile | None, today: dt.date
) -> dt.date:
    """--as-of: a date, 'today', or a key date from ascready.yaml ('site-visit', 'return-due')."""
    from ascready.errors import AscreadyError

    if spec is None or spec == "today":
        return today
    if spec in DATE_WORDS:
        day = getattr(profile.dates, DATE_WORDS[spec]) if profile else None
        if day is None:
            raise AscreadyError(
                f"--as-of {spec} needs dates.{DATE_WORDS[spec]} in ascready.yaml, and it is not "
                "set (or ascready.yaml has errors: run ascready validate)"
            )
        return day  # type: ignore[no-any-return]
    try:
        return dt.date.fromisoformat(spec)
    except ValueError:
        raise AscreadyError(
            f"--as-of '{spec}' is not a date: use YYYY-MM-DD, today, site-visit or return-due"
        ) from None


def run_gaps(
    path: Path,
    *,
    as_of: str | None = None,
    minimum: int | None = None,
    jobs: int | None = None,
    today: dt.date | None = None,
) -> GapsReport:
    """Load the repository (errors and all), count what validate finds, and build the report."""
    from ascready.analysis.pipeline import analyse
    from ascready.repository.loader import find_repository

    today = today or dt.date.today()
    analysis = analyse(find_repository(path), today=today, jobs=jobs, locate=False)
    day = resolve_as_of(as_of, analysis.project.profile, today)
    return build_gaps(
        analysis.project,
        day,
        validation_errors=analysis.report.errors,
        validation_warnings=analysis.report.warnings,
        minimum=minimum,
    )
