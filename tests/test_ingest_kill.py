"""Kill `briefing index` with SIGKILL mid-run (a real subprocess), rerun it, and the index
ends exactly as a clean run of the same corpus: same paragraph ids, texts, metadata and
vectors in Chroma, no duplicates or orphans, and the same manifest."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bench.corpus import write_corpus
from tests.conftest import ROOT

BRIEFING = str(Path(sys.executable).with_name("briefing"))
ARTICLES = 160


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}
    env.update(BRIEFING_DATA_DIR=str(data), BRIEFING_EMBEDDING_MODEL="fake", COLUMNS="200")
    return env


def _states(manifest: Path) -> dict[str, int]:
    """Article rows by state, read while the indexer writes (WAL readers do not block it)."""
    if not manifest.exists():
        return {}
    try:
        db = sqlite3.connect(f"file:{manifest}?mode=ro", uri=True, timeout=1)
        try:
            return dict(
                db.execute("SELECT state, COUNT(*) FROM articles GROUP BY state").fetchall()
            )
        finally:
            db.close()
    except sqlite3.OperationalError:  # the schema is not there yet
        return {}


def run_and_kill(args: list[str], data: Path, batches: int = 0) -> tuple[bool, dict[str, int]]:
    """Start the indexer and SIGKILL it the moment one of its own batches is half written
    (articles ``pending``, not those an earlier killed run left), after ``batches`` batches
    were committed. Returns (killed mid-run, article states after the kill)."""
    manifest = data / "manifest.sqlite3"
    states = _states(manifest)
    done_seen, commits = states.get("done", 0), 0
    leftovers_cleared = not states.get("pending", 0)
    proc = subprocess.Popen(
        [BRIEFING, "index", *args],
        env=_env(data),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            states = _states(manifest)
            pending = states.get("pending", 0)
            if states.get("done", 0) > done_seen:
                commits, done_seen = commits + 1, states["done"]
            leftovers_cleared = leftovers_cleared or not pending
            if pending and leftovers_cleared and commits >= batches:
                break
            time.sleep(0.005)
        killed = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    return killed and proc.returncode == -signal.SIGKILL, _states(manifest)


def run(args: list[str], data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BRIEFING, "index", *args],
        env=_env(data),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def snapshot(data: Path) -> dict[str, Any]:
    """Everything a clean run determines: Chroma rows and the manifest (minus timestamps)."""
    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    assistant = BriefingAssistant(Settings(data_dir=data, embedding_model="fake"))
    try:
        return _snapshot(assistant, data)
    finally:
        assistant.close()  # chromadb keeps a store in memory per process until closed


def clean_run(corpus: Path, data: Path) -> None:
    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    assistant = BriefingAssistant(Settings(data_dir=data, embedding_model="fake"))
    try:
        report = assistant.indexer().index([corpus])
        assert not report.failed and report.new
    finally:
        assistant.close()


def _snapshot(assistant: Any, data: Path) -> dict[str, Any]:
    got = assistant.store._collection.get(include=["documents", "metadatas", "embeddings"])
    rows = {
        pid: (doc, json.dumps(meta, sort_keys=True), [round(float(x), 5) for x in emb])
        for pid, doc, meta, emb in zip(
            got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True
        )
    }
    assert len(rows) == len(got["ids"]) == assistant.store.count()  # no duplicate ids
    entries = assistant.manifest.entries()
    articles = {
        e.id: (
            e.content_hash,
            e.title,
            e.source,
            e.url,
            e.published_at,
            e.author,
            e.paragraphs,
            e.state,
            e.locations,
        )
        for e in entries
    }
    per_article: dict[str, int] = {}
    for pid, (_, meta, _) in rows.items():
        article_id = json.loads(meta)["article_id"]
        assert pid.startswith(article_id + ":")
        per_article[article_id] = per_article.get(article_id, 0) + 1
    # no orphans either way: vectors ⇔ done articles with their paragraph counts
    assert per_article == {i: a[6] for i, a in articles.items()}
    assert all(a[7] == "done" and a[8] for a in articles.values())
    db = sqlite3.connect(data / "manifest.sqlite3")
    fingerprints = dict(db.execute("SELECT source, fingerprint FROM sources").fetchall())
    db.close()
    return {"vectors": rows, "articles": articles, "fingerprints": fingerprints}


def mutate(corpus: Path) -> None:
    """Edits, a rename, deletions, and records edited, moved and deleted in a feed."""
    md_files = sorted((corpus / "md").glob("*.md"))
    for f in md_files[:25]:
        f.write_text(f.read_text().replace(" percent", " per cent"), encoding="utf-8")
    for f in md_files[25:30]:
        f.unlink()
    md_files[30].rename(md_files[30].with_name("renamed.md"))
    html_files = sorted((corpus / "html").glob("*.html"))
    for f in html_files[:10]:
        f.write_text(f.read_text().replace("<p>", "<p>Update: ", 1), encoding="utf-8")
    feed = sorted((corpus / "jsonl").glob("*.jsonl"))[0]
    lines = feed.read_text().splitlines()
    edited = json.loads(lines[2])
    edited["body"] += "\n\nA correction was appended to this record."
    feed.write_text("\n".join([json.dumps(edited), *lines[3:], lines[0]]) + "\n")


@pytest.mark.skipif(not Path(BRIEFING).exists(), reason="needs the installed briefing script")
def test_sigkill_mid_run_then_rerun_equals_clean_run(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, ARTICLES, seed=11, formats=("md", "txt", "html", "jsonl"))
    data, clean = tmp_path / "killed", tmp_path / "clean"

    # 1. first indexing, killed twice while batches are half written, then finished
    for batches in (1, 0):  # in the second batch; then in the redo after the recovery
        killed, states = run_and_kill([str(corpus)], data, batches)
        assert killed and states.get("done", 0) < ARTICLES  # it really was cut short
    assert run([str(corpus)], data).returncode == 0
    clean_run(corpus, clean)
    assert snapshot(data) == snapshot(clean)

    # 2. the corpus changes; an incremental --prune run is killed, then rerun
    mutate(corpus)
    killed, _ = run_and_kill(["--prune", str(corpus)], data)
    assert killed
    rerun = run(["--prune", str(corpus)], data)
    assert rerun.returncode == 0, rerun.stderr
    shutil.rmtree(clean)
    clean_run(corpus, clean)
    after, reference = snapshot(data), snapshot(clean)
    assert after == reference
    assert len(after["articles"]) == ARTICLES - 6  # 5 files and 1 record deleted
