"""How schema errors are worded: the fix a message suggests must itself be right."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from ascready.cli import app

MakeRepo = Callable[..., Path]


def _findings(runner: CliRunner, root: Path) -> list[dict[str, object]]:
    result = runner.invoke(app, ["validate", str(root), "--format", "json"])
    return list(json.loads(result.stdout))


def test_text_with_commas_where_a_list_belongs_gets_the_list_it_meant(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    rating = (Path(__file__).parents[1] / "fixtures/base/ratings/QS1.yaml").read_text("utf-8")
    broken = rating.replace("evidence: [EV-001, EV-002]", "evidence: EV-001, EV-002")
    assert broken != rating
    root = make_repo({"ratings/QS1.yaml": broken})
    [found] = _findings(runner, root)
    assert found["check"] == "wrong-type"
    hint = str(found["hint"])
    assert "evidence: [EV-001, EV-002]" in hint
    assert "['EV-001, EV-002']" not in hint  # one text in a list is still wrong
    # Following the hint makes the file valid again.
    suggested = re.search(r"evidence: \[[^\]]*\]", hint)
    assert suggested is not None
    (root / "ratings/QS1.yaml").write_text(
        broken.replace("evidence: EV-001, EV-002", suggested[0]), encoding="utf-8"
    )
    assert _findings(runner, root) == []


def test_each_item_of_the_suggested_list_reads_back_as_written(
    runner: CliRunner, make_repo: MakeRepo
) -> None:
    evidence = (
        "id: EV-009\ntitle: A survey\nkind: survey\nclassification: public\n"
        "categories: processes, people's experience\nquality_statements: QS1, Assessing needs\n"
    )
    root = make_repo({"evidence/EV-009.yaml": evidence})
    hints = {str(f["hint"]) for f in _findings(runner, root) if f["check"] == "wrong-type"}
    fixed = evidence
    for key in ("categories", "quality_statements"):
        [hint] = [h for h in hints if f"{key}: [" in h]
        suggested = re.search(rf"{key}: \[[^\]]*\]", hint)
        assert suggested is not None
        fixed = re.sub(rf"^{key}: .*$", suggested[0], fixed, flags=re.M)
    assert "quality_statements: [QS1, Assessing needs]" in fixed
    (root / "evidence/EV-009.yaml").write_text(fixed, encoding="utf-8")
    assert _findings(runner, root) == []
