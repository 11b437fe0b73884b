"""``ascready import``: a council's real, messy register into repository files.

The register is written here with openpyxl the way councils' registers look: a title row and
merged group headers above the real headers, a banner row between sections, quality statements
spelt five ways, dates typed as text, a formula, cells merged down a column and blank rows at
the end.
"""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from ascready.authoring.register.convert import CellError, parse_date
from ascready.authoring.register.importer import plan_import
from ascready.authoring.register.mapping import load_mapping
from ascready.checks.load import load_project
from ascready.cli import app
from ascready.errors import ImportRefused, WriteError
from ascready.io import writing
from ascready.repository import yamlsafe
from tests.conftest import REPO_ROOT

EXAMPLE = REPO_ROOT / "evidence"

HEADERS = [
    "Ref",
    "Document title",
    "Description",
    "Quality Statement",
    "Evidence category",
    "Type",
    "Date of document",
    "Review date",
    "Lead officer",
    "Protective marking",
]
MAPPING = """\
    # How Avonmere's old register maps to ascready.
    sheets:
      - sheet: Evidence Register
        kind: evidence
        columns:
          id: Ref
          title: Document title
          summary: Description
          quality_statements: Quality Statement
          categories: Evidence category
          kind: Type
          as_of: Date of document
          review_by: Review date
          owner: Lead officer
          classification: Protective marking
        defaults:
          kind: document
        values:
          kind:
            Data return: data
          quality_statements:
            Care provision: QS4
      - sheet: Strengths & AFIs
        kind: statement
        columns:
          quality_statement: QS
          type: Strength or AFI
          text: What we found
          evidence: Evidence refs
"""


def council_repo(tmp_path: Path) -> Path:
    """A new council repository: its profile and nothing else yet."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(EXAMPLE / "ascready.yaml", root / "ascready.yaml")
    return root


def messy_register(path: Path) -> dict[str, int]:
    """Write the register; return the row number of each interesting row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Evidence Register"
    ws["A1"] = "Avonmere Council: CQC evidence register (working copy)"
    ws.merge_cells("A1:J1")
    ws["A2"], ws["D2"], ws["G2"] = "Document", "Framework", "Dates"
    ws.merge_cells("A2:C2")
    ws.merge_cells("D2:F2")
    ws.merge_cells("G2:H2")
    ws.append(HEADERS)  # row 3
    rows: dict[str, int] = {}

    def add(name: str, values: list[Any]) -> None:
        ws.append(values)
        rows[name] = ws.max_row

    add("banner", ["Theme 1: Working with people"])
    ws.merge_cells(f"A{rows['banner']}:J{rows['banner']}")
    add(
        "real_date",
        ["R1", "Carers' strategy 2025-2030", "Co-produced with carers", "QS1", "Processes",
         "Strategy", dt.datetime(2025, 4, 1), dt.datetime(2026, 3, 31), "Head of Commissioning",
         "Public"],
    )  # fmt: skip
    add(
        "text_dates",
        ["R2", "Assessment waiting times dashboard", "", "QS 1", "Processes; Outcomes",
         "Data return", "15/04/2025", "31.3.26", "Performance Manager", "OFFICIAL"],
    )  # fmt: skip
    add(
        "title_qs",
        ["R3", "Adult social care survey results", "", "Assessing Needs", "People's experience",
         "Survey", "2025-06-30", None, "Performance Manager", "OFFICIAL"],
    )  # fmt: skip
    add(
        "merged_qs_1",
        ["R4", "Safeguarding adults board annual report", "", "Safeguarding",
         "Feedback from partners", "Report", "1 October 2025", None, "Safeguarding Lead",
         "public"],
    )  # fmt: skip
    add(
        "merged_qs_2",
        ["R5", "Making safeguarding personal audit", "", None, "Processes", "Audit",
         "12/11/2025", None, "Safeguarding Lead", "Official Sensitive"],
    )  # fmt: skip
    ws.merge_cells(f"D{rows['merged_qs_1']}:D{rows['merged_qs_2']}")
    add(
        "two_qs_commas",
        ["R6", "Hospital discharge pathway review", "", "(4), QS6", "Processes", "Report",
         "2025-09-01", None, "Head of Operations", "official"],
    )  # fmt: skip
    add(
        "mapped_value",
        ["R7", "Home care market position statement", "", "Care provision", "Processes",
         "Strategy", "2025-01-10", None, "Head of Commissioning", "public"],
    )  # fmt: skip
    add(
        "bad_qs",
        ["R8", "Workforce plan", "", "QS12", "Staff and leaders", "Plan", "2025-02-01", None,
         "HR Business Partner", "official"],
    )  # fmt: skip
    add(
        "bad_date",
        ["R9", "Direct payments review", "", "QS1", "Processes", "Report", "April 2025", None,
         "Head of Operations", "official"],
    )  # fmt: skip
    add(
        "no_title",
        ["R10", None, "A document whose title was never typed", "QS2", "Processes", "Report",
         "2025-05-05", None, "Head of Operations", "official"],
    )  # fmt: skip
    add(
        "formula",
        ["R11", "Occupational therapy recovery plan", "", "QS1", "Processes", "Plan",
         "2025-07-01", "=G15+365", "Head of Operations", "official"],
    )  # fmt: skip
    add(
        "personal",
        ["R12", "Case review", "Mrs Smith, NHS number 943 476 5919, was reviewed", "QS7",
         "Processes", "Report", "2025-08-01", None, "Safeguarding Lead", "official"],
    )  # fmt: skip
    add(
        "bad_marking",
        ["R13", "Provider failure protocol", "", "QS4", "Processes", "Policy", "2025-03-01", None,
         "Head of Commissioning", "Restricted"],
    )  # fmt: skip
    # Trailing rows that are blank but formatted, as registers grow them.
    for r in range(ws.max_row + 1, ws.max_row + 6):
        ws.cell(row=r, column=1).number_format = "@"
        ws.cell(row=r, column=2, value="   ")

    sa = wb.create_sheet("Strengths & AFIs")
    sa.append(["QS", "Strength or AFI", "What we found", "Evidence refs"])
    sa.append(["QS1", "Strength", "A strong carers' offer", "R1"])
    sa.append(["Assessing needs", "AFI", "Waiting times for assessment are too long", "R2, R9"])
    sa.append(["QS 1", "Area for improvement", "Too few people take a direct payment", None])
    sa.append(["QS7", "Strengths", "Safeguarding is personal and well led", "R4"])
    sa.append([None, None, None, None])
    wb.create_sheet("Notes").append(["Nothing to import here"])
    wb.save(path)
    return rows


