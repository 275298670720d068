"""`briefing list` and `status` for scripts (full ids, --format json), and `briefing ui`
stopping its Streamlit server on a signal (a real process)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from tests.conftest import SAMPLES

runner = CliRunner()


def test_list_and_status_as_json_give_full_ids_that_remove_accepts() -> None:
    assert runner.invoke(app, ["index", str(SAMPLES)]).exit_code == 0
    listed = runner.invoke(app, ["list", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    articles = json.loads(listed.stdout)
    assert len(articles) == len(list(SAMPLES.glob("2*.md")))
    assert {"id", "title", "source", "url", "published_at", "paragraphs"} <= set(articles[0])
    status = json.loads(runner.invoke(app, ["status", "-f", "json"]).stdout)
    assert status["articles"] == len(articles)
    assert status["paragraphs"] == sum(a["paragraphs"] for a in articles)
    # A narrow terminal wraps titles, never ids: each id is whole on one line.
    table = runner.invoke(app, ["list"], env={"COLUMNS": "80"}).stdout
    for article in articles:
        assert article["id"] in table, article["id"]
    removed = runner.invoke(app, ["remove", articles[0]["id"]])
    assert removed.exit_code == 0, removed.output
    assert json.loads(runner.invoke(app, ["status", "-f", "json"]).stdout)["articles"] == (
        len(articles) - 1
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
            return r.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@pytest.mark.integration
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_ui_stops_its_server_on_a_signal_within_5_s(tmp_path: Path, signum: int) -> None:
    port = _free_port()
    env = dict(os.environ, BRIEFING_DATA_DIR=str(tmp_path / "data"))
    cmd = [sys.executable, "-m", "assistant.cli", "ui", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while not _healthy(port):
            assert proc.poll() is None, "briefing ui exited before serving"
            assert time.monotonic() < deadline, "streamlit never answered"
            time.sleep(0.2)  # polling interval, not an assertion
        proc.send_signal(signum)
        start = time.monotonic()
        proc.wait(timeout=10)
        # The CLI is gone and so is the server it started: the port no longer answers.
        while _healthy(port) and time.monotonic() - start < 10:
            time.sleep(0.1)
        assert time.monotonic() - start < 5
        assert not _healthy(port)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize(("max_bytes", "mb"), [(20 * 1024 * 1024, "20"), (512 * 1024, "1")])
def test_the_ui_server_enforces_the_upload_limit_of_the_settings(max_bytes: int, mb: str) -> None:
    from assistant.cli import ui_command

    cmd = ui_command(8501, max_bytes)
    assert cmd[cmd.index("--server.maxUploadSize") + 1] == mb
