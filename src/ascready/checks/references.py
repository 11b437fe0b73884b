"""Repository checks: ids, references, framework terms, dates, classification, and what the
self-assessment would leave out."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath

from ascready.checks.base import Check, CheckContext, CheckList
from ascready.findings import Finding, Loc, Severity, article
from ascready.repository import kinds, models
from ascready.repository.framework import Term
from ascready.repository.project import PROFILE_FILE, Project

CHECKS = CheckList()


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    found = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.5)
    return f"Did you mean '{found[0]}'? " if found else ""


@CHECKS.repository("duplicate-id", Severity.ERROR)
def duplicate_ids(ctx: CheckContext, check: Check) -> Iterator[Finding]:
    """Two files or entries use the same id or number."""
    project = ctx.project
    seen: dict[tuple[str, str], list[tuple[str, Loc]]] = defaultdict(list)
    for ev in project.evidence:
        seen[("evidence item", ev.model.id)].append((ev.path, ("id",)))
    for act in project.actions:
        seen[("improvement action", act.model.id)].append((act.path, ("id",)))
    for met in project.metrics:
        seen[("performance measure", met.model.id)].append((met.path, ("id",)))
    for ret in project.return_items:
        seen[("information-return item number", str(ret.model.number))].append(
            (ret.path, ("number",))
        )
    for rating, field, i, s in project.statements():
        seen[("strength or area for improvement", s.id)].append((rating.path, (field, i, "id")))
    fw = project.framework
    for rat in project.ratings:
        qs = fw.resolve_quality_statement(rat.model.quality_statement)
        if qs:
            seen[("rating of quality statement", qs)].append((rat.path, ("quality_statement",)))
    for (what, ident), places in sorted(seen.items()):
        if len(places) < 2:
            continue
        # Every place is reported, each naming the others: either may be the one to change.
        for file, loc in places:
            others = sorted({f for f, _ in places if f != file}) or ["this same file"]
            yield check.finding(
                f"{what} '{ident}' is also used in {', '.join(others)}",
                "Give each one its own id (or number), or merge them.",
                file,
                loc=loc,
            )


def _resolve_all(ctx: CheckContext) -> Iterator[tuple[Term, str, Loc, str]]:
    """(term kind, file, loc, written value) for every framework term in the repository."""
    project = ctx.project
    for ev in project.evidence:
        item = ev.model
        for i, ref in enumerate(item.quality_statements):
            yield Term.QUALITY_STATEMENT, ev.path, ("quality_statements", i), ref
        for i, ref in enumerate(item.categories):
            yield Term.CATEGORY, ev.path, ("categories", i), ref
        for i, ref in enumerate(item.care_act_duties):
            yield Term.DUTY, ev.path, ("care_act_duties", i), ref
        for i, ref in enumerate(item.expected_evidence):
            yield Term.EXPECTED, ev.path, ("expected_evidence", i), ref
    tagged = [(r.path, r.model.quality_statements) for r in project.return_items]
    tagged += [(m.path, m.model.quality_statements) for m in project.metrics]
    for path, refs in tagged:
        for i, ref in enumerate(refs):
            yield Term.QUALITY_STATEMENT, path, ("quality_statements", i), ref
    for rat in project.ratings:
        yield Term.QUALITY_STATEMENT, rat.path, ("quality_statement",), rat.model.quality_statement
        for ref in rat.model.category_scores:
            yield Term.CATEGORY, rat.path, ("category_scores", ref), ref
    for rating, field, i, s in project.statements():
        for j, ref in enumerate(s.related_quality_statements):
            loc: Loc = (field, i, "related_quality_statements", j)
            yield Term.QUALITY_STATEMENT, rating.path, loc, ref
        if s.presented_under is not None:
            yield Term.THEME, rating.path, (field, i, "presented_under"), s.presented_under


@CHECKS.repository("retired-id", Severity.ERROR)
def retired_ids(ctx: CheckContext, check: Check) -> Iterator[Finding]:
    """A strength or area for improvement uses an id that was taken out (a rating's
    ``retired_ids``): an id means one statement for ever."""
    retired = {i: rat.path for rat in ctx.project.ratings for i in rat.model.retired_ids}
    for rating, field, i, s in ctx.project.statements():
        if s.id in retired:
            yield check.finding(
                f"'{s.id}' was taken out of {retired[s.id]} (it is in its retired_ids), so it "
                "cannot be given to a strength or area for improvement again",
                "Give this one a new id (ascready import gives the next one if you leave its ID "
                "cell empty); if it is the statement that was taken out, take its id out of "
                "retired_ids",
                rating.path,
                loc=(field, i, "id"),
            )


@CHECKS.repository("unknown-term", Severity.ERROR)
def unknown_terms(ctx: CheckContext, check: Check) -> Iterator[Finding]:
    """A quality statement, evidence category, theme, Care Act duty or expected-evidence id that
    the framework does not define."""
    fw = ctx.project.framework
    for what, path, loc, ref in _resolve_all(ctx):
        if fw.resolve(what, ref) is None:
            yield check.finding(
                f"'{ref}' is not {article(what)} {what} in the framework '{fw.id}'",
                f"{_did_you_mean(ref, fw.names_of(what))}Known: {', '.join(fw.names_of(what)[:12])}"
                f"{'…' if len(fw.names_of(what)) > 12 else ''}.",
                path,
                loc=loc,
            )


@CHECKS.repository("category-not-applied", Severity.WARNING)
def categories_not_applied(ctx: CheckContext, check: Check) -> Iterator[Finding]:
    """Evidence filed only under a category CQC does not apply to local authorities."""
    fw = ctx.project.framework
    for doc in ctx.project.evidence:
        resolved = [fw.resolve_category(c) for c in doc.model.categories]
        known = [c for c in resolved if c]
        if known and not any(fw.category_by_id[c].applied for c in known):
            names = ", ".join(fw.category_by_id[c].title for c in known)
            yield check.finding(
                f"this evidence is filed only under {names}, which CQC does not use for local "
                "authorities, so it will count towards no category",
                "Add the category it informs as well (e.g. processes, or people's experience for "
                "survey data).",
                doc.path,
                loc=("categories",),
            )


_QUOTE_HINTS = {
    models.EvidenceKind.QUOTE: "Write under summary the words the person said, as they said "
    "them; the self-assessment shows them in quotation marks, with the attribution.",
    models.EvidenceKind.FEEDBACK: "Write under summary what people said, in a sentence or two; "
    "the self-assessment shows it after the title.",
}


@CHECKS.repository("quote-without-summary", Severity.WARNING)
def quotes_without_summary(ctx: CheckContext, check: Check) -> Iterator[Finding]:
    """A quote or feedback item with no summary, which the self-assessment leaves out of "What
    people say"."""
    for doc in ctx.project.evidence:
        item = doc.model
        hint = _QUOTE_HINTS.get(item.kind)
        # The document shows a quote's or feedback's summary, and only an item that has one.
        if hint is None or item.summary:
            continue
        has_key = isinstance(doc.document.data, dict) and "summary" in doc.document.data
        yield check.finding(
            f"this {item.kind.value} has no summary, so the self-assessment leaves it out of "
            '"What people say" (it is still listed in the evidence index)',
            hint,
            doc.path,
            loc=("summary",) if has_key else ("kind",),
        )


