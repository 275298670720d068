"""`make bench`: run every benchmark in fresh processes and write docs/benchmarks.md.

    python bench/report.py [--eval ../shared/eval] [--quick]

Each benchmark prints its own figures and ends with one JSON line; this script collects those
lines into one Markdown page (raw JSON included), so every number there can be re-run alone.
The part of the page between KEPT_START and KEPT_END (figures measured on their own, by hand,
with their commands) is kept as it is, before the raw results.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
KEPT_START = "<!-- measured on their own: bench/report.py keeps this part as it is -->"
KEPT_END = "<!-- end of the part bench/report.py keeps -->"


def kept_part(page: Path) -> list[str]:
    """The hand-kept part of the page ``page`` (markers included), or nothing."""
    text = page.read_text(encoding="utf-8") if page.exists() else ""
    start, end = text.find(KEPT_START), text.find(KEPT_END)
    if start < 0 or end < start:
        return []
    return ["", text[start : end + len(KEPT_END)]]


def run(script: str, *args: str) -> dict:
    cmd = [sys.executable, str(ROOT / "bench" / script), *args]
    print("$", " ".join(cmd[1:]), flush=True)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        print(proc.stdout[-2000:], proc.stderr[-2000:], file=sys.stderr)
        return {"error": f"exit {proc.returncode}", "command": " ".join(cmd[1:])}
    result = json.loads(lines[-1])
    result["_command"] = "python " + " ".join(c.replace(str(ROOT) + "/", "") for c in cmd[1:])
    result["_seconds"] = round(elapsed, 1)
    return result


def fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return "—" if value is None else str(value)


def rss_text(value: object) -> str:
    """Peak RSS per process ({'process': 464, 'chroma_server': 136}) as text."""
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return fmt(value)


def table(rows: list[tuple[str, object, object]]) -> str:
    lines = ["| figure | product | LangChain baseline |", "|---|---|---|"]
    lines += [f"| {name} | {fmt(ours)} | {fmt(base)} |" for name, ours, base in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--eval", default=str(DEFAULT_EVAL))
    parser.add_argument(
        "--quick",
        action="store_true",
        help="skip the long runs: the 2,000-article ingest and the 100k-paragraph index",
    )
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()

    # The product's fast path against the LangChain tutorial's torch model; the full run
    # adds 2,000 generated articles in six formats (~10 minutes).
    more = [] if args.quick else ["--generate", "2000"]
    results = {
        "ingest": run(
            "ingest.py",
            args.eval,
            *more,
            "--rounds",
            "2",
            "--model",
            "onnx-int8:all-MiniLM-L6-v2",
            "--baseline-model",
            "all-MiniLM-L6-v2",
            "--reference-model",
            "all-MiniLM-L6-v2",
        ),
        "retrieval": run("retrieval.py", args.eval),
        "retrieval_int8": run("retrieval.py", args.eval, "--model", "onnx-int8:all-MiniLM-L6-v2"),
        "answers": run("answers.py", args.eval),
        "coldstart": run("coldstart.py"),
        "load": run("load.py"),
    }
    sizes = [1000, 10000] if args.quick else [1000, 10000, 100000]
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as keep:
        for n in sizes:  # 100,000 paragraphs take ~5 minutes to build
            results[f"scale_{n}"] = run("retrieval.py", "--scale", str(n), "--keep", f"{keep}/{n}")
        if not args.quick:  # start-up and memory of the app on the 100k index just built
            results["coldstart_100k"] = run("coldstart.py", "--data-dir", f"{keep}/100000/data")

    ing, ret, ans, cold = (results[k] for k in ("ingest", "retrieval", "answers", "coldstart"))
    corpora = ing.get("corpora", {})
    cold_big = results.get("coldstart_100k", {})
    rb = ret.get("baseline", {})
    r8 = results["retrieval_int8"]
    load = results["load"].get("modes", {})
    sections = [
        "# Benchmarks",
        "",
        f"Measured {dt.date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} "
        f"cores, Python {platform.python_version()}; written by `make bench` "
        "(`python bench/report.py`). Each row comes from the script named below; "
        "rerun any of them alone. Figures from a shared 2-core machine are noisy: "
        "ratios against the baseline are measured in the same run.",
        "",
        "## Retrieval (dev set: `../shared/eval`)",
        "",
        table(
            [
                (
                    "evidence recall within 1,000 chars",
                    ret.get("recall_at_1000"),
                    rb.get("recall_at_1000"),
                ),
                (
                    "evidence recall within 2,000 chars",
                    ret.get("recall_at_2000"),
                    rb.get("recall_at_2000"),
                ),
                (
                    "evidence recall within 4,000 chars",
                    ret.get("recall_at_4000"),
                    rb.get("recall_at_4000"),
                ),
                ("MRR of the evidence paragraph", ret.get("mrr"), rb.get("mrr")),
                (
                    "recall within 1,000 / 2,000 chars, int8 fast path",
                    f"{r8.get('recall_at_1000')} / {r8.get('recall_at_2000')}",
                    None,
                ),
                ("query latency p50 (ms)", ret.get("p50_ms"), rb.get("p50_ms")),
                ("query latency p95 (ms)", ret.get("p95_ms"), rb.get("p95_ms")),
            ]
        ),
        "",
        "## Ingest (fast path `onnx-int8:all-MiniLM-L6-v2`; baseline on the torch model)",
        "",
        "Raw encode: the same model's own encode call on the same paragraphs' texts. The "
        "product reads each paragraph after its article title (one pass gives the paragraph's "
        "and its sentences' vectors); the raw encode of exactly those texts is a row of its "
        "own. The last row times the torch model's sentence-transformers `model.encode` "
        "(batch 32) on the paragraph texts, the library's own encode of the same weights.",
        "",
        "| figure | " + " | ".join(corpora) + " |",
        "|---|" + "---|" * len(corpora),
        *(
            f"| {label} | " + " | ".join(fmt(c.get(key)) for c in corpora.values()) + " |"
            for label, key in (
                ("paragraphs", "paragraphs"),
                ("paragraphs per second", "paragraphs_per_s"),
                ("ingest time / raw encode time (paragraph texts)", "raw_encode_ratio"),
                ("the same in CPU time", "raw_encode_cpu_ratio"),
                ("baseline time / ingest time", "baseline_speedup"),
                ("unchanged re-run (`briefing index`) / first run", "rerun_fraction"),
                ("ingest time / raw encode of title + paragraph", "store_texts_ratio"),
                (
                    "ingest time / sentence-transformers `model.encode` (paragraph texts)",
                    "reference_encode_ratio",
                ),
            )
        ),
        "",
        "## Answers",
        "",
        table(
            [
                ("answer has gold string and cites evidence", ans.get("answered_correct"), None),
                ("refusal rate on unanswerable", ans.get("refusal_rate_null"), None),
                ("false refusals on answerable", ans.get("false_refusal_rate"), None),
                ("citation precision", ans.get("citation_precision"), None),
            ]
        ),
        "",
        "## Start-up and memory",
        "",
        table(
            [
                (
                    "`briefing ask` cold start, samples (s)",
                    cold.get("ask_cold_start_s_median"),
                    None,
                ),
                ("UI first answer from `streamlit run` (s)", cold.get("ui_first_answer_s"), None),
                ("indexer peak RSS (MB)", cold.get("indexer_peak_rss_mb"), None),
                ("app peak RSS after first answer (MB)", cold.get("ui_peak_rss_mb"), None),
                (
                    "`briefing ask` cold start, 100,000 paragraphs (s)",
                    cold_big.get("ask_cold_start_s_median"),
                    None,
                ),
                (
                    "UI first answer, 100,000 paragraphs (s)",
                    cold_big.get("ui_first_answer_s"),
                    None,
                ),
                (
                    "app peak RSS after first answer, 100,000 paragraphs (MB)",
                    cold_big.get("ui_peak_rss_mb"),
                    None,
                ),
                (
                    "`briefing ask` peak RSS, 100,000 paragraphs (MB)",
                    cold_big.get("ask_peak_rss_mb"),
                    None,
                ),
            ]
        ),
        "",
        "## Load (`bench/load.py`: 8 threads asking one assistant)",
        "",
        "| mode | answers/s | p50 ms | p95 ms | errors | peak RSS MB |",
        "|---|---|---|---|---|---|",
        *(
            f"| {mode} | {r.get('throughput_per_s')} | {r.get('latency_ms_p50')} | "
            f"{r.get('latency_ms_p95')} | {r.get('errors')} | {rss_text(r.get('peak_rss_mb'))} |"
            for mode, r in load.items()
        ),
    ]
    sections += [
        "",
        "## Query latency by index size (`bench/retrieval.py --scale N`, model loaded)",
        "",
        "| paragraphs | p50 ms | p95 ms | p95 publisher filter | p95 one-month filter |",
        "|---|---|---|---|---|",
        *(
            f"| {n:,} | {fmt(r.get('p50_ms'))} | {fmt(r.get('p95_ms'))} | "
            f"{fmt(r.get('filtered_p95_ms'))} | {fmt(r.get('month_filtered_p95_ms'))} |"
            for n in sizes
            if (r := results[f"scale_{n}"])
        ),
    ]
    sections += kept_part(Path(args.out))
    sections += ["", "## Raw results", "", "```json", json.dumps(results, indent=2), "```", ""]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(sections), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
