"""Benchmark: `make bench`.

Generates a synthetic evidence repository (10,000 evidence items plus 38 information-return
items, 9 ratings and improvement actions) in a temporary folder and prints, measured in this
one run on this machine:

(a) ``ascready validate`` wall time against a bare Python loop that only reads and parses the
    same files with PyYAML's C loader (both as fresh processes, so both pay interpreter
    start-up), with all cores and with ``--jobs 1``;
    and ``ascready gaps`` and ``ascready render`` (each format: md, html, docx and, where
    LibreOffice is installed, pdf, once: it takes minutes at this size) against ``validate``,
    and
    ``ascready diff`` (the last commit against a working tree with 200 changed items) against
    ``gaps``, which it runs on both sides;
(b) ``ascready --version`` start-up against ``python -c "import typer"``;
(c) the personal-data scan of 1 MiB of adversarial text against 1 MiB of ordinary text;
(d) reading a 200,000-row workbook: time and the reading process's peak memory.

Ratios travel between machines better than times. Medians of several runs.
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
ASCREADY = str(BIN / "ascready")

QS = [f"QS{i}" for i in range(1, 10)]
CATEGORIES = ["peoples-experience", "staff-and-leaders", "partners", "processes", "outcomes"]
KINDS = ["policy", "strategy", "report", "data", "survey", "minutes", "feedback", "case-study"]
WORDS = [
    "assessment",
    "carers",
    "reablement",
    "safeguarding",
    "commissioning",
    "prevention",
    "workforce",
    "discharge",
    "transitions",
    "advocacy",
    "equality",
    "partnership",
    "dashboard",
    "quality",
    "review",
    "waiting",
    "list",
    "outcomes",
    "co-production",
    "direct",
    "payments",
    "market",
    "sustainability",
    "integration",
    "wellbeing",
    "information",
]

PARSE_LOOP = """
import sys, yaml
from pathlib import Path
root = Path(sys.argv[1])
n = 0
for p in sorted(root.rglob('*.yaml')):
    yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader)
    n += 1
