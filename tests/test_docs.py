"""The README stays true to the code: every check and command is documented."""

from __future__ import annotations

import re

import pytest
import typer.main
from typer.testing import CliRunner

from ascready.checks import load_all_checks
from ascready.cli import app
from tests.conftest import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_readme_opens_with_the_two_setup_commands() -> None:
    first_block = README.split("```", 2)[1]
    assert "make demo" in first_block and "make test" in first_block


@pytest.mark.parametrize("check_id", sorted(load_all_checks()))
def test_every_check_is_in_the_readme_table_with_its_severity(check_id: str) -> None:
    severity = load_all_checks()[check_id].severity.value
    assert re.search(rf"^\| `{re.escape(check_id)}` \| {severity} \|", README, re.M), check_id


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(command: str, runner: CliRunner) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and len(result.stdout) > 80
    assert f"ascready {command}" in README
