"""The typed views of a Project: each kind's documents that validated, worked out once."""

from __future__ import annotations

import dataclasses

from ascready.checks.load import load_project
from ascready.repository import models
from ascready.repository.project import Document, Project
from tests.conftest import BASE


def _base() -> Project:
    project, findings = load_project(BASE, jobs=1)
    assert findings == []
    return project


def test_each_view_holds_the_documents_of_its_kind_with_their_models() -> None:
    project = _base()
    assert [e.model.id for e in project.evidence] == ["EV-001", "EV-002"]
    assert all(isinstance(e.model, models.EvidenceItem) for e in project.evidence)
    assert [e.model.number for e in project.return_items] == [1, 2]
    assert [e.path for e in project.ratings] == [f"ratings/QS{n}.yaml" for n in range(1, 10)]
    assert [e.model.id for e in project.actions] == ["ACT-01"]
    assert project.metrics == []
    for entry in project.evidence:
        assert entry.document.model is entry.model
        assert entry.document.path == entry.path


def test_a_document_that_did_not_validate_is_in_no_view() -> None:
    project = _base()
    broken = Document("evidence/EV-003.yaml", "evidence", {"id": "EV-003"}, None)
    with_broken = dataclasses.replace(project, documents=[*project.documents, broken])
    assert [e.model.id for e in with_broken.evidence] == ["EV-001", "EV-002"]
    assert with_broken.files == project.files + 1


def test_views_are_worked_out_once_and_afresh_for_a_replaced_project() -> None:
    project = _base()
    assert project.evidence is project.evidence
    fewer = [d for d in project.documents if d.path != "evidence/EV-002.yaml"]
    replaced = dataclasses.replace(project, documents=fewer)
    assert [e.model.id for e in replaced.evidence] == ["EV-001"]
    assert [e.model.id for e in project.evidence] == ["EV-001", "EV-002"]


def test_by_id_the_first_file_wins_where_an_id_is_used_twice() -> None:
    project = _base()
    first = project.evidence[0]
    again = first.model.model_copy(update={"title": "A second file with the same id"})
    copy = Document("evidence/EV-001-copy.yaml", "evidence", {}, again)
    twice = dataclasses.replace(project, documents=[*project.documents, copy])
    assert twice.evidence_by_id["EV-001"] is first.model
    assert list(twice.evidence_by_id) == ["EV-001", "EV-002"]
    assert list(twice.ratings_by_qs) == [f"QS{n}" for n in range(1, 10)]
