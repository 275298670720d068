"""Exports of one answer and of a conversation: golden files for md/json/html, DOCX re-opened
with python-docx, PDF text and links read back with pypdf.

Regenerate the golden files after an intended change of an exporter with
``REGENERATE_GOLDEN=1 .venv/bin/pytest tests/test_export.py`` and review the diff.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.conversations import Conversation, ConversationTurn
from assistant.errors import ExportError
from assistant.export import (
    FORMATS,
    export_answer,
    export_conversation,
    export_format,
    file_name,
    mime_type,
)
from assistant.export import pdf as pdf_export
from assistant.export.schema import (
    AnswerOut,
    ConversationOut,
    SchemaError,
    answer_in,
    conversation_in,
    parse_document,
)
from assistant.models import Answer
from assistant.view import (
    Provenance,
    from_answer,
    from_conversation,
    safe_link,
    section,
    stance_phrase,
)
from tests.golden.answers import golden_answer, golden_conversation, refused_answer
from vectorstore.models import Passage

GOLDEN = Path(__file__).resolve().parent / "golden"
REGENERATE = os.environ.get("REGENERATE_GOLDEN") == "1"

Maker = Callable[[str], bytes]
HEADER = Provenance("2024-11-21T09:30:00+00:00", "8 articles, 59 paragraphs", "none", "extractive")
CASES: dict[str, Maker] = {
    "answer": lambda fmt: export_answer(golden_answer(), fmt, HEADER),
    "conversation": lambda fmt: export_conversation(golden_conversation(), fmt, HEADER),
}


def squash(text: str) -> str:
    """Whitespace-insensitive text (PDF lines wrap wherever the page ends)."""
    return " ".join(text.split())


def all_markers(answer: Answer) -> list[str]:
    return re.findall(r"\[\d+\]", answer.text)


@pytest.mark.parametrize("fmt", ["md", "json", "html"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case: str, fmt: str) -> None:
    data = CASES[case](fmt).decode("utf-8")
    path = GOLDEN / f"{case}{FORMATS[fmt].extension}"
    if REGENERATE:
        path.write_text(data, encoding="utf-8")
    assert path.exists(), f"missing {path}: run with REGENERATE_GOLDEN=1 and review it"
    assert data == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_text_formats_link_every_marker_to_its_reference(fmt: str) -> None:
    text = export_conversation(golden_conversation(), fmt).decode()
    targets = re.findall(r'href="#(ref-[\d-]+)"' if fmt == "html" else r"\]\(#(ref-[\d-]+)\)", text)
    anchors = set(re.findall(r'id="(ref-[\d-]+)"', text))
    # every marker links, the lead's [1] and the quote's [1] to the same reference
    assert targets == ["ref-1-1", "ref-1-1", "ref-1-2"]
    assert set(targets) == anchors
    for c in golden_answer().citations:
        # the stance in the one vocabulary the chat and the terminal use ("stated by ...")
        assert c.passage.article.content_hash in text and stance_phrase(c.stance, c.speaker) in text


def test_every_reference_field_is_in_every_format() -> None:
    answer = golden_answer()
    c = answer.citations[0]
    for fmt in ("md", "html"):
        text = export_answer(answer, fmt).decode()
        for value in (
            c.passage.article.title,
            c.passage.article.source,
            c.passage.article.published_at,
            c.passage.article.url,
            "Paragraph: 2" if fmt == "md" else "<dt>Paragraph</dt><dd>2</dd>",
            c.quote,
            stance_phrase(c.stance, c.speaker),
            c.speaker,
            c.passage.article.content_hash,
        ):
            assert value and value in text, (fmt, value)


# -- JSON: the versioned contract reads back into the same Answer/Conversation --------------
def test_json_round_trip_answer_and_conversation() -> None:
    doc = parse_document(export_answer(golden_answer(), "json"))
    assert isinstance(doc, AnswerOut) and doc.schema_version == 1 and doc.kind == "answer"
    assert answer_in(doc) == golden_answer()

    conv = parse_document(export_conversation(golden_conversation(), "json"))
    assert isinstance(conv, ConversationOut) and conv.kind == "conversation"
    assert conversation_in(conv) == golden_conversation()


def test_json_documents_without_kind_are_still_read() -> None:
    old = export_answer(golden_answer(), "json").decode().replace('"kind": "answer",', "")
    assert answer_in(parse_document(old)) == golden_answer()  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"question": "q"}', "no schema_version"),
        ('{"schema_version": 99, "question": "q"}', "newer than this program reads"),
        ('{"schema_version": 1, "kind": "answer", "question": "q"}', "answer"),
    ],
)
def test_bad_json_documents_say_why(data: str, reason: str) -> None:
    with pytest.raises(SchemaError, match=reason):
        parse_document(data)


# -- DOCX -------------------------------------------------------------------------------
def _docx(data: bytes):  # type: ignore[no-untyped-def]
    import docx

    return docx.Document(io.BytesIO(data))


def test_docx_has_every_marker_linked_to_a_bookmarked_reference() -> None:
    from docx.oxml.ns import qn

    conv = golden_conversation()
    doc = _docx(export_conversation(conv, "docx"))
    texts = [p.text for p in doc.paragraphs]
    full = "\n".join(texts)
    bookmarks = {b.get(qn("w:name")): b for b in doc.element.body.iter(qn("w:bookmarkStart"))}
    links = [(h.text, h.fragment) for p in doc.paragraphs for h in p.hyperlinks if h.fragment]
    expected = [
        (m, f"ref_{i}_{m.strip('[]')}")
        for i, t in enumerate(conv.turns, start=1)
        for m in all_markers(t.answer)
    ]
    assert links == expected
    assert {f for _, f in links} <= set(bookmarks)
    for _, name in links:  # the bookmark sits on the reference's heading paragraph
        heading = bookmarks[name].getparent()
        assert "".join(heading.itertext()).startswith(f"[{name.rsplit('_', 1)[1]}] ")
    for t in conv.turns:
        for c in t.answer.citations:
            assert c.quote in texts  # the quote is a paragraph of its own, verbatim
            said = stance_phrase(c.stance, c.speaker)
            assert said and c.passage.article.content_hash in full and said in full
    assert "The mayor doubled parking fees." in full


def test_docx_links_only_http_urls_externally() -> None:
    doc = _docx(export_answer(golden_answer(), "docx"))
    external = [r.target_ref for r in doc.part.rels.values() if r.is_external]
    assert external == ["https://example.com/courier/ferry-terminal"]


# -- PDF --------------------------------------------------------------------------------
def _pdf_text_and_links(data: bytes) -> tuple[str, list[tuple[int, int]], list[str]]:
    """All text; internal links as (page of the link, page of its target); external URIs."""
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    pages = [p.indirect_reference for p in reader.pages]
    internal, external = [], []
    for i, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            if a.get("/Subtype") != "/Link":
                continue
            if "/Dest" in a:
                internal.append((i, pages.index(a["/Dest"][0])))
            else:
                external.append(str(a["/A"]["/URI"]))
    text = "\n".join(p.extract_text() for p in reader.pages)
    return text, internal, external


@pytest.mark.skipif(pdf_export.find_fonts() is None, reason="DejaVu Sans not installed")
def test_pdf_text_has_every_marker_and_verbatim_quote() -> None:
    conv = golden_conversation()
    text, internal, external = _pdf_text_and_links(export_conversation(conv, "pdf"))
    flat = squash(text)
    markers = [m for t in conv.turns for m in all_markers(t.answer)]
    assert len(internal) == len(markers)
    for t in conv.turns:
        sec = section(t.answer)  # the lead, then each quote as a list item
        for part in [sec.lead, *sec.quotes] if sec.lead else sec.paragraphs:
            # markers in place, curly quotes and dashes kept
            assert squash("".join(s.text for s in part)) in flat
        for c in t.answer.citations:
            assert squash(c.quote) in flat
            a = c.passage.article
            assert f"[{c.number}] {a.source} · {a.published_at} · {a.title}" in flat
            said = stance_phrase(c.stance, c.speaker)
            assert a.content_hash in flat and f"Stance: {said}" in flat
    assert external == ["https://example.com/courier/ferry-terminal"]


def test_pdf_links_reach_references_on_later_pages() -> None:
    """A long briefing: references of late questions sit on later pages, links still land."""
    turns = tuple(
        ConversationTurn(golden_answer().question, golden_answer(), None) for _ in range(8)
    )
    conv = Conversation(1, "Long briefing", None, turns)
    text, internal, _ = _pdf_text_and_links(export_conversation(conv, "pdf"))
    assert len(internal) == 24  # 8 answers x 3 markers (lead [1], quote [1], quote [2])
    assert max(target for _, target in internal) >= 2  # spans at least three pages
    assert all(target >= source for source, target in internal)  # references follow markers
    assert squash(text).count(squash(golden_answer().citations[1].quote)) == 8


def test_pdf_without_unicode_font_transliterates_instead_of_failing() -> None:
    data = pdf_export.render(from_answer(golden_answer()), builtin_font=True)
    text, internal, _ = _pdf_text_and_links(data)
    flat = squash(text)
    assert len(internal) == 3 and "[1]" in flat and "[2]" in flat
    assert '"We expect the first sailing on 3 March - weather permitting,"' in flat
    assert pdf_export.latin1("Café “x” — 한") == 'Café "x" - ?'


# -- the public API the UI uses -----------------------------------------------------------
def test_formats_mime_types_and_file_names() -> None:
    assert sorted(FORMATS) == ["docx", "html", "json", "md", "pdf"]
    assert mime_type("pdf") == "application/pdf" and mime_type(".md") == "text/markdown"
    assert [f.name for f in FORMATS.values() if f.binary] == ["docx", "pdf"]
    assert file_name("Who confirmed the troop numbers?", "docx") == (
        "who-confirmed-the-troop-numbers.docx"
    )
    assert file_name("../../etc/passwd", "md") == "etc-passwd.md"
    with pytest.raises(ExportError, match="unknown export format 'rtf'"):
        export_format("rtf")
    for fmt in FORMATS:
        assert export_answer(refused_answer(), fmt)
        assert export_conversation(Conversation.of_answers([golden_answer()]), fmt)


def test_unsaved_conversation_of_answers() -> None:
    conv = Conversation.of_answers([golden_answer(), refused_answer()])
    assert conv.id is None and conv.title == golden_answer().question
    doc = from_conversation(conv)
    assert [s.question for s in doc.sections] == [
        golden_answer().question,
        refused_answer().question,
    ]
    assert doc.subtitle == "Conversation · 2 questions"


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("https://example.com/a?b=1", "https://example.com/a?b=1"),
        ("http://example.com", "http://example.com"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("data:text/html,<b>x</b>", None),
        ("https://example.com/a b", None),
        ('https://example.com/"onmouseover=x', None),
        ("//example.com/x", None),
        (None, None),
    ],
)
def test_only_plain_http_urls_become_links(url: str | None, link: str | None) -> None:
    assert safe_link(url) == link


def test_conversation_with_bare_answer_turns_is_read() -> None:
    """Turns given as answer documents (no asked_at wrapper) still read, e.g. for verify."""
    bare = {"schema_version": 1, "turns": [json.loads(export_answer(golden_answer(), "json"))]}
    doc = parse_document(json.dumps(bare))
    assert isinstance(doc, ConversationOut)
    assert conversation_in(doc).turns[0].answer == golden_answer()


def test_control_characters_never_break_a_format() -> None:
    base = golden_answer()
    c = base.citations[1]
    bad = "The operator\x00 denied\x0b it\x1f."
    passage = Passage(
        dataclasses.replace(c.passage.article, title="Night\x07 train"),
        dataclasses.replace(c.passage.paragraph, text=bad),
    )
    cited = dataclasses.replace(c, passage=passage, quote=bad, quote_start=0, quote_end=len(bad))
    answer = dataclasses.replace(base, text=f"{bad} [2]", citations=(cited,))
    for fmt in FORMATS:
        data = export_answer(answer, fmt)  # DOCX (XML) would raise on a control character
        if fmt in ("md", "html"):
            assert b"\x00" not in data and b"\x0b" not in data
    doc = _docx(export_answer(answer, "docx"))
    assert "The operator denied it." in [p.text for p in doc.paragraphs]


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("see www.example.com", "see www\\.example.com"),
        ("see http://example.com/x", "see http\\://example.com/x"),
        ("1. not a list", "1\\. not a list"),
        ("- not a list", "\\- not a list"),
        (
            "a <b> & [c](d) *e* `f` | g ~h~ $i$",
            "a \\<b\\> \\& \\[c\\](d) \\*e\\* \\`f\\` \\| g \\~h\\~ \\$i\\$",
        ),
        ("U.S. officials — “quoted”", "U.S. officials — “quoted”"),  # plain text stays readable
    ],
)
def test_markdown_escape(text: str, escaped: str) -> None:
    from assistant.export.markdown import escape

    assert escape(text) == escaped
