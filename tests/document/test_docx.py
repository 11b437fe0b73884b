"""ascready render --format docx: structure, tables, audiences, safety and determinism."""

from __future__ import annotations

import copy
import datetime as dt
import io
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import docx
import pytest
import yaml
from docx.document import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from typer.testing import CliRunner

from ascready.checks.load import load_project
from ascready.cli import app
from ascready.document.docx import INTERNAL_LINE, PUBLIC_LINE, clean, render_docx
from ascready.document.render import build_context, render_project
from ascready.repository.project import Project
from tests.conftest import REPO_ROOT

MakeRepo = Callable[..., Path]
EXAMPLE = REPO_ROOT / "evidence"
EVIDENCE_HEADERS = ["Id", "Title", "Kind", "Quality statements", "Categories", "As of", "Source"]
RETURN_HEADERS = ["Number", "Title", "Status", "Documents"]


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project(EXAMPLE)[0]


@pytest.fixture(scope="module")
def contexts(project: Project) -> dict[str, dict[str, Any]]:
    return {a: build_context(project, a) for a in ("public", "internal")}


@pytest.fixture(scope="module")
def rendered(contexts: dict[str, dict[str, Any]]) -> dict[str, bytes]:
    return {a: render_docx(c) for a, c in contexts.items()}


def _open(data: bytes) -> Document:
    return docx.Document(io.BytesIO(data))


_STYLE_NAMES: dict[str, str] = {}


def _style(p: Paragraph) -> str:
    """The paragraph's style name (python-docx's own lookup searches every style, every time)."""
    style_id = p._p.style or "Normal"
    if not _STYLE_NAMES:
        _STYLE_NAMES.update({s.style_id: s.name or "" for s in docx.Document().styles})
    return _STYLE_NAMES.get(style_id, style_id)


def _headings(doc: Document, level: int) -> list[str]:
    return [p.text for p in doc.paragraphs if _style(p) == f"Heading {level}"]


def _section(doc: Document, heading: str) -> list[Paragraph]:
    """The paragraphs after the heading with this text, up to the next heading of its level
    or higher."""
    paragraphs = doc.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text == heading)
    level = int(_style(paragraphs[start]).removeprefix("Heading "))
    out = []
    for p in paragraphs[start + 1 :]:
        style = _style(p)
        if style.startswith("Heading ") and int(style.removeprefix("Heading ")) <= level:
            break
        out.append(p)
    return out


def _table(doc: Document, first_header: str) -> Table:
    matches = [t for t in doc.tables if t.rows[0].cells[0].text == first_header]
    assert len(matches) == 1, [t.rows[0].cells[0].text for t in doc.tables]
    return matches[0]


def _repeats(row: Any) -> bool:
    tr_pr = row._tr.trPr
    if tr_pr is None:
        return False
    marks = tr_pr.findall(qn("w:tblHeader"))
    return any(m.get(qn("w:val"), "true") in ("true", "1", "on") for m in marks)


