"""ascready diff: a git repository in a temporary folder, a base commit, changes of every kind."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from ascready.analysis.diff import run_diff
from ascready.analysis.diff.changes import Diff, ItemChange
from ascready.analysis.gaps import run_gaps
from ascready.analysis.pipeline import validate_repository
from ascready.cli import app
from ascready.output import diff_format
from tests.conftest import REPO_ROOT, git

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

TODAY = dt.date(2026, 11, 23)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


NEW_EVIDENCE = """\
id: EV-900
title: Carers' survey <b>2026</b> | @carers-team
kind: survey
categories: [peoples-experience]
quality_statements: [QS3]
owner: Carers Lead
as_of: 2026-10-01
review_by: 2027-10-01
classification: public
"""

NEW_ACTION = """\
id: ACT-90
title: Publish an easy-read guide to assessment
owner: Head of Assessment
due: 2027-03-31
status: in-progress
answers: [AFI-QS1-01]
"""


def change_everything(repo: Path) -> None:
    """Changes of every kind a reviewer must see, made to the working tree."""
    ev = repo / "evidence"
    (ev / "EV-900.yaml").write_text(NEW_EVIDENCE, encoding="utf-8")  # added
    (ev / "EV-066.yaml").unlink()  # removed
    edit(ev / "EV-002.yaml", "quality_statements: [QS1]", "quality_statements: [QS1, QS4]")
    edit(ev / "EV-002.yaml", "owner: Principal Social Worker", "owner: Head of Practice")
    edit(ev / "EV-003.yaml", "classification:", "status: superseded\nclassification:")  # retired
    (ev / "archive").mkdir()
    (ev / "EV-004.yaml").rename(ev / "archive" / "EV-004.yaml")  # moved, same id
    edit(ev / "EV-006.yaml", "id: EV-006", "id: EV-906")  # same file, new id
    # The same meaning written another way is not a change.
    edit(ev / "EV-007.yaml", "[QS1, QS2]", "[2, Assessing needs]")
    ratings = repo / "ratings"
    edit(ratings / "QS2.yaml", "self_score: 3", "self_score: 2")
    edit(
        ratings / "QS2.yaml",
        "  - id: S-QS2-02\n    text: Reablement helps most people to stay at home",
        "  - id: S-QS2-02\n    text: Reablement helps nine in ten people to stay at home",
    )
    edit(
        ratings / "QS2.yaml",
        "areas_for_improvement:",
        "  - id: S-QS2-09\n    text: Social prescribing reaches every GP practice\n"
        "areas_for_improvement:",
    )
    edit(ratings / "QS2.yaml", "of date.", "of date. We have started to rewrite it with carers.")
    edit(repo / "information-return" / "IR-05.yaml", "status: ready", "status: uploaded")
    edit(
        repo / "information-return" / "IR-05.yaml",
        "evidence: [EV-017]",
        "evidence: [EV-017, EV-900]",
    )
    (repo / "actions" / "ACT-90.yaml").write_text(NEW_ACTION, encoding="utf-8")  # opened
    edit(repo / "actions" / "ACT-03.yaml", "status: not-started", "status: done")  # closed
    edit(repo / "ascready.yaml", "site_visit: 2027-02-08", "site_visit: 2027-02-15")


def one(diff: Diff, kind: str, key: str) -> ItemChange:
    found = [c for c in diff.changes if c.kind == kind and c.key == key]
    assert len(found) == 1, f"{kind} {key}: {found}"
    return found[0]


def fields(change: ItemChange) -> dict[str, tuple[object, object]]:
    return {f.field: (f.before, f.after) for f in change.fields}


# --- the meaning of each change ----------------------------------------------------------------


def test_every_kind_of_change_is_reported(clone: Path) -> None:
    change_everything(clone)
    diff = run_diff(clone, "HEAD", today=TODAY)
    assert diff.base.startswith("HEAD (") and diff.head == "working tree"

    added = one(diff, "evidence", "EV-900")
    assert added.change == "added" and added.file == "evidence/EV-900.yaml"
    removed = one(diff, "evidence", "EV-066")
    assert removed.change == "removed" and "retired" in removed.labels

    retagged = one(diff, "evidence", "EV-002")
    assert "re-tagged" in retagged.labels
    qs = next(f for f in retagged.fields if f.field == "quality_statements")
    assert qs.added == ("QS4",) and qs.removed == ()
    assert fields(retagged)["owner"] == ("Principal Social Worker", "Head of Practice")

    retired = one(diff, "evidence", "EV-003")
    assert "retired" in retired.labels and fields(retired)["status"] == ("current", "superseded")

    moved = one(diff, "evidence", "EV-004")
    assert moved.change == "changed" and moved.moved_from == "evidence/EV-004.yaml"
    assert moved.file == "evidence/archive/EV-004.yaml" and moved.fields == ()

    renamed = one(diff, "evidence", "EV-906")
    assert renamed.renamed_from == "EV-006" and fields(renamed)["id"] == ("EV-006", "EV-906")
    assert not [c for c in diff.changes if c.key == "EV-006"]

    assert not [c for c in diff.changes if c.key == "EV-007"], "QS1 written as 1 is no change"

    rating = one(diff, "rating", "QS2")
    assert fields(rating)["self_score"] == (3, 2)
    assert "narrative" in fields(rating)
    statements = {(s.kind, s.id): s.change for s in rating.statements}
    assert statements == {("strength", "S-QS2-02"): "changed", ("strength", "S-QS2-09"): "added"}

    item = one(diff, "return", "5")
    assert "status moved" in item.labels and fields(item)["status"] == ("ready", "uploaded")
    ev = next(f for f in item.fields if f.field == "evidence")
    assert ev.added == ("EV-900",)

    assert "opened" in one(diff, "action", "ACT-90").labels
    closed = one(diff, "action", "ACT-03")
    assert "closed" in closed.labels and fields(closed)["status"] == ("not-started", "done")

    profile = one(diff, "profile", "ascready.yaml")
    assert fields(profile)["dates.site_visit"] == ("2027-02-08", "2027-02-15")


def test_findings_introduced_and_fixed_ignore_line_shifts(clone: Path) -> None:
    # The base has one broken reference; the change fixes it and breaks another.
    qs1 = clone / "ratings" / "QS1.yaml"
    edit(qs1, "EV-002, EV-011", "EV-002, EV-999, EV-011")
    git(clone, "commit", "-q", "-am", "base with a broken reference")
    edit(qs1, "EV-002, EV-999, EV-011", "EV-002, EV-011")
    (clone / "evidence" / "EV-011.yaml").unlink()
    # Lines above every remaining finding shift: no finding may count as new for that.
    text = qs1.read_text(encoding="utf-8")
    qs1.write_text("# reviewed in November\n# by the assurance lead\n" + text, encoding="utf-8")
    diff = run_diff(clone, "HEAD", today=TODAY)
    introduced = {(f.file, f.check, f.message) for f in diff.introduced}
    fixed = {(f.file, f.check, f.message) for f in diff.fixed}
    assert all("EV-011" in m for _, _, m in introduced) and introduced
    assert {m for _, _, m in fixed} == {"evidence item 'EV-999' does not exist"}
    head_report = validate_repository(clone, today=TODAY)[1]
    assert diff.errors_after == head_report.errors
    for f in diff.introduced:  # introduced findings carry their line in the new file
        assert f.line > 2


def test_readiness_and_coverage_deltas_match_gaps_on_each_side(clone: Path) -> None:
    before = run_gaps(clone, today=TODAY)
    change_everything(clone)
    after = run_gaps(clone, today=TODAY)
    diff = run_diff(clone, "HEAD", today=TODAY)
    overall = diff.readiness[0]
    assert (overall.before, overall.after) == (before.readiness.overall, after.readiness.overall)
    assert diff.information_return.before == before.information_return.ready_or_uploaded
    assert diff.information_return.after == after.information_return.ready_or_uploaded
    rows_before = {r.quality_statement: r for r in before.coverage.rows}
    rows_after = {r.quality_statement: r for r in after.coverage.rows}
    for delta in diff.statements:
        assert delta.items_before == rows_before[delta.quality_statement].items
        assert delta.items_after == rows_after[delta.quality_statement].items
        assert delta.thin_after == len(rows_after[delta.quality_statement].thin)
    qs3 = next(d for d in diff.statements if d.quality_statement == "QS3")
    assert qs3.items_before is not None
    assert qs3.items_after == qs3.items_before + 1  # EV-900 is current evidence for QS3
    qs2 = next(d for d in diff.statements if d.quality_statement == "QS2")
    assert (qs2.score_before, qs2.score_after) == (3, 2) and qs2.changed


def test_two_commits_compare_like_the_working_tree(clone: Path) -> None:
    change_everything(clone)
    working = run_diff(clone, "HEAD", today=TODAY)
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "changes")
    committed = run_diff(clone, "HEAD~1", "HEAD", today=TODAY)
    assert committed.changes == working.changes
    assert committed.findings == working.findings
    assert committed.head.startswith("HEAD (")
    heading = diff_format.render_text(committed).splitlines()[0]
    assert heading.startswith("Changes from HEAD~1 (") and " to HEAD (" in heading


def test_no_change_in_meaning(clone: Path) -> None:
    # Reordering tags and rewriting a list in block style changes lines, not meaning.
    edit(
        clone / "evidence" / "EV-002.yaml",
        "[assessment-eligibility, advocacy]",
        "[advocacy, assessment-eligibility]",
    )
    diff = run_diff(clone, "HEAD", today=TODAY)
    assert diff.empty
    text = diff_format.render_text(diff)
    assert "none: the evidence means the same on both sides" in text


def test_a_file_with_errors_is_not_reported_as_removed(clone: Path) -> None:
    edit(clone / "evidence" / "EV-010.yaml", "kind:", "kind: not-a-kind\nsize:")
    diff = run_diff(clone, "HEAD", today=TODAY)
    assert not [c for c in diff.changes if c.key == "EV-010"]
    assert [(n.key, n.side) for n in diff.not_compared] == [("EV-010", "head")]
    assert diff.errors_after > diff.errors_before == 0
    assert "evidence/EV-010.yaml" in diff_format.render_text(diff)


def test_base_before_the_repository_existed(clone: Path) -> None:
    top = clone.parent
    readme = git(top, "rev-parse", "HEAD:README.md").strip()
    tree = git(top, "mktree", stdin=f"100644 blob {readme}\tREADME.md\n").strip()
    git(top, "branch", "empty", git(top, "commit-tree", tree, "-m", "only a readme").strip())
    diff = run_diff(clone, "empty", today=TODAY)
    assert not diff.base_exists
    evidence = [c for c in diff.changes if c.kind == "evidence"]
    assert evidence and all(c.change == "added" for c in evidence)
    assert len(evidence) == len(list((clone / "evidence").glob("*.yaml")))
    assert diff.readiness[0].before is None and diff.readiness[0].after is not None
    assert "where there was no repository yet" in diff_format.render_text(diff)


def test_repository_at_the_top_of_the_clone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    top = tmp_path / "evidence-repo"
    shutil.copytree(REPO_ROOT / "evidence", top)
    git(top, "init", "-q")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "base")
    edit(top / "ratings" / "QS5.yaml", "self_score:", "self_score: 1\n# was:")
    diff = run_diff(top / "ratings", "HEAD", today=TODAY)  # any folder inside works
    assert [c.key for c in diff.changes] == ["QS5"]


# --- formats ----------------------------------------------------------------------------------


def test_markdown_is_a_pull_request_comment(clone: Path) -> None:
    change_everything(clone)
    diff = run_diff(clone, "HEAD", today=TODAY)
    text = diff_format.render_markdown(diff)
    assert text.startswith(diff_format.MARKER + "\n")
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    # Summary first: the first collapsible section comes after the summary list.
    html_blocks = [t for t in tokens if t.type == "html_block"]
    first_details = next(
        i for i, t in enumerate(tokens) if t.type == "html_block" and "<details>" in t.content
    )
    first_list = next(i for i, t in enumerate(tokens) if t.type == "bullet_list_open")
    assert first_list < first_details
    opened = sum(t.content.count("<details>") for t in html_blocks)
    closed = sum(t.content.count("</details>") for t in html_blocks)
    sections = len({c.kind for c in diff.changes}) + 2  # + quality statements, readiness parts
    sections += bool(diff.fixed) + bool(diff.not_compared)
    assert opened == closed == sections
    # Text from the evidence cannot inject HTML or mention anyone.
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "<b>2026</b>" not in html and "&lt;b&gt;2026&lt;/b&gt;" in html
    assert "@carers-team" not in html and "@\u2060carers-team" in html
    # The EV-900 title's pipe does not break its table row: five cells, like the header.
    rows: list[list[str]] = []
    for t in tokens:
        if t.type == "tr_open":
            rows.append([])
        elif t.type == "inline" and rows and t.level >= 4:
            rows[-1].append(t.content)
    row = next(r for r in rows if "EV-900" in r)
    assert len(row) == 5 and "@\u2060carers-team" in row[2]
    assert "self\\_score: 3 → 2" in text
    assert "```diff" in text and "+We have started to rewrite it with carers." in text


def test_markdown_stays_under_the_comment_limit(clone: Path) -> None:
    for n in range(1000, 2200):
        (clone / "evidence" / f"EV-{n}.yaml").write_text(
            NEW_EVIDENCE.replace("EV-900", f"EV-{n}").replace("Carers'", "A long title " * 6),
            encoding="utf-8",
        )
    diff = run_diff(clone, "HEAD", today=TODAY)
    full = diff_format._render_markdown(diff, None)
    assert len(full) > diff_format.COMMENT_LIMIT
    text = diff_format.render_markdown(diff)
    assert len(text) <= diff_format.COMMENT_LIMIT
    assert "more: run `ascready diff` locally" in text
    assert "**Evidence:** 1200 added" in text  # the summary still counts everything


def test_json_holds_every_change(clone: Path) -> None:
    change_everything(clone)
    diff = run_diff(clone, "HEAD", today=TODAY)
    data = json.loads(diff_format.render_json(diff))
    assert data["schema_version"] == 1
    keys = {(c["kind"], c["key"], c["change"]) for c in data["changes"]}
    assert keys == {(c.kind, c.key, c.change) for c in diff.changes}
    assert data["readiness"][0]["name"] == "overall"
    assert data["information_return"]["expected"] == 38
    assert data["as_of"] == "2026-11-23"


def test_text_lists_each_item_with_its_file(clone: Path) -> None:
    change_everything(clone)
    text = diff_format.render_text(run_diff(clone, "HEAD", today=TODAY))
    assert (
        '+ EV-900 "Carers\' survey <b>2026</b> | @carers-team" (evidence/EV-900.yaml) added' in text
    )
    assert (
        "~ EV-004" in text
        and "moved from evidence/EV-004.yaml to evidence/archive/EV-004.yaml" in text
    )
    assert "EV-006 renamed to EV-906" in text
    assert "self_score: 3 -> 2" in text
    assert "+ strength S-QS2-09: Social prescribing reaches every GP practice" in text
    assert "status: not-started -> done" in text


# --- the command line -------------------------------------------------------------------------


def test_cli_formats_and_out(clone: Path, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    change_everything(clone)
    for fmt in ("text", "markdown", "json"):
        result = runner.invoke(app, ["diff", "HEAD", "--repo", str(clone), "--format", fmt])
        assert result.exit_code == 0, result.output
        assert "EV-900" in result.stdout
    out = tmp_path / "comment.md"
    args = ["diff", "HEAD", "-C", str(clone), "-f", "markdown", "--out", str(out)]
    assert runner.invoke(app, args).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith(diff_format.MARKER)
    out.write_text("mine", encoding="utf-8")
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2 and "--force" in refused.stderr
    assert out.read_text(encoding="utf-8") == "mine"
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0


def test_unknown_ref_says_how_to_find_it(clone: Path, runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["diff", "no-such-branch", "-C", str(clone)])
    assert result.exit_code == 2
    assert "'no-such-branch' is not a branch, tag or commit in this clone" in result.stderr
    assert "Traceback" not in result.output


def test_shallow_clone_says_how_to_fetch_the_base(clone: Path, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    top = clone.parent
    edit(clone / "ratings" / "QS5.yaml", "self_score:", "self_score: 1\n# was:")
    git(top, "commit", "-q", "-am", "second")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{top}", str(shallow))
    base = git(top, "rev-parse", "HEAD~1").strip()
    result = runner.invoke(app, ["diff", base, "-C", str(shallow / "evidence")])
    assert result.exit_code == 2
    assert "shallow clone" in result.stderr and "fetch-depth: 0" in result.stderr
    missing_branch = runner.invoke(app, ["diff", "origin/feature", "-C", str(shallow / "evidence")])
    assert missing_branch.exit_code == 2
    assert "git fetch origin feature" in missing_branch.stderr
    # Fetching as told makes it work.
    git(shallow, "fetch", "-q", "--unshallow")
    assert runner.invoke(app, ["diff", base, "-C", str(shallow / "evidence")]).exit_code == 0


def test_not_a_git_repository(tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    shutil.copytree(REPO_ROOT / "evidence", tmp_path / "plain")
    result = runner.invoke(app, ["diff", "main", "-C", str(tmp_path / "plain")])
    assert result.exit_code == 2
    assert "is not inside a git repository" in result.stderr


def test_options_cannot_be_smuggled_in_as_refs(clone: Path, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "written-by-git"
    result = runner.invoke(app, ["diff", "-C", str(clone), "--", f"--output={target}"])
    assert result.exit_code == 2
    assert "is not a branch, tag or commit name" in result.stderr
    assert not target.exists()


def test_files_listed_by_git_are_loaded_in_the_order_found_on_disk(tmp_path: Path) -> None:
    # The older side of a diff is loaded from git's file list, not by walking folders; the
    # order decides which of two files with the same id is "first", so it must be the same.
    from ascready.repository.loader import discover, order_entries

    root = tmp_path / "repo"
    names = [
        "ascready.yaml",
        "evidence/b.yaml",
        "evidence/a.yml",
        "evidence/z/a.yaml",
        "evidence/Z.yaml",
        "evidence/a/zz.yaml",
        "evidence/a/b/c.yaml",
        "evidence/a-b.yaml",
        "evidence/.hidden.yaml",
        "evidence/.hid/x.yaml",
        "evidence/notes.md",
        "ratings/QS1.yaml",
        "actions/ACT-01.yaml",
        "information-return/IR-01.yaml",
        "files/doc.yaml",
        "other/x.yaml",
    ]
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x: 1\n", encoding="utf-8")
    assert order_entries(reversed(names)) == discover(root)


def test_only_the_files_a_change_touched_are_read_again(
    clone: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ascready.checks import document, load
    from ascready.repository import loader

    read: list[str] = []
    original = document.read_document

    def counting(job: tuple[str, str, frozenset[str]]) -> document.FileResult:
        read.append(job[0])
        return original(job)

    monkeypatch.setattr(load, "read_document", counting)
    change_everything(clone)
    edit(clone / "ascready.yaml", "site_visit: 2027-02-15", "site_visit: 2027-02-08")
    diff = run_diff(clone, "HEAD", today=TODAY, jobs=1)
    documents = len(loader.discover(clone)) - 1
    base_reads = len(read) - documents
    # The base re-reads the removed, moved, renamed and edited files, not the other 100+.
    assert 0 < base_reads <= 12, read[documents:]
    # ...and the result is the same as reading everything.
    monkeypatch.setattr(load, "read_document", original)
    edit(clone / "ascready.yaml", "region:", "# a comment changes the profile\nregion:")
    full = run_diff(clone, "HEAD", today=TODAY, jobs=1)
    assert [c for c in full.changes if c.kind != "profile"] == list(diff.changes)
    assert full.findings == diff.findings


def test_a_file_left_alone_still_changes_when_the_framework_it_cites_changed(
    clone: Path,
) -> None:
    """The diff skips what both sides share, but not when the framework changed: a file that
    names a category by its title means another thing once the title has gone."""
    from ascready.repository.framework import builtin_framework_text

    framework = builtin_framework_text("cqc-la-2024").decode("utf-8")
    (clone / "framework.yaml").write_text(framework, encoding="utf-8")
    edit(clone / "ascready.yaml", "framework: cqc-la-2024", "framework: framework.yaml")
    edit(clone / "evidence" / "EV-007.yaml", "categories: [processes]", "categories: [People]")
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "our own copy of the framework")
    assert not run_diff(clone, "HEAD", today=TODAY).changes  # nothing changed yet
    edit(clone / "framework.yaml", "short_title: People\n", "short_title: People we support\n")
    edit(clone / "framework.yaml", '"People", ', "")  # "People" no longer names the category
    diff = run_diff(clone, "HEAD", today=TODAY)
    assert fields(one(diff, "evidence", "EV-007"))["categories"] == (
        ["peoples-experience"],
        ["People"],
    )
