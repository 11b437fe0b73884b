"""ascready's own build: the lock matches pyproject.toml, the Makefile installs from it, and the
workflows in .github/ are valid, test what they release and publish without a stored token."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from ascready import __version__
from ascready.repository import yamlsafe
from tests.conftest import REPO_ROOT

LOCK = REPO_ROOT / "requirements-dev.txt"
WORKFLOWS = REPO_ROOT / ".github" / "workflows"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
BASH = shutil.which("bash")
MAKE = shutil.which("make")


def pyproject() -> dict[str, Any]:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def locked() -> dict[str, tuple[str, list[str]]]:
    """Package name -> (version, hashes) of every entry of the lock."""
    entries: dict[str, tuple[str, list[str]]] = {}
    text = LOCK.read_text(encoding="utf-8")
    for block in re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2]):
        match = re.match(r"([A-Za-z0-9._-]+)==(\S+)", block)
        assert match, block[:80]
        entries[canonicalize_name(match[1])] = (match[2], re.findall(r"--hash=(\S+)", block))
    return entries


def workflow(name: str) -> Any:
    data, problems = yamlsafe.parse_bytes((WORKFLOWS / name).read_bytes())
    assert problems == [], problems
    return data


# --- the lock -------------------------------------------------------------------------------------


def test_lock_pins_everything_pyproject_asks_for_with_hashes() -> None:
    project = pyproject()
    pins = locked()
    wanted = [*project["project"]["dependencies"], *project["dependency-groups"]["dev"]]
    for line in wanted:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in {LOCK.name}: run make lock"
        version, _ = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{LOCK.name} pins {name}=={version}, outside {requirement.specifier}: run make lock"
        )
    for name, (version, hashes) in pins.items():
        assert hashes and all(h.startswith("sha256:") for h in hashes), f"{name}=={version}"
    # What builds ascready without isolation is in the lock, so a build downloads nothing.
    build_requires = [Requirement(r) for r in project["build-system"]["requires"]]
    for requirement in build_requires:
        assert canonicalize_name(requirement.name) in pins


def test_runtime_dependencies_are_capped_below_their_next_major() -> None:
    for line in pyproject()["project"]["dependencies"]:
        requirement = Requirement(line)
        caps = [s for s in requirement.specifier if s.operator == "<"]
        assert caps, f"{requirement.name} has no upper bound"
        (version, _) = locked()[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(version)


@pytest.mark.skipif(MAKE is None, reason="needs make")
def test_a_changed_lock_installs_again(tmp_path: Path) -> None:
    venv = tmp_path / "venv"

    # Not the variables of a make this runs under (make test-latest sets STAMP for its own).
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}

    def dry_run(*args: str) -> str:
        done = subprocess.run(
            [str(MAKE), "-n", *args, "lint", f"VENV={venv}"],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    first = dry_run()
    assert "pip install --quiet --require-hashes -r requirements-dev.txt" in first
    assert "pip install --quiet --no-deps --no-build-isolation -e ." in first
    (stamp,) = re.findall(rf"touch ({re.escape(str(venv))}/\.installed-\S+)", first)
    Path(stamp).parent.mkdir(parents=True)
    Path(stamp).touch()  # installed, and newer than the lock
    assert "pip install" not in dry_run()
    assert "pip install --quiet --require-hashes" in dry_run("-W", "requirements-dev.txt")


# --- the workflows --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "schema"),
    [
        (".github/workflows/ci.yml", "vendor.github-workflows"),
        (".github/workflows/release.yml", "vendor.github-workflows"),
        (".github/dependabot.yml", "vendor.dependabot"),
    ],
)
def test_github_files_are_valid(path: str, schema: str) -> None:
    assert CHECK_JSONSCHEMA.exists(), "check-jsonschema is a dev tool: make test installs it"
    checked = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", schema, str(REPO_ROOT / path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def steps_of(job: dict[str, Any]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = job["steps"]
    for step in steps:  # ${{ }} in a script is a script-injection risk: use env instead
        assert "${{" not in step.get("run", ""), step.get("name")
    return steps


def test_ci_runs_the_ci_script_and_the_newest_releases_weekly() -> None:
    ci = workflow("ci.yml")
    assert {"push", "pull_request", "schedule"} <= set(ci["on"])
    assert ci["permissions"] == {"contents": "read"}
    jobs = ci["jobs"]
    runs = {name: [s["run"] for s in steps_of(job) if "run" in s] for name, job in jobs.items()}
    (on_push,) = [n for n, r in runs.items() if any("bash .ci/run" in x for x in r)]
    (weekly,) = [n for n, r in runs.items() if any("make test-latest" in x for x in r)]
    assert "schedule" not in jobs[on_push]["if"] and "push" in jobs[on_push]["if"]
    assert "schedule" in jobs[weekly]["if"]


def test_release_tests_the_wheel_and_publishes_without_a_token() -> None:
    text = (WORKFLOWS / "release.yml").read_text(encoding="utf-8")
    release = workflow("release.yml")
    assert release["on"] == {"push": {"tags": ["v*"]}}
    assert release["permissions"] == {"contents": "read"}
    assert "secrets." not in text and "password" not in text
    jobs = release["jobs"]
    build = "\n".join(s.get("run", "") for s in steps_of(jobs["build"]))
    assert "--require-hashes -r requirements-dev.txt" in build
    assert "python -m build --no-isolation" in build

    test = "\n".join(s.get("run", "") for s in steps_of(jobs["test"]))
    assert jobs["test"]["needs"] == "build"
    for needed in ('ascready" --version', 'ascready" validate council', "pytest"):
        assert needed in test, needed
    assert "cp -R evidence" in test

    publish = jobs["publish"]
    assert set(publish["needs"]) == {"build", "test"}
    assert publish["environment"]["name"] == "pypi"
    assert publish["permissions"] == {"id-token": "write"}
    (upload,) = [s for s in steps_of(publish) if "gh-action-pypi-publish" in s.get("uses", "")]
    assert upload["uses"].startswith("pypa/gh-action-pypi-publish@")
    assert "with" not in upload  # trusted publishing: no token or password is passed
    # Only the publish job can ask for the OpenID Connect token.
    others = [j for name, j in jobs.items() if name != "publish"]
    assert all("id-token" not in j.get("permissions", {}) for j in others)


@pytest.mark.skipif(BASH is None, reason="needs bash")
def test_release_refuses_a_tag_that_is_not_the_version(tmp_path: Path) -> None:
    (step,) = [
        s for s in workflow("release.yml")["jobs"]["build"]["steps"] if "TAG" in s.get("env", {})
    ]
    dist = tmp_path / "dist"
    dist.mkdir()
    for name in (f"ascready-{__version__}-py3-none-any.whl", f"ascready-{__version__}.tar.gz"):
        (dist / name).touch()

    def run(tag: str) -> subprocess.CompletedProcess[str]:
        assert BASH is not None
        return subprocess.run(
            [BASH, "--noprofile", "--norc", "-e", "-c", step["run"]],
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "TAG": tag},
            capture_output=True,
            text=True,
            check=False,
        )

    assert run(f"v{__version__}").returncode == 0
    wrong = run("v99.0.0")
    assert wrong.returncode == 1
    assert "does not match the version" in wrong.stdout
