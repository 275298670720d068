"""Saved conversations: each turn's question and its answer as the export JSON, in SQLite
(the data dir's file) or, in team mode, in PostgreSQL (the team's, ``open_conversations``).

The answer is stored as the JSON contract of ``assistant.export.schema`` so that a saved
conversation exports exactly what was shown, citations and content hashes included.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import ConversationNotFound, ConversationStoreError
from assistant.export.schema import AnswerOut, SchemaError, answer_in, answer_json
from assistant.models import Answer

if TYPE_CHECKING:
    from assistant.settings import Settings

FILE_NAME = "conversations.sqlite3"
TITLE_CHARS = 80
# Where a conversation was started (``ConversationSummary.origin``): the chat lists the
# command line's questions apart from its own. "" for those saved before it was recorded.
CHAT = "chat"
CLI = "cli"

# One schema for both backends; only the conversation id's column differs (the dialects).
_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id {id_column},
    title TEXT NOT NULL,
    created_at TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS turns (
    conversation_id BIGINT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    asked_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer_json TEXT NOT NULL,
    PRIMARY KEY (conversation_id, position)
);
"""


def now() -> str:
    """UTC time to the second, ISO 8601 (what conversations record)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def title_for(question: str) -> str:
    """A conversation's title: its first question on one line, shortened."""
    line = " ".join(question.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class HistoryTurn:
    """What answer backends read of an earlier turn (``backends.base.Turn``)."""

    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class ConversationTurn:
    question: str
    answer: Answer
    asked_at: str | None = None


@dataclass(frozen=True, slots=True)
class Conversation:
    """A briefing: questions and their cited answers, in order. ``id`` is None when unsaved."""

    id: int | None
    title: str
    created_at: str | None
    turns: tuple[ConversationTurn, ...] = ()

    def history(self) -> tuple[HistoryTurn, ...]:
        return tuple(HistoryTurn(t.question, t.answer.text) for t in self.turns)

    @classmethod
    def of_answers(
        cls, answers: Sequence[Answer], title: str | None = None, created_at: str | None = None
    ) -> Conversation:
        """An unsaved conversation of these answers (e.g. a chat session in the UI)."""
        turns = tuple(ConversationTurn(a.question, a) for a in answers)
        first = answers[0].question if answers else "Briefing"
        return cls(None, title or title_for(first), created_at, turns)


# SQLite's largest integer, and PostgreSQL's: no conversation has an id beyond it, or below 1
MAX_ID = 2**63 - 1


def _possible(conversation_id: int) -> bool:
    """Whether a conversation may have this id (SQLite cannot even be asked about others)."""
    return 1 <= conversation_id <= MAX_ID


@dataclass(slots=True)
class ConversationHandle:
    """Which conversation a question belongs to, as ``BriefingAssistant.ask``/``stream`` save
    it. Not a record: the service fills in ``id`` when the first turn of a new conversation
    is saved, and ``turn`` with each saved turn's position. With an ``id`` the saved turns
    are the question's history; ``save=False`` only reads them (``briefing ask --no-save``)."""

    id: int | None = None
    save: bool = True
    turn: int = 0  # position of the last turn saved through this handle; 0: none yet
    origin: str = ""  # CHAT or CLI: recorded with a new conversation

    @property
    def saved(self) -> tuple[int, int] | None:
        """(conversation id, turn position) of the last turn saved through this handle."""
        return (self.id, self.turn) if self.id is not None and self.turn else None


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    id: int
    title: str
    created_at: str
    turns: int
    updated_at: str | None
    origin: str = ""  # CHAT, CLI, or "" (saved before the origin was recorded)


class _Backend:
    """Where a ConversationStore keeps its tables: the SQL dialect and the connection.

    The store's statements are written once, with ``?`` for parameters; a backend's
    ``transaction()`` yields a connection that runs them (``execute`` → a cursor)."""

    where = ""  # for messages: "at PATH", "in PostgreSQL at HOST:PORT/DB"
    hint: str | None = None  # ConversationStoreError's, when not the data dir's
    errors: tuple[type[Exception], ...] = ()  # the driver's: failures of the store
    id_column = ""
    lock_row = ""  # appended to a SELECT that locks the row until the transaction ends

    def open(self) -> None:
        raise NotImplementedError

    def transaction(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _SQLite(_Backend):
    """One file, one connection shared by the threads (a lock serialises them)."""

    errors = (sqlite3.Error,)
    id_column = "INTEGER PRIMARY KEY AUTOINCREMENT"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = f"at {path}"
        self._lock = threading.Lock()

    def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.executescript(_SCHEMA.format(id_column=self.id_column))
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(conversations)")}
        if "origin" not in columns:  # a store from before origins were recorded
            with self._db:
                self._db.execute(
                    "ALTER TABLE conversations ADD COLUMN origin TEXT NOT NULL DEFAULT ''"
                )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._db:
            yield self._db

    def close(self) -> None:
        self._db.close()


class _Postgres(_Backend):
    """Tables ``conversations`` and ``turns`` in the collection's schema of a PostgreSQL
    database (team mode: the team's conversations); a connection per thread."""

    hint = "Check that the PostgreSQL server of BRIEFING_POSTGRES_DSN is running and reachable."
    id_column = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
    # Appending a turn locks its conversation: two writers never take the same position.
    lock_row = " FOR UPDATE"

    def __init__(self, dsn: str, collection: str, timeout: float) -> None:
        from vectorstore.postgres import Database, describe_dsn, import_psycopg

        self.errors = (import_psycopg().Error,)
        self.where = f"in {describe_dsn(dsn)}"
        self._db = Database(dsn, collection, timeout)

    def open(self) -> None:
        with self.transaction() as db:
            # stores opening at once on a new database would race to create the tables
            db.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.turns'))")
            db.execute(_SCHEMA.format(id_column=self.id_column))

    @contextmanager
    def transaction(self) -> Iterator[_Placeholders]:
        with self._db.transaction() as conn:
            yield _Placeholders(conn)

    def close(self) -> None:
        self._db.close()


class _Placeholders:
    """A psycopg connection that runs statements written with SQLite's ``?``."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Sequence[object] = ()) -> Any:
        return self._conn.execute(sql.replace("?", "%s"), params or None)


class ConversationStore:
    """Saved conversations, in ``DATA_DIR/conversations.sqlite3`` (``in_data_dir``) or in
    PostgreSQL (``in_postgres``); safe to share between threads."""

    def __init__(self, where: Path | _Backend) -> None:
        backend = where if isinstance(where, _Backend) else _SQLite(where)
        self.path = backend.path if isinstance(backend, _SQLite) else None
        self._backend = backend
        failures: tuple[type[Exception], ...] = (OSError, *backend.errors)
        try:
            backend.open()
        except failures as exc:
            raise self._error(f"cannot open conversations {backend.where}: {exc}") from exc

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> ConversationStore:
        return cls(data_dir / FILE_NAME)

    @classmethod
    def in_postgres(cls, dsn: str, collection: str, timeout: float = 30.0) -> ConversationStore:
        """The conversations of ``collection``'s schema in the PostgreSQL database of
        ``dsn`` (created there on first use)."""
        return cls(_Postgres(dsn, collection, timeout))

    def close(self) -> None:
        self._backend.close()

    def _error(self, message: str) -> ConversationStoreError:
        return ConversationStoreError(message, hint=self._backend.hint)

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        try:
            with self._backend.transaction() as db:
                yield db
        except self._backend.errors as exc:
            raise self._error(f"conversations {self._backend.where}: {exc}") from exc

    # -- writing -------------------------------------------------------------------------
    def create(self, title: str, created_at: str | None = None, origin: str = "") -> int:
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO conversations (title, created_at, origin) VALUES (?, ?, ?)"
                " RETURNING id",
                (title_for(title) or "Untitled", created_at or now(), origin),
            )
            return int(cur.fetchone()[0])

    def add_turn(self, conversation_id: int, answer: Answer, asked_at: str | None = None) -> int:
        """Append the answer as the conversation's next turn; returns its position (from 1)."""
        if not _possible(conversation_id):
            raise ConversationNotFound(f"no conversation {conversation_id}")
        with self._tx() as db:
            if not db.execute(
                "SELECT 1 FROM conversations WHERE id = ?" + self._backend.lock_row,
                (conversation_id,),
            ).fetchone():
                raise ConversationNotFound(f"no conversation {conversation_id}")
            (last,) = db.execute(
                "SELECT COALESCE(MAX(position), 0) FROM turns WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchone()
            db.execute(
                "INSERT INTO turns (conversation_id, position, asked_at, question, answer_json)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    conversation_id,
                    last + 1,
                    asked_at or now(),
                    answer.question,
                    answer_json(answer, indent=None),
                ),
            )
            return int(last) + 1

    def save(
        self, answer: Answer, conversation_id: int | None = None, origin: str = ""
    ) -> tuple[int, int]:
        """Add the answer to a conversation (a new one, titled by its question and marked
        with ``origin``, when ``conversation_id`` is None); returns (conversation id, turn
        position)."""
        if conversation_id is None:
            conversation_id = self.create(answer.question, origin=origin)
        return conversation_id, self.add_turn(conversation_id, answer)

    def rename(self, conversation_id: int, title: str) -> bool:
        """Give a conversation a new title (one line, shortened); False when there is none."""
        if not _possible(conversation_id):
            return False
        with self._tx() as db:
            cur = db.execute(
                "UPDATE conversations SET title = ? WHERE id = ?",
                (title_for(title), conversation_id),
            )
            return cur.rowcount > 0

    def delete(self, conversation_id: int) -> bool:
        if not _possible(conversation_id):
            return False
        with self._tx() as db:
            db.execute("DELETE FROM turns WHERE conversation_id = ?", (conversation_id,))
            cur = db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
            return cur.rowcount > 0

    # -- reading -------------------------------------------------------------------------
    def saved_answers(self) -> list[tuple[int, int, str]]:
        """(conversation id, turn position, answer JSON) of every saved turn: what the
        assistant answered, exactly as exported (``briefing verify`` reads exports
        against it)."""
        with self._tx() as db:
            rows = db.execute(
                "SELECT conversation_id, position, answer_json FROM turns"
                " ORDER BY conversation_id, position"
            ).fetchall()
        return [(int(c), int(p), str(j)) for c, p, j in rows]

    def get(self, conversation_id: int) -> Conversation:
        if not _possible(conversation_id):
            raise ConversationNotFound(f"no conversation {conversation_id}")
        with self._tx() as db:
            row = db.execute(
                "SELECT id, title, created_at FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
            if row is None:
                raise ConversationNotFound(f"no conversation {conversation_id}")
            rows = db.execute(
                "SELECT position, asked_at, question, answer_json FROM turns"
                " WHERE conversation_id = ? ORDER BY position",
                (conversation_id,),
            ).fetchall()
        turns = []
        for position, asked_at, question, data in rows:
            try:
                answer = answer_in(AnswerOut.model_validate_json(data))
            except (SchemaError, ValueError) as exc:
                raise ConversationStoreError(
                    f"conversation {conversation_id}, turn {position}: unreadable answer ({exc})"
                ) from exc
            turns.append(ConversationTurn(question, answer, asked_at))
        return Conversation(int(row[0]), row[1], row[2], tuple(turns))

    def list(self) -> list[ConversationSummary]:
        """All conversations, the most recently used first."""
        with self._tx() as db:
            rows = db.execute(
                "SELECT c.id, c.title, c.created_at, COUNT(t.position), MAX(t.asked_at),"
                " c.origin FROM conversations c LEFT JOIN turns t ON t.conversation_id = c.id"
                " GROUP BY c.id ORDER BY COALESCE(MAX(t.asked_at), c.created_at) DESC, c.id DESC"
            ).fetchall()
        return [ConversationSummary(int(r[0]), r[1], r[2], int(r[3]), r[4], r[5]) for r in rows]


def open_conversations(settings: Settings) -> ConversationStore:
    """The saved conversations of these settings, the one place that chooses where: with
    ``BRIEFING_POSTGRES_DSN`` (team mode) the team's, in PostgreSQL, else the data dir's
    ``conversations.sqlite3``."""
    if settings.postgres_dsn:
        return ConversationStore.in_postgres(settings.postgres_dsn, settings.collection)
    return ConversationStore.in_data_dir(settings.data_dir)


def conversations_kept(settings: Settings) -> bool:
    """Whether ``open_conversations`` may find any saved, without creating a store: always
    in PostgreSQL, in the data dir once its file exists."""
    return bool(settings.postgres_dsn) or (settings.data_dir / FILE_NAME).exists()
