"""``ascready import`` of a statements sheet typed the way councils type it: a group's theme
written once with the cells below it left blank, read by the mapping's ``fill_down``, and a
warning naming the rows when a blank looks like a group the mapping does not fill down."""

from __future__ import annotations

from pathlib import Path

import pytest

from ascready.authoring.register.importer import ImportPlan, plan_import
from ascready.authoring.register.mapping import load_mapping
from ascready.checks.load import load_project
from ascready.errors import ImportRefused
from ascready.repository import yamlsafe
from tests.authoring.register.helpers import STATEMENT_MAPPING, profile_only_repo
from tests.conftest import REPO_ROOT

STATEMENTS = """\
Theme,QS,Type,Statement
Theme 1 - Working with People,QS1,Strength,Assessments are timely
,QS2,Strength,Prevention offer is broad
,QS4,Area for improvement,Too few carers' assessments
Theme 2: Providing support,QS4,Strength,Home care market is stable
,QS1,Area for improvement,Reviews are late
Theme 4,QS8,Strength,Governance is clear
"""

MAPPING = STATEMENT_MAPPING
new_repo = profile_only_repo


def plan(tmp_path: Path, mapping: str, sheet: str = STATEMENTS) -> ImportPlan:
    csv_file = tmp_path / "statements.csv"
    csv_file.write_text(sheet, encoding="utf-8")
    mapping_file = tmp_path / "mapping.yaml"
    mapping_file.write_text(mapping, encoding="utf-8")
    project, _ = load_project(new_repo(tmp_path))
    return plan_import(project, csv_file, load_mapping(mapping_file))


def themes(result: ImportPlan) -> dict[str, str | None]:
    """Each statement's text -> the theme it is presented under."""
    out: dict[str, str | None] = {}
    for f in result.files:
        data, problems = yamlsafe.parse_text(f.text)
        assert not problems
        for s in (*data.get("strengths", []), *data.get("areas_for_improvement", [])):
            out[s["text"]] = s.get("presented_under")
    return out


def test_fill_down_gives_blank_cells_the_value_of_their_group(tmp_path: Path) -> None:
    result = plan(tmp_path, MAPPING + "    fill_down: [presented_under]\n")
    assert not result.errors, [p.text() for p in result.errors]
    assert not result.warnings, [p.text() for p in result.warnings]
    assert themes(result) == {
        "Assessments are timely": "T1",
        "Prevention offer is broad": "T1",
        "Too few carers' assessments": "T1",
        "Home care market is stable": "T2",
        "Reviews are late": "T2",
        "Governance is clear": "T4",
    }


def test_a_blank_that_looks_like_a_group_is_warned_about_naming_its_rows(
    tmp_path: Path,
) -> None:
    result = plan(tmp_path, MAPPING)
    assert not result.errors, [p.text() for p in result.errors]
    warnings = [p.text() for p in result.warnings]
    assert len(warnings) == 1, warnings
    # Rows 3, 4 and 6 of the sheet (the header is row 1) are the blanks under a theme.
    assert "the column 'Theme' is blank in rows 3-4 and 6" in warnings[0]
    assert "fill_down: [presented_under]" in warnings[0]
    # Without fill_down, the blanks are read as no theme: the warning is what says so.
    assert themes(result)["Prevention offer is broad"] is None


def test_fill_down_stays_within_the_sheet_and_does_not_fill_above_the_first_value(
    tmp_path: Path,
) -> None:
    sheet = "Theme,QS,Type,Statement\n,QS1,Strength,Before any theme\nT3,QS7,Strength,Safe\n"
    result = plan(tmp_path, MAPPING + "    fill_down: [presented_under]\n", sheet)
    assert themes(result) == {"Before any theme": None, "Safe": "T3"}


def test_a_column_filled_in_every_row_or_blank_by_itself_is_not_a_group(tmp_path: Path) -> None:
    sheet = (
        "Theme,QS,Type,Statement\n"
        "T1,QS1,Strength,One\n"
        "T1,QS1,Strength,Two\n"
        ",,,Only some text\n"  # a row that is mostly empty is not a group member
        "T2,QS4,Strength,Three\n"
    )
    result = plan(tmp_path, MAPPING, sheet)
    assert not any("blank in" in p.message for p in result.problems), [
        p.text() for p in result.problems
    ]


@pytest.mark.parametrize(
    ("fill_down", "expected"),
    [
        ("[presented_undr]", "mapping.yaml:8: fill_down names 'presented_undr', which is not a "
         "field of strengths and areas for improvement. Did you mean 'presented_under'?"),
        ("[evidence]", "mapping.yaml:8: fill_down names 'evidence', but 'columns:' gives no "
         "column for it"),
        ("{presented_under: yes}", "mapping.yaml:8: fill_down is a list of fields"),
    ],
)  # fmt: skip
def test_a_fill_down_field_that_does_not_exist_is_reported_with_its_line(
    tmp_path: Path, fill_down: str, expected: str
) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING + f"    fill_down: {fill_down}\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as exc:
        load_mapping(mapping)
    assert expected in exc.value.message


@pytest.mark.parametrize(
    "sheet",
    [
        # A theme only some statements have: the first row has none.
        "Theme,QS,Type,Statement\n,QS1,Strength,A\nT2,QS1,Strength,B\n,QS1,Strength,C\n"
        ",QS4,Strength,D\n",
        # The same theme again after blanks is not how a new group is typed.
        "Theme,QS,Type,Statement\nT2,QS1,Strength,A\n,QS1,Strength,B\nT2,QS4,Strength,C\n"
        ",QS4,Strength,D\n",
    ],
)
def test_a_column_of_values_some_rows_have_is_not_a_group(tmp_path: Path, sheet: str) -> None:
    result = plan(tmp_path, MAPPING, sheet)
    assert not result.problems, [p.text() for p in result.problems]


def test_a_register_export_wrote_imports_back_without_a_group_warning(tmp_path: Path) -> None:
    from ascready.authoring.register.export import register_workbook
    from ascready.authoring.register.layout import register_rows

    project, _ = load_project(REPO_ROOT / "evidence")
    workbook = tmp_path / "register.xlsx"
    workbook.write_bytes(
        register_workbook(register_rows(project), project.framework, as_of=None, version="0")
    )
    empty, _ = load_project(new_repo(tmp_path))
    result = plan_import(empty, workbook)
    assert not [p.text() for p in result.problems if "blank in" in p.message]
