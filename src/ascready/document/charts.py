"""The "How we compare" charts: each performance measure of a quality statement, the council's
figure against England's and the region's, as SVG for the HTML page and PNG for Word.

Drawn with matplotlib's Agg backend (no display, no GUI toolkit), imported inside the functions
so that the command line starts quickly. Our bar is marked better or worse by the measure's
polarity in words ("Better than England"), by a hatch on a worse bar and by colour, never by
colour alone; the numbers are written on the bars and in the chart's text alternative, and the
table beside the chart keeps them all.

The same measures always give the same bytes: the font is fixed (DejaVu Sans, shipped with
matplotlib), the SVG's ids come from a fixed salt and the chart's own prefix, and neither
format carries a date or the software's version.
"""

from __future__ import annotations

import io
import re
import textwrap
from typing import Any
from xml.sax.saxutils import escape

from ascready.document.colours import (
    CHART_BETTER,
    CHART_COMPARATOR,
    CHART_NEUTRAL,
    CHART_WORSE,
    INK,
    MUTED,
    PAGE,
    RULE,
)

WIDTH_IN = 4.6  # inches: about 440 px at its natural size in a browser, fits A4 and a phone
BAR_IN = 0.34  # each bar of a measure
AXIS_IN = 0.3  # a measure's axis and its numbers
TITLE_LINE_IN = 0.19  # each line of a measure's heading
FONT_PT = 9
PNG_DPI = 200
TITLE_WIDTH = 50  # characters per line of a measure's heading
MAX_TITLE_LINES = 4
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": FONT_PT,
    # Text as paths: the chart looks the same whatever fonts the reader's machine has (the
    # numbers are in its text alternative and in the table beside it).
    "svg.fonttype": "path",
    "svg.hashsalt": "ascready",
    "text.parse_math": False,  # a "$" in a measure's title is a dollar sign
    "text.color": INK,
    "axes.edgecolor": RULE,
    "axes.labelcolor": INK,
    "xtick.color": MUTED,
    "ytick.color": INK,
    "figure.facecolor": PAGE,
    "axes.facecolor": PAGE,
    "hatch.color": PAGE,
    "hatch.linewidth": 1.5,
}


def _one_line(text: object) -> str:
    return " ".join(_CONTROL.sub("", "" if text is None else str(text)).split())


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _verdict(word: object, place: str) -> str:
    if word in ("better", "worse"):
        return f"{str(word).capitalize()} than {place}"
    if word == "same":
        return f"The same as {place}"
    return ""


def describe(measures: list[dict[str, Any]], region: str) -> str:
    """The chart's text alternative: each measure's figures and how ours compares."""
    parts = []
    for m in measures:
        place = _one_line(m.get("region_name")) or "the region"
        figures = [f"us {_one_line(m.get('value'))}"]
        if m.get("england"):
            figures.append(f"England {_one_line(m['england'])}")
        if m.get("region"):
            figures.append(f"{_one_line(region) or 'the region'} {_one_line(m['region'])}")
        verdicts = [
            v
            for v in (
                _verdict(m.get("compared_england"), "England"),
                _verdict(m.get("compared_region"), place),
            )
            if v
        ]
        sentence = f"{_one_line(m.get('title'))}: {', '.join(figures)}"
        if verdicts:
            sentence += f" ({'; '.join(v[0].lower() + v[1:] for v in verdicts)})"
        parts.append(sentence + ".")
    return " ".join(parts)


def _figure(measures: list[dict[str, Any]], region: str) -> Any:
    """The matplotlib figure: one panel per measure, three bars each."""
    from matplotlib.figure import Figure

    headings = []
    for m in measures:
        title = textwrap.wrap(_one_line(m.get("title")), TITLE_WIDTH) or [""]
        if len(title) > MAX_TITLE_LINES:
            title = [*title[: MAX_TITLE_LINES - 1], title[MAX_TITLE_LINES - 1][:-1] + "…"]
        period = _one_line(m.get("period"))
        polarity = {"higher-is-better": "higher is better", "lower-is-better": "lower is better"}
        note = ", ".join(p for p in (period, polarity.get(str(m.get("polarity")), "")) if p)
        place = _one_line(m.get("region_name")) or "the region"
        verdicts = [
            v
            for v in (
                _verdict(m.get("compared_england"), "England"),
                _verdict(m.get("compared_region"), place),
            )
            if v
        ]
        if not verdicts:
            has_figures = m.get("england_number") is not None or m.get("region_number") is not None
            verdicts = [
                "Not compared: neither higher nor lower is better"
                if has_figures
                else "Not compared: no England or regional figure"
            ]
        verdict = "; ".join(v if i == 0 else v[0].lower() + v[1:] for i, v in enumerate(verdicts))
        headings.append((title, note, verdict))
    heights = [
        AXIS_IN + BAR_IN * _bar_count(m) + TITLE_LINE_IN * (len(t) + 2)
        for m, (t, _, _) in zip(measures, headings, strict=True)
    ]
    fig = Figure(figsize=(WIDTH_IN, sum(heights)), layout="constrained")
    panels = fig.subfigures(len(measures), 1, squeeze=False, height_ratios=heights)[:, 0]
    region_label = _one_line(region) or "Region"
    for panel, m, (title, note, verdict) in zip(panels, measures, headings, strict=True):
        panel.suptitle(
            "\n".join(title), x=0.01, ha="left", fontsize=FONT_PT, fontweight="bold", color=INK
        )
        ax = panel.subplots()
        _bars(ax, m, region_label)
        ax.set_title("\n".join(p for p in (verdict, note) if p), loc="left", fontsize=FONT_PT)
    return fig


