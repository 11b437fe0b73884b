"""Find an evidence repository and its files, read them, and locate findings in them.

Layout of a repository (all YAML files may end ``.yaml`` or ``.yml``)::

    ascready.yaml              council profile (found by walking up from the given folder)
    evidence/**.yaml           one evidence item per file
    information-return/**.yaml one information-return item per file
    ratings/**.yaml            one quality-statement self-assessment per file
    actions/**.yaml            one improvement action per file
    metrics/**.yaml            one performance measure per file

Nothing here checks a file: :mod:`ascready.checks.load` reads a whole repository with these
pieces and checks every file as it goes. Only a missing repository raises
:class:`~ascready.errors.RepositoryNotFoundError`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ascready.errors import RepositoryNotFoundError
from ascready.findings import Finding
from ascready.repository import yamlsafe
from ascready.repository.framework import builtin_framework_text
from ascready.repository.kinds import BY_FOLDER, DOCUMENT_KINDS
from ascready.repository.project import PROFILE_FILE

YAML_SUFFIXES = (".yaml", ".yml")


def find_repository(start: Path) -> Path:
    """The nearest folder at or above ``start`` that holds ``ascready.yaml``."""
    start = start.resolve()
    if not start.exists():
        raise RepositoryNotFoundError(f"the folder '{start}' does not exist")
    if start.is_file():
        start = start.parent
    for folder in (start, *start.parents):
        if (folder / PROFILE_FILE).is_file():
            return folder
    raise RepositoryNotFoundError(
        f"no {PROFILE_FILE} in '{start}' or any folder above it. Run ascready inside an evidence "
        f"repository, or name one: ascready validate path/to/repository"
    )


def discover(root: Path) -> list[tuple[str, str]]:
    """(relative path, kind) of every document file, in a stable order."""
    found: list[tuple[str, str]] = [(PROFILE_FILE, "profile")]
    for kind in DOCUMENT_KINDS:
        base = os.path.join(root, kind.folder)
        if not os.path.isdir(base):
            continue
        skip = len(str(root)) + 1
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            rel_dir = dirpath[skip:].replace(os.sep, "/")
            for name in sorted(filenames):
                if not name.startswith(".") and name.lower().endswith(YAML_SUFFIXES):
                    found.append((f"{rel_dir}/{name}", kind.name))
    return found


def document_kind(rel: str) -> str | None:
    """The kind of the file at this repository-relative path, or None if it is not a document
    (the same rules as :func:`discover`: a kind's folder, a YAML name, nothing hidden)."""
    parts = rel.split("/")
    if len(parts) < 2 or parts[0] not in BY_FOLDER or any(p.startswith(".") for p in parts):
        return None
    return BY_FOLDER[parts[0]].name if parts[-1].lower().endswith(YAML_SUFFIXES) else None


def order_entries(paths: Iterable[str]) -> list[tuple[str, str]]:
    """(path, kind) of the documents among ``paths``, in the order :func:`discover` finds them
    on disk: the profile, then kind by kind, each folder's files before its sub-folders'."""
    folders = list(BY_FOLDER)

    def key(rel: str) -> tuple[int, tuple[tuple[int, str], ...]]:
        parts = rel.split("/")
        steps = (*((1, d) for d in parts[1:-1]), (0, parts[-1]))
        return folders.index(parts[0]), steps

    docs = sorted((rel for rel in paths if document_kind(rel)), key=key)
    return [(PROFILE_FILE, "profile"), *((rel, document_kind(rel) or "") for rel in docs)]


def read_bytes(
    path: str,
    root: str | None = None,
    *,
    limit: int = yamlsafe.MAX_FILE_BYTES,
    too_large: Callable[[int], yamlsafe.Problem] = yamlsafe.too_large,
) -> tuple[bytes | None, list[yamlsafe.Problem]]:
    """A file's bytes; an unreadable file is a problem, not an exception.

    Only a regular file is read (a FIFO would wait for ever, a device such as /dev/zero never
    ends), and never more than ``limit`` bytes (:data:`~ascready.repository.yamlsafe.MAX_FILE_BYTES`
    unless given) and one: a file larger than that is ``too_large(size)``, not read at all.
    With ``root`` (the repository's folder), a file that is a link to a place outside it
    is not read at all, and the message says nothing of what it holds. (That its folder is
    inside, :func:`outside_folders` tells.)
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    nofollow = getattr(os, "O_NOFOLLOW", 0) if root is not None else 0
    try:
        fd = os.open(path, flags | nofollow)
    except OSError as exc:
        if not (nofollow and os.path.islink(path)):
            return None, [_unreadable(exc)]
        assert root is not None
        if not is_inside(os.path.realpath(path), root):
            return None, [OUTSIDE]
        try:
            fd = os.open(path, flags)
        except OSError as again:
            return None, [_unreadable(again)]
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, [
                yamlsafe.Problem(
                    "not-a-file",
                    f"this is not a file but {_what_it_is(info.st_mode)}, so ascready does not "
                    "read it",
                    "Remove it, or put the file itself here.",
                )
            ]
        if info.st_size > limit:
            return None, [too_large(info.st_size)]  # not read at all
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks), []  # parse_bytes refuses one over the limit, with its size
    except OSError as exc:
        return None, [_unreadable(exc)]
    finally:
        os.close(fd)


#: What a document that is (or is in) a link to a place outside the repository gives.
OUTSIDE = yamlsafe.Problem(
    "outside-repository",
    "the file is a link to a place outside the repository, so ascready does not read it",
    "Copy the file itself into the repository, or remove the link.",
)


def is_inside(real: str, root: str) -> bool:
    """Whether the resolved path ``real`` is inside the repository folder ``root``."""
    real_root = os.path.realpath(root)
    try:
        return os.path.commonpath([real, real_root]) == real_root
    except ValueError:  # another drive (Windows)
        return False


def outside_folders(root: Path, entries: Iterable[tuple[str, str]]) -> set[str]:
    """The folders (relative, as in ``entries``) that resolve outside the repository: a kind's
    folder, or one below it, that is a link elsewhere. Worked out once per folder."""
    base = str(root)
    folders = {os.path.dirname(rel) for rel, _ in entries}
    return {
        f for f in folders if f and not is_inside(os.path.realpath(os.path.join(base, f)), base)
    }


def _unreadable(exc: OSError) -> yamlsafe.Problem:
    return yamlsafe.Problem(
        "unreadable-file",
        f"the file cannot be read ({exc.strerror or exc})",
        "Check that it exists and that you may read it.",
    )


def _what_it_is(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "something other than a file"


def read_and_parse(path: str, root: str | None = None) -> tuple[Any, list[yamlsafe.Problem]]:
    """Read one file (see :func:`read_bytes`) and parse it."""
    raw, problems = read_bytes(path, root)
    return (None, problems) if raw is None else yamlsafe.parse_bytes(raw)


def builtin_framework_data(framework_id: str) -> Any:
    """The parsed data of a built-in framework file."""
    data, problems = yamlsafe.parse_bytes(builtin_framework_text(framework_id))
    if problems:  # a packaging bug, never the user's input
        raise RuntimeError(f"built-in framework {framework_id} is broken: {problems}")
    return data


def locate_findings(
    root: Path, findings: Iterable[Finding], *, also: Path | None = None
) -> list[Finding]:
    """Give findings that carry a document location their line and column.

    Only files with such findings are read again, so clean files cost nothing. A file that is
    not under ``root`` is looked for under ``also`` (where a reused document was read).
    """
    out: list[Finding] = []
    texts: dict[str, str | None] = {}
    for f in findings:
        if f.loc is None or f.line:
            out.append(f if f.line or not f.file else f.at(f.line or 1, f.column or 1))
            continue
        if f.file not in texts:
            texts[f.file] = None
            for folder in (root, also) if also is not None else (root,):
                try:
                    texts[f.file] = (folder / f.file).read_bytes().decode("utf-8-sig")
                    break
                except (OSError, UnicodeDecodeError):
                    continue
        text = texts[f.file]
        line, column = yamlsafe.locate(text, f.loc) if text is not None else (1, 1)
        out.append(f.at(line, column))
    return out
