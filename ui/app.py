"""Streamlit chat over the indexed articles. Thin: state in session_state, rendering in
ui.render, answers from assistant.service."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import streamlit as st  # noqa: E402

from assistant.errors import BriefingError  # noqa: E402
from assistant.service import BriefingAssistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from ui.render import answer_markdown, sources_markdown  # noqa: E402

st.set_page_config(page_title="Briefing assistant", layout="wide")


@st.cache_resource(show_spinner="Loading the index and the embedding model…")
def get_assistant(settings_json: str) -> BriefingAssistant:
    """One assistant (model, store, indexes) per process and settings."""
    return BriefingAssistant(Settings.model_validate_json(settings_json))


def show_answer(answer) -> None:  # type: ignore[no-untyped-def]
    st.markdown(answer_markdown(answer))
    if answer.citations:
        with st.expander(f"Sources ({len(answer.citations)})", expanded=True):
            st.markdown(sources_markdown(answer))


st.title("Briefing assistant")
if "turns" not in st.session_state:
    st.session_state.turns = []

try:
    assistant = get_assistant(Settings().model_dump_json())
except BriefingError as exc:
    st.error(f"{exc} — {exc.hint}")
    st.stop()

status = assistant.status()
st.caption(f"{status.articles} articles · {status.paragraphs} paragraphs · model {status.model}")
if status.articles == 0:
    st.info("No articles are indexed yet. Run `briefing index PATH` and reload.")

for turn in st.session_state.turns:
    with st.chat_message("user"):
        st.text(turn.question)
    with st.chat_message("assistant"):
        show_answer(turn)

if question := st.chat_input("Ask about the articles"):
    with st.chat_message("user"):
        st.text(question)
    with st.chat_message("assistant"):
        try:
            with st.spinner("Searching the articles…"):
                answer = assistant.ask(question)
        except BriefingError as exc:
            st.error(f"{exc} — {exc.hint}")
        else:
            st.session_state.turns.append(answer)
            show_answer(answer)
