"""Time per answered question, this tree against another commit, in the same run: the eval
set's articles indexed once per tree (the packaged model), the answer backend warmed up on one
question, then each question asked in turn (``ask``: retrieval, reading, composing), tree A and
tree B alternating in blocks so both see the same machine. The naive LangChain baseline's time
(retriever + "stuff" prompt, no reading) is printed beside them for scale.

    python bench/latency.py [DIR] --before 886fa68 [--limit 200] [--block 50]

Prints mean, p50 and p95 seconds per question per tree and the difference, and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.startup import tree_of  # noqa: E402

# Runs inside a tree: index the articles (once per data dir), then time the questions given.
WORKER = r"""
import json, os, sys, time
from pathlib import Path
sys.path.insert(0, os.getcwd())
from assistant.service import BriefingAssistant
from assistant.settings import Settings
data, articles, questions = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
assistant = BriefingAssistant(Settings(data_dir=data))
if not (data / "indexed").exists():
    assistant.indexer().index([articles])
    (data / "indexed").write_text("yes")
for q in questions[:2]:  # warm: models, parser and caches loaded by real questions
    assistant.ask(q, conversation=None)
out = []
for q in questions:
    t = time.perf_counter()
    assistant.ask(q, conversation=None)
    out.append(time.perf_counter() - t)
print("TIMES " + json.dumps(out))
"""


def questions_of(folder: Path, limit: int) -> list[str]:
    rows = [json.loads(line) for line in (folder / "questions.jsonl").open(encoding="utf-8")]
    return [r["question"] for r in rows[:limit]]


def articles_file(folder: Path, into: Path) -> Path:
    """The eval articles as one JSONL file the indexer reads."""
    path = into / "articles.jsonl"
    path.write_text((folder / "articles.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    return path


def run_block(tree: Path, data: Path, articles: Path, questions: list[str]) -> list[float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}
    env.update(HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False", PYTHONPATH=str(tree))
    done = subprocess.run(
        [sys.executable, "-c", WORKER, str(data), str(articles), json.dumps(questions)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("TIMES "))
    return [float(x) for x in json.loads(line.removeprefix("TIMES "))]


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return {
        "mean": round(statistics.fmean(times), 4),
        "p50": round(statistics.median(times), 4),
        "p95": round(p95, 4),
    }


def baseline_times(folder: Path, questions: list[str]) -> list[float]:
    """The naive LangChain baseline (bench/baseline.py): similarity search, top 4 chunks
    stuffed into a prompt; no reader. What a question costs without one, for scale."""
    import time

    from assistant.settings import Settings
    from bench.baseline import build_baseline
    from bench.retrieval import load_articles
    from vectorstore.embeddings import make_embeddings

    store = build_baseline(
        load_articles(folder / "articles.jsonl"), make_embeddings(Settings().embedding_model)
    )
    store.similarity_search("What is this about?", k=4)
    out = []
    for q in questions:
        t = time.perf_counter()
        docs = store.similarity_search(q, k=4)
        "\n\n".join(d.page_content for d in docs)
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", nargs="?", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--before", required=True, help="the commit to compare with")
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--block", type=int, default=50, help="questions per turn")
    args = parser.parse_args()
    questions = questions_of(args.dir, args.limit)
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
        work = Path(tmp)
        articles = articles_file(args.dir, work)
        trees = {"now": ROOT, "before": tree_of(args.before, work / "before")}
        times: dict[str, list[float]] = {name: [] for name in trees}
        for start in range(0, len(questions), args.block):
            block = questions[start : start + args.block]
            for name, tree in trees.items():
                times[name] += run_block(tree, work / f"data-{name}", articles, block)
    times["baseline"] = baseline_times(args.dir, questions)
    figures = {name: summary(t) for name, t in times.items()}
    print(f"{len(questions)} questions of {args.dir}, blocks of {args.block}, turn about")
    print(f"{'':>8} {'mean':>8} {'p50':>8} {'p95':>8}")
    for name, f in figures.items():
        print(f"{name:>8} {f['mean']:>8} {f['p50']:>8} {f['p95']:>8}")
    delta = {k: round(figures["now"][k] - figures["before"][k], 4) for k in ("mean", "p50", "p95")}
    print(f"{'added':>8} {delta['mean']:>8} {delta['p50']:>8} {delta['p95']:>8}")
    print(
        json.dumps(
            {
                "bench": "latency",
                "questions": len(questions),
                "before": args.before,
                "figures": figures,
                "added": delta,
                "load": os.getloadavg(),
            }
        )
    )


if __name__ == "__main__":
    main()
