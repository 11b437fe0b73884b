"""The text of documents, piece by piece with where each piece is; and every way a document
cannot be read, as a problem that says why."""

from __future__ import annotations

import io
import zipfile

import pytest

from ascready.io import documents
from ascready.io.documents import DocumentProblem, Segment, document_text
from tests.checks.test_file_documents import docx_bytes, pdf_bytes, xlsx_bytes


def _text(raw: bytes, name: str) -> list[tuple[str, str]]:
    return [(s.where, s.text) for s in document_text(raw, name)]


def _problem(raw: bytes, name: str) -> DocumentProblem:
    with pytest.raises(DocumentProblem) as raised:
        list(document_text(raw, name))
    return raised.value


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        ("Café\nRing 01632 960000\n".encode("utf-16"), "UTF-16 with its byte-order mark"),
        ("Café\r\nRing 01632 960000\r\n".encode("cp1252"), "Windows-1252, Windows line ends"),
        ("\ufeffCafé\rRing 01632 960000\r".encode(), "UTF-8 with a mark, old Mac line ends"),
    ],
)
def test_text_in_the_encodings_windows_writes(raw: bytes, encoding: str) -> None:
    assert _text(raw, "notes.txt")[:2] == [
        ("on line 1", "Café"),
        ("on line 2", "Ring 01632 960000"),
    ], encoding


def test_a_file_of_another_name_that_holds_text_is_read_as_text() -> None:
    assert _text(b"a\nb@example.org\n", "NOTES")[1] == ("on line 2", "b@example.org")
    assert _text(b"x\n", "minutes.log") == [("on line 1", "x")]


@pytest.mark.parametrize(
    ("raw", "name", "said"),
    [
        (b"%PDF-1.4 ...", "report", "it is a PDF document, but its name ends with nothing"),
        (b"PK\x03\x04...", "report.bak", "a zip archive or an Office document, but its name"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "x.dat", "an Office 97-2003 file"),
        (b"PK\x03\x04", "slides.pptx", "a PowerPoint presentation (.pptx)"),
        (b"x", "notes.odt", "an OpenDocument text (.odt)"),
        (b"x", "a.zip", "a zip archive, which ascready cannot read"),
    ],
)
def test_files_ascready_does_not_read_say_what_they_are(raw: bytes, name: str, said: str) -> None:
    assert said in _problem(raw, name).what


def test_a_text_name_on_binary_data_is_refused() -> None:
    problem = _problem(b"\x89PNG\r\n\x1a\n\x00\x00\x00", "image.txt")
    assert "binary data, not text" in problem.what
    assert not problem.partial


def test_a_csv_cell_too_long_for_the_csv_module_is_read_on_as_lines() -> None:
    long = "x" * (200 * 1024)
    raw = f'a,b\n"{long}\nend,jo@example.org\n'.encode()
    assert ("on line 3", "end,jo@example.org") in _text(raw, "big.csv")


def test_word_content_controls_and_nested_tables() -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    def build(document: object) -> None:
        document.add_paragraph("first")  # type: ignore[attr-defined]
        body = document.element.body  # type: ignore[attr-defined]
        body.insert(
            1,
            parse_xml(
                f"<w:sdt {nsdecls('w')}><w:sdtContent><w:p><w:r><w:t>inside a control</w:t>"
                "</w:r></w:p></w:sdtContent></w:sdt>"
            ),
        )
        outer = document.add_table(rows=1, cols=1)  # type: ignore[attr-defined]
        inner = outer.cell(0, 0).add_table(rows=1, cols=1)
        inner.cell(0, 0).text = "nested"

    found = _text(docx_bytes(build), "a.docx")
    assert ("in paragraph 2", "inside a control") in found
    assert [where for where, text in found if "nested" in text] == ["in table 1, row 1, cell 1"]


def test_a_word_file_that_is_not_one() -> None:
    assert (
        "protected with a password" in _problem(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a.docx").what
    )
    assert "not really a .docx file" in _problem(b"hello", "a.docx").what
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "no Word parts in here")
    assert "not really a Word document" in _problem(out.getvalue(), "a.docx").what


