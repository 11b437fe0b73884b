"""``ascready import`` into a repository that has rating files already (issue 12, point 1).

``ascready init`` writes a rating file for every quality statement, full of comments that say
how to fill it in. A council's statements sheet then adds its strengths and areas for
improvement to those files: at the end of their lists, with ids no file uses, keeping every
comment and line that was there; a self-score or narrative only where the file has none.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ascready.cli import app
from ascready.repository import yamlsafe

FLAGS = ["--council", "Testshire Council", "--ons-code", "E10000099", "--region", "East Midlands"]

STATEMENTS_MAPPING = """\
sheets:
  - kind: statement
    columns:
      quality_statement: QS
      type: Type
      text: Statement
      owner: Lead officer
"""

RATINGS_MAPPING = """\
sheets:
  - kind: rating
    columns:
      quality_statement: QS
      self_score: Score
      narrative: Narrative
"""


def init_repo(runner: CliRunner, tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    result = runner.invoke(app, ["init", str(repo), *FLAGS])
    assert result.exit_code == 0, result.output
    return repo


def snapshot(repo: Path) -> dict[str, bytes]:
    return {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.parts
    }


def run_import(
    runner: CliRunner, repo: Path, tmp_path: Path, csv: str, mapping: str, *extra: str
) -> Any:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(csv, encoding="utf-8")
    rules = tmp_path / "mapping.yaml"
    rules.write_text(mapping, encoding="utf-8")
    return runner.invoke(
        app, ["import", str(sheet), "--mapping", str(rules), "--repo", str(repo), *extra]
    )


def read(path: Path) -> dict[str, Any]:
    data, problems = yamlsafe.parse_text(path.read_text(encoding="utf-8"))
    assert not problems
    assert isinstance(data, dict)
    return data


def without_entries(text: str) -> list[str]:
    """The file's lines without the entries of its lists (init's file has no other indented
    lines that are not comments), and its lists written as init writes them when empty."""
    lines = [line for line in text.splitlines() if not re.match(r"^ +[^ #]", line)]
    return [
        f"{line} []" if line in ("strengths:", "areas_for_improvement:") else line for line in lines
    ]


SHEET = (
    "QS,Type,Statement,Lead officer\n"
    "QS1,Strength,Assessments are timely,Head of Assessment\n"
    'QS4,Strength,"A stable market: most homes rated good",Head of Commissioning\n'
    "QS1,Area for improvement,Waiting lists for occupational therapy,\n"
    "QS1,Strength,A carers' offer made with carers,\n"
    "QS8,Area for improvement,Data quality,Head of Performance\n"
)


def test_statements_are_added_to_inits_rating_files_keeping_everything_else(
    runner: CliRunner, tmp_path: Path
) -> None:
    repo = init_repo(runner, tmp_path)
    before = snapshot(repo)
    result = run_import(runner, repo, tmp_path, SHEET, STATEMENTS_MAPPING)
    assert result.exit_code == 0, result.output
    after = snapshot(repo)

    changed = {p for p in before if after[p] != before[p]}
    assert changed == {"ratings/QS1.yaml", "ratings/QS4.yaml", "ratings/QS8.yaml"}
    assert set(after) == set(before)  # added to, no new file
    for path in changed:
        old, new = before[path].decode(), after[path].decode()
        # init's comments and every other line as they were, in their order.
        assert without_entries(new) == old.splitlines(), path
        assert "# The shape of a strength" in new

    qs1 = read(repo / "ratings/QS1.yaml")
    assert qs1["strengths"] == [
        {"id": "S-QS1-01", "text": "Assessments are timely", "owner": "Head of Assessment"},
        {"id": "S-QS1-02", "text": "A carers' offer made with carers"},
    ]
    assert qs1["areas_for_improvement"] == [
        {"id": "AFI-QS1-01", "text": "Waiting lists for occupational therapy"}
    ]
    assert qs1["narrative"] == ""  # kept as init wrote it
    assert read(repo / "ratings/QS4.yaml")["strengths"][0]["text"] == (
        "A stable market: most homes rated good"
    )
    assert [e["id"] for e in read(repo / "ratings/QS8.yaml")["areas_for_improvement"]] == [
        "AFI-QS8-01"
    ]
    check = runner.invoke(app, ["validate", str(repo)])
    assert check.exit_code == 0, check.output

    # A second sheet adds below what is there, with ids counted on, never reused.
    once = snapshot(repo)
    more = "QS,Type,Statement,Lead officer\nQS1,Strength,Hospital discharge works,\n"
    again = run_import(runner, repo, tmp_path, more, STATEMENTS_MAPPING)
    assert again.exit_code == 0, again.output
    qs1 = read(repo / "ratings/QS1.yaml")
    assert [e["id"] for e in qs1["strengths"]] == ["S-QS1-01", "S-QS1-02", "S-QS1-03"]
    assert qs1["strengths"][-1]["text"] == "Hospital discharge works"
    old_lines = once["ratings/QS1.yaml"].decode().splitlines()
    new_lines = (repo / "ratings/QS1.yaml").read_text(encoding="utf-8").splitlines()
    at = old_lines.index("areas_for_improvement:")
    assert new_lines == [
        *old_lines[:at],
        "  - id: S-QS1-03",
        "    text: Hospital discharge works",
        *old_lines[at:],
    ]
    ids = [
        e["id"]
        for path in sorted((repo / "ratings").glob("*.yaml"))
        for part in ("strengths", "areas_for_improvement")
        for e in read(path)[part]
    ]
    assert len(ids) == len(set(ids)) == 6
    assert runner.invoke(app, ["validate", str(repo)]).exit_code == 0


def test_dry_run_shows_what_would_be_added_and_writes_nothing(
    runner: CliRunner, tmp_path: Path
) -> None:
    repo = init_repo(runner, tmp_path)
    before = snapshot(repo)
    result = run_import(runner, repo, tmp_path, SHEET, STATEMENTS_MAPPING, "--dry-run")
    assert result.exit_code == 0, result.output
    assert snapshot(repo) == before
    assert "--- ratings/QS1.yaml: would be changed (from sheet.csv, rows 2, 4, 5)" in result.output
    # The change by meaning, as ascready diff shows it: not the file with init's comments.
    assert "+ strength S-QS1-01: Assessments are timely" in result.output
    assert "Self assessment: 0.0% -> 7.4% (+7.4)" in result.output
    assert "with lines like these" not in result.output


def test_a_self_score_is_set_only_where_the_file_has_none(
    runner: CliRunner, tmp_path: Path
) -> None:
    repo = init_repo(runner, tmp_path)
    qs4 = repo / "ratings/QS4.yaml"
    qs4.write_text(
        qs4.read_text(encoding="utf-8").replace("# self_score: 2\n", "self_score: 2\n"),
        encoding="utf-8",
    )
    before = snapshot(repo)

    differs = run_import(
        runner, repo, tmp_path, "QS,Score,Narrative\nQS1,3,\nQS4,3,\n", RATINGS_MAPPING
    )
    assert differs.exit_code == 1
    assert (
        "row 3 (cell B3, column 'Score'): this row changes what ratings/QS4.yaml holds: "
        "QS4's self-score (from '2' to '3'). ascready import changes what the repository "
        "holds only when asked: run it with --update" in " ".join(differs.output.split())
    )
    assert snapshot(repo) == before  # nothing written, QS1 neither

    same = run_import(
        runner,
        repo,
        tmp_path,
        "QS,Score,Narrative\nQS1,3,We assess people promptly.\nQS4,2,\n",
        RATINGS_MAPPING,
    )
    assert same.exit_code == 0, same.output
    assert (repo / "ratings/QS4.yaml").read_bytes() == before["ratings/QS4.yaml"]
    qs1 = read(repo / "ratings/QS1.yaml")
    assert qs1["self_score"] == 3
    assert qs1["narrative"] == "We assess people promptly."
    old = before["ratings/QS1.yaml"].decode().splitlines()
    new = (repo / "ratings/QS1.yaml").read_text(encoding="utf-8").splitlines()
    # The score and narrative are put in (the score just above the narrative, as the model
    # orders them); every other line stays.
    assert new.index("self_score: 3") + 1 == new.index(
        next(line for line in new if line.startswith("narrative:"))
    )

    def others(lines: list[str]) -> list[str]:
        return [line for line in lines if not line.startswith(("self_score:", "narrative:"))]

    assert others(new) == others(old)
    assert runner.invoke(app, ["validate", str(repo)]).exit_code == 0


def test_a_rating_file_with_errors_is_refused_and_nothing_is_written(
    runner: CliRunner, tmp_path: Path
) -> None:
    repo = init_repo(runner, tmp_path)
    qs4 = repo / "ratings/QS4.yaml"
    qs4.write_text(
        qs4.read_text(encoding="utf-8").replace("# self_score: 2\n", "self_score: 7\n"),
        encoding="utf-8",
    )
    before = snapshot(repo)
    result = run_import(runner, repo, tmp_path, SHEET, STATEMENTS_MAPPING)
    assert result.exit_code == 1
    assert (
        "row 3: ratings/QS4.yaml has errors, so nothing can be added to it. Run ascready "
        "validate, correct ratings/QS4.yaml, then import again"
    ) in " ".join(result.output.split())
    assert snapshot(repo) == before  # the other files are not added to either


def test_a_row_with_an_id_a_file_has_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    repo = init_repo(runner, tmp_path)
    assert run_import(runner, repo, tmp_path, SHEET, STATEMENTS_MAPPING).exit_code == 0
    before = snapshot(repo)
    mapping = STATEMENTS_MAPPING + "      id: ID\n"
    result = run_import(
        runner,
        repo,
        tmp_path,
        "QS,Type,ID,Statement,Lead officer\nQS1,Strength,S-QS1-02,Other,\n",
        mapping,
    )
    assert result.exit_code == 1
    assert (
        "this row changes what ratings/QS1.yaml holds: S-QS1-02's text (from 'A carers' offer "
        "made with carers' to 'Other')" in " ".join(result.output.split())
    )
    assert snapshot(repo) == before
    # With --update the statement is reworded, and keeps its id and its place.
    updated = run_import(
        runner,
        repo,
        tmp_path,
        "QS,Type,ID,Statement,Lead officer\nQS1,Strength,S-QS1-02,Other,\n",
        mapping,
        "--update",
    )
    assert updated.exit_code == 0, updated.output
    strengths = read(repo / "ratings/QS1.yaml")["strengths"]
    assert [(s["id"], s["text"]) for s in strengths] == [
        ("S-QS1-01", "Assessments are timely"),
        ("S-QS1-02", "Other"),
    ]


def test_a_hand_written_file_keeps_its_layout_comments_and_numbering(
    runner: CliRunner, tmp_path: Path
) -> None:
    repo = init_repo(runner, tmp_path)
    qs1 = repo / "ratings/QS1.yaml"
    ours = (
        "# Our rating for QS1, kept by the assessment team.\n"
        "quality_statement: QS1\n"
        "self_score: 2\n"
        "narrative: 'Our words.'\n"
        "strengths:\n"
        "- id: S-QS1-05\n"
        "  text: Ours   # checked in May\n"
        "\n"
        "# Areas agreed at the March board.\n"
        "areas_for_improvement: []\n"
    )
    qs1.write_text(ours, encoding="utf-8")
    result = run_import(
        runner,
        repo,
        tmp_path,
        "QS,Type,Statement,Lead officer\nQS1,Strength,New one,\n",
        STATEMENTS_MAPPING,
    )
    assert result.exit_code == 0, result.output
    assert qs1.read_text(encoding="utf-8") == (
        "# Our rating for QS1, kept by the assessment team.\n"
        "quality_statement: QS1\n"
        "self_score: 2\n"
        "narrative: 'Our words.'\n"
        "strengths:\n"
        "- id: S-QS1-05\n"
        "  text: Ours   # checked in May\n"
        "- id: S-QS1-06\n"  # counted on from the file's, in the file's own indentation
        "  text: New one\n"
        "\n"
        "# Areas agreed at the March board.\n"
        "areas_for_improvement: []\n"
    )


def test_a_file_changed_after_the_import_read_it_is_not_written_over(
    runner: CliRunner, tmp_path: Path
) -> None:
    from ascready.authoring.register.importer import plan_import, write_plan
    from ascready.authoring.register.mapping import load_mapping
    from ascready.checks.load import load_project
    from ascready.errors import WriteError

    repo = init_repo(runner, tmp_path)
    sheet, rules = tmp_path / "sheet.csv", tmp_path / "mapping.yaml"
    sheet.write_text(SHEET, encoding="utf-8")
    rules.write_text(STATEMENTS_MAPPING, encoding="utf-8")
    project, _ = load_project(repo)
    plan = plan_import(project, sheet, load_mapping(rules))
    assert not plan.errors and len(plan.files) == 3
    qs4 = repo / "ratings/QS4.yaml"
    qs4.write_text(qs4.read_text(encoding="utf-8") + "# edited meanwhile\n", encoding="utf-8")
    before = snapshot(repo)
    with pytest.raises(WriteError, match=r"ratings/QS4\.yaml changed while this was being"):
        write_plan(plan)
    assert snapshot(repo) == before


def test_a_layout_that_cannot_be_kept_exactly_is_warned_about(
    runner: CliRunner, tmp_path: Path
) -> None:
    repo = init_repo(runner, tmp_path)
    qs1 = repo / "ratings/QS1.yaml"
    qs1.write_text("quality_statement:   QS1\nstrengths: []\n", encoding="utf-8")
    result = run_import(
        runner,
        repo,
        tmp_path,
        "QS,Type,Statement,Lead officer\nQS1,Strength,New one,\n",
        STATEMENTS_MAPPING,
    )
    assert result.exit_code == 0, result.output
    assert (
        "warning: sheet.csv, row 2: ratings/QS1.yaml is changed, but some of its lines will be "
        "laid out differently" in " ".join(result.output.split())
    )
    assert read(qs1)["strengths"] == [{"id": "S-QS1-01", "text": "New one"}]
    assert runner.invoke(app, ["validate", str(repo)]).exit_code == 0


def test_statements_go_to_the_rating_file_of_their_quality_statement_whatever_its_name(
    runner: CliRunner, tmp_path: Path
) -> None:
    repo = init_repo(runner, tmp_path)
    (repo / "ratings/QS1.yaml").rename(repo / "ratings/assessing-needs.yaml")
    result = run_import(runner, repo, tmp_path, SHEET, STATEMENTS_MAPPING)
    assert result.exit_code == 0, result.output
    assert not (repo / "ratings/QS1.yaml").exists()
    texts = [e["text"] for e in read(repo / "ratings/assessing-needs.yaml")["strengths"]]
    assert texts == ["Assessments are timely", "A carers' offer made with carers"]


def test_ruamel_yaml_is_loaded_only_when_a_file_is_changed() -> None:
    code = (
        "import sys\n"
        "from ascready.cli import main\n"
        "sys.argv = ['ascready', '--version']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "import ascready.authoring.register.importer\n"
        "assert not any(m.startswith('ruamel') for m in sys.modules), 'ruamel loaded'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ascready ")
