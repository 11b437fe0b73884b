"""The assessment framework: themes, quality statements, evidence categories, duties, scoring.

Built-in frameworks ship as package data (``ascready/frameworks/<id>.yaml``); a repository may
supply its own file, which is checked like every other document.
"""

from __future__ import annotations

import itertools
import re
from enum import StrEnum
from functools import cached_property
from importlib import resources
from typing import Annotated

from pydantic import Field, StrictBool, StringConstraints, model_validator

from ascready.repository.models import StrictModel, Text

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]


class Term(StrEnum):
    """The kinds of framework term a repository refers to; the value is how messages name one."""

    QUALITY_STATEMENT = "quality statement"
    CATEGORY = "evidence category"
    THEME = "theme"
    DUTY = "Care Act duty"
    EXPECTED = "expected evidence"


#: A numbered term as councils write it: "(4)", "QS 4", "Quality statement 4: title",
#: "Theme 1 - Working with people".
_NUMBERED = {
    Term.QUALITY_STATEMENT: re.compile(
        r"^\s*(?:qs|quality\s+statement)?\s*\(?\s*(\d+)\s*\)?\s*(?:[-:\u2013\u2014.]\s*(.*))?$",
        re.IGNORECASE | re.DOTALL,
    ),
    Term.THEME: re.compile(
        r"^\s*(?:t|theme)?\s*\(?\s*(\d+)\s*\)?\s*(?:[-:\u2013\u2014.]\s*(.*))?$",
        re.IGNORECASE | re.DOTALL,
    ),
}


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

    # -- the vocabulary: every command resolves a framework term here ------------------------

    @cached_property
    def _indexes(self) -> dict[Term, dict[str, str]]:
        """For each kind of term, every name a user may write (normalised) -> the term's id."""
        indexes: dict[Term, dict[str, str]] = {term: {} for term in Term}

        def add(term: Term, ident: str, *names: str) -> None:
            for name in names:
                indexes[term].setdefault(normalise(name), ident)

        for qs in self.quality_statements:
            add(Term.QUALITY_STATEMENT, qs.id, qs.id, qs.slug, qs.title, str(qs.number))
            add(Term.QUALITY_STATEMENT, qs.id, *qs.aliases)
        for cat in self.evidence_categories:
            add(Term.CATEGORY, cat.id, cat.id, cat.title, *cat.aliases)
        for theme in self.themes:
            add(Term.THEME, theme.id, theme.id, theme.title, theme.short_title, str(theme.number))
            add(Term.THEME, theme.id, *theme.aliases)
        for duty in self.care_act_duties:
            add(Term.DUTY, duty.id, duty.id, duty.title)
            for section in duty.sections:
                add(Term.DUTY, duty.id, f"s{section}", f"section {section}")
        for exp in self.expected_evidence:
            add(Term.EXPECTED, exp.id, exp.id, exp.title)
        return indexes

    # Repositories repeat the same few references thousands of times: resolve each once.

    @cached_property
    def _resolved(self) -> dict[tuple[Term, str], str | None]:
        return {}

    def resolve(self, term: Term, text: str) -> str | None:
        """The id of the term ``text`` names, or None when this framework has no such term.

        Accepted, for every kind of term: its id, title and known variants, ignoring case,
        spacing and punctuation; for quality statements and themes also the number, written
        as councils write it ("4", "(4)", "QS 4", "Quality statement 4", "Theme 1"), with or
        without the title after it ("Theme 1 - Working with people", "QS4: …"): a number
        followed by another term's title is not accepted, so nothing is guessed.
        """
        key = (term, text)
        cache = self._resolved
        if key not in cache:
            cache[key] = self._lookup(term, text)
        return cache[key]

    def _lookup(self, term: Term, text: str) -> str | None:
        index = self._indexes[term]
        found = index.get(normalise(text))
        if found is not None or term not in _NUMBERED:
            return found
        match = _NUMBERED[term].match(text)
        if match is None:
            return None
        by_number = index.get(match.group(1))
        rest = (match.group(2) or "").strip()
        if by_number is None or not rest:
            return by_number
        return by_number if index.get(normalise(rest)) == by_number else None

    def resolve_quality_statement(self, ref: str) -> str | None:
        return self.resolve(Term.QUALITY_STATEMENT, ref)

    def resolve_category(self, ref: str) -> str | None:
        return self.resolve(Term.CATEGORY, ref)

    def resolve_theme(self, ref: str) -> str | None:
        return self.resolve(Term.THEME, ref)

    def resolve_duty(self, ref: str) -> str | None:
        return self.resolve(Term.DUTY, ref)

    def names_of(self, term: Term) -> list[str]:
        """Canonical names users may write, for 'did you mean' suggestions and 'Known:' lists."""
        if term is Term.QUALITY_STATEMENT:
            return [q.id for q in self.quality_statements] + [
                q.title for q in self.quality_statements
            ]
        if term is Term.CATEGORY:
            return [c.id for c in self.evidence_categories]
        if term is Term.THEME:
            return [t.id for t in self.themes] + [t.short_title for t in self.themes]
        if term is Term.DUTY:
            return [d.id for d in self.care_act_duties]
        return sorted(self.expected_ids)

    @cached_property
    def expected_ids(self) -> frozenset[str]:
        return frozenset(e.id for e in self.expected_evidence)

    @cached_property
    def quality_statement_by_id(self) -> dict[str, QualityStatement]:
        return {q.id: q for q in self.quality_statements}

    def quality_statement_order(self, qs: str) -> int:
        """Where a quality statement comes in the framework (unknown ones last): for sorting."""
        return self._qs_position.get(qs, len(self._qs_position))

    @cached_property
    def _qs_position(self) -> dict[str, int]:
        return {q.id: n for n, q in enumerate(self.quality_statements)}

    @cached_property
    def category_by_id(self) -> dict[str, EvidenceCategory]:
        return {c.id: c for c in self.evidence_categories}


BUILTIN_FRAMEWORKS = ("cqc-la-2024",)


def builtin_framework_text(framework_id: str) -> bytes:
    """The bytes of a built-in framework file."""
    return (
        resources.files("ascready.repository") / "frameworks" / f"{framework_id}.yaml"
    ).read_bytes()
