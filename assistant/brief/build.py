"""Building a briefing on a topic: retrieve, extract claims, score them, group, read the
figures, find conflicts, order.

``build(assistant, topic, ...)`` is what the CLI's ``briefing brief`` and the chat's Briefing
view call; ``progress(fraction, message)`` is told each stage so the chat can show it. The
paragraphs are retrieved for the topic, then again within each stretch of the corpus's dates
(so that later developments are read even when the first coverage was larger); each claim is
scored against the topic by the reader's model (``relevance``) and the ones off the topic
left out. The last briefing of each topic is remembered in the data dir
(``briefings.sqlite3``), or in team mode in the team's PostgreSQL (``briefing_memory``), so
the next one can say what is new since.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.brief import analysis, relevance
from assistant.brief.analysis import ClaimGroup, Conflict, Figures, TimelineStep
from assistant.brief.claims import BriefClaim, extract
from assistant.errors import ConversationStoreError
from vectorstore.filters import Filters
from vectorstore.manifest import ManifestEntry
from vectorstore.models import Hit, Passage

if TYPE_CHECKING:
    from assistant.reader.model import ReaderModel
    from assistant.service import BriefingAssistant
    from assistant.settings import Settings
    from vectorstore.postgres import Database

Progress = Callable[[float, str], None]
MEMORY_FILE = "briefings.sqlite3"
EARLIER_PARAGRAPHS = 3  # paragraphs before a "he said" searched for its speaker
SLICES = 4  # stretches of the corpus's dates each retrieved on their own (later developments)


@dataclass(frozen=True, slots=True)
class Briefing:
    topic: str
    generated_at: str  # ISO, UTC, seconds
    filters: Filters
    articles: int  # the corpus: indexed articles and paragraphs
    paragraphs: int
    claims: tuple[BriefClaim, ...]
    groups: tuple[ClaimGroup, ...]
    conflicts: tuple[Conflict, ...]
    timeline: tuple[TimelineStep, ...]
    new_since: str | None = None  # claims after it are marked new
    new_since_source: str = ""  # "option", "last briefing" or "" (first briefing)
    figures: Figures = field(default_factory=Figures)
    relevance_model: str = ""  # the reader model's fingerprint when it scored the claims

    @property
    def new_claims(self) -> tuple[BriefClaim, ...]:
        return tuple(c for c in self.claims if c.new)

    @property
    def sources(self) -> list[tuple[Passage, int]]:
        """Each article with claims: its first claim's paragraph and its number of claims."""
        first: dict[str, tuple[Passage, int]] = {}
        for c in self.claims:
            p, n = first.get(c.article_id, (c.passage, 0))
            first[c.article_id] = (p, n + 1)
        return sorted(
            first.values(),
            key=lambda x: (x[0].article.published_at or "", x[0].article.source, x[0].id),
        )


def topic_key(topic: str) -> str:
    return " ".join(re.findall(r"\w+", topic.lower()))


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# One table and its statements for both backends, written with SQLite's ``?`` (``%s`` for
# psycopg): the dialects differ in nothing else.
_MEMORY_TABLE = "CREATE TABLE IF NOT EXISTS briefings (topic TEXT PRIMARY KEY, generated_at TEXT)"
_LAST = "SELECT generated_at FROM briefings WHERE topic = ?"
_REMEMBER = (
    "INSERT INTO briefings VALUES (?, ?) ON CONFLICT(topic) DO UPDATE "
    "SET generated_at = excluded.generated_at"
)
POSTGRES_HINT = (
    "Check that the PostgreSQL server of BRIEFING_POSTGRES_DSN is running and reachable."
)


