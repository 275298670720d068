"""BriefingAssistant: the one object the CLI and the UI talk to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.backends.base import Turn
from assistant.backends.registry import make_backend
from assistant.errors import DataDirError, ModelMismatch, StoreUnavailable
from assistant.indexing import Indexer
from assistant.models import REFUSAL, Answer
from assistant.settings import Settings
from ingest.manifest import Manifest
from langchain_core.embeddings import Embeddings
from vectorstore.client import make_client
from vectorstore.embeddings import embedding_family, make_embeddings
from vectorstore.filters import Filters
from vectorstore.lexical import LexicalIndex
from vectorstore.retriever import HybridRetriever
from vectorstore.store import EmbeddingMismatch, ParagraphStore


@dataclass(frozen=True, slots=True)
class Status:
    articles: int
    paragraphs: int
    vectors: int
    data_dir: str
    model: str
    store: str
    last_indexed_at: str | None


class BriefingAssistant:
    def __init__(self, settings: Settings, embeddings: Embeddings | None = None) -> None:
        self.settings = settings
        self.embeddings = embeddings or make_embeddings(settings.embedding_model)
        try:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            self.manifest = Manifest(settings.manifest_path)
        except OSError as exc:
            raise DataDirError(f"cannot use data dir {settings.data_dir}: {exc.strerror}") from exc
        try:
            client = make_client(
                settings.data_dir,
                host=settings.chroma_host,
                port=settings.chroma_port,
                ssl=settings.chroma_ssl,
                token=settings.chroma_token,
            )
            self.store = ParagraphStore(
                client,
                self.embeddings,
                settings.collection,
                family=embedding_family(settings.embedding_model),
            )
        except EmbeddingMismatch as exc:
            raise ModelMismatch(str(exc)) from exc
        except Exception as exc:  # chromadb raises many kinds; all mean "store unusable"
            raise StoreUnavailable(f"cannot open the Chroma store: {exc}") from exc
        self.backend = make_backend(settings, self.embeddings)
        self._lexical: LexicalIndex | None = None
        self._lexical_version: Any = None
        self.retriever = HybridRetriever(
            store=self.store, lexical=self.lexical_index, k=settings.top_k
        )

    def lexical_index(self) -> LexicalIndex:
        """BM25 over the stored paragraphs, rebuilt when the manifest says the index changed."""
        version = (self.manifest.counts(), self.manifest.last_indexed_at())
        if self._lexical is None or version != self._lexical_version:
            self._lexical = LexicalIndex(list(self.store.iter_all()))
            self._lexical_version = version
        return self._lexical

    def indexer(self) -> Indexer:
        return Indexer(self.store, self.manifest, self.settings.max_file_bytes)

    def ask(
        self, question: str, history: Sequence[Turn] = (), filters: Filters | None = None
    ) -> Answer:
        question = question.strip()
        if not question:
            return Answer(question, REFUSAL, refused=True)
        hits = self.retriever.retrieve(question, filters=filters or Filters())
        return self.backend.answer(question, hits, history)

    def status(self) -> Status:
        articles, paragraphs = self.manifest.counts()
        store = (
            f"chroma server {self.settings.chroma_host}:{self.settings.chroma_port}"
            if self.settings.chroma_host
            else "embedded chroma"
        )
        return Status(
            articles=articles,
            paragraphs=paragraphs,
            vectors=self.store.count(),
            data_dir=str(self.settings.data_dir),
            model=self.settings.embedding_model,
            store=store,
            last_indexed_at=self.manifest.last_indexed_at(),
        )
