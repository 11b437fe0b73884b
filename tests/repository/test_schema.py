"""The JSON Schemas in schemas/ are generated from the models and must not go stale."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ascready.cli import app
from ascready.repository.schema import SCHEMAS, schema_documents, stale_schemas
from tests.conftest import REPO_ROOT


def test_checked_in_schemas_are_up_to_date() -> None:
    assert stale_schemas(REPO_ROOT / "schemas") == [], "run: make schemas"


def test_one_schema_per_document_kind_forbidding_unknown_keys() -> None:
    docs = schema_documents()
    assert set(docs) == set(SCHEMAS)
    evidence = json.loads(docs["evidence-item.schema.json"])
    assert evidence["additionalProperties"] is False
    assert {"id", "title", "kind", "categories", "quality_statements", "classification"} <= set(
        evidence["required"]
    )


def test_schema_command_refuses_to_overwrite_changed_files(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "schemas"
    assert runner.invoke(app, ["schema", "--out", str(out)]).exit_code == 0
    assert runner.invoke(app, ["schema", "--out", str(out), "--check"]).exit_code == 0
    (out / "rating.schema.json").write_text("{}", encoding="utf-8")
    stale = runner.invoke(app, ["schema", "--out", str(out), "--check"])
    assert stale.exit_code == 1 and "rating.schema.json" in stale.stderr
    refused = runner.invoke(app, ["schema", "--out", str(out)])
    assert refused.exit_code == 2 and "--force" in refused.stderr
    assert (out / "rating.schema.json").read_text(encoding="utf-8") == "{}"
    assert runner.invoke(app, ["schema", "--out", str(out), "--force"]).exit_code == 0
    assert stale_schemas(out) == []
