"""Performance measures in gaps and render: comparisons, the gaps flag, the tables, the public."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from markdown_it import MarkdownIt
from openpyxl import load_workbook
from typer.testing import CliRunner

from ascready.analysis.gaps import GapsReport, build_gaps
from ascready.analysis.measures import compare, measure_text
from ascready.analysis.pipeline import validate_repository
from ascready.cli import app
from ascready.document.render import build_context, render_project
from ascready.output.gaps_format import render_markdown, render_plain_text
from ascready.output.gaps_xlsx import RED, render_xlsx
from ascready.repository.project import Project
from tests.conftest import REPO_ROOT

MakeRepo = Callable[..., Path]
DAY = dt.date(2026, 11, 23)
EXAMPLE = REPO_ROOT / "evidence"
FLAG_HEADING = "Measures worse than England with no area for improvement"


def _metric(ident: str, **fields: object) -> str:
    data: dict[str, object] = {
        "id": ident,
        "title": f"Measure {ident}",
        "value": 50,
        "unit": "percent",
        "period": "2025-26",
        "polarity": "higher-is-better",
        "comparators": {"england": 40, "region": 45},
        "quality_statements": ["QS1"],
        "classification": "public",
    }
    data.update(fields)
    return yaml.safe_dump(data, sort_keys=False)


def _rating(strength_metrics: list[str], area_metrics: list[str], qs: str = "QS1") -> str:
    """The base repository's QS1 rating, with the measures its strength and area cite."""
    return yaml.safe_dump(
        {
            "quality_statement": qs,
            "self_score": 3,
            "narrative": "Most people have a timely assessment.",
            "strengths": [
                {
                    "id": f"S-{qs}-01",
                    "text": "Strong carers' offer",
                    "evidence": ["EV-001"],
                    "metrics": strength_metrics,
                }
            ],
            "areas_for_improvement": [
                {
                    "id": f"AFI-{qs}-01",
                    "text": "Reduce waiting times for occupational therapy assessments",
                    "evidence": ["EV-002"],
                    "metrics": area_metrics,
                    "actions": ["ACT-01"],
                }
            ],
        },
        sort_keys=False,
    )


def _clean_project(root: Path, *, warnings: bool = False) -> Project:
    """The project, after checking that validate finds no errors (nor warnings, unless allowed)."""
    project, report = validate_repository(root, today=DAY)
    problems = [f for f in report.findings if warnings is False or f.severity.value == "error"]
    assert problems == [], [f.to_dict() for f in problems]
    return project


def _gaps(root: Path) -> GapsReport:
    return build_gaps(_clean_project(root), DAY)


# --- comparing with England and the region ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "average", "polarity", "expected"),
    [
        (81.2, 79.0, "higher-is-better", "better"),
        (77.0, 79.0, "higher-is-better", "worse"),
        (480.0, 512.3, "lower-is-better", "better"),
        (600.0, 512.3, "lower-is-better", "worse"),
        (79.0, 79.0, "higher-is-better", "same"),
        (512.3, 512.3, "lower-is-better", "same"),
        (90.0, 80.0, "neutral", "not compared"),
        (90.0, None, "higher-is-better", "not compared"),
        (90.0, None, "lower-is-better", "not compared"),
    ],
)
def test_comparison_takes_polarity_into_account(
    value: float, average: float | None, polarity: str, expected: str
) -> None:
    assert compare(value, average, polarity) == expected


