"""What the user typed on the command line, read as the repository means it.

Each function reads one flag's values: a framework term (a quality statement given as
``QS3``, ``3``, a slug or its title), one of a closed list of values, a date. A value that
cannot be used is added to :class:`FlagProblems` with a suggestion, so that every problem
with the flags is reported at once (exit 2) before anything is checked or written.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ascready.authoring.files import line
from ascready.checks.personal_data import mask, scan
from ascready.errors import AscreadyError
from ascready.findings import article
from ascready.repository.dates import DateError, parse_date
from ascready.repository.framework import Framework, Term, normalise


class FlagProblems:
    """Problems with the flags, all collected, then raised at once (exit 2)."""

    def __init__(self, allowed: frozenset[str]) -> None:
        self.lines: list[str] = []
        self.allowed = allowed

    def add(self, flag: str, message: str, hint: str) -> None:
        self.lines.append(line(flag, message, hint))

    def shown(self, value: str) -> str:
        """A value quoted for a message, masked if it looks like personal data."""
        return f"'{mask(value)}'" if scan(value, self.allowed) else f"'{value}'"

    def raise_if_any(self) -> None:
        if len(self.lines) == 1:
            raise AscreadyError(f"{self.lines[0]} Nothing was written.")
        if self.lines:
            raise AscreadyError(
                f"{len(self.lines)} problems with the flags; nothing was written.\n  "
                + "\n  ".join(self.lines)
            )


def suggest(word: str, options: Iterable[str]) -> str | None:
    """The closest option to ``word``, ignoring case, spacing and punctuation."""
    by_norm: dict[str, str] = {}
    for option in options:
        by_norm.setdefault(normalise(option), option)
    key = normalise(word) or word.casefold()
    found = difflib.get_close_matches(key, list(by_norm), n=1, cutoff=0.6)
    return by_norm[found[0]] if found else None


def known(values: Sequence[str], limit: int = 12) -> str:
    return ", ".join(values[:limit]) + ("…" if len(values) > limit else "")


def unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def terms(
    problems: FlagProblems,
    flag: str,
    values: Sequence[str],
    what: str,
    resolve: Callable[[str], str | None],
    options: Sequence[str],
    known: str,
    describe: Callable[[str], str] = lambda canonical: f"'{canonical}'",
) -> list[str]:
    """Canonical ids for framework terms; each unknown one is a problem with a suggestion."""
    out: list[str] = []
    for value in values:
        canonical = resolve(value)
        if canonical is not None:
            out.append(canonical)
            continue
        guess = suggest(value, options)
        guessed = resolve(guess) if guess is not None else None
        hint = f"Did you mean {describe(guessed)}? " if guessed else ""
        problems.add(
            flag,
            f"{problems.shown(value)} is not {article(what)} {what} in this repository's framework",
            f"{hint}Known: {known}.",
        )
    return unique(out)


def _resolver(fw: Framework, term: Term) -> Callable[[str], str | None]:
    """The framework's one vocabulary for a kind of term, as every command reads it."""
    return lambda text: fw.resolve(term, text)


def quality_statements(
    problems: FlagProblems, fw: Framework, flag: str, values: Sequence[str]
) -> list[str]:
    qs = fw.quality_statements
    return terms(
        problems,
        flag,
        values,
        "quality statement",
        _resolver(fw, Term.QUALITY_STATEMENT),
        [q.id for q in qs] + [q.slug for q in qs] + [q.title for q in qs],
        f"{known([q.id for q in qs])} (or a number, slug or title, e.g. {qs[0].number}, "
        f"{qs[0].slug} or '{qs[0].title}')",
        lambda canonical: f"'{canonical}' ({fw.quality_statement_by_id[canonical].title})",
    )


def categories(
    problems: FlagProblems, fw: Framework, flag: str, values: Sequence[str]
) -> list[str]:
    cats = fw.evidence_categories
    before = len(problems.lines)
    found = terms(
        problems,
        flag,
        values,
        "evidence category",
        _resolver(fw, Term.CATEGORY),
        [c.id for c in cats] + [c.title for c in cats],
        known([c.id for c in cats if c.applied])
        + "".join(f", {c.id} (not used for local authorities)" for c in cats if not c.applied)
        + " (or their titles)",
    )
    all_known = len(problems.lines) == before
    if found and all_known and not any(fw.category_by_id[c].applied for c in found):
        names = ", ".join(f"'{c}'" for c in found)
        problems.add(
            flag,
            f"CQC does not use {names} for local authorities, so evidence filed only there "
            "counts towards no category",
            f"Give the category it informs as well: {known([c.id for c in cats if c.applied])}.",
        )
    return found


def duties(problems: FlagProblems, fw: Framework, flag: str, values: Sequence[str]) -> list[str]:
    return terms(
        problems,
        flag,
        values,
        "Care Act duty",
        _resolver(fw, Term.DUTY),
        [d.id for d in fw.care_act_duties] + [d.title for d in fw.care_act_duties],
        known([d.id for d in fw.care_act_duties]) + " (or a section, such as s42)",
    )


def expected_evidence(
    problems: FlagProblems, fw: Framework, flag: str, values: Sequence[str]
) -> list[str]:
    ids = fw.names_of(Term.EXPECTED)
    return terms(
        problems,
        flag,
        values,
        "expected-evidence id",
        _resolver(fw, Term.EXPECTED),
        [*ids, *(e.title for e in fw.expected_evidence)],
        known(ids) + " (see the framework's expected_evidence)",
    )


def read_choice(
    problems: FlagProblems, flag: str, value: str | None, allowed: Sequence[str]
) -> str:
    """One of ``allowed``, ignoring case and surrounding spaces."""
    if value is None:
        return ""
    for option in allowed:
        if value.strip().casefold() == option.casefold():
            return option
    guess = suggest(value, allowed)
    hint = f"Did you mean '{guess}'? " if guess else ""
    problems.add(
        flag,
        f"{problems.shown(value)} is not one of the allowed values",
        f"{hint}Allowed: {', '.join(allowed)}.",
    )
    return ""


def read_date(problems: FlagProblems, flag: str, value: str | None) -> dt.date | None:
    """A date as people type it (31/03/2027 or 2027-03-31, day before month), read as
    ``import`` reads a register's dates; the file gets it as YYYY-MM-DD."""
    if value is None:
        return None
    try:
        return parse_date(value)
    except DateError as e:
        problems.add(flag, f"{problems.shown(value)} {e.reason}", f"{e.hint}.")
        return None


def enum_values(enum: type[Any]) -> list[str]:
    return [str(member.value) for member in enum]
