"""The chat in a real browser: Debian's chromium driven by playwright against `streamlit run`
on 127.0.0.1, over the samples indexed with the packaged model (the fake embedding does not
find the answer to the demo question).

Needs `chromium` on PATH (`make browser-deps`); never `playwright install`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.harness import (
    ROOT,
    ask,
    browser_page,
    chromium_path,
    index,
    offline_env,
    streamlit_server,
)

pytestmark = pytest.mark.browser

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile-article.md"
LOCAL_HOSTS = {"127.0.0.1"}


@pytest.fixture(scope="module")
def app_env(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    """The environment and working folder of the served chat (for CLI runs beside it)."""
    work = tmp_path_factory.mktemp("browser")
    return offline_env(work / "data"), work


@pytest.fixture(scope="module")
def app_url(app_env: tuple[dict[str, str], Path]) -> Iterator[str]:
    if chromium_path() is None:
        pytest.fail("Debian chromium is not installed: run `make browser-deps`")
    env, work = app_env
    index([ROOT / "samples"], env, cwd=work)
    with streamlit_server(env, cwd=work, log_path=work / "streamlit.log") as url:
        yield url


@pytest.fixture
def page(app_url: str) -> Iterator[Any]:
    with browser_page() as page:
        page.requested = []  # every URL the page asked for, to check none leaves the host
        page.context.on("request", lambda request: page.requested.append(request.url))
        page.goto(app_url)
        page.get_by_test_id("stChatInputTextArea").wait_for()
        yield page


def outside_requests(page: Any) -> list[str]:
    return [u for u in page.requested if urlsplit(u).hostname not in LOCAL_HOSTS]


def open_citation(page: Any, n: int) -> Any:
    """Open source [n] in the source list of the latest answer; returns its card."""
    from playwright.sync_api import expect

    source = page.get_by_test_id("stChatMessage").last.locator(
        f'details.briefing-source[data-source="{n}"]'
    )
    expect(source).to_be_visible(timeout=120_000)
    source.locator("summary").click()
    panel = source.locator(f'div.briefing-citation[data-citation="{n}"]')
    expect(panel).to_be_visible()
    return panel


def test_citation_opens_its_paragraph_with_the_sentence_highlighted(
    page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    ask(page, "Who confirmed the troop numbers?")
    panel = open_citation(page, 1)
    # The highlighted sentence sits inside its paragraph, with the article's details.
    mark = panel.locator("p.briefing-paragraph > mark.briefing-quote")
    expect(mark).to_be_visible()
    quote = mark.inner_text()
    assert "confirmed" in quote
    answer_text = page.get_by_test_id("stChatMessage").last.inner_text().replace("\u2060", "")
    assert quote in answer_text
    card = panel.inner_text()
    assert panel.locator("a[href^='https://example.']").count() == 1
    shot = tmp_path / "citation.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    # The answer's JSON export downloads with the same quote (the file is built on click).
    with page.expect_download() as download:
        page.get_by_test_id("stChatMessage").last.get_by_role("button", name="JSON").click()
    first = json.loads(Path(download.value.path()).read_text())["citations"][0]
    assert first["quote"] == quote
    # The panel named the cited article: title, publisher, date, and its link.
    for field in ("title", "source", "published_at", "url"):
        assert first[field] in card, field
    assert outside_requests(page) == []


def test_hostile_article_shows_as_text_and_the_page_stays_on_the_host(
    page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    # Index the article through the sidebar's upload box, as an analyst would: opened first.
    adding = (
        page.get_by_test_id("stSidebar")
        .get_by_test_id("stExpander")
        .filter(has_text="Add articles")
    )
    adding.locator("summary").click()
    adding.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
        str(HOSTILE)
    )
    expect(adding.get_by_text(re.compile(r"Indexed 1 new"))).to_be_visible(timeout=120_000)

    ask(page, "When will the Lindholm ferry terminal open?")
    panel = open_citation(page, 1)
    # Markdown text carries invisible word joiners that keep bare URLs from becoming links.
    answer = page.get_by_test_id("stChatMessage").last.inner_text().replace("\u2060", "")
    card = panel.inner_text()
    for payload in (
        "<script>window.pwned=1</script>",
        "<img src=http://evil.example/pixel.png",
        "[details](javascript:alert(1))",
        "![map](http://evil.example/map.png)",
    ):
        assert payload in answer, payload
        assert payload in card, payload
    assert "<script>window.pwnedTitle=1</script>" in card and "<b>Gazette</b>" in card
    # Nothing of it became live: no script ran, no image, no javascript: or outside link.
    assert page.evaluate("() => [window.pwned ?? null, window.pwnedTitle ?? null]") == [
        None,
        None,
    ]
    assert page.locator("img[src*='evil.example']").count() == 0
    assert page.locator("a[href^='javascript:']").count() == 0
    assert page.locator("a[href*='evil.example']").count() == 0
    page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)
    assert page.requested and outside_requests(page) == []


def test_a_reload_reopens_the_conversation_and_the_cli_lists_it(
    page: Any, app_env: tuple[dict[str, str], Path]
) -> None:
    from playwright.sync_api import expect

    question = "Who confirmed the troop numbers?"
    ask(page, question)
    panel = open_citation(page, 1)  # the answer is complete and checked
    expect(page).to_have_url(re.compile(r"[?&]c=\d+"))  # saved: the URL names it
    conversation = re.search(r"[?&]c=(\d+)", page.url).group(1)  # type: ignore[union-attr]
    answer = page.get_by_test_id("stChatMessage").last.locator("div.briefing-answer")
    answer.locator('details.briefing-source[data-source="1"] > summary').click()
    expect(panel).to_be_hidden()  # closed again, as the reopened answer shows it
    shown = answer.inner_text()

    page.reload()  # a new Streamlit session: the turn comes back from the conversation store
    page.get_by_test_id("stChatInputTextArea").wait_for()
    messages = page.get_by_test_id("stChatMessage")
    expect(messages).to_have_count(2, timeout=120_000)
    expect(messages.first).to_contain_text(question)
    again = messages.last.locator("div.briefing-answer")
    expect(again).to_have_text(shown, use_inner_text=True)
    # The sidebar lists it as the current conversation.
    current = page.get_by_test_id("stSidebar").get_by_test_id("stBaseButton-primary")
    expect(current).to_contain_text(question)
    panel = open_citation(page, 1)  # its sources still open their paragraphs
    expect(panel.locator("mark.briefing-quote")).to_contain_text("confirmed")
    assert f"c={conversation}" in page.url
    assert outside_requests(page) == []

    # `briefing conversations` on the same data dir lists the chat's conversation.
    env, work = app_env
    listed = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "conversations"],
        env=dict(env, COLUMNS="200"),
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    # piped: id, last asked (day, time), where it was started, questions, title
    rows = [line.split(maxsplit=5) for line in listed.stdout.splitlines()[2:]]
    assert any(r[0] == conversation and r[3] == "chat" and r[5] == question for r in rows)


def test_landing_overview_and_an_example_question_clicked_gets_a_cited_answer(
    page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    main = page.get_by_role("main")
    expect(main.get_by_text("What the corpus holds")).to_be_visible()
    expect(
        main.get_by_text(re.compile(r"\d+ articles · \d+ paragraphs · \d+ outlets"))
    ).to_be_visible()
    expect(main.get_by_text("People:")).to_be_visible()
    expect(main.get_by_test_id("stVegaLiteChart")).to_be_visible()  # the timeline
    expect(main.get_by_text("every answer quotes them")).to_be_visible()  # what it does
    example = main.locator(".st-key-example-0 button")
    question = example.inner_text().replace("help", "", 1).strip()
    example.click()
    messages = page.get_by_test_id("stChatMessage")
    expect(messages.first).to_contain_text(question)
    marker = messages.last.locator("details.briefing-marker > summary").first
    expect(marker).to_be_visible(timeout=120_000)  # cited
    expect(main.get_by_text("What the corpus holds")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "landing-answer.png"), full_page=True)
    assert outside_requests(page) == []


def test_a_marker_clicked_inside_the_answer_text_opens_its_panel(page: Any) -> None:
    from playwright.sync_api import expect

    ask(page, "Who confirmed the troop numbers?")
    answer = page.get_by_test_id("stChatMessage").last.locator("div.briefing-answer")
    marker = answer.locator('details.briefing-marker[data-marker="1"]').first
    expect(marker).to_be_visible(timeout=120_000)
    panel = marker.locator('div.briefing-citation[data-citation="1"]')
    expect(panel).to_be_hidden()
    marker.locator("summary").click()
    expect(panel).to_be_visible()
    expect(panel.locator("mark.briefing-quote")).to_contain_text("confirmed")
    # The same card as source [1] of the list opens.
    button_panel = open_citation(page, 1)
    assert button_panel.inner_text() == panel.inner_text()
    # The sources tell each other apart: outlet, date and the title.
    names = answer.locator("details.briefing-source > summary").all_inner_texts()
    assert names and all(re.search(r"· \d{4}-\d{2}-\d{2} · \w+", n) for n in names), names
    assert outside_requests(page) == []


def _box(locator: Any) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None
    return box


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_the_answer_layout_one_source_list_and_a_marker_that_covers_nothing(
    page: Any,
) -> None:
    """Issue #28: the answer line first, the quotes as a list, one source list, and a
    marker that opens its paragraph under its line without covering any of the answer."""
    from playwright.sync_api import expect

    ask(page, "Who confirmed the troop numbers?")
    reply = page.get_by_test_id("stChatMessage").last
    answer = reply.locator("div.briefing-answer")
    expect(answer.locator("details.briefing-source").first).to_be_visible(timeout=120_000)
    # The answer line first, bold, above the quotes; the quotes as a list.
    lead = answer.locator("div.briefing-lead")
    expect(lead.locator("strong").first).to_be_visible()
    quotes = answer.locator("ul.briefing-quotes > li")
    assert quotes.count() >= 1
    assert _box(lead)["y"] < _box(quotes.first)["y"]
    weight = lead.locator("strong").first.evaluate("e => getComputedStyle(e).fontWeight")
    assert int(weight) >= 600
    # One source list, no other list of the sources (no buttons, no expander).
    assert reply.locator("ol.briefing-source-list").count() == 1
    assert reply.get_by_role("button", name=re.compile(r"^\[\d+\]")).count() == 0
    assert reply.get_by_test_id("stExpander").count() == 0
    sources = answer.locator("details.briefing-source")
    assert sources.count() == answer.locator("details.briefing-marker").evaluate_all(
        "ms => new Set(ms.map(m => m.dataset.marker)).size"
    )
    # A marker opens its paragraph in the flow: nothing of the answer is covered, what
    # follows moves down, and the other parts still take clicks.
    marker = quotes.first.locator("details.briefing-marker").first
    n = marker.get_attribute("data-marker")
    below = sources.first.locator("summary")
    before = _box(below)["y"]
    marker.locator("summary").click()
    card = marker.locator(f'div.briefing-citation[data-citation="{n}"]')
    expect(card).to_be_visible()
    expect(card.locator("mark.briefing-quote")).to_be_visible()
    card_box = _box(card)
    assert card_box["y"] >= _box(marker.locator("summary"))["y"]  # under its marker
    assert _box(below)["y"] > before  # pushed down, not covered
    others = [lead, *[quotes.nth(i) for i in range(1, quotes.count())], below]
    for other in others:
        assert not _overlap(card_box, _box(other))
    below.click()  # clickable while the card is open
    expect(sources.first.locator("div.briefing-citation")).to_be_visible()
    # Another marker of the answer closes the first card: one open at a time.
    lead.locator("details.briefing-marker > summary").first.click()
    expect(card).to_be_hidden()
    assert outside_requests(page) == []


@pytest.fixture(scope="module")
def empty_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The chat on a data dir with nothing indexed."""
    work = tmp_path_factory.mktemp("browser-empty")
    with streamlit_server(offline_env(work / "data"), cwd=work, log_path=work / "log") as url:
        yield url


