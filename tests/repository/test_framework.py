"""The built-in framework data and how references to it resolve."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from pydantic import ValidationError

from ascready.repository.framework import BUILTIN_FRAMEWORKS, Framework
from ascready.repository.loader import builtin_framework_data


@pytest.fixture(scope="module")
def framework() -> Framework:
    return Framework.model_validate(builtin_framework_data("cqc-la-2024"))


def test_shape_of_the_cqc_framework(framework: Framework) -> None:
    assert [t.id for t in framework.themes] == ["T1", "T2", "T3", "T4"]
    assert [q.id for q in framework.quality_statements] == [f"QS{n}" for n in range(1, 10)]
    by_theme = {
        t.id: [q.id for q in framework.quality_statements if q.theme == t.id]
        for t in framework.themes
    }
    assert by_theme == {
        "T1": ["QS1", "QS2", "QS3"],
        "T2": ["QS4", "QS5"],
        "T3": ["QS6", "QS7"],
        "T4": ["QS8", "QS9"],
    }
    assert all(q.we_statement for q in framework.quality_statements)
    # Theme 4 has no I statements; every other quality statement has at least one.
    assert all(bool(q.i_statements) == (q.theme != "T4") for q in framework.quality_statements)


def test_evidence_categories_and_what_cqc_applies(framework: Framework) -> None:
    applied = {c.id: c.applied for c in framework.evidence_categories}
    assert applied == {
        "peoples-experience": True,
        "staff-and-leaders": True,
        "partners": True,
        "observation": False,
        "processes": True,
        "outcomes": False,
    }


def test_expected_evidence_covers_every_quality_statement(framework: Framework) -> None:
    covered = {qs for e in framework.expected_evidence for qs in e.quality_statements}
    assert covered == {q.id for q in framework.quality_statements}


@pytest.mark.parametrize(
    ("ref", "qs"),
    [
        ("QS1", "QS1"),
        ("qs 7", "QS7"),
        ("7", "QS7"),
        ("assessing-needs", "QS1"),
        ("Equity in experiences and outcomes", "QS3"),
        ("Safe pathways, systems and transitions", "QS6"),
        ("SAFEGUARDING", "QS7"),
        ("Supporting people to lead healthier lives", "QS2"),
        ("Partnership and communities", "QS5"),
        ("QS10", None),
        ("Leadership", None),
    ],
)
def test_quality_statement_references(framework: Framework, ref: str, qs: str | None) -> None:
    assert framework.resolve_quality_statement(ref) == qs


def test_other_references(framework: Framework) -> None:
    assert framework.resolve_category("People's experience of health and care services") == (
        "peoples-experience"
    )
    assert framework.resolve_theme("Safety within the system") == "T3"
    assert framework.resolve_duty("s42") == "safeguarding"
    assert framework.resolve_duty("Section 31") == "direct-payments"


def _published_rating(framework: Framework, scores: list[int]) -> str:
    """The overall rating from quality statement scores, by the framework's own data."""
    percent = int(sum(scores) / (4 * len(scores)) * 100 + 0.5)
    (band,) = [
        b for b in framework.scoring.rating_bands if b.min_percent <= percent <= b.max_percent
    ]
    return f"{percent}% {band.rating}"


@pytest.mark.parametrize(
    ("scores", "published"),
    [
        ([3] * 9, "75% good"),  # Staffordshire
        ([3] * 8 + [4], "78% good"),  # Hertfordshire
        ([3] * 5 + [2] * 4, "64% good"),  # West Berkshire: 23/36
        ([4] * 5 + [3] * 4, "89% outstanding"),  # Camden
        ([2] * 5 + [1] * 4, "39% requires-improvement"),  # 14/36: the lowest RI
        ([1] * 4 + [2] * 4 + [1], "36% inadequate"),  # 13/36
    ],
)
def test_rating_bands_reproduce_published_results(
    framework: Framework, scores: list[int], published: str
) -> None:
    assert _published_rating(framework, scores) == published


def test_both_scoring_methods_are_described(framework: Framework) -> None:
    assert {m.id for m in framework.scoring.methods} == {"quality-statement", "evidence-category"}
    bands = sorted(framework.scoring.quality_statement_bands, key=lambda b: b.score)
    assert [(b.min_percent, b.max_percent) for b in bands] == [
        (25, 38),
        (39, 62),
        (63, 87),
        (88, 100),
    ]


def _broken(edit: Any, message: str) -> None:
    """The edit breaks the framework for exactly the reason given, and for no other."""
    data = copy.deepcopy(builtin_framework_data(BUILTIN_FRAMEWORKS[0]))
    edit(data)
    with pytest.raises(ValidationError, match=re.escape(message)) as raised:
        Framework.model_validate(data)
    assert raised.value.error_count() == 1


def test_internal_consistency_is_checked() -> None:
    _broken(
        lambda d: d["quality_statements"][0].update(theme="T9"),
        "QS1 names theme 'T9', which is not defined",
    )
    _broken(
        lambda d: d["quality_statements"][1].update(id="QS1"),
        "quality statement id QS1 is used more than once",
    )
    _broken(
        lambda d: d["expected_evidence"][0].update(category="smell"),
        "expected evidence 'jsna': unknown category smell",
    )
    _broken(
        lambda d: d["scoring"]["rating_bands"][1].update(min_percent=41),
        "rating_bands: bands must follow on from each other (38% then 41%)",
    )
    _broken(
        lambda d: d["scoring"].update(default_method="magic"),
        "default_method 'magic' is not one of the methods",
    )
