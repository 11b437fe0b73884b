"""Fuzz: mutate the example repository and run the read-only commands on it; no command may
hit a bug (exit 3 for a user) or hang, whatever the files hold.

Each case copies the example repository (``evidence/``), applies one to five structure-aware
mutations of the kinds that have found bugs before (a key deleted, duplicated or renamed; a
value replaced by a huge number, a tagged value, a list, a far-off date, control characters or
a reference to nothing; a file truncated, broken, deleted, duplicated, moved or made a link),
and runs ``validate``, ``gaps``, ``render``, ``export`` and ``diff`` in-process on it. A command
may refuse the files (exit 1) or the call (exit 2); it may not raise, and it may not run for a
minute (a watchdog ends it and fails the case as a hang). A command that fails writes nothing
(but the pack, which is written with what it lacks listed). A repository may also have its own
framework and its own copy of a template, mutated in turn.

``make test`` runs a fixed set of cases (derandomised, so CI is reproducible); ``make fuzz``
runs many more, new ones each time (``ASCREADY_FUZZ_EXAMPLES``, default 2,000 there), and
prints how many repositories and commands it ran and how long it took.
"""

from __future__ import annotations

import faulthandler
import os
import re
import shutil
import signal
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ascready.cli import app
from tests.conftest import FUZZ_STATS, REPO_ROOT, git

pytestmark = pytest.mark.fuzz

#: Cases in ``make test`` (derandomised); ``make fuzz`` sets ASCREADY_FUZZ_EXAMPLES.
FUZZ_EXAMPLES = int(os.environ.get("ASCREADY_FUZZ_EXAMPLES", "0"))
EXAMPLES = FUZZ_EXAMPLES or 40

#: A command running this long is taken to hang: a guard, not a measure of speed (the example
#: repository takes well under a second for every command).
HANG_SECONDS = 60

EXAMPLE = REPO_ROOT / "evidence"


@dataclass(frozen=True)
class Link:
    """A symbolic link in the mutated tree."""

    target: str


@dataclass(frozen=True)
class Folder:
    """A folder where a file was."""


Entry = bytes | Link | Folder
Tree = dict[str, Entry]


def _example_tree() -> Tree:
    return {
        p.relative_to(EXAMPLE).as_posix(): p.read_bytes()
        for p in sorted(EXAMPLE.rglob("*"))
        if p.is_file()
    }


ORIGINAL = _example_tree()
YAML_FILES = sorted(p for p in ORIGINAL if p.endswith(".yaml"))

# --- what the mutations put in ----------------------------------------------------------------

_KEY_LINE = re.compile(r"^(?P<lead> *(?:- +)?)(?P<key>[A-Za-z_<][\w<-]*):(?P<rest>(?: .*)?)$")


def _keys_and_ids() -> tuple[list[str], list[str]]:
    keys: set[str] = set()
    ids: set[str] = set()
    for path in YAML_FILES:
        for line in ORIGINAL[path].decode().splitlines():
            if m := _KEY_LINE.match(line):
                keys.add(m["key"])
                if m["key"] == "id":
                    ids.add(m["rest"].strip())
    return sorted(keys), sorted(ids)


KEYS, IDS = _keys_and_ids()

