"""A council's own self-assessment workbook, typed as councils type it, imported into a
repository made by ``ascready init``: a title row and a blank row above the headers, a Theme
column typed once per group, quality statements written "(4)" in one group and "QS 8" in
others, theme titles, a lead officer per statement, one cell naming two quality statements,
and rows of several quality statements interleaved. The repository must hold exactly the
council's statements, with their themes, quality statements, owners and order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from typer.testing import CliRunner

from ascready.cli import app
from ascready.repository import yamlsafe

FLAGS = ["--council", "Testshire Council", "--ons-code", "E10000099", "--region", "East Midlands"]

#: Theme (typed once per group), QS as typed, type, statement, lead officer.
ROWS: list[tuple[Any, ...]] = [
    ("Theme 1 - Working with People", "(1)", "Strength", "Assessments are timely",
     "Head of Assessment"),
    (None, "(4)", "Strength", "Integrated mental health", "Head of Mental Health"),
    (None, "(1)", "AFI", "Waiting lists for occupational therapy", "Head of Assessment"),
    (None, "(2)", "Strength", "A broad prevention offer", "Public Health Lead"),
    (None, "(1)", "Strength", "A carers' offer made with carers", "Head of Commissioning"),
    ("Theme 2: Providing support", "QS 4", "AFI", "Too few outstanding providers",
     "Head of Commissioning"),
    (None, "QS 5", "Strength", "Partnership with the voluntary sector", None),
    (None, "QS 4", "Strength", "A stable home care market", "Head of Commissioning"),
    (None, "QS 1 and QS 6", "AFI", "Transitions for young people", "Head of Operations"),
    ("Theme 4 - Leadership", "QS 8", "Strength", "Clear governance", "Director of ASC"),
    (None, "QS 1", "Strength", "The principal social worker leads practice",
     "Principal Social Worker"),
    (None, "QS 8", "AFI", "Data quality", "Head of Performance"),
]  # fmt: skip
FIRST_ROW = 4  # title, blank, headers

MAPPING = """\
sheets:
  - sheet: Self-assessment
    kind: statement
    columns:
      presented_under: Theme
      quality_statement: QS
      type: Strength / AFI
      text: Statement
      owner: Lead officer
"""


def council_workbook(path: Path, rows: list[tuple[Any, ...]] = ROWS) -> None:
    """The workbook as the council types it: a title row and a blank row above the headers."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Self-assessment"
    ws.append(["Testshire Council: adult social care self-assessment (draft 3)"])
    ws.append([])
    ws.append(["Theme", "QS", "Strength / AFI", "Statement", "Lead officer"])
    for row in rows:
        ws.append(list(row))
    wb.save(path)


def statements_in(repo: Path) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Each rating file's quality statement -> its strengths and areas, as in the file."""
    out = {}
    for path in sorted((repo / "ratings").glob("*.yaml")):
        data, problems = yamlsafe.parse_text(path.read_text(encoding="utf-8"))
        assert not problems
        assert path.stem == data["quality_statement"]
        out[data["quality_statement"]] = {
            "strengths": data.get("strengths", []),
            "areas": data.get("areas_for_improvement", []),
        }
    return out


