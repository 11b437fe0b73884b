"""A repository check is declared by its id and severity; its docstring gives its summary."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ascready.checks.base import Check, CheckContext, CheckList
from ascready.findings import Finding, Severity


def test_the_summary_is_the_first_paragraph_of_the_docstring_on_one_line() -> None:
    checks = CheckList()

    @checks.repository("example-check", Severity.WARNING)
    def example(ctx: CheckContext, check: Check) -> Iterator[Finding]:
        """Something a council should look at, said over
        two lines.

        More about it, for the reader of the code only.
        """
        yield from ()

    [check] = checks
    assert check.id == "example-check"
    assert check.severity is Severity.WARNING
    assert check.stage == "repository"
    assert check.summary == "Something a council should look at, said over two lines."
    assert check.function is example


def test_a_check_without_a_docstring_is_refused_when_it_is_declared() -> None:
    checks = CheckList()
    with pytest.raises(TypeError, match="undocumented has no docstring"):

        @checks.repository("undocumented", Severity.ERROR)
        def undocumented(ctx: CheckContext, check: Check) -> Iterator[Finding]:
            yield from ()
