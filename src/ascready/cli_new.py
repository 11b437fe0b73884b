"""``ascready new evidence|action|rating``: one new file with the next free id."""

from __future__ import annotations

import typer

new_app = typer.Typer(
    help="Create one new evidence item, improvement action or rating file, valid from the start.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
