"""Asking while `briefing index` runs in another process, embedded and on a Chroma server:
no errors, and no answer ever cites an article that is half written."""

from __future__ import annotations

import random
import signal
import subprocess
import threading
import time
import traceback
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.store_support import (
    BRIEFING,
    ChromaServer,
    article_of,
    ask_json,
    check_consistent,
    cli_env,
    collection_name,
    question,
    start_server,
    write_articles,
)

pytestmark = pytest.mark.skipif(not Path(BRIEFING).exists(), reason="needs the briefing script")

MODES = [
    "embedded",
    pytest.param("server", marks=pytest.mark.integration),
    pytest.param("postgres", marks=pytest.mark.integration),  # team mode at scale
]


class Index:
    """Where the tests index: a data dir, and a collection on a server in server mode."""

    def __init__(
        self, tmp_path: Path, server: ChromaServer | None, postgres_dsn: str | None = None
    ) -> None:
        self.data = tmp_path / "data"
        self.server = server
        self.collection = collection_name()
        self.postgres_dsn = postgres_dsn

    def env(self, data: Path | None = None) -> dict[str, str]:
        extra = {"BRIEFING_COLLECTION": self.collection}
        if self.server:
            extra.update(self.server.env(self.collection))
        if self.postgres_dsn:
            extra["BRIEFING_POSTGRES_DSN"] = self.postgres_dsn
        return cli_env(data or self.data, **extra)

    def assistant(self, data: Path | None = None) -> Any:
        from assistant.service import BriefingAssistant
        from assistant.settings import Settings

        server: dict[str, Any] = {}
        if self.server:
            server = {"chroma_host": "127.0.0.1", "chroma_port": self.server.port}
        if self.postgres_dsn:
            server["postgres_dsn"] = self.postgres_dsn
        return BriefingAssistant(
            Settings(
                data_dir=data or self.data,
                embedding_model="fake",
                collection=self.collection,
                **server,
            )
        )


@pytest.fixture(params=MODES)
def where(request: pytest.FixtureRequest, tmp_path: Path) -> Index:
    server, dsn = None, None
    if request.param in ("server", "postgres"):
        server = start_server(request, tmp_path / "chroma-server")
    if request.param == "postgres":
        dsn = request.getfixturevalue("pg_server").database()
    return Index(tmp_path, server, dsn)


def start_indexer(where: Index, corpus: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [BRIEFING, "index", str(corpus)],
        env=where.env(),
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def finish(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGCONT)
    _out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err


def cited(answer: Any) -> set[tuple[str, str]]:
    return {(c.passage.article.id, c.passage.article.content_hash) for c in answer.citations}


def test_asking_while_another_process_indexes(where: Index, tmp_path: Path) -> None:
    """Threads of a long-lived assistant (the UI) and `briefing ask` processes ask while
    `briefing index` adds and replaces articles: every answer arrives, every citation is of
    a complete version of its article, and afterwards the index is consistent and whole."""
    corpus = tmp_path / "corpus"
    write_articles(corpus, range(40))
    reader = where.assistant()
    assert reader.indexer().index([corpus]).new == 40
    complete = {(e.id, e.content_hash) for e in reader.manifest.entries()}
    write_articles(corpus, range(20), version=2)  # replaced: new text, new article id
    write_articles(corpus, range(40, 240))
    indexer = start_indexer(where, corpus)

    answers: list[Any] = []
    errors: list[BaseException] = []

    def ask_in_process(seed: int) -> None:
        rng = random.Random(seed)
        while indexer.poll() is None:
            try:
                answers.append(reader.ask(question(rng.randrange(240))))
            except BaseException as exc:
                errors.append(exc)

    cli_answers: list[dict[str, Any]] = []

    def ask_cli() -> None:
        rng = random.Random(3)
        while indexer.poll() is None:
            try:
                cli_answers.append(ask_json(question(rng.randrange(240)), where.env()))
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=ask_in_process, args=(s,)) for s in (1, 2)]
    threads.append(threading.Thread(target=ask_cli))
    for t in threads:
        t.start()
    try:
        finish(indexer)
    finally:
        for t in threads:
            t.join(120)
    assert not errors, "".join(traceback.format_exception(errors[0]))
    assert answers and cli_answers  # they really ran while the indexer did

    # every citation names a version of its article that was complete at some point
    check_consistent(where.assistant())  # what is on disk / on the server
    complete |= {(e.id, e.content_hash) for e in reader.manifest.entries()}
    for answer in answers:
        assert cited(answer) <= complete
    for data in cli_answers:
        assert {(c["article_id"], c["content_hash"]) for c in data["citations"]} <= complete

    # and the whole index is usable: each article's own paragraph is retrieved first (vector
    # and words), and its question is answered from the index (which of the near-identical
    # made-up inspectors the reader quotes first is the model's call, not the index's)
    for i in (0, 5, 39, 40, 239):
        found = reader.retriever.retrieve(question(i), k=5)
        assert article_of(found[0].passage.article.title.split()[1]) == i
        answer = reader.ask(question(i))
        assert answer.citations and not answer.refused


