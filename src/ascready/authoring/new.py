"""``ascready new``: one new evidence item, improvement action or rating, valid from the start.

The core of the command, as plain functions. They work out the next free id, resolve what the
user typed (``QS3``, ``3``, a slug or a title) to the framework's canonical ids, build the YAML
text, read it back with the reader ``ascready validate`` uses, and run the same checks on it as
``ascready validate`` would. Nothing is printed and nothing is written until :func:`write_new`.

Two kinds of refusal, both with a message ready to show:

* :class:`~ascready.errors.AscreadyError` (exit 2): a flag's value is not usable (an unknown
  quality statement, a date not written YYYY-MM-DD, an id already used);
* :class:`NewFileRefused` (exit 1): the file would have validation errors (personal data, a
  reference to something that does not exist, a missing source file).
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from ascready.checks.document import introduced_findings
from ascready.checks.load import load_project
from ascready.checks.personal_data import allowed_for, mask, scan, scan_document
from ascready.checks.pydantic_errors import schema_findings
from ascready.checks.registry import REGISTRY
from ascready.checks.sources import classify_source
from ascready.errors import AscreadyError, NewFileRefused, OutputExistsError
from ascready.findings import Finding, Severity
from ascready.repository import models, yamlsafe
from ascready.repository.framework import Framework, normalise
from ascready.repository.kinds import LABELS
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


@dataclass(frozen=True)
class _Kind:
    """What differs between the three kinds of new file."""

    doc_kind: str  # the loader's kind
    folder: str
    model: type[models.StrictModel]
    first_id: str
    flags: Mapping[str, str]  # field -> the flag that fills it
    label: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", LABELS[self.doc_kind])


EVIDENCE = _Kind(
    "evidence",
    "evidence",
    models.EvidenceItem,
    "EV-001",
    {
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
)
ACTION = _Kind(
    "action",
    "actions",
    models.Action,
    "ACT-01",
    {
        "id": "--id",
        "title": "--title",
        "workstream": "--workstream",
        "owner": "--owner",
        "due": "--due",
        "status": "--status",
        "answers": "--answers",
    },
)
RATING = _Kind(
    "rating",
    "ratings",
    models.Rating,
    "",
    {
        "quality_statement": "--qs",
        "self_score": "--self-score",
        "narrative": "--narrative",
    },
)

_ID = TypeAdapter(models.Id)
_NUMBERED = re.compile(r"^(.*?)(\d+)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- the next free id ------------------------------------------------------------------------


def is_valid_id(ident: str) -> bool:
    """Whether ``ident`` is an id a file may have (letters, digits, '.', '_', '-')."""
    try:
        _ID.validate_python(ident)
    except ValidationError:
        return False
    return True


def next_id(used: Iterable[str], first: str) -> str:
    """The next id after ``used``: the dominant PREFIX + digits pattern, highest number + 1.

    Zero-padding is kept (EV-066 -> EV-067) and grows when it must (EV-999 -> EV-1000). Holes
    are never filled: a retired id is not given to something else. With no numbered ids at all,
    ``first`` (EV-001, ACT-01).
    """
    names = set(used)
    groups: dict[str, list[str]] = defaultdict(list)
    for name in names:
        match = _NUMBERED.match(name)
        if match and is_valid_id(name):
            groups[match[1]].append(match[2])
    first_match = _NUMBERED.match(first)
    if first_match is None:  # pragma: no cover - the defaults above are numbered
        raise ValueError(f"'{first}' has no number")
    if groups:
        default_prefix = first_match[1]
        prefix = max(groups, key=lambda p: (len(groups[p]), p == default_prefix, p))
        widths = Counter(len(d) for d in groups[prefix])
        width = max(widths, key=lambda w: (widths[w], w))
        number = max(int(d) for d in groups[prefix]) + 1
    else:
        prefix, width, number = first_match[1], len(first_match[2]), int(first_match[2])
    taken = {n.casefold() for n in names}
    while True:
        candidate = f"{prefix}{number:0{width}d}"
        if candidate.casefold() not in taken and is_valid_id(candidate):
            return candidate
        number += 1


def used_ids(project: Project, doc_kind: str) -> dict[str, str]:
    """Every id a file of this kind has or claims, mapped to the file that has it.

    Ids in files with validation errors count (their raw ``id``), and so does every file's name
    (files are named by id, and a file that cannot be read at all has nothing else).
    """
    used: dict[str, str] = {}
    for doc in project.documents:
        if doc.kind != doc_kind:
            continue
        ident: object = None
        if doc.model is not None:
            ident = doc.model.id
        elif isinstance(doc.data, dict):
            ident = doc.data.get("id")
        if isinstance(ident, int) and not isinstance(ident, bool):
            ident = str(ident)
        if isinstance(ident, str):
            used.setdefault(ident, doc.path)
        used.setdefault(PurePosixPath(doc.path).stem, doc.path)
    return used


# --- resolving what the user typed -----------------------------------------------------------


class _FlagProblems:
    """Problems with the flags, all collected, then raised at once (exit 2)."""

    def __init__(self, allowed: frozenset[str]) -> None:
        self.lines: list[str] = []
        self.allowed = allowed

    def add(self, flag: str, message: str, hint: str) -> None:
        self.lines.append(_line(flag, message, hint))

    def shown(self, value: str) -> str:
        """A value quoted for a message, masked if it looks like personal data."""
        return f"'{mask(value)}'" if scan(value, self.allowed) else f"'{value}'"

    def raise_if_any(self) -> None:
        if len(self.lines) == 1:
            raise AscreadyError(f"{self.lines[0]} Nothing was written.")
        if self.lines:
            raise AscreadyError(
                f"{len(self.lines)} problems with the flags; nothing was written.\n  "
                + "\n  ".join(self.lines)
            )


def _line(where: str, message: str, hint: str) -> str:
    message = message.rstrip()
    end = "" if message.endswith((".", "?", "!")) else "."
    return f"{where}: {message}{end} fix: {hint}" if hint else f"{where}: {message}{end}"


def _suggest(word: str, options: Iterable[str]) -> str | None:
    """The closest option to ``word``, ignoring case, spacing and punctuation."""
    by_norm: dict[str, str] = {}
    for option in options:
        by_norm.setdefault(normalise(option), option)
    key = normalise(word) or word.casefold()
    found = difflib.get_close_matches(key, list(by_norm), n=1, cutoff=0.6)
    return by_norm[found[0]] if found else None


def _known(values: Sequence[str], limit: int = 12) -> str:
    return ", ".join(values[:limit]) + ("…" if len(values) > limit else "")


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _terms(
    problems: _FlagProblems,
    flag: str,
    values: Sequence[str],
    what: str,
    resolver: Callable[[str], str | None],
    options: Sequence[str],
    known: str,
    describe: Callable[[str], str] = lambda canonical: f"'{canonical}'",
) -> list[str]:
    """Canonical ids for framework terms; each unknown one is a problem with a suggestion."""
    out: list[str] = []
    for value in values:
        canonical = resolver(value)
        if canonical is not None:
            out.append(canonical)
            continue
        guess = _suggest(value, options)
        guessed = resolver(guess) if guess is not None else None
        hint = f"Did you mean {describe(guessed)}? " if guessed else ""
        problems.add(
            flag,
            f"{problems.shown(value)} is not {_article(what)} {what} in this repository's "
            "framework",
            f"{hint}Known: {known}.",
        )
    return _unique(out)


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


def _quality_statements(
    problems: _FlagProblems, fw: Framework, flag: str, values: Sequence[str]
) -> list[str]:
    qs = fw.quality_statements
    return _terms(
        problems,
        flag,
        values,
        "quality statement",
        fw.resolve_quality_statement,
        [q.id for q in qs] + [q.slug for q in qs] + [q.title for q in qs],
        f"{_known([q.id for q in qs])} (or a number, slug or title, e.g. {qs[0].number}, "
        f"{qs[0].slug} or '{qs[0].title}')",
        lambda canonical: f"'{canonical}' ({fw.quality_statement_by_id[canonical].title})",
    )


def _categories(
    problems: _FlagProblems, fw: Framework, flag: str, values: Sequence[str]
) -> list[str]:
    cats = fw.evidence_categories
    before = len(problems.lines)
    found = _terms(
        problems,
        flag,
        values,
        "evidence category",
        fw.resolve_category,
        [c.id for c in cats] + [c.title for c in cats],
        _known([c.id for c in cats if c.applied])
        + "".join(f", {c.id} (not used for local authorities)" for c in cats if not c.applied)
        + " (or their titles)",
    )
    all_known = len(problems.lines) == before
    if found and all_known and not any(fw.category_by_id[c].applied for c in found):
        names = ", ".join(f"'{c}'" for c in found)
        problems.add(
            flag,
            f"CQC does not use {names} for local authorities, so evidence filed only there "
            "counts towards no category",
            f"Give the category it informs as well: {_known([c.id for c in cats if c.applied])}.",
        )
    return found


def _duties(problems: _FlagProblems, fw: Framework, flag: str, values: Sequence[str]) -> list[str]:
    duties = fw.care_act_duties
    return _terms(
        problems,
        flag,
        values,
        "Care Act duty",
        fw.resolve_duty,
        [d.id for d in duties] + [d.title for d in duties],
        _known([d.id for d in duties]) + " (or a section, such as s42)",
    )


def _expected(
    problems: _FlagProblems, fw: Framework, flag: str, values: Sequence[str]
) -> list[str]:
    index: dict[str, str] = {}
    for e in fw.expected_evidence:
        index.setdefault(normalise(e.id), e.id)
        index.setdefault(normalise(e.title), e.id)

    def resolve(ref: str) -> str | None:
        return ref if ref in fw.expected_ids else index.get(normalise(ref))

    ids = sorted(fw.expected_ids)
    return _terms(
        problems,
        flag,
        values,
        "expected-evidence id",
        resolve,
        [*ids, *(e.title for e in fw.expected_evidence)],
        _known(ids) + " (see the framework's expected_evidence)",
    )


def _choice(problems: _FlagProblems, flag: str, value: str | None, allowed: Sequence[str]) -> str:
    """One of ``allowed``, ignoring case and surrounding spaces."""
    if value is None:
        return ""
    for option in allowed:
        if value.strip().casefold() == option.casefold():
            return option
    guess = _suggest(value, allowed)
    hint = f"Did you mean '{guess}'? " if guess else ""
    problems.add(
        flag,
        f"{problems.shown(value)} is not one of the allowed values",
        f"{hint}Allowed: {', '.join(allowed)}.",
    )
    return ""


def _date(problems: _FlagProblems, flag: str, value: str | None) -> dt.date | None:
    """A date written YYYY-MM-DD, as every date in the repository is."""
    if value is None:
        return None
    text = value.strip()
    if _ISO_DATE.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            problems.add(
                flag,
                f"{problems.shown(value)} is not a real calendar date",
                "Check the day and month, for example 2027-02-28.",
            )
            return None
    problems.add(
        flag,
        f"{problems.shown(value)} is not a date written YYYY-MM-DD",
        "Write dates as YYYY-MM-DD, for example 2027-03-31.",
    )
    return None


def _values(enum: type[Any]) -> list[str]:
    return [str(member.value) for member in enum]


def _source_in_repository(root: Path, source: str) -> str:
    """A source path given from the current folder, written from the repository's top folder.

    ``ascready new`` may be run in a sub-folder: ``--source ../files/policy.pdf`` means the
    file the user can see from there, and an absolute path may name a file in the repository.
    Links, and paths that already name a file from the top folder, are kept as given; anything
    else is left for the source checks to judge.
    """
    if classify_source(source) != "path":
        return source
    if not os.path.isabs(source) and os.path.exists(os.path.join(root, source)):
        return source
    absolute = os.path.abspath(source)
    if not os.path.exists(absolute):
        return source
    folder = os.path.realpath(os.path.dirname(absolute))
    real_root = os.path.realpath(root)
    if folder != real_root and not folder.startswith(real_root + os.sep):
        return source
    relative = os.path.relpath(os.path.join(folder, os.path.basename(absolute)), real_root)
    return PurePosixPath(*Path(relative).parts).as_posix()


# --- the YAML text ---------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, which also quotes text that YAML 1.2 (ascready's reader) would
    read as a number, such as 1e5: PyYAML follows YAML 1.1 and would leave it bare."""


