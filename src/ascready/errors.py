"""Errors that stop a command from running at all.

Problems in a council's YAML are never raised: they are :class:`~ascready.findings.Finding`
values. These exceptions mean "cannot run" (no repository, unreadable configuration) and the
CLI turns them into a message on stderr and an exit code.
"""

from __future__ import annotations

from enum import IntEnum


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
