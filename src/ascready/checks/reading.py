"""The checks of the ``read`` and ``schema`` stages: what reading and validating one file
finds. The loader and :mod:`ascready.checks.document` carry them out."""

from __future__ import annotations

from collections.abc import Iterable

from ascready.checks.base import Check, CheckList, Stage
from ascready.findings import Finding, Severity
from ascready.repository import yamlsafe

_BUILT_IN: tuple[tuple[str, Stage, str], ...] = (
    ("yaml-syntax", "read", "The file is not valid YAML, or uses a YAML feature not accepted."),
    ("duplicate-key", "read", "A key appears twice in one mapping (YAML would keep the last)."),
    ("alias-bomb", "read", "Anchors and aliases expand too far, or an alias contains itself."),
    ("too-deep", "read", "Mappings and lists are nested too deeply."),
    ("encoding", "read", "The file is not UTF-8 text."),
    ("empty-file", "read", "The file is empty or holds only comments."),
    ("file-too-large", "read", "The file is larger than ascready reads."),
    ("unreadable-file", "read", "The file cannot be opened."),
    ("not-a-file", "read", "A name a document would have is a folder, a FIFO or a device."),
    ("outside-repository", "read", "The document is a link to a place outside the repository."),
    ("bad-date", "schema", "A date is impossible or not written YYYY-MM-DD."),
    ("unknown-key", "schema", "A key this kind of file does not have (often a misspelling)."),
    ("missing-key", "schema", "A required key is missing or empty."),
    ("bad-value", "schema", "A value is not one of those allowed, or not in the right form."),
    ("wrong-type", "schema", "A value is the wrong type, e.g. a list where text belongs."),
    ("unknown-framework", "schema", "ascready.yaml names a framework that cannot be found."),
)
CHECKS = CheckList()
for _id, _stage, _summary in _BUILT_IN:
    CHECKS.add(Check(_id, Severity.ERROR, _stage, _summary))

BY_ID = CHECKS.by_id()


def problem_findings(problems: Iterable[yamlsafe.Problem], file: str) -> list[Finding]:
    """What the guarded reader found in one file, as findings."""
    return [
        BY_ID[p.check].finding(p.message, p.hint, file, line=p.line, column=p.column)
        for p in problems
    ]
