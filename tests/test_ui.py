"""The Streamlit app through streamlit.testing's AppTest (no browser): history, citations,
saved conversations reopened on reload, filters, refusals, uploads and error states."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from assistant.cli import app as cli
from assistant.conversations import ConversationStore
from assistant.export.schema import answer_json
from assistant.models import Answer, Citation
from ingest.models import ArticleRef, Paragraph
from ui.session import conversation_param
from vectorstore.models import Passage

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "ui" / "app.py")
HOSTILE = ROOT / "tests" / "browser" / "fixtures" / "hostile-article.md"
QUESTION = "Who confirmed the troop numbers?"
OFF_TOPIC = "How do I bake sourdough bread?"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test builds its own assistant (the cache is per process, AppTest runs in it)."""
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def start() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    return at


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(elements: Any) -> str:
    """The text of elements as shown: Markdown escapes and word joiners removed."""
    joined = "\n".join(str(e.value) for e in elements)
    return re.sub(r"\\(.)", r"\1", joined).replace("\u2060", "")


def get(node: Any, kind: str) -> list[Any]:
    """Elements of one kind under ``node`` (AppTest types them as Element | Block)."""
    return list(node.get(kind))


def answer_of(message: Any) -> str:
    """The answer's HTML (the first st.html of a reply): the answer line, the quotes with
    their markers (<details>) and the one source list."""
    return str(get(message, "html")[0].value)


def cards_of(message: Any) -> list[str]:
    """The entries of a reply's source list (each opens its card)."""
    return answer_of(message).split('<details class="briefing-source"')[1:]


def markers_of(message: Any) -> list[int]:
    """The citation numbers of the markers in a reply's text, in order."""
    return [
        int(n)
        for n in re.findall(r'class="briefing-marker" data-marker="(\d+)"', answer_of(message))
    ]


def turns(at: AppTest) -> list[Any]:
    return list(at.session_state["turns"])


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends


def test_answer_with_citation_panels_and_history(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    at = ask(start(), QUESTION)
    answer = turns(at)[0].result
    assert answer.citations and not answer.refused
    # Each [n] in the text opens its citation's card (the paragraph, the quote highlighted).
    text = answer_of(at.chat_message[1])
    assert set(markers_of(at.chat_message[1])) == {c.number for c in answer.citations}
    for c in answer.citations:
        assert f'data-citation="{c.number}"' in text
    # One source list: one entry per citation (outlet · date · title), each opening the card;
    # no other list of the sources (no buttons, no expander).
    cards = cards_of(at.chat_message[1])
    assert len(cards) == len(answer.citations) and text.count('class="briefing-source-list"') == 1
    assert not get(at.chat_message[1], "popover") and not at.chat_message[1].expander
    first = answer.citations[0]
    assert f'<mark class="briefing-quote">{first.quote}' in cards[0].replace("&#x27;", "'")
    assert first.passage.article.source in cards[0]
    # The direct answer line first, in bold, then the quotes as a list.
    lead = text.split('<div class="briefing-lead">')[1].split("</div>")[0]
    assert lead.startswith("<strong>") and text.index("briefing-lead") < text.index("<ul")
    # Download buttons for every export format.
    labels = [b.label for b in get(at.chat_message[1], "download_button")]
    assert labels == ["Markdown", "JSON", "HTML", "Word", "PDF"]

    # History: a second question keeps the first turn on the page and is asked with it.
    ask(at, OFF_TOPIC)
    assert len(at.chat_message) == 4
    assert at.chat_message[0].markdown[0].value == "Who confirmed the troop numbers?"
    assert len(turns(at)) == 2
    conversation = [b.label for b in get(at.sidebar, "download_button")]
    assert conversation == ["Markdown", "JSON", "HTML", "Word", "PDF"]

    # New conversation empties the page.
    at.sidebar.button[0].click().run()
    assert not at.exception and len(at.chat_message) == 0 and turns(at) == []


def test_a_reload_reopens_the_saved_conversation(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    at = ask(start(), QUESTION)
    shown = turns(at)[0].result
    assert at.query_params["c"] == "1"  # every turn is saved; the URL names its conversation
    saved = ConversationStore.in_data_dir(sample_assistant.settings.data_dir).get(1)
    assert [answer_json(t.answer) for t in saved.turns] == [answer_json(shown)]

    # A reload is a new session; here also a new assistant, so only the store remembers.
    st.cache_resource.clear()
    again = AppTest.from_file(APP, default_timeout=120)
    again.query_params["c"] = "1"
    again.run()
    assert not again.exception
    assert len(again.chat_message) == 2
    assert again.chat_message[0].markdown[0].value == QUESTION
    assert answer_of(again.chat_message[1]) == answer_of(at.chat_message[1])
    assert answer_json(turns(again)[0].result) == answer_json(shown)  # all but search scores
    # The sources open the same cards, and the answer still exports.
    assert cards_of(again.chat_message[1]) == cards_of(at.chat_message[1])
    assert [b.label for b in get(again.sidebar, "download_button")] == [
        "Markdown", "JSON", "HTML", "Word", "PDF",
    ]  # fmt: skip

    # The next question continues the same conversation, and the CLI lists it.
    ask(again, "Who denied it?")
    assert again.query_params["c"] == "1" and len(again.chat_message) == 4
    listed = CliRunner().invoke(cli, ["conversations"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0, listed.output
    row = next(line for line in listed.output.splitlines() if QUESTION in line).split()
    # id, last asked (day, time), where it was started, questions, title
    assert row[0] == "1" and row[3] == "chat" and row[4] == "2"

    # New conversation leaves it saved and takes it out of the URL.
    again.sidebar.button[0].click().run()
    assert "c" not in again.query_params and turns(again) == []
    ask(again, OFF_TOPIC)
    assert again.query_params["c"] == "2"


def test_an_unknown_conversation_in_the_url_starts_a_new_one(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["c"] = "42"
    at.run()
    assert not at.exception
    assert any("Conversation 42 is not saved" in i.value for i in at.info)
    assert "c" not in at.query_params and not at.chat_message
    ask(at, QUESTION)
    assert at.query_params["c"] == "1"


def test_conversation_param() -> None:
    assert conversation_param("12") == 12 and conversation_param(" 3 ") == 3
    for bad in (None, "", "x", "-1", "1.5", "\u0663"):
        assert conversation_param(bad) is None


def test_refusal_shows_related_paragraphs_not_citations(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    at = ask(start(), OFF_TOPIC)
    reply = at.chat_message[1]
    assert "do not answer" in answer_of(reply)
    assert not cards_of(reply) and 'class="briefing-marker"' not in answer_of(reply)  # no citations
    related = [e for e in reply.expander if e.label.startswith("Related but not cited")]
    assert len(related) == 1 and len(related[0].markdown) >= 1
    assert turns(at)[0].result.refused


def test_publisher_filter_restricts_the_citations(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    at = start()
    publishers = at.sidebar.multiselect[0]
    assert "Atlantic Wire Service" in publishers.options and len(publishers.options) >= 6
    publishers.set_value(["Tokyo Evening Post"]).run()
    ask(at, "Who confirmed that North Korean troops were sent to Russia?")
    answer = turns(at)[0].result
    assert answer.citations
    assert {c.passage.article.source for c in answer.citations} == {"Tokyo Evening Post"}
    assert "Tokyo Evening Post" in texts(at.chat_message[1].caption)


def test_date_filter_restricts_the_citations(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    at = start()
    dates = at.sidebar.date_input[0]
    assert dates.value == (dt.date(2024, 10, 18), dt.date(2024, 11, 20))
    dates.set_value((dt.date(2024, 10, 29), dt.date(2024, 11, 20))).run()
    ask(at, "Who confirmed that North Korean troops were sent to Russia?")
    answer = turns(at)[0].result
    assert answer.citations
    assert all(c.passage.article.published_at >= "2024-10-29" for c in answer.citations)
    assert turns(at)[0].filters.since == dt.date(2024, 10, 29)


def test_status_in_the_sidebar(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    at = start()
    (status,) = [m.value for m in at.sidebar.markdown if "articles" in m.value]
    # one line, in words an analyst uses: no model name, no store name
    assert status.startswith("**8** articles · **59** paragraphs · updated ")
    assert "\n" not in status and "fake" not in status and "chroma" not in status
    assert not at.sidebar.selectbox  # one backend answers here: no menu of one choice
    # The filters come first, before the conversations and adding articles.
    order = [type(e).__name__ for e in at.sidebar]
    assert at.sidebar.multiselect[0].label == "Publishers"
    assert order.index("Multiselect") < order.index("Expander")


def test_upload_indexes_files_and_names_the_bad_one(sample_assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    at = start()
    at.sidebar.file_uploader[0].set_value(
        [
            ("hostile-article.md", HOSTILE.read_bytes(), "text/markdown"),
            ("broken.json", b"{not json", "application/json"),
        ]
    ).run()
    assert not at.exception
    assert "Indexed 1 new" in texts(at.sidebar.success)
    errors = texts(at.sidebar.error)
    assert "broken" in errors and "hostile" not in errors
    assert "**9** articles" in texts(at.sidebar.markdown)
    uploads = Path(sample_assistant.settings.data_dir) / "uploads"
    assert {p.name for p in uploads.iterdir()} == {"hostile-article.md", "broken.json"}
    # The next run does not index the same files again.
    at.run()
    assert "Indexed 1 new" in texts(at.sidebar.success)

    # The uploaded article answers, and its markup stays text everywhere on the page.
    ask(at, "When will the Lindholm ferry terminal open?")
    reply = at.chat_message[1]
    answer_md = answer_of(reply)
    assert "&lt;script&gt;" in answer_md and "<script" not in answer_md
    assert "![map](http://evil.example/map.png)" in answer_md and "<img" not in answer_md
    card = cards_of(reply)[0]
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in card
    assert "<img" not in card and "<a " not in card  # the javascript: URL stays text
    assert "&lt;b&gt;Gazette&lt;/b&gt;" in card.split("</summary>")[0]  # the outlet, as text


def test_upload_rebuilds_an_index_of_an_older_layout(
    sample_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_upgrade import _make_format_1

    data = tmp_path / "old-data"
    shutil.copytree(sample_index, data)
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(data))
    _make_format_1(data)
    at = start()
    assert "index format 1" in texts(at.error) and not at.chat_input
    assert "rebuild the index" in texts(at.sidebar.info)
    at.sidebar.file_uploader[0].set_value(
        [("hostile-article.md", HOSTILE.read_bytes(), "text/markdown")]
    ).run()
    assert not at.exception and not at.error
    # Rebuilt as `briefing index` does it: the old index set aside, its sources re-indexed.
    note = texts(at.sidebar.info)
    assert "index format 1" in note and "re-indexed the 8 sources it held" in note
    [backup] = data.glob("old-index-*")
    assert (backup / "chroma").is_dir() and str(backup) in note
    assert "Indexed 9 new" in texts(at.sidebar.success)
    assert "**9** articles" in texts(at.sidebar.markdown)
    ask(at, "When will the Lindholm ferry terminal open?")
    assert turns(at)[0].result.citations


def test_empty_index_says_how_to_add_articles(tmp_path: Path) -> None:
    at = start()
    assert [h.value for h in at.main.subheader] == ["No articles are indexed yet"]
    assert at.chat_input[0].proto.disabled  # nothing to ask: the question box is disabled
    # The upload box on the page, and the command for a terminal.
    (box,) = at.main.file_uploader
    assert [c.value for c in at.code] == ["briefing index PATH"]
    assert not at.sidebar.multiselect and not at.chat_message  # no filters, no answers
    # Files dropped in it are indexed, and the page opens on them.
    box.set_value([("hostile-article.md", HOSTILE.read_bytes(), "text/markdown")]).run()
    assert not at.exception
    assert not at.chat_input[0].proto.disabled and at.sidebar.multiselect
    assert texts(at.sidebar.markdown).startswith("**1** articles")


def test_chroma_server_down_shows_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFING_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("BRIEFING_CHROMA_PORT", str(closed_port()))
    monkeypatch.setenv("BRIEFING_CHROMA_TIMEOUT", "3")
    at = start()
    message = texts(at.error)
    assert "Chroma server" in message and "BRIEFING_CHROMA_HOST" in message
    assert "Traceback" not in message
    assert not at.chat_input  # nothing to ask without a store


def test_llm_backend_down_shows_what_to_do(
    sample_assistant, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from assistant.backends import registry

    class DownModel:
        def stream(self, messages: Any) -> Any:
            raise ConnectionRefusedError("[Errno 111] Connection refused")

    monkeypatch.setenv("BRIEFING_BACKEND", "ollama:llama3.2")
    monkeypatch.setattr(registry, "build_chat_model", lambda settings: DownModel())
    at = start()
    assert at.sidebar.selectbox[0].options == ["ollama:llama3.2", "extractive"]
    ask(at, "Who confirmed that North Korean troops were sent to Russia?")
    message = texts(at.chat_message[1].error)
    assert "ollama:llama3.2" in message and "Connection refused" in message
    assert "BRIEFING_BACKEND" in message
    assert turns(at) == []
    # Switching to the offline backend answers the same question.
    at.sidebar.selectbox[0].set_value("extractive").run()
    ask(at, "Who confirmed that North Korean troops were sent to Russia?")
    assert turns(at)[0].result.citations


def test_unexpected_error_is_a_message_not_a_traceback(
    sample_assistant, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from assistant.service import BriefingAssistant

    def broken(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(BriefingAssistant, "stream", broken)
    at = ask(start(), QUESTION)
    message = texts(at.chat_message[1].error)
    assert "Unexpected error (RuntimeError): disk on fire" in message and "Reload" in message
    assert not at.exception


def _answer_page(answer):  # type: ignore[no-untyped-def]
    """An app page showing one hand-made answer (AppTest.from_function runs it alone)."""
    from ui import session, widgets

    widgets.show_answer(session.ChatTurn(answer.question, answer), key="t0")


def _passage(text: str, index: int = 0) -> Passage:
    return Passage(
        ArticleRef("a", "Title", "Wire", "h", published_at="2024-10-28"),
        Paragraph("a", index, text, 0, len(text)),
    )


def test_unsupported_sentences_are_flagged() -> None:
    p = _passage("Rutte confirmed the deployment.")
    answer = Answer(
        "Who confirmed it?",
        "Rutte confirmed the deployment. [1]",
        (Citation(1, p, p.text, 0, len(p.text), "Rutte", "confirmed"),),
        unsupported=("The troops number <b>50,000</b>.",),
    )
    at = AppTest.from_function(_answer_page, args=(answer,), default_timeout=60).run()
    assert not at.exception
    warning = texts(at.warning)
    assert "Not supported" in warning and "<b>50,000</b>" in warning
    assert r"\<b\>50,000\</b\>" in at.warning[0].value
    assert "confirmed by Rutte" in get(at, "html")[0].value  # in the card of [1]


def test_refused_answer_lists_related_paragraphs() -> None:
    answer = Answer(
        "q",
        "The indexed articles do not answer this.",
        refused=True,
        related=(_passage("A"), _passage("B", 1)),
    )
    at = AppTest.from_function(_answer_page, args=(answer,), default_timeout=60).run()
    assert not at.exception
    (related,) = at.expander
    assert related.label == "Related but not cited (2)" and len(related.markdown) == 2


# -- the landing page, saved conversations, filters -------------------------------------------
def by_key(node: Any, kind: str, key: str) -> Any:
    return next(e for e in get(node, kind) if getattr(e, "key", None) == key)


def test_landing_page_shows_the_corpus_and_its_example_questions_ask(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    at = start()
    overview = texts(at.markdown)
    assert "**8** articles" in overview and "**8** outlets" in overview
    assert "2024-10-18" in overview and "2024-11-20" in overview
    assert "People:" in overview and "Places:" in overview
    assert get(at, "arrow_vega_lite_chart") or get(at, "vega_lite_chart")  # the timeline
    assert "every answer quotes them" in overview  # what the tool does, in one sentence
    examples = [b for b in at.button if str(b.key).startswith("example-")]
    assert examples and examples[-1].key == "example-brief"  # a briefing topic, last
    question = sample_assistant.overview().questions[0]
    assert re.sub(r"\\(.)", r"\1", examples[0].label) == question
    examples[0].click().run()
    assert not at.exception
    (turn,) = turns(at)
    assert turn.question == question and turn.result.citations
    assert not [b for b in at.button if str(b.key).startswith("example-")]  # landing gone


def test_the_briefing_topic_of_the_landing_page_opens_the_briefing_view(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    at = start()
    topic = sample_assistant.overview().topic
    assert topic
    by_key(at, "button", "example-brief").click().run()
    assert not at.exception
    assert at.session_state["view"] == "Briefing"
    assert by_key(at, "text_input", "briefing_topic").value == topic
    assert not at.warning  # no "default value and Session State" warning


def test_sidebar_reopens_renames_and_deletes_saved_conversations(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    at = ask(start(), QUESTION)
    at.sidebar.button[0].click().run()  # New conversation
    ask(at, "Who denied the reports?")
    assert at.query_params["c"] == "2"
    labels = [b.label for b in at.sidebar.button if str(b.key).startswith("conv-open-")]
    # newest first, each dated (asked today: its time)
    assert [re.sub(r" :gray\[.*\]$", "", label) for label in labels] == [
        "Who denied the reports?",
        QUESTION,
    ]
    assert all(re.search(r":gray\[\d\d\\?:\d\d\]$", label) for label in labels), labels
    assert "Today" in texts(at.sidebar.caption)

    by_key(at.sidebar, "button", "conv-open-1").click().run()  # reopen the first
    assert not at.exception and [t.question for t in turns(at)] == [QUESTION]
    assert at.query_params["c"] == "1"

    by_key(at.sidebar, "text_input", "conv-title-1").set_value("Troop numbers")
    by_key(at.sidebar, "button", "conv-rename-1").click().run()
    store = ConversationStore.in_data_dir(sample_assistant.settings.data_dir)
    assert store.get(1).title == "Troop numbers"
    assert by_key(at.sidebar, "button", "conv-open-1").label.startswith("Troop numbers :gray[")

    by_key(at.sidebar, "button", "conv-delete-1").click().run()  # the one on the page
    assert not at.exception and turns(at) == [] and "c" not in at.query_params
    assert [c.id for c in store.list()] == [2]


def test_an_empty_filter_says_so(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    at = start()
    at.sidebar.multiselect[0].set_value(["Kyiv Ledger"]).run()
    at.sidebar.date_input[0].set_value((dt.date(2024, 11, 1), dt.date(2024, 11, 20))).run()
    ask(at, QUESTION)
    answer = answer_of(at.chat_message[1])
    assert "0 articles from Kyiv Ledger match these dates (2024-11-01 to …)." in answer


def test_filters_are_kept_across_an_upload_and_the_limit_is_the_settings(
    sample_assistant, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BRIEFING_MAX_FILE_BYTES", str(5 * 1024 * 1024))
    at = start()
    assert at.sidebar.file_uploader[0].proto.max_upload_size_mb == 5
    at.sidebar.multiselect[0].set_value(["Tokyo Evening Post"]).run()
    at.sidebar.date_input[0].set_value((dt.date(2024, 10, 29), dt.date(2024, 11, 20))).run()
    later = (
        '{"title": "Harbour cranes idle", "source": "Port Ledger", "published_at": '
        '"2024-12-05", "body": "Dock cranes at the harbour stood idle on Thursday."}\n'
    )
    at.sidebar.file_uploader[0].set_value([("later.jsonl", later.encode(), "text/plain")]).run()
    assert not at.exception and "Indexed 1 new" in texts(at.sidebar.success)
    # The narrowed start stays; the end, left at the last day, follows the new last day.
    assert at.sidebar.date_input[0].value == (dt.date(2024, 10, 29), dt.date(2024, 12, 5))
    assert at.sidebar.multiselect[0].value == ["Tokyo Evening Post"]
    assert "Port Ledger" in at.sidebar.multiselect[0].options


def test_questions_asked_with_the_cli_are_listed_apart(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):  # the command line's one-off questions, asked again and again
        asked = CliRunner().invoke(cli, ["ask", OFF_TOPIC])
        assert asked.exit_code == 0, asked.output
    at = ask(start(), QUESTION)
    (cli_group,) = [e for e in at.sidebar.expander if "briefing ask" in e.label]
    assert cli_group.label.endswith("(3)")
    inside = [b.key for b in cli_group.button if str(b.key).startswith("conv-open-")]
    assert sorted(inside) == ["conv-open-1", "conv-open-2", "conv-open-3"]
    # the chat's own conversation is listed first, under Today, outside the group
    opened = [b.key for b in at.sidebar.button if str(b.key).startswith("conv-open-")]
    assert opened[0] == "conv-open-4"
    store = ConversationStore.in_data_dir(sample_assistant.settings.data_dir)
    assert [(c.id, c.origin) for c in store.list()][:2] == [(4, "chat"), (3, "cli")]
