"""Team mode at scale: vectors on a real Chroma server, the manifest, BM25 and the writer
lock in a real PostgreSQL (both started here on 127.0.0.1). The lexical side must score as
the embedded bm25s index does, retrieval must rank alike, and two analysts indexing and
asking at once, or an indexer killed with SIGKILL, must leave every paragraph once."""

from __future__ import annotations

import datetime as dt
import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, SAMPLES
from tests.pg_support import PostgresServer
from tests.store_support import (
    BRIEFING,
    ChromaServer,
    briefing,
    check_consistent,
    cli_env,
    code,
    collection_name,
    question,
    start_briefing,
    start_server,
    write_articles,
)
from vectorstore.filters import Filters

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not Path(BRIEFING).exists(), reason="needs the briefing script"),
]


@pytest.fixture
def pg(pg_server: PostgresServer) -> PostgresServer:
    return pg_server


@pytest.fixture
def chroma(request: pytest.FixtureRequest, tmp_path: Path) -> ChromaServer:
    return start_server(request, tmp_path / "chroma-server")


def team_settings(pg: PostgresServer, chroma: ChromaServer, data: Path, **extra: Any) -> Any:
    from assistant.settings import Settings

    extra.setdefault("postgres_dsn", pg.database())
    extra.setdefault("chroma_host", "127.0.0.1")
    extra.setdefault("collection", collection_name())
    return Settings(data_dir=data, embedding_model="fake", chroma_port=chroma.port, **extra)


def assistant_of(settings: Any) -> Any:
    from assistant.service import BriefingAssistant

    return BriefingAssistant(settings)


def team_env(pg_dsn: str, chroma: ChromaServer, collection: str, data: Path) -> dict[str, str]:
    return cli_env(data, BRIEFING_POSTGRES_DSN=pg_dsn, **chroma.env(collection))


@pytest.fixture
def pair(pg: PostgresServer, chroma: ChromaServer, tmp_path: Path) -> tuple[Any, Any]:
    """The samples indexed in team mode and in embedded mode."""
    team = assistant_of(team_settings(pg, chroma, tmp_path / "team"))
    embedded = assistant_of(
        team_settings(pg, chroma, tmp_path / "embedded", chroma_host=None, postgres_dsn=None)
    )
    for a in (team, embedded):
        report = a.indexer().index([SAMPLES])
        assert not report.failed and report.new
    yield team, embedded
    team.close()
    embedded.close()


SINCE = dt.date(2024, 11, 1)
QUERIES = [  # (question, filters)
    ("Who confirmed the troop numbers?", Filters()),
    ("North Korean soldiers deserted", Filters()),
    ("how many troops were sent", Filters(since=SINCE)),
    ("denied", Filters(sources=("Atlantic Wire Service",))),
    ("a question of words no article holds: zzxq qqzx", Filters()),
]


@pytest.mark.parametrize(("query", "filters"), QUERIES)
def test_bm25_in_postgres_scores_as_the_embedded_index(
    pair: tuple[Any, Any], query: str, filters: Filters
) -> None:
    team, embedded = (a.lexical_index() for a in pair)
    assert type(team).__name__ == "PostgresLexicalIndex"
    assert len(team) == len(embedded) > 0
    assert team.median_chars() == embedded.median_chars()
    mine, theirs = team.search(query, 30, filters), embedded.search(query, 30, filters)
    # the same best scores of each kind (which of equal scores comes first is arbitrary)
    for kind in (0, 1):
        assert _best(mine, kind, 30) == pytest.approx(_best(theirs, kind, 30), rel=1e-5)
    assert len(set(mine.top) ^ set(theirs.top)) <= 4  # ties at the cut
    for pid in mine.scores.keys() & theirs.scores.keys():
        assert mine.scores[pid] == pytest.approx(theirs.scores[pid], rel=1e-5, abs=1e-6)
    # any paragraph asked by id scores the same (the retriever's other candidates)
    some = [p.id for p in list(embedded.passages)[::7]]
    asked = team.search(query, 0, ids=some).scores
    expected = embedded.search(query, 0, ids=some).scores
    assert asked.keys() <= set(some)  # one holding no query term: absent, i.e. zero
    assert {k: pytest.approx(v, rel=1e-5, abs=1e-6) for k, v in expected.items() if any(v)} == asked
    assert team.neighbours(some) == embedded.neighbours(some)
    narrow, also = team.filtered(filters, 500), embedded.filtered(filters, 500)
    assert (narrow is None) == (also is None)
    if narrow is not None and also is not None:
        assert (narrow.count, narrow.total) == (also.count, also.total)
        assert sorted(narrow.ids or ()) == sorted(also.ids or ())


