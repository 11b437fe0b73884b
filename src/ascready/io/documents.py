"""The text of the documents a council keeps beside its evidence (under ``files/``), piece by
piece, each piece with where it is in the document, for the personal-data scan.

:func:`document_text` reads the bytes of one document (read already, with the loader's
guards) and yields :class:`Segment` values: a PDF page by page (pypdf), a Word document
paragraph by paragraph and table cell by table cell, with its page headers and footers,
footnotes, endnotes and comments (python-docx), an Excel workbook cell by cell (openpyxl,
through :mod:`ascready.io.tables`), CSV cell by cell and any other text line by line. What
cannot be read at all, or only in part, raises :class:`DocumentProblem` (after the segments
that could be read); nothing here raises anything else for a bad document, and nothing
prints.

The work is bounded: no more than :data:`MAX_PAGES` pages of a PDF, :data:`MAX_CELLS` cells
of a workbook and :data:`MAX_CHARACTERS` characters of any document are read, and Word and
Excel packages are looked over first (:mod:`ascready.io.ooxml`: no zip bomb, no XML bomb).
"""

from __future__ import annotations

import csv
import io
import logging
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from ascready.errors import TableError
from ascready.io.ooxml import package_problem
from ascready.io.tables import WorkbookCells, column_letter, guess_delimiter

#: Most pages of one PDF read.
MAX_PAGES = 1_000
#: Most bytes of content (text instructions) pypdf parses for one page, and for one PDF
#: (see :func:`_page_work`; parsing takes pypdf about 1.5 seconds a MiB, more for larger
#: streams), and most bytes of content (drawing too) looked through in one PDF.
MAX_PAGE_WORK = 1024 * 1024
MAX_PDF_WORK = 8 * 1024 * 1024
MAX_PDF_CONTENT = 256 * 1024 * 1024
#: Most times one page may draw form XObjects (pypdf's own limit is 5,000).
MAX_FORM_USES = 64
#: Most cells of one workbook visited.
MAX_CELLS = 2_000_000
#: Most characters of text taken from one document.
MAX_CHARACTERS = 5_000_000
#: Most bytes of XML in one Word document (python-docx holds all of it in memory, as a tree
#: ten times its size; a 300-page report holds a few MiB).
MAX_WORD_XML = 32 * 1024 * 1024

TEXT_SUFFIXES = (
    *(".txt", ".text", ".md", ".markdown", ".html", ".htm", ".json", ".xml", ".yaml", ".yml"),
    ".eml",
)
CSV_SUFFIXES = (".csv", ".tsv")
WORD_SUFFIXES = (".docx",)
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PDF_SUFFIXES = (".pdf",)
#: Images, sound and video: no text to read, so not scanned (and not reported).
MEDIA_SUFFIXES = (
    *(".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic", ".svg"),
    *(".ico", ".emf", ".wmf"),
    *(".mp3", ".m4a", ".wav", ".ogg", ".mp4", ".m4v", ".mov", ".avi", ".wmv", ".webm"),
)

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97-2003, and password-protected files
_PDF_MAGIC = b"%PDF-"
_MEDIA = "(Images, sound and video are not checked: they hold no text to read.)"

# pypdf reports what it repairs in a damaged PDF through logging; ascready says it in words.
logging.getLogger("pypdf").setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class Segment:
    """One piece of a document's text and where it is, as a message says it: "on page 3",
    "in paragraph 12", "in sheet 'Cases' cell B7", "on line 40"."""

    where: str
    text: str
    #: The line, in a text or CSV file (0 in other documents).
    line: int = 0


class DocumentProblem(Exception):
    """A document that cannot be read (``partial`` False: nothing of it was), or was read only
    in part (``partial`` True: the segments given before were). ``what`` says why, ``fix``
    what to do."""

    def __init__(self, what: str, fix: str, *, partial: bool = False) -> None:
        super().__init__(what)
        self.what, self.fix, self.partial = what, fix, partial


def is_media(name: str) -> bool:
    """Whether the file is an image, a sound or a video: nothing to read as text."""
    return name.lower().endswith(MEDIA_SUFFIXES)


