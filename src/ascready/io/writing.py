"""Writing files so that a failure leaves nothing half-done.

One policy for every command that writes:

* a file is never half-written: its bytes go to a temporary file, flushed to disk, which is
  then put in place in one step (a rename, or a hard link for a new file);
* a new file is created exclusively: never over a file that exists, even one created a moment
  ago by someone else;
* only a regular file is ever replaced, and a single file (``--out``) only with ``--force``
  (:func:`refuse_existing`): never a folder, a device, a pipe or a socket, and a link is
  replaced itself, never written through;
* a refusal of the operating system (a full or read-only disk, no permission) is a
  :class:`~ascready.errors.WriteError` naming the path, with nothing left behind;
* a set of files (:func:`write_files`) is written all or none, even if the process is killed
  part way or the machine stops (see below);
* once written, the files and their folders are flushed to disk (fsync), so that a power cut
  does not undo what the user was told was done;
* a new file gets the permissions the user's umask allows (the operating system applies it
  when the file is created), and a replaced file keeps its own.

**A set of files, all or none.** Putting many files in place cannot be one step, so
:func:`write_files` keeps a journal:

1. *Stage.* Every new file is written, complete and flushed to disk, into a folder of its own
   under :data:`STAGING` (``.ascready-staging/`` in the repository's top folder, on the same
   disk as the files, so that moving one is one step). A replaced file's old version is kept
   there too (a hard link to it, or a copy). That folder holds a ``.gitignore`` saying ``*``,
   which makes git ignore everything in it, itself included: ``git add .`` never stages it,
   whatever the repository's own ``.gitignore`` says, and a repository that is not a git work
   tree has nothing else to keep out. Nothing is ever written beside the repository's files.
2. *Journal.* ``journal.json`` lists every file to create or replace, with a digest of what it
   will hold and of what it held, and the folders to make; it is flushed to disk. Killed before
   this point, the repository is untouched (the next run just removes the staging folder).
3. *Put in place.* Each staged file is moved into place (a hard link for a new file, so that
   it never goes over an existing one; a rename for a replaced one).
4. *Done.* The journal is removed, then the staging folder.

A failure the program sees (a full disk, a file that appeared meanwhile, Ctrl-C) undoes the
files at once. A kill it cannot see leaves the journal behind. Then the next command that
writes into the repository (``import``, ``import-metrics``, ``new``: they call :func:`recover`
before they read the repository) *undoes* it: it removes each file the interrupted command
created and puts back each it replaced, wherever the file still holds exactly what that
command wrote (one changed since is left as it is, and named), and says so. It rolls back
rather than forward because the interrupted command never told the user it had finished, and
may have been stopped on purpose; and because the natural next step, running the same import
again, then lands it whole, once, where finishing it would make that re-run refuse its files or
import its rows a second time. Until then ``ascready validate`` reports the journal as the
error ``interrupted-write`` (:func:`interrupted_writes`), so a half-imported repository never
passes. One command writes into a repository at a time: each holds an advisory lock on the
repository's folder while it writes (released by the system however the process ends; not on
Windows, which has no such locks), and a second is refused rather than taking the first one's
journal for an interrupted one.

Also :func:`write_atomically` (one file, such as an exported workbook; :func:`put_in_place` for
one built elsewhere, such as a zip pack) and
:func:`fixed_zip_times`, which makes the zip-based outputs (xlsx, docx) byte-identical from one
run to the next.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import io
import json
import os
import secrets
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ascready.errors import OutputExistsError, OutputPathError, WriteError
from ascready.io.recovery import interrupted_writes, undo, undone_message
from ascready.io.staging import (
    IGNORE_ALL,
    JOURNAL,
    STAGING,
    Lock,
    digest,
    remove_staging_if_empty,
    sync_folder,
)

#: Called while a set of files is written: (files written so far, files to write).
WriteProgress = Callable[[int, int], None]


def what_is_there(path: Path) -> str | None:
    """What is at ``path`` itself (a link is not followed): None (nothing), ``"file"``,
    ``"link"``, ``"folder"`` or ``"other"`` (a device, a pipe or a socket)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise write_error(path, exc) from None
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISLNK(mode):
        return "link"
    if stat.S_ISDIR(mode):
        return "folder"
    return "other"


