"""The trained reader model at run time: int8 ONNX, loaded lazily, scored with onnxruntime.

For each (question, candidate sentence, context) it gives the probability that the sentence
answers the question and the best answer span inside the sentence. The files ship in
``assistant/reader/model/`` (see its MODEL_CARD.md); nothing is downloaded.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.reader.encoding import PairEncoder, best_span

MODEL_DIR = Path(__file__).resolve().parent / "model"
MODEL_FILE = "reader-int8.onnx"


@dataclass(frozen=True, slots=True)
class Reading:
    """What the model read in one candidate: ``score`` (0..1, answers the question) and the
    best span (char offsets in the candidate, with its logit sum)."""

    score: float
    span_start: int
    span_end: int
    span_score: float


class ReaderModel:
    """Thread-safe; the ONNX session is built on first use (cold start: only ``ask`` pays)."""

    def __init__(self, model_dir: Path = MODEL_DIR, threads: int | None = None) -> None:
        self.model_dir = Path(model_dir)
        self.threads = threads or min(2, os.cpu_count() or 1)
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return (self.model_dir / MODEL_FILE).is_file() and (
            self.model_dir / "tokenizer.json"
        ).is_file()

    def _parts(self) -> tuple[Any, PairEncoder]:
        return _load(str(self.model_dir), self.threads)

    def read(self, question: str, candidates: list[tuple[str, str]]) -> list[Reading]:
        """One Reading per (candidate, context), in order. Each row is run alone: the int8
        model quantises its activations per call, so a row padded beside others would score
        differently from the same row alone (by up to 0.03), and a score must not depend on
        what else was read. Alone, nothing is padded, and two threads stay as fast."""
        if not candidates:
            return []
        session, encoder = self._parts()
        rows = encoder.encode_many([(question, c, x) for c, x in candidates])
        out = []
        with self._lock:
            for row in rows:
                answer, start, end = session.run(None, encoder.batch([row]))
                s, e, span_score = best_span(start[0], end[0], row)
                a, b = row.char_span(s, e) if row.cand_end > s else (0, 0)
                prob = float(1.0 / (1.0 + np.exp(-float(answer[0]))))
                out.append(Reading(prob, a, b, span_score))
        return out


@lru_cache(maxsize=2)
def _load(model_dir: str, threads: int) -> tuple[Any, PairEncoder]:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    path = Path(model_dir)
    session = ort.InferenceSession(
        str(path / MODEL_FILE), options, providers=["CPUExecutionProvider"]
    )
    return session, PairEncoder(path / "tokenizer.json")
