"""The personal-data scan, value by value."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ascready.checks.personal_data import (
    allowed_set,
    mask,
    may_hold_personal_data,
    nhs_number_valid,
    scan,
    scan_document,
)
from ascready.repository import yamlsafe

NONE: frozenset[str] = frozenset()


def _checks(text: str, allowed: frozenset[str] = NONE) -> list[str]:
    return sorted(h.check for h in scan(text, allowed))


@pytest.mark.parametrize("number", ["9434765919", "4010232137", "9990000026"])
def test_valid_nhs_numbers_pass_the_modulus_11_check(number: str) -> None:
    assert nhs_number_valid(number)


@pytest.mark.parametrize("number", ["9434765918", "1234567890", "0000000000", "943476591"])
def test_invalid_nhs_numbers_fail_it(number: str) -> None:
    assert not nhs_number_valid(number)


@pytest.mark.parametrize("text", ["NHS 943 476 5919", "nhs no: 943-476-5919", "(9434765919)"])
def test_nhs_numbers_in_text(text: str) -> None:
    assert _checks(text) == ["nhs-number"]


@pytest.mark.parametrize(
    "text",
    [
        "NHS 943 476 5918",  # wrong check digit
        "Budget £9,434,765,919 over five years",
        "3.9434765919 per cent",
        "See https://www.example.gov.uk/docs/9434765919",
    ],
)
def test_numbers_that_are_not_nhs_numbers(text: str) -> None:
    assert "nhs-number" not in _checks(text)


@pytest.mark.parametrize("text", ["NI AB123456C", "ni: ab 12 34 56 c", "JH 65 43 21 A"])
def test_national_insurance_numbers(text: str) -> None:
    assert _checks(text) == ["ni-number"]


@pytest.mark.parametrize("text", ["QQ123456C", "GB123456A", "AB123456E"])
def test_not_national_insurance_numbers(text: str) -> None:
    assert "ni-number" not in _checks(text)


def test_emails_unless_allowed() -> None:
    assert _checks("write to jo.bloggs@gmail.com") == ["email-address"]
    allowed = allowed_set(["Adults@Council.example"])
    assert _checks("write to adults@council.example", allowed) == []
    assert _checks("write to someone.else@council.example", allowed) == ["email-address"]


@pytest.mark.parametrize(
    "text", ["ring 07700 900123", "tel: 01632 960 001", "call +44 (0)1632 960001", "0161-496-0000"]
)
def test_phone_numbers(text: str) -> None:
    assert _checks(text) == ["phone-number"]


def test_allowed_phone_number_in_any_spacing() -> None:
    assert _checks("ring (01632) 960000", allowed_set(["01632 960000"])) == []


@pytest.mark.parametrize(
    "text",
    ["lives at 12 Acacia Avenue, Bath BA1 2AB", "Flat 3, Mill House, Leeds LS1 4AP"],
)
def test_home_addresses(text: str) -> None:
    assert _checks(text) == ["home-address"]


@pytest.mark.parametrize(
    "text",
    [
        "Council offices, Guildhall, High Street, Bath BA1 5AW",
        "Waiting list fell from 400 to 250 in BA1",
        "12 people in Bath",
    ],
)
def test_not_home_addresses(text: str) -> None:
    assert "home-address" not in _checks(text)


@pytest.mark.parametrize(
    "text",
    ["DOB: 12/03/1945", "d.o.b. 1945-03-12", "born on 3 March 1950", "Date of birth 3rd Jan 1950"],
)
def test_dates_of_birth(text: str) -> None:
    assert _checks(text) == ["date-of-birth"]


@pytest.mark.parametrize(
    "text", ["Reviewed on 12/03/2026", "Born in Bath, she moved in 1990", "as of 2026-03-31"]
)
def test_other_dates_are_fine(text: str) -> None:
    assert _checks(text) == []


def test_masking_keeps_only_the_last_two_characters() -> None:
    assert mask("943 476 5919") == "********19"
    assert "bloggs" not in mask("jo.bloggs@gmail.com")


FRAGMENTS = [
    "943 476 5919",
    "9434765919",
    "943-476-5919",
    "AB 12 34 56 C",
    "jo@x.example",
    "07700 900123",
    "+44 (0)1632 960001",
    "12 Acacia Avenue, Bath BA1 2AB",
    "DOB: 12/03/1945",
    "born on 3 March 1950",
    "as of 2026-03-31",
    "waited 12 days",
    "QS4",
    "Flat 3, Leeds LS1 4AP",
    " ",
    "carer",
    "\n",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=8), st.integers(min_value=8, max_value=40))
def test_file_prefilter_never_hides_a_finding(parts: list[str], width: int) -> None:
    """Whatever the text and however YAML folds it over lines, a file whose values hold
    personal data always passes the whole-file prefilter."""
    text = " ".join(parts).replace("\n", " ")
    folded = textwrap.fill(text, width) or "x"
    raw = ("summary: >-\n" + textwrap.indent(folded, "  ") + "\n").encode()
    data, problems = yamlsafe.parse_bytes(raw)
    assume(data is not None and not problems)
    if scan_document(data, "evidence", NONE):
        assert may_hold_personal_data(raw)


MIB = 1 << 20


@pytest.mark.parametrize(
    "filler",
    [
        pytest.param("a" * (MIB - 64), id="one long word"),
        pytest.param("9f" * (MIB // 2 - 32), id="a pasted hash"),
        pytest.param("https://example.org/" + "a" * (MIB - 90), id="a long link"),
        pytest.param("a." * (MIB // 2 - 32), id="a long dotted name"),
    ],
)
def test_a_mebibyte_of_adversarial_text_is_scanned_whole(filler: str) -> None:
    """Each pattern is linear in the text: a megabyte that used to cost about half an hour
    (a match tried from every character of a long word) is scanned, and what follows it is
    still found."""
    text = f"{filler} then write to jo.bloggs@example.com or call 01632 960 123"
    found = {hit.check for hit in scan(text, frozenset())}
    assert found == {"email-address", "phone-number"}
