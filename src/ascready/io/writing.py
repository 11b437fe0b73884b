"""Atomic writes: a file is replaced only by a complete new one, never left half-written.

Also :func:`fixed_zip_times`, which makes the zip-based outputs (xlsx, docx) byte-identical from
one run to the next.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

from ascready.errors import OutputExistsError


def refuse_existing(path: Path, *, force: bool) -> None:
    """Existing user files are replaced only when the user asked, with --force."""
    if path.exists() and not force:
        raise OutputExistsError(f"{path} already exists; run again with --force to replace it")


def _mode_for(path: Path) -> int:
    """An existing file keeps its permissions; a new one gets what the umask allows
    (mkstemp's temporary files are private to their owner)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write to a temporary file beside ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_files_atomically(
    folder: Path, files: Mapping[str, str | bytes], *, force: bool = False
) -> None:
    """Write several files; refuses up front if any exists and ``force`` is not given."""
    existing = sorted(name for name in files if (folder / name).exists())
    if existing and not force:
        raise OutputExistsError(
            f"{len(existing)} file(s) already exist in {folder} and differ: "
            f"{', '.join(existing)}. Run again with --force to replace them."
        )
    for name, data in files.items():
        write_atomically(folder / name, data)


def fixed_zip_times(data: bytes, when: dt.date) -> bytes:
    """The same archive, every entry stamped with ``when`` instead of the time it was made.

    Entries keep their order and contents; they are all deflated and carry no system-specific
    attributes, so the same input always gives the same bytes. Zip cannot hold dates before
    1980: earlier years become 1980.
    """
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for entry in src.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # the same bytes whichever system made them
            info.external_attr = 0
            dst.writestr(info, src.read(entry.filename))
    return out.getvalue()
