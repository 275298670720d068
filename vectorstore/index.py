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

import dataclasses
import shutil
import sqlite3
import tempfile
import threading
import weakref
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from vectorstore.client import close_client, is_store_error, load_collections, make_client
from vectorstore.embeddings import embedding_family
from vectorstore.errors import (
    DISK_FULL_HINT,
    BriefingError,
    IndexBusy,
    IndexDamaged,
    IndexOutdated,
    ModelMismatch,
    ReadOnlyIndex,
    StoreDamaged,
    StoreUnavailable,
    data_dir_error,
    is_damaged_file,
)
from vectorstore.layout import IndexFiles
from vectorstore.lexical import Bm25Index, LexicalIndex, index_key
from vectorstore.locks import ChromaLease, FileLock, Gate, LockTimeout, ReentrantLock
from vectorstore.manifest import Manifest
from vectorstore.models import Hit
from vectorstore.postgres import is_postgres_error
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
    read_only: bool = False  # a data dir that cannot be written: asked, never indexed
    # set with chroma_host: the manifest, BM25 and team records in this PostgreSQL
    postgres_dsn: str | None = None

    @property
    def team(self) -> bool:
        return bool(self.chroma_host)

    @property
    def files(self) -> IndexFiles:
        return IndexFiles(self.data_dir, self.collection)


@dataclass(frozen=True, slots=True)
class StoreCheck:
    """How the store agrees with its manifest, paragraph by paragraph and in content:
    ``missing`` maps each ``done`` article that lacks vectors of its indexed version to how
    many of its paragraphs have none; ``stale`` are stored paragraphs of such an article in
    another version of it (a restored older store: same ids, other text), counted in
    ``missing`` too; ``orphans`` are stored paragraphs of no article in the manifest (or past
    its last paragraph); ``pending`` counts stored paragraphs of articles being written (or
    left so by an interrupted run). ``settled``: the manifest did not move while it was
    compared (another process writing), so the result is exact."""

    articles: int
    paragraphs: int
    vectors: int
    missing: dict[str, int]
    orphans: tuple[str, ...]
    pending: int = 0
    stale: tuple[str, ...] = ()
    settled: bool = True

    @property
    def ok(self) -> bool:
        return not self.missing and not self.orphans

    @property
    def manifest_lost(self) -> bool:
        """Vectors in the store, no article in the manifest: it was emptied or replaced."""
        return self.articles == 0 and self.vectors > self.pending

    def problems(self) -> list[str]:
        lines: list[str] = []
        if self.manifest_lost:
            lines.append(
                f"the manifest holds no article but the store holds {self.vectors} "
                "paragraphs: the manifest was lost or damaged"
            )
        elif self.orphans:
            lines.append(f"{len(self.orphans)} stored paragraphs belong to no indexed article")
        if self.stale:
            lines.append(
                f"{len(self.stale)} stored paragraphs hold another version of their article "
                "than the one indexed (an older store restored?)"
            )
        absent = sum(self.missing.values()) - len(self.stale)
        if absent > 0:
            stale = Counter(pid.rpartition(":")[0] for pid in self.stale)
            lacking = sum(1 for a, n in self.missing.items() if n > stale[a])
            lines.append(
                f"{absent} of {self.paragraphs} paragraphs "
                f"({lacking} of {self.articles} articles) have no vector in the store: "
                "vectors were lost"
            )
        return lines


def check_store(manifest: Manifest, store: ParagraphStore, attempts: int = 3) -> StoreCheck:
    """Compare every stored paragraph with the manifest: its id, and the version of its
    article it holds (the content hash each stored paragraph carries against the one the
    manifest indexed; a hash names one article's title, text and metadata, so a paragraph
    counted current is of its article's indexed version). Vectors change only while their
    article is ``pending``, and marking it so moves the manifest's version: a check that saw
    one version throughout is exact even while another process writes."""
    for _ in range(attempts):
        before = manifest.version()
        rows = manifest.paragraph_counts()
        current = store.paragraphs_of_versions(set(manifest.done_hashes().values()))
        check = _compare(rows, store.paragraph_ids(), current)
        if manifest.version() == before:
            return check
    return dataclasses.replace(check, settled=False)


