"""Converting one cell of a register to ascready's value for its field.

Dates as English councils type them (day before month, always), numbers with thousands
separators or a per cent sign, the words of a closed list (``Completed`` for ``done``), and
framework terms as :meth:`~ascready.repository.framework.Framework.resolve` reads them for
every command. A cell that cannot be converted raises :class:`CellError`, which the sheet
reader reports with its row and cell.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any

from ascready.authoring.register.layout import Column, closed_lists
from ascready.authoring.register.mapping import FieldMap, norm
from ascready.repository import dates
from ascready.repository.framework import Framework, Term

#: The closed lists a column takes framework terms from (``Column.several``), as terms.
TERMS = {
    "qs": Term.QUALITY_STATEMENT,
    "category": Term.CATEGORY,
    "duty": Term.DUTY,
    "theme": Term.THEME,
    "expected": Term.EXPECTED,
}


class CellError(Exception):
    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


# --- converting one cell -----------------------------------------------------------------------

EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value: Any) -> dt.date:
    """A date from a cell: a real date, an Excel serial number, or text as English councils
    type it (2025-03-31, 31/03/2025, 31.3.25, 31 March 2025), read as every command reads a
    typed date (:func:`ascready.repository.dates.parse_date`). Day before month, always."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466 and float(value).is_integer():
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CellError(f"{value} is not a date")
    text = str(value).strip()
    try:
        return dates.parse_date(text)
    except dates.DateError as e:
        raise CellError(f"'{text}' {e.reason}", e.hint) from None


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise CellError(f"{value} is not a number")
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().replace(",", "").removesuffix("%").strip()
    try:
        return float(text)
    except ValueError:
        raise CellError(f"'{value}' is not a number") from None


def _integer(value: Any) -> int:
    number = _number(value)
    if not number.is_integer():
        raise CellError(f"'{value}' is not a whole number")
    return int(number)