def _with_part(part_name: str, xml: bytes) -> bytes:
    """A Word document with its comments or footnotes part (``part_name``) added."""
    good = docx_bytes(lambda d: d.add_paragraph("jo@example.org"))  # type: ignore[attr-defined]
    kind = f"application/vnd.openxmlformats-officedocument.wordprocessingml.{part_name}+xml"
    rel = f"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{part_name}"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(out, "w") as made:
        for part in source.infolist():
            data = source.read(part.filename)
            if part.filename == "[Content_Types].xml":
                override = f'<Override PartName="/word/{part_name}.xml" ContentType="{kind}"/>'
                data = data.replace(b"</Types>", f"{override}</Types>".encode())
            elif part.filename == "word/_rels/document.xml.rels":
                link = f'<Relationship Id="rId99" Type="{rel}" Target="{part_name}.xml"/>'
                data = data.replace(b"</Relationships>", f"{link}</Relationships>".encode())
            made.writestr(part, data)
        made.writestr(f"word/{part_name}.xml", xml)
    return out.getvalue()


def test_word_comments_and_footnotes_are_read_and_a_broken_part_is_named() -> None:
    from docx.oxml.ns import nsdecls

    def part(name: str, text: str) -> bytes:
        return (
            f"<w:{name}s {nsdecls('w')}><w:{name} w:id='0'><w:p><w:r><w:t>{text}"
            f"</w:t></w:r></w:p></w:{name}></w:{name}s>"
        ).encode()

    commented = _with_part("comments", part("comment", "Ring 07700 900123"))
    assert ("in the comments (paragraph 1)", "Ring 07700 900123") in _text(commented, "a.docx")
    noted = _with_part("footnotes", part("footnote", "Ring 07700 900123"))
    assert ("in the footnotes (paragraph 1)", "Ring 07700 900123") in _text(noted, "a.docx")
    read: list[Segment] = []
    broken = _with_part("footnotes", part("footnote", "x")[:-5])  # python-docx leaves it be
    with pytest.raises(DocumentProblem) as raised:
        read.extend(document_text(broken, "a.docx"))
    assert [s.text for s in read] == ["jo@example.org"]  # the body, before the broken part
    assert "not well-formed" in raised.value.what and raised.value.partial


def test_a_password_protected_zip_part_is_refused() -> None:
    good = docx_bytes(lambda d: d.add_paragraph("x"))  # type: ignore[attr-defined]
    raw = bytearray(good)
    raw[6] |= 0x1  # the "encrypted" flag of the first part, in its local header...
    central = raw.rfind(b"PK\x01\x02", 0, raw.rfind(b"PK\x05\x06"))
    first = raw.find(b"PK\x01\x02")
    raw[first + 8] |= 0x1  # ...and in the central directory, which the zip reader trusts
    assert central >= first
    assert "protected with a password" in _problem(bytes(raw), "a.docx").what


def test_a_package_of_too_many_parts_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from ascready.io import ooxml

    monkeypatch.setattr(ooxml, "MAX_PARTS", 3)
    assert "more than the 3 ascready opens" in _problem(xlsx_bytes({"A": {}}), "a.xlsx").what


def test_excel_cells_of_every_type() -> None:
    import datetime as dt

    workbook = xlsx_bytes(
        {"S": {"A1": 9434765919.0, "B1": 1.5, "C1": True, "D1": dt.date(2026, 1, 1), "E1": "t"}}
    )
    assert _text(workbook, "a.xlsx") == [
        ("in sheet 'S' cell A1", "9434765919"),
        ("in sheet 'S' cell E1", "t"),
    ]