def _compare(rows: dict[str, tuple[int, str]], ids: list[str], current: set[str]) -> StoreCheck:
    present: dict[str, int] = {}
    orphans: list[str] = []
    stale: list[str] = []
    pending = 0
    for pid in ids:
        article_id, _, index = pid.rpartition(":")
        row = rows.get(article_id)
        if row is not None and row[1] == "pending":
            pending += 1
        elif row is None or not index.isdigit() or int(index) >= row[0]:
            orphans.append(pid)
        elif pid not in current:
            stale.append(pid)
        else:
            present[article_id] = present.get(article_id, 0) + 1
    done = {a: n for a, (n, state) in rows.items() if state == "done"}
    missing = {a: n - present.get(a, 0) for a, n in done.items() if present.get(a, 0) < n}
    return StoreCheck(
        articles=len(done),
        paragraphs=sum(done.values()),
        vectors=len(ids),
        missing=missing,
        orphans=tuple(orphans),
        pending=pending,
        stale=tuple(stale),
    )


def recover(manifest: Manifest, store: ParagraphStore) -> int:
    """Finish what an interrupted run left ``pending``; the caller holds the writer lock.
    Their vectors may be half written, so they go; an article no location holds (being added,
    or removed) goes with them, while one the manifest knows where to read (being replaced or
    repaired) is kept, ``done`` without vectors: the store check finds them missing, and the
    next run reads them again. Every step is safe to repeat after another crash. Returns the
    articles found pending."""
    pending = manifest.pending()
    if not pending:
        return 0
    keep = manifest.located(pending)
    store.delete_articles(pending)
    manifest.remove_many([a for a in pending if a not in keep])
    manifest.mark_unwritten(sorted(keep))
    return len(pending)


