"""Load and check a repository: the one pipeline behind ``validate``, ``gaps``, ``diff`` and
``render``.

:func:`analyse` reads every file (checking each as it is read), runs the repository checks,
and gives every finding its line, so that each command reports exactly what ``validate`` would.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ascready.checks.files import scan_files
from ascready.checks.load import Reused, load_project
from ascready.checks.registry import run_checks
from ascready.findings import Finding, Report, Severity
from ascready.repository.dates import resolve_as_of
from ascready.repository.loader import find_repository, locate_findings
from ascready.repository.project import Project


@dataclass(frozen=True)
class Analysis:
    """A repository read and checked."""

    project: Project
    report: Report
    #: What reading found in each file on its own (read, schema and personal-data findings),
    #: by file: ``diff`` reuses documents with their own findings.
    own: Mapping[str, list[Finding]] = field(default_factory=dict)

    @property
    def files_with_errors(self) -> list[str]:
        """The files with at least one error, in report order."""
        return list(
            dict.fromkeys(f.file for f in self.report if f.severity is Severity.ERROR and f.file)
        )

    @property
    def left_out(self) -> list[str]:
        """The documents that could not be used at all (unreadable or invalid), by path."""
        return [d.path for d in self.project.documents if d.model is None]


def analyse(
    root: Path,
    *,
    today: dt.date | None = None,
    as_of: str | None = None,
    jobs: int | None = None,
    entries: list[tuple[str, str]] | None = None,
    reuse: Mapping[str, Reused] | None = None,
    also: Path | None = None,
    locate: bool = True,
    documents: bool = True,
) -> Analysis:
    """Read and check the repository at ``root``. ``locate=False`` skips working out line
    numbers, for commands that only count the findings. ``entries``, ``reuse`` and ``also``
    are as for :func:`~ascready.checks.load.load_project` and
    :func:`~ascready.repository.loader.locate_findings`. The checks judge dates as on
    ``as_of`` (``--as-of``: a date, or a key date of ``ascready.yaml``), else ``today``.
    ``documents=False`` leaves out the scan of the documents under ``files/``
    (:mod:`ascready.checks.files`): ``diff`` compares the YAML of two snapshots, and the
    older one has no documents to scan."""
    project, findings = load_project(root, jobs=jobs, entries=entries, reuse=reuse)
    if as_of is not None:
        today = resolve_as_of(as_of, project.profile, today or dt.date.today())
    own: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        own[f.file].append(f)
    findings.extend(run_checks(project, today))
    scanned = 0
    if documents:
        in_documents, scanned = scan_files(project, jobs=jobs)
        findings.extend(in_documents)
    if locate:
        findings = locate_findings(root, findings, also=also)
    report = Report.build(findings, files_checked=project.files + scanned)
    return Analysis(project, report, dict(own))


def validate_repository(
    path: Path,
    *,
    today: dt.date | None = None,
    as_of: str | None = None,
    jobs: int | None = None,
) -> tuple[Project, Report]:
    """``ascready validate``: the repository at or above ``path``, every finding located."""
    analysis = analyse(find_repository(path), today=today, as_of=as_of, jobs=jobs)
    return analysis.project, analysis.report
