"""BriefingAssistant: the one object the CLI and the UI talk to."""

from __future__ import annotations

import sqlite3
import tempfile
import threading
from collections.abc import Generator, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, cast

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from assistant.backends.base import AnswerStream, Turn
from assistant.backends.registry import make_backend
from assistant.conversations import (
    Conversation,
    ConversationHandle,
    ConversationStore,
    ConversationSummary,
)
from assistant.errors import (
    BriefingError,
    DataDirError,
    IndexBusy,
    IndexOutdated,
    ModelMismatch,
    StoreUnavailable,
)
from assistant.followup import rewrite as rewrite_followup
from assistant.indexing import Indexer, IndexReport
from assistant.models import REFUSAL, Answer
from assistant.settings import Settings
from ingest.manifest import Manifest
from vectorstore.client import close_client, is_store_error, load_collections, make_client
from vectorstore.embeddings import embedding_family, make_embeddings
from vectorstore.filters import Filters
from vectorstore.lexical import LexicalIndex, index_key
from vectorstore.locks import ChromaLease, FileLock, Gate, LockTimeout
from vectorstore.models import Hit
from vectorstore.remote_manifest import ChromaManifest, manifest_collection_name
from vectorstore.retriever import HybridRetriever
from vectorstore.store import EmbeddingMismatch, IndexFormatMismatch, ParagraphStore


@dataclass(frozen=True, slots=True)
class Status:
    articles: int
    paragraphs: int
    vectors: int
    data_dir: str
    model: str
    store: str
    last_indexed_at: str | None


class _GuardedIndexer(Indexer):
    """An Indexer whose runs hold the index's writer lock from start to end — one run at a
    time per index, team-wide on a server — so ``recover()`` only ever clears what a dead run
    left; it writes through the assistant's current store, and its store failures come out
    as BriefingErrors."""

    def __init__(self, service: BriefingAssistant) -> None:
        super().__init__(
            service.store,
            service.manifest,
            service.settings.max_file_bytes,
            fetch_timeout=service.settings.fetch_timeout,
        )
        self.service = service

    @contextmanager
    def _guard(self) -> Iterator[None]:
        with self.service._writing():
            self.store = self.service.store  # reopened if another process wrote
            yield

    def recover(self) -> int:
        with self._guard():
            return super().recover()

    def index(self, *args: Any, **kwargs: Any) -> IndexReport:
        with self._guard():
            return super().index(*args, **kwargs)

    def remove(self, article_id: str) -> bool:
        with self._guard():
            return super().remove(article_id)


