"""SQLite manifest of indexed articles: the truth for incremental re-indexing, and the
journal of the index's write protocol (an article is ``pending`` while its vectors change).

- ``articles``: one row per article; ``pending`` while its vectors change, ``done`` after.
- ``locations``: where each article was read (a file, ``FILE#ID`` for a record, a URL),
  with its ``source`` (the file or URL). An article is kept while it has a location; one
  left without any is removed by the indexer.
- ``sources``: the fingerprint of each source whose articles are all indexed, so that an
  unchanged file is not parsed again.

Commits of articles and of their locations share one transaction, so after a crash every
``done`` article has its locations (see ``vectorstore.indexing``).

On a team server the rows are mirrored to a Chroma collection: a ``Mirror`` (see
``vectorstore.remote_manifest``) is composed in, and is given each transaction to push and
each version check to reload on.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ingest.models import Article, ArticleRef
from vectorstore.models import Passage

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
    article_id TEXT NOT NULL,
    source TEXT
);
CREATE INDEX IF NOT EXISTS locations_article ON locations(article_id);
CREATE TABLE IF NOT EXISTS sources (
    source TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL
);
"""
_COLUMNS = (
    "id, content_hash, title, source, url, published_at, author, paragraphs, indexed_at, state"
)
# Record locations of manifests written before sources were kept: 'FILE:LINE', 'FILE[i]'.
_OLD_RECORD = re.compile(r"^(.*\.jsonl):\d+$|^(.*\.json)\[\d+\]$")


# The source of an article adopted from the store after the manifest was lost: none known.
UNKNOWN_SOURCE = ""


def adopted_location(article_id: str) -> str:
    """The placeholder location that keeps an adopted article until a source holds it."""
    return f"adopted:{article_id}"


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


@dataclass(frozen=True, slots=True)
class Location:
    """An article read at ``location`` (a path, ``FILE#ID`` or URL) of ``source``."""

    location: str
    source: str
    article_id: str


@dataclass(frozen=True, slots=True)
class SourceRead:
    """A source read by an indexing run: its fingerprint when all of it was indexed (None
    when something in it failed), and the locations it holds now (None: keep the old ones
    too, as a source with failures is not the whole truth about itself)."""

    source: str
    fingerprint: str | None
    keep: frozenset[str] | None


class Mirror(Protocol):
    """A copy of the manifest's rows kept elsewhere (a team's Chroma server)."""

    lock: Any  # held around each transaction and its push

    def attach(self, db: sqlite3.Connection) -> sqlite3.Connection:
        """Start mirroring: the connection to use from now on (loaded from the mirror)."""
        ...

    def push(self, db: sqlite3.Connection) -> None:
        """Send what the transaction just committed on ``db`` changed."""
        ...

    def refresh(self, db: sqlite3.Connection) -> tuple[object, sqlite3.Connection]:
        """(the mirror's version, the connection to read: reloaded if another writer moved it)."""
        ...


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection to a manifest database at ``path`` (``:memory:`` too), its schema current."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    # WAL + NORMAL: a commit survives the process being killed (only a power cut can
    # lose the last ones, and then whole transactions), without an fsync per commit.
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(_SCHEMA)
    _migrate(db)
    return db


def _migrate(db: sqlite3.Connection) -> None:
    columns = {r[1] for r in db.execute("PRAGMA table_info(locations)")}
    with db:
        if "source" not in columns:
            db.execute("ALTER TABLE locations ADD COLUMN source TEXT")
        rows = db.execute("SELECT location FROM locations WHERE source IS NULL").fetchall()
        for (location,) in rows:
            match = _OLD_RECORD.match(location)
            source = (match.group(1) or match.group(2)) if match else location
            suffix = location[len(source) :]
            if "://" not in source and not os.path.isabs(source):
                # Paths used to be kept as typed, now they are absolute: the best guess
                # for an old relative one is the folder this runs in.
                source = os.path.abspath(source)
            db.execute(
                "UPDATE OR IGNORE locations SET location = ?, source = ? WHERE location = ?",
                (source + suffix, source, location),
            )
            # a row whose new location is taken already was a duplicate
            db.execute("DELETE FROM locations WHERE location = ? AND source IS NULL", (location,))
        db.execute("CREATE INDEX IF NOT EXISTS locations_source ON locations(source)")


