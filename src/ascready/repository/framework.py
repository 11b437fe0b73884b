"""The assessment framework: themes, quality statements, evidence categories, duties, scoring.

Built-in frameworks ship as package data (``ascready/frameworks/<id>.yaml``); a repository may
supply its own file, which is checked like every other document.
"""

from __future__ import annotations

import itertools
import re
from functools import cached_property
from importlib import resources
from typing import Annotated

from pydantic import Field, StrictBool, StringConstraints, model_validator

from ascready.repository.models import StrictModel, Text

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]


def normalise(text: str) -> str:
    """Loose form of a title for matching: case, punctuation and spacing ignored."""
    return re.sub(r"[^a-z0-9]+", "", text.casefold().replace("&", "and"))


class Theme(StrictModel):
    id: Annotated[str, StringConstraints(pattern=r"^T\d+$")]
    number: int
    title: Text
    short_title: Text
    aliases: list[str] = Field(default_factory=list)


class QualityStatement(StrictModel):
    id: Annotated[str, StringConstraints(pattern=r"^QS\d+$")]
    number: int
    slug: Slug
    theme: str
    title: Text
    aliases: list[str] = Field(default_factory=list)
    we_statement: Text
    i_statements: list[str] = Field(default_factory=list)
    care_act_duties: list[str] = Field(default_factory=list)


class EvidenceCategory(StrictModel):
    id: Slug
    number: int
    title: Text
    short_title: str = Field("", description="For narrow table headers.")
    aliases: list[str] = Field(default_factory=list)
    applied: StrictBool = Field(
        description="Whether CQC uses this category for local authorities (true or false)."
    )
    note: str = ""


class CareActDuty(StrictModel):
    id: Slug
    title: Text
    sections: list[str] = Field(min_length=1)


class ExpectedEvidence(StrictModel):
    id: Slug
    title: Text
    category: str
    quality_statements: list[str] = Field(min_length=1)
    source: str = ""


class ScoreBand(StrictModel):
    score: int = Field(ge=1, le=4)
    min_percent: int = Field(ge=0, le=100)
    max_percent: int = Field(ge=0, le=100)


class RatingBand(StrictModel):
    rating: Slug
    title: Text
    min_percent: int = Field(ge=0, le=100)
    max_percent: int = Field(ge=0, le=100)


class ScoringMethod(StrictModel):
    id: Slug
    title: Text
    description: str = ""


class Scoring(StrictModel):
    score_labels: dict[str, str]
    default_method: str
    methods: list[ScoringMethod] = Field(min_length=1)
    quality_statement_bands: list[ScoreBand] = Field(min_length=1)
    rating_bands: list[RatingBand] = Field(min_length=1)

    @model_validator(mode="after")
    def _bands_contiguous(self) -> Scoring:
        named: list[tuple[str, list[ScoreBand] | list[RatingBand]]] = [
            ("quality_statement_bands", self.quality_statement_bands),
            ("rating_bands", self.rating_bands),
        ]
        for name, bands in named:
            ordered: list[ScoreBand | RatingBand] = sorted(bands, key=lambda b: b.min_percent)
            for band in ordered:
                if band.min_percent > band.max_percent:
                    raise ValueError(f"{name}: a band starts above where it ends")
            for lower, upper in itertools.pairwise(ordered):
                if upper.min_percent != lower.max_percent + 1:
                    raise ValueError(
                        f"{name}: bands must follow on from each other "
                        f"({lower.max_percent}% then {upper.min_percent}%)"
                    )
        if self.default_method not in {m.id for m in self.methods}:
            raise ValueError(f"default_method '{self.default_method}' is not one of the methods")
        return self


