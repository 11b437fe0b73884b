"""``ascready render``: the self-assessment document, from the same data as everything else.

:func:`build_context` turns a project into plain data for one audience. For ``public`` it
leaves out everything not classified public (evidence, quotes, data, performance measures,
index rows, the documents behind return items), so nothing later in the pipeline can leak it.
Markdown and HTML come from Jinja templates (a repository's ``templates/`` folder overrides the
built-in ones by name); DOCX is built from the same context by ``render_docx``, and PDF
from that Word file by ``render_pdf`` (LibreOffice). Evidence text is
always data, never template source: ``{{ 7*7 }}`` in a summary stays as written, and HTML in it
is escaped.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ascready.analysis.measures import compare, measure_text, region_phrase
from ascready.document import sandbox
from ascready.document.colours import heatmap_colour, heatmap_text_colour
from ascready.document.sandbox import MEMORY_HEADROOM, TemplateTooLarge, memory_bound
from ascready.errors import AscreadyError, TemplateError
from ascready.output.markdown import escape, narrative
from ascready.output.words import (
    COMPARISON_WORDS,
    DATE_TITLES,
    ESTIMATE_SENTENCE,
    INTERNAL_LINE,
    PUBLIC_LINE,
    STATUS_WORDS,
    key_title,
    long_date,
)
from ascready.repository import models
from ascready.repository.framework import QualityStatement, Theme
from ascready.repository.project import Project

AUDIENCES = ("public", "internal")
FORMATS = ("md", "html", "docx", "pdf")
#: How the strengths and areas for improvement are laid out: under each quality statement, or
#: theme by theme in the council's own order, each tagged with its quality statements.
LAYOUTS = ("by-quality-statement", "by-theme")
#: What the internal version shows: everything.
SHOW_ALL = dict.fromkeys(models.PublicVersion.model_fields, True)
TEMPLATE_NAMES = {"md": "self-assessment.md.j2", "html": "self-assessment.html.j2"}
QUOTE_KINDS = {models.EvidenceKind.QUOTE, models.EvidenceKind.FEEDBACK}
DATA_KINDS = {models.EvidenceKind.DATA, models.EvidenceKind.DASHBOARD, models.EvidenceKind.SURVEY}


# --- the context ------------------------------------------------------------------------------


def _visible(item: models.EvidenceItem | models.Metric, audience: str) -> bool:
    return audience == "internal" or item.classification is models.Classification.PUBLIC


def _source(source: str | None) -> dict[str, Any] | None:
    """Where an item comes from: a web address is a link, anything else is text."""
    if not source:
        return None
    is_url = bool(re.match(r"^https?://", source, re.IGNORECASE))
    return {"text": source, "href": source if is_url else "", "is_url": is_url}


def _evidence_row(item: models.EvidenceItem, path: str, project: Project) -> dict[str, Any]:
    fw = project.framework
    qs = sorted(
        {q for q in map(fw.resolve_quality_statement, item.quality_statements) if q}, key=_qs_number
    )
    cats = [
        fw.category_by_id[c]
        for c in dict.fromkeys(c for c in map(fw.resolve_category, item.categories) if c)
    ]
    return {
        "id": item.id,
        "title": item.title,
        "summary": item.summary,
        "kind": item.kind.value,
        "kind_title": key_title(item.kind.value),
        "categories": [c.title for c in cats],
        "quality_statements": qs,
        "information_return": list(item.information_return),
        "source": _source(item.source),
        "attribution": item.attribution or "",
        "as_of": item.as_of.isoformat() if item.as_of else "",
        "as_of_text": long_date(item.as_of) if item.as_of else "",
        "classification": item.classification.value,
        "status": item.status.value,
        "file": path,
    }


def _metric_row(metric: models.Metric, path: str, project: Project, region: str) -> dict[str, Any]:
    """A performance measure for the document: its figures as text, and how they compare."""
    fw = project.framework
    qs = sorted(
        {q for q in map(fw.resolve_quality_statement, metric.quality_statements) if q},
        key=_qs_number,
    )
    england = compare(metric.value, metric.comparators.england, metric.polarity)
    in_region = compare(metric.value, metric.comparators.region, metric.polarity)
    england_words = COMPARISON_WORDS.get(england, "").format("England")
    region_words = COMPARISON_WORDS.get(in_region, "").format(region_phrase(region))
    return {
        "id": metric.id,
        "title": metric.title,
        "measure": metric.measure or "",
        "period": metric.period,
        "unit": metric.unit.value,
        "polarity": metric.polarity.value,
        "value": measure_text(metric.value, metric.unit),
        "england": measure_text(metric.comparators.england, metric.unit),
        "region": measure_text(metric.comparators.region, metric.unit),
        "compared_england": england,
        "compared_region": in_region,
        "comparison": england_words,
        "region_comparison": region_words,
        "compared": "; ".join(w for w in (england_words, region_words) if w),
        # The figures as numbers, for the "How we compare" charts.
        "number": metric.value,
        "england_number": metric.comparators.england,
        "region_number": metric.comparators.region,
        "region_name": region_phrase(region),
        "quality_statements": qs,
        "source": _source(metric.source),
        "classification": metric.classification.value,
        "file": path,
    }


def _qs_number(qs_id: str) -> int:
    digits = qs_id.removeprefix("QS")
    return int(digits) if digits.isdigit() else 0


def _evidence_rows(
    project: Project, audience: str, show: dict[str, bool]
) -> dict[str, dict[str, Any]]:
    """The evidence the audience may see, by id: the first file of an id counts."""
    evidence: dict[str, dict[str, Any]] = {}
    for doc in sorted(project.evidence, key=lambda d: d.model.id):
        item = doc.model
        if item.id not in evidence and _visible(item, audience):
            evidence[item.id] = _shown(_evidence_row(item, doc.path, project), show)
    return evidence


def _measure_rows(
    project: Project, audience: str, show: dict[str, bool]
) -> dict[str, dict[str, Any]]:
    """Performance measures by id: the first file of an id counts (validate reports
    duplicates), and for the public, only measures classified public are handed on."""
    region = project.profile.region.value if project.profile else ""
    found: dict[str, dict[str, Any]] = {}
    for doc in sorted(project.metrics, key=lambda d: d.path):
        metric = doc.model
        if metric.id not in found and _visible(metric, audience):
            found[metric.id] = _shown(_metric_row(metric, doc.path, project, region), show)
    return {k: found[k] for k in sorted(found)}


def _shown(row: dict[str, Any], show: dict[str, bool]) -> dict[str, Any]:
    """An evidence or measure row as the document names it: by its code where codes are
    shown (``label``), and with its file in the repository only where workflow is."""
    row["label"] = row["id"] if show["references"] else row["title"]
    if not show["references"]:
        row["file"] = ""
        if row["source"] and not row["source"]["is_url"]:
            row["source"] = None  # a file in the repository means nothing to a reader outside
    return row


def _ratings_by_qs(project: Project) -> dict[str, models.Rating]:
    """Each quality statement's rating: the first one found counts."""
    return {qs: entry.model for qs, entry in project.ratings_by_qs.items()}


