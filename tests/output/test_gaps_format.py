"""ascready gaps --format markdown, written for a pull-request comment: evidence text is inert."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from ascready.cli import app
from tests.conftest import REPO_ROOT

MakeRepo = Callable[..., Path]
#: CommonMark with GitHub's tables and strikethrough: near enough to how GitHub shows a comment.
_GITHUB = MarkdownIt("commonmark").enable(["table", "strikethrough"])
JOINER = "\u2060"
TITLE = "@jsmith **urgent** <img src=x onerror=alert(1)> ~~old~~"


def _markdown(runner: CliRunner, root: Path) -> str:
    result = runner.invoke(
        app, ["gaps", str(root), "--as-of", "2026-11-23", "--format", "markdown", "-j", "1"]
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def _hostile_repo(make_repo: MakeRepo) -> Path:
    """An evidence item with no owner (so it is listed to refresh) and a hostile title, and a
    council whose name holds HTML."""
    root = make_repo(
        {
            "evidence/EV-003.yaml": f"""
                id: EV-003
                title: '{TITLE}'
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
    text = profile.read_text(encoding="utf-8")
    profile.write_text(
        text.replace("council: Testshire Council", "council: 'Testshire <b>Council</b> @all'"),
        encoding="utf-8",
    )
    return root


def test_evidence_text_makes_no_html_emphasis_or_mention(
    make_repo: MakeRepo, runner: CliRunner
) -> None:
    markdown = _markdown(runner, _hostile_repo(make_repo))
    page = _GITHUB.render(markdown)
    assert "<img" not in page and "<b>" not in page and "<s>" not in page
    row = next(line for line in page.splitlines() if "EV-003" in line)
    assert "<strong>" not in row
    # Nobody is notified: a word joiner follows each @ that would start a mention.
    assert f"@{JOINER}jsmith" in markdown and f"@{JOINER}all" in markdown
    assert "@jsmith" not in markdown and "@all" not in markdown
    # And the text reads as written.
    shown = html.unescape(re.sub(r"<[^>]+>", "", row)).replace(JOINER, "")
    assert f"EV-003 {TITLE}" in shown
    heading = next(line for line in page.splitlines() if line.startswith("<h1>"))
    assert html.unescape(re.sub(r"<[^>]+>", "", heading)).replace(JOINER, "") == (
        "CQC readiness: Testshire <b>Council</b> @all"
    )


def test_the_report_keeps_its_own_markdown(make_repo: MakeRepo, runner: CliRunner) -> None:
    """The summary labels and thin coverage counts stay bold, ids stay code: the escaping is of
    the evidence text, not of the report's own markup."""
    page = _GITHUB.render(_markdown(runner, make_repo()))
    assert "<td><strong>Readiness</strong></td>" in page
    coverage = page.split("Coverage: current evidence items")[1].split("</table>")[0]
    assert re.search(r"<td><strong>\d+</strong></td>", coverage)
    assert re.search(r"\(<code>[a-z0-9-]+</code>\)</td>", page)  # expected evidence ids


# --- a repository as `ascready init` leaves it -----------------------------------------------


@pytest.fixture
def new_repo(tmp_path: Path, runner: CliRunner) -> Path:
    root = tmp_path / "new"
    args = ["init", str(root), "--council", "Test Council", "--ons-code", "E06000999"]
    result = runner.invoke(app, [*args, "--region", "South West"])
    assert result.exit_code == 0, result.output
    return root


def _text(runner: CliRunner, root: Path, *args: str) -> str:
    result = runner.invoke(app, ["gaps", str(root), "--as-of", "2026-11-23", "-j", "1", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _unwrapped(text: str) -> str:
    """The text report's words with the panel's borders and line breaks taken out."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def test_a_new_repositorys_summary_says_why_themes_include_every_item(
    runner: CliRunner, new_repo: Path
) -> None:
    """init's 38 items name no quality statement: the summary says they count in every theme
    (so no theme looks readier than the whole)."""
    text = _unwrapped(_text(runner, new_repo))
    assert (
        "38 information-return items name no quality statement and count in every theme"
    ) in text


FULL_ONLY = ("Coverage: current evidence items", "Expected evidence with no current item")


def _terminal(runner: CliRunner, root: Path, *args: str) -> str:
    result = runner.invoke(
        app,
        ["gaps", str(root), "--as-of", "2026-11-23", "-j", "1", *args],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_new_repositorys_report_fits_one_screen(runner: CliRunner, new_repo: Path) -> None:
    text = _terminal(runner, new_repo)
    assert len(text.splitlines()) <= 40
    assert "Test Council: CQC readiness on 2026-11-23" in text
    words = _unwrapped(text)
    assert "Worst gaps" in words and "What to do next" in words
    assert "This is the summary: ascready gaps --full shows every table." in words
    assert not any(title in text for title in FULL_ONLY)


def test_full_and_out_show_every_table(runner: CliRunner, new_repo: Path, tmp_path: Path) -> None:
    full = _terminal(runner, new_repo, "--full")
    assert all(title in full for title in FULL_ONLY)
    assert "--full shows every table" not in full
    out = tmp_path / "gaps.txt"
    _terminal(runner, new_repo, "--out", str(out))
    written = out.read_text(encoding="utf-8")
    assert all(title in written for title in FULL_ONLY)
    assert "--full shows every table" not in written


def test_the_worst_gaps_are_what_costs_the_score_most(runner: CliRunner) -> None:
    """The example on 2026-11-23 (parts worked out in tests/analysis/test_readiness.py):
    coverage 66.7 costs .30 x 33.3 = 10.0 points, the return 68.4 costs .30 x 31.6 = 9.5,
    expected evidence 77.5 costs .15 x 22.5 = 3.4, self-assessment 92.6 costs .25 x 7.4 = 1.9:
    the summary shows the first three, in that order, each with what to do."""
    words = _unwrapped(_terminal(runner, REPO_ROOT / "evidence"))
    worst = words.split("Worst gaps")[1].split("What to do next")[0]
    assert worst.index("Coverage 66.7%") < worst.index("Information return 68.4%")
    assert worst.index("Information return 68.4%") < worst.index("Expected evidence 77.5%")
    assert "Self-assessment" not in worst
    assert "12 of 38 items not ready or uploaded" in worst
    steps = words.split("What to do next")[1]
    # QS3 and QS7 have three thin cells each; QS3 comes first in the framework.
    assert "1. Add current evidence for QS3 Equity in experience and outcomes: people" in steps
    assert "(start with item 3)" in steps  # item 3 is the first not ready