class Framework(StrictModel):
    """A whole assessment framework. Cross-references inside it are checked on load."""

    id: Slug
    title: Text
    version: str
    sources: list[str] = Field(default_factory=list)
    themes: list[Theme] = Field(min_length=1)
    quality_statements: list[QualityStatement] = Field(min_length=1)
    evidence_categories: list[EvidenceCategory] = Field(min_length=1)
    care_act_duties: list[CareActDuty] = Field(default_factory=list)
    expected_evidence: list[ExpectedEvidence] = Field(default_factory=list)
    scoring: Scoring

    @model_validator(mode="after")
    def _internal_references(self) -> Framework:
        themes = {t.id for t in self.themes}
        duties = {d.id for d in self.care_act_duties}
        categories = {c.id for c in self.evidence_categories}
        qs_ids = [q.id for q in self.quality_statements]
        for label, ids in (
            ("theme", [t.id for t in self.themes]),
            ("quality statement", qs_ids),
            ("evidence category", [c.id for c in self.evidence_categories]),
            ("Care Act duty", [d.id for d in self.care_act_duties]),
            ("expected evidence", [e.id for e in self.expected_evidence]),
        ):
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                raise ValueError(f"{label} id {', '.join(dupes)} is used more than once")
        for qs in self.quality_statements:
            if qs.theme not in themes:
                raise ValueError(f"{qs.id} names theme '{qs.theme}', which is not defined")
            unknown = sorted(set(qs.care_act_duties) - duties)
            if unknown:
                raise ValueError(f"{qs.id} names unknown Care Act duties: {', '.join(unknown)}")
        for exp in self.expected_evidence:
            if exp.category not in categories:
                raise ValueError(f"expected evidence '{exp.id}': unknown category {exp.category}")
            unknown = sorted(set(exp.quality_statements) - set(qs_ids))
            if unknown:
                raise ValueError(
                    f"expected evidence '{exp.id}': unknown quality statements {', '.join(unknown)}"
                )
        return self

    # -- lookups --------------------------------------------------------------------------

    @cached_property
    def _qs_index(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for qs in self.quality_statements:
            for name in (qs.id, qs.slug, qs.title, str(qs.number), *qs.aliases):
                index.setdefault(normalise(name), qs.id)
        return index

    @cached_property
    def _category_index(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for cat in self.evidence_categories:
            for name in (cat.id, cat.title, *cat.aliases):
                index.setdefault(normalise(name), cat.id)
        return index

    @cached_property
    def _theme_index(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for theme in self.themes:
            for name in (
                theme.id,
                theme.title,
                theme.short_title,
                str(theme.number),
                *theme.aliases,
            ):
                index.setdefault(normalise(name), theme.id)
        return index

    @cached_property
    def _duty_index(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for duty in self.care_act_duties:
            for name in (duty.id, duty.title):
                index.setdefault(normalise(name), duty.id)
            for section in duty.sections:
                for form in (f"s{section}", f"section {section}"):
                    index.setdefault(normalise(form), duty.id)
        return index

    # Repositories repeat the same few references thousands of times: resolve each once.

    @cached_property
    def _resolved(self) -> dict[tuple[str, str], str | None]:
        return {}

    def _resolve(self, what: str, index: dict[str, str], ref: str) -> str | None:
        key = (what, ref)
        cache = self._resolved
        if key not in cache:
            norm = normalise(ref)
            found = index.get(norm)
            if found is None and what == "qs" and norm.startswith("qs"):
                found = index.get(norm[2:])
            cache[key] = found
        return cache[key]

    def resolve_quality_statement(self, ref: str) -> str | None:
        return self._resolve("qs", self._qs_index, ref)

    def resolve_category(self, ref: str) -> str | None:
        return self._resolve("category", self._category_index, ref)

    def resolve_theme(self, ref: str) -> str | None:
        return self._resolve("theme", self._theme_index, ref)

    def resolve_duty(self, ref: str) -> str | None:
        return self._resolve("duty", self._duty_index, ref)

    @cached_property
    def expected_ids(self) -> frozenset[str]:
        return frozenset(e.id for e in self.expected_evidence)

    @cached_property
    def quality_statement_by_id(self) -> dict[str, QualityStatement]:
        return {q.id: q for q in self.quality_statements}

    @cached_property
    def category_by_id(self) -> dict[str, EvidenceCategory]:
        return {c.id: c for c in self.evidence_categories}

    def names_of(self, what: str) -> list[str]:
        """Canonical names users may write, for 'did you mean' suggestions."""
        if what == "quality statement":
            return [q.id for q in self.quality_statements] + [
                q.title for q in self.quality_statements
            ]
        if what == "evidence category":
            return [c.id for c in self.evidence_categories]
        if what == "theme":
            return [t.id for t in self.themes] + [t.short_title for t in self.themes]
        if what == "Care Act duty":
            return [d.id for d in self.care_act_duties]
        if what == "expected evidence":
            return sorted(self.expected_ids)
        return []


BUILTIN_FRAMEWORKS = ("cqc-la-2024",)


def builtin_framework_text(framework_id: str) -> bytes:
    """The bytes of a built-in framework file."""
    return (
        resources.files("ascready.repository") / "frameworks" / f"{framework_id}.yaml"
    ).read_bytes()