def test_each_measure_is_compared_with_england_and_the_region(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            # 50 against England 40 and region 45, higher is better: better than both.
            "metrics/HIGH.yaml": _metric("HIGH"),
            # 600 per 100,000 against 512.3 and 650: worse than England, better than the region.
            "metrics/LOW.yaml": _metric(
                "LOW",
                value=600,
                unit="per-100k",
                polarity="lower-is-better",
                comparators={"england": 512.3, "region": 650},
            ),
            "metrics/EVEN.yaml": _metric("EVEN", value=40, comparators={"england": 40}),
            "metrics/LOCAL.yaml": _metric(
                "LOCAL", value=74, unit="days", polarity="lower-is-better", comparators={}
            ),
            "metrics/COUNT.yaml": _metric("COUNT", unit="number", polarity="neutral"),
        }
    )
    measures = {m.id: m for m in _gaps(root).metrics.measures}
    assert {k: (m.vs_england, m.vs_region) for k, m in measures.items()} == {
        "HIGH": ("better", "better"),
        "LOW": ("worse", "better"),
        "EVEN": ("same", "not compared"),
        "LOCAL": ("not compared", "not compared"),
        "COUNT": ("not compared", "not compared"),
    }
    assert list(measures) == ["COUNT", "EVEN", "HIGH", "LOCAL", "LOW"]  # sorted by id
    assert (measures["LOW"].shown, measures["LOW"].england_shown) == (
        "600 per 100,000",
        "512.3 per 100,000",
    )


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (81.2, "percent", "81.2%"),
        (512.3, "per-100k", "512.3 per 100,000"),
        (1204, "number", "1,204"),
        (74, "days", "74 days"),
        (1, "days", "1 day"),
        (6.5, "weeks", "6.5 weeks"),
        (19.1, "score", "19.1"),
        (0.85, "ratio", "0.85"),
    ],
)
def test_figures_are_shown_with_their_unit(value: float, unit: str, expected: str) -> None:
    assert measure_text(value, unit) == expected


# --- the gaps flag ----------------------------------------------------------------------------


def _flag_repo(
    make_repo: MakeRepo, strength: list[str], area: list[str], name: str = "repo"
) -> Path:
    return make_repo(
        {
            "metrics/WORSE.yaml": _metric(
                "WORSE",
                title="People who receive direct payments",
                value=30,
                comparators={"england": 40, "region": 35},
            ),
            "metrics/LOW-WORSE.yaml": _metric(
                "LOW-WORSE",
                value=600,
                unit="per-100k",
                polarity="lower-is-better",
                comparators={"england": 512.3},
                quality_statements=["QS2"],
            ),
            "metrics/CITED.yaml": _metric("CITED", value=20),
            "metrics/BETTER.yaml": _metric("BETTER", value=60),
            "metrics/SAME.yaml": _metric("SAME", value=40),
            "metrics/NO-ENGLAND.yaml": _metric(
                "NO-ENGLAND", value=90, polarity="lower-is-better", comparators={"region": 10}
            ),
            "metrics/NEUTRAL.yaml": _metric("NEUTRAL", value=1, polarity="neutral"),
            "ratings/QS1.yaml": _rating(strength, area),
        },
        name=name,
    )


def _flagged(report: GapsReport) -> set[str]:
    return {g.metric.id for g in report.metrics.worse_without_area}


def test_flags_measures_worse_than_england_that_no_area_for_improvement_cites(
    make_repo: MakeRepo,
) -> None:
    report = _gaps(_flag_repo(make_repo, strength=["WORSE"], area=["CITED"]))
    # WORSE is cited by a strength only, which does not answer it; CITED is worse but an area
    # for improvement cites it; the others are not worse than England.
    assert _flagged(report) == {"WORSE", "LOW-WORSE"}
    gap = next(g for g in report.metrics.worse_without_area if g.metric.id == "WORSE")
    assert gap.metric.file == "metrics/WORSE.yaml"
    assert gap.problem.startswith("30% against 40% in England and 35% in the East Midlands")
    assert "S-QS1-01" in gap.problem  # says which strength cites it
    assert "ratings/QS1.yaml" in gap.fix and "metrics: [WORSE]" in gap.fix
    low = next(g for g in report.metrics.worse_without_area if g.metric.id == "LOW-WORSE")
    assert "ratings/QS2.yaml" in low.fix  # the rating of its quality statement, even if unwritten


