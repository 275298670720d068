"""SQLite manifest of indexed articles: the truth for incremental re-indexing.

An article is written as ``pending`` before its vectors change and ``done`` after, so a run
killed in between is finished by the next one (see ``Indexer``).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ingest.models import Article

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    url TEXT,
    published_at TEXT,
    author TEXT,
    paragraphs INTEGER NOT NULL,
    indexed_at TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done'))
);
CREATE TABLE IF NOT EXISTS locations (
    location TEXT PRIMARY KEY,
    article_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS locations_article ON locations(article_id);
"""


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    id: str
    content_hash: str
    title: str
    source: str
    url: str | None
    published_at: str | None
    author: str | None
    paragraphs: int
    indexed_at: str
    state: str
    locations: tuple[str, ...] = ()


class Manifest:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._db:
            yield self._db

    # -- queries -------------------------------------------------------------------------
    def get(self, article_id: str) -> ManifestEntry | None:
        row = self._db.execute(
            "SELECT id, content_hash, title, source, url, published_at, author, paragraphs,"
            " indexed_at, state FROM articles WHERE id = ?",
            (article_id,),
        ).fetchone()
        return ManifestEntry(*row, locations=self.locations_of(article_id)) if row else None

    def entries(self) -> list[ManifestEntry]:
        rows = self._db.execute(
            "SELECT id, content_hash, title, source, url, published_at, author, paragraphs,"
            " indexed_at, state FROM articles ORDER BY published_at, title"
        ).fetchall()
        return [ManifestEntry(*row, locations=self.locations_of(row[0])) for row in rows]

    def locations_of(self, article_id: str) -> tuple[str, ...]:
        rows = self._db.execute(
            "SELECT location FROM locations WHERE article_id = ? ORDER BY location", (article_id,)
        ).fetchall()
        return tuple(r[0] for r in rows)

    def article_at(self, location: str) -> str | None:
        row = self._db.execute(
            "SELECT article_id FROM locations WHERE location = ?", (location,)
        ).fetchone()
        return row[0] if row else None

    def all_locations(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT location, article_id FROM locations").fetchall())

    def pending(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT id FROM articles WHERE state = 'pending'")]

    def done_hashes(self) -> dict[str, str]:
        """article id → content hash of completely indexed articles."""
        rows = self._db.execute("SELECT id, content_hash FROM articles WHERE state = 'done'")
        return dict(rows.fetchall())

    def counts(self) -> tuple[int, int]:
        """(articles, paragraphs) completely indexed."""
        row = self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(paragraphs), 0) FROM articles WHERE state = 'done'"
        ).fetchone()
        return int(row[0]), int(row[1])

    def last_indexed_at(self) -> str | None:
        row = self._db.execute("SELECT MAX(indexed_at) FROM articles").fetchone()
        return row[0] if row else None

    # -- updates -------------------------------------------------------------------------
    def begin(self, articles: list[Article]) -> None:
        """Mark articles pending before their vectors are touched."""
        now = _now()
        with self._tx() as db:
            db.executemany(
                "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')"
                " ON CONFLICT(id) DO UPDATE SET content_hash=excluded.content_hash,"
                " title=excluded.title, source=excluded.source, url=excluded.url,"
                " published_at=excluded.published_at, author=excluded.author,"
                " paragraphs=excluded.paragraphs, indexed_at=excluded.indexed_at,"
                " state='pending'",
                [
                    (a.id, a.content_hash, a.title, a.source, a.url, a.published_at, a.author,
                     len(a.paragraphs), now)
                    for a in articles
                ],
            )

    def commit(self, article_ids: list[str]) -> None:
        with self._tx() as db:
            db.executemany(
                "UPDATE articles SET state = 'done' WHERE id = ?", [(i,) for i in article_ids]
            )

    def set_location(self, location: str, article_id: str) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO locations VALUES (?, ?) ON CONFLICT(location)"
                " DO UPDATE SET article_id = excluded.article_id",
                (location, article_id),
            )

    def drop_location(self, location: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM locations WHERE location = ?", (location,))

    def remove(self, article_id: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM locations WHERE article_id = ?", (article_id,))
            db.execute("DELETE FROM articles WHERE id = ?", (article_id,))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
