"""The document kinds of an evidence repository, as strict Pydantic models.

Every model forbids unknown keys. References to quality statements, evidence categories and
Care Act duties are kept as written here and resolved against the repository's framework by the
checks, because the framework is itself repository data.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


#: The years a date may be in: beyond them it is a typing slip (and date sums would overflow).
FIRST_YEAR, LAST_YEAR = 1900, 2199


def _date_from_text(value: Any) -> Any:
    """Accept only a date object or text written YYYY-MM-DD (no Unix timestamps, no 15/04/24),
    in the years FIRST_YEAR to LAST_YEAR."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        text = value.strip()
        if not _ISO_DATE.match(text):
            raise ValueError(f"'{value}' is not a date written YYYY-MM-DD")
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"'{value}' is not a real calendar date") from None
    if isinstance(value, dt.date):
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValueError(
                f"{value.isoformat()} is not a date ascready accepts: years run from "
                f"{FIRST_YEAR} to {LAST_YEAR}"
            )
        return value
    raise ValueError(f"{value!r} is not a date written YYYY-MM-DD")


Date = Annotated[dt.date, BeforeValidator(_date_from_text)]
Id = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"),
    Field(description="Letters, digits, '.', '_' or '-', starting with a letter or digit."),
]
Text = Annotated[str, StringConstraints(min_length=1)]


def _qs_from_number(value: Any) -> Any:
    # Councils tag statements "(4)": accept a bare number as QS4.
    if isinstance(value, int) and not isinstance(value, bool):
        return f"QS{value}"
    return value


QsRef = Annotated[
    str,
    BeforeValidator(_qs_from_number),
    Field(description="A quality statement: its id (QS1), slug, number, or title."),
]
CategoryRef = Annotated[str, Field(description="An evidence category id or title.")]
DutyRef = Annotated[str, Field(description="A Care Act duty id, or a section such as 's42'.")]
ThemeRef = Annotated[str, Field(description="A theme id (T1-T4) or title.")]


class StrictModel(BaseModel):
    """A document's model: read-only once validated (documents are never changed in memory;
    authoring commands write new text and read it back)."""

    model_config = ConfigDict(
        extra="forbid", populate_by_name=False, use_enum_values=False, frozen=True
    )


# --- council profile -----------------------------------------------------------------------


class Region(StrEnum):
    NORTH_EAST = "North East"
    NORTH_WEST = "North West"
    YORKSHIRE = "Yorkshire and The Humber"
    EAST_MIDLANDS = "East Midlands"
    WEST_MIDLANDS = "West Midlands"
    EAST = "East of England"
    LONDON = "London"
    SOUTH_EAST = "South East"
    SOUTH_WEST = "South West"


class ReviewPolicy(StrictModel):
    stale_after_months: int = Field(
        12, ge=1, le=120, description="Evidence older than this (from as_of) is stale."
    )
    due_soon_days: int = Field(
        30, ge=0, le=365, description="Warn this many days before an item's review_by date."
    )


class GapsPolicy(StrictModel):
    minimum_per_cell: int = Field(
        2,
        ge=1,
        le=100,
        description="Current evidence items wanted for each quality statement and evidence "
        "category; fewer is reported as thin.",
    )


class KeyDates(StrictModel):
    notified: Date | None = Field(None, description="When CQC gave notice of assessment.")
    information_return_due: Date | None = Field(
        None, description="When the information return and self-assessment are due."
    )
    site_visit: Date | None = Field(None, description="First day of CQC's on-site activity.")

    @model_validator(mode="after")
    def _in_order(self) -> KeyDates:
        if (
            self.notified
            and self.information_return_due
            and (self.information_return_due < self.notified)
        ):
            raise ValueError(
                "information_return_due is before notified"
                "|Check both dates against CQC's notification letter."
            )
        return self


class Uploader(StrictModel):
    role: Text = Field(description="Job title of a person named to upload to the CQC portal.")
    name: str | None = Field(None, description="Optional; a role is enough.")


class PersonalDataPolicy(StrictModel):
    allow: list[str] = Field(
        default_factory=list,
        description="The council's own published contact addresses and numbers, which the "
        "personal-data check may accept.",
    )


class DocumentStatus(StrEnum):
    DRAFT = "draft"
    FINAL = "final"


class PublicVersion(StrictModel):
    """What the public version of the self-assessment shows beyond its text. The internal
    version shows everything; evidence not classified public is never in the public one."""

    self_scores: bool = Field(
        False,
        description="Show the council's self-score for each quality statement, and the "
        "summary table of scores. Many councils keep scores to the internal version until "
        "CQC has published its own.",
    )
    actions: bool = Field(
        True,
        description="Under each area for improvement, the improvement actions that answer "
        "it, by title.",
    )
    action_progress: bool = Field(
        False,
        description="With each action, its status and due date (workflow that dates quickly).",
    )
    references: bool = Field(
        False,
        description="The repository's codes (EV-, ACT-, ASCOF- ids) beside evidence, actions "
        "and measures; without them, items are named by their titles.",
    )
    coverage: bool = Field(
        False,
        description="The table of how much evidence each quality statement has in each "
        "evidence category (it shows where evidence is thin).",
    )
    information_return: bool = Field(
        False,
        description="The list of information-return items with their upload status.",
    )


