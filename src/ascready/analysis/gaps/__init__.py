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
from ascready.repository.dates import DATE_WORDS, resolve_as_of

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
