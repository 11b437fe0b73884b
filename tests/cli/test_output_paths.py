"""Where commands write: ``--out`` and ``--pack`` replace only a regular file (or ascready's own
pack), only with ``--force``; without it a file is created exclusively; and a disk that refuses
(full, read-only, no permission) is a plain message, with nothing left behind."""

from __future__ import annotations

import errno
import os
import socket
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ascready.cli import app
from ascready.document import pack as pack_module
from ascready.document import render as render_module
from ascready.io import writing

MakeRepo = Callable[..., Path]


def _render(runner: CliRunner, root: Path, *args: str) -> Any:
    return runner.invoke(app, ["render", str(root), *args])


def _no_traceback(result: Any) -> None:
    """The command ended with a message, not an exception."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


def _listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


# --- what --out may name ---------------------------------------------------------------------


def test_a_folder_named_by_out_is_refused_with_or_without_force(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    root = make_repo()
    folder = root.parent / "reports"
    (folder / "kept.txt").parent.mkdir()
    (folder / "kept.txt").write_text("mine\n", encoding="utf-8")
    for force in ([], ["--force"]):
        result = _render(runner, root, "--out", str(folder), *force)
        _no_traceback(result)
        assert result.exit_code == 2
        assert f"{folder} is a folder, not a file" in result.stderr
    assert _listing(folder) == ["kept.txt"]


def test_a_pipe_at_out_is_refused_even_with_force(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo()
    fifo = root.parent / "out.html"
    os.mkfifo(fifo)
    result = _render(runner, root, "--out", str(fifo), "--force")
    _no_traceback(result)
    assert result.exit_code == 2
    assert "is not a regular file (it is a device, a pipe or a socket)" in result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="mknod needs root")
def test_a_device_at_out_is_never_replaced_even_as_root_with_force(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    root = make_repo()
    device = root.parent / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what /dev/null is
    for command in (
        ["render", str(root), "--out", str(device), "--force"],
        ["gaps", str(root), "--format", "json", "--out", str(device), "--force"],
        ["render", str(root), "--pack", str(device), "--force"],
    ):
        result = runner.invoke(app, command)
        _no_traceback(result)
        assert result.exit_code == 2, command
        assert str(device) in result.stderr
        assert stat.S_ISCHR(os.lstat(device).st_mode), command


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="needs Unix sockets")
def test_a_socket_at_out_is_refused(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo()
    path = root.parent / "s.html"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        result = _render(runner, root, "--out", str(path), "--force")
    assert result.exit_code == 2
    assert "is not a regular file" in result.stderr


def test_a_link_at_out_is_an_existing_file_and_force_replaces_the_link_not_its_target(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    root = make_repo()
    dangling = root.parent / "out.html"
    nowhere = root.parent / "nowhere.html"
    dangling.symlink_to(nowhere)
    refused = _render(runner, root, "--out", str(dangling))
    assert refused.exit_code == 2
    assert f"{dangling} already exists (as a link); run again with --force" in refused.stderr
    assert dangling.is_symlink()
    assert not nowhere.exists()

    replaced = _render(runner, root, "--out", str(dangling), "--force")
    assert replaced.exit_code == 0, replaced.output
    assert not dangling.is_symlink()
    assert "<html" in dangling.read_text(encoding="utf-8")
    assert not nowhere.exists()  # never written through the link

    theirs = root.parent / "theirs.html"
    theirs.write_text("someone else's file\n", encoding="utf-8")
    link = root.parent / "link.html"
    link.symlink_to(theirs)
    assert _render(runner, root, "--out", str(link), "--force").exit_code == 0
    assert not link.is_symlink()
    assert theirs.read_text(encoding="utf-8") == "someone else's file\n"


def test_without_force_a_file_that_appears_while_rendering_is_not_replaced(
    runner: CliRunner, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two renders to the same new name: the one that finishes second is refused, so the
    internal document never ends up under the public one's name."""
    root = make_repo()
    out = root.parent / "same.html"
    real = render_module.render_project

    def the_other_render_finishes_first(
        project: Any, fmt: str, audience: str, **options: Any
    ) -> bytes:
        out.write_text("the public document, written by the other run\n", encoding="utf-8")
        return real(project, fmt, audience, **options)

    monkeypatch.setattr(render_module, "render_project", the_other_render_finishes_first)
    result = _render(runner, root, "--audience", "internal", "--out", str(out))
    _no_traceback(result)
    assert result.exit_code == 2
    assert f"{out} already exists" in result.stderr
    assert "Wrote" not in result.stderr
    assert out.read_text(encoding="utf-8") == "the public document, written by the other run\n"
    assert [p.name for p in root.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_two_exports_to_one_new_name_one_wins_the_other_is_refused(
    runner: CliRunner, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same for a workbook, at the level of the writer: the name is taken between the
    check and the write."""
    out = make_repo().parent / "register.xlsx"
    real = writing.create_exclusively

    def taken_first(path: Path, payload: bytes) -> None:
        real(path, b"the other run's workbook")
        real(path, payload)

    monkeypatch.setattr(writing, "create_exclusively", taken_first)
    result = runner.invoke(app, ["export", str(out.parent / "repo"), "--out", str(out)])
    _no_traceback(result)
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert out.read_bytes() == b"the other run's workbook"


# --- the disk refuses ---------------------------------------------------------------------


def _refuse(monkeypatch: pytest.MonkeyPatch, call: str, code: int, under: Path) -> None:
    """Make ``os.<call>`` fail with ``code`` for paths under ``under``, as a full or
    read-only disk would."""
    real = getattr(os, call)

    def refusing(*args: Any, **kwargs: Any) -> Any:
        first = args[0]
        if isinstance(first, int) or str(first).startswith(str(under)):
            raise OSError(code, os.strerror(code), None if isinstance(first, int) else first)
        return real(*args, **kwargs)

    monkeypatch.setattr(os, call, refusing)


@pytest.mark.parametrize(
    ("call", "code", "words"),
    [
        ("fsync", errno.ENOSPC, "the disk is full"),
        ("open", errno.EROFS, "the disk is read-only"),
        ("open", errno.EACCES, "permission denied"),
    ],
)
@pytest.mark.parametrize(
    "command",
    [
        ["render", "{repo}", "--out", "{out}/doc.html"],
        ["gaps", "{repo}", "--format", "json", "--out", "{out}/gaps.json"],
        ["export", "{repo}", "--out", "{out}/register.xlsx"],
        ["render", "{repo}", "--pack", "{out}/pack.zip"],
    ],
)
def test_a_disk_that_refuses_is_a_plain_message_and_nothing_is_left(
    runner: CliRunner,
    make_repo: MakeRepo,
    monkeypatch: pytest.MonkeyPatch,
    call: str,
    code: int,
    words: str,
    command: list[str],
) -> None:
    root = make_repo()
    out = root.parent / "out"
    out.mkdir()
    args = [a.format(repo=root, out=out) for a in command]
    _refuse(monkeypatch, call, code, out)
    result = runner.invoke(app, args)
    _no_traceback(result)
    assert result.exit_code == 1
    assert f"{args[-1]} could not be written: {words}" in result.stderr
    assert _listing(out) == []


def test_a_refusal_leaves_no_folder_made_for_the_file(
    runner: CliRunner, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo()
    target = root.parent / "new" / "deeper" / "doc.html"
    _refuse(monkeypatch, "fsync", errno.ENOSPC, root.parent / "new")
    result = _render(runner, root, "--out", str(target))
    assert result.exit_code == 1
    assert "the disk is full" in result.stderr
    assert not (root.parent / "new").exists()


# --- the pack -------------------------------------------------------------------------------


def _a_pack_from_last_week(pack: Path) -> None:
    (pack / "99-old-item").mkdir(parents=True)
    (pack / "99-old-item" / "stale.pdf").write_bytes(b"from last week")
    (pack / "index.md").write_text("# Information return pack: last week\n", encoding="utf-8")


def test_a_pack_named_through_dot_dot_replaces_the_old_one_and_leaves_nothing_beside_it(
    runner: CliRunner, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo()
    monkeypatch.chdir(root.parent)
    _a_pack_from_last_week(root.parent / "out")
    result = _render(runner, root, "--pack", "out/../out", "--force")
    _no_traceback(result)
    assert result.exit_code == 0, result.output
    assert "99-old-item" not in _listing(root.parent / "out")
    assert "index.md" in _listing(root.parent / "out")
    assert sorted(p.name for p in root.parent.iterdir()) == ["out", "repo"]


def test_a_pack_that_fails_part_way_keeps_the_old_one_and_leaves_nothing_beside_it(
    runner: CliRunner, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo()
    pack = root.parent / "pack"
    _a_pack_from_last_week(pack)
    before = _listing(pack)

    def disk_full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pack_module.shutil, "copyfileobj", disk_full)
    result = _render(runner, root, "--pack", str(pack), "--force")
    _no_traceback(result)
    assert result.exit_code == 1
    assert f"{pack} could not be written: the disk is full" in result.stderr
    assert _listing(pack) == before
    assert sorted(p.name for p in root.parent.iterdir()) == ["pack", "repo"]


def test_force_replaces_only_a_pack_ascready_made(
    runner: CliRunner, make_repo: MakeRepo, tmp_path: Path
) -> None:
    root = make_repo()
    theirs = tmp_path / "documents"
    (theirs / "budget.xlsx").parent.mkdir()
    (theirs / "budget.xlsx").write_bytes(b"the finance team's")
    result = _render(runner, root, "--pack", str(theirs), "--force")
    _no_traceback(result)
    assert result.exit_code == 2
    assert "is a folder that is not a pack ascready made" in result.stderr
    assert _listing(theirs) == ["budget.xlsx"]
    # A file where the pack folder would go is not replaced either.
    a_file = tmp_path / "pack"
    a_file.write_text("notes\n", encoding="utf-8")
    result = _render(runner, root, "--pack", str(a_file), "--force")
    assert result.exit_code == 2
    assert a_file.read_text(encoding="utf-8") == "notes\n"


def test_a_pack_folder_made_meanwhile_by_someone_else_is_not_taken(
    runner: CliRunner, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo()
    pack = root.parent / "pack"
    real = pack_module._existing_pack

    def the_other_run_is_quicker(out: Path, *, force: bool) -> bool:
        found = real(out, force=force)
        _a_pack_from_last_week(out)
        return found

    monkeypatch.setattr(pack_module, "_existing_pack", the_other_run_is_quicker)
    result = _render(runner, root, "--pack", str(pack))
    _no_traceback(result)
    assert result.exit_code == 2
    assert f"{pack} already exists" in result.stderr
    assert _listing(pack) == ["99-old-item", "99-old-item/stale.pdf", "index.md"]
    assert sorted(p.name for p in root.parent.iterdir()) == ["pack", "repo"]


def test_a_link_loop_under_files_is_listed_as_missing_in_the_pack(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    root = make_repo()
    looped = root / "files" / "carers-strategy.md"
    looped.unlink()
    looped.symlink_to(looped.name)  # a link to itself
    pack = root.parent / "pack"
    result = _render(runner, root, "--pack", str(pack))
    _no_traceback(result)
    assert result.exit_code == 1
    assert "files/carers-strategy.md (a link that loops)" in result.stderr
    index = (pack / "index.md").read_text(encoding="utf-8")
    assert "MISSING: EV-001" in index
    assert "(a link that loops)" in index


# --- the error boundary -----------------------------------------------------------------


def test_a_refusal_of_the_system_anywhere_is_a_plain_message_not_a_bug(
    runner: CliRunner, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ascready.repository import loader

    root = make_repo()

    def unreadable(path: Path) -> Path:
        raise PermissionError(errno.EACCES, "Permission denied", str(root / "ascready.yaml"))

    monkeypatch.setattr(loader, "find_repository", unreadable)
    result = runner.invoke(app, ["gaps", str(root)])
    _no_traceback(result)
    assert result.exit_code == 1
    assert f"{root / 'ascready.yaml'} could not be read or written: permission denied" in (
        result.stderr
    )

    def a_bug(path: Path) -> Path:
        raise OSError(errno.EBADF, "Bad file descriptor")

    monkeypatch.setattr(loader, "find_repository", a_bug)
    result = runner.invoke(app, ["gaps", str(root)])
    assert isinstance(result.exception, OSError)  # left for cli.main to report as a bug


def test_a_pack_lists_sources_that_are_not_files_or_not_in_the_repository(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    root = make_repo()
    ev = root / "evidence" / "EV-001.yaml"
    original = ev.read_text(encoding="utf-8")
    ev.write_text(original.replace("source: files/carers-strategy.md", "source: files"), "utf-8")
    pack = root.parent / "pack"
    result = _render(runner, root, "--pack", str(pack))
    assert result.exit_code == 1
    assert "EV-001 files (not a file)" in result.stderr

    ev.write_text(original, encoding="utf-8")
    (root / "files" / "carers-strategy.md").rename(root.parent / "elsewhere.md")
    (root / "files" / "carers-strategy.md").symlink_to(root.parent / "elsewhere.md")
    result = _render(runner, root, "--pack", str(pack), "--force")
    assert result.exit_code == 1
    assert "files/carers-strategy.md (outside the repository)" in result.stderr


def test_an_empty_folder_may_take_the_pack_with_force_and_a_link_may_not(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    root = make_repo()
    empty = root.parent / "empty"
    empty.mkdir()
    refused = _render(runner, root, "--pack", str(empty))
    assert refused.exit_code == 2
    assert "already exists; run again with --force" in refused.stderr
    assert _render(runner, root, "--pack", str(empty), "--force").exit_code == 0
    assert "index.md" in _listing(empty)
    link = root.parent / "link"
    link.symlink_to(empty)
    result = _render(runner, root, "--pack", str(link), "--force")
    assert result.exit_code == 2
    assert f"{link} is a link; name the folder for the pack itself" in result.stderr
    assert link.is_symlink()


def test_a_pack_named_with_a_trailing_dot_dot_is_the_folder_it_names(
    runner: CliRunner, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo()
    _a_pack_from_last_week(root.parent / "out")
    (root.parent / "out" / "sub").mkdir()
    monkeypatch.chdir(root.parent)
    result = _render(runner, root, "--pack", "out/sub/..", "--force")
    assert result.exit_code == 0, result.output
    assert "99-old-item" not in _listing(root.parent / "out")
    assert sorted(p.name for p in root.parent.iterdir()) == ["out", "repo"]
    looped = root.parent / "loop"
    looped.symlink_to(looped.name)
    result = _render(runner, root, "--pack", "loop/pack")
    assert result.exit_code == 2
    assert "its path has links that loop" in result.stderr


def test_a_source_that_cannot_be_read_as_the_pack_is_written_stops_it(
    runner: CliRunner, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo()
    real_open = open

    def unreadable(path: Any, *args: Any, **kwargs: Any) -> Any:
        if str(path).endswith("carers-strategy.md"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", unreadable)
    for name in ("pack", "pack.zip"):
        result = _render(runner, root, "--pack", str(root.parent / "new" / name))
        _no_traceback(result)
        assert result.exit_code == 1
        assert "carers-strategy.md could not be read for the pack: permission denied" in (
            result.stderr
        )
        assert not (root.parent / "new").exists()


def test_an_old_pack_that_cannot_be_put_back_is_kept_and_named(
    runner: CliRunner, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo()
    pack = root.parent / "pack"
    _a_pack_from_last_week(pack)
    real = os.replace

    def the_disk_fails_after_the_old_pack_moved_aside(src: Any, dst: Any) -> None:
        if Path(dst) == pack:  # neither the new pack nor the old one gets back in place
            raise OSError(errno.EIO, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(os, "replace", the_disk_fails_after_the_old_pack_moved_aside)
    result = _render(runner, root, "--pack", str(pack), "--force")
    _no_traceback(result)
    assert result.exit_code == 1
    assert "the disk reported an input/output error. The previous pack is in " in result.stderr
    [aside] = [p for p in root.parent.iterdir() if p.name.endswith(".old")]
    assert str(aside) in result.stderr
    assert _listing(aside) == ["99-old-item", "99-old-item/stale.pdf", "index.md"]
    assert not [p for p in root.parent.iterdir() if p.name.endswith(".tmp")]
