"""The chat's Briefing view through AppTest: the sidebar switches to it, a topic builds the
briefing (one HTML block: figures, conflicts, key claims, a collapsed timeline, the sources
once) with its exports, an empty topic is answered, and the chat comes back; in the chat,
"Summarize what happened" and "What happened with …" get a briefing summary, not a
refusal, and ordinary questions stay questions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from assistant.brief import document
from ui import briefing

APP = str(Path(__file__).resolve().parent.parent / "ui" / "app.py")
TOPIC = "North Korean troops in Russia"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def _html(at: AppTest) -> str:
    return "\n".join(e.proto.body for e in at.get("html"))


def test_briefing_view_builds_a_cited_briefing(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    assert at.chat_input  # the chat by default
    at.button_group(key="view").set_value(briefing.BRIEFING).run()
    assert not at.exception and not at.chat_input  # the Briefing view in its place
    at.text_input(key=briefing.TOPIC_KEY).set_value(TOPIC)
    at.button[0].click().run()  # the form's submit button
    assert not at.exception, [e.value for e in at.exception]
    result = at.session_state[briefing.STATE_KEY]
    assert result.topic == TOPIC and result.claims
    shown = _html(at)
    for heading in (document.FIGURES, document.CONFLICTS, document.KEY_CLAIMS):
        assert f"<h2>{heading}</h2>" in shown
    assert re.search(r'<details class="bf-part"><summary>Timeline \(\d+ steps\)', shown)
    lay = document.layout(result)
    assert len(re.findall(r'id="ref-(\d+)"', shown)) >= len(lay.citations)
    assert shown.count("<li><b>") >= len(lay.sources)  # the sources, each once
    labels = [e.proto.label for e in at.get("download_button")]
    assert {"Markdown", "JSON", "HTML", "Word", "PDF"} <= set(labels)

    at.button_group(key="view").set_value(briefing.CHAT).run()
    assert not at.exception and at.chat_input  # and back to the chat


def test_an_empty_topic_is_answered(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.button_group(key="view").set_value(briefing.BRIEFING).run()
    at.text_input(key=briefing.TOPIC_KEY).set_value("   ")
    at.button[0].click().run()
    assert not at.exception
    assert [w.value for w in at.warning] == [briefing.EMPTY_TOPIC]
    assert briefing.STATE_KEY not in at.session_state


# (message in the chat, the briefing's topic; None: answered as a question)
CHAT = [
    ("Summarize what happened", "corpus"),
    ("What happened with North Korean troops in Russia?", TOPIC),
    ("What's new on the North Korean deserters?", "the North Korean deserters"),
    ("Who confirmed the deployment?", None),
]


@pytest.mark.parametrize(("message", "topic"), CHAT, ids=[c[0] for c in CHAT])
def test_chat_routes_briefing_requests(sample_assistant, message: str, topic: str | None) -> None:  # type: ignore[no-untyped-def]
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.chat_input[0].set_value(message).run()
    assert not at.exception, [e.value for e in at.exception]
    built = at.session_state.get(briefing.STATE_KEY, None)
    if topic is None:
        assert built is None
        assert not any(b.label == briefing.OPEN_FULL for b in at.button)
        return
    assert built is not None and built.claims
    if topic == "corpus":  # no topic named: the corpus's own (the landing's) topic
        assert built.topic == sample_assistant.overview().topic
    else:
        assert built.topic == topic
    shown = _html(at)
    assert f"Briefing on “{built.topic}”" in shown and document.FULL_VIEW in shown
    assert "could not" not in shown.lower()  # not a refusal
    at.button(key="open-briefing-1").click().run()  # the way to the full view
    assert not at.exception
    assert at.session_state[briefing.VIEW_KEY] == briefing.BRIEFING
    assert f"<h2>{document.FIGURES}</h2>" in _html(at)


@pytest.mark.parametrize(
    ("choice", "expected"), [(briefing.BRIEFING, True), (briefing.CHAT, False), (None, False)]
)
def test_view_choice(choice: str | None, expected: bool) -> None:
    assert briefing.is_briefing(choice) is expected


@pytest.mark.parametrize(
    ("message", "corpus_topic", "topic"),
    [
        (
            "Summarize what happened",
            "North Korean troops in Russia",
            "North Korean troops in Russia",
        ),
        ("Summarize what happened", None, briefing.WHOLE_CORPUS),
        ("What happened with the dam?", "anything", "the dam"),
        ("How many troops were sent?", "anything", None),
    ],
)
def test_chat_topic(message: str, corpus_topic: str | None, topic: str | None) -> None:
    assert briefing.chat_topic(message, corpus_topic) == topic