def test_the_flag_goes_when_an_area_for_improvement_cites_the_measure(
    make_repo: MakeRepo,
) -> None:
    before = _gaps(_flag_repo(make_repo, strength=["WORSE"], area=[], name="before"))
    after = _gaps(_flag_repo(make_repo, strength=["WORSE"], area=["WORSE"], name="after"))
    assert "WORSE" in _flagged(before)
    assert "WORSE" not in _flagged(after)
    cited = next(m for m in after.metrics.measures if m.id == "WORSE")
    assert (cited.strengths, cited.areas_for_improvement) == (("S-QS1-01",), ("AFI-QS1-01",))


def test_the_flag_does_not_change_the_readiness_score(make_repo: MakeRepo) -> None:
    flagged = _gaps(_flag_repo(make_repo, strength=[], area=["CITED"], name="flagged"))
    answered = _gaps(
        _flag_repo(make_repo, strength=[], area=["CITED", "WORSE", "LOW-WORSE"], name="answered")
    )
    assert _flagged(flagged) and not _flagged(answered)
    assert flagged.readiness == answered.readiness


def test_measures_under_no_quality_statement_are_listed(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "metrics/UNPLACED.yaml": _metric("UNPLACED", quality_statements=[]),
            "metrics/HOUSED.yaml": _metric("HOUSED"),
        }
    )
    report = _gaps(root)
    assert [g.metric.id for g in report.metrics.without_quality_statement] == ["UNPLACED"]
    assert "metrics/UNPLACED.yaml" in report.metrics.without_quality_statement[0].fix


# --- the flag in every format -----------------------------------------------------------------


@pytest.fixture
def flag_report(make_repo: MakeRepo) -> GapsReport:
    return _gaps(_flag_repo(make_repo, strength=[], area=["CITED"]))


def _section(text: str, heading: str) -> str:
    after = text.split(heading, 1)[1]
    return re.split(r"^#{1,3} ", after, maxsplit=1, flags=re.M)[0]


def test_flag_in_markdown(flag_report: GapsReport) -> None:
    md = render_markdown(flag_report)
    section = _section(md, f"### {FLAG_HEADING}")
    tokens = MarkdownIt("commonmark").enable("table").parse(section)
    assert [t.type for t in tokens].count("table_open") == 1
    rows = [line for line in section.splitlines() if line.startswith("| `metrics/")]
    assert len(rows) == 2
    worse = next(r for r in rows if "WORSE.yaml" in r and "LOW" not in r)
    for part in (
        "`metrics/WORSE.yaml`",
        "WORSE People who receive direct payments",
        "30% against 40% in England and 35% in the East Midlands",
        "2025-26",
        "ratings/QS1.yaml",
    ):
        assert part in worse, part
    assert "CITED" not in section
    summary = _section(md, "# CQC readiness")
    assert "2 measures worse than England with no area for improvement" in summary


def test_flag_in_text(flag_report: GapsReport) -> None:
    text = render_plain_text(flag_report, width=400)
    section = text.split(FLAG_HEADING, 1)[1].split("Expected evidence with no current item")[0]
    line = next(x for x in section.splitlines() if "metrics/WORSE.yaml" in x)
    for part in (
        "WORSE People who receive direct payments",
        "30% against 40% in England and 35% in the East Midlands",
        "2025-26",
        "Add an area for improvement that cites it",
        "ratings/QS1.yaml",
    ):
        assert part in line, part
    assert "CITED" not in section


def test_flag_in_json(flag_report: GapsReport) -> None:
    data = json.loads(json.dumps(flag_report.to_dict()))
    flags = {g["metric"]["id"]: g for g in data["metrics"]["worse_without_area"]}
    assert set(flags) == {"WORSE", "LOW-WORSE"}
    worse = flags["WORSE"]
    assert worse["metric"]["file"] == "metrics/WORSE.yaml"
    assert (worse["metric"]["value"], worse["metric"]["england"], worse["metric"]["region"]) == (
        30,
        40,
        35,
    )
    assert worse["metric"]["period"] == "2025-26"
    assert worse["metric"]["vs_england"] == "worse"
    assert "ratings/QS1.yaml" in worse["fix"]


