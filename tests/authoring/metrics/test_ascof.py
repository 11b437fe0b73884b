"""``ascready import-metrics``: a published ASCOF table becomes metrics/ files, or nothing does."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import Result
from openpyxl import Workbook
from typer.testing import CliRunner

from ascready.authoring.metrics.catalogue import catalogue
from ascready.cli import app
from ascready.io import writing
from ascready.repository import yamlsafe
from tests.conftest import REPO_ROOT

HEADER = [
    "Geographical Code",
    "Geographical Description",
    "Geographical Level",
    "ONS Code",
    "ASCOF Measure Code",
    "Disaggregation Level",
    "Measure Group",
    "Measure Group Description",
    "Measure Type",
    "Measure Value",
]
Area = tuple[str, str, str, str]  # geographical code, description, level, ONS code
ENGLAND: Area = ("E92000001", "England", "England", "E92000001")
SOUTH_WEST: Area = ("E12000009", "South West", "Region", "E12000009")
SOUTH_EAST: Area = ("E12000008", "South East", "Region", "E12000008")
AVONMERE: Area = ("999", "Avonmere", "Council", "E06000999")  # the example council
OTHERTON: Area = ("998", "Otherton", "Council", "E06000998")
AREAS = (ENGLAND, SOUTH_WEST, SOUTH_EAST, AVONMERE, OTHERTON)
DESCRIPTIONS = {
    "2A": "The proportion of people who received short-term services during the year (who "
    "previously were not receiving services) where no further request was made for ongoing "
    "support (%)",
    "2C": "The number of adults aged 65 and over whose long-term support needs are met by "
    "admission to residential and nursing care homes, per 100,000 population",
    "2D": "The proportion of people aged 65 and over discharged from hospital into reablement "
    "and who remained in the community within 12 weeks of discharge (%)",
    "2E": "The proportion of people who receive long-term support who live in their home or "
    "with family (%)",
    "3D": "Proportion of people using social care who receive self-directed support, and "
    "those receiving direct payments",
    "1A": "Social care-related quality of life score",
}
CODES = {"Total": "", "18-64": "1864", "65 and over": "65OV", "Male": "M", "Female": "F"}
Row = list[str]


def row(area: Area, group: str, disaggregation: str, kind: str, value: str) -> Row:
    code = group + CODES[disaggregation]
    return [*area, code, disaggregation, group, DESCRIPTIONS[group], kind, value]


def outcomes(group: str, disaggregation: str, *values: str) -> list[Row]:
    """One Outcome row per area, in the order of AREAS."""
    return [row(a, group, disaggregation, "Outcome", v) for a, v in zip(AREAS, values, strict=True)]


def ascof_rows() -> list[Row]:
    """A realistic slice of the national table: England, two regions, the council and another
    council; several disaggregations and measure types; a suppressed figure; a measure that
    is not in ascready's catalogue; one with no 'Total'."""
    rows: list[Row] = []
    rows += outcomes("2A", "Total", "79.4", "80.2", "78.13", "81.46", "70")
    for area in AREAS:
        rows.append(row(area, "2A", "Total", "Numerator", "812"))
        rows.append(row(area, "2A", "Total", "Denominator", "997"))
    rows += outcomes("2A", "18-64", "83.2", "84", "82.5", "85", "71.1")
    rows += outcomes("2A", "65 and over", "77.9", "78", "76.6", "80.1", "69.9")
    rows += outcomes("2C", "65 and over", "566.1", "540.25", "530", "612.3", "600")
    rows += outcomes("3D", "Total", "92.1", "93", "91.7", "94.52", "90")
    rows += outcomes("3D", "Male", "91.8", "92.9", "91.5", "94", "89.9")
    rows += outcomes("2E", "Total", "57.2", "58.1", "56", "[c]", "60.4")
    rows += outcomes("1A", "Total", "19.1", "19.2", "19", "19.3", "18.7")
    rows += outcomes("2D", "Male", "81", "82", "80", "83", "79")
    rows += outcomes("2D", "Female", "83", "84", "82", "85", "81")
    return rows


def row_number(rows: Sequence[Row], group: str, area: Area, first_data_row: int = 2) -> int:
    """The spreadsheet row of an area's Outcome figure for a measure's first disaggregation."""
    for i, r in enumerate(rows):
        if r[6] == group and r[3] == area[3] and r[8] == "Outcome":
            return first_data_row + i
    raise AssertionError(f"no row for {group}")