class Manifest:
    def __init__(self, path: Path, mirror: Mirror | None = None) -> None:
        self.path = path
        self.mirror = mirror
        self._db = connect(path)
        if mirror is not None:
            self._db = mirror.attach(self._db)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """Every write goes through here; a mirror pushes each transaction before it returns."""
        if self.mirror is None:
            with self._db:
                yield self._db
            return
        with self.mirror.lock:
            with self._db:
                yield self._db
            self.mirror.push(self._db)

    def version(self) -> tuple[object, int]:
        """Changes when the manifest changes: (commits by other connections, i.e. other
        processes; changes made through this one). Cheap enough to call per question.
        Mirrored: (the mirror's version token, 0), the rows reloaded when it moved."""
        if self.mirror is not None:
            token, self._db = self.mirror.refresh(self._db)
            return token, 0
        other = self._db.execute("PRAGMA data_version").fetchone()[0]
        return other, self._db.total_changes

    # -- queries -------------------------------------------------------------------------
    def get(self, article_id: str) -> ManifestEntry | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return _entry(row, self.locations_of(article_id)) if row else None

    def entries(self) -> list[ManifestEntry]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM articles ORDER BY published_at, title, id"
        ).fetchall()
        located: dict[str, list[str]] = {}
        for location, article_id in self._db.execute(
            "SELECT location, article_id FROM locations ORDER BY location"
        ):
            located.setdefault(article_id, []).append(location)
        return [_entry(row, tuple(located.get(row[0], ()))) for row in rows]

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

    def publishers(self) -> tuple[list[str], str | None]:
        """The indexed articles' publishers (outlets) and the newest publication date."""
        outlets = [r[0] for r in self._db.execute("SELECT DISTINCT source FROM articles") if r[0]]
        latest = self._db.execute("SELECT MAX(published_at) FROM articles").fetchone()[0]
        return sorted(outlets), latest

    def sources(self) -> set[str]:
        """Every source that holds a location (not the unknown one of adopted articles)."""
        rows = self._db.execute("SELECT DISTINCT source FROM locations WHERE source != ''")
        return {r[0] for r in rows}

    def unchanged_source(self, source: str, fingerprint: str) -> list[str] | None:
        """The article ids of ``source`` when its bytes are those last indexed completely
        (same fingerprint, every article of it ``done``); else None: it must be read."""
        row = self._db.execute(
            "SELECT fingerprint FROM sources WHERE source = ?", (source,)
        ).fetchone()
        if row is None or row[0] != fingerprint:
            return None
        rows = self._db.execute(
            "SELECT l.article_id, a.state FROM locations l LEFT JOIN articles a"
            " ON a.id = l.article_id WHERE l.source = ?",
            (source,),
        ).fetchall()
        if not rows or any(state != "done" for _, state in rows):
            return None
        return [article_id for article_id, _ in rows]

    def pending(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT id FROM articles WHERE state = 'pending'")]

    def unlocated(self) -> list[str]:
        """Articles no location holds any more: left over, to be removed."""
        rows = self._db.execute(
            "SELECT id FROM articles WHERE NOT EXISTS"
            " (SELECT 1 FROM locations WHERE locations.article_id = articles.id)"
        )
        return [r[0] for r in rows]

    def done_hashes(self, article_ids: Iterable[str] | None = None) -> dict[str, str]:
        """article id → content hash of completely indexed articles (of ``article_ids``)."""
        if article_ids is None:
            rows = self._db.execute("SELECT id, content_hash FROM articles WHERE state = 'done'")
            return dict(rows.fetchall())
        ids = list(dict.fromkeys(article_ids))
        found: dict[str, str] = {}
        for start in range(0, len(ids), 500):  # SQLite's limit on bound parameters
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                self._db.execute(
                    "SELECT id, content_hash FROM articles"
                    f" WHERE state = 'done' AND id IN ({marks})",
                    chunk,
                ).fetchall()
            )
        return found

    def paragraph_counts(self) -> dict[str, tuple[int, str]]:
        """article id → (its paragraphs, its state) for every article row."""
        rows = self._db.execute("SELECT id, paragraphs, state FROM articles")
        return {aid: (int(n), state) for aid, n, state in rows}

    def sources_of(self, article_ids: Iterable[str]) -> set[str]:
        """The sources (files, URLs) holding these articles."""
        ids = list(dict.fromkeys(article_ids))
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT DISTINCT source FROM locations WHERE article_id IN ({marks})", chunk
            )
            found.update(r[0] for r in rows if r[0])
        return found

    def forget_fingerprints(self, sources: Iterable[str]) -> None:
        """These sources are parsed again next time, even with the same bytes."""
        with self._tx() as db:
            db.executemany("DELETE FROM sources WHERE source = ?", [(s,) for s in sources])

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
    def begin(self, articles: Iterable[Article]) -> None:
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
                    (
                        a.id,
                        a.content_hash,
                        a.title,
                        a.source,
                        a.url,
                        a.published_at,
                        a.author,
                        len(a.paragraphs),
                        now,
                    )
                    for a in articles
                ],
            )

    def mark_pending(self, article_ids: Iterable[str]) -> None:
        with self._tx() as db:
            db.executemany(
                "UPDATE articles SET state = 'pending' WHERE id = ?", [(i,) for i in article_ids]
            )

    def mark_removing(self, article_ids: Iterable[str]) -> None:
        """First step of removing articles (one transaction): ``pending`` and without a
        location, so that whatever recovers a crash finishes the removal; the sources that
        held them are read again next time."""
        rows = [(i,) for i in article_ids]
        with self._tx() as db:
            db.executemany(
                "DELETE FROM sources WHERE source IN"
                " (SELECT source FROM locations WHERE article_id = ?)",
                rows,
            )
            db.executemany("DELETE FROM locations WHERE article_id = ?", rows)
            db.executemany("UPDATE articles SET state = 'pending' WHERE id = ?", rows)

    def located(self, article_ids: Iterable[str], readable: bool = False) -> set[str]:
        """Those of ``article_ids`` that some location holds (``readable``: a location with a
        known source, not only an adopted article's placeholder)."""
        ids = list(dict.fromkeys(article_ids))
        found: set[str] = set()
        known = " AND source != ''" if readable else ""
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT DISTINCT article_id FROM locations WHERE article_id IN ({marks}){known}",
                chunk,
            )
            found.update(r[0] for r in rows)
        return found

    def mark_unwritten(self, article_ids: Iterable[str]) -> None:
        """Articles whose vectors were deleted by a recovery, as they were half written: back
        to ``done`` (one transaction) with the sources that hold them to be read again, so
        the store check finds their vectors missing and the next run writes them again. An
        article the manifest knows where to read is never forgotten by a crash."""
        rows = [(i,) for i in article_ids]
        with self._tx() as db:
            db.executemany(
                "DELETE FROM sources WHERE source IN"
                " (SELECT source FROM locations WHERE article_id = ?)",
                rows,
            )
            db.executemany(
                "UPDATE articles SET state = 'done' WHERE id = ? AND state = 'pending'", rows
            )

    def commit(self, article_ids: Iterable[str], locations: Iterable[Location] = ()) -> None:
        """Articles are indexed: ``done``, and at these locations (one transaction)."""
        with self._tx() as db:
            db.executemany(
                "UPDATE articles SET state = 'done' WHERE id = ?", [(i,) for i in article_ids]
            )
            _put_locations(db, locations)

    def set_locations(self, locations: Iterable[Location]) -> None:
        with self._tx() as db:
            _put_locations(db, locations)

    def set_location(self, location: str, article_id: str, source: str | None = None) -> None:
        self.set_locations([Location(location, source or location, article_id)])

    def finish_sources(self, reads: Iterable[SourceRead]) -> None:
        """Sources were read (one transaction): with ``keep`` (the locations a source holds
        now) the others it held are dropped; with a fingerprint, it is skipped next time
        while its bytes stay the same, without one it is read again."""
        with self._tx() as db:
            for read in reads:
                if read.keep is not None:
                    stale = [
                        (loc,)
                        for (loc,) in db.execute(
                            "SELECT location FROM locations WHERE source = ?", (read.source,)
                        )
                        if loc not in read.keep
                    ]
                    db.executemany("DELETE FROM locations WHERE location = ?", stale)
                if read.fingerprint is None:
                    db.execute("DELETE FROM sources WHERE source = ?", (read.source,))
                else:
                    db.execute(
                        "INSERT INTO sources VALUES (?, ?) ON CONFLICT(source)"
                        " DO UPDATE SET fingerprint = excluded.fingerprint",
                        (read.source, read.fingerprint),
                    )

    def forget_sources(self, sources: Iterable[str]) -> None:
        """Sources that are gone: their locations and fingerprints go too."""
        rows = [(s,) for s in sources]
        with self._tx() as db:
            db.executemany("DELETE FROM locations WHERE source = ?", rows)
            db.executemany("DELETE FROM sources WHERE source = ?", rows)

    def drop_location(self, location: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM locations WHERE location = ?", (location,))

    def adopt(
        self, articles: Iterable[tuple[ArticleRef, int]], passages: Iterable[Passage] = ()
    ) -> None:
        """Articles found in the store that no manifest row holds (the manifest was lost),
        as ``done`` with their paragraph counts, in one transaction; their location is
        unknown (``adopted_location``) until a run reads them from a real source.
        ``passages``: their stored paragraphs (a manifest that indexes them uses them)."""
        now = _now()
        items = list(articles)
        with self._tx() as db:
            db.executemany(
                "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'done')"
                " ON CONFLICT(id) DO NOTHING",
                [
                    (a.id, a.content_hash, a.title, a.source, a.url, a.published_at, a.author,
                     n, now)
                    for a, n in items
                ],
            )  # fmt: skip
            db.executemany(
                "INSERT INTO locations (location, article_id, source) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                [(adopted_location(a.id), a.id, UNKNOWN_SOURCE) for a, _ in items],
            )

    def remove(self, article_id: str) -> None:
        self.remove_many([article_id])

    def remove_many(self, article_ids: Iterable[str]) -> None:
        """Forget articles; the sources that held them are read again next time."""
        rows = [(i,) for i in article_ids]
        with self._tx() as db:
            db.executemany(
                "DELETE FROM sources WHERE source IN"
                " (SELECT source FROM locations WHERE article_id = ?)",
                rows,
            )
            db.executemany("DELETE FROM locations WHERE article_id = ?", rows)
            db.executemany("DELETE FROM articles WHERE id = ?", rows)


def _entry(row: tuple[Any, ...], locations: tuple[str, ...]) -> ManifestEntry:
    return ManifestEntry(*row, locations=locations)  # type: ignore[misc]  # a full row


def _put_locations(db: Any, locations: Iterable[Location]) -> None:
    rows = [(loc.location, loc.article_id, loc.source) for loc in locations]
    db.executemany(
        "INSERT INTO locations (location, article_id, source) VALUES (?, ?, ?)"
        " ON CONFLICT(location) DO UPDATE SET article_id = excluded.article_id,"
        " source = excluded.source",
        rows,
    )
    # An adopted article read from a real source: the placeholder has done its work.
    db.executemany(
        "DELETE FROM locations WHERE article_id = ? AND source = ?",
        [(article_id, UNKNOWN_SOURCE) for _, article_id, source in rows if source],
    )


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
