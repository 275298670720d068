"""ParagraphStore: paragraphs of articles in one Chroma collection (cosine), keyed by id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from ingest.models import Article, Paragraph
from vectorstore.models import Hit

UPSERT_BATCH = 256


def embedding_text(article: Article, paragraph: Paragraph) -> str:
    """What is embedded for a paragraph: its article title gives it context."""
    return f"{article.title}\n{paragraph.text}"


def date_ordinal(iso: str | None) -> int | None:
    """Days since 0001-01-01 of an ISO date, for range filters in Chroma (numbers only)."""
    if not iso:
        return None
    try:
        return dt.date.fromisoformat(iso[:10]).toordinal()
    except ValueError:
        return None


def paragraph_metadata(article: Article, paragraph: Paragraph) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "article_id": article.id,
        "index": paragraph.index,
        "char_start": paragraph.char_start,
        "char_end": paragraph.char_end,
        "title": article.title,
        "source": article.source,
        "content_hash": article.content_hash,
        "url": article.url,
        "published_at": article.published_at,
        "published_day": date_ordinal(article.published_at),
        "author": article.author,
    }
    return {k: v for k, v in meta.items() if v is not None}  # Chroma rejects None values


def hit_from(paragraph_id: str, text: str, meta: dict[str, Any], score: float = 0.0) -> Hit:
    return Hit(
        paragraph_id=paragraph_id,
        article_id=str(meta["article_id"]),
        index=int(meta["index"]),
        text=text,
        char_start=int(meta["char_start"]),
        char_end=int(meta["char_end"]),
        title=str(meta.get("title", "")),
        source=str(meta.get("source", "")),
        url=meta.get("url"),
        published_at=meta.get("published_at"),
        author=meta.get("author"),
        content_hash=str(meta.get("content_hash", "")),
        score=score,
    )


class EmbeddingMismatch(Exception):
    """The collection was built with another embedding model than the one configured."""


class ParagraphStore:
    """Upserts by paragraph id, deletes by article id, searches by vector."""

    def __init__(
        self,
        client: Any,
        embeddings: Embeddings,
        collection: str = "briefing",
        family: str | None = None,
    ) -> None:
        self.embeddings = embeddings
        metadata: dict[str, Any] = {"hnsw:space": "cosine"}
        if family:
            metadata["embedding_family"] = family
        self.vectors = Chroma(
            collection_name=collection,
            embedding_function=embeddings,
            client=client,
            collection_metadata=metadata,
        )
        self._collection = self.vectors._collection
        stored = (self._collection.metadata or {}).get("embedding_family")
        if family and stored and stored != family:
            # Vectors of two models are not comparable: searching would return noise.
            raise EmbeddingMismatch(
                f"collection '{collection}' was built with '{stored}', settings say '{family}'"
            )

    # -- writing -------------------------------------------------------------------------
    def add_articles(self, articles: Sequence[Article]) -> int:
        """Replace each article's paragraphs with its current ones; returns paragraphs written.
        Old paragraphs go first, so an edited article never keeps stale ones."""
        for article in articles:
            self.delete_article(article.id)
        pairs = [(a, p) for a in articles for p in a.paragraphs]
        for start in range(0, len(pairs), UPSERT_BATCH):
            batch = pairs[start : start + UPSERT_BATCH]
            vectors = self.embeddings.embed_documents([embedding_text(a, p) for a, p in batch])
            self._collection.upsert(
                ids=[p.id for _, p in batch],
                embeddings=vectors,  # type: ignore[arg-type]
                documents=[p.text for _, p in batch],
                metadatas=[paragraph_metadata(a, p) for a, p in batch],  # type: ignore[misc]
            )
        return len(pairs)

    def delete_article(self, article_id: str) -> None:
        self._collection.delete(where={"article_id": article_id})

    # -- reading -------------------------------------------------------------------------
    def count(self) -> int:
        return int(self._collection.count())

    def search(self, query: str, k: int = 8, where: dict[str, Any] | None = None) -> list[Hit]:
        """The k paragraphs nearest to the query, best first; score = cosine similarity."""
        return self.search_by_vector(self.embeddings.embed_query(query), k, where)

    def search_by_vector(
        self, vector: list[float], k: int = 8, where: dict[str, Any] | None = None
    ) -> list[Hit]:
        if self.count() == 0:
            return []
        result = self._collection.query(
            query_embeddings=[vector],  # type: ignore[arg-type]
            n_results=k,
            where=where,
            include=["documents", "metadatas", "distances"],  # type: ignore[list-item]
        )
        ids = result["ids"][0]
        docs = (result["documents"] or [[]])[0]
        metas = (result["metadatas"] or [[]])[0]
        dists = (result["distances"] or [[]])[0]
        return [
            hit_from(pid, doc or "", dict(meta or {}), 1.0 - float(dist))
            for pid, doc, meta, dist in zip(ids, docs, metas, dists, strict=True)
        ]

    def get(self, paragraph_ids: Iterable[str]) -> list[Hit]:
        ids = list(paragraph_ids)
        if not ids:
            return []
        result = self._collection.get(ids=ids, include=["documents", "metadatas"])  # type: ignore[list-item]
        found = {
            pid: hit_from(pid, doc or "", dict(meta or {}))
            for pid, doc, meta in zip(
                result["ids"], result["documents"] or [], result["metadatas"] or [], strict=True
            )
        }
        return [found[i] for i in ids if i in found]

    def iter_all(self, page: int = 5000) -> Iterator[Hit]:
        """Every stored paragraph (for the lexical index and status)."""
        offset = 0
        while True:
            result = self._collection.get(
                limit=page, offset=offset, include=["documents", "metadatas"]  # type: ignore[list-item]
            )
            if not result["ids"]:
                return
            for pid, doc, meta in zip(
                result["ids"], result["documents"] or [], result["metadatas"] or [], strict=True
            ):
                yield hit_from(pid, doc or "", dict(meta or {}))
            offset += len(result["ids"])
