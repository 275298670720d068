"""Ingest throughput against raw model.encode and the naive LangChain baseline, in one run.

    python bench/ingest.py DIR [--generate 2000] [--model SPEC] [--rounds 4] [--cli-first]
    python bench/ingest.py --generate 2000          # the generated corpus only

For each corpus — DIR/articles.jsonl (e.g. ../shared/eval) and, with ``--generate N``, N
synthetic articles in mixed formats written by bench/corpus.py — with the model loaded once
and warmed up beforehand:

- ingest: the product's indexer (read, parse, split, embed, Chroma, manifest) into a fresh
  data dir, in this process; paragraphs per second. The time spent inside the model is
  counted apart (``ingest_model_seconds``; the store embeds each sentence with its title);
- raw encode: ``model.encode`` of the same paragraphs (title + paragraph text), batch 32,
  nothing else; ``raw_encode_ratio`` = ingest time / raw encode time (target ≤ 1.1).
  Ingest and raw encode alternate over ``--rounds`` slices of the files, so that a change in
  the load of the (shared) machine hits both alike;
- baseline: RecursiveCharacterTextSplitter 1000/200 + Chroma.from_documents (persistent, same
  model) over the same article bodies, already read (bench/baseline.py);
  ``baseline_speedup`` = baseline time / ingest time;
- re-run: ``briefing index PATH`` as a fresh process on the unchanged corpus against the
  index built above; ``rerun_fraction`` = its wall time / the ingest time (target < 0.05);
  with ``--cli-first`` the denominator is a first ``briefing index`` run into a fresh data
  dir instead (one more full pass; longer, as it adds start-up and model loading).

The load average is printed (the 2 cores may be shared). The last line is one JSON object
with the figures of the main corpus (the generated one when asked for) and every corpus
under "corpora".
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from langchain_core.embeddings import Embeddings  # noqa: E402

from assistant.service import BriefingAssistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from bench.baseline import build_baseline  # noqa: E402
from bench.corpus import write_corpus  # noqa: E402
from ingest.loaders import iter_sources, read_source  # noqa: E402
from ingest.models import Article  # noqa: E402
from vectorstore.embeddings import make_embeddings  # noqa: E402

BATCH = 32


class TimedEmbeddings(Embeddings):
    """Passes through to the real embeddings and adds up the time spent in them."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.seconds = 0.0
        self.texts = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        start = time.perf_counter()
        try:
            return self.inner.embed_documents(texts)
        finally:
            self.seconds += time.perf_counter() - start
            self.texts += len(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def read_articles(sources: list[str]) -> list[Article]:
    articles: dict[str, Article] = {}
    for source in sources:
        for item in read_source(source):
            if isinstance(item, Article):
                articles.setdefault(item.id, item)
    return list(articles.values())


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def raw_encoder(embeddings: Embeddings) -> Callable[[list[str]], Any]:
    """The model's own encode call, without the Embeddings wrapper or anything else."""
    model = getattr(embeddings, "model", None)  # SentenceTransformerEmbeddings
    if model is not None:
        return lambda texts: model.encode(
            texts, batch_size=BATCH, normalize_embeddings=True, show_progress_bar=False
        )
    encode = getattr(embeddings, "_encode", None)  # OnnxEmbeddings: tokenizer + session
    if encode is not None:
        return encode  # type: ignore[no-any-return]
    raise SystemExit("raw encode needs a real model (all-MiniLM-L6-v2, onnx:…), not a fake one")


def encode_seconds(encode: Callable[[list[str]], Any], texts: list[str]) -> float:
    if not texts:
        return 0.0
    seconds, _ = timed(lambda: encode(texts))
    return float(seconds)


def cli_index(path: Path, model: str, data: Path, cwd: Path) -> float:
    """Wall time of `briefing index PATH` as a fresh process."""
    env = dict(os.environ, BRIEFING_DATA_DIR=str(data), BRIEFING_EMBEDDING_MODEL=model)
    env.pop("BRIEFING_CHROMA_HOST", None)
    cmd = [str(Path(sys.executable).with_name("briefing")), "index", str(path)]
    cwd.mkdir(parents=True, exist_ok=True)
    seconds, done = timed(
        lambda: subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=cwd)
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"briefing index failed: {done.stderr[-2000:]}")
    return float(seconds)


