"""Example repositories discovered automatically: tests/fixtures/{valid,invalid}/<case>/.

Each case folder holds only the files that differ from tests/fixtures/base/, laid over a copy
of it; a case that needs a file of the base gone lists its path in removed.txt. A valid case
must validate with no findings at all. An invalid case lists in expected.txt every finding as
the user reads it: ``file:line:column severity check``, then the message and the hint (what to
do) on their own indented lines, a blank line between findings. The wording is the product for
a non-programmer, so a change to it is a visible edit here. The exit code must be 1 when any
finding is an error and 0 otherwise. Regenerate with --update-golden (refused when CI=true),
then read every changed file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ascready.analysis import pipeline
from ascready.cli import app
from ascready.findings import Finding
from ascready.repository.project import Project
from tests.conftest import BASE, FIXTURES, REPO_ROOT


def _cases(group: str) -> list[Path]:
    return sorted(p for p in (FIXTURES / group).iterdir() if p.is_dir())


def _build(case: Path, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    removed = case / "removed.txt"
    for name in removed.read_text(encoding="utf-8").split() if removed.exists() else []:
        (root / name).unlink()  # a name that is not in the base fails the case
    for src in case.rglob("*"):
        if src.is_file() and src.name not in ("expected.txt", "removed.txt"):
            dest = root / src.relative_to(case)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
    return root


#: The day every case is validated on, so that "(N days ago)" does not change with the clock.
DAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    checks = pipeline.run_checks

    def on_the_day(project: Project, today: dt.date | None = None) -> list[Finding]:
        return checks(project, today or DAY)

    monkeypatch.setattr(pipeline, "run_checks", on_the_day)


def _run(runner: CliRunner, root: Path) -> tuple[int, list[dict[str, object]]]:
    result = runner.invoke(app, ["validate", str(root), "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("case", _cases("valid"), ids=lambda p: p.name)
def test_valid_case_has_no_findings(case: Path, tmp_path: Path, runner: CliRunner) -> None:
    code, findings = _run(runner, _build(case, tmp_path))
    assert findings == []
    assert code == 0


@pytest.mark.parametrize("case", _cases("invalid"), ids=lambda p: p.name)
def test_invalid_case_reports_expected_findings(
    case: Path, tmp_path: Path, runner: CliRunner, update_golden: bool
) -> None:
    code, findings = _run(runner, _build(case, tmp_path))
    assert findings, "an invalid case must produce at least one finding"
    assert all(f["message"] and f["hint"] for f in findings), "every finding says what to do"
    got = "\n".join(_golden(f) for f in findings)
    expected_file = case / "expected.txt"
    if update_golden:
        expected_file.write_text(got, encoding="utf-8")
    assert got == expected_file.read_text(encoding="utf-8")
    assert code == (1 if any(f["severity"] == "error" for f in findings) else 0)


def _golden(finding: dict[str, object]) -> str:
    """One finding as expected.txt holds it: where and what, then the message and the hint."""
    f = finding
    return (
        f"{f['file']}:{f['line']}:{f['column']} {f['severity']} {f['check']}\n"
        f"    {f['message']}\n"
        f"    fix: {f['hint']}\n"
    )


@pytest.mark.parametrize("ci", ["true", "1"])
def test_update_golden_is_refused_in_ci(ci: str) -> None:
    golden = FIXTURES / "invalid" / "alias-bomb" / "expected.txt"
    before = golden.read_bytes()
    cases = f"{Path(__file__).relative_to(REPO_ROOT)}::test_invalid_case_reports_expected_findings"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--update-golden", cases],
        cwd=REPO_ROOT,
        env={**os.environ, "CI": ci},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == pytest.ExitCode.USAGE_ERROR, proc.stdout + proc.stderr
    assert "--update-golden is refused when CI is set" in proc.stderr
    assert golden.read_bytes() == before