print(n)
"""


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def generate(root: Path, items: int, seed: int = 2026) -> None:
    rng = random.Random(seed)
    (root / "evidence").mkdir(parents=True)
    (root / "information-return").mkdir()
    (root / "ratings").mkdir()
    (root / "actions").mkdir()
    (root / "files").mkdir()
    (root / "ascready.yaml").write_text(
        "council: Benchmark Council\nons_code: E06000998\nregion: South West\n"
        "portal_uploaders:\n  - role: Assurance Lead\n  - role: Programme Manager\n",
        encoding="utf-8",
    )
    for n in range(50):
        (root / "files" / f"doc-{n:02d}.md").write_text(f"# Document {n}\n", encoding="utf-8")
    for i in range(1, items + 1):
        qs = sorted(rng.sample(QS, rng.randint(1, 3)))
        cats = sorted(rng.sample(CATEGORIES[:4], rng.randint(1, 2)))
        source = (
            f"files/doc-{rng.randrange(50):02d}.md"
            if rng.random() < 0.5
            else f"https://www.benchmark.example/evidence/{i}"
        )
        summary = " ".join(_sentence(rng, rng.randint(8, 18)) for _ in range(rng.randint(3, 8)))
        (root / "evidence" / f"EV-{i:05d}.yaml").write_text(
            f"id: EV-{i:05d}\n"
            f"title: {_sentence(rng, 5)}\n"
            f"summary: >-\n  {summary}\n"
            f"kind: {rng.choice(KINDS)}\n"
            f"categories: [{', '.join(cats)}]\n"
            f"quality_statements: [{', '.join(qs)}]\n"
            f"information_return: [{rng.randint(1, 38)}]\n"
            f"care_act_duties: [wellbeing]\n"
            f"source: {source}\n"
            f"owner: Head of Service {rng.randint(1, 20)}\n"
            f"as_of: 2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}\n"
            f"review_by: 2099-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}\n"
            f"classification: {rng.choice(['public', 'public', 'official'])}\n"
            "status: current\n",
            encoding="utf-8",
        )
    for n in range(1, 39):
        ev = ", ".join(f"EV-{rng.randint(1, items):05d}" for _ in range(5))
        (root / "information-return" / f"IR-{n:02d}.yaml").write_text(
            f"number: {n}\ntitle: Item {n}\nquality_statements: [{rng.choice(QS)}]\n"
            f"status: ready\nowner: Assurance Lead\nevidence: [{ev}]\n",
            encoding="utf-8",
        )
    for q in QS:
        strengths = "".join(
            f"  - id: S-{q}-{k}\n    text: {_sentence(rng, 8)}\n"
            f"    evidence: [EV-{rng.randint(1, items):05d}]\n"
            for k in range(1, 6)
        )
        afis = "".join(
            f"  - id: AFI-{q}-{k}\n    text: {_sentence(rng, 8)}\n"
            f"    evidence: [EV-{rng.randint(1, items):05d}]\n    actions: [ACT-{q}-{k}]\n"
            for k in range(1, 4)
        )
        (root / "ratings" / f"{q}.yaml").write_text(
            f"quality_statement: {q}\nself_score: 3\nnarrative: {_sentence(rng, 30)}\n"
            f"strengths:\n{strengths}areas_for_improvement:\n{afis}",
            encoding="utf-8",
        )
        for k in range(1, 4):
            (root / "actions" / f"ACT-{q}-{k}.yaml").write_text(
                f"id: ACT-{q}-{k}\ntitle: {_sentence(rng, 6)}\nowner: Head of Service\n"
                f"due: 2099-03-31\nstatus: in-progress\nanswers: [AFI-{q}-{k}]\n",
                encoding="utf-8",
            )


def commit_and_change(root: Path, items: int) -> None:
    """Make the repository a git repository with one commit, then change 200 items."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Bench",
        "GIT_AUTHOR_EMAIL": "bench@example.org",
        "GIT_COMMITTER_NAME": "Bench",
        "GIT_COMMITTER_EMAIL": "bench@example.org",
    }
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
        subprocess.run(["git", "-c", "commit.gpgsign=false", *cmd], cwd=root, env=env, check=True)
    step = max(1, items // 200)
    for i in range(1, items + 1, step):
        path = root / "evidence" / f"EV-{i:05d}.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("status: current", "status: superseded"), encoding="utf-8")


def _run(cmd: list[str], expect: int = 0) -> float:
    env = {**os.environ, "NO_COLOR": "1"}
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != expect:
        sys.exit(f"bench: {' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}")
    return elapsed


def _medians(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Median wall time of each command, run in turn round by round, so that a slow patch of
    the machine affects every command alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            times[name].append(_run(cmd))
    return {name: statistics.median(t) for name, t in times.items()}


def _changed_workbook(register: Path, out: Path, rows: int) -> None:
    """The workbook with the owner of its first ``rows`` evidence items changed."""
    from openpyxl import load_workbook

    wb = load_workbook(register)
    ws = wb["Evidence"]
    header = [c.value for c in ws[1]]
    owner = header.index("Owner") + 1
    for r in range(2, rows + 2):
        ws.cell(r, owner, "Head of Quality Assurance")
    wb.save(out)


def reimport(tmp: Path, repo: Path, register: Path, validate: float, runs: int) -> None:
    """Import the repository's own workbook back into it (nothing changes), and one with 100
    rows changed (--update), each against validate."""
    again = tmp / "again"
    shutil.copytree(repo, again, ignore=shutil.ignore_patterns(".git"))
    git = ["git", "-C", str(again)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run(
        [*git, "-c", "user.name=bench", "-c", "user.email=bench@example.org", "commit", "-qm", "x"],
        check=True,
    )
    changed = tmp / "changed.xlsx"
    _changed_workbook(register, changed, 100)
    r = _medians(
        {
            "same": [
                "sh",
                "-c",
                f"git -C {again} checkout -q -- . && "
                f"{ASCREADY} import {register} --repo {again} >/dev/null",
            ],
            "changed": [
                "sh",
                "-c",
                f"git -C {again} checkout -q -- . && "
                f"{ASCREADY} import {changed} --repo {again} --update >/dev/null",
            ],
        },
        runs,
    )
    print(
        f"    ascready import, again (no change) {r['same']:6.3f} s   "
        f"ratio to validate {r['same'] / validate:.2f}"
    )
    print(
        f"    ascready import --update (100 rows) {r['changed']:5.3f} s   "
        f"ratio to validate {r['changed'] / validate:.2f}  (aim: little more than validate)"
    )


def scan_ratio() -> None:
    """The personal-data scan of 1 MiB of adversarial text (a pasted hash: one long word with
    digits, then a contact) against 1 MiB of ordinary prose with figures in it."""
    from ascready.checks.personal_data import scan

    size = 1 << 20
    rng = random.Random(2026)
    words = [
        f"{rng.randint(1, 2030)}" if i % 8 == 0 else rng.choice(WORDS) for i in range(size // 5)
    ]
    ordinary = " ".join(words)[:size]  # prose with a figure every few words
    adversarial = ("9f" * (size // 2))[: size - 40] + " jo@example.com 01632 960123"

    def best(text: str) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            scan(text, frozenset())
            times.append(time.perf_counter() - start)
        return min(times)

    plain, hostile = best(ordinary), best(adversarial)
    print(f"(c) personal-data scan, 1 MiB ordinary {plain:6.3f} s")
    print(
        f"    1 MiB adversarial (a long hash)   {hostile:7.3f} s   ratio {hostile / plain:.2f}  "
        "(aim: linear, within 5; it was about half an hour)"
    )


READ_BIG = """
import resource, sys, time
from pathlib import Path
from ascready.io.tables import read_tables
start = time.perf_counter()
tables, _ = read_tables(Path(sys.argv[1]))
took = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{took} {peak} {len(tables[0].rows)}")
"""


RUN_PEAK = """
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], capture_output=True).returncode
took = time.perf_counter() - start
print(took, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, code)
"""


def big_workbook(tmp: Path, rows: int = 200_000) -> None:
    """(d) Reading a workbook of ``rows`` evidence rows (the register's columns, shared
    strings as Excel writes them): time and peak memory of the process."""
    from openpyxl import Workbook

    rng = random.Random(2026)
    path = tmp / "big.xlsx"
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Evidence")
    header = ["ID", "Title", "Summary", "Kind", "Categories", "Quality statements", "Owner"]
    ws.append([*header, "Classification", "Status"])
    for i in range(1, rows + 1):
        ws.append(
            [
                f"EV-{i:06d}",
                _sentence(rng, 5),
                " ".join(_sentence(rng, 12) for _ in range(3)),
                rng.choice(KINDS),
                rng.choice(CATEGORIES),
                rng.choice(QS),
                f"Head of Service {rng.randint(1, 20)}",
                "public",
                "current",
            ]
        )
    wb.save(path)
    out = subprocess.run(
        [sys.executable, "-c", READ_BIG, str(path)], capture_output=True, text=True, check=True
    )
    took, peak, read = out.stdout.split()
    print(
        f"(d) reading a {rows:,}-row workbook ({path.stat().st_size >> 20} MB) "
        f"{float(took):6.1f} s   peak memory {float(peak):.0f} MB  (aim: under 500 MB; "
        f"{int(read) - 1:,} rows read)"
    )
    repo = tmp / "big-import"
    repo.mkdir()
    (repo / "ascready.yaml").write_text(
        "council: Benchmark Council\nons_code: E06000998\nregion: South West\n", encoding="utf-8"
    )
    runs = {}
    for name, command in (
        ("import", [ASCREADY, "import", str(path), "--repo", str(repo)]),
        ("validate", [ASCREADY, "validate", str(repo)]),
    ):
        out = subprocess.run(
            [sys.executable, "-c", RUN_PEAK, *command], capture_output=True, text=True, check=True
        )
        took, peak, code = out.stdout.split()
        runs[name] = (float(took), float(peak), code)
    (took, peak, code), (vtook, vpeak, vcode) = runs["import"], runs["validate"]
    print(
        f"    ascready import of it                 {took:6.1f} s   peak memory {peak:.0f} MB  "
        f"(exit {code}; aim: under 500 MB)"
    )
    print(
        f"    validate of the {rows:,} files it wrote {vtook:5.1f} s   peak memory {vpeak:.0f} MB"
        f"  (exit {vcode}); import/validate memory {peak / vpeak:.2f}: an import checks what "
        "validate checks, all files at once"
    )


def render_pdf(tmp: Path, repo: Path, validate: float) -> None:
    """``render --format pdf``, once (LibreOffice takes minutes on a document this size)."""
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        print("    ascready render --format pdf      not measured: LibreOffice is not installed")
        return
    out = tmp / "out.pdf"
    took = _run([ASCREADY, "render", str(repo), "--format", "pdf", "--out", str(out), "--force"])
    print(
        f"    ascready render --format pdf      {took:7.3f} s   ratio to validate "
        f"{took / validate:.2f}  (one run; {out.stat().st_size / 1e6:.1f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ascready-bench-"))
    try:
        repo = tmp / "repo"
        generate(repo, args.items)
        files = sum(1 for _ in repo.rglob("*.yaml"))
        print(
            f"Synthetic repository: {files:,} YAML files ({args.items:,} evidence items), "
            f"{os.cpu_count()} core(s)"
        )
        py = sys.executable
        # An installed wheel has its bytecode compiled at install time; an editable install
        # under PYTHONDONTWRITEBYTECODE would recompile ascready on every start instead.
        import ascready

        compileall.compile_dir(Path(ascready.__file__).parent, quiet=1)
        _run([ASCREADY, "validate", str(repo)])  # warm the file cache
        t = _medians(
            {
                "parse": [py, "-c", PARSE_LOOP, str(repo)],
                "validate": [ASCREADY, "validate", str(repo), "--format", "json"],
                "validate-1": [ASCREADY, "validate", str(repo), "--format", "json", "--jobs", "1"],
                "gaps": [ASCREADY, "gaps", str(repo), "--format", "json"],
                **{
                    f"render-{fmt}": [
                        ASCREADY,
                        "render",
                        str(repo),
                        "--format",
                        fmt,
                        "--out",
                        str(tmp / f"out.{fmt}"),
                        "--force",
                    ]
                    for fmt in ("md", "html", "docx")
                },
            },
            args.runs,
        )
        print(f"(a) bare C-loader parse loop          {t['parse']:7.3f} s")
        print(
            f"    ascready validate (all cores)     {t['validate']:7.3f} s   "
            f"ratio {t['validate'] / t['parse']:.2f}  (aim: below 1.0 with 2+ cores)"
        )
        print(
            f"    ascready validate --jobs 1        {t['validate-1']:7.3f} s   "
            f"ratio {t['validate-1'] / t['parse']:.2f}  (aim: within 1.5)"
        )
        print(
            f"    ascready gaps (all cores)         {t['gaps']:7.3f} s   "
            f"ratio to validate {t['gaps'] / t['validate']:.2f}  (aim: within 1.5)"
        )
        for fmt in ("md", "html", "docx"):
            print(
                f"    ascready render --format {fmt:<5}    {t[f'render-{fmt}']:7.3f} s   "
                f"ratio to validate {t[f'render-{fmt}'] / t['validate']:.2f}"
            )
        render_pdf(tmp, repo, t["validate"])
        register = tmp / "register.xlsx"
        target = tmp / "imported"
        # Each import starts from a repository with the profile and documents folder only.
        fresh = (
            f"rm -rf {target} && mkdir {target} && cp {repo / 'ascready.yaml'} {target}/ && "
            f"cp -r {repo / 'files'} {target}/"
        )
        r = _medians(
            {
                "validate": [ASCREADY, "validate", str(repo), "--format", "json"],
                "export": [ASCREADY, "export", str(repo), "--out", str(register), "--force"],
                "import": [
                    "sh",
                    "-c",
                    f"{fresh} && {ASCREADY} import {register} --repo {target} >/dev/null",
                ],
            },
            max(1, args.runs // 2),
        )
        print(
            f"    ascready export (workbook)        {r['export']:7.3f} s   "
            f"ratio to validate {r['export'] / r['validate']:.2f}"
        )
        print(
            f"    ascready import (that workbook)   {r['import']:7.3f} s   "
            f"ratio to validate {r['import'] / r['validate']:.2f}  (writes every file anew)"
        )
        if shutil.which("git"):
            reimport(tmp, repo, register, r["validate"], max(1, args.runs // 2))
        if shutil.which("git"):
            commit_and_change(repo, args.items)
            d = _medians(
                {
                    "gaps": [ASCREADY, "gaps", str(repo), "--format", "json"],
                    "diff": [ASCREADY, "diff", "HEAD", "--repo", str(repo), "--format", "json"],
                },
                args.runs,
            )
            print(
                f"    ascready diff HEAD (200 changed)  {d['diff']:7.3f} s   "
                f"ratio to gaps {d['diff'] / d['gaps']:.2f}  (aim: within 2.5; it loads both "
                "sides)"
            )
        s = _medians(
            {"typer": [py, "-c", "import typer"], "version": [ASCREADY, "--version"]},
            max(args.runs, 10),
        )
        print(f"(b) python -c 'import typer'          {s['typer']:7.3f} s")
        print(
            f"    ascready --version                {s['version']:7.3f} s   "
            f"ratio {s['version'] / s['typer']:.2f}  (aim: within 1.5)"
        )
        scan_ratio()
        big_workbook(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