def document_text(raw: bytes, name: str) -> Iterator[Segment]:
    """The text of the document ``raw`` named ``name`` (its suffix says how to read it)."""
    suffix = name.lower().rpartition(".")[2] if "." in name else ""
    readers = {
        **dict.fromkeys(PDF_SUFFIXES, _pdf),
        **dict.fromkeys(WORD_SUFFIXES, _word),
        **dict.fromkeys(EXCEL_SUFFIXES, _excel),
        **dict.fromkeys(CSV_SUFFIXES, _csv),
        **dict.fromkeys(TEXT_SUFFIXES, _text),
    }
    reader = readers.get(f".{suffix}")
    if reader is None:
        _unknown(raw, suffix)
        reader = _text  # a file of another name that holds text is scanned as text
    budget = _Budget()
    for segment in reader(raw, budget):
        if segment.text:
            yield segment
        if budget.spent:
            raise DocumentProblem(
                f"only its first {MAX_CHARACTERS:,} characters (up to {segment.where}) were "
                "checked for personal data",
                "Split it into smaller documents, or check the rest yourself.",
                partial=True,
            )


class _Budget:
    """Characters still to be read from one document."""

    def __init__(self) -> None:
        self.left = MAX_CHARACTERS

    @property
    def spent(self) -> bool:
        return self.left <= 0

    def take(self, text: str) -> str:
        text = text[: max(0, self.left)]
        self.left -= max(1, len(text))
        return text


# --- what a file is ---------------------------------------------------------------------------

#: Formats ascready does not read, by suffix: what the file is, and what to do.
_KNOWN = {
    "doc": ("an old Word 97-2003 document (.doc)", "Save it as a Word document (.docx) or PDF."),
    "rtf": ("a Rich Text document (.rtf)", "Save it as a Word document (.docx) or PDF."),
    "odt": ("an OpenDocument text (.odt)", "Save it as a Word document (.docx) or PDF."),
    "xls": ("an old Excel 97-2003 workbook (.xls)", "Save it as an Excel workbook (.xlsx)."),
    "xlsb": ("an Excel binary workbook (.xlsb)", "Save it as an Excel workbook (.xlsx)."),
    "ods": ("an OpenDocument spreadsheet (.ods)", "Save it as an Excel workbook (.xlsx)."),
    "ppt": ("a PowerPoint presentation (.ppt)", "Save it as PDF."),
    "pptx": ("a PowerPoint presentation (.pptx)", "Save it as PDF."),
    "odp": ("an OpenDocument presentation (.odp)", "Save it as PDF."),
    "docm": ("a Word document with macros (.docm)", "Save it as a Word document (.docx)."),
    "msg": ("an Outlook message (.msg)", "Save the message as PDF, or remove it."),
    "zip": (
        "a zip archive",
        "Unzip it into files/, so that each document in it can be checked, or remove it.",
    ),
}


def _unknown(raw: bytes, suffix: str) -> None:
    """Refuses a file that is not of a kind ascready reads, unless it holds text."""
    if suffix in _KNOWN:
        what, fix = _KNOWN[suffix]
        raise DocumentProblem(f"it is {what}, which ascready cannot read", fix)
    if raw.startswith(_PDF_MAGIC):
        what = "a PDF document"
    elif raw.startswith(_ZIP_MAGIC):
        what = "a zip archive or an Office document"
    elif raw.startswith(_OLE2_MAGIC):
        what = "an Office 97-2003 file, or one protected with a password"
    elif b"\x00" in raw[:8192] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentProblem(
            "it is not a kind of file ascready can read (PDF, Word .docx, Excel .xlsx, CSV or "
            "text)",
            f"Save it as one of those, or remove it if it need not be in the repository. {_MEDIA}",
        )
    else:
        return
    named = f"'.{suffix}'" if suffix else "nothing"
    raise DocumentProblem(
        f"it is {what}, but its name ends with {named}",
        "Give it the name ending of what it is (.pdf, .docx, .xlsx), so that it can be checked.",
    )


