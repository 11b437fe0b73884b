"""``ascready import`` of values as councils write them: theme titles, several quality
statements in one cell, a lead officer and comments per statement, and a row with no quality
statement."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ascready.authoring.register.importer import ImportPlan, plan_import
from ascready.authoring.register.layout import SHEET_BY_KIND, register_rows
from ascready.authoring.register.mapping import load_mapping
from ascready.checks.load import load_project
from ascready.findings import Severity
from ascready.repository import yamlsafe
from ascready.repository.framework import Framework
from ascready.repository.loader import builtin_framework_data
from tests.authoring.register.helpers import STATEMENT_MAPPING, profile_only_repo
from tests.conftest import REPO_ROOT

MAPPING = STATEMENT_MAPPING
new_repo = profile_only_repo


def plan(tmp_path: Path, sheet: str, mapping: str | None = MAPPING) -> ImportPlan:
    csv_file = tmp_path / "statements.csv"
    csv_file.write_text(sheet, encoding="utf-8")
    project, _ = load_project(new_repo(tmp_path))
    if mapping is None:
        return plan_import(project, csv_file)
    mapping_file = tmp_path / "mapping.yaml"
    mapping_file.write_text(mapping, encoding="utf-8")
    return plan_import(project, csv_file, load_mapping(mapping_file))


def statements(result: ImportPlan) -> dict[str, dict[str, Any]]:
    """Each statement's text -> the statement, with its rating's quality statement."""
    out: dict[str, dict[str, Any]] = {}
    for f in result.files:
        data, problems = yamlsafe.parse_text(f.text)
        assert not problems
        for s in (*data.get("strengths", []), *data.get("areas_for_improvement", [])):
            out[s["text"]] = {"qs": data["quality_statement"], **s}
    return out


def test_theme_titles_as_councils_write_them_need_no_mapping(tmp_path: Path) -> None:
    result = plan(
        tmp_path,
        "Theme,QS,Type,Statement\n"
        "Theme 1 - Working with People,QS4,Strength,Integrated mental health\n"
        "Theme 2: Providing support,QS1,Strength,Carers offer\n"
        "Theme 3 – Ensuring safety within the system,QS8,Strength,Board oversight\n"
        "Leadership,QS1,Strength,Principal social worker\n",
    )
    assert not result.problems, [p.text() for p in result.problems]
    found = {t: s["presented_under"] for t, s in statements(result).items()}
    assert found == {
        "Integrated mental health": "T1",
        "Carers offer": "T2",
        "Board oversight": "T3",
        "Principal social worker": "T4",
    }


@pytest.mark.parametrize(
    ("cell", "qs", "related"),
    [
        ("(1, 5)", "QS1", ["QS5"]),
        ("QS1/QS6", "QS1", ["QS6"]),
        ("QS 1 and QS 6", "QS1", ["QS6"]),
        ("(6) & (7)", "QS6", ["QS7"]),
    ],
)
def test_several_quality_statements_in_one_cell_become_the_first_and_related_ones(
    tmp_path: Path, cell: str, qs: str, related: list[str]
) -> None:
    result = plan(tmp_path, f'Theme,QS,Type,Statement\n,"{cell}",Strength,Joined up\n')
    assert not result.errors, [p.text() for p in result.errors]
    found = statements(result)["Joined up"]
    assert (found["qs"], found["related_quality_statements"]) == (qs, related)
    warnings = [p.text() for p in result.warnings]
    assert len(warnings) == 1, warnings
    assert f"'{cell}' names 2 quality statements" in warnings[0]
    assert f"filed under {qs}, the first, and related to {related[0]}" in warnings[0]
    assert "(cell B2, column 'QS')" in warnings[0]


def test_a_title_with_commas_and_and_is_one_quality_statement(tmp_path: Path) -> None:
    result = plan(
        tmp_path,
        'Theme,QS,Type,Statement\n,"Care provision, integration and continuity",Strength,X\n',
    )
    assert not result.problems, [p.text() for p in result.problems]
    found = statements(result)["X"]
    assert found["qs"] == "QS4" and "related_quality_statements" not in found


def test_several_quality_statements_where_one_is_unknown_stay_an_error(tmp_path: Path) -> None:
    result = plan(tmp_path, 'Theme,QS,Type,Statement\n,"QS1/QS12",Strength,X\n')
    assert [p.message for p in result.errors] == [
        "'QS1/QS12' is not a quality statement ascready knows"
    ]
    assert not result.files


def test_a_row_with_no_quality_statement_says_which_column_and_what_to_write(
    tmp_path: Path,
) -> None:
    result = plan(tmp_path, "Theme,QS,Type,Statement\nT1,,Strength,Orphan\n")
    (error,) = [p.text() for p in result.errors]
    assert "row 2 (cell B2, column 'QS'): no quality statement in this row" in error
    assert "in the column 'QS': QS1 to QS9, its number (4 or (4)) or its title" in error
    assert "fill_down: [quality_statement]" in error
    assert "defaults: {quality_statement: QS1}" in error


def test_a_mapping_without_a_quality_statement_column_says_how_to_give_one(
    tmp_path: Path,
) -> None:
    mapping = "sheets:\n  - kind: statement\n    columns: {type: Type, text: Statement}\n"
    result = plan(tmp_path, "Type,Statement\nStrength,Orphan\n", mapping)
    (error,) = [p.text() for p in result.errors]
    assert "the sheet has no column for it" in error
    assert "columns: {quality_statement: <its header>}" in error


def test_lead_officer_and_comments_columns_are_read_without_a_mapping(tmp_path: Path) -> None:
    result = plan(
        tmp_path,
        "Quality statement,Type,ID,Text,Lead officer,Comments\n"
        "QS1,Strength,S-QS1-01,Carers offer,Head of Commissioning,Check the 2025 figures\n"
        "QS1,Area for improvement,AFI-QS1-01,Reviews are late,,\n",
        mapping=None,
    )
    assert not result.errors, [p.text() for p in result.errors]
    found = statements(result)
    assert found["Carers offer"]["owner"] == "Head of Commissioning"
    assert found["Carers offer"]["notes"] == "Check the 2025 figures"
    assert "owner" not in found["Reviews are late"]


def test_owner_and_notes_are_exported_for_internal_use_only(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    (repo / "ratings").mkdir()
    (repo / "ratings" / "QS1.yaml").write_text(
        "quality_statement: QS1\nstrengths:\n  - id: S-QS1-01\n    text: Carers offer\n"
        "    owner: Head of Commissioning\n    notes: Check the figures\n",
        encoding="utf-8",
    )
    project, findings = load_project(repo)
    assert not [f for f in findings if f.severity is Severity.ERROR], findings
    sheet = SHEET_BY_KIND["statement"]
    headers = [c.header for c in sheet.columns]
    for audience, expected in (
        ("internal", ("Head of Commissioning", "Check the figures")),
        ("public", (None, None)),
    ):
        rows = dict(register_rows(project, audience).sheets)[sheet]
        (row,) = rows
        assert (row[headers.index("Owner")], row[headers.index("Notes")]) == expected


def test_the_readme_says_which_quality_statements_belong_to_which_theme() -> None:
    fw = Framework.model_validate(builtin_framework_data("cqc-la-2024"))
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    table = {
        m[1]: re.findall(r"\bQS\d+\b", m[2])
        for m in re.finditer(r"^\| `(T\d+)` Theme \d+: [^|]+\| ([^|]+) \|$", readme, re.M)
    }
    assert table == {
        t.id: [q.id for q in fw.quality_statements if q.theme == t.id] for t in fw.themes
    }
    for t in fw.themes:
        assert f"`{t.id}` Theme {t.number}: {t.short_title} |" in readme
    for q in fw.quality_statements:
        assert f"{q.id} {q.title}" in readme
