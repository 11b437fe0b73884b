"""Personal data in the documents under files/: every format, at the place a person would look
for it, and every document that could not be read listed, never passed over."""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ascready.checks import files
from ascready.checks.personal_data import mask
from ascready.cli import app
from ascready.io import documents

MakeRepo = Callable[..., Path]

# Contact details the detectors find (a phone number from Ofcom's drama range, an NHS number
# with a valid check digit), none of them in the fixture's allow-list.
EMAIL = "jo.bloggs@example.org"
PHONE = "07700 900123"
NHS = "943 476 5919"


def _validate(runner: CliRunner, root: Path) -> tuple[int, list[dict[str, object]]]:
    result = runner.invoke(app, ["validate", str(root), "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def _in(findings: list[dict[str, object]], file: str) -> list[tuple[object, object]]:
    return [(f["check"], f["message"]) for f in findings if f["file"] == file]


# --- documents made in the test ----------------------------------------------------------------


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def pdf_bytes(pages: list[list[str]]) -> bytes:
    """A PDF of one page per entry, each page the given lines in Helvetica."""
    count = len(pages)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(count))
    objects = {
        1: "<< /Type /Catalog /Pages 2 0 R >>",
        2: f"<< /Type /Pages /Kids [{kids}] /Count {count} >>",
        3: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    for i, lines in enumerate(pages):
        shown = " ".join(f"{_pdf_string(line)} Tj 0 -16 Td" for line in lines)
        stream = f"BT /F1 12 Tf 72 720 Td {shown} ET"
        objects[4 + 2 * i] = (
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>"
        )
        objects[5 + 2 * i] = f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number in sorted(objects):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{objects[number]}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode("ascii")
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode("ascii")
    return bytes(out)


def docx_bytes(build: Callable[[object], None]) -> bytes:
    import docx

    document = docx.Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(sheets: dict[str, dict[str, object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    for title, cells in sheets.items():
        sheet = book.create_sheet(title)
        for ref, value in cells.items():
            sheet[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _evidence(source: str) -> str:
    return (
        "id: EV-009\ntitle: A case study\nkind: case-study\ncategories: [people]\n"
        f"quality_statements: [QS1]\nclassification: official\nsource: {source}\n"
    )


# --- one test per format -----------------------------------------------------------------------


def test_pdf_names_the_page(runner: CliRunner, make_repo: MakeRepo) -> None:
    pdf = pdf_bytes([["Our approach to carers"], ["Contact", f"Email {EMAIL} for help"]])
    root = make_repo({"files/case.pdf": pdf})
    code, findings = _validate(runner, root)
    assert code == 1
    [(check, message)] = _in(findings, "files/case.pdf")
    assert check == "email-address"
    assert "is on page 2:" in message
    assert EMAIL not in message and "bloggs" not in message


def test_word_names_the_paragraph_and_the_table_cell(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    def build(document: object) -> None:
        for n in range(1, 12):
            document.add_paragraph(f"Paragraph {n} of the case study.")  # type: ignore[attr-defined]
        document.add_paragraph(f"Call her on {PHONE}.")  # type: ignore[attr-defined]
        table = document.add_table(rows=3, cols=2)  # type: ignore[attr-defined]
        table.cell(1, 1).text = f"NHS number {NHS}"

    root = make_repo({"files/case-study.docx": docx_bytes(build)})
    _, findings = _validate(runner, root)
    found = dict(_in(findings, "files/case-study.docx"))
    assert "is in paragraph 12:" in str(found["phone-number"])
    assert "is in table 1, row 2, cell 2:" in str(found["nhs-number"])
    assert "900123" not in str(found["phone-number"])


def test_word_headers_and_tracked_deletions_are_read(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    def build(document: object) -> None:
        document.add_paragraph("Nothing here.")  # type: ignore[attr-defined]
        edited = document.add_paragraph("Kept. ")  # type: ignore[attr-defined]
        edited._p.append(
            parse_xml(
                f'<w:del {nsdecls("w")} w:id="1" w:author="A" w:date="2026-01-01T00:00:00Z">'
                f"<w:r><w:delText>Ring {PHONE}</w:delText></w:r></w:del>"
            )
        )
        document.sections[0].header.paragraphs[0].text = f"Author: {EMAIL}"  # type: ignore[attr-defined]

    root = make_repo({"files/policy.docx": docx_bytes(build)})
    _, findings = _validate(runner, root)
    assert sorted(_in(findings, "files/policy.docx")) == [
        (
            "email-address",
            f"an email address ({mask(EMAIL)}) is in a page header (paragraph 1): personal "
            "data must never be in the evidence repository",
        ),
        (
            "phone-number",
            f"a phone number ({mask(PHONE)}) is in paragraph 2: personal data must never be in "
            "the evidence repository",
        ),
    ]


def test_excel_names_the_sheet_and_the_cell(runner: CliRunner, make_repo: MakeRepo) -> None:
    workbook = xlsx_bytes(
        {
            "Summary": {"A1": "Referrals", "B2": 42},
            "Cases": {"A1": "Client", "B7": f"Mobile {PHONE}", "C9": 9434765919},
        }
    )
    root = make_repo({"files/cases.xlsx": workbook})
    _, findings = _validate(runner, root)
    found = dict(_in(findings, "files/cases.xlsx"))
    assert "is in sheet 'Cases' cell B7:" in str(found["phone-number"])
    # an NHS number typed into Excel is a number, and found as one
    assert "is in sheet 'Cases' cell C9:" in str(found["nhs-number"])


def test_csv_and_markdown_name_the_line(runner: CliRunner, make_repo: MakeRepo) -> None:
    rows = ["name,contact,notes"] + [f"row {n},none,fine" for n in range(2, 40)]
    rows.append(f'row 40,"{EMAIL}","two\nlines"')
    rows.append(f"row 42,{PHONE},after a quoted line break")
    text = "# Case study\n\n" + "Some words.\n" * 20 + f"Her NHS number is {NHS}.\n"
    root = make_repo({"files/list.csv": "\n".join(rows) + "\n", "files/notes.md": text})
    _, findings = _validate(runner, root)
    where = {(f["file"], f["check"]): (f["line"], f["message"]) for f in findings}
    line, message = where[("files/list.csv", "email-address")]
    assert line == 40 and "is on line 40:" in str(message)
    assert where[("files/list.csv", "phone-number")][0] == 42
    assert where[("files/notes.md", "nhs-number")][0] == 23


def test_the_councils_allowed_contact_details_pass_in_documents(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    pdf = pdf_bytes(
        [["Write to adults@testshire.example or ring 01632 960000."], [f"Or ring {PHONE}."]]
    )
    root = make_repo({"files/leaflet.pdf": pdf})
    _, findings = _validate(runner, root)
    assert [(f["check"], "on page 2" in str(f["message"])) for f in findings] == [
        ("phone-number", True)
    ]


def test_a_source_outside_files_is_scanned_too(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo(
        {"evidence/EV-009.yaml": _evidence("docs/case.txt"), "docs/case.txt": f"Ring {PHONE}\n"}
    )
    _, findings = _validate(runner, root)
    assert [(f["file"], f["check"], f["line"]) for f in findings] == [
        ("docs/case.txt", "phone-number", 1)
    ]


def test_more_than_twenty_findings_in_one_document_are_counted(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    count = files.MAX_LISTED + 10
    lines = [f"person{n}@example.org" for n in range(count)] + [PHONE] * 2
    root = make_repo({"files/mailing-list.txt": "\n".join(lines)})
    _, findings = _validate(runner, root)
    mine = [f for f in findings if f["file"] == "files/mailing-list.txt"]
    assert len(mine) == files.MAX_LISTED + 1
    last = mine[-1]
    assert last["line"] == files.MAX_LISTED + 1
    assert str(last["message"]).startswith(
        f"and 12 more findings of personal data, on line {files.MAX_LISTED + 1} and after it, "
        "not listed one by one (10 email addresses, 2 phone numbers)"
    )


# --- documents that cannot be read -------------------------------------------------------------


def _unreadable(findings: list[dict[str, object]], file: str) -> str:
    [(check, message)] = _in(findings, file)
    assert check == "document-unreadable"
    return str(message)


def test_unreadable_documents_are_listed_with_why(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "files/broken.docx": b"PK\x03\x04 this is not really a zip",
            "files/old.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
            "files/blob.bin": b"\x00\x01\x02\x03binary",
            "files/broken.pdf": b"%PDF-1.4\nnothing of a PDF after this\n",
            "files/photo.jpg": b"\xff\xd8\xff\xe0 an image: not scanned, not listed",
        }
    )
    code, findings = _validate(runner, root)
    assert code == 0  # warnings
    assert "damaged" in _unreadable(findings, "files/broken.docx")
    assert "old Word 97-2003 document (.doc)" in _unreadable(findings, "files/old.doc")
    assert "not a kind of file ascready can read" in _unreadable(findings, "files/blob.bin")
    assert "damaged" in _unreadable(findings, "files/broken.pdf")
    assert _in(findings, "files/photo.jpg") == []
    assert all(
        f["message"].endswith("so it was not checked for personal data")  # type: ignore[union-attr]
        for f in findings
    )


def test_an_encrypted_pdf_is_listed(runner: CliRunner, make_repo: MakeRepo) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes([[EMAIL]]))))
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    root = make_repo({"files/locked.pdf": out.getvalue()})
    _, findings = _validate(runner, root)
    assert "protected with a password" in _unreadable(findings, "files/locked.pdf")


def test_a_pdf_with_only_an_owner_password_is_read(runner: CliRunner, make_repo: MakeRepo) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes([[EMAIL]]))))
    writer.encrypt("", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    root = make_repo({"files/restricted.pdf": out.getvalue()})
    _, findings = _validate(runner, root)
    assert [c for c, _ in _in(findings, "files/restricted.pdf")] == ["email-address"]


def test_a_pdf_of_scanned_pages_is_listed(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo({"files/scan.pdf": pdf_bytes([[], []])})
    _, findings = _validate(runner, root)
    assert "no text that can be read" in _unreadable(findings, "files/scan.pdf")


def test_a_link_outside_the_repository_is_not_read(
    runner: CliRunner, make_repo: MakeRepo, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(f"{EMAIL}\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "more.txt").write_text(f"{EMAIL}\n", encoding="utf-8")
    root = make_repo()
    (root / "files" / "link.txt").symlink_to(secret)
    (root / "files" / "shared").symlink_to(elsewhere)
    _, findings = _validate(runner, root)
    assert "outside the repository" in _unreadable(findings, "files/link.txt")
    assert "outside the repository" in _unreadable(findings, "files/shared")
    assert not any(f["check"] == "email-address" for f in findings)


def test_a_fifo_is_not_read(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo()
    os.mkfifo(root / "files" / "pipe.txt")
    _, findings = _validate(runner, root)  # would wait for ever if it were opened for reading
    assert "named pipe" in _unreadable(findings, "files/pipe.txt")


def test_a_document_too_large_is_not_read(
    runner: CliRunner, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MAX_DOCUMENT_BYTES", 1024)
    root = make_repo({"files/big.txt": "x" * 2048 + f" {EMAIL}\n"})
    _, findings = _validate(runner, root)
    assert "ascready reads documents of up to" in _unreadable(findings, "files/big.txt")


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_an_xml_bomb_is_refused_before_it_is_parsed(runner: CliRunner, make_repo: MakeRepo) -> None:
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<w:document>&lol2;</w:document>"
    )
    good = docx_bytes(lambda d: d.add_paragraph("fine"))  # type: ignore[attr-defined]
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    parts["word/document.xml"] = bomb
    sheet = {"[Content_Types].xml": bomb.decode().encode("utf-16")}
    root = make_repo({"files/bomb.docx": _zip(parts), "files/bomb.xlsx": _zip(sheet)})
    _, findings = _validate(runner, root)
    assert "XML bomb" in _unreadable(findings, "files/bomb.docx")
    assert "XML bomb" in _unreadable(findings, "files/bomb.xlsx")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(
    runner: CliRunner, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ascready.io import ooxml

    monkeypatch.setattr(ooxml, "MAX_UNPACKED_BYTES", 1024 * 1024)
    root = make_repo({"files/huge.docx": _zip({"word/document.xml": b" " * (2 * 1024 * 1024)})})
    _, findings = _validate(runner, root)
    assert "zip bomb" in _unreadable(findings, "files/huge.docx")


# --- bounded work -------------------------------------------------------------------------------


def test_a_pdf_past_the_page_limit_is_read_in_part(
    runner: CliRunner, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(documents, "MAX_PAGES", 3)
    pages = [[f"page {n}"] for n in range(1, 6)]
    pages[1] = [EMAIL]  # page 2: read
    pages[4] = [PHONE]  # page 5: past the limit
    root = make_repo({"files/long.pdf": pdf_bytes(pages)})
    _, findings = _validate(runner, root)
    found = dict(_in(findings, "files/long.pdf"))
    assert "on page 2" in str(found["email-address"])
    assert "phone-number" not in found
    assert "only its first 3 pages of 5" in str(found["document-partly-scanned"])


def test_text_past_the_character_limit_is_read_in_part(
    runner: CliRunner, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(documents, "MAX_CHARACTERS", 100)
    root = make_repo({"files/long.txt": f"{EMAIL}\n" + "words\n" * 50 + f"{PHONE}\n"})
    _, findings = _validate(runner, root)
    found = dict(_in(findings, "files/long.txt"))
    assert set(found) == {"email-address", "document-partly-scanned"}
    assert "only its first 100 characters" in str(found["document-partly-scanned"])


def test_a_sheet_past_the_cell_limit_is_read_in_part(
    runner: CliRunner, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(documents, "MAX_CELLS", 50)
    # one cell far to the right: the row counts as 16,000 cells, whatever the file claims
    workbook = xlsx_bytes({"Data": {"A1": EMAIL, "WZZ2": "x", "A3": PHONE}})
    root = make_repo({"files/wide.xlsx": workbook})
    _, findings = _validate(runner, root)
    found = dict(_in(findings, "files/wide.xlsx"))
    assert set(found) == {"email-address", "document-partly-scanned"}


# --- the example repository ---------------------------------------------------------------------


def test_the_example_repository_documents_are_scanned_and_clean(runner: CliRunner) -> None:
    example = Path(__file__).parents[2] / "evidence"
    result = runner.invoke(app, ["validate", str(example)])
    assert result.exit_code == 0
    documents_there = [p for p in (example / "files").iterdir() if p.is_file()]
    assert documents_there
    yaml_files = sum(1 for _ in example.rglob("*.yaml"))
    assert f"No problems found in {yaml_files + len(documents_there)} files." in result.stdout


def test_documents_scanned_in_worker_processes_give_the_same_report(
    runner: CliRunner, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "PARALLEL_BYTES", 0)
    root = make_repo(
        {
            "files/a.pdf": pdf_bytes([[EMAIL], [PHONE]]),
            "files/b.txt": f"{NHS}\n",
            "files/c.doc": b"old",
        }
    )
    serial = runner.invoke(app, ["validate", str(root), "--format", "json", "--jobs", "1"])
    parallel = runner.invoke(app, ["validate", str(root), "--format", "json", "--jobs", "2"])
    assert parallel.stdout == serial.stdout
    assert {f["file"] for f in json.loads(parallel.stdout)} == {
        "files/a.pdf",
        "files/b.txt",
        "files/c.doc",
    }


def test_which_files_are_documents(runner: CliRunner, make_repo: MakeRepo, tmp_path: Path) -> None:
    """Hidden files and folders, Office lock files, media and links to folders inside the
    repository are passed over; each source is scanned once, wherever it is named from."""
    root = make_repo(
        {
            "evidence/EV-009.yaml": _evidence("./files/sub/../case.txt"),
            "evidence/EV-010.yaml": _evidence("evidence/EV-009.yaml").replace("009", "010"),
            "evidence/EV-011.yaml": _evidence("https://example.org/x.pdf").replace("009", "011"),
            "files/case.txt": f"{PHONE}\n",
            "files/.hidden/notes.txt": f"{EMAIL}\n",
            "files/.notes.txt": f"{EMAIL}\n",
            "files/~$case.docx": b"\x00lock",
            "files/Thumbs.db": b"\x00",
            "docs/elsewhere.txt": f"{EMAIL}\n",
        }
    )
    (root / "files" / "docs").symlink_to(root / "docs")
    _, findings = _validate(runner, root)
    assert [(f["file"], f["check"]) for f in findings] == [("files/case.txt", "phone-number")]


def test_a_files_folder_that_is_a_link_outside_is_not_read(
    runner: CliRunner, make_repo: MakeRepo, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "shared-drive"
    elsewhere.mkdir()
    (elsewhere / "case.txt").write_text(f"{EMAIL}\n", encoding="utf-8")
    root = make_repo()
    for document in (root / "files").iterdir():
        document.unlink()
    (root / "files").rmdir()
    (root / "files").symlink_to(elsewhere)
    _, findings = _validate(runner, root)
    assert "nothing in it is read" in _unreadable(findings, "files")
    assert not any(f["check"] == "email-address" for f in findings)
