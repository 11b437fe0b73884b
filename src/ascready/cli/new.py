"""``ascready new evidence|action|rating``: one new file with the next free id.

The file is built from the flags, read back and checked exactly as ``ascready validate`` would
check it, and written only if it has no errors. The work is done by :mod:`ascready.authoring.new`,
imported when a command runs so that ``ascready --version`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ascready.cli.common import RepoOption, dry_run_option, handle_errors, undo_interrupted

if TYPE_CHECKING:
    from ascready.authoring.new import NewFile

new_app = typer.Typer(
    help="Create one new evidence item, improvement action or rating file, valid from the start.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

DryRun = Annotated[bool, dry_run_option("Print the path and content that would be written")]
IdOption = Annotated[
    str | None,
    typer.Option(
        "--id", help="Use this id instead of the next free one (refused if it is already used)."
    ),
]
EXIT_HELP = (
    "Exit status: 0 created (warnings are printed), 1 the file would not pass ascready validate "
    "(nothing is written), 2 a flag is missing or its value is not usable."
)


def _run(new: NewFile, dry_run: bool) -> None:
    """Print what was found in the planned file, and write it unless this is a dry run."""
    from ascready.authoring.new import write_new

    for warning in new.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if dry_run:
        typer.echo(f"Would create {new.path} ({new.ident}); nothing was written (--dry-run).")
        typer.echo(new.text, nl=False)
        return
    write_new(new)
    typer.echo(f"Created {new.path} ({new.ident}).")
    typer.echo(new.next_step)


@new_app.command("evidence", epilog=EXIT_HELP)
@handle_errors
def evidence(
    title: Annotated[str, typer.Option("--title", help="What the evidence is.")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="document, policy, strategy, plan, report, minutes, data, dashboard, survey, "
            "audit, feedback, case-study, quote or other.",
        ),
    ],
    category: Annotated[
        list[str],
        typer.Option(
            "--category",
            help="An evidence category it belongs to, by id or title (repeat for more), "
            "e.g. processes.",
        ),
    ],
    qs: Annotated[
        list[str],
        typer.Option(
            "--qs",
            help="A quality statement it evidences: QS3, 3, its slug or its title (repeat for "
            "more).",
        ),
    ],
    classification: Annotated[
        str, typer.Option("--classification", help="public, official or official-sensitive.")
    ],
    summary: Annotated[str | None, typer.Option("--summary", help="A sentence or two.")] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source", help="A path to the document in this repository, or an https:// link."
        ),
    ] = None,
    attribution: Annotated[
        str | None,
        typer.Option(
            "--attribution", help="For quotes and feedback: who said it, without naming them."
        ),
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="The owner's role.")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The date it describes, e.g. 31/03/2025.")
    ] = None,
    review_by: Annotated[
        str | None, typer.Option("--review-by", help="When to check it next, e.g. 31/03/2026.")
    ] = None,
    ir: Annotated[
        list[int] | None,
        typer.Option(
            "--ir", help="The number of an information-return item it supports (repeatable)."
        ),
    ] = None,
    duty: Annotated[
        list[str] | None,
        typer.Option("--duty", help="A Care Act duty, by id or section such as s42 (repeatable)."),
    ] = None,
    expected: Annotated[
        list[str] | None,
        typer.Option(
            "--expected",
            help="An id from the framework's expected-evidence catalogue it meets (repeatable).",
        ),
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status", help="draft, current, superseded or withdrawn (default: current)."
        ),
    ] = None,
    item_id: IdOption = None,
    repo: RepoOption = Path("."),
    dry_run: DryRun = False,
) -> None:
    """Create a new evidence item under the next free id (evidence/EV-067.yaml, say)."""
    from ascready.authoring.new import new_evidence

    undo_interrupted(repo)
    new = new_evidence(
        repo,
        title=title,
        kind=kind,
        categories=category,
        quality_statements=qs,
        classification=classification,
        summary=summary,
        source=source,
        attribution=attribution,
        owner=owner,
        as_of=as_of,
        review_by=review_by,
        information_return=ir or (),
        care_act_duties=duty or (),
        expected_evidence=expected or (),
        status=status,
        item_id=item_id,
    )
    _run(new, dry_run)


@new_app.command("action", epilog=EXIT_HELP)
@handle_errors
def action(
    title: Annotated[str, typer.Option("--title", help="What will be done.")],
    owner: Annotated[str | None, typer.Option("--owner", help="The owner's role.")] = None,
    due: Annotated[str | None, typer.Option("--due", help="Due date, e.g. 31/03/2026.")] = None,
    workstream: Annotated[
        str | None, typer.Option("--workstream", help="The improvement programme workstream.")
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="not-started, in-progress, done, blocked or cancelled (default: not-started).",
        ),
    ] = None,
    answers: Annotated[
        list[str] | None,
        typer.Option(
            "--answers",
            help="The id of an area for improvement it answers, e.g. AFI-QS1-01 (repeatable).",
        ),
    ] = None,
    item_id: IdOption = None,
    repo: RepoOption = Path("."),
    dry_run: DryRun = False,
) -> None:
    """Create a new improvement action under the next free id (actions/ACT-11.yaml, say)."""
    from ascready.authoring.new import new_action

    undo_interrupted(repo)
    new = new_action(
        repo,
        title=title,
        owner=owner,
        due=due,
        workstream=workstream,
        status=status,
        answers=answers or (),
        item_id=item_id,
    )
    _run(new, dry_run)


@new_app.command("rating", epilog=EXIT_HELP)
@handle_errors
def rating(
    qs: Annotated[
        str, typer.Option("--qs", help="The quality statement: QS3, 3, its slug or its title.")
    ],
    self_score: Annotated[
        int | None, typer.Option("--self-score", min=1, max=4, help="Your score, 1 to 4.")
    ] = None,
    narrative: Annotated[
        str | None, typer.Option("--narrative", help="The narrative (Markdown).")
    ] = None,
    repo: RepoOption = Path("."),
    dry_run: DryRun = False,
) -> None:
    """Create the rating file of a quality statement that has none (ratings/QS3.yaml, say)."""
    from ascready.authoring.new import new_rating

    undo_interrupted(repo)
    new = new_rating(repo, quality_statement=qs, self_score=self_score, narrative=narrative)
    _run(new, dry_run)