def write_csv(
    path: Path,
    rows: Sequence[Sequence[str]],
    header: Sequence[str] = HEADER,
    encoding: str = "utf-8",
) -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def cell(value: str) -> str | float:
    """A figure as Excel keeps it: a number where it is one."""
    try:
        return float(value)
    except ValueError:
        return value


def write_xlsx(path: Path, rows: Sequence[Sequence[str]], header: Sequence[str] = HEADER) -> Path:
    """The table on its second sheet, under a title and a blank row, as published workbooks
    often are."""
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Notes"
    notes.append(["Measures from the Adult Social Care Outcomes Framework"])
    data = book.create_sheet("Data")
    data.append(["Measures from ASCOF, England, 2024-25"])
    data.append([])
    data.append(list(header))
    for r in rows:
        data.append([cell(v) for v in r])
    book.save(path)
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A new council repository holding only the example council's profile (E06000999,
    South West)."""
    root = tmp_path / "council"
    root.mkdir()
    shutil.copy(REPO_ROOT / "evidence" / "ascready.yaml", root / "ascready.yaml")
    return root


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    folder = tmp_path / "downloads"
    folder.mkdir()
    return folder


def run(runner: CliRunner, repo: Path, *args: str) -> Result:
    return runner.invoke(app, ["import-metrics", *args, "--repo", str(repo)])


def read(path: Path) -> dict[str, object]:
    data, problems = yamlsafe.parse_bytes(path.read_bytes())
    assert not problems and isinstance(data, dict)
    return data


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def validates(runner: CliRunner, repo: Path) -> None:
    result = runner.invoke(app, ["validate", str(repo)])
    assert result.exit_code == 0, result.output


# --- the long table, as published --------------------------------------------------------------


def test_each_measure_gets_the_councils_figure_with_england_and_region(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    source = write_csv(downloads / "meas-from-asc-of-eng-2024-25.csv", ascof_rows())
    result = run(runner, repo, str(source))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (repo / "metrics").iterdir()) == [
        "ASCOF-1A.yaml",
        "ASCOF-2A.yaml",
        "ASCOF-2C.yaml",
        "ASCOF-3D.yaml",
    ]
    short_term = read(repo / "metrics" / "ASCOF-2A.yaml")
    assert short_term["id"] == "ASCOF-2A" and short_term["measure"] == "2A"
    assert short_term["value"] == 81.46 and short_term["unit"] == "percent"
    assert short_term["comparators"] == {"england": 79.4, "region": 80.2}  # not South East
    assert short_term["period"] == "2024-25"
    assert short_term["polarity"] == "higher-is-better"
    assert short_term["quality_statements"] == ["QS2"]
    assert short_term["classification"] == "public"
    assert "Created metrics/ASCOF-2A.yaml" in result.stdout
    validates(runner, repo)


def test_care_home_admissions_are_per_100k_and_lower_is_better(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    source = write_csv(downloads / "ascof-2024-25.csv", ascof_rows())
    assert run(runner, repo, str(source), "--measure", "2C").exit_code == 0
    admissions = read(repo / "metrics" / "ASCOF-2C.yaml")
    # published only for people aged 65 and over, so that group is used, and said so
    assert admissions["value"] == 612.3
    assert admissions["comparators"] == {"england": 566.1, "region": 540.25}
    assert admissions["unit"] == "per-100k" and admissions["polarity"] == "lower-is-better"
    assert admissions["quality_statements"] == ["QS2", "QS4"]
    assert "'65 and over'" in str(admissions["notes"])


def test_the_total_is_taken_when_a_measure_has_several_disaggregations(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    source = write_csv(downloads / "ascof-2024-25.csv", ascof_rows())
    assert run(runner, repo, str(source), "-m", "3d").exit_code == 0
    assert read(repo / "metrics" / "ASCOF-3D.yaml")["value"] == 94.52
    assert not (repo / "metrics" / "ASCOF-2A.yaml").exists()  # only what --measure names


def test_disaggregation_chooses_the_group(runner: CliRunner, repo: Path, downloads: Path) -> None:
    source = write_csv(downloads / "ascof-2024-25.csv", ascof_rows())
    result = run(runner, repo, str(source), "-m", "2A", "--disaggregation", "65 AND OVER")
    assert result.exit_code == 0, result.output
    measure = read(repo / "metrics" / "ASCOF-2A.yaml")
    assert measure["value"] == 80.1
    assert measure["comparators"] == {"england": 77.9, "region": 78.0}


def test_skipped_measures_name_the_file_the_row_and_the_reason(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    rows = ascof_rows()
    source = write_csv(downloads / "ascof-2024-25.csv", rows)
    result = run(runner, repo, str(source))
    assert result.exit_code == 0, result.output
    suppressed = row_number(rows, "2E", AVONMERE)
    assert f"skipped: 2E: {source} row {suppressed}: " in result.stderr
    assert "'[c]' (suppressed" in result.stderr
    assert "skipped: 2D:" in result.stderr and "none is 'Total'" in result.stderr
    assert "--disaggregation 'Male'" in result.stderr
    assert not (repo / "metrics" / "ASCOF-2E.yaml").exists()
    assert not (repo / "metrics" / "ASCOF-2D.yaml").exists()


def test_a_measure_outside_the_catalogue_is_neutral_and_the_user_is_told_to_set_it(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    source = write_csv(downloads / "ascof-2024-25.csv", ascof_rows())
    result = run(runner, repo, str(source))
    quality_of_life = read(repo / "metrics" / "ASCOF-1A.yaml")
    assert quality_of_life["title"] == DESCRIPTIONS["1A"]
    assert quality_of_life["unit"] == "score" and quality_of_life["polarity"] == "neutral"
    assert "quality_statements" not in quality_of_life
    assert "metrics/ASCOF-1A.yaml: 1A is not in ascready's catalogue" in result.stdout
    assert "set polarity" in result.stdout and "quality_statements" in result.stdout


def test_a_file_outside_the_repository_is_named_in_the_notes_and_a_source_is_asked_for(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    source = write_csv(downloads / "ascof-2024-25.csv", ascof_rows())
    result = run(runner, repo, str(source), "-m", "2A")
    measure = read(repo / "metrics" / "ASCOF-2A.yaml")
    assert "source" not in measure
    assert "ascof-2024-25.csv" in str(measure["notes"])
    assert "--source https://" in result.stderr


def test_source_is_the_link_given_or_the_file_inside_the_repository(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    link = "https://digital.nhs.uk/data-and-information/publications/statistical/ascof"
    outside = write_csv(downloads / "ascof-2024-25.csv", ascof_rows())
    assert run(runner, repo, str(outside), "-m", "2A", "--source", link).exit_code == 0
    assert read(repo / "metrics" / "ASCOF-2A.yaml")["source"] == link
    (repo / "files").mkdir()
    inside = write_csv(repo / "files" / "ascof-2024-25.csv", ascof_rows())
    assert run(runner, repo, str(inside), "-m", "3D").exit_code == 0
    measure = read(repo / "metrics" / "ASCOF-3D.yaml")
    assert measure["source"] == "files/ascof-2024-25.csv" and "notes" not in measure
    validates(runner, repo)


# --- other shapes and encodings ----------------------------------------------------------------


def test_a_workbook_with_a_title_above_the_header_on_its_second_sheet(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    rows = ascof_rows()
    book = write_xlsx(downloads / "ascof-2024-25.xlsx", rows)
    result = run(runner, repo, str(book))
    assert result.exit_code == 0, result.output
    short_term = read(repo / "metrics" / "ASCOF-2A.yaml")
    assert short_term["value"] == 81.46
    assert short_term["comparators"] == {"england": 79.4, "region": 80.2}
    # the header is on row 3 of the sheet, so the data start on row 4
    suppressed = row_number(rows, "2E", AVONMERE, first_data_row=4)
    assert f"{book}, sheet 'Data', row {suppressed}: " in result.stderr
    validates(runner, repo)


def test_the_wide_shape_with_an_outcome_column(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    header = [*HEADER[:8], "Numerator", "Denominator", "Outcome"]
    rows = [[*r[:8], "812", "997", r[9]] for r in ascof_rows() if r[8] == "Outcome"]
    source = write_csv(downloads / "ascof-wide-2024-25.csv", rows, header)
    result = run(runner, repo, str(source), "-m", "2A", "-m", "2C")
    assert result.exit_code == 0, result.output
    assert read(repo / "metrics" / "ASCOF-2A.yaml")["value"] == 81.46
    assert read(repo / "metrics" / "ASCOF-2C.yaml")["comparators"] == {
        "england": 566.1,
        "region": 540.25,
    }


def test_headers_match_whatever_their_case_spacing_and_underscores(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    header = [h.upper().replace(" ", "_") for h in HEADER]
    header[-1] = "measure  value"
    source = write_csv(downloads / "ascof-2024-25.csv", ascof_rows(), header)
    result = run(runner, repo, str(source), "-m", "2A")
    assert result.exit_code == 0, result.output
    assert read(repo / "metrics" / "ASCOF-2A.yaml")["value"] == 81.46


def test_a_csv_saved_by_excel_in_windows_1252(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    rows = [r for r in ascof_rows() if r[6] == "1A"]
    for r in rows:
        r[6], r[7] = "4A", "Carers – who feel safe (%)"  # an en dash, byte 0x96 in cp1252
    source = write_csv(downloads / "ascof-2024-25.csv", rows, encoding="cp1252")
    assert b"\x96" in source.read_bytes()
    result = run(runner, repo, str(source))
    assert result.exit_code == 0, result.output
    measure = read(repo / "metrics" / "ASCOF-4A.yaml")
    assert measure["title"] == "Carers – who feel safe (%)" and measure["unit"] == "percent"


def test_the_year_column_gives_the_period(runner: CliRunner, repo: Path, downloads: Path) -> None:
    rows = [[*r, "202324"] for r in ascof_rows()]
    source = write_csv(downloads / "ascof.csv", rows, [*HEADER, "Fiscal_Year"])
    assert run(runner, repo, str(source), "-m", "2A").exit_code == 0
    assert read(repo / "metrics" / "ASCOF-2A.yaml")["period"] == "2023-24"


def test_with_no_year_anywhere_the_period_is_asked_for(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    source = write_csv(downloads / "ascof.csv", ascof_rows())
    result = run(runner, repo, str(source))
    assert result.exit_code == 1
    assert "--period" in result.stderr and not (repo / "metrics").exists()
    assert run(runner, repo, str(source), "-m", "2A", "--period", "2024/25").exit_code == 0
    assert read(repo / "metrics" / "ASCOF-2A.yaml")["period"] == "2024-25"


def test_the_region_is_matched_by_name_whatever_its_case(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    rows = ascof_rows()
    for r in rows:
        if r[1] == "South West":
            r[1], r[3] = "SOUTH WEST", ""  # and no ONS code to find it by
    source = write_csv(downloads / "ascof-2024-25.csv", rows)
    assert run(runner, repo, str(source), "-m", "2A").exit_code == 0
    assert read(repo / "metrics" / "ASCOF-2A.yaml")["comparators"] == {
        "england": 79.4,
        "region": 80.2,
    }


def test_missing_region_rows_leave_the_comparator_out_with_a_warning(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    rows = [r for r in ascof_rows() if r[2] != "Region"]
    source = write_csv(downloads / "ascof-2024-25.csv", rows)
    result = run(runner, repo, str(source), "-m", "2A")
    assert result.exit_code == 0, result.output
    assert read(repo / "metrics" / "ASCOF-2A.yaml")["comparators"] == {"england": 79.4}
    assert "warning:" in result.stderr and "no row for the South West region" in result.stderr


# --- existing measures ---------------------------------------------------------------------------

COUNCIL_MEASURE = """\
# Our own notes on this measure: kept in the file.
id: ASCOF-2A
title: Short-term support that worked
measure: 2A
value: 77.0
unit: percent
period: 2023-24
polarity: lower-is-better
comparators:
  england: 78.0