def refuse_existing(path: Path, *, force: bool) -> None:
    """The one policy for a single file a command writes (``--out``, a ``--pack`` zip).

    Only a regular file may be replaced, and only with ``force``. A folder, a device, a pipe
    or a socket is refused, with ``force`` or without. A link (even one to nothing) is a file
    that exists: refused without ``force``; with it, the link itself is replaced by the new
    file, and whatever it pointed to is left alone. Without ``force`` the file is also created
    exclusively when it is written (:func:`write_atomically`), so one that appears meanwhile
    is never replaced either.
    """
    there = what_is_there(path)
    if there is None:
        return
    if there == "folder":
        raise OutputPathError(
            f"{path} is a folder, not a file; name the file to write (inside it, or elsewhere)"
        )
    if there == "other":
        raise OutputPathError(
            f"{path} is not a regular file (it is a device, a pipe or a socket); ascready "
            "writes a new file, or with --force replaces a regular file. Choose another name."
        )
    if not force:
        what = " (as a link)" if there == "link" else ""
        raise OutputExistsError(
            f"{path} already exists{what}; run again with --force to replace it"
        )


def write_error(path: Path | str, exc: OSError) -> WriteError:
    """The message for a write the operating system refused: the path and its reason, in
    words (a full disk, a read-only disk, no permission)."""
    return WriteError(f"{path} could not be written: {os_reason(exc)}. Nothing was written.")


#: What the usual refusals of the operating system mean, in words.
_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the disk is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "it is a folder",
    errno.ENOTDIR: "a file is where a folder of its path should be",
    errno.ENAMETOOLONG: "the name is too long",
    errno.ELOOP: "its path has links that loop",
    errno.EFBIG: "the file would be too large",
    errno.EIO: "the disk reported an input/output error",
}


def os_reason(exc: OSError) -> str:
    """Why the operating system refused, in words."""
    if exc.errno in _REASONS:
        return _REASONS[exc.errno]
    return (exc.strerror or str(exc)).lower()


# --- one file ---------------------------------------------------------------------------------


def _temporary(folder: Path, name: str, mode: int) -> tuple[int, Path]:
    """A new temporary file beside ``name``, open for writing, created with ``mode`` (which the
    umask then narrows, as for any new file)."""
    while True:
        tmp = folder / f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), tmp
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue


def _write_and_sync(fd: int, payload: bytes) -> None:
    with os.fdopen(fd, "wb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())


def temporary_beside(path: Path) -> Path:
    """A new, empty temporary file beside ``path``, to be filled and then put in place with
    :func:`put_in_place`."""
    fd, tmp = _temporary(path.parent, path.name, 0o666)
    os.close(fd)
    return tmp


def put_in_place(tmp: Path, path: Path, *, force: bool) -> None:
    """Put the complete file ``tmp`` (beside ``path``) at ``path`` in one step, by the policy
    of :func:`refuse_existing`: without ``force`` never over anything that exists (a hard link
    fails if the name is taken, even by a file made a moment ago); with it, only over a regular
    file or a link (the link itself), keeping a replaced file's permissions. ``tmp`` is gone
    afterwards, whatever happens."""
    try:
        if not force:
            _link_new(tmp, path)
            return
        refuse_existing(path, force=True)  # checked again: not a folder or device meanwhile
        mode = _regular_mode(path)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _link_new(tmp: Path, path: Path) -> None:
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise OutputExistsError(
            f"{path} already exists (it appeared while this was being prepared); nothing was "
            "written. Run again with --force to replace it."
        ) from None
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES):
            raise
        # No hard links here (some network and FAT file systems): copy with O_EXCL.
        _create_with_excl(path, tmp.read_bytes())


def create_exclusively(path: Path, payload: bytes) -> None:
    """Create ``path`` holding ``payload``, complete or not at all, never over an existing file.

    The bytes go to a temporary file, which is then hard-linked into place: the link fails if
    the name is taken. Where the file system has no hard links, the file is created with
    O_EXCL and written. Raises :class:`~ascready.errors.OutputExistsError` if the name is
    taken.
    """
    fd, tmp = _temporary(path.parent, path.name, 0o666)
    try:
        _write_and_sync(fd, payload)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    put_in_place(tmp, path, force=False)


