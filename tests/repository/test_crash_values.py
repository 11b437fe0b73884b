"""Values that used to crash every command with "a bug in ascready" (exit 3), found by fuzzing
(issue 13, item 5): each is now a finding with its file and line, and no command crashes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ascready.cli import app
from tests.conftest import REPO_ROOT

EV = "evidence/EV-001.yaml"
LONG = "9" * 5000


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('owner: !!int ""', "[bad-value] '' is tagged as a whole number (!!int) but is not one"),
        ("owner: !!int abc", "[bad-value] 'abc' is tagged as a whole number (!!int)"),
        ("owner: !!float abc", "[bad-value] 'abc' is tagged as a number (!!float)"),
        ("owner: !!timestamp soon", "[bad-value] 'soon' is tagged as a date (!!timestamp)"),
        ("owner: !!bool maybe", "[bad-value] 'maybe' is tagged as yes or no (!!bool)"),
        # Found by tests/test_fuzz.py: a tag for one kind of node on another kind.
        ("owner: !!map [1]", "[yaml-syntax] the YAML cannot be read: expected a mapping node"),
        ("owner: !!set abc", "[yaml-syntax] the YAML cannot be read: expected a mapping node"),
        ("owner: !!bool [a]", "[yaml-syntax] the YAML cannot be read: expected a scalar node"),
        (f"owner: {LONG}", "is a number of more than 4,300 digits"),
        ("id: [a, b]", "error [wrong-type] 'id' is a list"),
        ("id: {a: 1}", "error [wrong-type] 'id' is a mapping"),
        ("as_of: 9999-06-01", "[bad-date] 'as_of': 9999-06-01 is not a date ascready accepts"),
    ],
)
def test_a_crashing_value_is_a_finding_and_no_command_crashes(
    runner: CliRunner, tmp_path: Path, line: str, expected: str
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "evidence", repo)
    path = repo / EV
    key = line.split(":", 1)[0]
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, text in enumerate(lines) if text.startswith(f"{key}:"))
    lines[at] = line
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(repo)])
    assert result.exit_code == 1, result.output
    out = " ".join(result.output.split())
    assert f"{EV}:{at + 1}:" in out
    assert expected in out
    for command in (
        ["gaps", str(repo)],
        ["gaps", str(repo), "--format", "json"],
        ["render", str(repo), "--format", "md"],
        ["export", str(repo), "--out", str(tmp_path / "out.xlsx"), "--force"],
    ):
        ran = runner.invoke(app, command)
        assert ran.exit_code in (0, 1), (command, ran.output)
        assert "bug in ascready" not in ran.output


def test_a_date_flag_far_in_the_future_is_judged_not_crashed_on(
    runner: CliRunner,
) -> None:
    result = runner.invoke(app, ["gaps", str(REPO_ROOT / "evidence"), "--as-of", "31/12/9999"])
    assert result.exit_code in (0, 1), result.output
    assert "bug in ascready" not in result.output
