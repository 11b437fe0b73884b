"""The one cell policy: text stays text; what a cell cannot hold is refused, or replaced and cut."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from ascready.output.xlsx import (
    CUT_MARKER,
    MAX_COLUMN_WIDTH,
    NARROWEST_WRAPPED,
    UnfitCell,
    cell_text,
    fit_width,
    fit_widths,
    header_text,
    put_text,
    save,
    set_row_height,
    wrapped_lines,
)

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


# --- printing --------------------------------------------------------------------------------


def test_wrapped_lines_counts_lines_as_a_spreadsheet_wraps_them() -> None:
    assert wrapped_lines("Head of Commissioning", 30) == 1
    assert wrapped_lines("one two three four", 12) == 2  # 'one two' / 'three four'
    assert wrapped_lines("first\nsecond\n\nfourth", 30) == 4  # line breaks count, blank too
    assert wrapped_lines("x" * 25, 10) == 3  # a word wider than the column breaks inside it
    many = " ".join(["word"] * 200)
    assert wrapped_lines(many, 20) >= len(many) // 20


def test_a_row_is_as_tall_as_its_lines_up_to_excels_tallest() -> None:
    wb = Workbook()
    ws = wb.active
    set_row_height(ws, 2, 1)
    set_row_height(ws, 3, 4)
    set_row_height(ws, 4, 500)
    assert ws.row_dimensions[2].height is None  # one line: the default height
    assert ws.row_dimensions[3].height >= 4 * 14
    assert ws.row_dimensions[4].height == 409


def test_wide_sheets_narrow_long_text_first_and_names_last() -> None:
    # a title, a list, an owner's name, a date
    widths = fit_widths([48, 40, 47, 12], [8, 8, 8, 8], [0, 1, 2, 2], total=100)
    assert sum(widths) <= 100
    assert widths[2] == 47 and widths[3] == 12  # the name and the date kept whole
    assert widths[0] == NARROWEST_WRAPPED < widths[1] < 40  # the title first, then the list
    # when the title alone is enough, the list keeps its width
    assert fit_widths([48, 40, 47, 12], [8, 8, 8, 8], [0, 1, 2, 2], total=130)[1:] == [40, 47, 12]
    # none narrower than its floor, even when that leaves the sheet wider than asked
    assert fit_widths([48, 48], [30, 30], total=20) == [30, 30]
    assert fit_widths([10, 10], [8, 8], total=100) == [10, 10]  # narrow enough already


def test_a_column_fits_its_longest_value_up_to_a_cap_and_its_header_words() -> None:
    assert fit_width(45, "Owner") == 47
    assert fit_width(400, "Narrative") == MAX_COLUMN_WIDTH
    assert fit_width(2, "Classification") > len("Classification")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Brighton & Hove", "Brighton && Hove"),  # '&P' would be the page number
        ("Line\none", "Line one"),
        ("Bell\x07", "Bell\ufffd"),
    ],
)
def test_header_text_prints_as_itself(text: str, shown: str) -> None:
    assert header_text(text) == shown


def test_header_text_is_kept_short() -> None:
    assert len(header_text("A" * 1000)) <= 100
    assert header_text("&" * 1000).count("&") % 2 == 0  # never half a code
