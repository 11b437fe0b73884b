"""Findings: the problems ascready reports, as plain sortable values."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

#: A location inside a YAML document: mapping keys and list indexes from the root.
Loc = tuple[str | int, ...]


def article(noun: str) -> str:
    """'a' or 'an' before a noun in a message."""
    return "an" if noun[:1].lower() in "aeiou" else "a"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def rank(self) -> int:
        return 0 if self is Severity.ERROR else 1


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in one place.

    ``file`` is relative to the repository root, with forward slashes. ``line`` and ``column``
    are 1-based; 0 means "the whole file". ``loc`` is where in the document the problem is; the
    loader turns it into a line and column only for files that have findings.
    """

    check: str
    severity: Severity
    message: str
    hint: str = ""
    file: str = ""
    line: int = 0
    column: int = 0
    loc: Loc | None = field(default=None, compare=False)

    def sort_key(self) -> tuple[str, int, int, int, str, str]:
        return (self.file, self.line, self.column, self.severity.rank, self.check, self.message)

    def at(self, line: int, column: int) -> Finding:
        return replace(self, line=line, column=column)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "check": self.check,
            "severity": self.severity.value,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass(frozen=True)
class Report:
    """All findings of one run, sorted by file, line and check."""

    findings: tuple[Finding, ...]
    files_checked: int = 0

    @classmethod
    def build(cls, findings: Iterable[Finding], files_checked: int = 0) -> Report:
        unique = sorted(set(findings), key=Finding.sort_key)
        return cls(tuple(unique), files_checked)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)

    def by_check(self) -> Counter[str]:
        return Counter(f.check for f in self.findings)

    def exit_code(self, *, strict: bool = False) -> int:
        if self.errors or (strict and self.warnings):
            return 1
        return 0
