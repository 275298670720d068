"""Hybrid retrieval with the real model on the bundled samples (marked ``integration``)."""

from __future__ import annotations

import pytest

from tests.conftest import SAMPLES

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    data = tmp_path_factory.mktemp("retrieval-real") / "data"
    assistant = BriefingAssistant(Settings(data_dir=data, embedding_model="all-MiniLM-L6-v2"))
    report = assistant.indexer().index([SAMPLES])
    assert report.new >= 6 and not report.failed
    return assistant


def test_question_finds_its_paragraph_first(real) -> None:  # type: ignore[no-untyped-def]
    # The samples hold five estimates of the troop numbers; this question fits one of them.
    question = (
        "How many North Korean soldiers did the Pentagon say were sent to Russia for training?"
    )
    hits = real.retriever.retrieve(question, k=3)
    assert "Pentagon" in hits[0].text and "10,000" in hits[0].text


def test_corroborating_articles_share_the_top(real) -> None:  # type: ignore[no-untyped-def]
    hits = real.retriever.retrieve("North Korean troops deployed to the Kursk region", k=6)
    assert len({h.article.id for h in hits}) >= 3
    per_article: dict[str, int] = {}
    for h in hits:
        per_article[h.article.id] = per_article.get(h.article.id, 0) + 1
    assert max(per_article.values()) <= 3


def test_followup_is_answered_about_the_same_subject(real) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Turn:
        question: str
        answer: str

    first = real.ask("Who confirmed the North Korean troop numbers?")
    answer = real.ask("and what did Zelensky claim?", history=[Turn(first.question, first.text)])
    assert any("Zelensky" in c.passage.text for c in answer.citations)
