"""What a check is: an id, a severity, a stage, a one-line summary, and (for repository checks)
a function over the whole project. Nothing here knows which checks exist: see
:mod:`ascready.checks.registry`.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from ascready.findings import Finding, Loc, Severity
from ascready.repository.project import Project

Stage = Literal["read", "schema", "repository"]


@dataclass(frozen=True)
class CheckContext:
    project: Project
    today: dt.date


CheckFunction = Callable[[CheckContext, "Check"], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    id: str
    severity: Severity
    stage: Stage
    summary: str
    function: CheckFunction | None = None

    def finding(
        self,
        message: str,
        hint: str,
        file: str,
        *,
        loc: Loc | None = None,
        line: int = 0,
        column: int = 0,
    ) -> Finding:
        return Finding(self.id, self.severity, message, hint, file, line, column, loc)


class CheckList:
    """The checks one module defines, in the order it defines them.

    ``@checks.repository("id", severity)`` above a function adds it here and nowhere else: the
    registry lists each module's ``CHECKS`` by name. The function's docstring says what the
    check finds; its first paragraph is the summary ``ascready checks`` and the README show.
    """

    def __init__(self) -> None:
        self.checks: list[Check] = []

    def add(self, check: Check) -> Check:
        self.checks.append(check)
        return check

    def repository(
        self, check_id: str, severity: Severity
    ) -> Callable[[CheckFunction], CheckFunction]:
        def add(function: CheckFunction) -> CheckFunction:
            self.add(Check(check_id, severity, "repository", summary_of(function), function))
            return function

        return add

    def __iter__(self) -> Iterator[Check]:
        return iter(self.checks)

    def by_id(self) -> dict[str, Check]:
        return {c.id: c for c in self.checks}


def summary_of(function: CheckFunction) -> str:
    """The first paragraph of a check function's docstring, on one line."""
    if not function.__doc__:
        raise TypeError(f"check function {function.__name__} has no docstring to summarise it")
    return " ".join(inspect.cleandoc(function.__doc__).split("\n\n")[0].split())


def iter_strings(data: object, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """Every text value in parsed YAML data, with its location."""
    stack: list[tuple[Loc, object]] = [(loc, data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            yield where, value
        elif isinstance(value, dict):
            stack.extend(((*where, str(k)), v) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(((*where, i), v) for i, v in reversed(list(enumerate(value))))
