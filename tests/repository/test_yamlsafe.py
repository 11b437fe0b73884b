"""The guarded YAML reader: each hazard a council's files can hold, at the unit level."""

from __future__ import annotations

import pytest

from ascready.repository import yamlsafe
from ascready.repository.yamlsafe import parse_bytes, parse_text


def _checks(raw: bytes) -> list[str]:
    return [p.check for p in parse_bytes(raw)[1]]


def test_yaml_1_1_words_and_numbers_stay_as_written() -> None:
    data, problems = parse_text("id: 010\ntitle: no\nwait: 1:30\nat: 12:30:45\nv: 1.10\nflag: on\n")
    assert problems == []
    assert data == {
        "id": "010",
        "title": "no",
        "wait": "1:30",
        "at": "12:30:45",
        "v": 1.1,
        "flag": "on",
    }


def test_core_schema_values_are_typed() -> None:
    data, _ = parse_text("a: true\nb: False\nc: 12\nd: -3\ne: 2.5\nf: null\ng: ~\nh:\n")
    assert data == {
        "a": True,
        "b": False,
        "c": 12,
        "d": -3,
        "e": 2.5,
        "f": None,
        "g": None,
        "h": None,
    }


def test_dates_stay_text_for_the_models_to_check() -> None:
    data, problems = parse_text("as_of: 2024-02-30\n")
    assert data == {"as_of": "2024-02-30"} and problems == []


def test_explicit_timestamp_tag_with_impossible_date_is_a_problem_not_a_crash() -> None:
    _, problems = parse_text("a: !!timestamp 2024-02-30\n")
    assert [(p.check, p.line) for p in problems] == [("bad-date", 1)]


def test_every_duplicate_key_is_reported_with_its_line() -> None:
    _, problems = parse_text("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n")
    assert sorted((p.check, p.line, p.column) for p in problems) == [
        ("duplicate-key", 4, 3),
        ("duplicate-key", 5, 1),
    ]


def test_merge_keys_are_not_duplicates() -> None:
    data, problems = parse_text("base: &b {x: 1, y: 1}\nitem:\n  <<: *b\n  y: 2\n")
    assert problems == [] and data["item"] == {"x": 1, "y": 2}


def test_alias_bomb_is_refused_before_anything_expands_it() -> None:
    levels = ["a0: &a0 [" + ", ".join(["x"] * 10) + "]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    data, problems = parse_text("\n".join(levels) + "\n")
    assert data is None
    assert [p.check for p in problems] == ["alias-bomb"]


def test_a_few_aliases_are_fine() -> None:
    data, problems = parse_text("a: &x [1, 2]\nb: *x\nc: *x\n")
    assert problems == [] and data == {"a": [1, 2], "b": [1, 2], "c": [1, 2]}


def test_recursive_alias_is_refused() -> None:
    _, problems = parse_text("a: &a [1, *a]\n")
    assert [p.check for p in problems] == ["alias-bomb"]


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,  # crashes libyaml's recursive composer if not guarded
        "a: " + "{b: " * 70 + "1" + "}" * 70 + "\n",
        "- " * 500 + "x\n",
        "".join(" " * i + f"k{i}:\n" for i in range(80)) + " " * 80 + "v\n",
    ],
    ids=["brackets", "flow-mappings", "compact-lists", "block-mappings"],
)
def test_deep_nesting_is_refused_without_crashing(text: str) -> None:
    data, problems = parse_text(text)
    assert data is None and [p.check for p in problems] == ["too-deep"]


def test_nesting_at_the_limit_is_accepted() -> None:
    depth = yamlsafe.MAX_DEPTH
    data, problems = parse_text("[" * depth + "]" * depth)
    assert problems == [] and data is not None


def test_huge_file_is_refused_unread() -> None:
    raw = b"a: " + b"x" * (yamlsafe.MAX_FILE_BYTES + 1) + b"\n"
    assert _checks(raw) == ["file-too-large"]


