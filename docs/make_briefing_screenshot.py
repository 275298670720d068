"""The screenshot of the chat's Briefing view for the README, from a real run: samples/
indexed with the packaged model, `streamlit run` on 127.0.0.1, Debian's chromium via
playwright (as docs/make_screenshots.py does for the chat).

    .venv/bin/python docs/make_briefing_screenshot.py   # writes docs/screenshots/briefing.png
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.harness import browser_page, index, offline_env, streamlit_server  # noqa: E402

TOPIC = "North Korean troops in Russia"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="briefing-shot-") as tmp:
        work = Path(tmp)
        env = offline_env(work / "data")  # the packaged model, as `make run` uses
        index([ROOT / "samples"], env, cwd=work)
        with (
            streamlit_server(env, cwd=work, log_path=work / "streamlit.log") as url,
            browser_page(viewport=(1400, 1300)) as page,
        ):
            page.goto(url)
            page.get_by_test_id("stChatInputTextArea").wait_for()
            # the sidebar's View switch (a segmented control: its options are not buttons)
            page.get_by_test_id("stSidebar").get_by_text("Briefing", exact=True).click()
            page.get_by_label("Topic").fill(TOPIC)
            page.get_by_role("button", name="Build the briefing").click()
            page.get_by_role("button", name="PDF").wait_for(timeout=180_000)
            page.get_by_text("Conflicts", exact=True).wait_for()
            path = args.out / "briefing.png"
            page.screenshot(path=str(path))
            print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
