"""``ascready init DIR``: scaffold a new council evidence repository.

Asks for what it needs (flags, or prompts at a terminal), lets
:mod:`ascready.authoring.scaffold` work out and write the files, and prints what it did and
what to do next. Only Typer is imported until the command runs, so ``ascready --version``
stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ascready.cli.common import fail, handle_errors

if TYPE_CHECKING:
    from collections.abc import Callable

    from ascready.authoring.install import InstallSource
    from ascready.authoring.scaffold import Answers, InitResult

#: Each answer's flag, and the prompt that asks for it at a terminal.
_PROMPTS = {
    "--council": "Council name (as it should appear on the self-assessment)",
    "--ons-code": "ONS code (for example E06000022)",
    "--region": "Region",
}


def _stdin_is_terminal() -> bool:
    """Whether a person can answer prompts. Never prompt in CI, where nobody can."""
    import sys

    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):  # no stdin, or closed
        return False


def _ask(prompt: str, check: Callable[[str], str]) -> str:
    while True:
        answer = typer.prompt(prompt, default="", show_default=False)
        try:
            return check(answer)
        except ValueError as exc:
            typer.echo(f"  Sorry: {exc}. Please try again.", err=True)


@handle_errors
def init(
    directory: Annotated[
        Path,
        typer.Argument(
            metavar="DIR",
            help="The folder for the new repository: new (it is created) or empty.",
            show_default=False,
        ),
    ],
    council: Annotated[
        str | None,
        typer.Option("--council", help='The council\'s name, e.g. "Bath & North East Somerset".'),
    ] = None,
    ons_code: Annotated[
        str | None,
        typer.Option(
            "--ons-code",
            help="The council's ONS code: E06, E08, E09 or E10 and six digits, e.g. E06000022.",
        ),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option("--region", help='One of the nine English regions, e.g. "South West".'),
    ] = None,
    into_existing: Annotated[
        bool,
        typer.Option(
            "--into-existing",
            help="Add the missing files to a folder that is not empty. Nothing already there "
            "is replaced.",
        ),
    ] = False,
    install: Annotated[
        str | None,
        typer.Option(
            "--install",
            metavar="SOURCE",
            help="Where the CI checks and the pre-commit hook install ascready from: a version "
            "on PyPI (0.1.0), a wheel committed to the repository "
            "(wheels/ascready-0.1.0-py3-none-any.whl), a wheel's https:// address, or a git "
            "address with a tag (git+https://github.com/your-org/ascready@v0.1.0). Default: "
            "this version of ascready from PyPI.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Create a new evidence repository for a council, ready to fill in and check.

    Writes ascready.yaml, one file per information-return item and per quality statement,
    empty evidence/, actions/ and files/ folders, the JSON Schemas and editor settings, CI
    checks for GitHub and GitLab, a pre-commit hook and a README for evidence owners.
    Questions not answered by a flag are asked at a terminal. Exit status: 0 created,
    2 could not (a folder that is not empty, a wrong or missing answer).
    """
    from ascready.authoring import install as install_source
    from ascready.authoring import scaffold
    from ascready.errors import OutputExistsError, WriteError
    from ascready.io.recovery import recover

    for message in recover(directory) if directory.is_dir() else []:
        typer.echo(f"warning: {message}", err=True)  # an init (or import) that was killed
    try:
        scaffold.check_target(directory, into_existing=into_existing)
    except OSError as exc:
        raise fail(f"cannot read the folder '{directory}' ({exc.strerror or exc})") from None

    # The same checks for flags and prompts: each returns the tidied answer or raises ValueError.
    checks: dict[str, Callable[[str], str]] = {
        "--council": scaffold.check_council,
        "--ons-code": scaffold.check_ons_code,
        "--region": scaffold.check_region,
    }
    given = {"--council": council, "--ons-code": ons_code, "--region": region}
    values: dict[str, str] = {}
    problems: list[str] = []
    for flag, raw in given.items():
        if raw is None:
            continue
        try:
            values[flag] = checks[flag](raw)
        except ValueError as exc:
            problems.append(f"{flag}: {exc}.")
    source = install_source.default_install()
    if install is not None:
        try:
            source = install_source.check_install(install)
        except ValueError as exc:
            problems.append(f"--install: {exc}.")
    missing = [flag for flag, raw in given.items() if raw is None]
    if missing and not _stdin_is_terminal():
        named = ", ".join(missing[:-1]) + (" and " if len(missing) > 1 else "") + missing[-1]
        problems.append(
            f"missing {named}. There is no terminal to ask in, so give "
            f"{'it as an option' if len(missing) == 1 else 'them as options'}, for example: "
            "ascready init "
            f'{directory} --council "Avonmere Council" --ons-code E06000999 --region "South West"'
        )
    if problems:
        raise fail("\n".join(problems))
    for flag in missing:
        if flag == "--region":
            typer.echo(f"The nine English regions: {', '.join(scaffold.REGIONS)}.")
        values[flag] = _ask(_PROMPTS[flag], checks[flag])

    answers = scaffold.Answers(values["--council"], values["--ons-code"], values["--region"])
    try:
        plan = scaffold.prepare(directory, answers, into_existing=into_existing, install=source)
        result = scaffold.write(plan)
    except OSError as exc:
        raise fail(
            f"could not create the repository in '{directory}' ({exc.strerror or exc})"
        ) from None
    except (WriteError, OutputExistsError) as exc:  # written all or none: nothing is left
        raise fail(f"could not create the repository in '{directory}': {exc.message}") from None
    _report(result, answers, directory, into_existing=into_existing)
    _report_install(result, source, directory, given=install is not None)


