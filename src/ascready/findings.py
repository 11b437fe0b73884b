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


_ORDINALS = (
    *("first", "second", "third", "fourth", "fifth"),
    *("sixth", "seventh", "eighth", "ninth", "tenth"),
)

#: Lists whose entries have a name of their own: the key, and one entry of it in words.
_ENTRY_NAMES = {
    "strengths": "strength",
    "areas_for_improvement": "area for improvement",
    "progress": "progress update",
    "portal_uploaders": "portal uploader",
    "quality_statements": "quality statement",
    "categories": "category",
    "themes": "theme",
    "evidence_categories": "evidence category",
    "care_act_duties": "Care Act duty",
    "methods": "scoring method",
    "quality_statement_bands": "quality statement band",
    "rating_bands": "rating band",
}


def _nth(index: int, noun: str) -> str:
    """'the first strength' for the first ten, then 'strength 11' (counting from one)."""
    return f"the {_ORDINALS[index]} {noun}" if 0 <= index < 10 else f"{noun} {index + 1}"


def describe_location(loc: Loc) -> str:
    """A place in a file as a council officer would say it, with each key as written there.

    ``('title',)`` is "'title'"; ``('strengths', 0, 'evidence')`` is "the first strength's
    'evidence'"; ``('strengths', 0, 'evidence', 1)`` is "the second entry in the first
    strength's 'evidence'"; ``('comparators', 'england')`` is "'england' in 'comparators'";
    ``()`` is "the file". The line and column are given with each finding; this says what is
    there, in words.
    """
    phrase = ""  # what has been said so far ("" at the top of the file)
    named = False  # whether it is a named entry ("the first strength"), which can own a key
    parts = list(loc)
    i = 0
    while i < len(parts):
        part = parts[i]
        following = parts[i + 1] if i + 1 < len(parts) else None
        if isinstance(part, str) and part == "[key]":
            # Pydantic's marker: the problem is the mapping key just named, not its value.
            phrase = f"the key {phrase}" if phrase else "a key"
            named = False
        elif isinstance(part, str) and isinstance(following, int) and part in _ENTRY_NAMES:
            entry = _nth(following, _ENTRY_NAMES[part])
            # Only an entry named on its own can own what follows ("the first strength's");
            # "the first method in 'scoring''s" and "strength 12's" cannot.
            named = not phrase and following < len(_ORDINALS)
            phrase = f"{entry} in {phrase}" if phrase else entry
            i += 1
        elif isinstance(part, str):
            key = f"'{part}'"
            if not phrase:
                phrase = key
            elif named:
                phrase = f"{phrase}'s {key}"
            else:
                phrase = f"{key} in {phrase}"
            named = False
        else:
            phrase = f"{_nth(part, 'entry')} in {phrase or 'the file'}"
            named = False
        i += 1
    return phrase or "the file"


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
