"""Lexical (BM25) search over the stored paragraphs and over their sentences.

``LexicalIndex`` is what the retriever asks of it, by paragraph id, for the candidates of
one question only; two implementations answer:

- ``Bm25Index`` (embedded mode): bm25s in this process, built from the store, so it holds
  exactly what the vector side holds; the owner rebuilds it when the index changes (see
  ``vectorstore.index``) and saves it in the data dir;
- ``vectorstore.pg_lexical.PostgresLexicalIndex`` (team mode): BM25 computed by
  PostgreSQL over a tsvector column, no client holding the corpus.

Paragraph scores see the title and publisher too; sentence scores (best sentence of a
paragraph) reward a question whose words meet in one sentence rather than spread over a
long paragraph. Both implementations tokenise with ``documents`` and score alike (bm25s's
defaults: Lucene's BM25, k1 = 1.5, b = 0.75).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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
K1, B = 1.5, 0.75  # bm25s's defaults, which the embedded index uses


def documents(passage: Passage) -> tuple[list[str], list[list[str]]]:
    """What BM25 reads of a paragraph: the terms of its title, publisher and text (one
    document), and the terms of each of its sentences (one document each)."""
    a, text = passage.article, passage.text
    paragraph = terms(f"{a.title} {a.source} {text}")
    sentences = [terms(text[s:e]) for s, e in sentences_or_whole(text)]
    return paragraph, sentences


def _bm25(corpus: list[list[str]]) -> bm25s.BM25:
    index = bm25s.BM25(k1=K1, b=B)
    index.index(corpus, show_progress=False)
    return index


@dataclass(frozen=True, slots=True)
class Neighbours:
    """A paragraph in its article: whether it may be cited, and the previous and next
    citable paragraph of the same article (None: none; a caption has no neighbours)."""

    citable: bool
    previous: str | None
    next: str | None


@dataclass(frozen=True, slots=True)
class Filtered:
    """The paragraphs a filter lets through: how many of how many, and their ids when
    there are at most the ``limit`` asked for (None otherwise)."""

    count: int
    total: int
    ids: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class LexicalScores:
    """BM25 of paragraphs for one question: ``top`` the best paragraphs by paragraph score,
    then by best-sentence score (each only above zero), ``scores`` id → (paragraph,
    best sentence) for those and any asked for by id (absent: no query term)."""

    top: tuple[str, ...]
    scores: Mapping[str, tuple[float, float]]


class LexicalIndex(ABC):
    """What the retriever reads of the lexical side, for one question's candidates."""

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def median_chars(self) -> float:
        """Median characters of the citable paragraphs: the corpus's kind (news, essays)."""

    @abstractmethod
    def filtered(self, filters: Filters, limit: int) -> Filtered | None:
        """Which paragraphs pass ``filters`` (None: no filter)."""

    @abstractmethod
    def search(
        self, query: str, k: int, filters: Filters | None = None, ids: Iterable[str] = ()
    ) -> LexicalScores:
        """The ``k`` best by paragraph and the ``k`` best by sentence BM25 (passing
        ``filters``), with the scores of those and of ``ids``."""

    @abstractmethod
    def passages_of(self, ids: Iterable[str]) -> dict[str, Passage]:
        """The passages of these ids that the index holds."""

    @abstractmethod
    def neighbours(self, ids: Iterable[str]) -> dict[str, Neighbours]:
        """Each held paragraph's place in its article."""


class Bm25Index(LexicalIndex):
    """bm25s in this process over every paragraph of an embedded index (see the module doc)."""

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
        self._last: tuple[str, tuple[np.ndarray, np.ndarray]] | None = None
        self._last_lock = threading.Lock()
        self._masks: dict[Filters, np.ndarray] = {}  # the retriever asks twice per question
        self._paragraphs: bm25s.BM25 | None = None
        self._sentences: bm25s.BM25 | None = None
        if _built is not None:  # loaded from disk
            self._paragraphs, self._sentences, self._sentence_starts = _built
            return
        if not self.passages:
            return
        docs = [documents(p) for p in self.passages]
        self._paragraphs = _bm25([paragraph or [_EMPTY] for paragraph, _ in docs])
        sentences: list[list[str]] = []
        starts = []
        for _, parts in docs:
            starts.append(len(sentences))
            sentences.extend(part or [_EMPTY] for part in parts)
        self._sentence_starts = np.asarray(starts, dtype=np.int64)
        self._sentences = _bm25(sentences)

    def __len__(self) -> int:
        return len(self.passages)

    def median_chars(self) -> float:
        return self.context.median_chars

    def filtered(self, filters: Filters, limit: int) -> Filtered | None:
        mask = self.allowed(filters)
        if mask is None:
            return None
        count = int(mask.sum())
        ids = tuple(self.passages[r].id for r in np.flatnonzero(mask)) if count <= limit else None
        return Filtered(count, len(self.passages), ids)

    def search(
        self, query: str, k: int, filters: Filters | None = None, ids: Iterable[str] = ()
    ) -> LexicalScores:
        paragraph, sentence = self._scores_cached(query)
        allowed = self.allowed(filters) if filters else None
        best = [
            r for values in (paragraph, sentence) for r in top_rows(values, k, allowed)
            if values[r] > 0
        ]  # fmt: skip
        asked = [r for i in ids if (r := self.rows.get(i)) is not None]
        scores = {
            self.passages[r].id: (float(paragraph[r]), float(sentence[r])) for r in best + asked
        }
        return LexicalScores(tuple(dict.fromkeys(self.passages[r].id for r in best)), scores)

    def _scores_cached(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        # The retriever asks twice per question (its top lists, then its other candidates).
        with self._last_lock:
            if self._last is not None and self._last[0] == query:
                return self._last[1]
        result = self.scores(query)
        with self._last_lock:
            self._last = (query, result)
        return result

    def passages_of(self, ids: Iterable[str]) -> dict[str, Passage]:
        return {i: self.passages[r] for i in ids if (r := self.rows.get(i)) is not None}

    def neighbours(self, ids: Iterable[str]) -> dict[str, Neighbours]:
        ctx = self.context
        found = {}
        for i in ids:
            r = self.rows.get(i)
            if r is None:
                continue
            before, after = int(ctx.previous[r]), int(ctx.next[r])
            found[i] = Neighbours(
                bool(ctx.citable[r]),
                self.passages[before].id if before >= 0 else None,
                self.passages[after].id if after >= 0 else None,
            )
        return found

    def allowed(self, filters: Filters) -> np.ndarray | None:
        """Which paragraphs pass ``filters`` (None: all); the mask is shared, not to be
        changed."""
        if not filters:
            return None
        with self._last_lock:
            known = self._masks.get(filters)
        if known is not None:
            return known
        mask = np.ones(len(self.passages), dtype=bool)
        if filters.sources:
            mask &= np.isin(self._sources, list(filters.sources))
        if filters.article_ids:
            mask &= np.isin(self._articles, list(filters.article_ids))
        if filters.since:
            mask &= self._days >= filters.since.toordinal()
        if filters.until:
            mask &= (self._days >= 0) & (self._days <= filters.until.toordinal())
        with self._last_lock:
            if len(self._masks) >= 8:
                self._masks.clear()
            self._masks[filters] = mask
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
    def load(cls, folder: Path, key: str) -> Bm25Index | None:
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

    def bm25_search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[Hit]:
        """Best ``k`` paragraphs by BM25 alone (score > 0), optionally only where ``allowed``:
        the lexical baseline of ``bench/retrieval.py``."""
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
