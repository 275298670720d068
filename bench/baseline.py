"""The naive LangChain baseline the benchmarks compare against: the tutorial's
RecursiveCharacterTextSplitter(1000, 200) over each article body, langchain_chroma.Chroma
with the same embedding model, queried with ``similarity_search``.

    from bench.baseline import build_baseline
    store = build_baseline(articles, embeddings)          # an ephemeral Chroma
    store.similarity_search("question", k=20)              # -> Documents (chunks)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.models import Article

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200


def baseline_documents(articles: Iterable[Article]) -> list[Document]:
    """The tutorial's chunks: bodies split 1000/200, title and source as metadata only."""
    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    docs = [
        Document(
            page_content=a.body,
            metadata={"article_id": a.id, "title": a.title, "source": a.source},
        )
        for a in articles
    ]
    return splitter.split_documents(docs)


def build_baseline(
    articles: Iterable[Article], embeddings: Embeddings, client: Any = None
) -> Chroma:
    """A Chroma of the baseline chunks (a fresh in-memory collection unless ``client``)."""
    if client is None:
        import chromadb
        from chromadb.config import Settings

        client = chromadb.EphemeralClient(settings=Settings(anonymized_telemetry=False))
    return Chroma.from_documents(
        baseline_documents(articles),
        embeddings,
        client=client,
        collection_name=f"baseline-{uuid.uuid4().hex[:8]}",
    )
