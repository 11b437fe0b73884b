"""Files named like documents that are not ordinary files in the repository (issue 13, items 1,
2 and 12): a FIFO, a link to a device, a link to a file or folder outside, a huge file, a huge
git blob, and a repository whose own git configuration would run a command. None is read, none
hangs a command, and nothing of what a link outside points at is shown."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ascready.cli import app
from ascready.repository import yamlsafe
from tests.conftest import REPO_ROOT, git

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev are POSIX")
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

SECRET = "root-only-secret-line: do not show"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "evidence", root)
    return root


def validate(runner: CliRunner, repo: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", str(repo), *extra])
    return result.exit_code, " ".join(result.output.split())


@posix_only
def test_a_fifo_is_reported_not_waited_for(runner: CliRunner, repo: Path) -> None:
    os.mkfifo(repo / "evidence" / "x.yaml")
    code, out = validate(runner, repo)  # would hang for ever if the FIFO were opened to read
    assert code == 1
    assert "evidence/x.yaml:1:1 error [not-a-file] this is not a file but a named pipe" in out


@posix_only
def test_a_link_to_a_device_is_not_read(runner: CliRunner, repo: Path) -> None:
    os.symlink("/dev/zero", repo / "evidence" / "x.yaml")
    code, out = validate(runner, repo)
    assert code == 1
    assert "evidence/x.yaml:1:1 error [outside-repository]" in out


def test_a_link_to_a_file_outside_is_an_error_that_shows_none_of_it(
    runner: CliRunner, repo: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "passwd"
    secret.write_text(f"{SECRET}\n", encoding="utf-8")
    os.symlink(secret, repo / "evidence" / "zz.yaml")
    # A well-formed document outside, linked in, is refused too.
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "EV-999.yaml").write_text(
        (REPO_ROOT / "evidence/evidence/EV-001.yaml")
        .read_text(encoding="utf-8")
        .replace("EV-001", "EV-999"),
        encoding="utf-8",
    )
    os.symlink(outside / "EV-999.yaml", repo / "evidence" / "EV-999.yaml")
    code, out = validate(runner, repo)
    assert code == 1
    assert "evidence/zz.yaml:1:1 error [outside-repository]" in out
    assert "evidence/EV-999.yaml:1:1 error [outside-repository]" in out
    assert "root-only-secret" not in out
    rendered = runner.invoke(app, ["render", str(repo), "--format", "md"])
    assert "EV-999" not in rendered.output


def test_a_document_folder_linked_outside_is_not_read(
    runner: CliRunner, repo: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "a.yaml").write_text(f"id: M-1\ntitle: {SECRET}\n", encoding="utf-8")
    shutil.rmtree(repo / "metrics")
    os.symlink(outside, repo / "metrics")
    code, out = validate(runner, repo)
    assert code == 1
    assert "metrics/a.yaml:1:1 error [outside-repository]" in out
    assert "root-only-secret" not in out


def test_a_link_inside_the_repository_is_read(runner: CliRunner, repo: Path) -> None:
    target = repo / "evidence" / "EV-001.yaml"
    moved = repo / "evidence" / "originals"
    moved.mkdir()
    shutil.move(target, moved / "EV-001.yaml")
    os.symlink(Path("originals") / "EV-001.yaml", target)
    _, out = validate(runner, repo)
    assert "outside-repository" not in out
    assert "duplicate-id" in out  # read twice, as the same id: the link was followed


def test_a_huge_file_is_refused_without_being_read(runner: CliRunner, repo: Path) -> None:
    big = repo / "evidence" / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(3 * 1024**3)  # 3 GiB, sparse: reading it would take the memory
    code, out = validate(runner, repo)
    assert code == 1
    assert (
        "evidence/big.yaml:1:1 error [file-too-large] the file is 3.0 GiB; ascready reads "
        f"YAML files of up to {yamlsafe.MAX_FILE_BYTES // 1024 // 1024} MiB" in out
    )


@needs_git
@posix_only
def test_diff_of_a_branch_with_a_link_to_a_device_or_a_huge_blob(
    runner: CliRunner, repo: Path
) -> None:
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    git(repo, "checkout", "-qb", "pr")
    os.symlink("/dev/zero", repo / "evidence" / "x.yaml")
    # A 3 MiB YAML blob: its size is checked before git is asked for its bytes.
    (repo / "evidence" / "big.yaml").write_text("a: " + "x" * (3 * 1024 * 1024) + "\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "pr")
    result = runner.invoke(app, ["diff", "main", "pr", "--repo", str(repo)])
    out = " ".join(result.output.split())
    assert result.exit_code in (0, 1), out
    assert "evidence/x.yaml" in out and "outside-repository" in out
    assert "file-too-large" in out


@needs_git
def test_diff_runs_nothing_from_the_repository_git_configuration(
    runner: CliRunner, repo: Path, tmp_path: Path
) -> None:
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    ran = tmp_path / "ran"
    script = tmp_path / "hook.sh"
    script.write_text(f"#!/bin/sh\ntouch {ran}\ncat\n", encoding="utf-8")
    script.chmod(0o755)
    # The repository (handed over as a zip, say) asks git to run commands of its own.
    git(repo, "config", "core.fsmonitor", str(script))
    git(repo, "config", "diff.external", str(script))
    git(repo, "config", "filter.evil.clean", str(script))
    (repo / ".gitattributes").write_text("*.yaml filter=evil diff=evil\n", encoding="utf-8")
    git(repo, "config", "diff.evil.textconv", str(script))
    (repo / "evidence" / "EV-001.yaml").write_text(
        (repo / "evidence" / "EV-001.yaml").read_text(encoding="utf-8") + "# edited\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["diff", "HEAD", "--repo", str(repo)])
    assert result.exit_code in (0, 1), result.output
    assert not ran.exists()