def _create_with_excl(path: Path, payload: bytes) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        raise OutputExistsError(f"{path} already exists; nothing was written") from None
    try:
        _write_and_sync(fd, payload)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def replace_atomically(path: Path, payload: bytes) -> None:
    """Put ``payload`` at ``path`` in one step: the old file, or the complete new one, never a
    half-written one. An existing file keeps its permissions; only a regular file or a link
    (the link itself) is replaced."""
    # A file that replaces one is private until it takes the old one's permissions.
    mode = 0o666 if _regular_mode(path) is None else 0o600
    fd, tmp = _temporary(path.parent, path.name, mode)
    try:
        _write_and_sync(fd, payload)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    put_in_place(tmp, path, force=True)


def _regular_mode(path: Path) -> int | None:
    """The permissions of the regular file at ``path`` (not followed if a link), or None."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    return stat.S_IMODE(st.st_mode) if stat.S_ISREG(st.st_mode) else None


def _payload(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def write_atomically(path: Path, data: str | bytes, *, force: bool) -> None:
    """Write one file (creating its folders if need be), complete or not at all, by the policy
    of :func:`refuse_existing`: without ``force`` only as a new file, with it over a regular
    file too. A refusal of the operating system (a full or read-only disk, no permission) is a
    :class:`~ascready.errors.WriteError` naming the path; nothing is left behind, not even the
    folders made for it."""
    refuse_existing(path, force=force)
    made = missing_folders(path.parent)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = _payload(data)
        if force:
            replace_atomically(path, payload)
        else:
            create_exclusively(path, payload)
        sync_folder(path.parent)
    except BaseException as exc:
        for folder in made:  # innermost first
            with contextlib.suppress(OSError):
                folder.rmdir()
        if isinstance(exc, OSError):
            raise write_error(path, exc) from None
        raise


def missing_folders(folder: Path) -> list[Path]:
    """The folders of ``folder`` (itself included) that do not exist yet, innermost first."""
    missing: list[Path] = []
    for parent in (folder, *folder.parents):
        if os.path.lexists(parent):
            break
        missing.append(parent)
    return missing


# --- a set of files, all or none, even after a crash -------------------------------------------


@dataclass
class _Transaction:
    """One set of files being written: staged in ``folder`` (under :data:`STAGING`), then put in
    place. ``journal`` is what ``journal.json`` holds once every file is staged."""

    root: Path
    folder: Path
    command: str
    entries: list[dict[str, Any]] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)  # made by this run, outermost first
    started: str = ""

    @classmethod
    def begin(cls, root: Path, command: str) -> _Transaction:
        base = root / STAGING
        base.mkdir(exist_ok=True)
        ignore = base / ".gitignore"
        try:
            current = ignore.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            current = ""
        if current != IGNORE_ALL:
            # Written in place, not by a temporary file beside it (which git would see): its
            # first byte, "*", is what makes git ignore the folder, and a run that finds it
            # incomplete writes it again.
            with contextlib.suppress(FileNotFoundError):
                ignore.unlink()
            _write_and_sync(
                os.open(ignore, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666),
                IGNORE_ALL.encode("utf-8"),
            )
        folder = Path(tempfile.mkdtemp(dir=base, prefix="write-"))
        (folder / "new").mkdir()
        (folder / "old").mkdir()
        started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        return cls(root, folder, command, started=started)

    def stage(
        self, rel: str, payload: bytes | None, *, create: bool, original: bytes | None
    ) -> None:
        """Write ``rel``'s new bytes (and, for a replaced file, keep its old ones) in the
        staging folder, flushed to disk; ``payload`` None: the file is to be deleted (its old
        bytes are kept)."""
        n = len(self.entries)
        target = self.root / rel
        self._note_folders(PurePosixPath(rel).parent)
        staged = self.folder / "new" / str(n)
        mode = 0o666
        old_digest: str | None = None
        if not create and (target.exists() or original is not None):
            backup = self.folder / "old" / str(n)
            try:
                mode = target.stat().st_mode & 0o7777
                os.link(target, backup)  # the old file itself: a replace never changes it
            except OSError:
                if original is None:
                    original = target.read_bytes()
                _write_and_sync(
                    os.open(backup, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), original
                )
            old_digest = digest(backup)
        if payload is not None:
            _write_and_sync(os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), payload)
            if mode != 0o666:
                os.chmod(staged, mode)
        self.entries.append(
            {
                "path": rel,
                "create": create,
                # None: deleted (what undo puts back, from "old", while the file is not there)
                "new": hashlib.sha256(payload).hexdigest() if payload is not None else None,
                "old": old_digest,
            }
        )

    def _note_folders(self, folder: PurePosixPath) -> None:
        """Note the folders above a file that do not exist yet (made when files are put in
        place); a file where a folder should be stops everything now."""
        missing: list[str] = []
        for parent in (folder, *folder.parents):
            if str(parent) == "." or str(parent) in self.folders:
                break
            path = self.root / parent
            if path.is_dir():
                break
            if path.exists() or path.is_symlink():
                raise NotADirectoryError(errno.ENOTDIR, "a file has the folder's name", str(path))
            missing.append(str(parent))
        self.folders.extend(reversed(missing))  # outermost first

    def commit_intent(self) -> None:
        """Every file is staged and on disk: write the journal, the point after which an
        interruption leaves something to undo."""
        for sub in ("new", "old"):
            sync_folder(self.folder / sub)
        journal = {
            "command": self.command,
            "started": self.started,
            "folders": self.folders,
            "files": self.entries,
        }
        tmp = self.folder / f"{JOURNAL}.tmp"
        _write_and_sync(
            os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600),
            json.dumps(journal, indent=1).encode("utf-8"),
        )
        os.replace(tmp, self.folder / JOURNAL)
        sync_folder(self.folder)

    def put_in_place(self) -> Iterator[str]:
        """Move the staged files into place, yielding each path before it is moved."""
        for rel in self.folders:
            (self.root / rel).mkdir(exist_ok=True)
        for n, entry in enumerate(self.entries):
            yield entry["path"]
            staged, target = self.folder / "new" / str(n), self.root / entry["path"]
            if entry["new"] is None:
                target.unlink(missing_ok=True)
            elif entry["create"]:
                _move_new(staged, target)
            else:
                _move_over(staged, target)
        for folder in dict.fromkeys((self.root / e["path"]).parent for e in self.entries):
            sync_folder(folder)
        with contextlib.suppress(FileNotFoundError):
            (self.folder / JOURNAL).unlink()  # done: nothing to undo any more
        sync_folder(self.folder)

    def discard(self) -> None:
        """Remove the staging folder (and :data:`STAGING` when nothing else is in it)."""
        shutil.rmtree(self.folder, ignore_errors=True)
        remove_staging_if_empty(self.root)


def _move_new(staged: Path, target: Path) -> None:
    """Put a staged new file at ``target``, never over an existing file: a hard link fails if
    the name is taken. Where the file system has no hard links, a rename after a check."""
    try:
        os.link(staged, target)
    except FileExistsError:
        raise
    except OSError:  # no hard links here (some network and FAT file systems)
        if target.exists() or target.is_symlink():
            raise FileExistsError(errno.EEXIST, "exists", str(target)) from None
        os.rename(staged, target)


def _move_over(staged: Path, target: Path) -> None:
    os.replace(staged, target)


def _check_unchanged(root: Path, originals: Mapping[str, bytes]) -> None:
    for rel, original in originals.items():
        try:
            unchanged = (root / rel).read_bytes() == original
        except OSError:
            unchanged = False
        if not unchanged:
            raise WriteError(
                f"{rel} changed while this was being prepared; nothing was written. Run the "
                "command again."
            )


def write_files(
    root: Path,
    *,
    creates: Mapping[str, str | bytes] | None = None,
    replaces: Mapping[str, str | bytes] | None = None,
    deletes: Collection[str] = (),
    originals: Mapping[str, bytes] | None = None,
    progress: WriteProgress | None = None,
    command: str = "an ascready command",
) -> list[Path]:
    """Create, replace and delete files under ``root`` (paths relative to it, with forward
    slashes): every one of them, or none, even if the process is killed part way (see the
    module's docstring).

    ``creates`` are new files, never written over an existing one; ``replaces`` are written
    atomically over what is there; ``deletes`` are taken out (kept in the staging folder until
    the set is done, so that they can be put back). ``originals`` holds, for files to replace
    or delete, the bytes they held when they were read: if one holds anything else now,
    nothing is written. ``command``
    names what is writing (``ascready import of register.xlsx``), for the message a later run
    gives if this one is interrupted.

    Raises :class:`~ascready.errors.OutputExistsError` if a file to create exists, and
    :class:`~ascready.errors.WriteError` if the operating system refuses a write; either way,
    everything this run wrote has been undone, and the message says so.
    """
    creates, replaces = dict(creates or {}), dict(replaces or {})
    made = [p for p in (root, *root.parents) if not p.exists()]
    root.mkdir(parents=True, exist_ok=True)
    try:
        return _write_files(
            root, creates, replaces, list(deletes), originals or {}, progress, command
        )
    except BaseException:
        for folder in made:  # innermost first
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def _write_files(
    root: Path,
    creates: dict[str, str | bytes],
    replaces: dict[str, str | bytes],
    deletes: list[str],
    originals: Mapping[str, bytes],
    progress: WriteProgress | None,
    command: str,
) -> list[Path]:
    total = len(creates) + len(replaces) + len(deletes)
    with Lock(root):
        if interrupted_writes(root):
            raise WriteError(
                "an earlier ascready command that was writing into this repository was "
                "interrupted; nothing was written. Run this command again: it first undoes the "
                "interrupted one."
            )
        _check_unchanged(root, originals)
        for rel in creates:
            if (root / rel).exists() or (root / rel).is_symlink():
                raise OutputExistsError(f"{rel} already exists; nothing was written")
        txn: _Transaction | None = None
        current = ""
        placed = False
        try:
            txn = _Transaction.begin(root, command)
            for done, (rel, data) in enumerate([*creates.items(), *replaces.items()]):
                if progress is not None and done % 200 == 0:
                    progress(done, total)  # writing the files (staged) is the slow part
                current = rel
                txn.stage(
                    rel,
                    _payload(data),
                    create=rel in creates,
                    original=originals.get(rel),
                )
            for rel in deletes:
                current = rel
                txn.stage(rel, None, create=False, original=originals.get(rel))
            current = ""
            txn.commit_intent()
            placed = True
            for rel in txn.put_in_place():
                current = rel
        except FileExistsError:
            extra = _rollback(txn, placed)
            extra = "" if extra.startswith("Nothing") else f" {extra}"
            raise OutputExistsError(
                f"{current} already exists; nothing was written{extra}"
            ) from None
        except OSError as exc:
            undone = _rollback(txn, placed)
            reason = exc.strerror or str(exc)
            where = current or str(exc.filename or "a file")
            raise WriteError(f"{where} could not be written ({reason}). {undone}") from None
        except BaseException:
            _rollback(txn, placed)
            raise
        txn.discard()
    if progress is not None:
        progress(total, total)
    return [root / rel for rel in [*creates, *replaces, *deletes]]


def _rollback(txn: _Transaction | None, placed: bool) -> str:
    if txn is None:
        return "Nothing was written."
    message = "Nothing was written."
    if placed:
        journal = {"command": txn.command, "folders": txn.folders, "files": txn.entries}
        message = undone_message(undo(txn.root, txn.folder, journal))
    txn.discard()
    return message


def write_files_atomically(
    folder: Path, files: Mapping[str, str | bytes], *, force: bool = False
) -> None:
    """Write several files, all or none; refuses up front if any exists and ``force`` is not
    given."""
    existing = sorted(name for name in files if (folder / name).exists())
    if existing and not force:
        raise OutputExistsError(
            f"{len(existing)} file(s) already exist in {folder} and differ: "
            f"{', '.join(existing)}. Run again with --force to replace them."
        )
    write_files(folder, replaces=files)


# --- deterministic archives -------------------------------------------------------------------


def fixed_zip_times(data: bytes, when: dt.date) -> bytes:
    """The same archive, every entry stamped with ``when`` instead of the time it was made.

    Entries keep their order and contents; they are all deflated and carry no system-specific
    attributes, so the same input always gives the same bytes. Zip cannot hold dates before
    1980: earlier years become 1980.
    """
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for entry in src.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # the same bytes whichever system made them
            info.external_attr = 0
            dst.writestr(info, src.read(entry.filename))
    return out.getvalue()