@dataclass
class _Parts:
    """What the document is made of, already filtered for its audience."""

    project: Project
    audience: str
    evidence: dict[str, dict[str, Any]]
    measures: dict[str, dict[str, Any]]
    actions: dict[str, models.Action]
    ratings: dict[str, models.Rating]
    show: dict[str, bool]
    #: The document's own date: an action due before it and not done is overdue.
    dated: dt.date | None = None

    def refs(self, ids: list[str]) -> list[dict[str, Any]]:
        """The evidence rows of these ids that the audience may see."""
        return [self.evidence[e] for e in ids if e in self.evidence]

    def statement(self, s: models.Statement, qs_id: str, kind: str) -> dict[str, Any]:
        """A strength or area for improvement, with its evidence, measures and actions."""
        fw = self.project.framework
        related = [
            q
            for q in map(fw.resolve_quality_statement, s.related_quality_statements)
            if q and q != qs_id
        ]
        row: dict[str, Any] = {
            "id": s.id,
            "text": s.text,
            "kind": kind,
            "quality_statement": qs_id,
            "tags": [qs_id, *related],
            "order": s.order,
            "evidence": self.refs(s.evidence),
            "measures": [self.measures[m] for m in s.metrics if m in self.measures],
        }
        if isinstance(s, models.AreaForImprovement):
            answering = [a for a in self.actions.values() if s.id in a.answers]
            answering += [self.actions[a] for a in s.actions if a in self.actions]
            unique = {a.id: a for a in answering if a.status is not models.ActionStatus.CANCELLED}
            row["actions"] = (
                [
                    _action_row(a, self.audience, self.show, self.dated)
                    for _, a in sorted(unique.items())
                ]
                if self.show["actions"]
                else []
            )
        return row


