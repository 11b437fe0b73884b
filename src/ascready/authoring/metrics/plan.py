"""The files of an ``ascready import-metrics`` plan: a new measure's file, complete from the
catalogue where ascready knows the measure; the same file with new figures for a measure the
repository has (``--update``), keeping everything the council set; and the check of them all
as ``ascready validate`` would check them, with the repository around them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ascready.authoring.files import claimed_id, emit, line
from ascready.authoring.metrics.catalogue import catalogue, infer_unit
from ascready.authoring.metrics.cells import text_key
from ascready.authoring.metrics.figures import Figures
from ascready.authoring.metrics.periods import start_year
from ascready.authoring.metrics.results import MeasureFile, Skipped
from ascready.authoring.metrics.table import Measure
from ascready.checks.document import check_text, introduced_findings
from ascready.checks.personal_data import allowed_for
from ascready.errors import ImportRefused
from ascready.findings import Severity
from ascready.repository import models
from ascready.repository.project import Document, Project

ID_PREFIX = "ASCOF-"


def id_for(code: str) -> str:
    return ID_PREFIX + re.sub(r"[^A-Za-z0-9._-]+", "-", code).strip("-._")


def header_comment(ident: str, code: str, period: str) -> str:
    return (
        f"# Performance measure {ident} (ASCOF {code}), {period} figures, imported with "
        "ascready import-metrics.\n"
    )


def _with(existing: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``existing`` with ``changes`` (None removes a key), keys in their order; a new key goes
    where the model puts it."""
    order = list(models.Metric.model_fields)
    out: dict[str, Any] = {}
    for key, value in existing.items():
        if key not in changes:
            out[key] = value
        elif changes[key] is not None:
            out[key] = changes[key]
    for key, value in changes.items():
        if key in existing or value is None:
            continue
        items = list(out.items())
        after = [
            i for i, (k, _) in enumerate(items) if k in order and order.index(k) > order.index(key)
        ]
        items.insert(after[0] if after else len(items), (key, value))
        out = dict(items)
    return out


def metric_docs(project: Project) -> dict[str, Document]:
    """Every performance measure file by its id (even a file with errors, by the id it
    claims)."""
    found: dict[str, Document] = {}
    for doc in project.documents:
        ident = claimed_id(doc) if doc.kind == "metric" else None
        if ident is not None:
            found.setdefault(ident, doc)
    return found


def new_measure_file(
    measure: Measure,
    ident: str,
    path: str,
    period: str,
    found: Figures,
    source: str | None,
    name: str,
) -> tuple[MeasureFile, str]:
    """A new measure's file, and what the user should do next to it (or nothing)."""
    code = measure.code
    entry = catalogue().get(code)
    step = ""
    if entry is not None:
        title, unit = entry.title, entry.unit.value
        polarity, qs = entry.polarity.value, list(entry.quality_statements)
    else:
        title = measure.description or f"ASCOF measure {code}"
        unit = infer_unit(measure.description).value
        polarity, qs = models.Polarity.NEUTRAL.value, []
        step = (
            f"{path}: {code} is not in ascready's catalogue of ASCOF measures, so its polarity "
            "is neutral and it informs no quality statement: set polarity (higher-is-better "
            f"or lower-is-better) and quality_statements in that file (unit {unit} was taken "
            "from its description: check it)."
        )
    notes = []
    if text_key(found.disaggregation) != "total":
        notes.append(
            f"The figures are for '{found.disaggregation or '(blank)'}' (the published "
            "table's Disaggregation Level)."
        )
    if source is None:
        notes.append(
            f"Imported with ascready import-metrics from the file {Path(name).name}; add the "
            "link of the published table as source."
        )
    data: dict[str, Any] = {
        "id": ident,
        "title": title,
        "measure": code,
        "value": found.value,
        "unit": unit,
        "period": period,
        "polarity": polarity,
    }
    if found.comparators:
        data["comparators"] = dict(found.comparators)
    if qs:
        data["quality_statements"] = qs
    if source is not None:
        data["source"] = source
    data["classification"] = models.Classification.PUBLIC.value
    if notes:
        data["notes"] = " ".join(notes)
    text = emit(data, header_comment(ident, code, period))
    made = MeasureFile(
        code,
        ident,
        path,
        text,
        found.value,
        unit,
        found.comparators,
        found.disaggregation,
        entry is not None,
    )
    return made, step


def updated_measure_file(
    root: Path,
    doc: Document,
    ident: str,
    code: str,
    period: str,
    found: Figures,
    source: str | None,
    update: bool,
    warnings_: list[str],
) -> MeasureFile | Skipped:
    """The rewritten file of a measure the repository has, or why it is left as it is."""
    if not update:
        return Skipped(
            code, "exists", f"already in {doc.path}; use --update to replace its figures"
        )
    if not isinstance(doc.model, models.Metric) or not isinstance(doc.data, dict):
        return Skipped(
            code,
            "problem",
            f"{doc.path} has errors, so its figures were not replaced",
            "Run ascready validate, correct the file, and import again.",
        )
    current = doc.model
    then, now = start_year(current.period), start_year(period)
    if then is not None and now is not None and then > now:
        return Skipped(
            code,
            "problem",
            f"{doc.path} holds figures for {current.period}, newer than the {period} figures "
            "in this file, so they were not replaced",
            "Import the latest year's table, or edit the file by hand.",
        )
    changes: dict[str, Any] = {
        "value": found.value,
        "period": period,
        "comparators": dict(found.comparators) or None,
    }
    if source is not None:
        changes["source"] = source
    elif current.source and current.period != period:
        warnings_.append(
            f"{doc.path}: source is still '{current.source}': check that it gives the "
            f"{period} figures, or import again with --source"
        )
    data = _with(doc.data, changes)
    if data == doc.data:
        return Skipped(code, "unchanged", f"{doc.path} already has these figures")
    try:
        original = (root / doc.path).read_bytes()
    except OSError as exc:
        return Skipped(code, "problem", f"{doc.path} cannot be read ({exc.strerror or exc})", "")
    return MeasureFile(
        code,
        ident,
        doc.path,
        emit(data, header_comment(ident, code, period)),
        found.value,
        current.unit.value,
        found.comparators,
        found.disaggregation,
        code in catalogue(),
        previous=(current.value, current.period),
        original=original,
    )


def check_files(project: Project, files: Sequence[MeasureFile], today: dt.date) -> list[str]:
    """Check the files as ascready validate would once they are written; any error refuses
    them all. Returns the warnings.

    Each file is checked on its own, then the repository with them in it: for a file that is
    rewritten, only what the new figures bring is reported, not what was there before.
    """
    if not files:
        return []
    allowed = allowed_for(project.profile)
    checked = [check_text(f.path, "metric", f.text, allowed) for f in files]
    findings = [x for c in checked for x in c.findings]
    valid = [c.document for c in checked if c.document.model is not None]
    findings.extend(introduced_findings(project, valid, today))
    errors = [x for x in findings if x.severity is Severity.ERROR]
    if errors:
        lines = "\n  ".join(line(x.file, x.message, x.hint) for x in errors)
        raise ImportRefused(
            f"{len(errors)} problem(s) would make the imported files fail ascready validate, "
            f"so nothing was written:\n  {lines}",
            errors,
        )
    return [line(x.file, x.message, x.hint) for x in findings if x.severity is Severity.WARNING]
