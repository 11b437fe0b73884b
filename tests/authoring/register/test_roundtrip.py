"""``ascready export`` then ``ascready import``: the same repository comes back.

"The same" means what ascready reads from the files: every document at the same path with the
same data. Comments and YAML layout are not data, and are not kept.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from ascready.checks.load import load_project
from ascready.cli import app
from ascready.repository.project import PROFILE_FILE
from tests.conftest import REPO_ROOT

EXAMPLE = REPO_ROOT / "evidence"


def documents(root: Path) -> dict[str, tuple[str, Any]]:
    """path -> (kind, the data ascready reads from it) for every document in the repository."""
    project, findings = load_project(root)
    assert all(d.model is not None for d in project.documents), findings
    return {
        d.path: (d.kind, d.model.model_dump(mode="json"))
        for d in project.documents
        if d.path != PROFILE_FILE
    }


def empty_copy(tmp_path: Path, name: str = "copy") -> Path:
    """A repository with the example's profile and documents folder, and no items."""
    root = tmp_path / name
    root.mkdir()
    shutil.copy(EXAMPLE / PROFILE_FILE, root / PROFILE_FILE)
    shutil.copytree(EXAMPLE / "files", root / "files")
    return root


def export(runner: CliRunner, repo: Path, out: Path, *args: str) -> Any:
    return runner.invoke(app, ["export", str(repo), "--out", str(out), *args])


def test_export_then_import_gives_back_the_same_repository(
    runner: CliRunner, tmp_path: Path
) -> None:
    workbook = tmp_path / "register.xlsx"
    result = export(runner, EXAMPLE, workbook)
    assert result.exit_code == 0, result.output
    copy = empty_copy(tmp_path)
    result = runner.invoke(app, ["import", str(workbook), "--repo", str(copy)])
    assert result.exit_code == 0, result.output
    original, imported = documents(EXAMPLE), documents(copy)
    assert sorted(imported) == sorted(original)
    for path, doc in original.items():
        assert imported[path] == doc, path
    # Every kind is in the example, so every sheet was exercised.
    assert {kind for kind, _ in original.values()} == {
        "evidence",
        "return",
        "rating",
        "action",
        "metric",
    }
    check = runner.invoke(app, ["validate", str(copy)])
    assert check.exit_code == 0, check.output


def test_a_register_edited_in_excel_comes_back_with_the_edits(
    runner: CliRunner, tmp_path: Path
) -> None:
    """The round trip is a working loop: a colleague adds a row and changes a cell."""
    workbook = tmp_path / "register.xlsx"
    assert export(runner, EXAMPLE, workbook).exit_code == 0
    wb = load_workbook(workbook)
    ws = wb["Evidence"]
    headers = [c.value for c in ws[1]]
    new_row = {
        "ID": "EV-900",
        "Title": "Carers' forum minutes, March 2027",
        "Kind": "minutes",
        "Categories": "People's experience",
        "Quality statements": "QS 1; Supporting people to live healthier lives",
        "Classification": "official",
        "As of": "31/03/2027",
    }
    ws.append([new_row.get(h) for h in headers])
    wb.save(workbook)
    copy = empty_copy(tmp_path)
    result = runner.invoke(app, ["import", str(workbook), "--repo", str(copy)])
    assert result.exit_code == 0, result.output
    added = documents(copy)["evidence/EV-900.yaml"][1]
    assert added["quality_statements"] == ["QS1", "QS2"]
    assert added["categories"] == ["peoples-experience"]
    assert added["as_of"] == "2027-03-31"


@pytest.mark.parametrize("flags", [(), ("--update", "--remove-missing")])
def test_importing_the_export_again_changes_nothing(
    runner: CliRunner, tmp_path: Path, flags: tuple[str, ...]
) -> None:
    """The exported register is the repository: imported back, with or without --update,
    every row matches what is there and no byte changes."""
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    workbook = tmp_path / "register.xlsx"
    assert export(runner, repo, workbook).exit_code == 0
    result = runner.invoke(app, ["import", str(workbook), "--repo", str(repo), *flags])
    assert result.exit_code == 0, result.output
    assert "Nothing to write: the repository already holds what register.xlsx says" in (
        result.output
    )
    assert "no longer in" not in result.output
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()} == before


def test_export_refuses_to_replace_a_workbook_without_force(
    runner: CliRunner, tmp_path: Path
) -> None:
    workbook = tmp_path / "register.xlsx"
    workbook.write_bytes(b"the council's own workbook")
    result = export(runner, EXAMPLE, workbook)
    assert result.exit_code != 0
    assert workbook.read_bytes() == b"the council's own workbook"
    assert export(runner, EXAMPLE, workbook, "--force").exit_code == 0
    assert workbook.read_bytes().startswith(b"PK")


def test_export_is_the_same_bytes_every_time(runner: CliRunner, tmp_path: Path) -> None:
    one, two = tmp_path / "one.xlsx", tmp_path / "two.xlsx"
    assert export(runner, EXAMPLE, one).exit_code == 0
    assert export(runner, EXAMPLE, two).exit_code == 0
    assert one.read_bytes() == two.read_bytes()


def test_export_refuses_a_repository_with_files_that_do_not_validate(
    runner: CliRunner, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    (repo / "evidence" / "EV-002.yaml").write_text("id: EV-002\ntitle: [broken\n", "utf-8")
    workbook = tmp_path / "register.xlsx"
    result = export(runner, repo, workbook)
    assert result.exit_code == 1
    assert "evidence/EV-002.yaml" in result.output
    assert "ascready validate" in result.output
    assert not workbook.exists()


@pytest.mark.parametrize("bad", ["register.csv", "register"])
def test_export_needs_an_xlsx_name(runner: CliRunner, tmp_path: Path, bad: str) -> None:
    result = export(runner, EXAMPLE, tmp_path / bad)
    assert result.exit_code == 2
    assert ".xlsx" in result.output
    assert not (tmp_path / bad).exists()


def test_public_export_holds_nothing_that_is_not_public(runner: CliRunner, tmp_path: Path) -> None:
    workbook = tmp_path / "public.xlsx"
    assert export(runner, EXAMPLE, workbook, "--audience", "public").exit_code == 0
    project, _ = load_project(EXAMPLE)
    secret = [
        d.model for d in project.of_kind("evidence") if d.model.classification.value != "public"
    ]
    assert secret, "the example should have evidence that is not public"
    cells = {
        str(c.value)
        for ws in load_workbook(workbook).worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    }
    text = "\n".join(cells)
    for item in secret:
        assert item.title not in text, item.id
        assert not re.search(rf"\b{re.escape(item.id)}\b", text), item.id
    owners = {d.model.owner for d in project.of_kind("action") if d.model.owner}
    assert not owners & cells
