"""What ``ascready gaps`` reports, as plain frozen data: coverage, the information return,
the self-assessment, expected evidence, deadlines, the predicted rating, readiness and measures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any


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
class UnbackedStatement:
    """A strength or area for improvement that no current evidence backs."""

    quality_statement: str
    id: str
    kind: str  # "strength" or "area for improvement"
    text: str
    file: str  # its rating file
    why: str  # "cites no evidence", or what is wrong with what it cites


@dataclass(frozen=True)
class SelfAssessment:
    ratings: tuple[RatingCompleteness, ...]
    unsupported_scores: tuple[UnsupportedScore, ...]
    areas_without_action: tuple[tuple[str, str, str], ...]  # (quality statement, id, text)
    action_issues: tuple[ActionIssue, ...]
    #: In the framework's order of quality statements, strengths before areas, in file order.
    unbacked_statements: tuple[UnbackedStatement, ...] = ()


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
    days_left: int  # negative once it has passed
    blocking: tuple[int, ...]  # information-return items not done for it
    #: What "not done" means for this date: "not ready or uploaded" (the return), "not
    #: uploaded" (the site visit); "" for a date that needs nothing done by it.
    blocking_means: str = ""

    @property
    def overdue(self) -> bool:
        """It has passed with information-return items still not done for it."""
        return self.days_left < 0 and bool(self.blocking)


@dataclass(frozen=True)
class Deadlines:
    dates: tuple[Deadline, ...]
    next: str | None

    @property
    def overdue(self) -> tuple[Deadline, ...]:
        """The dates that have passed with items still not done for them, earliest first."""
        return tuple(sorted((d for d in self.dates if d.overdue), key=lambda d: d.date))


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
    #: Information-return items (or rows with no file) naming no quality statement: each counts
    #: in every theme's information-return part.
    return_items_in_every_theme: int = 0


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
