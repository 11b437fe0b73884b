"""How a performance measure reads: its figures with their units, and how it compares.

The words gaps, render and their formatters all use for a measure, kept apart from the gaps
computation so that a formatter needs nothing else from it.
"""

from __future__ import annotations

import math

from ascready.repository import models

#: How a measure compares with an average, given its polarity.
COMPARISONS = ("better", "worse", "same", "not compared")
_UNIT_TEXT = {
    models.Unit.PERCENT: "{}%",
    models.Unit.PER_100K: "{} per 100,000",
    models.Unit.SCORE: "{}",
    models.Unit.NUMBER: "{}",
    models.Unit.DAYS: "{} days",
    models.Unit.WEEKS: "{} weeks",
    models.Unit.RATIO: "{}",
}


def compare(value: float, average: float | None, polarity: models.Polarity | str) -> str:
    """'better', 'worse' or 'same' as the average, given which way is better; 'not compared'
    when there is no average or the measure is neutral.

    Why: a plain comparison of the two figures as published, which is how CQC's reports and
    council scorecards quote them; it is not a test of statistical significance.
    """
    polarity = models.Polarity(polarity)
    if average is None or polarity is models.Polarity.NEUTRAL:
        return "not compared"
    if not (math.isfinite(value) and math.isfinite(average)):
        return "not compared"
    if value == average:
        return "same"
    higher = value > average
    return "better" if higher == (polarity is models.Polarity.HIGHER_IS_BETTER) else "worse"


def number_text(value: float) -> str:
    """A figure as written, thousands separated, without a trailing '.0': 512.3, 1,204, 74."""
    if not math.isfinite(value):
        return str(value)
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,}"


def measure_text(value: float | None, unit: models.Unit | str) -> str:
    """A figure with its unit: '81.2%', '512.3 per 100,000', '74 days'; '' for no figure."""
    if value is None:
        return ""
    unit = models.Unit(unit)
    if value == 1 and unit in (models.Unit.DAYS, models.Unit.WEEKS):
        return f"1 {unit.value.removesuffix('s')}"
    return _UNIT_TEXT[unit].format(number_text(value))


def region_phrase(region: str) -> str:
    """A region's name as it reads in a sentence: 'the South West', but 'London'."""
    if not region:
        return "the region"
    return region if region in ("London", "Yorkshire and The Humber") else f"the {region}"
