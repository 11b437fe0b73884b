"""Performance measures against England and the region, and the ones no area for improvement
cites.
"""

from __future__ import annotations

from collections import defaultdict

from ascready.analysis.gaps.common import resolved
from ascready.analysis.gaps.report import MetricGap, Metrics, MetricState
from ascready.analysis.measures import compare, measure_text, region_phrase
from ascready.repository.framework import Framework, Term
from ascready.repository.project import Project


def build_metrics(project: Project) -> Metrics:
    """Every performance measure compared with England and the region, and those to act on."""
    fw = project.framework
    order = {q.id: n for n, q in enumerate(fw.quality_statements)}
    strengths: dict[str, list[str]] = defaultdict(list)
    areas: dict[str, list[str]] = defaultdict(list)
    for _, field, _, statement in project.statements():
        cited = areas if field == "areas_for_improvement" else strengths
        for ref in statement.metrics:
            cited[ref].append(statement.id)

    measures: dict[str, MetricState] = {}
    # A duplicate id: validate reports it; the first file (by path) counts.
    for doc in sorted(project.metrics, key=lambda d: d.path):
        metric = doc.model
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
    worse = tuple(_worse_uncited(project, m, region) for m in ordered if _needs_area(m))
    unplaced = tuple(_unplaced(fw, m) for m in ordered if not m.quality_statements)
    return Metrics(region, ordered, worse, unplaced)


def _needs_area(m: MetricState) -> bool:
    """Worse than England, and no area for improvement cites it."""
    return m.vs_england == "worse" and not m.areas_for_improvement


def _worse_uncited(project: Project, m: MetricState, region: str) -> MetricGap:
    problem = f"{m.shown} against {m.england_shown} in England"
    if m.region_shown:
        problem += f" and {m.region_shown} in {region_phrase(region)}"
    if m.strengths:
        problem += f"; cited only by the strength {', '.join(m.strengths)}"
    if m.quality_statements:
        first = m.quality_statements[0]
        entry = project.ratings_by_qs.get(first)
        where = entry.path if entry is not None else f"ratings/{first}.yaml"
    else:
        where = "the rating of the quality statement it informs"
    return MetricGap(
        m,
        problem,
        f"Add an area for improvement that cites it (metrics: [{m.id}]) in {where}, "
        "with an action, or explain in the narrative why it is worse.",
    )


def _unplaced(fw: Framework, m: MetricState) -> MetricGap:
    ids = [q.id for q in fw.quality_statements]
    return MetricGap(
        m,
        "names no quality statement the framework knows, so the self-assessment shows it "
        "under none",
        f"Add quality_statements: [...] to {m.file}, listing the quality statements it informs "
        f"({ids[0]} to {ids[-1]}).",
    )
