"""PostgreSQL, where a team keeps everything it shares but the vectors (team mode).

One schema per collection (``briefing`` → ``"briefing"``) holds the manifest, the BM25
index, conversations and the audit log; the Chroma server holds the vectors. psycopg is
imported lazily: the embedded default never needs it (``pip install -e ".[team]"``).

Connections are per thread (the chat serves sessions from threads) and in autocommit, so a
read never leaves a transaction open; writes go through ``transaction()``.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

APPLICATION = f"briefing {socket.gethostname()} pid {os.getpid()}"


def schema_of(collection: str) -> str:
    """The schema holding a collection's tables (a quoted identifier, safe in SQL)."""
    return '"' + collection.replace('"', '""') + '"'


def import_psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - the dev extra installs it
        raise ImportError(
            "team mode with BRIEFING_POSTGRES_DSN needs psycopg: pip install -e '.[team]'"
        ) from exc
    return psycopg


def is_postgres_error(exc: BaseException) -> bool:
    """Whether ``exc`` is PostgreSQL failing or not answering (not a bug of ours)."""
    try:
        import psycopg
    except ImportError:
        return False
    return isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)


def describe_dsn(dsn: str) -> str:
    """host:port/database of a DSN, without its password, for messages."""
    psycopg = import_psycopg()
    try:
        info = psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "PostgreSQL (an unreadable BRIEFING_POSTGRES_DSN)"
    host = info.get("host") or "localhost"
    return f"PostgreSQL at {host}:{info.get('port') or 5432}/{info.get('dbname') or ''}"


class Database:
    """Connections to one database, per thread, searching one collection's schema first."""

    def __init__(self, dsn: str, collection: str, timeout: float = 30.0) -> None:
        self.dsn = dsn
        self.schema = schema_of(collection)
        self.timeout = timeout
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()

    def connect(self, autocommit: bool = True) -> Any:
        """A new connection of this database (the caller closes it)."""
        psycopg = import_psycopg()
        conn = psycopg.connect(
            self.dsn,
            autocommit=autocommit,
            connect_timeout=max(1, int(self.timeout)),
            application_name=APPLICATION,
        )
        # A hung server or a lock held by a dead session fails the statement, not the app.
        conn.execute(f"SET statement_timeout = {int(self.timeout * 1000)}")
        # Short statements: compiling one (JIT) costs more than it saves.
        conn.execute("SET jit = off")
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")
        conn.execute(f"SET search_path TO {self.schema}, public")
        return conn

    @property
    def conn(self) -> Any:
        """This thread's connection (reconnected when the server closed it)."""
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = self.connect()
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def execute(self, sql: str, params: Any = None) -> Any:
        return self.conn.execute(sql, params)

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """This thread's connection inside one transaction (committed on success)."""
        conn = self.conn
        with conn.transaction():
            yield conn

    def close(self) -> None:
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            with contextlib.suppress(Exception):  # closing a broken connection
                conn.close()
