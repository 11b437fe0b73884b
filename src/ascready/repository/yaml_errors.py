"""What the guarded YAML reader reports: a :class:`Problem` per file, and YAML's syntax errors
put in words a council officer can act on (which line, what YAML expected, what to do)."""

from __future__ import annotations

from dataclasses import dataclass

import yaml


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem found while reading one file: a check id, a message, a hint, a position."""

    check: str
    message: str
    hint: str
    line: int = 0
    column: int = 0


_PLAIN_SYNTAX = (
    (
        "mapping values are not allowed",
        "a colon (:) here is read as the start of a new key",
        "Check the indentation; if a text value contains ': ', put the whole text in quotes.",
    ),
    (
        "found unexpected end of stream",
        "the file ends in the middle of a quoted text",
        "Close the quote that was opened on this line or earlier.",
    ),
    (
        "did not find expected key",
        "a line here is not indented like the keys around it",
        "Line it up with the keys above it, using spaces.",
    ),
    (
        "did not find expected '-' indicator",
        "a line in this list is not indented like the items around it",
        "Start every item of the list with '- ' at the same indentation.",
    ),
    (
        "did not find expected ',' or ']'",
        "a list in square brackets is not closed with ], or its items are not separated by commas",
        "Close the list with ], and separate items with commas; quote items that contain commas.",
    ),
    (
        "did not find expected ',' or '}'",
        "a mapping in curly brackets is not closed with }, or its entries are not separated by "
        "commas",
        "Close it with }, and separate entries with commas; quote values that contain commas.",
    ),
    (
        "cannot start any token",
        "a character here cannot start a value (for example @ or ` at the start of text)",
        "Put the whole text in quotes.",
    ),
    (
        "found undefined alias",
        "an alias (*name) refers to an anchor (&name) that is not defined",
        "Define the anchor before it is used, or write the value out.",
    ),
)


def syntax_problem(exc: yaml.YAMLError, source: str) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else 0
    column = mark.column + 1 if mark is not None else 0
    lines = source.splitlines()
    if 0 < line <= len(lines) and "\t" in lines[line - 1][: max(column, 1)]:
        return Problem(
            "yaml-syntax",
            "this line is indented with a tab",
            "YAML needs spaces for indentation: replace the tab with spaces.",
            line,
            column,
        )
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    text = str(problem)
    hint = "Check the indentation and punctuation on this line and the one before it."
    if "expected a single document" in (context or "") or "expected a single document" in text:
        return Problem(
            "yaml-syntax",
            "the file holds more than one YAML document (separated by ---)",
            "Keep one item per file: move each document after a --- line into a file of its own.",
            line,
            column,
        )
    if "could not determine a constructor" in text or "could not determine a constructor" in (
        context or ""
    ):
        return Problem(
            "yaml-syntax",
            "the file uses a YAML tag (a word starting with !) that ascready does not accept",
            "Remove the tag; write the value as plain text.",
            line,
            column,
        )
    if text.startswith("bad value: "):
        return Problem(
            "bad-value",
            text.removeprefix("bad value: "),
            "Write the value without the tag (the word starting with !!), as plain text or a "
            "plain number.",
            line,
            column,
        )
    if "impossible date" in text:
        return Problem(
            "bad-date",
            text,
            "Use a real calendar date, written YYYY-MM-DD.",
            line,
            column,
        )
    if "found character '\\t'" in text:
        hint = "Use spaces, not tabs, to indent YAML."
    for jargon, plain, better_hint in _PLAIN_SYNTAX:
        if jargon in text:
            return Problem("yaml-syntax", plain, better_hint, line, column)
    if context and context not in text:
        text = f"{context}, {text}"
    return Problem("yaml-syntax", f"the YAML cannot be read: {text}", hint, line, column)