HUGE = "9" * 5000
VALUES = [
    # empty and null
    "",
    '""',
    "''",
    "~",
    "null",
    # numbers
    "0",
    "-1",
    "2.5",
    "39",
    "1000000000",
    "1e309",
    ".nan",
    "-.inf",
    "0x1F",
    "1_000",
    HUGE,
    "-" + HUGE,
    HUGE + ".5",
    # tagged values that are not what their tag says
    "!!int abc",
    "!!float x",
    "!!timestamp soon",
    "!!bool maybe",
    "!!binary AAAA",
    "!!binary '@@@'",
    "!!null x",
    "!!str",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!map [1]",
    "!!set abc",
    "!!bool [a]",
    "!!timestamp {a: 1}",
    "!!seq {a: 1}",
    "!custom x",
    "!!python/object/apply:os.system [ls]",
    # a list or a mapping where a scalar is expected, and the other way round
    "[a, b]",
    "{a: 1}",
    "[]",
    "{}",
    "[[]]",
    "[{}]",
    "[null]",
    "[1, 2]",
    "{id: EV-001}",
    "[" * 70 + "]" * 70,
    # dates
    "9999-12-31",
    "0001-01-01",
    "1899-12-31",
    "2200-01-01",
    "2026-02-30",
    "2026-13-01",
    "31/12/2026",
    "2026-11-30T25:00:00",
    "2026-11-30 12:00:00+14:00",
    "2026-11-30T12:00:00Z",
    "0000-00-00",
    # text: control characters, long, unicode, and what output formats might take as syntax
    '"\\e[31mred\\e[0m"',
    '"nul\\0byte"',
    '"\\u202eevil"',
    '"\\x7f\\x85\\u2028\\u2029"',
    "a\x1bb",
    "tab\there",
    "\u200b",
    "x" * 100_000,
    "é" * 20_000,
    "🙂" * 2_000,
    "日本語のテキスト",
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "<script>alert(1)</script>",
    "{{ 7 * 7 }}",
    "{% raw %}",
    "**bold** [link](javascript:alert(1))",
    "'| a | b |'",
    "'#not a comment'",
    "'- not a list'",
    # references to nothing, and to what is already used
    "EV-999",
    "[EV-999]",
    "QS99",
    "[QS99]",
    "[QS1, QS1]",
    "ACT-99",
    "[ACT-99]",
    "[AFI-QS1-99]",
    "[S-QS1-99]",
    "T9",
    "[999]",
    "[0]",
    "[-1]",
    "[EV-001, EV-001]",
    *IDS,
    # paths
    "files/",
    "files/missing.md",
    "files/../ascready.yaml",
    "../../etc/passwd",
    "/etc/passwd",
    "/dev/zero",
    "ratings/QS1.yaml",
    "ascready.yaml",
    ".",
    "https://",
    "http://example.org",
    "file:///etc/passwd",
    "https://" + "a" * 5000 + ".example",
    "'C:\\Windows'",
    "'\\\\server\\share'",
    # anchors and aliases
    "&a x",
    "*a",
    "*undefined",
    "&a [*a]",
]

#: Lines inserted into a file: YAML syntax errors and constructs the reader must refuse.
LINES = [
    "\tkey: value",
    '"unclosed',
    "'unclosed",
    "key: [a, b",
    "key: {a: 1",
    "<<: *base",
    "<<: {extra: 1}",
    "<<: [*a, *b]",
    "&anchor",
    "*alias",
    "? complex key",
    "---",
    "...",
    "%YAML 1.1",
    "%TAG ! tag:example.org,2000:",
    ": no key",
    "- - -",
    "key: value: other",
    "@reserved",
    "`reserved",
    "!!python/name:os.system",
    "a: &x [*x]",
    "id: EV-001",
    "id:",
    "title: [",
    "\x00",
    "\x1b[2J",
    "\ufeff",
    "  " * 40 + "deep: 1",
]


def _bomb(levels: int) -> str:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, levels):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    return "\n".join(lines) + "\n"


#: Whole contents a file may be replaced by.
CONTENTS: list[bytes] = [
    b"",
    b"\n",
    b"[]",
    b"null",
    b"42",
    b"'just a string'",
    b"- id: EV-001\n- id: EV-002\n",
    b"---\nid: A\n---\nid: B\n",
    b"[" * 5000 + b"]" * 5000,
    b"{a: " * 2000 + b"1" + b"}" * 2000,
    "".join(f"{'  ' * i}k{i}:\n" for i in range(200)).encode(),
    _bomb(9).encode(),
    bytes(range(256)),
    b"\xff\xfe" + "id: EV-001\n".encode("utf-16-le"),
    b"id: EV-0\xe901\ntitle: caf\xe9\n",
    b"id: " + b"x" * (1024 * 1024 + 10) + b"\n",
]

