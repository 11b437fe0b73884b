"""The README stays true to the code: every check and command is documented."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from ascready.checks.registry import REGISTRY
from ascready.cli import app
from tests.conftest import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_readme_opens_with_the_two_setup_commands() -> None:
    first_block = README.split("```", 2)[1]
    assert "make demo" in first_block and "make test" in first_block


@pytest.mark.parametrize("check_id", sorted(REGISTRY))
def test_every_check_is_in_the_readme_table_with_its_severity(check_id: str) -> None:
    severity = REGISTRY[check_id].severity.value
    assert re.search(rf"^\| `{re.escape(check_id)}` \| {severity} \|", README, re.M), check_id


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(command: str, runner: CliRunner) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and len(result.stdout) > 80
    assert f"ascready {command}" in README


def quickstart_lines() -> list[str]:
    block = README.split("<!-- quickstart", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_quickstart_for_a_new_council_works_line_by_line(tmp_path: Path) -> None:
    """Run the README's quickstart as a new user would: each line in turn, in an empty folder,
    with ascready on the PATH. The first line that fails is named."""
    lines = quickstart_lines()
    assert lines[0].startswith("ascready init") and any("ascready diff" in x for x in lines)
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Assurance Lead",
        "GIT_AUTHOR_EMAIL": "assurance@council.example",
        "GIT_COMMITTER_NAME": "Assurance Lead",
        "GIT_COMMITTER_EMAIL": "assurance@council.example",
    }
    work = tmp_path / "work"
    work.mkdir()
    # One shell, so that `cd` carries on to the next line, as in a terminal; each line's
    # status is checked before the next runs.
    script = "".join(
        f"printf '%s\\n' {shlex.quote('>>> ' + line)}\n{line} </dev/null"
        f" || {{ echo 'FAILED: {n}' >&2; exit 1; }}\n"
        for n, line in enumerate(lines, 1)
    )
    proc = subprocess.run(
        ["bash", "-c", script], cwd=work, env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, f"{proc.stderr}\n{proc.stdout[-3000:]}"
    out = proc.stdout
    assert out.count("No problems found") == 2  # validate, before and after the new evidence
    diff = out.split(">>> ascready diff main", 1)[1]
    assert "Carers' strategy 2025-2030" in diff and "added" in diff
    repo = work / "avonmere-evidence"
    assert len(list((repo / "information-return").glob("*.yaml"))) == 38
    assert len(list((repo / "evidence").glob("*.yaml"))) == 1
