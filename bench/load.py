"""Load: N threads ask in parallel against one store, embedded and on a Chroma server.

    python bench/load.py [--threads 8] [--questions 160] [--max-seconds 120]
                         [--mode both|embedded|server] [--model onnx:all-MiniLM-L6-v2]
                         [--articles 0]

One BriefingAssistant per mode is shared by all threads, as the Streamlit app shares its
cached one among sessions. The store holds samples/ (plus ``--articles`` synthetic ones from
bench/corpus.py); the server mode starts `chroma run` on 127.0.0.1 and stops it. Bounded: at
most ``--questions`` per mode and ``--max-seconds`` of asking; loopback only.

Per mode: throughput (answers/s), p50/p95/max latency, errors (must be 0; exit 1 otherwise),
refusals, and peak RSS (sampled while asking) of this process and of the Chroma server.
The last line is JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

# Questions about samples/, in our own words (not the development set).
QUESTIONS = [
    "How many North Korean troops are in the Kursk region?",
    "Who confirmed the troop numbers?",
    "What did South Korea's spy agency say about special forces?",
    "Did North Korean soldiers desert near the border?",
    "What did Putin say when asked about the troops?",
    "Have North Korean units been in combat in Kursk?",
    "What did Zelensky say about 10,000 personnel?",
    "What does NATO say about the deployment?",
    "Which outlet reported desertions?",
    "When were the troops first reported in Russia?",
    "What is the capital of Australia?",  # not in the articles: a refusal
    "How much does a ticket to the moon cost?",
]


def rss_mb(pid: int | str = "self") -> float:
    """Resident set size now, in MB (Linux /proc)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class PeakRss:
    """Samples the RSS of some processes every 20 ms while running."""

    def __init__(self, pids: dict[str, int | str]) -> None:
        self.pids = pids
        self.peak = dict.fromkeys(pids, 0.0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, pid in self.pids.items():
                with contextlib.suppress(OSError):
                    self.peak[name] = max(self.peak[name], rss_mb(pid))
            self._stop.wait(0.02)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def chroma_server(path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    import httpx

    port = free_port()
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "chroma"),
            "run",
            "--path",
            str(path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ, ANONYMIZED_TELEMETRY="False"),
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).is_success:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the Chroma server did not start")
            time.sleep(0.1)
        yield port, proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def run_mode(mode: str, args: argparse.Namespace, corpus: list[Path], work: Path) -> dict[str, Any]:
    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    with contextlib.ExitStack() as stack:
        server: dict[str, Any] = {}
        pids: dict[str, int | str] = {"process": "self"}
        if mode == "server":
            port, proc = stack.enter_context(chroma_server(work / f"{mode}-chroma"))
            server = {"chroma_host": "127.0.0.1", "chroma_port": port}
            pids["chroma_server"] = proc.pid
        assistant = BriefingAssistant(
            Settings(data_dir=work / f"{mode}-data", embedding_model=args.model, **server)
        )
        started = time.perf_counter()
        report = assistant.indexer().index(corpus)
        index_s = time.perf_counter() - started
        assistant.ask(QUESTIONS[0])  # warm: model, BM25, spaCy

        latencies: list[float] = []
        errors: list[str] = []
        refused = 0
        lock = threading.Lock()
        issued = 0
        deadline = time.monotonic() + args.max_seconds

        def worker() -> None:
            nonlocal issued, refused
            while True:
                with lock:
                    if issued >= args.questions or time.monotonic() > deadline:
                        return
                    question = QUESTIONS[issued % len(QUESTIONS)]
                    issued += 1
                start = time.perf_counter()
                try:
                    answer = assistant.ask(question)
                except Exception as exc:  # every error counts, whatever it is
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    refused += answer.refused

        threads = [threading.Thread(target=worker) for _ in range(args.threads)]
        with PeakRss(pids) as rss:
            wall = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - wall
        assistant.close()

    ms = [x * 1000 for x in latencies] or [0.0]
    return {
        "mode": mode,
        "threads": args.threads,
        "articles": report.new + report.unchanged,
        "paragraphs": report.paragraphs,
        "index_s": round(index_s, 1),
        "answers": len(latencies),
        "errors": len(errors),
        "error_examples": errors[:3],
        "refused": refused,
        "seconds": round(wall, 2),
        "throughput_per_s": round(len(latencies) / wall, 2) if wall else 0.0,
        "latency_ms_p50": round(percentile(ms, 50), 1),
        "latency_ms_p95": round(percentile(ms, 95), 1),
        "latency_ms_max": round(max(ms), 1),
        "peak_rss_mb": {k: round(v) for k, v in rss.peak.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--questions", type=int, default=160, help="per mode, at most")
    parser.add_argument("--max-seconds", type=float, default=120, help="of asking, per mode")
    parser.add_argument("--mode", choices=("both", "embedded", "server"), default="both")
    parser.add_argument("--model", default="onnx:all-MiniLM-L6-v2")
    parser.add_argument("--articles", type=int, default=0, help="synthetic articles to add")
    args = parser.parse_args()

    modes = ["embedded", "server"] if args.mode == "both" else [args.mode]
    work = Path(tempfile.mkdtemp(prefix="briefing-load-"))
    results = []
    try:
        corpus = [ROOT / "samples"]
        if args.articles:
            from bench.corpus import write_corpus

            write_corpus(work / "corpus", args.articles, seed=5, formats=("md", "jsonl"))
            corpus.append(work / "corpus")
        for mode in modes:
            result = run_mode(mode, args, corpus, work)
            results.append(result)
            print(
                f"{mode:>8}: {result['threads']} threads, {result['answers']} answers in "
                f"{result['seconds']} s = {result['throughput_per_s']}/s; latency p50 "
                f"{result['latency_ms_p50']} ms, p95 {result['latency_ms_p95']} ms; errors "
                f"{result['errors']}; peak RSS {result['peak_rss_mb']} MB "
                f"({result['articles']} articles)",
                flush=True,
            )
            for example in result["error_examples"]:
                print(f"          error: {example}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary = {
        "bench": "load",
        "model": args.model,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "errors": sum(r["errors"] for r in results),
        "modes": {r.pop("mode"): r for r in results},
    }
    print(json.dumps(summary))
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
