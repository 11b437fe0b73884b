"""Read a whole evidence repository into a :class:`Project`, collecting every problem.

Layout of a repository (all YAML files may end ``.yaml`` or ``.yml``)::

    ascready.yaml              council profile (found by walking up from the given folder)
    evidence/**.yaml           one evidence item per file
    information-return/**.yaml one information-return item per file
    ratings/**.yaml            one quality-statement self-assessment per file
    actions/**.yaml            one improvement action per file
    metrics/**.yaml            one performance measure per file

Nothing here prints or raises on bad input: problems become findings. Only a missing
repository raises :class:`~ascready.errors.RepositoryNotFoundError`.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ascready.errors import RepositoryNotFoundError
from ascready.findings import Finding, Loc, article
from ascready.repository import models, yamlsafe
from ascready.repository.framework import BUILTIN_FRAMEWORKS, Framework, builtin_framework_text

PROFILE_FILE = "ascready.yaml"

#: Folder -> (kind, model). The folder name is how a file's kind is known.
KINDS: dict[str, tuple[str, type[models.StrictModel]]] = {
    "evidence": ("evidence", models.EvidenceItem),
    "information-return": ("return", models.ReturnItem),
    "ratings": ("rating", models.Rating),
    "actions": ("action", models.Action),
    "metrics": ("metric", models.Metric),
}
KIND_LABEL = {
    "profile": "council profile",
    "evidence": "evidence item",
    "return": "information-return item",
    "rating": "quality-statement rating",
    "action": "improvement action",
    "metric": "performance measure",
    "framework": "framework",
}
YAML_SUFFIXES = (".yaml", ".yml")
#: Below this many files, parsing in one process is faster than starting workers.
PARALLEL_THRESHOLD = 400


@dataclass
class Document:
    """One parsed file: its repository-relative path, its kind, its data and its model."""

    path: str
    kind: str
    data: Any
    model: Any = None


@dataclass
class Project:
    root: Path
    framework: Framework
    profile: models.CouncilProfile | None = None
    framework_file: str | None = None
    documents: list[Document] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Document]:
        return [d for d in self.documents if d.kind == kind and d.model is not None]

    @property
    def files(self) -> int:
        return len(self.documents)


def find_repository(start: Path) -> Path:
    """The nearest folder at or above ``start`` that holds ``ascready.yaml``."""
    start = start.resolve()
    if not start.exists():
        raise RepositoryNotFoundError(f"the folder '{start}' does not exist")
    if start.is_file():
        start = start.parent
    for folder in (start, *start.parents):
        if (folder / PROFILE_FILE).is_file():
            return folder
    raise RepositoryNotFoundError(
        f"no {PROFILE_FILE} in '{start}' or any folder above it. Run ascready inside an evidence "
        f"repository, or name one: ascready validate path/to/repository"
    )


def discover(root: Path) -> list[tuple[str, str]]:
    """(relative path, kind) of every document file, in a stable order."""
    found: list[tuple[str, str]] = [(PROFILE_FILE, "profile")]
    for folder, (kind, _) in KINDS.items():
        base = os.path.join(root, folder)
        if not os.path.isdir(base):
            continue
        skip = len(str(root)) + 1
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            rel_dir = dirpath[skip:].replace(os.sep, "/")
            for name in sorted(filenames):
                if not name.startswith(".") and name.lower().endswith(YAML_SUFFIXES):
                    found.append((f"{rel_dir}/{name}", kind))
    return found


def document_kind(rel: str) -> str | None:
    """The kind of the file at this repository-relative path, or None if it is not a document
    (the same rules as :func:`discover`: a kind's folder, a YAML name, nothing hidden)."""
    parts = rel.split("/")
    if len(parts) < 2 or parts[0] not in KINDS or any(p.startswith(".") for p in parts):
        return None
    return KINDS[parts[0]][0] if parts[-1].lower().endswith(YAML_SUFFIXES) else None


def order_entries(paths: Iterable[str]) -> list[tuple[str, str]]:
    """(path, kind) of the documents among ``paths``, in the order :func:`discover` finds them
    on disk: the profile, then kind by kind, each folder's files before its sub-folders'."""
    folders = list(KINDS)

    def key(rel: str) -> tuple[int, tuple[tuple[int, str], ...]]:
        parts = rel.split("/")
        steps = (*((1, d) for d in parts[1:-1]), (0, parts[-1]))
        return folders.index(parts[0]), steps

    docs = sorted((rel for rel in paths if document_kind(rel)), key=key)
    return [(PROFILE_FILE, "profile"), *((rel, document_kind(rel) or "") for rel in docs)]


def read_bytes(path: str) -> tuple[bytes | None, list[yamlsafe.Problem]]:
    """A file's bytes; an unreadable file is a problem, not an exception."""
    try:
        with open(path, "rb") as handle:
            return handle.read(), []
    except OSError as exc:
        return None, [
            yamlsafe.Problem(
                "unreadable-file",
                f"the file cannot be read ({exc.strerror or exc})",
                "Check that it exists and that you may read it.",
            )
        ]


def read_and_parse(path: str) -> tuple[Any, list[yamlsafe.Problem]]:
    """Read one file and parse it."""
    raw, problems = read_bytes(path)
    return (None, problems) if raw is None else yamlsafe.parse_bytes(raw)


#: What a worker returns for one file: its data, its read problems, its per-file findings.
FileResult = tuple[Any, list[yamlsafe.Problem], list[Finding]]


def process_file(job: tuple[str, str, frozenset[str]]) -> FileResult:
    """All the work on one file that needs no other file: read, parse, scan for personal data.

    A module-level function of plain arguments, so that worker processes can run it.
    """
    from ascready.checks.personal_data import may_hold_personal_data, scan_document

    path, kind, allowed = job
    raw, problems = read_bytes(path)
    if raw is None:
        return None, problems, []
    data, problems = yamlsafe.parse_bytes(raw)
    if data is None or not may_hold_personal_data(raw):
        return data, problems, []
    return data, problems, scan_document(data, kind, allowed)


def _process_all(
    jobs_list: Sequence[tuple[str, str, frozenset[str]]], jobs: int | None
) -> Iterator[FileResult]:
    """Results in order, as they come: the caller validates while workers still parse."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(jobs_list) < PARALLEL_THRESHOLD:
        yield from map(process_file, jobs_list)
        return
    chunk = max(16, len(jobs_list) // (workers * 16))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(process_file, jobs_list, chunksize=chunk)


# --- pydantic errors in plain English ---------------------------------------------------------


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """Field names of the (sub)model at ``loc``, for 'did you mean' suggestions."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or not (
            isinstance(current, type) and issubclass(current, BaseModel)
        ):
            continue
        info = current.model_fields.get(part)
        if info is None:
            return []
        current = _inner_model(info.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _inner_model(annotation: Any) -> Any:
    """The BaseModel inside list[X], X | None and the like, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _suggest(word: str, options: Iterable[str]) -> str:
    matches = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return matches[0] if matches else ""


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, dict):
        return "a mapping (keys and values)"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    return f"'{text[:60]}…'" if len(text) > 60 else f"'{text}'"


def schema_findings(
    exc: ValidationError, model: type[BaseModel], file: str, kind_label: str
) -> list[Finding]:
    """Turn a Pydantic ValidationError into findings a non-programmer can act on."""
    from ascready.checks import REGISTRY

    out: list[Finding] = []
    for err in exc.errors(include_url=False):
        loc: Loc = tuple(err["loc"])
        etype = err["type"]
        value = err.get("input")
        where = ".".join(str(p) for p in loc) or "the file"
        key = str(loc[-1]) if loc else ""
        if etype == "extra_forbidden":
            guess = _suggest(key, _fields_at(model, loc[:-1]))
            hint = (
                f"Did you mean '{guess}'?"
                if guess
                else ("Remove it, or check the spelling against the README's list of keys.")
            )
            out.append(
                REGISTRY["unknown-key"].finding(
                    f"'{where}' is not a key {article(kind_label)} {kind_label} can have",
                    hint,
                    file,
                    loc=loc,
                )
            )
        elif etype == "missing":
            out.append(
                REGISTRY["missing-key"].finding(
                    f"'{where}' is required but missing", f"Add a line '{key}: ...'.", file, loc=loc
                )
            )
        elif etype in ("enum", "literal_error"):
            expected = err.get("ctx", {}).get("expected", "")
            options = [o.strip(" '") for o in str(expected).replace(" or ", ",").split(",")]
            guess = _suggest(str(value), options)
            hint = f"Did you mean '{guess}'? " if guess else ""
            out.append(
                REGISTRY["bad-value"].finding(
                    f"'{where}' is {_describe(value)}, which is not one of the allowed values",
                    f"{hint}Allowed: {expected}.",
                    file,
                    loc=loc,
                )
            )
        elif etype == "value_error" and "date" in err["msg"]:
            out.append(
                REGISTRY["bad-date"].finding(
                    f"'{where}': {err['msg'].removeprefix('Value error, ')}",
                    "Write dates as YYYY-MM-DD, for example 2025-03-31.",
                    file,
                    loc=loc,
                )
            )
        elif etype in (
            "string_type",
            "int_type",
            "int_parsing",
            "float_parsing",
            "float_type",
            "bool_type",
            "date_type",
            "dict_type",
            "list_type",
            "model_type",
            "model_attributes_type",
            "int_from_float",
        ):
            out.append(_wrong_type(err, loc, where, value, file, kind_label))
        elif etype == "finite_number":
            out.append(
                REGISTRY["bad-value"].finding(
                    f"'{where}' is {_describe(value)}, which is not a figure",
                    "Write the figure as a number, e.g. 81.2; leave a comparator out if there "
                    "is none.",
                    file,
                    loc=loc,
                )
            )
        elif etype == "string_pattern_mismatch":
            out.append(
                REGISTRY["bad-value"].finding(
                    f"'{where}' is {_describe(value)}, which is not in the expected form",
                    _pattern_hint(key),
                    file,
                    loc=loc,
                )
            )
        elif etype in ("too_short", "string_too_short"):
            what = "text" if etype == "string_too_short" else "list"
            out.append(
                REGISTRY["missing-key"].finding(
                    f"'{where}' is empty", f"Give at least one entry in this {what}.", file, loc=loc
                )
            )
        elif etype in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
            ctx = err.get("ctx", {})
            bound = " and ".join(
                f"{'at least' if k.startswith('g') else 'at most'} {v}" for k, v in ctx.items()
            )
            out.append(
                REGISTRY["bad-value"].finding(
                    f"'{where}' is {_describe(value)}, but it must be {bound}",
                    "Correct the number.",
                    file,
                    loc=loc,
                )
            )
        else:
            message, _, hint = err["msg"].removeprefix("Value error, ").partition("|")
            out.append(
                REGISTRY["bad-value"].finding(
                    f"'{where}': {message}" if loc else message,
                    hint or "Correct the value; see the README for what this kind of file holds.",
                    file,
                    loc=loc,
                )
            )
    return out


def _pattern_hint(key: str) -> str:
    if key == "ons_code":
        return (
            "Use the council's ONS code: E06 (unitary), E08 (metropolitan), E09 (London) "
            "or E10 (county) and six digits, e.g. E06000022."
        )
    if key == "period":
        return (
            "Write the period as a year (2025), a financial year (2025-26), a quarter "
            "(2025-26-Q2) or a date (2026-03-31)."
        )
    return (
        "Ids use letters, digits, '.', '_' and '-' only, and start with a letter or digit, "
        "for example EV-001."
    )


def _wrong_type(err: Any, loc: Loc, where: str, value: Any, file: str, kind_label: str) -> Finding:
    from ascready.checks import REGISTRY

    etype = err["type"]
    wanted = {
        "string_type": "text",
        "int_type": "a whole number",
        "int_parsing": "a whole number",
        "int_from_float": "a whole number",
        "float_parsing": "a number",
        "float_type": "a number",
        "bool_type": "true or false",
        "date_type": "a date",
        "dict_type": "a mapping of keys and values",
        "list_type": "a list",
        "model_type": "a mapping of keys and values",
        "model_attributes_type": "a mapping of keys and values",
    }[etype]
    if not loc:
        return REGISTRY["wrong-type"].finding(
            f"the file holds {_describe(value)}, but a {kind_label} is a mapping of keys and "
            "values",
            "Write it as 'key: value' lines, one item per file.",
            file,
            line=1,
            column=1,
        )
    hint = "Correct the value."
    if etype == "string_type" and isinstance(value, (bool, int, float)):
        shown = str(value).lower() if isinstance(value, bool) else value
        hint = (
            "YAML read this as a number or a yes/no value; put the text in quotes, "
            f'for example {loc[-1]}: "{shown}".'
        )
    elif etype == "string_type" and value is None:
        hint = "Write the text after the colon, or remove the key."
    elif etype == "list_type":
        hint = f"Write it as a list, for example {loc[-1]}: [{_describe(value)}] or '- ' lines."
    return REGISTRY["wrong-type"].finding(
        f"'{where}' is {_describe(value)}, but it should be {wanted}", hint, file, loc=loc
    )


# --- the whole repository -----------------------------------------------------------------------


def _validate(
    model: type[models.StrictModel], data: Any, file: str, kind: str, findings: list[Finding]
) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        findings.extend(schema_findings(exc, model, file, KIND_LABEL[kind]))
        return None


def _problem_findings(problems: Iterable[yamlsafe.Problem], file: str) -> list[Finding]:
    from ascready.checks import REGISTRY

    return [
        REGISTRY[p.check].finding(p.message, p.hint, file, line=p.line, column=p.column)
        for p in problems
    ]


def load_framework(
    root: Path, profile: models.CouncilProfile | None, findings: list[Finding]
) -> tuple[Framework, str | None]:
    """The framework the profile names: built in, or a file in the repository."""
    from ascready.checks import REGISTRY

    builtin = Framework.model_validate(_builtin_data(BUILTIN_FRAMEWORKS[0]))
    name = profile.framework if profile else BUILTIN_FRAMEWORKS[0]
    if name in BUILTIN_FRAMEWORKS:
        return (
            builtin
            if name == BUILTIN_FRAMEWORKS[0]
            else Framework.model_validate(_builtin_data(name))
        ), None
    if not name.lower().endswith(YAML_SUFFIXES):
        findings.append(
            REGISTRY["unknown-framework"].finding(
                f"framework '{name}' is neither a built-in framework nor a YAML file",
                f"Use one of: {', '.join(BUILTIN_FRAMEWORKS)}, or a path such as ./framework.yaml.",
                PROFILE_FILE,
                loc=("framework",),
            )
        )
        return builtin, None
    path = (root / name).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        findings.append(
            REGISTRY["unknown-framework"].finding(
                f"the framework file '{name}' does not exist inside the repository",
                "Check the path in ascready.yaml; it is relative to the folder holding it.",
                PROFILE_FILE,
                loc=("framework",),
            )
        )
        return builtin, None
    data, problems = read_and_parse(str(path))
    rel = path.relative_to(root.resolve()).as_posix()
    findings.extend(_problem_findings(problems, rel))
    if data is None:
        return builtin, rel
    framework = _validate(Framework, data, rel, "framework", findings)
    return (framework or builtin), rel


def _builtin_data(framework_id: str) -> Any:
    data, problems = yamlsafe.parse_bytes(builtin_framework_text(framework_id))
    if problems:  # a packaging bug, never the user's input
        raise RuntimeError(f"built-in framework {framework_id} is broken: {problems}")
    return data


#: A document already read elsewhere, with its own findings (read, schema, personal data).
Reused = tuple[Document, list[Finding]]


def load_project(
    root: Path,
    *,
    jobs: int | None = None,
    entries: list[tuple[str, str]] | None = None,
    reuse: Mapping[str, Reused] | None = None,
) -> tuple[Project, list[Finding]]:
    """Parse and validate every document. Returns the project and the problems found so far.

    The profile is read first: its allowed contact details are needed by the personal-data
    scan, which runs with the parsing of the other files, in parallel when there are many.

    ``entries`` (from :func:`order_entries`) replaces looking for files on disk, and documents
    in ``reuse`` are taken as they are instead of being read: ``ascready diff`` loads the older
    side of a change this way, reading only the files the change touched. Reuse is only sound
    when the profile is the same, since the personal-data scan depends on it.
    """
    from ascready.checks.personal_data import allowed_set, scan_document

    findings: list[Finding] = []
    entries = discover(root) if entries is None else entries
    reuse = reuse or {}
    data, problems = read_and_parse(str(root / PROFILE_FILE))
    profile: models.CouncilProfile | None = None
    if data is not None:
        profile = _validate(models.CouncilProfile, data, PROFILE_FILE, "profile", findings)
    allowed = allowed_set(profile.personal_data.allow) if profile else frozenset()
    per_file = scan_document(data, "profile", allowed) if data is not None else []
    documents = [Document(PROFILE_FILE, "profile", data, profile)]
    findings.extend(_problem_findings(problems, PROFILE_FILE))
    findings.extend(replace(f, file=PROFILE_FILE) for f in per_file)

    others = [(rel, kind) for rel, kind in entries[1:] if rel not in reuse]
    base = str(root)
    results = iter(
        _process_all([(os.path.join(base, rel), kind, allowed) for rel, kind in others], jobs)
    )
    for rel, kind in entries[1:]:
        if rel in reuse:
            reused, own = reuse[rel]
            documents.append(reused)
            findings.extend(own)
            continue
        data, problems, per_file = next(results)
        findings.extend(_problem_findings(problems, rel))
        findings.extend(replace(f, file=rel) for f in per_file)
        doc = Document(rel, kind, data)
        documents.append(doc)
        if data is not None:
            model = KINDS[rel.split("/", 1)[0]][1]
            doc.model = _validate(model, data, rel, kind, findings)
    framework, framework_file = load_framework(root, profile, findings)
    return Project(root, framework, profile, framework_file, documents), findings


def locate_findings(
    root: Path, findings: Iterable[Finding], *, also: Path | None = None
) -> list[Finding]:
    """Give findings that carry a document location their line and column.

    Only files with such findings are read again, so clean files cost nothing. A file that is
    not under ``root`` is looked for under ``also`` (where a reused document was read).
    """
    out: list[Finding] = []
    texts: dict[str, str | None] = {}
    for f in findings:
        if f.loc is None or f.line:
            out.append(f if f.line or not f.file else f.at(f.line or 1, f.column or 1))
            continue
        if f.file not in texts:
            texts[f.file] = None
            for folder in (root, also) if also is not None else (root,):
                try:
                    texts[f.file] = (folder / f.file).read_bytes().decode("utf-8-sig")
                    break
                except (OSError, UnicodeDecodeError):
                    continue
        text = texts[f.file]
        line, column = yamlsafe.locate(text, f.loc) if text is not None else (1, 1)
        out.append(f.at(line, column))
    return out
