"""What ``ascready import-metrics`` plans: the measure files to create and to rewrite, the
measures it leaves out and why, and what to tell the user."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ascready.authoring.files import line


@dataclass(frozen=True)
class MeasureFile:
    """One file to create or rewrite under metrics/."""

    measure: str  # the published code, e.g. "2A"
    ident: str  # the file's id, e.g. "ASCOF-2A"
    path: str  # relative to the repository, with forward slashes
    text: str
    value: float
    unit: str
    comparators: dict[str, float]
    disaggregation: str
    catalogued: bool  # in ascready's catalogue of ASCOF measures
    previous: tuple[float, str] | None = None  # (value, period) that an update replaces
    original: bytes | None = None  # the bytes an update replaces, to notice edits meanwhile


SkipKind = Literal["exists", "unchanged", "problem"]


@dataclass(frozen=True)
class Skipped:
    """A measure left out, and why."""

    measure: str
    kind: SkipKind
    reason: str
    hint: str = ""

    def describe(self) -> str:
        return line(self.measure, self.reason, self.hint)


@dataclass(frozen=True)
class ImportPlan:
    root: Path
    file: str  # the data file, as the user named it
    period: str
    region: str | None
    source: str | None
    creates: tuple[MeasureFile, ...] = ()
    updates: tuple[MeasureFile, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    warnings: tuple[str, ...] = ()
    next_steps: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        """1 when every measure had a problem, so that nothing is imported, else 0."""
        if self.creates or self.updates or not self.skipped:
            return 0
        return 1 if all(s.kind == "problem" for s in self.skipped) else 0
