"""A repository once read: its documents, its profile and its framework, as plain data.

:class:`Project` is what every command works on. Its typed views (``project.evidence``,
``project.ratings``…) give each document that validated with its model typed, so the type
checker sees the domain: ``entry.model.id`` is checked, where ``Document.model`` is not.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar, overload

from ascready.repository import models
from ascready.repository.framework import Framework

PROFILE_FILE = "ascready.yaml"

M = TypeVar("M", bound=models.StrictModel)
V = TypeVar("V")


@dataclass
class Document:
    """One parsed file: its repository-relative path, its kind, its data and its model.

    ``model`` is None when the file did not validate (its findings say why); ``data`` is None
    when it could not be read or parsed at all.
    """

    path: str
    kind: str
    data: Any
    model: models.StrictModel | None = None


@dataclass(frozen=True, slots=True)
class Entry(Generic[M]):
    """A document that validated, with its model typed."""

    path: str
    model: M
    document: Document


class StatementEntry(NamedTuple):
    """A strength or an area for improvement, with the rating it is written in, the list it is
    in ("strengths" or "areas_for_improvement") and its place in that list."""

    rating: Entry[models.Rating]
    field: str
    place: int
    statement: models.Statement


class _View(Generic[M]):
    """A typed view of a :class:`Project`: its documents of one kind that validated, each as an
    :class:`Entry` with its model typed. Worked out on first use, then kept on the project (as
    ``functools.cached_property`` does)."""

    def __init__(self, kind: str, model: type[M]) -> None:
        self.kind = kind
        self.model = model
        self.name = ""

    def __set_name__(self, owner: type[Project], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, project: None, owner: type[Project]) -> _View[M]: ...
    @overload
    def __get__(self, project: Project, owner: type[Project]) -> list[Entry[M]]: ...
    def __get__(self, project: Project | None, owner: type[Project]) -> list[Entry[M]] | _View[M]:
        if project is None:
            return self
        entries = [
            Entry(d.path, d.model, d)
            for d in project.of_kind(self.kind)
            if isinstance(d.model, self.model)
        ]
        project.__dict__[self.name] = entries
        return entries


@dataclass
class Project:
    """A whole repository. Build a new one (``dataclasses.replace``) rather than changing
    ``documents``: the typed views are worked out once, on first use."""

    root: Path
    framework: Framework
    profile: models.CouncilProfile | None = None
    framework_file: str | None = None
    documents: list[Document] = field(default_factory=list)

    @property
    def files(self) -> int:
        return len(self.documents)

    def of_kind(self, kind: str) -> list[Document]:
        """The documents of one kind that validated, in the order they were read."""
        return self._by_kind.get(kind, [])

    @cached_property
    def _by_kind(self) -> dict[str, list[Document]]:
        found: dict[str, list[Document]] = {}
        for doc in self.documents:
            if doc.model is not None:
                found.setdefault(doc.kind, []).append(doc)
        return found

    evidence = _View("evidence", models.EvidenceItem)
    return_items = _View("return", models.ReturnItem)
    ratings = _View("rating", models.Rating)
    actions = _View("action", models.Action)
    metrics = _View("metric", models.Metric)

    def statements(self) -> Iterator[StatementEntry]:
        """Every strength and area for improvement, rating by rating, in file order."""
        for rating in self.ratings:
            for i, s in enumerate(rating.model.strengths):
                yield StatementEntry(rating, "strengths", i, s)
            for i, a in enumerate(rating.model.areas_for_improvement):
                yield StatementEntry(rating, "areas_for_improvement", i, a)

    @cached_property
    def evidence_by_id(self) -> dict[str, models.EvidenceItem]:
        """Each evidence item by id (the first file wins where an id is used twice)."""
        return _first_wins((e.model.id, e.model) for e in self.evidence)

    @cached_property
    def metrics_by_id(self) -> dict[str, models.Metric]:
        """Each performance measure by id (the first file wins)."""
        return _first_wins((m.model.id, m.model) for m in self.metrics)

    @cached_property
    def ratings_by_qs(self) -> dict[str, Entry[models.Rating]]:
        """Each quality statement's rating, by the framework's id (the first file wins)."""
        resolve = self.framework.resolve_quality_statement
        return _first_wins(
            (qs, r) for r in self.ratings if (qs := resolve(r.model.quality_statement)) is not None
        )


def _first_wins(pairs: Iterable[tuple[str, V]]) -> dict[str, V]:
    """A dict of the pairs in their order, keeping the first value of a key given twice."""
    found: dict[str, V] = {}
    for key, value in pairs:
        found.setdefault(key, value)
    return found
