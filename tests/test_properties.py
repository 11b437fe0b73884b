"""Property-based: no text or bytes whatsoever makes the reader or the loader raise."""

from __future__ import annotations

import json
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ascready.cli import app
from ascready.repository import yamlsafe
from tests.conftest import BASE

YAMLISH = st.lists(
    st.sampled_from(
        [*"abcQS01234-:[]{},&*!|>'\"#?@%\n\t ~.\\", "\r\n", "é", "\ufeff", "id: ", "- "]
    ),
    max_size=120,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(YAMLISH)
def test_reader_never_raises_on_yamlish_text(text: str) -> None:
    data, problems = yamlsafe.parse_text(text)
    assert data is None or not any(p.check == "yaml-syntax" for p in problems)
    for p in problems:
        assert p.message and p.hint and p.line >= 0


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_reader_never_raises_on_bytes(raw: bytes) -> None:
    yamlsafe.parse_bytes(raw)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_reader_never_raises_on_any_unicode(text: str) -> None:
    yamlsafe.parse_text(text)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    content=st.one_of(YAMLISH.map(str.encode), st.binary(max_size=200)),
    folder=st.sampled_from(["evidence", "ratings", "actions", "information-return"]),
)
def test_whole_validation_never_raises(
    tmp_path_factory: pytest.TempPathFactory, content: bytes, folder: str
) -> None:
    root = tmp_path_factory.mktemp("repo") / "repo"
    shutil.copytree(BASE, root)
    (root / folder / "fuzzed.yaml").write_bytes(content)
    result = CliRunner().invoke(app, ["validate", str(root), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    findings = json.loads(result.stdout)
    assert all(f["file"] and f["line"] >= 1 for f in findings)
    assert result.exit_code == (1 if any(f["severity"] == "error" for f in findings) else 0)
