"""Personal data in the documents themselves: every file under ``files/`` and every other file
in the repository an evidence item's ``source:`` names (what ``render --pack`` copies into the
information-return pack), scanned with the same detectors, and the same allow-list, as the
YAML (:mod:`ascready.checks.personal_data`).

A finding names the file and the place in it ("on page 3", "in paragraph 12", "in sheet
'Cases' cell B7", "on line 40"), with the check id and severity of the YAML scan, and never
repeats what it found in full. A document that cannot be read is listed (``document-unreadable``),
and one read only in part is too (``document-partly-scanned``): none is passed over in
silence. Images, sound and video hold no text to read and are not scanned; hidden files and
Office's lock files (``~$report.docx``) are not documents.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import PurePosixPath

from ascready.checks.base import Check, CheckList
from ascready.checks.personal_data import CHECKS as PERSONAL_DATA
from ascready.checks.personal_data import allowed_for, hint, mask, scan
from ascready.checks.sources import classify_source
from ascready.findings import Finding, Severity
from ascready.io.documents import DocumentProblem, Segment, document_text, is_media
from ascready.repository import yamlsafe
from ascready.repository.kinds import FILES_FOLDER
from ascready.repository.loader import document_kind, is_inside, read_bytes
from ascready.repository.project import PROFILE_FILE, Project

#: Largest document read (a larger one is listed as not checked).
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
#: Personal-data findings listed for one document; the rest are counted in one more finding.
MAX_LISTED = 20
#: Below this many bytes of documents in all, scanning in one process is faster than starting
#: workers (a PDF page takes pypdf about 6 ms: 1 MiB of PDF is a few hundred milliseconds).
PARALLEL_BYTES = 1024 * 1024

CHECKS = CheckList()
UNREADABLE = CHECKS.add(
    Check(
        "document-unreadable",
        Severity.WARNING,
        "read",
        "A document under files/ (or another file a source names) that ascready cannot read, "
        "so it is not checked for personal data: protected with a password, damaged, of a "
        "kind ascready does not read (such as .doc), over 50 MiB, or a link outside the "
        "repository.",
    )
)
PARTLY = CHECKS.add(
    Check(
        "document-partly-scanned",
        Severity.WARNING,
        "read",
        "A document checked for personal data only in part: past 1,000 pages of a PDF (or 8 "
        "MiB of its text instructions), 2,000,000 cells of a workbook or 5,000,000 characters, "
        "or with pages that cannot be read.",
    )
)
_PERSONAL = PERSONAL_DATA.by_id()
_COUNTED = {
    "nhs-number": ("NHS number", "NHS numbers"),
    "ni-number": ("National Insurance number", "National Insurance numbers"),
    "email-address": ("email address", "email addresses"),
    "phone-number": ("phone number", "phone numbers"),
    "home-address": ("home address", "home addresses"),
    "date-of-birth": ("date of birth", "dates of birth"),
}
_NOT_DOCUMENTS = ("thumbs.db", "desktop.ini")

#: One document to scan: its path, its path in the repository, the repository's folder, and
#: the council's allowed contact details.
Job = tuple[str, str, str, frozenset[str]]


def _not_a_document(name: str) -> bool:
    low = name.lower()
    return low.startswith((".", "~$")) or low in _NOT_DOCUMENTS or is_media(low)


def document_paths(project: Project) -> tuple[list[str], list[Finding]]:
    """The documents to scan, by path in the repository, in a stable order: every file under
    ``files/``, then the other files inside the repository that evidence sources name; and a
    finding for each folder under ``files/`` that is a link outside the repository (nothing in
    it is read)."""
    root = str(project.root)
    found: list[str] = []
    outside: list[Finding] = []
    base = os.path.join(root, FILES_FOLDER)
    if os.path.isdir(base) and not is_inside(os.path.realpath(base), root):
        outside.append(_link_outside(FILES_FOLDER))
    elif os.path.isdir(base):
        skip = len(root) + 1
        for dirpath, dirnames, filenames in os.walk(base):
            rel_dir = dirpath[skip:].replace(os.sep, "/")
            kept = []
            for name in sorted(dirnames):
                if name.startswith("."):
                    continue
                path = os.path.join(dirpath, name)
                if not os.path.islink(path):
                    kept.append(name)
                elif not is_inside(os.path.realpath(path), root):
                    outside.append(_link_outside(f"{rel_dir}/{name}"))
            dirnames[:] = kept
            found += [f"{rel_dir}/{n}" for n in sorted(filenames) if not _not_a_document(n)]
    seen = set(found)
    real_root = os.path.realpath(root)
    for doc in project.evidence:
        source = doc.model.source
        if not source or classify_source(source) != "path" or PurePosixPath(source).is_absolute():
            continue
        real = os.path.realpath(os.path.join(root, source))
        if not is_inside(real, root) or not os.path.isfile(real):
            continue  # source-outside and source-missing say so
        rel = os.path.relpath(real, real_root).replace(os.sep, "/")
        name = rel.rpartition("/")[2]
        if rel in seen or rel == PROFILE_FILE or document_kind(rel) or _not_a_document(name):
            continue
        seen.add(rel)
        found.append(rel)
    return found, outside


def _link_outside(folder: str) -> Finding:
    return UNREADABLE.finding(
        "the folder is a link to a place outside the repository, so nothing in it is read or "
        "checked for personal data",
        "Copy the documents themselves into the repository, or remove the link.",
        folder,
    )


def scan_files(project: Project, *, jobs: int | None = None) -> tuple[list[Finding], int]:
    """Every finding of the documents' scan, and how many documents were looked at."""
    paths, found = document_paths(project)
    allowed = allowed_for(project.profile)
    root = str(project.root)
    work = [(os.path.join(root, rel), rel, root, allowed) for rel in paths]
    for result in _scan_all(work, jobs):
        found.extend(result)
    return found, len(paths)


