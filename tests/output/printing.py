"""What the tests of both workbooks check of a sheet that is to be printed, and a PDF of a
workbook made by LibreOffice, the spreadsheet program of the test machines.

The checks are stated without ascready's own estimates: a wrapped text of ``n`` letters in a
column ``w`` units wide takes at least ``n / (w * LETTERS_AT_MOST)`` lines, whatever the font,
so a row lower than that cuts the text off.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl.utils import get_column_letter

#: Excel's paper number for A4.
A4 = 9
#: A4 in PDF points, either way up.
A4_POINTS = (595.3, 841.9)
#: The most letters of text a width unit holds (narrow letters, spaces): more than any font
#: fits, so that a row shorter than this allows is too short for certain.
LETTERS_AT_MOST = 1.5
#: The least a line of 11-point text takes, in points.
LINE_AT_LEAST = 11.0
#: Excel's tallest row.
TALLEST_ROW = 409.0
DEFAULT_ROW = 15.0


def _shown(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return "0000-00-00"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _longest_line(text: str) -> int:
    return max(len(line) for line in text.split("\n"))


def _width(ws: Any, column: int) -> float:
    dim = ws.column_dimensions.get(get_column_letter(column))
    assert dim is not None and dim.width, f"{ws.title}: column {column} has no width set"
    return float(dim.width)


def _merged_width(ws: Any) -> dict[tuple[int, int], float]:
    """The width each merged cell has to show its text in: its columns' widths added up."""
    out = {}
    for merged in ws.merged_cells.ranges:
        out[(merged.min_row, merged.min_col)] = sum(
            _width(ws, c) for c in range(merged.min_col, merged.max_col + 1)
        )
    return out


def last_cell(ws: Any) -> tuple[int, int]:
    """The last row and column holding a value."""
    rows = cols = 1
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                rows, cols = max(rows, cell.row), max(cols, cell.column)
    return rows, cols


def assert_prints_on_a4(ws: Any, *, portrait_width: float) -> None:
    """One sheet prints on A4, one page wide, header row repeated, a footer with the sheet and
    the page; landscape exactly when its columns are wider than ``portrait_width``."""
    setup = ws.page_setup
    assert setup.paperSize is not None and int(setup.paperSize) == A4, ws.title
    assert int(setup.fitToWidth) == 1, ws.title
    assert int(setup.fitToHeight) == 0, ws.title  # as many pages tall as it takes
    assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    assert ws.print_title_rows == "$1:$1", ws.title
    rows, cols = last_cell(ws)
    assert ws.print_area == f"'{ws.title}'!$A$1:${get_column_letter(cols)}${rows}", ws.title
    width = sum(_width(ws, c) for c in range(1, cols + 1))
    wanted = "landscape" if width > portrait_width else "portrait"
    assert setup.orientation == wanted, (ws.title, width)
    assert ws.oddFooter.left.text == "&A", ws.title  # the sheet's name
    assert ws.oddFooter.right.text == "Page &P of &N", ws.title


def assert_nothing_is_cut(ws: Any) -> None:
    """Every value shows whole: it fits on one line of its column, or its cell wraps and its
    row is tall enough for the lines it wraps to (up to Excel's tallest row)."""
    merged = _merged_width(ws)
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            width = merged.get((cell.row, cell.column)) or _width(ws, cell.column)
            text = _shown(cell.value)
            where = f"{ws.title}!{cell.coordinate} {text[:40]!r}"
            if not isinstance(cell.value, str):
                assert len(text) + 1 <= width, where  # numbers and dates never wrap
                continue
            if _longest_line(text) + 1 <= width and "\n" not in text:
                continue
            assert cell.alignment.wrap_text, f"{where}: too long for the column, not wrapped"
            lines = sum(
                math.ceil(len(p) / (width * LETTERS_AT_MOST)) or 1 for p in text.split("\n")
            )
            height = ws.row_dimensions[cell.row].height or DEFAULT_ROW
            assert height >= min(TALLEST_ROW, lines * LINE_AT_LEAST), (
                f"{where}: a row of {height} points, for at least {lines} lines"
            )


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.skip(
            "LibreOffice is not installed: run `make test` as root, or "
            "`apt-get install libreoffice-calc-nogui libreoffice-writer-nogui`"
        )
    return found


def to_pdf(workbook: Path, tmp_path: Path) -> Path:
    """The workbook (or Word file) printed to PDF by LibreOffice (skips the test without
    it)."""
    program = soffice()
    out = tmp_path / "pdf"
    done = subprocess.run(
        [
            program,
            f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(workbook),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    pdf = out / (workbook.stem + ".pdf")
    assert pdf.is_file(), (done.stdout, done.stderr)
    return pdf


def pdf_pages(pdf: Path) -> list[Any]:
    from pypdf import PdfReader

    return list(PdfReader(pdf).pages)


def assert_a4(pages: list[Any]) -> None:
    for number, page in enumerate(pages, start=1):
        size = sorted((float(page.mediabox.width), float(page.mediabox.height)))
        assert size == pytest.approx(A4_POINTS, abs=1), f"page {number} is {size}"


def page_text(pages: list[Any]) -> str:
    """The text of the pages with its line breaks undone, as words a reader reads."""
    import re

    text = " ".join(page.extract_text() for page in pages)
    return re.sub(r"-\s+", "-", re.sub(r"\s+", " ", text))
