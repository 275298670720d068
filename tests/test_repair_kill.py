"""Kill `briefing repair` with SIGKILL mid-run (a real subprocess) at several points, and
it loses nothing (#26, case 1): after every kill the manifest still holds every article and
`status` says the index is damaged; the next `repair` ends exactly as a clean run of the same
corpus: same paragraph ids, texts, metadata and vectors in Chroma, the same manifest, and the
same best paragraph retrieved for each question."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.store_support import question, write_articles
from tests.test_ingest_kill import _snapshot

BRIEFING = str(Path(sys.executable).with_name("briefing"))
ARTICLES = 200  # 4 paragraphs each: two batches of writes (FLUSH_PARAGRAPHS)
QUESTIONS = [question(i) for i in (0, 57, 130, 199)]


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}
    # PYTHONPATH: the subprocess runs the code of this checkout, not the installed one.
    env.update(
        BRIEFING_DATA_DIR=str(data),
        BRIEFING_EMBEDDING_MODEL="fake",
        COLUMNS="200",
        PYTHONPATH=str(ROOT),
    )
    return env


def _observe(manifest: Path) -> tuple[dict[str, int], int]:
    """(article rows by state, sources with a fingerprint), read while the run writes (WAL
    readers do not block it). A repair forgets the fingerprints of the sources it reads
    again and records each one when its batch is committed: they count its progress."""
    if not manifest.exists():
        return {}, 0
    try:
        db = sqlite3.connect(f"file:{manifest}?mode=ro", uri=True, timeout=1)
        try:
            states = dict(db.execute("SELECT state, COUNT(*) FROM articles GROUP BY state"))
            sources = db.execute("SELECT COUNT(*) FROM sources").fetchone()[0]
            return states, int(sources)
        finally:
            db.close()
    except sqlite3.OperationalError:
        return {}, 0


Moment = Callable[[dict[str, int], int], bool]


def kill_when(args: list[str], data: Path, moment: Moment) -> bool:
    """Start ``briefing ARGS`` and SIGKILL it the first time ``moment(states, sources)``
    holds while articles of its own batch are half written (``pending``, not those an
    earlier killed run left: they are first seen cleared). Returns whether it was killed
    mid-run."""
    manifest = data / "manifest.sqlite3"
    states, _ = _observe(manifest)
    leftovers_cleared = not states.get("pending", 0)
    proc = subprocess.Popen(
        [BRIEFING, *args],
        env=_env(data),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while proc.poll() is None and time.monotonic() < deadline:
            states, sources = _observe(manifest)
            pending = states.get("pending", 0)
            leftovers_cleared = leftovers_cleared or not pending
            if pending and leftovers_cleared and moment(states, sources):
                break
            time.sleep(0.003)
        killed = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    return killed and proc.returncode == -signal.SIGKILL


def briefing(args: list[str], data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BRIEFING, *args],
        env=_env(data),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def state(data: Path) -> dict[str, Any]:
    """The snapshot of tests/test_ingest_kill.py (Chroma rows, manifest, fingerprints) and
    the evidence an answer to each question starts from: the best paragraph retrieved. (The
    tail of near-equal scores depends on the order the approximate nearest-neighbour graph
    was built in, which a repair cannot share with a clean run.)"""
    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    assistant = BriefingAssistant(Settings(data_dir=data, embedding_model="fake"))
    try:
        snap = _snapshot(assistant, data)
        snap["evidence"] = {
            q: assistant.index.complete(assistant.retriever.retrieve(q))[0].passage.paragraph
            for q in QUESTIONS
        }
        return snap
    finally:
        assistant.close()


def articles_in(data: Path) -> int:
    db = sqlite3.connect(data / "manifest.sqlite3")
    try:
        return int(db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    finally:
        db.close()


# Where each repair is killed, in turn: (name, the moment, given the manifest's article
# states and how many sources this run has finished; whether `status` runs after it: not
# after the first, so that the next repair finds the killed batch and redoes it itself).
KILLS: list[tuple[str, Moment, bool]] = [
    ("first batch half written", lambda states, sources: sources == 0, False),
    ("the redo of the killed batch", lambda states, sources: True, True),
    ("second batch, after one committed", lambda states, sources: sources >= 100, True),
    ("the store lost again, first batch", lambda states, sources: True, True),
]


@pytest.mark.skipif(not Path(BRIEFING).exists(), reason="needs the installed briefing script")
def test_sigkill_mid_repair_then_rerun_equals_clean_run(tmp_path: Path) -> None:
    corpus, data, clean = tmp_path / "corpus", tmp_path / "killed", tmp_path / "clean"
    write_articles(corpus, range(ARTICLES))
    for target in (data, clean):
        done = briefing(["index", str(corpus)], target)
        assert done.returncode == 0, done.stderr
    reference = state(clean)
    assert len(reference["articles"]) == ARTICLES

    shutil.rmtree(data / "chroma")  # every vector lost: all 200 articles to repair
    for name, moment, status_after in KILLS:
        if name.startswith("the store lost again"):
            shutil.rmtree(data / "chroma")  # with one batch repaired
        assert kill_when(["repair"], data, moment), f"not killed mid-run: {name}"
        # Nothing is lost: every article is still known, and the index says it is damaged.
        assert articles_in(data) == ARTICLES, name
        if status_after:
            status = briefing(["status"], data)
            assert status.returncode == 1, f"{name}: {status.stdout}{status.stderr}"
            assert articles_in(data) == ARTICLES, f"{name}: `status` lost articles"

    done = briefing(["repair"], data)
    assert done.returncode == 0, done.stdout + done.stderr
    assert state(data) == reference
    status = briefing(["status"], data)
    assert status.returncode == 0, status.stdout + status.stderr
