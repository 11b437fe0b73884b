"""Formatters for ``ascready diff``: a Diff in, text out. Nothing here prints.

The Markdown is written to be posted as a pull-request comment: a short summary first, then
the details in collapsible sections, kept under GitHub's comment size limit.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

from ascready.analysis.diff.changes import (
    KIND_TITLES,
    Diff,
    FieldChange,
    ItemChange,
    Measure,
    StatementChange,
)
from ascready.findings import Finding
from ascready.output.markdown import code, code_block, details, escape, table
from ascready.output.words import ESTIMATE, ESTIMATE_SENTENCE, key_title, plural

FORMATS = ("text", "markdown", "json")
#: A hidden first line, so CI can find and update its earlier comment.
MARKER = "<!-- ascready-diff -->"
#: GitHub refuses comments over 65,536 characters; stay well below.
COMMENT_LIMIT = 60_000
#: Text longer than this (or on several lines) is shown as a line diff, not before and after.
LONG_TEXT = 100
TITLE = "ascready: what this change does to the evidence"
_T = TypeVar("_T")


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "none"
    text = f"{value:.1f}" if isinstance(value, float) else str(value)
    return f"{text}{unit}"


def _signed(delta: float | None, unit: str = "") -> str:
    if delta is None:
        return "new"
    if delta == 0:
        return "no change"
    text = f"{delta:+.1f}" if isinstance(delta, float) else f"{delta:+d}"
    return f"{text}{unit}"


def _value(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _is_long(change: FieldChange) -> bool:
    return any(
        isinstance(v, str) and (len(v) > LONG_TEXT or "\n" in v)
        for v in (change.before, change.after)
    )


def _sentences(text: str) -> list[str]:
    """Split text into lines and sentences, so a line diff of a narrative is readable."""
    out: list[str] = []
    for line in text.splitlines():
        out.extend(s for s in re.split(r"(?<=[.!?])\s+", line.strip()) if s)
    return out


def text_diff(before: Any, after: Any) -> list[str]:
    """'-' and '+' lines between two texts, sentence by sentence."""
    old = _sentences(before if isinstance(before, str) else "")
    new = _sentences(after if isinstance(after, str) else "")
    return [
        line
        for line in difflib.unified_diff(old, new, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def describe_field(change: FieldChange) -> str:
    """One line for a changed field: 'status: current -> superseded', or what a list gained."""
    if change.added or change.removed:
        parts = [f"+{v}" for v in change.added] + [f"-{v}" for v in change.removed]
        return f"{change.field}: {' '.join(parts)}"
    if _is_long(change):
        lines = text_diff(change.before, change.after)
        added = sum(1 for line in lines if line.startswith("+"))
        removed = len(lines) - added
        return f"{change.field}: rewritten ({plural(added, 'sentence')} added, {removed} removed)"
    return f"{change.field}: {_value(change.before)} -> {_value(change.after)}"


# --- summary ----------------------------------------------------------------------------------


def _action_summary(changes: list[ItemChange]) -> str:
    counts = Counter(c.change for c in changes)
    labels = Counter(label for c in changes for label in c.labels)
    moves = ("opened", "closed", "reopened")
    parts = [f"{labels[n]} {n}" for n in moves if labels[n]]
    other = sum(1 for c in changes if not set(moves) & set(c.labels))
    if counts["removed"]:
        parts.append(f"{counts['removed']} removed")
        other -= counts["removed"]
    if other:
        parts.append(f"{other} otherwise changed")
    return ", ".join(parts)


def _rating_change(c: ItemChange) -> str:
    if c.change in ("added", "removed"):
        return f"{c.key} {c.change}"
    score = next((f for f in c.fields if f.field == "self_score"), None)
    if score:
        return f"{c.key} self-score {_value(score.before)} -> {_value(score.after)}"
    bits = Counter(f"{s.kind} {s.change}" for s in c.statements)
    what = [f"{k} x{n}" if n > 1 else k for k, n in sorted(bits.items())]
    extra = [f.field for f in c.fields]
    return f"{c.key}: {', '.join([*what, *extra]) or 'changed'}"


def _rating_summary(changes: list[ItemChange]) -> str:
    return "; ".join(_rating_change(c) for c in changes)


def _return_summary(changes: list[ItemChange]) -> str:
    moved = [c for c in changes if "status moved" in c.labels]
    rest = len(changes) - len(moved)
    parts = [
        f"item {c.key} "
        + next(f"{_value(f.before)} -> {_value(f.after)}" for f in c.fields if f.field == "status")
        for c in moved[:5]
    ]
    if len(moved) > 5:
        parts.append(f"{len(moved) - 5} more moved status")
    if rest:
        parts.append(f"{plural(rest, 'item')} otherwise changed")
    return "; ".join(parts)


def _profile_summary(changes: list[ItemChange]) -> str:
    return ", ".join(f.field for c in changes for f in c.fields) or "changed"


def _item_summary(changes: list[ItemChange]) -> str:
    """Evidence and measures: added, retired, changed (and how)."""
    counts = Counter(c.change for c in changes)
    labels = Counter(label for c in changes for label in c.labels)
    parts = []
    if counts["added"]:
        parts.append(f"{counts['added']} added")
    retired = labels["retired"]
    if retired:
        parts.append(f"{retired} retired")
    changed = sum(1 for c in changes if c.change == "changed" and "retired" not in c.labels)
    if changed:
        notes = [f"{labels[n]} {n}" for n in ("re-tagged", "moved", "id renamed") if labels[n]]
        parts.append(f"{changed} changed" + (f" ({', '.join(notes)})" if notes else ""))
    return ", ".join(parts)


_KIND_SUMMARY: dict[str, Callable[[list[ItemChange]], str]] = {
    "action": _action_summary,
    "rating": _rating_summary,
    "return": _return_summary,
    "profile": _profile_summary,
}


def _kind_summary(diff: Diff, kind: str) -> str | None:
    changes = diff.of_kind(kind)
    if not changes:
        return None
    return _KIND_SUMMARY.get(kind, _item_summary)(changes)


def summary_lines(diff: Diff, arrow: str = "->") -> list[tuple[str, str]]:
    """(label, text): the short summary every format starts with."""
    return [(label, text.replace(" -> ", f" {arrow} ")) for label, text in _summary(diff)]


def _summary(diff: Diff) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    if diff.readiness:
        overall = diff.readiness[0]
        lines.append(
            (
                "Readiness",
                f"{_number(overall.before, '%')} -> {_number(overall.after, '%')} "
                f"({_signed(overall.delta, ' points')})",
            )
        )
    for kind, title in KIND_TITLES.items():
        text = _kind_summary(diff, kind)
        if text:
            lines.append((title, text))
    ir = diff.information_return
    if ir.before != ir.after:
        lines.append(
            (
                "Return items ready",
                f"{_number(ir.before)} -> {_number(ir.after)} of "
                f"{diff.information_return_expected} ready or uploaded",
            )
        )
    if diff.findings or diff.errors_before != diff.errors_after:
        lines.append(
            (
                "Problems",
                f"{len(diff.introduced)} introduced, {len(diff.fixed)} fixed "
                f"(errors {diff.errors_before} -> {diff.errors_after}, "
                f"warnings {diff.warnings_before} -> {diff.warnings_after})",
            )
        )
    if diff.not_compared:
        lines.append(
            (
                "Not compared",
                f"{plural(len(diff.not_compared), 'file')} with errors: run ascready validate",
            )
        )
    for method, before, after in diff.predicted[:1]:
        if before != after:
            lines.append(
                (
                    "Predicted rating",
                    f"{before or 'none'} -> {after or 'none'} by {method.lower()} ({ESTIMATE})",
                )
            )
    if diff.empty:
        lines.append(("Changes", "none: the evidence means the same on both sides"))
    return lines


def _heading(diff: Diff) -> str:
    base = diff.base if diff.base_exists else f"{diff.base}, where there was no repository yet"
    head = "the working tree" if diff.head == "working tree" else diff.head
    return f"Changes from {base} to {head}, judged as of {diff.as_of}."


def part_title(name: str) -> str:
    """'information_return' -> 'Information return'; themes keep their titles."""
    if name.startswith("theme: "):
        return f"Theme: {name[7:]}"
    return key_title(name)


def _side(side: str) -> str:
    return "this change" if side == "head" else "the base"


def _finding_line(f: Finding) -> str:
    where = f.file + (f":{f.line}" if f.line else "")
    return f"{where} {f.severity.value} [{f.check}] {f.message}"


# --- text -------------------------------------------------------------------------------------


def _item_heading(c: ItemChange) -> str:
    sign = {"added": "+", "removed": "-", "changed": "~"}[c.change]
    name = f"item {c.key}" if c.kind == "return" else c.key
    title = f' "{c.title}"' if c.title and c.title != c.key else ""
    where = c.file
    if c.moved_from:
        where = f"moved from {c.moved_from} to {c.file}"
    if c.renamed_from:
        name = f"{c.renamed_from} renamed to {c.key}"
    shown = [label for label in c.labels if label != "moved"]
    labels = f": {', '.join(shown)}" if shown else ""
    verb = f" {c.change}" if c.change != "changed" else ""
    return f"{sign} {name}{title} ({where}){verb}{labels}"


def _statement_line(s: StatementChange) -> str:
    sign = {"added": "+", "removed": "-", "changed": "~"}[s.change]
    text = s.text if len(s.text) <= 90 else s.text[:87] + "..."
    return f"{sign} {s.kind} {s.id}: {text}"


def render_text(diff: Diff) -> str:
    out = [_heading(diff), ""]
    width = max(len(label) for label, _ in summary_lines(diff))
    out += [f"  {label:<{width}}  {text}" for label, text in summary_lines(diff)]
    for kind, title in KIND_TITLES.items():
        changes = diff.of_kind(kind)
        if not changes:
            continue
        out += ["", title]
        for c in changes:
            out.append(f"  {_item_heading(c)}")
            for f in c.fields:
                out.append(f"      {describe_field(f)}")
                if _is_long(f) and not (f.added or f.removed):
                    out += [f"        {line}" for line in text_diff(f.before, f.after)]
            for s in c.statements:
                out.append(f"      {_statement_line(s)}")
                out += [f"          {describe_field(f)}" for f in s.fields]
    if diff.not_compared:
        out += ["", "Not compared (the file has errors; run ascready validate)"]
        out += [
            f"  {n.file} ({'this change' if n.side == 'head' else 'the base'})"
            for n in diff.not_compared
        ]
    for label, found in (("Problems introduced", diff.introduced), ("Problems fixed", diff.fixed)):
        if found:
            out += ["", label]
            out += [f"  {_finding_line(f)}" for f in found]
    moved = [q for q in diff.statements if q.changed]
    if moved:
        out += ["", "Quality statements (current evidence items, thin cells, self-score)"]
        for q in moved:
            out.append(
                f"  {q.quality_statement} {q.title}: items {_number(q.items_before)} -> "
                f"{_number(q.items_after)}, thin {_number(q.thin_before)} -> "
                f"{_number(q.thin_after)}, self-score {_number(q.score_before)} -> "
                f"{_number(q.score_after)}"
            )
    if len(diff.readiness) > 1 and any(m.delta != 0 for m in diff.readiness):
        out += ["", "Readiness by part"]
        out += [
            f"  {part_title(m.name)}: {_number(m.before, '%')} -> "
            f"{_number(m.after, '%')} ({_signed(m.delta)})"
            for m in diff.readiness
        ]
    return "\n".join(out) + "\n"


# --- JSON -------------------------------------------------------------------------------------


def render_json(diff: Diff) -> str:
    return json.dumps(diff.to_dict(), indent=2, ensure_ascii=False) + "\n"


# --- Markdown ---------------------------------------------------------------------------------


def _md_field(f: FieldChange) -> str:
    name = escape(f.field)
    if f.added or f.removed:
        parts = [f"+{escape(v)}" for v in f.added] + [f"−{escape(v)}" for v in f.removed]
        return f"{name}: {' '.join(parts)}"
    if _is_long(f):
        return escape(describe_field(f))
    return f"{name}: {escape(_value(f.before))} → {escape(_value(f.after))}"


def _md_item_rows(changes: list[ItemChange], limit: int | None) -> tuple[list[list[str]], int]:
    rows = []
    shown = _first(changes, limit)
    for c in shown:
        key = f"item {c.key}" if c.kind == "return" else c.key
        if c.renamed_from:
            key = f"{c.renamed_from} → {c.key}"
        what = [escape(label) for label in c.labels if not (label == "moved" and c.moved_from)]
        if c.moved_from:
            what.append(f"moved from {code(c.moved_from)}")
        what += [_md_field(f) for f in c.fields]
        what += [
            f"{s.change} {escape(s.kind)} {escape(s.id)}"
            + (f" ({'; '.join(_md_field(f) for f in s.fields)})" if s.fields else "")
            for s in c.statements
        ]
        rows.append(
            [c.change, escape(key), escape(c.title), code(c.file), "<br>".join(what) or "—"]
        )
    return rows, len(changes) - len(shown)


def _md_text_diffs(changes: list[ItemChange]) -> list[str]:
    out: list[str] = []
    for c in changes:
        for f in c.fields:
            if not _is_long(f) or f.added or f.removed:
                continue
            body = "\n".join(text_diff(f.before, f.after))
            out += [f"{escape(c.key)} {escape(f.field)}:", "", *code_block(body, "diff"), ""]
    return out


def _first(items: list[_T], limit: int | None) -> list[_T]:
    """The first ``limit`` items, or all of them when there is no limit."""
    return items if limit is None else items[:limit]


def _md_change(label: str, before: str, after: str, delta: float | None) -> list[str]:
    return [label, before, after, _signed(delta)]


def _md_headline(diff: Diff) -> list[str]:
    """The table of before and after: readiness, the return, problems, predicted ratings."""
    rows = [
        _md_change("Readiness", _number(m.before, "%"), _number(m.after, "%"), m.delta)
        for m in diff.readiness[:1]
    ]
    ir = diff.information_return
    expected = diff.information_return_expected
    if expected:
        rows.append(
            _md_change(
                "Information-return items ready or uploaded",
                f"{_number(ir.before)} of {expected}" if ir.before is not None else "none",
                f"{_number(ir.after)} of {expected}" if ir.after is not None else "none",
                Measure("", ir.before, ir.after).delta,
            )
        )
    for name, before, after in (
        ("Validation errors", diff.errors_before, diff.errors_after),
        ("Warnings", diff.warnings_before, diff.warnings_after),
    ):
        rows.append(_md_change(name, str(before), str(after), after - before))
    for method, was, now in diff.predicted:
        rows.append(
            [
                f"Predicted rating, {escape(method.lower())}*",
                escape(was or "none"),
                escape(now or "none"),
                "—" if was == now else "changed",
            ]
        )
    out = table(["", "Before", "After", "Change"], rows)
    if diff.predicted:
        out += [f"\\* {escape(ESTIMATE_SENTENCE)}.", ""]
    return out


def _md_introduced(diff: Diff, limit: int | None) -> list[str]:
    if not diff.introduced:
        return []
    shown = _first(diff.introduced, limit)
    out = [f"**{plural(len(diff.introduced), 'problem')} introduced by this change:**", ""]
    out += [
        f"- {code(f.file + (f':{f.line}' if f.line else ''))} **{f.severity.value}** "
        f"{code(f.check)} {escape(f.message)}"
        for f in shown
    ]
    if len(diff.introduced) > len(shown):
        out.append(f"- and {len(diff.introduced) - len(shown)} more: run `ascready validate`")
    return [*out, ""]


def _md_kind(diff: Diff, kind: str, title: str, limit: int | None) -> list[str]:
    changes = diff.of_kind(kind)
    if not changes:
        return []
    item_rows, more = _md_item_rows(changes, limit)
    body = table(["Change", "Item", "Title", "File", "What changed"], item_rows)
    if more:
        body += [f"…and {more} more: run `ascready diff` locally to see them all.", ""]
    body += _md_text_diffs(_first(changes, limit))
    return details(f"{escape(title)}: {plural(len(changes), 'change')}", body)


def _md_fixed(diff: Diff, limit: int | None) -> list[str]:
    if not diff.fixed:
        return []
    shown = _first(diff.fixed, limit)
    body = [f"- {code(f.file)} {code(f.check)} {escape(f.message)}" for f in shown]
    if len(diff.fixed) > len(shown):
        body.append(f"- and {len(diff.fixed) - len(shown)} more")
    return details(f"Problems fixed: {len(diff.fixed)}", [*body, ""])


def _md_not_compared(diff: Diff) -> list[str]:
    if not diff.not_compared:
        return []
    body = [f"- {code(n.file)} has errors in {_side(n.side)}" for n in diff.not_compared]
    return details(f"Not compared: {len(diff.not_compared)}", [*body, ""])


def _md_statements(diff: Diff) -> list[str]:
    moved = [s for s in diff.statements if s.changed]
    if not moved:
        return []
    rows = [
        [
            escape(f"{s.quality_statement} {s.title}"),
            f"{_number(s.items_before)} → {_number(s.items_after)}",
            f"{_number(s.thin_before)} → {_number(s.thin_after)}",
            f"{_number(s.score_before)} → {_number(s.score_after)}",
        ]
        for s in moved
    ]
    body = table(["Quality statement", "Current evidence items", "Thin cells", "Self-score"], rows)
    return details(f"Quality statements: {len(moved)} changed", body)


def _md_readiness_parts(diff: Diff) -> list[str]:
    if len(diff.readiness) < 2 or all(m.delta == 0 for m in diff.readiness):
        return []
    rows = [
        [
            escape(part_title(m.name)),
            _number(m.before, "%"),
            _number(m.after, "%"),
            _signed(m.delta),
        ]
        for m in diff.readiness
    ]
    return details("Readiness by part", table(["Part", "Before", "After", "Change"], rows))


def _render_markdown(diff: Diff, limit: int | None) -> str:
    """The comment, each list cut to its first ``limit`` entries (none: everything)."""
    out = [MARKER, f"### {TITLE}", "", escape(_heading(diff)), ""]
    out += _md_headline(diff)
    out += [f"- **{escape(label)}:** {escape(text)}" for label, text in summary_lines(diff, "→")]
    out.append("")
    out += _md_introduced(diff, limit)
    for kind, title in KIND_TITLES.items():
        out += _md_kind(diff, kind, title, limit)
    out += _md_fixed(diff, limit)
    out += _md_not_compared(diff)
    out += _md_statements(diff)
    out += _md_readiness_parts(diff)
    return "\n".join(out).rstrip("\n") + "\n"


def render_markdown(diff: Diff) -> str:
    """The pull-request comment, cut down until it fits GitHub's size limit."""
    for limit in (None, 200, 50, 10, 0):
        text = _render_markdown(diff, limit)
        if len(text) <= COMMENT_LIMIT:
            return text
    return text