def _package_text(data: bytes) -> str:
    """Every part of the package, headers, properties and relationships included, as text."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "\n".join(z.read(name).decode("utf-8", "replace") for name in z.namelist())


def _hyperlinks(doc: Document) -> list[tuple[str, str]]:
    """Every web hyperlink in the body: (the text shown, the address it opens)."""
    out = []
    for link in doc.element.body.iter(qn("w:hyperlink")):
        r_id = link.get(qn("r:id"))
        if r_id:
            text = "".join(r.text for r in link.iter(qn("w:r")))
            out.append((text, doc.part.rels[r_id].target_ref))
    return out


def _all_text(doc: Document) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


# --- structure --------------------------------------------------------------------------------


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_headings_follow_the_framework(
    project: Project, rendered: dict[str, bytes], contexts: dict[str, Any], audience: str
) -> None:
    doc = _open(rendered[audience])
    fw = project.framework
    themes = [f"Theme {t.number}: {t.title}" for t in fw.themes]
    assert len(themes) == 4
    assert _headings(doc, 1) == [s["title"] for s in contexts[audience]["sections"]]
    assert _headings(doc, 1)[:2] == ["Summary", "Introduction"]
    assert [h for h in _headings(doc, 1) if h.startswith("Theme")] == themes
    assert len(fw.quality_statements) == 9
    all_qs = [f"{q.id} {q.title}" for q in fw.quality_statements]
    assert [h for h in _headings(doc, 2) if h.startswith("QS")] == all_qs
    for theme, heading in zip(fw.themes, themes, strict=True):
        under = [p.text for p in _section(doc, heading) if _style(p) == "Heading 2"]
        expected = [f"{q.id} {q.title}" for q in fw.quality_statements if q.theme == theme.id]
        context_theme = next(t for t in contexts[audience]["themes"] if t["id"] == theme.id)
        if context_theme["also_presented"]:
            expected.append(f"Also presented under theme {theme.number}")
        assert under == expected
    styles = {_style(p) for p in doc.paragraphs}
    assert {"Title", "Heading 3", "List Bullet"} <= styles


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_front_matter(rendered: dict[str, bytes], audience: str) -> None:
    doc = _open(rendered[audience])
    title = doc.paragraphs[0]
    assert _style(title) == "Title"
    assert title.text == "Avonmere Council adult social care self-assessment"
    texts = [p.text for p in doc.paragraphs[:5]]
    if audience == "internal":  # "Internal version", then what that means
        assert texts[2] == "Internal version"
        assert texts[3].lower() == INTERNAL_LINE.removeprefix("Internal version: ").lower()
    else:
        assert PUBLIC_LINE in texts
    assert "CQC assessment framework for local authority adult social care" in texts
    intro = [p.text for p in _section(doc, "Introduction")]
    assert "ONS code: E06000999" in intro
    assert "Region: South West" in intro
    summary = [p.text for p in _section(doc, "Summary")]
    assert "CQC notified us of the assessment: 9 November 2026" in summary


def test_qs1_self_score_matches_the_rating_file(
    rendered: dict[str, bytes], contexts: dict[str, Any]
) -> None:
    rating = yaml.safe_load((EXAMPLE / "ratings" / "QS1.yaml").read_text(encoding="utf-8"))
    score = rating["self_score"]
    label = contexts["internal"]["score_labels"][str(score)]
    for data in rendered.values():
        doc = _open(data)
        heading = next(h for h in _headings(doc, 2) if h.startswith("QS1 "))
        scores = [p.text for p in _section(doc, heading) if p.text.startswith("Self-score")]
        assert scores == [f"Self-score: {score} ({label})"]


def test_narrative_markdown_becomes_word_formatting(rendered: dict[str, bytes]) -> None:
    # QS1's narrative in the example has "**Waiting times are our biggest shortfall.**"
    doc = _open(rendered["public"])
    heading = next(h for h in _headings(doc, 2) if h.startswith("QS1 "))
    runs = [r for p in _section(doc, heading) for r in p.runs if r.bold]
    assert any("Waiting" in r.text and "shortfall." in r.text for r in runs)
    assert "**" not in _all_text(doc)


def test_strengths_are_tagged_and_areas_list_their_actions(rendered: dict[str, bytes]) -> None:
    doc = _open(rendered["internal"])
    texts = [p.text for p in doc.paragraphs]
    strength = next(t for t in texts if t.startswith("A strong, co-produced carers' offer"))
    assert strength.startswith("A strong, co-produced carers' offer (QS1)")
    assert "EV-007 [public]" in strength
    # S-QS4-01 is presented under theme 1 and tagged with two quality statements
    theme1 = _section(doc, "Theme 1: How local authorities work with people")
    moved = [p.text for p in theme1 if "integrated working in mental health" in p.text]
    assert moved == [moved[0]]
    assert "(QS4, QS5)" in moved[0]
    actions = [p.text for p in doc.paragraphs if _style(p) == "List Bullet 2"]
    assert any(t.startswith("Action ACT-01: ") and "due " in t for t in actions)


# --- tables -----------------------------------------------------------------------------------


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_evidence_index_table(
    rendered: dict[str, bytes], contexts: dict[str, Any], audience: str
) -> None:
    doc = _open(rendered[audience])
    evidence = contexts[audience]["evidence"]
    if audience == "internal":
        table = _table(doc, "Id")
        headers = [c.text for c in table.rows[0].cells]
        assert headers == [*EVIDENCE_HEADERS, "Classification"]
        assert [row.cells[0].text for row in table.rows[1:]] == [e["id"] for e in evidence]
        titles = [row.cells[1].text for row in table.rows[1:]]
    else:  # the public version names evidence by its title, without the repository's codes
        table = _table(doc, "Title")
        headers = [c.text for c in table.rows[0].cells]
        assert headers == EVIDENCE_HEADERS[1:]
        titles = [row.cells[0].text for row in table.rows[1:]]
    assert titles == [e["title"] for e in evidence]
    assert _repeats(table.rows[0])
    assert not any(_repeats(row) for row in table.rows[1:])
    assert len(table.rows) == len(evidence) + 1
    if audience == "internal":
        assert [row.cells[7].text for row in table.rows[1:]] == [
            e["classification"] for e in evidence
        ]
    assert table.style is not None and table.style.name == "Table Grid"


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_information_return_table(
    rendered: dict[str, bytes], contexts: dict[str, Any], audience: str
) -> None:
    if audience == "public":  # upload status is workflow: only where the council shows it
        assert not contexts[audience]["information_return"]
        headings = _headings(_open(rendered[audience]), 1)
        assert not [h for h in headings if "Information return" in h]
        return
    doc = _open(rendered[audience])
    table = _table(doc, "Number")
    assert [c.text for c in table.rows[0].cells] == RETURN_HEADERS
    assert _repeats(table.rows[0])
    assert len(table.rows) == 38 + 1
    assert [row.cells[0].text for row in table.rows[1:]] == [str(n) for n in range(1, 39)]
    items = contexts[audience]["information_return"]
    for row, item in zip(table.rows[1:], items, strict=True):
        assert row.cells[1].text == item["title"]
        assert row.cells[2].text.startswith(item["status_title"])
        for document in item["documents"]:
            assert document["id"] in row.cells[3].text


# --- audiences --------------------------------------------------------------------------------


def test_internal_only_material_is_only_in_the_internal_document(
    project: Project, rendered: dict[str, bytes]
) -> None:
    hidden = [
        d.model for d in project.of_kind("evidence") if d.model.classification.value != "public"
    ]
    sensitive = [e for e in hidden if e.classification.value == "official-sensitive"]
    assert sensitive, "the example should have official-sensitive evidence"
    public = _package_text(rendered["public"])
    internal = _package_text(rendered["internal"])
    title = escape(sensitive[0].title)
    assert title in internal
    assert title not in public
    for item in hidden:
        assert escape(item.title) not in public, item.id
        assert f">{item.id}<" not in public and f"{item.id} " not in public, item.id
    assert "[official" not in public and "[public]" not in public
    assert "[official-sensitive]" in internal


def test_internal_mentions_carry_their_classification(
    rendered: dict[str, bytes], contexts: dict[str, Any]
) -> None:
    doc = _open(rendered["internal"])
    text = _all_text(doc)
    for row in contexts["internal"]["evidence"]:
        if row["classification"] == "official-sensitive":
            cited = f"{row['id']} [official-sensitive]"
            cited_title = f"{row['id']} {row['title']} [official-sensitive]"
            assert cited in text or cited_title in text, row["id"]


# --- determinism ------------------------------------------------------------------------------


def test_same_context_same_bytes(project: Project, contexts: dict[str, Any]) -> None:
    for audience, context in contexts.items():
        first = render_docx(context)
        assert render_docx(context) == first
        assert render_docx(build_context(project, audience)) == first


def test_properties_and_zip_times_are_fixed(rendered: dict[str, bytes]) -> None:
    data = rendered["internal"]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {info.date_time for info in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        names = z.namelist()
    assert "docProps/thumbnail.jpeg" not in names
    props = _open(data).core_properties
    assert props.author == "ascready"
    assert props.last_modified_by == "ascready"
    assert props.revision == 1
    made = dt.datetime(2000, 1, 1)
    for stamp in (props.created, props.modified):
        assert stamp is not None and stamp.replace(tzinfo=None) == made
    assert props.title == "Avonmere Council adult social care self-assessment"


# --- evidence text is data --------------------------------------------------------------------

NARRATIVE = """\
quality_statement: QS1
self_score: 3
narrative: |
  Before <script>alert(1)</script> after, and **bold** here.

  - first point
  - second point

  1. one
  2. two

  See [CQC](https://www.cqc.org.uk) and [this](javascript:alert(1)).
strengths:
  - id: S-QS1-01
    text: Strong carers' offer
    evidence: [EV-001, EV-002]
areas_for_improvement:
  - id: AFI-QS1-01
    text: Reduce waiting times for occupational therapy assessments
    evidence: [EV-002]
    actions: [ACT-01]
"""

SURVEY = """\
id: EV-002
title: "Carers' survey {{ 7*7 }}"
summary: "71% of carers felt involved {{ 7*7 }} <b>not bold</b>"
kind: survey
categories: [peoples-experience, outcomes]
quality_statements: [QS1, QS2]
information_return: [2]
source: https://www.testshire.example/carers-survey
owner: Performance Manager
as_of: 2026-06-30
review_by: 2099-06-30
classification: public
"""


def test_markup_in_evidence_stays_literal(make_repo: MakeRepo) -> None:
    root = make_repo({"ratings/QS1.yaml": NARRATIVE, "evidence/EV-002.yaml": SURVEY})
    project, findings = load_project(root)
    assert not [f for f in findings if f.severity.value == "error"], findings
    doc = _open(render_project(project, "docx", "public"))
    text = _all_text(doc)
    assert "<script>alert(1)</script>" in text
    assert "{{ 7*7 }}" in text
    assert "<b>not bold</b>" in text
    assert "49" not in text
    bold = [r.text for p in doc.paragraphs for r in p.runs if r.bold]
    assert "bold" in bold
    assert "not bold" not in bold
    heading = next(h for h in _headings(doc, 2) if h.startswith("QS1 "))
    section = _section(doc, heading)
    bullets = [p.text for p in section if _style(p) == "List Bullet"]
    assert "first point" in bullets and "second point" in bullets
    assert [p.text for p in section if _style(p) == "List Number"] == ["one", "two"]
    assert "CQC" in text and "https://www.cqc.org.uk" not in text  # a link, shown by its text
    assert ("CQC", "https://www.cqc.org.uk") in _hyperlinks(doc)
    assert "[this](javascript:alert(1))" in text  # an unsafe link stays as written


def test_characters_xml_cannot_hold_are_left_out(contexts: dict[str, Any]) -> None:
    context = copy.deepcopy(contexts["internal"])
    row = context["evidence"][0]
    row["title"] = "Bad\x00 \x01title\x0b\x1f\ud800 here"
    qs = context["themes"][0]["quality_statements"][0]
    qs["narrative"] = "Narrative\x02 with\x0c controls\r\nand a CR."
    doc = _open(render_docx(context))
    text = _all_text(doc)
    assert "Bad title here" in text
    assert "Narrative with controls and a CR." in text
    assert clean("a\tb\nc\x07d\r\ne") == "a\tb\ncd\ne"


def test_each_numbered_list_starts_again(contexts: dict[str, Any]) -> None:
    context = copy.deepcopy(contexts["public"])
    statements = context["themes"][0]["quality_statements"]
    statements[0]["narrative"] = "1. a\n2. b\n"
    statements[1]["narrative"] = "1. c\n2. d\n\nBetween.\n\n5. e\n"
    doc = _open(render_docx(context))
    numbered = [p for p in doc.paragraphs if _style(p) == "List Number"]
    assert [p.text for p in numbered] == ["a", "b", "c", "d", "e"]
    ids = [p._p.pPr.numPr.numId.val for p in numbered]  # type: ignore[union-attr]
    assert ids[0] == ids[1] and ids[2] == ids[3]
    assert len({ids[0], ids[2], ids[4]}) == 3
    numbering = doc.part.numbering_part.element
    starts = numbering.num_having_numId(ids[4]).xpath(".//w:startOverride/@w:val")
    assert starts == ["5"]


# --- the command and start-up -----------------------------------------------------------------


def test_render_command_writes_the_docx(make_repo: MakeRepo, tmp_path: Path) -> None:
    root = make_repo()
    out = tmp_path / "self-assessment.docx"
    result = CliRunner().invoke(
        app, ["render", str(root), "--format", "docx", "--audience", "internal", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    doc = _open(out.read_bytes())
    assert doc.paragraphs[0].text == "Testshire Council adult social care self-assessment"


def test_importing_the_module_does_not_load_python_docx() -> None:
    code = (
        "import sys, ascready.document.docx; "
        "assert 'docx' not in sys.modules and 'markdown_it' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- a council document: paper, language, cover, contents, footer, style --------------------

A4_MM = (210, 297)


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_every_section_is_a4(rendered: dict[str, bytes], audience: str) -> None:
    doc = _open(rendered[audience])
    sizes = []
    for section in doc.sections:
        width, height = section.page_width, section.page_height
        assert width is not None and height is not None
        sizes.append((round(width.mm), round(height.mm)))
        assert all(
            m is not None and 15 <= m.mm <= 30
            for m in (
                section.left_margin,
                section.right_margin,
                section.top_margin,
                section.bottom_margin,
            )
        )
    assert sizes[0] == A4_MM  # the document upright ...
    assert sizes[-1] == A4_MM[::-1]  # ... and the appendices on their side
    assert set(sizes) <= {A4_MM, A4_MM[::-1]}


def test_proofing_language_is_british_english(rendered: dict[str, bytes]) -> None:
    data = rendered["public"]
    doc = _open(data)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    assert defaults is not None
    langs = [el.get(qn("w:val")) for el in defaults.iter(qn("w:lang"))]
    assert langs == ["en-GB"]
    assert 'w:val="en-US"' not in _package_text(data)
    assert doc.core_properties.language == "en-GB"


def _cover_text(doc: Document) -> str:
    """The text before the contents: the cover's paragraphs and its table of details."""
    body = doc.element.body
    parts: list[str] = []
    for child in body:
        if child.tag == qn("w:p"):
            text = Paragraph(child, doc._body).text
            if text == "Contents":
                break
            parts.append(text)
        elif child.tag == qn("w:tbl"):
            parts.extend(c.text for row in Table(child, doc._body).rows for c in row.cells)
    return "\n".join(parts)


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_the_cover_says_what_which_version_and_whose(
    contexts: dict[str, Any], audience: str
) -> None:
    context = copy.deepcopy(contexts[audience])
    details = context["document"]
    details.update(
        edition="Final version 2.3",
        date_text="1 December 2026",
        owner="Head of Assurance",
        approved_by="The Cabinet",
    )
    doc = _open(render_docx(context))
    cover = _cover_text(doc)
    for key in ("title", "audience_title", "edition", "date_text", "owner", "approved_by"):
        assert details[key] in cover, key
    assert "Summary" not in cover.splitlines()
    first = doc.sections[0]
    assert first.different_first_page_header_footer  # no running header on the cover
    assert not first.first_page_header.paragraphs[0].text
    assert details["title"] in first.header.paragraphs[0].text
    assert details["audience_title"] in first.header.paragraphs[0].text


def _contents(doc: Document) -> list[Paragraph]:
    return [p for p in doc.paragraphs if p._p.style in ("TOC1", "TOC2")]


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_the_contents_lists_every_heading_with_its_page(
    rendered: dict[str, bytes], audience: str
) -> None:
    doc = _open(rendered[audience])
    entries = _contents(doc)
    headings = [
        (p.text, _style(p)) for p in doc.paragraphs if _style(p) in ("Heading 1", "Heading 2")
    ]
    assert [(p.text.split("\t")[0], p._p.style[-1]) for p in entries] == [
        (text, style[-1]) for text, style in headings
    ]
    marks = {
        b.get(qn("w:name")): b.getparent() for b in doc.element.body.iter(qn("w:bookmarkStart"))
    }
    # Word's own contents field holds the entries: "Update table" builds it again.
    codes = [
        (c.get(qn("w:fldCharType")), p)
        for p, entry in enumerate(entries)
        for c in entry._p.iter(qn("w:fldChar"))
    ]
    first = next(t.text or "" for t in entries[0]._p.iter(qn("w:instrText")))
    assert first.split()[0] == "TOC" and '\\o "1-2"' in first and "\\h" in first
    assert codes[0] == ("begin", 0) and codes[-1] == ("end", len(entries) - 1)
    for entry, (text, _) in zip(entries, headings, strict=True):
        instructions = [t.text or "" for t in entry._p.iter(qn("w:instrText"))]
        instructions = [i for i in instructions if i.split()[0] != "TOC"]
        assert len(instructions) == 1 and instructions[0].split()[0] == "PAGEREF"
        name = instructions[0].split()[1]
        assert Paragraph(marks[name], doc._body).text == text  # it points at its heading
        link = entry._p.find(qn("w:hyperlink"))
        assert link is not None and link.get(qn("w:anchor")) == name
    update = doc.settings.element.find(qn("w:updateFields"))
    assert update is not None and update.get(qn("w:val")) == "true"


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_every_page_after_the_cover_says_page_x_of_y(
    rendered: dict[str, bytes], contexts: dict[str, Any], audience: str
) -> None:
    doc = _open(rendered[audience])
    for section in doc.sections:
        footer = section.footer
        assert not footer.is_linked_to_previous
        text = "\n".join(p.text for p in footer.paragraphs)
        assert contexts[audience]["document"]["footer"] in text
        assert "Page " in text and " of " in text
        instructions = [
            (t.text or "").strip() for p in footer.paragraphs for t in p._p.iter(qn("w:instrText"))
        ]
        assert instructions == ["PAGE", "NUMPAGES"]


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast_on_white(hex_colour: str) -> float:
    return 1.05 / (_luminance(hex_colour) + 0.05)


def test_headings_and_links_have_accessible_contrast(rendered: dict[str, bytes]) -> None:
    doc = _open(rendered["public"])
    by_id = {s.get(qn("w:styleId")): s for s in doc.styles.element.iter(qn("w:style"))}
    checked = {}
    for style_id in (
        "Title",
        "Subtitle",
        "Heading1",
        "Heading2",
        "Heading3",
        "Heading4",
        "TOCHeading",
        "Hyperlink",
        "Header",
        "Footer",
        "Quote",
        "Normal",
    ):
        colour = by_id[style_id].find(f"{qn('w:rPr')}/{qn('w:color')}")
        assert colour is not None, style_id
        assert colour.get(qn("w:themeColor")) is None  # the colour is the one we set
        checked[style_id] = _contrast_on_white(colour.get(qn("w:val")))
    assert min(checked.values()) >= 4.5, checked
    # The quote's call-out: shaded, with a rule down its left, as the HTML's blockquote.
    quote = by_id["Quote"].find(qn("w:pPr"))
    assert quote is not None
    assert quote.find(qn("w:shd")) is not None
    assert quote.find(f"{qn('w:pBdr')}/{qn('w:left')}") is not None
    quotes = [p for p in doc.paragraphs if _style(p) == "Quote"]
    assert quotes and all(not r.italic for p in quotes for r in p.runs)


@pytest.mark.parametrize("layout", ["by-quality-statement", "by-theme"])
def test_headings_are_real_and_each_one_says_where_it_is(project: Project, layout: str) -> None:
    doc = _open(render_docx(build_context(project, "internal", layout=layout)))
    headings = [p.text for p in doc.paragraphs if _style(p).startswith("Heading")]
    repeated = {h for h in headings if headings.count(h) > 1}
    assert not repeated
    assert "Key dates" in headings and "I statements (QS1)" in headings
    assert "Key dates:" not in [p.text for p in doc.paragraphs]
    # No paragraph is a bold line standing in for a heading.
    after_cover = doc.paragraphs[[p.text for p in doc.paragraphs].index("Contents") :]
    lead_ins = [
        p.text
        for p in after_cover
        if p.text.strip()  # a chart's paragraph holds a picture and no text
        and all(r.bold for r in p.runs if r.text.strip())
        and len(p.text) < 40
        and _style(p) == "Normal"
    ]
    assert not lead_ins, lead_ins


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_web_sources_are_links_shown_by_their_title(
    rendered: dict[str, bytes], contexts: dict[str, Any], audience: str
) -> None:
    doc = _open(rendered[audience])
    links = _hyperlinks(doc)
    web = [e for e in contexts[audience]["evidence"] if (e["source"] or {}).get("is_url")]
    assert web
    for row in web:
        assert (row["title"], row["source"]["href"]) in links, row["id"]
    text = _all_text(doc)
    assert "http" not in text  # no address is printed in full
    sources = [*contexts[audience]["evidence"], *contexts[audience]["measures"]]
    assert {target for _, target in links} <= {(e["source"] or {}).get("href") for e in sources}


def test_ids_and_dates_in_tables_do_not_break(rendered: dict[str, bytes]) -> None:
    doc = _open(rendered["internal"])
    table = _table(doc, "Id")
    for row in table.rows[1:]:
        cell = row.cells[0]._tc
        assert cell.find(f".//{qn('w:noBreakHyphen')}") is not None
        assert not [t.text for t in cell.iter(qn("w:t")) if "-" in (t.text or "")]
        as_of = row.cells[5].text
        assert not as_of or " " not in as_of  # "30 June 2026" with no-break spaces
    # Columns sized to what they hold: the ids' narrower than the titles'.
    widths = [c.width for c in table.columns]
    assert all(w is not None for w in widths)
    assert widths[0] < widths[1] and widths[0] < widths[6]


def test_libreoffice_lays_it_out_as_a_council_document(
    rendered: dict[str, bytes], contexts: dict[str, Any]
) -> None:
    """LibreOffice's PDF of the Word file (as render --format pdf makes it): A4 pages, the
    cover first, then the contents with the themes and their page numbers, and "Page X of Y"
    on every later page."""
    import re

    from pypdf import PdfReader

    from ascready.document.pdf import render_pdf

    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        pytest.skip("LibreOffice is not installed: run `make test` as root")
    pages = PdfReader(io.BytesIO(render_pdf(rendered["public"]))).pages
    total = len(pages)
    assert total > 5
    for page in pages:
        size = sorted((round(float(page.mediabox.width)), round(float(page.mediabox.height))))
        assert size == [595, 842]  # A4 in points, upright or on its side
    text = [" ".join((page.extract_text() or "").split()) for page in pages]
    details = contexts["public"]["document"]
    for key in ("title", "edition", "date_text"):
        assert details[key] in text[0], key
    assert "Page 1 of" not in text[0]  # no footer on the cover
    contents = next(
        n for n, t in enumerate(text) if t.startswith(details["title"]) and "Contents" in t
    )
    assert contents == 1
    for section in contexts["public"]["sections"]:
        heading = section["title"]
        found = re.search(re.escape(heading) + r"[ .]*?(\d+)", text[contents])
        assert found, heading
        page = int(found.group(1))  # the page LibreOffice worked out ...
        assert heading in text[page - 1] and page > 2, heading  # ... is where the heading is
    for n, page_text in enumerate(text[1:], start=2):
        assert f"Page {n} of {total}" in page_text, n


@pytest.mark.parametrize(
    ("address", "linked"),
    [
        ("https://www.cqc.org.uk/guidance", True),
        ("mailto:adult.social.care@avonmere.example", True),
        ("javascript:alert(1)", False),
        ("files/carers-strategy-2025.md", False),
        ('https://example.org/"><script>', False),
        ("https://example.org/a b", False),
    ],
)
def test_only_web_and_email_addresses_become_hyperlinks(address: str, linked: bool) -> None:
    from ascready.document.inline import is_web_link

    assert is_web_link(address) is linked
