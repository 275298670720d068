"""Team mode at scale: a Chroma server and a PostgreSQL on this machine, up to a million
paragraphs with fake 384-d vectors (no model), and what an analyst's client pays.

    python bench/scale.py [--sizes 10000,1000000] [--queries 200] [--work build/scale]

The corpus: articles of four paragraphs of one to three real sentences each (drawn from the
QA data in ../shared/data, so term frequencies are those of real text), 20 outlets, dates
over two years. They are written through the product's own write protocol (manifest
``begin`` → store ``add_articles`` → manifest ``commit``, which fills the BM25 tables in the
same transaction), 250 articles a batch. At each size in ``--sizes`` it measures, each in a
fresh process:

- **team client** (``BRIEFING_POSTGRES_DSN`` set): start-up (import, open the index, first
  question), RSS after it, then question latency p50/p95 over ``--queries`` real questions
  (../shared/eval) without a filter, with an outlet filter (1/20 of the corpus, above the
  exact-scoring limit) and with a date filter (the last month), and the RSS after them;
- **per-client BM25** (what every team client did before: bm25s over the whole store in its
  own process): building it from the paragraphs (read here from PostgreSQL, faster than
  from the Chroma server, so this is a lower bound), its RSS, and a lexical query's p95.
  Reading every paragraph back from the Chroma server is timed at the smallest size only
  (its rate is printed; at 1M it is that rate times the corpus).

Ingest rate is paragraphs per second between sizes, split into Chroma and PostgreSQL time.
The naive LangChain baseline of the other benches (a Chroma similarity search) is timed on
the same server in the same run. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

DATA = ROOT.parent / "shared" / "data" / "qa"
EVAL = ROOT.parent / "shared" / "eval" / "questions.jsonl"
OUTLETS = [f"Outlet {i:02d}" for i in range(20)]
EMBEDDING = "fake:384"
COLLECTION = "scale"
START = dt.date(2024, 1, 1)
DAYS = 730
BATCH_ARTICLES = 250


def sentence_pool() -> list[str]:
    """Real sentences of the QA data (contexts, tweets, candidate sentences)."""
    texts: list[str] = []
    for name in ("new_wiki_v1.0.json", "reddit_v1.0.json", "amazon_reviews_v1.0.json"):
        with (DATA / "squadshifts" / name).open() as f:
            for doc in json.load(f)["data"]:
                texts += [p["context"] for p in doc["paragraphs"]]
    for name in ("train.json", "dev.json"):
        with (DATA / "tweetqa" / name).open() as f:
            texts += [r["Tweet"] for r in json.load(f)]
    for name in ("selqa-ass-dev.json", "selqa-ass-test.json"):
        with (DATA / "selqa" / name).open() as f:
            texts += [c for r in json.load(f) for c in r["candidates"]]
    split = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")
    pool = {s.strip() for t in texts for s in split.split(t) if 30 <= len(s.strip()) <= 400}
    return sorted(pool)


def articles(start: int, count: int, pool: list[str]) -> list[Any]:
    from ingest.build import build_article

    out = []
    for i in range(start, start + count):
        rng = random.Random(i)
        paragraphs = [" ".join(rng.sample(pool, rng.randint(1, 3))) for _ in range(4)]
        title = rng.choice(pool)[:80]
        out.append(
            build_article(
                f"scale-{i}",
                body="\n\n".join(paragraphs),
                title=f"{title} ({i})",
                source=OUTLETS[i % len(OUTLETS)],
                url=f"https://scale.example/{i}",
                published_at=(START + dt.timedelta(days=i * 7919 % DAYS)).isoformat(),
            )
        )
    return out


def questions(n: int) -> list[str]:
    with EVAL.open() as f:
        rows = [json.loads(line)["question"] for line in f]
    return rows[:: max(1, len(rows) // n)][:n]


# -- in a fresh process ----------------------------------------------------------------------
CLIENT = r"""
import json, os, sys, time, datetime as dt
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
from bench.scale import measure_client
print(json.dumps(measure_client({args!r}, t0)))
"""


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def measure_client(args: dict[str, Any], t0: float) -> dict[str, Any]:
    """One analyst's process: start-up, RSS, question latency (team or per-client BM25)."""
    from assistant.service import BriefingAssistant
    from assistant.settings import Settings
    from vectorstore.filters import Filters

    imported = time.perf_counter() - t0
    qs: list[str] = args["questions"]
    if args["mode"] == "team":
        a = BriefingAssistant(
            Settings(
                data_dir=Path(args["data"]),
                embedding_model=EMBEDDING,
                collection=COLLECTION,
                chroma_host="127.0.0.1",
                chroma_port=args["chroma_port"],
                postgres_dsn=args["dsn"],
            )
        )
        a.retriever.retrieve(qs[0], k=8)
        started = time.perf_counter() - t0
        rss_start = rss_mb()
        since = START + dt.timedelta(days=DAYS - 30)
        cases = {
            "none": Filters(),
            "outlet": Filters(sources=(OUTLETS[3],)),
            "last_month": Filters(since=since),
        }
        out: dict[str, Any] = {
            "import_s": imported,
            "startup_s": started,
            "rss_start_mb": rss_start,
        }
        for name, filters in cases.items():
            times = []
            for q in qs:
                t = time.perf_counter()
                a.retriever.retrieve(q, k=8, filters=filters)
                times.append(time.perf_counter() - t)
            out[f"p50_{name}_ms"] = 1000 * p(times, 0.5)
            out[f"p95_{name}_ms"] = 1000 * p(times, 0.95)
        # the naive LangChain baseline: a plain similarity search on the same server
        from langchain_chroma import Chroma

        from vectorstore.embeddings import make_embeddings

        base = Chroma(
            client=a.index._chroma,
            collection_name=COLLECTION,
            embedding_function=make_embeddings(EMBEDDING),
        )
        times = []
        for q in qs:
            t = time.perf_counter()
            base.similarity_search(q, k=8)
            times.append(time.perf_counter() - t)
        out["baseline_p95_ms"] = 1000 * p(times, 0.95)
        out["rss_end_mb"] = rss_mb()
        return out
    # per-client BM25: every paragraph into bm25s in this process
    import psycopg

    from vectorstore.lexical import Bm25Index
    from vectorstore.metadata import passage_from

    with psycopg.connect(args["dsn"]) as db:
        db.execute(f'SET search_path TO "{COLLECTION}"')
        t = time.perf_counter()
        passages = [passage_from(text, meta) for text, meta in db.execute(
            "SELECT text, meta FROM paragraphs ORDER BY id"
        )]  # fmt: skip
        read = time.perf_counter() - t
    t = time.perf_counter()
    index = Bm25Index(passages)
    built = time.perf_counter() - t
    times = []
    for q in qs:
        t = time.perf_counter()
        index.search(q, 30)
        times.append(time.perf_counter() - t)
    out = {
        "import_s": imported,
        "read_s": read,
        "build_s": built,
        "startup_s": time.perf_counter() - t0 - sum(times),
        "rss_mb": rss_mb(),
        "p95_lexical_ms": 1000 * p(times, 0.95),
    }
    if "chroma_port" not in args:
        return out
    # the whole retrieval as such a client ran it: the same Chroma server, its own bm25s
    from vectorstore.embeddings import make_embeddings
    from vectorstore.index import IndexConfig, PostgresTeamIndex
    from vectorstore.retriever import HybridRetriever

    handle = PostgresTeamIndex(
        IndexConfig(
            data_dir=Path(tempfile.mkdtemp()),
            collection=COLLECTION,
            embedding_model=EMBEDDING,
            chroma_host="127.0.0.1",
            chroma_port=args["chroma_port"],
            postgres_dsn=args["dsn"],
        ),
        make_embeddings(EMBEDDING),
    )
    handle.lexical = lambda: index  # type: ignore[method-assign]  # its own copy
    retriever = HybridRetriever(index=handle)
    for name, filters in (("none", Filters()), ("outlet", Filters(sources=(OUTLETS[3],)))):
        times = []
        for q in qs:
            t = time.perf_counter()
            retriever.retrieve(q, k=8, filters=filters)
            times.append(time.perf_counter() - t)
        out[f"p50_{name}_ms"] = 1000 * p(times, 0.5)
        out[f"p95_{name}_ms"] = 1000 * p(times, 0.95)
    out["rss_end_mb"] = rss_mb()
    return out


