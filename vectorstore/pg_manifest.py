"""The manifest of a team index in PostgreSQL, and the lexical index written with it.

The same ``Manifest`` — every query and the pending → vectors → done protocol — over the
collection's schema in PostgreSQL instead of a SQLite file: its SQL is shared, only the
connection differs (``?`` placeholders become psycopg's ``%s``). What the file manifest
cannot do, this one does in the same transaction as each state change:

- an article's paragraphs enter the BM25 tables (``vectorstore.pg_lexical``) when it turns
  ``done`` and leave them when it turns ``pending`` or is removed, so the lexical index
  holds exactly the completely indexed articles, whoever wrote them;
- every transaction moves a version counter, what readers compare per question.

One indexing run at a time team-wide holds ``PostgresWriterLock``, a session advisory lock:
the server releases it when the holder's connection ends, kill -9 included.
"""

from __future__ import annotations

import functools
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ingest.models import Article, ArticleRef
from vectorstore import pg_lexical
from vectorstore.locks import POLL_SECONDS, ReentrantLock
from vectorstore.manifest import _SCHEMA, Location, Manifest
from vectorstore.models import Passage
from vectorstore.postgres import Database

_META = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO meta VALUES ('version', 0) ON CONFLICT DO NOTHING;
"""


@functools.lru_cache(maxsize=256)
def _pg(sql: str) -> str:
    return sql.replace("?", "%s")


class _Connection:
    """The calls the manifest makes of a ``sqlite3.Connection``, on this thread's
    PostgreSQL connection."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def execute(self, sql: str, params: Any = ()) -> Any:
        return self.database.conn.execute(_pg(sql), params or None)

    def executemany(self, sql: str, rows: Iterable[Any]) -> None:
        rows = list(rows)
        if rows:
            with self.database.conn.cursor() as cur:
                cur.executemany(_pg(sql), rows)


def lock_key(database: Database, what: str) -> int:
    """An advisory lock key naming ``what`` of this collection (32 bits, not negative)."""
    return zlib.crc32(f"{database.schema}/{what}".encode())


def create_schema(database: Database) -> None:
    """The manifest's and the lexical index's tables (once; clients may race to it)."""
    with database.transaction() as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(database, "schema"),))
        conn.execute(_SCHEMA)
        conn.execute(_META)
        pg_lexical.create(conn)


class PostgresManifest(Manifest):
    def __init__(self, database: Database) -> None:
        create_schema(database)
        self.path = Path(database.schema)
        self.mirror = None
        self.database = database
        self._db = _Connection(database)  # type: ignore[assignment]
        self._staged: dict[str, Article] = {}  # begun, their paragraphs indexed at commit
        self._staging = threading.Lock()

    def close(self) -> None:
        self.database.close()

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        with self.database.transaction() as conn:
            yield self._db
            conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'version'")

    def version(self) -> tuple[object, int]:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        return int(row[0]), 0

    # -- the lexical index follows the articles' states -----------------------------------
    def begin(self, articles: Iterable[Article]) -> None:
        items = list(articles)
        with self._tx():
            pg_lexical.remove(self.database.conn, [a.id for a in items])
            super().begin(items)
        with self._staging:
            self._staged.update({a.id: a for a in items})

    def commit(self, article_ids: Iterable[str], locations: Iterable[Location] = ()) -> None:
        ids = list(article_ids)
        with self._staging:
            staged = [self._staged[i] for i in ids if i in self._staged]
        rows = pg_lexical.rows_of(staged)
        with self._tx():
            super().commit(ids, locations)
            pg_lexical.add(self.database.conn, rows)
        with self._staging:
            for i in ids:
                self._staged.pop(i, None)

    def mark_pending(self, article_ids: Iterable[str]) -> None:
        ids = list(article_ids)
        with self._tx():
            pg_lexical.remove(self.database.conn, ids)
            super().mark_pending(ids)

    def mark_removing(self, article_ids: Iterable[str]) -> None:
        ids = list(article_ids)
        with self._tx():
            pg_lexical.remove(self.database.conn, ids)
            super().mark_removing(ids)

    def remove_many(self, article_ids: Iterable[str]) -> None:
        ids = list(article_ids)
        with self._tx():
            pg_lexical.remove(self.database.conn, ids)
            super().remove_many(ids)

    def adopt(
        self, articles: Iterable[tuple[ArticleRef, int]], passages: Iterable[Passage] = ()
    ) -> None:
        items, stored = list(articles), list(passages)
        with self._tx():
            super().adopt(items, ())
            adopted = {a.id for a, _ in items}
            pg_lexical.remove(self.database.conn, sorted(adopted))  # none, unless left over
            pg_lexical.add(
                self.database.conn,
                [pg_lexical.row_of(p) for p in stored if p.article.id in adopted],
            )

    def lexical_complete(self) -> bool:
        """Whether the lexical tables hold every paragraph of every ``done`` article (an
        article adopted from the store after its manifest was lost has no lexical rows
        until a run reads it again)."""
        row = self._db.execute(
            "SELECT (SELECT paragraphs FROM stats),"
            " (SELECT COALESCE(SUM(paragraphs), 0) FROM articles WHERE state = 'done')"
        ).fetchone()
        return int(row[0]) == int(row[1])


class PostgresWriterLock(ReentrantLock):
    """One indexing run at a time on a team index: a session advisory lock on a
    connection of its own, which the server releases when that connection ends."""

    def __init__(self, database: Database) -> None:
        super().__init__()
        self.database = database
        self.key = lock_key(database, "writer")
        self._conn: Any = None

    def _take(self, deadline: float) -> bool:
        conn = self.database.connect()
        try:
            while not conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()[0]:
                if time.monotonic() >= deadline:
                    conn.close()
                    return False
                time.sleep(POLL_SECONDS)
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        return True

    def _give(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()  # ends the session: the lock goes with it

    def describe(self) -> str:
        try:
            row = self.database.execute(
                "SELECT a.application_name, a.client_addr, a.backend_start"
                " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                " WHERE l.locktype = 'advisory' AND l.granted"
                " AND l.objsubid = 1 AND (l.classid::bigint << 32 | l.objid::bigint) = %s",
                (self.key,),
            ).fetchone()
        except Exception:
            return "unknown"
        if not row:
            return "nobody"
        return f"{row[0]} since {row[2]:%Y-%m-%dT%H:%M:%S}"

    def held_message(self) -> str:
        return f"another indexing run holds the team index: {self.describe()}"