class _LexicalCache:
    """BM25 over the stored paragraphs, rebuilt when the manifest says the index changed and
    saved on disk, so a new process on an unchanged index skips the rebuild."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._index: Bm25Index | None = None
        self._version: Any = None
        self._key = ""
        self._lock = threading.Lock()

    def get(self, manifest: Manifest, store: ParagraphStore) -> Bm25Index:
        # Every add, replace and removal writes the manifest, in this process or another (a
        # CLI run beside the UI); its version sees both, even within one clock second.
        version = manifest.version()
        with self._lock:
            if self._index is None or version != self._version:
                done = manifest.done_hashes()
                key = index_key(done)
                if self._index is None or key != self._key:
                    index = Bm25Index.load(self.folder, key)
                    if index is None:
                        # Only what the key names: never leftovers of an interrupted run,
                        # and saved only when no paragraph of it is missing from the store.
                        passages = [
                            p
                            for p in store.iter_all()
                            if done.get(p.article.id) == p.article.content_hash
                        ]
                        index = Bm25Index(passages)
                        if len(passages) == manifest.counts()[1]:
                            index.save(self.folder, key)
                        else:
                            key = ""  # incomplete: rebuilt once the store is repaired
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
        self._writer: ReentrantLock  # one writer of this index (a file, a lease, a DB lock)
        self._store_lock: AbstractContextManager[Any] = nullcontext()
        self._lexical = _LexicalCache(config.files.lexical)
        self._intact_version: Any = None

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

    def _client(self, *, fresh: bool, data_dir: Path | None = None) -> Any:
        c = self.config
        return make_client(
            data_dir or c.data_dir,
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

    def check(self) -> StoreCheck:
        """Every stored paragraph against the manifest (``briefing status``, repair)."""
        with self.reading():
            return check_store(self.manifest, self.store)

    def require_intact(self) -> None:
        """Refuse to answer from a store that disagrees with its manifest: vectors lost or of
        another version of their article (its answers would lack the article), vectors of no
        article, or a manifest lost. Every stored paragraph is compared (``check``), once per
        manifest version; equal counts prove nothing."""
        version = self.manifest.version()
        if version == self._intact_version:
            return
        check = self.check()
        if not check.settled:
            return  # another process is writing: checked again at the next question
        if not check.ok:
            problems = "; ".join(check.problems())
            raise IndexDamaged(
                f"the index in {self.where} is damaged, not answered from: {problems}"
            )
        self._intact_version = version

    def tidy(self) -> int:
        """Recover what an interrupted run left ``pending`` (its half-written vectors would
        crowd real evidence out of the nearest results until the next run) when no run is
        writing: one manifest query when there is nothing to do. Returns the articles found
        pending (see ``recover``: those the manifest can read again are kept)."""
        if self.config.read_only or not self.manifest.pending():
            return 0
        try:
            if not self._writer.acquire(0):
                return 0  # a run is writing them now
        except OSError:
            return 0  # a read-only data dir: left for a writable run
        try:
            with self.errors():
                self._sync(required=True)
                return recover(self.manifest, self.store)
        finally:
            self._writer.release()

    def complete(self, hits: list[Hit]) -> list[Hit]:
        """Only paragraphs of completely indexed articles, in the version the manifest says
        is done: an article being written (``pending``) or replaced by an indexing run in
        another process is never cited half-written. One small manifest query."""
        self.require_intact()
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
            if not (is_store_error(exc) or is_postgres_error(exc)):
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
        if self.config.read_only:
            raise ReadOnlyIndex(
                f"the data dir {self.config.data_dir} is read-only: it can be asked, not indexed"
            )
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
        self._snapshot: Path | None = None
        if config.read_only:
            # Chroma and SQLite (WAL) write even to read: they read a private copy, removed
            # on close or when the process ends (the CLI never closes).
            self._snapshot, files = _snapshot(files)
            weakref.finalize(self, shutil.rmtree, self._snapshot, ignore_errors=True)
        try:
            self.manifest = Manifest(files.manifest)
        except (OSError, sqlite3.Error) as exc:
            raise data_dir_error(
                f"cannot open the manifest in data dir {config.data_dir}: {exc}",
                exc,
                config.data_dir,
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
            client = self._client(fresh=True, data_dir=self._snapshot)
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
        if isinstance(exc, sqlite3.Error | OSError) or "disk is full" in reason.lower():
            message = f"the data dir {self.config.data_dir} failed: {reason}"
            return data_dir_error(message, exc, self.config.data_dir)
        if is_damaged_file(reason):  # Chroma's own database: the manifest's are sqlite3's
            return StoreDamaged(
                f"the article store in {self.config.files.chroma} is damaged: {reason}"
            )
        # Chroma's own errors on a full disk name no errno: the free space decides.
        full = data_dir_error("", exc, self.config.data_dir).hint == DISK_FULL_HINT
        return StoreUnavailable(
            f"the article store in {self.config.data_dir} failed: {reason}",
            hint=DISK_FULL_HINT
            if full
            else "Run the command again; if it keeps failing, re-index into a new data dir.",
        )

    def close(self) -> None:
        close_client(self._chroma)
        self.manifest.close()
        if self._snapshot is not None:
            shutil.rmtree(self._snapshot, ignore_errors=True)


def _snapshot(files: IndexFiles) -> tuple[Path, IndexFiles]:
    """A private copy of a read-only data dir's store and manifest, in the temp folder."""
    folder = Path(tempfile.mkdtemp(prefix="briefing-read-only-"))
    if files.chroma.exists():
        shutil.copytree(files.chroma, folder / files.chroma.name)
    for path in files.data_dir.glob(files.manifest.name + "*"):  # with its -wal, if any
        shutil.copy2(path, folder / path.name)
    return folder, IndexFiles(folder, files.collection)


def chroma_unavailable(config: IndexConfig, exc: BaseException) -> BriefingError:
    """A team's Chroma server failing ``exc``: down, hung, or refusing the token."""
    from vectorstore.client import token_problem

    reason = str(exc).strip() or type(exc).__name__
    where = f"{config.chroma_host}:{config.chroma_port}"
    if refused := token_problem(exc, config.chroma_token):
        return StoreUnavailable(f"{refused[0]} ({where}: {reason})", hint=refused[1])
    return StoreUnavailable(f"the Chroma server at {where} did not answer: {reason}")


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
        return chroma_unavailable(self.config, exc)

    def close(self) -> None:
        close_client(self._chroma)
        self.manifest.close()