@pytest.fixture
def register(tmp_path: Path) -> tuple[Path, Path, dict[str, int]]:
    path = tmp_path / "Evidence register v12 FINAL.xlsx"
    rows = messy_register(path)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(textwrap.dedent(MAPPING), encoding="utf-8")
    return path, mapping, rows


def files_under(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.name != "ascready.yaml"
    }


def read_yaml(path: Path) -> Any:
    data, problems = yamlsafe.parse_text(path.read_text(encoding="utf-8"))
    assert not problems
    return data


def run_import(runner: CliRunner, repo: Path, *args: str) -> Any:
    return runner.invoke(app, ["import", *args, "--repo", str(repo)])


# --- the messy register --------------------------------------------------------------------------


def test_rows_that_cannot_be_converted_are_each_reported_and_nothing_is_written(
    runner: CliRunner, tmp_path: Path, register: tuple[Path, Path, dict[str, int]]
) -> None:
    path, mapping, rows = register
    repo = council_repo(tmp_path)
    result = run_import(runner, repo, str(path), "--mapping", str(mapping))
    assert result.exit_code == 1
    out = result.output
    where = f"{path.name}, sheet 'Evidence Register'"
    expected = {
        "bad_qs": ["'QS12' is not a quality statement", "column 'Quality Statement'"],
        "bad_date": ["'April 2025' is not a date", "column 'Date of document'"],
        "no_title": ["'title' is required but missing"],
        "formula": ["formula (=G15+365) with no saved result", "cell H"],
        "personal": ["NHS number"],
        "bad_marking": ["'Restricted' is not one of the allowed values", "official-sensitive"],
    }
    for name, needles in expected.items():
        line = next((ln for ln in out.splitlines() if f"{where}, row {rows[name]}" in ln), None)
        assert line is not None, (name, out)
        for needle in needles:
            assert needle in line, (name, needle, line)
    assert "nothing was written" in out
    assert files_under(repo) == set()


