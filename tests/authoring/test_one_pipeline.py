"""``new``, ``import`` and ``import-metrics`` say what ``validate`` says, and read what validate
reads.

Each command has its own way of showing a problem (a flag, a sheet row and cell, a file), but
the problems themselves come from one pipeline: the same bad document gives the same check ids
and the same messages through all of them. And a framework term written one way is accepted by
every command or by none.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ascready.authoring import new as newfile
from ascready.authoring.metrics import ascof
from ascready.authoring.register.importer import plan_import
from ascready.checks.load import load_project
from ascready.cli import app
from ascready.errors import AscreadyError, ImportRefused, NewFileRefused
from ascready.repository import yamlsafe
from ascready.repository.framework import Term

MakeRepo = Callable[..., Path]
Problems = set[tuple[str, str]]  # (check id, message)


def write_csv(path: Path, header: Sequence[str], *rows: Sequence[object]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def yaml_text(data: Mapping[str, Any]) -> str:
    lines = []
    for key, value in data.items():
        shown = "[" + ", ".join(value) + "]" if isinstance(value, list) else json.dumps(value)
        lines.append(f"{key}: {shown}")
    return "\n".join(lines) + "\n"


def by_validate(runner: CliRunner, root: Path, path: str, data: Mapping[str, Any]) -> Problems:
    """The errors ``ascready validate`` reports in the file, written by hand."""
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(yaml_text(data), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(root), "--format", "json"])
    (root / path).unlink()
    found = json.loads(result.stdout)
    return {
        (f["check"], f["message"]) for f in found if f["file"] == path and f["severity"] == "error"
    }


def by_new(make: Callable[[], object]) -> Problems:
    with pytest.raises(NewFileRefused) as refused:
        make()
    return {(f.check, f.message) for f in refused.value.findings}


def by_import(root: Path, register: Path) -> Problems:
    """The errors ``ascready import`` reports, all of which must come from a check."""
    project, _ = load_project(root)
    plan = plan_import(project, register)
    assert all(p.check for p in plan.errors), [p.text() for p in plan.errors]
    return {(p.check, p.message) for p in plan.errors}


# --- one bad evidence item, improvement action or measure --------------------------------------

EVIDENCE: dict[str, Any] = {
    "id": "EV-003",
    "title": "Carers' breaks evaluation",
    "kind": "report",
    "categories": ["processes"],
    "quality_statements": ["QS1"],
    "classification": "official",
}
#: What is wrong with each bad evidence item: the fields it has beyond EVIDENCE.
BAD_EVIDENCE = {
    "personal data": {"summary": "Raised by jo.bloggs@example.org about NHS 943 476 5919"},
    "review before as of": {"as_of": "2027-01-01", "review_by": "2026-01-01"},
    "missing source": {"source": "files/missing.pdf"},
}
EVIDENCE_HEADERS = {
    "id": "ID",
    "title": "Title",
    "summary": "Summary",
    "kind": "Kind",
    "categories": "Categories",
    "quality_statements": "Quality statements",
    "source": "Source",
    "as_of": "As of",
    "review_by": "Review by",
    "classification": "Classification",
}


@pytest.mark.parametrize("defect", list(BAD_EVIDENCE))
def test_a_bad_evidence_item_gets_the_same_findings_from_new_import_and_validate(
    runner: CliRunner, make_repo: MakeRepo, tmp_path: Path, defect: str
) -> None:
    root = make_repo()
    extra = BAD_EVIDENCE[defect]
    data = {**EVIDENCE, **extra}
    from_new = by_new(
        lambda: newfile.new_evidence(
            root,
            title=data["title"],
            kind=data["kind"],
            categories=data["categories"],
            quality_statements=data["quality_statements"],
            classification=data["classification"],
            **extra,
        )
    )
    fields = [f for f in EVIDENCE_HEADERS if f in data]
    register = write_csv(
        tmp_path / "register.csv",
        [EVIDENCE_HEADERS[f] for f in fields],
        ["; ".join(v) if isinstance(v := data[f], list) else v for f in fields],
    )
    from_import = by_import(root, register)
    from_validate = by_validate(runner, root, "evidence/EV-003.yaml", data)
    assert from_validate, "the document is meant to have errors"
    assert from_new == from_import == from_validate


def test_an_action_answering_nothing_gets_the_same_findings_from_new_import_and_validate(
    runner: CliRunner, make_repo: MakeRepo, tmp_path: Path
) -> None:
    root = make_repo()
    data = {"id": "ACT-02", "title": "Recruit two assessors", "answers": ["AFI-QS1-99"]}
    from_new = by_new(
        lambda: newfile.new_action(root, title=data["title"], answers=data["answers"])
    )
    register = write_csv(
        tmp_path / "actions.csv",
        ["ID", "Title", "Answers"],
        ["ACT-02", data["title"], "AFI-QS1-99"],
    )
    from_import = by_import(root, register)
    from_validate = by_validate(runner, root, "actions/ACT-02.yaml", data)
    assert from_validate == {
        ("unknown-reference", "area for improvement 'AFI-QS1-99' does not exist")
    }
    assert from_new == from_import == from_validate


def test_a_measure_with_personal_data_gets_the_same_findings_from_both_imports_and_validate(
    runner: CliRunner, make_repo: MakeRepo, tmp_path: Path
) -> None:
    root = make_repo()  # Testshire, E10000099, in the East Midlands
    title = "Quality of life score (queries to jo.bloggs@example.org)"
    header = [
        "Geographical Code", "Geographical Description", "Geographical Level", "ONS Code",
        "ASCOF Measure Code", "Disaggregation Level", "Measure Group",
        "Measure Group Description", "Measure Type", "Measure Value",
    ]  # fmt: skip
    areas = [
        ("E92000001", "England", "England", "E92000001", "19.1"),
        ("E12000004", "East Midlands", "Region", "E12000004", "19.2"),
        ("099", "Testshire", "Council", "E10000099", "19.3"),
    ]
    published = write_csv(
        tmp_path / "ascof-2024-25.csv",
        header,
        *[[*area[:4], "1A", "Total", "1A", title, "Outcome", area[4]] for area in areas],
    )
    with pytest.raises(ImportRefused) as refused:
        ascof.plan_import(root, published)
    from_metrics = {(f.check, f.message) for f in refused.value.findings}
    data = {
        "id": "ASCOF-1A",
        "title": title,
        "measure": "1A",
        "value": 19.3,
        "unit": "score",
        "period": "2024-25",
        "polarity": "neutral",
        "classification": "public",
    }
    register = write_csv(
        tmp_path / "measures.csv",
        ["ID", "Title", "Measure code", "Value", "Unit", "Period", "Polarity", "Classification"],
        list(data.values()),
    )
    from_import = by_import(root, register)
    from_validate = by_validate(runner, root, "metrics/ASCOF-1A.yaml", data)
    assert from_validate == {
        (
            "email-address",
            "an email address (*******************rg) is in 'title': personal data must never "
            "be in the evidence repository",
        )
    }
    assert from_metrics == from_import == from_validate


# --- one vocabulary -------------------------------------------------------------------------

#: For each kind of framework term new takes: its flag (as new_evidence's argument), the
#: register's column, the field, and spellings: some every command accepts, some none does.
SPELLINGS: dict[Term, tuple[str, str, str, list[str]]] = {
    Term.QUALITY_STATEMENT: (
        "quality_statements",
        "Quality statements",
        "quality_statements",
        [
            "QS3",
            "qs3",
            "3",
            "(3)",
            "QS 3",
            "Quality statement 3",
            "Quality Statement 3: Equity in experience and outcomes",
            "Equity in experience and outcomes",
            "equity-in-experience-and-outcomes",
            "Equity",
            "QS 99",
            "Theme 1",
            "Quality statement 3: Safeguarding",
        ],
    ),
    Term.CATEGORY: (
        "categories",
        "Categories",
        "categories",
        [
            "processes",
            "Processes",
            "People's experience",
            "Peoples experience",
            "People",
            "Staff feedback",
            "Feedback",
            "nonsense",
        ],
    ),
    Term.DUTY: (
        "care_act_duties",
        "Care Act duties",
        "care_act_duties",
        ["wellbeing", "Promoting individual wellbeing", "s1", "section 1", "s999", "Wellbeing!"],
    ),
    Term.EXPECTED: (
        "expected_evidence",
        "Expected evidence",
        "expected_evidence",
        [
            "jsna",
            "JSNA",
            "Joint Strategic Needs Assessment",
            "joint strategic needs assessment",
            "Needs assessment",
        ],
    ),
}
CASES = [(term, spelling) for term, (_, _, _, words) in SPELLINGS.items() for spelling in words]


def read(text: str) -> dict[str, Any]:
    data, problems = yamlsafe.parse_text(text)
    assert not problems and isinstance(data, dict)
    return data


@pytest.mark.parametrize(("term", "spelling"), CASES, ids=[f"{t.name}-{s}" for t, s in CASES])
def test_new_and_import_accept_the_same_spellings_of_every_term(
    make_repo: MakeRepo, tmp_path: Path, term: Term, spelling: str
) -> None:
    root = make_repo()
    argument, column, field, _ = SPELLINGS[term]
    project, _ = load_project(root)
    expected = project.framework.resolve(term, spelling)
    given = {"categories": ["processes"], "quality_statements": ["QS1"], argument: [spelling]}

    try:
        made = newfile.new_evidence(
            root, title="Needs assessment audit", kind="audit", classification="official", **given
        )
        from_new = read(made.text)[field]
    except AscreadyError:
        from_new = None

    cells = {
        "Categories": "processes",
        "Quality statements": "QS1",
        column: spelling,  # replaces one of the two above when it is their column
    }
    header = ["ID", "Title", "Kind", "Classification", *cells]
    row = ["EV-003", "Needs assessment audit", "audit", "official", *cells.values()]
    register = write_csv(tmp_path / "register.csv", header, row)
    plan = plan_import(project, register)
    from_import = read(plan.files[0].text)[field] if plan.files and not plan.errors else None

    assert from_new == from_import == ([expected] if expected else None)


@pytest.mark.parametrize(
    "spelling",
    ["T1", "1", "Theme 1", "Theme 1 - Working with people", "Working with people",
     "How local authorities work with people", "Theme 1: Providing support", "Theme 9"],
)  # fmt: skip
def test_import_reads_themes_as_every_command_does(
    make_repo: MakeRepo, tmp_path: Path, spelling: str
) -> None:
    """new has no flag for a theme; import's presented_under reads it as validate does."""
    root = make_repo({"ratings/QS1.yaml": "quality_statement: QS1\n"})
    (root / "ratings" / "QS1.yaml").unlink()
    project, _ = load_project(root)
    expected = project.framework.resolve(Term.THEME, spelling)
    register = write_csv(
        tmp_path / "statements.csv",
        ["Quality statement", "Type", "ID", "Text", "Presented under theme"],
        ["QS1", "strength", "S-QS1-01", "A strong carers' offer", spelling],
    )
    plan = plan_import(project, register)
    found = [read(f.text) for f in plan.files if f.kind == "rating"]
    theme = found[0]["strengths"][0]["presented_under"] if found and not plan.errors else None
    assert theme == expected


# --- one reader -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("register.ods", b"PK\x03\x04"),
        ("register.xlsx", b"Ref,Title\nR1,Something\n"),
        ("register.xlsx", b"PK\x03\x04 damaged"),
    ],
)
def test_import_and_import_metrics_refuse_a_file_with_the_same_words(
    runner: CliRunner, make_repo: MakeRepo, tmp_path: Path, name: str, content: bytes
) -> None:
    root = make_repo()
    path = tmp_path / name
    path.write_bytes(content)
    imported = runner.invoke(app, ["import", str(path), "--repo", str(root)])
    metrics = runner.invoke(app, ["import-metrics", str(path), "--repo", str(root)])
    assert imported.exit_code == metrics.exit_code == 1
    # import names the file by its name, import-metrics as the user gave it.
    said = imported.stderr.strip().removeprefix(f"error: {name}")
    assert said.startswith(": this is ")
    assert metrics.stderr.strip() == f"error: {path}{said}"
