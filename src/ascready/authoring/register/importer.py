"""``ascready import``: a council's existing register (.xlsx or .csv) into repository files.

A *mapping* (:mod:`.mapping`) says which sheet holds which kind of document, which column holds
which field, and how the words people typed map to ascready's values ("Assessing Needs" or
"QS 1" to ``QS1``). The sheets are read by it (:mod:`.sheets`, converting each cell with
:mod:`.convert`), and the rows become documents (:mod:`.build`).

:func:`plan_import` does all of that and returns an :class:`ImportPlan`: the files it would
write, each checked as ``ascready validate`` would check it (:mod:`ascready.checks.document`),
and every row it cannot convert with its sheet, row number and reason. Nothing is written
unless :func:`write_plan` is called, and then every file or none. New files are created,
never written over another. A row the repository already holds (matched by id, or by title
where the sheet has none: :mod:`.update`) changes its file only where the file does not say it
yet, unless ``update`` is given; what the sheet no longer lists is reported, and removed only
with ``remove_missing``. A file that is changed keeps its comments and layout
(:mod:`ascready.authoring.roundtrip`). :func:`plan_diff` says what the import would change, by
meaning, as ``ascready diff`` does. Nothing here prints.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ascready.authoring.files import as_read, emit
from ascready.authoring.register.build import Builder
from ascready.authoring.register.convert import Converter
from ascready.authoring.register.mapping import Mapping, builtin_mapping
from ascready.authoring.register.rows import Draft, Row, RowProblem, SheetRows
from ascready.authoring.register.sheets import read_sheet, select_sheets
from ascready.authoring.register.update import Change, Missing
from ascready.authoring.roundtrip import EditError, apply, edit_mapping
from ascready.checks.document import check_data, check_text, introduced_findings
from ascready.checks.personal_data import allowed_for
from ascready.errors import AscreadyError
from ascready.findings import Finding, Severity
from ascready.io.tables import Progress
from ascready.io.writing import write_files
from ascready.repository import yamlsafe
from ascready.repository.project import Document, Project

if TYPE_CHECKING:
    from ascready.analysis.diff.changes import Diff


@dataclass(frozen=True)
class PlannedFile:
    path: str  # relative to the repository
    kind: str
    text: str
    rows: tuple[tuple[str, int], ...]  # (where, row) of the rows it comes from
    #: For a file that exists and is changed: its bytes when it was read (it is written only
    #: if it still holds them). None for a new file.
    original: bytes | None = None
    #: The file is taken out (--remove-missing); ``text`` is empty.
    remove: bool = False
    #: What the file reads as, checked (None for a file taken out).
    document: Document | None = None

    @property
    def preview(self) -> str:
        """A new file's text, or the change to an existing one (as a diff of lines)."""
        if self.original is None:
            return self.text
        old = self.original.decode("utf-8").splitlines(keepends=True)
        new = self.text.splitlines(keepends=True)
        lines = difflib.unified_diff(old, new, f"{self.path} now", f"{self.path} imported", n=1)
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


