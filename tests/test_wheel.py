"""The built wheel works on its own: installed in a fresh virtual environment, run from
outside the checkout, with templates/ and schemas/ inside it as package data.

Nothing is downloaded, so the test runs offline and sees exactly the locked versions: the
wheel is built with the hatchling of the lock (requirements-dev.txt) without build isolation,
and the fresh environment gets its dependencies from the test's own environment (a .pth file
names its site-packages) rather than from PyPI. ``pip check`` there shows that the wheel's
declared dependencies accept those versions. The release workflow installs the wheel with its
dependencies from PyPI, as a council's CI does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

from tests.conftest import REPO_ROOT


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, check=False)


def build_wheel(dist: Path) -> Path:
    """Build ascready's wheel from the checkout into ``dist``, downloading nothing."""
    built = _run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist)],
        REPO_ROOT,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = dist.glob("ascready-*.whl")
    return wheel


def test_wheel_installs_and_validates_a_copy_of_the_example(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path / "dist")

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(
        sysconfig.get_path("purelib", vars={"base": str(env_dir), "platbase": str(env_dir)})
    )
    # The locked dependencies, after the environment's own site-packages (so the wheel's
    # ascready comes first). .pth files there are not run, so the checkout's editable install
    # of ascready stays out.
    (site / "locked-deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    installed = _run(
        [*pip, "install", "-q", "--no-deps", "--no-index", "--ignore-installed", str(wheel)],
        tmp_path,
    )
    assert installed.returncode == 0, installed.stderr
    checked = _run([*pip, "check"], tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    shutil.copytree(REPO_ROOT / "evidence", tmp_path / "council")
    ascready = str(env_dir / "bin" / "ascready")
    result = _run([ascready, "validate", "council"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No problems found" in result.stdout
    rendered = _run([ascready, "render", "council", "--format", "md"], tmp_path)
    assert rendered.returncode == 0, rendered.stderr  # built-in templates from the wheel
    assert rendered.stdout.startswith("# Avonmere Council adult social care self-assessment")

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
    assert Path(location).is_relative_to(site)  # the installed copy, not the checkout
    assert "evidence-item.schema.json" in schemas
    assert flags == "True True"