class BriefingMemory:
    """When each topic was last briefed: the table ``briefings`` of a small SQLite file in
    the data dir (``BriefingMemory(data_dir)``) or, in team mode, of the collection's schema
    in the team's PostgreSQL (``in_postgres``), where every analyst's "since the last
    briefing" is the team's. ``briefing_memory(settings)`` chooses; ``close()`` when done."""

    def __init__(self, where: Path | Database) -> None:
        if isinstance(where, Path):
            self.path: Path | None = where / MEMORY_FILE
            self._database: Database | None = None
        else:
            self.path, self._database = None, where
        self._created = False  # the PostgreSQL table, once per object (SQLite's: per call)

    @classmethod
    def in_postgres(cls, dsn: str, collection: str, timeout: float = 30.0) -> BriefingMemory:
        """The memory of ``collection``'s schema in the PostgreSQL database of ``dsn`` (the
        table created there on first use; nothing is connected before)."""
        from vectorstore.postgres import Database

        return cls(Database(dsn, collection, timeout))

    def close(self) -> None:
        if self._database is not None:
            self._database.close()

    def last(self, topic: str) -> str | None:
        with self._connection() as db:
            row = db.execute(_LAST, (topic_key(topic),)).fetchone()
        return row[0] if row else None

    def remember(self, topic: str, generated_at: str) -> None:
        with self._connection() as db:
            db.execute(_REMEMBER, (topic_key(topic), generated_at))

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        """A connection running the statements, committed on success; PostgreSQL's failures
        are a ConversationStoreError naming the server, with a hint."""
        if self._database is None:
            assert self.path is not None
            with closing(sqlite3.connect(self.path, timeout=30)) as db, db:
                db.execute(_MEMORY_TABLE)
                yield db
            return
        from vectorstore.postgres import describe_dsn, import_psycopg

        try:
            with self._database.transaction() as conn:
                if not self._created:
                    # analysts creating the table at once on a new database would race
                    conn.execute(
                        "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.briefings'))"
                    )
                    conn.execute(_MEMORY_TABLE)
                yield _Placeholders(conn)
            self._created = True
        except import_psycopg().Error as exc:
            where = describe_dsn(self._database.dsn)
            raise ConversationStoreError(
                f"briefing memory in {where}: {exc}", hint=POSTGRES_HINT
            ) from exc


