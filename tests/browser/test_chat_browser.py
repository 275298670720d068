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
    """Click the button of citation [n] of the latest answer; returns its panel."""
    from playwright.sync_api import expect

    button = page.get_by_role("button", name=re.compile(rf"^\[{n}\]")).last
    expect(button).to_be_visible(timeout=120_000)
    button.click()
    panel = page.locator(f'div.briefing-citation[data-citation="{n}"]').last
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
    page.keyboard.press("Escape")
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

    # Index the article through the upload box, as an analyst would.
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(HOSTILE))
    expect(page.get_by_text(re.compile(r"Indexed 1 new"))).to_be_visible(timeout=120_000)

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
    open_citation(page, 1)  # the answer is complete and checked
    page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile(r"[?&]c=\d+"))  # saved: the URL names it
    conversation = re.search(r"[?&]c=(\d+)", page.url).group(1)  # type: ignore[union-attr]
    answer = page.get_by_test_id("stChatMessage").last.locator("div.briefing-answer")
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
    panel = open_citation(page, 1)  # its citation buttons still open their paragraphs
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
    rows = [line.split("│") for line in listed.stdout.splitlines() if "│" in line]
    assert any(r[1].strip() == conversation and r[2].strip() == question for r in rows)


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
    example = main.get_by_role("button", name=re.compile(r"^help\s*What did|^What did")).first
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
    # The same card as the [1] button under the answer opens.
    button_panel = open_citation(page, 1)
    assert button_panel.inner_text() == panel.inner_text()
    # The citation buttons tell the sources apart: outlet, date and the title's first words.
    labels = page.get_by_test_id("stChatMessage").last.get_by_role(
        "button", name=re.compile(r"^\[\d+\]")
    )
    names = [labels.nth(i).inner_text() for i in range(labels.count())]
    assert all(re.search(r"· \d{4}-\d{2}-\d{2} · \w+", n) for n in names), names
    assert outside_requests(page) == []


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
