"""``ascready init``: a new council's repository, from flags or prompts, that checks clean, with
CI for GitHub and GitLab that works, and never a file of the council's replaced."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ascready import __version__
from ascready.authoring import install, scaffold
from ascready.checks.load import load_framework, load_project
from ascready.cli import app
from ascready.repository import models, yamlsafe
from ascready.repository.kinds import BY_FOLDER
from ascready.repository.project import PROFILE_FILE

ITEMS: int = models.CouncilProfile.model_fields["information_return_items"].default
FRAMEWORK = load_framework(Path("."), None, [])[0]
QS_IDS = [q.id for q in FRAMEWORK.quality_statements]
FLAGS = ["--council", "Testshire Council", "--ons-code", "E10000099", "--region", "East Midlands"]
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
BASH = shutil.which("bash")


def init(runner: CliRunner, target: Path, *args: str) -> Any:
    return runner.invoke(app, ["init", str(target), *args])


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def load(path: Path) -> Any:
    data, problems = yamlsafe.parse_bytes(path.read_bytes())
    assert problems == [], problems
    return data


def load_text(text: str) -> Any:
    data, problems = yamlsafe.parse_bytes(text.encode("utf-8"))
    assert problems == [], problems
    return data


@pytest.fixture
def repo(runner: CliRunner, tmp_path: Path) -> Path:
    root = tmp_path / "council"
    result = init(runner, root, *FLAGS)
    assert result.exit_code == 0, result.output
    return root


# --- a new repository ----------------------------------------------------------------------------


def test_init_from_flags_makes_a_repository_that_checks_clean(
    runner: CliRunner, tmp_path: Path
) -> None:
    root = tmp_path / "deep" / "new-council"  # parents are created too
    result = init(
        runner, root, "--council", "Testshire Council", "--ons-code", " e10000099 ", "--region",
        "  east   MIDLANDS ",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    files = tree(root)
    assert f"wrote {len(files)} files" in result.stdout
    assert "git init" in result.stdout and "ascready new evidence" in result.stdout
    assert "READINESS_FLOOR" in result.stdout

    profile = load(root / PROFILE_FILE)
    assert profile["council"] == "Testshire Council"
    assert profile["ons_code"] == "E10000099" and profile["region"] == "East Midlands"
    assert profile["framework"] == FRAMEWORK.id
    assert profile["information_return_items"] == ITEMS
    for path in (
        "evidence/.gitkeep", "actions/.gitkeep", "files/.gitkeep", "README.md", ".gitignore",
        ".github/workflows/ascready.yml", ".gitlab-ci.yml", ".pre-commit-config.yaml",
        ".vscode/settings.json", ".vscode/extensions.json",
    ):  # fmt: skip
        assert path in files, path

    returns = sorted(root.glob("information-return/*.yaml"))
    assert [load(p)["number"] for p in returns] == list(range(1, ITEMS + 1))
    for path in returns:
        item = load(path)
        assert item["status"] == "not-started"
        assert "CQC's information return request" in item["title"]
        assert f"item {item['number']} " in item["title"]

    ratings = {p.stem: load(p) for p in sorted((root / "ratings").glob("*.yaml"))}
    assert sorted(ratings) == sorted(QS_IDS)
    for qs_id, rating in ratings.items():
        assert rating == {
            "quality_statement": qs_id,
            "narrative": "",
            "strengths": [],
            "areas_for_improvement": [],
        }  # no self_score until the council sets one

    validated = runner.invoke(app, ["validate", str(root)])
    assert validated.exit_code == 0, validated.output
    assert "No problems found" in validated.stdout
    strict = runner.invoke(app, ["validate", str(root), "--strict", "--format", "json"])
    assert strict.exit_code == 0 and json.loads(strict.stdout) == []  # not even a warning

    gaps = runner.invoke(app, ["gaps", str(root), "--format", "json"])
    assert gaps.exit_code == 0, gaps.output
    report = json.loads(gaps.stdout)["information_return"]
    assert report["expected"] == ITEMS and report["ready_or_uploaded"] == 0
    assert len(report["rows"]) == ITEMS
    assert runner.invoke(app, ["gaps", str(root)]).exit_code == 0


def test_rating_files_explain_their_quality_statement_and_show_the_shape_to_copy(
    repo: Path,
) -> None:
    for qs in FRAMEWORK.quality_statements:
        text = (repo / "ratings" / f"{qs.id}.yaml").read_text(encoding="utf-8")
        comments = " ".join(line.lstrip("# ") for line in text.splitlines() if line[:1] == "#")
        theme = next(t for t in FRAMEWORK.themes if t.id == qs.theme)
        assert qs.title in comments and theme.title in comments
        assert " ".join(qs.we_statement.split()) in " ".join(comments.split())
        # Uncommenting the example gives a valid rating with one of each.
        example = re.sub(r"(?m)^# (  - |    |strengths:|areas_for_improvement:)", r"\1", text)
        example = example.replace("strengths: []\n", "").replace("areas_for_improvement: []\n", "")
        rating = models.Rating.model_validate(load_text(example))
        assert len(rating.strengths) == 1 and len(rating.areas_for_improvement) == 1
        assert rating.areas_for_improvement[0].actions and rating.strengths[0].evidence


def test_every_file_is_utf8_with_lf_line_endings(repo: Path) -> None:
    for path, data in tree(repo).items():
        text = data.decode("utf-8")
        assert "\r" not in text, path
        assert "@@" not in text, path  # every placeholder filled
        assert text == "" or text.endswith("\n"), path


def test_output_is_deterministic(runner: CliRunner, tmp_path: Path) -> None:
    assert init(runner, tmp_path / "one", *FLAGS).exit_code == 0
    assert init(runner, tmp_path / "two", *FLAGS).exit_code == 0
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_readme_is_for_evidence_owners_and_names_the_council(repo: Path) -> None:
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert readme.splitlines()[0].startswith("# Testshire Council")
    for needed in (
        "ascready new evidence --title", "--kind", "--category", "--qs", "--classification",
        "ascready validate", "ascready gaps", "`public`", "`official`", "`official-sensitive`",
        "NHS numbers", "dates of birth", "home addresses", "pull request", "READINESS_FLOOR",
        f"ascready {__version__}",
    ):  # fmt: skip
        assert needed in readme, needed
    for folder in (*BY_FOLDER, "files"):
        assert f"`{folder}/`" in readme, folder


# --- answers: prompts, missing flags, wrong values -----------------------------------------------


def test_prompts_at_a_terminal_and_asks_again_after_a_wrong_answer(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ascready.cli.init._stdin_is_terminal", lambda: True)
    root = tmp_path / "prompted"
    answers = "Ynys Môn Council\nE07000001\ne06000099\nWessex\nsouth east\n"
    result = runner.invoke(app, ["init", str(root)], input=answers)
    assert result.exit_code == 0, result.output
    assert "district council" in result.stderr  # why E07 was refused
    assert "'Wessex' is not one of the nine English regions" in result.stderr
    assert "South West" in result.stdout  # the regions are listed before asking
    assert result.stdout.count("ONS code") == 2 and result.stdout.count("Region:") == 2
    profile = load_project(root)[0].profile
    assert profile is not None
    assert (profile.council, profile.ons_code, profile.region) == (
        "Ynys Môn Council",
        "E06000099",
        models.Region.SOUTH_EAST,
    )


def test_prompts_only_for_what_the_flags_leave_out(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ascready.cli.init._stdin_is_terminal", lambda: True)
    root = tmp_path / "partly"
    result = runner.invoke(
        app,
        ["init", str(root), "--council", "Testshire", "--region", "London"],
        input="E09000001\n",
    )
    assert result.exit_code == 0, result.output
    assert "Council name" not in result.stdout and "ONS code" in result.stdout
    assert load(root / PROFILE_FILE)["ons_code"] == "E09000001"


def test_without_a_terminal_missing_flags_are_named_and_nothing_is_written(
    runner: CliRunner, tmp_path: Path
) -> None:
    root = tmp_path / "ci"
    result = init(runner, root)  # CliRunner's stdin is not a terminal: it must not wait
    assert result.exit_code == 2
    assert "missing --council, --ons-code and --region" in result.stderr
    assert "no terminal" in result.stderr
    assert not root.exists()
    one = init(runner, root, "--council", "Testshire", "--ons-code", "E10000099")
    assert one.exit_code == 2 and "missing --region" in one.stderr
    assert "--council" not in one.stderr.split("for example")[0]
    assert not root.exists()


@pytest.mark.parametrize(
    ("flag", "value", "says"),
    [
        ("--ons-code", "E07000001", "district council"),
        ("--ons-code", "W06000001", "England only"),
        ("--ons-code", "E0600002", "E06 (unitary), E08 (metropolitan borough)"),
        ("--region", "Wessex", "Use one of: North East, North West"),
        ("--council", "   ", "the council's name is empty"),
        ("--council", "Testshire\x07", "cannot be shown"),
    ],
)
def test_a_wrong_flag_says_what_is_wrong_and_writes_nothing(
    runner: CliRunner, tmp_path: Path, flag: str, value: str, says: str
) -> None:
    args = dict(zip(FLAGS[::2], FLAGS[1::2], strict=True)) | {flag: value}
    root = tmp_path / "wrong"
    result = init(runner, root, *[x for pair in args.items() for x in pair])
    assert result.exit_code == 2
    assert says in result.stderr and flag in result.stderr
    assert "Traceback" not in result.output
    assert not root.exists()


def test_answers_are_tidied_by_the_shared_checks() -> None:
    assert scaffold.check_region(" yorkshire & the humber ") == "Yorkshire and The Humber"
    assert scaffold.check_ons_code("e08 000 001") == "E08000001"
    assert scaffold.check_council("  Bath &\nNorth East\tSomerset ") == "Bath & North East Somerset"
    for region in models.Region:
        assert scaffold.check_region(region.value.upper()) == region.value


@pytest.mark.parametrize(
    "name",
    [
        "Bath & North East Somerset",
        'The "Quoted" Council',
        "Council: with a colon",
        "Ynys Môn",
        "# not a comment",
        "- not a list",
        "'single quotes'",
        "yes",
        "null",
        "[not a list]",
        "*not an alias",
        "Back\\slash",
        "Café ✓ 🏛",
    ],
)
def test_any_council_name_reads_back_unchanged(
    runner: CliRunner, tmp_path: Path, name: str
) -> None:
    root = tmp_path / "awkward"
    result = init(
        runner, root, "--council", name, "--ons-code", "E06000022", "--region", "South West"
    )
    assert result.exit_code == 0, result.output
    project, findings = load_project(root)
    assert project.profile is not None and project.profile.council == name
    assert findings == []
    assert runner.invoke(app, ["validate", str(root), "--strict"]).exit_code == 0


# --- folders that are not empty ------------------------------------------------------------------


def test_a_folder_that_is_not_empty_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    root = tmp_path / "busy"
    root.mkdir()
    (root / "notes.txt").write_bytes(b"mine\r\n")
    result = init(runner, root, *FLAGS)
    assert result.exit_code == 2
    assert "not empty" in result.stderr and "--into-existing" in result.stderr
    assert tree(root) == {"notes.txt": b"mine\r\n"}


def test_a_file_is_not_a_folder(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = init(runner, tmp_path / "file", *FLAGS)
    assert result.exit_code == 2 and "is a file" in result.stderr


def test_into_existing_adds_only_missing_files_and_never_replaces_one(
    runner: CliRunner, tmp_path: Path
) -> None:
    root = tmp_path / "existing"
    own_profile = (
        b"# ours\r\ncouncil: Testshire Council\r\nons_code: E10000099\r\nregion: East Midlands\r\n"
    )
    own_item = b"number: 1\ntitle: Our own name for the first item\n"
    own_readme = b"Our own README\n"
    for rel, data in {
        PROFILE_FILE: own_profile,
        "information-return/first.yaml": own_item,
        "README.md": own_readme,
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)

    result = init(runner, root, *FLAGS, "--into-existing")
    assert result.exit_code == 0, result.output
    files = tree(root)
    assert files[PROFILE_FILE] == own_profile  # byte for byte
    assert files["README.md"] == own_readme
    assert files["information-return/first.yaml"] == own_item
    # The council's own return items may use other names: seeding could number one twice.
    assert [p for p in files if p.startswith("information-return/")] == [
        "information-return/first.yaml"
    ]
    assert "Did not add the" in result.stdout and "information-return/ already has" in result.stdout
    assert sorted(Path(p).stem for p in files if p.startswith("ratings/")) == sorted(QS_IDS)
    assert ".github/workflows/ascready.yml" in files and "schemas/rating.schema.json" in files
    assert "Kept 2 files" in result.stdout
    assert f"  {PROFILE_FILE}\n" in result.stdout and "  README.md\n" in result.stdout

    # A second run finds nothing missing and changes nothing.
    again = init(runner, root, *FLAGS, "--into-existing")
    assert again.exit_code == 0, again.output
    assert "Added 0 files" in again.stdout
    assert tree(root) == files


def test_into_existing_seeds_as_many_items_as_the_existing_profile_asks_for(
    runner: CliRunner, tmp_path: Path
) -> None:
    root = tmp_path / "forty"
    root.mkdir()
    (root / PROFILE_FILE).write_text(
        "council: Testshire Council\nons_code: E10000099\nregion: London\n"
        "information_return_items: 40\nportal_uploaders: [{role: A}, {role: B}]\n",
        encoding="utf-8",
    )
    assert init(runner, root, *FLAGS, "--into-existing").exit_code == 0
    numbers = [load(p)["number"] for p in sorted(root.glob("information-return/*.yaml"))]
    assert numbers == list(range(1, 41))
    assert runner.invoke(app, ["validate", str(root), "--strict"]).exit_code == 0


def test_a_failed_write_is_reported_plainly_and_leaves_nothing(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ascready.io.writing

    real = ascready.io.writing._move_new
    calls: list[Path] = []

    def failing(staged: Path, path: Path) -> None:
        calls.append(path)
        if len(calls) == 5:
            raise PermissionError(13, "Permission denied")
        real(staged, path)

    monkeypatch.setattr(ascready.io.writing, "_move_new", failing)
    result = init(runner, tmp_path / "denied", *FLAGS)
    assert result.exit_code == 2
    assert "Permission denied" in result.stderr
    assert "Nothing was changed" in result.stderr
    assert not isinstance(result.exception, PermissionError)
    assert len(calls) == 5
    assert not (tmp_path / "denied").exists()  # not half a repository: nothing at all
    assert init(runner, tmp_path / "denied", *FLAGS).exit_code == 0  # and it can simply be rerun


# --- schemas and editors -------------------------------------------------------------------------


def test_schemas_are_the_ones_ascready_schema_writes(
    runner: CliRunner, repo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "from-schema-command"
    assert runner.invoke(app, ["schema", "--out", str(out)]).exit_code == 0
    assert tree(repo / "schemas") == tree(out)


def test_seeded_files_pass_the_schemas_editors_use(repo: Path) -> None:
    settings = json.loads((repo / ".vscode/settings.json").read_text(encoding="utf-8"))
    for schema, globs in settings["yaml.schemas"].items():
        files = sorted({str(p) for g in globs for p in repo.glob(g.lstrip("/"))})
        if not files:
            continue
        checked = subprocess.run(
            [str(CHECK_JSONSCHEMA), "--schemafile", str(repo / schema), *files],
            capture_output=True,
            text=True,
            check=False,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_vscode_settings_map_every_schema_to_the_files_it_describes(repo: Path) -> None:
    settings = json.loads((repo / ".vscode/settings.json").read_text(encoding="utf-8"))
    mapping: dict[str, list[str]] = settings["yaml.schemas"]
    on_disk = {f"./schemas/{p.name}" for p in (repo / "schemas").glob("*.schema.json")}
    assert set(mapping) == on_disk
    all_globs = [g for globs in mapping.values() for g in globs]
    assert f"/{PROFILE_FILE}" in mapping["./schemas/ascready.schema.json"]
    for folder, model in ((k.folder, k.model) for k in BY_FOLDER.values()):
        (schema,) = [s for s, globs in mapping.items() if f"/{folder}/**/*.yaml" in globs]
        assert f"/{folder}/**/*.yml" in mapping[schema]
        assert json.loads((repo / schema).read_text(encoding="utf-8"))["title"] == model.__name__
    assert len(all_globs) == len(set(all_globs))  # no file claimed by two schemas
    extensions = json.loads((repo / ".vscode/extensions.json").read_text(encoding="utf-8"))
    assert "redhat.vscode-yaml" in extensions["recommendations"]


# --- CI ------------------------------------------------------------------------------------------


def check_jsonschema(builtin: str, path: Path) -> None:
    assert CHECK_JSONSCHEMA.exists(), "check-jsonschema is a dev dependency: pip install -e .[dev]"
    checked = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", builtin, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


STUB = r"""#!/usr/bin/env bash
printf '%s\n' "$(basename "$0") $*" >> "$STUB_LOG"
name=$(basename "$0")
if [ "$name" = gh ]; then
  for a in "$@"; do [ "$a" = --edit-last ] && exit 1; done  # no earlier comment to edit
