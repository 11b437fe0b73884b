"""Errors that stop a command from running at all, every one a user can see, in one place.

Problems in a council's YAML are never raised: they are :class:`~ascready.findings.Finding`
values. These exceptions mean "cannot run" (no repository, unreadable configuration, a file
that cannot be imported) and the CLI turns them into a message on stderr and an exit code.
Each carries a ``message`` ready to show, naming the file and saying what to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

__all__ = [
    "AscreadyError",
    "ExitCode",
    "GitError",
    "ImportRefused",
    "NewFileRefused",
    "OutputExistsError",
    "OutputPathError",
    "PdfError",
    "RegisterError",
    "RepositoryNotFoundError",
    "ScaffoldWriteError",
    "TableError",
    "TargetFolderError",
    "WriteError",
]


class ExitCode(IntEnum):
    OK = 0
    #: Problems found in the user's files (or the command refused because of them).
    FINDINGS = 1
    #: The command cannot run as asked: a flag, a path, a missing repository.
    USAGE = 2
    #: A bug in ascready: the internal-error message asks the user to report it.
    BUG = 3
    #: Stopped with Ctrl-C.
    INTERRUPTED = 130


class AscreadyError(Exception):
    """A problem the user can fix; ``message`` is ready to show."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RepositoryNotFoundError(AscreadyError):
    """No ``ascready.yaml`` in the folder or any folder above it."""


class OutputExistsError(AscreadyError):
    """Refusing to replace a file the user already has."""


class WriteError(AscreadyError):
    """A set of files could not be written (the operating system refused, or a file changed
    since it was read); the message says what this run undid."""

    exit_code = ExitCode.FINDINGS


class TableError(AscreadyError):
    """A spreadsheet cannot be read as a table at all. ``what`` (what is wrong) and ``fix``
    (what to do) are the two halves of the message, for a caller that words its own."""

    exit_code = ExitCode.FINDINGS

    def __init__(self, message: str, what: str = "", fix: str = "") -> None:
        super().__init__(message)
        self.what = what or message
        self.fix = fix


class NewFileRefused(AscreadyError):
    """``ascready new``: the new file would not pass ``ascready validate``; nothing was
    written. ``findings`` are the errors (:class:`~ascready.findings.Finding` values)."""

    exit_code = ExitCode.FINDINGS

    def __init__(self, message: str, findings: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.findings: tuple[Any, ...] = tuple(findings)


class ImportRefused(AscreadyError):
    """``ascready import`` or ``import-metrics``: the file, the mapping or the flags' files
    cannot be imported, or the files would not pass validate; nothing was written.
    ``findings`` are the errors behind the refusal, when it comes from the checks."""

    exit_code = ExitCode.FINDINGS

    def __init__(self, message: str, findings: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.findings: tuple[Any, ...] = tuple(findings)


class RegisterError(AscreadyError):
    """The repository cannot be exported as it is; nothing was written."""

    exit_code = ExitCode.FINDINGS


class TargetFolderError(AscreadyError):
    """``ascready init``: the target is a file, or a folder that is not empty without
    --into-existing."""


class ScaffoldWriteError(AscreadyError):
    """``ascready init``: the operating system refused a write part-way through."""

    def __init__(self, message: str, written: list[str]) -> None:
        super().__init__(message)
        self.written = written


class GitError(AscreadyError):
    """git is missing, the folder is not in a git repository, or a ref cannot be read."""


class TemplateError(AscreadyError):
    """A template could not be read or rendered: the message names the file and line."""


class OutputPathError(AscreadyError):
    """``--out`` or ``--pack`` names something ascready never writes over: a folder (for a
    file), a device, a pipe or a socket, or a folder that is not a pack it made."""


class PdfError(AscreadyError):
    """``render --format pdf``: LibreOffice, which turns the Word file into the PDF, is not
    installed, failed or took too long; nothing was written."""

    exit_code = ExitCode.FINDINGS
