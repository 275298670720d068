"""The chat's Briefing view: a topic in, the briefing out on about one screen (the header
line, the figures by measure with their charts, the conflicts side by side, the key claims,
the timeline collapsed, the sources once; every citation a chip that opens its paragraph),
built by the same code as ``briefing brief`` with a progress bar while it works, and the
export buttons. And the chat's briefing requests: "Summarize what happened", "What happened
with …", "What's new on …" get a short briefing summary in the chat with the way to the full
view, not a refusal (``assistant.brief.route`` decides).

The briefing is one HTML fragment (``assistant.brief.render``: every piece of article text
escaped, no script); the pure helpers are testable without Streamlit.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

import streamlit as st

from assistant.brief import document, render
from assistant.brief.build import Briefing, build
from assistant.brief.route import route
from assistant.export import FORMATS, export_briefing, file_name
from ui.render import escape_md
from ui.widgets import show_error
from vectorstore.filters import Filters

CHAT, BRIEFING = "Chat", "Briefing"
VIEWS = (CHAT, BRIEFING)
STATE_KEY = "briefing_result"
# The switch's and the topic's widget keys: the landing page's "Brief me on …" sets both.
VIEW_KEY, TOPIC_KEY = "view", "briefing_topic"
EMPTY_TOPIC = "Type a topic to brief on, for example “North Korean troops in Russia”."
WHOLE_CORPUS = "the indexed articles"  # the topic of "Summarize what happened" without one
OPEN_FULL = "Open the full briefing"


def header_markdown(b: Briefing) -> str:
    """The briefing's header (what it read, its counts, filters, when, what is new),
    escaped."""
    return escape_md(document.header(b))


def briefing_html(b: Briefing) -> str:
    """The briefing as the view shows it: its own style, then the layout's HTML, its charts
    as images (``st.html`` sanitises with DOMPurify's HTML profile, which drops ``<svg>``)."""
    return f"<style>{render.STYLE}</style>" + render.html_fragment(
        document.layout(b), heading=False, chart_images=True
    )


def is_briefing(choice: str | None) -> bool:
    return choice == BRIEFING


def view_control() -> bool:
    """The sidebar's Chat | Briefing switch; True when the Briefing view is chosen."""
    choice = st.segmented_control(
        "View",
        VIEWS,
        default=None if VIEW_KEY in st.session_state else CHAT,  # set by the landing page
        key=VIEW_KEY,
        help="Chat: ask questions. Briefing: claims on a topic, who stands behind them, "
        "figures, conflicts and a timeline.",
    )
    return is_briefing(choice)


def page(assistant: Any, filters: Filters) -> None:
    """The Briefing view: the topic form, the progress while it builds, the briefing."""
    with st.form("briefing-form", border=False):
        left, middle, right = st.columns([6, 3, 2], vertical_alignment="bottom")
        topic = left.text_input("Topic", placeholder="North Korean troops in Russia", key=TOPIC_KEY)
        since: dt.date | None = middle.date_input(
            "New since (optional)",
            value=None,
            help="Claims of articles published after this date are marked new; without it, "
            "those indexed since the last briefing on the same topic.",
        )
        go = right.form_submit_button("Build the briefing", icon=":material/summarize:")
    if go and not topic.strip():
        st.warning(EMPTY_TOPIC)
    elif go:
        built = _build(assistant, topic, filters, since)
        if built is not None:
            st.session_state[STATE_KEY] = built
    shown: Briefing | None = st.session_state.get(STATE_KEY)
    if shown is not None:
        show(shown)


def _build(
    assistant: Any, topic: str, filters: Filters, since: dt.date | None = None
) -> Briefing | None:
    bar = st.progress(0.0, text="Starting…")

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(1.0, fraction), text=escape_md(message))

    try:
        built = build(assistant, topic, filters, new_since=since, progress=progress)
    except Exception as exc:  # the UI edge: a message, never a traceback
        bar.empty()
        show_error(exc)
        return None
    bar.empty()
    return built


def show(b: Briefing) -> None:
    st.subheader(escape_md(document.title(b)))
    export_buttons(b)
    st.html(briefing_html(b))


def export_buttons(b: Briefing) -> None:
    with st.container(horizontal=True, gap="small", key="briefing-exports"):
        for fmt in FORMATS.values():
            st.download_button(
                fmt.label,
                data=partial(export_briefing, b, fmt.name),
                file_name=file_name(f"briefing {b.topic}", fmt.name),
                mime=fmt.mime,
                key=f"briefing-export-{fmt.name}",
                icon=":material/download:",
                on_click="ignore",
                type="tertiary",
            )


# -- the chat's briefing requests -------------------------------------------------------------
def chat_topic(message: str, corpus_topic: str | None) -> str | None:
    """The topic a chat message asks a briefing on: the one it names, the corpus's own topic
    when it names none ("Summarize what happened"), or None for an ordinary question."""
    topic = route(message)
    if topic is None:
        return None
    return topic or corpus_topic or WHOLE_CORPUS


def chat(assistant: Any, message: str, filters: Filters, turns: list[Any]) -> bool:
    """Answer ``message`` with a briefing when it asks for one: the summary in the chat (kept
    among the page's turns), the full briefing ready in the Briefing view. False when it is
    an ordinary question (the chat answers it)."""
    if route(message) is None:
        return False
    from ui.session import ChatTurn
    from ui.widgets import show_answer

    corpus_topic = None
    if route(message) == "":
        try:
            corpus_topic = assistant.overview().topic
        except Exception:  # the whole corpus is briefed without its overview
            corpus_topic = None
    topic = chat_topic(message, corpus_topic) or WHOLE_CORPUS
    with st.chat_message("user"):
        st.markdown(escape_md(message))
    with st.chat_message("assistant"):
        built = _build(assistant, topic, filters)
        if built is None:
            return True
        st.session_state[STATE_KEY] = built
        turns.append(ChatTurn(message, document.summary(built, message), filters))
        show_answer(turns[-1], key=f"t{len(turns) - 1}")
        st.button(
            OPEN_FULL,
            icon=":material/summarize:",
            key=f"open-briefing-{len(turns)}",
            on_click=_open_view,
            args=(built.topic,),
        )
    return True


def _open_view(topic: str) -> None:
    st.session_state[VIEW_KEY] = BRIEFING
    st.session_state[TOPIC_KEY] = topic
