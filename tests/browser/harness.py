"""Start the chat with `streamlit run` on 127.0.0.1 and drive Debian's chromium through
playwright. Shared by the browser tests and docs/make_screenshots.py."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "ui" / "app.py"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def offline_env(data_dir: Path, embedding_model: str | None = None) -> dict[str, str]:
    """The environment of an offline run on ``data_dir`` (the default model unless given)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
        STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
        BRIEFING_DATA_DIR=str(data_dir),
    )
    if embedding_model:
        env["BRIEFING_EMBEDDING_MODEL"] = embedding_model
    return env


def index(paths: Sequence[Path], env: dict[str, str], cwd: Path) -> None:
    """`briefing index PATHS` in its own process (the server then opens the store alone)."""
    cmd = [sys.executable, "-m", "assistant.cli", "index", *map(str, paths)]
    result = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"indexing failed: {result.stdout}\n{result.stderr}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def streamlit_server(
    env: dict[str, str], cwd: Path, log_path: Path, timeout: float = 90, port: int | None = None
) -> Iterator[str]:
    """`streamlit run ui/app.py` on ``port`` (a free one by default); yields its URL once
    /_stcore/health answers, and stops it (SIGTERM, then SIGKILL) afterwards."""
    port = port or free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.headless", "true", "--server.address", "127.0.0.1",
        "--server.port", str(port), "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal",
    ]  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_healthy(proc, f"{url}/_stcore/health", timeout, log_path)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=20)


def _wait_healthy(proc: subprocess.Popen[bytes], health: str, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited ({proc.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(health, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)  # polling interval, not an assertion
    raise RuntimeError(f"streamlit not healthy after {timeout}s:\n{log.read_text()}")


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def browser_page(viewport: tuple[int, int] = (1400, 1000)) -> Iterator[Any]:
    """A playwright page in Debian's chromium (never a playwright-downloaded browser)."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise RuntimeError("chromium is not installed: make browser-deps")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
            page = context.new_page()
            page.set_default_timeout(60_000)
            yield page
        finally:
            browser.close()


def ask(page: Any, question: str) -> None:
    """Type a question into the chat box and send it."""
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(question)
    box.press("Enter")
