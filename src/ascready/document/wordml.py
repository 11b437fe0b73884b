"""The Word document's page set-up, house style and the small pieces of WordprocessingML that
python-docx has no API for: fields (page numbers, page references), bookmarks, hyperlinks and
non-breaking hyphens.

Every function here takes python-docx objects and changes them in place; none reads the clock,
so the same calls give the same bytes. Text handed in is always written as text (``w:t``),
never as a field instruction or markup.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ascready.document.colours import WORD_HEADING, WORD_INK, WORD_MUTED, WORD_PANEL, WORD_RULE

if TYPE_CHECKING:
    from docx.document import Document
    from docx.section import Section
    from docx.text.paragraph import Paragraph

# A4 in twentieths of a point (210 mm x 297 mm) and the margins, in EMU for python-docx.
A4_SHORT_TWIPS = 11906
A4_LONG_TWIPS = 16838
EMU_PER_TWIP = 635
MARGIN_CM = 2.0
HEADER_CM = 1.0
FONT = "Arial"
LANGUAGE = "en-GB"

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NSDECL = f'xmlns:w="{W_NS}"'

# A hyphen between letters or digits in a short token with a digit in it: an id ("EV-001",
# "S-QS4-01"), an ISO date ("2026-11-16") or a year span ("2025-26"). Inside a table cell these
# hyphens do not break.
_ID_TOKEN = re.compile(r"(?<![\w-])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+(?![\w-])")
_MAX_TOKEN = 20
_LONG_DATE = re.compile(
    r"\b(\d{1,2}) (January|February|March|April|May|June|July|August|September|October|"
    r"November|December) (\d{4})\b"
)


def keep_together(text: str) -> list[tuple[str, bool]]:
    """``text`` as pieces, each ``(text, is_hyphen)``: the hyphens inside ids and dates are
    pieces of their own, to be written as non-breaking hyphens; long dates get non-breaking
    spaces."""
    text = _LONG_DATE.sub("\\1\N{NO-BREAK SPACE}\\2\N{NO-BREAK SPACE}\\3", text)
    out: list[tuple[str, bool]] = []
    last = 0
    for match in _ID_TOKEN.finditer(text):
        token = match.group(0)
        if len(token) > _MAX_TOKEN or not any(c.isdigit() for c in token):
            continue
        out.append((text[last : match.start()], False))
        for i, part in enumerate(token.split("-")):
            if i:
                out.append(("-", True))
            out.append((part, False))
        last = match.end()
    out.append((text[last:], False))
    return [(t, hyphen) for t, hyphen in out if t]


def _el(xml: str) -> Any:
    from docx.oxml import parse_xml

    return parse_xml(xml)


def _rpr(
    *,
    size: int | None = None,
    bold: bool = False,
    italic: bool = False,
    colour: str | None = None,
    underline: bool = False,
) -> str:
    """A run-properties element: sizes in points (half-points in the XML)."""
    parts = [f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>']
    if bold:
        parts.append("<w:b/><w:bCs/>")
    if italic:
        parts.append("<w:i/><w:iCs/>")
    if colour:
        parts.append(f'<w:color w:val="{colour.lstrip("#").upper()}"/>')
    if size:
        parts.append(f'<w:sz w:val="{size * 2}"/><w:szCs w:val="{size * 2}"/>')
    if underline:
        parts.append('<w:u w:val="single"/>')
    return f"<w:rPr {NSDECL}>{''.join(parts)}</w:rPr>"


def _style(
    doc: Document,
    style_id: str,
    name: str,
    kind: str,
    ppr: str = "",
    rpr: str = "",
    *,
    based_on: str | None = "Normal",
    next_style: str | None = None,
) -> None:
    """Define style ``style_id`` afresh (replacing the template's, if it has one)."""
    styles = doc.styles.element
    for old in styles.findall(f"{{{W_NS}}}style"):
        if old.get(f"{{{W_NS}}}styleId") == style_id:
            styles.remove(old)
    head = f'<w:name w:val="{name}"/>'
    if based_on:
        head += f'<w:basedOn w:val="{based_on}"/>'
    if next_style:
        head += f'<w:next w:val="{next_style}"/>'
    head += '<w:uiPriority w:val="9"/><w:qFormat/>'
    body = (f"<w:pPr>{ppr}</w:pPr>" if ppr else "") + (_rpr_inner(rpr) if rpr else "")
    styles.append(
        _el(f'<w:style {NSDECL} w:type="{kind}" w:styleId="{style_id}">{head}{body}</w:style>')
    )


def _rpr_inner(rpr: str) -> str:
    """A run-properties element without its namespace declaration, to put inside another."""
    return rpr.replace(f" {NSDECL}", "")


def house_style(doc: Document, usable_twips: int) -> None:
    """Arial throughout, British English proofing, dark blue headings (contrast well above
    4.5:1 on white), quotes as shaded call-outs, and the contents' and tables' own styles."""
    styles = doc.styles.element
    defaults = styles.find(f"{{{W_NS}}}docDefaults")
    if defaults is not None:
        styles.remove(defaults)
    styles.insert(
        0,
        _el(
            f"<w:docDefaults {NSDECL}><w:rPrDefault><w:rPr>"
            f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'
            '<w:sz w:val="22"/><w:szCs w:val="22"/>'
            f'<w:lang w:val="{LANGUAGE}" w:eastAsia="{LANGUAGE}" w:bidi="ar-SA"/>'
            "</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>"
            '<w:spacing w:after="120" w:line="264" w:lineRule="auto"/>'
            "</w:pPr></w:pPrDefault></w:docDefaults>"
        ),
    )
    _style(doc, "Normal", "Normal", "paragraph", rpr=_rpr(colour=WORD_INK), based_on=None)
    _style(
        doc,
        "Title",
        "Title",
        "paragraph",
        '<w:spacing w:before="2400" w:after="240" w:line="240" w:lineRule="auto"/>',
        _rpr(size=30, bold=True, colour=WORD_HEADING),
        next_style="Normal",
    )
    _style(
        doc,
        "Subtitle",
        "Subtitle",
        "paragraph",
        f'<w:pBdr><w:bottom w:val="single" w:sz="18" w:space="12" w:color="{WORD_HEADING[1:]}"/>'
        '</w:pBdr><w:spacing w:after="480"/>',
        _rpr(size=16, colour=WORD_MUTED),
        next_style="Normal",
    )
    headings = [
        # (level, size in points, space before and after in twips, a new page)
        (1, 20, 0, 240, True),
        (2, 15, 360, 120, False),
        (3, 13, 280, 80, False),
        (4, 11, 200, 60, False),
    ]
    for level, size, before, after, new_page in headings:
        _style(
            doc,
            f"Heading{level}",
            f"heading {level}",
            "paragraph",
            "<w:keepNext/><w:keepLines/>"
            + ("<w:pageBreakBefore/>" if new_page else "")
            + f'<w:spacing w:before="{before}" w:after="{after}"/>'
            + f'<w:outlineLvl w:val="{level - 1}"/>',
            _rpr(size=size, bold=True, colour=WORD_HEADING),
            next_style="Normal",
        )
    _style(
        doc,
        "TOCHeading",
        "TOC Heading",
        "paragraph",
        '<w:keepNext/><w:spacing w:before="0" w:after="240"/>',
        _rpr(size=20, bold=True, colour=WORD_HEADING),
        next_style="Normal",
    )
    for level in (1, 2):
        _style(
            doc,
            f"TOC{level}",
            f"toc {level}",
            "paragraph",
            f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{usable_twips}"/></w:tabs>'
            + f'<w:spacing w:before="{120 if level == 1 else 0}" w:after="40"/>'
            + f'<w:ind w:left="{(level - 1) * 440}"/>',
            _rpr(bold=level == 1),
            next_style="Normal",
        )
    _style(
        doc,
        "Quote",
        "Quote",
        "paragraph",
        f'<w:pBdr><w:left w:val="single" w:sz="36" w:space="8" w:color="{WORD_HEADING[1:]}"/>'
        "</w:pBdr>"
        f'<w:shd w:val="clear" w:color="auto" w:fill="{WORD_PANEL[1:]}"/>'
        '<w:spacing w:before="120" w:after="120"/><w:ind w:left="284" w:right="284"/>',
        _rpr(colour=WORD_INK),
        next_style="Normal",
    )
    for style_id, name in (("Header", "header"), ("Footer", "footer")):
        _style(
            doc,
            style_id,
            name,
            "paragraph",
            '<w:spacing w:after="0"/>',
            _rpr(size=8, colour=WORD_MUTED),
        )
    _style(
        doc,
        "TableText",
        "Table Text",
        "paragraph",
        '<w:spacing w:before="20" w:after="20" w:line="240" w:lineRule="auto"/>',
        _rpr(size=9),
    )
    _style(
        doc,
        "CoverDetail",
        "Cover Detail",
        "paragraph",
        '<w:spacing w:after="60"/>',
        _rpr(size=12),
    )
    _style(
        doc,
        "Hyperlink",
        "Hyperlink",
        "character",
        rpr=_rpr(colour=WORD_HEADING, underline=True),
        based_on=None,
    )
    settings = doc.settings.element
    lang = settings.find(f"{{{W_NS}}}themeFontLang")
    if lang is not None:
        lang.set(f"{{{W_NS}}}val", LANGUAGE)
        lang.attrib.pop(f"{{{W_NS}}}eastAsia", None)
    # Word and LibreOffice fill the page references of the contents when the file is opened.
    update = settings.find(f"{{{W_NS}}}updateFields")
    if update is None:
        update = _el(f'<w:updateFields {NSDECL} w:val="true"/>')
        # After w:characterSpacingControl's neighbours, where the schema wants it.
        anchor = settings.find(f"{{{W_NS}}}compat")
        if anchor is not None:
            anchor.addprevious(update)
        else:
            settings.append(update)
    plain_bullets(doc)
    # The template's second copy of the styles (Word 2010's) says US English too.
    for part in doc.part.package.parts:
        if str(part.partname).endswith("stylesWithEffects.xml"):
            blob = part.blob.replace(b'w:val="en-US"', f'w:val="{LANGUAGE}"'.encode())
            part._blob = blob


def plain_bullets(doc: Document) -> None:
    """Bullets as the character "•" in the body font. The template's bullets are the Symbol
    font's private character U+F0B7, which a PDF made from the file gives to screen readers
    and to copied text as an unknown character."""
    numbering = doc.part.numbering_part.element
    for level in numbering.iter(f"{{{W_NS}}}lvl"):
        text = level.find(f"{{{W_NS}}}lvlText")
        if text is None or text.get(f"{{{W_NS}}}val") != "\uf0b7":
            continue
        text.set(f"{{{W_NS}}}val", "\u2022")
        for fonts in level.iter(f"{{{W_NS}}}rFonts"):
            for side in ("ascii", "hAnsi", "cs", "eastAsia"):
                if fonts.get(f"{{{W_NS}}}{side}") is not None:
                    fonts.set(f"{{{W_NS}}}{side}", FONT)


def a4(section: Section, *, landscape: bool = False) -> None:
    """A4 paper with 2 cm margins, upright or on its side."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Emu

    short, long = Emu(A4_SHORT_TWIPS * EMU_PER_TWIP), Emu(A4_LONG_TWIPS * EMU_PER_TWIP)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(MARGIN_CM))
    section.header_distance = section.footer_distance = Cm(HEADER_CM)
    section.gutter = Emu(0)


def usable_twips(section: Section) -> int:
    width = int(section.page_width or 0) - int(section.left_margin or 0)
    return (width - int(section.right_margin or 0)) // EMU_PER_TWIP


def field(p: Paragraph, instruction: str, shown: str = "") -> None:
    """A complex field (``PAGE``, ``NUMPAGES``, ``PAGEREF``) at the end of ``p``: its
    instruction is always one of ours, never text from the evidence."""
    p_el = p._p
    run = f"<w:r {NSDECL}>{{}}</w:r>"
    p_el.append(_el(run.format('<w:fldChar w:fldCharType="begin"/>')))
    instr = _el(run.format('<w:instrText xml:space="preserve"></w:instrText>'))
    instr[0].text = f" {instruction} "
    p_el.append(instr)
    p_el.append(_el(run.format('<w:fldChar w:fldCharType="separate"/>')))
    if shown:
        value = _el(run.format("<w:t></w:t>"))
        value[0].text = shown
        p_el.append(value)
    p_el.append(_el(run.format('<w:fldChar w:fldCharType="end"/>')))


def field_around(first: Paragraph, last: Paragraph, instruction: str) -> None:
    """A complex field whose result is the paragraphs from ``first`` to ``last`` (Word's
    ``TOC`` field, whose result is the contents' entries): it begins at the start of
    ``first`` and ends at the end of ``last``."""
    run = f"<w:r {NSDECL}>{{}}</w:r>"
    begin = [
        _el(run.format('<w:fldChar w:fldCharType="begin"/>')),
        _el(run.format('<w:instrText xml:space="preserve"></w:instrText>')),
        _el(run.format('<w:fldChar w:fldCharType="separate"/>')),
    ]
    begin[1][0].text = f" {instruction} "
    ppr = first._p.pPr
    at = 0 if ppr is None else list(first._p).index(ppr) + 1
    for offset, element in enumerate(begin):
        first._p.insert(at + offset, element)
    last._p.append(_el(run.format('<w:fldChar w:fldCharType="end"/>')))


def bookmark(p: Paragraph, number: int, name: str) -> None:
    """Bookmark ``name`` around everything in ``p``."""
    p_el = p._p
    start = _el(f'<w:bookmarkStart {NSDECL} w:id="{number}" w:name="{name}"/>')
    ppr = p_el.pPr
    if ppr is not None:
        ppr.addnext(start)
    else:
        p_el.insert(0, start)
    p_el.append(_el(f'<w:bookmarkEnd {NSDECL} w:id="{number}"/>'))


def hyperlink(p: Paragraph, *, url: str = "", anchor: str = "") -> Any:
    """An empty ``w:hyperlink`` at the end of ``p``, to an address (an external relationship)
    or to a bookmark; runs go inside it."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    link = _el(f"<w:hyperlink {NSDECL}/>")
    if url:
        r_id = p.part.relate_to(url, RT.HYPERLINK, is_external=True)
        link.set("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id", r_id)
    else:
        link.set(f"{{{W_NS}}}anchor", anchor)
    link.set(f"{{{W_NS}}}history", "1")
    p._p.append(link)
    return link


def page_break(p: Paragraph) -> None:
    p._p.append(_el(f'<w:r {NSDECL}><w:br w:type="page"/></w:r>'))


def no_borders(table: Any) -> None:
    """A table with no lines: the cover's details."""
    sides = "".join(
        f'<w:{side} w:val="nil"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    _borders(table, f"<w:tblBorders {NSDECL}>{sides}</w:tblBorders>")


def _borders(table: Any, xml: str) -> None:
    """Put the table's borders where the schema wants them, replacing any it had."""
    tbl_pr = table._tbl.tblPr
    for old in tbl_pr.findall(f"{{{W_NS}}}tblBorders"):
        tbl_pr.remove(old)
    tbl_pr.insert_element_before(_el(xml), *_AFTER_BORDERS)


_AFTER_BORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption")


def shade(cell: Any, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    tc_pr.append(_el(f'<w:shd {NSDECL} w:val="clear" w:color="auto" w:fill="{fill.lstrip("#")}"/>'))


def cell_margins(table: Any) -> None:
    """A little more room inside each cell than Word's default."""
    tbl_pr = table._tbl.tblPr
    tbl_pr.insert_element_before(
        _el(
            f'<w:tblCellMar {NSDECL}><w:top w:w="40" w:type="dxa"/>'
            '<w:left w:w="85" w:type="dxa"/><w:bottom w:w="40" w:type="dxa"/>'
            '<w:right w:w="85" w:type="dxa"/></w:tblCellMar>'
        ),
        "w:tblLook",
        "w:tblCaption",
    )


def grid_colour(table: Any) -> None:
    """Grey grid lines instead of black."""
    sides = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="{WORD_RULE[1:]}"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    _borders(table, f"<w:tblBorders {NSDECL}>{sides}</w:tblBorders>")