class _Placeholders:
    """A psycopg connection that runs statements written with SQLite's ``?``."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, params: tuple[str, ...]) -> Any:
        return self._conn.execute(sql.replace("?", "%s"), params)


def briefing_memory(settings: Settings) -> BriefingMemory:
    """The briefing memory of these settings, the one place that chooses where: with
    ``BRIEFING_POSTGRES_DSN`` (team mode) the team's, in PostgreSQL, else the data dir's
    ``briefings.sqlite3``."""
    if settings.postgres_dsn:
        return BriefingMemory.in_postgres(settings.postgres_dsn, settings.collection)
    return BriefingMemory(settings.data_dir)


def is_new(claim: BriefClaim, since: str, by_index_time: bool) -> bool:
    """Published after ``since`` (a date given by the analyst; an undated article counts by
    when it was indexed), or indexed after it (since the last briefing: what the analyst has
    not seen, whatever its date)."""
    if by_index_time or not claim.date:
        # both to the second: an article indexed in the second of the last briefing is new
        return bool(claim.indexed_at) and (claim.indexed_at or "") >= since
    return claim.date > since[:10]


def build(
    assistant: BriefingAssistant,
    topic: str,
    filters: Filters | None = None,
    new_since: dt.date | None = None,
    remember: bool = True,
    progress: Progress | None = None,
    paragraphs: int | None = None,
    model_scoring: bool = True,
) -> Briefing:
    """The briefing on ``topic`` over the index (``paragraphs`` retrieved, default the
    setting ``brief_paragraphs``). Without ``new_since`` the claims indexed since the last
    briefing on the same topic are the new ones. ``model_scoring``: score the claims'
    relevance with the reader model (off: every claim of an article about the topic stays;
    the bench measures both)."""
    tell = progress or (lambda f, m: None)
    filters = filters or Filters()
    k = paragraphs or assistant.settings.brief_paragraphs
    tell(0.05, f"Retrieving the paragraphs about “{topic}”")
    with assistant.index.reading():
        entries = {e.id: e for e in assistant.manifest.entries()}
        articles, paragraph_count = assistant.manifest.counts()
        hits = _retrieve(assistant, topic, k, filters, paragraph_count, entries)
        store = assistant.store

        def earlier(p: Passage) -> list[Passage]:
            i = p.paragraph.index
            ids = [
                f"{p.article.id}:{j}" for j in range(i - 1, max(-1, i - 1 - EARLIER_PARAGRAPHS), -1)
            ]
            found = {q.id: q for q in store.get(ids)} if ids else {}
            return [found[x] for x in ids if x in found]

        tell(0.2, f"Reading who said what in {len(hits)} paragraphs")
        claims = extract(
            hits,
            topic,
            earlier,
            lambda aid: entries[aid].indexed_at if aid in entries else None,
            lambda done, total: tell(
                0.2 + 0.4 * done / max(1, total), f"Read {done} of {total} paragraphs"
            ),
        )
    model = reader_model(assistant) if model_scoring else None
    if model is not None:
        tell(0.6, f"Scoring {len(claims)} claims against the topic")
        claims = relevance.relevant(
            relevance.score(
                claims,
                topic,
                model,
                lambda done, total: tell(
                    0.6 + 0.25 * done / max(1, total), f"Scored {done} of {total} sentences"
                ),
            )
        )
    since, source = (new_since.isoformat(), "option") if new_since else (None, "")
    with closing(briefing_memory(assistant.settings)) as memory:
        if since is None and (last := memory.last(topic)) is not None:
            since, source = last, "last briefing"
        if since is not None:
            claims = [replace(c, new=is_new(c, since, source == "last briefing")) for c in claims]
        tell(0.85, f"Grouping {len(claims)} claims and looking for conflicts")
        generated = now()
        briefing = assemble(
            claims,
            topic=topic,
            generated_at=generated,
            filters=filters,
            articles=articles,
            paragraphs=paragraph_count,
            new_since=since,
            new_since_source=source,
            relevance_model=relevance.fingerprint(model),
        )
        if remember:
            memory.remember(topic, generated)
    tell(
        1.0,
        f"{len(briefing.claims)} claims, {len(briefing.groups)} statements, "
        f"{len(briefing.conflicts)} conflicts",
    )
    return briefing


def assemble(
    claims: Sequence[BriefClaim],
    *,
    topic: str,
    generated_at: str,
    filters: Filters,
    articles: int,
    paragraphs: int,
    new_since: str | None,
    new_since_source: str,
    relevance_model: str,
) -> Briefing:
    """The briefing of ``claims`` (extracted, scored and marked new): their groups, figures,
    conflicts and timeline. ``build`` and ``briefing verify`` both end here."""
    groups = analysis.group(claims)
    found = analysis.figures(claims)
    conflicts = analysis.conflicts(claims, groups, topic, found)
    steps = analysis.timeline(claims, groups, found)
    return Briefing(
        topic=topic.strip(),
        generated_at=generated_at,
        filters=filters,
        articles=articles,
        paragraphs=paragraphs,
        claims=tuple(claims),
        groups=tuple(groups),
        conflicts=tuple(conflicts),
        timeline=tuple(steps),
        new_since=new_since,
        new_since_source=new_since_source,
        figures=found,
        relevance_model=relevance_model,
    )


def reader_model(assistant: BriefingAssistant) -> ReaderModel | None:
    """The reader's model (the setting's folder, else the shipped one), when its files are
    there."""
    from assistant.reader.model import ReaderModel

    folder = assistant.settings.reader_model
    model = ReaderModel(folder) if folder else ReaderModel()
    return model if model.available else None


def _retrieve(
    assistant: BriefingAssistant,
    topic: str,
    k: int,
    filters: Filters,
    corpus: int,
    entries: dict[str, ManifestEntry],
) -> list[Hit]:
    """The ``k`` paragraphs best about the topic, and the best of each of ``SLICES``
    stretches of the dates the filters leave (a story's later developments are fewer than its
    first coverage, and would not make the overall best)."""
    retrieve = assistant.retriever.retrieve
    hits = assistant.index.complete(retrieve(topic, k=2 * k, filters=filters, copies=True))[:k]
    if corpus <= k:
        return hits
    days = sorted(
        {
            dt.date.fromisoformat(e.published_at[:10])
            for e in entries.values()
            if e.published_at and _is_date(e.published_at)
        }
    )
    days = [d for d in days if (not filters.since or d >= filters.since)]
    days = [d for d in days if (not filters.until or d <= filters.until)]
    if len(days) < 2:
        return hits
    seen = {h.passage.id for h in hits}
    share = max(2, k // (2 * SLICES))
    for i in range(SLICES):
        start = days[len(days) * i // SLICES]
        end = days[min(len(days) - 1, len(days) * (i + 1) // SLICES - 1)]
        part = replace(filters, since=start, until=end)
        for h in assistant.index.complete(retrieve(topic, k=share, filters=part, copies=True)):
            if h.passage.id not in seen:
                seen.add(h.passage.id)
                hits.append(h)
    return hits


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text[:10])
    except ValueError:
        return False
    return True


def regroup(
    claims: Sequence[BriefClaim], topic: str = ""
) -> tuple[list[ClaimGroup], list[Conflict]]:
    """Groups and conflicts of given claims (bench and tests)."""
    groups = analysis.group(claims)
    return groups, analysis.conflicts(claims, groups, topic)
