"""A quote or feedback item with no summary: the warning says what the document really does."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ascready.cli import app

MakeRepo = Callable[..., Path]

ITEM = """\
id: EV-009
title: Feedback from the listening events
{summary}kind: {kind}
categories: [people's experience]
quality_statements: [QS1]
attribution: Carers at the autumn events
as_of: 2026-10-15
classification: public
"""


def _warnings(runner: CliRunner, root: Path) -> list[dict[str, object]]:
    result = runner.invoke(app, ["validate", str(root), "--format", "json"])
    assert result.exit_code == 0, result.output
    return [f for f in json.loads(result.stdout) if f["check"] == "quote-without-summary"]


def _what_people_say(runner: CliRunner, root: Path) -> str:
    result = runner.invoke(app, ["render", str(root), "--format", "md"])
    assert result.exit_code == 0, result.output
    # Only QS1 has quotes in this repository: its "What people say" runs to the next heading.
    if "#### What people say" not in result.stdout:
        return ""
    return result.stdout.split("#### What people say", 1)[1].split("\n#", 1)[0]


@pytest.mark.parametrize("kind", ["quote", "feedback"])
@pytest.mark.parametrize("summary", ["", 'summary: ""\n'])
def test_an_item_without_summary_is_warned_of_and_is_indeed_left_out(
    runner: CliRunner, make_repo: MakeRepo, kind: str, summary: str
) -> None:
    root = make_repo({"evidence/EV-009.yaml": ITEM.format(summary=summary, kind=kind)})
    [found] = _warnings(runner, root)
    assert found["file"] == "evidence/EV-009.yaml"
    assert found["severity"] == "warning"
    assert "What people say" in str(found["message"])
    assert found["line"] == 3  # at summary when written, else at kind (the next line)
    assert "listening events" not in _what_people_say(runner, root)
    # Following the hint puts it in the document, and the warning goes.
    (root / "evidence/EV-009.yaml").write_text(
        ITEM.format(summary="summary: They felt listened to.\n", kind=kind), encoding="utf-8"
    )
    assert _warnings(runner, root) == []
    assert "They felt listened to" in _what_people_say(runner, root)


def test_other_kinds_of_evidence_need_no_summary(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo({"evidence/EV-009.yaml": ITEM.format(summary="", kind="survey")})
    assert _warnings(runner, root) == []
