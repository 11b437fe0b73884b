"""Writing a set of files: all of them or none, never over a file that exists, nothing left
half-written, permissions as the user expects."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ascready.errors import OutputExistsError, OutputPathError, WriteError
from ascready.io import recovery, staging, writing
from ascready.io.writing import write_atomically, write_files


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes, temporary files included."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def folders(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}


@pytest.fixture
def umask_027() -> Iterator[None]:
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)


def test_creates_and_replaces_are_all_written(tmp_path: Path) -> None:
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "M-01.yaml").write_text("value: 1\n", encoding="utf-8")
    written = write_files(
        tmp_path,
        creates={"evidence/EV-001.yaml": "id: EV-001\n", "evidence/sub/EV-002.yaml": b"id: 2\n"},
        replaces={"metrics/M-01.yaml": "value: 2\n"},
    )
    assert written == [
        tmp_path / "evidence/EV-001.yaml",
        tmp_path / "evidence/sub/EV-002.yaml",
        tmp_path / "metrics/M-01.yaml",
    ]
    assert tree(tmp_path) == {
        "evidence/EV-001.yaml": b"id: EV-001\n",
        "evidence/sub/EV-002.yaml": b"id: 2\n",
        "metrics/M-01.yaml": b"value: 2\n",
    }


@pytest.mark.skipif(os.name != "posix", reason="permissions are POSIX")
@pytest.mark.usefixtures("umask_027")
def test_a_new_file_gets_what_the_umask_allows_and_a_replaced_one_keeps_its_mode(
    tmp_path: Path,
) -> None:
    kept = tmp_path / "kept.yaml"
    kept.write_text("old\n", encoding="utf-8")
    kept.chmod(0o600)
    write_files(tmp_path, creates={"new.yaml": "new\n"}, replaces={"kept.yaml": "new\n"})
    write_atomically(tmp_path / "out.xlsx", b"data", force=False)
    assert stat.S_IMODE((tmp_path / "new.yaml").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "out.xlsx").stat().st_mode) == 0o640
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_a_file_to_create_that_exists_is_never_replaced_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    (tmp_path / "actions").mkdir()
    theirs = tmp_path / "actions" / "ACT-02.yaml"
    theirs.write_text("someone else's work\n", encoding="utf-8")
    with pytest.raises(OutputExistsError) as refused:
        write_files(
            tmp_path,
            creates={
                "evidence/EV-001.yaml": "a\n",
                "actions/ACT-02.yaml": "b\n",
                "actions/ACT-03.yaml": "c\n",
            },
        )
    assert refused.value.message == "actions/ACT-02.yaml already exists; nothing was written"
    assert tree(tmp_path) == {"actions/ACT-02.yaml": b"someone else's work\n"}
    assert folders(tmp_path) == {"actions"}  # evidence/, made by this run, is gone again


def test_a_failure_part_way_puts_everything_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "metrics").mkdir()
    for name in ("A.yaml", "B.yaml"):
        (tmp_path / "metrics" / name).write_text(f"old {name}\n", encoding="utf-8")
    before = tree(tmp_path)
    real = writing._move_over
    calls: list[str] = []

    def full_disk_on_second(staged: Path, path: Path) -> None:
        calls.append(path.name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(staged, path)

    monkeypatch.setattr(writing, "_move_over", full_disk_on_second)
    with pytest.raises(WriteError) as failed:
        write_files(
            tmp_path,
            creates={"metrics/new/C.yaml": "new\n"},
            replaces={"metrics/A.yaml": "new A\n", "metrics/B.yaml": "new B\n"},
        )
    assert failed.value.message == (
        "metrics/B.yaml could not be written (No space left on device). Nothing was changed: "
        "the files this run had written were removed or put back."
    )
    assert calls == ["A.yaml", "B.yaml"]
    assert tree(tmp_path) == before
    assert folders(tmp_path) == {"metrics"}


def test_a_file_changed_since_it_was_read_stops_everything(tmp_path: Path) -> None:
    target = tmp_path / "M-01.yaml"
    target.write_text("edited by a colleague\n", encoding="utf-8")
    with pytest.raises(WriteError) as refused:
        write_files(
            tmp_path,
            creates={"M-02.yaml": "new\n"},
            replaces={"M-01.yaml": "new figures\n"},
            originals={"M-01.yaml": b"as it was read\n"},
        )
    assert refused.value.message.startswith("M-01.yaml changed while this was being prepared")
    assert tree(tmp_path) == {"M-01.yaml": b"edited by a colleague\n"}


def test_a_file_where_a_folder_should_be_is_reported_not_raised_raw(tmp_path: Path) -> None:
    (tmp_path / "evidence").write_text("not a folder\n", encoding="utf-8")
    with pytest.raises(WriteError) as failed:
        write_files(tmp_path, creates={"evidence/EV-001.yaml": "a\n"})
    assert failed.value.message.startswith("evidence/EV-001.yaml could not be written (")
    assert tree(tmp_path) == {"evidence": b"not a folder\n"}


def test_without_hard_links_a_new_file_is_still_created_exclusively(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(src: object, dst: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    write_files(tmp_path, creates={"a.yaml": "a\n"})
    assert tree(tmp_path) == {"a.yaml": b"a\n"}
    with pytest.raises(OutputExistsError):
        write_files(tmp_path, creates={"a.yaml": "again\n"})
    assert tree(tmp_path) == {"a.yaml": b"a\n"}


def test_an_interruption_undoes_what_was_written_and_is_not_swallowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = writing._move_new

    def interrupted_on_second(staged: Path, path: Path) -> None:
        if path.name == "b.yaml":
            raise KeyboardInterrupt
        real(staged, path)

    monkeypatch.setattr(writing, "_move_new", interrupted_on_second)
    with pytest.raises(KeyboardInterrupt):
        write_files(tmp_path, creates={"x/a.yaml": "a\n", "x/b.yaml": "b\n"})
    assert list(tmp_path.iterdir()) == []


# --- killed part way: the journal and what the next run does ---------------------------------


def killed_after(root: Path, placed: int, **files: dict[str, str]) -> None:
    """Leave ``root`` as a process killed after putting ``placed`` files in place would: the
    files staged, the journal written, the first ``placed`` moved, nothing cleaned up."""
    creates, replaces = files.get("creates", {}), files.get("replaces", {})
    txn = writing._Transaction.begin(root, "ascready import of register.xlsx")
    for rel, text in [*creates.items(), *replaces.items()]:
        txn.stage(rel, text.encode("utf-8"), create=rel in creates, original=None)
    txn.commit_intent()
    moving = txn.put_in_place()
    for _ in range(placed + 1):  # the n+1th yield comes before the n+1th file is moved
        next(moving, None)
    # and then the process is gone: no rollback, no cleanup


def visible(root: Path) -> dict[str, bytes]:
    return {k: v for k, v in tree(root).items() if not k.startswith(staging.STAGING + "/")}


def test_a_write_killed_part_way_is_reported_and_undone_by_the_next_run(tmp_path: Path) -> None:
    (tmp_path / "ratings").mkdir()
    (tmp_path / "ratings" / "QS1.yaml").write_text("# the council's comment\nold\n", "utf-8")
    before = tree(tmp_path)
    killed_after(
        tmp_path,
        2,
        creates={"evidence/EV-001.yaml": "a\n", "evidence/EV-002.yaml": "b\n"},
        replaces={"ratings/QS1.yaml": "new\n"},
    )
    assert visible(tmp_path) == {
        **before,
        "evidence/EV-001.yaml": b"a\n",
        "evidence/EV-002.yaml": b"b\n",
    }
    [found] = recovery.interrupted_writes(tmp_path)
    assert (found.command, found.files, found.present) == ("ascready import of register.xlsx", 3, 2)
    assert found.journal.startswith(".ascready-staging/write-")
    with pytest.raises(WriteError, match="interrupted"):  # nothing is written on top of it
        write_files(tmp_path, creates={"evidence/EV-003.yaml": "c\n"})
    [message] = recovery.recover(tmp_path)
    assert message.startswith("ascready import of register.xlsx (started ")
    assert (
        "2 file(s) it had created were removed and 0 it had replaced or deleted "
        "were put back" in message
    )
    assert tree(tmp_path) == before  # staging folder gone too
    assert folders(tmp_path) == {"ratings"}
    assert recovery.recover(tmp_path) == []


def test_a_replaced_file_is_put_back_and_one_changed_since_is_left_and_named(
    tmp_path: Path,
) -> None:
    (tmp_path / "QS1.yaml").write_text("old 1\n", "utf-8")
    (tmp_path / "QS2.yaml").write_text("old 2\n", "utf-8")
    killed_after(
        tmp_path,
        2,
        creates={"EV-001.yaml": "a\n"},
        replaces={"QS1.yaml": "n1\n", "QS2.yaml": "n2\n"},
    )
    assert (tmp_path / "QS1.yaml").read_text("utf-8") == "n1\n"
    assert (tmp_path / "QS2.yaml").read_text("utf-8") == "old 2\n"  # not reached
    (tmp_path / "EV-001.yaml").write_text("edited by hand since\n", "utf-8")
    [message] = recovery.recover(tmp_path)
    assert (
        "0 file(s) it had created were removed and 1 it had replaced or deleted "
        "were put back" in message
    )
    assert "were changed since, so they were left as they are: EV-001.yaml" in message
    assert tree(tmp_path) == {
        "EV-001.yaml": b"edited by hand since\n",
        "QS1.yaml": b"old 1\n",
        "QS2.yaml": b"old 2\n",
    }


def test_killed_while_staging_leaves_the_repository_untouched_and_is_cleaned_quietly(
    tmp_path: Path,
) -> None:
    txn = writing._Transaction.begin(tmp_path, "ascready import of register.xlsx")
    txn.stage("evidence/EV-001.yaml", b"a\n", create=True, original=None)
    assert visible(tmp_path) == {}
    assert recovery.interrupted_writes(tmp_path) == []  # nothing half-done in the repository
    assert recovery.recover(tmp_path) == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_never_sees_the_staging_folder(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("!*\n", "utf-8")  # even a .gitignore that keeps all
    killed_after(tmp_path, 0, creates={"evidence/EV-001.yaml": "a\n"})
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert status.splitlines() == ["?? .gitignore"]


def test_deletes_are_part_of_the_set_and_a_killed_one_is_put_back(tmp_path: Path) -> None:
    (tmp_path / "evidence").mkdir()
    for name in ("EV-001.yaml", "EV-002.yaml"):
        (tmp_path / "evidence" / name).write_text(f"# ours\n{name}\n", "utf-8")
    before = tree(tmp_path)
    # All together: one created, one deleted.
    write_files(
        tmp_path,
        creates={"evidence/EV-003.yaml": "c\n"},
        deletes=["evidence/EV-001.yaml"],
        originals={"evidence/EV-001.yaml": before["evidence/EV-001.yaml"]},
    )
    assert tree(tmp_path) == {
        "evidence/EV-002.yaml": before["evidence/EV-002.yaml"],
        "evidence/EV-003.yaml": b"c\n",
    }
    # Killed after the deletion: the next run puts the deleted file back, as it was.
    txn = writing._Transaction.begin(tmp_path, "ascready import of register.xlsx")
    txn.stage("evidence/EV-002.yaml", None, create=False, original=None)
    txn.stage("evidence/EV-004.yaml", b"d\n", create=True, original=None)
    txn.commit_intent()
    moving = txn.put_in_place()
    for _ in range(2):
        next(moving, None)
    assert not (tmp_path / "evidence/EV-002.yaml").exists()
    [message] = recovery.recover(tmp_path)
    assert (
        "0 file(s) it had created were removed and 1 it had replaced or deleted "
        "were put back" in message
    )
    assert (tmp_path / "evidence/EV-002.yaml").read_bytes() == before["evidence/EV-002.yaml"]
    assert sorted(tree(tmp_path)) == ["evidence/EV-002.yaml", "evidence/EV-003.yaml"]


def test_a_file_to_delete_that_changed_since_it_was_read_stops_everything(
    tmp_path: Path,
) -> None:
    (tmp_path / "EV-001.yaml").write_text("edited since\n", "utf-8")
    with pytest.raises(WriteError, match="changed while this was being prepared"):
        write_files(tmp_path, deletes=["EV-001.yaml"], originals={"EV-001.yaml": b"as read\n"})
    assert (tmp_path / "EV-001.yaml").read_text("utf-8") == "edited since\n"


# --- one file at --out: what may be replaced -----------------------------------------------


def test_write_atomically_creates_exclusively_without_force_and_replaces_with_it(
    tmp_path: Path,
) -> None:
    out = tmp_path / "report.json"
    write_atomically(out, "first\n", force=False)
    with pytest.raises(OutputExistsError, match="run again with --force"):
        write_atomically(out, "second\n", force=False)
    assert out.read_text("utf-8") == "first\n"
    out.chmod(0o600)
    write_atomically(out, "second\n", force=True)
    assert out.read_text("utf-8") == "second\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # a replaced file keeps its mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_a_name_taken_between_the_check_and_the_link_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "same.html"
    real = os.link

    def the_other_run_links_first(src: Path, dst: Path) -> None:
        Path(dst).write_text("the other run's\n", encoding="utf-8")
        real(src, dst)

    monkeypatch.setattr(os, "link", the_other_run_links_first)
    with pytest.raises(OutputExistsError, match="appeared while this was being prepared"):
        write_atomically(out, "ours\n", force=False)
    assert out.read_text("utf-8") == "the other run's\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["same.html"]


def test_without_hard_links_one_file_at_out_is_still_created_exclusively(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(src: Path, dst: Path) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    out = tmp_path / "new.html"
    write_atomically(out, "ours\n", force=False)
    assert out.read_text("utf-8") == "ours\n"
    with pytest.raises(OutputExistsError):
        writing.create_exclusively(out, b"again\n")
    assert out.read_text("utf-8") == "ours\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.html"]


def test_force_checks_again_just_before_replacing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder put where the file was, while the new one was written, is not replaced."""
    out = tmp_path / "out.html"
    real = writing._write_and_sync

    def a_folder_appears(fd: int, payload: bytes) -> None:
        real(fd, payload)
        out.mkdir()

    monkeypatch.setattr(writing, "_write_and_sync", a_folder_appears)
    with pytest.raises(OutputPathError, match="is a folder, not a file"):
        write_atomically(out, "ours\n", force=True)
    assert out.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.html"]


