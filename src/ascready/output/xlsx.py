"""Text in spreadsheet cells, and workbooks saved the same way every time.

One policy for the two workbooks ascready writes, the gaps report (``gaps --format xlsx``) and
the evidence register (``export``):

* Text stays text. Text that a spreadsheet would take for a formula (``=HYPERLINK(...)``,
  ``+1``, ``@SUM``) or an error (``#N/A``) is stored as text and marked so that Excel keeps it
  text when the cell is edited.
* What a cell cannot hold (characters XML cannot hold, more than Excel's 32,767 characters) is
  handled one of two ways, and the caller says which by ``exact``:

  - ``exact=True``, for the register, which ``import`` reads back into the repository: the text
    is refused with :class:`UnfitCell`, so that nothing is lost on the way back;
  - ``exact=False``, for a report worked out from the repository, which is never read back:
    each character XML cannot hold becomes U+FFFD, and text too long for a cell is cut, ending
    with :data:`CUT_MARKER`, so that the reader sees what happened. The repository keeps the
    whole text.

* The same workbook always gives the same bytes: :func:`save` stamps the document properties
  and every zip entry with a given day, never the clock.

openpyxl is imported only inside the functions that need it, so that the command line starts
quickly.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

from ascready.io.writing import fixed_zip_times

#: The characters XML 1.0 cannot hold, as the inside of a regular-expression class: control
#: characters other than tab, line feed and carriage return, the halves of surrogate pairs
#: (no file can hold one alone), and the non-characters U+FFFE and U+FFFF.
NOT_XML_CHARACTERS = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
NOT_XML = re.compile(f"[{NOT_XML_CHARACTERS}]")
#: The same, and the other control characters, DEL and U+0080 to U+009F, which XML allows but
#: discourages and Word refuses: for text that is to be plain words (a document, a description).
CONTROL_OR_NOT_XML = re.compile(f"[{NOT_XML_CHARACTERS}\x7f-\x9f]")
#: Text starting with one of these is taken as a formula by spreadsheets when typed or pasted.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Excel's limit on the characters (UTF-16 code units) in one cell.
MAX_CELL_TEXT = 32767
#: What ends text cut to fit a cell (``exact=False`` only).
CUT_MARKER = " [... cut: too long for one cell]"
HEADER_FILL = "DDEBF7"
DATE_FORMAT = "yyyy-mm-dd"


class UnfitCell(Exception):
    """A value a cell cannot hold exactly. The message says why and what to do; the caller
    adds where the value is."""


def cell_length(text: str) -> int:
    """The length Excel counts: characters beyond the Basic Multilingual Plane count twice."""
    if len(text) * 2 <= MAX_CELL_TEXT:
        return len(text)  # cheap: cannot be over the limit whatever it holds
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str) -> str:
    """The longest start of ``text`` that fits in a cell with :data:`CUT_MARKER` after it."""
    room = MAX_CELL_TEXT - len(CUT_MARKER)
    kept = text[:room]
    while (over := cell_length(kept) - room) > 0:  # characters Excel counts twice
        kept = kept[: len(kept) - max(1, over // 2)]
    return kept + CUT_MARKER


def cell_text(text: str, *, exact: bool) -> str:
    """``text`` as a workbook cell can hold it.

    ``exact``: the text itself, or :class:`UnfitCell` when a cell could not hold it exactly.
    Otherwise: characters XML cannot hold become U+FFFD, and text too long is cut, marked.
    """
    if exact:
        _check(text)
        return text
    text = NOT_XML.sub("\N{REPLACEMENT CHARACTER}", text)
    return _cut(text) if cell_length(text) > MAX_CELL_TEXT else text


def _check(text: str) -> None:
    length = cell_length(text)
    if length > MAX_CELL_TEXT:
        raise UnfitCell(
            f"the text is {length:,} characters long, and a workbook cell holds at most "
            f"{MAX_CELL_TEXT:,}. The workbook could not hold it exactly: shorten the text in the "
            "repository (for example, move the detail into a document under files/ and link "
            "to it), then export again."
        )
    bad = NOT_XML.search(text)
    if bad:
        raise UnfitCell(
            f"the text holds the control character U+{ord(bad.group()):04X} at position "
            f"{bad.start() + 1}, which a workbook cannot hold, so the workbook could not hold "
            "the text exactly. Remove the character from the repository file (it is usually "
            "pasted in by accident), then export again."
        )


def put_text(cell: Any, text: str, *, exact: bool) -> bool:
    """Put ``text`` in an openpyxl cell as text, never as a formula or an error value.

    Returns whether the cell wants Excel's quote prefix, which keeps it text when it is edited:
    the text starts like a formula, or openpyxl took it for something other than text. The
    caller sets it (the register shares one style among many cells). Raises
    :class:`UnfitCell` as :func:`cell_text` does.
    """
    value = cell_text(text, exact=exact)
    cell.value = value
    # openpyxl takes "=..." for a formula and "#N/A" for an error; it is text.
    quoted = cell.data_type != "s" or value.startswith(FORMULA_START)
    cell.data_type = "s"
    return quoted


def solid_fill(colour: str) -> Any:
    """An openpyxl fill of one colour, e.g. :data:`HEADER_FILL`."""
    from openpyxl.styles import PatternFill

    return PatternFill(fill_type="solid", start_color=colour, end_color=colour)


def save(wb: Any, day: dt.date) -> bytes:
    """The workbook's bytes, made on ``day``: the same workbook, the same bytes.

    The document properties say ascready made it on that day; every zip entry carries it too.
    """
    from openpyxl.writer.excel import ExcelWriter

    made = dt.datetime(day.year, day.month, day.day)
    wb.properties.created = made
    wb.properties.modified = made
    wb.properties.creator = "ascready"
    # Workbook.save() would stamp the current time as "modified"; the writer it uses does not.
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    return fixed_zip_times(raw.getvalue(), day)


# --- printing ---------------------------------------------------------------------------------
#
# Both workbooks go in front of boards and CQC on paper as well as on screen. Every sheet prints
# on A4, one page wide (as many pages tall as it takes), with its header rows repeated on each
# page, landscape when its columns are too wide for portrait, and a footer naming the sheet and
# the page. openpyxl does not size rows to wrapped text (Excel does so only when a cell is
# edited, LibreOffice not at all when it prints), so the rows are given a height worked out from
# the lines their text wraps to.

#: openpyxl's (and Excel's) number for A4 paper.
PAPER_A4 = 9
#: Points one line of 11-point text takes in a row (Excel's default row height).
LINE_POINTS = 15.0
#: Excel's tallest row, in points.
MAX_ROW_POINTS = 409.0
#: The widest a sheet may be, in Excel's width units (about a character each), and still print
#: portrait: A4 portrait within :data:`MARGINS` holds about 100 at full size, so such a sheet
#: prints at nine tenths of it or more. Wider sheets print landscape.
PORTRAIT_WIDTH = 115
#: Page margins in inches: left, right, top, bottom, header, footer.
MARGINS = (0.4, 0.4, 0.6, 0.6, 0.3, 0.3)
FOOTER_SIZE = 8
MAX_HEADER_TEXT = 100
#: Width units one bold letter of a header takes, counted high.
BOLD_LETTER = 1.3
#: Bold header text takes more room than plain text: the share of a column's width it gets.
BOLD = 0.75
#: Letters of ordinary text to a width unit (the width of a digit), counted low: most letters
#: are narrower than a digit, but capitals and bold are wider, and spreadsheets differ.
LETTERS_PER_UNIT = 1.0


def shown_width(text: str) -> int:
    """The width text needs to show whole on one line: its longest line, in characters."""
    if "\n" not in text:
        return len(text)
    return max(len(line) for line in text.split("\n"))


def wrapped_lines(text: str, width: float) -> int:
    """The lines ``text`` takes when wrapped in a column ``width`` characters wide, as a
    spreadsheet wraps it: at spaces, and inside a word only when the word is wider than the
    column. An estimate on the safe side: a width unit is the width of a digit, and most
    letters are narrower, about :data:`LETTERS_PER_UNIT` of them to a unit; a cell's padding
    takes about one."""
    room = max(1, int(width * LETTERS_PER_UNIT) - 1)
    if len(text) <= room and "\n" not in text:
        return 1
    lines = 0
    for paragraph in text.split("\n"):
        used, count = 0, 1
        for word in paragraph.split(" "):
            size = len(word)
            if used and used + 1 + size > room:
                count, used = count + 1, 0
            if used:
                used += 1
            while size > room:  # a word longer than the column breaks inside it
                count, size = count + 1, size - room
            used += size
        lines += count
    return lines


def row_points(lines: int) -> float:
    """The height, in points, of a row showing ``lines`` lines of text."""
    return min(MAX_ROW_POINTS, LINE_POINTS * lines + 2)


def set_row_height(ws: Any, row: int, lines: int) -> None:
    """Gives a row the height its wrapped text needs; a row of one line keeps the default."""
    if lines > 1:
        ws.row_dimensions[row].height = row_points(lines)


def header_text(text: str) -> str:
    """Text for a page header or footer: on one line, control characters and what XML cannot
    hold replaced, at most :data:`MAX_HEADER_TEXT` characters (Excel takes 255 with the codes),
    and '&', which starts a header code (``&P`` is the page number), doubled so that it prints
    as itself."""
    text = CONTROL_OR_NOT_XML.sub("\N{REPLACEMENT CHARACTER}", re.sub(r"[\t\r\n]+", " ", text))
    if len(text) > MAX_HEADER_TEXT:
        text = text[: MAX_HEADER_TEXT - 1] + "\N{HORIZONTAL ELLIPSIS}"
    return text.replace("&", "&&")


def set_printing(
    ws: Any,
    *,
    columns: int,
    rows: int,
    widths: list[float],
    title_rows: tuple[int, int] | None = (1, 1),
    heading: str = "",
) -> None:
    """Sets a sheet to print on A4, one page wide, its header rows repeated on every page.

    ``columns`` and ``rows`` bound the print area (from A1); ``widths`` are the columns' widths,
    which decide portrait or landscape; ``title_rows`` are the first and last rows repeated at
    the top of each page (None: none). ``heading`` goes at the top of each page (the document
    and whose it is); the footer names the sheet and says "Page 3 of 7".
    """
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.page import PageMargins

    setup = ws.page_setup
    setup.paperSize = PAPER_A4
    setup.orientation = "landscape" if sum(widths) > PORTRAIT_WIDTH else "portrait"
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages tall as the rows take
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    left, right, top, bottom, head, foot = MARGINS
    ws.page_margins = PageMargins(
        left=left, right=right, top=top, bottom=bottom, header=head, footer=foot
    )
    ws.print_options.gridLines = True
    ws.print_options.horizontalCentered = False
    if title_rows is not None:
        ws.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"
    ws.print_area = f"A1:{get_column_letter(max(1, columns))}{max(1, rows)}"
    if heading:
        ws.oddHeader.left.text = header_text(heading)
        ws.oddHeader.left.size = FOOTER_SIZE
    ws.oddFooter.left.text = "&A"  # the sheet's name
    ws.oddFooter.left.size = FOOTER_SIZE
    ws.oddFooter.right.text = "Page &P of &N"
    ws.oddFooter.right.size = FOOTER_SIZE


#: The narrowest column, and the widest a column grows to fit its longest value; longer text
#: wraps (Excel's width units, about a character each).
MIN_COLUMN_WIDTH, MAX_COLUMN_WIDTH = 8, 48
#: The widest a sheet's columns may add up to: A4 landscape holds about 145 at full size, so
#: such a sheet prints one page wide at about seven tenths of it; wider would shrink the text
#: below that. Wider sheets narrow columns (their text wraps onto more lines; see
#: :func:`fit_widths`), but none below :data:`NARROWEST_WRAPPED`.
SHEET_WIDTH, NARROWEST_WRAPPED = 210, 16


def fit_width(longest: int, header: str, cap: int = MAX_COLUMN_WIDTH) -> int:
    """A column's width: its longest value's, up to ``cap`` (longer text wraps), and never so
    narrow that a word of the header (bold, wrapped) is broken."""
    return max(header_width(header), min(cap, longest + 2))


def header_width(header: str) -> int:
    """The narrowest a column may be: its header's longest word, in bold, stays whole."""
    word = max((len(w) for w in header.split()), default=0)
    return max(MIN_COLUMN_WIDTH, int(word * BOLD_LETTER) + 3)


def fit_widths(
    widths: list[int],
    floors: list[int],
    order: list[int] | None = None,
    total: int = SHEET_WIDTH,
) -> list[int]:
    """The widths narrowed until they add up to ``total`` at most.

    ``order`` says which columns narrow first: those of order 0 (text that wraps anyway:
    sentences longer than a column grows), then those of order 1 as well (lists), and so on,
    so that short values such as names stay on one line if they can. Each in proportion, so
    that a long text keeps more room than a short one. None goes below its floor or
    :data:`NARROWEST_WRAPPED`, so a very wide sheet may stay wider than ``total``.
    """
    order = order or [0] * len(widths)
    lows = [min(w, max(f, NARROWEST_WRAPPED)) for w, f in zip(widths, floors, strict=True)]
    out = list(widths)
    for step in sorted(set(order)):
        start = list(out)
        for percent in range(100, 0, -1):  # whole percentages: the same widths every time
            out = [
                max(low, w * percent // 100) if o <= step else w
                for w, low, o in zip(start, lows, order, strict=True)
            ]
            if sum(out) <= total:
                return out
    return out