def test_skip_invalid_writes_the_rows_that_convert(
    runner: CliRunner, tmp_path: Path, register: tuple[Path, Path, dict[str, int]]
) -> None:
    path, mapping, rows = register
    repo = council_repo(tmp_path)
    result = run_import(runner, repo, str(path), "--mapping", str(mapping), "--skip-invalid")
    assert result.exit_code == 0, result.output
    written = files_under(repo)
    assert {f"evidence/R{n}.yaml" for n in (1, 2, 3, 4, 5, 6, 7)} <= written
    for bad in ("R8", "R9", "R10", "R11", "R12", "R13"):
        assert f"evidence/{bad}.yaml" not in written
    # Quality statements typed five ways all become canonical ids.
    qs = {n: read_yaml(repo / f"evidence/R{n}.yaml")["quality_statements"] for n in range(1, 8)}
    assert qs == {
        1: ["QS1"],
        2: ["QS1"],
        3: ["QS1"],
        4: ["QS7"],
        5: ["QS7"],  # from the cells merged down the column
        6: ["QS4", "QS6"],
        7: ["QS4"],  # mapped under values:
    }
    r1, r2, r3 = (read_yaml(repo / f"evidence/R{n}.yaml") for n in (1, 2, 3))
    assert (r1["as_of"], r1["review_by"]) == ("2025-04-01", "2026-03-31")
    assert (r2["as_of"], r2["review_by"]) == ("2025-04-15", "2026-03-31")  # typed as text
    assert r2["categories"] == ["processes", "outcomes"]
    assert r2["kind"] == "data" and r2["classification"] == "official"
    assert r3["categories"] == ["peoples-experience"]
    assert read_yaml(repo / "evidence/R5.yaml")["classification"] == "official-sensitive"
    assert "summary" not in r2  # an empty cell is no value, not ""
    # The warnings say what ascready assumed.
    assert f"cells D{rows['merged_qs_1']}:D{rows['merged_qs_2']} are merged" in result.output
    assert "'Theme 1: Working with people'" in result.output
    assert "heading row" in result.output


def test_a_statement_citing_a_row_that_did_not_convert_holds_its_rating_back(
    runner: CliRunner, tmp_path: Path, register: tuple[Path, Path, dict[str, int]]
) -> None:
    path, mapping, _ = register
    repo = council_repo(tmp_path)
    result = run_import(runner, repo, str(path), "--mapping", str(mapping), "--skip-invalid")
    assert result.exit_code == 0, result.output
    # R9 (a date nobody can read) did not come in, so the area for improvement citing it would
    # be a broken reference: its rating file is held back and the row that cites it is named.
    assert not (repo / "ratings/QS1.yaml").exists()
    line = next(ln for ln in result.output.splitlines() if "evidence item 'R9'" in ln)
    assert f"{path.name}, sheet 'Strengths & AFIs', row 3" in line
    assert "does not exist" in line
    assert read_yaml(repo / "ratings/QS7.yaml")["strengths"][0]["evidence"] == ["R4"]


