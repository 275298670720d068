"""Streamlit chat over the indexed articles. Thin: state in st.session_state, strings from
ui.render, page pieces from ui.widgets, answers, indexing and saved conversations from
assistant.service. Every turn is saved; the URL names the conversation (?c=ID), so a reload
reopens it."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import streamlit as st

from assistant.backends import registry
from assistant.conversations import CHAT, ConversationHandle
from assistant.errors import ConversationNotFound, IndexOutdated, SettingsInvalid
from assistant.service import BriefingAssistant, index_config
from assistant.settings import Settings, load_settings
from assistant.view import Provenance
from ui import auth, briefing, session, widgets
from ui.render import REBUILD_OFFER, escape_md, status_markdown, upgrade_markdown
from vectorstore.indexing import IndexReport, Progress
from vectorstore.upgrade import upgrade

st.set_page_config(page_title="Briefing assistant", layout="wide")
state = st.session_state
state.setdefault("turns", [])  # list[session.ChatTurn]
# where the service saves the turns (marked as the chat's: `briefing ask` lists apart)
state.setdefault("conversation", ConversationHandle(origin=CHAT))


@st.cache_resource(show_spinner="Loading the index and the embedding model…")
def get_assistant(settings_json: str) -> BriefingAssistant:
    """One assistant (model, store, indexes) per process and settings."""
    return BriefingAssistant(Settings.model_validate_json(settings_json))


@dataclass(slots=True)
class Sidebar:
    """The sidebar's places, top to bottom, filled as the page learns what goes in them:
    the status line, the filters (at the top, in view while asking), the view switch and
    the new-conversation button, the saved conversations, adding articles, the answer
    backend (only when there is a choice), the conversation's export."""

    status: Any
    filters: Any
    conversations: Any
    articles: Any
    backend: Any
    export: Any


def sidebar() -> Sidebar:
    with st.sidebar:
        st.header("Briefing assistant")
        status = st.empty()
        filters = st.container()
        rest = st.container()
        with rest:
            st.button(
                "New conversation",
                icon=":material/add_comment:",
                width="stretch",
                on_click=new_conversation,
            )
        return Sidebar(
            status, filters, st.container(), st.container(), st.container(), st.container()
        )


def answer_backend(base: Settings, box: Any) -> Settings:
    """The settings to answer with: the backend picked in the sidebar when more than one can
    answer here (no menu of one choice); the ones that cannot are named in its help."""
    offered = registry.choices(base)
    ready = [c.spec for c in offered if c.reason is None]
    options = session.backend_options(ready[0], ready[1:])
    with box:
        # a configured backend that cannot answer here is said, with why
        for c in offered:
            if c.reason is not None:
                st.caption(escape_md(f"Not offered: {c.spec} ({c.reason})"))
        if len(options) < 2:
            return base.model_copy(update={"backend": options[0]})
        backend = st.selectbox(
            "Answer backend",
            options,
            key="backend",
            help="How answers are written: 'extractive' quotes the articles (offline).",
        )
    return base.model_copy(update={"backend": backend})


def new_conversation() -> None:
    state.turns = []
    state.conversation = ConversationHandle(origin=CHAT)
    st.query_params.pop(session.CONVERSATION_PARAM, None)


def open_conversation(conversation_id: int) -> None:
    """A conversation clicked in the sidebar: the URL names it, ``reopen`` shows it."""
    st.query_params[session.CONVERSATION_PARAM] = str(conversation_id)


def saved_conversations(assistant: BriefingAssistant, settings: Settings, who: auth.Viewer) -> None:
    """The sidebar's saved conversations: everyone opens them; only who may edit renames
    and deletes them, each change audited (``session.ConversationChanges``)."""
    allowed = auth.may_edit(settings.signin, settings.editors, who)
    changes = session.ConversationChanges(
        assistant.conversations, auth.audit_log(settings), who, allowed
    )

    def delete(conversation_id: int) -> None:
        if changes.delete(conversation_id) and conversation_id == state.conversation.id:
            new_conversation()

    widgets.conversation_list(
        assistant.list_conversations(),
        state.conversation.id,
        open_conversation,
        changes.rename,
        delete,
        editable=allowed,
        now=viewer_time(),
    )


