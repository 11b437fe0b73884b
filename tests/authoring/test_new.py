"""``ascready new``: a new file with the next free id, valid by construction, or nothing at all."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ascready.analysis.pipeline import validate_repository
from ascready.authoring import new as newfile
from ascready.authoring.files import next_id
from ascready.checks.personal_data import allowed_set, scan
from ascready.cli import app
from ascready.errors import OutputExistsError
from ascready.repository import models, yamlsafe
from tests.conftest import BASE, REPO_ROOT

MakeRepo = Callable[..., Path]

EVIDENCE_FLAGS = [
    "--title",
    "Falls prevention audit",
    "--kind",
    "audit",
    "--category",
    "processes",
    "--qs",
    "QS1",
    "--classification",
    "public",
]


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of the bundled example council's repository."""
    root = tmp_path / "council"
    shutil.copytree(REPO_ROOT / "evidence", root)
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root and its bytes: a refusal must leave this unchanged."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def findings(runner: CliRunner, root: Path) -> list[dict[str, object]]:
    result = runner.invoke(app, ["validate", str(root), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    found: list[dict[str, object]] = json.loads(result.stdout)
    return found


def read(path: Path) -> dict[str, object]:
    data, problems = yamlsafe.parse_bytes(path.read_bytes())
    assert not problems and isinstance(data, dict)
    return data


def expected_next(folder: Path, prefix: str) -> str:
    """The id after the highest PREFIX+digits file name in folder, keeping the padding."""
    digits = [
        p.stem[len(prefix) :]
        for p in folder.glob("*.yaml")
        if p.stem.startswith(prefix) and p.stem[len(prefix) :].isdigit()
    ]
    width = max(len(d) for d in digits)
    return f"{prefix}{max(int(d) for d in digits) + 1:0{width}d}"


def new(runner: CliRunner, root: Path, kind: str, *args: str) -> Result:
    return runner.invoke(app, ["new", kind, *args, "--repo", str(root)])


# --- the three kinds on the example repository ---------------------------------------------------


def test_new_evidence_in_the_example_repository(runner: CliRunner, example: Path) -> None:
    before = findings(runner, example)
    ident = expected_next(example / "evidence", "EV-")
    result = runner.invoke(
        app,
        [
            "new",
            "evidence",
            "--title",
            "Carers' breaks evaluation",
            "--kind",
            "Report",
            "--category",
            "Processes",  # a title, written as its id
            "--category",
            "People's experience",
            "--qs",
            "3",  # a number
            "--qs",
            "assessing-needs",  # a slug
            "--classification",
            "official",
            "--summary",
            "Evaluation of the carers' breaks pilot; contact adult.social.care@avonmere.example.",
            "--source",
            "files/carers-strategy-2025.md",
            "--owner",
            "Head of Commissioning",
            "--as-of",
            "2026-06-30",
            "--review-by",
            "2099-06-30",
            "--ir",
            "12",
            "--duty",
            "s42",
            "--expected",
            "carers-strategy",
            "--repo",
            str(example),
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"Created evidence/{ident}.yaml ({ident})." in result.stdout
    assert "Next: cite" in result.stdout and "ratings/QS" in result.stdout
    data = read(example / "evidence" / f"{ident}.yaml")
    assert data == {
        "id": ident,
        "title": "Carers' breaks evaluation",
        "summary": "Evaluation of the carers' breaks pilot; contact "
        "adult.social.care@avonmere.example.",
        "kind": "report",
        "categories": ["processes", "peoples-experience"],
        "quality_statements": ["QS3", "QS1"],
        "information_return": [12],
        "care_act_duties": ["safeguarding"],
        "expected_evidence": ["carers-strategy"],
        "source": "files/carers-strategy-2025.md",
        "owner": "Head of Commissioning",
        "as_of": "2026-06-30",
        "review_by": "2099-06-30",
        "classification": "official",
    }
    assert list(data) == [k for k in models.EvidenceItem.model_fields if k in data]  # file order
    assert findings(runner, example) == before


def test_new_action_in_the_example_repository(runner: CliRunner, example: Path) -> None:
    before = findings(runner, example)
    ident = expected_next(example / "actions", "ACT-")
    result = new(
        runner,
        example,
        "action",
        "--title",
        "Recruit two more occupational therapists",
        "--owner",
        "Head of Adult Social Care Operations",
        "--due",
        "2027-06-30",
        "--workstream",
        "Practice and operations",
        "--status",
        "in-progress",
        "--answers",
        "AFI-QS1-01",
    )
    assert result.exit_code == 0, result.output
    assert f"Created actions/{ident}.yaml ({ident})." in result.stdout
    assert "AFI-QS1-01 in ratings/QS1.yaml" in result.stdout
    data = read(example / "actions" / f"{ident}.yaml")
    assert data == {
        "id": ident,
        "title": "Recruit two more occupational therapists",
        "workstream": "Practice and operations",
        "owner": "Head of Adult Social Care Operations",
        "due": "2027-06-30",
        "status": "in-progress",
        "answers": ["AFI-QS1-01"],
    }
    assert findings(runner, example) == before


def test_new_rating_in_the_example_repository(runner: CliRunner, example: Path) -> None:
    # Every quality statement is rated in the example: retire one rating to make room.
    (example / "ratings" / "QS9.yaml").unlink()
    before = findings(runner, example)
    result = new(
        runner,
        example,
        "rating",
        "--qs",
        "Learning, improvement and innovation",  # a title
        "--self-score",
        "3",
        "--narrative",
        "We learn from complaints.\n\nSafeguarding Adults Reviews lead to changes.\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created ratings/QS9.yaml (QS9)." in result.stdout
    assert read(example / "ratings" / "QS9.yaml") == {
        "quality_statement": "QS9",
        "self_score": 3,
        "narrative": "We learn from complaints.\n\nSafeguarding Adults Reviews lead to changes.\n",
    }
    # validate said QS9 had no rating; now it has one, and nothing else changed.
    missing = [f for f in before if f["check"] == "rating-missing"]
    assert [f["file"] for f in missing] == ["ratings/QS9.yaml"]
    assert findings(runner, example) == [f for f in before if f not in missing]


def test_mixed_applied_and_unapplied_categories_are_accepted(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    root = make_repo()
    flags = [*with_flag("--category", "outcomes"), "--category", "processes"]
    result = new(runner, root, "evidence", *flags)
    assert result.exit_code == 0, result.output
    assert read(root / "evidence" / "EV-003.yaml")["categories"] == ["outcomes", "processes"]


# --- the next free id ----------------------------------------------------------------------------


def dry_run_id(runner: CliRunner, root: Path, kind: str = "evidence") -> str:
    flags = EVIDENCE_FLAGS if kind == "evidence" else ["--title", "Do it"]
    result = new(runner, root, kind, *flags, "--dry-run")
    assert result.exit_code == 0, result.output
    match = re.search(r"Would create \S+ \((\S+)\)", result.stdout)
    assert match, result.stdout
    return match[1]


def test_padding_is_kept(runner: CliRunner, example: Path) -> None:
    assert dry_run_id(runner, example) == expected_next(example / "evidence", "EV-")
    assert dry_run_id(runner, example, "action") == expected_next(example / "actions", "ACT-")


def test_width_grows_when_it_must(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo({"evidence/EV-999.yaml": "id: EV-999\n"})
    assert dry_run_id(runner, root) == "EV-1000"


def test_holes_are_never_filled(runner: CliRunner, make_repo: MakeRepo) -> None:
    # EV-003 to EV-009 were retired: their ids must not come back for something else.
    root = make_repo({"evidence/EV-010.yaml": "id: EV-010\n"})
    assert dry_run_id(runner, root) == "EV-011"


def test_ids_of_invalid_and_unreadable_files_count(runner: CliRunner, make_repo: MakeRepo) -> None:
    invalid = make_repo({"evidence/draft.yaml": "id: EV-050\ntitle: Unfinished\n"}, name="a")
    assert dry_run_id(runner, invalid) == "EV-051"
    unreadable = make_repo({"evidence/EV-060.yaml": "id: [EV-060\ntitle: x: y\n"}, name="b")
    assert dry_run_id(runner, unreadable) == "EV-061"
    actions = make_repo({"actions/ACT-07.yaml": "id: ACT-07\nowner: [\n"}, name="c")
    assert dry_run_id(runner, actions, "action") == "ACT-08"


def test_empty_repository_starts_at_ev_001_and_act_01(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    root = make_repo()
    shutil.rmtree(root / "evidence")
    shutil.rmtree(root / "actions")
    assert dry_run_id(runner, root) == "EV-001"
    assert dry_run_id(runner, root, "action") == "ACT-01"
    created = new(runner, root, "action", "--title", "First action")
    assert created.exit_code == 0, created.output
    assert (root / "actions" / "ACT-01.yaml").is_file()


def test_next_id_rules() -> None:
    assert next_id(["EV-066", "EV-001"], "EV-001") == "EV-067"
    assert next_id(["ACT-10", "ACT-09"], "ACT-01") == "ACT-11"
    assert next_id(["EV-999"], "EV-001") == "EV-1000"
    assert next_id(["EV-1", "EV-2", "EV-9"], "EV-001") == "EV-10"
    assert next_id(["EV-001", "EV-002", "carers-strategy", "DOC-9"], "EV-001") == "EV-003"
    assert next_id([], "EV-001") == "EV-001"
    assert next_id(["policy", "strategy"], "ACT-01") == "ACT-01"


def test_given_id_is_used(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo()
    result = new(runner, root, "evidence", *EVIDENCE_FLAGS, "--id", "EV-2026-A")
    assert result.exit_code == 0, result.output
    assert read(root / "evidence" / "EV-2026-A.yaml")["id"] == "EV-2026-A"


# --- refusals: nothing is written ----------------------------------------------------------------


def refused(
    runner: CliRunner, root: Path, kind: str, args: Sequence[str], code: int, *expect: str
) -> str:
    """Run, and check the exit code, the message and that the tree is byte-identical."""
    tree = snapshot(root)
    result = new(runner, root, kind, *args)
    output = result.output
    assert result.exit_code == code, output
    for text in expect:
        assert text in output, output
    assert snapshot(root) == tree
    return output


def with_flag(flag: str, value: str) -> list[str]:
    flags = list(EVIDENCE_FLAGS)
    flags[flags.index(flag) + 1] = value
    return flags


def test_unknown_quality_statement_is_refused_with_a_suggestion(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    root = make_repo()
    refused(
        runner,
        root,
        "evidence",
        with_flag("--qs", "asessing-neds"),
        2,
        "--qs: 'asessing-neds' is not a quality statement",
        "Did you mean 'QS1' (Assessing needs)?",
        "QS9",
    )
    refused(runner, root, "rating", ["--qs", "QS12"], 2, "'QS12'", "Known: QS1, QS2")


def test_unknown_or_unapplied_category_is_refused(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo()
    refused(
        runner,
        root,
        "evidence",
        with_flag("--category", "proceses"),
        2,
        "--category: 'proceses' is not an evidence category",
        "Did you mean 'processes'?",
    )
    refused(
        runner,
        root,
        "evidence",
        with_flag("--category", "Observation"),
        2,
        "CQC does not use 'observation' for local authorities",
    )


def test_bad_enum_values_are_refused_with_the_allowed_values(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    root = make_repo()
    out = refused(
        runner,
        root,
        "evidence",
        [*with_flag("--kind", "polcy"), "--classification", "secret"],
        2,
        "--kind: 'polcy' is not one of the allowed values",
        "Did you mean 'policy'?",
        "--classification: 'secret'",
        "Allowed: public, official, official-sensitive.",
    )
    assert "2 problems with the flags; nothing was written." in out
    refused(runner, root, "action", ["--title", "T", "--status", "finished"], 2, "done, blocked")


def test_answers_must_be_an_existing_area_for_improvement(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    root = make_repo()
    refused(
        runner,
        root,
        "action",
        ["--title", "T", "--answers", "AFI-QS1-02"],
        1,
        "--answers: area for improvement 'AFI-QS1-02' does not exist.",
        "Did you mean 'AFI-QS1-01'?",
    )
    refused(
        runner,
        root,
        "action",
        ["--title", "T", "--answers", "S-QS1-01"],
        1,
        "'S-QS1-01' is a strength, not an area for improvement",
    )


@pytest.mark.parametrize(
    ("summary", "secret", "shown"),
    [
        ("Case of Mr X, NHS number 943 476 5919.", "943 476 5919", "********19"),
        ("Ask jane.doe@gmail.com for the figures.", "jane.doe@gmail.com", "om)"),
    ],
)
def test_personal_data_is_refused_and_not_repeated(
    runner: CliRunner, make_repo: MakeRepo, summary: str, secret: str, shown: str
) -> None:
    root = make_repo()
    out = refused(
        runner,
        root,
        "evidence",
        [*EVIDENCE_FLAGS, "--summary", summary],
        1,
        "--summary: ",
        "is in 'summary': personal data must never be in the evidence repository",
        shown,
    )
    assert secret not in out and secret.replace(" ", "") not in out


def test_allowed_contact_details_are_accepted(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo()
    summary = "Ask adults@testshire.example or call 01632 960000."
    result = new(runner, root, "evidence", *EVIDENCE_FLAGS, "--summary", summary)
    assert result.exit_code == 0, result.output
    assert read(root / "evidence" / "EV-003.yaml")["summary"] == summary


def test_information_return_number_beyond_the_items_is_refused(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    root = make_repo()  # information_return_items: 2
    refused(
        runner,
        root,
        "evidence",
        [*EVIDENCE_FLAGS, "--ir", "3"],
        1,
        "--ir: information-return item 3 is outside 1 to 2",
    )


def test_information_return_number_in_range_is_written(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    root = make_repo()
    result = new(runner, root, "evidence", *EVIDENCE_FLAGS, "--ir", "2", "--ir", "1")
    assert result.exit_code == 0, result.output
    assert "information-return/IR-01.yaml" in result.stdout
    assert read(root / "evidence" / "EV-003.yaml")["information_return"] == [2, 1]


def test_missing_or_outside_source_is_refused(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo()
    refused(
        runner,
        root,
        "evidence",
        [*EVIDENCE_FLAGS, "--source", "files/missing.pdf"],
        1,
        "--source: source 'files/missing.pdf' does not exist.",
    )
    refused(
        runner,
        root,
        "evidence",
        [*EVIDENCE_FLAGS, "--source", "/etc/hostname"],
        1,
        "points outside the repository",
    )
    refused(
        runner,
        root,
        "evidence",
        [*EVIDENCE_FLAGS, "--source", "S:/Shared/policy.docx"],
        1,
        "--source: ",
    )


def test_source_given_from_a_sub_folder_is_written_from_the_top(
    runner: CliRunner, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo()
    monkeypatch.chdir(root / "evidence")  # the repository is found by walking up
    result = runner.invoke(
        app, ["new", "evidence", *EVIDENCE_FLAGS, "--source", "../files/carers-strategy.md"]
    )
    assert result.exit_code == 0, result.output
    assert read(root / "evidence" / "EV-003.yaml")["source"] == "files/carers-strategy.md"


def test_https_source_is_accepted(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo()
    url = "https://www.testshire.example/policies/falls?year=2026#section-2"
    result = new(runner, root, "evidence", *EVIDENCE_FLAGS, "--source", url)
    assert result.exit_code == 0, result.output
    assert read(root / "evidence" / "EV-003.yaml")["source"] == url


def test_id_already_used_is_refused(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo({"evidence/broken.yaml": "id: EV-070\n"})
    refused(
        runner,
        root,
        "evidence",
        [*EVIDENCE_FLAGS, "--id", "EV-002"],
        2,
        "--id: evidence item 'EV-002' already exists (evidence/EV-002.yaml)",
        "next free id (EV-071)",
    )
    refused(runner, root, "evidence", [*EVIDENCE_FLAGS, "--id", "EV-070"], 2, "already exists")
    refused(runner, root, "action", ["--title", "T", "--id", "act-01"], 2, "'ACT-01' already")
    refused(runner, root, "evidence", [*EVIDENCE_FLAGS, "--id", "EV 9"], 2, "not an id")
    refused(runner, root, "evidence", [*EVIDENCE_FLAGS, "--id", "../EV-9"], 2, "not an id")


def test_second_rating_of_a_quality_statement_is_refused(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    root = make_repo({"ratings/assessing.yaml": "quality_statement: 2\nself_score: 9\n"})
    (root / "ratings" / "QS2.yaml").unlink()  # the base's own rating of QS2
    refused(
        runner,
        root,
        "rating",
        ["--qs", "assessing-needs"],
        2,
        "QS1 already has a rating: ratings/QS1.yaml",
    )
    # A rating file with errors still rates its quality statement.
    refused(runner, root, "rating", ["--qs", "QS2"], 2, "ratings/assessing.yaml")


def test_rating_file_that_cannot_be_read_still_counts(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    root = make_repo({"ratings/QS4.yml": "quality_statement: [\n"})
    (root / "ratings" / "QS4.yaml").unlink()  # the base's own rating of QS4
    refused(runner, root, "rating", ["--qs", "4"], 2, "QS4 already has a rating: ratings/QS4.yml")


@pytest.mark.parametrize(
    ("kind", "flag", "value", "message"),
    [
        ("evidence", "--as-of", "31/02/2027", "'31/02/2027' is not a real calendar date"),
        ("evidence", "--review-by", "2027-02-30", "'2027-02-30' is not a real calendar date"),
        ("action", "--due", "next March", "'next March' is not a date ascready can read"),
    ],
)
def test_bad_date_text_is_refused(
    runner: CliRunner, make_repo: MakeRepo, kind: str, flag: str, value: str, message: str
) -> None:
    root = make_repo()
    flags = EVIDENCE_FLAGS if kind == "evidence" else ["--title", "T"]
    refused(runner, root, kind, [*flags, flag, value], 2, f"{flag}: {message}")


def test_review_date_before_as_of_is_refused(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo()
    refused(
        runner,
        root,
        "evidence",
        [*EVIDENCE_FLAGS, "--as-of", "2027-01-01", "--review-by", "2026-01-01"],
        1,
        "--review-by: review_by (2026-01-01) is before as_of (2027-01-01)",
    )


def test_every_error_is_reported_at_once(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo()
    out = refused(
        runner,
        root,
        "evidence",
        [*EVIDENCE_FLAGS, "--summary", "NHS 9434765919", "--source", "nope.pdf", "--ir", "7"],
        1,
        "--summary: ",
        "--source: ",
        "--ir: ",
    )
    assert out.index("--summary") < out.index("--ir") < out.index("--source")


def test_empty_title_is_refused(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo()
    refused(runner, root, "action", ["--title", ""], 1, "--title: 'title' is empty")


def test_missing_required_flag_is_a_usage_error(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo()
    flags = [f for f in EVIDENCE_FLAGS if f not in ("--classification", "public")]
    refused(runner, root, "evidence", flags, 2, "--classification")


def test_outside_a_repository_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["new", "action", "--title", "T", "--repo", str(tmp_path)])
    assert result.exit_code == 2 and "no ascready.yaml" in result.output
    assert list(tmp_path.iterdir()) == []


# --- warnings, dry runs and writing --------------------------------------------------------------


def test_warnings_are_printed_and_the_file_is_written(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    root = make_repo()
    result = new(runner, root, "evidence", *EVIDENCE_FLAGS, "--review-by", "2020-01-01")
    assert result.exit_code == 0, result.output
    assert "warning: --review-by: 'EV-003' was due for review on 2020-01-01" in result.output
    assert (root / "evidence" / "EV-003.yaml").is_file()


def test_dry_run_writes_nothing_and_prints_what_would_be_written(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    root = make_repo()
    tree = snapshot(root)
    dry = new(runner, root, "evidence", *EVIDENCE_FLAGS, "--owner", "Falls lead", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert snapshot(root) == tree
    first, _, content = dry.stdout.partition("\n")
    assert first == "Would create evidence/EV-003.yaml (EV-003); nothing was written (--dry-run)."
    assert "owner: Falls lead\n" in content
    real = new(runner, root, "evidence", *EVIDENCE_FLAGS, "--owner", "Falls lead")
    assert real.exit_code == 0, real.output
    assert (root / "evidence" / "EV-003.yaml").read_text(encoding="utf-8") == content


def test_write_never_replaces_a_file_created_in_the_meantime(make_repo: MakeRepo) -> None:
    root = make_repo()
    planned = newfile.new_action(root, title="Planned")
    target = root / planned.path
    target.write_text("someone else's work\n", encoding="utf-8")
    with pytest.raises(OutputExistsError):
        newfile.write_new(planned)
    assert target.read_text(encoding="utf-8") == "someone else's work\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["ACT-01.yaml", "ACT-02.yaml"]


def test_existing_file_of_the_computed_name_is_refused(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    root = make_repo({"actions/ACT-05.yml": "id: ACT-02\ntitle: Misnamed\n"})
    # The name ACT-05 is taken (by a .yml file), so the next id is after it.
    assert dry_run_id(runner, root, "action") == "ACT-06"


def test_help_lists_every_allowed_value(runner: CliRunner) -> None:
    evidence_help = runner.invoke(app, ["new", "evidence", "--help"]).stdout
    for enum in (models.EvidenceKind, models.Classification, models.EvidenceStatus):
        for member in enum:
            assert member.value in evidence_help, member
    action_help = runner.invoke(app, ["new", "action", "--help"]).stdout
    for status in models.ActionStatus:
        assert status.value in action_help, status


# --- awkward text --------------------------------------------------------------------------------


AWKWARD = [
    "Carers: strategy 2025-2028",
    "Item #3 # not a comment",
    "- starts like a list item",
    "'single' and \"double\" quotes",
    "no",
    "yes",
    "010",
    "1e5",
    "1.5e3",
    "true",
    "null",
    "~",
    "2026-01-01",
    "1:30",
    "Café, naïve “smart” quotes – and ✓ 日本語",
    "[not a list]",
    "{not: a mapping}",
    "&anchor *alias !tag |pipe >fold %percent @at `tick",
    " leading and trailing spaces ",
    "back\\slash and tab\there",
    "? question",
]


@pytest.mark.parametrize("title", AWKWARD)
def test_awkward_titles_survive_exactly(runner: CliRunner, make_repo: MakeRepo, title: str) -> None:
    root = make_repo()
    result = runner.invoke(
        app, ["new", "action", f"--title={title}", f"--owner={title}", "--repo", str(root)]
    )
    assert result.exit_code == 0, result.output
    data = read(root / "actions" / "ACT-02.yaml")
    assert data["title"] == title and data["owner"] == title
    assert validate_repository(root)[1].findings == ()


@pytest.mark.parametrize(
    "narrative",
    [
        "Paragraph one: good.\n\nParagraph two # not a comment.\n",
        "No newline at the end\n- a dash line",
        "  indented first line\nthen not",
        "trailing spaces   \nhere\n\n\n",
        "**Bold** and a list:\n\n- one\n- two\n",
    ],
)
def test_multi_line_narrative_survives_exactly(
    runner: CliRunner, make_repo: MakeRepo, narrative: str
) -> None:
    root = make_repo()
    (root / "ratings" / "QS2.yaml").unlink()  # the base rates every quality statement
    result = new(runner, root, "rating", "--qs", "QS2", f"--narrative={narrative}")
    assert result.exit_code == 0, result.output
    assert read(root / "ratings" / "QS2.yaml")["narrative"] == narrative
    assert validate_repository(root)[1].findings == ()


def test_narrative_is_written_as_a_readable_block(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo()
    (root / "ratings" / "QS2.yaml").unlink()  # the base rates every quality statement
    result = new(runner, root, "rating", "--qs", "QS2", "--narrative", "One.\nTwo.\n")
    assert result.exit_code == 0, result.output
    assert "narrative: |\n  One.\n  Two.\n" in (root / "ratings/QS2.yaml").read_text("utf-8")


PRINTABLE = st.text(
    st.characters(categories=["L", "M", "N", "P", "S"], include_characters=" "),
    min_size=1,
    max_size=60,
)
BASE_ALLOWED = allowed_set(["adults@testshire.example", "01632 960000"])


@settings(max_examples=40, deadline=None)
@given(title=PRINTABLE, summary=PRINTABLE)
def test_any_printable_text_is_written_and_read_back_exactly(
    tmp_path_factory: pytest.TempPathFactory, title: str, summary: str
) -> None:
    root = tmp_path_factory.mktemp("prop") / "repo"
    shutil.copytree(BASE, root)
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "new",
            "evidence",
            f"--title={title}",
            f"--summary={summary}",
            *EVIDENCE_FLAGS[2:],
            "--repo",
            str(root),
        ],
    )
    if scan(title, BASE_ALLOWED) or scan(summary, BASE_ALLOWED):
        assert result.exit_code == 1 and not (root / "evidence" / "EV-003.yaml").exists()
        return
    assert result.exit_code == 0, result.output
    data = read(root / "evidence" / "EV-003.yaml")
    assert (data["title"], data["summary"]) == (title, summary)
    assert validate_repository(root)[1].findings == ()


# --- dates read as import reads them -----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2025-10-01", "2025-10-01"),
        ("01/10/2025", "2025-10-01"),  # day before month, as English councils write it
        ("1/10/25", "2025-10-01"),
        ("01.10.2025", "2025-10-01"),
        ("1 October 2025", "2025-10-01"),
        ("1st Oct 2025", "2025-10-01"),
        ("31/02/2025", None),  # no such day
        ("2025-02-30", None),
        ("10/2025", None),
        ("20251001", None),
        ("next March", None),
    ],
)
def test_new_and_import_accept_and_refuse_the_same_dates(
    runner: CliRunner, make_repo: MakeRepo, tmp_path: Path, typed: str, day: str | None
) -> None:
    by_new = make_repo(name="by-new")
    made = new(runner, by_new, "evidence", *EVIDENCE_FLAGS, "--as-of", typed)
    by_import = make_repo(name="by-import")
    sheet = tmp_path / "evidence.csv"
    sheet.write_text(
        "ID,Title,Kind,Categories,Quality statements,Classification,As of\n"
        f'EV-101,Carers survey,survey,processes,QS1,public,"{typed}"\n',
        encoding="utf-8",
    )
    imported = runner.invoke(app, ["import", str(sheet), "--repo", str(by_import)])
    if day is None:
        assert made.exit_code == 2 and imported.exit_code == 1, (made.output, imported.output)
        # Both say why in the same words.
        reason = next(
            r
            for r in ("is not a real calendar date", "is not a date ascready can read")
            if r in made.output
        )
        assert f"'{typed}' {reason}" in made.output
        assert f"'{typed}' {reason}" in imported.output
        assert not (by_import / "evidence/EV-101.yaml").exists()
    else:
        assert made.exit_code == 0, made.output
        assert imported.exit_code == 0, imported.output
        written = [read(p)["as_of"] for p in sorted((by_new / "evidence").glob("*.yaml"))]
        assert day in written
        assert read(by_import / "evidence/EV-101.yaml")["as_of"] == day