def test_flag_in_xlsx(flag_report: GapsReport) -> None:
    book = load_workbook(io.BytesIO(render_xlsx(flag_report)))
    ws = book["Measures"]
    heads = [c.value for c in ws[1]]
    rows = {r[0].value: dict(zip(heads, r, strict=True)) for r in ws.iter_rows(min_row=2)}
    worse = rows["WORSE"]
    assert worse["Title"].value == "People who receive direct payments"
    assert (worse["Value"].value, worse["England"].value) == (30, 40)
    assert worse["Region (East Midlands)"].value == 35
    assert worse["Period"].value == "2025-26"
    assert worse["File"].value == "metrics/WORSE.yaml"
    assert "worse than England" in worse["Flag"].value
    assert worse["Flag"].fill.start_color.rgb.endswith(RED)
    assert "ratings/QS1.yaml" in worse["What to do"].value
    assert rows["CITED"]["Flag"].value in (None, "")
    assert rows["CITED"]["Areas for improvement citing it"].value == "AFI-QS1-01"
    summary = {r[0].value: r[1].value for r in book["Summary"].iter_rows(min_row=2)}
    assert summary["Measures worse than England with no area for improvement"] == 2


def test_flag_in_the_command_line_for_the_bundled_example(runner: CliRunner) -> None:
    """The example council leaves one measure worse than England with no area citing it."""
    measures = [
        yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in sorted((EXAMPLE / "metrics").glob("*.yaml"))
    ]
    cited = {
        ref
        for p in (EXAMPLE / "ratings").glob("*.yaml")
        for a in yaml.safe_load(p.read_text(encoding="utf-8")).get("areas_for_improvement", [])
        for ref in a.get("metrics", [])
    }

    def worse(m: dict[str, Any]) -> bool:
        england = m.get("comparators", {}).get("england")
        if england is None or m["polarity"] == "neutral":
            return False
        return m["value"] < england if m["polarity"] == "higher-is-better" else m["value"] > england

    expected = {m["id"] for m in measures if worse(m) and m["id"] not in cited}
    assert len(expected) == 1
    result = runner.invoke(
        app, ["gaps", str(EXAMPLE), "--format", "json", "--as-of", DAY.isoformat()]
    )
    assert result.exit_code == 0
    flags = json.loads(result.stdout)["metrics"]["worse_without_area"]
    assert {g["metric"]["id"] for g in flags} == expected


# --- render: each quality statement's measures ------------------------------------------------


def _render_repo(make_repo: MakeRepo) -> Path:
    root = make_repo(
        {
            # Written out of order: the document sorts by id.
            "metrics/M-B.yaml": _metric(
                "M-B",
                title="Admissions to care homes, 65 and over",
                value=512.3,
                unit="per-100k",
                polarity="lower-is-better",
                comparators={"england": 566, "region": 548.9},
                quality_statements=["QS1", "QS2"],
            ),
            "metrics/M-A.yaml": _metric(
                "M-A",
                title="People who receive direct payments",
                value=24.1,
                comparators={"england": 25.5, "region": 24.1},
            ),
            "metrics/M-C.yaml": _metric(
                "M-C", title="Home care hours delivered", unit="number", polarity="neutral"
            ),
            "ratings/QS1.yaml": _rating(["M-B"], ["M-A"]),
        }
    )
    # The public version here names measures by their codes too, as the tables below expect.
    profile = root / "ascready.yaml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text + "document: {public: {references: true}}\n", encoding="utf-8")
    return root


# The rows each quality statement's table should hold: measure, period, us, England, region,
# compared.
QS1_ROWS = [
    [
        "People who receive direct payments (M-A)",
        "2025-26",
        "24.1%",
        "25.5%",
        "24.1%",
        "worse than England; same as the East Midlands",
    ],
    [
        "Admissions to care homes, 65 and over (M-B)",
        "2025-26",
        "512.3 per 100,000",
        "566 per 100,000",
        "548.9 per 100,000",
        "better than England; better than the East Midlands",
    ],
    ["Home care hours delivered (M-C)", "2025-26", "50", "40", "45", "not compared"],
]
HEADERS = ["Measure", "Period", "Us", "England", "East Midlands", "Compared"]


