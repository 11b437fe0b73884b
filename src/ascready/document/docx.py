"""``ascready render --format docx``: the self-assessment as a Word document a council can edit.

:func:`render_docx` takes the context from :func:`ascready.document.render.build_context`, already
filtered for its audience, and returns the bytes of a ``.docx`` file. It prints nothing and
writes nothing.

It is a council document: A4 throughout (the appendices on landscape pages), British English,
a cover (the council, the title, public or internal, draft or final and its version, the date,
the owner and who approved it) with no running header, then the contents, then the document;
every later page has a header, and a footer with the document's version line and "Page X of Y".
The contents lists the level 1 and 2 headings, each a link to its heading with a page reference
that Word and LibreOffice fill in when they open the file (``w:updateFields``): LibreOffice does
not rebuild a ``TOC`` field when it converts a file, so the entries are written out, from the
headings this writer wrote, rather than left for a ``TOC`` field to fill.

The document uses Word's built-in styles ("Title", "Heading 1" to "Heading 4", "List Bullet",
"List Number", "Quote", "Table Grid", "TOC 1"), restyled as the house style in
:mod:`ascready.document.wordml` (Arial, dark blue headings, quotes as shaded call-outs), so its
headings show in Word's navigation pane and a council's own template can restyle it. Each
quality statement's performance measures ("How we compare") and the appendices are real tables
with header rows that repeat on every page, columns sized to what they hold, and ids and dates
that never break across lines.

The same context always gives the same bytes: the document properties carry a fixed date and
every zip entry a fixed time, never the clock.

Everything from the evidence is data. It is written as text, never as markup or a field:
``{{ 7*7 }}`` and ``<script>`` come out as written. Narratives are Markdown; raw HTML in them is
shown as text. Web links (in narratives, and evidence with a web address as its source) are
Word hyperlinks shown by their text or title; other links show their address in brackets.
Characters an XML file cannot hold (control characters other than tab and line feed) are left
out.

python-docx and markdown-it-py are imported inside the functions that use them, so that the
command line starts quickly.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ascready.document import wordml
from ascready.document.colours import (
    WORD_HEADING,
    WORD_TABLE_HEAD,
    heatmap_colour,
    heatmap_text_colour,
)
from ascready.document.inline import InlineRuns, is_web_link
from ascready.io.writing import fixed_zip_times
from ascready.output import words
from ascready.output.words import INTERNAL_LINE, PUBLIC_LINE
from ascready.output.xlsx import CONTROL_OR_NOT_XML

if TYPE_CHECKING:
    from docx.document import Document
    from docx.text.paragraph import Paragraph
    from markdown_it.token import Token

# A table cell's paragraph: its text, or its text and the web address it links to.
Cell = str | tuple[str, str]

MADE = dt.datetime(2000, 1, 1, 0, 0, 0)  # UTC; python-docx writes it with a "Z"
ZIP_DATE = dt.date(2000, 1, 1)
AUTHOR = "ascready"

MONOSPACE = "Courier New"
TABLE_STYLE = "Table Grid"
# Deepest list level with its own built-in style ("List Bullet 3", "List Number 3").
MAX_LIST_LEVEL = 3
# Headings down to this level are in the contents.
CONTENTS_LEVELS = 2
# Styles this writer defines itself (wordml.house_style), by name and id.
OWN_STYLES = {
    "TOC 1": "TOC1",
    "TOC 2": "TOC2",
    "TOC Heading": "TOCHeading",
    "Table Text": "TableText",
    "Cover Detail": "CoverDetail",
}
HYPERLINK_STYLE = "Hyperlink"
WORD_HEADING_HEX = WORD_HEADING.lstrip("#").upper()
# Roughly how wide a character of 9 point Arial is, in twentieths of a point, for sizing
# columns: about 0.55 em, with three characters of padding for the cell's margins.
TWIPS_PER_CHAR = 100
CELL_PADDING_CHARS = 3
# A table with no more rows than this is kept on one page.
KEEP_TOGETHER_ROWS = 8
# The footer: 8 point characters are at most about 90 twentieths of a point (x 635 EMU) wide, and
# "Page 10 of 100" with room around it takes about 20.
FOOTER_CHAR_EMU = 90 * 635
FOOTER_PAGE_CHARS = 20
# A word longer than this may wrap inside its column (a long file name); text longer than
# this asks for no more width.
MAX_WORD_CHARS = 26
MAX_TEXT_CHARS = 60


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
        self.style_ids: dict[str, str] = dict(OWN_STYLES)
        self.contents: list[tuple[int, str, str]] = []  # (level, heading, bookmark)
        self.contents_at: Paragraph | None = None
        self.bookmarks = 0
        self.after_table = False
        self.cover_details = context.get("document") or {}
        # Each evidence item's bookmark in the evidence index, for the links that cite it.
        self.evidence_marks = {
            row["id"]: f"evidence{n:05d}" for n, row in enumerate(context.get("evidence") or [], 1)
        }
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
        if self.after_table:
            from docx.shared import Pt

            p.paragraph_format.space_before = Pt(9)  # room between a table and what follows
            self.after_table = False
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
        """A real heading; those down to ``CONTENTS_LEVELS`` are bookmarked for the contents."""
        shown = one_line(text)
        p = self.paragraph(shown, f"Heading {level}")
        if level <= CONTENTS_LEVELS:
            name = self.bookmark(p)
            self.contents.append((level, shown, name))
        return p

    def bookmark(self, p: Paragraph, name: str = "") -> str:
        self.bookmarks += 1
        name = name or f"_Toc{self.bookmarks:08d}"
        wordml.bookmark(p, self.bookmarks, name)
        return name

    def run(
        self,
        p: Paragraph,
        text: str,
        *,
        bold: bool = False,
        italic: bool = False,
        mono: bool = False,
        keep: bool = False,
        link: Any = None,
    ) -> None:
        """A run of text at the end of ``p`` (or inside the hyperlink ``link``). With
        ``keep``, ids and dates do not break across lines."""
        from docx.oxml import OxmlElement
        from docx.oxml.text.run import _RunContentAppender

        value = clean(text)
        if not value:
            return
        r = p.add_run()
        for piece, hyphen in wordml.keep_together(value) if keep else [(value, False)]:
            if hyphen:
                r._r.append(OxmlElement("w:noBreakHyphen"))
            else:
                _RunContentAppender.append_to_run_from_text(r._r, piece)
        if bold:
            r.bold = True
        if italic:
            r.italic = True
        if mono:
            r.font.name = MONOSPACE
        if link is not None:
            r._r.get_or_add_rPr().style = HYPERLINK_STYLE
            link.append(r._r)

    def link(self, p: Paragraph, text: str, url: str, **formatting: bool) -> None:
        """``text`` as a hyperlink to a web address, or as text when it is not one."""
        if is_web_link(url):
            self.run(p, text, link=wordml.hyperlink(p, url=url), **formatting)
        else:
            self.run(p, text, **formatting)

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

    # --- the document -------------------------------------------------------------------------

    def title(self) -> str:
        title = one_line(self.cover_details.get("title", ""))
        if title:
            return title
        council = one_line(self.context.get("council", {}).get("name", ""))
        return (
            f"{council} adult social care self-assessment"
            if council
            else "Adult social care self-assessment"
        )

    def audience_title(self) -> str:
        shown = one_line(self.cover_details.get("audience_title", ""))
        return shown or ("Internal version" if self.internal else "Public version")

    def cover(self) -> None:
        """The first page: what the document is, which version, whose, and who approved it."""
        from docx.shared import Pt, RGBColor

        details = self.cover_details
        self.paragraph(self.title(), "Title")
        framework = one_line(self.context.get("framework", {}).get("title", ""))
        if framework:
            self.paragraph(framework, "Subtitle")
        p = self.paragraph()
        self.run(p, self.audience_title(), bold=True)
        p.runs[0].font.size = Pt(16)
        p.runs[0].font.color.rgb = RGBColor.from_string(WORD_HEADING_HEX)
        # "Internal version: contains material ..." under "Internal version" says it once.
        line = INTERNAL_LINE if self.internal else PUBLIC_LINE
        rest = line.removeprefix(f"{self.audience_title()}: ")
        if line != self.audience_title():
            self.paragraph(rest[:1].upper() + rest[1:], "Cover Detail")
        rows = [
            ("Council", self.context.get("council", {}).get("name", "")),
            ("Version", details.get("edition", "")),
            ("Date", details.get("date_text", "")),
            ("Owner", details.get("owner", "")),
            ("Approved by", details.get("approved_by", "")),
        ]
        rows = [(label, one_line(value)) for label, value in rows if one_line(value)]
        if rows:
            self.paragraph().paragraph_format.space_before = Pt(36)
            table = self.doc.add_table(rows=0, cols=2)
            wordml.no_borders(table)
            for label, value in rows:
                cells = table.add_row().cells
                for cell, text, bold in ((cells[0], label, True), (cells[1], value, False)):
                    para = cell.paragraphs[0]
                    para._p.style = self._style_id("Cover Detail")
                    self.run(para, text, bold=bold)
            self._column_widths(table, [3, 9])

    def contents_page(self) -> None:
        """The contents, on its own page; the entries are written once every heading is."""
        p = self.paragraph("Contents", "TOC Heading")
        p.paragraph_format.page_break_before = True
        self.contents_at = p

    def fill_contents(self) -> None:
        """An entry for each heading down to level 2: a link to it and its page number, a
        PAGEREF field that Word and LibreOffice work out when they lay the pages out."""
        if self.contents_at is None:
            return
        self.after_table = False
        after = self.contents_at._p
        entries = []
        for level, text, name in self.contents:
            p = self.paragraph(style=f"TOC {level}")
            link = wordml.hyperlink(p, anchor=name)
            self.run(p, text, link=link)
            self.run(p, "\t", link=link)
            wordml.field(p, f"PAGEREF {name} \\h")
            for r in link.iter(f"{{{wordml.W_NS}}}rStyle"):
                r.getparent().remove(r)  # the contents is not underlined blue
            after.addnext(p._p)
            after = p._p
            entries.append(p)
        if entries:
            # Word's own contents: "Update table" in Word builds it again from the headings.
            wordml.field_around(entries[0], entries[-1], 'TOC \\o "1-2" \\h \\z \\u')

    def headers_and_footers(self) -> None:
        """No header or footer on the cover; on every other page a header naming the document
        and its audience, and a footer with the version line and "Page X of Y"."""
        from docx.enum.text import WD_TAB_ALIGNMENT
        from docx.shared import Emu

        footer_line = one_line(self.cover_details.get("footer", "")) or self.title()
        for number, section in enumerate(self.doc.sections):
            section.different_first_page_header_footer = number == 0
            if number == 0:
                # Empty definitions, so that nothing is inherited onto the cover.
                section.first_page_header.is_linked_to_previous = False
                section.first_page_footer.is_linked_to_previous = False
            right = Emu(wordml.usable_twips(section) * wordml.EMU_PER_TWIP)
            section.header.is_linked_to_previous = False
            head = section.header.paragraphs[0]
            head._p.style = self._style_id("Header")
            head.paragraph_format.tab_stops.add_tab_stop(right, WD_TAB_ALIGNMENT.RIGHT)
            self.run(head, f"{self.title()}\t{self.audience_title()}")
            section.footer.is_linked_to_previous = False
            foot = section.footer.paragraphs[0]
            foot._p.style = self._style_id("Footer")
            foot.paragraph_format.tab_stops.add_tab_stop(right, WD_TAB_ALIGNMENT.RIGHT)
            if len(footer_line) + FOOTER_PAGE_CHARS > right // FOOTER_CHAR_EMU:
                self.run(foot, footer_line)  # too long to share its line with the page number
                foot = section.footer.add_paragraph()
                foot._p.style = self._style_id("Footer")
                foot.paragraph_format.tab_stops.add_tab_stop(right, WD_TAB_ALIGNMENT.RIGHT)
            else:
                self.run(foot, footer_line)
            self.run(foot, "\tPage ")
            wordml.field(foot, "PAGE", "1")
            self.run(foot, " of ")
            wordml.field(foot, "NUMPAGES", "1")

    def introduction(self) -> None:
        ctx = self.context
        self.section_heading("introduction")
        framework = one_line(ctx.get("framework", {}).get("title", ""))
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
            self.heading("How we score ourselves", 2)
            self.paragraph("Each quality statement has our own score, on CQC's scale:")
            for score, label in sorted(labels.items(), key=lambda kv: str(kv[0])):
                self.paragraph(f"{one_line(score)}: {one_line(label)}", "List Bullet")

    def summary(self) -> None:
        """The answer first: the scores at a glance, each theme in two lines, the key dates."""
        summary = self.context.get("summary") or {}
        self.section_heading("summary")
        rows = summary.get("quality_statements") or []
        if self.show.get("self_scores", True):
            self.heading("Our scores at a glance", 2)
            body: list[list[list[Cell]]] = [
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
            self.table(["Theme", "Quality statement", "Self-score"], body)
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
            self.heading("The quality statements", 2)
            for q in rows:
                self.paragraph(
                    f"{one_line(q['id'])} {one_line(q['title'])} (theme {q['theme_number']})",
                    "List Bullet",
                )
        themes = summary.get("themes") or []
        if themes:
            self.heading("The themes in brief", 2)
        for t in themes:
            p = self.paragraph()
            self.run(p, f"Theme {t['number']}: {one_line(t['title'])}.", bold=True)
            if t.get("strength"):
                self.run(p, f" A strength: {one_line(t['strength'])}.")
            if t.get("area"):
                self.run(p, f" To improve: {one_line(t['area'])}.")
        key_dates = summary.get("key_dates") or []
        if key_dates:
            self.heading("Key dates", 2)
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
            for title, listed_here in (
                ("Strengths", strengths),
                ("Areas for improvement", areas),
            ):
                if listed_here:
                    self.heading(f"{title} from other themes (theme {theme['number']})", 3)
                    for s in listed_here:
                        self.statement(s)

    def quality_statement(self, qs: dict[str, Any]) -> None:
        """A quality statement; each heading under it says which one it is part of, so that
        the navigation pane never lists nine headings with the same words."""
        self.heading(f"{qs['id']} {qs['title']}", 2)
        self._we_statement(qs)
        self._self_assessment(qs)
        if self.context.get("layout") != "by-theme":
            for title, key, kind in (
                ("Strengths", "strengths", "strength"),
                ("Areas for improvement", "areas_for_improvement", "area"),
            ):
                self._statements(qs, title, key, kind)
        self._listed(qs, "quotes", f"What people say ({qs['id']})", self.quote)
        self._listed(qs, "key_data", f"Key data ({qs['id']})", self.key_data)
        measures = qs.get("measures") or []
        if measures:
            self.heading(f"How we compare ({qs['id']})", 3)
            self.measures_table(measures)
            self.measures_chart(qs["id"], measures)

    def _we_statement(self, qs: dict[str, Any]) -> None:
        self.heading(f"We statement ({qs['id']})", 3)
        self.paragraph(one_line(qs.get("we_statement", "")))
        i_statements = qs.get("i_statements") or []
        if i_statements:
            self.heading(f"I statements ({qs['id']})", 4)
            for text in i_statements:
                self.paragraph(one_line(text), "List Bullet")

    def _self_assessment(self, qs: dict[str, Any]) -> None:
        self.heading(f"Our self-assessment ({qs['id']})", 3)
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
        self.heading(f"{title} ({qs['id']})", 3)
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
            for n, row in enumerate(evidence):
                if n:
                    self.run(p, "; ")
                mark = self.evidence_marks.get(row.get("id", ""))
                link = wordml.hyperlink(p, anchor=mark) if mark else None
                self.run(p, one_line(row.get("label") or row["id"]), link=link)
                self.run(p, self.mark(row))
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
        """Key data: its title, a link to where it is published when that is a web page."""
        p = self.paragraph(style="List Bullet")
        source = row.get("source")
        self.link(p, one_line(row["title"]), (source or {}).get("href", ""), bold=True)
        if self.show.get("references", True):
            self.run(p, f" ({one_line(row['id'])}{self.mark(row)})")
        summary = one_line(row.get("summary", ""))
        if summary:
            self.run(p, f": {summary}")
        as_of = row.get("as_of") or ""
        shown_source = source and not source.get("is_url")  # a web source is the title's link
        if shown_source or as_of:
            p.add_run().add_break()
            parts = []
            if shown_source:
                parts.append(f"Source: {one_line((source or {}).get('text', ''))}")
            if as_of:
                parts.append(f"as of {long_date(as_of)}")
            self.run(p, ", ".join(parts))

    def measures_table(self, measures: list[dict[str, Any]]) -> None:
        """A quality statement's performance measures against England and the region."""
        region = one_line(self.context.get("council", {}).get("region", "")) or "Region"
        body: list[list[list[Cell]]] = [
            [
                [
                    _linked(
                        f"{one_line(m['title'])} ({one_line(m['id'])}){self.mark(m)}"
                        if self.show.get("references", True)
                        else one_line(m["title"]),
                        m.get("source"),
                    )
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
        self.table(headers, body)

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
        link: Any = None
        linked = ""
        for value, is_bold, is_italic, is_mono, href in runs.merged():
            if href and href != linked:
                link = wordml.hyperlink(p, url=href)
            linked = href
            self.run(
                p, value, bold=is_bold, italic=is_italic, mono=is_mono, link=link if href else None
            )

    # --- the appendices -----------------------------------------------------------------------

    def appendices(self) -> None:
        from docx.enum.section import WD_SECTION

        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        wordml.a4(section, landscape=True)
        self.evidence_index()
        if self.context.get("information_return"):  # not in the public version by default
            self.information_return_index()

    def coverage(self) -> None:
        """How much current evidence each quality statement has in each category: a native
        table, each count's cell shaded as the HTML heatmap shades it."""
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
        body: list[list[list[Cell]]] = [
            [
                [f"{one_line(r['id'])} {one_line(r['title'])}"],
                *[list[Cell]([str(n)]) for n in r["counts"]],
            ]
            for r in coverage["rows"]
        ]
        table = self.table(["Quality statement", *categories], body)
        for row, data in zip(table.rows[1:], coverage["rows"], strict=True):
            for cell, n in zip(row.cells[1:], data["counts"], strict=True):
                wordml.shade(cell, heatmap_colour(n, coverage["max"]))
                ink = heatmap_text_colour(n, coverage["max"]).lstrip("#")
                for run in cell.paragraphs[0].runs:
                    run.font.color.rgb = RGBColor.from_string(ink.upper())

    def evidence_index(self) -> None:
        self.section_heading("evidence-index")
        rows = self.context.get("evidence") or []
        self.paragraph(
            f"{len(rows)} evidence item(s)"
            + (", with their classification." if self.internal else ", all classified public.")
            + " A title that links to a web page is a link to the item itself."
        )
        references = self.show.get("references", True)
        headers = ["Id", "Title", "Kind", "Quality statements", "Categories", "As of", "Source"]
        if not references:
            headers = headers[1:]
        if self.internal:
            headers.append("Classification")
        body: list[list[list[Cell]]] = []
        for row in rows:
            source = row.get("source") or {}
            href = source.get("href", "") if source.get("is_url") else ""
            title: Cell = (one_line(row["title"]), href) if href else one_line(row["title"])
            where: Cell = (_site(href), href) if href else one_line(source.get("text", ""))
            cells: list[Cell] = [
                one_line(row["id"]),
                title,
                one_line(row.get("kind_title", "")),
                ", ".join(one_line(q) for q in row.get("quality_statements") or []),
                ", ".join(one_line(c) for c in row.get("categories") or []),
                one_line(row.get("as_of_text") or long_date(row.get("as_of", ""))),
                where,
            ]
            if self.internal:
                cells.append(one_line(row.get("classification", "")))
            if not references:
                cells = cells[1:]
            body.append([[c] for c in cells])
        table = self.table(headers, body)
        for row, data in zip(table.rows[1:], rows, strict=True):
            mark = self.evidence_marks.get(data["id"])
            if mark:
                self.bookmark(row.cells[0].paragraphs[0], mark)

    def information_return_index(self) -> None:
        self.section_heading("information-return")
        items = self.context.get("information_return") or []
        self.paragraph(
            f"The {len(items)} items of CQC's information return, and our documents for each."
        )
        body: list[list[list[Cell]]] = []
        for item in items:
            status = [one_line(item.get("status_title", ""))]
            if item.get("reason"):
                status.append(one_line(item["reason"]))
            documents: list[Cell] = []
            for doc in item.get("documents") or []:
                line = (
                    f"{one_line(doc['id'])} {one_line(doc['title'])}{self.mark(doc)}"
                    if self.show.get("references", True)
                    else one_line(doc["title"])
                )
                source = doc.get("source") or {}
                href = source.get("href", "") if source.get("is_url") else ""
                documents.append((line, href) if href else line)
            body.append(
                [
                    [str(item["number"])],
                    [one_line(item["title"])],
                    list[Cell](status),
                    documents or ["None listed"],
                ]
            )
        self.table(["Number", "Title", "Status", "Documents"], body)

    def table(self, headers: list[str], rows: list[list[list[Cell]]]) -> Any:
        """A table with a repeating, shaded header row; each cell is a list of paragraphs,
        each its text or its text and a web address. Columns are as wide as what they hold
        needs, and ids and dates in them do not break."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = self.doc.styles[TABLE_STYLE]
        wordml.grid_colour(table)
        wordml.cell_margins(table)
        across = wordml.usable_twips(self.doc.sections[-1]) // TWIPS_PER_CHAR
        self._column_widths(table, _widths(headers, rows, across))
        text_style = self._style_id("Table Text")
        for cell, header in zip(table.rows[0].cells, headers, strict=True):
            p = cell.paragraphs[0]
            p._p.style = text_style
            self.run(p, header, bold=True)
            wordml.shade(cell, WORD_TABLE_HEAD)
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        tr_pr.append(repeat)
        for values in rows:
            cells = table.add_row().cells
            for cell, paragraphs in zip(cells, values, strict=True):
                for n, value in enumerate(paragraphs or [""]):
                    p = cell.paragraphs[0] if n == 0 else cell.add_paragraph()
                    p._p.style = text_style
                    text, url = value if isinstance(value, tuple) else (value, "")
                    if url and is_web_link(url):
                        self.run(p, text, keep=True, link=wordml.hyperlink(p, url=url))
                    else:
                        self.run(p, text, keep=True)
        # No row breaks across pages; a short table stays on one page, and a long one's
        # header row stays with its first row.
        together = len(rows) <= KEEP_TOGETHER_ROWS
        for n, row in enumerate(table.rows):
            row._tr.get_or_add_trPr().insert(0, OxmlElement("w:cantSplit"))  # before tblHeader
            if n == 0 or (together and n < len(table.rows) - 1):
                for cell in row.cells:
                    for para in cell.paragraphs:
                        para.paragraph_format.keep_with_next = True
        self.after_table = True
        return table

    def _column_widths(self, table: Any, shares: Sequence[int]) -> None:
        """Columns in proportion to ``shares``, across the page's width."""
        from docx.shared import Emu

        usable = wordml.usable_twips(self.doc.sections[-1]) * wordml.EMU_PER_TWIP
        table.autofit = False
        total = sum(shares) or 1
        # Set before the rows are added: each new cell takes its column's width.
        for column, share in zip(table.columns, shares, strict=True):
            column.width = Emu(usable * share // total)
        for row in table.rows:
            for cell, share in zip(row.cells, shares, strict=True):
                cell.width = Emu(usable * share // total)


def _linked(text: str, source: dict[str, Any] | None) -> Cell:
    """A table cell's text, linked to its source when that is a web page."""
    href = (source or {}).get("href", "") if (source or {}).get("is_url") else ""
    return (text, href) if href else text


def _site(url: str) -> str:
    """A web address as the site it is on (``www.avonmere.example``), to show in a table."""
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def _widths(headers: list[str], rows: list[list[list[Cell]]], across: int) -> list[int]:
    """Each column's share of the table's width (``across`` characters), from what it holds:
    at least its longest word (an id or date never breaks), and of the rest a share as large
    as the text it holds beyond that (a column of long titles gets more than one of figures).
    """
    columns = len(headers)
    # Headers are bold: a fifth wider.
    longest_word = [max((len(w) * 6 // 5 for w in h.split()), default=0) for h in headers]
    lengths: list[list[int]] = [[len(h)] for h in headers]
    for row in rows:
        for n, paragraphs in enumerate(row):
            for value in paragraphs:
                text = value[0] if isinstance(value, tuple) else value
                # A date is one word (its spaces do not break) and so is an id (its hyphens do
                # not: wordml.keep_together); a line may break after any other hyphen.
                kept = "".join(
                    "_" if hyphen else piece.replace("-", "- ")
                    for piece, hyphen in wordml.keep_together(text)
                )
                words_in = kept.replace("\N{NO-BREAK SPACE}", "_").split()
                longest_word[n] = max(longest_word[n], *(len(w) for w in words_in), 0)
                lengths[n].append(len(text))
    least = [min(w, MAX_WORD_CHARS) + CELL_PADDING_CHARS for w in longest_word]
    wanted = [
        max(low, min(max(found), MAX_TEXT_CHARS) + CELL_PADDING_CHARS)
        for low, found in zip(least, lengths, strict=True)
    ]
    room = across - sum(least)
    if room <= 0 or sum(wanted) <= across:  # everything fits on one line, or nothing does
        shares = wanted if room > 0 else least
        scale = across / max(sum(shares), 1)
        return [max(1, round(w * scale)) for w in shares]
    # The rest in proportion to the text beyond each column's least width.
    extra = [
        sum(max(0, min(n, 2 * MAX_TEXT_CHARS) - low) for n in lengths[i])
        for i, low in enumerate(least)
    ]
    total_extra = max(sum(extra), 1)
    return [low + room * e // total_extra for low, e in zip(least, extra, strict=True)][:columns]


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
    wordml.a4(doc.sections[0])
    wordml.house_style(doc, wordml.usable_twips(doc.sections[0]))
    writer = _Writer(doc, context)
    title = writer.title()
    writer.cover()
    writer.contents_page()
    writer.summary()
    writer.introduction()
    by_theme = context.get("by_theme") or []
    for number, theme in enumerate(context.get("themes") or []):
        writer.theme(theme, by_theme[number] if number < len(by_theme) else None)
    writer.coverage()
    writer.appendices()
    writer.fill_contents()
    writer.headers_and_footers()
    _fix_properties(doc, title, context)

    raw = io.BytesIO()
    doc.save(raw)
    return fixed_zip_times(raw.getvalue(), ZIP_DATE)