def _office_problem(raw: bytes, label: str) -> None:
    """Refuses a .docx or .xlsx that is not a package it is safe to open."""
    if raw.startswith(_OLE2_MAGIC):
        raise DocumentProblem(
            f"it is protected with a password, or it is an old Office 97-2003 file renamed {label}",
            "Save a copy without the password, in the current format, so that it can be checked.",
        )
    if not raw.startswith(_ZIP_MAGIC):
        raise DocumentProblem(
            f"it is not really a {label} file: it is damaged, or another kind of file renamed",
            "Open it in the program that made it and save it again.",
        )
    problem = package_problem(io.BytesIO(raw))
    if problem is not None:
        raise DocumentProblem(*problem)


# --- text ------------------------------------------------------------------------------------


def _decode(raw: bytes) -> str:
    """Text in UTF-8 (with or without a byte-order mark), UTF-16 (with one), or else
    Windows-1252, as Excel and Notepad write it."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16", errors="replace")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
    if "\x00" in text[:8192]:
        raise DocumentProblem(
            "it holds binary data, not text, though its name says text",
            "Give it the right name ending (.pdf, .docx, .xlsx), or remove it.",
        )
    return text


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _text(raw: bytes, budget: _Budget) -> Iterator[Segment]:
    yield from _text_lines(_lines(_decode(raw)), 1, budget)


def _text_lines(lines: Iterable[str], first: int, budget: _Budget) -> Iterator[Segment]:
    for number, line in enumerate(lines, start=first):
        yield Segment(f"on line {number}", budget.take(line), number)


def _csv(raw: bytes, budget: _Budget) -> Iterator[Segment]:
    """Cell by cell, each at the line its row starts on (a quoted cell may hold line breaks);
    a file the csv module cannot split (a cell of over 128 KiB) is read on as lines."""
    text = _decode(raw)
    lines = _lines(text)
    reader = csv.reader(lines, delimiter=guess_delimiter(text))
    start = 1
    try:
        for cells in reader:
            for cell in cells:
                yield Segment(f"on line {start}", budget.take(cell), start)
            start = reader.line_num + 1
    except csv.Error:
        yield from _text_lines(lines[start - 1 :], start, budget)


# --- PDF ---------------------------------------------------------------------------------------


def _pdf(raw: bytes, budget: _Budget) -> Iterator[Segment]:
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import DependencyError

    if not raw.startswith(_PDF_MAGIC) and _PDF_MAGIC not in raw[:1024]:
        raise DocumentProblem(
            "it is not really a PDF: it is damaged, or another kind of file renamed .pdf",
            "Open it in the program that made it and save it as PDF again.",
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader = PdfReader(io.BytesIO(raw))
            locked = reader.is_encrypted and not reader.decrypt("")
            pages = len(reader.pages) if not locked else 0
        except DependencyError:
            locked = True
        except Exception as exc:
            raise _damaged_pdf() from exc
    if locked:
        raise DocumentProblem(
            "it is protected with a password or encrypted, so its text cannot be read",
            "Save a copy without the password or restrictions (print it to PDF again), so "
            "that it can be checked.",
        )
    failed: list[int] = []
    found = False
    read = min(pages, MAX_PAGES)
    work = content = 0
    for number in range(1, read + 1):
        with (
            warnings.catch_warnings(),
            apply_configuration(xform_maximum_invocations_per_extraction=MAX_FORM_USES),
        ):
            warnings.simplefilter("ignore")
            try:
                page = reader.pages[number - 1]
                cost, size = _page_work(page)
                content += size
                if cost > MAX_PAGE_WORK:
                    failed.append(number)
                    continue
                work += cost
                if work > MAX_PDF_WORK or content > MAX_PDF_CONTENT:
                    read = number - 1
                    break
                text = page.extract_text()
            except Exception:
                failed.append(number)
                continue
        found = found or bool(text.strip())
        yield Segment(f"on page {number}", budget.take(text))
    if failed:
        shown = ", ".join(str(n) for n in failed[:10]) + (", ..." if len(failed) > 10 else "")
        raise DocumentProblem(
            f"{len(failed)} of its pages could not be read (page {shown}: damaged, or holding "
            f"more than the {MAX_PAGE_WORK // 1024 // 1024} MiB of text instructions ascready "
            f"reads on a page), so {'it was' if len(failed) == read else 'those pages were'} "
            "not checked for personal data",
            "Open it and save it as PDF again (print to PDF), or check those pages yourself.",
            partial=len(failed) < read,
        )
    if read < min(pages, MAX_PAGES):
        raise DocumentProblem(
            f"only its first {read:,} pages of {pages:,} were checked for personal data: "
            "they hold as much content as ascready reads in one PDF",
            "Split it into smaller documents, or check the rest yourself.",
            partial=True,
        )
    if pages > MAX_PAGES:
        raise DocumentProblem(
            f"only its first {MAX_PAGES:,} pages of {pages:,} were checked for personal data",
            "Split it into smaller documents, or check the rest yourself.",
            partial=True,
        )
    if pages and not found:
        raise DocumentProblem(
            "it holds no text that can be read: its pages are probably scanned images",
            "Check it yourself, or save it from the program that made it (not a scanner) as PDF.",
        )


#: An operator that shows text, or draws a form (which may): content without one is not
#: parsed by pypdf's text extraction, and costs nothing.
_SHOWS_TEXT = re.compile(rb"T[jJ]|['\"]|Do")


def _page_work(page: Any) -> tuple[int, int]:
    """How many bytes of content pypdf would parse to extract a page's text, at most: its
    content, every form XObject it can reach, and the largest of those forms again for every
    time a form can be drawn (up to :data:`MAX_FORM_USES`); and how many bytes of content
    there are (drawing too, which pypdf looks through without parsing it). Parsing costs
    about 1.5 seconds a MiB, and pypdf draws a form again each time it is used, so a page of
    a few bytes that uses one large form thousands of times would otherwise take minutes."""
    from pypdf.generic import DictionaryObject, IndirectObject, StreamObject

    contents = page.get_contents()
    streams = [contents.get_data()] if contents is not None else []
    forms: list[int] = []
    seen: set[int] = set()
    pending = [page.get("/Resources")]
    while pending and len(seen) <= MAX_FORM_USES:
        resources = pending.pop()
        resources = resources.get_object() if resources is not None else None
        xobjects = resources.get("/XObject") if isinstance(resources, DictionaryObject) else None
        xobjects = xobjects.get_object() if xobjects is not None else None
        if not isinstance(xobjects, DictionaryObject):
            continue
        for ref in xobjects.values():
            key = ref.idnum if isinstance(ref, IndirectObject) else id(ref)
            form = ref.get_object()
            if key in seen or not isinstance(form, StreamObject):
                continue
            seen.add(key)
            if form.get("/Subtype") == "/Form":
                streams.append(form.get_data())
                forms.append(len(streams[-1]))
                pending.append(form.get("/Resources"))
    parsed = sum(len(data) for data in streams if _SHOWS_TEXT.search(data))
    uses = min(sum(data.count(b"Do") for data in streams), MAX_FORM_USES)
    return parsed + uses * max(forms, default=0), sum(len(data) for data in streams)


def _damaged_pdf() -> DocumentProblem:
    return DocumentProblem(
        "it is damaged: its PDF structure cannot be read",
        "Open it and save it as PDF again (print to PDF).",
    )


# --- Word --------------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_WORD_PARTS = {
    "document.main+xml": "",
    "header+xml": "a page header",
    "footer+xml": "a page footer",
    "footnotes+xml": "the footnotes",
    "endnotes+xml": "the endnotes",
    "comments+xml": "the comments",
}
_WORD_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml."
#: Text (also deleted text of tracked changes, and field codes, which hold mailto: links),
#: and what stands for a space.
_TEXT_TAGS = frozenset(f"{_W}{t}" for t in ("t", "delText", "instrText"))
_SPACE_TAGS = frozenset(f"{_W}{t}" for t in ("tab", "br", "cr", "p"))


def _word(raw: bytes, budget: _Budget) -> Iterator[Segment]:
    import docx

    _office_problem(raw, ".docx")
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:  # opened safely by _office_problem
        xml = sum(p.file_size for p in archive.infolist() if p.filename.endswith((".xml", ".rels")))
    if xml > MAX_WORD_XML:
        raise DocumentProblem(
            f"it holds {xml / 1024 / 1024:,.0f} MiB of text and layout (XML), more than the "
            f"{MAX_WORD_XML // 1024 // 1024} MiB ascready reads in a Word document",
            "Split it into smaller documents, or save it as PDF.",
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            package = docx.Document(io.BytesIO(raw)).part.package
            parts = [
                (_WORD_PARTS[ct], part.blob)
                for part in package.iter_parts()
                if (ct := part.content_type.removeprefix(_WORD_TYPE)) in _WORD_PARTS
            ]
        except Exception as exc:
            raise DocumentProblem(
                "it is damaged, or not really a Word document",
                "Open it in Word and save it as a Word document (.docx) again.",
            ) from exc
    parts.sort(key=lambda p: p[0] != "")  # the body first, then headers, footers and notes
    for label, blob in parts:
        try:
            root = ElementTree.fromstring(blob)  # no DTD: package_problem refused any
        except ElementTree.ParseError as exc:
            raise DocumentProblem(
                "it is damaged: a part of it is not well-formed XML",
                "Open it in Word and save it as a Word document (.docx) again.",
                partial=True,
            ) from exc
        if label:
            for number, paragraph in enumerate(root.iter(f"{_W}p"), start=1):
                if paragraph.find(f".//{_W}p") is None:  # innermost paragraphs only
                    yield Segment(
                        f"in {label} (paragraph {number})", budget.take(_words(paragraph))
                    )
            continue
        body = root.find(f"{_W}body")
        if body is not None:
            yield from _body(body, budget)


def _body(body: ElementTree.Element, budget: _Budget) -> Iterator[Segment]:
    """The body's paragraphs and tables, numbered as Word lists them (the paragraphs outside
    tables, as python-docx's ``Document.paragraphs``; table cells by table, row and cell)."""
    paragraphs = tables = 0
    stack: list[Iterator[ElementTree.Element]] = [iter(body)]
    while stack:
        element = next(stack[-1], None)
        if element is None:
            stack.pop()
        elif element.tag == f"{_W}p":
            paragraphs += 1
            yield Segment(f"in paragraph {paragraphs}", budget.take(_words(element)))
        elif element.tag == f"{_W}tbl":
            tables += 1
            for r, row in enumerate(element.findall(f"{_W}tr"), start=1):
                for c, cell in enumerate(row.findall(f"{_W}tc"), start=1):
                    where = f"in table {tables}, row {r}, cell {c}"
                    yield Segment(where, budget.take(_words(cell)))
        elif element.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"):
            stack.append(iter(element))  # content controls hold paragraphs and tables


def _words(element: ElementTree.Element) -> str:
    parts: list[str] = []
    for node in element.iter():
        if node.tag in _TEXT_TAGS:
            parts.append(node.text or "")
        elif node.tag in _SPACE_TAGS:
            parts.append(" ")
    return "".join(parts).strip()


# --- Excel -------------------------------------------------------------------------------------


def _excel(raw: bytes, budget: _Budget) -> Iterator[Segment]:
    # the workbook reader looks the package over (io.ooxml) before openpyxl opens it
    cells = WorkbookCells(io.BytesIO(raw), "", MAX_CELLS)
    try:
        for sheet, row, column, value in cells:
            text = _cell_text(value)
            if text:
                where = f"in sheet '{sheet}' cell {column_letter(column)}{row}"
                yield Segment(where, budget.take(text))
    except TableError as exc:
        raise DocumentProblem(exc.what, exc.fix) from None
    if cells.cut:
        raise DocumentProblem(
            f"only its first {MAX_CELLS:,} cells were checked for personal data",
            "Split it into smaller workbooks, or check the rest yourself.",
            partial=True,
        )


def _cell_text(value: Any) -> str:
    """A cell's text; a whole number too (an NHS number typed into Excel is a number)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return ""
