"""Writing files so that a failure leaves nothing half-done.

One policy for every command that writes:

* a file is never half-written: its bytes go to a temporary file beside it, flushed to disk,
  which is then put in place in one step (a rename, or a hard link for a new file);
* a new file is created exclusively: never over a file that exists, even one created a moment
  ago by someone else;
* a set of files (:func:`write_files`) is written all or none: if one cannot be written, the
  files this run created are removed, the ones it replaced are put back, and the folders it
  made are removed again;
* once written, the files and their folders are flushed to disk (fsync), so that a power cut
  does not undo what the user was told was done;
* a new file gets the permissions the user's umask allows (the operating system applies it
  when the file is created), and a replaced file keeps its own.

Also :func:`fixed_zip_times`, which makes the zip-based outputs (xlsx, docx) byte-identical from
one run to the next.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import io
import os
import secrets
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

from ascready.errors import OutputExistsError, WriteError

#: Called while a set of files is written: (files written so far, files to write).
WriteProgress = Callable[[int, int], None]


def refuse_existing(path: Path, *, force: bool) -> None:
    """Existing user files are replaced only when the user asked, with --force."""
    if path.exists() and not force:
        raise OutputExistsError(f"{path} already exists; run again with --force to replace it")


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


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries to disk, where the system allows it (not on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def create_exclusively(path: Path, payload: bytes) -> None:
    """Create ``path`` holding ``payload``, complete or not at all, never over an existing file.

    The bytes go to a temporary file, which is then hard-linked into place: the link fails if
    the name is taken. Where the file system has no hard links, the file is created with
    O_EXCL and written. Raises :class:`FileExistsError` if the name is taken.
    """
    fd, tmp = _temporary(path.parent, path.name, 0o666)
    try:
        _write_and_sync(fd, payload)
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:  # no hard links here (some network and FAT file systems)
            _create_with_excl(path, payload)
    finally:
        tmp.unlink(missing_ok=True)


def _create_with_excl(path: Path, payload: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        _write_and_sync(fd, payload)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def replace_atomically(path: Path, payload: bytes) -> None:
    """Put ``payload`` at ``path`` in one step: the old file, or the complete new one, never a
    half-written one. An existing file keeps its permissions."""
    try:
        mode: int | None = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = None
    fd, tmp = _temporary(path.parent, path.name, 0o666 if mode is None else 0o600)
    try:
        _write_and_sync(fd, payload)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _payload(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write one file (creating its folder if need be), replacing any file already there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(path, _payload(data))
    _sync_folder(path.parent)


# --- a set of files, all or none ------------------------------------------------------------


class _Journal:
    """What one run of :func:`write_files` has done so far, so that it can be undone."""

    def __init__(self) -> None:
        self.created: list[Path] = []
        self.replaced: list[tuple[Path, bytes | None]] = []  # None: there was no file
        self.folders: list[Path] = []  # made by this run, outermost first

    def make_folder(self, folder: Path) -> None:
        missing = []
        for parent in (folder, *folder.parents):
            if parent.is_dir():
                break
            if parent.exists() or parent.is_symlink():
                raise NotADirectoryError(errno.ENOTDIR, "a file has the folder's name", str(parent))
            missing.append(parent)
        for parent in reversed(missing):
            parent.mkdir(exist_ok=True)
            self.folders.append(parent)

    def undo(self) -> str:
        """Undo everything; returns what to tell the user about it."""
        left: list[str] = []
        for path in reversed(self.created):
            try:
                path.unlink(missing_ok=True)
            except OSError:
                left.append(str(path))
        for path, original in reversed(self.replaced):
            try:
                if original is None:
                    path.unlink(missing_ok=True)
                else:
                    replace_atomically(path, original)
            except OSError:
                left.append(str(path))
        for folder in reversed(self.folders):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if it is empty again
        if left:
            return f"These files could not be put back as they were: {', '.join(left)}."
        if self.created or self.replaced:
            return "Nothing was changed: the files this run had written were removed or put back."
        return "Nothing was written."


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
    originals: Mapping[str, bytes] | None = None,
    progress: WriteProgress | None = None,
) -> list[Path]:
    """Create and replace files under ``root`` (paths relative to it, with forward slashes):
    every one of them, or none.

    ``creates`` are new files, never written over an existing one; ``replaces`` are written
    atomically over what is there. ``originals`` holds, for files to replace, the bytes they
    held when they were read: if one holds anything else now, nothing is written.

    Raises :class:`~ascready.errors.OutputExistsError` if a file to create exists, and
    :class:`~ascready.errors.WriteError` if the operating system refuses a write; either way,
    everything this run wrote has been undone, and the message says so.
    """
    creates, replaces = dict(creates or {}), dict(replaces or {})
    _check_unchanged(root, originals or {})
    total = len(creates) + len(replaces)
    journal = _Journal()
    current = ""
    try:
        for done, (rel, data) in enumerate([*creates.items(), *replaces.items()]):
            if progress is not None and done % 200 == 0:
                progress(done, total)
            current = rel
            target = root / rel
            journal.make_folder(target.parent)
            if rel in creates:
                create_exclusively(target, _payload(data))
                journal.created.append(target)
            else:
                original = (originals or {}).get(rel)
                if original is None and target.exists():
                    original = target.read_bytes()
                replace_atomically(target, _payload(data))
                journal.replaced.append((target, original))
        for folder in dict.fromkeys((root / rel).parent for rel in [*creates, *replaces]):
            _sync_folder(folder)
    except FileExistsError:
        undone = journal.undo()
        extra = "" if undone.startswith("Nothing") else f" {undone}"
        raise OutputExistsError(f"{current} already exists; nothing was written{extra}") from None
    except OSError as exc:
        undone = journal.undo()
        reason = exc.strerror or str(exc)
        raise WriteError(f"{current} could not be written ({reason}). {undone}") from None
    except BaseException:
        journal.undo()
        raise
    if progress is not None:
        progress(total, total)
    return [root / rel for rel in [*creates, *replaces]]


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
