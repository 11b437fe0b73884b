"""Checks on ``source:``: a path inside the repository, or a web link."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from ascready.checks.base import Check, CheckContext, CheckList
from ascready.findings import Finding, Severity

CHECKS = CheckList()
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_WINDOWS_ABSOLUTE = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\)")


def classify_source(source: str) -> str:
    """'url', 'path', or 'bad' for a source string, without touching the disk."""
    if _URL.match(source):
        return "url"
    if _SCHEME.match(source) and not _WINDOWS_ABSOLUTE.match(source):
        return "bad"
    return "path"


@CHECKS.repository("source-outside", Severity.ERROR)
def source_outside(ctx: CheckContext, check: Check) -> Iterator[Finding]:
    """A source path that leaves the repository (.., an absolute path, a link outside), or a
    source that is neither a path nor an http(s) link."""
    for doc, source, problem in _sources(ctx):
        if problem == "outside":
            yield check.finding(
                f"source '{source}' points outside the repository",
                "Copy the file into the repository (for example under files/) and give its path "
                "from the repository's top folder, or use an https:// link to the published "
                "document.",
                doc,
                loc=("source",),
            )
        elif problem == "bad":
            yield check.finding(
                f"source '{source}' is neither a path in the repository nor a web link",
                "Use a path such as files/policy.pdf, or a link starting https://. Network "
                "drives and SharePoint paths cannot be checked or given to CQC.",
                doc,
                loc=("source",),
            )


@CHECKS.repository("source-missing", Severity.ERROR)
def source_missing(ctx: CheckContext, check: Check) -> Iterator[Finding]:
    """A source path inside the repository that does not exist."""
    for doc, source, problem in _sources(ctx):
        if problem == "missing":
            hint = "Add the file, or correct the path (it starts at the repository's top folder)."
            if "\\" in source:
                hint = "Write the path with forward slashes (/), as git does."
            yield check.finding(f"source '{source}' does not exist", hint, doc, loc=("source",))


def _sources(ctx: CheckContext) -> Iterator[tuple[str, str, str]]:
    """(file, source, problem) for every evidence source with a problem."""
    root = os.path.realpath(ctx.project.root)
    verdicts: dict[str, str] = {}  # many items share a source document
    for doc in ctx.project.evidence:
        source = doc.model.source
        if not source:
            continue
        if source not in verdicts:
            verdicts[source] = _verdict(root, source)
        if verdicts[source] != "ok":
            yield doc.path, source, verdicts[source]


def _verdict(root: str, source: str) -> str:
    kind = classify_source(source)
    if kind == "url":
        return "ok"
    if kind == "bad":
        return "bad"
    if _WINDOWS_ABSOLUTE.match(source) or PurePosixPath(source).is_absolute():
        return "outside"
    # realpath follows symbolic links, so a link that points outside is caught too.
    resolved = os.path.realpath(os.path.join(root, source))
    if resolved != root and not resolved.startswith(root + os.sep):
        return "outside"
    return "ok" if os.path.exists(resolved) else "missing"
