"""Building the gaps report from a loaded project: evidence states, coverage, the information
return, the self-assessment, expected evidence and deadlines.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from ascready.analysis.gaps.common import (
    CLOSED_ACTION,
    DONE_RETURN,
    SELF_ASSESSMENT_CRITERIA,
    SETTLED_FOR_RETURN,
    SETTLED_FOR_VISIT,
    add_months,
    resolved,
)
from ascready.analysis.gaps.metrics import build_metrics
from ascready.analysis.gaps.readiness import (
    predict_by_category,
    predict_by_statement,
    readiness_score,
)
from ascready.analysis.gaps.report import (
    ActionIssue,
    Coverage,
    CoverageRow,
    Deadline,
    Deadlines,
    EvidenceState,
    ExpectedGap,
    GapsReport,
    InformationReturn,
    RatingCompleteness,
    ReturnRow,
    SelfAssessment,
    UnbackedStatement,
    UnsupportedScore,
)
from ascready.repository import models
from ascready.repository.framework import Framework, QualityStatement, Term
from ascready.repository.project import Project


def evidence_states(
    project: Project, as_of: dt.date
) -> dict[str, tuple[EvidenceState, models.EvidenceItem]]:
    profile = project.profile
    months = profile.review_policy.stale_after_months if profile else 12
    soon = profile.review_policy.due_soon_days if profile else 30
    out: dict[str, tuple[EvidenceState, models.EvidenceItem]] = {}
    for doc in project.evidence:
        item = doc.model
        if item.id in out:  # a duplicate id: validate reports it; the first one counts
            continue
        reasons: list[str] = []
        current = True
        if item.status is not models.EvidenceStatus.CURRENT:
            current = False
            reasons.append(f"status is {item.status.value}")
        if item.review_by and item.review_by < as_of:
            current = False
            reasons.append(f"review was due on {item.review_by}")
        if item.as_of and add_months(item.as_of, months) < as_of:
            current = False
            reasons.append(f"as of {item.as_of}, older than {months} months")
        if current and item.review_by and (item.review_by - as_of).days <= soon:
            days = (item.review_by - as_of).days
            reasons.append("review due today" if days == 0 else f"review due in {days} days")
        if item.as_of is None:
            reasons.append("no as_of date")
        out[item.id] = (
            EvidenceState(
                item.id,
                doc.path,
                item.title,
                item.owner,
                item.as_of,
                item.review_by,
                current,
                tuple(reasons),
            ),
            item,
        )
    return out


def build_gaps(
    project: Project,
    as_of: dt.date,
    *,
    validation_errors: int = 0,
    validation_warnings: int = 0,
    minimum: int | None = None,
) -> GapsReport:
    fw = project.framework
    profile = project.profile
    if minimum is None:
        minimum = profile.gaps.minimum_per_cell if profile else 2
    states = evidence_states(project, as_of)
    qs_order = [q.id for q in fw.quality_statements]
    qs_theme = {q.id: q.theme for q in fw.quality_statements}

    coverage, counts = _coverage(fw, states, minimum)

    info_return = _information_return(project, states)
    self_assessment = _self_assessment(project, states, coverage, counts, as_of)
    expected, expected_total, expected_met = _expected(fw, states)
    deadlines = _deadlines(profile, info_return, as_of)
    predicted = (predict_by_statement(fw, project), predict_by_category(fw, project))
    readiness = readiness_score(
        fw, coverage, info_return, self_assessment, expected_met, project, qs_theme
    )
    return GapsReport(
        council=profile.council if profile else "(ascready.yaml has errors)",
        as_of=as_of,
        framework=fw.id,
        validation_errors=validation_errors,
        validation_warnings=validation_warnings,
        coverage=coverage,
        information_return=info_return,
        self_assessment=self_assessment,
        expected_evidence=expected,
        expected_total=expected_total,
        deadlines=deadlines,
        predicted=predicted,
        readiness=readiness,
        metrics=build_metrics(project),
        theme_titles={t.id: t.short_title for t in fw.themes},
        qs_titles={q: fw.quality_statement_by_id[q].title for q in qs_order},
    )


def _coverage(
    fw: Framework, states: dict[str, tuple[EvidenceState, models.EvidenceItem]], minimum: int
) -> tuple[Coverage, dict[tuple[str, str], int]]:
    """Current evidence per quality statement and applied category, and the count per cell."""
    applied = tuple(c.id for c in fw.evidence_categories if c.applied)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    current_by_qs: dict[str, set[str]] = defaultdict(set)
    for state, item in states.values():
        if not state.current:
            continue
        cats = resolved(fw, item.categories, Term.CATEGORY)
        for qs in resolved(fw, item.quality_statements, Term.QUALITY_STATEMENT):
            current_by_qs[qs].add(item.id)
            for cat in cats:
                counts[(qs, cat)] += 1
    rows = []
    for statement in fw.quality_statements:
        cell = {c: counts[(statement.id, c)] for c in applied}
        rows.append(
            CoverageRow(
                statement.id,
                statement.title,
                statement.theme,
                cell,
                tuple(c for c in applied if cell[c] < minimum),
                len(current_by_qs[statement.id]),
            )
        )
    all_states = sorted((s for s, _ in states.values()), key=lambda s: s.id)
    due_soon = [
        s for s in all_states if s.current and any(r.startswith("review due") for r in s.reasons)
    ]
    coverage = Coverage(
        applied,
        {c.id: c.short_title or c.title for c in fw.evidence_categories},
        minimum,
        tuple(rows),
        tuple(s for s in all_states if not s.current),
        tuple(due_soon),
        tuple(s for s in all_states if not s.owner),
    )
    return coverage, counts


def _information_return(
    project: Project, states: dict[str, tuple[EvidenceState, models.EvidenceItem]]
) -> InformationReturn:
    expected = project.profile.information_return_items if project.profile else 38
    by_number: dict[int, tuple[str, models.ReturnItem]] = {}
    for doc in project.return_items:
        by_number.setdefault(doc.model.number, (doc.path, doc.model))
    # Files that failed validation still hold their number: say so rather than "no file".
    invalid = {
        doc.data["number"]: doc.path
        for doc in project.documents
        if doc.kind == "return"
        and doc.model is None
        and isinstance(doc.data, dict)
        and isinstance(doc.data.get("number"), int)
    }
    rows = []
    for number in sorted(set(range(1, expected + 1)) | set(by_number)):
        if number not in by_number:
            broken = invalid.get(number)
            problem = (
                f"{broken} has errors: run ascready validate"
                if broken
                else ("no file for this item")
            )
            rows.append(
                ReturnRow(number, f"({problem})", "missing", None, broken, 0, 0, (problem,))
            )
            continue
        path, item = by_number[number]
        blockers: list[str] = []
        not_applicable = item.status is models.ReturnStatus.NOT_APPLICABLE
        known = [e for e in item.evidence if e in states]
        current = [e for e in known if states[e][0].current]
        if not not_applicable:
            if not item.owner:
                blockers.append("no owner")
            if not item.evidence:
                blockers.append("no evidence")
            for ref in item.evidence:
                if ref not in states:
                    blockers.append(f"{ref} does not exist")
                elif not states[ref][0].current:
                    blockers.append(f"{ref} is not current ({'; '.join(states[ref][0].reasons)})")
        rows.append(
            ReturnRow(
                number,
                item.title,
                item.status.value,
                item.owner,
                path,
                len(known),
                len(current),
                tuple(blockers),
            )
        )
    done = sum(1 for r in rows if r.status in {s.value for s in DONE_RETURN})
    na = sum(1 for r in rows if r.status == models.ReturnStatus.NOT_APPLICABLE.value)
    return InformationReturn(expected, done, na, tuple(rows))


def _self_assessment(
    project: Project,
    states: dict[str, tuple[EvidenceState, models.EvidenceItem]],
    coverage: Coverage,
    counts: dict[tuple[str, str], int],
    as_of: dt.date,
) -> SelfAssessment:
    fw = project.framework
    # An area for improvement is answered by a live action (any status but cancelled) that
    # names it, or that it names.
    live = {
        a.model.id for a in project.actions if a.model.status is not models.ActionStatus.CANCELLED
    }
    answered = {ref for a in project.actions if a.model.id in live for ref in a.model.answers}

    def backed(statement: models.Statement) -> bool:
        return any(e in states and states[e][0].current for e in statement.evidence)

    def has_action(area: models.AreaForImprovement) -> bool:
        return area.id in answered or any(ref in live for ref in area.actions)

    def why_unbacked(statement: models.Statement) -> str:
        if not statement.evidence:
            return "cites no evidence"
        return "; ".join(
            f"{e} does not exist"
            if e not in states
            else f"{e} is not current ({'; '.join(states[e][0].reasons)})"
            for e in statement.evidence
        )

    completeness: list[RatingCompleteness] = []
    unsupported: list[UnsupportedScore] = []
    without_action: list[tuple[str, str, str]] = []
    unbacked: list[UnbackedStatement] = []
    for q in fw.quality_statements:
        entry = project.ratings_by_qs.get(q.id)
        if entry is None:
            completeness.append(_not_rated(q))
            continue
        rating = entry.model
        completeness.append(_completeness(q, entry.path, rating, backed, has_action))
        for kind, statements in (
            ("strength", rating.strengths),
            ("area for improvement", rating.areas_for_improvement),
        ):
            unbacked.extend(
                UnbackedStatement(q.id, s.id, kind, s.text, entry.path, why_unbacked(s))
                for s in statements
                if not backed(s)
            )
        without_action.extend(
            (q.id, a.id, a.text) for a in rating.areas_for_improvement if not has_action(a)
        )
        reasons = _unsupported_reasons(fw, q.id, rating, coverage, counts)
        if reasons:
            assert rating.self_score is not None
            unsupported.append(UnsupportedScore(q.id, rating.self_score, reasons))
    return SelfAssessment(
        tuple(completeness),
        tuple(unsupported),
        tuple(without_action),
        _action_issues(project, as_of),
        tuple(unbacked),
    )


def _not_rated(q: QualityStatement) -> RatingCompleteness:
    return RatingCompleteness(
        q.id, q.title, q.theme, None, None, False, 0, 0, (), (), SELF_ASSESSMENT_CRITERIA
    )


def _completeness(
    q: QualityStatement,
    path: str,
    rating: models.Rating,
    backed: Callable[[models.Statement], bool],
    has_action: Callable[[models.AreaForImprovement], bool],
) -> RatingCompleteness:
    """How far one rating meets each of the self-assessment criteria."""
    statements = [*rating.strengths, *rating.areas_for_improvement]
    unbacked = tuple(s.id for s in statements if not backed(s))
    no_action = tuple(a.id for a in rating.areas_for_improvement if not has_action(a))
    met = (
        rating.self_score is not None,
        bool(rating.narrative.strip()),
        bool(rating.strengths),
        bool(rating.areas_for_improvement),
        bool(statements) and not unbacked,
        bool(rating.areas_for_improvement) and not no_action,
    )
    return RatingCompleteness(
        q.id,
        q.title,
        q.theme,
        path,
        rating.self_score,
        met[1],
        len(rating.strengths),
        len(rating.areas_for_improvement),
        unbacked,
        no_action,
        tuple(c for c, ok in zip(SELF_ASSESSMENT_CRITERIA, met, strict=True) if not ok),
    )


def _unsupported_reasons(
    fw: Framework,
    qs: str,
    rating: models.Rating,
    coverage: Coverage,
    counts: dict[tuple[str, str], int],
) -> tuple[str, ...]:
    """Why a self-score of 3 or 4 is not yet backed by the evidence, if it is not."""
    if rating.self_score is None or rating.self_score < 3:
        return ()
    applied = coverage.categories
    reasons = []
    empty = [c for c in applied if counts[(qs, c)] == 0]
    if "peoples-experience" in applied and "peoples-experience" in empty:
        reasons.append("no current evidence of people's experience: only the council's own view")
    reasons.extend(
        f"no current evidence from {fw.category_by_id[c].title.lower()}"
        for c in empty
        if c != "peoples-experience"
    )
    if rating.self_score == 4:
        thin = [c for c in applied if 0 < counts[(qs, c)] < coverage.minimum]
        reasons.extend(
            f"scored 4 (exceptional) with thin {fw.category_by_id[c].title.lower()} "
            f"evidence ({counts[(qs, c)]} item)"
            for c in thin
        )
    return tuple(reasons)


def _action_issues(project: Project, as_of: dt.date) -> tuple[ActionIssue, ...]:
    """Open improvement actions that are overdue, unowned or blocked."""
    issues = []
    for doc in project.actions:
        action = doc.model
        if action.status in CLOSED_ACTION:
            continue
        problems = []
        if action.due and action.due < as_of:
            problems.append(f"overdue since {action.due}")
        if not action.owner:
            problems.append("no owner")
        if action.status is models.ActionStatus.BLOCKED:
            problems.append("blocked")
        if problems:
            issues.append(
                ActionIssue(
                    action.id,
                    action.title,
                    doc.path,
                    action.owner,
                    action.due,
                    action.status.value,
                    tuple(problems),
                )
            )
    return tuple(sorted(issues, key=lambda i: i.id))


def _expected(
    fw: Framework, states: dict[str, tuple[EvidenceState, models.EvidenceItem]]
) -> tuple[tuple[ExpectedGap, ...], int, set[tuple[str, str]]]:
    # An expectation of a quality statement is met by a current item tagged with it *and* with
    # that quality statement.
    current: dict[tuple[str, str], int] = defaultdict(int)
    any_item: dict[tuple[str, str], int] = defaultdict(int)
    for state, item in states.values():
        qs_set = resolved(fw, item.quality_statements, Term.QUALITY_STATEMENT)
        for ref in item.expected_evidence:
            for qs_id in qs_set:
                any_item[(qs_id, ref)] += 1
                if state.current:
                    current[(qs_id, ref)] += 1
    gaps, met, total = [], set(), 0
    for qs in fw.quality_statements:
        for exp in fw.expected_evidence:
            if qs.id not in exp.quality_statements:
                continue
            total += 1
            if current[(qs.id, exp.id)]:
                met.add((qs.id, exp.id))
                continue
            note = (
                "only evidence that is not current"
                if any_item[(qs.id, exp.id)]
                else "no evidence item is tagged with it"
            )
            gaps.append(
                ExpectedGap(qs.id, exp.id, exp.title, fw.category_by_id[exp.category].title, note)
            )
    return tuple(gaps), total, met


def _deadlines(
    profile: models.CouncilProfile | None, info_return: InformationReturn, as_of: dt.date
) -> Deadlines:
    if profile is None:
        return Deadlines((), None)
    d = profile.dates
    not_done = tuple(r.number for r in info_return.rows if r.status not in SETTLED_FOR_RETURN)
    not_uploaded = tuple(r.number for r in info_return.rows if r.status not in SETTLED_FOR_VISIT)
    dates = []
    for name, day, blocking, means in (
        ("CQC notice", d.notified, (), ""),
        ("Information return due", d.information_return_due, not_done, "not ready or uploaded"),
        ("Site visit", d.site_visit, not_uploaded, "not uploaded"),
    ):
        if day is not None:
            dates.append(Deadline(name, day, (day - as_of).days, blocking, means))
    upcoming = sorted(
        (x for x in dates if x.days_left >= 0 and x.name != "CQC notice"), key=lambda x: x.date
    )
    return Deadlines(tuple(dates), upcoming[0].name if upcoming else None)
