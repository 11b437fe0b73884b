"""The readiness score and the predicted rating, by the framework's scoring rules."""

from __future__ import annotations

from fractions import Fraction

from ascready.analysis.gaps.common import (
    SELF_ASSESSMENT_CRITERIA,
    SETTLED_FOR_RETURN,
    return_item_quality_statements,
    return_rows_for,
)
from ascready.analysis.gaps.report import (
    Coverage,
    InformationReturn,
    PredictedRating,
    Readiness,
    SelfAssessment,
)
from ascready.repository import models
from ascready.repository.framework import Framework
from ascready.repository.project import Project

#: How much each part counts towards the readiness score (README: "The readiness score").
READINESS_WEIGHTS = {
    "coverage": Fraction(30, 100),
    "information_return": Fraction(30, 100),
    "self_assessment": Fraction(25, 100),
    "expected_evidence": Fraction(15, 100),
}


def percent(part: int | Fraction, whole: int | Fraction) -> int:
    """A whole percentage, rounded half up (as CQC's published scores are)."""
    if not whole:
        return 0
    value = Fraction(part) * 100 / Fraction(whole)
    return int(value + Fraction(1, 2))


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


def _ratings_by_qs(project: Project) -> dict[str, models.Rating]:
    return {qs: entry.model for qs, entry in project.ratings_by_qs.items()}


def predict_by_statement(fw: Framework, project: Project) -> PredictedRating:
    ratings = _ratings_by_qs(project)
    scores = {
        qs: r.self_score
        for qs, r in sorted(ratings.items(), key=lambda pair: fw.quality_statement_order(pair[0]))
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


def predict_by_category(fw: Framework, project: Project) -> PredictedRating:
    ratings = _ratings_by_qs(project)
    scores: dict[str, int] = {}
    notes: list[str] = []
    used_categories = False
    for qs, rating in sorted(ratings.items(), key=lambda pair: fw.quality_statement_order(pair[0])):
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


def readiness_score(
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
        items = return_rows_for(info_return, project, fw, in_scope if theme else None)
        if items:
            done = sum(1 for r in items if r.status in SETTLED_FOR_RETURN)
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
    qs_of = return_item_quality_statements(project, fw)
    return Readiness(
        overall=score(overall),
        components={k: _one_decimal(v * 100) for k, v in overall.items()},
        themes={t: score(p) for t, p in themes.items()},
        theme_components={
            t: {k: _one_decimal(v * 100) for k, v in p.items()} for t, p in themes.items()
        },
        return_items_in_every_theme=sum(1 for r in info_return.rows if not qs_of.get(r.number)),
    )


def _one_decimal(value: Fraction) -> float:
    return int(value * 10 + Fraction(1, 2)) / 10
