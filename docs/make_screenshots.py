"""Screenshots of the chat for the README and docs/chat.md, from a real run: samples/ indexed
with the packaged model, `streamlit run` on 127.0.0.1, Debian's chromium via playwright, each
state at a desktop's 1400×1000 and a phone's 390×844 (what the window shows when the page
opens, not the whole page):

- ``landing-*.png``: the landing page (what the tool does, example questions, the corpus);
- ``answer-*.png``: an example question asked, one source of its list opened;
- ``empty-*.png``: a data dir with nothing indexed (how to add articles).

    .venv/bin/python docs/make_screenshots.py    # docs/screenshots/*.png (`make screenshots`)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.harness import (  # noqa: E402
    browser_page,
    index,
    offline_env,
    streamlit_server,
)

SIZES = {"desktop": (1400, 1000), "phone": (390, 844)}
# Written by earlier versions of this script; no page shows them any more.
STALE = (
    "answer-citation.png",
    "marker-panel.png",
    "reload.png",
    "refusal-related.png",
    "sidebar.png",
    "empty-filter.png",
    "landing.png",
)


def wait_ready(page: Any) -> None:
    """Until the page has finished its run (Streamlit's status widget gone)."""
    page.get_by_test_id("stChatInput").wait_for(timeout=300_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=300_000
    )


def landing(page: Any, url: str, out: Path) -> None:
    page.goto(url)
    page.locator(".st-key-example-0 button").wait_for(timeout=300_000)
    page.get_by_test_id("stVegaLiteChart").first.wait_for()
    wait_ready(page)
    page.wait_for_timeout(1500)  # the page settles at its top (ui/widgets.py AT_TOP_SCRIPT)
    page.screenshot(path=str(out))


def answer(page: Any, url: str, out: Path) -> None:
    """The first example question asked; source [1] of its list opened, in view."""
    page.goto(url)
    page.locator(".st-key-example-0 button").click(timeout=300_000)
    reply = page.get_by_test_id("stChatMessage").nth(1)
    source = reply.locator('details.briefing-source[data-source="1"]')
    source.wait_for(timeout=300_000)
    wait_ready(page)
    source.locator("summary").click()
    source.locator("mark.briefing-quote").wait_for()
    # the answer's top and the opened source in one view, as an analyst scrolls to it
    reply.scroll_into_view_if_needed()
    source.locator("mark.briefing-quote").scroll_into_view_if_needed()
    page.screenshot(path=str(out))


def empty(page: Any, url: str, out: Path) -> None:
    page.goto(url)
    page.get_by_text("No articles are indexed yet").wait_for(timeout=300_000)
    wait_ready(page)
    page.screenshot(path=str(out))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name in STALE:
        (args.out / name).unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="briefing-shots-") as tmp:
        work = Path(tmp)
        env = offline_env(work / "data")  # the packaged model, as `make run` uses
        index([ROOT / "samples"], env, cwd=work)
        with streamlit_server(env, cwd=work, log_path=work / "streamlit.log") as url:
            for size, viewport in SIZES.items():
                with browser_page(viewport=viewport) as page:
                    landing(page, url, args.out / f"landing-{size}.png")
                    answer(page, url, args.out / f"answer-{size}.png")
        nothing = offline_env(work / "empty-data")
        with streamlit_server(nothing, cwd=work, log_path=work / "empty.log") as url:
            for size, viewport in SIZES.items():
                with browser_page(viewport=viewport) as page:
                    empty(page, url, args.out / f"empty-{size}.png")
    for shot in sorted(args.out.glob("*.png")):
        print(f"{shot.relative_to(ROOT)}  {shot.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
