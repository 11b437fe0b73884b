"""Every text colour the documents put on every background passes WCAG 2.2 AA contrast."""

from __future__ import annotations

import re

from ascready.document import colours
from ascready.document.render import builtin_templates


def test_the_contrast_formula_is_wcags() -> None:
    # Black on white is 21:1 and a colour on itself 1:1; #767676 on white is the well-known
    # lightest grey that passes 4.5:1 (4.54).
    assert round(colours.contrast("#000000", "#ffffff"), 2) == 21.0
    assert colours.contrast("#5f98d3", "#5f98d3") == 1.0
    assert round(colours.contrast("#767676", "#ffffff"), 2) == 4.54


def test_every_text_pair_passes_4_5_to_1() -> None:
    failing = {
        name: round(colours.contrast(fg, bg), 2)
        for name, (fg, bg) in colours.TEXT_PAIRS.items()
        if colours.contrast(fg, bg) < 4.5
    }
    assert failing == {}, f"text colour pairs under 4.5:1: {failing}"


def test_every_heatmap_cell_has_readable_numbers() -> None:
    # Every count from 0 to the maximum, for several maximums: each cell's number on its colour.
    low = [
        (
            n,
            top,
            round(
                colours.contrast(
                    colours.heatmap_text_colour(n, top), colours.heatmap_colour(n, top)
                ),
                2,
            ),
        )
        for top in (1, 2, 5, 9, 14)
        for n in range(top + 1)
        if colours.contrast(colours.heatmap_text_colour(n, top), colours.heatmap_colour(n, top))
        < 4.5
    ]
    assert low == []


def test_chart_bars_stand_out_from_the_page() -> None:
    failing = {
        name: round(colours.contrast(fg, bg), 2)
        for name, (fg, bg) in colours.GRAPHIC_PAIRS.items()
        if colours.contrast(fg, bg) < 3
    }
    assert failing == {}


def test_the_page_uses_only_the_named_colours() -> None:
    """The template's CSS and markup use only colours from colours.py, so the pairs tested
    above are the ones the page shows."""
    template = (builtin_templates() / "self-assessment.html.j2").read_text(encoding="utf-8")
    used = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", template)}
    named = {
        value.lower()
        for name, value in vars(colours).items()
        if name.isupper() and isinstance(value, str)
    }
    named |= {v.lower() for v in colours.BADGES.values()} | set(colours.HEAT_STEPS)
    assert used - named == set()
