"""The index handle: one object per open index that owns its client, store, manifest, locks,
change detection and lexical (BM25) index, so nothing above it branches on where it lives.

- ``EmbeddedIndex``: a ``PersistentClient`` in the data dir, the SQLite manifest beside it,
  ``FileLock``s between processes; the store is reopened when another process wrote,
  because chromadb keeps each process's vector index in memory, blind to the others.
- ``TeamIndex``: an ``HttpClient`` to a Chroma server, the manifest mirrored on it, a
  ``ChromaLease`` for the one indexing run at a time team-wide.

Readers go through ``reading()``, writers (the indexer) through ``writing()``; both turn
store failures into the ``BriefingError``s of ``vectorstore.errors``.
"""

from __future__ import annotations

import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from vectorstore.client import close_client, is_store_error, load_collections, make_client
from vectorstore.embeddings import embedding_family
from vectorstore.errors import (
    BriefingError,
    DataDirError,
    IndexBusy,
    IndexOutdated,
    ModelMismatch,
    StoreUnavailable,
)
from vectorstore.layout import IndexFiles
from vectorstore.lexical import LexicalIndex, index_key
from vectorstore.locks import ChromaLease, FileLock, Gate, LockTimeout
from vectorstore.manifest import Manifest
from vectorstore.models import Hit
from vectorstore.remote_manifest import ChromaMirror, team_manifest
from vectorstore.store import EmbeddingMismatch, IndexFormatMismatch, ParagraphStore


@dataclass(frozen=True, slots=True)
class IndexConfig:
    """Where an index lives and how to reach it (the assistant fills it from its settings)."""

    data_dir: Path
    collection: str = "briefing"
    embedding_model: str = "fake"
    chroma_host: str | None = None  # set: a team index on this Chroma server
    chroma_port: int = 8000
    chroma_ssl: bool = False
    chroma_token: str | None = None
    chroma_timeout: float = 30.0
    lock_timeout: float = 600.0

    @property
    def team(self) -> bool:
        return bool(self.chroma_host)

    @property
    def files(self) -> IndexFiles:
        return IndexFiles(self.data_dir, self.collection)


class _LexicalCache:
    """BM25 over the stored paragraphs, rebuilt when the manifest says the index changed and
    saved on disk, so a new process on an unchanged index skips the rebuild."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._index: LexicalIndex | None = None
        self._version: Any = None
        self._key = ""
        self._lock = threading.Lock()

    def get(self, manifest: Manifest, store: ParagraphStore) -> LexicalIndex:
        # Every add, replace and removal writes the manifest, in this process or another (a
        # CLI run beside the UI); its version sees both, even within one clock second.
        version = manifest.version()
        with self._lock:
            if self._index is None or version != self._version:
                key = index_key(manifest.done_hashes())
                if self._index is None or key != self._key:
                    index = LexicalIndex.load(self.folder, key)
                    if index is None:
                        index = LexicalIndex(store.iter_all())
                        index.save(self.folder, key)
                    self._index, self._key = index, key
                self._version = version
            return self._index


class IndexHandle(ABC):
    """An open index; thread-safe for reading, one writer at a time (see the module doc)."""

    manifest: Manifest
    store: ParagraphStore

    def __init__(self, config: IndexConfig, embeddings: Embeddings) -> None:
        self.config = config
        self.embeddings = embeddings
        self._gate = Gate()
        self._writer: FileLock | ChromaLease
        self._store_lock: AbstractContextManager[Any] = nullcontext()
        self._lexical = _LexicalCache(config.files.lexical)

    @property
    @abstractmethod
    def description(self) -> str:
        """Where the store is, as ``briefing status`` shows it."""

    @property
    @abstractmethod
    def where(self) -> str:
        """Where the index is, for error messages."""

    @abstractmethod
    def _unavailable(self, exc: BaseException) -> BriefingError: ...

    @abstractmethod
    def _sync(self, required: bool = False) -> None:
        """Catch up with other processes' writes (``required``: before writing)."""

    # -- the store -----------------------------------------------------------------------
    def _open_store(self, client: Any) -> ParagraphStore:
        try:
            return ParagraphStore(
                client,
                self.embeddings,
                self.config.collection,
                family=embedding_family(self.config.embedding_model),
                write_lock=self._store_lock,
            )
        except EmbeddingMismatch as exc:
            raise ModelMismatch(str(exc)) from exc
        except IndexFormatMismatch as exc:
            close_client(client)  # its files may be moved aside next (vectorstore/upgrade.py)
            raise IndexOutdated(f"{exc} ({self.where})") from exc

    def _client(self, *, fresh: bool) -> Any:
        c = self.config
        return make_client(
            c.data_dir,
            host=c.chroma_host,
            port=c.chroma_port,
            ssl=c.chroma_ssl,
            token=c.chroma_token,
            timeout=c.chroma_timeout,
            fresh=fresh,
        )

    def lexical(self) -> LexicalIndex:
        """BM25 over the stored paragraphs, current with the manifest."""
        return self._lexical.get(self.manifest, self.store)

    def complete(self, hits: list[Hit]) -> list[Hit]:
        """Only paragraphs of completely indexed articles, in the version the manifest says
        is done: an article being written (``pending``) or replaced by an indexing run in
        another process is never cited half-written. One small manifest query."""
        articles = [h.passage.article for h in hits]
        done = self.manifest.done_hashes(a.id for a in articles)
        return [h for h, a in zip(hits, articles, strict=True) if done.get(a.id) == a.content_hash]

    # -- access --------------------------------------------------------------------------
    @contextmanager
    def errors(self) -> Iterator[None]:
        """Failures of the store (server down or hung, files unusable) as BriefingErrors."""
        try:
            yield
        except BriefingError:
            raise
        except LockTimeout as exc:
            raise StoreUnavailable(
                f"the article store stayed locked: {exc}",
                hint="Another process is writing to the store; try again in a moment.",
            ) from exc
        except Exception as exc:
            if not is_store_error(exc):
                raise
            raise self._unavailable(exc) from exc

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self.errors():
            self._sync()
            with self._gate.shared():
                yield

    @contextmanager
    def writing(self) -> Iterator[None]:
        """The one writer of this index (``IndexBusy`` after ``lock_timeout`` seconds)."""
        with self.errors():
            if not self._writer.acquire(self.config.lock_timeout):
                raise IndexBusy(
                    f"another indexing run is writing to this index ({self._writer.describe()})"
                )
            try:
                # Fresh before writing; a team manifest reloads: this run's copy is the truth.
                self._sync(required=True)
                with self._gate.shared():
                    yield
            finally:
                self._writer.release()

    @abstractmethod
    def close(self) -> None:
        """Release the store and the manifest (tests, benchmarks, long-lived hosts)."""


