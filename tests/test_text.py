"""The text toolkit (ingest/text.py): one spaCy pipeline per process, loaded without torch,
and the streamed-answer splitter built on the one sentence splitter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.backends.chat import split_complete
from ingest import text

ROOT = Path(__file__).resolve().parent.parent

# Answers a follow-up in a fresh process, as `briefing ask --conversation N` does: the rewrite
# parses the earlier question first, then attribution parses the cited paragraphs. Reports what
# the process imported and how often the pipeline was loaded.
_ASK_FOLLOWUP = """
import gc, json, sys
from dataclasses import dataclass

import ingest.text

loads = []
_real_load = ingest.text._load_pipeline


def _counting_load():
    loads.append(1)
    return _real_load()


ingest.text._load_pipeline = _counting_load

from assistant.service import BriefingAssistant
from assistant.settings import Settings


@dataclass
class Turn:
    question: str
    answer: str


assistant = BriefingAssistant(
    Settings(data_dir=sys.argv[1], embedding_model="fake", backend="extractive")
)
earlier = Turn("Who confirmed the troop numbers?", "Pentagon spokesperson Sabrina Singh. [1]")
answer = assistant.ask("And who denied it?", history=[earlier])
torch = "torch" in sys.modules
from spacy.language import Language

print(json.dumps({
    "torch": torch,
    "loads": len(loads),
    "pipelines": sum(isinstance(o, Language) for o in gc.get_objects()),
    "answered": not answer.refused and bool(answer.citations),
}))
"""


def test_answering_imports_no_torch_and_loads_spacy_once(sample_index: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _ASK_FOLLOWUP, str(sample_index)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"torch": False, "loads": 1, "pipelines": 1, "answered": True}


def test_racing_threads_load_the_pipeline_once(monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[object] = []

    def slow_load() -> object:
        time.sleep(0.05)
        loads.append(object())
        return loads[-1]

    monkeypatch.setattr(text, "_pipeline", None)
    monkeypatch.setattr(text, "_load_pipeline", slow_load)
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(text.nlp())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loads) == 1
    assert got == loads * 8


@pytest.mark.parametrize(
    ("buffer", "done", "rest"),
    [
        # a marker run ends a statement even without a full stop
        ("Claim one [1] Claim two [2]. Third", ["Claim one [1]", "Claim two [2]."], "Third"),
        # markers after the full stop belong to the sentence before them
        ("One claim. [1][2] Another", ["One claim. [1][2]"], "Another"),
        # a marker the stream cut off starts no sentence
        ("One claim. [1", [], "One claim. [1"),
        # the toolkit's abbreviations hold in answers too
        ("On Oct. 28 the U.S. said so [1]. Then", ["On Oct. 28 the U.S. said so [1]."], "Then"),
    ],
)
def test_streamed_answers_split_with_the_toolkit(buffer: str, done: list[str], rest: str) -> None:
    assert split_complete(buffer) == (done, rest)


def test_sentences_or_whole_keeps_a_paragraph_without_sentence_end() -> None:
    assert text.sentences_or_whole("  ") == [(0, 2)]
    assert text.sentences_or_whole("No end") == [(0, 6)]
    assert text.sentences_or_whole("One. Two.") == [(0, 4), (5, 9)]
