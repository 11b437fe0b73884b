"""The HTML self-assessment in a real headless browser (Debian's chromium).

No script from evidence text runs, and axe-core finds no accessibility violations. `make test`
installs chromium and axe-core where it can (tools/install-browser-tools.sh); without a
browser these tests are skipped, with the reason, rather than failing.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pypdf
import pytest
import yaml

from ascready.document.render import render_repository
from ascready.repository import models
from tests.browser import (
    Dom,
    axe_script,
    axe_violations,
    describe_violations,
    element_text,
    find_chromium,
    print_to_pdf,
    run_in_browser,
)
from tests.conftest import BASE, REPO_ROOT

pytestmark = pytest.mark.skipif(
    find_chromium() is None,
    reason="Debian's chromium is not installed: run `make test` as root, "
    "or `apt-get install chromium`",
)
needs_axe = pytest.mark.skipif(
    axe_script() is None,
    reason="axe-core is not installed: run `make test` (tools/install-browser-tools.sh), "
    "or `npm install --prefix .venv/browser-tools axe-core@4`",
)

EXAMPLE = REPO_ROOT / "evidence"
AUDIENCES = ("public", "internal")


def render_html(root: Path, audience: str) -> str:
    return render_repository(root, "html", audience).decode("utf-8")


# --- no script from evidence text runs ---------------------------------------------------------


def hostile(field: str) -> str:
    """Evidence text that would mark <body data-pwned="FIELD"> if it ever ran as code."""
    mark = f"document.body.setAttribute('data-pwned','{field}')"
    return (
        f'{field}: <script>{mark}</script> <img src=x onerror="{mark}"> {{{{ 7*7 }}}} '
        f'<a href="javascript:{mark}">click</a>'
    )


# Fields the document shows in both audiences, each with its own hostile text. Others get
# hostile text too (an evidence item's summary, which the HTML leaves out for most kinds): if
# they are ever shown, code_problems still checks them.
SHOWN_FIELDS = (
    "council",
    "evidence-title",
    "data-summary",
    "quote-summary",
    "quote-attribution",
    "narrative",
    "strength",
    "area",
    "action",
    "return-title",
)


def hostile_repository(make_repo: Callable[..., Path]) -> Path:
    def dump(data: dict[str, Any]) -> str:
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)

    def base(rel: str) -> dict[str, Any]:
        loaded: dict[str, Any] = yaml.safe_load((BASE / rel).read_text(encoding="utf-8"))
        return loaded

    # The public version shows everything it can, so that every field is tried in both.
    everything = dict.fromkeys(models.PublicVersion.model_fields, True)
    profile = base("ascready.yaml") | {
        "council": hostile("council"),
        "document": {"public": everything},
    }
    ev1 = base("evidence/EV-001.yaml") | {
        "title": hostile("evidence-title"),
        "summary": hostile("evidence-summary"),
    }
    quote = {
        "id": "EV-003",
        "title": "What a carer told us",
        "summary": hostile("quote-summary"),
        "attribution": hostile("quote-attribution"),
        "kind": "quote",
        "categories": ["peoples-experience"],
        "quality_statements": ["QS1"],
        "source": "javascript:document.body.setAttribute('data-pwned','source')",
        "as_of": "2026-06-30",
        "classification": "public",
    }
    data = {
        "id": "EV-004",
        "title": "Waiting times dashboard",
        "summary": hostile("data-summary"),
        "kind": "data",
        "categories": ["outcomes"],
        "quality_statements": ["QS1"],
        # A real-looking link whose quote would end the href="..." if it were not escaped.
        "source": 'https://www.testshire.example/x"><script>'
        "document.body.setAttribute('data-pwned','href')</script>",
        "as_of": "2026-06-30",
        "classification": "public",
    }
    narrative = "\n\n".join(
        [
            hostile("narrative"),
            "[a markdown link](javascript:document.body.setAttribute('data-pwned','md-link'))",
            "<javascript:document.body.setAttribute('data-pwned','autolink')>",
        ]
    )
    rating = base("ratings/QS1.yaml")
    rating["narrative"] = narrative
    rating["strengths"][0]["text"] = hostile("strength")
    rating["areas_for_improvement"][0]["text"] = hostile("area")
    action = base("actions/ACT-01.yaml") | {"title": hostile("action")}
    ret = base("information-return/IR-01.yaml") | {"title": hostile("return-title")}
    return make_repo(
        {
            "ascready.yaml": dump(profile),
            "evidence/EV-001.yaml": dump(ev1),
            "evidence/EV-003.yaml": dump(quote),
            "evidence/EV-004.yaml": dump(data),
            "ratings/QS1.yaml": dump(rating),
            "actions/ACT-01.yaml": dump(action),
            "information-return/IR-01.yaml": dump(ret),
        }
    )


def code_problems(dom: Dom) -> list[str]:
    """Places in the page where evidence text became code rather than text."""
    problems = []
    body = dom.attributes("body")
    if "data-pwned" in body:
        problems.append(f"a script from the field {body['data-pwned']!r} ran")
    problems += [f"<script> with evidence text: {s[:120]!r}" for s in dom.scripts if "pwned" in s]
    for tag, attrs in dom.elements:
        for name, value in attrs.items():
            if name.startswith("on") and "pwned" in value:
                problems.append(f"<{tag} {name}=...> from evidence text")
            # Browsers ignore leading spaces and control characters before the scheme.
            scheme = re.sub(r"[\x00-\x20]", "", value).lower()
            if name in ("href", "src", "action", "formaction") and scheme.startswith("javascript:"):
                problems.append(f'<{tag} {name}="{value[:80]}">')
        if tag == "img" and attrs.get("src") == "x":
            problems.append("<img src=x> from evidence text")
    return problems


def test_the_check_catches_a_script_that_runs() -> None:
    """The checks below can fail: evidence text pasted in raw is caught."""
    page = f"<!doctype html><html><body><p>{hostile('raw')}</p></body></html>"
    problems = code_problems(Dom(run_in_browser(page)))
    assert "a script from the field 'raw' ran" in problems
    assert any(p.startswith("<script> with evidence text") for p in problems)
    assert "<img src=x> from evidence text" in problems


@pytest.mark.parametrize("audience", AUDIENCES)
def test_no_script_from_evidence_text_runs(make_repo: Callable[..., Path], audience: str) -> None:
    html = render_html(hostile_repository(make_repo), audience)
    dom = Dom(run_in_browser(html))

    assert code_problems(dom) == []
    # The hostile text is shown as the text it is, markup and template braces included.
    missing = [f for f in SHOWN_FIELDS if " ".join(hostile(f).split()) not in dom.text]
    assert missing == [], f"not shown literally, as text: {missing}"
    assert "{{ 7*7 }}" in dom.text  # kept as written: evidence text is never template source


# --- accessibility -----------------------------------------------------------------------------


@needs_axe
def test_axe_finds_a_missing_alt() -> None:
    """The harness can fail: a known violation is reported."""
    page = (
        '<!doctype html><html lang="en"><head><title>Test</title></head>'
        '<body><main><h1>Test</h1><img src="chart.png"></main></body></html>'
    )
    violations = axe_violations(page)
    assert "image-alt" in {v["id"] for v in violations}, describe_violations(violations)


@needs_axe
def test_axe_passes_a_clean_page() -> None:
    """The harness adds no violations of its own (the results element comes after the run)."""
    page = (
        '<!doctype html><html lang="en"><head><title>Test</title></head>'
        '<body><main><h1>Test</h1><p>Fine.</p><img src="chart.png" alt="A chart">'
        "</main></body></html>"
    )
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)


@needs_axe
@pytest.mark.parametrize("audience", AUDIENCES)
def test_example_document_has_no_accessibility_violations(audience: str) -> None:
    violations = axe_violations(render_html(EXAMPLE, audience))
    assert violations == [], (
        f"axe-core found {len(violations)} accessibility violation(s) in the {audience} "
        f"HTML of the example repository:\n{describe_violations(violations)}"
    )


# --- on a phone, and on paper ------------------------------------------------------------------

PHONE = 390
# The page in an iframe as wide as a phone: headless chromium will not make its window narrower
# than 500 px, but an iframe is a viewport of its own, with the same media queries.
WIDTH_PROBE = """
<!doctype html><html><body style="margin:0">
<iframe id="phone" style="border:0;width:%dpx;height:900px" srcdoc="%s"></iframe>
<script>
window.addEventListener('load', function () {
  var frame = document.getElementById('phone');
  var inner = frame.contentWindow, doc = frame.contentDocument;
  var pre = document.createElement('pre');
  pre.id = 'page-width';
  pre.textContent = JSON.stringify({viewport: inner.innerWidth,
    page: Math.max(doc.documentElement.scrollWidth, doc.body.scrollWidth)});
  document.body.appendChild(pre);
});
</script></body></html>
"""


def page_width(html: str, width: int) -> dict[str, int]:
    """How wide the viewport is and how wide the page is, in CSS pixels, in chromium."""
    dom = run_in_browser(WIDTH_PROBE % (width, escape(html, quote=True)))
    found = element_text(dom, "page-width")
    assert found is not None, "the width probe did not run"
    measured: dict[str, int] = json.loads(found)
    return measured


def test_the_width_check_catches_a_page_too_wide_for_a_phone() -> None:
    wide = '<!doctype html><html><body><div style="width:735px">A page laid out at 735 px</div>'
    measured = page_width(wide + "</body></html>", PHONE)
    assert measured["viewport"] == PHONE
    assert measured["page"] > PHONE


@pytest.mark.parametrize("audience", AUDIENCES)
def test_no_sideways_scroll_on_a_phone(audience: str) -> None:
    measured = page_width(render_html(EXAMPLE, audience), PHONE)
    assert measured["viewport"] == PHONE
    assert measured["page"] <= PHONE, (
        f"the {audience} page is {measured['page']} px wide at a {PHONE} px viewport"
    )


class _Blocks(HTMLParser):
    """The text of each heading and each table row of a page, white space taken out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: set[str] = set()
        self.rows: set[str] = set()
        self.header_rows: set[str] = set()
        self.contents: list[str] = []
        self._nav = False
        self._open: list[tuple[str, list[str]]] = []
        self._in_head = False
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "svg"):
            self._skip += 1
        elif tag == "thead":
            self._in_head = True
        elif tag == "nav":
            self._nav = True
        elif tag in ("h1", "h2", "h3", "h4", "tr"):
            self._open.append((tag, []))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "svg"):
            self._skip -= 1
        elif tag == "thead":
            self._in_head = False
        elif tag == "nav":
            self._nav = False
        elif self._open and self._open[-1][0] == tag:
            _, text = self._open.pop()
            flat = "".join("".join(text).split())
            if tag != "tr":
                self.headings.add(flat)
            else:
                (self.header_rows if self._in_head else self.rows).add(flat)

    def handle_data(self, data: str) -> None:
        if self._nav:
            self.contents.append(data)
        if not self._skip:
            for _, text in self._open:
                text.append(data)


