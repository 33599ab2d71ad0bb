"""The report as an editable Word document (python-docx, imported only when a .docx is written):
real headings and tables, columns measured so that no word breaks, landscape pages for the wide
tables, charts as PNG."""

from __future__ import annotations

import io
from pathlib import Path

from hginventory.core.files import atomic_write
from hginventory.core.i18n import get_language
from hginventory.core.i18n import gettext as _
from hginventory.engine.inventory import Inventory
from hginventory.write.blocks import Figure, Heading, Landscape, Para, Table, clean
from hginventory.write.report.charts import chart_png
from hginventory.write.report.contents import build_document, cell_text, subtitle, title


def core_property(text: str, limit: int = 255) -> str:
    """A .docx core property holds at most 255 characters: longer text is cut, with an
    ellipsis."""
    text = clean(text)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _docx_table(doc, block: Table) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    caption = doc.add_paragraph(clean(block.caption), style="Caption")
    caption.paragraph_format.keep_with_next = True  # never a caption alone at a page bottom
    table = doc.add_table(rows=1, cols=len(block.headers), style="Table Grid")
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    size = Pt(7.5 if block.small else 9)
    header = table.rows[0]
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)
    last_body = len(block.rows) - block.total_rows
    grid = [header.cells]
    for i, (cell, text) in enumerate(zip(header.cells, block.headers, strict=True)):
        _docx_cell(cell, clean(text), size, bold=True, right=i in block.numeric, header=True)
        shade = OxmlElement("w:shd")
        shade.set(qn("w:val"), "clear")
        shade.set(qn("w:fill"), "DDEBF7")
        cell._tc.get_or_add_tcPr().append(shade)
    for cell in header.cells:  # the header row stays with the first row of data
        cell.paragraphs[0].paragraph_format.keep_with_next = True
    for r, values in enumerate(block.rows):
        row = table.add_row()
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        cells = row.cells
        grid.append(cells)
        for i, (cell, text) in enumerate(zip(cells, values, strict=True)):
            _docx_cell(cell, clean(text), size, bold=r >= last_body, right=i in block.numeric)
    section = doc.sections[-1]
    usable = section.page_width - section.left_margin - section.right_margin - Cm(0.5)
    widths = [Cm(w) for w in _column_widths(block, usable / Cm(1))]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the table grid, which LibreOffice follows
    for cells in grid:
        for cell, width in zip(cells, widths, strict=True):  # the cell widths, which Word follows
            cell.width = width
    doc.add_paragraph()


WIDE_GLYPHS = frozenset("MWmw@%")
NARROW_GLYPHS = frozenset("fijlrtI.,;:'|!()[] ")


def text_cm(text: str, size_pt: float, bold: bool = False) -> float:
    """Width of `text` in cm at `size_pt`, measured for a wide font (the DejaVu that
    LibreOffice falls back to without Calibri is wider than Calibri): `MNm3` must fit its cell."""
    em = 0.0
    for ch in text:
        if ch in WIDE_GLYPHS:
            em += 1.05
        elif ch in NARROW_GLYPHS:
            em += 0.4
        elif ch.isupper():
            em += 0.8
        else:
            em += 0.66
    return em * size_pt * (1.08 if bold else 1.0) / 28.35


