"""Options and messages of gaps, diff and render as a user meets them through the CLI."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ascready.cli import app
from tests.conftest import BASE, REPO_ROOT

git_needed = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

MakeRepo = Callable[..., Path]

#: An evidence item with five errors: three bad values, an impossible date, an unknown key.
FIVE_ERRORS = """
    id: EV-009
    title: A policy
    kind: polcy
    categories: [processes]
    quality_statements: [QS1]
    classification: secret
    status: curent
    as_of: 2024-02-30
    titel: typo
"""


# --- render: files left out ----------------------------------------------------------------------


def test_render_counts_the_files_left_out_not_their_errors(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    one = make_repo({"evidence/EV-009.yaml": FIVE_ERRORS}, name="one")
    validated = runner.invoke(app, ["validate", str(one)])
    assert "5 errors in 1 of 17 files." in validated.stdout  # 16 YAML files, one document
    result = runner.invoke(app, ["render", str(one), "--format", "md"])
    assert result.exit_code == 0
    assert "note: 1 file(s) have errors and were left out; run ascready validate" in result.stderr

    two = make_repo(
        {"evidence/EV-009.yaml": FIVE_ERRORS, "actions/ACT-02.yaml": "id: ACT-02\n"}, name="two"
    )
    result = runner.invoke(app, ["render", str(two), "--format", "md"])
    assert "note: 2 file(s) have errors and were left out; run ascready validate" in result.stderr


def test_render_counts_what_validate_finds_in_files_it_still_uses(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    # Both items validate, so both are in the document, but each cites evidence that does
    # not exist: a repository check finds it, and render says so rather than nothing.
    cites_nothing = """
        id: {id}
        title: A policy
        kind: policy
        categories: [processes]
        quality_statements: [QS1]
        information_return: [99]
        classification: public
    """
    root = make_repo(
        {
            "evidence/EV-009.yaml": cites_nothing.format(id="EV-009"),
            "evidence/EV-010.yaml": cites_nothing.format(id="EV-010"),
        }
    )
    validated = runner.invoke(app, ["validate", str(root)])
    assert "2 errors in 2 of 18 files." in validated.stdout  # 17 YAML files, one document
    result = runner.invoke(app, ["render", str(root), "--format", "md"])
    assert result.exit_code == 0
    assert "A policy" in result.stdout
    assert (
        "note: ascready validate finds 2 error(s) in 2 file(s); run ascready validate"
        in result.stderr
    )


def test_render_says_nothing_of_warnings(runner: CliRunner, make_repo: MakeRepo) -> None:
    # Filed only under a category CQC does not apply: a warning; the item is still used.
    root = make_repo(
        {
            "evidence/EV-009.yaml": """
                id: EV-009
                title: A policy
                kind: policy
                categories: [outcomes]
                quality_statements: [QS1]
                classification: public
            """
        }
    )
    assert "warning [category-not-applied]" in runner.invoke(app, ["validate", str(root)]).stdout
    result = runner.invoke(app, ["render", str(root), "--format", "md"])
    assert result.exit_code == 0
    assert "note:" not in result.stderr


# --- gaps: --minimum, --as-of, --format ----------------------------------------------------------

EXAMPLE = REPO_ROOT / "evidence"


def _gaps_json(runner: CliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["gaps", str(EXAMPLE), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


# The example's current items per cell on 2026-11-23 (people, staff, partners, processes), as
# worked out in tests/analysis/test_readiness.py:
#   QS1 5,4,1,8  QS2 2,1,3,5  QS3 0,1,0,2  QS4 1,2,2,6  QS5 2,1,7,6  QS6 2,2,2,4  QS7 1,1,1,9
#   QS8 1,6,2,9  QS9 3,6,0,8
# Cells below 1: QS3 people and partners, QS9 partners = 3. Below 2: 12. Below 3: QS1 1, QS2 2,
# QS3 4, QS4 3, QS5 2, QS6 3, QS7 3, QS8 2, QS9 1 = 21.
@pytest.mark.parametrize(
    ("minimum", "thin", "coverage"),
    [("1", 3, 91.7), (None, 12, 66.7), ("3", 21, 41.7)],  # coverage (36 - thin) / 36
)
def test_gaps_minimum_flag(
    runner: CliRunner, minimum: str | None, thin: int, coverage: float
) -> None:
    flag = ["--minimum", minimum] if minimum else []
    data = _gaps_json(runner, "--as-of", "2026-11-23", *flag)
    assert data["coverage"]["minimum"] == int(minimum or 2)
    assert sum(len(r["thin"]) for r in data["coverage"]["rows"]) == thin
    assert data["readiness"]["components"]["coverage"] == coverage
    text = runner.invoke(app, ["gaps", str(EXAMPLE), "--as-of", "2026-11-23", *flag]).stdout
    assert f"{thin} of 36 quality statement and category cells have fewer than " in text


def test_gaps_minimum_must_be_at_least_1(runner: CliRunner) -> None:
    result = runner.invoke(app, ["gaps", str(EXAMPLE), "--minimum", "0"])
    assert result.exit_code == 2
    assert "Invalid value for '--minimum'" in result.stderr


def test_gaps_as_of_the_profiles_dates(runner: CliRunner) -> None:
    # ascready.yaml: information_return_due 2026-11-30, site_visit 2027-02-08.
    due = _gaps_json(runner, "--as-of", "return-due")
    assert due["as_of"] == "2026-11-30"
    not_current = {s["id"] for s in due["coverage"]["not_current"]}
    assert not_current == {"EV-005", "EV-013", "EV-014", "EV-025", "EV-038", "EV-046"}
    days = {d["name"]: d["days_left"] for d in due["deadlines"]["dates"]}
    assert days == {"CQC notice": -21, "Information return due": 0, "Site visit": 70}
    visit = _gaps_json(runner, "--as-of", "site-visit")
    assert visit["as_of"] == "2027-02-08"
    assert {d["name"]: d["days_left"] for d in visit["deadlines"]["dates"]}["Site visit"] == 0
    # By the site visit more evidence has lapsed: review_by before 2027-02-08 (EV-003, EV-004,
    # EV-049, EV-053, EV-054, EV-055 on 2027-01-31, EV-044 on 2027-02-01), or as_of more than
    # 12 months before it, earlier than 2026-02-08 (EV-002, EV-022 2025-12-01, EV-016
    # 2025-12-10, EV-007 2025-12-15, EV-026 2026-01-20). EV-052 (as_of 2026-02-10, review_by
    # 2027-02-10) and EV-031 (review_by 2027-02-13) still count.
    stale_by_then = {s["id"] for s in visit["coverage"]["not_current"]} - {
        s["id"] for s in due["coverage"]["not_current"]
    }
    assert stale_by_then == {
        *("EV-002", "EV-003", "EV-004", "EV-007", "EV-016", "EV-022"),
        *("EV-026", "EV-044", "EV-049", "EV-053", "EV-054", "EV-055"),
    }


@pytest.mark.parametrize(
    ("word", "key"), [("site-visit", "site_visit"), ("return-due", "information_return_due")]
)
def test_gaps_as_of_a_date_the_profile_lacks(
    runner: CliRunner, make_repo: MakeRepo, word: str, key: str
) -> None:
    profile = (BASE / "ascready.yaml").read_text(encoding="utf-8")
    line = next(x for x in profile.splitlines() if x.strip().startswith(f"{key}:"))
    root = make_repo({"ascready.yaml": profile.replace(line + "\n", "")})
    result = runner.invoke(app, ["gaps", str(root), "--as-of", word])
    assert result.exit_code == 2
    assert (
        f"error: --as-of {word} needs dates.{key} in ascready.yaml, and it is not set "
        "(or ascready.yaml has errors: run ascready validate)"
    ) in result.stderr
    assert result.stdout == ""


def test_gaps_unknown_format(runner: CliRunner) -> None:
    result = runner.invoke(app, ["gaps", str(EXAMPLE), "--format", "pdf"])
    assert result.exit_code == 2
    assert "unknown --format 'pdf'; use one of: text, json, markdown, xlsx" in result.stderr
    assert result.stdout == ""


# --- diff: --minimum, --as-of, --format ----------------------------------------------------------

NEW_QS3_EVIDENCE = """\
id: EV-900
title: Carers' survey 2026
kind: survey
categories: [peoples-experience]
quality_statements: [QS3]
owner: Carers Lead
as_of: 2026-10-01
review_by: 2027-10-01
classification: public
"""


def _diff_json(runner: CliRunner, clone: Path, *args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["diff", "HEAD", "-C", str(clone), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _statement(data: dict[str, Any], qs: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in data["statements"] if s["quality_statement"] == qs)
    return found


@git_needed
def test_diff_minimum_flag(runner: CliRunner, clone: Path) -> None:
    # QS3 has people 0, staff 1, partners 0, processes 2; EV-900 adds one people's experience.
    (clone / "evidence" / "EV-900.yaml").write_text(NEW_QS3_EVIDENCE, encoding="utf-8")
    one = _statement(_diff_json(runner, clone, "--as-of", "2026-11-23", "--minimum", "1"), "QS3")
    assert (one["thin_before"], one["thin_after"]) == (2, 1)  # people is no longer empty
    default = _statement(_diff_json(runner, clone, "--as-of", "2026-11-23"), "QS3")
    assert (default["thin_before"], default["thin_after"]) == (3, 3)  # 1 is still below 2
    three = _statement(_diff_json(runner, clone, "--as-of", "2026-11-23", "--minimum", "3"), "QS3")
    assert (three["thin_before"], three["thin_after"]) == (4, 4)
    assert (one["items_before"], one["items_after"]) == (2, 3)  # EV-022, EV-023, then EV-900


@git_needed
def test_diff_as_of_judges_both_sides_on_that_day(runner: CliRunner, clone: Path) -> None:
    # EV-010 (QS1 and QS7) is due for review on 2027-03-31; the change brings that to
    # 2027-01-15: on 2026-11-23 it is current either way, by the site visit (2027-02-08) it
    # is current only before the change.
    path = clone / "evidence" / "EV-010.yaml"
    text = path.read_text(encoding="utf-8")
    assert "review_by: 2027-03-31" in text
    path.write_text(text.replace("review_by: 2027-03-31", "review_by: 2027-01-15"), "utf-8")
    now = _diff_json(runner, clone, "--as-of", "2026-11-23")
    assert now["as_of"] == "2026-11-23"
    assert _statement(now, "QS1")["items_before"] == _statement(now, "QS1")["items_after"]
    later = _diff_json(runner, clone, "--as-of", "2027-02-08")
    assert later["as_of"] == "2027-02-08"
    for qs in ("QS1", "QS7"):
        row = _statement(later, qs)
        assert row["items_after"] == row["items_before"] - 1, qs
    by_word = _diff_json(runner, clone, "--as-of", "site-visit")
    assert by_word["as_of"] == "2027-02-08"
    assert by_word["statements"] == later["statements"]


def test_diff_unknown_format(runner: CliRunner, tmp_path: Path) -> None:
    # The format is checked first: no git repository is needed to be told.
    result = runner.invoke(app, ["diff", "HEAD", "-C", str(tmp_path), "--format", "html"])
    assert result.exit_code == 2
    assert "unknown --format 'html'; use one of: text, markdown, json" in result.stderr


# --- validate: a misspelt key inside a nested mapping --------------------------------------------


def test_misspelt_nested_key_gets_a_suggestion(runner: CliRunner, make_repo: MakeRepo) -> None:
    profile = (BASE / "ascready.yaml").read_text(encoding="utf-8")
    root = make_repo(
        {
            "ascready.yaml": profile + "review_policy:\n  stale_after_month: 6\n",
            "actions/ACT-02.yaml": """
                id: ACT-02
                title: Review
                progress:
                  - date: 2026-01-01
                    notes: Started.
            """,
        }
    )
    result = runner.invoke(app, ["validate", str(root), "--format", "json"])
    assert result.exit_code == 1
    found = [(f["file"], f["line"], f["message"], f["hint"]) for f in json.loads(result.stdout)]
    assert found == [
        (
            "actions/ACT-02.yaml",
            4,
            "the first progress update's 'note' is required but missing",
            "Add a line 'note: ...'.",
        ),
        (
            "actions/ACT-02.yaml",
            5,
            "'notes' is not a key the first progress update can have",
            "Did you mean 'note'?",
        ),
        (
            "ascready.yaml",
            len(profile.splitlines()) + 2,
            "'stale_after_month' is not a key 'review_policy' can have",
            "Did you mean 'stale_after_months'?",
        ),
    ]


# --- render --pack: an item citing nothing that exists; replacing a pack folder ------------------


def test_pack_lists_a_reference_to_no_evidence_item(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "information-return/IR-02.yaml": """
                number: 2
                title: Survey results
                quality_statements: [QS1]
                status: in-progress
                evidence: [EV-002, EV-404]
            """
        }
    )
    pack = root.parent / "pack"
    result = runner.invoke(app, ["render", str(root), "--pack", str(pack)])
    assert result.exit_code == 1
    assert "missing: item 2: EV-404 (no such evidence item)" in result.stderr
    index = (pack / "index.md").read_text(encoding="utf-8")
    assert "- MISSING: EV-404 (no such evidence item)" in index
    assert index.endswith("## Missing\n\n- Item 2: EV-404 (no such evidence item)\n")
    # The evidence that does exist is still listed: EV-002's source is a link.
    assert "- Link: EV-002 Carers' survey results [public]: https://" in index


def test_pack_folder_is_replaced_only_with_force(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo()
    pack = root.parent / "pack"
    (pack / "99-old-item").mkdir(parents=True)
    (pack / "99-old-item" / "stale.pdf").write_bytes(b"from last week")
    last_week = "# Information return pack: last week's\n"
    (pack / "index.md").write_text(last_week, encoding="utf-8")
    refused = runner.invoke(app, ["render", str(root), "--pack", str(pack)])
    assert refused.exit_code == 2
    assert "--force" in refused.stderr
    assert (pack / "index.md").read_text(encoding="utf-8") == last_week

    replaced = runner.invoke(app, ["render", str(root), "--pack", str(pack), "--force"])
    assert replaced.exit_code == 0, replaced.output
    assert "Wrote" in replaced.stderr
    assert sorted(p.relative_to(pack).as_posix() for p in pack.rglob("*")) == [
        "01-carers-strategy",
        "01-carers-strategy/EV-001-carers-strategy.md",
        "index.md",
    ]
    assert (
        (pack / "index.md")
        .read_text(encoding="utf-8")
        .startswith("# Information return pack: Testshire Council")
    )
    # Nothing is left beside it: no staging folder, no old copy.
    assert sorted(p.name for p in root.parent.iterdir()) == ["pack", "repo"]


def test_init_next_steps_make_the_branch_the_readme_diffs_against(
    runner: CliRunner, tmp_path: Path
) -> None:
    # `git init` alone makes `master` on many machines; the README then runs `ascready diff main`.
    result = runner.invoke(
        app,
        ["init", str(tmp_path / "council"), "--council", "Testshire Council",
         "--ons-code", "E10000099", "--region", "East Midlands"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    steps = [line.strip() for line in result.stdout.splitlines()]
    assert "git init -b main" in steps
    assert "git init" not in steps
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "git init -b main" in readme and "ascready diff main" in readme


# --- validate --as-of ----------------------------------------------------------------------------

#: Written for a 2024 assessment: current then, due for review in the summer of 2024.
REGISTER_2024 = """
    id: EV-009
    title: Carers' survey 2024
    kind: survey
    categories: [peoples-experience]
    quality_statements: [QS1]
    classification: public
    owner: Head of Quality
    as_of: 2024-01-15
    review_by: 2024-07-01
