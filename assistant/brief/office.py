"""The briefing's layout as DOCX (python-docx) and PDF (fpdf2): the same parts as the chat and
the HTML page, the figures as tables with their chart (a PNG in DOCX, drawn lines in PDF),
each conflict as a table of its sides, the key claims as bullets, the timeline, and the
sources once with the sentences cited from them; every chip ``[n]`` links to its sentence.

Article text is only ever text (python-docx and fpdf2 draw no markup); control and bidi
characters are removed (``view.clean``).
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Sequence
from typing import Any

from assistant import view
from assistant.brief import chart
from assistant.brief.document import (
    CONFLICTS,
    FIGURES,
    KEY_CLAIMS,
    SOURCES,
    TIMELINE,
    Layout,
    Side,
    StepLine,
    key_text,
    source_text,
    step_text,
)

CITED_ANCHOR = "ref-{n}"


def _c(text: str) -> str:
    return view.clean(text)


# -- DOCX -----------------------------------------------------------------------------------------
def docx(lay: Layout) -> bytes:
    from docx import Document as new_document
    from docx.shared import Inches, Pt

    from assistant.export.docx import add_bookmark, add_internal_link

    doc = new_document()
    doc.core_properties.title = _c(lay.title)
    doc.add_heading(_c(lay.title), level=1)
    head = doc.add_paragraph()
    head.add_run(_c(lay.header)).italic = True

    def chips(paragraph: Any, numbers: Sequence[int]) -> None:
        for n in numbers:
            paragraph.add_run(" ")
            add_internal_link(paragraph, f"[{n}]", CITED_ANCHOR.format(n=n))

    def small(cell: Any, text: str, bold: bool = False) -> Any:
        p = cell.paragraphs[0]
        run = p.add_run(_c(text))
        run.bold = bold or None
        run.font.size = Pt(9)
        return p

    if lay.empty:
        doc.add_paragraph(_c(lay.empty))
    if lay.figures:
        doc.add_heading(FIGURES, level=2)
        for t in lay.figures:
            p = doc.add_paragraph()
            p.add_run(_c(t.heading)).bold = True
            if t.contested:
                p.add_run(" — contested")
            image = chart.png(t)
            if image is not None:
                doc.add_picture(io.BytesIO(image), width=Inches(2.6))
            table = doc.add_table(rows=0, cols=4)
            table.style = "Light List"
            for r in t.rows:
                cells = table.add_row().cells
                small(cells[0], r.value, bold=True)
                small(cells[1], r.who + (f" ({r.note})" if r.note else ""))
                small(cells[2], f"{r.outlet}, {r.date}")
                chips(small(cells[3], ""), r.chips)
    doc.add_heading(CONFLICTS, level=2)
    if not lay.conflicts:
        doc.add_paragraph("No conflicting figures or stances.")
    for x in lay.conflicts:
        p = doc.add_paragraph()
        title = f"Figures differ: {x.subject}" if x.kind == "figure" else f"Denied by {x.subject}"
        p.add_run(_c(title)).bold = True
        table = doc.add_table(rows=1, cols=len(x.sides))
        table.style = "Table Grid"
        for cell, side in zip(table.rows[0].cells, x.sides, strict=True):
            q = small(cell, side.label, bold=True)
            q.add_run(_c(f" {side.who} ({side.outlet}, {side.date}{_more(side)})")).font.size = Pt(
                9
            )
            body = cell.add_paragraph()
            run = body.add_run(_c(f"“{side.quote}”"))
            run.italic, run.font.size = True, Pt(9)
            chips(body, side.chips)
    if lay.key:
        doc.add_heading(KEY_CLAIMS, level=2)
        for k in lay.key:
            line = doc.add_paragraph(style="List Bullet")
            line.add_run(_c(key_text(k).rsplit(" [", len(k.chips))[0]))
            chips(line, k.chips)
    steps: list[tuple[str, Sequence[StepLine]]] = []
    if lay.new is not None:
        steps.append((lay.new_heading, lay.new))
    if lay.timeline:
        steps.append((f"{TIMELINE} ({len(lay.timeline)} steps)", lay.timeline))
    for heading, lines in steps:
        doc.add_heading(_c(heading), level=2)
        for s in lines:
            line = doc.add_paragraph(style="List Bullet")
            line.add_run(_c(_without_markers(step_text(s))))
            chips(line, (*s.update_chips, *s.chips))
    if lay.sources:
        doc.add_heading(SOURCES, level=2)
        ids = itertools.count(1)
        for src in lay.sources:
            line = doc.add_paragraph(style="List Bullet")
            line.add_run(_c(_without_markers(source_text(src)))).bold = True
            for n in src.chips:
                c = lay.citation(n)
                ref = doc.add_paragraph()
                ref.paragraph_format.left_indent = Inches(0.3)
                ref.add_run(f"[{n}] ").bold = True
                ref.add_run(f"paragraph {c.passage.paragraph.index + 1}: ")
                ref.add_run(_c(f"“{' '.join(c.quote.split())}”")).italic = True
                add_bookmark(ref, CITED_ANCHOR.format(n=n), next(ids))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _more(side: Side) -> str:
    return f", +{side.more} more" if side.more else ""


def _without_markers(text: str) -> str:
    """A line of ``document`` without its trailing markers (drawn as links instead)."""
    import re

    return re.sub(r"(\s*\[\d+\])+\s*$", "", re.sub(r"\s*(\[\d+\])+(?=[,:])", "", text))


# -- PDF -------------------------------------------------------------------------------------------
def pdf(lay: Layout) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    from assistant.export.pdf import find_fonts, latin1

    doc = FPDF(format="A4")
    doc.set_margins(15, 15, 15)
    doc.set_auto_page_break(True, margin=15)
    fonts = find_fonts()
    write_text: Callable[[str], str]
    if fonts:
        doc.add_font("Body", "", str(fonts.regular))
        doc.add_font("Body", "B", str(fonts.bold))
        family, write_text = "Body", lambda t: _c(t)
    else:
        family, write_text = "helvetica", lambda t: latin1(_c(t))
    doc.add_page()
    links = {c.number: doc.add_link() for c in lay.citations}
    width = doc.w - doc.l_margin - doc.r_margin

    def font(size: float, bold: bool = False, rgb: tuple[int, int, int] = (0, 0, 0)) -> None:
        doc.set_font(family, "B" if bold else "", size)
        doc.set_text_color(*rgb)

    def para(text: str, size: float = 9.5, bold: bool = False, gap: float = 1.0) -> None:
        font(size, bold)
        doc.multi_cell(0, size * 0.5, write_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        doc.ln(gap)

    def run(text: str, chips: Sequence[int], size: float = 9.5) -> None:
        font(size)
        doc.write(size * 0.5, write_text(text))
        font(size, True, (31, 95, 191))
        for n in chips:
            doc.write(size * 0.5, f" [{n}]", link=links[n])
        doc.ln(size * 0.5 + 1.2)

    def heading(text: str) -> None:
        if doc.get_y() > doc.h - 40:
            doc.add_page()
        doc.ln(1.5)
        para(text, 12.5, True, 0.8)

    para(lay.title, 15, True, 0.5)
    font(8.5, rgb=(90, 90, 90))
    doc.multi_cell(0, 4.2, write_text(lay.header), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if lay.empty:
        para(lay.empty)
    if lay.figures:
        heading(FIGURES)
        for t in lay.figures:
            if doc.get_y() > doc.h - 45:
                doc.add_page()
            para(t.heading + (" — contested" if t.contested else ""), 10, True, 0.3)
            marks = chart.plot(t.points)
            if marks is not None:
                _pdf_chart(doc, marks, doc.l_margin, doc.get_y(), font)
                doc.set_y(doc.get_y() + (chart.HEIGHT + 14) / 4 + 1)
            for r in t.rows:
                note = f" ({r.note})" if r.note else ""
                font(9, True)
                doc.cell(24, 4.8, write_text(r.value), align="R")
                run(f"  {r.who}{note} — {r.outlet}, {r.date}", r.chips, 9)
    heading(CONFLICTS)
    if not lay.conflicts:
        para("No conflicting figures or stances.")
    for x in lay.conflicts:
        title = f"Figures differ: {x.subject}" if x.kind == "figure" else f"Denied by {x.subject}"
        para(title, 9.5, True, 0.3)
        column = width / max(1, len(x.sides))
        top, bottom = doc.get_y(), doc.get_y()
        if top > doc.h - 50:
            doc.add_page()
            top = bottom = doc.get_y()
        for i, side in enumerate(x.sides):
            doc.set_xy(doc.l_margin + i * column, top)
            font(8.5, True)
            doc.multi_cell(column - 2, 4, write_text(f"{side.label} {side.who}"))
            doc.set_x(doc.l_margin + i * column)
            font(8)
            chips = "".join(f"[{n}]" for n in side.chips)
            doc.multi_cell(
                column - 2,
                3.8,
                write_text(f"{side.outlet}, {side.date}{_more(side)} — “{side.quote}” {chips}"),
            )
            bottom = max(bottom, doc.get_y())
        doc.set_xy(doc.l_margin, bottom + 2)
    if lay.key:
        heading(KEY_CLAIMS)
        for k in lay.key:
            run("• " + _without_markers(key_text(k)), k.chips)
    sections: list[tuple[str, Sequence[StepLine]]] = []
    if lay.new is not None:
        sections.append((lay.new_heading, lay.new))
    if lay.timeline:
        sections.append((f"{TIMELINE} ({len(lay.timeline)} steps)", lay.timeline))
    for title, lines in sections:
        heading(title)
        for s in lines:
            run("• " + _without_markers(step_text(s)), (*s.update_chips, *s.chips), 8.5)
    if lay.sources:
        heading(SOURCES)
        for src in lay.sources:
            para("• " + _without_markers(source_text(src)), 9, True, 0.3)
            for n in src.chips:
                c = lay.citation(n)
                if doc.get_y() > doc.h - 25:
                    doc.add_page()
                doc.set_link(links[n], y=doc.get_y())
                doc.set_x(doc.l_margin + 5)
                font(8.5)
                doc.multi_cell(
                    0,
                    4,
                    write_text(
                        f"[{n}] paragraph {c.passage.paragraph.index + 1}: "
                        f"“{' '.join(c.quote.split())}”"
                    ),
                    new_x=XPos.LMARGIN,
                    new_y=YPos.NEXT,
                )
                doc.ln(0.6)
    return bytes(doc.output())


def _pdf_chart(
    doc: Any, marks: chart.Marks, x0: float, y0: float, font: Callable[..., None]
) -> None:
    """The chart's marks drawn with lines and dots, a quarter of their pixels in mm."""
    k = 0.25

    def rgb(colour: str) -> tuple[int, int, int]:
        return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))

    doc.set_draw_color(187, 187, 187)
    doc.set_line_width(0.2)
    doc.line(
        x0 + chart.PAD * k,
        y0 + (chart.HEIGHT - chart.PAD) * k,
        x0 + (chart.WIDTH - chart.PAD) * k,
        y0 + (chart.HEIGHT - chart.PAD) * k,
    )
    for x1, y1, x2, y2, c in marks.lines:
        doc.set_draw_color(*rgb(c))
        doc.set_line_width(0.3)
        doc.line(x0 + x1 * k, y0 + y1 * k, x0 + x2 * k, y0 + y2 * k)
    for bx, lo, hi, c in marks.bars:
        doc.set_draw_color(*rgb(c))
        doc.set_line_width(0.8)
        doc.line(x0 + bx * k, y0 + lo * k, x0 + bx * k, y0 + hi * k)
    for dx, dy, c, _label in marks.dots:
        doc.set_fill_color(*rgb(c))
        doc.ellipse(x0 + dx * k - 0.9, y0 + dy * k - 0.9, 1.8, 1.8, style="F")
    font(6.5, rgb=(102, 102, 102))
    doc.text(x0 + chart.PAD * k, y0 + (chart.HEIGHT + 10) * k, marks.first)
    if marks.last != marks.first:
        doc.text(
            x0 + (chart.WIDTH - chart.PAD) * k - doc.get_string_width(marks.last),
            y0 + (chart.HEIGHT + 10) * k,
            marks.last,
        )
    doc.text(x0 + chart.PAD * k, y0 + (chart.PAD + 2) * k, marks.top)
    doc.set_draw_color(0, 0, 0)
