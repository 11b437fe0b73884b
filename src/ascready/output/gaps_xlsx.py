"""``ascready gaps --format xlsx``: the gaps report as an Excel workbook, one sheet per part.

:func:`render_xlsx` returns the bytes; it prints nothing and writes nothing. The same report
always gives the same bytes (councils keep their outputs in git): the document properties and
every zip entry carry a time taken from the report's as-of date, never the clock.

The sheets are laid out first as plain data (:class:`Table`), then written with openpyxl, which
is imported only inside :func:`render_xlsx` so that the command line starts quickly.

Every text that comes from the evidence is written as text, never as a formula: openpyxl would
otherwise store ``=HYPERLINK(...)`` in a title as a live formula.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ascready.analysis.gaps import READINESS_WEIGHTS, GapsReport
from ascready.output.words import ESTIMATE_NOTE, key_title, status_word
from ascready.output.xlsx import (
    BOLD,
    DATE_FORMAT,
    HEADER_FILL,
    MAX_COLUMN_WIDTH,
    cell_text,
    fit_width,
    fit_widths,
    header_width,
    put_text,
    save,
    set_printing,
    set_row_height,
    shown_width,
    solid_fill,
    wrapped_lines,
)

Value = str | int | float | dt.date | None

# Fills: Excel's own "good", "neutral" and "bad" colours, and a light grey.
RED, AMBER, GREEN, GREY = "FFC7CE", "FFEB9C", "C6EFCE", "D9D9D9"
RETURN_STATUS_FILL = {
    "uploaded": GREEN,
    "ready": GREEN,
    "in-progress": AMBER,
    "not-started": RED,
    "missing": RED,
    "not-applicable": GREY,
}
COMPARISON_FILL = {"better": GREEN, "worse": RED, "same": AMBER, "not compared": GREY}
WORSE_FLAG = "worse than England, no area for improvement cites it"
UNPLACED_FLAG = "under no quality statement"
COMPONENT_TITLES = {
    "coverage": "Coverage",
    "information_return": "Information return",
    "self_assessment": "Self-assessment",
    "expected_evidence": "Expected evidence",
}

ONE_DECIMAL = "0.0"


@dataclass
class Table:
    """One sheet as data: a header row, data rows, and how to dress particular cells."""

    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Value, ...]] = field(default_factory=list)
    fills: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col), 0-based data
    formats: dict[tuple[int, int], str] = field(default_factory=dict)  # number formats
    #: Columns whose numbers and dates sit on the left, as the text around them does.
    left: tuple[int, ...] = ()

    def add(
        self,
        *values: Value,
        fills: dict[int, str] | None = None,
        formats: dict[int, str] | None = None,
    ) -> None:
        if len(values) != len(self.headers):
            raise ValueError(f"{self.title}: {len(values)} values for {len(self.headers)} columns")
        row = len(self.rows)
        self.rows.append(values)
        for col, colour in (fills or {}).items():
            self.fills[(row, col)] = colour
        for col, fmt in (formats or {}).items():
            self.formats[(row, col)] = fmt


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def _joined(parts: tuple[str, ...] | list[str], sep: str = "; ") -> str:
    return sep.join(parts)


def _theme(report: GapsReport, theme: str) -> str:
    title = report.theme_titles.get(theme)
    return f"{theme} {title}" if title else theme


def _component(key: str) -> str:
    return COMPONENT_TITLES.get(key, key_title(key))


# --- the sheets as data ---------------------------------------------------------------------


def tables(report: GapsReport) -> list[Table]:
    """Every sheet of the workbook, in order, as plain data."""
    return [
        _summary(report),
        _coverage(report),
        _evidence_to_refresh(report),
        _information_return(report),
        _self_assessment(report),
        _scores_to_check(report),
        _actions(report),
        _measures(report),
        _expected_evidence(report),
        _deadlines(report),
        _predicted(report),
    ]


def _summary(report: GapsReport) -> Table:
    t = Table("Summary", ("Item", "Value", "Note"), left=(1,))
    one = {1: ONE_DECIMAL}
    t.add("Council", report.council, None)
    t.add("As of", report.as_of, "the date the report was worked out for")
    t.add("Framework", report.framework, None)
    weights = ", ".join(
        f"{_component(k).lower()} {int(w * 100)}%" for k, w in READINESS_WEIGHTS.items()
    )
    t.add("Readiness, overall (%)", report.readiness.overall, f"weights: {weights}", formats=one)
    for theme, score in report.readiness.themes.items():
        t.add(f"Readiness, {_theme(report, theme)} (%)", score, None, formats=one)
    for key, score in report.readiness.components.items():
        t.add(f"Readiness component: {_component(key)} (%)", score, None, formats=one)
    t.add("Information return", report.information_return.headline, None)
    for d in report.deadlines.overdue:
        t.add(
            f"Overdue: {d.name}",
            d.date,
            f"passed {-d.days_left} day(s) ago; {len(d.blocking)} information-return item(s) "
            f"still {d.blocking_means}",
        )
    nxt = next((d for d in report.deadlines.dates if d.name == report.deadlines.next), None)
    if nxt is None:
        t.add("Next deadline", "none upcoming", None)
    else:
        t.add("Next deadline", nxt.name, None)
        t.add("Next deadline: date", nxt.date, None)
        t.add(
            "Next deadline: days left",
            nxt.days_left,
            f"{len(nxt.blocking)} information-return item(s) not done for it",
        )
    for p in report.predicted:
        if p.available:
            value = f"{p.rating_title or p.rating} ({p.percent}%)"
            note = f"{ESTIMATE_NOTE}; {p.position}"
        else:
            value = "not available"
            note = f"{ESTIMATE_NOTE}; {_joined(p.notes) or p.position}"
        t.add(f"Predicted rating: {p.method_title}", value, note)
    cov = report.coverage
    thin = sum(len(r.thin) for r in cov.rows)
    t.add(
        "Coverage cells below the minimum",
        thin,
        f"of {len(cov.rows) * len(cov.categories)}; minimum {cov.minimum} current item(s) a cell",
    )
    t.add(
        "Expected evidence missing",
        len(report.expected_evidence),
        f"of {report.expected_total} expected for the quality statements",
    )
    metrics = report.metrics
    t.add(
        "Measures worse than England with no area for improvement",
        len(metrics.worse_without_area),
        f"of {len(metrics.measures)} performance measure(s); see the Measures sheet",
    )
    t.add(
        "Validation errors",
        report.validation_errors,
        "files with errors are left out of this report" if report.validation_errors else None,
    )
    t.add("Validation warnings", report.validation_warnings, None)
    return t


def _coverage(report: GapsReport) -> Table:
    cov = report.coverage
    cats = cov.categories
    t = Table(
        "Coverage",
        (
            "Quality statement",
            "Title",
            "Theme",
            *(cov.category_titles.get(c, c) for c in cats),
            "Minimum per cell",
            "Below the minimum",
        ),
    )
    first = 3  # the column of the first category
    for row in cov.rows:
        fills: dict[int, str] = {}
        for i, cat in enumerate(cats):
            count = row.counts.get(cat, 0)
            below = cat in row.thin or count < cov.minimum
            fills[first + i] = RED if count == 0 else AMBER if below else GREEN
        t.add(
            row.quality_statement,
            row.title,
            _theme(report, row.theme),
            *(row.counts.get(c, 0) for c in cats),
            cov.minimum,
            _joined([cov.category_titles.get(c, c) for c in row.thin]),
            fills=fills,
        )
    return t


def _evidence_to_refresh(report: GapsReport) -> Table:
    t = Table(
        "Evidence to refresh",
        ("List", "Evidence", "Title", "File", "Owner", "As of", "Review by", "Current", "Reasons"),
    )
    cov = report.coverage
    for name, states in (
        ("not current", cov.not_current),
        ("review due soon", cov.due_soon),
        ("no owner", cov.unowned),
    ):
        for s in states:
            t.add(
                name,
                s.id,
                s.title,
                s.file,
                s.owner,
                s.as_of,
                s.review_by,
                _yes_no(s.current),
                _joined(s.reasons),
                fills={7: GREEN if s.current else RED},
            )
    return t


def _information_return(report: GapsReport) -> Table:
    t = Table(
        "Information return",
        ("Number", "Title", "Status", "Owner", "Evidence", "Current evidence", "Blockers", "File"),
    )
    for r in report.information_return.rows:
        colour = RETURN_STATUS_FILL.get(r.status)
        t.add(
            r.number,
            r.title,
            status_word(r.status),
            r.owner,
            r.evidence,
            r.current_evidence,
            _joined(r.blockers),
            r.file,
            fills={2: colour} if colour else None,
        )
    return t


def _self_assessment(report: GapsReport) -> Table:
    t = Table(
        "Self-assessment",
        (
            "Quality statement",
            "Title",
            "Theme",
            "Self-score",
            "Narrative",
            "Strengths",
            "Areas for improvement",
            "Statements without current evidence",
            "Areas without an action",
            "Missing",
            "File",
        ),
    )
    for r in report.self_assessment.ratings:
        t.add(
            r.quality_statement,
            r.title,
            _theme(report, r.theme),
            r.self_score,
            _yes_no(r.has_narrative),
            r.strengths,
            r.areas_for_improvement,
            _joined(r.unbacked, ", "),
            _joined(r.without_action, ", "),
            _joined(r.missing),
            r.file,
            fills={9: AMBER if r.missing else GREEN},
        )
    return t


def _scores_to_check(report: GapsReport) -> Table:
    t = Table("Scores to check", ("Quality statement", "Title", "Self-score", "Reason"))
    for u in report.self_assessment.unsupported_scores:
        title = report.qs_titles.get(u.quality_statement)
        for reason in u.reasons:
            t.add(u.quality_statement, title, u.self_score, reason)
    return t


def _actions(report: GapsReport) -> Table:
    sa = report.self_assessment
    t = Table(
        "Actions",
        ("Kind", "Id", "Quality statement", "Title", "Owner", "Due", "Status", "Problems", "File"),
    )
    for a in sa.action_issues:
        t.add(
            "action",
            a.id,
            None,
            a.title,
            a.owner,
            a.due,
            status_word(a.status) if a.status else None,
            _joined(a.problems),
            a.file,
        )
    rating_file = {r.quality_statement: r.file for r in sa.ratings}
    for qs, afi, text in sa.areas_without_action:
        t.add(
            "area for improvement without an action",
            afi,
            qs,
            text,
            None,
            None,
            None,
            "no action answers it",
            rating_file.get(qs),
        )
    return t


def _measures(report: GapsReport) -> Table:
    metrics = report.metrics
    region = f"Region ({metrics.region})" if metrics.region else "Region"
    t = Table(
        "Measures",
        (
            "Measure",
            "Title",
            "Code",
            "Period",
            "Value",
            "Unit",
            "England",
            region,
            "Compared with England",
            "Compared with region",
            "Quality statements",
            "Strengths citing it",
            "Areas for improvement citing it",
            "Classification",
            "Flag",
            "What to do",
            "File",
        ),
    )
    flags: dict[str, list[tuple[str, str]]] = {}
    for name, gaps in (
        (WORSE_FLAG, metrics.worse_without_area),
        (UNPLACED_FLAG, metrics.without_quality_statement),
    ):
        for gap in gaps:
            flags.setdefault(gap.metric.id, []).append((name, gap.fix))
    for m in metrics.measures:
        mine = flags.get(m.id, [])
        fills = {8: COMPARISON_FILL[m.vs_england], 9: COMPARISON_FILL[m.vs_region]}
        if mine:
            fills[14] = RED if any(name == WORSE_FLAG for name, _ in mine) else AMBER
        t.add(
            m.id,
            m.title,
            m.measure,
            m.period,
            m.value,
            m.unit,
            m.england,
            m.region,
            m.vs_england,
            m.vs_region,
            _joined(m.quality_statements, ", "),
            _joined(m.strengths, ", "),
            _joined(m.areas_for_improvement, ", "),
            m.classification,
            _joined([name for name, _ in mine]),
            _joined([fix for _, fix in mine], " "),
            m.file,
            fills=fills,
        )
    return t


def _expected_evidence(report: GapsReport) -> Table:
    t = Table(
        "Expected evidence",
        (
            "Quality statement",
            "Quality statement title",
            "Expected evidence",
            "Title",
            "Category",
            "Note",
        ),
    )
    for g in report.expected_evidence:
        t.add(
            g.quality_statement,
            report.qs_titles.get(g.quality_statement),
            g.id,
            g.title,
            g.category,
            g.note,
        )
    return t


def _deadlines(report: GapsReport) -> Table:
    t = Table(
        "Deadlines",
        ("Deadline", "Date", "Days left", "Next", "Items not done", "Blocking items"),
    )
    for d in report.deadlines.dates:
        t.add(
            d.name,
            d.date,
            d.days_left,
            _yes_no(d.name == report.deadlines.next),
            len(d.blocking),
            _joined([str(n) for n in d.blocking], ", "),
            fills={2: GREY} if d.days_left < 0 else None,
        )
    return t


def _predicted(report: GapsReport) -> Table:
    qs = list(report.qs_titles)
    for p in report.predicted:
        qs.extend(q for q in p.scores if q not in qs)
    t = Table(
        "Predicted rating",
        ("Method", "Method title", *qs, "Percent", "Rating", "Position", "Notes", "Basis"),
    )
    for p in report.predicted:
        t.add(
            p.method,
            p.method_title,
            *(p.scores.get(q) for q in qs),
            p.percent,
            p.rating_title or p.rating or "not available",
            p.position,
            _joined(p.notes),
            ESTIMATE_NOTE,
        )
    return t


# --- writing the workbook -------------------------------------------------------------------


def _shown(value: Value) -> str:
    """Roughly what Excel shows, to size the columns."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return "0000-00-00"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _put_text(cell: Any, text: str) -> None:
    """Text as text, never a formula; what a cell cannot hold is replaced or cut, marked (this
    report is worked out from the repository, which keeps the whole text)."""
    if put_text(cell, text, exact=False):
        cell.quotePrefix = True  # and Excel keeps it text when it is edited


