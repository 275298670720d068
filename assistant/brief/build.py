"""Building a briefing on a topic: retrieve, extract claims, group, find conflicts, order.

``build(assistant, topic, ...)`` is what the CLI's ``briefing brief`` and the chat's Briefing
view call; ``progress(fraction, message)`` is told each stage so the chat can show it. The
last briefing of each topic is remembered in the data dir (``briefings.sqlite3``) so the next
one can say what is new since.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.brief import analysis
from assistant.brief.analysis import ClaimGroup, Conflict, TimelineStep
from assistant.brief.claims import BriefClaim, extract
from vectorstore.filters import Filters
from vectorstore.models import Passage

if TYPE_CHECKING:
    from assistant.service import BriefingAssistant

Progress = Callable[[float, str], None]
MEMORY_FILE = "briefings.sqlite3"
EARLIER_PARAGRAPHS = 3  # paragraphs before a "he said" searched for its speaker


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


class BriefingMemory:
    """When each topic was last briefed (a small SQLite file in the data dir)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / MEMORY_FILE

    def _db(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute(
            "CREATE TABLE IF NOT EXISTS briefings (topic TEXT PRIMARY KEY, generated_at TEXT)"
        )
        return db

    def last(self, topic: str) -> str | None:
        with closing(self._db()) as db:
            row = db.execute(
                "SELECT generated_at FROM briefings WHERE topic = ?", (topic_key(topic),)
            ).fetchone()
        return row[0] if row else None

    def remember(self, topic: str, generated_at: str) -> None:
        with closing(self._db()) as db, db:
            db.execute(
                "INSERT INTO briefings VALUES (?, ?) ON CONFLICT(topic) DO UPDATE "
                "SET generated_at = excluded.generated_at",
                (topic_key(topic), generated_at),
            )


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
) -> Briefing:
    """The briefing on ``topic`` over the index (``paragraphs`` retrieved, default the
    setting ``brief_paragraphs``). Without ``new_since`` the claims indexed since the last
    briefing on the same topic are the new ones."""
    tell = progress or (lambda f, m: None)
    filters = filters or Filters()
    k = paragraphs or assistant.settings.brief_paragraphs
    tell(0.05, f"Retrieving the paragraphs about “{topic}”")
    with assistant.index.reading():
        hits = assistant.retriever.retrieve(topic, k=2 * k, filters=filters, copies=True)
        hits = assistant.index.complete(hits)[:k]
        entries = {e.id: e for e in assistant.manifest.entries()}
        articles, paragraph_count = assistant.manifest.counts()
        store = assistant.store

        def earlier(p: Passage) -> list[Passage]:
            i = p.paragraph.index
            ids = [
                f"{p.article.id}:{j}" for j in range(i - 1, max(-1, i - 1 - EARLIER_PARAGRAPHS), -1)
            ]
            found = {q.id: q for q in store.get(ids)} if ids else {}
            return [found[x] for x in ids if x in found]

        tell(0.25, f"Reading who said what in {len(hits)} paragraphs")
        claims = extract(
            hits,
            topic,
            earlier,
            lambda aid: entries[aid].indexed_at if aid in entries else None,
            lambda done, total: tell(
                0.25 + 0.45 * done / max(1, total), f"Read {done} of {total} paragraphs"
            ),
        )
    memory = BriefingMemory(assistant.settings.data_dir)
    since, source = (new_since.isoformat(), "option") if new_since else (None, "")
    if since is None and (last := memory.last(topic)) is not None:
        since, source = last, "last briefing"
    if since is not None:
        claims = [replace(c, new=is_new(c, since, source == "last briefing")) for c in claims]
    tell(0.7, f"Grouping {len(claims)} claims and looking for conflicts")
    groups = analysis.group(claims)
    conflicts = analysis.conflicts(claims, groups, topic)
    steps = analysis.timeline(claims, groups)
    generated = now()
    if remember:
        memory.remember(topic, generated)
    tell(1.0, f"{len(claims)} claims, {len(groups)} statements, {len(conflicts)} conflicts")
    return Briefing(
        topic=topic.strip(),
        generated_at=generated,
        filters=filters,
        articles=articles,
        paragraphs=paragraph_count,
        claims=tuple(claims),
        groups=tuple(groups),
        conflicts=tuple(conflicts),
        timeline=tuple(steps),
        new_since=since,
        new_since_source=source,
    )


def regroup(
    claims: Sequence[BriefClaim], topic: str = ""
) -> tuple[list[ClaimGroup], list[Conflict]]:
    """Groups and conflicts of given claims (bench and tests)."""
    groups = analysis.group(claims)
    return groups, analysis.conflicts(claims, groups, topic)
