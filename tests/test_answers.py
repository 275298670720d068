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
    assert answer.text == REFUSAL
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
        assert c["paragraph_id"] == f'{c["article_id"]}:{c["paragraph_index"]}'
        assert c["char_end"] - c["char_start"] == len(c["paragraph_text"])
        for key in ("title", "source", "url", "published_at"):
            assert key in c


def test_source_filter_limits_citations(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    question = "How many North Korean troops are in the Kursk region?"
    unfiltered = sample_assistant.ask(question)
    assert len({c.paragraph.source for c in unfiltered.citations}) > 1
    answer = sample_assistant.ask(question, filters=Filters(sources=("Capital Dispatch",)))
    assert answer.citations
    assert {c.paragraph.source for c in answer.citations} == {"Capital Dispatch"}
