"""The "How we compare" charts: deterministic, with the numbers as their text alternative, in
the HTML page (inline SVG) and in Word (a picture with alt text)."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest

from ascready.checks.load import load_project
from ascready.document import charts
from ascready.document.render import build_context, render_project
from tests.conftest import REPO_ROOT

EXAMPLE = REPO_ROOT / "evidence"


@pytest.fixture(scope="module")
def context() -> dict[str, Any]:
    project, _ = load_project(EXAMPLE)
    return build_context(project, "internal")


def measured(context: dict[str, Any]) -> list[dict[str, Any]]:
    return [qs for t in context["themes"] for qs in t["quality_statements"] if qs["measures"]]


def test_the_svg_is_the_same_every_time_and_says_its_numbers(context: dict[str, Any]) -> None:
    qs = measured(context)[0]
    region = context["council"]["region"]
    first = charts.chart_svg(qs["measures"], region, qs["id"])
    assert first == charts.chart_svg(qs["measures"], region, qs["id"])
    assert first.startswith("<svg") and 'role="img"' in first
    assert "<metadata" not in first and "Matplotlib v" not in first
    desc = re.search(r"<desc id=\"[^\"]+\">(.*?)</desc>", first, re.DOTALL)
    title = re.search(r"<title id=\"[^\"]+\">(.*?)</title>", first, re.DOTALL)
    assert title and desc
    for m in qs["measures"]:
        assert m["value"] in desc.group(1)
        if m["england"]:
            assert f"England {m['england']}" in desc.group(1)


def test_two_charts_on_one_page_share_no_id(context: dict[str, Any]) -> None:
    region = context["council"]["region"]
    ids: list[str] = []
    for qs in measured(context):
        ids += re.findall(r'\bid="([^"]+)"', charts.chart_svg(qs["measures"], region, qs["id"]))
    assert len(ids) == len(set(ids))


def test_better_and_worse_are_said_in_words(context: dict[str, Any]) -> None:
    region = context["council"]["region"]
    for qs in measured(context):
        text = charts.describe(qs["measures"], region)
        for m in qs["measures"]:
            if m["compared_england"] in ("better", "worse"):
                assert f"{m['compared_england']} than England" in text


def test_the_png_is_the_same_every_time_without_software_or_date(context: dict[str, Any]) -> None:
    qs = measured(context)[0]
    region = context["council"]["region"]
    png = charts.chart_png(qs["measures"], region, qs["id"])
    assert png.startswith(b"\x89PNG") and png == charts.chart_png(qs["measures"], region, qs["id"])
    assert b"Software" not in png and b"matplotlib" not in png.lower()


def test_the_html_page_draws_each_measure() -> None:
    project, _ = load_project(EXAMPLE)
    html = render_project(project, "html", "public").decode("utf-8")
    context = build_context(project, "public")
    count = sum(len(qs["measures"]) for qs in measured(context))
    assert count and html.count('<svg id="chart-') == count
    assert html == render_project(project, "html", "public").decode("utf-8")


def test_word_has_each_chart_with_its_numbers_as_alt_text() -> None:
    project, _ = load_project(EXAMPLE)
    data = render_project(project, "docx", "internal")
    assert data == render_project(project, "docx", "internal")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        body = z.read("word/document.xml").decode("utf-8")
        pictures = [n for n in z.namelist() if n.startswith("word/media/")]
    context = build_context(project, "internal")
    statements = measured(context)
    assert len(pictures) == len(statements)
    descriptions = re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', body)
    assert len(descriptions) == len(statements)
    for qs, descr in zip(statements, descriptions, strict=True):
        for m in qs["measures"]:
            assert m["value"] in descr