fi
if [ "$name" = ascready ] && [ "$1" = diff ]; then
  while [ $# -gt 0 ]; do [ "$1" = --out ] && echo "## What changed" > "$2"; shift; done
fi
exit 0
"""


def run_with_stubs(
    tmp_path: Path, script: str, env: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run a CI script under ``bash -e`` with ascready, gh, git, curl and python stubbed."""
    assert BASH is not None
    stubs = tmp_path / "stubs"
    if not stubs.exists():
        stubs.mkdir()
        for name in ("ascready", "gh", "git", "curl", "python"):
            (stubs / name).write_text(STUB, encoding="utf-8")
            (stubs / name).chmod(0o755)
    log = tmp_path / "commands.log"
    log.write_text("", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    full_env = {"PATH": f"{stubs}{os.pathsep}{os.environ['PATH']}", "STUB_LOG": str(log), **env}
    done = subprocess.run(
        [BASH, "--noprofile", "--norc", "-e", "-c", script],
        cwd=work,
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
    )
    return done, log.read_text(encoding="utf-8").splitlines()


def test_github_workflow_is_valid_and_safe(repo: Path) -> None:
    path = repo / ".github/workflows/ascready.yml"
    check_jsonschema("vendor.github-workflows", path)
    workflow = load(path)
    assert set(workflow["on"]) == {"pull_request", "push", "workflow_dispatch"}
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["env"]["READINESS_FLOOR"] == "0"
    (job,) = workflow["jobs"].values()
    assert job["permissions"]["pull-requests"] == "write"
    steps = job["steps"]
    assert all(step.get("name") for step in steps)
    for step in steps:  # ${{ }} in a script is a script-injection risk: use env instead
        assert "${{" not in step.get("run", ""), step["name"]

    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["python-version"] == "3.12"
    runs = [s for s in steps if "run" in s]
    # The source is data in a variable, never pasted into the script.
    assert runs[0]["run"] == 'python -m pip install "$ASCREADY_INSTALL"'
    assert workflow["env"]["ASCREADY_INSTALL"] == f"ascready=={__version__}"
    diff = next(s for s in runs if "ascready diff" in s["run"])
    assert "--format markdown" in diff["run"] and "pull_request" in diff["if"]
    assert diff["env"]["BASE_REF"] == "${{ github.base_ref }}"
    comment = next(s for s in runs if "gh pr comment" in s["run"])
    assert "pull_request" in comment["if"] and "head.repo.full_name" in comment["if"]
    assert comment["env"]["GH_TOKEN"] == "${{ github.token }}"
    validate = next(s for s in runs if "ascready validate" in s["run"])
    assert "--format github" in validate["run"] and "if" not in validate
    gaps = next(s for s in runs if "ascready gaps" in s["run"])
    assert '--fail-under "$READINESS_FLOOR"' in gaps["run"] and "if" not in gaps
    assert steps.index(diff) < steps.index(comment) < steps.index(validate) < steps.index(gaps)


@pytest.mark.skipif(BASH is None, reason="needs bash")
def test_github_workflow_scripts_run_under_bash_e(repo: Path, tmp_path: Path) -> None:
    workflow = load(repo / ".github/workflows/ascready.yml")
    (job,) = workflow["jobs"].values()
    # A branch name is chosen by whoever opens the pull request: it must stay data.
    hostile_branch = 'main$(touch pwned)";touch pwned;"'
    expressions = {
        "${{ github.base_ref }}": hostile_branch,
        "${{ github.token }}": "token",
        "${{ github.event.pull_request.number }}": "7",
    }
    summary = tmp_path / "summary.md"
    commands: list[str] = []
    for step in job["steps"]:
        if "run" not in step:
            continue
        env = {**workflow["env"], "GITHUB_STEP_SUMMARY": str(summary)}
        for key, value in step.get("env", {}).items():
            env[key] = expressions[value]  # an unknown expression fails here
        done, log = run_with_stubs(tmp_path, step["run"], env)
        assert done.returncode == 0, (step["name"], done.stderr)
        commands += log
    assert commands == [
        f"python -m pip install ascready=={__version__}",
        f"ascready diff origin/{hostile_branch} --format markdown --out ascready-diff.md --force",
        "gh pr comment 7 --body-file ascready-diff.md --edit-last",
        "gh pr comment 7 --body-file ascready-diff.md",  # no earlier comment: a new one
        "ascready validate --format github",
        "ascready gaps --fail-under 0",
    ]
    assert summary.read_text(encoding="utf-8") == "## What changed\n"
    assert not (tmp_path / "work" / "pwned").exists()


def test_gitlab_ci_is_valid_and_does_the_same(repo: Path) -> None:
    path = repo / ".gitlab-ci.yml"
    check_jsonschema("vendor.gitlab-ci", path)
    job = load(path)["ascready"]
    assert job["image"] == "python:3.12"
    assert job["variables"]["GIT_DEPTH"] == "0" and job["variables"]["READINESS_FLOOR"] == "0"
    rules = " ".join(rule["if"] for rule in job["rules"])
    assert "merge_request_event" in rules and "$CI_DEFAULT_BRANCH" in rules
    assert job["variables"]["ASCREADY_INSTALL"] == f"ascready=={__version__}"
    script = "\n".join(job["script"])
    for needed in (
        'python -m pip install "$ASCREADY_INSTALL"',
        'ascready diff "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME" --format markdown',
        "ascready validate --format gitlab > gl-code-quality-report.json || true",
        'ascready gaps --fail-under "$READINESS_FLOOR"',
    ):
        assert needed in script, needed
    assert "ascready validate" in job["script"]  # plain text in the log; fails on errors
    assert job["artifacts"]["when"] == "always"
    assert job["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    assert "ascready-diff.md" in job["artifacts"]["paths"]
    assert "project access token" in path.read_text(encoding="utf-8")  # why the token is needed


@pytest.mark.skipif(BASH is None, reason="needs bash")
@pytest.mark.parametrize("token", ["", "glpat-secret"])
def test_gitlab_script_runs_under_bash_e(repo: Path, tmp_path: Path, token: str) -> None:
    job = load(repo / ".gitlab-ci.yml")["ascready"]
    env = {
        **job["variables"],
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
        "CI_API_V4_URL": "https://gitlab.example/api/v4",
        "CI_PROJECT_ID": "42",
        "CI_MERGE_REQUEST_IID": "5",
    }
    if token:
        env["ASCREADY_GITLAB_TOKEN"] = token
    commands: list[str] = []
    for line in job["script"]:
        done, log = run_with_stubs(tmp_path, line, env)
        assert done.returncode == 0, (line, done.stderr)
        commands += log
    assert commands[0] == f"python -m pip install ascready=={__version__}"
    assert commands[1].startswith("git fetch origin") and commands[1].endswith("main")
    assert (
        commands[2] == "ascready diff origin/main --format markdown --out ascready-diff.md --force"
    )
    posted = [c for c in commands if c.startswith("curl ")]
    if token:
        (curl,) = posted
        assert "--fail" in curl and f"--header PRIVATE-TOKEN: {token}" in curl
        assert "--data-urlencode body@ascready-diff.md" in curl
        assert curl.endswith("https://gitlab.example/api/v4/projects/42/merge_requests/5/notes")
    else:
        assert posted == []  # without a token the summary is only kept with the job
    assert commands[-3:] == [
        "ascready validate --format gitlab",
        "ascready validate",
        "ascready gaps --fail-under 0",
    ]
    # On the default branch there is no merge request to compare with or comment on.
    env["CI_PIPELINE_SOURCE"] = "push"
    branch: list[str] = []
    for line in job["script"]:
        done, log = run_with_stubs(tmp_path, line, env)
        assert done.returncode == 0, (line, done.stderr)
        branch += log
    assert not any(c.startswith(("ascready diff", "git ", "curl ")) for c in branch)


def test_pre_commit_runs_validate_on_every_change(repo: Path) -> None:
    config = load(repo / ".pre-commit-config.yaml")
    (entry,) = config["repos"]
    assert entry["repo"] == "local"
    (hook,) = entry["hooks"]
    assert hook["id"] == "ascready-validate" and hook["name"] == "ascready validate"
    assert hook["entry"] == "ascready validate" and hook["language"] == "python"
    assert hook["additional_dependencies"] == [f"ascready=={__version__}"]
    assert hook["pass_filenames"] is False
    # No file filter: deleting a document under files/ breaks the evidence that cites it.
    assert "files" not in hook and "types" not in hook


# --- where CI installs ascready from: init --install ---------------------------------------------

WHEEL = "wheels/ascready-0.2.0-py3-none-any.whl"
WHEEL_URL = "https://files.example.org/ascready/ascready-0.2.0-py3-none-any.whl#sha256=ab12"
GIT = "git+https://github.com/example-org/ascready@v0.2.0"
#: Each form --install takes, and what pip is then given (PEP 508, or a path from the top of
#: the repository, where CI runs).
SOURCES = [
    ("0.2.0", "ascready==0.2.0"),
    ("v0.2.0", "ascready==0.2.0"),
    ("ascready==1.0rc1", "ascready==1.0rc1"),
    (WHEEL, f"./{WHEEL}"),
    (f"./{WHEEL}", f"./{WHEEL}"),
    (WHEEL_URL, f"ascready @ {WHEEL_URL}"),
    (GIT, f"ascready @ {GIT}"),
    (
        "git+https://gitlab.example.gov.uk/digital/ascready.git@3f2a9c1",
        "ascready @ git+https://gitlab.example.gov.uk/digital/ascready.git@3f2a9c1",
    ),
]


@pytest.mark.parametrize(("given", "requirement"), SOURCES)
def test_install_sources_become_what_pip_installs(given: str, requirement: str) -> None:
    from packaging.requirements import Requirement

    source = install.check_install(given)
    assert source.requirement == requirement
    if requirement.startswith("./"):  # pip takes a path to a wheel as it is
        assert source.wheel_path == WHEEL
        return
    parsed = Requirement(requirement)  # as pip reads it
    assert parsed.name == "ascready" and source.wheel_path is None
    if "@" in requirement.split("==")[0]:
        assert parsed.url == given and not parsed.specifier
    else:
        assert str(parsed.specifier) == requirement.removeprefix("ascready")


def argv_of_install(tmp_path: Path, script: str, env: dict[str, str]) -> list[str]:
    """Run an install script under bash -e with a stand-in python that records its arguments,
    one per line, so that what the shell split or expanded shows."""
    assert BASH is not None
    stubs = tmp_path / "argv-stubs"
    stubs.mkdir(exist_ok=True)
    (stubs / "python").write_text(
        '#!/bin/sh\nfor a in "$@"; do printf \'%s\\n\' "$a"; done > "$ARGV"\n', encoding="utf-8"
    )
    (stubs / "python").chmod(0o755)
    argv = tmp_path / "argv.txt"
    work = tmp_path / "argv-work"
    work.mkdir(exist_ok=True)
    done = subprocess.run(
        [BASH, "--noprofile", "--norc", "-e", "-c", script],
        cwd=work,
        env={"PATH": f"{stubs}{os.pathsep}{os.environ['PATH']}", "ARGV": str(argv), **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert not list(work.iterdir())  # nothing ran but the install
    return argv.read_text(encoding="utf-8").splitlines()


@pytest.mark.skipif(BASH is None, reason="needs bash")
@pytest.mark.parametrize(("given", "requirement"), SOURCES[2:])
def test_every_file_that_installs_ascready_installs_the_given_source(
    runner: CliRunner, tmp_path: Path, given: str, requirement: str
) -> None:
    root = tmp_path / "council"
    result = init(runner, root, *FLAGS, "--install", given)
    assert result.exit_code == 0, result.output

    workflow = load(root / ".github/workflows/ascready.yml")
    (job,) = workflow["jobs"].values()
    (step,) = [s for s in job["steps"] if "pip install" in s.get("run", "")]
    argv = argv_of_install(tmp_path, step["run"], workflow["env"])
    assert argv == ["-m", "pip", "install", requirement]

    gitlab = load(root / ".gitlab-ci.yml")["ascready"]
    (line,) = [x for x in gitlab["script"] if "pip install" in x]
    assert argv_of_install(tmp_path, line, gitlab["variables"]) == argv

    (hook,) = load(root / ".pre-commit-config.yaml")["repos"][0]["hooks"]
    pre_commit = (root / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    if requirement.startswith("./"):
        # pre-commit installs hooks away from the repository, where the path means nothing:
        # the hook uses the ascready installed on the computer, and says how to install it.
        assert hook["language"] == "system" and "additional_dependencies" not in hook
        assert f"python -m pip install {requirement}" in pre_commit
        assert "copy the wheel there" in result.stdout and WHEEL in result.stdout
    else:
        assert hook["language"] == "python"
        assert hook["additional_dependencies"] == [requirement]
    assert f"`{requirement}`" in (root / "README.md").read_text(encoding="utf-8")
    assert runner.invoke(app, ["validate", str(root), "--strict"]).exit_code == 0


def test_workflows_with_another_source_are_still_valid(runner: CliRunner, tmp_path: Path) -> None:
    root = tmp_path / "council"
    assert init(runner, root, *FLAGS, "--install", WHEEL_URL).exit_code == 0
    check_jsonschema("vendor.github-workflows", root / ".github/workflows/ascready.yml")
    check_jsonschema("vendor.gitlab-ci", root / ".gitlab-ci.yml")


@pytest.mark.skipif(BASH is None, reason="needs bash")
def test_a_source_with_shell_characters_stays_one_argument(
    runner: CliRunner, tmp_path: Path
) -> None:
    awkward = "https://dl.example.org/a;touch,pwned/ascready-0.2.0-py3-none-any.whl?a=1&b=(2)*"
    root = tmp_path / "council"
    assert init(runner, root, *FLAGS, "--install", awkward).exit_code == 0
    workflow = load(root / ".github/workflows/ascready.yml")
    (job,) = workflow["jobs"].values()
    (step,) = [s for s in job["steps"] if "pip install" in s.get("run", "")]
    argv = argv_of_install(tmp_path, step["run"], workflow["env"])
    assert argv == ["-m", "pip", "install", f"ascready @ {awkward}"]


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("latest", "is not a place to install ascready from"),
        ("", "is not a place to install ascready from"),
        ("0.2.0 && curl evil.example", "it contains ' '"),
        ('0.2.0"; touch pwned; "', "it contains '\"'"),
        ("$(touch pwned)", "it contains '$'"),
        ("`touch pwned`", "it contains '`'"),
        ("ascready-0.2.0-py3-none-any.whl\ntouch pwned", "it contains '\\n'"),
        ("http://files.example.org/ascready-0.2.0-py3-none-any.whl", "not an https:// address"),
        ("https://files.example.org/ascready-0.2.0.tar.gz", "not the address of a wheel"),
        ("https://files.example.org/other-1.0-py3-none-any.whl", "not a wheel of ascready"),
        ("wheels/other-1.0-py3-none-any.whl", "not a wheel of ascready"),
        ("/home/me/ascready-0.2.0-py3-none-any.whl", "outside the repository"),
        ("../ascready-0.2.0-py3-none-any.whl", "goes outside the repository"),
        ("wheels\\ascready-0.2.0-py3-none-any.whl", "with / between folders"),
        ("git+https://github.com/example-org/ascready", "names no tag"),
        ("git+ssh://git@github.com/example-org/ascready@v0.2.0", "starts with git+https://"),
    ],
)
def test_a_wrong_install_source_says_what_to_give_and_writes_nothing(
    runner: CliRunner, tmp_path: Path, given: str, says: str
) -> None:
    root = tmp_path / "wrong"
    result = init(runner, root, *FLAGS, "--install", given)
    assert result.exit_code == 2
    assert "--install" in result.stderr and says in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert not root.exists()


def test_into_existing_installs_the_source_in_the_files_it_adds_and_says_which_it_kept(
    runner: CliRunner, tmp_path: Path
) -> None:
    root = tmp_path / "existing"
    assert init(runner, root, *FLAGS).exit_code == 0
    kept = {p: (root / p).read_bytes() for p in scaffold.INSTALLING_FILES}
    (root / ".gitlab-ci.yml").unlink()

    result = init(runner, root, *FLAGS, "--into-existing", "--install", GIT)
    assert result.exit_code == 0, result.output
    gitlab = load(root / ".gitlab-ci.yml")["ascready"]
    assert gitlab["variables"]["ASCREADY_INSTALL"] == f"ascready @ {GIT}"
    for path in (".github/workflows/ascready.yml", ".pre-commit-config.yaml"):
        assert (root / path).read_bytes() == kept[path]  # never replaced
    note = result.stdout.split("--install applies only to the files written now", 1)[1]
    assert ".github/workflows/ascready.yml" in note and ".pre-commit-config.yaml" in note
    assert ".gitlab-ci.yml" not in note

    # Without --install nothing is said about it; with a wheel that is already in place, no
    # reminder to copy it.
    (root / ".gitlab-ci.yml").unlink()
    (root / WHEEL).parent.mkdir()
    (root / WHEEL).write_bytes(b"a wheel")
    again = init(runner, root, *FLAGS, "--into-existing", "--install", WHEEL)
    assert again.exit_code == 0, again.output
    assert "copy the wheel" not in again.stdout
    assert "installed on your computer" not in again.stdout  # the pre-commit file was kept
    (root / ".gitlab-ci.yml").unlink()
    plain = init(runner, root, *FLAGS, "--into-existing")
    assert plain.exit_code == 0 and "--install" not in plain.stdout


def test_gitignore_keeps_office_lock_files_and_build_output_out(repo: Path) -> None:
    ignored = (repo / ".gitignore").read_text(encoding="utf-8").splitlines()
    for pattern in ("build/", ".venv/", "~$*", ".DS_Store", "Thumbs.db"):
        assert pattern in ignored


def test_version_does_not_import_the_scaffold() -> None:
    code = "import sys, ascready.cli; print('ascready.authoring.scaffold' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
