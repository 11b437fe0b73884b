"""What the flags of ``ascready import-metrics`` ask for, read and checked before the data file
is: the council's ONS code, the period, the source to record, the measures. Every problem with
them is reported at once (exit 2)."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ascready.authoring.files import line, source_in_repository
from ascready.authoring.flags import FlagProblems
from ascready.authoring.metrics.periods import period_from_name, period_of
from ascready.authoring.metrics.table import AscofTable
from ascready.checks.sources import classify_source
from ascready.errors import ImportRefused
from ascready.repository.project import Project

_PERIOD = re.compile(r"^\d{4}(-\d{2}|-\d{4})?(-Q[1-4])?$|^\d{4}-\d{2}-\d{2}$")
_ONS_CODE = re.compile(r"^E\d{8}$")


@dataclass(frozen=True)
class Options:
    ons_code: str
    period: str | None  # as given with --period, read as a financial year where it is one
    source: str | None  # as it will be recorded: a link, or a path from the top folder
    measures: list[str]  # the codes asked for, upper case; empty: every measure in the file


def read_options(
    project: Project,
    *,
    ons_code: str | None,
    period: str | None,
    source: str | None,
    measures: Sequence[str],
) -> Options:
    """The ONS code, period, source and measure codes the flags ask for; every problem with
    them at once (exit 2)."""
    problems = FlagProblems(frozenset())
    code = _ons_code(problems, project, ons_code)
    chosen: str | None = None
    if period is not None:
        chosen = period_of(period, year_is_financial=False) or period.strip()
        if not _PERIOD.match(chosen):
            problems.add(
                "--period",
                f"'{period}' is not a period ascready can read",
                "Write the financial year as 2024-25.",
            )
    found_source = _source(problems, project.root, source) if source is not None else None
    codes = list(dict.fromkeys("".join(m.split()).upper() for m in measures))
    if "" in codes:
        problems.add("--measure", "a measure code is empty", "Name one, e.g. 2A.")
    problems.raise_if_any()
    return Options(code, chosen, found_source, codes)


def _ons_code(problems: FlagProblems, project: Project, given: str | None) -> str:
    if given is not None:
        code = given.strip().upper()
        if not _ONS_CODE.match(code):
            problems.add(
                "--ons-code",
                f"'{given}' is not an ONS code",
                "Give the council's code: E and eight digits, e.g. E06000022.",
            )
        return code
    if project.profile is not None:
        return project.profile.ons_code
    problems.add(
        "ascready.yaml",
        "it has errors, so the council's ONS code is not known",
        "Run ascready validate and correct ascready.yaml, or give --ons-code.",
    )
    return ""


def _source(problems: FlagProblems, root: Path, source: str) -> str | None:
    """The source as it will be recorded: a link, or a file in the repository."""
    kind = classify_source(source)
    if kind == "url":
        return source
    if kind != "path":
        problems.add(
            "--source",
            f"'{source}' is neither a path in the repository nor a web link",
            "Give the https:// link of the published table.",
        )
        return None
    found = source_in_repository(root, source)
    real = os.path.realpath(os.path.join(root, found))
    top = os.path.realpath(root)
    if os.path.isabs(found) or not real.startswith(top + os.sep):
        problems.add(
            "--source",
            f"'{source}' is outside the repository",
            "Give the https:// link of the published table, or copy the file into the "
            "repository (e.g. under files/) and give that path.",
        )
    elif not os.path.exists(real):
        problems.add("--source", f"'{source}' does not exist", "Check the path or the link.")
    return found


def default_source(root: Path, file: Path) -> str | None:
    """The data file's path in the repository, if it is in the repository."""
    real = os.path.realpath(file)
    top = os.path.realpath(root)
    if not real.startswith(top + os.sep):
        return None
    return Path(os.path.relpath(real, top)).as_posix()


def choose_period(
    table: AscofTable, name: str, flag: str | None
) -> tuple[str, str | None, list[str]]:
    """The period recorded, the period whose rows are read (when the file has several), and
    warnings."""
    periods = table.periods
    if flag is not None:
        if len(periods) > 1:
            if flag not in periods:
                raise ImportRefused(
                    line(
                        name,
                        f"the file holds figures for {', '.join(periods)}, and none for "
                        f"--period {flag}",
                        "Choose one of those with --period.",
                    )
                )
            return flag, flag, []
        if len(periods) == 1 and flag not in periods:
            (written,) = periods
            return (
                flag,
                None,
                [
                    f"{name}: the file's year column says {written}, but --period {flag} was "
                    f"given: the figures are recorded as {flag}"
                ],
            )
        return flag, None, []
    if table.bad_period is not None:
        row, text = table.bad_period
        raise ImportRefused(
            line(
                table.at(row),
                f"the year column holds '{text}', which is not a year ascready can read",
                "Give the period the figures are for with --period, e.g. --period 2024-25.",
            )
        )
    if len(periods) > 1:
        raise ImportRefused(
            line(
                name,
                f"the file holds figures for several years ({', '.join(periods)})",
                f"Choose the one to import with --period, e.g. --period {max(periods)}.",
            )
        )
    if periods:
        return next(iter(periods)), None, []
    from_name = period_from_name(Path(name).name)
    if from_name is None:
        raise ImportRefused(
            line(
                name,
                "neither the file nor its name says which year the figures are for",
                "Give it with --period, e.g. --period 2024-25.",
            )
        )
    return from_name, None, []
