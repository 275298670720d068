"""The Streamlit app through streamlit.testing's AppTest (no browser)."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui.render import answer_markdown, escape_md

APP = str(Path(__file__).resolve().parent.parent / "ui" / "app.py")


def test_chat_answers_with_markers_and_sources(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    at.chat_input[0].set_value("Who confirmed the troop numbers?").run()
    assert not at.exception
    answer_md = at.chat_message[1].markdown[0].value
    assert r"**\[1\]**" in answer_md
    sources = " ".join(m.value for m in at.chat_message[1].markdown[1:])
    assert "confirmed" in sources
    # History: a second question keeps the first turn on the page.
    at.chat_input[0].set_value("How do I bake sourdough bread?").run()
    assert len(at.chat_message) == 4
    assert "do not answer" in at.chat_message[3].markdown[0].value


def test_empty_index_shows_hint() -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert any("No articles are indexed" in i.value for i in at.info)


def test_untrusted_text_is_escaped() -> None:
    from assistant.models import Answer

    hostile = "<script>alert(1)</script> ![x](http://evil.example/a.png) [y](javascript:alert(1))"
    md = answer_markdown(Answer("q", hostile + " [1]"))
    assert "<script>" not in md and "](" not in md and "![" not in md
    assert r"**\[1\]**" in md
    assert escape_md("a_b*c") == r"a\_b\*c"
