"""Control characters in text (issue 13, item 10): escape sequences that clear the screen, set
a terminal's title or hide a link (ESC, and the C1 controls), NUL bytes, and the like, written
in YAML as escapes ("\\e[2J", "\\x1b", "\\0") so that they reach the data.

Text may hold tabs and new lines and nothing else below the space. Each other control character
is a finding (``control-character``) at its value, and is replaced, as the file is read, by
U+FFFD (the replacement character), so that no command ever prints it: not the terminal, not a
Markdown, HTML, Word or Excel document.
"""

from __future__ import annotations

import re
from typing import Any

from ascready.checks.base import Check, CheckList, iter_strings
from ascready.findings import Finding, Loc, Severity, describe_location

#: Every control character but tab and new line (and carriage return, which YAML folds away).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Raw bytes a file must hold for any of them to reach its data: an escape in double-quoted text
#: (a backslash), or the character itself (YAML refuses most of them unescaped).
_MAYBE = re.compile(rb"[\\\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]")
REPLACEMENT = "\ufffd"

CHECKS = CheckList()
CHECKS.add(
    Check(
        "control-character",
        Severity.ERROR,
        "read",
        "Text holds a control character (an escape sequence, a NUL byte) other than tab and "
        "new line.",
    )
)
_CHECK = CHECKS.by_id()["control-character"]


def may_hold_controls(raw: bytes) -> bool:
    return _MAYBE.search(raw) is not None


def _named(char: str) -> str:
    code = ord(char)
    if code == 0:
        return "a NUL byte"
    if code == 0x1B:
        return "an escape character (ESC, which starts a terminal escape sequence)"
    return f"a control character (U+{code:04X})"


def clean_controls(data: Any) -> tuple[Any, list[Finding]]:
    """``data`` with every control character in its text replaced, and a finding (without a
    file) for each value that held one."""
    found: list[Finding] = []
    bad: dict[Loc, str] = {}
    for loc, text in iter_strings(data):
        match = _CONTROL.search(text)
        if match is None:
            continue
        bad[loc] = _CONTROL.sub(REPLACEMENT, text)
        count = len(_CONTROL.findall(text))
        what = (
            _named(match.group())
            if count == 1
            else f"{count} control characters, the first {_named(match.group())}"
        )
        found.append(
            _CHECK.finding(
                f"{describe_location(loc)} holds {what}",
                "Remove it: text may hold tabs and new lines, but no other control "
                "characters (often pasted from a terminal or another system).",
                "",
                loc=loc,
            )
        )
    return (_replaced(data, bad, ()) if bad else data), found


def _replaced(value: Any, bad: dict[Loc, str], loc: Loc) -> Any:
    if isinstance(value, str):
        return bad.get(loc, value)
    if isinstance(value, dict):
        return {k: _replaced(v, bad, (*loc, str(k))) for k, v in value.items()}
    if isinstance(value, list):
        return [_replaced(v, bad, (*loc, i)) for i, v in enumerate(value)]
    return value