def test_a_path_that_cannot_be_looked_at_is_a_write_error(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop.name)
    with pytest.raises(WriteError, match="its path has links that loop"):
        write_atomically(loop / "out.html", "x", force=True)
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine\n", encoding="utf-8")
    with pytest.raises(WriteError, match="a file is where a folder of its path should be"):
        write_atomically(a_file / "out.html", "x", force=False)
    assert a_file.read_text("utf-8") == "mine\n"


def test_an_unusual_refusal_is_still_said_in_the_systems_words() -> None:
    assert writing.os_reason(OSError(errno.ETXTBSY, "Text file busy")) == "text file busy"


def _failing_fsync(monkeypatch: pytest.MonkeyPatch, *, after: int) -> None:
    """os.fsync reports a full disk from its ``after``+1-th call on."""
    calls = []
    real = os.fsync

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) > after:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)


def test_a_full_disk_while_replacing_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "report.md"
    out.write_text("last week's\n", encoding="utf-8")
    _failing_fsync(monkeypatch, after=0)
    with pytest.raises(WriteError, match=r"report\.md could not be written: the disk is full"):
        write_atomically(out, "this week's\n", force=True)
    assert tree(tmp_path) == {"report.md": b"last week's\n"}


def test_a_full_disk_without_hard_links_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(src: Path, dst: Path) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    _failing_fsync(monkeypatch, after=1)  # the temporary file is written; the copy is not
    with pytest.raises(WriteError, match="the disk is full"):
        write_atomically(tmp_path / "new.md", "text\n", force=False)
    assert tree(tmp_path) == {}


def test_a_full_disk_when_linking_is_not_taken_for_a_missing_hard_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(src: Path, dst: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "link", full)
    with pytest.raises(WriteError, match="the disk is full"):
        write_atomically(tmp_path / "new.md", "text\n", force=False)
    assert tree(tmp_path) == {}
