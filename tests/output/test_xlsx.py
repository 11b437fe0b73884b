"""The one cell policy: text stays text; what a cell cannot hold is refused, or replaced and cut."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from ascready.output.xlsx import CUT_MARKER, UnfitCell, cell_text, put_text, save

LIMIT = 32_767  # Excel's, in UTF-16 code units


def _excel_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x0b", "\x1b", "\ufffe", "\uffff", "\ud800"])
def test_what_xml_cannot_hold_is_refused_or_replaced(char: str) -> None:
    with pytest.raises(UnfitCell, match=f"U\\+{ord(char):04X} at position 7"):
        cell_text(f"Carers{char} strategy", exact=True)
    assert cell_text(f"Carers{char} strategy", exact=False) == "Carers\ufffd strategy"


@pytest.mark.parametrize("text", ["tab\there", "line\nfeed", "carriage\rreturn", "DEL\x7f", "é—✓"])
def test_what_xml_holds_is_kept_either_way(text: str) -> None:
    assert cell_text(text, exact=True) == text == cell_text(text, exact=False)


def test_the_longest_text_a_cell_holds_is_kept_whole() -> None:
    text = "x" * LIMIT
    assert cell_text(text, exact=True) == text == cell_text(text, exact=False)


@pytest.mark.parametrize("unit", ["x", "\N{GRINNING FACE}"])  # one code unit, and two
def test_longer_text_is_refused_or_cut_with_a_marker(unit: str) -> None:
    text = unit * 40_000
    with pytest.raises(UnfitCell, match="32,767"):
        cell_text(text, exact=True)
    cut = cell_text(text, exact=False)
    assert cut.endswith(CUT_MARKER) and cut.startswith(unit * 100)
    assert LIMIT - 2 <= _excel_length(cut) <= LIMIT


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://evil.example/x","People")', "+1", "-2+3", "@SUM(1)", "#N/A"]
)
def test_text_like_a_formula_or_an_error_is_stored_as_text(text: str) -> None:
    wb = Workbook()
    cell = wb.active.cell(row=1, column=1)
    assert put_text(cell, text, exact=True)  # wants the quote prefix
    read = load_workbook(io.BytesIO(save(wb, dt.date(2026, 11, 23)))).active["A1"]
    assert read.value == text and read.data_type == "s"


def test_plain_text_wants_no_quote_prefix() -> None:
    cell = Workbook().active.cell(row=1, column=1)
    assert not put_text(cell, "Carers' strategy", exact=True)
    assert cell.data_type == "s"


def test_the_same_workbook_gives_the_same_bytes_dated_as_asked() -> None:
    def made() -> bytes:
        wb = Workbook()
        wb.active["A1"] = "same"
        return save(wb, dt.date(2026, 11, 23))

    first = made()
    assert first == made()
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 11, 23, 0, 0, 0)}
    props = load_workbook(io.BytesIO(first)).properties
    assert props.created == props.modified == dt.datetime(2026, 11, 23)
    assert props.creator == "ascready"
