"""Options and messages of gaps, diff and render as a user meets them through the CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from ascready.cli import app

MakeRepo = Callable[..., Path]

#: An evidence item with five errors: three bad values, an impossible date, an unknown key.
FIVE_ERRORS = """
    id: EV-009
    title: A policy
    kind: polcy
    categories: [processes]
    quality_statements: [QS1]
    classification: secret
    status: curent
    as_of: 2024-02-30
    titel: typo
"""


# --- render: files left out ----------------------------------------------------------------------


def test_render_counts_the_files_left_out_not_their_errors(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    one = make_repo({"evidence/EV-009.yaml": FIVE_ERRORS}, name="one")
    validated = runner.invoke(app, ["validate", str(one)])
    assert "5 errors in 1 of 8 files." in validated.stdout
    result = runner.invoke(app, ["render", str(one), "--format", "md"])
    assert result.exit_code == 0
    assert "note: 1 file(s) have errors and were left out; run ascready validate" in result.stderr

    two = make_repo(
        {"evidence/EV-009.yaml": FIVE_ERRORS, "actions/ACT-02.yaml": "id: ACT-02\n"}, name="two"
    )
    result = runner.invoke(app, ["render", str(two), "--format", "md"])
    assert "note: 2 file(s) have errors and were left out; run ascready validate" in result.stderr


def test_render_says_nothing_of_warnings(runner: CliRunner, make_repo: MakeRepo) -> None:
    # Filed only under a category CQC does not apply: a warning; the item is still used.
    root = make_repo(
        {
            "evidence/EV-009.yaml": """
                id: EV-009
                title: A policy
                kind: policy
                categories: [outcomes]
                quality_statements: [QS1]
                classification: public
            """
        }
    )
    assert "warning [category-not-applied]" in runner.invoke(app, ["validate", str(root)]).stdout
    result = runner.invoke(app, ["render", str(root), "--format", "md"])
    assert result.exit_code == 0
    assert "note:" not in result.stderr
