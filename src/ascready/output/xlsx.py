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
