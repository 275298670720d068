"""An article whose text, title, publisher, speaker and URL carry HTML and Markdown
(``<script>``, ``<img src=http://…>``, ``[link](javascript:…)``, ``![img](…)``) exports as
inert text in every format: shown literally, never markup, link, image or script."""

from __future__ import annotations

import io
import json

import pytest
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from assistant.conversations import Conversation
from assistant.export import export_answer, export_conversation
from assistant.export.pdf import find_fonts
from tests.golden.answers import INJECTED_TEXT, INJECTIONS, injected_answer

DANGEROUS_TAGS = ("script", "img", "iframe", "object", "embed", "svg", "form", "link", "base")


def assert_inert_html(page: str, literal: tuple[str, ...]) -> None:
    """No active element, no event handler, links only to anchors or http(s); and the
    injected strings are there as text (escaped, not dropped)."""
    tree = lxml_html.fromstring(page)
    for tag in DANGEROUS_TAGS:
        assert not tree.xpath(f"//{tag}"), tag
    for el in tree.iter():
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (el.tag, name)
            if name.lower() in ("href", "src"):
                assert value.startswith("#ref-") or value.startswith("https://example.com/"), value
    text = tree.text_content()
    for s in literal:
        assert s in text, s


def test_markdown_renders_to_inert_html() -> None:
    md = export_answer(injected_answer(), "md").decode()
    # A renderer that passes raw HTML through, as Markdown allows: escaping must hold anyway.
    rendered = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    page = rendered.render(md)
    assert_inert_html(f"<div>{page}</div>", (*INJECTIONS, "javascript:alert(4)"))
    assert "javascript:" not in "".join(lxml_html.fromstring(f"<div>{page}</div>").xpath("//@href"))


def test_html_escapes_everything() -> None:
    page = export_answer(injected_answer(), "html").decode()
    assert_inert_html(page, (*INJECTIONS, "<b>Vote</b>", "<i>Officials</i>"))
    assert "<script>" not in page and "&lt;script&gt;" in page
    # No external resource of any kind, and a policy that would block one.
    assert "default-src 'none'" in page and "src=" not in page.replace("src=http", "")


def test_html_conversation_escapes_everything() -> None:
    conv = Conversation(3, "<script>alert(6)</script>", "2024-11-01", ())
    conv = Conversation.of_answers([injected_answer()], title=conv.title)
    page = export_conversation(conv, "html").decode()
    assert_inert_html(page, (*INJECTIONS, "<script>alert(6)</script>"))


def test_json_keeps_the_text_verbatim_as_data() -> None:
    data = json.loads(export_answer(injected_answer(), "json"))
    assert data["citations"][0]["quote"] == INJECTED_TEXT
    assert data["citations"][0]["url"] == "javascript:alert(4)"  # data, never a link


def test_docx_has_the_text_and_no_active_links() -> None:
    import docx
    from docx.oxml.ns import qn

    doc = docx.Document(io.BytesIO(export_answer(injected_answer(), "docx")))
    full = "\n".join(p.text for p in doc.paragraphs)
    for s in (*INJECTIONS, "<b>Vote</b>", "javascript:alert(4)"):
        assert s in full
    assert INJECTED_TEXT in [p.text for p in doc.paragraphs]
    assert not [r for r in doc.part.rels.values() if r.is_external]  # no URL became a link
    links = list(doc.element.body.iter(qn("w:hyperlink")))
    assert [link.get(qn("w:anchor")) for link in links] == ["ref_1"]


@pytest.mark.skipif(find_fonts() is None, reason="DejaVu Sans not installed")
def test_pdf_has_the_text_and_no_active_links() -> None:
    import pypdf

    data = export_answer(injected_answer(), "pdf")
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    for s in (*INJECTIONS, "<b>Vote</b>", "javascript:alert(4)"):
        assert s in text, s
    annots = [a.get_object() for p in reader.pages for a in p.get("/Annots") or []]
    assert annots and all("/Dest" in a and "/A" not in a for a in annots)  # internal only
    assert b"/JavaScript" not in data and b"/JS" not in data and b"/URI" not in data
