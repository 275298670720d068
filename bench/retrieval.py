"""Retrieval quality and latency against the naive LangChain baseline, in one run.

    python bench/retrieval.py DIR [--news 300] [--dump FILE] [--dump-baseline FILE] [--model SPEC]
    python bench/retrieval.py --news 300          # the news-like set alone
    python bench/retrieval.py --scale 100000 [--queries 300]
    python bench/retrieval.py DIR --team          # team mode beside embedded, same run

DIR holds ``articles.jsonl`` and ``questions.jsonl`` (format: ../shared/eval/README.md). The
articles are indexed by the product's own indexer into a temporary data dir; every answerable
question is then retrieved by the product (60 paragraphs, enough to fill 4,000 characters
with news paragraphs), by the product's BM25 of paragraphs alone (the same 60) and by the
baseline (20 chunks: RecursiveCharacterTextSplitter 1000/200 + langchain_chroma.Chroma + the
same model, ``similarity_search``; bench/baseline.py); "reranked" is the product's list with
its first 16 paragraphs reordered by the reader model's best sentence in each (the sentences
the answer reads; its latency includes retrieval). Then the same for the news-like set
that bench/news generates (``--news N`` articles, seeded; 0 skips it), with recall within
2,000 characters per kind of question. Figures for each:

- recall_at_B: the retrieved texts joined in rank order (blank line between), cut at B
  characters; a question counts when every evidence fact lies inside (whitespace runs
  collapsed, curly quotes made straight, on both sides);
- mrr: mean of 1/rank of the first retrieved text holding an evidence fact (0 if none in the
  first 20);
- p50_ms / p95_ms: wall time of one retrieval call, query embedding included.

``--dump FILE`` writes {"id", "ranked": [texts, best first, up to 20]} per question (the
product; ``--dump-baseline`` the same for the baseline), so the figures can be recomputed.

``--scale N`` instead builds an index of N generated paragraphs through the same indexer and
times retrieval on it with the model loaded. Embedding N real paragraphs takes ~30 minutes on
2 cores, so the corpus is built from a pool of generated sentences, each distinct
(title, sentence) text embedded once for real, and the index is written through a memo of
those vectors. The memo has no token states, so the store takes its fallback path (each
sentence embedded after its title, the paragraph's vector their mean): the index has the
layout, sizes and kind of vectors the product writes, built from real model vectors; only
its texts repeat sentences. Queries are embedded by the real model at query time.

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from langchain_core.embeddings import Embeddings

from assistant.reader.pipeline import Reader
from assistant.reader.query import read as read_query
from assistant.service import BriefingAssistant
from assistant.settings import Settings
from bench.baseline import build_baseline
from bench.corpus import OUTLETS as CORPUS_OUTLETS
from bench.news.generate import write as write_news
from ingest.errors import IngestError
from ingest.loaders import read_source
from ingest.models import Article
from vectorstore.embeddings import make_embeddings
from vectorstore.filters import Filters
from vectorstore.retriever import PROFILES

BUDGETS = (1000, 2000, 4000)
RANKED = 20
# Paragraphs asked of the product and of BM25: twenty news paragraphs of one or two sentences
# (~1,500 characters) do not fill the largest budget; the baseline's chunks are 1,000 each.
RANKED_PARAGRAPHS = 60
# Paragraphs whose sentences the reader model reads to reorder them ("reranked" column).
RERANK = 16
_QUOTES = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "″": '"', "‘": "'", "’": "'", "‚": "'", "′": "'"}
)
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text.translate(_QUOTES)).strip()


def score(ranked: Sequence[str], facts: Sequence[str]) -> dict[str, float]:
    """recall_at_B (0/1) per budget and the reciprocal rank of the first evidence text."""
    facts = [normalise(f) for f in facts]
    joined = "\n\n".join(ranked)
    out = {f"recall_at_{b}": float(all(f in normalise(joined[:b]) for f in facts)) for b in BUDGETS}
    texts = [normalise(t) for t in ranked[:RANKED]]
    rank = next((i for i, t in enumerate(texts, 1) if any(f in t for f in facts)), None)
    out["mrr"] = 1.0 / rank if rank else 0.0
    return out


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(rows: list[dict[str, float]], latencies: list[float]) -> dict[str, Any]:
    n = len(rows)
    out: dict[str, Any] = {"questions": n}
    for key in [f"recall_at_{b}" for b in BUDGETS] + ["mrr"]:
        out[key] = round(sum(r[key] for r in rows) / n, 4) if n else 0.0
    out["p50_ms"] = round(1000 * statistics.median(latencies), 1) if latencies else None
    out["p95_ms"] = round(1000 * percentile(latencies, 0.95), 1) if latencies else None
    return out


def timed_run(
    questions: list[dict[str, Any]], search: Callable[[str], list[str]]
) -> tuple[list[list[str]], list[float]]:
    search(questions[0]["question"])  # warm-up: lazy loads and index builds are not queries
    ranked, latencies = [], []
    for q in questions:
        start = time.perf_counter()
        texts = search(q["question"])
        latencies.append(time.perf_counter() - start)
        ranked.append(texts)
    return ranked, latencies


def load_articles(path: Path) -> list[Article]:
    articles = []
    for item in read_source(path):
        if isinstance(item, IngestError):
            print(f"skipped: {item}", file=sys.stderr)
        else:
            articles.append(item)
    return articles


def evaluate(eval_dir: Path, args: argparse.Namespace, label: str = "") -> dict[str, Any]:
    questions = [json.loads(line) for line in (eval_dir / "questions.jsonl").open()]
    questions = [q for q in questions if q.get("evidence")]
    if args.limit:
        questions = questions[: args.limit]
    embeddings = make_embeddings(args.model)
    with tempfile.TemporaryDirectory(prefix="bench-retrieval-") as tmp:
        assistant = BriefingAssistant(Settings(data_dir=Path(tmp), embedding_model=args.model))
        start = time.perf_counter()
        report = assistant.indexer().index([eval_dir / "articles.jsonl"])
        index_s = time.perf_counter() - start
        for failure in report.failed:
            print(f"failed: {failure}", file=sys.stderr)
        start = time.perf_counter()
        lexical = assistant.lexical_index()
        lexical_s = time.perf_counter() - start

        def product(q: str) -> list[str]:
            return [h.text for h in assistant.retriever.retrieve(q, k=RANKED_PARAGRAPHS)]

        def bm25(q: str) -> list[str]:  # the product's BM25 of paragraphs (+ title) alone
            found = lexical.search(q, RANKED_PARAGRAPHS).scores
            best = sorted((i for i in found if found[i][0] > 0), key=lambda i: -found[i][0])
            held = lexical.passages_of(best[:RANKED_PARAGRAPHS])
            return [held[i].text for i in best[:RANKED_PARAGRAPHS]]

        reader = Reader(max_candidates=10_000)

        def reranked(q: str) -> list[str]:
            """The product's paragraphs with the first ``RERANK`` reordered by the reader
            model's best sentence in each (what the answer reads)."""
            hits = assistant.retriever.retrieve(q, k=RANKED_PARAGRAPHS)
            best: dict[str, float] = {}
            for c in reader.score(read_query(q), hits[:RERANK]):
                best[c.sentence.hit.id] = max(best.get(c.sentence.hit.id, 0.0), c.score)
            head = sorted(hits[:RERANK], key=lambda h: -best.get(h.id, 0.0))
            return [h.text for h in head + hits[RERANK:]]

        ranked, latencies = timed_run(questions, product)
        team_ranked, team_latencies = (
            team_run(eval_dir, questions, args, Path(tmp)) if args.team else ([], [])
        )
        bm25_ranked, bm25_latencies = timed_run(questions, bm25)
        rerank_ranked, rerank_latencies = (
            timed_run(questions, reranked) if args.rerank else (ranked, latencies)
        )

        start = time.perf_counter()
        baseline_store = build_baseline(load_articles(eval_dir / "articles.jsonl"), embeddings)
        baseline_index_s = time.perf_counter() - start

        def baseline(q: str) -> list[str]:
            return [d.page_content for d in baseline_store.similarity_search(q, k=RANKED)]

        base_ranked, base_latencies = timed_run(questions, baseline)

    facts = [[e["fact"] for e in q["evidence"]] for q in questions]
    rows = {
        name: [score(r, f) for r, f in zip(texts, facts, strict=True)]
        for name, texts in (
            ("product", ranked),
            ("baseline", base_ranked),
            ("bm25", bm25_ranked),
            ("rerank", rerank_ranked),
        )
    }
    result = summary(rows["product"], latencies)
    team = None
    if team_ranked:
        team = summary(
            [score(r, f) for r, f in zip(team_ranked, facts, strict=True)], team_latencies
        )
    base = summary(rows["baseline"], base_latencies)
    lex = summary(rows["bm25"], bm25_latencies)
    rer = summary(rows["rerank"], rerank_latencies)
    for path, dumped in ((args.dump, ranked), (args.dump_baseline, base_ranked)):
        if path:
            if label:
                path = f"{path}.{label}"
            with open(path, "w", encoding="utf-8") as fh:
                for q, texts in zip(questions, dumped, strict=True):
                    fh.write(
                        json.dumps({"id": q["id"], "ranked": texts}, ensure_ascii=False) + "\n"
                    )

    print(f"== {label or eval_dir}")
    print(f"{len(questions)} answerable questions, {report.paragraphs} paragraphs indexed")
    print(
        f"index {index_s:.1f} s (product), {baseline_index_s:.1f} s (baseline); "
        f"BM25 build {lexical_s * 1000:.0f} ms"
    )
    print(f"{'figure':<16}{'product':>10}{'baseline':>10}{'BM25':>10}{'reranked':>10}")
    for key in [f"recall_at_{b}" for b in BUDGETS] + ["mrr", "p50_ms", "p95_ms"]:
        print(f"{key:<16}{result[key]!s:>10}{base[key]!s:>10}{lex[key]!s:>10}{rer[key]!s:>10}")
    if team is not None:  # the same questions in team mode (Chroma server + PostgreSQL)
        print(f"{'team mode':<16}{'team':>10}{'embedded':>10}{'Δ points':>10}")
        for key in [f"recall_at_{b}" for b in BUDGETS] + ["mrr", "p50_ms", "p95_ms"]:
            delta = round(100 * (team[key] - result[key]), 2) if "recall" in key else ""
            print(f"{key:<16}{team[key]!s:>10}{result[key]!s:>10}{delta!s:>10}")
    kinds = sorted({q["kind"] for q in questions if "kind" in q})
    if kinds:  # the news set's kinds of question: recall within 2,000 chars
        print(f"{'by kind (@2000)':<16}{'product':>10}{'baseline':>10}{'BM25':>10}{'n':>6}")
        for kind in kinds:
            idx = [i for i, q in enumerate(questions) if q.get("kind") == kind]
            cells = [
                round(sum(rows[n][i]["recall_at_2000"] for i in idx) / len(idx), 3)
                for n in ("product", "baseline", "bm25")
            ]
            print(f"{kind:<16}" + "".join(f"{c!s:>10}" for c in cells) + f"{len(idx):>6}")
    return {**result, "baseline": base, "bm25": lex, "reranked": rer, "team": team}