#: Lines put into a council's own copy of a built-in template (templates/ overrides them):
#: Jinja syntax errors, names and filters that do not exist, and code that raises. (Not code
#: that loops for ever: a template is the council's code, and the sandbox does not bound it.)
TEMPLATE_LINES = [
    "{{ 1 / 0 }}",
    "{{ nosuch }}",
    "{{ council.nosuch.deeper }}",
    "{% for %}",
    "{% endfor %}",
    "{% if %}",
    "{{",
    "{#",
    "{% raw %}",
    "{{ council.name | nosuchfilter }}",
    "{% include 'missing.j2' %}",
    "{% include 'self-assessment.md.j2' %}",
    "{% extends 'self-assessment.html.j2' %}",
    "{% import 'self-assessment.md.j2' as m %}",
    "{{ ''.__class__.__mro__ }}",
    "{{ council.__init__.__globals__ }}",
    "{{ range(10 ** 9) | list }}",
    "{{ {}.pop(1) }}",
    "{{ [][0] }}",
    "{{ '%d' % 'x' }}",
    "{{ 'x' | int(base=1) }}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "{{ council | markdown_html }}",
    "{{ 5 | md }}",
    "{{ none | md_block }}",
    "{{ [] | heat }}",
    "{{ 'x' | heat }}",
    "{{ none | heat_text }}",
    "{% if 1 %}" * 300 + "{% endif %}" * 300,
    "\x00",
]
FRAMEWORK = (REPO_ROOT / "src/ascready/repository/frameworks/cqc-la-2024.yaml").read_bytes()
TEMPLATES = sorted((REPO_ROOT / "templates").glob("*.j2"))

FOLDERS = ["evidence", "ratings", "actions", "information-return", "metrics", "files", ""]

