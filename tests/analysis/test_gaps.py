"""ascready gaps: every rule, its boundaries, the bundled repository's planted gaps, the CLI."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from ascready.analysis.gaps import GapsReport, add_months, quality_statement_score, run_gaps
from ascready.cli import app
from ascready.repository.framework import Framework
from ascready.repository.loader import builtin_framework_data
from tests.conftest import REPO_ROOT

MakeRepo = Callable[..., Path]
DAY = dt.date(2026, 11, 23)
EXAMPLE = REPO_ROOT / "evidence"


def _evidence(ident: str, **fields: object) -> str:
    data: dict[str, object] = {
        "id": ident,
        "title": f"Evidence {ident}",
        "kind": "report",
        "categories": ["processes"],
        "quality_statements": ["QS1"],
        "owner": "Head of Service",
        "as_of": "2026-06-01",
        "review_by": "2099-01-01",
        "classification": "public",
    }
    data.update(fields)
    return yaml.safe_dump(data, sort_keys=False)


@pytest.fixture(scope="module")
def example() -> GapsReport:
    return run_gaps(EXAMPLE, as_of="2026-11-23", today=DAY)


# --- the bundled repository: every planted gap, in the right part ------------------------------


def test_stale_draft_and_unowned_evidence(example: GapsReport) -> None:
    not_current = {s.id: s.reasons for s in example.coverage.not_current}
    for ident in ("EV-005", "EV-013", "EV-014", "EV-025", "EV-046"):
        assert any("older than 12 months" in r for r in not_current[ident]), ident
    assert "status is draft" in not_current["EV-038"]
    assert {s.id for s in example.coverage.unowned} == {"EV-012", "EV-035", "EV-064"}


def test_thin_quality_statements(example: GapsReport) -> None:
    thin = {r.quality_statement: set(r.thin) for r in example.coverage.rows}
    assert {"peoples-experience", "partners"} <= thin["QS3"]
    assert "partners" in thin["QS9"]
    qs3 = next(r for r in example.coverage.rows if r.quality_statement == "QS3")
    assert qs3.counts["peoples-experience"] == 0


def test_information_return(example: GapsReport) -> None:
    ir = example.information_return
    assert [r.number for r in ir.rows] == list(range(1, 39))
    # information-return/: 10 ready (5 8 11 13 15 20 24 28 33 37), 14 uploaded (1 2 4 6 7 10
    # 12 18 19 23 27 29 31 36), 2 not applicable (25 38).
    assert ir.headline == "24 of 38 ready or uploaded (2 not applicable)"
    rows = {r.number: r for r in ir.rows}
    for number in (3, 17, 22):
        assert "no evidence" in rows[number].blockers
    assert "no owner" in rows[17].blockers and "no owner" in rows[22].blockers
    assert rows[25].status == "not-applicable" and rows[25].blockers == ()


def test_self_assessment_gaps(example: GapsReport) -> None:
    sa = example.self_assessment
    by_qs = {r.quality_statement: r for r in sa.ratings}
    assert "narrative" in by_qs["QS6"].missing
    assert {a for _, a, _ in sa.areas_without_action} == {"AFI-QS1-03", "AFI-QS3-02", "AFI-QS7-02"}
    unsupported = {u.quality_statement: u for u in sa.unsupported_scores}
    assert unsupported["QS3"].self_score == 3
    assert any("people's experience" in r for r in unsupported["QS3"].reasons)
    assert "QS9" in unsupported  # scored 3 with no partners evidence
    issues = {a.id: a.problems for a in sa.action_issues}
    assert any(p.startswith("overdue") for p in issues["ACT-02"])
    assert "no owner" in issues["ACT-06"]


def test_expected_evidence_gaps_name_the_kind(example: GapsReport) -> None:
    assert example.expected_evidence, "the example tags only part of the catalogue"
    assert all(g.title and g.category for g in example.expected_evidence)
    assert len(example.expected_evidence) < example.expected_total


def test_deadlines_and_predicted_rating(example: GapsReport) -> None:
    assert example.deadlines.next == "Information return due"
    due = next(d for d in example.deadlines.dates if d.name == "Information return due")
    assert due.days_left == 7  # 2026-11-23 to 2026-11-30
    # Not started or in progress, the items not ready for the return:
    assert due.blocking == (3, 9, 14, 16, 17, 21, 22, 26, 30, 32, 34, 35)
    visit = next(d for d in example.deadlines.dates if d.name == "Site visit")
    assert visit.days_left == 77  # 7 days of November, 31 + 31, and 8 of February
    # Not uploaded by the visit: those, and the ten that are ready but not uploaded yet.
    assert visit.blocking == (
        *(3, 5, 8, 9, 11, 13, 14, 15, 16, 17, 20, 21, 22),
        *(24, 26, 28, 30, 32, 33, 34, 35, 37),
    )
    by_qs = next(p for p in example.predicted if p.method == "quality-statement")
    # Self-scores 2 3 3 3 3 2 3 3 3 = 25 of 36 = 69.44%, rounded half up: 69, good (63 to 87).
    # (CQC publishes ceil(25 * 100 / 36) = 70: changing the rule is changing this number.)
    assert by_qs.scores == {f"QS{n}": 2 if n in (1, 6) else 3 for n in range(1, 10)}
    assert by_qs.percent == 69
    assert by_qs.rating == "good"


def _summary(day: str) -> dict[str, list[str]]:
    from ascready.output.gaps_format import summary_lines

    lines: dict[str, list[str]] = {}
    for label, text in summary_lines(run_gaps(EXAMPLE, as_of=day, today=DAY)):
        lines.setdefault(label, []).append(text)
    return lines


def test_a_passed_deadline_with_items_not_done_is_overdue() -> None:
    """The example: return due 2026-11-30 with 12 items not ready (items 3, 9, ... above), the
    site visit 2027-02-08 with 22 not uploaded."""
    before = _summary("2026-11-23")
    assert "Overdue" not in before
    assert before["Next deadline"] == [
        "Information return due, 2026-11-30 (in 7 days): 12 items not ready or uploaded"
    ]
    between = _summary("2026-12-03")
    assert between["Overdue"] == [
        "Information return due, 2026-11-30 (3 days ago): 12 items still not ready or uploaded"
    ]
    assert between["Next deadline"] == [
        "Site visit, 2027-02-08 (in 67 days): 22 items not uploaded"
    ]  # 28 days to the end of December, 31 of January, 8 of February
    # 2027-03-01 is 31 + 31 + 28 + 1 = 91 days after 2026-11-30, and 20 + 1 = 21 after 02-08.
    after = _summary("2027-03-01")
    assert after["Overdue"] == [
        "Information return due, 2026-11-30 (91 days ago): 12 items still not ready or uploaded",
        "Site visit, 2027-02-08 (21 days ago): 22 items still not uploaded",
    ]
    assert "Next deadline" not in after


def test_passed_dates_with_nothing_left_to_do_are_not_overdue(
    make_repo: MakeRepo,
) -> None:
    from ascready.output.gaps_format import summary_lines

    root = make_repo()
    for path in (root / "information-return").glob("*.yaml"):  # both items uploaded
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"status: .*", "status: uploaded", text), encoding="utf-8")
    report = run_gaps(root, as_of="2028-01-01", today=DAY)
    assert report.validation_errors == 0
    assert [r.status for r in report.information_return.rows] == ["uploaded", "uploaded"]
    lines = dict(summary_lines(report))
    assert "Overdue" not in lines
    assert lines["Next deadline"] == (
        "all the dates in ascready.yaml have passed, with nothing left to do"
    )


UNBACKED_RATING = """
    quality_statement: QS1
    self_score: 2
    narrative: Most people have a timely assessment.
    strengths:
      - {id: S-QS1-01, text: Strong carers' offer, evidence: [EV-001]}
      - {id: S-QS1-02, text: Quick reviews}
    areas_for_improvement:
      - {id: AFI-QS1-01, text: Waiting times, evidence: [EV-003], actions: [ACT-01]}
"""


def test_statements_with_no_current_evidence_are_listed_with_their_file(
    make_repo: MakeRepo,
) -> None:
    """S-QS1-02 cites nothing; AFI-QS1-01 cites only a draft; S-QS1-01 cites a current item."""
    from ascready.output.gaps_format import render_markdown, render_plain_text

    root = make_repo(
        {
            "ratings/QS1.yaml": UNBACKED_RATING,
            "evidence/EV-003.yaml": _evidence("EV-003", status="draft"),
        }
    )
    report = run_gaps(root, as_of="2026-11-23", today=DAY)
    assert report.validation_errors == 0
    listed = [
        (u.quality_statement, u.id, u.kind, u.text, u.file, u.why)
        for u in report.self_assessment.unbacked_statements
    ]
    assert listed == [
        ("QS1", "S-QS1-02", "strength", "Quick reviews", "ratings/QS1.yaml", "cites no evidence"),
        (
            *("QS1", "AFI-QS1-01", "area for improvement", "Waiting times", "ratings/QS1.yaml"),
            "EV-003 is not current (status is draft)",
        ),
    ]
    markdown = render_markdown(report)
    section = markdown.split("### Strengths and areas for improvement with no current evidence")[1]
    rows = [line for line in section.split("\n\n")[1].splitlines() if line.startswith("| QS")]
    assert rows == [
        "| QS1 | S-QS1-02 | Strength: Quick reviews | `ratings/QS1.yaml` | cites no evidence |",
        "| QS1 | AFI-QS1-01 | Area for improvement: Waiting times | `ratings/QS1.yaml` "
        "| EV-003 is not current (status is draft) |",
    ]
    text = render_plain_text(report, width=200)
    section = text.split("Strengths and areas for improvement with no current evidence")[1]
    row = next(line for line in section.splitlines() if "S-QS1-02" in line)
    assert "Strength: Quick reviews" in row and "ratings/QS1.yaml" in row
    assert "S-QS1-01" not in section.split("Self-scores")[0]


# --- rules and boundaries on small repositories ------------------------------------------------


def test_review_due_today_counts_and_yesterday_does_not(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "evidence/EV-010.yaml": _evidence("EV-010", review_by="2026-11-23"),
            "evidence/EV-011.yaml": _evidence("EV-011", review_by="2026-11-22"),
        }
    )
    report = run_gaps(root, as_of="2026-11-23", today=DAY)
    not_current = {s.id for s in report.coverage.not_current}
    assert "EV-011" in not_current and "EV-010" not in not_current
    assert (
        "review due today" in next(s for s in report.coverage.due_soon if s.id == "EV-010").reasons
    )


def test_staleness_boundary_is_the_policy_to_the_day(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "evidence/EV-010.yaml": _evidence("EV-010", as_of="2025-11-23"),  # exactly 12 months
            "evidence/EV-011.yaml": _evidence("EV-011", as_of="2025-11-22"),  # a day more
        }
    )
    not_current = {s.id for s in run_gaps(root, as_of="2026-11-23", today=DAY).coverage.not_current}
    assert "EV-011" in not_current and "EV-010" not in not_current


def test_as_of_a_later_date_shows_what_will_be_stale_by_then(make_repo: MakeRepo) -> None:
    root = make_repo({"evidence/EV-010.yaml": _evidence("EV-010", review_by="2027-01-31")})
    assert "EV-010" not in {s.id for s in run_gaps(root, today=DAY).coverage.not_current}
    later = run_gaps(root, as_of="site-visit", today=DAY)  # base profile: site visit 2027-02-08
    assert later.as_of == dt.date(2027, 2, 8)
    assert "EV-010" in {s.id for s in later.coverage.not_current}


def test_exactly_the_minimum_is_not_thin(make_repo: MakeRepo) -> None:
    extra = {
        f"evidence/EV-1{n}.yaml": _evidence(f"EV-1{n}", categories=["partners"]) for n in range(3)
    }
    root = make_repo(extra)
    at = run_gaps(root, minimum=3, today=DAY)
    above = run_gaps(root, minimum=4, today=DAY)
    qs1 = {r.quality_statement: r for r in at.coverage.rows}["QS1"]
    assert qs1.counts["partners"] == 3 and "partners" not in qs1.thin
    assert "partners" in {r.quality_statement: r for r in above.coverage.rows}["QS1"].thin


def test_minimum_comes_from_the_profile(make_repo: MakeRepo) -> None:
    profile = (REPO_ROOT / "tests/fixtures/base/ascready.yaml").read_text(encoding="utf-8")
    root = make_repo({"ascready.yaml": profile + "gaps:\n  minimum_per_cell: 5\n"})
    assert run_gaps(root, today=DAY).coverage.minimum == 5


def test_information_return_blockers(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "evidence/EV-010.yaml": _evidence("EV-010", status="superseded"),
            "information-return/IR-01.yaml": "number: 1\ntitle: Policy\nstatus: ready\n"
            "evidence: [EV-010]\n",
        }
    )
    rows = {r.number: r for r in run_gaps(root, today=DAY).information_return.rows}
    assert rows[1].blockers == ("no owner", "EV-010 is not current (status is superseded)")
    assert rows[2].blockers == ()


def test_missing_return_items_are_rows(make_repo: MakeRepo) -> None:
    profile = (REPO_ROOT / "tests/fixtures/base/ascready.yaml").read_text(encoding="utf-8")
    root = make_repo(
        {
            "ascready.yaml": profile.replace(
                "information_return_items: 2", "information_return_items: 4"
            )
        }
    )
    ir = run_gaps(root, today=DAY).information_return
    assert [(r.number, r.status) for r in ir.rows][2:] == [(3, "missing"), (4, "missing")]
    assert ir.headline == "1 of 4 ready or uploaded"


def test_return_item_with_errors_is_not_called_missing(make_repo: MakeRepo) -> None:
    root = make_repo(
        {"information-return/IR-02.yaml": "number: 2\ntitle: t\nstatus: not-applicable\n"}
    )
    rows = {r.number: r for r in run_gaps(root, today=DAY).information_return.rows}
    assert rows[2].blockers == ("information-return/IR-02.yaml has errors: run ascready validate",)


def _rating(qs: str, score: int, **extra: object) -> str:
    data: dict[str, object] = {"quality_statement": qs, "self_score": score}
    data.update(extra)
    return yaml.safe_dump(data, sort_keys=False)


def test_score_of_3_without_peoples_experience_is_questioned(make_repo: MakeRepo) -> None:
    root = make_repo({"ratings/QS4.yaml": _rating("QS4", 3), "ratings/QS3.yaml": _rating("QS3", 2)})
    unsupported = {
        u.quality_statement: u for u in run_gaps(root, today=DAY).self_assessment.unsupported_scores
    }
    assert any("people's experience" in r for r in unsupported["QS4"].reasons)
    assert "QS3" not in unsupported  # a 2 is not questioned


def test_score_of_4_with_thin_evidence_is_questioned(make_repo: MakeRepo) -> None:
    cats = ["peoples-experience", "staff-and-leaders", "partners", "processes"]
    files = {
        f"evidence/EV-2{n}.yaml": _evidence(f"EV-2{n}", categories=cats, quality_statements=["QS5"])
        for n in range(2)
    }
    files["evidence/EV-29.yaml"] = _evidence(
        "EV-29", categories=["partners"], quality_statements=["QS5"]
    )
    files["ratings/QS5.yaml"] = _rating("QS5", 4)
    root = make_repo(files)
    assert not run_gaps(root, minimum=2, today=DAY).self_assessment.unsupported_scores[1:]
    flagged = run_gaps(root, minimum=3, today=DAY).self_assessment.unsupported_scores
    qs5 = next(u for u in flagged if u.quality_statement == "QS5")
    assert all("exceptional" in r for r in qs5.reasons) and len(qs5.reasons) == 3


def test_areas_for_improvement_answered_from_either_side(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "ratings/QS2.yaml": yaml.safe_dump(
                {
                    "quality_statement": "QS2",
                    "areas_for_improvement": [
                        {"id": "AFI-A", "text": "a"},
                        {"id": "AFI-B", "text": "b"},
                        {"id": "AFI-C", "text": "c", "actions": ["ACT-01"]},
                        {"id": "AFI-D", "text": "d", "actions": ["ACT-03"]},
                    ],
                }
            ),
            "actions/ACT-02.yaml": "id: ACT-02\ntitle: t\nowner: o\nanswers: [AFI-A]\n",
            "actions/ACT-03.yaml": "id: ACT-03\ntitle: t\nstatus: cancelled\nanswers: [AFI-D]\n",
        }
    )
    without = {a for _, a, _ in run_gaps(root, today=DAY).self_assessment.areas_without_action}
    assert without == {"AFI-B", "AFI-D"}  # D's only action was cancelled


# --- the two scoring methods at every threshold ---------------------------------------------


@pytest.fixture(scope="module")
def framework() -> Framework:
    return Framework.model_validate(builtin_framework_data("cqc-la-2024"))


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([1, 1, 2, 2], (38, 1)),  # 6/16 = 37.5% -> 38: the top of band 1
        ([1, 2, 2, 2], (44, 2)),
        ([2, 2, 2, 2], (50, 2)),
        ([2, 2, 2, 3], (56, 2)),
        ([2, 2, 3, 3], (63, 3)),  # 62.5% rounds half up to 63: band 3
        ([3, 3, 3, 4], (81, 3)),
        ([3, 3, 4, 4], (88, 4)),  # 87.5% -> 88: "over 87%"
        ([1, 1, 1], (25, 1)),
        ([1, 2, 2], (42, 2)),
        ([4, 4, 3], (92, 4)),
    ],
)
def test_evidence_category_method(
    framework: Framework, scores: list[int], expected: tuple[int, int]
) -> None:
    assert quality_statement_score(framework, scores) == expected


@pytest.mark.parametrize(
    ("total", "percent", "rating"),
    [
        (13, 36, "inadequate"),
        (14, 39, "requires-improvement"),
        (22, 61, "requires-improvement"),
        (23, 64, "good"),
        (31, 86, "good"),
        (32, 89, "outstanding"),
        (36, 100, "outstanding"),
    ],
)
def test_quality_statement_method_at_each_threshold(
    make_repo: MakeRepo, total: int, percent: int, rating: str
) -> None:
    scores = [total // 9 + (1 if n < total % 9 else 0) for n in range(9)]
    root = make_repo(
        {f"ratings/QS{n + 1}.yaml": _rating(f"QS{n + 1}", s) for n, s in enumerate(scores)}
    )
    predicted = next(
        p for p in run_gaps(root, today=DAY).predicted if p.method == "quality-statement"
    )
    assert (predicted.percent, predicted.rating) == (percent, rating)


def test_category_method_uses_category_scores_and_says_where_it_could_not(
    make_repo: MakeRepo,
) -> None:
    root = make_repo(
        {
            "ratings/QS2.yaml": _rating(
                "QS2", 3, category_scores={"processes": 2, "partners": 2, "People's experience": 3}
            ),
        }
    )
    by_category = next(
        p for p in run_gaps(root, today=DAY).predicted if p.method == "evidence-category"
    )
    assert by_category.scores == {"QS1": 3, "QS2": 2}  # 7/12 = 58% -> 2; QS1 has only a self-score
    assert any("QS2: category scores give 2" in n for n in by_category.notes)
    assert any("QS1: no category scores" in n for n in by_category.notes)
    assert by_category.percent == 63 and by_category.rating == "good"


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2025, 11, 23), 12) == dt.date(2026, 11, 23)


# --- readiness ---------------------------------------------------------------------------------


def test_readiness_rises_when_a_gap_is_filled(make_repo: MakeRepo) -> None:
    before = run_gaps(make_repo(name="a"), today=DAY).readiness
    filled = {  # two items: the minimum for both cells
        f"evidence/EV-01{n}.yaml": _evidence(
            f"EV-01{n}", categories=["partners", "staff-and-leaders"], quality_statements=["QS4"]
        )
        for n in range(2)
    }
    after = run_gaps(make_repo(filled, name="b"), today=DAY).readiness
    assert after.components["coverage"] > before.components["coverage"]
    assert after.overall > before.overall and after.themes["T2"] > before.themes["T2"]
    assert after.themes["T4"] == before.themes["T4"]


def test_gaps_runs_on_a_repository_with_errors(make_repo: MakeRepo, runner: CliRunner) -> None:
    root = make_repo(
        {
            "evidence/EV-010.yaml": "id: EV-010\ntitle: [broken\n",
            "actions/ACT-09.yaml": "id: ACT-09\n",
        }
    )
    result = runner.invoke(app, ["gaps", str(root), "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["validation_errors"] == 2
    text = runner.invoke(app, ["gaps", str(root)])
    assert "validate found 2 errors" in text.stdout


# --- the command -----------------------------------------------------------------------------


def test_fail_under(runner: CliRunner) -> None:
    # The example's readiness on 2026-11-23 is 75.3 (tests/analysis/test_readiness.py).
    args = ["gaps", str(EXAMPLE), "--format", "json", "--as-of", "2026-11-23"]
    below = runner.invoke(app, [*args, "--fail-under", "75.4"])
    assert below.exit_code == 1
    assert "Readiness 75.3% is below --fail-under 75.4%." in below.stderr
    at = runner.invoke(app, [*args, "--fail-under", "75.3"])
    assert at.exit_code == 0
    assert at.stderr == ""


def test_markdown_renders_tables_and_is_deterministic(runner: CliRunner) -> None:
    args = ["gaps", str(EXAMPLE), "--format", "markdown", "--as-of", "2026-11-23"]
    first, second = runner.invoke(app, args), runner.invoke(app, args)
    assert first.exit_code == 0 and first.stdout == second.stdout
    tokens = MarkdownIt("commonmark").enable("table").parse(first.stdout)
    assert sum(1 for t in tokens if t.type == "table_open") >= 8
    assert first.stdout.startswith("# CQC readiness: Avonmere Council")
    assert "not CQC's" in first.stdout


def test_json_is_the_whole_report(runner: CliRunner) -> None:
    result = runner.invoke(app, ["gaps", str(EXAMPLE), "--format", "json", "--as-of", "2026-11-23"])
    data = json.loads(result.stdout)
    assert data["as_of"] == "2026-11-23"
    assert data["information_return"]["headline"].endswith("ready or uploaded (2 not applicable)")
    assert {
        "coverage",
        "self_assessment",
        "expected_evidence",
        "deadlines",
        "predicted",
        "readiness",
    } <= set(data)


def test_usage_errors(runner: CliRunner, tmp_path: Path) -> None:
    bad_date = runner.invoke(app, ["gaps", str(EXAMPLE), "--as-of", "next March"])
    assert bad_date.exit_code == 2 and "is not a date" in bad_date.stderr
    no_out = runner.invoke(app, ["gaps", str(EXAMPLE), "--format", "xlsx"])
    assert no_out.exit_code == 2 and "--out" in no_out.stderr
    existing = tmp_path / "report.md"
    existing.write_text("mine", encoding="utf-8")
    refused = runner.invoke(
        app, ["gaps", str(EXAMPLE), "--format", "markdown", "--out", str(existing)]
    )
    assert refused.exit_code == 2 and existing.read_text(encoding="utf-8") == "mine"
    replaced = runner.invoke(
        app, ["gaps", str(EXAMPLE), "--format", "markdown", "--out", str(existing), "--force"]
    )
    assert replaced.exit_code == 0 and existing.read_text(encoding="utf-8").startswith("# CQC")


def test_text_report_starts_with_the_summary(runner: CliRunner) -> None:
    result = runner.invoke(app, ["gaps", str(EXAMPLE), "--as-of", "2026-11-23"])
    assert result.exit_code == 0
    head = result.stdout[:1500]
    assert "Avonmere Council: CQC readiness on 2026-11-23" in head
    assert "Readiness" in head and "Information return" in head and "not CQC's" in head


def test_no_self_scores_yet_says_why_there_is_no_prediction(
    make_repo: MakeRepo, runner: CliRunner
) -> None:
    root = make_repo()
    for path in (root / "ratings").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(
            "\n".join(x for x in text.splitlines() if not x.startswith(("self_score", "category")))
            + "\n",
            encoding="utf-8",
        )
    report = run_gaps(root, today=dt.date(2026, 11, 23))
    assert not report.predicted[0].available
    assert report.predicted[0].notes == ("no rating has a self_score yet",)
    result = runner.invoke(app, ["gaps", str(root), "--full"])
    assert "not available (no rating has a self_score yet)" in result.stdout
