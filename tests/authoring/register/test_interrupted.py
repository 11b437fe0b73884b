"""An import killed part way (SIGKILL: no chance to clean up) never leaves a half-imported
repository behind unnoticed, nothing git would stage, and the next run lands the import whole,
once.

A real ``ascready import`` of a 300-row register without ids (so the ids are given by the
import, the case where a re-run used to import every row a second time) runs in a subprocess on
a slowed-down disk (every fsync and hard link takes a millisecond more, as on a network drive),
so that the test can see each stage on the file system and kill the process there. Whatever
moment the kill lands on, the outcome asserted is the same.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")

ROWS = 300
STAGING = ".ascready-staging"

#: ascready's own entry point, on a disk where each fsync and hard link takes longer (1 ms, or
#: the seconds in SLOW_DISK).
SLOW_DISK = """
import os, sys, time
delay = float(os.environ.get("SLOW_DISK", "0.001"))
fsync, link = os.fsync, os.link
os.fsync = lambda fd: (time.sleep(delay), fsync(fd))[1]
os.link = lambda *a, **k: (time.sleep(delay), link(*a, **k))[1]
sys.argv = ["ascready", *sys.argv[1:]]
from ascready.cli import main
main()
"""

MAPPING = (
    "sheets:\n"
    "  - kind: evidence\n"
    "    columns: {title: Document, quality_statements: QS, categories: Category}\n"
    "    defaults: {kind: document, classification: official}\n"
)


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    done = subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True, env=env
    )
    return done.stdout


def snapshot(root: Path, *, skip: tuple[str, ...] = (".git",)) -> dict[str, bytes]:
    """Every file under root with its bytes (but those under ``skip``)."""
    return {
        rel: p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and (rel := p.relative_to(root).as_posix()).split("/")[0] not in skip
    }


def ascready(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ascready", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
        timeout=300,
    )


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, dict[str, bytes]]:
    """A committed git repository, the register and mapping, and the tree a full import of the
    register into the repository leaves."""
    base = tmp_path_factory.mktemp("interrupted")
    repo = base / "repo"
    repo.mkdir()
    shutil.copy(REPO_ROOT / "evidence" / "ascready.yaml", repo / "ascready.yaml")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "profile")
    register = base / "register.csv"
    register.write_text(
        "Document,QS,Category\n"
        + "".join(f"Document {n},QS{n % 9 + 1},Processes\n" for n in range(1, ROWS + 1)),
        encoding="utf-8",
    )
    mapping = base / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    full = base / "full"
    shutil.copytree(repo, full)
    done = ascready("import", str(register), "--mapping", str(mapping), "--repo", str(full))
    assert done.returncode == 0, done.stderr
    reference = snapshot(full)
    assert len([p for p in reference if p.startswith("evidence/")]) == ROWS
    return repo, register, mapping, reference


def evidence_files(repo: Path) -> int:
    folder = repo / "evidence"
    return len(os.listdir(folder)) if folder.is_dir() else 0


def staged(repo: Path) -> bool:
    base = repo / STAGING
    return base.is_dir() and any(p.name.startswith("write-") for p in base.iterdir())


def journal(repo: Path) -> bool:
    return any((repo / STAGING).glob("write-*/journal.json"))


def kill_when(condition: Callable[[], bool], args: list[str], delay: str = "0.001") -> None:
    """Run ascready on the slow disk, and SIGKILL it as soon as ``condition`` holds (or let it
    finish, if it finishes first)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_DISK, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "SLOW_DISK": delay},
    )
    while proc.poll() is None:
        if condition():
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.0005)
    proc.wait(timeout=300)


@pytest.mark.parametrize(
    "moment",
    ["while staging", "once the journal is written", "after 100 files", "after 250 files"],
)
def test_a_killed_import_is_never_left_half_done_and_the_next_run_lands_it_once(
    setup: tuple[Path, Path, Path, dict[str, bytes]], tmp_path: Path, moment: str
) -> None:
    original, register, mapping, reference = setup
    repo = tmp_path / "repo"
    shutil.copytree(original, repo)
    before = snapshot(repo)
    conditions: dict[str, Callable[[], bool]] = {
        "while staging": lambda: staged(repo),
        "once the journal is written": lambda: journal(repo),
        "after 100 files": lambda: evidence_files(repo) >= 100,
        "after 250 files": lambda: evidence_files(repo) >= 250,
    }
    args = ["import", str(register), "--mapping", str(mapping), "--repo", str(repo)]
    kill_when(conditions[moment], args)

    # Nothing git would stage but the import's own files: no .tmp, no staging folder.
    untracked = git(repo, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert all(line.startswith("?? evidence/EV-") for line in untracked), untracked
    assert not [p for p in repo.rglob("*.tmp") if STAGING not in p.parts]

    after = snapshot(repo, skip=(".git", STAGING))
    if after != before:
        # Part of it is there: validate must say so, and what to do.
        check = ascready("validate", str(repo), "--format", "json")
        assert check.returncode == 1
        assert '"check": "interrupted-write"' in check.stdout
        assert "Run the same command again" in check.stdout

    again = ascready(*args)
    assert again.returncode == 0, again.stderr
    assert snapshot(repo) == reference  # the whole import, once: no row twice, no staging left
    if after != before:
        assert "was interrupted before it finished, so it has been undone" in again.stderr
    assert ascready("validate", str(repo)).returncode == 0


def test_a_run_while_another_is_writing_is_refused_not_mixed_in(
    setup: tuple[Path, Path, Path, dict[str, bytes]], tmp_path: Path
) -> None:
    """A second ascready command that writes, started while one is writing, does not take the
    first one's work for an interrupted write: it is refused and changes nothing."""
    original, register, mapping, reference = setup
    repo = tmp_path / "repo"
    shutil.copytree(original, repo)
    args = ["import", str(register), "--mapping", str(mapping), "--repo", str(repo)]
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_DISK, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "SLOW_DISK": "0.02"},  # six seconds to put the files in place
    )
    try:
        while proc.poll() is None and not journal(repo):
            time.sleep(0.0005)
        second = ascready(*args)
    finally:
        assert proc.wait(timeout=300) == 0
    assert second.returncode == 1
    assert "another ascready command is writing into this repository" in second.stderr
    assert snapshot(repo) == reference


INIT = ["--council", "Avonmere Council", "--ons-code", "E06000999", "--region", "South West"]


@pytest.mark.parametrize("files", [1, 30])
def test_a_killed_init_leaves_no_half_repository_and_can_be_run_again(
    tmp_path: Path, files: int
) -> None:
    """``init`` (issue 13, item 7) writes with the same writer: killed once ``files`` of its
    files are in place, the next ``init`` of the same folder undoes it and makes the whole
    repository."""
    done = ascready("init", str(tmp_path / "reference"), *INIT)
    assert done.returncode == 0, done.stderr
    reference = snapshot(tmp_path / "reference")
    target = tmp_path / "council"

    def placed() -> int:
        if not target.is_dir():
            return 0
        return sum(1 for p in target.rglob("*") if p.is_file() and STAGING not in p.parts)

    kill_when(lambda: placed() >= files, ["init", str(target), *INIT], delay="0.005")
    assert placed() < len(reference)  # killed part way, not after
    again = ascready("init", str(target), *INIT)
    assert again.returncode == 0, again.stderr
    assert "ascready init" in again.stderr and "has been undone" in again.stderr
    assert snapshot(target) == reference
