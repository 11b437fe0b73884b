"""The evidence register: one workbook layout shared by ``export`` and ``import``.

:data:`SHEETS` says which sheet holds which kind of document and which column holds which
field. :func:`register_rows` turns a project into the rows of those sheets (plain Python values:
text, numbers, dates, never formatting); ``register_xlsx`` writes them as a workbook, and
``importer`` reads such a workbook back into repository files with the same layout as its
default mapping, so that an exported register imports back to the same repository.

Lists are written in one cell, separated by ``; ``. Dates are real dates. The ``File`` column
keeps each document's path in the repository, so that files come back under the same names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from ascready.authoring.files import path_for
from ascready.errors import RegisterError
from ascready.repository import models
from ascready.repository.framework import Framework
from ascready.repository.kinds import BY_NAME
from ascready.repository.project import Project

LIST_SEPARATOR = "; "


AUDIENCES = ("internal", "public")


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    type: str  # text, id, list, numbers, date, int, float, choice, scores
    choices: tuple[str, ...] = ()
    required: bool = False
    width: int = 16
    #: A closed list the cell takes several values from (quality statements, categories...):
    #: the drop-down offers them one at a time, and the cell may hold several.
    several: str = ""
    help: str = ""
    #: Other headers ``import`` accepts for the column without a mapping file.
    aliases: tuple[str, ...] = ()
    #: A closed list shown in words ("Not started" for ``not-started``), in the cells and the
    #: drop-down alike; ``import`` reads the words back as the values.
    worded: bool = False


@dataclass(frozen=True)
class Sheet:
    name: str
    kind: str  # evidence, return, rating, statement, action, progress, metric
    columns: tuple[Column, ...]
    help: str = ""

    def column(self, field: str) -> Column:
        for col in self.columns:
            if col.field == field:
                return col
        raise KeyError(field)


def _values(enum: Iterable[Any]) -> tuple[str, ...]:
    return tuple(str(e.value) for e in enum)


FILE = Column(
    "file",
    "File",
    "text",
    width=28,
    help="Where the file is kept in the repository. Leave empty for new rows: ascready names "
    "the file from its id.",
)
STATEMENT_TYPES = ("strength", "area for improvement")
CLASSIFICATIONS = _values(models.Classification)

# The columns several sheets have, written once so that they read alike on each.
TITLE = Column("title", "Title", "text", required=True, width=50)
OWNER = Column("owner", "Owner", "text", width=28)
DUE = Column("due", "Due", "date", width=12)
SOURCE = Column("source", "Source", "text", width=40)
NOTES = Column("notes", "Notes", "text", width=40)
CITED_EVIDENCE = Column("evidence", "Evidence", "list", width=24)
QUALITY_STATEMENTS = Column(
    "quality_statements", "Quality statements", "list", width=20, several="qs"
)
RATED = Column("quality_statement", "Quality statement", "text", required=True, several="qs")

EVIDENCE_COLUMNS = (
    Column("id", "ID", "id", required=True, width=10),
    TITLE,
    Column("summary", "Summary", "text", width=60),
    Column("kind", "Kind", "choice", _values(models.EvidenceKind), required=True),
    Column("categories", "Categories", "list", required=True, width=28, several="category"),
    replace(QUALITY_STATEMENTS, required=True),
    Column("information_return", "Information return items", "numbers", width=14),
    Column("care_act_duties", "Care Act duties", "list", width=20, several="duty"),
    Column("expected_evidence", "Expected evidence", "list", width=20, several="expected"),
    SOURCE,
    Column("attribution", "Attribution", "text", width=24),
    OWNER,
    Column("as_of", "As of", "date", width=12),
    Column("review_by", "Review by", "date", width=12),
    Column("classification", "Classification", "choice", CLASSIFICATIONS, required=True),
    Column("status", "Status", "choice", _values(models.EvidenceStatus), worded=True),
    FILE,
)

RETURN_COLUMNS = (
    Column("number", "Number", "int", required=True, width=9),
    TITLE,
    QUALITY_STATEMENTS,
    Column("status", "Status", "choice", _values(models.ReturnStatus), width=14, worded=True),
    Column("reason", "Reason not applicable", "text", width=30),
    OWNER,
    DUE,
    CITED_EVIDENCE,
    NOTES,
    FILE,
)

RATING_COLUMNS = (
    RATED,
    Column("self_score", "Self-score", "int", ("1", "2", "3", "4"), width=10),
    Column(
        "category_scores",
        "Category scores",
        "scores",
        width=30,
        help="Optional scores per evidence category (older method), e.g. "
        "'processes: 3; partners: 2'.",
    ),
    Column("narrative", "Narrative", "text", width=80),
    FILE,
)

STATEMENT_COLUMNS = (
    RATED,
    Column("type", "Type", "choice", STATEMENT_TYPES, required=True, width=20),
    Column("id", "ID", "id", required=True, width=12),
    Column("text", "Text", "text", required=True, width=60),
    CITED_EVIDENCE,
    Column("metrics", "Measures", "list", width=16),
    Column(
        "related_quality_statements",
        "Related quality statements",
        "list",
        width=16,
        several="qs",
    ),
    Column("presented_under", "Presented under theme", "text", width=14, several="theme"),
    Column(
        "order",
        "Order in theme",
        "int",
        width=10,
        help="Its place in the theme's list (1 first), for render --layout by-theme",
        aliases=("Order", "Position", "Order in list"),
    ),
    replace(OWNER, aliases=("Lead officer", "Lead", "Lead officer(s)", "Responsible officer")),
    replace(NOTES, aliases=("Comments", "Comment", "Note")),
    Column("actions", "Actions", "list", width=14),
)

ACTION_COLUMNS = (
    Column("id", "ID", "id", required=True, width=10),
    TITLE,
    Column("workstream", "Workstream", "text", width=24),
    OWNER,
    DUE,
    Column("status", "Status", "choice", _values(models.ActionStatus), width=14, worded=True),
    Column("answers", "Answers", "list", width=24),
    FILE,
)

PROGRESS_COLUMNS = (
    Column("action", "Action", "id", required=True, width=10),
    Column("date", "Date", "date", required=True, width=12),
    Column("note", "Note", "text", required=True, width=80),
)

METRIC_COLUMNS = (
    Column("id", "ID", "id", required=True, width=12),
    TITLE,
    Column("measure", "Measure code", "text", width=10),
    Column("value", "Value", "float", required=True, width=10),
    Column("unit", "Unit", "choice", _values(models.Unit), required=True, width=10),
    Column("period", "Period", "text", required=True, width=10),
    Column("polarity", "Polarity", "choice", _values(models.Polarity), required=True),
    Column("comparators.england", "England", "float", width=10),
    Column("comparators.region", "Region", "float", width=10),
    QUALITY_STATEMENTS,
    SOURCE,
    Column("classification", "Classification", "choice", CLASSIFICATIONS),
    NOTES,
    FILE,
)

SHEETS: tuple[Sheet, ...] = (
    Sheet("Evidence", "evidence", EVIDENCE_COLUMNS, "One row per evidence item."),
    Sheet(
        "Information return",
        "return",
        RETURN_COLUMNS,
        "One row per item of CQC's information return request.",
    ),
    Sheet(
        "Ratings",
        "rating",
        RATING_COLUMNS,
        "One row per quality statement: the council's self-score and narrative.",
    ),
    Sheet(
        "Strengths and improvements",
        "statement",
        STATEMENT_COLUMNS,
        "One row per strength or area for improvement, in the order they are presented.",
    ),
    Sheet(
        "Actions",
        "action",
        ACTION_COLUMNS,
        "One row per improvement action; its progress notes are on the next sheet.",
    ),
    Sheet(
        "Action progress",
        "progress",
        PROGRESS_COLUMNS,
        "One row per progress update, oldest first.",
    ),
    Sheet("Measures", "metric", METRIC_COLUMNS, "One row per performance measure."),
)
SHEET_BY_KIND = {s.kind: s for s in SHEETS}


def closed_lists(framework: Framework) -> dict[str, tuple[str, ...]]:
    """The values each ``several`` list offers: canonical ids, as validate knows them."""
    return {
        "qs": tuple(q.id for q in framework.quality_statements),
        "category": tuple(c.id for c in framework.evidence_categories),
        "duty": tuple(d.id for d in framework.care_act_duties),
        "theme": tuple(t.id for t in framework.themes),
        "expected": tuple(e.id for e in framework.expected_evidence),
    }


# --- the rows of each sheet --------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterRows:
    """The rows of every sheet."""

    sheets: tuple[tuple[Sheet, tuple[tuple[Any, ...], ...]], ...]
    council: str
    audience: str


def _joined(values: Iterable[Any]) -> str | None:
    text = LIST_SEPARATOR.join(str(v) for v in values)
    return text or None


def _cell(column: Column, value: Any) -> Any:
    """A model value as the cell holds it: text, a number, a date, or None (empty)."""
    if value is None:
        return None
    if column.type in ("list", "numbers"):
        return _joined(value)
    if column.type == "scores":
        return _joined(f"{k}: {v}" for k, v in value.items())
    if column.type == "choice":
        return str(getattr(value, "value", value))
    if column.type == "text" and value == "":
        return None
    return value


def _get(model: Any, field: str) -> Any:
    for part in field.split("."):
        model = getattr(model, part)
    return model


def register_rows(project: Project, audience: str = "internal") -> RegisterRows:
    """Every document of the project as rows of the register's sheets.

    For ``public``, only what may be published: evidence and measures classified public,
    references to anything else removed, owners and internal notes left out. Files that did
    not validate are left out (``validate`` reports them).
    """
    if audience not in AUDIENCES:
        raise RegisterError(f"unknown audience '{audience}'; use internal or public")
    rows = _Rows(project, public=audience == "public")
    ratings = sorted(
        project.ratings,
        key=lambda d: (_qs_order(project.framework, d.model.quality_statement), d.path),
    )
    actions = rows.by_path("action")
    sheets = (
        rows.of("evidence", [(d.model, d.path, rows.hidden_owner) for d in rows.evidence]),
        rows.of("return", rows.returns()),
        rows.of("rating", [(d.model, d.path, {}) for d in ratings]),
        rows.of("statement", rows.statements(ratings)),
        rows.of("action", [(d.model, d.path, rows.hidden_owner) for d in actions]),
        rows.of("progress", rows.progress(actions)),
        rows.of("metric", [(d.model, d.path, {}) for d in rows.metrics]),
    )
    council = project.profile.council if project.profile else ""
    return RegisterRows(sheets, council, audience)


#: What a row is made from: the model, the file's path (None: a row of a file's list), and
#: values that replace the model's.
_Source = tuple[Any, str | None, dict[str, Any]]


class _Rows:
    """The rows of each sheet, for one audience."""

    def __init__(self, project: Project, *, public: bool) -> None:
        self.project, self.public = project, public
        self.hidden_owner: dict[str, Any] = {"owner": None} if public else {}
        self.evidence = [d for d in self.by_path("evidence") if self.shown(d.model)]
        self.metrics = [d for d in self.by_path("metric") if self.shown(d.model)]
        self.visible_evidence = {d.model.id for d in self.evidence}
        self.visible_metrics = {d.model.id for d in self.metrics}

    def shown(self, model: Any) -> bool:
        return not self.public or model.classification is models.Classification.PUBLIC

    def by_path(self, kind: str) -> list[Any]:
        return sorted(self.project.of_kind(kind), key=lambda d: _path_key(d.path))

    def of(
        self, kind: str, sources: Iterable[_Source]
    ) -> tuple[Sheet, tuple[tuple[Any, ...], ...]]:
        sheet = SHEET_BY_KIND[kind]
        return sheet, tuple(self.row(sheet, *source) for source in sources)

    def row(
        self, sheet: Sheet, model: Any, path: str | None, override: dict[str, Any]
    ) -> tuple[Any, ...]:
        out = []
        for col in sheet.columns:
            if col.field == "file":
                value: Any = path
            elif col.field in override:
                value = override[col.field]
            else:
                value = _get(model, col.field)
            out.append(_cell(col, value))
        return tuple(out)

    def returns(self) -> list[_Source]:
        sources: list[_Source] = []
        for d in sorted(self.project.return_items, key=lambda d: (d.model.number, d.path)):
            extra: dict[str, Any] = {}
            if self.public:
                extra = {
                    "owner": None,
                    "notes": None,
                    "evidence": [e for e in d.model.evidence if e in self.visible_evidence],
                }
            sources.append((d.model, d.path, extra))
        return sources

    def statements(self, ratings: list[Any]) -> list[_Source]:
        sources: list[_Source] = []
        for d in ratings:
            rating: models.Rating = d.model
            for kind, entries in (
                ("strength", rating.strengths),
                ("area for improvement", rating.areas_for_improvement),
            ):
                for s in entries:
                    extra = {
                        "quality_statement": rating.quality_statement,
                        "type": kind,
                        "actions": getattr(s, "actions", []),
                    }
                    if self.public:
                        extra |= {"owner": None, "notes": None}
                        extra["evidence"] = [e for e in s.evidence if e in self.visible_evidence]
                        extra["metrics"] = [m for m in s.metrics if m in self.visible_metrics]
                    sources.append((s, None, extra))
        return sources

    def progress(self, actions: list[Any]) -> list[_Source]:
        if self.public:  # progress notes are the service's working record, not for publication
            return []
        return [
            (update, None, {"action": d.model.id}) for d in actions for update in d.model.progress
        ]


def _path_key(path: str) -> tuple[str, ...]:
    return tuple(path.split("/"))


def _qs_order(fw: Framework, ref: str) -> tuple[int, str]:
    qs = fw.resolve_quality_statement(ref)
    number = fw.quality_statement_by_id[qs].number if qs else 999
    return number, ref


def default_path(kind: str, data: dict[str, Any], fw: Framework) -> str:
    """Where a document without a File cell is written: named by its id, as ``new`` does (an
    information-return item by its number, a rating by its quality statement)."""
    folder = BY_NAME[kind].folder
    if kind == "return":
        return f"{folder}/IR-{int(data['number']):02d}.yaml"
    if kind == "rating":
        ref = str(data["quality_statement"])
        return f"{folder}/{fw.resolve_quality_statement(ref) or ref}.yaml"
    return path_for(BY_NAME[kind], str(data["id"]))
