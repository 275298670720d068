"""The real packaged MiniLM model end to end (marked ``integration``; ~15 s)."""

import pytest

from tests.conftest import SAMPLES

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def real_assistant(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    data = tmp_path_factory.mktemp("real") / "data"
    assistant = BriefingAssistant(Settings(data_dir=data, embedding_model="all-MiniLM-L6-v2"))
    report = assistant.indexer().index([SAMPLES])
    assert report.new == 8 and not report.failed
    return assistant


def test_model_is_packaged_and_offline() -> None:
    from vectorstore.embeddings import make_embeddings

    vec = make_embeddings("all-MiniLM-L6-v2").embed_query("North Korean troops")
    assert len(vec) == 384
    assert abs(sum(x * x for x in vec) - 1.0) < 1e-4


def test_who_confirmed_names_who_reported_the_figure(real_assistant) -> None:  # type: ignore[no-untyped-def]
    from assistant.citations import problems

    answer = real_assistant.ask("Who confirmed the troop numbers?")
    assert not answer.refused and problems(answer) == []
    assert any(
        "confirmed" in c.quote and any(ch.isdigit() for ch in c.quote) for c in answer.citations
    )


@pytest.mark.parametrize(
    "question", ["What is the capital of Australia?", "How do I bake sourdough bread?"]
)
def test_unrelated_question_refused(real_assistant, question: str) -> None:  # type: ignore[no-untyped-def]
    assert real_assistant.ask(question).refused


def test_reindex_is_a_noop(real_assistant) -> None:  # type: ignore[no-untyped-def]
    report = real_assistant.indexer().index([SAMPLES])
    assert (report.new, report.updated, report.unchanged) == (0, 0, 8)
