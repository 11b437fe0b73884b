"""Markdown for text from the repository: one escaper, code spans, tables, collapsible parts.

Evidence text is data. :func:`escape` makes it inert wherever a formatter or template puts it
into Markdown (a pull-request comment, a board paper, the self-assessment document): no HTML,
links, emphasis, headings or @-mentions. What a formatter writes as Markdown on purpose (bold,
a code span) is :class:`Markup`, which :func:`escape` leaves as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

#: Characters that could start Markdown or HTML: each gets a backslash.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#])")
#: An @ GitHub could take for a mention: one not inside a word (an email address is not one).
_MENTION = re.compile(r"(?<![0-9A-Za-z])@")
_BACKTICKS = re.compile(r"`+")


class Markup(str):
    """Text that is Markdown already, made from escaped text: :func:`escape` keeps it."""


def escape(text: object) -> str:
    """Text from the repository made inert in Markdown, on one line: no HTML, links, emphasis,
    headings or @-mentions (a word joiner after the @ stops GitHub notifying someone named in
    evidence text). :class:`Markup` is returned as it is."""
    if isinstance(text, Markup):
        return text
    escaped = _SPECIAL.sub(r"\\\1", str(text))
    return _MENTION.sub("@\u2060", " ".join(escaped.split()))


def strong(text: object) -> Markup:
    """Text in bold, escaped."""
    return Markup(f"**{escape(text)}**")


def _fence(text: str, shortest: int) -> str:
    """A run of backticks longer than any in ``text``, and at least ``shortest`` long."""
    longest = max((len(m) for m in _BACKTICKS.findall(text)), default=0)
    return "`" * max(shortest, longest + 1)


def code(text: str) -> Markup:
    """Text as a code span, however many backticks it holds."""
    fence = _fence(text, 1)
    padded = text.startswith("`") or text.endswith("`")
    return Markup(f"{fence} {text} {fence}" if padded else f"{fence}{text}{fence}")


def code_block(text: str, language: str = "") -> list[str]:
    """Lines of a fenced code block holding ``text``."""
    fence = _fence(text, 3)
    return [f"{fence}{language}", text, fence]


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """The lines of a table, and a blank line. Headers and cells must be Markdown already."""
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return [*out, ""]


def details(summary: str, body: list[str]) -> list[str]:
    """A collapsible part (GitHub's <details>); ``summary`` must be Markdown already."""
    return ["<details>", f"<summary>{summary}</summary>", "", *body, "</details>", ""]


def block(text: str) -> str:
    """A Markdown narrative kept as Markdown, with any raw HTML in it made inert."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").strip()
