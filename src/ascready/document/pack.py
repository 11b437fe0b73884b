"""The information-return pack: a folder (or zip) arranged by item number, with the repository
files each item cites and an index of every item, its documents and links. It is the checklist
the two people named to upload to the CQC portal work through.

The pack goes to CQC, not to the public, so every classification is included and marked.
Sources that are missing are listed in the index and returned, never silently skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ascready.checks.sources import classify_source
from ascready.io.writing import refuse_existing
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
                path = (root / ev.source).resolve()
                inside = path == root or str(path).startswith(str(root) + os.sep)
                if inside and path.is_file():
                    name = f"{folder}/{ev.id}-{path.name}"
                    pack.files[name] = path
                    lines.append(f"- File: {label}: {name}")
                else:
                    reason = "outside the repository" if not inside else "file not found"
                    pack.missing.append(Missing(item.number, ref, ev.source, reason))
                    lines.append(f"- MISSING: {label}: {ev.source} ({reason})")
        lines.append("")
    if pack.missing:
        lines += ["## Missing", ""]
        lines += [f"- Item {m.number}: {m.describe()}" for m in pack.missing]
        lines.append("")
    pack.index = "\n".join(lines)
    return pack


def write_pack(pack: Pack, out: Path, *, force: bool = False) -> None:
    """Write the pack as a folder, or a zip if ``out`` ends .zip. Built aside and moved into
    place only when complete; an existing pack is replaced only with ``force``."""
    refuse_existing(out, force=force)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".zip":
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
        os.close(fd)
        try:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, data in [("index.md", pack.index.encode("utf-8"))] + [
                    (name, path.read_bytes()) for name, path in sorted(pack.files.items())
                ]:
                    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o644 << 16
                    archive.writestr(info, data)
            os.replace(tmp, out)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        (staging / "index.md").write_text(pack.index, encoding="utf-8")
        for name, path in pack.files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        old = out.with_name(f".{out.name}.old")
        if out.is_dir():
            shutil.rmtree(old, ignore_errors=True)
            out.rename(old)
        elif out.exists():
            out.unlink()
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
