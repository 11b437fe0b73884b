"""The evidence-register workbook: its sheets, values, drop-downs, safety and determinism.

Everything is checked by opening the bytes again with openpyxl (and once with LibreOffice), as a
colleague's spreadsheet program would, against the bundled example repository. Expected
values come from the repository and the framework, never from the code under test.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from ascready.authoring.register.convert import Converter
from ascready.authoring.register.export import ABOUT, register_workbook
from ascready.authoring.register.layout import SHEETS, Column, RegisterRows, Sheet, register_rows
from ascready.authoring.register.mapping import FieldMap
from ascready.checks.load import load_project
from ascready.errors import AscreadyError
from ascready.output.words import status_word
from ascready.output.xlsx import PORTRAIT_WIDTH
from ascready.repository import models
from ascready.repository.framework import Framework
from ascready.repository.project import Project
from tests.conftest import REPO_ROOT
from tests.output.printing import (
    assert_a4,
    assert_nothing_is_cut,
    assert_prints_on_a4,
    page_text,
    pdf_pages,
    to_pdf,
)

EXAMPLE = REPO_ROOT / "evidence"
AS_OF = dt.date(2026, 11, 23)
VERSION = "9.8.7-test"
DATA_SHEETS = [s.name for s in SHEETS]
RANGE = re.compile(r"^Lists!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)$")
#: What each ``several`` list should offer, straight from the framework.
FRAMEWORK_LISTS = {
    "qs": lambda fw: [q.id for q in fw.quality_statements],
    "category": lambda fw: [c.id for c in fw.evidence_categories],
    "duty": lambda fw: [d.id for d in fw.care_act_duties],
    "theme": lambda fw: [t.id for t in fw.themes],
    "expected": lambda fw: [e.id for e in fw.expected_evidence],
}
CHOICE_COLUMNS = [(s, c) for s in SHEETS for c in s.columns if c.choices]
SEVERAL_COLUMNS = [(s, c) for s in SHEETS for c in s.columns if c.several]
STATUS_SHEETS = [(s.name, c) for s in SHEETS for c in s.columns if c.field == "status"]
STATUS_COLUMNS = [c for _, c in STATUS_SHEETS]


def _id(pair: tuple[Sheet, Column]) -> str:
    return f"{pair[0].name}:{pair[1].header}"


@pytest.fixture(scope="module")
def project() -> Project:
    project, findings = load_project(EXAMPLE)
    assert not [f for f in findings if f.severity.value == "error"]
    return project


def _export(project: Project, audience: str = "internal") -> bytes:
    rows = register_rows(project, audience)
    return register_workbook(rows, project.framework, as_of=AS_OF, version=VERSION)


def _write(rows: RegisterRows, framework: Framework) -> bytes:
    return register_workbook(rows, framework, as_of=AS_OF, version=VERSION)


@pytest.fixture(scope="module")
def data(project: Project) -> bytes:
    return _export(project)


@pytest.fixture(scope="module")
def book(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


@pytest.fixture(scope="module")
def public_book(project: Project) -> Workbook:
    return load_workbook(io.BytesIO(_export(project, "public")))


def _open(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def _headers(ws: Any) -> list[Any]:
    return [c.value for c in ws[1]]


def _records(ws: Any) -> list[dict[str, Any]]:
    """Data rows as {header: cell}, so tests name columns rather than count them."""
    heads = _headers(ws)
    return [dict(zip(heads, row, strict=True)) for row in ws.iter_rows(min_row=2)]


def _letter(ws: Any, header: str) -> str:
    for cell in ws[1]:
        if cell.value == header:
            return str(cell.column_letter)
    raise AssertionError(f"no column {header!r} on {ws.title}")


def _validation(ws: Any, header: str) -> Any:
    letter = _letter(ws, header)
    found = [
        dv
        for dv in ws.data_validations.dataValidation
        if any(r.coord.startswith(f"{letter}2:") for r in dv.sqref.ranges)
    ]
    assert len(found) == 1, (ws.title, header, found)
    return found[0]


def _list_values(book: Workbook, formula: str) -> list[Any]:
    match = RANGE.match(formula)
    assert match, f"not an absolute range on Lists: {formula!r}"
    first, top, last, bottom = match.groups()
    assert first == last
    cells = book["Lists"][f"{first}{top}:{last}{bottom}"]
    return [row[0].value for row in cells]


def _sheet_text(ws: Any) -> str:
    return "\n".join(
        str(value) for row in ws.iter_rows(values_only=True) for value in row if value is not None
    )


def _all_text(book: Workbook) -> str:
    return "\n".join(_sheet_text(ws) for ws in book.worksheets)


def _first(rows: RegisterRows, sheet_name: str) -> Any:
    """The first cell of the first row of a sheet: the id its messages name."""
    sheet_rows = next(r for s, r in rows.sheets if s.name == sheet_name)
    assert sheet_rows, f"the example repository has no rows on {sheet_name}"
    return sheet_rows[0][0]


def _expected_counts(project: Project) -> dict[str, int]:
    ratings = [d.model for d in project.of_kind("rating")]
    actions = [d.model for d in project.of_kind("action")]
    return {
        "evidence": len(project.of_kind("evidence")),
        "return": len(project.of_kind("return")),
        "rating": len(ratings),
        "statement": sum(len(r.strengths) + len(r.areas_for_improvement) for r in ratings),
        "action": len(actions),
        "progress": sum(len(a.progress) for a in actions),
        "metric": len(project.of_kind("metric")),
    }


def _row_by_first(rows: RegisterRows, sheet_name: str, first: Any) -> tuple[Sheet, int]:
    for index, (sheet, sheet_rows) in enumerate(rows.sheets):
        if sheet.name == sheet_name:
            assert any(r[0] == first for r in sheet_rows)
            return sheet, index
    raise AssertionError(sheet_name)


def _replace_cell(
    rows: RegisterRows, sheet_name: str, first: Any, field: str, value: Any
) -> RegisterRows:
    """The same rows, with one cell of one row (found by its first cell) changed."""
    sheet, index = _row_by_first(rows, sheet_name, first)
    col = [c.field for c in sheet.columns].index(field)
    changed = tuple(
        tuple(value if i == col else v for i, v in enumerate(r)) if r[0] == first else r
        for r in rows.sheets[index][1]
    )
    sheets = list(rows.sheets)
    sheets[index] = (sheet, changed)
    return replace(rows, sheets=tuple(sheets))


# --- the shape of the workbook ----------------------------------------------------------------


def test_sheets_in_order_about_first_lists_last_and_hidden(book: Workbook) -> None:
    assert book.sheetnames == ["About", *DATA_SHEETS, "Lists"]
    assert book["Lists"].sheet_state == "hidden"
    assert all(ws.sheet_state == "visible" for ws in book.worksheets[:-1])
    assert book.active.title == "About"


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda s: s.name)
def test_headers_follow_the_layout(book: Workbook, sheet: Sheet) -> None:
    ws = book[sheet.name]
    assert _headers(ws) == [c.header for c in sheet.columns]
    for cell, col in zip(ws[1], sheet.columns, strict=True):
        assert cell.font.bold, col.header
        assert cell.fill.fill_type == "solid", col.header
        note = cell.comment.text if cell.comment else ""
        if col.help:
            assert col.help in note, col.header
        assert ("Required." in note) == col.required, col.header


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda s: s.name)
def test_frozen_header_and_filter_over_the_rows(
    book: Workbook, project: Project, sheet: Sheet
) -> None:
    ws = book[sheet.name]
    assert ws.freeze_panes == "A2"
    last = ws.cell(row=1, column=len(sheet.columns)).column_letter
    rows = _expected_counts(project)[sheet.kind]
    assert ws.auto_filter.ref == f"A1:{last}{rows + 1}"


def test_row_counts_match_the_repository(book: Workbook, project: Project) -> None:
    expected = _expected_counts(project)
    assert all(expected[k] > 0 for k in ("evidence", "return", "rating", "statement", "action"))
    about = {
        row[0]: row[1]
        for row in book["About"].iter_rows(values_only=True)
        if row and row[0] in DATA_SHEETS
    }
    for sheet in SHEETS:
        ws = book[sheet.name]
        data_rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if any(r)]
        assert len(data_rows) == expected[sheet.kind], sheet.name
        assert about[sheet.name] == expected[sheet.kind], sheet.name


def test_long_text_wraps_and_every_cell_sits_at_the_top(book: Workbook) -> None:
    first = _records(book["Evidence"])[0]
    assert first["Summary"].alignment.wrap_text
    assert first["Title"].alignment.wrap_text
    assert not first["ID"].alignment.wrap_text
    for cell in first.values():
        if cell.value is not None:
            assert cell.alignment.vertical == "top", cell.coordinate


# --- values -------------------------------------------------------------------------------------


def test_evidence_dates_are_real_dates_equal_to_the_yaml(book: Workbook, project: Project) -> None:
    records = {r["ID"].value: r for r in _records(book["Evidence"])}
    checked = 0
    for doc in project.of_kind("evidence"):
        text = (project.root / doc.path).read_text(encoding="utf-8")
        match = re.search(r"^as_of:\s*'?(\d{4}-\d{2}-\d{2})", text, re.MULTILINE)
        cell = records[doc.model.id]["As of"]
        if match is None:
            assert cell.value is None
            continue
        assert cell.is_date, cell.coordinate
        assert cell.value == dt.datetime.fromisoformat(match.group(1))
        assert cell.number_format == "yyyy-mm-dd"
        checked += 1
    assert checked > 0


def test_other_dates_are_dates_too(book: Workbook, project: Project) -> None:
    dues = {d.model.number: d.model.due for d in project.of_kind("return")}
    for record in _records(book["Information return"]):
        due = dues[record["Number"].value]
        if due is not None:
            assert record["Due"].is_date
            assert record["Due"].value == dt.datetime.combine(due, dt.time())
    progress = _records(book["Action progress"])
    assert progress and all(r["Date"].is_date for r in progress)


def test_numbers_are_numbers(book: Workbook, project: Project) -> None:
    numbers = [r["Number"].value for r in _records(book["Information return"])]
    assert numbers == sorted(d.model.number for d in project.of_kind("return"))
    assert all(type(n) is int for n in numbers)
    scores = {d.model.quality_statement: d.model.self_score for d in project.of_kind("rating")}
    for record in _records(book["Ratings"]):
        score = scores[record["Quality statement"].value]
        assert record["Self-score"].value == score
        if score is not None:
            assert record["Self-score"].data_type == "n"
    values = {d.model.id: d.model.value for d in project.of_kind("metric")}
    for record in _records(book["Measures"]):
        assert record["Value"].value == values[record["ID"].value]
        assert record["Value"].data_type == "n"


def test_lists_in_one_cell_are_separated_by_semicolons(book: Workbook, project: Project) -> None:
    records = {r["ID"].value: r for r in _records(book["Evidence"])}
    several = [d.model for d in project.of_kind("evidence") if len(d.model.quality_statements) > 1]
    assert several
    for item in several:
        assert records[item.id]["Quality statements"].value == "; ".join(item.quality_statements)
        assert records[item.id]["File"].value == next(
            d.path for d in project.of_kind("evidence") if d.model is item
        )


# --- drop-downs --------------------------------------------------------------------------------


def _bottom(dv: Any) -> int:
    (cells,) = dv.sqref.ranges
    assert cells.min_row == 2 and cells.min_col == cells.max_col
    return int(cells.max_row)


@pytest.mark.parametrize(("sheet", "col"), CHOICE_COLUMNS, ids=[_id(p) for p in CHOICE_COLUMNS])
def test_closed_choices_get_a_strict_drop_down(
    book: Workbook, project: Project, sheet: Sheet, col: Column
) -> None:
    ws = book[sheet.name]
    dv = _validation(ws, col.header)
    assert dv.type == "list"
    assert dv.errorStyle == "stop"
    assert dv.showErrorMessage and dv.showInputMessage
    assert dv.prompt
    shown = [status_word(c) if col.worded else c for c in col.choices]
    assert [str(v) for v in _list_values(book, dv.formula1)] == shown
    for choice in shown:
        assert choice in dv.error
    rows = _expected_counts(project)[sheet.kind]
    assert _bottom(dv) >= max(rows + 200, 1000)


@pytest.mark.parametrize(
    ("header", "enum"),
    [
        ("Kind", models.EvidenceKind),
        ("Classification", models.Classification),
        ("Status", models.EvidenceStatus),
    ],
)
def test_evidence_drop_downs_offer_the_allowed_values(
    book: Workbook, header: str, enum: Any
) -> None:
    dv = _validation(book["Evidence"], header)
    assert dv.errorStyle == "stop"
    worded = header == "Status"  # statuses read as words: 'Current', not 'current'
    assert _list_values(book, dv.formula1) == [
        e.value.capitalize() if worded else e.value for e in enum
    ]


@pytest.mark.parametrize(("sheet", "col"), SEVERAL_COLUMNS, ids=[_id(p) for p in SEVERAL_COLUMNS])
def test_framework_lists_get_a_lenient_drop_down(
    book: Workbook, project: Project, sheet: Sheet, col: Column
) -> None:
    expected = FRAMEWORK_LISTS[col.several](project.framework)
    assert expected
    dv = _validation(book[sheet.name], col.header)
    assert dv.type == "list"
    assert dv.errorStyle == "information"
    assert _list_values(book, dv.formula1) == expected
    if col.type == "list":
        assert "; " in dv.prompt
    rows = _expected_counts(project)[sheet.kind]
    assert _bottom(dv) >= max(rows + 200, 1000)


def test_quality_statements_drop_down(book: Workbook, project: Project) -> None:
    dv = _validation(book["Evidence"], "Quality statements")
    assert dv.errorStyle == "information"
    assert "several" in dv.prompt and "; " in dv.prompt
    assert _list_values(book, dv.formula1) == [q.id for q in project.framework.quality_statements]


def test_columns_without_a_closed_list_have_no_drop_down(book: Workbook) -> None:
    for sheet in SHEETS:
        ws = book[sheet.name]
        covered = {
            r.coord.split(":")[0].rstrip("0123456789")
            for dv in ws.data_validations.dataValidation
            for r in dv.sqref.ranges
        }
        expected = {_letter(ws, c.header) for c in sheet.columns if c.choices or c.several}
        assert covered == expected, sheet.name


def test_lists_sheet_holds_the_framework_ids(book: Workbook, project: Project) -> None:
    ws = book["Lists"]
    columns = [[c.value for c in column[1:] if c.value is not None] for column in ws.iter_cols()]
    for name, make in FRAMEWORK_LISTS.items():
        assert make(project.framework) in columns, name


def test_no_drop_down_for_an_empty_framework_list(project: Project) -> None:
    framework = project.framework.model_copy(update={"care_act_duties": []})
    book = _open(_write(register_rows(project), framework))
    letter = _letter(book["Evidence"], "Care Act duties")
    ranges = [
        r.coord for dv in book["Evidence"].data_validations.dataValidation for r in dv.sqref.ranges
    ]
    assert not any(r.startswith(f"{letter}2:") for r in ranges)
    assert _validation(book["Evidence"], "Quality statements")


# --- text stays text, and what a cell cannot hold is refused -----------------------------------


def test_formula_like_text_stays_text_even_when_edited(project: Project) -> None:
    rows = register_rows(project)
    first = _first(rows, "Evidence")
    hostile = {
        "title": "=SUM(A1)",
        "summary": '=HYPERLINK("https://example.invalid","click")',
        "owner": "+44 team",
        "attribution": "-minus",
        "source": "@mention",
        "file": "010",
        "review_by": "2024-03-31",
        "kind": "TRUE",
        "id": "#N/A",  # last: the rows are found by their id
    }
    for field, text in hostile.items():
        rows = _replace_cell(rows, "Evidence", first, field, text)
    data = _write(rows, project.framework)
    record = next(r for r in _records(_open(data)["Evidence"]) if r["ID"].value == "#N/A")
    headers = {c.field: c.header for c in SHEETS[0].columns}
    for field, text in hostile.items():
        cell = record[headers[field]]
        assert cell.value == text
        assert cell.data_type == "s", field
        assert cell.quotePrefix, field
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in archive.read(name).decode("utf-8"), name


def test_text_longer_than_a_cell_holds_is_refused(project: Project) -> None:
    rows = register_rows(project)
    qs = _first(rows, "Ratings")
    too_long = _replace_cell(rows, "Ratings", qs, "narrative", "x" * 40_000)
    with pytest.raises(AscreadyError) as info:
        _write(too_long, project.framework)
    message = info.value.message
    assert "'Ratings'" in message
    assert f"'{qs}'" in message
    assert "'Narrative'" in message
    assert "shorten" in message
    assert "40,000" in message and "32,767" in message


def test_the_longest_text_a_cell_holds_is_kept_whole(project: Project) -> None:
    rows = register_rows(project)
    qs = _first(rows, "Ratings")
    text = "Long narrative. " * 2047 + "end" + "x" * 12
    assert len(text) == 32_767
    book = _open(_write(_replace_cell(rows, "Ratings", qs, "narrative", text), project.framework))
    record = next(r for r in _records(book["Ratings"]) if r["Quality statement"].value == qs)
    assert record["Narrative"].value == text


def test_characters_excel_counts_twice_are_counted_twice(project: Project) -> None:
    rows = register_rows(project)
    first = _first(rows, "Evidence")
    emoji = "\N{GRINNING FACE}" * 17_000  # 17,000 characters, 34,000 in Excel's count
    with pytest.raises(AscreadyError, match="'Summary'"):
        _write(_replace_cell(rows, "Evidence", first, "summary", emoji), project.framework)


@pytest.mark.parametrize("char", ["\x07", "\x00", "\x1b", "\ufffe"])
def test_control_characters_are_refused(project: Project, char: str) -> None:
    rows = register_rows(project)
    first = _first(rows, "Evidence")
    bad = _replace_cell(rows, "Evidence", first, "title", f"Carers{char} strategy")
    with pytest.raises(AscreadyError) as info:
        _write(bad, project.framework)
    message = info.value.message
    assert "'Evidence'" in message and f"'{first}'" in message and "'Title'" in message
    assert f"U+{ord(char):04X}" in message


def test_tab_and_new_line_are_kept(project: Project) -> None:
    rows = register_rows(project)
    first = _first(rows, "Evidence")
    text = "Line one\nline two\twith a tab"
    book = _open(_write(_replace_cell(rows, "Evidence", first, "summary", text), project.framework))
    assert _records(book["Evidence"])[0]["Summary"].value == text


def test_a_number_a_workbook_cannot_hold_is_refused(project: Project) -> None:
    rows = register_rows(project)
    measure = _first(rows, "Measures")
    bad = _replace_cell(rows, "Measures", measure, "value", float("nan"))
    with pytest.raises(AscreadyError, match=r"'Measures'.*'Value'"):
        _write(bad, project.framework)


# --- the About sheet ------------------------------------------------------------------------


def _about(book: Workbook) -> dict[Any, Any]:
    return {row[0]: row[1] for row in book["About"].iter_rows(values_only=True) if row[0]}


def test_about_sheet(book: Workbook, project: Project) -> None:
    about = _about(book)
    assert project.profile is not None
    assert about["Council"] == project.profile.council
    assert about["Audience"] == "internal"
    assert about["As of"] == dt.datetime.combine(AS_OF, dt.time())
    assert about["ascready version"] == VERSION
    text = _sheet_text(book["About"])
    for sheet in SHEETS:
        assert sheet.help in text
    assert "'; '" in text
    assert "File column" in text
    assert "ascready import" in text


# --- the same rows, the same bytes ------------------------------------------------------------


def test_same_rows_same_bytes(project: Project, data: bytes) -> None:
    again, _ = load_project(EXAMPLE)
    assert _export(again) == data
    rows = register_rows(project)
    assert (
        register_workbook(
            rows, project.framework, as_of=AS_OF + dt.timedelta(days=1), version=VERSION
        )
        != data
    )


def test_document_properties_and_zip_times_are_fixed(book: Workbook, data: bytes) -> None:
    midnight = dt.datetime.combine(AS_OF, dt.time())
    assert book.properties.creator == "ascready"
    assert book.properties.title == "ascready evidence register: Avonmere Council"
    assert book.properties.created == midnight
    assert book.properties.modified == midnight
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        stamps = {info.date_time for info in archive.infolist()}
    assert stamps == {(AS_OF.year, AS_OF.month, AS_OF.day, 0, 0, 0)}


def test_an_undated_register_says_so_and_is_the_same_every_time(project: Project) -> None:
    rows = register_rows(project)
    data = register_workbook(rows, project.framework, as_of=None, version=VERSION)
    assert register_workbook(rows, project.framework, as_of=None, version=VERSION) == data
    book = _open(data)
    assert _about(book)["As of"] == "not dated"
    assert book.properties.created == book.properties.modified == dt.datetime(1980, 1, 1)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


# --- the public register ------------------------------------------------------------------------


def test_public_register_leaves_out_what_may_not_be_published(
    book: Workbook, public_book: Workbook, project: Project
) -> None:
    hidden = [
        d.model
        for d in project.of_kind("evidence")
        if d.model.classification is not models.Classification.PUBLIC
    ]
    assert hidden
    internal_text = _all_text(book)
    public_text = _all_text(public_book)
    for item in hidden:
        assert item.title in internal_text, item.id
        assert item.title not in public_text, item.id
    public_ids = {r["ID"].value for r in _records(public_book["Evidence"])}
    assert public_ids == {
        d.model.id
        for d in project.of_kind("evidence")
        if d.model.classification is models.Classification.PUBLIC
    }
    assert _about(public_book)["Audience"] == "public: only what may be published"
    assert _about(public_book)["Evidence"] == len(public_ids)


# --- on paper ---------------------------------------------------------------------------------

PRINTED = [ABOUT, *DATA_SHEETS]


@pytest.mark.parametrize("name", PRINTED)
def test_every_sheet_prints_on_a4_one_page_wide_with_its_header(book: Workbook, name: str) -> None:
    assert_prints_on_a4(book[name], portrait_width=PORTRAIT_WIDTH)
    heading = book[name].oddHeader.left.text
    assert heading == "Evidence register: Avonmere Council. Internal: do not publish."


def test_the_public_register_says_so_on_every_page(public_book: Workbook) -> None:
    for name in PRINTED:
        assert public_book[name].oddHeader.left.text.endswith("Public version."), name


@pytest.mark.parametrize("name", PRINTED)
def test_no_text_is_cut_on_screen_or_on_paper(book: Workbook, name: str) -> None:
    assert_nothing_is_cut(book[name])


def test_owner_names_show_whole_on_one_line(book: Workbook) -> None:
    """The owners of the example fit a column: they are on one line, not cut, not wrapped."""
    for name in ("Information return", "Actions"):
        ws = book[name]
        letter = _letter(ws, "Owner")
        width = ws.column_dimensions[letter].width
        owners = [r["Owner"].value for r in _records(ws) if r["Owner"].value]
        assert owners, name
        assert width >= max(len(o) for o in owners) + 1, (name, width)


def test_statuses_read_as_words_and_import_reads_them_back(book: Workbook) -> None:
    words = {status_word(v) for col in STATUS_COLUMNS for v in col.choices}
    assert {"Not started", "In progress", "Current"} <= words
    for sheet_name, col in STATUS_SHEETS:
        shown = {r["Status"].value for r in _records(book[sheet_name]) if r["Status"].value}
        assert shown, sheet_name
        assert shown <= {status_word(v) for v in col.choices}, sheet_name
        assert shown.isdisjoint(col.choices), sheet_name  # no 'not-started', no 'current'
    converter = Converter(load_project(EXAMPLE)[0].framework)
    for col in STATUS_COLUMNS:
        for value in col.choices:
            assert converter.choice(col, FieldMap(col.field), status_word(value)) == value


def test_libreoffice_prints_the_register_on_a4(tmp_path: Path, data: bytes) -> None:
    """A spreadsheet program prints it on few A4 pages (it was 38), every page numbered, and
    the owners' names read whole (they were cut by the next column)."""
    workbook = tmp_path / "register.xlsx"
    workbook.write_bytes(data)
    pages = pdf_pages(to_pdf(workbook, tmp_path))
    assert len(pages) <= 22
    assert_a4(pages)
    text = page_text(pages)
    assert f"Page 1 of {len(pages)}" in text
    book = load_workbook(workbook)
    owners = {r["Owner"].value for r in _records(book["Evidence"]) if r["Owner"].value}
    assert owners
    for owner in owners:
        assert owner in text, owner
    assert "Not started" in text


# --- a real spreadsheet program opens it -------------------------------------------------------


def test_libreoffice_opens_the_register(tmp_path: Path, data: bytes) -> None:
    from tests.output.printing import to_pdf

    workbook = tmp_path / "register.xlsx"
    workbook.write_bytes(data)
    pdf = to_pdf(workbook, tmp_path)
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF") and len(content) > 1000
