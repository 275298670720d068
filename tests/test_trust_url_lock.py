"""A slow URL never holds the index's writer lock (#26, case 14): pages are fetched before
the run takes the lock, so another process can index, repair or remove meanwhile."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

PAGE = (
    b"<html><head><title>Ferries resume</title></head><body><article>"
    b"<h1>Ferries resume</h1><p>Ferries resumed on Monday after the storm, the harbour "
    b"master said.</p><p>Crews returned to the pier in the morning.</p></article></body></html>"
)
# Whether another process can take the writer lock now (exit 0) or not (exit 1).
TRY_LOCK = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except BlockingIOError:
    sys.exit(1)
"""


class _SlowPage:
    """A page on 127.0.0.1 whose server sends its headers and first bytes, then holds the
    rest until ``release`` is set (a slow drip, for as long as the test needs)."""

    def __init__(self) -> None:
        self.requested = threading.Event()
        self.release = threading.Event()
        page = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(PAGE)))
                self.end_headers()
                self.wfile.write(PAGE[:20])
                self.wfile.flush()
                page.requested.set()
                page.release.wait(60)
                self.wfile.write(PAGE[20:])

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ferries.html"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def slow_page() -> Iterator[_SlowPage]:
    page = _SlowPage()
    page.thread.start()
    try:
        yield page
    finally:
        page.release.set()
        page.server.shutdown()
        page.server.server_close()


def _lock_is_free(lock: Path) -> bool:
    done = subprocess.run([sys.executable, "-c", TRY_LOCK, str(lock)], timeout=60)
    return done.returncode == 0


def test_url_is_fetched_before_the_writer_lock_is_taken(
    assistant, settings, slow_page: _SlowPage
) -> None:  # type: ignore[no-untyped-def]
    lock = settings.data_dir / "index.lock"
    reports = []
    run = threading.Thread(
        target=lambda: reports.append(assistant.indexer().index([slow_page.url]))
    )
    run.start()
    try:
        assert slow_page.requested.wait(60), "the page was never requested"
        free = _lock_is_free(lock)  # while the page is still coming
    finally:
        slow_page.release.set()
        run.join(120)
    assert free, "the writer lock was held while the page was fetched"
    [report] = reports
    assert report.new == 1 and not report.failed
    assert [e.title for e in assistant.manifest.entries()] == ["Ferries resume"]
