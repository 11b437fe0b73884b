"""One document in every format: the same sections, dates and figures in Markdown, HTML and
Word, for each audience and layout; and what the public version leaves out by default."""

from __future__ import annotations

import io
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from ascready.checks.load import load_project
from ascready.cli import app
from ascready.document.render import LAYOUTS, build_context, render_project
from ascready.repository.project import Project
from tests.conftest import REPO_ROOT

EXAMPLE = REPO_ROOT / "evidence"


class _Headings(HTMLParser):
    """The text of the page's level-2 headings inside <main>, and all its text."""

    def __init__(self) -> None:
        super().__init__()
        self.in_main = False
        self.current: list[str] | None = None
        self.headings: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.in_main = True
        if tag == "h2" and self.in_main:
            self.current = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2" and self.current is not None:
            self.headings.append("".join(self.current).strip())
            self.current = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.current is not None:
            self.current.append(data)


def _words(text: str) -> str:
    return " ".join(text.split())


def formats(project: Project, audience: str, layout: str) -> dict[str, tuple[list[str], str]]:
    """Each format's top-level headings and its whole text."""
    import docx

    md = render_project(project, "md", audience, layout=layout).decode("utf-8")
    md_headings = [line[3:].strip() for line in md.splitlines() if line.startswith("## ")]
    md_headings.remove("Contents")
    page = _Headings()
    page.feed(render_project(project, "html", audience, layout=layout).decode("utf-8"))
    word = docx.Document(io.BytesIO(render_project(project, "docx", audience, layout=layout)))
    word_headings = [
        p.text for p in word.paragraphs if p.style is not None and p.style.name == "Heading 1"
    ]
    word_text = [p.text for p in word.paragraphs]
    word_text += [c.text for t in word.tables for row in t.rows for c in row.cells]
    return {
        "md": (md_headings, _words(md.replace("**", "").replace("\\", ""))),
        "html": (page.headings, _words(" ".join(page.text))),
        "docx": (word_headings, _words(" ".join(word_text))),
    }


@pytest.fixture(scope="module")
def example() -> Project:
    project, _ = load_project(EXAMPLE)
    return project


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("audience", ["public", "internal"])
def test_every_format_has_the_same_sections_dates_and_scores(
    example: Project, audience: str, layout: str
) -> None:
    context = build_context(example, audience, layout=layout)
    sections = [s["title"] for s in context["sections"]]
    assert sections[:2] == ["Summary", "Introduction"]
    rendered = formats(example, audience, layout)
    for fmt, (headings, text) in rendered.items():
        assert headings == sections, fmt
        for day in context["key_dates"]:
            assert f"{day['title']}: {day['text']}" in text, (fmt, day)
            assert day["date"] not in text, f"{fmt} writes {day['date']} as ISO"
        for q in context["summary"]["quality_statements"]:
            assert f"{q['self_score']} ({q['score_label']})" in text, (fmt, q["id"])
        for theme in context["summary"]["themes"]:
            assert _words(f"A strength: {theme['strength']}") in text, (fmt, theme["number"])
    estimate = context["summary"]["estimate"]
    if audience == "internal":
        assert estimate is not None and estimate["rating_title"]
        line = f"Our estimate of the overall rating: {estimate['rating_title']}"
        assert all(line in text for _, text in rendered.values())
        assert all("not CQC's" in text for _, text in rendered.values())
    else:
        assert estimate is None


def _repo(tmp_path: Path, public: dict[str, Any] | None = None) -> Path:
    """The example with the public version's settings replaced (None: no settings at all)."""
    root = tmp_path / "council"
    shutil.copytree(EXAMPLE, root)
    profile = yaml.safe_load((root / "ascready.yaml").read_text(encoding="utf-8"))
    profile.pop("document")
    if public is not None:
        profile["document"] = {"public": public}
    (root / "ascready.yaml").write_text(yaml.safe_dump(profile), encoding="utf-8")
    return root


def test_the_public_version_shows_no_internal_workflow_by_default(tmp_path: Path) -> None:
    project, _ = load_project(_repo(tmp_path))
    internal = build_context(project, "internal")
    codes = re.compile(r"\b(EV|ACT|ASCOF)-?\d")
    for fmt, (headings, text) in formats(project, "public", LAYOUTS[0]).items():
        assert not codes.search(text), (fmt, codes.search(text))
        assert "files/" not in text, fmt
        assert "Self-score" not in text and "Evidence shows some shortfalls" not in text, fmt
        for action in internal["themes"][0]["quality_statements"][0]["areas_for_improvement"][0][
            "actions"
        ]:
            assert action["title"] in text  # the action is named ...
            assert f"due {action['due_text']}" not in text  # ... without its progress
        assert "Evidence coverage" not in headings and "Information return index" not in text, fmt
    for fmt, (headings, text) in formats(project, "internal", LAYOUTS[0]).items():
        assert codes.search(text) and "Self-score" in text, fmt
        assert "Evidence coverage" in headings, fmt
        assert "Appendix B: Information return index" in headings, fmt


