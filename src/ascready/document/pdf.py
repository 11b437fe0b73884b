"""``render --format pdf``: the Word file, turned into an A4, tagged PDF with bookmarks.

The PDF is made from exactly the Word file ``render --format docx`` writes, by LibreOffice
(``soffice --headless --convert-to pdf``), which is a program outside Python: it is found on
the PATH, and when it is missing the user is told how to install it. Each conversion runs in a
private temporary folder with its own LibreOffice profile, so it never touches the user's own
LibreOffice settings and two renders can run at once; it has no standard input and a time
limit, and every way it can fail becomes a :class:`~ascready.errors.PdfError` in plain words.

Before converting, the Word file is made A4 (each section keeps its orientation and its text
width, the side margins take up the difference) and its text is marked as British English;
both are no-ops when the Word file already is. LibreOffice takes the title, author, subject and
language from the Word file; afterwards its creation date is blanked out and the file
identifier it draws at random is replaced by one worked out from the content, so the same
repository gives the same bytes with the same version of LibreOffice (and of its fonts).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from ascready.errors import PdfError

#: Seconds LibreOffice may take to convert one document before it is stopped.
TIMEOUT = 1800.0

LANGUAGE = "en-GB"

#: Rows of a long table in each of the tables it is cut into for LibreOffice, whose time to lay
#: out one table grows faster than its rows: the 10,000-row evidence index took 19 minutes as
#: one table and about 2 as tables of 500 rows.
PART_ROWS = 500

#: A4 in twentieths of a point (Word's unit for page sizes).
A4_TWIPS = (11906, 16838)

#: writer_pdf_Export options, in the JSON form LibreOffice reads since 7.4: tagged (structure
#: for screen readers), bookmarks from the headings, the document title shown in the title bar.
FILTER = (
    "pdf:writer_pdf_Export:{"
    '"UseTaggedPDF":{"type":"boolean","value":"true"},'
    '"ExportBookmarks":{"type":"boolean","value":"true"},'
    '"OpenBookmarkLevels":{"type":"long","value":"1"},'
    '"ExportNotes":{"type":"boolean","value":"false"},'
    '"ExportFormFields":{"type":"boolean","value":"false"},'
    '"DisplayPDFDocumentTitle":{"type":"boolean","value":"true"}'
    "}"
)

MISSING = (
    "render --format pdf needs LibreOffice: install it (Debian: apt-get install "
    "libreoffice-writer-nogui) or render --format docx and save as PDF from Word"
)

#: The placeholder identifier written first, then replaced by one worked out from the bytes.
_PLACEHOLDER_ID = bytes(16)


def find_soffice() -> str:
    """The LibreOffice program on the PATH, or a PdfError saying how to install it."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise PdfError(MISSING)
    return found


def render_pdf(docx: bytes) -> bytes:
    """The bytes of the PDF of this Word file (the bytes ``render_docx`` returns)."""
    soffice = find_soffice()
    prepared, properties = _prepare(docx)
    with tempfile.TemporaryDirectory(prefix="ascready-pdf-") as folder:
        work = Path(folder)
        source = work / "self-assessment.docx"
        source.write_bytes(prepared)
        out = work / "out"
        out.mkdir()
        _convert(soffice, source, out, work / "profile")
        made = out / "self-assessment.pdf"
        if not made.is_file() or made.stat().st_size == 0:
            raise PdfError(
                "LibreOffice did not write the PDF (it gave no reason). "
                "Render --format docx and save as PDF from Word, or report this."
            )
        raw = made.read_bytes()
    return _finish(raw, properties)


# --- the Word file, made A4 and British English -----------------------------------------------


