"""ParagraphStore: paragraphs of articles in one Chroma collection (cosine), keyed by id."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from langchain_core.embeddings import Embeddings

from ingest.models import Article
from vectorstore.metadata import passage_from, passage_metadata
from vectorstore.models import Hit, Passage
from vectorstore.sentences import PACKED_VECTORS, embed_paragraphs, stored_vectors

UPSERT_BATCH = 256
# Version of what a collection holds; bumped when an index must be rebuilt to be read.
# 2: paragraph and sentence vectors packed in each paragraph's metadata, sentences pooled
# in context (1 embedded sentences alone into a second collection).
INDEX_FORMAT = 2


class EmbeddingMismatch(Exception):
    """The collection was built with another embedding model than the one configured."""


class IndexFormatMismatch(Exception):
    """The collection was written by a version of briefing that stored it differently."""


class ParagraphStore:
    """Upserts by paragraph id, deletes by article id, searches by vector."""

    def __init__(
        self,
        client: Any,
        embeddings: Embeddings,
        collection: str = "briefing",
        family: str | None = None,
        write_lock: AbstractContextManager[Any] | None = None,
    ) -> None:
        self.embeddings = embeddings
        # Held around each write call: embedded Chroma rewrites its files on write, and
        # another process opening the store at that moment would corrupt them.
        self.write_lock = write_lock if write_lock is not None else nullcontext()
        metadata: dict[str, Any] = {"hnsw:space": "cosine", "index_format": INDEX_FORMAT}
        if family:
            metadata["embedding_family"] = family
        # No embedding function of Chroma's (its default one downloads a model): the
        # vectors are always computed here, with ``embeddings``.
        self._collection = client.get_or_create_collection(
            name=collection, embedding_function=None, metadata=metadata
        )
        stored_meta = self._collection.metadata or {}
        stored = stored_meta.get("embedding_family")
        if family and stored and stored != family:
            # Vectors of two models are not comparable: searching would return noise.
            raise EmbeddingMismatch(
                f"collection '{collection}' was built with '{stored}', settings say '{family}'"
            )
        fmt = stored_meta.get("index_format", 1)
        if fmt != INDEX_FORMAT and self._collection.count() > 0:
            raise IndexFormatMismatch(
                f"collection '{collection}' was written in index format {fmt}; this version "
                f"of briefing reads format {INDEX_FORMAT}"
            )

    # -- writing -------------------------------------------------------------------------
    def add_articles(self, articles: Sequence[Article]) -> int:
        """Replace each article's paragraphs with its current ones; returns paragraphs written.
        Old paragraphs go first, so an edited article never keeps stale ones."""
        self.delete_articles([a.id for a in articles])
        pairs = [(a, p) for a in articles for p in a.paragraphs]
        for start in range(0, len(pairs), UPSERT_BATCH):
            batch = pairs[start : start + UPSERT_BATCH]
            vectors, packed = embed_paragraphs(self.embeddings, batch)
            metadatas = [
                {**passage_metadata(a, p), PACKED_VECTORS: sv}
                for (a, p), sv in zip(batch, packed, strict=True)
            ]
            with self.write_lock:
                self._collection.upsert(
                    ids=[p.id for _, p in batch],
                    embeddings=vectors,  # type: ignore[arg-type]
                    documents=[p.text for _, p in batch],
                    metadatas=metadatas,  # type: ignore[arg-type]
                )
        return len(pairs)

    def delete_articles(self, article_ids: Sequence[str], chunk: int = 500) -> None:
        """The paragraphs of many articles, one query per ``chunk`` ids: each
        delete scans the collection's metadata however many ids it names (~20 ms per article
        at 2,000 articles, when done one by one)."""
        ids = list(dict.fromkeys(article_ids))
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            where: Any = {"article_id": {"$in": part}}
            with self.write_lock:
                self._collection.delete(where=where)

    def delete_paragraphs(self, paragraph_ids: Sequence[str], chunk: int = 5000) -> None:
        """Paragraphs by id (vectors no manifest row owns: see ``vectorstore.index``)."""
        ids = list(dict.fromkeys(paragraph_ids))
        for start in range(0, len(ids), chunk):
            with self.write_lock:
                self._collection.delete(ids=ids[start : start + chunk])

    # -- reading -------------------------------------------------------------------------
    def paragraph_ids(self, page: int = 20000) -> list[str]:
        """The id of every stored paragraph (ids only: no documents or vectors read)."""
        ids: list[str] = []
        while True:
            result = self._collection.get(limit=page, offset=len(ids), include=[])
            if not result["ids"]:
                return ids
            ids.extend(result["ids"])

    def paragraphs_of_versions(self, content_hashes: Iterable[str], chunk: int = 2000) -> set[str]:
        """The ids of stored paragraphs whose article's content hash is one of these (ids
        only: the metadata, with its packed vectors, is not read)."""
        hashes = sorted(set(content_hashes))
        found: set[str] = set()
        for start in range(0, len(hashes), chunk):
            where: Any = {"content_hash": {"$in": hashes[start : start + chunk]}}
            found.update(self._collection.get(where=where, include=[])["ids"])
        return found

    def count(self) -> int:
        return int(self._collection.count())

    def search(self, query: str, k: int = 8) -> list[Hit]:
        """The k paragraphs nearest to the query, best first; score = cosine similarity."""
        return self.search_by_vector(self.embeddings.embed_query(query), k)

    def search_by_vector(self, vector: list[float], k: int = 8) -> list[Hit]:
        return [hit for hit, _ in self.search_with_vectors(vector, k)]

    def search_with_vectors(self, vector: list[float], k: int = 8) -> list[tuple[Hit, Any]]:
        """The k nearest paragraphs, best first (score = cosine), each with its stored
        vectors (as ``packed_vectors`` gives them; None if it has none)."""
        result = self._collection.query(  # (an empty collection answers with no results)
            query_embeddings=[vector],  # type: ignore[arg-type]
            n_results=k,
            include=["documents", "metadatas", "distances"],  # type: ignore[list-item]
        )
        ids = result["ids"][0]
        docs = (result["documents"] or [[]])[0]
        metas = (result["metadatas"] or [[]])[0]
        dists = (result["distances"] or [[]])[0]
        # A paragraph deleted (by an indexing run elsewhere) between the vector search and
        # the metadata lookup comes back without metadata: it is gone, so it is no hit.
        return [
            (
                Hit(passage_from(doc or "", dict(meta)), 1.0 - float(dist)),
                stored_vectors(dict(meta), len(vector)),
            )
            for pid, doc, meta, dist in zip(ids, docs, metas, dists, strict=True)
            if meta and "article_id" in meta
        ]

    def get(self, paragraph_ids: Iterable[str]) -> list[Passage]:
        ids = list(paragraph_ids)
        if not ids:
            return []
        result = self._collection.get(ids=ids, include=["documents", "metadatas"])  # type: ignore[list-item]
        found = {
            pid: passage_from(doc or "", dict(meta or {}))
            for pid, doc, meta in zip(
                result["ids"], result["documents"] or [], result["metadatas"] or [], strict=True
            )
        }
        return [found[i] for i in ids if i in found]

    def packed_vectors(self, paragraph_ids: Sequence[str], dim: int) -> dict[str, Any]:
        """paragraph id → its stored vectors (float32 rows: the paragraph, then each of its
        sentences), for those that exist."""
        ids = list(dict.fromkeys(paragraph_ids))
        if not ids:
            return {}
        result = self._collection.get(ids=ids, include=["metadatas"])  # type: ignore[list-item]
        found: dict[str, Any] = {}
        for pid, meta in zip(result["ids"], result["metadatas"] or [], strict=True):
            matrix = stored_vectors(dict(meta or {}), dim)
            if matrix is not None:
                found[pid] = matrix
        return found

    def iter_all(self, page: int = 5000) -> Iterator[Passage]:
        """Every stored paragraph (for the lexical index and status)."""
        offset = 0
        while True:
            result = self._collection.get(
                limit=page,
                offset=offset,
                include=["documents", "metadatas"],  # type: ignore[list-item]
            )
            if not result["ids"]:
                return
            for _pid, doc, meta in zip(
                result["ids"], result["documents"] or [], result["metadatas"] or [], strict=True
            ):
                yield passage_from(doc or "", dict(meta or {}))
            offset += len(result["ids"])
