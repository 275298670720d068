"""Follow-up questions are rewritten with the conversation before retrieval."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.followup import is_followup, key_terms, names_in, rewrite


@dataclass(frozen=True)
class T:
    question: str
    answer: str


CONFIRMED = T(
    "Who confirmed the figure of 48 million for the tidal barrier?",
    "The harbour engineers confirmed the figure [1]. The mayor, Ilse Dahl, welcomed it [2].",
)


@pytest.mark.parametrize(
    "question",
    ["and who disputed it?", "What about the residents?", "When?", "Why did they object?"],
)
def test_followups_are_detected(question: str) -> None:
    assert is_followup(question)


@pytest.mark.parametrize(
    "question",
    [
        "Who disputed the 48 million estimate for the tidal barrier?",
        "How many apple growers expect a late harvest this year?",
        "What did the harbour council decide about the barrier on Monday?",
    ],
)
def test_self_contained_questions_are_not_followups(question: str) -> None:
    assert not is_followup(question)
    assert rewrite(question, [CONFIRMED]) == question


def test_followup_gets_the_previous_subject() -> None:
    query = rewrite("and who disputed it?", [CONFIRMED])
    assert query.startswith("and who disputed it?")
    added = query.removeprefix("and who disputed it?").split()
    assert {"tidal", "barrier", "48"} <= set(added)
    assert "confirmed" not in added and "Who" not in added  # verbs/question words stay behind


def test_personal_pronoun_brings_names_from_the_previous_answer() -> None:
    query = rewrite("What did she say next?", [CONFIRMED])
    assert "Dahl" in query and "barrier" in query
    assert "Dahl" not in rewrite("and who disputed it?", [CONFIRMED])


def test_a_chain_of_followups_keeps_the_first_subject() -> None:
    history = [CONFIRMED, T("and who disputed it?", "Residents of the old quay [1].")]
    assert "barrier" in rewrite("why?", history)


def test_no_history_no_rewrite() -> None:
    assert rewrite("and who disputed it?", []) == "and who disputed it?"


def test_key_terms_and_names() -> None:
    assert {"tidal", "barrier"} <= {t.lower() for t in key_terms(CONFIRMED.question)}
    assert "Ilse Dahl" in names_in(CONFIRMED.answer)
    assert all("[" not in n for n in names_in(CONFIRMED.answer))


def test_ask_retrieves_with_the_rewritten_followup(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.md").write_text(
        "---\ntitle: Barrier costs\nsource: Wire\n---\n\n"
        "Engineers confirmed the tidal barrier would cost 48 million.\n\n"
        "Residents of the old quay disputed the barrier estimate.\n\n"
        "A storm closed the ferry to Lorvik, and the operator disputed the forecast.\n"
    )
    assistant.indexer().index([tmp_path / "a.md"])
    seen: list[str] = []
    retrieve = assistant.retriever.retrieve

    def spy(query, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(query)
        return retrieve(query, **kwargs)

    object.__setattr__(assistant.retriever, "retrieve", spy)
    history = [T("Who confirmed the tidal barrier estimate?", "Engineers did [1].")]
    assistant.ask("and who disputed it?", history=history)
    assert "barrier" in seen[-1]
    assert "quay" in retrieve(seen[-1], k=1)[0].text  # not the ferry paragraph
