"""Example repositories discovered automatically: tests/fixtures/{valid,invalid}/<case>/.

Each case folder holds only the files that differ from tests/fixtures/base/, laid over a copy
of it. A valid case must validate with no findings at all. An invalid case lists in
expected.txt every finding, one per line as ``file:line:column severity check``; the exit code
must be 1 when any of them is an error and 0 otherwise. Regenerate with --update-golden, then
read the diff.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ascready.cli import app
from tests.conftest import BASE, FIXTURES


def _cases(group: str) -> list[Path]:
    return sorted(p for p in (FIXTURES / group).iterdir() if p.is_dir())


def _build(case: Path, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    for src in case.rglob("*"):
        if src.is_file() and src.name != "expected.txt":
            dest = root / src.relative_to(case)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
    return root


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
    got = [f"{f['file']}:{f['line']}:{f['column']} {f['severity']} {f['check']}" for f in findings]
    expected_file = case / "expected.txt"
    if update_golden:
        expected_file.write_text("\n".join(got) + "\n", encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8").split("\n")
    assert got == [line for line in expected if line.strip()]
    assert all(f["message"] and f["hint"] for f in findings), "every finding says what to do"
    assert code == (1 if any(" error " in line for line in got) else 0)
    assert findings, "an invalid case must produce at least one finding"
