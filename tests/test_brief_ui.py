"""The chat's Briefing view through AppTest: the sidebar switches to it, a topic builds the
briefing with its parts, citation panels and exports, and the chat comes back."""

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


def test_briefing_view_builds_a_cited_briefing(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    assert at.chat_input  # the chat by default
    at.button_group(key="view").set_value(briefing.BRIEFING).run()
    assert not at.exception and not at.chat_input  # the Briefing view in its place
    at.text_input[0].set_value(TOPIC)
    at.button[0].click().run()  # the form's submit button
    assert not at.exception, [e.value for e in at.exception]
    result = at.session_state[briefing.STATE_KEY]
    assert result.topic == TOPIC and result.claims
    shown = "\n".join(str(m.value) for m in at.markdown)
    plain = re.sub(r"\\(.)", r"\1", shown)
    for heading, answer in document.parts(result):
        assert f"#### {heading}" in plain
        assert answer.citations
    labels = [e.proto.label for e in at.get("download_button")]
    assert {"Markdown", "JSON", "HTML", "Word", "PDF"} <= set(labels)

    at.button_group(key="view").set_value(briefing.CHAT).run()
    assert not at.exception and at.chat_input  # and back to the chat


@pytest.mark.parametrize(
    ("choice", "expected"), [(briefing.BRIEFING, True), (briefing.CHAT, False), (None, False)]
)
def test_view_choice(choice: str | None, expected: bool) -> None:
    assert briefing.is_briefing(choice) is expected