def test_half_written_articles_are_never_cited(where: Index, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_articles(corpus, range(10))
    early = where.assistant()  # long-lived, opened before the run (the UI)
    early.indexer().index([corpus])
    write_articles(corpus, range(10, 150), paragraphs=8)
    indexer = start_indexer(where, corpus)
    try:
        half = _frozen_half_written(where, indexer)
        assert half, "the run ended before a half-written batch was caught"
        fresh = where.assistant()  # opened while the indexer is frozen mid-batch
        numbers = {}
        for entry in fresh.manifest.entries():
            if entry.id in half:
                numbers[entry.id] = article_of(entry.title.split()[1])
        assert len(numbers) == len(half)
        probes = list(numbers.items())[:3]
        for article_id, i in probes:
            # the half-written article IS in the store and a vector search finds it (BM25
            # holds only done articles) …
            raw = fresh.store.search(question(i), k=20)
            assert article_id in {h.passage.article.id for h in raw}
            # … but no answer cites it, nor any other article still pending
            for assistant in (fresh, early):
                answer = assistant.ask(question(i))
                assert not {a for a, _ in cited(answer)} & set(half), answer.text
        cli = ask_json(question(probes[0][1]), where.env())  # a new process, same rule
        assert not {c["article_id"] for c in cli["citations"]} & set(half)
        fresh.close()
    finally:
        finish(indexer)
    # once the run is done those articles are answered, by the long-lived assistant too
    for article_id, i in probes:
        answer = early.ask(question(i))
        assert article_id in {c.passage.article.id for c in answer.citations}, answer.text
    check_consistent(early)


def _frozen_half_written(where: Index, indexer: subprocess.Popen[str]) -> list[str]:
    """SIGSTOP the indexer at a moment when a batch is half written: articles ``pending`` in
    the manifest whose paragraphs are already in Chroma, and (embedded) the store lock free.
    Returns those articles' ids; [] if the run ended first."""
    from vectorstore.locks import FileLock

    lock = FileLock.at(where.data / "chroma.lock")
    deadline = time.monotonic() + 240
    while indexer.poll() is None and time.monotonic() < deadline:
        indexer.send_signal(signal.SIGCONT)
        time.sleep(0.005)
        indexer.send_signal(signal.SIGSTOP)
        if where.server is None:
            if not (where.data / "manifest.sqlite3").exists() or _manifest_locked(where):
                continue
            if not lock.acquire(0):  # frozen inside a write: let it finish that first
                continue
            lock.release()
        pending = _pending_ids(where)
        if not pending:
            continue
        written = _articles_in_store(where, pending)
        if written:
            return sorted(written)
    return []


def _manifest_locked(where: Index) -> bool:
    """Whether the frozen indexer holds the manifest's write lock (mid-transaction)."""
    import sqlite3

    db = sqlite3.connect(where.data / "manifest.sqlite3", timeout=0, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        db.close()


def _pending_ids(where: Index) -> list[str]:
    if where.server is None:
        import sqlite3

        db = sqlite3.connect(f"file:{where.data / 'manifest.sqlite3'}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT id FROM articles WHERE state = 'pending'").fetchall()
        except sqlite3.OperationalError:
            return []
        finally:
            db.close()
        return [r[0] for r in rows]
    if where.postgres_dsn:
        import psycopg

        with psycopg.connect(where.postgres_dsn, autocommit=True) as db:
            db.execute(f'SET search_path TO "{where.collection}"')
            try:
                found = db.execute("SELECT id FROM articles WHERE state = 'pending'").fetchall()
            except psycopg.errors.UndefinedTable:
                return []
        return [r[0] for r in found]
    manifest = _server_collection(where, f"{where.collection}-manifest")
    if manifest is None:
        return []
    got = manifest.get(
        where={"$and": [{"tbl": "articles"}, {"state": "pending"}]}, include=["metadatas"]
    )
    return [m["id"] for m in got["metadatas"]]


def _articles_in_store(where: Index, article_ids: list[str]) -> set[str]:
    """Which of these articles have paragraphs in Chroma. Embedded: read through SQLite
    (the metadata of Chroma's store), so that the probe never opens and rewrites its files."""
    if where.server is None:
        import sqlite3

        path = where.data / "chroma" / "chroma.sqlite3"
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            marks = ",".join("?" * len(article_ids))
            rows = db.execute(
                "SELECT DISTINCT m.string_value FROM embedding_metadata m"
                " JOIN embeddings e ON e.id = m.id JOIN segments s ON s.id = e.segment_id"
                " JOIN collections c ON c.id = s.collection"
                f" WHERE c.name = ? AND m.key = 'article_id' AND m.string_value IN ({marks})",
                [where.collection, *article_ids],
            ).fetchall()
        finally:
            db.close()
        return {r[0] for r in rows}
    paragraphs = _server_collection(where, where.collection)
    if paragraphs is None:
        return set()
    got = paragraphs.get(where={"article_id": {"$in": article_ids}}, include=["metadatas"])
    return {m["article_id"] for m in got["metadatas"]}


def _server_collection(where: Index, name: str) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    assert where.server is not None
    client = chromadb.HttpClient(
        host="127.0.0.1",
        port=where.server.port,
        settings=ChromaSettings(anonymized_telemetry=False),
    )
    try:
        return client.get_collection(name, embedding_function=None)
    except Exception:  # not created yet
        return None


def test_long_lived_assistant_sees_what_another_process_indexed(tmp_path: Path) -> None:
    """Embedded Chroma keeps each process's vector index in memory; the assistant reopens
    the store when the manifest shows another process wrote, so new articles are found by
    their vectors too, not only by BM25."""
    where = Index(tmp_path, None)
    corpus = tmp_path / "corpus"
    write_articles(corpus, range(5))
    ui = where.assistant()
    ui.indexer().index([corpus])
    before = {e.id for e in ui.manifest.entries()}
    write_articles(corpus, range(5, 60))
    finish(start_indexer(where, corpus))
    stale = {h.article.id for i in range(5, 60) for h in ui.store.search(question(i), k=3)}
    assert stale <= before  # this process's vector index does not know the new articles
    ui.ask("anything")  # the next question catches up
    found = {h.article.id for i in range(5, 60) for h in ui.store.search(question(i), k=3)}
    assert len(found - before) > 40
