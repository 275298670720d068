"""Screenshots of the chat's main states for the README, from a real run: samples/ indexed
with the packaged model, `streamlit run` on 127.0.0.1, Debian's chromium via playwright.

    .venv/bin/python docs/make_screenshots.py            # writes docs/screenshots/*.png
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.harness import (  # noqa: E402
    ask,
    browser_page,
    index,
    offline_env,
    streamlit_server,
)

UPLOAD_NOTE = (
    "Harbour agency briefs on Baltic ferry inspections\n\n"
    "The Baltic harbour agency said on Friday that inspectors had checked 14 ferries in "
    "November and found no breaches of the new safety rules.\n"
)


def wait_answer(page: Any, turn: int) -> None:
    """Until the answer of chat turn ``turn`` (0-based) has its download buttons."""
    page.get_by_test_id("stChatMessage").nth(2 * turn + 1).get_by_role(
        "button", name="JSON"
    ).wait_for(timeout=120_000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="briefing-shots-") as tmp:
        work = Path(tmp)
        env = offline_env(work / "data")  # the packaged model, as `make run` uses
        index([ROOT / "samples"], env, cwd=work)
        (work / "baltic-ferry-inspections.txt").write_text(UPLOAD_NOTE)
        (work / "broken-feed.json").write_text('{"title": "cut off')
        with (
            streamlit_server(env, cwd=work, log_path=work / "streamlit.log") as url,
            browser_page(viewport=(1400, 900)) as page,
        ):
            page.goto(url)
            page.get_by_test_id("stChatInputTextArea").wait_for()

            # 1. The landing page: what the corpus holds, its timeline, example questions.
            page.get_by_text("Try a question").wait_for(timeout=300_000)
            page.get_by_test_id("stVegaLiteChart").wait_for()
            page.screenshot(path=str(args.out / "landing.png"))

            # 2. An example question clicked; a marker inside the answer text opened.
            page.get_by_role("button", name=re.compile("What did")).first.click()
            wait_answer(page, 0)
            marker = page.locator("div.briefing-answer details.briefing-marker").first
            marker.locator("summary").click()
            marker.locator("mark.briefing-quote").wait_for()
            page.screenshot(path=str(args.out / "marker-panel.png"))
            marker.locator("summary").click()

            # 3. A reload reopens the chat; the sidebar lists it as the current one.
            page.reload()
            wait_answer(page, 0)
            page.screenshot(path=str(args.out / "reload.png"))

            # 4. An answer with the panel of citation [1] open (the buttons under it).
            page.get_by_role("button", name="New conversation").click()
            page.get_by_test_id("stChatMessage").first.wait_for(state="detached")
            ask(page, "Who confirmed the troop numbers?")
            wait_answer(page, 0)
            page.get_by_role("button", name=re.compile(r"^\[1\]")).first.click()
            page.locator("mark.briefing-quote").last.wait_for()  # the popover's, not the text's
            page.screenshot(path=str(args.out / "answer-citation.png"))
            page.keyboard.press("Escape")

            # 5. A refusal, with the related paragraphs it did not cite.
            page.get_by_role("button", name="New conversation").click()
            page.get_by_test_id("stChatMessage").first.wait_for(state="detached")
            ask(page, "How do I bake sourdough bread?")
            wait_answer(page, 0)
            page.get_by_text("Related but not cited").wait_for()
            page.screenshot(path=str(args.out / "refusal-related.png"))

            # 6. The sidebar: status, saved conversations, an upload with one bad file,
            # filters.
            page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
                [str(work / "baltic-ferry-inspections.txt"), str(work / "broken-feed.json")]
            )
            page.get_by_text(re.compile(r"Indexed 1 new")).wait_for(timeout=120_000)
            publishers = page.get_by_role("combobox", name="Publishers")
            publishers.click()
            publishers.press("ArrowDown")  # opens the list if the click only focused it
            page.get_by_role("option").filter(has_text="Atlantic Wire Service").click()
            page.keyboard.press("Escape")
            page.get_by_test_id("stSidebar").get_by_text("Atlantic Wire Service").wait_for()
            page.set_viewport_size({"width": 1400, "height": 1700})  # the whole sidebar
            page.get_by_test_id("stSidebar").screenshot(path=str(args.out / "sidebar.png"))
            page.set_viewport_size({"width": 1400, "height": 900})

            # 7. Filters no article passes: the answer says so.
            page.goto(url)  # a new session: filters start empty
            sidebar = page.get_by_test_id("stSidebar")
            publishers = sidebar.get_by_role("combobox", name="Publishers")
            publishers.click()
            publishers.press("ArrowDown")
            page.get_by_role("option").filter(has_text="Kyiv Ledger").click()
            page.keyboard.press("Escape")
            for field, digits in (("month", "11"), ("day", "01")):
                name = f"{field}, Published between start date"
                sidebar.get_by_role("spinbutton", name=name).click()
                page.keyboard.type(digits)
            page.keyboard.press("Tab")
            ask(page, "Who confirmed the troop numbers?")
            wait_answer(page, 0)
            page.get_by_text(re.compile("0 articles from Kyiv Ledger")).wait_for()
            page.screenshot(path=str(args.out / "empty-filter.png"))
    for shot in sorted(args.out.glob("*.png")):
        print(f"{shot.relative_to(ROOT)}  {shot.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
