"""Streamlit pieces of the chat page. Every string they show comes from ui.render (escaped
Markdown, or HTML built with html.escape); nothing here formats article text itself."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import streamlit as st

from assistant import view
from assistant.conversations import Conversation, ConversationHandle, ConversationSummary
from assistant.export import FORMATS, export_answer, export_conversation, file_name
from assistant.models import Answer
from assistant.overview import CorpusOverview
from ui.render import (
    answer_html,
    escape_md,
    filters_caption,
    overview_markdown,
    related_markdown,
    stream_chunks,
    timeline_rows,
    unsupported_markdown,
    upload_outcome_lines,
)
from ui.session import (
    FROM_THE_CLI,
    UPLOAD_TYPES,
    ChatTurn,
    ListedConversation,
    UploadProgress,
    carry_range,
    conversation_groups,
    date_bounds,
    describe_error,
    index_uploads,
    make_filters,
    publisher_options,
    save_upload,
)
from vectorstore.filters import Filters
from vectorstore.indexing import IndexReport, Progress

# Pause between streamed words of an answer that is already complete (extractive backend),
# so it reads as it arrives rather than jumping onto the page.
STREAM_PAUSE_S = 0.008


def show_error(exc: BaseException) -> None:
    """A clear message and what to do; never a traceback."""
    what, todo = describe_error(exc)
    st.error(f"**{escape_md(what)}**\n\n{escape_md(todo)}")


def paced(chunks: Iterable[str], pause: float = STREAM_PAUSE_S) -> Iterator[str]:
    """Raw answer chunks → escaped Markdown, word by word. Only whole words are escaped, so
    a URL split across chunks is still recognised and kept as text."""
    pending = ""
    for chunk in chunks:
        pending += chunk
        cut = max(pending.rfind(" "), pending.rfind("\n"))
        if cut < 0:
            continue
        ready, pending = pending[: cut + 1], pending[cut + 1 :]
        for piece in stream_chunks(escape_md(ready)):
            yield piece
            time.sleep(pause)
    if pending:
        yield escape_md(pending)


def stream_answer(
    slot: Any, assistant: Any, question: str, conversation: ConversationHandle, filters: Filters
) -> Answer:
    """Write the answer into ``slot`` as it arrives and return the checked Answer (LLM
    backends deliver it sentence by sentence; the extractive one at once). The service
    asks with the conversation's saved turns and saves this one to it."""
    with st.spinner("Searching the articles…"):
        stream = assistant.stream(question, filters=filters, conversation=conversation)
    with slot.container():
        st.write_stream(paced(stream))
    answer: Answer = stream.answer
    return answer


# Builds an export's header (when, corpus, filters, backend) at the moment of the download.
Header = Callable[[Filters | None], view.Provenance]


def show_answer(turn: ChatTurn, key: str, slot: Any = None, header: Header | None = None) -> None:
    """The answer in the one layout (its direct answer line, its quotes, its markers that
    open their paragraphs, one source list), the filters it was asked under, unsupported
    sentences, related paragraphs and download buttons. ``slot`` holds the streamed draft,
    replaced by the checked answer."""
    answer = turn.result
    sec = view.section(answer)
    (slot or st.empty()).html(answer_html(sec, key))
    caption = filters_caption(turn.filters)
    if caption:
        st.caption(caption)
    if sec.scope:
        st.caption(escape_md(sec.scope))
    if sec.unsupported:
        st.warning(unsupported_markdown(sec))
    if sec.refused and sec.related:
        label = f"{view.CHAT_RELATED_HEADING} ({len(sec.related)})"
        with st.expander(label, expanded=True):
            for related in sec.related:
                st.markdown(related_markdown(related))
    answer_export_buttons(answer, key, header and partial(header, turn.filters))


def _with_header(
    export: Callable[..., bytes], item: Any, fmt: str, header: Callable[[], Any] | None
) -> bytes:
    return export(item, fmt, header() if header else None)


def answer_export_buttons(
    answer: Answer, key: str, header: Callable[[], view.Provenance] | None = None
) -> None:
    """Download buttons for one answer; a file is built only when its button is clicked, and
    the click does not rerun the page."""
    with st.container(horizontal=True, gap="small", key=f"{key}-exports"):
        for fmt in FORMATS.values():
            st.download_button(
                fmt.label,
                data=partial(_with_header, export_answer, answer, fmt.name, header),
                file_name=file_name(answer.question, fmt.name),
                mime=fmt.mime,
                key=f"{key}-export-{fmt.name}",
                icon=":material/download:",
                on_click="ignore",
                type="tertiary",
            )