class _Themes:
    """The themes of the document, each with its quality statements. A strength or area for
    improvement presented under another theme is shown there, and counted where it belongs."""

    def __init__(self, parts: _Parts) -> None:
        self.parts = parts
        self.framework = parts.project.framework
        self.moved: dict[str, list[dict[str, Any]]] = {t.id: [] for t in self.framework.themes}
        self.number = {t.id: t.number for t in self.framework.themes}

    def rows(self) -> list[dict[str, Any]]:
        themes = [self._theme(theme) for theme in self.framework.themes]
        for theme_row in themes:
            theme_row["also_presented"] = self.moved[theme_row["id"]]
        return themes

    def _theme(self, theme: Theme) -> dict[str, Any]:
        return {
            "id": theme.id,
            "number": theme.number,
            "title": theme.title,
            "short_title": theme.short_title,
            "quality_statements": [
                self._quality_statement(qs, theme.id)
                for qs in self.framework.quality_statements
                if qs.theme == theme.id
            ],
        }

    def _placed(
        self, rating: models.Rating | None, qs_id: str, theme_id: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, set[int]]]:
        """A rating's strengths and areas shown under this theme, and the numbers of the
        themes the others are presented under."""
        strengths: list[dict[str, Any]] = []
        areas: list[dict[str, Any]] = []
        elsewhere: dict[str, set[int]] = {"strength": set(), "area": set()}
        if rating is None:
            return strengths, areas, elsewhere
        for kind, items, here in (
            ("strength", rating.strengths, strengths),
            ("area", rating.areas_for_improvement, areas),
        ):
            for s in items:
                target = (
                    self.framework.resolve_theme(s.presented_under) if s.presented_under else None
                )
                if target and target != theme_id:
                    self.moved[target].append(self.parts.statement(s, qs_id, kind))
                    elsewhere[kind].add(self.number[target])
                else:
                    here.append(self.parts.statement(s, qs_id, kind))
        return strengths, areas, elsewhere

    def _quality_statement(self, qs: QualityStatement, theme_id: str) -> dict[str, Any]:
        rating = self.parts.ratings.get(qs.id)
        strengths, areas, elsewhere = self._placed(rating, qs.id, theme_id)
        mine = [e for e in self.parts.evidence.values() if qs.id in e["quality_statements"]]
        score = rating.self_score if rating and self.parts.show["self_scores"] else None
        labels = self.framework.scoring.score_labels
        return {
            "id": qs.id,
            "number": qs.number,
            "slug": qs.slug,
            "title": qs.title,
            "we_statement": qs.we_statement,
            "i_statements": list(qs.i_statements),
            "self_score": score,
            "score_label": labels.get(str(score), "") if score else "",
            "narrative": rating.narrative if rating else "",
            "strengths": strengths,
            # Theme numbers where more of this quality statement's statements appear.
            "presented_elsewhere": {k: sorted(v) for k, v in elsewhere.items()},
            "areas_for_improvement": areas,
            "quotes": [
                e for e in mine if e["kind"] in {k.value for k in QUOTE_KINDS} and e["summary"]
            ],
            "key_data": [e for e in mine if e["kind"] in {k.value for k in DATA_KINDS}],
            "measures": [
                m for m in self.parts.measures.values() if qs.id in m["quality_statements"]
            ],
        }