def test_each_public_choice_is_the_councils(tmp_path: Path) -> None:
    project, _ = load_project(
        _repo(
            tmp_path,
            {"self_scores": True, "references": True, "coverage": True, "actions": False},
        )
    )
    context = build_context(project, "public")
    assert context["summary"]["quality_statements"][0]["self_score"] is not None
    assert context["coverage"] is not None
    assert all(e["label"] == e["id"] for e in context["evidence"])
    areas = [
        a
        for t in context["themes"]
        for q in t["quality_statements"]
        for a in q["areas_for_improvement"]
    ]
    assert areas and not any(a["actions"] for a in areas)
    assert context["summary"]["estimate"] is None  # the estimate is never public


def test_by_theme_keeps_the_councils_own_order_across_quality_statements(
    tmp_path: Path,
) -> None:
    """A theme's strengths as the council listed them: QS2's before QS1's when it says so,
    each tagged with its quality statements; those it did not place follow."""
    root = _repo(tmp_path)
    qs1 = yaml.safe_load((root / "ratings/QS1.yaml").read_text(encoding="utf-8"))
    qs2 = yaml.safe_load((root / "ratings/QS2.yaml").read_text(encoding="utf-8"))
    qs2["strengths"][-1]["order"] = 1
    qs1["strengths"][0]["order"] = 2
    for name, data in (("QS1", qs1), ("QS2", qs2)):
        (root / f"ratings/{name}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    project, findings = load_project(root)
    assert not [f for f in findings if f.severity.value == "error"]
    theme = build_context(project, "internal", layout="by-theme")["by_theme"][0]
    texts = [s["text"] for s in theme["strengths"]]
    assert texts[:2] == [qs2["strengths"][-1]["text"], qs1["strengths"][0]["text"]]
    assert theme["strengths"][0]["tags"][0] == "QS2"
    md = render_project(project, "md", "internal", layout="by-theme").decode("utf-8")
    first = md.index(qs2["strengths"][-1]["text"])
    assert first < md.index(qs1["strengths"][0]["text"]) < md.index("### QS1 ")


def test_the_cover_says_which_version_and_a_final_one_needs_its_date(tmp_path: Path) -> None:
    runner = CliRunner()
    root = _repo(tmp_path)
    result = runner.invoke(
        app, ["render", str(root), "--format", "md", "--doc-version", "2.1", "--date", "1/12/2026"]
    )
    assert result.exit_code == 0, result.output
    assert "Draft version 2.1, 1 December 2026." in result.stdout
    refused = runner.invoke(app, ["render", str(root), "--format", "md", "--final"])
    assert refused.exit_code == 2  # a usage error, as the command says
    assert "a final version needs its date" in refused.output
    assert "--date" in refused.output
    final = runner.invoke(app, ["render", str(root), "--final", "--date", "2026-12-01"])
    assert final.exit_code == 0 and "Final, 1 December 2026." in final.stdout


def test_an_action_due_before_the_documents_date_and_not_done_is_overdue(
    tmp_path: Path,
) -> None:
    """Judged on the document's own date, never the clock: without a date, nothing is."""
    project, _ = load_project(EXAMPLE)
    internal = build_context(project, "internal")
    actions = [
        a
        for t in internal["themes"]
        for q in t["quality_statements"]
        for area in q["areas_for_improvement"]
        for a in area["actions"]
    ]
    day = project.profile.document.date if project.profile else None
    assert day is not None
    late = [a for a in actions if a["overdue"]]
    assert late, "the example has actions due before its document's date"
    for a in actions:
        due = a["due"] and a["due"] < day.isoformat()
        assert a["overdue"] == bool(due and a["status"] not in ("done", "cancelled")), a["id"]
        assert ("overdue" in a["status_title"]) == a["overdue"]
    undated, _ = load_project(_repo(tmp_path))
    assert not any(
        a["overdue"]
        for t in build_context(undated, "internal")["themes"]
        for q in t["quality_statements"]
        for area in q["areas_for_improvement"]
        for a in area["actions"]
    )
