"""The console entry point when something goes wrong inside ascready, or the user presses Ctrl-C.

A bug is injected: the function ``validate`` calls is replaced by one that raises.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from ascready.analysis import pipeline
from ascready.cli import main

MakeRepo = Callable[..., Path]

INTERNAL = (
    "error: ascready hit an internal problem (RuntimeError: injected by the test).\n"
    "This is a bug in ascready, not in your files. Please report it; run again with "
    "ASCREADY_DEBUG=1 to see the details.\n"
)


def _run_with_a_bug(tmp_path: Path, root: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m ascready validate`` as a user runs it, with a bug planted at start-up."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        textwrap.dedent(
            """
            import ascready.analysis.pipeline as pipeline

            def broken(*args, **kwargs):
                raise RuntimeError("injected by the test")

            pipeline.validate_repository = broken
            """
        ),
        encoding="utf-8",
    )
    path = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH")) if p)
    base = {k: v for k, v in os.environ.items() if k != "ASCREADY_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "ascready", "validate", str(root)],
        capture_output=True,
        text=True,
        env={**base, "NO_COLOR": "1", "PYTHONPATH": path, **env},
        check=False,
    )


def test_a_bug_exits_3_with_a_plain_message(tmp_path: Path, make_repo: MakeRepo) -> None:
    proc = _run_with_a_bug(tmp_path, make_repo())
    assert proc.returncode == 3
    assert proc.stderr == INTERNAL
    assert proc.stdout == ""


def test_ascready_debug_shows_the_traceback(tmp_path: Path, make_repo: MakeRepo) -> None:
    proc = _run_with_a_bug(tmp_path, make_repo(), ASCREADY_DEBUG="1")
    assert proc.returncode == 1  # Python's own exit status for an uncaught exception
    assert proc.stderr.startswith("Traceback (most recent call last):")
    assert proc.stderr.rstrip().endswith("RuntimeError: injected by the test")
    assert "internal problem" not in proc.stderr


def _main_with(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: BaseException
) -> tuple[object, str]:
    def broken(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(pipeline, "validate_repository", broken)
    monkeypatch.setattr(sys, "argv", ["ascready", "validate", "."])
    with pytest.raises(SystemExit) as stopped:
        main()
    return stopped.value.code, capsys.readouterr().err


def test_a_bug_in_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ASCREADY_DEBUG", raising=False)
    code, err = _main_with(monkeypatch, capsys, RuntimeError("injected by the test"))
    assert (code, err) == (3, INTERNAL)


def test_ctrl_c_exits_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _main_with(monkeypatch, capsys, KeyboardInterrupt())
    assert code == 130
    assert "Traceback" not in err


def test_ctrl_c_says_stopped(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _main_with(monkeypatch, capsys, KeyboardInterrupt())
    assert (code, err) == (130, "Stopped.\n")
