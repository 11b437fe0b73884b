"""Shared test helpers: a CLI runner, file trees, and the small fixture repository."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from typer.testing import CliRunner

FIXTURES = Path(__file__).parent / "fixtures"
BASE = FIXTURES / "base"
REPO_ROOT = Path(__file__).parent.parent


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