# --- mutations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    """One change to the tree. ``pick`` and ``at`` choose a file and a place in it, taken
    modulo what there is when the mutation is applied."""

    op: str
    pick: int
    at: int = 0
    arg: int = 0


def _choose_file(tree: Tree, pick: int, *, yaml_only: bool = True) -> str | None:
    # About one pick in eight is the council profile, which every command reads first, and
    # one in eight the repository's own framework, when it has one.
    if pick % 8 == 7 and "ascready.yaml" in tree:
        return "ascready.yaml"
    if pick % 8 == 6 and "my-framework.yaml" in tree:
        return "my-framework.yaml"
    names = sorted(p for p, e in tree.items() if not yaml_only or p.endswith(".yaml"))
    names = [p for p in names if isinstance(tree[p], bytes)] or names
    return names[pick // 8 % len(names)] if names else None


def _lines(raw: bytes) -> list[str]:
    return raw.decode("utf-8", "surrogateescape").split("\n")


def _join(lines: list[str]) -> bytes:
    return "\n".join(lines).encode("utf-8", "surrogateescape")


def _key_block(lines: list[str], at: int) -> tuple[int, int, re.Match[str]] | None:
    """The lines [start, end) of one ``key: value`` and everything nested under it."""
    keyed = [(i, m) for i, line in enumerate(lines) if (m := _KEY_LINE.match(line))]
    if not keyed:
        return None
    start, match = keyed[at % len(keyed)]
    column = len(match["lead"])
    end = start + 1
    while end < len(lines) and (
        not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip(" ")) > column
    ):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return start, end, match


#: A value inside a flow collection (``{stale_after_months: 12}``, ``[EV-007, EV-008]``) or a
#: block list item (``- EV-001``).
_INNER = re.compile(
    r"(?P<pre>[\[{,] *(?:\w+: *)?)(?P<val>[^,\]}\n]+)|^(?P<dash> *- +)(?P<item>[^:\n]+)$",
    re.MULTILINE,
)


def _set_inner(text: str, at: int, value: str) -> tuple[str, str] | None:
    found = list(_INNER.finditer(text))
    if not found:
        return None
    m = found[at % len(found)]
    group = "val" if m["val"] is not None else "item"
    old = m[group]
    return text[: m.start(group)] + value + text[m.end(group) :], old


def apply(tree: Tree, m: Mutation) -> str:
    """Apply ``m`` to ``tree`` in place; say what it did (for the report of a failing case)."""
    if m.op == "own-framework":
        profile = tree.get("ascready.yaml")
        if isinstance(profile, bytes):
            text = re.sub(
                rb"(?m)^framework:.*$", b"framework: ./my-framework.yaml", profile, count=1
            )
            tree["ascready.yaml"] = text
        tree.setdefault("my-framework.yaml", FRAMEWORK)
        return "gave the repository its own framework, a copy of the built-in one"
    if m.op == "own-template":
        template = TEMPLATES[m.pick % len(TEMPLATES)]
        rel = f"templates/{template.name}"
        current = tree.get(rel)
        lines = _lines(current if isinstance(current, bytes) else template.read_bytes())
        where = m.at % (len(lines) + 1)
        line = TEMPLATE_LINES[m.arg % len(TEMPLATE_LINES)]
        lines.insert(where, line)
        tree[rel] = _join(lines)
        return f"put {line[:40]!r} into {rel} at line {where + 1}"
    path = _choose_file(tree, m.pick, yaml_only=m.op not in ("delete-file", "truncate"))
    if path is None:
        return "nothing to mutate"
    entry = tree[path]
    if m.op == "delete-file":
        del tree[path]
        return f"deleted {path}"
    if m.op == "copy-file":
        folder = FOLDERS[m.arg % len(FOLDERS)] if m.at % 2 else path.rpartition("/")[0]
        new = f"{folder}/copy-{m.at}.yaml".lstrip("/")
        tree[new] = entry
        return f"copied {path} to {new}"
    if m.op == "move-file":
        folder = FOLDERS[m.arg % len(FOLDERS)]
        new = f"{folder}/{'sub/' if m.at % 3 == 0 else ''}{path.rpartition('/')[2]}".lstrip("/")
        del tree[path]
        tree[new] = entry
        return f"moved {path} to {new}"
    if m.op == "link":
        targets = [
            *sorted(p for p in tree if p != path)[:3],
            path.rpartition("/")[2],  # itself
            "missing.yaml",
            "/dev/zero",
            "/etc/passwd",
            "..",
        ]
        target = targets[m.arg % len(targets)]
        if target in tree:
            depth = path.count("/")
            target = "../" * depth + target
        tree[path] = Folder() if m.at % 7 == 0 else Link(target)
        return f"made {path} {'a folder' if m.at % 7 == 0 else f'a link to {target}'}"
    if m.op == "replace-file":
        tree[path] = CONTENTS[m.arg % len(CONTENTS)]
        return f"replaced {path} by {tree[path][:40]!r}"
    if not isinstance(entry, bytes):
        return f"left {path} (not a file)"
    if m.op == "truncate":
        cut = m.at % (len(entry) + 1)
        tree[path] = entry[:cut]
        return f"truncated {path} to {cut} bytes"
    if m.op == "encode":
        text = entry.decode("utf-8", "replace")
        forms = [
            text.replace("\n", "\r\n").encode(),
            text.replace("\n", "\r").encode(),
            b"\xef\xbb\xbf" + entry,
            text.encode("utf-16"),
            text.encode("latin-1", "replace"),
        ]
        tree[path] = forms[m.arg % len(forms)]
        return f"re-encoded {path} ({['CRLF', 'CR', 'BOM', 'UTF-16', 'Latin-1'][m.arg % 5]})"
    if m.op == "set-inner":
        value = VALUES[m.arg % len(VALUES)]
        changed = _set_inner(entry.decode("utf-8", "surrogateescape"), m.at, value)
        if changed is None:
            return f"left {path} (no lists or inline mappings)"
        tree[path] = changed[0].encode("utf-8", "surrogateescape")
        return f"set {changed[1][:30]!r} to {value[:40]!r} in {path}"
    lines = _lines(entry)
    if m.op == "insert-line":
        where = m.at % (len(lines) + 1)
        lines.insert(where, LINES[m.arg % len(LINES)])
        tree[path] = _join(lines)
        return f"inserted {LINES[m.arg % len(LINES)]!r} into {path} at line {where + 1}"
    block = _key_block(lines, m.at)
    if block is None:
        return f"left {path} (no keys)"
    start, end, match = block
    lead, key = match["lead"], match["key"]
    if m.op == "delete-key":
        following = lines[end] if end < len(lines) else ""
        if "-" in lead and len(following) - len(following.lstrip(" ")) == len(lead):
            lines[end] = lead + following.lstrip(" ")  # keep the list item's dash
        del lines[start:end]
        what = f"deleted {key}"
    elif m.op == "duplicate-key":
        copy = [" " * len(lead) + lines[start][len(lead) :], *lines[start + 1 : end]]
        lines[end:end] = copy
        what = f"duplicated {key}"
    elif m.op == "rename-key":
        names = [*KEYS, "titel", "ID", "Id", "id ", "<<", "'id'", "1", "null", "true"]
        new = names[m.arg % len(names)]
        lines[start] = f"{lead}{new}:{match['rest']}"
        what = f"renamed {key} to {new}"
    else:  # set-value
        value = VALUES[m.arg % len(VALUES)]
        lines[start:end] = [f"{lead}{key}: {value}".rstrip()]
        what = f"set {key} to {value[:40]!r}"
    tree[path] = _join(lines)
    return f"{what} in {path} (line {start + 1})"


OPS = [
    "set-value",
    "set-inner",
    "delete-key",
    "duplicate-key",
    "rename-key",
    "insert-line",
    "truncate",
    "replace-file",
    "delete-file",
    "copy-file",
    "move-file",
    "encode",
    "link",
    "own-template",
    "own-framework",
]

MUTATION = st.builds(
    Mutation,
    op=st.sampled_from(OPS),
    pick=st.integers(0, 10_000),
    at=st.integers(0, 10_000),
    arg=st.integers(0, 10_000),
)

# --- the commands -----------------------------------------------------------------------------

#: Every case runs validate and gaps; each other command runs in about half the cases, so that
#: each runs on a thousand mutated repositories in ``make fuzz`` and a case stays cheap.
ALWAYS = ("validate", "validate-json", "gaps")
SOMETIMES = (
    "gaps-markdown",
    "gaps-json",
    "gaps-xlsx",
    "render-md-public",
    "render-html-internal",
    "render-docx",
    "render-pack",
    "export",
    "export-public",
    "diff-working-tree",
    "diff-commits",
    "diff-reversed",
)


def _argv(command: str, root: Path, out: Path) -> list[str]:
    r = str(root)
    return {
        "validate": ["validate", r],
        "validate-json": ["validate", r, "--format", "json"],
        "gaps": ["gaps", r, "--full"],
        "gaps-markdown": ["gaps", r, "--format", "markdown"],
        "gaps-json": ["gaps", r, "--format", "json", "--as-of", "site-visit"],
        "gaps-xlsx": ["gaps", r, "--format", "xlsx", "--out", str(out.with_suffix(".xlsx"))],
        "render-md-public": ["render", r, "--format", "md"],
        "render-html-internal": ["render", r, "--format", "html", "--audience", "internal"],
        "render-docx": ["render", r, "--format", "docx", "--out", str(out.with_suffix(".docx"))],
        "render-pack": ["render", r, "--pack", str(out.with_suffix(".zip"))],
        "export": ["export", r, "--out", str(out.with_suffix(".xlsx"))],
        "export-public": [
            "export",
            r,
            "--audience",
            "public",
            "--out",
            str(out.with_suffix(".xlsx")),
        ],
        "diff-working-tree": ["diff", "base", "--repo", r],
        "diff-commits": ["diff", "base", "HEAD", "--repo", r, "--format", "json"],
        "diff-reversed": ["diff", "HEAD", "base", "--repo", r, "--format", "markdown"],
    }[command]


class Hang(BaseException):
    """Raised in the main thread by the watchdog; a BaseException, so that no ``except
    Exception`` in ascready can swallow it."""


@contextmanager
def watchdog(what: str) -> Iterator[None]:
    """Interrupt a command that runs for HANG_SECONDS; if it cannot be interrupted (stuck in C
    code), dump every thread's stack and end the process after twice that."""

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"{what} was still running after {HANG_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
    faulthandler.dump_traceback_later(2 * HANG_SECONDS, exit=True)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        faulthandler.cancel_dump_traceback_later()


