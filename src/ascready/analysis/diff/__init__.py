"""``ascready diff``: what a change does to the evidence, in meaning rather than lines of YAML.

Two snapshots of the repository (a git commit, or the working tree) are loaded and checked
exactly as ``validate`` and ``gaps`` would, judged on the same day, and compared by identity:
evidence items and actions by id, ratings by quality statement, information-return items by
number. A file that moved keeps its identity; a file that kept its name but changed its id is
reported as a renamed id. Nothing here prints.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from ascready.analysis.diff.changes import Diff
from ascready.analysis.diff.compare import Snapshot, compare
from ascready.analysis.gaps import build_gaps, resolve_as_of
from ascready.analysis.pipeline import analyse
from ascready.checks.load import Reused
from ascready.findings import Report
from ascready.repository.loader import find_repository, order_entries
from ascready.repository.project import PROFILE_FILE

__all__ = ["Snapshot", "compare", "load_snapshot", "run_diff"]


# --- snapshots --------------------------------------------------------------------------------


def load_snapshot(
    root: Path | None,
    label: str,
    *,
    today: dt.date,
    jobs: int | None,
    entries: list[tuple[str, str]] | None = None,
    reuse: Mapping[str, Reused] | None = None,
    also: Path | None = None,
) -> Snapshot:
    """Load and check a repository folder (None: the repository did not exist then)."""
    if root is None:
        return Snapshot(label, None, Report(()), None)
    analysis = analyse(
        root, today=today, jobs=jobs, entries=entries, reuse=reuse, also=also, documents=False
    )
    return Snapshot(label, analysis.project, analysis.report, None, dict(analysis.own))


def _reusable(head: Snapshot, changed: frozenset[str] | None) -> dict[str, Reused]:
    """Documents of the working tree that the base has byte for byte: no need to read them
    again. Nothing is reused when the profile changed (its allow-list affects every file)."""
    if head.project is None or changed is None or PROFILE_FILE in changed:
        return {}
    return {
        doc.path: (doc, head.own.get(doc.path, []))
        for doc in head.project.documents
        if doc.kind != "profile" and doc.path not in changed
    }


def with_gaps(snapshot: Snapshot, as_of: dt.date, minimum: int | None) -> Snapshot:
    """The snapshot with its gaps report, judged on ``as_of``."""
    if snapshot.project is None:
        return snapshot
    gaps = build_gaps(
        snapshot.project,
        as_of,
        validation_errors=snapshot.report.errors,
        validation_warnings=snapshot.report.warnings,
        minimum=minimum,
    )
    return replace(snapshot, gaps=gaps)


def run_diff(
    path: Path,
    base: str,
    head: str | None = None,
    *,
    as_of: str | None = None,
    minimum: int | None = None,
    today: dt.date | None = None,
    jobs: int | None = None,
) -> Diff:
    """Compare the repository at ``base`` with ``head`` (default: the working tree)."""
    from ascready.analysis import gitrefs

    today = today or dt.date.today()
    root = find_repository(path)
    repo = gitrefs.open_repository(root)
    base_commit = gitrefs.resolve_commit(repo, base)
    head_commit = gitrefs.resolve_commit(repo, head) if head is not None else None
    base_label = f"{base} ({gitrefs.short_name(repo, base_commit)})"
    with tempfile.TemporaryDirectory(prefix="ascready-diff-") as tmp:
        if head_commit is None:
            after = load_snapshot(root, "working tree", today=today, jobs=jobs)
            reuse = _reusable(after, gitrefs.changed_since(repo, base_commit))
        else:
            head_tree = gitrefs.export(repo, head_commit, Path(tmp) / "head")
            head_label = f"{head} ({gitrefs.short_name(repo, head_commit)})"
            after = load_snapshot(
                head_tree.root if head_tree else None, head_label, today=today, jobs=jobs
            )
            reuse = {}
        base_tree = gitrefs.export(repo, base_commit, Path(tmp) / "base", skip=frozenset(reuse))
        before = load_snapshot(
            base_tree.root if base_tree else None,
            base_label,
            today=today,
            jobs=jobs,
            entries=order_entries(base_tree.paths) if base_tree else None,
            reuse=reuse,
            also=root,
        )
    profile = next(
        (s.project.profile for s in (after, before) if s.project and s.project.profile), None
    )
    day = resolve_as_of(as_of, profile, today)
    return compare(with_gaps(before, day, minimum), with_gaps(after, day, minimum), day)
