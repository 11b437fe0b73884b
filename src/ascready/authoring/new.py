"""``ascready new``: one new evidence item, improvement action or rating, valid from the start.

The core of the command, as plain functions. They work out the next free id, resolve what the
user typed (``QS3``, ``3``, a slug or a title) to the framework's canonical ids, build the YAML
text, and check it with :mod:`ascready.checks.document`, the pipeline ``ascready validate``
runs on every file. Nothing is printed and nothing is written until :func:`write_new`.

Two kinds of refusal, both with a message ready to show:

* :class:`~ascready.errors.AscreadyError` (exit 2): a flag's value is not usable (an unknown
  quality statement, a date not written YYYY-MM-DD, an id already used);
* :class:`~ascready.errors.NewFileRefused` (exit 1): the file would have validation errors
  (personal data, a reference to something that does not exist, a missing source file).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ascready.authoring import flags
from ascready.authoring.files import (
    claimed,
    emit,
    is_valid_id,
    line,
    next_id,
    path_for,
    source_in_repository,
    used_ids,
)
from ascready.checks.document import check_new_documents
from ascready.checks.load import load_project
from ascready.checks.personal_data import allowed_for
from ascready.checks.registry import REGISTRY
from ascready.errors import NewFileRefused, OutputExistsError
from ascready.findings import Finding, Severity
from ascready.io.writing import write_files
from ascready.repository import kinds, models
from ascready.repository.framework import Framework
from ascready.repository.kinds import Kind
from ascready.repository.loader import find_repository
from ascready.repository.project import Document, Project


@dataclass(frozen=True)
class NewFile:
    """A file ready to be written: where, under which id, its text, and what to tell the user."""

    root: Path
    path: str  # relative to the repository, with forward slashes
    ident: str
    text: str
    warnings: tuple[str, ...] = ()
    next_step: str = ""


#: For each kind of new file, field -> the flag that fills it, in the order messages list them.
FLAGS: dict[str, dict[str, str]] = {
    "evidence": {
        "id": "--id",
        "title": "--title",
        "summary": "--summary",
        "kind": "--kind",
        "categories": "--category",
        "quality_statements": "--qs",
        "information_return": "--ir",
        "care_act_duties": "--duty",
        "expected_evidence": "--expected",
        "source": "--source",
        "attribution": "--attribution",
        "owner": "--owner",
        "as_of": "--as-of",
        "review_by": "--review-by",
        "classification": "--classification",
        "status": "--status",
    },
    "action": {
        "id": "--id",
        "title": "--title",
        "workstream": "--workstream",
        "owner": "--owner",
        "due": "--due",
        "status": "--status",
        "answers": "--answers",
    },
    "rating": {
        "quality_statement": "--qs",
        "self_score": "--self-score",
        "narrative": "--narrative",
    },
}


# --- checking the new file as ascready validate would ----------------------------------------


def _where(finding: Finding, kind: Kind, path: str) -> str:
    """What a finding is about, as the user gave it: the flag, or another file."""
    if finding.file != path:
        return finding.file or "ascready.yaml"
    key = finding.loc[0] if finding.loc else None
    return FLAGS[kind.name].get(str(key), str(key)) if key is not None else path


def _check(
    project: Project,
    kind: Kind,
    ident: str,
    data: dict[str, Any],
    today: dt.date,
    extra: Sequence[Finding] = (),
    next_step: Callable[[], str] = lambda: "",
) -> NewFile:
    """Build the file's text and check it as validate would, with the repository around it."""
    path = path_for(kind, ident)
    if (project.root / path).exists():
        raise OutputExistsError(f"{path} already exists; nothing was written")
    header = f"# {kind.label[0].upper()}{kind.label[1:]} {ident}, created with ascready new.\n"
    text = emit(data, header)
    [checked], introduced = check_new_documents(project, [(path, kind.name, text)], today)
    found = [*checked.findings, *introduced, *extra]
    order = {name: i for i, name in enumerate(FLAGS[kind.name])}
    found.sort(key=lambda f: (f.file != path, order.get(str((f.loc or ("",))[0]), 99)))
    errors = [f for f in found if f.severity is Severity.ERROR]
    if errors:
        lines = "\n".join("  " + line(_where(f, kind, path), f.message, f.hint) for f in errors)
        raise NewFileRefused(
            f"{path} was not created: it would not pass ascready validate. Nothing was "
            f"written.\n{lines}",
            errors,
        )
    warnings = tuple(
        line(_where(f, kind, path), f.message, f.hint)
        for f in found
        if f.severity is Severity.WARNING
    )
    return NewFile(project.root, path, ident, text, warnings, next_step())