def _best(found: Any, kind: int, k: int) -> list[float]:
    return sorted((v[kind] for v in found.scores.values() if v[kind] > 0), reverse=True)[:k]


@pytest.mark.parametrize(("query", "filters"), QUERIES)
def test_team_retrieval_ranks_as_embedded(
    pair: tuple[Any, Any], query: str, filters: Filters
) -> None:
    team, embedded = pair
    assert [h.id for h in team.retriever.retrieve(query, k=8, filters=filters)] == [
        h.id for h in embedded.retriever.retrieve(query, k=8, filters=filters)
    ]


def _lexical_state(assistant: Any) -> tuple[Any, ...]:
    db = assistant.index.database
    stats = db.execute(
        "SELECT paragraphs, tokens, sentences, sentence_tokens FROM stats"
    ).fetchone()
    terms = db.execute("SELECT term, df, sdf FROM terms WHERE df > 0 OR sdf > 0").fetchall()
    rows = db.execute("SELECT id, text, citable FROM paragraphs ORDER BY id").fetchall()
    postings = db.execute(
        "SELECT g.id, t.term, p.s, p.tf, p.sl, p.dl FROM postings p"
        " JOIN paragraphs g ON g.rid = p.pid JOIN terms t ON t.id = p.term ORDER BY 1, 2, 3"
    ).fetchall()
    lengths = db.execute("SELECT chars, n FROM lengths WHERE n > 0 ORDER BY chars").fetchall()
    return tuple(stats), sorted(terms), rows, postings, lengths


def test_statistics_follow_edits_and_removals(
    pg: PostgresServer, chroma: ChromaServer, tmp_path: Path
) -> None:
    """Index, edit, remove, re-index: the BM25 tables equal those of one clean run of the
    final corpus (the statistics are counted up and down in the manifest's transactions)."""
    corpus = tmp_path / "corpus"
    write_articles(corpus, range(12))
    team = assistant_of(team_settings(pg, chroma, tmp_path / "team"))
    team.indexer().index([corpus])
    write_articles(corpus, range(0, 4), version=2)  # edited
    for i in (5, 6):
        (corpus / f"a{i:05d}.md").unlink()  # removed
    write_articles(corpus, range(12, 15))  # new
    report = team.indexer().index([corpus], prune=True)
    # an article without a URL is named by its text: an edited one is new, its old self goes
    assert (report.new, report.updated, report.removed) == (3 + 4, 0, 2 + 4)
    clean = assistant_of(team_settings(pg, chroma, tmp_path / "clean"))
    clean.indexer().index([corpus])
    assert _lexical_state(team) == _lexical_state(clean)
    check_consistent(team)


def _states(assistant: Any) -> dict[str, int]:
    rows = assistant.index.database.execute(
        "SELECT state, count(*) FROM articles GROUP BY state"
    ).fetchall()
    return dict(rows)


def _lexical_matches_manifest(assistant: Any) -> None:
    """Every paragraph of every ``done`` article is in the BM25 tables once, nothing else."""
    db = assistant.index.database
    held = dict(db.execute("SELECT article_id, count(*) FROM paragraphs GROUP BY 1").fetchall())
    done = dict(db.execute("SELECT id, paragraphs FROM articles WHERE state = 'done'").fetchall())
    assert held == done
    assert db.execute("SELECT paragraphs FROM stats").fetchone()[0] == sum(done.values())