def printed_pages(html: str) -> list[tuple[float, float, str]]:
    """Each printed page's width and height in points and its text, white space taken out."""
    reader = pypdf.PdfReader(io.BytesIO(print_to_pdf(html)))
    return [
        (
            float(page.mediabox.width),
            float(page.mediabox.height),
            "".join(page.extract_text().split()),
        )
        for page in reader.pages
    ]


def stranded(html: str, pages: list[tuple[float, float, str]]) -> list[str]:
    """Pages that hold only a heading or a single table row, and headings left at the foot of
    a page. The footer (page number, version) and a table's repeated header row are not
    counted as the page's content."""
    blocks = _Blocks()
    blocks.feed(html)
    problems = []
    for number, (_, _, text) in enumerate(pages, 1):
        body = re.sub(r"Page\d+of\d+", "", text)
        for furniture in ("Internalversion:notforpublication", "Publicversion"):
            body = body.replace(furniture, "", 1) if body.startswith(furniture) else body
        body = body.replace("Publicversion", "", 1) if "Publicversion" in body[:40] else body
        if number == 1 and "Contents" in body:
            body = body.split("Contents", 1)[0]  # the cover: its contents lists the headings
        for header in blocks.header_rows:
            if header and body.startswith(header):
                body = body[len(header) :]
        if body in blocks.headings:
            problems.append(f"page {number} holds only the heading {body!r}")
        elif body in blocks.rows:
            problems.append(f"page {number} holds only one table row: {body[:60]!r}")
        elif number < len(pages):
            ending = [h for h in blocks.headings if len(h) > 3 and body.endswith(h)]
            if ending:
                problems.append(f"page {number} ends with the heading {ending[0]!r}")
    return problems


