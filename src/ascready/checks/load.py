"""Read a whole evidence repository into a :class:`~ascready.repository.project.Project`,
checking every file as it is read and collecting every problem.

Nothing here prints or raises on bad input: problems become findings. Only a missing
repository raises :class:`~ascready.errors.RepositoryNotFoundError`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from ascready.checks.document import (
    FileResult,
    read_document,
    read_profile,
    validate_document,
)
from ascready.checks.personal_data import allowed_for, scan_document
from ascready.checks.reading import BY_ID, problem_findings
from ascready.findings import Finding
from ascready.repository import models
from ascready.repository.framework import BUILTIN_FRAMEWORKS, Framework
from ascready.repository.loader import (
    YAML_SUFFIXES,
    builtin_framework_data,
    discover,
    outside_folders,
    read_and_parse,
)
from ascready.repository.project import PROFILE_FILE, Document, Project

#: Below this many files, parsing in one process is faster than starting workers.
PARALLEL_THRESHOLD = 400


def _process_all(
    jobs_list: Sequence[tuple[str, str, frozenset[str], str | None]], jobs: int | None
) -> Iterator[FileResult]:
    """Results in order, as they come: the caller validates while workers still parse."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(jobs_list) < PARALLEL_THRESHOLD:
        yield from map(read_document, jobs_list)
        return
    chunk = max(16, len(jobs_list) // (workers * 16))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(read_document, jobs_list, chunksize=chunk)


def load_framework(
    root: Path, profile: models.CouncilProfile | None, findings: list[Finding]
) -> tuple[Framework, str | None]:
    """The framework the profile names: built in, or a file in the repository."""
    builtin = Framework.model_validate(builtin_framework_data(BUILTIN_FRAMEWORKS[0]))
    name = profile.framework if profile else BUILTIN_FRAMEWORKS[0]
    if name in BUILTIN_FRAMEWORKS:
        return (
            builtin
            if name == BUILTIN_FRAMEWORKS[0]
            else Framework.model_validate(builtin_framework_data(name))
        ), None
    if not name.lower().endswith(YAML_SUFFIXES):
        findings.append(
            BY_ID["unknown-framework"].finding(
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
            BY_ID["unknown-framework"].finding(
                f"the framework file '{name}' does not exist inside the repository",
                "Check the path in ascready.yaml; it is relative to the folder holding it.",
                PROFILE_FILE,
                loc=("framework",),
            )
        )
        return builtin, None
    data, problems = read_and_parse(str(path))
    rel = path.relative_to(root.resolve()).as_posix()
    findings.extend(problem_findings(problems, rel))
    if data is None:
        return builtin, rel
    framework = validate_document("framework", data, rel, findings)
    return (framework or builtin), rel


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

    ``entries`` (from :func:`~ascready.repository.loader.order_entries`) replaces looking for
    files on disk, and documents in ``reuse`` are taken as they are instead of being read:
    ``ascready diff`` loads the older side of a change this way, reading only the files the
    change touched. Reuse is only sound when the profile is the same, since the personal-data
    scan depends on it.
    """
    findings: list[Finding] = []
    entries = discover(root) if entries is None else entries
    reuse = reuse or {}
    data, problems, controls = read_profile(str(root / PROFILE_FILE), str(root))
    profile: models.CouncilProfile | None = None
    if data is not None:
        profile = validate_document("profile", data, PROFILE_FILE, findings)
    allowed = allowed_for(profile)
    per_file = [*controls, *(scan_document(data, "profile", allowed) if data is not None else [])]
    documents = [Document(PROFILE_FILE, "profile", data, profile)]
    findings.extend(problem_findings(problems, PROFILE_FILE))
    findings.extend(replace(f, file=PROFILE_FILE) for f in per_file)

    others = [(rel, kind) for rel, kind in entries[1:] if rel not in reuse]
    base = str(root)
    outside = outside_folders(root, others)
    results = iter(
        _process_all(
            [
                (
                    os.path.join(base, rel),
                    kind,
                    allowed,
                    None if os.path.dirname(rel) in outside else base,
                )
                for rel, kind in others
            ],
            jobs,
        )
    )
    for rel, kind in entries[1:]:
        if rel in reuse:
            reused, own = reuse[rel]
            documents.append(reused)
            findings.extend(own)
            continue
        data, problems, per_file = next(results)
        findings.extend(problem_findings(problems, rel))
        findings.extend(replace(f, file=rel) for f in per_file)
        doc = Document(rel, kind, data)
        documents.append(doc)
        if data is not None:
            doc.model = validate_document(kind, data, rel, findings)
    framework, framework_file = load_framework(root, profile, findings)
    return Project(root, framework, profile, framework_file, documents), findings
