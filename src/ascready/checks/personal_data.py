"""Personal data must never be in an evidence repository.

Every text value of every file (and, in :mod:`ascready.checks.files`, the text of every
document under ``files/``) is scanned for NHS numbers (with a valid modulus-11 check digit),
National Insurance numbers, email addresses and UK phone numbers, home addresses (a house number
and a full postcode) and dates of birth. The council's own published contact details can be
allowed in ``ascready.yaml`` under ``personal_data.allow``.

Messages never repeat what was found in full: CI logs are not a safe place for it either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ascready.checks.base import Check, CheckList, iter_strings
from ascready.findings import Finding, Severity, describe_location
from ascready.repository import models

# Whole-file prefilter, on the raw bytes, so that most files skip the value-by-value scan:
# every pattern below needs an @, a date-of-birth keyword, a run of six digits (with spaces,
# hyphens or brackets between them, possibly across a folded line) that is not an ISO date
# (almost every file has as_of: 2026-03-31), or a postcode's digit-letters end. Each regex
# here starts at a digit, which keeps the scan cheap. (YAML escapes such as "\x40" in
# double-quoted text could hide an @ from it; nobody writes evidence that way.)
_ISO_DATE_AT = re.compile(rb"\d{4}-\d{2}-\d{2}(?!\d)")
_DIGITS_BYTES = re.compile(rb"\d(?:[\s()-]*\d){5}|\d[A-Za-z\d]?\s*\d[A-Za-z]{2}\b")


def may_hold_personal_data(raw: bytes) -> bool:
    """False only when no text in the file can match any personal-data pattern."""
    if b"@" in raw:
        return True
    low = raw.lower()
    if b"born" in low or b"birth" in low or b"dob" in low.replace(b".", b""):
        return True
    for match in _DIGITS_BYTES.finditer(raw):
        date = _ISO_DATE_AT.match(raw, match.start())
        if date is None or match.end() > date.end():
            return True
    return False


# Every pattern below needs a digit or an @; most text values have neither.
_WORTH_SCANNING = re.compile(r"[\d@]")
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_NHS = re.compile(r"(?<![\d£$/-])(?<!\d[.,])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d|[.,]\d|%|/)")
_NI = re.compile(
    r"\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r" ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
    re.IGNORECASE,
)
# Every pattern is linear in the text: a match may start only where a run of the characters
# it begins with starts (the look-behinds), so a long word, hash or address is tried once, not
# once per character (which made a pasted 100,000-character hash cost 18 seconds).
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+'-])[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,4}\)?(?:[\s-]?\d){6,8}(?![\d])")
_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})\b")
_HOUSE = re.compile(
    r"(?:\b(?i:flat|apartment|apt)\.?\s*\d+[A-Za-z]?\b|(?<![\d£$.,])\b\d{1,4}[A-Za-z]?,?\s+"
    r"[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*\s+(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Dr|"
    r"Way|Place|Court|Crescent|Gardens|Terrace|Grove|Hill|Park|Square|View|Walk|Row|Mews)\b)",
)
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*"
_DOB = re.compile(
    r"\b(?:d\.?o\.?b\.?|date\s+of\s+birth|born(?:\s+on)?)\s*[:\-]?\s*"
    rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\s+\d{{4}})",
    re.IGNORECASE,
)


def nhs_number_valid(digits: str) -> bool:
    """The NHS number modulus-11 check."""
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def mask(value: str) -> str:
    """Show only the last two characters, so the finding does not copy the data."""
    visible = re.sub(r"\s", "", value)
    return "*" * max(0, len(visible) - 2) + visible[-2:]


@dataclass(frozen=True)
class Hit:
    check: str
    what: str
    value: str


def _normal(text: str) -> str:
    return re.sub(r"[\s()-]", "", text).casefold()


def scan(text: str, allowed: frozenset[str]) -> list[Hit]:
    """Personal data in one text, minus what the council allows."""
    if len(text) < 6 or not _WORTH_SCANNING.search(text):
        return []
    hits: list[Hit] = []
    bare = text
    if "@" in text:
        for match in _EMAIL.finditer(text):
            if _normal(match.group()) not in allowed:
                hits.append(Hit("email-address", "an email address", match.group()))
        bare = _EMAIL.sub(" ", text)
    bare = _URL.sub(" ", bare)
    for match in _NHS.finditer(bare):
        digits = "".join(match.groups())
        if nhs_number_valid(digits):
            hits.append(Hit("nhs-number", "an NHS number", digits))
    for match in _NI.finditer(bare):
        hits.append(Hit("ni-number", "a National Insurance number", match.group()))
    for match in _PHONE.finditer(bare):
        digits = re.sub(r"\D", "", match.group())
        if 10 <= len(digits) <= 13 and _normal(match.group()) not in allowed:
            hits.append(Hit("phone-number", "a phone number", match.group()))
    for match in _POSTCODE.finditer(bare):
        before = bare[max(0, match.start() - 80) : match.start()]
        if _HOUSE.search(before) and _normal(match.group()) not in allowed:
            hits.append(
                Hit("home-address", "a home address (house number and postcode)", match.group())
            )
    for match in _DOB.finditer(bare):
        hits.append(Hit("date-of-birth", "a date of birth", match.group()))
    return hits


# The loader runs this scan on every file as it reads it (stage "read"), in parallel.
# The documents under files/ are scanned for the same, with these ids (checks/files.py).
_DESCRIPTIONS = {
    "nhs-number": "An NHS number (10 digits with a valid check digit) in any text or document.",
    "ni-number": "A National Insurance number in any text or document.",
    "email-address": "An email address not allowed in ascready.yaml, in any text or document.",
    "phone-number": "A UK phone number not allowed in ascready.yaml, in any text or document.",
    "home-address": "A house number followed by a full postcode, in any text or document.",
    "date-of-birth": "A date of birth ('DOB', 'born on' and a date), in any text or document.",
}
CHECKS = CheckList()
for _id, _summary in _DESCRIPTIONS.items():
    CHECKS.add(Check(_id, Severity.ERROR, "read", _summary))
_BY_ID = CHECKS.by_id()


def allowed_set(values: list[str]) -> frozenset[str]:
    """The council's allowed contact details, in the form scan() compares."""
    return frozenset(_normal(v) for v in values)


def scan_document(data: object, kind: str, allowed: frozenset[str]) -> list[Finding]:
    """Personal data in every text value of one parsed file, as findings without a file.

    Runs in the loader's worker processes, file by file; the loader fills in the file name.
    """
    found: list[Finding] = []
    for loc, text in iter_strings(data):
        if kind == "profile" and loc[:2] == ("personal_data", "allow"):
            continue
        for hit in scan(text, allowed):
            found.append(
                _BY_ID[hit.check].finding(
                    f"{hit.what} ({mask(hit.value)}) is in {describe_location(loc)}: "
                    "personal data must never be in the evidence repository",
                    hint(hit.check),
                    "",
                    loc=loc,
                )
            )
    return found


def hint(check: str) -> str:
    """What to do about personal data a check found."""
    if check in ("email-address", "phone-number", "home-address"):
        return (
            "Remove it. If it is the council's own published contact, add it to "
            "personal_data.allow in ascready.yaml. Also remove it from the git history."
        )
    return (
        "Remove it now, and ask whoever manages the repository to remove it from the git "
        "history too; describe people without identifying them."
    )


def allowed_for(profile: models.CouncilProfile | None) -> frozenset[str]:
    """What the council's profile allows the scan to accept (nothing without a profile)."""
    return allowed_set(profile.personal_data.allow) if profile is not None else frozenset()