def test_a_pdf_page_that_cannot_be_read_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from pypdf import PageObject

    real = PageObject.extract_text

    def failing(self: PageObject, *args: object, **kwargs: object) -> str:
        text = real(self, *args, **kwargs)  # type: ignore[arg-type]
        if "broken" in text:
            raise ValueError("a damaged content stream")
        return text

    monkeypatch.setattr(PageObject, "extract_text", failing)
    raw = pdf_bytes([["fine"], ["broken"], ["fine too"]])
    read: list[Segment] = []
    with pytest.raises(DocumentProblem) as raised:
        read.extend(document_text(raw, "a.pdf"))
    assert [s.where for s in read] == ["on page 1", "on page 3"]
    assert raised.value.partial
    assert raised.value.what.startswith("1 of its pages could not be read (page 2:")
    whole = pdf_bytes([["broken"]])
    assert not _problem(whole, "b.pdf").partial


def test_not_a_pdf_and_a_damaged_pdf() -> None:
    assert "not really a PDF" in _problem(b"<html>", "a.pdf").what
    assert "damaged" in _problem(b"%PDF-1.7\n" + b"\x00" * 100, "a.pdf").what


def test_the_character_budget_counts_every_piece(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "MAX_CHARACTERS", 10)
    problem = _problem(b"12345678\n12345678\n12345678\n", "a.txt")
    assert problem.partial and "(up to on line 2)" in problem.what


def _form_pdf(content: bytes, form: bytes, pages: int) -> bytes:
    """A PDF of ``pages`` pages that all share one content stream, which may draw the form
    XObject /X1 (``form``)."""
    font = b"/Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >>"
    kids = " ".join(f"{5 + i} 0 R" for i in range(pages)).encode()
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        3: b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        4: b"<< /Type /XObject /Subtype /Form /BBox [0 0 9 9] /Resources << %s >> "
        b"/Length %d >>\nstream\n%s\nendstream" % (font, len(form), form),
    }
    for i in range(pages):
        objects[5 + i] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /XObject << /X1 4 0 R >> %s >> /Contents 3 0 R >>" % font
        )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number in sorted(objects):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


_TEXT_FORM = b"BT /F1 12 Tf 10 10 Td (jo@example.org) Tj ET"


def test_a_form_drawn_on_a_page_is_read() -> None:
    assert _text(_form_pdf(b"/X1 Do", _TEXT_FORM, 1), "a.pdf") == [("on page 1", "jo@example.org")]


def test_a_page_that_draws_a_form_thousands_of_times_is_not_parsed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """pypdf parses a form again for each use: a page of a few bytes could take minutes."""
    monkeypatch.setattr(documents, "MAX_PAGE_WORK", 40 * len(_TEXT_FORM))
    heavy = _form_pdf(b"/X1 Do\n" * 5000, _TEXT_FORM, 2)
    problem = _problem(heavy, "a.pdf")
    assert problem.what.startswith("2 of its pages could not be read (page 1, 2: damaged, or")
    assert not problem.partial
    light = _form_pdf(b"/X1 Do\n" * 10, _TEXT_FORM, 1)
    assert _text(light, "a.pdf")  # ten uses are read


def test_a_pdf_past_its_content_limit_is_read_in_part(monkeypatch: pytest.MonkeyPatch) -> None:
    text = b"BT /F1 12 Tf 10 10 Td (jo@example.org) Tj ET"
    monkeypatch.setattr(documents, "MAX_PDF_WORK", 3 * len(text))
    read: list[Segment] = []
    with pytest.raises(DocumentProblem) as raised:
        read.extend(document_text(_form_pdf(text, b"", 5), "a.pdf"))
    assert [s.where for s in read] == ["on page 1", "on page 2", "on page 3"]
    assert raised.value.partial
    assert raised.value.what.startswith("only its first 3 pages of 5 were checked")


def test_a_word_document_of_too_much_xml_is_not_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "MAX_WORD_XML", 1024 * 1024)
    raw = docx_bytes(lambda d: d.add_paragraph("x" * 1024 * 1024))  # type: ignore[attr-defined]
    assert "more than the 1 MiB ascready reads in a Word document" in _problem(raw, "a.docx").what