def _return_rows(parts: _Parts) -> list[dict[str, Any]]:
    fw = parts.project.framework
    returns = []
    for doc in sorted(parts.project.return_items, key=lambda d: d.model.number):
        ret = doc.model
        returns.append(
            {
                "number": ret.number,
                "title": ret.title,
                "status": ret.status.value,
                "status_title": STATUS_WORDS[ret.status.value],
                "reason": ret.reason or "",
                "quality_statements": [
                    q for q in map(fw.resolve_quality_statement, ret.quality_statements) if q
                ],
                "documents": parts.refs(ret.evidence),
            }
        )
    return returns


def document_settings(project: Project) -> models.DocumentSettings:
    """The document's settings in ``ascready.yaml`` (the defaults when it has none)."""
    return project.profile.document if project.profile else models.DocumentSettings()


def build_context(
    project: Project,
    audience: str,
    *,
    layout: str = LAYOUTS[0],
    settings: models.DocumentSettings | None = None,
) -> dict[str, Any]:
    """Plain data for the templates and the DOCX writer, already filtered for the audience:
    what the public version does not show (its settings in ``ascready.yaml``) is not in it.
    ``settings`` replaces the document settings of ``ascready.yaml`` (the CLI's flags)."""
    if audience not in AUDIENCES:
        raise AscreadyError(f"unknown audience '{audience}'; use public or internal")
    if layout not in LAYOUTS:
        raise AscreadyError(f"unknown layout '{layout}'; use one of: {', '.join(LAYOUTS)}")
    settings = settings or document_settings(project)
    show = dict(SHOW_ALL) if audience == "internal" else settings.public.model_dump()
    fw = project.framework
    profile = project.profile
    parts = _Parts(
        project,
        audience,
        evidence=_evidence_rows(project, audience, show),
        measures=_measure_rows(project, audience, show),
        actions={d.model.id: d.model for d in project.actions},
        ratings=_ratings_by_qs(project),
        show=show,
        dated=settings.date,
    )
    themes = _Themes(parts).rows()
    scores = (
        {q: r.self_score for q, r in parts.ratings.items() if r.self_score is not None}
        if show["self_scores"]
        else {}
    )
    key_dates = _key_dates(profile)
    coverage = _coverage(project, parts.evidence) if show["coverage"] else None
    returns = _return_rows(parts) if show["information_return"] else []
    sections = _sections(themes, coverage is not None, bool(returns))
    return {
        "audience": audience,
        "layout": layout,
        "show": show,
        "document": _cover(project, audience, settings),
        "council": {
            "name": profile.council if profile else "",
            "ons_code": profile.ons_code if profile else "",
            "region": profile.region.value if profile else "",
        },
        "dates": {
            k: (v.isoformat() if v else "")
            for k, v in (profile.dates.model_dump().items() if profile else {})
        },
        "key_dates": key_dates,
        "framework": {"id": fw.id, "title": fw.title},
        "score_labels": dict(fw.scoring.score_labels),
        "summary": _summary(project, audience, themes, show, key_dates),
        "themes": themes,
        "by_theme": _by_theme(themes) if layout == "by-theme" else [],
        "evidence": list(parts.evidence.values()),
        "measures": list(parts.measures.values()),
        "information_return": returns,
        "coverage": coverage,
        "sections": sections,
        "headings": {section["id"]: section["title"] for section in sections},
        "self_scores": {q: scores[q] for q in sorted(scores, key=_qs_number)},
    }


def _sections(
    themes: list[dict[str, Any]], coverage: bool, information_return: bool
) -> list[dict[str, str]]:
    """The document's sections, in order, each with its anchor and heading: every format
    writes these, and only these, as its top-level headings."""
    out = [
        {"id": "summary", "title": "Summary"},
        {"id": "introduction", "title": "Introduction"},
    ]
    out += [
        {"id": f"theme-{t['number']}", "title": f"Theme {t['number']}: {t['title']}"}
        for t in themes
    ]
    if coverage:
        out.append({"id": "coverage", "title": "Evidence coverage"})
    appendices = [("evidence-index", "Evidence index")]
    if information_return:
        appendices.append(("information-return", "Information return index"))
    for letter, (anchor, title) in zip("ABCDEFGH", appendices, strict=False):
        out.append({"id": anchor, "title": f"Appendix {letter}: {title}"})
    return out