def _load(repo: Path) -> tuple[Project, flags.FlagProblems]:
    project, _ = load_project(find_repository(repo))
    return project, flags.FlagProblems(allowed_for(project.profile))


def _choose_id(
    problems: flags.FlagProblems, project: Project, kind: Kind, requested: str | None
) -> str:
    used = used_ids(project, kind.name)
    first = kind.first_id or ""
    if requested is None:  # never one a file had before, in the repository's history
        return next_id(used_ids(project, kind.name, history=True), first)
    if not is_valid_id(requested):
        problems.add(
            "--id",
            f"{problems.shown(requested)} is not an id ascready accepts",
            "Ids use letters, digits, '.', '_' and '-' only, start with a letter or digit and "
            f"are at most 64 characters, for example {next_id(used, first)}.",
        )
        return requested
    clash = next((u for u in used if u.casefold() == requested.casefold()), None)
    if clash is not None:
        problems.add(
            "--id",
            f"{kind.label} '{clash}' already exists ({used[clash]})",
            f"Leave out --id to get the next free id ({next_id(used, first)}), or choose another.",
        )
    return requested


def _present(values: dict[str, Any]) -> dict[str, Any]:
    """The values that were given: no None, no empty list."""
    return {k: v for k, v in values.items() if v is not None and v != []}


# --- evidence ---------------------------------------------------------------------------------


def new_evidence(
    repo: Path,
    *,
    title: str,
    kind: str,
    categories: Sequence[str],
    quality_statements: Sequence[str],
    classification: str,
    summary: str | None = None,
    source: str | None = None,
    attribution: str | None = None,
    owner: str | None = None,
    as_of: str | None = None,
    review_by: str | None = None,
    information_return: Sequence[int] = (),
    care_act_duties: Sequence[str] = (),
    expected_evidence: Sequence[str] = (),
    status: str | None = None,
    item_id: str | None = None,
    today: dt.date | None = None,
) -> NewFile:
    """A new evidence item with the next free id (or ``item_id``), checked as validate would."""
    project, problems = _load(repo)
    fw = project.framework
    ident = _choose_id(problems, project, kinds.EVIDENCE, item_id)
    values = flags.enum_values
    # In the order the flags are reported in.
    read: dict[str, Any] = {
        "kind": flags.read_choice(problems, "--kind", kind, values(models.EvidenceKind)),
        "categories": flags.categories(problems, fw, "--category", categories),
        "quality_statements": flags.quality_statements(problems, fw, "--qs", quality_statements),
        "care_act_duties": flags.duties(problems, fw, "--duty", care_act_duties),
        "expected_evidence": flags.expected_evidence(problems, fw, "--expected", expected_evidence),
        "classification": flags.read_choice(
            problems, "--classification", classification, values(models.Classification)
        ),
        "status": flags.read_choice(problems, "--status", status, values(models.EvidenceStatus)),
        "as_of": flags.read_date(problems, "--as-of", as_of),
        "review_by": flags.read_date(problems, "--review-by", review_by),
    }
    problems.raise_if_any()
    numbers = list(dict.fromkeys(information_return))
    data: dict[str, Any] = {"id": ident, "title": title}
    if summary is not None:
        data["summary"] = summary
    data |= {k: read[k] for k in ("kind", "categories", "quality_statements")}
    data |= _present(
        {
            "information_return": numbers,
            "care_act_duties": read["care_act_duties"],
            "expected_evidence": read["expected_evidence"],
            "source": source_in_repository(project.root, source) if source is not None else None,
            "attribution": attribution,
            "owner": owner,
            "as_of": read["as_of"],
            "review_by": read["review_by"],
        }
    )
    data["classification"] = read["classification"]
    if read["status"]:
        data["status"] = read["status"]
    extra = _outside_the_return(project, ident, numbers)
    qss = read["quality_statements"]
    return _check(
        project,
        kinds.EVIDENCE,
        ident,
        data,
        today or dt.date.today(),
        extra,
        lambda: _where_to_cite(project, ident, qss, numbers),
    )


def _outside_the_return(project: Project, ident: str, numbers: Sequence[int]) -> list[Finding]:
    """Information-return numbers beyond the items CQC's request lists."""
    limit = (
        project.profile.information_return_items
        if project.profile
        else models.CouncilProfile.model_fields["information_return_items"].default
    )
    return [
        REGISTRY["unknown-reference"].finding(
            f"information-return item {n} is outside 1 to {limit}, the items CQC's request lists",
            f"Use a number from 1 to {limit}, or correct information_return_items in "
            "ascready.yaml.",
            path_for(kinds.EVIDENCE, ident),
            loc=("information_return", i),
        )
        for i, n in enumerate(numbers)
        if not 1 <= n <= limit
    ]


