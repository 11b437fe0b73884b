"""``ascready init``: scaffold a new council evidence repository. (Being written.)"""

from __future__ import annotations

import typer


def init() -> None:
    """Create a new evidence repository for a council."""
    raise typer.Exit(2)
