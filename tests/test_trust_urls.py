"""Fetching URLs (#16, case 8): one deadline for the whole fetch, not per read; redirects
only to http(s), and never into a private or loopback address the fetch did not start at;
a page's bytes decide how it is read (HTML served as a PDF is HTML). Against a small
http.server on loopback, started here."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from ingest.errors import IngestError
from ingest.loaders import parse_source
from ingest.loaders.url import fetch_url, may_connect

PAGE = (
    b"<!DOCTYPE html><html><head><title>Ferry strike ends</title></head><body><article>"
    b"<h1>Ferry strike ends</h1><p>The ferry crews voted on Tuesday to end their strike after "
    b"nine days, and the first crossings left the harbour that evening.</p></article>"
    b"</body></html>"
)


class _Handler(http.server.BaseHTTPRequestHandler):
    other_port = 0

    def log_message(self, *args: Any) -> None: ...

    def _send(self, code: int, headers: dict[str, str], body: bytes = b"") -> None:
        self.send_response(code)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path
        if path == "/page":
            self._send(200, {"Content-Type": "text/html", "Content-Length": str(len(PAGE))}, PAGE)
        elif path == "/html-as-pdf":
            self._send(200, {"Content-Type": "application/pdf"}, PAGE)
        elif path == "/text-as-pdf":
            self._send(200, {"Content-Type": "application/pdf"}, b"plain words, no PDF")
        elif path == "/trickle":  # a byte a tenth of a second, for ever
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                return
        elif path == "/trickle-headers":  # the headers themselves a byte at a time
            try:
                for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10_000:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                return
        elif path.startswith("/redirect-to/"):
            target = path[len("/redirect-to/") :].replace("PORT", str(self.other_port))
            self._send(302, {"Location": target, "Content-Length": "0"})
        else:
            self._send(404, {"Content-Length": "0"})


@pytest.fixture
def servers() -> Iterator[tuple[str, str]]:
    """Two servers on loopback (the second stands for a Chroma server on another port)."""
    started = []
    for _ in range(2):
        handler = type("Handler", (_Handler,), {})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
    first, second = started
    first.RequestHandlerClass.other_port = second.server_address[1]  # type: ignore[attr-defined]
    try:
        yield tuple(f"http://127.0.0.1:{s.server_address[1]}" for s in started)  # type: ignore[misc]
    finally:
        for server in started:
            server.shutdown()
            server.server_close()


@pytest.mark.parametrize("path", ["/trickle", "/trickle-headers"])
def test_the_timeout_is_for_the_whole_fetch(servers: tuple[str, str], path: str) -> None:
    url = servers[0] + path
    start = time.monotonic()
    with pytest.raises(IngestError) as caught:
        fetch_url(url, 10_000_000, timeout=1.0)
    assert time.monotonic() - start < 5  # each read gets a byte in time: only a deadline ends it
    assert caught.value.location == url
    assert "timed out" in caught.value.reason


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("ftp://127.0.0.1/story.html", "not an http(s) URL"),
        ("file:///etc/passwd", "is not allowed"),  # urllib refuses this one itself
        ("http://127.0.0.1:PORT/page", "a private or loopback address"),
        ("http://localhost:PORT/page", "a private or loopback address"),
    ],
)
def test_redirects_are_refused(servers: tuple[str, str], target: str, reason: str) -> None:
    url = f"{servers[0]}/redirect-to/{target}"
    with pytest.raises(IngestError) as caught:
        fetch_url(url, 10_000_000, timeout=10)
    assert caught.value.location == url
    assert reason in caught.value.reason


def test_a_redirect_on_the_same_server_is_followed(servers: tuple[str, str]) -> None:
    raw = fetch_url(f"{servers[0]}/redirect-to//page", 10_000_000, timeout=10)
    assert raw.url == f"{servers[0]}/page" and raw.kind == ".html"


ADDRESSES = [
    # (origin (host, port, address) of the fetch, target after a redirect, allowed)
    (("news.example", 443, "93.184.216.34"), ("cdn.example", 443, "151.101.1.1"), True),
    (("news.example", 443, "93.184.216.34"), ("internal", 80, "10.0.0.5"), False),
    (("news.example", 443, "93.184.216.34"), ("127.0.0.1", 8000, "127.0.0.1"), False),
    (("news.example", 443, "93.184.216.34"), ("x", 80, "169.254.169.254"), False),
    (("news.example", 443, "93.184.216.34"), ("x", 80, "::ffff:127.0.0.1"), False),
    (("intranet", 80, "10.0.0.7"), ("intranet", 80, "10.0.0.7"), True),
    (("intranet", 80, "10.0.0.7"), ("intranet", 8000, "10.0.0.7"), False),
    (("127.0.0.1", 8501, "127.0.0.1"), ("127.0.0.1", 8000, "127.0.0.1"), False),
    (None, ("127.0.0.1", 8000, "127.0.0.1"), True),  # the URL given is the analyst's choice
]


@pytest.mark.parametrize(("origin", "target", "allowed"), ADDRESSES)
def test_which_addresses_a_redirect_may_reach(origin, target, allowed: bool) -> None:  # type: ignore[no-untyped-def]
    assert may_connect(origin, target) is allowed


def test_html_served_as_pdf_is_read_as_html(servers: tuple[str, str]) -> None:
    raw = fetch_url(f"{servers[0]}/html-as-pdf", 10_000_000, timeout=10)
    assert raw.kind == ".html"
    [article] = list(parse_source(raw))
    assert article.title == "Ferry strike ends"
    assert "nine days" in article.body


def test_something_else_served_as_pdf_is_reported_as_such(servers: tuple[str, str]) -> None:
    url = f"{servers[0]}/text-as-pdf"
    with pytest.raises(IngestError) as caught:
        fetch_url(url, 10_000_000, timeout=10)
    assert caught.value.reason == "served as application/pdf but is not a PDF file"