def conversation_header(assistant: BriefingAssistant) -> Provenance:
    """The header of the conversation's export: its filters when every question had the
    same (a reopened conversation's are not saved)."""
    used = {t.filters for t in state.turns}
    if len(used) == 1:
        return assistant.provenance(used.pop())
    return assistant.provenance(None).with_filters("different for each question")


def ask_example(question: str) -> None:
    state.ask_next = question


def brief_example(topic: str) -> None:
    """The landing's briefing topic clicked: the Briefing view, its topic filled in."""
    state[briefing.VIEW_KEY] = briefing.BRIEFING
    state[briefing.TOPIC_KEY] = topic


def viewer_time() -> dt.datetime:
    """Now in the viewer's time zone (the browser's, when it says; else the server's)."""
    try:
        zone = ZoneInfo(st.context.timezone) if st.context.timezone else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    return dt.datetime.now(zone).astimezone(zone) if zone else dt.datetime.now().astimezone()


def reopen(assistant: BriefingAssistant) -> None:
    """Show the saved conversation the URL names when this session does not hold it yet
    (a reload, or a link to it): its questions and answers come from the store."""
    wanted = session.conversation_param(st.query_params.get(session.CONVERSATION_PARAM))
    if wanted is None or wanted == state.conversation.id:
        return
    try:
        saved = assistant.conversation(wanted)
    except ConversationNotFound:
        new_conversation()
        st.info(f"Conversation {wanted} is not saved in this data dir; this is a new one.")
        return
    state.turns = session.chat_turns(saved)
    state.conversation = ConversationHandle(saved.id, origin=CHAT)


def offer_rebuild(settings: Settings, outdated: IndexOutdated, who: auth.Viewer) -> None:
    """An index of an older layout cannot answer. For an embedded one, files dropped in the
    upload box rebuild it, as ``briefing index`` does (vectorstore/upgrade.py): the old index
    is set aside and every source it held is indexed again with the dropped files. A team
    index is rebuilt by deliberate hands, not from one analyst's chat."""
    widgets.show_error(outdated)
    if index_config(settings).team or not auth.may_edit(settings.signin, settings.editors, who):
        return

    rebuilt: list[bool] = []  # uploads are indexed one file at a time: rebuild only once

    def rebuild(paths: list[str], progress: Progress) -> IndexReport:
        if rebuilt:
            return get_assistant(settings.model_dump_json()).indexer().index(paths, progress)
        rebuilt.append(True)
        done = upgrade(index_config(settings), outdated)
        state.upgrade_note = upgrade_markdown(
            str(outdated), len(done.sources), done.missing, str(done.backup)
        )
        assistant = get_assistant(settings.model_dump_json())  # opens the new, empty index
        return assistant.indexer().index(done.paths(paths), progress)

    with st.sidebar:
        st.subheader("Add articles")
        st.info(REBUILD_OFFER)
        limit = session.upload_limit_mb(settings.max_file_bytes)
        if widgets.upload_box(
            auth.audited(rebuild, auth.audit_log(settings), who), settings.uploads_dir, limit
        ):
            st.rerun()  # rebuilt: the page opens the new index


