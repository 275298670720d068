"""Team mode: the index on a real Chroma server (`chroma run` on 127.0.0.1), the manifest
beside it on the server, one writer at a time team-wide."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, SAMPLES
from tests.store_support import (
    BRIEFING,
    ChromaServer,
    briefing,
    check_consistent,
    cli_env,
    collection_name,
    index_counts,
    start_server,
    write_articles,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not Path(BRIEFING).exists(), reason="needs the briefing script"),
]


@pytest.fixture
def server(request: pytest.FixtureRequest, tmp_path: Path) -> ChromaServer:
    return start_server(request, tmp_path / "chroma-server")


def team_assistant(server: ChromaServer, data: Path, collection: str, **extra: Any) -> Any:
    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    return BriefingAssistant(
        Settings(
            data_dir=data,
            embedding_model="fake",
            collection=collection,
            chroma_host="127.0.0.1",
            chroma_port=server.port,
            **extra,
        )
    )


def test_cli_indexes_and_answers_through_a_chroma_server(
    server: ChromaServer, tmp_path: Path
) -> None:
    """What CI runs for team mode: the real model, the real CLI, a real server."""
    collection = collection_name()
    real = {"BRIEFING_EMBEDDING_MODEL": "onnx:all-MiniLM-L6-v2", **server.env(collection)}
    alice, bob = tmp_path / "alice", tmp_path / "bob"

    def env(data: Path) -> dict[str, str]:
        e = cli_env(data, **real)
        del e["BRIEFING_MIN_SUPPORT"], e["BRIEFING_MIN_COVERAGE"]  # the real defaults
        return e

    indexed = briefing(["index", str(SAMPLES)], env(alice))
    assert indexed.returncode == 0, indexed.stderr
    status = briefing(["status"], env(alice))
    assert f"chroma server 127.0.0.1:{server.port}" in status.stdout
    assert "articles: 8" in status.stdout.replace("  ", " ")
    # nothing of the index is on the analyst's machine: vectors and manifest are on the server
    assert not (alice / "chroma").exists() and not (alice / "manifest.sqlite3").exists()

    # a second analyst's machine sees the same index: nothing to do, and answers from it
    again = briefing(["index", str(SAMPLES)], env(bob))
    assert again.returncode == 0, again.stderr
    assert index_counts(again.stdout) == {
        "new": 0,
        "updated": 0,
        "unchanged": 8,
        "removed": 0,
        "failed": 0,
        "paragraphs": 0,
    }
    asked = briefing(["ask", "Who confirmed the troop numbers?", "--format", "json"], env(bob))
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert not answer["refused"] and answer["citations"]
    for citation in answer["citations"]:
        assert citation["quote"] in citation["paragraph_text"]
        assert f"[{citation['n']}]" in answer["answer"]


def test_two_analysts_index_into_one_server_at_once(server: ChromaServer, tmp_path: Path) -> None:
    """Two machines (data dirs) run `briefing index` at the same moment, on corpora that
    share articles: one waits for the other's lease; the shared index ends consistent and
    holds every article once."""
    collection = collection_name()
    shared, only_a, only_b = tmp_path / "shared", tmp_path / "a", tmp_path / "b"
    write_articles(shared, range(0, 60))
    write_articles(only_a, range(60, 160))
    write_articles(only_b, range(160, 260))
    runs = [
        subprocess.Popen(
            [BRIEFING, "index", str(shared), str(extra)],
            env=cli_env(tmp_path / f"machine-{name}", **server.env(collection)),
            cwd=ROOT,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for name, extra in (("a", only_a), ("b", only_b))
    ]
    for run in runs:
        _out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    reader = team_assistant(server, tmp_path / "reader", collection)
    per_article = check_consistent(reader)
    assert len(per_article) == 260
    assert reader.status().articles == 260


def test_one_indexing_run_at_a_time_on_a_server(server: ChromaServer, tmp_path: Path) -> None:
    from assistant.errors import IndexBusy
    from vectorstore.locks import ChromaLease

    collection = collection_name()
    corpus = tmp_path / "corpus"
    write_articles(corpus, range(3))
    busy = team_assistant(server, tmp_path / "m1", collection, lock_timeout=0.5)
    other = ChromaLease(busy.index.lease_collection)  # another analyst's run, alive
    assert other.acquire(1)
    try:
        with pytest.raises(IndexBusy, match="another indexing run"):
            busy.indexer().index([corpus])
    finally:
        other.release()
    assert busy.indexer().index([corpus]).new == 3

    # a lease whose holder is gone (expired, or its process dead on this host) is taken over
    stale = ChromaLease(busy.index.lease_collection, ttl=0.2)
    assert stale.acquire(1)
    stale._stop.set()  # it stops renewing, as a killed process would
    time.sleep(0.5)
    assert busy.indexer().index([corpus]).unchanged == 3


def test_manifest_on_the_server_is_shared_and_pending_is_visible(
    server: ChromaServer, tmp_path: Path
) -> None:
    from ingest.build import build_article
    from vectorstore.client import make_client
    from vectorstore.manifest import Location
    from vectorstore.remote_manifest import team_manifest

    name = collection_name()
    a = team_manifest(make_client(host="127.0.0.1", port=server.port), name)
    b = team_manifest(make_client(host="127.0.0.1", port=server.port), name)
    article = build_article("x.md", body="One paragraph.\n\nAnother one.", title="T")
    a.begin([article])
    b.version()
    assert b.pending() == [article.id]  # on the server before any vector is written
    assert b.done_hashes() == {}
    a.commit([article.id], [Location("x.md", "x.md", article.id)])
    before = b.version()
    assert b.done_hashes() == {article.id: article.content_hash}
    assert b.get(article.id) is not None and b.get(article.id).locations == ("x.md",)
    assert b.version() == before  # no change, no reload
    b.remove(article.id)  # either machine may write (one at a time, under the lease)
    a.version()
    assert a.entries() == [] and a.counts() == (0, 0)
    # a third machine starting later loads the same state
    c = team_manifest(make_client(host="127.0.0.1", port=server.port), name)
    assert c.entries() == [] and c.version() == a.version()


def test_cli_says_clearly_when_the_server_is_not_there(tmp_path: Path) -> None:
    from tests.store_support import free_port

    env = cli_env(
        tmp_path / "data", BRIEFING_CHROMA_HOST="127.0.0.1", BRIEFING_CHROMA_PORT=str(free_port())
    )
    for args in (["status"], ["ask", "anything"], ["index", str(SAMPLES)]):
        done = briefing(args, env)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert "error: the Chroma server at 127.0.0.1:" in done.stderr
        assert "did not answer" in done.stderr and "hint:" in done.stderr
        assert "Traceback" not in done.stderr
    assert os.listdir(tmp_path / "data") == []  # nothing half-made locally