def clean_register(path: Path) -> None:
    """The messy register with its bad rows taken out (as the council would fix them)."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["Evidence Register"]
    for r in range(ws.max_row, 3, -1):
        if ws.cell(row=r, column=1).value in {f"R{n}" for n in range(8, 14)}:
            ws.delete_rows(r)
    wb["Strengths & AFIs"]["D3"] = "R2"
    wb.save(path)


def test_a_clean_register_imports_into_a_repository_that_validates(
    runner: CliRunner, tmp_path: Path, register: tuple[Path, Path, dict[str, int]]
) -> None:
    path, mapping, _ = register
    clean_register(path)
    repo = council_repo(tmp_path)
    result = run_import(runner, repo, str(path), "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    assert "Wrote 9 file(s): 7 evidence items, 2 rating files." in result.output
    qs1 = read_yaml(repo / "ratings/QS1.yaml")
    assert qs1["quality_statement"] == "QS1"
    assert [s["text"] for s in qs1["strengths"]] == ["A strong carers' offer"]
    assert [a["text"] for a in qs1["areas_for_improvement"]] == [
        "Waiting times for assessment are too long",
        "Too few people take a direct payment",
    ]
    ids = [s["id"] for s in qs1["strengths"] + qs1["areas_for_improvement"]]
    assert ids == ["S-QS1-01", "AFI-QS1-01", "AFI-QS1-02"]
    assert qs1["areas_for_improvement"][0]["evidence"] == ["R2"]
    check = runner.invoke(app, ["validate", str(repo)])
    assert check.exit_code == 0, check.output


def test_dry_run_shows_the_files_and_writes_nothing(
    runner: CliRunner, tmp_path: Path, register: tuple[Path, Path, dict[str, int]]
) -> None:
    path, mapping, _ = register
    repo = council_repo(tmp_path)
    result = run_import(
        runner, repo, str(path), "--mapping", str(mapping), "--skip-invalid", "--dry-run"
    )
    assert result.exit_code == 0, result.output
    assert "--- evidence/R1.yaml: would be created (from " in result.output
    # What the import does, by meaning, as ascready diff says it.
    assert '+ R1 "Carers\' strategy 2025-2030" (evidence/R1.yaml)' in result.output
    assert "Nothing was written (--dry-run)" in result.output
    assert files_under(repo) == set()


def test_an_existing_file_is_never_replaced(
    runner: CliRunner, tmp_path: Path, register: tuple[Path, Path, dict[str, int]]
) -> None:
    path, mapping, rows = register
    repo = council_repo(tmp_path)
    existing = repo / "evidence" / "R1.yaml"
    existing.parent.mkdir()
    existing.write_text("# ours, hand-written\nid: R1\n", encoding="utf-8")
    result = run_import(runner, repo, str(path), "--mapping", str(mapping), "--skip-invalid")
    assert existing.read_text(encoding="utf-8") == "# ours, hand-written\nid: R1\n"
    assert (
        f"row {rows['real_date']}: evidence/R1.yaml has errors, so this row cannot be compared "
        "with it" in result.output
    )
    assert (repo / "evidence" / "R2.yaml").is_file()  # the others still come in


def test_a_failure_while_writing_leaves_nothing_behind(
    tmp_path: Path,
    register: tuple[Path, Path, dict[str, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ascready.authoring.register.importer import write_plan

    path, mapping, _ = register
    repo = council_repo(tmp_path)
    project, _ = load_project(repo)
    plan = plan_import(project, path, load_mapping(mapping))
    assert len(plan.files) > 3
    real = writing._move_new
    calls = 0

    def flaky(staged: Path, target: Path) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError(28, "No space left on device")
        real(staged, target)

    monkeypatch.setattr(writing, "_move_new", flaky)
    with pytest.raises(WriteError) as refused:
        write_plan(plan)
    assert calls == 3
    assert "No space left on device" in refused.value.message
    assert "removed or put back" in refused.value.message
    assert files_under(repo) == set()
    assert sorted(p.name for p in repo.iterdir()) == ["ascready.yaml"]  # no folder left


# --- wrong files, wrong mappings ---------------------------------------------------------------


def test_a_sheet_the_workbook_does_not_have_is_named_with_the_sheets_it_has(
    runner: CliRunner, tmp_path: Path, register: tuple[Path, Path, dict[str, int]]
) -> None:
    path, mapping, _ = register
    mapping.write_text(
        mapping.read_text(encoding="utf-8").replace("sheet: Evidence Register", "sheet: Evidence"),
        encoding="utf-8",
    )
    repo = council_repo(tmp_path)
    result = run_import(runner, repo, str(path), "--mapping", str(mapping))
    assert result.exit_code == 1
    assert "has no sheet named 'Evidence'" in result.output
    assert "Did you mean 'Evidence Register'?" in result.output
    assert "'Notes'" in result.output
    assert "Traceback" not in result.output


def test_a_column_the_sheet_does_not_have_is_reported_with_the_headers_found(
    runner: CliRunner, tmp_path: Path, register: tuple[Path, Path, dict[str, int]]
) -> None:
    path, mapping, _ = register
    mapping.write_text(
        mapping.read_text(encoding="utf-8").replace("owner: Lead officer", "owner: Lead"),
        encoding="utf-8",
    )
    repo = council_repo(tmp_path)
    result = run_import(runner, repo, str(path), "--mapping", str(mapping))
    assert result.exit_code == 1
    assert "the column 'Lead' named in the mapping is not in the first 20 rows" in result.output
    assert "'Lead officer'" in result.output  # the headers it did find
    assert files_under(repo) == set()


def test_mapping_mistakes_are_reported_with_their_lines(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "sheets:\n"
        "  - sheet: Register\n"
        "    kind: evidence\n"
        "    columns:\n"
        "      titel: Title\n"
        "  - sheet: Other\n"
        "    kind: evidences\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRefused) as exc:
        load_mapping(mapping)
    message = exc.value.message
    assert "mapping.yaml:5: 'titel' is not a field of evidence items. Did you mean 'title'?" in (
        message
    )
    assert "mapping.yaml:7: kind is 'evidences'" in message


@pytest.mark.parametrize(
    ("kind", "shown"),
    [("[evidence]", "['evidence']"), ("{evidence: 1}", "{'evidence': 1}"), ("3", "3")],
)
def test_a_kind_that_is_not_a_word_is_reported_at_its_line(
    runner: CliRunner, tmp_path: Path, kind: str, shown: str
) -> None:
    repo = council_repo(tmp_path)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        f"sheets:\n  - sheet: Register\n    kind: {kind}\n    columns:\n      title: Title\n",
        encoding="utf-8",
    )
    register = tmp_path / "register.csv"
    register.write_text("Title\nCarers' strategy\n", encoding="utf-8")
    result = run_import(runner, repo, str(register), "--mapping", str(mapping))
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    assert f"mapping.yaml:3: kind is {shown}; it must be one of: evidence" in result.output
    assert files_under(repo) == set()


def test_a_file_that_is_not_a_workbook_gets_a_plain_message(
    runner: CliRunner, tmp_path: Path
) -> None:
    repo = council_repo(tmp_path)
    fake = tmp_path / "register.xlsx"
    fake.write_text("Ref,Title\nR1,Something\n", encoding="utf-8")
    result = run_import(runner, repo, str(fake))
    assert result.exit_code == 1
    assert "register.xlsx: this is not an Excel workbook: it holds text" in result.output
    old = tmp_path / "register.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0 old excel")
    result = run_import(runner, repo, str(old))
    assert result.exit_code == 1
    assert "register.xls: this is an old Excel 97-2003 workbook (.xls)" in result.output
    assert "save it as an Excel Workbook (.xlsx)" in result.output
    assert "Traceback" not in result.output


def test_a_csv_from_excel_in_windows_1252_imports(runner: CliRunner, tmp_path: Path) -> None:
    repo = council_repo(tmp_path)
    csv_file = tmp_path / "actions.csv"
    csv_file.write_bytes(
        "Action ref,Action,Lead,Due date,RAG status\n"
        "A1,Recruit two occupational therapists – agency cover,Head of OT,31/03/2026,"
        "In progress\n"
        "A2,Publish the carers’ offer,Carers Lead,30/06/2026,Complete\n"
        ",,,,\n".encode("cp1252")
    )
    mapping = tmp_path / "actions.yaml"
    mapping.write_text(
        "sheets:\n"
        "  - kind: action\n"
        "    columns: {id: Action ref, title: Action, owner: Lead, due: Due date, "
        "status: RAG status}\n",
        encoding="utf-8",
    )
    result = run_import(runner, repo, str(csv_file), "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    a1, a2 = read_yaml(repo / "actions/A1.yaml"), read_yaml(repo / "actions/A2.yaml")
    assert a1["title"] == "Recruit two occupational therapists – agency cover"
    assert (a1["due"], a1["status"]) == ("2026-03-31", "in-progress")
    assert (a2["title"], a2["status"]) == ("Publish the carers’ offer", "done")
    assert "1 empty row(s) skipped" in result.output


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2025-03-31", dt.date(2025, 3, 31)),
        ("31/03/2025", dt.date(2025, 3, 31)),
        ("1/4/25", dt.date(2025, 4, 1)),
        ("31.3.2025", dt.date(2025, 3, 31)),
        ("31-03-2025", dt.date(2025, 3, 31)),
        ("1 April 2025", dt.date(2025, 4, 1)),
        ("1st Sept 2025", dt.date(2025, 9, 1)),
        ("April 1, 2025", dt.date(2025, 4, 1)),
        (45747, dt.date(2025, 3, 31)),  # an Excel serial number in a text-formatted column
        (dt.datetime(2025, 3, 31, 0, 0), dt.date(2025, 3, 31)),
    ],
)
def test_dates_typed_as_text_are_read_day_first(typed: Any, expected: dt.date) -> None:
    assert parse_date(typed) == expected


@pytest.mark.parametrize("typed", ["April 2025", "31/02/2025", "next week", "13/13/2025", 3.5])
def test_text_that_is_not_a_date_is_refused(typed: Any) -> None:
    with pytest.raises(CellError):
        parse_date(typed)


def test_a_large_register_reports_its_progress_step_by_step(tmp_path: Path) -> None:
    """What the progress bar shows: each step, and each counted step reaching its total."""
    from ascready.authoring.register.importer import write_plan

    path = tmp_path / "big.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "Evidence"
    ws.append(["ID", "Title", "Kind", "Categories", "Quality statements", "Classification"])
    for n in range(1, 1201):
        ws.append([f"EV-{n:04d}", f"Document {n}", "report", "processes", "QS1", "official"])
    wb.save(path)
    repo = council_repo(tmp_path)
    project, _ = load_project(repo)
    seen: list[tuple[str, int, int]] = []
    plan = plan_import(project, path, progress=lambda *step: seen.append(step))
    assert not plan.errors, [p.text() for p in plan.errors]
    write_plan(plan, progress=lambda *step: seen.append(step))
    steps = list(dict.fromkeys(step for step, _, _ in seen))
    assert steps == [
        "Opening the workbook",
        "Reading rows",
        f"Converting rows of {path.name}, sheet 'Evidence'",
        "Checking the new files",
        "Checking the repository with them",
        "Writing the files",
    ]
    assert ("Reading rows", ws.max_row, ws.max_row) in seen
    for step, done, total in seen:
        assert 0 <= done <= total or total == 0, (step, done, total)
    assert len(list((repo / "evidence").glob("*.yaml"))) == 1200


def test_a_csv_in_the_registers_own_layout_needs_no_mapping(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Columns nobody fills in may be deleted; the ones the register needs may not."""
    repo = council_repo(tmp_path)
    csv_file = tmp_path / "evidence.csv"
    csv_file.write_text(
        "ID,Title,Kind,Categories,Quality statements,Classification,As of\n"
        "EV-101,Carers' survey 2025,survey,People's experience,QS1,public,01/10/2025\n",
        encoding="utf-8",
    )
    result = run_import(runner, repo, str(csv_file))
    assert result.exit_code == 0, result.output
    item = read_yaml(repo / "evidence/EV-101.yaml")
    assert (item["kind"], item["as_of"], item["categories"]) == (
        "survey",
        "2025-10-01",
        ["peoples-experience"],
    )
    assert "no column 'Summary'" in result.output  # said, not silently assumed
    without_kind = tmp_path / "no-kind.csv"
    without_kind.write_text(
        "ID,Title,Categories,Quality statements,Classification\n"
        "EV-102,Something,processes,QS1,public\n",
        encoding="utf-8",
    )
    result = run_import(runner, repo, str(without_kind))
    assert result.exit_code == 1
    assert "--mapping" in result.output
    assert not (repo / "evidence/EV-102.yaml").exists()


