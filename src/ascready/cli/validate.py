"""``ascready validate``: check every file and report every problem at once."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ascready.cli.common import (
    AsOfOption,
    JobsOption,
    RepoArgument,
    check_choice,
    console,
    display_prefix,
    format_option,
    handle_errors,
)


@handle_errors
def validate(
    repo: RepoArgument = Path("."),
    output_format: Annotated[
        str,
        format_option(
            "text, json, github (GitHub Actions annotations) or gitlab (a GitLab Code "
            "Quality report)."
        ),
    ] = "text",
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 on warnings as well as errors.")
    ] = False,
    as_of: AsOfOption = None,
    jobs: JobsOption = None,
) -> None:
    """Check every file in the evidence repository and report all problems at once.

    --as-of judges review dates as on that day (a register written for an earlier
    assessment, say).

    Exit status: 0 clean (warnings allowed unless --strict), 1 problems found, 2 usage error.
    """
    from ascready.output import findings_format as fmt

    check_choice("--format", output_format, fmt.FORMATS)
    from ascready.analysis.pipeline import validate_repository

    project, result = validate_repository(repo, as_of=as_of, jobs=jobs)
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
