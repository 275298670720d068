"""Issue #26 item 15: what the analyst reads shows text as text.

- A bracketed number quoted from an article ("sent to Russia [1][2].") shows as "[1][2]",
  never as "\\[1\\]\\[2\\]" and never as a live citation marker: in the terminal, the HTML,
  Markdown, DOCX and PDF exports and the chat. The JSON keeps its documented "\\[1\\]".
- Unicode bidi controls (U+202E and the others), which reorder what a terminal or a page
  shows around them, are removed from the terminal and the exports; the JSON keeps the
  text verbatim (``briefing verify`` compares it) but writes them as ``\\uXXXX`` escapes.
- A file name with a newline (or another control) cannot forge a second ``failed:`` line of
  ``briefing index`` or ``briefing repair``: names are shown escaped, one line each.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from assistant.backends.base import AnswerStream
from assistant.cli import app
from assistant.export import export_answer
from assistant.export.pdf import find_fonts
from assistant.models import Answer, Citation
from ingest.models import ArticleRef, Paragraph
from vectorstore.models import Passage

runner = CliRunner()

QUOTE = "Shells were sent to Russia [1][2]."
SHOWN = "Russia [1][2]."  # how every presentation must show the quoted numbers
ESCAPED = re.compile(r"\\\[\d+\\\]")
# The Unicode bidi controls: embeddings, overrides, isolates and the marks.
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e"]
BIDI += ["\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c"]
_ANY_BIDI = re.compile("[" + "".join(BIDI) + "]")


def _answer(quote: str = QUOTE, title: str = "Shells by rail", question: str = "q") -> Answer:
    """An answer citing ``quote`` once ([1]), the composer's marker after the quote."""
    ref = ArticleRef(
        id="a1", title=title, source=f"Gazette{title[-1]}", content_hash="h", url="https://x.org"
    )
    cite = Citation(1, Passage(ref, Paragraph("a1", 0, quote, 0, len(quote))), quote, 0, len(quote))
    return Answer(question, f"{quote} [1]", (cite,))


def _terminal(answer: Answer) -> str:
    """What `briefing ask` prints: the answer laid out, then its sources."""
    from assistant.render_text import answer_block

    return answer_block(AnswerStream.of(answer).answer)


def _page_text(page: str) -> tuple[str, list[str]]:
    """The visible text of an HTML page and the texts of its links to citations."""
    tree = lxml_html.fromstring(f"<div>{page}</div>")
    links = [a.text_content() for a in tree.xpath("//a[starts-with(@href, '#ref')]")]
    return tree.text_content(), links


def _html(answer: Answer) -> tuple[str, list[str]]:
    return _page_text(export_answer(answer, "html").decode())


def _markdown(answer: Answer) -> tuple[str, list[str]]:
    return _page_text(MarkdownIt("commonmark").render(export_answer(answer, "md").decode()))


def _docx(answer: Answer) -> tuple[str, list[str]]:
    import docx
    from docx.oxml.ns import qn

    doc = docx.Document(io.BytesIO(export_answer(answer, "docx")))
    links = [
        "".join(t.text or "" for t in link.iter(qn("w:t")))
        for link in doc.element.body.iter(qn("w:hyperlink"))
        if link.get(qn("w:anchor"))
    ]
    return "\n".join(p.text for p in doc.paragraphs), links


def _pdf(answer: Answer) -> tuple[str, list[str]]:
    import pypdf

    if find_fonts() is None:
        pytest.skip("DejaVu Sans not installed")
    reader = pypdf.PdfReader(io.BytesIO(export_answer(answer, "pdf")))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    annots = [a.get_object() for p in reader.pages for a in p.get("/Annots") or []]
    return text, ["link"] * len([a for a in annots if "/Dest" in a])


def _chat_markdown(answer: Answer) -> tuple[str, list[str]]:
    from ui.render import answer_markdown

    md = answer_markdown(answer)
    bold = re.findall(r"\*\*(.+?)\*\*", md)
    page = MarkdownIt("commonmark").render(md)
    return lxml_html.fromstring(f"<div>{page}</div>").text_content(), bold


def _chat_html(answer: Answer) -> tuple[str, list[str]]:
    from assistant import view
    from ui.render import answer_html

    tree = lxml_html.fromstring(f"<div>{answer_html(view.section(answer))}</div>")
    for style in tree.xpath("//style"):
        style.drop_tree()
    # the markers in the text (the source list's entries are not markers)
    markers = [s.text_content() for s in tree.xpath("//details[@class='briefing-marker']/summary")]
    for popup in tree.xpath("//*[@class='briefing-popup']"):
        popup.drop_tree()
    return tree.text_content(), markers


PRESENTATIONS = {
    "html export": _html,
    "markdown export": _markdown,
    "docx export": _docx,
    "pdf export": _pdf,
    "chat markdown": _chat_markdown,
    "chat html": _chat_html,
}


@pytest.mark.parametrize("show", PRESENTATIONS.values(), ids=list(PRESENTATIONS))
def test_quoted_numbers_show_as_text_and_only_real_markers_are_live(show) -> None:  # type: ignore[no-untyped-def]
    text, live = show(_answer())
    assert SHOWN in text, text[:600]
    assert not ESCAPED.search(text) and "\\[" not in text, text[:600]
    assert len(live) == 1, live  # the composer's [1]: one link (or bold marker) only
    assert live[0] in ("[1]", "\\[1\\]", "link"), live


