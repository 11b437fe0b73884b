"""``ascready import-metrics``: performance measures from a published ASCOF data file.

NHS England publishes the measures of the Adult Social Care Outcomes Framework (ASCOF) as one
long table (read by :mod:`.table`). For each measure in it, the council's figure and the
England and region comparators (:mod:`.figures`) become a file under metrics/, complete from
ascready's catalogue (:mod:`.catalogue`) where ascready knows the measure (:mod:`.plan`).

:func:`plan_import` reads the file and the repository and returns an
:class:`~.results.ImportPlan`: the files to create and to update, the measures skipped and why,
and warnings. Nothing is printed and nothing is written; every planned file has been checked as
``ascready validate`` would. A file that cannot be imported at all raises
:class:`~ascready.errors.ImportRefused` (exit 1), and flags that cannot be used raise
:class:`~ascready.errors.AscreadyError` (exit 2), each with a message that names the file and
the row. :func:`apply_plan` writes a plan: all of it, or nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from ascready.authoring.files import line, path_for
from ascready.authoring.metrics.figures import Context, figures
from ascready.authoring.metrics.options import (
    choose_period,
    default_source,
    read_options,
)
from ascready.authoring.metrics.plan import (
    ID_PREFIX,
    check_files,
    id_for,
    metric_docs,
    new_measure_file,
    updated_measure_file,
)
from ascready.authoring.metrics.results import ImportPlan, MeasureFile, Skipped
from ascready.authoring.metrics.table import AscofTable, Measure, Progress, read_table
from ascready.checks.load import load_project
from ascready.errors import AscreadyError, ImportRefused
from ascready.io.writing import write_files
from ascready.repository import kinds, models
from ascready.repository.loader import find_repository
from ascready.repository.project import Project


def plan_import(
    repo: Path,
    file: Path,
    *,
    measures: Sequence[str] = (),
    ons_code: str | None = None,
    disaggregation: str | None = None,
    period: str | None = None,
    source: str | None = None,
    update: bool = False,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> ImportPlan:
    """What importing ``file`` into the repository at or above ``repo`` would do."""
    root = find_repository(repo)
    project, _ = load_project(root)
    options = read_options(
        project, ons_code=ons_code, period=period, source=source, measures=measures
    )
    if disaggregation is not None and not disaggregation.strip():
        raise AscreadyError(
            line("--disaggregation", "it is empty", "Name one, e.g. 'Total' or '65 and over'.")
        )
    name = str(file)
    region = project.profile.region if project.profile is not None else None
    table = read_table(file, name, options.ons_code, region, progress)
    _refuse_unusable(table, name, options.ons_code, options.measures)
    recorded, period_filter, warnings = choose_period(table, name, options.period)
    warnings += _missing_areas(table, name, region)
    ctx = Context(
        table,
        options.ons_code,
        region.value if region is not None else None,
        period_filter,
        disaggregation.strip() if disaggregation is not None else None,
        warn_england=table.england_rows > 0,
        warn_region=table.region_rows > 0,
    )
    source_text = options.source if options.source is not None else default_source(root, file)
    planner = _Planner(project, ctx, recorded, source_text, name, update, warnings)
    for code in options.measures or list(table.measures):
        planner.add(table.measures[code])
    return planner.plan(today or dt.date.today())


def _refuse_unusable(table: AscofTable, name: str, code: str, wanted: Sequence[str]) -> None:
    """A file with no row for the council, or without a measure asked for, imports nothing."""
    if table.council_rows == 0:
        raise ImportRefused(
            line(
                name,
                f"no row for ONS code {code} in the file: is it the right year's table, or "
                "use --ons-code",
                "Check that this is the national ASCOF table with every council's rows, and "
                "that ons_code in ascready.yaml is the council's.",
            )
        )
    unknown = [m for m in wanted if m not in table.measures]
    if unknown:
        raise ImportRefused(
            line(
                name,
                f"the file has no measure {', '.join(unknown)}",
                f"The measures in it are: {', '.join(table.measures)}.",
            )
        )


def _missing_areas(table: AscofTable, name: str, region: models.Region | None) -> list[str]:
    """Warnings for the comparators no measure can have: no England rows, no region rows."""
    warnings = []
    if table.england_rows == 0:
        warnings.append(
            f"{name}: no England rows (Geographical Level 'England'): the England comparator "
            "is left out of every measure"
        )
    if region is None:
        warnings.append(
            "ascready.yaml has errors, so the council's region is not known: the region "
            "comparator is left out of every measure"
        )
    elif table.region_rows == 0:
        seen = ", ".join(table.regions_seen) or "none"
        warnings.append(
            f"{name}: no row for the {region.value} region (regions in the file: {seen}): the "
            "region comparator is left out of every measure"
        )
    return warnings


class _Planner:
    """The plan, a measure at a time."""

    def __init__(
        self,
        project: Project,
        ctx: Context,
        period: str,
        source: str | None,
        name: str,
        update: bool,
        warnings: list[str],
    ) -> None:
        self.project, self.ctx, self.period = project, ctx, period
        self.source, self.name, self.update = source, name, update
        self.warnings = warnings
        self.existing = metric_docs(project)
        self.creates: list[MeasureFile] = []
        self.updates: list[MeasureFile] = []
        self.skipped: list[Skipped] = []
        self.next_steps: list[str] = []
        self.planned: set[str] = set()

    def add(self, measure: Measure) -> None:
        code, root = measure.code, self.project.root
        found = figures(self.ctx, measure)
        if isinstance(found, Skipped):
            self.skipped.append(found)
            return
        self.warnings.extend(found.warnings)
        ident = id_for(code)
        if ident == ID_PREFIX or ident.casefold() in self.planned:
            self.skipped.append(
                Skipped(
                    code,
                    "problem",
                    f"'{code}' cannot be made into a file id of its own",
                    "Import it on its own with --measure, or add it by hand.",
                )
            )
            return
        self.planned.add(ident.casefold())
        doc = self.existing.get(ident)
        if doc is not None:
            outcome = updated_measure_file(
                root, doc, ident, code, self.period, found, self.source, self.update, self.warnings
            )
            if isinstance(outcome, Skipped):
                self.skipped.append(outcome)
            else:
                self.updates.append(outcome)
            return
        path = path_for(kinds.METRIC, ident)
        if (root / path).exists():
            self.skipped.append(
                Skipped(
                    code,
                    "problem",
                    f"{path} already exists but does not hold the measure {ident} (its id is "
                    "different, or it cannot be read)",
                    "Give that file the id it should have, or rename it, and import again.",
                )
            )
            return
        created, step = new_measure_file(
            measure, ident, path, self.period, found, self.source, self.name
        )
        self.creates.append(created)
        if step:
            self.next_steps.append(step)

    def plan(self, today: dt.date) -> ImportPlan:
        if self.source is None and self.creates:
            self.warnings.insert(
                0,
                f"{self.name} is outside the repository, so the new measures have no source: "
                "give the link of the published table with --source https://...",
            )
        self.warnings.extend(check_files(self.project, [*self.creates, *self.updates], today))
        if self.creates or self.updates:
            cited = ", ".join(f.ident for f in (*self.creates, *self.updates))
            self.next_steps.append(
                "Next: cite the measures in the strengths and areas for improvement they "
                f"support (metrics: [{cited}] under ratings/)."
            )
        return ImportPlan(
            self.project.root,
            self.name,
            self.period,
            self.ctx.region,
            self.source,
            tuple(self.creates),
            tuple(self.updates),
            tuple(self.skipped),
            tuple(dict.fromkeys(self.warnings)),
            tuple(self.next_steps),
        )


def apply_plan(plan: ImportPlan) -> list[str]:
    """Create and rewrite the plan's files: all of them, or none.

    New files are created, never over an existing file; updates are written atomically. If
    one fails, the files this run created are removed and the ones it rewrote are put back. A
    file to update that was changed since it was read stops everything before anything is
    written.
    """
    write_files(
        plan.root,
        creates={f.path: f.text for f in plan.creates},
        replaces={f.path: f.text for f in plan.updates},
        originals={f.path: f.original or b"" for f in plan.updates},
        command=f"ascready import-metrics of {plan.file}",
    )
    return [f.path for f in (*plan.creates, *plan.updates)]