def _cover(project: Project, audience: str, settings: models.DocumentSettings) -> dict[str, Any]:
    """What the cover and the footer say: the council, the title, the version and its date."""
    council = project.profile.council if project.profile else ""
    title = settings.title or (
        f"{council} adult social care self-assessment"
        if council
        else "Adult social care self-assessment"
    )
    status = settings.status.value
    version = settings.version or ""
    edition = " ".join(
        part for part in (status.capitalize(), f"version {version}" if version else "") if part
    )
    audience_title = "Public version" if audience == "public" else "Internal version"
    return {
        "title": title,
        "council": council,
        "audience_title": audience_title,
        "audience_line": PUBLIC_LINE if audience == "public" else INTERNAL_LINE,
        "status": status,
        "version": version,
        "edition": edition,  # "Draft version 0.3"
        "date": settings.date.isoformat() if settings.date else "",
        "date_text": long_date(settings.date) if settings.date else "",
        "owner": settings.owner or "",
        "approved_by": settings.approved_by or "",
        # The one line every page's footer carries.
        "footer": " · ".join(
            p
            for p in (
                title,
                edition,
                audience_title,
                long_date(settings.date) if settings.date else "",
            )
            if p
        ),
    }


def _key_dates(profile: models.CouncilProfile | None) -> list[dict[str, str]]:
    """The assessment's key dates that are set, in order, each with its title and its date
    written out (9 November 2026)."""
    if profile is None:
        return []
    out = []
    for key, day in profile.dates.model_dump().items():
        if day is not None:
            title = DATE_TITLES.get(key, key_title(key))
            out.append(
                {"key": key, "title": title, "date": day.isoformat(), "text": long_date(day)}
            )
    return out


def _first(rows: list[dict[str, Any]]) -> str:
    return str(rows[0]["text"]) if rows else ""


def _summary(
    project: Project,
    audience: str,
    themes: list[dict[str, Any]],
    show: dict[str, bool],
    key_dates: list[dict[str, str]],
) -> dict[str, Any]:
    """The answer first: each quality statement with its self-score (when shown), each theme's
    first strength and area for improvement, the key dates and, internally, the estimate."""
    from ascready.analysis.gaps.readiness import predict_by_statement

    fw = project.framework
    statements = []
    theme_lines = []
    for theme in themes:
        strengths, areas = _presented(theme)
        theme_lines.append(
            {
                "number": theme["number"],
                "title": theme["title"],
                "strength": _first(sorted(strengths, key=_council_order)),
                "area": _first(sorted(areas, key=_council_order)),
            }
        )
        for qs in theme["quality_statements"]:
            statements.append(
                {
                    "id": qs["id"],
                    "title": qs["title"],
                    "theme_number": theme["number"],
                    "theme_title": theme["title"],
                    "self_score": qs["self_score"],
                    "score_label": qs["score_label"],
                }
            )
    estimate = None
    if audience == "internal":
        predicted = predict_by_statement(fw, project)
        if predicted.available:
            estimate = {
                "percent": predicted.percent,
                "rating": predicted.rating or "",
                "rating_title": predicted.rating_title or "",
                "position": predicted.position,
                "notes": list(predicted.notes),
                "label": ESTIMATE_SENTENCE,
            }
    scale = [
        {"score": str(k), "label": v}
        for k, v in sorted(fw.scoring.score_labels.items(), key=lambda kv: str(kv[0]))
    ]
    return {
        "quality_statements": statements,
        "themes": theme_lines,
        "key_dates": key_dates,
        "scale": scale if show["self_scores"] else [],
        "estimate": estimate,
    }