class _QuotedDumper(_Dumper):
    """The same, writing text on several lines in quotes rather than as a block."""


#: Text YAML 1.2 reads as a number, which PyYAML (YAML 1.1) would write bare.
_NUMBER_LIKE = re.compile(r"^[-+]?(?:[1-9][0-9]*|0)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$")


def _represent_text(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    # A narrative reads best as a block; PyYAML falls back to quotes when a block cannot hold
    # the text exactly (trailing spaces, special characters).
    style = "|" if "\n" in value and not isinstance(dumper, _QuotedDumper) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper: _Dumper, value: list[Any]) -> yaml.SequenceNode:
    flow = all(isinstance(v, (int, str)) and "\n" not in str(v) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


def _configure(dumper: type[Any]) -> None:
    dumper.add_implicit_resolver("tag:yaml.org,2002:float", _NUMBER_LIKE, list("-+0123456789"))
    dumper.add_representer(str, _represent_text)
    dumper.add_representer(list, _represent_list)


_configure(_Dumper)
#: The same dumper on libyaml's emitter, many times faster (``ascready import`` writes thousands
#: of files); the pure-Python one where PyYAML was built without libyaml.
_FastDumper: type[Any] = _Dumper
if hasattr(yaml, "CSafeDumper"):

    class _CDumper(yaml.CSafeDumper):
        pass

    _configure(_CDumper)
    _FastDumper = _CDumper


def as_read(value: Any) -> Any:
    """What ascready's reader gives back for ``value``: dates are read as text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: as_read(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_read(v) for v in value]
    return value


def emit(data: Mapping[str, Any], header: str = "") -> str:
    """YAML text that ascready's reader reads back as exactly ``data``, keys in order.

    Tries the most readable form first (text on several lines as a block, other characters as
    they are), and falls back to quoting and escaping until the text reads back exactly.
    """
    expected = as_read(dict(data))
    attempts = ((_FastDumper, True), (_QuotedDumper, True), (_QuotedDumper, False))
    for dumper, unicode in attempts:
        try:
            body = yaml.dump(
                dict(data),
                Dumper=dumper,
                sort_keys=False,
                allow_unicode=unicode,
                default_flow_style=False,
                width=1_000_000,
            )
        except yaml.YAMLError:
            continue
        text = header + body
        parsed, problems = yamlsafe.parse_text(text)
        if not problems and parsed == expected:
            return text
    raise AscreadyError(
        "some of the text given cannot be written as YAML that reads back exactly; remove any "
        "control characters from it and try again"
    )


# --- checking the new file as ascready validate would ----------------------------------------


def _where(finding: Finding, kind: _Kind, path: str) -> str:
    if finding.file != path:
        return finding.file or "ascready.yaml"
    key = finding.loc[0] if finding.loc else None
    return kind.flags.get(str(key), str(key)) if key is not None else path


def _check(
    project: Project,
    kind: _Kind,
    ident: str,
    data: Mapping[str, Any],
    today: dt.date,
    extra: Sequence[Finding] = (),
    next_step: Callable[[], str] = lambda: "",
) -> NewFile:
    """Build the file's text, read it back, and run every check validate runs on it."""
    registry = REGISTRY
    path = f"{kind.folder}/{ident}.yaml"
    target = project.root / kind.folder / f"{ident}.yaml"
    if target.exists():
        raise OutputExistsError(f"{path} already exists; nothing was written")
    header = f"# {kind.label[0].upper()}{kind.label[1:]} {ident}, created with ascready new.\n"
    text = emit(data, header)
    parsed, problems = yamlsafe.parse_text(text)
    findings = [
        registry[p.check].finding(p.message, p.hint, path, line=p.line, column=p.column)
        for p in problems
    ]
    model: Any = None
    try:
        model = kind.model.model_validate(parsed)
    except ValidationError as exc:
        findings.extend(schema_findings(exc, kind.model, path, kind.label))
    allowed = allowed_for(project.profile)
    findings.extend(replace(f, file=path) for f in scan_document(parsed, kind.doc_kind, allowed))
    if model is not None:
        doc = Document(path, kind.doc_kind, parsed, model)
        findings.extend(introduced_findings(project, [doc], today, always={doc.path}))
    findings.extend(extra)
    order = {flag: i for i, flag in enumerate(kind.flags)}
    findings.sort(key=lambda f: (f.file != path, order.get(str((f.loc or ("",))[0]), 99)))
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        lines = "\n".join("  " + _line(_where(f, kind, path), f.message, f.hint) for f in errors)
        raise NewFileRefused(
            f"{path} was not created: it would not pass ascready validate. Nothing was "
            f"written.\n{lines}",
            errors,
        )
    warnings = tuple(
        _line(_where(f, kind, path), f.message, f.hint)
        for f in findings
        if f.severity is Severity.WARNING
    )
    return NewFile(project.root, path, ident, text, warnings, next_step())


def _load(repo: Path) -> tuple[Project, frozenset[str]]:
    project, _ = load_project(find_repository(repo))
    allowed = allowed_for(project.profile)
    return project, allowed


def _choose_id(
    problems: _FlagProblems, project: Project, kind: _Kind, requested: str | None
) -> str:
    used = used_ids(project, kind.doc_kind)
    if requested is None:
        return next_id(used, kind.first_id)
    if not is_valid_id(requested):
        problems.add(
            "--id",
            f"{problems.shown(requested)} is not an id ascready accepts",
            "Ids use letters, digits, '.', '_' and '-' only, start with a letter or digit and "
            f"are at most 64 characters, for example {next_id(used, kind.first_id)}.",
        )
        return requested
    clash = next((u for u in used if u.casefold() == requested.casefold()), None)
    if clash is not None:
        problems.add(
            "--id",
            f"{kind.label} '{clash}' already exists ({used[clash]})",
            "Leave out --id to get the next free id "
            f"({next_id(used, kind.first_id)}), or choose another.",
        )
    return requested


def _rating_files(project: Project, qs: Iterable[str]) -> list[str]:
    wanted = set(qs)
    fw = project.framework
    return [
        doc.path
        for doc in project.of_kind("rating")
        if fw.resolve_quality_statement(doc.model.quality_statement) in wanted
    ]


# --- the three commands ----------------------------------------------------------------------


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
    project, allowed = _load(repo)
    fw = project.framework
    problems = _FlagProblems(allowed)
    ident = _choose_id(problems, project, EVIDENCE, item_id)
    kind_value = _choice(problems, "--kind", kind, _values(models.EvidenceKind))
    cats = _categories(problems, fw, "--category", categories)
    qss = _quality_statements(problems, fw, "--qs", quality_statements)
    duties = _duties(problems, fw, "--duty", care_act_duties)
    expected = _expected(problems, fw, "--expected", expected_evidence)
    level = _choice(problems, "--classification", classification, _values(models.Classification))
    state = _choice(problems, "--status", status, _values(models.EvidenceStatus))
    as_of_date = _date(problems, "--as-of", as_of)
    review_date = _date(problems, "--review-by", review_by)
    problems.raise_if_any()

    data: dict[str, Any] = {"id": ident, "title": title}
    if summary is not None:
        data["summary"] = summary
    data |= {"kind": kind_value, "categories": cats, "quality_statements": qss}
    numbers = list(dict.fromkeys(information_return))
    optional: dict[str, Any] = {
        "information_return": numbers,
        "care_act_duties": duties,
        "expected_evidence": expected,
        "source": _source_in_repository(project.root, source) if source is not None else None,
        "attribution": attribution,
        "owner": owner,
        "as_of": as_of_date,
        "review_by": review_date,
    }
    data |= {k: v for k, v in optional.items() if v is not None and v != []}
    data["classification"] = level
    if state:
        data["status"] = state

    registry = REGISTRY
    limit = (
        project.profile.information_return_items
        if project.profile
        else models.CouncilProfile.model_fields["information_return_items"].default
    )
    extra = [
        registry["unknown-reference"].finding(
            f"information-return item {n} is outside 1 to {limit}, the items CQC's request lists",
            f"Use a number from 1 to {limit}, or correct information_return_items in "
            "ascready.yaml.",
            f"evidence/{ident}.yaml",
            loc=("information_return", i),
        )
        for i, n in enumerate(numbers)
        if not 1 <= n <= limit
    ]

    def next_step() -> str:
        where = []
        ratings = _rating_files(project, qss)
        if ratings:
            where.append(f"in a strength or area for improvement in {ratings[0]}")
        returns = [d.path for d in project.of_kind("return") if d.model.number in numbers]
        if returns:
            where.append(f"under evidence: in {', '.join(returns)}")
        if not where:
            where.append(
                "in a strength or area for improvement under ratings/, or under evidence: in "
                "an information-return item"
            )
        return f"Next: cite {ident} {' and '.join(where)}."

    return _check(project, EVIDENCE, ident, data, today or dt.date.today(), extra, next_step)


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
    project, allowed = _load(repo)
    problems = _FlagProblems(allowed)
    ident = _choose_id(problems, project, ACTION, item_id)
    state = _choice(problems, "--status", status, _values(models.ActionStatus))
    due_date = _date(problems, "--due", due)
    problems.raise_if_any()

    data: dict[str, Any] = {"id": ident, "title": title}
    optional: dict[str, Any] = {
        "workstream": workstream,
        "owner": owner,
        "due": due_date,
        "status": state or None,
        "answers": _unique(answers),
    }
    data |= {k: v for k, v in optional.items() if v is not None and v != []}

    def next_step() -> str:
        from ascready.checks.references import statements

        homes = {
            s.id: doc.path
            for doc, f, _, s in statements(project)
            if f == "areas_for_improvement" and s.id in answers
        }
        if homes:
            return "Next: add {} to actions: of {}.".format(
                ident, "; ".join(f"{afi} in {path}" for afi, path in homes.items())
            )
        return (
            f"Next: add {ident} to actions: of the area for improvement it answers (under "
            f"ratings/), and that area's id to answers: in {ACTION.folder}/{ident}.yaml."
        )

    return _check(project, ACTION, ident, data, today or dt.date.today(), (), next_step)


def new_rating(
    repo: Path,
    *,
    quality_statement: str,
    self_score: int | None = None,
    narrative: str | None = None,
    today: dt.date | None = None,
) -> NewFile:
    """A new rating file for a quality statement that has none yet."""
    project, allowed = _load(repo)
    fw = project.framework
    problems = _FlagProblems(allowed)
    found = _quality_statements(problems, fw, "--qs", [quality_statement])
    problems.raise_if_any()
    qs = found[0]
    for doc in project.documents:
        if doc.kind == "rating" and _rated(fw, doc) == qs:
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
        f"Next: add strengths and areas for improvement to {RATING.folder}/{qs}.yaml, each "
        "citing the ids of its evidence."
    )
    return _check(project, RATING, qs, data, today or dt.date.today(), (), lambda: step)


