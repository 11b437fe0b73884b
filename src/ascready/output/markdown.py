"""Markdown for text from the repository: one escaper, code spans, tables, collapsible parts.

Evidence text is data. :func:`escape` makes it inert wherever a formatter or template puts it
into Markdown (a pull-request comment, a board paper, the self-assessment document): no HTML,
links, emphasis, headings or @-mentions. What a formatter writes as Markdown on purpose (bold,
a code span) is :class:`Markup`, which :func:`escape` leaves as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

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


# --- a narrative, written again from what it says --------------------------------------------

#: Addresses a link in a document may have; anything else (javascript:, vbscript:, file:, data:)
#: is dropped and its text kept.
SAFE_LINK = re.compile(r"^(https?:|mailto:|#)", re.IGNORECASE)
#: What would start a block if it began a line of a paragraph: a list item, a setext underline.
_LINE_START = re.compile(r"^(?:([-+=])|(\d{1,9})([.)]))")


def narrative(text: str) -> str:
    """A Markdown narrative, written again from its parsed form so that whatever a CommonMark
    viewer shows of it is safe: paragraphs, lists, quotes, code, emphasis and links to
    http(s), mailto and #anchors are kept; an image becomes its alt text (no viewer fetches
    anything when the document is opened); a link to any other kind of address becomes its
    text; raw HTML is text. Reference-style links are written inline."""
    from markdown_it import MarkdownIt
    from markdown_it.tree import SyntaxTreeNode

    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.validateLink = lambda url: True  # type: ignore[method-assign]  # judged below
    text = text if text.endswith("\n") else f"{text}\n"  # a last line ends, as YAML's | gives it
    tree = SyntaxTreeNode(parser.parse(text))
    return "\n".join(_blocks(tree.children)).strip()


def _blocks(nodes: Sequence[object]) -> list[str]:
    from markdown_it.tree import SyntaxTreeNode

    out: list[str] = []
    for node in nodes:
        assert isinstance(node, SyntaxTreeNode)
        lines = _block(node)
        if out and lines and not (node.type == "paragraph" and node.hidden):
            out.append("")
        out += lines
    return out


def _block(node: Any) -> list[str]:
    kind = node.type
    if kind == "paragraph":
        return _paragraph(node.children[0] if node.children else None)
    if kind == "heading":  # a narrative has no headings of its own: kept as bold text
        return [f"**{line}**" for line in _paragraph(node.children[0]) if line]
    if kind in ("bullet_list", "ordered_list"):
        return _list(node)
    if kind == "blockquote":
        return [_indent("> ", line) for line in _blocks(node.children) or [""]]
    if kind in ("code_block", "fence"):
        body = node.content.removesuffix("\n")
        fence = _fence(body, 3)
        # A code block's language (a class for a highlighter) means nothing in a document.
        # One line each, so that a list item or a quote indents every line of it.
        return [fence, *body.split("\n"), fence] if node.content else [fence, fence]
    if kind == "hr":
        return ["---"]
    return _paragraph(node) if node.children else []  # pragma: no cover - every kind is above


def _list(node: Any) -> list[str]:
    start = int(node.attrs.get("start", 1)) if node.type == "ordered_list" else 0
    tight = all(p.hidden for item in node.children for p in item.children if p.type == "paragraph")
    out: list[str] = []
    for number, item in enumerate(node.children, start):
        # As written: two lists one after the other differ by their markers.
        marker = f"{number}{item.markup}" if node.type == "ordered_list" else item.markup
        body = _blocks(item.children) or [""]
        if out and not tight:
            out.append("")
        out.append(_indent(f"{marker} ", body[0]))
        out += [_indent(" " * (len(marker) + 1), line) for line in body[1:]]
    return out


def _indent(prefix: str, line: str) -> str:
    return f"{prefix}{line}" if line else prefix.rstrip()


def _paragraph(inline: Any) -> list[str]:
    text = _inline(inline.children if inline is not None else [])
    return [_LINE_START.sub(_unstart, line) for line in text.split("\n")]


def _unstart(match: re.Match[str]) -> str:
    """A backslash that stops a line's start reading as a list item or an underline."""
    sign, digits, mark = match.groups()
    return f"\\{sign}" if sign else f"{digits}\\{mark}"


def _inline(nodes: Sequence[Any]) -> str:
    out: list[str] = []
    for node in nodes:
        kind = node.type
        if kind == "text":
            out.append(_SPECIAL.sub(r"\\\1", node.content))
        elif kind == "softbreak":
            out.append("\n")
        elif kind == "hardbreak":
            out.append("\\\n")
        elif kind == "code_inline":
            out.append(code(node.content))
        elif kind in ("em", "strong"):
            mark = node.markup  # as written: * or _, ** or __ (***a*** would read otherwise)
            out.append(f"{mark}{_inline(node.children)}{mark}")
        elif kind == "link":
            shown = _inline(node.children)
            href = str(node.attrs.get("href", ""))
            safe = SAFE_LINK.match(href) and not re.search(r"[\s<>]", href)
            target = href if re.fullmatch(r"[^\s()<>]+", href) else f"<{href}>"
            out.append(f"[{shown}]({target})" if safe and shown else shown)
        elif kind == "image":  # its alt text: nothing is fetched when the document is opened
            out.append(_inline(node.children))
        else:  # pragma: no cover - commonmark has no other inline kinds with HTML off
            out.append(_SPECIAL.sub(r"\\\1", node.content))
    return "".join(out)