def _write_tree(root: Path, tree: Tree) -> None:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir()
    for rel, entry in tree.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(entry, Link):
            path.symlink_to(entry.target)
        elif isinstance(entry, Folder):
            path.mkdir(exist_ok=True)
        else:
            path.write_bytes(entry)


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository whose branch ``base`` holds the example; each case's tree is written
    into its evidence/ folder, so diff compares the mutated files with the example."""
    top = tmp_path_factory.mktemp("fuzz") / "council"
    top.mkdir()
    git(top, "init", "-q")
    _write_tree(top / "evidence", ORIGINAL)
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "base")
    git(top, "branch", "base")
    return top


def _commit(top: Path) -> None:
    git(top, "add", "-A")
    git(top, "commit", "-q", "--allow-empty", "-m", "case")


def run_case(
    top: Path, mutations: list[Mutation], chosen: list[str], stats: dict[str, float]
) -> None:
    tree = dict(ORIGINAL)
    done = [apply(tree, m) for m in mutations]
    root = top / "evidence"
    _write_tree(root, tree)
    out = top.parent / "out" / "result"
    out.parent.mkdir(exist_ok=True)
    if "diff-commits" in chosen or "diff-reversed" in chosen:
        _commit(top)
    runner = CliRunner()
    for command in [*ALWAYS, *chosen]:
        for old in out.parent.iterdir():
            old.unlink()
        argv = _argv(command, root, out)
        started = time.perf_counter()
        try:
            with watchdog(f"ascready {' '.join(argv)}"):
                result = runner.invoke(app, argv)
        except Hang as exc:
            raise AssertionError(f"{exc}\nafter: {done}\n{traceback.format_exc()}") from None
        stats[command] = stats.get(command, 0) + 1
        stats["commands"] = stats.get("commands", 0) + 1
        stats["command seconds"] = stats.get("command seconds", 0) + time.perf_counter() - started
        if result.exc_info is not None and not isinstance(result.exc_info[1], SystemExit):
            tb = "".join(traceback.format_exception(*result.exc_info))
            raise AssertionError(
                f"ascready {' '.join(argv)} hit a bug (exit 3 for a user)\nafter: {done}\n{tb}"
            )
        assert result.exit_code in (0, 1, 2), (argv, result.exit_code, done, result.output)
        assert "Traceback" not in result.stderr, (argv, done, result.stderr)
        if result.exit_code != 0 and command != "render-pack":  # a pack with gaps is written
            left = sorted(p.name for p in out.parent.iterdir())
            assert not left, (f"{argv} failed but wrote {left}", done, result.stderr)


def test_no_mutation_of_the_example_makes_a_command_fail_or_hang(
    council: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    stats: dict[str, float] = {"repositories": 0}
    request.config.stash[FUZZ_STATS] = stats
    started = time.perf_counter()

    @settings(
        max_examples=EXAMPLES,
        derandomize=not FUZZ_EXAMPLES,
        deadline=None,
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],  # no slow "explain"
        database=None if not FUZZ_EXAMPLES else settings.default.database,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        mutations=st.lists(MUTATION, min_size=1, max_size=5),
        chosen=st.tuples(*[st.booleans()] * len(SOMETIMES)).map(
            lambda on: [c for c, yes in zip(SOMETIMES, on, strict=True) if yes]
        ),
    )
    def case(mutations: list[Mutation], chosen: list[str]) -> None:
        stats["repositories"] += 1
        run_case(council, mutations, chosen, stats)

    try:
        case()
    finally:
        stats["seconds"] = time.perf_counter() - started
