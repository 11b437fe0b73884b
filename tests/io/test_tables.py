"""One spreadsheet reader: the same files accepted, read the same way and refused with the same
message, whether a table is read whole (``import``) or a row at a time (``import-metrics``)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook

from ascready.errors import TableError
from ascready.io.tables import read_tables, stream_tables


def whole(path: Path) -> list[list[object]]:
    tables, _ = read_tables(path)
    return tables[0].rows


def streamed(path: Path) -> list[list[object]]:
    with stream_tables(path) as streams:
        first = next(streams)
        return [[c if c != "" else None for c in cells] for _, cells in first.rows]


READERS = [whole, streamed]


def refusal(read: Callable[[Path], object], path: Path) -> str:
    with pytest.raises(TableError) as refused:
        read(path)
    return refused.value.message


def workbook_bytes() -> bytes:
    wb = Workbook()
    wb.active.append(["Ref", "Title"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# Each file that cannot be read, and the message both readers give for it.
REFUSED: list[tuple[str, bytes | None, str]] = [
    ("missing.csv", None, "missing.csv: there is no such file. fix: Check the name and folder."),
    (
        "register.xls",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old",
        "register.xls: this is an old Excel 97-2003 workbook (.xls), which ascready cannot read. "
        "fix: Open it in Excel or LibreOffice and save it as an Excel Workbook (.xlsx), or as CSV.",
    ),
    (
        "register.ods",
        b"PK\x03\x04ods",
        "register.ods: this is an OpenDocument spreadsheet (.ods), which ascready cannot read. "
        "fix: Open it in Excel or LibreOffice and save it as an Excel Workbook (.xlsx), or as CSV.",
    ),
    (
        "register.pdf",
        b"%PDF-1.7",
        "register.pdf: this is not a CSV or Excel .xlsx file (its name ends '.pdf'). fix: Use "
        "the spreadsheet as an .xlsx workbook or a .csv file.",
    ),
    (
        "renamed.xlsx",
        b"Ref,Title\nR1,Something\n",
        "renamed.xlsx: this is not an Excel workbook: it holds text (a CSV file with an .xlsx "
        "name?). fix: If it is CSV, rename it to end .csv; otherwise open it in Excel and save "
        "it as an Excel Workbook (.xlsx).",
    ),
    (
        "protected.xlsx",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1encrypted",
        "protected.xlsx: this is not an .xlsx workbook: it is an old Excel 97-2003 workbook "
        "(.xls) renamed, or a workbook protected by a password. fix: Open it in Excel, remove "
        "any password, and save it as an Excel Workbook (.xlsx), or as CSV.",
    ),
    (
        "damaged.xlsx",
        b"PK\x03\x04 then the download stopped",
        "damaged.xlsx: this is not an Excel workbook ascready can read: it is damaged, or not "
        "really .xlsx. fix: Open it in Excel and save it as an Excel Workbook (.xlsx), or as CSV.",
    ),
    (
        "workbook.csv",
        workbook_bytes(),
        "workbook.csv: this is an Excel workbook with a .csv name. fix: Rename it to end .xlsx "
        "and run this again.",
    ),
    (
        "garbled.csv",
        b"Ref,Title\nR1,\x81\x8d\x8f\x90\x9d\n",
        "garbled.csv: the file is neither UTF-8 nor Windows-1252 (Excel's) text, so its "
        "characters cannot be read. fix: Use the file as downloaded, or open it in Excel and "
        "save it from Excel as 'CSV UTF-8 (Comma delimited)'.",
    ),
    (
        "binary.csv",
        b"Ref,Title\x00\x00\x00\n",
        "binary.csv: this is not a text CSV file (it holds binary data). fix: Open it in the "
        "program that made it and save it from Excel as 'CSV UTF-8 (Comma delimited)', or as "
        ".xlsx.",
    ),
]


@pytest.mark.parametrize(("name", "content", "message"), REFUSED, ids=[r[0] for r in REFUSED])
@pytest.mark.parametrize("read", READERS)
def test_a_file_that_is_not_a_table_gets_one_plain_message(
    tmp_path: Path,
    read: Callable[[Path], object],
    name: str,
    content: bytes | None,
    message: str,
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    assert refusal(read, path) == message


@pytest.mark.parametrize("read", READERS)
def test_a_folder_is_not_a_table(tmp_path: Path, read: Callable[[Path], object]) -> None:
    folder = tmp_path / "register.xlsx"
    folder.mkdir()
    assert refusal(read, folder) == (
        "register.xlsx: this is a folder, not a file. fix: Name the .xlsx or .csv file itself."
    )


@pytest.mark.parametrize("read", READERS)
def test_a_windows_1252_csv_reads_as_its_characters(
    tmp_path: Path, read: Callable[[Path], list[list[object]]]
) -> None:
    path = tmp_path / "actions.csv"
    path.write_bytes("Ref,Action\nA1,Carers’ offer – agency cover\n".encode("cp1252"))
    assert read(path) == [["Ref", "Action"], ["A1", "Carers’ offer – agency cover"]]


@pytest.mark.parametrize("read", READERS)
def test_semicolons_and_tabs_separate_as_excel_writes_them(
    tmp_path: Path, read: Callable[[Path], list[list[object]]]
) -> None:
    semicolons = tmp_path / "register.csv"
    semicolons.write_text('"Title, in full";Owner\nCarers; strategy;Lead\n', encoding="utf-8")
    assert read(semicolons) == [["Title, in full", "Owner"], ["Carers", " strategy", "Lead"]]
    tabs = tmp_path / "register.txt"
    tabs.write_text("Ref\tTitle, in full\nR1\tA, B\n", encoding="utf-8-sig")
    assert read(tabs) == [["Ref", "Title, in full"], ["R1", "A, B"]]


@pytest.mark.parametrize("read", READERS)
def test_a_workbook_reads_the_same_either_way(
    tmp_path: Path, read: Callable[[Path], list[list[object]]]
) -> None:
    path = tmp_path / "register.xlsx"
    path.write_bytes(workbook_bytes())
    assert read(path) == [["Ref", "Title"]]


def test_a_workbook_cut_short_inside_a_sheet_is_refused_as_damaged(tmp_path: Path) -> None:
    """The streaming reader meets the damage only when it reaches it."""
    good = zipfile.ZipFile(io.BytesIO(workbook_bytes()))
    path = tmp_path / "cut.xlsx"
    with zipfile.ZipFile(path, "w") as cut:
        for entry in good.infolist():
            data = good.read(entry.filename)
            if entry.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]
            cut.writestr(entry, data)
    for read in READERS:
        assert "is damaged, or not really .xlsx" in refusal(read, path)


@pytest.mark.parametrize("read", READERS)
def test_a_title_line_without_separators_does_not_decide_them(
    tmp_path: Path, read: Callable[[Path], list[list[object]]]
) -> None:
    path = tmp_path / "register.csv"
    path.write_text("Avonmere evidence register\nRef,Title\nR1,Carers; strategy\n", "utf-8")
    assert read(path) == [
        ["Avonmere evidence register"],
        ["Ref", "Title"],
        ["R1", "Carers; strategy"],
    ]


# --- workbooks built to be large, or made large by accident -------------------------------------


def _saved(wb: Workbook, path: Path, merge: str | None = None) -> Path:
    """The workbook saved; with ``merge``, a merged range written straight into the sheet's
    XML (openpyxl would make a cell object for every cell a merge covers)."""
    wb.save(path)
    if merge:
        with zipfile.ZipFile(path) as original:
            parts = {i.filename: original.read(i.filename) for i in original.infolist()}
        sheet = "xl/worksheets/sheet1.xml"
        merged = f'</sheetData><mergeCells count="1"><mergeCell ref="{merge}"/></mergeCells>'
        parts[sheet] = parts[sheet].replace(b"</sheetData>", merged.encode(), 1)
        with zipfile.ZipFile(path, "w") as saved:
            for name, data in parts.items():
                saved.writestr(name, data)
    return path


@pytest.mark.parametrize("read", READERS)
def test_one_key_pressed_at_the_last_cell_is_refused_by_its_cell_without_reading_it_all(
    tmp_path: Path, read: Callable[[Path], object]
) -> None:
    """A 5 kB workbook with a value at XFD1048576 (Ctrl+End, then a key): reading it whole
    padded every row to 16,384 columns and ran out of memory."""
    wb = Workbook()
    wb.active.append(["Ref", "Title"])
    wb.active["XFD1048576"] = "x"
    path = _saved(wb, tmp_path / "register.xlsx")
    assert path.stat().st_size < 10_000
    message = refusal(read, path)
    assert "sheet 'Sheet'" in message and "cell XFD1048576 holds a value" in message
    assert "1,000 columns" in message and "500,000 rows" in message
    assert "delete it, save, and run this again" in message


@pytest.mark.parametrize("read", READERS)
def test_a_space_typed_far_away_and_formatting_to_the_edge_are_nothing(
    tmp_path: Path, read: Callable[[Path], list[list[object]]]
) -> None:
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.append(["Ref", "Title"])
    ws.append(["R1", "Carers"])
    ws["XFD1048576"] = " "
    for ref in ("A900000", "ZZ5", "XFD1"):
        ws[ref].font = Font(bold=True)  # a styled cell with no value
    path = _saved(wb, tmp_path / "register.xlsx", merge="C1:XFD1048576")
    assert read(path) == [["Ref", "Title"], ["R1", "Carers"]]


def test_a_merge_to_the_sheet_edge_is_cut_to_what_the_sheet_holds(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Theme", "Statement"])
    ws.append(["Working with people", "S1"])
    ws.append([None, "S2"])
    tables, _ = read_tables(_saved(wb, tmp_path / "register.xlsx", merge="A2:A1048576"))
    (merge,) = tables[0].merges
    assert (merge.ref, merge.value) == ("A2:A3", "Working with people")
    assert tables[0].merge_at(3, 1) is merge and tables[0].merge_at(4, 1) is None


@pytest.mark.parametrize("read", READERS)
def test_empty_rows_between_values_keep_the_row_numbers(
    tmp_path: Path, read: Callable[[Path], list[list[object]]]
) -> None:
    wb = Workbook()
    ws = wb.active
    ws["A1"], ws["B4"], ws["A6"] = "Ref", "late", "R6"
    assert read(_saved(wb, tmp_path / "register.xlsx")) == [
        ["Ref"],
        *[[]] * 2,
        [None, "late"],
        [],
        ["R6"],
    ]


@pytest.mark.parametrize("read", READERS)
def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_read(
    tmp_path: Path, read: Callable[[Path], object], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A zip bomb: what the zip says its parts unpack to is checked before any is read."""
    from ascready.io import ooxml

    monkeypatch.setattr(ooxml, "MAX_UNPACKED_BYTES", 1 << 20)
    wb = Workbook()
    for r in range(1, 12_000):
        wb.active.append([f"R{r}", f"{r} the same long words again " * 4])
    path = _saved(wb, tmp_path / "bomb.xlsx")
    assert path.stat().st_size < ooxml.MAX_UNPACKED_BYTES  # small on disk, large inside
    opened: list[str] = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(
        zipfile.ZipFile,
        "open",
        lambda self, name, *a, **k: opened.append(str(name)) or real_open(self, name, *a, **k),
    )
    message = refusal(read, path)
    assert "bomb.xlsx: it unpacks to" in message and "more than the 1 MiB" in message
    assert opened == []  # not one part was unpacked


