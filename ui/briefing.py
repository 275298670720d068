"""The chat's Briefing view: a topic in, the briefing out (key claims, conflicts, timeline,
what is new, sources), built by the same code as ``briefing brief`` with a progress bar
while it works, each part's citations in panels, and the export buttons.

The pure helpers (header, part Markdown, the view's choice) are testable without Streamlit;
every piece of article text goes through ui.render's escaping.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

import streamlit as st

from assistant import view
from assistant.brief import document
from assistant.brief.build import Briefing, build
from assistant.export import FORMATS, export_briefing, file_name
from assistant.models import Answer
from ui.render import answer_markdown, citation_button_label, citation_card_html, escape_md
from ui.widgets import show_error
from vectorstore.filters import Filters

CHAT, BRIEFING = "Chat", "Briefing"
VIEWS = (CHAT, BRIEFING)
STATE_KEY = "briefing_result"
# The switch's and the topic's widget keys: the landing page's "Brief me on …" sets both.
VIEW_KEY, TOPIC_KEY = "view", "briefing_topic"


def header_markdown(b: Briefing) -> str:
    """The briefing's header (corpus, filters, when, what is new), escaped."""
    return escape_md(document.header(b))


def part_markdown(answer: Answer) -> str:
    """A part's lines, escaped, one paragraph each, markers bold as in the chat."""
    return answer_markdown(answer)


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
        "conflicts and a timeline.",
    )
    return is_briefing(choice)


def page(assistant: Any, filters: Filters) -> None:
    """The Briefing view: the topic form, the progress while it builds, the briefing."""
    st.header("Briefing")
    with st.form("briefing-form", border=False):
        topic = st.text_input("Topic", placeholder="North Korean troops in Russia", key=TOPIC_KEY)
        since: dt.date | None = st.date_input(
            "New since (optional)",
            value=None,
            help="Claims of articles published after this date are marked new; without it, "
            "those indexed since the last briefing on the same topic.",
        )
        go = st.form_submit_button("Build the briefing", icon=":material/summarize:")
    if go and topic.strip():
        bar = st.progress(0.0, text="Starting…")

        def progress(fraction: float, message: str) -> None:
            bar.progress(min(1.0, fraction), text=escape_md(message))

        try:
            built = build(
                assistant,
                topic,
                filters,
                new_since=since,
                progress=progress,
            )
        except Exception as exc:  # the UI edge: a message, never a traceback
            bar.empty()
            show_error(exc)
            return
        bar.empty()
        st.session_state[STATE_KEY] = built
    shown: Briefing | None = st.session_state.get(STATE_KEY)
    if shown is not None:
        show(shown)


def show(b: Briefing) -> None:
    st.subheader(escape_md(document.title(b)))
    st.caption(header_markdown(b))
    export_buttons(b)
    for i, (heading, answer) in enumerate(document.parts(b), start=1):
        st.markdown(f"#### {escape_md(heading)}")
        st.markdown(part_markdown(answer))
        sec = view.section(answer, i, None, f"ref-{i}-")
        if sec.references:  # one button per marker, its panel as in the chat
            with st.container(horizontal=True, gap="small", key=f"brief-{i}-markers"):
                for ref in sec.references:
                    label = citation_button_label(ref)
                    with st.popover(label, key=f"brief-{i}-cite-{ref.number}"):
                        st.html(citation_card_html(ref))


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
