"""Issue #16 case 4: bracketed numbers in article text ("... sent to Russia [1][2].") are never
taken for the citation markers the composer placed: not in the terminal, the chat, any export
or the JSON (which lists the real markers' positions); the citations keep the quote
verbatim. Since #26 item 15 they are shown as the article wrote them ("[1][2]", text, never a
link); only the JSON writes them escaped."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from assistant.citations import MARKER, statements
from assistant.cli import app
from assistant.export import export_answer
from assistant.export.pdf import find_fonts
from assistant.models import Answer, Citation
from ingest.models import ArticleRef, Paragraph
from vectorstore.models import Passage

runner = CliRunner()

ARTICLE = """---
title: Shell shipments by rail
source: Harbour Gazette
published_at: 2024-11-02
url: https://example.org/shells
---

The defence ministry confirmed that artillery shells were sent to Russia [1][2].

The harbour's ferry timetable changes in winter.
"""
QUESTION = "Were artillery shells sent to Russia?"
FAKE = r"\[1\]\[2\]"  # how the quoted brackets are written in the answer text and the JSON
SHOWN = "Russia [1][2]."  # how every presentation shows them: as text


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Answer]:
    """The article indexed once for the module (read only by the tests), and its answer."""
    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    work = tmp_path_factory.mktemp("fake-markers")
    path = work / "shells.md"
    path.write_text(ARTICLE)
    settings = Settings(data_dir=work / "data", embedding_model="fake")
    assistant = BriefingAssistant(settings)
    assert assistant.indexer().index([str(path)]).new == 1
    result = assistant.ask(QUESTION, conversation=None)
    assistant.close()
    assert not result.refused and [c.number for c in result.citations] == [1]
    return work / "data", result


@pytest.fixture
def answer(indexed: tuple[Path, Answer]) -> Answer:
    return indexed[1]


@pytest.fixture
def data_env(indexed: tuple[Path, Answer]) -> dict[str, str]:
    return {"BRIEFING_DATA_DIR": str(indexed[0])}


def _real_numbers(text: str) -> list[int]:
    return [int(n) for n in MARKER.findall(text)]


def test_answer_text_escapes_the_quoted_numbers(answer: Answer) -> None:
    assert FAKE in answer.text and set(_real_numbers(answer.text)) == {1}
    assert "[1][2]" in answer.citations[0].quote  # the citation keeps the quote verbatim
    # what the checks read: the statement is the quote as the paragraph has it
    assert any("Russia [1][2]" in s.text for s in statements(answer.text))


def test_cli_text(data_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["ask", QUESTION, "--no-save"], env=data_env)
    assert result.exit_code == 0, result.output
    body = result.stdout.split("Sources:")[0]
    assert SHOWN in body and FAKE not in body


def test_json_lists_the_real_markers(data_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["ask", QUESTION, "-f", "json", "--no-save"], env=data_env)
    data = json.loads(result.stdout)
    text = data["answer"]
    assert FAKE in text
    assert [m["n"] for m in data["markers"]] == _real_numbers(text)
    for m in data["markers"]:
        assert text[m["start"] : m["end"]] == f"[{m['n']}]"
    assert {m["n"] for m in data["markers"]} == {c["n"] for c in data["citations"]}
    assert "Russia [1][2]." in data["citations"][0]["quote"]
    assert data["removed_markers"] == []


def test_chat_markdown_bolds_only_real_markers(answer: Answer) -> None:
    from ui.render import answer_markdown

    md = answer_markdown(answer)
    bold = re.findall(r"\*\*(.+?)\*\*", md)
    assert bold and all(re.fullmatch(r"(\\\[1\\\])+", b) for b in bold), bold
    page = MarkdownIt("commonmark").render(md)
    text = lxml_html.fromstring(f"<div>{page}</div>").text_content()
    assert SHOWN in text and FAKE not in text


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_markdown_and_html_link_only_real_markers(answer: Answer, fmt: str) -> None:
    data = export_answer(answer, fmt).decode()
    page = MarkdownIt("commonmark").render(data) if fmt == "md" else data
    tree = lxml_html.fromstring(f"<div>{page}</div>")
    links = [a.text_content() for a in tree.xpath("//a[starts-with(@href, '#ref-')]")]
    assert links == ["[1]"], links
    assert SHOWN in tree.text_content() and FAKE not in tree.text_content()


def test_docx_links_only_real_markers(answer: Answer) -> None:
    import docx
    from docx.oxml.ns import qn

    doc = docx.Document(io.BytesIO(export_answer(answer, "docx")))
    links = [link.get(qn("w:anchor")) for link in doc.element.body.iter(qn("w:hyperlink"))]
    assert [a for a in links if a] == ["ref_1"]  # (the article's URL is an outside link)
    assert any(SHOWN in p.text for p in doc.paragraphs)
    assert not any(FAKE in p.text for p in doc.paragraphs)


@pytest.mark.skipif(find_fonts() is None, reason="DejaVu Sans not installed")
def test_pdf_links_only_real_markers(answer: Answer) -> None:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(export_answer(answer, "pdf")))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert SHOWN in text and FAKE not in text
    annots = [a.get_object() for p in reader.pages for a in p.get("/Annots") or []]
    assert len([a for a in annots if "/Dest" in a]) == 1  # internal links: markers only


def _answer(text: str, quotes: list[str], lead: str = "") -> Answer:
    cites = []
    for i, q in enumerate(quotes, start=1):
        ref = ArticleRef(id=f"a{i}", title="T", source="S", content_hash="h")
        cites.append(Citation(i, Passage(ref, Paragraph(f"a{i}", 0, q, 0, len(q))), q, 0, len(q)))
    return Answer("q", text, tuple(cites), lead=lead)


# (answer text, cited quotes, expected text): what is quoted is escaped, what the composer
# placed stays a marker.
ESCAPES = [
    ("Sent to Russia [1][2]. [1]", ["Sent to Russia [1][2]."], r"Sent to Russia \[1\]\[2\]. [1]"),
    # a part of the quote, as the direct answer line uses
    ("Yes: to Russia [1][2] [1]", ["Went to Russia [1][2]."], r"Yes: to Russia \[1\]\[2\] [1]"),
    # a quote that opens with a bracketed number
    ("[3] Shells went east. [1]", ["[3] Shells went east."], r"\[3\] Shells went east. [1]"),
    # the composer's marker after a quote ending with a bracketed number
    ("Shells went [1]. [1] Or [2]", ["Shells went [1].", "Or"], r"Shells went \[1\]. [1] Or [2]"),
    # no brackets in any quote: nothing to escape
    ("Shells went east. [1]", ["Shells went east."], "Shells went east. [1]"),
]


@pytest.mark.parametrize(("text", "quotes", "expected"), ESCAPES)
def test_escape_quoted(text: str, quotes: list[str], expected: str) -> None:
    from assistant.citations import escape_quoted, marker_spans, unescape

    escaped = escape_quoted(_answer(text, quotes, lead=text.split(" [1]")[0] + " [1]"))
    assert escaped.text == expected
    assert escaped.text.startswith(escaped.lead)
    assert unescape(escaped.text) == text
    assert escape_quoted(escaped) == escaped  # idempotent: exports re-apply it
    numbers = [n for _s, _e, n in marker_spans(escaped.text)]
    assert set(numbers) == {c.number for c in escaped.citations}


def test_a_saved_answer_from_before_the_escaping_shows_no_fake_marker() -> None:
    """Conversations saved by an older version hold the raw text: the chat and the exports
    escape it when they show it."""
    from ui.render import answer_markdown

    raw = _answer("Sent to Russia [1][2]. [1]", ["Sent to Russia [1][2]."])
    bold = re.findall(r"\*\*(.+?)\*\*", answer_markdown(raw))
    assert bold == [r"\[1\]"], bold
    page = export_answer(raw, "html").decode()
    assert page.count('class="marker"') == 1 and SHOWN in page and FAKE not in page
    data = json.loads(export_answer(raw, "json"))
    assert [m["n"] for m in data["markers"]] == [1] and FAKE in data["answer"]
