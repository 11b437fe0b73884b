"""A council's workbook stays its working copy: imported into a repository made by ``init``,
edited, and imported again, week after week (issue 12, point 2).

Each row is matched to what the repository holds (by id; in a sheet without ids by quality
statement and text); only what changed is changed, and only with ``--update``; what the sheet
no longer lists is listed, and taken out only with ``--remove-missing``; no id is ever given
twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ascready.cli import app
from ascready.repository import yamlsafe
from tests.authoring.register.test_council_workbook import FLAGS, MAPPING, ROWS
from tests.authoring.register.test_council_workbook import council_workbook as workbook

FIRST_ROW = 4  # title, blank, headers


def read(path: Path) -> dict[str, Any]:
    data, problems = yamlsafe.parse_text(path.read_text(encoding="utf-8"))
    assert not problems
    assert isinstance(data, dict)
    return data


def statements(repo: Path) -> list[dict[str, Any]]:
    """Every strength and area for improvement in the rating files, with its file's quality
    statement and type, file by file in the files' order."""
    out = []
    for path in sorted((repo / "ratings").glob("*.yaml")):
        data = read(path)
        for part, kind in (("strengths", "Strength"), ("areas_for_improvement", "AFI")):
            for entry in data.get(part) or []:
                out.append({"qs": data["quality_statement"], "type": kind, **entry})
    return out


def expected(rows: list[tuple[Any, ...]]) -> dict[tuple[str, str], list[tuple[str, str, Any]]]:
    """What the workbook says, as the repository should hold it: for each quality statement
    and type, the statements in the sheet's order (text, theme, lead officer). A group's theme
    is typed on its first row only."""
    themes = {"1": "T1", "2": "T2", "3": "T3", "4": "T4"}
    out: dict[tuple[str, str], list[tuple[str, str, Any]]] = {}
    theme = ""
    for group, qs, kind, text, owner in rows:
        if group:
            theme = themes[str(group).split()[1].rstrip(":")]
        number = "".join(c for c in str(qs).split(" and ")[0] if c.isdigit())
        out.setdefault((f"QS{number}", kind), []).append((text, theme, owner))
    return out


def held(repo: Path) -> dict[tuple[str, str], list[tuple[str, str, Any]]]:
    out: dict[tuple[str, str], list[tuple[str, str, Any]]] = {}
    for s in statements(repo):
        out.setdefault((s["qs"], s["type"]), []).append(
            (s["text"], s["presented_under"], s.get("owner"))
        )
    return out


def ids_by_text(repo: Path) -> dict[str, str]:
    return {s["text"]: s["id"] for s in statements(repo)}


def retired(repo: Path) -> set[str]:
    return {i for p in (repo / "ratings").glob("*.yaml") for i in read(p).get("retired_ids", [])}


@pytest.fixture
def council(runner: CliRunner, tmp_path: Path) -> tuple[Path, Path, Path]:
    """A repository made by init, a council-style workbook and its mapping."""
    repo = tmp_path / "repo"
    assert runner.invoke(app, ["init", str(repo), *FLAGS]).exit_code == 0
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING + "    fill_down: [presented_under]\n", encoding="utf-8")
    return repo, tmp_path / "Self-assessment draft 4.xlsx", mapping


def run(runner: CliRunner, book: Path, mapping: Path, repo: Path, *flags: str) -> Any:
    return runner.invoke(
        app, ["import", str(book), "--mapping", str(mapping), "--repo", str(repo), *flags]
    )


def files(repo: Path) -> dict[str, bytes]:
    return {p.relative_to(repo).as_posix(): p.read_bytes() for p in repo.rglob("*") if p.is_file()}


