"""What the register import tests share: a repository with only the example's profile, and a
mapping for a council's statements sheet."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import REPO_ROOT

#: A statements sheet with QS, Type, Statement and Theme columns.
STATEMENT_MAPPING = """\
sheets:
  - kind: statement
    columns:
      quality_statement: QS
      type: Type
      text: Statement
      presented_under: Theme
"""


def profile_only_repo(tmp_path: Path) -> Path:
    """A repository holding only the example council's ascready.yaml."""
    root = tmp_path / "repo"
    root.mkdir(exist_ok=True)
    shutil.copy(REPO_ROOT / "evidence" / "ascready.yaml", root / "ascready.yaml")
    return root
