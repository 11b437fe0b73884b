"""The built wheel works on its own: installed in a fresh virtual environment, run from
outside the checkout, with templates/ and schemas/ inside it as package data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

from tests.conftest import REPO_ROOT


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, check=False)


def test_wheel_installs_and_validates_a_copy_of_the_example(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO_ROOT)],
        tmp_path,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("ascready-*.whl")

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    installed = _run([str(python), "-m", "pip", "install", "-q", str(wheel)], tmp_path)
    assert installed.returncode == 0, installed.stderr

    shutil.copytree(REPO_ROOT / "evidence", tmp_path / "council")
    ascready = str(env_dir / "bin" / "ascready")
    result = _run([ascready, "validate", "council"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No problems found" in result.stdout
    rendered = _run([ascready, "render", "council", "--format", "md"], tmp_path)
    assert rendered.returncode == 0, rendered.stderr  # built-in templates from the wheel
    assert rendered.stdout.startswith("# Avonmere Council: adult social care self-assessment")

    data = _run(
        [
            str(python),
            "-c",
            "from importlib.resources import files; import ascready; "
            "root = files('ascready'); "
            "print(ascready.__file__); "
            "print(sorted(p.name for p in (root / 'schemas').iterdir())); "
            "print((root / 'templates').is_dir(), "
            "(root / 'repository' / 'frameworks' / 'cqc-la-2024.yaml').is_file())",
        ],
        tmp_path,
    )
    assert data.returncode == 0, data.stderr
    location, schemas, flags = data.stdout.splitlines()
    assert str(REPO_ROOT) not in location  # the installed copy, not the checkout
    assert "evidence-item.schema.json" in schemas
    assert flags == "True True"
