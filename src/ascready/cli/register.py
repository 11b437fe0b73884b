"""``ascready export`` and ``ascready import``: the evidence register as a spreadsheet.

The work is done by :mod:`ascready.authoring.register.layout`,
:mod:`ascready.authoring.register.export` and :mod:`ascready.authoring.register.importer`,
imported when a command runs so that ``ascready --version`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ascready.cli.common import (
    ForceOption,
    RepoArgument,
    RepoOption,
    console,
    dry_run_option,
    fail,
    handle_errors,
    out_option,
    undo_interrupted,
)

if TYPE_CHECKING:
    from ascready.authoring.register.importer import ImportPlan, MoreLike
    from ascready.authoring.register.rows import RowProblem

#: Below this size (about 2,000 rows) a workbook imports in a few seconds: no progress bar.
PROGRESS_FROM_BYTES = 200_000


@handle_errors
def export_command(
    repo: RepoArgument = Path("."),
    out: Annotated[Path, out_option("The workbook to write (.xlsx).", show_default=False)] = Path(),
    audience: Annotated[
        str,
        typer.Option(
            "--audience",
            "-a",
            help="internal (everything) or public (only evidence and measures classified "
            "public; no owners, internal notes or progress updates).",
        ),
    ] = "internal",
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Date the workbook (31/03/2025, 2025-03-31 or today). Default: no date, so "
            "that the same repository always gives the same file.",
        ),
    ] = None,
    force: ForceOption = False,
) -> None:
    """Write the evidence register as an Excel workbook: evidence, information return, ratings,
    strengths and areas for improvement, actions and their progress, and measures.

    Colleagues can filter and edit it; `ascready import` reads it back. Exit status: 0 written;
    1 some files do not validate (they are listed; nothing is written); 2 usage errors.
    """
    import datetime as dt

    from ascready import __version__
    from ascready.authoring.register.export import export_register
    from ascready.authoring.register.layout import AUDIENCES
    from ascready.checks.load import load_project
    from ascready.io.writing import refuse_existing, write_atomically
    from ascready.repository.dates import DateError, parse_date
    from ascready.repository.loader import find_repository

    if out == Path():
        raise fail("name the workbook to write: --out FILE.xlsx")
    if out.suffix.lower() != ".xlsx":
        raise fail(f"--out must name an .xlsx file, not '{out.name}'")
    if audience not in AUDIENCES:
        raise fail(f"unknown --audience '{audience}'; use internal or public")
    when: dt.date | None = None
    if as_of is not None:
        try:
            when = dt.date.today() if as_of.strip() == "today" else parse_date(as_of)
        except DateError as e:
            raise fail(f"--as-of '{as_of}' {e.reason}: {e.hint[0].lower()}{e.hint[1:]}") from None
    refuse_existing(out, force=force)
    project, _ = load_project(find_repository(repo))
    rows, data = export_register(project, audience, as_of=when, version=__version__)
    write_atomically(out, data, force=force)
    counts = ", ".join(f"{len(r)} {s.name.lower()}" for s, r in rows.sheets if r)
    typer.echo(f"Wrote {out} ({audience}): {counts}.", err=True)


@handle_errors
def import_command(
    source: Annotated[
        Path, typer.Argument(help="The register to import: an .xlsx workbook or a .csv file.")
    ],
    repo: RepoOption = Path("."),
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            "-m",
            help="A YAML file saying which sheet and column holds what, and how values map "
            "(see the README). Default: the layout ascready export writes.",
        ),
    ] = None,
    dry_run: Annotated[bool, dry_run_option("Show the files that would be written")] = False,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Write the rows that convert and list the others, instead of writing nothing "
            "when any row cannot be converted.",
        ),
    ] = False,
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="Let rows change what the repository holds (a statement reworded, a new "
            "owner, an emptied cell). Without it, only what is new is added, and a row that "
            "changes anything is listed and nothing is written.",
        ),
    ] = False,
    remove_missing: Annotated[
        bool,
        typer.Option(
            "--remove-missing",
            help="Take out what the repository holds but the sheet for its kind no longer "
            "lists (without it, that is only listed).",
        ),
    ] = False,
) -> None:
    """Turn a register (.xlsx or .csv) into repository files, or bring the repository up to
    date with it again.

    Each row is matched to what the repository holds (by ID; where the sheet has no IDs, by
    title, or by quality statement and text). New rows are added with new IDs; rows already
    there change nothing unless --update is given; what the sheet no longer lists is only
    listed, unless --remove-missing. A file that is changed keeps its comments. Every row that
    cannot be converted is listed with its sheet, row and reason, and then nothing is written
    (unless --skip-invalid). --dry-run shows the change by meaning, as ascready diff does.
    Exit status: 0 written (or would be, with --dry-run); 1 rows cannot be converted or would
    change files without --update, or the file or mapping is wrong; 2 usage errors.
    """
    from rich.markup import escape

    from ascready.authoring.register.importer import plan_diff, plan_import, write_plan
    from ascready.authoring.register.mapping import load_mapping
    from ascready.checks.load import load_project
    from ascready.output.diff_format import render_text
    from ascready.repository.loader import find_repository

    undo_interrupted(repo)
    root = find_repository(repo)
    project, _ = load_project(root)
    rules = load_mapping(mapping) if mapping is not None else None
    with _progress(source) as progress:
        plan = plan_import(
            project,
            source,
            rules,
            progress=progress,
            update=update,
            remove_missing=remove_missing,
        )
    _report(plan, dry_run)
    if plan.errors and not skip_invalid:
        raise fail(
            f"nothing was written: {len(plan.errors)} problem(s) in {plan.source} (listed "
            "above). Correct the rows (or the mapping) and run this again, or use "
            "--skip-invalid to write the rows that convert.",
            1,
        )
    if dry_run:
        out = console()
        for f in plan.files:
            out.print(escape(_file_line(f)), style="bold")
        if plan.files:
            out.print(escape(render_text(plan_diff(project, plan))), end="")
        typer.echo(_summary(plan, "Would write") + " Nothing was written (--dry-run).")
        return
    with _progress(source) as progress:
        write_plan(plan, progress)
    typer.echo(_summary(plan, "Wrote"))
    if plan.files:
        typer.echo("Next: ascready validate, then review the change (git diff) and commit it.")


def _file_line(f: Any) -> str:
    """One planned file, for --dry-run: what happens to it, and the rows it comes from."""
    if f.remove:
        return f"--- {f.path}: would be taken out (no longer in the sheet)"
    how = "would be changed" if f.original is not None else "would be created"
    by_sheet: dict[str, list[int]] = {}
    for where, row in f.rows:
        by_sheet.setdefault(where, []).append(row)
    parts = []
    for where, rows in by_sheet.items():
        shown = ", ".join(str(r) for r in rows[:5])
        more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
        parts.append(f"{where}, row{'s' if len(rows) > 1 else ''} {shown}{more}")
    return f"--- {f.path}: {how}" + (f" (from {'; '.join(parts)})" if parts else "")


def _summary(plan: ImportPlan, verb: str) -> str:
    labels = {
        "evidence": "evidence items",
        "return": "information-return items",
        "rating": "rating files",
        "action": "actions",
        "metric": "measures",
    }
    counts = plan.by_kind()
    parts = [f"{counts[k]} {labels[k]}" for k in labels if counts.get(k)]
    written = len(plan.created) + len(plan.changed)
    text = f"{verb} {written} file(s)" + (f": {', '.join(parts)}" if parts else "")
    if plan.changed:
        text += f" ({len(plan.changed)} of them there already, changed)"
    if plan.removed:
        text += f"; {len(plan.removed)} file(s) taken out"
    if not plan.files:
        text = f"Nothing to write: the repository already holds what {plan.source} says"
    text += f". {plan.rows_read} row(s) read from {plan.source}"
    if plan.empty_rows:
        text += f", {plan.empty_rows} empty row(s) skipped"
    return text + "."


_MISSING_LABELS = {
    "evidence": "evidence item",
    "return": "information-return item",
    "action": "action",
    "metric": "measure",
    "strength": "strength",
    "area for improvement": "area for improvement",
    "progress": "progress update of",
}


def _problem_text(p: RowProblem | MoreLike) -> str:
    """One problem as listed; or how many more of its kind there are."""
    from ascready.authoring.register.build import NEEDS_UPDATE
    from ascready.authoring.register.importer import MoreLike

    if not isinstance(p, MoreLike):
        return p.text()
    if p.like.check == NEEDS_UPDATE:
        return (
            f"and {p.count:,} more rows that change what the repository holds (--update "
            "--dry-run lists every change)"
        )
    what = f"a problem in column '{p.like.column}'" if p.like.column else "the same problem"
    return (
        f"and {p.count:,} more rows of {p.like.where} with {what}, the first of them row "
        f"{p.like.row}: {p.like.message}"
    )


def _report(plan: ImportPlan, dry_run: bool = False) -> None:
    err = console(stderr=True)
    from rich.markup import escape

    from ascready.authoring.register.importer import listed

    for p in listed(plan.warnings):
        err.print(f"[yellow]warning:[/] {escape(_problem_text(p))}")
    for p in listed(plan.errors):
        err.print(f"[bold red]cannot import:[/] {escape(_problem_text(p))}")
    if plan.missing:
        if plan.removing:
            done = "would be taken out" if dry_run else "so taken out"
            head = f"In the repository but no longer in {plan.source}, {done}:"
        else:
            head = (
                f"In the repository but no longer in {plan.source} (kept; --remove-missing "
                "takes them out):"
            )
        err.print(escape(head))
        shown = plan.missing[:20]
        for m in shown:
            title = f": {m.title}" if m.title else ""
            title = title if len(title) <= 70 else title[:67] + "..."
            err.print(escape(f"  {_MISSING_LABELS[m.kind]} {m.ident} ({m.file}){title}"))
        if len(plan.missing) > len(shown):
            err.print(f"  and {len(plan.missing) - len(shown)} more")


class _progress:
    """A progress bar on stderr while a large workbook is imported, only at a terminal: one
    line saying what is being done, with a bar once the size of the step is known."""

    def __init__(self, source: Path) -> None:
        try:
            self._large = source.stat().st_size >= PROGRESS_FROM_BYTES
        except OSError:
            self._large = False

    def __enter__(self) -> Any:
        self._bar: Any = None
        if not self._large or not sys.stderr.isatty():
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console(stderr=True),
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task("Starting", total=None)

        def update(step: str, done: int, total: int) -> None:
            self._bar.update(self._task, description=step, completed=done, total=total or None)

        return update

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
