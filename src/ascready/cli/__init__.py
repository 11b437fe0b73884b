"""The command line. Parses flags, calls the core, prints, and maps results to exit codes.

Only ``typer`` is imported at start-up; everything else is imported by the command that needs
it, so ``ascready --version`` answers as fast as Typer itself can start.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from ascready import __version__
from ascready.cli import init as cli_init
from ascready.cli import new as cli_new
from ascready.cli import register as cli_register
from ascready.cli.common import (
    AsOfOption,
    JobsOption,
    MinimumOption,
    RepoArgument,
    RepoOption,
    console,
    display_prefix,
    fail,
    print_or_write,
)
from ascready.cli.metrics import import_metrics_command

app = typer.Typer(
    name="ascready",
    help="Keep a council's CQC adult social care assessment evidence as YAML in git, and check it.",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ascready {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """ascready: evidence for the CQC assessment of adult social care, kept in git."""


@app.command()
def validate(
    repo: RepoArgument = Path("."),
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="text, json, github (GitHub Actions annotations) or gitlab (a GitLab Code "
            "Quality report).",
        ),
    ] = "text",
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 on warnings as well as errors.")
    ] = False,
    jobs: JobsOption = None,
) -> None:
    """Check every file in the evidence repository and report all problems at once.

    Exit status: 0 clean (warnings allowed unless --strict), 1 problems found, 2 usage error.
    """
    from ascready.errors import AscreadyError
    from ascready.output import findings_format as fmt

    if output_format not in fmt.FORMATS:
        raise fail(f"unknown --format '{output_format}'; use one of: {', '.join(fmt.FORMATS)}")
    from ascready.analysis.pipeline import validate_repository

    try:
        project, result = validate_repository(repo, jobs=jobs)
    except AscreadyError as exc:
        raise fail(exc.message, int(exc.exit_code)) from None
    prefix = display_prefix(project.root)
    if output_format == "json":
        sys.stdout.write(fmt.render_json(result))
    elif output_format == "github":
        sys.stdout.write(fmt.render_github(result, prefix))
    elif output_format == "gitlab":
        sys.stdout.write(fmt.render_gitlab(result, prefix))
    else:
        console().print(fmt.render_text(result, prefix))
    raise typer.Exit(result.exit_code(strict=strict))


@app.command()
def gaps(
    repo: RepoArgument = Path("."),
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="text, json, markdown or xlsx.")
    ] = "text",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the report to this file (needed for xlsx)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False,
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
    jobs: JobsOption = None,
) -> None:
    """Report what is missing, thin, stale or unowned before inspection, and a readiness score.

    Works on a repository with validation errors too: it reports what it can and says how many
    errors validate found. Exit status: 0, or 1 when readiness is below --fail-under.
    """
    from ascready.analysis.gaps import run_gaps
    from ascready.errors import AscreadyError
    from ascready.output import gaps_format as fmt

    if output_format not in fmt.FORMATS:
        raise fail(f"unknown --format '{output_format}'; use one of: {', '.join(fmt.FORMATS)}")
    if output_format == "xlsx" and out is None:
        raise fail("--format xlsx writes a workbook: name it with --out FILE.xlsx")
    if out is not None:
        from ascready.io.writing import refuse_existing

        try:
            refuse_existing(out, force=force)
        except AscreadyError as exc:
            raise fail(exc.message, int(exc.exit_code)) from None
    try:
        report = run_gaps(repo, as_of=as_of, minimum=minimum, jobs=jobs)
    except AscreadyError as exc:
        raise fail(exc.message, int(exc.exit_code)) from None
    data: str | bytes
    if output_format == "xlsx":
        from ascready.output.gaps_xlsx import render_xlsx

        data = render_xlsx(report)
    elif output_format == "json":
        data = fmt.render_json(report)
    elif output_format == "markdown":
        data = fmt.render_markdown(report)
    elif out is None:
        console().print(fmt.render_text(report))
        data = ""
    else:
        data = fmt.render_plain_text(report)
    if out is not None:
        from ascready.io.writing import write_atomically

        write_atomically(out, data)
        typer.echo(f"Wrote {out}: readiness {report.readiness.overall:.1f}%.", err=True)
    elif isinstance(data, str) and data:
        sys.stdout.write(data)
    if fail_under is not None and report.readiness.overall < fail_under:
        typer.echo(
            f"Readiness {report.readiness.overall:.1f}% is below --fail-under {fail_under:g}%.",
            err=True,
        )
        raise typer.Exit(1)


@app.command()
def render(
    repo: RepoArgument = Path("."),
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="md, html or docx.")
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
        Path | None,
        typer.Option("--out", "-o", help="The file to write (default for md and html: print)."),
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
) -> None:
    """Produce the self-assessment document from the repository, or the information-return pack.

    Exit status: 0; 1 when the pack has missing files (they are listed); 2 for usage errors and
    template errors (the template file and line are named).
    """
    from ascready.checks.load import load_project
    from ascready.errors import AscreadyError
    from ascready.repository.loader import find_repository

    try:
        project, findings = load_project(find_repository(repo))
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
        from ascready.document.render import AUDIENCES, FORMATS, render_project

        if output_format not in FORMATS:
            raise AscreadyError(
                f"unknown --format '{output_format}'; use one of: {', '.join(FORMATS)}"
            )
        if audience not in AUDIENCES:
            raise AscreadyError(f"unknown --audience '{audience}'; use public or internal")
        if out is None and output_format == "docx":
            raise AscreadyError("--format docx writes a Word file: name it with --out FILE.docx")
        if out is not None:
            from ascready.io.writing import refuse_existing

            refuse_existing(out, force=force)
        data = render_project(project, output_format, audience)
    except AscreadyError as exc:
        raise fail(exc.message, int(exc.exit_code)) from None
    from ascready.findings import Severity

    broken = {f.file for f in findings if f.severity is Severity.ERROR}
    if broken:
        typer.echo(
            f"note: {len(broken)} file(s) have errors and were left out; run ascready validate",
            err=True,
        )
    print_or_write(data, out, f"Wrote {out} ({audience}).")


@app.command()
def diff(
    base: Annotated[
        str,
        typer.Argument(
            help="The git branch, tag or commit to compare from, e.g. origin/main.",
            show_default=False,
        ),
    ],
    head: Annotated[
        str | None,
        typer.Argument(
            help="The branch, tag or commit to compare to (default: the files as they are now, "
            "including changes not yet committed).",
            show_default=False,
        ),
    ] = None,
    repo: RepoOption = Path("."),
    output_format: Annotated[
        str,
        typer.Option("--format", "-f", help="text, markdown (for a pull-request comment) or json."),
    ] = "text",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file instead of printing.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False,
    as_of: AsOfOption = None,
    minimum: MinimumOption = None,
    jobs: JobsOption = None,
) -> None:
    """Show what a change does to the evidence, in meaning: items added, retired or re-tagged,
    scores moved, return items, actions, problems introduced or fixed, and readiness.

    Reads the history with the git command. Exit status: 0; 2 when a ref cannot be found.
    """
    from ascready.analysis.diff import run_diff
    from ascready.errors import AscreadyError
    from ascready.output import diff_format as fmt

    if output_format not in fmt.FORMATS:
        raise fail(f"unknown --format '{output_format}'; use one of: {', '.join(fmt.FORMATS)}")
    try:
        if out is not None:
            from ascready.io.writing import refuse_existing

            refuse_existing(out, force=force)
        result = run_diff(repo, base, head, as_of=as_of, minimum=minimum, jobs=jobs)
    except AscreadyError as exc:
        raise fail(exc.message, int(exc.exit_code)) from None
    render = {
        "text": fmt.render_text,
        "markdown": fmt.render_markdown,
        "json": fmt.render_json,
    }[output_format]
    print_or_write(render(result), out, f"Wrote {out}.")


@app.command()
def schema(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write the JSON Schemas into.")
    ] = Path("schemas"),
    force: Annotated[
        bool, typer.Option("--force", help="Replace schema files that differ.")
    ] = False,
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 if the files are missing or stale."),
    ] = False,
) -> None:
    """Write one JSON Schema per kind of file, for editor autocomplete and checking."""
    from ascready.errors import AscreadyError
    from ascready.repository.schema import stale_schemas, write_schemas

    if check:
        stale = stale_schemas(out)
        if stale:
            raise fail(f"out of date in {out}: {', '.join(stale)}. Run: ascready schema --force", 1)
        typer.echo(f"The schemas in {out} are up to date.")
        return
    try:
        written = write_schemas(out, force=force)
    except AscreadyError as exc:
        raise fail(exc.message, int(exc.exit_code)) from None
    typer.echo(
        f"Wrote {len(written)} schema(s) to {out}: {', '.join(written)}"
        if written
        else f"The schemas in {out} are already up to date."
    )


@app.command("checks")
def list_checks() -> None:
    """List every check ascready runs, with its id and severity."""
    from ascready.checks.registry import REGISTRY
    from ascready.output.findings_format import check_table

    rows = [
        (c.id, c.severity.value, c.stage, c.summary)
        for c in sorted(REGISTRY.values(), key=lambda c: (c.stage, c.id))
    ]
    console().print(check_table(rows))


app.command("init")(cli_init.init)
app.add_typer(cli_new.new_app, name="new")
app.command("import-metrics")(import_metrics_command)
app.command("export")(cli_register.export_command)
app.command("import")(cli_register.import_command)


def main() -> None:
    """Console entry point: no Python traceback reaches the user."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("Stopped.\n")
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # a bug in ascready, not in the user's files
        if os.environ.get("ASCREADY_DEBUG"):
            raise
        sys.stderr.write(
            f"error: ascready hit an internal problem ({type(exc).__name__}: {exc}).\n"
            "This is a bug in ascready, not in your files. Please report it; run again with "
            "ASCREADY_DEBUG=1 to see the details.\n"
        )
        sys.exit(3)
