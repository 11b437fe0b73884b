"""The information-return pack: a folder (or zip) arranged by item number, with the repository
files each item cites and an index of every item, its documents and links. It is the checklist
the two people named to upload to the CQC portal work through.

The pack goes to CQC, not to the public, so every classification is included and marked.
Sources that are missing are listed in the index and returned, never silently skipped.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ascready.checks.sources import classify_source
from ascready.errors import OutputExistsError, OutputPathError, WriteError
from ascready.io.writing import (
    missing_folders,
    os_reason,
    put_in_place,
    refuse_existing,
    temporary_beside,
    what_is_there,
    write_error,
)
from ascready.output.words import STATUS_WORDS
from ascready.repository.project import Project

#: Fixed time for zip entries, so the same repository gives the same bytes.
ZIP_TIME = (2000, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Missing:
    number: int
    evidence: str
    source: str
    reason: str

    def describe(self) -> str:
        return " ".join(part for part in (self.evidence, self.source, f"({self.reason})") if part)


@dataclass
class Pack:
    """What goes into the pack: files to copy (name in pack -> path) and the index."""

    files: dict[str, Path] = field(default_factory=dict)
    index: str = ""
    missing: list[Missing] = field(default_factory=list)
    items: int = 0


def _slug(text: str, limit: int = 48) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return slug[:limit].rstrip("-") or "item"


def build_pack(project: Project) -> Pack:
    root = project.root.resolve()
    evidence = project.evidence_by_id
    pack = Pack()
    width = max(2, len(str(max((d.model.number for d in project.return_items), default=0))))
    council = project.profile.council if project.profile else "the council"
    lines = [
        f"# Information return pack: {council}",
        "",
        "Work through the items in order; tick each when it is on the CQC portal. Each item's "
        "folder holds the repository's own documents for it; links to published documents are "
        "listed below and do not need uploading again. Classifications are marked: handle "
        "official-sensitive material as your council's policy requires.",
        "",
    ]
    returns = sorted(project.return_items, key=lambda d: d.model.number)
    for doc in returns:
        item = doc.model
        pack.items += 1
        folder = f"{item.number:0{width}d}-{_slug(item.title)}"
        lines.append(f"## [ ] {item.number}. {item.title}")
        lines.append("")
        lines.append(
            f"Status: {STATUS_WORDS[item.status.value]}"
            + (f" ({item.reason})" if item.reason else "")
            + (f". Owner: {item.owner}" if item.owner else "")
        )
        lines.append("")
        if not item.evidence:
            lines.append("- No documents recorded for this item.")
        for ref in item.evidence:
            ev = evidence.get(ref)
            if ev is None:
                pack.missing.append(Missing(item.number, ref, "", "no such evidence item"))
                lines.append(f"- MISSING: {ref} (no such evidence item)")
                continue
            label = f"{ev.id} {ev.title} [{ev.classification.value}]"
            if not ev.source:  # a quote or feedback: nothing to upload, but say so
                lines.append(f"- No document: {label}: no source recorded")
            elif classify_source(ev.source) == "url":
                lines.append(f"- Link: {label}: {ev.source}")
            else:
                path, reason = _source_file(root, ev.source)
                if path is not None:
                    name = f"{folder}/{ev.id}-{path.name}"
                    pack.files[name] = path
                    lines.append(f"- File: {label}: {name}")
                else:
                    pack.missing.append(Missing(item.number, ref, ev.source, reason))
                    lines.append(f"- MISSING: {label}: {ev.source} ({reason})")
        lines.append("")
    if pack.missing:
        lines += ["## Missing", ""]
        lines += [f"- Item {m.number}: {m.describe()}" for m in pack.missing]
        lines.append("")
    pack.index = "\n".join(lines)
    return pack


#: The first line of the index of every pack ascready writes: a folder whose index.md starts
#: with it is a pack ascready made, which --force may replace.
INDEX_HEADING = "# Information return pack"


def _source_file(root: Path, source: str) -> tuple[Path | None, str]:
    """The repository file an evidence item's source names, or None and why not."""
    try:
        path = (root / source).resolve()
    except (OSError, RuntimeError):  # RuntimeError: a loop of links (Python 3.11)
        return None, "a link that loops"
    if not (path == root or str(path).startswith(str(root) + os.sep)):
        return None, "outside the repository"
    try:
        mode = path.stat().st_mode
    except OSError:
        return None, "file not found"
    if not stat.S_ISREG(mode):
        return None, "not a file"
    if not os.access(path, os.R_OK):
        return None, "cannot be read"
    return path, ""


