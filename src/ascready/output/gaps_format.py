"""Formatters for ``ascready gaps``: a GapsReport in, text out. Nothing here prints."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from ascready.analysis.gaps import (
    GapsReport,
)
from ascready.output.gaps_sections import Section, deadline_text, predicted_text, sections
from ascready.output.markdown import escape, strong, table
from ascready.output.words import ESTIMATE_SENTENCE, plural

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
    untagged = r.return_items_in_every_theme
    every_theme = (
        f" ({plural(untagged, 'information-return item')} "
        f"{'names' if untagged == 1 else 'name'} no quality statement and "
        f"{'counts' if untagged == 1 else 'count'} in every theme)"
        if untagged
        else ""
    )
    lines = [
        ("Readiness", f"{r.overall:.1f}% overall; {themes}{every_theme}"),
        ("Information return", report.information_return.headline),
    ]
    for d in report.deadlines.overdue:
        lines.append(("Overdue", deadline_text(d)))
    upcoming = [d for d in report.deadlines.dates if d.name == report.deadlines.next]
    if upcoming:
        lines.append(("Next deadline", deadline_text(upcoming[0])))
    elif report.deadlines.dates and not report.deadlines.overdue:
        lines.append(
            ("Next deadline", "all the dates in ascready.yaml have passed, with nothing left to do")
        )
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


# --- text (Rich) ----------------------------------------------------------------------------


def _text_summary(report: GapsReport) -> RenderableType:
    from rich.panel import Panel
    from rich.table import Table

    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    for label, text in summary_lines(report):
        head.add_row(label, text)
    overall = report.readiness.overall
    style = "green" if overall >= 80 else ("yellow" if overall >= 60 else "red")
    return Panel(
        head,
        title=f"{report.council}: CQC readiness on {report.as_of}",
        border_style=style,
        expand=False,
    )


def _text_coverage(report: GapsReport) -> RenderableType:
    """Quality statements by category, under their themes; thin cells red."""
    from rich.table import Table
    from rich.text import Text

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
    return t


def _text_table(section: Section) -> RenderableType:
    from rich.table import Table

    t = Table(
        title=section.title,
        title_justify="left",
        title_style="bold",
        show_lines=False,
        expand=False,
    )
    for i, header in enumerate(section.headers):
        t.add_column(header, no_wrap=i in section.no_wrap)
    for row in section.rows:
        t.add_row(*row)
    if not section.rows:
        t.add_row(*(["nothing to report"] + [""] * (len(section.headers) - 1)))
    return t


def render_text(report: GapsReport) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    parts = [_text_summary(report), _text_coverage(report)]
    parts += [_text_table(s) for s in sections(report, markdown=False)]
    for p in report.predicted:
        parts.append(Text(predicted_text(p), style="bold" if p.available else "dim"))
    return Group(*[item for part in parts for item in (part, Text(""))])


# --- the one-screen summary -------------------------------------------------------------------

#: How many of the worst gaps, and of the things to do next, the summary shows.
SUMMARY_ITEMS = 3
FULL_HINT = "This is the summary: ascready gaps --full shows every table."


def _part_gap(report: GapsReport, part: str) -> tuple[str, str]:
    """(the gap, what to do about it) for one readiness part that is not complete."""
    r = report.readiness.components[part]
    cov = report.coverage
    if part == "coverage":
        thin = sum(len(row.thin) for row in cov.rows)
        worst = sorted(cov.rows, key=lambda row: -len(row.thin))[:SUMMARY_ITEMS]
        names = ", ".join(row.quality_statement for row in worst if row.thin)
        first = worst[0]
        cats = ", ".join(cov.category_titles[c].lower() for c in first.thin)
        return (
            f"Coverage {r:.1f}%: {thin} of {len(cov.rows) * len(cov.categories)} cells have "
            f"fewer than {cov.minimum} current items; thinnest {names}",
            f"Add current evidence for {first.quality_statement} {first.title}: {cats}",
        )
    if part == "information_return":
        ir = report.information_return
        todo = [row for row in ir.rows if row.status not in ("ready", "uploaded", "not-applicable")]
        return (
            f"Information return {r:.1f}%: {len(todo)} of {ir.expected} items not ready or "
            "uploaded",
            f"Give each item in information-return/ an owner and its evidence, then mark it "
            f"ready (start with item {todo[0].number})"
            if todo
            else "Check the information return",
        )
    if part == "self_assessment":
        ratings = report.self_assessment.ratings
        incomplete = [x for x in ratings if x.missing]
        least = sorted(incomplete, key=lambda x: -len(x.missing))[0]
        return (
            f"Self-assessment {r:.1f}%: {len(incomplete)} of {len(ratings)} quality statements "
            "incomplete",
            f"Complete {least.file or 'a rating file for ' + least.quality_statement}: "
            f"{'; '.join(least.missing)}",
        )
    missing: dict[str, int] = {}
    for g in report.expected_evidence:
        missing[g.quality_statement] = missing.get(g.quality_statement, 0) + 1
    qs = max(missing, key=lambda q: missing[q])  # the first with the most, in framework order
    return (
        f"Expected evidence {r:.1f}%: {len(report.expected_evidence)} of "
        f"{report.expected_total} kinds CQC looks at have no current evidence",
        f"Tag current evidence for {qs} with expected_evidence: (it lacks "
        f"{plural(missing[qs], 'kind')})",
    )


def worst_gaps(report: GapsReport) -> list[tuple[str, str]]:
    """The readiness parts furthest from complete, by what each costs the score (its weight
    times what it lacks; ties in the weights' order): (the gap, what to do next)."""
    from ascready.analysis.gaps import READINESS_WEIGHTS

    parts = report.readiness.components
    order = list(READINESS_WEIGHTS)
    short = sorted(
        (p for p in parts if parts[p] < 100),
        key=lambda p: (-READINESS_WEIGHTS[p] * (100 - Fraction(str(parts[p]))), order.index(p)),
    )
    return [_part_gap(report, p) for p in short[:SUMMARY_ITEMS]]


def render_summary_text(report: GapsReport) -> RenderableType:
    """The one-screen report: the headline panel, the worst gaps, what to do next, and how to
    see everything."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    def listed(title: str, marks: list[str], lines: list[str]) -> RenderableType:
        grid = Table.grid(padding=(0, 1))
        grid.title, grid.title_justify, grid.title_style = title, "left", "bold"
        grid.add_column(justify="right", min_width=3)
        grid.add_column()
        for mark, line in zip(marks, lines, strict=True):
            grid.add_row(mark, line)
        return grid

    gaps = worst_gaps(report)
    parts: list[RenderableType] = [_text_summary(report)]
    if gaps:
        parts.append(listed("Worst gaps", ["-"] * len(gaps), [gap for gap, _ in gaps]))
        todo = ["Run ascready validate and fix its errors"] if report.validation_errors else []
        todo += [step for _, step in gaps]
        parts.append(listed("What to do next", [f"{i}." for i in range(1, len(todo) + 1)], todo))
    parts.append(Text(FULL_HINT, style="dim"))
    return Group(*parts)


def render_plain_text(report: GapsReport, width: int = 120) -> str:
    """The text report without colour, for a file."""
    import io

    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, force_terminal=False).print(
        render_text(report)
    )
    return buffer.getvalue()


# --- JSON and Markdown ------------------------------------------------------------------------


def render_json(report: GapsReport) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _md_table(headers: Sequence[object], rows: Iterable[Sequence[object]]) -> list[str]:
    """A table of text from the repository, escaped cell by cell (Markup cells stay as they
    are); a sentence instead when it has no rows."""
    rows = list(rows)
    if not rows:
        return ["Nothing to report.", ""]
    return table([escape(h) for h in headers], [[escape(c) for c in row] for row in rows])


def _md_section(section: Section) -> list[str]:
    return [
        f"{'#' * section.level} {escape(section.title)}",
        "",
        *_md_table(section.headers, section.rows),
    ]


def _md_summary(report: GapsReport) -> list[str]:
    out = [
        f"# CQC readiness: {escape(report.council)}",
        "",
        f"As of {report.as_of}. Readiness **{report.readiness.overall:.1f}%**.",
        "",
    ]
    return out + _md_table(
        ("", ""), [(strong(label), text) for label, text in summary_lines(report)]
    )


def _md_coverage(report: GapsReport) -> list[str]:
    cov = report.coverage
    out = [f"## Coverage: current evidence items (fewer than {cov.minimum} in bold)", ""]
    return out + _md_table(
        ("Quality statement", *[cov.category_titles[c] for c in cov.categories]),
        [
            (
                f"{r.quality_statement} {r.title}",
                *[strong(r.counts[c]) if c in r.thin else r.counts[c] for c in cov.categories],
            )
            for r in cov.rows
        ],
    )


def _md_predicted(report: GapsReport) -> list[str]:
    out = ["## Predicted rating", "", f"_{ESTIMATE_SENTENCE}._", ""]
    return out + _md_table(
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


def render_markdown(report: GapsReport) -> str:
    """For a pull-request comment or a board paper: summary first, then each part. Text from
    the repository is escaped: no HTML, links, emphasis or @-mentions get through."""
    out = _md_summary(report) + _md_coverage(report)
    for section in sections(report, markdown=True):
        out += _md_section(section)
    out += _md_predicted(report)
    return "\n".join(out).rstrip() + "\n"
