"""``ascready diff``: what a change does to the evidence, in meaning."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ascready.cli.common import (
    AsOfOption,
    ForceOption,
    JobsOption,
    MinimumOption,
    RepoOption,
    check_choice,
    format_option,
    handle_errors,
    out_option,
    print_or_write,
)


@handle_errors
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
        str, format_option("text, markdown (for a pull-request comment) or json.")
    ] = "text",
    out: Annotated[Path | None, out_option("Write to this file instead of printing.")] = None,
    force: ForceOption = False,
    as_of: AsOfOption = None,
    minimum: MinimumOption = None,
    jobs: JobsOption = None,
) -> None:
    """Show what a change does to the evidence, in meaning: items added, retired or re-tagged,
    scores moved, return items, actions, problems introduced or fixed, and readiness.

    Reads the history with the git command. Exit status: 0; 2 when a ref cannot be found.
    """
    from ascready.analysis.diff import run_diff
    from ascready.output import diff_format as fmt

    check_choice("--format", output_format, fmt.FORMATS)
    if out is not None:
        from ascready.io.writing import refuse_existing

        refuse_existing(out, force=force)
    result = run_diff(repo, base, head, as_of=as_of, minimum=minimum, jobs=jobs)
    render = {
        "text": fmt.render_text,
        "markdown": fmt.render_markdown,
        "json": fmt.render_json,
    }[output_format]
    print_or_write(render(result), out, f"Wrote {out}.", force=force)
