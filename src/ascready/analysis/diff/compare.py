"""Comparing two loaded snapshots of a repository by identity: items by id, ratings by
quality statement, information-return items by number, files that moved kept together."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from ascready.analysis.diff.changes import (
    KIND_TITLES,
    Diff,
    FieldChange,
    FindingChange,
    ItemChange,
    Measure,
    NotCompared,
    StatementChange,
    StatementDelta,
)
from ascready.analysis.gaps import GapsReport
from ascready.findings import Finding, Report
from ascready.repository import models
from ascready.repository.framework import Framework, Term
from ascready.repository.project import Document, Project

_CLOSED = {models.ActionStatus.DONE.value, models.ActionStatus.CANCELLED.value}
_RETIRED = {models.EvidenceStatus.SUPERSEDED.value, models.EvidenceStatus.WITHDRAWN.value}
#: Fields whose lists are sets: order does not matter and each value counts once.
_SET_FIELDS = {
    "categories",
    "quality_statements",
    "information_return",
    "care_act_duties",
    "expected_evidence",
    "evidence",
    "related_quality_statements",
    "actions",
    "answers",
    "metrics",
}


@dataclass(frozen=True)
class Snapshot:
    """One side of the comparison: the project, its findings and its gaps report."""

    label: str
    project: Project | None
    report: Report
    gaps: GapsReport | None
    #: What the loader found in each file on its own (read, schema and personal-data findings).
    own: dict[str, list[Finding]] = field(default_factory=dict)


# --- comparing --------------------------------------------------------------------------------


@dataclass
class _Record:
    key: str
    file: str
    title: str
    fields: dict[str, Any]
    statements: dict[tuple[str, str], tuple[str, dict[str, Any]]] = field(default_factory=dict)


def compare(before: Snapshot, after: Snapshot, as_of: dt.date) -> Diff:
    """The difference between two loaded snapshots."""
    changes: list[ItemChange] = []
    not_compared: list[NotCompared] = []
    moves: dict[str, str] = {}  # base file -> head file, for matching findings
    same_framework = (
        before.project is not None
        and after.project is not None
        and before.project.framework.model_dump() == after.project.framework.model_dump()
    )
    for kind in KIND_TITLES:
        old, old_broken = _records(before.project, kind)
        new, new_broken = _records(after.project, kind)
        kind_changes, kind_moves = _compare_kind(
            kind, old, new, old_broken, new_broken, same_framework
        )
        changes.extend(kind_changes)
        moves.update(kind_moves)
        for key in sorted(set(old_broken) ^ set(new_broken), key=_natural):
            side = "head" if key in new_broken else "base"
            file = new_broken[key] if side == "head" else old_broken[key]
            not_compared.append(NotCompared(kind, key, file, side))
    findings = _compare_findings(before.report, after.report, moves)
    return Diff(
        base=before.label,
        head=after.label,
        as_of=as_of,
        base_exists=before.project is not None,
        changes=tuple(changes),
        not_compared=tuple(not_compared),
        findings=tuple(findings),
        errors_before=before.report.errors,
        errors_after=after.report.errors,
        warnings_before=before.report.warnings,
        warnings_after=after.report.warnings,
        readiness=_readiness(before.gaps, after.gaps),
        information_return=Measure(
            "ready or uploaded",
            _maybe(before.gaps, lambda g: g.information_return.ready_or_uploaded),
            _maybe(after.gaps, lambda g: g.information_return.ready_or_uploaded),
        ),
        information_return_expected=max(
            (g.information_return.expected for g in (before.gaps, after.gaps) if g), default=0
        ),
        predicted=_predicted(before.gaps, after.gaps),
        statements=_statement_deltas(before.gaps, after.gaps),
    )


def _maybe(report: GapsReport | None, get: Callable[[GapsReport], float]) -> float | None:
    return None if report is None else get(report)


def _natural(key: str) -> tuple[int, str]:
    return (int(key), "") if key.isdigit() else (10**9, key)


def _resolved(fw: Framework, term: Term, refs: Iterable[Any]) -> list[Any]:
    return sorted({(fw.resolve(term, str(r)) or str(r)) for r in refs})


def _normalise(fw: Framework, data: dict[str, Any]) -> dict[str, Any]:
    """Model data with references resolved and set-like lists sorted, so that only changes
    of meaning count (QS3 and 3 are the same statement; order of tags does not matter)."""
    out: dict[str, Any] = {}
    for name, value in data.items():
        if name in ("quality_statements", "related_quality_statements"):
            value = _resolved(fw, Term.QUALITY_STATEMENT, value)
        elif name == "categories":
            value = _resolved(fw, Term.CATEGORY, value)
        elif name == "care_act_duties":
            value = _resolved(fw, Term.DUTY, value)
        elif name == "quality_statement":
            value = fw.resolve_quality_statement(str(value)) or value
        elif name == "presented_under" and value is not None:
            value = fw.resolve_theme(str(value)) or value
        elif name == "category_scores":
            value = {fw.resolve_category(str(k)) or k: v for k, v in sorted(value.items())}
        elif name == "progress":
            value = [f"{p['date']}: {p['note']}" for p in value]
        elif name in _SET_FIELDS and isinstance(value, list):
            value = sorted(set(value), key=str)
        out[name] = value
    return out


@dataclass(frozen=True, slots=True)
class _Held:
    """A document that validated, on one side, with the framework its references resolve
    in. It is described (a :class:`_Record`) only when it is compared: a side of 200,000
    files is not all held in a second form."""

    doc: Document
    fw: Framework

    @property
    def file(self) -> str:
        return self.doc.path

    def record(self) -> _Record:
        return _record(self.doc, self.doc.kind, self.fw)

    def same_as(self, other: _Held, same_framework: bool) -> bool:
        """Both sides share the documents a change did not touch: with the same framework to
        resolve its references in, nothing of it changed."""
        return self.doc is other.doc and (self.fw is other.fw or same_framework)


def _records(project: Project | None, kind: str) -> tuple[dict[str, _Held], dict[str, str]]:
    """The documents of one kind by key, and keys of files too broken to compare."""
    if project is None:
        return {}, {}
    fw = project.framework
    records: dict[str, _Held] = {}
    broken: dict[str, str] = {}
    for doc in project.documents:
        if doc.kind != kind:
            continue
        if doc.model is None:
            broken.setdefault(_raw_key(doc, kind, fw), doc.path)
            continue
        # A duplicate id is a finding of its own: the first file is compared.
        records.setdefault(_key(doc.model, fw), _Held(doc, fw))
    return records, broken


def _key(model: models.StrictModel, fw: Framework) -> str:
    """What a document that validated is matched by: as :func:`_record` gives it."""
    if isinstance(model, models.CouncilProfile):
        return "ascready.yaml"
    if isinstance(model, models.ReturnItem):
        return str(model.number)
    if isinstance(model, models.Rating):
        qs = str(model.quality_statement)
        return fw.resolve_quality_statement(qs) or qs
    if isinstance(model, (models.EvidenceItem, models.Action, models.Metric)):
        return model.id
    raise TypeError(f"no key for a {type(model).__name__}")  # pragma: no cover - all above


def _raw_key(doc: Document, kind: str, fw: Framework) -> str:
    data = doc.data if isinstance(doc.data, dict) else {}
    if kind == "profile":
        return "ascready.yaml"
    if kind == "return" and isinstance(data.get("number"), int):
        return str(data["number"])
    if kind == "rating" and data.get("quality_statement") is not None:
        ref = str(data["quality_statement"])
        return fw.resolve_quality_statement(ref) or ref
    if kind in ("evidence", "action", "metric") and isinstance(data.get("id"), str):
        return str(data["id"])
    return PurePosixPath(doc.path).stem


def _record(doc: Document, kind: str, fw: Framework) -> _Record:
    model = doc.model
    assert model is not None, "only documents that validated are compared"
    dumped = _normalise(fw, model.model_dump(mode="json"))
    if isinstance(model, models.CouncilProfile):
        return _Record("ascready.yaml", doc.path, model.council, _flat(dumped))
    if isinstance(model, models.ReturnItem):
        return _Record(str(model.number), doc.path, model.title, dumped)
    if isinstance(model, models.Rating):
        qs = dumped.pop("quality_statement")
        # The ids taken out are bookkeeping: the statement removed is what the change says.
        dumped.pop("retired_ids", None)
        statements: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
        for label, name in (
            ("strength", "strengths"),
            ("area for improvement", "areas_for_improvement"),
        ):
            for entry in dumped.pop(name):
                data = _normalise(fw, entry)
                statements.setdefault((label, data["id"]), (data["text"], data))
        title = fw.quality_statement_by_id[qs].title if qs in fw.quality_statement_by_id else qs
        return _Record(qs, doc.path, title, dumped, statements)
    if isinstance(model, models.Metric):
        return _Record(model.id, doc.path, model.title, _flat(dumped))
    if isinstance(model, (models.EvidenceItem, models.Action)):
        return _Record(model.id, doc.path, model.title, dumped)
    raise TypeError(f"no record for a {kind} document")  # pragma: no cover - every kind is above


def _flat(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _flatten(data, "", out)
    return out


def _flatten(data: dict[str, Any], prefix: str, out: dict[str, Any]) -> None:
    for name, value in data.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict) and value and name != "category_scores":
            _flatten(value, f"{key}.", out)
        else:
            out[key] = value


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[FieldChange, ...]:
    out = []
    for name in [*old, *(k for k in new if k not in old)]:
        a, b = old.get(name), new.get(name)
        if a == b:
            continue
        if name in _SET_FIELDS and isinstance(a, list) and isinstance(b, list):
            out.append(
                FieldChange(
                    name,
                    a,
                    b,
                    tuple(v for v in b if v not in a),
                    tuple(v for v in a if v not in b),
                )
            )
        else:
            out.append(FieldChange(name, a, b))
    return tuple(out)


def _compare_kind(
    kind: str,
    old: dict[str, _Held],
    new: dict[str, _Held],
    old_broken: dict[str, str],
    new_broken: dict[str, str],
    same_framework: bool = False,
) -> tuple[list[ItemChange], dict[str, str]]:
    changes: list[ItemChange] = []
    moves: dict[str, str] = {}
    removed = {k: r for k, r in old.items() if k not in new and k not in new_broken}
    added = {k: r for k, r in new.items() if k not in old and k not in old_broken}
    # A file that kept its name but changed its id: one item renamed, not one gone and one new.
    renamed: dict[str, str] = {}  # new key -> old key
    if kind in ("evidence", "action"):
        removed_by_file = {r.file: k for k, r in removed.items()}
        for key, record in added.items():
            if record.file in removed_by_file:
                renamed[key] = removed_by_file.pop(record.file)
    for key in sorted(set(old) | set(new), key=_natural):
        if key in renamed.values():
            continue
        if key in renamed:
            previous = old[renamed[key]].record()
            change = _changed(kind, previous, new[key].record(), renamed_from=previous.key)
            changes.append(change)
            continue
        if key in added:
            changes.append(_added_or_removed(kind, added[key].record(), "added"))
        elif key in removed:
            changes.append(_added_or_removed(kind, removed[key].record(), "removed"))
        elif key in old and key in new:
            if old[key].same_as(new[key], same_framework):
                continue
            if old[key].file != new[key].file:
                moves[old[key].file] = new[key].file
            change = _changed(kind, old[key].record(), new[key].record())
            if change.fields or change.statements or change.moved_from or change.renamed_from:
                changes.append(change)
    return changes, moves


def _added_or_removed(kind: str, record: _Record, how: str) -> ItemChange:
    labels: list[str] = []
    statements: tuple[StatementChange, ...] = ()
    if kind == "action" and how == "added":
        status = record.fields.get("status")
        labels.append("closed" if status in _CLOSED else "opened")
    if kind == "evidence" and how == "removed":
        labels.append("retired")
    if kind == "rating":
        statements = tuple(
            StatementChange(label, sid, how, text)
            for (label, sid), (text, _) in sorted(record.statements.items())
        )
    return ItemChange(
        kind, record.key, record.title, how, record.file, tuple(labels), (), statements
    )


def _changed(
    kind: str, old: _Record, new: _Record, *, renamed_from: str | None = None
) -> ItemChange:
    fields = _field_changes(old.fields, new.fields)
    by_name = {f.field: f for f in fields}
    labels: list[str] = []
    if renamed_from:
        labels.append("id renamed")
    if old.file != new.file:
        labels.append("moved")
    if kind == "evidence":
        status = by_name.get("status")
        if status and status.after in _RETIRED and status.before not in _RETIRED:
            labels.append("retired")
        elif status and status.before in _RETIRED and status.after not in _RETIRED:
            labels.append("reinstated")
        if "quality_statements" in by_name or "categories" in by_name:
            labels.append("re-tagged")
    elif kind == "action" and "status" in by_name:
        status = by_name["status"]
        if status.after in _CLOSED and status.before not in _CLOSED:
            labels.append("closed")
        elif status.before in _CLOSED and status.after not in _CLOSED:
            labels.append("reopened")
        else:
            labels.append("status changed")
    elif kind == "return" and "status" in by_name:
        labels.append("status moved")
    elif kind == "rating" and "self_score" in by_name:
        labels.append("self-score changed")
    statements = _statement_changes(old, new)
    return ItemChange(
        kind,
        new.key,
        new.title,
        "changed",
        new.file,
        tuple(labels),
        fields,
        statements,
        moved_from=old.file if old.file != new.file else None,
        renamed_from=renamed_from,
    )


def _statement_changes(old: _Record, new: _Record) -> tuple[StatementChange, ...]:
    out = []
    order = {"strength": 0, "area for improvement": 1}
    keys = sorted(
        set(old.statements) | set(new.statements), key=lambda k: (order[k[0]], _natural(k[1]))
    )
    for key in keys:
        label, sid = key
        if key not in old.statements:
            out.append(StatementChange(label, sid, "added", new.statements[key][0]))
        elif key not in new.statements:
            out.append(StatementChange(label, sid, "removed", old.statements[key][0]))
        else:
            fields = _field_changes(old.statements[key][1], new.statements[key][1])
            if fields:
                out.append(StatementChange(label, sid, "changed", new.statements[key][0], fields))
    return tuple(out)


def _compare_findings(before: Report, after: Report, moves: dict[str, str]) -> list[FindingChange]:
    """Findings introduced and fixed, matched without line numbers (lines shift as files are
    edited) and across files that moved."""

    def key(f: Finding, file: str) -> tuple[str, str, str]:
        return (file, f.check, f.message)

    old = Counter(key(f, moves.get(f.file, f.file)) for f in before.findings)
    new = Counter(key(f, f.file) for f in after.findings)
    out: list[FindingChange] = []
    seen: Counter[tuple[str, str, str]] = Counter()
    for f in after.findings:
        k = key(f, f.file)
        seen[k] += 1
        if seen[k] > old[k]:
            out.append(FindingChange("introduced", f))
    seen.clear()
    for f in before.findings:
        k = key(f, moves.get(f.file, f.file))
        seen[k] += 1
        if seen[k] > new[k]:
            out.append(FindingChange("fixed", f))
    return out


def _readiness(before: GapsReport | None, after: GapsReport | None) -> tuple[Measure, ...]:
    def get(report: GapsReport | None, which: str, name: str | None = None) -> float | None:
        if report is None:
            return None
        r = report.readiness
        if which == "overall":
            return r.overall
        return (r.components if which == "component" else r.themes).get(name or "")

    some = after or before
    if some is None:
        return ()
    out = [Measure("overall", get(before, "overall"), get(after, "overall"))]
    for name in some.readiness.components:
        out.append(Measure(name, get(before, "component", name), get(after, "component", name)))
    for theme in some.readiness.themes:
        title = some.theme_titles.get(theme, theme)
        out.append(
            Measure(f"theme: {title}", get(before, "theme", theme), get(after, "theme", theme))
        )
    return tuple(out)


def _predicted(
    before: GapsReport | None, after: GapsReport | None
) -> tuple[tuple[str, str | None, str | None], ...]:
    def describe(report: GapsReport | None, index: int) -> str | None:
        if report is None:
            return None
        p = report.predicted[index]
        return f"{p.rating_title} ({p.percent}%)" if p.available else "no self-scores yet"

    some = after or before
    if some is None:
        return ()
    return tuple(
        (p.method_title, describe(before, i), describe(after, i))
        for i, p in enumerate(some.predicted)
    )


def _statement_deltas(
    before: GapsReport | None, after: GapsReport | None
) -> tuple[StatementDelta, ...]:
    some = after or before
    if some is None:
        return ()

    def rows(report: GapsReport | None) -> dict[str, tuple[int, int, int | None]]:
        if report is None:
            return {}
        scores = {r.quality_statement: r.self_score for r in report.self_assessment.ratings}
        return {
            row.quality_statement: (row.items, len(row.thin), scores.get(row.quality_statement))
            for row in report.coverage.rows
        }

    old, new = rows(before), rows(after)
    out = []
    for row in some.coverage.rows:
        qs = row.quality_statement
        a = old.get(qs, (None, None, None))
        b = new.get(qs, (None, None, None))
        out.append(StatementDelta(qs, row.title, a[0], b[0], a[1], b[1], a[2], b[2]))
    return tuple(out)