def _rated(fw: Framework, doc: Document) -> str | None:
    """The quality statement a rating file rates, even when it has errors: from its model, its
    raw data, or, for a file that cannot be read, its name (QS3.yaml)."""
    raw: object = None
    if doc.model is not None:
        raw = doc.model.quality_statement
    elif isinstance(doc.data, dict):
        raw = doc.data.get("quality_statement")
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = f"QS{raw}"
    if isinstance(raw, str) and (found := fw.resolve_quality_statement(raw)):
        return found
    if doc.model is None:
        return fw.resolve_quality_statement(PurePosixPath(doc.path).stem)
    return None


# --- writing ---------------------------------------------------------------------------------


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_new(new: NewFile) -> Path:
    """Create the file, complete or not at all, and never over an existing file.

    The text goes to a temporary file beside it, which is then hard-linked into place (the
    link fails if the name is taken, even by a file created a moment ago). Where the file
    system has no hard links, the file is created exclusively (O_EXCL) and written.
    """
    target = new.root / new.path
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = new.text.encode("utf-8")
    exists = OutputExistsError(f"{new.path} already exists; nothing was written")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _new_file_mode())
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise exists from None
        except OSError:
            _write_exclusively(target, payload, exists)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


def _write_exclusively(target: Path, payload: bytes, exists: OutputExistsError) -> None:
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _new_file_mode())
    except FileExistsError:
        raise exists from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
