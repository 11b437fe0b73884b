"""``ascready gaps``: what is missing, thin, stale or unowned, and the readiness score."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ascready.cli.common import (
    AsOfOption,
    ForceOption,
    JobsOption,
    MinimumOption,
    RepoArgument,
    check_choice,
    console,
    fail,
    format_option,
    handle_errors,
    out_option,
)


@handle_errors
def gaps(
    repo: RepoArgument = Path("."),
    output_format: Annotated[str, format_option("text, json, markdown or xlsx.")] = "text",
    out: Annotated[
        Path | None, out_option("Write the report to this file (needed for xlsx).")
    ] = None,
    force: ForceOption = False,
    as_of: AsOfOption = None,
    minimum: MinimumOption = None,
    fail_under: Annotated[
        float | None,
        typer.Option(
            "--fail-under",
            min=0,
            max=100,
            help="Exit 1 when the readiness score is below this percentage.",
        ),
    ] = None,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Show every table in the terminal, not only the summary (--out files and the "
            "other formats always hold everything).",
        ),
    ] = False,
    jobs: JobsOption = None,
) -> None:
    """Report what is missing, thin, stale or unowned before inspection, and a readiness score.

    Works on a repository with validation errors too: it reports what it can and says how many
    errors validate found. Exit status: 0, or 1 when readiness is below --fail-under.
    """
    from ascready.analysis.gaps import run_gaps
    from ascready.output import gaps_format as fmt

    check_choice("--format", output_format, fmt.FORMATS)
    if output_format == "xlsx" and out is None:
        raise fail("--format xlsx writes a workbook: name it with --out FILE.xlsx")
    if out is not None:
        from ascready.io.writing import refuse_existing

        refuse_existing(out, force=force)
    report = run_gaps(repo, as_of=as_of, minimum=minimum, jobs=jobs)
    data: str | bytes
    if output_format == "xlsx":
        from ascready.output.gaps_xlsx import render_xlsx

        data = render_xlsx(report)
    elif output_format == "json":
        data = fmt.render_json(report)
    elif output_format == "markdown":
        data = fmt.render_markdown(report)
    elif out is None:
        console().print(fmt.render_text(report) if full else fmt.render_summary_text(report))
        data = ""
    else:
        data = fmt.render_plain_text(report)
    if out is not None:
        from ascready.io.writing import write_atomically

        write_atomically(out, data, force=force)
        typer.echo(f"Wrote {out}: readiness {report.readiness.overall:.1f}%.", err=True)
    elif isinstance(data, str) and data:
        sys.stdout.write(data)
    if fail_under is not None and report.readiness.overall < fail_under:
        typer.echo(
            f"Readiness {report.readiness.overall:.1f}% is below --fail-under {fail_under:g}%.",
            err=True,
        )
        raise typer.Exit(1)
