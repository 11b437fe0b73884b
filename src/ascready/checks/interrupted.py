"""A write into the repository that was interrupted part way (see :mod:`ascready.io.writing`)."""

from __future__ import annotations

from collections.abc import Iterator

from ascready.checks.base import Check, CheckContext, CheckList
from ascready.findings import Finding, Severity
from ascready.io.recovery import interrupted_writes, writing_now

CHECKS = CheckList()


@CHECKS.repository("interrupted-write", Severity.ERROR)
def interrupted_write(ctx: CheckContext, check: Check) -> Iterator[Finding]:
    """An import (or another command that writes) was interrupted part way, so the repository
    holds only part of what it was writing."""
    root = ctx.project.root
    found = interrupted_writes(root)
    if not found:
        return
    if writing_now(root):
        for write in found:
            yield check.finding(
                f"{write.command} is writing into this repository right now "
                f"({write.present} of {write.files} files so far)",
                "Wait for it to finish, then run ascready validate again.",
                write.journal,
            )
        return
    for write in found:
        when = f" (started {write.started})" if write.started else ""
        yield check.finding(
            f"{write.command}{when} was interrupted before it finished: the repository holds "
            f"{write.present} of the {write.files} files it was writing, so it is only part "
            "imported",
            "Run the same command again: before it does anything else it puts the repository "
            "back as it was before the interrupted run (any ascready import, import-metrics or "
            "new does this first), then runs in full. Do not commit until then.",
            write.journal,
        )
