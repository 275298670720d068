"""BM25 (bm25s) over the stored paragraphs and over their sentences.

Built from the store, so it holds exactly what the vector side holds; the owner rebuilds it
when the index changes (see ``BriefingAssistant.lexical_index``). Paragraph scores see the
title and publisher too; sentence scores (best sentence of a paragraph) reward a question
whose words meet in one sentence rather than spread over a long paragraph.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from ingest.text import sentences_or_whole, terms
from vectorstore.context import columns
from vectorstore.filters import Filters
from vectorstore.metadata import date_ordinal, passage_from, passage_metadata
from vectorstore.models import Hit, Passage

_EMPTY = "∅"  # bm25s needs a token per document
_FORMAT = 3  # bump when what is saved or how it is tokenised changes (3: citable.npy)


def _bm25(corpus: list[list[str]]) -> bm25s.BM25:
    index = bm25s.BM25()
    index.index(corpus, show_progress=False)
    return index


class LexicalIndex:
    def __init__(
        self,
        passages: Iterable[Passage],
        *,
        _built: tuple[Any, Any, Any] | None = None,
        _citable: np.ndarray | None = None,
    ) -> None:
        self.passages = list(passages)
        self.rows = {p.id: i for i, p in enumerate(self.passages)}
        # Columns for vectorised filtering.
        refs = [p.article for p in self.passages]
        self._sources = np.array([a.source for a in refs], dtype=object)
        self._articles = np.array([a.id for a in refs], dtype=object)
        self._days = np.array([date_ordinal(a.published_at) or -1 for a in refs])
        # Neighbours, citable or not, and the corpus's paragraph length (vectorstore/context).
        self.context = columns(self.passages, _citable)
        self._paragraphs: bm25s.BM25 | None = None
        self._sentences: bm25s.BM25 | None = None
        if _built is not None:  # loaded from disk
            self._paragraphs, self._sentences, self._sentence_starts = _built
            return
        if not self.passages:
            return
        self._paragraphs = _bm25(
            [
                terms(f"{p.article.title} {p.article.source} {p.text}") or [_EMPTY]
                for p in self.passages
            ]
        )
        sentences: list[list[str]] = []
        starts = []
        for p in self.passages:
            starts.append(len(sentences))
            spans = sentences_or_whole(p.text)
            sentences.extend(terms(p.text[s:e]) or [_EMPTY] for s, e in spans)
        self._sentence_starts = np.asarray(starts, dtype=np.int64)
        self._sentences = _bm25(sentences)

    def __len__(self) -> int:
        return len(self.passages)

    def allowed(self, filters: Filters) -> np.ndarray | None:
        """Which paragraphs pass ``filters`` (None: all)."""
        if not filters:
            return None
        mask = np.ones(len(self.passages), dtype=bool)
        if filters.sources:
            mask &= np.isin(self._sources, list(filters.sources))
        if filters.article_ids:
            mask &= np.isin(self._articles, list(filters.article_ids))
        if filters.since:
            mask &= self._days >= filters.since.toordinal()
        if filters.until:
            mask &= (self._days >= 0) & (self._days <= filters.until.toordinal())
        return mask

    def scores(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """BM25 of every paragraph, and of its best sentence, for ``query``."""
        n = len(self.passages)
        if self._paragraphs is None or self._sentences is None:
            return np.zeros(n), np.zeros(n)
        tokens = [t for t in dict.fromkeys(terms(query)) if t in self._paragraphs.vocab_dict]
        if not tokens:
            return np.zeros(n), np.zeros(n)
        paragraph = np.asarray(self._paragraphs.get_scores(tokens), dtype=np.float64)
        tokens = [t for t in tokens if t in self._sentences.vocab_dict]
        if not tokens:
            return paragraph, np.zeros(n)
        per_sentence = np.asarray(self._sentences.get_scores(tokens), dtype=np.float64)
        return paragraph, np.maximum.reduceat(per_sentence, self._sentence_starts)

    # -- on disk: a rebuild reads every paragraph back from Chroma and tokenises it (about
    # 30 s at 100,000 paragraphs), so a process that starts on an unchanged index loads it.
    def save(self, folder: Path, key: str) -> bool:
        """Write the index to ``folder`` (replacing it), tagged with ``key``; best effort (a
        read-only data dir only costs a rebuild next time)."""
        if self._paragraphs is None or self._sentences is None:
            return False
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-"))
        except OSError:
            return False
        try:
            self._paragraphs.save(str(tmp / "paragraphs"), show_progress=False)
            self._sentences.save(str(tmp / "sentences"), show_progress=False)
            np.save(tmp / "sentence_starts.npy", self._sentence_starts)
            np.save(tmp / "citable.npy", self.context.citable)
            with (tmp / "passages.jsonl").open("w", encoding="utf-8") as fh:
                for p in self.passages:
                    meta = passage_metadata(p.article, p.paragraph)
                    fh.write(json.dumps([p.text, meta]) + "\n")
            (tmp / "key.json").write_text(json.dumps({"key": key, "format": _FORMAT}))
            shutil.rmtree(folder, ignore_errors=True)
            os.replace(tmp, folder)
            return True
        except OSError:
            return False
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path, key: str) -> LexicalIndex | None:
        """The index saved in ``folder`` under ``key``; None when absent, stale or unreadable."""
        try:
            meta = json.loads((folder / "key.json").read_text())
            if meta != {"key": key, "format": _FORMAT}:
                return None
            with (folder / "passages.jsonl").open(encoding="utf-8") as fh:
                passages = [passage_from(*json.loads(line)) for line in fh]
            built = (
                bm25s.BM25.load(str(folder / "paragraphs"), show_progress=False),
                bm25s.BM25.load(str(folder / "sentences"), show_progress=False),
                np.load(folder / "sentence_starts.npy"),
            )
            citable = np.load(folder / "citable.npy")
        except (OSError, ValueError, TypeError, KeyError):
            return None  # e.g. half-deleted by another process: rebuild
        return cls(passages, _built=built, _citable=citable)

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[Hit]:
        """Best ``k`` paragraphs by BM25 (score > 0), optionally only where ``allowed``."""
        paragraph, _ = self.scores(query)
        return [
            Hit(self.passages[i], float(paragraph[i]))
            for i in top_rows(paragraph, k, allowed)
            if paragraph[i] > 0
        ]


def index_key(done: Mapping[str, str]) -> str:
    """Names the indexed content: (article id, content hash) of every completely indexed
    article, so a saved index is reused only for the same articles in the same versions."""
    digest = hashlib.sha256(f"format {_FORMAT}\n".encode())
    for article_id, content_hash in sorted(done.items()):
        digest.update(f"{article_id} {content_hash}\n".encode())
    return digest.hexdigest()


def top_rows(scores: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[int]:
    """Rows of the ``k`` highest scores (only ``allowed`` ones), best first."""
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    k = min(k, len(scores))
    if k <= 0:
        return []
    rows = np.argpartition(-scores, k - 1)[:k]
    rows = rows[np.argsort(-scores[rows], kind="stable")]
    return [int(r) for r in rows if np.isfinite(scores[r])]
