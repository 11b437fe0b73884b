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
from ascready.cli.common import plain_console_streams, undecodable_argument

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


EXAMPLE = Path(__file__).resolve().parents[2] / "evidence"


def _ascready(*args: str | bytes, **env: str) -> subprocess.CompletedProcess[bytes]:
    """``python -m ascready ARGS`` as a user runs it, output as bytes."""
    base = {k: v for k, v in os.environ.items() if k != "ASCREADY_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "ascready", *args],
        capture_output=True,
        env={**base, "NO_COLOR": "1", "COLUMNS": "120", **env},
        check=False,
    )


def test_a_terminal_that_cannot_encode_every_character_still_gets_the_report() -> None:
    proc = _ascready("gaps", str(EXAMPLE), "--full", PYTHONIOENCODING="ascii", COLUMNS="80")
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    text = proc.stdout.decode("ascii")  # nothing but ASCII was written
    assert "Avonmere Council: CQC readiness" in text
    assert "..." in text  # where a narrow table cuts a title short (\u2026 in UTF-8)


def test_a_document_printed_to_an_ascii_terminal_is_the_same_text_in_plain_characters() -> None:
    args = ("render", str(EXAMPLE), "--format", "md")
    proc = _ascready(*args, PYTHONIOENCODING="ascii")
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    in_utf8 = _ascready(*args, PYTHONIOENCODING="utf-8").stdout.decode("utf-8")
    assert "\u2013" in in_utf8  # a character ASCII lacks, which the test is about
    plain_console_streams()
    assert proc.stdout == in_utf8.encode("ascii", "ascready-plain")
    assert b" - " in proc.stdout


def test_an_argument_that_is_not_utf8_is_refused_in_plain_words(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "ascready.yaml").write_bytes((EXAMPLE / "ascready.yaml").read_bytes())
    before = sorted(p.name for p in repo.rglob("*"))
    proc = _ascready(
        "new", "action", "--title", "Review", "--owner", b"Ren\xe9e", "--repo", str(repo)
    )
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2, err
    assert "the argument 'Ren\\xe9e' is not UTF-8 text" in err
    assert "internal problem" not in err
    assert sorted(p.name for p in repo.rglob("*")) == before


def test_the_plain_form_of_characters_a_stream_cannot_encode() -> None:
    plain_console_streams()  # registers the error handler
    text = "Ready\u2026 \u2013 Bront\u00eb \u2603 caf\udce9"
    assert text.encode("ascii", "ascready-plain") == b"Ready... - Bronte ? caf\\xe9"
    assert text.encode("utf-8", "ascready-plain").endswith(b"caf\\xe9")
    with pytest.raises(UnicodeDecodeError):
        b"\xff".decode("utf-8", "ascready-plain")
    assert undecodable_argument(["validate", "caf\u00e9"]) is None


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_to_a_full_disk_is_a_plain_message() -> None:
    with open("/dev/full", "wb") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "ascready", "gaps", str(EXAMPLE), "--format", "json"],
            stdout=full,
            stderr=subprocess.PIPE,
            check=False,
        )
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 1, err
    assert "error: the output could not be written: the disk is full" in err
    assert "internal problem" not in err


def test_main_refuses_an_argument_that_is_not_utf8(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["ascready", "validate", "caf\udce9"])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 2
    assert "the argument 'caf\\xe9' is not UTF-8 text" in capsys.readouterr().err