def _rating_files(project: Project, qs: Iterable[str]) -> list[str]:
    wanted = set(qs)
    fw = project.framework
    return [
        doc.path
        for doc in project.ratings
        if fw.resolve_quality_statement(doc.model.quality_statement) in wanted
    ]


def _where_to_cite(project: Project, ident: str, qss: Sequence[str], numbers: Sequence[int]) -> str:
    where = []
    ratings = _rating_files(project, qss)
    if ratings:
        where.append(f"in a strength or area for improvement in {ratings[0]}")
    returns = [d.path for d in project.return_items if d.model.number in numbers]
    if returns:
        where.append(f"under evidence: in {', '.join(returns)}")
    if not where:
        where.append(
            "in a strength or area for improvement under ratings/, or under evidence: in "
            "an information-return item"
        )
    return f"Next: cite {ident} {' and '.join(where)}."


# --- improvement actions ----------------------------------------------------------------------


def new_action(
    repo: Path,
    *,
    title: str,
    owner: str | None = None,
    due: str | None = None,
    workstream: str | None = None,
    status: str | None = None,
    answers: Sequence[str] = (),
    item_id: str | None = None,
    today: dt.date | None = None,
) -> NewFile:
    """A new improvement action with the next free id (or ``item_id``)."""
    project, problems = _load(repo)
    ident = _choose_id(problems, project, kinds.ACTION, item_id)
    state = flags.read_choice(problems, "--status", status, flags.enum_values(models.ActionStatus))
    due_date = flags.read_date(problems, "--due", due)
    problems.raise_if_any()

    data: dict[str, Any] = {"id": ident, "title": title}
    data |= _present(
        {
            "workstream": workstream,
            "owner": owner,
            "due": due_date,
            "status": state or None,
            "answers": flags.unique(answers),
        }
    )

    def next_step() -> str:
        homes = {
            s.id: rating.path
            for rating, f, _, s in project.statements()
            if f == "areas_for_improvement" and s.id in answers
        }
        if homes:
            return "Next: add {} to actions: of {}.".format(
                ident, "; ".join(f"{afi} in {path}" for afi, path in homes.items())
            )
        return (
            f"Next: add {ident} to actions: of the area for improvement it answers (under "
            f"ratings/), and that area's id to answers: in {path_for(kinds.ACTION, ident)}."
        )

    return _check(project, kinds.ACTION, ident, data, today or dt.date.today(), (), next_step)


# --- ratings ----------------------------------------------------------------------------------


def new_rating(
    repo: Path,
    *,
    quality_statement: str,
    self_score: int | None = None,
    narrative: str | None = None,
    today: dt.date | None = None,
) -> NewFile:
    """A new rating file for a quality statement that has none yet."""
    project, problems = _load(repo)
    found = flags.quality_statements(problems, project.framework, "--qs", [quality_statement])
    problems.raise_if_any()
    qs = found[0]
    for doc in project.documents:
        if doc.kind == "rating" and _rated(project.framework, doc) == qs:
            problems.add(
                "--qs",
                f"{qs} already has a rating: {doc.path}",
                "Edit that file instead; each quality statement has one rating file.",
            )
    problems.raise_if_any()

    data: dict[str, Any] = {"quality_statement": qs}
    if self_score is not None:
        data["self_score"] = self_score
    if narrative is not None:
        data["narrative"] = narrative
    step = (
        f"Next: add strengths and areas for improvement to {path_for(kinds.RATING, qs)}, each "
        "citing the ids of its evidence."
    )
    return _check(project, kinds.RATING, qs, data, today or dt.date.today(), (), lambda: step)


def _rated(fw: Framework, doc: Document) -> str | None:
    """The quality statement a rating file rates, even when it has errors: from its model, its
    raw data, or, for a file that cannot be read, its name (QS3.yaml)."""
    raw = claimed(doc, "quality_statement")
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = f"QS{raw}"
    if isinstance(raw, str) and (found := fw.resolve_quality_statement(raw)):
        return found
    if doc.model is None:
        return fw.resolve_quality_statement(PurePosixPath(doc.path).stem)
    return None


# --- writing ---------------------------------------------------------------------------------


def write_new(new: NewFile) -> Path:
    """Create the file, complete or not at all, and never over an existing file."""
    return write_files(
        new.root, creates={new.path: new.text}, command=f"ascready new ({new.path})"
    )[0]