class PostgresTeamIndex(IndexHandle):
    """Team mode at scale: vectors on the Chroma server; the manifest, the BM25 index and
    the writer lock in PostgreSQL. A client holds connections, never the corpus: opening
    it and asking cost the same at any corpus size (``bench/scale.py``)."""

    def __init__(self, config: IndexConfig, embeddings: Embeddings) -> None:
        super().__init__(config, embeddings)
        from vectorstore.pg_lexical import PostgresLexicalIndex
        from vectorstore.pg_manifest import PostgresManifest, PostgresWriterLock
        from vectorstore.postgres import Database

        assert config.postgres_dsn
        self.database = Database(config.postgres_dsn, config.collection, config.chroma_timeout)
        with self.errors():
            self.manifest = PostgresManifest(self.database)
            self._writer = PostgresWriterLock(self.database)
            self._lexical_index = PostgresLexicalIndex(self.database)
            self._chroma = self._client(fresh=False)
            self.store = self._open_store(self._chroma)

    @property
    def description(self) -> str:
        c = self.config
        return f"chroma server {c.chroma_host}:{c.chroma_port} + {self._postgres}"

    @property
    def _postgres(self) -> str:
        from vectorstore.postgres import describe_dsn

        return describe_dsn(self.database.dsn)

    @property
    def where(self) -> str:
        return f"Chroma server {self.config.chroma_host} and {self._postgres}"

    def lexical(self) -> LexicalIndex:
        return self._lexical_index

    def _sync(self, required: bool = False) -> None:
        """Nothing to catch up with: every read goes to the servers."""

    def require_intact(self) -> None:
        """Per manifest version, what the engine can tell at once: the lexical tables hold
        every paragraph of the ``done`` articles and the store as many vectors. The
        paragraph-by-paragraph comparison (``check``) reads every id of the store, which
        grows with the corpus: ``briefing status`` and repair run it, not each client."""
        version = self.manifest.version()
        if version == self._intact_version:
            return
        from vectorstore.pg_manifest import PostgresManifest

        assert isinstance(self.manifest, PostgresManifest)
        with self.reading():
            if self.manifest.pending():
                return  # a run is writing: checked again at the next question
            articles, paragraphs = self.manifest.counts()
            vectors = self.store.count()
            complete = self.manifest.lexical_complete()
        if vectors < paragraphs or not complete or (vectors and not articles):
            problems = []
            if vectors < paragraphs:
                problems.append(f"{paragraphs - vectors} of {paragraphs} paragraphs have no vector")
            if vectors and not articles:
                problems.append(f"the manifest holds no article but the store holds {vectors}")
            if not complete:
                problems.append("the lexical index lacks paragraphs of indexed articles")
            raise IndexDamaged(
                f"the index in {self.where} is damaged, not answered from: " + "; ".join(problems)
            )
        self._intact_version = version

    def _unavailable(self, exc: BaseException) -> BriefingError:
        if is_postgres_error(exc):
            reason = str(exc).strip() or type(exc).__name__
            return StoreUnavailable(
                f"{self._postgres} did not answer: {reason}",
                hint="Check BRIEFING_POSTGRES_DSN and that the team's PostgreSQL is running.",
            )
        return chroma_unavailable(self.config, exc)

    def close(self) -> None:
        close_client(self._chroma)
        self.manifest.close()


def open_index(config: IndexConfig, embeddings: Embeddings) -> IndexHandle:
    """The index ``config`` names: on its Chroma server (with its PostgreSQL), or embedded
    in its data dir."""
    handle: IndexHandle
    if config.team and config.postgres_dsn:
        handle = PostgresTeamIndex(config, embeddings)
    elif config.team:
        handle = TeamIndex(config, embeddings)
    else:
        handle = EmbeddedIndex(config, embeddings)
    try:
        handle.tidy()
    except BaseException:
        handle.close()
        raise
    return handle
