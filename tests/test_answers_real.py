"""Grounded answers over the samples with the real packaged model and the tuned refusal
thresholds (marked ``integration``)."""

import pytest

from assistant.citations import citation_checks, problems
from tests.conftest import SAMPLES

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def real_assistant(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    data = tmp_path_factory.mktemp("real-answers") / "data"
    assistant = BriefingAssistant(Settings(data_dir=data, embedding_model="all-MiniLM-L6-v2"))
    assert not assistant.indexer().index([SAMPLES]).failed
    return assistant


def checked(answer) -> None:  # type: ignore[no-untyped-def]
    assert problems(answer) == []
    assert all(ok for _c, _s, ok in citation_checks(answer))


def test_who_confirmed_leads_with_the_pentagon_spokesperson(real_assistant) -> None:  # type: ignore[no-untyped-def]
    answer = real_assistant.ask("Who confirmed the troop numbers?")
    assert answer.text.startswith("Confirmed by Pentagon spokesperson Sabrina Singh (")
    assert answer.citations[0].stance == "confirmed"
    checked(answer)


def test_a_claimed_figure_is_said_to_be_unconfirmed(real_assistant) -> None:  # type: ignore[no-untyped-def]
    answer = real_assistant.ask("How many North Korean soldiers deserted?")
    # The lead line gives the figure; the answer still says nobody confirmed it (in the lead
    # or in the quote that carries it).
    assert "18" in answer.lead and answer.text.startswith(answer.lead + "\n\n")
    assert "Only claimed, not independently confirmed, by " in answer.text
    checked(answer)


def test_denials_are_attributed(real_assistant) -> None:  # type: ignore[no-untyped-def]
    answer = real_assistant.ask("Who denied the reports?")
    assert answer.text.startswith("Denied by Kremlin spokesman Dmitry Peskov (")
    checked(answer)


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of Australia?",
        pytest.param(
            "Which North Korean troops were not sent to Russia?",
            marks=pytest.mark.xfail(
                strict=True, reason="refused by negation_unmatched, deleted by the ablation"
            ),
        ),
    ],
)
def test_questions_the_articles_do_not_answer_are_refused(real_assistant, question) -> None:  # type: ignore[no-untyped-def]
    answer = real_assistant.ask(question)
    assert answer.refused and answer.citations == () and answer.related