@CHECKS.repository("unknown-reference", Severity.ERROR)
def unknown_references(ctx: CheckContext, check: Check) -> Iterator[Finding]:
    """A reference to an evidence item, information-return item, improvement action, performance
    measure or area for improvement that does not exist."""
    project = ctx.project
    # Ids of files that failed validation still count as existing: their own findings say
    # what is wrong, and the files citing them should not be told they do not exist.
    evidence = {d.model.id for d in project.evidence} | _raw_ids(project, "evidence")
    actions = {d.model.id for d in project.actions} | _raw_ids(project, "action")
    metrics = {d.model.id for d in project.metrics} | _raw_ids(project, "metric")
    returns = {d.model.number for d in project.return_items} | {
        n for n in _raw_values(project, "return", "number") if isinstance(n, int)
    }
    afis = {s.id for _, f, _, s in project.statements() if f == "areas_for_improvement"}
    afis |= _raw_statement_ids(project, "areas_for_improvement")
    strengths = {s.id for _, f, _, s in project.statements() if f == "strengths"}
    strengths |= _raw_statement_ids(project, "strengths")

    def missing(what: str, ref: object, known: set[str], file: str, loc: Loc) -> Finding:
        return check.finding(
            f"{what} '{ref}' does not exist",
            f"{_did_you_mean(str(ref), sorted(known))}Check the id, or add the {what}.",
            file,
            loc=loc,
        )

    for ret in project.return_items:
        for i, ref in enumerate(ret.model.evidence):
            if ref not in evidence:
                yield missing("evidence item", ref, evidence, ret.path, ("evidence", i))
    for ev in project.evidence:
        for i, num in enumerate(ev.model.information_return):
            if num not in returns:
                yield check.finding(
                    f"information-return item {num} does not exist",
                    "Add it under information-return/, or correct the number.",
                    ev.path,
                    loc=("information_return", i),
                )
    for rating, field, i, s in project.statements():
        for j, ref in enumerate(s.evidence):
            if ref not in evidence:
                yield missing(
                    "evidence item", ref, evidence, rating.path, (field, i, "evidence", j)
                )
        for j, ref in enumerate(s.metrics):
            if ref not in metrics:
                yield missing(
                    "performance measure", ref, metrics, rating.path, (field, i, "metrics", j)
                )
        if isinstance(s, models.AreaForImprovement):
            for j, ref in enumerate(s.actions):
                if ref not in actions:
                    yield missing(
                        "improvement action", ref, actions, rating.path, (field, i, "actions", j)
                    )
    for act in project.actions:
        for i, ref in enumerate(act.model.answers):
            if ref in strengths:
                yield check.finding(
                    f"'{ref}' is a strength, not an area for improvement",
                    "An improvement action answers areas for improvement.",
                    act.path,
                    loc=("answers", i),
                )
            elif ref not in afis:
                yield missing("area for improvement", ref, afis, act.path, ("answers", i))


