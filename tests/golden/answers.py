"""Deterministic answers and conversations for export tests, built by hand (never by a model)
so that golden files change only when an exporter does. The article text is invented."""

from __future__ import annotations

from assistant.conversations import Conversation, ConversationTurn
from assistant.models import REFUSAL, Answer, Citation
from ingest.models import ArticleRef, Paragraph
from vectorstore.models import Passage

HARBOUR_BODY = (
    "Port officials said the new ferry terminal would open in March.\n\n"
    "“We expect the first sailing on 3 March — weather permitting,” harbour master "
    "Ana Ruiz said on Tuesday. The budget (€41m) was approved by the city & the region."
)
RAIL_BODY = (
    "The regional rail operator denied that the night train would be cut.\n\n"
    "A spokesman for Nordbahn called the reports “pure speculation” and said the service "
    "would run through 2026."
)


def _passage(
    article: str, body: str, index: int, title: str, source: str, url: str | None, date: str
) -> Passage:
    paragraphs = body.split("\n\n")
    start = sum(len(p) + 2 for p in paragraphs[:index])
    text = paragraphs[index]
    return Passage(
        ArticleRef(article, title, source, (article * 4)[:64], url=url, published_at=date),
        Paragraph(article, index, text, start, start + len(text)),
    )


def _citation(
    number: int, passage: Passage, quote: str, speaker: str | None, stance: str
) -> Citation:
    start = passage.text.index(quote)
    return Citation(number, passage, quote, start, start + len(quote), speaker, stance)


HARBOUR_1 = _passage(
    "a1b2c3d4e5f60718",
    HARBOUR_BODY,
    1,
    "Ferry terminal to open in March — officials",
    "Coastal Courier",
    "https://example.com/courier/ferry-terminal",
    "2024-10-28",
)
RAIL_0 = _passage(
    "0f1e2d3c4b5a6978",
    RAIL_BODY,
    0,
    "Night train “not at risk”, operator says",
    "Valley Gazette",
    None,
    "2024-11-02",
)


def golden_answer() -> Answer:
    c1 = _citation(
        1,
        HARBOUR_1,
        "“We expect the first sailing on 3 March — weather permitting,” harbour master "
        "Ana Ruiz said on Tuesday.",
        "Ana Ruiz",
        "asserted",
    )
    c2 = _citation(
        2,
        RAIL_0,
        "The regional rail operator denied that the night train would be cut.",
        "The regional rail operator",
        "denied",
    )
    lead = "3 March [1]"  # the direct answer line: a verbatim span of the cited quote
    text = (
        f"{lead}\n\n"
        "Stated by Ana Ruiz (Coastal Courier, 2024-10-28): “We expect the first sailing on "
        "3 March — weather permitting,” harbour master Ana Ruiz said on Tuesday. [1]\n\n"
        "Denied by the regional rail operator (Valley Gazette): the operator denied that the "
        "night train would be cut. [2]"
    )
    return Answer(
        "When will the ferry terminal open, and is the night train cut?",
        text,
        (c1, c2),
        removed_markers=(3,),  # a marker the (LLM) answer used that cited no source
        lead=lead,
        answer_type="date",
    )


def refused_answer() -> Answer:
    return Answer(
        "What did the mayor say about parking fees?",
        REFUSAL,
        refused=True,
        unsupported=("The mayor doubled parking fees.",),
        related=(HARBOUR_1,),
    )


def golden_conversation() -> Conversation:
    return Conversation(
        7,
        "When will the ferry terminal open, and is the night train cut?",
        "2024-11-05T09:30:00+00:00",
        (
            ConversationTurn(
                golden_answer().question, golden_answer(), "2024-11-05T09:30:00+00:00"
            ),
            ConversationTurn(
                refused_answer().question, refused_answer(), "2024-11-05T09:31:12+00:00"
            ),
        ),
    )


# -- untrusted article text that tries to become markup ---------------------------------------
INJECTIONS = (
    "<script>alert('x')</script>",
    "<img src=http://evil.example/pixel.png onerror=alert(1)>",
    "[link](javascript:alert(1))",
    "![img](http://evil.example/track.png)",
)
INJECTED_TEXT = (
    "Officials said <script>alert('x')</script> the vote passed "
    "<img src=http://evil.example/pixel.png onerror=alert(1)> and "
    "[link](javascript:alert(1)) with ![img](http://evil.example/track.png) attached."
)


def injected_answer() -> Answer:
    passage = Passage(
        ArticleRef(
            id="feedfacecafe0001",
            title="<b>Vote</b> [passes](javascript:alert(2)) <script>alert(3)</script>",
            source="![logo](http://evil.example/logo.png)",
            content_hash="f" * 64,
            url="javascript:alert(4)",
            published_at="2024-10-30",
        ),
        Paragraph("feedfacecafe0001", 0, INJECTED_TEXT, 0, len(INJECTED_TEXT)),
    )
    c = Citation(1, passage, INJECTED_TEXT, 0, len(INJECTED_TEXT), "<i>Officials</i>", "asserted")
    return Answer(
        "Did the vote <script>alert(5)</script> pass?",
        f"Reported: {INJECTED_TEXT} [1]",
        (c,),
    )
