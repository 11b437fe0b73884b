"""Office Open XML packages (.xlsx, .docx) looked over before any library opens them.

A .docx or .xlsx file is a zip of XML parts. A file built to do harm can unpack to far more
than it weighs (a zip bomb), or declare XML entities that expand to gigabytes (an XML bomb,
"billion laughs"). :func:`package_problem` refuses both without unpacking more than the
package says it holds: a package of more than :data:`MAX_PARTS` parts or
:data:`MAX_UNPACKED_BYTES` unpacked, or a part that declares a DTD (``<!DOCTYPE``, in UTF-8 or
UTF-16). The Office Open XML standard forbids DTDs in its parts (ECMA-376 part 2, M1.17), so no
document Word, Excel or LibreOffice writes has one, and without a DTD no entity can be declared.
Python's zip reader never unpacks a part past the size the package declares for it, so the sum
of the declared sizes bounds the work.
"""

from __future__ import annotations

import zipfile
import zlib
from typing import BinaryIO

#: Most parts a package may hold (Word and Excel files hold tens, or a few hundred).
MAX_PARTS = 10_000
#: Most bytes a package's parts may unpack to, together.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
_DTD = "<!DOCTYPE"
_DTD_MARKS = (_DTD.encode("ascii"), _DTD.encode("utf-16-le"), _DTD.encode("utf-16-be"))
_OVERLAP = max(len(m) for m in _DTD_MARKS) - 1
_CHUNK = 1 << 20
#: What a damaged package raises while it is listed or unpacked.
_DAMAGED = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError)
_REMAKE = "Open it in the program that made it and save it again."
#: What :func:`package_problem` gives for a file that is not a zip it can read.
DAMAGED = ("it is damaged: its zip structure cannot be read", _REMAKE)


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MiB"


def package_problem(handle: BinaryIO) -> tuple[str, str] | None:
    """Why the zip package in ``handle`` is not safe or not possible to open, as (what is
    wrong, what to do); None when it may be opened. ``handle`` is left at its start."""
    try:
        with zipfile.ZipFile(handle) as archive:
            return _problem(archive)
    except _DAMAGED:
        return DAMAGED
    finally:
        handle.seek(0)


def _problem(archive: zipfile.ZipFile) -> tuple[str, str] | None:
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        return (
            f"it is a package of {len(parts):,} parts, more than the {MAX_PARTS:,} ascready opens",
            _REMAKE,
        )
    unpacked = sum(p.file_size for p in parts)
    if unpacked > MAX_UNPACKED_BYTES:
        return (
            f"it unpacks to {_mib(unpacked)}, more than the {_mib(MAX_UNPACKED_BYTES)} ascready "
            "opens (it may be built to fill the memory of whoever opens it: a zip bomb)",
            "Do not open it. If it is a real document, split it into smaller files.",
        )
    for part in parts:
        if part.flag_bits & 0x1:
            return (
                "it is protected with a password",
                "Save a copy without the password, so that it can be checked.",
            )
        if not part.filename.lower().endswith(".svg") and _declares_dtd(archive, part):
            return (
                "it declares a DTD (<!DOCTYPE), which no Word or Excel file does; it may be "
                "built to fill the memory of whoever opens it (an XML bomb)",
                "Do not open it. If it is a real document, open it in the program that made it "
                "and save it again.",
            )
    return None


def _declares_dtd(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> bool:
    """Whether an XML part holds ``<!DOCTYPE``; parts that are not XML (images) are not read
    past their first bytes."""
    with archive.open(part) as stream:
        chunk = stream.read(_CHUNK)
        start = chunk.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00")
        if not start.startswith(b"<"):
            return False
        tail = b""
        while chunk:
            window = tail + chunk
            if any(mark in window for mark in _DTD_MARKS):
                return True
            tail = window[-_OVERLAP:]
            chunk = stream.read(_CHUNK)
    return False
