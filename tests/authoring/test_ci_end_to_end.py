"""The GitHub Actions workflow `ascready init` writes, run for real on a pull request.

Every `run:` step of the generated workflow runs under `bash -e` (as GitHub runs it) in a clone
of a new council repository, with the real `ascready`; only `gh` (which would post to GitHub)
is a stand-in. The repository was made with `init --install` naming a wheel of this checkout
committed to it, as a council does before the first release on PyPI: the install step runs the
real pip on it, as a dry run (it checks the wheel is there and is ascready's, and installs
nothing), so nothing is fetched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ascready.cli import app
from ascready.output.diff_format import MARKER
from ascready.repository import yamlsafe
from tests.analysis.test_diff import git
from tests.test_wheel import build_wheel

BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(
    BASH is None or shutil.which("git") is None, reason="needs bash and git"
)

GH = """#!/bin/sh
# Stand-in for the GitHub CLI: keep what would have been posted.
printf '%s\\n' "$*" >> "$STUB_LOG"
while [ $# -gt 0 ]; do
  if [ "$1" = --body-file ]; then cp "$2" "$POSTED"; fi
  shift
done
exit 0
"""
#: pip's own settings for the install step: a dry run of exactly the wheel, offline.
PIP_DRY_RUN = {
    "PIP_DRY_RUN": "1",
    "PIP_NO_DEPS": "1",
    "PIP_NO_INDEX": "1",
    "PIP_IGNORE_INSTALLED": "1",
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
}


def run_steps(
    workflow: dict,  # type: ignore[type-arg]
    checkout: Path,
    tmp_path: Path,
    floor: str | None = None,
    outputs: dict[str, str] | None = None,
) -> tuple[dict[str, int], list[str], Path, Path]:
    stubs = tmp_path / "stubs"
    stubs.mkdir(exist_ok=True)
    (stubs / "gh").write_text(GH, encoding="utf-8")
    (stubs / "gh").chmod(0o755)
    log, posted, summary = tmp_path / "log", tmp_path / "posted.md", tmp_path / "summary.md"
    for f in (log, posted, summary):
        f.unlink(missing_ok=True)
    log.touch()
    expressions = {
        "${{ github.base_ref }}": "main",
        "${{ github.token }}": "token",
        "${{ github.event.pull_request.number }}": "12",
    }
    (job,) = workflow["jobs"].values()
    statuses: dict[str, int] = {}
    for step in job["steps"]:
        if "run" not in step:
            continue
        env = {
            **os.environ,
            **PIP_DRY_RUN,
            **workflow["env"],
            "PATH": f"{stubs}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}"
            f"{os.environ['PATH']}",
            "GITHUB_STEP_SUMMARY": str(summary),
            "STUB_LOG": str(log),
            "POSTED": str(posted),
        }
        if floor is not None:
            env["READINESS_FLOOR"] = floor
        env.update({k: expressions[v] for k, v in step.get("env", {}).items()})
        done = subprocess.run(
            [str(BASH), "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=checkout,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        statuses[step["name"]] = done.returncode
        if outputs is not None:
            outputs[step["name"]] = done.stdout + done.stderr
    return statuses, log.read_text(encoding="utf-8").splitlines(), posted, summary


def test_pull_request_gets_the_diff_comment_and_the_checks(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    wheel = build_wheel(tmp_path / "dist")
    origin = tmp_path / "origin"
    init = runner.invoke(
        app,
        [
            *("init", str(origin), "--council", "Avonmere Council"),
            *("--ons-code", "E06000999", "--region", "South West"),
            *("--install", f"wheels/{wheel.name}"),
        ],
    )
    assert init.exit_code == 0, init.output
    (origin / "wheels").mkdir()
    shutil.copy2(wheel, origin / "wheels" / wheel.name)
    git(origin, "init", "-q", "-b", "main")
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "Start the evidence repository")
    checkout = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", str(origin), str(checkout))  # origin/main, as actions/checkout
    git(checkout, "switch", "-q", "-c", "carers")
    new = runner.invoke(
        app,
        [
            *("new", "evidence", "--repo", str(checkout)),
            *("--title", "Carers' strategy 2025-2030", "--kind", "strategy"),
            *("--category", "processes", "--qs", "QS1", "--classification", "public"),
            *("--owner", "Head of Commissioning"),
        ],
    )
    assert new.exit_code == 0, new.output
    git(checkout, "add", "-A")
    git(checkout, "commit", "-q", "-m", "Add the carers' strategy")

    workflow = yamlsafe.parse_text(
        (checkout / ".github/workflows/ascready.yml").read_text(encoding="utf-8")
    )[0]
    outputs: dict[str, str] = {}
    statuses, log, posted, summary = run_steps(workflow, checkout, tmp_path, outputs=outputs)
    assert set(statuses.values()) == {0}, (statuses, outputs)
    # The committed wheel is found from the top of the fresh clone, and pip takes it.
    (install,) = [name for name in outputs if "install" in name.lower()]
    assert f"Processing ./wheels/{wheel.name}" in outputs[install]
    assert "Would install ascready-" in outputs[install]
    comment = posted.read_text(encoding="utf-8")
    assert comment.startswith(MARKER) and "Carers' strategy 2025-2030" in comment
    assert "**Evidence:** 1 added" in comment
    assert summary.read_text(encoding="utf-8") == comment  # the job summary shows it too
    assert any(line.startswith("pr comment 12 --body-file ascready-diff.md") for line in log)

    # Raising the floor above the repository's readiness makes the readiness step fail.
    statuses, *_ = run_steps(workflow, checkout, tmp_path, floor="90")
    readiness = [name for name in statuses if "readiness" in name.lower()]
    assert readiness and all(statuses[n] == 1 for n in readiness)
    assert all(code == 0 for name, code in statuses.items() if name not in readiness)

    # A change that breaks a reference fails the validate step, with a GitHub annotation.
    rating = checkout / "ratings" / "QS1.yaml"
    rating.write_text(
        rating.read_text(encoding="utf-8").replace(
            "strengths: []",
            "strengths:\n  - id: S-QS1-01\n    text: Carers shape the strategy\n"
            "    evidence: [EV-404]",
        ),
        encoding="utf-8",
    )
    statuses, _, posted, _ = run_steps(workflow, checkout, tmp_path)
    failing = [name for name, code in statuses.items() if code]
    assert len(failing) == 1 and "check every file" in failing[0].lower()
    assert "1 introduced" in posted.read_text(encoding="utf-8")
