"""Performance measures against England and the region, and the ones no area for improvement
cites.
"""

from __future__ import annotations

from collections import defaultdict

from ascready.analysis.gaps.common import resolved
from ascready.analysis.gaps.report import MetricGap, Metrics, MetricState
from ascready.analysis.measures import compare, measure_text, region_phrase
from ascready.repository import models
from ascready.repository.framework import Term
from ascready.repository.project import Project


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
            resolved(fw, metric.quality_statements, Term.QUALITY_STATEMENT), key=order.__getitem__
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