def conversation_export_buttons(
    answers: Sequence[Answer], header: Callable[[], view.Provenance] | None = None
) -> None:
    conversation = Conversation.of_answers(list(answers))
    with st.container(horizontal=True, gap="small", key="conversation-exports"):
        for fmt in FORMATS.values():
            st.download_button(
                fmt.label,
                data=partial(_with_header, export_conversation, conversation, fmt.name, header),
                file_name=file_name(f"briefing {conversation.title}", fmt.name),
                mime=fmt.mime,
                key=f"conversation-export-{fmt.name}",
                icon=":material/download:",
                on_click="ignore",
                type="tertiary",
            )


def upload_box(
    index: Callable[[list[str], Progress], IndexReport],
    folder: Path,
    limit_mb: int = 20,
    key: str = "uploads",
) -> bool:
    """Dropped files are saved in ``folder`` and indexed once each by ``index(paths,
    progress)``, with a progress bar; the report (and one line per failed file) stays until
    the next upload. True when this run indexed new files."""
    state = st.session_state
    state.setdefault("indexed_uploads", set())  # file ids of uploads already indexed
    files = st.file_uploader(
        "Add articles",
        label_visibility="collapsed",
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        key=key,
        max_upload_size=limit_mb,  # shown in the box and enforced by it (the settings' limit)
        help="Dropped files are saved in the data dir (uploads/) and indexed.",
    )
    new = [f for f in files or [] if f.file_id not in state.indexed_uploads]
    if new:
        saved = [(f.name, save_upload(folder, f.name, f.getvalue())) for f in new]
        bar = st.progress(0.0, text="Indexing…")
        progress = UploadProgress(lambda f, text: bar.progress(f, text=escape_md(text)))
        outcomes = index_uploads(index, saved, progress)
        bar.empty()
        state.indexed_uploads |= {f.file_id for f in new}
        state.upload_report = upload_outcome_lines(outcomes)
    if state.get("upload_report"):
        summary, done, failures = state.upload_report
        st.success(summary)
        for line in done:
            st.caption(line)
        for line in failures:
            st.error(line)
    return bool(new)


def filter_controls(assistant: Any) -> Filters:
    """Publisher and date-range widgets over what the manifest holds → Filters. The picks
    outlive an upload: the date range is carried to the new corpus bounds (an end left at
    the old bound follows it) instead of resetting to the full range."""
    state = st.session_state
    entries = assistant.manifest.entries()
    options = publisher_options(e.source for e in entries)
    if "f_sources" not in state:
        state.f_sources = [s for s in state.get("f_sources_kept", []) if s in options]
    sources = st.multiselect("Publishers", options, key="f_sources", placeholder="All publishers")
    state.f_sources_kept = list(sources)
    bounds = date_bounds(e.published_at for e in entries)
    picked = None
    if bounds:
        if state.get("f_bounds") != bounds or "f_dates" not in state:
            kept = state.get("f_dates_kept")
            state.f_dates = carry_range(kept, state.get("f_bounds"), bounds)
            state.f_bounds = bounds
        picked = st.date_input(
            "Published between", min_value=bounds[0], max_value=bounds[1], key="f_dates"
        )
        state.f_dates_kept = picked
    return make_filters(sources, picked, bounds)


WHAT_IT_DOES = (
    "Ask questions about the indexed news articles: every answer quotes them, and each "
    "quote opens the paragraph it comes from."
)


def landing(
    overview: CorpusOverview,
    ask: Callable[[str], None],
    brief: Callable[[str], None] | None = None,
) -> None:
    """What the tool does, the corpus overview, a timeline of articles per day and example
    questions of different kinds; a question clicked is passed to ``ask``, the briefing
    topic to ``brief`` (both before the page reruns)."""
    st.markdown(WHAT_IT_DOES)
    if overview.questions:
        st.caption("Try a question")
        with st.container(horizontal=True, gap="small", key="examples"):
            for i, question in enumerate(overview.questions):
                st.button(
                    escape_md(question),
                    key=f"example-{i}",
                    icon=":material/help:",
                    on_click=ask,
                    args=(question,),
                )
            if overview.topic and brief is not None:
                st.button(
                    escape_md(f"Brief me on {overview.topic}"),
                    key="example-brief",
                    icon=":material/summarize:",
                    on_click=brief,
                    args=(overview.topic,),
                )
    st.subheader("What the corpus holds")
    st.markdown(overview_markdown(overview))
    rows = timeline_rows(overview)
    if rows:
        st.caption("Articles per day")
        st.bar_chart(rows, x="day", y="articles", height=170, x_label="", y_label="")
    st.html(EXAMPLES_STYLE + AT_TOP_SCRIPT, unsafe_allow_javascript=True)


# An example question's button shows its whole question, on as many lines as it needs (a
# phone's screen cut the longer ones with "…").
EXAMPLES_STYLE = """<style>
.st-key-examples [data-testid="stMarkdownContainer"],
.st-key-examples [data-testid="stMarkdownContainer"] p {
  white-space: normal; text-overflow: clip; text-align: left;
}
</style>"""


