"""DOCX export (python-docx): each marker is an internal hyperlink to a bookmark on its
reference. python-docx has no API for either, so both are written as WordprocessingML.

Article text only ever goes into ``w:t`` text nodes (python-docx escapes it), so it cannot
become markup; only http(s) article URLs become external hyperlinks.
"""

from __future__ import annotations

import io
import itertools
from typing import Any

from docx import Document as new_document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph

from assistant.view import (
    APPENDIX_HEADING,
    APPENDIX_NOTE,
    SOURCES_HEADING,
    Document,
    Reference,
    Section,
    Segment,
)

LINK_COLOR = "1F5FBF"


def bookmark_name(anchor: str) -> str:
    """Word bookmark names: a letter first, then letters, digits and underscores."""
    return anchor.replace("-", "_")


def _link_run(text: str, bold: bool = False) -> Any:
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    if bold:
        props.append(OxmlElement("w:b"))
    color = OxmlElement("w:color")
    color.set(qn("w:val"), LINK_COLOR)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.extend([color, underline])
    run.append(props)
    t = OxmlElement("w:t")
    t.text = text
    t.set(qn("xml:space"), "preserve")
    run.append(t)
    return run


def add_internal_link(paragraph: Paragraph, text: str, anchor: str) -> None:
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), bookmark_name(anchor))
    link.set(qn("w:history"), "1")
    link.append(_link_run(text, bold=True))
    paragraph._p.append(link)


def add_external_link(paragraph: Paragraph, text: str, url: str) -> None:
    rel_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    link.set(qn("w:history"), "1")
    link.append(_link_run(text))
    paragraph._p.append(link)


def add_bookmark(paragraph: Paragraph, anchor: str, bookmark_id: int) -> None:
    """A bookmark around the paragraph's content (its target for internal links)."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bookmark_id))
    start.set(qn("w:name"), bookmark_name(anchor))
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bookmark_id))
    props = paragraph._p.pPr
    if props is not None:
        props.addnext(start)
    else:
        paragraph._p.insert(0, start)
    paragraph._p.append(end)


def _run(paragraph: Paragraph, sec: Section, segs: tuple[Segment, ...], bold: bool = False) -> None:
    for seg in segs:
        if seg.marker is None:
            paragraph.add_run(seg.text).bold = bold or None
        else:
            add_internal_link(paragraph, seg.text, sec.anchor_of(seg.marker))


def _answer(doc: Any, sec: Section) -> None:
    """The one answer layout: the direct answer line bold, then the quotes as a bulleted
    list; an answer without one keeps its paragraphs."""
    if sec.lead:
        _run(doc.add_paragraph(), sec, sec.lead, bold=True)
        for quote in sec.quotes:
            _run(doc.add_paragraph(style="List Bullet"), sec, quote)
        return
    for p in sec.paragraphs:
        _run(doc.add_paragraph(), sec, p)


def _reference(doc: Any, ref: Reference, bookmark_id: int) -> None:
    head = doc.add_paragraph()
    head.add_run(ref.marker).bold = True
    head.add_run(f" {ref.place.publisher} · {ref.place.date} · ")
    head.add_run(ref.place.title).italic = True
    add_bookmark(head, ref.anchor, bookmark_id)
    doc.add_paragraph(ref.quote, style="Quote")
    for label, value in ref.fields():
        line = doc.add_paragraph(style="List Bullet")
        line.add_run(f"{label}: ").bold = True
        line.add_run(value)
    line = doc.add_paragraph(style="List Bullet")
    line.add_run("URL: ").bold = True
    if ref.link_url:
        add_external_link(line, ref.link_url, ref.link_url)
    else:
        line.add_run(f"{ref.url} (not a web link)" if ref.url else "none")


def render(document: Document) -> bytes:
    doc = new_document()
    doc.core_properties.title = document.title
    doc.core_properties.author = "Briefing assistant"
    doc.add_heading(document.title, level=0)
    if document.subtitle:
        sub = doc.add_paragraph().add_run(document.subtitle)
        sub.italic = True
        sub.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    if document.provenance:
        for label, value in document.provenance.rows():
            line = doc.add_paragraph(style="List Bullet")
            line.add_run(f"{label}: ").bold = True
            line.add_run(value)
    bookmark_ids = itertools.count(1)
    for sec in document.sections:
        if document.conversation:
            when = f" ({sec.asked_at})" if sec.asked_at else ""
            doc.add_heading(f"{sec.number}. {sec.question}{when}", level=1)
        else:
            q = doc.add_paragraph()
            q.add_run("Question: ").bold = True
            q.add_run(sec.question)
        _answer(doc, sec)
        for heading, items in sec.notes():
            doc.add_paragraph().add_run(f"{heading}:").bold = True
            for item in items:
                doc.add_paragraph(item, style="List Bullet")
        if sec.references:
            doc.add_heading(SOURCES_HEADING, level=2 if document.conversation else 1)
            for ref in sec.references:
                _reference(doc, ref, next(bookmark_ids))
    if hashes := document.hash_rows():
        doc.add_heading(APPENDIX_HEADING, level=1)
        doc.add_paragraph(APPENDIX_NOTE)
        for label, article, content_hash in hashes:
            line = doc.add_paragraph(style="List Bullet")
            line.add_run(f"{label} {article}: ")
            line.add_run(content_hash).font.size = Pt(8)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
