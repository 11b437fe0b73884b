"""The bundled evidence/ repository: realistic, complete in shape, and clean."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from ascready.analysis.pipeline import validate_repository
from ascready.repository import models
from ascready.repository.project import Project
from tests.conftest import REPO_ROOT

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def example() -> Project:
    project, report = validate_repository(REPO_ROOT / "evidence", today=TODAY)
    assert report.findings == (), [f.to_dict() for f in report.findings]
    return project


def test_thirty_eight_information_return_items_with_varied_statuses(example: Project) -> None:
    items = [d.model for d in example.of_kind("return")]
    assert sorted(i.number for i in items) == list(range(1, 39))
    statuses = Counter(i.status for i in items)
    assert set(statuses) == set(models.ReturnStatus)
    assert all(i.reason for i in items if i.status is models.ReturnStatus.NOT_APPLICABLE)


def test_example_titles_are_marked_as_invented(example: Project) -> None:
    for doc in example.of_kind("return"):
        head = (example.root / doc.path).read_text(encoding="utf-8").splitlines()[0]
        assert head.startswith("# Example only"), doc.path


def test_evidence_spread_over_every_quality_statement_and_applied_category(
    example: Project,
) -> None:
    fw = example.framework
    items = [d.model for d in example.of_kind("evidence")]
    assert len(items) >= 40
    qs = {fw.resolve_quality_statement(q) for i in items for q in i.quality_statements}
    assert qs == {f"QS{n}" for n in range(1, 10)}
    cats = {fw.resolve_category(c) for i in items for c in i.categories}
    assert {c.id for c in fw.evidence_categories if c.applied} <= cats
    assert {i.classification for i in items} == set(models.Classification)


def test_nine_ratings_with_strengths_and_areas(example: Project) -> None:
    ratings = [d.model for d in example.of_kind("rating")]
    assert sorted(r.quality_statement for r in ratings) == [f"QS{n}" for n in range(1, 10)]
    assert all(r.strengths and r.areas_for_improvement for r in ratings)
    # Like B&NES: some statements are presented under another theme, or evidence several QS.
    statements = [s for r in ratings for s in (*r.strengths, *r.areas_for_improvement)]
    assert any(s.presented_under for s in statements)
    assert any(s.related_quality_statements for s in statements)


def test_improvement_actions_in_workstreams(example: Project) -> None:
    actions = [d.model for d in example.of_kind("action")]
    assert len(actions) >= 5
    assert len({a.workstream for a in actions}) >= 4


def test_deliberate_gaps_are_there_for_gaps_to_find(example: Project) -> None:
    items = {d.model.id: d.model for d in example.of_kind("evidence")}
    stale_cutoff = TODAY - dt.timedelta(days=365)
    assert {i for i, m in items.items() if m.as_of and m.as_of < stale_cutoff} >= {
        "EV-005",
        "EV-013",
        "EV-014",
        "EV-025",
        "EV-046",
    }
    assert {i for i, m in items.items() if not m.owner} == {"EV-012", "EV-035", "EV-064"}
    qs3 = [m for m in items.values() if "QS3" in m.quality_statements]
    assert "peoples-experience" not in {c for m in qs3 for c in m.categories}
    afis = [a for d in example.of_kind("rating") for a in d.model.areas_for_improvement]
    answered = {ref for d in example.of_kind("action") for ref in d.model.answers}
    unanswered = {a.id for a in afis if not a.actions and a.id not in answered}
    assert unanswered == {"AFI-QS1-03", "AFI-QS3-02", "AFI-QS7-02"}