def _invalid(project: Project, kind: str) -> Iterator[dict[str, object]]:
    for doc in project.documents:
        if doc.kind == kind and doc.model is None and isinstance(doc.data, dict):
            yield doc.data


def _raw_values(project: Project, kind: str, key: str) -> set[str | int]:
    """The text or whole-number values of ``key`` in the files of a kind that failed
    validation (a list or mapping there is an error of its own, and cannot name anything)."""
    found: set[str | int] = set()
    for data in _invalid(project, kind):
        value = data.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            found.add(value)
    return found


def _raw_ids(project: Project, kind: str) -> set[str]:
    """Ids of files that failed validation; for a file that could not be read at all, its name
    (files are named by id), so that what cites it is not told it does not exist."""
    unreadable = {
        PurePosixPath(d.path).stem for d in project.documents if d.kind == kind and d.data is None
    }
    return {v for v in _raw_values(project, kind, "id") if isinstance(v, str)} | unreadable


def _raw_statement_ids(project: Project, field: str) -> set[str]:
    found: set[str] = set()
    for data in _invalid(project, "rating"):
        entries = data.get(field)
        if isinstance(entries, list):
            found |= {
                e["id"] for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)
            }
    return found


@CHECKS.repository("rating-missing", Severity.WARNING)
def ratings_missing(ctx: CheckContext, check: Check) -> Iterator[Finding]:
    """A quality statement of the framework has no rating file: no self score, strengths or
    areas for improvement."""
    project = ctx.project
    fw = project.framework
    resolve = fw.resolve_quality_statement
    rated: set[str] = set()
    # A rating file counts by the quality statement it names or else (when it has errors) by
    # its file's name: its own findings say what is wrong, and `new rating` would refuse to add
    # another.
    for doc in project.documents:
        if doc.kind != kinds.RATING.name:
            continue
        named = doc.data.get("quality_statement") if isinstance(doc.data, dict) else None
        for text in (named, PurePosixPath(doc.path).stem):
            if isinstance(text, str) and (found := resolve(text)) is not None:
                rated.add(found)
                break
    for qs in fw.quality_statements:
        if qs.id not in rated:
            yield check.finding(
                f"{qs.id} ({qs.title}) has no rating file: no self score, strengths or areas "
                "for improvement",
                f"Run `ascready new rating --qs {qs.id}`, then write its self score, strengths "
                "and areas for improvement.",
                f"{kinds.RATING.folder}/{qs.id}.yaml",
            )


@CHECKS.repository("date-order", Severity.ERROR)
def date_order(ctx: CheckContext, check: Check) -> Iterator[Finding]:
    """A review-by date earlier than the as-of date."""
    for doc in ctx.project.evidence:
        item: models.EvidenceItem = doc.model
        if item.as_of and item.review_by and item.review_by < item.as_of:
            yield check.finding(
                f"review_by ({item.review_by}) is before as_of ({item.as_of})",
                "Check both dates; review_by is when the evidence must next be checked.",
                doc.path,
                loc=("review_by",),
            )


