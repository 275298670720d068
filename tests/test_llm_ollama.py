"""The Ollama backend over real HTTP: langchain-ollama's client against a small fake Ollama
server on 127.0.0.1 (no Ollama model can be fetched here). Streaming, server errors and
time-outs, each turned into a checked answer or a BackendError."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from assistant.backends.registry import make_backend
from assistant.citations import citation_checks, problems
from assistant.errors import BackendError
from ingest.models import ArticleRef, Paragraph
from vectorstore.embeddings import HashingEmbeddings
from vectorstore.models import Hit, Passage

pytest.importorskip("langchain_ollama")

QUESTION = "Who confirmed that tankers were held at the port?"
HELD = "Harbour master Ola Berg confirmed on Monday that 12 tankers were held at the port."


def hit(n: int, text: str, source: str) -> Hit:
    ref = ArticleRef(f"a{n}", f"Port report {n}", source, f"h{n}", published_at="2024-10-28")
    return Hit(Passage(ref, Paragraph(f"a{n}", 0, text, 0, len(text))))


HITS = [
    hit(1, f"{HELD} He said the ban would last a week.", "Coast Post"),
    hit(2, "The shipping union claimed that 300 sailors were stranded.", "Dock Weekly"),
]


class FakeOllama(BaseHTTPRequestHandler):
    """POST /api/chat as Ollama answers it: newline-delimited JSON chunks, or an error."""

    mode = "stream"
    pieces: tuple[str, ...] = ()
    requests: list[dict[str, Any]] = []  # noqa: RUF012  (one server per test, reset below)

    def log_message(self, *args: Any) -> None:  # quiet test output
        pass

    def do_POST(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer()  # the client may give up first (the time-out test)

    def _answer(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, **body})
        if self.mode == "slow":
            time.sleep(3)
        if self.mode == "missing":
            return self._json(404, {"error": f"model '{body['model']}' not found"})
        if self.mode == "crash":
            return self._json(500, {"error": "llama runner process has terminated"})
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.end_headers()
        for piece in self.pieces:
            self._line({"message": {"role": "assistant", "content": piece}, "done": False})
            time.sleep(0.01)
        self._line({"message": {"role": "assistant", "content": ""}, "done": True})

    def _line(self, data: dict[str, Any]) -> None:
        data = {"model": "tiny", "created_at": "2024-10-28T00:00:00Z", **data}
        self.wfile.write(json.dumps(data).encode() + b"\n")
        self.wfile.flush()

    def _json(self, status: int, data: dict[str, Any]) -> None:
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def ollama() -> Iterator[tuple[str, type[FakeOllama]]]:
    handler = type("Handler", (FakeOllama,), {"requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def backend(settings, url: str, timeout: float = 5.0):  # type: ignore[no-untyped-def]
    settings = settings.model_copy(
        update={
            "backend": "ollama:tiny",
            "llm_base_url": url,
            "llm_timeout": timeout,
        }
    )
    return make_backend(settings, HashingEmbeddings())


def test_streamed_reply_is_checked_sentence_by_sentence(settings, ollama) -> None:  # type: ignore[no-untyped-def]
    url, handler = ollama
    # the sentence arrives cut into pieces, the invented one with a marker to no source
    handler.pieces = (
        "Harbour master Ola Berg confirmed on Monday that 12 tank",
        "ers were held at the port [1]. The navy sank ",
        "them [7].",
    )
    stream = backend(settings, url).stream(QUESTION, HITS)
    chunks = list(stream)
    answer = stream.answer
    assert "".join(chunks) == answer.text
    assert f"{HELD} [" in answer.text  # the model's sentence, kept and cited
    assert answer.unsupported == ("The navy sank them.",)
    assert 7 in answer.removed_markers
    assert problems(answer) == [] and all(ok for *_, ok in citation_checks(answer))
    (request,) = handler.requests
    assert request["path"] == "/api/chat" and request["model"] == "tiny"
    assert request["stream"] is True
    assert request["options"]["temperature"] == 0
    assert request["messages"][0]["role"] == "system"
    assert '<source id="1"' in request["messages"][-1]["content"]


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("missing", "model 'tiny' not found"),
        ("crash", "llama runner process has terminated"),
    ],
)
def test_server_errors_become_backend_errors(settings, ollama, mode: str, message: str) -> None:  # type: ignore[no-untyped-def]
    url, handler = ollama
    handler.mode = mode
    with pytest.raises(BackendError, match=message) as info:
        backend(settings, url).answer(QUESTION, HITS)
    assert "ollama:tiny" in str(info.value)


def test_a_server_that_does_not_answer_times_out(settings, ollama) -> None:  # type: ignore[no-untyped-def]
    url, handler = ollama
    handler.mode = "slow"
    started = time.monotonic()
    with pytest.raises(BackendError, match="ollama:tiny"):
        backend(settings, url, timeout=0.5).answer(QUESTION, HITS)
    assert time.monotonic() - started < 2.5  # gave up at the time-out, not when it answered


def test_no_server_at_all_is_a_backend_error(settings) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BackendError, match="ollama:tiny"):
        backend(settings, "http://127.0.0.1:9", timeout=1).answer(QUESTION, HITS)


def test_refused_question_never_reaches_the_server(settings, ollama) -> None:  # type: ignore[no-untyped-def]
    url, handler = ollama
    answer = backend(settings, url).answer("What is the recipe for sourdough bread?", HITS)
    assert answer.refused
    assert handler.requests == []