def test_formulas_keep_their_text_and_the_value_excel_saved(tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    wb = Workbook()
    wb.active.append(["Ref", "Total"])
    wb.active.append(["R1", "=1+2"])
    wb.save(path)
    with zipfile.ZipFile(path) as original:  # as Excel saves it: the formula and its value
        parts = {i.filename: original.read(i.filename) for i in original.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b"<f>1+2</f><v></v>", b"<f>1+2</f><v>3</v>")
    assert b"<v>3</v>" in parts[sheet]
    with zipfile.ZipFile(path, "w") as saved:
        for name, data in parts.items():
            saved.writestr(name, data)
    tables, _ = read_tables(path)
    assert tables[0].rows == [["Ref", "Total"], ["R1", 3]]
    assert tables[0].formulas == {(2, 2): "=1+2"}


@pytest.mark.parametrize("read", READERS)
def test_a_workbook_with_an_xml_bomb_is_refused_before_it_is_parsed(
    tmp_path: Path, read: Callable[[Path], object]
) -> None:
    """A billion-laughs sheet: refused by name, before openpyxl's XML parser sees it."""
    lol = "&lol;" * 10
    entities = "".join(f'<!ENTITY lol{n} "{lol.replace("lol;", f"lol{n - 1};")}">' for n in (1, 2))
    bomb = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY lol0 "lol">{entities}]><r>&lol2;</r>'
    good = zipfile.ZipFile(io.BytesIO(workbook_bytes()))
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w") as made:
        for entry in good.infolist():
            data = good.read(entry.filename)
            if entry.filename.startswith("xl/worksheets/"):
                data = bomb.encode("utf-8")
            made.writestr(entry, data)
    assert "bomb.xlsx: it declares a DTD (<!DOCTYPE)" in refusal(read, path)
    assert "XML bomb" in refusal(read, path)


@pytest.mark.parametrize("read", READERS)
def test_a_workbook_whose_xml_is_broken_is_refused_as_damaged(
    tmp_path: Path, read: Callable[[Path], object]
) -> None:
    """openpyxl reads the workbook part with lxml, whose errors are damage too."""
    good = zipfile.ZipFile(io.BytesIO(workbook_bytes()))
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path, "w") as made:
        for entry in good.infolist():
            data = good.read(entry.filename)
            if entry.filename == "xl/workbook.xml":
                data = data.replace(b"<sheets>", b"<sheets x=>")
            made.writestr(entry, data)
    assert "is damaged, or not really .xlsx" in refusal(read, path)