def team_run(
    eval_dir: Path, questions: list[dict[str, Any]], args: argparse.Namespace, tmp: Path
) -> tuple[list[list[str]], list[float]]:
    """The product's retrieval in team mode: the same articles indexed through a Chroma
    server and a PostgreSQL started here (BM25 computed by PostgreSQL)."""
    from tests.pg_support import PostgresServer
    from tests.store_support import ChromaServer

    chroma = ChromaServer(tmp / "team-chroma")
    with PostgresServer(tmp / "team-postgres") as pg:
        chroma.start()
        try:
            team = BriefingAssistant(
                Settings(
                    data_dir=tmp / "team-client",
                    embedding_model=args.model,
                    chroma_host="127.0.0.1",
                    chroma_port=chroma.port,
                    postgres_dsn=pg.database(),
                )
            )
            team.indexer().index([eval_dir / "articles.jsonl"])

            def product(q: str) -> list[str]:
                return [h.text for h in team.retriever.retrieve(q, k=RANKED_PARAGRAPHS)]

            found = timed_run(questions, product)
            team.close()
            return found
        finally:
            chroma.stop()


def evaluate_news(args: argparse.Namespace) -> dict[str, Any]:
    """The news-like set of bench/news (generated, seeded) through the same evaluation."""
    with tempfile.TemporaryDirectory(prefix="bench-news-") as tmp:
        made = write_news(Path(tmp), articles=args.news, seed=args.news_seed)
        print(f"news-like set: {made}", flush=True)
        return evaluate(Path(tmp), args, label="news")


