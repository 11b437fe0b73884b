"""``ascready render --format docx``: the self-assessment as a Word document a council can edit.

:func:`render_docx` takes the context from :func:`ascready.document.render.build_context`, already
filtered for its audience, and returns the bytes of a ``.docx`` file. It prints nothing and
writes nothing.

The document uses Word's built-in styles ("Title", "Heading 1" to "Heading 4", "List Bullet",
"List Number", "Quote", "Table Grid"), so its headings show in Word's navigation pane and a
council's own template can restyle it. Each quality statement's performance measures ("How we
compare") and the appendices are real tables, the appendices in a landscape section, with header
rows that repeat on every page.

The same context always gives the same bytes: the document properties carry a fixed date and
every zip entry a fixed time, never the clock.

Everything from the evidence is data. It is written as text, never as markup or a field:
``{{ 7*7 }}`` and ``<script>`` come out as written. Narratives are Markdown; raw HTML in them is
shown as text, and links are shown as their text with the address in brackets. Characters an
XML file cannot hold (control characters other than tab and line feed) are left out.

python-docx and markdown-it-py are imported inside the functions that use them, so that the
command line starts quickly.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ascready.document.colours import heatmap_colour, heatmap_text_colour
from ascready.document.inline import InlineRuns
from ascready.io.writing import fixed_zip_times
from ascready.output import words
from ascready.output.words import INTERNAL_LINE, PUBLIC_LINE
from ascready.output.xlsx import CONTROL_OR_NOT_XML

if TYPE_CHECKING:
    from docx.document import Document
    from docx.text.paragraph import Paragraph
    from markdown_it.token import Token

MADE = dt.datetime(2000, 1, 1, 0, 0, 0)  # UTC; python-docx writes it with a "Z"
ZIP_DATE = dt.date(2000, 1, 1)
AUTHOR = "ascready"

MONOSPACE = "Courier New"
TABLE_STYLE = "Table Grid"
# Deepest list level with its own built-in style ("List Bullet 3", "List Number 3").
MAX_LIST_LEVEL = 3


def clean(text: object) -> str:
    """Text that python-docx can write: line ends made line feeds, impossible characters out."""
    value = "" if text is None else str(text)
    # What XML cannot hold, and the control characters Word chokes on, are left out; carriage
    # returns become line feeds first.
    return CONTROL_OR_NOT_XML.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def one_line(text: object) -> str:
    """Clean text on one line: runs of white space, line feeds included, become one space."""
    return " ".join(clean(text).split())


def long_date(iso: str) -> str:
    """``2026-11-09`` as ``9 November 2026`` (no locale involved); anything else as it is."""
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return one_line(iso)
    return words.long_date(day)


class _Writer:
    """Adds the parts of the self-assessment to one python-docx document."""

    def __init__(self, doc: Document, context: dict[str, Any]) -> None:
        self.doc = doc
        self.context = context
        self.internal = context.get("audience") == "internal"
        self.style_ids: dict[str, str] = {}
        # (quality statement, "strength" or "area") -> the theme each one moved to, by name
        self.moved: dict[tuple[str, str], list[str]] = {}
        for theme in context.get("themes") or []:
            name = f"Theme {theme['number']}: {one_line(theme['title'])}"
            for s in theme.get("also_presented") or []:
                key = (s.get("quality_statement", ""), s.get("kind", ""))
                self.moved.setdefault(key, []).append(name)

    # --- small pieces -----------------------------------------------------------------------

    def paragraph(
        self, text: str = "", style: str | None = None, *, bold: bool = False
    ) -> Paragraph:
        p = self.doc.add_paragraph()
        if style:
            # Setting the style by name makes python-docx search every style, every time.
            p._p.style = self._style_id(style)
        if text:
            self.run(p, text, bold=bold)
        return p

    def _style_id(self, name: str) -> str:
        if name not in self.style_ids:
            self.style_ids[name] = self.doc.styles[name].style_id
        return self.style_ids[name]

    def heading(self, text: str, level: int) -> Paragraph:
        return self.paragraph(one_line(text), f"Heading {level}")

    def run(
        self,
        p: Paragraph,
        text: str,
        *,
        bold: bool = False,
        italic: bool = False,
        mono: bool = False,
    ) -> None:
        value = clean(text)
        if not value:
            return
        r = p.add_run(value)
        if bold:
            r.bold = True
        if italic:
            r.italic = True
        if mono:
            r.font.name = MONOSPACE

    def mark(self, row: dict[str, Any]) -> str:
        """`` [official-sensitive]`` after an evidence mention, in the internal version only."""
        return f" [{row.get('classification', '')}]" if self.internal else ""

    def cite(self, rows: Iterable[dict[str, Any]]) -> str:
        return "; ".join(f"{one_line(r.get('label') or r['id'])}{self.mark(r)}" for r in rows)

    @property
    def show(self) -> dict[str, bool]:
        shown: dict[str, bool] = self.context.get("show") or {}
        return shown

    def section_heading(self, section_id: str) -> None:
        """A top-level section's heading, as every format names it."""
        self.heading(self.context["headings"][section_id], 1)

    def lead_in(self, text: str) -> None:
        self.paragraph(text, bold=True)

    # --- the document -------------------------------------------------------------------------

    def title(self) -> str:
        council = one_line(self.context.get("council", {}).get("name", ""))
        return (
            f"{council} adult social care self-assessment"
            if council
            else "Adult social care self-assessment"
        )

    def front(self) -> None:
        ctx = self.context
        self.paragraph(self.title(), "Title")
        framework = one_line(ctx.get("framework", {}).get("title", ""))
        if framework:
            self.paragraph(framework, "Subtitle")
        self.paragraph(INTERNAL_LINE if self.internal else PUBLIC_LINE, bold=True)

        self.summary()
        self.section_heading("introduction")
        council = ctx.get("council", {})
        name = one_line(council.get("name", ""))
        if name and framework:
            self.paragraph(
                f"This is {name}'s self-assessment of its adult social care, set out under "
                f"the themes and quality statements of the {framework}."
            )
        for label, key in (("Council", "name"), ("ONS code", "ons_code"), ("Region", "region")):
            value = one_line(council.get(key, ""))
            if value:
                p = self.paragraph()
                self.run(p, f"{label}: ", bold=True)
                self.run(p, value)
        if ctx.get("layout") == "by-theme":
            self.paragraph(
                "Each theme lists our strengths and then our areas for improvement in our own "
                "order; each is tagged with the quality statements it evidences."
            )
        labels = ctx.get("score_labels", {}) if self.show.get("self_scores", True) else {}
        if labels:
            self.lead_in("Self-scores")
            self.paragraph("Each quality statement has our own score, on CQC's scale:")
            for score, label in sorted(labels.items(), key=lambda kv: str(kv[0])):
                self.paragraph(f"{one_line(score)}: {one_line(label)}", "List Bullet")

    def summary(self) -> None:
        """The answer first: the scores at a glance, each theme in two lines, the key dates."""
        summary = self.context.get("summary") or {}
        self.section_heading("summary")
        rows = summary.get("quality_statements") or []
        if self.show.get("self_scores", True):
            body = [
                [
                    [str(q["theme_number"])],
                    [f"{one_line(q['id'])} {one_line(q['title'])}"],
                    [
                        f"{q['self_score']} ({one_line(q['score_label'])})"
                        if q.get("self_score")
                        else "Not self-scored"
                    ],
                ]
                for q in rows
            ]
            self.table(["Theme", "Quality statement", "Self-score"], [8, 52, 40], body)
            scale = summary.get("scale") or []
            if scale:
                self.paragraph(
                    "Self-scores use CQC's scale: "
                    + "; ".join(f"{s['score']} {one_line(s['label'])}" for s in scale)
                    + "."
                )
            estimate = summary.get("estimate")
            if estimate:
                p = self.paragraph()
                self.run(
                    p,
                    f"Our estimate of the overall rating: {one_line(estimate['rating_title'])} "
                    f"({estimate['percent']}%). ",
                    bold=True,
                )
                self.run(p, f"{one_line(estimate['label'])}.")
        else:
            for q in rows:
                self.paragraph(
                    f"{one_line(q['id'])} {one_line(q['title'])} (theme {q['theme_number']})",
                    "List Bullet",
                )
        for t in summary.get("themes") or []:
            p = self.paragraph()
            self.run(p, f"Theme {t['number']}: {one_line(t['title'])}.", bold=True)
            if t.get("strength"):
                self.run(p, f" A strength: {one_line(t['strength'])}.")
            if t.get("area"):
                self.run(p, f" To improve: {one_line(t['area'])}.")
        key_dates = summary.get("key_dates") or []
        if key_dates:
            self.paragraph("Key dates:")
            for d in key_dates:
                self.paragraph(f"{one_line(d['title'])}: {one_line(d['text'])}", "List Bullet")

    def theme(self, theme: dict[str, Any], listed: dict[str, Any] | None = None) -> None:
        self.heading(f"Theme {theme['number']}: {theme['title']}", 1)
        if listed is not None:  # --layout by-theme: the theme's own lists first
            for title, key in (
                ("Strengths", "strengths"),
                ("Areas for improvement", "areas_for_improvement"),
            ):
                self.heading(f"{title} (theme {theme['number']})", 2)
                for s in listed.get(key) or []:
                    self.statement(s)
                if not listed.get(key):
                    self.paragraph("None recorded.")
        for qs in theme["quality_statements"]:
            self.quality_statement(qs)
        also = theme.get("also_presented") or []
        if also and listed is None:
            self.heading(f"Also presented under theme {theme['number']}", 2)
            self.paragraph(
                "These strengths and areas for improvement belong to quality statements in "
                "other themes; we present them here because they are about this theme."
            )
            strengths = [s for s in also if s.get("kind") == "strength"]
            areas = [s for s in also if s.get("kind") != "strength"]
            if strengths:
                self.lead_in("Strengths")
                for s in strengths:
                    self.statement(s)
            if areas:
                self.lead_in("Areas for improvement")
                for s in areas:
                    self.statement(s)

    def quality_statement(self, qs: dict[str, Any]) -> None:
        self.heading(f"{qs['id']} {qs['title']}", 2)
        self._we_statement(qs)
        self._self_assessment(qs)
        if self.context.get("layout") != "by-theme":
            for title, key, kind in (
                ("Strengths", "strengths", "strength"),
                ("Areas for improvement", "areas_for_improvement", "area"),
            ):
                self._statements(qs, title, key, kind)
        self._listed(qs, "quotes", "What people say", self.quote)
        self._listed(qs, "key_data", "Key data", self.key_data)
        measures = qs.get("measures") or []
        if measures:
            self.heading("How we compare", 3)
            self.measures_table(measures)
            self.measures_chart(qs["id"], measures)

    def _we_statement(self, qs: dict[str, Any]) -> None:
        self.heading("We statement", 3)
        self.paragraph(one_line(qs.get("we_statement", "")))
        i_statements = qs.get("i_statements") or []
        if i_statements:
            self.lead_in("I statements")
            for text in i_statements:
                self.paragraph(one_line(text), "List Bullet")

    def _self_assessment(self, qs: dict[str, Any]) -> None:
        self.heading("Our self-assessment", 3)
        score = qs.get("self_score")
        if not self.show.get("self_scores", True):
            pass
        elif score is None:
            self.paragraph("Not self-scored")
        else:
            label = one_line(qs.get("score_label", ""))
            self.paragraph(f"Self-score: {score} ({label})" if label else f"Self-score: {score}")
        narrative = qs.get("narrative") or ""
        if narrative.strip():
            self.markdown(narrative)
        else:
            self.paragraph("No narrative written yet.").runs[0].italic = True

    def _statements(self, qs: dict[str, Any], title: str, key: str, kind: str) -> None:
        """The strengths (or areas for improvement) shown here, and how many are elsewhere."""
        self.heading(title, 3)
        here = qs.get(key) or []
        for s in here:
            self.statement(s)
        elsewhere = self.moved.get((qs["id"], kind), [])
        if elsewhere:
            where = " and ".join(dict.fromkeys(elsewhere))
            p = self.paragraph()
            self.run(p, f"{len(elsewhere)} more presented under {where}.", italic=True)
        elif not here:
            self.paragraph("None recorded.")

    def _listed(
        self, qs: dict[str, Any], key: str, title: str, write: Callable[[dict[str, Any]], None]
    ) -> None:
        """A heading and the evidence rows under ``key``, when there are any."""
        rows = qs.get(key) or []
        if rows:
            self.heading(title, 3)
            for row in rows:
                write(row)

    def statement(self, s: dict[str, Any]) -> None:
        """A strength or area for improvement: text, quality statements, evidence, measures,
        actions."""
        p = self.paragraph(style="List Bullet")
        self.run(p, one_line(s["text"]))
        tags = [one_line(t) for t in s.get("tags") or []]
        if tags:
            self.run(p, f" ({', '.join(tags)})")
        evidence = s.get("evidence") or []
        if evidence:
            p.add_run().add_break()
            self.run(p, "Evidence: ", italic=True)
            self.run(p, self.cite(evidence))
        measures = s.get("measures") or []
        if measures:
            p.add_run().add_break()
            self.run(p, "Measures: ", italic=True)
            self.run(p, self.cite(measures))
        for action in s.get("actions") or []:
            details = [one_line(action.get("status_title", ""))]
            if action.get("due"):
                details.append(f"due {long_date(action['due'])}")
            if action.get("owner"):
                details.append(f"owner {one_line(action['owner'])}")
            label = one_line(action.get("label", action["id"]))
            text = f"Action{' ' + label if label else ''}: {one_line(action['title'])}"
            shown = "; ".join(d for d in details if d)
            self.paragraph(f"{text} ({shown})" if shown else text, "List Bullet 2")

    def quote(self, row: dict[str, Any]) -> None:
        """A quote in quotation marks. Feedback is also listed under "What people say", but
        its summary describes what people said rather than quoting them: no quotation marks."""
        p = self.paragraph(style="Quote")
        summary = one_line(row["summary"])
        if row.get("kind") == "feedback":
            self.run(p, f"{one_line(row['title'])}: ", bold=True)
            self.run(p, summary)
        else:
            self.run(p, f"\N{LEFT DOUBLE QUOTATION MARK}{summary}\N{RIGHT DOUBLE QUOTATION MARK}")
        p.add_run().add_break()
        who = one_line(row.get("attribution", ""))
        ref = (
            f"({one_line(row['id'])}{self.mark(row)})" if self.show.get("references", True) else ""
        )
        said = " ".join(part for part in (who, ref) if part)
        if said:
            self.run(p, f"\N{EM DASH} {said}")

    def key_data(self, row: dict[str, Any]) -> None:
        p = self.paragraph(style="List Bullet")
        self.run(p, one_line(row["title"]), bold=True)
        if self.show.get("references", True):
            self.run(p, f" ({one_line(row['id'])}{self.mark(row)})")
        summary = one_line(row.get("summary", ""))
        if summary:
            self.run(p, f": {summary}")
        source = row.get("source")
        as_of = row.get("as_of") or ""
        if source or as_of:
            p.add_run().add_break()
            parts = []
            if source:
                parts.append(f"Source: {one_line(source.get('text', ''))}")
            if as_of:
                parts.append(f"as of {long_date(as_of)}")
            self.run(p, ", ".join(parts))

    def measures_table(self, measures: list[dict[str, Any]]) -> None:
        """A quality statement's performance measures against England and the region."""
        region = one_line(self.context.get("council", {}).get("region", "")) or "Region"
        body = [
            [
                [
                    f"{one_line(m['title'])} ({one_line(m['id'])}){self.mark(m)}"
                    if self.show.get("references", True)
                    else one_line(m["title"])
                ],
                [one_line(m.get("period", ""))],
                [one_line(m.get("value", ""))],
                [one_line(m.get("england", "")) or "none"],
                [one_line(m.get("region", "")) or "none"],
                [one_line(m.get("compared", "")) or "not compared"],
            ]
            for m in measures
        ]
        headers = ["Measure", "Period", "Us", "England", region, "Compared"]
        self.table(headers, [34, 10, 12, 12, 12, 20], body)

    def measures_chart(self, qs_id: str, measures: list[dict[str, Any]]) -> None:
        """The measures as a chart after their table, with the numbers as its alt text."""
        from docx.oxml.ns import qn
        from docx.shared import Cm

        from ascready.document.charts import chart_png, describe

        region = one_line(self.context.get("council", {}).get("region", ""))
        png = chart_png(measures, region, qs_id)
        p = self.paragraph()
        # 11.7 cm wide, as drawn, but no taller than 18 cm, so that it fits on an A4 page.
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        size = {"width": Cm(11.7)} if height * 11.7 <= width * 18 else {"height": Cm(18)}
        p.add_run().add_picture(io.BytesIO(png), **size)
        shape = p.runs[-1]._r.findall(".//" + qn("wp:docPr"))[-1]
        shape.set("title", clean(f"How we compare: chart of the measures for {qs_id}")[:255])
        shape.set("descr", clean(describe(measures, region)))

    # --- Markdown narratives --------------------------------------------------------------------

    def markdown(self, text: str) -> None:
        """A Markdown narrative as Word paragraphs; raw HTML stays text."""
        from markdown_it import MarkdownIt

        md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
        tokens = md.parse(clean(text))
        lists: list[dict[str, Any]] = []  # open lists, innermost last
        quote_depth = 0
        current: Paragraph | None = None
        for token in tokens:
            kind = token.type
            if kind in ("bullet_list_open", "ordered_list_open"):
                start = token.attrGet("start")
                lists.append(
                    {
                        "ordered": kind == "ordered_list_open",
                        "start": int(start) if isinstance(start, str | int) else 1,
                        "num": None,
                        "first": False,
                    }
                )
            elif kind in ("bullet_list_close", "ordered_list_close"):
                lists.pop()
            elif kind == "list_item_open":
                lists[-1]["first"] = True
            elif kind == "blockquote_open":
                quote_depth += 1
            elif kind == "blockquote_close":
                quote_depth -= 1
            elif kind == "paragraph_open":
                current = self._block_paragraph(lists, quote_depth)
            elif kind == "heading_open":
                current = self.paragraph(style="Heading 4")
            elif kind in ("paragraph_close", "heading_close"):
                current = None
            elif kind == "inline":
                target = current or self._block_paragraph(lists, quote_depth)
                self._inline(target, token.children or [])
            elif kind in ("code_block", "fence", "html_block"):
                p = self._block_paragraph(lists, quote_depth)
                self.run(p, token.content.rstrip("\n"), mono=kind != "html_block")

    def _block_paragraph(self, lists: list[dict[str, Any]], quote_depth: int) -> Paragraph:
        """A new paragraph in the right style for where it is in the Markdown."""
        if not lists:
            return self.paragraph(style="Quote" if quote_depth else None)
        level = min(len(lists), MAX_LIST_LEVEL)
        suffix = f" {level}" if level > 1 else ""
        innermost = lists[-1]
        if not innermost["first"]:
            return self.paragraph(style=f"List Continue{suffix}")
        innermost["first"] = False
        if not innermost["ordered"]:
            return self.paragraph(style=f"List Bullet{suffix}")
        style = f"List Number{suffix}"
        p = self.paragraph(style=style)
        if innermost["num"] is None:
            innermost["num"] = self._new_numbering(style, innermost["start"])
        if innermost["num"] is not None:
            _set_numbering(p, innermost["num"])
        return p

    def _new_numbering(self, style: str, start: int) -> int | None:
        """A numbering instance for one numbered list, so that each list starts at its own
        first number instead of carrying on from the previous one."""
        style_element: Any = self.doc.styles[style].element
        ppr = style_element.pPr
        if ppr is None or ppr.numPr is None or ppr.numPr.numId is None:
            return None
        numbering: Any = self.doc.part.numbering_part.element
        base = numbering.num_having_numId(ppr.numPr.numId.val)
        num = numbering.add_num(base.abstractNumId.val)
        num.add_lvlOverride(ilvl=0).add_startOverride(max(0, start))
        return int(num.numId)

    def _inline(self, p: Paragraph, children: Sequence[Token]) -> None:
        """Inline Markdown as runs; neighbouring text with the same formatting in one run."""
        runs = InlineRuns()
        for child in children:
            runs.add(child)
        for value, is_bold, is_italic, is_mono in runs.merged():
            self.run(p, value, bold=is_bold, italic=is_italic, mono=is_mono)

    # --- the appendices -----------------------------------------------------------------------

    def appendices(self) -> None:
        from docx.enum.section import WD_ORIENT, WD_SECTION

        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        width, height = section.page_width, section.page_height
        if width is not None and height is not None and width < height:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = height, width
        self.evidence_index()
        if self.context.get("information_return"):  # not in the public version by default
            self.information_return_index()

    def coverage(self) -> None:
        """How much current evidence each quality statement has in each category: a native
        table, each count's cell shaded as the HTML heatmap shades it."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import RGBColor

        coverage = self.context.get("coverage")
        if not coverage:
            return
        self.section_heading("coverage")
        self.paragraph(
            "Current evidence items in this document for each quality statement and each "
            "evidence category CQC uses for local authorities. Darker cells have more evidence; "
            "pale red cells have none."
        )
        categories = [one_line(c) for c in coverage["categories"]]
        body = [
            [[f"{one_line(r['id'])} {one_line(r['title'])}"], *[[str(n)] for n in r["counts"]]]
            for r in coverage["rows"]
        ]
        self.table(["Quality statement", *categories], [40, *[12] * len(categories)], body)
        table = self.doc.tables[-1]
        for row, data in zip(table.rows[1:], coverage["rows"], strict=True):
            for cell, n in zip(row.cells[1:], data["counts"], strict=True):
                fill = heatmap_colour(n, coverage["max"]).lstrip("#")
                shading = OxmlElement("w:shd")
                shading.set(qn("w:val"), "clear")
                shading.set(qn("w:color"), "auto")
                shading.set(qn("w:fill"), fill)
                cell._tc.get_or_add_tcPr().append(shading)
                ink = heatmap_text_colour(n, coverage["max"]).lstrip("#")
                for run in cell.paragraphs[0].runs:
                    run.font.color.rgb = RGBColor.from_string(ink.upper())

    def evidence_index(self) -> None:
        self.section_heading("evidence-index")
        rows = self.context.get("evidence") or []
        self.paragraph(
            f"{len(rows)} evidence item(s)"
            + (", with their classification." if self.internal else ", all classified public.")
        )
        references = self.show.get("references", True)
        headers = ["Id", "Title", "Kind", "Quality statements", "Categories", "As of", "Source"]
        widths = [6, 24, 8, 9, 13, 8, 22]
        if not references:
            headers, widths = headers[1:], [30, 8, 9, 13, 8, 22]
        if self.internal:
            headers.append("Classification")
            widths.append(10)
        body: list[list[list[str]]] = []
        for row in rows:
            source = row.get("source") or {}
            cells = [
                row["id"],
                row["title"],
                row.get("kind_title", ""),
                ", ".join(row.get("quality_statements") or []),
                ", ".join(row.get("categories") or []),
                row.get("as_of", ""),
                source.get("text", ""),
            ]
            if self.internal:
                cells.append(row.get("classification", ""))
            if not references:
                cells = cells[1:]
            body.append([[one_line(c)] for c in cells])
        self.table(headers, widths, body)

    def information_return_index(self) -> None:
        self.section_heading("information-return")
        items = self.context.get("information_return") or []
        self.paragraph(
            f"The {len(items)} items of CQC's information return, and our documents for each."
        )
        body: list[list[list[str]]] = []
        for item in items:
            status = [one_line(item.get("status_title", ""))]
            if item.get("reason"):
                status.append(one_line(item["reason"]))
            documents = []
            for doc in item.get("documents") or []:
                line = (
                    f"{one_line(doc['id'])} {one_line(doc['title'])}{self.mark(doc)}"
                    if self.show.get("references", True)
                    else one_line(doc["title"])
                )
                href = (doc.get("source") or {}).get("href", "")
                documents.append(f"{line} ({one_line(href)})" if href else line)
            body.append(
                [
                    [str(item["number"])],
                    [one_line(item["title"])],
                    status,
                    documents or ["None listed"],
                ]
            )
        self.table(["Number", "Title", "Status", "Documents"], [6, 30, 16, 48], body)

    def table(self, headers: list[str], widths: list[int], rows: list[list[list[str]]]) -> None:
        """A table with a repeating header row; each cell is a list of paragraphs."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Emu

        section = self.doc.sections[-1]
        usable = (
            int(section.page_width or 0)
            - int(section.left_margin or 0)
            - int(section.right_margin or 0)
        )
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = self.doc.styles[TABLE_STYLE]
        if usable > 0:
            # Set before the rows are added: each new cell takes its column's width.
            total = sum(widths)
            for column, cell, share in zip(table.columns, table.rows[0].cells, widths, strict=True):
                column.width = cell.width = Emu(usable * share // total)
        for cell, header in zip(table.rows[0].cells, headers, strict=True):
            self.run(cell.paragraphs[0], header, bold=True)
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        tr_pr.append(repeat)
        for values in rows:
            cells = table.add_row().cells
            for cell, paragraphs in zip(cells, values, strict=True):
                first, *rest = paragraphs or [""]
                self.run(cell.paragraphs[0], first)
                for extra in rest:
                    self.run(cell.add_paragraph(), extra)


def _set_numbering(p: Paragraph, num_id: int) -> None:
    """Put paragraph ``p`` in numbering instance ``num_id``, at the first level."""
    num_pr: Any = p._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 0
    num_pr.get_or_add_numId().val = num_id


def _fix_properties(doc: Document, title: str, context: dict[str, Any]) -> None:
    """Document properties that say what the document is, with no clock or machine in them."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    props = doc.core_properties
    props.author = AUTHOR
    props.last_modified_by = AUTHOR
    props.revision = 1
    props.created = MADE
    props.modified = MADE
    props.title = title[:255]
    props.subject = one_line(context.get("framework", {}).get("title", ""))[:255]
    props.comments = (INTERNAL_LINE if context.get("audience") == "internal" else PUBLIC_LINE)[:255]
    props.keywords = ""
    props.category = ""
    props.language = "en-GB"
    # The template's thumbnail is a picture of an empty page: leave it out.
    package_rels = doc.part.package.rels
    for rel_id, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package_rels[rel_id]


def render_docx(context: dict[str, Any]) -> bytes:
    """The self-assessment as the bytes of a .docx file; the same context, the same bytes."""
    import docx

    doc = docx.Document()
    writer = _Writer(doc, context)
    title = writer.title()
    header = doc.sections[0].header.paragraphs[0]
    writer.run(
        header,
        f"{title}: "
        + ("internal version, not for publication" if writer.internal else "public version"),
    )
    writer.front()
    by_theme = context.get("by_theme") or []
    for number, theme in enumerate(context.get("themes") or []):
        writer.theme(theme, by_theme[number] if number < len(by_theme) else None)
    writer.coverage()
    writer.appendices()
    _fix_properties(doc, title, context)

    raw = io.BytesIO()
    doc.save(raw)
    return fixed_zip_times(raw.getvalue(), ZIP_DATE)
