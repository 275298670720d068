"""One answer layout and one stance vocabulary in every presentation (issue #28): the
terminal text, the chat's HTML and each export lay out the same view (assistant.view) — the
direct answer line first, then the quotes, each with its markers, then the sources — and
say a stance with the words of ``Stance.by`` ("claimed by Zelensky"), never the JSON's
value ("alleged")."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest

from assistant import view
from assistant.export import export_answer
from assistant.models import Answer, Citation, Stance
from assistant.render_text import answer_block
from ingest.models import ArticleRef, Paragraph
from ui.render import answer_html
from vectorstore.models import Passage

FIGURE = "Zelensky said about 10,000 North Korean personnel had been sent to Russia."
DENIAL = "The Kremlin denied that any North Korean troops were in Russia."


def _passage(aid: str, text: str, source: str) -> Passage:
    ref = ArticleRef(aid, f"Title of {aid}", source, "h" * 64, published_at="2024-10-22")
    return Passage(ref, Paragraph(aid, 0, text, 0, len(text)))


def answer() -> Answer:
    c1 = Citation(
        1, _passage("a1", FIGURE, "Kyiv Ledger"), FIGURE, 0, len(FIGURE), "Zelensky", Stance.ALLEGED
    )
    c2 = Citation(
        2,
        _passage("a2", DENIAL, "Eurasia Monitor"),
        DENIAL,
        0,
        len(DENIAL),
        "The Kremlin",
        Stance.DENIED,
    )
    lead = "about 10,000 [1]"
    return Answer(
        "How many North Korean troops are in Russia?",
        f"{lead}\n\n{FIGURE} [1] {DENIAL} [2]",
        (c1, c2),
        lead=lead,
    )


def _docx(data: bytes) -> str:
    import docx

    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def _pdf(data: bytes) -> str:
    import pypdf

    return " ".join(
        " ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(data)).pages
    )


def _html_text(page: str) -> str:
    return re.sub(r"<[^>]+>", "", re.sub(r"<style>.*?</style>", "", page, flags=re.S))


PRESENTATIONS: dict[str, Callable[[Answer], str]] = {
    "terminal": answer_block,
    "chat": lambda a: _html_text(answer_html(view.section(a))),
    "markdown": lambda a: export_answer(a, "md").decode(),
    "html": lambda a: _html_text(export_answer(a, "html").decode()),
    "docx": lambda a: _docx(export_answer(a, "docx")),
    "pdf": lambda a: _pdf(export_answer(a, "pdf")),
}


@pytest.mark.parametrize("name", sorted(PRESENTATIONS))
def test_every_presentation_lays_the_answer_out_the_same_way(name: str) -> None:
    shown = PRESENTATIONS[name](answer()).replace("\\", "")
    flat = " ".join(shown.split())
    lead = flat.find("About 10,000")  # the answer line, opening with a capital
    first, second = flat.find(FIGURE), flat.find(DENIAL)
    assert 0 <= lead < first < second, (name, flat[:300])
    # the sources after the answer, each with its outlet
    assert flat.find("Kyiv Ledger", second) > second and "Eurasia Monitor" in flat
    # one vocabulary for who stands behind a quote
    assert "claimed by Zelensky" in flat and "denied by The Kremlin" in flat, name
    assert "alleged" not in flat.lower(), name


def test_the_chat_marks_the_answer_line_bold_and_lists_the_quotes() -> None:
    page = answer_html(view.section(answer()))
    assert re.search(r'<div class="briefing-lead"><strong>About 10,000 </strong>', page)
    items = re.findall(
        r"<li>(.*?)</li>", page.split('class="briefing-quotes"')[1].split("</ul>")[0]
    )
    assert [_html_text(i).split(" [")[0] for i in items] == [FIGURE, DENIAL]
