"""The one registry of checks. Every finding ascready reports comes from a check listed here.

Each check module lists its own checks (``CHECKS``); this module names the modules, so the
registry is whole as soon as it is imported, in a fixed order, with no registration by side
effect. Checks of the ``read`` and ``schema`` stages are carried out while files are read
(:mod:`ascready.checks.document`); ``repository`` checks are functions over the whole
:class:`~ascready.repository.project.Project`, run by :func:`run_checks`. Ids are stable:
councils may filter on them in CI.
"""

from __future__ import annotations

import datetime as dt

from ascready.checks import (
    controls,
    files,
    interrupted,
    personal_data,
    reading,
    references,
    sources,
)
from ascready.checks.base import Check, CheckContext
from ascready.findings import Finding
from ascready.repository.project import Project


def _registry() -> dict[str, Check]:
    found: dict[str, Check] = {}
    for module in (reading, controls, personal_data, files, references, sources, interrupted):
        for check in module.CHECKS:
            if check.id in found:
                raise ValueError(f"check id {check.id} is defined twice")
            found[check.id] = check
    return found


REGISTRY: dict[str, Check] = _registry()
_REPOSITORY_CHECKS = tuple(c for c in REGISTRY.values() if c.function is not None)


def run_checks(project: Project, today: dt.date | None = None) -> list[Finding]:
    """Run every repository check and return their findings (unsorted, lines not located)."""
    context = CheckContext(project, today or dt.date.today())
    found: list[Finding] = []
    for check in _REPOSITORY_CHECKS:
        assert check.function is not None
        found.extend(check.function(context, check))
    return found
