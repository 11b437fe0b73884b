"""Formatters: a Report in, text out. Nothing here prints."""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import groupby
from typing import TYPE_CHECKING

from ascready.findings import Finding, Report, Severity

if TYPE_CHECKING:
    from rich.console import RenderableType

FORMATS = ("text", "json", "github", "gitlab")


def summary_line(report: Report) -> str:
    if not report.findings:
        return f"No problems found in {report.files_checked} files."
    parts = []
    if report.errors:
        parts.append(f"{report.errors} error{'s' if report.errors != 1 else ''}")
    if report.warnings:
        parts.append(f"{report.warnings} warning{'s' if report.warnings != 1 else ''}")
    files = len({f.file for f in report.findings})
    return (
        f"{' and '.join(parts)} in {files} of {report.files_checked} "
        f"file{'s' if report.files_checked != 1 else ''}."
    )


def _position(f: Finding, prefix: str = "") -> str:
    where = f"{prefix}{f.file}"
    if f.line:
        where += f":{f.line}"
        if f.column:
            where += f":{f.column}"
    return where


def render_text(report: Report, prefix: str = "") -> RenderableType:
    """A Rich renderable: findings grouped by file, each with its fix, then a summary line."""
    from rich.console import Group
    from rich.text import Text

    parts: list[RenderableType] = []
    for file, group in groupby(report.findings, key=lambda f: f.file):
        parts.append(Text(f"{prefix}{file}", style="bold underline"))
        for f in group:
            style = "red" if f.severity is Severity.ERROR else "yellow"
            line = Text("  ")
            line.append(_position(f, prefix), style="cyan")
            line.append("  ")
            line.append(f.severity.value, style=f"bold {style}")
            line.append(f" [{f.check}] ", style="dim")
            line.append(f.message)
            parts.append(line)
            if f.hint:
                parts.append(Text(f"      fix: {f.hint}", style="green"))
        parts.append(Text(""))
    style = "bold red" if report.errors else ("bold yellow" if report.warnings else "bold green")
    parts.append(Text(summary_line(report), style=style))
    return Group(*parts)


def render_json(report: Report) -> str:
    return json.dumps([f.to_dict() for f in report.findings], indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report, prefix: str = "") -> str:
    """GitHub Actions workflow commands, one annotation per finding."""
    lines = []
    for f in report.findings:
        props = [f"file={_escape_property(prefix + f.file)}"]
        if f.line:
            props.append(f"line={f.line}")
        if f.column:
            props.append(f"col={f.column}")
        props.append(f"title={_escape_property(f.check)}")
        message = f.message + (f". Fix: {f.hint}" if f.hint else "")
        lines.append(f"::{f.severity.value} {','.join(props)}::{_escape_data(message)}")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def render_gitlab(report: Report, prefix: str = "") -> str:
    """A GitLab Code Quality report, shown in the merge request's widget.

    The fingerprint leaves out the line, so a problem that only moved is not reported as new.
    """
    import hashlib

    issues = []
    for f in report.findings:
        path = prefix + f.file
        key = f"{path}\0{f.check}\0{f.message}".encode()
        issues.append(
            {
                "description": f.message + (f". Fix: {f.hint}" if f.hint else ""),
                "check_name": f.check,
                "fingerprint": hashlib.sha256(key).hexdigest(),
                "severity": "major" if f.severity is Severity.ERROR else "minor",
                "location": {"path": path, "lines": {"begin": f.line or 1}},
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def check_table(checks: Iterable[tuple[str, str, str, str]]) -> RenderableType:
    from rich.table import Table

    table = Table("check", "severity", "stage", "what it finds", box=None, show_edge=False)
    for row in checks:
        table.add_row(*row)
    return table