def test_two_analysts_index_and_ask_at_once(
    pg: PostgresServer, chroma: ChromaServer, tmp_path: Path
) -> None:
    """Two machines run `briefing index` at the same moment on corpora sharing articles
    while a third asks: every answer cites complete articles; the end state holds every
    article once, in the store and in the BM25 tables, and each is found by its question."""
    collection, dsn = collection_name(), pg.database()
    shared, only_a, only_b = tmp_path / "shared", tmp_path / "a", tmp_path / "b"
    write_articles(shared, range(0, 40))
    write_articles(only_a, range(40, 100))
    write_articles(only_b, range(100, 160))
    reader = assistant_of(
        team_settings(pg, chroma, tmp_path / "reader", collection=collection, postgres_dsn=dsn)
    )
    # a first article before the race (Chroma's server fails a query on a collection
    # nothing was ever written to: "Nothing found on disk")
    assert reader.indexer().index([shared / "a00000.md"]).new == 1
    runs = [
        subprocess.Popen(
            [BRIEFING, "index", str(shared), str(extra)],
            env=team_env(dsn, chroma, collection, tmp_path / f"machine-{name}"),
            cwd=ROOT,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for name, extra in (("a", only_a), ("b", only_b))
    ]
    cited: list[tuple[str, str]] = []
    asked = 0
    while any(r.poll() is None for r in runs):
        answer = reader.ask(question(asked * 7 % 160))  # never IndexDamaged mid-run
        cited += [(c.passage.article.id, c.passage.article.content_hash) for c in answer.citations]
        asked += 1
    for run in runs:
        _out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    assert asked > 0
    per_article = check_consistent(reader)
    done = reader.manifest.done_hashes()
    assert all(done.get(article) == version for article, version in cited)
    assert len(per_article) == 160
    _lexical_matches_manifest(reader)
    for i in (0, 39, 40, 99, 100, 159):
        best = reader.retriever.retrieve(question(i), k=1)[0]
        assert code(i) in best.text.lower()


def test_killed_indexer_converges(pg: PostgresServer, chroma: ChromaServer, tmp_path: Path) -> None:
    """SIGKILL mid-run (some articles done, some pending): the server drops the dead run's
    lock and transaction; the rerun clears what it left and ends as a clean run does."""
    collection, dsn = collection_name(), pg.database()
    corpus = tmp_path / "corpus"
    write_articles(corpus, range(300))
    env = team_env(dsn, chroma, collection, tmp_path / "machine")
    watcher = assistant_of(
        team_settings(pg, chroma, tmp_path / "watch", collection=collection, postgres_dsn=dsn)
    )
    proc = start_briefing(["index", str(corpus)], env)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            states = _states(watcher)
            if states.get("done", 0) >= 32 and states.get("pending", 0):
                break
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    left = _states(watcher)
    assert left.get("pending", 0) and 0 < left.get("done", 0) < 300, left
    _lexical_matches_manifest(watcher)  # pending articles are not in the BM25 tables

    # the lock died with the run's connection: the rerun starts at once
    started = time.monotonic()
    done = briefing(["index", str(corpus)], env)
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 120
    assert _states(watcher) == {"done": 300}
    check_consistent(watcher)
    _lexical_matches_manifest(watcher)

    clean = assistant_of(team_settings(pg, chroma, tmp_path / "clean"))
    clean.indexer().index([corpus])
    assert _lexical_state(watcher) == _lexical_state(clean)


def test_one_indexing_run_at_a_time_team_wide(
    pg: PostgresServer, chroma: ChromaServer, tmp_path: Path
) -> None:
    from assistant.errors import IndexBusy
    from vectorstore.pg_manifest import PostgresWriterLock

    corpus = tmp_path / "corpus"
    write_articles(corpus, range(3))
    busy = assistant_of(team_settings(pg, chroma, tmp_path / "m1", lock_timeout=0.5))
    other = PostgresWriterLock(busy.index.database)  # another analyst's run
    assert other.acquire(1)
    try:
        assert "briefing" in other.describe()
        with pytest.raises(IndexBusy, match="another indexing run"):
            busy.indexer().index([corpus])
    finally:
        other.release()
    assert busy.indexer().index([corpus]).new == 3


def test_cli_names_postgres_when_it_is_not_there(chroma: ChromaServer, tmp_path: Path) -> None:
    from tests.pg_support import free_port

    port = free_port()
    env = team_env(
        f"postgresql://briefing@127.0.0.1:{port}/team", chroma, collection_name(), tmp_path
    )
    done = briefing(["ask", "Who confirmed the troop numbers?"], env, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"PostgreSQL at 127.0.0.1:{port}/team did not answer" in done.stderr
    assert "Traceback" not in done.stderr


def test_asking_needs_no_corpus_in_the_client(
    pg: PostgresServer, chroma: ChromaServer, tmp_path: Path
) -> None:
    """A team client keeps nothing of the corpus: no BM25 copy in its data dir, and a
    question reads only its candidates (the figures at scale: bench/scale.py)."""
    settings = team_settings(pg, chroma, tmp_path / "client")
    team = assistant_of(settings)
    team.indexer().index([SAMPLES])
    answer = team.ask("Who confirmed the troop numbers?")
    assert answer.citations
    data = settings.data_dir
    kept = [p.name for p in data.rglob("*") if p.is_file()] if data.exists() else []
    assert not [name for name in kept if "lexical" in name or name.endswith(".npy")], kept


def test_a_lost_database_is_repaired_from_the_store(
    pg: PostgresServer, chroma: ChromaServer, tmp_path: Path
) -> None:
    """The team's PostgreSQL lost (its schema dropped), the vectors kept: `repair` adopts
    the stored articles again, their BM25 rows with them, and questions find them."""
    corpus = tmp_path / "corpus"
    write_articles(corpus, range(10))
    settings = team_settings(pg, chroma, tmp_path / "team")
    team = assistant_of(settings)
    team.indexer().index([corpus])
    before = _lexical_state(team)
    db = team.index.database
    db.execute(f"DROP SCHEMA {db.schema} CASCADE")
    team.close()

    again = assistant_of(settings)  # tables made anew, empty
    report = again.indexer().repair([corpus])
    assert report.adopted == 10, report
    _lexical_matches_manifest(again)
    assert _lexical_state(again) == before
    best = again.retriever.retrieve(question(3), k=1)[0]
    assert code(3) in best.text.lower()


def test_postgres_without_a_chroma_server_is_refused_in_one_line(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "data", BRIEFING_POSTGRES_DSN="postgresql://team@db.example/team")
    done = briefing(["status"], env, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "BRIEFING_POSTGRES_DSN is set but BRIEFING_CHROMA_HOST is not" in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_round_trip_in_team_mode(
    pg: PostgresServer, chroma: ChromaServer, tmp_path: Path
) -> None:
    """index, status, list, ask, remove from two machines' data dirs: one shared index."""
    collection, dsn = collection_name(), pg.database()
    first = team_env(dsn, chroma, collection, tmp_path / "machine-a")
    second = team_env(dsn, chroma, collection, tmp_path / "machine-b")
    done = briefing(["index", str(SAMPLES)], first)
    assert done.returncode == 0, done.stderr
    again = briefing(["index", str(SAMPLES)], second)  # the other machine: nothing to do
    assert again.returncode == 0, again.stderr
    assert "unchanged" in again.stdout.lower()

    status = briefing(["status", "--format", "json"], second)
    assert status.returncode == 0, status.stderr
    state = json.loads(status.stdout)
    assert state["intact"] and state["articles"] == 8
    assert "PostgreSQL at 127.0.0.1" in state["store"]

    listed = json.loads(briefing(["list", "--format", "json"], second).stdout)
    assert len(listed) == 8
    gone = listed[0]["id"]
    removed = briefing(["remove", gone], second)
    assert removed.returncode == 0, removed.stderr
    left = json.loads(briefing(["list", "--format", "json"], first).stdout)
    assert gone not in {a["id"] for a in left} and len(left) == 7

    answer = briefing(["ask", "Who confirmed the troop numbers?", "--format", "json"], first)
    assert answer.returncode == 0, answer.stderr
    cited = {c["article_id"] for c in json.loads(answer.stdout)["citations"]}
    assert cited and gone not in cited
