"""``ascready import``: a council's existing register (.xlsx or .csv) into repository files.

A *mapping* (:mod:`.mapping`) says which sheet holds which kind of document, which column holds
which field, and how the words people typed map to ascready's values ("Assessing Needs" or
"QS 1" to ``QS1``). The sheets are read by it (:mod:`.sheets`, converting each cell with
:mod:`.convert`), and the rows become documents (:mod:`.build`).

:func:`plan_import` does all of that and returns an :class:`ImportPlan`: the files it would
write, each checked as ``ascready validate`` would check it (:mod:`ascready.checks.document`),
and every row it cannot convert with its sheet, row number and reason. Nothing is written
unless :func:`write_plan` is called, and then every file or none. New files are created,
never written over another; a rating file that exists is added to (its new strengths and areas
for improvement at the end of its lists, a self-score or narrative only where it has none),
keeping its comments and layout (:mod:`ascready.authoring.roundtrip`). Nothing here prints.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ascready.authoring.files import as_read, emit
from ascready.authoring.register.build import Builder, Draft
from ascready.authoring.register.convert import Converter
from ascready.authoring.register.mapping import Mapping, builtin_mapping
from ascready.authoring.register.rows import Row, RowProblem, SheetRows
from ascready.authoring.register.sheets import read_sheet, select_sheets
from ascready.authoring.roundtrip import EditError, add_to_mapping
from ascready.checks.document import check_data, check_text, introduced_findings
from ascready.checks.personal_data import allowed_for
from ascready.errors import AscreadyError
from ascready.findings import Finding, Severity
from ascready.io.tables import Progress
from ascready.io.writing import write_files
from ascready.repository import models, yamlsafe
from ascready.repository.project import Document, Project


@dataclass(frozen=True)
class PlannedFile:
    path: str  # relative to the repository
    kind: str
    text: str
    rows: tuple[tuple[str, int], ...]  # (where, row) of the rows it comes from
    #: For a file that exists and is added to: its bytes when it was read (it is written only
    #: if it still holds them). None for a new file.
    original: bytes | None = None

    @property
    def preview(self) -> str:
        """What --dry-run shows: a new file's text, or what is added to an existing one (as
        a diff)."""
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

    @property
    def errors(self) -> tuple[RowProblem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[RowProblem, ...]:
        return tuple(p for p in self.problems if p.severity is not Severity.ERROR)

    def by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for f in self.files:
            counts[f.kind] += 1
        return dict(counts)


def plan_import(
    project: Project,
    path: Path,
    mapping: Mapping | None = None,
    *,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> ImportPlan:
    """Read ``path`` with ``mapping`` and plan the files it becomes in ``project``'s
    repository, checking each as ``validate`` would. Raises
    :class:`~ascready.errors.ImportRefused` only when nothing can be read at all; problems
    with rows are in the plan."""
    mapping = mapping or builtin_mapping()
    problems: list[RowProblem] = []
    conv = Converter(project.framework)
    sheets: list[SheetRows] = []
    for smap, table in select_sheets(mapping, path, progress):
        read = read_sheet(table, smap, conv, problems, progress)
        if read is not None:
            sheets.append(read)
    builder = Builder(project, problems)
    for sheet in sheets:
        if sheet.smap.kind in ("evidence", "return", "action", "metric"):
            builder.simple(sheet)
    builder.ratings(
        [s for s in sheets if s.smap.kind == "rating"],
        [s for s in sheets if s.smap.kind == "statement"],
    )
    builder.progress([s for s in sheets if s.smap.kind == "progress"])
    checker = _Checker(project, problems, path.name)
    files = checker.check(builder.drafts, today or dt.date.today(), progress)
    rows_read = sum(len(s.rows) for s in sheets)
    empty = sum(s.empty for s in sheets)
    problems.sort(key=lambda p: (p.where, p.row, p.severity is not Severity.ERROR))
    return ImportPlan(project.root, path.name, tuple(files), tuple(problems), rows_read, empty)


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
        for done, draft in enumerate(drafts):
            if progress is not None and done % 200 == 0:
                progress("Checking the new files", done, len(drafts))
            if draft.existing is not None:
                added = self.added_to(draft)
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
        blocked = self.in_the_repository({draft.path: draft for draft, _, _ in good}, today, good)
        return [
            PlannedFile(
                draft.path,
                draft.kind,
                text,
                tuple((r.where, r.row) for r in draft.rows),
                originals.get(draft.path),
            )
            for draft, text, _ in good
            if draft.path not in blocked
        ]

    def added_to(self, draft: Draft) -> tuple[str, Document, bytes] | None:
        """An existing rating file with the draft's additions: its new text, the document it
        reads as, and the bytes it holds now; or None, with the reason reported."""
        existing = draft.existing
        assert existing is not None
        if not draft.rows:  # a rating made only of statements whose rows all failed
            return None
        first = draft.rows[0]

        def refuse(message: str, hint: str) -> None:
            self.problems.append(RowProblem(first.where, first.row, message, hint))

        if existing.model is None or not isinstance(existing.data, dict):
            refuse(
                f"{existing.path} has errors, so nothing can be added to it",
                f"Run ascready validate, correct {existing.path}, then import again",
            )
            return None
        try:
            original = (self.project.root / existing.path).read_bytes()
            text = original.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            refuse(
                f"{existing.path} cannot be read",
                f"Run ascready validate, correct {existing.path}, then import again",
            )
            return None
        lists = ("strengths", "areas_for_improvement")
        append = {k: draft.data[k] for k in lists if draft.data.get(k)}
        set_missing = {
            k: v for k, v in draft.data.items() if k not in (*lists, "quality_statement")
        }
        if not append and not set_missing:
            return None  # the rows say only what the file says already
        try:
            new_text, kept = add_to_mapping(
                text, append=append, set_missing=set_missing, order=list(models.Rating.model_fields)
            )
        except EditError as exc:
            refuse(
                f"{existing.path} cannot be added to: {exc}",
                "Add the rows' strengths and areas for improvement to it by hand",
            )
            return None
        # What the file must read as: what it held, with exactly the additions.
        expected = dict(existing.data)
        expected.update(as_read(set_missing))
        for k, entries in append.items():
            expected[k] = [*(expected.get(k) or []), *as_read(entries)]
        if yamlsafe.parse_text(new_text)[0] != expected:
            refuse(
                f"{existing.path} cannot be added to without changing what it holds",
                "Add the rows' strengths and areas for improvement to it by hand",
            )
            return None
        if not kept:
            self.problems.append(
                RowProblem(
                    first.where,
                    first.row,
                    f"{existing.path} is added to, but some of its lines will be laid out "
                    "differently (indentation or spacing ascready cannot repeat exactly)",
                    "Check the change (git diff) before you commit it",
                    severity=Severity.WARNING,
                )
            )
        checked = check_text(existing.path, "rating", new_text, self.allowed)
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
        self, by_path: dict[str, Draft], today: dt.date, good: list[tuple[Draft, str, Document]]
    ) -> set[str]:
        """Report what the repository checks find because of the new files; returns the paths
        of the new files that have errors."""
        blocked: set[str] = set()
        documents = [doc for _, _, doc in good]
        for f in introduced_findings(self.project, documents, today, always=by_path):
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
        creates={f.path: f.text for f in plan.files if f.original is None},
        replaces={f.path: f.text for f in plan.files if f.original is not None},
        originals={f.path: f.original for f in plan.files if f.original is not None},
        progress=writing,
        command=f"ascready import of {plan.source}",
    )
