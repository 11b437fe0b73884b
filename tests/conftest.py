"""Shared test helpers: a CLI runner, file trees, the small fixture repository, and git."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from typer.testing import CliRunner

FIXTURES = Path(__file__).parent / "fixtures"
BASE = FIXTURES / "base"
REPO_ROOT = Path(__file__).parent.parent

#: What tests/test_fuzz.py ran (repositories, commands, seconds), for the summary at the end.
FUZZ_STATS = pytest.StashKey[dict[str, float]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite expected.txt files and golden documents from the current output.",
    )


def pytest_configure(config: pytest.Config) -> None:
    # A golden rewritten from the current output always matches it: in CI that would turn
    # every changed message into a pass.
    if config.getoption("--update-golden") and os.environ.get("CI", "").lower() in ("true", "1"):
        raise pytest.UsageError(
            "--update-golden is refused when CI is set: it rewrites the expected output from "
            "the current output, so the tests it touches cannot fail. Run it on your own "
            "machine, read the diff and commit it."
        )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    stats = terminalreporter.config.stash.get(FUZZ_STATS, None)
    if not stats:
        return
    per = ", ".join(
        f"{name} {int(n):,}"
        for name, n in stats.items()
        if name not in ("repositories", "commands", "command seconds", "seconds")
    )
    terminalreporter.write_line(
        f"fuzz: {int(stats['repositories']):,} mutated repositories, "
        f"{int(stats.get('commands', 0)):,} commands ({per}) in {stats.get('seconds', 0):.0f} s "
        f"({stats.get('command seconds', 0):.0f} s in the commands)"
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write files under root; text is dedented, bytes are written as they are."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    """A copy of the small valid fixture repository, with files added or replaced."""

    def make(files: Mapping[str, str | bytes] | None = None, *, name: str = "repo") -> Path:
        root = tmp_path / name
        shutil.copytree(BASE, root)
        return write_tree(root, files or {})

    return make


def git(cwd: Path, *args: str, stdin: str | None = None) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    proc = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout


@pytest.fixture
def clone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository whose evidence/ folder is a copy of the bundled example, committed."""
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    top = tmp_path / "council"
    top.mkdir()
    git(top, "init", "-q")
    shutil.copytree(REPO_ROOT / "evidence", top / "evidence")
    (top / "README.md").write_text("Our evidence.\n")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "base")
    return top / "evidence"
