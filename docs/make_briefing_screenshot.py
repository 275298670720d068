"""The screenshots of the chat's Briefing view for the README and docs/briefings.md, from a
real run: samples/ indexed with the packaged model, `streamlit run` on 127.0.0.1, Debian's
chromium via playwright (as docs/make_screenshots.py does for the chat).

    .venv/bin/python docs/make_briefing_screenshot.py
        # docs/screenshots/briefing.png          the whole view at 1400 px wide (the page's
        #                                        height: at most two 1400×1000 screens)
        # docs/screenshots/briefing-chip.png     a citation chip opened on its paragraph
        # docs/screenshots/briefing-chat.png     "Summarize what happened" in the chat

Prints the view's height and its charts, and exits 1 when the briefing takes more than two
screens or shows no chart.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.harness import browser_page, index, offline_env, streamlit_server  # noqa: E402

TOPIC = "North Korean troops in Russia"
WIDTH, SCREEN = 1400, 1000
# The height of what the page shows: Streamlit scrolls its main block, not the document.
HEIGHT_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]')
    || document.querySelector('section.main') || document.body;
  return Math.max(main.scrollHeight, document.body.scrollHeight);
}"""


def _briefing(page: Any, url: str) -> None:
    page.goto(url)
    page.get_by_test_id("stChatInputTextArea").wait_for()
    # the sidebar's View switch (a segmented control: its options are not buttons)
    page.get_by_test_id("stSidebar").get_by_text("Briefing", exact=True).click()
    page.get_by_label("Topic").fill(TOPIC)
    page.get_by_role("button", name="Build the briefing").click()
    page.get_by_role("button", name="PDF").wait_for(timeout=180_000)
    page.locator("div.bf h2", has_text="Conflicts").wait_for()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="briefing-shot-") as tmp:
        work = Path(tmp)
        env = offline_env(work / "data")  # the packaged model, as `make run` uses
        index([ROOT / "samples"], env, cwd=work)
        with streamlit_server(env, cwd=work, log_path=work / "streamlit.log") as url:
            with browser_page(viewport=(WIDTH, SCREEN)) as page:
                _briefing(page, url)  # built once: a second build would add "What is new"
                height = int(page.evaluate(HEIGHT_JS))
                charts = page.locator("div.bf img.briefing-chart")
                charted = sum(1 for i in range(charts.count()) if charts.nth(i).is_visible())
                # the whole view in one picture: the window as tall as the page
                page.set_viewport_size({"width": WIDTH, "height": max(SCREEN, height)})
                page.wait_for_timeout(500)
                path = args.out / "briefing.png"
                page.screenshot(path=str(path))
                print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KiB")
                chip = page.locator("details.bf-chip > summary").first
                chip.click()
                card = page.locator("details.bf-chip[open] .bf-card").first
                card.wait_for()
                box = card.bounding_box()
                top = max(0, int(box["y"]) - 220) if box else 0
                path = args.out / "briefing-chip.png"
                page.screenshot(
                    path=str(path), clip={"x": 0, "y": top, "width": WIDTH, "height": 560}
                )
                print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KiB")
            with browser_page(viewport=(WIDTH, SCREEN)) as page:
                page.goto(url)
                box = page.get_by_test_id("stChatInputTextArea")
                box.wait_for()
                box.fill("Summarize what happened")
                box.press("Enter")
                page.get_by_role("button", name="Open the full briefing").wait_for(timeout=180_000)
                path = args.out / "briefing-chat.png"
                page.screenshot(path=str(path))
                print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KiB")
    screens = height / SCREEN
    print(f"Briefing view: {height} px tall at {WIDTH} px wide ({screens:.2f} screens)")
    print(f"charts shown: {charted}")
    return 0 if height <= 2 * SCREEN and charted else 1


if __name__ == "__main__":
    raise SystemExit(main())
