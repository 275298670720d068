"""Chat routing (issue 27): the messages that ask for the story get a briefing, not a refusal;
ordinary questions, even ones that start alike, stay questions."""

from __future__ import annotations

import pytest

from assistant.brief.route import route

# (message, the topic briefed: "" the whole corpus, None an ordinary question)
ROUTES = [
    # what users of Perplexity or NotebookLM type first
    ("Summarize what happened", ""),
    ("summarize", ""),
    ("Summarise it, please.", ""),
    ("What happened?", ""),
    ("What has happened so far?", ""),
    ("What's new?", ""),
    ("What is the latest?", ""),
    ("Catch me up", ""),
    ("Recap of the week", ""),
    # ... with a topic
    ("What happened with North Korean troops in Russia?", "North Korean troops in Russia"),
    ("what happened to the dam", "the dam"),
    ("What's new on the cholera outbreak in Veldora?", "the cholera outbreak in Veldora"),
    ("What's new with the Dornet floods, please?", "the Dornet floods"),
    ("What's the latest on Tanvale coffee?", "Tanvale coffee"),
    ("Summarise the coverage of the Dornet floods.", "the Dornet floods"),
    ("Summarize the news about Kursk", "Kursk"),
    ("Give me a summary of North Korean troops in Russia please", "North Korean troops in Russia"),
    ("Catch me up on Marvian troops in Kestria", "Marvian troops in Kestria"),
    ("Brief me on the frost", "the frost"),
    ("Bring me up to speed on the floods", "the floods"),
    ("Any news on the dam?", "the dam"),
    ("Tell me about the Dornet floods", "the Dornet floods"),
    ("What do we know about the deserters?", "the deserters"),
    ("Overview of the Dornet floods", "the Dornet floods"),
    # ordinary questions, some opening alike
    ("What happened in Kursk on November 4?", None),  # one day's fact
    ("What happened after Putin spoke?", None),  # what followed
    ("Who said what about troops?", None),
    ("How many troops were sent?", None),
    ("What did Blinken say?", None),
    ("Did the Kremlin deny the reports?", None),
    ("Summaries are good", None),  # another word that begins the same
    ("briefly, who confirmed?", None),
    ("", None),
]


@pytest.mark.parametrize(("message", "topic"), ROUTES, ids=[r[0] or "(empty)" for r in ROUTES])
def test_route(message: str, topic: str | None) -> None:
    assert route(message) == topic
