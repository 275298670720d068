"""Sentence vectors of every paragraph, in a second Chroma collection.

A question usually matches one sentence of its evidence paragraph; a paragraph's vector
averages that sentence away among the others. So each sentence is embedded on its own (with
the article title for context) and a paragraph also gets the normalised mean of its sentence
vectors as its own vector: no text is embedded twice, and indexing costs what embedding the
paragraphs alone did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from ingest.models import Article, Paragraph
from ingest.paragraphs import sentence_spans


@dataclass(frozen=True, slots=True)
class SentenceRow:
    """One embedded sentence, ready for the sentence collection."""

    id: str
    paragraph_id: str
    vector: list[float]
    metadata: dict[str, Any]


def sentence_texts(article: Article, paragraph: Paragraph) -> list[str]:
    """What is embedded per sentence: the article title, then the sentence."""
    spans = sentence_spans(paragraph.text) or [(0, len(paragraph.text))]
    return [f"{article.title}\n{paragraph.text[s:e]}" for s, e in spans]


def embed_paragraphs(
    embeddings: Embeddings,
    pairs: Sequence[tuple[Article, Paragraph]],
    metadata: Sequence[dict[str, Any]],
) -> tuple[list[list[float]], list[SentenceRow]]:
    """Paragraph vectors (normalised mean of their sentences) and the sentence rows."""
    if not pairs:
        return [], []
    texts: list[str] = []
    owners: list[int] = []
    for i, (article, paragraph) in enumerate(pairs):
        for text in sentence_texts(article, paragraph):
            texts.append(text)
            owners.append(i)
    vectors = np.asarray(embeddings.embed_documents(texts), dtype=np.float32)
    sums = np.zeros((len(pairs), vectors.shape[1]), dtype=np.float32)
    np.add.at(sums, np.asarray(owners), vectors)
    sums /= np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
    rows: list[SentenceRow] = []
    seen: dict[int, int] = {}
    for owner, vector in zip(owners, vectors, strict=True):
        n = seen[owner] = seen.get(owner, -1) + 1
        pid = pairs[owner][1].id
        meta = {k: v for k, v in metadata[owner].items() if k in SENTENCE_METADATA}
        rows.append(SentenceRow(f"{pid}#{n}", pid, vector.tolist(), {**meta, "paragraph_id": pid}))
    return sums.tolist(), rows


# What a sentence keeps of its paragraph's metadata: enough for the same filters.
SENTENCE_METADATA = ("article_id", "source", "published_day")


class SentenceIndex:
    """The sentence collection: written and deleted with the paragraphs, searched by vector."""

    def __init__(self, client: Any, name: str) -> None:
        self._collection = client.get_or_create_collection(
            name=name, metadata={"hnsw:space": "cosine"}, embedding_function=None
        )

    def upsert(self, rows: Sequence[SentenceRow], batch: int = 1024) -> None:
        for start in range(0, len(rows), batch):
            part = rows[start : start + batch]
            self._collection.upsert(
                ids=[r.id for r in part],
                embeddings=[r.vector for r in part],
                metadatas=[r.metadata for r in part],
            )

    def vectors_of(self, sentence_ids: Sequence[str]) -> dict[str, Any]:
        """The stored vectors of these sentences (ids ``PARAGRAPH_ID#N``; those that exist)."""
        if not sentence_ids:
            return {}
        result = self._collection.get(ids=list(sentence_ids), include=["embeddings"])
        return dict(zip(result["ids"], result["embeddings"], strict=True))

    def delete_article(self, article_id: str) -> None:
        self._collection.delete(where={"article_id": article_id})

    def delete_articles(self, article_ids: Sequence[str]) -> None:
        """Many articles in one query (each delete scans the metadata, however many ids)."""
        if article_ids:
            self._collection.delete(where={"article_id": {"$in": list(article_ids)}})

    def count(self) -> int:
        return int(self._collection.count())

    def search(
        self, vector: Sequence[float], k: int, where: dict[str, Any] | None = None
    ) -> dict[str, float]:
        """paragraph id → cosine of its best sentence among the ``k`` nearest sentences."""
        if k <= 0:  # (an empty collection answers with no results, no count needed)
            return {}
        result = self._collection.query(
            query_embeddings=[list(vector)],
            n_results=k,
            where=where,
            include=["metadatas", "distances"],
        )
        best: dict[str, float] = {}
        for meta, dist in zip(
            (result["metadatas"] or [[]])[0], (result["distances"] or [[]])[0], strict=True
        ):
            pid = str((meta or {}).get("paragraph_id", ""))
            best.setdefault(pid, 1.0 - float(dist))  # results come nearest first
        best.pop("", None)
        return best
