"""``ascready schema`` and ``ascready checks``: what editors and CI filters are given."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ascready.cli.common import console, fail, handle_errors


@handle_errors
def schema(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write the JSON Schemas into.")
    ] = Path("schemas"),
    force: Annotated[
        bool, typer.Option("--force", help="Replace schema files that differ.")
    ] = False,
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 if the files are missing or stale."),
    ] = False,
) -> None:
    """Write one JSON Schema per kind of file, for editor autocomplete and checking."""
    from ascready.repository.schema import stale_schemas, write_schemas

    if check:
        stale = stale_schemas(out)
        if stale:
            raise fail(f"out of date in {out}: {', '.join(stale)}. Run: ascready schema --force", 1)
        typer.echo(f"The schemas in {out} are up to date.")
        return
    written = write_schemas(out, force=force)
    typer.echo(
        f"Wrote {len(written)} schema(s) to {out}: {', '.join(written)}"
        if written
        else f"The schemas in {out} are already up to date."
    )


@handle_errors
def list_checks() -> None:
    """List every check ascready runs, with its id and severity."""
    from ascready.checks.registry import REGISTRY
    from ascready.output.findings_format import check_table

    rows = [
        (c.id, c.severity.value, c.stage, c.summary)
        for c in sorted(REGISTRY.values(), key=lambda c: (c.stage, c.id))
    ]
    console().print(check_table(rows))