# A page with a chat box is kept scrolled to its bottom by Streamlit as its content arrives
# (so a streamed answer stays in view). The landing page is read from its top, and on a phone
# it is longer than the screen: it is held at its top while it renders, until the reader
# touches, scrolls or types. Streamlit lets go of the bottom on a wheel event, as for a
# reader's scroll; a page that fits the screen sticks to its bottom again by itself. Fixed
# text: nothing of an article is in it.
AT_TOP_SCRIPT = """<script>
(() => {
  const box = document.querySelector('[data-testid="stAppScrollToBottomContainer"]');
  if (!box || box.dataset.briefingOpened) return;
  box.dataset.briefingOpened = "1";
  let touched = false;
  for (const kind of ["pointerdown", "wheel", "touchstart", "keydown"]) {
    box.addEventListener(kind, (e) => { if (e.isTrusted) touched = true; }, {passive: true});
  }
  const start = Date.now();
  const hold = () => {
    if (touched || Date.now() - start > 10000) return;
    if (box.scrollTop > 0) {
      box.dispatchEvent(new WheelEvent("wheel"));
      // a scroll after the wheel's moment: Streamlit then reads the page as not at its bottom
      setTimeout(() => { if (!touched) box.scrollTop = 0; }, 20);
    }
    setTimeout(hold, 50);
  };
  hold();
})();
</script>"""


EMPTY_TITLE = "No articles are indexed yet"
EMPTY_HOW = (
    "Add articles to ask about: drop files here (text, Markdown, HTML, PDF, Word, JSON "
    "Lines), or index a folder or URLs from a terminal and reload this page:"
)
INDEX_COMMAND = "briefing index PATH"
NO_RIGHTS = "Ask an editor of this index to add articles, or run on the server:"


def empty_state(upload: Callable[[], bool] | None) -> bool:
    """The page of an empty index: what to do, the upload box (``upload`` draws it; None
    when this viewer may not add articles) and the command. True when files were indexed."""
    st.subheader(EMPTY_TITLE)
    st.markdown(escape_md(WHAT_IT_DOES))
    st.markdown(escape_md(EMPTY_HOW if upload is not None else NO_RIGHTS))
    indexed = upload() if upload is not None else False
    st.code(INDEX_COMMAND, language="bash")
    return indexed


def conversation_list(
    summaries: Sequence[ConversationSummary],
    current: int | None,
    open_: Callable[[int], None],
    rename: Callable[[int, str], object],
    delete: Callable[[int], object],
    editable: bool = True,
    now: dt.datetime | None = None,
) -> None:
    """Saved conversations, newest first, grouped by when they were last used (today,
    yesterday, earlier) and dated; those asked with `briefing ask` apart, folded. Click one
    to reopen it; rename or delete it in its menu, offered only when ``editable`` (an
    editor, or sign-in off). The actions run as callbacks, before the page reruns."""
    st.subheader("Conversations")
    if not summaries:
        st.caption("Questions asked here are saved and listed here.")
        return
    now = now or dt.datetime.now().astimezone()
    for label, items in conversation_groups(summaries, now):
        if label == FROM_THE_CLI:
            held = any(i.summary.id == current for i in items)
            with st.expander(f"{escape_md(label)} ({len(items)})", expanded=held):
                _conversation_rows(items, current, open_, rename, delete, editable)
            continue
        st.caption(label)
        _conversation_rows(items, current, open_, rename, delete, editable)


def _conversation_rows(
    items: Sequence[ListedConversation],
    current: int | None,
    open_: Callable[[int], None],
    rename: Callable[[int, str], object],
    delete: Callable[[int], object],
    editable: bool,
) -> None:
    for item in items:
        c = item.summary
        if editable:
            title, menu = st.columns([5, 1], gap="xsmall", vertical_alignment="center")
        else:
            title, menu = st.container(), None
        with title:
            count = f" · {c.turns} questions" if c.turns > 1 else ""
            st.button(
                f"{escape_md(c.title)} :gray[{escape_md(item.when + count)}]",
                key=f"conv-open-{c.id}",
                type="primary" if c.id == current else "tertiary",
                width="stretch",
                on_click=open_,
                args=(c.id,),
            )
        if menu is None:
            continue
        with menu, st.popover("", icon=":material/more_vert:", key=f"conv-menu-{c.id}"):
            title_key = f"conv-title-{c.id}"
            st.text_input("Title", value=c.title, key=title_key)
            st.button(
                "Rename",
                key=f"conv-rename-{c.id}",
                icon=":material/edit:",
                on_click=_renaming,
                args=(rename, c.id, title_key),
            )
            st.button(
                "Delete",
                key=f"conv-delete-{c.id}",
                icon=":material/delete:",
                on_click=_deleting,
                args=(delete, c.id),
            )


def _renaming(rename: Callable[[int, str], object], conversation_id: int, title_key: str) -> None:
    rename(conversation_id, st.session_state[title_key])


def _deleting(delete: Callable[[int], object], conversation_id: int) -> None:
    delete(conversation_id)