class BriefingAssistant:
    """Thread-safe for asking (Streamlit serves sessions in threads); one indexing run at a
    time per index, across processes and, on a Chroma server, across machines."""

    def __init__(
        self,
        settings: Settings,
        embeddings: Embeddings | None = None,
        chat_model: BaseChatModel | None = None,
    ) -> None:
        self.settings = settings
        self.embeddings = embeddings or make_embeddings(settings.embedding_model)
        self.team = bool(settings.chroma_host)  # the index lives on a Chroma server
        self._gate = Gate()
        _check_writable(settings.data_dir)
        self._writer: FileLock | ChromaLease
        self._store_lock: AbstractContextManager[Any]
        if self.team:
            self._store_lock = nullcontext()  # the server serialises its own writes
        else:
            try:
                self.manifest: Manifest = Manifest(settings.manifest_path)
            except (OSError, sqlite3.Error) as exc:
                raise DataDirError(
                    f"cannot open the manifest in data dir {settings.data_dir}: {exc}"
                ) from exc
            self._store_lock = FileLock.at(settings.data_dir / "chroma.lock").bounded(
                settings.lock_timeout
            )
            self._writer = FileLock.at(settings.data_dir / "index.lock")
        try:
            with self._store_errors():
                self._store_seen = None if self.team else self.manifest.version()[0]
                self._client, self.store = self._open_store()
        except BriefingError:
            if not self.team:
                self.manifest.close()
            raise
        self.backend = make_backend(settings, self.embeddings, chat_model)
        self._lexical: LexicalIndex | None = None
        self._lexical_version: Any = None
        self._lexical_lock = threading.Lock()
        self._lexical_key = ""
        self.retriever = HybridRetriever(
            store=self.store, lexical=self.lexical_index, k=settings.top_k
        )

    def lexical_index(self) -> LexicalIndex:
        """BM25 over the stored paragraphs, rebuilt when the manifest says the index changed."""
        # Every add, replace and removal writes the manifest, in this process or another (a
        # CLI run beside the UI); its version sees both, even within one clock second.
        version = self.manifest.version()
        with self._lexical_lock:
            if self._lexical is None or version != self._lexical_version:
                key = index_key(self.manifest.done_hashes())
                if self._lexical is None or key != self._lexical_key:
                    # Saved on disk: a new process on an unchanged index skips the rebuild.
                    folder = self.settings.data_dir / f"bm25-{self.settings.collection}"
                    index = LexicalIndex.load(folder, key)
                    if index is None:
                        index = LexicalIndex(self.store.iter_all())
                        index.save(folder, key)
                    self._lexical, self._lexical_key = index, key
                self._lexical_version = version
            return self._lexical

    def _complete(self, hits: list[Hit]) -> list[Hit]:
        """Only paragraphs of completely indexed articles, in the version the manifest says
        is done: an article being written (``pending``) or replaced by an indexing run in
        another process is never cited half-written. One small manifest query."""
        done = self.manifest.done_hashes(h.article_id for h in hits)
        return [h for h in hits if done.get(h.article_id) == h.content_hash]

    def indexer(self) -> Indexer:
        return _GuardedIndexer(self)

    # -- the store -----------------------------------------------------------------------
    def _open_store(self) -> tuple[Any, ParagraphStore]:
        s = self.settings
        client = None
        try:
            with self._store_lock:
                client = make_client(
                    s.data_dir,
                    host=s.chroma_host,
                    port=s.chroma_port,
                    ssl=s.chroma_ssl,
                    token=s.chroma_token,
                    timeout=s.chroma_timeout,
                    fresh=True,
                )
                if self.team and not hasattr(self, "manifest"):
                    self.manifest = ChromaManifest(client, manifest_collection_name(s.collection))
                    self._writer = ChromaLease(self.manifest.collection)
                store = ParagraphStore(
                    client,
                    self.embeddings,
                    s.collection,
                    family=embedding_family(s.embedding_model),
                    write_lock=self._store_lock,
                )
                if not self.team:
                    load_collections(client)
        except EmbeddingMismatch as exc:
            raise ModelMismatch(str(exc)) from exc
        except IndexFormatMismatch as exc:
            close_client(client)  # its files may be moved aside next (assistant/upgrade.py)
            where = f"Chroma server {s.chroma_host}" if self.team else f"data dir {s.data_dir}"
            raise IndexOutdated(f"{exc} ({where})") from exc
        return client, store

    def _sync(self, required: bool = False) -> None:
        """Catch up with other processes. The manifest copy of a team index reloads itself;
        an embedded store is reopened when another process wrote to it, because chromadb
        keeps each process's vector index in memory, blind to other processes' writes (and
        writing from a stale one would overwrite theirs on disk: ``required`` before writing).
        For reading it is best effort: with readers busy it waits for the next question."""
        version = self.manifest.version()
        if self.team or version[0] == self._store_seen:
            return
        with self._gate.exclusive(timeout=None if required else 1.0) as alone:
            if not alone:
                return  # busy readers, or this thread reads (nested in a write it synced)
            seen = self.manifest.version()[0]
            old = self._client
            self._client, self.store = self._open_store()
            self.retriever.store = self.store
            self._store_seen = seen
            close_client(old)

    def _unavailable(self, exc: BaseException) -> BriefingError:
        reason = str(exc).strip() or type(exc).__name__
        if self.team:
            where = f"{self.settings.chroma_host}:{self.settings.chroma_port}"
            return StoreUnavailable(f"the Chroma server at {where} did not answer: {reason}")
        if isinstance(exc, sqlite3.Error | OSError):
            return DataDirError(f"the data dir {self.settings.data_dir} failed: {reason}")
        return StoreUnavailable(
            f"the article store in {self.settings.data_dir} failed: {reason}",
            hint="Run the command again; if it keeps failing, re-index into a new data dir.",
        )

    @contextmanager
    def _store_errors(self) -> Iterator[None]:
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
    def _reading(self) -> Iterator[None]:
        with self._store_errors():
            self._sync()
            with self._gate.shared():
                yield

    @contextmanager
    def _writing(self) -> Iterator[None]:
        with self._store_errors():
            if not self._writer.acquire(self.settings.lock_timeout):
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

    def close(self) -> None:
        """Release the store and the manifest (tests, benchmarks, long-lived hosts)."""
        close_client(self._client)
        self.manifest.close()
        self._close_conversations()

    def ask(
        self,
        question: str,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
        conversation: ConversationHandle | None = None,
    ) -> Answer:
        return self.stream(question, history, filters, conversation).answer

    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
        conversation: ConversationHandle | None = None,
    ) -> AnswerStream:
        """The answer's text in chunks as they are produced and checked (LLM backends stream
        sentence by sentence; the extractive one gives it at once); ``.answer`` is the
        finished Answer, whose text is the chunks joined. With a ``conversation``, its saved
        turns are the history and the finished turn is saved to it (``_saving``)."""
        history = self._history(history, conversation)
        question = question.strip()
        if not question:
            return self._saving(
                AnswerStream.of(Answer(question, REFUSAL, refused=True)), conversation
            )
        query = rewrite_followup(question, history)  # "and who denied it?" needs its subject
        with self._reading():
            k = self.retriever.k
            # Twice as many, as some may belong to articles another process is writing.
            hits = self.retriever.retrieve(query, k=2 * k, filters=filters or Filters())
            hits = self._complete(hits)[:k]
        return self._saving(self.backend.stream(question, hits, history), conversation)

    def status(self) -> Status:
        with self._reading():
            return self._status()

    def _status(self) -> Status:
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

    # -- conversations -------------------------------------------------------------------
    # Saved in the data dir, for a team index too: a conversation is its analyst's own.
    _conversation_store: ConversationStore | None = None
    _conversation_lock: ClassVar[threading.Lock] = threading.Lock()  # guards the first open

    @property
    def conversations(self) -> ConversationStore:
        """The data dir's saved conversations (the CLI's and the chat's), opened on first
        use; one SQLite connection shared by the chat's threads."""
        with self._conversation_lock:
            if self._conversation_store is None:
                self._conversation_store = ConversationStore.in_data_dir(self.settings.data_dir)
            return self._conversation_store

    def conversation(self, conversation_id: int) -> Conversation:
        """A saved conversation with its answers (ConversationNotFound when there is none)."""
        return self.conversations.get(conversation_id)

    def list_conversations(self) -> list[ConversationSummary]:
        """Saved conversations, the most recently used first."""
        return self.conversations.list()

    def _history(
        self, history: Sequence[Turn], conversation: ConversationHandle | None
    ) -> Sequence[Turn]:
        """The earlier turns a question is asked with: a saved conversation's own, read
        before answering so an unknown id fails before any work is done."""
        if conversation is None or conversation.id is None:
            return history
        if history:
            raise ValueError("pass either history or a saved conversation, not both")
        saved = self.conversations.get(conversation.id).history()
        # Frozen turns; backends.base.Turn declares writable attributes, though only read.
        return cast(Sequence[Turn], saved)

    def _saving(
        self, stream: AnswerStream, conversation: ConversationHandle | None
    ) -> AnswerStream:
        """``stream``, saving its Answer as the conversation's next turn once it is finished
        (a new conversation, titled by the question, when the handle has no id yet)."""
        if conversation is None or not conversation.save:
            return stream
        handle = conversation

        def chunks() -> Generator[str, None, Answer]:
            yield from stream
            answer = stream.answer
            handle.id, handle.turn = self.conversations.save(answer, handle.id)
            return answer

        return AnswerStream(chunks())

    def _close_conversations(self) -> None:
        with self._conversation_lock:
            if self._conversation_store is not None:
                self._conversation_store.close()
                self._conversation_store = None


def _check_writable(data_dir: Path) -> None:
    """Fail early and clearly on a data dir that cannot be written. A real write, because
    ``os.access`` answers yes to root whatever the mode bits say."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=data_dir, prefix=".write-check-"):
            pass
    except OSError as exc:
        raise DataDirError(f"cannot write to data dir {data_dir}: {exc.strerror or exc}") from exc
