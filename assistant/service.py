"""BriefingAssistant: the one object the CLI and the UI talk to."""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import tempfile
import threading
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from assistant.backends.base import AnswerStream, Turn
from assistant.conversations import (
    Conversation,
    ConversationHandle,
    ConversationStore,
    ConversationSummary,
    now,
    open_conversations,
)
from assistant.errors import DataDirError, SettingsInvalid
from assistant.models import REFUSAL, Answer
from assistant.settings import Settings
from assistant.view import Provenance, describe_filters
from vectorstore.filters import Filters
from vectorstore.index import IndexConfig, IndexHandle, open_index

# What only answering needs is imported when first used, so that the commands that do not
# answer (`briefing status`, `list`, `index`) start without LangChain's chat models, the
# retriever, the reader and spaCy (bench/startup.py measures it).
if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel

    from assistant.backends.base import AnswerBackend
    from assistant.overview import CorpusOverview
    from vectorstore.indexing import Indexer
    from vectorstore.lexical import LexicalIndex
    from vectorstore.manifest import Manifest, ManifestEntry
    from vectorstore.retriever import HybridRetriever
    from vectorstore.store import ParagraphStore


@dataclass(frozen=True, slots=True)
class Status:
    articles: int
    paragraphs: int
    vectors: int
    data_dir: str
    model: str
    store: str
    last_indexed_at: str | None


def _scoped(stream: AnswerStream, said: str) -> AnswerStream:
    """``stream`` whose finished Answer says which filters the question set."""

    def chunks() -> Generator[str, None, Answer]:
        yield from stream
        return dataclasses.replace(stream.answer, scope=said)

    return AnswerStream(chunks())


