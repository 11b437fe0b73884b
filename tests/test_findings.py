"""Places in a file, in the words a council officer uses (not 'strengths.0.evidence.0')."""

from __future__ import annotations

import pytest

from ascready.findings import Loc, describe_location


@pytest.mark.parametrize(
    ("loc", "words"),
    [
        ((), "the file"),
        (("title",), "'title'"),
        (("strengths", 0), "the first strength"),
        (("strengths", 0, "evidence"), "the first strength's 'evidence'"),
        (("strengths", 0, "evidence", 0), "the first entry in the first strength's 'evidence'"),
        (("areas_for_improvement", 1, "actions"), "the second area for improvement's 'actions'"),
        (("progress", 0, "note"), "the first progress update's 'note'"),
        (("portal_uploaders", 2, "role"), "the third portal uploader's 'role'"),
        (("quality_statements", 1), "the second quality statement"),
        (("information_return", 0), "the first entry in 'information_return'"),
        (("comparators", "england"), "'england' in 'comparators'"),
        (("dates", "information_return_due"), "'information_return_due' in 'dates'"),
        (("evidence_categories", 0, "applied"), "the first evidence category's 'applied'"),
    ],
)
def test_a_location_reads_as_english(loc: Loc, words: str) -> None:
    assert describe_location(loc) == words


def test_ordinals_for_the_first_ten_then_numbers_counted_from_one() -> None:
    assert describe_location(("strengths", 9)) == "the tenth strength"
    assert describe_location(("strengths", 10)) == "strength 11"
    assert describe_location(("strengths", 11, "text")) == "'text' in strength 12"
    assert describe_location(("categories", 4)) == "the fifth category"
    assert describe_location(("information_return", 12)) == "entry 13 in 'information_return'"


def test_a_named_entry_under_a_key_is_not_given_a_possessive_it_cannot_take() -> None:
    # "the first scoring method in 'scoring''s 'name'" would be nonsense.
    assert describe_location(("scoring", "methods", 0, "name")) == (
        "'name' in the first scoring method in 'scoring'"
    )
    assert describe_location(("allow", 0, "x")) == "'x' in the first entry in 'allow'"


def test_a_problem_with_a_mapping_key_itself_says_so() -> None:
    # Pydantic marks an error in a mapping's key (not its value) with '[key]'.
    assert describe_location(("category_scores", "procesess", "[key]")) == (
        "the key 'procesess' in 'category_scores'"
    )


def test_a_file_that_is_a_list_names_its_entries() -> None:
    assert describe_location((0,)) == "the first entry in the file"
    assert describe_location((1, "id")) == "'id' in the second entry in the file"


@pytest.mark.parametrize(
    "loc",
    [
        ("strengths", 3, "related_quality_statements", 1),
        ("areas_for_improvement", 0, "presented_under"),
        ("review_policy", "stale_after_months"),
        ("personal_data", "allow", 0),
        ("themes", 0, "aliases", 2),
    ],
)
def test_every_key_stays_visible_so_it_can_be_found_in_the_file(loc: Loc) -> None:
    words = describe_location(loc)
    named = {"strengths": "strength", "areas_for_improvement": "area for improvement"}
    named["themes"] = "theme"
    for part in loc:
        if isinstance(part, str):
            assert named.get(part, f"'{part}'") in words
    assert "." not in words  # no programmer's dotted path
