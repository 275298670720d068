"""Ingest throughput against raw model.encode and the naive LangChain baseline, in one run.

    python bench/ingest.py DIR [--generate 2000] [--model SPEC] [--rounds 8] [--cli-first]
    python bench/ingest.py --generate 2000          # the generated corpus only

For each corpus — DIR/articles.jsonl (e.g. ../shared/eval) and, with ``--generate N``, N
synthetic articles in mixed formats written by bench/corpus.py — with the model loaded once
and warmed up beforehand:

- ingest: the product's indexer (read, parse, split, embed, Chroma, manifest) into a fresh
  data dir, in this process; paragraphs per second. The wall time spent inside the model is
  counted apart (``ingest_model_seconds``);
- raw encode: the same runtime's own encode call on the same paragraphs' texts, nothing
  else (torch: sentence-transformers ``model.encode``, batch 32, its default; onnx: the
  tokenizer and the session at their batch size); ``raw_encode_ratio`` = ingest time / raw
  encode time (target ≤ 1.1). With ``--reference-model all-MiniLM-L6-v2`` the
  sentence-transformers ``model.encode`` of the same texts is timed too
  (``reference_encode_ratio``): the product's default runtime is an ONNX export of that
  model, so this is the ratio to "the model's encode" as the library gives it. The store
  reads each paragraph after its article's title (one pass giving the paragraph's and its
  sentences' vectors, vectorstore/sentences.py), so the same raw encode of exactly those
  texts is timed too (``store_texts_ratio``: what the pipeline costs beyond embedding what
  it reads).
  Ingest and raw encodes alternate over ``--rounds`` slices of the files, and every
  figure is also given in CPU seconds of this process (all threads), which a shared
  machine's load barely moves, unlike wall time;
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
import statistics
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

    def embed_in_context(self, texts: list[str], spans: list[Any]) -> Any:
        """The one pass the store makes per paragraph (real models have it)."""
        start = time.perf_counter()
        try:
            return self.inner.embed_in_context(texts, spans)  # type: ignore[attr-defined]
        finally:
            self.seconds += time.perf_counter() - start
            self.texts += len(texts)


def read_articles(sources: list[str]) -> list[Article]:
    articles: dict[str, Article] = {}
    for source in sources:
        for item in read_source(source):
            if isinstance(item, Article):
                articles.setdefault(item.id, item)
    return list(articles.values())


def embedded_texts(articles: list[Article]) -> list[str]:
    """What the store's model pass reads: each paragraph after its article's title."""
    from vectorstore.sentences import context_text

    return [context_text(a, p) for a in articles for p in a.paragraphs]


def warm_up(encode: Callable[[list[str]], Any], articles: list[Article]) -> None:
    """Encode (untimed) texts of every length the corpus has: torch's first pass over new
    input shapes is slower, and whichever step ran first would pay for it."""
    for texts, most in (
        ([p.text for a in articles for p in a.paragraphs], 256),
        (embedded_texts(articles), 512),
    ):
        ordered = sorted(texts, key=len)
        step = max(1, len(ordered) // most)
        encode(ordered[::step])


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def cpu_timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds of this process, all threads, result). CPU time hardly
    moves when other processes load the machine; wall time does."""
    cpu = time.process_time()
    wall, result = timed(fn)
    return wall, time.process_time() - cpu, result


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