class EmbeddedIndex(IndexHandle):
    def __init__(self, config: IndexConfig, embeddings: Embeddings) -> None:
        super().__init__(config, embeddings)
        files = config.files
        try:
            self.manifest = Manifest(files.manifest)
        except (OSError, sqlite3.Error) as exc:
            raise DataDirError(
                f"cannot open the manifest in data dir {config.data_dir}: {exc}"
            ) from exc
        self._store_lock = FileLock.at(files.store_lock).bounded(config.lock_timeout)
        self._writer = FileLock.at(files.writer_lock)
        try:
            with self.errors():
                self._store_seen = self.manifest.version()[0]
                self._chroma, self.store = self._open()
        except BriefingError:
            self.manifest.close()
            raise

    @property
    def description(self) -> str:
        return "embedded chroma"

    @property
    def where(self) -> str:
        return f"data dir {self.config.data_dir}"

    def _open(self) -> tuple[Any, ParagraphStore]:
        # Opening rewrites the store's files: under the store lock, with every collection
        # loaded now rather than at a first query.
        with self._store_lock:
            client = self._client(fresh=True)
            store = self._open_store(client)
            load_collections(client)
        return client, store

    def _sync(self, required: bool = False) -> None:
        """Reopen the store when another process wrote to it (writing from a stale one would
        overwrite theirs on disk: ``required`` before writing). For reading it is best
        effort: with readers busy it waits for the next question."""
        if self.manifest.version()[0] == self._store_seen:
            return
        with self._gate.exclusive(timeout=None if required else 1.0) as alone:
            if not alone:
                return  # busy readers, or this thread reads (nested in a write it synced)
            seen = self.manifest.version()[0]
            old = self._chroma
            self._chroma, self.store = self._open()
            self._store_seen = seen
            close_client(old)

    def _unavailable(self, exc: BaseException) -> BriefingError:
        reason = str(exc).strip() or type(exc).__name__
        if isinstance(exc, sqlite3.Error | OSError):
            return DataDirError(f"the data dir {self.config.data_dir} failed: {reason}")
        return StoreUnavailable(
            f"the article store in {self.config.data_dir} failed: {reason}",
            hint="Run the command again; if it keeps failing, re-index into a new data dir.",
        )

    def close(self) -> None:
        close_client(self._chroma)
        self.manifest.close()


class TeamIndex(IndexHandle):
    """On a Chroma server the server serialises its own writes: no store lock."""

    def __init__(self, config: IndexConfig, embeddings: Embeddings) -> None:
        super().__init__(config, embeddings)
        with self.errors():
            self._chroma = self._client(fresh=False)
            self.manifest = team_manifest(self._chroma, config.collection)
            mirror = self.manifest.mirror
            assert isinstance(mirror, ChromaMirror)
            self.lease_collection = mirror.collection  # the lease lives beside the rows
            self._writer = ChromaLease(self.lease_collection)
            self.store = self._open_store(self._chroma)

    @property
    def description(self) -> str:
        return f"chroma server {self.config.chroma_host}:{self.config.chroma_port}"

    @property
    def where(self) -> str:
        return f"Chroma server {self.config.chroma_host}"

    def _sync(self, required: bool = False) -> None:
        self.manifest.version()  # the manifest copy reloads itself; the server is shared

    def _unavailable(self, exc: BaseException) -> BriefingError:
        reason = str(exc).strip() or type(exc).__name__
        where = f"{self.config.chroma_host}:{self.config.chroma_port}"
        from vectorstore.client import token_problem

        if refused := token_problem(exc, self.config.chroma_token):
            return StoreUnavailable(f"{refused[0]} ({where}: {reason})", hint=refused[1])
        return StoreUnavailable(f"the Chroma server at {where} did not answer: {reason}")

    def close(self) -> None:
        close_client(self._chroma)
        self.manifest.close()


def open_index(config: IndexConfig, embeddings: Embeddings) -> IndexHandle:
    """The index ``config`` names: on its Chroma server, or embedded in its data dir."""
    return TeamIndex(config, embeddings) if config.team else EmbeddedIndex(config, embeddings)
