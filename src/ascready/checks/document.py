"""One document checked as ``ascready validate`` checks it: read, schema and personal data.

This is the only per-file pipeline. The loader runs it on every file of a repository (reading
in worker processes, validating as the results come in); ``new``, ``import`` and
``import-metrics`` run it on the files they are about to write, then
:func:`introduced_findings` says what the repository checks would find once they are written.
So a file refused by one command is refused, with the same words, by all of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import ValidationError

from ascready.checks.controls import clean_controls, may_hold_controls
from ascready.checks.personal_data import allowed_for, may_hold_personal_data, scan_document
from ascready.checks.pydantic_errors import schema_findings
from ascready.checks.reading import problem_findings
from ascready.checks.registry import run_checks
from ascready.findings import Finding, Severity
from ascready.repository import kinds, models, yamlsafe
from ascready.repository.framework import Framework
from ascready.repository.loader import OUTSIDE, read_bytes
from ascready.repository.project import Document, Project

#: What a worker returns for one file: its data, its read problems, its personal-data findings.
FileResult = tuple[Any, list[yamlsafe.Problem], list[Finding]]


def model_for(kind: str) -> type[models.StrictModel]:
    """The model a kind of file is validated against."""
    if kind == "profile":
        return models.CouncilProfile
    if kind == "framework":
        return Framework
    return kinds.BY_NAME[kind].model


def read_document(job: tuple[str, str, frozenset[str], str | None]) -> FileResult:
    """All the work on one file that needs no other file: read, parse, scan for personal data.
    The last item of ``job`` is the repository's folder (None: the file's folder resolves
    outside it, so it is not read).

    A module-level function of plain arguments, so that worker processes can run it.
    """
    path, kind, allowed, root = job
    if root is None:
        return None, [OUTSIDE], []
    raw, problems = read_bytes(path, root)
    if raw is None:
        return None, problems, []
    data, problems = yamlsafe.parse_bytes(raw)
    return _scanned(data, raw, kind, allowed, problems)


def _scanned(
    data: Any, raw: bytes, kind: str, allowed: frozenset[str], problems: list[yamlsafe.Problem]
) -> FileResult:
    """Parsed data with its control characters replaced, and what the scans of its text find
    (control characters, personal data)."""
    if data is None:
        return data, problems, []
    found: list[Finding] = []
    if may_hold_controls(raw):
        data, found = clean_controls(data)
    if may_hold_personal_data(raw):
        found += scan_document(data, kind, allowed)
    return data, problems, found


def read_profile(path: str, root: str) -> FileResult:
    """The profile, read and scanned as every other file is (its allow-list is then known)."""
    raw, problems = read_bytes(path, root)
    if raw is None:
        return None, problems, []
    data, problems = yamlsafe.parse_bytes(raw)
    if data is None or not may_hold_controls(raw):
        return data, problems, []
    data, found = clean_controls(data)
    return data, problems, found


#: The sets of fields given, one copy of each. pydantic gives every model its own set of the
#: fields its data gave (about 700 bytes for an evidence item); nearly all files of a kind give
#: the same fields, so their models share one set, which at 200,000 files is 140 MB less.
#: Sharing is sound because models are frozen (nothing adds to a model's set in place: even
#: ``model_copy`` copies the set before adding to it). Bounded, as a hostile repository could
#: give every file different fields.
_FIELDS_GIVEN: dict[frozenset[str], set[str]] = {}
_FIELDS_GIVEN_KEPT = 4096


def _share_fields_given(model: models.StrictModel) -> None:
    given = frozenset(model.__pydantic_fields_set__)
    shared = _FIELDS_GIVEN.get(given)
    if shared is None:
        if len(_FIELDS_GIVEN) >= _FIELDS_GIVEN_KEPT:
            return
        shared = _FIELDS_GIVEN[given] = model.__pydantic_fields_set__
    object.__setattr__(model, "__pydantic_fields_set__", shared)


def validate_document(kind: str, data: Any, file: str, findings: list[Finding]) -> Any:
    """The file's model, or None with the reasons added to ``findings``."""
    model = model_for(kind)
    try:
        validated = model.model_validate(data)
    except ValidationError as exc:
        findings.extend(schema_findings(exc, model, file, kinds.LABELS[kind]))
        return None
    _share_fields_given(validated)
    return validated


@dataclass(frozen=True)
class Checked:
    """One file checked on its own: the document (``model`` None if it did not validate) and
    every finding of the read, schema and personal-data checks."""

    document: Document
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]


def check_data(path: str, kind: str, data: Any, allowed: frozenset[str]) -> Checked:
    """Parsed data of one file at ``path``, checked for its schema and for personal data."""
    findings: list[Finding] = []
    if data is not None:
        data, controls = clean_controls(data)
        findings.extend(replace(f, file=path) for f in controls)
    model = validate_document(kind, data, path, findings) if data is not None else None
    if data is not None:
        findings.extend(replace(f, file=path) for f in scan_document(data, kind, allowed))
    return Checked(Document(path, kind, data, model), tuple(findings))


def check_text(path: str, kind: str, text: str, allowed: frozenset[str]) -> Checked:
    """The text of one file at ``path``, read and checked as validate reads and checks it."""
    data, problems = yamlsafe.parse_text(text)
    checked = check_data(path, kind, data, allowed)
    return replace(checked, findings=(*problem_findings(problems, path), *checked.findings))


def check_new_documents(
    project: Project,
    texts: Iterable[tuple[str, str, str]],
    today: dt.date | None = None,
) -> tuple[list[Checked], list[Finding]]:
    """Files about to be written, as (path, kind, text): each checked on its own, then what
    the repository checks would find once they are in ``project`` (in them, or newly in the
    files already there)."""
    allowed = allowed_for(project.profile)
    checked = [check_text(path, kind, text, allowed) for path, kind, text in texts]
    valid = [c.document for c in checked if c.document.model is not None]
    return checked, introduced_findings(project, valid, today, always={d.path for d in valid})


def introduced_findings(
    project: Project,
    documents: Iterable[Document],
    today: dt.date | None = None,
    *,
    always: Collection[str] = (),
    removed: Collection[str] = (),
) -> list[Finding]:
    """What the repository checks find once ``documents`` are in ``project`` (each replacing
    any document at its path) and the files ``removed`` names are not, that they did not find
    before, and every finding in the files ``always`` names: what new, rewritten or removed
    files would bring, before they are written."""

    def key(f: Finding) -> tuple[str, str, str]:
        return (f.check, f.file, f.message)  # hints may name a new file: not a new problem

    added: Sequence[Document] = list(documents)
    paths = {d.path for d in added} | set(removed)
    kept = [d for d in project.documents if d.path not in paths]
    before = {key(f) for f in run_checks(project, today)}
    after = run_checks(replace(project, documents=[*kept, *added]), today)
    return list(dict.fromkeys(f for f in after if f.file in always or key(f) not in before))
