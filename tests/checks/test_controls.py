"""Control characters in text (issue 13, item 10): a finding at the value, and never printed
raw by any command or written into any document."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ascready.cli import app
from tests.conftest import REPO_ROOT

ESC = "\x1b"
TITLE = 'title: "Carers \\e]0;pwned\\a\\e[2J survey \\e]8;;http://evil.example\\e\\\\x\\0 end"'


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "evidence", root)
    path = root / "evidence" / "EV-001.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    lines[at] = TITLE
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def test_a_control_character_is_a_finding_at_its_line(runner: CliRunner, repo: Path) -> None:
    result = runner.invoke(app, ["validate", str(repo)])
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    # ESC, BEL, ESC, ESC, ESC (the OSC 8 hidden link's), NUL.
    assert (
        "evidence/EV-001.yaml:2:1 error [control-character] 'title' holds 6 control "
        "characters, the first an escape character (ESC" in out
    )
    assert ESC not in result.output and "\x00" not in result.output


@pytest.mark.parametrize(
    "command",
    [
        ["gaps", "--full"],
        ["gaps", "--format", "markdown"],
        ["gaps", "--format", "json"],
        ["render", "--format", "md"],
        ["render", "--format", "html"],
    ],
)
def test_no_command_prints_one(runner: CliRunner, repo: Path, command: list[str]) -> None:
    result = runner.invoke(app, [command[0], str(repo), *command[1:]])
    assert result.exit_code in (0, 1), result.output
    assert ESC not in result.output
    assert "\x00" not in result.output and "\x07" not in result.output


def test_tab_and_new_line_stay(runner: CliRunner, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "evidence", root)
    path = root / "evidence" / "EV-001.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title:", 'summary: "one\\ttwo\\nthree"\ntitle:', 1), "utf-8")
    result = runner.invoke(app, ["validate", str(root)])
    assert "control-character" not in result.output