def _text(value: Any) -> str:
    """A cell as text. Windows line ends become plain ones; a one-line text loses the spaces
    typed around it (text on several lines is kept exactly, as a narrative's last line ends)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text if "\n" in text else text.strip()


_ID_SPLIT = re.compile(r"[;,\s]+")
_SEVERAL_SPLIT = re.compile(r"\s*(?:[;,/&+\n]|\band\b)\s*", re.IGNORECASE)
_LIST_SPLIT = re.compile(r"\s*(?:;|\n|\r|•)\s*")


class Converter:
    """Typed text to ascready values, for one repository's framework and one mapping."""

    def __init__(self, framework: Framework) -> None:
        self.fw = framework
        self.lists = closed_lists(framework)

    def term(self, several: str, text: str) -> str | None:
        """A framework term's canonical id, or None when the framework does not know it."""
        return self.fw.resolve(TERMS[several], text)

    def several(self, several: str, text: str) -> list[str] | None:
        """The terms of a cell naming more than one ("(1, 5)", "QS1/QS6", "QS 1 and QS 6"),
        in the order written, or None unless it names two or more and every piece is one."""
        inner = text.strip()
        if inner.startswith("(") and inner.endswith(")"):
            inner = inner[1:-1]
        pieces = [p.strip(" ()") for p in _SEVERAL_SPLIT.split(inner)]
        pieces = [p for p in pieces if p]
        if len(pieces) < 2:
            return None
        found = [self.term(several, p) for p in pieces]
        if not all(found):
            return None
        return list(dict.fromkeys(f for f in found if f))

    def mapped(self, fmap: FieldMap, text: str) -> Any:
        if not fmap.values:  # most columns map no values: no need to normalise the text
            return text
        return fmap.values.get(norm(text), text)

    def convert(self, col: Column, fmap: FieldMap, value: Any) -> Any:
        """The field's value from one non-empty cell, or :class:`CellError`."""
        if isinstance(value, str) and col.type not in ("text",):
            value = value.strip()
        if col.type == "text":
            value = self.mapped(fmap, _text(value))
            if col.several and isinstance(value, str):
                resolved = self.term(col.several, value)
                if resolved is None:
                    raise self._unknown(col, value)
                return resolved
            return value
        if col.type == "id":
            return str(self.mapped(fmap, _text(value))).strip()
        if col.type == "date":
            mapped = self.mapped(fmap, _text(value)) if isinstance(value, str) else value
            return parse_date(mapped)
        if col.type == "int":
            return _integer(self.mapped(fmap, _text(value)))
        if col.type == "float":
            return _number(self.mapped(fmap, value) if isinstance(value, str) else value)
        if col.type == "choice":
            return self.choice(col, fmap, value)
        if col.type == "numbers":
            out = []
            for part in _ID_SPLIT.split(_text(value)):
                if part:
                    out.append(_integer(self.mapped(fmap, part)))
            return out
        if col.type == "scores":
            return self.scores(fmap, _text(value))
        if col.type == "list":
            return self.list(col, fmap, _text(value))
        raise AssertionError(col.type)  # pragma: no cover

    def choice(self, col: Column, fmap: FieldMap, value: Any) -> str:
        text = self.mapped(fmap, _text(value))
        if str(text) in col.choices:
            return str(text)
        wanted = norm(text)
        for choice in col.choices:
            if norm(choice) == wanted:
                return choice
        # Plurals and obvious short forms people type in trackers.
        aliases = {"areas for improvement": "area for improvement", "afi": "area for improvement"}
        aliases |= {"strengths": "strength", "improvement": "area for improvement"}
        aliases |= {
            "complete": "done",
            "completed": "done",
            "closed": "done",
            "open": "in-progress",
        }
        aliases |= {
            "n a": "not-applicable",
            "na": "not-applicable",
            "sensitive": "official-sensitive",
        }
        aliases |= {"official sensitive": "official-sensitive"}
        if aliases.get(wanted) in col.choices:
            return aliases[wanted]
        guess = difflib.get_close_matches(str(text), col.choices, 1)
        hint = f"Did you mean '{guess[0]}'? " if guess else ""
        raise CellError(
            f"'{text}' is not one of the allowed values",
            f"{hint}Allowed: {', '.join(col.choices)}; or map it under 'values:' in the mapping",
        )

    def list(self, col: Column, fmap: FieldMap, text: str) -> list[Any]:
        if not col.several:  # ids: evidence, actions, measures, expected evidence
            parts = [self.mapped(fmap, p) for p in _ID_SPLIT.split(text) if p]
            return list(dict.fromkeys(str(p) for p in parts))
        out: list[str] = []
        for part in (p for p in _LIST_SPLIT.split(text) if p):
            mapped = self.mapped(fmap, part)
            items = mapped if isinstance(mapped, list) else [mapped]
            for item in items:
                resolved = self.term(col.several, str(item))
                if resolved is None and "," in str(item):
                    # "QS1, QS2" - but titles hold commas too, so split only if every piece is
                    # a term.
                    pieces = [self.term(col.several, p.strip()) for p in str(item).split(",")]
                    if all(pieces):
                        out.extend(p for p in pieces if p)
                        continue
                if resolved is None:
                    raise self._unknown(col, str(item))
                out.append(resolved)
        return list(dict.fromkeys(out))

    def scores(self, fmap: FieldMap, text: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for part in (p for p in _LIST_SPLIT.split(text) if p):
            name, sep, score = part.rpartition(":")
            if not sep:
                raise CellError(
                    f"'{part}' is not 'category: score'", "Write e.g. 'processes: 3; partners: 2'"
                )
            category = self.term("category", name.strip())
            if category is None:
                raise self._unknown(Column("", "", "text", several="category"), name.strip())
            out[category] = _integer(score)
        return out

    def _unknown(self, col: Column, text: str) -> CellError:
        what = {
            "qs": "quality statement",
            "category": "evidence category",
            "duty": "Care Act duty",
            "theme": "theme",
            "expected": "kind of expected evidence",
        }[col.several]
        options = list(self.lists[col.several])
        if col.several == "qs":
            options += [q.title for q in self.fw.quality_statements]
        guess = difflib.get_close_matches(text, options, 1, cutoff=0.5)
        hint = f"Did you mean '{guess[0]}'? " if guess else ""
        known = self.lists[col.several]
        listed = ", ".join(known[:12]) + (", …" if len(known) > 12 else "")
        return CellError(
            f"'{text}' is not a {what} ascready knows",
            f"{hint}Use one of {listed}, or map it under 'values:' in the mapping",
        )
