"""``ascready import-metrics FILE``: fill metrics/ from a published ASCOF data file.

The work is done by :mod:`ascready.authoring.metrics.ascof`, imported when the command runs
(it reads workbooks with openpyxl), so that ``ascready --version`` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ascready.cli.common import (
    RepoOption,
    console,
    dry_run_option,
    handle_errors,
    undo_interrupted,
)

if TYPE_CHECKING:
    from ascready.authoring.metrics.results import ImportPlan, MeasureFile
    from ascready.authoring.metrics.table import Progress

_UNITS = {"percent": "%", "per-100k": " per 100,000"}


@handle_errors
def import_metrics_command(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="The ASCOF data file as published by NHS England: .csv or .xlsx.",
            show_default=False,
        ),
    ],
    measure: Annotated[
        list[str] | None,
        typer.Option(
            "--measure",
            "-m",
            help="Import only this measure, by its code in the file's Measure Group column, "
            "e.g. 2A (repeat for more). Default: every measure in the file.",
        ),
    ] = None,
    ons_code: Annotated[
        str | None,
        typer.Option(
            "--ons-code",
            help="The ONS code of the council's rows (default: ons_code in ascready.yaml).",
        ),
    ] = None,
    disaggregation: Annotated[
        str | None,
        typer.Option(
            "--disaggregation",
            help="The Disaggregation Level to import, e.g. '65 and over' (default: Total; a "
            "measure published for one group only uses that group).",
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            help="The financial year of the figures, e.g. 2024-25 (default: the file's year "
            "column, else its name).",
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="Where the figures come from: the https:// link of the published table, or a "
            "path in the repository (default: the file, if it is in the repository).",
        ),
    ] = None,
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="Replace the value, period, comparators and source of measures that already "
            "have a file; everything else in it is kept, but its comments are lost.",
        ),
    ] = False,
    repo: RepoOption = Path("."),
    dry_run: Annotated[
        bool, dry_run_option("Print the files that would be written, with their YAML")
    ] = False,
) -> None:
    """Fill metrics/ from a published ASCOF (Adult Social Care Outcomes Framework) data file.

    Each measure in the file becomes metrics/ASCOF-<code>.yaml (metrics/ASCOF-2A.yaml, say):
    the council's Outcome figure, found by its ONS code, with the England and regional figures
    as comparators, for the financial year of the file. The long table NHS England publishes
    (Measure Type and Measure Value columns) and the wide one (an Outcome column) are both
    read; in a workbook, the first sheet that has those headers. Measures ascready knows (2A,
    2B, 2C, 2D, 2E, 3D) get a plain title, their unit, polarity and suggested quality
    statements; for others, set polarity and quality_statements in the file afterwards.

    A measure that already has a file (found by its id anywhere under metrics/) is left as it
    is and listed, and the new measures are still created. With --update its value, period,
    comparators and source are replaced and everything else the council wrote is kept (title,
    polarity, quality statements, classification, notes); the file is written afresh, so any
    comments in it are lost.

    A measure with no figure for the council (suppressed, not a number, duplicated rows) is
    skipped with the reason; a missing England or regional figure is left out with a warning.
    Every file is checked as ascready validate would before anything is written: if one would
    fail, nothing is written.

    Exit status: 0 done (skipped measures are listed); 1 the file cannot be imported, or no
    measure in it could be (nothing is written); 2 a flag's value is not usable, or there is
    no repository.
    """

    from ascready.authoring.metrics.ascof import apply_plan, plan_import

    undo_interrupted(repo)
    with _progress_bar() as progress:
        plan = plan_import(
            repo,
            file,
            measures=measure or (),
            ons_code=ons_code,
            disaggregation=disaggregation,
            period=period,
            source=source,
            update=update,
            progress=progress,
        )
    if not dry_run:
        apply_plan(plan)
    _report(plan, dry_run)
    raise typer.Exit(plan.exit_code)


@contextmanager
def _progress_bar() -> Iterator[Progress | None]:
    """A progress bar on stderr while the rows are read, only when a person is watching."""
    try:
        watching = sys.stderr.isatty()
    except (AttributeError, ValueError):
        watching = False
    if not watching:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("Reading rows"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("rows", total=None)

        def advance(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=max(total, done) if total else None)

        yield advance


def _figures(f: MeasureFile, region: str | None) -> str:
    unit = _UNITS.get(f.unit, "")
    text = f"{f.value:g}{unit}"
    compared = []
    if "england" in f.comparators:
        compared.append(f"England {f.comparators['england']:g}")
    if "region" in f.comparators and region:
        compared.append(f"{region} {f.comparators['region']:g}")
    return text + (f" ({', '.join(compared)})" if compared else "")


def _report(plan: ImportPlan, dry_run: bool) -> None:
    """What was (or would be) written on stdout; what was skipped, and warnings, on stderr."""
    for warning in plan.warnings:
        typer.echo(f"warning: {warning}", err=True)
    for skipped in plan.skipped:
        typer.echo(f"skipped: {skipped.describe()}", err=True)
    for f in plan.creates:
        if dry_run:
            typer.echo(f"Would create {f.path}:")
            typer.echo(f.text, nl=False)
        else:
            typer.echo(f"Created {f.path}: {f.measure} {plan.period}, {_figures(f, plan.region)}.")
    for f in plan.updates:
        was = f" (was {f.previous[0]:g} for {f.previous[1]})" if f.previous else ""
        if dry_run:
            typer.echo(f"Would update {f.path}{was}:")
            typer.echo(f.text, nl=False)
        else:
            typer.echo(
                f"Updated {f.path}: {f.measure} {plan.period}, {_figures(f, plan.region)}{was}."
            )
    counts = [
        f"{len(plan.creates)} {'to create' if dry_run else 'created'}",
        f"{len(plan.updates)} {'to update' if dry_run else 'updated'}",
        f"{len(plan.skipped)} skipped",
    ]
    ending = " Nothing was written (--dry-run)." if dry_run else ""
    typer.echo(f"{plan.file}, {plan.period}: {', '.join(counts)}.{ending}")
    if not dry_run:
        for step in plan.next_steps:
            typer.echo(step)