def _prepare(docx: bytes) -> tuple[bytes, dict[str, str]]:
    """The Word file with A4 pages and en-GB text, and its title, author and subject."""
    import docx as python_docx
    from docx.shared import Emu, Twips

    doc = python_docx.Document(io.BytesIO(docx))
    a4_short, a4_long = (Twips(t) for t in A4_TWIPS)
    for section in doc.sections:
        width, height = section.page_width, section.page_height
        if width is None or height is None:
            continue
        new_width, new_height = (a4_long, a4_short) if width > height else (a4_short, a4_long)
        if abs(width - new_width) <= Twips(20) and abs(height - new_height) <= Twips(20):
            continue
        # The text width stays as it was (tables are laid out for it); the margins share the
        # difference, never below 12.7 mm.
        left, right = int(section.left_margin or 0), int(section.right_margin or 0)
        spare = int(new_width) - (int(width) - left - right)
        floor = Twips(720)
        if spare >= 2 * floor:
            section.left_margin = Emu(spare // 2)
            section.right_margin = Emu(spare - spare // 2)
        section.page_width, section.page_height = new_width, new_height
    _set_language(doc)
    _contents_as_page_references(doc)
    _long_tables_in_parts(doc)
    props = doc.core_properties
    properties = {
        "/Title": props.title or "",
        "/Author": props.author or "",
        "/Subject": props.subject or "",
    }
    raw = io.BytesIO()
    doc.save(raw)
    return raw.getvalue(), properties


def _set_language(doc: Any) -> None:
    """British English as the language of all text without its own (the document default)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    r_default = defaults.find(qn("w:rPrDefault"))
    if r_default is None:
        r_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, r_default)
    r_pr = r_default.find(qn("w:rPr"))
    if r_pr is None:
        r_pr = OxmlElement("w:rPr")
        r_default.append(r_pr)
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)


def _contents_as_page_references(doc: Any) -> None:
    """Word's ``TOC`` field taken away, its entries kept. LibreOffice keeps a ``TOC`` field's
    result as it was saved and does not work out the ``PAGEREF`` fields inside it, so the
    contents would have no page numbers; outside a ``TOC`` field it works each of them out."""
    from docx.oxml.ns import qn

    open_fields: list[tuple[list[Any], list[str]]] = []  # (its code's runs, its instruction)
    for run in list(doc.element.body.iter(qn("w:r"))):
        char = run.find(qn("w:fldChar"))
        kind = char.get(qn("w:fldCharType")) if char is not None else None
        instr = run.find(qn("w:instrText"))
        if kind == "begin":
            open_fields.append(([run], []))
        elif open_fields and (instr is not None or kind == "separate"):
            open_fields[-1][0].append(run)
            if instr is not None:
                open_fields[-1][1].append(instr.text or "")
        elif open_fields and kind == "end":
            code, instruction = open_fields.pop()
            if "".join(instruction).split()[:1] == ["TOC"]:
                for element in [*code, run]:
                    element.getparent().remove(element)


def _long_tables_in_parts(doc: Any) -> None:
    """Each table of more than ``PART_ROWS`` rows below a repeating header row, cut into tables
    of that many rows, each with that header row and starting on a new page (so the header is at
    the top of a page, as it is wherever a long table goes on to the next page)."""
    import copy

    from docx.oxml.ns import qn

    rows = PART_ROWS
    for table in list(doc.element.body.iterchildren(qn("w:tbl"))):  # not tables in tables
        all_rows = table.findall(qn("w:tr"))
        header = [
            r for r in all_rows[:1] if r.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
        ]
        body = all_rows[len(header) :]
        if not header or len(body) <= rows:
            continue
        after = table
        for start in range(rows, len(body), rows):
            part = table.makeelement(table.tag, table.attrib)
            for child in table:
                if child.tag != qn("w:tr"):
                    part.append(copy.deepcopy(child))  # the table's properties and columns
            part.append(copy.deepcopy(header[0]))
            for row in body[start : start + rows]:
                part.append(row)  # moved out of the first table
            gap = _page_break_paragraph()
            after.addnext(gap)
            gap.addnext(part)
            after = part


def _page_break_paragraph() -> Any:
    """An empty paragraph that starts a new page and takes no room of its own."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    return parse_xml(
        f"<w:p {nsdecls('w')}><w:pPr><w:pageBreakBefore/>"
        '<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
        '<w:rPr><w:sz w:val="2"/></w:rPr></w:pPr></w:p>'
    )


# --- LibreOffice ------------------------------------------------------------------------------


def _convert(soffice: str, source: Path, out: Path, profile: Path) -> None:
    """Run LibreOffice on ``source``, writing into ``out``; a PdfError if it fails."""
    command = [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--invisible",
        "--norestore",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        "--convert-to",
        FILTER,
        "--outdir",
        str(out),
        str(source),
    ]
    try:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=source.parent,
            start_new_session=True,  # its own process group, so a stuck one is stopped whole
        )
    except OSError as exc:
        raise PdfError(
            f"render --format pdf could not start LibreOffice ({soffice}): "
            f"{exc.strerror or exc}. {MISSING}"
        ) from None
    try:
        _, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        _stop(proc)
        raise PdfError(
            f"LibreOffice took longer than {TIMEOUT:g} seconds to turn the Word file into a PDF "
            "and was stopped; nothing was written. Render --format docx and save as PDF from "
            "Word, or try again when the computer is less busy."
        ) from None
    finally:
        _stop(proc)
    said = _said(err)
    if "source file could not be loaded" in said.lower():
        raise PdfError(
            "LibreOffice could not open the Word file: its word processor (Writer) is probably "
            "not installed (Debian: apt-get install libreoffice-writer-nogui). Or render "
            "--format docx and save as PDF from Word."
        )
    if proc.returncode != 0 or not any(out.iterdir()):
        reason = f" (it said: {said})" if said else ""
        raise PdfError(
            f"LibreOffice could not turn the Word file into a PDF{reason}; nothing was "
            "written. Render --format docx and save as PDF from Word, or report this."
        )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop LibreOffice and anything it started, if still running."""
    if proc.poll() is None:
        with contextlib.suppress(OSError):
            if hasattr(os, "killpg"):
                os.killpg(proc.pid, signal.SIGKILL)
            else:  # pragma: no cover - Windows
                proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.communicate(timeout=10)


def _said(err: bytes) -> str:
    """What LibreOffice said on stderr, less its harmless warnings, in one short line."""
    lines = [
        line.strip()
        for line in err.decode("utf-8", "replace").splitlines()
        if line.strip() and "javaldx" not in line
    ]
    return " ".join(lines)[:300]


# --- the PDF, made the same every time --------------------------------------------------------

#: The dates in the document information, and LibreOffice's checksum in the trailer (its own
#: key, which no reader uses; it changes with the date).
_DATE = re.compile(
    rb"/(?:CreationDate|ModDate)\s*\(D:[0-9]{4,14}[^()]{0,8}\)|/DocChecksum\s*/[0-9A-Fa-f]{32}"
)
_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]{32})>\s*<([0-9A-Fa-f]{32})>\s*\]")
_LANG = re.compile(rb"/Lang\s*\(" + LANGUAGE.encode() + rb"\)")


def _finish(raw: bytes, properties: dict[str, str]) -> bytes:
    """The PDF with no dates in it, language en-GB, and an identifier worked out from its
    content. LibreOffice's own file is changed in place where it has the expected form (a
    date in its information, the identifier in its trailer): every byte keeps its offset,
    so this is quick for a PDF of any size. Otherwise pypdf writes the PDF again."""
    fixed = _in_place(raw)
    return fixed if fixed is not None else _rewrite(raw, properties)


def _in_place(raw: bytes) -> bytes | None:
    """LibreOffice's PDF with its dates and checksum blanked out (spaces are white space between a
    dictionary's entries) and its identifier the start of the SHA-256 of the rest; None when
    the file is not in the form this expects."""
    trailer = raw.rfind(b"trailer")
    if trailer < 0 or b"/ObjStm" in raw or b"/Metadata" in raw or b"/Prev" in raw[trailer:]:
        return None
    ids = list(_ID.finditer(raw, trailer))
    if len(ids) != 1 or len(_ID.findall(raw)) != 1 or not _LANG.search(raw):
        return None
    data = bytearray(_DATE.sub(lambda m: b" " * len(m.group(0)), raw))
    found = ids[0]
    for group in (1, 2):
        data[found.start(group) : found.end(group)] = b"0" * 32
    digest = hashlib.sha256(data).hexdigest()[:32].upper().encode()
    for group in (1, 2):
        data[found.start(group) : found.end(group)] = digest
    return bytes(data)


def _rewrite(raw: bytes, properties: dict[str, str]) -> bytes:
    """The PDF written again by pypdf, with fixed information (no dates), language en-GB
    and an identifier worked out from its content."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError
    from pypdf.generic import ArrayObject, ByteStringObject, NameObject, TextStringObject

    try:
        reader = PdfReader(io.BytesIO(raw))
        producer = (reader.metadata.producer if reader.metadata else None) or "LibreOffice"
        writer = PdfWriter(clone_from=reader)
    except (PyPdfError, ValueError, KeyError) as exc:
        raise PdfError(
            f"LibreOffice wrote a PDF that cannot be read ({exc}); nothing was written. "
            "Render --format docx and save as PDF from Word, or report this."
        ) from None
    info = {key: value for key, value in properties.items() if value}
    info["/Creator"] = "ascready"
    info["/Producer"] = str(producer)
    writer.metadata = None  # drops LibreOffice's, with its creation date
    writer.add_metadata(info)
    writer.root_object[NameObject("/Lang")] = TextStringObject(LANGUAGE)
    placeholder = ByteStringObject(_PLACEHOLDER_ID)
    writer._ID = ArrayObject([placeholder, placeholder])
    buffer = io.BytesIO()
    writer.write(buffer)
    data = buffer.getvalue()
    # The identifier: the first 16 bytes of the SHA-256 of the file written with zeros there.
    marker = b"<" + _PLACEHOLDER_ID.hex().encode() + b">"
    at = data.rfind(b"trailer")
    if at < 0 or data.count(marker, at) != 2:
        return data
    digest = hashlib.sha256(data).digest()[:16].hex().encode()
    return data[:at] + data[at:].replace(marker, b"<" + digest + b">")