def test_a_council_workbook_imports_with_its_groups_spellings_owners_and_order(
    runner: CliRunner, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    assert runner.invoke(app, ["init", str(repo), *FLAGS]).exit_code == 0
    workbook = tmp_path / "Self-assessment draft 3.xlsx"
    council_workbook(workbook)
    mapping = tmp_path / "mapping.yaml"

    # Without fill_down the grouped Theme cells are blanks, and import says where.
    mapping.write_text(MAPPING, encoding="utf-8")
    dry = runner.invoke(
        app, ["import", str(workbook), "--mapping", str(mapping), "--repo", str(repo), "--dry-run"]
    )
    assert dry.exit_code == 0, dry.output
    assert "the column 'Theme' is blank in rows 5-8, 10-12 and 14-15" in dry.output

    mapping.write_text(MAPPING + "    fill_down: [presented_under]\n", encoding="utf-8")
    result = runner.invoke(
        app, ["import", str(workbook), "--mapping", str(mapping), "--repo", str(repo)]
    )
    assert result.exit_code == 0, result.output
    assert "blank in" not in result.output
    assert "'QS 1 and QS 6' names 2 quality statements" in result.output

    def s(text: str, theme: str, owner: str | None) -> dict[str, Any]:
        return {"text": text, "presented_under": theme, **({"owner": owner} if owner else {})}

    found = statements_in(repo)
    # Only what the file says matters here, ids aside (checked below).
    shown = {
        qs: {
            part: [
                {k: v for k, v in e.items() if k in ("text", "presented_under", "owner")}
                for e in entries
            ]
            for part, entries in parts.items()
        }
        for qs, parts in found.items()
        if any(parts.values())  # init's rating files that no row is for stay empty
    }
    assert shown == {
        "QS1": {
            "strengths": [
                s("Assessments are timely", "T1", "Head of Assessment"),
                s("A carers' offer made with carers", "T1", "Head of Commissioning"),
                s("The principal social worker leads practice", "T4", "Principal Social Worker"),
            ],
            "areas": [
                s("Waiting lists for occupational therapy", "T1", "Head of Assessment"),
                s("Transitions for young people", "T2", "Head of Operations"),
            ],
        },
        "QS2": {"strengths": [s("A broad prevention offer", "T1", "Public Health Lead")],
                "areas": []},
        "QS4": {
            "strengths": [
                s("Integrated mental health", "T1", "Head of Mental Health"),
                s("A stable home care market", "T2", "Head of Commissioning"),
            ],
            "areas": [s("Too few outstanding providers", "T2", "Head of Commissioning")],
        },
        "QS5": {"strengths": [s("Partnership with the voluntary sector", "T2", None)],
                "areas": []},
        "QS8": {
            "strengths": [s("Clear governance", "T4", "Director of ASC")],
            "areas": [s("Data quality", "T4", "Head of Performance")],
        },
    }  # fmt: skip
    transitions = found["QS1"]["areas"][1]
    assert transitions["related_quality_statements"] == ["QS6"]
    # Every statement once, each with its own id, numbered in the council's order.
    ids = [e["id"] for parts in found.values() for entries in parts.values() for e in entries]
    assert len(ids) == len(set(ids)) == len(ROWS)
    assert [e["id"] for e in found["QS1"]["strengths"]] == ["S-QS1-01", "S-QS1-02", "S-QS1-03"]
    assert [e["id"] for e in found["QS1"]["areas"]] == ["AFI-QS1-01", "AFI-QS1-02"]

    check = runner.invoke(app, ["validate", str(repo)])
    assert check.exit_code == 0, check.output


def test_statements_keep_the_sheets_order_not_their_ids_order(
    runner: CliRunner, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    assert runner.invoke(app, ["init", str(repo), *FLAGS]).exit_code == 0
    for made in (repo / "ratings").glob("*.yaml"):
        made.unlink()
    sheet = tmp_path / "statements.csv"
    sheet.write_text(
        "QS,Type,ID,Statement\n"
        "QS7,Strength,S-QS7-09,Third by id first in the sheet\n"
        "QS1,Strength,S-QS1-02,One\n"
        "QS7,Area for improvement,AFI-QS7-05,An area between strengths\n"
        "QS7,Strength,S-QS7-01,First by id second in the sheet\n"
        "QS1,Strength,S-QS1-01,Two\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "sheets:\n  - kind: statement\n    columns:\n      quality_statement: QS\n"
        "      type: Type\n      id: ID\n      text: Statement\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["import", str(sheet), "--mapping", str(mapping), "--repo", str(repo)]
    )
    assert result.exit_code == 0, result.output
    found = statements_in(repo)
    assert [e["id"] for e in found["QS7"]["strengths"]] == ["S-QS7-09", "S-QS7-01"]
    assert [e["id"] for e in found["QS7"]["areas"]] == ["AFI-QS7-05"]
    assert [e["text"] for e in found["QS1"]["strengths"]] == ["One", "Two"]
