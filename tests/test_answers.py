import json

import pytest

from assistant.citations import problems
from assistant.export.schema import answer_json
from assistant.models import REFUSAL
from vectorstore.filters import Filters


def test_who_confirmed_is_answered_with_cited_confirmation(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    answer = sample_assistant.ask("Who confirmed the troop numbers?")
    assert not answer.refused
    assert answer.citations
    assert problems(answer) == []
    assert any("confirmed" in c.quote for c in answer.citations)


@pytest.mark.parametrize(
    "question",
    ["What is the capital of Australia?", "How do I bake sourdough bread?", "   "],
)
def test_unrelated_questions_are_refused(sample_assistant, question: str) -> None:  # type: ignore[no-untyped-def]
    answer = sample_assistant.ask(question)
    assert answer.refused
    assert answer.text.startswith(REFUSAL)
    assert answer.citations == ()


def test_json_contract(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    answer = sample_assistant.ask("How many special forces did North Korea send?")
    data = json.loads(answer_json(answer))
    assert set(data) >= {"question", "answer", "refused", "citations"}
    numbers = {c["n"] for c in data["citations"]}
    import re

    assert {int(n) for n in re.findall(r"\[(\d+)\]", data["answer"])} == numbers
    for c in data["citations"]:
        assert c["quote"] in c["paragraph_text"]
        assert c["paragraph_id"] == f"{c['article_id']}:{c['paragraph_index']}"
        assert c["char_end"] - c["char_start"] == len(c["paragraph_text"])
        for key in ("title", "source", "url", "published_at"):
            assert key in c


def test_source_filter_limits_citations(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    question = "How many North Korean troops are in the Kursk region?"
    unfiltered = sample_assistant.ask(question)
    assert len({c.passage.article.source for c in unfiltered.citations}) > 1
    answer = sample_assistant.ask(question, filters=Filters(sources=("Capital Dispatch",)))
    assert answer.citations
    assert {c.passage.article.source for c in answer.citations} == {"Capital Dispatch"}


# -- extractive answers over invented paragraphs -------------------------------------------
from pathlib import Path  # noqa: E402

from assistant.backends.extractive import ExtractiveBackend  # noqa: E402
from assistant.citations import citation_checks  # noqa: E402
from ingest.models import ArticleRef, Paragraph  # noqa: E402
from vectorstore.models import Hit, Passage  # noqa: E402


def para(article: str, text: str, source: str, date: str, index: int = 0) -> Hit:
    ref = ArticleRef(article, f"Title {article}", source, f"hash-{article}-{index}", None, date)
    return Hit(Passage(ref, Paragraph(article, index, text, 0, len(text))))


WIRE = (
    "Port spokesperson Ada Lind confirmed on Monday that 40 tankers were held at the "
    "northern harbour."
)
HITS = [
    para("wire", WIRE + " Ships queued for days.", "North Wire", "2024-03-04"),
    # the same wire story republished word for word by another outlet: counts once
    para("copy", WIRE + " Traffic was diverted.", "Evening Copy", "2024-03-05"),
    # an independent outlet stating the same claim in its own order
    para(
        "own",
        "On Monday port spokesperson Ada Lind confirmed that 40 tankers were held at "
        "the northern harbour.",
        "Harbour Times",
        "2024-03-06",
    ),
    para(
        "union",
        "The dockers' union claimed that 900 tankers were held at harbours across the country.",
        "Dock Weekly",
        "2024-03-02",
    ),
]


def extractive() -> ExtractiveBackend:
    return ExtractiveBackend()


def test_corroboration_counts_wire_copy_once_and_cites_every_paragraph() -> None:
    answer = extractive().answer("How many tankers were held at the northern harbour?", HITS)
    assert answer.lead == "40 tankers [1]" and answer.answer_type == "number"
    body = answer.text.removeprefix(answer.lead).strip()
    assert body.startswith("Carried by 2 independent sources: ")
    lead = [c for c in answer.citations if c.quote.startswith(("Port", "On Monday"))]
    assert {c.passage.article.id for c in lead} == {"wire", "copy", "own"}
    assert {c.sources_count for c in lead} == {2}
    assert problems(answer) == []
    assert all(ok for _c, _s, ok in citation_checks(answer))


def test_who_confirmed_leads_with_speaker_outlet_and_says_what_was_only_claimed() -> None:
    answer = extractive().answer("Who confirmed how many tankers were held?", HITS)
    assert answer.lead == (
        "Confirmed by Port spokesperson Ada Lind (North Wire, 2024-03-04) [1]; "
        "claimed by The dockers' union (Dock Weekly, 2024-03-02) [2]"
    )
    assert answer.answer_type == "stance"
    # the quotes follow, each cited: the confirmation with its wire copies, then the claim
    assert f"Carried by 2 independent sources: {WIRE} [1]" in answer.text
    assert "The dockers' union claimed that 900 tankers were held" in answer.text
    stances = {c.passage.article.id: (c.speaker, c.stance) for c in answer.citations}
    assert stances["union"] == ("The dockers' union", "alleged")
    assert stances["wire"] == ("Port spokesperson Ada Lind", "confirmed")
    assert all(ok for _c, _s, ok in citation_checks(answer))


def test_a_lead_in_with_invented_words_fails_the_check() -> None:
    answer = extractive().answer("Who confirmed how many tankers were held?", HITS)
    forged = type(answer)(
        answer.question, answer.text.replace("Port spokesperson", "Admiral"), answer.citations
    )
    assert not all(ok for _c, _s, ok in citation_checks(forged))


def test_redundant_sentences_are_dropped_and_sentences_keep_reading_order() -> None:
    hits = [
        para(
            "a",
            "The canal reopened on 3 May after repairs. The canal reopened on 3 May "
            "after the repairs. Tolls rose by 5 percent.",
            "Canal News",
            "2024-05-04",
        ),
        para(
            "b",
            "Engineers had closed the canal in April to fix a lock gate.",
            "Canal Daily",
            "2024-04-10",
        ),
    ]
    answer = extractive().answer("When did the canal reopen after repairs?", hits)
    assert answer.text.count("The canal reopened") == 1
    quotes = [c.quote for c in answer.citations]
    assert quotes[0].startswith("The canal reopened")


def test_refusal_offers_related_paragraphs_never_citations() -> None:
    answer = extractive().answer("What is the price of bread in Lisbon?", HITS)
    assert answer.refused and answer.text.startswith(REFUSAL)
    assert answer.citations == ()
    assert answer.related == tuple(h.passage for h in HITS[:3])


@pytest.mark.xfail(strict=True, reason="refused by negation_unmatched, deleted by the ablation")
def test_negated_question_without_negated_evidence_is_refused() -> None:
    backend = extractive()
    assert not backend.answer("How many tankers were held at the northern harbour?", HITS).refused
    assert backend.answer("How many tankers were not held at the northern harbour?", HITS).refused


def test_stream_text_equals_answer_text(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    stream = sample_assistant.stream("How many North Korean soldiers deserted?")
    assert "".join(stream) == stream.answer.text


def test_injected_article_changes_nothing(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    question = "How many North Korean soldiers deserted?"
    before = sample_assistant.ask(question)
    folder = Path(__file__).resolve().parent / "fixtures" / "injection"
    report = sample_assistant.indexer().index([folder])
    assert report.new == 1
    after = sample_assistant.ask(question)
    assert after.text == before.text
    assert "HACKED" not in after.text