@dataclass(frozen=True)
class ImportPlan:
    root: Path
    source: str
    files: tuple[PlannedFile, ...]
    problems: tuple[RowProblem, ...]
    rows_read: int
    empty_rows: int
    #: What rows change in files that are there (made only with ``update``).
    changes: tuple[Change, ...] = ()
    #: What the repository holds and the sheets no longer list.
    missing: tuple[Missing, ...] = ()
    #: Whether what is missing is taken out.
    removing: bool = False

    @property
    def errors(self) -> tuple[RowProblem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[RowProblem, ...]:
        return tuple(p for p in self.problems if p.severity is not Severity.ERROR)

    def by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for f in self.files:
            if not f.remove:
                counts[f.kind] += 1
        return dict(counts)

    @property
    def changed(self) -> tuple[PlannedFile, ...]:
        return tuple(f for f in self.files if f.original is not None and not f.remove)

    @property
    def removed(self) -> tuple[PlannedFile, ...]:
        return tuple(f for f in self.files if f.remove)

    @property
    def created(self) -> tuple[PlannedFile, ...]:
        return tuple(f for f in self.files if f.original is None)


def plan_import(
    project: Project,
    path: Path,
    mapping: Mapping | None = None,
    *,
    today: dt.date | None = None,
    progress: Progress | None = None,
    update: bool = False,
    remove_missing: bool = False,
) -> ImportPlan:
    """Read ``path`` with ``mapping`` and plan the files it becomes in ``project``'s
    repository, checking each as ``validate`` would; ``update`` lets rows change what files
    hold, and ``remove_missing`` takes out what the sheets no longer list. Raises
    :class:`~ascready.errors.ImportRefused` only when nothing can be read at all; problems
    with rows are in the plan."""
    mapping = mapping or builtin_mapping()
    problems: list[RowProblem] = []
    conv = Converter(project.framework)
    sheets = _read_sheets(mapping, path, conv, problems, progress)
    builder = Builder(project, problems, update=update, remove_missing=remove_missing)
    for kind in ("evidence", "return", "action", "metric"):
        builder.simple([s for s in sheets if s.smap.kind == kind])
    builder.ratings(
        [s for s in sheets if s.smap.kind == "rating"],
        [s for s in sheets if s.smap.kind == "statement"],
    )
    builder.progress([s for s in sheets if s.smap.kind == "progress"])
    drafts = builder.drafts
    removing = remove_missing and bool(builder.missing)
    if removing and any(p.severity is Severity.ERROR for p in problems):
        # A row that could not be read may be one of those "missing": take nothing out.
        drafts = [d for d in drafts if not d.remove]
        removing = False
        problems.append(
            RowProblem(
                path.name,
                0,
                "nothing is taken out (--remove-missing) while rows cannot be imported: one of "
                "them may be what looks missing",
                severity=Severity.WARNING,
            )
        )
    rows_read = sum(len(s.rows) for s in sheets)
    empty = sum(s.empty for s in sheets)
    # The drafts are made: from here on a row is needed only to say where a problem is, not
    # for its values (a 200,000-row import would otherwise hold them all to the end).
    for sheet in sheets:
        for row in sheet.rows:
            row.values = {}
    del sheets
    checker = _Checker(project, problems, path.name)
    files = checker.check(drafts, today or dt.date.today(), progress)
    problems.sort(key=lambda p: (p.where, p.row, p.severity is not Severity.ERROR))
    return ImportPlan(
        project.root,
        path.name,
        tuple(files),
        tuple(problems),
        rows_read,
        empty,
        tuple(builder.changes),
        tuple(builder.missing),
        removing,
    )


#: How many problems of one kind are listed before the rest are counted: a column mapped
#: wrongly in a 200,000-row sheet would otherwise print 200,000 lines.
PROBLEMS_SHOWN = 20


@dataclass(frozen=True)
class MoreLike:
    """Problems not listed: ``count`` more of the same kind as ``like``."""

    count: int
    like: RowProblem


def listed(
    problems: Iterable[RowProblem], shown: int = PROBLEMS_SHOWN
) -> list[RowProblem | MoreLike]:
    """The problems to list, in their order, with at most ``shown`` of each kind and then,
    for each kind with more, how many more. A kind is a check in one sheet; or, where no check
    is named, a column of one sheet (a column mapped wrongly fails each row with its own
    value), or else the same message."""
    seen: dict[tuple[Severity, str, str, str], list[RowProblem]] = {}
    out: list[RowProblem | MoreLike] = []
    for p in problems:
        kind = (p.severity, p.check, p.where, p.column if p.check or p.column else p.message)
        group = seen.setdefault(kind, [])
        group.append(p)
        if len(group) <= shown:
            out.append(p)
    out += [
        MoreLike(len(group) - shown, group[shown]) for group in seen.values() if len(group) > shown
    ]
    return out


def _read_sheets(
    mapping: Mapping,
    path: Path,
    conv: Converter,
    problems: list[RowProblem],
    progress: Progress | None,
) -> list[SheetRows]:
    """The converted rows of each sheet the mapping names. The tables themselves, as read, are
    let go on return: only their converted rows are kept."""
    sheets: list[SheetRows] = []
    for smap, table in select_sheets(mapping, path, progress):
        read = read_sheet(table, smap, conv, problems, progress)
        if read is not None:
            sheets.append(read)
    return sheets


# --- checking the files as validate would -----------------------------------------------------


def _loc_row(draft: Draft, loc: tuple[Any, ...] | None) -> tuple[Row, str]:
    """The row and field a finding's location comes from."""
    loc = tuple(loc or ())
    if len(loc) >= 2 and (loc[0], loc[1]) in draft.origin:
        row = draft.origin[(loc[0], loc[1])]
        return row, str(loc[2]) if len(loc) > 2 else ""
    name = str(loc[0]) if loc else ""
    if len(loc) > 1 and loc[0] == "comparators":
        name = f"comparators.{loc[1]}"
    return draft.rows[0], name


class _Checker:
    """Each draft as YAML, checked as validate would; what is found goes to its row."""

    def __init__(self, project: Project, problems: list[RowProblem], source: str) -> None:
        self.project, self.problems, self.source = project, problems, source
        self.allowed = allowed_for(project.profile)
        self.existing = {d.path.casefold(): d.path for d in project.documents}
        self.taken: dict[str, Draft] = {}

    def report(self, draft: Draft, f: Finding) -> None:
        row, fname = _loc_row(draft, f.loc)
        self.problems.append(
            RowProblem(
                row.where,
                row.row,
                f.message,
                f.hint,
                row.headers.get(fname, ""),
                row.cells.get(fname, ""),
                f.severity,
                f.check,
            )
        )

    def check(
        self, drafts: list[Draft], today: dt.date, progress: Progress | None
    ) -> list[PlannedFile]:
        good: list[tuple[Draft, str, Document]] = []
        originals: dict[str, bytes] = {}
        removed: list[tuple[Draft, bytes]] = []
        for done, draft in enumerate(drafts):
            if progress is not None and done % 200 == 0:
                progress("Checking the new files", done, len(drafts))
            if draft.remove:
                held = self.read(draft)
                if held is not None:
                    removed.append((draft, held[1]))
                continue
            if draft.existing is not None:
                added = self.edited(draft)
                if added is not None:
                    text, document, originals[draft.path] = added
                    good.append((draft, text, document))
                continue
            found = self.one(draft)
            if found is not None:
                good.append((draft, *found))
        # The repository's own checks, on the repository with the new files in it: what they
        # find in a new file, or newly in an old one because of a new file.
        if progress is not None:
            progress("Checking the repository with them", 0, 0)
        blocked = (
            self.in_the_repository(
                {draft.path: draft for draft, _, _ in good},
                today,
                good,
                {d.path for d, _ in removed},
            )
            if good or removed
            else set()  # nothing changes: nothing new for the repository's checks to find
        )
        planned = [
            PlannedFile(
                draft.path,
                draft.kind,
                text,
                tuple(sorted((r.where, r.row) for r in draft.rows)),
                originals.get(draft.path),
                document=document,
            )
            for draft, text, document in good
            if draft.path not in blocked
        ]
        planned += [
            PlannedFile(draft.path, draft.kind, "", (), original, remove=True)
            for draft, original in removed
        ]
        return planned

    def read(self, draft: Draft) -> tuple[str, bytes] | None:
        """A file that is there, as text and bytes; or None, with the reason reported."""
        try:
            original = (self.project.root / draft.path).read_bytes()
            return original.decode("utf-8"), original
        except (OSError, UnicodeDecodeError):
            self.problems.append(
                RowProblem(
                    draft.rows[0].where if draft.rows else self.source,
                    draft.rows[0].row if draft.rows else 0,
                    f"{draft.path} cannot be read",
                    f"Run ascready validate, correct {draft.path}, then import again",
                )
            )
            return None

    def edited(self, draft: Draft) -> tuple[str, Document, bytes] | None:
        """A file that is there with the draft's change made: its new text, the document it
        reads as, and the bytes it holds now; or None, with the reason reported."""
        existing, edit = draft.existing, draft.edit
        assert existing is not None
        if edit is None or (not draft.rows and not edit.lists):
            return None
        where = draft.rows[0] if draft.rows else None

        def refuse(message: str, hint: str) -> None:
            self.problems.append(
                RowProblem(
                    where.where if where else self.source, where.row if where else 0, message, hint
                )
            )

        if existing.model is None or not isinstance(existing.data, dict):
            refuse(
                f"{existing.path} has errors, so nothing can be added to it",
                f"Run ascready validate, correct {existing.path}, then import again",
            )
            return None
        read = self.read(draft)
        if read is None:
            return None
        text, original = read
        if not edit.changes(existing.data):
            return None  # the rows say only what the file says already
        try:
            new_text, kept = edit_mapping(text, edit)
        except EditError as exc:
            refuse(f"{existing.path} cannot be changed: {exc}", "Make the change by hand")
            return None
        # What the file must read as: what it held, with exactly the change.
        if yamlsafe.parse_text(new_text)[0] != apply(existing.data, edit):
            refuse(
                f"{existing.path} cannot be changed without changing more than the rows say",
                "Make the change by hand",
            )
            return None
        if not kept:
            refuse_warning = RowProblem(
                where.where if where else self.source,
                where.row if where else 0,
                f"{existing.path} is changed, but some of its lines will be laid out "
                "differently (indentation or spacing ascready cannot repeat exactly)",
                "Check the change (git diff) before you commit it",
                severity=Severity.WARNING,
            )
            self.problems.append(refuse_warning)
        checked = check_text(existing.path, existing.kind, new_text, self.allowed)
        for f in checked.findings:
            self.report(draft, f)
        if checked.errors:
            return None
        return new_text, checked.document, original

    def one(self, draft: Draft) -> tuple[str, Document] | None:
        """The draft's text and document, if it may be written and passes the checks of one
        file on its own (the rest are reported)."""
        if not draft.rows:  # a rating made only of statements whose rows all failed
            return None
        first, key = draft.rows[0], draft.path.casefold()
        if key in self.existing or (self.project.root / draft.path).exists():
            self.problems.append(
                RowProblem(
                    first.where,
                    first.row,
                    f"{draft.path} already exists in the repository",
                    "ascready never replaces a file: leave this row out, or move the existing "
                    "file away first",
                )
            )
            return None
        if key in self.taken:
            other = self.taken[key].rows[0]
            self.problems.append(
                RowProblem(
                    first.where,
                    first.row,
                    f"this row would also be written to {draft.path}, like "
                    f"{other.where}, row {other.row}",
                    "Give each row its own ID (or number)",
                )
            )
            return None
        self.taken[key] = draft
        try:
            text = emit(draft.data, f"# Imported by ascready from {self.source}.\n")
        except AscreadyError as exc:
            self.problems.append(RowProblem(first.where, first.row, exc.message))
            return None
        # emit() has read the text back as exactly this: no need to parse it again.
        checked = check_data(draft.path, draft.kind, as_read(draft.data), self.allowed)
        for f in checked.findings:
            self.report(draft, f)
        return None if checked.errors else (text, checked.document)

    def in_the_repository(
        self,
        by_path: dict[str, Draft],
        today: dt.date,
        good: list[tuple[Draft, str, Document]],
        removed: set[str],
    ) -> set[str]:
        """Report what the repository checks find because of the new files (and those taken
        out); returns the paths of the new files that have errors."""
        blocked: set[str] = set()
        documents = [doc for _, _, doc in good]
        for f in introduced_findings(
            self.project, documents, today, always=by_path, removed=removed
        ):
            if f.file in by_path:
                self.report(by_path[f.file], f)
                if f.severity is Severity.ERROR:
                    blocked.add(f.file)
            elif f.severity is Severity.ERROR:
                self.problems.append(
                    RowProblem(
                        f.file,
                        0,
                        f"{f.message} (because of the rows imported)",
                        f.hint,
                        check=f.check,
                    )
                )
        return blocked


def write_plan(plan: ImportPlan, progress: Progress | None = None) -> list[Path]:
    """Write every planned file, or none: new files are created, never over another file;
    an existing file added to is replaced only if it still holds what it held when planned."""

    def writing(done: int, total: int) -> None:
        if progress is not None:
            progress("Writing the files", done, total)

    return write_files(
        plan.root,
        creates={f.path: f.text for f in plan.created},
        replaces={f.path: f.text for f in plan.changed},
        deletes=[f.path for f in plan.removed],
        originals={f.path: f.original for f in plan.files if f.original is not None},
        progress=writing,
        command=f"ascready import of {plan.source}",
    )


def plan_diff(project: Project, plan: ImportPlan, as_of: dt.date | None = None) -> Diff:
    """What the import would change, by meaning: the repository now against the repository
    with the planned files, compared as ``ascready diff`` compares two commits."""
    from dataclasses import replace

    from ascready.analysis.diff import compare, with_gaps
    from ascready.analysis.diff.compare import Snapshot
    from ascready.analysis.gaps import resolve_as_of
    from ascready.findings import Report

    planned = {f.path: f for f in plan.files}
    documents = [d for d in project.documents if d.path not in planned]
    documents += [f.document for f in plan.files if f.document is not None]
    after = replace(project, documents=documents)
    day = resolve_as_of(None, project.profile, as_of or dt.date.today())
    before_side = with_gaps(Snapshot("the repository now", project, Report(()), None), day, None)
    after_side = with_gaps(
        Snapshot(f"after importing {plan.source}", after, Report(()), None), day, None
    )
    return compare(before_side, after_side, day)