class DocumentSettings(StrictModel):
    """The self-assessment document's cover and what its public version shows."""

    title: Text | None = Field(
        None,
        description="The document's title; by default '<council> adult social care "
        "self-assessment'.",
    )
    version: Text | None = Field(
        None, description="The version shown on the cover and in the footer, e.g. 0.3 or 1.0."
    )
    status: DocumentStatus = Field(
        DocumentStatus.DRAFT, description="draft or final; the cover and footer say which."
    )
    date: Date | None = Field(
        None,
        description="The document's date, shown on the cover. Without one, no date is shown "
        "(a final version needs one).",
    )
    owner: Text | None = Field(
        None, description="Who owns the document: a role, such as 'Director of Adult Social Care'."
    )
    approved_by: Text | None = Field(
        None, description="Who signed it off: a role or a board, such as 'Adult Social Care DMT'."
    )
    public: PublicVersion = Field(default_factory=PublicVersion)


class CouncilProfile(StrictModel):
    """``ascready.yaml`` at the root of an evidence repository."""

    council: Text = Field(description="The council's name.")
    ons_code: Annotated[str, StringConstraints(pattern=r"^E(06|08|09|10)\d{6}$")] = Field(
        description="ONS code of an English council with adult social care duties, e.g. E06000022."
    )
    region: Region
    framework: str = Field(
        "cqc-la-2024",
        description="A built-in framework id, or a path to the council's own framework file.",
    )
    information_return_items: int = Field(
        38, ge=1, le=200, description="How many items CQC's information return request lists."
    )
    review_policy: ReviewPolicy = Field(default_factory=ReviewPolicy)
    gaps: GapsPolicy = Field(default_factory=GapsPolicy)
    dates: KeyDates = Field(default_factory=KeyDates)
    portal_uploaders: list[Uploader] = Field(
        default_factory=list, description="The people named to upload to the CQC portal (two)."
    )
    personal_data: PersonalDataPolicy = Field(default_factory=PersonalDataPolicy)
    document: DocumentSettings = Field(default_factory=DocumentSettings)


# --- evidence ------------------------------------------------------------------------------


class EvidenceKind(StrEnum):
    DOCUMENT = "document"
    POLICY = "policy"
    STRATEGY = "strategy"
    PLAN = "plan"
    REPORT = "report"
    MINUTES = "minutes"
    DATA = "data"
    DASHBOARD = "dashboard"
    SURVEY = "survey"
    AUDIT = "audit"
    FEEDBACK = "feedback"
    CASE_STUDY = "case-study"
    QUOTE = "quote"
    OTHER = "other"


class Classification(StrEnum):
    PUBLIC = "public"
    OFFICIAL = "official"
    OFFICIAL_SENSITIVE = "official-sensitive"

    @property
    def rank(self) -> int:
        """0 public, 1 official, 2 official-sensitive: higher is more restricted."""
        return _CLASSIFICATION_RANK[self.value]


_CLASSIFICATION_RANK = {"public": 0, "official": 1, "official-sensitive": 2}


class EvidenceStatus(StrEnum):
    DRAFT = "draft"
    CURRENT = "current"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"


class EvidenceItem(StrictModel):
    """One piece of evidence: a document, a dataset, feedback, a case study or a quote."""

    id: Id
    title: Text
    summary: str = ""
    kind: EvidenceKind
    categories: list[CategoryRef] = Field(min_length=1)
    quality_statements: list[QsRef] = Field(min_length=1)
    information_return: list[int] = Field(
        default_factory=list, description="Numbers of the information-return items it supports."
    )
    care_act_duties: list[DutyRef] = Field(default_factory=list)
    expected_evidence: list[str] = Field(
        default_factory=list,
        description="Ids from the framework's expected-evidence catalogue that this item meets.",
    )
    source: str | None = Field(
        None, description="A path inside the repository, or an https:// link."
    )
    attribution: str | None = Field(
        None, description="For quotes and feedback: who said it, without naming them."
    )
    owner: str | None = None
    as_of: Date | None = Field(None, description="The date the evidence describes.")
    review_by: Date | None = None
    classification: Classification
    status: EvidenceStatus = EvidenceStatus.CURRENT


# --- information return ----------------------------------------------------------------------


class ReturnStatus(StrEnum):
    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    READY = "ready"
    UPLOADED = "uploaded"
    NOT_APPLICABLE = "not-applicable"


class ReturnItem(StrictModel):
    """One item of CQC's information return request, as the council received it."""

    number: int = Field(ge=1, le=999)
    title: Text
    quality_statements: list[QsRef] = Field(default_factory=list)
    status: ReturnStatus = ReturnStatus.NOT_STARTED
    reason: str | None = Field(None, description="Why the item is not applicable.")
    owner: str | None = None
    due: Date | None = None
    evidence: list[Id] = Field(default_factory=list)
    notes: str = ""

    @model_validator(mode="after")
    def _reason_when_not_applicable(self) -> ReturnItem:
        if self.status is ReturnStatus.NOT_APPLICABLE and not (self.reason or "").strip():
            raise ValueError(
                "status is not-applicable but no reason is given"
                "|Add a line 'reason: ...' saying why this item of CQC's request does not apply."
            )
        return self