"""


def _validate(runner: CliRunner, root: Path, *args: str) -> tuple[int, list[str]]:
    result = runner.invoke(app, ["validate", str(root), "--format", "json", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, [f"{f['check']}: {f['message']}" for f in json.loads(result.stdout)]


def test_validate_as_of_judges_review_dates_on_that_day(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    root = make_repo({"evidence/EV-009.yaml": REGISTER_2024})
    # Today (2026 or later) the review date has long passed, and --strict fails on it.
    code, found = _validate(runner, root, "--strict")
    assert code == 1
    assert [f.split(" (")[0] for f in found] == [
        "review-overdue: 'EV-009' was due for review on 2024-07-01"
    ]
    # As on the day the register was written it is current: clean, even with --strict.
    for day in ("2024-04-01", "01/04/2024", "1 April 2024"):
        assert _validate(runner, root, "--as-of", day, "--strict") == (0, []), day
    # A month after its review date, it is a month overdue (a warning: exit 0 without --strict).
    assert _validate(runner, root, "--as-of", "31/07/2024") == (
        0,
        ["review-overdue: 'EV-009' was due for review on 2024-07-01 (30 days ago)"],
    )
    # The key dates of ascready.yaml: the site visit is 2027-02-08.
    code, found = _validate(runner, root, "--as-of", "site-visit")
    assert found == ["review-overdue: 'EV-009' was due for review on 2024-07-01 (952 days ago)"]


@pytest.mark.parametrize("day", ["2024-02-30", "31/02/2024", "next March", "04/01/2024x"])
def test_validate_as_of_refuses_what_is_not_a_date(
    runner: CliRunner, make_repo: MakeRepo, day: str
) -> None:
    result = runner.invoke(app, ["validate", str(make_repo()), "--as-of", day])
    assert result.exit_code == 2
    assert f"error: --as-of '{day}' is not a" in result.stderr
    assert "today, site-visit or return-due" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("day", ["2026-11-30", "30/11/2026", "30.11.26", "30 November 2026"])
def test_gaps_reads_as_of_dates_as_validate_does(runner: CliRunner, day: str) -> None:
    assert _gaps_json(runner, "--as-of", day)["as_of"] == "2026-11-30"
