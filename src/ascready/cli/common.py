"""What every command module shares: the REPO argument, the console, and failing cleanly.

Every command is wrapped in :func:`handle_errors`, the CLI's one error boundary: an
:class:`~ascready.errors.AscreadyError` becomes its message on stderr and its exit code.
Messages are printed as plain text, never as Rich markup, since they quote the user's paths
and values. Only ``typer`` is imported here; Rich is imported when something is printed.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer

from ascready.errors import AscreadyError, ExitCode

P = ParamSpec("P")
R = TypeVar("R")

#: The REPO argument every command takes.
RepoArgument = Annotated[
    Path,
    typer.Argument(
        help="The evidence repository, or any folder inside it (default: the current folder; "
        "ascready.yaml is found by walking up).",
        show_default=False,
    ),
]


def console(stderr: bool = False):  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``message`` (plain text) as an error on stderr; return the exit to raise."""
    from rich.text import Text

    console(stderr=True).print(Text.assemble(("error:", "bold red"), " ", message))
    return typer.Exit(code)


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """The error boundary of a command: a problem the user can fix is a message and an exit
    code, never a traceback; Ctrl-C says "Stopped." and exits 130."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except AscreadyError as exc:
            raise fail(exc.message, int(exc.exit_code)) from None
        except KeyboardInterrupt:
            # Typer would turn it into a silent exit 130: say what happened.
            sys.stderr.write("Stopped.\n")
            raise typer.Exit(ExitCode.INTERRUPTED) from None

    return run


def check_choice(flag: str, value: str, choices: Collection[str]) -> None:
    """Refuse a value of ``flag`` that is not one of ``choices`` (exit 2)."""
    if value not in choices:
        raise AscreadyError(f"unknown {flag} '{value}'; use one of: {', '.join(choices)}")


#: How many folders up a displayed path may climb (``../../evidence/EV-001.yaml``) before it is
#: shown absolute instead.
MAX_CLIMB = 2


def display_prefix(root: Path) -> str:
    """How to write the repository's files from where the user is, for clickable paths.

    Relative to the current folder, as the user would type them (``../evidence/EV-001.yaml``
    from inside ``evidence/``), unless that climbs more than :data:`MAX_CLIMB` folders or the
    repository is on another drive: then absolute.
    """
    try:
        rel = Path(os.path.relpath(root, Path.cwd()))
    except ValueError:  # another drive on Windows
        return f"{root.as_posix()}/"
    if rel == Path("."):
        return ""
    if rel.parts.count("..") > MAX_CLIMB:
        return f"{root.as_posix()}/"
    return f"{rel.as_posix()}/"


#: --repo, for commands whose positional arguments are something else (diff, new).
RepoOption = Annotated[
    Path,
    typer.Option(
        "--repo",
        "-C",
        help="The evidence repository, or any folder inside it (default: the current folder).",
        show_default=False,
    ),
]


def format_option(formats: str) -> Any:
    """--format (-f), with ``formats`` (the values the command takes) as its help."""
    return typer.Option("--format", "-f", help=formats)


def out_option(what: str, **more: Any) -> Any:
    """--out (-o), with ``what`` (what is written there) as its help."""
    return typer.Option("--out", "-o", help=what, **more)


def dry_run_option(shown: str) -> Any:
    """--dry-run, with ``shown`` (what is shown instead of written) as its help."""
    return typer.Option("--dry-run", help=f"{shown}; write nothing.")


#: --force, for a command that refuses to replace its --out unless told.
ForceOption = Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")]
#: --jobs, for every command that reads the whole repository.
JobsOption = Annotated[
    int | None,
    typer.Option("--jobs", "-j", min=1, help="Worker processes for parsing (default: cores)."),
]
#: --as-of, shared by validate, gaps and diff.
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Judge the evidence as on this date: a date (31/03/2025 or 2025-03-31, day before "
        "month), today, site-visit or return-due (dates from ascready.yaml). Default: today.",
    ),
]
#: --minimum, shared by gaps and diff.
MinimumOption = Annotated[
    int | None,
    typer.Option(
        "--minimum",
        min=1,
        help="Current evidence items wanted per quality "
        "statement and category (default: gaps.minimum_per_cell, or 2).",
    ),
]


def undo_interrupted(repo: Path) -> None:
    """Before a command writes into the repository at or above ``repo``: undo any earlier write
    into it that was interrupted (killed, or the machine stopped), and say so on stderr."""
    from ascready.io.recovery import recover
    from ascready.repository.loader import find_repository

    for message in recover(find_repository(repo)):
        typer.echo(f"warning: {message}", err=True)


def print_or_write(data: str | bytes, out: Path | None, done: str, *, force: bool = False) -> None:
    """Print ``data``, or write it atomically to ``out`` (a new file, or with ``force`` over a
    regular file: :func:`~ascready.io.writing.refuse_existing`) and say so (``done``) on
    stderr."""
    if out is None:
        sys.stdout.write(data.decode("utf-8") if isinstance(data, bytes) else data)
        return
    from ascready.io.writing import write_atomically

    write_atomically(out, data, force=force)
    typer.echo(done, err=True)
