"""Hybrid retrieval: dense (Chroma) and BM25 rankings fused by weighted reciprocal rank.

It is a LangChain ``BaseRetriever``, so it plugs into any LangChain chain; ``retrieve``
returns our ``Hit`` records for the assistant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from vectorstore.filters import Filters
from vectorstore.lexical import LexicalIndex
from vectorstore.models import Hit
from vectorstore.store import ParagraphStore

RRF_K = 60


def fuse(rankings: list[tuple[list[Hit], float]], k: int) -> list[Hit]:
    """Weighted reciprocal rank fusion; ``score`` of each result is its fused score."""
    scores: dict[str, float] = {}
    first: dict[str, Hit] = {}
    for hits, weight in rankings:
        for rank, hit in enumerate(hits):
            scores[hit.paragraph_id] = scores.get(hit.paragraph_id, 0.0) + weight / (RRF_K + rank + 1)
            first.setdefault(hit.paragraph_id, hit)
    ordered = sorted(scores, key=lambda pid: scores[pid], reverse=True)[:k]
    return [replace(first[pid], score=scores[pid]) for pid in ordered]


class HybridRetriever(BaseRetriever):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: ParagraphStore
    lexical: Callable[[], LexicalIndex]
    k: int = 8
    candidates: int = 30
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    filters: Filters = Filters()

    def retrieve(self, query: str, k: int | None = None, filters: Filters | None = None) -> list[Hit]:
        k = k or self.k
        filters = filters if filters is not None else self.filters
        dense = self.store.search(query, self.candidates, filters.where())
        lexical = self.lexical()
        allowed = None
        if filters:
            allowed = np.array([filters.accepts(h) for h in lexical.hits], dtype=bool)
        sparse = lexical.search(query, self.candidates, allowed)
        return fuse([(dense, self.dense_weight), (sparse, self.lexical_weight)], k)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        return [hit_document(h) for h in self.retrieve(query)]


def hit_document(hit: Hit) -> Document:
    meta = {k: getattr(hit, k) for k in Hit.__slots__ if k != "text"}  # type: ignore[attr-defined]
    return Document(page_content=hit.text, metadata=meta, id=hit.paragraph_id)