class BriefingAssistant:
    """Thread-safe for asking (Streamlit serves sessions in threads); one indexing run at a
    time per index, across processes and, on a Chroma server, across machines."""

    def __init__(
        self,
        settings: Settings,
        embeddings: Embeddings | None = None,
        chat_model: BaseChatModel | None = None,
    ) -> None:
        from vectorstore.embeddings import make_embeddings

        self.settings = settings
        self.embeddings = embeddings or make_embeddings(
            settings.embedding_model, settings.cache_dir
        )
        # Conversations live there, for a team index too; a read-only one is only asked.
        self.read_only = not _check_writable(settings.data_dir)
        config = dataclasses.replace(index_config(settings), read_only=self.read_only)
        self.index: IndexHandle = open_index(config, self.embeddings)
        self._chat_model = chat_model
        self._backend: AnswerBackend | None = None
        self._retriever: HybridRetriever | None = None
        self._answering = threading.Lock()  # guards their first use (the chat's threads)
        self._publishers_cache: tuple[object, list[str], dt.date | None] | None = None

    @property
    def backend(self) -> AnswerBackend:
        """The answer backend the settings name, made at the first question."""
        with self._answering:
            if self._backend is None:
                from assistant.backends.registry import make_backend

                self._backend = make_backend(self.settings, self.embeddings, self._chat_model)
            return self._backend

    @backend.setter
    def backend(self, backend: AnswerBackend) -> None:
        self._backend = backend

    @property
    def retriever(self) -> HybridRetriever:
        """Hybrid retrieval over the index, made at the first question."""
        with self._answering:
            if self._retriever is None:
                from vectorstore.retriever import PROFILES, HybridRetriever

                self._retriever = HybridRetriever(
                    index=self.index,
                    k=self.settings.top_k,
                    tuning=PROFILES.get(self.settings.retrieval_profile),
                )
            return self._retriever

    # The index's parts, for the CLI's list and verify, the chat's sidebar and tests.
    @property
    def store(self) -> ParagraphStore:
        return self.index.store

    @property
    def manifest(self) -> Manifest:
        return self.index.manifest

    def lexical_index(self) -> LexicalIndex:
        return self.index.lexical()

    def indexer(self) -> Indexer:
        from ingest.loaders.raw import Limits
        from vectorstore.indexing import Indexer

        s = self.settings
        limits = Limits(
            s.max_file_bytes, s.max_unpacked_bytes, s.max_paragraphs, s.max_paragraph_chars
        )
        return Indexer(self.index, fetch_timeout=s.fetch_timeout, limits=limits)

    def close(self) -> None:
        """Release the store and the manifest (tests, benchmarks, long-lived hosts)."""
        self.index.close()
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
        from assistant.followup import rewrite as rewrite_followup
        from assistant.question import WIDE_KINDS, analyse
        from assistant.reader.query import merged, scope_of

        history = self._history(history, conversation)
        question = question.strip()
        if not question:
            return self._saving(
                AnswerStream.of(Answer(question, REFUSAL, refused=True)), conversation
            )
        if filters and (empty := self._empty_filter(filters)):
            return self._saving(
                AnswerStream.of(Answer(question, empty, refused=True)), conversation
            )
        # "since 2 November", "according to Reuters": the question's own filters
        scope = scope_of(question, *self._publishers())
        filters = merged(filters, scope)
        if scope is not None and filters and (empty := self._empty_filter(filters)):
            return self._saving(
                AnswerStream.of(Answer(question, empty, refused=True, scope=scope.said)),
                conversation,
            )
        query = rewrite_followup(question, history)  # "and who denied it?" needs its subject
        with self.index.reading():
            k = self.retriever.k
            if analyse(question).kind in WIDE_KINDS:
                k *= 2  # who stood behind a claim, or how a figure moved, spans articles
            # Twice as many, as some may belong to articles another process is writing.
            hits = self.retriever.retrieve(query, k=2 * k, filters=filters or Filters())
            hits = self.index.complete(hits)[:k]
        stream = self.backend.stream(question, hits, history)
        if scope is not None:
            stream = _scoped(stream, scope.said)
        return self._saving(stream, conversation)

    def _publishers(self) -> tuple[list[str], dt.date | None]:
        """The indexed outlets and the newest article's date, read again only when the
        manifest changed (a question's outlet and dates are read against them)."""
        with self.index.reading():
            version = self.manifest.version()
            if self._publishers_cache is None or self._publishers_cache[0] != version:
                outlets, latest = self.manifest.publishers()
                day = dt.date.fromisoformat(latest[:10]) if latest else None
                self._publishers_cache = (version, outlets, day)
        return self._publishers_cache[1], self._publishers_cache[2]

    def status(self) -> Status:
        with self.index.reading():
            return self._status()

    def provenance(self, filters: Filters | None = None) -> Provenance:
        """The header of an export made now: the corpus, ``filters`` and the backend."""
        s = self.status()
        return Provenance(
            generated_at=now(),
            # no data-dir path or server name: an export is shared beyond this machine
            corpus=f"{s.articles} articles, {s.paragraphs} paragraphs",
            filters=describe_filters(filters),
            backend=self.settings.backend,
        )

    def _empty_filter(self, filters: Filters) -> str | None:
        """What to say when no indexed article passes ``filters``, instead of a refusal."""
        from assistant.overview import empty_filter_message

        with self.index.reading():
            return empty_filter_message(filters, self.manifest.entries())

    def overview(self) -> CorpusOverview:
        """What the corpus holds, for the chat's landing page, with example questions this
        assistant answers; kept in the data dir's overview/ per index version."""
        from assistant.overview import OverviewCache, lead_paragraph_ids

        with self.index.reading():
            entries = self.manifest.entries()

        def lead_texts(missing: Sequence[ManifestEntry]) -> dict[str, str]:
            texts = {e.id: [e.title] for e in missing}
            with self.index.reading():
                passages = self.store.get(lead_paragraph_ids(missing))
            for passage in passages:
                texts[passage.article.id].append(passage.text)
            return {k: "\n\n".join(v) for k, v in texts.items()}

        def answered(question: str) -> bool:
            # The quick offline backend checks each example; an LLM is not called for them.
            if self.settings.backend != "extractive":
                return True
            return not self.ask(question).refused

        return OverviewCache(self.settings.data_dir / "overview").get(entries, lead_texts, answered)

    def _status(self) -> Status:
        articles, paragraphs = self.manifest.counts()
        return Status(
            articles=articles,
            paragraphs=paragraphs,
            vectors=self.store.count(),
            data_dir=str(self.settings.data_dir),
            model=self.settings.embedding_model,
            store=self.index.description,
            last_indexed_at=self.manifest.last_indexed_at(),
        )

    # -- conversations -------------------------------------------------------------------
    # Saved in the data dir, or in the team's PostgreSQL when BRIEFING_POSTGRES_DSN is set.
    _conversation_store: ConversationStore | None = None
    _conversation_lock: ClassVar[threading.Lock] = threading.Lock()  # guards the first open

    @property
    def conversations(self) -> ConversationStore:
        """The saved conversations (the CLI's and the chat's), opened on first use and
        shared by the chat's threads (``open_conversations`` chooses where they live)."""
        with self._conversation_lock:
            if self._conversation_store is None:
                self._conversation_store = open_conversations(self.settings)
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
            handle.id, handle.turn = self.conversations.save(answer, handle.id, handle.origin)
            return answer

        return AnswerStream(chunks())

    def _close_conversations(self) -> None:
        with self._conversation_lock:
            if self._conversation_store is not None:
                self._conversation_store.close()
                self._conversation_store = None


def index_config(settings: Settings) -> IndexConfig:
    """Where the settings say the index is."""
    s = settings
    if s.postgres_dsn and not s.chroma_host:
        raise SettingsInvalid(
            [
                "BRIEFING_POSTGRES_DSN is set but BRIEFING_CHROMA_HOST is not: team mode keeps "
                "the vectors on the team's Chroma server and the rest in PostgreSQL (set "
                "BRIEFING_CHROMA_HOST, or unset BRIEFING_POSTGRES_DSN for a local index)"
            ]
        )
    return IndexConfig(
        data_dir=s.data_dir,
        collection=s.collection,
        embedding_model=s.embedding_model,
        chroma_host=s.chroma_host,
        chroma_port=s.chroma_port,
        chroma_ssl=s.chroma_ssl,
        chroma_token=s.chroma_token,
        chroma_timeout=s.chroma_timeout,
        lock_timeout=s.lock_timeout,
        postgres_dsn=s.postgres_dsn,
    )


def _check_writable(data_dir: Path) -> bool:
    """Whether the data dir can be written; fail early and clearly on one that cannot exist.
    An existing one that is read-only (a read-only copy of a team's index) is False: it can
    still be asked. A real write, because ``os.access`` answers yes to root whatever the
    mode bits say."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=data_dir, prefix=".write-check-"):
            pass
    except OSError as exc:
        if data_dir.is_dir() and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return False
        raise DataDirError(f"cannot write to data dir {data_dir}: {exc.strerror or exc}") from exc
    return True