def test_a_council_workbook_imported_edited_and_imported_again(
    runner: CliRunner, council: tuple[Path, Path, Path]
) -> None:
    repo, book, mapping = council
    rows = list(ROWS)
    workbook(book, rows)
    first = run(runner, book, mapping, repo)
    assert first.exit_code == 0, first.output
    assert held(repo) == expected(rows)
    ids_before = ids_by_text(repo)
    given = set(ids_before.values())

    # The same workbook again changes nothing, whatever the flags.
    before = files(repo)
    again = run(runner, book, mapping, repo, "--update", "--remove-missing")
    assert again.exit_code == 0, again.output
    assert "Nothing to write" in again.output
    assert files(repo) == before

    # The council edits its workbook: a lead officer changes, a statement is reworded, a row
    # is taken out, a new one goes in the middle of a group, and one moves to QS9.
    edited = list(rows)
    text, theme_cell = "A carers' offer made with carers", edited[4][0]
    edited[4] = (theme_cell, "(1)", "Strength", text, "Head of Carers")
    edited[2] = (None, "(1)", "AFI", "Waiting lists for occupational therapy assessments",
                 "Head of Assessment")  # fmt: skip
    removed = edited.pop(6)  # "Partnership with the voluntary sector"
    edited.insert(
        3, (None, "(1)", "Strength", "Strengths-based practice", "Principal Social Worker")
    )
    moved = next(i for i, r in enumerate(edited) if r[3] == "Data quality")
    edited[moved] = (None, "QS 9", "AFI", "Data quality", "Head of Performance")
    workbook(book, edited)

    # Without --update the changes are listed and nothing is written.
    refused = run(runner, book, mapping, repo)
    assert refused.exit_code == 1
    flat = " ".join(refused.output.split())
    assert (
        f"row {FIRST_ROW + 5} (cell E{FIRST_ROW + 5}, column 'Lead officer'): this row changes "
        f"what ratings/QS1.yaml holds: {ids_before[text]}'s owner (from 'Head of "
        "Commissioning' to 'Head of Carers')" in flat
    )
    assert f"{ids_before['Data quality']}'s quality statement (from 'QS8' to 'QS9')" in flat
    assert files(repo) == before

    # The dry run says the change by meaning, and writes nothing.
    dry = run(runner, book, mapping, repo, "--update", "--dry-run")
    assert dry.exit_code == 0, dry.output
    flat = " ".join(dry.output.split())
    assert "owner: Head of Commissioning -> Head of Carers" in flat
    assert "+ strength S-QS1-04: Strengths-based practice" in flat
    assert (
        f"this row is like {ids_before['Waiting lists for occupational therapy']} "
        "(ratings/QS1.yaml), which is no longer in the sheet" in flat
    )
    assert "In the repository but no longer in Self-assessment draft 4.xlsx (kept;" in flat
    assert files(repo) == before

    result = run(runner, book, mapping, repo, "--update", "--remove-missing")
    assert result.exit_code == 0, result.output
    assert "so taken out" in result.output

    # Exactly the council's statements, with their themes, owners and order.
    assert held(repo) == expected(edited)
    after = ids_by_text(repo)
    # What stayed kept its id, wherever it went; what is new has an id never given before.
    assert after[text] == ids_before[text]
    assert after["Data quality"] == ids_before["Data quality"]
    kept = {t for t in after if t in ids_before}
    assert all(after[t] == ids_before[t] for t in kept)
    new_ids = {after[t] for t in after if t not in ids_before}
    assert len(new_ids) == 2 and not new_ids & given
    assert len(set(after.values())) == len(after)
    gone = {ids_before[removed[3]], ids_before["Waiting lists for occupational therapy"]}
    assert retired(repo) == gone
    # init's comments are still in the files it wrote.
    assert "# self_score:" in (repo / "ratings/QS1.yaml").read_text(encoding="utf-8")
    check = runner.invoke(app, ["validate", str(repo)])
    assert check.exit_code == 0, check.output

    # A week later: a statement typed under QS5 again is new, with an id never given.
    edited.append((None, "QS 5", "Strength", "Partnership with the voluntary sector", None))
    workbook(book, edited)
    assert run(runner, book, mapping, repo).exit_code == 0
    final = ids_by_text(repo)
    assert final[removed[3]] not in given | new_ids
    assert held(repo) == expected(edited)