def _presented(
    theme: dict[str, Any],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The strengths and the areas for improvement presented under a theme: its quality
    statements' own, then those other themes' statements present here."""
    qs_rows = theme["quality_statements"]
    strengths = [s for qs in qs_rows for s in qs["strengths"]]
    areas = [s for qs in qs_rows for s in qs["areas_for_improvement"]]
    strengths += [s for s in theme["also_presented"] if s["kind"] == "strength"]
    areas += [s for s in theme["also_presented"] if s["kind"] != "strength"]
    return strengths, areas


def _council_order(statement: dict[str, Any]) -> tuple[int, int]:
    """The council's own order for a theme's list: its ``order`` first, the rest after."""
    order = statement.get("order")
    return (0, int(order)) if order is not None else (1, 0)


def _by_theme(themes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Theme by theme, the strengths then the areas for improvement presented under it, in
    the council's own order (``order``; then quality statement order, as written)."""
    out = []
    for theme in themes:
        strengths, areas = _presented(theme)
        out.append(
            {
                "id": theme["id"],
                "number": theme["number"],
                "title": theme["title"],
                "quality_statements": [
                    {
                        "id": qs["id"],
                        "title": qs["title"],
                        "self_score": qs["self_score"],
                        "score_label": qs["score_label"],
                    }
                    for qs in theme["quality_statements"]
                ],
                "strengths": sorted(strengths, key=_council_order),
                "areas_for_improvement": sorted(areas, key=_council_order),
            }
        )
    return out


def _action_row(
    action: models.Action, audience: str, show: dict[str, bool], dated: dt.date | None
) -> dict[str, Any]:
    progress = show["action_progress"]
    status = STATUS_WORDS[action.status.value]
    overdue = bool(
        dated
        and action.due
        and action.due < dated
        and action.status not in (models.ActionStatus.DONE, models.ActionStatus.CANCELLED)
    )
    if overdue:
        status += ", overdue"
    return {
        "id": action.id,
        "label": action.id if show["references"] else "",
        "title": action.title,
        "workstream": action.workstream or "",
        "status": action.status.value if progress else "",
        "status_title": status if progress else "",
        "overdue": overdue and progress,
        "due": action.due.isoformat() if action.due and progress else "",
        "due_text": long_date(action.due) if action.due and progress else "",
        "owner": (action.owner or "") if audience == "internal" else "",
    }


def _coverage(project: Project, evidence: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Quality statements x applied categories: counts of the evidence in this document."""
    fw = project.framework
    applied = [c for c in fw.evidence_categories if c.applied]
    counts: dict[tuple[str, str], int] = {}
    for row in evidence.values():
        if row["status"] != "current":
            continue
        for qs in row["quality_statements"]:
            for title in row["categories"]:
                counts[(qs, title)] = counts.get((qs, title), 0) + 1
    grid = {q.id: [counts.get((q.id, c.title), 0) for c in applied] for q in fw.quality_statements}
    return {
        "categories": [c.short_title or c.title for c in applied],
        "rows": [
            {"id": q.id, "title": q.title, "counts": grid[q.id]} for q in fw.quality_statements
        ],
        "max": max((n for row in grid.values() for n in row), default=0),
    }


# --- text helpers used by the templates ---------------------------------------------------------


def _safe_link(url: str) -> bool:
    return bool(re.match(r"^(https?:|mailto:|#)", url.strip(), re.IGNORECASE))


def markdown_to_html(text: str) -> str:
    """Markdown narrative to HTML. Raw HTML in it is escaped, never passed through, and links
    may only be http(s) or mailto."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    # Headings would break the document's heading order; images would need alt text.
    md.disable(["heading", "lheading", "image"])
    md.validateLink = _safe_link  # type: ignore[method-assign]
    return str(md.render(text or ""))


# --- Jinja ------------------------------------------------------------------------------------


def builtin_templates() -> Path:
    """The built-in templates: the package's copy, or the checkout's top-level folder."""
    packaged = Path(str(resources.files("ascready") / "templates"))
    if (packaged / TEMPLATE_NAMES["md"]).is_file():
        return packaged
    return Path(__file__).resolve().parents[3] / "templates"


def _environment(root: Path, fmt: str) -> Any:
    from jinja2 import FileSystemLoader, StrictUndefined

    from ascready.document.sandbox import BoundedEnvironment

    search = [str(root / "templates"), str(builtin_templates())]
    env = BoundedEnvironment(
        loader=FileSystemLoader(search),
        undefined=StrictUndefined,
        autoescape=fmt == "html",
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.add_filters(
        markdown_html=markdown_to_html,
        md=escape,
        md_block=narrative,
        heat=heatmap_colour,
        heat_text=heatmap_text_colour,
        measures_chart=_measures_chart,
    )
    return env


def _measures_chart(measures: Any, region: Any, key: Any) -> Any:
    """A quality statement's "How we compare" chart as inline SVG, for the HTML template."""
    from markupsafe import Markup

    from ascready.document.charts import chart_svg

    if not isinstance(measures, list):
        return Markup("")
    # One small chart per measure, so that a page break never cuts one in two.
    return Markup(
        "\n".join(
            chart_svg([m], str(region or ""), f"{key}-{i}") for i, m in enumerate(measures, 1)
        )
    )


def render_template(root: Path, fmt: str, context: dict[str, Any]) -> str:
    """Render the Markdown or HTML template; template problems become TemplateError with the
    template's file and line."""
    from jinja2 import TemplateNotFound, TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError
    from jinja2.exceptions import TemplateError as JinjaError

    env = _environment(root, fmt)
    name = TEMPLATE_NAMES[fmt]
    template: Any = None
    try:
        with memory_bound():  # compiling runs the filters of constants, so it is bounded too
            template = env.get_template(name)
            text = _bounded_render(template, context)
    except TemplateSyntaxError as exc:
        raise TemplateError(
            f"{_where(exc.filename, exc.lineno)}: template syntax error: {exc.message}. "
            "Fix the template (Jinja syntax), or delete it to use the built-in one."
        ) from None
    except TemplateNotFound as exc:
        if template is not None:  # an include or import names a template that is not there
            raise TemplateError(
                f"{_where(template.filename, _template_line(exc))}: the template failed: "
                f"there is no template named {exc.name} in templates/ or the built-in ones"
            ) from None
        raise TemplateError(
            f"no template named {name} in templates/ or the built-in ones"
        ) from None
    except TemplateTooLarge as exc:
        raise TemplateError(
            f"{_where(_file(template, name), _template_line(exc))}: the template is stopped: "
            f"{exc}. Templates are bounded so that one cannot fill the memory; see the README."
        ) from None
    except MemoryError:
        raise TemplateError(
            f"{_where(_file(template, name), None)}: the template is stopped: it needs more "
            f"memory than a document may use ({MEMORY_HEADROOM // 1024**3} GiB). Templates are "
            "bounded so that one cannot fill the memory; see the README."
        ) from None
    except RecursionError:
        if template is None:  # reading it: tags or brackets nested past what can be read
            raise TemplateError(
                f"{root / 'templates' / name}: the template nests its tags or brackets too "
                "deeply to read. Fix the template, or delete it to use the built-in one."
            ) from None
        raise TemplateError(
            f"{_where(_file(template, name), None)}: the template includes or calls itself "
            "without end (a template that includes itself, or macros that call each other "
            "for ever). Take out the include or call that loops."
        ) from None
    except UnicodeDecodeError:  # only a council's own template
        raise TemplateError(
            f"{root / 'templates' / name}: the template is not UTF-8 text; save it as UTF-8, "
            "or delete it to use the built-in one."
        ) from None
    except UndefinedError as exc:
        raise TemplateError(
            f"{_where(template.filename, _template_line(exc))}: {exc.message}. The template uses "
            "a name the document data does not have; see the built-in template for the names."
        ) from None
    except (
        SecurityError,
        JinjaError,
        TypeError,
        ValueError,
        ArithmeticError,
        LookupError,
        AttributeError,
    ) as exc:
        raise TemplateError(
            f"{_where(_file(template, name), _template_line(exc))}: the template failed: {exc}"
        ) from None
    except Exception as exc:
        # A council's own template is code: whatever else it raises is the template's failure.
        # The built-in templates failing any other way is a bug in ascready.
        own = root / "templates" / name
        if template is None and isinstance(exc, SyntaxError) and own.is_file():
            # Python's own limit on nesting (IndentationError), met compiling the template
            raise TemplateError(
                f"{own}: the template nests its tags too deeply to compile ({exc.msg}). Fix "
                "the template, or delete it to use the built-in one."
            ) from None
        if template is None or not _is_own_template(root, template.filename):
            raise
        raise TemplateError(
            f"{_where(template.filename, _template_line(exc))}: the template failed: "
            f"{type(exc).__name__}: {exc}. Fix the template, or delete it to use the built-in "
            "one."
        ) from None
    # Templates may leave extra blank lines around their tags; Markdown needs at most one.
    return re.sub(r"\n{3,}", "\n\n", text) if fmt == "md" else text


def _file(template: Any, name: str) -> str:
    return str(template.filename) if template is not None else name


def _bounded_render(template: Any, context: dict[str, Any]) -> str:
    """The rendered template, stopped once it is longer than a document may be."""
    parts: list[str] = []
    length = 0
    for part in template.generate(**context):
        length += len(part)
        if length > sandbox.MAX_TEXT:
            raise TemplateTooLarge(
                f"the document would be longer than {sandbox.MAX_TEXT:,} characters"
            )
        parts.append(part)
    return "".join(parts)


def _is_own_template(root: Path, filename: str | None) -> bool:
    """Whether the template file is the repository's own, in its templates/ folder."""
    return filename is not None and Path(filename).resolve().is_relative_to(
        (root / "templates").resolve()
    )


def _where(filename: str | None, line: int | None) -> str:
    return f"{filename or 'template'}:{line or 1}"


def _template_line(exc: BaseException) -> int | None:
    """The template line a rendering error happened on, from the traceback."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


# --- the whole job ----------------------------------------------------------------------------


def settings_with(
    project: Project,
    *,
    version: str | None = None,
    status: str | None = None,
    date: str | None = None,
) -> models.DocumentSettings:
    """The document settings of ``ascready.yaml`` with what the command line gives instead.
    A final version needs its date."""
    settings = document_settings(project)
    changes: dict[str, Any] = {}
    if version is not None:
        changes["version"] = version.strip() or None
    if status is not None:
        changes["status"] = models.DocumentStatus(status)
    if date is not None:
        from ascready.repository.dates import DateError, parse_date

        try:
            changes["date"] = parse_date(date)
        except DateError as e:
            raise AscreadyError(
                f"--date '{date}' {e.reason}: use a date such as 30/11/2026 or 2026-11-30 (day "
                "before month)"
            ) from None
    settings = settings.model_copy(update=changes) if changes else settings
    if settings.status is models.DocumentStatus.FINAL and settings.date is None:
        raise AscreadyError(
            "a final version needs its date: add document.date to ascready.yaml, or give --date"
        )
    return settings


def render_project(
    project: Project,
    fmt: str,
    audience: str,
    *,
    layout: str = LAYOUTS[0],
    settings: models.DocumentSettings | None = None,
) -> bytes:
    if fmt not in FORMATS:
        raise AscreadyError(f"unknown format '{fmt}'; use one of: {', '.join(FORMATS)}")
    context = build_context(project, audience, layout=layout, settings=settings)
    if fmt in ("docx", "pdf"):
        from ascready.document.docx import render_docx

        docx_bytes: bytes = render_docx(context)
        if fmt == "pdf":
            from ascready.document.pdf import render_pdf

            return render_pdf(docx_bytes)
        return docx_bytes
    return render_template(project.root, fmt, context).encode("utf-8")


def render_repository(root: Path, fmt: str, audience: str) -> bytes:
    """Load the repository at or above ``root`` and render it."""
    from ascready.checks.load import load_project
    from ascready.repository.loader import find_repository

    project, _ = load_project(find_repository(root))
    return render_project(project, fmt, audience)