def main() -> None:
    try:  # fields come from env and briefing.toml; a bad one is said, not a traceback
        base = load_settings()
    except SettingsInvalid as exc:
        st.error(
            "The settings cannot be used:\n\n"
            + "\n".join(f"- {escape_md(p)}" for p in exc.problems)
        )
        return
    who = auth.gate(base.signin)  # with sign-in on, nothing below runs until signed in
    side = sidebar()
    settings = answer_backend(base, side.backend)
    try:
        assistant = get_assistant(settings.model_dump_json())
    except IndexOutdated as exc:
        offer_rebuild(settings, exc, who)
        return
    except Exception as exc:  # the UI edge: a message, never a traceback
        widgets.show_error(exc)
        return
    editor = auth.may_edit(settings.signin, settings.editors, who)

    def upload(key: str = "uploads") -> bool:
        return widgets.upload_box(
            auth.audited(
                lambda paths, progress: assistant.indexer().index(paths, progress),
                auth.audit_log(settings),
                who,
            ),
            settings.uploads_dir,
            session.upload_limit_mb(settings.max_file_bytes),
            key=key,
        )

    if assistant.status().articles == 0:  # nothing to ask: how to add articles, box disabled
        side.status.markdown(status_markdown(0, 0))
        if widgets.empty_state(partial(upload, "uploads-first") if editor else None):
            st.rerun()  # indexed: the page opens on what was added
        st.chat_input("Add articles to ask about them", disabled=True)
        if not editor:
            side.articles.caption(auth.NOT_AN_EDITOR)
        with side.conversations:  # saved ones stay listed (renamed, deleted, exported)
            saved_conversations(assistant, settings, who)
        return
    # Filled before the status and the filters above it: what an upload adds is counted
    # and offered at once.
    with side.articles:
        with st.expander("Add articles", icon=":material/upload_file:"):
            if editor:
                upload()
            else:
                st.caption(auth.NOT_AN_EDITOR)
        if state.get("upgrade_note"):
            st.info(state.upgrade_note)
    status = assistant.status()
    indexed = local_label(status.last_indexed_at)
    side.status.markdown(status_markdown(status.articles, status.paragraphs, indexed))
    with side.filters:
        filters = widgets.filter_controls(assistant)
        briefing_view = briefing.view_control()  # Chat | Briefing

    if briefing_view:  # the Briefing view (ui/briefing.py) in place of the chat
        briefing.page(assistant, filters)
        return
    reopen(assistant)
    asked = state.pop("ask_next", None)  # an example question clicked on the landing page
    landing = st.empty()  # cleared when a question is asked on it
    if not state.turns and asked is None:
        try:
            overview = assistant.overview()
        except Exception as exc:  # the page still answers without its overview
            widgets.show_error(exc)
        else:
            with landing.container():
                widgets.landing(overview, ask_example, brief_example)
    for i, turn in enumerate(state.turns):
        with st.chat_message("user"):
            st.markdown(escape_md(turn.question))
        with st.chat_message("assistant"):
            widgets.show_answer(turn, key=f"t{i}", header=assistant.provenance)

    question = st.chat_input("Ask about the articles") or asked
    if question and briefing.chat(assistant, question, filters, state.turns):  # "Summarize …"
        landing.empty()
        question = None
    if question:
        landing.empty()
        with st.chat_message("user"):
            st.markdown(escape_md(question))
        with st.chat_message("assistant"):
            slot = st.empty()
            try:
                answer = widgets.stream_answer(
                    slot, assistant, question, state.conversation, filters
                )
            except Exception as exc:  # the UI edge: a message, never a traceback
                slot.empty()
                widgets.show_error(exc)
            else:
                state.turns.append(session.ChatTurn(question, answer, filters))
                if state.conversation.id is not None:  # saved: a reload reopens it
                    st.query_params[session.CONVERSATION_PARAM] = str(state.conversation.id)
                widgets.show_answer(
                    state.turns[-1],
                    key=f"t{len(state.turns) - 1}",
                    slot=slot,
                    header=assistant.provenance,
                )
    with side.conversations:  # filled last: it lists the turn just saved
        saved_conversations(assistant, settings, who)
    if state.turns:
        with side.export:
            st.subheader("Export")
            widgets.conversation_export_buttons(
                [t.result for t in state.turns], partial(conversation_header, assistant)
            )


def local_label(stamp: str | None) -> str | None:
    """When the index was last written, for the viewer ("09:31", "5 Nov")."""
    now = viewer_time()
    return session.when_label(session.local_time(stamp, now.tzinfo), now.date()) if stamp else None


try:
    main()
except Exception as exc:  # the UI edge: a message, never a traceback
    widgets.show_error(exc)
