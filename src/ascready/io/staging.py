"""Where a set of files is staged while ascready writes it, and the pieces the writer and
the recovery of an interrupted write share: the journal's name, digests, the writer's lock,
flushing a folder to disk."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from pathlib import Path

from ascready.errors import WriteError


def sync_folder(folder: Path) -> None:
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


#: The folder, in the repository's top folder, where a set of files is staged before it is put
#: in place. It holds a .gitignore that ignores everything in it, itself included, so git never
#: shows or stages it, whether or not the repository is a git work tree.
STAGING = ".ascready-staging"


IGNORE_ALL = "*\n# ascready stages files here while it writes them; git ignores all of it.\n"


JOURNAL = "journal.json"


def digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None
    except OSError:
        return "unreadable"


class Lock:
    """One writer at a time in a repository: an advisory lock on its top folder, which the
    system releases when the process ends, however it ends. (Where the system has no such
    locks, on Windows, this does nothing.)"""

    def __init__(self, root: Path, *, shared: bool = False) -> None:
        self.root, self.shared, self.fd = root, shared, -1

    def acquire(self) -> bool:
        if sys.platform == "win32":  # pragma: no cover - no advisory locks
            return True
        import fcntl

        try:
            self.fd = os.open(self.root, os.O_RDONLY)
        except OSError:
            return True
        try:
            fcntl.flock(self.fd, (fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except OSError:
            os.close(self.fd)
            self.fd = -1
            return False
        return True

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # closing the folder releases the lock
            self.fd = -1

    def __enter__(self) -> Lock:
        if not self.acquire():
            raise WriteError(
                "another ascready command is writing into this repository right now; wait for it "
                "to finish, then run this again"
            )
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def remove_staging_if_empty(root: Path) -> None:
    base = root / STAGING
    with contextlib.suppress(OSError):
        if all(p.name == ".gitignore" for p in base.iterdir()):
            (base / ".gitignore").unlink(missing_ok=True)
            base.rmdir()