def test_formulas_saved_by_a_spreadsheet_program_import_as_their_results(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Excel and LibreOffice store each formula's result; openpyxl cannot calculate, so the
    workbook is saved once through LibreOffice, as a council's would have been through Excel."""
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip(
            "LibreOffice is not installed: run `make test` as root, or "
            "`apt-get install libreoffice-calc-nogui`"
        )
    written = tmp_path / "written" / "register.xlsx"
    written.parent.mkdir()
    wb = Workbook()
    ws = wb.active
    ws.title = "Evidence"
    ws.append(["ID", "Title", "Kind", "Categories", "Quality statements", "Classification"])
    ws.append(["EV-1", '="Carers strategy "&(2024+1)', "strategy", "processes", "QS1", "public"])
    ws.append(["EV-2", "Market position statement", "report", "processes", "=E2", "public"])
    wb.save(written)
    saved = tmp_path / "saved"
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(saved),
            str(written),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    repo = council_repo(tmp_path)
    result = run_import(runner, repo, str(saved / "register.xlsx"))
    assert result.exit_code == 0, result.output
    assert read_yaml(repo / "evidence/EV-1.yaml")["title"] == "Carers strategy 2025"
    assert read_yaml(repo / "evidence/EV-2.yaml")["quality_statements"] == ["QS1"]


def test_rows_without_ids_get_the_next_ids_in_the_repositorys_pattern(
    runner: CliRunner, tmp_path: Path
) -> None:
    repo = council_repo(tmp_path)
    (repo / "evidence").mkdir()
    (repo / "evidence" / "EV-041.yaml").write_text(
        "id: EV-041\ntitle: Already here\nkind: report\ncategories: [processes]\n"
        "quality_statements: [QS1]\nclassification: public\n",
        encoding="utf-8",
    )
    csv_file = tmp_path / "register.csv"
    csv_file.write_text(
        "Document,QS,Category\n" + "".join(f"Document {n},QS2,Processes\n" for n in range(1, 4)),
        encoding="utf-8",
    )
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "sheets:\n"
        "  - kind: evidence\n"
        "    columns: {title: Document, quality_statements: QS, categories: Category}\n"
        "    defaults: {kind: document, classification: official}\n",
        encoding="utf-8",
    )
    result = run_import(runner, repo, str(csv_file), "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    titles = {n: read_yaml(repo / f"evidence/EV-{n:03d}.yaml")["title"] for n in (42, 43, 44)}
    assert titles == {42: "Document 1", 43: "Document 2", 44: "Document 3"}


def test_many_rows_with_one_problem_are_listed_up_to_a_limit_then_counted(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A column mapped wrongly over a long sheet (each row fails with its own value): the
    other problems are still shown, but the column's are listed 20 times, then counted."""
    from ascready.authoring.register.importer import PROBLEMS_SHOWN

    repo = council_repo(tmp_path)
    rows = PROBLEMS_SHOWN + 15
    lines = ["ID,Title,Kind,Categories,Quality statements,Classification,As of"]
    lines += [f"EV-{i},Item {i},survey,Processes,QS1,public,soon{i}" for i in range(1, rows + 1)]
    lines.append("EV-900,Another,survey,Processes,QS99,public,01/10/2025")
    csv_file = tmp_path / "evidence.csv"
    csv_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_import(runner, repo, str(csv_file))
    assert result.exit_code == 1
    listed_rows = [ln for ln in result.output.splitlines() if "'soon" in ln and ", row " in ln]
    assert len(listed_rows) == PROBLEMS_SHOWN
    assert (
        f"and {rows - PROBLEMS_SHOWN} more rows of evidence.csv with a problem in column 'As "
        f"of', the first of them row {PROBLEMS_SHOWN + 2}: 'soon{PROBLEMS_SHOWN + 1}'"
        in result.output
    )
    assert "row " + str(rows + 2) in result.output  # the QS99 row, a problem of its own
    assert f"nothing was written: {rows + 1} problem(s)" in result.output
    assert not (repo / "evidence").exists() or not any((repo / "evidence").iterdir())


STATEMENT_MAPPING = (
    "sheets:\n  - kind: statement\n    columns: {quality_statement: QS, type: Type, text: Text}\n"
)


@pytest.mark.parametrize("own_order", [True, False])
def test_a_councils_own_order_across_quality_statements_is_kept_for_the_by_theme_layout(
    runner: CliRunner, tmp_path: Path, own_order: bool
) -> None:
    """A council lists theme 1's strengths in an order of its own (QS2's before QS1's): each
    gets its place, and render --layout by-theme follows it. A sheet that is simply in quality
    statement order adds nothing to the files."""
    from ascready.document.render import build_context

    rows = [
        ("QS2", "Strength", "Our prevention offer reaches people early"),
        ("QS1", "Strength", "Carers say their assessment has improved"),
        ("QS3", "Strength", "Interpreters are booked for every assessment"),
        ("QS1", "Area for improvement", "Waiting times for occupational therapy"),
    ]
    if not own_order:
        rows = sorted(rows, key=lambda r: (r[1], r[0]))
    repo = council_repo(tmp_path)
    sheet = tmp_path / "statements.csv"
    sheet.write_text(
        "QS,Type,Text\n" + "".join(f"{q},{t},{x}\n" for q, t, x in rows), encoding="utf-8"
    )
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(STATEMENT_MAPPING, encoding="utf-8")
    result = run_import(runner, repo, str(sheet), "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    qs1 = read_yaml(repo / "ratings/QS1.yaml")
    assert ("order" in qs1["strengths"][0]) is own_order
    project, _ = load_project(repo)
    theme = build_context(project, "internal", layout="by-theme")["by_theme"][0]
    strengths = [(s["text"], s["tags"][0]) for s in theme["strengths"]]
    expected = [(x, q) for q, t, x in rows if t == "Strength"]
    assert strengths == expected
    again = run_import(runner, repo, str(sheet), "--mapping", str(mapping))
    assert again.exit_code == 0 and "Nothing to write" in again.output