def client(mode: str, **args: Any) -> dict[str, Any]:
    code = CLIENT.format(root=str(ROOT), args={"mode": mode, **args})
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=7200
    )
    if done.returncode != 0:
        raise SystemExit(f"{mode} client failed: {done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def read_back_rate(handle: Any) -> float:
    """Paragraphs per second of reading the whole store back from the Chroma server (what a
    per-client BM25 did at start)."""
    t = time.perf_counter()
    n = sum(1 for _ in handle.store.iter_all())
    return n / max(time.perf_counter() - t, 1e-9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument(
        "--measure",
        action="store_true",
        help="no ingest: start the servers on --work's data as a former run left it and "
        "measure the clients at the size it holds",
    )
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))

    from tests.pg_support import PostgresServer
    from tests.store_support import ChromaServer
    from vectorstore.embeddings import make_embeddings
    from vectorstore.index import IndexConfig, open_index

    work = (args.work or Path(tempfile.mkdtemp(prefix="briefing-scale-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    pool = sentence_pool()
    qs = questions(args.queries)
    print(f"{len(pool):,} real sentences; {len(qs)} questions; work in {work}", flush=True)
    pg = PostgresServer(work / "postgres", durable=True).start()
    chroma = ChromaServer(work / "chroma")
    chroma.start()
    results: list[dict[str, Any]] = []
    try:
        if args.measure:
            dsn = pg.dsn("scale")
            results.append(measure_clients(dsn, chroma.port, work, qs))
            print(json.dumps(results[-1]), flush=True)
            return
        dsn = pg.database("scale")
        config = IndexConfig(
            data_dir=work / "writer",
            collection=COLLECTION,
            embedding_model=EMBEDDING,
            chroma_host="127.0.0.1",
            chroma_port=chroma.port,
            postgres_dsn=dsn,
        )
        handle = open_index(config, make_embeddings(EMBEDDING))
        written = next_article = 0
        chroma_s = postgres_s = 0.0
        for size in sizes:
            t_size = time.perf_counter()
            before = written
            while written < size:
                batch = articles(next_article, BATCH_ARTICLES, pool)
                next_article += len(batch)
                with handle.writing():
                    t = time.perf_counter()
                    handle.manifest.begin(batch)
                    postgres_s += time.perf_counter() - t
                    t = time.perf_counter()
                    written += handle.store.add_articles(batch)
                    chroma_s += time.perf_counter() - t
                    t = time.perf_counter()
                    handle.manifest.commit([a.id for a in batch])
                    postgres_s += time.perf_counter() - t
                if next_article % 5000 == 0:
                    rate = (written - before) / (time.perf_counter() - t_size)
                    print(f"  {written:,} paragraphs ({rate:,.0f}/s)", flush=True)
            elapsed = time.perf_counter() - t_size
            row: dict[str, Any] = {
                "paragraphs": written,
                "ingest_per_s": round((written - before) / elapsed),
                "chroma_s_total": round(chroma_s, 1),
                "postgres_s_total": round(postgres_s, 1),
            }
            if size == sizes[0]:
                row["chroma_read_back_per_s"] = round(read_back_rate(handle))
            results.append({**row, **measure_clients(dsn, chroma.port, work, qs)})
            print(json.dumps(results[-1]), flush=True)
        handle.close()
    finally:
        chroma.stop()
        pg.stop()
        print_table(results)
        print(json.dumps({"scale": results}))


def measure_clients(dsn: str, port: int, work: Path, qs: list[str]) -> dict[str, Any]:
    """A team client and a per-client-BM25 client, each in its own fresh process."""
    import psycopg

    with psycopg.connect(dsn) as db:
        size = db.execute(f'SELECT paragraphs FROM "{COLLECTION}".stats').fetchone()[0]
    common = {"dsn": dsn, "questions": qs, "chroma_port": port}
    return {
        "paragraphs": size,
        "team": client("team", data=str(work / f"client-{size}"), **common),
        "per_client_bm25": client("bm25", **common),
    }


def print_table(results: list[dict[str, Any]]) -> None:
    """Start-up s (RSS MB after it / after the questions); question p50 / p95 in ms."""
    print()
    print("| paragraphs | client | start-up s | RSS MB | p50 / p95 no filter "
          "| p95 outlet | p95 last month | ingest /s |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        t, b = r["team"], r["per_client_bm25"]
        ingest = f"{r['ingest_per_s']:,}" if "ingest_per_s" in r else ""
        print(
            f"| {r['paragraphs']:,} | team (PostgreSQL BM25) | {t['startup_s']:.2f} "
            f"| {t['rss_start_mb']:.0f} / {t['rss_end_mb']:.0f} "
            f"| {t['p50_none_ms']:.0f} / {t['p95_none_ms']:.0f} "
            f"| {t['p95_outlet_ms']:.0f} | {t['p95_last_month_ms']:.0f} | {ingest} |"
        )
        whole = (
            f"{b['p50_none_ms']:.0f} / {b['p95_none_ms']:.0f} | {b['p95_outlet_ms']:.0f}"
            if "p95_none_ms" in b
            else f"(BM25 alone p95 {b['p95_lexical_ms']:.1f}) |"
        )
        print(
            f"| {r['paragraphs']:,} | per-client bm25s | {b['startup_s']:.2f} "
            f"(build {b['build_s']:.1f}) | {b['rss_mb']:.0f} / {b.get('rss_end_mb', 0):.0f} "
            f"| {whole} | | |"
        )
        print(
            f"| {r['paragraphs']:,} | LangChain baseline (Chroma search) | | "
            f"| p95 {t['baseline_p95_ms']:.0f} | | | |"
        )


if __name__ == "__main__":
    main()