def write_pack(pack: Pack, out: Path, *, force: bool = False) -> None:
    """Write the pack as a folder, or a zip if ``out`` ends .zip. Built aside and moved into
    place only when complete, so a failure leaves the old pack (or nothing) and no temporary
    folder.

    A zip follows the policy of every file ascready writes
    (:func:`~ascready.io.writing.refuse_existing`). A folder is created exclusively without
    ``force``; with it, only an empty folder or a pack ascready made (its ``index.md`` starts
    with :data:`INDEX_HEADING`) is replaced. A file, a link, a device or any other folder is
    refused. ``out`` may climb (``out/../out``): it is worked out before anything is moved.
    """
    out = _normalised(out)
    if out.suffix.lower() == ".zip":
        _write_zip(pack, out, force=force)
        return
    there = _existing_pack(out, force=force)
    made = missing_folders(out.parent)
    staging: Path | None = None
    old: Path | None = None
    claimed = done = moved = False  # moved: the old pack is at ``old``, not at ``out``
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if not there:
            out.mkdir()  # claims the name: a second run refuses it, as it would a pack there
            claimed = True
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
        _fill(staging, pack)
        if there:
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            os.replace(out, old)  # onto the empty folder just made
            moved = True
            try:
                os.replace(staging, out)
            except BaseException:
                os.replace(old, out)
                moved = False
                raise
        else:
            os.replace(staging, out)  # onto the empty folder claimed above
        staging = None
        done = True
    except FileExistsError:
        raise OutputExistsError(
            f"{out} already exists (it appeared while the pack was being made); nothing was "
            "written. Run again with --force to replace it."
        ) from None
    except OSError as exc:
        if exc.errno == errno.ENOTEMPTY and claimed:
            raise OutputExistsError(
                f"{out} was filled by something else while the pack was being made; nothing "
                "was written."
            ) from None
        if moved:  # the old pack could not be put back: say where it is
            raise WriteError(
                f"{out} could not be written: {os_reason(exc)}. The previous pack is in {old}; "
                f"move it back to {out}."
            ) from None
        raise write_error(out, exc) from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if old is not None and (done or not moved):  # never the old pack if it was not put back
            shutil.rmtree(old, ignore_errors=True)
        if not done:
            if claimed:
                with contextlib.suppress(OSError):
                    out.rmdir()
            for folder in made:
                with contextlib.suppress(OSError):
                    folder.rmdir()


def _normalised(out: Path) -> Path:
    """``out`` with its folder's ``..`` and links worked out, so that moving the pack in and
    out of place never depends on the name it replaces (``out/../out``)."""
    target = out.absolute()
    try:
        if target.name in ("", ".."):
            return target.resolve()
        return target.parent.resolve() / target.name
    except (OSError, RuntimeError):  # RuntimeError: a loop of links (Python 3.11)
        raise OutputPathError(f"{out} cannot be written: its path has links that loop") from None


def _existing_pack(out: Path, *, force: bool) -> bool:
    """Whether there is a pack to replace at ``out`` (refusing what may not be replaced)."""
    there = what_is_there(out)
    if there is None:
        return False
    if there == "link":
        raise OutputPathError(f"{out} is a link; name the folder for the pack itself, or a new one")
    if there != "folder":
        raise OutputPathError(
            f"{out} exists and is not a folder; a pack is a folder (or a file ending .zip). "
            "Choose another name."
        )
    if not force:
        raise OutputExistsError(f"{out} already exists; run again with --force to replace it")
    if not _made_by_ascready(out):
        raise OutputPathError(
            f"{out} is a folder that is not a pack ascready made (it has no index.md starting "
            f"'{INDEX_HEADING}'); --force replaces only ascready's own pack. Name a new folder."
        )
    return True


def _made_by_ascready(folder: Path) -> bool:
    try:
        if not any(folder.iterdir()):
            return True  # an empty folder: nothing to lose
        index = folder / "index.md"
        if index.is_symlink() or not index.is_file():
            return False
        with index.open("rb") as handle:
            return handle.read(len(INDEX_HEADING)) == INDEX_HEADING.encode("utf-8")
    except OSError:
        return False


def _fill(folder: Path, pack: Pack) -> None:
    """Write the index and copy the pack's files into ``folder``."""
    (folder / "index.md").write_text(pack.index, encoding="utf-8")
    for name, path in pack.files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        _copy_source(path, target)


def _unreadable(path: Path, exc: OSError) -> WriteError:
    return WriteError(
        f"{path} could not be read for the pack: {os_reason(exc)}. Nothing was written; make "
        "the file readable (or correct the evidence's source), then run again."
    )


def _read_source(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise _unreadable(path, exc) from None


def _copy_source(path: Path, target: Path) -> None:
    try:
        src = open(path, "rb")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        raise _unreadable(path, exc) from None
    with src, open(target, "xb") as dst:
        shutil.copyfileobj(src, dst)


def _write_zip(pack: Pack, out: Path, *, force: bool) -> None:
    refuse_existing(out, force=force)
    made = missing_folders(out.parent)
    tmp: Path | None = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = temporary_beside(out)
        with open(tmp, "wb") as handle, zipfile.ZipFile(handle, "w") as archive:
            entries: list[tuple[str, Path | None]] = [("index.md", None)]
            for name, source in [*entries, *sorted(pack.files.items())]:
                info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                data = pack.index.encode("utf-8") if source is None else _read_source(source)
                archive.writestr(info, data)
            archive.close()
            handle.flush()
            os.fsync(handle.fileno())
        put_in_place(tmp, out, force=force)
        tmp = None
    except OSError as exc:
        raise write_error(out, exc) from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
            for folder in made:
                with contextlib.suppress(OSError):
                    folder.rmdir()