quality_statements: [QS2, QS3]
source: https://example.org/ascof-2023-24
classification: official
notes: Checked by the performance team.
"""


def test_an_existing_measure_is_not_replaced_and_new_ones_are_still_created(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    existing = repo / "metrics" / "ours" / "short-term.yaml"  # found by its id, not its name
    existing.parent.mkdir(parents=True)
    existing.write_text(COUNCIL_MEASURE, encoding="utf-8")
    source = write_csv(downloads / "ascof-2024-25.csv", ascof_rows())
    result = run(runner, repo, str(source))
    assert result.exit_code == 0, result.output
    assert existing.read_text(encoding="utf-8") == COUNCIL_MEASURE
    assert not (repo / "metrics" / "ASCOF-2A.yaml").exists()
    assert (
        "skipped: 2A: already in metrics/ours/short-term.yaml; use --update to replace its "
        "figures" in result.stderr
    )
    assert (repo / "metrics" / "ASCOF-3D.yaml").exists()


def test_update_replaces_the_figures_and_keeps_what_the_council_set(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    existing = repo / "metrics" / "ours" / "short-term.yaml"
    existing.parent.mkdir(parents=True)
    existing.write_text(COUNCIL_MEASURE, encoding="utf-8")
    source = write_csv(downloads / "ascof-2024-25.csv", ascof_rows())
    link = "https://example.org/ascof-2024-25"
    result = run(runner, repo, str(source), "-m", "2A", "--update", "--source", link)
    assert result.exit_code == 0, result.output
    measure = read(existing)
    assert measure["value"] == 81.46 and measure["period"] == "2024-25"
    assert measure["comparators"] == {"england": 79.4, "region": 80.2}
    assert measure["source"] == link
    assert measure["polarity"] == "lower-is-better"  # the council's choice, not the catalogue's
    assert measure["quality_statements"] == ["QS2", "QS3"]
    assert measure["title"] == "Short-term support that worked"
    assert measure["classification"] == "official"
    assert measure["notes"] == "Checked by the performance team."
    assert not (repo / "metrics" / "ASCOF-2A.yaml").exists()
    assert "Updated metrics/ours/short-term.yaml" in result.stdout
    assert "(was 77 for 2023-24)" in result.stdout
    validates(runner, repo)


def test_update_never_replaces_newer_figures_with_older_ones(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    existing = repo / "metrics" / "ASCOF-2A.yaml"
    existing.parent.mkdir()
    existing.write_text(COUNCIL_MEASURE.replace("2023-24", "2025-26"), encoding="utf-8")
    before = existing.read_bytes()
    source = write_csv(downloads / "ascof-2024-25.csv", ascof_rows())
    result = run(runner, repo, str(source), "-m", "2A", "--update")
    assert result.exit_code == 1
    assert "newer than the 2024-25 figures" in result.stderr
    assert existing.read_bytes() == before


# --- refusals: nothing is written ----------------------------------------------------------------


def test_dry_run_prints_the_files_and_writes_nothing(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    before = snapshot(repo)
    source = write_csv(downloads / "ascof-2024-25.csv", ascof_rows())
    result = run(runner, repo, str(source), "--dry-run")
    assert result.exit_code == 0, result.output
    assert snapshot(repo) == before
    assert "Would create metrics/ASCOF-2A.yaml:" in result.stdout
    assert "value: 81.46" in result.stdout and "region: 80.2" in result.stdout
    assert "Nothing was written (--dry-run)." in result.stdout


def test_no_row_for_the_council_exits_1_and_writes_nothing(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    before = snapshot(repo)
    rows = [r for r in ascof_rows() if r[3] != AVONMERE[3]]
    source = write_csv(downloads / "ascof-2024-25.csv", rows)
    result = run(runner, repo, str(source))
    assert result.exit_code == 1
    assert f"{source}: no row for ONS code E06000999 in the file" in result.stderr
    assert "use --ons-code" in result.stderr
    assert snapshot(repo) == before


def test_ons_code_imports_another_councils_rows(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    source = write_csv(downloads / "ascof-2024-25.csv", ascof_rows())
    result = run(runner, repo, str(source), "-m", "2A", "--ons-code", "e06000998")
    assert result.exit_code == 0, result.output
    assert read(repo / "metrics" / "ASCOF-2A.yaml")["value"] == 70.0


def test_missing_columns_are_named_with_the_columns_found(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    header = [h for h in HEADER if h != "ONS Code"]
    rows = [r[:3] + r[4:] for r in ascof_rows()]
    source = write_csv(downloads / "ascof-2024-25.csv", rows, header)
    result = run(runner, repo, str(source))
    assert result.exit_code == 1
    assert f"{source} row 1: the table has no column 'ONS Code'" in result.stderr
    assert "Columns found: 'Geographical Code'" in result.stderr
    assert "Needed: Geographical Description, Geographical Level, ONS Code" in result.stderr
    assert not (repo / "metrics").exists()


def test_a_file_that_is_not_a_table_is_refused_plainly(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    pdf = downloads / "ascof-2024-25.pdf"
    pdf.write_bytes(b"%PDF-1.7")
    result = run(runner, repo, str(pdf))
    assert result.exit_code == 1 and "not a CSV or Excel .xlsx file" in result.stderr
    broken = downloads / "ascof-2024-25.xlsx"
    broken.write_bytes(b"Geographical Code,Geographical Description\n")
    result = run(runner, repo, str(broken))
    assert result.exit_code == 1
    assert f"{broken}: this is not an Excel workbook: it holds text" in result.stderr
    broken.write_bytes(b"PK\x03\x04 the start of a zip archive, and then nothing")
    result = run(runner, repo, str(broken))
    assert result.exit_code == 1 and "not an Excel workbook ascready can read" in result.stderr
    assert "Traceback" not in result.output
    assert not (repo / "metrics").exists()


def test_duplicate_rows_for_the_council_skip_the_measure(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    rows = ascof_rows()
    first = row_number(rows, "2A", AVONMERE)
    rows.append(row(AVONMERE, "2A", "Total", "Outcome", "82"))
    source = write_csv(downloads / "ascof-2024-25.csv", rows)
    result = run(runner, repo, str(source))
    assert result.exit_code == 0, result.output
    assert f"{source} rows {first} and {len(rows) + 1}: 2 rows give" in result.stderr
    assert not (repo / "metrics" / "ASCOF-2A.yaml").exists()
    assert (repo / "metrics" / "ASCOF-3D.yaml").exists()


def test_a_value_that_is_not_a_number_skips_the_measure(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    rows = ascof_rows()
    for r in rows:
        if r[3] == AVONMERE[3] and r[6] == "2A" and r[8] == "Outcome" and r[5] == "Total":
            r[9] = "81.4 (provisional)"
    source = write_csv(downloads / "ascof-2024-25.csv", rows)
    result = run(runner, repo, str(source), "-m", "2A")
    assert result.exit_code == 1  # the only measure asked for could not be imported
    assert f"row {row_number(rows, '2A', AVONMERE)}" in result.stderr
    assert "'81.4 (provisional)', which is not a number" in result.stderr
    assert not (repo / "metrics").exists()


def test_an_unknown_measure_is_refused_with_the_ones_in_the_file(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    source = write_csv(downloads / "ascof-2024-25.csv", ascof_rows())
    result = run(runner, repo, str(source), "-m", "2A", "-m", "9Z")
    assert result.exit_code == 1
    assert "the file has no measure 9Z" in result.stderr and "2A, 2C, 3D" in result.stderr
    assert not (repo / "metrics").exists()


def test_a_file_that_would_not_validate_means_nothing_is_written(
    runner: CliRunner, repo: Path, downloads: Path
) -> None:
    rows = ascof_rows()
    for r in rows:
        if r[6] == "1A":
            r[7] = "Quality of life score (queries to j.bloggs@example.org)"
    source = write_csv(downloads / "ascof-2024-25.csv", rows)
    result = run(runner, repo, str(source))
    assert result.exit_code == 1
    assert "metrics/ASCOF-1A.yaml: an email address" in result.stderr
    assert "nothing was written" in result.stderr
    assert not (repo / "metrics").exists()  # not even the measures that were fine


def test_a_failed_write_removes_the_files_this_run_created(
    runner: CliRunner, repo: Path, downloads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[str] = []
    real = writing._move_new

    def fail_second(staged: Path, path: Path) -> None:
        if written:
            raise OSError(28, "No space left on device")
        written.append(path.name)
        real(staged, path)

    monkeypatch.setattr(writing, "_move_new", fail_second)
    source = write_csv(downloads / "ascof-2024-25.csv", ascof_rows())
    result = run(runner, repo, str(source))
    assert result.exit_code == 1
    assert written, "the first file was written before the second failed"
    assert "No space left on device" in result.stderr and "removed" in result.stderr
    assert not (repo / "metrics").exists()


def test_the_catalogue_covers_the_verified_refreshed_measures() -> None:
    known = catalogue()
    assert sorted(known) == ["2A", "2B", "2C", "2D", "2E", "3D"]
    lower = sorted(code for code, m in known.items() if m.polarity.value == "lower-is-better")
    assert lower == ["2B", "2C"]
    assert {code: m.unit.value for code, m in known.items() if m.unit.value != "percent"} == {
        "2B": "per-100k",
        "2C": "per-100k",
    }
