"""The readiness score, pinned to numbers worked out by hand.

The score gates councils' CI (``gaps --fail-under``), so every figure here is written down, not
recomputed. README, "The readiness score": the weighted average of four parts, each the share
of what is in place; coverage 30%, information return 30%, self-assessment 25%, expected
evidence 15%; for a theme, each part counts only that theme's quality statements (and the
return items that name them, and those that name none, which count in every theme), a part with
nothing in scope is left out and the weights rescaled; one decimal place.

The framework (cqc-la-2024) fixes the denominators: 9 quality statements x 4 applied
categories (people's experience, staff and leaders, partners, processes) = 36 cells; 9 x 6
self-assessment criteria = 54; 71 (quality statement, expected evidence) pairs, of which QS1 15,
QS2 9, QS3 4, QS4 5, QS5 9, QS6 7, QS7 6, QS8 8, QS9 8. Themes: T1 = QS1-3 (12 cells, 18
criteria, 28 pairs), T2 = QS4-5 (8, 12, 14), T3 = QS6-7 (8, 12, 13), T4 = QS8-9 (8, 12, 16).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml

from ascready.analysis.gaps import GapsReport, run_gaps
from ascready.repository.loader import builtin_framework_data
from tests.conftest import REPO_ROOT, write_tree

DAY = dt.date(2026, 11, 23)
ALL_QS = [f"QS{n}" for n in range(1, 10)]
APPLIED = ["peoples-experience", "staff-and-leaders", "partners", "processes"]


def _gaps(root: Path) -> GapsReport:
    report = run_gaps(root, as_of=DAY.isoformat(), today=DAY)
    assert report.validation_errors == 0, "a hand-built repository must validate"
    return report


# --- the example repository, on the day the other gaps tests use --------------------------------

# How each figure follows from evidence/ on 2026-11-23 (stale_after_months 12, minimum 2):
#
# Not current: EV-005, EV-013, EV-014, EV-025, EV-046 (as_of before 2025-11-23) and EV-038
# (draft); no review_by has passed. 60 of 66 items count.
#
# Coverage, current items per cell (people, staff, partners, processes), cells with >= 2:
#   QS1 5,4,1,8 -> 3   QS2 2,1,3,5 -> 3   QS3 0,1,0,2 -> 1   QS4 1,2,2,6 -> 3
#   QS5 2,1,7,6 -> 3   QS6 2,2,2,4 -> 4   QS7 1,1,1,9 -> 1   QS8 1,6,2,9 -> 3
#   QS9 3,6,0,8 -> 3
#   overall 24/36 = 66.7; T1 7/12 = 58.3; T2 6/8 = 75.0; T3 5/8 = 62.5; T4 6/8 = 75.0.
#
# Information return, ready + uploaded + not applicable: 10 + 14 + 2 = 26/38 = 68.4. By the
# quality statements each item names (item 1 names all nine):
#   T1 items 1 3-17 25 38 (18), done 1 4-8 10-13 15 25 38 (13): 72.2
#   T2 items 1 5 6 18-25 28 (12), done all but 21 and 22 (10): 83.3
#   T3 items 1 15 26-32 (9), done 1 15 27 28 29 31 (6): 66.7
#   T4 items 1 2 3 19 30 33-37 (10), done 1 2 19 33 36 37 (6): 60.0
#
# Self-assessment: every rating meets all six criteria except QS1, QS3 and QS7 (an area for
# improvement no action answers: AFI-QS1-03, AFI-QS3-02, AFI-QS7-02) and QS6 (no narrative):
#   overall 50/54 = 92.6; T1 16/18 = 88.9; T2 12/12 = 100; T3 10/12 = 83.3; T4 12/12 = 100.
#
# Expected evidence met (a current item tagged with the kind and the quality statement):
#   QS1 12/15 (not charging-policy: EV-005 stale; better-care-fund-plan and
#   health-wellbeing-plan: tagged only on QS2/QS5 items), QS2 4/9, QS3 2/4, QS4 4/5, QS5 8/9,
#   QS6 6/7, QS7 5/6, QS8 7/8, QS9 7/8
#   overall 55/71 = 77.5; T1 18/28 = 64.3; T2 12/14 = 85.7; T3 11/13 = 84.6; T4 14/16 = 87.5.
#
# Weighted (0.30, 0.30, 0.25, 0.15):
#   overall .3(24/36) + .3(26/38) + .25(50/54) + .15(55/71)
#         = .2000 + .2053 + .2315 + .1162 = .7529 -> 75.3
#   T1 .3(7/12) + .3(13/18) + .25(16/18) + .15(18/28) = .1750+.2167+.2222+.0964 = .7103 -> 71.0
#   T2 .3(6/8) + .3(10/12) + .25 + .15(12/14) = .2250+.2500+.2500+.1286 = .8536 -> 85.4
#   T3 .3(5/8) + .3(6/9) + .25(10/12) + .15(11/13) = .1875+.2000+.2083+.1269 = .7228 -> 72.3
#   T4 .3(6/8) + .3(6/10) + .25 + .15(14/16) = .2250+.1800+.2500+.1313 = .7863 -> 78.6


@pytest.fixture(scope="module")
def example() -> GapsReport:
    return run_gaps(REPO_ROOT / "evidence", as_of="2026-11-23", today=DAY)


def test_example_cells_items_criteria_and_pairs(example: GapsReport) -> None:
    thin = {r.quality_statement: set(r.thin) for r in example.coverage.rows}
    assert thin == {
        "QS1": {"partners"},
        "QS2": {"staff-and-leaders"},
        "QS3": {"peoples-experience", "staff-and-leaders", "partners"},
        "QS4": {"peoples-experience"},
        "QS5": {"staff-and-leaders"},
        "QS6": set(),
        "QS7": {"peoples-experience", "staff-and-leaders", "partners"},
        "QS8": {"peoples-experience"},
        "QS9": {"partners"},
    }
    statuses = [r.status for r in example.information_return.rows]
    assert (statuses.count("ready"), statuses.count("uploaded")) == (10, 14)
    assert statuses.count("not-applicable") == 2
    missing = {r.quality_statement: r.missing for r in example.self_assessment.ratings}
    assert {q: m for q, m in missing.items() if m} == {
        "QS1": ("every area for improvement has an action",),
        "QS3": ("every area for improvement has an action",),
        "QS6": ("narrative",),
        "QS7": ("every area for improvement has an action",),
    }
    assert (example.expected_total, len(example.expected_evidence)) == (71, 16)


def test_example_readiness_overall_and_each_part(example: GapsReport) -> None:
    assert example.readiness.overall == 75.3
    assert example.readiness.components == {
        "coverage": 66.7,
        "information_return": 68.4,
        "self_assessment": 92.6,
        "expected_evidence": 77.5,
    }


def test_example_readiness_of_each_theme(example: GapsReport) -> None:
    assert example.readiness.themes == {"T1": 71.0, "T2": 85.4, "T3": 72.3, "T4": 78.6}
    assert example.readiness.theme_components == {
        "T1": {
            "coverage": 58.3,
            "information_return": 72.2,
            "self_assessment": 88.9,
            "expected_evidence": 64.3,
        },
        "T2": {
            "coverage": 75.0,
            "information_return": 83.3,
            "self_assessment": 100.0,
            "expected_evidence": 85.7,
        },
        "T3": {
            "coverage": 62.5,
            "information_return": 66.7,
            "self_assessment": 83.3,
            "expected_evidence": 84.6,
        },
        "T4": {
            "coverage": 75.0,
            "information_return": 60.0,
            "self_assessment": 100.0,
            "expected_evidence": 87.5,
        },
    }


# --- small repositories built by hand ------------------------------------------------------------

PROFILE = """
council: Handshire Council
ons_code: E10000098
region: London
information_return_items: {items}
gaps: {{minimum_per_cell: 1}}
portal_uploaders:
  - role: Head of Assurance
  - role: Performance Manager