def _scan_all(work: Sequence[Job], jobs: int | None) -> Iterator[list[Finding]]:
    workers = min(jobs if jobs is not None else (os.cpu_count() or 1), len(work))
    if workers <= 1 or _total_size(work) < PARALLEL_BYTES:
        yield from map(scan_file, work)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(scan_file, work)


def _total_size(work: Sequence[Job]) -> int:
    total = 0
    for path, *_ in work:
        try:
            total += os.lstat(path).st_size
        except OSError:
            continue
    return total


def _too_large(size: int) -> yamlsafe.Problem:
    return yamlsafe.Problem(
        "file-too-large",
        f"the file is {size / 1024 / 1024:,.1f} MiB; ascready reads documents of up to "
        f"{MAX_DOCUMENT_BYTES // 1024 // 1024} MiB",
        "Split it into smaller documents, or check it yourself and keep it elsewhere.",
    )


def scan_file(job: Job) -> list[Finding]:
    """What the scan finds in one document. A module-level function of plain arguments, so
    that worker processes can run it."""
    path, rel, root, allowed = job
    raw, problems = read_bytes(path, root, limit=MAX_DOCUMENT_BYTES, too_large=_too_large)
    if raw is None or len(raw) > MAX_DOCUMENT_BYTES:
        problem = problems[0] if problems else _too_large(len(raw or b""))
        message = problem.message  # "..., so ascready does not read it" says enough
        if not message.endswith("does not read it"):
            message = f"{message}, so it was not checked for personal data"
        return [UNREADABLE.finding(message, problem.hint, rel)]
    found: list[Finding] = []
    unlisted: Counter[str] = Counter()
    after = Segment("", "")  # where the first finding not listed is
    try:
        for segment in document_text(raw, rel.rpartition("/")[2]):
            for hit in scan(segment.text, allowed):
                if len(found) == MAX_LISTED:
                    if not unlisted:
                        after = segment
                    unlisted[hit.check] += 1
                    continue
                check = _PERSONAL[hit.check]
                finding = check.finding(
                    f"{hit.what} ({mask(hit.value)}) is {segment.where}: personal data must "
                    "never be in the evidence repository",
                    hint(hit.check),
                    rel,
                    line=segment.line,
                )
                if finding not in found:
                    found.append(finding)
    except DocumentProblem as problem:
        if problem.partial:
            found.append(PARTLY.finding(f"{problem.what}", problem.fix, rel))
        else:
            message = f"{problem.what}, so it was not checked for personal data"
            found.append(UNREADABLE.finding(message, problem.fix, rel))
    if unlisted:
        found.append(_more(unlisted, after, rel))
    return found


def _more(unlisted: Counter[str], after: Segment, rel: str) -> Finding:
    """One finding for the personal data past the first :data:`MAX_LISTED` in a document, at
    the first of them."""
    total = sum(unlisted.values())
    kinds = ", ".join(f"{n:,} {_COUNTED[check][n != 1]}" for check, n in sorted(unlisted.items()))
    return _PERSONAL[min(unlisted)].finding(
        f"and {total:,} more finding{'s' if total != 1 else ''} of personal data, {after.where} "
        f"and after it, not listed one by one ({kinds}): personal data must never be in the "
        "evidence repository",
        "Remove the personal data from the document, or the document from the repository, and "
        "ask whoever manages the repository to remove it from the git history too.",
        rel,
        line=after.line,
    )
