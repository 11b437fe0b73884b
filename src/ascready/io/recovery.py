"""Finding and undoing a set of writes that was interrupted (the process killed part way):
what ``validate`` reports, and what the next writing command undoes before it starts."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ascready.io.staging import JOURNAL, STAGING, Lock, digest, remove_staging_if_empty, sync_folder


@dataclass(frozen=True)
class Undone:
    """What undoing an interrupted or failed set of writes did."""

    command: str
    started: str
    removed: int
    restored: int
    left: tuple[str, ...]  # changed since, so left as they are

    @property
    def touched(self) -> bool:
        return bool(self.removed or self.restored or self.left)


def undo(root: Path, folder: Path, journal: Mapping[str, Any]) -> Undone:
    """Put the repository back as it was before the set of writes ``journal`` describes: remove
    each file it created and put back each it replaced, where the file still holds what the
    write put there (a file changed since is left as it is, and named)."""
    removed = restored = 0
    left: list[str] = []
    files = list(journal.get("files", []))
    for n in reversed(range(len(files))):
        entry = files[n]
        target = root / entry["path"]
        now = digest(target)
        if now == entry["new"] and now != entry.get("old"):
            try:
                backup = folder / "old" / str(n)
                if entry.get("old") is not None and backup.exists():
                    os.replace(backup, target)
                    restored += 1
                else:
                    target.unlink()
                    removed += 1
            except OSError:
                left.append(entry["path"])
        elif now is not None and now != entry.get("old"):
            left.append(entry["path"])
    for rel in reversed(list(journal.get("folders", []))):
        with contextlib.suppress(OSError):
            (root / rel).rmdir()  # only if it is empty again
    for parent in dict.fromkeys((root / e["path"]).parent for e in files):
        if parent.is_dir():
            sync_folder(parent)
    return Undone(
        str(journal.get("command", "an ascready command")),
        str(journal.get("started", "")),
        removed,
        restored,
        tuple(sorted(left)),
    )


def undone_message(undone: Undone) -> str:
    if undone.left:
        return f"These files could not be put back as they were: {', '.join(undone.left)}."
    if undone.touched:
        return "Nothing was changed: the files this run had written were removed or put back."
    return "Nothing was written."


@dataclass(frozen=True)
class Interrupted:
    """A set of writes that was interrupted (the process killed, the machine stopped) after it
    had begun to put files in place: the repository holds part of it."""

    journal: str  # relative to the repository, with forward slashes
    command: str
    started: str
    files: int
    present: int  # how many of them hold what the interrupted command wrote


def journals(root: Path) -> list[tuple[Path, dict[str, Any] | None]]:
    base = root / STAGING
    found: list[tuple[Path, dict[str, Any] | None]] = []
    try:
        folders = sorted(p for p in base.iterdir() if p.is_dir())
    except OSError:
        return found
    for folder in folders:
        try:
            data = json.loads((folder / JOURNAL).read_text(encoding="utf-8"))
        except FileNotFoundError:
            found.append((folder, None))  # interrupted while staging: nothing was put in place
            continue
        except (OSError, ValueError):
            data = {"command": "an ascready command", "files": []}
        found.append((folder, data if isinstance(data, dict) else {"files": []}))
    return found


def interrupted_writes(root: Path) -> list[Interrupted]:
    """The sets of writes into ``root`` that were interrupted part way (read only)."""
    found = []
    for folder, journal in journals(root):
        if journal is None:
            continue
        files = list(journal.get("files", []))
        present = sum(1 for e in files if digest(root / e["path"]) == e["new"])
        found.append(
            Interrupted(
                folder.relative_to(root).as_posix() + "/" + JOURNAL,
                str(journal.get("command", "an ascready command")),
                str(journal.get("started", "")),
                len(files),
                present,
            )
        )
    return found


def writing_now(root: Path) -> bool:
    """Whether another ascready command is writing into ``root`` at this moment."""
    lock = Lock(root, shared=True)
    if lock.acquire():
        lock.release()
        return False
    return True


def recover(root: Path) -> list[str]:
    """Undo every set of writes into ``root`` that was interrupted, so that the repository is as
    it was before each; returns what to tell the user (nothing if there was nothing to undo).

    Called by every command that writes into a repository, before it reads it. Raises
    :class:`~ascready.errors.WriteError` if another ascready command is writing right now.
    """
    if not (root / STAGING).exists():
        return []
    messages: list[str] = []
    with Lock(root):
        for folder, journal in journals(root):
            if journal is not None:
                undone = undo(root, folder, journal)
                when = f" (started {undone.started})" if undone.started else ""
                text = (
                    f"{undone.command}{when} was interrupted before it finished, so it has been "
                    f"undone: {undone.removed} file(s) it had created were removed and "
                    f"{undone.restored} it had replaced or deleted were put back"
                )
                if undone.left:
                    text += (
                        ". These were changed since, so they were left as they are: "
                        + ", ".join(undone.left)
                    )
                else:
                    text += (
                        "; the repository is as it was before it. Run it again if you still need it"
                    )
                messages.append(text + ".")
            shutil.rmtree(folder, ignore_errors=True)
        remove_staging_if_empty(root)
    return messages