def _files(count: int) -> str:
    return f"{count} file{'' if count == 1 else 's'}"


def _report(result: InitResult, answers: Answers, directory: Path, *, into_existing: bool) -> None:
    import shlex

    from ascready.authoring import scaffold

    lines = [
        f"Added {_files(len(result.written))} to the evidence repository in {directory}."
        if into_existing
        else f"Created the evidence repository for {answers.council} in {directory}: "
        f"wrote {_files(len(result.written))}."
    ]
    if result.skipped:
        lines.append(f"Kept {_files(len(result.skipped))} that were already there, unchanged:")
        lines += [f"  {path}" for path in result.skipped]
    what = {
        scaffold.RETURN_FOLDER: f"the {result.return_items} information-return item files",
        scaffold.RATINGS_FOLDER: "a rating file for each quality statement",
    }
    for folder in result.not_seeded:
        lines.append(
            f"Did not add {what[folder]}: {folder}/ already has files, which may use other "
            "names, so adding them could number an item twice."
        )
    lines += [
        "",
        "Next steps:",
        f"  cd {shlex.quote(str(directory))}",
        "  git init -b main",
        "  git add .",
        '  git commit -m "Start the evidence repository"',
        "  ascready validate      # checks every file",
        "  ascready gaps          # what is missing, and a readiness score",
        "",
        "Add your first evidence item (ascready picks the next free id), for example:",
        '  ascready new evidence --title "Carers\' strategy 2025-2028" --kind strategy '
        "--category processes --qs QS1 --classification public",
        "",
        "When CQC's information return request arrives, copy each item's title into its file in "
        f"{scaffold.RETURN_FOLDER}/.",
        "The CI checks fail only on errors to begin with. Raise READINESS_FLOOR in "
        f"{scaffold.WORKFLOW_FILE} (or {scaffold.GITLAB_FILE}) to make them fail whenever "
        "readiness falls below that percentage.",
    ]
    typer.echo("\n".join(lines))


def _report_install(
    result: InitResult, source: InstallSource, directory: Path, *, given: bool
) -> None:
    """What the person must do for CI to install ascready from ``source``."""
    from ascready.authoring import scaffold

    lines: list[str] = []
    kept = [p for p in scaffold.INSTALLING_FILES if p in result.skipped]
    written = [p for p in scaffold.INSTALLING_FILES if p in result.written]
    if given and kept:
        lines.append(
            "--install applies only to the files written now. These were kept, and still "
            f"install ascready as they did before: {', '.join(kept)}."
        )
    if source.wheel_path is not None:
        if (
            any(p != scaffold.PRE_COMMIT_FILE for p in written)
            and not (directory / source.wheel_path).is_file()
        ):
            lines.append(
                f"CI installs ascready from {source.wheel_path}: copy the wheel there (it is "
                "made by `python -m build` in ascready's own folder) and commit it."
            )
        if scaffold.PRE_COMMIT_FILE in written:
            lines.append(
                "The pre-commit hook uses the ascready installed on your computer: "
                f"python -m pip install {source.requirement}"
            )
    if lines:
        typer.echo("\n" + "\n".join(lines))
