"""Cold start and memory: `briefing ask` from process start to answer; the UI from `briefing
ui`'s command starting to the landing page rendered (corpus overview and example questions)
and to the first answer on the page; peak RSS of the indexer and of the app.

    python bench/coldstart.py [--runs 3] [--model onnx:all-MiniLM-L6-v2] [--corpus samples]

The UI is started twice on the same data dir: the first start computes the corpus overview
(entities, example questions) and keeps it in the data dir, the second reads it back, as
every start after an index change does.

Every figure is measured in fresh processes against a fresh data dir; the last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
QUESTION = "Who confirmed the troop numbers?"


def env_for(data_dir: Path, model: str) -> dict[str, str]:
    return dict(
        os.environ,
        BRIEFING_DATA_DIR=str(data_dir),
        BRIEFING_EMBEDDING_MODEL=model,
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
        STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
    )


def run_measured(cmd: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in MB (from wait4's rusage) and stdout of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    out = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd} failed with {proc.returncode}")
    return elapsed, usage.ru_maxrss // 1024, out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ui_first_answer(env: dict[str, str]) -> tuple[float, float, int] | None:
    """Seconds from starting `briefing ui`'s Streamlit command to the landing page rendered
    (the overview's example questions on it) and to the first answer shown in Chromium, and
    the app's peak RSS (VmHWM) after answering. None when Chromium or playwright is missing."""
    chromium = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not chromium:
        return None
    port = free_port()
    sys.path.insert(0, str(ROOT))
    from assistant.cli import ui_command  # exactly what `briefing ui` runs

    cmd = ui_command(port)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        start = time.perf_counter()
        server = subprocess.Popen(
            cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.05)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/", timeout=600_000)
            # Rendered: the overview's first example question is on the page.
            page.locator(".st-key-example-0 button").wait_for(timeout=600_000)
            landing = time.perf_counter() - start
            box = page.get_by_test_id("stChatInputTextArea")
            box.fill(QUESTION)
            box.press("Enter")
            page.get_by_test_id("stChatMessage").nth(1).locator(
                "details.briefing-marker"
            ).first.wait_for(timeout=600_000)
            elapsed = time.perf_counter() - start
            status = Path(f"/proc/{server.pid}/status").read_text()
            hwm = next(
                int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")
            )
            return landing, elapsed, hwm // 1024
        finally:
            server.terminate()
            server.wait(timeout=30)
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--model", default="onnx:all-MiniLM-L6-v2")
    parser.add_argument("--corpus", default=str(ROOT / "samples"))
    parser.add_argument("--no-ui", action="store_true", help="skip the browser measurement")
    parser.add_argument(
        "--data-dir",
        help="measure against this existing index (e.g. one kept by `bench/retrieval.py "
        "--scale 100000 --keep DIR`) instead of indexing --corpus into a temp dir",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(args.data_dir) if args.data_dir else Path(tmp) / "data"
        env = env_for(data, args.model)
        briefing = str(BIN / "briefing")
        if args.data_dir:
            index_s, index_rss = 0.0, 0
            args.corpus = f"existing index {data}"
        else:
            index_s, index_rss, _ = run_measured([briefing, "index", args.corpus], env)
        paragraphs = json.loads(run_measured([briefing, "status", "--format", "json"], env)[2])[
            "paragraphs"
        ]
        times, rss = [], []
        for _ in range(args.runs):
            elapsed, peak, out = run_measured([briefing, "ask", QUESTION], env)
            if "[1]" not in out:
                raise SystemExit(f"no cited answer from `briefing ask`: {out[:300]}")
            times.append(elapsed)
            rss.append(peak)
        shutil.rmtree(data / "overview", ignore_errors=True)  # a cache: the first start fills it
        ui = None if args.no_ui else ui_first_answer(env)  # computes the overview
        ui_again = None if args.no_ui else ui_first_answer(env)  # reads it back

    result = {
        "model": args.model,
        "corpus": args.corpus,
        "index_seconds": round(index_s, 2),
        "indexer_peak_rss_mb": index_rss,
        "ask_cold_start_s_median": round(statistics.median(times), 2),
        "ask_cold_start_s_all": [round(t, 2) for t in times],
        "ask_peak_rss_mb": max(rss),
        "paragraphs": paragraphs,
        "ui_landing_first_start_s": None if ui is None else round(ui[0], 2),
        "ui_first_answer_first_start_s": None if ui is None else round(ui[1], 2),
        "ui_landing_s": None if ui_again is None else round(ui_again[0], 2),
        "ui_first_answer_s": None if ui_again is None else round(ui_again[1], 2),
        "ui_peak_rss_mb": None if ui is None else max(ui[2], ui_again[2] if ui_again else 0),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    print(f"briefing ask cold start (median of {args.runs}): {result['ask_cold_start_s_median']} s")
    print(
        f"UI landing page: {result['ui_landing_s']} s "
        f"({result['ui_landing_first_start_s']} s on the first start, computing the overview); "
        f"first answer: {result['ui_first_answer_s']} s "
        f"({result['ui_first_answer_first_start_s']} s on the first start); "
        f"app peak RSS {result['ui_peak_rss_mb']} MB"
    )
    print(f"indexer peak RSS: {index_rss} MB ({index_s:.1f} s for {args.corpus})")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
