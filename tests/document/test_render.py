"""ascready render: the self-assessment in every format and audience, and the return pack."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from ascready.checks.load import load_project
from ascready.cli import app
from ascready.document import render as render_module
from ascready.document.render import build_context, render_project, render_repository
from tests.conftest import REPO_ROOT

MakeRepo = Callable[..., Path]
EXAMPLE = REPO_ROOT / "evidence"
GOLDEN = REPO_ROOT / "tests" / "golden"


@pytest.mark.parametrize("audience", ["public", "internal"])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_golden_documents_of_the_example(fmt: str, audience: str, update_golden: bool) -> None:
    data = render_repository(EXAMPLE, fmt, audience)
    golden = GOLDEN / f"self-assessment-{audience}.{fmt}"
    if update_golden:
        golden.write_bytes(data)
    assert data == golden.read_bytes(), f"differs from {golden}: run pytest --update-golden"
    assert data == render_repository(EXAMPLE, fmt, audience), "not deterministic"


def test_document_structure(tmp_path: Path) -> None:
    text = render_repository(EXAMPLE, "md", "internal").decode("utf-8")
    headings = re.findall(r"^(#{1,3}) (.+)$", text, re.M)
    themes = [h for level, h in headings if level == "##" and h.startswith("Theme")]
    assert [t.split(":")[0] for t in themes] == ["Theme 1", "Theme 2", "Theme 3", "Theme 4"]
    qs = [h.split()[0] for level, h in headings if level == "###" and h.startswith("QS")]
    assert qs == [f"QS{n}" for n in range(1, 10)]
    qs1 = yaml.safe_load((EXAMPLE / "ratings/QS1.yaml").read_text(encoding="utf-8"))
    assert f"**Self-score:** {qs1['self_score']} (" in text
    assert qs1["strengths"][0]["text"] in text
    assert "Appendix A: Evidence index" in text and "Appendix B: Information return index" in text
    appendix_b = text.split("## Appendix B")[1]
    assert len(re.findall(r"^\| \d+ \|", appendix_b, re.M)) == 38


def test_statements_presented_under_another_theme_appear_once_there() -> None:
    text = render_repository(EXAMPLE, "md", "public").decode("utf-8")
    rating = yaml.safe_load((EXAMPLE / "ratings/QS4.yaml").read_text(encoding="utf-8"))
    moved = next(s for s in rating["strengths"] if s.get("presented_under") == "T1")
    assert text.count(moved["text"]) == 1
    theme1 = text.split("## Theme 2")[0]
    assert moved["text"] in theme1.split("### Also presented under theme 1")[1]


# --- what is not public never appears in public output -----------------------------------------


def _canary_repo(make_repo: MakeRepo) -> tuple[Path, list[str]]:
    canaries = [f"CANARY{n:02d}XQZ" for n in range(8)]
    c = iter(canaries)
    files = {
        "files/c.md": "secret\n",
        "evidence/EV-901.yaml": yaml.safe_dump(
            {
                "id": f"EV-{next(c)}",
                "title": f"Case audit {next(c)}",
                "summary": f"Sum {next(c)}",
                "kind": "audit",
                "categories": ["processes"],
                "quality_statements": ["QS1"],
                "information_return": [1],
                "source": f"https://intranet.example/{next(c)}",
                "owner": f"Owner {next(c)}",
                "classification": "official-sensitive",
            }
        ),
        "evidence/EV-902.yaml": yaml.safe_dump(
            {
                "id": "EV-902",
                "title": f"Staff quote {next(c)}",
                "summary": f"Quote {next(c)}",
                "kind": "quote",
                "categories": ["staff-and-leaders"],
                "quality_statements": ["QS1"],
                "attribution": f"Manager {next(c)}",
                "information_return": [2],
                "classification": "official",
            }
        ),
    }
    root = make_repo(files)
    # Cite both from the self-assessment and the return, as a council would.
    rating = yaml.safe_load((root / "ratings/QS1.yaml").read_text(encoding="utf-8"))
    rating["strengths"][0]["evidence"] += [f"EV-{canaries[0]}", "EV-902"]
    (root / "ratings/QS1.yaml").write_text(yaml.safe_dump(rating), encoding="utf-8")
    for name, ref in (("IR-01.yaml", f"EV-{canaries[0]}"), ("IR-02.yaml", "EV-902")):
        item = yaml.safe_load((root / "information-return" / name).read_text(encoding="utf-8"))
        item["evidence"].append(ref)
        (root / "information-return" / name).write_text(yaml.safe_dump(item), encoding="utf-8")
    return root, canaries


def _all_text(data: bytes, fmt: str) -> str:
    if fmt != "docx":
        return data.decode("utf-8")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # every part: body, properties, rels
        return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_no_canary_from_non_public_evidence_in_public_output(fmt: str, make_repo: MakeRepo) -> None:
    root, canaries = _canary_repo(make_repo)
    project, findings = load_project(root)
    assert not [f for f in findings if f.severity.value == "error"], findings
    public = _all_text(render_project(project, fmt, "public"), fmt)
    internal = _all_text(render_project(project, fmt, "internal"), fmt)
    assert [c for c in canaries if c in public] == []
    # The canaries are real: the internal version carries them (owners are left out of both).
    # (An audit's summary and every owner are left out of both versions.)
    assert {c for c in canaries if c in internal} >= {
        canaries[0],
        canaries[1],
        canaries[5],
        canaries[6],
    }


def test_internal_version_marks_classifications() -> None:
    html = render_repository(EXAMPLE, "html", "internal").decode("utf-8")
    assert 'class="badge badge-official-sensitive"' in html
    assert "Internal version: not for publication" in html
    public = render_repository(EXAMPLE, "html", "public").decode("utf-8")
    assert 'class="badge' not in public


# --- evidence text is data ----------------------------------------------------------------------


def _hostile_repo(make_repo: MakeRepo) -> Path:
    hostile = "{{ 7*7 }} {% if true %}x{% endif %} <script>alert('x')</script> <b>bold</b>"
    root = make_repo(
        {
            "evidence/EV-009.yaml": yaml.safe_dump(
                {
                    "id": "EV-009",
                    "title": hostile,
                    "summary": hostile,
                    "kind": "quote",
                    "categories": ["peoples-experience"],
                    "quality_statements": ["QS1"],
                    "attribution": hostile,
                    "classification": "public",
                }
            )
        }
    )
    rating = yaml.safe_load((root / "ratings/QS1.yaml").read_text(encoding="utf-8"))
    rating["narrative"] = f"Intro. {hostile}\n\n[link](javascript:alert(1)) # not a heading"
    rating["strengths"][0]["text"] = hostile
    (root / "ratings/QS1.yaml").write_text(yaml.safe_dump(rating), encoding="utf-8")
    return root


def test_html_escapes_evidence_and_never_evaluates_it(make_repo: MakeRepo) -> None:
    html = render_repository(_hostile_repo(make_repo), "html", "internal").decode("utf-8")
    assert "{{ 7*7 }}" in html and "49" not in html.split("<body>")[1].split("Appendix")[0]
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>bold</b>" not in html
    assert (
        "javascript:" not in re.findall(r'href="([^"]*)"', html) and 'href="javascript' not in html
    )


def test_markdown_keeps_evidence_literal(make_repo: MakeRepo) -> None:
    md = render_repository(_hostile_repo(make_repo), "md", "internal").decode("utf-8")
    assert "{{ 7\\*7 }}" in md or "{{ 7*7 }}" in md
    assert "<script>" not in md


# --- templates a council can own --------------------------------------------------------------


def test_repository_template_overrides_the_built_in(make_repo: MakeRepo) -> None:
    root = make_repo({"templates/self-assessment.md.j2": "Ours: {{ council.name }}\n"})
    assert render_repository(root, "md", "public") == b"Ours: Testshire Council\n"
    assert render_repository(root, "html", "public").startswith(b"<!DOCTYPE html>")


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("line one\n{{ council.nmae }}\n", "templates/self-assessment.md.j2:2"),
        ("ok\nok\n{% for x in themes %}\nno end\n", "templates/self-assessment.md.j2:"),
        ("{{ council.name | nosuchfilter }}\n", "templates/self-assessment.md.j2:1"),
        # Found by tests/test_fuzz.py: a council's template is code, and whatever it raises is
        # the template's failure (exit 2), not a bug in ascready (exit 3).
        ("ok\n{{ 1 / 0 }}\n", "templates/self-assessment.md.j2:2: the template failed"),
        ("{{ range(10**9) | list }}\n", "templates/self-assessment.md.j2:1: the template failed"),
        ("{{ {}.pop(1) }}\n", "templates/self-assessment.md.j2:1: the template failed"),
        ("{% include 'self-assessment.md.j2' %}\n", "includes or calls itself without end"),
        ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}\n", "calls itself without end"),
        ("{% if 1 %}" * 3000 + "{% endif %}" * 3000, "too deeply"),
        ("{% if 1 %}" * 150 + "x" + "{% endif %}" * 150, "too deeply to compile"),
        ("caf\xe9 {{ council.name }}\n".encode("latin-1"), "is not UTF-8 text"),
    ],
    ids=[
        "undefined",
        "syntax",
        "unknown-filter",
        "division-by-zero",
        "range-too-big",
        "key-error",
        "includes-itself",
        "recursive-macro",
        "nested-too-deeply",
        "nested-past-python",
        "not-utf-8",
    ],
)
def test_template_errors_name_file_and_line(
    template: str | bytes, expected: str, make_repo: MakeRepo, runner: CliRunner
) -> None:
    root = make_repo({"templates/self-assessment.md.j2": template})
    out = root / "out.md"
    out.write_text("previous version\n", encoding="utf-8")
    result = runner.invoke(
        app, ["render", str(root), "--format", "md", "--out", str(out), "--force"]
    )
    assert result.exit_code == 2
    assert expected in result.stderr.replace(str(root) + "/", "")
    assert "Traceback" not in result.output
    assert out.read_text(encoding="utf-8") == "previous version\n"  # untouched on failure


def test_a_built_in_template_failing_is_a_bug_not_a_template_error(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only a council's own template is blamed for what it raises; the built-in one failing
    # must reach the CLI's boundary as a bug (exit 3, "please report it").
    def broken(text: object) -> str:
        raise RuntimeError("a bug in a filter")

    monkeypatch.setattr(render_module, "escape", broken)
    with pytest.raises(RuntimeError, match="a bug in a filter"):
        render_repository(make_repo(), "md", "public")


# --- the command ------------------------------------------------------------------------------


def test_render_writes_atomically_and_refuses_to_overwrite(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "sa.docx"
    ok = runner.invoke(app, ["render", str(EXAMPLE), "--format", "docx", "--out", str(out)])
    assert ok.exit_code == 0 and zipfile.is_zipfile(out)
    again = runner.invoke(app, ["render", str(EXAMPLE), "--format", "docx", "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary file left"


def test_render_usage_errors(runner: CliRunner) -> None:
    assert runner.invoke(app, ["render", str(EXAMPLE), "--format", "pdf"]).exit_code == 2
    assert runner.invoke(app, ["render", str(EXAMPLE), "--audience", "press"]).exit_code == 2
    docx = runner.invoke(app, ["render", str(EXAMPLE), "--format", "docx"])
    assert docx.exit_code == 2 and "--out" in docx.stderr


def test_context_never_holds_non_public_evidence_for_the_public() -> None:
    project, _ = load_project(EXAMPLE)
    public = build_context(project, "public")
    assert {e["classification"] for e in public["evidence"]} == {"public"}
    cited = [
        e
        for t in public["themes"]
        for q in t["quality_statements"]
        for s in (*q["strengths"], *q["areas_for_improvement"])
        for e in s["evidence"]
    ]
    assert {e["classification"] for e in cited} <= {"public"}


# --- the information-return pack ---------------------------------------------------------------


def test_pack_folder_and_zip(runner: CliRunner, tmp_path: Path) -> None:
    folder, archive = tmp_path / "pack", tmp_path / "pack.zip"
    assert runner.invoke(app, ["render", str(EXAMPLE), "--pack", str(folder)]).exit_code == 0
    index = (folder / "index.md").read_text(encoding="utf-8")
    assert len(re.findall(r"^## \[ \] \d+\. ", index, re.M)) == 38
    sources = [
        yaml.safe_load(p.read_text(encoding="utf-8")) for p in (EXAMPLE / "evidence").glob("*.yaml")
    ]
    cited = {
        n
        for p in (EXAMPLE / "information-return").glob("*.yaml")
        for n in yaml.safe_load(p.read_text(encoding="utf-8")).get("evidence", [])
    }
    local = {
        s["id"]: s["source"]
        for s in sources
        if s["id"] in cited and s.get("source", "").startswith("files/")
    }
    copied = {p.name.split("-", 2)[0] + "-" + p.name.split("-", 2)[1] for p in folder.rglob("EV-*")}
    assert copied == set(local)
    assert runner.invoke(app, ["render", str(EXAMPLE), "--pack", str(archive)]).exit_code == 0
    first = archive.read_bytes()
    with zipfile.ZipFile(archive) as z:
        assert "index.md" in z.namelist() and len(z.namelist()) == len(local) + 1
    again = runner.invoke(app, ["render", str(EXAMPLE), "--pack", str(archive), "--force"])
    assert again.exit_code == 0 and archive.read_bytes() == first  # deterministic
    refused = runner.invoke(app, ["render", str(EXAMPLE), "--pack", str(folder)])
    assert refused.exit_code == 2


def test_pack_reports_missing_files(runner: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo()
    (root / "files/carers-strategy.md").unlink()
    result = runner.invoke(app, ["render", str(root), "--pack", str(root.parent / "p")])
    assert result.exit_code == 1
    assert "missing: item 1: EV-001 files/carers-strategy.md (file not found)" in result.stderr
    index = (root.parent / "p" / "index.md").read_text(encoding="utf-8")
    assert "MISSING: EV-001" in index and "## Missing" in index


def test_written_files_get_normal_permissions(runner: CliRunner, tmp_path: Path) -> None:
    import os

    out = tmp_path / "sa.md"
    assert (
        runner.invoke(app, ["render", str(EXAMPLE), "--format", "md", "--out", str(out)]).exit_code
        == 0
    )
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_markdown_stops_mentions_and_keeps_email_addresses_whole(make_repo: MakeRepo) -> None:
    """Text in the Markdown document goes through the one escaper that gaps and diff use."""
    summary = "Ask @jsmith, or write to adults@testshire.example. **Not bold** ~~not struck~~"
    root = make_repo(
        {
            "evidence/EV-009.yaml": yaml.safe_dump(
                {
                    "id": "EV-009",
                    "title": "Carers' feedback",
                    "summary": summary,
                    "kind": "quote",
                    "categories": ["peoples-experience"],
                    "quality_statements": ["QS1"],
                    "classification": "public",
                }
            )
        }
    )
    md = render_repository(root, "md", "public").decode("utf-8")
    quote = next(line for line in md.splitlines() if "jsmith" in line)
    assert "@\u2060jsmith" in quote
    assert "adults@testshire.example" in quote  # copies as an address
    assert "\\*\\*Not bold\\*\\*" in quote and "\\~\\~not struck\\~\\~" in quote


# --- a Markdown document does nothing when it is opened ---------------------------------------

#: A stock CommonMark viewer that trusts every address (the worst a council's reader may use).
_TRUSTING = MarkdownIt("commonmark")
_TRUSTING.validateLink = lambda url: True  # type: ignore[method-assign]

NARRATIVE_PAYLOADS = [
    "Read this ![pixel](https://tracker.example/p.gif?board=1) now",
    '![pixel](https://tracker.example/p.gif "title") and ![][pic]\n\n[pic]: //tracker.example/q',
    "[click](javascript:alert(1)) and [file](file:///etc/passwd)",
    "[vb](vbscript:msgbox) [data](data:text/html;base64,PHNjcmlwdD4=) [JS](JAVASCRIPT:x)",
    "[ref] is a link\n\n[ref]: javascript:alert(document.cookie)",
    "<javascript:alert(1)> and <img src=https://tracker.example/r.gif>",
    "- item ![i](http://tracker.example/l.gif)\n  > [q](file:///c:/x)",
]


@pytest.mark.parametrize("payload", NARRATIVE_PAYLOADS)
def test_markdown_narrative_fetches_nothing_and_links_only_to_the_web(
    payload: str, make_repo: MakeRepo
) -> None:
    root = make_repo()
    path = root / "ratings/QS1.yaml"
    rating = yaml.safe_load(path.read_text(encoding="utf-8"))
    rating["narrative"] = f"Our offer. {payload}\n\nSee [our strategy](https://council.example/s)."
    path.write_text(yaml.safe_dump(rating), encoding="utf-8")
    md = render_repository(root, "md", "public").decode("utf-8")
    shown = _TRUSTING.render(md)
    assert "<img" not in shown
    hrefs = re.findall(r'href="([^"]*)"', shown)
    assert "https://council.example/s" in hrefs  # a safe link still works
    assert all(re.match(r"(https?:|mailto:|#)", h) for h in hrefs), hrefs
    assert not re.search(r"\]\([^)]*(tracker|javascript)", md, re.IGNORECASE)  # not as links
    assert "Our offer." in shown


MARKDOWNISH = st.lists(
    st.sampled_from(
        [
            *"ab 1.-+`#>![]()=~\\&<",
            *["\n", "\n\n", "- ", "1. ", "2) ", "> ", "    ", "\t", "```\n", "* "],
            *["*em* ", " **strong**", "_so_ ", "a*b*c", " __s__", "[x](y)"],
            *["[t](https://e.example/p)", "[m](mailto:a@e.example)"],
        ]
    ),
    max_size=60,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(MARKDOWNISH)
@example("- ```\n  a\n  b\n  ```")  # code of two lines in a list: both stay in the item
@example("> ```\n> a\n> b\n> ```")  # and in a quote
@example("- ```\n\n    ")  # a line of spaces in code in a list item (found by Hypothesis)
def test_a_narrative_without_images_reads_exactly_as_written(text: str) -> None:
    """Written again, a narrative shows exactly as before, but for its images, links to other
    than the web and headings (bold text: the document's headings are the document's)."""
    from ascready.output.markdown import narrative

    plain = MarkdownIt("commonmark", {"html": False})
    text = text.replace("\r", "") + "\n"  # a narrative ends a line, as YAML's | gives it
    before = _TRUSTING.render(text)
    assume("<img" not in before and not re.search("<h[1-6]>", before))  # written otherwise
    assume("<li></li>" not in before)  # an empty item ends a list: not a narrative's concern
    assume(all(re.match(r"(https?:|mailto:|#)", h) for h in re.findall(r'href="([^"]*)"', before)))
    untyped = re.compile(r' class="language-[^"]*"')  # a code block's language is dropped
    assert plain.render(narrative(text)) == untyped.sub("", plain.render(text))
