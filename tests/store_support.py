"""Helpers of the server, concurrency and fault tests: a real Chroma server on loopback, a
corpus whose articles each answer one question, and the store ⇔ manifest consistency check."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import ROOT

BIN = Path(sys.executable).parent
BRIEFING = str(BIN / "briefing")
CHROMA = str(BIN / "chroma")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ChromaServer:
    """``chroma run`` on 127.0.0.1; stop() is safe to call any number of times."""

    def __init__(self, path: Path, port: int | None = None) -> None:
        self.path = path
        self.port = port or free_port()
        self.log = path.parent / f"chroma-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        return [
            CHROMA,
            "run",
            "--path",
            str(self.path),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]

    def environment(self) -> dict[str, str]:
        return dict(os.environ, ANONYMIZED_TELEMETRY="False")

    def start(self, timeout: float = 60) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, env=self.environment()
            )
        deadline = time.monotonic() + timeout
        while not self.alive():
            if self.proc.poll() is not None:
                raise RuntimeError(f"chroma exited {self.proc.returncode}: {self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"chroma not ready after {timeout}s: {self.log_tail()}")
            time.sleep(0.1)

    def alive(self) -> bool:
        try:
            r = httpx.get(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", timeout=1)
            return r.status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGCONT)  # a frozen server cannot act on SIGTERM
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)

    def freeze(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)

    def log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return self.log.read_text(errors="replace")[-2000:]
        return ""

    def env(self, collection: str) -> dict[str, str]:
        return {
            "BRIEFING_CHROMA_HOST": "127.0.0.1",
            "BRIEFING_CHROMA_PORT": str(self.port),
            "BRIEFING_COLLECTION": collection,
        }


def start_server(request: Any, path: Path) -> ChromaServer:
    """A started server stopped by a finalizer registered before it starts: it is stopped
    whatever happens, a failed start included."""
    server = ChromaServer(path)
    request.addfinalizer(server.stop)
    server.start()
    return server


def collection_name() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


# -- a corpus of findable articles -------------------------------------------------------
def code(i: int) -> str:
    """A word that only article ``i`` holds (letters only: digits would be split off)."""
    letters = "bcdfghjklmnpqrstvwxz"
    word = ""
    n = i + 400
    while n:
        n, r = divmod(n, len(letters))
        word += letters[r]
    return f"zor{word}ik"


_SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "su",
    "ta",
    "ri",
    "po",
    "ve",
    "da",
    "gu",
    "fe",
    "hi",
    "jo",
    "wu",
    "ze",
]


def _words(seed: str, n: int) -> str:
    """``n`` made-up words, the same for the same seed: paragraphs differ in vocabulary, so
    even the hashed test embedding spreads them apart."""
    rng = random.Random(seed)
    return " ".join(
        "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))) for _ in range(n)
    )


def article_text(i: int, paragraphs: int = 4, version: int = 1) -> str:
    c = code(i)
    paras = [
        f"Harbour inspector {c.title()} confirmed that the {c} pier reopened after the storm. "
        f"The repairs covered {_words(f'{i}:0:{version}', 10)}.",
        *(
            f"The {c} report, part {j}, lists {_words(f'{i}:{j}:{version}', 24)}."
            for j in range(1, paragraphs)
        ),
    ]
    front = f"---\ntitle: The {c} pier report\nsource: Test Wire\npublished_at: 2024-05-01\n---\n"
    return front + "\n" + "\n\n".join(paras) + "\n"


def question(i: int) -> str:
    return f"Did inspector {code(i).title()} confirm the {code(i)} pier reopened after the storm?"


def write_articles(folder: Path, ids: range, paragraphs: int = 4, version: int = 1) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in ids:
        (folder / f"a{i:05d}.md").write_text(article_text(i, paragraphs, version), encoding="utf-8")


def article_of(code_word: str) -> int:
    """The article number whose code word is ``code_word``."""
    letters = "bcdfghjklmnpqrstvwxz"
    core = code_word.removeprefix("zor").removesuffix("ik").lower()
    n = 0
    for ch in reversed(core):
        n = n * len(letters) + letters.index(ch)
    return n - 400


# -- subprocesses --------------------------------------------------------------------------
def cli_env(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}
    env.update(
        BRIEFING_DATA_DIR=str(data),
        BRIEFING_EMBEDDING_MODEL="fake",
        # The fake embedding scores lower than the real model: keep answers coming.
        BRIEFING_MIN_SUPPORT="0.05",
        BRIEFING_MIN_COVERAGE="0.2",
        HF_HUB_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
        COLUMNS="200",
    )
    env.update(extra)
    return env


def start_briefing(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    """`briefing ARGS` running in the background, its output discarded (to be killed)."""
    return subprocess.Popen(
        [BRIEFING, *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def briefing(
    args: list[str], env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BRIEFING, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def index_counts(table: str) -> dict[str, int]:
    """The counts of the table `briefing index` prints."""
    rows = [
        [cell.strip() for cell in line.strip().strip("┃│").split("┃" if "┃" in line else "│")]
        for line in table.splitlines()
        if line.count("┃") > 2 or line.count("│") > 2
    ]
    return dict(zip(rows[0], map(int, rows[1]), strict=True))


def ask_json(q: str, env: dict[str, str]) -> dict[str, Any]:
    done = briefing(["ask", q, "--format", "json"], env, timeout=120)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


# -- consistency -----------------------------------------------------------------------------
def check_consistent(assistant: Any) -> dict[str, int]:
    """The manifest and the Chroma collection agree: every article is ``done`` and has
    exactly its paragraphs, in its content hash; no paragraph belongs to anything else.
    Returns article id → paragraphs."""
    assistant.manifest.version()  # a team manifest reloads
    entries = {e.id: e for e in assistant.manifest.entries()}
    got = assistant.store._collection.get(include=["metadatas"])
    per_article: dict[str, int] = {}
    strays = sorted(
        {f"{m['article_id']} ({m.get('title')})" for m in got["metadatas"]}
        - {f"{e.id} ({e.title})" for e in entries.values()}
    )
    assert not strays, f"paragraphs of articles not in the manifest: {strays[:5]}"
    for pid, meta in zip(got["ids"], got["metadatas"], strict=True):
        article = meta["article_id"]
        assert pid.startswith(f"{article}:"), pid
        assert meta["content_hash"] == entries[article].content_hash, pid
        per_article[article] = per_article.get(article, 0) + 1
    assert all(e.state == "done" for e in entries.values()), [
        e.id for e in entries.values() if e.state != "done"
    ]
    assert per_article == {i: e.paragraphs for i, e in entries.items()}
    return per_article
