"""ascready's catalogue of ASCOF measures: for each published code, its title, unit, polarity
and the quality statements it informs, so that an imported measure is complete.

A measure outside the catalogue is imported too, its unit inferred from its published
description (:func:`infer_unit`), neutral, and informing no quality statement until the council
says which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ascready.repository import models, yamlsafe


@dataclass(frozen=True)
class KnownMeasure:
    code: str
    title: str
    unit: models.Unit
    polarity: models.Polarity
    quality_statements: tuple[str, ...]


@cache
def catalogue() -> dict[str, KnownMeasure]:
    """The ASCOF measures shipped in ``ascready/measures/ascof.yaml``, by code."""
    raw = (resources.files("ascready.authoring.metrics") / "measures" / "ascof.yaml").read_bytes()
    data, problems = yamlsafe.parse_bytes(raw)
    if problems or not isinstance(data, dict):  # a packaging bug, never the user's input
        raise RuntimeError(f"the built-in ASCOF catalogue is broken: {problems}")
    return {
        str(code): KnownMeasure(
            str(code),
            str(entry["title"]),
            models.Unit(entry["unit"]),
            models.Polarity(entry["polarity"]),
            tuple(entry.get("quality_statements", ())),
        )
        for code, entry in data["measures"].items()
    }


def infer_unit(description: str) -> models.Unit:
    """The unit a measure's published description implies."""
    text = description.casefold()
    if re.search(r"per\s*100[,\s]?000|per\s*100k", text):
        return models.Unit.PER_100K
    if "%" in text or "proportion" in text or "percentage" in text:
        return models.Unit.PERCENT
    if "score" in text:
        return models.Unit.SCORE
    return models.Unit.NUMBER
