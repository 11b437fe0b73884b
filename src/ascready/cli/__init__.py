"""The command line. Parses flags, calls the core, prints, and maps results to exit codes.

One module per command (or family of commands), each command wrapped in
:func:`~ascready.cli.common.handle_errors`; this module assembles the app and is the one place
that turns a bug or Ctrl-C into a message and an exit code. Only ``typer`` is imported at
start-up; everything else is imported by the command that needs
it, so ``ascready --version`` answers as fast as Typer itself can start.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from ascready import __version__
from ascready.cli import diff, gaps, reference, render, validate
from ascready.cli import init as cli_init
from ascready.cli import new as cli_new
from ascready.cli import register as cli_register
from ascready.cli.common import plain_console_streams, undecodable_argument
from ascready.cli.metrics import import_metrics_command
from ascready.errors import ExitCode

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


app.command("validate")(validate.validate)
app.command("gaps")(gaps.gaps)
app.command("render")(render.render)
app.command("diff")(diff.diff)
app.command("schema")(reference.schema)
app.command("checks")(reference.list_checks)
app.command("init")(cli_init.init)
app.add_typer(cli_new.new_app, name="new")
app.command("import-metrics")(import_metrics_command)
app.command("export")(cli_register.export_command)
app.command("import")(cli_register.import_command)


def main() -> None:
    """Console entry point: no Python traceback reaches the user."""
    plain_console_streams()
    refused = undecodable_argument(sys.argv[1:])
    if refused is not None:
        sys.stderr.write(f"error: {refused}\n")
        sys.exit(ExitCode.USAGE)
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("Stopped.\n")
        sys.exit(ExitCode.INTERRUPTED)
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
        sys.exit(ExitCode.BUG)