def _md_tables(md: str) -> dict[str, list[list[str]]]:
    """The "How we compare" table of each quality statement, as rows of cells."""
    out = {}
    for chunk in re.split(r"^### ", md, flags=re.M)[1:]:
        qs = chunk.split()[0]
        if "#### How we compare" not in chunk:
            continue
        table = chunk.split("#### How we compare", 1)[1].strip().split("\n\n")[0]
        lines = table.splitlines()
        rows = [[c.strip().replace("\\", "") for c in x.strip("|").split(" | ")] for x in lines]
        out[qs] = [rows[0], *rows[2:]]
    return out


class _Tables(HTMLParser):
    """Tables in an HTML page: caption and rows of cell text, with header cells marked."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, Any]] = []
        self.cell: list[str] | None = None
        self.in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append({"caption": "", "rows": [], "scopes": []})
        elif tag == "caption":
            self.in_caption = True
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self.cell = []
            if tag == "th":
                self.tables[-1]["scopes"].append(dict(attrs).get("scope"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self.in_caption = False
        elif tag in ("td", "th") and self.cell is not None:
            self.tables[-1]["rows"][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.in_caption:
            self.tables[-1]["caption"] += data
        elif self.cell is not None:
            self.cell.append(data)


def _html_tables(html: str) -> dict[str, dict[str, Any]]:
    parser = _Tables()
    parser.feed(html)
    out = {}
    for table in parser.tables:
        found = re.match(r"Performance measures for (QS\d)", table["caption"])
        if found:
            out[found.group(1)] = table
    return out


def _docx_tables(data: bytes) -> dict[str, list[list[str]]]:
    """The measures tables in a Word document, by the quality statement heading before them."""
    document = docx.Document(io.BytesIO(data))
    out: dict[str, list[list[str]]] = {}
    qs = ""
    body = document.element.body
    tables = iter(document.tables)
    paragraphs = iter(document.paragraphs)
    for child in body.iterchildren():
        if child.tag.endswith("}p"):
            p = next(paragraphs)
            if p.style is not None and p.style.name == "Heading 2" and p.text.startswith("QS"):
                qs = p.text.split()[0]
        elif child.tag.endswith("}tbl"):
            table = next(tables)
            rows = [[c.text for c in r.cells] for r in table.rows]
            if rows[0][0] == "Measure":
                out[qs] = rows
    return out


def test_each_quality_statement_shows_its_measures_in_markdown(make_repo: MakeRepo) -> None:
    project = _clean_project(_render_repo(make_repo))
    tables = _md_tables(render_project(project, "md", "public").decode("utf-8"))
    assert tables["QS1"] == [HEADERS, *QS1_ROWS]
    assert tables["QS2"] == [HEADERS, QS1_ROWS[1]]  # M-B informs QS2 too
    assert "QS3" not in tables


def test_each_quality_statement_shows_its_measures_in_html(make_repo: MakeRepo) -> None:
    project = _clean_project(_render_repo(make_repo))
    tables = _html_tables(render_project(project, "html", "public").decode("utf-8"))
    assert set(tables) == {"QS1", "QS2"}
    assert tables["QS1"]["rows"] == [HEADERS, *QS1_ROWS]
    assert tables["QS2"]["rows"] == [HEADERS, QS1_ROWS[1]]
    # Accessible: every header cell has a scope, columns first, then one per row.
    assert tables["QS1"]["scopes"] == ["col"] * len(HEADERS) + ["row"] * len(QS1_ROWS)


def test_each_quality_statement_shows_its_measures_in_docx(make_repo: MakeRepo) -> None:
    project = _clean_project(_render_repo(make_repo))
    tables = _docx_tables(render_project(project, "docx", "public"))
    assert tables["QS1"] == [HEADERS, *QS1_ROWS]
    assert tables["QS2"] == [HEADERS, QS1_ROWS[1]]
    assert set(tables) == {"QS1", "QS2"}


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_strengths_and_areas_list_the_measures_they_cite(make_repo: MakeRepo, fmt: str) -> None:
    project = _clean_project(_render_repo(make_repo))
    text = render_project(project, fmt, "public").decode("utf-8")
    listed = [x for x in text.splitlines() if "Measures:" in x]  # not the summary's lines
    strength = next(x for x in listed if "Strong carers" in x)
    area = next(x for x in listed if "Reduce waiting times" in x)
    assert re.search(r"Measures: M-B\b", strength)
    assert re.search(r"Measures: M-A\b", area)


# --- nothing non-public reaches a public document ---------------------------------------------

CANARY_TITLE = "CANARYMEASUREXQZ waiting list"
CANARY_VALUE = 987.654  # shown as "987.654 days"


def _canary_repo(make_repo: MakeRepo) -> Path:
    return make_repo(
        {
            "metrics/SECRET-1.yaml": _metric(
                "SECRET-1",
                title=CANARY_TITLE,
                value=CANARY_VALUE,
                unit="days",
                polarity="lower-is-better",
                comparators={},
                classification="official",
            ),
            "metrics/SECRET-2.yaml": _metric(
                "SECRET-2",
                title="SENSITIVECANARYXQZ",
                classification="official-sensitive",
                quality_statements=["QS1", "QS2"],
            ),
            "metrics/OPEN.yaml": _metric("OPEN", title="Published measure"),
            "ratings/QS1.yaml": _rating(["SECRET-1", "OPEN"], ["SECRET-2"]),
        }
    )


def _all_text(data: bytes, fmt: str) -> str:
    if fmt != "docx":
        return data.decode("utf-8")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # every part: body, properties, rels
        return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_no_non_public_measure_in_public_output(make_repo: MakeRepo, fmt: str) -> None:
    project = _clean_project(_canary_repo(make_repo), warnings=True)
    public = _all_text(render_project(project, fmt, "public"), fmt)
    internal = _all_text(render_project(project, fmt, "internal"), fmt)
    secrets = [CANARY_TITLE, "987.654", "SECRET-1", "SENSITIVECANARYXQZ", "SECRET-2"]
    assert [s for s in secrets if s in public] == []
    assert [s for s in secrets if s not in internal] == []  # the canaries are real
    assert "Published measure" in public  # and public measures are shown


def test_public_context_holds_only_public_measures(make_repo: MakeRepo) -> None:
    project = _clean_project(_canary_repo(make_repo), warnings=True)
    context = build_context(project, "public")
    flat = json.dumps(context)
    assert "SECRET" not in flat and "CANARY" not in flat
    shown = [m["classification"] for m in context["measures"]]
    assert shown == ["public"]
    internal = build_context(project, "internal")
    assert [m["id"] for m in internal["measures"]] == ["OPEN", "SECRET-1", "SECRET-2"]


@pytest.mark.parametrize(
    ("line", "message", "fix"),
    [
        ("value: lots", "'value' is 'lots', but it should be a number", "Correct the value"),
        ("value: .nan", "'value' is the number nan, which is not a figure", "e.g. 81.2"),
        ('period: "25/26"', "'period' is '25/26', which is not in the expected form", "2025-26"),
    ],
)
def test_a_figure_or_period_that_cannot_be_used_gets_a_plain_message(
    make_repo: MakeRepo, runner: CliRunner, line: str, message: str, fix: str
) -> None:
    name = line.split(":")[0]
    text = "\n".join(
        line if row.startswith(f"{name}:") else row
        for row in (
            "id: M-1",
            "title: A measure",
            "value: 80.5",
            "unit: percent",
            "period: 2025-26",
            "polarity: higher-is-better",
        )
    )
    root = make_repo({"metrics/M-1.yaml": text + "\n"})
    result = runner.invoke(app, ["validate", str(root)])
    assert result.exit_code == 1
    assert message in result.output
    assert fix in result.output
    assert "internal problem" not in result.output
