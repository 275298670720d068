"""The manifest of a team collection, kept on the Chroma server beside the paragraphs.

Several analysts' machines index into one server, so the manifest cannot be a file on one of
them: its rows live in a Chroma collection (``<collection>-manifest``, one record per row).
The manifest is the SQLite ``Manifest`` itself — every query and the whole write protocol
unchanged — run over a private in-memory copy of those rows, with a ``ChromaMirror``
composed in:

- after every manifest transaction its changed rows (logged by temporary triggers) are
  pushed to the server before the call returns, so ``pending`` is on the server before any
  vector is touched and ``done`` only after all are written; then a version token changes;
- a reader checks the token (one small request) and reloads the rows when it moved;
- one indexing run at a time writes (``ChromaLease`` in the same collection), so the copy of
  the run holding the lease is the truth and ``recover()`` only clears dead runs' leftovers.
A push cut short by a crash leaves whole records (deletes go first); what it leaves
unfinished is ``pending`` or without a location, which the next run clears.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from pathlib import Path
from typing import Any

from vectorstore.locks import dummy_vector
from vectorstore.manifest import Manifest, connect

VERSION_RECORD = "__version__"
PAGE = 2000
_LOG = "_mirror_changes"


def manifest_collection_name(collection: str) -> str:
    return f"{collection}-manifest"


def _tables(db: sqlite3.Connection) -> dict[str, tuple[str, list[str]]]:
    """table → (primary key column, columns) of every table of the manifest schema."""
    tables: dict[str, tuple[str, list[str]]] = {}
    names = db.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    for (name,) in names:
        info = db.execute(f"PRAGMA main.table_info({name})").fetchall()
        keys = [row[1] for row in info if row[5]]
        if len(keys) != 1:
            raise ValueError(f"manifest table {name} needs a one-column primary key to mirror")
        tables[name] = (keys[0], [row[1] for row in info])
    return tables


def _record_id(table: str, key: object) -> str:
    return f"{table}/{key}"


class ChromaMirror:
    """Mirrors a manifest's rows to the Chroma collection ``name`` (see the module doc)."""

    def __init__(self, client: Any, name: str) -> None:
        self.lock = threading.RLock()
        self.collection: Any = client.get_or_create_collection(name, embedding_function=None)
        self._seen: str | None = None
        self._tables: dict[str, tuple[str, list[str]]] = {}
        self._latest: sqlite3.Connection  # the newest copy (attach, refresh)

    def attach(self, db: sqlite3.Connection) -> sqlite3.Connection:
        self._tables = _tables(db)
        self._latest = self._pull()
        return self._latest

    def _install_log(self, db: sqlite3.Connection) -> None:
        with db:
            # No unique key: a trigger's OR IGNORE yields to the conflict clause of the
            # statement that fired it, so duplicates are dropped when read instead.
            db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_LOG} (tbl, pk)")
            for table, (key, _) in self._tables.items():
                for event, row in (
                    ("INSERT", "NEW"),
                    ("UPDATE", "NEW"),
                    ("UPDATE", "OLD"),
                    ("DELETE", "OLD"),
                ):
                    db.execute(
                        f"CREATE TEMP TRIGGER IF NOT EXISTS mirror_{table}_{event}_{row}"
                        f" AFTER {event} ON main.{table} BEGIN INSERT INTO {_LOG}"
                        f" VALUES ('{table}', {row}.{key}); END"
                    )

    def push(self, db: sqlite3.Connection) -> None:
        try:
            self._push(db)
        except BaseException:
            self._seen = None  # the copy is ahead of the server: reload it next time
            raise

    def _push(self, db: sqlite3.Connection) -> None:
        changed = db.execute(f"SELECT DISTINCT tbl, pk FROM {_LOG}").fetchall()
        if not changed:
            return
        upserts: dict[str, dict[str, Any]] = {}
        deletes: list[str] = []
        for table, key in changed:
            key_column, columns = self._tables[table]
            row = db.execute(
                f"SELECT {', '.join(columns)} FROM main.{table} WHERE {key_column} = ?", (key,)
            ).fetchone()
            if row is None:
                deletes.append(_record_id(table, key))
                continue
            meta: dict[str, Any] = {"tbl": table}
            meta.update((c, v) for c, v in zip(columns, row, strict=True) if v is not None)
            upserts[_record_id(table, key)] = meta
        # Deletes first: a push cut short never leaves a row its transaction removed.
        for start in range(0, len(deletes), PAGE):
            self.collection.delete(ids=deletes[start : start + PAGE])
        ids = list(upserts)
        for start in range(0, len(ids), PAGE):
            chunk = ids[start : start + PAGE]
            self.collection.upsert(
                ids=chunk,
                embeddings=[dummy_vector(i) for i in chunk],
                metadatas=[upserts[i] for i in chunk],
            )
        token = uuid.uuid4().hex
        self.collection.upsert(
            ids=[VERSION_RECORD],
            embeddings=[dummy_vector(VERSION_RECORD)],
            metadatas=[{"token": token}],
        )
        self._seen = token
        with db:
            db.execute(f"DELETE FROM {_LOG}")

    def _token(self) -> str | None:
        got = self.collection.get(ids=[VERSION_RECORD], include=["metadatas"])
        metas = got.get("metadatas") or []
        return str(metas[0]["token"]) if got["ids"] and metas and metas[0] else None

    def _pull(self) -> sqlite3.Connection:
        """A fresh local copy of the server's rows (read after the token, so a copy torn by
        a concurrent push is reloaded at the next check)."""
        with self.lock:
            token = self._token()
            fresh = connect(":memory:")  # same schema, same migrations
            offset = 0
            with fresh:
                while True:
                    got = self.collection.get(include=["metadatas"], limit=PAGE, offset=offset)
                    if not got["ids"]:
                        break
                    offset += len(got["ids"])
                    for meta in got.get("metadatas") or []:
                        table = (meta or {}).get("tbl")
                        if table not in self._tables:
                            continue  # the version token, the writer lease
                        columns = self._tables[table][1]
                        fresh.execute(
                            f"INSERT OR REPLACE INTO {table} ({', '.join(columns)})"
                            f" VALUES ({', '.join('?' * len(columns))})",
                            [meta.get(c) for c in columns],
                        )
            self._install_log(fresh)
            self._seen = token
            return fresh

    def refresh(self, db: sqlite3.Connection) -> tuple[object, sqlite3.Connection]:
        """The server's version token, and the newest copy: reloaded when someone else
        wrote. Always the mirror's newest, never the ``db`` passed in: a thread that read
        the manifest's connection before another thread reloaded it would otherwise put the
        stale copy back while the token says it is current. Readers still on an old copy
        finish there; it is closed when unreferenced."""
        if self._token() != self._seen:
            with self.lock:
                if self._token() != self._seen:
                    self._latest = self._pull()
        return self._seen, self._latest


def team_manifest(client: Any, collection: str) -> Manifest:
    """The manifest of a team ``collection``, mirrored on its Chroma server."""
    return Manifest(Path(":memory:"), ChromaMirror(client, manifest_collection_name(collection)))
