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