# --- ratings: self-assessment per quality statement -----------------------------------------


def _no_duplicates(values: list[str]) -> list[str]:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise ValueError(f"'{v}' is listed twice")
        seen.add(v)
    return values


class Statement(StrictModel):
    """A strength or an area for improvement.

    It belongs to the rating file it is written in, and may evidence other quality statements
    too (``related_quality_statements``) and be presented under a theme of the council's
    choosing (``presented_under``), so nothing is written twice.
    """

    id: Id
    text: Text
    evidence: Annotated[list[Id], AfterValidator(_no_duplicates)] = Field(default_factory=list)
    metrics: Annotated[list[Id], AfterValidator(_no_duplicates)] = Field(
        default_factory=list, description="Ids of the performance measures it rests on."
    )
    related_quality_statements: list[QsRef] = Field(default_factory=list)
    presented_under: ThemeRef | None = Field(
        None, description="The theme this is presented under, if not its own."
    )
    order: Annotated[int, Field(ge=1, le=100_000)] | None = Field(
        None,
        description="Its place in the council's own list for its theme (1 first), for "
        "render --layout by-theme; statements without one follow, in quality statement order.",
    )
    owner: str | None = Field(None, description="The lead officer for it.")
    notes: str = Field(
        "", description="Comments for the council's own use; not in the public register."
    )


class AreaForImprovement(Statement):
    actions: list[Id] = Field(
        default_factory=list, description="Improvement actions that answer it."
    )


Score = Annotated[int, Field(ge=1, le=4)]


class Rating(StrictModel):
    """The council's self-assessment of one quality statement."""

    quality_statement: QsRef
    self_score: Score | None = None
    category_scores: dict[CategoryRef, Score] = Field(
        default_factory=dict, description="Optional scores per evidence category (older method)."
    )
    narrative: str = Field("", description="Markdown.")
    strengths: list[Statement] = Field(default_factory=list)
    areas_for_improvement: list[AreaForImprovement] = Field(default_factory=list)
    retired_ids: list[Id] = Field(
        default_factory=list,
        description="IDs of strengths and areas for improvement taken out of this file "
        "(ascready import --remove-missing): never given to another one.",
    )


# --- improvement actions ---------------------------------------------------------------------


class ActionStatus(StrEnum):
    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"


class ProgressUpdate(StrictModel):
    date: Date
    note: Text


class Action(StrictModel):
    """An improvement action, usually part of an improvement programme workstream."""

    id: Id
    title: Text
    workstream: str | None = None
    owner: str | None = None
    due: Date | None = None
    status: ActionStatus = ActionStatus.NOT_STARTED
    answers: list[Id] = Field(
        default_factory=list, description="Ids of the areas for improvement it answers."
    )
    progress: list[ProgressUpdate] = Field(default_factory=list)


# --- performance measures ----------------------------------------------------------------------


class Polarity(StrEnum):
    HIGHER_IS_BETTER = "higher-is-better"
    LOWER_IS_BETTER = "lower-is-better"
    NEUTRAL = "neutral"


class Unit(StrEnum):
    PERCENT = "percent"
    PER_100K = "per-100k"
    SCORE = "score"
    NUMBER = "number"
    DAYS = "days"
    WEEKS = "weeks"
    RATIO = "ratio"


Figure = Annotated[float, Field(allow_inf_nan=False)]


class Comparators(StrictModel):
    england: Figure | None = Field(None, description="The England average for the same period.")
    region: Figure | None = Field(
        None, description="The average of the council's region for the same period."
    )


class Metric(StrictModel):
    """A performance measure (an ASCOF measure, a waiting time, a survey result) for a period,
    with the averages it is judged against."""

    id: Id
    title: Text
    measure: str | None = Field(
        None, description="The measure's published code, e.g. the ASCOF id '2A'."
    )
    value: Figure
    unit: Unit
    period: Annotated[
        str,
        StringConstraints(pattern=r"^\d{4}(-\d{2}|-\d{4})?(-Q[1-4])?$|^\d{4}-\d{2}-\d{2}$"),
        Field(
            description="The period measured: a year (2024), a financial year (2024-25), a "
            "quarter (2024-25-Q2) or a date (2025-03-31)."
        ),
    ]
    polarity: Polarity = Field(description="Whether a higher or a lower value is better.")
    comparators: Comparators = Field(default_factory=Comparators)
    quality_statements: list[QsRef] = Field(
        default_factory=list, description="The quality statements the measure informs."
    )
    source: str | None = Field(
        None, description="Where the figures come from: an https:// link or a repository path."
    )
    classification: Classification = Field(
        Classification.PUBLIC,
        description="Published statistics are public; the council's own unpublished figures "
        "are official.",
    )
    notes: str = ""