def _bar_count(m: dict[str, Any]) -> int:
    return 1 + sum(_number(m.get(k)) is not None for k in ("england_number", "region_number"))


def _bars(ax: Any, m: dict[str, Any], region_label: str) -> None:
    ours = _number(m.get("number"))
    bars = [("Us", ours, _one_line(m.get("value")))]
    if _number(m.get("england_number")) is not None:
        bars.append(("England", _number(m.get("england_number")), _one_line(m.get("england"))))
    if _number(m.get("region_number")) is not None:
        bars.append((region_label, _number(m.get("region_number")), _one_line(m.get("region"))))
    words = {m.get("compared_england"), m.get("compared_region")} - {None, "not compared"}
    worse = "worse" in words
    colour = CHART_WORSE if worse else CHART_BETTER if words == {"better"} else CHART_NEUTRAL
    labels = [b[0] for b in bars]
    values = [b[1] or 0.0 for b in bars]
    positions = list(range(len(bars)))[::-1]
    drawn = ax.barh(
        positions,
        values,
        height=0.62,
        color=[colour, *[CHART_COMPARATOR] * (len(bars) - 1)],
        hatch=["//" if worse else "", *[""] * (len(bars) - 1)],
        linewidth=0,
    )
    ax.bar_label(drawn, labels=[b[2] for b in bars], padding=3, color=INK)
    ax.set_yticks(positions, labels)
    ax.tick_params(axis="y", length=0)
    ax.tick_params(axis="x", labelsize=FONT_PT - 1)
    low = min(0.0, *values)
    high = max(0.0, *values)
    span = (high - low) or 1.0
    # Room for the longest figure written after its bar ("548.9 per 100,000").
    room = 0.12 + 0.032 * max(len(b[2]) for b in bars)
    ax.set_xlim(low - (span * room if low < 0 else 0), high + span * room)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _render(measures: list[dict[str, Any]], region: str, fmt: str, salt: str) -> bytes:
    import matplotlib

    settings: Any = {**_RC, "svg.hashsalt": f"ascready-{salt}"}
    with matplotlib.rc_context(settings):
        fig = _figure(measures, region)
        out = io.BytesIO()
        if fmt == "svg":
            fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
        else:
            fig.savefig(out, format="png", dpi=PNG_DPI, metadata={"Software": None})
    return out.getvalue()


def chart_svg(measures: list[dict[str, Any]], region: str, key: str) -> str:
    """The chart as an inline ``<svg role="img">`` with its title and text alternative; its
    ids begin with ``key`` so that several charts can share a page."""
    prefix = "chart-" + re.sub(r"[^A-Za-z0-9_-]", "-", _one_line(key)) + "-"
    raw = _render(measures, region, "svg", prefix).decode("utf-8")
    body = raw[raw.index("<svg") :]
    body = re.sub(r"<metadata>.*?</metadata>\s*", "", body, flags=re.DOTALL)
    body = re.sub(r'\bid="', f'id="{prefix}', body)
    body = body.replace("url(#", f"url(#{prefix}").replace('href="#', f'href="#{prefix}')
    # matplotlib's style sheet says "*{...}": in a page that would style every element.
    body = body.replace("*{", f"#{prefix}svg *{{", 1)
    title_id, desc_id = f"{prefix}title", f"{prefix}desc"
    opening = body[: body.index(">") + 1]
    rest = body[len(opening) :]
    opening = re.sub(r'\s(width|height)="[^"]*"', "", opening)
    opening = opening.replace(
        "<svg",
        f'<svg id="{prefix}svg" role="img" aria-labelledby="{title_id} {desc_id}" '
        'focusable="false"',
        1,
    )
    title = f"How we compare: chart of the measures for {_one_line(key)}"
    return (
        opening
        + f'\n<title id="{title_id}">{escape(title)}</title>'
        + f'\n<desc id="{desc_id}">{escape(describe(measures, region))}</desc>'
        + rest.rstrip()
    )


def chart_png(measures: list[dict[str, Any]], region: str, key: str) -> bytes:
    """The chart as PNG bytes, for Word."""
    return _render(measures, region, "png", key)