def test_utf8_bom_and_crlf_are_accepted_and_lines_still_count() -> None:
    raw = b"\xef\xbb\xbfa: 1\r\nb: |\r\n  one\r\n  two\r\na: 2\r\n"
    data, problems = parse_bytes(raw)
    assert data == {"a": 2, "b": "one\ntwo\n"}
    assert [(p.check, p.line) for p in problems] == [("duplicate-key", 5)]


def test_non_utf8_reports_line_and_column_of_the_bad_byte() -> None:
    _, problems = parse_bytes("a: 1\nb: Caf\xe9\n".encode("cp1252"))
    assert [(p.check, p.line, p.column) for p in problems] == [("encoding", 2, 7)]


def test_utf16_is_named_as_such() -> None:
    _, problems = parse_bytes("a: 1\n".encode("utf-16"))
    assert problems[0].check == "encoding" and "UTF-16" in problems[0].message


@pytest.mark.parametrize("raw", [b"", b"   \n\n", b"# only a comment\n", b"---\n", b"--- ~\n"])
def test_empty_files(raw: bytes) -> None:
    data, problems = parse_bytes(raw)
    assert data is None and [p.check for p in problems] == ["empty-file"]


def test_multiple_documents_are_one_problem() -> None:
    _, problems = parse_text("a: 1\n---\nb: 2\n")
    assert [p.check for p in problems] == ["yaml-syntax"]
    assert "more than one YAML document" in problems[0].message


def test_python_tags_are_refused() -> None:
    _, problems = parse_text("a: !!python/object/apply:os.system ['true']\n")
    assert [p.check for p in problems] == ["yaml-syntax"]


def test_syntax_error_is_plain_english_with_position() -> None:
    _, problems = parse_text("title: A policy\n  kind: policy\n")
    (problem,) = problems
    assert (problem.line, problem.column) == (2, 7)
    assert "colon" in problem.message and "quotes" in problem.hint


def test_locate_finds_keys_items_and_falls_back_to_the_parent() -> None:
    text = "a: 1\nb:\n  - x\n  - y: 2\n    z: 3\n"
    assert yamlsafe.locate(text, ("b", 1, "z")) == (5, 5)
    assert yamlsafe.locate(text, ("b", 0)) == (3, 5)
    assert yamlsafe.locate(text, ("b", 7)) == (2, 1)
    assert yamlsafe.locate(text, ("missing",)) == (1, 1)


def test_the_c_parser_is_used_where_available() -> None:
    import yaml

    assert yaml.__with_libyaml__ == yamlsafe.WITH_LIBYAML


HAZARDS = {
    "a: 1\na: 2\n": ["duplicate-key"],
    "a: &x 1\nb: *x\nb: 2\n": ["duplicate-key"],  # through PyYAML's constructor (aliases)
    "a: &a [1, *a]\n": ["alias-bomb"],
    "[" * 3000 + "]" * 3000: ["too-deep"],
    "a: !!timestamp 2024-02-30\n": ["bad-date"],
    "a: 1\n---\nb: 2\n": ["yaml-syntax"],
    "a:\n\t- b\n": ["yaml-syntax"],
    "# nothing\n": ["empty-file"],
}


@pytest.mark.parametrize("pure_python", [False, True], ids=["libyaml", "pure-python"])
@pytest.mark.parametrize("text", list(HAZARDS), ids=range(len(HAZARDS)))
def test_both_parsers_guard_the_same_hazards(text: str, pure_python: bool) -> None:
    _, problems = parse_text(text, pure_python=pure_python)
    assert [p.check for p in problems] == HAZARDS[text]


@pytest.mark.parametrize("pure_python", [False, True], ids=["libyaml", "pure-python"])
def test_both_parsers_give_the_same_data(pure_python: bool) -> None:
    text = "id: 010\ntitle: no\nn: 3\nf: 1.5\nb: true\nz: ~\nl: [a, {b: c}]\nd: 2026-01-01\n"
    data, problems = parse_text(text, pure_python=pure_python)
    assert problems == []
    assert data == {
        "id": "010",
        "title": "no",
        "n": 3,
        "f": 1.5,
        "b": True,
        "z": None,
        "l": ["a", {"b": "c"}],
        "d": "2026-01-01",
    }
