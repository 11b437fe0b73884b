"""The command line as a user meets it: exit codes, formats, messages, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ascready import __version__
from ascready.cli import app

MakeRepo = Callable[..., Path]


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"ascready {__version__}"


def test_no_arguments_shows_help(runner: CliRunner) -> None:
    result = runner.invoke(app, [])
    assert "validate" in result.output and "schema" in result.output


def test_clean_repository_exits_0_with_a_summary(runner: CliRunner, make_repo: MakeRepo) -> None:
    result = runner.invoke(app, ["validate", str(make_repo())])
    assert result.exit_code == 0
    # 15 YAML files and the one document under files/, scanned for personal data
    assert "No problems found in 16 files." in result.stdout


@pytest.mark.parametrize(
    ("where", "shown"),
    [
        ("evidence", "../evidence/EV-009.yaml"),
        ("evidence/a", "../../evidence/EV-009.yaml"),
        ("evidence/a/b", None),  # three levels up: absolute
    ],
)
def test_repository_found_by_walking_up(
    runner: CliRunner,
    make_repo: MakeRepo,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
    shown: str | None,
) -> None:
    root = make_repo({"evidence/EV-009.yaml": "id: EV-009\n"})
    (root / where).mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(root / where)
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 1
    # Paths are shown as the user would type them from where they are.
    path = shown or f"{root.as_posix()}/evidence/EV-009.yaml"
    lines = result.stdout.splitlines()
    assert lines[0] == path
    assert lines[1].startswith(f"  {path}:1:1  error [missing-key] ")


def test_paths_from_outside_the_repository(
    runner: CliRunner, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    make_repo({"evidence/EV-009.yaml": "id: EV-009\n"})
    (tmp_path / "other").mkdir()
    monkeypatch.chdir(tmp_path / "other")
    result = runner.invoke(app, ["validate", "../repo"])
    assert result.stdout.splitlines()[0] == "../repo/evidence/EV-009.yaml"
    monkeypatch.chdir(tmp_path.parent)
    below = runner.invoke(app, ["validate", f"{tmp_path.name}/repo"])
    assert below.stdout.splitlines()[0] == f"{tmp_path.name}/repo/evidence/EV-009.yaml"


def test_text_report_names_file_line_problem_and_fix(
    runner: CliRunner, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(
        {
            "evidence/EV-009.yaml": """
                id: EV-009
                title: Safeguarding policy
                kind: polcy
                categories: [processes]
                quality_statements: [QS7]
                classification: public
            """
        }
    )
    monkeypatch.chdir(root)
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 1
    assert "evidence/EV-009.yaml:3:1  error [bad-value] 'kind' is 'polcy'" in result.stdout
    assert "fix: Did you mean 'policy'?" in result.stdout
    assert "1 error in 1 of 17 files." in result.stdout  # 16 YAML files and one document


def test_json_format_is_a_list_of_findings(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo({"actions/ACT-02.yaml": "id: ACT-02\ntitle: Act\nanswers: [AFI-X]\n"})
    result = runner.invoke(app, ["validate", str(root), "--format", "json"])
    assert result.exit_code == 1
    (finding,) = json.loads(result.stdout)
    assert finding == {
        "file": "actions/ACT-02.yaml",
        "line": 3,
        "column": 11,
        "check": "unknown-reference",
        "severity": "error",
        "message": "area for improvement 'AFI-X' does not exist",
        "hint": finding["hint"],
    }
    assert "AFI-QS1-01" in finding["hint"]  # the nearest existing id is suggested


def test_github_format_annotates_files(
    runner: CliRunner, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo({"ratings/QS2.yaml": "quality_statement: QS2\nself_score: 7\n"})
    monkeypatch.chdir(root.parent)
    result = runner.invoke(app, ["validate", "repo", "--format", "github"])
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("::error file=repo/ratings/QS2.yaml,line=2,col=1,title=bad-value::")
    assert "it must be at most 4" in first


def test_gitlab_format_is_a_code_quality_report(
    runner: CliRunner, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo({"ratings/QS2.yaml": "quality_statement: QS2\nself_score: 7\n"})
    monkeypatch.chdir(root.parent)
    result = runner.invoke(app, ["validate", "repo", "--format", "gitlab"])
    assert result.exit_code == 1
    issues = json.loads(result.stdout)
    issue = next(i for i in issues if i["check_name"] == "bad-value")
    assert issue["location"] == {"path": "repo/ratings/QS2.yaml", "lines": {"begin": 2}}
    assert issue["severity"] == "major" and "it must be at most 4" in issue["description"]
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    # A problem that only moved down keeps its fingerprint, so GitLab does not call it new.
    (root / "ratings" / "QS2.yaml").write_text(
        "# moved\nquality_statement: QS2\nself_score: 7\n", encoding="utf-8"
    )
    moved = json.loads(runner.invoke(app, ["validate", "repo", "--format", "gitlab"]).stdout)
    again = next(i for i in moved if i["check_name"] == "bad-value")
    assert again["location"]["lines"]["begin"] == 3
    assert again["fingerprint"] == issue["fingerprint"]


def test_warnings_pass_unless_strict(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo({"ascready.yaml": "council: T\nons_code: E10000099\nregion: London\n"})
    assert runner.invoke(app, ["validate", str(root)]).exit_code == 0
    strict = runner.invoke(app, ["validate", str(root), "--strict"])
    assert strict.exit_code == 1 and "portal-uploaders" in strict.stdout


def test_usage_errors_exit_2(runner: CliRunner, make_repo: MakeRepo, tmp_path: Path) -> None:
    bad_format = runner.invoke(app, ["validate", str(make_repo()), "--format", "xml"])
    assert bad_format.exit_code == 2 and "unknown --format 'xml'" in bad_format.stderr
    missing = runner.invoke(app, ["validate", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    no_repo = runner.invoke(app, ["validate", str(empty)])
    assert no_repo.exit_code == 2 and "no ascready.yaml" in no_repo.stderr
    assert runner.invoke(app, ["validate", "--jobs", "0"]).exit_code == 2


def test_thirty_broken_files_are_all_reported_in_one_run(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    broken = {
        "evidence/B01.yaml": "id: B01\ntitle: x\n  kind: policy\n",
        "evidence/B02.yaml": "a: 1\na: 2\n",
        "evidence/B03.yaml": "",
        "evidence/B04.yaml": "- a\n- b\n",
        "evidence/B05.yaml": b"title: caf\xe9\n",
        "evidence/B06.yaml": "a: &a [1, *a]\n",
        "evidence/B07.yaml": "[" * 5000 + "]" * 5000,
        "evidence/B08.yaml": "a: 1\n---\nb: 2\n",
        "evidence/B09.yml": "id: B09\n",
        "evidence/B10.yaml": "a:\n\t- b\n",
        "evidence/B11.yaml": "a: !!python/name:os.system\n",
        "evidence/B12.yaml": 'a: "unclosed\n',
        "evidence/B13.yaml": "just text\n",
        "evidence/B14.yaml": "id: EV-001\ntitle: t\nkind: policy\ncategories: [processes]\n"
        "quality_statements: [QS1]\nclassification: public\n",
        "evidence/B15.yaml": "id: B15\ntitle: t\nkind: policy\ncategories: [processes]\n"
        "quality_statements: [QS99]\nclassification: public\n",
        "evidence/B16.yaml": "id: B16\ntitle: t\nkind: policy\ncategories: [processes]\n"
        "quality_statements: [QS1]\nclassification: public\nsource: files/nope.pdf\n",
        "evidence/B17.yaml": "id: B17\ntitle: t\nkind: policy\ncategories: [processes]\n"
        "quality_statements: [QS1]\nclassification: public\nas_of: 2024-02-30\n",
        "evidence/B18.yaml": "id: B18\ntitle: t\nkind: policy\ncategories: [processes]\n"
        "quality_statements: [QS1]\nclassification: public\nsummary: NHS 9434765919\n",
        "evidence/B19.yaml": "id: B19\ntitle: true\nkind: policy\ncategories: [processes]\n"
        "quality_statements: [QS1]\nclassification: public\n",
        "evidence/B20.yaml": "id: B20\ntitle: t\nkind: policy\ncategories: [processes]\n"
        "quality_statements: [QS1]\nclassification: secret\n",
        "information-return/B21.yaml": "number: 2\ntitle: Duplicate number\n",
        "information-return/B22.yaml": "number: 3\ntitle: N/A\nstatus: not-applicable\n",
        "information-return/B23.yaml": "number: 4\ntitle: t\nevidence: [EV-404]\n",
        "information-return/B24.yaml": "number: zero\ntitle: t\n",
        "ratings/B25.yaml": "quality_statement: QS3\nself_score: 0\n",
        "ratings/B26.yaml": "quality_statement: QS4\nstrengths:\n  - id: S-QS1-01\n    text: dup\n",
        "ratings/B27.yaml": "quality_statement: QS5\nstrenghts: []\n",
        "actions/B28.yaml": "id: B28\ntitle: t\ndue: tomorrow\n",
        "actions/B29.yaml": "id: B29\ntitle: t\nanswers: [AFI-NOPE]\n",
        "actions/B30.yaml": "id: B30\ntitle: t\nstatus: finished\n",
    }
    root = make_repo(broken)
    result = runner.invoke(app, ["validate", str(root), "--format", "json"])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    files_with_errors = {
        f["file"].rsplit("/", 1)[-1].split(".")[0]
        for f in json.loads(result.stdout)
        if f["severity"] == "error"
    }
    assert {f"B{n:02d}" for n in range(1, 31)} <= files_with_errors


def test_huge_file_is_reported_not_read(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo({"evidence/EV-009.yaml": "summary: " + "x" * 1_100_000 + "\n"})
    result = runner.invoke(app, ["validate", str(root), "--format", "json"])
    assert result.exit_code == 1
    assert [(f["file"], f["check"]) for f in json.loads(result.stdout)] == [
        ("evidence/EV-009.yaml", "file-too-large")
    ]


def test_parallel_and_serial_runs_agree(runner: CliRunner, make_repo: MakeRepo) -> None:
    files: dict[str, str | bytes] = {
        f"evidence/P{n:03d}.yaml": (
            f"id: P{n:03d}\ntitle: t\nkind: data\ncategories: [processes]\n"
            f"quality_statements: [QS{n % 9 + 1}]\nclassification: public\n"
            + ("summary: call 07700 900123\n" if n % 50 == 0 else "")
            + ("owner: [a, b]\n" if n % 70 == 0 else "")
        )
        for n in range(450)
    }
    root = make_repo(files)
    serial = runner.invoke(app, ["validate", str(root), "--format", "json", "--jobs", "1"])
    parallel = runner.invoke(app, ["validate", str(root), "--format", "json", "--jobs", "2"])
    assert serial.stdout == parallel.stdout
    assert len(json.loads(serial.stdout)) == 9 + 7


def test_symlink_pointing_outside_the_repository(
    runner: CliRunner, make_repo: MakeRepo, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("outside", encoding="utf-8")
    root = make_repo(
        {
            "evidence/EV-009.yaml": "id: EV-009\ntitle: t\nkind: data\ncategories: [processes]\n"
            "quality_statements: [QS1]\nclassification: public\nsource: files/link.txt\n"
        }
    )
    (root / "files" / "link.txt").symlink_to(secret)
    result = runner.invoke(app, ["validate", str(root), "--format", "json"])
    assert [(f["file"], f["check"], f["line"]) for f in json.loads(result.stdout)] == [
        ("evidence/EV-009.yaml", "source-outside", 7),
        ("files/link.txt", "document-unreadable", 1),  # not read, so not scanned
    ]


def test_checks_command_lists_every_check(runner: CliRunner) -> None:
    from ascready.checks.registry import REGISTRY

    result = runner.invoke(app, ["checks"])
    assert result.exit_code == 0
    for check_id in REGISTRY:
        assert check_id in result.stdout


def test_console_script_never_shows_a_traceback(make_repo: MakeRepo) -> None:
    """Through the real entry point, as a user runs it, on garbage input."""
    root = make_repo({"evidence/EV-009.yaml": b"\x00\xff\xfe garbage: [\n"})
    proc = subprocess.run(
        [sys.executable, "-m", "ascready", "validate", str(root)],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "EV-009.yaml:1:2" in proc.stdout and "not valid UTF-8" in proc.stdout


def test_a_file_that_cannot_be_read_does_not_cascade(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    root = make_repo({"evidence/EV-001.yaml": "id: EV-001\ntitle: [broken\n"})
    result = runner.invoke(app, ["validate", str(root), "--format", "json"])
    assert [(f["file"], f["check"]) for f in json.loads(result.stdout)] == [
        ("evidence/EV-001.yaml", "yaml-syntax")
    ]