def test_the_print_check_catches_a_heading_left_at_the_foot_of_a_page() -> None:
    page = (
        "<!doctype html><html><head><style>@page { size: A4 }</style></head><body>"
        + "".join(f"<p>Line {i} of the first page.</p>" for i in range(40))
        + "<h2>A stranded heading</h2><p style='break-before: page'>Next page.</p>"
        + "<table><tr><td>A lone row</td></tr></table></body></html>"
    )
    pages = printed_pages(page)
    problems = stranded(page, pages)
    assert any("ends with the heading 'Astrandedheading'" in p for p in problems), problems


@pytest.mark.parametrize("audience", AUDIENCES)
def test_printed_on_a4_with_nothing_stranded(audience: str) -> None:
    html = render_html(EXAMPLE, audience)
    pages = printed_pages(html)
    not_a4 = [n for n, (w, h, _) in enumerate(pages, 1) if abs(w - 595.3) > 2 or abs(h - 841.9) > 2]
    assert not_a4 == [], f"pages not A4: {not_a4}"
    assert stranded(html, pages) == []
    # The first page is the cover with the contents, not a title alone on a blank page.
    blocks = _Blocks()
    blocks.feed(html)
    first = pages[0][2]
    assert "Contents" in first and "AppendixA:Evidenceindex" in first
