"""The colours the documents use, in one place for every format (and for the contrast test).

Every colour a document puts text on, and every text colour it puts there, is a named constant
here, and :data:`TEXT_PAIRS` lists each pair the HTML page, the Word document and the charts
use, so that one test computes the WCAG contrast ratio of all of them (at least 4.5:1 for text,
WCAG 2.2 success criterion 1.4.3). :data:`GRAPHIC_PAIRS` are the bars of the charts against the
page (at least 3:1, success criterion 1.4.11). The HTML template's CSS uses the same values.
"""

from __future__ import annotations

# --- text and the page ---------------------------------------------------------------------------
INK = "#1a1a1a"  # body text
MUTED = "#4a4a4a"  # secondary text: tags, "Evidence:", statuses
LINK = "#1d4f91"  # links, and the rule under the cover
PAGE = "#ffffff"  # the page
PANEL = "#f3f2f1"  # notices, quotes and table headers
RULE = "#b1b4b6"  # borders (not text)
FOCUS = "#ffdd00"  # a focused link's background
FOCUS_INK = "#0b0c0c"  # a focused link's text
INTERNAL = "#a3211b"  # the internal version's notice border
WHITE = "#ffffff"

# --- the classification badges (white text) ------------------------------------------------------
BADGE_TEXT = WHITE
BADGES = {
    "public": "#00703c",
    "official": "#1d4f91",
    "official-sensitive": "#a3211b",
    "other": "#505a5f",
}

# --- the evidence coverage heatmap ---------------------------------------------------------------
HEAT_NONE = "#fde2e1"  # no evidence: pale red
HEAT_STEPS = ("#e3eefa", "#c3daf2", "#94bde6", "#5f98d3", "#2f6fb0", "#1b4f86")

# --- the "How we compare" charts -----------------------------------------------------------------
CHART_BETTER = "#00703c"  # our bar when it is better than both comparators (also marked in words)
CHART_WORSE = "#a3211b"  # our bar when it is worse than either (also marked in words)
CHART_NEUTRAL = "#1d4f91"  # our bar when it is not compared, or the same
CHART_COMPARATOR = "#6f777b"  # England's and the region's bars


def contrast(foreground: str, background: str) -> float:
    """The WCAG 2 contrast ratio of two ``#rrggbb`` colours, from 1 to 21."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb``."""
    value = colour.lstrip("#")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def heatmap_colour(count: int, maximum: int) -> str:
    """Background colour for a heatmap cell, light to dark blue; 0 is pale red."""
    if count == 0:
        return HEAT_NONE
    index = min(len(HEAT_STEPS) - 1, round((count / max(maximum, 1)) * (len(HEAT_STEPS) - 1)))
    return HEAT_STEPS[index]


def heatmap_text_colour(count: int, maximum: int) -> str:
    """The text colour on a heatmap cell: ink or white, whichever contrasts more with it."""
    return text_on(heatmap_colour(count, maximum))


def text_on(background: str) -> str:
    """Ink or white on this background, whichever has the higher contrast."""
    return INK if contrast(INK, background) >= contrast(WHITE, background) else WHITE


# The Word document's house style (hex, as the HTML writes colours). Headings and links are
# dark blue, 8.6:1 on white; the header, footer and subtitle grey, 6.9:1; text near black.
WORD_HEADING = "#1d4f91"
WORD_INK = "#1a1a1a"
WORD_MUTED = "#505a5f"
WORD_PANEL = "#f3f2f1"  # a quote's call-out, as the HTML's blockquote
WORD_RULE = "#8c8c8c"  # table lines
WORD_TABLE_HEAD = "#dbe5f1"  # a table's header row


def _text_pairs() -> dict[str, tuple[str, str]]:
    pairs = {
        "body text": (INK, PAGE),
        "muted text": (MUTED, PAGE),
        "link": (LINK, PAGE),
        "text on a panel": (INK, PANEL),
        "muted text on a panel": (MUTED, PANEL),
        "link on a panel": (LINK, PANEL),
        "focused link": (FOCUS_INK, FOCUS),
        "chart text": (INK, PAGE),
        "Word heading": (WORD_HEADING, PAGE),
        "Word text": (WORD_INK, PAGE),
        "Word header and footer": (WORD_MUTED, PAGE),
        "Word quote": (WORD_INK, WORD_PANEL),
        "Word table header": (WORD_INK, WORD_TABLE_HEAD),
    }
    pairs |= {f"{name} badge": (BADGE_TEXT, colour) for name, colour in BADGES.items()}
    pairs |= {
        f"heatmap number on {colour}": (text_on(colour), colour)
        for colour in (HEAT_NONE, *HEAT_STEPS)
    }
    return pairs


#: Every text colour on every background the documents use: (foreground, background).
TEXT_PAIRS = _text_pairs()

#: The charts' bars against the page: graphics that must be told apart from it (3:1).
GRAPHIC_PAIRS = {
    "better bar": (CHART_BETTER, PAGE),
    "worse bar": (CHART_WORSE, PAGE),
    "neutral bar": (CHART_NEUTRAL, PAGE),
    "comparator bar": (CHART_COMPARATOR, PAGE),
}
