"""The kinds of document an evidence repository holds: one table, read by everything else.

A file's kind is known from the folder it is in. The kind's name (``"return"`` for an
information-return item) appears in ``diff --format json``, so names never change.
"""

from __future__ import annotations

from dataclasses import dataclass

from ascready.repository import models


@dataclass(frozen=True)
class Kind:
    """One kind of document: where its files live and what they hold."""

    name: str
    folder: str
    model: type[models.StrictModel]
    #: How a message names one: "an evidence item is…".
    label: str
    #: How a report heads a section of them.
    title: str
    #: The first id ascready gives a new one, or None where files are named otherwise.
    first_id: str | None


EVIDENCE = Kind("evidence", "evidence", models.EvidenceItem, "evidence item", "Evidence", "EV-001")
RETURN = Kind(
    "return",
    "information-return",
    models.ReturnItem,
    "information-return item",
    "Information return",
    None,
)
RATING = Kind("rating", "ratings", models.Rating, "quality-statement rating", "Ratings", None)
ACTION = Kind(
    "action", "actions", models.Action, "improvement action", "Improvement actions", "ACT-01"
)
METRIC = Kind(
    "metric", "metrics", models.Metric, "performance measure", "Performance measures", "M-01"
)

#: Every kind of document file, in the order reports and the loader go through them.
DOCUMENT_KINDS: tuple[Kind, ...] = (EVIDENCE, RETURN, RATING, ACTION, METRIC)
#: Where a council keeps the documents its evidence cites (not YAML documents of a kind):
#: ``validate`` scans their text for personal data (:mod:`ascready.checks.files`).
FILES_FOLDER = "files"
BY_NAME: dict[str, Kind] = {k.name: k for k in DOCUMENT_KINDS}
BY_FOLDER: dict[str, Kind] = {k.folder: k for k in DOCUMENT_KINDS}

#: How messages name every kind of file, the profile and the framework included.
LABELS: dict[str, str] = {
    "profile": "council profile",
    **{k.name: k.label for k in DOCUMENT_KINDS},
    "framework": "framework",
}
