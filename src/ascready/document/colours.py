"""The colours the documents use, in one place for every format (and for the contrast test)."""

from __future__ import annotations


def heatmap_colour(count: int, maximum: int) -> str:
    """Background colour for a heatmap cell, light to dark blue; 0 is pale red."""
    if count == 0:
        return "#fde2e1"
    steps = ["#e3eefa", "#c3daf2", "#94bde6", "#5f98d3", "#2f6fb0", "#1b4f86"]
    index = min(len(steps) - 1, round((count / max(maximum, 1)) * (len(steps) - 1)))
    return steps[index]


def heatmap_text_colour(count: int, maximum: int) -> str:
    background = heatmap_colour(count, maximum)
    return "#ffffff" if background in ("#2f6fb0", "#1b4f86", "#5f98d3") else "#1a1a1a"


# The Word document's house style (hex, as the HTML writes colours). Headings and links are
# dark blue, 8.6:1 on white; the header, footer and subtitle grey, 6.9:1; text near black.
WORD_HEADING = "#1d4f91"
WORD_INK = "#1a1a1a"
WORD_MUTED = "#505a5f"
WORD_PANEL = "#f3f2f1"  # a quote's call-out, as the HTML's blockquote
WORD_RULE = "#8c8c8c"  # table lines
WORD_TABLE_HEAD = "#dbe5f1"  # a table's header row