def measure(
    name: str,
    path: Path,
    embeddings: Embeddings,
    model_spec: str,
    work: Path,
    *,
    rounds: int,
    baseline: bool,
    cli_first: bool,
) -> dict[str, Any]:
    """Ingest and raw encode interleaved over ``rounds`` slices of the files (so that a
    change in the machine's load hits both alike), then the baseline and the CLI runs."""
    encode = raw_encoder(embeddings)
    sources = [s for s in iter_sources([path]) if isinstance(s, str)]
    slices = [sources[i::rounds] for i in range(min(rounds, len(sources)))]
    data = work / f"{name}-data"
    timer = TimedEmbeddings(embeddings)
    assistant = BriefingAssistant(
        Settings(data_dir=data, embedding_model=model_spec), embeddings=timer
    )
    ingest_s = raw_s = 0.0
    paragraphs = new = failed = 0
    all_articles: list[Article] = []
    print(f"\n[{name}] {path}: {len(sources)} files in {len(slices)} rounds")
    for i, part in enumerate(slices, 1):
        seconds, report = timed(lambda part=part: assistant.indexer().index(part))
        articles = read_articles(part)  # the same articles, read again (not timed)
        texts = [f"{a.title}\n{p.text}" for a in articles for p in a.paragraphs]
        raw = encode_seconds(encode, texts)
        ingest_s, raw_s = ingest_s + seconds, raw_s + raw
        paragraphs, new, failed = (
            paragraphs + report.paragraphs,
            new + report.new,
            failed + len(report.failed),
        )
        all_articles += articles
        print(
            f"  round {i}: ingest {seconds:7.2f} s, raw encode {raw:7.2f} s "
            f"({report.paragraphs} paragraphs, load {os.getloadavg()[0]:.1f})"
        )
    inproc_rerun_s, rerun = timed(lambda: assistant.indexer().index([path]))
    assistant.close()
    assert paragraphs == sum(len(a.paragraphs) for a in all_articles), "paragraph counts differ"
    print(
        f"  ingest:      {ingest_s:8.2f} s  {paragraphs / ingest_s:6.1f} paragraphs/s "
        f"({new} articles; {timer.seconds:.2f} s inside the model for {timer.texts} texts)"
    )
    print(
        f"  raw encode:  {raw_s:8.2f} s  {paragraphs / raw_s:6.1f} paragraphs/s "
        f"(title + paragraph, batch {BATCH})  ratio {ingest_s / raw_s:.3f}"
    )
    result: dict[str, Any] = {
        "articles": len(all_articles),
        "paragraphs": paragraphs,
        "ingest_seconds": round(ingest_s, 2),
        "paragraphs_per_s": round(paragraphs / ingest_s, 2),
        "raw_encode_seconds": round(raw_s, 2),
        "raw_encode_ratio": round(ingest_s / raw_s, 3),
        "embedded_texts": timer.texts,
        "ingest_model_seconds": round(timer.seconds, 2),
        "ingest_outside_model_seconds": round(ingest_s - timer.seconds, 2),
        "inprocess_rerun_seconds": round(inproc_rerun_s, 3),
        "failed": failed,
    }
    if baseline:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        client = chromadb.PersistentClient(
            path=str(work / f"{name}-baseline"),
            settings=ChromaSettings(anonymized_telemetry=False),
        )
        base_s, store = timed(lambda: build_baseline(all_articles, embeddings, client=client))
        chunks = store._collection.count()
        result.update(
            baseline_seconds=round(base_s, 2),
            baseline_chunks=chunks,
            baseline_speedup=round(base_s / ingest_s, 3),
        )
        print(
            f"  baseline:    {base_s:8.2f} s  ({chunks} chunks of 1000/200 characters, "
            f"Chroma.from_documents)"
        )
    # Re-running the CLI on the unchanged corpus, against the index the first run built.
    rerun_s = cli_index(path, model_spec, data, work / name)
    first_s = cli_index(path, model_spec, work / f"{name}-cli", work / name) if cli_first else None
    denominator = first_s or ingest_s
    result.update(
        cli_rerun_seconds=round(rerun_s, 2),
        cli_first_seconds=round(first_s, 2) if first_s else None,
        rerun_fraction=round(rerun_s / denominator, 4),
    )
    what = "`briefing index` first run" if first_s else "the ingest above"
    print(
        f"  `briefing index` on the unchanged corpus: {rerun_s:.2f} s = "
        f"{100 * rerun_s / denominator:.2f} % of {what} ({denominator:.1f} s); "
        f"in-process re-run {inproc_rerun_s:.2f} s ({rerun.unchanged} unchanged)"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", nargs="?", type=Path, help="folder with articles.jsonl")
    parser.add_argument("--generate", type=int, default=0, help="also N generated articles")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--model", default="all-MiniLM-L6-v2", help="embedding model spec")
    parser.add_argument("--no-baseline", action="store_true", help="skip the LangChain baseline")
    parser.add_argument("--rounds", type=int, default=4, help="interleaving rounds")
    parser.add_argument(
        "--cli-first",
        action="store_true",
        help="also time a first `briefing index` run as a fresh process (one more full pass); "
        "without it the re-run is compared with the in-process ingest, which is shorter",
    )
    args = parser.parse_args()
    if not args.dir and not args.generate:
        parser.error("give DIR, --generate N, or both")

    load_before = os.getloadavg()
    print(f"load average before: {load_before[0]:.2f} (cores: {os.cpu_count()})")
    embeddings = make_embeddings(args.model)
    warm_s, _ = timed(lambda: embeddings.embed_documents(["warm up"] * BATCH))
    print(f"model {args.model} loaded and warmed up in {warm_s:.1f} s")

    corpora: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        work = Path(tmp)
        if args.dir:
            path = args.dir / "articles.jsonl" if args.dir.is_dir() else args.dir
            corpora[args.dir.name or "dir"] = measure(
                args.dir.name or "dir",
                path,
                embeddings,
                args.model,
                work,
                rounds=args.rounds,
                baseline=not args.no_baseline,
                cli_first=args.cli_first,
            )
        if args.generate:
            corpus = work / "corpus"
            gen_s, counts = timed(lambda: write_corpus(corpus, args.generate, args.seed))
            print(f"\ngenerated {args.generate} articles in {gen_s:.1f} s: {counts}")
            corpora["generated"] = measure(
                "generated",
                corpus,
                embeddings,
                args.model,
                work,
                rounds=args.rounds,
                baseline=not args.no_baseline,
                cli_first=args.cli_first,
            )
        shutil.rmtree(work, ignore_errors=True)
    load_after = os.getloadavg()
    print(f"\nload average after: {load_after[0]:.2f}")
    main_name = "generated" if args.generate else next(iter(corpora))
    summary = {
        **corpora[main_name],
        "corpus": main_name,
        "model": args.model,
        "load_avg_before": round(load_before[0], 2),
        "load_avg_after": round(load_after[0], 2),
        "cores": os.cpu_count(),
        "corpora": corpora,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