# -- scale ---------------------------------------------------------------------------------

OUTLETS = CORPUS_OUTLETS[:8]  # the scale corpus was built with these eight
TOPICS = {
    "energy": ["power grid", "wind farm", "gas pipeline", "fuel subsidy", "solar tender"],
    "health": ["hospital wing", "vaccine drive", "nurses' contract", "clinic network"],
    "transport": ["rail link", "bus fleet", "port expansion", "toll road", "airport runway"],
    "finance": ["bond sale", "budget gap", "pension fund", "bank merger", "tax reform"],
    "politics": ["coalition deal", "election law", "cabinet reshuffle", "border treaty"],
    "climate": ["flood barrier", "drought plan", "emissions cap", "forest reserve"],
    "technology": ["chip plant", "data centre", "broadband rollout", "satellite launch"],
    "farming": ["grain harvest", "dairy quota", "fishing licence", "irrigation scheme"],
}
PLACES = [
    "Almora",
    "Brenholt",
    "Castelva",
    "Dunmere",
    "Estrava",
    "Farrowby",
    "Galen Bay",
    "Hollins",
    "Iskar",
    "Jadeport",
    "Kelmouth",
    "Lorvik",
    "Marrow Hill",
    "Norbeck",
    "Ostrava Vale",
    "Pellham",
    "Quarry Ford",
    "Rensby",
    "Saltmarsh",
    "Tovenna",
]
FIRST = [
    "Mara",
    "Jonas",
    "Elin",
    "Tomas",
    "Ravi",
    "Leila",
    "Owen",
    "Sofia",
    "Karim",
    "Hana",
    "Felix",
    "Noor",
    "Pavel",
    "Grace",
    "Yusuf",
    "Clara",
    "Amara",
    "Bruno",
    "Ilse",
    "Tariq",
]
LAST = [
    "Lindqvist",
    "Pereira",
    "Keller",
    "Menon",
    "Haddad",
    "Price",
    "Romano",
    "Dahl",
    "Ortega",
    "Sato",
    "Brandt",
    "Novak",
    "Okafor",
    "Vance",
    "Moreau",
    "Ferreira",
]
ROLES = [
    "minister",
    "spokesperson",
    "chief executive",
    "mayor",
    "union leader",
    "analyst",
    "regulator",
    "auditor",
]
VERBS = [
    "approved",
    "delayed",
    "criticised",
    "funded",
    "cancelled",
    "defended",
    "reviewed",
    "expanded",
    "blocked",
    "announced",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
TEMPLATES = [
    "{person}, the {role} in {place}, said the {thing} would be {verb} by {month}.",
    "Officials in {place} confirmed that {n} million had been spent on the {thing} since {month}.",
    "The {thing} was {verb} after {person} warned that costs had risen by {p} percent.",
    "{outlet} reported that {n} residents of {place} signed a petition against the {thing}.",
    "{person} {verb} the {thing} on {weekday}, calling it a test for the {role}.",
    "According to {person}, talks over the {thing} in {place} will resume in {month}.",
    "Critics said the {thing} left {n} workers in {place} without clear answers.",
    "The {role} of {place} {verb} a report that put the {thing} at {n} million.",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


class MemoEmbeddings(Embeddings):
    """Vectors of a known pool of texts, embedded together by the real model the first time
    a document is asked for; texts outside the pool go to the real model too (counted)."""

    def __init__(self, real: Embeddings, pool: list[str]) -> None:
        self.real, self.pool, self.misses = real, pool, 0
        self.known: dict[str, list[float]] = {}
        self.embed_s = 0.0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if self.pool:
            start = time.perf_counter()
            self.known.update(zip(self.pool, self.real.embed_documents(self.pool), strict=True))
            self.embed_s = time.perf_counter() - start
            print(
                f"embedded {len(self.pool)} distinct sentences for real in {self.embed_s:.0f} s",
                flush=True,
            )
            self.pool = []
        unknown = [t for t in dict.fromkeys(texts) if t not in self.known]
        if unknown:
            self.misses += len(unknown)
            self.known.update(zip(unknown, self.real.embed_documents(unknown), strict=True))
        return [self.known[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.real.embed_query(text)


def generate_corpus(
    paragraphs: int, rng: random.Random, titles: int, pool: int
) -> tuple[list[dict[str, Any]], dict[str, list[str]], list[str]]:
    """Articles of 6-14 paragraphs of 2-5 sentences, each article on one of ``titles``
    stories with its own pool of ``pool`` sentences; and questions about random sentences."""
    stories: dict[str, list[str]] = {}
    questions: list[str] = []
    while len(stories) < titles:
        topic = rng.choice(list(TOPICS))
        thing, place = rng.choice(TOPICS[topic]), rng.choice(PLACES)
        title = f"{place} {thing} {rng.choice(VERBS)} amid {topic} dispute {len(stories) + 1}"
        sentences: set[str] = set()
        while len(sentences) < pool:
            slots = {
                "person": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "role": rng.choice(ROLES),
                "place": place if rng.random() < 0.6 else rng.choice(PLACES),
                "thing": rng.choice(TOPICS[topic]),
                "verb": rng.choice(VERBS),
                "month": rng.choice(MONTHS),
                "n": rng.randint(2, 900),
                "p": rng.randint(2, 60),
                "outlet": rng.choice(OUTLETS),
                "weekday": rng.choice(WEEKDAYS),
            }
            sentences.add(rng.choice(TEMPLATES).format(**slots))
            if len(questions) < 2000 and rng.random() < 0.05:
                who, what, where = slots["person"], slots["thing"], slots["place"]
                questions.append(f"What did {who} say about the {what} in {where}?")
        stories[title] = sorted(sentences)
    records: list[dict[str, Any]] = []
    made = 0
    while made < paragraphs:
        title = rng.choice(list(stories))
        count = min(rng.randint(6, 14), paragraphs - made)
        body = "\n\n".join(
            " ".join(rng.sample(stories[title], rng.randint(2, 5))) for _ in range(count)
        )
        day = len(records) % 700
        records.append(
            {
                "title": title,
                "source": rng.choice(OUTLETS),
                "body": body,
                "url": f"https://news.example/{len(records)}",
                "published_at": (dt.date(2023, 1, 1) + dt.timedelta(days=day)).isoformat(),
            }
        )
        made += count
    return records, stories, questions


def scale(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    records, stories, questions = generate_corpus(args.scale, rng, args.titles, args.pool)
    real = make_embeddings(args.model)
    texts = [f"{title}\n{s}" for title, pool in stories.items() for s in pool]
    memo = MemoEmbeddings(real, texts)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch:
        tmp = args.keep or scratch  # --keep: reuse (or leave) the index there
        corpus = Path(tmp) / "corpus"
        corpus.mkdir(parents=True, exist_ok=True)
        for start in range(0, len(records), 200):  # files well under the size limit
            with (corpus / f"part-{start:07d}.jsonl").open("w", encoding="utf-8") as fh:
                for r in records[start : start + 200]:
                    fh.write(json.dumps(r) + "\n")
        settings = Settings(data_dir=Path(tmp) / "data", embedding_model=args.model)
        assistant = BriefingAssistant(settings, embeddings=memo)
        start = time.perf_counter()
        report = assistant.indexer().index([corpus])
        index_s = time.perf_counter() - start
        for failure in report.failed:
            print(f"failed: {failure}", file=sys.stderr)
        articles, paragraphs = assistant.manifest.counts()
        print(
            f"index of {paragraphs} paragraphs ({articles} articles; {report.new} new) in "
            f"{index_s:.0f} s; {memo.misses} texts were not in the memo",
            flush=True,
        )
        start = time.perf_counter()
        assistant.lexical_index()
        lexical_s = time.perf_counter() - start
        print(f"BM25 (paragraphs and sentences) ready in {lexical_s:.1f} s", flush=True)
        queries = rng.sample(questions, min(args.queries, len(questions)))

        def plain(q: str) -> list[str]:
            return [h.text for h in assistant.retriever.retrieve(q)]

        def filtered(filters: Filters) -> Callable[[str], list[str]]:
            return lambda q: [h.text for h in assistant.retriever.retrieve(q, filters=filters)]

        asked = [{"question": q} for q in queries]
        _, latencies = timed_run(asked, plain)
        # A broad filter (one publisher of eight) and a narrow one (one month of two years).
        _, filtered_latencies = timed_run(asked, filtered(Filters(sources=(OUTLETS[0],))))
        month = Filters(since=dt.date(2023, 3, 1), until=dt.date(2023, 3, 31))
        _, month_latencies = timed_run(asked, filtered(month))
        # Both tunings, whichever the corpus calls for: the news one fetches neighbours too.
        tunings = {}
        for name, tuning in PROFILES.items():
            other = assistant.retriever.model_copy(update={"tuning": tuning})
            _, tuned = timed_run(asked, lambda q, r=other: [h.text for h in r.retrieve(q)])
            tunings[name] = round(1000 * percentile(tuned, 0.95), 1)
        median_chars = assistant.lexical_index().median_chars()
    result = {
        "scale_paragraphs": paragraphs,
        "articles": articles,
        "queries": len(queries),
        "p50_ms": round(1000 * statistics.median(latencies), 1),
        "p95_ms": round(1000 * percentile(latencies, 0.95), 1),
        "filtered_p95_ms": round(1000 * percentile(filtered_latencies, 0.95), 1),
        "month_filtered_p95_ms": round(1000 * percentile(month_latencies, 0.95), 1),
        "median_paragraph_chars": median_chars,
        **{f"{name}_tuning_p95_ms": value for name, value in tunings.items()},
        "distinct_sentences_embedded": len(texts),
        "index_reused": report.new == 0,
        "memo_misses": memo.misses,
        "index_s": round(index_s, 1),
        "bm25_build_s": round(lexical_s, 2),
    }
    print(
        f"retrieval (k={assistant.retriever.k}) at {paragraphs} paragraphs: "
        f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
        f"p95 with a publisher filter {result['filtered_p95_ms']} ms, "
        f"with a one-month filter {result['month_filtered_p95_ms']} ms; p95 with the "
        + ", ".join(f"{name} tuning {value} ms" for name, value in tunings.items())
        + f" (median paragraph {median_chars:.0f} characters)"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", nargs="?", type=Path, help="eval dir with articles/questions")
    parser.add_argument("--dump", help="write the product's ranked texts per question here")
    parser.add_argument("--dump-baseline", help="the same for the baseline")
    parser.add_argument(
        "--model", help="embedding model spec (default: the product's, as settings say)"
    )
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions")
    parser.add_argument(
        "--no-rerank",
        dest="rerank",
        action="store_false",
        help="skip the reranked column (the reader model over 16 paragraphs a question: "
        "about 2 s each); it then repeats the product's",
    )
    parser.add_argument(
        "--team",
        action="store_true",
        help="also index into team mode (a Chroma server and a PostgreSQL started here) and "
        "print its figures beside embedded mode's",
    )
    parser.add_argument("--scale", type=int, default=0, help="time retrieval at N paragraphs")
    parser.add_argument("--queries", type=int, default=300, help="queries timed with --scale")
    parser.add_argument("--titles", type=int, default=200, help="stories in the scale corpus")
    parser.add_argument("--pool", type=int, default=60, help="sentences per story")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--news",
        type=int,
        default=300,
        help="also the generated news-like set (bench/news) of about N articles; 0: skip",
    )
    parser.add_argument("--news-seed", type=int, default=19)
    parser.add_argument(
        "--keep",
        help="with --scale: keep the index in this folder; a rerun with the same "
        "--scale/--seed finds it unchanged and only times the queries",
    )
    args = parser.parse_args()
    args.model = args.model or Settings(data_dir=Path(tempfile.gettempdir())).embedding_model
    print(f"embedding model: {args.model}", flush=True)
    if args.scale:
        result = scale(args)
    elif args.dir or args.news:
        result = evaluate(args.dir, args) if args.dir else {}
        if args.news:
            result["news"] = evaluate_news(args)
    else:
        parser.error("give an eval DIR, --news N or --scale N")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