def _column_widths(block: Table, usable_cm: float) -> list[float]:
    """Column widths in cm: short columns as wide as their longest word or value, the long text
    columns share the rest of the page in proportion to their content; no column narrower
    than its longest word (units, codes), so that words are never broken in the middle."""
    size = 7.5 if block.small else 9
    margin = 0.6  # the cell's left and right margins, and some room
    last_body = len(block.rows) - block.total_rows
    natural, words = [], []
    for i, head in enumerate(block.headers):
        values = [(clean(r[i]), k >= last_body) for k, r in enumerate(block.rows)]  # bold totals
        head_words = clean(head).split() or [""]
        longest = max(
            [text_cm(v[:70], size, bold) for v, bold in values]
            + [text_cm(w, size, True) for w in head_words]
        )
        if i in block.numeric:  # a number is one word: "4 692,5" never breaks at its marks
            pieces = [text_cm(v, size, bold) for v, bold in values]
        else:
            pieces = [text_cm(w[:40], size, bold) for v, bold in values for w in v.split()]
        word = max(pieces + [text_cm(w[:40], size, True) for w in head_words])
        natural.append(longest + margin)
        words.append(word + margin)
    short = [w <= 3.2 for w in natural]
    fixed = sum(w for w, s in zip(natural, short, strict=True) if s)
    flexible = sum(w for w, s in zip(natural, short, strict=True) if not s)
    room = usable_cm - fixed
    if not flexible or room <= 0 or flexible <= room:
        scale = usable_cm / sum(natural) if sum(natural) > usable_cm else 1.0
        widths = [w * scale for w in natural]
    else:
        widths = [w if s else w * room / flexible for w, s in zip(natural, short, strict=True)]
    widths = [max(w, m) for w, m in zip(widths, words, strict=True)]
    slack = sum(w - m for w, m in zip(widths, words, strict=True))
    excess = sum(widths) - usable_cm
    if excess > 0 and slack > 0:
        cut = min(1.0, excess / slack)
        widths = [w - (w - m) * cut for w, m in zip(widths, words, strict=True)]
    return widths


def _docx_cell(cell, text: str, size, bold: bool, right: bool, header: bool = False) -> None:
    """A cell's text; a number (`right`, not a `header`) is aligned right and never wrapped."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement

    para = cell.paragraphs[0]
    run = para.add_run(cell_text(text))
    run.font.size = size
    run.bold = bold
    if right:
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if right and not header:
        cell._tc.get_or_add_tcPr().append(OxmlElement("w:noWrap"))


def _docx_landscape(doc) -> None:
    from docx.enum.section import WD_ORIENT, WD_SECTION

    current = doc.sections[-1]
    if current.orientation == WD_ORIENT.LANDSCAPE:
        return
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = current.page_height, current.page_width


def _docx_portrait(doc) -> None:
    from docx.enum.section import WD_ORIENT, WD_SECTION

    current = doc.sections[-1]
    if current.orientation == WD_ORIENT.PORTRAIT:
        return
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = current.page_height, current.page_width


def build_docx(inv: Inventory, blocks: list | None = None):
    """The report as a python-docx Document: real headings (Heading 1/2) and real tables."""
    from docx import Document
    from docx.shared import Cm, Pt, RGBColor

    blocks = build_document(inv) if blocks is None else blocks
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for s in ("left_margin", "right_margin"):
        setattr(section, s, Cm(2))
    doc.styles["Normal"].font.size = Pt(10)
    props = doc.core_properties
    props.title = core_property(title(inv))
    props.subject = core_property(
        _("Mercury release inventory {year}").format(year=inv.country.year)
    )
    props.language = get_language()
    props.author = "hginv"
    props.comments = core_property(
        _("Draft generated by hginv {version}").format(version=inv.metadata["hginv_version"])
    )
    doc.add_heading(title(inv), level=0)
    doc.add_paragraph(subtitle(inv), style="Subtitle")
    for block in blocks:
        if isinstance(block, Heading):
            if block.level == 1 and not block.annex:
                _docx_portrait(doc)
            doc.add_heading(clean(block.text), level=block.level)
        elif isinstance(block, Para):
            if block.kind == "caution":
                para = doc.add_paragraph(style="Intense Quote")
                run = para.add_run(clean(block.text))
                run.bold = True
                run.font.color.rgb = RGBColor(0x9C, 0x00, 0x06)
            else:
                para = doc.add_paragraph(clean(block.text))
                if block.kind in ("note", "lead"):
                    para.runs[0].italic = True
        elif isinstance(block, Table):
            _docx_table(doc, block)
        elif isinstance(block, Figure):
            width = doc.sections[-1].page_width - Cm(4)
            picture = chart_png(inv, block.name, block.draw)
            doc.add_picture(io.BytesIO(picture), width=min(width, Cm(16)))
            doc.paragraphs[-1].paragraph_format.keep_with_next = True  # with its caption
            doc.add_paragraph(clean(block.caption), style="Caption")
        elif isinstance(block, Landscape):
            _docx_landscape(doc)
    return doc


def write_docx(inv: Inventory, path: str | Path, protect=(), chapters=None) -> Path:
    doc = build_docx(inv, build_document(inv, chapters))
    return atomic_write(path, lambda tmp: doc.save(str(tmp)), protect)