@CHECKS.repository("review-overdue", Severity.WARNING)
def review_overdue(ctx: CheckContext, check: Check) -> Iterator[Finding]:
    """An evidence item's review-by date has passed."""
    for doc in ctx.project.evidence:
        item: models.EvidenceItem = doc.model
        if (
            item.status is models.EvidenceStatus.CURRENT
            and item.review_by
            and (item.review_by < ctx.today)
        ):
            days = (ctx.today - item.review_by).days
            yield check.finding(
                f"'{item.id}' was due for review on {item.review_by} ({days} days ago)",
                f"Ask {item.owner or 'its owner'} to check it is still true, then update as_of "
                "and review_by.",
                doc.path,
                loc=("review_by",),
            )


@CHECKS.repository("public-cites-sensitive", Severity.WARNING)
def public_cites_sensitive(ctx: CheckContext, check: Check) -> Iterator[Finding]:
    """Something that will be published relies on official-sensitive evidence."""
    project = ctx.project
    by_id = {d.model.id: d.model for d in project.evidence}
    measures = {d.model.id: d.model for d in project.metrics}
    sensitive = models.Classification.OFFICIAL_SENSITIVE
    for doc, field, i, s in project.statements():
        for j, ref in enumerate(s.evidence):
            item = by_id.get(ref)
            if item is not None and item.classification is sensitive:
                yield check.finding(
                    f"this {'strength' if field == 'strengths' else 'area for improvement'} is "
                    f"part of the self-assessment but cites '{ref}', which is official-sensitive",
                    "The public self-assessment will leave that evidence out; cite a public "
                    "summary of it as well, or confirm it can be reclassified.",
                    doc.path,
                    loc=(field, i, "evidence", j),
                )
        for j, ref in enumerate(s.metrics):
            measure = measures.get(ref)
            if measure is not None and measure.classification is sensitive:
                yield check.finding(
                    f"this {'strength' if field == 'strengths' else 'area for improvement'} is "
                    f"part of the self-assessment but cites the measure '{ref}', which is "
                    "official-sensitive",
                    "The public self-assessment will leave that measure out; cite a published "
                    "measure as well, or confirm it can be reclassified.",
                    doc.path,
                    loc=(field, i, "metrics", j),
                )
    by_source: dict[str, list[tuple[str, models.EvidenceItem]]] = defaultdict(list)
    for ev in project.evidence:
        if ev.model.source:
            by_source[ev.model.source].append((ev.path, ev.model))
    for items in by_source.values():
        worst = max(items, key=lambda pair: pair[1].classification.rank)
        if worst[1].classification is not sensitive:
            continue
        for path, item in items:
            if item.classification is models.Classification.PUBLIC:
                yield check.finding(
                    f"'{item.id}' is public but its source is also the source of "
                    f"'{worst[1].id}', which is official-sensitive",
                    "One of the two classifications is wrong: a file cannot be both.",
                    path,
                    loc=("classification",),
                )


@CHECKS.repository("information-return-count", Severity.WARNING)
def information_return_count(ctx: CheckContext, check: Check) -> Iterator[Finding]:
    """The information-return items are not numbered 1 to the number CQC asked for."""
    project = ctx.project
    numbers = {d.model.number for d in project.return_items} | {
        n for n in _raw_values(project, "return", "number") if isinstance(n, int)
    }
    if not numbers or project.profile is None:
        return
    expected = project.profile.information_return_items
    missing = sorted(set(range(1, expected + 1)) - numbers)
    extra = sorted(n for n in numbers if n > expected)

    def at_the_count(message: str, hint: str) -> Finding:
        return check.finding(message, hint, PROFILE_FILE, loc=("information_return_items",))

    if missing:
        shown = ", ".join(map(str, missing[:10])) + ("…" if len(missing) > 10 else "")
        yield at_the_count(
            f"the information return has {len(numbers)} of {expected} items; missing: {shown}",
            "Add a file under information-return/ for each item in CQC's request.",
        )
    if extra:
        yield at_the_count(
            f"information-return items numbered above {expected}: {', '.join(map(str, extra))}",
            "Correct the numbers, or set information_return_items in ascready.yaml.",
        )


@CHECKS.repository("portal-uploaders", Severity.WARNING)
def portal_uploaders(ctx: CheckContext, check: Check) -> Iterator[Finding]:
    """ascready.yaml does not name the two people who upload to the CQC portal."""
    profile = ctx.project.profile
    if profile is not None and len(profile.portal_uploaders) != 2:
        yield check.finding(
            f"{len(profile.portal_uploaders)} portal uploaders are named; CQC asks for two",
            "List the roles of the two people who will upload evidence under portal_uploaders.",
            PROFILE_FILE,
            loc=("portal_uploaders",),
        )
