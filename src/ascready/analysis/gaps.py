"""``ascready gaps``: what is missing, thin, stale or unowned, as data.

:func:`build_gaps` turns a loaded :class:`~ascready.repository.loader.Project` into a
:class:`GapsReport`.
It works on whatever validated: files with errors are left out, and the report says how many
errors ``validate`` found. Nothing here prints; ``gaps_format`` turns the report into text.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from ascready.analysis.measures import compare, measure_text, region_phrase
from ascready.repository import models
from ascready.repository.framework import Framework, Term
from ascready.repository.project import Project

#: How much each part counts towards the readiness score (README: "The readiness score").
READINESS_WEIGHTS = {
    "coverage": Fraction(30, 100),
    "information_return": Fraction(30, 100),
    "self_assessment": Fraction(25, 100),
    "expected_evidence": Fraction(15, 100),
}
DONE_RETURN = (models.ReturnStatus.READY, models.ReturnStatus.UPLOADED)
CLOSED_ACTION = (models.ActionStatus.DONE, models.ActionStatus.CANCELLED)
SELF_ASSESSMENT_CRITERIA = (
    "self-score",
    "narrative",
    "a strength",
    "an area for improvement",
    "every statement backed by current evidence",
    "every area for improvement has an action",
)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day if it is shorter."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def percent(part: int | Fraction, whole: int | Fraction) -> int:
    """A whole percentage, rounded half up (as CQC's published scores are)."""
    if not whole:
        return 0
    value = Fraction(part) * 100 / Fraction(whole)
    return int(value + Fraction(1, 2))


# --- the report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceState:
    id: str
    file: str
    title: str
    owner: str | None
    as_of: dt.date | None
    review_by: dt.date | None
    current: bool
    reasons: tuple[str, ...]  # why it does not count, or what to watch


@dataclass(frozen=True)
class CoverageRow:
    quality_statement: str
    title: str
    theme: str
    counts: dict[str, int]  # category id -> current evidence items
    thin: tuple[str, ...]  # categories below the minimum
    items: int = 0  # distinct current evidence items for this quality statement


@dataclass(frozen=True)
class Coverage:
    categories: tuple[str, ...]
    category_titles: dict[str, str]
    minimum: int
    rows: tuple[CoverageRow, ...]
    not_current: tuple[EvidenceState, ...]  # stale, past review, draft, superseded, withdrawn
    due_soon: tuple[EvidenceState, ...]
    unowned: tuple[EvidenceState, ...]


@dataclass(frozen=True)
class ReturnRow:
    number: int
    title: str
    status: str
    owner: str | None
    file: str | None
    evidence: int
    current_evidence: int
    blockers: tuple[str, ...]


@dataclass(frozen=True)
class InformationReturn:
    expected: int
    ready_or_uploaded: int
    not_applicable: int
    rows: tuple[ReturnRow, ...]

    @property
    def headline(self) -> str:
        extra = f" ({self.not_applicable} not applicable)" if self.not_applicable else ""
        return f"{self.ready_or_uploaded} of {self.expected} ready or uploaded{extra}"


@dataclass(frozen=True)
class RatingCompleteness:
    quality_statement: str
    title: str
    theme: str
    file: str | None
    self_score: int | None
    has_narrative: bool
    strengths: int
    areas_for_improvement: int
    unbacked: tuple[str, ...]  # ids of statements without current evidence
    without_action: tuple[str, ...]  # ids of areas for improvement no action answers
    missing: tuple[str, ...]  # which SELF_ASSESSMENT_CRITERIA are not met


@dataclass(frozen=True)
class UnsupportedScore:
    quality_statement: str
    self_score: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ActionIssue:
    id: str
    title: str
    file: str
    owner: str | None
    due: dt.date | None
    status: str
    problems: tuple[str, ...]


@dataclass(frozen=True)
class SelfAssessment:
    ratings: tuple[RatingCompleteness, ...]
    unsupported_scores: tuple[UnsupportedScore, ...]
    areas_without_action: tuple[tuple[str, str, str], ...]  # (quality statement, id, text)
    action_issues: tuple[ActionIssue, ...]


@dataclass(frozen=True)
class ExpectedGap:
    quality_statement: str
    id: str
    title: str
    category: str
    note: str


@dataclass(frozen=True)
class Deadline:
    name: str
    date: dt.date
    days_left: int
    blocking: tuple[int, ...]  # information-return items not done for it


@dataclass(frozen=True)
class Deadlines:
    dates: tuple[Deadline, ...]
    next: str | None


@dataclass(frozen=True)
class PredictedRating:
    method: str
    method_title: str
    scores: dict[str, int]  # quality statement -> score used
    notes: tuple[str, ...]
    percent: int | None
    rating: str | None
    rating_title: str | None
    position: str

    @property
    def available(self) -> bool:
        return self.percent is not None


@dataclass(frozen=True)
class Readiness:
    overall: float
    components: dict[str, float]
    themes: dict[str, float]
    theme_components: dict[str, dict[str, float]]


@dataclass(frozen=True)
class MetricState:
    """A performance measure as gaps sees it: its figures, how they compare, who cites it."""

    id: str
    file: str
    title: str
    measure: str | None
    period: str
    value: float
    unit: str
    polarity: str
    england: float | None
    region: float | None
    shown: str  # the value with its unit, e.g. "81.2%"
    england_shown: str  # "" when there is no England figure
    region_shown: str
    vs_england: str  # one of measures.COMPARISONS
    vs_region: str
    quality_statements: tuple[str, ...]  # resolved, in the framework's order
    classification: str
    strengths: tuple[str, ...]  # ids of the strengths that cite it
    areas_for_improvement: tuple[str, ...]  # ids of the areas for improvement that cite it


@dataclass(frozen=True)
class MetricGap:
    """A measure that needs something done: what is wrong and what to do."""

    metric: MetricState
    problem: str
    fix: str


@dataclass(frozen=True)
class Metrics:
    region: str  # the council's region, for labels ("" when ascready.yaml has errors)
    measures: tuple[MetricState, ...]  # sorted by id
    worse_without_area: tuple[MetricGap, ...]  # worse than England, no area for improvement
    without_quality_statement: tuple[MetricGap, ...]  # shown under no quality statement

    def count(self, comparison: str) -> int:
        """How many measures compare with England this way."""
        return sum(1 for m in self.measures if m.vs_england == comparison)


@dataclass(frozen=True)
class GapsReport:
    council: str
    as_of: dt.date
    framework: str
    validation_errors: int
    validation_warnings: int
    coverage: Coverage
    information_return: InformationReturn
    self_assessment: SelfAssessment
    expected_evidence: tuple[ExpectedGap, ...]
    expected_total: int
    deadlines: Deadlines
    predicted: tuple[PredictedRating, ...]
    readiness: Readiness
    metrics: Metrics = field(default_factory=lambda: Metrics("", (), (), ()))
    theme_titles: dict[str, str] = field(default_factory=dict)
    qs_titles: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: dates as ISO text, everything in a stable order."""
        plain: dict[str, Any] = _plain(asdict(self))
        return plain | {
            "information_return": _plain(asdict(self.information_return))
            | {"headline": self.information_return.headline}
        }


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# --- building it ----------------------------------------------------------------------------


def evidence_states(
    project: Project, as_of: dt.date
) -> dict[str, tuple[EvidenceState, models.EvidenceItem]]:
    profile = project.profile
    months = profile.review_policy.stale_after_months if profile else 12
    soon = profile.review_policy.due_soon_days if profile else 30
    out: dict[str, tuple[EvidenceState, models.EvidenceItem]] = {}
    for doc in project.of_kind("evidence"):
        item: models.EvidenceItem = doc.model
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


def _resolved(framework: Framework, refs: list[str], term: Term) -> set[str]:
    return {r for r in (framework.resolve(term, ref) for ref in refs) if r}


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
    applied = tuple(c.id for c in fw.evidence_categories if c.applied)

    # Which quality statements and categories each current item counts for.
    counts: dict[tuple[str, str], int] = defaultdict(int)
    current_by_qs: dict[str, set[str]] = defaultdict(set)
    for state, item in states.values():
        if not state.current:
            continue
        qs_set = _resolved(fw, item.quality_statements, Term.QUALITY_STATEMENT)
        cats = _resolved(fw, item.categories, Term.CATEGORY)
        for qs in qs_set:
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
    all_states = [s for s, _ in states.values()]
    coverage = Coverage(
        applied,
        {c.id: c.short_title or c.title for c in fw.evidence_categories},
        minimum,
        tuple(rows),
        tuple(sorted((s for s in all_states if not s.current), key=lambda s: s.id)),
        tuple(
            sorted(
                (
                    s
                    for s in all_states
                    if s.current and any(r.startswith("review due") for r in s.reasons)
                ),
                key=lambda s: s.id,
            )
        ),
        tuple(sorted((s for s in all_states if not s.owner), key=lambda s: s.id)),
    )

    info_return = _information_return(project, states)
    self_assessment = _self_assessment(project, fw, states, counts, applied, minimum, as_of)
    expected, expected_total, expected_met = _expected(fw, states)
    deadlines = _deadlines(profile, info_return, as_of)
    predicted = (_predict_by_statement(fw, project), _predict_by_category(fw, project))
    readiness = _readiness(
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


def _information_return(
    project: Project, states: dict[str, tuple[EvidenceState, models.EvidenceItem]]
) -> InformationReturn:
    expected = project.profile.information_return_items if project.profile else 38
    by_number: dict[int, tuple[str, models.ReturnItem]] = {}
    for doc in project.of_kind("return"):
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
    fw: Framework,
    states: dict[str, tuple[EvidenceState, models.EvidenceItem]],
    counts: dict[tuple[str, str], int],
    applied: tuple[str, ...],
    minimum: int,
    as_of: dt.date,
) -> SelfAssessment:
    ratings: dict[str, tuple[str, models.Rating]] = {}
    for doc in project.of_kind("rating"):
        qs = fw.resolve_quality_statement(doc.model.quality_statement)
        if qs and qs not in ratings:
            ratings[qs] = (doc.path, doc.model)
    # An area for improvement is answered by a live action (any status but cancelled) that
    # names it, or that it names.
    live = {
        d.model.id
        for d in project.of_kind("action")
        if d.model.status is not models.ActionStatus.CANCELLED
    }
    answered = {
        ref for d in project.of_kind("action") if d.model.id in live for ref in d.model.answers
    }

    def backed(statement: models.Statement) -> bool:
        return any(e in states and states[e][0].current for e in statement.evidence)

    completeness: list[RatingCompleteness] = []
    unsupported: list[UnsupportedScore] = []
    without_action: list[tuple[str, str, str]] = []
    for q in fw.quality_statements:
        entry = ratings.get(q.id)
        if entry is None:
            completeness.append(
                RatingCompleteness(
                    q.id,
                    q.title,
                    q.theme,
                    None,
                    None,
                    False,
                    0,
                    0,
                    (),
                    (),
                    SELF_ASSESSMENT_CRITERIA,
                )
            )
            continue
        path, rating = entry
        statements = [*rating.strengths, *rating.areas_for_improvement]
        unbacked = tuple(s.id for s in statements if not backed(s))
        no_action = tuple(
            a.id
            for a in rating.areas_for_improvement
            if a.id not in answered and not any(ref in live for ref in a.actions)
        )
        without_action.extend(
            (q.id, a.id, a.text) for a in rating.areas_for_improvement if a.id in no_action
        )
        met = (
            rating.self_score is not None,
            bool(rating.narrative.strip()),
            bool(rating.strengths),
            bool(rating.areas_for_improvement),
            bool(statements) and not unbacked,
            bool(rating.areas_for_improvement) and not no_action,
        )
        completeness.append(
            RatingCompleteness(
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
        )
        if rating.self_score is not None and rating.self_score >= 3:
            reasons = []
            empty = [c for c in applied if counts[(q.id, c)] == 0]
            if "peoples-experience" in applied and "peoples-experience" in empty:
                reasons.append(
                    "no current evidence of people's experience: only the council's own view"
                )
            reasons.extend(
                f"no current evidence from {fw.category_by_id[c].title.lower()}"
                for c in empty
                if c != "peoples-experience"
            )
            if rating.self_score == 4:
                thin = [c for c in applied if 0 < counts[(q.id, c)] < minimum]
                reasons.extend(
                    f"scored 4 (exceptional) with thin {fw.category_by_id[c].title.lower()} "
                    f"evidence ({counts[(q.id, c)]} item)"
                    for c in thin
                )
            if reasons:
                unsupported.append(UnsupportedScore(q.id, rating.self_score, tuple(reasons)))

    issues = []
    for doc in project.of_kind("action"):
        action: models.Action = doc.model
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
    return SelfAssessment(
        tuple(completeness),
        tuple(unsupported),
        tuple(without_action),
        tuple(sorted(issues, key=lambda i: i.id)),
    )


def _expected(
    fw: Framework, states: dict[str, tuple[EvidenceState, models.EvidenceItem]]
) -> tuple[tuple[ExpectedGap, ...], int, set[tuple[str, str]]]:
    # An expectation of a quality statement is met by a current item tagged with it *and* with
    # that quality statement.
    current: dict[tuple[str, str], int] = defaultdict(int)
    any_item: dict[tuple[str, str], int] = defaultdict(int)
    for state, item in states.values():
        qs_set = _resolved(fw, item.quality_statements, Term.QUALITY_STATEMENT)
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
    not_done = tuple(
        r.number
        for r in info_return.rows
        if r.status not in ("ready", "uploaded", "not-applicable")
    )
    not_uploaded = tuple(
        r.number for r in info_return.rows if r.status not in ("uploaded", "not-applicable")
    )
    dates = []
    for name, day, blocking in (
        ("CQC notice", d.notified, ()),
        ("Information return due", d.information_return_due, not_done),
        ("Site visit", d.site_visit, not_uploaded),
    ):
        if day is not None:
            dates.append(Deadline(name, day, (day - as_of).days, blocking))
    upcoming = sorted(
        (x for x in dates if x.days_left >= 0 and x.name != "CQC notice"), key=lambda x: x.date
    )
    return Deadlines(tuple(dates), upcoming[0].name if upcoming else None)


def _band(fw: Framework, pct: int) -> tuple[str | None, str | None, str]:
    bands = sorted(fw.scoring.rating_bands, key=lambda b: b.min_percent)
    for i, band in enumerate(bands):
        if band.min_percent <= pct <= band.max_percent:
            above = pct - band.min_percent
            position = (
                f"{above} point{'s' if above != 1 else ''} above the lower threshold "
                f"of {band.title.lower()} ({band.min_percent}%)"
            )
            if i + 1 < len(bands):
                gap = bands[i + 1].min_percent - pct
                position += (
                    f"; {gap} point{'s' if gap != 1 else ''} below "
                    f"{bands[i + 1].title.lower()} ({bands[i + 1].min_percent}%)"
                )
            return band.rating, band.title, position
    return None, None, f"{pct}% is outside the framework's rating bands"


def _predict(
    fw: Framework, method: str, scores: dict[str, int], notes: list[str]
) -> PredictedRating:
    title = _method_title(fw, method)
    if not scores:
        why = tuple(notes) or ("no rating has a self_score yet",)
        return PredictedRating(
            method, title, {}, why, None, None, None, "no scores to estimate from"
        )
    if len(scores) < len(fw.quality_statements):
        notes.append(f"based on {len(scores)} of {len(fw.quality_statements)} quality statements")
    pct = percent(sum(scores.values()), 4 * len(scores))
    rating, rating_title, position = _band(fw, pct)
    return PredictedRating(method, title, scores, tuple(notes), pct, rating, rating_title, position)


def _ratings_by_qs(fw: Framework, project: Project) -> dict[str, models.Rating]:
    out: dict[str, models.Rating] = {}
    for doc in project.of_kind("rating"):
        qs = fw.resolve_quality_statement(doc.model.quality_statement)
        if qs:
            out.setdefault(qs, doc.model)
    return out


def _predict_by_statement(fw: Framework, project: Project) -> PredictedRating:
    ratings = _ratings_by_qs(fw, project)
    scores = {
        qs: r.self_score
        for qs, r in sorted(ratings.items(), key=_qs_key)
        if r.self_score is not None
    }
    return _predict(fw, "quality-statement", scores, [])


def quality_statement_score(fw: Framework, category_scores: list[int]) -> tuple[int, int]:
    """(percentage, score) of a quality statement from its evidence category scores."""
    pct = percent(sum(category_scores), 4 * len(category_scores))
    for band in fw.scoring.quality_statement_bands:
        if band.min_percent <= pct <= band.max_percent:
            return pct, band.score
    return pct, 1


def _predict_by_category(fw: Framework, project: Project) -> PredictedRating:
    ratings = _ratings_by_qs(fw, project)
    scores: dict[str, int] = {}
    notes: list[str] = []
    used_categories = False
    for qs, rating in sorted(ratings.items(), key=_qs_key):
        cats = {fw.resolve_category(c): s for c, s in rating.category_scores.items()}
        cats = {c: s for c, s in cats.items() if c and fw.category_by_id[c].applied}
        if cats:
            used_categories = True
            pct, score = quality_statement_score(fw, list(cats.values()))
            scores[qs] = score
            if rating.self_score is not None and rating.self_score != score:
                notes.append(
                    f"{qs}: category scores give {score} ({pct}%), self-score is "
                    f"{rating.self_score}"
                )
        elif rating.self_score is not None:
            scores[qs] = rating.self_score
            notes.append(f"{qs}: no category scores; self-score {rating.self_score} used")
    if not used_categories:
        return PredictedRating(
            "evidence-category",
            _method_title(fw, "evidence-category"),
            {},
            ("no rating has category_scores",),
            None,
            None,
            None,
            "not available",
        )
    return _predict(fw, "evidence-category", scores, notes)


def _method_title(fw: Framework, method: str) -> str:
    return next((m.title for m in fw.scoring.methods if m.id == method), method)


def _qs_key(pair: tuple[str, Any]) -> int:
    return int(pair[0].removeprefix("QS")) if pair[0].removeprefix("QS").isdigit() else 0


def _readiness(
    fw: Framework,
    coverage: Coverage,
    info_return: InformationReturn,
    sa: SelfAssessment,
    expected_met: set[tuple[str, str]],
    project: Project,
    qs_theme: dict[str, str],
) -> Readiness:
    def components(theme: str | None) -> dict[str, Fraction]:
        in_scope = {q for q, t in qs_theme.items() if theme is None or t == theme}
        rows = [r for r in coverage.rows if r.quality_statement in in_scope]
        cells = len(rows) * len(coverage.categories)
        parts: dict[str, Fraction] = {}
        if cells:
            ok = sum(len(coverage.categories) - len(r.thin) for r in rows)
            parts["coverage"] = Fraction(ok, cells)
        items = _return_rows_for(info_return, project, fw, in_scope if theme else None)
        if items:
            done = sum(1 for r in items if r.status in ("ready", "uploaded", "not-applicable"))
            parts["information_return"] = Fraction(done, len(items))
        ratings = [r for r in sa.ratings if r.quality_statement in in_scope]
        if ratings:
            met = sum(len(SELF_ASSESSMENT_CRITERIA) - len(r.missing) for r in ratings)
            parts["self_assessment"] = Fraction(met, len(ratings) * len(SELF_ASSESSMENT_CRITERIA))
        pairs = [
            (q.id, e.id)
            for q in fw.quality_statements
            if q.id in in_scope
            for e in fw.expected_evidence
            if q.id in e.quality_statements
        ]
        if pairs:
            parts["expected_evidence"] = Fraction(
                sum(1 for p in pairs if p in expected_met), len(pairs)
            )
        return parts

    def score(parts: dict[str, Fraction]) -> float:
        weight = sum(READINESS_WEIGHTS[k] for k in parts)
        if not weight:
            return 0.0
        total = sum(READINESS_WEIGHTS[k] * v for k, v in parts.items()) / weight
        return _one_decimal(total * 100)

    overall = components(None)
    themes = {t.id: components(t.id) for t in fw.themes}
    return Readiness(
        overall=score(overall),
        components={k: _one_decimal(v * 100) for k, v in overall.items()},
        themes={t: score(p) for t, p in themes.items()},
        theme_components={
            t: {k: _one_decimal(v * 100) for k, v in p.items()} for t, p in themes.items()
        },
    )


def _one_decimal(value: Fraction) -> float:
    return int(value * 10 + Fraction(1, 2)) / 10


def _return_rows_for(
    info_return: InformationReturn, project: Project, fw: Framework, in_scope: set[str] | None
) -> list[ReturnRow]:
    """The information-return rows of a theme: those whose items name one of its QS."""
    if in_scope is None:
        return list(info_return.rows)
    qs_of: dict[int, set[str]] = {}
    for doc in project.of_kind("return"):
        qs_of.setdefault(
            doc.model.number,
            {q for q in map(fw.resolve_quality_statement, doc.model.quality_statements) if q},
        )
    return [r for r in info_return.rows if qs_of.get(r.number, set()) & in_scope]


# --- performance measures ----------------------------------------------------------------------


def build_metrics(project: Project) -> Metrics:
    """Every performance measure compared with England and the region, and those to act on."""
    fw = project.framework
    order = {q.id: n for n, q in enumerate(fw.quality_statements)}
    strengths: dict[str, list[str]] = defaultdict(list)
    areas: dict[str, list[str]] = defaultdict(list)
    rating_files: dict[str, str] = {}
    for doc in project.of_kind("rating"):
        rating: models.Rating = doc.model
        qs = fw.resolve_quality_statement(rating.quality_statement)
        if qs:
            rating_files.setdefault(qs, doc.path)
        for s in rating.strengths:
            for ref in s.metrics:
                strengths[ref].append(s.id)
        for a in rating.areas_for_improvement:
            for ref in a.metrics:
                areas[ref].append(a.id)

    measures: dict[str, MetricState] = {}
    # A duplicate id: validate reports it; the first file (by path) counts.
    for doc in sorted(project.of_kind("metric"), key=lambda d: d.path):
        metric: models.Metric = doc.model
        if metric.id in measures:
            continue
        qs_ids = sorted(
            _resolved(fw, metric.quality_statements, Term.QUALITY_STATEMENT), key=order.__getitem__
        )
        measures[metric.id] = MetricState(
            id=metric.id,
            file=doc.path,
            title=metric.title,
            measure=metric.measure,
            period=metric.period,
            value=metric.value,
            unit=metric.unit.value,
            polarity=metric.polarity.value,
            england=metric.comparators.england,
            region=metric.comparators.region,
            shown=measure_text(metric.value, metric.unit),
            england_shown=measure_text(metric.comparators.england, metric.unit),
            region_shown=measure_text(metric.comparators.region, metric.unit),
            vs_england=compare(metric.value, metric.comparators.england, metric.polarity),
            vs_region=compare(metric.value, metric.comparators.region, metric.polarity),
            quality_statements=tuple(qs_ids),
            classification=metric.classification.value,
            strengths=tuple(sorted(set(strengths[metric.id]))),
            areas_for_improvement=tuple(sorted(set(areas[metric.id]))),
        )
    ordered = tuple(measures[k] for k in sorted(measures))
    region = project.profile.region.value if project.profile else ""

    worse: list[MetricGap] = []
    homeless: list[MetricGap] = []
    for m in ordered:
        if m.vs_england == "worse" and not m.areas_for_improvement:
            problem = f"{m.shown} against {m.england_shown} in England"
            if m.region_shown:
                problem += f" and {m.region_shown} in {region_phrase(region)}"
            if m.strengths:
                problem += f"; cited only by the strength {', '.join(m.strengths)}"
            where = (
                rating_files.get(m.quality_statements[0], f"ratings/{m.quality_statements[0]}.yaml")
                if m.quality_statements
                else "the rating of the quality statement it informs"
            )
            worse.append(
                MetricGap(
                    m,
                    problem,
                    f"Add an area for improvement that cites it (metrics: [{m.id}]) in {where}, "
                    "with an action, or explain in the narrative why it is worse.",
                )
            )
        if not m.quality_statements:
            homeless.append(
                MetricGap(
                    m,
                    "names no quality statement the framework knows, so the self-assessment "
                    "shows it under none",
                    f"Add quality_statements: [...] to {m.file}, listing the quality statements "
                    "it informs (QS1 to QS9).",
                )
            )
    return Metrics(region, ordered, tuple(worse), tuple(homeless))


# --- the whole job ---------------------------------------------------------------------------

DATE_WORDS = {"site-visit": "site_visit", "return-due": "information_return_due"}


def resolve_as_of(
    spec: str | None, profile: models.CouncilProfile | None, today: dt.date
) -> dt.date:
    """--as-of: a date, 'today', or a key date from ascready.yaml ('site-visit', 'return-due')."""
    from ascready.errors import AscreadyError

    if spec is None or spec == "today":
        return today
    if spec in DATE_WORDS:
        day = getattr(profile.dates, DATE_WORDS[spec]) if profile else None
        if day is None:
            raise AscreadyError(
                f"--as-of {spec} needs dates.{DATE_WORDS[spec]} in ascready.yaml, and it is not "
                "set (or ascready.yaml has errors: run ascready validate)"
            )
        return day  # type: ignore[no-any-return]
    try:
        return dt.date.fromisoformat(spec)
    except ValueError:
        raise AscreadyError(
            f"--as-of '{spec}' is not a date: use YYYY-MM-DD, today, site-visit or return-due"
        ) from None


def run_gaps(
    path: Path,
    *,
    as_of: str | None = None,
    minimum: int | None = None,
    jobs: int | None = None,
    today: dt.date | None = None,
) -> GapsReport:
    """Load the repository (errors and all), count what validate finds, and build the report."""
    from ascready.analysis.pipeline import analyse
    from ascready.repository.loader import find_repository

    today = today or dt.date.today()
    analysis = analyse(find_repository(path), today=today, jobs=jobs, locate=False)
    day = resolve_as_of(as_of, analysis.project.profile, today)
    return build_gaps(
        analysis.project,
        day,
        validation_errors=analysis.report.errors,
        validation_warnings=analysis.report.warnings,
        minimum=minimum,
    )
