"""The sections of the gaps report (one table each), shared by the terminal and Markdown
formats, and the wording of deadlines and measures in them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ascready.analysis.gaps import (
    Deadline,
    EvidenceState,
    GapsReport,
    MetricState,
    PredictedRating,
)
from ascready.analysis.measures import number_text
from ascready.output.markdown import Markup, code, escape
from ascready.output.words import ESTIMATE, plural

if TYPE_CHECKING:
    pass


def days_text(days_left: int) -> str:
    """'today', 'in 7 days', '3 days ago'."""
    if days_left == 0:
        return "today"
    if days_left > 0:
        return f"in {plural(days_left, 'day')}"
    return f"{plural(-days_left, 'day')} ago"


def deadline_text(d: Deadline) -> str:
    """'Information return due, 2026-11-30 (3 days ago): 12 items still not ready or
    uploaded'."""
    text = f"{d.name}, {d.date} ({days_text(d.days_left)})"
    if d.blocking:
        still = " still" if d.days_left < 0 else ""
        text += f": {plural(len(d.blocking), 'item')}{still} {d.blocking_means}"
    return text


METRIC_HEADERS = (
    "Measure",
    "Period",
    "Value",
    "England",
    "Region",
    "vs England",
    "vs region",
    "Cited by",
)


FLAG_HEADERS = ("File", "Measure", "Figures", "Period", "What to do")


UNPLACED_HEADERS = ("File", "Measure", "Problem", "What to do")


WORSE_TITLE = "Measures worse than England with no area for improvement"


UNPLACED_TITLE = "Measures under no quality statement"


def _cited_by(m: MetricState) -> str:
    parts = []
    if m.areas_for_improvement:
        parts.append(f"areas for improvement {', '.join(m.areas_for_improvement)}")
    if m.strengths:
        parts.append(f"strengths {', '.join(m.strengths)}")
    return "; ".join(parts) or "nothing"


def _metric_name(m: MetricState) -> str:
    return f"{m.id} {m.title}"


def metric_headers(report: GapsReport) -> tuple[str, ...]:
    """METRIC_HEADERS with the council's region named."""
    region = report.metrics.region
    return tuple(f"Region ({region})" if h == "Region" and region else h for h in METRIC_HEADERS)


def metric_rows(report: GapsReport) -> list[tuple[str, ...]]:
    """Every measure as a row of METRIC_HEADERS."""
    return [
        (
            _metric_name(m),
            m.period,
            m.shown,
            m.england_shown or "-",
            m.region_shown or "-",
            m.vs_england,
            m.vs_region,
            _cited_by(m),
        )
        for m in report.metrics.measures
    ]


#: The units in the terminal's narrow table, where the figures are bare numbers.
SHORT_UNITS = {"percent": "%", "per-100k": "/100k", "days": " days", "weeks": " weeks"}


def _short_metric_table(report: GapsReport) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The terminal's table of measures, narrow enough for 80 columns: ids, figures with a short
    unit, the comparison with England, and the areas for improvement citing it."""
    headers: tuple[str, ...] = (
        "Measure",
        "Period",
        "Us",
        "England",
        report.metrics.region or "Region",
        "vs England",
        "Cited by",
    )

    def figure(value: float | None, unit: str) -> str:
        if value is None:
            return "-"
        short = SHORT_UNITS.get(unit)
        return number_text(value) + (short if short else "")

    rows: list[tuple[str, ...]] = [
        (
            m.id,
            m.period,
            figure(m.value, m.unit),
            figure(m.england, m.unit),
            figure(m.region, m.unit),
            m.vs_england,
            ", ".join(m.areas_for_improvement) or "-",
        )
        for m in report.metrics.measures
    ]
    return headers, rows


@dataclass(frozen=True)
class Section:
    """One table of the report: the same rows in the terminal and in Markdown."""

    title: str
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    level: int = 2  # its heading's level in Markdown
    no_wrap: tuple[int, ...] = ()  # columns the terminal keeps on one line


def _refresh_list(report: GapsReport) -> list[EvidenceState]:
    """Evidence not current, due for review soon, or without an owner: each item once."""
    seen: dict[str, EvidenceState] = {}
    cov = report.coverage
    for s in (*cov.not_current, *cov.due_soon, *cov.unowned):
        seen.setdefault(s.id, s)
    return sorted(seen.values(), key=lambda s: s.id)


def _refresh(report: GapsReport, markdown: bool) -> Section:
    return Section(
        "Evidence to refresh",
        ("Evidence", "Owner", "As of", "Review by", "Why"),
        [
            (
                f"{s.id} {s.title}",
                s.owner or "(none)",
                str(s.as_of or ""),
                str(s.review_by or ""),
                "; ".join(s.reasons) or "no owner",
            )
            for s in _refresh_list(report)
        ],
    )


def _information_return(report: GapsReport, markdown: bool) -> Section:
    """The return's items; the terminal shows current of all evidence, Markdown current only."""
    ir = report.information_return
    return Section(
        f"Information return: {ir.headline}",
        (
            "No.",
            "Item",
            "Status",
            "Owner",
            "Current evidence" if markdown else "Evidence",
            "Blocked by",
        ),
        [
            (
                str(r.number),
                r.title,
                r.status,
                r.owner or "",
                str(r.current_evidence) if markdown else f"{r.current_evidence}/{r.evidence}",
                "; ".join(r.blockers),
            )
            for r in ir.rows
        ],
    )


