"""The one registry of checks. Every finding ascready reports comes from a check listed here.

Checks of the ``read`` and ``schema`` stages are carried out by the loader while it reads and
validates files; ``repository`` checks are functions over the whole :class:`Project`, run by
:func:`run_checks`. Ids are stable: councils may filter on them in CI.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ascready.findings import Finding, Loc, Severity

if TYPE_CHECKING:
    from ascready.repository.loader import Document, Project

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


REGISTRY: dict[str, Check] = {}


def register(
    check_id: str, severity: Severity, stage: Stage, summary: str
) -> Callable[[CheckFunction], CheckFunction]:
    def add(function: CheckFunction) -> CheckFunction:
        add_check(Check(check_id, severity, stage, summary, function))
        return function

    return add


def add_check(check: Check) -> None:
    if check.id in REGISTRY:
        raise ValueError(f"check id {check.id} registered twice")
    REGISTRY[check.id] = check


E, W = Severity.ERROR, Severity.WARNING
_BUILT_IN: tuple[tuple[str, Severity, Stage, str], ...] = (
    ("yaml-syntax", E, "read", "The file is not valid YAML, or uses a YAML feature not accepted."),
    ("duplicate-key", E, "read", "A key appears twice in one mapping (YAML would keep the last)."),
    ("alias-bomb", E, "read", "Anchors and aliases expand too far, or an alias contains itself."),
    ("too-deep", E, "read", "Mappings and lists are nested too deeply."),
    ("encoding", E, "read", "The file is not UTF-8 text."),
    ("empty-file", E, "read", "The file is empty or holds only comments."),
    ("file-too-large", E, "read", "The file is larger than ascready reads."),
    ("unreadable-file", E, "read", "The file cannot be opened."),
    ("bad-date", E, "schema", "A date is impossible or not written YYYY-MM-DD."),
    ("unknown-key", E, "schema", "A key this kind of file does not have (often a misspelling)."),
    ("missing-key", E, "schema", "A required key is missing or empty."),
    ("bad-value", E, "schema", "A value is not one of those allowed, or not in the right form."),
    ("wrong-type", E, "schema", "A value is the wrong type, e.g. a list where text belongs."),
    ("unknown-framework", E, "schema", "ascready.yaml names a framework that cannot be found."),
)
for _id, _sev, _stage, _summary in _BUILT_IN:
    add_check(Check(_id, _sev, _stage, _summary))


def run_checks(project: Project, today: dt.date | None = None) -> list[Finding]:
    """Run every repository check and return their findings (unsorted, lines not located)."""
    # Imported for their registrations.
    from ascready.checks import personal_data, references, sources  # noqa: F401

    context = CheckContext(project, today or dt.date.today())
    found: list[Finding] = []
    for check in REGISTRY.values():
        if check.function is not None:
            found.extend(check.function(context, check))
    return found


def introduced_findings(
    project: Project,
    documents: Iterable[Document],
    today: dt.date | None = None,
    *,
    always: Collection[str] = (),
) -> list[Finding]:
    """What the repository checks find once ``documents`` are in ``project`` (each replacing
    any document at its path) that they did not find before, and every finding in the files
    ``always`` names: what new or rewritten files would bring, before they are written."""
    from dataclasses import replace

    def key(f: Finding) -> tuple[str, str, str]:
        return (f.check, f.file, f.message)  # hints may name a new file: not a new problem

    added = list(documents)
    paths = {d.path for d in added}
    kept = [d for d in project.documents if d.path not in paths]
    before = {key(f) for f in run_checks(project, today)}
    after = run_checks(replace(project, documents=[*kept, *added]), today)
    return list(dict.fromkeys(f for f in after if f.file in always or key(f) not in before))


def load_all_checks() -> dict[str, Check]:
    """The registry with every check module imported."""
    from ascready.checks import personal_data, references, sources  # noqa: F401

    return REGISTRY


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
