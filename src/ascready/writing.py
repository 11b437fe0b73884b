"""Atomic writes: a file is replaced only by a complete new one, never left half-written."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from ascready.errors import OutputExistsError


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write to a temporary file beside ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
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