def test_a_changed_self_score_is_made_only_with_update(runner: CliRunner, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    assert runner.invoke(app, ["init", str(repo), *FLAGS]).exit_code == 0
    sheet, rules = tmp_path / "ratings.csv", tmp_path / "mapping.yaml"
    rules.write_text(
        "sheets:\n  - kind: rating\n    columns:\n      quality_statement: QS\n"
        "      self_score: Score\n",
        encoding="utf-8",
    )
    sheet.write_text("QS,Score\nQS9,2\n", encoding="utf-8")
    assert run(runner, sheet, rules, repo).exit_code == 0
    assert read(repo / "ratings/QS9.yaml")["self_score"] == 2
    sheet.write_text("QS,Score\nQS9,3\n", encoding="utf-8")
    assert run(runner, sheet, rules, repo).exit_code == 1
    assert read(repo / "ratings/QS9.yaml")["self_score"] == 2
    assert run(runner, sheet, rules, repo, "--update").exit_code == 0
    assert read(repo / "ratings/QS9.yaml")["self_score"] == 3


def test_init_information_return_items_are_filled_in_by_the_register(
    runner: CliRunner, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    assert runner.invoke(app, ["init", str(repo), *FLAGS]).exit_code == 0
    sheet, rules = tmp_path / "return.csv", tmp_path / "mapping.yaml"
    rules.write_text(
        "sheets:\n  - kind: return\n    columns:\n      number: Item\n      title: Title\n"
        "      status: Status\n      due: Due\n",
        encoding="utf-8",
    )
    sheet.write_text(
        "Item,Title,Status,Due\n1,Self-assessment,in progress,20/01/2027\n", encoding="utf-8"
    )
    result = run(runner, sheet, rules, repo)
    assert result.exit_code == 0, result.output
    text = (repo / "information-return/IR-01.yaml").read_text(encoding="utf-8")
    item = read(repo / "information-return/IR-01.yaml")
    assert (item["title"], item["status"], item["due"]) == (
        "Self-assessment",
        "in-progress",
        "2027-01-20",
    )
    assert "# CQC does not publish the official titles" in text  # init's comments stay
    # The other 37 are listed as not in the sheet (the first 20, then how many more), and kept.
    assert "information-return item 2 (information-return/IR-02.yaml)" in result.output
    assert "and 17 more" in result.output
    assert len(list((repo / "information-return").glob("*.yaml"))) == 38
    # Now the title is the council's: a different one is a change.
    sheet.write_text("Item,Title,Status,Due\n1,Another,in progress,20/01/2027\n", encoding="utf-8")
    assert run(runner, sheet, rules, repo).exit_code == 1


EVIDENCE_MAPPING = """\
sheets:
  - kind: evidence
    columns:
      title: Document
      kind: Type
      categories: Category
      quality_statements: QS
      classification: Classification
      owner: Owner
"""


def evidence_sheet(path: Path, rows: list[tuple[str, str]]) -> None:
    lines = ["Document,Type,Category,QS,Classification,Owner"]
    lines += [f"{title},policy,processes,QS1,public,{owner}" for title, owner in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_an_evidence_sheet_without_ids_is_matched_by_title(
    runner: CliRunner, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    assert runner.invoke(app, ["init", str(repo), *FLAGS]).exit_code == 0
    sheet, rules = tmp_path / "evidence.csv", tmp_path / "mapping.yaml"
    rules.write_text(EVIDENCE_MAPPING, encoding="utf-8")
    evidence_sheet(sheet, [("Carers strategy", "Head of Carers"), ("Eligibility policy", "PSW")])
    assert run(runner, sheet, rules, repo).exit_code == 0
    made = sorted(p.name for p in (repo / "evidence").glob("*.yaml"))
    assert len(made) == 2

    # Imported again with one more row: the two are not imported a second time.
    evidence_sheet(
        sheet,
        [("Carers strategy", "Head of Carers"), ("Eligibility policy", "PSW"), ("Audit", "QA")],
    )
    assert run(runner, sheet, rules, repo).exit_code == 0
    assert len(list((repo / "evidence").glob("*.yaml"))) == 3

    # A row taken out: listed, kept, and taken out only when asked; its id is not given again.
    evidence_sheet(sheet, [("Carers strategy", "Head of Carers"), ("Audit", "QA")])
    listed = run(runner, sheet, rules, repo)
    assert listed.exit_code == 0
    assert "no longer in evidence.csv (kept; --remove-missing takes them out)" in " ".join(
        listed.output.split()
    )
    assert len(list((repo / "evidence").glob("*.yaml"))) == 3
    gone = run(runner, sheet, rules, repo, "--remove-missing")
    assert gone.exit_code == 0, gone.output
    names = sorted(p.stem for p in (repo / "evidence").glob("*.yaml"))
    assert len(names) == 2
    assert runner.invoke(app, ["validate", str(repo)]).exit_code == 0


def test_remove_missing_takes_nothing_out_when_rows_cannot_be_read(
    runner: CliRunner, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    assert runner.invoke(app, ["init", str(repo), *FLAGS]).exit_code == 0
    sheet, rules = tmp_path / "evidence.csv", tmp_path / "mapping.yaml"
    rules.write_text(EVIDENCE_MAPPING, encoding="utf-8")
    evidence_sheet(sheet, [("Carers strategy", "Head of Carers"), ("Eligibility policy", "PSW")])
    assert run(runner, sheet, rules, repo).exit_code == 0
    # The second row's type is now one ascready does not know: it cannot be read, and it may
    # be the row that looks missing.
    sheet.write_text(
        sheet.read_text(encoding="utf-8").replace("Eligibility policy,policy", "Eligibility,memo"),
        encoding="utf-8",
    )
    result = run(runner, sheet, rules, repo, "--remove-missing", "--skip-invalid")
    assert "nothing is taken out (--remove-missing) while rows cannot be imported" in " ".join(
        result.output.split()
    )
    assert len(list((repo / "evidence").glob("*.yaml"))) == 2


def test_progress_updates_imported_again_are_not_added_twice(
    runner: CliRunner, tmp_path: Path
) -> None:
    import shutil

    from tests.conftest import REPO_ROOT

    repo = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "evidence", repo)
    book = tmp_path / "register.xlsx"
    assert runner.invoke(app, ["export", str(repo), "--out", str(book)]).exit_code == 0
    from openpyxl import load_workbook

    wb = load_workbook(book)
    ws = wb["Action progress"]
    header = [c.value for c in ws[1]]
    first = [c.value for c in ws[2]]
    added = dict(zip(header, first, strict=False))
    note_col = next(h for h in header if h and "note" in str(h).lower())
    added[note_col] = "Second review meeting held"
    ws.append([added[h] for h in header])
    wb.save(book)
    result = runner.invoke(app, ["import", str(book), "--repo", str(repo)])
    assert result.exit_code == 0, result.output
    action = next(
        p for p in (repo / "actions").glob("*.yaml") if read(p)["id"] == first[header.index(
            next(h for h in header if h and "action" in str(h).lower()))]
    )  # fmt: skip
    notes = [u["note"] for u in read(action)["progress"]]
    assert notes.count("Second review meeting held") == 1
    assert len(notes) == len(set(notes))
    again = runner.invoke(app, ["import", str(book), "--repo", str(repo)])
    assert "Nothing to write" in again.output


def test_validate_refuses_an_id_that_was_taken_out(runner: CliRunner, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    assert runner.invoke(app, ["init", str(repo), *FLAGS]).exit_code == 0
    qs1 = repo / "ratings/QS1.yaml"
    qs1.write_text(
        qs1.read_text(encoding="utf-8").replace(
            "strengths: []",
            "strengths:\n  - id: S-QS1-01\n    text: Back again\nretired_ids: [S-QS1-01]",
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["validate", str(repo)])
    assert result.exit_code == 1
    assert "retired-id" in result.output
    assert "'S-QS1-01' was taken out of ratings/QS1.yaml" in " ".join(result.output.split())


def test_a_sheet_with_no_rows_takes_nothing_out(runner: CliRunner, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    assert runner.invoke(app, ["init", str(repo), *FLAGS]).exit_code == 0
    sheet, rules = tmp_path / "evidence.csv", tmp_path / "mapping.yaml"
    rules.write_text(EVIDENCE_MAPPING, encoding="utf-8")
    evidence_sheet(sheet, [("Carers strategy", "Head of Carers")])
    assert run(runner, sheet, rules, repo).exit_code == 0
    evidence_sheet(sheet, [])  # the headers only: the wrong file, or one not filled in yet
    result = run(runner, sheet, rules, repo, "--remove-missing")
    assert "the sheet has no rows, so nothing of its kind is taken out" in " ".join(
        result.output.split()
    )
    assert len(list((repo / "evidence").glob("*.yaml"))) == 1


def test_the_id_of_a_file_taken_out_is_never_given_again(runner: CliRunner, tmp_path: Path) -> None:
    import subprocess

    repo = tmp_path / "repo"
    assert runner.invoke(app, ["init", str(repo), *FLAGS]).exit_code == 0
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git[:3], "init", "-q", "-b", "main"], check=True)
    sheet, rules = tmp_path / "evidence.csv", tmp_path / "mapping.yaml"
    rules.write_text(EVIDENCE_MAPPING, encoding="utf-8")
    evidence_sheet(sheet, [("Carers strategy", "Head of Carers"), ("Eligibility policy", "PSW")])
    assert run(runner, sheet, rules, repo).exit_code == 0
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "register"], check=True)
    ids = {read(p)["title"]: read(p)["id"] for p in (repo / "evidence").glob("*.yaml")}
    # The newest is taken out and committed; a new row must not get its id.
    evidence_sheet(sheet, [("Carers strategy", "Head of Carers")])
    assert run(runner, sheet, rules, repo, "--remove-missing").exit_code == 0
    subprocess.run([*git, "commit", "-qam", "taken out"], check=True)
    evidence_sheet(sheet, [("Carers strategy", "Head of Carers"), ("Audit", "QA")])
    assert run(runner, sheet, rules, repo).exit_code == 0
    now = {read(p)["title"]: read(p)["id"] for p in (repo / "evidence").glob("*.yaml")}
    assert now["Carers strategy"] == ids["Carers strategy"]
    assert now["Audit"] not in ids.values()
    # ascready new does the same: with both taken out, it gives neither id.
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "audit"], check=True)
    evidence_sheet(sheet, [("Carers strategy", "Head of Carers")])
    assert run(runner, sheet, rules, repo, "--remove-missing").exit_code == 0
    subprocess.run([*git, "commit", "-qam", "audit taken out"], check=True)
    made = runner.invoke(
        app,
        ["new", "evidence", "--repo", str(repo), "--title", "Survey", "--kind", "survey",
         "--category", "peoples-experience", "--qs", "QS1", "--classification", "public"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    newest = {read(p)["title"]: read(p)["id"] for p in (repo / "evidence").glob("*.yaml")}
    assert newest["Survey"] not in {*ids.values(), now["Audit"]}


def test_many_rows_that_change_files_are_listed_then_counted(
    runner: CliRunner, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    assert runner.invoke(app, ["init", str(repo), *FLAGS]).exit_code == 0
    sheet, rules = tmp_path / "evidence.csv", tmp_path / "mapping.yaml"
    rules.write_text(EVIDENCE_MAPPING, encoding="utf-8")
    titles = [f"Policy {n}" for n in range(30)]
    evidence_sheet(sheet, [(t, "Head of Carers") for t in titles])
    assert run(runner, sheet, rules, repo).exit_code == 0
    evidence_sheet(sheet, [(t, "Head of Quality") for t in titles])
    result = run(runner, sheet, rules, repo)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "this row changes what" in line]
    assert len(lines) == 20
    assert "and 10 more rows that change what the repository holds" in result.output
