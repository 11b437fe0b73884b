"""Inline Markdown (a narrative's bold, italic, code, links and images) as runs of text with
their formatting, for the Word document: web links as hyperlinks shown by their text, other
links as their text with the address after it, images as their alt text."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it.token import Token


# A web or email address with nothing in it a link's target may not hold.
_WEB = re.compile(r"^(https?://|mailto:)[^\s<>\"{}|\\^`]+$", re.IGNORECASE)

# (text, bold, italic, monospace, the web address it links to or "")
Piece = tuple[str, bool, bool, bool, str]


def is_web_link(address: str) -> bool:
    """A web or email address a Word hyperlink may point to (never javascript: or a file)."""
    return bool(_WEB.match(address or ""))


class InlineRuns:
    """Inline Markdown as pieces of text with their formatting: bold, italic and code as
    formatting, web links as the address their pieces link to, other links as their text with
    the address after it, images as their alt text."""

    def __init__(self) -> None:
        self.bold = self.italic = 0
        # (address, autolink, text so far, index of the link's first piece)
        self.links: list[tuple[str, bool, list[str], int]] = []
        self.pieces: list[Piece] = []

    def text(self, value: str, *, mono: bool = False) -> None:
        self.pieces.append((value, self.bold > 0, self.italic > 0, mono, ""))
        for _, _, shown, _ in self.links:
            shown.append(value)

    def add(self, token: Token) -> None:
        handler = INLINE.get(token.type)
        if handler is not None:
            handler(self, token)
        elif token.content:  # text, and anything else that carries text, as text
            self.text(token.content)

    def _link_open(self, token: Token) -> None:
        href = token.attrGet("href")
        self.links.append((str(href or ""), token.markup == "autolink", [], len(self.pieces)))

    def _link_close(self, token: Token) -> None:
        href, auto, shown, first = self.links.pop()
        if is_web_link(href) and "".join(shown).strip():
            self.pieces[first:] = [(*piece[:4], href) for piece in self.pieces[first:]]
            return
        label = "".join(shown).strip()
        if href and not auto and label not in (href, href.removeprefix("mailto:")):
            self.text(f" ({href})")

    def _image(self, token: Token) -> None:
        src = str(token.attrGet("src") or "")
        alt = token.content or "image"
        self.text(f"[{alt}]" + (f" ({src})" if src else ""))

    def _emphasis(self, token: Token) -> None:
        step = 1 if token.type.endswith("_open") else -1
        if token.type.startswith("strong"):
            self.bold += step
        else:
            self.italic += step

    def merged(self) -> list[Piece]:
        """The pieces, neighbours with the same formatting and link joined into one."""
        out: list[Piece] = []
        for piece in self.pieces:
            if out and out[-1][1:] == piece[1:]:
                out[-1] = (out[-1][0] + piece[0], *piece[1:])
            else:
                out.append(piece)
        return out


INLINE: dict[str, Callable[[InlineRuns, Token], None]] = {
    "softbreak": lambda runs, _: runs.text(" "),
    "hardbreak": lambda runs, _: runs.text("\n"),  # python-docx writes it as a line break
    "strong_open": InlineRuns._emphasis,
    "strong_close": InlineRuns._emphasis,
    "em_open": InlineRuns._emphasis,
    "em_close": InlineRuns._emphasis,
    "link_open": InlineRuns._link_open,
    "link_close": InlineRuns._link_close,
    "image": InlineRuns._image,
    "code_inline": lambda runs, token: runs.text(token.content, mono=True),
}
