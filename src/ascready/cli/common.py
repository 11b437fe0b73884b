"""What every command module shares: the REPO argument, the console, and failing cleanly.

Every command is wrapped in :func:`handle_errors`, the CLI's one error boundary: an
:class:`~ascready.errors.AscreadyError` becomes its message on stderr and its exit code.
Messages are printed as plain text, never as Rich markup, since they quote the user's paths
and values. Only ``typer`` is imported here; Rich is imported when something is printed.
"""

from __future__ import annotations

import errno
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


#: Characters a terminal in a narrow encoding (ASCII, Latin-1) may lack, in plain form.
_PLAIN = {
    "\u2026": "...",
    "\u2013": "-",
    "\u2014": "-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2022": "*",
    "\u2192": "->",
    "\u2190": "<-",
    "\u2265": ">=",
    "\u2264": "<=",
    "\u00d7": "x",
    "\u00a3": "GBP ",
    "\u00a0": " ",
    "\u2713": "v",
}


def _plain(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler ``ascready-plain``: a character the stream's encoding cannot hold
    is written in its nearest plain form (``…`` as ``...``, ``é`` as ``e``), else ``?``; a
    byte of a name that is not UTF-8 (a surrogate escape) as ``\\xe9``."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    import unicodedata

    out: list[str] = []
    for ch in exc.object[exc.start : exc.end]:
        if "\udc80" <= ch <= "\udcff":
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif ch in _PLAIN:
            out.append(_PLAIN[ch])
        else:
            plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
            out.append(plain or "?")
    return "".join(out), exc.end


def plain_console_streams() -> None:
    """At start-up: stdout and stderr never fail on a character they cannot encode (a
    terminal set to ASCII, ``PYTHONIOENCODING=ascii``); see :func:`_plain`."""
    import codecs

    codecs.register_error("ascready-plain", _plain)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="ascready-plain")


def undecodable_argument(args: list[str]) -> str | None:
    """The message refusing an argument with bytes that are not UTF-8 (a Latin-1 ``é`` typed
    in a terminal set to Latin-1, a file named so), or None when every argument is text."""
    for arg in args:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            return (
                f"the argument '{shown}' is not UTF-8 text (a byte such as \\xe9 is how a "
                "terminal set to Latin-1 sends an accented letter). ascready reads its "
                "arguments as UTF-8: set the terminal to UTF-8 and type it again, or rename "
                "the file."
            )
    return None


#: The refusals of the operating system that are about the user's disk or files.
_ENVIRONMENT_ERRNOS = frozenset(
    {
        errno.ENOSPC,
        errno.EDQUOT,
        errno.EROFS,
        errno.EACCES,
        errno.EPERM,
        errno.EFBIG,
        errno.EIO,
        errno.ENAMETOOLONG,
        errno.ELOOP,
    }
)


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """The error boundary of a command: a problem the user can fix is a message and an exit
    code, never a traceback; Ctrl-C says "Stopped." and exits 130."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except AscreadyError as exc:
            raise fail(exc.message, int(exc.exit_code)) from None
        except OSError as exc:
            # A full or read-only disk, no permission: the user's to fix, not a bug.
            from ascready.io.writing import os_reason

            if exc.errno not in _ENVIRONMENT_ERRNOS:
                raise
            # No file named: what failed is writing the output (a redirect to a full disk).
            what = (
                f"{exc.filename} could not be read or written"
                if exc.filename
                else ("the output could not be written")
            )
            raise fail(f"{what}: {os_reason(exc)}", ExitCode.FINDINGS) from None
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