def _write(
    ws: Any, table: Table, fonts: dict[str, Any], fills: dict[str, Any], heading: str
) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    longest = [0] * len(table.headers)
    for values in table.rows:
        for c, value in enumerate(values):
            longest[c] = max(longest[c], shown_width(_shown(value)))
    widths = fit_widths(
        [fit_width(n, h) for n, h in zip(longest, table.headers, strict=True)],
        [header_width(h) for h in table.headers],
        [0 if n + 2 > MAX_COLUMN_WIDTH else 1 for n in longest],  # long text wraps anyway
    )

    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    top_left = Alignment(vertical="top", horizontal="left")
    lines = 1
    for col, header in enumerate(table.headers, start=1):
        cell = ws.cell(row=1, column=col)
        _put_text(cell, header)
        cell.font = fonts["bold"]
        cell.fill = fills[HEADER_FILL]
        cell.alignment = wrap
        lines = max(lines, wrapped_lines(header, widths[col - 1] * BOLD))
    set_row_height(ws, 1, lines)
    for r, values in enumerate(table.rows):
        lines = 1
        for c, value in enumerate(values):
            if value is None:
                continue
            cell = ws.cell(row=r + 2, column=c + 1)
            if isinstance(value, str):
                _put_text(cell, value)
                text = cell.value
                if shown_width(text) > widths[c] - 2 or "\n" in text:
                    cell.alignment = wrap
                    lines = max(lines, wrapped_lines(text, widths[c]))
                else:
                    cell.alignment = top
            else:
                cell.value = value
                cell.alignment = top_left if c in table.left else top
                if isinstance(value, dt.date):
                    cell.number_format = DATE_FORMAT
            fmt = table.formats.get((r, c))
            if fmt:
                cell.number_format = fmt
        set_row_height(ws, r + 2, lines)
    for (r, c), colour in table.fills.items():
        ws.cell(row=r + 2, column=c + 1).fill = fills[colour]
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    last = get_column_letter(len(table.headers))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
    set_printing(
        ws,
        columns=len(table.headers),
        rows=len(table.rows) + 1,
        widths=[float(w) for w in widths],
        heading=heading,
    )


def render_xlsx(report: GapsReport) -> bytes:
    """The gaps report as the bytes of an .xlsx workbook; the same report, the same bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    fonts = {"bold": Font(bold=True)}
    fills = {c: solid_fill(c) for c in (RED, AMBER, GREEN, GREY, HEADER_FILL)}
    title = f"ascready gaps: {report.council}, {report.as_of.isoformat()}"
    heading = f"Gaps report: {report.council}, as of {report.as_of.isoformat()}"
    wb = Workbook()
    wb.remove(wb.active)
    for table in tables(report):
        _write(wb.create_sheet(table.title), table, fonts, fills, heading)
    wb.active = 0

    wb.properties.title = cell_text(title, exact=False)
    return save(wb, report.as_of)
