"""``render --format pdf``: the Word file as an A4, tagged PDF with bookmarks, the same bytes
every time, nothing non-public in the public one, and plain words when LibreOffice is missing,
fails or hangs."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import stat
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import docx
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from ascready.checks.load import load_project
from ascready.cli import app
from ascready.document import pdf
from ascready.document.docx import render_docx
from ascready.document.render import build_context
from ascready.errors import PdfError
from ascready.repository.project import Project
from tests.conftest import REPO_ROOT

MakeRepo = Callable[..., Path]
EXAMPLE = REPO_ROOT / "evidence"
A4 = (595.28, 841.89)


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project(EXAMPLE)[0]


@pytest.fixture(scope="module")
def words(project: Project) -> dict[str, bytes]:
    """The Word files of both audiences, as render --format docx writes them."""
    return {a: render_docx(build_context(project, a)) for a in ("public", "internal")}


@pytest.fixture(scope="module")
def pdfs(words: dict[str, bytes]) -> dict[str, bytes]:
    """The PDFs of both audiences, made by the real LibreOffice (skipped without it)."""
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        pytest.skip(
            "LibreOffice is not installed: run `make test` as root, or "
            "`apt-get install libreoffice-writer-nogui`"
        )
    try:
        return {audience: pdf.render_pdf(data) for audience, data in words.items()}
    except PdfError as exc:
        if "Writer" in exc.message:
            pytest.skip(f"LibreOffice has no Writer: {exc.message}")
        raise


def _reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def _text(data: bytes) -> str:
    """The PDF's text with every run of white space as one space (lines break anywhere)."""
    text = " ".join(page.extract_text() or "" for page in _reader(data).pages)
    return re.sub(r"\s+", " ", text)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _outline(items: list[Any], level: int = 1) -> list[tuple[int, str]]:
    """(level, title) of each bookmark, in order."""
    found: list[tuple[int, str]] = []
    for item in items:
        if isinstance(item, list):
            found += _outline(item, level + 1)
        else:
            found.append((level, str(item.title)))
    return found


def _word_headings(data: bytes) -> list[tuple[int, str]]:
    """(level, text) of each Heading paragraph of the Word file, in order."""
    doc = docx.Document(io.BytesIO(data))
    found = []
    for p in doc.paragraphs:
        name = p.style.name if p.style is not None else ""
        if name and name.startswith("Heading ") and name[8:].isdigit():
            found.append((int(name[8:]), p.text))
    return found