"""


def _evidence(ident: str, qs: list[str], categories: list[str], **fields: object) -> str:
    data: dict[str, object] = {
        "id": ident,
        "title": f"Evidence {ident}",
        "kind": "report",
        "categories": categories,
        "quality_statements": qs,
        "owner": "Head of Service",
        "as_of": "2026-06-01",
        "review_by": "2027-06-01",
        "classification": "public",
    }
    data.update(fields)
    return yaml.safe_dump(data, sort_keys=False)


def _repo(root: Path, items: int, files: Mapping[str, str]) -> Path:
    return write_tree(root, {"ascready.yaml": PROFILE.format(items=items), **files})


# A mixed repository, on 2026-11-23, minimum 1 item per cell, stale after 12 months:
#
#   EV-101 QS1      people, staff      carers-strategy, user-survey   as_of 2025-11-23 (12
#                                                                     months to the day: counts)
#   EV-102 QS1, QS4 partners, processes  partner-feedback (a QS1 and QS5 kind)
#   EV-103 QS4      processes          market-position-statement     as_of 2025-11-22 (stale)
#   EV-104 QS6      people             risk-management-plans (QS6)
#   EV-105 QS8      outcomes (no applied cell)   workforce-strategy (QS8)
#   ratings: QS1 complete (score, narrative, a strength on EV-101, an area on EV-102 answered
#            by ACT-01): 6/6. QS4 a score and a strength citing only stale EV-103: 2/6.
#   return (4 items): 1 ready (QS1), 2 uploaded (QS4), 3 not started (QS1),
#            4 not applicable (QS9).
#
# Coverage: QS1 4 cells, QS4 2 (partners and processes, from EV-102), QS6 1: 7/36 = 19.4.
# Return: 1, 2, 4 done: 3/4 = 75.0. Self-assessment: 8/54 = 14.8.
# Expected: (QS1 carers-strategy), (QS1 user-survey), (QS1 partner-feedback),
#   (QS6 risk-management-plans), (QS8 workforce-strategy); not QS4's (stale): 5/71 = 7.0.
# Overall .3(7/36) + .3(3/4) + .25(8/54) + .15(5/71) = .0583+.2250+.0370+.0106 = .3309 -> 33.1
# T1 cov 4/12, return items 1 and 3: 1/2, SA 6/18, expected 3/28 (10.7)
#    .1000 + .1500 + .0833 + .0161 = .3494 -> 34.9
# T2 cov 2/8, return item 2: 1/1, SA 2/12 (16.7), expected 0/14
#    .0750 + .3000 + .0417 + 0 = .4167 -> 41.7
# T3 cov 1/8, no return item names QS6 or QS7: left out, SA 0/12, expected 1/13 (7.7)
#    (.0375 + 0 + .0115) / .70 = .0701 -> 7.0   (4.9 if the weights were not rescaled)
# T4 cov 0/8, return item 4: 1/1, SA 0/12, expected 1/16 = 6.25 -> 6.3 (half up)
#    .3000 + .0094 = .3094 -> 30.9
MIXED = {
    "evidence/EV-101.yaml": _evidence(
        "EV-101",
        ["QS1"],
        ["peoples-experience", "staff-and-leaders"],
        expected_evidence=["carers-strategy", "user-survey"],
        as_of="2025-11-23",
    ),
    "evidence/EV-102.yaml": _evidence(
        "EV-102", ["QS1", "QS4"], ["partners", "processes"], expected_evidence=["partner-feedback"]
    ),
    "evidence/EV-103.yaml": _evidence(
        "EV-103",
        ["QS4"],
        ["processes"],
        expected_evidence=["market-position-statement"],
        as_of="2025-11-22",
    ),
    "evidence/EV-104.yaml": _evidence(
        "EV-104", ["QS6"], ["peoples-experience"], expected_evidence=["risk-management-plans"]
    ),
    "evidence/EV-105.yaml": _evidence(
        "EV-105", ["QS8"], ["outcomes"], expected_evidence=["workforce-strategy"]
    ),
    "ratings/QS1.yaml": """
        quality_statement: QS1
        self_score: 3
        narrative: Most people have a timely assessment.
        strengths:
          - {id: S-1, text: A strong carers' offer, evidence: [EV-101]}
        areas_for_improvement:
          - {id: AFI-1, text: Shorter waits, evidence: [EV-102]}
    """,
    "ratings/QS4.yaml": """
        quality_statement: QS4
        self_score: 2
        strengths:
          - {id: S-4, text: A market position statement, evidence: [EV-103]}
    """,
    "actions/ACT-01.yaml": """
        id: ACT-01
        title: Cut waiting times
        owner: Head of Operations
        due: 2027-03-31
        status: in-progress
        answers: [AFI-1]
    """,
    "information-return/IR-01.yaml": "number: 1\ntitle: One\nquality_statements: [QS1]\n"
    "status: ready\nowner: Lead\nevidence: [EV-101]\n",
    "information-return/IR-02.yaml": "number: 2\ntitle: Two\nquality_statements: [QS4]\n"
    "status: uploaded\nowner: Lead\nevidence: [EV-102]\n",
    "information-return/IR-03.yaml": "number: 3\ntitle: Three\nquality_statements: [QS1]\n"
    "status: not-started\nowner: Lead\n",
    "information-return/IR-04.yaml": "number: 4\ntitle: Four\nquality_statements: [QS9]\n"
    "status: not-applicable\nreason: We have no such service.\n",
}


def test_mixed_repository(tmp_path: Path) -> None:
    readiness = _gaps(_repo(tmp_path, 4, MIXED)).readiness
    assert readiness.overall == 33.1
    assert readiness.components == {
        "coverage": 19.4,
        "information_return": 75.0,
        "self_assessment": 14.8,
        "expected_evidence": 7.0,
    }
    assert readiness.themes == {"T1": 34.9, "T2": 41.7, "T3": 7.0, "T4": 30.9}
    assert readiness.theme_components == {
        "T1": {
            "coverage": 33.3,
            "information_return": 50.0,
            "self_assessment": 33.3,
            "expected_evidence": 10.7,
        },
        "T2": {
            "coverage": 25.0,
            "information_return": 100.0,
            "self_assessment": 16.7,
            "expected_evidence": 0.0,
        },
        "T3": {"coverage": 12.5, "self_assessment": 0.0, "expected_evidence": 7.7},
        "T4": {
            "coverage": 0.0,
            "information_return": 100.0,
            "self_assessment": 0.0,
            "expected_evidence": 6.3,
        },
    }


def _complete_ratings() -> dict[str, str]:
    """Nine ratings meeting all six criteria, backed by an item that fills no coverage cell."""
    files = {
        "evidence/EV-301.yaml": _evidence("EV-301", ["QS1"], ["outcomes"]),
        "actions/ACT-01.yaml": "id: ACT-01\ntitle: t\nowner: o\ndue: 2027-03-31\n"
        f"answers: [{', '.join(f'AFI-{q}' for q in ALL_QS)}]\n",
    }
    for q in ALL_QS:
        files[f"ratings/{q}.yaml"] = yaml.safe_dump(
            {
                "quality_statement": q,
                "self_score": 2,
                "narrative": "What we do.",
                "strengths": [{"id": f"S-{q}", "text": "s", "evidence": ["EV-301"]}],
                "areas_for_improvement": [{"id": f"AFI-{q}", "text": "a", "evidence": ["EV-301"]}],
            },
            sort_keys=False,
        )
    return files


def _every_expected_kind() -> dict[str, str]:
    kinds = [e["id"] for e in builtin_framework_data("cqc-la-2024")["expected_evidence"]]
    return {
        "evidence/EV-401.yaml": _evidence("EV-401", ALL_QS, ["outcomes"], expected_evidence=kinds)
    }


# One part at a time: each repository has one part complete and the others at nothing, so the
# overall score is that part's weight. The return has 1 item; where it has no file its row is
# "missing" (0/1) and names no quality statement, so it counts in every theme as it does
# overall: each theme has the same four parts as the whole, and scores that part's weight too
# (30.0, 25.0, 15.0). Where the one item is uploaded it names QS1: T1 = 30.0 and the other
# themes, with no return part and nothing else, 0.0.
@pytest.mark.parametrize(
    ("files", "overall", "themes"),
    [
        pytest.param(
            # One item on every quality statement in every applied category: 36/36 cells.
            {"evidence/EV-201.yaml": _evidence("EV-201", ALL_QS, APPLIED)},
            30.0,
            {"T1": 30.0, "T2": 30.0, "T3": 30.0, "T4": 30.0},
            id="coverage",
        ),
        pytest.param(
            {
                "information-return/IR-01.yaml": "number: 1\ntitle: t\nquality_statements: "
                "[QS1]\nstatus: uploaded\nowner: o\n"
            },
            30.0,
            {"T1": 30.0, "T2": 0.0, "T3": 0.0, "T4": 0.0},
            id="information-return",
        ),
        pytest.param(
            _complete_ratings(),
            25.0,
            {"T1": 25.0, "T2": 25.0, "T3": 25.0, "T4": 25.0},
            id="self-assessment",
        ),
        pytest.param(
            _every_expected_kind(),
            15.0,
            {"T1": 15.0, "T2": 15.0, "T3": 15.0, "T4": 15.0},
            id="expected-evidence",
        ),
    ],
)
def test_each_part_alone_scores_its_weight(
    tmp_path: Path, files: dict[str, str], overall: float, themes: dict[str, float]
) -> None:
    readiness = _gaps(_repo(tmp_path, 1, files)).readiness
    assert readiness.overall == overall
    assert sorted(readiness.components.values()) == [0.0, 0.0, 0.0, 100.0]
    assert readiness.themes == themes


def test_every_part_complete_is_100(tmp_path: Path) -> None:
    files = {
        **_complete_ratings(),
        **_every_expected_kind(),
        "evidence/EV-201.yaml": _evidence("EV-201", ALL_QS, APPLIED),
        "information-return/IR-01.yaml": "number: 1\ntitle: t\nquality_statements: [QS1]\n"
        "status: uploaded\nowner: o\n",
    }
    readiness = _gaps(_repo(tmp_path, 1, files)).readiness
    assert readiness.overall == 100.0
    assert readiness.themes == {"T1": 100.0, "T2": 100.0, "T3": 100.0, "T4": 100.0}


def test_an_empty_repository_scores_0(tmp_path: Path) -> None:
    readiness = _gaps(_repo(tmp_path, 38, {})).readiness
    assert readiness.overall == 0.0
    assert readiness.components == {
        "coverage": 0.0,
        "information_return": 0.0,
        "self_assessment": 0.0,
        "expected_evidence": 0.0,
    }


def _item(number: int, status: str, qs: list[str] | None = None) -> str:
    named = f"quality_statements: [{', '.join(qs)}]\n" if qs else ""
    return f"number: {number}\ntitle: Item {number}\nstatus: {status}\nowner: o\n{named}"


def test_a_new_repositorys_themes_are_no_higher_than_the_whole(tmp_path: Path) -> None:
    """As ``init`` leaves it: 38 return items, none naming a quality statement, none started.
    With the nine ratings complete (and nothing else), overall = .25(54/54) + .3(0/38) = 25.0.
    Each theme's return part is the same 38 items (they could be about any theme), 0/38, so
    each theme is 25.0 too; counting them in no theme gave 25/70 = 35.7 everywhere."""
    files = _complete_ratings() | {
        f"information-return/IR-{n:02}.yaml": _item(n, "not-started") for n in range(1, 39)
    }
    readiness = _gaps(_repo(tmp_path, 38, files)).readiness
    assert readiness.overall == 25.0
    assert readiness.themes == {"T1": 25.0, "T2": 25.0, "T3": 25.0, "T4": 25.0}
    assert readiness.return_items_in_every_theme == 38


def test_items_naming_no_quality_statement_count_in_every_theme(tmp_path: Path) -> None:
    """Four items: 1 ready naming none, 2 not started naming none, 3 uploaded on QS1 (T1), 4 not
    started on QS6 (T3); the nine ratings complete, no coverage, no expected evidence.
    Return parts: overall 1, 3 of 4 = 50.0; T1 items 1 2 3, done 1 3 = 2/3 (66.7); T2 and T4
    items 1 2 = 1/2; T3 items 1 2 4 = 1/3 (33.3).
    overall .3(1/2) + .25 = .4000 -> 40.0;  T1 .3(2/3) + .25 = .4500 -> 45.0;
    T2 and T4 .1500 + .25 -> 40.0;  T3 .3(1/3) + .25 = .3500 -> 35.0."""
    files = _complete_ratings() | {
        "information-return/IR-01.yaml": _item(1, "ready"),
        "information-return/IR-02.yaml": _item(2, "not-started"),
        "information-return/IR-03.yaml": _item(3, "uploaded", ["QS1"]),
        "information-return/IR-04.yaml": _item(4, "not-started", ["QS6"]),
    }
    readiness = _gaps(_repo(tmp_path, 4, files)).readiness
    assert readiness.overall == 40.0
    assert readiness.components["information_return"] == 50.0
    assert readiness.themes == {"T1": 45.0, "T2": 40.0, "T3": 35.0, "T4": 40.0}
    returns = {t: c["information_return"] for t, c in readiness.theme_components.items()}
    assert returns == {"T1": 66.7, "T2": 50.0, "T3": 33.3, "T4": 50.0}
    assert readiness.return_items_in_every_theme == 2