def test_an_empty_index_says_how_to_add_articles(empty_url: str) -> None:
    from playwright.sync_api import expect

    with browser_page() as page:
        page.goto(empty_url)
        main = page.get_by_role("main")
        expect(main.get_by_text("No articles are indexed yet")).to_be_visible(timeout=120_000)
        expect(page.get_by_test_id("stChatInputTextArea")).to_be_disabled()
        expect(main.get_by_text("briefing index PATH")).to_be_visible()
        box = main.locator("[data-testid='stFileUploader'] input[type='file']")
        box.set_input_files(str(HOSTILE))  # an article dropped on the page is indexed
        # (the disabled box stays on screen until the page's new run replaces it)
        asking = page.get_by_role("textbox", name="Ask about the articles")
        expect(asking).to_be_enabled(timeout=120_000)
        expect(page.get_by_test_id("stChatInputTextArea")).to_have_count(1)
        expect(page.get_by_test_id("stSidebar")).to_contain_text("1 articles")


def test_on_a_phone_the_landing_page_opens_at_its_top(app_url: str) -> None:
    from playwright.sync_api import expect

    with browser_page(viewport=(390, 844)) as page:
        page.goto(app_url)
        first = page.get_by_text("every answer quotes them")
        expect(page.locator(".st-key-example-0 button")).to_be_visible(timeout=120_000)
        # the chart of articles per day draws last, below the fold: the page stays at its top
        page.get_by_test_id("stVegaLiteChart").first.wait_for(state="attached")
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
            timeout=120_000,
        )
        page.wait_for_timeout(1500)
        box = first.bounding_box()
        assert box is not None and 0 <= box["y"] < 844  # what the tool does, in view
        scrolled = page.evaluate(
            "() => Math.max(window.scrollY, ...[...document.querySelectorAll('*')]"
            ".map(e => e.scrollTop))"
        )
        assert scrolled == 0


def test_an_empty_filter_gives_its_message(page: Any) -> None:
    from playwright.sync_api import expect

    sidebar = page.get_by_test_id("stSidebar")
    publishers = sidebar.get_by_role("combobox", name="Publishers")
    publishers.click()
    publishers.press("ArrowDown")  # opens the list if the click only focused it
    page.get_by_role("option").filter(has_text="Kyiv Ledger").click()
    page.keyboard.press("Escape")
    # The range's start typed into its month and day fields: 2024-11-01.
    for field, digits in (("month", "11"), ("day", "01")):
        segment = sidebar.get_by_role("spinbutton", name=f"{field}, Published between start date")
        segment.click()
        page.keyboard.type(digits)
    page.keyboard.press("Tab")
    expect(
        sidebar.get_by_role("spinbutton", name="month, Published between start date")
    ).to_have_text("11")
    ask(page, "Who confirmed the troop numbers?")
    reply = page.get_by_test_id("stChatMessage").last
    expect(reply).to_contain_text(
        "0 articles from Kyiv Ledger match these dates (2024-11-01 to …).", timeout=120_000
    )
