"""``ascready render``: the self-assessment document, or the information-return pack."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ascready.cli.common import (
    RepoArgument,
    check_choice,
    format_option,
    handle_errors,
    out_option,
    print_or_write,
)
from ascready.errors import AscreadyError

if TYPE_CHECKING:
    from ascready.analysis.pipeline import Analysis


@handle_errors
def render(
    repo: RepoArgument = Path("."),
    output_format: Annotated[
        str, format_option("md, html, docx or pdf (pdf needs LibreOffice).")
    ] = "html",
    audience: Annotated[
        str,
        typer.Option(
            "--audience",
            "-a",
            help="public (only what is classified public) or "
            "internal (everything, each item marked with its classification).",
        ),
    ] = "public",
    out: Annotated[
        Path | None, out_option("The file to write (default for md and html: print).")
    ] = None,
    pack: Annotated[
        Path | None,
        typer.Option(
            "--pack",
            help="Instead of the document, assemble the information-return "
            "pack in this folder (or this .zip file).",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace --out or --pack if it exists.")
    ] = False,
    layout: Annotated[
        str,
        typer.Option(
            "--layout",
            help="by-quality-statement (strengths and areas for improvement under each "
            "quality statement) or by-theme (theme by theme, in the council's own order, each "
            "tagged with its quality statements).",
        ),
    ] = "by-quality-statement",
    doc_version: Annotated[
        str | None,
        typer.Option(
            "--doc-version",
            help="The version on the cover and in the footer (default: document.version in "
            "ascready.yaml).",
        ),
    ] = None,
    final: Annotated[
        bool | None,
        typer.Option(
            "--final/--draft",
            help="Mark the document final or draft (default: document.status in ascready.yaml, "
            "else draft). A final version needs its date.",
        ),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="The document's date on its cover, e.g. 30/11/2026 (default: document.date in "
            "ascready.yaml; without one, no date is shown).",
        ),
    ] = None,
) -> None:
    """Produce the self-assessment document from the repository, or the information-return pack.

    Exit status: 0; 1 when the pack has missing files (they are listed); 2 for usage errors and
    template errors (the template file and line are named).
    """
    from ascready.analysis.pipeline import analyse
    from ascready.repository.loader import find_repository

    analysis = analyse(find_repository(repo), locate=False)
    project = analysis.project
    if pack is not None:
        from ascready.document.pack import build_pack, write_pack

        assembled = build_pack(project)
        write_pack(assembled, pack, force=force)
        typer.echo(
            f"Wrote {pack}: {assembled.items} items, {len(assembled.files)} files.", err=True
        )
        for m in assembled.missing:
            typer.echo(f"missing: item {m.number}: {m.describe()}", err=True)
        raise typer.Exit(1 if assembled.missing else 0)
    from ascready.document.render import AUDIENCES, FORMATS, LAYOUTS, render_project, settings_with

    check_choice("--format", output_format, FORMATS)
    check_choice("--layout", layout, LAYOUTS)
    status = None if final is None else ("final" if final else "draft")
    settings = settings_with(project, version=doc_version, status=status, date=date)
    if audience not in AUDIENCES:
        raise AscreadyError(f"unknown --audience '{audience}'; use public or internal")
    if out is None and output_format == "docx":
        raise AscreadyError("--format docx writes a Word file: name it with --out FILE.docx")
    if out is None and output_format == "pdf":
        raise AscreadyError("--format pdf writes a PDF file: name it with --out FILE.pdf")
    if output_format == "pdf":
        from ascready.document.pdf import find_soffice

        find_soffice()  # before the work: say at once when LibreOffice is missing
    if out is not None:
        from ascready.io.writing import refuse_existing

        refuse_existing(out, force=force)
    data = render_project(project, output_format, audience, layout=layout, settings=settings)
    _note_errors(analysis)
    print_or_write(data, out, f"Wrote {out} ({audience}).", force=force)


def _note_errors(analysis: Analysis) -> None:
    """Say on stderr what validate would find, so that a document is never made from a broken
    repository without a word."""
    left_out = analysis.left_out
    if left_out:
        typer.echo(
            f"note: {len(left_out)} file(s) have errors and were left out; run ascready validate",
            err=True,
        )
    elif analysis.report.errors:
        typer.echo(
            f"note: ascready validate finds {analysis.report.errors} error(s) in "
            f"{len(analysis.files_with_errors)} file(s); run ascready validate",
            err=True,
        )