def test_the_terminal_shows_quoted_numbers_as_text() -> None:
    shown = _terminal(_answer())
    body = shown.split("Sources:")[0]
    assert f"{SHOWN} [1]" in body and not ESCAPED.search(shown), shown


def test_the_json_keeps_its_escaped_numbers_and_its_markers() -> None:
    data = json.loads(export_answer(_answer(), "json"))
    assert data["answer"] == r"Shells were sent to Russia \[1\]\[2\]. [1]"
    assert [m["n"] for m in data["markers"]] == [1]
    assert data["citations"][0]["quote"] == QUOTE


# -- bidi controls ---------------------------------------------------------------------------
def _bidi_answer(char: str) -> Answer:
    return _answer(
        quote=f"The ministry {char}confirmed{char} the shipment.",
        title=f"Shells {char}by rail{char}",
        question=f"Who {char}confirmed{char} it?",
    )


def _exported_text(answer: Answer, fmt: str) -> str:
    if fmt in ("md", "html"):
        return export_answer(answer, fmt).decode()
    return {"docx": _docx, "pdf": _pdf}[fmt](answer)[0]


@pytest.mark.parametrize("char", BIDI, ids=[f"U+{ord(c):04X}" for c in BIDI])
@pytest.mark.parametrize("where", ["terminal", "md", "html", "docx", "pdf", "chat"])
def test_bidi_controls_are_removed_from_what_is_shown(char: str, where: str) -> None:
    answer = _bidi_answer(char)
    if where == "terminal":
        shown = _terminal(answer)
    elif where == "chat":
        shown = _chat_markdown(answer)[0] + _chat_html(answer)[0]
    else:
        shown = _exported_text(answer, where)
    assert char not in shown, repr(shown[:400])
    assert "confirmed" in shown


@pytest.mark.parametrize("char", BIDI, ids=[f"U+{ord(c):04X}" for c in BIDI])
def test_the_json_escapes_bidi_controls_and_keeps_the_text(char: str) -> None:
    answer = _bidi_answer(char)
    raw = export_answer(answer, "json").decode()
    assert char not in raw and f"\\u{ord(char):04x}" in raw
    data = json.loads(raw)
    assert data["citations"][0]["quote"] == answer.citations[0].quote  # verbatim
    assert data["question"] == answer.question


# -- the CLI, end to end ---------------------------------------------------------------------
ARTICLE = """---
title: Shells \u202eby rail
source: Harbour Gazette
published_at: 2024-11-02
---

The defence ministry confirmed that artillery shells were sent to Russia [1][2].
"""


def test_briefing_ask_shows_quoted_numbers_as_text_and_no_bidi(tmp_path: Path) -> None:
    (tmp_path / "shells.md").write_text(ARTICLE)
    assert runner.invoke(app, ["index", str(tmp_path / "shells.md")]).exit_code == 0
    question = "Were artillery shells sent to Russia?"
    data = json.loads(runner.invoke(app, ["ask", question, "-f", "json", "--no-save"]).stdout)
    assert "Russia \\[1\\]\\[2\\]" in data["answer"]  # the answer quotes the numbers
    result = runner.invoke(app, ["ask", question, "--no-save"])
    assert result.exit_code == 0, result.output
    assert "Russia [1][2]." in result.stdout and not ESCAPED.search(result.stdout)
    assert not _ANY_BIDI.search(result.stdout + result.stderr)
    result = runner.invoke(app, ["ask", question, "--no-save", "-f", "html", "-o", "a.html"])
    text, links = _page_text(Path("a.html").read_text())
    assert "Russia [1][2]." in text and not ESCAPED.search(text) and "\u202e" not in text
    assert set(links) == {f"[{n}]" for n in range(1, len(data["citations"]) + 1)}


# File names that would forge or break a line, and how the failure line shows them.
NAMES = {
    "newline": ("evil\nfailed: forged.txt", "evil\\nfailed: forged.txt"),
    "carriage return": ("over\rfailed: x.txt", "over\\rfailed: x.txt"),
    "tab": ("tab\there.txt", "tab\\there.txt"),
    "escape": ("red\x1b[31m.txt", "red\\x1b[31m.txt"),
    "bidi override": ("fdp.\u202eexe.txt", "fdp.\\u202eexe.txt"),  # shown raw: "fdp.txt.exe"
    "backslash": ("back\\nslash.txt", "back\\\\nslash.txt"),
}


@pytest.mark.parametrize("command", ["index", "repair"])
def test_a_file_name_is_shown_on_one_failure_line(command: str, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, _shown in NAMES.values():
        (folder / name).write_text("")  # an empty file: fails to index
    result = runner.invoke(app, [command, str(folder)])
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    failed = [line for line in lines if line.startswith("failed:")]
    assert len(failed) == len(NAMES), lines
    for _name, shown in NAMES.values():
        assert [line for line in failed if f"{folder}/{shown}: " in line], (shown, failed)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", result.stderr)
    assert not _ANY_BIDI.search(result.stderr)