def _score_header(markdown: bool) -> str:
    return "Self-score" if markdown else "Score"


def _self_assessment(report: GapsReport, markdown: bool) -> Section:
    return Section(
        "Self-assessment",
        ("Quality statement", _score_header(markdown), "Missing"),
        [
            (
                f"{r.quality_statement} {r.title}",
                str(r.self_score or "-"),
                "; ".join(r.missing) or "complete",
            )
            for r in report.self_assessment.ratings
        ],
    )


UNBACKED_TITLE = "Strengths and areas for improvement with no current evidence"


def _unbacked(report: GapsReport, markdown: bool) -> Section:
    return Section(
        UNBACKED_TITLE,
        ("Quality statement", "Id", "Statement", "File", "Why"),
        [
            (
                u.quality_statement,
                u.id,
                f"{u.kind.capitalize()}: {u.text}",
                _file(u.file, markdown),
                u.why,
            )
            for u in report.self_assessment.unbacked_statements
        ],
        level=3,
    )


def _unsupported_scores(report: GapsReport, markdown: bool) -> Section:
    return Section(
        "Self-scores the evidence may not support",
        ("Quality statement", _score_header(markdown), "Why"),
        [
            (u.quality_statement, str(u.self_score), "; ".join(u.reasons))
            for u in report.self_assessment.unsupported_scores
        ],
        level=3,
    )


def _areas_without_action(report: GapsReport, markdown: bool) -> Section:
    headers = ("Id", "Area for improvement") if markdown else ("Area", "")
    return Section(
        "Areas for improvement with no action",
        ("Quality statement", *headers),
        [(qs, ident, text) for qs, ident, text in report.self_assessment.areas_without_action],
        level=3,
    )


def _actions_to_chase(report: GapsReport, markdown: bool) -> Section:
    return Section(
        "Improvement actions to chase",
        ("Action", "Owner", "Due", "Problem"),
        [
            (f"{a.id} {a.title}", a.owner or "(none)", str(a.due or ""), "; ".join(a.problems))
            for a in report.self_assessment.action_issues
        ],
        level=3,
    )


def _measures(report: GapsReport, markdown: bool) -> Section | None:
    """Every measure: in Markdown all the figures, in the terminal a table 80 columns wide."""
    if not report.metrics.measures:
        return None
    title = "Performance measures, compared with England and the region"
    if markdown:
        return Section(title, metric_headers(report), metric_rows(report))
    headers, rows = _short_metric_table(report)
    return Section(title, headers, rows, no_wrap=(0,))


def _file(path: str, markdown: bool) -> str:
    return code(path) if markdown else path


def _worse_measures(report: GapsReport, markdown: bool) -> Section | None:
    metrics = report.metrics
    if not metrics.measures:
        return None
    return Section(
        WORSE_TITLE,
        FLAG_HEADERS,
        [
            (
                _file(g.metric.file, markdown),
                _metric_name(g.metric),
                g.problem,
                g.metric.period,
                g.fix,
            )
            for g in metrics.worse_without_area
        ],
        level=3,
        no_wrap=(3,),
    )


def _unplaced_measures(report: GapsReport, markdown: bool) -> Section | None:
    metrics = report.metrics
    if not (metrics.measures and metrics.without_quality_statement):
        return None
    return Section(
        UNPLACED_TITLE,
        UNPLACED_HEADERS,
        [
            (_file(g.metric.file, markdown), _metric_name(g.metric), g.problem, g.fix)
            for g in metrics.without_quality_statement
        ],
        level=3,
    )


def _expected_evidence(report: GapsReport, markdown: bool) -> Section:
    def kind(title: str, ident: str) -> str:
        return Markup(f"{escape(title)} ({code(ident)})") if markdown else f"{title} ({ident})"

    return Section(
        "Expected evidence with no current item",
        ("Quality statement", "Kind of evidence", "Category", "Note"),
        [
            (g.quality_statement, kind(g.title, g.id), g.category, g.note)
            for g in report.expected_evidence
        ],
    )


def _deadlines(report: GapsReport, markdown: bool) -> Section:
    return Section(
        "Deadlines",
        ("Date", "What", "When", "Items still to do"),
        [
            (
                str(d.date),
                d.name,
                days_text(d.days_left),
                f"{d.blocking_means}: {', '.join(map(str, d.blocking))}" if d.blocking else "",
            )
            for d in report.deadlines.dates
        ],
    )


#: The tables of the report after its summary and coverage, in order.
SECTIONS = (
    _refresh,
    _information_return,
    _self_assessment,
    _unbacked,
    _unsupported_scores,
    _areas_without_action,
    _actions_to_chase,
    _measures,
    _worse_measures,
    _unplaced_measures,
    _expected_evidence,
    _deadlines,
)


def sections(report: GapsReport, *, markdown: bool) -> list[Section]:
    """The report's tables, as the terminal (or Markdown) shows them."""
    return [s for make in SECTIONS if (s := make(report, markdown)) is not None]


def predicted_text(p: PredictedRating) -> str:
    if not p.available:
        return f"Predicted rating, {p.method_title}: not available ({'; '.join(p.notes)})."
    scores = ", ".join(f"{q} {s}" for q, s in p.scores.items())
    notes = f" Notes: {'; '.join(p.notes)}." if p.notes else ""
    return (
        f"Predicted rating, {p.method_title}: {p.rating_title}, {p.percent}% "
        f"({p.position}); scores {scores}. This is {ESTIMATE}.{notes}"
    )