def raw_batch(embeddings: Embeddings) -> int:
    """Texts per batch of the raw encode: model.encode's default, or the ONNX runtime's own."""
    return BATCH if getattr(embeddings, "model", None) is not None else embeddings.batch_size  # type: ignore[attr-defined,no-any-return]


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
    store_texts: bool,
    cli_first: bool,
    baseline_embeddings: Embeddings | None = None,
    reference: Embeddings | None = None,
) -> dict[str, Any]:
    """Ingest and raw encodes interleaved over ``rounds`` slices of the files (a corpus of
    fewer files is ingested whole that many times, each into a fresh data dir), the order
    within a round alternating, so that the shared machine's changing load and any warm-up
    hit both alike; then the baseline and the CLI re-run."""
    encode = raw_encoder(embeddings)
    sources = [s for s in iter_sources([path]) if isinstance(s, str)]
    repeat = len(sources) < rounds
    slices = [sources] * rounds if repeat else [sources[i::rounds] for i in range(rounds)]
    reference_encode = raw_encoder(reference) if reference is not None else None
    corpus = read_articles(sources)
    for warm in (encode, reference_encode):
        if warm is not None:
            warm_up(warm, corpus)
    timer = TimedEmbeddings(embeddings)
    what = "repetitions of the whole corpus" if repeat else "slices of the files"
    print(f"\n[{name}] {path}: {len(sources)} files; {rounds} {what}")
    keys = ("ingest", "raw", "own", "ref")
    totals = dict.fromkeys([k for key in keys for k in (key, key + "_cpu")], 0.0)
    ratios: list[float] = []
    paragraphs = new = failed = 0
    all_articles: dict[str, Article] = {}
    assistant = None
    for i, part in enumerate(slices):
        if assistant is None or repeat:
            if assistant is not None:
                assistant.close()
            data = work / f"{name}-data-{i}" if repeat else work / f"{name}-data"
            assistant = BriefingAssistant(
                Settings(data_dir=data, embedding_model=model_spec), embeddings=timer
            )
        articles = read_articles(part)  # what the indexer will read (this read is not timed)
        texts = [p.text for a in articles for p in a.paragraphs]
        indexer = assistant.indexer()
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("ingest", lambda part=part, indexer=indexer: indexer.index(part)),
            ("raw", lambda texts=texts: encode(texts)),
        ]
        if store_texts:
            own_texts = embedded_texts(articles)
            steps.append(("own", lambda own_texts=own_texts: encode(own_texts)))
        if reference_encode is not None:
            steps.append(("ref", lambda texts=texts: reference_encode(texts)))
        took: dict[str, float] = {}
        for key, step in steps if i % 2 == 0 else steps[::-1]:
            wall, cpu, result = cpu_timed(step)
            took[key] = wall
            totals[key] += wall
            totals[key + "_cpu"] += cpu
            if key == "ingest":
                report = result
        paragraphs += report.paragraphs
        new += report.new
        failed += len(report.failed)
        all_articles.update((a.id, a) for a in articles)
        ratios.append(took["ingest"] / took["raw"])
        print(
            f"  round {i + 1}: ingest {took['ingest']:7.2f} s, raw encode {took['raw']:7.2f} s"
            + (f", raw encode of the store's texts {took['own']:7.2f} s" if store_texts else "")
            + (f", reference encode {took['ref']:7.2f} s" if reference_encode else "")
            + f"; {report.paragraphs} paragraphs, load {os.getloadavg()[0]:.1f}"
        )
    assert assistant is not None
    inproc_rerun_s, rerun = timed(lambda: assistant.indexer().index([path]))
    assistant.close()
    ingest_s, raw_s = totals["ingest"], totals["raw"]
    print(
        f"  ingest:      {ingest_s:8.2f} s  {paragraphs / ingest_s:6.1f} paragraphs/s "
        f"({new} new articles over the rounds; {timer.seconds:.2f} s inside the model for "
        f"{timer.texts} texts)"
    )
    print(
        f"  raw encode:  {raw_s:8.2f} s  {paragraphs / raw_s:6.1f} paragraphs/s (paragraph "
        f"texts, batch {raw_batch(embeddings)}); ingest / raw: {ingest_s / raw_s:.3f} (CPU time "
        f"{totals['ingest_cpu'] / totals['raw_cpu']:.3f}; median of rounds "
        f"{statistics.median(ratios):.3f})"
    )
    result: dict[str, Any] = {
        "articles": len(all_articles),
        "paragraphs": paragraphs // (rounds if repeat else 1),
        "paragraphs_ingested": paragraphs,
        "ingest_seconds": round(ingest_s, 2),
        "paragraphs_per_s": round(paragraphs / ingest_s, 2),
        "raw_encode_seconds": round(raw_s, 2),
        "raw_encode_ratio": round(ingest_s / raw_s, 3),
        "raw_encode_ratio_median_round": round(statistics.median(ratios), 3),
        "raw_encode_cpu_ratio": round(totals["ingest_cpu"] / totals["raw_cpu"], 3),
        "embedded_texts": timer.texts,
        "ingest_model_seconds": round(timer.seconds, 2),
        "ingest_outside_model_seconds": round(ingest_s - timer.seconds, 2),
        "inprocess_rerun_seconds": round(inproc_rerun_s, 3),
        "failed": failed,
    }

    def versus(key: str, label: str, seconds_name: str, ratio_name: str) -> None:
        """Print and record ingest against the encode step ``key``, in wall and CPU time."""
        step_s = totals[key]
        print(
            f"  {label}: {step_s:.2f} s; ingest / that: {ingest_s / step_s:.3f} (CPU time "
            f"{totals['ingest_cpu'] / totals[key + '_cpu']:.3f})"
        )
        result[seconds_name] = round(step_s, 2)
        result[f"{ratio_name}_ratio"] = round(ingest_s / step_s, 3)
        result[f"{ratio_name}_cpu_ratio"] = round(totals["ingest_cpu"] / totals[key + "_cpu"], 3)

    if reference_encode is not None:
        versus(
            "ref",
            f"reference sentence-transformers model.encode (paragraph texts, batch {BATCH})",
            "reference_encode_seconds",
            "reference_encode",
        )
    if store_texts:
        versus(
            "own",
            f"raw encode of the {timer.texts} texts the store reads (title + paragraph)",
            "store_texts_encode_seconds",
            "store_texts",
        )
    # Baseline and re-run compare with one ingest of the whole corpus.
    per_corpus = rounds if repeat else 1
    ingest_once, ingest_cpu = ingest_s / per_corpus, totals["ingest_cpu"] / per_corpus
    data = Path(assistant.settings.data_dir)
    if baseline:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        client = chromadb.PersistentClient(
            path=str(work / f"{name}-baseline"),
            settings=ChromaSettings(anonymized_telemetry=False),
        )
        base_s, base_cpu, store = cpu_timed(
            lambda: build_baseline(
                list(all_articles.values()), baseline_embeddings or embeddings, client=client
            )
        )
        chunks = store._collection.count()
        result.update(
            baseline_seconds=round(base_s, 2),
            baseline_chunks=chunks,
            baseline_speedup=round(base_s / ingest_once, 3),
            baseline_cpu_seconds=round(base_cpu, 2),
            baseline_cpu_speedup=round(base_cpu / ingest_cpu, 3),
        )
        print(
            f"  baseline:    {base_s:8.2f} s  ({chunks} chunks of 1000/200 characters, "
            f"Chroma.from_documents)"
        )
    # Re-running the CLI on the unchanged corpus, against the index the first run built.
    rerun_s = cli_index(path, model_spec, data, work / name)
    first_s = cli_index(path, model_spec, work / f"{name}-cli", work / name) if cli_first else None
    denominator = first_s or ingest_once
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
    parser.add_argument(
        "--model", help="embedding model spec (default: the product's, as settings say)"
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the LangChain baseline")
    parser.add_argument(
        "--baseline-model",
        help="embedding model spec of the baseline (default: --model); e.g. the product's "
        "fast path `--model onnx-int8:all-MiniLM-L6-v2` against the tutorial's torch model "
        "`--baseline-model all-MiniLM-L6-v2`",
    )
    parser.add_argument(
        "--reference-model",
        help="also time this torch model's sentence-transformers model.encode on the same "
        "paragraph texts, e.g. all-MiniLM-L6-v2 when --model is its onnx export",
    )
    parser.add_argument("--rounds", type=int, default=8, help="interleaving rounds")
    parser.add_argument(
        "--no-store-texts",
        action="store_true",
        help="skip the raw encode of the sentence texts the store embeds (one pass less)",
    )
    parser.add_argument(
        "--cli-first",
        action="store_true",
        help="also time a first `briefing index` run as a fresh process (one more full pass); "
        "without it the re-run is compared with the in-process ingest, which is shorter",
    )
    args = parser.parse_args()
    if not args.dir and not args.generate:
        parser.error("give DIR, --generate N, or both")

    args.model = args.model or Settings(data_dir=Path(tempfile.gettempdir())).embedding_model
    load_before = os.getloadavg()
    print(f"load average before: {load_before[0]:.2f} (cores: {os.cpu_count()})")
    embeddings = make_embeddings(args.model)
    baseline_embeddings = make_embeddings(args.baseline_model) if args.baseline_model else None
    if baseline_embeddings is not None:
        baseline_embeddings.embed_documents(["warm up"] * BATCH)
    reference = make_embeddings(args.reference_model) if args.reference_model else None
    if reference is not None and getattr(reference, "model", None) is None:
        parser.error("--reference-model takes a torch (sentence-transformers) model spec")
    warm_s, _ = timed(lambda: embeddings.embed_documents(["warm up"] * BATCH))
    print(f"model {args.model} loaded and warmed up in {warm_s:.1f} s")

    corpora: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        work = Path(tmp)
        inputs: list[tuple[str, Path]] = []
        if args.dir:
            path = args.dir / "articles.jsonl" if args.dir.is_dir() else args.dir
            if not path.is_file():
                parser.error(f"{path}: no such file (the dev set's articles.jsonl)")
            inputs.append((args.dir.name or "dir", path))
        if args.generate:
            corpus = work / "corpus"
            gen_s, counts = timed(lambda: write_corpus(corpus, args.generate, args.seed))
            print(f"\ngenerated {args.generate} articles in {gen_s:.1f} s: {counts}")
            inputs.append(("generated", corpus))
        for name, path in inputs:
            corpora[name] = measure(
                name,
                path,
                embeddings,
                args.model,
                work,
                rounds=args.rounds,
                store_texts=not args.no_store_texts,
                baseline=not args.no_baseline,
                cli_first=args.cli_first,
                baseline_embeddings=baseline_embeddings,
                reference=reference,
            )
        shutil.rmtree(work, ignore_errors=True)
    load_after = os.getloadavg()
    print(f"\nload average after: {load_after[0]:.2f}")
    main_name = "generated" if args.generate else next(iter(corpora))
    summary = {
        **corpora[main_name],
        "corpus": main_name,
        "model": args.model,
        "baseline_model": args.baseline_model or args.model,
        "reference_model": args.reference_model,
        "load_avg_before": round(load_before[0], 2),
        "load_avg_after": round(load_after[0], 2),
        "cores": os.cpu_count(),
        "corpora": corpora,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