# --- what the PDF is --------------------------------------------------------------------------


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_every_page_is_a4(pdfs: dict[str, bytes], audience: str) -> None:
    pages = _reader(pdfs[audience]).pages
    assert len(pages) > 5
    sizes = []
    for number, page in enumerate(pages, 1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        portrait = sorted((width, height))
        assert abs(portrait[0] - A4[0]) < 1 and abs(portrait[1] - A4[1]) < 1, (number, width)
        sizes.append("landscape" if width > height else "portrait")
    # The Word file's landscape appendices stay landscape.
    assert sizes[0] == "portrait" and sizes[-1] == "landscape"


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_tagged_in_british_english(pdfs: dict[str, bytes], audience: str) -> None:
    root = _reader(pdfs[audience]).trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True
    struct = root["/StructTreeRoot"].get_object()
    assert struct["/Type"] == "/StructTreeRoot" and struct["/K"]
    assert root["/Lang"] == "en-GB"


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_bookmarks_are_the_headings(
    pdfs: dict[str, bytes], words: dict[str, bytes], audience: str
) -> None:
    bookmarks = _outline(_reader(pdfs[audience]).outline)
    headings = _word_headings(words[audience])
    assert len(headings) > 20
    assert bookmarks == headings


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_title_council_and_no_dates(
    pdfs: dict[str, bytes], words: dict[str, bytes], project: Project, audience: str
) -> None:
    reader = _reader(pdfs[audience])
    meta = reader.metadata
    assert meta is not None
    word_title = docx.Document(io.BytesIO(words[audience])).core_properties.title
    assert word_title and meta.title == word_title
    assert "/CreationDate" not in meta and "/ModDate" not in meta
    assert project.profile is not None
    assert project.profile.council in _text(pdfs[audience])


# --- the same bytes ---------------------------------------------------------------------------


def test_two_renders_at_once_give_the_same_bytes(
    pdfs: dict[str, bytes], words: dict[str, bytes]
) -> None:
    with ThreadPoolExecutor(2) as pool:
        again = list(pool.map(pdf.render_pdf, [words["public"]] * 2))
    assert again[0] == again[1] == pdfs["public"]
    # The identifier depends on the content: the two audiences' files have different ones.
    ids = {_reader(d).trailer["/ID"][0].original_bytes for d in pdfs.values()}
    assert len(ids) == 2


def test_text_can_be_searched_and_read_aloud(project: Project, pdfs: dict[str, bytes]) -> None:
    """Searching the PDF for an id as typed ("EV-001", with the keyboard's hyphen) finds it:
    ids are kept on one line with Word's non-breaking hyphen, which must come out of the PDF as
    a plain hyphen. And no character is one a screen reader cannot say (the template's bullets
    were the Symbol font's private U+F0B7)."""
    internal = _text(pdfs["internal"])
    ids = [d.model.id for d in project.evidence]
    assert any("-" in i for i in ids)
    for evidence_id in ids:
        assert evidence_id in internal, evidence_id
    for audience, data in pdfs.items():
        private = {c for c in _text(data) if 0xE000 <= ord(c) <= 0xF8FF}
        assert not private, (audience, private)
        assert "\u2011" not in _text(data), audience
    assert "\u2022" in internal  # the bullets, as bullets


# --- audiences --------------------------------------------------------------------------------


def test_public_pdf_has_nothing_non_public(project: Project, pdfs: dict[str, bytes]) -> None:
    hidden = [d.model for d in project.evidence if d.model.classification.value != "public"]
    sensitive = [e for e in hidden if e.classification.value == "official-sensitive"]
    assert sensitive, "the example should have official-sensitive evidence"
    public, internal = _text(pdfs["public"]), _text(pdfs["internal"])
    assert _flat(sensitive[0].title) in internal  # the text is there to be found
    public_bookmarks = " ".join(t for _, t in _outline(_reader(pdfs["public"]).outline))
    for item in hidden:
        assert _flat(item.title) not in public, item.id
        assert not re.search(rf"\b{re.escape(item.id)}\b", public), item.id
        assert item.title not in public_bookmarks
    assert "official-sensitive" not in public and "[official" not in public
    assert "[official-sensitive]" in internal


# --- the command, and LibreOffice missing, failing or stuck -----------------------------------


def _fake_soffice(folder: Path, script: str) -> Path:
    """A folder holding only a program called soffice that runs this shell script."""
    folder.mkdir()
    program = folder / "soffice"
    program.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return folder


def _render(root: Path, out: Path, *extra: str) -> Any:
    return CliRunner().invoke(
        app, ["render", str(root), "--format", "pdf", "--out", str(out), *extra]
    )


def test_render_command_writes_the_pdf(
    make_repo: MakeRepo, tmp_path: Path, pdfs: dict[str, bytes]
) -> None:
    out = tmp_path / "self-assessment.pdf"
    result = _render(make_repo(), out, "--audience", "internal")
    assert result.exit_code == 0, result.output
    assert "Testshire Council" in _text(out.read_bytes())


def test_pdf_needs_out(make_repo: MakeRepo) -> None:
    result = CliRunner().invoke(app, ["render", str(make_repo()), "--format", "pdf"])
    assert result.exit_code == 2
    assert "--out FILE.pdf" in result.output


def test_missing_libreoffice_is_said_plainly(
    make_repo: MakeRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    out = tmp_path / "self-assessment.pdf"
    result = _render(make_repo(), out)
    assert result.exit_code == 1, result.output
    assert "render --format pdf needs LibreOffice" in result.output
    assert "apt-get install libreoffice-writer-nogui" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    # --force over a file the user has: the file is left as it was.
    out.write_bytes(b"the council's own file")
    result = _render(make_repo(name="again"), out, "--force")
    assert result.exit_code == 1
    assert out.read_bytes() == b"the council's own file"


@pytest.mark.parametrize(
    ("script", "said"),
    [
        ("echo 'Error: something broke inside' >&2\nexit 1\n", "it said: Error: something broke"),
        ("echo 'Error: source file could not be loaded' >&2\nexit 0\n", "libreoffice-writer"),
        ("exit 0\n", "could not turn the Word file into a PDF"),
    ],
)
def test_libreoffice_failing_is_said_plainly(
    make_repo: MakeRepo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    script: str,
    said: str,
) -> None:
    monkeypatch.setenv("PATH", str(_fake_soffice(tmp_path / "bin", script)))
    out = tmp_path / "self-assessment.pdf"
    result = _render(make_repo(), out)
    assert result.exit_code == 1, result.output
    assert said in result.output
    assert "nothing was written" in result.output or "Writer" in result.output
    assert not out.exists()


def _running(pid: int) -> bool:
    """Whether the process is still running (a zombie waiting to be reaped is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat_file = Path(f"/proc/{pid}/stat")
    with contextlib.suppress(OSError):
        return stat_file.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def test_libreoffice_stuck_is_stopped(
    make_repo: MakeRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid_file = tmp_path / "pid"
    # A LibreOffice that starts a program of its own and never finishes.
    script = f"{shutil.which('sleep')} 300 &\necho $! > {pid_file}\nwait\n"
    monkeypatch.setenv("PATH", str(_fake_soffice(tmp_path / "bin", script)))
    monkeypatch.setattr(pdf, "TIMEOUT", 2)
    out = tmp_path / "self-assessment.pdf"
    result = _render(make_repo(), out)
    assert result.exit_code == 1, result.output
    assert "took longer than 2 seconds" in result.output
    assert not out.exists()
    # What it started is stopped too.
    assert not _running(int(pid_file.read_text()))


def _other_pdf(when: str) -> bytes:
    """A PDF not in LibreOffice's form (pypdf's own), with a date and a random identifier."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(*A4)
    writer.add_metadata({"/Title": "draft", "/CreationDate": when})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_pdf_in_another_form_is_written_again_without_dates() -> None:
    properties = {"/Title": "Testshire Council adult social care self-assessment"}
    first = pdf._finish(_other_pdf("D:20260101120000Z"), properties)
    second = pdf._finish(_other_pdf("D:20270202130000Z"), properties)
    assert first == second
    reader = _reader(first)
    assert reader.metadata is not None
    assert reader.metadata.title == properties["/Title"]
    assert "/CreationDate" not in reader.metadata
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert reader.trailer["/ID"][0].original_bytes != bytes(16)


def test_the_contents_field_is_taken_away_and_its_entries_kept() -> None:
    """LibreOffice keeps a TOC field's result as saved, with no page numbers; without the field
    around them it works out each entry's PAGEREF. Every other field stays as it was."""
    from docx.oxml.ns import qn

    from ascready.document import wordml

    doc = docx.Document()
    heading = doc.add_paragraph("Summary", "Heading 1")
    wordml.bookmark(heading, 1, "_Toc1")
    entries = [doc.add_paragraph(f"Entry {n}\t") for n in (1, 2)]
    for entry in entries:
        wordml.field(entry, "PAGEREF _Toc1 \\h")
    wordml.field_around(entries[0], entries[-1], 'TOC \\o "1-2" \\h')
    footer = doc.add_paragraph("Page ")
    wordml.field(footer, "PAGE", "1")
    prepared = docx.Document(io.BytesIO(pdf._prepare(_saved(doc))[0]))

    instructions = [
        (t.text or "").split()[0] for t in prepared.element.body.iter(qn("w:instrText"))
    ]
    assert instructions == ["PAGEREF", "PAGEREF", "PAGE"]
    kinds = [c.get(qn("w:fldCharType")) for c in prepared.element.body.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"] * 3  # each left field whole
    assert [p.text for p in prepared.paragraphs][:3] == ["Summary", "Entry 1\t", "Entry 2\t"]


def _saved(doc: Any) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_a_long_table_is_cut_into_parts_each_starting_a_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """LibreOffice takes far longer over one long table than over the same rows in parts: a
    long table goes to LibreOffice as tables of PART_ROWS rows, each beginning a new page with
    the header row, every row kept, in order."""
    from docx.oxml.ns import qn

    monkeypatch.setattr(pdf, "PART_ROWS", 3)
    project = load_project(EXAMPLE)[0]
    word = render_docx(build_context(project, "internal"))
    prepared = docx.Document(io.BytesIO(pdf._prepare(word)[0]))
    original = docx.Document(io.BytesIO(word))
    index = next(t for t in original.tables if t.rows[0].cells[0].text == "Id")
    parts = [t for t in prepared.tables if t.rows[0].cells[0].text == "Id"]
    ids = [r.cells[0].text for r in index.rows[1:]]
    assert len(ids) > 6
    assert len(parts) == -(-len(ids) // 3)
    assert [r.cells[0].text for t in parts for r in t.rows[1:]] == ids
    for part in parts:
        assert len(part.rows) <= 4
        assert part.rows[0]._tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
    for part in parts[1:]:
        before = part._tbl.getprevious()
        assert before.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}") is not None

    # Every table with a header row is cut so (the cover's details have none), and no row is
    # lost or added but the repeated header rows.
    def headed(doc: Any) -> list[Any]:
        header = f"{qn('w:trPr')}/{qn('w:tblHeader')}"
        return [t for t in doc.tables if t.rows[0]._tr.find(header) is not None]

    assert all(len(t.rows) <= 4 for t in headed(prepared))
    assert len(headed(prepared)) > len(parts)
    body_rows = sum(len(t.rows) - 1 for t in headed(original))
    assert sum(len(t.rows) - 1 for t in headed(prepared)) == body_rows

    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        pytest.skip("LibreOffice is not installed")
    pages = [p.extract_text() or "" for p in _reader(pdf.render_pdf(word)).pages]
    for part in parts:
        first_id = part.rows[1].cells[0].text
        page = next(p for p in pages if re.search(rf"^{re.escape(first_id)}\b", p, re.M))
        lines = [line for line in page.splitlines() if line.strip()]
        at = next(n for n, line in enumerate(lines) if line.startswith(first_id))
        assert any(line.startswith("Id") for line in lines[:at]), first_id  # its header above
        assert not any(re.match(r"EV-\d", line) for line in lines[:at]), first_id  # page top
