"""http(s) URLs: fetched with urllib (size-limited, one deadline for the whole fetch,
redirects checked), then read like a file of the type its bytes turn out to be."""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import re
import socket
import threading
import urllib.error
import urllib.request
from email.message import Message
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from ingest.errors import IngestError
from ingest.loaders.raw import RawSource, check_size

TIMEOUT_SECONDS = 30.0
USER_AGENT = "briefing/0.1 (+offline news briefing assistant)"
# Content type → the file kind whose loader reads it; pages are HTML unless they say otherwise.
_KINDS = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/json": ".json",
    "application/x-ndjson": ".jsonl",
    "application/jsonl": ".jsonl",
    "text/plain": ".txt",
    "text/markdown": ".md",
}
# What the first bytes of a binary format must be (a PDF may have a little junk first).
_MAGIC = {".pdf": (b"%PDF-", 1024), ".docx": (b"PK\x03\x04", 4)}
_HTML_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<(?:!doctype\s+html|html|head|body|!--)", re.I)


def _suffix_kind(url: str) -> str:
    """For a vague content type (octet-stream): the URL's file suffix, else HTML."""
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    return suffix if suffix in _KINDS.values() or suffix == ".htm" else ".html"


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def is_private(address: str) -> bool:
    """Loopback, private, link-local and other addresses not on the public internet."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global


def may_connect(origin: tuple[str, int, str] | None, target: tuple[str, int, str]) -> bool:
    """Whether a fetch that started at ``origin`` (host, port, address of its first
    connection) may connect to ``target`` after a redirect: public addresses always; a
    private or loopback one only where the fetch started there, on the same host and port
    (no redirect into a Chroma server or admin port beside it)."""
    if origin is None or not is_private(target[2]):
        return True
    return is_private(origin[2]) and (origin[0], origin[1]) == (target[0], target[1])


class _Fetch:
    """One fetch's deadline and connections: a timer shuts the sockets when time is up, so
    a server trickling a byte a second cannot hold the run (a per-read timeout would)."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        self.origin: tuple[str, int, str] | None = None
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(timeout, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Fetch:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                with contextlib.suppress(OSError):  # closed already
                    sock.shutdown(socket.SHUT_RDWR)

    def connected(self, conn: http.client.HTTPConnection) -> None:
        sock = conn.sock
        assert sock is not None
        target = (conn.host, conn.port, sock.getpeername()[0])
        if not may_connect(self.origin, target):
            sock.close()
            raise IngestError(
                self.url,
                f"redirected to {conn.host}:{conn.port} ({target[2]}), a private or loopback "
                "address; refused",
            )
        if self.origin is None:
            self.origin = target
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                sock.shutdown(socket.SHUT_RDWR)

    def connection(self, base: type[http.client.HTTPConnection]) -> Any:
        fetch = self

        class Guarded(base):  # type: ignore[valid-type, misc]
            def connect(self) -> None:
                super().connect()
                fetch.connected(self)

        return Guarded

    def opener(self) -> urllib.request.OpenerDirector:
        fetch = self

        class Http(urllib.request.HTTPHandler):
            def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
                return self.do_open(fetch.connection(http.client.HTTPConnection), req)

        class Https(urllib.request.HTTPSHandler):
            def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
                conn = fetch.connection(http.client.HTTPSConnection)
                return self.do_open(conn, req, context=self._context)  # type: ignore[attr-defined]

        class Redirects(urllib.request.HTTPRedirectHandler):
            def redirect_request(  # type: ignore[override]
                self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
            ) -> urllib.request.Request | None:
                if urlsplit(newurl).scheme.lower() not in ("http", "https"):
                    raise IngestError(
                        fetch.url, f"redirected to {newurl!r}, not an http(s) URL; refused"
                    )
                return super().redirect_request(req, fp, code, msg, headers, newurl)

        return urllib.request.build_opener(Http, Https, Redirects)


def fetch_url(url: str, max_bytes: int, timeout: float = TIMEOUT_SECONDS) -> RawSource:
    """The response body of ``url`` within ``timeout`` seconds in all; an error naming the
    URL when it cannot be had."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    with _Fetch(url, timeout) as fetch:
        try:
            with fetch.opener().open(request, timeout=timeout) as response:
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit():
                    check_size(url, int(declared), max_bytes, "response")
                data = response.read(max_bytes + 1)
                final_url = response.geturl()
                headers: Message = response.headers
        except urllib.error.HTTPError as exc:
            raise IngestError(url, f"HTTP {exc.code} {exc.reason}") from exc
        except (
            urllib.error.URLError,
            TimeoutError,
            OSError,
            ValueError,
            http.client.HTTPException,
        ) as exc:
            if fetch.expired:
                raise _too_slow(url, timeout) from exc
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            raise IngestError(url, f"cannot fetch: {reason}") from exc
        if fetch.expired:  # cut short: what arrived is not the page
            raise _too_slow(url, timeout)
    check_size(url, len(data), max_bytes, "response")
    content_type = headers.get_content_type()
    kind = _KINDS.get(content_type) or _suffix_kind(final_url)
    return RawSource(
        location=url,
        kind=_sniffed(url, kind, content_type, data),
        data=data,
        url=final_url,
        charset=headers.get_content_charset(),
    )


def _too_slow(url: str, timeout: float) -> IngestError:
    return IngestError(url, f"cannot fetch: timed out (not complete within {timeout:g} s)")


def _sniffed(url: str, kind: str, content_type: str, data: bytes) -> str:
    """The kind the bytes are: a page served as a PDF or Word file that is HTML is read as
    HTML; anything else without the format's signature is an error saying so."""
    magic = _MAGIC.get(kind)
    if magic is None or magic[0] in data[: magic[1]]:
        return kind
    if _HTML_START.match(data[:1024]):
        return ".html"
    raise IngestError(url, f"served as {content_type} but is not a {kind[1:].upper()} file")
