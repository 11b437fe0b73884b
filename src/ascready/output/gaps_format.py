"""Formatters for ``ascready gaps``: a GapsReport in, text out. Nothing here prints."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ascready.analysis.gaps import (
    EvidenceState,
    GapsReport,
    MetricState,
    PredictedRating,
)
from ascready.analysis.measures import number_text
from ascready.output.words import ESTIMATE, ESTIMATE_SENTENCE, plural

if TYPE_CHECKING:
    from rich.console import RenderableType

FORMATS = ("text", "json", "markdown", "xlsx")


def summary_lines(report: GapsReport) -> list[tuple[str, str]]:
    """(label, text) pairs: the one-screen summary every format starts with."""
    r = report.readiness
    themes = ", ".join(f"{report.theme_titles[t]} {v:.1f}%" for t, v in r.themes.items())
    cov = report.coverage
    thin = sum(len(row.thin) for row in cov.rows)
    cells = len(cov.rows) * len(cov.categories)
    sa = report.self_assessment
    lines = [
        ("Readiness", f"{r.overall:.1f}% overall; {themes}"),
        ("Information return", report.information_return.headline),
    ]
    upcoming = [d for d in report.deadlines.dates if d.name == report.deadlines.next]
    if upcoming:
        d = upcoming[0]
        days = "today" if d.days_left == 0 else f"in {plural(d.days_left, 'day')}"
        blocking = f"; {plural(len(d.blocking), 'item')} not ready for it" if d.blocking else ""
        lines.append(("Next deadline", f"{d.name}, {d.date} ({days}){blocking}"))
    elif report.deadlines.dates:
        lines.append(("Next deadline", "all the dates in ascready.yaml have passed"))
    for p in report.predicted:
        if p.available:
            lines.append(
                (
                    "Predicted rating",
                    f"{p.rating_title}, {p.percent}% by {p.method_title.lower()}: "
                    f"{p.position}. {ESTIMATE_SENTENCE}.",
                )
            )
    lines.append(
        (
            "Coverage",
            f"{thin} of {cells} quality statement and category cells have "
            f"fewer than {cov.minimum} current evidence items",
        )
    )
    lines.append(
        (
            "Evidence to refresh",
            f"{len(cov.not_current)} not current, "
            f"{len(cov.due_soon)} due for review soon, {len(cov.unowned)} with no owner",
        )
    )
    lines.append(
        (
            "Self-assessment",
            f"{plural(len(sa.unsupported_scores), 'self-score')} the "
            f"evidence may not support; {plural(len(sa.areas_without_action), 'area')} "
            f"for improvement with no action; "
            f"{plural(len(sa.action_issues), 'action')} overdue, blocked or unowned",
        )
    )
    if report.metrics.measures:
        lines.append(("Performance measures", _metrics_summary(report)))
    met = report.expected_total - len(report.expected_evidence)
    lines.append(
        (
            "Expected evidence",
            f"{met} of {report.expected_total} kinds CQC looks at have current evidence",
        )
    )
    if report.validation_errors:
        lines.append(
            (
                "Validation",
                f"validate found {plural(report.validation_errors, 'error')}"
                ": files with errors are left out of this report; run ascready validate",
            )
        )
    return lines


def _metrics_summary(report: GapsReport) -> str:
    m = report.metrics
    text = (
        f"{plural(len(m.measures), 'measure')}: {m.count('better')} better than England, "
        f"{m.count('worse')} worse, {m.count('same')} the same, "
        f"{m.count('not compared')} not compared; "
        f"{plural(len(m.worse_without_area), 'measure')} worse than England with no area for "
        "improvement citing it"
    )
    if m.without_quality_statement:
        text += f"; {len(m.without_quality_statement)} under no quality statement"
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
HOMELESS_HEADERS = ("File", "Measure", "Problem", "What to do")
WORSE_TITLE = "Measures worse than England with no area for improvement"
HOMELESS_TITLE = "Measures under no quality statement"


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


# --- text (Rich) ----------------------------------------------------------------------------


def render_text(report: GapsReport) -> RenderableType:
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    for label, text in summary_lines(report):
        head.add_row(label, text)
    style = (
        "green"
        if report.readiness.overall >= 80
        else ("yellow" if report.readiness.overall >= 60 else "red")
    )
    parts: list[RenderableType] = [
        Panel(
            head,
            title=f"{report.council}: CQC readiness on {report.as_of}",
            border_style=style,
            expand=False,
        ),
    ]

    def table(
        title: str,
        headers: Sequence[str],
        rows: Iterable[Sequence[str]],
        no_wrap: Sequence[int] = (),
    ) -> None:
        rows = list(rows)
        t = Table(
            title=title,
            title_justify="left",
            title_style="bold",
            show_lines=False,
            expand=False,
        )
        for i, header in enumerate(headers):
            t.add_column(header, no_wrap=i in no_wrap)
        for row in rows:
            t.add_row(*row)
        if not rows:
            t.add_row(*(["nothing to report"] + [""] * (len(headers) - 1)))
        parts.append(t)

    cov = report.coverage
    t = Table(
        "Quality statement",
        *[cov.category_titles[c] for c in cov.categories],
        title=f"Coverage: current evidence items (fewer than {cov.minimum} shown red)",
        title_justify="left",
        title_style="bold",
    )
    for theme in report.theme_titles:
        rows = [r for r in cov.rows if r.theme == theme]
        if rows:
            t.add_row(Text(report.theme_titles[theme], style="italic"), *[""] * len(cov.categories))
        for row in rows:
            cells = [
                Text(str(row.counts[c]), style="bold red" if c in row.thin else "green")
                for c in cov.categories
            ]
            t.add_row(f"  {row.quality_statement} {row.title}", *cells)
    parts.append(t)

    table(
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
    ir = report.information_return
    table(
        f"Information return: {ir.headline}",
        ("No.", "Item", "Status", "Owner", "Evidence", "Blocked by"),
        [
            (
                str(r.number),
                r.title,
                r.status,
                r.owner or "",
                f"{r.current_evidence}/{r.evidence}",
                "; ".join(r.blockers),
            )
            for r in ir.rows
        ],
    )
    sa = report.self_assessment
    table(
        "Self-assessment",
        ("Quality statement", "Score", "Missing"),
        [
            (
                f"{r.quality_statement} {r.title}",
                str(r.self_score or "-"),
                "; ".join(r.missing) or "complete",
            )
            for r in sa.ratings
        ],
    )
    table(
        "Self-scores the evidence may not support",
        ("Quality statement", "Score", "Why"),
        [
            (u.quality_statement, str(u.self_score), "; ".join(u.reasons))
            for u in sa.unsupported_scores
        ],
    )
    table(
        "Areas for improvement with no action",
        ("Quality statement", "Area", ""),
        [(qs, ident, text) for qs, ident, text in sa.areas_without_action],
    )
    table(
        "Improvement actions to chase",
        ("Action", "Owner", "Due", "Problem"),
        [
            (f"{a.id} {a.title}", a.owner or "(none)", str(a.due or ""), "; ".join(a.problems))
            for a in sa.action_issues
        ],
    )
    metrics = report.metrics
    if metrics.measures:
        short_headers, short_rows = _short_metric_table(report)
        table(
            "Performance measures, compared with England and the region",
            short_headers,
            short_rows,
            no_wrap=(0,),
        )
        table(
            WORSE_TITLE,
            FLAG_HEADERS,
            [
                (g.metric.file, _metric_name(g.metric), g.problem, g.metric.period, g.fix)
                for g in metrics.worse_without_area
            ],
            no_wrap=(3,),
        )
        if metrics.without_quality_statement:
            table(
                HOMELESS_TITLE,
                HOMELESS_HEADERS,
                [
                    (g.metric.file, _metric_name(g.metric), g.problem, g.fix)
                    for g in metrics.without_quality_statement
                ],
            )
    table(
        "Expected evidence with no current item",
        ("Quality statement", "Kind of evidence", "Category", "Note"),
        [
            (g.quality_statement, f"{g.title} ({g.id})", g.category, g.note)
            for g in report.expected_evidence
        ],
    )
    table(
        "Deadlines",
        ("Date", "What", "Days left", "Items not ready for it"),
        [
            (str(d.date), d.name, str(d.days_left), ", ".join(map(str, d.blocking)))
            for d in report.deadlines.dates
        ],
    )
    for p in report.predicted:
        parts.append(Text(_predicted_text(p), style="bold" if p.available else "dim"))
    return Group(*[item for part in parts for item in (part, Text(""))])


def render_plain_text(report: GapsReport, width: int = 120) -> str:
    """The text report without colour, for a file."""
    import io

    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, force_terminal=False).print(
        render_text(report)
    )
    return buffer.getvalue()


def _refresh_list(report: GapsReport) -> list[EvidenceState]:
    """Evidence not current, due for review soon, or without an owner: each item once."""
    seen: dict[str, EvidenceState] = {}
    cov = report.coverage
    for s in (*cov.not_current, *cov.due_soon, *cov.unowned):
        seen.setdefault(s.id, s)
    return sorted(seen.values(), key=lambda s: s.id)


def _predicted_text(p: PredictedRating) -> str:
    if not p.available:
        return f"Predicted rating, {p.method_title}: not available ({'; '.join(p.notes)})."
    scores = ", ".join(f"{q} {s}" for q, s in p.scores.items())
    notes = f" Notes: {'; '.join(p.notes)}." if p.notes else ""
    return (
        f"Predicted rating, {p.method_title}: {p.rating_title}, {p.percent}% "
        f"({p.position}); scores {scores}. This is {ESTIMATE}.{notes}"
    )


# --- JSON and Markdown ------------------------------------------------------------------------


def render_json(report: GapsReport) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    rows = list(rows)
    if not rows:
        return ["Nothing to report.", ""]
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return [*out, ""]


def render_markdown(report: GapsReport) -> str:
    """For a pull-request comment or a board paper: summary first, then each part."""
    out = [
        f"# CQC readiness: {report.council}",
        "",
        f"As of {report.as_of}. Readiness **{report.readiness.overall:.1f}%**.",
        "",
    ]
    out += _md_table(("", ""), [(f"**{label}**", text) for label, text in summary_lines(report)])
    cov = report.coverage
    out += [f"## Coverage: current evidence items (fewer than {cov.minimum} in bold)", ""]
    out += _md_table(
        ("Quality statement", *[cov.category_titles[c] for c in cov.categories]),
        [
            (
                f"{r.quality_statement} {r.title}",
                *[f"**{r.counts[c]}**" if c in r.thin else r.counts[c] for c in cov.categories],
            )
            for r in cov.rows
        ],
    )
    out += ["## Evidence to refresh", ""]
    out += _md_table(
        ("Evidence", "Owner", "As of", "Review by", "Why"),
        [
            (
                f"{s.id} {s.title}",
                s.owner or "(none)",
                s.as_of or "",
                s.review_by or "",
                "; ".join(s.reasons) or "no owner",
            )
            for s in _refresh_list(report)
        ],
    )
    ir = report.information_return
    out += [f"## Information return: {ir.headline}", ""]
    out += _md_table(
        ("No.", "Item", "Status", "Owner", "Current evidence", "Blocked by"),
        [
            (r.number, r.title, r.status, r.owner or "", r.current_evidence, "; ".join(r.blockers))
            for r in ir.rows
        ],
    )
    sa = report.self_assessment
    out += ["## Self-assessment", ""]
    out += _md_table(
        ("Quality statement", "Self-score", "Missing"),
        [
            (
                f"{r.quality_statement} {r.title}",
                r.self_score or "-",
                "; ".join(r.missing) or "complete",
            )
            for r in sa.ratings
        ],
    )
    out += ["### Self-scores the evidence may not support", ""]
    out += _md_table(
        ("Quality statement", "Self-score", "Why"),
        [(u.quality_statement, u.self_score, "; ".join(u.reasons)) for u in sa.unsupported_scores],
    )
    out += ["### Areas for improvement with no action", ""]
    out += _md_table(("Quality statement", "Id", "Area for improvement"), sa.areas_without_action)
    out += ["### Improvement actions to chase", ""]
    out += _md_table(
        ("Action", "Owner", "Due", "Problem"),
        [
            (f"{a.id} {a.title}", a.owner or "(none)", a.due or "", "; ".join(a.problems))
            for a in sa.action_issues
        ],
    )
    metrics = report.metrics
    if metrics.measures:
        out += ["## Performance measures, compared with England and the region", ""]
        out += _md_table(metric_headers(report), metric_rows(report))
        out += [f"### {WORSE_TITLE}", ""]
        out += _md_table(
            FLAG_HEADERS,
            [
                (f"`{g.metric.file}`", _metric_name(g.metric), g.problem, g.metric.period, g.fix)
                for g in metrics.worse_without_area
            ],
        )
        if metrics.without_quality_statement:
            out += [f"### {HOMELESS_TITLE}", ""]
            out += _md_table(
                HOMELESS_HEADERS,
                [
                    (f"`{g.metric.file}`", _metric_name(g.metric), g.problem, g.fix)
                    for g in metrics.without_quality_statement
                ],
            )
    out += ["## Expected evidence with no current item", ""]
    out += _md_table(
        ("Quality statement", "Kind of evidence", "Category", "Note"),
        [
            (g.quality_statement, f"{g.title} (`{g.id}`)", g.category, g.note)
            for g in report.expected_evidence
        ],
    )
    out += ["## Deadlines", ""]
    out += _md_table(
        ("Date", "What", "Days left", "Items not ready for it"),
        [
            (d.date, d.name, d.days_left, ", ".join(map(str, d.blocking)))
            for d in report.deadlines.dates
        ],
    )
    out += ["## Predicted rating", "", f"_{ESTIMATE_SENTENCE}._", ""]
    out += _md_table(
        ("Method", "Rating", "Overall", "Position", "Scores", "Notes"),
        [
            (
                p.method_title,
                p.rating_title or "not available",
                f"{p.percent}%" if p.available else "",
                p.position,
                ", ".join(f"{q} {s}" for q, s in p.scores.items()),
                "; ".join(p.notes),
            )
            for p in report.predicted
        ],
    )
    return "\n".join(out).rstrip() + "\n"
