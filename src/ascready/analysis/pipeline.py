"""``ascready validate`` as a plain function: repository in, report out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ascready.checks.load import load_project
from ascready.checks.registry import run_checks
from ascready.findings import Report
from ascready.repository.loader import find_repository, locate_findings
from ascready.repository.project import Project


def validate_repository(
    path: Path, *, today: dt.date | None = None, jobs: int | None = None
) -> tuple[Project, Report]:
    """Load the repository at or above ``path``, run every check, and return all findings."""
    root = find_repository(path)
    project, findings = load_project(root, jobs=jobs)
    findings.extend(run_checks(project, today))
    return project, Report.build(locate_findings(root, findings), files_checked=project.files)
