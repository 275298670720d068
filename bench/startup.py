"""Start-up of the commands an analyst runs most: `briefing ask`, `status` and `list`, each from
process start to exit, in fresh processes on the samples indexed once (the packaged model);
with ``--before REV`` the same commands of another commit (extracted with `git archive`) are
measured in the same run, against the same data dir, turn about, so both see the same machine.

    python bench/startup.py [--runs 5] [--before 0a9019d] [--now HEAD] [--model ...]

Prints a table and ends with one JSON line: the median and all runs in seconds per command
and tree, and the load average. `ask` is asked with --no-save (nothing written between runs).
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "Who confirmed the troop numbers?"
COMMANDS = {
    "ask": ["ask", QUESTION, "--no-save"],
    "status": ["status"],
    "list": ["list"],
}


def env_for(data_dir: Path, model: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}
    env.update(
        BRIEFING_DATA_DIR=str(data_dir),
        BRIEFING_EMBEDDING_MODEL=model,
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
    )
    return env


def tree_of(rev: str, into: Path) -> Path:
    """The source tree of commit ``rev`` (its own assistant/, ingest/, vectorstore/, ui/)."""
    into.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def run(tree: Path, args: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Seconds from starting `python -m assistant.cli ARGS` in ``tree`` to its exit (the
    tree's own packages first on the path), and its standard output."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        cwd=tree,
        env=dict(env, PYTHONPATH=str(tree)),
        capture_output=True,
        text=True,
        timeout=600,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{tree}: briefing {' '.join(args)} failed: {done.stderr[-800:]}")
    return elapsed, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", help="a commit to measure in the same run (git archive)")
    parser.add_argument(
        "--now", help="measure this commit rather than the working tree (git archive)"
    )
    parser.add_argument("--model", default="onnx:all-MiniLM-L6-v2")
    parser.add_argument("--corpus", default=str(ROOT / "samples"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="briefing-startup-") as tmp:
        data = Path(tmp) / "data"
        env = env_for(data, args.model)
        trees = {"now": tree_of(args.now, Path(tmp) / "now") if args.now else ROOT}
        if args.before:
            trees["before"] = tree_of(args.before, Path(tmp) / "before")
        # Indexed by the current tree; the one before reads the same index (same layout),
        # and a first run of each command warms the disk cache and the ONNX export.
        run(trees["now"], ["index", args.corpus], env)
        for tree in trees.values():
            for command in COMMANDS.values():
                run(tree, command, env)
        times: dict[str, dict[str, list[float]]] = {t: {c: [] for c in COMMANDS} for t in trees}
        for _ in range(args.runs):
            for name, command in COMMANDS.items():
                for label, tree in trees.items():  # turn about: both see the same moment
                    elapsed, out = run(tree, command, env)
                    if name == "ask" and "[1]" not in out:
                        raise SystemExit(f"{label}: no cited answer: {out[:300]}")
                    times[label][name].append(elapsed)
        shutil.rmtree(data, ignore_errors=True)

    medians = {
        t: {c: round(statistics.median(v), 2) for c, v in cs.items()} for t, cs in times.items()
    }
    print(f"{'command':<10}" + "".join(f"{label:>12}" for label in trees))
    for name in COMMANDS:
        print(f"{'briefing ' + name:<18}" + "".join(f"{medians[t][name]:>8.2f} s" for t in trees))
    result = {
        "runs": args.runs,
        "model": args.model,
        "before": args.before,
        "median_s": medians,
        "all_s": {
            t: {c: [round(x, 2) for x in v] for c, v in cs.items()} for t, cs in times.items()
        },
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
