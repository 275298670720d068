"""Paragraph and sentence vectors, from one pass of the model over each paragraph.

A question usually matches one sentence of its evidence paragraph, and a paragraph's vector
averages that sentence away among the others; so retrieval also scores each paragraph by its
best sentence. The sentence vectors are pooled in context ("late chunking"): the model reads
the article title and the whole paragraph once, its plain mean-pooled output is the
paragraph's vector, and each sentence's vector is the mean of the token states inside that
sentence, which have attended to the title and the rest of the paragraph. So a sentence
saying "soldiers" under a title saying "troops" still matches "troop numbers", and indexing
costs one model pass per paragraph, as embedding the paragraphs alone does. (Embedding
every sentence again on its own, after the title, gave the same recall on the development
set for 1.3-1.5 times the model time; without the title, the sample question "Who confirmed
the troop numbers?" lost the Pentagon's confirmation.) Sentences past the model's 256
tokens, and embeddings without token access (the fake one of the tests), fall back to
embedding "title + sentence" on its own.

The vectors travel in the paragraph's metadata, packed as float16 (the ranking error is
~1e-3 in cosine), rather than in a second Chroma collection: one upsert writes a paragraph
and its sentences together, so they can never disagree, and nothing builds an HNSW graph of
every sentence. Writing that graph cost three times the paragraph upsert, and holding it
took ~700 MB of the app's memory at 100,000 paragraphs. The retriever scores the sentences
of its candidate paragraphs exactly.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from ingest.models import Article, Paragraph
from ingest.text import sentences_or_whole

# Metadata key of a paragraph's packed vectors: row 0 the paragraph, then its sentences.
PACKED_VECTORS = "vectors_f16"


def context_text(article: Article, paragraph: Paragraph) -> str:
    """What the model reads for a paragraph: the article title, then the paragraph."""
    return f"{article.title}\n{paragraph.text}"


def pack(vectors: np.ndarray) -> str:
    """Vectors (rows) as a metadata string: float16, little-endian, base64."""
    return base64.b64encode(np.asarray(vectors, dtype="<f2").tobytes()).decode("ascii")


def unpack(packed: str, dim: int) -> np.ndarray:
    """The rows that ``pack`` wrote, as float32."""
    raw = np.frombuffer(base64.b64decode(packed), dtype="<f2")
    return raw.astype(np.float32).reshape(-1, dim)


def embed_paragraphs(
    embeddings: Embeddings, pairs: Sequence[tuple[Article, Paragraph]]
) -> tuple[list[list[float]], list[str]]:
    """Each paragraph's vector, and its packed vectors (paragraph, then sentences)."""
    if not pairs:
        return [], []
    texts = [context_text(a, p) for a, p in pairs]
    spans: list[list[tuple[int, int]]] = []
    for text, (_, p) in zip(texts, pairs, strict=True):
        shift = len(text) - len(p.text)  # the title before the paragraph
        spans.append([(a + shift, b + shift) for a, b in sentences_or_whole(p.text)])
    in_context = getattr(embeddings, "embed_in_context", None)
    if in_context is not None:
        pooled, sentences = in_context(texts, spans)
    else:
        pooled, sentences = None, [[None] * len(s) for s in spans]
    # Sentences the model did not see in context are embedded on their own, after the title.
    missing = [(i, j) for i, row in enumerate(sentences) for j, v in enumerate(row) if v is None]
    if missing:
        alone = embeddings.embed_documents(
            [f"{pairs[i][0].title}\n{texts[i][slice(*spans[i][j])]}" for i, j in missing]
        )
        for (i, j), vector in zip(missing, alone, strict=True):
            sentences[i][j] = np.asarray(vector, dtype=np.float32)
    matrices = [np.stack(row) for row in sentences]
    if pooled is None:  # no pass over the whole text: the normalised mean of the sentences
        means = np.stack([m.mean(axis=0) for m in matrices])
        pooled = means / np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)
    paragraph = np.asarray(pooled, dtype=np.float32)
    packed = [pack(np.vstack([v, m])) for v, m in zip(paragraph, matrices, strict=True)]
    return paragraph.tolist(), packed


def stored_vectors(meta: dict[str, Any] | None, dim: int) -> np.ndarray | None:
    """A paragraph's packed vectors from its metadata (row 0 the paragraph, then each
    sentence), or None when it has none."""
    packed = (meta or {}).get(PACKED_VECTORS)
    if not isinstance(packed, str) or not packed:
        return None
    return unpack(packed, dim)
