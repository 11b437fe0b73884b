"""What ``ascready diff`` reports: changes to items, statements, findings and figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from ascready.findings import Finding, Severity
from ascready.repository import kinds

#: The kinds compared, in report order, with their labels.
KIND_TITLES = {
    **{k.name: k.title for k in (kinds.EVIDENCE, kinds.RATING, kinds.RETURN)},
    **{k.name: k.title for k in (kinds.ACTION, kinds.METRIC)},
    "profile": "Council profile",
}


# --- the result -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One field that differs. Lists that are sets report what was added and removed."""

    field: str
    before: Any
    after: Any
    added: tuple[Any, ...] = ()
    removed: tuple[Any, ...] = ()


@dataclass(frozen=True)
class StatementChange:
    """A strength or an area for improvement added, removed or changed inside a rating."""

    kind: str  # "strength" or "area for improvement"
    id: str
    change: str  # added, removed, changed
    text: str
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class ItemChange:
    kind: str  # evidence, rating, return, action, profile
    key: str  # id, quality statement, item number, or "ascready.yaml"
    title: str
    change: str  # added, removed, changed
    file: str  # where it is now (where it was, when removed)
    labels: tuple[str, ...] = ()  # e.g. retired, re-tagged, moved, opened, closed, status
    fields: tuple[FieldChange, ...] = ()
    statements: tuple[StatementChange, ...] = ()
    moved_from: str | None = None
    renamed_from: str | None = None


@dataclass(frozen=True)
class NotCompared:
    """An item whose file has errors on one side, so its meaning cannot be compared."""

    kind: str
    key: str
    file: str
    side: str  # "base" or "head"


@dataclass(frozen=True)
class FindingChange:
    change: str  # introduced, fixed
    finding: Finding


@dataclass(frozen=True)
class StatementDelta:
    """One quality statement before and after."""

    quality_statement: str
    title: str
    items_before: int | None
    items_after: int | None
    thin_before: int | None
    thin_after: int | None
    score_before: int | None
    score_after: int | None

    @property
    def changed(self) -> bool:
        return (self.items_before, self.thin_before, self.score_before) != (
            self.items_after,
            self.thin_after,
            self.score_after,
        )


@dataclass(frozen=True)
class Measure:
    """A number before and after (None when that side has no repository)."""

    name: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 1)


@dataclass(frozen=True)
class Diff:
    base: str  # how the base is named for people: "origin/main (1a2b3c4)"
    head: str
    as_of: dt.date
    base_exists: bool
    changes: tuple[ItemChange, ...]
    not_compared: tuple[NotCompared, ...]
    findings: tuple[FindingChange, ...]
    errors_before: int
    errors_after: int
    warnings_before: int
    warnings_after: int
    readiness: tuple[Measure, ...]  # overall first, then components, then themes
    information_return: Measure  # items ready or uploaded
    information_return_expected: int
    predicted: tuple[tuple[str, str | None, str | None], ...]  # (method title, before, after)
    statements: tuple[StatementDelta, ...] = field(default=())

    def of_kind(self, kind: str) -> list[ItemChange]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def introduced(self) -> list[Finding]:
        return [f.finding for f in self.findings if f.change == "introduced"]

    @property
    def fixed(self) -> list[Finding]:
        return [f.finding for f in self.findings if f.change == "fixed"]

    @property
    def empty(self) -> bool:
        return not (self.changes or self.not_compared or self.findings)

    def to_dict(self) -> dict[str, Any]:
        def plain(value: Any) -> Any:
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [plain(v) for v in value]
            if isinstance(value, dt.date):
                return value.isoformat()
            if isinstance(value, Severity):
                return value.value
            return value

        data = plain(asdict(self))
        for entry, change in zip(data["findings"], self.findings, strict=True):
            entry["finding"] = change.finding.to_dict()
        data["readiness"] = [
            {"name": m.name, "before": m.before, "after": m.after, "delta": m.delta}
            for m in self.readiness
        ]
        ir = self.information_return
        data["information_return"] = {
            "ready_or_uploaded_before": ir.before,
            "ready_or_uploaded_after": ir.after,
            "expected": self.information_return_expected,
        }
        data["predicted"] = [{"method": m, "before": b, "after": a} for m, b, a in self.predicted]
        return {"schema_version": 1, **data}
