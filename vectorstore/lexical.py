"""BM25 over the stored paragraphs (bm25s), rebuilt when the index changes."""

from __future__ import annotations

from collections.abc import Sequence

import bm25s
import numpy as np

from vectorstore.models import Hit
from vectorstore.text import terms


class LexicalIndex:
    def __init__(self, hits: Sequence[Hit]) -> None:
        self.hits = list(hits)
        self._bm25: bm25s.BM25 | None = None
        if self.hits:
            # Title and publisher are part of what a paragraph matches on.
            corpus = [terms(f"{h.title} {h.source} {h.text}") or ["∅"] for h in self.hits]
            self._bm25 = bm25s.BM25()
            self._bm25.index(corpus, show_progress=False)

    def __len__(self) -> int:
        return len(self.hits)

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[Hit]:
        """Best ``k`` paragraphs by BM25 (score > 0), optionally only where ``allowed``."""
        if self._bm25 is None:
            return []
        tokens = terms(query)
        if not tokens:
            return []
        k = min(k, len(self.hits))
        mask = None if allowed is None else allowed.astype(np.float32)
        docs, scores = self._bm25.retrieve(
            [tokens], k=k, show_progress=False, weight_mask=mask, n_threads=1
        )
        out = []
        for i, score in zip(docs[0], scores[0], strict=True):
            if score <= 0:
                break
            hit = self.hits[int(i)]
            out.append(_with_score(hit, float(score)))
        return out


def _with_score(hit: Hit, score: float) -> Hit:
    from dataclasses import replace

    return replace(hit, score=score)
